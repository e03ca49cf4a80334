//! Contact frequency: when someone on an open case must next be reached, and
//! the team's list of people who are due or overdue.
//!
//! The audit found no system telling officers how often to contact people.
//! The standard is one successful contact every `contact_every_days`
//! (counted from the case opening, then from each successful contact);
//! unanswered attempts do not reset the clock, because they are not contact.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{FieldProblem, Standards};

/// One try at reaching someone: when, how (a channel code) and what came of
/// it (an attempt result code), both from the standards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub on: NaiveDate,
    pub channel: String,
    pub result: String,
}

impl Attempt {
    pub fn new(on: NaiveDate, channel: &str, result: &str) -> Attempt {
        Attempt {
            on,
            channel: channel.to_string(),
            result: result.to_string(),
        }
    }
}

/// Where a case stands against the contact standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ContactStatus {
    OnTrack {
        due_on: NaiveDate,
    },
    /// Due within `contact_warn_days` (the due day included).
    DueSoon {
        due_on: NaiveDate,
    },
    Overdue {
        due_on: NaiveDate,
        days_overdue: i64,
    },
}

impl ContactStatus {
    pub fn due_on(self) -> NaiveDate {
        match self {
            ContactStatus::OnTrack { due_on }
            | ContactStatus::DueSoon { due_on }
            | ContactStatus::Overdue { due_on, .. } => due_on,
        }
    }
}

/// The last successful contact on or before `today`, if any.
pub fn last_successful(
    standards: &Standards,
    attempts: &[Attempt],
    today: NaiveDate,
) -> Option<NaiveDate> {
    attempts
        .iter()
        .filter(|a| a.on <= today && standards.is_successful(&a.result))
        .map(|a| a.on)
        .max()
}

/// The date the next successful contact is due: the last successful contact
/// (or the day the case opened, if later or if there is none) plus
/// `contact_every_days`.
pub fn next_contact_due(
    standards: &Standards,
    opened_on: NaiveDate,
    attempts: &[Attempt],
) -> NaiveDate {
    let from = attempts
        .iter()
        .filter(|a| standards.is_successful(&a.result))
        .map(|a| a.on)
        .fold(opened_on, NaiveDate::max);
    from.checked_add_days(Days::new(u64::from(standards.contact_every_days)))
        .unwrap_or(NaiveDate::MAX)
}

pub fn contact_status(
    standards: &Standards,
    opened_on: NaiveDate,
    attempts: &[Attempt],
    today: NaiveDate,
) -> ContactStatus {
    let due_on = next_contact_due(standards, opened_on, attempts);
    let days_to_due = (due_on - today).num_days();
    if days_to_due < 0 {
        ContactStatus::Overdue {
            due_on,
            days_overdue: -days_to_due,
        }
    } else if days_to_due <= i64::from(standards.contact_warn_days) {
        ContactStatus::DueSoon { due_on }
    } else {
        ContactStatus::OnTrack { due_on }
    }
}

/// One line of the team's overdue list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCase<K> {
    pub case_id: K,
    pub status: ContactStatus,
}

/// The team's overdue list: the cases that are overdue or due soon, most
/// overdue first (earliest due date first; cases due the same day keep the
/// order they were given in). Cases on track are left out.
pub fn overdue_list<'a, K, I>(
    standards: &Standards,
    cases: I,
    today: NaiveDate,
) -> Vec<OverdueCase<K>>
where
    I: IntoIterator<Item = (K, NaiveDate, &'a [Attempt])>,
{
    let mut out: Vec<OverdueCase<K>> = cases
        .into_iter()
        .map(|(case_id, opened_on, attempts)| OverdueCase {
            case_id,
            status: contact_status(standards, opened_on, attempts, today),
        })
        .filter(|c| !matches!(c.status, ContactStatus::OnTrack { .. }))
        .collect();
    out.sort_by_key(|c| c.status.due_on());
    out
}

/// Checks a contact attempt before it is recorded.
pub fn validate_attempt(
    standards: &Standards,
    attempt: &Attempt,
    today: NaiveDate,
) -> Result<(), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if attempt.on > today {
        problems.push(FieldProblem::new(
            "on",
            "The date of the attempt must be today or in the past",
        ));
    }
    if standards.channel(&attempt.channel).is_none() {
        problems.push(FieldProblem::new(
            "channel",
            "Select how you tried to make contact",
        ));
    }
    if standards.attempt_result(&attempt.result).is_none() {
        problems.push(FieldProblem::new("result", "Select what happened"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn contact_is_due_14_days_after_opening_or_the_last_success() {
        let s = Standards::default_standards();
        let opened = d(2026, 3, 2);
        assert_eq!(next_contact_due(&s, opened, &[]), d(2026, 3, 16));
        let attempts = [
            Attempt::new(d(2026, 3, 5), "phone", "spoke"),
            // Unanswered attempts are not contact: they do not move the date.
            Attempt::new(d(2026, 3, 12), "phone", "no_answer"),
            Attempt::new(d(2026, 3, 13), "email", "no_reply"),
        ];
        assert_eq!(next_contact_due(&s, opened, &attempts), d(2026, 3, 19));
    }

    #[test]
    fn status_moves_from_on_track_to_due_soon_to_overdue() {
        let s = Standards::default_standards();
        let opened = d(2026, 3, 2);
        let due = d(2026, 3, 16);
        assert_eq!(
            contact_status(&s, opened, &[], d(2026, 3, 12)),
            ContactStatus::OnTrack { due_on: due }
        );
        assert_eq!(
            contact_status(&s, opened, &[], d(2026, 3, 13)),
            ContactStatus::DueSoon { due_on: due }
        );
        assert_eq!(
            contact_status(&s, opened, &[], d(2026, 3, 16)),
            ContactStatus::DueSoon { due_on: due }
        );
        assert_eq!(
            contact_status(&s, opened, &[], d(2026, 3, 20)),
            ContactStatus::Overdue {
                due_on: due,
                days_overdue: 4
            }
        );
    }

    #[test]
    fn an_unknown_result_does_not_count_as_contact() {
        let s = Standards::default_standards();
        let attempts = [Attempt::new(d(2026, 3, 10), "phone", "sopke")];
        assert_eq!(
            next_contact_due(&s, d(2026, 3, 2), &attempts),
            d(2026, 3, 16)
        );
    }

    #[test]
    fn the_overdue_list_puts_the_most_overdue_first_and_leaves_out_on_track() {
        let s = Standards::default_standards();
        let recent = [Attempt::new(d(2026, 3, 18), "home_visit", "met")];
        let none: [Attempt; 0] = [];
        let today = d(2026, 3, 20);
        let cases = vec![
            ("C-1", d(2026, 3, 1), &none[..]),   // due 15 March: 5 days overdue
            ("C-2", d(2026, 2, 1), &none[..]),   // due 15 February: 33 days overdue
            ("C-3", d(2026, 3, 1), &recent[..]), // due 1 April: on track
            ("C-4", d(2026, 3, 8), &none[..]),   // due 22 March: due soon
        ];
        let list = overdue_list(&s, cases, today);
        let ids: Vec<_> = list.iter().map(|c| c.case_id).collect();
        assert_eq!(ids, ["C-2", "C-1", "C-4"]);
        assert_eq!(
            list[0].status,
            ContactStatus::Overdue {
                due_on: d(2026, 2, 15),
                days_overdue: 33
            }
        );
    }

    #[test]
    fn attempts_are_checked_before_they_are_recorded() {
        let s = Standards::default_standards();
        let today = d(2026, 3, 20);
        assert_eq!(
            validate_attempt(
                &s,
                &Attempt::new(today, "letter", "returned_undelivered"),
                today
            ),
            Ok(())
        );
        let problems =
            validate_attempt(&s, &Attempt::new(d(2026, 3, 21), "fax", "spoke"), today).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["on", "channel"]);
    }
}
