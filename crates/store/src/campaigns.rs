//! Campaigns: who is in one (and in which arm of its experiment), its steps,
//! what each step left out and why; and the facts about households that the
//! contact rules need, read a cohort at a time.

use crate::accounts::stamp;
use crate::{parse_iso, Pool, Store, StoreError};
use chrono::{NaiveDate, Utc};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaignStep {
    pub day_offset: i32,
    /// The outreach crate's channel code (`letter`, `text`, `email`,
    /// `phone_call`, `door_knock`).
    pub channel: String,
    pub template_name: Option<String>,
    /// JSON list of skip conditions.
    pub skip_if: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    pub name: String,
    pub team: String,
    /// What the cohort was, in words kept with it ("Prevention team's list
    /// for the week of 2 March 2026").
    pub cohort: String,
    pub seed: i64,
    pub holdout_percent: i32,
    pub started_on: NaiveDate,
    pub steps: Vec<NewCampaignStep>,
    /// (household, arm): `contact` or `held_back`.
    pub members: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub team: String,
    pub cohort: String,
    pub status: String,
    pub seed: i64,
    pub holdout_percent: i32,
    pub created_by: i64,
    pub started_on: NaiveDate,
    pub steps: Vec<NewCampaignStep>,
}

/// Households left out of a step for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionCount {
    pub step_no: i32,
    pub reason_code: String,
    pub reason: String,
    pub households: i64,
}

/// What the contact rules need to know of one household, from storage.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HouseholdContactFacts {
    pub household_id: i64,
    /// Teams holding an open case for it.
    pub open_case_teams: Vec<String>,
    /// Days cases were opened (any status).
    pub cases_opened: Vec<NaiveDate>,
    /// (day, channel, outcome) of each contact staff recorded.
    pub contacts: Vec<(NaiveDate, String, String)>,
}

/// A `CampaignRow` without its steps or start day (filled in after) from a
/// row of either database (a macro: the two row types share no trait).
macro_rules! campaign_head {
    ($r:expr) => {{
        let r = $r;
        CampaignRow {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            team: r.try_get("team")?,
            cohort: r.try_get("cohort")?,
            status: r.try_get("status")?,
            seed: r.try_get("seed")?,
            holdout_percent: r.try_get("holdout_percent")?,
            created_by: r.try_get("created_by")?,
            started_on: NaiveDate::MIN,
            steps: Vec::new(),
        }
    }};
}

macro_rules! campaign_step {
    ($s:expr) => {{
        let s = $s;
        NewCampaignStep {
            day_offset: s.try_get("day_offset")?,
            channel: s.try_get("channel")?,
            template_name: s.try_get("template_name")?,
            skip_if: s.try_get("skip_if")?,
        }
    }};
}

impl Store {
    /// Make a campaign with its steps and members, in one transaction.
    pub async fn create_campaign(&self, c: &NewCampaign, by: i64) -> Result<i64, StoreError> {
        const CAMPAIGN: &str = "INSERT INTO campaigns (name, team, cohort, status, seed, holdout_percent, created_by, created_at, started_on)
             VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, $8) RETURNING id";
        const STEP: &str = "INSERT INTO campaign_steps (campaign_id, step_no, day_offset, channel, template_name, skip_if) VALUES ($1, $2, $3, $4, $5, $6)";
        let now = stamp(Utc::now());
        let started = c.started_on.format("%Y-%m-%d").to_string();
        let id = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(CAMPAIGN)
                .bind(&c.name).bind(&c.team).bind(&c.cohort).bind(c.seed).bind(c.holdout_percent)
                .bind(by).bind(&now).bind(&started)
                .fetch_one(&mut *tx).await?;
            for (i, s) in c.steps.iter().enumerate() {
                sqlx::query(STEP).bind(id).bind(i as i32 + 1).bind(s.day_offset).bind(&s.channel)
                    .bind(&s.template_name).bind(&s.skip_if)
                    .execute(&mut *tx).await?;
            }
            for chunk in c.members.chunks(500) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO campaign_members (campaign_id, household_id, arm, joined_on) ");
                qb.push_values(chunk, |mut b, (h, arm)| {
                    b.push_bind(id).push_bind(*h).push_bind(arm).push_bind(&started);
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Campaigns, newest first: two queries, whatever the number of campaigns.
    pub async fn campaigns(&self) -> Result<Vec<CampaignRow>, StoreError> {
        const HEADS: &str = "SELECT id, name, team, cohort, status, seed, holdout_percent, created_by, started_on FROM campaigns ORDER BY id DESC";
        const STEPS: &str = "SELECT campaign_id, day_offset, channel, template_name, skip_if FROM campaign_steps ORDER BY campaign_id, step_no";
        let (heads, step_rows) = on_pool!(self, p => {
            let mut heads = Vec::new();
            for r in sqlx::query(HEADS).fetch_all(p).await? {
                heads.push((campaign_head!(&r), r.try_get::<String, _>("started_on")?));
            }
            let mut steps = Vec::new();
            for s in sqlx::query(STEPS).fetch_all(p).await? {
                steps.push((s.try_get::<i64, _>("campaign_id")?, campaign_step!(&s)));
            }
            (heads, steps)
        });
        let mut steps: std::collections::BTreeMap<i64, Vec<NewCampaignStep>> =
            std::collections::BTreeMap::new();
        for (id, step) in step_rows {
            steps.entry(id).or_default().push(step);
        }
        heads
            .into_iter()
            .map(|(mut c, started)| {
                c.started_on = parse_iso(&started)?;
                c.steps = steps.remove(&c.id).unwrap_or_default();
                Ok(c)
            })
            .collect()
    }

    pub async fn campaign(&self, id: i64) -> Result<Option<CampaignRow>, StoreError> {
        const HEAD: &str = "SELECT id, name, team, cohort, status, seed, holdout_percent, created_by, started_on FROM campaigns WHERE id = $1";
        const STEPS: &str = "SELECT day_offset, channel, template_name, skip_if FROM campaign_steps WHERE campaign_id = $1 ORDER BY step_no";
        let found = on_pool!(self, p => {
            match sqlx::query(HEAD).bind(id).fetch_optional(p).await? {
                None => None,
                Some(r) => {
                    let mut steps = Vec::new();
                    for s in sqlx::query(STEPS).bind(id).fetch_all(p).await? {
                        steps.push(campaign_step!(&s));
                    }
                    let mut c = campaign_head!(&r);
                    c.steps = steps;
                    Some((c, r.try_get::<String, _>("started_on")?))
                }
            }
        });
        match found {
            None => Ok(None),
            Some((mut c, started)) => {
                c.started_on = parse_iso(&started)?;
                Ok(Some(c))
            }
        }
    }

    /// (household, arm, joined on), by household.
    pub async fn campaign_members(
        &self,
        campaign_id: i64,
    ) -> Result<Vec<(i64, String, NaiveDate)>, StoreError> {
        const SQL: &str = "SELECT household_id, arm, joined_on FROM campaign_members WHERE campaign_id = $1 ORDER BY household_id";
        let rows: Vec<(i64, String, String)> =
            on_pool!(self, p => sqlx::query_as(SQL).bind(campaign_id).fetch_all(p).await?);
        rows.into_iter()
            .map(|(h, arm, d)| Ok((h, arm, parse_iso(&d)?)))
            .collect()
    }

    /// (arm, households) of a campaign: counted in SQL, not read.
    pub async fn campaign_arm_counts(
        &self,
        campaign_id: i64,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        const SQL: &str = "SELECT arm, COUNT(*) FROM campaign_members WHERE campaign_id = $1 GROUP BY arm ORDER BY arm";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(campaign_id).fetch_all(p).await?))
    }

    /// (step, status, messages) of a campaign's outbox: what its page shows,
    /// counted in SQL rather than by reading every message.
    pub async fn campaign_message_counts(
        &self,
        campaign_id: i64,
    ) -> Result<Vec<(Option<i32>, String, i64)>, StoreError> {
        const SQL: &str = "SELECT step_no, status, COUNT(*) FROM outbox WHERE campaign_id = $1 GROUP BY step_no, status ORDER BY step_no, status";
        Ok(on_pool!(self, p => sqlx::query_as(SQL).bind(campaign_id).fetch_all(p).await?))
    }

    /// Replace one step's exclusion counts with these.
    pub async fn save_campaign_exclusions(
        &self,
        campaign_id: i64,
        step_no: i32,
        counts: &[(String, String, i64)],
    ) -> Result<(), StoreError> {
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM campaign_exclusions WHERE campaign_id = $1 AND step_no = $2")
                .bind(campaign_id).bind(step_no).execute(&mut *tx).await?;
            for (code, reason, n) in counts {
                sqlx::query("INSERT INTO campaign_exclusions (campaign_id, step_no, reason_code, reason, households) VALUES ($1, $2, $3, $4, $5)")
                    .bind(campaign_id).bind(step_no).bind(code).bind(reason).bind(n)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn campaign_exclusions(
        &self,
        campaign_id: i64,
    ) -> Result<Vec<ExclusionCount>, StoreError> {
        const SQL: &str = "SELECT step_no, reason_code, reason, households FROM campaign_exclusions WHERE campaign_id = $1 ORDER BY step_no, households DESC, reason_code";
        let rows: Vec<(i32, String, String, i64)> =
            on_pool!(self, p => sqlx::query_as(SQL).bind(campaign_id).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(
                |(step_no, reason_code, reason, households)| ExclusionCount {
                    step_no,
                    reason_code,
                    reason,
                    households,
                },
            )
            .collect())
    }

    /// Open cases (by team), case openings and recorded contacts of these
    /// households: what the contact rules weigh besides messages sent.
    pub async fn household_contact_facts(
        &self,
        ids: &[i64],
    ) -> Result<Vec<HouseholdContactFacts>, StoreError> {
        let mut out: std::collections::BTreeMap<i64, HouseholdContactFacts> = ids
            .iter()
            .map(|h| {
                (
                    *h,
                    HouseholdContactFacts {
                        household_id: *h,
                        ..Default::default()
                    },
                )
            })
            .collect();
        // A campaign reads 1,000 households at a time: one query each.
        for chunk in ids.chunks(1000) {
            let list = |qb: &mut String| {
                qb.push_str(
                    &chunk
                        .iter()
                        .map(|h| h.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                );
                qb.push(')');
            };
            // Ids are integers we hold, so they are written into the text.
            let mut cases = String::from(
                "SELECT household_id, status, COALESCE(team, '') AS team, opened_on FROM cases WHERE household_id IN (",
            );
            list(&mut cases);
            let mut contacts = String::from(
                "SELECT household_id, contacted_on, channel, outcome FROM contacts WHERE household_id IN (",
            );
            list(&mut contacts);
            type CaseRows = Vec<(i64, String, String, String)>;
            type ContactRows = Vec<(i64, String, String, String)>;
            let (case_rows, contact_rows): (CaseRows, ContactRows) = on_pool!(self, p => (
                sqlx::query_as(&cases).fetch_all(p).await?,
                sqlx::query_as(&contacts).fetch_all(p).await?,
            ));
            for (h, status, team, opened) in case_rows {
                if let Some(f) = out.get_mut(&h) {
                    if status == "open" {
                        f.open_case_teams.push(team);
                    }
                    f.cases_opened.push(parse_iso(&opened)?);
                }
            }
            for (h, on, channel, outcome) in contact_rows {
                if let Some(f) = out.get_mut(&h) {
                    f.contacts.push((parse_iso(&on)?, channel, outcome));
                }
            }
        }
        Ok(out.into_values().collect())
    }
}

/// A comma-separated list of ids for `IN (…)`. Ids are integers we hold,
/// so they are written into the text (no bind limit to mind).
fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|h| h.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// What writing to these households needs of the single view, one query
    /// per kind for the lot (a campaign reads a cohort 1,000 households at a
    /// time): each household's address and its members' records, oldest
    /// first, as [`Store::household_detail`] reads them. Residences, the
    /// assessment, life events, flags, contacts and cases are left empty.
    /// Households that do not exist are left out.
    pub async fn households_to_reach(
        &self,
        ids: &[i64],
    ) -> Result<Vec<crate::HouseholdDetail>, StoreError> {
        use crate::{parse_iso_opt, HouseholdDetail, MemberRecord};
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = id_list(ids);
        let heads_sql = format!(
            "SELECT h.id, h.from_date, h.to_date, h.current, a.address, a.postcode
             FROM households h JOIN addresses a ON a.id = h.address_id WHERE h.id IN ({list}) ORDER BY h.id"
        );
        let members_sql = format!(
            "SELECT household_id, person_id FROM household_members WHERE household_id IN ({list}) ORDER BY household_id, person_id"
        );
        // Each household's rows in `household_detail`'s order.
        let records_sql = format!(
            "SELECT m.household_id, pr.person_id, s.source, s.record_key, s.extract_date, s.forename, s.surname, s.dob, s.phone, s.email
             FROM household_members m JOIN person_records pr ON pr.person_id = m.person_id
             JOIN source_records s ON s.source = pr.source AND s.record_key = pr.record_key
             WHERE m.household_id IN ({list}) ORDER BY m.household_id, s.extract_date, s.id"
        );
        type Head = (i64, String, String, bool, Option<String>, Option<String>);
        type Rec = (
            i64,
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let (heads, members, records): (Vec<Head>, Vec<(i64, i64)>, Vec<Rec>) = on_pool!(self, p => {
            let mut heads = Vec::new();
            for r in sqlx::query(&heads_sql).fetch_all(p).await? {
                heads.push((r.try_get("id")?, r.try_get("from_date")?, r.try_get("to_date")?,
                    r.try_get("current")?, r.try_get("address")?, r.try_get("postcode")?));
            }
            let members = sqlx::query_as(&members_sql).fetch_all(p).await?;
            let mut records = Vec::new();
            for r in sqlx::query(&records_sql).fetch_all(p).await? {
                records.push((r.try_get("household_id")?, r.try_get("person_id")?, r.try_get("source")?,
                    r.try_get("record_key")?, r.try_get("extract_date")?, r.try_get("forename")?,
                    r.try_get("surname")?, r.try_get("dob")?, r.try_get("phone")?, r.try_get("email")?));
            }
            (heads, members, records)
        });
        let mut out: std::collections::BTreeMap<i64, HouseholdDetail> =
            std::collections::BTreeMap::new();
        for (id, from, to, current, address, postcode) in heads {
            out.insert(
                id,
                HouseholdDetail {
                    id,
                    from: parse_iso(&from)?,
                    to: parse_iso(&to)?,
                    current,
                    address,
                    postcode,
                    members: Vec::new(),
                    records: Vec::new(),
                    residences: Vec::new(),
                    assessed_on: None,
                    assessment: None,
                    events: Vec::new(),
                    flags: Vec::new(),
                    contacts: Vec::new(),
                    cases: Vec::new(),
                },
            );
        }
        for (h, person) in members {
            if let Some(d) = out.get_mut(&h) {
                d.members.push(person);
            }
        }
        for (h, person_id, source, record_key, extract, forename, surname, dob, phone, email) in
            records
        {
            if let Some(d) = out.get_mut(&h) {
                d.records.push(MemberRecord {
                    person_id,
                    source,
                    record_key,
                    extract_date: parse_iso_opt(extract)?,
                    forename,
                    surname,
                    dob: parse_iso_opt(dob)?,
                    phone,
                    email,
                });
            }
        }
        Ok(out.into_values().collect())
    }

    /// The contact preferences recorded for these households (those with
    /// none are left out), by household.
    pub async fn contact_preferences_of(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::BTreeMap<i64, crate::ContactPreferences>, StoreError> {
        let mut out = std::collections::BTreeMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT household_id, do_not_contact, preferred_channel, language, safe_contact, no_letters, text_only, no_calls, note, recorded_by, recorded_at
             FROM contact_preferences WHERE household_id IN ({})",
            id_list(ids)
        );
        on_pool!(self, p => {
            for r in sqlx::query(&sql).fetch_all(p).await? {
                out.insert(r.try_get::<i64, _>("household_id")?, crate::ContactPreferences {
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
                });
            }
        });
        Ok(out)
    }

    /// The council's own contact details of these households, each
    /// household's oldest first, as [`Store::contact_details`] reads them.
    pub async fn contact_details_of(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::BTreeMap<i64, Vec<crate::ContactDetailRow>>, StoreError> {
        let mut out: std::collections::BTreeMap<i64, Vec<crate::ContactDetailRow>> =
            std::collections::BTreeMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT d.household_id, d.id, d.person_id, d.kind, d.value, d.usable, d.note, COALESCE(u.display_name, '') AS by_name, d.recorded_at
             FROM contact_details d LEFT JOIN users u ON u.id = d.recorded_by
             WHERE d.household_id IN ({}) ORDER BY d.household_id, d.recorded_at, d.id",
            id_list(ids)
        );
        type Raw = (
            i64,
            i64,
            Option<i64>,
            String,
            String,
            bool,
            String,
            String,
            String,
        );
        let raws: Vec<Raw> = on_pool!(self, p => {
            let mut v = Vec::new();
            for r in sqlx::query(&sql).fetch_all(p).await? {
                v.push((r.try_get("household_id")?, r.try_get("id")?, r.try_get("person_id")?, r.try_get("kind")?,
                    r.try_get("value")?, r.try_get("usable")?, r.try_get("note")?, r.try_get("by_name")?,
                    r.try_get("recorded_at")?));
            }
            v
        });
        for (h, id, person_id, kind, value, usable, note, recorded_by, at) in raws {
            out.entry(h).or_default().push(crate::ContactDetailRow {
                id,
                person_id,
                kind,
                value,
                usable,
                note,
                recorded_by,
                recorded_at: crate::parse_time(&at)?,
            });
        }
        Ok(out)
    }

    /// Which of these numbers asked for no more texts.
    pub async fn text_opted_out_among(
        &self,
        phones: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut out = std::collections::HashSet::new();
        for chunk in phones.chunks(1000) {
            let found: Vec<String> = on_pool!(self, p => {
                let mut qb = sqlx::QueryBuilder::new("SELECT phone FROM text_opt_outs WHERE phone IN (");
                let mut list = qb.separated(", ");
                for phone in chunk {
                    list.push_bind(phone);
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(p).await?
            });
            out.extend(found);
        }
        Ok(out)
    }
}

impl Store {
    /// Current households whose address's postcode is like `pattern` (SQL
    /// `LIKE`, upper case: `B11 %` for a district, `B11 1%` for a sector),
    /// by id.
    pub async fn current_households_with_postcode_like(
        &self,
        pattern: &str,
    ) -> Result<Vec<i64>, StoreError> {
        const SQL: &str = "SELECT h.id FROM households h JOIN addresses a ON a.id = h.address_id
             WHERE h.current AND UPPER(a.postcode) LIKE $1 ORDER BY h.id";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).bind(pattern).fetch_all(p).await?))
    }

    /// Current households as the latest assessment saw them: with this
    /// persona, and/or a risk of crisis of at least this probability.
    pub async fn current_households_assessed(
        &self,
        persona: Option<&str>,
        min_probability: Option<f64>,
    ) -> Result<Vec<i64>, StoreError> {
        const SQL: &str =
            "SELECT a.household_id FROM assessments a JOIN households h ON h.id = a.household_id
             WHERE h.current
               AND a.run_id = (SELECT id FROM assessment_runs ORDER BY as_of DESC, id DESC LIMIT 1)
               AND ($1 = '' OR a.persona = $1)
               AND a.probability >= $2
             ORDER BY a.household_id";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(persona.unwrap_or(""))
            .bind(min_probability.unwrap_or(0.0))
            .fetch_all(p)
            .await?))
    }

    /// The personas the latest assessment gave, for a message that names them.
    pub async fn latest_personas(&self) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT DISTINCT persona FROM assessments
             WHERE run_id = (SELECT id FROM assessment_runs ORDER BY as_of DESC, id DESC LIMIT 1) AND persona <> ''
             ORDER BY persona";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).fetch_all(p).await?))
    }

    /// Which of these households are current, by id.
    pub async fn current_households_among(&self, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let sql = format!(
                "SELECT id FROM households WHERE current AND id IN ({}) ORDER BY id",
                id_list(chunk)
            );
            let found: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(&sql).fetch_all(p).await?);
            out.extend(found);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The first `limit` current households by id (a benchmark's cohort).
    pub async fn current_household_ids(&self, limit: i64) -> Result<Vec<i64>, StoreError> {
        const SQL: &str = "SELECT id FROM households WHERE current ORDER BY id LIMIT $1";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).bind(limit).fetch_all(p).await?))
    }
}
