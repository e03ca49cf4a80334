//! Message templates (versioned) and the outbox: every message to a resident
//! is a row here before it goes anywhere, so a crash never loses one and a
//! restart never sends one twice.
//!
//! A message's life: `queued` → `sending` (claimed by a sender, attempts
//! counted) → `sent` (Notify accepted it; its id kept) → `delivered` or
//! `failed` (Notify's receipt). A retryable failure puts it back to `queued`
//! with a later `next_attempt_at`. Without Notify a message goes from
//! `sending` to `kept`: rendered and stored for staff to read, not sent.

use crate::accounts::stamp;
use crate::{parse_time, Pool, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A template as saved: one version of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub name: String,
    pub version: i64,
    /// `sms`, `email` or `letter`.
    pub channel: String,
    pub subject_en: String,
    pub body_en: String,
    /// Empty when the council writes in English only.
    pub subject_cy: String,
    pub body_cy: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTemplate {
    pub name: String,
    pub channel: String,
    pub subject_en: String,
    pub body_en: String,
    pub subject_cy: String,
    pub body_cy: String,
}

/// A message ready to go: rendered, addressed, with its reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Unique and ours: the same campaign, step and household always make
    /// the same reference, so queueing twice queues once.
    pub reference: String,
    pub campaign_id: Option<i64>,
    pub step_no: Option<i32>,
    pub household_id: i64,
    pub person_id: Option<i64>,
    pub channel: String,
    pub template_name: String,
    pub template_version: i64,
    /// `en`, `cy` or `cy+en` (bilingual, Welsh first).
    pub language: String,
    /// A phone number, an email address, or a letter's address lines joined by newlines.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Not before this (quiet hours, a step's day).
    pub not_before: DateTime<Utc>,
    /// When it was queued, as the app counts days (the demo works to the
    /// day its town's records end): a campaign's steps are spaced from it.
    pub queued_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub reference: String,
    pub campaign_id: Option<i64>,
    pub step_no: Option<i32>,
    pub household_id: i64,
    pub person_id: Option<i64>,
    pub channel: String,
    pub template_name: String,
    pub template_version: i64,
    pub language: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub failure: String,
    pub notify_id: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// How many messages are in each state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    pub queued: i64,
    pub sending: i64,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub kept: i64,
}

const MESSAGE_COLUMNS: &str = "id, reference, campaign_id, step_no, household_id, person_id, channel, template_name, template_version, language, recipient, subject, body, status, failure, notify_id, attempts, next_attempt_at, created_at, sent_at, completed_at";

/// A `MessageRow` from a row of either database (a macro, because the two
/// row types share no trait that decodes every column type).
macro_rules! message_row {
    ($r:expr) => {{
        let r = $r;
        let opt_time = |s: Option<String>| s.as_deref().map(parse_time).transpose();
        MessageRow {
            id: r.try_get("id")?,
            reference: r.try_get("reference")?,
            campaign_id: r.try_get("campaign_id")?,
            step_no: r.try_get("step_no")?,
            household_id: r.try_get("household_id")?,
            person_id: r.try_get("person_id")?,
            channel: r.try_get("channel")?,
            template_name: r.try_get("template_name")?,
            template_version: r.try_get("template_version")?,
            language: r.try_get("language")?,
            recipient: r.try_get("recipient")?,
            subject: r.try_get("subject")?,
            body: r.try_get("body")?,
            status: r.try_get("status")?,
            failure: r.try_get("failure")?,
            notify_id: r.try_get("notify_id")?,
            attempts: r.try_get("attempts")?,
            next_attempt_at: parse_time(&r.try_get::<String, _>("next_attempt_at")?)?,
            created_at: parse_time(&r.try_get::<String, _>("created_at")?)?,
            sent_at: opt_time(r.try_get("sent_at")?)?,
            completed_at: opt_time(r.try_get("completed_at")?)?,
        }
    }};
}

impl Store {
    /// Save a template's next version (the first is 1): a sent message
    /// keeps the version it used, so versions are never changed.
    pub async fn save_message_template(&self, t: &NewTemplate, by: i64) -> Result<i64, StoreError> {
        const NEXT: &str =
            "SELECT COALESCE(MAX(version), 0) + 1 FROM message_templates WHERE name = $1";
        const INSERT: &str = "INSERT INTO message_templates (name, version, channel, subject_en, body_en, subject_cy, body_cy, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        let now = stamp(Utc::now());
        let version = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            // Take the write lock first, so two saves make two versions.
            sqlx::query("UPDATE message_templates SET id = id WHERE 1 = 0").execute(&mut *tx).await?;
            let version: i64 = sqlx::query_scalar(NEXT).bind(&t.name).fetch_one(&mut *tx).await?;
            sqlx::query(INSERT)
                .bind(&t.name).bind(version).bind(&t.channel).bind(&t.subject_en).bind(&t.body_en)
                .bind(&t.subject_cy).bind(&t.body_cy).bind(by).bind(&now)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            version
        });
        Ok(version)
    }

    /// A template's given version, or its latest.
    pub async fn message_template(
        &self,
        name: &str,
        version: Option<i64>,
    ) -> Result<Option<TemplateRow>, StoreError> {
        const SQL: &str = "SELECT name, version, channel, subject_en, body_en, subject_cy, body_cy, created_by, created_at
             FROM message_templates WHERE name = $1 AND ($2 IS NULL OR version = $2)
             ORDER BY version DESC LIMIT 1";
        let row = on_pool!(self, p => {
            match sqlx::query(SQL).bind(name).bind(version).fetch_optional(p).await? {
                None => None,
                Some(r) => Some(TemplateRow {
                    name: r.try_get("name")?,
                    version: r.try_get("version")?,
                    channel: r.try_get("channel")?,
                    subject_en: r.try_get("subject_en")?,
                    body_en: r.try_get("body_en")?,
                    subject_cy: r.try_get("subject_cy")?,
                    body_cy: r.try_get("body_cy")?,
                    created_by: r.try_get("created_by")?,
                    created_at: parse_time(&r.try_get::<String, _>("created_at")?)?,
                }),
            }
        });
        Ok(row)
    }

    /// Every template's latest version, by name.
    pub async fn message_templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        let names: Vec<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT DISTINCT name FROM message_templates ORDER BY name").fetch_all(p).await?);
        let mut out = Vec::new();
        for name in names {
            if let Some(t) = self.message_template(&name, None).await? {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// Queue messages; a reference already queued is left as it is. The
    /// number newly queued.
    pub async fn queue_messages(&self, messages: &[NewMessage]) -> Result<u64, StoreError> {
        let mut added = 0;
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            for chunk in messages.chunks(500) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO outbox (reference, campaign_id, step_no, household_id, person_id, channel, template_name, template_version, language, recipient, subject, body, status, next_attempt_at, created_at) ",
                );
                qb.push_values(chunk, |mut b, m| {
                    b.push_bind(&m.reference).push_bind(m.campaign_id).push_bind(m.step_no)
                        .push_bind(m.household_id).push_bind(m.person_id).push_bind(&m.channel)
                        .push_bind(&m.template_name).push_bind(m.template_version).push_bind(&m.language)
                        .push_bind(&m.recipient).push_bind(&m.subject).push_bind(&m.body)
                        .push_bind("queued").push_bind(stamp(m.not_before)).push_bind(stamp(m.queued_at));
                });
                qb.push(" ON CONFLICT (reference) DO NOTHING");
                added += qb.build().execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
        });
        Ok(added)
    }

    /// Claim up to `limit` queued messages due by `now` for sending: each
    /// becomes `sending`, its attempts counted, in one statement, so two
    /// senders never claim the same message.
    pub async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        // PostgreSQL skips rows another sender holds; SQLite has one writer.
        let sql = |skip_locked: &str| {
            format!(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1
                 WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $1
                              ORDER BY next_attempt_at, id LIMIT $2{skip_locked})
                 RETURNING {MESSAGE_COLUMNS}"
            )
        };
        let mut rows = match &self.pool {
            Pool::Sqlite(p) => {
                let mut out = Vec::new();
                for r in sqlx::query(&sql(""))
                    .bind(stamp(now))
                    .bind(limit)
                    .fetch_all(p)
                    .await?
                {
                    out.push(message_row!(&r));
                }
                out
            }
            Pool::Postgres(p) => {
                let mut out = Vec::new();
                for r in sqlx::query(&sql(" FOR UPDATE SKIP LOCKED"))
                    .bind(stamp(now))
                    .bind(limit)
                    .fetch_all(p)
                    .await?
                {
                    out.push(message_row!(&r));
                }
                out
            }
        };
        // RETURNING gives rows in no promised order.
        rows.sort_by_key(|m| (m.next_attempt_at, m.id));
        Ok(rows)
    }

    /// Messages a sender claimed and never settled: after a crash, each may
    /// or may not have reached Notify.
    pub async fn messages_in_flight(&self) -> Result<Vec<MessageRow>, StoreError> {
        self.messages_where("status = 'sending'", None).await
    }

    /// Messages, newest first; of one household when given.
    pub async fn messages(
        &self,
        household_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let filter = if household_id.is_some() {
            "household_id = $1"
        } else {
            "$1 IS NULL"
        };
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let rows = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(&sql).bind(household_id).bind(limit).fetch_all(p).await? {
                out.push(message_row!(&r));
            }
            out
        });
        Ok(rows)
    }

    async fn messages_where(
        &self,
        filter: &str,
        reference: Option<&str>,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE {filter} ORDER BY id");
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query(&sql);
            if let Some(r) = reference {
                q = q.bind(r);
            }
            let mut out = Vec::new();
            for r in q.fetch_all(p).await? {
                out.push(message_row!(&r));
            }
            out
        });
        Ok(rows)
    }

    /// Messages of one campaign, oldest first.
    pub async fn campaign_messages(&self, campaign_id: i64) -> Result<Vec<MessageRow>, StoreError> {
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE campaign_id = $1 ORDER BY id");
        let rows = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(&sql).bind(campaign_id).fetch_all(p).await? {
                out.push(message_row!(&r));
            }
            out
        });
        Ok(rows)
    }

    /// Messages to these households from any campaign, oldest first: the
    /// contact cap counts them all.
    pub async fn messages_of_households(&self, ids: &[i64]) -> Result<Vec<MessageRow>, StoreError> {
        let mut out = Vec::new();
        // A campaign reads 1,000 households at a time: one query each.
        for chunk in ids.chunks(1000) {
            let list = chunk
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            // Ids are integers we hold, so they are written into the text.
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE household_id IN ({list}) ORDER BY id"
            );
            let rows = on_pool!(self, p => {
                let mut v = Vec::new();
                for r in sqlx::query(&sql).fetch_all(p).await? {
                    v.push(message_row!(&r));
                }
                v
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// One message by its reference.
    pub async fn message_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<MessageRow>, StoreError> {
        Ok(self
            .messages_where("reference = $1", Some(reference))
            .await?
            .into_iter()
            .next())
    }

    /// Notify accepted a message (or it was found there after a crash).
    /// False when the message was not in a state this applies to.
    pub async fn mark_message_sent(
        &self,
        id: i64,
        notify_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE outbox SET status = 'sent', notify_id = $1, sent_at = $2, failure = '' WHERE id = $3 AND status = 'sending'";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(notify_id).bind(stamp(at)).bind(id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Rendered and kept, not sent: the outbox without Notify.
    /// False when the message was not in a state this applies to.
    pub async fn mark_message_kept(&self, id: i64, at: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE outbox SET status = 'kept', completed_at = $1 WHERE id = $2 AND status = 'sending'";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(stamp(at)).bind(id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// A failure worth trying again: back in the queue from `retry_at`.
    /// False when the message was not in a state this applies to.
    pub async fn requeue_message(
        &self,
        id: i64,
        retry_at: DateTime<Utc>,
        why: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE outbox SET status = 'queued', next_attempt_at = $1, failure = $2 WHERE id = $3 AND status = 'sending'";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(stamp(retry_at)).bind(why).bind(id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// A failure that trying again will not mend, recorded with why.
    /// False when the message was not in a state this applies to.
    pub async fn fail_message(
        &self,
        id: i64,
        why: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE outbox SET status = 'failed', failure = $1, completed_at = $2 WHERE id = $3 AND status IN ('sending', 'sent')";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(why).bind(stamp(at)).bind(id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Notify's receipt for a message it accepted: `delivered`, or a
    /// failure (`permanent-failure`, `temporary-failure`,
    /// `technical-failure`) kept as why. False when no message has that id.
    pub async fn record_message_receipt(
        &self,
        notify_id: &str,
        delivered: bool,
        failure: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE outbox SET status = CASE WHEN $1 THEN 'delivered' ELSE 'failed' END,
                failure = $2, completed_at = $3
             WHERE notify_id = $4 AND status IN ('sent', 'delivered', 'failed')";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(delivered).bind(failure).bind(stamp(at)).bind(notify_id)
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// How many messages are in each state.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        const SQL: &str = "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status";
        let rows: Vec<(String, i64)> = on_pool!(self, p => sqlx::query_as(SQL).fetch_all(p).await?);
        let mut c = OutboxCounts::default();
        for (status, n) in rows {
            match status.as_str() {
                "queued" => c.queued = n,
                "sending" => c.sending = n,
                "sent" => c.sent = n,
                "delivered" => c.delivered = n,
                "failed" => c.failed = n,
                "kept" => c.kept = n,
                _ => {}
            }
        }
        Ok(c)
    }

    /// A text a resident sent back. A STOP reply (the caller decides what
    /// counts) also stops texts to that number. Receiving the same text
    /// twice (Notify retries callbacks) records it once. Its id.
    pub async fn record_inbound_text(
        &self,
        notify_id: &str,
        from_number: &str,
        message: &str,
        received_at: DateTime<Utc>,
        opt_out: bool,
    ) -> Result<i64, StoreError> {
        const INSERT: &str =
            "INSERT INTO inbound_texts (notify_id, from_number, message, received_at, opt_out)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notify_id) DO NOTHING";
        const FIND: &str = "SELECT id FROM inbound_texts WHERE notify_id = $1";
        const OPT_OUT: &str = "INSERT INTO text_opt_outs (phone, at, inbound_id) VALUES ($1, $2, $3) ON CONFLICT (phone) DO NOTHING";
        let id = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(INSERT).bind(notify_id).bind(from_number).bind(message).bind(stamp(received_at)).bind(opt_out)
                .execute(&mut *tx).await?;
            let id: i64 = sqlx::query_scalar(FIND).bind(notify_id).fetch_one(&mut *tx).await?;
            if opt_out {
                sqlx::query(OPT_OUT).bind(from_number).bind(stamp(received_at)).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Whether this number asked for no more texts.
    pub async fn text_opted_out(&self, phone: &str) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM text_opt_outs WHERE phone = $1";
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(phone).fetch_one(p).await?);
        Ok(n > 0)
    }
}
