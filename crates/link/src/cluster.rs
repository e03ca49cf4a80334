//! Clustering matched pairs into people. Plain connected components chain
//! unrelated people together through one ambiguous record ("J SMITH" at an
//! address where John and Jane Smith both live). Instead, pairs are joined
//! strongest first, and two groups are never joined when they hold
//! conflicting identifiers: different NI numbers, incompatible dates of
//! birth, or clearly different full forenames.

use crate::compare::{dobs_compatible, first_surname, forenames_compatible};
use crate::names::slipped;
use crate::record::{Derived, Field, Record};
use chrono::NaiveDate;

/// Which conflicts the guard checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Guard {
    pub nino: bool,
    pub dob: bool,
    pub forename: bool,
    /// A record that gives nothing but a name (and perhaps a postcode) may
    /// join one group of identified records, but never bridge two.
    pub weak_bridge: bool,
    /// Further identifiers the user marked as conflicting (`[cluster]
    /// conflicts`): two groups holding different values are never joined.
    pub identifiers: [Option<Field>; MAX_IDENTIFIERS],
}

/// Which of the guard's forename and date-of-birth checks one edge's own
/// evidence outweighs (see `cluster_weighed`). Identifiers, two homes at
/// once, vetoes and bare names are always checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lift {
    /// A forename that disagrees does not keep the two groups apart.
    pub forename: bool,
    /// Nor does a date of birth that disagrees.
    pub dob: bool,
    /// Neither check holds while both records are still on their own
    /// (joined to nobody yet): what the edge knows (that each is the
    /// other's best match) is about the two records, not their groups.
    pub while_alone: bool,
}

impl Lift {
    pub const NONE: Lift = Lift {
        forename: false,
        dob: false,
        while_alone: false,
    };
    /// Overwhelming evidence: neither check holds.
    pub const BOTH: Lift = Lift {
        forename: true,
        dob: true,
        while_alone: false,
    };
}

/// `true`: overwhelming evidence (`Lift::BOTH`).
impl From<bool> for Lift {
    fn from(overwhelming: bool) -> Lift {
        if overwhelming {
            Lift::BOTH
        } else {
            Lift::NONE
        }
    }
}

/// How many fields besides the NI number `conflicts` may name.
pub const MAX_IDENTIFIERS: usize = 4;

/// Which records say where someone lives, or that they hold one at a time.
#[derive(Debug, Clone, Default)]
pub struct Residency {
    pub address_sources: Vec<String>,
    pub one_at_a_time: Vec<String>,
}

impl Residency {
    /// Every source named as saying where someone lives.
    pub fn sources(&self) -> Vec<&str> {
        self.address_sources
            .iter()
            .chain(&self.one_at_a_time)
            .map(String::as_str)
            .collect()
    }

    fn tracks(&self, r: &Record) -> bool {
        r.seen.is_some()
            && (self.address_sources.contains(&r.source) || self.one_at_a_time.contains(&r.source))
    }
}

/// How long another system may go on placing someone at their old home
/// after their council tax account at the new one opened: the electoral
/// register is canvassed once a year, so a move made just after one
/// canvass may not leave the register until the next is published, some
/// sixteen months later.
const STALE_DAYS: i64 = 490;

/// Two homes beyond doubt across systems, which write addresses their own
/// way: another postcode sector, and not the same flat and house number (a
/// typed postcode, "B21 5YY" for "B21 4YY", must not pass for another home).
fn clearly_elsewhere(a: &Derived, b: &Derived) -> bool {
    let known = |d: &Derived| d.postcode_sector.is_some();
    known(a)
        && known(b)
        && a.postcode_sector != b.postcode_sector
        && !(a.premises.is_some() && a.premises == b.premises)
}

/// Whether `r` last placed its person somewhere while `account` (from an
/// address source) had been open at another home for longer than any
/// system takes to hear of a move. Only `r`'s last sighting counts: a
/// record keeps only its latest address, which a housing application or a
/// claim may have changed since it was first seen.
fn stale_beyond_belief(account: &Record, r: &Record) -> bool {
    match (account.seen, r.seen) {
        (Some((opened, closed)), Some((_, last))) => opened
            .checked_add_signed(chrono::Duration::days(STALE_DAYS))
            .is_some_and(|settled| settled <= last && last <= closed),
        _ => false,
    }
}

/// Days two records' live periods overlap (negative when apart).
fn overlap_days(a: &Record, b: &Record) -> i64 {
    match (a.seen, b.seen) {
        (Some((fa, ta)), Some((fb, tb))) => (ta.min(tb) - fa.max(fb)).num_days(),
        _ => i64::MIN,
    }
}

/// Nothing but a name, perhaps a postcode: no date of birth, NI number,
/// phone, email, address or UPRN.
pub fn is_weak(r: &Record) -> bool {
    r.dob.is_none()
        && r.nino.is_none()
        && r.phone.is_none()
        && r.email.is_none()
        && r.address.is_none()
        && r.uprn.is_none()
}

/// Whether two records certainly place someone at different properties:
/// different UPRNs, or (without both UPRNs) a different flat and house
/// number or postcode. Unknown is not different.
fn different_property(a: &Record, da: &Derived, b: &Record, db: &Derived) -> bool {
    if let (Some(x), Some(y)) = (&a.uprn, &b.uprn) {
        return x != y;
    }
    match (&da.premises, &a.postcode, &db.premises, &b.postcode) {
        (Some(p), Some(pc), Some(q), Some(qc)) => p != q || pc != qc,
        _ => false,
    }
}

/// What a group holds that might conflict with another group. Values are
/// kept as record indices so nothing is cloned; a few of each suffice.
#[derive(Debug, Default, Clone)]
struct Summary {
    ninos: Vec<u32>,
    /// Records holding each of the guard's further identifiers.
    ids: [Vec<u32>; MAX_IDENTIFIERS],
    dobs: Vec<NaiveDate>,
    forenames: Vec<u32>,
    /// Holds at least one record that is not weak.
    anchored: bool,
    /// Lasting records from the residency sources.
    lasting: Vec<u32>,
}

const KEEP: usize = 6;

pub struct Clustering {
    /// Cluster number (0..clusters) of each record.
    pub cluster_of: Vec<u32>,
    pub clusters: usize,
    /// Joins the guard refused.
    pub refused: usize,
    /// Records `detach_ambiguous` took back out: a bare name fitting two people.
    pub left_alone: Vec<u32>,
}

/// `edges` are (record, record) in the order they should be tried (strongest first).
pub fn cluster(
    records: &[Record],
    derived: &[Derived],
    edges: impl IntoIterator<Item = (u32, u32)>,
    guard: Guard,
    residency: &Residency,
    vetoes: &[(u32, u32)],
) -> Clustering {
    let edges = edges.into_iter().map(|(a, b)| (a, b, false));
    cluster_weighed(records, derived, edges, guard, residency, vetoes)
}

/// As `cluster`, with each edge saying which of the forename and
/// date-of-birth checks its own evidence outweighs (`(record, record,
/// lift)`; `true` for overwhelming evidence, which outweighs both): such a
/// pair is not kept apart by that field disagreeing, only by a different
/// identifier (the NI number, or another the guard names), two homes or
/// registrations at once, a veto, or a bare name bridging two people. A
/// lift `while_alone` outweighs both checks only while neither record has
/// been joined to anyone yet.
///
/// Why: in real records one field of a person's record is sometimes
/// replaced outright: a forename keyed from the wrong line of a form, a
/// preferred name, the date of birth of the person who filled it in, a
/// default date. Such a record still agrees with the others on an
/// identifier nobody else holds (an NI or social security number) and on
/// most else. The cases the forename and date checks exist for look
/// different: twins share a date of birth, surname, address and phone but
/// not an NI number; a father and son of one name share name, address and
/// phone but not a date of birth or NI number; an initial fits two people
/// and agrees on no identifier. So a replaced field is let through only
/// with an identifier agreeing, several strong fields agreeing exactly,
/// and a total weight far above the threshold.
pub fn cluster_weighed<L: Into<Lift>>(
    records: &[Record],
    derived: &[Derived],
    edges: impl IntoIterator<Item = (u32, u32, L)>,
    guard: Guard,
    residency: &Residency,
    vetoes: &[(u32, u32)],
) -> Clustering {
    let n = records.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut size: Vec<u32> = vec![1; n];
    // Pairs the model judged almost surely different people: two groups
    // holding such a pair are never joined, however another pair links them.
    let mut veto_of: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b) in vetoes {
        veto_of[a as usize].push(b);
        veto_of[b as usize].push(a);
    }
    let mut members: Vec<Vec<u32>> = if vetoes.is_empty() {
        Vec::new()
    } else {
        (0..n as u32).map(|i| vec![i]).collect()
    };
    let mut summary: Vec<Summary> = records
        .iter()
        .enumerate()
        .map(|(i, r)| Summary {
            ninos: r.nino.as_ref().map(|_| vec![i as u32]).unwrap_or_default(),
            ids: guard.identifiers.map(|f| match f {
                Some(f) if r.text(f).is_some() => vec![i as u32],
                _ => Vec::new(),
            }),
            dobs: r.dob.into_iter().collect(),
            forenames: derived[i]
                .forename
                .as_deref()
                .filter(|f| f.len() > 1)
                .map(|_| vec![i as u32])
                .unwrap_or_default(),
            anchored: !derived[i].weak,
            lasting: if residency.tracks(r) {
                vec![i as u32]
            } else {
                Vec::new()
            },
        })
        .collect();
    let mut refused = 0;
    for (a, b, lift) in edges {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra == rb {
            continue;
        }
        let mut lift: Lift = lift.into();
        if lift.while_alone && size[ra as usize] == 1 && size[rb as usize] == 1 {
            lift = Lift::BOTH;
        }
        let bridging = guard.weak_bridge
            && (derived[a as usize].weak || derived[b as usize].weak)
            && summary[ra as usize].anchored
            && summary[rb as usize].anchored;
        let vetoed = !members.is_empty() && {
            let (small, other) = if members[ra as usize].len() <= members[rb as usize].len() {
                (ra, rb)
            } else {
                (rb, ra)
            };
            members[small as usize].iter().any(|&m| {
                veto_of[m as usize]
                    .iter()
                    .any(|&v| root(&parent, v) == other)
            })
        };
        if bridging
            || vetoed
            || lives_apart(
                &summary[ra as usize],
                &summary[rb as usize],
                records,
                derived,
                residency,
            )
            || conflict(
                &summary[ra as usize],
                &summary[rb as usize],
                records,
                derived,
                guard,
                lift,
            )
        {
            refused += 1;
            continue;
        }
        let (big, small) = if size[ra as usize] >= size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        parent[small as usize] = big;
        size[big as usize] += size[small as usize];
        if !members.is_empty() {
            let moved = std::mem::take(&mut members[small as usize]);
            members[big as usize].extend(moved);
        }
        let s = std::mem::take(&mut summary[small as usize]);
        merge(
            &mut summary[big as usize],
            s,
            records,
            derived,
            &guard.identifiers,
        );
    }
    // Number clusters in order of their first record, for stable output.
    let mut number: Vec<u32> = vec![u32::MAX; n];
    let mut cluster_of = vec![0u32; n];
    let mut next = 0u32;
    for (i, slot) in cluster_of.iter_mut().enumerate() {
        let r = find(&mut parent, i as u32) as usize;
        if number[r] == u32::MAX {
            number[r] = next;
            next += 1;
        }
        *slot = number[r];
    }
    Clustering {
        cluster_of,
        clusters: next as usize,
        refused,
        left_alone: Vec::new(),
    }
}

/// How far outside the time a person was seen a record may fall and still
/// be theirs: systems learn of arrivals and departures a month or two late.
const RIVAL_SLACK_DAYS: i64 = 62;

/// A record giving nothing but a name that fits two people about equally
/// well ("J THOMPSON" when James and Jacob Thompson both have records) is
/// taken back out of the person it joined: a guess would show one person's
/// call on another's record. `links`: (record, record, weight) at or above
/// the threshold; `margin`: how much weaker (in weight) the other person's
/// best match may be and still count as fitting equally well.
pub fn detach_ambiguous(
    clustering: &mut Clustering,
    records: &[Record],
    derived: &[Derived],
    links: impl IntoIterator<Item = (u32, u32, f32)>,
    margin: f32,
) {
    let cluster_of = &clustering.cluster_of;
    let mut size = vec![0u32; clustering.clusters];
    let mut anchored = vec![false; clustering.clusters];
    // When each person was seen by any system: one seen only before or only
    // after a record's date (moved away, or not yet arrived) is no rival.
    let mut span: Vec<Option<(NaiveDate, NaiveDate)>> = vec![None; clustering.clusters];
    for (i, &c) in cluster_of.iter().enumerate() {
        let c = c as usize;
        size[c] += 1;
        anchored[c] |= !derived[i].weak;
        if let Some((f, t)) = records[i].seen {
            span[c] = Some(span[c].map_or((f, t), |(a, b)| (a.min(f), b.max(t))));
        }
    }
    let around = |i: usize, c: usize| match (records[i].seen, span[c]) {
        (Some((f, t)), Some((a, b))) => {
            // Dates at the ends of the calendar saturate rather than overflow.
            let slack = chrono::Duration::days(RIVAL_SLACK_DAYS);
            let (a, b) = (
                a.checked_sub_signed(slack).unwrap_or(NaiveDate::MIN),
                b.checked_add_signed(slack).unwrap_or(NaiveDate::MAX),
            );
            a <= t && f <= b
        }
        _ => true,
    };
    // For each weak record: its best weight into its own person, and into any other.
    let mut own = vec![f32::NEG_INFINITY; records.len()];
    let mut other = vec![f32::NEG_INFINITY; records.len()];
    for (a, b, w) in links {
        for (x, y) in [(a, b), (b, a)] {
            let xi = x as usize;
            if !derived[xi].weak {
                continue;
            }
            let cy = cluster_of[y as usize];
            if cy == cluster_of[xi] {
                own[xi] = own[xi].max(w);
            } else if anchored[cy as usize] && around(xi, cy as usize) {
                other[xi] = other[xi].max(w);
            }
        }
    }
    for i in 0..records.len() {
        let c = clustering.cluster_of[i] as usize;
        if size[c] > 1 && other[i] > f32::NEG_INFINITY && other[i] + margin >= own[i] {
            size[c] -= 1;
            clustering.cluster_of[i] = clustering.clusters as u32;
            clustering.clusters += 1;
            clustering.left_alone.push(i as u32);
        }
    }
}

/// `find` without shortening paths, for reading while other borrows are held.
fn root(parent: &[u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        x = parent[x as usize];
    }
    x
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[x as usize];
        parent[x as usize] = parent[p as usize];
        x = p;
    }
    x
}

fn nino(records: &[Record], i: u32) -> &str {
    records[i as usize].nino.as_deref().unwrap_or("")
}

fn forename(derived: &[Derived], i: u32) -> (&str, Option<&str>) {
    let d = &derived[i as usize];
    (
        d.forename.as_deref().unwrap_or(""),
        d.forename_sound.as_deref(),
    )
}

/// Whether two groups cannot be one person. `lift`: which of the forename
/// and date-of-birth checks the pair joining them is not held to (its own
/// evidence outweighs them); identifiers are always checked.
fn conflict(
    a: &Summary,
    b: &Summary,
    records: &[Record],
    derived: &[Derived],
    g: Guard,
    lift: Lift,
) -> bool {
    for (slot, field) in g.identifiers.iter().enumerate() {
        let Some(f) = *field else { continue };
        let (xa, xb) = (&a.ids[slot], &b.ids[slot]);
        let value = |i: u32| records[i as usize].text(f);
        if !xa.is_empty()
            && !xb.is_empty()
            && !xa.iter().any(|&x| xb.iter().any(|&y| value(x) == value(y)))
        {
            return true;
        }
    }
    if g.nino
        && !a.ninos.is_empty()
        && !b.ninos.is_empty()
        && !a.ninos.iter().any(|&x| {
            b.ninos
                .iter()
                .any(|&y| nino(records, x) == nino(records, y))
        })
    {
        return true;
    }
    if g.dob
        && !lift.dob
        && !a.dobs.is_empty()
        && !b.dobs.is_empty()
        && !a
            .dobs
            .iter()
            .any(|&x| b.dobs.iter().any(|&y| dobs_compatible(x, y)))
    {
        return true;
    }
    if g.forename && !lift.forename && !a.forenames.is_empty() && !b.forenames.is_empty() {
        let fits = a.forenames.iter().any(|&x| {
            b.forenames.iter().any(|&y| {
                let ((fx, sx), (fy, sy)) = (forename(derived, x), forename(derived, y));
                let count = |i: u32| derived[i as usize].forename_count;
                forenames_compatible(fx, fy, sx, sy) || slipped(fx, count(x), fy, count(y)) || {
                    // One record typed surname first: its forename is the
                    // other's surname, and the other way round.
                    let (rx, ry) = (&records[x as usize], &records[y as usize]);
                    let surname_sound = |i: u32| derived[i as usize].surname_sound.as_deref();
                    let fits = |f: &str, fs: Option<&str>, s: Option<&str>, ss: Option<&str>| {
                        s.is_some_and(|s| s.len() > 1 && forenames_compatible(f, s, fs, ss))
                    };
                    fits(fx, sx, first_surname(ry), surname_sound(y))
                        && fits(fy, sy, first_surname(rx), surname_sound(x))
                }
            })
        });
        if !fits {
            return true;
        }
    }
    false
}

/// Two groups whose records have one person in two homes, or holding two
/// one-at-a-time records, at the same time.
fn lives_apart(
    a: &Summary,
    b: &Summary,
    records: &[Record],
    derived: &[Derived],
    res: &Residency,
) -> bool {
    a.lasting.iter().any(|&x| {
        b.lasting.iter().any(|&y| {
            let (rx, ry) = (&records[x as usize], &records[y as usize]);
            let overlap = overlap_days(rx, ry);
            let both = |list: &Vec<String>| list.contains(&rx.source) && list.contains(&ry.source);
            let elsewhere =
                || different_property(rx, &derived[x as usize], ry, &derived[y as usize]);
            let account = |r: &Record| res.address_sources.contains(&r.source);
            (both(&res.one_at_a_time) && rx.source == ry.source && overlap > 45)
                || (both(&res.address_sources) && overlap > 90 && elsewhere())
                || (rx.source != ry.source
                    && ((account(rx) && stale_beyond_belief(rx, ry))
                        || (account(ry) && stale_beyond_belief(ry, rx)))
                    && elsewhere()
                    && clearly_elsewhere(&derived[x as usize], &derived[y as usize]))
        })
    })
}

fn merge(
    into: &mut Summary,
    from: Summary,
    records: &[Record],
    derived: &[Derived],
    identifiers: &[Option<Field>; MAX_IDENTIFIERS],
) {
    into.anchored |= from.anchored;
    for x in from.lasting {
        if into.lasting.len() < 2 * KEEP {
            into.lasting.push(x);
        }
    }
    for x in from.ninos {
        if into.ninos.len() < KEEP
            && !into
                .ninos
                .iter()
                .any(|&y| nino(records, x) == nino(records, y))
        {
            into.ninos.push(x);
        }
    }
    for (slot, ids) in from.ids.into_iter().enumerate() {
        let Some(f) = identifiers[slot] else { continue };
        for x in ids {
            let v = records[x as usize].text(f);
            if into.ids[slot].len() < KEEP
                && !into.ids[slot]
                    .iter()
                    .any(|&y| records[y as usize].text(f) == v)
            {
                into.ids[slot].push(x);
            }
        }
    }
    for d in from.dobs {
        if into.dobs.len() < KEEP && !into.dobs.contains(&d) {
            into.dobs.push(d);
        }
    }
    for x in from.forenames {
        if into.forenames.len() < KEEP
            && !into
                .forenames
                .iter()
                .any(|&y| forename(derived, x).0 == forename(derived, y).0)
        {
            into.forenames.push(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::derive;

    fn person(f: &str, dob: Option<(i32, u32, u32)>) -> Record {
        Record {
            forename: Some(f.into()),
            surname: Some("SMITH".into()),
            dob: dob.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            ..Record::default()
        }
    }

    #[test]
    fn a_bare_name_that_fits_two_people_equally_is_left_alone() {
        let records = vec![
            person("JAMES", Some((1980, 1, 2))),
            person("JACOB", Some((1956, 5, 8))),
            person("J", None),
            person("J", None),
        ];
        let d = derive(&records);
        // Record 2 joined James but fits Jacob as well; record 3 fits James
        // far better than Jacob.
        let mut c = cluster(
            &records,
            &d,
            [(0, 2), (0, 3)],
            Guard::default(),
            &Residency::default(),
            &[],
        );
        let links = [(0, 2, 3.0), (1, 2, 3.0), (0, 3, 6.0), (1, 3, 1.0)];
        detach_ambiguous(&mut c, &records, &d, links, 0.0);
        assert_ne!(c.cluster_of[2], c.cluster_of[0]);
        assert_ne!(c.cluster_of[2], c.cluster_of[1]);
        assert_eq!(c.cluster_of[3], c.cluster_of[0]);
        assert_eq!(c.clusters, 3);
        assert_eq!(c.left_alone, vec![2]);
    }

    #[test]
    fn a_call_whose_number_nobody_else_holds_is_placed_by_its_name_alone() {
        let call = |phone: &str| Record {
            phone: Some(phone.into()),
            ..person("J", None)
        };
        let records = vec![
            person("JAMES", Some((1980, 1, 2))),
            person("JACOB", Some((1956, 5, 8))),
            call("07700 900001"),
            call("07700 900002"),
            call("07700 900002"),
        ];
        let d = derive(&records);
        let weak: Vec<bool> = d.iter().map(|d| d.weak).collect();
        assert_eq!(weak, [false, false, true, false, false]);
        let mut c = cluster(
            &records,
            &d,
            [(0, 2), (0, 3), (3, 4)],
            Guard::default(),
            &Residency::default(),
            &[],
        );
        // The unknown number fits Jacob as well as James; the number
        // called from twice is someone's, and stays where it joined.
        let links = [
            (0, 2, 3.0),
            (1, 2, 3.0),
            (0, 3, 3.0),
            (1, 3, 3.0),
            (3, 4, 9.0),
        ];
        detach_ambiguous(&mut c, &records, &d, links, 0.0);
        assert_eq!(c.left_alone, vec![2]);
        assert_eq!(c.cluster_of[3], c.cluster_of[0]);
    }

    #[test]
    fn an_initial_does_not_chain_two_people() {
        let records = vec![
            person("JOHN", Some((1980, 1, 2))),
            person("J", None),
            person("JANE", Some((1982, 3, 4))),
        ];
        let d = derive(&records);
        let g = Guard {
            nino: true,
            dob: true,
            forename: true,
            weak_bridge: false,
            identifiers: [None; MAX_IDENTIFIERS],
        };
        let c = cluster(
            &records,
            &d,
            [(0, 1), (1, 2)],
            g,
            &Residency::default(),
            &[],
        );
        assert_eq!(c.cluster_of[0], c.cluster_of[1]);
        assert_ne!(c.cluster_of[1], c.cluster_of[2]);
        assert_eq!(c.refused, 1);
        // Without the guard, they chain.
        let c = cluster(
            &records,
            &d,
            [(0, 1), (1, 2)],
            Guard::default(),
            &Residency::default(),
            &[],
        );
        assert_eq!(c.clusters, 1);
    }

    #[test]
    fn a_name_typed_surname_first_is_not_a_conflict() {
        let named = |f: &str, s: &str| Record {
            forename: Some(f.into()),
            surname: Some(s.into()),
            ..Record::default()
        };
        // Swapped, with the surname side in another spelling.
        let records = vec![named("MUHAMMAD", "PRECIOUS"), named("PRECIOUS", "MOHAMED")];
        let d = derive(&records);
        let g = Guard {
            nino: true,
            dob: true,
            forename: true,
            weak_bridge: false,
            identifiers: [None; MAX_IDENTIFIERS],
        };
        let c = cluster(&records, &d, [(0, 1)], g, &Residency::default(), &[]);
        assert_eq!(c.cluster_of[0], c.cluster_of[1]);
        // Swapped, with a nickname on the surname side (Jack is John).
        let records = vec![named("JOHN", "STEINERT"), named("STEINERT", "JACK")];
        let d = derive(&records);
        let c = cluster(&records, &d, [(0, 1)], g, &Residency::default(), &[]);
        assert_eq!(c.cluster_of[0], c.cluster_of[1]);
        // Not swapped: two different forenames stay apart.
        let records = vec![named("MUHAMMAD", "PRECIOUS"), named("JOHN", "PRECIOUS")];
        let d = derive(&records);
        let c = cluster(&records, &d, [(0, 1)], g, &Residency::default(), &[]);
        assert_ne!(c.cluster_of[0], c.cluster_of[1]);
    }

    #[test]
    fn each_others_best_match_is_joined_only_while_both_are_alone() {
        let born = Some((2001, 6, 9));
        let in_file = |f: &str, dataset: u8| Record {
            dataset,
            ..person(f, born)
        };
        let g = Guard {
            nino: true,
            dob: true,
            forename: true,
            weak_bridge: false,
            identifiers: [None; MAX_IDENTIFIERS],
        };
        let unrivalled = Lift {
            while_alone: true,
            ..Lift::NONE
        };
        let joined = |records: &[Record], edges: &[(u32, u32, Lift)]| {
            let d = derive(records);
            let c = cluster_weighed(
                records,
                &d,
                edges.iter().copied(),
                g,
                &Residency::default(),
                &[],
            );
            c.cluster_of[0] == c.cluster_of[2]
        };
        // Twins: Amy in the first file, Amy and Beth in the second. Amy's
        // own record fits better and is joined first; then Beth is no
        // longer joined to a record on its own, and stays apart.
        let twins = [in_file("AMY", 0), in_file("AMY", 1), in_file("BETH", 1)];
        let edges = [(0, 1, Lift::NONE), (0, 2, unrivalled)];
        assert!(!joined(&twins, &edges));
        // The same pair with nobody else: a forename replaced in one file.
        let edges = [(0, 2, unrivalled)];
        assert!(joined(&twins, &edges));
        // Without the lift, the forename check keeps them apart.
        let edges = [(0, 2, Lift::NONE)];
        assert!(!joined(&twins, &edges));
    }

    #[test]
    fn a_date_slip_is_not_a_conflict() {
        let records = vec![
            person("JOHN", Some((1980, 1, 2))),
            person("JOHN", Some((1980, 2, 1))),
        ];
        let d = derive(&records);
        let g = Guard {
            nino: true,
            dob: true,
            forename: true,
            weak_bridge: false,
            identifiers: [None; MAX_IDENTIFIERS],
        };
        assert_eq!(
            cluster(&records, &d, [(0, 1)], g, &Residency::default(), &[]).clusters,
            1
        );
    }

    #[test]
    fn a_pair_judged_different_keeps_their_groups_apart() {
        let records = vec![
            person("JOHN", None),
            person("JOHN", None),
            person("JOHN", None),
        ];
        let d = derive(&records);
        let g = Guard::default();
        let none = Residency::default();
        assert_eq!(
            cluster(&records, &d, [(0, 1), (1, 2)], g, &none, &[]).clusters,
            1
        );
        let c = cluster(&records, &d, [(0, 1), (1, 2)], g, &none, &[(0, 2)]);
        assert_eq!(c.clusters, 2);
        assert_eq!(c.refused, 1);
    }

    #[test]
    fn one_person_is_not_in_two_homes_at_once() {
        let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
        let lives = |uprn: &str, from, to, source: &str| Record {
            forename: Some("STACEY".into()),
            surname: Some("MASON".into()),
            uprn: Some(uprn.into()),
            seen: Some((d(from), d(to))),
            source: source.into(),
            ..Record::default()
        };
        let res = Residency {
            address_sources: vec!["council_tax".into(), "electoral_register".into()],
            one_at_a_time: vec!["electoral_register".into()],
        };
        let g = Guard::default();
        // Two homes at once: two people.
        let records = vec![
            lives("1", 1, 12, "council_tax"),
            lives("2", 3, 12, "council_tax"),
        ];
        let dr = derive(&records);
        assert_eq!(cluster(&records, &dr, [(0, 1)], g, &res, &[]).clusters, 2);
        // One home after another: a move.
        let records = vec![
            lives("1", 1, 5, "council_tax"),
            lives("2", 6, 12, "council_tax"),
        ];
        let dr = derive(&records);
        assert_eq!(cluster(&records, &dr, [(0, 1)], g, &res, &[]).clusters, 1);
        // Two registrations at one address at once: father and son.
        let records = vec![
            lives("1", 1, 12, "electoral_register"),
            lives("1", 6, 12, "electoral_register"),
        ];
        let dr = derive(&records);
        assert_eq!(cluster(&records, &dr, [(0, 1)], g, &res, &[]).clusters, 2);
    }

    #[test]
    fn a_register_may_lag_a_move_by_a_canvass_but_not_for_years() {
        let day = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        let at = |postcode: &str, address: &str, seen, source: &str| Record {
            forename: Some("EDWARD".into()),
            surname: Some("GORDON".into()),
            postcode: Some(postcode.into()),
            address: Some(address.into()),
            seen: Some(seen),
            source: source.into(),
            ..Record::default()
        };
        let res = Residency {
            address_sources: vec!["council_tax".into()],
            one_at_a_time: vec!["electoral_register".into()],
        };
        let g = Guard::default();
        let joined = |records: Vec<Record>| {
            let d = derive(&records);
            cluster(&records, &d, [(0, 1)], g, &res, &[]).clusters == 1
        };
        let account = |opened| {
            at(
                "B32 2YE",
                "30 HEATHER CRESCENT",
                (opened, day(2026, 3)),
                "council_tax",
            )
        };
        let registered = |last| {
            at(
                "B6 3QL",
                "25 CENTRAL AVENUE",
                (day(2024, 4), last),
                "electoral_register",
            )
        };
        // The account opened in 2014; the register placed him elsewhere in
        // 2024: two people.
        assert!(!joined(vec![
            account(day(2014, 3)),
            registered(day(2024, 4))
        ]));
        // Opened months before the old registration was deleted: one
        // person, whom the register heard of late.
        assert!(joined(vec![
            account(day(2024, 1)),
            registered(day(2024, 12))
        ]));
        // A typed postcode in another sector is still the same flat.
        let typed = at(
            "B32 3YE",
            "30 HEATHER CRESCENT",
            (day(2024, 4), day(2024, 4)),
            "electoral_register",
        );
        assert!(joined(vec![account(day(2014, 3)), typed]));
    }

    #[test]
    fn a_bare_name_joins_one_person_but_bridges_none() {
        let at = |uprn: &str| Record {
            forename: Some("JENNIFER".into()),
            surname: Some("PEARCE".into()),
            uprn: Some(uprn.into()),
            ..Record::default()
        };
        let bare = Record {
            forename: Some("JENNIFER".into()),
            surname: Some("PEARCE".into()),
            ..Record::default()
        };
        let records = vec![at("1"), bare, at("2")];
        let d = derive(&records);
        let g = Guard {
            weak_bridge: true,
            ..Guard::default()
        };
        let c = cluster(
            &records,
            &d,
            [(0, 1), (1, 2)],
            g,
            &Residency::default(),
            &[],
        );
        assert_eq!(c.cluster_of[0], c.cluster_of[1]);
        assert_ne!(c.cluster_of[1], c.cluster_of[2]);
        // Two bare names may still join each other, and then one person.
        let records = vec![
            at("1"),
            at("2").clone(),
            Record {
                uprn: None,
                ..at("3")
            },
        ];
        let d = derive(&records);
        let c = cluster(&records, &d, [(2, 0)], g, &Residency::default(), &[]);
        assert_eq!(c.cluster_of[2], c.cluster_of[0]);
    }
}
