//! The duty clock: which day of a homelessness duty it is, when the duty
//! period ends, and whether its letters are on time.
//!
//! The audit found timely decision letters in only 27% of cases and no
//! system saying when a file should move on. The clock makes both visible on
//! every case, in plain English.
//!
//! Counting: the day a duty starts is day 1, so a 56-day duty started on
//! 18 January ends at the end of day 56, on 14 March (started_on + 55 days).
//! Day 57 is past the end. Letter deadlines count from the start (or end)
//! day: a letter due "within 5 days" of a duty started on 4 March is due by
//! 9 March and late from 10 March.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use upstream_core::Nation;

use crate::{long_date, plural, Standards};

/// The two homelessness duties that run for a fixed period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyKind {
    Prevention,
    Relief,
}

impl DutyKind {
    pub const ALL: [DutyKind; 2] = [DutyKind::Prevention, DutyKind::Relief];

    pub fn as_str(self) -> &'static str {
        match self {
            DutyKind::Prevention => "prevention",
            DutyKind::Relief => "relief",
        }
    }

    pub fn parse(s: &str) -> Option<DutyKind> {
        DutyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// For sentences: "the prevention duty".
    pub fn label(self) -> &'static str {
        match self {
            DutyKind::Prevention => "prevention duty",
            DutyKind::Relief => "relief duty",
        }
    }
}

/// A duty owed on a case, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duty {
    pub kind: DutyKind,
    pub nation: Nation,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// The letter saying the duty is owed, why, and the right to a review
    /// (in Wales, the s63 notification).
    pub start_letter_sent_on: Option<NaiveDate>,
    /// The letter ending the duty (in Wales, the s84 notification).
    pub end_letter_sent_on: Option<NaiveDate>,
}

/// A duty record that cannot be right, so no clock is shown for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DutyError {
    #[error("The duty starts on {}, which is in the future", long_date(*.0))]
    StartsInFuture(NaiveDate),
    #[error("The duty ends on {}, which is in the future", long_date(*.0))]
    EndsInFuture(NaiveDate),
    #[error("The duty ends on {}, before it started on {}", long_date(*.ended_on), long_date(*.started_on))]
    EndsBeforeStart {
        started_on: NaiveDate,
        ended_on: NaiveDate,
    },
    #[error("The {letter} was sent on {}, before the duty started on {}", long_date(*.sent_on), long_date(*.started_on))]
    LetterBeforeStart {
        letter: &'static str,
        sent_on: NaiveDate,
        started_on: NaiveDate,
    },
    #[error("An end-of-duty letter is recorded, but the duty has no end date")]
    EndLetterWithoutEnd,
}

/// Where the duty period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    Running,
    /// Within `warn_days` of the last day (the last day included).
    EndingSoon,
    /// Past the last day and lawfully still running: England's prevention
    /// duty goes on until the council gives notice ending it.
    Continuing,
    /// Past the last day and not recorded as ended, for a duty that ends by
    /// law: the record is behind.
    Overrun,
    /// `ended_on` is recorded.
    Ended,
}

/// One letter's deadline and whether it was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterState {
    pub due_on: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    /// Not sent and the due date has passed.
    pub overdue: bool,
}

impl LetterState {
    fn new(due_on: NaiveDate, sent_on: Option<NaiveDate>, today: NaiveDate) -> LetterState {
        LetterState {
            due_on,
            sent_on,
            overdue: sent_on.is_none() && today > due_on,
        }
    }

    /// Whether it was sent by the due date; `None` if not sent yet. What the
    /// audit's "timely letters" figure counts.
    pub fn sent_on_time(&self) -> Option<bool> {
        self.sent_on.map(|s| s <= self.due_on)
    }
}

/// The clock for one duty on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyClock {
    pub kind: DutyKind,
    pub nation: Nation,
    /// The duty's name with its Act and section.
    pub title: String,
    /// Day 1 is the start day. Counted to today, or to the end day once the
    /// duty has ended.
    pub day: i64,
    /// The length of the period (56).
    pub days: u32,
    /// The last day of the period: started_on + days - 1.
    pub ends_on: NaiveDate,
    /// Days from today (or the end day, once ended) to `ends_on`: 0 on the
    /// last day, negative once past it.
    pub days_left: i64,
    pub state: ClockState,
    pub may_continue_past_end: bool,
    /// Plain English, most urgent first.
    pub warnings: Vec<String>,
    pub start_letter: LetterState,
    /// Only once the duty has ended.
    pub end_letter: Option<LetterState>,
}

fn add_days(d: NaiveDate, n: u32) -> NaiveDate {
    // Standards cap every period at a year, so this cannot leave chrono's range
    // for any real date; saturate rather than panic if it somehow did.
    d.checked_add_days(Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MAX)
}

fn check(duty: &Duty, today: NaiveDate) -> Result<(), DutyError> {
    let start = duty.started_on;
    if start > today {
        return Err(DutyError::StartsInFuture(start));
    }
    if let Some(end) = duty.ended_on {
        if end < start {
            return Err(DutyError::EndsBeforeStart {
                started_on: start,
                ended_on: end,
            });
        }
        if end > today {
            return Err(DutyError::EndsInFuture(end));
        }
    }
    for (letter, sent) in [
        (
            "letter telling the resident about this duty",
            duty.start_letter_sent_on,
        ),
        ("end-of-duty letter", duty.end_letter_sent_on),
    ] {
        if let Some(sent_on) = sent.filter(|&s| s < start) {
            return Err(DutyError::LetterBeforeStart {
                letter,
                sent_on,
                started_on: start,
            });
        }
    }
    if duty.end_letter_sent_on.is_some() && duty.ended_on.is_none() {
        return Err(DutyError::EndLetterWithoutEnd);
    }
    Ok(())
}

/// The clock for `duty` on `today`, or why the record cannot be right.
pub fn duty_clock(
    standards: &Standards,
    duty: &Duty,
    today: NaiveDate,
) -> Result<DutyClock, DutyError> {
    check(duty, today)?;
    let rule = standards.duty(duty.nation, duty.kind);
    let ends_on = add_days(duty.started_on, rule.days.saturating_sub(1));
    let reference = duty.ended_on.unwrap_or(today);
    let day = (reference - duty.started_on).num_days() + 1;
    let days_left = (ends_on - reference).num_days();
    let state = if duty.ended_on.is_some() {
        ClockState::Ended
    } else if today > ends_on {
        if rule.may_continue_past_end {
            ClockState::Continuing
        } else {
            ClockState::Overrun
        }
    } else if days_left <= i64::from(rule.warn_days) {
        ClockState::EndingSoon
    } else {
        ClockState::Running
    };

    let start_letter = LetterState::new(
        add_days(duty.started_on, rule.start_letter_within_days),
        duty.start_letter_sent_on,
        today,
    );
    let end_letter = duty.ended_on.map(|end| {
        LetterState::new(
            add_days(end, rule.end_letter_within_days),
            duty.end_letter_sent_on,
            today,
        )
    });

    let name = duty.kind.label();
    let after = capitalise(&rule.after);
    let mut warnings = Vec::new();
    match state {
        ClockState::Running | ClockState::Ended => {}
        ClockState::EndingSoon => {
            let verb = if rule.may_continue_past_end {
                format!("reaches {} days", rule.days)
            } else {
                "ends".to_string()
            };
            let when = match days_left {
                0 => "today".to_string(),
                1 => "tomorrow".to_string(),
                n => format!("in {n} days"),
            };
            warnings.push(format!(
                "The {name} {verb} {when}, on {}: decide what happens next. {after}",
                long_date(ends_on)
            ));
        }
        ClockState::Continuing => warnings.push(format!(
            "The {name} reached {} days on {}, {} ago. It continues until you give notice \
             ending it: review whether to end it. {after}",
            rule.days,
            long_date(ends_on),
            plural(-days_left, "day", "days")
        )),
        ClockState::Overrun => warnings.push(format!(
            "The {name} ended on {}, {} ago, but its end has not been recorded: \
             record it and send the end-of-duty letter. {after}",
            long_date(ends_on),
            plural(-days_left, "day", "days")
        )),
    }
    for (what, letter) in [
        (
            "The letter telling the resident about this duty",
            Some(start_letter),
        ),
        ("The end-of-duty letter", end_letter),
    ] {
        let Some(l) = letter.filter(|l| l.sent_on.is_none()) else {
            continue;
        };
        warnings.push(if l.overdue {
            format!(
                "{what} was due on {} and has not been sent",
                long_date(l.due_on)
            )
        } else {
            format!("{what} is due by {}", long_date(l.due_on))
        });
    }

    Ok(DutyClock {
        kind: duty.kind,
        nation: duty.nation,
        title: rule.title.clone(),
        day,
        days: rule.days,
        ends_on,
        days_left,
        state,
        may_continue_past_end: rule.may_continue_past_end,
        warnings,
        start_letter,
        end_letter,
    })
}

/// "decide whether…" → "Decide whether…", and a closing full stop.
fn capitalise(s: &str) -> String {
    let s = s.trim().trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A duty started on 18 January 2026: day 56 is 14 March 2026.
    fn duty(kind: DutyKind, nation: Nation) -> Duty {
        Duty {
            kind,
            nation,
            started_on: d(2026, 1, 18),
            ended_on: None,
            start_letter_sent_on: Some(d(2026, 1, 20)),
            end_letter_sent_on: None,
        }
    }

    fn clock(duty: &Duty, today: NaiveDate) -> DutyClock {
        duty_clock(&Standards::default_standards(), duty, today).unwrap()
    }

    #[test]
    fn duty_kind_round_trips() {
        for k in DutyKind::ALL {
            assert_eq!(DutyKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(DutyKind::parse("main"), None);
    }

    #[test]
    fn the_start_day_is_day_one() {
        let c = clock(&duty(DutyKind::Relief, Nation::Wales), d(2026, 1, 18));
        assert_eq!(c.day, 1);
        assert_eq!(c.ends_on, d(2026, 3, 14));
        assert_eq!(c.days_left, 55);
        assert_eq!(c.state, ClockState::Running);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn day_56_is_the_last_day_and_day_57_is_past_it() {
        let duty = duty(DutyKind::Relief, Nation::Wales);
        let c = clock(&duty, d(2026, 3, 14));
        assert_eq!(
            (c.day, c.days_left, c.state),
            (56, 0, ClockState::EndingSoon)
        );
        assert_eq!(
            c.warnings[0],
            "The relief duty ends today, on 14 March 2026: decide what happens next. \
             Decide whether the s75 duty is owed."
        );
        let c = clock(&duty, d(2026, 3, 15));
        assert_eq!((c.day, c.days_left, c.state), (57, -1, ClockState::Overrun));
        assert!(c.warnings[0].starts_with("The relief duty ended on 14 March 2026, 1 day ago"));
    }

    #[test]
    fn ending_soon_starts_warn_days_before_the_end() {
        let duty = duty(DutyKind::Prevention, Nation::Wales);
        assert_eq!(clock(&duty, d(2026, 3, 6)).state, ClockState::Running);
        let c = clock(&duty, d(2026, 3, 9));
        assert_eq!(c.state, ClockState::EndingSoon);
        assert_eq!(
            c.warnings,
            vec![
                "The prevention duty ends in 5 days, on 14 March 2026: decide what happens next. \
                  If homelessness was not prevented, the relief duty may follow."
                    .to_string()
            ]
        );
    }

    #[test]
    fn england_prevention_may_continue_past_56_days() {
        let duty = duty(DutyKind::Prevention, Nation::England);
        let c = clock(&duty, d(2026, 3, 20));
        assert_eq!(c.state, ClockState::Continuing);
        assert_eq!(c.day, 62);
        assert!(c.may_continue_past_end);
        assert!(
            c.warnings[0].contains("continues until you give notice"),
            "{}",
            c.warnings[0]
        );
        // England relief ends by law: the same day is an overrun.
        let relief = Duty {
            kind: DutyKind::Relief,
            ..duty
        };
        let c = clock(&relief, d(2026, 3, 20));
        assert_eq!(c.state, ClockState::Overrun);
        assert!(c.warnings[0].ends_with("Decide whether the main housing duty (s193) is owed."));
    }

    #[test]
    fn an_unsent_start_letter_is_due_then_overdue() {
        let mut duty = duty(DutyKind::Prevention, Nation::Wales);
        duty.started_on = d(2026, 3, 4);
        duty.start_letter_sent_on = None;
        let c = clock(&duty, d(2026, 3, 9));
        assert!(!c.start_letter.overdue);
        assert_eq!(
            c.warnings,
            vec!["The letter telling the resident about this duty is due by 9 March 2026"]
        );
        let c = clock(&duty, d(2026, 3, 10));
        assert!(c.start_letter.overdue);
        assert_eq!(
            c.warnings,
            vec![
                "The letter telling the resident about this duty was due on 9 March 2026 and has not been sent"
            ]
        );
    }

    #[test]
    fn a_late_letter_is_not_overdue_but_was_not_on_time() {
        let mut duty = duty(DutyKind::Relief, Nation::Wales);
        duty.start_letter_sent_on = Some(d(2026, 1, 30));
        let c = clock(&duty, d(2026, 2, 2));
        assert!(!c.start_letter.overdue);
        assert_eq!(c.start_letter.sent_on_time(), Some(false));
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn an_ended_duty_has_an_end_letter_deadline() {
        let mut duty = duty(DutyKind::Relief, Nation::Wales);
        duty.ended_on = Some(d(2026, 3, 14));
        let c = clock(&duty, d(2026, 3, 16));
        assert_eq!(c.state, ClockState::Ended);
        assert_eq!(c.day, 56);
        let end = c.end_letter.unwrap();
        assert_eq!(end.due_on, d(2026, 3, 19));
        assert!(!end.overdue);
        assert_eq!(
            c.warnings,
            vec!["The end-of-duty letter is due by 19 March 2026"]
        );
        let c = clock(&duty, d(2026, 3, 20));
        assert!(c.end_letter.unwrap().overdue);
        assert_eq!(
            c.warnings,
            vec!["The end-of-duty letter was due on 19 March 2026 and has not been sent"]
        );
    }

    #[test]
    fn a_running_duty_has_no_end_letter() {
        let c = clock(&duty(DutyKind::Relief, Nation::England), d(2026, 2, 1));
        assert_eq!(c.end_letter, None);
    }

    #[test]
    fn impossible_records_are_refused() {
        let s = Standards::default_standards();
        let today = d(2026, 3, 1);
        let mut bad = duty(DutyKind::Relief, Nation::Wales);
        bad.ended_on = Some(d(2026, 1, 10));
        let e = duty_clock(&s, &bad, today).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The duty ends on 10 January 2026, before it started on 18 January 2026"
        );
        let mut bad = duty(DutyKind::Relief, Nation::Wales);
        bad.start_letter_sent_on = Some(d(2026, 1, 17));
        assert!(matches!(
            duty_clock(&s, &bad, today),
            Err(DutyError::LetterBeforeStart { .. })
        ));
        let mut bad = duty(DutyKind::Relief, Nation::Wales);
        bad.end_letter_sent_on = Some(d(2026, 2, 1));
        assert_eq!(
            duty_clock(&s, &bad, today),
            Err(DutyError::EndLetterWithoutEnd)
        );
        let bad = duty(DutyKind::Relief, Nation::Wales);
        assert_eq!(
            duty_clock(&s, &bad, d(2026, 1, 17)),
            Err(DutyError::StartsInFuture(d(2026, 1, 18)))
        );
    }
}
