//! The monthly run's own records: each run and step, the lock that keeps two
//! runs from overlapping, and the questions a run asks to tell whether a
//! step is already done (what linkage last saw, what was last assessed).

use crate::accounts::stamp;
use crate::{Pool, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

/// The one lock's name: one council, one single view, one run at a time.
const LOCK: &str = "monthly";

/// Who holds the run lock.
#[derive(Debug, Clone, PartialEq)]
pub struct RunLock {
    pub run_id: i64,
    pub host: String,
    pub pid: i64,
    pub acquired_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
}

/// One step of a run, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineStep {
    pub step: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: String,
    /// What it did, in a sentence.
    pub summary: String,
    /// JSON object of counts.
    pub counts: String,
    /// JSON list of sentences.
    pub warnings: String,
    pub failure: Option<String>,
}

/// One run, as stored, with its steps in the order they started.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineRun {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: String,
    pub host: String,
    pub pid: i64,
    pub resumes: Option<i64>,
    pub failure: Option<String>,
    pub steps: Vec<PipelineStep>,
}

/// What one step left, to store when it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct StepEnd<'a> {
    pub status: &'a str,
    pub summary: &'a str,
    pub counts: &'a str,
    pub warnings: &'a str,
    pub failure: Option<&'a str>,
}

/// How much each step has written, over all runs: a run done twice, or
/// resumed, must not add to these unless there was new work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkTotals {
    pub ingest_files: i64,
    pub source_records: i64,
    pub link_runs: i64,
    pub assessment_runs: i64,
    pub worklists: i64,
}

fn time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("a run's time '{s}': {e}")))
}

fn time_opt(s: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.as_deref().map(time).transpose()
}

impl Store {
    /// The highest `ingest_files` id: a link run that saw it saw everything.
    pub async fn ingested_through(&self) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "SELECT MAX(id) FROM ingest_files";
        Ok(on_pool!(self, p => sqlx::query_scalar::<_, Option<i64>>(SQL).fetch_one(p).await?))
    }

    /// Bring the query planner's statistics up to date after a bulk write.
    /// PostgreSQL's autovacuum gets to new tables in its own time; until it
    /// does, a freshly loaded town looks empty to the planner, which then
    /// scans a million record versions for every chunk of households.
    pub async fn refresh_planner_statistics(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
            Pool::Sqlite(p) => {
                sqlx::query("PRAGMA optimize").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Whether these bytes were already loaded for this source and extract
    /// date: a monthly run skips them without parsing them again.
    pub async fn ingest_file_loaded(
        &self,
        source: &str,
        sha256: &str,
        extract_date: Option<NaiveDate>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM ingest_files WHERE source = $1 AND sha256 = $2 AND period_key = $3";
        let period = extract_date.map(crate::iso_date).unwrap_or_default();
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).bind(source).bind(sha256).bind(&period).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// How much each step has written.
    pub async fn work_totals(&self) -> Result<WorkTotals, StoreError> {
        const SQL: &str = "SELECT (SELECT COUNT(*) FROM ingest_files) AS ingest_files,
                (SELECT COUNT(*) FROM source_records) AS source_records,
                (SELECT COUNT(*) FROM link_runs) AS link_runs,
                (SELECT COUNT(*) FROM assessment_runs) AS assessment_runs,
                (SELECT COUNT(*) FROM worklists) AS worklists";
        Ok(on_pool!(self, p => {
            let r = sqlx::query(SQL).fetch_one(p).await?;
            WorkTotals {
                ingest_files: r.try_get("ingest_files")?,
                source_records: r.try_get("source_records")?,
                link_runs: r.try_get("link_runs")?,
                assessment_runs: r.try_get("assessment_runs")?,
                worklists: r.try_get("worklists")?,
            }
        }))
    }

    /// Every ingested file's id, source and extract date, oldest load first:
    /// what arrived, in what order, to find months missing or late.
    pub async fn ingested_periods(
        &self,
    ) -> Result<Vec<(i64, String, Option<NaiveDate>)>, StoreError> {
        const SQL: &str = "SELECT id, source, extract_date FROM ingest_files ORDER BY id";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<String, _>("source")?,
                    r.try_get::<Option<String>, _>("extract_date")?,
                ));
            }
            out
        });
        rows.into_iter()
            .map(|(id, source, d)| {
                let d = d
                    .filter(|d| !d.is_empty())
                    .map(|d| {
                        NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| {
                            StoreError::Corrupt(format!(
                                "ingest file {id}'s extract date '{d}': {e}"
                            ))
                        })
                    })
                    .transpose()?;
                Ok((id, source, d))
            })
            .collect()
    }

    /// The latest assessment run made from a link run with an event library,
    /// with its date: whether assessment is already up to date.
    pub async fn assessment_run_for(
        &self,
        link_run_id: i64,
        library: &str,
    ) -> Result<Option<(i64, NaiveDate)>, StoreError> {
        const SQL: &str = "SELECT id, as_of FROM assessment_runs WHERE link_run_id = $1 AND library = $2 ORDER BY id DESC LIMIT 1";
        let row = on_pool!(self, p => match sqlx::query(SQL).bind(link_run_id).bind(library).fetch_optional(p).await? {
            Some(r) => Some((r.try_get::<i64, _>("id")?, r.try_get::<String, _>("as_of")?)),
            None => None,
        });
        row.map(|(id, d)| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map(|d| (id, d))
                .map_err(|e| StoreError::Corrupt(format!("assessment run {id}'s date '{d}': {e}")))
        })
        .transpose()
    }

    /// Record a run starting (status `running`).
    pub async fn start_pipeline_run(
        &self,
        host: &str,
        pid: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO pipeline_runs (started_at, status, host, pid) VALUES ($1, 'running', $2, $3) RETURNING id";
        Ok(
            on_pool!(self, p => sqlx::query_scalar(SQL).bind(stamp(now)).bind(host).bind(pid).fetch_one(p).await?),
        )
    }

    /// Record how a run ended.
    pub async fn finish_pipeline_run(
        &self,
        id: i64,
        status: &str,
        failure: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "UPDATE pipeline_runs SET status = $1, failure = $2, finished_at = $3 WHERE id = $4";
        on_pool!(self, p => sqlx::query(SQL).bind(status).bind(failure).bind(stamp(now)).bind(id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// A run took over from one whose process died: the dead run and its
    /// unfinished step are marked interrupted, the new one points at it.
    pub async fn mark_interrupted(
        &self,
        dead: i64,
        by: i64,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const RUN: &str = "UPDATE pipeline_runs SET status = 'interrupted', failure = $1, finished_at = COALESCE(finished_at, $2) WHERE id = $3 AND status = 'running'";
        const STEPS: &str = "UPDATE pipeline_steps SET status = 'interrupted', finished_at = $1 WHERE run_id = $2 AND status = 'running'";
        const RESUMES: &str = "UPDATE pipeline_runs SET resumes = $1 WHERE id = $2";
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(RUN).bind(why).bind(stamp(now)).bind(dead).execute(&mut *tx).await?;
            sqlx::query(STEPS).bind(stamp(now)).bind(dead).execute(&mut *tx).await?;
            sqlx::query(RESUMES).bind(dead).bind(by).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Record a step starting (status `running`).
    pub async fn start_pipeline_step(
        &self,
        run_id: i64,
        step: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO pipeline_steps (run_id, step, started_at, status, summary, counts, warnings) VALUES ($1, $2, $3, 'running', '', '{}', '[]')";
        on_pool!(self, p => sqlx::query(SQL).bind(run_id).bind(step).bind(stamp(now)).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Record how a step ended.
    pub async fn finish_pipeline_step(
        &self,
        run_id: i64,
        step: &str,
        end: &StepEnd<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE pipeline_steps SET status = $1, summary = $2, counts = $3, warnings = $4, failure = $5, finished_at = $6 WHERE run_id = $7 AND step = $8";
        on_pool!(self, p => sqlx::query(SQL)
            .bind(end.status).bind(end.summary).bind(end.counts).bind(end.warnings).bind(end.failure)
            .bind(stamp(now)).bind(run_id).bind(step)
            .execute(p).await?.rows_affected());
        Ok(())
    }

    /// The latest runs, newest first, each with its steps.
    pub async fn pipeline_runs(&self, limit: i64) -> Result<Vec<PipelineRun>, StoreError> {
        const RUNS: &str = "SELECT id, started_at, finished_at, status, host, pid, resumes, failure FROM pipeline_runs ORDER BY id DESC LIMIT $1";
        const STEPS: &str = "SELECT step, started_at, finished_at, status, summary, counts, warnings, failure FROM pipeline_steps WHERE run_id = $1 ORDER BY started_at, step";
        type RunRow = (
            i64,
            String,
            Option<String>,
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
        );
        type StepRow = (
            String,
            String,
            Option<String>,
            String,
            String,
            String,
            String,
            Option<String>,
        );
        let rows: Vec<(RunRow, Vec<StepRow>)> = on_pool!(self, p => {
            let runs = sqlx::query(RUNS).bind(limit).fetch_all(p).await?;
            let mut out = Vec::with_capacity(runs.len());
            for r in runs {
                let id: i64 = r.try_get("id")?;
                let head: RunRow = (
                    id,
                    r.try_get("started_at")?,
                    r.try_get("finished_at")?,
                    r.try_get("status")?,
                    r.try_get("host")?,
                    r.try_get("pid")?,
                    r.try_get("resumes")?,
                    r.try_get("failure")?,
                );
                let mut steps = Vec::new();
                for s in sqlx::query(STEPS).bind(id).fetch_all(p).await? {
                    steps.push((
                        s.try_get("step")?,
                        s.try_get("started_at")?,
                        s.try_get("finished_at")?,
                        s.try_get("status")?,
                        s.try_get("summary")?,
                        s.try_get("counts")?,
                        s.try_get("warnings")?,
                        s.try_get("failure")?,
                    ));
                }
                out.push((head, steps));
            }
            out
        });
        rows.into_iter()
            .map(
                |((id, started, finished, status, host, pid, resumes, failure), steps)| {
                    Ok(PipelineRun {
                        id,
                        started_at: time(&started)?,
                        finished_at: time_opt(finished)?,
                        status,
                        host,
                        pid,
                        resumes,
                        failure,
                        steps: steps
                            .into_iter()
                            .map(
                                |(
                                    step,
                                    started,
                                    finished,
                                    status,
                                    summary,
                                    counts,
                                    warnings,
                                    failure,
                                )| {
                                    Ok(PipelineStep {
                                        step,
                                        started_at: time(&started)?,
                                        finished_at: time_opt(finished)?,
                                        status,
                                        summary,
                                        counts,
                                        warnings,
                                        failure,
                                    })
                                },
                            )
                            .collect::<Result<_, StoreError>>()?,
                    })
                },
            )
            .collect()
    }

    /// Take the run lock for a run, or say who holds it. One statement, so
    /// two runs starting at once cannot both take it.
    pub async fn try_run_lock(
        &self,
        run_id: i64,
        host: &str,
        pid: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<RunLock>, StoreError> {
        const TAKE: &str = "INSERT INTO run_lock (name, run_id, host, pid, acquired_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (name) DO NOTHING";
        let taken = on_pool!(self, p => sqlx::query(TAKE)
            .bind(LOCK).bind(run_id).bind(host).bind(pid).bind(stamp(now))
            .execute(p).await?.rows_affected());
        if taken == 1 {
            return Ok(None);
        }
        self.run_lock().await
    }

    /// Who holds the run lock, if anyone.
    pub async fn run_lock(&self) -> Result<Option<RunLock>, StoreError> {
        const SQL: &str =
            "SELECT run_id, host, pid, acquired_at, heartbeat_at FROM run_lock WHERE name = $1";
        let row = on_pool!(self, p => match sqlx::query(SQL).bind(LOCK).fetch_optional(p).await? {
            Some(r) => Some((
                r.try_get::<i64, _>("run_id")?,
                r.try_get::<String, _>("host")?,
                r.try_get::<i64, _>("pid")?,
                r.try_get::<String, _>("acquired_at")?,
                r.try_get::<String, _>("heartbeat_at")?,
            )),
            None => None,
        });
        row.map(|(run_id, host, pid, acquired, beat)| {
            Ok(RunLock {
                run_id,
                host,
                pid,
                acquired_at: time(&acquired)?,
                heartbeat_at: time(&beat)?,
            })
        })
        .transpose()
    }

    /// Hand the lock from a run shown to be gone to a new one; false if the
    /// lock changed hands meanwhile (someone else took over first).
    pub async fn take_over_run_lock(
        &self,
        from_run: i64,
        run_id: i64,
        host: &str,
        pid: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE run_lock SET run_id = $1, host = $2, pid = $3, acquired_at = $4, heartbeat_at = $4 WHERE name = $5 AND run_id = $6";
        Ok(on_pool!(self, p => sqlx::query(SQL)
            .bind(run_id).bind(host).bind(pid).bind(stamp(now)).bind(LOCK).bind(from_run)
            .execute(p).await?.rows_affected())
            == 1)
    }

    /// The holder is alive: say so.
    pub async fn run_lock_heartbeat(
        &self,
        run_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE run_lock SET heartbeat_at = $1 WHERE name = $2 AND run_id = $3";
        on_pool!(self, p => sqlx::query(SQL).bind(stamp(now)).bind(LOCK).bind(run_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Let the lock go (only the holder's own).
    pub async fn release_run_lock(&self, run_id: i64) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM run_lock WHERE name = $1 AND run_id = $2";
        on_pool!(self, p => sqlx::query(SQL).bind(LOCK).bind(run_id).execute(p).await?.rows_affected());
        Ok(())
    }
}
