//! Month-by-month life: events with hazards that depend on circumstances,
//! money, arrears, recovery, and crisis outcomes.
//!
//! Invariant: this module does no IO. It changes the `World` and reports what
//! happened as `Happening`s; the council's systems and the truth files are
//! written from those elsewhere.

use crate::profile::Profile;
use crate::town::*;
use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use upstream_core::{CrisisKind, Month, Nation, Pence, Tenure};

/// Life events: what happens to people. The platform later tries to detect
/// them from records; the truth keeps them exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    MovedIn,
    MovedWithinArea,
    LeftArea,
    NewBaby,
    Separation,
    Bereavement,
    Death,
    JobLoss,
    NewJob,
    IncomeDrop,
    IllnessOrCareNeed,
    RentRise,
    NoticeToQuit,
    FirstMissedRent,
    FirstMissedCouncilTax,
    LeftParentalHome,
    FinancialDifficulty,
    RecoveredFinancially,
    /// A crisis outcome; `Happening::crisis` says which.
    Crisis,
    HomelessnessDutyEnded,
    LeftTemporaryAccommodation,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::MovedIn => "moved_in",
            EventKind::MovedWithinArea => "moved_within_area",
            EventKind::LeftArea => "left_area",
            EventKind::NewBaby => "new_baby",
            EventKind::Separation => "separation",
            EventKind::Bereavement => "bereavement",
            EventKind::Death => "death",
            EventKind::JobLoss => "job_loss",
            EventKind::NewJob => "new_job",
            EventKind::IncomeDrop => "income_drop",
            EventKind::IllnessOrCareNeed => "illness_or_care_need",
            EventKind::RentRise => "rent_rise",
            EventKind::NoticeToQuit => "notice_to_quit",
            EventKind::FirstMissedRent => "first_missed_rent",
            EventKind::FirstMissedCouncilTax => "first_missed_council_tax",
            EventKind::LeftParentalHome => "left_parental_home",
            EventKind::FinancialDifficulty => "financial_difficulty",
            EventKind::RecoveredFinancially => "recovered_financially",
            EventKind::Crisis => "crisis",
            EventKind::HomelessnessDutyEnded => "homelessness_duty_ended",
            EventKind::LeftTemporaryAccommodation => "left_temporary_accommodation",
        }
    }

    /// Events that can start a slide towards crisis (for the escalation analysis).
    pub fn is_trigger(self) -> bool {
        matches!(
            self,
            EventKind::Separation
                | EventKind::Bereavement
                | EventKind::JobLoss
                | EventKind::IncomeDrop
                | EventKind::IllnessOrCareNeed
                | EventKind::RentRise
                | EventKind::NoticeToQuit
                | EventKind::NewBaby
        )
    }
}

/// Something that happened this month, to a household (and maybe a person).
#[derive(Debug, Clone)]
pub struct Happening {
    pub date: NaiveDate,
    pub household: HouseholdId,
    pub person: Option<PersonId>,
    pub kind: EventKind,
    pub crisis: Option<CrisisKind>,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    Prevention,
    Relief,
}

#[derive(Debug, Clone)]
pub struct HomelessCase {
    pub id: u32,
    pub household: HouseholdId,
    pub applicant: PersonId,
    pub approached: NaiveDate,
    pub reason: &'static str,
    pub duty: Duty,
    pub duty_start: NaiveDate,
    pub relief_start: Option<NaiveDate>,
    pub ta_start: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
    pub outcome: Option<&'static str>,
    pub household_size: usize,
    pub last_update: Month,
    /// The home the household was settled in when it approached (its last settled address).
    pub settled: DwellingId,
}

/// Knobs tuned during the burn-in so aggregates start at the profile's targets,
/// then frozen: after that, seasons and shocks move the figures as they would.
#[derive(Debug, Clone, Copy)]
pub struct Calibration {
    pub difficulty_entry: f64,
    pub miss_council_tax: f64,
    pub miss_social_rent: f64,
    pub miss_private_rent: f64,
    pub tuning: bool,
}

pub struct World {
    pub profile: std::sync::Arc<Profile>,
    pub geo: Geography,
    pub people: Vec<Person>,
    pub households: Vec<Household>,
    pub cases: Vec<HomelessCase>,
    pub month: Month,
    pub calib: Calibration,
    pub rng: Pcg64Mcg,
    /// Draws for the gazetteer: how homes are addressed and laid out, new
    /// building, demolition and recodes. Kept apart from `rng` so that adding
    /// detail to the places does not change the lives lived in them.
    pub estate_rng: Pcg64Mcg,
    factory_next_id: PersonId,
    nino_seq: u32,
    vacant: [Vec<DwellingId>; 4],
    /// Households that must find a new home this month (notice expired, evicted).
    displaced: Vec<HouseholdId>,
    pub target_households: usize,
    /// Households that engaged with the council, and the month they did
    /// (`response.rs`): the latest engagement counts.
    pub engaged: std::collections::HashMap<HouseholdId, Month>,
}

fn stock_index(t: Tenure) -> usize {
    match t {
        Tenure::Owner => 0,
        Tenure::PrivateRent => 1,
        Tenure::SocialRent => 2,
        Tenure::TemporaryAccommodation => 3,
    }
}

fn annual_to_monthly(p: f64) -> f64 {
    1.0 - (1.0 - p.clamp(0.0, 0.999)).powf(1.0 / 12.0)
}

impl World {
    /// Create the town as it stands at `first_month` (before burn-in).
    pub fn new(profile: Profile, n_households: u32, seed: u64, first_month: Month) -> World {
        let mut rng = Pcg64Mcg::seed_from_u64(seed ^ 0x005e_ed0f_7077);
        let mut estate_rng = Pcg64Mcg::seed_from_u64(seed ^ 0x0e57_a7e5_11c9);
        let geo = build_geography(
            &profile,
            n_households,
            first_month,
            &mut rng,
            &mut estate_rng,
        );
        let mut world = World {
            profile: std::sync::Arc::new(profile),
            geo,
            people: Vec::with_capacity(n_households as usize * 5 / 2),
            households: Vec::with_capacity(n_households as usize * 5 / 4),
            cases: Vec::new(),
            month: first_month,
            calib: Calibration {
                difficulty_entry: 0.006,
                miss_council_tax: 0.6,
                miss_social_rent: 1.0,
                miss_private_rent: 0.5,
                tuning: true,
            },
            rng,
            estate_rng,
            factory_next_id: 0,
            nino_seq: 0,
            vacant: Default::default(),
            displaced: Vec::new(),
            target_households: n_households as usize,
            engaged: std::collections::HashMap::new(),
        };
        // Fill homes tenure by tenure until the profile's shares are met.
        let tn = world.profile.tenure.clone();
        let quotas = [
            tn.owner,
            tn.private_rent,
            tn.social_rent,
            tn.temporary_accommodation,
        ]
        .map(|s| (s * n_households as f64).round() as usize);
        let mut by_stock: [Vec<DwellingId>; 4] = Default::default();
        for (i, d) in world.geo.dwellings.iter().enumerate() {
            if d.habitable() {
                by_stock[stock_index(d.stock)].push(i as DwellingId);
            }
        }
        let mut order: Vec<(usize, DwellingId)> = Vec::new();
        for (s, list) in by_stock.iter_mut().enumerate() {
            list.shuffle(&mut world.rng);
            let take = quotas[s].min(list.len());
            // A tenure short of stock borrows from private renting (the flexible sector).
            order.extend(list.drain(..take).map(|d| (s, d)));
        }
        let short: usize = quotas
            .iter()
            .zip(&by_stock)
            .map(|(q, _)| *q)
            .sum::<usize>()
            .saturating_sub(order.len());
        let mut spare: Vec<DwellingId> = by_stock.iter().flatten().copied().collect();
        spare.sort_unstable();
        for d in spare.drain(..short.min(spare.len())) {
            world.geo.dwellings[d as usize].stock = Tenure::PrivateRent;
            order.push((1, d));
        }
        order.sort_unstable_by_key(|(_, d)| *d);
        for (_, d) in order {
            world.new_household_at(d, first_month, false);
        }
        world.seed_arrears(first_month);
        world.rebuild_vacancies();
        world
    }

    /// Start near the profile's arrears levels, so burn-in only has to find
    /// the flows that keep them there (starting from zero overshoots).
    fn seed_arrears(&mut self, now: Month) {
        let a = self.profile.arrears.clone();
        let d0 = a.council_tax_arrears_prevalence;
        let q = |target: f64| ((target - 0.8 * d0) / (1.0 - d0)).clamp(0.0, 1.0);
        for i in 0..self.households.len() {
            let r: [f64; 4] = [
                self.rng.random(),
                self.rng.random(),
                self.rng.random(),
                self.rng.random(),
            ];
            let h = &mut self.households[i];
            h.in_difficulty = r[0] < d0;
            let rent_target = match h.tenure {
                Tenure::SocialRent => a.social_rent_arrears_prevalence,
                Tenure::PrivateRent => a.private_rent_arrears_prevalence,
                _ => 0.0,
            };
            let owes = |x: f64, target: f64| {
                if h.in_difficulty {
                    x < 0.8
                } else {
                    x < q(target)
                }
            };
            if owes(r[1], a.council_tax_arrears_prevalence) {
                h.ct_arrears = Pence(5_000 + (r[3] * 40_000.0) as i64);
                h.ct_stage = [
                    CtStage::Reminder,
                    CtStage::FinalNotice,
                    CtStage::Summons,
                    CtStage::LiabilityOrder,
                ][(r[3] * 4.0) as usize % 4];
                h.ct_stage_since = now;
            }
            if rent_target > 0.0 && owes(r[2], rent_target) {
                h.rent_arrears = h.rent_monthly.ratio((25.0 + r[3] * 150.0) as i64, 100);
            }
        }
    }

    /// Find the arrears knobs on a small pilot town (cheap), tuning month by
    /// month until its arrears sit at the profile's targets.
    pub fn calibrate(profile: &Profile, seed: u64, first_month: Month) -> Calibration {
        const PILOT_HOUSEHOLDS: u32 = 4_000;
        const PILOT_MONTHS: i32 = 48;
        let mut pilot = World::new(
            profile.clone(),
            PILOT_HOUSEHOLDS,
            seed ^ 0x1107,
            first_month.plus(-PILOT_MONTHS),
        );
        for _ in 0..PILOT_MONTHS {
            pilot.step();
        }
        Calibration {
            tuning: false,
            ..pilot.calib
        }
    }

    fn rebuild_vacancies(&mut self) {
        for v in &mut self.vacant {
            v.clear();
        }
        for (i, d) in self.geo.dwellings.iter().enumerate() {
            if d.occupant.is_none() && d.habitable() {
                self.vacant[stock_index(d.stock)].push(i as DwellingId);
            }
        }
        for v in &mut self.vacant {
            v.shuffle(&mut self.rng);
        }
    }

    fn take_vacancy(&mut self, tenure: Tenure) -> Option<DwellingId> {
        let v = &mut self.vacant[stock_index(tenure)];
        while let Some(d) = v.pop() {
            // Nobody moves into a home before it is finished or after it is demolished.
            let home = &self.geo.dwellings[d as usize];
            if home.occupant.is_none() && home.habitable() {
                return Some(d);
            }
        }
        None
    }

    fn factory(&self) -> PersonFactory {
        let mut f = PersonFactory::new(self.profile.clone());
        f.next_id = self.factory_next_id;
        f.nino_seq = self.nino_seq;
        f
    }

    /// Make a household and its people, living at dwelling `d`.
    /// `newcomer`: arriving in the area now (otherwise long-established history is drawn).
    fn new_household_at(&mut self, d: DwellingId, now: Month, newcomer: bool) -> HouseholdId {
        let today = now.first_day();
        let stock = self.geo.dwellings[d as usize].stock;
        let hp = self.profile.households.clone();
        // Composition depends on tenure: pensioners own, lone parents rent socially, sharers rent privately.
        let w = |base: f64, own: f64, prs: f64, soc: f64| {
            base * match stock {
                Tenure::Owner => own,
                Tenure::PrivateRent => prs,
                _ => soc,
            }
        };
        let shares = [
            w(hp.single_working_age, 0.7, 1.3, 1.4),
            w(hp.single_pensioner, 1.3, 0.3, 1.2),
            w(hp.couple_no_children, 1.2, 1.0, 0.6),
            w(hp.couple_with_children, 1.15, 0.9, 0.8),
            w(hp.lone_parent, 0.4, 1.2, 2.2),
            w(hp.pensioner_couple, 1.6, 0.2, 0.5),
            w(hp.shared_adults, 0.8, 2.0, 0.6),
        ];
        let mut comp = Composition::ALL[pick_share(&mut self.rng, &shares)];
        if stock == Tenure::TemporaryAccommodation
            && matches!(
                comp,
                Composition::SinglePensioner | Composition::PensionerCouple
            )
        {
            comp = Composition::LoneParent;
        }
        let tn = &self.profile.tenure;
        let mean_years = match stock {
            Tenure::Owner => tn.mean_years_at_address_owner,
            Tenure::PrivateRent => tn.mean_years_at_address_private,
            Tenure::SocialRent => tn.mean_years_at_address_social,
            Tenure::TemporaryAccommodation => 1.5,
        };
        // Capped: the exponential's tail would otherwise open accounts in the
        // 1800s, which ingest rightly refuses as implausible dates.
        let years_here = if newcomer {
            0.0
        } else {
            draw_years(&mut self.rng, mean_years).min(50.0)
        };
        let years_area = if newcomer {
            0.0
        } else {
            (years_here + draw_years(&mut self.rng, 12.0)).min(70.0)
        };
        let moved_in = now.plus(-((years_here * 12.0) as i32));
        let arrived = now.plus(-((years_area * 12.0) as i32));
        let student_let = stock == Tenure::PrivateRent
            && matches!(
                comp,
                Composition::SharedAdults | Composition::SingleWorkingAge
            )
            && self.rng.random::<f64>() < self.profile.tenure.student_share_of_private * 2.0;

        let mut fac = self.factory();
        let mut members = Vec::new();
        let rng = &mut self.rng;
        let adult_age = |rng: &mut Pcg64Mcg, lo: i32, hi: i32| rng.random_range(lo..=hi);
        let add = |p: Person, members: &mut Vec<PersonId>, people: &mut Vec<Person>| {
            members.push(p.id);
            people.push(p);
        };
        match comp {
            Composition::SingleWorkingAge => {
                let age = if student_let {
                    adult_age(rng, 18, 24)
                } else {
                    adult_age(rng, 18, 65)
                };
                let female = rng.random::<bool>();
                let p = fac.person(rng, today, age, female, None, arrived);
                add(p, &mut members, &mut self.people);
            }
            Composition::SinglePensioner => {
                let female = rng.random::<f64>() < 0.65;
                let age = adult_age(rng, 67, 95);
                let p = fac.person(rng, today, age, female, None, arrived);
                add(p, &mut members, &mut self.people);
            }
            Composition::SharedAdults => {
                let n = rng.random_range(2..=4);
                for _ in 0..n {
                    let age = if student_let {
                        adult_age(rng, 18, 24)
                    } else {
                        adult_age(rng, 19, 45)
                    };
                    let female = rng.random::<bool>();
                    let p = fac.person(rng, today, age, female, None, arrived);
                    add(p, &mut members, &mut self.people);
                }
            }
            Composition::CoupleNoChildren
            | Composition::CoupleWithChildren
            | Composition::PensionerCouple
            | Composition::LoneParent => {
                let (lo, hi) = match comp {
                    Composition::PensionerCouple => (67, 92),
                    Composition::CoupleNoChildren => (20, 66),
                    _ => (20, 52),
                };
                let age = adult_age(rng, lo, hi);
                let man = (comp != Composition::LoneParent)
                    .then(|| fac.person(rng, today, age, false, None, arrived));
                let family = man.as_ref().map(|m| (m.ethnicity, m.origin, m.surname));
                let mother_age = if comp == Composition::LoneParent {
                    adult_age(rng, 18, 50)
                } else {
                    (age + rng.random_range(-4..=2)).clamp(18, 98)
                };
                let mut woman = fac.person(rng, today, mother_age, true, family, arrived);
                let married = comp != Composition::LoneParent
                    && rng.random::<f64>() < self.profile.people.married_share;
                if comp != Composition::LoneParent {
                    // The woman's own family name: she may have taken her
                    // spouse's. Most couples share an ethnic group (ONS,
                    // "What does the 2011 Census tell us about inter-ethnic
                    // relationships?", 2014: about 9% of people in couples
                    // were in an inter-ethnic one, most of those between
                    // White groups); assumption: a woman from another group
                    // than her partner's keeps that origin one time in ten.
                    let (e, o) = fac.draw_origin(rng);
                    let o = if e != woman.ethnicity && rng.random::<f64>() < 0.9 {
                        woman.origin
                    } else {
                        o
                    };
                    let own = crate::naming::surname(o, true, rng);
                    woman.birth_surname = own;
                    let spouse_name = man
                        .as_ref()
                        .map(|m| crate::naming::family_name(m.origin, true, m.surname, rng))
                        .unwrap_or(own);
                    woman.surname = if married
                        && rng.random::<f64>() < self.profile.people.took_spouse_name_share
                    {
                        spouse_name
                    } else {
                        own
                    };
                }
                let children = if matches!(
                    comp,
                    Composition::CoupleWithChildren | Composition::LoneParent
                ) {
                    let extra = (hp.mean_children - 1.0).max(0.0);
                    1 + (0..4).filter(|_| rng.random::<f64>() < extra / 2.5).count()
                } else {
                    0
                };
                let child_surname = man.as_ref().map(|m| m.surname).unwrap_or(woman.surname);
                let child_family = Some((woman.ethnicity, woman.origin, child_surname));
                if let Some(mut man) = man {
                    man.partner = Some(woman.id);
                    woman.partner = Some(man.id);
                    add(man, &mut members, &mut self.people);
                }
                let max_child_age = (mother_age - 17).clamp(0, 17);
                add(woman, &mut members, &mut self.people);
                fac.family_forenames = members
                    .iter()
                    .map(|m| self.people[*m as usize].forename)
                    .collect();
                for _ in 0..children {
                    let age = rng.random_range(0..=max_child_age);
                    let female = rng.random::<bool>();
                    let mut c = fac.person(
                        rng,
                        today,
                        age,
                        female,
                        child_family,
                        arrived.max(now.plus(-age * 12)),
                    );
                    c.arrived = arrived;
                    fac.family_forenames.push(c.forename);
                    add(c, &mut members, &mut self.people);
                }
                fac.family_forenames.clear();
            }
        }
        self.factory_next_id = fac.next_id;
        self.nino_seq = fac.nino_seq;

        let id = self.households.len() as HouseholdId;
        let has_children = members
            .iter()
            .any(|p| !self.people[*p as usize].is_adult(today));
        let has_partner = members
            .iter()
            .any(|p| self.people[*p as usize].partner.is_some());
        let active = members
            .iter()
            .any(|p| self.people[*p as usize].community_active);
        let e_noise = 0.5 * standard_normal(&mut self.rng);
        let embedded = embeddedness(
            years_area,
            years_here,
            has_children,
            has_partner,
            active,
            e_noise,
        );
        for p in &members {
            self.people[*p as usize].household = Some(id);
        }
        let rent = self.draw_rent(stock);
        let m = &self.profile.money;
        let savings = if self.rng.random::<f64>() < m.no_savings_share {
            Pence(self.rng.random_range(0..20_000))
        } else {
            Pence(
                (m.median_savings as f64 * 100.0 * (0.6 * standard_normal(&mut self.rng)).exp())
                    as i64,
            )
        };
        let digital_excluded =
            self.rng.random::<f64>() < self.profile.contact.digitally_excluded_share;
        let c = &self.profile.contact;
        let channel = if digital_excluded {
            if self.rng.random::<bool>() {
                Channel::Letter
            } else {
                Channel::Phone
            }
        } else {
            [Channel::Phone, Channel::Email, Channel::Text][pick_share(
                &mut self.rng,
                &[c.prefer_phone, c.prefer_email, c.prefer_text],
            )]
        };
        self.households.push(Household {
            id,
            members,
            dwelling: d,
            tenure: stock,
            moved_in,
            rent_monthly: rent,
            savings,
            embeddedness: embedded,
            in_difficulty: false,
            ct_arrears: Pence::ZERO,
            ct_stage: CtStage::None,
            ct_stage_since: now,
            rent_arrears: Pence::ZERO,
            rent_stage: RentStage::None,
            rent_stage_since: now,
            notice: None,
            open_case: None,
            ta_since: (stock == Tenure::TemporaryAccommodation).then_some(moved_in),
            triggers: Vec::new(),
            channel,
            active: true,
            last_income: Pence::ZERO,
            student_let,
        });
        self.geo.dwellings[d as usize].occupant = Some(id);
        id
    }

    fn draw_rent(&mut self, tenure: Tenure) -> Pence {
        let m = &self.profile.money;
        match tenure {
            Tenure::Owner => Pence::ZERO,
            Tenure::PrivateRent => {
                let median = m.median_private_rent_monthly as f64 * 100.0;
                Pence(
                    (median * (m.private_rent_log_sd * standard_normal(&mut self.rng)).exp())
                        .round() as i64,
                )
            }
            Tenure::SocialRent => Pence(
                m.mean_social_rent_weekly * 100 * 52 / 12 + self.rng.random_range(-2_000..2_000),
            ),
            Tenure::TemporaryAccommodation => Pence(m.ta_charge_weekly * 100 * 52 / 12),
        }
    }

    pub fn active_households(&self) -> impl Iterator<Item = &Household> {
        self.households.iter().filter(|h| h.active)
    }

    pub fn n_active(&self) -> usize {
        self.households.iter().filter(|h| h.active).count()
    }

    /// Advance one month. Returns what happened.
    pub fn step(&mut self) -> Vec<Happening> {
        let mut out = Vec::new();
        let now = self.month;
        // The stock changes first: homes finished this month can be moved
        // into this month; a house demolished this month was empty.
        let finished =
            crate::gazetteer::month(&mut self.geo, &self.profile, now, &mut self.estate_rng);
        for d in finished {
            let home = &self.geo.dwellings[d as usize];
            if home.occupant.is_none() && home.habitable() {
                self.vacant[stock_index(home.stock)].push(d);
            }
        }
        self.people_events(now, &mut out);
        self.household_events(now, &mut out);
        self.money(now, &mut out);
        self.recovery(now, &mut out);
        self.homelessness(now, &mut out);
        self.crisis_support(now, &mut out);
        self.resettle_displaced(now, &mut out);
        self.migration(now, &mut out);
        if self.calib.tuning {
            self.tune();
        }
        self.month = now.plus(1);
        out.sort_by_key(|h| h.date);
        out
    }

    fn day(&mut self, now: Month) -> NaiveDate {
        let d = self.rng.random_range(1..=now.days());
        now.day(d)
    }

    fn emit(
        &mut self,
        out: &mut Vec<Happening>,
        now: Month,
        hh: HouseholdId,
        person: Option<PersonId>,
        kind: EventKind,
        detail: String,
    ) {
        let date = self.day(now);
        if kind.is_trigger() {
            let h = &mut self.households[hh as usize];
            h.triggers.push((kind, now));
            if h.triggers.len() > 6 {
                h.triggers.remove(0);
            }
        }
        out.push(Happening {
            date,
            household: hh,
            person,
            kind,
            crisis: None,
            detail,
        });
    }

    fn crisis(
        &mut self,
        out: &mut Vec<Happening>,
        now: Month,
        hh: HouseholdId,
        person: Option<PersonId>,
        kind: CrisisKind,
        detail: String,
    ) {
        let date = self.day(now);
        out.push(Happening {
            date,
            household: hh,
            person,
            kind: EventKind::Crisis,
            crisis: Some(kind),
            detail,
        });
    }

    fn people_events(&mut self, now: Month, out: &mut Vec<Happening>) {
        let today = now.first_day();
        let ev = self.profile.events.clone();
        let job_loss = annual_to_monthly(ev.job_loss_annual);
        let birth = annual_to_monthly(ev.birth_rate_annual);
        let illness = annual_to_monthly(ev.illness_onset_annual);
        let n = self.people.len();
        for i in 0..n {
            let p = &self.people[i];
            let Some(hh) = p.household else { continue };
            if !p.alive || !self.households[hh as usize].active {
                continue;
            }
            let age = p.age_at(today);
            let decile = self.geo.lsoas
                [self.geo.dwellings[self.households[hh as usize].dwelling as usize].lsoa as usize]
                .decile;
            let deprivation = 1.4 - 0.08 * decile as f64;
            // Gompertz mortality: doubles every 8 years of age.
            let mort = annual_to_monthly(
                (ev.mortality_at_65_per_1000 / 1000.0 * 2f64.powf((age - 65) as f64 / 8.0))
                    .min(0.9),
            );
            let x: f64 = self.rng.random();
            if x < mort {
                self.person_dies(i as PersonId, now, out);
                continue;
            }
            let pid = i as PersonId;
            match self.people[i].work {
                Work::Employed { .. } if age >= 67 => {
                    self.people[i].work = Work::Retired;
                }
                Work::Employed { monthly_gross } => {
                    let y: f64 = self.rng.random();
                    if y < job_loss * deprivation {
                        self.people[i].work = Work::Unemployed;
                        self.emit(out, now, hh, Some(pid), EventKind::JobLoss, String::new());
                    } else if y < job_loss * deprivation + ev.income_drop_monthly {
                        let cut = self.rng.random_range(20..45);
                        self.people[i].work = Work::Employed {
                            monthly_gross: monthly_gross.scale_bp((100 - cut) * 100),
                        };
                        self.emit(
                            out,
                            now,
                            hh,
                            Some(pid),
                            EventKind::IncomeDrop,
                            format!("pay cut by {cut}%"),
                        );
                    }
                }
                Work::Unemployed
                    if self.rng.random::<f64>() < ev.job_find_monthly / deprivation =>
                {
                    let pay = self.factory().draw_pay(&mut self.rng);
                    self.people[i].work = Work::Employed { monthly_gross: pay };
                    self.emit(out, now, hh, Some(pid), EventKind::NewJob, String::new());
                }
                Work::Child if age >= 16 => {
                    let w = self
                        .factory()
                        .draw_work(&mut self.rng, age, self.people[i].disabled);
                    self.people[i].work = w;
                }
                Work::Student if age >= 22 => {
                    let pay = self.factory().draw_pay(&mut self.rng);
                    self.people[i].work = Work::Employed { monthly_gross: pay };
                }
                _ => {}
            }
            if age >= 16 && self.people[i].nino.is_none() {
                let mut f = self.factory();
                let p = f.person(&mut self.rng, today, 16, false, None, now);
                self.people[i].nino = p.nino;
                self.nino_seq = f.nino_seq;
            }
            if !self.people[i].care_need {
                let rate = illness * if age >= 65 { 2.0 } else { 1.0 } * deprivation;
                if age >= 18 && self.rng.random::<f64>() < rate {
                    self.people[i].care_need = true;
                    self.people[i].disabled = true;
                    if let Work::Employed { .. } = self.people[i].work {
                        if self.rng.random::<f64>() < 0.4 {
                            self.people[i].work = Work::Inactive;
                        }
                    }
                    self.emit(
                        out,
                        now,
                        hh,
                        Some(pid),
                        EventKind::IllnessOrCareNeed,
                        String::new(),
                    );
                }
            }
            if self.people[i].female
                && (16..=44).contains(&age)
                && self.rng.random::<f64>()
                    < birth
                        * if self.people[i].partner.is_some() {
                            1.6
                        } else {
                            0.5
                        }
            {
                self.baby(i as PersonId, hh, now, out);
            }
        }
    }

    fn person_dies(&mut self, pid: PersonId, now: Month, out: &mut Vec<Happening>) {
        let Some(hh) = self.people[pid as usize].household else {
            return;
        };
        self.people[pid as usize].alive = false;
        if let Some(partner) = self.people[pid as usize].partner.take() {
            self.people[partner as usize].partner = None;
        }
        self.emit(out, now, hh, Some(pid), EventKind::Death, String::new());
        self.remove_member(hh, pid);
        if self.households[hh as usize].members.is_empty() {
            self.close_household(hh, now);
        } else {
            self.emit(out, now, hh, None, EventKind::Bereavement, String::new());
        }
    }

    fn baby(&mut self, mother: PersonId, hh: HouseholdId, now: Month, out: &mut Vec<Happening>) {
        let m = &self.people[mother as usize];
        let father_surname = m
            .partner
            .map(|f| self.people[f as usize].surname)
            .unwrap_or(m.surname);
        let family = Some((m.ethnicity, m.origin, father_surname));
        let arrived = now;
        let mut f = self.factory();
        f.family_forenames = self.households[hh as usize]
            .members
            .iter()
            .map(|m| self.people[*m as usize].forename)
            .collect();
        let female = self.rng.random::<bool>();
        let mut child = f.person(&mut self.rng, now.first_day(), 0, female, family, arrived);
        child.dob = self.day(now);
        self.factory_next_id = f.next_id;
        child.household = Some(hh);
        let id = child.id;
        self.people.push(child);
        self.households[hh as usize].members.push(id);
        self.emit(out, now, hh, Some(id), EventKind::NewBaby, String::new());
    }

    fn remove_member(&mut self, hh: HouseholdId, pid: PersonId) {
        self.households[hh as usize].members.retain(|m| *m != pid);
        self.people[pid as usize].household = None;
    }

    /// The household leaves home `d`: it becomes vacant for someone else.
    fn vacate(&mut self, d: DwellingId, hh: HouseholdId) {
        if self.geo.dwellings[d as usize].occupant == Some(hh) {
            self.geo.dwellings[d as usize].occupant = None;
            let s = stock_index(self.geo.dwellings[d as usize].stock);
            self.vacant[s].push(d);
        }
    }

    fn close_household(&mut self, hh: HouseholdId, _now: Month) {
        let h = &mut self.households[hh as usize];
        h.active = false;
        let d = h.dwelling;
        for m in std::mem::take(&mut h.members) {
            self.people[m as usize].household = None;
        }
        self.vacate(d, hh);
    }

    fn household_events(&mut self, now: Month, out: &mut Vec<Happening>) {
        let today = now.first_day();
        let ev = self.profile.events.clone();
        let separation = annual_to_monthly(ev.separation_annual);
        let leave_home = annual_to_monthly(ev.leave_home_annual);
        let mut notice_rate = annual_to_monthly(ev.no_fault_notice_annual);
        if ev.seasonal_notice_months.contains(&now.month()) {
            notice_rate *= ev.seasonal_notice_multiplier;
        }
        let social_rise = ev
            .social_rent_rise_pct
            .get(&now.year().to_string())
            .copied();
        let n = self.households.len();
        for i in 0..n {
            if !self.households[i].active {
                continue;
            }
            let hh = i as HouseholdId;
            let tenure = self.households[i].tenure;
            // Rent rises: social each April, private on the tenancy anniversary.
            if tenure == Tenure::SocialRent && now.month() == 4 {
                if let Some(pct) = social_rise {
                    let r = self.households[i].rent_monthly;
                    self.households[i].rent_monthly = r.scale_bp(10_000 + (pct * 100.0) as i64);
                    if pct >= 3.0 {
                        self.emit(out, now, hh, None, EventKind::RentRise, format!("{pct}%"));
                    }
                }
            }
            if tenure == Tenure::PrivateRent
                && now.since(self.households[i].moved_in) > 0
                && now.since(self.households[i].moved_in) % 12 == 0
            {
                let pct = ev.private_rent_rise_pct * (0.5 + self.rng.random::<f64>());
                let r = self.households[i].rent_monthly;
                self.households[i].rent_monthly = r.scale_bp(10_000 + (pct * 100.0) as i64);
                self.emit(
                    out,
                    now,
                    hh,
                    None,
                    EventKind::RentRise,
                    format!("{pct:.1}%"),
                );
            }
            // A couple separates: one partner leaves.
            let couple = self.households[i]
                .members
                .iter()
                .copied()
                .find(|m| self.people[*m as usize].partner.is_some());
            if let Some(a) = couple {
                if self.rng.random::<f64>() < separation {
                    if let Some(b) = self.people[a as usize].partner {
                        let (a_f, leaver) = (
                            self.people[a as usize].female,
                            if self.people[a as usize].female { b } else { a },
                        );
                        let _ = a_f;
                        self.people[a as usize].partner = None;
                        self.people[b as usize].partner = None;
                        self.emit(
                            out,
                            now,
                            hh,
                            Some(leaver),
                            EventKind::Separation,
                            String::new(),
                        );
                        self.split_off(hh, vec![leaver], now, out, EventKind::Separation);
                    }
                }
            }
            // An adult child leaves the parental home.
            let child = self.households[i].members.iter().copied().find(|m| {
                let p = &self.people[*m as usize];
                let age = p.age_at(today);
                (18..=30).contains(&age) && p.partner.is_none()
            });
            let has_parent = self.households[i]
                .members
                .iter()
                .any(|m| self.people[*m as usize].age_at(today) >= 36);
            if let (Some(c), true) = (child, has_parent) {
                if self.rng.random::<f64>() < leave_home {
                    self.emit(
                        out,
                        now,
                        hh,
                        Some(c),
                        EventKind::LeftParentalHome,
                        String::new(),
                    );
                    self.split_off(hh, vec![c], now, out, EventKind::LeftParentalHome);
                }
            }
            // Private landlords give notice: sales and re-lets, more often with arrears.
            if tenure == Tenure::PrivateRent && self.households[i].notice.is_none() {
                let arrears_months = self.arrears_months(hh);
                let rate = notice_rate + if arrears_months >= 2.0 { 0.3 } else { 0.0 };
                if self.rng.random::<f64>() < rate {
                    let for_arrears = arrears_months >= 2.0;
                    self.households[i].notice = Some(Notice {
                        served: now,
                        expires: now.plus(2),
                        for_arrears,
                    });
                    if for_arrears {
                        self.households[i].rent_stage = RentStage::Notice;
                        self.households[i].rent_stage_since = now;
                    }
                    self.emit(
                        out,
                        now,
                        hh,
                        None,
                        EventKind::NoticeToQuit,
                        if for_arrears {
                            "rent arrears"
                        } else {
                            "landlord selling or re-letting"
                        }
                        .to_string(),
                    );
                }
            }
            // Voluntary moves.
            let move_rate = match tenure {
                Tenure::Owner => ev.move_annual_owner,
                Tenure::PrivateRent => ev.move_annual_private,
                Tenure::SocialRent => ev.move_annual_social,
                Tenure::TemporaryAccommodation => 0.0,
            };
            if self.households[i].notice.is_none()
                && self.households[i].open_case.is_none()
                && self.rng.random::<f64>() < annual_to_monthly(move_rate)
            {
                if self.rng.random::<f64>() < ev.leave_area_share {
                    self.emit(out, now, hh, None, EventKind::LeftArea, String::new());
                    self.close_household(hh, now);
                } else {
                    self.relocate(hh, tenure, now, out);
                }
            }
        }
    }

    fn arrears_months(&self, hh: HouseholdId) -> f64 {
        let h = &self.households[hh as usize];
        if h.rent_monthly.0 <= 0 {
            return 0.0;
        }
        h.rent_arrears.0 as f64 / h.rent_monthly.0 as f64
    }

    /// Move a household to a vacant home of `tenure` in the area, or out of the area if none.
    fn relocate(
        &mut self,
        hh: HouseholdId,
        tenure: Tenure,
        now: Month,
        out: &mut Vec<Happening>,
    ) -> bool {
        let Some(d) = self
            .take_vacancy(tenure)
            .or_else(|| self.take_vacancy(Tenure::PrivateRent))
        else {
            self.emit(
                out,
                now,
                hh,
                None,
                EventKind::LeftArea,
                "no home found in the area".into(),
            );
            self.close_household(hh, now);
            return false;
        };
        let old = self.households[hh as usize].dwelling;
        self.vacate(old, hh);
        let stock = self.geo.dwellings[d as usize].stock;
        self.geo.dwellings[d as usize].occupant = Some(hh);
        let rent = self.draw_rent(stock);
        let h = &mut self.households[hh as usize];
        let was_ta = h.tenure == Tenure::TemporaryAccommodation;
        h.dwelling = d;
        h.tenure = stock;
        h.moved_in = now;
        h.rent_monthly = rent;
        h.notice = None;
        h.rent_stage = RentStage::None;
        // Former tenant arrears stay with the old landlord; the new account starts clear.
        h.rent_arrears = Pence::ZERO;
        h.ta_since = (stock == Tenure::TemporaryAccommodation).then_some(now);
        // A move resets the time at the address; embeddedness falls a little.
        h.embeddedness *= 0.85;
        if was_ta && stock != Tenure::TemporaryAccommodation {
            self.emit(
                out,
                now,
                hh,
                None,
                EventKind::LeftTemporaryAccommodation,
                stock.as_str().to_string(),
            );
        }
        self.emit(
            out,
            now,
            hh,
            None,
            EventKind::MovedWithinArea,
            stock.as_str().to_string(),
        );
        true
    }

    /// Some members leave to form a household of their own.
    fn split_off(
        &mut self,
        from: HouseholdId,
        leavers: Vec<PersonId>,
        now: Month,
        out: &mut Vec<Happening>,
        why: EventKind,
    ) {
        let today = now.first_day();
        for p in &leavers {
            self.remove_member(from, *p);
        }
        // Children go with the mother on separation when she is the one leaving; otherwise stay.
        let id = self.households.len() as HouseholdId;
        let parent = &self.households[from as usize];
        let low_income = leavers
            .iter()
            .all(|p| !matches!(self.people[*p as usize].work, Work::Employed { .. }));
        let embedded = parent.embeddedness * 0.8;
        let channel = parent.channel;
        let savings = Pence(parent.savings.0 / 3);
        self.households[from as usize].savings =
            Pence(self.households[from as usize].savings.0 - savings.0);
        if self.households[from as usize].members.is_empty() {
            self.close_household(from, now);
        }
        let _ = today;
        // Where can they go? Private renting mostly; some leave the area.
        let leaves_area = self.rng.random::<f64>() < self.profile.events.leave_area_share;
        let dwelling = if leaves_area {
            None
        } else {
            self.take_vacancy(Tenure::PrivateRent)
                .or_else(|| self.take_vacancy(Tenure::SocialRent))
        };
        for p in &leavers {
            self.people[*p as usize].household = Some(id);
        }
        let mut h = Household {
            id,
            members: leavers.clone(),
            dwelling: 0,
            tenure: Tenure::PrivateRent,
            moved_in: now,
            rent_monthly: Pence::ZERO,
            savings,
            embeddedness: embedded,
            in_difficulty: low_income,
            ct_arrears: Pence::ZERO,
            ct_stage: CtStage::None,
            ct_stage_since: now,
            rent_arrears: Pence::ZERO,
            rent_stage: RentStage::None,
            rent_stage_since: now,
            notice: None,
            open_case: None,
            ta_since: None,
            triggers: vec![(why, now)],
            channel,
            active: true,
            last_income: Pence::ZERO,
            student_let: false,
        };
        match dwelling {
            Some(d) => {
                let stock = self.geo.dwellings[d as usize].stock;
                h.dwelling = d;
                h.tenure = stock;
                h.rent_monthly = self.draw_rent(stock);
                self.geo.dwellings[d as usize].occupant = Some(id);
                self.households.push(h);
                self.emit(
                    out,
                    now,
                    id,
                    leavers.first().copied(),
                    EventKind::MovedWithinArea,
                    "new household".into(),
                );
            }
            None => {
                // Left the area (or sofa-surfing out of sight): recorded as leaving.
                h.active = false;
                self.households.push(h);
                for p in &leavers {
                    self.people[*p as usize].household = None;
                }
                self.emit(
                    out,
                    now,
                    id,
                    leavers.first().copied(),
                    EventKind::LeftArea,
                    String::new(),
                );
            }
        }
    }

    fn household_income(&self, h: &Household, today: NaiveDate) -> (Pence, bool, usize, usize) {
        let m = &self.profile.money;
        let mut earnings = Pence::ZERO;
        let mut adults: usize = 0;
        let mut children: usize = 0;
        let mut pensioners: usize = 0;
        for p in &h.members {
            let p = &self.people[*p as usize];
            if p.is_adult(today) {
                adults += 1;
            } else {
                children += 1;
            }
            match p.work {
                Work::Employed { monthly_gross } => earnings += monthly_gross.scale_bp(8_000),
                Work::Retired => pensioners += 1,
                _ => {}
            }
        }
        let pension = Pence(m.state_pension_weekly * 100 * 52 / 12 * pensioners as i64);
        let working_age_adults = adults.saturating_sub(pensioners);
        let mut uc = Pence::ZERO;
        if working_age_adults > 0 {
            let allowance = if working_age_adults >= 2 {
                m.uc_couple_monthly
            } else {
                m.uc_single_monthly
            } * 100;
            let housing = if h.tenure.is_renting() {
                h.rent_monthly.0
            } else {
                0
            };
            let max = allowance + m.uc_child_monthly * 100 * children.min(2) as i64 + housing;
            // 55% taper above a work allowance (about £400 a month for families).
            let disregard = if children > 0 { 40_000 } else { 0 };
            uc = Pence((max - (earnings.0 - disregard).max(0) * 55 / 100).max(0));
        }
        let on_benefit = uc.is_positive() || (pensioners > 0 && earnings.0 < 40_000);
        (earnings + pension + uc, on_benefit, adults, children)
    }

    /// Monthly council tax for a household's home, after discounts and reduction.
    pub fn council_tax_due(
        &self,
        h: &Household,
        adults: usize,
        on_benefit: bool,
        month: Month,
    ) -> Pence {
        const RATIO_NINTHS: [i64; 9] = [6, 7, 8, 9, 11, 13, 15, 18, 21];
        let d = &self.geo.dwellings[h.dwelling as usize];
        if h.tenure == Tenure::TemporaryAccommodation || h.student_let {
            return Pence::ZERO;
        }
        let annual = self
            .band_d(month)
            .ratio(RATIO_NINTHS[d.band as usize % 9], 9);
        let mut monthly = annual.ratio(1, 12);
        if adults <= 1 {
            monthly = monthly.scale_bp(7_500);
        }
        if on_benefit {
            // England's local schemes typically ask working-age claimants for a
            // minimum contribution; Wales's national scheme can cover it all.
            monthly = match self.profile.town.nation {
                Nation::England => monthly.scale_bp(2_000),
                Nation::Wales => Pence::ZERO,
            };
        }
        monthly
    }

    /// Band D for the financial year (April to March) holding `month`: the
    /// profile gives the start year's; each April adds the annual increase.
    pub fn band_d(&self, month: Month) -> Pence {
        let fy = |m: Month| {
            if m.month() >= 4 {
                m.year()
            } else {
                m.year() - 1
            }
        };
        let years = fy(month) - fy(self.profile.town.start_month);
        let rise_bp =
            10_000 + (self.profile.council_tax.annual_increase_pct * 100.0).round() as i64;
        let mut band_d = Pence(self.profile.band_d_pence());
        for _ in 0..years.max(0) {
            band_d = band_d.scale_bp(rise_bp);
        }
        for _ in 0..(-years).max(0) {
            band_d = band_d.ratio(10_000, rise_bp);
        }
        band_d
    }

    fn money(&mut self, now: Month, out: &mut Vec<Happening>) {
        let today = now.first_day();
        let ev = &self.profile.events;
        let mut cost_factor = 1.0;
        if now.is_winter() {
            cost_factor += ev.winter_cost_uplift_pct / 100.0 * 0.15;
        }
        for s in &ev.price_shocks {
            if now.since(s.start) >= 0 && now.since(s.start) < s.months as i32 {
                cost_factor += s.percent / 100.0;
            }
        }
        let m = self.profile.money.clone();
        let exit = self.profile.arrears.difficulty_exit_monthly;
        let catch_up = self.profile.arrears.catch_up_share;
        let effect = self.profile.community.embeddedness_effect;
        let n = self.households.len();
        for i in 0..n {
            if !self.households[i].active {
                continue;
            }
            let hh = i as HouseholdId;
            let (income, on_benefit, adults, children) =
                self.household_income(&self.households[i], today);
            let ct_due = self.council_tax_due(&self.households[i], adults, on_benefit, now);
            let h = &self.households[i];
            let living = Pence(
                ((m.living_costs_adult_monthly * adults as i64
                    + m.living_costs_child_monthly * children as i64) as f64
                    * 100.0
                    * cost_factor) as i64,
            );
            let outgoings = living + ct_due + h.rent_monthly;
            let margin = income - outgoings;
            let income_fell = h.last_income.is_positive() && income.0 * 5 < h.last_income.0 * 4;
            // Difficulty: a latent state of not coping financially.
            let mut mult = 1.0;
            if margin.0 < 0 {
                mult *= 2.5;
            }
            if h.savings.0 < outgoings.0 {
                mult *= 2.0;
            }
            if h.recent_trigger(now, 4) {
                mult *= 3.0;
            }
            if income_fell {
                mult *= 2.0;
            }
            mult *= cost_factor.powi(3);
            // Embeddedness: neighbours, family and groups cushion a bad event.
            mult *= (-effect * 3f64.ln() * (h.embeddedness - 0.5)).exp();
            let was = h.in_difficulty;
            let now_in = if was {
                let p_exit = exit * if margin.0 > 0 { 1.5 } else { 0.6 };
                self.rng.random::<f64>() >= p_exit
            } else {
                self.rng.random::<f64>() < (self.calib.difficulty_entry * mult).min(0.8)
            };
            let x_ct = self.calib.miss_council_tax;
            let x_rent = match h.tenure {
                Tenure::SocialRent => self.calib.miss_social_rent,
                Tenure::PrivateRent => self.calib.miss_private_rent,
                _ => 0.2,
            };
            let (r_ct, r_rent, r_catch) = (
                self.rng.random::<f64>(),
                self.rng.random::<f64>(),
                self.rng.random::<f64>(),
            );
            let h = &mut self.households[i];
            h.in_difficulty = now_in;
            h.last_income = income;
            h.savings += margin;
            if h.savings.0 < -200_000 {
                h.savings = Pence(-200_000);
            }
            let rent = h.rent_monthly;
            let (mut first_ct, mut first_rent) = (false, false);
            if now_in {
                if r_ct < x_ct && ct_due.is_positive() {
                    first_ct = !h.ct_arrears.is_positive();
                    h.ct_arrears += ct_due;
                }
                if r_rent < x_rent && rent.is_positive() {
                    first_rent = !h.rent_arrears.is_positive();
                    // Part payment is common: a third to all of the rent is missed.
                    h.rent_arrears += rent.ratio(self_fraction(r_rent, x_rent.min(1.0)), 100);
                }
            } else if on_benefit
                && x_rent > 1.0
                && r_rent < (x_rent - 1.0) * 0.06
                && rent.is_positive()
            {
                // Universal Credit is paid monthly in arrears while rent is due
                // weekly: many tenants on benefits carry small "technical" arrears.
                first_rent = !h.rent_arrears.is_positive();
                h.rent_arrears += rent.ratio(25, 100);
            } else if r_catch < 0.9 {
                h.ct_arrears -= h
                    .ct_arrears
                    .scale_bp((catch_up * 10_000.0) as i64)
                    .max(Pence(2_000))
                    .min(h.ct_arrears);
                // Small "technical" arrears clear when the benefit payment lands;
                // real arrears are paid back a share at a time.
                let repay = if h.rent_arrears.0 * 2 <= rent.0 {
                    h.rent_arrears
                } else {
                    h.rent_arrears
                        .scale_bp((catch_up * 10_000.0) as i64)
                        .max(Pence(2_000))
                };
                h.rent_arrears -= repay.min(h.rent_arrears);
            }
            if now_in && !was {
                self.emit(
                    out,
                    now,
                    hh,
                    None,
                    EventKind::FinancialDifficulty,
                    String::new(),
                );
            } else if was && !now_in {
                self.emit(
                    out,
                    now,
                    hh,
                    None,
                    EventKind::RecoveredFinancially,
                    String::new(),
                );
            }
            if first_ct {
                self.emit(
                    out,
                    now,
                    hh,
                    None,
                    EventKind::FirstMissedCouncilTax,
                    String::new(),
                );
            }
            if first_rent {
                self.emit(
                    out,
                    now,
                    hh,
                    None,
                    EventKind::FirstMissedRent,
                    String::new(),
                );
            }
        }
    }

    fn recovery(&mut self, now: Month, out: &mut Vec<Happening>) {
        let enforcement = self.profile.council_tax.enforcement_share;
        let n = self.households.len();
        for i in 0..n {
            if !self.households[i].active {
                continue;
            }
            let hh = i as HouseholdId;
            let h = &self.households[i];
            // Council tax recovery escalates a step a month while arrears remain.
            let stage = if !h.ct_arrears.is_positive() {
                CtStage::None
            } else {
                match h.ct_stage {
                    CtStage::None => CtStage::Reminder,
                    CtStage::Reminder => CtStage::FinalNotice,
                    CtStage::FinalNotice => CtStage::Summons,
                    CtStage::Summons => CtStage::LiabilityOrder,
                    CtStage::LiabilityOrder if now.since(h.ct_stage_since) >= 2 => {
                        if self.rng.random::<f64>() < enforcement {
                            CtStage::EnforcementAgent
                        } else {
                            CtStage::Attachment
                        }
                    }
                    s => s,
                }
            };
            if stage != self.households[i].ct_stage {
                self.households[i].ct_stage = stage;
                self.households[i].ct_stage_since = now;
                if stage == CtStage::EnforcementAgent {
                    let amount = self.households[i].ct_arrears;
                    self.crisis(
                        out,
                        now,
                        hh,
                        None,
                        CrisisKind::EnforcementAgent,
                        format!("council tax arrears {amount}"),
                    );
                }
            }
            // Social landlord possession action.
            let h = &self.households[i];
            if h.tenure == Tenure::SocialRent {
                let months = self.arrears_months(hh);
                let since = now.since(h.rent_stage_since);
                let next = match h.rent_stage {
                    RentStage::None if months >= 1.0 => Some(RentStage::Notice),
                    RentStage::Notice if months >= 2.0 && since >= 3 => {
                        Some(RentStage::PossessionOrder)
                    }
                    RentStage::PossessionOrder
                        if months >= 2.0 && since >= 3 && self.rng.random::<f64>() < 0.3 =>
                    {
                        Some(RentStage::EvictionWarrant)
                    }
                    RentStage::EvictionWarrant if since >= 1 => {
                        // Evicted: the household must go; most approach the council.
                        self.crisis(
                            out,
                            now,
                            hh,
                            None,
                            CrisisKind::Eviction,
                            "social tenancy, rent arrears".into(),
                        );
                        self.households[i].notice = Some(Notice {
                            served: now,
                            expires: now,
                            for_arrears: true,
                        });
                        None
                    }
                    s if months < 0.5 && s != RentStage::None => Some(RentStage::None),
                    _ => None,
                };
                if let Some(s) = next {
                    self.households[i].rent_stage = s;
                    self.households[i].rent_stage_since = now;
                }
            }
            if let Some(nq) = self.households[i].notice {
                if now >= nq.expires && self.households[i].open_case.is_none() {
                    if nq.for_arrears && self.households[i].tenure == Tenure::PrivateRent {
                        self.crisis(
                            out,
                            now,
                            hh,
                            None,
                            CrisisKind::Eviction,
                            "private tenancy, rent arrears".into(),
                        );
                    }
                    self.displaced.push(hh);
                }
            }
        }
    }

    /// Escalation multiplier from community embeddedness: 1 when the effect is off.
    fn cushion(&self, h: &Household) -> f64 {
        (-self.profile.community.embeddedness_effect * 3f64.ln() * (h.embeddedness - 0.5)).exp()
    }

    fn homelessness(&mut self, now: Month, out: &mut Vec<Happening>) {
        let hp = self.profile.homelessness.clone();
        let welsh = matches!(self.profile.town.nation, Nation::Wales);
        // Progress open cases first: duties last 56 days (two months here).
        let open: Vec<u32> = self
            .households
            .iter()
            .filter_map(|h| if h.active { h.open_case } else { None })
            .collect();
        for c in open {
            self.progress_case(c, now, out, welsh);
        }
        // TA exits keep the stock near its target: stays last as long as flows imply.
        let n_active = self.n_active().max(1);
        let target_ta = hp.ta_per_1000_households / 1000.0 * n_active as f64;
        let monthly_duties = hp.duties_per_1000_households / 1000.0 / 12.0 * n_active as f64;
        let inflow = monthly_duties
            * ((1.0 - hp.prevention_share) + hp.prevention_share * (1.0 - hp.prevention_success))
            * hp.relief_ta_share;
        let ta_now: Vec<HouseholdId> = self
            .households
            .iter()
            .filter(|h| {
                h.active && h.tenure == Tenure::TemporaryAccommodation && h.open_case.is_none()
            })
            .map(|h| h.id)
            .collect();
        let p_exit = if target_ta > 0.0 {
            (inflow / target_ta * (ta_now.len() as f64 / target_ta).powi(2)).clamp(0.005, 0.6)
        } else {
            0.0
        };
        for hh in ta_now {
            if self.rng.random::<f64>() < p_exit {
                let to = if self.rng.random::<f64>() < 0.7 {
                    Tenure::SocialRent
                } else {
                    Tenure::PrivateRent
                };
                self.relocate(hh, to, now, out);
            }
        }

        // New approaches: the profile fixes how many; circumstances decide who.
        let mut scores: Vec<(HouseholdId, f64)> = Vec::new();
        let mut total = 0.0;
        for h in self.households.iter().filter(|h| {
            h.active && h.open_case.is_none() && h.tenure != Tenure::TemporaryAccommodation
        }) {
            let mut s = 0.002;
            if let Some(nq) = h.notice {
                s += if now >= nq.expires { 40.0 } else { 6.0 };
            }
            if h.rent_stage >= RentStage::PossessionOrder {
                s += 3.0;
            }
            if h.in_difficulty {
                s += 0.05;
            }
            if h.recent_trigger(now, 3) {
                s += if h
                    .triggers
                    .iter()
                    .any(|(k, m)| *k == EventKind::Separation && now.since(*m) < 3)
                {
                    1.5
                } else {
                    0.1
                };
            }
            if h.tenure == Tenure::PrivateRent {
                s *= 1.5;
            }
            s *= self.cushion(h);
            total += s;
            scores.push((h.id, s));
        }
        if total <= 0.0 {
            return;
        }
        for (hh, s) in scores {
            // Engaging with the council earlier lowers the chance (the same
            // draw is taken either way, so contact changes nothing else).
            let p = (monthly_duties * s / total).min(0.95) * self.protection(hh, now);
            if self.rng.random::<f64>() < p {
                self.open_case(hh, now, out, welsh);
            }
        }
    }

    fn open_case(&mut self, hh: HouseholdId, now: Month, out: &mut Vec<Happening>, welsh: bool) {
        let date = self.day(now);
        let h = &self.households[hh as usize];
        let threatened = h.notice.map(|n| now < n.expires).unwrap_or(false)
            || h.rent_stage >= RentStage::PossessionOrder;
        let duty = if threatened
            || (h.notice.is_none()
                && self.rng.random::<f64>() < self.profile.homelessness.prevention_share * 0.6)
        {
            Duty::Prevention
        } else {
            Duty::Relief
        };
        let reason = if let Some(n) = h.notice {
            if n.for_arrears {
                "rent_arrears"
            } else {
                "end_of_private_tenancy"
            }
        } else if h
            .triggers
            .iter()
            .any(|(k, m)| *k == EventKind::Separation && now.since(*m) < 6)
        {
            if self.rng.random::<f64>() < 0.4 {
                "domestic_abuse"
            } else {
                "relationship_breakdown"
            }
        } else if h.members.len() == 1 && self.rng.random::<bool>() {
            "family_or_friends_no_longer_willing"
        } else {
            [
                "other",
                "loss_of_tied_accommodation",
                "property_disrepair",
                "left_institution",
            ][self.rng.random_range(0..4)]
        };
        let applicant = h
            .members
            .iter()
            .copied()
            .find(|m| self.people[*m as usize].is_adult(now.first_day()))
            .or_else(|| h.members.first().copied());
        let Some(applicant) = applicant else { return };
        let id = self.cases.len() as u32;
        self.cases.push(HomelessCase {
            id,
            household: hh,
            applicant,
            approached: date,
            reason,
            duty,
            duty_start: date,
            relief_start: (duty == Duty::Relief).then_some(date),
            ta_start: None,
            closed: None,
            outcome: None,
            household_size: h.members.len(),
            last_update: now,
            settled: h.dwelling,
        });
        self.households[hh as usize].open_case = Some(id);
        let kind = if duty == Duty::Prevention {
            CrisisKind::HomelessnessPrevention
        } else {
            CrisisKind::HomelessnessRelief
        };
        let label = match (duty, welsh) {
            (Duty::Prevention, true) => "s66 prevention duty",
            (Duty::Relief, true) => "s73 relief duty",
            (Duty::Prevention, false) => "prevention duty",
            (Duty::Relief, false) => "relief duty",
        };
        self.crisis(
            out,
            now,
            hh,
            Some(applicant),
            kind,
            format!("{label}: {reason}"),
        );
        if duty == Duty::Relief {
            self.maybe_ta(id, now, out);
        }
    }

    fn maybe_ta(&mut self, case: u32, now: Month, out: &mut Vec<Happening>) {
        let hh = self.cases[case as usize].household;
        if self.rng.random::<f64>() >= self.profile.homelessness.relief_ta_share {
            return;
        }
        let Some(d) = self.take_vacancy(Tenure::TemporaryAccommodation) else {
            return;
        };
        let old = self.households[hh as usize].dwelling;
        self.vacate(old, hh);
        self.geo.dwellings[d as usize].occupant = Some(hh);
        let rent = self.draw_rent(Tenure::TemporaryAccommodation);
        let h = &mut self.households[hh as usize];
        h.dwelling = d;
        h.tenure = Tenure::TemporaryAccommodation;
        h.moved_in = now;
        h.ta_since = Some(now);
        h.rent_monthly = rent;
        h.rent_arrears = Pence::ZERO;
        h.rent_stage = RentStage::None;
        h.notice = None;
        let date = self.day(now);
        self.cases[case as usize].ta_start = Some(date);
        self.crisis(
            out,
            now,
            hh,
            None,
            CrisisKind::TemporaryAccommodation,
            String::new(),
        );
    }

    fn progress_case(&mut self, case: u32, now: Month, out: &mut Vec<Happening>, _welsh: bool) {
        let date = self.day(now);
        let c = &self.cases[case as usize];
        let started = Month::of(c.relief_start.unwrap_or(c.duty_start));
        if now.since(started) < 2 {
            return;
        }
        let hh = c.household;
        let hp = self.profile.homelessness.clone();
        let ok = self.rng.random::<f64>()
            < match c.duty {
                Duty::Prevention => hp.prevention_success,
                Duty::Relief => hp.relief_success,
            };
        let close = |w: &mut World, outcome: &'static str| {
            let c = &mut w.cases[case as usize];
            c.closed = Some(date);
            c.outcome = Some(outcome);
            c.last_update = now;
            w.households[hh as usize].open_case = None;
        };
        match (c.duty, ok) {
            (Duty::Prevention, true) => {
                if self.rng.random::<f64>() < 0.45 {
                    close(self, "secured_existing_accommodation");
                    self.households[hh as usize].notice = None;
                    self.households[hh as usize].rent_stage = RentStage::None;
                } else {
                    close(self, "secured_alternative_accommodation");
                    let to = if self.rng.random::<f64>() < 0.4 {
                        Tenure::SocialRent
                    } else {
                        Tenure::PrivateRent
                    };
                    self.relocate(hh, to, now, out);
                }
            }
            (Duty::Prevention, false) => {
                let c = &mut self.cases[case as usize];
                if self.rng.random::<f64>() < 0.35 {
                    close(self, "contact_lost");
                } else {
                    c.duty = Duty::Relief;
                    c.relief_start = Some(date);
                    c.last_update = now;
                    self.crisis(
                        out,
                        now,
                        hh,
                        None,
                        CrisisKind::HomelessnessRelief,
                        "prevention unsuccessful".into(),
                    );
                    self.maybe_ta(case, now, out);
                }
            }
            (Duty::Relief, true) => {
                close(self, "secured_accommodation");
                let to = if self.rng.random::<f64>() < 0.6 {
                    Tenure::SocialRent
                } else {
                    Tenure::PrivateRent
                };
                self.relocate(hh, to, now, out);
            }
            (Duty::Relief, false) => {
                let in_ta = self.households[hh as usize].tenure == Tenure::TemporaryAccommodation;
                let coin = self.rng.random::<bool>();
                close(
                    self,
                    if in_ta {
                        "main_duty_accepted"
                    } else if coin {
                        "contact_lost"
                    } else {
                        "withdrew_application"
                    },
                );
                if !in_ta {
                    // Out of sight: sofa-surfing or gone; the household leaves the records.
                    self.emit(
                        out,
                        now,
                        hh,
                        None,
                        EventKind::LeftArea,
                        "homeless, no further contact".into(),
                    );
                    self.close_household(hh, now);
                }
            }
        }
        if self.households[hh as usize].active {
            self.emit(
                out,
                now,
                hh,
                None,
                EventKind::HomelessnessDutyEnded,
                self.cases[case as usize].outcome.unwrap_or("").to_string(),
            );
        }
    }

    fn crisis_support(&mut self, now: Month, out: &mut Vec<Happening>) {
        let cs = self.profile.crisis_support.clone();
        let n_active = self.n_active() as f64;
        let grants = cs.crisis_grants_per_1000_households / 1000.0 / 12.0 * n_active;
        let food = cs.food_bank_per_1000_households / 1000.0 / 12.0 * n_active;
        let mut scores = Vec::new();
        let mut total = 0.0;
        for h in self.households.iter().filter(|h| h.active) {
            let mut s = 0.001;
            if h.in_difficulty {
                s += 1.0;
            }
            if h.recent_trigger(now, 3) {
                s += 0.3;
            }
            if h.rent_arrears.is_positive() || h.ct_stage >= CtStage::Summons {
                s += 0.5;
            }
            s *= self.cushion(h);
            total += s;
            scores.push((h.id, s));
        }
        if total <= 0.0 {
            return;
        }
        for (hh, s) in scores {
            let protection = self.protection(hh, now);
            if self.rng.random::<f64>() < (grants * s / total).min(0.9) * protection {
                self.crisis(out, now, hh, None, CrisisKind::CrisisGrant, String::new());
            }
            if self.rng.random::<f64>() < (food * s / total).min(0.9) * protection {
                self.crisis(out, now, hh, None, CrisisKind::FoodBank, String::new());
            }
        }
    }

    fn resettle_displaced(&mut self, now: Month, out: &mut Vec<Happening>) {
        let displaced = std::mem::take(&mut self.displaced);
        for hh in displaced {
            let h = &self.households[hh as usize];
            if !h.active || h.open_case.is_some() || h.tenure == Tenure::TemporaryAccommodation {
                continue;
            }
            // Those who did not approach the council find somewhere themselves or leave.
            if self.rng.random::<f64>() < 0.7 {
                self.relocate(hh, Tenure::PrivateRent, now, out);
            } else {
                self.emit(
                    out,
                    now,
                    hh,
                    None,
                    EventKind::LeftArea,
                    "after notice".into(),
                );
                self.close_household(hh, now);
            }
        }
    }

    /// Newcomers move into empty homes until each kind of home is back to the
    /// profile's vacancy rate, so the town keeps its size and tenure mix.
    fn migration(&mut self, now: Month, out: &mut Vec<Happening>) {
        let mut stock = [0usize; 4];
        let mut vacant = [0usize; 4];
        for d in self.geo.dwellings.iter().filter(|d| d.habitable()) {
            stock[stock_index(d.stock)] += 1;
            vacant[stock_index(d.stock)] += d.occupant.is_none() as usize;
        }
        let rate = self.profile.town.vacancy_rate;
        for t in [Tenure::Owner, Tenure::PrivateRent, Tenure::SocialRent] {
            let s = stock_index(t);
            let spare = vacant[s].saturating_sub((stock[s] as f64 * rate).round() as usize);
            for _ in 0..spare {
                let Some(d) = self.take_vacancy(t) else { break };
                let hh = self.new_household_at(d, now, true);
                self.emit(out, now, hh, None, EventKind::MovedIn, String::new());
            }
        }
    }

    /// During burn-in, nudge the arrears knobs towards the profile's targets.
    fn tune(&mut self) {
        let a = &self.profile.arrears;
        let (mut ct, mut ct_n, mut soc, mut soc_n, mut prs, mut prs_n) = (0, 0, 0, 0, 0, 0);
        for h in self.households.iter().filter(|h| h.active) {
            if h.tenure != Tenure::TemporaryAccommodation && !h.student_let {
                ct_n += 1;
                ct += h.ct_arrears.is_positive() as usize;
            }
            match h.tenure {
                Tenure::SocialRent => {
                    soc_n += 1;
                    soc += h.rent_arrears.is_positive() as usize;
                }
                Tenure::PrivateRent => {
                    prs_n += 1;
                    prs += h.rent_arrears.is_positive() as usize;
                }
                _ => {}
            }
        }
        // Gentle steps: arrears respond to these knobs with a lag of months.
        let adjust = |x: f64, have: usize, n: usize, target: f64, lo: f64, hi: f64| {
            if n == 0 {
                return x;
            }
            let rate = (have as f64 / n as f64).max(1e-4);
            (x * (target / rate).powf(0.15)).clamp(lo, hi)
        };
        self.calib.difficulty_entry = adjust(
            self.calib.difficulty_entry,
            ct,
            ct_n,
            a.council_tax_arrears_prevalence,
            1e-4,
            0.3,
        );
        self.calib.miss_social_rent = adjust(
            self.calib.miss_social_rent,
            soc,
            soc_n,
            a.social_rent_arrears_prevalence,
            0.02,
            4.0,
        );
        self.calib.miss_private_rent = adjust(
            self.calib.miss_private_rent,
            prs,
            prs_n,
            a.private_rent_arrears_prevalence,
            0.02,
            4.0,
        );
    }
}

/// The share of a month's rent missed, from the same uniform draw that decided to miss.
fn self_fraction(draw: f64, threshold: f64) -> i64 {
    if threshold <= 0.0 {
        return 100;
    }
    (33.0 + 67.0 * (draw / threshold))
        .round()
        .clamp(33.0, 100.0) as i64
}
