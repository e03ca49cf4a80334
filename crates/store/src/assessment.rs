//! Storage for assessment runs (life events, risk, resilience, personas),
//! teams, fast-track flags, contact preferences, contacts, cases and the
//! weekly worklists kept as they were made.

use crate::{iso_date as date, parse_iso as parse, parse_iso_opt as parse_opt};
use crate::{Pool, Store, StoreError};
use chrono::{NaiveDate, Utc};
use sqlx::Row;

const BATCH: usize = 400;

/// A household of the last linkage run, with its members.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHousehold {
    pub id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub current: bool,
    pub address_key: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub members: Vec<i64>,
    /// Each member's first and last day there, in the order of `members`.
    pub stays: Vec<(NaiveDate, NaiveDate)>,
}

/// One stored version of a linked source record, with its person.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedObservation {
    pub person: i64,
    pub source: String,
    pub record_key: String,
    pub row_means: String,
    pub extract_date: Option<NaiveDate>,
    pub event_date: Option<NaiveDate>,
    pub dob: Option<NaiveDate>,
    /// JSON object of typed attributes, as ingest stored it.
    pub attributes: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedAssessment {
    pub household_id: i64,
    pub in_crisis: bool,
    pub probability: Option<f64>,
    /// JSON array of plain-English reasons.
    pub reasons: String,
    pub resilience: i32,
    pub resilience_band: String,
    /// JSON array of [text, points].
    pub resilience_parts: String,
    pub persona: String,
    pub persona_reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedEvent {
    pub household_id: i64,
    pub event: String,
    pub date: NaiveDate,
    pub person_id: Option<i64>,
    pub detail: String,
    /// JSON array of evidence.
    pub evidence: String,
}

/// Everything one assessment run produced, saved in one transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AssessmentSave {
    pub as_of: Option<NaiveDate>,
    pub model_version: String,
    pub model: String,
    pub library: String,
    pub assessments: Vec<SavedAssessment>,
    pub events: Vec<SavedEvent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRunInfo {
    pub id: i64,
    pub as_of: NaiveDate,
    pub run_at: String,
    pub model_version: String,
    pub households: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub name: String,
    pub capacity: i32,
    /// Postcode districts covered; empty means everywhere.
    pub areas: Vec<String>,
    pub recent_contact_days: i32,
    pub min_probability: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub id: i64,
    pub household_id: i64,
    pub set_by: String,
    pub set_at: String,
    pub reason: String,
    pub expires_on: NaiveDate,
    pub cleared_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorklistEntryRow {
    pub rank: i32,
    pub household_id: i64,
    pub probability: Option<f64>,
    pub persona: String,
    pub fast_tracked: bool,
    pub why: String,
    /// Who lived there, by name, when the list was made (kept lists made
    /// before names were kept have none). Filled in by `keep_worklist`.
    pub names: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorklistRow {
    pub id: i64,
    pub team: String,
    pub week_start: NaiveDate,
    pub assessment_run_id: i64,
    pub created_at: String,
    pub capacity: i32,
    /// JSON object: why households were left off, with counts.
    pub excluded: String,
    pub entries: Vec<WorklistEntryRow>,
}

/// A worklist about to be kept.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWorklist {
    pub team: String,
    pub week_start: NaiveDate,
    pub assessment_run_id: i64,
    pub capacity: i32,
    pub excluded: String,
    pub entries: Vec<WorklistEntryRow>,
}

/// What happened to a household after a date: contacts, cases.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Aftermath {
    pub contacts: Vec<(NaiveDate, String, String)>,
    pub cases: Vec<(NaiveDate, String)>,
}

impl Store {
    /// The households of the last linkage run, with address and members.
    pub async fn households(&self) -> Result<Vec<StoredHousehold>, StoreError> {
        self.households_where("", None).await
    }

    /// Households in id order, `limit` at a time after the id `after`: a
    /// council's households a chunk at a time, so memory holds one chunk.
    pub async fn households_page(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredHousehold>, StoreError> {
        self.households_where(
            "WHERE h.id IN (SELECT id FROM households WHERE id > $1 ORDER BY id LIMIT $2)",
            Some((after, limit)),
        )
        .await
    }

    async fn households_where(
        &self,
        filter: &str,
        page: Option<(i64, i64)>,
    ) -> Result<Vec<StoredHousehold>, StoreError> {
        let sql = format!(
            "SELECT h.id, h.from_date, h.to_date, h.current, a.addr_key, a.address, a.postcode, m.person_id,
                    COALESCE(m.from_date, h.from_date) AS member_from, COALESCE(m.to_date, h.to_date) AS member_to
             FROM households h JOIN addresses a ON a.id = h.address_id
             JOIN household_members m ON m.household_id = h.id
             {filter}
             ORDER BY h.id, m.person_id"
        );
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query(&sql);
            if let Some((after, limit)) = page {
                q = q.bind(after).bind(limit);
            }
            let rows = q.fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<String, _>("from_date")?,
                    r.try_get::<String, _>("to_date")?,
                    r.try_get::<bool, _>("current")?,
                    r.try_get::<String, _>("addr_key")?,
                    r.try_get::<Option<String>, _>("address")?,
                    r.try_get::<Option<String>, _>("postcode")?,
                    r.try_get::<i64, _>("person_id")?,
                    r.try_get::<String, _>("member_from")?,
                    r.try_get::<String, _>("member_to")?,
                ));
            }
            out
        });
        let mut out: Vec<StoredHousehold> = Vec::new();
        for (id, from, to, current, key, address, postcode, person, m_from, m_to) in rows {
            let stay = (parse(&m_from)?, parse(&m_to)?);
            match out.last_mut() {
                Some(h) if h.id == id => {
                    h.members.push(person);
                    h.stays.push(stay);
                }
                _ => out.push(StoredHousehold {
                    id,
                    from: parse(&from)?,
                    to: parse(&to)?,
                    current,
                    address_key: key,
                    address,
                    postcode,
                    members: vec![person],
                    stays: vec![stay],
                }),
            }
        }
        Ok(out)
    }

    /// The lowest household id never given: ids of households that have
    /// gone are not reused, since cases and kept worklists point at them.
    pub async fn first_free_household_id(&self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COALESCE(MAX(m), 0) + 1 FROM (
                SELECT MAX(max_household_id) AS m FROM link_runs
                UNION ALL SELECT MAX(id) FROM households) ids";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).fetch_one(p).await?);
        Ok(id)
    }

    /// Every stored version of every linked record, with its person.
    pub async fn linked_observations(&self) -> Result<Vec<LinkedObservation>, StoreError> {
        self.observations_where(None).await
    }

    /// The record versions of these people only (a chunk's members).
    pub async fn linked_observations_of(
        &self,
        persons: &[i64],
    ) -> Result<Vec<LinkedObservation>, StoreError> {
        let mut out = Vec::new();
        // Bounded by both databases' limits on bound parameters.
        for chunk in persons.chunks(BATCH) {
            out.extend(self.observations_where(Some(chunk)).await?);
        }
        Ok(out)
    }

    /// The first and last extract dates, and the first and last dates of
    /// records without one, over the records of people in a household:
    /// the span assessment reads, without reading it.
    pub async fn observed_span(
        &self,
    ) -> Result<
        (
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
        ),
        StoreError,
    > {
        const SQL: &str = "SELECT MIN(s.extract_date) AS e0, MAX(s.extract_date) AS e1,
                    MIN(CASE WHEN s.extract_date IS NULL THEN s.event_date END) AS v0,
                    MAX(CASE WHEN s.extract_date IS NULL THEN s.event_date END) AS v1
             FROM source_records s JOIN person_records pr ON pr.source = s.source AND pr.record_key = s.record_key
             WHERE pr.person_id IN (SELECT person_id FROM household_members)";
        let (e0, e1, v0, v1) = on_pool!(self, p => {
            let r = sqlx::query(SQL).fetch_one(p).await?;
            (
                r.try_get::<Option<String>, _>("e0")?,
                r.try_get::<Option<String>, _>("e1")?,
                r.try_get::<Option<String>, _>("v0")?,
                r.try_get::<Option<String>, _>("v1")?,
            )
        });
        Ok((
            parse_opt(e0)?,
            parse_opt(e1)?,
            parse_opt(v0)?,
            parse_opt(v1)?,
        ))
    }

    async fn observations_where(
        &self,
        persons: Option<&[i64]>,
    ) -> Result<Vec<LinkedObservation>, StoreError> {
        // Placeholders $1..$n, as both databases read them.
        let filter = persons.map_or_else(String::new, |ids| {
            let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
            format!(" WHERE pr.person_id IN ({})", marks.join(", "))
        });
        let sql = format!(
            "SELECT pr.person_id, s.source, s.record_key, s.row_means, s.extract_date, s.event_date, s.dob, s.attributes
             FROM source_records s JOIN person_records pr ON pr.source = s.source AND pr.record_key = s.record_key{filter}
             ORDER BY pr.person_id, s.extract_date, s.id"
        );
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query(&sql);
            for id in persons.unwrap_or_default() {
                q = q.bind(*id);
            }
            let rows = q.fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get::<i64, _>("person_id")?,
                    r.try_get::<String, _>("source")?,
                    r.try_get::<String, _>("record_key")?,
                    r.try_get::<String, _>("row_means")?,
                    r.try_get::<Option<String>, _>("extract_date")?,
                    r.try_get::<Option<String>, _>("event_date")?,
                    r.try_get::<Option<String>, _>("dob")?,
                    r.try_get::<String, _>("attributes")?,
                ));
            }
            out
        });
        rows.into_iter()
            .map(
                |(person, source, record_key, row_means, e, ev, dob, attributes)| {
                    Ok(LinkedObservation {
                        person,
                        source,
                        record_key,
                        row_means,
                        extract_date: parse_opt(e)?,
                        event_date: parse_opt(ev)?,
                        dob: parse_opt(dob)?,
                        attributes,
                    })
                },
            )
            .collect()
    }

    /// Save an assessment run, all or nothing. Returns its id.
    pub async fn save_assessment(
        &self,
        link_run_id: i64,
        run: &AssessmentSave,
    ) -> Result<i64, StoreError> {
        let as_of = run
            .as_of
            .ok_or_else(|| StoreError::Corrupt("an assessment needs its as-of date".into()))?;
        let now = Utc::now().to_rfc3339();
        let id = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO assessment_runs (as_of, run_at, link_run_id, model_version, model, library, households) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(date(as_of))
            .bind(&now)
            .bind(link_run_id)
            .bind(&run.model_version)
            .bind(&run.model)
            .bind(&run.library)
            .bind(run.assessments.len() as i64)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in run.assessments.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO assessments (run_id, household_id, in_crisis, probability, reasons, resilience, resilience_band, resilience_parts, persona, persona_reason) ");
                qb.push_values(chunk, |mut b, a| {
                    b.push_bind(id).push_bind(a.household_id).push_bind(a.in_crisis).push_bind(a.probability)
                        .push_bind(&a.reasons).push_bind(a.resilience).push_bind(&a.resilience_band)
                        .push_bind(&a.resilience_parts).push_bind(&a.persona).push_bind(&a.persona_reason);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.events.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO life_events (run_id, household_id, event, event_date, person_id, detail, evidence) ");
                qb.push_values(chunk, |mut b, e| {
                    b.push_bind(id).push_bind(e.household_id).push_bind(&e.event).push_bind(date(e.date))
                        .push_bind(e.person_id).push_bind(&e.detail).push_bind(&e.evidence);
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The newest assessment run (by as-of date, then by when it ran).
    pub async fn latest_assessment_run(&self) -> Result<Option<AssessmentRunInfo>, StoreError> {
        const SQL: &str = "SELECT id, as_of, run_at, model_version, households FROM assessment_runs ORDER BY as_of DESC, id DESC LIMIT 1";
        let row = on_pool!(self, p => {
            match sqlx::query(SQL).fetch_optional(p).await? {
                Some(r) => Some((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<String, _>("as_of")?,
                    r.try_get::<String, _>("run_at")?,
                    r.try_get::<String, _>("model_version")?,
                    r.try_get::<i64, _>("households")?,
                )),
                None => None,
            }
        });
        row.map(|(id, as_of, run_at, model_version, households)| {
            Ok(AssessmentRunInfo {
                id,
                as_of: parse(&as_of)?,
                run_at,
                model_version,
                households,
            })
        })
        .transpose()
    }

    /// The assessments of one run.
    pub async fn assessments(&self, run_id: i64) -> Result<Vec<SavedAssessment>, StoreError> {
        const SQL: &str = "SELECT household_id, in_crisis, probability, reasons, resilience, resilience_band, resilience_parts, persona, persona_reason FROM assessments WHERE run_id = $1 ORDER BY household_id";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).bind(run_id).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(SavedAssessment {
                    household_id: r.try_get("household_id")?,
                    in_crisis: r.try_get("in_crisis")?,
                    probability: r.try_get("probability")?,
                    reasons: r.try_get("reasons")?,
                    resilience: r.try_get("resilience")?,
                    resilience_band: r.try_get("resilience_band")?,
                    resilience_parts: r.try_get("resilience_parts")?,
                    persona: r.try_get("persona")?,
                    persona_reason: r.try_get("persona_reason")?,
                });
            }
            out
        });
        Ok(rows)
    }

    /// The life events one run found for one household, newest first.
    pub async fn life_events(
        &self,
        run_id: i64,
        household_id: i64,
    ) -> Result<Vec<SavedEvent>, StoreError> {
        const SQL: &str = "SELECT household_id, event, event_date, person_id, detail, evidence FROM life_events WHERE run_id = $1 AND household_id = $2 ORDER BY event_date DESC, event";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).bind(run_id).bind(household_id).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get::<i64, _>("household_id")?,
                    r.try_get::<String, _>("event")?,
                    r.try_get::<String, _>("event_date")?,
                    r.try_get::<Option<i64>, _>("person_id")?,
                    r.try_get::<String, _>("detail")?,
                    r.try_get::<String, _>("evidence")?,
                ));
            }
            out
        });
        rows.into_iter()
            .map(|(household_id, event, d, person_id, detail, evidence)| {
                Ok(SavedEvent {
                    household_id,
                    event,
                    date: parse(&d)?,
                    person_id,
                    detail,
                    evidence,
                })
            })
            .collect()
    }

    /// Create or change a team.
    pub async fn save_team(&self, t: &Team) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO teams (name, capacity, areas, recent_contact_days, min_probability) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET capacity = excluded.capacity, areas = excluded.areas,
               recent_contact_days = excluded.recent_contact_days, min_probability = excluded.min_probability";
        on_pool!(self, p => {
            sqlx::query(SQL)
                .bind(&t.name)
                .bind(t.capacity)
                .bind(t.areas.join(","))
                .bind(t.recent_contact_days)
                .bind(t.min_probability)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    pub async fn teams(&self) -> Result<Vec<Team>, StoreError> {
        const SQL: &str = "SELECT name, capacity, areas, recent_contact_days, min_probability FROM teams ORDER BY name";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let areas: String = r.try_get("areas")?;
                out.push(Team {
                    name: r.try_get("name")?,
                    capacity: r.try_get("capacity")?,
                    areas: areas.split(',').filter(|a| !a.is_empty()).map(String::from).collect(),
                    recent_contact_days: r.try_get("recent_contact_days")?,
                    min_probability: r.try_get("min_probability")?,
                });
            }
            out
        });
        Ok(rows)
    }

    /// Set a fast-track flag; returns its id.
    pub async fn add_flag(
        &self,
        household_id: i64,
        set_by: &str,
        reason: &str,
        expires_on: NaiveDate,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO fast_track_flags (household_id, set_by, set_at, reason, expires_on) VALUES ($1, $2, $3, $4, $5) RETURNING id";
        let now = Utc::now().to_rfc3339();
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(household_id).bind(set_by).bind(&now).bind(reason).bind(date(expires_on))
            .fetch_one(p).await?);
        Ok(id)
    }

    /// Clear a flag before it expires; false when there was no such open flag.
    pub async fn clear_flag(&self, id: i64) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE fast_track_flags SET cleared_at = $1 WHERE id = $2 AND cleared_at IS NULL";
        let now = Utc::now().to_rfc3339();
        let n = on_pool!(self, p => sqlx::query(SQL).bind(&now).bind(id).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Every flag ever set (the worklist decides which still apply).
    pub async fn flags(&self) -> Result<Vec<Flag>, StoreError> {
        const SQL: &str = "SELECT id, household_id, set_by, set_at, reason, expires_on, cleared_at FROM fast_track_flags ORDER BY id";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<i64, _>("household_id")?,
                    r.try_get::<String, _>("set_by")?,
                    r.try_get::<String, _>("set_at")?,
                    r.try_get::<String, _>("reason")?,
                    r.try_get::<String, _>("expires_on")?,
                    r.try_get::<Option<String>, _>("cleared_at")?,
                ));
            }
            out
        });
        rows.into_iter()
            .map(
                |(id, household_id, set_by, set_at, reason, expires, cleared_at)| {
                    Ok(Flag {
                        id,
                        household_id,
                        set_by,
                        set_at,
                        reason,
                        expires_on: parse(&expires)?,
                        cleared_at,
                    })
                },
            )
            .collect()
    }

    /// Record (or withdraw) a resident's wish not to be contacted proactively.
    pub async fn set_do_not_contact(
        &self,
        household_id: i64,
        do_not_contact: bool,
        recorded_by: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO contact_preferences (household_id, do_not_contact, recorded_by, recorded_at, note) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (household_id) DO UPDATE SET do_not_contact = excluded.do_not_contact,
               recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at, note = excluded.note";
        let now = Utc::now().to_rfc3339();
        on_pool!(self, p => {
            sqlx::query(SQL).bind(household_id).bind(do_not_contact).bind(recorded_by).bind(&now).bind(note)
                .execute(p).await?;
        });
        Ok(())
    }

    pub async fn do_not_contact(&self) -> Result<Vec<i64>, StoreError> {
        const SQL: &str = "SELECT household_id FROM contact_preferences WHERE do_not_contact ORDER BY household_id";
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(SQL).fetch_all(p).await?);
        Ok(ids)
    }

    /// Record a contact made with a household.
    pub async fn record_contact(
        &self,
        household_id: i64,
        on: NaiveDate,
        channel: &str,
        outcome: &str,
        recorded_by: &str,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO contacts (household_id, contacted_on, channel, outcome, recorded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(household_id).bind(date(on)).bind(channel).bind(outcome).bind(recorded_by)
            .fetch_one(p).await?);
        Ok(id)
    }

    /// Each household's latest contact date.
    pub async fn last_contacts(&self) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
        const SQL: &str = "SELECT household_id, MAX(contacted_on) AS last FROM contacts GROUP BY household_id ORDER BY household_id";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((r.try_get::<i64, _>("household_id")?, r.try_get::<String, _>("last")?));
            }
            out
        });
        rows.into_iter().map(|(h, d)| Ok((h, parse(&d)?))).collect()
    }

    /// Open a case for a household; returns its id.
    pub async fn open_case(&self, household_id: i64, on: NaiveDate) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO cases (household_id, status, opened_on) VALUES ($1, 'open', $2) RETURNING id";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(household_id).bind(date(on)).fetch_one(p).await?);
        Ok(id)
    }

    /// Households with a case still open.
    pub async fn open_case_households(&self) -> Result<Vec<i64>, StoreError> {
        const SQL: &str =
            "SELECT DISTINCT household_id FROM cases WHERE status = 'open' ORDER BY household_id";
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(SQL).fetch_all(p).await?);
        Ok(ids)
    }

    /// Keep a team's list for a week. A week's list is made once: when one
    /// is already kept, nothing is written and the kept one is returned.
    pub async fn keep_worklist(&self, w: &NewWorklist) -> Result<(WorklistRow, bool), StoreError> {
        if let Some(kept) = self.worklist(&w.team, w.week_start).await? {
            return Ok((kept, false));
        }
        let now = Utc::now().to_rfc3339();
        let ids: Vec<i64> = w.entries.iter().map(|e| e.household_id).collect();
        let names: std::collections::HashMap<i64, String> =
            self.household_names(&ids).await?.into_iter().collect();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO worklists (team, week_start, assessment_run_id, created_at, capacity, excluded) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&w.team).bind(date(w.week_start)).bind(w.assessment_run_id).bind(&now).bind(w.capacity).bind(&w.excluded)
            .fetch_one(&mut *tx).await?;
            for chunk in w.entries.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO worklist_entries (worklist_id, rank, household_id, probability, persona, fast_tracked, why, names) ");
                qb.push_values(chunk, |mut b, e| {
                    b.push_bind(id).push_bind(e.rank).push_bind(e.household_id).push_bind(e.probability)
                        .push_bind(&e.persona).push_bind(e.fast_tracked).push_bind(&e.why)
                        .push_bind(names.get(&e.household_id).cloned().unwrap_or_default());
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        let kept = self
            .worklist(&w.team, w.week_start)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a kept worklist vanished".into()))?;
        Ok((kept, true))
    }

    /// A team's kept list for a week, if one was made.
    pub async fn worklist(
        &self,
        team: &str,
        week_start: NaiveDate,
    ) -> Result<Option<WorklistRow>, StoreError> {
        const HEAD: &str = "SELECT id, team, week_start, assessment_run_id, created_at, capacity, excluded FROM worklists WHERE team = $1 AND week_start = $2";
        const ENTRIES: &str = "SELECT rank, household_id, probability, persona, fast_tracked, why, names FROM worklist_entries WHERE worklist_id = $1 ORDER BY rank";
        let found = on_pool!(self, p => {
            match sqlx::query(HEAD).bind(team).bind(date(week_start)).fetch_optional(p).await? {
                None => None,
                Some(r) => {
                    let id: i64 = r.try_get("id")?;
                    let mut entries = Vec::new();
                    for e in sqlx::query(ENTRIES).bind(id).fetch_all(p).await? {
                        entries.push(WorklistEntryRow {
                            rank: e.try_get("rank")?,
                            household_id: e.try_get("household_id")?,
                            probability: e.try_get("probability")?,
                            persona: e.try_get("persona")?,
                            fast_tracked: e.try_get("fast_tracked")?,
                            why: e.try_get("why")?,
                            names: e.try_get("names")?,
                        });
                    }
                    Some((
                        id,
                        r.try_get::<String, _>("team")?,
                        r.try_get::<String, _>("week_start")?,
                        r.try_get::<i64, _>("assessment_run_id")?,
                        r.try_get::<String, _>("created_at")?,
                        r.try_get::<i32, _>("capacity")?,
                        r.try_get::<String, _>("excluded")?,
                        entries,
                    ))
                }
            }
        });
        found
            .map(
                |(id, team, week, assessment_run_id, created_at, capacity, excluded, entries)| {
                    Ok(WorklistRow {
                        id,
                        team,
                        week_start: parse(&week)?,
                        assessment_run_id,
                        created_at,
                        capacity,
                        excluded,
                        entries,
                    })
                },
            )
            .transpose()
    }

    /// Contacts and cases for a household on or after a date: what happened
    /// after it was put on a list.
    pub async fn aftermath(
        &self,
        household_id: i64,
        since: NaiveDate,
    ) -> Result<Aftermath, StoreError> {
        const CONTACTS: &str = "SELECT contacted_on, channel, outcome FROM contacts WHERE household_id = $1 AND contacted_on >= $2 ORDER BY contacted_on, id";
        const CASES: &str = "SELECT opened_on, status FROM cases WHERE household_id = $1 AND opened_on >= $2 ORDER BY opened_on, id";
        let (contacts, cases) = on_pool!(self, p => {
            let mut contacts = Vec::new();
            for r in sqlx::query(CONTACTS).bind(household_id).bind(date(since)).fetch_all(p).await? {
                contacts.push((
                    r.try_get::<String, _>("contacted_on")?,
                    r.try_get::<String, _>("channel")?,
                    r.try_get::<String, _>("outcome")?,
                ));
            }
            let mut cases = Vec::new();
            for r in sqlx::query(CASES).bind(household_id).bind(date(since)).fetch_all(p).await? {
                cases.push((r.try_get::<String, _>("opened_on")?, r.try_get::<String, _>("status")?));
            }
            (contacts, cases)
        });
        Ok(Aftermath {
            contacts: contacts
                .into_iter()
                .map(|(d, c, o)| Ok((parse(&d)?, c, o)))
                .collect::<Result<_, StoreError>>()?,
            cases: cases
                .into_iter()
                .map(|(d, s)| Ok((parse(&d)?, s)))
                .collect::<Result<_, StoreError>>()?,
        })
    }
}
