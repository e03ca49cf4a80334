//! Consent to share a resident's information with named organisations for
//! named purposes. A referral is made only when a live consent covers that
//! organisation and purpose, so consent is recorded specifically (who, what
//! for, how it was given, until when) and withdrawal takes effect at once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{FieldProblem, Standards};

/// A consent as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// The person who gave it (the resident, or someone able to act for them).
    pub given_by: String,
    /// Organisations the information may go to, as written.
    pub organisations: Vec<String>,
    /// Consent purpose codes from the standards.
    pub purposes: Vec<String>,
    /// An `obtained_how` code from the standards.
    pub obtained_how: String,
    pub given_on: NaiveDate,
    /// The last day it holds, if it was given for a limited time.
    pub expires_on: Option<NaiveDate>,
    /// The day it was withdrawn: from that day on it covers nothing.
    pub withdrawn_on: Option<NaiveDate>,
}

impl Consent {
    /// Whether it holds on `today`: given by then, not past its expiry
    /// date, and not withdrawn on or before today.
    pub fn is_live(&self, today: NaiveDate) -> bool {
        self.given_on <= today
            && self.expires_on.is_none_or(|e| e >= today)
            && self.withdrawn_on.is_none_or(|w| w > today)
    }

    /// Whether it allows sharing with `organisation` for `purpose` (any
    /// purpose when `None`) on `today`. Organisation names are compared
    /// ignoring case and surrounding spaces, since they are typed by hand.
    pub fn covers(&self, organisation: &str, purpose: Option<&str>, today: NaiveDate) -> bool {
        let wanted = normalise(organisation);
        self.is_live(today)
            && !wanted.is_empty()
            && self.organisations.iter().any(|o| normalise(o) == wanted)
            && purpose.is_none_or(|p| self.purposes.iter().any(|q| q.trim() == p.trim()))
    }
}

fn normalise(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A consent as entered on the form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewConsent {
    pub given_by: String,
    pub organisations: Vec<String>,
    pub purposes: Vec<String>,
    pub obtained_how: String,
    pub given_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

impl NewConsent {
    /// The consent to record, once [`validate_consent`] has passed: names
    /// trimmed and blank organisations dropped.
    pub fn into_consent(
        self,
        standards: &Standards,
        today: NaiveDate,
    ) -> Result<Consent, Vec<FieldProblem>> {
        validate_consent(&self, standards, today)?;
        Ok(Consent {
            given_by: self.given_by.trim().to_string(),
            organisations: self
                .organisations
                .iter()
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect(),
            purposes: self.purposes.iter().map(|p| p.trim().to_string()).collect(),
            obtained_how: self.obtained_how.trim().to_string(),
            // Checked present by validate_consent.
            given_on: self.given_on.unwrap_or(today),
            expires_on: self.expires_on,
            withdrawn_on: None,
        })
    }
}

/// Checks a consent form; every problem is returned, in form order.
pub fn validate_consent(
    consent: &NewConsent,
    standards: &Standards,
    today: NaiveDate,
) -> Result<(), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if consent.given_by.trim().is_empty() {
        problems.push(FieldProblem::new("given_by", "Enter who gave consent"));
    }
    if consent.organisations.iter().all(|o| o.trim().is_empty()) {
        problems.push(FieldProblem::new(
            "organisations",
            "Enter at least one organisation the information can be shared with",
        ));
    }
    if consent.purposes.is_empty() {
        problems.push(FieldProblem::new("purposes", "Select at least one purpose"));
    } else if consent
        .purposes
        .iter()
        .any(|p| standards.consent_purpose(p.trim()).is_none())
    {
        problems.push(FieldProblem::new(
            "purposes",
            "Select purposes from the list",
        ));
    }
    if standards
        .obtained_how(consent.obtained_how.trim())
        .is_none()
    {
        problems.push(FieldProblem::new(
            "obtained_how",
            "Select how consent was given",
        ));
    }
    match consent.given_on {
        None => problems.push(FieldProblem::new(
            "given_on",
            "Enter the date consent was given",
        )),
        Some(given) => {
            if given > today {
                problems.push(FieldProblem::new(
                    "given_on",
                    "The date consent was given must be today or in the past",
                ));
            }
            if consent.expires_on.is_some_and(|e| e <= given) {
                problems.push(FieldProblem::new(
                    "expires_on",
                    "The expiry date must be after the date consent was given",
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

    fn consent() -> Consent {
        Consent {
            given_by: "Sian Jones".into(),
            organisations: vec!["Citizens Advice Cymru".into(), "Shelter Cymru".into()],
            purposes: vec!["money_advice".into(), "housing_support".into()],
            obtained_how: "verbal_phone".into(),
            given_on: d(2026, 3, 2),
            expires_on: Some(d(2026, 9, 1)),
            withdrawn_on: None,
        }
    }

    #[test]
    fn covers_a_named_organisation_and_purpose_ignoring_case_and_spaces() {
        let c = consent();
        let today = d(2026, 3, 20);
        assert!(c.covers("  citizens advice CYMRU ", Some("money_advice"), today));
        assert!(c.covers("Shelter Cymru", None, today));
        assert!(!c.covers("Shelter Cymru", Some("health_wellbeing"), today));
        assert!(!c.covers("The food bank", None, today));
        assert!(!c.covers("  ", None, today));
    }

    #[test]
    fn not_live_before_it_was_given() {
        assert!(!consent().covers("Shelter Cymru", None, d(2026, 3, 1)));
        assert!(consent().covers("Shelter Cymru", None, d(2026, 3, 2)));
    }

    #[test]
    fn withdrawal_takes_effect_the_same_day() {
        let c = Consent {
            withdrawn_on: Some(d(2026, 3, 20)),
            ..consent()
        };
        assert!(c.covers("Shelter Cymru", None, d(2026, 3, 19)));
        assert!(!c.covers("Shelter Cymru", None, d(2026, 3, 20)));
        assert!(!c.covers("Shelter Cymru", None, d(2026, 4, 1)));
    }

    #[test]
    fn expired_consent_covers_nothing_after_its_last_day() {
        let c = consent();
        assert!(c.is_live(d(2026, 9, 1)));
        assert!(!c.is_live(d(2026, 9, 2)));
        assert!(!c.covers("Shelter Cymru", Some("housing_support"), d(2026, 9, 2)));
    }

    #[test]
    fn a_good_form_becomes_a_consent() {
        let s = Standards::default_standards();
        let today = d(2026, 3, 20);
        let form = NewConsent {
            given_by: " Sian Jones ".into(),
            organisations: vec!["Shelter Cymru".into(), " ".into()],
            purposes: vec!["housing_support".into()],
            obtained_how: "verbal_in_person".into(),
            given_on: Some(today),
            expires_on: None,
        };
        let c = form.into_consent(&s, today).unwrap();
        assert_eq!(c.given_by, "Sian Jones");
        assert_eq!(c.organisations, ["Shelter Cymru"]);
        assert!(c.covers("shelter cymru", Some("housing_support"), today));
    }

    #[test]
    fn a_bad_form_lists_every_problem() {
        let s = Standards::default_standards();
        let today = d(2026, 3, 20);
        let empty = NewConsent {
            organisations: vec![" ".into()],
            ..NewConsent::default()
        };
        let fields: Vec<_> = validate_consent(&empty, &s, today)
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "given_by",
                "organisations",
                "purposes",
                "obtained_how",
                "given_on"
            ]
        );
        let odd = NewConsent {
            given_by: "Sian Jones".into(),
            organisations: vec!["Shelter Cymru".into()],
            purposes: vec!["marketing".into()],
            obtained_how: "telepathy".into(),
            given_on: Some(d(2026, 3, 21)),
            expires_on: Some(d(2026, 3, 21)),
        };
        let got: Vec<_> = validate_consent(&odd, &s, today)
            .unwrap_err()
            .into_iter()
            .map(|p| p.message)
            .collect();
        assert_eq!(
            got,
            [
                "Select purposes from the list",
                "Select how consent was given",
                "The date consent was given must be today or in the past",
                "The expiry date must be after the date consent was given",
            ]
        );
    }
}
