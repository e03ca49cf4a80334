//! The person search and the household page, through the router against the
//! real store (SQLite in a temporary file), with rows written straight into
//! the tables a link run and an assessment run fill. Included into the `web`
//! test binary.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use std::sync::Arc;
use tower::ServiceExt;
use upstream_core::{AuditAction, Role};
use upstream_store::{AuditFilter, NewUser, Store};
use upstream_web::{router, AppState};

struct Site {
    app: AppState,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
}

const SEED: &[&str] = &[
    "INSERT INTO ingest_files (id, source, file_name, sha256, extract_date, period_key, rows_read, records, quarantined, loaded_at) VALUES (1, 'council_tax', 'ct.csv', 'x', '2025-01-31', '2025-01-31', 2, 2, 0, '2025-02-01T00:00:00Z')",
    "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, address, attributes, original) VALUES (1, 1, 'council_tax', 'CT-0001', 'account', '2024-12-31', 'Jonathan', 'Smithson', '1980-03-02', 'B1 1AA', '12 Acacia Avenue', '{}', '{}')",
    "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, address, attributes, original) VALUES (1, 2, 'council_tax', 'CT-0001', 'account', '2025-01-31', 'Jonathan', 'Smithson', '1980-03-02', 'B1 1AA', '12 Acacia Avenue', '{}', '{}')",
    "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, address, attributes, original) VALUES (1, 3, 'council_tax', 'CT-0002', 'account', '2025-01-31', 'Mary', 'Jones', '1975-01-01', 'B2 2BB', '3 Elm Road', '{}', '{}')",
    "INSERT INTO person_records (source, record_key, person_id, run_id) VALUES ('council_tax', 'CT-0001', 7, 1)",
    "INSERT INTO person_records (source, record_key, person_id, run_id) VALUES ('council_tax', 'CT-0002', 8, 1)",
    "INSERT INTO addresses (id, addr_key, address, postcode) VALUES (1, 'a1', '12 Acacia Avenue', 'B1 1AA')",
    "INSERT INTO addresses (id, addr_key, address, postcode) VALUES (2, 'a2', '3 Elm Road', 'B2 2BB')",
    "INSERT INTO residences (person_id, address_id, from_date, to_date, sources) VALUES (7, 1, '2020-01-01', '2025-01-31', 'council_tax')",
    "INSERT INTO households (id, address_id, from_date, to_date, current) VALUES (41, 1, '2020-01-01', '2025-01-31', TRUE)",
    "INSERT INTO households (id, address_id, from_date, to_date, current) VALUES (42, 2, '2020-01-01', '2025-01-31', TRUE)",
    "INSERT INTO household_members (household_id, person_id) VALUES (41, 7)",
    "INSERT INTO household_members (household_id, person_id) VALUES (42, 8)",
    "INSERT INTO assessment_runs (id, as_of, run_at, link_run_id, model_version, model, library, households) VALUES (1, '2025-01-31', '2025-02-01T00:00:00Z', 1, 'v1', '{}', '{}', 2)",
    "INSERT INTO assessments (run_id, household_id, in_crisis, probability, reasons, resilience, resilience_band, resilience_parts, persona, persona_reason) VALUES (1, 41, FALSE, 0.42, '[\"Council tax arrears for 3 months\"]', 35, 'low', '[[\"Works\", 10]]', 'squeezed_renter', 'Rent is more than half of income')",
    "INSERT INTO life_events (run_id, household_id, event, event_date, person_id, detail, evidence) VALUES (1, 41, 'job_loss', '2024-11-01', 7, 'Stopped working', '[]')",
    // Household 33 was this family seen twice (its address written another way).
    "INSERT INTO household_merges (run_id, from_id, into_id) VALUES (1, 33, 41)",
];

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
    let app = AppState::new(store.clone()).with_secure_cookies(false);
    Site {
        app,
        store,
        _dir: dir,
    }
}

impl Site {
    /// A session cookie for a new user with `role`.
    async fn signed_in(&self, username: &str, role: Role) -> String {
        let user = self
            .store
            .create_user(
                &NewUser {
                    username: username.into(),
                    display_name: username.into(),
                    role,
                    organisation: (role == Role::PartnerWorker)
                        .then(|| "Citizens Advice".to_string()),
                    team: None,
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
        format!("upstream_session={}", s.token)
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, String, String) {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let resp = router(self.app.clone())
            .oneshot(req.body(Body::empty()).expect("request"))
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
        (
            status,
            location,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }
}

#[tokio::test]
async fn search_needs_a_session() {
    let site = site().await;
    let (status, location, _) = site.get("/search?q=smith", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/sign-in"), "{location}");
}

#[tokio::test]
async fn a_misspelt_name_finds_the_person_and_the_search_is_audited() {
    let site = site().await;
    let cookie = site.signed_in("asmith", Role::Connector).await;
    let (status, _, body) = site.get("/search?q=jonathon+smithsen", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Jonathan Smithson"), "{body}");
    assert!(body.contains("2 March 1980"));
    assert!(body.contains("href=\"/households/41\""));
    assert!(!body.contains("Mary Jones"));
    // By postcode without its space, and by date of birth.
    let (_, _, body) = site.get("/search?q=b22bb", Some(&cookie)).await;
    assert!(body.contains("Mary Jones"), "{body}");
    let (_, _, body) = site.get("/search?q=02%2F03%2F1980", Some(&cookie)).await;
    assert!(body.contains("Jonathan Smithson"), "{body}");
    let views = site
        .store
        .search_audit(&AuditFilter {
            action: Some(AuditAction::View),
            subject_kind: Some("search".into()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(views.len(), 3);
    assert_eq!(views[2].purpose, "search");
    assert!(views[2].detail.to_string().contains("jonathon smithsen"));
}

#[tokio::test]
async fn what_is_searched_for_is_escaped() {
    let site = site().await;
    let cookie = site.signed_in("asmith", Role::Connector).await;
    let (status, _, body) = site
        .get(
            "/search?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            Some(&cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<script>alert(1)"), "{body}");
    assert!(body.contains("&lt;script&gt;") || body.contains("&#60;script&#62;"));
}

#[tokio::test]
async fn the_household_page_shows_risk_reasons_records_and_events_and_is_audited() {
    let site = site().await;
    let cookie = site.signed_in("asmith", Role::Connector).await;
    let (status, _, body) = site.get("/households/41", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for text in [
        "12 Acacia Avenue",
        "Jonathan Smithson",
        "42%",
        "Council tax arrears for 3 months",
        "Squeezed renter",
        "Rent is more than half of income",
        "CT-0001",
        "Council tax",
        "31 December 2024",
        "31 January 2025",
        "Job loss",
        "Stopped working",
    ] {
        assert!(body.contains(text), "no {text:?} in {body}");
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
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].purpose, "household page");
    let (status, _, _) = site.get("/households/999", Some(&cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = site.get("/households/not-a-number", Some(&cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A link to a household merged into another leads to the family's one.
    let (status, location, _) = site.get("/households/33", Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/households/41");
}

#[tokio::test]
async fn a_partner_worker_finds_no_unconsented_household() {
    let site = site().await;
    let cookie = site.signed_in("pat", Role::PartnerWorker).await;
    let (status, _, body) = site.get("/households/41", Some(&cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    assert!(!body.contains("Smithson"));
    let (status, _, body) = site.get("/search?q=smithson", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("Smithson</td>"), "{body}");
    assert!(body.contains("No people found"));
}

// ---- casework: the worklist, the case, consent and partners ------------------

/// A signed-in user of `role` (in `organisation` for partners, in the
/// Prevention team otherwise): their cookie and CSRF token.
async fn staff(site: &Site, username: &str, role: Role, organisation: &str) -> (String, String) {
    staff_in(site, username, role, organisation, "Prevention team").await
}

/// `staff`, in a team other than the Prevention team.
async fn staff_in(
    site: &Site,
    username: &str,
    role: Role,
    organisation: &str,
    team: &str,
) -> (String, String) {
    let user = site
        .store
        .create_user(
            &NewUser {
                username: username.into(),
                display_name: format!("{username} name"),
                role,
                organisation: (role == Role::PartnerWorker).then(|| organisation.to_string()),
                team: (role != Role::PartnerWorker).then(|| team.to_string()),
            },
            "correct horse battery staple",
        )
        .await
        .expect("user");
    let now = Utc::now();
    let s = site
        .store
        .create_session(user.id, now, now + Duration::hours(1))
        .await
        .expect("session");
    (format!("upstream_session={}", s.token), s.csrf_token)
}

impl Site {
    async fn post(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let body = fields
            .iter()
            .map(|(k, v)| {
                let enc = |s: &str| {
                    s.bytes()
                        .map(|b| {
                            if b.is_ascii_alphanumeric() {
                                (b as char).to_string()
                            } else {
                                format!("%{b:02X}")
                            }
                        })
                        .collect::<String>()
                };
                format!("{}={}", enc(k), enc(v))
            })
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
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
        (
            status,
            location,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }
}

async fn with_a_kept_list(site: &Site) -> i64 {
    use upstream_store::{NewWorklist, PartnerOrganisation, Team, WorklistEntryRow};
    site.store
        .save_team(&Team {
            name: "Prevention team".into(),
            capacity: 10,
            areas: vec![],
            recent_contact_days: 28,
            min_probability: 0.0,
        })
        .await
        .expect("team");
    for (name, purposes) in [
        ("Citizens Advice", "money_advice"),
        ("Food Bank Trust", "community_support"),
    ] {
        site.store
            .save_partner_organisation(&PartnerOrganisation {
                name: name.into(),
                kind: "voluntary".into(),
                purposes: vec![purposes.into()],
            })
            .await
            .expect("organisation");
    }
    let (kept, _) = site
        .store
        .keep_worklist(&NewWorklist {
            team: "Prevention team".into(),
            week_start: chrono::NaiveDate::from_ymd_opt(2025, 2, 3).expect("date"),
            assessment_run_id: 1,
            capacity: 10,
            excluded: "{}".into(),
            entries: vec![WorklistEntryRow {
                rank: 1,
                household_id: 41,
                probability: Some(0.42),
                persona: "snowballing".into(),
                fast_tracked: false,
                why: "Council tax arrears for 3 months".into(),
                names: None,
            }],
        })
        .await
        .expect("worklist");
    // The list keeps who lived there as it was made, so its page need not
    // read every record version on every view.
    assert_eq!(
        kept.entries[0].names.as_deref(),
        Some("Jonathan Smithson"),
        "{kept:?}"
    );
    kept.id
}

#[tokio::test]
async fn a_worklist_household_becomes_a_case_with_a_plan_consent_and_a_referral_the_partner_alone_can_see(
) {
    let site = site().await;
    let list = with_a_kept_list(&site).await;
    let (leader, leader_csrf) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let casey = site
        .store
        .user_by_username("casey")
        .await
        .expect("read")
        .expect("casey");

    // The team leader sees the list and gives the household to Casey.
    let (status, _, page) = site.get("/worklist", Some(&leader)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("12 Acacia Avenue, B1 1AA")
            && page.contains("Council tax arrears for 3 months")
            && page.contains(">Jonathan Smithson</a>"),
        "{page}"
    );
    // The menu says where you are, to the eye and to a screen reader.
    assert!(
        page.contains(r#"href="/worklist" aria-current="true"><strong class="govuk-service-navigation__active-fallback">This week&#x27;s list</strong>"#)
            && !page.contains(r#"href="/search" aria-current"#),
        "{page}"
    );
    let (status, _, _) = site
        .post(
            &format!("/worklist/{list}/entries/1/assign"),
            &leader,
            &[
                ("csrf_token", &leader_csrf),
                ("connector_id", &casey.id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A connector may not share out the list.
    let (status, _, _) = site
        .post(
            &format!("/worklist/{list}/entries/1/assign"),
            &connector,
            &[
                ("csrf_token", &csrf),
                ("connector_id", &casey.id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Casey sees it in their caseload and opens a case; opening twice gives the same case.
    let (_, _, page) = site.get("/worklist", Some(&connector)).await;
    assert!(page.contains("Open a case"), "{page}");
    let (status, to, _) = site
        .post(
            "/cases",
            &connector,
            &[
                ("csrf_token", &csrf),
                ("household_id", "41"),
                ("origin", "worklist"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, again, _) = site
        .post(
            "/cases",
            &connector,
            &[
                ("csrf_token", &csrf),
                ("household_id", "41"),
                ("origin", "worklist"),
            ],
        )
        .await;
    assert_eq!(to, again, "one open case per household");
    let case = to.clone();

    // The conversation: what was typed is escaped.
    let (status, _, _) = site
        .post(
            &format!("{case}/conversation"),
            &connector,
            &[
                ("csrf_token", &csrf),
                ("what_matters", "<script>alert(1)</script> the school"),
                ("strengths", "Organised"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; the school")
            && !page.contains("<script>alert(1)")
    );

    // A plan action that is not SMART is refused with every problem named.
    let (status, _, page) = site
        .post(
            &format!("{case}/actions"),
            &connector,
            &[("csrf_token", &csrf), ("what", "Help")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("There is a problem") && page.contains("Enter a due date"),
        "{page}"
    );
    let due = Utc::now().date_naive() + Duration::days(14);
    let (day, month, year) = (
        due.format("%-d").to_string(),
        due.format("%-m").to_string(),
        due.format("%Y").to_string(),
    );
    let (status, _, _) = site
        .post(
            &format!("{case}/actions"),
            &connector,
            &[
                ("csrf_token", &csrf),
                ("what", "Apply for a discretionary housing payment"),
                ("how_we_will_know", "Award letter received"),
                ("owner", "resident"),
                ("owner_name", "Jonathan"),
                ("due_on-day", &day),
                ("due_on-month", &month),
                ("due_on-year", &year),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // No referral without consent; then consent for money advice with Citizens Advice.
    let (status, _, _) = site
        .post(
            &format!("{case}/referrals"),
            &connector,
            &[
                ("csrf_token", &csrf),
                ("to_organisation", "Citizens Advice"),
                ("reason", "Debt"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = site
        .post(
            &format!("{case}/consents"),
            &connector,
            &[
                ("csrf_token", &csrf),
                ("given_by", "Jonathan"),
                ("organisations", "Citizens Advice"),
                ("organisations", "Food Bank Trust"),
                ("purposes", "money_advice"),
                ("obtained_how", "verbal_in_person"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = site
        .post(
            &format!("{case}/referrals"),
            &connector,
            &[
                ("csrf_token", &csrf),
                ("to_organisation", "Citizens Advice"),
                ("reason", "Help with council tax arrears"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The advice partner sees the household; the food bank, named but not for
    // anything it does, does not; nor does anyone without consent see the case.
    let (advice, _) = staff(&site, "jordan", Role::PartnerWorker, "Citizens Advice").await;
    let (food, _) = staff(&site, "sam", Role::PartnerWorker, "Food Bank Trust").await;
    let (status, _, _) = site.get("/households/41", Some(&advice)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, page) = site.get("/households/41", Some(&food)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    let (status, _, _) = site.get("/households/42", Some(&advice)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = site.get(&case, Some(&advice)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "partners never see the case record"
    );

    // Withdrawal asks "are you sure" and why, then takes effect at once.
    let consent = site.store.consents_of(41).await.expect("consents")[0].id;
    let withdraw = format!("{case}/consents/{consent}/withdraw");
    let (status, _, page) = site.get(&withdraw, Some(&connector)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Are you sure you want to withdraw this consent?"),
        "{page}"
    );
    let (status, _, page) = site
        .post(&withdraw, &connector, &[("csrf_token", &csrf)])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Enter why consent is being withdrawn"),
        "{page}"
    );
    let (status, _, _) = site.get("/households/41", Some(&advice)).await;
    assert_eq!(status, StatusCode::OK, "not withdrawn without a reason");
    let (status, _, _) = site
        .post(
            &withdraw,
            &connector,
            &[
                ("csrf_token", &csrf),
                ("note", "the resident asked us to stop"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(
        page.contains("withdrawn") && page.contains("the resident asked us to stop"),
        "the chronology says so: {page}"
    );
    let (status, _, _) = site.get("/households/41", Some(&advice)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Loss of contact needs several attempts on more than one channel.
    site.post(
        &format!("{case}/attempts"),
        &connector,
        &[
            ("csrf_token", &csrf),
            ("channel", "email"),
            ("result", "no_reply"),
        ],
    )
    .await;
    let (status, _, page) = site
        .post(
            &format!("{case}/close"),
            &connector,
            &[("csrf_token", &csrf), ("reason", "loss_of_contact")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Before closing for loss of contact"),
        "{page}"
    );
    let (status, _, _) = site
        .post(
            &format!("{case}/close"),
            &connector,
            &[("csrf_token", &csrf), ("reason", "made_up")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = site
        .post(
            &format!("{case}/close"),
            &connector,
            &[("csrf_token", &csrf), ("reason", "support_in_place")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = site
        .post(
            &format!("{case}/conversation"),
            &connector,
            &[("csrf_token", &csrf), ("what_matters", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a closed case is read-only");

    // Every step was audited against the case.
    let case_id = case.trim_start_matches("/cases/");
    let entries = site
        .store
        .search_audit(&upstream_store::AuditFilter {
            subject_kind: Some("case".into()),
            subject_id: Some(case_id.into()),
            ..Default::default()
        })
        .await
        .expect("audit");
    for purpose in [
        "conversation record",
        "support plan action",
        "consent",
        "referral out",
        "consent withdrawn",
        "contact attempt",
        "case closed",
        "case page",
    ] {
        assert!(
            entries.iter().any(|e| e.purpose == purpose),
            "no audit entry for {purpose}"
        );
    }
}

#[tokio::test]
async fn case_forms_need_the_sessions_token_and_cases_are_not_found_for_partners_and_analysts() {
    let site = site().await;
    with_a_kept_list(&site).await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (_, to, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let (status, _, _) = site
        .post(
            &format!("{to}/conversation"),
            &connector,
            &[("csrf_token", "forged"), ("what_matters", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        site.store.conversation(1).await.expect("read").is_none(),
        "nothing saved"
    );
    for (name, role) in [
        ("ana", Role::Analyst),
        ("jo", Role::PartnerWorker),
        ("ad", Role::Administrator),
    ] {
        let (cookie, _) = staff(&site, name, role, "Citizens Advice").await;
        let (status, _, _) = site.get(&to, Some(&cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
        let (status, _, _) = site.get("/cases/999", Some(&cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
    }
    let (status, _, _) = site.get(&to, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out: off to sign in");
}

#[tokio::test]
async fn a_welsh_councils_cases_follow_welsh_law_on_the_duty_clock() {
    let mut site = site().await;
    site.app = site.app.clone().with_nation(upstream_core::Nation::Wales);
    with_a_kept_list(&site).await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let started = Utc::now().date_naive() - Duration::days(50);
    let (d, m, y) = (
        started.format("%-d").to_string(),
        started.format("%-m").to_string(),
        started.format("%Y").to_string(),
    );
    let (status, _, _) = site
        .post(
            &format!("{case}/duties"),
            &connector,
            &[
                ("csrf_token", &csrf),
                ("kind", "prevention"),
                ("started_on-day", &d),
                ("started_on-month", &m),
                ("started_on-year", &y),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(page.contains("s66 Housing (Wales) Act 2014"), "{page}");
    assert!(page.contains("Day 51 of 56"), "{page}");
    // Day 51 of 56: the warning is up, on the case and on the overdue list.
    let (_, _, list) = site.get("/worklist", Some(&connector)).await;
    assert!(
        list.contains("ends in 5 days") || list.contains("5 days"),
        "{list}"
    );
}

/// Faults found on trying the app: a team leader of another team could share
/// out the Prevention team's list and give its case to their own connector;
/// a team leader could give work to another team's connector.
#[tokio::test]
async fn team_leaders_share_out_only_their_own_teams_list_and_cases_to_their_own_team() {
    let site = site().await;
    let list = with_a_kept_list(&site).await;
    let (leader, leader_csrf) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (other_leader, other_csrf) =
        staff_in(&site, "olu", Role::TeamLeader, "", "Money team").await;
    staff_in(&site, "mo", Role::Connector, "", "Money team").await;
    let id_of = |name: &'static str| {
        let store = site.store.clone();
        async move {
            store
                .user_by_username(name)
                .await
                .expect("read")
                .expect("user")
                .id
                .to_string()
        }
    };
    let (casey, mo) = (id_of("casey").await, id_of("mo").await);
    let assign = format!("/worklist/{list}/entries/1/assign");
    // `who` (cookie and CSRF token) gives the entry or case at `path` to `to`.
    let give = async |path: &str, who: (&str, &str), to: &str| {
        let fields = [("csrf_token", who.1), ("connector_id", to)];
        site.post(path, who.0, &fields).await.0
    };
    let (leader, other) = ((&*leader, &*leader_csrf), (&*other_leader, &*other_csrf));
    // Another team's leader may not touch the Prevention team's list, and
    // the Prevention team's leader may not give its entry to another team.
    assert_eq!(give(&assign, other, &mo).await, StatusCode::FORBIDDEN);
    assert_eq!(give(&assign, leader, &mo).await, StatusCode::NOT_FOUND);
    assert!(site
        .store
        .worklist_assignments(list)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(give(&assign, leader, &casey).await, StatusCode::SEE_OTHER);

    // A Prevention team case: only its own leader reassigns it, within the team.
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let case_id: i64 = case.trim_start_matches("/cases/").parse().expect("case");
    let reassign = format!("{case}/connector");
    assert_eq!(give(&reassign, other, &mo).await, StatusCode::FORBIDDEN);
    assert_eq!(give(&reassign, leader, &mo).await, StatusCode::NOT_FOUND);
    let kept = site
        .store
        .case_info(case_id)
        .await
        .expect("read")
        .expect("case");
    assert_eq!(kept.connector_id.map(|c| c.to_string()), Some(casey));
}

/// Faults found on trying the app: a case could be opened, and a household
/// fast-tracked, by a number no household has.
#[tokio::test]
async fn nothing_is_opened_or_flagged_for_a_household_that_does_not_exist() {
    let site = site().await;
    with_a_kept_list(&site).await;
    let (leader, leader_csrf) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    // The connector opens a case for household `id`: (status, where to).
    let open_case = async |id: &str| {
        let (status, to, _) = site
            .post(
                "/cases",
                &connector,
                &[("csrf_token", &csrf), ("household_id", id)],
            )
            .await;
        (status, to)
    };
    assert_eq!(open_case("999").await.0, StatusCode::NOT_FOUND);
    assert!(site
        .store
        .cases_of_household(999)
        .await
        .expect("read")
        .is_empty());
    let (status, _, page) = site
        .post(
            "/worklist/flags",
            &leader,
            &[
                ("csrf_token", &leader_csrf),
                ("household_id", "999"),
                ("reason", "Told us the landlord has served notice"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("There is no household 999"), "{page}");
    assert!(site.store.flags().await.expect("read").is_empty());
    // A household merged into another (one family seen twice) is followed.
    let (status, to) = open_case("33").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let case_id: i64 = to.trim_start_matches("/cases/").parse().expect("case");
    let case = site
        .store
        .case_info(case_id)
        .await
        .expect("read")
        .expect("case");
    assert_eq!(case.household_id, 41);
}

/// A failed monthly run: administrators see which step and why on the Runs
/// page; the team's page says its list is from the last run that finished.
#[tokio::test]
async fn a_failed_monthly_run_is_shown_to_administrators_and_said_on_the_teams_page() {
    use upstream_store::StepEnd;
    let site = site().await;
    with_a_kept_list(&site).await;
    let (leader, _) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (admin, _) = staff(&site, "ada", Role::Administrator, "").await;
    let now = Utc::now();
    let s = &site.store;
    let good = s.start_pipeline_run("vm", 1, now).await.expect("run");
    s.finish_pipeline_run(good, "finished", None, now)
        .await
        .expect("finish");
    let (_, _, page) = site.get("/worklist", Some(&leader)).await;
    assert!(
        !page.contains("did not finish"),
        "no notice after a good run"
    );

    let bad = s.start_pipeline_run("vm", 2, now).await.expect("run");
    s.start_pipeline_step(bad, "ingest", now)
        .await
        .expect("step");
    let end = StepEnd {
        status: "done",
        summary: "2 new files loaded.",
        counts: "{}",
        warnings: r#"["rent: no extract for 2025-01 <b>"]"#,
        failure: None,
    };
    s.finish_pipeline_step(bad, "ingest", &end, now)
        .await
        .expect("end");
    s.start_pipeline_step(bad, "link", now).await.expect("step");
    let failed = StepEnd {
        status: "failed",
        summary: "",
        counts: "{}",
        warnings: "[]",
        failure: Some("database error: disk full"),
    };
    s.finish_pipeline_step(bad, "link", &failed, now)
        .await
        .expect("end");
    s.finish_pipeline_run(bad, "failed", Some("link: database error: disk full"), now)
        .await
        .expect("finish");

    let (status, _, page) = site.get("/worklist", Some(&leader)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("This month&#x27;s update did not finish")
            || page.contains("This month's update did not finish"),
        "{page}"
    );
    assert!(
        page.contains("link records into people and households"),
        "{page}"
    );

    let (status, _, _) = site.get("/admin/runs", Some(&leader)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "runs are for administrators");
    let (status, _, page) = site.get("/admin/runs", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("Run {bad}, started")), "{page}");
    assert!(page.contains("govuk-tag--red\">Failed"), "{page}");
    assert!(page.contains("database error: disk full"), "{page}");
    assert!(
        page.contains("no extract for 2025-01 &lt;b&gt;"),
        "warnings escaped: {page}"
    );
    assert!(page.contains(&format!("Run {good}, started")), "{page}");
}

/// Issue 16: the team is told who to contact and now how. The sources'
/// phones and emails show with where they came from; what staff record
/// wins over them; safe-contact notes come first wherever contact is made.
#[tokio::test]
async fn contact_details_come_from_the_sources_and_what_staff_record_wins() {
    let site = site().await;
    with_a_kept_list(&site).await;
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        site._dir.path().join("web.db").display()
    ))
    .await
    .expect("pool");
    sqlx::query("UPDATE source_records SET phone = '07700900123' WHERE record_key = 'CT-0001'")
        .execute(&pool)
        .await
        .expect("phone");
    pool.close().await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (advice, _) = staff(&site, "jordan", Role::PartnerWorker, "Citizens Advice").await;

    let (status, _, page) = site.get("/households/41", Some(&connector)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("How to contact them"), "{page}");
    assert!(
        page.contains("07700 900123") && page.contains("Council tax (latest 31 January 2025)"),
        "{page}"
    );
    assert!(page.contains("12 Acacia Avenue, B1 1AA"), "{page}");

    // Partners and analysts never reach the contact page.
    let (status, _, _) = site.get("/households/41/contact", Some(&advice)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A mistyped number is refused with a reason, and nothing is saved.
    let details = "/households/41/contact/details";
    let (status, _, page) = site
        .post(
            details,
            &connector,
            &[
                ("csrf_token", &csrf),
                ("kind", "phone"),
                ("value", "12345"),
                ("usable", "yes"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Enter a UK phone number"), "{page}");
    assert!(site
        .store
        .contact_details(41)
        .await
        .expect("read")
        .is_empty());

    // The resident says the number is not theirs any more: typed another way,
    // it is the same number, and it is no longer offered.
    let (status, _, _) = site
        .post(
            details,
            &connector,
            &[
                ("csrf_token", &csrf),
                ("kind", "phone"),
                ("value", "+44 7700 900 123"),
                ("usable", "no"),
                ("note", "belongs to her ex-partner"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = site
        .post(
            details,
            &connector,
            &[
                ("csrf_token", &csrf),
                ("kind", "email"),
                ("value", "Jon.Smithson@Example.org"),
                ("usable", "yes"),
                ("person_id", "7"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = site.get("/households/41", Some(&connector)).await;
    assert!(
        !page.contains("07700 900123"),
        "a number marked wrong is not offered: {page}"
    );
    assert!(page.contains("jon.smithson@example.org"), "{page}");
    let (_, _, page) = site.get("/households/41/contact", Some(&connector)).await;
    assert!(
        page.contains("07700 900123")
            && page.contains("Do not use")
            && page.contains("belongs to her ex-partner"),
        "the contact page still lists it, marked: {page}"
    );

    // Preferences and a safe-contact note, shown on the case page first.
    let (status, _, _) = site
        .post(
            "/households/41/contact/preferences",
            &connector,
            &[
                ("csrf_token", &csrf),
                ("preferred_channel", "text"),
                ("language", "cy"),
                ("safe_contact", "Do not write to this address"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = site
        .post(
            "/households/41/contact/preferences",
            &connector,
            &[("csrf_token", &csrf), ("language", "other")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Enter the language they would like to use"),
        "{page}"
    );
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(
        page.contains("Safe contact: Do not write to this address"),
        "{page}"
    );
    assert!(
        page.contains("Text message") && page.contains("Welsh (Cymraeg)"),
        "{page}"
    );

    // Every change is audited against the household.
    let audit = site
        .store
        .search_audit(&AuditFilter {
            subject_kind: Some("household".into()),
            subject_id: Some("41".into()),
            ..Default::default()
        })
        .await
        .expect("audit");
    let purposes: Vec<&str> = audit
        .iter()
        .filter(|e| e.action != AuditAction::View)
        .map(|e| e.purpose.as_str())
        .collect();
    assert_eq!(
        purposes.iter().filter(|p| **p == "contact detail").count(),
        2,
        "{purposes:?}"
    );
    assert!(purposes.contains(&"contact preferences"), "{purposes:?}");
}

/// Issue 16: the case page is headed with the resident's name, opens with a
/// summary, and tells the case's story newest first with who did what.
#[tokio::test]
async fn the_case_page_is_headed_by_the_resident_and_tells_its_story() {
    let site = site().await;
    with_a_kept_list(&site).await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let (status, _, page) = site
        .post(
            &format!("{case}/notes"),
            &connector,
            &[("csrf_token", &csrf), ("note_body", " ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Enter the note"), "{page}");
    site.post(
        &format!("{case}/attempts"),
        &connector,
        &[
            ("csrf_token", &csrf),
            ("channel", "phone"),
            ("result", "no_answer"),
        ],
    )
    .await;
    let (status, _, _) = site
        .post(
            &format!("{case}/notes"),
            &connector,
            &[
                ("csrf_token", &csrf),
                ("note_body", "Rang the landlord about the arrears"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(
        page.contains(r#"<h1 class="govuk-heading-xl">Jonathan Smithson</h1>"#),
        "{page}"
    );
    assert!(
        page.contains("Next action") && page.contains("Last contact"),
        "{page}"
    );
    let story = &page[page.find("What has happened").expect("the chronology")..];
    let note = story
        .find("Rang the landlord about the arrears")
        .expect("the note");
    let attempt = story.find("Phone: no answer").expect("the attempt");
    let opened = story.find("Case opened").expect("opening");
    assert!(note < attempt && attempt < opened, "newest first");
    assert!(page.contains("by casey name"), "who did it: {page}");
    // No form is open until it is wanted.
    assert!(
        !page.contains("<details class=\"govuk-details\" open>"),
        "{page}"
    );
}

/// Issue 16: a connector from another team says why before seeing a case;
/// the reason is kept, audited and shown to the case's team leader.
#[tokio::test]
async fn staff_from_another_team_say_why_before_seeing_a_case_and_its_team_leader_sees_it() {
    let site = site().await;
    with_a_kept_list(&site).await;
    let (leader, _) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (mo, mo_csrf) = staff_in(&site, "mo", Role::Connector, "", "Money team").await;
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;

    let (status, _, page) = site.get(&case, Some(&mo)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Why do you need to see this case?"), "{page}");
    assert!(
        !page.contains("Jonathan Smithson"),
        "nothing of the case before a reason: {page}"
    );
    let note = [("csrf_token", &*mo_csrf), ("note_body", "hello")];
    let (status, _, _) = site.post(&format!("{case}/notes"), &mo, &note).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no change either");
    let (status, _, page) = site
        .post(
            &format!("{case}/reason"),
            &mo,
            &[("csrf_token", &mo_csrf), ("reason", "why")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Enter why you need to see this case"),
        "{page}"
    );
    let (status, to, _) = site
        .post(
            &format!("{case}/reason"),
            &mo,
            &[
                ("csrf_token", &mo_csrf),
                ("reason", "She rang the money team about her rent"),
            ],
        )
        .await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, case.as_str())
    );
    let (_, _, page) = site.get(&case, Some(&mo)).await;
    assert!(page.contains("Jonathan Smithson"), "{page}");

    // The case's own team never has to say why.
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(page.contains("Jonathan Smithson"), "{page}");

    let (_, _, page) = site.get("/worklist", Some(&leader)).await;
    assert!(
        page.contains("mo name") && page.contains("She rang the money team about her rent"),
        "the team leader sees who looked and why: {page}"
    );
}

/// Issue 16: a team leader gives out several entries at once, and sees each
/// connector's caseload; another team's leader cannot.
#[tokio::test]
async fn a_team_leader_gives_out_ticked_entries_at_once_and_sees_each_caseload() {
    let site = site().await;
    let list = with_a_kept_list(&site).await;
    let (leader, leader_csrf) = staff(&site, "priya", Role::TeamLeader, "").await;
    staff(&site, "casey", Role::Connector, "").await;
    let (other, other_csrf) = staff_in(&site, "olu", Role::TeamLeader, "", "Money team").await;
    let casey = site
        .store
        .user_by_username("casey")
        .await
        .expect("read")
        .expect("casey")
        .id
        .to_string();
    let bulk = format!("/worklist/{list}/assign");
    let (status, _, page) = site
        .post(
            &bulk,
            &leader,
            &[("csrf_token", &leader_csrf), ("bulk_connector_id", &casey)],
        )
        .await;
    assert!(
        page.contains("Select the households to give out"),
        "{status} {page}"
    );
    let (status, _, _) = site
        .post(
            &bulk,
            &other,
            &[
                ("csrf_token", &other_csrf),
                ("bulk_connector_id", &casey),
                ("ranks", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(site
        .store
        .worklist_assignments(list)
        .await
        .expect("read")
        .is_empty());
    let (status, _, _) = site
        .post(
            &bulk,
            &leader,
            &[
                ("csrf_token", &leader_csrf),
                ("bulk_connector_id", &casey),
                ("ranks", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let given = site.store.worklist_assignments(list).await.expect("read");
    assert_eq!(given.len(), 1);
    assert_eq!(given[0].1.to_string(), casey);
    let (_, _, page) = site.get("/worklist", Some(&leader)).await;
    assert!(
        page.contains("Each connector&#x27;s caseload")
            || page.contains("Each connector's caseload"),
        "{page}"
    );
    assert!(page.contains("casey name"), "{page}");
    // The list names the people and says the persona as staff know it.
    assert!(
        page.contains(">Jonathan Smithson</a>")
            && page.contains("Snowballing")
            && !page.contains(">snowballing<"),
        "{page}"
    );
}

/// Issue 16: a team leader makes the week's list from the page, from the
/// latest assessment, as the monthly run would; another team's leader cannot.
#[tokio::test]
async fn a_team_leader_makes_the_weeks_list_from_the_page() {
    let site = site().await;
    // The seed's persona is a label only; a real run writes one of the library's.
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        site._dir.path().join("web.db").display()
    ))
    .await
    .expect("pool");
    sqlx::query("UPDATE assessments SET persona = 'snowballing'")
        .execute(&pool)
        .await
        .expect("persona");
    pool.close().await;
    site.store
        .save_team(&upstream_store::Team {
            name: "Prevention team".into(),
            capacity: 10,
            areas: vec![],
            recent_contact_days: 28,
            min_probability: 0.0,
        })
        .await
        .expect("team");
    let (leader, csrf) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (other, other_csrf) = staff_in(&site, "olu", Role::TeamLeader, "", "Money team").await;
    let (_, _, page) = site.get("/worklist", Some(&leader)).await;
    assert!(
        page.contains("Make this week&#x27;s list") || page.contains("Make this week's list"),
        "{page}"
    );
    let make =
        |team: &'static str, token: String| [("csrf_token", token), ("team", team.to_string())];
    let fields = make("Prevention team", other_csrf.clone());
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, _) = site.post("/worklist/make", &other, &pairs).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(site
        .store
        .latest_worklist("Prevention team")
        .await
        .expect("read")
        .is_none());
    let fields = make("Prevention team", csrf.clone());
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, to, page) = site.post("/worklist/make", &leader, &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(to.starts_with("/worklist?team=Prevention"), "{to}");
    let kept = site
        .store
        .latest_worklist("Prevention team")
        .await
        .expect("read")
        .expect("made");
    assert!(
        kept.entries.iter().any(|e| e.household_id == 41),
        "{kept:?}"
    );
    // Asked again, the kept list stands.
    site.post("/worklist/make", &leader, &pairs).await;
    let again = site
        .store
        .latest_worklist("Prevention team")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(again.id, kept.id);
}

/// Issue 16: the demo works to the day its town's records end, so a case
/// opened "today" and its clocks sit with the records.
#[tokio::test]
async fn a_server_told_the_date_opens_cases_and_runs_clocks_on_it() {
    let mut site = site().await;
    let day = chrono::NaiveDate::from_ymd_opt(2025, 2, 3).expect("date");
    site.app = site.app.clone().with_today(Some(day));
    with_a_kept_list(&site).await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let id: i64 = case.trim_start_matches("/cases/").parse().expect("case");
    let kept = site.store.case_info(id).await.expect("read").expect("case");
    assert_eq!(kept.opened_on, day);
    site.post(
        &format!("{case}/duties"),
        &connector,
        &[
            ("csrf_token", &csrf),
            ("kind", "prevention"),
            ("started_on-day", "3"),
            ("started_on-month", "2"),
            ("started_on-year", "2025"),
        ],
    )
    .await;
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(
        page.contains("3 February 2025, from The weekly list"),
        "{page}"
    );
    assert!(
        page.contains("Day 1 of 56"),
        "the clock starts on the server's day: {page}"
    );
}

/// Issue 16: a connector's reminders (and the plan actions staff own) on
/// their caseload, earliest first; overdue ones counted for the team leader.
#[tokio::test]
async fn reminders_reach_the_connector_and_overdue_ones_the_team_leader() {
    let mut site = site().await;
    let day = chrono::NaiveDate::from_ymd_opt(2025, 2, 3).expect("date");
    site.app = site.app.clone().with_today(Some(day));
    with_a_kept_list(&site).await;
    let (leader, _) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (other, other_csrf) = staff(&site, "sam", Role::Connector, "").await;
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let reminder = |what: &'static str, d: &'static str| {
        [
            ("csrf_token", csrf.clone()),
            ("reminder_what", what.to_string()),
            ("reminder_due-day", d.to_string()),
            ("reminder_due-month", "2".to_string()),
            ("reminder_due-year", "2025".to_string()),
        ]
    };
    let send = |fields: [(&'static str, String); 5]| {
        let site = &site;
        let connector = connector.clone();
        let path = format!("{case}/reminders");
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            site.post(&path, &connector, &pairs).await
        }
    };
    let (status, _, page) = send(reminder("", "3")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Enter what to do"), "{page}");
    let (status, _, page) = send(reminder("Ring the landlord", "2")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("must be today or later"), "{page}");
    let (status, _, _) = send(reminder("Ring the landlord", "3")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(reminder("Check the payment plan", "10")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (_, _, page) = site.get("/worklist", Some(&connector)).await;
    let first = page.find("Ring the landlord").expect("the first reminder");
    let second = page.find("Check the payment plan").expect("the second");
    assert!(first < second, "earliest first");
    assert!(page.contains("Today"), "{page}");

    // The next day, the first is overdue; the team leader sees it counted.
    site.app = site.app.clone().with_today(day.succ_opt());
    let (_, _, page) = site.get("/worklist", Some(&leader)).await;
    let row = page
        .find("casey name</td>")
        .map(|at| &page[at..])
        .expect("casey's row");
    assert!(
        row[..row.find("</tr>").expect("row end")].contains("govuk-tag--red\">1<"),
        "{page}"
    );

    // Only its owner marks a reminder done.
    let id = site.store.open_reminders(None, None).await.expect("read")[0].id;
    let (status, _, _) = site
        .post(
            &format!("/reminders/{id}/done"),
            &other,
            &[("csrf_token", &other_csrf)],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = site
        .post(
            &format!("/reminders/{id}/done"),
            &connector,
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = site.get("/worklist", Some(&connector)).await;
    assert!(
        !page.contains("Ring the landlord") && page.contains("Check the payment plan"),
        "{page}"
    );
}

/// Issue 16: a statutory letter is written from the council's template to
/// an address that may be used, kept as a PDF, and recorded on its duty.
#[tokio::test]
async fn a_duty_letter_is_written_as_a_pdf_kept_on_the_case_and_starts_the_letter_clock() {
    let mut site = site().await;
    let day = chrono::NaiveDate::from_ymd_opt(2025, 2, 3).expect("date");
    site.app = site.app.clone().with_today(Some(day));
    with_a_kept_list(&site).await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let case_id: i64 = case.trim_start_matches("/cases/").parse().expect("case");
    let letters = format!("{case}/letters");
    let (status, _, page) = site
        .post(
            &letters,
            &connector,
            &[("csrf_token", &csrf), ("letter_details", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Select the letter to write"), "{page}");
    let (status, _, page) = site
        .post(
            &letters,
            &connector,
            &[
                ("csrf_token", &csrf),
                ("letter_code", "s195_prevention_duty"),
                ("letter_details", "Your landlord served notice."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Select the prevention duty this letter is about"),
        "{page}"
    );
    site.post(
        &format!("{case}/duties"),
        &connector,
        &[
            ("csrf_token", &csrf),
            ("kind", "prevention"),
            ("started_on-day", "3"),
            ("started_on-month", "2"),
            ("started_on-year", "2025"),
        ],
    )
    .await;
    let duty = site.store.duties(case_id).await.expect("duties")[0]
        .id
        .to_string();
    // Not an end-of-duty letter while the duty runs.
    let (status, _, page) = site
        .post(
            &letters,
            &connector,
            &[
                ("csrf_token", &csrf),
                ("letter_code", "end_of_duty"),
                ("letter_duty", &duty),
                ("letter_details", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Record the day the duty ended"), "{page}");
    let good = [
        ("csrf_token", csrf.as_str()),
        ("letter_code", "s195_prevention_duty"),
        ("letter_duty", duty.as_str()),
        ("letter_details", "Your landlord served notice."),
    ];
    let (status, _, page) = site.post(&letters, &connector, &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let kept = site.store.letters_of(case_id).await.expect("letters");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].sent_on, day);
    let duties = site.store.duties(case_id).await.expect("duties");
    assert_eq!(
        duties[0].start_letter_sent_on,
        Some(day),
        "the letter clock knows it went"
    );

    let (status, _, body) = site
        .get(&format!("{letters}/{}", kept[0].id), Some(&connector))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("%PDF-"), "a PDF");
    let (status, _, _) = site
        .get(&format!("{letters}/{}", kept[0].id + 1), Some(&connector))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(
        page.contains("Letter written: We will help you keep your home"),
        "{page}"
    );

    // Never to an address the household said not to write to.
    site.post(
        "/households/41/contact/details",
        &connector,
        &[
            ("csrf_token", &csrf),
            ("kind", "address"),
            ("value", "12 Acacia Avenue, B1 1AA"),
            ("usable", "no"),
        ],
    )
    .await;
    let (status, _, page) = site.post(&letters, &connector, &good).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("No postal address may be used"), "{page}");
    assert_eq!(
        site.store.letters_of(case_id).await.expect("letters").len(),
        1
    );
}

/// Issue 16: the analyst's start page is counts, small ones suppressed,
/// and nobody's details.
#[tokio::test]
async fn an_analyst_starts_on_counts_with_small_ones_suppressed() {
    let site = site().await;
    with_a_kept_list(&site).await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    site.post(
        "/cases",
        &connector,
        &[("csrf_token", &csrf), ("household_id", "41")],
    )
    .await;
    let analyst = site.signed_in("alex", Role::Analyst).await;
    let (status, _, page) = site.get("/", Some(&analyst)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<h1 class=\"govuk-heading-xl\">Figures</h1>"),
        "{page}"
    );
    assert!(
        page.contains("Households assessed") && page.contains("fewer than 10"),
        "{page}"
    );
    assert!(
        page.contains("Open cases by team") && page.contains("Prevention team"),
        "{page}"
    );
    assert!(
        !page.contains("Smithson") && !page.contains("Acacia"),
        "nobody's details: {page}"
    );
    assert!(
        !page.contains(">2<") && !page.contains(">1<"),
        "no small count shown: {page}"
    );
}

impl Site {
    /// A file upload as a browser sends it: `fields` then one file.
    async fn upload(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> (StatusCode, String, String) {
        let boundary = "----upstream-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n", file.0)
                .bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request");
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
        (
            status,
            location,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }
}

/// Issue 16: evidence uploaded to a case: only PDF, PNG and JPEG known by
/// their bytes, at most 10 MB, with the session's token; served back as a
/// download.
#[tokio::test]
async fn documents_are_uploaded_with_type_and_size_limits_and_read_back_as_downloads() {
    let site = site().await;
    with_a_kept_list(&site).await;
    let (connector, csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (_, case, _) = site
        .post(
            "/cases",
            &connector,
            &[("csrf_token", &csrf), ("household_id", "41")],
        )
        .await;
    let case_id: i64 = case.trim_start_matches("/cases/").parse().expect("case");
    let path = format!("{case}/documents");
    let kind = ("document_kind", "Notice from a landlord");
    let pdf: &[u8] = b"%PDF-1.4 a notice to quit";
    // Without the session's token: refused, nothing kept.
    let (status, _, _) = site
        .upload(&path, &connector, &[kind], ("notice.pdf", pdf))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let token = ("csrf_token", csrf.as_str());
    // A program named like a PDF is refused by what it is, not its name.
    let (status, _, page) = site
        .upload(
            &path,
            &connector,
            &[token, kind],
            ("notice.pdf", b"MZ\x90\x00program"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("The file must be a PDF, PNG or JPEG"),
        "{page}"
    );
    let big = vec![b'%'; (10 << 20) + 1];
    let (status, _, page) = site
        .upload(&path, &connector, &[token, kind], ("big.pdf", &big))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("smaller than 10 MB"), "{page}");
    let (status, _, page) = site
        .upload(&path, &connector, &[token], ("notice.pdf", pdf))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Select what the document is"), "{page}");
    assert!(site
        .store
        .documents_of(case_id)
        .await
        .expect("read")
        .is_empty());

    let (status, _, _) = site
        .upload(
            &path,
            &connector,
            &[token, kind],
            ("..\\..\\Notice final.pdf", pdf),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let kept = site.store.documents_of(case_id).await.expect("read");
    assert_eq!(
        (kept.len(), kept[0].file_name.as_str()),
        (1, "Notice final.pdf")
    );
    let req = Request::get(format!("{path}/{}", kept[0].id))
        .header(header::COOKIE, &connector)
        .body(Body::empty())
        .expect("request");
    let resp = router(site.app.clone())
        .oneshot(req)
        .await
        .expect("response");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(resp.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .starts_with("attachment;"));
    let (_, _, page) = site.get(&case, Some(&connector)).await;
    assert!(
        page.contains("Notice from a landlord: Notice final.pdf"),
        "{page}"
    );
}

#[tokio::test]
async fn a_team_leader_writes_a_template_starts_a_campaign_and_reads_the_outbox() {
    let mut site = site().await;
    with_a_kept_list(&site).await;
    // The app works to a day in the past, as the demo does: messages queued
    // at noon that day are due whatever the hour the test runs (on the real
    // day the rules are weighed now, and texts wait out the night).
    site.app = site
        .app
        .clone()
        .with_today(chrono::NaiveDate::from_ymd_opt(2025, 2, 4));
    let (leader, csrf) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (connector, _) = staff(&site, "casey", Role::Connector, "").await;
    assert_eq!(
        site.get("/campaigns", Some(&connector)).await.0,
        StatusCode::FORBIDDEN,
        "campaigns are the team leader's"
    );

    // A misspelt field is refused, named, and nothing is saved.
    let (status, _, page) = site
        .post(
            "/templates",
            &leader,
            &[
                ("csrf_token", &csrf),
                ("name", "rent-text"),
                ("channel", "sms"),
                ("body_en", "Hello ((frist_name)), we can help with rent."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("frist_name"), "{page}");
    assert!(site
        .store
        .message_templates()
        .await
        .expect("read")
        .is_empty());
    let (status, to, _) = site
        .post(
            "/templates",
            &leader,
            &[
                ("csrf_token", &csrf),
                ("name", "rent-text"),
                ("channel", "sms"),
                ("body_en", "Hello ((first_name)), we can help with rent."),
            ],
        )
        .await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/templates"));
    let (_, _, page) = site.get("/templates", Some(&leader)).await;
    assert!(
        page.contains("rent-text") && page.contains("Text message"),
        "{page}"
    );

    // Household 41 has a mobile number staff recorded; 42 is not on the list.
    let priya = site
        .store
        .user_by_username("priya")
        .await
        .expect("read")
        .expect("priya");
    site.store
        .add_contact_detail(
            &upstream_store::NewContactDetail {
                household_id: 41,
                person_id: Some(7),
                kind: "phone".into(),
                value: "07700900123".into(),
                usable: true,
                note: String::new(),
            },
            priya.id,
        )
        .await
        .expect("phone");
    // Three contacts in a week break the contact limit (2 in 14 days) by
    // the campaign's own steps: refused at the crowded step's day, naming
    // the steps, and nothing saved.
    let (status, _, page) = site
        .post(
            "/campaigns",
            &leader,
            &[
                ("csrf_token", &csrf),
                ("name", "Too keen"),
                ("day_1", "0"),
                ("channel_1", "text"),
                ("template_1", "rent-text"),
                ("day_2", "3"),
                ("channel_2", "phone_call"),
                ("day_3", "7"),
                ("channel_3", "door_knock"),
                ("holdout", "0"),
            ],
        )
        .await;
    assert_ne!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(
        page.contains("3 times between day 0 and day 7")
            && page.contains("step 3 (a door knock on day 7)")
            && page.contains("href=\"#day_3\""),
        "{page}"
    );
    assert!(site.store.campaigns().await.expect("read").is_empty());
    // Another cohort than the list: a risk band must be a percentage, and
    // a persona nobody has is refused with the personas there are.
    let try_cohort = |cohort: &'static str, field: &'static str, value: &'static str| {
        let site = &site;
        let leader = leader.clone();
        let csrf = csrf.clone();
        async move {
            site.post(
                "/campaigns",
                &leader,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("name", "By cohort"),
                    ("cohort", cohort),
                    (field, value),
                    ("day_1", "0"),
                    ("channel_1", "text"),
                    ("template_1", "rent-text"),
                    ("holdout", "0"),
                ],
            )
            .await
        }
    };
    let (status, _, page) = try_cohort("risk", "risk", "0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("Enter the lowest risk of crisis as a percentage"),
        "{page}"
    );
    let (status, _, page) = try_cohort("persona", "persona", "nobody-at-all").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("No current household has the persona"),
        "{page}"
    );
    assert!(site.store.campaigns().await.expect("read").is_empty());
    let (status, to, page) = site
        .post(
            "/campaigns",
            &leader,
            &[
                ("csrf_token", &csrf),
                ("name", "First missed rent"),
                ("day_1", "0"),
                ("channel_1", "text"),
                ("template_1", "rent-text"),
                ("holdout", "0"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id: i64 = to
        .strip_prefix("/campaigns/")
        .and_then(|i| i.parse().ok())
        .expect("to the campaign");
    let (status, _, page) = site
        .post(
            &format!("/campaigns/{id}/run"),
            &leader,
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1 message queued"), "{page}");
    // Crises after the campaign: nothing known before an assessment runs.
    assert!(page.contains("Crises in the six months after"), "{page}");
    assert!(
        page.contains("No monthly assessment has run since the campaign started"),
        "{page}"
    );
    let (status, _, page) = site.get("/outbox", Some(&leader)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Hello Jonathan, we can help with rent.") && page.contains("07700900123"),
        "{page}"
    );
    let views = site
        .store
        .search_audit(&AuditFilter {
            subject_kind: Some("outbox".into()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert!(!views.is_empty(), "looking at the outbox is audited");
    // Without Notify, sending keeps the messages here.
    let (_, _, page) = site
        .post("/outbox/send", &leader, &[("csrf_token", &csrf)])
        .await;
    assert!(page.contains("1 message kept here"), "{page}");
    assert_eq!(site.store.outbox_counts().await.expect("counts").kept, 1);

    // A second campaign knocks on doors: a round in walking order, each
    // door recorded once on a phone, and kept as a contact.
    let (_, to, _) = site
        .post(
            "/campaigns",
            &leader,
            &[
                ("csrf_token", &csrf),
                ("name", "Knock and talk"),
                ("day_1", "0"),
                ("channel_1", "door_knock"),
                ("holdout", "0"),
            ],
        )
        .await;
    let knock: i64 = to
        .strip_prefix("/campaigns/")
        .and_then(|i| i.parse().ok())
        .expect("to the campaign");
    let (status, to, page) = site
        .post(
            &format!("/campaigns/{knock}/round"),
            &leader,
            &[
                ("csrf_token", &csrf),
                ("visit_in_pairs", "yes"),
                ("safety_note", "Ring the office at 1pm"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, _, sheet) = site.get(&to, Some(&connector)).await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    assert!(
        sheet.contains("12 Acacia Avenue")
            && sheet.contains("Visit in pairs")
            && sheet.contains("Ring the office at 1pm"),
        "{sheet}"
    );
    let door = format!("{to}/doors/41");
    let (status, _, page) = site.get(&door, Some(&connector)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, page) = site.post(&door, &leader, &[("csrf_token", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Select what happened at the door"), "{page}");
    let (status, _, _) = site
        .post(
            &door,
            &leader,
            &[
                ("csrf_token", &csrf),
                ("outcome", "spoke"),
                ("note", "Worried about the rent; happy to talk next week"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, sheet) = site.get(&to, Some(&leader)).await;
    assert!(sheet.contains("Spoke to someone"), "{sheet}");
    let facts = site
        .store
        .household_contact_facts(&[41])
        .await
        .expect("facts");
    assert!(
        facts[0]
            .contacts
            .iter()
            .any(|(_, c, o)| c == "home_visit" && o == "met"),
        "{facts:?}"
    );
}

#[tokio::test]
async fn notify_callbacks_need_their_bearer_token_and_a_stop_reply_stops_texts() {
    let site = site().await;
    let app = site.app.clone().with_notify(
        None,
        upstream_web::NotifyTokens {
            delivery: Some("receipts-token-0123456789".into()),
            received_text: Some("texts-token-0123456789".into()),
        },
    );
    let post = |path: &'static str, token: Option<&'static str>, body: String| {
        let app = app.clone();
        async move {
            let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
            if let Some(t) = token {
                req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            router(app)
                .oneshot(req.body(Body::from(body)).expect("request"))
                .await
                .expect("response")
                .status()
        }
    };
    let text = serde_json::json!({
        "id": "3a2b1c0d-0000-4000-8000-000000000001",
        "source_number": "447700900123",
        "destination_number": "07700900000",
        "message": "STOP",
        "date_received": "2026-03-02T10:00:00.000000Z",
    })
    .to_string();
    for token in [None, Some("receipts-token-0123456789"), Some("wrong")] {
        assert_eq!(
            post("/notify/received-texts", token, text.clone()).await,
            StatusCode::UNAUTHORIZED,
            "{token:?}"
        );
    }
    assert!(!site
        .store
        .text_opted_out("07700900123")
        .await
        .expect("read"));
    assert_eq!(
        post(
            "/notify/received-texts",
            Some("texts-token-0123456789"),
            "{not json".into()
        )
        .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(
            "/notify/received-texts",
            Some("texts-token-0123456789"),
            text
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert!(site
        .store
        .text_opted_out("07700900123")
        .await
        .expect("read"));
    // A server with no tokens set refuses every callback.
    let status = router(site.app.clone())
        .oneshot(
            Request::post("/notify/delivery-receipts")
                .header(header::AUTHORIZATION, "Bearer receipts-token-0123456789")
                .body(Body::from("{}"))
                .expect("request"),
        )
        .await
        .expect("response")
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

// Printing a campaign's letters from its page.
#[path = "letters.rs"]
mod letters;
