//! Sending the outbox through the real Notify client against the stand-in
//! of Notify's contract, on SQLite and (when DATABASE_URL is a postgres://
//! URL) PostgreSQL: a pass killed mid-send, then run again, sends every
//! message exactly once and loses none; failures Notify calls permanent are
//! recorded, retryable ones tried again.

use super::stores;
use chrono::Utc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use upstream_notify::stand_in::{StandIn, StandInConfig, StandInTemplate};
use upstream_notify::{Backoff, NotificationType, NotifyClient, Pacer};
use upstream_pipeline::sending::{
    send_outbox, CarrierTemplates, NotifyTransport, SendFailure, SendSettings, Transport,
};

use upstream_store::{MessageRow, NewMessage};

const SMS: &str = "8b3b1c9e-2f0a-4b7e-9d1c-5a6f7e8d9c01";
const EMAIL: &str = "8b3b1c9e-2f0a-4b7e-9d1c-5a6f7e8d9c02";
const LETTER: &str = "8b3b1c9e-2f0a-4b7e-9d1c-5a6f7e8d9c03";

/// The real transport, but the process "dies" straight after the n-th
/// message reaches Notify, before the outbox hears of it.
struct DiesAfter {
    inner: NotifyTransport,
    n: usize,
    sent: AtomicUsize,
}

impl Transport for DiesAfter {
    fn send(&self, m: &MessageRow) -> Result<String, SendFailure> {
        let id = self.inner.send(m)?;
        if self.sent.fetch_add(1, Ordering::SeqCst) + 1 == self.n {
            panic!("killed after sending {}", m.reference);
        }
        Ok(id)
    }
    fn find(&self, reference: &str) -> Result<Option<String>, SendFailure> {
        self.inner.find(reference)
    }
}

fn message(i: usize, channel: &str, recipient: &str) -> NewMessage {
    NewMessage {
        reference: format!("c1-s1-h{i}"),
        campaign_id: Some(1),
        step_no: Some(1),
        household_id: i as i64,
        person_id: None,
        channel: channel.into(),
        template_name: "first-missed-rent".into(),
        template_version: 3,
        language: "en".into(),
        recipient: recipient.into(),
        subject: "Help with your rent".into(),
        body: format!("Hello, this is Brumford City Council ({i})."),
        not_before: Utc::now() - chrono::Duration::minutes(1),
        queued_at: Utc::now(),
    }
}

fn fast() -> SendSettings {
    SendSettings {
        pacer: Pacer::new(3000, Duration::from_secs(60)),
        backoff: Backoff {
            base: Duration::from_millis(1),
            cap: Duration::from_millis(5),
            max_attempts: 4,
        },
        batch: 10,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_killed_mid_send_then_run_again_sends_each_message_once_and_loses_none() {
    for fresh in stores(true).await {
        let db = fresh.name();
        let store = &fresh.store;
        let notify = StandIn::start(StandInConfig {
            templates: vec![
                StandInTemplate::new(SMS, NotificationType::Sms, None, "((body))"),
                StandInTemplate::new(
                    EMAIL,
                    NotificationType::Email,
                    Some("((subject))"),
                    "((body))",
                ),
                StandInTemplate::new(
                    LETTER,
                    NotificationType::Letter,
                    Some("((subject))"),
                    "((body))",
                ),
            ],
            ..StandInConfig::default()
        })
        .await
        .expect("stand-in");
        let transport = || {
            NotifyTransport::new(
                NotifyClient::new(&notify.api_key(), &notify.base_url()).expect("client"),
                CarrierTemplates {
                    sms: SMS.into(),
                    email: EMAIL.into(),
                    letter: LETTER.into(),
                },
            )
        };
        let mut batch: Vec<NewMessage> = (1..=30)
            .map(|i| message(i, "sms", &format!("077009{:05}", 10_000 + i)))
            .collect();
        batch.extend((31..=34).map(|i| message(i, "email", &format!("resident{i}@example.org"))));
        batch.push(message(
            35,
            "letter",
            "Sam Resident\n12 Acacia Avenue\nBrumford\nB1 1AA",
        ));
        // A landline: Notify refuses it, and trying again will not help.
        batch.push(message(36, "sms", "0121 496 0000"));
        assert_eq!(
            store.queue_messages(&batch).await.expect("queue"),
            36,
            "{db}"
        );
        // One message claimed by a sender that died before sending it.
        let orphan = store
            .claim_due_messages(Utc::now(), 1)
            .await
            .expect("claim")
            .remove(0);

        let dies: Arc<dyn Transport> = Arc::new(DiesAfter {
            inner: transport(),
            n: 12,
            sent: AtomicUsize::new(0),
        });
        let killed = send_outbox(store, Some(dies), &mut fast()).await;
        assert!(killed.is_err(), "{db}: the pass was killed");
        let in_flight = store.messages_in_flight().await.expect("read");
        assert!(
            in_flight.iter().any(|m| m.reference != orphan.reference),
            "{db}: the message sent as the pass died is still 'sending': {in_flight:?}"
        );
        let at_notify_before = notify.accepted().len();

        let report = send_outbox(store, Some(Arc::new(transport())), &mut fast())
            .await
            .expect("second pass");
        assert_eq!(
            (report.recovered, report.requeued, report.unsure),
            (1, in_flight.len() - 1, 0),
            "{db}: the one sent as the pass died is found at Notify; the rest go again: {report:?}"
        );
        assert_eq!(report.failed, 1, "{db}: the landline: {report:?}");

        // Caught mid-send while Notify cannot be asked: left alone, not
        // sent blind; the next pass settles it.
        store
            .queue_messages(&[message(37, "sms", "07700910037")])
            .await
            .expect("queue");
        store
            .claim_due_messages(Utc::now(), 1)
            .await
            .expect("claim");
        notify.fail_next(1, 500);
        let unsure = send_outbox(store, Some(Arc::new(transport())), &mut fast())
            .await
            .expect("third pass");
        assert_eq!((unsure.unsure, unsure.sent), (1, 0), "{db}: {unsure:?}");
        assert_eq!(
            store.messages_in_flight().await.expect("read").len(),
            1,
            "{db}"
        );
        let settled = send_outbox(store, Some(Arc::new(transport())), &mut fast())
            .await
            .expect("fourth pass");
        assert_eq!(
            (settled.requeued, settled.sent),
            (1, 1),
            "{db}: {settled:?}"
        );

        // Notify has a bad minute: each failure is tried again, later.
        store
            .queue_messages(&[
                message(38, "sms", "07700910038"),
                message(39, "email", "resident39@example.org"),
            ])
            .await
            .expect("queue");
        let mut retried = 0;
        for pass in 0..6 {
            if pass == 0 {
                notify.fail_next(3, 503);
            }
            let r = send_outbox(store, Some(Arc::new(transport())), &mut fast())
                .await
                .expect("a pass");
            retried += r.retried;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(retried >= 2, "{db}: {retried}");

        let all = store.messages(None, 100).await.expect("read");
        let unsent: Vec<_> = all
            .iter()
            .filter(|m| m.status != "sent")
            .map(|m| (&m.reference, &m.status, &m.failure, m.attempts))
            .collect();
        assert_eq!(
            unsent.len(),
            1,
            "{db}: only the landline is unsent: {unsent:?}"
        );
        let accepted = notify.accepted();
        let mut references: Vec<String> = accepted
            .iter()
            .filter_map(|r| r.reference.clone())
            .collect();
        references.sort();
        let sent: Vec<String> = all
            .iter()
            .filter(|m| m.status == "sent" && !references.contains(&m.reference))
            .map(|m| format!("{} {:?}", m.reference, m.notify_id))
            .collect();
        assert!(
            sent.is_empty(),
            "{db}: marked sent, never at Notify: {sent:?}"
        );
        let before = references.len();
        references.dedup();
        assert_eq!(
            before,
            references.len(),
            "{db}: a reference reached Notify twice"
        );
        assert_eq!(
            references.len(),
            38,
            "{db}: every good message reached Notify once"
        );
        assert!(accepted.len() > at_notify_before, "{db}");
        let counts = store.outbox_counts().await.expect("counts");
        assert_eq!(
            (counts.sent, counts.failed, counts.queued, counts.sending),
            (38, 1, 0, 0),
            "{db}: {counts:?}"
        );
        let landline = store
            .message_by_reference("c1-s1-h36")
            .await
            .expect("read")
            .expect("there");
        assert!(
            landline.failure.contains("Not a UK mobile number"),
            "{db}: {}",
            landline.failure
        );
        let letter = accepted
            .iter()
            .find(|r| r.reference.as_deref() == Some("c1-s1-h35"))
            .expect("the letter");
        assert_eq!(
            letter
                .personalisation
                .get("address_line_4")
                .map(String::as_str),
            Some("B1 1AA"),
            "{db}"
        );

        // A last pass finds nothing to do and sends nothing.
        let again = send_outbox(store, Some(Arc::new(transport())), &mut fast())
            .await
            .expect("last pass");
        assert_eq!(again, Default::default(), "{db}");
        assert_eq!(notify.accepted().len(), accepted.len(), "{db}");
        notify.shutdown().await;
        let pg = fresh.pg.clone();
        drop(fresh);
        super::drop_database(pg).await;
    }
}

#[tokio::test]
async fn without_notify_every_message_is_kept_for_staff_to_read() {
    let fresh = stores(false).await.remove(0);
    let store = &fresh.store;
    store
        .queue_messages(&[
            message(1, "sms", "07700910001"),
            message(2, "letter", "A\nB\nB1 1AA"),
        ])
        .await
        .expect("queue");
    let report = send_outbox(store, None, &mut fast()).await.expect("pass");
    assert_eq!(report.kept, 2);
    assert_eq!(store.outbox_counts().await.expect("counts").kept, 2);
}
