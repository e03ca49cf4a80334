//! Casework: worklist assignments, cases with one named connector, the
//! conversation record, the support plan, contact attempts, homelessness
//! duties, consent, partner organisations and referrals (migration 0005).
//!
//! The rules (what a SMART action is, when a case may close, whether a
//! consent covers an organisation) live in `upstream-casework`; this file
//! only keeps and reads the facts. Partner visibility is answered here in
//! SQL because it must be one indexed query per page.

use crate::accounts::stamp;
use crate::{iso_date as date, parse_iso as parse, parse_iso_opt as parse_opt};
use crate::{Pool, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

/// A case as the case page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseInfo {
    pub id: i64,
    pub household_id: i64,
    pub status: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub team: Option<String>,
    pub connector_id: Option<i64>,
    pub connector_name: Option<String>,
    /// `worklist`, `referral` or `self_referral`.
    pub origin: String,
    pub referral_id: Option<i64>,
    /// `england` or `wales`: which homelessness law applies.
    pub nation: String,
    pub closure_reason: Option<String>,
    pub closure_note: Option<String>,
}

impl CaseInfo {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub household_id: i64,
    pub team: Option<String>,
    pub connector_id: Option<i64>,
    pub origin: String,
    pub referral_id: Option<i64>,
    pub nation: String,
    pub opened_by: i64,
    pub opened_on: NaiveDate,
}

/// The strengths-based conversation: what matters to the resident first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conversation {
    pub held_on: Option<NaiveDate>,
    pub what_matters: String,
    pub strengths: String,
    pub support_network: String,
    pub worries: String,
    pub goals: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedConversation {
    pub conversation: Conversation,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    /// How many times it has been saved (each save is kept).
    pub versions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlanAction {
    pub what: String,
    pub how_we_will_know: String,
    /// `resident` or `staff`.
    pub owner: String,
    pub owner_name: String,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanActionRow {
    pub id: i64,
    pub what: String,
    pub how_we_will_know: String,
    pub owner: String,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub updated_at: DateTime<Utc>,
}

/// A contact attempt in a case: when, how, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub id: i64,
    pub on: NaiveDate,
    pub channel: String,
    pub result: String,
    pub note: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyRow {
    pub id: i64,
    /// `prevention` or `relief`.
    pub kind: String,
    pub nation: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub start_letter_sent_on: Option<NaiveDate>,
    pub end_letter_sent_on: Option<NaiveDate>,
}

/// What a resident agreed to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub household_id: i64,
    pub case_id: Option<i64>,
    pub given_by: String,
    pub organisations: Vec<String>,
    pub purposes: Vec<String>,
    pub obtained_how: String,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    pub id: i64,
    pub household_id: i64,
    pub case_id: Option<i64>,
    pub given_by: String,
    pub organisations: Vec<String>,
    pub purposes: Vec<String>,
    pub obtained_how: String,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub recorded_by: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_note: Option<String>,
}

impl ConsentRow {
    /// Live on `today`: given, not expired, not withdrawn.
    pub fn is_live(&self, today: NaiveDate) -> bool {
        self.given_on <= today
            && self.expires_on.is_none_or(|e| e >= today)
            && self.withdrawn_on.is_none_or(|w| w > today)
    }
}

/// A partner organisation and the consent purposes its work serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerOrganisation {
    pub name: String,
    /// police, fire, school, health, voluntary, council, ...
    pub kind: String,
    pub purposes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewReferral {
    /// `in` (to a team) or `out` (from a case to a partner).
    pub direction: String,
    pub team: Option<String>,
    pub case_id: Option<i64>,
    pub household_id: Option<i64>,
    pub consent_id: Option<i64>,
    pub from_organisation: String,
    pub to_organisation: String,
    pub referrer_name: String,
    pub referrer_contact: String,
    pub created_by: Option<i64>,
    pub subject_name: String,
    pub subject_dob: Option<NaiveDate>,
    pub subject_address: String,
    pub subject_postcode: String,
    pub subject_phone: String,
    pub reason: String,
    pub urgent: bool,
    pub resident_agreed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReferralRow {
    pub id: i64,
    pub direction: String,
    pub team: Option<String>,
    pub case_id: Option<i64>,
    pub household_id: Option<i64>,
    pub consent_id: Option<i64>,
    pub from_organisation: String,
    pub to_organisation: String,
    pub referrer_name: String,
    pub referrer_contact: String,
    pub subject_name: String,
    pub subject_dob: Option<NaiveDate>,
    pub subject_address: String,
    pub subject_postcode: String,
    pub subject_phone: String,
    pub reason: String,
    pub urgent: bool,
    pub resident_agreed: bool,
    /// `new`, `accepted` or `declined`.
    pub status: String,
    pub received_at: DateTime<Utc>,
    pub decision_note: Option<String>,
}

/// One entry of a kept worklist with who it was given to.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignedEntry {
    pub worklist_id: i64,
    pub team: String,
    pub week_start: NaiveDate,
    pub rank: i32,
    pub household_id: i64,
    pub persona: String,
    pub why: String,
    pub fast_tracked: bool,
    /// Who lived there, by name, when the list was made (if kept).
    pub names: Option<String>,
}

/// An open case in a caseload or a team's overdue list, with what the
/// contact rules need.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCase {
    pub case: CaseInfo,
    pub attempts: Vec<AttemptRow>,
    pub duties: Vec<DutyRow>,
}

const CASE_COLUMNS: &str = "c.id, c.household_id, c.status, c.opened_on, c.closed_on, c.team, c.connector_id, u.display_name AS connector_name, c.origin, c.referral_id, c.nation, c.closure_reason, c.closure_note";
const CASE_FROM: &str = "FROM cases c LEFT JOIN users u ON u.id = c.connector_id";
const ATTEMPT_SQL: &str =
    "SELECT id, case_id, contacted_on, channel, outcome, note, recorded_by FROM contacts";
const DUTY_SQL: &str = "SELECT id, case_id, kind, nation, started_on, ended_on, start_letter_sent_on, end_letter_sent_on FROM duties";
const CONSENT_SQL: &str = "SELECT c.id, c.household_id, c.case_id, c.given_by, c.purposes, c.obtained_how, c.given_on, c.expires_on, COALESCE(u.display_name, '') AS recorded_by, c.withdrawn_on, c.withdrawal_note FROM consents c LEFT JOIN users u ON u.id = c.recorded_by";
const REFERRAL_SQL: &str = "SELECT id, direction, team, case_id, household_id, consent_id, from_organisation, to_organisation, referrer_name, referrer_contact, subject_name, subject_dob, subject_address, subject_postcode, subject_phone, reason, urgent, resident_agreed, status, received_at, decision_note FROM referrals";

type RawCase = (
    (i64, i64, String, String, Option<String>),
    (
        Option<String>,
        Option<i64>,
        Option<String>,
        String,
        Option<i64>,
    ),
    (String, Option<String>, Option<String>),
);

fn case_from(raw: RawCase) -> Result<CaseInfo, StoreError> {
    let (
        (id, household_id, status, opened, closed),
        (team, connector_id, connector_name, origin, referral_id),
        (nation, closure_reason, closure_note),
    ) = raw;
    Ok(CaseInfo {
        id,
        household_id,
        status,
        opened_on: parse(&opened)?,
        closed_on: parse_opt(closed)?,
        team,
        connector_id,
        connector_name,
        origin,
        referral_id,
        nation,
        closure_reason,
        closure_note,
    })
}

/// Reads a case row (columns of [`CASE_COLUMNS`]) from either database.
macro_rules! raw_case {
    ($r:expr) => {{
        let r = &$r;
        (
            (
                r.try_get::<i64, _>("id")?,
                r.try_get::<i64, _>("household_id")?,
                r.try_get::<String, _>("status")?,
                r.try_get::<String, _>("opened_on")?,
                r.try_get::<Option<String>, _>("closed_on")?,
            ),
            (
                r.try_get::<Option<String>, _>("team")?,
                r.try_get::<Option<i64>, _>("connector_id")?,
                r.try_get::<Option<String>, _>("connector_name")?,
                r.try_get::<String, _>("origin")?,
                r.try_get::<Option<i64>, _>("referral_id")?,
            ),
            (
                r.try_get::<String, _>("nation")?,
                r.try_get::<Option<String>, _>("closure_reason")?,
                r.try_get::<Option<String>, _>("closure_note")?,
            ),
        )
    }};
}

type RawAttempt = (i64, Option<i64>, String, String, String, String, String);

macro_rules! raw_attempt {
    ($r:expr) => {{
        let r = &$r;
        (
            r.try_get::<i64, _>("id")?,
            r.try_get::<Option<i64>, _>("case_id")?,
            r.try_get::<String, _>("contacted_on")?,
            r.try_get::<String, _>("channel")?,
            r.try_get::<String, _>("outcome")?,
            r.try_get::<String, _>("note")?,
            r.try_get::<String, _>("recorded_by")?,
        )
    }};
}

fn attempt_from(raw: RawAttempt) -> Result<(Option<i64>, AttemptRow), StoreError> {
    let (id, case_id, on, channel, result, note, recorded_by) = raw;
    Ok((
        case_id,
        AttemptRow {
            id,
            on: parse(&on)?,
            channel,
            result,
            note,
            recorded_by,
        },
    ))
}

type RawDuty = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

macro_rules! raw_duty {
    ($r:expr) => {{
        let r = &$r;
        (
            r.try_get::<i64, _>("id")?,
            r.try_get::<i64, _>("case_id")?,
            r.try_get::<String, _>("kind")?,
            r.try_get::<String, _>("nation")?,
            r.try_get::<String, _>("started_on")?,
            r.try_get::<Option<String>, _>("ended_on")?,
            r.try_get::<Option<String>, _>("start_letter_sent_on")?,
            r.try_get::<Option<String>, _>("end_letter_sent_on")?,
        )
    }};
}

fn duty_from(raw: RawDuty) -> Result<(i64, DutyRow), StoreError> {
    let (id, case_id, kind, nation, started, ended, start_letter, end_letter) = raw;
    Ok((
        case_id,
        DutyRow {
            id,
            kind,
            nation,
            started_on: parse(&started)?,
            ended_on: parse_opt(ended)?,
            start_letter_sent_on: parse_opt(start_letter)?,
            end_letter_sent_on: parse_opt(end_letter)?,
        },
    ))
}

type RawConsent = (
    (i64, i64, Option<i64>, String, String, String),
    (
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
    ),
);

macro_rules! raw_consent {
    ($r:expr) => {{
        let r = &$r;
        (
            (
                r.try_get::<i64, _>("id")?,
                r.try_get::<i64, _>("household_id")?,
                r.try_get::<Option<i64>, _>("case_id")?,
                r.try_get::<String, _>("given_by")?,
                r.try_get::<String, _>("purposes")?,
                r.try_get::<String, _>("obtained_how")?,
            ),
            (
                r.try_get::<String, _>("given_on")?,
                r.try_get::<Option<String>, _>("expires_on")?,
                r.try_get::<String, _>("recorded_by")?,
                r.try_get::<Option<String>, _>("withdrawn_on")?,
                r.try_get::<Option<String>, _>("withdrawal_note")?,
            ),
        )
    }};
}

fn consent_from(raw: RawConsent, organisations: Vec<String>) -> Result<ConsentRow, StoreError> {
    let (
        (id, household_id, case_id, given_by, purposes, obtained_how),
        (given_on, expires_on, recorded_by, withdrawn_on, withdrawal_note),
    ) = raw;
    Ok(ConsentRow {
        id,
        household_id,
        case_id,
        given_by,
        organisations,
        purposes: serde_json::from_str(&purposes)
            .map_err(|e| StoreError::Corrupt(format!("consent {id}: purposes: {e}")))?,
        obtained_how,
        given_on: parse(&given_on)?,
        expires_on: parse_opt(expires_on)?,
        recorded_by,
        withdrawn_on: parse_opt(withdrawn_on)?,
        withdrawal_note,
    })
}

type RawReferral = (
    (
        i64,
        String,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    ),
    (String, String, String, String),
    (String, Option<String>, String, String, String),
    (String, bool, bool, String, String, Option<String>),
);

macro_rules! raw_referral {
    ($r:expr) => {{
        let r = &$r;
        (
            (
                r.try_get::<i64, _>("id")?,
                r.try_get::<String, _>("direction")?,
                r.try_get::<Option<String>, _>("team")?,
                r.try_get::<Option<i64>, _>("case_id")?,
                r.try_get::<Option<i64>, _>("household_id")?,
                r.try_get::<Option<i64>, _>("consent_id")?,
            ),
            (
                r.try_get::<String, _>("from_organisation")?,
                r.try_get::<String, _>("to_organisation")?,
                r.try_get::<String, _>("referrer_name")?,
                r.try_get::<String, _>("referrer_contact")?,
            ),
            (
                r.try_get::<String, _>("subject_name")?,
                r.try_get::<Option<String>, _>("subject_dob")?,
                r.try_get::<String, _>("subject_address")?,
                r.try_get::<String, _>("subject_postcode")?,
                r.try_get::<String, _>("subject_phone")?,
            ),
            (
                r.try_get::<String, _>("reason")?,
                r.try_get::<bool, _>("urgent")?,
                r.try_get::<bool, _>("resident_agreed")?,
                r.try_get::<String, _>("status")?,
                r.try_get::<String, _>("received_at")?,
                r.try_get::<Option<String>, _>("decision_note")?,
            ),
        )
    }};
}

fn referral_from(raw: RawReferral) -> Result<ReferralRow, StoreError> {
    let (
        (id, direction, team, case_id, household_id, consent_id),
        (from_organisation, to_organisation, referrer_name, referrer_contact),
        (subject_name, subject_dob, subject_address, subject_postcode, subject_phone),
        (reason, urgent, resident_agreed, status, received_at, decision_note),
    ) = raw;
    Ok(ReferralRow {
        id,
        direction,
        team,
        case_id,
        household_id,
        consent_id,
        from_organisation,
        to_organisation,
        referrer_name,
        referrer_contact,
        subject_name,
        subject_dob: parse_opt(subject_dob)?,
        subject_address,
        subject_postcode,
        subject_phone,
        reason,
        urgent,
        resident_agreed,
        status,
        received_at: crate::parse_time(&received_at)?,
        decision_note,
    })
}

fn now() -> String {
    stamp(Utc::now())
}

impl Store {
    // ---- worklist assignment ------------------------------------------

    /// Give entry `rank` of a kept list to a connector (or take it back
    /// with `None`). False when there is no such entry.
    pub async fn assign_worklist_entry(
        &self,
        worklist_id: i64,
        rank: i32,
        connector_id: Option<i64>,
        assigned_by: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE worklist_entries SET assigned_to = $1, assigned_by = $2, assigned_at = $3 WHERE worklist_id = $4 AND rank = $5";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(connector_id).bind(assigned_by).bind(now())
            .bind(worklist_id).bind(rank).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Who each entry of a kept list was given to: `(rank, user id)`.
    pub async fn worklist_assignments(
        &self,
        worklist_id: i64,
    ) -> Result<Vec<(i32, i64)>, StoreError> {
        const SQL: &str = "SELECT rank, assigned_to FROM worklist_entries WHERE worklist_id = $1 AND assigned_to IS NOT NULL ORDER BY rank";
        let rows = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(worklist_id).fetch_all(p).await? {
                out.push((r.try_get::<i32, _>("rank")?, r.try_get::<i64, _>("assigned_to")?));
            }
            out
        });
        Ok(rows)
    }

    /// Worklist entries given to a connector, newest week first.
    pub async fn entries_assigned_to(
        &self,
        user_id: i64,
    ) -> Result<Vec<AssignedEntry>, StoreError> {
        const SQL: &str = "SELECT e.worklist_id, w.team, w.week_start, e.rank, e.household_id, e.persona, e.why, e.fast_tracked, e.names
             FROM worklist_entries e JOIN worklists w ON w.id = e.worklist_id
             WHERE e.assigned_to = $1 ORDER BY w.week_start DESC, e.rank";
        let rows = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(user_id).fetch_all(p).await? {
                out.push((
                    r.try_get::<i64, _>("worklist_id")?,
                    r.try_get::<String, _>("team")?,
                    r.try_get::<String, _>("week_start")?,
                    r.try_get::<i32, _>("rank")?,
                    r.try_get::<i64, _>("household_id")?,
                    r.try_get::<String, _>("persona")?,
                    r.try_get::<String, _>("why")?,
                    (r.try_get::<bool, _>("fast_tracked")?, r.try_get::<Option<String>, _>("names")?),
                ));
            }
            out
        });
        rows.into_iter()
            .map(
                |(
                    worklist_id,
                    team,
                    week,
                    rank,
                    household_id,
                    persona,
                    why,
                    (fast_tracked, names),
                )| {
                    Ok(AssignedEntry {
                        worklist_id,
                        team,
                        week_start: parse(&week)?,
                        rank,
                        household_id,
                        persona,
                        why,
                        fast_tracked,
                        names,
                    })
                },
            )
            .collect()
    }

    /// The team's most recent kept list, if any.
    pub async fn latest_worklist(
        &self,
        team: &str,
    ) -> Result<Option<crate::WorklistRow>, StoreError> {
        const SQL: &str = "SELECT MAX(week_start) FROM worklists WHERE team = $1";
        let week: Option<String> =
            on_pool!(self, p => sqlx::query_scalar(SQL).bind(team).fetch_one(p).await?);
        match week {
            Some(w) => self.worklist(team, parse(&w)?).await,
            None => Ok(None),
        }
    }

    /// The team a kept list belongs to, if there is such a list: only
    /// that team's leader may share it out.
    pub async fn worklist_team(&self, worklist_id: i64) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT team FROM worklists WHERE id = $1";
        let team: Option<String> = on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(worklist_id).fetch_optional(p).await?);
        Ok(team)
    }

    /// Each household's address, to name it in lists: `(id, address, postcode)`.
    pub async fn household_addresses(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, Option<String>, Option<String>)>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            // The query builder is typed by database, so it is made inside each arm.
            on_pool!(self, p => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT h.id, a.address, a.postcode FROM households h JOIN addresses a ON a.id = h.address_id WHERE h.id IN (",
                );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                for r in qb.build().fetch_all(p).await? {
                    out.push((r.try_get::<i64, _>("id")?, r.try_get::<Option<String>, _>("address")?, r.try_get::<Option<String>, _>("postcode")?));
                }
            });
        }
        Ok(out)
    }

    /// `(household id, "Jo Bloggs, Sam Bloggs")`: each member's name from
    /// their latest record, for naming households in lists.
    pub async fn household_names(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        // (household, person) → (forename, surname), the latest extract winning.
        // Only each record's latest version is read: a record is stored once
        // a month, so reading every version made this the costliest query on
        // a team leader's list (22 ms of its 30 at city scale under load).
        let mut names: std::collections::BTreeMap<(i64, i64), (Option<String>, Option<String>)> =
            std::collections::BTreeMap::new();
        for chunk in ids.chunks(500) {
            on_pool!(self, p => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT m.household_id, m.person_id, s.forename, s.surname
                     FROM household_members m JOIN person_records pr ON pr.person_id = m.person_id
                     JOIN source_records s ON s.id = (SELECT MAX(v.id) FROM source_records v
                         WHERE v.source = pr.source AND v.record_key = pr.record_key)
                     WHERE m.household_id IN (",
                );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(") ORDER BY s.extract_date, s.id");
                for r in qb.build().fetch_all(p).await? {
                    let key = (r.try_get::<i64, _>("household_id")?, r.try_get::<i64, _>("person_id")?);
                    let e = names.entry(key).or_default();
                    e.0 = r.try_get::<Option<String>, _>("forename")?.or(e.0.take());
                    e.1 = r.try_get::<Option<String>, _>("surname")?.or(e.1.take());
                }
            });
        }
        let mut out: Vec<(i64, String)> = Vec::new();
        for ((household, _), (forename, surname)) in names {
            let name = [forename, surname]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some((h, text)) if *h == household => {
                    text.push_str(", ");
                    text.push_str(&name);
                }
                _ => out.push((household, name)),
            }
        }
        Ok(out)
    }

    // ---- cases ----------------------------------------------------------

    /// Open a case, or return the household's case that is already open
    /// (`false`): a household has one open case, so opening twice changes nothing.
    pub async fn open_case_with(&self, new: &NewCase) -> Result<(i64, bool), StoreError> {
        const OPEN: &str =
            "SELECT id FROM cases WHERE household_id = $1 AND status = 'open' ORDER BY id LIMIT 1";
        const SQL: &str = "INSERT INTO cases (household_id, status, opened_on, team, connector_id, origin, referral_id, nation, opened_by)
             VALUES ($1, 'open', $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        let found = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let open: Option<i64> = sqlx::query_scalar(OPEN).bind(new.household_id).fetch_optional(&mut *tx).await?;
            let found = match open {
                Some(id) => (id, false),
                None => {
                    let id: i64 = sqlx::query_scalar(SQL)
                        .bind(new.household_id).bind(date(new.opened_on)).bind(&new.team).bind(new.connector_id)
                        .bind(&new.origin).bind(new.referral_id).bind(&new.nation).bind(new.opened_by)
                        .fetch_one(&mut *tx).await?;
                    (id, true)
                }
            };
            tx.commit().await?;
            found
        });
        Ok(found)
    }

    pub async fn case_info(&self, case_id: i64) -> Result<Option<CaseInfo>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.id = $1");
        let raw = on_pool!(self, p => match sqlx::query(&sql).bind(case_id).fetch_optional(p).await? {
            Some(r) => Some(raw_case!(r)),
            None => None,
        });
        raw.map(case_from).transpose()
    }

    /// The household's cases, newest first.
    pub async fn cases_of_household(&self, household_id: i64) -> Result<Vec<CaseInfo>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.household_id = $1 ORDER BY c.opened_on DESC, c.id DESC");
        let raws = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(&sql).bind(household_id).fetch_all(p).await? {
                out.push(raw_case!(r));
            }
            out
        });
        raws.into_iter().map(case_from).collect()
    }

    /// Open cases, of one connector or of one team (or all), with their
    /// attempts and duties: a caseload and the overdue list are made from these.
    pub async fn open_cases(
        &self,
        connector_id: Option<i64>,
        team: Option<&str>,
    ) -> Result<Vec<OpenCase>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.status = 'open'
               AND ($1 IS NULL OR c.connector_id = $1) AND ($2 IS NULL OR c.team = $2)
             ORDER BY c.opened_on, c.id"
        );
        let attempts = format!("{ATTEMPT_SQL} WHERE case_id IN (SELECT c.id FROM cases c WHERE c.status = 'open' AND ($1 IS NULL OR c.connector_id = $1) AND ($2 IS NULL OR c.team = $2)) ORDER BY contacted_on, id");
        let duties = format!("{DUTY_SQL} WHERE case_id IN (SELECT c.id FROM cases c WHERE c.status = 'open' AND ($1 IS NULL OR c.connector_id = $1) AND ($2 IS NULL OR c.team = $2)) ORDER BY started_on, id");
        let (cases, attempts, duties) = on_pool!(self, p => {
            let mut cases = Vec::new();
            for r in sqlx::query(&sql).bind(connector_id).bind(team).fetch_all(p).await? {
                cases.push(raw_case!(r));
            }
            let mut a = Vec::new();
            for r in sqlx::query(&attempts).bind(connector_id).bind(team).fetch_all(p).await? {
                a.push(raw_attempt!(r));
            }
            let mut d = Vec::new();
            for r in sqlx::query(&duties).bind(connector_id).bind(team).fetch_all(p).await? {
                d.push(raw_duty!(r));
            }
            (cases, a, d)
        });
        let mut out: Vec<OpenCase> = cases
            .into_iter()
            .map(|c| {
                Ok(OpenCase {
                    case: case_from(c)?,
                    attempts: Vec::new(),
                    duties: Vec::new(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let index: std::collections::HashMap<i64, usize> = out
            .iter()
            .enumerate()
            .map(|(i, c)| (c.case.id, i))
            .collect();
        for raw in attempts {
            let (case_id, a) = attempt_from(raw)?;
            if let Some(&i) = case_id.as_ref().and_then(|c| index.get(c)) {
                out[i].attempts.push(a);
            }
        }
        for raw in duties {
            let (case_id, d) = duty_from(raw)?;
            if let Some(&i) = index.get(&case_id) {
                out[i].duties.push(d);
            }
        }
        Ok(out)
    }

    /// Give a case to a connector.
    pub async fn set_case_connector(
        &self,
        case_id: i64,
        connector_id: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE cases SET connector_id = $1 WHERE id = $2 AND status = 'open'";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(connector_id).bind(case_id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Close an open case with a reason (checked against the standards by
    /// the caller). False when it was not open.
    pub async fn close_case(
        &self,
        case_id: i64,
        on: NaiveDate,
        reason: &str,
        note: &str,
        closed_by: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE cases SET status = 'closed', closed_on = $1, closure_reason = $2, closure_note = $3, closed_by = $4 WHERE id = $5 AND status = 'open'";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(date(on)).bind(reason).bind(note).bind(closed_by).bind(case_id)
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    // ---- the conversation and the plan ----------------------------------

    /// Save the conversation record: a new version, the old ones kept.
    pub async fn save_conversation(
        &self,
        case_id: i64,
        c: &Conversation,
        recorded_by: i64,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO conversations (case_id, held_on, what_matters, strengths, support_network, worries, goals, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        let held = date(c.held_on.unwrap_or_else(|| Utc::now().date_naive()));
        on_pool!(self, p => {
            sqlx::query(SQL).bind(case_id).bind(held).bind(&c.what_matters).bind(&c.strengths).bind(&c.support_network)
                .bind(&c.worries).bind(&c.goals).bind(recorded_by).bind(now()).execute(p).await?;
        });
        Ok(())
    }

    /// The latest conversation record of a case.
    pub async fn conversation(
        &self,
        case_id: i64,
    ) -> Result<Option<SavedConversation>, StoreError> {
        const SQL: &str =
            "SELECT v.held_on, v.what_matters, v.strengths, v.support_network, v.worries, v.goals,
                COALESCE(u.display_name, '') AS recorded_by, v.recorded_at,
                (SELECT COUNT(*) FROM conversations x WHERE x.case_id = v.case_id) AS versions
             FROM conversations v LEFT JOIN users u ON u.id = v.recorded_by
             WHERE v.case_id = $1 ORDER BY v.id DESC LIMIT 1";
        let raw = on_pool!(self, p => match sqlx::query(SQL).bind(case_id).fetch_optional(p).await? {
            None => None,
            Some(r) => Some((
                r.try_get::<String, _>("held_on")?,
                [
                    r.try_get::<String, _>("what_matters")?,
                    r.try_get::<String, _>("strengths")?,
                    r.try_get::<String, _>("support_network")?,
                    r.try_get::<String, _>("worries")?,
                    r.try_get::<String, _>("goals")?,
                ],
                r.try_get::<String, _>("recorded_by")?,
                r.try_get::<String, _>("recorded_at")?,
                r.try_get::<i64, _>("versions")?,
            )),
        });
        raw.map(
            |(
                held,
                [what_matters, strengths, support_network, worries, goals],
                by,
                at,
                versions,
            )| {
                Ok(SavedConversation {
                    conversation: Conversation {
                        held_on: Some(parse(&held)?),
                        what_matters,
                        strengths,
                        support_network,
                        worries,
                        goals,
                    },
                    recorded_by: by,
                    recorded_at: crate::parse_time(&at)?,
                    versions,
                })
            },
        )
        .transpose()
    }

    pub async fn add_plan_action(
        &self,
        case_id: i64,
        a: &NewPlanAction,
        created_by: i64,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO plan_actions (case_id, what, how_we_will_know, owner, owner_name, due_on, status, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'not_started', $7, $8, $8) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(case_id).bind(&a.what).bind(&a.how_we_will_know)
            .bind(&a.owner).bind(&a.owner_name).bind(date(a.due_on)).bind(created_by).bind(now())
            .fetch_one(p).await?);
        Ok(id)
    }

    /// Set an action's status; false when the action is not in that case.
    pub async fn set_plan_action_status(
        &self,
        case_id: i64,
        action_id: i64,
        status: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE plan_actions SET status = $1, updated_at = $2 WHERE id = $3 AND case_id = $4";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(status).bind(now()).bind(action_id).bind(case_id)
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    pub async fn plan_actions(&self, case_id: i64) -> Result<Vec<PlanActionRow>, StoreError> {
        const SQL: &str = "SELECT id, what, how_we_will_know, owner, owner_name, due_on, status, updated_at FROM plan_actions WHERE case_id = $1 ORDER BY due_on, id";
        let raws = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(case_id).fetch_all(p).await? {
                out.push((
                    r.try_get::<i64, _>("id")?,
                    [
                        r.try_get::<String, _>("what")?,
                        r.try_get::<String, _>("how_we_will_know")?,
                        r.try_get::<String, _>("owner")?,
                        r.try_get::<String, _>("owner_name")?,
                        r.try_get::<String, _>("due_on")?,
                        r.try_get::<String, _>("status")?,
                        r.try_get::<String, _>("updated_at")?,
                    ],
                ));
            }
            out
        });
        raws.into_iter()
            .map(
                |(id, [what, how_we_will_know, owner, owner_name, due, status, updated])| {
                    Ok(PlanActionRow {
                        id,
                        what,
                        how_we_will_know,
                        owner,
                        owner_name,
                        due_on: parse(&due)?,
                        status,
                        updated_at: crate::parse_time(&updated)?,
                    })
                },
            )
            .collect()
    }

    // ---- contact attempts ---------------------------------------------------

    /// Record a contact attempt in a case (it also counts as the household's
    /// latest contact for the worklist).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_attempt(
        &self,
        case_id: i64,
        household_id: i64,
        on: NaiveDate,
        channel: &str,
        result: &str,
        note: &str,
        recorded_by: &str,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO contacts (household_id, contacted_on, channel, outcome, recorded_by, case_id, note) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(household_id).bind(date(on)).bind(channel)
            .bind(result).bind(recorded_by).bind(case_id).bind(note).fetch_one(p).await?);
        Ok(id)
    }

    pub async fn attempts(&self, case_id: i64) -> Result<Vec<AttemptRow>, StoreError> {
        let sql = format!("{ATTEMPT_SQL} WHERE case_id = $1 ORDER BY contacted_on, id");
        let raws = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(&sql).bind(case_id).fetch_all(p).await? {
                out.push(raw_attempt!(r));
            }
            out
        });
        raws.into_iter().map(|r| Ok(attempt_from(r)?.1)).collect()
    }

    // ---- duties -------------------------------------------------------------

    pub async fn add_duty(
        &self,
        case_id: i64,
        kind: &str,
        nation: &str,
        started_on: NaiveDate,
        recorded_by: i64,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO duties (case_id, kind, nation, started_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(case_id).bind(kind).bind(nation)
            .bind(date(started_on)).bind(recorded_by).bind(now()).fetch_one(p).await?);
        Ok(id)
    }

    /// Record a duty's letters and end (each only when given).
    pub async fn update_duty(
        &self,
        case_id: i64,
        duty_id: i64,
        ended_on: Option<NaiveDate>,
        start_letter_sent_on: Option<NaiveDate>,
        end_letter_sent_on: Option<NaiveDate>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE duties SET ended_on = COALESCE($1, ended_on),
               start_letter_sent_on = COALESCE($2, start_letter_sent_on),
               end_letter_sent_on = COALESCE($3, end_letter_sent_on)
             WHERE id = $4 AND case_id = $5";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(ended_on.map(date)).bind(start_letter_sent_on.map(date))
            .bind(end_letter_sent_on.map(date)).bind(duty_id).bind(case_id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    pub async fn duties(&self, case_id: i64) -> Result<Vec<DutyRow>, StoreError> {
        let sql = format!("{DUTY_SQL} WHERE case_id = $1 ORDER BY started_on, id");
        let raws = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(&sql).bind(case_id).fetch_all(p).await? {
                out.push(raw_duty!(r));
            }
            out
        });
        raws.into_iter().map(|r| Ok(duty_from(r)?.1)).collect()
    }

    // ---- consent and partners --------------------------------------------

    /// Keep a consent and the organisations it names, together.
    pub async fn record_consent(
        &self,
        c: &NewConsent,
        recorded_by: i64,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO consents (household_id, case_id, given_by, purposes, obtained_how, given_on, expires_on, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        const ORG: &str = "INSERT INTO consent_organisations (consent_id, organisation) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        let purposes = serde_json::to_string(&c.purposes)
            .map_err(|e| StoreError::Invalid(format!("consent purposes: {e}")))?;
        let id = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(SQL).bind(c.household_id).bind(c.case_id).bind(&c.given_by).bind(&purposes)
                .bind(&c.obtained_how).bind(date(c.given_on)).bind(c.expires_on.map(date)).bind(recorded_by).bind(now())
                .fetch_one(&mut *tx).await?;
            for org in &c.organisations {
                sqlx::query(ORG).bind(id).bind(org.trim()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Withdraw a consent from `on` (usually today: it takes effect at once).
    /// False when it is not that household's or was already withdrawn.
    pub async fn withdraw_consent(
        &self,
        household_id: i64,
        consent_id: i64,
        on: NaiveDate,
        withdrawn_by: i64,
        note: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE consents SET withdrawn_on = $1, withdrawn_by = $2, withdrawn_at = $3, withdrawal_note = $4
             WHERE id = $5 AND household_id = $6 AND withdrawn_on IS NULL";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(date(on)).bind(withdrawn_by).bind(now()).bind(note)
            .bind(consent_id).bind(household_id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Every consent a household gave, newest first.
    pub async fn consents_of(&self, household_id: i64) -> Result<Vec<ConsentRow>, StoreError> {
        let sql =
            format!("{CONSENT_SQL} WHERE c.household_id = $1 ORDER BY c.given_on DESC, c.id DESC");
        const ORGS: &str = "SELECT o.consent_id, o.organisation FROM consent_organisations o JOIN consents c ON c.id = o.consent_id WHERE c.household_id = $1 ORDER BY o.organisation";
        let (raws, orgs) = on_pool!(self, p => {
            let mut raws = Vec::new();
            for r in sqlx::query(&sql).bind(household_id).fetch_all(p).await? {
                raws.push(raw_consent!(r));
            }
            let mut orgs: Vec<(i64, String)> = Vec::new();
            for r in sqlx::query(ORGS).bind(household_id).fetch_all(p).await? {
                orgs.push((r.try_get("consent_id")?, r.try_get("organisation")?));
            }
            (raws, orgs)
        });
        raws.into_iter()
            .map(|raw| {
                let id = raw.0 .0;
                let names = orgs
                    .iter()
                    .filter(|(c, _)| *c == id)
                    .map(|(_, o)| o.clone())
                    .collect();
                consent_from(raw, names)
            })
            .collect()
    }

    /// Whether a partner organisation may see a household on `today`: a live
    /// consent names the organisation for a purpose its work serves, or the
    /// organisation referred the household in. One indexed query.
    pub async fn partner_may_see(
        &self,
        organisation: &str,
        household_id: i64,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let ids = self
            .partner_households(organisation, today, Some(household_id))
            .await?;
        Ok(ids.contains(&household_id))
    }

    /// The households a partner organisation may see on `today` (one, when
    /// `only` is given).
    pub async fn partner_households(
        &self,
        organisation: &str,
        today: NaiveDate,
        only: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        const CONSENTED: &str = "SELECT c.household_id, c.purposes FROM consents c
               JOIN consent_organisations o ON o.consent_id = c.id
             WHERE o.organisation = $1 AND c.given_on <= $2
               AND (c.expires_on IS NULL OR c.expires_on >= $2)
               AND (c.withdrawn_on IS NULL OR c.withdrawn_on > $2)
               AND ($3 IS NULL OR c.household_id = $3)";
        const REFERRED: &str = "SELECT DISTINCT household_id FROM referrals
             WHERE direction = 'in' AND from_organisation = $1 AND household_id IS NOT NULL
               AND ($2 IS NULL OR household_id = $2)";
        let serves = self
            .partner_organisation(organisation)
            .await?
            .map(|o| o.purposes)
            .unwrap_or_default();
        let today = date(today);
        let (consented, referred) = on_pool!(self, p => {
            let mut consented: Vec<(i64, String)> = Vec::new();
            for r in sqlx::query(CONSENTED).bind(organisation).bind(&today).bind(only).fetch_all(p).await? {
                consented.push((r.try_get("household_id")?, r.try_get("purposes")?));
            }
            let referred: Vec<i64> = sqlx::query_scalar(REFERRED).bind(organisation).bind(only).fetch_all(p).await?;
            (consented, referred)
        });
        let mut ids = referred;
        for (household, purposes) in consented {
            let purposes: Vec<String> = serde_json::from_str(&purposes)
                .map_err(|e| StoreError::Corrupt(format!("consent purposes: {e}")))?;
            // The consent must be for something this organisation does.
            if purposes.iter().any(|p| serves.contains(p)) {
                ids.push(household);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// Register (or update) a partner organisation and the purposes it serves.
    pub async fn save_partner_organisation(
        &self,
        o: &PartnerOrganisation,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO partner_organisations (name, kind, purposes, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, purposes = excluded.purposes";
        let name = o.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("an organisation needs a name".into()));
        }
        let purposes = serde_json::to_string(&o.purposes)
            .map_err(|e| StoreError::Invalid(format!("purposes: {e}")))?;
        on_pool!(self, p => {
            sqlx::query(SQL).bind(name).bind(&o.kind).bind(&purposes).bind(now()).execute(p).await?;
        });
        Ok(())
    }

    pub async fn partner_organisations(&self) -> Result<Vec<PartnerOrganisation>, StoreError> {
        self.read_partner_organisations(None).await
    }

    /// One organisation by name (partner pages ask on every request).
    pub async fn partner_organisation(
        &self,
        name: &str,
    ) -> Result<Option<PartnerOrganisation>, StoreError> {
        Ok(self.read_partner_organisations(Some(name)).await?.pop())
    }

    async fn read_partner_organisations(
        &self,
        only: Option<&str>,
    ) -> Result<Vec<PartnerOrganisation>, StoreError> {
        const SQL: &str = "SELECT name, kind, purposes FROM partner_organisations WHERE ($1 IS NULL OR name = $1) ORDER BY name";
        let raws: Vec<(String, String, String)> = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(SQL).bind(only).fetch_all(p).await? {
                out.push((r.try_get("name")?, r.try_get("kind")?, r.try_get("purposes")?));
            }
            out
        });
        raws.into_iter()
            .map(|(name, kind, purposes)| {
                Ok(PartnerOrganisation {
                    purposes: serde_json::from_str(&purposes).map_err(|e| {
                        StoreError::Corrupt(format!("organisation {name}: purposes: {e}"))
                    })?,
                    name,
                    kind,
                })
            })
            .collect()
    }

    /// Keep a new API key for an organisation: only its SHA-256 is stored.
    pub async fn add_partner_api_key(
        &self,
        organisation: &str,
        key: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "INSERT INTO partner_api_keys (key_hash, organisation, created_at) VALUES ($1, $2, $3)";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(crate::session_token_hash(key)).bind(organisation).bind(now()).execute(p).await?;
        });
        Ok(())
    }

    /// The organisation a live API key belongs to.
    pub async fn organisation_of_api_key(&self, key: &str) -> Result<Option<String>, StoreError> {
        const SQL: &str =
            "SELECT organisation FROM partner_api_keys WHERE key_hash = $1 AND revoked_at IS NULL";
        let org: Option<String> = on_pool!(self, p => sqlx::query_scalar(SQL).bind(crate::session_token_hash(key)).fetch_optional(p).await?);
        Ok(org)
    }

    // ---- referrals ---------------------------------------------------------

    pub async fn add_referral(&self, r: &NewReferral) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO referrals (direction, team, case_id, household_id, consent_id, from_organisation, to_organisation,
               referrer_name, referrer_contact, created_by, subject_name, subject_dob, subject_address, subject_postcode, subject_phone,
               reason, urgent, resident_agreed, status, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'new', $19) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(&r.direction).bind(&r.team).bind(r.case_id).bind(r.household_id).bind(r.consent_id)
            .bind(&r.from_organisation).bind(&r.to_organisation).bind(&r.referrer_name).bind(&r.referrer_contact)
            .bind(r.created_by).bind(&r.subject_name).bind(r.subject_dob.map(date)).bind(&r.subject_address)
            .bind(&r.subject_postcode).bind(&r.subject_phone).bind(&r.reason).bind(r.urgent).bind(r.resident_agreed)
            .bind(now()).fetch_one(p).await?);
        Ok(id)
    }

    pub async fn referral(&self, id: i64) -> Result<Option<ReferralRow>, StoreError> {
        let sql = format!("{REFERRAL_SQL} WHERE id = $1");
        let raw = on_pool!(self, p => match sqlx::query(&sql).bind(id).fetch_optional(p).await? {
            Some(r) => Some(raw_referral!(r)),
            None => None,
        });
        raw.map(referral_from).transpose()
    }

    /// Referrals matching a filter, urgent and oldest first.
    pub async fn referrals(&self, filter: &ReferralFilter) -> Result<Vec<ReferralRow>, StoreError> {
        let sql = format!(
            "{REFERRAL_SQL} WHERE ($1 IS NULL OR direction = $1) AND ($2 IS NULL OR team = $2)
               AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR household_id = $4)
               AND ($5 IS NULL OR case_id = $5) AND ($6 IS NULL OR from_organisation = $6)
               AND ($7 IS NULL OR to_organisation = $7)
             ORDER BY urgent DESC, received_at, id LIMIT 500"
        );
        let raws = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(&sql).bind(&filter.direction).bind(&filter.team).bind(&filter.status)
                .bind(filter.household_id).bind(filter.case_id).bind(&filter.from_organisation).bind(&filter.to_organisation)
                .fetch_all(p).await? {
                out.push(raw_referral!(r));
            }
            out
        });
        raws.into_iter().map(referral_from).collect()
    }

    /// Accept (linking the household, when known) or decline a new referral.
    /// False when it was not new.
    pub async fn decide_referral(
        &self,
        id: i64,
        accepted: bool,
        household_id: Option<i64>,
        decided_by: i64,
        note: &str,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE referrals SET status = $1, household_id = COALESCE($2, household_id), decided_by = $3, decided_at = $4, decision_note = $5
             WHERE id = $6 AND status = 'new'";
        let status = if accepted { "accepted" } else { "declined" };
        let n = on_pool!(self, p => sqlx::query(SQL).bind(status).bind(household_id).bind(decided_by).bind(now()).bind(note).bind(id)
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }
}

/// Which referrals to list; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferralFilter {
    pub direction: Option<String>,
    pub team: Option<String>,
    pub status: Option<String>,
    pub household_id: Option<i64>,
    pub case_id: Option<i64>,
    pub from_organisation: Option<String>,
    pub to_organisation: Option<String>,
}
