//! Casework standards and the rules that follow from them: how often to
//! contact someone on an open case, when a case may be closed and why, how
//! long a homelessness duty runs and when its letters are due, what makes a
//! support-plan action SMART, and whether consent to share covers a referral.
//!
//! Written after a Welsh council's audit with Crisis found no system telling
//! officers how often to contact people or when to close files, cases closed
//! for loss of contact after emails alone, and decision letters late in most
//! cases. The rules are in `standards.toml` so a council can see and change
//! them.
//!
//! Pure: every function takes values (and today's date) and returns values,
//! with no clock, database or files, so the rules are tested exactly and the
//! web and command-line layers cannot disagree about them.

pub mod clock;
pub mod closure;
pub mod consent;
pub mod contact;
pub mod plan;
pub mod reach;
pub mod standards;

use chrono::NaiveDate;

pub use clock::{duty_clock, ClockState, Duty, DutyClock, DutyError, DutyKind, LetterState};
pub use closure::{check_closure, ClosureRefused};
pub use consent::{validate_consent, Consent, NewConsent};
pub use contact::{
    contact_status, next_contact_due, overdue_list, validate_attempt, Attempt, ContactStatus,
    OverdueCase,
};
pub use plan::{validate_action, ActionOwner, ActionStatus, NewAction};
pub use reach::{contact_details, show_phone, Correction, Detail, DetailKind, Sighting};
pub use standards::{
    AttemptResult, Choice, ClosureReason, DutyRule, LossOfContact, Standards, StandardsError,
};

/// One problem with one form field, for a GOV.UK error summary: `field` is
/// the field's name (and the id the summary links to), `message` is what to
/// show, in GOV.UK error message style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

impl FieldProblem {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> FieldProblem {
        FieldProblem {
            field,
            message: message.into(),
        }
    }
}

/// A date as people read it: 14 March 2026.
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "1 day", "3 days".
pub(crate) fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_lists_read_naturally() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(long_date(d), "4 March 2026");
        assert_eq!(plural(1, "day", "days"), "1 day");
        assert_eq!(plural(0, "day", "days"), "0 days");
        let l = |v: &[&str]| and_list(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(l(&["phone"]), "phone");
        assert_eq!(l(&["phone", "email", "letter"]), "phone, email and letter");
    }
}
