//! What assessment reads: each household of the single view with every
//! stored version of its members' source records. The storage layer builds
//! these; everything in this crate is pure and works on them alone.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// One stored version of one source record: a row of one monthly snapshot
/// (an account, a claim, a tenancy as it stood that month) or one logged
/// event (a call, a referral, a job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The source system's name, as in its declaration: `council_tax`, `rent`, ...
    pub source: String,
    /// The record's key within its source: `40000001/1`.
    pub record_key: String,
    /// The linked person this record is.
    pub person: i64,
    /// What the row means (`liable_person_on_account`, `interaction`, ...).
    pub row_means: String,
    /// When the platform could first have known this version: the last day
    /// of a snapshot's month, or an event's own date. "As of" filtering uses
    /// this and nothing else, so nothing from the future leaks in.
    pub known_on: NaiveDate,
    /// The date the row's fact started (account opened, claim start, call).
    pub event_date: Option<NaiveDate>,
    pub dob: Option<NaiveDate>,
    /// Typed attributes as stored by ingest: money as integer pence written
    /// in decimal ("12345"), codes, ISO dates, integers, text.
    pub attributes: BTreeMap<String, String>,
}

impl Observation {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// An attribute read as integer pence (or any integer).
    pub fn int(&self, name: &str) -> Option<i64> {
        self.attr(name).and_then(|v| v.parse().ok())
    }

    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        self.attr(name)
            .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
    }
}

/// One household of the single view: people living at one address at the
/// same time, with all their records.
#[derive(Debug, Clone, Default)]
pub struct HouseholdInput {
    pub household: i64,
    /// Ward or area the address lies in, when known (teams may cover areas).
    pub area: Option<String>,
    pub members: Vec<Member>,
    /// When the current residence began, as the single view sees it.
    pub moved_in: Option<NaiveDate>,
    /// Every version of every member's records, in `known_on` order.
    pub observations: Vec<Observation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub person: i64,
    pub dob: Option<NaiveDate>,
    /// The earliest date any of the person's records shows them in the area.
    pub first_seen: Option<NaiveDate>,
}

impl HouseholdInput {
    /// The observations known on or before `as_of`: the only ones any
    /// detection or feature may use.
    pub fn known_by(&self, as_of: NaiveDate) -> impl Iterator<Item = &Observation> {
        self.observations
            .iter()
            .take_while(move |o| o.known_on <= as_of)
    }
}

/// Which stored record (and which version of it) shows something.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    pub source: String,
    pub record_key: String,
    pub known_on: NaiveDate,
}

/// A life event found in a household's records, as of some date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DetectedEvent {
    /// The event's id in the library (`income_drop`, `first_missed_rent`, ...).
    pub event: String,
    /// When it happened (or was first visible).
    pub date: NaiveDate,
    /// The member it is about, when it is about one person.
    pub person: Option<i64>,
    /// Plain English for staff: "council tax reduction fell from £36.77 to £20.10 a week".
    pub detail: String,
    pub evidence: Vec<Evidence>,
}

/// How embedded a household is in its community (see docs/assessment.md).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Resilience {
    /// 0 (not at all embedded) to 100 (deeply embedded).
    pub score: u8,
    pub band: ResilienceBand,
    /// Each part of the score, in plain English, with its points.
    pub parts: Vec<(String, u8)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResilienceBand {
    Low,
    Medium,
    High,
}
