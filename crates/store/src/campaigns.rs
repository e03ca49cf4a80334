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

    /// Campaigns, newest first.
    pub async fn campaigns(&self) -> Result<Vec<CampaignRow>, StoreError> {
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar("SELECT id FROM campaigns ORDER BY id DESC").fetch_all(p).await?);
        let mut out = Vec::new();
        for id in ids {
            if let Some(c) = self.campaign(id).await? {
                out.push(c);
            }
        }
        Ok(out)
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
                        steps.push(NewCampaignStep {
                            day_offset: s.try_get("day_offset")?,
                            channel: s.try_get("channel")?,
                            template_name: s.try_get("template_name")?,
                            skip_if: s.try_get("skip_if")?,
                        });
                    }
                    Some((
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
                            steps,
                        },
                        r.try_get::<String, _>("started_on")?,
                    ))
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
        for chunk in ids.chunks(400) {
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
