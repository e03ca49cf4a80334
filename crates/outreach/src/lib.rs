//! Reaching residents: the rules of outreach campaigns, as pure functions.
//!
//! A campaign reaches households on a team's list by letter, text message,
//! email, phone call or a knock at the door. This crate holds the rules only:
//! no clock, database, network or files. Every function takes values (and
//! "now" when time matters) and returns values, so the store, the web pages
//! and the command line call the same code and cannot disagree.
//!
//! | module | what it decides | sources behind the rules |
//! | --- | --- | --- |
//! | [`templates`] | whether a message template can be used (every problem at once, in plain English), the fields it uses, filling it in, bilingual output | GOV.UK Notify's placeholder syntax `((field))` and optional content `((field??text))`; Notify's text message limit of 918 characters and its fragment counting (160 then 153 characters a fragment, 70 then 67 when Welsh accented letters force Unicode); the Welsh Language Standards (No. 1) Regulations 2015: Welsh correspondence and texts not treated less favourably than English, Welsh first when bilingual |
//! | [`readability`] | the reading age of English text (Flesch–Kincaid grade + 5) and plain-English warnings; for Welsh, sentence length only | GOV.UK content design guidance (write for a reading age of about 9, sentences of 25 words at most, plain words) and the Plain English Campaign's A to Z of alternative words; Kincaid et al. (1975) for the formula |
//! | [`rules`] | whether one household may be contacted by one step now: send, wait (quiet hours, contact cap) or exclude with a counted reason; whether a campaign's own steps would break the contact cap (checked when it is started) | the council's contact preferences and safe-contact notes (`do not write here`, text only, no calls), a resident's STOP reply to a text (never texted again), open cases held by other teams, seed 001 (a Welsh council's audit: cases closed for loss of contact after emails alone, so contact is kept up across channels, within a limit) |
//! | [`uk_time`] | UK local time (GMT or BST) from UTC, without a timezone database | the Summer Time Order 2002: BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October |
//! | [`sequence`] | which step of a campaign is due for a household today, skipping steps whose conditions hold; whether a campaign's steps make sense | seed 004 (East Sussex: knocking, texting and notes through the door reached residents that calls and voicemails did not, so a campaign mixes channels in order) |
//! | [`rounds`] | the order to walk a door-knocking round (odd numbers up one side, even numbers back down the other, flats together), and what can happen at a door | seed 002 (door knocking street by street over a small area, staff in pairs for safety, consent gained in conversation) |
//! | [`experiment`] | holding back a share of households or splitting them between variants, reproducibly; whether one arm did better than another, with a 95% confidence interval | Newcombe (1998) "Interval estimation for the difference between independent proportions", method 10 (hybrid score from Wilson intervals); SplitMix64 (Steele, Lea and Flood 2014) for a hash that stays the same across Rust versions |
//!
//! Shared vocabulary ([`Channel`], [`Language`], [`Nation`]) lives here.

pub mod experiment;
pub mod readability;
pub mod rounds;
pub mod rules;
pub mod sequence;
pub mod templates;
pub mod uk_time;

use serde::{Deserialize, Serialize};

pub use experiment::{
    assign, check_arms, compare, wilson, ArmResult, Comparison, ExperimentError, Verdict,
};
pub use readability::{
    check_english, check_text, count_syllables, EnglishReadability, ReadabilityReport,
    ReadingAgeTarget, TargetVerdict, Warning, WelshReadability,
};
pub use rounds::{
    order_round, parse_address_line, Door, DoorOutcome, HouseNumber, ParsedAddress, Side,
    StreetStretch, VisitSafety, WalkedDoor,
};
pub use rules::{
    decide, tally, would_break_cap, CapBreach, ContactCap, Decision, HouseholdFacts, OpenCase,
    PastContact, Policy, PolicyError, QuietHours, Reason, SafeContact, Tally, TallyRow,
};
pub use sequence::{
    due_step, validate_steps, Due, OptOuts, Responses, SentStep, SequenceError, SequenceProblem,
    SkipCondition, Skipped, Step,
};
pub use templates::{
    check, fields_used, render, render_bilingual, sms_length, CheckedTemplate, Part, RenderError,
    Rendered, SmsLength, Template, TemplateProblem,
};

/// Which nation's law the council works under: Wales brings the Welsh
/// Language Standards, every message to the public in Welsh as well as English.
pub use upstream_core::Nation;

/// The language of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    English,
    Welsh,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "english",
            Language::Welsh => "welsh",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        match s.trim().to_ascii_lowercase().as_str() {
            "english" | "en" => Some(Language::English),
            "welsh" | "cy" | "cymraeg" => Some(Language::Welsh),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Welsh => "Welsh",
        }
    }
}

/// How a household is reached. Letters, texts and emails are written from
/// a template (sent through GOV.UK Notify); a phone call or a door knock is
/// made by a person, with at most a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Letter,
    Text,
    Email,
    PhoneCall,
    DoorKnock,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Letter,
        Channel::Text,
        Channel::Email,
        Channel::PhoneCall,
        Channel::DoorKnock,
    ];

    /// The stored name: `letter`, `text`, `email`, `phone_call`, `door_knock`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Letter => "letter",
            Channel::Text => "text",
            Channel::Email => "email",
            Channel::PhoneCall => "phone_call",
            Channel::DoorKnock => "door_knock",
        }
    }

    /// Reads the stored name, and Notify's `sms` for a text message.
    pub fn parse(s: &str) -> Option<Channel> {
        let s = s.trim().to_ascii_lowercase();
        if s == "sms" {
            return Some(Channel::Text);
        }
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// For a sentence: "a letter", "a text message".
    pub fn with_article(self) -> &'static str {
        match self {
            Channel::Letter => "a letter",
            Channel::Text => "a text message",
            Channel::Email => "an email",
            Channel::PhoneCall => "a phone call",
            Channel::DoorKnock => "a door knock",
        }
    }

    /// For a heading or a table: "Letter", "Text message".
    pub fn label(self) -> &'static str {
        match self {
            Channel::Letter => "Letter",
            Channel::Text => "Text message",
            Channel::Email => "Email",
            Channel::PhoneCall => "Phone call",
            Channel::DoorKnock => "Door knock",
        }
    }

    /// Written from a template and sent through Notify.
    pub fn needs_template(self) -> bool {
        matches!(self, Channel::Letter | Channel::Text | Channel::Email)
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

/// "1 household", "3 households".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_read_back_their_stored_names_and_notify_calls_a_text_sms() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Channel::parse("SMS"), Some(Channel::Text));
        assert_eq!(Channel::parse("pigeon"), None);
    }

    #[test]
    fn only_written_channels_need_a_template() {
        assert!(Channel::Letter.needs_template());
        assert!(Channel::Text.needs_template());
        assert!(Channel::Email.needs_template());
        assert!(!Channel::PhoneCall.needs_template());
        assert!(!Channel::DoorKnock.needs_template());
    }

    #[test]
    fn nations_and_languages_read_their_stored_names() {
        assert_eq!(Nation::parse(" Wales "), Some(Nation::Wales));
        assert_eq!(
            Nation::parse(Nation::England.as_str()),
            Some(Nation::England)
        );
        assert_eq!(Language::parse("cy"), Some(Language::Welsh));
        assert_eq!(Language::parse("english"), Some(Language::English));
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(and_list(&[]), "");
        assert_eq!(and_list(&["a".into()]), "a");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        assert_eq!(plural(1, "door", "doors"), "1 door");
        assert_eq!(plural(0, "door", "doors"), "0 doors");
    }
}
