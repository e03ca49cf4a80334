//! The casework standards: how often to contact people, when a case may be
//! closed for loss of contact, the closure reasons, the duty periods and
//! letter deadlines, and the lists that forms choose from.
//!
//! They live in `standards.toml` (built in; a council may load its own) so
//! that a local standard is changed by editing a file, not code. Every value
//! is checked when the file is read, and an error names the key at fault.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use upstream_core::Nation;

use crate::DutyKind;

const BUILT_IN: &str = include_str!("../standards.toml");

/// Why a standards file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StandardsError {
    /// Not TOML, or a key that is unknown, missing or of the wrong type. The
    /// message from the TOML reader names the key and the line.
    #[error("the standards file could not be read: {0}")]
    Parse(String),
    /// A value that parses but cannot be worked to.
    #[error("`{key}`: {message}")]
    Invalid { key: String, message: String },
}

/// One entry of a pick list: a stable code stored against cases, and the
/// label people see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// What came of a contact attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttemptResult {
    pub code: String,
    pub label: String,
    /// Whether the person was reached: resets the contact clock, and ends any
    /// run of attempts counted towards loss of contact.
    pub successful: bool,
}

/// A standard reason for closing a case, so outcomes can be counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosureReason {
    pub code: String,
    pub label: String,
    /// Closing for this reason needs the loss-of-contact attempts first.
    #[serde(default)]
    pub loss_of_contact: bool,
    /// Closing for this reason needs a note saying why.
    #[serde(default)]
    pub needs_note: bool,
}

/// When a case may be closed for loss of contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossOfContact {
    pub min_attempts: u32,
    pub min_channels: u32,
    pub within_days: u32,
}

/// The rules for one homelessness duty in one nation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyRule {
    /// The duty's name with its Act and section, for pages and letters.
    pub title: String,
    /// The length of the duty period; day 1 is the day it starts.
    pub days: u32,
    /// "Ending soon" this many days before the last day.
    pub warn_days: u32,
    /// The letter saying the duty is owed, why, and the right to a review.
    pub start_letter_within_days: u32,
    /// The letter ending the duty.
    pub end_letter_within_days: u32,
    /// Whether the duty can lawfully go on after `days` (England prevention).
    pub may_continue_past_end: bool,
    /// What must be decided when the duty ends, in words that finish a
    /// sentence ("…: decide whether the s75 duty is owed").
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationDuties {
    pub prevention: DutyRule,
    pub relief: DutyRule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duties {
    pub england: NationDuties,
    pub wales: NationDuties,
}

/// The whole set of standards. Read with [`Standards::from_toml`] or
/// [`Standards::default_standards`], which check every value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standards {
    /// Someone on an open case is contacted successfully at least this often.
    pub contact_every_days: u32,
    /// Contact shows as "due soon" this many days before it is due.
    pub contact_warn_days: u32,
    pub loss_of_contact: LossOfContact,
    pub channels: Vec<Choice>,
    pub attempt_results: Vec<AttemptResult>,
    pub closure_reasons: Vec<ClosureReason>,
    pub consent_purposes: Vec<Choice>,
    pub obtained_how: Vec<Choice>,
    pub duties: Duties,
}

impl Standards {
    /// The standards shipped in `crates/casework/standards.toml`.
    pub fn default_standards() -> Standards {
        // The built-in file is tested; failing here would be a build defect.
        match Standards::from_toml(BUILT_IN) {
            Ok(s) => s,
            Err(e) => panic!("built-in casework standards are invalid: {e}"),
        }
    }

    /// The built-in file's text, for a council to copy and edit.
    pub fn built_in_text() -> &'static str {
        BUILT_IN
    }

    /// Reads and checks a standards file.
    pub fn from_toml(text: &str) -> Result<Standards, StandardsError> {
        let s: Standards =
            toml::from_str(text).map_err(|e| StandardsError::Parse(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    pub fn duty(&self, nation: Nation, kind: DutyKind) -> &DutyRule {
        let n = match nation {
            Nation::England => &self.duties.england,
            Nation::Wales => &self.duties.wales,
        };
        match kind {
            DutyKind::Prevention => &n.prevention,
            DutyKind::Relief => &n.relief,
        }
    }

    pub fn channel(&self, code: &str) -> Option<&Choice> {
        self.channels.iter().find(|c| c.code == code)
    }

    pub fn attempt_result(&self, code: &str) -> Option<&AttemptResult> {
        self.attempt_results.iter().find(|r| r.code == code)
    }

    /// Whether an attempt result reached the person. An unknown code is not
    /// a success: a typo must not reset anyone's contact clock.
    pub fn is_successful(&self, result: &str) -> bool {
        self.attempt_result(result).is_some_and(|r| r.successful)
    }

    /// Whether an attempt result is a known unsuccessful one. An unknown code
    /// does not count either, so it cannot help close a case for loss of
    /// contact.
    pub fn is_unsuccessful(&self, result: &str) -> bool {
        self.attempt_result(result).is_some_and(|r| !r.successful)
    }

    pub fn closure_reason(&self, code: &str) -> Option<&ClosureReason> {
        self.closure_reasons.iter().find(|r| r.code == code)
    }

    pub fn consent_purpose(&self, code: &str) -> Option<&Choice> {
        self.consent_purposes.iter().find(|c| c.code == code)
    }

    pub fn obtained_how(&self, code: &str) -> Option<&Choice> {
        self.obtained_how.iter().find(|c| c.code == code)
    }

    fn validate(&self) -> Result<(), StandardsError> {
        if self.contact_every_days == 0 || self.contact_every_days > 365 {
            return Err(invalid("contact_every_days", "must be 1 to 365 days"));
        }
        if self.contact_warn_days >= self.contact_every_days {
            return Err(invalid(
                "contact_warn_days",
                format!(
                    "must be less than contact_every_days ({}), or every case would always be due soon",
                    self.contact_every_days
                ),
            ));
        }

        check_list(
            "channels",
            self.channels
                .iter()
                .map(|c| (c.code.as_str(), c.label.as_str())),
        )?;
        check_list(
            "attempt_results",
            self.attempt_results
                .iter()
                .map(|c| (c.code.as_str(), c.label.as_str())),
        )?;
        if !self.attempt_results.iter().any(|r| r.successful) {
            return Err(invalid(
                "attempt_results.successful",
                "no result is successful, so no contact could ever be recorded",
            ));
        }
        if self.attempt_results.iter().all(|r| r.successful) {
            return Err(invalid(
                "attempt_results.successful",
                "every result is successful, so an unanswered attempt could not be recorded",
            ));
        }
        check_list(
            "closure_reasons",
            self.closure_reasons
                .iter()
                .map(|c| (c.code.as_str(), c.label.as_str())),
        )?;
        if !self.closure_reasons.iter().any(|r| r.loss_of_contact) {
            return Err(invalid(
                "closure_reasons.loss_of_contact",
                "no reason has loss_of_contact = true: there must be one, so that closing for loss of contact is checked",
            ));
        }
        check_list(
            "consent_purposes",
            self.consent_purposes
                .iter()
                .map(|c| (c.code.as_str(), c.label.as_str())),
        )?;
        check_list(
            "obtained_how",
            self.obtained_how
                .iter()
                .map(|c| (c.code.as_str(), c.label.as_str())),
        )?;

        let l = &self.loss_of_contact;
        if l.min_attempts == 0 {
            return Err(invalid(
                "loss_of_contact.min_attempts",
                "must be at least 1",
            ));
        }
        if l.min_channels == 0 || l.min_channels > l.min_attempts {
            return Err(invalid(
                "loss_of_contact.min_channels",
                format!(
                    "must be 1 to min_attempts ({}): each channel needs an attempt",
                    l.min_attempts
                ),
            ));
        }
        if l.min_channels as usize > self.channels.len() {
            return Err(invalid(
                "loss_of_contact.min_channels",
                format!(
                    "is {} but only {} channels are listed, so no case could ever be closed for loss of contact",
                    l.min_channels,
                    self.channels.len()
                ),
            ));
        }
        if l.within_days == 0 || l.within_days > 365 {
            return Err(invalid(
                "loss_of_contact.within_days",
                "must be 1 to 365 days",
            ));
        }

        for (nation, n) in [
            ("england", &self.duties.england),
            ("wales", &self.duties.wales),
        ] {
            for (kind, rule) in [("prevention", &n.prevention), ("relief", &n.relief)] {
                check_duty(&format!("duties.{nation}.{kind}"), rule)?;
            }
        }
        Ok(())
    }
}

fn invalid(key: &str, message: impl Into<String>) -> StandardsError {
    StandardsError::Invalid {
        key: key.to_string(),
        message: message.into(),
    }
}

fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A pick list: not empty, codes lower_snake_case and unique (they are stored
/// against cases), labels not empty (people choose by them).
fn check_list<'a>(
    key: &str,
    items: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<(), StandardsError> {
    let mut seen = HashSet::new();
    for (n, (code, label)) in items.enumerate() {
        if !is_snake(code) {
            return Err(invalid(
                &format!("{key}.code"),
                format!(
                    "entry {} has code `{code}`: codes must be lower_snake_case, like `home_visit`",
                    n + 1
                ),
            ));
        }
        if !seen.insert(code) {
            return Err(invalid(
                &format!("{key}.code"),
                format!("`{code}` is listed twice: codes must be unique"),
            ));
        }
        if label.trim().is_empty() {
            return Err(invalid(
                &format!("{key}.label"),
                format!("`{code}` has an empty label: people choose by the label"),
            ));
        }
    }
    if seen.is_empty() {
        return Err(invalid(key, "the list is empty: add at least one entry"));
    }
    Ok(())
}

fn check_duty(key: &str, d: &DutyRule) -> Result<(), StandardsError> {
    let k = |field: &str| format!("{key}.{field}");
    if d.title.trim().is_empty() {
        return Err(invalid(&k("title"), "is empty"));
    }
    if d.after.trim().is_empty() {
        return Err(invalid(
            &k("after"),
            "is empty: say what must be decided when the duty ends",
        ));
    }
    if d.days == 0 || d.days > 365 {
        return Err(invalid(&k("days"), "must be 1 to 365 days"));
    }
    if d.warn_days >= d.days {
        return Err(invalid(
            &k("warn_days"),
            format!("must be less than days ({})", d.days),
        ));
    }
    if d.start_letter_within_days > d.days {
        return Err(invalid(
            &k("start_letter_within_days"),
            format!("must be at most days ({})", d.days),
        ));
    }
    if d.end_letter_within_days > 365 {
        return Err(invalid(
            &k("end_letter_within_days"),
            "must be 0 to 365 days",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(find: &str, replace: &str) -> Result<Standards, StandardsError> {
        let text = Standards::built_in_text();
        assert!(text.contains(find), "test edit `{find}` not in the file");
        Standards::from_toml(&text.replacen(find, replace, 1))
    }

    fn key_of(r: Result<Standards, StandardsError>) -> String {
        match r {
            Err(StandardsError::Invalid { key, .. }) => key,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn built_in_standards_load_with_the_documented_defaults() {
        let s = Standards::default_standards();
        assert_eq!(s.contact_every_days, 14);
        assert_eq!(s.contact_warn_days, 3);
        assert_eq!(
            s.loss_of_contact,
            LossOfContact {
                min_attempts: 3,
                min_channels: 2,
                within_days: 28
            }
        );
        for nation in [Nation::England, Nation::Wales] {
            for kind in [DutyKind::Prevention, DutyKind::Relief] {
                let d = s.duty(nation, kind);
                assert_eq!(d.days, 56);
                assert_eq!(d.warn_days, 7);
            }
        }
        assert!(
            s.duty(Nation::England, DutyKind::Prevention)
                .may_continue_past_end
        );
        assert!(
            !s.duty(Nation::Wales, DutyKind::Prevention)
                .may_continue_past_end
        );
        assert!(
            !s.duty(Nation::England, DutyKind::Relief)
                .may_continue_past_end
        );
        assert_eq!(
            s.duty(Nation::Wales, DutyKind::Relief).title,
            "Duty to help secure accommodation (s73 Housing (Wales) Act 2014)"
        );
        assert!(s.closure_reason("loss_of_contact").unwrap().loss_of_contact);
        assert!(s.closure_reason("other").unwrap().needs_note);
        assert!(s.is_successful("spoke"));
        assert!(!s.is_successful("no_answer"));
        assert!(!s.is_successful("made_up") && !s.is_unsuccessful("made_up"));
    }

    #[test]
    fn a_misspelt_key_is_named() {
        let e = with("contact_every_days = 14", "contact_evry_days = 14").unwrap_err();
        let StandardsError::Parse(m) = e else {
            panic!("expected a parse error")
        };
        assert!(m.contains("contact_evry_days"), "{m}");
    }

    #[test]
    fn an_unknown_key_in_a_duty_is_named() {
        let e = with("warn_days = 7", "warn_days = 7\nwarning_days = 7").unwrap_err();
        assert!(e.to_string().contains("warning_days"), "{e}");
    }

    #[test]
    fn a_missing_key_is_named() {
        let e = with("contact_warn_days = 3\n", "").unwrap_err();
        assert!(e.to_string().contains("contact_warn_days"), "{e}");
    }

    #[test]
    fn impossible_values_name_the_key() {
        assert_eq!(
            key_of(with("contact_warn_days = 3", "contact_warn_days = 14")),
            "contact_warn_days"
        );
        assert_eq!(
            key_of(with("min_channels = 2", "min_channels = 4")),
            "loss_of_contact.min_channels"
        );
        assert_eq!(
            key_of(with("days = 56 ", "days = 0 ")),
            "duties.england.prevention.days"
        );
        assert_eq!(
            key_of(with("code = \"text\"", "code = \"phone\"")),
            "channels.code"
        );
        assert_eq!(
            key_of(with("label = \"Resident died\"", "label = \" \"")),
            "closure_reasons.label"
        );
        assert_eq!(
            key_of(with(
                "\nloss_of_contact = true",
                "\nloss_of_contact = false"
            )),
            "closure_reasons.loss_of_contact"
        );
    }

    #[test]
    fn the_error_message_says_why() {
        let e = with("code = \"text\"", "code = \"phone\"").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`channels.code`: `phone` is listed twice: codes must be unique"
        );
    }
}
