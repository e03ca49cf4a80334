//! Serve the web pages over made-up data, to look at them without a database.
//!
//! cargo run -p upstream-web --example preview -- [ADDRESS] [--empty | --broken]
//!
//! ADDRESS defaults to 127.0.0.1:8089. `--empty` shows the start page with
//! nothing loaded; `--broken` makes the data source fail (503 pages).

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
    println!(
        "Preview at http://{}/  (Ctrl-C to stop)",
        listener.local_addr()?
    );
    upstream_web::serve(listener, AppState::new(Arc::new(Preview { overview }))).await
}
