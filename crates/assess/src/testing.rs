//! Builders shared by the unit tests of events, resilience and personas.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::Observation;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// One version of a record of person 1, known on `known`.
pub fn obs(
    source: &str,
    key: &str,
    known: &str,
    event: Option<&str>,
    attrs: &[(&str, &str)],
) -> Observation {
    Observation {
        source: source.into(),
        record_key: key.into(),
        person: 1,
        row_means: "row".into(),
        known_on: d(known),
        event_date: event.map(d),
        dob: None,
        attributes: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    }
}
