//! A subject access request: everything held about one person, in one
//! JSON-ready value. The caller must record the export in the audit log.
//!
//! What is about other people is left out: a household's other members are
//! not named, and life events of another member are not included.
//! A new table that holds personal data belongs here too.

use crate::accounts::stamp;
use crate::audit::{json_value, AuditEntry};
use crate::{Pool, Store, StoreError};
use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectAccessExport {
    pub person_id: i64,
    /// When this export was made (UTC).
    pub generated_at: String,
    /// The person as linkage last saw them (status `merged` names who they became).
    pub person: Option<PersonStatus>,
    /// Every version of every source record linked to them, with where it came from.
    pub source_records: Vec<ExportedRecord>,
    /// Merges, splits and moves of records that changed who they are.
    pub identity_changes: Vec<ExportedIdentityChange>,
    /// Where they have lived, as the records show it.
    pub addresses: Vec<ExportedResidence>,
    /// The households they have been part of, with what is held about each.
    pub households: Vec<ExportedHousehold>,
    /// Every audit entry about them or their households.
    pub audit: Vec<AuditEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonStatus {
    pub status: String,
    pub merged_into: Option<i64>,
    pub first_link_run: i64,
    pub last_link_run: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedRecord {
    pub source: String,
    pub record_key: String,
    pub row_means: String,
    pub extract_date: Option<String>,
    pub file_name: String,
    pub file_sha256: String,
    pub row_no: i64,
    pub loaded_at: String,
    pub title: Option<String>,
    pub forename: Option<String>,
    pub middle_names: Option<String>,
    pub surname: Option<String>,
    pub date_of_birth: Option<String>,
    pub ni_number: Option<String>,
    pub postcode: Option<String>,
    pub address: Option<String>,
    pub uprn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub event_date: Option<String>,
    pub attributes: serde_json::Value,
    /// The text of each column exactly as the source system sent it.
    pub original: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedIdentityChange {
    pub link_run: i64,
    pub kind: String,
    pub others: String,
    pub records: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedResidence {
    pub from: String,
    pub to: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub uprn: Option<String>,
    pub sources: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedHousehold {
    pub household_id: i64,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub from: String,
    pub to: String,
    pub current: bool,
    pub assessments: Vec<serde_json::Value>,
    pub life_events: Vec<serde_json::Value>,
    pub worklist_entries: Vec<serde_json::Value>,
    pub fast_track_flags: Vec<serde_json::Value>,
    pub contact_preference: Option<serde_json::Value>,
    /// Phones, emails and addresses staff recorded for this person or the
    /// whole household (another member's are theirs, and left out).
    pub contact_details: Vec<serde_json::Value>,
    pub contacts: Vec<serde_json::Value>,
    /// Each case with its conversation records (every version), support
    /// plan, contact attempts and homelessness duties.
    pub cases: Vec<serde_json::Value>,
    /// What the household agreed to share, with whom, and any withdrawal.
    pub consents: Vec<serde_json::Value>,
    /// Referrals about the household, in and out.
    pub referrals: Vec<serde_json::Value>,
}

impl Store {
    /// Everything held about one person; `None` when the id was never a person's.
    pub async fn subject_access_export(
        &self,
        person_id: i64,
    ) -> Result<Option<SubjectAccessExport>, StoreError> {
        const PERSON: &str =
            "SELECT status, merged_into, first_run, last_run FROM persons WHERE id = $1";
        const RECORDS: &str = "SELECT s.source, s.record_key, s.row_means, s.extract_date, f.file_name, f.sha256, s.row_no, f.loaded_at,
                s.title, s.forename, s.middle_names, s.surname, s.dob, s.nino, s.postcode, s.address, s.uprn, s.phone, s.email,
                s.event_date, s.attributes, s.original
             FROM person_records pr
             JOIN source_records s ON s.source = pr.source AND s.record_key = pr.record_key
             JOIN ingest_files f ON f.id = s.file_id
             WHERE pr.person_id = $1 ORDER BY s.source, s.record_key, s.extract_date, s.id";
        const CHANGES: &str = "SELECT run_id, kind, others, records FROM identity_changes WHERE person_id = $1 ORDER BY id";
        const RESIDENCES: &str = "SELECT r.from_date, r.to_date, r.sources, a.address, a.postcode, a.uprn
             FROM residences r JOIN addresses a ON a.id = r.address_id WHERE r.person_id = $1 ORDER BY r.from_date, a.id";
        const HOUSEHOLDS: &str = "SELECT h.id, h.from_date, h.to_date, h.current, a.address, a.postcode
             FROM household_members m JOIN households h ON h.id = m.household_id JOIN addresses a ON a.id = h.address_id
             WHERE m.person_id = $1 ORDER BY h.from_date, h.id";

        let (person, records, changes, residences, households) = on_pool!(self, p => {
            let person = match sqlx::query(PERSON).bind(person_id).fetch_optional(p).await? {
                Some(r) => Some(PersonStatus {
                    status: r.try_get("status")?,
                    merged_into: r.try_get("merged_into")?,
                    first_link_run: r.try_get("first_run")?,
                    last_link_run: r.try_get("last_run")?,
                }),
                None => None,
            };
            let mut records = Vec::new();
            for r in sqlx::query(RECORDS).bind(person_id).fetch_all(p).await? {
                records.push(ExportedRecord {
                    source: r.try_get("source")?,
                    record_key: r.try_get("record_key")?,
                    row_means: r.try_get("row_means")?,
                    extract_date: r.try_get("extract_date")?,
                    file_name: r.try_get("file_name")?,
                    file_sha256: r.try_get("sha256")?,
                    row_no: r.try_get("row_no")?,
                    loaded_at: r.try_get("loaded_at")?,
                    title: r.try_get("title")?,
                    forename: r.try_get("forename")?,
                    middle_names: r.try_get("middle_names")?,
                    surname: r.try_get("surname")?,
                    date_of_birth: r.try_get("dob")?,
                    ni_number: r.try_get("nino")?,
                    postcode: r.try_get("postcode")?,
                    address: r.try_get("address")?,
                    uprn: r.try_get("uprn")?,
                    phone: r.try_get("phone")?,
                    email: r.try_get("email")?,
                    event_date: r.try_get("event_date")?,
                    attributes: json_value(r.try_get("attributes")?),
                    original: json_value(r.try_get("original")?),
                });
            }
            let mut changes = Vec::new();
            for r in sqlx::query(CHANGES).bind(person_id).fetch_all(p).await? {
                changes.push(ExportedIdentityChange {
                    link_run: r.try_get("run_id")?,
                    kind: r.try_get("kind")?,
                    others: r.try_get("others")?,
                    records: r.try_get("records")?,
                });
            }
            let mut residences = Vec::new();
            for r in sqlx::query(RESIDENCES).bind(person_id).fetch_all(p).await? {
                residences.push(ExportedResidence {
                    from: r.try_get("from_date")?,
                    to: r.try_get("to_date")?,
                    address: r.try_get("address")?,
                    postcode: r.try_get("postcode")?,
                    uprn: r.try_get("uprn")?,
                    sources: r.try_get("sources")?,
                });
            }
            let mut households = Vec::new();
            for r in sqlx::query(HOUSEHOLDS).bind(person_id).fetch_all(p).await? {
                households.push(ExportedHousehold {
                    household_id: r.try_get("id")?,
                    address: r.try_get("address")?,
                    postcode: r.try_get("postcode")?,
                    from: r.try_get("from_date")?,
                    to: r.try_get("to_date")?,
                    current: r.try_get("current")?,
                    assessments: Vec::new(),
                    life_events: Vec::new(),
                    worklist_entries: Vec::new(),
                    fast_track_flags: Vec::new(),
                    contact_preference: None,
                    contact_details: Vec::new(),
                    contacts: Vec::new(),
                    cases: Vec::new(),
                    consents: Vec::new(),
                    referrals: Vec::new(),
                });
            }
            (person, records, changes, residences, households)
        });
        if person.is_none() && records.is_empty() && households.is_empty() {
            return Ok(None);
        }
        let mut households = households;
        for h in &mut households {
            self.fill_household(h, person_id).await?;
        }
        let mut subjects = vec![("person", person_id.to_string())];
        subjects.extend(
            households
                .iter()
                .map(|h| ("household", h.household_id.to_string())),
        );
        let audit = self.audit_about(&subjects).await?;
        Ok(Some(SubjectAccessExport {
            person_id,
            generated_at: stamp(Utc::now()),
            person,
            source_records: records,
            identity_changes: changes,
            addresses: residences,
            households,
            audit,
        }))
    }

    /// What is held about one household, for one member's export.
    async fn fill_household(
        &self,
        h: &mut ExportedHousehold,
        person_id: i64,
    ) -> Result<(), StoreError> {
        const ASSESSMENTS: &str = "SELECT r.as_of, r.model_version, a.in_crisis, a.probability, a.reasons, a.resilience, a.resilience_band,
                a.resilience_parts, a.persona, a.persona_reason
             FROM assessments a JOIN assessment_runs r ON r.id = a.run_id WHERE a.household_id = $1 ORDER BY r.as_of, r.id";
        // Events of the household as a whole, or of this person; not of another member.
        const EVENTS: &str = "SELECT r.as_of, e.event, e.event_date, e.person_id, e.detail, e.evidence
             FROM life_events e JOIN assessment_runs r ON r.id = e.run_id
             WHERE e.household_id = $1 AND (e.person_id IS NULL OR e.person_id = $2) ORDER BY r.as_of, e.event_date, e.event";
        const WORKLISTS: &str = "SELECT w.team, w.week_start, e.rank, e.probability, e.persona, e.fast_tracked, e.why
             FROM worklist_entries e JOIN worklists w ON w.id = e.worklist_id WHERE e.household_id = $1 ORDER BY w.week_start, w.team";
        const FLAGS: &str = "SELECT set_by, set_at, reason, expires_on, cleared_at FROM fast_track_flags WHERE household_id = $1 ORDER BY id";
        const PREFERENCE: &str = "SELECT do_not_contact, preferred_channel, language, safe_contact, recorded_by, recorded_at, note FROM contact_preferences WHERE household_id = $1";
        const DETAILS: &str = "SELECT d.kind, d.value, d.usable, d.note, COALESCE(u.display_name, '') AS recorded_by, d.recorded_at
             FROM contact_details d LEFT JOIN users u ON u.id = d.recorded_by
             WHERE d.household_id = $1 AND (d.person_id IS NULL OR d.person_id = $2) ORDER BY d.id";
        const CONTACTS: &str = "SELECT contacted_on, channel, outcome, recorded_by FROM contacts WHERE household_id = $1 ORDER BY contacted_on, id";
        let id = h.household_id;
        on_pool!(self, p => {
            for r in sqlx::query(ASSESSMENTS).bind(id).fetch_all(p).await? {
                h.assessments.push(serde_json::json!({
                    "as_of": r.try_get::<String, _>("as_of")?,
                    "model_version": r.try_get::<String, _>("model_version")?,
                    "in_crisis": r.try_get::<bool, _>("in_crisis")?,
                    "probability": r.try_get::<Option<f64>, _>("probability")?,
                    "reasons": json_value(r.try_get("reasons")?),
                    "resilience": r.try_get::<i32, _>("resilience")?,
                    "resilience_band": r.try_get::<String, _>("resilience_band")?,
                    "resilience_parts": json_value(r.try_get("resilience_parts")?),
                    "persona": r.try_get::<String, _>("persona")?,
                    "persona_reason": r.try_get::<String, _>("persona_reason")?,
                }));
            }
            for r in sqlx::query(EVENTS).bind(id).bind(person_id).fetch_all(p).await? {
                h.life_events.push(serde_json::json!({
                    "assessed_as_of": r.try_get::<String, _>("as_of")?,
                    "event": r.try_get::<String, _>("event")?,
                    "date": r.try_get::<String, _>("event_date")?,
                    "about_this_person": r.try_get::<Option<i64>, _>("person_id")?.is_some(),
                    "detail": r.try_get::<String, _>("detail")?,
                    "evidence": json_value(r.try_get("evidence")?),
                }));
            }
            for r in sqlx::query(WORKLISTS).bind(id).fetch_all(p).await? {
                h.worklist_entries.push(serde_json::json!({
                    "team": r.try_get::<String, _>("team")?,
                    "week_start": r.try_get::<String, _>("week_start")?,
                    "rank": r.try_get::<i32, _>("rank")?,
                    "probability": r.try_get::<Option<f64>, _>("probability")?,
                    "persona": r.try_get::<String, _>("persona")?,
                    "fast_tracked": r.try_get::<bool, _>("fast_tracked")?,
                    "why": r.try_get::<String, _>("why")?,
                }));
            }
            for r in sqlx::query(FLAGS).bind(id).fetch_all(p).await? {
                h.fast_track_flags.push(serde_json::json!({
                    "set_by": r.try_get::<String, _>("set_by")?,
                    "set_at": r.try_get::<String, _>("set_at")?,
                    "reason": r.try_get::<String, _>("reason")?,
                    "expires_on": r.try_get::<String, _>("expires_on")?,
                    "cleared_at": r.try_get::<Option<String>, _>("cleared_at")?,
                }));
            }
            if let Some(r) = sqlx::query(PREFERENCE).bind(id).fetch_optional(p).await? {
                h.contact_preference = Some(serde_json::json!({
                    "do_not_contact": r.try_get::<bool, _>("do_not_contact")?,
                    "preferred_channel": r.try_get::<Option<String>, _>("preferred_channel")?,
                    "language": r.try_get::<Option<String>, _>("language")?,
                    "safe_contact": r.try_get::<String, _>("safe_contact")?,
                    "recorded_by": r.try_get::<String, _>("recorded_by")?,
                    "recorded_at": r.try_get::<String, _>("recorded_at")?,
                    "note": r.try_get::<String, _>("note")?,
                }));
            }
            for r in sqlx::query(DETAILS).bind(id).bind(person_id).fetch_all(p).await? {
                h.contact_details.push(serde_json::json!({
                    "kind": r.try_get::<String, _>("kind")?,
                    "value": r.try_get::<String, _>("value")?,
                    "may_be_used": r.try_get::<bool, _>("usable")?,
                    "note": r.try_get::<String, _>("note")?,
                    "recorded_by": r.try_get::<String, _>("recorded_by")?,
                    "recorded_at": r.try_get::<String, _>("recorded_at")?,
                }));
            }
            for r in sqlx::query(CONTACTS).bind(id).fetch_all(p).await? {
                h.contacts.push(serde_json::json!({
                    "contacted_on": r.try_get::<String, _>("contacted_on")?,
                    "channel": r.try_get::<String, _>("channel")?,
                    "outcome": r.try_get::<String, _>("outcome")?,
                    "recorded_by": r.try_get::<String, _>("recorded_by")?,
                }));
            }
        });
        self.fill_casework(h).await
    }

    /// The household's casework: cases and all they hold, consents, referrals.
    async fn fill_casework(&self, h: &mut ExportedHousehold) -> Result<(), StoreError> {
        const CONVERSATIONS: &str = "SELECT v.held_on, v.what_matters, v.strengths, v.support_network, v.worries, v.goals,
                COALESCE(u.display_name, '') AS recorded_by, v.recorded_at
             FROM conversations v LEFT JOIN users u ON u.id = v.recorded_by WHERE v.case_id = $1 ORDER BY v.id";
        const NOTES: &str = "SELECT n.body, COALESCE(u.display_name, '') AS recorded_by, n.recorded_at
             FROM case_notes n LEFT JOIN users u ON u.id = n.recorded_by WHERE n.case_id = $1 ORDER BY n.id";
        const DOCUMENTS: &str = "SELECT kind, file_name, uploaded_at FROM case_documents WHERE case_id = $1 ORDER BY id";
        const LETTERS: &str =
            "SELECT title, language, sent_on FROM letters WHERE case_id = $1 ORDER BY id";
        const REMINDERS: &str =
            "SELECT what, due_on, done_at FROM reminders WHERE case_id = $1 ORDER BY id";
        const LOOKS: &str = "SELECT COALESCE(u.display_name, '') AS who, r.user_team, r.reason, r.at
             FROM case_access_reasons r LEFT JOIN users u ON u.id = r.user_id WHERE r.case_id = $1 ORDER BY r.id";
        let id = h.household_id;
        let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        for case in self.cases_of_household(id).await?.into_iter().rev() {
            let mut notes = Vec::new();
            let mut looks = Vec::new();
            let mut reminders = Vec::new();
            let mut letters = Vec::new();
            let mut documents = Vec::new();
            on_pool!(self, p => {
                for r in sqlx::query(DOCUMENTS).bind(case.id).fetch_all(p).await? {
                    documents.push(serde_json::json!({
                        "kind": r.try_get::<String, _>("kind")?,
                        "file_name": r.try_get::<String, _>("file_name")?,
                        "uploaded_at": r.try_get::<String, _>("uploaded_at")?,
                    }));
                }
                // What was sent is listed; the PDFs themselves are on the case for staff to send on.
                for r in sqlx::query(LETTERS).bind(case.id).fetch_all(p).await? {
                    letters.push(serde_json::json!({
                        "title": r.try_get::<String, _>("title")?,
                        "language": r.try_get::<String, _>("language")?,
                        "sent_on": r.try_get::<String, _>("sent_on")?,
                    }));
                }
                for r in sqlx::query(REMINDERS).bind(case.id).fetch_all(p).await? {
                    reminders.push(serde_json::json!({
                        "what": r.try_get::<String, _>("what")?,
                        "due_on": r.try_get::<String, _>("due_on")?,
                        "done_at": r.try_get::<Option<String>, _>("done_at")?,
                    }));
                }
                for r in sqlx::query(NOTES).bind(case.id).fetch_all(p).await? {
                    notes.push(serde_json::json!({
                        "note": r.try_get::<String, _>("body")?,
                        "recorded_by": r.try_get::<String, _>("recorded_by")?,
                        "recorded_at": r.try_get::<String, _>("recorded_at")?,
                    }));
                }
                for r in sqlx::query(LOOKS).bind(case.id).fetch_all(p).await? {
                    looks.push(serde_json::json!({
                        "who": r.try_get::<String, _>("who")?,
                        "their_team": r.try_get::<Option<String>, _>("user_team")?,
                        "why": r.try_get::<String, _>("reason")?,
                        "at": r.try_get::<String, _>("at")?,
                    }));
                }
            });
            let mut conversations = Vec::new();
            on_pool!(self, p => {
                for r in sqlx::query(CONVERSATIONS).bind(case.id).fetch_all(p).await? {
                    conversations.push(serde_json::json!({
                        "held_on": r.try_get::<String, _>("held_on")?,
                        "what_matters": r.try_get::<String, _>("what_matters")?,
                        "strengths": r.try_get::<String, _>("strengths")?,
                        "support_network": r.try_get::<String, _>("support_network")?,
                        "worries": r.try_get::<String, _>("worries")?,
                        "goals": r.try_get::<String, _>("goals")?,
                        "recorded_by": r.try_get::<String, _>("recorded_by")?,
                        "recorded_at": r.try_get::<String, _>("recorded_at")?,
                    }));
                }
            });
            let plan: Vec<serde_json::Value> = self
                .plan_actions(case.id)
                .await?
                .into_iter()
                .map(|a| {
                    serde_json::json!({
                        "what": a.what, "how_we_will_know": a.how_we_will_know, "owner": a.owner,
                        "owner_name": a.owner_name, "due_on": day(a.due_on), "status": a.status,
                    })
                })
                .collect();
            let attempts: Vec<serde_json::Value> = self
                .attempts(case.id)
                .await?
                .into_iter()
                .map(|a| {
                    serde_json::json!({
                        "on": day(a.on), "channel": a.channel, "result": a.result,
                        "note": a.note, "recorded_by": a.recorded_by,
                    })
                })
                .collect();
            let duties: Vec<serde_json::Value> = self
                .duties(case.id)
                .await?
                .into_iter()
                .map(|d| {
                    serde_json::json!({
                        "kind": d.kind, "nation": d.nation, "started_on": day(d.started_on),
                        "ended_on": d.ended_on.map(day),
                        "start_letter_sent_on": d.start_letter_sent_on.map(day),
                        "end_letter_sent_on": d.end_letter_sent_on.map(day),
                    })
                })
                .collect();
            h.cases.push(serde_json::json!({
                "case_id": case.id,
                "status": case.status,
                "opened_on": day(case.opened_on),
                "closed_on": case.closed_on.map(day),
                "origin": case.origin,
                "team": case.team,
                "connector": case.connector_name,
                "closure_reason": case.closure_reason,
                "closure_note": case.closure_note,
                "conversations": conversations,
                "support_plan": plan,
                "contact_attempts": attempts,
                "homelessness_duties": duties,
                "notes": notes,
                "reminders": reminders,
                "letters": letters,
                "documents": documents,
                "looked_at_from_other_teams": looks,
            }));
        }
        for c in self.consents_of(id).await?.into_iter().rev() {
            h.consents.push(serde_json::json!({
                "given_by": c.given_by, "organisations": c.organisations, "purposes": c.purposes,
                "obtained_how": c.obtained_how, "given_on": day(c.given_on),
                "expires_on": c.expires_on.map(day), "recorded_by": c.recorded_by,
                "withdrawn_on": c.withdrawn_on.map(day), "withdrawal_note": c.withdrawal_note,
            }));
        }
        let filter = crate::ReferralFilter {
            household_id: Some(id),
            ..Default::default()
        };
        for r in self.referrals(&filter).await? {
            h.referrals.push(serde_json::json!({
                "direction": r.direction, "from": r.from_organisation, "to": r.to_organisation,
                "referrer_name": r.referrer_name, "reason": r.reason, "urgent": r.urgent,
                "resident_agreed": r.resident_agreed, "status": r.status,
                "received_at": r.received_at.to_rfc3339(), "decision_note": r.decision_note,
            }));
        }
        Ok(())
    }
}
