//! Sending the outbox: every queued message that is due goes to GOV.UK
//! Notify (or, without Notify, is kept for staff to read), paced to Notify's
//! limit, retried with backoff when Notify or the network is briefly at
//! fault, and failed with why when trying again will not help.
//!
//! Exactly once: a message is claimed (`sending`) before it is sent and
//! settled (`sent`) after. A crash between the two leaves it `sending`, and
//! nobody can tell from our side whether Notify got it. So the next run
//! first asks Notify for each such message by its reference (ours, unique):
//! found, it is marked sent with Notify's id; not found, it is queued again.
//! If Notify cannot be asked, the message stays as it is and is asked about
//! next time: sending it again blind could send it twice.

use crate::Result;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use upstream_notify::{Backoff, ListFilter, NotifyClient, NotifyError, Pacer, RetryDecision};
use upstream_store::{MessageRow, Store};

/// Where messages go.
pub trait Transport: Send + Sync + 'static {
    /// Send one message; Notify's id for it.
    fn send(&self, message: &MessageRow) -> std::result::Result<String, SendFailure>;
    /// The id of a message already sent with this reference, if any.
    fn find(&self, reference: &str) -> std::result::Result<Option<String>, SendFailure>;
}

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Worth trying again (rate limited, Notify down, the network): at least
    /// `after`, when the server said.
    Retry {
        why: String,
        after: Option<Duration>,
    },
    /// Trying again will not help (a bad number, a refused key): recorded.
    Permanent(String),
}

impl From<NotifyError> for SendFailure {
    fn from(e: NotifyError) -> SendFailure {
        if e.is_retryable() {
            SendFailure::Retry {
                after: e.retry_after(),
                why: e.to_string(),
            }
        } else {
            SendFailure::Permanent(e.to_string())
        }
    }
}

/// The Notify templates our messages travel in. Upstream keeps and
/// versions the words itself (templates are checked, previewed and recorded
/// per message here), so each channel has one Notify template that only
/// carries them: an SMS template of `((body))`; an email and a letter
/// template with subject `((subject))` and body `((body))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierTemplates {
    pub sms: String,
    pub email: String,
    pub letter: String,
}

/// Sending through GOV.UK Notify.
pub struct NotifyTransport {
    client: NotifyClient,
    templates: CarrierTemplates,
}

impl NotifyTransport {
    pub fn new(client: NotifyClient, templates: CarrierTemplates) -> NotifyTransport {
        NotifyTransport { client, templates }
    }
}

impl Transport for NotifyTransport {
    fn send(&self, m: &MessageRow) -> std::result::Result<String, SendFailure> {
        let mut fields = BTreeMap::new();
        fields.insert("body".to_string(), m.body.clone());
        let sent = match m.channel.as_str() {
            "sms" => self.client.send_sms(
                &m.recipient,
                &self.templates.sms,
                &fields,
                Some(&m.reference),
            )?,
            "email" => {
                fields.insert("subject".into(), m.subject.clone());
                self.client.send_email(
                    &m.recipient,
                    &self.templates.email,
                    &fields,
                    Some(&m.reference),
                )?
            }
            "letter" => {
                fields.insert("subject".into(), m.subject.clone());
                // Notify reads the address from address_line_1 to _7, the
                // postcode last.
                for (i, line) in m
                    .recipient
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .take(7)
                    .enumerate()
                {
                    fields.insert(format!("address_line_{}", i + 1), line.to_string());
                }
                self.client
                    .send_letter(&self.templates.letter, &fields, Some(&m.reference))?
            }
            other => {
                return Err(SendFailure::Permanent(format!(
                    "Notify does not send by {other}"
                )))
            }
        };
        Ok(sent.id)
    }

    fn find(&self, reference: &str) -> std::result::Result<Option<String>, SendFailure> {
        let page = self.client.list_notifications(&ListFilter {
            reference: Some(reference.to_string()),
            ..ListFilter::default()
        })?;
        Ok(page.notifications.into_iter().next().map(|n| n.id))
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SendReport {
    /// Caught mid-send by a crash, and found at Notify: marked sent.
    pub recovered: usize,
    /// Caught mid-send, not at Notify: queued again.
    pub requeued: usize,
    /// Caught mid-send, and Notify could not be asked: left for next time.
    pub unsure: usize,
    pub sent: usize,
    /// Without Notify: rendered and kept for staff to read.
    pub kept: usize,
    pub retried: usize,
    pub failed: usize,
}

/// How a pass sends.
pub struct SendSettings {
    pub pacer: Pacer,
    pub backoff: Backoff,
    /// Messages claimed at a time.
    pub batch: i64,
}

impl Default for SendSettings {
    fn default() -> SendSettings {
        SendSettings {
            pacer: Pacer::notify_default(),
            backoff: Backoff::default(),
            batch: 100,
        }
    }
}

/// Send everything due, then return. `transport` `None` is the outbox
/// without Notify: each message is kept, not sent.
pub async fn send_outbox(
    store: &Store,
    transport: Option<Arc<dyn Transport>>,
    settings: &mut SendSettings,
) -> Result<SendReport> {
    let mut report = SendReport::default();
    // 1. Messages a crashed pass left mid-send.
    for m in store.messages_in_flight().await? {
        match &transport {
            // Without Notify nobody can say whether it went: leave it for a
            // pass that can ask, rather than mark it kept for good.
            None => report.unsure += 1,
            Some(t) => {
                let t = t.clone();
                let reference = m.reference.clone();
                match blocking(move || t.find(&reference)).await? {
                    Ok(Some(id)) => {
                        store.mark_message_sent(m.id, &id, Utc::now()).await?;
                        report.recovered += 1;
                    }
                    Ok(None) => {
                        store
                            .requeue_message(
                                m.id,
                                Utc::now(),
                                "not found at Notify after a restart",
                            )
                            .await?;
                        report.requeued += 1;
                    }
                    Err(_) => report.unsure += 1,
                }
            }
        }
    }
    // 2. Everything due now, a batch at a time.
    let started = Instant::now();
    loop {
        let claimed = store.claim_due_messages(Utc::now(), settings.batch).await?;
        if claimed.is_empty() {
            break;
        }
        for m in claimed {
            let Some(t) = &transport else {
                store.mark_message_kept(m.id, Utc::now()).await?;
                report.kept += 1;
                continue;
            };
            let wait = settings.pacer.wait(started.elapsed());
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            settings.pacer.record(started.elapsed());
            let t = t.clone();
            let message = m.clone();
            match blocking(move || t.send(&message)).await? {
                Ok(id) => {
                    store.mark_message_sent(m.id, &id, Utc::now()).await?;
                    report.sent += 1;
                }
                Err(SendFailure::Permanent(why)) => {
                    store.fail_message(m.id, &why, Utc::now()).await?;
                    report.failed += 1;
                }
                Err(SendFailure::Retry { why, after }) => {
                    let failed = u32::try_from(m.attempts).unwrap_or(u32::MAX);
                    match settings
                        .backoff
                        .decide(failed, after, jitter(&m.reference, failed))
                    {
                        RetryDecision::RetryAfter(d) => {
                            let at = later(Utc::now(), d);
                            store.requeue_message(m.id, at, &why).await?;
                            report.retried += 1;
                        }
                        RetryDecision::GiveUp => {
                            let why = format!("gave up after {} attempts: {why}", m.attempts);
                            store.fail_message(m.id, &why, Utc::now()).await?;
                            report.failed += 1;
                        }
                    }
                }
            }
        }
    }
    Ok(report)
}

/// The HTTP client blocks, so it runs off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| crate::Error::Sending(format!("the sending thread stopped: {e}")))
}

fn later(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::minutes(5))
}

/// A jitter draw in [0, 1) from the message and attempt: different messages
/// spread their retries out, and a rerun of the same pass draws the same.
fn jitter(reference: &str, attempt: u32) -> f64 {
    // FNV-1a: small, and the same on every platform and Rust version.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in reference.bytes().chain(attempt.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_is_in_the_unit_interval_and_differs_by_message() {
        let a = jitter("c1-s1-h7", 1);
        let b = jitter("c1-s1-h8", 1);
        assert!((0.0..1.0).contains(&a) && (0.0..1.0).contains(&b));
        assert_ne!(a, b);
        assert_eq!(a, jitter("c1-s1-h7", 1));
    }
}
