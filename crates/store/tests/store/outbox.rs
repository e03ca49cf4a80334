//! The outbox on every backend: queueing is idempotent by reference,
//! claiming is exclusive, each state change applies once, templates keep
//! their versions, and a STOP reply stops texts to that number.

use super::stores;
use chrono::{Duration, Utc};
use upstream_store::{NewMessage, NewTemplate};

fn message(reference: &str, household_id: i64) -> NewMessage {
    NewMessage {
        reference: reference.into(),
        campaign_id: Some(1),
        step_no: Some(1),
        household_id,
        person_id: None,
        channel: "sms".into(),
        template_name: "first-missed-rent".into(),
        template_version: 1,
        language: "en".into(),
        recipient: "07700900123".into(),
        subject: String::new(),
        body: "Hello".into(),
        not_before: Utc::now() - Duration::minutes(1),
        queued_at: Utc::now(),
    }
}

#[tokio::test]
async fn a_message_is_queued_once_claimed_once_and_settled_once() {
    for fresh in stores().await {
        let s = &fresh.store;
        let db = fresh.name();
        let v1 = s
            .save_message_template(
                &NewTemplate {
                    name: "first-missed-rent".into(),
                    channel: "sms".into(),
                    subject_en: String::new(),
                    body_en: "Hello ((first_name))".into(),
                    subject_cy: String::new(),
                    body_cy: String::new(),
                },
                1,
            )
            .await
            .expect("save");
        let again = NewTemplate {
            name: "first-missed-rent".into(),
            channel: "sms".into(),
            subject_en: String::new(),
            body_en: "Hi ((first_name))".into(),
            subject_cy: String::new(),
            body_cy: String::new(),
        };
        let v2 = s.save_message_template(&again, 1).await.expect("save");
        assert_eq!((v1, v2), (1, 2), "{db}");
        let first = s
            .message_template("first-missed-rent", Some(1))
            .await
            .expect("read")
            .expect("v1");
        assert_eq!(
            first.body_en, "Hello ((first_name))",
            "{db}: version 1 kept as saved"
        );
        let latest = s
            .message_template("first-missed-rent", None)
            .await
            .expect("read")
            .expect("latest");
        assert_eq!(latest.version, 2, "{db}");

        let batch = vec![message("c1-s1-h7", 7), message("c1-s1-h8", 8)];
        assert_eq!(s.queue_messages(&batch).await.expect("queue"), 2, "{db}");
        assert_eq!(
            s.queue_messages(&batch).await.expect("queue"),
            0,
            "{db}: the same references queue once"
        );
        let mut later = message("c1-s2-h7", 7);
        later.not_before = Utc::now() + Duration::hours(1);
        s.queue_messages(&[later]).await.expect("queue");

        let claimed = s.claim_due_messages(Utc::now(), 10).await.expect("claim");
        assert_eq!(
            claimed
                .iter()
                .map(|m| m.reference.as_str())
                .collect::<Vec<_>>(),
            ["c1-s1-h7", "c1-s1-h8"],
            "{db}: only what is due"
        );
        assert!(claimed
            .iter()
            .all(|m| m.status == "sending" && m.attempts == 1));
        assert!(
            s.claim_due_messages(Utc::now(), 10)
                .await
                .expect("claim")
                .is_empty(),
            "{db}: a claimed message is not claimed again"
        );
        assert_eq!(s.messages_in_flight().await.expect("read").len(), 2, "{db}");

        let (a, b) = (&claimed[0], &claimed[1]);
        assert!(s
            .mark_message_sent(a.id, "n-1", Utc::now())
            .await
            .expect("sent"));
        assert!(
            !s.mark_message_sent(a.id, "n-2", Utc::now())
                .await
                .expect("sent"),
            "{db}: settled once"
        );
        assert!(s
            .requeue_message(b.id, Utc::now() - Duration::seconds(1), "429 rate limit")
            .await
            .expect("requeue"));
        let retried = s.claim_due_messages(Utc::now(), 10).await.expect("claim");
        assert_eq!(retried.len(), 1, "{db}");
        assert_eq!((retried[0].id, retried[0].attempts), (b.id, 2), "{db}");
        assert!(s
            .fail_message(b.id, "Not a UK mobile number", Utc::now())
            .await
            .expect("fail"));

        assert!(s
            .record_message_receipt("n-1", true, "", Utc::now())
            .await
            .expect("receipt"));
        assert!(
            !s.record_message_receipt("n-unknown", true, "", Utc::now())
                .await
                .expect("receipt"),
            "{db}"
        );
        let got = s
            .message_by_reference("c1-s1-h7")
            .await
            .expect("read")
            .expect("there");
        assert_eq!(
            (got.status.as_str(), got.notify_id.as_deref()),
            ("delivered", Some("n-1")),
            "{db}"
        );
        let counts = s.outbox_counts().await.expect("counts");
        assert_eq!(
            (
                counts.queued,
                counts.delivered,
                counts.failed,
                counts.sending
            ),
            (1, 1, 1, 0),
            "{db}"
        );
        assert_eq!(
            s.messages(Some(7), 10).await.expect("read").len(),
            2,
            "{db}"
        );

        // A STOP reply, delivered twice by Notify's retries, counts once.
        for _ in 0..2 {
            s.record_inbound_text("in-1", "07700900123", "STOP", Utc::now(), true)
                .await
                .expect("inbound");
        }
        assert!(s.text_opted_out("07700900123").await.expect("read"), "{db}");
        assert!(
            !s.text_opted_out("07700900999").await.expect("read"),
            "{db}"
        );
    }
}
