//! How to reach a household (the council's own contact details and the
//! household's preferences), case notes, the case's chronology, and the
//! reasons staff from another team gave for looking at a case.

use crate::accounts::stamp;
use crate::{parse_iso, parse_time, Pool, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

/// A phone, email or postal address a member of staff recorded: the
/// council's own record, which wins over what the source systems hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDetailRow {
    pub id: i64,
    pub person_id: Option<i64>,
    /// `phone`, `email` or `address`.
    pub kind: String,
    /// Standardised: phones as national digits, emails in lower case.
    pub value: String,
    /// False when the resident or staff said it must not be used.
    pub usable: bool,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContactDetail {
    pub household_id: i64,
    pub person_id: Option<i64>,
    pub kind: String,
    pub value: String,
    pub usable: bool,
    pub note: String,
}

/// How a household would like to be contacted, and what must never happen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactPreferences {
    pub do_not_contact: bool,
    /// A channel code from the casework standards (`letter`, `phone`, ...).
    pub preferred_channel: Option<String>,
    /// `en`, `cy`, or a language named in words.
    pub language: Option<String>,
    /// "Do not write to this address", "text only": shown wherever the
    /// household is contacted.
    pub safe_contact: String,
    /// Never write to the address (a letter could put someone at risk).
    pub no_letters: bool,
    /// Contact by text message only.
    pub text_only: bool,
    /// Do not phone.
    pub no_calls: bool,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// One thing that happened on a case, in the words storage keeps; the web
/// page puts it into sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChronologyRow {
    /// A date (`2026-03-01`) or a time stamp; text order is time order.
    pub at: String,
    /// `opened`, `closed`, `conversation`, `action`, `attempt`, `duty`,
    /// `consent`, `consent_withdrawn`, `referral`, `note` or `change`.
    pub kind: String,
    pub a: String,
    pub b: String,
    pub c: String,
    pub by: String,
}

impl ChronologyRow {
    /// The day it happened.
    pub fn on(&self) -> Option<NaiveDate> {
        self.at.get(..10).and_then(|d| parse_iso(d).ok())
    }
}

/// A task a member of staff set themselves on a case, with the day it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRow {
    pub id: i64,
    pub case_id: i64,
    pub household_id: i64,
    pub user_id: i64,
    pub what: String,
    pub due_on: NaiveDate,
    pub done: bool,
}

/// A support plan action staff own, open, on one of a connector's cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffActionRow {
    pub case_id: i64,
    pub household_id: i64,
    pub what: String,
    pub due_on: NaiveDate,
}

/// A letter kept on a case (without its PDF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRow {
    pub id: i64,
    pub case_id: i64,
    pub duty_id: Option<i64>,
    pub code: String,
    pub title: String,
    pub language: String,
    pub sent_on: NaiveDate,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLetter {
    pub case_id: i64,
    pub duty_id: Option<i64>,
    pub code: String,
    pub title: String,
    pub language: String,
    pub sent_on: NaiveDate,
    pub pdf: Vec<u8>,
}

/// A document on a case (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub case_id: i64,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Someone outside a case's team looked at it, and said why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAccessRow {
    pub case_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub user_team: Option<String>,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Everything that happened on a case. Each part says who did it; changes
/// that keep no row of their own (a plan action's status, a new connector,
/// a duty's letters and end) come from the audit log, which records every
/// change with its author. `seq` puts a case's opening before anything
/// else on its first day, and its closing after.
const CHRONOLOGY: &str = "
SELECT c.opened_on AS at, 0 AS seq, 'opened' AS kind, c.origin AS a, '' AS b, '' AS c, COALESCE(u.display_name, '') AS by_name
  FROM cases c LEFT JOIN users u ON u.id = c.opened_by WHERE c.id = $1
UNION ALL SELECT c.closed_on, 2, 'closed', COALESCE(c.closure_reason, ''), COALESCE(c.closure_note, ''), '', COALESCE(u.display_name, '')
  FROM cases c LEFT JOIN users u ON u.id = c.closed_by WHERE c.id = $1 AND c.closed_on IS NOT NULL
UNION ALL SELECT v.recorded_at, 1, 'conversation', v.what_matters, v.goals, '', COALESCE(u.display_name, '')
  FROM conversations v LEFT JOIN users u ON u.id = v.recorded_by WHERE v.case_id = $1
UNION ALL SELECT x.created_at, 1, 'action', x.what, x.owner_name, x.due_on, COALESCE(u.display_name, '')
  FROM plan_actions x LEFT JOIN users u ON u.id = x.created_by WHERE x.case_id = $1
UNION ALL SELECT t.contacted_on, 1, 'attempt', t.channel, t.outcome, t.note, t.recorded_by
  FROM contacts t WHERE t.case_id = $1
UNION ALL SELECT d.recorded_at, 1, 'duty', d.kind, d.started_on, '', COALESCE(u.display_name, '')
  FROM duties d LEFT JOIN users u ON u.id = d.recorded_by WHERE d.case_id = $1
UNION ALL SELECT k.recorded_at, 1, 'consent', k.given_by, k.purposes, '', COALESCE(u.display_name, '')
  FROM consents k LEFT JOIN users u ON u.id = k.recorded_by WHERE k.case_id = $1
UNION ALL SELECT k.withdrawn_at, 1, 'consent_withdrawn', k.given_by, COALESCE(k.withdrawal_note, ''), '', COALESCE(u.display_name, '')
  FROM consents k LEFT JOIN users u ON u.id = k.withdrawn_by WHERE k.case_id = $1 AND k.withdrawn_at IS NOT NULL
UNION ALL SELECT r.received_at, 1, 'referral', r.to_organisation, r.reason, '', COALESCE(u.display_name, '')
  FROM referrals r LEFT JOIN users u ON u.id = r.created_by WHERE r.case_id = $1 AND r.direction = 'out'
UNION ALL SELECT l.created_at, 1, 'letter', l.title, l.sent_on, '', COALESCE(u.display_name, '')
  FROM letters l LEFT JOIN users u ON u.id = l.created_by WHERE l.case_id = $1
UNION ALL SELECT n.recorded_at, 1, 'note', n.body, '', '', COALESCE(u.display_name, '')
  FROM case_notes n LEFT JOIN users u ON u.id = n.recorded_by WHERE n.case_id = $1
UNION ALL SELECT l.at, 1, 'change', l.purpose, l.detail, '', l.username
  FROM audit_log l WHERE l.subject_kind = 'case' AND l.subject_id = $2 AND l.action = 'change'
   AND l.purpose IN ('support plan action status', 'case connector', 'homelessness duty')
ORDER BY at, seq";

impl Store {
    // ---- contact details ----------------------------------------------

    /// The council's own contact details for a household, oldest first.
    pub async fn contact_details(
        &self,
        household_id: i64,
    ) -> Result<Vec<ContactDetailRow>, StoreError> {
        // One household is a batch of one: the campaign's batched read is
        // the one query for staff's contact details.
        Ok(self
            .contact_details_of(&[household_id])
            .await?
            .remove(&household_id)
            .unwrap_or_default())
    }

    pub async fn add_contact_detail(
        &self,
        d: &NewContactDetail,
        recorded_by: i64,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO contact_details (household_id, person_id, kind, value, usable, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(d.household_id).bind(d.person_id)
            .bind(&d.kind).bind(&d.value).bind(d.usable).bind(&d.note).bind(recorded_by)
            .bind(stamp(Utc::now())).fetch_one(p).await?);
        Ok(id)
    }

    /// `None` when nobody has recorded how the household wants contact.
    pub async fn contact_preferences(
        &self,
        household_id: i64,
    ) -> Result<Option<ContactPreferences>, StoreError> {
        const SQL: &str = "SELECT do_not_contact, preferred_channel, language, safe_contact, no_letters, text_only, no_calls, note, recorded_by, recorded_at
             FROM contact_preferences WHERE household_id = $1";
        Ok(on_pool!(self, p => {
            match sqlx::query(SQL).bind(household_id).fetch_optional(p).await? {
                None => None,
                Some(r) => Some(ContactPreferences {
                    do_not_contact: r.try_get("do_not_contact")?,
                    preferred_channel: r.try_get("preferred_channel")?,
                    language: r.try_get("language")?,
                    safe_contact: r.try_get("safe_contact")?,
                    no_letters: r.try_get("no_letters")?,
                    text_only: r.try_get("text_only")?,
                    no_calls: r.try_get("no_calls")?,
                    note: r.try_get("note")?,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                }),
            }
        }))
    }

    /// Replace the household's preferences (the audit log keeps the old ones).
    pub async fn set_contact_preferences(
        &self,
        household_id: i64,
        prefs: &ContactPreferences,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO contact_preferences (household_id, do_not_contact, preferred_channel, language, safe_contact, note, recorded_by, recorded_at, no_letters, text_only, no_calls)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (household_id) DO UPDATE SET do_not_contact = excluded.do_not_contact,
                preferred_channel = excluded.preferred_channel, language = excluded.language,
                safe_contact = excluded.safe_contact, note = excluded.note,
                recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at,
                no_letters = excluded.no_letters, text_only = excluded.text_only, no_calls = excluded.no_calls";
        on_pool!(self, p => sqlx::query(SQL).bind(household_id).bind(prefs.do_not_contact)
            .bind(&prefs.preferred_channel).bind(&prefs.language).bind(&prefs.safe_contact)
            .bind(&prefs.note).bind(&prefs.recorded_by).bind(stamp(Utc::now()))
            .bind(prefs.no_letters).bind(prefs.text_only).bind(prefs.no_calls).execute(p).await?.rows_affected());
        Ok(())
    }

    // ---- case notes and chronology ----------------------------------------

    pub async fn add_case_note(
        &self,
        case_id: i64,
        body: &str,
        recorded_by: i64,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO case_notes (case_id, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(case_id).bind(body)
            .bind(recorded_by).bind(stamp(Utc::now())).fetch_one(p).await?);
        Ok(id)
    }

    /// Everything that happened on a case, oldest first.
    pub async fn case_chronology(&self, case_id: i64) -> Result<Vec<ChronologyRow>, StoreError> {
        Ok(on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(CHRONOLOGY).bind(case_id).bind(case_id.to_string()).fetch_all(p).await? {
                out.push(ChronologyRow {
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    a: r.try_get("a")?,
                    b: r.try_get("b")?,
                    c: r.try_get("c")?,
                    by: r.try_get("by_name")?,
                });
            }
            out
        }))
    }

    // ---- letters --------------------------------------------------------------

    pub async fn add_letter(&self, l: &NewLetter, by: i64) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO letters (case_id, duty_id, code, title, language, sent_on, pdf, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(l.case_id).bind(l.duty_id)
            .bind(&l.code).bind(&l.title).bind(&l.language).bind(l.sent_on.format("%Y-%m-%d").to_string())
            .bind(&l.pdf).bind(by).bind(stamp(Utc::now())).fetch_one(p).await?);
        Ok(id)
    }

    /// A case's letters, oldest first, without their PDFs.
    pub async fn letters_of(&self, case_id: i64) -> Result<Vec<LetterRow>, StoreError> {
        const SQL: &str = "SELECT l.id, l.case_id, l.duty_id, l.code, l.title, l.language, l.sent_on, COALESCE(u.display_name, '') AS by_name
             FROM letters l LEFT JOIN users u ON u.id = l.created_by WHERE l.case_id = $1 ORDER BY l.id";
        type Raw = (
            i64,
            i64,
            Option<i64>,
            String,
            String,
            String,
            String,
            String,
        );
        let raws: Vec<Raw> = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(case_id).fetch_all(p).await? {
                out.push((r.try_get("id")?, r.try_get("case_id")?, r.try_get("duty_id")?, r.try_get("code")?,
                    r.try_get("title")?, r.try_get("language")?, r.try_get("sent_on")?, r.try_get("by_name")?));
            }
            out
        });
        raws.into_iter()
            .map(|(id, case_id, duty_id, code, title, language, sent, by)| {
                Ok(LetterRow {
                    id,
                    case_id,
                    duty_id,
                    code,
                    title,
                    language,
                    sent_on: parse_iso(&sent)?,
                    by,
                })
            })
            .collect()
    }

    /// One letter's title and PDF, if it is this case's.
    pub async fn letter_pdf(
        &self,
        case_id: i64,
        letter_id: i64,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        const SQL: &str = "SELECT title, pdf FROM letters WHERE id = $1 AND case_id = $2";
        Ok(on_pool!(self, p => {
            match sqlx::query(SQL).bind(letter_id).bind(case_id).fetch_optional(p).await? {
                Some(r) => Some((r.try_get("title")?, r.try_get("pdf")?)),
                None => None,
            }
        }))
    }

    // ---- documents ------------------------------------------------------------

    pub async fn add_document(&self, d: &NewDocument, by: i64) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO case_documents (case_id, kind, file_name, content_type, bytes, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(d.case_id).bind(&d.kind)
            .bind(&d.file_name).bind(&d.content_type).bind(&d.bytes).bind(by)
            .bind(stamp(Utc::now())).fetch_one(p).await?);
        Ok(id)
    }

    /// A case's documents, newest first, without their bytes.
    pub async fn documents_of(&self, case_id: i64) -> Result<Vec<DocumentRow>, StoreError> {
        const SQL: &str =
            "SELECT d.id, d.kind, d.file_name, d.content_type, LENGTH(d.bytes) AS size,
                COALESCE(u.display_name, '') AS by_name, d.uploaded_at
             FROM case_documents d LEFT JOIN users u ON u.id = d.uploaded_by
             WHERE d.case_id = $1 ORDER BY d.id DESC";
        type Raw = (i64, String, String, String, i64, String, String);
        let raws: Vec<Raw> = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(case_id).fetch_all(p).await? {
                let size: i64 = match r.try_get::<i64, _>("size") {
                    Ok(n) => n,
                    Err(_) => i64::from(r.try_get::<i32, _>("size")?),
                };
                out.push((r.try_get("id")?, r.try_get("kind")?, r.try_get("file_name")?,
                    r.try_get("content_type")?, size, r.try_get("by_name")?, r.try_get("uploaded_at")?));
            }
            out
        });
        raws.into_iter()
            .map(|(id, kind, file_name, content_type, size, by, at)| {
                Ok(DocumentRow {
                    id,
                    kind,
                    file_name,
                    content_type,
                    size,
                    by,
                    at: parse_time(&at)?,
                })
            })
            .collect()
    }

    /// One document's name, type and bytes, if it is this case's.
    pub async fn document(
        &self,
        case_id: i64,
        document_id: i64,
    ) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
        const SQL: &str = "SELECT file_name, content_type, bytes FROM case_documents WHERE id = $1 AND case_id = $2";
        Ok(on_pool!(self, p => {
            match sqlx::query(SQL).bind(document_id).bind(case_id).fetch_optional(p).await? {
                Some(r) => Some((r.try_get("file_name")?, r.try_get("content_type")?, r.try_get("bytes")?)),
                None => None,
            }
        }))
    }

    // ---- reminders ------------------------------------------------------------

    pub async fn add_reminder(
        &self,
        case_id: i64,
        user_id: i64,
        what: &str,
        due_on: NaiveDate,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO reminders (case_id, user_id, what, due_on, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(case_id).bind(user_id).bind(what)
            .bind(due_on.format("%Y-%m-%d").to_string()).bind(stamp(Utc::now())).fetch_one(p).await?);
        Ok(id)
    }

    /// Mark one of this user's reminders done; false when it is not theirs
    /// or was done already.
    pub async fn finish_reminder(&self, id: i64, user_id: i64) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE reminders SET done_at = $1 WHERE id = $2 AND user_id = $3 AND done_at IS NULL";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(stamp(Utc::now())).bind(id).bind(user_id)
            .execute(p).await?.rows_affected());
        Ok(n == 1)
    }

    /// Reminders not yet done, earliest due first: one user's (`user_id`),
    /// or every member of a team's (`team`, for its leader), or both.
    pub async fn open_reminders(
        &self,
        user_id: Option<i64>,
        team: Option<&str>,
    ) -> Result<Vec<ReminderRow>, StoreError> {
        const SQL: &str = "SELECT r.id, r.case_id, c.household_id, r.user_id, r.what, r.due_on
             FROM reminders r JOIN cases c ON c.id = r.case_id LEFT JOIN users u ON u.id = r.user_id
             WHERE r.done_at IS NULL AND ($1 IS NULL OR r.user_id = $1) AND ($2 IS NULL OR u.team = $2)
             ORDER BY r.due_on, r.id";
        type Raw = (i64, i64, i64, i64, String, String);
        let raws: Vec<Raw> = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(user_id).bind(team).fetch_all(p).await? {
                out.push((r.try_get("id")?, r.try_get("case_id")?, r.try_get("household_id")?,
                    r.try_get("user_id")?, r.try_get("what")?, r.try_get("due_on")?));
            }
            out
        });
        raws.into_iter()
            .map(|(id, case_id, household_id, user_id, what, due)| {
                Ok(ReminderRow {
                    id,
                    case_id,
                    household_id,
                    user_id,
                    what,
                    due_on: parse_iso(&due)?,
                    done: false,
                })
            })
            .collect()
    }

    /// Open plan actions that staff own on a connector's open cases, earliest due first.
    pub async fn open_staff_actions(
        &self,
        connector_id: i64,
    ) -> Result<Vec<StaffActionRow>, StoreError> {
        const SQL: &str = "SELECT a.case_id, c.household_id, a.what, a.due_on
             FROM plan_actions a JOIN cases c ON c.id = a.case_id
             WHERE c.connector_id = $1 AND c.status = 'open' AND a.owner = 'staff'
               AND a.status IN ('not_started', 'in_progress')
             ORDER BY a.due_on, a.id";
        type Raw = (i64, i64, String, String);
        let raws: Vec<Raw> = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(connector_id).fetch_all(p).await? {
                out.push((r.try_get("case_id")?, r.try_get("household_id")?, r.try_get("what")?, r.try_get("due_on")?));
            }
            out
        });
        raws.into_iter()
            .map(|(case_id, household_id, what, due)| {
                Ok(StaffActionRow {
                    case_id,
                    household_id,
                    what,
                    due_on: parse_iso(&due)?,
                })
            })
            .collect()
    }

    // ---- looking at another team's case -------------------------------------

    pub async fn add_case_access_reason(
        &self,
        case_id: i64,
        user_id: i64,
        user_team: Option<&str>,
        reason: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO case_access_reasons (case_id, user_id, user_team, reason, at) VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, p => sqlx::query(SQL).bind(case_id).bind(user_id).bind(user_team)
            .bind(reason).bind(stamp(Utc::now())).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Whether this user gave a reason for this case since `since`.
    pub async fn case_access_reason_since(
        &self,
        case_id: i64,
        user_id: i64,
        since: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM case_access_reasons WHERE case_id = $1 AND user_id = $2 AND at >= $3";
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(case_id).bind(user_id)
            .bind(stamp(since)).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// Who from outside the team looked at the team's cases, newest first.
    pub async fn case_access_reasons_for_team(
        &self,
        team: &str,
        limit: i64,
    ) -> Result<Vec<CaseAccessRow>, StoreError> {
        const SQL: &str = "SELECT r.case_id, r.user_id, COALESCE(u.display_name, '') AS user_name, r.user_team, r.reason, r.at
             FROM case_access_reasons r JOIN cases c ON c.id = r.case_id LEFT JOIN users u ON u.id = r.user_id
             WHERE c.team = $1 ORDER BY r.at DESC, r.id DESC LIMIT $2";
        type Raw = (i64, i64, String, Option<String>, String, String);
        let raws: Vec<Raw> = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(team).bind(limit).fetch_all(p).await? {
                out.push((r.try_get("case_id")?, r.try_get("user_id")?, r.try_get("user_name")?,
                    r.try_get("user_team")?, r.try_get("reason")?, r.try_get("at")?));
            }
            out
        });
        raws.into_iter()
            .map(|(case_id, user_id, user_name, user_team, reason, at)| {
                Ok(CaseAccessRow {
                    case_id,
                    user_id,
                    user_name,
                    user_team,
                    reason,
                    at: parse_time(&at)?,
                })
            })
            .collect()
    }
}
