//! Reaching residents over storage: campaigns queue what the contact rules
//! allow, and the outbox is sent through the real Notify client against the
//! stand-in of Notify's contract. SQLite always; PostgreSQL too when
//! DATABASE_URL is a postgres:// URL (a fresh database per test, dropped after).

use upstream_store::Store;

#[path = "outreach/campaigns.rs"]
mod campaigns;
#[path = "outreach/sending.rs"]
mod sending;

/// Fresh stores: SQLite, and PostgreSQL when asked and available. Each
/// comes with what drops it: (admin URL, database name) for PostgreSQL.
pub(crate) struct Fresh {
    pub store: Store,
    /// How to reach the same database with sqlx, for test data.
    pub url: String,
    /// (admin URL, database name) of a PostgreSQL database to drop after.
    pub pg: Option<(String, String)>,
    pub _dir: tempfile::TempDir,
}

impl Fresh {
    pub fn name(&self) -> &'static str {
        if self.pg.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// Run SQL the store has no call for (test data).
    pub async fn execute(&self, sql: &str) {
        if self.pg.is_some() {
            let pool = sqlx::PgPool::connect(&self.url).await.expect("postgres");
            sqlx::query(sql).execute(&pool).await.expect(sql);
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.url))
                .await
                .expect("sqlite");
            sqlx::query(sql).execute(&pool).await.expect(sql);
            pool.close().await;
        }
    }
}

pub(crate) async fn stores(with_postgres: bool) -> Vec<Fresh> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("outreach.db");
    let url = path.to_str().expect("utf-8").to_string();
    let mut out = vec![Fresh {
        store: Store::connect(&url).await.expect("sqlite"),
        url,
        pg: None,
        _dir: dir,
    }];
    if let Ok(admin) = std::env::var("DATABASE_URL") {
        if with_postgres && admin.starts_with("postgres") {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let name = format!("upstream_outreach_{}_{nanos}", std::process::id());
            let pool = sqlx::PgPool::connect(&admin).await.expect("postgres");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create");
            pool.close().await;
            let (head, query) = admin.split_once('?').unwrap_or((admin.as_str(), ""));
            let base = head.rsplit_once('/').map_or(head, |(b, _)| b);
            let url = if query.is_empty() {
                format!("{base}/{name}")
            } else {
                format!("{base}/{name}?{query}")
            };
            out.push(Fresh {
                store: Store::connect(&url).await.expect("pg store"),
                url,
                pg: Some((admin.clone(), name)),
                _dir: tempfile::tempdir().expect("dir"),
            });
        }
    }
    out
}

/// Drop a PostgreSQL test database made by [`stores`].
pub(crate) async fn drop_database(pg: Option<(String, String)>) {
    if let Some((admin, name)) = pg {
        if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&pool)
                .await;
        }
    }
}
