//! The council's view of the town: what each source system would hold, with
//! its own identifiers, formats and mistakes.
//!
//! A system records a person once, when an account or claim is opened, and
//! keeps that record (with any typing slip) for the account's life, just as a
//! real system does. Event logs (contact centre, street scene, referrals) are
//! typed afresh each time. `docs/extracts.md` documents every file.

use crate::life::{EventKind, Happening, World};
use crate::names;
use crate::noise;
use crate::profile::{NoiseProfile, Profile};
use crate::town::*;
use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_pcg::Pcg64Mcg;
use std::collections::HashMap;
use upstream_core::{CrisisKind, Month, Pence, SourceSystem, Tenure};

const NONE: u32 = u32::MAX;

/// A person as one system recorded them.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub person: PersonId,
    pub title: &'static str,
    pub forename: String,
    pub middle: String,
    pub surname: String,
    pub dob: Option<NaiveDate>,
    pub nino: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The month the system recorded them.
    pub recorded: Month,
}

/// What a system asks for when it records someone.
#[derive(Debug, Clone, Copy)]
pub struct Holds {
    pub dob: f64,
    pub nino: f64,
    pub phone: f64,
    pub email: f64,
    pub middle: bool,
}

/// An address as one system recorded it: the home it means (the truth),
/// and what was written, element by element.
#[derive(Debug, Clone)]
pub struct RecordedAddress {
    pub dwelling: DwellingId,
    /// The premises, in order: ["Flat 3, 12 Oak Road"], or ["Flat 3, Oak
    /// Court", "12 Oak Road"], or ["Rose Cottage", "Heol y Bont"].
    pub premises: Vec<String>,
    /// Blank when left out.
    pub locality: String,
    pub town: String,
    pub postcode: String,
    pub uprn: Option<u64>,
    /// The month it was written.
    pub recorded: Month,
}

impl RecordedAddress {
    /// The address in `n` lines (`n` at least 1), as a system with that many
    /// address columns holds it: the premises first, then locality and town;
    /// when there are more parts than lines, the premises share the first
    /// line, then locality and town share the last. Unused lines are blank.
    pub fn lines(&self, n: usize) -> Vec<String> {
        let n = n.max(1);
        let mut premises: Vec<String> = self.premises.clone();
        let mut area: Vec<String> = [&self.locality, &self.town]
            .into_iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect();
        while premises.len() + area.len() > n {
            if premises.len() > 1 {
                let next = premises.remove(1);
                premises[0] = format!("{}, {next}", premises[0]);
            } else if area.len() > 1 {
                let last = area.pop().unwrap_or_default();
                area[0] = format!("{}, {last}", area[0]);
            } else if let Some(last) = area.pop() {
                match premises.first_mut() {
                    Some(p) => *p = format!("{p}, {last}"),
                    None => premises.push(last),
                }
            }
        }
        premises.extend(area);
        premises.resize(n, String::new());
        premises
    }

    /// The whole address on one line, without the postcode.
    pub fn one_line(&self) -> String {
        self.lines(1).remove(0)
    }

    /// The premises only ("Flat 3, 12 Oak Road"): what a job system records as the location.
    pub fn premises_line(&self) -> String {
        self.premises.join(", ")
    }
}

pub fn record_person(
    p: &Person,
    today: NaiveDate,
    noise_p: &NoiseProfile,
    holds: Holds,
    rng: &mut Pcg64Mcg,
) -> Recorded {
    let r = |rng: &mut Pcg64Mcg, x: f64| rng.random::<f64>() < x;
    let mut forename = p.forename.to_string();
    let mut surname = if p.surname != p.birth_surname && r(rng, noise_p.maiden_name_rate) {
        p.birth_surname.to_string()
    } else {
        p.surname.to_string()
    };
    if r(rng, noise_p.nickname_rate) {
        if let Some(n) = noise::nickname(&forename, rng) {
            forename = n;
        }
    }
    if r(rng, noise_p.typo_rate) {
        forename = noise::typo(&forename, rng);
    }
    if r(rng, noise_p.typo_rate) {
        surname = noise::typo(&surname, rng);
    }
    if r(rng, noise_p.name_swap_rate) {
        std::mem::swap(&mut forename, &mut surname);
    }
    let dob = if r(rng, holds.dob) && !r(rng, noise_p.dob_missing_rate) {
        if r(rng, noise_p.dob_error_rate) {
            noise::swap_day_month(p.dob).or_else(|| p.dob.with_day(((p.dob.day() + 9) % 28) + 1))
        } else {
            Some(p.dob)
        }
    } else {
        None
    };
    let nino = p.nino.as_ref().filter(|_| r(rng, holds.nino)).map(|n| {
        if r(rng, noise_p.nino_format_rate) {
            noise::nino_variant(n, rng)
        } else {
            n.clone()
        }
    });
    let phone = p
        .phone
        .as_ref()
        .filter(|_| r(rng, holds.phone) && !r(rng, noise_p.phone_missing_rate))
        .map(|ph| {
            if r(rng, 0.3) {
                noise::phone_variant(ph, rng)
            } else {
                ph.clone()
            }
        });
    let email = p.email.as_ref().filter(|_| r(rng, holds.email)).cloned();
    let recorded = Month::of(today);
    let married = p.partner.is_some() || p.surname != p.birth_surname;
    let title = if !p.female {
        "Mr"
    } else if married && p.age_at(today) > 25 {
        if r(rng, 0.8) {
            "Mrs"
        } else {
            "Ms"
        }
    } else if r(rng, 0.6) {
        "Miss"
    } else {
        "Ms"
    };
    Recorded {
        person: p.id,
        title,
        forename,
        middle: if holds.middle {
            p.middle.unwrap_or("").to_string()
        } else {
            String::new()
        },
        surname,
        dob,
        nino,
        phone,
        email,
        recorded,
    }
}

/// Where a household lives, as a system records it now.
fn home_address(
    w: &World,
    h: &Household,
    holds_uprn: bool,
    referral: bool,
    month: Month,
    rng: &mut Pcg64Mcg,
) -> RecordedAddress {
    record_address(
        &w.geo,
        &w.profile,
        h.dwelling,
        Recording {
            holds_uprn,
            referral,
            month,
        },
        rng,
    )
}

/// How an address comes to be written.
#[derive(Debug, Clone, Copy)]
pub struct Recording {
    /// The system holds UPRNs (picked from the gazetteer), though not always.
    pub holds_uprn: bool,
    /// A referral or job typed from a form or another agency's free text,
    /// which sometimes lacks a postcode.
    pub referral: bool,
    /// When it is written: the postcode then in use, and any recode before it.
    pub month: Month,
}

/// Home `id` as someone writes it into a council system in `rec.month`, with
/// the slips and habits the profile's `[noise]` rates describe. Whatever is
/// written, it still means this home: no slip here makes a different real
/// address (a flat keeps its number, a house its number and suffix).
pub fn record_address(
    geo: &Geography,
    profile: &Profile,
    id: DwellingId,
    rec: Recording,
    rng: &mut Pcg64Mcg,
) -> RecordedAddress {
    let np = &profile.noise;
    let r = |rng: &mut Pcg64Mcg, x: f64| rng.random::<f64>() < x;
    let d = &geo.dwellings[id as usize];
    let s = &geo.streets[d.street as usize];
    // In Wales a street with two names is written in either language.
    let welsh = s.welsh_name.is_some() && r(rng, np.welsh_name_rate);
    let mut street = match (&s.welsh_name, welsh) {
        (Some(cy), true) => cy.clone(),
        _ => s.name.clone(),
    };
    if r(rng, np.street_typo_rate) {
        street = noise::typo(&street, rng);
    }
    let in_block = d.flat.is_some() && d.name.is_some();
    let mut name = d.name.clone();
    if in_block && r(rng, np.building_name_missing_rate) {
        name = None;
    }
    if let Some(n) = name.as_mut() {
        if r(rng, np.street_typo_rate) {
            *n = noise::typo(n, rng);
        }
    }
    let mut number = d
        .number
        .map(|n| format!("{n}{}", d.suffix.map(String::from).unwrap_or_default()));
    // A block known by its name is often written without its street number.
    if in_block && name.is_some() && r(rng, np.building_number_missing_rate) {
        number = None;
    }
    let numbered_street = match &number {
        Some(n) => format!("{n} {street}"),
        None => street.clone(),
    };
    // A flat: "Flat 3", or the bare number ("3, 12 Oak Road") as systems fed
    // from a numbered SAO print it. A lettered flat keeps its word ("Flat A").
    // Written in Welsh, a flat is a "Fflat", as the gazetteer's CYM LPI has it.
    let flat_word = if welsh { "Fflat" } else { "Flat" };
    let (flat, bare) = match d.flat {
        Some(f) => {
            let id = f.id();
            let bare = f.number.is_some() && r(rng, np.flat_bare_number_rate);
            (
                Some(if bare {
                    id
                } else {
                    format!("{flat_word} {id}")
                }),
                bare,
            )
        }
        None => (None, false),
    };
    let mut premises = match (flat, name) {
        (Some(flat), Some(name)) => vec![format!("{flat}, {name}"), numbered_street],
        (None, Some(name)) => vec![name, numbered_street],
        (Some(flat), None) => vec![format!("{flat}, {numbered_street}")],
        (None, None) => vec![numbered_street],
    };
    // Other styles of the line that holds the street: "12 Oak Rd",
    // "3/12 Oak Road", "12 Oak Road Flat 3", capitals (not for a bare flat
    // number, whose styles would make it another address).
    if !bare && r(rng, np.address_style_rate) {
        if let Some(last) = premises.last_mut() {
            *last = noise::address_variant(last, rng);
        }
    }
    let locality = if r(rng, np.locality_missing_rate) {
        String::new()
    } else if welsh {
        names::welsh_place(&s.locality).to_string()
    } else {
        s.locality.clone()
    };
    let town = if r(rng, np.post_town_missing_rate) {
        String::new()
    } else {
        profile.town.post_town.clone()
    };
    // The postcode in use when written; after a recode, often still the old one.
    let mut postcode = d.postcode_at(rec.month).to_string();
    if let Some((old, when)) = &d.old_postcode {
        if *when <= rec.month && r(rng, np.stale_postcode_rate) {
            postcode = old.clone();
        }
    }
    if rec.referral && r(rng, np.postcode_missing_rate) {
        postcode.clear();
    }
    if !postcode.is_empty() {
        if r(rng, np.postcode_typo_rate) {
            postcode = noise::postcode_typo(&postcode, rng);
        }
        if r(rng, np.postcode_format_rate) {
            postcode = noise::postcode_variant(&postcode, rng);
        }
    }
    RecordedAddress {
        dwelling: id,
        premises,
        locality,
        town,
        postcode,
        uprn: (rec.holds_uprn && !r(rng, np.uprn_missing_rate)).then_some(d.uprn),
        recorded: rec.month,
    }
}

/// Home `id` as the housing system's property file holds it: the canonical
/// form, no slips, with the postcode current when the tenancy was set up.
pub fn property_address(geo: &Geography, id: DwellingId, month: Month) -> RecordedAddress {
    let d = &geo.dwellings[id as usize];
    let mut premises = vec![d.line1.clone()];
    if !d.line2.is_empty() {
        premises.push(d.line2.clone());
    }
    RecordedAddress {
        dwelling: id,
        premises,
        locality: d.locality.clone(),
        town: String::new(),
        postcode: d.postcode_at(month).to_string(),
        uprn: None,
        recorded: month,
    }
}

#[derive(Debug, Clone)]
pub struct CtAccount {
    pub account_ref: String,
    pub household: HouseholdId,
    pub dwelling: DwellingId,
    pub address: RecordedAddress,
    /// Liable people with their party number, which stays theirs for the account's life.
    pub parties: Vec<(u8, Recorded)>,
    pub opened: NaiveDate,
    pub closed: Option<Month>,
    /// A duplicate opened in error: never billed, closed after a few months.
    pub duplicate_of: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Claim {
    pub claim_ref: String,
    pub household: HouseholdId,
    pub claimant: Recorded,
    pub partner: Option<Recorded>,
    pub address: RecordedAddress,
    pub started: NaiveDate,
    pub closed: Option<Month>,
    pub ineligible_months: u8,
}

#[derive(Debug, Clone)]
pub struct Tenancy {
    pub tenancy_ref: String,
    pub household: HouseholdId,
    pub dwelling: DwellingId,
    /// The property file's address for the home.
    pub address: RecordedAddress,
    pub tenants: Vec<Recorded>,
    pub started: NaiveDate,
    pub closed: Option<Month>,
}

#[derive(Debug, Clone)]
pub struct Application {
    pub app_ref: String,
    pub household: HouseholdId,
    pub applicant: Recorded,
    pub address: RecordedAddress,
    pub registered: NaiveDate,
    pub reason: &'static str,
    pub band: char,
    pub status: &'static str,
    pub closed: Option<Month>,
}

#[derive(Debug, Clone)]
pub struct Elector {
    pub elector_number: String,
    pub person: PersonId,
    pub forenames: String,
    pub surname: String,
    pub address: RecordedAddress,
    pub added: NaiveDate,
    pub deleted: Option<NaiveDate>,
    pub attainer_dob: Option<NaiveDate>,
}

/// A row of an event-log source, already typed as the system would hold it.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub source: SourceSystem,
    pub key: String,
    pub fields: Vec<String>,
    pub people: Vec<(String, PersonId)>,
    /// Record keys whose row holds an address, and the UPRN it means.
    pub addresses: Vec<(String, u64)>,
}

/// A link from a source record to the true person: the truth behind linkage.
#[derive(Debug, Clone)]
pub struct RecordLink {
    pub source: SourceSystem,
    pub record_key: String,
    pub person: PersonId,
    pub first_month: Month,
}

pub struct Council {
    pub ct: Vec<CtAccount>,
    ct_of_household: Vec<u32>,
    ct_of_dwelling: HashMap<DwellingId, u32>,
    pub claims: Vec<Claim>,
    claim_of_household: Vec<u32>,
    declined_claim: Vec<bool>,
    pub tenancies: Vec<Tenancy>,
    tenancy_of_household: Vec<u32>,
    pub applications: Vec<Application>,
    app_of_household: Vec<u32>,
    pub electors: Vec<Elector>,
    elector_of_person: Vec<u32>,
    /// Electoral changes this month (for the monthly notice of alteration).
    pub elector_changes: Vec<(char, u32, NaiveDate)>,
    pub logs: Vec<LogRow>,
    pub new_links: Vec<RecordLink>,
    seq: u32,
}

fn grow<T: Clone>(v: &mut Vec<T>, len: usize, fill: T) {
    if v.len() < len {
        v.resize(len, fill);
    }
}

impl Default for Council {
    fn default() -> Self {
        Council::new()
    }
}

impl Council {
    pub fn new() -> Council {
        Council {
            ct: Vec::new(),
            ct_of_household: Vec::new(),
            ct_of_dwelling: HashMap::new(),
            claims: Vec::new(),
            claim_of_household: Vec::new(),
            declined_claim: Vec::new(),
            tenancies: Vec::new(),
            tenancy_of_household: Vec::new(),
            applications: Vec::new(),
            app_of_household: Vec::new(),
            electors: Vec::new(),
            elector_of_person: Vec::new(),
            elector_changes: Vec::new(),
            logs: Vec::new(),
            new_links: Vec::new(),
            seq: 0,
        }
    }

    fn next(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    fn link(&mut self, source: SourceSystem, key: String, person: PersonId, month: Month) {
        self.new_links.push(RecordLink {
            source,
            record_key: key,
            person,
            first_month: month,
        });
    }

    /// Bring every system up to date with the town at the end of `month`.
    /// `writing`: false during burn-in, when only the state (not the logs) matters.
    pub fn observe(
        &mut self,
        w: &World,
        happenings: &[Happening],
        month: Month,
        rng: &mut Pcg64Mcg,
    ) {
        self.logs.clear();
        self.elector_changes.clear();
        let n_h = w.households.len();
        grow(&mut self.ct_of_household, n_h, NONE);
        grow(&mut self.claim_of_household, n_h, NONE);
        grow(&mut self.declined_claim, n_h, false);
        grow(&mut self.tenancy_of_household, n_h, NONE);
        grow(&mut self.app_of_household, n_h, NONE);
        grow(&mut self.elector_of_person, w.people.len(), NONE);
        self.council_tax(w, month, rng);
        self.benefits(w, month, rng);
        self.rent(w, month, rng);
        self.housing_register(w, happenings, month, rng);
        self.electoral(w, happenings, month, rng);
        self.event_logs(w, happenings, month, rng);
    }

    fn liable(w: &World, h: &Household, today: NaiveDate) -> Vec<PersonId> {
        let adults: Vec<PersonId> = h
            .members
            .iter()
            .copied()
            .filter(|p| w.people[*p as usize].is_adult(today))
            .collect();
        // The couple if there is one, else the eldest adult (or two sharers).
        if let Some(a) = adults
            .iter()
            .copied()
            .find(|p| w.people[*p as usize].partner.is_some())
        {
            if let Some(b) = w.people[a as usize].partner {
                if h.members.contains(&b) {
                    return vec![a, b];
                }
            }
        }
        let mut by_age = adults;
        by_age.sort_by_key(|p| w.people[*p as usize].dob);
        by_age.truncate(if h.members.len() >= 2 && h.student_let {
            2
        } else {
            1
        });
        by_age
    }

    fn council_tax(&mut self, w: &World, month: Month, rng: &mut Pcg64Mcg) {
        let today = month.last_day();
        let np = &w.profile.noise;
        // Close accounts whose household has gone; duplicates are found and closed after a while.
        for (i, a) in self.ct.iter_mut().enumerate() {
            if a.closed.is_some() {
                continue;
            }
            let h = &w.households[a.household as usize];
            let gone = !h.active || h.dwelling != a.dwelling;
            let dup_found = a.duplicate_of.is_some() && rng.random::<f64>() < 0.15;
            if gone || dup_found {
                a.closed = Some(month);
                if self.ct_of_dwelling.get(&a.dwelling) == Some(&(i as u32)) {
                    self.ct_of_dwelling.remove(&a.dwelling);
                }
            }
        }
        for h in w
            .households
            .iter()
            .filter(|h| h.active && h.tenure != Tenure::TemporaryAccommodation)
        {
            let liable = Self::liable(w, h, today);
            if liable.is_empty() {
                continue;
            }
            let cur = self.ct_of_household[h.id as usize];
            let current = (cur != NONE
                && self.ct[cur as usize].closed.is_none()
                && self.ct[cur as usize].dwelling == h.dwelling)
                .then_some(cur);
            match current {
                Some(a) => {
                    // Liability changes (a partner left, someone died): parties follow, typed afresh if added.
                    let acc = &self.ct[a as usize];
                    let have: Vec<PersonId> = acc.parties.iter().map(|(_, p)| p.person).collect();
                    if have.iter().any(|p| !liable.contains(p))
                        || liable.iter().any(|p| !have.contains(p))
                    {
                        let mut next = acc.parties.iter().map(|(n, _)| *n).max().unwrap_or(0) + 1;
                        let mut parties: Vec<(u8, Recorded)> = acc
                            .parties
                            .iter()
                            .filter(|(_, p)| liable.contains(&p.person))
                            .cloned()
                            .collect();
                        for p in &liable {
                            if !have.contains(p) {
                                let r =
                                    record_person(&w.people[*p as usize], today, np, CT_HOLDS, rng);
                                parties.push((next, r));
                                let key = format!("{}/{}", self.ct[a as usize].account_ref, next);
                                self.link(SourceSystem::CouncilTax, key, *p, month);
                                next += 1;
                            }
                        }
                        self.ct[a as usize].parties = parties;
                    }
                }
                None => {
                    let opened = if h.moved_in < month {
                        h.moved_in.day(rng.random_range(1..29))
                    } else {
                        month.day(rng.random_range(1..29))
                    };
                    let id = self.open_ct(w, h, &liable, opened, month, None, rng);
                    self.ct_of_household[h.id as usize] = id;
                    self.ct_of_dwelling.insert(h.dwelling, id);
                    if rng.random::<f64>() < np.duplicate_account_rate {
                        self.open_ct(w, h, &liable, opened, month, Some(id), rng);
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn open_ct(
        &mut self,
        w: &World,
        h: &Household,
        liable: &[PersonId],
        opened: NaiveDate,
        month: Month,
        duplicate_of: Option<u32>,
        rng: &mut Pcg64Mcg,
    ) -> u32 {
        let np = &w.profile.noise;
        let today = month.last_day();
        let n = self.next();
        let account_ref = format!("{:08}", 40_000_000 + n);
        let address = home_address(w, h, true, false, month, rng);
        let parties: Vec<(u8, Recorded)> = liable
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    i as u8 + 1,
                    record_person(&w.people[*p as usize], today, np, CT_HOLDS, rng),
                )
            })
            .collect();
        for (i, p) in liable.iter().enumerate() {
            self.link(
                SourceSystem::CouncilTax,
                format!("{account_ref}/{}", i + 1),
                *p,
                month,
            );
        }
        self.ct.push(CtAccount {
            account_ref,
            household: h.id,
            dwelling: h.dwelling,
            address,
            parties,
            opened,
            closed: None,
            duplicate_of,
        });
        (self.ct.len() - 1) as u32
    }

    fn benefits(&mut self, w: &World, month: Month, rng: &mut Pcg64Mcg) {
        let today = month.last_day();
        let np = &w.profile.noise;
        let take_up = w.profile.council_tax.ctr_take_up;
        for h in w.households.iter() {
            let c = self.claim_of_household[h.id as usize];
            let open = c != NONE && self.claims[c as usize].closed.is_none();
            if !h.active {
                if open {
                    self.claims[c as usize].closed = Some(month);
                }
                continue;
            }
            let eligible = w.claim_eligible(h, today);
            if open {
                let claim = &mut self.claims[c as usize];
                let here = |p: PersonId| w.people[p as usize].alive && h.members.contains(&p);
                // A claimant's death reaches the council through Tell Us Once,
                // and a claimant who leaves stops being paid: the claim ends,
                // and whoever remains may claim afresh. A partner who dies or
                // leaves is taken off the claim when the change is reported
                // (not always at once: changes of circumstances go unreported
                // as moves do).
                if !here(claim.claimant.person) {
                    claim.closed = Some(month);
                    continue;
                }
                if let Some(p) = &claim.partner {
                    let died = !w.people[p.person as usize].alive;
                    if !here(p.person) && (died || rng.random::<f64>() > np.stale_address_rate) {
                        claim.partner = None;
                    }
                }
                if eligible {
                    claim.ineligible_months = 0;
                } else {
                    claim.ineligible_months += 1;
                    if claim.ineligible_months >= 2 {
                        claim.closed = Some(month);
                    }
                }
                // A move is reported, or the claim keeps the old address until review.
                if claim.address.dwelling != h.dwelling
                    && rng.random::<f64>() > np.stale_address_rate
                {
                    claim.address = home_address(w, h, true, false, month, rng);
                }
                continue;
            }
            if !eligible || self.declined_claim[h.id as usize] {
                continue;
            }
            if rng.random::<f64>() >= take_up {
                self.declined_claim[h.id as usize] = true;
                continue;
            }
            let liable = Self::liable(w, h, today);
            let Some(first) = liable.first().copied() else {
                continue;
            };
            let n = self.next();
            let claim_ref = format!("HB{:07}", n);
            let claimant = record_person(&w.people[first as usize], today, np, BEN_HOLDS, rng);
            self.link(
                SourceSystem::Benefits,
                format!("{claim_ref}/claimant"),
                first,
                month,
            );
            let partner = liable.get(1).map(|p| {
                self.link(
                    SourceSystem::Benefits,
                    format!("{claim_ref}/partner"),
                    *p,
                    month,
                );
                record_person(&w.people[*p as usize], today, np, BEN_HOLDS, rng)
            });
            let started = month.day(rng.random_range(1..29));
            self.claims.push(Claim {
                claim_ref,
                household: h.id,
                claimant,
                partner,
                address: home_address(w, h, true, false, month, rng),
                started,
                closed: None,
                ineligible_months: 0,
            });
            self.claim_of_household[h.id as usize] = (self.claims.len() - 1) as u32;
        }
    }

    fn rent(&mut self, w: &World, month: Month, rng: &mut Pcg64Mcg) {
        let today = month.last_day();
        let np = &w.profile.noise;
        for t in self.tenancies.iter_mut().filter(|t| t.closed.is_none()) {
            let h = &w.households[t.household as usize];
            if !h.active || h.dwelling != t.dwelling {
                t.closed = Some(month);
            }
        }
        for h in w.households.iter().filter(|h| h.active) {
            let d = &w.geo.dwellings[h.dwelling as usize];
            if !d.council_owned {
                continue;
            }
            let cur = self.tenancy_of_household[h.id as usize];
            if cur != NONE && self.tenancies[cur as usize].closed.is_none() {
                continue;
            }
            let liable = Self::liable(w, h, today);
            if liable.is_empty() {
                continue;
            }
            let n = self.next();
            let tenancy_ref = format!("T{:06}/{:02}", n % 1_000_000, n % 97);
            let tenants: Vec<Recorded> = liable
                .iter()
                .map(|p| record_person(&w.people[*p as usize], today, np, RENT_HOLDS, rng))
                .collect();
            for (i, p) in liable.iter().enumerate() {
                self.link(
                    SourceSystem::Rent,
                    format!("{tenancy_ref}/{}", i + 1),
                    *p,
                    month,
                );
            }
            let started = if h.moved_in < month {
                h.moved_in.day(rng.random_range(1..29))
            } else {
                month.day(rng.random_range(1..29))
            };
            self.tenancies.push(Tenancy {
                tenancy_ref,
                household: h.id,
                dwelling: h.dwelling,
                address: property_address(&w.geo, h.dwelling, month),
                tenants,
                started,
                closed: None,
            });
            self.tenancy_of_household[h.id as usize] = (self.tenancies.len() - 1) as u32;
        }
    }

    fn housing_register(
        &mut self,
        w: &World,
        happenings: &[Happening],
        month: Month,
        rng: &mut Pcg64Mcg,
    ) {
        let today = month.last_day();
        let np = &w.profile.noise;
        for a in self.applications.iter_mut().filter(|a| a.closed.is_none()) {
            let h = &w.households[a.household as usize];
            if !h.active {
                a.closed = Some(month);
                a.status = "cancelled";
            } else if h.tenure == Tenure::SocialRent && h.moved_in == month {
                a.closed = Some(month);
                a.status = "housed";
            } else if rng.random::<f64>() < 0.01 {
                // Annual review not returned.
                a.closed = Some(month);
                a.status = "lapsed";
            } else if a.address.dwelling != h.dwelling
                && rng.random::<f64>() > np.stale_address_rate
            {
                a.address = home_address(w, h, false, false, month, rng);
            }
        }
        let mut apply: Vec<(HouseholdId, &'static str, char)> = Vec::new();
        for hap in happenings {
            let (p, reason, band) = match (hap.kind, hap.crisis) {
                (
                    EventKind::Crisis,
                    Some(CrisisKind::HomelessnessPrevention | CrisisKind::HomelessnessRelief),
                ) => (0.7, "homeless", 'A'),
                (EventKind::Crisis, Some(CrisisKind::TemporaryAccommodation)) => {
                    (0.9, "temporary_accommodation", 'A')
                }
                (EventKind::NoticeToQuit, _) => (0.25, "notice_to_quit", 'B'),
                (EventKind::NewBaby, _) => (0.05, "overcrowding", 'C'),
                (EventKind::IllnessOrCareNeed, _) => (0.05, "medical", 'B'),
                (EventKind::FinancialDifficulty, _) => (0.03, "affordability", 'D'),
                _ => continue,
            };
            if rng.random::<f64>() < p {
                apply.push((hap.household, reason, band));
            }
        }
        for (hh, reason, band) in apply {
            let h = &w.households[hh as usize];
            let cur = self.app_of_household[hh as usize];
            if !h.active
                || (cur != NONE && self.applications[cur as usize].closed.is_none())
                || h.tenure == Tenure::Owner
            {
                continue;
            }
            let Some(lead) = Self::liable(w, h, today).first().copied() else {
                continue;
            };
            let n = self.next();
            let app_ref = format!("HR/{}/{:06}", month.year(), n % 1_000_000);
            let applicant = record_person(&w.people[lead as usize], today, np, HR_HOLDS, rng);
            self.link(SourceSystem::HousingRegister, app_ref.clone(), lead, month);
            self.applications.push(Application {
                app_ref,
                household: hh,
                applicant,
                address: home_address(w, h, false, false, month, rng),
                registered: month.day(rng.random_range(1..29)),
                reason,
                band,
                status: "active",
                closed: None,
            });
            self.app_of_household[hh as usize] = (self.applications.len() - 1) as u32;
        }
    }

    fn electoral(&mut self, w: &World, happenings: &[Happening], month: Month, rng: &mut Pcg64Mcg) {
        let today = month.last_day();
        let np = &w.profile.noise;
        let rate = w.profile.people.electoral_registration_rate;
        let canvass = month.month() == 12;
        for hap in happenings {
            if hap.kind == EventKind::Death {
                if let Some(p) = hap.person {
                    let e = self
                        .elector_of_person
                        .get(p as usize)
                        .copied()
                        .unwrap_or(NONE);
                    if e != NONE
                        && self.electors[e as usize].deleted.is_none()
                        && rng.random::<f64>() < 0.8
                    {
                        self.electors[e as usize].deleted = Some(hap.date);
                        self.elector_changes.push(('D', e, hap.date));
                    }
                }
            }
        }
        for h in w.households.iter().filter(|h| h.active) {
            for &p in &h.members {
                let person = &w.people[p as usize];
                let age = person.age_at(today);
                if age < 17 {
                    continue;
                }
                let e = self.elector_of_person[p as usize];
                let registered_here = e != NONE
                    && self.electors[e as usize].deleted.is_none()
                    && self.electors[e as usize].address.dwelling == h.dwelling;
                if registered_here {
                    continue;
                }
                // Movers register at their new home some months later; the canvass catches most.
                let p_register = if canvass {
                    rate
                } else if e == NONE && age == 17 {
                    0.1
                } else {
                    0.08
                };
                if rng.random::<f64>() >= p_register {
                    continue;
                }
                if e != NONE && self.electors[e as usize].deleted.is_none() {
                    self.electors[e as usize].deleted = Some(today);
                    self.elector_changes.push(('D', e, today));
                }
                let rec = record_person(person, today, np, EROLL_HOLDS, rng);
                let d = &w.geo.dwellings[h.dwelling as usize];
                let lsoa = d.lsoa;
                let n = self.next();
                let elector_number = format!(
                    "{}{}-{}",
                    (b'A' + (lsoa % 26) as u8) as char,
                    (b'A' + ((lsoa / 26) % 26) as u8) as char,
                    n
                );
                let forenames = if rec.middle.is_empty() {
                    rec.forename.clone()
                } else {
                    format!("{} {}", rec.forename, rec.middle)
                };
                self.link(
                    SourceSystem::ElectoralRegister,
                    elector_number.clone(),
                    p,
                    month,
                );
                self.electors.push(Elector {
                    elector_number,
                    person: p,
                    forenames,
                    surname: rec.surname,
                    address: home_address(w, h, true, false, month, rng),
                    added: today,
                    deleted: None,
                    attainer_dob: (age == 17).then_some(person.dob),
                });
                let id = (self.electors.len() - 1) as u32;
                self.elector_of_person[p as usize] = id;
                self.elector_changes.push(('A', id, today));
            }
        }
        if canvass {
            // The canvass removes people no longer at the address.
            for (i, e) in self.electors.iter_mut().enumerate() {
                if e.deleted.is_some() {
                    continue;
                }
                let p = &w.people[e.person as usize];
                let here = p.alive
                    && p.household.map(|hh| w.households[hh as usize].dwelling)
                        == Some(e.address.dwelling);
                if !here && rng.random::<f64>() < 0.85 {
                    e.deleted = Some(today);
                    self.elector_changes.push(('D', i as u32, today));
                }
            }
        }
    }

    fn event_logs(
        &mut self,
        w: &World,
        happenings: &[Happening],
        month: Month,
        rng: &mut Pcg64Mcg,
    ) {
        let today = month.last_day();
        let np = &w.profile.noise;
        let cp = &w.profile.contact;
        let routine_contact = cp.routine_contacts_annual / 12.0;
        let routine_bulky = cp.bulky_waste_annual / 12.0;
        // Routine contacts happen whatever else does: most records are not about trouble.
        let n_h = w.households.len();
        let mut triggers: Vec<(HouseholdId, Option<PersonId>, &'static str, NaiveDate)> =
            Vec::new();
        for _ in 0..poisson_count(rng, routine_contact * w.n_active() as f64) {
            let hh = rng.random_range(0..n_h) as HouseholdId;
            if w.households[hh as usize].active {
                let topic = [
                    "waste_and_recycling",
                    "council_tax_enquiry",
                    "parking",
                    "schools",
                    "planning",
                    "libraries",
                ][rng.random_range(0..6)];
                triggers.push((hh, None, topic, month.day(rng.random_range(1..=31))));
            }
        }
        for hap in happenings {
            let topic = match (hap.kind, hap.crisis) {
                (EventKind::FinancialDifficulty, _) if rng.random::<f64>() < 0.35 => {
                    "benefits_enquiry"
                }
                (EventKind::FirstMissedCouncilTax, _) if rng.random::<f64>() < 0.2 => {
                    "council_tax_payment"
                }
                (EventKind::NoticeToQuit, _) if rng.random::<f64>() < 0.45 => "housing_advice",
                (EventKind::Bereavement, _) if rng.random::<f64>() < 0.6 => {
                    "bereavement_tell_us_once"
                }
                (EventKind::MovedIn, _) | (EventKind::MovedWithinArea, _)
                    if rng.random::<f64>() < 0.5 =>
                {
                    "council_tax_moving_home"
                }
                (EventKind::JobLoss, _) if rng.random::<f64>() < 0.25 => "benefits_enquiry",
                (EventKind::Crisis, Some(CrisisKind::EnforcementAgent))
                    if rng.random::<f64>() < 0.5 =>
                {
                    "council_tax_enforcement"
                }
                (EventKind::Crisis, Some(CrisisKind::CrisisGrant)) => "crisis_support_application",
                (EventKind::Separation, _) if rng.random::<f64>() < 0.2 => {
                    "council_tax_change_of_circumstances"
                }
                (EventKind::IllnessOrCareNeed, _) if rng.random::<f64>() < 0.15 => {
                    "adult_social_care_enquiry"
                }
                _ => continue,
            };
            triggers.push((hap.household, hap.person, topic, hap.date));
        }
        for (hh, person, topic, date) in triggers {
            let h = &w.households[hh as usize];
            let Some(p) = person
                .filter(|p| w.people[*p as usize].is_adult(today))
                .or_else(|| Self::liable(w, h, today).first().copied())
            else {
                continue;
            };
            let channel = match h.channel {
                Channel::Email => "email",
                Channel::Text | Channel::Phone => "phone",
                Channel::Letter => ["phone", "face_to_face"][rng.random_range(0..2)],
            };
            // What the adviser's system captures depends on the channel: an
            // email always carries its sender; a call usually shows its number.
            let holds = match channel {
                "email" => CONTACT_BY_EMAIL,
                "phone" => CONTACT_BY_PHONE,
                _ => CONTACT_IN_PERSON,
            };
            let rec = record_person(&w.people[p as usize], today, np, holds, rng);
            let addr = home_address(w, h, false, false, month, rng);
            let n = self.next();
            let key = format!("CC{:09}", n);
            let caller = match rng.random_range(0..4) {
                0 => format!("{} {} {}", rec.title, initial(&rec.forename), rec.surname),
                1 => format!("{} {}", rec.forename, rec.surname).to_lowercase(),
                _ => format!("{} {}", rec.forename, rec.surname),
            };
            let time = format!(
                "{}T{:02}:{:02}:00",
                date,
                rng.random_range(8..18),
                rng.random_range(0..60)
            );
            // Advisers take the address for some contacts only, and
            // sometimes just the postcode to find the account.
            let give_address = rng.random::<f64>() < 0.6;
            let postcode = if give_address || rng.random::<bool>() {
                addr.postcode.clone()
            } else {
                String::new()
            };
            let address = if give_address {
                addr.one_line()
            } else {
                String::new()
            };
            let uprn = w.geo.dwellings[addr.dwelling as usize].uprn;
            let addresses = if postcode.is_empty() && address.is_empty() {
                Vec::new()
            } else {
                vec![(key.clone(), uprn)]
            };
            self.logs.push(LogRow {
                source: SourceSystem::ContactCentre,
                key: key.clone(),
                fields: vec![
                    key.clone(),
                    time,
                    channel.to_string(),
                    caller,
                    rec.phone.unwrap_or_default(),
                    postcode,
                    address,
                    rec.email.unwrap_or_default(),
                    topic.to_string(),
                ],
                people: vec![(key, p)],
                addresses,
            });
        }
        // Street scene: bulky waste at moments of change, and routinely.
        let mut jobs: Vec<(HouseholdId, NaiveDate, &'static str)> = Vec::new();
        for _ in 0..poisson_count(rng, routine_bulky * w.n_active() as f64) {
            let hh = rng.random_range(0..n_h) as HouseholdId;
            if w.households[hh as usize].active {
                let kind = [
                    "bulky_waste",
                    "bulky_waste",
                    "missed_bin",
                    "garden_waste_subscription",
                ][rng.random_range(0..4)];
                jobs.push((hh, month.day(rng.random_range(1..=31)), kind));
            }
        }
        for hap in happenings {
            let p = match hap.kind {
                EventKind::MovedIn | EventKind::MovedWithinArea => 0.12,
                EventKind::Bereavement => 0.25,
                EventKind::Separation => 0.2,
                EventKind::LeftArea => 0.08,
                _ => continue,
            };
            if rng.random::<f64>() < p {
                jobs.push((hap.household, hap.date, "bulky_waste"));
            }
        }
        for (hh, date, kind) in jobs {
            let h = &w.households[hh as usize];
            let Some(p) = Self::liable(w, h, today).first().copied() else {
                continue;
            };
            let rec = record_person(&w.people[p as usize], today, np, STREET_HOLDS, rng);
            let addr = home_address(w, h, true, true, month, rng);
            let uprn = w.geo.dwellings[addr.dwelling as usize].uprn;
            let n = self.next();
            let key = format!("SS-{}-{:07}", date.year(), n % 10_000_000);
            let items = if kind == "bulky_waste" {
                [
                    "sofa",
                    "mattress",
                    "fridge freezer",
                    "wardrobe",
                    "bed frame, mattress",
                    "washing machine",
                    "carpet and underlay",
                    "table and chairs",
                ][rng.random_range(0..8)]
            } else {
                ""
            };
            self.logs.push(LogRow {
                source: SourceSystem::StreetScene,
                key: key.clone(),
                fields: vec![
                    key.clone(),
                    date.format("%d/%m/%Y").to_string(),
                    kind.to_string(),
                    format!("{} {}", rec.forename, rec.surname),
                    addr.premises_line(),
                    addr.postcode.clone(),
                    addr.uprn.map(|u| u.to_string()).unwrap_or_default(),
                    rec.phone.unwrap_or_default(),
                    rec.email.unwrap_or_default(),
                    items.to_string(),
                ],
                people: vec![(key.clone(), p)],
                addresses: vec![(key, uprn)],
            });
        }
        // Early help: families under strain.
        for hap in happenings {
            let h = &w.households[hap.household as usize];
            let children: Vec<PersonId> = h
                .members
                .iter()
                .copied()
                .filter(|p| w.people[*p as usize].age_at(today) < 18)
                .collect();
            if children.is_empty() || !h.active {
                continue;
            }
            let (p, reason) = match (hap.kind, hap.crisis) {
                (EventKind::FinancialDifficulty, _) => (0.06, "financial_hardship"),
                (EventKind::Separation, _) => (0.12, "parental_separation"),
                (EventKind::NoticeToQuit, _) => (0.08, "housing_instability"),
                (
                    EventKind::Crisis,
                    Some(CrisisKind::HomelessnessPrevention | CrisisKind::HomelessnessRelief),
                ) => (0.3, "homelessness"),
                (EventKind::NewBaby, _) if h.in_difficulty => (0.1, "new_baby_support"),
                (EventKind::Bereavement, _) => (0.1, "bereavement"),
                _ => continue,
            };
            if rng.random::<f64>() >= p {
                continue;
            }
            let child = children[rng.random_range(0..children.len())];
            let Some(parent) = h
                .members
                .iter()
                .copied()
                .find(|m| w.people[*m as usize].is_adult(today) && w.people[*m as usize].female)
                .or_else(|| Self::liable(w, h, today).first().copied())
            else {
                continue;
            };
            let c = record_person(&w.people[child as usize], today, np, EH_HOLDS, rng);
            let pr = record_person(&w.people[parent as usize], today, np, EH_HOLDS, rng);
            let addr = home_address(w, h, false, true, month, rng);
            let uprn = w.geo.dwellings[addr.dwelling as usize].uprn;
            let n = self.next();
            let key = format!("EH{:07}", n % 10_000_000);
            let referrer = [
                "school",
                "health_visitor",
                "police",
                "gp",
                "self",
                "housing",
            ][rng.random_range(0..6)];
            self.logs.push(LogRow {
                source: SourceSystem::EarlyHelp,
                key: key.clone(),
                fields: vec![
                    key.clone(),
                    hap.date.format("%d/%m/%Y").to_string(),
                    c.forename,
                    c.surname,
                    fmt_dmy(c.dob),
                    pr.forename,
                    pr.surname,
                    fmt_dmy(pr.dob),
                    addr.one_line(),
                    addr.postcode,
                    referrer.to_string(),
                    reason.to_string(),
                ],
                people: vec![
                    (format!("{key}/child"), child),
                    (format!("{key}/parent"), parent),
                ],
                addresses: vec![
                    (format!("{key}/child"), uprn),
                    (format!("{key}/parent"), uprn),
                ],
            });
        }
        // Adult social care: new care needs, mostly among older people.
        for hap in happenings {
            let Some(p) = hap.person else { continue };
            let person = &w.people[p as usize];
            let (prob, reason) = match hap.kind {
                EventKind::IllnessOrCareNeed if person.age_at(today) >= 65 => {
                    (0.5, "care_and_support_needs")
                }
                EventKind::IllnessOrCareNeed => (0.12, "disability_support"),
                _ => continue,
            };
            if rng.random::<f64>() >= prob || !person.alive {
                continue;
            }
            let h = &w.households[hap.household as usize];
            let rec = record_person(person, today, np, ASC_HOLDS, rng);
            let addr = home_address(w, h, false, true, month, rng);
            let uprn = w.geo.dwellings[addr.dwelling as usize].uprn;
            let lines = addr.lines(2);
            let n = self.next();
            let key = format!("ASC-{:06}", n % 1_000_000);
            let source = [
                "gp",
                "hospital_discharge",
                "family",
                "self",
                "district_nurse",
            ][rng.random_range(0..5)];
            self.logs.push(LogRow {
                source: SourceSystem::AdultSocialCare,
                key: key.clone(),
                fields: vec![
                    key.clone(),
                    hap.date.to_string(),
                    rec.title.to_string(),
                    rec.forename,
                    rec.surname,
                    rec.dob.map(|d| d.to_string()).unwrap_or_default(),
                    lines[0].clone(),
                    lines[1].clone(),
                    addr.postcode,
                    rec.phone.unwrap_or_default(),
                    source.to_string(),
                    reason.to_string(),
                ],
                people: vec![(key.clone(), p)],
                addresses: vec![(key, uprn)],
            });
        }
        for row in &self.logs {
            for (key, p) in &row.people {
                self.new_links.push(RecordLink {
                    source: row.source,
                    record_key: key.clone(),
                    person: *p,
                    first_month: month,
                });
            }
        }
    }

    /// Link homelessness case records to their applicants (cases are written from the world).
    pub fn link_cases(&mut self, w: &World, month: Month) {
        for c in w.cases.iter().filter(|c| Month::of(c.approached) == month) {
            self.new_links.push(RecordLink {
                source: SourceSystem::Homelessness,
                record_key: case_ref(c.id, c.approached),
                person: c.applicant,
                first_month: month,
            });
        }
    }
}

pub fn case_ref(id: u32, approached: NaiveDate) -> String {
    format!("HOM{}{:06}", approached.format("%y"), id)
}

pub fn fmt_dmy(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

fn initial(s: &str) -> String {
    s.chars().next().map(|c| c.to_string()).unwrap_or_default()
}

fn poisson_count(rng: &mut Pcg64Mcg, mean: f64) -> usize {
    use rand_distr::{Distribution, Poisson};
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean)
        .map(|p| p.sample(rng) as usize)
        .unwrap_or(0)
}

// What each system asks for when it records a person (share of records holding the field).
const CT_HOLDS: Holds = Holds {
    dob: 0.35,
    nino: 0.0,
    phone: 0.6,
    email: 0.45,
    middle: false,
};
const BEN_HOLDS: Holds = Holds {
    dob: 1.0,
    nino: 0.98,
    phone: 0.7,
    email: 0.4,
    middle: true,
};
const RENT_HOLDS: Holds = Holds {
    dob: 0.9,
    nino: 0.6,
    phone: 0.85,
    email: 0.3,
    middle: false,
};
const HR_HOLDS: Holds = Holds {
    dob: 1.0,
    nino: 0.8,
    phone: 0.9,
    email: 0.7,
    middle: true,
};
const CONTACT_BY_PHONE: Holds = Holds {
    dob: 0.0,
    nino: 0.0,
    // Caller display, unless the number is withheld.
    phone: 0.9,
    email: 0.0,
    middle: false,
};
const CONTACT_BY_EMAIL: Holds = Holds {
    dob: 0.0,
    nino: 0.0,
    phone: 0.3,
    email: 1.0,
    middle: false,
};
const CONTACT_IN_PERSON: Holds = Holds {
    dob: 0.0,
    nino: 0.0,
    phone: 0.5,
    email: 0.1,
    middle: false,
};
const STREET_HOLDS: Holds = Holds {
    dob: 0.0,
    nino: 0.0,
    phone: 0.7,
    email: 0.5,
    middle: false,
};
const EH_HOLDS: Holds = Holds {
    dob: 0.95,
    nino: 0.0,
    phone: 0.0,
    email: 0.0,
    middle: false,
};
const ASC_HOLDS: Holds = Holds {
    dob: 0.97,
    nino: 0.0,
    phone: 0.8,
    email: 0.0,
    middle: false,
};
const EROLL_HOLDS: Holds = Holds {
    dob: 0.0,
    nino: 0.0,
    phone: 0.0,
    email: 0.0,
    middle: true,
};

impl World {
    /// Whether a household would qualify for council tax reduction / housing benefit.
    pub fn claim_eligible(&self, h: &Household, today: NaiveDate) -> bool {
        let mut earnings = Pence::ZERO;
        let mut pensioner = false;
        for p in &h.members {
            match self.people[*p as usize].work {
                Work::Employed { monthly_gross } => earnings += monthly_gross,
                Work::Retired => pensioner = true,
                _ => {}
            }
        }
        let _ = today;
        let threshold = if pensioner {
            120_000
        } else {
            150_000 + 40_000 * (h.members.len() as i64 - 1)
        };
        earnings.0 < threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashSet;

    fn town(profile: &Profile) -> Geography {
        let first = profile.town.start_month.plus(-12);
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let mut estate = Pcg64Mcg::seed_from_u64(4);
        build_geography(profile, 3000, first, &mut rng, &mut estate)
    }

    fn quiet(mut p: Profile) -> Profile {
        let n = &mut p.noise;
        for x in [
            &mut n.address_style_rate,
            &mut n.locality_missing_rate,
            &mut n.post_town_missing_rate,
            &mut n.building_name_missing_rate,
            &mut n.building_number_missing_rate,
            &mut n.flat_bare_number_rate,
            &mut n.street_typo_rate,
            &mut n.stale_postcode_rate,
            &mut n.postcode_missing_rate,
            &mut n.postcode_typo_rate,
            &mut n.postcode_format_rate,
            &mut n.welsh_name_rate,
            &mut n.uprn_missing_rate,
        ] {
            *x = 0.0;
        }
        p
    }

    fn words(s: &str) -> HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_uppercase)
            .collect()
    }

    fn record(geo: &Geography, p: &Profile, id: DwellingId, rng: &mut Pcg64Mcg) -> RecordedAddress {
        let rec = Recording {
            holds_uprn: true,
            referral: true,
            month: p.town.start_month,
        };
        record_address(geo, p, id, rec, rng)
    }

    #[test]
    fn without_noise_an_address_is_written_as_royal_mail_would() {
        for name in ["birmingham", "ceredigion"] {
            let p = quiet(Profile::load(name).expect("profile"));
            let geo = town(&p);
            let mut rng = Pcg64Mcg::seed_from_u64(1);
            for (i, d) in geo.dwellings.iter().enumerate() {
                let a = record(&geo, &p, i as DwellingId, &mut rng);
                let mut canonical = vec![d.line1.clone()];
                if !d.line2.is_empty() {
                    canonical.push(d.line2.clone());
                }
                assert_eq!(a.premises, canonical);
                assert_eq!(a.locality, d.locality);
                assert_eq!(a.town, p.town.post_town);
                assert_eq!(a.postcode, d.postcode);
                assert_eq!(a.uprn, Some(d.uprn));
            }
        }
    }

    #[test]
    fn noisy_addresses_differ_but_keep_their_numbers() {
        for name in ["birmingham", "ceredigion"] {
            let mut p = Profile::load(name).expect("profile");
            let n = &mut p.noise;
            n.address_style_rate = 1.0;
            n.locality_missing_rate = 0.5;
            n.post_town_missing_rate = 0.5;
            n.building_name_missing_rate = 0.5;
            n.building_number_missing_rate = 0.5;
            n.flat_bare_number_rate = 0.3;
            n.street_typo_rate = 0.5;
            n.welsh_name_rate = 0.5;
            let geo = town(&p);
            let mut rng = Pcg64Mcg::seed_from_u64(2);
            let mut dropped_numbers = 0;
            for (i, d) in geo.dwellings.iter().enumerate() {
                let canonical = if d.line2.is_empty() {
                    d.line1.clone()
                } else {
                    format!("{}, {}", d.line1, d.line2)
                };
                for _ in 0..5 {
                    let a = record(&geo, &p, i as DwellingId, &mut rng);
                    let written = a.premises_line();
                    assert_ne!(written, canonical, "noise changes the address");
                    let w = words(&written);
                    if let Some(f) = d.flat {
                        assert!(w.contains(&f.id()), "flat {} in {written}", f.id());
                    }
                    if let Some(n) = d.number {
                        let number =
                            format!("{n}{}", d.suffix.map(String::from).unwrap_or_default());
                        if !w.contains(&number) {
                            // Only a named block may be written by its name alone.
                            assert!(
                                d.flat.is_some() && d.name.is_some(),
                                "{canonical} -> {written}"
                            );
                            dropped_numbers += 1;
                        }
                    }
                }
            }
            assert!(name == "ceredigion" || dropped_numbers > 0);
        }
    }

    #[test]
    fn a_recoded_home_is_written_with_its_old_or_new_postcode() {
        let mut p = quiet(Profile::load("birmingham").expect("profile"));
        p.noise.stale_postcode_rate = 0.5;
        let mut geo = town(&p);
        let start = p.town.start_month;
        let id = 10;
        let old = geo.dwellings[id].postcode.clone();
        geo.dwellings[id].postcode = "B99 9ZZ".into();
        geo.dwellings[id].old_postcode = Some((old.clone(), start));
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let at = |m: Month, rng: &mut Pcg64Mcg| {
            let rec = Recording {
                holds_uprn: false,
                referral: false,
                month: m,
            };
            record_address(&geo, &p, id as DwellingId, rec, rng).postcode
        };
        assert!(
            (0..50).all(|_| at(start.plus(-1), &mut rng) == old),
            "before the recode"
        );
        let after: HashSet<String> = (0..200).map(|_| at(start, &mut rng)).collect();
        assert_eq!(after, HashSet::from([old, "B99 9ZZ".to_string()]));
    }

    #[test]
    fn address_lines_put_the_premises_first() {
        let a = RecordedAddress {
            dwelling: 0,
            premises: vec!["Flat 3, Oak Court".into(), "12 Oak Road".into()],
            locality: "Acocks Green".into(),
            town: "BIRMINGHAM".into(),
            postcode: "B27 6AA".into(),
            uprn: None,
            recorded: Month::of(chrono::NaiveDate::MIN),
        };
        assert_eq!(
            a.lines(4),
            [
                "Flat 3, Oak Court",
                "12 Oak Road",
                "Acocks Green",
                "BIRMINGHAM"
            ]
        );
        assert_eq!(
            a.lines(3),
            [
                "Flat 3, Oak Court, 12 Oak Road",
                "Acocks Green",
                "BIRMINGHAM"
            ]
        );
        assert_eq!(
            a.lines(2),
            ["Flat 3, Oak Court, 12 Oak Road", "Acocks Green, BIRMINGHAM"]
        );
        assert_eq!(
            a.one_line(),
            "Flat 3, Oak Court, 12 Oak Road, Acocks Green, BIRMINGHAM"
        );
        let bare = RecordedAddress {
            premises: vec!["12 Oak Road".into()],
            locality: String::new(),
            ..a
        };
        assert_eq!(bare.lines(3), ["12 Oak Road", "BIRMINGHAM", ""]);
        assert_eq!(bare.lines(0), ["12 Oak Road, BIRMINGHAM"]);
    }
}
