//! Referrals in (the form, the JSON API, the team's queue, accepting and
//! declining) and what partner workers see, through the router against the
//! real store (SQLite in a temporary file). Included into the `web` test binary.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use std::sync::Arc;
use tower::ServiceExt;
use upstream_core::Role;
use upstream_store::{
    AuditFilter, NewConsent, NewUser, PartnerOrganisation, ReferralFilter, Store, Team,
};
use upstream_web::{router, AppState};

const SEED: &[&str] = &[
    "INSERT INTO ingest_files (id, source, file_name, sha256, extract_date, period_key, rows_read, records, quarantined, loaded_at) VALUES (1, 'council_tax', 'ct.csv', 'x', '2025-01-31', '2025-01-31', 2, 2, 0, '2025-02-01T00:00:00Z')",
    "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, address, attributes, original) VALUES (1, 1, 'council_tax', 'CT-0001', 'account', '2025-01-31', 'Jonathan', 'Smithson', '1980-03-02', 'B1 1AA', '12 Acacia Avenue', '{}', '{}')",
    "INSERT INTO person_records (source, record_key, person_id, run_id) VALUES ('council_tax', 'CT-0001', 7, 1)",
    "INSERT INTO addresses (id, addr_key, address, postcode) VALUES (1, 'a1', '12 Acacia Avenue', 'B1 1AA')",
    "INSERT INTO residences (person_id, address_id, from_date, to_date, sources) VALUES (7, 1, '2020-01-01', '2025-01-31', 'council_tax')",
    "INSERT INTO households (id, address_id, from_date, to_date, current) VALUES (41, 1, '2020-01-01', '2025-01-31', TRUE)",
    "INSERT INTO household_members (household_id, person_id) VALUES (41, 7)",
    // Another family, at another address.
    "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, address, attributes, original) VALUES (1, 2, 'council_tax', 'CT-0002', 'account', '2025-01-31', 'Mary', 'Jones', '1975-01-01', 'B2 2BB', '3 Elm Road', '{}', '{}')",
    "INSERT INTO person_records (source, record_key, person_id, run_id) VALUES ('council_tax', 'CT-0002', 8, 1)",
    "INSERT INTO addresses (id, addr_key, address, postcode) VALUES (2, 'a2', '3 Elm Road', 'B2 2BB')",
    "INSERT INTO residences (person_id, address_id, from_date, to_date, sources) VALUES (8, 2, '2020-01-01', '2025-01-31', 'council_tax')",
    "INSERT INTO households (id, address_id, from_date, to_date, current) VALUES (42, 2, '2020-01-01', '2025-01-31', TRUE)",
    "INSERT INTO household_members (household_id, person_id) VALUES (42, 8)",
    "INSERT INTO assessment_runs (id, as_of, run_at, link_run_id, model_version, model, library, households) VALUES (1, '2025-01-31', '2025-02-01T00:00:00Z', 1, 'v1', '{}', '{}', 1)",
    "INSERT INTO assessments (run_id, household_id, in_crisis, probability, reasons, resilience, resilience_band, resilience_parts, persona, persona_reason) VALUES (1, 41, FALSE, 0.42, '[\"Council tax arrears for 3 months\"]', 35, 'low', '[[\"Works\", 10]]', 'squeezed_renter', 'Rent is more than half of income')",
    "INSERT INTO life_events (run_id, household_id, event, event_date, person_id, detail, evidence) VALUES (1, 41, 'job_loss', '2024-11-01', 7, 'Stopped working', '[]')",
];

const TEAM: &str = "Prevention team";
const CA: &str = "Citizens Advice";
const FOOD: &str = "Food Bank Trust";
const KEY: &str = "ca-key-0123456789abcdef0123456789abcdef";

struct Site {
    app: AppState,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
}

struct User {
    id: i64,
    cookie: String,
    csrf: String,
}

struct Reply {
    status: StatusCode,
    location: String,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("json")
    }
}

async fn site() -> Site {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("web.db");
    let url = path.to_str().expect("utf-8").to_string();
    let store = Arc::new(Store::connect(&url).await.expect("store"));
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{url}"))
        .await
        .expect("pool");
    for sql in SEED {
        sqlx::query(sql).execute(&pool).await.expect(sql);
    }
    pool.close().await;
    for name in [TEAM, "Young people's team"] {
        store
            .save_team(&Team {
                name: name.into(),
                capacity: 10,
                areas: Vec::new(),
                recent_contact_days: 28,
                min_probability: 0.0,
            })
            .await
            .expect("team");
    }
    for (name, purpose) in [(CA, "money_advice"), (FOOD, "community_support")] {
        store
            .save_partner_organisation(&PartnerOrganisation {
                name: name.into(),
                kind: "voluntary".into(),
                purposes: vec![purpose.into()],
            })
            .await
            .expect("organisation");
    }
    store.add_partner_api_key(CA, KEY).await.expect("key");
    let app = AppState::new(store.clone()).with_secure_cookies(false);
    Site {
        app,
        store,
        _dir: dir,
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".into(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Site {
    async fn user(
        &self,
        username: &str,
        role: Role,
        org: Option<&str>,
        team: Option<&str>,
    ) -> User {
        let user = self
            .store
            .create_user(
                &NewUser {
                    username: username.into(),
                    display_name: format!("{username} display"),
                    role,
                    organisation: org.map(String::from),
                    team: team.map(String::from),
                },
                "correct horse battery staple",
            )
            .await
            .expect("user");
        let now = Utc::now();
        let s = self
            .store
            .create_session(user.id, now, now + Duration::hours(1))
            .await
            .expect("session");
        User {
            id: user.id,
            cookie: format!("upstream_session={}", s.token),
            csrf: s.csrf_token,
        }
    }

    async fn send(&self, req: Request<Body>) -> Reply {
        let resp = router(self.app.clone())
            .oneshot(req)
            .await
            .expect("response");
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        Reply {
            status,
            location,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    async fn get(&self, path: &str, user: &User) -> Reply {
        self.send(
            Request::get(path)
                .header(header::COOKIE, &user.cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// A form as the browser sends it, with the session's CSRF token.
    async fn post(&self, path: &str, user: &User, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf_token", user.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, user, form(&all)).await
    }

    async fn post_raw(&self, path: &str, user: &User, body: String) -> Reply {
        self.send(
            Request::post(path)
                .header(header::COOKIE, &user.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    async fn api(&self, key: Option<&str>, body: &str) -> Reply {
        let mut req =
            Request::post("/api/referrals").header(header::CONTENT_TYPE, "application/json");
        if let Some(k) = key {
            req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
        }
        self.send(req.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    async fn referrals(&self) -> Vec<upstream_store::ReferralRow> {
        self.store
            .referrals(&ReferralFilter::default())
            .await
            .expect("referrals")
    }
}

fn good_json() -> serde_json::Value {
    serde_json::json!({
        "referrer_name": "Dee Adviser",
        "referrer_contact": "dee@example.org",
        "subject_name": "Jonathan Smithson",
        "subject_dob": "1980-03-02",
        "subject_address": "12 Acacia Avenue",
        "subject_postcode": "b11aa",
        "reason": "Behind on rent and worried about an eviction notice",
        "urgent": true,
        "resident_agreed": true,
        "team": TEAM,
    })
}

const GOOD_FORM: &[(&str, &str)] = &[
    ("referrer_kind", "police"),
    ("referrer_name", "PC Amir Khan"),
    ("referrer_contact", "101 ext 4455"),
    ("subject_name", "Jonathan Smithson"),
    ("subject_dob-day", "2"),
    ("subject_dob-month", "3"),
    ("subject_dob-year", "1980"),
    ("subject_address", "12 Acacia Avenue"),
    ("subject_postcode", "B1 1AA"),
    ("subject_phone", "07700 900 982"),
    ("reason", "Found sleeping in his car twice this week"),
    ("resident_agreed", "yes"),
    ("team", TEAM),
];

#[tokio::test]
async fn the_api_needs_a_known_key_and_answers_only_post() {
    let site = site().await;
    let body = good_json().to_string();
    for key in [None, Some("not-a-key")] {
        let r = site.api(key, &body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{key:?}: {}", r.body);
        assert!(r.json()["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let get = site
        .send(
            Request::get("/api/referrals")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(site.referrals().await.is_empty());
}

#[tokio::test]
async fn the_api_lists_every_field_problem() {
    let site = site().await;
    let r = site
        .api(
            Some(KEY),
            r#"{"subject_name": " ", "subject_dob": "1980-13-01", "subject_postcode": "XYZ", "urgent": "yes", "team": "Nobody"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
            e["field"].as_str().expect("field").to_string()
        })
        .collect();
    for f in [
        "urgent",
        "referrer_name",
        "subject_name",
        "subject_dob",
        "subject_address",
        "subject_postcode",
        "reason",
        "resident_agreed",
        "team",
    ] {
        assert!(fields.iter().any(|x| x == f), "no {f} in {fields:?}");
    }
    let r = site.api(Some(KEY), "not json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let big = format!(
        "{{\"reason\": \"{}\"}}",
        "x".repeat(upstream_web_body_limit() + 1)
    );
    let r = site.api(Some(KEY), &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(site.referrals().await.is_empty());
}

fn upstream_web_body_limit() -> usize {
    64 * 1024
}

#[tokio::test]
async fn an_api_referral_lands_in_the_teams_queue_and_is_audited() {
    let site = site().await;
    let r = site.api(Some(KEY), &good_json().to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let json = r.json();
    assert_eq!(json["status"], "new");
    let id = json["id"].as_i64().expect("id");
    let kept = site.store.referral(id).await.expect("read").expect("kept");
    assert_eq!(kept.direction, "in");
    assert_eq!(kept.from_organisation, CA);
    assert_eq!(kept.team.as_deref(), Some(TEAM));
    assert_eq!(kept.subject_postcode, "B1 1AA");
    assert!(kept.urgent);
    let audit = site
        .store
        .search_audit(&AuditFilter {
            username: Some(format!("api:{}", CA.to_lowercase())),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].subject_kind, "referral");

    let connector = site.user("asmith", Role::Connector, None, Some(TEAM)).await;
    let q = site.get("/referrals", &connector).await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    for text in [
        "Jonathan Smithson",
        "Citizens Advice: Dee Adviser",
        "Behind on rent",
        "Urgent",
        &format!("href=\"/referrals/{id}\""),
    ] {
        assert!(q.body.contains(text), "no {text:?} in {}", q.body);
    }
    // Another team's connector does not see it in their queue.
    let other = site
        .user("young", Role::Connector, None, Some("Young people's team"))
        .await;
    let q = site.get("/referrals", &other).await;
    assert!(!q.body.contains("Jonathan Smithson"));
    // Not for analysts or partners.
    let analyst = site.user("ann", Role::Analyst, None, None).await;
    assert_eq!(
        site.get("/referrals", &analyst).await.status,
        StatusCode::NOT_FOUND
    );
    let partner = site.user("pat", Role::PartnerWorker, Some(CA), None).await;
    assert_eq!(
        site.get("/referrals", &partner).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        site.get(&format!("/referrals/{id}"), &partner).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_form_lists_every_problem_and_keeps_what_was_typed() {
    let site = site().await;
    let connector = site.user("asmith", Role::Connector, None, Some(TEAM)).await;
    let page = site.get("/referrals/new", &connector).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("name=\"csrf_token\""));
    assert!(page
        .body
        .contains("<option value=\"Prevention team\" selected>"));
    let r = site
        .post(
            "/referrals/new",
            &connector,
            &[
                ("subject_name", "Sam <b>Green</b>"),
                ("subject_postcode", "nonsense"),
                ("subject_dob-day", "31"),
                ("subject_dob-month", "2"),
                ("subject_dob-year", "1990"),
                ("team", TEAM),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for text in [
        "<title>Error: Make a referral",
        "govuk-error-summary",
        "There is a problem",
        "href=\"#referrer_kind\"",
        "href=\"#referrer_name\"",
        "href=\"#subject_dob-day\"",
        "Date of birth must be a real date",
        "href=\"#subject_address\"",
        "Enter a real postcode, like B1 1AA",
        "Enter what is happening and why you are worried",
        "href=\"#resident_agreed\"",
        "govuk-error-message",
        "value=\"nonsense\"",
        "value=\"31\"",
        "Sam &lt;b&gt;Green",
    ] {
        assert!(r.body.contains(text), "no {text:?} in {}", r.body);
    }
    assert!(!r.body.contains("<b>Green"));
    assert!(site.referrals().await.is_empty());
}

#[tokio::test]
async fn the_form_without_the_csrf_token_changes_nothing() {
    let site = site().await;
    let connector = site.user("asmith", Role::Connector, None, Some(TEAM)).await;
    let r = site
        .post_raw("/referrals/new", &connector, form(GOOD_FORM))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Sorry, that form could not be sent"));
    assert!(site.referrals().await.is_empty());
}

#[tokio::test]
async fn a_referral_is_made_accepted_once_and_opens_a_case() {
    let site = site().await;
    let connector = site.user("asmith", Role::Connector, None, Some(TEAM)).await;
    let r = site.post("/referrals/new", &connector, GOOD_FORM).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = site.referrals().await[0].id;
    assert_eq!(r.location, format!("/referrals/sent?number={id}"));
    let done = site.get(&r.location, &connector).await;
    assert!(done.body.contains("govuk-panel--confirmation"));
    assert!(done.body.contains(&format!("<strong>{id}</strong>")));
    let kept = site.store.referral(id).await.expect("read").expect("kept");
    assert_eq!(kept.from_organisation, "Police");
    assert_eq!(kept.referrer_name, "PC Amir Khan");
    assert_eq!(
        kept.subject_dob,
        chrono::NaiveDate::from_ymd_opt(1980, 3, 2)
    );
    assert!(!kept.urgent);
    assert!(kept.resident_agreed);

    let path = format!("/referrals/{id}");
    let page = site.get(&path, &connector).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Found sleeping in his car"));
    assert!(page.body.contains("href=\"/search?q=Jonathan+Smithson\""));
    // The household he lives in is suggested, with why; the other is not.
    assert!(
        page.body
            .contains(r#"name="household_id" type="radio" value="41""#)
            && page.body.contains("Same name, date of birth and postcode"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"value="42""#), "{}", page.body);
    let views = site
        .store
        .search_audit(&AuditFilter {
            subject_kind: Some("referral".into()),
            subject_id: Some(id.to_string()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].purpose, "referral page");

    let wrong = site
        .post(
            &format!("{path}/accept"),
            &connector,
            &[("household_id", "999")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("No household has that number"));
    assert!(wrong.body.contains("value=\"999\""));

    // Household 42 exists, but Jonathan Smithson does not live there:
    // accepting into it would show the referrer someone else's family.
    let elsewhere = site
        .post(
            &format!("{path}/accept"),
            &connector,
            &[("household_id", "42")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        elsewhere
            .body
            .contains("Nobody in that household has the referred person"),
        "{}",
        elsewhere.body
    );
    let kept = site.store.referral(id).await.expect("read").expect("kept");
    assert_eq!((kept.status.as_str(), kept.household_id), ("new", None));

    let ok = site
        .post(
            &format!("{path}/accept"),
            &connector,
            &[("household_id", "41")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let case_id: i64 = ok
        .location
        .strip_prefix("/cases/")
        .and_then(|c| c.parse().ok())
        .expect("to the case");
    let case = site
        .store
        .case_info(case_id)
        .await
        .expect("read")
        .expect("case");
    assert_eq!(case.household_id, 41);
    assert_eq!(case.origin, "referral");
    assert_eq!(case.referral_id, Some(id));
    assert_eq!(case.connector_id, Some(connector.id));
    assert_eq!(case.team.as_deref(), Some(TEAM));
    assert_eq!(case.nation, "england");

    // Decided once: neither accepting nor declining again changes it.
    let again = site
        .post(
            &format!("{path}/decline"),
            &connector,
            &[("note", "Changed my mind")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location, path);
    let kept = site.store.referral(id).await.expect("read").expect("kept");
    assert_eq!(kept.status, "accepted");
    assert_eq!(kept.household_id, Some(41));
    let page = site.get(&path, &connector).await;
    assert!(page.body.contains("already been accepted"), "{}", page.body);
    assert!(!page.body.contains("action=\"/referrals/"));
    assert!(page.body.contains(&format!("href=\"/cases/{case_id}\"")));
    assert!(!site
        .get("/referrals", &connector)
        .await
        .body
        .contains("Jonathan Smithson"));
}

#[tokio::test]
async fn declining_needs_a_reason_for_the_referrer() {
    let site = site().await;
    let id = site.api(Some(KEY), &good_json().to_string()).await.json()["id"]
        .as_i64()
        .expect("id");
    let leader = site.user("lee", Role::TeamLeader, None, None).await;
    // A team leader without a team sees the first team's queue, and may pick another.
    let q = site.get("/referrals", &leader).await;
    assert!(q.body.contains("Jonathan Smithson"), "{}", q.body);
    let q = site
        .get("/referrals?team=Young+people%27s+team", &leader)
        .await;
    assert!(!q.body.contains("Jonathan Smithson"));
    let path = format!("/referrals/{id}/decline");
    let r = site.post(&path, &leader, &[("note", "  ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Enter why the referral is declined"));
    let r = site
        .post(&path, &leader, &[("note", "Already working with Shelter")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let kept = site.store.referral(id).await.expect("read").expect("kept");
    assert_eq!(kept.status, "declined");
    assert_eq!(
        kept.decision_note.as_deref(),
        Some("Already working with Shelter")
    );
    // The referring organisation sees the outcome on its start page.
    let pat = site.user("pat", Role::PartnerWorker, Some(CA), None).await;
    let start = site.get("/", &pat).await;
    assert!(start.body.contains("Referrals you made"));
    assert!(start.body.contains("Declined"), "{}", start.body);
    assert!(start.body.contains("Already working with Shelter"));
}

#[tokio::test]
async fn a_partner_refers_from_their_own_organisation() {
    let site = site().await;
    let pat = site.user("pat", Role::PartnerWorker, Some(CA), None).await;
    let page = site.get("/referrals/new", &pat).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("name=\"referrer_kind\""));
    let fields: Vec<(&str, &str)> = GOOD_FORM
        .iter()
        .copied()
        .filter(|(k, _)| !k.starts_with("referrer_kind"))
        .collect();
    let r = site.post("/referrals/new", &pat, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let kept = &site.referrals().await[0];
    assert_eq!(kept.from_organisation, CA);
    assert_eq!(kept.referrer_name, "pat display");
    let analyst = site.user("ann", Role::Analyst, None, None).await;
    assert_eq!(
        site.get("/referrals/new", &analyst).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_partner_sees_a_consented_household_without_its_risk_until_consent_is_withdrawn() {
    let site = site().await;
    let connector = site.user("asmith", Role::Connector, None, Some(TEAM)).await;
    let today = Utc::now().date_naive();
    let consent = site
        .store
        .record_consent(
            &NewConsent {
                household_id: 41,
                case_id: None,
                given_by: "Jonathan Smithson".into(),
                organisations: vec![CA.into(), "Shelter".into()],
                purposes: vec!["money_advice".into()],
                obtained_how: "verbal_phone".into(),
                given_on: today - Duration::days(3),
                expires_on: None,
            },
            connector.id,
        )
        .await
        .expect("consent");
    let pat = site.user("pat", Role::PartnerWorker, Some(CA), None).await;
    let start = site.get("/", &pat).await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.body);
    assert!(start.body.contains("Households shared with you"));
    assert!(
        start.body.contains("href=\"/households/41\""),
        "{}",
        start.body
    );
    assert!(start.body.contains("12 Acacia Avenue, B1 1AA"));

    let page = site.get("/households/41", &pat).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "12 Acacia Avenue",
        "Jonathan Smithson",
        "Money and debt advice",
        "Verbally, by phone",
        "Until withdrawn",
    ] {
        assert!(page.body.contains(text), "no {text:?} in {}", page.body);
    }
    for hidden in [
        "Chance of crisis",
        "42%",
        "Squeezed renter",
        "Resilience",
        "Council tax arrears",
        "Job loss",
        "CT-0001",
        "Shelter",
        "2 March 1980",
    ] {
        assert!(!page.body.contains(hidden), "{hidden:?} shown to a partner");
    }
    let views = site
        .store
        .search_audit(&AuditFilter {
            subject_kind: Some("household".into()),
            subject_id: Some("41".into()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(views[0].purpose, "household page (partner)");

    // Another organisation's worker: not found, and nothing on their start page.
    let fran = site
        .user("fran", Role::PartnerWorker, Some(FOOD), None)
        .await;
    let other = site.get("/households/41", &fran).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("Smithson"));
    let start = site.get("/", &fran).await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(!start.body.contains("Acacia"));
    assert!(!start.body.contains("/households/41"));

    // Withdrawn today: gone at once.
    assert!(site
        .store
        .withdraw_consent(41, consent, today, connector.id, "Asked us to stop")
        .await
        .expect("withdraw"));
    let gone = site.get("/households/41", &pat).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(!gone.body.contains("Smithson"));
    assert!(!site.get("/", &pat).await.body.contains("Acacia"));
    // Staff still see the full page.
    let staff = site.get("/households/41", &connector).await;
    assert!(staff.body.contains("Chance of crisis"));
}

/// Issue 16: a referral whose date of birth was mistyped still finds the
/// household by name and postcode, and the worker picks it from the list.
#[tokio::test]
async fn a_mistyped_date_of_birth_still_suggests_the_household_by_name_and_postcode() {
    let site = site().await;
    let connector = site.user("asmith", Role::Connector, None, Some(TEAM)).await;
    let mut form: Vec<(&str, &str)> = GOOD_FORM.to_vec();
    for f in form.iter_mut() {
        if f.0 == "subject_dob-day" {
            f.1 = "20";
        }
    }
    let r = site.post("/referrals/new", &connector, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = site.referrals().await[0].id;
    let page = site.get(&format!("/referrals/{id}"), &connector).await;
    assert!(
        page.body.contains(r#"value="41""#) && page.body.contains("Same name and postcode"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_resident_no_system_holds_is_recorded_from_the_referral_once() {
    let site = site().await;
    let mut json = good_json();
    json["subject_name"] = "Priya Ramanathan".into();
    json["subject_dob"] = "1992-07-14".into();
    json["subject_address"] = "Flat 2, 9 Canal Street".into();
    json["subject_postcode"] = "b5 7pq".into();
    json["subject_phone"] = "07700 900 123".into();
    let id = site.api(Some(KEY), &json.to_string()).await.json()["id"]
        .as_i64()
        .expect("id");
    let connector = site.user("asmith", Role::Connector, None, Some(TEAM)).await;
    let path = format!("/referrals/{id}");
    let page = site.get(&path, &connector).await;
    assert!(
        page.body.contains("Nobody with a similar name was found"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"type="radio" value="new""#));
    let ok = site
        .post(
            &format!("{path}/accept"),
            &connector,
            &[("household_id", "new")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let case_id: i64 = ok
        .location
        .strip_prefix("/cases/")
        .and_then(|c| c.parse().ok())
        .expect("to the case");
    let case = site
        .store
        .case_info(case_id)
        .await
        .expect("read")
        .expect("case");
    // A household of her own, numbered after every household linkage made.
    assert!(case.household_id > 42, "{}", case.household_id);
    let kept = site.store.referral(id).await.expect("read").expect("kept");
    assert_eq!(kept.household_id, Some(case.household_id));
    let household = site
        .get(&format!("/households/{}", case.household_id), &connector)
        .await;
    assert_eq!(household.status, StatusCode::OK, "{}", household.body);
    assert!(household.body.contains("PRIYA"), "{}", household.body);
    assert!(
        household.body.contains("Council referrals"),
        "{}",
        household.body
    );
    // Search finds her by name and date of birth, as it finds anyone.
    let found = site
        .get("/search?q=Priya+Ramanathan+14%2F07%2F1992", &connector)
        .await;
    assert!(
        found
            .body
            .contains(&format!("href=\"/households/{}\"", case.household_id)),
        "{}",
        found.body
    );
    // The referring partner sees her household: she is in it.
    let pat = site.user("pat", Role::PartnerWorker, Some(CA), None).await;
    let start = site.get("/", &pat).await;
    assert!(
        start
            .body
            .contains(&format!("href=\"/households/{}\"", case.household_id)),
        "{}",
        start.body
    );
    // Recording her again gives the same household, and no second person.
    let again = site
        .store
        .record_new_resident(&upstream_store::NewResident {
            referral_id: id,
            record: upstream_store::NewSourceRecord {
                row_no: 1,
                record_key: String::new(),
                row_means: "person".into(),
                title: None,
                forename: Some("PRIYA".into()),
                middle_names: None,
                surname: Some("RAMANATHAN".into()),
                dob: None,
                nino: None,
                postcode: None,
                address: None,
                uprn: None,
                phone: None,
                email: None,
                event_date: None,
                attributes: "{}".into(),
                original: "{}".into(),
            },
            today: Utc::now().date_naive(),
        })
        .await
        .expect("again");
    assert_eq!(again, case.household_id);
    let views = site
        .store
        .search_audit(&AuditFilter {
            subject_kind: Some("referral".into()),
            subject_id: Some(id.to_string()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert!(views
        .iter()
        .any(|v| v.purpose == "resident recorded from a referral"));
}
