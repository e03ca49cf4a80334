//! Counts for analysts: how many, never who. Each figure is a GROUP BY over
//! the latest assessment and the casework; the page suppresses small ones.

use crate::{Pool, Store, StoreError};
use chrono::NaiveDate;
use sqlx::Row;

/// The counts behind the analysts' start page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Figures {
    /// The latest assessment's date, if there is one.
    pub assessed_on: Option<NaiveDate>,
    pub households_assessed: i64,
    pub in_crisis: i64,
    /// (persona code, households), most first.
    pub personas: Vec<(String, i64)>,
    /// (team, open cases).
    pub open_cases: Vec<(String, i64)>,
    /// (closure reason code, closed cases), most first.
    pub closed_cases: Vec<(String, i64)>,
    /// (status, referrals in).
    pub referrals: Vec<(String, i64)>,
    /// (duty kind, duties started).
    pub duties: Vec<(String, i64)>,
}

impl Store {
    pub async fn figures(&self) -> Result<Figures, StoreError> {
        let mut f = Figures::default();
        if let Some(run) = self.latest_assessment_run().await? {
            f.assessed_on = Some(run.as_of);
            const TOTALS: &str = "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN in_crisis THEN 1 ELSE 0 END), 0) AS crisis
                 FROM assessments WHERE run_id = $1";
            const PERSONAS: &str =
                "SELECT persona AS k, COUNT(*) AS n FROM assessments WHERE run_id = $1
                 GROUP BY persona ORDER BY n DESC, persona";
            on_pool!(self, p => {
                let r = sqlx::query(TOTALS).bind(run.id).fetch_one(p).await?;
                f.households_assessed = r.try_get("n")?;
                f.in_crisis = r.try_get("crisis")?;
                for r in sqlx::query(PERSONAS).bind(run.id).fetch_all(p).await? {
                    f.personas.push((r.try_get("k")?, r.try_get("n")?));
                }
            });
        }
        const OPEN: &str =
            "SELECT COALESCE(team, '') AS k, COUNT(*) AS n FROM cases WHERE status = 'open'
             GROUP BY team ORDER BY k";
        const CLOSED: &str = "SELECT COALESCE(closure_reason, '') AS k, COUNT(*) AS n FROM cases WHERE status = 'closed'
             GROUP BY closure_reason ORDER BY n DESC, k";
        const REFERRALS: &str =
            "SELECT status AS k, COUNT(*) AS n FROM referrals WHERE direction = 'in'
             GROUP BY status ORDER BY k";
        const DUTIES: &str = "SELECT kind AS k, COUNT(*) AS n FROM duties GROUP BY kind ORDER BY k";
        on_pool!(self, p => {
            for (sql, into) in [
                (OPEN, &mut f.open_cases),
                (CLOSED, &mut f.closed_cases),
                (REFERRALS, &mut f.referrals),
                (DUTIES, &mut f.duties),
            ] {
                for r in sqlx::query(sql).fetch_all(p).await? {
                    into.push((r.try_get("k")?, r.try_get("n")?));
                }
            }
        });
        Ok(f)
    }
}
