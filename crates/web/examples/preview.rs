//! Serve the web pages over made-up data, to look at them without a database.
//!
//! cargo run -p upstream-web --example preview -- [ADDRESS] [--empty | --broken]
//!
//! ADDRESS defaults to 127.0.0.1:8089. `--empty` shows the start page with
//! nothing loaded; `--broken` makes the data source fail (503 pages).
//! Accounts live in an in-memory database: one user of each role, whose
//! password is printed at the start.

use std::sync::Arc;
use upstream_core::{Month, SourceSystem};
use upstream_web::{
    AppState, BoxFuture, DataError, DataSource, Health, Overview, SourceSummary, TownSummary,
};

struct Preview {
    overview: Result<Overview, DataError>,
}

impl DataSource for Preview {
    fn database(&self) -> &'static str {
        "sqlite"
    }
    fn health(&self) -> BoxFuture<'_, Result<Health, DataError>> {
        Box::pin(async move {
            self.overview
                .as_ref()
                .map(|_| Health { migrations: 1 })
                .map_err(Clone::clone)
        })
    }
    fn overview(&self) -> BoxFuture<'_, Result<Overview, DataError>> {
        Box::pin(async move { self.overview.clone() })
    }
}

fn town() -> Overview {
    let month = |s: &str| s.parse::<Month>().expect("month");
    let start = month("2024-04");
    let sources = SourceSystem::ALL
        .iter()
        .enumerate()
        .map(|(i, &source)| SourceSummary {
            source,
            files: 24,
            rows: 18_750 * (i as i64 + 1) * 24 + 317 * i as i64,
            first_period: start,
            last_period: start.plus(23),
        })
        .collect();
    Overview {
        town: Some(TownSummary {
            council_name: "Brumford City Council".into(),
            profile: "birmingham".into(),
            households: 450_000,
            months: 24,
            start_month: start,
            seed: 1,
        }),
        sources,
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=debug".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or("127.0.0.1:8089", String::as_str);
    let overview = if args.iter().any(|a| a == "--broken") {
        Err(DataError("the preview was started with --broken".into()))
    } else if args.iter().any(|a| a == "--empty") {
        Ok(Overview::default())
    } else {
        Ok(town())
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let accounts = preview_accounts().await.map_err(std::io::Error::other)?;
    let local = listener.local_addr()?;
    println!("Preview at http://{local}/  (Ctrl-C to stop)");
    let state = AppState::from_parts(Arc::new(Preview { overview }), Arc::new(accounts))
        // Plain HTTP on this machine: a Secure cookie would not come back.
        .with_secure_cookies(!local.ip().is_loopback());
    upstream_web::serve(listener, state).await
}

/// One account of each role, all with the same made-up password.
async fn preview_accounts() -> Result<upstream_store::Store, upstream_store::StoreError> {
    let store = upstream_store::Store::connect("sqlite::memory:").await?;
    let password = "preview-password";
    for role in upstream_core::Role::ALL {
        store
            .create_user(
                &upstream_store::NewUser {
                    username: role.as_str().replace('_', "-"),
                    display_name: format!("Preview {}", role.title().to_lowercase()),
                    role,
                    organisation: (role == upstream_core::Role::PartnerWorker)
                        .then(|| "Citizens Advice".to_string()),
                    team: None,
                },
                password,
            )
            .await?;
        println!(
            "  sign in as {:<16} password {password}",
            role.as_str().replace('_', "-")
        );
    }
    Ok(store)
}
