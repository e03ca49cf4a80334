//! Who may be contacted, by which channel, and when.
//!
//! Every household a campaign cannot reach gets a [`Reason`] with a stable
//! code and a plain-English label, so the campaign page can say "312 to
//! send, 41 left out: 17 asked not to be contacted, ..." and every number
//! adds up. The checks run from the most fundamental (nobody left alive to
//! write to; a request not to be contacted) to the most temporary (the
//! contact cap, quiet hours), so each household is counted once, under its
//! most lasting reason.
//!
//! Safety comes before reach. A safe-contact note "do not write to this
//! address" usually means someone at the address must not learn the
//! resident is getting help; an unannounced knock there is as risky as a
//! letter, so it excludes door knocks too. A resident who replied STOP to
//! a text is never texted again, whatever a campaign's step says: an
//! opt-out ignored once loses the resident's trust for good. A household in an
//! open case already has a worker; a campaign writing to them as well
//! confuses them and undercuts the worker.
//!
//! The contact cap ("at most 2 contacts in any 14 days", across all
//! campaigns and channels, caseworkers' contacts included) protects people
//! from being pestered by several teams' campaigns at once. Seed 001 shows
//! the opposite failure too (cases closed for "loss of contact" after
//! emails alone); the answer there is to keep trying across channels over
//! time, which the cap allows and the campaign's steps do.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::sequence::{OptOuts, Responses, SkipCondition, Step};
use crate::uk_time::{uk_local, uk_local_to_utc};
use crate::{plural, Channel};

/// What Upstream knows about a household when deciding a contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdFacts {
    pub household_id: i64,
    /// The household asked not to be contacted.
    pub do_not_contact: bool,
    pub safe_contact: SafeContact,
    /// Everyone recorded in the household has died.
    pub all_members_deceased: bool,
    /// Open cases, by the team holding each.
    pub open_cases: Vec<OpenCase>,
    pub opt_outs: OptOuts,
    /// A usable mobile number (texts go only to mobiles).
    pub has_mobile: bool,
    /// A usable phone number of any kind, mobile or landline.
    pub has_phone: bool,
    pub has_email: bool,
    /// A usable postal address (placed, not marked "do not use").
    pub has_address: bool,
    /// Every contact made, by any campaign or caseworker.
    pub contacts: Vec<PastContact>,
    /// What the household did since this campaign started.
    pub since_start: Responses,
}

/// Staff's safe-contact notes, as flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafeContact {
    /// The address is unsafe: never write to it (nor knock unannounced).
    pub no_letters: bool,
    /// Contact by text message only.
    pub text_only: bool,
    /// Do not phone.
    pub no_calls: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCase {
    /// The team's name as staff know it, e.g. "Young people's team".
    pub team: String,
}

/// One contact already made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastContact {
    pub at: DateTime<Utc>,
    pub campaign_id: Option<i64>,
    pub channel: Channel,
}

/// At most `max_contacts` contacts in any `window_days` days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCap {
    pub max_contacts: u32,
    pub window_days: u32,
}

/// UK local clock times between which some channels are not used; `from`
/// after `until` spans midnight (20:00 to 08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub from: NaiveTime,
    pub until: NaiveTime,
}

/// A council's contact policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub cap: ContactCap,
    pub quiet_hours: QuietHours,
    /// The channels quiet hours apply to. A text wakes someone up; a letter
    /// or email waits to be read; calls and knocks are made in staff hours.
    pub quiet_channels: Vec<Channel>,
}

impl Default for Policy {
    /// 2 contacts in any 14 days; no texts from 20:00 to 08:00 UK time.
    fn default() -> Self {
        Policy {
            cap: ContactCap {
                max_contacts: 2,
                window_days: 14,
            },
            quiet_hours: QuietHours {
                from: NaiveTime::from_hms_opt(20, 0, 0).unwrap_or(NaiveTime::MIN),
                until: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            },
            quiet_channels: vec![Channel::Text],
        }
    }
}

/// A policy that would stop all contact or mean nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("The contact limit is 0, so nobody could be contacted; allow at least 1 contact")]
    NoContactsAllowed,
    #[error("The contact limit's period is 0 days; give it at least 1 day")]
    EmptyWindow,
}

impl Policy {
    pub fn check(&self) -> Result<(), PolicyError> {
        if self.cap.max_contacts == 0 {
            return Err(PolicyError::NoContactsAllowed);
        }
        if self.cap.window_days == 0 {
            return Err(PolicyError::EmptyWindow);
        }
        Ok(())
    }
}

/// Why a household is not contacted now. The order is the order of the
/// checks, and the order rows are shown in a tally.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum Reason {
    Deceased,
    DoNotContact,
    OpenCaseSameTeam,
    OpenCaseOtherTeam {
        team: String,
    },
    Replied,
    Engaged,
    CaseOpened,
    TextOnly,
    AddressUnsafeToWrite,
    AddressUnsafeToVisit,
    NoCalls,
    OptedOutOfTexts,
    OptedOutOfEmails,
    NoMobile,
    NoPhone,
    NoEmail,
    NoAddress,
    ContactLimit {
        max_contacts: u32,
        window_days: u32,
    },
    QuietHours {
        from: NaiveTime,
        until: NaiveTime,
    },
    /// Staff wrote a safe-contact note without ticking a rule: a person
    /// reads it and decides, nothing automatic does.
    SafeContactNote,
}

impl Reason {
    /// Stable, for storing and counting: changing one breaks old counts.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Deceased => "deceased",
            Reason::DoNotContact => "do_not_contact",
            Reason::OpenCaseSameTeam => "open_case_same_team",
            Reason::OpenCaseOtherTeam { .. } => "open_case_other_team",
            Reason::Replied => "replied",
            Reason::Engaged => "engaged",
            Reason::CaseOpened => "case_opened",
            Reason::TextOnly => "text_only",
            Reason::AddressUnsafeToWrite => "address_unsafe_to_write",
            Reason::AddressUnsafeToVisit => "address_unsafe_to_visit",
            Reason::NoCalls => "no_calls",
            Reason::OptedOutOfTexts => "opted_out_of_texts",
            Reason::OptedOutOfEmails => "opted_out_of_emails",
            Reason::NoMobile => "no_mobile",
            Reason::NoPhone => "no_phone",
            Reason::NoEmail => "no_email",
            Reason::NoAddress => "no_address",
            Reason::ContactLimit { .. } => "contact_limit",
            Reason::QuietHours { .. } => "quiet_hours",
            Reason::SafeContactNote => "safe_contact_note",
        }
    }

    /// What staff read.
    pub fn label(&self) -> String {
        match self {
            Reason::Deceased => "Everyone in the household has died".to_string(),
            Reason::DoNotContact => "Asked not to be contacted".to_string(),
            Reason::OpenCaseSameTeam => "Already in an open case with this team".to_string(),
            Reason::OpenCaseOtherTeam { team } => format!("In an open case with the {team}"),
            Reason::Replied => "Replied since the campaign began".to_string(),
            Reason::Engaged => "Engaged since the campaign began".to_string(),
            Reason::CaseOpened => "A case was opened since the campaign began".to_string(),
            Reason::TextOnly => "Asked to be contacted by text only".to_string(),
            Reason::AddressUnsafeToWrite => "Address marked unsafe to write to".to_string(),
            Reason::AddressUnsafeToVisit => {
                "Address marked unsafe: no unannounced visits".to_string()
            }
            Reason::NoCalls => "Asked not to be phoned".to_string(),
            Reason::OptedOutOfTexts => "Opted out of texts".to_string(),
            Reason::OptedOutOfEmails => "Opted out of emails".to_string(),
            Reason::NoMobile => "No mobile number".to_string(),
            Reason::NoPhone => "No phone number".to_string(),
            Reason::NoEmail => "No email address".to_string(),
            Reason::NoAddress => "No usable postal address".to_string(),
            Reason::ContactLimit {
                max_contacts,
                window_days,
            } => format!("Contact limit reached: {max_contacts} in {window_days} days"),
            Reason::QuietHours { from, until } => format!(
                "Quiet hours: nothing sent between {} and {}",
                from.format("%H:%M"),
                until.format("%H:%M")
            ),
            Reason::SafeContactNote => {
                "Has a safe-contact note: a person reads it and decides".to_string()
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// What to do about one household and one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    Send,
    /// Not yet: try again at `until`.
    Wait {
        until: DateTime<Utc>,
        reason: Reason,
    },
    /// Not by this step.
    Exclude {
        reason: Reason,
    },
}

impl Decision {
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            Decision::Send => None,
            Decision::Wait { reason, .. } | Decision::Exclude { reason } => Some(reason),
        }
    }
}

/// Decides whether one household may be sent one step now.
pub fn decide(
    facts: &HouseholdFacts,
    step: &Step,
    campaign_team: &str,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Decision {
    if let Some(reason) = exclusion(facts, step, campaign_team) {
        return Decision::Exclude { reason };
    }
    if let Some(until) = cap_frees_at(&facts.contacts, now, policy.cap) {
        return Decision::Wait {
            until: after_quiet_hours(until, step.channel, policy),
            reason: Reason::ContactLimit {
                max_contacts: policy.cap.max_contacts,
                window_days: policy.cap.window_days,
            },
        };
    }
    let allowed = after_quiet_hours(now, step.channel, policy);
    if allowed > now {
        return Decision::Wait {
            until: allowed,
            reason: Reason::QuietHours {
                from: policy.quiet_hours.from,
                until: policy.quiet_hours.until,
            },
        };
    }
    Decision::Send
}

/// Counts of decisions over a cohort, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub send: usize,
    pub waiting: usize,
    pub excluded: usize,
    /// One row per reason (an open case with each team is its own row), in
    /// the order of the checks.
    pub rows: Vec<TallyRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyRow {
    pub code: String,
    pub label: String,
    pub households: usize,
    /// Waiting (contact cap, quiet hours) rather than left out.
    pub waiting: bool,
}

/// Counts decisions by reason, so every household left out is accounted for.
pub fn tally<'a>(decisions: impl IntoIterator<Item = &'a Decision>) -> Tally {
    let mut tally = Tally::default();
    let mut by_reason: BTreeMap<(&Reason, bool), usize> = BTreeMap::new();
    for decision in decisions {
        match decision {
            Decision::Send => tally.send += 1,
            Decision::Wait { reason, .. } => {
                tally.waiting += 1;
                *by_reason.entry((reason, true)).or_default() += 1;
            }
            Decision::Exclude { reason } => {
                tally.excluded += 1;
                *by_reason.entry((reason, false)).or_default() += 1;
            }
        }
    }
    tally.rows = by_reason
        .into_iter()
        .map(|((reason, waiting), households)| TallyRow {
            code: reason.code().to_string(),
            label: reason.label(),
            households,
            waiting,
        })
        .collect();
    tally
}

/// A campaign whose own steps would contact a household more often than the
/// contact cap allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CapBreach {
    /// The steps (numbered from 1) in the first window that holds too many.
    pub steps: Vec<usize>,
    /// Days from the first of those steps to the last.
    pub within_days: u32,
    pub message: String,
}

/// Checks, when a campaign is saved, that its own steps fit the contact cap:
/// no `window_days` may hold more than `max_contacts` of them, whatever the
/// channel (a call or a knock is a contact too). Every household of the
/// cohort gets the same steps, so this is one check, not one per household.
///
/// It is enough to check the planned days: a household that falls behind
/// (a wait for quiet hours or a round) keeps the campaign's gaps, never
/// shorter ones (`sequence::due_step`). Contacts from other campaigns and
/// caseworkers are not a reason to refuse the whole campaign: they change
/// daily, and the rule at run time makes those households wait.
pub fn would_break_cap(steps: &[Step], policy: &Policy) -> Result<(), CapBreach> {
    let cap = policy.cap;
    let max = cap.max_contacts as usize;
    // Day order is checked elsewhere; sort so this check stands alone.
    let mut days: Vec<(u32, usize)> = steps.iter().enumerate().map(|(i, s)| (s.day, i)).collect();
    days.sort_unstable();
    for start in 0..days.len() {
        let end = u64::from(days[start].0) + u64::from(cap.window_days);
        let inside: Vec<(u32, usize)> = days[start..]
            .iter()
            .copied()
            .take_while(|(day, _)| u64::from(*day) < end)
            .collect();
        if inside.len() <= max {
            continue;
        }
        let first = inside[0].0;
        let last = inside[inside.len() - 1].0;
        let named: Vec<String> = inside
            .iter()
            .map(|(day, i)| {
                format!(
                    "step {} ({} on day {day})",
                    i + 1,
                    steps[*i].channel.with_article()
                )
            })
            .collect();
        let message = format!(
            "The campaign's own steps would contact every household {} between day {first} and day {last}: {}. \
             The contact limit is at most {} in any {} days, across every campaign and channel, \
             calls and door knocks included. Space the steps out so that no {} days hold more than {} of them, or remove one",
            plural(inside.len(), "time", "times"),
            crate::and_list(&named),
            plural(max, "contact", "contacts"),
            cap.window_days,
            cap.window_days,
            max,
        );
        return Err(CapBreach {
            steps: inside.iter().map(|(_, i)| i + 1).collect(),
            within_days: last - first,
            message,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------

fn exclusion(facts: &HouseholdFacts, step: &Step, campaign_team: &str) -> Option<Reason> {
    let channel = step.channel;
    if facts.all_members_deceased {
        return Some(Reason::Deceased);
    }
    if facts.do_not_contact {
        return Some(Reason::DoNotContact);
    }
    if facts
        .open_cases
        .iter()
        .any(|c| same_team(&c.team, campaign_team))
    {
        return Some(Reason::OpenCaseSameTeam);
    }
    if let Some(case) = facts.open_cases.first() {
        return Some(Reason::OpenCaseOtherTeam {
            team: case.team.trim().to_string(),
        });
    }
    for condition in &step.skip_if {
        let holds = condition.holds(channel, &facts.since_start, &facts.opt_outs);
        match condition {
            SkipCondition::Replied if holds => return Some(Reason::Replied),
            SkipCondition::Engaged if holds => return Some(Reason::Engaged),
            SkipCondition::CaseOpened if holds => return Some(Reason::CaseOpened),
            // Opt-outs are honoured below whether or not the step asks.
            _ => {}
        }
    }
    let safe = facts.safe_contact;
    if safe.text_only && channel != Channel::Text {
        return Some(Reason::TextOnly);
    }
    match channel {
        Channel::Letter if safe.no_letters => return Some(Reason::AddressUnsafeToWrite),
        Channel::DoorKnock if safe.no_letters => return Some(Reason::AddressUnsafeToVisit),
        Channel::PhoneCall if safe.no_calls => return Some(Reason::NoCalls),
        Channel::Text if facts.opt_outs.texts => return Some(Reason::OptedOutOfTexts),
        Channel::Email if facts.opt_outs.emails => return Some(Reason::OptedOutOfEmails),
        _ => {}
    }
    match channel {
        Channel::Text if !facts.has_mobile => Some(Reason::NoMobile),
        Channel::PhoneCall if !(facts.has_phone || facts.has_mobile) => Some(Reason::NoPhone),
        Channel::Email if !facts.has_email => Some(Reason::NoEmail),
        Channel::Letter | Channel::DoorKnock if !facts.has_address => Some(Reason::NoAddress),
        _ => None,
    }
}

fn same_team(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// When the cap next allows a contact, if it does not allow one now. A
/// contact counts while it is less than `window_days` old; contacts dated
/// after `now` (booked ahead) are not yet made and do not count.
fn cap_frees_at(
    contacts: &[PastContact],
    now: DateTime<Utc>,
    cap: ContactCap,
) -> Option<DateTime<Utc>> {
    let window = Duration::days(i64::from(cap.window_days));
    let mut recent: Vec<DateTime<Utc>> = contacts
        .iter()
        .map(|c| c.at)
        .filter(|at| *at <= now && *at > now - window)
        .collect();
    let max = cap.max_contacts as usize;
    if max == 0 {
        // A policy allowing no contact (refused by `Policy::check`) never frees.
        return Some(DateTime::<Utc>::MAX_UTC);
    }
    if recent.len() < max {
        return None;
    }
    // Newest first: once the max-th newest leaves the window, one more fits.
    recent.sort_unstable_by(|a, b| b.cmp(a));
    Some(recent.get(max - 1).map_or(now, |at| *at + window))
}

/// `at`, or the end of quiet hours if `at` falls in them and the channel
/// keeps quiet hours.
fn after_quiet_hours(at: DateTime<Utc>, channel: Channel, policy: &Policy) -> DateTime<Utc> {
    if !policy.quiet_channels.contains(&channel) {
        return at;
    }
    let QuietHours { from, until } = policy.quiet_hours;
    if from == until {
        return at;
    }
    let local = uk_local(at);
    let time = local.time();
    let spans_midnight = from > until;
    let quiet = if spans_midnight {
        time >= from || time < until
    } else {
        time >= from && time < until
    };
    if !quiet {
        return at;
    }
    let end_date = if spans_midnight && time >= from {
        local.date() + Duration::days(1)
    } else {
        local.date()
    };
    uk_local_to_utc(end_date.and_time(until))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn utc(s: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    }

    fn step(channel: Channel) -> Step {
        Step {
            day: 0,
            channel,
            template_id: Some("t".to_string()),
            skip_if: vec![
                SkipCondition::Replied,
                SkipCondition::Engaged,
                SkipCondition::CaseOpened,
            ],
        }
    }

    /// A household reachable every way, with no history.
    fn reachable() -> HouseholdFacts {
        HouseholdFacts {
            household_id: 1,
            has_mobile: true,
            has_phone: true,
            has_email: true,
            has_address: true,
            ..HouseholdFacts::default()
        }
    }

    fn contact(at: &str) -> PastContact {
        PastContact {
            at: utc(at),
            campaign_id: Some(9),
            channel: Channel::Letter,
        }
    }

    const TEAM: &str = "Money advice team";
    const NOON: &str = "2026-01-14 12:00";

    fn decide_now(facts: &HouseholdFacts, channel: Channel) -> Decision {
        decide(facts, &step(channel), TEAM, utc(NOON), &Policy::default())
    }

    fn excluded(reason: Reason) -> Decision {
        Decision::Exclude { reason }
    }

    #[test]
    fn a_reachable_household_is_sent_every_channel_at_noon() {
        for channel in Channel::ALL {
            assert_eq!(
                decide_now(&reachable(), channel),
                Decision::Send,
                "{channel:?}"
            );
        }
    }

    #[test]
    fn a_household_that_asked_not_to_be_contacted_is_left_out_of_everything() {
        let facts = HouseholdFacts {
            do_not_contact: true,
            ..reachable()
        };
        for channel in Channel::ALL {
            assert_eq!(decide_now(&facts, channel), excluded(Reason::DoNotContact));
        }
        assert_eq!(Reason::DoNotContact.label(), "Asked not to be contacted");
    }

    #[test]
    fn nobody_writes_to_a_household_whose_members_have_all_died_and_that_comes_first() {
        let facts = HouseholdFacts {
            all_members_deceased: true,
            do_not_contact: true,
            ..reachable()
        };
        assert_eq!(
            decide_now(&facts, Channel::Letter),
            excluded(Reason::Deceased)
        );
        assert_eq!(
            Reason::Deceased.label(),
            "Everyone in the household has died"
        );
    }

    #[test]
    fn an_unsafe_address_gets_no_letter_and_no_unannounced_knock_but_may_get_a_text() {
        let facts = HouseholdFacts {
            safe_contact: SafeContact {
                no_letters: true,
                ..SafeContact::default()
            },
            ..reachable()
        };
        assert_eq!(
            decide_now(&facts, Channel::Letter),
            excluded(Reason::AddressUnsafeToWrite)
        );
        assert_eq!(
            decide_now(&facts, Channel::DoorKnock),
            excluded(Reason::AddressUnsafeToVisit)
        );
        assert_eq!(decide_now(&facts, Channel::Text), Decision::Send);
        assert_eq!(
            Reason::AddressUnsafeToWrite.label(),
            "Address marked unsafe to write to"
        );
    }

    #[test]
    fn text_only_and_no_calls_notes_are_kept() {
        let text_only = HouseholdFacts {
            safe_contact: SafeContact {
                text_only: true,
                ..SafeContact::default()
            },
            ..reachable()
        };
        assert_eq!(
            decide_now(&text_only, Channel::Email),
            excluded(Reason::TextOnly)
        );
        assert_eq!(
            decide_now(&text_only, Channel::DoorKnock),
            excluded(Reason::TextOnly)
        );
        assert_eq!(decide_now(&text_only, Channel::Text), Decision::Send);
        let no_calls = HouseholdFacts {
            safe_contact: SafeContact {
                no_calls: true,
                ..SafeContact::default()
            },
            ..reachable()
        };
        assert_eq!(
            decide_now(&no_calls, Channel::PhoneCall),
            excluded(Reason::NoCalls)
        );
        assert_eq!(decide_now(&no_calls, Channel::Letter), Decision::Send);
    }

    #[test]
    fn an_open_case_with_another_team_is_named_and_with_this_team_is_said_so() {
        let other = HouseholdFacts {
            open_cases: vec![OpenCase {
                team: "Young people's team".to_string(),
            }],
            ..reachable()
        };
        let decision = decide_now(&other, Channel::Letter);
        assert_eq!(
            decision.reason().map(Reason::label).as_deref(),
            Some("In an open case with the Young people's team")
        );
        let same = HouseholdFacts {
            open_cases: vec![OpenCase {
                team: "money advice team ".to_string(),
            }],
            ..reachable()
        };
        assert_eq!(
            decide_now(&same, Channel::Letter),
            excluded(Reason::OpenCaseSameTeam)
        );
    }

    #[test]
    fn a_resident_who_replied_stop_is_never_texted_even_if_the_step_does_not_ask() {
        let facts = HouseholdFacts {
            opt_outs: OptOuts {
                texts: true,
                emails: false,
            },
            ..reachable()
        };
        let mut bare_step = step(Channel::Text);
        bare_step.skip_if.clear();
        assert_eq!(
            decide(&facts, &bare_step, TEAM, utc(NOON), &Policy::default()),
            excluded(Reason::OptedOutOfTexts)
        );
        assert_eq!(decide_now(&facts, Channel::Letter), Decision::Send);
    }

    #[test]
    fn missing_details_are_named_by_channel() {
        let nothing = HouseholdFacts {
            household_id: 2,
            ..HouseholdFacts::default()
        };
        assert_eq!(
            decide_now(&nothing, Channel::Text),
            excluded(Reason::NoMobile)
        );
        assert_eq!(
            decide_now(&nothing, Channel::PhoneCall),
            excluded(Reason::NoPhone)
        );
        assert_eq!(
            decide_now(&nothing, Channel::Email),
            excluded(Reason::NoEmail)
        );
        assert_eq!(
            decide_now(&nothing, Channel::Letter),
            excluded(Reason::NoAddress)
        );
        assert_eq!(Reason::NoMobile.label(), "No mobile number");
        let landline_only = HouseholdFacts {
            has_phone: true,
            ..HouseholdFacts::default()
        };
        assert_eq!(
            decide_now(&landline_only, Channel::PhoneCall),
            Decision::Send
        );
        assert_eq!(
            decide_now(&landline_only, Channel::Text),
            excluded(Reason::NoMobile)
        );
    }

    #[test]
    fn replies_and_engagement_exclude_only_when_the_step_says_so() {
        let replied = HouseholdFacts {
            since_start: Responses {
                replied: true,
                ..Responses::default()
            },
            ..reachable()
        };
        assert_eq!(
            decide_now(&replied, Channel::Letter),
            excluded(Reason::Replied)
        );
        let mut thank_you = step(Channel::Letter);
        thank_you.skip_if.clear();
        assert_eq!(
            decide(&replied, &thank_you, TEAM, utc(NOON), &Policy::default()),
            Decision::Send
        );
    }

    #[test]
    fn the_contact_cap_counts_every_campaign_and_waits_until_a_contact_ages_out() {
        let facts = HouseholdFacts {
            contacts: vec![
                contact("2026-01-02 10:00"),
                contact("2026-01-09 10:00"),
                contact("2025-12-01 10:00"),
            ],
            ..reachable()
        };
        // Two in the last 14 days: wait until the older of them is 14 days old.
        assert_eq!(
            decide_now(&facts, Channel::Letter),
            Decision::Wait {
                until: utc("2026-01-16 10:00"),
                reason: Reason::ContactLimit {
                    max_contacts: 2,
                    window_days: 14
                }
            }
        );
        assert_eq!(
            Reason::ContactLimit {
                max_contacts: 2,
                window_days: 14
            }
            .label(),
            "Contact limit reached: 2 in 14 days"
        );
        // One contact in the window leaves room for another.
        let one = HouseholdFacts {
            contacts: vec![contact("2026-01-09 10:00")],
            ..reachable()
        };
        assert_eq!(decide_now(&one, Channel::Letter), Decision::Send);
    }

    #[test]
    fn a_contact_exactly_a_window_old_no_longer_counts() {
        let facts = HouseholdFacts {
            contacts: vec![contact("2025-12-31 12:00"), contact("2026-01-10 12:00")],
            ..reachable()
        };
        assert_eq!(decide_now(&facts, Channel::Letter), Decision::Send);
    }

    #[test]
    fn a_wait_for_the_cap_that_ends_at_night_moves_a_text_to_the_morning() {
        let facts = HouseholdFacts {
            contacts: vec![contact("2026-01-02 22:00"), contact("2026-01-09 10:00")],
            ..reachable()
        };
        assert_eq!(
            decide_now(&facts, Channel::Text),
            Decision::Wait {
                until: utc("2026-01-17 08:00"),
                reason: Reason::ContactLimit {
                    max_contacts: 2,
                    window_days: 14
                }
            }
        );
    }

    #[test]
    fn texts_wait_out_quiet_hours_in_uk_time_through_the_clock_changes() {
        let policy = Policy::default();
        let text = step(Channel::Text);
        let quiet = |until: &str| Decision::Wait {
            until: utc(until),
            reason: Reason::QuietHours {
                from: policy.quiet_hours.from,
                until: policy.quiet_hours.until,
            },
        };
        // Winter: 21:00 UTC is 21:00 GMT, so wait for 08:00 GMT the next day.
        assert_eq!(
            decide(&reachable(), &text, TEAM, utc("2026-01-14 21:00"), &policy),
            quiet("2026-01-15 08:00")
        );
        // Early morning: wait until 08:00 the same day.
        assert_eq!(
            decide(&reachable(), &text, TEAM, utc("2026-01-14 06:30"), &policy),
            quiet("2026-01-14 08:00")
        );
        // Summer: 19:30 UTC is 20:30 BST, quiet; 08:00 BST is 07:00 UTC.
        assert_eq!(
            decide(&reachable(), &text, TEAM, utc("2026-07-14 19:30"), &policy),
            quiet("2026-07-15 07:00")
        );
        // Summer: 07:30 UTC is 08:30 BST, fine.
        assert_eq!(
            decide(&reachable(), &text, TEAM, utc("2026-07-14 07:30"), &policy),
            Decision::Send
        );
        // The night the clocks go forward (29 March 2026): 08:00 BST is 07:00 UTC.
        assert_eq!(
            decide(&reachable(), &text, TEAM, utc("2026-03-28 22:00"), &policy),
            quiet("2026-03-29 07:00")
        );
        // The night the clocks go back (25 October 2026): 08:00 GMT is 08:00 UTC.
        assert_eq!(
            decide(&reachable(), &text, TEAM, utc("2026-10-24 21:00"), &policy),
            quiet("2026-10-25 08:00")
        );
        // Letters are not held for quiet hours.
        assert_eq!(
            decide(
                &reachable(),
                &step(Channel::Letter),
                TEAM,
                utc("2026-01-14 23:00"),
                &policy
            ),
            Decision::Send
        );
    }

    #[test]
    fn a_policy_that_allows_no_contact_is_refused() {
        assert_eq!(Policy::default().check(), Ok(()));
        let mut policy = Policy::default();
        policy.cap.max_contacts = 0;
        assert_eq!(policy.check(), Err(PolicyError::NoContactsAllowed));
        policy.cap = ContactCap {
            max_contacts: 2,
            window_days: 0,
        };
        assert_eq!(policy.check(), Err(PolicyError::EmptyWindow));
    }

    #[test]
    fn a_tally_accounts_for_every_household_by_reason() {
        let decisions = vec![
            Decision::Send,
            Decision::Send,
            excluded(Reason::DoNotContact),
            excluded(Reason::OpenCaseOtherTeam {
                team: "Young people's team".to_string(),
            }),
            excluded(Reason::OpenCaseOtherTeam {
                team: "Adult social care team".to_string(),
            }),
            excluded(Reason::DoNotContact),
            Decision::Wait {
                until: utc(NOON),
                reason: Reason::ContactLimit {
                    max_contacts: 2,
                    window_days: 14,
                },
            },
        ];
        let tally = tally(&decisions);
        assert_eq!((tally.send, tally.excluded, tally.waiting), (2, 4, 1));
        let rows: Vec<(&str, &str, usize, bool)> = tally
            .rows
            .iter()
            .map(|r| (r.code.as_str(), r.label.as_str(), r.households, r.waiting))
            .collect();
        assert_eq!(
            rows,
            [
                ("do_not_contact", "Asked not to be contacted", 2, false),
                (
                    "open_case_other_team",
                    "In an open case with the Adult social care team",
                    1,
                    false
                ),
                (
                    "open_case_other_team",
                    "In an open case with the Young people's team",
                    1,
                    false
                ),
                (
                    "contact_limit",
                    "Contact limit reached: 2 in 14 days",
                    1,
                    true
                ),
            ]
        );
    }

    #[test]
    fn reason_codes_are_unique() {
        let reasons = [
            Reason::Deceased,
            Reason::DoNotContact,
            Reason::OpenCaseSameTeam,
            Reason::OpenCaseOtherTeam {
                team: String::new(),
            },
            Reason::Replied,
            Reason::Engaged,
            Reason::CaseOpened,
            Reason::TextOnly,
            Reason::AddressUnsafeToWrite,
            Reason::AddressUnsafeToVisit,
            Reason::NoCalls,
            Reason::OptedOutOfTexts,
            Reason::OptedOutOfEmails,
            Reason::NoMobile,
            Reason::NoPhone,
            Reason::NoEmail,
            Reason::NoAddress,
            Reason::ContactLimit {
                max_contacts: 2,
                window_days: 14,
            },
            Reason::QuietHours {
                from: NaiveTime::MIN,
                until: NaiveTime::MIN,
            },
        ];
        let codes: std::collections::BTreeSet<&str> = reasons.iter().map(Reason::code).collect();
        assert_eq!(codes.len(), reasons.len());
    }

    fn steps_on(days_and_channels: &[(u32, Channel)]) -> Vec<Step> {
        days_and_channels
            .iter()
            .map(|(day, channel)| Step {
                day: *day,
                ..step(*channel)
            })
            .collect()
    }

    #[test]
    fn a_campaign_whose_own_steps_break_the_cap_is_refused_naming_the_steps() {
        let steps = steps_on(&[
            (0, Channel::Letter),
            (3, Channel::Text),
            (7, Channel::DoorKnock),
        ]);
        let breach = would_break_cap(&steps, &Policy::default()).unwrap_err();
        assert_eq!(
            (breach.steps.clone(), breach.within_days),
            (vec![1, 2, 3], 7)
        );
        assert_eq!(
            breach.to_string(),
            "The campaign's own steps would contact every household 3 times between day 0 and day 7: \
             step 1 (a letter on day 0), step 2 (a text message on day 3) and step 3 (a door knock on day 7). \
             The contact limit is at most 2 contacts in any 14 days, across every campaign and channel, \
             calls and door knocks included. Space the steps out so that no 14 days hold more than 2 of them, or remove one"
        );
    }

    #[test]
    fn the_first_crowded_window_is_named_even_late_in_a_campaign() {
        let steps = steps_on(&[
            (0, Channel::Letter),
            (14, Channel::Text),
            (20, Channel::Email),
            (27, Channel::PhoneCall),
        ]);
        let breach = would_break_cap(&steps, &Policy::default()).unwrap_err();
        assert_eq!(breach.steps, [2, 3, 4]);
        assert_eq!(breach.within_days, 13);
    }

    #[test]
    fn steps_a_window_apart_fit_the_cap() {
        // Day 0 and day 14 are in different 14-day windows, as at run time:
        // a contact exactly a window old no longer counts.
        let steps = steps_on(&[
            (0, Channel::Letter),
            (7, Channel::Text),
            (14, Channel::Email),
            (21, Channel::DoorKnock),
        ]);
        assert_eq!(would_break_cap(&steps, &Policy::default()), Ok(()));
        let one_a_week = Policy {
            cap: ContactCap {
                max_contacts: 1,
                window_days: 7,
            },
            ..Policy::default()
        };
        assert_eq!(would_break_cap(&steps, &one_a_week), Ok(()));
        assert!(would_break_cap(
            &steps_on(&[(0, Channel::Letter), (6, Channel::Text)]),
            &one_a_week
        )
        .is_err());
        assert_eq!(would_break_cap(&[], &Policy::default()), Ok(()));
    }
}
