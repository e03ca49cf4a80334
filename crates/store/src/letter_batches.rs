//! Letter batches: a campaign step's letters claimed for printing by the
//! council, exactly once. Claiming is one transaction: the step's letters
//! still waiting (`queued`, or `kept` without Notify) are read under a lock,
//! the caller chooses and orders them, and each chosen letter becomes
//! `sent` with its batch and its place in it. A letter in a batch is never
//! in another, never goes through Notify (which takes only `queued`), and
//! the batch can be read back in the same order to print it again.

use crate::accounts::stamp;
use crate::{parse_iso, parse_time, Pool, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

/// A letter waiting in the outbox that a batch could take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterCandidate {
    pub id: i64,
    pub reference: String,
    pub household_id: i64,
    /// The address lines, joined by newlines.
    pub recipient: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterBatchRow {
    pub id: i64,
    pub campaign_id: i64,
    pub step_no: i32,
    pub letters: i64,
    /// The date on every letter.
    pub dated: NaiveDate,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    /// Set when the PDF is first written.
    pub pages: Option<i64>,
    pub sha256: Option<String>,
}

/// One letter of a batch, as it is printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLetter {
    /// Its place in the batch, from 1.
    pub seq: i32,
    pub id: i64,
    pub reference: String,
    pub household_id: i64,
    pub language: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

const BATCH_COLUMNS: &str =
    "id, campaign_id, step_no, letters, dated, created_by, created_at, pages, sha256";

macro_rules! batch_row {
    ($r:expr) => {{
        let r = $r;
        LetterBatchRow {
            id: r.try_get("id")?,
            campaign_id: r.try_get("campaign_id")?,
            step_no: r.try_get("step_no")?,
            letters: r.try_get::<i64, _>("letters")?,
            dated: parse_iso(&r.try_get::<String, _>("dated")?)?,
            created_by: r.try_get("created_by")?,
            created_at: parse_time(&r.try_get::<String, _>("created_at")?)?,
            pages: r.try_get::<Option<i64>, _>("pages")?,
            sha256: r.try_get("sha256")?,
        }
    }};
}

/// Letters set in one statement while claiming (the ids are integers we
/// hold, written into the statement's text).
const CLAIM_CHUNK: usize = 500;

impl Store {
    /// Make a batch of a campaign step's waiting letters, in one
    /// transaction. `choose` is given every letter waiting (read under a
    /// lock, so no other batch or sender takes them meanwhile) and returns
    /// the ids to print, in print order. `None` when it chose none (nothing
    /// is written); else the batch's id and how many letters it holds.
    #[allow(clippy::too_many_arguments)]
    pub async fn claim_letter_batch<F>(
        &self,
        campaign_id: i64,
        step_no: i32,
        by: i64,
        dated: NaiveDate,
        now: DateTime<Utc>,
        choose: F,
    ) -> Result<Option<(i64, usize)>, StoreError>
    where
        F: FnOnce(Vec<LetterCandidate>) -> Vec<i64>,
    {
        const WAITING: &str = "SELECT id, reference, household_id, recipient FROM outbox
             WHERE campaign_id = $1 AND step_no = $2 AND channel = 'letter' AND status IN ('queued', 'kept')
             ORDER BY id";
        const BATCH: &str = "INSERT INTO letter_batches (campaign_id, step_no, letters, dated, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        let at = stamp(now);
        let day = dated.format("%Y-%m-%d").to_string();
        // Both databases: read the waiting letters so nobody else can take
        // them before this commits. SQLite has one writer: a write first
        // takes its lock. PostgreSQL locks the rows read.
        let lock_first = matches!(self.pool, Pool::Sqlite(_));
        let waiting = if lock_first {
            WAITING.to_string()
        } else {
            format!("{WAITING} FOR UPDATE")
        };
        let made = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if lock_first {
                sqlx::query("UPDATE outbox SET id = id WHERE 1 = 0").execute(&mut *tx).await?;
            }
            let mut candidates = Vec::new();
            for r in sqlx::query(&waiting).bind(campaign_id).bind(step_no).fetch_all(&mut *tx).await? {
                candidates.push(LetterCandidate {
                    id: r.try_get("id")?,
                    reference: r.try_get("reference")?,
                    household_id: r.try_get("household_id")?,
                    recipient: r.try_get("recipient")?,
                });
            }
            let known: std::collections::HashSet<i64> = candidates.iter().map(|c| c.id).collect();
            let chosen = choose(candidates);
            let mut distinct = std::collections::HashSet::new();
            if chosen.iter().any(|id| !known.contains(id) || !distinct.insert(*id)) {
                return Err(StoreError::Invalid(
                    "a letter batch may only take each waiting letter of its step once".into(),
                ));
            }
            if chosen.is_empty() {
                None
            } else {
                let id: i64 = sqlx::query_scalar(BATCH)
                    .bind(campaign_id).bind(step_no).bind(chosen.len() as i64).bind(&day).bind(by).bind(&at)
                    .fetch_one(&mut *tx).await?;
                for (n, chunk) in chosen.chunks(CLAIM_CHUNK).enumerate() {
                    let first = n * CLAIM_CHUNK + 1;
                    let cases: String = chunk
                        .iter()
                        .enumerate()
                        .map(|(i, m)| format!(" WHEN {m} THEN {}", first + i))
                        .collect();
                    let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                    let sql = format!(
                        "UPDATE outbox SET status = 'sent', batch_id = $1, sent_at = $2, completed_at = $2, failure = '',
                            batch_seq = CASE id{cases} END
                         WHERE status IN ('queued', 'kept') AND id IN ({list})"
                    );
                    let n = sqlx::query(&sql).bind(id).bind(&at).execute(&mut *tx).await?.rows_affected();
                    if n != chunk.len() as u64 {
                        // Dropping the transaction rolls the whole batch back.
                        return Err(StoreError::Invalid(
                            "some of the step's letters were taken while the batch was made; make it again".into(),
                        ));
                    }
                }
                tx.commit().await?;
                Some((id, chosen.len()))
            }
        });
        Ok(made)
    }

    pub async fn letter_batch(&self, id: i64) -> Result<Option<LetterBatchRow>, StoreError> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM letter_batches WHERE id = $1");
        let row = on_pool!(self, p => match sqlx::query(&sql).bind(id).fetch_optional(p).await? {
            None => None,
            Some(r) => Some(batch_row!(&r)),
        });
        Ok(row)
    }

    /// A campaign's batches, oldest first.
    pub async fn letter_batches(
        &self,
        campaign_id: i64,
    ) -> Result<Vec<LetterBatchRow>, StoreError> {
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM letter_batches WHERE campaign_id = $1 ORDER BY id"
        );
        let rows = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(&sql).bind(campaign_id).fetch_all(p).await? {
                out.push(batch_row!(&r));
            }
            out
        });
        Ok(rows)
    }

    /// Up to `limit` of a batch's letters after place `after`, in order: a
    /// batch is read a page at a time, so printing it holds one page.
    pub async fn letter_batch_letters(
        &self,
        batch_id: i64,
        after: i32,
        limit: i64,
    ) -> Result<Vec<BatchLetter>, StoreError> {
        const SQL: &str =
            "SELECT batch_seq, id, reference, household_id, language, recipient, subject, body
             FROM outbox WHERE batch_id = $1 AND batch_seq > $2 ORDER BY batch_seq LIMIT $3";
        let rows = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(batch_id).bind(after).bind(limit).fetch_all(p).await? {
                out.push(BatchLetter {
                    seq: r.try_get("batch_seq")?,
                    id: r.try_get("id")?,
                    reference: r.try_get("reference")?,
                    household_id: r.try_get("household_id")?,
                    language: r.try_get("language")?,
                    recipient: r.try_get("recipient")?,
                    subject: r.try_get("subject")?,
                    body: r.try_get("body")?,
                });
            }
            out
        });
        Ok(rows)
    }

    /// Keep the pages and SHA-256 of a batch's PDF as first written; a
    /// later print leaves them alone. False when they were already kept.
    pub async fn record_letter_batch_pdf(
        &self,
        id: i64,
        pages: i64,
        sha256: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE letter_batches SET pages = $1, sha256 = $2 WHERE id = $3 AND sha256 IS NULL";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(pages).bind(sha256).bind(id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }
}
