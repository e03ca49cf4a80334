//! Persistence for Upstream: SQLite (one file, nothing to install; the
//! default) and PostgreSQL (production). One public API; each database has its
//! own migrations folder, applied automatically on connect.
//!
//! Invariant: only this crate knows SQL. SQL text is shared where both
//! databases accept it (`$1` placeholders work in both); `on_pool!` runs the
//! same statement on whichever pool is open.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::Row;
use std::str::FromStr;
use std::time::Duration;
use upstream_core::{Month, SourceSystem};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("extract file {file}: {problem}")]
    BadExtract { file: String, problem: String },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Which database a URL or path names.
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The same body, run against whichever pool is open.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthInfo {
    pub backend: Backend,
    pub migrations: i64,
}

pub type TownId = i64;

#[derive(Debug, Clone, PartialEq)]
pub struct NewTown {
    pub profile: String,
    pub council_name: String,
    pub seed: u64,
    pub households: i64,
    pub months: i64,
    pub start_month: Month,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub id: TownId,
    pub profile: String,
    pub council_name: String,
    pub seed: u64,
    pub households: i64,
    pub months: i64,
    pub start_month: Month,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewExtractFile {
    pub source: SourceSystem,
    pub period: Month,
    pub file_name: String,
    pub sha256: String,
    pub rows: i64,
    pub bytes: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExtractFile {
    pub id: i64,
    pub town: Option<TownId>,
    pub source: SourceSystem,
    pub period: Month,
    pub file_name: String,
    pub sha256: String,
    pub rows: i64,
    pub bytes: i64,
    pub registered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegisterSummary {
    pub new: usize,
    pub already_known: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceOverview {
    pub source: SourceSystem,
    pub files: i64,
    pub rows: i64,
    pub first_period: Month,
    pub last_period: Month,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overview {
    pub town: Option<Town>,
    pub sources: Vec<SourceOverview>,
}

impl Store {
    /// Open (creating if needed) the database at `url` and bring its schema up to date.
    /// `postgres://…` opens PostgreSQL; anything else is a SQLite file path
    /// (`sqlite://path`, `sqlite::memory:` and a plain path all work).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let pool = match Backend::of(url) {
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                Pool::Postgres(pool)
            }
            Backend::Sqlite => {
                let spec = if url.starts_with("sqlite:") {
                    url.to_string()
                } else {
                    format!("sqlite://{url}")
                };
                let memory = spec.contains(":memory:");
                let opts = SqliteConnectOptions::from_str(&spec)?
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .journal_mode(if memory {
                        SqliteJournalMode::Memory
                    } else {
                        SqliteJournalMode::Wal
                    });
                // One connection for an in-memory database, or each would see its own empty one.
                let pool = SqlitePoolOptions::new()
                    .max_connections(if memory { 1 } else { 8 })
                    .connect_with(opts)
                    .await?;
                sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
                Pool::Sqlite(pool)
            }
        };
        Ok(Store { pool })
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn health(&self) -> Result<HealthInfo, StoreError> {
        let migrations: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(p).await?);
        Ok(HealthInfo {
            backend: self.backend(),
            migrations,
        })
    }

    /// Record a town; the same town twice returns the same id and changes nothing.
    pub async fn record_town(&self, town: &NewTown) -> Result<TownId, StoreError> {
        const INSERT: &str = "INSERT INTO towns (profile, council_name, seed, households, months, start_month, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (profile, seed, households, months) DO NOTHING";
        const FIND: &str = "SELECT id FROM towns WHERE profile = $1 AND seed = $2 AND households = $3 AND months = $4";
        // Seeds are u64; stored bit-for-bit in a signed BIGINT.
        let seed = town.seed as i64;
        let id: i64 = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(INSERT)
                .bind(&town.profile)
                .bind(&town.council_name)
                .bind(seed)
                .bind(town.households)
                .bind(town.months)
                .bind(town.start_month.to_string())
                .bind(town.created_at.to_rfc3339())
                .execute(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(FIND).bind(&town.profile).bind(seed).bind(town.households).bind(town.months).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    pub async fn latest_town(&self) -> Result<Option<Town>, StoreError> {
        const SQL: &str = "SELECT id, profile, council_name, seed, households, months, start_month, created_at FROM towns ORDER BY id DESC LIMIT 1";
        let row: Option<TownRow> =
            on_pool!(self, p => sqlx::query_as(SQL).fetch_optional(p).await?);
        row.map(Town::try_from).transpose()
    }

    /// Register a batch of extract files in one transaction: all or nothing.
    /// A file already known (same sha256) is skipped and counted as known.
    pub async fn register_extracts(
        &self,
        town: Option<TownId>,
        files: &[NewExtractFile],
    ) -> Result<RegisterSummary, StoreError> {
        for f in files {
            validate(f)?;
        }
        const EXISTS: &str = "SELECT COUNT(*) FROM extract_files WHERE sha256 = $1";
        const INSERT: &str = "INSERT INTO extract_files (town_id, source, period, file_name, sha256, rows, bytes, registered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let now = Utc::now().to_rfc3339();
        let summary = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let mut summary = RegisterSummary::default();
            for f in files {
                let known: i64 = sqlx::query_scalar(EXISTS).bind(&f.sha256).fetch_one(&mut *tx).await?;
                if known > 0 {
                    summary.already_known += 1;
                    continue;
                }
                sqlx::query(INSERT)
                    .bind(town)
                    .bind(f.source.as_str())
                    .bind(f.period.to_string())
                    .bind(&f.file_name)
                    .bind(&f.sha256)
                    .bind(f.rows)
                    .bind(f.bytes)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                summary.new += 1;
            }
            tx.commit().await?;
            summary
        });
        Ok(summary)
    }

    pub async fn extract_files(&self) -> Result<Vec<ExtractFile>, StoreError> {
        const SQL: &str = "SELECT id, town_id, source, period, file_name, sha256, rows, bytes, registered_at FROM extract_files ORDER BY source, period, id";
        let rows: Vec<FileRow> = on_pool!(self, p => sqlx::query_as(SQL).fetch_all(p).await?);
        rows.into_iter().map(ExtractFile::try_from).collect()
    }

    pub async fn overview(&self) -> Result<Overview, StoreError> {
        const SQL: &str = "SELECT source, COUNT(*) AS files, CAST(SUM(rows) AS BIGINT) AS total_rows, MIN(period) AS first_period, MAX(period) AS last_period
             FROM extract_files GROUP BY source ORDER BY source";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get::<String, _>("source")?,
                    r.try_get::<i64, _>("files")?,
                    r.try_get::<i64, _>("total_rows")?,
                    r.try_get::<String, _>("first_period")?,
                    r.try_get::<String, _>("last_period")?,
                ));
            }
            out
        });
        let mut sources = Vec::with_capacity(rows.len());
        for (source, files, total, first, last) in rows {
            sources.push(SourceOverview {
                source: parse_source(&source)?,
                files,
                rows: total,
                first_period: parse_month(&first)?,
                last_period: parse_month(&last)?,
            });
        }
        // Show sources in the order staff know them, not alphabetically.
        sources.sort_by_key(|s| SourceSystem::ALL.iter().position(|x| *x == s.source));
        Ok(Overview {
            town: self.latest_town().await?,
            sources,
        })
    }

    /// Close every connection; later calls fail with a database error.
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

fn validate(f: &NewExtractFile) -> Result<(), StoreError> {
    let bad = |problem: &str| StoreError::BadExtract {
        file: f.file_name.clone(),
        problem: problem.to_string(),
    };
    if f.file_name.trim().is_empty() {
        return Err(bad("file_name is empty"));
    }
    if f.sha256.len() != 64
        || !f
            .sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(bad("sha256 must be 64 lower-case hexadecimal characters"));
    }
    if f.rows < 0 {
        return Err(bad("rows must not be negative"));
    }
    if f.bytes < 0 {
        return Err(bad("bytes must not be negative"));
    }
    Ok(())
}

fn parse_source(s: &str) -> Result<SourceSystem, StoreError> {
    SourceSystem::parse(s)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown source system '{s}'")))
}

fn parse_month(s: &str) -> Result<Month, StoreError> {
    s.parse()
        .map_err(|e: upstream_core::MonthError| StoreError::Corrupt(e.to_string()))
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp '{s}': {e}")))
}

#[derive(sqlx::FromRow)]
struct TownRow {
    id: i64,
    profile: String,
    council_name: String,
    seed: i64,
    households: i64,
    months: i64,
    start_month: String,
    created_at: String,
}

impl TryFrom<TownRow> for Town {
    type Error = StoreError;
    fn try_from(r: TownRow) -> Result<Town, StoreError> {
        Ok(Town {
            id: r.id,
            profile: r.profile,
            council_name: r.council_name,
            seed: r.seed as u64,
            households: r.households,
            months: r.months,
            start_month: parse_month(&r.start_month)?,
            created_at: parse_time(&r.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    town_id: Option<i64>,
    source: String,
    period: String,
    file_name: String,
    sha256: String,
    rows: i64,
    bytes: i64,
    registered_at: String,
}

impl TryFrom<FileRow> for ExtractFile {
    type Error = StoreError;
    fn try_from(r: FileRow) -> Result<ExtractFile, StoreError> {
        Ok(ExtractFile {
            id: r.id,
            town: r.town_id,
            source: parse_source(&r.source)?,
            period: parse_month(&r.period)?,
            file_name: r.file_name,
            sha256: r.sha256,
            rows: r.rows,
            bytes: r.bytes,
            registered_at: parse_time(&r.registered_at)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_their_database() {
        assert_eq!(Backend::of("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of("upstream.db"), Backend::Sqlite);
        assert_eq!(Backend::of("sqlite://x.db"), Backend::Sqlite);
        assert_eq!(Backend::of("sqlite::memory:"), Backend::Sqlite);
    }

    #[test]
    fn a_bad_checksum_is_refused_by_name() {
        let f = NewExtractFile {
            source: SourceSystem::CouncilTax,
            period: Month::new(2024, 4).unwrap(),
            file_name: "x.csv".into(),
            sha256: "nothex".into(),
            rows: 1,
            bytes: 1,
        };
        let e = validate(&f).unwrap_err().to_string();
        assert!(e.contains("x.csv") && e.contains("sha256"), "{e}");
    }
}
