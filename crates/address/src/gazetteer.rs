//! The gazetteer prepared for matching: every LPI parsed once into the
//! parts a query is compared with, and the indexes candidates come from.
//! Built once, then only read: `Gazetteer` is `Sync` and shared by the
//! threads of `place_all`.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::lpi::{LogicalStatus, Lpi};
use crate::parse::{gazetteer_unit, PaoNum, Unit};
use crate::text::{
    self, canon, is_stop, is_street_type, is_welsh_street_type, number, NOISE_PHRASES,
};

/// A run of words from the gazetteer (a street, a building name, a
/// locality, a town, a flat's description), interned: the same text is
/// stored and compared once per query however many LPIs hold it.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub toks: Vec<String>,
    pub weights: Vec<f64>,
    /// The street type's position, when the field is a street that has one.
    pub type_at: Option<usize>,
    pub total: f64,
}

/// How much a word of a field counts. A street's type (ROAD, or HEOL at
/// the front of a Welsh name) is half a word: it is often left off or
/// swapped, but "OAK ROAD" and "OAK AVENUE" are still two streets. THE and
/// the Welsh article count for little.
pub(crate) const TYPE_WEIGHT: f64 = 0.5;
const STOP_WEIGHT: f64 = 0.2;

pub(crate) const LOCALITY: u8 = 1;
pub(crate) const TOWN: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FieldKind {
    Street,
    Name,
}

/// One LPI, prepared.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub uprn: u64,
    pub lpi: u32,
    pub unit: Option<Unit>,
    pub pao: Option<PaoNum>,
    pub pao_name: Option<u32>,
    pub street: Option<u32>,
    pub locality: Option<u32>,
    pub town: Option<u32>,
    pub postcode: Option<u32>,
    pub shell: bool,
    pub building: Option<u32>,
}

/// A building that holds flats or units: its shell's PAO and street.
#[derive(Debug, Clone, Default)]
pub(crate) struct Building {
    /// How many distinct UPRNs have a SAO in it (live ones; all of them if
    /// none is live).
    pub units: u32,
    /// The UPRN of the one unit, when there is exactly one.
    pub only_unit: Option<u64>,
    /// The parent shell (class PP), when the gazetteer has one.
    pub shell: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct PostcodeInfo {
    pub code: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct StreetLpis {
    /// Entries by PAO start number.
    pub by_number: HashMap<u16, Vec<u32>>,
    /// Entries whose PAO has no number (named houses and buildings).
    pub named: Vec<u32>,
}

/// The council's gazetteer, indexed for placing addresses on UPRNs.
#[derive(Debug)]
pub struct Gazetteer {
    pub(crate) lpis: Vec<Lpi>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) fields: Vec<Field>,
    pub(crate) postcodes: Vec<PostcodeInfo>,
    pub(crate) buildings: Vec<Building>,
    pub(crate) by_uprn: HashMap<u64, Vec<u32>>,
    pub(crate) by_postcode: HashMap<String, Vec<u32>>,
    /// Street field id to its LPIs.
    pub(crate) streets: HashMap<u32, StreetLpis>,
    /// A street's distinctive words (not its type, not THE) to its field.
    pub(crate) street_by_token: HashMap<String, Vec<u32>>,
    /// The same words with one letter deleted, for slips: a word and a
    /// slip of it (a letter wrong, missing, extra, or two swapped) share a
    /// key, so looking up a word and its own deletions finds every street
    /// word within one slip of it, and nothing further.
    pub(crate) street_by_deletion: HashMap<String, Vec<u32>>,
    /// The streets with an LPI in each postcode district.
    pub(crate) district_streets: HashMap<String, Vec<u32>>,
    /// A building name's distinctive words to the entries that carry it.
    pub(crate) name_by_token: HashMap<String, Vec<u32>>,
    /// Locality and town fields by their first word.
    pub(crate) place_by_first: HashMap<String, Vec<u32>>,
    /// Whether each place is used as a locality (`LOCALITY`), a town
    /// (`TOWN`) or both.
    pub(crate) place_roles: HashMap<u32, u8>,
    /// Counties, countries and the gazetteer's own administrative areas,
    /// by their first word.
    pub(crate) noise_by_first: HashMap<String, Vec<Vec<String>>>,
}

/// Distinctive words of a field: what a street or building is looked up
/// by. Not its type or THE, unless that is all it has ("THE AVENUE").
pub(crate) fn distinctive(f: &Field) -> impl Iterator<Item = &str> {
    let plain = !f.weights.iter().any(|w| *w >= 1.0);
    f.toks
        .iter()
        .zip(&f.weights)
        .filter(move |(t, w)| {
            (**w >= 1.0 || (plain && **w > STOP_WEIGHT)) && t.len() >= 2 && number(t).is_none()
        })
        .map(|(t, _)| t.as_str())
}

/// How many one-letter deletions of a word the slip index holds: one per
/// letter for ASCII words of four letters or more (shorter ones must agree
/// exactly, as in `tok_sim`), none otherwise.
pub(crate) fn deletable(w: &str) -> usize {
    if w.len() >= 4 && w.is_ascii() {
        w.len()
    } else {
        0
    }
}

/// A word with each one of its letters deleted in turn.
fn deletions(w: &str) -> impl Iterator<Item = String> + '_ {
    (0..deletable(w)).filter_map(move |i| Some(format!("{}{}", w.get(..i)?, w.get(i + 1..)?)))
}

/// A name of two or more words run together, as Welsh names often are
/// written ("BRYN AWEL" as BRYNAWEL, "TY GWYN" as TYGWYN) and English
/// ones sometimes ("BLACK BERRY"): a key for the index, so a text that runs
/// them together finds the name.
fn joined(f: &Field) -> Option<String> {
    let words: Vec<&str> = f
        .toks
        .iter()
        .zip(&f.weights)
        .filter(|(_, w)| **w >= 1.0)
        .map(|(t, _)| t.as_str())
        .collect();
    (words.len() >= 2).then(|| words.concat())
}

/// Words a generic building name is made of; they find too many buildings
/// to be looked up by alone.
fn generic_name_word(w: &str) -> bool {
    matches!(
        w,
        "HOUSE"
            | "COTTAGE"
            | "COTTAGES"
            | "FARM"
            | "COURT"
            | "LODGE"
            | "VILLA"
            | "HALL"
            | "FLATS"
            | "APARTMENTS"
            | "BUILDINGS"
            | "BLOCK"
            | "TY"
            | "BRYN"
            | "MAES"
    )
}

/// What one LPI becomes before its words are interned.
struct Prepared {
    unit: Option<(Unit, Option<Vec<String>>)>,
    pao: Option<PaoNum>,
    pao_name: Option<Vec<String>>,
    street: Option<Vec<String>>,
    locality: Option<Vec<String>>,
    town: Option<Vec<String>>,
    postcode: Option<String>,
}

fn words_of(s: Option<&str>) -> Option<Vec<String>> {
    let w: Vec<String> = text::tokens(s.unwrap_or(""))
        .into_iter()
        .map(|t| canon(&t.text).to_string())
        .collect();
    (!w.is_empty()).then_some(w)
}

/// A street's words, with ST read by where it stands: SAINT at the front
/// ("ST MARYS ROAD"), STREET at the end ("HIGH ST").
fn street_words(s: &str) -> Option<Vec<String>> {
    let mut w = words_of(Some(s))?;
    let n = w.len();
    if n >= 2 {
        if w[0] == "ST" {
            w[0] = "SAINT".into();
        }
        if w[n - 1] == "ST" {
            w[n - 1] = "STREET".into();
        }
    }
    Some(w)
}

fn prepare(l: &Lpi) -> Prepared {
    // A unit's descriptor words are interned later; here they are kept.
    let mut descriptor: Option<Vec<String>> = None;
    let unit = gazetteer_unit(
        l.sao.start_number,
        l.sao.start_suffix,
        l.sao.end_number,
        l.sao.end_suffix,
        l.sao.text.as_deref(),
        |w| {
            descriptor = Some(w.to_vec());
            0
        },
    )
    .map(|u| (u, descriptor));
    let mut pao = l.pao.start_number.map(|n| PaoNum {
        start: n,
        suffix: l.pao.start_suffix,
        end: l.pao.end_number,
        end_suffix: l.pao.end_suffix,
    });
    let mut pao_name = words_of(l.pao.text.as_deref());
    // Some exports put a number in the text field ("12A", "12-14").
    if pao.is_none() {
        if let Some(n) = pao_name.as_deref().and_then(pao_from_words) {
            pao = Some(n);
            pao_name = None;
        }
    }
    Prepared {
        unit,
        pao,
        pao_name,
        street: street_words(&l.street),
        locality: words_of(l.locality.as_deref()),
        town: words_of(l.town.as_deref()),
        postcode: l.postcode.as_deref().and_then(text::postcode),
    }
}

fn pao_from_words(w: &[String]) -> Option<PaoNum> {
    match w {
        [a] => number(a).map(|(n, s)| PaoNum::single(n, s)),
        [a, b] => {
            let (n, s) = number(a)?;
            let (e, es) = number(b)?;
            Some(PaoNum {
                start: n,
                suffix: s,
                end: Some(e),
                end_suffix: es,
            })
        }
        _ => None,
    }
}

#[derive(Default)]
struct Interner {
    ids: HashMap<(FieldKind, Vec<String>), u32>,
    fields: Vec<Field>,
}

impl Interner {
    fn intern(&mut self, kind: FieldKind, toks: Vec<String>) -> u32 {
        if let Some(&id) = self.ids.get(&(kind, toks.clone())) {
            return id;
        }
        let n = toks.len();
        let mut type_at = None;
        let weights: Vec<f64> = toks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if is_stop(t) {
                    STOP_WEIGHT
                } else if kind == FieldKind::Street
                    && n >= 2
                    && ((i == n - 1 && is_street_type(t)) || (i == 0 && is_welsh_street_type(t)))
                    && type_at.is_none()
                {
                    type_at = Some(i);
                    TYPE_WEIGHT
                } else {
                    1.0
                }
            })
            .collect();
        let total = weights.iter().sum();
        let id = self.fields.len() as u32;
        self.fields.push(Field {
            toks: toks.clone(),
            weights,
            type_at,
            total,
        });
        self.ids.insert((kind, toks), id);
        id
    }
}

impl Gazetteer {
    /// Prepares and indexes the LPIs. Rows with UPRN 0 are kept out (no
    /// property has it).
    pub fn build(lpis: Vec<Lpi>) -> Gazetteer {
        let lpis: Vec<Lpi> = lpis.into_iter().filter(|l| l.uprn != 0).collect();
        let prepared: Vec<Prepared> = lpis.par_iter().map(prepare).collect();

        let mut fields = Interner::default();
        let mut pc_ids: HashMap<String, u32> = HashMap::new();
        let mut postcodes: Vec<PostcodeInfo> = Vec::new();
        let mut entries: Vec<Entry> = Vec::with_capacity(lpis.len());
        let mut place_fields: Vec<(u32, u8)> = Vec::new();
        for (i, (l, p)) in lpis.iter().zip(prepared).enumerate() {
            let mut intern_name =
                |w: Option<Vec<String>>| w.map(|w| fields.intern(FieldKind::Name, w));
            let unit = p.unit.map(|(mut u, d)| {
                u.descriptor = intern_name(d);
                u
            });
            let pao_name = intern_name(p.pao_name);
            let locality = intern_name(p.locality);
            let town = intern_name(p.town);
            place_fields.extend(locality.map(|f| (f, LOCALITY)));
            place_fields.extend(town.map(|f| (f, TOWN)));
            let street = p.street.map(|w| fields.intern(FieldKind::Street, w));
            let postcode = p.postcode.map(|pc| {
                *pc_ids.entry(pc.clone()).or_insert_with(|| {
                    postcodes.push(PostcodeInfo { code: pc });
                    postcodes.len() as u32 - 1
                })
            });
            entries.push(Entry {
                uprn: l.uprn,
                lpi: i as u32,
                unit,
                pao: p.pao,
                pao_name,
                street,
                locality,
                town,
                postcode,
                shell: l.is_parent_shell(),
                building: None,
            });
        }
        let fields = fields.fields;

        let buildings = group_buildings(&lpis, &mut entries);

        let mut by_uprn: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut by_postcode: HashMap<String, Vec<u32>> = HashMap::new();
        let mut streets: HashMap<u32, StreetLpis> = HashMap::new();
        let mut district_streets: HashMap<String, Vec<u32>> = HashMap::new();
        let mut name_by_token: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let i = i as u32;
            by_uprn.entry(e.uprn).or_default().push(i);
            if let Some(pc) = e.postcode {
                let code = &postcodes[pc as usize].code;
                by_postcode.entry(code.clone()).or_default().push(i);
                if let (Some(s), Some(d)) = (e.street, code.split(' ').next()) {
                    let list = district_streets.entry(d.to_string()).or_default();
                    if list.last() != Some(&s) {
                        list.push(s);
                    }
                }
            }
            if let Some(s) = e.street {
                let st = streets.entry(s).or_default();
                match e.pao {
                    Some(p) => st.by_number.entry(p.start).or_default().push(i),
                    None => st.named.push(i),
                }
            }
            if let Some(n) = e.pao_name {
                let f = &fields[n as usize];
                for w in distinctive(f).filter(|w| !generic_name_word(w)) {
                    name_by_token.entry(w.to_string()).or_default().push(i);
                }
                if let Some(j) = joined(f) {
                    name_by_token.entry(j).or_default().push(i);
                }
            }
        }
        for list in district_streets.values_mut() {
            list.sort_unstable();
            list.dedup();
        }

        let mut street_by_token: HashMap<String, Vec<u32>> = HashMap::new();
        let mut street_by_deletion: HashMap<String, Vec<u32>> = HashMap::new();
        let mut street_ids: Vec<u32> = streets.keys().copied().collect();
        street_ids.sort_unstable();
        for s in street_ids {
            if let Some(j) = joined(&fields[s as usize]) {
                street_by_token.entry(j).or_default().push(s);
            }
            for w in distinctive(&fields[s as usize]) {
                street_by_token.entry(w.to_string()).or_default().push(s);
                for d in deletions(w) {
                    let list = street_by_deletion.entry(d).or_default();
                    if list.last() != Some(&s) {
                        list.push(s);
                    }
                }
            }
        }

        place_fields.sort_unstable();
        place_fields.dedup();
        let mut place_roles: HashMap<u32, u8> = HashMap::new();
        let mut place_by_first: HashMap<String, Vec<u32>> = HashMap::new();
        for (f, role) in place_fields {
            let roles = place_roles.entry(f).or_insert(0);
            if *roles == 0 {
                if let Some(first) = fields[f as usize].toks.first() {
                    place_by_first.entry(first.clone()).or_default().push(f);
                }
            }
            *roles |= role;
        }

        let mut noise: Vec<Vec<String>> = NOISE_PHRASES
            .iter()
            .filter_map(|p| words_of(Some(p)))
            .collect();
        noise.extend(
            lpis.iter()
                .filter_map(|l| words_of(l.administrative_area.as_deref())),
        );
        noise.sort();
        noise.dedup();
        let mut noise_by_first: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for p in noise {
            if let Some(first) = p.first() {
                noise_by_first.entry(first.clone()).or_default().push(p);
            }
        }

        Gazetteer {
            lpis,
            entries,
            fields,
            postcodes,
            buildings,
            by_uprn,
            by_postcode,
            streets,
            street_by_token,
            street_by_deletion,
            district_streets,
            name_by_token,
            place_by_first,
            place_roles,
            noise_by_first,
        }
    }

    /// How many LPIs it holds.
    pub fn len(&self) -> usize {
        self.lpis.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lpis.is_empty()
    }

    /// How many distinct properties (UPRNs) it holds.
    pub fn properties(&self) -> usize {
        self.by_uprn.len()
    }

    /// Whether a UPRN is in the gazetteer.
    pub fn contains(&self, uprn: u64) -> bool {
        self.by_uprn.contains_key(&uprn)
    }

    /// The LPIs of one property, in the order they were given.
    /// The property's address as staff should read it: its approved LPI
    /// (English before Welsh, current before historical), on one line, with
    /// its postcode.
    pub fn address_of(&self, uprn: u64) -> Option<(String, Option<String>)> {
        let rank = |l: &Lpi| match l.logical_status {
            LogicalStatus::Approved => 0,
            LogicalStatus::Provisional => 1,
            LogicalStatus::Alternative => 2,
            LogicalStatus::Historical => 3,
        };
        self.lpis(uprn)
            .into_iter()
            .min_by_key(|l| {
                (
                    rank(l),
                    l.language != crate::Language::Eng,
                    l.lpi_key.clone(),
                )
            })
            .map(|l| (l.one_line(), l.postcode.clone()))
    }

    pub fn lpis(&self, uprn: u64) -> Vec<&Lpi> {
        self.by_uprn
            .get(&uprn)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.entries.get(i as usize))
            .filter_map(|e| self.lpis.get(e.lpi as usize))
            .collect()
    }

    pub(crate) fn field(&self, id: u32) -> &Field {
        &self.fields[id as usize]
    }
}

/// Groups flats and shells into buildings by street, PAO number and PAO
/// name: a shell "OAK COURT, 5 X ROAD" and its flats "FLAT n, OAK COURT, 5
/// X ROAD" share all three. This does not rely on `parent_uprn`, which some
/// gazetteers leave blank, and the Welsh LPIs of a block form a building of
/// their own with the same units.
fn group_buildings(lpis: &[Lpi], entries: &mut [Entry]) -> Vec<Building> {
    type Key = (Option<u32>, Option<PaoNum>, Option<u32>);
    let mut ids: HashMap<Key, u32> = HashMap::new();
    let mut members: Vec<Vec<(u64, bool)>> = Vec::new();
    let mut shells: Vec<Option<u64>> = Vec::new();
    for e in entries.iter_mut() {
        if e.unit.is_none() && !e.shell {
            continue;
        }
        let key = (e.street, e.pao, e.pao_name);
        let id = *ids.entry(key).or_insert_with(|| {
            members.push(Vec::new());
            shells.push(None);
            members.len() as u32 - 1
        });
        e.building = Some(id);
        let lpi = &lpis[e.lpi as usize];
        let live = lpi.logical_status != LogicalStatus::Historical;
        if e.unit.is_some() && !e.shell {
            members[id as usize].push((e.uprn, live));
            // Without a shell LPI, the flats' parent UPRN names the building.
            if shells[id as usize].is_none() {
                shells[id as usize] = lpi.parent_uprn;
            }
        } else if e.shell {
            shells[id as usize] = Some(e.uprn);
        }
    }
    members
        .into_iter()
        .zip(shells)
        .map(|(mut m, shell)| {
            let any_live = m.iter().any(|(_, live)| *live);
            m.retain(|(_, live)| *live || !any_live);
            let mut uprns: Vec<u64> = m.into_iter().map(|(u, _)| u).collect();
            uprns.sort_unstable();
            uprns.dedup();
            Building {
                units: uprns.len() as u32,
                only_unit: (uprns.len() == 1).then(|| uprns[0]),
                shell,
            }
        })
        .collect()
}
