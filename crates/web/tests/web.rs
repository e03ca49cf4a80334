//! The web skeleton, driven in-process with a real (temporary) SQLite store.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::sync::Arc;
use tower::ServiceExt;
use upstream_core::{Month, SourceSystem};
use upstream_store::{NewExtractFile, NewTown, Store};
use upstream_web::{router, AppState};

struct App {
    store: Arc<Store>,
    state: AppState,
    _dir: tempfile::TempDir,
}

async fn app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("web.db");
    let store = Arc::new(
        Store::connect(path.to_str().expect("utf-8"))
            .await
            .expect("store"),
    );
    let state = AppState::new(store.clone());
    App {
        store,
        state,
        _dir: dir,
    }
}

async fn load_town(store: &Store, council: &str) {
    let t = store
        .record_town(&NewTown {
            profile: "birmingham".into(),
            council_name: council.into(),
            seed: 1,
            households: 3000,
            months: 24,
            start_month: "2024-04".parse().expect("month"),
            created_at: chrono::Utc::now(),
        })
        .await
        .expect("town");
    let files: Vec<NewExtractFile> = ["2024-04", "2024-05"]
        .iter()
        .enumerate()
        .map(|(i, m)| NewExtractFile {
            source: SourceSystem::CouncilTax,
            period: m.parse::<Month>().expect("month"),
            file_name: format!("extracts/council_tax/council_tax_{m}.csv"),
            sha256: format!("{:064x}", i + 1),
            rows: 1234,
            bytes: 99,
        })
        .collect();
    store
        .register_extracts(Some(t), &files)
        .await
        .expect("register");
}

async fn get(state: &AppState, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router(state.clone())
        .oneshot(
            Request::builder()
                .uri(path)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .expect("body");
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn the_start_page_shows_the_town_and_its_extract_files() {
    let app = app().await;
    load_town(&app.store, "Brumford City Council").await;
    let (status, _, body) = get(&app.state, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Brumford City Council"));
    assert!(
        body.contains("3,000"),
        "households with a thousands separator"
    );
    assert!(body.contains("Council tax"));
    assert!(body.contains("2,468"), "rows summed across months");
    assert!(body.contains("April 2024") && body.contains("May 2024"));
    assert!(body.contains("govuk-table"));
}

#[tokio::test]
async fn the_start_page_with_nothing_loaded_says_how_to_load_a_town() {
    let app = app().await;
    let (status, _, body) = get(&app.state, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No town is loaded yet"));
    assert!(body.contains("scripts/demo"));
}

#[tokio::test]
async fn user_supplied_text_is_escaped_in_pages() {
    let app = app().await;
    load_town(&app.store, "<script>alert(1)</script> Council").await;
    let (_, _, body) = get(&app.state, "/").await;
    assert!(!body.contains("<script>alert(1)</script>"));
    assert!(body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn health_reports_the_database_and_its_migrations() {
    let app = app().await;
    let (status, headers, body) = get(&app.state, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[axum::http::header::CONTENT_TYPE]
        .to_str()
        .unwrap_or("")
        .starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["database"], "sqlite");
    assert!(v["migrations"].as_i64().unwrap_or(0) >= 1);
}

#[tokio::test]
async fn health_is_unavailable_when_the_database_is_down() {
    let app = app().await;
    app.store.close().await;
    let (status, _, body) = get(&app.state, "/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("\"unavailable\""));
    let (status, _, body) = get(&app.state, "/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("Sorry, there is a problem with the service"));
}

#[tokio::test]
async fn an_unknown_page_gets_a_gov_uk_not_found_page() {
    let app = app().await;
    let (status, _, body) = get(&app.state, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    assert!(body.contains("govuk-template"));
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = app().await;
    let (_, headers, _) = get(&app.state, "/").await;
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
}

#[tokio::test]
async fn the_gov_uk_stylesheet_and_fonts_are_served_when_installed() {
    let app = app().await;
    if !upstream_web::assets_dir(&app.state)
        .join("govuk-frontend.min.css")
        .is_file()
    {
        eprintln!(
            "note: GOV.UK Frontend not installed (npm ci --prefix crates/web/assets); skipping"
        );
        return;
    }
    let (status, headers, body) = get(&app.state, "/assets/govuk-frontend.min.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/css"));
    assert!(body.contains("govuk-template"));
    // The stylesheet refers to fonts under /assets/fonts: they must resolve.
    let font = body
        .split("url(")
        .filter_map(|s| s.split(')').next())
        .find(|u| u.starts_with("/assets/fonts/"))
        .expect("a font url")
        .to_string();
    let (status, _, _) = get(&app.state, &font).await;
    assert_eq!(status, StatusCode::OK, "{font}");
}
