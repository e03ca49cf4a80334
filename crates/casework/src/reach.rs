//! How to reach a household: the phones, emails and postal addresses the
//! source systems hold, with the council's own corrections on top.
//!
//! Staff hear from the resident ("that number is my ex-partner's", "write to
//! my sister's, not here"); the source systems do not. So a detail staff
//! recorded wins over every source that holds the same value: marked "do
//! not use", it stays listed (so nobody adds it back from a form) but is
//! never offered as a way to make contact.

use chrono::NaiveDate;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DetailKind {
    Phone,
    Email,
    Address,
}

impl DetailKind {
    pub const ALL: [DetailKind; 3] = [DetailKind::Phone, DetailKind::Email, DetailKind::Address];

    pub fn as_str(self) -> &'static str {
        match self {
            DetailKind::Phone => "phone",
            DetailKind::Email => "email",
            DetailKind::Address => "address",
        }
    }

    pub fn parse(s: &str) -> Option<DetailKind> {
        DetailKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DetailKind::Phone => "Phone",
            DetailKind::Email => "Email",
            DetailKind::Address => "Postal address",
        }
    }
}

/// A value as one source system held it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    pub person_id: Option<i64>,
    pub kind: DetailKind,
    pub value: String,
    /// The source system's title, e.g. "Council Tax".
    pub source: String,
    pub seen_on: Option<NaiveDate>,
}

/// What a member of staff recorded about a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub person_id: Option<i64>,
    pub kind: DetailKind,
    pub value: String,
    pub usable: bool,
    pub note: String,
    pub by: String,
    pub on: NaiveDate,
}

/// One phone, email or address, with everything that says where it came
/// from and whether it may be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub kind: DetailKind,
    pub value: String,
    /// Whose it is; several people can share a landline or a home.
    pub people: Vec<i64>,
    pub usable: bool,
    /// The latest thing staff recorded about it, if anything.
    pub council: Option<Correction>,
    /// Each source system that holds it, with the latest date it was seen.
    pub sources: Vec<(String, Option<NaiveDate>)>,
    pub last_seen: Option<NaiveDate>,
}

/// Every detail once, usable ones first: those staff recorded, then the most
/// recently seen. Corrections are taken in the order given (oldest first),
/// so the latest word on a value wins.
pub fn contact_details(sightings: &[Sighting], corrections: &[Correction]) -> Vec<Detail> {
    let mut by_value: BTreeMap<(DetailKind, String), Detail> = BTreeMap::new();
    let blank = |kind: DetailKind, value: &str| Detail {
        kind,
        value: value.to_string(),
        people: Vec::new(),
        usable: true,
        council: None,
        sources: Vec::new(),
        last_seen: None,
    };
    for s in sightings {
        if s.value.trim().is_empty() {
            continue;
        }
        let d = by_value
            .entry((s.kind, s.value.clone()))
            .or_insert_with(|| blank(s.kind, &s.value));
        if let Some(p) = s.person_id {
            if !d.people.contains(&p) {
                d.people.push(p);
            }
        }
        match d.sources.iter_mut().find(|(name, _)| *name == s.source) {
            Some((_, seen)) => *seen = (*seen).max(s.seen_on),
            None => d.sources.push((s.source.clone(), s.seen_on)),
        }
        d.last_seen = d.last_seen.max(s.seen_on);
    }
    for c in corrections {
        let d = by_value
            .entry((c.kind, c.value.clone()))
            .or_insert_with(|| blank(c.kind, &c.value));
        if let Some(p) = c.person_id {
            if !d.people.contains(&p) {
                d.people.push(p);
            }
        }
        d.usable = c.usable;
        d.last_seen = d.last_seen.max(Some(c.on));
        d.council = Some(c.clone());
    }
    let mut out: Vec<Detail> = by_value.into_values().collect();
    for d in &mut out {
        d.people.sort_unstable();
        d.sources.sort();
    }
    out.sort_by(|a, b| {
        (
            b.usable,
            b.council.is_some() && b.usable,
            b.last_seen,
            a.kind,
        )
            .cmp(&(
                a.usable,
                a.council.is_some() && a.usable,
                a.last_seen,
                b.kind,
            ))
            .then_with(|| a.value.cmp(&b.value))
    });
    out
}

/// The details that may be used, of one kind, best first.
pub fn usable(details: &[Detail], kind: DetailKind) -> impl Iterator<Item = &Detail> {
    details.iter().filter(move |d| d.usable && d.kind == kind)
}

/// A phone number as people read it: 07700 900123, 0121 496 0000.
pub fn show_phone(national: &str) -> String {
    let d = national;
    let split = |n: usize| match (d.get(..n), d.get(n..)) {
        (Some(a), Some(b)) => format!("{a} {b}"),
        _ => d.to_string(),
    };
    if d.len() != 11 {
        return d.to_string();
    }
    // Mobiles and non-geographic numbers read 5-6; London, Birmingham and
    // the other two-digit area codes 3-4-4; the rest 5-6.
    if d.starts_with("02") {
        match (d.get(..3), d.get(3..7), d.get(7..)) {
            (Some(a), Some(b), Some(c)) => format!("{a} {b} {c}"),
            _ => d.to_string(),
        }
    } else if d.starts_with("011")
        || d.get(..4)
            .is_some_and(|p| p.ends_with('1') && p.starts_with("01"))
    {
        match (d.get(..4), d.get(4..7), d.get(7..)) {
            (Some(a), Some(b), Some(c)) => format!("{a} {b} {c}"),
            _ => d.to_string(),
        }
    } else {
        split(5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn seen(person: i64, value: &str, source: &str, d: u32) -> Sighting {
        Sighting {
            person_id: Some(person),
            kind: DetailKind::Phone,
            value: value.into(),
            source: source.into(),
            seen_on: Some(day(d)),
        }
    }

    fn said(value: &str, usable: bool, d: u32) -> Correction {
        Correction {
            person_id: Some(1),
            kind: DetailKind::Phone,
            value: value.into(),
            usable,
            note: "the resident told us".into(),
            by: "A Connector".into(),
            on: day(d),
        }
    }

    #[test]
    fn one_value_from_several_sources_is_listed_once_with_each_source() {
        let out = contact_details(
            &[
                seen(1, "07700900123", "Council Tax", 1),
                seen(1, "07700900123", "Housing Benefit", 5),
                seen(2, "07700900123", "Council Tax", 3),
            ],
            &[],
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].people, vec![1, 2]);
        assert_eq!(
            out[0].sources,
            vec![
                ("Council Tax".to_string(), Some(day(3))),
                ("Housing Benefit".to_string(), Some(day(5)))
            ]
        );
        assert_eq!(out[0].last_seen, Some(day(5)));
    }

    #[test]
    fn the_councils_word_wins_over_every_source_and_the_latest_word_wins() {
        let sources = [
            seen(1, "07700900123", "Council Tax", 20),
            seen(1, "07700900456", "Housing Benefit", 2),
        ];
        // Marked wrong: listed last and not usable, though a source saw it later.
        let out = contact_details(&sources, &[said("07700900123", false, 10)]);
        assert_eq!(out[0].value, "07700900456");
        assert!(out[0].usable);
        assert_eq!(out[1].value, "07700900123");
        assert!(!out[1].usable);
        assert_eq!(usable(&out, DetailKind::Phone).count(), 1);
        // Later confirmed right again.
        let out = contact_details(
            &sources,
            &[
                said("07700900123", false, 10),
                said("07700900123", true, 12),
            ],
        );
        assert!(out.iter().all(|d| d.usable));
        // A number staff added comes before those only the sources hold.
        let out = contact_details(&sources, &[said("07700900789", true, 1)]);
        assert_eq!(out[0].value, "07700900789");
        assert!(out[0].sources.is_empty());
    }

    #[test]
    fn phone_numbers_are_grouped_as_people_read_them() {
        assert_eq!(show_phone("07700900123"), "07700 900123");
        assert_eq!(show_phone("01214960000"), "0121 496 0000");
        assert_eq!(show_phone("02079460000"), "020 7946 0000");
        assert_eq!(show_phone("01970612345"), "01970 612345");
        assert_eq!(show_phone("0800123456"), "0800123456");
    }
}
