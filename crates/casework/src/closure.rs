//! Closing a case: a reason from the standard list, a note where the reason
//! needs one, and for loss of contact, proof of real effort to reach the
//! person.
//!
//! The audit found cases closed for loss of contact after emails alone, and
//! closure outcomes nobody could classify. Here a closure is refused, with
//! the figures and what to do next, unless the standard is met.

use chrono::{Days, NaiveDate};

use crate::contact::last_successful;
use crate::{and_list, long_date, plural, Attempt, ClosureReason, Standards};

/// Why a case cannot be closed yet, in words to show the officer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClosureRefused {
    #[error("Choose a reason from the list")]
    UnknownReason { code: String },
    #[error("Enter a note saying why you are closing this case as \u{201c}{reason}\u{201d}")]
    NoteNeeded { reason: String },
    /// Too few unsuccessful attempts, or too few channels, since the last
    /// successful contact within the window.
    #[error("{}", loss_of_contact_message(self))]
    TooFewAttempts {
        /// Unsuccessful attempts counted.
        tried: u32,
        /// The channels they used, as people read them ("phone"), in the
        /// order first used.
        channels: Vec<String>,
        within_days: u32,
        /// The last successful contact, when it falls in the window (the
        /// count starts after it).
        last_contact: Option<NaiveDate>,
        min_attempts: u32,
        min_channels: u32,
    },
}

fn loss_of_contact_message(r: &ClosureRefused) -> String {
    let ClosureRefused::TooFewAttempts {
        tried,
        channels,
        within_days,
        last_contact,
        min_attempts,
        min_channels,
    } = r
    else {
        return String::new();
    };
    let what = if *tried == 0 {
        "not tried to contact them".to_string()
    } else {
        format!(
            "tried {} on {} ({})",
            plural(i64::from(*tried), "time", "times"),
            plural(channels.len() as i64, "channel", "channels"),
            and_list(channels)
        )
    };
    let so_far = match last_contact {
        Some(on) => format!(
            "You were last in contact on {}. Since then you have {what}.",
            long_date(*on)
        ),
        None => format!("You have {what} in the last {within_days} days."),
    };
    format!(
        "{so_far} Before closing for loss of contact, try at least {} on at least {} {}",
        plural(i64::from(*min_attempts), "time", "times"),
        min_channels,
        if *min_channels == 1 {
            "channel"
        } else {
            "different channels"
        }
    )
}

/// A channel as it reads in a sentence: "phone", "home visit".
fn channel_words(standards: &Standards, code: &str) -> String {
    match standards.channel(code) {
        Some(c) => c.label.to_lowercase(),
        None => code.replace('_', " "),
    }
}

/// Whether a case may be closed today for `reason_code` with `note`, given
/// its contact attempts. Returns the reason (for its label) when it may.
///
/// For a loss-of-contact reason, the attempts counted are the unsuccessful
/// ones in the last `within_days` days (today and the days before it) that
/// come after the last successful contact; an attempt on the same day as a
/// successful one is not counted, as the order within a day is unknown.
/// Attempts with an unknown result code are not counted.
pub fn check_closure<'s>(
    standards: &'s Standards,
    reason_code: &str,
    note: &str,
    attempts: &[Attempt],
    today: NaiveDate,
) -> Result<&'s ClosureReason, ClosureRefused> {
    let reason =
        standards
            .closure_reason(reason_code)
            .ok_or_else(|| ClosureRefused::UnknownReason {
                code: reason_code.to_string(),
            })?;
    if reason.needs_note && note.trim().is_empty() {
        return Err(ClosureRefused::NoteNeeded {
            reason: reason.label.clone(),
        });
    }
    if !reason.loss_of_contact {
        return Ok(reason);
    }

    let rule = standards.loss_of_contact;
    let window_start = today
        .checked_sub_days(Days::new(u64::from(rule.within_days.saturating_sub(1))))
        .unwrap_or(NaiveDate::MIN);
    let last_contact = last_successful(standards, attempts, today);
    let mut counted: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| {
            a.on >= window_start
                && a.on <= today
                && last_contact.is_none_or(|c| a.on > c)
                && standards.is_unsuccessful(&a.result)
        })
        .collect();
    counted.sort_by_key(|a| a.on);
    let mut channels: Vec<&str> = Vec::new();
    for a in &counted {
        if !channels.contains(&a.channel.as_str()) {
            channels.push(&a.channel);
        }
    }
    let tried = counted.len() as u32;
    if tried >= rule.min_attempts && channels.len() as u32 >= rule.min_channels {
        return Ok(reason);
    }
    Err(ClosureRefused::TooFewAttempts {
        tried,
        channels: channels
            .iter()
            .map(|c| channel_words(standards, c))
            .collect(),
        within_days: rule.within_days,
        last_contact: last_contact.filter(|&c| c >= window_start),
        min_attempts: rule.min_attempts,
        min_channels: rule.min_channels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 3, 20);

    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn an_ordinary_reason_closes_without_attempts() {
        let s = Standards::default_standards();
        let r = check_closure(&s, "prevented_stayed_home", "", &[], today()).unwrap();
        assert_eq!(r.label, "Homelessness prevented: stayed in their home");
    }

    #[test]
    fn an_unknown_reason_is_refused() {
        let s = Standards::default_standards();
        let e = check_closure(&s, "closed", "", &[], today()).unwrap_err();
        assert_eq!(e.to_string(), "Choose a reason from the list");
    }

    #[test]
    fn other_and_not_eligible_need_a_note() {
        let s = Standards::default_standards();
        let e = check_closure(&s, "other", "  ", &[], today()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Enter a note saying why you are closing this case as \u{201c}Other\u{201d}"
        );
        assert!(check_closure(&s, "not_eligible", "", &[], today()).is_err());
        assert!(check_closure(
            &s,
            "not_eligible",
            "No recourse to public funds",
            &[],
            today()
        )
        .is_ok());
    }

    #[test]
    fn five_emails_are_not_enough_to_close_for_loss_of_contact() {
        // The audit's finding: cases closed after emails alone.
        let s = Standards::default_standards();
        let attempts: Vec<_> = [2, 5, 9, 12, 16]
            .into_iter()
            .map(|day| Attempt::new(d(2026, 3, day), "email", "no_reply"))
            .collect();
        let e = check_closure(&s, "loss_of_contact", "", &attempts, today()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "You have tried 5 times on 1 channel (email) in the last 28 days. Before closing \
             for loss of contact, try at least 3 times on at least 2 different channels"
        );
    }

    #[test]
    fn two_calls_give_the_figures_in_the_refusal() {
        let s = Standards::default_standards();
        let attempts = [
            Attempt::new(d(2026, 3, 10), "phone", "no_answer"),
            Attempt::new(d(2026, 3, 12), "phone", "left_message"),
        ];
        let e = check_closure(&s, "loss_of_contact", "", &attempts, today()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "You have tried 2 times on 1 channel (phone) in the last 28 days. Before closing \
             for loss of contact, try at least 3 times on at least 2 different channels"
        );
    }

    #[test]
    fn phone_letter_and_home_visit_allow_closing_for_loss_of_contact() {
        let s = Standards::default_standards();
        let attempts = [
            Attempt::new(d(2026, 3, 2), "phone", "no_answer"),
            Attempt::new(d(2026, 3, 6), "letter", "no_reply"),
            Attempt::new(d(2026, 3, 13), "home_visit", "no_answer"),
        ];
        let r = check_closure(&s, "loss_of_contact", "", &attempts, today()).unwrap();
        assert!(r.loss_of_contact);
    }

    #[test]
    fn attempts_older_than_the_window_do_not_count() {
        let s = Standards::default_standards();
        // 28 days ending 20 March start on 21 February.
        let attempts = [
            Attempt::new(d(2026, 2, 20), "phone", "no_answer"),
            Attempt::new(d(2026, 2, 21), "letter", "no_reply"),
            Attempt::new(d(2026, 3, 13), "home_visit", "no_answer"),
        ];
        let e = check_closure(&s, "loss_of_contact", "", &attempts, today()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("You have tried 2 times on 2 channels (letter and home visit)"),
            "{e}"
        );
    }

    #[test]
    fn a_successful_contact_restarts_the_count() {
        let s = Standards::default_standards();
        let attempts = [
            Attempt::new(d(2026, 3, 2), "phone", "no_answer"),
            Attempt::new(d(2026, 3, 4), "letter", "no_reply"),
            Attempt::new(d(2026, 3, 6), "home_visit", "no_answer"),
            Attempt::new(d(2026, 3, 9), "phone", "spoke"),
            Attempt::new(d(2026, 3, 16), "text", "no_reply"),
        ];
        let e = check_closure(&s, "loss_of_contact", "", &attempts, today()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "You were last in contact on 9 March 2026. Since then you have tried 1 time on \
             1 channel (text message). Before closing for loss of contact, try at least 3 \
             times on at least 2 different channels"
        );
    }

    #[test]
    fn no_attempts_at_all_says_so() {
        let s = Standards::default_standards();
        let e = check_closure(&s, "loss_of_contact", "", &[], today()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("You have not tried to contact them in the last 28 days."),
            "{e}"
        );
    }
}
