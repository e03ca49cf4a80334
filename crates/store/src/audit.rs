//! The audit log: who viewed or changed what, when and why. Append-only (the
//! store has no way to change or remove an entry, and the tables refuse it)
//! and tamper-evident: each entry's hash covers its content and the hash of
//! the entry before, so changing, removing or reordering any entry breaks
//! every hash after it.
//!
//! hash = hex SHA-256 of (prev_hash as hex text, then the canonical content:
//! the JSON array `[id, at, user_id, username, action, subject_kind,
//! subject_id, purpose, detail]`, with `detail` as its stored JSON text).
//! The first entry's prev_hash is 64 zeros. `docs/access.md` has more.

use crate::accounts::{hex, stamp};
use crate::{parse_time, Pool, Store, StoreError};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use upstream_core::AuditAction;

/// An append waiting for a writer: the entry and where to send how it went.
pub(crate) type QueuedAudit = (
    NewAuditEntry,
    tokio::sync::oneshot::Sender<Result<AuditEntry, String>>,
);

/// The prev_hash of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Rows read at a time when checking the chain.
const VERIFY_PAGE: i64 = 5000;

/// The most entries one search returns.
pub const MAX_AUDIT_RESULTS: i64 = 1000;

/// Something to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// The account that acted, when known (not for a refused sign-in to an unknown name).
    pub user_id: Option<i64>,
    /// Who acted: the username (or, for a refused sign-in, the name tried).
    pub username: String,
    pub action: AuditAction,
    /// What kind of thing was touched: `person`, `household`, `case`, `consent`, `user`, …
    pub subject_kind: String,
    pub subject_id: String,
    /// Why: the page or task that needed it, in a few words.
    pub purpose: String,
    /// Anything else worth keeping, as a JSON object.
    pub detail: serde_json::Value,
}

/// One recorded entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// UTC, RFC 3339 with microseconds.
    pub at: String,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: AuditAction,
    pub subject_kind: String,
    pub subject_id: String,
    pub purpose: String,
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// What to look for; every part left `None` matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    pub action: Option<AuditAction>,
    /// On or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// On or before this day (UTC).
    pub to: Option<NaiveDate>,
    /// At most this many, newest first (0 means the default, 100; capped at [`MAX_AUDIT_RESULTS`]).
    pub limit: i64,
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every entry's hash is right and each follows the one before. Note the
    /// count and the last hash somewhere else: entries removed from the very
    /// end can only be noticed against them.
    Intact { entries: i64, last_hash: String },
    /// The first entry that does not check out, and how.
    Broken { first_bad_id: i64, problem: String },
}

impl ChainCheck {
    pub fn is_intact(&self) -> bool {
        matches!(self, ChainCheck::Intact { .. })
    }
}

#[allow(clippy::too_many_arguments)]
fn chain_hash(
    prev_hash: &str,
    id: i64,
    at: &str,
    user_id: Option<i64>,
    username: &str,
    action: &str,
    subject_kind: &str,
    subject_id: &str,
    purpose: &str,
    detail: &str,
) -> String {
    // A JSON array: every field delimited and escaped, so no two different
    // entries give the same bytes.
    let content = serde_json::json!([
        id,
        at,
        user_id,
        username,
        action,
        subject_kind,
        subject_id,
        purpose,
        detail
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(content.to_string().as_bytes());
    hex(&h.finalize())
}

fn check(e: &NewAuditEntry) -> Result<(), StoreError> {
    let bad = |m: &str| Err(StoreError::Invalid(format!("audit entry: {m}")));
    if e.username.is_empty() || e.username.chars().count() > 256 {
        return bad("the username must be 1 to 256 characters");
    }
    if e.subject_kind.is_empty()
        || e.subject_kind.len() > 40
        || !e
            .subject_kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return bad("the subject kind must be 1 to 40 lower-case letters or '_'");
    }
    if e.subject_id.chars().count() > 256 {
        return bad("the subject id must be at most 256 characters");
    }
    if e.purpose.chars().count() > 1000 {
        return bad("the purpose must be at most 1,000 characters");
    }
    Ok(())
}

/// A JSON text column as a value (kept as text if it is not JSON).
pub(crate) fn json_value(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: String,
    user_id: Option<i64>,
    username: String,
    action: String,
    subject_kind: String,
    subject_id: String,
    purpose: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<AuditEntry, StoreError> {
        Ok(AuditEntry {
            id: r.id,
            action: AuditAction::parse(&r.action).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown audit action '{}'", r.action))
            })?,
            at: r.at,
            user_id: r.user_id,
            username: r.username,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            purpose: r.purpose,
            detail: json_value(r.detail),
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

pub(crate) const AUDIT_COLUMNS: &str =
    "id, at, user_id, username, action, subject_kind, subject_id, purpose, detail, prev_hash, hash";

impl Store {
    /// Record an entry at the end of the chain, durably, before returning.
    ///
    /// Group commit: appends that arrive while another is being written
    /// queue up, and the next writer puts all of them in one transaction,
    /// so a busy server pays one disk sync for many entries. Each caller
    /// still waits until its own entry is committed, so nothing is shown
    /// before it is recorded; if the write fails, every entry in it fails
    /// and none of their pages are shown.
    ///
    /// An entry's id is one more than the last, and ids are the primary key,
    /// so two appends can never both follow the same entry: the second
    /// insert of an id fails (waiting, on either database, for the first to
    /// commit or roll back), and that writer reads the new end and tries
    /// again. Within this process writers take turns (`Store::audit_turn`),
    /// which also keeps the end of the chain as last written, so the end is
    /// read again only when another process has appended in between.
    pub async fn append_audit(&self, e: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
        check(e)?;
        let (done, result) = tokio::sync::oneshot::channel();
        self.audit_queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((e.clone(), done));
        {
            let mut tail = self.audit_turn.lock().await;
            // Everything queued by now, ours included unless an earlier
            // writer already took it.
            let batch: Vec<QueuedAudit> = std::mem::take(
                &mut *self
                    .audit_queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            if !batch.is_empty() {
                let entries: Vec<&NewAuditEntry> = batch.iter().map(|(e, _)| e).collect();
                match self.write_audit_batch(&mut tail, &entries).await {
                    Ok(written) => {
                        for ((_, done), entry) in batch.into_iter().zip(written) {
                            let _ = done.send(Ok(entry));
                        }
                    }
                    Err(err) => {
                        let message = err.to_string();
                        for (_, done) in batch {
                            let _ = done.send(Err(message.clone()));
                        }
                    }
                }
            }
        }
        match result.await {
            Ok(Ok(entry)) => Ok(entry),
            Ok(Err(message)) => Err(StoreError::Audit(message)),
            // The writer holding our entry was cancelled before it finished.
            Err(_) => Err(StoreError::Audit("the write was interrupted".into())),
        }
    }

    /// Write `entries` after the end of the chain in one transaction.
    async fn write_audit_batch(
        &self,
        tail: &mut Option<(i64, String)>,
        entries: &[&NewAuditEntry],
    ) -> Result<Vec<AuditEntry>, StoreError> {
        const LAST: &str = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
        /// Tries before giving up, each after another process's append.
        const ATTEMPTS: usize = 20;
        /// Rows per INSERT: 11 values each stays under SQLite's bound-value limit.
        const ROWS: usize = 500;
        for _ in 0..ATTEMPTS {
            let (mut id, mut prev_hash) = match tail.take() {
                Some(known) => known,
                None => {
                    let last: Option<(i64, String)> =
                        on_pool!(self, p => sqlx::query_as(LAST).fetch_optional(p).await?);
                    match last {
                        Some((id, hash)) => (id + 1, hash),
                        None => (1, GENESIS_HASH.to_string()),
                    }
                }
            };
            let mut rows = Vec::with_capacity(entries.len());
            for e in entries {
                // Stamped after the entry before was committed, so times rise along the chain.
                let at = stamp(Utc::now());
                let detail = e.detail.to_string();
                let hash = chain_hash(
                    &prev_hash,
                    id,
                    &at,
                    e.user_id,
                    &e.username,
                    e.action.as_str(),
                    &e.subject_kind,
                    &e.subject_id,
                    &e.purpose,
                    &detail,
                );
                rows.push((
                    detail,
                    AuditEntry {
                        id,
                        at,
                        user_id: e.user_id,
                        username: e.username.clone(),
                        action: e.action,
                        subject_kind: e.subject_kind.clone(),
                        subject_id: e.subject_id.clone(),
                        purpose: e.purpose.clone(),
                        detail: e.detail.clone(),
                        prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                        hash,
                    },
                ));
                id += 1;
            }
            let inserted: Result<(), sqlx::Error> = on_pool!(self, p => async {
                let mut tx = p.begin().await?;
                for chunk in rows.chunks(ROWS) {
                    let mut qb = sqlx::QueryBuilder::new(format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) "));
                    qb.push_values(chunk, |mut b, (detail, r)| {
                        b.push_bind(r.id).push_bind(&r.at).push_bind(r.user_id).push_bind(&r.username)
                            .push_bind(r.action.as_str()).push_bind(&r.subject_kind).push_bind(&r.subject_id)
                            .push_bind(&r.purpose).push_bind(detail).push_bind(&r.prev_hash).push_bind(&r.hash);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await
            }.await);
            match inserted {
                Ok(()) => {
                    *tail = Some((id, prev_hash));
                    return Ok(rows.into_iter().map(|(_, r)| r).collect());
                }
                // Another process appended first: read the end again.
                Err(sqlx::Error::Database(d)) if d.is_unique_violation() => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(StoreError::Corrupt(format!(
            "could not append to the audit log: {ATTEMPTS} tries each found another append first"
        )))
    }

    /// Entries matching a filter, newest first.
    pub async fn search_audit(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = match f.limit {
            n if n <= 0 => 100,
            n => n.min(MAX_AUDIT_RESULTS),
        };
        let username = f
            .username
            .as_deref()
            .map(|u| u.trim().to_lowercase())
            .filter(|u| !u.is_empty());
        let from = f
            .from
            .map(|d| format!("{}T00:00:00.000000Z", d.format("%Y-%m-%d")));
        let before =
            f.to.and_then(|d| d.succ_opt())
                .map(|d| format!("{}T00:00:00.000000Z", d.format("%Y-%m-%d")));
        let rows: Vec<AuditRow> = on_pool!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1 = 1"));
            if let Some(u) = &username {
                qb.push(" AND username = ").push_bind(u.clone());
            }
            if let Some(k) = f.subject_kind.as_deref().filter(|k| !k.is_empty()) {
                qb.push(" AND subject_kind = ").push_bind(k.to_string());
            }
            if let Some(s) = f.subject_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                qb.push(" AND subject_id = ").push_bind(s.to_string());
            }
            if let Some(a) = f.action {
                qb.push(" AND action = ").push_bind(a.as_str());
            }
            if let Some(t) = &from {
                qb.push(" AND at >= ").push_bind(t.clone());
            }
            if let Some(t) = &before {
                qb.push(" AND at < ").push_bind(t.clone());
            }
            qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
            qb.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(AuditEntry::try_from).collect()
    }

    /// Entries about any of these subjects (kind, id), oldest first.
    pub(crate) async fn audit_about(
        &self,
        subjects: &[(&str, String)],
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<AuditRow> = on_pool!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE "));
            let mut or = qb.separated(" OR ");
            for (kind, id) in subjects {
                or.push("(subject_kind = ").push_bind_unseparated(kind.to_string())
                    .push_unseparated(" AND subject_id = ").push_bind_unseparated(id.clone()).push_unseparated(")");
            }
            qb.push(" ORDER BY id");
            qb.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(AuditEntry::try_from).collect()
    }

    /// Check every entry's hash and link, oldest first.
    pub async fn verify_audit_chain(&self) -> Result<ChainCheck, StoreError> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT {VERIFY_PAGE}"
        );
        let mut last_id = 0i64;
        let mut last_hash = GENESIS_HASH.to_string();
        loop {
            let rows: Vec<AuditRow> =
                on_pool!(self, p => sqlx::query_as(&sql).bind(last_id).fetch_all(p).await?);
            if rows.is_empty() {
                return Ok(ChainCheck::Intact {
                    entries: last_id,
                    last_hash,
                });
            }
            for r in rows {
                let broken = |problem: String| {
                    Ok(ChainCheck::Broken {
                        first_bad_id: r.id,
                        problem,
                    })
                };
                if r.id != last_id + 1 {
                    return broken(format!(
                        "entries {} to {} are missing",
                        last_id + 1,
                        r.id - 1
                    ));
                }
                if r.prev_hash != last_hash {
                    return broken("it does not follow the entry before it".into());
                }
                let hash = chain_hash(
                    &r.prev_hash,
                    r.id,
                    &r.at,
                    r.user_id,
                    &r.username,
                    &r.action,
                    &r.subject_kind,
                    &r.subject_id,
                    &r.purpose,
                    &r.detail,
                );
                if hash != r.hash {
                    return broken("its content has changed since it was recorded".into());
                }
                if parse_time(&r.at).is_err() {
                    return broken("its time is not a time".into());
                }
                last_id = r.id;
                last_hash = r.hash;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_hash_covers_every_field_and_the_previous_hash() {
        let base = chain_hash(
            GENESIS_HASH,
            1,
            "2025-01-31T09:00:00.000000Z",
            Some(7),
            "ali",
            "view",
            "person",
            "42",
            "case work",
            "{}",
        );
        assert_eq!(base.len(), 64);
        let variants = [
            chain_hash(
                &"1".repeat(64),
                1,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "ali",
                "view",
                "person",
                "42",
                "case work",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                2,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "ali",
                "view",
                "person",
                "42",
                "case work",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000001Z",
                Some(7),
                "ali",
                "view",
                "person",
                "42",
                "case work",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000000Z",
                None,
                "ali",
                "view",
                "person",
                "42",
                "case work",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "al",
                "view",
                "person",
                "42",
                "case work",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "ali",
                "change",
                "person",
                "42",
                "case work",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "ali",
                "view",
                "household",
                "42",
                "case work",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "ali",
                "view",
                "person",
                "43",
                "case work",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "ali",
                "view",
                "person",
                "42",
                "casework",
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "ali",
                "view",
                "person",
                "42",
                "case work",
                "{\"a\":1}",
            ),
            // Moving a character between fields changes the hash too.
            chain_hash(
                GENESIS_HASH,
                1,
                "2025-01-31T09:00:00.000000Z",
                Some(7),
                "ali",
                "view",
                "person",
                "42c",
                "ase work",
                "{}",
            ),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
    }

    #[test]
    fn audit_entries_must_name_a_plain_subject_kind() {
        let e = NewAuditEntry {
            user_id: None,
            username: "ali".into(),
            action: AuditAction::View,
            subject_kind: "person".into(),
            subject_id: "1".into(),
            purpose: String::new(),
            detail: serde_json::json!({}),
        };
        assert!(check(&e).is_ok());
        for kind in ["", "Person", "person; drop", &"a".repeat(41)] {
            let bad = NewAuditEntry {
                subject_kind: kind.to_string(),
                ..e.clone()
            };
            assert!(check(&bad).is_err(), "{kind:?}");
        }
        assert!(check(&NewAuditEntry {
            username: String::new(),
            ..e
        })
        .is_err());
    }
}
