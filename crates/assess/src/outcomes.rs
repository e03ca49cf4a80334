//! Crisis outcomes as the extracts show them: the labels the risk model
//! learns from, and the test of whether a household is already in crisis
//! (and so out of scope for prediction: services already know it).
//!
//! Everything here is "as of": a [`CrisisTimeline`] built from the
//! observations known by some date says, for any earlier date, what the
//! platform could have known then.

use std::collections::BTreeSet;

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::input::{Evidence, HouseholdInput, Observation};

/// A monthly snapshot's row describes "now" for one extract cycle: a month
/// plus a few days' grace for a late file. After that an unseen record is
/// treated as closed.
pub const CURRENT_SNAPSHOT_DAYS: i64 = 35;

/// A household with a crisis this recent is known to services already.
pub const RECENT_CRISIS_DAYS: i64 = 91;

/// The crisis outcomes the extracts can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrisisKind {
    /// A homelessness prevention or relief duty (England), s66 or s73 (Wales).
    HomelessnessDuty,
    TemporaryAccommodation,
    /// An eviction warrant on a council tenancy.
    Eviction,
    /// Council tax passed to enforcement agents (bailiffs).
    EnforcementAgent,
    /// An application for crisis support through the contact centre.
    CrisisSupport,
}

impl CrisisKind {
    pub const ALL: [CrisisKind; 5] = [
        CrisisKind::HomelessnessDuty,
        CrisisKind::TemporaryAccommodation,
        CrisisKind::Eviction,
        CrisisKind::EnforcementAgent,
        CrisisKind::CrisisSupport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CrisisKind::HomelessnessDuty => "homelessness_duty",
            CrisisKind::TemporaryAccommodation => "temporary_accommodation",
            CrisisKind::Eviction => "eviction",
            CrisisKind::EnforcementAgent => "enforcement_agent",
            CrisisKind::CrisisSupport => "crisis_support",
        }
    }

    /// Plain English for staff.
    pub fn label(self) -> &'static str {
        match self {
            CrisisKind::HomelessnessDuty => "homelessness duty owed",
            CrisisKind::TemporaryAccommodation => "placed in temporary accommodation",
            CrisisKind::Eviction => "eviction warrant",
            CrisisKind::EnforcementAgent => "council tax passed to enforcement agents",
            CrisisKind::CrisisSupport => "applied for crisis support",
        }
    }
}

/// One crisis: what, when it happened, and the record version that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crisis {
    pub kind: CrisisKind,
    /// When it happened: the record's own date where it holds one
    /// (`duty_start`, `ta_start`, the contact's timestamp), else the first
    /// `known_on` of the version showing it.
    pub date: NaiveDate,
    pub evidence: Evidence,
}

/// What the platform knows of one household's crises, as of one date.
#[derive(Debug, Clone, Default)]
pub struct CrisisTimeline {
    /// Crises in date order.
    pub crises: Vec<Crisis>,
    /// When each crisis became known (the same order as `crises`).
    known: Vec<NaiveDate>,
    /// Periods the household counts as "already in crisis": `[from, to)`,
    /// `to` open-ended when `None`. Each starts no earlier than the day the
    /// platform knew it, so a span never reaches back before its evidence.
    spans: Vec<(NaiveDate, Option<NaiveDate>)>,
}

impl CrisisTimeline {
    /// Already in crisis on `day`, as the platform would have seen it that
    /// day (given the timeline was built from data known on or after `day`).
    pub fn in_crisis_at(&self, day: NaiveDate) -> bool {
        self.spans
            .iter()
            .any(|(from, to)| *from <= day && to.is_none_or(|t| day < t))
    }

    /// Crises dated in `(from_exclusive, to_inclusive]`.
    pub fn crises_in(
        &self,
        from_exclusive: NaiveDate,
        to_inclusive: NaiveDate,
    ) -> impl Iterator<Item = &Crisis> {
        self.crises
            .iter()
            .filter(move |c| c.date > from_exclusive && c.date <= to_inclusive)
    }

    pub fn any_crisis_in(&self, from_exclusive: NaiveDate, to_inclusive: NaiveDate) -> bool {
        self.crises_in(from_exclusive, to_inclusive)
            .next()
            .is_some()
    }

    /// When the crisis at `index` of [`Self::crises`] became known.
    pub fn known_on(&self, index: usize) -> Option<NaiveDate> {
        self.known.get(index).copied()
    }
}

/// Crises dated in `(from_exclusive, to_inclusive]`, from every observation
/// the household input holds.
pub fn crises(
    h: &HouseholdInput,
    from_exclusive: NaiveDate,
    to_inclusive: NaiveDate,
) -> Vec<Crisis> {
    timeline(h, NaiveDate::MAX)
        .crises_in(from_exclusive, to_inclusive)
        .cloned()
        .collect()
}

/// Already in crisis at `as_of`, from what was known by then: an open
/// homelessness case (or one that ended in the main duty, so in temporary
/// accommodation), a benefit claim showing temporary accommodation, council
/// tax with enforcement agents or an eviction warrant in the current
/// snapshot, or any crisis in the last [`RECENT_CRISIS_DAYS`] days.
pub fn in_crisis(h: &HouseholdInput, as_of: NaiveDate) -> bool {
    timeline(h, as_of).in_crisis_at(as_of)
}

/// The household's crises and in-crisis periods from the observations known
/// by `known_by`. One pass; the labels and exclusions of every training
/// cutoff are read from one timeline.
pub fn timeline(h: &HouseholdInput, known_by: NaiveDate) -> CrisisTimeline {
    let mut found: Vec<(Crisis, NaiveDate)> = Vec::new();
    let mut seen: BTreeSet<(CrisisKind, NaiveDate)> = BTreeSet::new();
    let mut spans: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    // Per-record state for snapshots: (source, key) -> index into `records`.
    let mut records: Vec<RecordState> = Vec::new();
    let mut push = |kind: CrisisKind, date: NaiveDate, o: &Observation| {
        // Joint parties and duplicate accounts show the same crisis twice.
        if seen.insert((kind, date)) {
            found.push((
                Crisis {
                    kind,
                    date,
                    evidence: evidence(o),
                },
                o.known_on,
            ));
        }
    };
    for o in h.known_by(known_by) {
        match o.source.as_str() {
            "homelessness" => {
                let fallback = o.event_date.unwrap_or(o.known_on);
                push(
                    CrisisKind::HomelessnessDuty,
                    o.date("duty_start").unwrap_or(fallback),
                    o,
                );
                if let Some(relief) = o.date("relief_start") {
                    push(CrisisKind::HomelessnessDuty, relief, o);
                }
                if let Some(ta) = o.date("ta_start") {
                    push(CrisisKind::TemporaryAccommodation, ta, o);
                }
                let r = record(&mut records, o);
                let open = o.attr("outcome").is_none() && o.attr("duty_end").is_none();
                // The main duty means the household stays in temporary
                // accommodation; the extracts do not say until when.
                let main_duty = o.attr("outcome") == Some("main_duty_accepted");
                if (open || main_duty) && r.open_since.is_none() {
                    r.open_since = Some(o.known_on);
                } else if !(open || main_duty) {
                    if let Some(from) = r.open_since.take() {
                        spans.push((from, Some(o.known_on)));
                    }
                }
            }
            "council_tax" => {
                let now = o.attr("recovery_stage") == Some("enforcement_agent");
                let r = record(&mut records, o);
                if now && !r.flag {
                    push(CrisisKind::EnforcementAgent, o.known_on, o);
                }
                snapshot_state(r, o, now, &mut spans);
            }
            "rent" => {
                let now = o.attr("arrears_action") == Some("eviction_warrant");
                let r = record(&mut records, o);
                if now && !r.flag {
                    push(CrisisKind::Eviction, o.known_on, o);
                }
                snapshot_state(r, o, now, &mut spans);
            }
            "benefits" => {
                let now = o.attr("tenure") == Some("temporary_accommodation");
                let r = record(&mut records, o);
                snapshot_state(r, o, now, &mut spans);
            }
            "contact_centre" if o.attr("topic") == Some("crisis_support_application") => {
                push(
                    CrisisKind::CrisisSupport,
                    o.event_date.unwrap_or(o.known_on),
                    o,
                );
            }
            _ => {}
        }
    }
    for r in &records {
        if let Some(from) = r.open_since {
            spans.push((from, None));
        }
        if let Some(from) = r.state_since {
            spans.push((
                from,
                Some(r.last_known + TimeDelta::days(CURRENT_SNAPSHOT_DAYS + 1)),
            ));
        }
    }
    found.sort_by_key(|a| (a.0.date, a.0.kind));
    for (c, known) in &found {
        // Known to services from the later of the crisis and its record.
        spans.push((
            c.date.max(*known),
            Some(c.date + TimeDelta::days(RECENT_CRISIS_DAYS + 1)),
        ));
    }
    let (crises, known) = found.into_iter().unzip();
    CrisisTimeline {
        crises,
        known,
        spans,
    }
}

/// One record's versions so far, as the timeline walks them.
struct RecordState {
    source: String,
    key: String,
    /// Homelessness: the case has been open since this version's date.
    open_since: Option<NaiveDate>,
    /// Snapshots: the state of interest has held since this version's date.
    state_since: Option<NaiveDate>,
    /// Snapshots: the last version showed the state.
    flag: bool,
    last_known: NaiveDate,
}

fn record<'a>(records: &'a mut Vec<RecordState>, o: &Observation) -> &'a mut RecordState {
    // Households hold a handful of records: a linear scan beats hashing.
    let i = match records
        .iter()
        .position(|r| r.key == o.record_key && r.source == o.source)
    {
        Some(i) => i,
        None => {
            records.push(RecordState {
                source: o.source.clone(),
                key: o.record_key.clone(),
                open_since: None,
                state_since: None,
                flag: false,
                last_known: o.known_on,
            });
            records.len() - 1
        }
    };
    &mut records[i]
}

/// A snapshot record showing (or not) a crisis state: the state holds from
/// the first version showing it until a version without it, or until the
/// record stops appearing (one extract cycle after its last version).
fn snapshot_state(
    r: &mut RecordState,
    o: &Observation,
    now: bool,
    spans: &mut Vec<(NaiveDate, Option<NaiveDate>)>,
) {
    if let Some(from) = r.state_since {
        let stale = r.last_known + TimeDelta::days(CURRENT_SNAPSHOT_DAYS + 1);
        if !now || stale < o.known_on {
            spans.push((from, Some(o.known_on.min(stale))));
            r.state_since = None;
        }
    }
    if now && r.state_since.is_none() {
        r.state_since = Some(o.known_on);
    }
    r.flag = now;
    r.last_known = o.known_on;
}

fn evidence(o: &Observation) -> Evidence {
    Evidence {
        source: o.source.clone(),
        record_key: o.record_key.clone(),
        known_on: o.known_on,
    }
}

/// `date` plus `months` calendar months; a month's last day maps to the
/// last day of the target month (30 Sep + 6 months = 31 Mar), so monthly
/// cutoffs give whole-month windows.
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    let next_day_is_new_month = date.succ_opt().is_some_and(|d| d.month() != date.month());
    if next_day_is_new_month {
        let first = date.with_day(1)?;
        let target = first.checked_add_months(Months::new(months + 1))?;
        target.pred_opt()
    } else {
        date.checked_add_months(Months::new(months))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;

    pub(crate) fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    pub(crate) fn obs(
        source: &str,
        key: &str,
        known_on: &str,
        event_date: Option<&str>,
        attrs: &[(&str, &str)],
    ) -> Observation {
        Observation {
            source: source.into(),
            record_key: key.into(),
            person: 1,
            row_means: String::new(),
            known_on: d(known_on),
            event_date: event_date.map(d),
            dob: None,
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    pub(crate) fn household(mut observations: Vec<Observation>) -> HouseholdInput {
        observations.sort_by_key(|o| o.known_on);
        HouseholdInput {
            household: 1,
            observations,
            ..Default::default()
        }
    }

    #[test]
    fn homelessness_case_gives_duty_and_ta_dated_by_attributes() {
        let h = household(vec![
            obs(
                "homelessness",
                "HOM1",
                "2024-03-31",
                Some("2024-03-10"),
                &[("duty", "relief"), ("duty_start", "2024-03-10")],
            ),
            obs(
                "homelessness",
                "HOM1",
                "2024-04-30",
                Some("2024-03-10"),
                &[
                    ("duty", "relief"),
                    ("duty_start", "2024-03-10"),
                    ("ta_start", "2024-04-02"),
                ],
            ),
            obs(
                "homelessness",
                "HOM1",
                "2024-06-30",
                Some("2024-03-10"),
                &[
                    ("duty", "relief"),
                    ("duty_start", "2024-03-10"),
                    ("ta_start", "2024-04-02"),
                    ("duty_end", "2024-06-01"),
                    ("outcome", "secured_accommodation"),
                ],
            ),
        ]);
        let all = crises(&h, d("2024-01-01"), d("2024-12-31"));
        assert_eq!(
            all.iter().map(|c| (c.kind, c.date)).collect::<Vec<_>>(),
            vec![
                (CrisisKind::HomelessnessDuty, d("2024-03-10")),
                (CrisisKind::TemporaryAccommodation, d("2024-04-02")),
            ]
        );
        assert_eq!(all[0].evidence.record_key, "HOM1");
        // Before the platform knew of the case: not in crisis.
        assert!(!in_crisis(&h, d("2024-03-20")));
        assert!(in_crisis(&h, d("2024-03-31")));
        assert!(in_crisis(&h, d("2024-06-29")));
        // Closed on 30 June; the TA crisis (2 April) is more than 91 days old.
        assert!(!in_crisis(&h, d("2024-07-15")));
        // The window is (from, to].
        assert!(crises(&h, d("2024-03-10"), d("2024-04-01")).is_empty());
    }

    #[test]
    fn enforcement_and_eviction_are_transitions_in_snapshots() {
        let mut o = Vec::new();
        for (m, stage) in [
            ("2024-01-31", "summons"),
            ("2024-02-29", "liability_order"),
            ("2024-03-31", "enforcement_agent"),
            ("2024-04-30", "enforcement_agent"),
            ("2024-05-31", ""),
        ] {
            for party in ["1", "2"] {
                o.push(obs(
                    "council_tax",
                    &format!("4000/{party}"),
                    m,
                    None,
                    &[("recovery_stage", stage), ("balance", "50000")],
                ));
            }
        }
        o.push(obs(
            "rent",
            "T1/1",
            "2024-08-31",
            None,
            &[("arrears_action", "eviction_warrant")],
        ));
        let h = household(o);
        let all = crises(&h, d("2023-12-31"), d("2024-12-31"));
        assert_eq!(
            all.iter().map(|c| (c.kind, c.date)).collect::<Vec<_>>(),
            vec![
                (CrisisKind::EnforcementAgent, d("2024-03-31")),
                (CrisisKind::Eviction, d("2024-08-31")),
            ],
            "joint parties give one crisis"
        );
        assert!(!in_crisis(&h, d("2024-03-30")));
        assert!(in_crisis(&h, d("2024-03-31")));
        assert!(in_crisis(&h, d("2024-05-15")), "recent crisis");
        assert!(!in_crisis(&h, d("2024-07-15")));
        assert!(in_crisis(&h, d("2024-09-20")));
    }

    #[test]
    fn stale_snapshot_state_ends_after_one_cycle() {
        let h = household(vec![obs(
            "benefits",
            "HB1/claimant",
            "2024-01-31",
            None,
            &[("tenure", "temporary_accommodation")],
        )]);
        assert!(in_crisis(&h, d("2024-02-20")));
        assert!(!in_crisis(&h, d("2024-04-01")));
        assert!(crises(&h, d("2000-01-01"), d("2030-01-01")).is_empty());
    }

    #[test]
    fn crisis_support_is_dated_by_the_contact() {
        let h = household(vec![
            obs(
                "contact_centre",
                "CC1",
                "2024-02-03",
                Some("2024-02-03"),
                &[("topic", "crisis_support_application")],
            ),
            obs(
                "contact_centre",
                "CC2",
                "2024-02-05",
                Some("2024-02-05"),
                &[("topic", "parking")],
            ),
        ]);
        let all = crises(&h, d("2024-01-01"), d("2024-03-01"));
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].kind, CrisisKind::CrisisSupport);
        assert!(in_crisis(&h, d("2024-04-01")));
        assert!(!in_crisis(&h, d("2024-06-01")));
    }

    #[test]
    fn one_timeline_answers_as_of_any_earlier_day() {
        let h = household(vec![
            obs(
                "homelessness",
                "HOM1",
                "2024-03-31",
                Some("2024-03-10"),
                &[("duty_start", "2024-03-10")],
            ),
            obs(
                "homelessness",
                "HOM1",
                "2024-05-31",
                Some("2024-03-10"),
                &[("duty_start", "2024-03-10"), ("outcome", "contact_lost")],
            ),
            obs(
                "council_tax",
                "1/1",
                "2024-08-31",
                None,
                &[("recovery_stage", "enforcement_agent")],
            ),
            obs(
                "council_tax",
                "1/1",
                "2024-09-30",
                None,
                &[("recovery_stage", "enforcement_agent")],
            ),
            obs(
                "rent",
                "T/1",
                "2024-10-31",
                None,
                &[("arrears_action", "eviction_warrant")],
            ),
        ]);
        let full = timeline(&h, d("2025-12-31"));
        let mut day = d("2024-01-01");
        while day < d("2025-06-01") {
            assert_eq!(full.in_crisis_at(day), in_crisis(&h, day), "{day}");
            day += TimeDelta::days(1);
        }
    }

    #[test]
    fn months_are_added_month_end_to_month_end() {
        assert_eq!(add_months(d("2024-09-30"), 6), Some(d("2025-03-31")));
        assert_eq!(add_months(d("2024-08-31"), 6), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2024-01-15"), 6), Some(d("2024-07-15")));
    }
}
