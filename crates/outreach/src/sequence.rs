//! A campaign as a sequence of steps, and which step is due for one
//! household today.
//!
//! Seed 004 (East Sussex) found residents "hard to engage" by phone and
//! voicemail answered when staff knocked, texted and dropped notes through
//! the door, so a campaign is several channels in order: a letter on day 0,
//! a text on day 7, a knock on day 14. A step can be skipped for a household
//! (it replied, engaged, had a case opened, or opted out of the step's
//! channel), so nobody is chased for something they already did.
//!
//! Steps are numbered by position (0-based in code, 1-based in messages);
//! a campaign's steps are fixed once it starts, so a position names a step.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Channel;

/// One step of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Days after the household's start day.
    pub day: u32,
    pub channel: Channel,
    /// Letters, texts and emails need one; calls and knocks may have a
    /// script but need none.
    pub template_id: Option<String>,
    #[serde(default)]
    pub skip_if: Vec<SkipCondition>,
}

/// When a step is skipped for a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipCondition {
    /// The household replied since the campaign started.
    Replied,
    /// Someone in the household engaged (spoke to us, used the service).
    Engaged,
    /// A case was opened for the household since the campaign started.
    CaseOpened,
    /// The household opted out of this step's channel (STOP to texts,
    /// unsubscribed from emails).
    OptedOut,
}

impl SkipCondition {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipCondition::Replied => "replied",
            SkipCondition::Engaged => "engaged",
            SkipCondition::CaseOpened => "case_opened",
            SkipCondition::OptedOut => "opted_out",
        }
    }

    /// "Skip if the household has replied".
    pub fn label(self) -> &'static str {
        match self {
            SkipCondition::Replied => "Skip if the household has replied",
            SkipCondition::Engaged => "Skip if the household has engaged",
            SkipCondition::CaseOpened => "Skip if a case has been opened",
            SkipCondition::OptedOut => "Skip if the household opted out of this channel",
        }
    }

    /// Whether the condition holds for a step on this channel.
    pub fn holds(self, channel: Channel, responses: &Responses, opt_outs: &OptOuts) -> bool {
        match self {
            SkipCondition::Replied => responses.replied,
            SkipCondition::Engaged => responses.engaged,
            SkipCondition::CaseOpened => responses.case_opened,
            SkipCondition::OptedOut => opt_outs.covers(channel),
        }
    }
}

/// What the household did since the campaign started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responses {
    pub replied: bool,
    pub engaged: bool,
    pub case_opened: bool,
}

/// Channels the household has switched off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOuts {
    /// Replied STOP to a text.
    pub texts: bool,
    /// Unsubscribed from emails.
    pub emails: bool,
}

impl OptOuts {
    pub fn covers(&self, channel: Channel) -> bool {
        match channel {
            Channel::Text => self.texts,
            Channel::Email => self.emails,
            Channel::Letter | Channel::PhoneCall | Channel::DoorKnock => false,
        }
    }
}

/// A step already sent (or made) to this household in this campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentStep {
    /// The step's position in the campaign, from 0.
    pub step: usize,
    pub on: NaiveDate,
}

/// A step passed over for one household, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub step: usize,
    pub because: SkipCondition,
}

/// Where a household is in a campaign today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Due {
    /// This step is due (or overdue) today.
    Now {
        step: usize,
        due_on: NaiveDate,
        skipped: Vec<Skipped>,
    },
    /// Nothing today; this step comes next, on this day.
    Later {
        step: usize,
        due_on: NaiveDate,
        skipped: Vec<Skipped>,
    },
    /// Every step has been sent or skipped.
    Finished { skipped: Vec<Skipped> },
}

/// The campaign's history for a household does not fit its steps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SequenceError {
    #[error("The household's history records step {} but the campaign has {}", .step + 1, crate::plural(*.steps, "step", "steps"))]
    UnknownStep { step: usize, steps: usize },
}

/// A reason a campaign's steps cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SequenceProblem {
    #[error("A campaign needs at least one step")]
    NoSteps,
    #[error("Step {} is on day {day}, not after step {} on day {previous_day}; put the steps in day order, one a day at most", .step + 1, .step)]
    NotInDayOrder {
        step: usize,
        day: u32,
        previous_day: u32,
    },
    #[error("Step {} is {} and needs a template", .step + 1, .channel.with_article())]
    TemplateMissing { step: usize, channel: Channel },
    #[error("Step {} uses template \"{template_id}\", which does not exist", .step + 1)]
    UnknownTemplate { step: usize, template_id: String },
    #[error("Step {} is {} but template \"{template_id}\" is for {}", .step + 1, .channel.with_article(), .template_channel.with_article())]
    TemplateForOtherChannel {
        step: usize,
        channel: Channel,
        template_id: String,
        template_channel: Channel,
    },
}

/// Checks a campaign's steps: at least one; days strictly ascending (two
/// contacts on one day is pestering, and the contact cap counts both); a
/// template for every letter, text and email, existing and for that
/// channel. `templates` maps each template id to its channel.
pub fn validate_steps(
    steps: &[Step],
    templates: &BTreeMap<String, Channel>,
) -> Result<(), Vec<SequenceProblem>> {
    let mut problems = Vec::new();
    if steps.is_empty() {
        problems.push(SequenceProblem::NoSteps);
    }
    for (i, step) in steps.iter().enumerate() {
        if i > 0 && step.day <= steps[i - 1].day {
            problems.push(SequenceProblem::NotInDayOrder {
                step: i,
                day: step.day,
                previous_day: steps[i - 1].day,
            });
        }
        let template_id = step.template_id.as_deref().filter(|t| !t.trim().is_empty());
        match template_id {
            None if step.channel.needs_template() => {
                problems.push(SequenceProblem::TemplateMissing {
                    step: i,
                    channel: step.channel,
                });
            }
            None => {}
            Some(id) => match templates.get(id) {
                None if step.channel.needs_template() => {
                    problems.push(SequenceProblem::UnknownTemplate {
                        step: i,
                        template_id: id.to_string(),
                    });
                }
                // A call or knock may name a script that is not a Notify template.
                None => {}
                Some(template_channel)
                    if step.channel.needs_template() && *template_channel != step.channel =>
                {
                    problems.push(SequenceProblem::TemplateForOtherChannel {
                        step: i,
                        channel: step.channel,
                        template_id: id.to_string(),
                        template_channel: *template_channel,
                    });
                }
                Some(_) => {}
            },
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Which step is due for a household today.
///
/// The next step is the first after the last one sent (steps before it
/// that were never sent are passed: going back would contact people out of
/// order). Steps whose skip conditions hold are passed over and listed. A
/// step is due on its day after the start, but never sooner after the last
/// sent step than the campaign spaces them: a household that fell behind
/// (a knock that waited for a round) keeps the campaign's gaps rather than
/// getting two contacts in two days.
pub fn due_step(
    steps: &[Step],
    start: NaiveDate,
    sent: &[SentStep],
    responses: &Responses,
    opt_outs: &OptOuts,
    today: NaiveDate,
) -> Result<Due, SequenceError> {
    if let Some(bad) = sent.iter().find(|s| s.step >= steps.len()) {
        return Err(SequenceError::UnknownStep {
            step: bad.step,
            steps: steps.len(),
        });
    }
    let sent_steps: BTreeSet<usize> = sent.iter().map(|s| s.step).collect();
    let last_sent = sent.iter().max_by_key(|s| (s.step, s.on)).copied();
    let first_candidate = last_sent.map_or(0, |s| s.step + 1);
    let mut skipped = Vec::new();
    for (i, step) in steps.iter().enumerate().skip(first_candidate) {
        if sent_steps.contains(&i) {
            continue;
        }
        if let Some(because) = step
            .skip_if
            .iter()
            .copied()
            .find(|c| c.holds(step.channel, responses, opt_outs))
        {
            skipped.push(Skipped { step: i, because });
            continue;
        }
        let mut due_on = start + Duration::days(i64::from(step.day));
        if let Some(last) = last_sent {
            let gap = i64::from(step.day) - i64::from(steps[last.step].day);
            due_on = due_on.max(last.on + Duration::days(gap.max(0)));
        }
        return Ok(if due_on <= today {
            Due::Now {
                step: i,
                due_on,
                skipped,
            }
        } else {
            Due::Later {
                step: i,
                due_on,
                skipped,
            }
        });
    }
    Ok(Due::Finished { skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn step(day: u32, channel: Channel, template: Option<&str>, skip_if: &[SkipCondition]) -> Step {
        Step {
            day,
            channel,
            template_id: template.map(str::to_string),
            skip_if: skip_if.to_vec(),
        }
    }

    /// Letter on day 0, text on day 7 (skipped if replied or opted out),
    /// knock on day 14 (skipped if engaged).
    fn campaign() -> Vec<Step> {
        vec![
            step(0, Channel::Letter, Some("intro_letter"), &[]),
            step(
                7,
                Channel::Text,
                Some("nudge_text"),
                &[SkipCondition::Replied, SkipCondition::OptedOut],
            ),
            step(14, Channel::DoorKnock, None, &[SkipCondition::Engaged]),
        ]
    }

    fn templates() -> BTreeMap<String, Channel> {
        [
            ("intro_letter", Channel::Letter),
            ("nudge_text", Channel::Text),
        ]
        .into_iter()
        .map(|(id, c)| (id.to_string(), c))
        .collect()
    }

    #[test]
    fn a_well_formed_campaign_passes() {
        assert_eq!(validate_steps(&campaign(), &templates()), Ok(()));
    }

    #[test]
    fn a_campaign_with_no_steps_is_refused() {
        assert_eq!(
            validate_steps(&[], &templates()),
            Err(vec![SequenceProblem::NoSteps])
        );
    }

    #[test]
    fn steps_out_of_day_order_or_on_the_same_day_are_refused() {
        let steps = vec![
            step(5, Channel::PhoneCall, None, &[]),
            step(2, Channel::DoorKnock, None, &[]),
            step(2, Channel::PhoneCall, None, &[]),
        ];
        let problems = validate_steps(&steps, &templates()).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert_eq!(
            problems[0].to_string(),
            "Step 2 is on day 2, not after step 1 on day 5; put the steps in day order, one a day at most"
        );
    }

    #[test]
    fn written_steps_need_a_template_for_their_channel_and_knocks_need_none() {
        let steps = vec![
            step(0, Channel::Letter, None, &[]),
            step(3, Channel::Email, Some("missing"), &[]),
            step(6, Channel::Text, Some("intro_letter"), &[]),
            step(9, Channel::DoorKnock, None, &[]),
            step(12, Channel::PhoneCall, Some("call script"), &[]),
        ];
        let problems = validate_steps(&steps, &templates()).unwrap_err();
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "Step 1 is a letter and needs a template",
                "Step 2 uses template \"missing\", which does not exist",
                "Step 3 is a text message but template \"intro_letter\" is for a letter",
            ]
        );
    }

    #[test]
    fn the_first_step_is_due_on_the_start_day() {
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &[],
            &Responses::default(),
            &OptOuts::default(),
            date("2026-03-02"),
        );
        assert_eq!(
            due,
            Ok(Due::Now {
                step: 0,
                due_on: date("2026-03-02"),
                skipped: vec![]
            })
        );
        let early = due_step(
            &campaign(),
            date("2026-03-02"),
            &[],
            &Responses::default(),
            &OptOuts::default(),
            date("2026-03-01"),
        );
        assert_eq!(
            early,
            Ok(Due::Later {
                step: 0,
                due_on: date("2026-03-02"),
                skipped: vec![]
            })
        );
    }

    #[test]
    fn the_next_step_waits_for_its_day() {
        let sent = [SentStep {
            step: 0,
            on: date("2026-03-02"),
        }];
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &Responses::default(),
            &OptOuts::default(),
            date("2026-03-05"),
        );
        assert_eq!(
            due,
            Ok(Due::Later {
                step: 1,
                due_on: date("2026-03-09"),
                skipped: vec![]
            })
        );
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &Responses::default(),
            &OptOuts::default(),
            date("2026-03-09"),
        );
        assert_eq!(
            due,
            Ok(Due::Now {
                step: 1,
                due_on: date("2026-03-09"),
                skipped: vec![]
            })
        );
    }

    #[test]
    fn a_household_that_replied_skips_the_text_and_goes_on_to_the_knock() {
        let sent = [SentStep {
            step: 0,
            on: date("2026-03-02"),
        }];
        let replied = Responses {
            replied: true,
            ..Responses::default()
        };
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &replied,
            &OptOuts::default(),
            date("2026-03-09"),
        );
        assert_eq!(
            due,
            Ok(Due::Later {
                step: 2,
                due_on: date("2026-03-16"),
                skipped: vec![Skipped {
                    step: 1,
                    because: SkipCondition::Replied
                }]
            })
        );
    }

    #[test]
    fn an_opt_out_skips_only_steps_on_that_channel() {
        let sent = [SentStep {
            step: 0,
            on: date("2026-03-02"),
        }];
        let stopped = OptOuts {
            texts: true,
            emails: false,
        };
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &Responses::default(),
            &stopped,
            date("2026-03-16"),
        );
        assert_eq!(
            due,
            Ok(Due::Now {
                step: 2,
                due_on: date("2026-03-16"),
                skipped: vec![Skipped {
                    step: 1,
                    because: SkipCondition::OptedOut
                }]
            })
        );
    }

    #[test]
    fn a_household_that_engaged_after_the_text_is_finished() {
        let sent = [
            SentStep {
                step: 0,
                on: date("2026-03-02"),
            },
            SentStep {
                step: 1,
                on: date("2026-03-09"),
            },
        ];
        let engaged = Responses {
            engaged: true,
            ..Responses::default()
        };
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &engaged,
            &OptOuts::default(),
            date("2026-03-20"),
        );
        assert_eq!(
            due,
            Ok(Due::Finished {
                skipped: vec![Skipped {
                    step: 2,
                    because: SkipCondition::Engaged
                }]
            })
        );
    }

    #[test]
    fn every_step_sent_means_finished() {
        let sent = [
            SentStep {
                step: 0,
                on: date("2026-03-02"),
            },
            SentStep {
                step: 1,
                on: date("2026-03-09"),
            },
            SentStep {
                step: 2,
                on: date("2026-03-16"),
            },
        ];
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &Responses::default(),
            &OptOuts::default(),
            date("2026-04-01"),
        );
        assert_eq!(due, Ok(Due::Finished { skipped: vec![] }));
    }

    #[test]
    fn a_late_step_keeps_the_campaigns_gap_after_it() {
        // The text went a week late (day 14), so the knock waits 7 days
        // after it rather than following the next morning.
        let sent = [
            SentStep {
                step: 0,
                on: date("2026-03-02"),
            },
            SentStep {
                step: 1,
                on: date("2026-03-16"),
            },
        ];
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &Responses::default(),
            &OptOuts::default(),
            date("2026-03-17"),
        );
        assert_eq!(
            due,
            Ok(Due::Later {
                step: 2,
                due_on: date("2026-03-23"),
                skipped: vec![]
            })
        );
    }

    #[test]
    fn unsent_steps_before_the_last_sent_one_are_not_gone_back_to() {
        let sent = [SentStep {
            step: 1,
            on: date("2026-03-09"),
        }];
        let due = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &Responses::default(),
            &OptOuts::default(),
            date("2026-03-16"),
        );
        assert_eq!(
            due,
            Ok(Due::Now {
                step: 2,
                due_on: date("2026-03-16"),
                skipped: vec![]
            })
        );
    }

    #[test]
    fn a_history_naming_a_step_the_campaign_lacks_is_an_error_not_a_resend() {
        let sent = [SentStep {
            step: 7,
            on: date("2026-03-09"),
        }];
        let err = due_step(
            &campaign(),
            date("2026-03-02"),
            &sent,
            &Responses::default(),
            &OptOuts::default(),
            date("2026-03-16"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "The household's history records step 8 but the campaign has 3 steps"
        );
    }
}
