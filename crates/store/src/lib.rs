//! Persistence for Upstream: SQLite (one file, nothing to install; the
//! default) and PostgreSQL (production). One public API; each database has its
//! own migrations folder, applied automatically on connect.
//!
//! Invariant: only this crate knows SQL. SQL text is shared where both
//! databases accept it (`$1` placeholders work in both); `on_pool!` runs the
//! same statement on whichever pool is open.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
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
    /// A value given to the store breaks a rule; the message says which, for people.
    #[error("{0}")]
    Invalid(String),
    #[error("there is already an account called '{0}'")]
    UserExists(String),
    #[error("could not write the audit log: {0}")]
    Audit(String),
    #[error("could not hash or check a password: {0}")]
    Password(String),
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

mod single_view;
pub use single_view::*;
mod assessment;
pub use assessment::*;
mod accounts;
pub use accounts::*;
mod audit;
pub use audit::*;
mod subject_access;
pub use subject_access::*;
mod household_view;
pub use household_view::*;
mod council_records;
pub use council_records::*;
mod outbox;
pub use outbox::*;
mod campaigns;
pub use campaigns::*;
mod letter_batches;
pub use letter_batches::*;
mod rounds;
pub use rounds::*;
mod casework;
pub use casework::*;
mod scale;
pub use scale::*;
mod runs;
pub use runs::*;
mod gazetteer;
pub use gazetteer::*;
mod case_record;
pub use case_record::*;
mod figures;
mod responses;
pub use figures::*;
pub use responses::*;

#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// Audit-log appends from this process take turns here, holding the
    /// next id and the last hash as this process last wrote them (`None`:
    /// read them from the database). Waiting appends hold no connection.
    audit_turn: std::sync::Arc<tokio::sync::Mutex<Option<(i64, String)>>>,
    /// Appends waiting for the next writer (group commit, see `append_audit`).
    audit_queue: std::sync::Arc<std::sync::Mutex<Vec<audit::QueuedAudit>>>,
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
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                Pool::Postgres(pool)
            }
            Backend::Sqlite => {
                let (opts, memory) = sqlite_options(url)?;
                let pool = if memory {
                    // One connection that never expires: an in-memory database
                    // vanishes with its last connection.
                    SqlitePoolOptions::new()
                        .max_connections(1)
                        .idle_timeout(None)
                        .max_lifetime(None)
                } else {
                    SqlitePoolOptions::new().max_connections(8)
                }
                .connect_with(opts)
                .await?;
                sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
                Pool::Sqlite(pool)
            }
        };
        Ok(Store {
            pool,
            audit_turn: Default::default(),
            audit_queue: Default::default(),
        })
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
    /// A file already known (same source, month and sha256) is skipped and counted as known.
    pub async fn register_extracts(
        &self,
        town: Option<TownId>,
        files: &[NewExtractFile],
    ) -> Result<RegisterSummary, StoreError> {
        for f in files {
            validate(f)?;
        }
        // ON CONFLICT rather than look-then-insert: two loads of the same batch
        // at once must not trip over each other's unique key.
        const INSERT: &str = "INSERT INTO extract_files (town_id, source, period, file_name, sha256, rows, bytes, registered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source, period, sha256) DO NOTHING";
        let now = Utc::now().to_rfc3339();
        let summary = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let mut summary = RegisterSummary::default();
            for f in files {
                let done = sqlx::query(INSERT)
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
                if done.rows_affected() == 0 {
                    summary.already_known += 1;
                } else {
                    summary.new += 1;
                }
            }
            tx.commit().await?;
            summary
        });
        Ok(summary)
    }

    /// Every registered file, by source (in the order staff know the systems), then period.
    pub async fn extract_files(&self) -> Result<Vec<ExtractFile>, StoreError> {
        const SQL: &str = "SELECT id, town_id, source, period, file_name, sha256, rows, bytes, registered_at FROM extract_files ORDER BY id";
        let rows: Vec<FileRow> = on_pool!(self, p => sqlx::query_as(SQL).fetch_all(p).await?);
        let mut files = rows
            .into_iter()
            .map(ExtractFile::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        // Sorted here, not in SQL: source order is the enum's, not the alphabet's.
        files.sort_by_key(|f| (f.source, f.period));
        Ok(files)
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
        // Show sources in the order staff know them (the enum's), not alphabetically.
        sources.sort_by_key(|s| s.source);
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

/// SQLite options for `sqlite://PATH`, `sqlite::memory:` or a plain file path,
/// and whether the database lives in memory.
fn sqlite_options(url: &str) -> Result<(SqliteConnectOptions, bool), StoreError> {
    let (opts, memory) = if let Some(rest) = url.strip_prefix("sqlite:") {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let memory = rest.starts_with(":memory:") || rest.contains("mode=memory");
        (SqliteConnectOptions::from_str(url)?, memory)
    } else {
        // A plain path is taken literally, so '?' or '#' in a file name cannot
        // be misread as URL syntax.
        (SqliteConnectOptions::new().filename(url), false)
    };
    let journal = if memory {
        SqliteJournalMode::Memory
    } else {
        SqliteJournalMode::Wal
    };
    // In WAL mode, NORMAL syncs the log at checkpoints rather than at every
    // commit: a commit survives the process crashing, and the database stays
    // whole if the machine loses power, which may undo the last moments'
    // commits. FULL (SQLite's default) made every audit-log append wait for
    // the disk, and with it every household page (docs/benchmarks.md).
    let opts = opts
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .journal_mode(journal)
        .synchronous(SqliteSynchronous::Normal);
    Ok((opts, memory))
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

/// Dates are stored as ISO text (`2024-04-01`) on both databases.
fn iso_date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_iso(s: &str) -> Result<chrono::NaiveDate, StoreError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("bad date '{s}': {e}")))
}

fn parse_iso_opt(s: Option<String>) -> Result<Option<chrono::NaiveDate>, StoreError> {
    s.as_deref().map(parse_iso).transpose()
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
    fn sqlite_urls_and_plain_paths_name_the_right_file() {
        let file = |url: &str| {
            let (opts, memory) = sqlite_options(url).unwrap();
            (opts.get_filename().to_string_lossy().into_owned(), memory)
        };
        assert_eq!(file("sqlite://data/x.db"), ("data/x.db".into(), false));
        assert_eq!(file("sqlite:x.db"), ("x.db".into(), false));
        assert_eq!(file("/tmp/up.db"), ("/tmp/up.db".into(), false));
        // A plain path is literal, even with characters that mean something in a URL.
        assert_eq!(file("odd?name#1.db"), ("odd?name#1.db".into(), false));
        assert!(file("sqlite::memory:").1);
        assert!(file("sqlite://:memory:").1);
    }

    fn good_file() -> NewExtractFile {
        NewExtractFile {
            source: SourceSystem::CouncilTax,
            period: Month::new(2024, 4).unwrap(),
            file_name: "x.csv".into(),
            sha256: "ab".repeat(32),
            rows: 1,
            bytes: 1,
        }
    }

    #[test]
    fn a_well_formed_file_passes_validation() {
        assert!(validate(&good_file()).is_ok());
    }

    #[test]
    fn a_bad_checksum_is_refused_by_name() {
        for sha in ["nothex", &"AB".repeat(32), &"a".repeat(63), &"a".repeat(65)] {
            let f = NewExtractFile {
                sha256: sha.to_string(),
                ..good_file()
            };
            let e = validate(&f).unwrap_err().to_string();
            assert!(e.contains("x.csv") && e.contains("sha256"), "{sha}: {e}");
        }
    }

    #[test]
    fn negative_row_or_byte_counts_are_refused_by_name() {
        let rows = validate(&NewExtractFile {
            rows: -1,
            ..good_file()
        });
        assert!(rows.unwrap_err().to_string().contains("rows"));
        let bytes = validate(&NewExtractFile {
            bytes: -1,
            ..good_file()
        });
        assert!(bytes.unwrap_err().to_string().contains("bytes"));
    }
}
