//! The council's gazetteer: every home (and every building of flats) as a
//! Local Land and Property Gazetteer holds it under BS 7666, and how that
//! changes while the town lives: new homes appear as provisional addresses
//! and are finished some months later, empty houses are demolished, Royal
//! Mail recodes a few postcodes.
//!
//! The structure follows GeoPlace's Data Entry Conventions (DEC-Addresses):
//! a BLPU per property with its UPRN; one Approved Preferred LPI per language
//! ("an Approved Preferred LPI ... shall exist for an Approved BLPU for each
//! language used", 7.3.4.2); a flat is a child of a parent building shell
//! (class `PP`) and inherits its PAO and USRN, though not necessarily its
//! postcode; nothing is deleted, a demolished property turns historical
//! (logical status 8) with an end date. `docs/gazetteer.md` is the export's
//! contract; this module makes its rows, `extracts.rs` writes them.
//!
//! Everything random here draws from the estate's own generator, so the
//! layout of the town adds detail without disturbing the draws of the people
//! who live in it.

use crate::names;
use crate::profile::Profile;
use crate::town::{pick_share, Dwelling, DwellingId, Geography};
use chrono::NaiveDate;
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_pcg::Pcg64Mcg;
use std::collections::{HashMap, HashSet};
use upstream_core::{Month, Tenure};

/// The export's columns, exactly as `docs/gazetteer.md` names them.
pub const COLUMNS: [&str; 28] = [
    "change_type",
    "lpi_key",
    "uprn",
    "parent_uprn",
    "usrn",
    "sao_start_number",
    "sao_start_suffix",
    "sao_end_number",
    "sao_end_suffix",
    "sao_text",
    "pao_start_number",
    "pao_start_suffix",
    "pao_end_number",
    "pao_end_suffix",
    "pao_text",
    "street_description",
    "locality",
    "town_name",
    "administrative_area",
    "postcode_locator",
    "x_coordinate",
    "y_coordinate",
    "logical_status",
    "classification_code",
    "language",
    "start_date",
    "end_date",
    "last_update_date",
];

/// An LPI's place in its life cycle (DEC-Addresses 7.3.4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 1: in use.
    Approved,
    /// 6: planned, not yet built; nobody may live there.
    Provisional,
    /// 8: gone (demolished); kept, never deleted.
    Historical,
}

impl Status {
    pub fn code(self) -> u8 {
        match self {
            Status::Approved => 1,
            Status::Provisional => 6,
            Status::Historical => 8,
        }
    }
}

/// AddressBase classification of a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Detached,
    SemiDetached,
    Terraced,
    Flat,
    /// A building of flats: the parent shell, where nobody lives.
    Shell,
}

impl Class {
    pub fn code(self) -> &'static str {
        match self {
            Class::Detached => "RD02",
            Class::SemiDetached => "RD03",
            Class::Terraced => "RD04",
            Class::Flat => "RD06",
            Class::Shell => "PP",
        }
    }

    pub fn is_house(self) -> bool {
        matches!(
            self,
            Class::Detached | Class::SemiDetached | Class::Terraced
        )
    }
}

/// When an address came into use, when it stopped, when it last changed.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    pub status: Status,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub last_update: NaiveDate,
    /// A new home: the month it is finished, from which someone may live there.
    pub completes: Option<Month>,
}

impl Lifecycle {
    fn approved(start: NaiveDate, last_update: NaiveDate) -> Lifecycle {
        Lifecycle {
            status: Status::Approved,
            start,
            end: None,
            last_update,
            completes: None,
        }
    }
}

/// A flat's secondary addressable object: "FLAT 3" as text, or 3 as a
/// number, "3A" as a number and a suffix, or "FLAT A".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flat {
    pub number: Option<u32>,
    pub letter: Option<char>,
    /// Held as text ("FLAT 3") rather than in the number fields.
    pub as_text: bool,
}

impl Flat {
    /// "3", "3A" or "A".
    pub fn id(&self) -> String {
        let mut s = self.number.map(|n| n.to_string()).unwrap_or_default();
        if let Some(l) = self.letter {
            s.push(l);
        }
        s
    }
}

/// A street (USRN) and the names it goes by.
#[derive(Debug, Clone)]
pub struct Street {
    pub usrn: u32,
    /// The English name, or the only name ("Oak Road", "Heol y Bont").
    pub name: String,
    /// For a street named in both languages, its Welsh name (a CYM LPI).
    pub welsh_name: Option<String>,
    /// The district or village its homes are in, as Royal Mail would write it.
    pub locality: String,
    /// Whether the gazetteer records the locality for this street (often blank).
    pub gazetteer_locality: bool,
    pub lsoa: u32,
    pub district: String,
    pub rural: bool,
    /// Where numbering starts, metres, and the street's direction (a unit vector).
    origin: (f64, f64),
    heading: (f64, f64),
    /// Metres between neighbouring homes on one side.
    spacing: f64,
    pub dwellings: Vec<DwellingId>,
}

/// A building of flats: the parent shell (class `PP`) its flats belong to.
#[derive(Debug, Clone)]
pub struct Building {
    pub uprn: u64,
    pub street: u32,
    pub number: Option<u32>,
    /// Its name ("Oak Court"), if it has one.
    pub name: Option<String>,
    pub postcode: String,
    pub old_postcode: Option<(String, Month)>,
    /// British National Grid, centimetres.
    pub x: u32,
    pub y: u32,
    pub life: Lifecycle,
}

/// A property in the gazetteer: a home or a building of flats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prop {
    Dwelling(DwellingId),
    Building(u32),
}

/// The gazetteer's bookkeeping: numbering, postcodes in use, the pipeline of
/// new homes, and what changed this month (for the change-only export).
#[derive(Debug, Clone, Default)]
pub struct Estate {
    next_uprn: u64,
    next_usrn: u32,
    pub next_housing_ref: u32,
    postcodes: HashSet<String>,
    /// Properties not yet finished, with the month they will be.
    pipeline: Vec<(Month, Prop)>,
    /// What changed this month: the property and whether it is new (`I`) or updated (`U`).
    pub changes: Vec<(Prop, bool)>,
    lsoa_centres: Vec<(f64, f64)>,
    lsoa_radius: f64,
}

/// The month the gazetteers were first built: LLPGs were created from about
/// 1998 to 2005, and most records of older homes date from that first load.
fn llpg_epoch() -> Month {
    Month::new(1998, 1).unwrap_or_else(|| Month::of(NaiveDate::MIN))
}

/// A day between two months (inclusive); `from` if they are the wrong way round.
fn date_between(rng: &mut Pcg64Mcg, from: Month, to: Month) -> NaiveDate {
    let span = to.since(from).max(0);
    from.plus(rng.random_range(0..=span))
        .day(rng.random_range(1..=28))
}

fn poisson(rng: &mut Pcg64Mcg, mean: f64) -> usize {
    use rand_distr::{Distribution, Poisson};
    if mean <= 0.0 || !mean.is_finite() {
        return 0;
    }
    Poisson::new(mean)
        .map(|p| p.sample(rng) as usize)
        .unwrap_or(0)
}

/// A postcode in `district` with a made-up inward code.
pub fn postcode_in(district: &str, rng: &mut Pcg64Mcg) -> String {
    // Inward codes never use C, I, K, M, O or V in their letters.
    const LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let d = rng.random_range(0..10u8);
    let a = LETTERS[rng.random_range(0..LETTERS.len())] as char;
    let b = LETTERS[rng.random_range(0..LETTERS.len())] as char;
    format!("{district} {d}{a}{b}")
}

fn centimetres(m: f64) -> u32 {
    (m * 100.0).round().clamp(0.0, u32::MAX as f64) as u32
}

fn house_class(rng: &mut Pcg64Mcg, shares: &[f64]) -> Class {
    [Class::Detached, Class::SemiDetached, Class::Terraced][pick_share(rng, shares).min(2)]
}

/// What a street's homes are: flats, or houses of one type (a rural lane's
/// houses stand detached).
pub fn street_class(flats: bool, rural: bool, profile: &Profile, rng: &mut Pcg64Mcg) -> Class {
    if flats {
        Class::Flat
    } else if rural {
        Class::Detached
    } else {
        house_class(rng, &profile.gazetteer.house_type_shares)
    }
}

impl Estate {
    /// Numbering and the small areas' centres for a town of `n_lsoas` small areas.
    pub fn new(profile: &Profile, n_lsoas: u32) -> Estate {
        let g = &profile.gazetteer;
        let welsh = matches!(profile.town.nation, upstream_core::Nation::Wales);
        // Small areas on a sunflower spiral over the town's disc: evenly
        // spread, neighbours near each other, and the same for every seed.
        let n = n_lsoas.max(1) as f64;
        let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
        let lsoa_centres = (0..n_lsoas.max(1))
            .map(|i| {
                let r = g.radius_m * ((i as f64 + 0.5) / n).sqrt();
                let a = i as f64 * golden;
                (
                    g.centre_easting + r * a.cos(),
                    g.centre_northing + r * a.sin(),
                )
            })
            .collect();
        Estate {
            // Parent shells (many gazetteers added them after their first
            // load), new homes and, for simplicity, historical properties take
            // UPRNs from a later block than the first load's homes.
            next_uprn: if welsh {
                11_023_000_000
            } else {
                101_070_000_000
            },
            next_usrn: if welsh { 42_100_000 } else { 24_600_000 },
            next_housing_ref: 100_000,
            postcodes: HashSet::new(),
            pipeline: Vec::new(),
            changes: Vec::new(),
            lsoa_centres,
            lsoa_radius: g.radius_m / n.sqrt(),
        }
    }

    fn uprn(&mut self, rng: &mut Pcg64Mcg) -> u64 {
        self.next_uprn += rng.random_range(1..12u64);
        self.next_uprn
    }

    fn usrn(&mut self, rng: &mut Pcg64Mcg) -> u32 {
        self.next_usrn += rng.random_range(1..20u32);
        self.next_usrn
    }

    /// A postcode in `district` that no other street uses.
    fn fresh_postcode(&mut self, district: &str, rng: &mut Pcg64Mcg) -> String {
        for _ in 0..200 {
            let pc = postcode_in(district, rng);
            if self.postcodes.insert(pc.clone()) {
                return pc;
            }
        }
        // A district this full is not a real one; a repeat is the lesser harm.
        postcode_in(district, rng)
    }

    /// A new street record in small area `lsoa`.
    #[allow(clippy::too_many_arguments)]
    pub fn street(
        &mut self,
        profile: &Profile,
        name: String,
        locality: String,
        lsoa: u32,
        district: String,
        rural: bool,
        class: Class,
        rng: &mut Pcg64Mcg,
    ) -> Street {
        let g = &profile.gazetteer;
        let centre = self
            .lsoa_centres
            .get(lsoa as usize)
            .copied()
            .unwrap_or((g.centre_easting, g.centre_northing));
        let r = self.lsoa_radius * 0.8 * rng.random::<f64>().sqrt();
        let a = rng.random::<f64>() * std::f64::consts::TAU;
        let h = rng.random::<f64>() * std::f64::consts::TAU;
        // Frontages: a terraced house about 6 m, a semi 11 m, a detached
        // house 18 m, a block of flats 35 m; homes along a rural lane stand
        // about 80 m apart.
        let spacing = if rural {
            80.0
        } else {
            match class {
                Class::Terraced => 6.0,
                Class::SemiDetached => 11.0,
                Class::Detached => 18.0,
                Class::Flat | Class::Shell => 35.0,
            }
        };
        // A street stays inside the town's disc (in a small town the small
        // areas are few and wide).
        let (mut ox, mut oy) = (centre.0 + r * a.cos(), centre.1 + r * a.sin());
        let (dx, dy) = (ox - g.centre_easting, oy - g.centre_northing);
        let from_centre = dx.hypot(dy);
        if from_centre > g.radius_m {
            let pulled = g.radius_m * rng.random::<f64>().sqrt() / from_centre;
            ox = g.centre_easting + dx * pulled;
            oy = g.centre_northing + dy * pulled;
        }
        let usrn = self.usrn(rng);
        Street {
            usrn,
            name,
            welsh_name: None,
            locality,
            gazetteer_locality: rng.random::<f64>() < g.street_locality_share,
            lsoa,
            district,
            rural,
            origin: (ox, oy),
            heading: (h.cos(), h.sin()),
            spacing,
            dwellings: Vec::new(),
        }
    }
}

/// Where the `slot`th home along a street stands (odd numbers on one side,
/// even on the other), metres.
fn position(s: &Street, slot: u32, rng: &mut Pcg64Mcg) -> (f64, f64) {
    let (along, side) = if s.rural {
        (
            slot as f64 * s.spacing + rng.random_range(-30.0..30.0),
            rng.random_range(-40.0..40.0),
        )
    } else {
        (
            (slot / 2) as f64 * s.spacing + rng.random_range(-0.5..0.5),
            if slot.is_multiple_of(2) { -9.0 } else { 9.0 },
        )
    };
    let (hx, hy) = s.heading;
    (
        s.origin.0 + along * hx - side * hy,
        s.origin.1 + along * hy + side * hx,
    )
}

/// How one block of flats is addressed.
#[derive(Debug, Clone)]
struct BlockStyle {
    building: u32,
    lettered: bool,
    numbered: bool,
    /// The flat (by position in the block) numbered with a suffix, "3A".
    suffixed: Option<u32>,
}

/// Lays out the homes of one street as they are built, giving each its
/// BS 7666 structure. The people-side draws (names, numbers, postcodes) come
/// from the town's generator and are passed in; the rest comes from `rng`.
pub struct StreetLayout {
    pub street: u32,
    class: Class,
    block: Option<BlockStyle>,
    names: HashSet<String>,
}

/// The structure of one home, as laid out.
pub struct Shape {
    pub flat: Option<Flat>,
    pub number: Option<u32>,
    pub suffix: Option<char>,
    pub name: Option<String>,
    pub parent: Option<u32>,
    pub class: Class,
    pub x: u32,
    pub y: u32,
}

impl StreetLayout {
    /// Start laying out `street` (already pushed onto `geo.streets`), whose homes are of `class`.
    pub fn new(street: u32, class: Class) -> Self {
        StreetLayout {
            street,
            class,
            block: None,
            names: HashSet::new(),
        }
    }

    /// The `h`th home of the street: numbered `number` (the block's number
    /// for flats), or named `house_name` on a rural street.
    #[allow(clippy::too_many_arguments)]
    pub fn home(
        &mut self,
        geo_streets: &[Street],
        buildings: &mut Vec<Building>,
        estate: &mut Estate,
        profile: &Profile,
        h: u32,
        house_name: Option<&str>,
        postcode: &str,
        rng: &mut Pcg64Mcg,
    ) -> Shape {
        let s = &geo_streets[self.street as usize];
        let g = &profile.gazetteer;
        if self.class == Class::Flat {
            // Six flats to a block, blocks numbered 1, 3, 5 ...
            let (index, at) = (h / 6, h % 6);
            let number = index * 2 + 1;
            let b = match &self.block {
                Some(b) if at != 0 => b.clone(),
                _ => {
                    let (x, y) = position(s, index * 2, rng);
                    let named = rng.random::<f64>() < g.named_block_share;
                    let wales = matches!(profile.town.nation, upstream_core::Nation::Wales);
                    let name = named.then(|| self.block_name(s, wales, rng));
                    let style = rng.random::<f64>();
                    let lettered = style < g.lettered_block_share;
                    let numbered = !lettered && style < g.lettered_block_share + g.sao_number_share;
                    let suffixed =
                        (!lettered && rng.random::<f64>() < g.flat_suffix_share).then_some(3);
                    let uprn = estate.uprn(rng);
                    buildings.push(Building {
                        uprn,
                        street: self.street,
                        number: Some(number),
                        name,
                        postcode: postcode.to_string(),
                        old_postcode: None,
                        x: centimetres(x),
                        y: centimetres(y),
                        life: Lifecycle::approved(NaiveDate::MIN, NaiveDate::MIN),
                    });
                    let style = BlockStyle {
                        building: (buildings.len() - 1) as u32,
                        lettered,
                        numbered,
                        suffixed,
                    };
                    self.block = Some(style.clone());
                    style
                }
            };
            let parent = &buildings[b.building as usize];
            // Flats 1, 2, 3, 3A, 4, 5 when one was split off later; A to F when lettered.
            let flat = if b.lettered {
                Flat {
                    number: None,
                    letter: Some((b'A' + at as u8) as char),
                    as_text: true,
                }
            } else {
                match b.suffixed {
                    Some(k) if at == k => Flat {
                        number: Some(k),
                        letter: Some('A'),
                        as_text: !b.numbered,
                    },
                    Some(k) if at > k => Flat {
                        number: Some(at),
                        letter: None,
                        as_text: !b.numbered,
                    },
                    _ => Flat {
                        number: Some(at + 1),
                        letter: None,
                        as_text: !b.numbered,
                    },
                }
            };
            return Shape {
                flat: Some(flat),
                number: Some(number),
                suffix: None,
                name: parent.name.clone(),
                parent: Some(b.building),
                class: Class::Flat,
                x: parent.x,
                y: parent.y,
            };
        }
        let (x, y) = position(s, h, rng);
        let (number, name) = match house_name {
            // BS 7666 wants a PAO unique on its street: a second "Rose
            // Cottage" on one lane takes another name.
            Some(n) => {
                let mut name = n.to_string();
                for _ in 0..20 {
                    if !self.names.contains(&name) {
                        break;
                    }
                    name = names::BUILDING_NAMES
                        .choose(rng)
                        .copied()
                        .unwrap_or("Ty Newydd")
                        .to_string();
                }
                if self.names.contains(&name) {
                    // Every name taken: the house gets a number as well.
                    (Some(h + 1), Some(name))
                } else {
                    self.names.insert(name.clone());
                    (None, Some(name))
                }
            }
            None => (Some(h + 1), None),
        };
        Shape {
            flat: None,
            number,
            suffix: None,
            name,
            parent: None,
            class: self.class,
            x: centimetres(x),
            y: centimetres(y),
        }
    }

    fn block_name(&mut self, s: &Street, wales: bool, rng: &mut Pcg64Mcg) -> String {
        for _ in 0..20 {
            let name = if wales {
                // Welsh towns name their blocks in Welsh ("Llys Teifi").
                names::WELSH_BLOCK_NAMES
                    .choose(rng)
                    .copied()
                    .unwrap_or("Llys Teifi")
                    .to_string()
            } else {
                // Often named after the street it stands on ("Oak Court" on Oak Road).
                let own = s.name.split(' ').next().unwrap_or("Oak");
                let stem = if rng.random::<f64>() < 0.4 {
                    own
                } else {
                    names::STREET_STEMS.choose(rng).copied().unwrap_or("Oak")
                };
                let suffix = names::BLOCK_SUFFIXES
                    .choose(rng)
                    .copied()
                    .unwrap_or("Court");
                format!("{stem} {suffix}")
            };
            if name != s.name && self.names.insert(name.clone()) {
                return name;
            }
        }
        format!("{} House", self.names.len() + 1)
    }
}

/// The first lines of an address as Royal Mail would write it: ("Flat 3,
/// 12 Oak Road", "") or ("Flat 3, Oak Court", "12 Oak Road") or ("Rose
/// Cottage", "Heol y Bont").
pub fn royal_mail_lines(d: &Dwelling, s: &Street) -> (String, String) {
    let numbered_street = match d.number {
        Some(n) => format!(
            "{n}{} {}",
            d.suffix.map(String::from).unwrap_or_default(),
            s.name
        ),
        None => s.name.clone(),
    };
    let flat = d.flat.map(|f| format!("Flat {}", f.id()));
    match (&d.name, flat) {
        (Some(name), Some(flat)) => (format!("{flat}, {name}"), numbered_street),
        (Some(name), None) => (name.clone(), numbered_street),
        (None, Some(flat)) => (format!("{flat}, {numbered_street}"), String::new()),
        (None, None) => (numbered_street, String::new()),
    }
}

/// After the first load is laid out: give each street its own postcodes,
/// date the records, name some streets in two languages, add the properties
/// demolished before the data starts, and write each home's address lines.
pub fn finish(geo: &mut Geography, profile: &Profile, first: Month, rng: &mut Pcg64Mcg) {
    let g = &profile.gazetteer;
    let welsh = matches!(profile.town.nation, upstream_core::Nation::Wales);
    let before = first.plus(-1);

    // Streets named in English and Welsh (town streets in Wales).
    if welsh && g.bilingual_street_share > 0.0 {
        let mut used: HashSet<(String, String)> = HashSet::new();
        for s in geo.streets.iter_mut().filter(|s| !s.rural) {
            if rng.random::<f64>() < g.bilingual_street_share {
                if let Some((en, cy)) = names::BILINGUAL_STREETS.choose(rng) {
                    // One High Street to a locality.
                    if used.insert((s.locality.clone(), en.to_string())) {
                        s.name = en.to_string();
                        s.welsh_name = Some(cy.to_string());
                    }
                }
            }
        }
    }

    // Postcodes were drawn street by street; one shared by two streets far
    // apart is not how Royal Mail allocates them, so the later street gets
    // a fresh one.
    let mut owner: HashMap<String, u32> = HashMap::new();
    for si in 0..geo.streets.len() {
        let ids = geo.streets[si].dwellings.clone();
        let mut remap: HashMap<String, String> = HashMap::new();
        for id in ids {
            let pc = geo.dwellings[id as usize].postcode.clone();
            if let Some(new) = remap.get(&pc) {
                geo.dwellings[id as usize].postcode = new.clone();
                continue;
            }
            match owner.get(&pc) {
                Some(&o) if o != si as u32 => {
                    let district = geo.streets[si].district.clone();
                    let mut fresh = postcode_in(&district, rng);
                    for _ in 0..200 {
                        if !owner.contains_key(&fresh) {
                            break;
                        }
                        fresh = postcode_in(&district, rng);
                    }
                    owner.insert(fresh.clone(), si as u32);
                    remap.insert(pc, fresh.clone());
                    geo.dwellings[id as usize].postcode = fresh;
                }
                Some(_) => {}
                None => {
                    owner.insert(pc, si as u32);
                }
            }
        }
    }
    geo.estate.postcodes = owner.into_keys().collect();
    for (bi, b) in geo.buildings.iter_mut().enumerate() {
        // The block's postcode is its first flat's.
        if let Some(&first_flat) = geo.streets[b.street as usize]
            .dwellings
            .iter()
            .find(|id| geo.dwellings[**id as usize].parent == Some(bi as u32))
        {
            b.postcode = geo.dwellings[first_flat as usize].postcode.clone();
        }
    }

    // Dates: most records of older homes come from the gazetteer's first
    // load (1998 to 2005), a street at a time; the rest were added since.
    let epoch = llpg_epoch();
    let first_load_end = Month::new(2005, 12).unwrap_or(epoch);
    for si in 0..geo.streets.len() {
        let start = if rng.random::<f64>() < 0.75 {
            date_between(rng, epoch, first_load_end)
        } else {
            date_between(rng, first_load_end, before)
        };
        for &id in &geo.streets[si].dwellings {
            let last = date_between(rng, Month::of(start), before);
            let d = &mut geo.dwellings[id as usize];
            d.life = Lifecycle::approved(start, last.max(start));
        }
    }
    for (bi, b) in geo.buildings.iter_mut().enumerate() {
        if let Some(&id) = geo.streets[b.street as usize]
            .dwellings
            .iter()
            .find(|id| geo.dwellings[**id as usize].parent == Some(bi as u32))
        {
            let start = geo.dwellings[id as usize].life.start;
            b.life = Lifecycle::approved(start, start);
        }
    }

    // Properties demolished before the data starts: short runs of houses at
    // the end of a street, cleared years ago.
    let target = (g.historic_share * geo.dwellings.len() as f64).round() as usize;
    let mut added = 0;
    let mut tries = 0;
    while added < target && tries < 10_000 {
        tries += 1;
        let si = rng.random_range(0..geo.streets.len().max(1));
        let Some(s) = geo.streets.get(si) else { break };
        let Some(&last_id) = s.dwellings.last() else {
            continue;
        };
        let last = &geo.dwellings[last_id as usize];
        if s.rural || !last.class.is_house() {
            continue;
        }
        let Some(top) = last.number else { continue };
        let run = rng.random_range(2..=6u32).min((target - added) as u32);
        let class = last.class;
        let (postcode, lsoa, band) = (last.postcode.clone(), last.lsoa, last.band);
        for k in 1..=run {
            let number = top + k;
            let (x, y) = position(&geo.streets[si], number - 1, rng);
            let start = date_between(rng, epoch, first_load_end);
            let end = date_between(rng, Month::of(start).plus(12), before);
            let uprn = geo.estate.uprn(rng);
            let d = Dwelling {
                uprn,
                line1: String::new(),
                line2: String::new(),
                locality: geo.streets[si].locality.clone(),
                postcode: postcode.clone(),
                lsoa,
                band,
                stock: Tenure::Owner,
                council_owned: false,
                occupant: None,
                housing_ref: None,
                street: si as u32,
                flat: None,
                number: Some(number),
                suffix: None,
                name: None,
                parent: None,
                class,
                x: centimetres(x),
                y: centimetres(y),
                life: Lifecycle {
                    status: Status::Historical,
                    start,
                    end: Some(end.max(start)),
                    last_update: end.max(start),
                    completes: None,
                },
                old_postcode: None,
            };
            geo.dwellings.push(d);
            geo.streets[si]
                .dwellings
                .push((geo.dwellings.len() - 1) as DwellingId);
        }
        added += run as usize;
    }

    for d in geo.dwellings.iter_mut() {
        let (l1, l2) = royal_mail_lines(d, &geo.streets[d.street as usize]);
        d.line1 = l1;
        d.line2 = l2;
    }
}

/// One month of change to the stock, before anyone moves: new homes planned
/// (provisional) and finished, empty houses demolished, postcodes recoded.
/// Returns the homes finished this month, so they can be let or sold.
pub fn month(
    geo: &mut Geography,
    profile: &Profile,
    now: Month,
    rng: &mut Pcg64Mcg,
) -> Vec<DwellingId> {
    let g = &profile.gazetteer;
    geo.estate.changes.clear();
    let today = |rng: &mut Pcg64Mcg| now.day(rng.random_range(1..=now.days()));

    // Homes finished this month become approved: from now they can be lived in.
    let mut done = Vec::new();
    let pipeline = std::mem::take(&mut geo.estate.pipeline);
    for (when, prop) in pipeline {
        if when > now {
            geo.estate.pipeline.push((when, prop));
            continue;
        }
        let date = today(rng);
        let life = match prop {
            Prop::Dwelling(d) => {
                done.push(d);
                &mut geo.dwellings[d as usize].life
            }
            Prop::Building(b) => &mut geo.buildings[b as usize].life,
        };
        life.status = Status::Approved;
        life.last_update = date;
        geo.estate.changes.push((prop, false));
    }

    let approved = geo
        .dwellings
        .iter()
        .filter(|d| d.life.status == Status::Approved)
        .count() as f64;

    // New homes: single houses in gaps ("12A") and new streets.
    const SCHEME_MIN: u32 = 8;
    const SCHEME_MAX: u32 = 40;
    let mean_scheme = (SCHEME_MIN + SCHEME_MAX) as f64 / 2.0;
    let mean_size = g.infill_share + (1.0 - g.infill_share) * mean_scheme;
    let developments = poisson(rng, approved * g.new_build_annual / 12.0 / mean_size);
    for _ in 0..developments {
        let lead = rng.random_range(
            g.provisional_months_min..=g.provisional_months_max.max(g.provisional_months_min),
        );
        let completes = now.plus(lead as i32);
        if rng.random::<f64>() < g.infill_share {
            infill(geo, profile, now, completes, rng);
        } else {
            let size = rng.random_range(SCHEME_MIN..=SCHEME_MAX);
            scheme(geo, profile, now, completes, size, rng);
        }
    }

    // Demolitions: only a house standing empty (clearing a block of flats
    // means moving every tenant out first, which the town does not model).
    for _ in 0..poisson(rng, approved * g.demolition_annual / 12.0) {
        for _ in 0..200 {
            let i = rng.random_range(0..geo.dwellings.len().max(1));
            let Some(d) = geo.dwellings.get(i) else { break };
            if d.life.status == Status::Approved
                && d.occupant.is_none()
                && d.class.is_house()
                && d.stock != Tenure::TemporaryAccommodation
            {
                let date = today(rng);
                let d = &mut geo.dwellings[i];
                d.life.status = Status::Historical;
                d.life.end = Some(date);
                d.life.last_update = date;
                geo.estate
                    .changes
                    .push((Prop::Dwelling(i as DwellingId), false));
                break;
            }
        }
    }

    // Royal Mail recodes a postcode: every address on it takes a new one.
    let n_postcodes = geo.estate.postcodes.len() as f64;
    for _ in 0..poisson(rng, n_postcodes * g.postcode_recode_annual / 12.0) {
        for _ in 0..50 {
            let i = rng.random_range(0..geo.dwellings.len().max(1));
            let Some(d) = geo.dwellings.get(i) else { break };
            if d.life.status == Status::Historical || d.old_postcode.is_some() {
                continue;
            }
            recode(geo, d.street, d.postcode.clone(), now, rng);
            break;
        }
    }
    done
}

fn recode(geo: &mut Geography, street: u32, old: String, now: Month, rng: &mut Pcg64Mcg) {
    let district = old.split(' ').next().unwrap_or(&old).to_string();
    let new = geo.estate.fresh_postcode(&district, rng);
    let date = now.day(rng.random_range(1..=now.days()));
    let ids = geo.streets[street as usize].dwellings.clone();
    for id in ids {
        let d = &mut geo.dwellings[id as usize];
        if d.postcode == old && d.life.status != Status::Historical {
            d.old_postcode = Some((old.clone(), now));
            d.postcode = new.clone();
            d.life.last_update = date;
            geo.estate.changes.push((Prop::Dwelling(id), false));
        }
    }
    for (bi, b) in geo.buildings.iter_mut().enumerate() {
        if b.street == street && b.postcode == old && b.life.status != Status::Historical {
            b.old_postcode = Some((old.clone(), now));
            b.postcode = new.clone();
            b.life.last_update = date;
            geo.estate.changes.push((Prop::Building(bi as u32), false));
        }
    }
}

/// Tenure of a new home: the profile's shares without temporary accommodation.
fn new_home_tenure(profile: &Profile, rng: &mut Pcg64Mcg) -> Tenure {
    let t = &profile.tenure;
    [Tenure::Owner, Tenure::PrivateRent, Tenure::SocialRent]
        [pick_share(rng, &[t.owner, t.private_rent, t.social_rent]).min(2)]
}

#[allow(clippy::too_many_arguments)]
fn new_dwelling(
    geo: &mut Geography,
    profile: &Profile,
    street: u32,
    shape: Shape,
    postcode: String,
    start: NaiveDate,
    completes: Month,
    rng: &mut Pcg64Mcg,
) -> DwellingId {
    let s = &geo.streets[street as usize];
    let (lsoa, locality) = (s.lsoa, s.locality.clone());
    let stock = new_home_tenure(profile, rng);
    let band = pick_share(rng, &profile.council_tax.band_shares) as u8;
    let council_owned =
        stock == Tenure::SocialRent && rng.random::<f64>() < profile.tenure.council_share_of_social;
    let housing_ref = council_owned.then(|| {
        geo.estate.next_housing_ref += 1;
        geo.estate.next_housing_ref
    });
    let uprn = geo.estate.uprn(rng);
    let mut d = Dwelling {
        uprn,
        line1: String::new(),
        line2: String::new(),
        locality,
        postcode,
        lsoa,
        band,
        stock,
        council_owned,
        occupant: None,
        housing_ref,
        street,
        flat: shape.flat,
        number: shape.number,
        suffix: shape.suffix,
        name: shape.name,
        parent: shape.parent,
        class: shape.class,
        x: shape.x,
        y: shape.y,
        life: Lifecycle {
            status: Status::Provisional,
            start,
            end: None,
            last_update: start,
            completes: Some(completes),
        },
        old_postcode: None,
    };
    let (l1, l2) = royal_mail_lines(&d, s);
    d.line1 = l1;
    d.line2 = l2;
    geo.dwellings.push(d);
    let id = (geo.dwellings.len() - 1) as DwellingId;
    geo.streets[street as usize].dwellings.push(id);
    geo.estate.pipeline.push((completes, Prop::Dwelling(id)));
    geo.estate.changes.push((Prop::Dwelling(id), true));
    id
}

/// A single house built beside an existing one and numbered after it with a suffix ("12A").
fn infill(
    geo: &mut Geography,
    profile: &Profile,
    now: Month,
    completes: Month,
    rng: &mut Pcg64Mcg,
) {
    for _ in 0..50 {
        let i = rng.random_range(0..geo.dwellings.len().max(1));
        let Some(d) = geo.dwellings.get(i) else {
            return;
        };
        let s = &geo.streets[d.street as usize];
        let (Some(number), None, true, false) = (d.number, d.suffix, d.class.is_house(), s.rural)
        else {
            continue;
        };
        if d.life.status != Status::Approved {
            continue;
        }
        let taken: HashSet<char> = s
            .dwellings
            .iter()
            .map(|id| &geo.dwellings[*id as usize])
            .filter(|o| o.number == Some(number))
            .filter_map(|o| o.suffix)
            .collect();
        let Some(letter) = ('A'..='F').find(|l| !taken.contains(l)) else {
            continue;
        };
        let street = d.street;
        let shape = Shape {
            flat: None,
            number: Some(number),
            suffix: Some(letter),
            name: None,
            parent: None,
            class: Class::Detached,
            x: d.x.saturating_add(400),
            y: d.y.saturating_add(400),
        };
        let postcode = d.postcode.clone();
        let start = now.day(rng.random_range(1..=now.days()));
        new_dwelling(geo, profile, street, shape, postcode, start, completes, rng);
        return;
    }
}

/// A new street of houses or flats, named under the council's street naming
/// and numbering (new streets in Wales take Welsh names).
fn scheme(
    geo: &mut Geography,
    profile: &Profile,
    now: Month,
    completes: Month,
    size: u32,
    rng: &mut Pcg64Mcg,
) {
    let t = &profile.town;
    let welsh = matches!(t.nation, upstream_core::Nation::Wales);
    if geo.lsoas.is_empty() || t.postcode_districts.is_empty() || t.localities.is_empty() {
        return;
    }
    let lsoa = rng.random_range(0..geo.lsoas.len()) as u32;
    let ward = geo.lsoas[lsoa as usize].ward as usize;
    let locality = t.localities[ward % t.localities.len()].clone();
    let district = t.postcode_districts
        [(lsoa as usize * 7 + geo.streets.len()) % t.postcode_districts.len()]
    .clone();
    let taken: HashSet<&str> = geo
        .streets
        .iter()
        .filter(|s| s.locality == locality)
        .map(|s| s.name.as_str())
        .collect();
    let mut name = String::new();
    for _ in 0..30 {
        name = if welsh {
            names::WELSH_STREETS
                .choose(rng)
                .copied()
                .unwrap_or("Maes Newydd")
                .to_string()
        } else {
            format!(
                "{} {}",
                names::STREET_STEMS.choose(rng).copied().unwrap_or("Oak"),
                names::NEW_STREET_SUFFIXES
                    .choose(rng)
                    .copied()
                    .unwrap_or("Close")
            )
        };
        if !taken.contains(name.as_str()) {
            break;
        }
    }
    let flats = rng.random::<f64>() < t.flat_share;
    let class = street_class(flats, false, profile, rng);
    let street = geo.estate.street(
        profile,
        name,
        locality,
        lsoa,
        district.clone(),
        false,
        class,
        rng,
    );
    geo.streets.push(street);
    let si = (geo.streets.len() - 1) as u32;
    let mut layout = StreetLayout::new(si, class);
    let size = if flats { size.div_ceil(6) * 6 } else { size };
    let mut postcode = geo.estate.fresh_postcode(&district, rng);
    // Street naming and numbering names the whole scheme on one day.
    let start = now.day(rng.random_range(1..=now.days()));
    let mut blocks_before = geo.buildings.len();
    for h in 0..size {
        if h > 0 && h % 14 == 0 {
            postcode = geo.estate.fresh_postcode(&district, rng);
        }
        let shape = layout.home(
            &geo.streets,
            &mut geo.buildings,
            &mut geo.estate,
            profile,
            h,
            None,
            &postcode,
            rng,
        );
        // A new block is provisional too, and finished with its flats.
        while blocks_before < geo.buildings.len() {
            let b = &mut geo.buildings[blocks_before];
            b.life = Lifecycle {
                status: Status::Provisional,
                start,
                end: None,
                last_update: start,
                completes: Some(completes),
            };
            geo.estate
                .pipeline
                .push((completes, Prop::Building(blocks_before as u32)));
            geo.estate
                .changes
                .push((Prop::Building(blocks_before as u32), true));
            blocks_before += 1;
        }
        new_dwelling(
            geo,
            profile,
            si,
            shape,
            postcode.clone(),
            start,
            completes,
            rng,
        );
    }
}

/// A property's LPIs (one, or two on a street named in both languages), as
/// export rows with `change_type` first.
pub fn lpi_rows(geo: &Geography, profile: &Profile, prop: Prop, change: &str) -> Vec<Vec<String>> {
    struct View<'a> {
        uprn: u64,
        parent: Option<u64>,
        street: &'a Street,
        flat: Option<Flat>,
        number: Option<u32>,
        suffix: Option<char>,
        name: Option<&'a str>,
        postcode: &'a str,
        x: u32,
        y: u32,
        life: &'a Lifecycle,
        class: Class,
    }
    let v = match prop {
        Prop::Dwelling(id) => {
            let d = &geo.dwellings[id as usize];
            View {
                uprn: d.uprn,
                parent: d.parent.map(|b| geo.buildings[b as usize].uprn),
                street: &geo.streets[d.street as usize],
                flat: d.flat,
                number: d.number,
                suffix: d.suffix,
                name: d.name.as_deref(),
                postcode: &d.postcode,
                x: d.x,
                y: d.y,
                life: &d.life,
                class: d.class,
            }
        }
        Prop::Building(b) => {
            let b = &geo.buildings[b as usize];
            View {
                uprn: b.uprn,
                parent: None,
                street: &geo.streets[b.street as usize],
                flat: None,
                number: b.number,
                suffix: None,
                name: b.name.as_deref(),
                postcode: &b.postcode,
                x: b.x,
                y: b.y,
                life: &b.life,
                class: Class::Shell,
            }
        }
    };
    let opt = |x: Option<String>| x.unwrap_or_default();
    let metres = |cm: u32| format!("{}.{:02}", cm / 100, cm % 100);
    let date = |d: NaiveDate| d.to_string();
    let upper = |s: &str| s.to_uppercase();
    let mut languages: Vec<(&str, &str, String, String)> = vec![(
        "ENG",
        "FLAT",
        upper(&v.street.name),
        upper(&v.street.locality),
    )];
    if let Some(cy) = &v.street.welsh_name {
        languages.push((
            "CYM",
            "FFLAT",
            upper(cy),
            upper(names::welsh_place(&v.street.locality)),
        ));
    }
    let g = &profile.gazetteer;
    languages
        .into_iter()
        .enumerate()
        .map(|(i, (language, flat_word, street, locality))| {
            let (sao_number, sao_suffix, sao_text) = match v.flat {
                Some(f) if f.as_text => (
                    String::new(),
                    String::new(),
                    format!("{flat_word} {}", f.id()),
                ),
                Some(f) => (
                    opt(f.number.map(|n| n.to_string())),
                    opt(f.letter.map(String::from)),
                    String::new(),
                ),
                None => Default::default(),
            };
            vec![
                change.to_string(),
                format!("{}L{}", v.uprn, i + 1),
                v.uprn.to_string(),
                opt(v.parent.map(|p| p.to_string())),
                v.street.usrn.to_string(),
                sao_number,
                sao_suffix,
                String::new(),
                String::new(),
                sao_text,
                opt(v.number.map(|n| n.to_string())),
                opt(v.suffix.map(String::from)),
                String::new(),
                String::new(),
                opt(v.name.map(upper)),
                street,
                if v.street.gazetteer_locality {
                    locality
                } else {
                    String::new()
                },
                upper(&profile.town.post_town),
                upper(&g.administrative_area),
                v.postcode.to_string(),
                metres(v.x),
                metres(v.y),
                v.life.status.code().to_string(),
                v.class.code().to_string(),
                language.to_string(),
                date(v.life.start),
                opt(v.life.end.map(date)),
                date(v.life.last_update),
            ]
        })
        .collect()
}

/// Every property, for the first (full) export, in UPRN order.
pub fn all_props(geo: &Geography) -> Vec<Prop> {
    let mut props: Vec<(u64, Prop)> = geo
        .dwellings
        .iter()
        .enumerate()
        .map(|(i, d)| (d.uprn, Prop::Dwelling(i as DwellingId)))
        .chain(
            geo.buildings
                .iter()
                .enumerate()
                .map(|(i, b)| (b.uprn, Prop::Building(i as u32))),
        )
        .collect();
    props.sort_by_key(|(u, _)| *u);
    props.into_iter().map(|(_, p)| p).collect()
}

/// This month's changes, each property once: `I` if it is new this month, else `U`.
pub fn changed_props(geo: &Geography) -> Vec<(Prop, &'static str)> {
    let mut seen: HashMap<Prop, usize> = HashMap::new();
    let mut out: Vec<(Prop, &'static str)> = Vec::new();
    for (prop, insert) in &geo.estate.changes {
        match seen.get(prop) {
            Some(&i) => {
                if *insert {
                    out[i].1 = "I";
                }
            }
            None => {
                seen.insert(*prop, out.len());
                out.push((*prop, if *insert { "I" } else { "U" }));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::town::build_geography;
    use rand::SeedableRng;

    fn town(profile: &Profile, households: u32) -> (Geography, Month) {
        let first = profile.town.start_month.plus(-12);
        let mut rng = Pcg64Mcg::seed_from_u64(8);
        let mut estate = Pcg64Mcg::seed_from_u64(9);
        (
            build_geography(profile, households, first, &mut rng, &mut estate),
            first,
        )
    }

    fn busy(name: &str) -> Profile {
        let mut p = Profile::load(name).expect("profile");
        p.gazetteer.new_build_annual = 0.1;
        p.gazetteer.demolition_annual = 0.05;
        p.gazetteer.postcode_recode_annual = 0.2;
        p
    }

    #[test]
    fn homes_have_their_bs7666_structure() {
        let p = Profile::load("birmingham").expect("profile");
        let (geo, first) = town(&p, 3000);
        let mut uprns = HashSet::new();
        for d in &geo.dwellings {
            assert!(uprns.insert(d.uprn), "UPRN {} twice", d.uprn);
            assert!(d.number.is_some() || d.name.is_some());
            assert_eq!(d.flat.is_some(), d.parent.is_some());
            assert_eq!(d.flat.is_some(), d.class == Class::Flat);
            assert!(d.life.start <= d.life.last_update);
            assert!(d.life.last_update < first.first_day());
            if let Some(b) = d.parent {
                let b = &geo.buildings[b as usize];
                // A flat inherits its building's PAO and street (DEC-Addresses).
                assert_eq!((b.number, &b.name, b.street), (d.number, &d.name, d.street));
            }
        }
        for b in &geo.buildings {
            assert!(uprns.insert(b.uprn), "UPRN {} twice", b.uprn);
        }
        // No two streets share a postcode.
        let mut owner: HashMap<&str, u32> = HashMap::new();
        for d in &geo.dwellings {
            assert_eq!(
                *owner.entry(&d.postcode).or_insert(d.street),
                d.street,
                "{}",
                d.postcode
            );
        }
        let historic = geo
            .dwellings
            .iter()
            .filter(|d| d.life.status == Status::Historical)
            .count();
        assert!(
            historic > 0 && historic < geo.dwellings.len() / 50,
            "{historic}"
        );
        let usrns: HashSet<u32> = geo.streets.iter().map(|s| s.usrn).collect();
        assert_eq!(usrns.len(), geo.streets.len());
        assert!(usrns.iter().all(|u| (10_000_000..100_000_000).contains(u)));
    }

    #[test]
    fn royal_mail_lines_follow_the_structure() {
        let p = Profile::load("birmingham").expect("profile");
        let (geo, _) = town(&p, 3000);
        let of = |f: &dyn Fn(&Dwelling) -> bool| {
            geo.dwellings
                .iter()
                .find(|d| f(d))
                .map(|d| (d.line1.clone(), d.line2.clone()))
                .unwrap_or_default()
        };
        let (l1, l2) = of(&|d| d.flat.is_some() && d.name.is_some());
        assert!(
            l1.starts_with("Flat ") && l1.contains(", ") && !l2.is_empty(),
            "{l1} / {l2}"
        );
        let (l1, l2) = of(&|d| d.flat.is_some() && d.name.is_none());
        assert!(l1.starts_with("Flat ") && l2.is_empty(), "{l1}");
        let (l1, l2) = of(&|d| d.flat.is_none());
        assert!(
            l1.starts_with(|c: char| c.is_ascii_digit()) && l2.is_empty(),
            "{l1}"
        );
    }

    #[test]
    fn new_homes_are_provisional_until_finished_and_only_empty_houses_go() {
        let p = busy("birmingham");
        let (mut geo, first) = town(&p, 3000);
        let before = geo.dwellings.len();
        let occupied: Vec<DwellingId> = (0..before as u32).step_by(2).collect();
        for &d in &occupied {
            geo.dwellings[d as usize].occupant = Some(d);
        }
        let mut rng = Pcg64Mcg::seed_from_u64(10);
        let mut finished = HashSet::new();
        let (mut inserted, mut recoded) = (0, 0);
        for k in 0..24 {
            let now = first.plus(k);
            for d in month(&mut geo, &p, now, &mut rng) {
                assert!(finished.insert(d), "{d} finished twice");
                assert_eq!(geo.dwellings[d as usize].life.completes, Some(now));
            }
            for (prop, insert) in &geo.estate.changes {
                if *insert {
                    inserted += 1;
                    if let Prop::Dwelling(d) = prop {
                        let d = &geo.dwellings[*d as usize];
                        assert_eq!(d.life.status, Status::Provisional);
                        assert!(d.life.completes.is_some_and(|c| c > now));
                    }
                }
            }
            for d in &geo.dwellings {
                match d.life.completes {
                    Some(c) if c > now => assert_eq!(d.life.status, Status::Provisional),
                    _ => {}
                }
            }
            recoded = geo
                .dwellings
                .iter()
                .filter(|d| d.old_postcode.is_some())
                .count();
        }
        assert!(inserted > 50 && !finished.is_empty() && recoded > 0);
        let demolished: Vec<&Dwelling> = geo.dwellings[..before]
            .iter()
            .filter(|d| {
                d.life.status == Status::Historical
                    && d.life.end.is_some_and(|e| e >= first.first_day())
            })
            .collect();
        assert!(!demolished.is_empty());
        for d in demolished {
            assert!(d.occupant.is_none() && d.class.is_house());
        }
        // A recode moves the whole postcode: nobody keeps the old one on that street.
        for d in geo.dwellings.iter().filter(|d| d.old_postcode.is_some()) {
            let old = d
                .old_postcode
                .as_ref()
                .map(|(o, _)| o.clone())
                .unwrap_or_default();
            assert!(geo.streets[d.street as usize].dwellings.iter().all(|o| {
                let o = &geo.dwellings[*o as usize];
                o.postcode != old || o.life.status == Status::Historical
            }));
        }
    }

    #[test]
    fn a_bilingual_street_has_an_lpi_in_each_language() {
        let p = Profile::load("ceredigion").expect("profile");
        let (geo, _) = town(&p, 3000);
        let (id, d) = geo
            .dwellings
            .iter()
            .enumerate()
            .find(|(_, d)| {
                d.flat.is_some_and(|f| f.as_text)
                    && geo.streets[d.street as usize].welsh_name.is_some()
            })
            .or_else(|| {
                geo.dwellings
                    .iter()
                    .enumerate()
                    .find(|(_, d)| geo.streets[d.street as usize].welsh_name.is_some())
            })
            .expect("a bilingual street in a Welsh town");
        let rows = lpi_rows(&geo, &p, Prop::Dwelling(id as DwellingId), "I");
        assert_eq!(rows.len(), 2);
        let col = |name: &str| {
            COLUMNS
                .iter()
                .position(|c| *c == name)
                .unwrap_or(usize::MAX)
        };
        for r in &rows {
            assert_eq!(r.len(), COLUMNS.len());
            assert_eq!(r[col("uprn")], d.uprn.to_string());
            assert_eq!(r[col("logical_status")], "1");
        }
        assert_eq!(rows[0][col("language")], "ENG");
        assert_eq!(rows[1][col("language")], "CYM");
        assert_eq!(rows[1][col("lpi_key")], format!("{}L2", d.uprn));
        let s = &geo.streets[d.street as usize];
        assert_eq!(
            rows[1][col("street_description")],
            s.welsh_name.clone().unwrap_or_default().to_uppercase()
        );
        if d.flat.is_some_and(|f| f.as_text) {
            assert!(rows[1][col("sao_text")].starts_with("FFLAT "));
        }
    }
}
