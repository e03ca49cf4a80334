//! What Notify POSTs to us: delivery receipts and received text messages.
//!
//! Pure parsing and checks, for the web crate to mount behind its own routes.
//! Notify calls a URL we register, with `Authorization: Bearer <token we
//! chose>` (at least 10 characters, set on Notify's API integration page).
//! Check the header with [`bearer_matches`] before parsing the body, answer
//! 2xx quickly, and do the work afterwards: Notify retries a failed callback
//! every 5 minutes, up to 5 times, and gives up after that.
//!
//! Delivery receipts come for texts and emails (documented `notification_type`
//! `email` or `sms`); letters do not get them (a returned letter has its own
//! callback, not handled here). The same receipt can arrive more than once
//! (retries), and receipts can arrive out of order, so store them keyed by
//! `id` and let a final status win over a non-final one.
//!
//! Sources: GOV.UK Notify technical documentation, "Callbacks" (the
//! `notifications-tech-docs` repository, `source/documentation/_callbacks.md`)
//! and `notifications-api`'s `app/celery/service_callback_tasks.py`, which
//! builds both payloads.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use subtle::ConstantTimeEq;

use crate::status::{DeliveryStatus, NotificationType};

/// Why a callback body was refused.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// Not JSON, a field missing, or a field of the wrong type.
    #[error("malformed Notify callback: {0}")]
    Malformed(String),
}

/// A delivery receipt: Notify's news about one text or email we sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReceipt {
    /// Notify's id for the message (the `id` it returned when we sent it).
    pub id: String,
    /// The `reference` we sent, if any.
    pub reference: Option<String>,
    /// The phone number or email address it went to.
    pub to: String,
    /// `delivered`, `permanent-failure`, `temporary-failure` or `technical-failure`
    /// (unknown values are kept as `Other`).
    pub status: DeliveryStatus,
    /// When we sent the request.
    #[serde(deserialize_with = "de_time")]
    pub created_at: DateTime<Utc>,
    /// When the status last changed.
    #[serde(default, deserialize_with = "de_opt_time")]
    pub completed_at: Option<DateTime<Utc>>,
    /// When Notify handed it to the provider.
    #[serde(default, deserialize_with = "de_opt_time")]
    pub sent_at: Option<DateTime<Utc>>,
    /// `sms` or `email`.
    pub notification_type: NotificationType,
    /// The template used.
    pub template_id: String,
    /// The template's version (a JSON number; "1" as a string is tolerated).
    #[serde(deserialize_with = "de_version")]
    pub template_version: u32,
}

/// A text message someone sent to our Notify number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedText {
    /// Notify's id for the received message.
    pub id: String,
    /// Who sent it, as Notify gives it (e.g. `447700912345`).
    pub source_number: String,
    /// Our number it was sent to.
    pub destination_number: String,
    /// The text.
    pub message: String,
    /// When Notify received it (UTC).
    #[serde(deserialize_with = "de_time")]
    pub date_received: DateTime<Utc>,
}

/// Parse a delivery receipt body. Unknown extra fields are ignored; a missing
/// documented field or a malformed time is an error, never a panic.
pub fn parse_delivery_receipt(body: &[u8]) -> Result<DeliveryReceipt, CallbackError> {
    serde_json::from_slice(body).map_err(|e| CallbackError::Malformed(e.to_string()))
}

/// Parse a received-text-message body.
pub fn parse_received_text(body: &[u8]) -> Result<ReceivedText, CallbackError> {
    serde_json::from_slice(body).map_err(|e| CallbackError::Malformed(e.to_string()))
}

/// Notify writes times as `2017-05-14T12:15:30.000000Z` (UTC). RFC 3339 with
/// any offset is accepted, and so is the same form with no zone (taken as
/// UTC, which is what Notify's `DATETIME_FORMAT` means).
pub fn parse_notify_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()
        .map(|t| t.and_utc())
}

/// Notify's own format for times it sends.
pub fn format_notify_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = String::deserialize(d)?;
    parse_notify_time(&s)
        .ok_or_else(|| serde::de::Error::custom(format!("not a Notify time: {s:?}")))
}

fn de_opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_notify_time(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("not a Notify time: {s:?}"))),
    }
}

fn de_version<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(u32),
        Text(String),
    }
    match NumOrText::deserialize(d)? {
        NumOrText::Num(n) => Ok(n),
        NumOrText::Text(s) => s.trim().parse().map_err(|_| {
            serde::de::Error::custom(format!("template_version is not a number: {s:?}"))
        }),
    }
}

/// Whether an incoming text asks us to stop messaging this number.
///
/// Conservative on purpose: only a message that is, as a whole, one of
/// `STOP`, `STOP ALL`, `STOPALL` or `UNSUBSCRIBE` counts, ignoring case,
/// surrounding whitespace, repeated inner spaces and trailing `.` or `!`.
/// `STOP` is the UK short-code convention (and what operators' own
/// opt-out handling keys on); `STOP ALL`/`STOPALL` and `UNSUBSCRIBE` are the
/// common variants. Words like `END`, `CANCEL` or `QUIT` are *not* treated as
/// opt-outs: in a council conversation "cancel" is far more likely to be about
/// an appointment, and a wrong opt-out silently cuts someone off from help.
/// Anything else, including "please stop texting me", is left for a person to
/// read; this function only automates the unambiguous case.
pub fn is_opt_out(message: &str) -> bool {
    let trimmed = message.trim().trim_end_matches(['.', '!']).trim();
    let words: Vec<String> = trimmed.split_whitespace().map(str::to_uppercase).collect();
    let joined = words.join(" ");
    matches!(
        joined.as_str(),
        "STOP" | "STOP ALL" | "STOPALL" | "UNSUBSCRIBE"
    )
}

/// Whether an `Authorization` header carries exactly `Bearer <expected>`.
///
/// The scheme is matched case-insensitively; the token is compared in
/// constant time (`subtle`, already in the dependency tree through the
/// RustCrypto crates) so the comparison does not reveal how much of a guess
/// was right. The length of the expected token is not hidden; Notify tokens
/// are at least 10 characters and ours should be long random strings. An empty
/// expected token matches nothing, so a missing configuration value cannot
/// open the endpoint.
pub fn bearer_matches(header_value: Option<&str>, expected: &str) -> bool {
    if expected.is_empty() {
        return false;
    }
    let Some(header) = header_value else {
        return false;
    };
    let header = header.trim();
    let Some(scheme) = header.get(..7) else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("bearer ") {
        return false;
    }
    let token = header[7..].trim_start().as_bytes();
    token.ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECEIPT: &str = r#"{
        "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
        "reference": "case-42-reminder",
        "to": "07700912345",
        "status": "delivered",
        "created_at": "2017-05-14T12:15:30.000000Z",
        "completed_at": "2017-05-14T12:15:31.250000Z",
        "sent_at": "2017-05-14T12:15:30.500000Z",
        "notification_type": "sms",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "template_version": 3
    }"#;

    #[test]
    fn parses_a_documented_delivery_receipt() {
        let r = parse_delivery_receipt(RECEIPT.as_bytes()).unwrap();
        assert_eq!(r.id, "740e5834-3a29-46b4-9a6f-16142fde533a");
        assert_eq!(r.reference.as_deref(), Some("case-42-reminder"));
        assert_eq!(r.status, DeliveryStatus::Delivered);
        assert_eq!(r.notification_type, NotificationType::Sms);
        assert_eq!(r.template_version, 3);
        assert_eq!(
            format_notify_time(r.created_at),
            "2017-05-14T12:15:30.000000Z"
        );
        assert_eq!(
            r.completed_at.map(format_notify_time).as_deref(),
            Some("2017-05-14T12:15:31.250000Z")
        );
    }

    #[test]
    fn nulls_unknown_status_and_extra_fields_are_fine() {
        let body = RECEIPT
            .replace(r#""case-42-reminder""#, "null")
            .replace(r#""2017-05-14T12:15:31.250000Z""#, "null")
            .replace(r#""2017-05-14T12:15:30.500000Z""#, "null")
            .replace(r#""delivered""#, r#""carrier-pigeon-lost""#)
            .replace(
                r#""template_version": 3"#,
                r#""template_version": "3", "new_field": [1, 2]"#,
            );
        let r = parse_delivery_receipt(body.as_bytes()).unwrap();
        assert_eq!(r.reference, None);
        assert_eq!(r.completed_at, None);
        assert_eq!(r.sent_at, None);
        assert_eq!(
            r.status,
            DeliveryStatus::Other("carrier-pigeon-lost".into())
        );
        assert_eq!(r.template_version, 3);
    }

    #[test]
    fn malformed_receipts_are_errors_not_panics() {
        for body in [
            "".to_string(),
            "[]".to_string(),
            "{".to_string(),
            RECEIPT.replace(r#""to": "07700912345","#, ""),
            RECEIPT.replace("2017-05-14T12:15:30.000000Z", "yesterday"),
            RECEIPT.replace(r#""template_version": 3"#, r#""template_version": -1"#),
            RECEIPT.replace(r#""status": "delivered""#, r#""status": 7"#),
        ] {
            assert!(parse_delivery_receipt(body.as_bytes()).is_err(), "{body}");
        }
        assert!(parse_delivery_receipt(&[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn parses_a_received_text() {
        let body = r#"{"id": "a0b1c2d3-0000-4000-8000-000000000001", "source_number": "447700912345",
            "destination_number": "07700987654", "message": "Hello Notify!",
            "date_received": "2017-05-14T12:15:30.000000Z"}"#;
        let t = parse_received_text(body.as_bytes()).unwrap();
        assert_eq!(t.source_number, "447700912345");
        assert_eq!(t.message, "Hello Notify!");
        assert!(parse_received_text(br#"{"id": "x"}"#).is_err());
    }

    #[test]
    fn opt_out_words() {
        for yes in [
            "STOP",
            "stop",
            " Stop \n",
            "STOP.",
            "stop!",
            "STOP ALL",
            "stop  all",
            "StopAll",
            "UNSUBSCRIBE",
            "unsubscribe.",
        ] {
            assert!(is_opt_out(yes), "{yes:?} should opt out");
        }
        for no in [
            "",
            "STOPP",
            "please stop",
            "stop texting me",
            "don't stop",
            "CANCEL",
            "END",
            "QUIT",
            "stop?",
            "s t o p",
            "Bus stop",
        ] {
            assert!(!is_opt_out(no), "{no:?} should not opt out");
        }
    }

    #[test]
    fn bearer_tokens() {
        let expected = "a-long-random-callback-token";
        assert!(bearer_matches(
            Some("Bearer a-long-random-callback-token"),
            expected
        ));
        assert!(bearer_matches(
            Some("bearer a-long-random-callback-token"),
            expected
        ));
        assert!(!bearer_matches(
            Some("Bearer a-long-random-callback-tokeN"),
            expected
        ));
        assert!(!bearer_matches(
            Some("Bearer a-long-random-callback-token-and-more"),
            expected
        ));
        assert!(!bearer_matches(Some("Bearer a-long"), expected));
        assert!(!bearer_matches(
            Some("Basic a-long-random-callback-token"),
            expected
        ));
        assert!(!bearer_matches(
            Some("a-long-random-callback-token"),
            expected
        ));
        assert!(!bearer_matches(None, expected));
        assert!(!bearer_matches(Some("Bearer "), ""));
        assert!(!bearer_matches(Some("Bearer"), expected));
    }
}
