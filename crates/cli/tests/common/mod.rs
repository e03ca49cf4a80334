//! What the `upstream` command's integration tests share: running the
//! binary, simulating a town, and a fresh database on SQLite and (when
//! DATABASE_URL names a PostgreSQL server and psql is at hand) PostgreSQL.
#![allow(dead_code)] // each test binary uses its own share of these

use std::path::Path;
use std::process::{Command, Output, Stdio};
use upstream_store::{Backend, Store};

// ------------------------------------------------------------ running upstream

/// Run `upstream` against the database at `db` (a path or postgres:// URL).
pub fn upstream(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_upstream"))
        .args(args)
        .env("DATABASE_URL", db)
        .env_remove("UPSTREAM_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run upstream")
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn ok(db: &str, args: &[&str]) -> String {
    let o = upstream(db, args);
    assert!(o.status.success(), "upstream {args:?}: {}", text(&o));
    text(&o)
}

pub fn utf8(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Simulate a town into `out`.
pub fn simulate(out: &Path, households: u32, months: u32, seed: u64) {
    let o = upstream(
        utf8(&out.with_extension("sim.db")),
        &[
            "simulate",
            "--households",
            &households.to_string(),
            "--months",
            &months.to_string(),
            "--seed",
            &seed.to_string(),
            "--out",
            utf8(out),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
}

/// The number straight after the first `before` in `text` (e.g. "Loaded " -> 30).
pub fn figure(text: &str, before: &str) -> usize {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("no '{before}' in:\n{text}"))
        + before.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after '{before}' in:\n{text}"))
}

// ------------------------------------------------------------ databases

/// A fresh, empty database and what keeps it alive.
pub struct Db {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg: Option<PgDatabase>,
}

impl Db {
    pub fn name(&self) -> &'static str {
        self.backend.as_str()
    }

    /// Wait until nothing is connected to a PostgreSQL test database, so a
    /// killed client's last transaction is settled: committed or rolled back.
    /// (A SQLite transaction dies with its process.)
    pub fn settle(&self) {
        let Some(pg) = &self.pg else { return };
        let sql = format!(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{}'",
            pg.name
        );
        for _ in 0..400 {
            if psql_value(&pg.admin_url, &sql).as_deref() == Some("0") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!(
            "the killed ingest's connections to {} did not close",
            pg.name
        );
    }
}

/// A throwaway PostgreSQL database, dropped (with psql) with this guard.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if !psql(&self.admin_url, &sql) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

pub fn psql(url: &str, sql: &str) -> bool {
    psql_value(url, sql).is_some()
}

/// What psql prints for `sql`, trimmed; None if it cannot run or fails.
pub fn psql_value(url: &str, sql: &str) -> Option<String> {
    let o = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// A fresh SQLite database, and a fresh PostgreSQL one when DATABASE_URL
/// names a server and psql can create databases on it.
pub fn databases() -> Vec<Db> {
    let mut out = vec![sqlite_db()];
    match std::env::var("DATABASE_URL") {
        Ok(admin_url) if Backend::of(&admin_url) == Backend::Postgres => {
            let name = format!("upstream_cli_test_{}_{}", std::process::id(), unique());
            if psql(&admin_url, &format!("CREATE DATABASE {name}")) {
                let url = with_database(&admin_url, &name);
                out.push(Db {
                    url,
                    backend: Backend::Postgres,
                    _dir: None,
                    pg: Some(PgDatabase { admin_url, name }),
                });
            } else {
                eprintln!(
                    "note: could not create a database with psql on DATABASE_URL; PostgreSQL half skipped"
                );
            }
        }
        _ => eprintln!(
            "note: DATABASE_URL is not a postgres:// URL; PostgreSQL half of the story skipped"
        ),
    }
    out
}

pub fn sqlite_db() -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    Db {
        url: utf8(&dir.path().join("upstream.db")).to_string(),
        backend: Backend::Sqlite,
        _dir: Some(dir),
        pg: None,
    }
}

/// The same server URL, naming another database (keeps any ?query).
pub fn with_database(url: &str, name: &str) -> String {
    let (head, query) = url.split_once('?').unwrap_or((url, ""));
    let host_start = head.find("://").map_or(0, |i| i + 3);
    let base = match head[host_start..].find('/') {
        Some(i) => &head[..host_start + i],
        None => head,
    };
    if query.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{query}")
    }
}

pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    N.fetch_add(1, Ordering::SeqCst) * 1_000_000_000 + nanos
}

/// Open the store at `url`, run `f` on it, close it.
pub fn with_store<T>(url: &str, f: impl AsyncFnOnce(&Store) -> T) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            let store = Store::connect(url).await.expect("open the test database");
            let out = f(&store).await;
            store.close().await;
            out
        })
}
