//! Addresses, residence periods and households from linked records, as
//! people live them.
//!
//! An address is the UPRN its text was placed on through the gazetteer (or
//! that a record gave), and only when it could not be placed, its
//! standardised text and postcode. Each record says where its person is in
//! one of three ways (`HouseholdConfig`): for as long as the record lasts
//! (an account, a claim, a tenancy, a registration), on the day of a contact
//! only, or as a home they have left (never where they live now).
//!
//! A person lives in one place at a time: when two addresses' evidence
//! overlaps, the one that began later wins, because systems learn of a move
//! at different times and the older record is the one nobody updated (a
//! benefit claim or a registration left at the old address). A council tax
//! account that closed at a property while its holder opened none there
//! again means they left it: liability follows occupation.
//!
//! A household is the people living at one address at overlapping times; its
//! make-up on a date is the members whose stay covers that date. Households
//! reaching the end of the data are current, so a person is in at most one
//! current household.

use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// How a source's address places its person (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Lives there while the record lasts.
    Lives,
    /// Gave that address on the day of a contact.
    OnDate,
    /// Lived there before; not a home now.
    Previous,
}

/// Where an address is, once placed: a UPRN, or failing that its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    /// `uprn:100070012345`, or `line:13 LOZELLS CLOSE ...|B16 1ZQ` when unplaced.
    pub key: String,
    pub uprn: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

impl Place {
    pub fn placed(uprn: &str, address: Option<String>, postcode: Option<String>) -> Place {
        Place {
            key: format!("uprn:{uprn}"),
            uprn: Some(uprn.to_string()),
            address,
            postcode,
        }
    }

    /// An address that could not be placed is known by its text and postcode.
    pub fn unplaced(address: &str, postcode: &str) -> Place {
        Place {
            key: format!("line:{address}|{postcode}"),
            uprn: None,
            address: Some(address.to_string()),
            postcode: Some(postcode.to_string()).filter(|p| !p.is_empty()),
        }
    }
}

/// One version of one record: a person placed at an address on a date.
#[derive(Debug, Clone)]
pub struct Sighting {
    pub person: i64,
    pub source: String,
    pub record_key: String,
    /// The extract date (snapshots) or the event's date (logs).
    pub date: NaiveDate,
    /// When the record's fact began (an account opened), if the source says.
    pub started: Option<NaiveDate>,
    /// Shared: a place is seen in many sightings (every month's version of
    /// every record there), and a city has tens of millions of sightings.
    pub place: std::sync::Arc<Place>,
    /// This version ends the record (a register deletion).
    pub removal: bool,
}

/// How each source places its people; the rest of the sources place them on
/// the day only.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdConfig {
    /// Sources whose records say where a person lives for as long as the
    /// record lasts: accounts, claims, tenancies, registrations, applications.
    #[serde(default)]
    pub lives: Vec<String>,
    /// Sources whose address is a home the person has left (a homelessness
    /// case's last settled address).
    #[serde(default)]
    pub previous: Vec<String>,
    /// Sources whose account is the property (council tax): an account runs
    /// from when it opened, and one that closed means its holder left.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Rows that end a record in a source that lists only changes between
    /// full extracts (the register's deletions).
    #[serde(default)]
    pub removals: Vec<Removal>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    pub source: String,
    pub attribute: String,
    pub values: Vec<String>,
}

impl HouseholdConfig {
    pub fn role_of(&self, source: &str) -> Role {
        if self.lives.iter().any(|s| s == source) {
            Role::Lives
        } else if self.previous.iter().any(|s| s == source) {
            Role::Previous
        } else {
            Role::OnDate
        }
    }

    /// Whether a row with these attributes ends its record.
    pub fn is_removal(&self, source: &str, attribute: impl Fn(&str) -> Option<String>) -> bool {
        self.removals.iter().any(|r| {
            r.source == source && attribute(&r.attribute).is_some_and(|v| r.values.contains(&v))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub id: i64,
    pub key: String,
    pub uprn: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

/// A person's stay at an address, after the rules above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residence {
    pub person: i64,
    pub address: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sources: BTreeSet<String>,
}

/// One member's stay in a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay {
    pub person: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: i64,
    pub address: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub current: bool,
    /// Every member's stay, by person id (one stay each: a member who was
    /// away a while is counted from their first day to their last).
    pub members: Vec<Stay>,
}

impl Household {
    pub fn member_ids(&self) -> Vec<i64> {
        self.members.iter().map(|m| m.person).collect()
    }

    /// Who lived there on `date`.
    pub fn members_on(&self, date: NaiveDate) -> impl Iterator<Item = i64> + '_ {
        self.members
            .iter()
            .filter(move |m| m.from <= date && date <= m.to)
            .map(|m| m.person)
    }
}

pub struct SingleView {
    pub addresses: Vec<Address>,
    pub residences: Vec<Residence>,
    pub households: Vec<Household>,
    /// The last date of the data: households reaching it are current.
    pub data_end: NaiveDate,
}

/// One stretch of evidence: a record at a place from one date to another.
#[derive(Debug, Clone)]
struct Span {
    place: usize,
    from: NaiveDate,
    to: NaiveDate,
    role: Role,
    account: bool,
    source: String,
}

/// Build addresses, residences and households from every sighting.
pub fn build(sightings: &[Sighting], config: &HouseholdConfig) -> SingleView {
    let data_end = sightings
        .iter()
        .map(|s| s.date)
        .max()
        .unwrap_or(NaiveDate::MIN);
    // Places get ids in key order, so the same data gives the same ids.
    let keys: BTreeMap<&str, &Place> = sightings
        .iter()
        .filter(|s| config.role_of(&s.source) != Role::Previous)
        .map(|s| (s.place.key.as_str(), s.place.as_ref()))
        .collect();
    let place_index: HashMap<&str, usize> = keys.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let addresses: Vec<Address> = keys
        .values()
        .enumerate()
        .map(|(i, p)| Address {
            id: i as i64 + 1,
            key: p.key.clone(),
            uprn: p.uprn.clone(),
            address: p.address.clone(),
            postcode: p.postcode.clone(),
        })
        .collect();

    let latest_full = latest_full_extracts(sightings);
    // Each record's versions in date order.
    let mut records: BTreeMap<(&str, &str), Vec<&Sighting>> = BTreeMap::new();
    for s in sightings {
        if config.role_of(&s.source) == Role::Previous {
            continue;
        }
        records
            .entry((s.source.as_str(), s.record_key.as_str()))
            .or_default()
            .push(s);
    }
    let mut spans_of: BTreeMap<i64, Vec<Span>> = BTreeMap::new();
    for ((source, _), mut versions) in records {
        versions.sort_by_key(|s| s.date);
        let role = config.role_of(source);
        let account = config.accounts.iter().any(|a| a == source);
        let person = versions[0].person;
        let spans = spans_of.entry(person).or_default();
        let first_new = spans.len();
        for v in &versions {
            let place = place_index[v.place.key.as_str()];
            let own = spans.len() > first_new;
            match spans.last_mut() {
                Some(last) if own && last.place == place => last.to = v.date,
                _ => spans.push(Span {
                    place,
                    from: v.date,
                    to: v.date,
                    role,
                    account,
                    source: source.to_string(),
                }),
            }
        }
        if role != Role::Lives {
            continue;
        }
        let last = versions[versions.len() - 1];
        let first = versions[0];
        // A record in its source's latest full extract is still live at the
        // end of the data, however many change-only extracts followed; one
        // added after that full extract lasts until a row removes it.
        let full = latest_full.get(source).copied();
        let still_live =
            !last.removal && full.is_some_and(|full| last.date == full || first.date > full);
        if let Some(s) = spans.last_mut() {
            if still_live {
                s.to = data_end;
            }
            // A removal says the person is no longer there from its date.
            if last.removal && s.from < last.date {
                s.to = last.date.pred_opt().unwrap_or(last.date);
            }
        }
        // An account runs from when it opened, often before the first extract.
        if account {
            if let (Some(started), Some(s)) = (first.started, spans.get_mut(first_new)) {
                if started < s.from {
                    s.from = started;
                }
            }
        }
    }

    close_on_new_occupier(&mut spans_of);
    // People no lasting record follows (children named in a referral,
    // adults seen only in calls): nothing would tell us of their move.
    let contacts_only: BTreeSet<i64> = spans_of
        .iter()
        .filter(|(_, spans)| spans.iter().all(|s| s.role != Role::Lives))
        .map(|(p, _)| *p)
        .collect();
    // People no account follows (not liable for council tax: children,
    // adults on the register or a claim only): when they vanish from the
    // records, nothing says where they went.
    // For each of them, the latest full extract of any source that records
    // where they live (the register's December canvass): had they lived at
    // a new home by then, it would show them there.
    let unaccounted: BTreeMap<i64, Option<NaiveDate>> = spans_of
        .iter()
        .filter(|(_, spans)| spans.iter().all(|s| !s.account))
        .map(|(p, spans)| {
            let canvassed = spans
                .iter()
                .filter(|s| s.role == Role::Lives)
                .filter_map(|s| latest_full.get(s.source.as_str()).copied())
                .max();
            (*p, canvassed)
        })
        .collect();
    let mut residences: Vec<Residence> = Vec::new();
    for (person, spans) in &mut spans_of {
        close_on_account_end(spans);
        residences.extend(resolve(*person, spans, &addresses));
    }
    live_on_with_the_household(&mut residences, &contacts_only);
    move_with_the_household(&mut residences, &unaccounted, data_end);

    let mut by_place: BTreeMap<i64, Vec<&Residence>> = BTreeMap::new();
    for r in &residences {
        by_place.entry(r.address).or_default().push(r);
    }
    let mut households = Vec::new();
    for (address, mut stays) in by_place {
        stays.sort_by_key(|r| (r.from, r.to, r.person));
        let mut open: Option<Household> = None;
        for r in stays {
            let stay = Stay {
                person: r.person,
                from: r.from,
                to: r.to,
            };
            match &mut open {
                // Stays that overlap are one household; one that begins the
                // day another ends is the next occupier.
                Some(h) if r.from < h.to || (r.from == h.to && r.from == r.to) => {
                    h.to = h.to.max(r.to);
                    match h.members.iter_mut().find(|m| m.person == r.person) {
                        Some(m) => {
                            m.from = m.from.min(r.from);
                            m.to = m.to.max(r.to);
                        }
                        None => h.members.push(stay),
                    }
                }
                _ => {
                    households.extend(open.take());
                    open = Some(Household {
                        id: 0,
                        address,
                        from: r.from,
                        to: r.to,
                        current: false,
                        members: vec![stay],
                    });
                }
            }
        }
        households.extend(open);
    }
    for (i, h) in households.iter_mut().enumerate() {
        h.id = i as i64 + 1;
        h.current = h.to == data_end;
        h.members.sort_by_key(|m| m.person);
    }
    SingleView {
        addresses,
        residences,
        households,
        data_end,
    }
}

/// People no lasting record follows are taken to live on with the people
/// they were last seen with, for as long as those people stay: their last
/// stay runs to the latest end of the stays it overlaps at that address.
fn live_on_with_the_household(residences: &mut [Residence], contacts_only: &BTreeSet<i64>) {
    let last = last_stays(residences);
    let mut ends: Vec<(usize, NaiveDate)> = Vec::new();
    for (person, &i) in &last {
        if !contacts_only.contains(person) {
            continue;
        }
        let r = &residences[i];
        let end = residences
            .iter()
            .filter(|o| o.address == r.address && o.person != r.person)
            .filter(|o| o.from <= r.to && r.from <= o.to)
            .map(|o| o.to)
            .max();
        if let Some(end) = end.filter(|e| *e > r.to) {
            ends.push((i, end));
        }
    }
    for (i, end) in ends {
        residences[i].to = end;
    }
}

/// A family moves together. Someone no account follows who vanishes from
/// the records (a child, an adult on the register only, whose registration
/// lapsed at the canvass) while everyone they lived with moved on to one
/// new home is taken to have moved with them: children and adults who are
/// not liable are re-recorded only at the next canvass or referral. Nobody
/// is moved when some of the household stayed, when they went to different
/// homes, or when a full extract taken since the move (a canvass) would
/// have shown the person at the new home and did not.
fn move_with_the_household(
    residences: &mut Vec<Residence>,
    unaccounted: &BTreeMap<i64, Option<NaiveDate>>,
    data_end: NaiveDate,
) {
    let last = last_stays(residences);
    let mut by_person: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut by_address: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, r) in residences.iter().enumerate() {
        by_person.entry(r.person).or_default().push(i);
        by_address.entry(r.address).or_default().push(i);
    }
    let mut moves: Vec<Residence> = Vec::new();
    for (person, &i) in &last {
        let r = &residences[i];
        let Some(canvassed) = unaccounted.get(person) else {
            continue;
        };
        if r.to >= data_end {
            continue;
        }
        let housemates: Vec<&Residence> = by_address[&r.address]
            .iter()
            .map(|&j| &residences[j])
            .filter(|o| o.person != r.person && o.from <= r.to && r.from <= o.to)
            .collect();
        if housemates.is_empty() || housemates.iter().any(|o| o.to >= data_end) {
            continue;
        }
        // Where each housemate lives now; those who vanished too say nothing.
        let next: Vec<&Residence> = housemates
            .iter()
            .filter_map(|o| {
                by_person[&o.person]
                    .iter()
                    .map(|&j| &residences[j])
                    .filter(|n| n.from > o.to && n.to >= data_end)
                    .min_by_key(|n| n.from)
            })
            .collect();
        let Some(first) = next.first() else {
            continue;
        };
        let arrived = next.iter().map(|n| n.from).min().unwrap_or(first.from);
        // A full extract taken after the family arrived would have shown
        // them at the new home had they gone too.
        let would_show = canvassed.is_some_and(|full| full > arrived);
        if !would_show && next.iter().all(|n| n.address == first.address) {
            let from = arrived.max(r.to.succ_opt().unwrap_or(r.to));
            moves.push(Residence {
                person: *person,
                address: first.address,
                from,
                to: data_end,
                sources: BTreeSet::from(["moved with the household".to_string()]),
            });
        }
    }
    residences.extend(moves);
}

/// Each person's latest stay (by its end), as an index into `residences`.
fn last_stays(residences: &[Residence]) -> BTreeMap<i64, usize> {
    let mut last: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, r) in residences.iter().enumerate() {
        let e = last.entry(r.person).or_insert(i);
        if residences[*e].to < r.to {
            *e = i;
        }
    }
    last
}

/// For each source, the extract date on which most of its records were
/// last seen: its latest full extract. Sources that send only changes in
/// between (the register's monthly notices) have later, smaller extracts.
fn latest_full_extracts(sightings: &[Sighting]) -> HashMap<&str, NaiveDate> {
    let mut last: HashMap<(&str, &str), NaiveDate> = HashMap::new();
    for s in sightings {
        let e = last
            .entry((s.source.as_str(), s.record_key.as_str()))
            .or_insert(s.date);
        *e = (*e).max(s.date);
    }
    let mut counts: HashMap<(&str, NaiveDate), usize> = HashMap::new();
    for ((source, _), date) in last {
        *counts.entry((source, date)).or_default() += 1;
    }
    let mut best: HashMap<&str, (usize, NaiveDate)> = HashMap::new();
    for ((source, date), n) in counts {
        let e = best.entry(source).or_insert((n, date));
        if (n, date) > *e {
            *e = (n, date);
        }
    }
    best.into_iter().map(|(s, (_, d))| (s, d)).collect()
}

/// A new occupier (a council tax account opened at a property by people
/// none of whom lived there before) means those living there on records
/// that nobody updates (a registration, a claim) have gone: liability
/// follows occupation, and a property changes hands far more often than a
/// stranger takes on the bill of a home others stay in. Someone who holds an
/// account there too, or whose record there is renewed after the arrival
/// (a new registration), stays.
fn close_on_new_occupier(spans_of: &mut BTreeMap<i64, Vec<Span>>) {
    // Accounts opened at each place on each date, and whether any of their
    // holders was there before.
    let mut opened: BTreeMap<(usize, NaiveDate), (Vec<i64>, bool)> = BTreeMap::new();
    for (person, spans) in spans_of.iter() {
        for s in spans.iter().filter(|s| s.account) {
            let earlier = spans.iter().any(|o| o.place == s.place && o.from < s.from);
            let e = opened.entry((s.place, s.from)).or_default();
            e.0.push(*person);
            e.1 |= earlier;
        }
    }
    let mut arrivals: HashMap<usize, Vec<(NaiveDate, Vec<i64>)>> = HashMap::new();
    for ((place, date), (holders, earlier)) in opened {
        if !earlier {
            arrivals.entry(place).or_default().push((date, holders));
        }
    }
    for (person, spans) in spans_of.iter_mut() {
        for i in 0..spans.len() {
            let s = &spans[i];
            if s.account || s.role != Role::Lives {
                continue;
            }
            let Some(arrived) = arrivals.get(&s.place) else {
                continue;
            };
            let cut = arrived
                .iter()
                .filter(|(d, holders)| *d > s.from && *d <= s.to && !holders.contains(person))
                .map(|(d, _)| *d)
                .min();
            let Some(d) = cut else { continue };
            let stays_on = spans.iter().any(|o| {
                o.place == s.place && ((o.account && o.from <= d && d <= o.to) || o.from >= d)
            });
            if !stays_on {
                spans[i].to = d.pred_opt().unwrap_or(d);
            }
        }
    }
}

/// A council tax account that closed at a property, while its holder has
/// no later account there, means they left: other records that still place
/// them there afterwards were not told.
fn close_on_account_end(spans: &mut [Span]) {
    let mut account_end: HashMap<usize, NaiveDate> = HashMap::new();
    for s in spans.iter().filter(|s| s.account) {
        let e = account_end.entry(s.place).or_insert(s.to);
        *e = (*e).max(s.to);
    }
    for s in spans.iter_mut().filter(|s| !s.account) {
        if let Some(&end) = account_end.get(&s.place) {
            if s.to > end && s.from <= end {
                s.to = end;
            }
        }
    }
}

/// One person's stays: where the evidence for two places overlaps, the
/// place whose evidence began later wins; a contact on the day places them
/// only where no lasting record does.
fn resolve(person: i64, spans: &[Span], addresses: &[Address]) -> Vec<Residence> {
    let mut cuts: BTreeSet<NaiveDate> = BTreeSet::new();
    for s in spans {
        cuts.insert(s.from);
        cuts.insert(s.to);
    }
    let cuts: Vec<NaiveDate> = cuts.into_iter().collect();
    // The winning span at each cut date and in each gap after it.
    let winner = |from: NaiveDate, to: NaiveDate| -> Option<&Span> {
        spans
            .iter()
            .filter(|s| s.from <= from && to <= s.to)
            .max_by_key(|s| (s.role == Role::Lives, s.from, std::cmp::Reverse(s.place)))
    };
    let mut out: Vec<Residence> = Vec::new();
    let mut push = |span: &Span, from: NaiveDate, to: NaiveDate| match out.last_mut() {
        Some(r)
            if r.address == addresses[span.place].id && r.to >= from.pred_opt().unwrap_or(from) =>
        {
            r.to = r.to.max(to);
            r.sources.insert(span.source.clone());
        }
        _ => out.push(Residence {
            person,
            address: addresses[span.place].id,
            from,
            to,
            sources: BTreeSet::from([span.source.clone()]),
        }),
    };
    for (i, &d) in cuts.iter().enumerate() {
        if let Some(s) = winner(d, d) {
            push(s, d, d);
        }
        if let Some(&next) = cuts.get(i + 1) {
            // Strictly between two cut dates no span starts or ends.
            if let (Some(after), Some(before)) = (d.succ_opt(), next.pred_opt()) {
                if after <= before {
                    if let Some(s) = winner(after, before) {
                        push(s, after, before);
                    }
                }
            }
        }
    }
    // Sources that agreed on a place are all named on the stay.
    for r in out.iter_mut() {
        for s in spans {
            if addresses[s.place].id == r.address && s.from <= r.to && r.from <= s.to {
                r.sources.insert(s.source.clone());
            }
        }
    }
    out
}

/// A household as an earlier run saved it. `members` are person ids as this
/// run knows them: the caller maps a person merged since into the survivor.
#[derive(Debug, Clone)]
pub struct PreviousHousehold {
    pub id: i64,
    pub address_key: String,
    pub members: Vec<i64>,
    pub current: bool,
}

/// An earlier run's household that this run has no successor for, and the
/// household its people now live in: one family seen twice, or a family
/// that joined another. What pointed at `from` now points at `into`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseholdMerge {
    pub from: i64,
    pub into: i64,
}

/// Give each household the id it had in the previous run, so a worklist
/// entry or a case keeps pointing at the family it was made for. Each id is
/// used once; others get new ids from `first_free` up (the caller knows
/// every id ever given, including those of households since gone).
///
/// The order is what a caseworker expects of a case: it follows its people
/// while any of them lives somewhere now.
/// 1. A current household takes the id of the previous household at the
///    same address sharing most members (people stay put far more often
///    than they move, and a grown child staying on keeps the home's id).
/// 2. A current household still without one takes the id of the previous
///    household sharing most members anywhere: a family that moved, or an
///    address now placed on its UPRN that was keyed on its text.
/// 3. A past household takes the id of the previous household at its
///    address only if that one was past too, or none of its people live
///    anywhere now: a current family's id must not stay behind with the
///    record of where they used to live.
/// 4. A previous household left without a successor is merged into the
///    current household holding most of its people, else into the past one
///    holding most of them. Only a household none of whose people appear
///    in this run at all is left with nothing to point at.
pub fn inherit_household_ids(
    view: &mut SingleView,
    previous: &[PreviousHousehold],
    first_free: i64,
) -> Vec<HouseholdMerge> {
    let key_of: HashMap<i64, &str> = view
        .addresses
        .iter()
        .map(|a| (a.id, a.key.as_str()))
        .collect();
    let mut at: HashMap<&str, Vec<&PreviousHousehold>> = HashMap::new();
    let mut with_member: HashMap<i64, Vec<&PreviousHousehold>> = HashMap::new();
    for p in previous {
        at.entry(p.address_key.as_str()).or_default().push(p);
        for m in &p.members {
            with_member.entry(*m).or_default().push(p);
        }
    }
    let living_now: HashSet<i64> = view
        .households
        .iter()
        .filter(|h| h.current)
        .flat_map(|h| h.members.iter().map(|s| s.person))
        .collect();
    let mut next = first_free.max(previous.iter().map(|p| p.id).max().unwrap_or(0) + 1);
    let mut used: BTreeSet<i64> = BTreeSet::new();
    let best_of = |cands: &mut dyn Iterator<Item = &&PreviousHousehold>,
                   members: &[i64],
                   used: &BTreeSet<i64>| {
        cands
            .filter(|p| !used.contains(&p.id))
            .map(|p| {
                let shared = p.members.iter().filter(|m| members.contains(m)).count();
                (shared, std::cmp::Reverse(p.id))
            })
            .filter(|(shared, _)| *shared > 0)
            .max()
            .map(|(_, std::cmp::Reverse(id))| id)
    };
    let mut ids: Vec<Option<i64>> = vec![None; view.households.len()];
    // 1. Current households, same address.
    for (i, h) in view.households.iter().enumerate() {
        if !h.current {
            continue;
        }
        if let Some(cs) = key_of.get(&h.address).and_then(|k| at.get(k)) {
            ids[i] = best_of(&mut cs.iter(), &h.member_ids(), &used);
            used.extend(ids[i]);
        }
    }
    // 2. Current households, same people anywhere.
    for (i, h) in view.households.iter().enumerate() {
        if ids[i].is_some() || !h.current {
            continue;
        }
        let members = h.member_ids();
        let mut cands: Vec<&PreviousHousehold> = members
            .iter()
            .filter_map(|m| with_member.get(m))
            .flatten()
            .copied()
            .collect();
        cands.sort_by_key(|p| p.id);
        cands.dedup_by_key(|p| p.id);
        ids[i] = best_of(&mut cands.iter(), &members, &used);
        used.extend(ids[i]);
    }
    // 3. Past households, same address, unless the id belongs with people
    //    who live somewhere now.
    for (i, h) in view.households.iter().enumerate() {
        if h.current {
            continue;
        }
        if let Some(cs) = key_of.get(&h.address).and_then(|k| at.get(k)) {
            let mut free = cs
                .iter()
                .filter(|p| !p.current || !p.members.iter().any(|m| living_now.contains(m)));
            ids[i] = best_of(&mut free, &h.member_ids(), &used);
            used.extend(ids[i]);
        }
    }
    for (h, id) in view.households.iter_mut().zip(ids) {
        h.id = id.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
    }
    // 4. Previous households with no successor follow their people.
    let mut merges = Vec::new();
    for p in previous.iter().filter(|p| !used.contains(&p.id)) {
        let into = view
            .households
            .iter()
            .map(|h| {
                let shared = p
                    .members
                    .iter()
                    .filter(|m| h.members.iter().any(|s| s.person == **m))
                    .count();
                (h.current, shared, std::cmp::Reverse(h.id))
            })
            .filter(|(_, shared, _)| *shared > 0)
            .max();
        if let Some((_, _, std::cmp::Reverse(into))) = into {
            merges.push(HouseholdMerge { from: p.id, into });
        }
    }
    merges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, 1).unwrap()
    }

    fn config() -> HouseholdConfig {
        HouseholdConfig {
            lives: vec!["council_tax".into(), "benefits".into(), "register".into()],
            previous: vec!["homelessness".into()],
            accounts: vec!["council_tax".into()],
            removals: vec![Removal {
                source: "register".into(),
                attribute: "record_type".into(),
                values: vec!["D".into()],
            }],
        }
    }

    fn seen(person: i64, source: &str, key: &str, month: u32, uprn: &str) -> Sighting {
        Sighting {
            person,
            source: source.into(),
            record_key: key.into(),
            date: day(month),
            started: None,
            place: std::sync::Arc::new(Place::placed(uprn, None, None)),
            removal: false,
        }
    }

    /// Monthly versions of one record from `from` to `to` at one UPRN.
    fn record(
        person: i64,
        source: &str,
        key: &str,
        from: u32,
        to: u32,
        uprn: &str,
    ) -> Vec<Sighting> {
        (from..=to)
            .map(|m| seen(person, source, key, m, uprn))
            .collect()
    }

    fn current_of(v: &SingleView, person: i64) -> Vec<i64> {
        v.households
            .iter()
            .filter(|h| {
                h.current
                    && h.members
                        .iter()
                        .any(|m| m.person == person && m.to == v.data_end)
            })
            .map(|h| h.address)
            .collect()
    }

    #[test]
    fn a_benefit_claim_left_at_the_old_address_does_not_keep_a_mover_there() {
        let mut s = record(1, "council_tax", "A", 1, 5, "10");
        s.extend(record(1, "council_tax", "B", 6, 12, "20"));
        // The claim was not told of the move in June.
        s.extend(record(1, "benefits", "C", 1, 12, "10"));
        s.extend(record(2, "council_tax", "D", 1, 12, "30"));
        let v = build(&s, &config());
        let at = |uprn: &str| {
            v.addresses
                .iter()
                .find(|a| a.uprn.as_deref() == Some(uprn))
                .unwrap()
                .id
        };
        assert_eq!(current_of(&v, 1), vec![at("20")], "one current home");
        let r1: Vec<_> = v.residences.iter().filter(|r| r.person == 1).collect();
        assert_eq!(r1.len(), 2);
        assert_eq!(
            r1[0].to,
            day(5),
            "the old home ends when the account closed"
        );
        assert_eq!(r1[1].from, day(6));
    }

    #[test]
    fn the_later_of_two_overlapping_homes_wins_without_an_account() {
        let mut s = record(1, "register", "E1", 1, 12, "10");
        s.extend(record(1, "benefits", "C", 7, 12, "20"));
        let v = build(&s, &config());
        let r: Vec<_> = v.residences.iter().filter(|r| r.person == 1).collect();
        assert_eq!(r.len(), 2);
        assert!(r[0].to < day(7) && r[1].from == day(7));
        assert_eq!(current_of(&v, 1).len(), 1);
    }

    #[test]
    fn a_contact_on_the_day_does_not_move_anyone() {
        let mut s = record(1, "council_tax", "A", 1, 12, "10");
        s.push(seen(1, "contact_centre", "X1", 6, "99"));
        // Someone known only from calls is placed where they called from.
        s.push(seen(2, "contact_centre", "X2", 3, "50"));
        let v = build(&s, &config());
        let r1: Vec<_> = v.residences.iter().filter(|r| r.person == 1).collect();
        assert_eq!(r1.len(), 1, "{r1:?}");
        assert!(v.residences.iter().any(|r| r.person == 2));
    }

    #[test]
    fn a_last_settled_address_is_never_a_home() {
        let mut s = record(1, "council_tax", "A", 1, 12, "10");
        s.push(seen(1, "homelessness", "H1", 12, "99"));
        let v = build(&s, &config());
        assert_eq!(v.addresses.len(), 1);
        assert_eq!(v.residences.len(), 1);
    }

    #[test]
    fn a_registration_added_after_the_full_register_lasts_until_deleted() {
        // The full register in January and October; monthly changes between.
        let mut s = Vec::new();
        for p in 0..5 {
            s.push(seen(p, "register", &format!("R{p}"), 1, "10"));
            s.push(seen(p, "register", &format!("R{p}"), 10, "10"));
        }
        s.extend(record(9, "council_tax", "A", 1, 12, "10"));
        s.push(seen(6, "register", "A6", 11, "10"));
        let mut gone = seen(7, "register", "A7", 11, "10");
        s.push(gone.clone());
        gone.date = day(12);
        gone.removal = true;
        s.push(gone);
        let v = build(&s, &config());
        let h = v.households.iter().find(|h| h.current).unwrap();
        let on_end: Vec<i64> = h.members_on(v.data_end).collect();
        assert!(on_end.contains(&6), "added and not deleted: {on_end:?}");
        assert!(!on_end.contains(&7), "deleted in December");
        assert!(on_end.contains(&0), "in the latest full register");
    }

    #[test]
    fn a_new_occupier_means_the_registered_residents_left() {
        // A couple on the register only; a stranger opens the council tax
        // account in August; the register was not told they left.
        let mut s = record(1, "register", "E1", 1, 12, "10");
        s.extend(record(2, "register", "E2", 1, 12, "10"));
        let mut arrival = record(3, "council_tax", "A", 8, 12, "10");
        arrival[0].started = Some(NaiveDate::from_ymd_opt(2024, 7, 20).unwrap());
        s.extend(arrival);
        let v = build(&s, &config());
        let h = v.households.iter().find(|h| h.current).unwrap();
        assert_eq!(h.members_on(v.data_end).collect::<Vec<_>>(), vec![3]);
        // The same account opened by someone already living there (a
        // partner taking over the bill) is no new occupier.
        let mut s = record(1, "register", "E1", 1, 12, "10");
        s.extend(record(3, "register", "E3", 1, 12, "10"));
        s.extend(record(3, "council_tax", "A", 8, 12, "10"));
        let v = build(&s, &config());
        let h = v.households.iter().find(|h| h.current).unwrap();
        assert_eq!(h.members_on(v.data_end).collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn a_child_seen_once_lives_on_with_the_family() {
        let mut s = record(1, "council_tax", "A", 1, 12, "10");
        s.push(seen(2, "early_help", "R1/child", 3, "10"));
        let v = build(&s, &config());
        let h = v.households.iter().find(|h| h.current).unwrap();
        assert_eq!(h.members_on(v.data_end).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn a_child_moves_with_the_family_that_moves_together() {
        // The register's full extracts are in January and June. A couple
        // (on council tax and a claim) and a child named once in a referral
        // move from 10 to 20 in September, after the canvass; a new
        // occupier takes 10. An adult child on the register only, still
        // registered at 10, moves with them: the next canvass would say so.
        let register = |person: i64, key: &str, uprn: &str| {
            [1, 6].map(|m| seen(person, "register", key, m, uprn))
        };
        let mut s = record(1, "council_tax", "A", 1, 8, "10");
        s.extend(record(1, "council_tax", "B", 9, 12, "20"));
        s.extend(record(2, "benefits", "C", 1, 8, "10"));
        s.extend(record(2, "benefits", "C2", 9, 12, "20"));
        s.push(seen(3, "early_help", "R1/child", 3, "10"));
        s.extend(register(4, "E4", "10"));
        s.extend(record(5, "council_tax", "N", 9, 12, "10"));
        s.extend(register(8, "E8", "80"));
        let v = build(&s, &config());
        let with_1 = |v: &SingleView| {
            v.households
                .iter()
                .map(|h| h.members_on(v.data_end).collect::<Vec<_>>())
                .find(|now| now.contains(&1))
                .unwrap()
        };
        assert_eq!(with_1(&v), vec![1, 2, 3, 4]);
        // Had the family moved before June's canvass, the register would
        // show the adult child at 20: they did not go.
        let mut early = record(1, "council_tax", "A", 1, 4, "10");
        early.extend(record(1, "council_tax", "B", 5, 12, "20"));
        early.extend(record(5, "council_tax", "N", 5, 12, "10"));
        early.push(seen(4, "register", "E4", 1, "10"));
        early.extend(register(8, "E8", "80"));
        let v = build(&early, &config());
        assert_eq!(with_1(&v), vec![1]);
        // When one of the household stays behind, nobody is moved by guess.
        let mut s = record(1, "council_tax", "A", 1, 8, "10");
        s.extend(record(1, "council_tax", "B", 9, 12, "20"));
        s.extend(register(2, "E2", "10"));
        s.extend(register(4, "E4", "10"));
        s.extend(register(8, "E8", "80"));
        let v = build(&s, &config());
        assert_eq!(with_1(&v), vec![1]);
    }

    #[test]
    fn the_next_occupier_is_another_household() {
        let mut s = record(1, "council_tax", "A", 1, 6, "10");
        s.extend(record(2, "council_tax", "B", 6, 12, "10"));
        let v = build(&s, &config());
        assert_eq!(v.households.len(), 2, "{:?}", v.households);
        assert!(!v.households[0].current && v.households[1].current);
    }

    #[test]
    fn households_keep_their_ids_across_runs() {
        let c = config();
        let first = build(
            &[
                record(1, "council_tax", "A", 1, 2, "10"),
                record(2, "council_tax", "B", 1, 2, "10"),
                record(3, "council_tax", "C", 1, 2, "20"),
            ]
            .concat(),
            &c,
        );
        let previous: Vec<PreviousHousehold> = first
            .households
            .iter()
            .map(|h| PreviousHousehold {
                id: h.id + 100,
                address_key: first
                    .addresses
                    .iter()
                    .find(|a| a.id == h.address)
                    .unwrap()
                    .key
                    .clone(),
                members: h.member_ids(),
                current: h.current,
            })
            .collect();
        // Next month someone new appears at an address first in key order,
        // which shifts every freshly numbered id.
        let mut second = build(
            &[
                record(9, "council_tax", "Z", 1, 3, "05"),
                record(1, "council_tax", "A", 1, 3, "10"),
                record(3, "council_tax", "C", 1, 3, "20"),
            ]
            .concat(),
            &c,
        );
        let merges = inherit_household_ids(&mut second, &previous, 1);
        assert!(merges.is_empty());
        let id_of = |v: &SingleView, person: i64| {
            v.households
                .iter()
                .find(|h| h.member_ids().contains(&person))
                .unwrap()
                .id
        };
        let was = |person: i64| {
            previous
                .iter()
                .find(|p| p.members.contains(&person))
                .unwrap()
                .id
        };
        assert_eq!(id_of(&second, 1), was(1));
        assert_eq!(id_of(&second, 3), was(3));
        assert!(id_of(&second, 9) > previous.iter().map(|p| p.id).max().unwrap());
    }

    #[test]
    fn one_family_seen_twice_is_merged_into_the_older_id() {
        // The last run had this family twice: its address written two ways.
        let previous = vec![
            PreviousHousehold {
                id: 7,
                address_key: "line:13 LOZELLS CLOSE|B16 1ZQ".into(),
                members: vec![1, 2],
                current: true,
            },
            PreviousHousehold {
                id: 4,
                address_key: "line:13 LOZELLS CLOSE BIRMINGHAM|B16 1ZQ".into(),
                members: vec![1, 2],
                current: true,
            },
        ];
        let mut now = build(
            &[
                record(1, "council_tax", "A", 1, 3, "10"),
                record(2, "register", "E", 1, 3, "10"),
            ]
            .concat(),
            &config(),
        );
        let merges = inherit_household_ids(&mut now, &previous, 8);
        assert_eq!(now.households.len(), 1);
        assert_eq!(now.households[0].id, 4, "the older id survives");
        assert_eq!(merges, vec![HouseholdMerge { from: 7, into: 4 }]);
    }

    fn was(id: i64, uprn: &str, members: &[i64]) -> PreviousHousehold {
        PreviousHousehold {
            id,
            address_key: format!("uprn:{uprn}"),
            members: members.to_vec(),
            current: true,
        }
    }

    #[test]
    fn a_family_that_moved_keeps_its_id_and_its_old_home_gets_a_new_one() {
        let previous = vec![was(5, "10", &[1, 2])];
        let mut now = build(
            &[
                record(1, "council_tax", "A", 1, 2, "10"),
                record(2, "register", "E", 1, 2, "10"),
                record(1, "council_tax", "B", 3, 4, "20"),
                record(2, "register", "F", 3, 4, "20"),
            ]
            .concat(),
            &config(),
        );
        let merges = inherit_household_ids(&mut now, &previous, 8);
        assert!(merges.is_empty());
        let current: Vec<_> = now.households.iter().filter(|h| h.current).collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].id, 5, "the case follows the family");
        assert!(now
            .households
            .iter()
            .filter(|h| !h.current)
            .all(|h| h.id >= 8));
    }

    #[test]
    fn someone_who_joined_another_household_takes_their_case_with_them() {
        let previous = vec![was(5, "10", &[1]), was(6, "20", &[2])];
        let mut now = build(
            &[
                record(1, "council_tax", "A", 1, 2, "10"),
                record(1, "register", "E", 3, 4, "20"),
                record(2, "council_tax", "B", 1, 4, "20"),
            ]
            .concat(),
            &config(),
        );
        let merges = inherit_household_ids(&mut now, &previous, 8);
        let home = now.households.iter().find(|h| h.current).unwrap();
        assert_eq!(home.id, 6);
        assert_eq!(merges, vec![HouseholdMerge { from: 5, into: 6 }]);
        // Had they left no trace at all, nothing would be merged.
        let mut gone = build(&record(2, "council_tax", "B", 1, 4, "20"), &config());
        let merges = inherit_household_ids(&mut gone, &[was(5, "10", &[1])], 8);
        assert!(merges.is_empty());
    }
}
