//! The weekly worklist: which households a team should contact this week,
//! and why, cut at what the team can do.
//!
//! Pure: the caller gives the assessed households, the team's settings, who
//! is already being helped, contacted or asked to be left alone, and the
//! fast-track flags; the list and a record of everything left off come back.
//! The score prioritises; a person decides (UK GDPR Article 22). See
//! `docs/assessment.md`, "Worklist".

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::events::long_date;
use crate::personas::Persona;
use crate::AssessError;

/// One assessed household, as the worklist sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub household: i64,
    /// Risk of crisis, 0 to 1.
    pub probability: f64,
    /// The model's top reasons, in plain English, most important first.
    pub reasons: Vec<String>,
    pub persona: Persona,
    /// The ward or area of the household's address, when known.
    pub area: Option<String>,
}

/// What a team covers and can do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSettings {
    pub name: String,
    /// New contacts a week.
    pub capacity: usize,
    /// Areas covered; absent means the whole council area.
    pub areas: Option<Vec<String>>,
    /// Households contacted this many days before the week starts are left
    /// alone this week.
    pub recent_contact_days: u32,
    /// Households below this risk are not listed unless fast-tracked.
    pub min_probability: f64,
}

impl TeamSettings {
    pub fn validate(&self) -> Result<(), AssessError> {
        let bad = |m: &str| Err(AssessError::Invalid(format!("team `{}`: {m}", self.name)));
        if self.name.trim().is_empty() {
            return Err(AssessError::Invalid("a team needs a name".into()));
        }
        if !(0.0..=1.0).contains(&self.min_probability) {
            return bad("min_probability must be 0 to 1");
        }
        if self.areas.as_ref().is_some_and(|a| a.is_empty()) {
            return bad("areas is empty: leave it out to cover every area");
        }
        Ok(())
    }

    fn covers(&self, area: Option<&str>) -> bool {
        match &self.areas {
            None => true,
            Some(list) => area.is_some_and(|a| list.iter().any(|x| x == a)),
        }
    }
}

/// Who must not be put on the list, as known at the week's start.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    /// Households in an open case: someone is already working with them.
    pub open_cases: HashSet<i64>,
    /// Every contact made with a household, by date.
    pub contacts: Vec<(i64, NaiveDate)>,
    /// Households who asked not to be contacted.
    pub do_not_contact: HashSet<i64>,
}

/// A team leader's manual flag: contact this household first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FastTrack {
    pub household: i64,
    pub set_by: String,
    pub set_at: NaiveDate,
    pub reason: String,
    /// The first day the flag no longer applies.
    pub expires_on: NaiveDate,
}

impl FastTrack {
    /// Whether the flag applies to the week starting `week_start`: set by
    /// then (so a past week's list can be rebuilt as it was) and not expired.
    pub fn active(&self, week_start: NaiveDate) -> bool {
        self.set_at <= week_start && week_start < self.expires_on
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    OutsideArea,
    BelowThreshold,
    AskedNotToBeContacted,
    OpenCase,
    RecentlyContacted,
    OverCapacity,
}

impl ExclusionReason {
    pub fn label(self) -> &'static str {
        match self {
            ExclusionReason::OutsideArea => "outside the team's areas",
            ExclusionReason::BelowThreshold => "risk below the team's threshold",
            ExclusionReason::AskedNotToBeContacted => "asked not to be contacted",
            ExclusionReason::OpenCase => "already in an open case",
            ExclusionReason::RecentlyContacted => "contacted recently",
            ExclusionReason::OverCapacity => "beyond this week's capacity",
        }
    }
}

/// A household left off that staff may need to know about: one that would
/// otherwise qualify, or one that was fast-tracked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    pub household: i64,
    pub reason: ExclusionReason,
    /// Plain English.
    pub detail: String,
}

/// How many households were left off, by reason (each counted once, under
/// the first reason that applied).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionCounts {
    pub outside_area: usize,
    pub below_threshold: usize,
    pub asked_not_to_be_contacted: usize,
    pub open_case: usize,
    pub recently_contacted: usize,
    pub over_capacity: usize,
}

impl ExclusionCounts {
    fn add(&mut self, r: ExclusionReason) {
        match r {
            ExclusionReason::OutsideArea => self.outside_area += 1,
            ExclusionReason::BelowThreshold => self.below_threshold += 1,
            ExclusionReason::AskedNotToBeContacted => self.asked_not_to_be_contacted += 1,
            ExclusionReason::OpenCase => self.open_case += 1,
            ExclusionReason::RecentlyContacted => self.recently_contacted += 1,
            ExclusionReason::OverCapacity => self.over_capacity += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1 is contacted first.
    pub rank: u32,
    pub household: i64,
    pub probability: f64,
    pub persona: Persona,
    /// The flag that put the household at the top, if one did.
    pub fast_track: Option<FastTrack>,
    /// Plain English: why this household is on the list.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worklist {
    pub team: String,
    pub week_start: NaiveDate,
    pub capacity: usize,
    pub entries: Vec<Entry>,
    pub excluded: Vec<Excluded>,
    pub counts: ExclusionCounts,
    /// Active flags for households not among the candidates (not assessed,
    /// or gone): reported so a flag is never silently ignored.
    pub unknown_flags: Vec<i64>,
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn percent(p: f64) -> String {
    format!("{}%", (p * 100.0).round() as i64)
}

fn risk_why(c: &Candidate, p: f64) -> String {
    let mut s = format!("Risk of crisis {}", percent(p));
    if c.persona != Persona::Stable {
        s.push_str(&format!(" ({})", c.persona.title()));
    }
    if !c.reasons.is_empty() {
        s.push_str(": ");
        s.push_str(&c.reasons.join("; "));
    }
    s.push('.');
    s
}

fn flag_why(f: &FastTrack, p: f64) -> String {
    format!(
        "Fast-tracked by {} on {}: {}. Risk of crisis {}.",
        f.set_by,
        long_date(f.set_at),
        f.reason.trim_end_matches('.'),
        percent(p)
    )
}

/// Builds one team's list for the week starting `week_start`.
///
/// Order: active fast-track flags first (longest-standing first), then risk,
/// highest first; ties by household id, so the same inputs always give the
/// same list. A flag overrides the risk threshold and a recent contact (a
/// person chose to act), but never a resident's wish not to be contacted,
/// and not an open case (someone is already working with them); both are
/// reported.
pub fn build(
    team: &TeamSettings,
    week_start: NaiveDate,
    candidates: &[Candidate],
    exclusions: &Exclusions,
    flags: &[FastTrack],
) -> Worklist {
    // The flag that counts for each household: the earliest set.
    let mut flag_of: HashMap<i64, &FastTrack> = HashMap::new();
    for f in flags.iter().filter(|f| f.active(week_start)) {
        let keep = flag_of
            .get(&f.household)
            .is_none_or(|old| (f.set_at, &f.set_by) < (old.set_at, &old.set_by));
        if keep {
            flag_of.insert(f.household, f);
        }
    }
    let recent_from = week_start
        .checked_sub_days(chrono::Days::new(u64::from(team.recent_contact_days)))
        .unwrap_or(NaiveDate::MIN);
    let mut last_recent: HashMap<i64, NaiveDate> = HashMap::new();
    for &(h, d) in &exclusions.contacts {
        if d >= recent_from && d < week_start {
            let e = last_recent.entry(h).or_insert(d);
            if d > *e {
                *e = d;
            }
        }
    }

    let mut counts = ExclusionCounts::default();
    let mut excluded = Vec::new();
    let mut seen: HashSet<i64> = HashSet::with_capacity(candidates.len());
    // (flag, probability, candidate) of those who qualify.
    let mut eligible: Vec<(Option<&FastTrack>, f64, &Candidate)> = Vec::new();
    for c in candidates {
        if !seen.insert(c.household) {
            continue;
        }
        let p = if c.probability.is_finite() {
            c.probability.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let flag = flag_of.get(&c.household).copied();
        let reason = if !team.covers(c.area.as_deref()) {
            Some(ExclusionReason::OutsideArea)
        } else if flag.is_none() && p < team.min_probability {
            Some(ExclusionReason::BelowThreshold)
        } else if exclusions.do_not_contact.contains(&c.household) {
            Some(ExclusionReason::AskedNotToBeContacted)
        } else if exclusions.open_cases.contains(&c.household) {
            Some(ExclusionReason::OpenCase)
        } else if flag.is_none() && last_recent.contains_key(&c.household) {
            Some(ExclusionReason::RecentlyContacted)
        } else {
            None
        };
        match reason {
            None => eligible.push((flag, p, c)),
            Some(r) => {
                counts.add(r);
                let listed = flag.is_some()
                    || matches!(
                        r,
                        ExclusionReason::AskedNotToBeContacted
                            | ExclusionReason::OpenCase
                            | ExclusionReason::RecentlyContacted
                    );
                if listed {
                    let mut detail = match r {
                        ExclusionReason::RecentlyContacted => match last_recent.get(&c.household) {
                            Some(d) => format!("contacted on {}", long_date(*d)),
                            None => r.label().to_string(),
                        },
                        _ => r.label().to_string(),
                    };
                    if let Some(f) = flag {
                        detail.push_str(&format!(
                            " (fast-tracked by {} on {}, not listed)",
                            f.set_by,
                            long_date(f.set_at)
                        ));
                    }
                    detail = capitalised(&detail);
                    excluded.push(Excluded {
                        household: c.household,
                        reason: r,
                        detail,
                    });
                }
            }
        }
    }

    eligible.sort_by(|a, b| match (a.0, b.0) {
        (Some(fa), Some(fb)) => (fa.set_at, a.2.household).cmp(&(fb.set_at, b.2.household)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.1.total_cmp(&a.1).then(a.2.household.cmp(&b.2.household)),
    });

    let mut entries = Vec::with_capacity(team.capacity.min(eligible.len()));
    for (i, (flag, p, c)) in eligible.into_iter().enumerate() {
        if i >= team.capacity {
            counts.add(ExclusionReason::OverCapacity);
            if let Some(f) = flag {
                excluded.push(Excluded {
                    household: c.household,
                    reason: ExclusionReason::OverCapacity,
                    detail: format!(
                        "Beyond this week's capacity of {} (fast-tracked by {} on {})",
                        team.capacity,
                        f.set_by,
                        long_date(f.set_at)
                    ),
                });
            }
            continue;
        }
        entries.push(Entry {
            rank: (i + 1) as u32,
            household: c.household,
            probability: p,
            persona: c.persona,
            fast_track: flag.cloned(),
            why: match flag {
                Some(f) => flag_why(f, p),
                None => risk_why(c, p),
            },
        });
    }
    excluded.sort_by_key(|e| e.household);

    let mut unknown_flags: Vec<i64> = flag_of
        .keys()
        .copied()
        .filter(|h| !seen.contains(h))
        .collect();
    unknown_flags.sort_unstable();

    Worklist {
        team: team.name.clone(),
        week_start,
        capacity: team.capacity,
        entries,
        excluded,
        counts,
        unknown_flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn team(capacity: usize) -> TeamSettings {
        TeamSettings {
            name: "North".into(),
            capacity,
            areas: None,
            recent_contact_days: 28,
            min_probability: 0.1,
        }
    }

    fn cand(household: i64, probability: f64) -> Candidate {
        Candidate {
            household,
            probability,
            reasons: vec![format!("reason for {household}")],
            persona: Persona::Hiding,
            area: Some("Ward A".into()),
        }
    }

    fn flag(household: i64, set_at: &str, expires_on: &str) -> FastTrack {
        FastTrack {
            household,
            set_by: "Sam Patel".into(),
            set_at: d(set_at),
            reason: "neighbour worried about eviction".into(),
            expires_on: d(expires_on),
        }
    }

    const WEEK: &str = "2025-03-03";

    fn households(w: &Worklist) -> Vec<i64> {
        w.entries.iter().map(|e| e.household).collect()
    }

    #[test]
    fn ranks_by_risk_cuts_at_capacity_and_breaks_ties_by_id() {
        let cands: Vec<Candidate> = vec![
            cand(5, 0.3),
            cand(2, 0.9),
            cand(9, 0.3),
            cand(1, 0.5),
            cand(4, 0.2),
        ];
        let w = build(&team(3), d(WEEK), &cands, &Exclusions::default(), &[]);
        assert_eq!(households(&w), vec![2, 1, 5]);
        assert_eq!(
            w.entries.iter().map(|e| e.rank).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(w.counts.over_capacity, 2);
        assert!(
            w.excluded.is_empty(),
            "over capacity is counted, not listed"
        );
        assert_eq!(
            w.entries[0].why,
            "Risk of crisis 90% (Hiding for as long as I can): reason for 2."
        );
        // Input order does not matter.
        let mut rev = cands.clone();
        rev.reverse();
        assert_eq!(
            build(&team(3), d(WEEK), &rev, &Exclusions::default(), &[]),
            w
        );
    }

    #[test]
    fn each_exclusion_is_applied_counted_and_reported() {
        let cands: Vec<Candidate> = (1..=6).map(|h| cand(h, 0.5)).collect();
        let mut ex = Exclusions::default();
        ex.open_cases.insert(1);
        ex.do_not_contact.insert(2);
        ex.contacts.push((3, d("2025-02-20"))); // 11 days before: recent
        ex.contacts.push((4, d("2025-01-02"))); // long ago: fine
        ex.contacts.push((5, d("2025-03-04"))); // after the week began: not counted
        let w = build(&team(40), d(WEEK), &cands, &ex, &[]);
        assert_eq!(households(&w), vec![4, 5, 6]);
        assert_eq!(w.counts.open_case, 1);
        assert_eq!(w.counts.asked_not_to_be_contacted, 1);
        assert_eq!(w.counts.recently_contacted, 1);
        let reasons: Vec<(i64, ExclusionReason)> =
            w.excluded.iter().map(|e| (e.household, e.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                (1, ExclusionReason::OpenCase),
                (2, ExclusionReason::AskedNotToBeContacted),
                (3, ExclusionReason::RecentlyContacted),
            ]
        );
        assert!(
            w.excluded[2].detail.contains("20 February 2025"),
            "{}",
            w.excluded[2].detail
        );
    }

    #[test]
    fn threshold_and_area_filter() {
        let mut other = cand(3, 0.8);
        other.area = Some("Ward B".into());
        let mut nowhere = cand(4, 0.8);
        nowhere.area = None;
        let cands = vec![cand(1, 0.05), cand(2, 0.5), other, nowhere];
        let mut t = team(40);
        t.areas = Some(vec!["Ward A".into()]);
        let w = build(&t, d(WEEK), &cands, &Exclusions::default(), &[]);
        assert_eq!(households(&w), vec![2]);
        assert_eq!(w.counts.below_threshold, 1);
        assert_eq!(w.counts.outside_area, 2);
        // A team covering everywhere takes them all, unknown area included.
        let w = build(&team(40), d(WEEK), &cands, &Exclusions::default(), &[]);
        assert_eq!(households(&w), vec![3, 4, 2]);
    }

    #[test]
    fn flags_go_first_oldest_first_and_expire() {
        let cands: Vec<Candidate> = vec![cand(1, 0.9), cand(2, 0.05), cand(3, 0.4), cand(4, 0.3)];
        let flags = vec![
            flag(3, "2025-02-25", "2025-03-10"),
            flag(2, "2025-02-20", "2025-03-10"),
            flag(4, "2025-02-01", "2025-03-03"), // expired on the week's first day
            flag(1, "2025-03-05", "2025-04-01"), // set after the week began
        ];
        let w = build(&team(40), d(WEEK), &cands, &Exclusions::default(), &flags);
        assert_eq!(households(&w), vec![2, 3, 1, 4]);
        assert!(w.entries[0].fast_track.is_some() && w.entries[2].fast_track.is_none());
        assert_eq!(
            w.entries[0].why,
            "Fast-tracked by Sam Patel on 20 February 2025: neighbour worried about eviction. Risk of crisis 5%."
        );
        // The week after, the flags have lapsed: risk order again.
        let w = build(
            &team(40),
            d("2025-03-10"),
            &cands,
            &Exclusions::default(),
            &flags,
        );
        assert_eq!(households(&w), vec![1, 3, 4]);
    }

    #[test]
    fn flags_respect_residents_and_open_cases_but_not_recent_contact() {
        let cands: Vec<Candidate> = (1..=3).map(|h| cand(h, 0.5)).collect();
        let mut ex = Exclusions::default();
        ex.do_not_contact.insert(1);
        ex.open_cases.insert(2);
        ex.contacts.push((3, d("2025-03-01")));
        let flags: Vec<FastTrack> = (1..=3)
            .map(|h| flag(h, "2025-02-28", "2025-04-01"))
            .collect();
        let w = build(&team(40), d(WEEK), &cands, &ex, &flags);
        assert_eq!(households(&w), vec![3]);
        assert_eq!(w.excluded.len(), 2);
        assert!(
            w.excluded[0].detail.contains("fast-tracked by Sam Patel"),
            "{}",
            w.excluded[0].detail
        );
    }

    #[test]
    fn flags_count_against_capacity_and_unknown_flags_are_reported() {
        let cands: Vec<Candidate> = (1..=4).map(|h| cand(h, 0.5)).collect();
        let flags = vec![
            flag(4, "2025-02-01", "2025-04-01"),
            flag(3, "2025-02-02", "2025-04-01"),
            flag(99, "2025-02-02", "2025-04-01"),
        ];
        let w = build(&team(1), d(WEEK), &cands, &Exclusions::default(), &flags);
        assert_eq!(households(&w), vec![4]);
        assert_eq!(w.counts.over_capacity, 3);
        assert_eq!(
            w.excluded.len(),
            1,
            "the flagged household left over is listed"
        );
        assert_eq!(w.excluded[0].household, 3);
        assert_eq!(w.unknown_flags, vec![99]);
    }

    #[test]
    fn odd_inputs_do_not_break_the_list() {
        let cands = vec![cand(1, f64::NAN), cand(2, 0.5), cand(2, 0.7)];
        let mut t = team(40);
        t.min_probability = 0.0;
        let w = build(&t, d(WEEK), &cands, &Exclusions::default(), &[]);
        assert_eq!(households(&w), vec![2, 1]);
        assert_eq!(
            w.entries[0].probability, 0.5,
            "the first of a duplicate counts"
        );
        assert!(team(0).validate().is_ok());
        let mut bad = team(1);
        bad.min_probability = 1.5;
        assert!(bad.validate().is_err());
        bad.min_probability = 0.1;
        bad.areas = Some(vec![]);
        assert!(bad.validate().is_err());
    }
}
