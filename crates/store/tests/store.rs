//! The shared story every backend must pass: SQLite always, PostgreSQL when
//! DATABASE_URL is a postgres:// URL (each test gets its own fresh database).

use upstream_core::{Month, SourceSystem};
use upstream_store::{Backend, NewExtractFile, NewTown, Store};

/// A fresh, empty store of each available kind. Dropping the guard removes it.
struct Fresh {
    store: Store,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Fresh {
    async fn cleanup(self) {
        self.store.close().await;
        if let Some((admin, name)) = self.pg {
            if let Ok(admin) = sqlx::PgPool::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
                admin.close().await;
            }
        }
    }
}

async fn stores() -> Vec<Fresh> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.db");
    out.push(Fresh {
        store: Store::connect(path.to_str().expect("utf-8 path"))
            .await
            .expect("sqlite store"),
        _dir: Some(dir),
        pg: None,
    });
    match std::env::var("DATABASE_URL") {
        Ok(url) if Backend::of(&url) == Backend::Postgres => {
            let admin = sqlx::PgPool::connect(&url)
                .await
                .expect("postgres from DATABASE_URL");
            let name = format!("upstream_test_{}_{}", std::process::id(), unique());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .expect("create test database");
            admin.close().await;
            let (base, _) = url.rsplit_once('/').expect("a database URL has a path");
            let store = Store::connect(&format!("{base}/{name}"))
                .await
                .expect("fresh postgres store");
            out.push(Fresh {
                store,
                _dir: None,
                pg: Some((url, name)),
            });
        }
        _ => eprintln!(
            "note: DATABASE_URL is not a postgres URL; PostgreSQL half of the story skipped"
        ),
    }
    out
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
        let h = fresh.store.health().await.expect("health");
        assert!(h.migrations >= 1, "{:?}", h);
        fresh.cleanup().await;
    }
    // Reconnecting to an existing SQLite file re-runs migrations as a no-op.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("again.db");
    let p = path.to_str().expect("utf-8");
    Store::connect(p).await.expect("first").close().await;
    let again = Store::connect(p).await.expect("second");
    assert_eq!(again.health().await.expect("health").migrations, 1);
}

#[tokio::test]
async fn recording_the_same_town_twice_returns_the_same_id() {
    for fresh in stores().await {
        let s = &fresh.store;
        let a = s.record_town(&town()).await.expect("first");
        let b = s.record_town(&town()).await.expect("second");
        assert_eq!(a, b, "{}", s.backend().as_str());
        let latest = s.latest_town().await.expect("latest").expect("a town");
        assert_eq!(latest.seed, u64::MAX - 3, "seeds round-trip bit for bit");
        assert_eq!(latest.start_month, month("2024-04"));
        fresh.cleanup().await;
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
            s.backend().as_str()
        );
        fresh.cleanup().await;
    }
}

#[tokio::test]
async fn a_batch_with_one_bad_file_writes_nothing() {
    for fresh in stores().await {
        let s = &fresh.store;
        let mut bad = file(SourceSystem::Rent, "2024-05", 3, 7);
        bad.sha256 = "not a checksum".into();
        let batch = vec![file(SourceSystem::CouncilTax, "2024-05", 4, 10), bad];
        let err = s
            .register_extracts(None, &batch)
            .await
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("rent_2024-05.csv") && err.contains("sha256"),
            "{err}"
        );
        assert!(
            s.extract_files().await.expect("list").is_empty(),
            "{}",
            s.backend().as_str()
        );
        fresh.cleanup().await;
    }
}

#[tokio::test]
async fn overview_counts_files_and_rows_per_source() {
    for fresh in stores().await {
        let s = &fresh.store;
        let t = s.record_town(&town()).await.expect("town");
        let batch = vec![
            file(SourceSystem::CouncilTax, "2024-04", 5, 100),
            file(SourceSystem::CouncilTax, "2024-05", 6, 110),
            file(SourceSystem::Homelessness, "2024-05", 7, 3),
        ];
        s.register_extracts(Some(t), &batch)
            .await
            .expect("register");
        let o = s.overview().await.expect("overview");
        assert_eq!(o.town.as_ref().map(|t| t.households), Some(3000));
        assert_eq!(o.sources.len(), 2);
        let ct = &o.sources[0];
        assert_eq!(
            ct.source,
            SourceSystem::CouncilTax,
            "council tax comes first, as staff know the systems"
        );
        assert_eq!((ct.files, ct.rows), (2, 210));
        assert_eq!(
            (ct.first_period, ct.last_period),
            (month("2024-04"), month("2024-05"))
        );
        assert_eq!(o.sources[1].rows, 3);
        fresh.cleanup().await;
    }
}

#[tokio::test]
async fn an_empty_database_has_an_empty_overview() {
    for fresh in stores().await {
        let o = fresh.store.overview().await.expect("overview");
        assert!(o.town.is_none() && o.sources.is_empty());
        fresh.cleanup().await;
    }
}
