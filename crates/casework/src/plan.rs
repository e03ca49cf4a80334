//! Support-plan actions, held to SMART: specific (what will be done, in
//! words someone else could act on), measurable (how we will know it is
//! done), owned (a named person), and time-bound (a due date within a year).
//! Vague actions with no owner or date are how plans drift; the checks make
//! each part a required field with a GOV.UK-style message.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{long_date, FieldProblem};

/// The longest a free-text field may be.
pub const MAX_TEXT_CHARS: usize = 500;
/// Fewer words than this is not specific ("Sort rent").
pub const MIN_WHAT_WORDS: usize = 3;
/// A due date further off than this is not time-bound.
pub const MAX_DUE_DAYS: u64 = 365;
pub const MAX_NAME_CHARS: usize = 100;

/// Who does the action: the resident, or someone working with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionOwner {
    Resident,
    Staff,
}

impl ActionOwner {
    pub const ALL: [ActionOwner; 2] = [ActionOwner::Resident, ActionOwner::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionOwner::Resident => "resident",
            ActionOwner::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<ActionOwner> {
        ActionOwner::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionOwner::Resident => "Resident",
            ActionOwner::Staff => "Staff or partner",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    NotStarted,
    InProgress,
    Done,
    /// Closed without being done because circumstances changed; kept apart
    /// from Done so plans are not reported as more successful than they were.
    NoLongerNeeded,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::NotStarted,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::NoLongerNeeded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::NotStarted => "not_started",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::NoLongerNeeded => "no_longer_needed",
        }
    }

    pub fn parse(s: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::NotStarted => "Not started",
            ActionStatus::InProgress => "In progress",
            ActionStatus::Done => "Done",
            ActionStatus::NoLongerNeeded => "No longer needed",
        }
    }

    /// Whether the action still needs doing.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::NotStarted | ActionStatus::InProgress)
    }
}

/// An action as entered on the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAction {
    pub what: String,
    pub how_we_will_know: String,
    pub owner: ActionOwner,
    pub owner_name: String,
    pub due_on: Option<NaiveDate>,
}

/// Checks an action is SMART; every problem is returned, in form order, so
/// the error summary lists them all at once.
pub fn validate_action(action: &NewAction, today: NaiveDate) -> Result<(), Vec<FieldProblem>> {
    let mut problems = Vec::new();

    let what = action.what.trim();
    if what.is_empty() {
        problems.push(FieldProblem::new("what", "Enter what will be done"));
    } else if what.chars().count() > MAX_TEXT_CHARS {
        problems.push(FieldProblem::new(
            "what",
            format!("What will be done must be {MAX_TEXT_CHARS} characters or fewer"),
        ));
    } else if what.split_whitespace().count() < MIN_WHAT_WORDS {
        problems.push(FieldProblem::new(
            "what",
            format!(
                "Describe what will be done in at least {MIN_WHAT_WORDS} words, so that someone else could do it"
            ),
        ));
    }

    let know = action.how_we_will_know.trim();
    if know.is_empty() {
        problems.push(FieldProblem::new(
            "how_we_will_know",
            "Enter how you will know it has been done",
        ));
    } else if know.chars().count() > MAX_TEXT_CHARS {
        problems.push(FieldProblem::new(
            "how_we_will_know",
            format!("How you will know must be {MAX_TEXT_CHARS} characters or fewer"),
        ));
    }

    let name = action.owner_name.trim();
    if name.is_empty() {
        problems.push(FieldProblem::new(
            "owner_name",
            match action.owner {
                ActionOwner::Resident => "Enter the name of the resident who will do this",
                ActionOwner::Staff => "Enter the name of the person who will do this",
            },
        ));
    } else if name.chars().count() > MAX_NAME_CHARS {
        problems.push(FieldProblem::new(
            "owner_name",
            format!("Name must be {MAX_NAME_CHARS} characters or fewer"),
        ));
    }

    match action.due_on {
        None => problems.push(FieldProblem::new("due_on", "Enter a due date")),
        Some(due) if due < today => problems.push(FieldProblem::new(
            "due_on",
            "The due date must be today or in the future",
        )),
        Some(due) => {
            let latest = today
                .checked_add_days(Days::new(MAX_DUE_DAYS))
                .unwrap_or(NaiveDate::MAX);
            if due > latest {
                problems.push(FieldProblem::new(
                    "due_on",
                    format!("The due date must be on or before {}", long_date(latest)),
                ));
            }
        }
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

    fn good() -> NewAction {
        NewAction {
            what: "Apply for a discretionary housing payment to cover the rent shortfall".into(),
            how_we_will_know: "A decision letter from the benefits team".into(),
            owner: ActionOwner::Staff,
            owner_name: "Rhian Evans".into(),
            due_on: Some(d(2026, 3, 27)),
        }
    }

    #[test]
    fn owner_and_status_round_trip() {
        for o in ActionOwner::ALL {
            assert_eq!(ActionOwner::parse(o.as_str()), Some(o));
        }
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ActionStatus::NoLongerNeeded.label(), "No longer needed");
        assert!(!ActionStatus::Done.is_open());
    }

    #[test]
    fn a_smart_action_passes() {
        assert_eq!(validate_action(&good(), d(2026, 3, 20)), Ok(()));
    }

    #[test]
    fn an_empty_form_lists_every_problem_in_order() {
        let empty = NewAction {
            what: " ".into(),
            how_we_will_know: String::new(),
            owner: ActionOwner::Resident,
            owner_name: String::new(),
            due_on: None,
        };
        let problems = validate_action(&empty, d(2026, 3, 20)).unwrap_err();
        let got: Vec<_> = problems
            .iter()
            .map(|p| (p.field, p.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("what", "Enter what will be done"),
                (
                    "how_we_will_know",
                    "Enter how you will know it has been done"
                ),
                (
                    "owner_name",
                    "Enter the name of the resident who will do this"
                ),
                ("due_on", "Enter a due date"),
            ]
        );
    }

    #[test]
    fn vague_or_overlong_actions_are_refused() {
        let today = d(2026, 3, 20);
        let vague = NewAction {
            what: "Sort rent".into(),
            ..good()
        };
        let p = validate_action(&vague, today).unwrap_err();
        assert_eq!(p[0].field, "what");
        assert!(p[0]
            .message
            .starts_with("Describe what will be done in at least 3 words"));
        let long = NewAction {
            what: "word ".repeat(101),
            ..good()
        };
        assert_eq!(
            validate_action(&long, today).unwrap_err()[0].message,
            "What will be done must be 500 characters or fewer"
        );
    }

    #[test]
    fn the_due_date_must_be_from_today_to_a_year_ahead() {
        let today = d(2026, 3, 20);
        let due = |on| NewAction {
            due_on: Some(on),
            ..good()
        };
        assert_eq!(validate_action(&due(today), today), Ok(()));
        assert_eq!(
            validate_action(&due(d(2026, 3, 19)), today).unwrap_err()[0].message,
            "The due date must be today or in the future"
        );
        assert_eq!(validate_action(&due(d(2027, 3, 20)), today), Ok(()));
        assert_eq!(
            validate_action(&due(d(2027, 3, 21)), today).unwrap_err()[0].message,
            "The due date must be on or before 20 March 2027"
        );
    }
}
