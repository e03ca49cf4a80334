//! Upstream's web server: pages in the GOV.UK Design System (working without
//! JavaScript), a health endpoint, and the GOV.UK Frontend assets.
//!
//! Invariant: only this crate knows HTTP. Handlers turn storage results into
//! small view models; templates (askama, auto-escaped) render them.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::ServeDir;
use upstream_store::Store;

/// Where the `govuk-frontend` npm package puts its built files, relative to the repository.
const DEFAULT_ASSETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/node_modules/govuk-frontend/dist/govuk"
);

#[derive(Clone)]
pub struct AppState {
    store: Arc<Store>,
    assets: PathBuf,
}

impl AppState {
    pub fn new(store: Arc<Store>) -> AppState {
        let assets = std::env::var_os("UPSTREAM_ASSETS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_ASSETS));
        AppState { store, assets }
    }

    pub fn with_assets(mut self, dir: impl Into<PathBuf>) -> AppState {
        self.assets = dir.into();
        self
    }
}

pub fn router(state: AppState) -> Router {
    if !state.assets.join("govuk-frontend.min.css").is_file() {
        tracing::warn!(
            "GOV.UK Frontend assets not found at {}: pages will be unstyled. Run `npm ci --prefix crates/web/assets`.",
            state.assets.display()
        );
    }
    // The CSS asks for /assets/fonts and /assets/images; the stylesheet itself
    // sits one folder up in the package, hence the fallback.
    let assets = ServeDir::new(state.assets.join("assets")).fallback(ServeDir::new(&state.assets));
    Router::new()
        .route("/", get(start_page))
        .route("/health", get(health))
        .nest_service("/assets", assets)
        .fallback(not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Serve until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    // No inline scripts or styles anywhere, so the policy can be strict.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

struct TownView {
    council_name: String,
    profile: String,
    households: String,
    months: i64,
    start_month: String,
    seed: u64,
}

struct SourceRow {
    title: &'static str,
    files: String,
    rows: String,
    first: String,
    last: String,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    council_name: String,
    town: Option<TownView>,
    sources: Vec<SourceRow>,
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    council_name: String,
}

#[derive(Template)]
#[template(path = "unavailable.html")]
struct UnavailablePage {
    council_name: String,
}

const SERVICE_OWNER: &str = "Your council";

async fn start_page(State(state): State<AppState>) -> Response {
    let overview = match state.store.overview().await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!("start page: {e}");
            return render(
                StatusCode::SERVICE_UNAVAILABLE,
                &UnavailablePage {
                    council_name: SERVICE_OWNER.into(),
                },
            );
        }
    };
    let council_name = overview
        .town
        .as_ref()
        .map(|t| t.council_name.clone())
        .unwrap_or_else(|| SERVICE_OWNER.into());
    let page = StartPage {
        council_name,
        town: overview.town.map(|t| TownView {
            council_name: t.council_name,
            profile: t.profile,
            households: thousands(t.households),
            months: t.months,
            start_month: month_name(t.start_month),
            seed: t.seed,
        }),
        sources: overview
            .sources
            .into_iter()
            .map(|s| SourceRow {
                title: s.source.title(),
                files: thousands(s.files),
                rows: thousands(s.rows),
                first: month_name(s.first_period),
                last: month_name(s.last_period),
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

async fn health(State(state): State<AppState>) -> Response {
    match state.store.health().await {
        Ok(h) => Json(serde_json::json!({
            "status": "ok",
            "database": h.backend.as_str(),
            "migrations": h.migrations,
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
        Err(e) => {
            tracing::error!("health check: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": state.store.backend().as_str(), "error": "the database is not answering"})),
            )
                .into_response()
        }
    }
}

async fn not_found() -> Response {
    render(
        StatusCode::NOT_FOUND,
        &NotFoundPage {
            council_name: SERVICE_OWNER.into(),
        },
    )
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service.",
            )
                .into_response()
        }
    }
}

/// 450000 → "450,000", as GOV.UK style writes numbers.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// 2024-04 → "April 2024".
pub fn month_name(m: upstream_core::Month) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{} {}", NAMES[(m.month() - 1) as usize], m.year())
}

/// The assets folder the server will use (for messages and checks).
pub fn assets_dir(state: &AppState) -> &Path {
    &state.assets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(450_000), "450,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
    }

    #[test]
    fn months_read_as_words() {
        assert_eq!(month_name("2024-04".parse().unwrap()), "April 2024");
    }
}
