//! City scale for benchmarks: copy the stored town's households, people,
//! records, addresses and latest assessments, with shifted ids, until the
//! database holds about as many households as a city (`upstream bench web
//! seed`). Everything happens in SQL (`INSERT … SELECT`), one transaction per
//! copy, so a copy is either all there or not at all, and running it again
//! only adds the copies still missing.
//!
//! What a copy holds (copy `k` of the town, `k` ≥ 1; the stored town is copy 0):
//!
//! - ids shifted by `k ×` [`REPLICA_STRIDE`]: households, people, addresses
//!   (rows with an id below the stride are the stored town);
//! - record keys and address keys with `~k` added, so the unique keys hold
//!   and each copy's people have their own records;
//! - per linked record, only its latest `versions` stored versions (each
//!   monthly extract stores a version; copying every month of every record
//!   would make a city's database several times larger for pages that read
//!   the same number of rows per household either way);
//! - the latest assessment run's assessments and life events;
//! - names, dates of birth, postcodes and addresses unchanged (so a search
//!   finds every copy of a person: harsher than a real city);
//! - not copied: link pairs, identity changes, quarantine, casework (flags,
//!   contacts, cases, contact preferences), worklists, accounts, the audit log.
//!
//! A seeded database is for benchmarks: do not link or assess it again.

use crate::{Pool, Store, StoreError};

/// Ids of copy `k` start at `k × REPLICA_STRIDE`; the stored town's ids must be below it.
pub const REPLICA_STRIDE: i64 = 10_000_000;

/// What a replication did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaReport {
    /// Current households in the stored town (copy 0).
    pub town_households: i64,
    /// Copies (including the town itself) before and after.
    pub copies_before: i64,
    pub copies_after: i64,
    /// Households now stored, all and current.
    pub households: i64,
    pub current_households: i64,
    /// Source-record versions now stored.
    pub source_records: i64,
}

/// The statements that make copy `k`, in order: `{off}` is the id offset,
/// `{sfx}` the key suffix (`~k`), `{stride}` the stride (rows below it are the
/// town), `{run}` the latest assessment run (or 0). All are numbers the store
/// makes itself, written into the SQL (not bound: PostgreSQL wants every bound
/// parameter used, and these statements each use a different few).
const COPY_STEPS: &[(&str, &str)] = &[
    (
        "addresses",
        "INSERT INTO addresses (id, addr_key, uprn, address, postcode)
         SELECT id + {off}, addr_key || '{sfx}', uprn, address, postcode FROM addresses WHERE id < {stride}",
    ),
    (
        "persons",
        "INSERT INTO persons (id, first_run, last_run, status, merged_into)
         SELECT id + {off}, first_run, last_run, status, merged_into + {off} FROM persons WHERE id < {stride}",
    ),
    (
        "person_records",
        "INSERT INTO person_records (source, record_key, person_id, run_id)
         SELECT source, record_key || '{sfx}', person_id + {off}, run_id FROM person_records WHERE person_id < {stride}",
    ),
    (
        "source_records",
        "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, title,
             forename, middle_names, surname, dob, nino, postcode, address, uprn, phone, email, event_date,
             attributes, original)
         SELECT s.file_id, s.row_no, s.source, s.record_key || '{sfx}', s.row_means, s.extract_date, s.title,
             s.forename, s.middle_names, s.surname, s.dob, s.nino, s.postcode, s.address, s.uprn, s.phone,
             s.email, s.event_date, s.attributes, s.original
         FROM bench_replica_versions v JOIN source_records s ON s.id = v.id
         ORDER BY v.id",
    ),
    (
        "residences",
        "INSERT INTO residences (person_id, address_id, from_date, to_date, sources)
         SELECT person_id + {off}, address_id + {off}, from_date, to_date, sources FROM residences WHERE person_id < {stride}",
    ),
    (
        "households",
        "INSERT INTO households (id, address_id, from_date, to_date, current)
         SELECT id + {off}, address_id + {off}, from_date, to_date, current FROM households WHERE id < {stride}",
    ),
    (
        "household_members",
        "INSERT INTO household_members (household_id, person_id)
         SELECT household_id + {off}, person_id + {off} FROM household_members WHERE household_id < {stride}",
    ),
    (
        "assessments",
        "INSERT INTO assessments (run_id, household_id, in_crisis, probability, reasons, resilience,
             resilience_band, resilience_parts, persona, persona_reason)
         SELECT run_id, household_id + {off}, in_crisis, probability, reasons, resilience, resilience_band,
             resilience_parts, persona, persona_reason
         FROM assessments WHERE run_id = {run} AND household_id < {stride}",
    ),
    (
        "life_events",
        "INSERT INTO life_events (run_id, household_id, event, event_date, person_id, detail, evidence)
         SELECT run_id, household_id + {off}, event, event_date, person_id + {off}, detail, evidence
         FROM life_events WHERE run_id = {run} AND household_id < {stride}",
    ),
];

impl Store {
    /// Copy the stored town until about `target` current households are
    /// stored (whole copies: the first count at or above it), keeping each
    /// record's latest `versions` versions in the copies. One transaction per
    /// copy; copies already there are kept, so running it twice adds nothing.
    /// `progress(done, total)` counts copy steps.
    pub async fn replicate_households(
        &self,
        target: i64,
        versions: i64,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<ReplicaReport, StoreError> {
        if versions < 1 {
            return Err(StoreError::Invalid(
                "at least one version of each record must be copied".into(),
            ));
        }
        const TOWN: &str = "SELECT
                (SELECT COUNT(*) FROM households WHERE id < $1 AND current),
                (SELECT COUNT(*) FROM person_records WHERE record_key LIKE '%~%'),
                (SELECT COALESCE(MAX(id), 0) FROM persons),
                (SELECT COALESCE(MAX(id), 0) FROM addresses),
                (SELECT COALESCE(MAX(id), 0) FROM households),
                (SELECT COUNT(*) FROM person_records WHERE person_id < $1 AND record_key LIKE '%~%')";
        const HAS_COPY: &str = "SELECT COUNT(*) FROM households WHERE id >= $1 AND id < $2";
        const LATEST_RUN: &str =
            "SELECT COALESCE((SELECT id FROM assessment_runs ORDER BY as_of DESC, id DESC LIMIT 1), 0)";
        const COUNTS: &str = "SELECT (SELECT COUNT(*) FROM households),
                (SELECT COUNT(*) FROM households WHERE current),
                (SELECT COUNT(*) FROM source_records)";
        // Which versions a copy takes: the latest `versions` of each of the
        // town's records (made once, on this connection only).
        let pick = format!(
            "CREATE TEMPORARY TABLE bench_replica_versions AS
             SELECT id FROM (
                 SELECT id, ROW_NUMBER() OVER (
                     PARTITION BY source, record_key ORDER BY COALESCE(extract_date, '') DESC, id DESC) AS nth
                 FROM source_records WHERE record_key NOT LIKE '%~%') v
             WHERE nth <= {versions}"
        );
        let report = on_pool!(self, p => {
            // One connection throughout: the temporary table lives on it.
            let mut conn = p.acquire().await?;
            let (town, copied, max_p, max_a, max_all, tilde): (i64, i64, i64, i64, i64, i64) =
                sqlx::query_as(TOWN).bind(REPLICA_STRIDE).fetch_one(&mut *conn).await?;
            if town == 0 {
                return Err(StoreError::Invalid(
                    "there are no current households to copy: load a town first (simulate, ingest, link, assess)".into(),
                ));
            }
            // Before any copy, every id must be below the stride, or the
            // town's own rows would pass for copies.
            if copied == 0 && max_all.max(max_p).max(max_a) >= REPLICA_STRIDE {
                return Err(StoreError::Invalid(format!(
                    "the stored town's ids reach {REPLICA_STRIDE}; it is too big to copy"
                )));
            }
            if tilde > 0 {
                return Err(StoreError::Invalid(
                    "the stored town's record keys contain '~', which marks copies".into(),
                ));
            }
            let copies_before = max_all / REPLICA_STRIDE + 1;
            // Whole copies: the fewest whose households reach the target.
            let wanted = ((target.max(town) + town - 1) / town).max(1);
            let run: i64 = sqlx::query_scalar(LATEST_RUN).fetch_one(&mut *conn).await?;
            let missing: Vec<i64> = {
                let mut v = Vec::new();
                for k in 1..wanted {
                    let there: i64 = sqlx::query_scalar(HAS_COPY)
                        .bind(k * REPLICA_STRIDE)
                        .bind((k + 1) * REPLICA_STRIDE)
                        .fetch_one(&mut *conn)
                        .await?;
                    if there == 0 {
                        v.push(k);
                    }
                }
                v
            };
            let total = (missing.len() * (COPY_STEPS.len() + 1)) as u64;
            if !missing.is_empty() {
                sqlx::query("DROP TABLE IF EXISTS bench_replica_versions").execute(&mut *conn).await?;
                sqlx::query(&pick).execute(&mut *conn).await?;
                sqlx::query("CREATE INDEX bench_replica_versions_id ON bench_replica_versions (id)")
                    .execute(&mut *conn)
                    .await?;
            }
            let mut done = 0u64;
            progress(done, total);
            for k in &missing {
                let offset = k * REPLICA_STRIDE;
                let suffix = format!("~{k}");
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                for (_table, sql) in COPY_STEPS {
                    let sql = sql
                        .replace("{off}", &offset.to_string())
                        .replace("{sfx}", &suffix)
                        .replace("{stride}", &REPLICA_STRIDE.to_string())
                        .replace("{run}", &run.to_string());
                    sqlx::query(&sql).execute(&mut *tx).await?;
                    done += 1;
                    progress(done, total);
                }
                tx.commit().await?;
                done += 1;
                progress(done, total);
            }
            if !missing.is_empty() {
                sqlx::query("DROP TABLE IF EXISTS bench_replica_versions").execute(&mut *conn).await?;
                // Fresh statistics, so the planner knows the tables' new sizes
                // (on SQLite from a sample of each index: a full pass over a
                // city's records takes minutes).
                if self.backend() == crate::Backend::Sqlite {
                    sqlx::query("PRAGMA analysis_limit = 2000").execute(&mut *conn).await?;
                }
                sqlx::query("ANALYZE").execute(&mut *conn).await?;
            }
            let (households, current_households, source_records): (i64, i64, i64) =
                sqlx::query_as(COUNTS).fetch_one(&mut *conn).await?;
            ReplicaReport {
                town_households: town,
                copies_before,
                copies_after: copies_before.max(wanted),
                households,
                current_households,
                source_records,
            }
        });
        Ok(report)
    }
}

impl Store {
    /// Up to `n` current households, picked at random (for load tests).
    pub async fn sample_household_ids(&self, n: i64) -> Result<Vec<i64>, StoreError> {
        const SQL: &str = "SELECT id FROM households WHERE current ORDER BY RANDOM() LIMIT $1";
        let ids: Vec<i64> =
            on_pool!(self, p => sqlx::query_scalar(SQL).bind(n).fetch_all(p).await?);
        Ok(ids)
    }

    /// How many bytes the database takes (SQLite: its pages, not counting the
    /// write-ahead log; PostgreSQL: the database's size).
    pub async fn database_bytes(&self) -> Result<i64, StoreError> {
        let bytes: i64 =
            match &self.pool {
                Pool::Sqlite(p) => sqlx::query_scalar(
                    "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                )
                .fetch_one(p)
                .await?,
                Pool::Postgres(p) => {
                    sqlx::query_scalar("SELECT pg_database_size(current_database())")
                        .fetch_one(p)
                        .await?
                }
            };
        Ok(bytes)
    }
}
