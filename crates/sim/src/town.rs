//! The true state of the town: places, people and households. Everything the
//! council's systems hold is derived from this (with their mistakes), and the
//! truth files are written from it.

use crate::gazetteer::{
    self, Building, Class, Estate, Flat, Lifecycle, Status, Street, StreetLayout,
};
use crate::names::{self, Origin};
use crate::naming;
use crate::noise;
use crate::profile::Profile;
use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal};
use rand_pcg::Pcg64Mcg;
use upstream_core::{Month, Pence, Tenure};

pub type PersonId = u32;
pub type HouseholdId = u32;
pub type DwellingId = u32;

#[derive(Debug, Clone)]
pub struct Lsoa {
    pub code: String,
    pub ward: u32,
    /// National index of multiple deprivation decile, 1 = most deprived.
    pub decile: u8,
}

#[derive(Debug, Clone)]
pub struct Ward {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Dwelling {
    pub uprn: u64,
    /// First address line as the Royal Mail would write it: "Flat 3, 12 Oak Road".
    pub line1: String,
    /// Street or village line, when line1 is a building name; otherwise empty.
    pub line2: String,
    pub locality: String,
    /// The postcode now (after any recode).
    pub postcode: String,
    pub lsoa: u32,
    /// Council tax band, 0 = A.
    pub band: u8,
    pub stock: Tenure,
    pub council_owned: bool,
    pub occupant: Option<HouseholdId>,
    /// The housing system's own property reference, for council-owned homes.
    pub housing_ref: Option<u32>,
    // Its BS 7666 structure (`gazetteer.rs`).
    /// Index into `Geography::streets`.
    pub street: u32,
    /// The secondary addressable object, for a flat.
    pub flat: Option<Flat>,
    /// The primary addressable object: number, suffix ("12A") and name
    /// (a house's, or the block's for a flat).
    pub number: Option<u32>,
    pub suffix: Option<char>,
    pub name: Option<String>,
    /// For a flat, its building (index into `Geography::buildings`).
    pub parent: Option<u32>,
    pub class: Class,
    /// British National Grid, centimetres.
    pub x: u32,
    pub y: u32,
    pub life: Lifecycle,
    /// The postcode before Royal Mail recoded it, and the month it did.
    pub old_postcode: Option<(String, Month)>,
}

impl Dwelling {
    /// Built and standing: someone may live here.
    pub fn habitable(&self) -> bool {
        self.life.status == Status::Approved
    }

    /// The postcode in use in `month` (the old one before a recode).
    pub fn postcode_at(&self, month: Month) -> &str {
        match &self.old_postcode {
            Some((old, when)) if month < *when => old,
            _ => &self.postcode,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ethnicity {
    White,
    Asian,
    Black,
    Mixed,
    Other,
}

impl Ethnicity {
    pub fn as_str(self) -> &'static str {
        match self {
            Ethnicity::White => "white",
            Ethnicity::Asian => "asian",
            Ethnicity::Black => "black",
            Ethnicity::Mixed => "mixed",
            Ethnicity::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Welsh,
    Other,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "english",
            Language::Welsh => "welsh",
            Language::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Phone,
    Email,
    Text,
    Letter,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Text => "text",
            Channel::Letter => "letter",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Child,
    Employed {
        monthly_gross: Pence,
    },
    Unemployed,
    Student,
    Retired,
    /// Caring, long-term sick or otherwise out of the labour market.
    Inactive,
}

impl Work {
    pub fn as_str(self) -> &'static str {
        match self {
            Work::Child => "child",
            Work::Employed { .. } => "employed",
            Work::Unemployed => "unemployed",
            Work::Student => "student",
            Work::Retired => "retired",
            Work::Inactive => "inactive",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: PersonId,
    pub female: bool,
    pub dob: NaiveDate,
    pub origin: Origin,
    pub ethnicity: Ethnicity,
    pub forename: &'static str,
    pub middle: Option<&'static str>,
    pub surname: &'static str,
    /// Surname at birth; differs from `surname` for some married women.
    pub birth_surname: &'static str,
    pub nino: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub disabled: bool,
    pub care_need: bool,
    pub language: Language,
    pub work: Work,
    pub household: Option<HouseholdId>,
    pub alive: bool,
    /// When the person came to live in the area (may be long before the simulation).
    pub arrived: Month,
    pub community_active: bool,
    pub partner: Option<PersonId>,
}

impl Person {
    pub fn age_at(&self, date: NaiveDate) -> i32 {
        let mut age = date.year() - self.dob.year();
        if (date.month(), date.day()) < (self.dob.month(), self.dob.day()) {
            age -= 1;
        }
        age
    }

    pub fn is_adult(&self, date: NaiveDate) -> bool {
        self.age_at(date) >= 18
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Composition {
    SingleWorkingAge,
    SinglePensioner,
    CoupleNoChildren,
    CoupleWithChildren,
    LoneParent,
    PensionerCouple,
    SharedAdults,
}

impl Composition {
    pub const ALL: [Composition; 7] = [
        Composition::SingleWorkingAge,
        Composition::SinglePensioner,
        Composition::CoupleNoChildren,
        Composition::CoupleWithChildren,
        Composition::LoneParent,
        Composition::PensionerCouple,
        Composition::SharedAdults,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Composition::SingleWorkingAge => "single_working_age",
            Composition::SinglePensioner => "single_pensioner",
            Composition::CoupleNoChildren => "couple_no_children",
            Composition::CoupleWithChildren => "couple_with_children",
            Composition::LoneParent => "lone_parent",
            Composition::PensionerCouple => "pensioner_couple",
            Composition::SharedAdults => "shared_adults",
        }
    }
}

/// A notice to leave the home (private landlord's notice, or a possession order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub served: Month,
    pub expires: Month,
    pub for_arrears: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CtStage {
    None,
    Reminder,
    FinalNotice,
    Summons,
    LiabilityOrder,
    Attachment,
    EnforcementAgent,
}

impl CtStage {
    pub fn as_str(self) -> &'static str {
        match self {
            CtStage::None => "",
            CtStage::Reminder => "reminder",
            CtStage::FinalNotice => "final_notice",
            CtStage::Summons => "summons",
            CtStage::LiabilityOrder => "liability_order",
            CtStage::Attachment => "attachment",
            CtStage::EnforcementAgent => "enforcement_agent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RentStage {
    None,
    /// Notice of seeking possession (social) or a landlord's notice (private).
    Notice,
    PossessionOrder,
    EvictionWarrant,
}

impl RentStage {
    pub fn as_str(self) -> &'static str {
        match self {
            RentStage::None => "",
            RentStage::Notice => "notice_of_seeking_possession",
            RentStage::PossessionOrder => "possession_order",
            RentStage::EvictionWarrant => "eviction_warrant",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Household {
    pub id: HouseholdId,
    pub members: Vec<PersonId>,
    pub dwelling: DwellingId,
    pub tenure: Tenure,
    pub moved_in: Month,
    pub rent_monthly: Pence,
    pub savings: Pence,
    /// Latent community embeddedness in [0, 1]; see `embeddedness`.
    pub embeddedness: f64,
    pub in_difficulty: bool,
    pub ct_arrears: Pence,
    pub ct_stage: CtStage,
    pub ct_stage_since: Month,
    pub rent_arrears: Pence,
    pub rent_stage: RentStage,
    pub rent_stage_since: Month,
    pub notice: Option<Notice>,
    /// An open homelessness case, index into `Town::cases`.
    pub open_case: Option<u32>,
    pub ta_since: Option<Month>,
    /// Most recent trigger events, newest last (kept short).
    pub triggers: Vec<(crate::life::EventKind, Month)>,
    pub channel: Channel,
    pub active: bool,
    pub last_income: Pence,
    /// Whether a council tax reduction / housing benefit claim is live, index into council claims.
    pub student_let: bool,
}

impl Household {
    pub fn recent_trigger(&self, now: Month, within: i32) -> bool {
        self.triggers.iter().any(|(_, m)| now.since(*m) < within)
    }
}

/// Draw an index from shares that sum to 1.
pub fn pick_share(rng: &mut Pcg64Mcg, shares: &[f64]) -> usize {
    let mut x: f64 = rng.random::<f64>() * shares.iter().sum::<f64>();
    for (i, s) in shares.iter().enumerate() {
        if x < *s {
            return i;
        }
        x -= s;
    }
    shares.len() - 1
}

pub struct Geography {
    pub wards: Vec<Ward>,
    pub lsoas: Vec<Lsoa>,
    /// Every home the gazetteer has ever held: standing, planned and demolished.
    pub dwellings: Vec<Dwelling>,
    pub streets: Vec<Street>,
    /// Buildings of flats (parent shells).
    pub buildings: Vec<Building>,
    pub estate: Estate,
}

/// Build wards, LSOAs, streets and dwellings for about `n_households`, as the
/// gazetteer holds them at `first` (the first month simulated). `rng` draws
/// what the people of the town depend on; `estate` the gazetteer's detail.
pub fn build_geography(
    profile: &Profile,
    n_households: u32,
    first: Month,
    rng: &mut Pcg64Mcg,
    estate_rng: &mut Pcg64Mcg,
) -> Geography {
    let t = &profile.town;
    let welsh = matches!(t.nation, upstream_core::Nation::Wales);
    // Enough homes for every household plus the vacancy rate, and temporary
    // accommodation stock to take placements over the run.
    let n_dwellings = ((n_households as f64) * (1.0 + t.vacancy_rate)).ceil() as u32 + 16;
    let n_lsoas = (n_households / t.households_per_lsoa).max(1);
    let n_wards = n_lsoas.div_ceil(t.lsoas_per_ward).max(1);
    let country = if welsh { 'W' } else { 'E' };
    let wards: Vec<Ward> = (0..n_wards)
        .map(|w| Ward {
            code: format!("{country}05{:06}", 9_000 + w),
            name: format!(
                "{} {}",
                t.localities[w as usize % t.localities.len()],
                ward_suffix(w as usize / t.localities.len())
            ),
        })
        .collect();
    let lsoas: Vec<Lsoa> = (0..n_lsoas)
        .map(|l| Lsoa {
            code: format!("{country}01{:06}", 10_000 + l),
            ward: l / t.lsoas_per_ward.max(1),
            decile: pick_share(rng, &t.deprivation_decile_shares) as u8 + 1,
        })
        .collect();

    // Tenure stock: a home's tenure follows its neighbourhood's deprivation
    // (social renting concentrates in deprived areas), while the total meets the profile.
    let tn = &profile.tenure;
    let stock_shares = [
        tn.owner,
        tn.private_rent,
        tn.social_rent,
        tn.temporary_accommodation,
    ];
    let bands = &profile.council_tax.band_shares;
    let _ = pick_share;
    let mut dwellings: Vec<Dwelling> = Vec::with_capacity(n_dwellings as usize);
    let mut streets: Vec<Street> = Vec::new();
    let mut buildings: Vec<Building> = Vec::new();
    let mut estate = Estate::new(profile, n_lsoas);
    let mut housing_ref = 100_000u32;
    let mut uprn = if welsh {
        10_023_000_000u64
    } else {
        100_070_000_000u64
    };
    let mut street_seq = 0usize;
    let mut keys: Vec<f64> = Vec::with_capacity(n_dwellings as usize);
    while dwellings.len() < n_dwellings as usize {
        let lsoa = (dwellings.len() as u64 * n_lsoas as u64 / n_dwellings as u64) as u32;
        let decile = lsoas[lsoa as usize].decile;
        let locality =
            t.localities[lsoas[lsoa as usize].ward as usize % t.localities.len()].clone();
        let district =
            &t.postcode_districts[(lsoa as usize * 7 + street_seq) % t.postcode_districts.len()];
        let welsh_street = welsh && rng.random::<f64>() < t.welsh_street_share;
        let street_name = street_name(rng, welsh_street, street_seq);
        street_seq += 1;
        let rural = welsh && rng.random::<f64>() < 0.2;
        let n_homes = rng.random_range(12..60usize);
        let flats = rng.random::<f64>() < t.flat_share;
        // Streets share a tenure tendency, and deprived areas hold more social
        // renting; the exact shares are fixed below by rank.
        let street_key = decile as f64 / 10.0 + 0.6 * rng.random::<f64>();
        let mut postcode = gazetteer::postcode_in(district, rng);
        // The street as the gazetteer records it (its own draws only).
        let class = gazetteer::street_class(flats, rural, profile, estate_rng);
        let street = estate.street(
            profile,
            street_name.clone(),
            locality.clone(),
            lsoa,
            district.clone(),
            rural,
            class,
            estate_rng,
        );
        streets.push(street);
        let si = (streets.len() - 1) as u32;
        let mut layout = StreetLayout::new(si, class);
        for h in 0..n_homes {
            if h % 14 == 13 {
                postcode = gazetteer::postcode_in(district, rng);
            }
            let house_name = rural.then(|| {
                names::BUILDING_NAMES
                    .choose(rng)
                    .copied()
                    .unwrap_or("Ty Newydd")
            });
            keys.push(street_key + 0.2 * rng.random::<f64>());
            // Band follows deprivation too: cheaper bands in deprived areas.
            let mut band = pick_share(rng, bands) as u8;
            if decile <= 3 && band > 0 && rng.random::<f64>() < 0.3 {
                band -= 1;
            }
            uprn += rng.random_range(1..40u64);
            let shape = layout.home(
                &streets,
                &mut buildings,
                &mut estate,
                profile,
                h as u32,
                house_name,
                &postcode,
                estate_rng,
            );
            dwellings.push(Dwelling {
                uprn,
                line1: String::new(),
                line2: String::new(),
                locality: locality.clone(),
                postcode: postcode.clone(),
                lsoa,
                band,
                stock: Tenure::Owner,
                council_owned: false,
                occupant: None,
                housing_ref: None,
                street: si,
                flat: shape.flat,
                number: shape.number,
                suffix: shape.suffix,
                name: shape.name,
                parent: shape.parent,
                class: shape.class,
                x: shape.x,
                y: shape.y,
                // Dated by `gazetteer::finish`.
                life: Lifecycle {
                    status: Status::Approved,
                    start: first.first_day(),
                    end: None,
                    last_update: first.first_day(),
                    completes: None,
                },
                old_postcode: None,
            });
            streets[si as usize]
                .dwellings
                .push((dwellings.len() - 1) as DwellingId);
            if dwellings.len() == n_dwellings as usize {
                break;
            }
        }
    }
    // Exact tenure shares by rank of the keys: the most deprived-leaning
    // streets are social housing, then private renting, then owner occupied.
    // Temporary accommodation (hostels, leased units) is scattered, with room
    // to spare for new placements.
    let n = dwellings.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| keys[*a].total_cmp(&keys[*b]));
    let social_n = (stock_shares[2] * n as f64).round() as usize;
    let private_n = (stock_shares[1] * n as f64).round() as usize;
    for (rank, i) in order.into_iter().enumerate() {
        dwellings[i].stock = if rank < social_n {
            Tenure::SocialRent
        } else if rank < social_n + private_n {
            Tenure::PrivateRent
        } else {
            Tenure::Owner
        };
    }
    let ta_n = (stock_shares[3] * 1.6 * n as f64).ceil() as usize;
    for _ in 0..ta_n.min(n) {
        let i = rng.random_range(0..n);
        dwellings[i].stock = Tenure::TemporaryAccommodation;
        dwellings[i].band = 0;
    }
    for d in dwellings.iter_mut() {
        if d.stock == Tenure::SocialRent && rng.random::<f64>() < tn.council_share_of_social {
            housing_ref += 1;
            d.council_owned = true;
            d.housing_ref = Some(housing_ref);
        }
    }
    estate.next_housing_ref = housing_ref;
    let mut geo = Geography {
        wards,
        lsoas,
        dwellings,
        streets,
        buildings,
        estate,
    };
    gazetteer::finish(&mut geo, profile, first, estate_rng);
    geo
}

fn ward_suffix(round: usize) -> &'static str {
    [
        "", "North", "South", "East", "West", "Central", "Park", "Green", "Heath", "Hill",
    ][round % 10]
}

fn street_name(rng: &mut Pcg64Mcg, welsh: bool, seq: usize) -> String {
    if welsh {
        return names::WELSH_STREETS
            .choose(rng)
            .copied()
            .unwrap_or("Stryd Fawr")
            .to_string();
    }
    let stem = names::STREET_STEMS
        [(seq * 7919 + rng.random_range(0..names::STREET_STEMS.len())) % names::STREET_STEMS.len()];
    let suffix = names::STREET_SUFFIXES
        .choose(rng)
        .copied()
        .unwrap_or("Road");
    format!("{stem} {suffix}")
}

/// The people-making half of the town: draws names, ages, identifiers.
pub struct PersonFactory {
    pub profile: std::sync::Arc<Profile>,
    pub next_id: PersonId,
    pub nino_seq: u32,
    /// Forenames already in the family: parents do not give a new child one
    /// of them (set while a family's children are made, empty otherwise).
    pub family_forenames: Vec<&'static str>,
    earnings: LogNormal<f64>,
}

impl PersonFactory {
    pub fn new(profile: std::sync::Arc<Profile>) -> PersonFactory {
        let median_monthly = profile.money.median_annual_earnings as f64 * 100.0 / 12.0;
        let earnings = LogNormal::new(median_monthly.ln(), profile.money.earnings_log_sd.max(0.01))
            .unwrap_or_else(|_| LogNormal::new(0.0, 0.5).expect("constant parameters are valid"));
        PersonFactory {
            profile,
            next_id: 0,
            nino_seq: 0,
            family_forenames: Vec::new(),
            earnings,
        }
    }

    pub fn draw_origin(&self, rng: &mut Pcg64Mcg) -> (Ethnicity, Origin) {
        let e = &self.profile.people.ethnicity;
        let eth = [
            Ethnicity::White,
            Ethnicity::Asian,
            Ethnicity::Black,
            Ethnicity::Mixed,
            Ethnicity::Other,
        ][pick_share(rng, &[e.white, e.asian, e.black, e.mixed, e.other])];
        let welsh = self.profile.people.welsh_speaker_share;
        let x: f64 = rng.random();
        let origin = match eth {
            Ethnicity::White if x < welsh => Origin::Welsh,
            Ethnicity::White if x < welsh + 0.04 => Origin::Irish,
            Ethnicity::White if x < welsh + 0.12 => Origin::EastEuropean,
            Ethnicity::White => Origin::English,
            Ethnicity::Asian if x < 0.88 => Origin::SouthAsian,
            Ethnicity::Asian => Origin::Chinese,
            Ethnicity::Black if x < 0.6 => Origin::BlackAfrican,
            Ethnicity::Black => Origin::BlackCaribbean,
            Ethnicity::Mixed if x < 0.5 => Origin::English,
            Ethnicity::Mixed => Origin::BlackCaribbean,
            Ethnicity::Other => Origin::Arab,
        };
        (eth, origin)
    }

    /// A new person. `family` gives the ethnicity, origin and surname to share.
    #[allow(clippy::too_many_arguments)]
    pub fn person(
        &mut self,
        rng: &mut Pcg64Mcg,
        today: NaiveDate,
        age: i32,
        female: bool,
        family: Option<(Ethnicity, Origin, &'static str)>,
        arrived: Month,
    ) -> Person {
        // A family name goes by sex in some communities (a Singh's daughter
        // is Kaur), so an inherited one is the family's form for this person.
        let (ethnicity, origin, surname) = match family {
            Some((e, o, s)) => (e, o, naming::family_name(o, female, s, rng)),
            None => {
                let (e, o) = self.draw_origin(rng);
                (e, o, naming::surname(o, female, rng))
            }
        };
        let id = self.next_id;
        self.next_id += 1;
        let born_year = today.year() - age;
        let dob = NaiveDate::from_yo_opt(born_year, rng.random_range(1..=365)).unwrap_or(today);
        let dob = if dob > today { today } else { dob };
        let mut forename = naming::forename(origin, female, born_year, surname, rng);
        for _ in 0..4 {
            if !self
                .family_forenames
                .iter()
                .any(|f| naming::same_name(f, forename))
            {
                break;
            }
            forename = naming::forename(origin, female, born_year, surname, rng);
        }
        // A middle name is another name of the same kind, never the first
        // again in any spelling.
        let middle = (rng.random::<f64>() < 0.6)
            .then(|| naming::forename(origin, female, born_year, surname, rng))
            .filter(|m| !naming::same_name(m, forename));
        let p = &self.profile.people;
        let language = if origin == Origin::Welsh {
            Language::Welsh
        } else if matches!(
            origin,
            Origin::EastEuropean | Origin::Arab | Origin::Chinese | Origin::SouthAsian
        ) && rng.random::<f64>() < (p.other_language_share * 3.0).min(0.9)
        {
            Language::Other
        } else {
            Language::English
        };
        let disabled = rng.random::<f64>() < p.disability_share * if age >= 65 { 2.0 } else { 0.8 };
        let work = self.draw_work(rng, age, disabled);
        let nino = (age >= 16).then(|| self.nino(rng));
        let phone = (age >= 14 && rng.random::<f64>() < 0.93).then(|| {
            format!(
                "07{:03} {:06}",
                rng.random_range(100..1000u32),
                rng.random_range(0..1_000_000u32)
            )
        });
        let email = (age >= 16 && rng.random::<f64>() < 0.8).then(|| {
            let dom = names::EMAIL_DOMAINS
                .choose(rng)
                .copied()
                .unwrap_or("mail.example");
            let local = ascii_lower(forename);
            let sur = ascii_lower(surname);
            match rng.random_range(0..3) {
                0 => format!("{local}.{sur}@{dom}"),
                1 => format!(
                    "{}{sur}{}@{dom}",
                    &local[..1.min(local.len())],
                    rng.random_range(1..99)
                ),
                _ => format!("{local}{}@{dom}", born_year % 100),
            }
        });
        Person {
            id,
            female,
            dob,
            origin,
            ethnicity,
            forename,
            middle,
            surname,
            birth_surname: surname,
            nino,
            phone,
            email,
            disabled,
            care_need: disabled && age >= 75 && rng.random::<f64>() < 0.3,
            language,
            work,
            household: None,
            alive: true,
            arrived,
            community_active: rng.random::<f64>() < self.profile.community.community_activity_share,
            partner: None,
        }
    }

    pub fn draw_work(&self, rng: &mut Pcg64Mcg, age: i32, disabled: bool) -> Work {
        if age < 16 {
            return Work::Child;
        }
        if age >= 67 {
            return Work::Retired;
        }
        if age < 22 && rng.random::<f64>() < 0.45 {
            return Work::Student;
        }
        let rate = self.profile.people.employment_rate * if disabled { 0.65 } else { 1.05 };
        let x: f64 = rng.random();
        if x < rate {
            Work::Employed {
                monthly_gross: self.draw_pay(rng),
            }
        } else if x < rate + 0.05 {
            Work::Unemployed
        } else {
            Work::Inactive
        }
    }

    pub fn draw_pay(&self, rng: &mut Pcg64Mcg) -> Pence {
        let mut pay = self.earnings.sample(rng);
        if rng.random::<f64>() < self.profile.money.part_time_share {
            pay *= 0.5;
        }
        Pence(pay.round() as i64)
    }

    fn nino(&mut self, rng: &mut Pcg64Mcg) -> String {
        self.nino_seq += 1;
        // A unique six-digit body per person; the prefix is random but valid.
        let body = (self.nino_seq as u64 * 7_919 + 13) % 1_000_000;
        let suffix = ['A', 'B', 'C', 'D'][rng.random_range(0..4)];
        format!("{}{body:06}{suffix}", noise::valid_nino_prefix(rng))
    }
}

pub fn ascii_lower(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'â' | 'á' | 'à' => Some('a'),
            'ê' | 'é' | 'è' => Some('e'),
            'î' | 'í' => Some('i'),
            'ô' | 'ó' => Some('o'),
            'û' | 'ú' => Some('u'),
            'ŵ' => Some('w'),
            'ŷ' => Some('y'),
            'ë' => Some('e'),
            'ï' => Some('i'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Embeddedness in [0, 1]: time in the area and at the address, household
/// ties and community activity. The same formula is documented in
/// docs/simulation.md; the insight crate will measure it from records.
pub fn embeddedness(
    years_in_area: f64,
    years_at_address: f64,
    has_children: bool,
    has_partner: bool,
    active: bool,
    noise: f64,
) -> f64 {
    let z = 0.9 * (1.0 + years_in_area).ln()
        + 0.5 * (1.0 + years_at_address).ln()
        + if has_children { 0.3 } else { 0.0 }
        + if has_partner { 0.2 } else { 0.0 }
        + if active { 0.8 } else { 0.0 }
        + noise
        - 3.0;
    1.0 / (1.0 + (-z).exp())
}

/// Years since an event, given an exponential mean; used for length of residence.
pub fn draw_years(rng: &mut Pcg64Mcg, mean: f64) -> f64 {
    let u: f64 = rng.random::<f64>().max(1e-9);
    -mean * u.ln()
}

pub fn standard_normal(rng: &mut Pcg64Mcg) -> f64 {
    Normal::new(0.0, 1.0).map(|n| n.sample(rng)).unwrap_or(0.0)
}
