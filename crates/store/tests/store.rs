//! The shared story every backend must pass: SQLite always, PostgreSQL when
//! DATABASE_URL is a postgres:// URL (each test gets its own fresh database,
//! dropped afterwards even if the test fails).

use upstream_core::{Month, SourceSystem};
use upstream_store::{Backend, NewExtractFile, NewTown, Store};

// Accounts, sessions and the audit log: a module of this binary, not a binary of its own.
#[path = "store/access.rs"]
mod access;
#[path = "store/case_record.rs"]
mod case_record;
#[path = "store/casework.rs"]
mod casework;
#[path = "store/outbox.rs"]
mod outbox;
#[path = "store/runs.rs"]
mod runs;

/// A fresh, empty store and the URL that reaches it.
struct Fresh {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
}

impl Fresh {
    fn name(&self) -> &'static str {
        self.store.backend().as_str()
    }
}

/// A throwaway PostgreSQL database, dropped with this guard.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    // Drop cannot be async and may run while a test panics, so use a thread
    // with its own runtime. FORCE ends the store's still-open connections.
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let admin = sqlx::PgPool::connect(&admin_url).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let done = sqlx::query(&sql).execute(&admin).await.ok();
                admin.close().await;
                done
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

async fn stores() -> Vec<Fresh> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir
        .path()
        .join("test.db")
        .to_str()
        .expect("utf-8 path")
        .to_string();
    out.push(Fresh {
        store: Store::connect(&url).await.expect("sqlite store"),
        url,
        _dir: Some(dir),
        _pg: None,
    });
    match std::env::var("DATABASE_URL") {
        Ok(admin_url) if Backend::of(&admin_url) == Backend::Postgres => {
            let admin = sqlx::PgPool::connect(&admin_url)
                .await
                .expect("postgres from DATABASE_URL");
            let name = format!("upstream_test_{}_{}", std::process::id(), unique());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .expect("create test database");
            admin.close().await;
            // Guard first, so the database is dropped even if connecting fails.
            let guard = PgDatabase {
                admin_url: admin_url.clone(),
                name: name.clone(),
            };
            let url = with_database(&admin_url, &name);
            out.push(Fresh {
                store: Store::connect(&url).await.expect("fresh postgres store"),
                url,
                _dir: None,
                _pg: Some(guard),
            });
        }
        _ => eprintln!(
            "note: DATABASE_URL is not a postgres:// URL; PostgreSQL half of the story skipped"
        ),
    }
    out
}

/// The same server URL, naming another database (keeps any ?query).
fn with_database(url: &str, name: &str) -> String {
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

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    N.fetch_add(1, Ordering::SeqCst) * 1_000_000_000 + nanos
}

fn month(s: &str) -> Month {
    s.parse().expect("month")
}

fn town() -> NewTown {
    NewTown {
        profile: "birmingham".into(),
        council_name: "Brumford City Council".into(),
        // Above i64::MAX: seeds must round-trip bit for bit through BIGINT.
        seed: u64::MAX - 3,
        households: 3000,
        months: 24,
        start_month: month("2024-04"),
        created_at: chrono::Utc::now(),
    }
}

fn file(source: SourceSystem, period: &str, n: u8, rows: i64) -> NewExtractFile {
    NewExtractFile {
        source,
        period: month(period),
        file_name: format!("extracts/{source}/{source}_{period}.csv"),
        sha256: format!("{:064x}", n as u128 * 0x1234_5678_9abc + 1),
        rows,
        bytes: rows * 100,
    }
}

#[tokio::test]
async fn migrations_apply_on_a_fresh_database_and_again_without_error() {
    for fresh in stores().await {
        let first = fresh.store.health().await.expect("health");
        assert_eq!(first.backend, fresh.store.backend());
        assert!(first.migrations >= 1, "{first:?}");
        // Connecting again re-runs the migrator, which must be a no-op.
        let again = Store::connect(&fresh.url).await.expect("reconnect");
        let second = again.health().await.expect("health again");
        assert_eq!(second.migrations, first.migrations, "{}", fresh.name());
        again.close().await;
    }
}

#[tokio::test]
async fn recording_the_same_town_twice_returns_the_same_id() {
    for fresh in stores().await {
        let s = &fresh.store;
        let a = s.record_town(&town()).await.expect("first");
        let renamed = NewTown {
            council_name: "Another name".into(),
            ..town()
        };
        let b = s.record_town(&renamed).await.expect("second");
        assert_eq!(a, b, "{}", fresh.name());
        let latest = s.latest_town().await.expect("latest").expect("a town");
        assert_eq!(latest.id, a);
        assert_eq!(
            latest.council_name, "Brumford City Council",
            "the second call changed nothing"
        );
        assert_eq!(latest.seed, u64::MAX - 3, "seeds round-trip bit for bit");
        assert_eq!(latest.start_month, month("2024-04"));
    }
}

#[tokio::test]
async fn the_latest_town_is_the_one_recorded_last() {
    for fresh in stores().await {
        let s = &fresh.store;
        assert_eq!(s.latest_town().await.expect("none yet"), None);
        s.record_town(&town()).await.expect("first");
        let bigger = NewTown {
            households: 9000,
            ..town()
        };
        let id = s.record_town(&bigger).await.expect("second");
        let latest = s.latest_town().await.expect("latest").expect("a town");
        assert_eq!(
            (latest.id, latest.households),
            (id, 9000),
            "{}",
            fresh.name()
        );
    }
}

#[tokio::test]
async fn registered_files_come_back_exactly_as_given_in_source_order() {
    for fresh in stores().await {
        let s = &fresh.store;
        let t = s.record_town(&town()).await.expect("town");
        let ct_may = file(SourceSystem::CouncilTax, "2024-05", 1, 10);
        let ct_april = file(SourceSystem::CouncilTax, "2024-04", 2, 9);
        let benefits = file(SourceSystem::Benefits, "2024-04", 3, 0);
        let batch = vec![benefits.clone(), ct_may.clone(), ct_april.clone()];
        let before = chrono::Utc::now();
        s.register_extracts(Some(t), &batch)
            .await
            .expect("register");
        let got = s.extract_files().await.expect("list");
        // Council tax before benefits: the systems' usual order, not the alphabet's.
        let expected = [ct_april, ct_may, benefits];
        assert_eq!(got.len(), expected.len(), "{}", fresh.name());
        for (g, e) in got.iter().zip(&expected) {
            let as_given = NewExtractFile {
                source: g.source,
                period: g.period,
                file_name: g.file_name.clone(),
                sha256: g.sha256.clone(),
                rows: g.rows,
                bytes: g.bytes,
            };
            assert_eq!(&as_given, e, "{}", fresh.name());
            assert_eq!(g.town, Some(t));
            assert!(g.registered_at >= before - chrono::Duration::seconds(5));
        }
    }
}

#[tokio::test]
async fn registering_the_same_files_twice_changes_nothing() {
    for fresh in stores().await {
        let s = &fresh.store;
        let t = s.record_town(&town()).await.expect("town");
        let batch = vec![
            file(SourceSystem::CouncilTax, "2024-04", 1, 10),
            file(SourceSystem::Benefits, "2024-04", 2, 5),
        ];
        let first = s.register_extracts(Some(t), &batch).await.expect("first");
        assert_eq!((first.new, first.already_known), (2, 0));
        let before = s.extract_files().await.expect("list");
        let second = s.register_extracts(Some(t), &batch).await.expect("second");
        assert_eq!((second.new, second.already_known), (0, 2));
        assert_eq!(
            s.extract_files().await.expect("list"),
            before,
            "{}",
            fresh.name()
        );
    }
}

#[tokio::test]
async fn a_file_listed_twice_in_one_batch_is_registered_once() {
    for fresh in stores().await {
        let s = &fresh.store;
        let f = file(SourceSystem::Rent, "2024-04", 8, 4);
        let summary = s
            .register_extracts(None, &[f.clone(), f])
            .await
            .expect("register");
        assert_eq!((summary.new, summary.already_known), (1, 1));
        assert_eq!(s.extract_files().await.expect("list").len(), 1);
    }
}

#[tokio::test]
async fn two_loads_of_the_same_batch_at_once_register_each_file_once() {
    for fresh in stores().await {
        let s = &fresh.store;
        let batch: Vec<_> = (0..20)
            .map(|n| file(SourceSystem::ContactCentre, "2024-04", n, 1))
            .collect();
        let (a, b) = tokio::join!(
            s.register_extracts(None, &batch),
            s.register_extracts(None, &batch)
        );
        let (a, b) = (a.expect("first load"), b.expect("second load"));
        assert_eq!(a.new + b.new, 20, "{}", fresh.name());
        assert_eq!(a.already_known + b.already_known, 20);
        assert_eq!(s.extract_files().await.expect("list").len(), 20);
    }
}

#[tokio::test]
async fn a_batch_with_one_bad_file_writes_nothing() {
    for fresh in stores().await {
        let s = &fresh.store;
        let mut bad_sha = file(SourceSystem::Rent, "2024-05", 3, 7);
        bad_sha.sha256 = "not a checksum".into();
        let mut bad_rows = file(SourceSystem::Benefits, "2024-05", 5, 1);
        bad_rows.rows = -1;
        for (bad, field) in [(bad_sha, "sha256"), (bad_rows, "rows")] {
            let name = bad.file_name.clone();
            let batch = vec![file(SourceSystem::CouncilTax, "2024-05", 4, 10), bad];
            let err = s
                .register_extracts(None, &batch)
                .await
                .expect_err("refused")
                .to_string();
            assert!(err.contains(&name) && err.contains(field), "{err}");
            assert!(
                s.extract_files().await.expect("list").is_empty(),
                "{}",
                fresh.name()
            );
        }
    }
}

#[tokio::test]
async fn files_cannot_point_at_a_town_that_does_not_exist() {
    for fresh in stores().await {
        let s = &fresh.store;
        let batch = vec![
            file(SourceSystem::CouncilTax, "2024-04", 1, 10),
            file(SourceSystem::Benefits, "2024-04", 2, 5),
        ];
        let refused = s.register_extracts(Some(424_242), &batch).await;
        assert!(refused.is_err(), "{}: foreign keys are on", fresh.name());
        assert!(s.extract_files().await.expect("list").is_empty());
    }
}

#[tokio::test]
async fn overview_counts_files_and_rows_per_source() {
    for fresh in stores().await {
        let s = &fresh.store;
        let t = s.record_town(&town()).await.expect("town");
        let batch = vec![
            file(SourceSystem::CouncilTax, "2024-05", 6, 110),
            file(SourceSystem::Homelessness, "2024-05", 7, 3),
            file(SourceSystem::CouncilTax, "2024-04", 5, 100),
            file(SourceSystem::Benefits, "2024-04", 9, 0),
        ];
        s.register_extracts(Some(t), &batch)
            .await
            .expect("register");
        let o = s.overview().await.expect("overview");
        assert_eq!(o.town.as_ref().map(|t| t.households), Some(3000));
        let order: Vec<_> = o.sources.iter().map(|x| x.source).collect();
        assert_eq!(
            order,
            [
                SourceSystem::CouncilTax,
                SourceSystem::Benefits,
                SourceSystem::Homelessness
            ],
            "{}: sources in the order staff know them",
            fresh.name()
        );
        let ct = &o.sources[0];
        assert_eq!((ct.files, ct.rows), (2, 210));
        assert_eq!(
            (ct.first_period, ct.last_period),
            (month("2024-04"), month("2024-05"))
        );
        assert_eq!((o.sources[1].files, o.sources[1].rows), (1, 0));
        assert_eq!(o.sources[2].rows, 3);
    }
}

#[tokio::test]
async fn an_empty_database_has_an_empty_overview() {
    for fresh in stores().await {
        let o = fresh.store.overview().await.expect("overview");
        assert!(o.town.is_none() && o.sources.is_empty(), "{}", fresh.name());
    }
}

#[tokio::test]
async fn an_in_memory_sqlite_store_keeps_its_data_between_calls() {
    let s = Store::connect("sqlite::memory:")
        .await
        .expect("memory store");
    assert_eq!(s.backend(), Backend::Sqlite);
    let id = s.record_town(&town()).await.expect("town");
    let latest = s.latest_town().await.expect("latest").expect("a town");
    assert_eq!(latest.id, id);
}

#[tokio::test]
async fn a_closed_store_answers_with_an_error() {
    for fresh in stores().await {
        fresh.store.close().await;
        assert!(fresh.store.health().await.is_err(), "{}", fresh.name());
    }
}

#[test]
fn test_database_urls_keep_the_server_and_options() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgresql://u:p@h/db?sslmode=disable", "t1"),
        "postgresql://u:p@h/t1?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://u@h:5432", "t1"),
        "postgres://u@h:5432/t1"
    );
}

#[tokio::test]
async fn identical_bytes_in_two_months_are_two_files() {
    for fresh in stores().await {
        let s = &fresh.store;
        let mut a = file(SourceSystem::EarlyHelp, "2024-04", 9, 0);
        let mut b = file(SourceSystem::EarlyHelp, "2024-05", 9, 0);
        // A month with no referrals is a header alone: the same bytes as another empty month.
        b.sha256 = a.sha256.clone();
        a.file_name = "early_help_2024-04.csv".into();
        let summary = s.register_extracts(None, &[a, b]).await.expect("register");
        assert_eq!(
            (summary.new, summary.already_known),
            (2, 0),
            "{}",
            s.backend().as_str()
        );
        assert_eq!(s.extract_files().await.expect("list").len(), 2);
    }
}
