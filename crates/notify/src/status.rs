//! Message statuses and types as Notify spells them.
//!
//! Both enums keep unknown values as `Other(String)` rather than failing:
//! Notify adds statuses from time to time (`pending`, `sent` for international
//! texts, `validation-failed` for precompiled letters all arrived that way), and
//! a delivery receipt we cannot classify must still be stored, not dropped.

use serde::{Deserialize, Serialize};

/// A message's status, from a delivery receipt or `GET /v2/notifications/{id}`.
///
/// Texts and emails: `created`, `sending`, `pending` (texts), `sent`
/// (international texts), `delivered`, `permanent-failure`,
/// `temporary-failure`, `technical-failure`. Letters (as the API shows
/// them): `accepted`, `received`, `cancelled`, `technical-failure`,
/// `permanent-failure`, and for precompiled letters `pending-virus-check`,
/// `virus-scan-failed`, `validation-failed`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum DeliveryStatus {
    /// Queued at Notify.
    Created,
    /// Handed to the provider; waiting for a receipt.
    Sending,
    /// Text: the provider is waiting for the handset.
    Pending,
    /// Text to an international number: no further information will come.
    Sent,
    /// Delivered.
    Delivered,
    /// The address or number is wrong; stop using it.
    PermanentFailure,
    /// Phone off, inbox full: may succeed if sent again later.
    TemporaryFailure,
    /// A problem between Notify and its provider; Notify says send again
    /// (texts and emails) or that it will handle it (letters).
    TechnicalFailure,
    /// Letter: sent to the printer.
    Accepted,
    /// Letter: printed and posted.
    Received,
    /// Letter: cancelled before printing.
    Cancelled,
    /// Precompiled letter: awaiting a virus scan.
    PendingVirusCheck,
    /// Precompiled letter: failed the virus scan.
    VirusScanFailed,
    /// Precompiled letter: failed content validation.
    ValidationFailed,
    /// A value this code does not know yet, kept verbatim.
    Other(String),
}

impl DeliveryStatus {
    /// Notify's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            DeliveryStatus::Created => "created",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::PermanentFailure => "permanent-failure",
            DeliveryStatus::TemporaryFailure => "temporary-failure",
            DeliveryStatus::TechnicalFailure => "technical-failure",
            DeliveryStatus::Accepted => "accepted",
            DeliveryStatus::Received => "received",
            DeliveryStatus::Cancelled => "cancelled",
            DeliveryStatus::PendingVirusCheck => "pending-virus-check",
            DeliveryStatus::VirusScanFailed => "virus-scan-failed",
            DeliveryStatus::ValidationFailed => "validation-failed",
            DeliveryStatus::Other(s) => s,
        }
    }

    /// Parse Notify's spelling; anything unknown becomes `Other`.
    pub fn parse(s: &str) -> DeliveryStatus {
        match s {
            "created" => DeliveryStatus::Created,
            "sending" => DeliveryStatus::Sending,
            "pending" => DeliveryStatus::Pending,
            "sent" => DeliveryStatus::Sent,
            "delivered" => DeliveryStatus::Delivered,
            "permanent-failure" => DeliveryStatus::PermanentFailure,
            "temporary-failure" => DeliveryStatus::TemporaryFailure,
            "technical-failure" => DeliveryStatus::TechnicalFailure,
            "accepted" => DeliveryStatus::Accepted,
            "received" => DeliveryStatus::Received,
            "cancelled" => DeliveryStatus::Cancelled,
            "pending-virus-check" => DeliveryStatus::PendingVirusCheck,
            "virus-scan-failed" => DeliveryStatus::VirusScanFailed,
            "validation-failed" => DeliveryStatus::ValidationFailed,
            other => DeliveryStatus::Other(other.to_string()),
        }
    }

    /// A failure of any kind (the message did not and will not arrive as sent).
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            DeliveryStatus::PermanentFailure
                | DeliveryStatus::TemporaryFailure
                | DeliveryStatus::TechnicalFailure
                | DeliveryStatus::Cancelled
                | DeliveryStatus::VirusScanFailed
                | DeliveryStatus::ValidationFailed
        )
    }

    /// No further change is expected (delivered, sent abroad, posted, or failed).
    pub fn is_final(&self) -> bool {
        self.is_failure()
            || matches!(
                self,
                DeliveryStatus::Delivered | DeliveryStatus::Sent | DeliveryStatus::Received
            )
    }
}

impl From<String> for DeliveryStatus {
    fn from(s: String) -> Self {
        DeliveryStatus::parse(&s)
    }
}

impl From<DeliveryStatus> for String {
    fn from(s: DeliveryStatus) -> Self {
        s.as_str().to_string()
    }
}

impl std::fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `sms`, `email` or `letter`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum NotificationType {
    /// A text message.
    Sms,
    /// An email.
    Email,
    /// A letter.
    Letter,
    /// A value this code does not know, kept verbatim.
    Other(String),
}

impl NotificationType {
    /// Notify's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            NotificationType::Sms => "sms",
            NotificationType::Email => "email",
            NotificationType::Letter => "letter",
            NotificationType::Other(s) => s,
        }
    }

    /// Parse Notify's spelling; anything unknown becomes `Other`.
    pub fn parse(s: &str) -> NotificationType {
        match s {
            "sms" => NotificationType::Sms,
            "email" => NotificationType::Email,
            "letter" => NotificationType::Letter,
            other => NotificationType::Other(other.to_string()),
        }
    }
}

impl From<String> for NotificationType {
    fn from(s: String) -> Self {
        NotificationType::parse(&s)
    }
}

impl From<NotificationType> for String {
    fn from(t: NotificationType) -> Self {
        t.as_str().to_string()
    }
}

impl std::fmt::Display for NotificationType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_status_round_trips_and_unknown_is_kept() {
        for s in [
            "created",
            "sending",
            "pending",
            "sent",
            "delivered",
            "permanent-failure",
            "temporary-failure",
            "technical-failure",
            "accepted",
            "received",
            "cancelled",
            "pending-virus-check",
            "virus-scan-failed",
            "validation-failed",
        ] {
            let status = DeliveryStatus::parse(s);
            assert!(
                !matches!(status, DeliveryStatus::Other(_)),
                "{s} should be known"
            );
            assert_eq!(status.as_str(), s);
        }
        assert_eq!(
            DeliveryStatus::parse("returned-letter"),
            DeliveryStatus::Other("returned-letter".into())
        );
        assert_eq!(DeliveryStatus::parse("").as_str(), "");
    }

    #[test]
    fn failures_and_finality() {
        assert!(DeliveryStatus::PermanentFailure.is_failure());
        assert!(DeliveryStatus::Delivered.is_final());
        assert!(!DeliveryStatus::Delivered.is_failure());
        assert!(!DeliveryStatus::Sending.is_final());
        assert!(!DeliveryStatus::Other("new".into()).is_final());
    }
}
