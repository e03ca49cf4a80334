//! The web server driven in-process (`tower::ServiceExt::oneshot`) against a
//! fake data source, signed in through fake accounts; one test goes through
//! the real SQLite store, and one over TCP. Signing in, sessions, CSRF and the
//! admin pages, against the real store, are in `web/access.rs`.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use std::sync::Arc;
use tower::ServiceExt;
use upstream_core::{Month, Role, SourceSystem};
use upstream_web::{
    router, Account, Accounts, AppState, AuditQuery, AuditRecord, AuditRow, BoxFuture, ChainStatus,
    DataError, DataSource, Health, LiveSession, Overview, SignInOutcome, SourceSummary,
    StartedSession, TownSummary,
};

#[path = "web/access.rs"]
mod access;
#[path = "web/household.rs"]
mod household;
#[path = "web/referrals.rs"]
mod referrals;

/// The session cookie the fake accounts know.
const SESSION: &str = "upstream_session=the-one-session";

/// Accounts with one live session, a connector's; nothing else works.
struct OneSession;

impl Accounts for OneSession {
    fn sign_in<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: &'a str,
    ) -> BoxFuture<'a, Result<SignInOutcome, DataError>> {
        Box::pin(async {
            Ok(SignInOutcome::Refused {
                user_id: None,
                locked_now: false,
            })
        })
    }
    fn start_session(
        &self,
        _: i64,
        _: chrono::Duration,
    ) -> BoxFuture<'_, Result<StartedSession, DataError>> {
        Box::pin(async { Err(DataError("no new sessions here".into())) })
    }
    fn session<'a>(
        &'a self,
        token: &'a str,
        _: chrono::Duration,
    ) -> BoxFuture<'a, Result<Option<LiveSession>, DataError>> {
        Box::pin(async move {
            Ok((token == "the-one-session").then(|| LiveSession {
                account: Account {
                    id: 1,
                    username: "asmith".into(),
                    display_name: "Asha Smith".into(),
                    role: Role::Connector,
                    organisation: None,
                    team: None,
                },
                csrf_token: "c".repeat(64),
                last_seen_at: chrono::Utc::now(),
            }))
        })
    }
    fn touch_session<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(), DataError>> {
        Box::pin(async { Ok(()) })
    }
    fn end_session<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(), DataError>> {
        Box::pin(async { Ok(()) })
    }
    fn record<'a>(&'a self, _: &'a AuditRecord) -> BoxFuture<'a, Result<(), DataError>> {
        Box::pin(async { Ok(()) })
    }
    fn search_audit<'a>(
        &'a self,
        _: &'a AuditQuery,
    ) -> BoxFuture<'a, Result<Vec<AuditRow>, DataError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn verify_audit(&self) -> BoxFuture<'_, Result<ChainStatus, DataError>> {
        Box::pin(async {
            Ok(ChainStatus::Intact {
                entries: 0,
                last_hash: String::new(),
            })
        })
    }
    fn subject_access_export(
        &self,
        _: i64,
    ) -> BoxFuture<'_, Result<Option<serde_json::Value>, DataError>> {
        Box::pin(async { Ok(None) })
    }
}

/// A data source with fixed answers.
struct Fake {
    health: Result<Health, DataError>,
    overview: Result<Overview, DataError>,
}

impl DataSource for Fake {
    fn database(&self) -> &'static str {
        "sqlite"
    }
    fn health(&self) -> BoxFuture<'_, Result<Health, DataError>> {
        Box::pin(async move { self.health.clone() })
    }
    fn overview(&self) -> BoxFuture<'_, Result<Overview, DataError>> {
        Box::pin(async move { self.overview.clone() })
    }
}

fn month(s: &str) -> Month {
    s.parse().expect("month")
}

fn town(council_name: &str) -> TownSummary {
    TownSummary {
        council_name: council_name.into(),
        profile: "birmingham".into(),
        households: 450_000,
        months: 24,
        start_month: month("2024-04"),
        seed: 42,
    }
}

fn loaded(council_name: &str) -> Fake {
    Fake {
        health: Ok(Health { migrations: 3 }),
        overview: Ok(Overview {
            town: Some(town(council_name)),
            sources: vec![
                SourceSummary {
                    source: SourceSystem::CouncilTax,
                    files: 24,
                    rows: 10_812_345,
                    first_period: month("2024-04"),
                    last_period: month("2026-03"),
                },
                SourceSummary {
                    source: SourceSystem::Benefits,
                    files: 2,
                    rows: 999,
                    first_period: month("2025-12"),
                    last_period: month("2026-01"),
                },
            ],
        }),
    }
}

fn empty() -> Fake {
    Fake {
        health: Ok(Health { migrations: 3 }),
        overview: Ok(Overview::default()),
    }
}

fn broken() -> Fake {
    let down = DataError("pool timed out while waiting for an open connection".into());
    Fake {
        health: Err(down.clone()),
        overview: Err(down),
    }
}

fn state(source: Fake) -> AppState {
    AppState::from_parts(Arc::new(source), Arc::new(OneSession)).with_secure_cookies(false)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

/// GET as the signed-in connector.
async fn get(state: &AppState, path: &str) -> Reply {
    get_with(state, path, Some(SESSION)).await
}

async fn get_with(state: &AppState, path: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(path);
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    let response = router(state.clone())
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn content_type(reply: &Reply) -> &str {
    reply
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn the_start_page_shows_the_town_loaded_and_a_table_of_extract_files_per_source() {
    let reply = get(&state(loaded("Brumford City Council")), "/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(content_type(&reply).starts_with("text/html"));
    let body = &reply.body;
    assert!(body.contains("<html lang=\"en\" class=\"govuk-template"));
    assert!(body.contains("links a council's records into one view of each household"));
    assert!(body.contains("Brumford City Council"));
    assert!(
        body.contains("450,000"),
        "households with a thousands separator"
    );
    assert!(body.contains("24 (April 2024 to March 2026)"));
    assert!(body.contains(">42<"), "the seed");
    assert!(body.contains("govuk-table"));
    assert!(body.contains(">Council tax<"));
    assert!(body.contains(">Housing benefit and council tax reduction<"));
    assert!(
        body.contains(">10,812,345<"),
        "rows with thousands separators"
    );
    assert!(body.contains(">999<"));
    assert!(body.contains(">April 2024 to March 2026<"));
    assert!(body.contains(">December 2025 to January 2026<"));
    assert!(!body.contains("No town is loaded yet"));
}

#[tokio::test]
async fn the_start_page_with_nothing_loaded_says_how_to_load_a_town() {
    let reply = get(&state(empty()), "/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("No town is loaded yet"));
    assert!(reply.body.contains("<code>upstream demo</code>"));
    assert!(reply
        .body
        .contains("<code>upstream simulate --out town</code>"));
    assert!(reply
        .body
        .contains("<code>upstream extracts register town</code>"));
    assert!(!reply.body.contains("govuk-table"));
}

#[tokio::test]
async fn the_start_page_says_sorry_with_a_503_when_the_data_source_fails() {
    let reply = get(&state(broken()), "/").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(reply
        .body
        .contains("Sorry, there is a problem with the service"));
    assert!(
        !reply.body.contains("pool timed out"),
        "no internals on pages"
    );
}

#[tokio::test]
async fn health_answers_ok_with_the_database_its_migrations_and_the_version() {
    let reply = get(&state(loaded("Brumford City Council")), "/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(content_type(&reply).starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"status": "ok", "database": "sqlite", "migrations": 3, "version": "0.1.0"})
    );
}

#[tokio::test]
async fn health_answers_503_unavailable_when_the_data_source_fails() {
    let reply = get(&state(broken()), "/health").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(content_type(&reply).starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
    assert_eq!(json["status"], "unavailable");
    assert!(json["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(
        !reply.body.contains("pool timed out"),
        "details stay in the log"
    );
}

#[tokio::test]
async fn an_unknown_path_gets_a_gov_uk_page_not_found() {
    let reply = get(&state(empty()), "/no/such/page").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(content_type(&reply).starts_with("text/html"));
    assert!(reply.body.contains("Page not found"));
    assert!(reply.body.contains("govuk-template"));
    assert!(reply.body.contains("govuk-generic-header"));
}

#[tokio::test]
async fn a_council_name_containing_a_script_tag_is_escaped() {
    let reply = get(&state(loaded("<script>alert(\"x\")</script> & Sons")), "/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!reply.body.contains("<script>alert"));
    assert!(reply.body.contains("&lt;script&gt;alert("));
    assert!(reply.body.contains("&amp; Sons"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = state(empty());
    for path in ["/", "/health", "/no/such/page"] {
        let reply = get(&app, path).await;
        let csp = reply.headers["content-security-policy"]
            .to_str()
            .expect("ascii");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            csp.matches("'sha256-").count(),
            2,
            "two inline scripts, allowed by hash and nothing else: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(reply.headers["x-content-type-options"], "nosniff");
        assert_eq!(reply.headers["x-frame-options"], "DENY");
        assert_eq!(reply.headers["referrer-policy"], "same-origin");
    }
}

#[tokio::test]
async fn the_council_stylesheet_script_and_icons_are_served_when_built() {
    let app = state(empty());
    if !app.assets_installed() {
        eprintln!(
            "note: skipped, the assets are not built at {}; run `npm ci --prefix crates/web/assets && npm run build --prefix crates/web/assets`",
            app.assets_dir().display()
        );
        return;
    }
    let css = get(&app, "/assets/upstream.min.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(content_type(&css).starts_with("text/css"));
    assert!(css.body.contains(".govuk-template"));
    assert!(
        css.body.contains(".govuk-generic-header"),
        "GOV.UK Frontend 6 with the generic header"
    );
    // Only GOV.UK may use the GDS Transport typeface; a council service uses Arial.
    assert!(!css.body.contains("GDS Transport"));
    assert!(css.body.contains("arial"));
    assert_eq!(css.headers["x-content-type-options"], "nosniff");
    // Every font and image the stylesheet refers to must resolve.
    let urls: Vec<&str> = css
        .body
        .split("url(")
        .skip(1)
        .filter_map(|s| s.split(')').next())
        .map(|u| u.trim_matches(|c| c == '"' || c == '\''))
        .collect();
    assert!(urls.iter().any(|u| u.starts_with("/assets/images/")));
    for url in urls {
        assert_eq!(get(&app, url).await.status, StatusCode::OK, "{url}");
    }
    let js = get(&app, "/assets/govuk-frontend.min.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(content_type(&js).contains("javascript"));
    // So must every asset the layout links to (icons, manifest, stylesheet, script).
    let page = get(&app, "/").await;
    let linked: Vec<&str> = page
        .body
        .split("\"/assets/")
        .skip(1)
        .filter_map(|s| s.split(['"', '\'']).next())
        .collect();
    assert!(linked.len() >= 2, "{linked:?}");
    for path in linked {
        let url = format!("/assets/{path}");
        assert_eq!(get(&app, &url).await.status, StatusCode::OK, "{url}");
    }
    assert_eq!(
        get(&app, "/assets/no-such-file.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_still_work_when_the_assets_are_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = state(loaded("Brumford City Council")).with_assets(dir.path().join("missing"));
    assert!(!app.assets_installed());
    assert_eq!(get(&app, "/").await.status, StatusCode::OK);
    assert_eq!(
        get(&app, "/assets/upstream.min.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_real_store_feeds_the_start_page_and_health() {
    use upstream_store::{NewExtractFile, NewTown, Store};
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("web.db");
    let store = Store::connect(path.to_str().expect("utf-8"))
        .await
        .expect("store");
    let town = store
        .record_town(&NewTown {
            profile: "birmingham".into(),
            council_name: "Brumford City Council".into(),
            seed: 7,
            households: 3000,
            months: 24,
            start_month: month("2024-04"),
            created_at: chrono::Utc::now(),
        })
        .await
        .expect("town");
    let files: Vec<NewExtractFile> = ["2024-04", "2024-05"]
        .iter()
        .enumerate()
        .map(|(i, m)| NewExtractFile {
            source: SourceSystem::CouncilTax,
            period: month(m),
            file_name: format!("extracts/council_tax/council_tax_{m}.csv"),
            sha256: format!("{:064x}", i + 1),
            rows: 1234,
            bytes: 99,
        })
        .collect();
    store
        .register_extracts(Some(town), &files)
        .await
        .expect("register");
    let user = store
        .create_user(
            &upstream_store::NewUser {
                username: "asmith".into(),
                display_name: "Asha Smith".into(),
                role: Role::Connector,
                organisation: None,
                team: None,
            },
            "correct horse battery staple",
        )
        .await
        .expect("user");
    let now = chrono::Utc::now();
    let session = store
        .create_session(user.id, now, now + chrono::Duration::hours(1))
        .await
        .expect("session");
    // As `upstream serve` builds it: an Arc<Store> is both data source and accounts.
    let app = AppState::new(Arc::new(store)).with_secure_cookies(false);
    let cookie = format!("upstream_session={}", session.token);

    let page = get_with(&app, "/", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Brumford City Council"));
    assert!(page.body.contains("3,000"));
    assert!(page.body.contains(">2,468<"), "rows summed across months");
    assert!(page.body.contains(">April 2024 to May 2024<"));

    let health = get(&app, "/health").await;
    assert_eq!(health.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&health.body).expect("json");
    assert_eq!(json["database"], "sqlite");
    assert!(json["migrations"].as_i64().is_some_and(|n| n >= 1));
}

#[tokio::test]
async fn serve_answers_over_tcp() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(upstream_web::serve(listener, state(empty())));
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut response = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_string(&mut response),
    )
    .await
    .expect("an answer within 10 seconds")
    .expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");
    server.abort();
}
