//! Door-knocking rounds: the doors in walking order, and each door's
//! outcome, recorded once on the spot and kept as a contact on the household.

use crate::accounts::stamp;
use crate::{parse_iso, Pool, Store, StoreError};
use chrono::{NaiveDate, Utc};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDoor {
    pub household_id: i64,
    pub street: String,
    pub address: String,
    pub postcode: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRound {
    pub team: String,
    pub name: String,
    pub campaign_id: Option<i64>,
    pub step_no: Option<i32>,
    pub visit_in_pairs: bool,
    pub safety_note: String,
    pub created_on: NaiveDate,
    /// In the order to walk them.
    pub doors: Vec<NewDoor>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRow {
    pub id: i64,
    pub team: String,
    pub name: String,
    pub campaign_id: Option<i64>,
    pub step_no: Option<i32>,
    pub visit_in_pairs: bool,
    pub safety_note: String,
    pub created_on: NaiveDate,
    pub doors: i64,
    pub knocked: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorRow {
    pub position: i32,
    pub household_id: i64,
    pub street: String,
    pub address: String,
    pub postcode: String,
    pub outcome: Option<String>,
    pub note: String,
    pub recorded_by: Option<String>,
}

const ROUND_SQL: &str = "SELECT r.id, r.team, r.name, r.campaign_id, r.step_no, r.visit_in_pairs, r.safety_note, r.created_on,
        (SELECT COUNT(*) FROM knock_doors d WHERE d.round_id = r.id) AS doors,
        (SELECT COUNT(*) FROM knock_doors d WHERE d.round_id = r.id AND d.outcome IS NOT NULL) AS knocked
     FROM knock_rounds r";

macro_rules! round_row {
    ($r:expr) => {{
        let r = $r;
        (
            RoundRow {
                id: r.try_get("id")?,
                team: r.try_get("team")?,
                name: r.try_get("name")?,
                campaign_id: r.try_get("campaign_id")?,
                step_no: r.try_get("step_no")?,
                visit_in_pairs: r.try_get("visit_in_pairs")?,
                safety_note: r.try_get("safety_note")?,
                created_on: NaiveDate::MIN,
                doors: r.try_get("doors")?,
                knocked: r.try_get("knocked")?,
            },
            r.try_get::<String, _>("created_on")?,
        )
    }};
}

impl Store {
    /// Keep a round with its doors in walking order, in one transaction.
    pub async fn create_knock_round(&self, round: &NewRound, by: i64) -> Result<i64, StoreError> {
        const ROUND: &str = "INSERT INTO knock_rounds (team, name, campaign_id, step_no, visit_in_pairs, safety_note, created_by, created_at, created_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        const DOOR: &str = "INSERT INTO knock_doors (round_id, position, household_id, street, address, postcode) VALUES ($1, $2, $3, $4, $5, $6)";
        let now = stamp(Utc::now());
        let on = round.created_on.format("%Y-%m-%d").to_string();
        let id = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(ROUND)
                .bind(&round.team).bind(&round.name).bind(round.campaign_id).bind(round.step_no)
                .bind(round.visit_in_pairs).bind(&round.safety_note).bind(by).bind(&now).bind(&on)
                .fetch_one(&mut *tx).await?;
            for (i, d) in round.doors.iter().enumerate() {
                sqlx::query(DOOR).bind(id).bind(i as i32 + 1).bind(d.household_id).bind(&d.street)
                    .bind(&d.address).bind(&d.postcode)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// A team's rounds, newest first.
    pub async fn knock_rounds(&self, team: &str) -> Result<Vec<RoundRow>, StoreError> {
        let sql = format!("{ROUND_SQL} WHERE r.team = $1 ORDER BY r.id DESC");
        let raw = on_pool!(self, p => {
            let mut out = Vec::new();
            for r in sqlx::query(&sql).bind(team).fetch_all(p).await? {
                out.push(round_row!(&r));
            }
            out
        });
        raw.into_iter()
            .map(|(mut r, on)| {
                r.created_on = parse_iso(&on)?;
                Ok(r)
            })
            .collect()
    }

    /// One round and its doors in walking order.
    pub async fn knock_round(
        &self,
        id: i64,
    ) -> Result<Option<(RoundRow, Vec<DoorRow>)>, StoreError> {
        let sql = format!("{ROUND_SQL} WHERE r.id = $1");
        const DOORS: &str =
            "SELECT position, household_id, street, address, postcode, outcome, note, recorded_by
             FROM knock_doors WHERE round_id = $1 ORDER BY position";
        let found = on_pool!(self, p => {
            match sqlx::query(&sql).bind(id).fetch_optional(p).await? {
                None => None,
                Some(r) => {
                    let head = round_row!(&r);
                    let mut doors = Vec::new();
                    for d in sqlx::query(DOORS).bind(id).fetch_all(p).await? {
                        doors.push(DoorRow {
                            position: d.try_get("position")?,
                            household_id: d.try_get("household_id")?,
                            street: d.try_get("street")?,
                            address: d.try_get("address")?,
                            postcode: d.try_get("postcode")?,
                            outcome: d.try_get("outcome")?,
                            note: d.try_get("note")?,
                            recorded_by: d.try_get("recorded_by")?,
                        });
                    }
                    Some((head, doors))
                }
            }
        });
        match found {
            None => Ok(None),
            Some(((mut r, on), doors)) => {
                r.created_on = parse_iso(&on)?;
                Ok(Some((r, doors)))
            }
        }
    }

    /// Households already on one of a campaign's rounds for this step.
    pub async fn campaign_round_households(
        &self,
        campaign_id: i64,
        step_no: i32,
    ) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
        const SQL: &str = "SELECT d.household_id, r.created_on FROM knock_doors d JOIN knock_rounds r ON r.id = d.round_id
             WHERE r.campaign_id = $1 AND r.step_no = $2";
        let rows: Vec<(i64, String)> = on_pool!(self, p => sqlx::query_as(SQL).bind(campaign_id).bind(step_no).fetch_all(p).await?);
        rows.into_iter()
            .map(|(h, on)| Ok((h, parse_iso(&on)?)))
            .collect()
    }

    /// Record what happened at one door, once: the door's outcome and a
    /// contact on the household (a home visit), in one transaction. False
    /// when the door is not on the round or was already recorded.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_knock(
        &self,
        round_id: i64,
        household_id: i64,
        outcome: &str,
        contact_outcome: &str,
        note: &str,
        by: &str,
        on: NaiveDate,
    ) -> Result<bool, StoreError> {
        const DOOR: &str =
            "UPDATE knock_doors SET outcome = $1, note = $2, recorded_by = $3, recorded_at = $4
             WHERE round_id = $5 AND household_id = $6 AND outcome IS NULL";
        const CONTACT: &str = "INSERT INTO contacts (household_id, contacted_on, channel, outcome, recorded_by, note) VALUES ($1, $2, 'home_visit', $3, $4, $5)";
        let now = stamp(Utc::now());
        let day = on.format("%Y-%m-%d").to_string();
        let done = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query(DOOR).bind(outcome).bind(note).bind(by).bind(&now).bind(round_id).bind(household_id)
                .execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                sqlx::query(CONTACT).bind(household_id).bind(&day).bind(contact_outcome).bind(by).bind(note)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            n == 1
        });
        Ok(done)
    }
}
