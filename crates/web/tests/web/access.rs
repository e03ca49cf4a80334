//! Signing in and out, sessions, CSRF, lock-out and the administrators'
//! pages, through the router against the real store (SQLite in a temporary
//! file), with a small cookie jar standing in for the browser. Included into
//! the `web` test binary.

use super::{loaded, Fake};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;
use upstream_core::{AuditAction, Role};
use upstream_store::{AuditFilter, NewUser, Store};
use upstream_web::{router, AppState};

const PASSWORD: &str = "correct horse battery staple";

struct Site {
    app: AppState,
    store: Arc<Store>,
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn site_with(secure: bool, source: Fake) -> Site {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("web.db");
    let store = Arc::new(
        Store::connect(path.to_str().expect("utf-8"))
            .await
            .expect("store"),
    );
    let app = AppState::from_parts(Arc::new(source), store.clone())
        .with_casework(store.clone())
        .with_secure_cookies(secure);
    Site {
        app,
        store,
        path,
        _dir: dir,
    }
}

async fn site() -> Site {
    site_with(false, loaded("Brumford City Council")).await
}

impl Site {
    async fn user(&self, username: &str, role: Role) {
        self.store
            .create_user(
                &NewUser {
                    username: username.into(),
                    display_name: format!("{username} (display)"),
                    role,
                    organisation: (role == Role::PartnerWorker)
                        .then(|| "Citizens Advice".to_string()),
                    team: None,
                },
                PASSWORD,
            )
            .await
            .expect("user");
    }

    async fn audit(&self, action: AuditAction) -> Vec<upstream_store::AuditEntry> {
        self.store
            .search_audit(&AuditFilter {
                action: Some(action),
                ..Default::default()
            })
            .await
            .expect("audit")
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(String::from)
            .collect()
    }

    /// The value of a hidden field, as the page has it.
    fn hidden(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\" value=\""))?;
        let rest = &self.body[at + name.len() + 15..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// A browser: keeps cookies as `Set-Cookie` says, sends them back.
#[derive(Default, Clone)]
struct Browser {
    cookies: BTreeMap<String, String>,
    /// The address requests come from, as the server would see it.
    from: Option<std::net::SocketAddr>,
    /// An X-Forwarded-For header to send, as a reverse proxy would.
    forwarded_for: Option<String>,
}

impl Browser {
    fn at(from: &str) -> Browser {
        Browser {
            from: Some(from.parse().expect("an address")),
            ..Browser::default()
        }
    }
}

fn form_encode(fields: &[(&str, &str)]) -> String {
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
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Browser {
    async fn send(
        &mut self,
        site: &Site,
        request: axum::http::request::Builder,
        body: Body,
    ) -> Reply {
        let mut request = request;
        if let Some(from) = self.from {
            request = request.extension(axum::extract::ConnectInfo(from));
        }
        if let Some(f) = &self.forwarded_for {
            request = request.header("x-forwarded-for", f);
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(header::COOKIE, jar.join("; "));
        }
        let response = router(site.app.clone())
            .oneshot(request.body(body).expect("request"))
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
            .await
            .expect("body");
        let reply = Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        for c in reply.set_cookies() {
            let first = c.split(';').next().unwrap_or("");
            if let Some((name, value)) = first.split_once('=') {
                if value.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        reply
    }

    async fn get(&mut self, site: &Site, path: &str) -> Reply {
        self.send(site, Request::get(path), Body::empty()).await
    }

    async fn post(&mut self, site: &Site, path: &str, fields: &[(&str, &str)]) -> Reply {
        let request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(site, request, Body::from(form_encode(fields)))
            .await
    }

    /// Fill in and send the sign-in form, as a person would.
    async fn sign_in(&mut self, site: &Site, username: &str, password: &str) -> Reply {
        self.sign_in_to(site, username, password, "").await
    }

    async fn sign_in_to(
        &mut self,
        site: &Site,
        username: &str,
        password: &str,
        next: &str,
    ) -> Reply {
        let form = self.get(site, "/sign-in").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let token = form.hidden("csrf_token").expect("the form's token");
        self.post(
            site,
            "/sign-in",
            &[
                ("csrf_token", &token),
                ("next", next),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// The CSRF token the pages carry for this session.
    async fn csrf(&mut self, site: &Site) -> String {
        let page = self.get(site, "/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.hidden("csrf_token").expect("a token on the page")
    }
}

#[tokio::test]
async fn without_signing_in_every_page_but_sign_in_health_and_assets_sends_you_to_sign_in() {
    let site = site().await;
    let mut b = Browser::default();
    for path in [
        "/",
        "/admin/audit",
        "/admin/people/1/export",
        "/search?q=smith",
        "/households/1",
        "/worklist",
        "/cases/1",
        "/referrals",
        "/referrals/new",
        "/referrals/1",
        "/no/such/page",
    ] {
        let reply = b.get(&site, path).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            reply.location().starts_with("/sign-in"),
            "{path}: {}",
            reply.location()
        );
        assert!(!reply.body.contains("Brumford"), "{path}: nothing shown");
    }
    assert_eq!(
        b.get(&site, "/admin/audit?username=x").await.location(),
        "/sign-in?next=/admin/audit%3Fusername%3Dx",
        "comes back to the page asked for"
    );
    assert_eq!(b.get(&site, "/health").await.status, StatusCode::OK);
    let form = b.get(&site, "/sign-in").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Sign in to Upstream"));
    // A form sent without a session changes nothing and goes to sign in.
    let post = b.post(&site, "/sign-out", &[]).await;
    assert_eq!(post.status, StatusCode::SEE_OTHER);
    assert_eq!(post.location(), "/sign-in");
    for path in [
        "/cases",
        "/cases/1/consents",
        "/worklist/1/entries/1/assign",
        "/referrals/new",
    ] {
        let post = b.post(&site, path, &[("household_id", "1")]).await;
        assert_eq!(post.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(post.location(), "/sign-in", "{path}");
    }
    // A made-up session cookie is no better than none.
    b.cookies.insert("upstream_session".into(), "0".repeat(64));
    assert_eq!(b.get(&site, "/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_sign_in_page_is_a_gov_uk_form_that_works_without_javascript() {
    let site = site().await;
    let form = Browser::default().get(&site, "/sign-in").await;
    let body = &form.body;
    assert!(body.contains("<form method=\"post\" action=\"/sign-in\""));
    assert!(body.contains("govuk-form-group"));
    assert!(body.contains("autocomplete=\"username\""));
    assert!(body.contains("type=\"password\""));
    assert!(body.contains("autocomplete=\"current-password\""));
    assert!(body.contains("<button type=\"submit\" class=\"govuk-button\""));
    assert_eq!(form.hidden("csrf_token").map(|t| t.len()), Some(64));
    assert!(!body.contains("Sign out"), "nobody is signed in");
    assert_eq!(form.headers["cache-control"], "no-store, private");
}

#[tokio::test]
async fn the_right_password_starts_a_session_with_a_safe_cookie_and_comes_back_to_the_page() {
    let site = site().await;
    site.user("asmith", Role::Connector).await;
    let mut b = Browser::default();
    let reply = b
        .sign_in_to(&site, "ASmith", PASSWORD, "/admin/audit?x=1")
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/admin/audit?x=1");
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("upstream_session="))
        .expect("a session cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "off for plain HTTP on loopback: {cookie}"
    );
    assert!(
        !cookie.contains("Max-Age") && !cookie.contains("Expires"),
        "ends with the browser: {cookie}"
    );

    let home = b.get(&site, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("asmith (display)"));
    assert!(home.body.contains("Community connector"));
    assert!(home.body.contains("action=\"/sign-out\""));
    assert!(
        !home.body.contains("href=\"/admin/audit\""),
        "no admin link for a connector"
    );
    assert_eq!(
        home.headers["cache-control"], "no-store, private",
        "personal pages are not cached"
    );

    let signed_in = site.audit(AuditAction::SignIn).await;
    assert_eq!(signed_in.len(), 1);
    assert_eq!(signed_in[0].username, "asmith");
    assert!(signed_in[0].user_id.is_some());

    // Another site's address is never followed.
    let mut other = Browser::default();
    let reply = other
        .sign_in_to(&site, "asmith", PASSWORD, "https://evil.example/")
        .await;
    assert_eq!(reply.location(), "/");
}

#[tokio::test]
async fn served_over_https_the_cookie_is_secure_with_the_host_prefix() {
    let site = site_with(true, loaded("Brumford City Council")).await;
    site.user("asmith", Role::Connector).await;
    let mut b = Browser::default();
    let form = b.get(&site, "/sign-in").await;
    assert!(form
        .set_cookies()
        .iter()
        .all(|c| c.starts_with("__Host-") && c.contains("; Secure")));
    let reply = b.sign_in(&site, "asmith", PASSWORD).await;
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-upstream_session="))
        .expect("a __Host- session cookie");
    assert!(
        cookie.contains("; Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
    );
    assert_eq!(b.get(&site, "/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_get_the_same_answer() {
    let site = site().await;
    site.user("asmith", Role::Connector).await;
    let wrong = Browser::default()
        .sign_in(&site, "asmith", "not the password")
        .await;
    let unknown = Browser::default()
        .sign_in(&site, "nobody", "not the password")
        .await;
    for reply in [&wrong, &unknown] {
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("govuk-error-summary"));
        assert!(reply
            .body
            .contains("Your username or password is not right"));
        assert!(reply
            .set_cookies()
            .iter()
            .all(|c| !c.starts_with("upstream_session=")));
    }
    // Line for line the same, but for the form's token and the name typed.
    let scrub = |r: &Reply| {
        r.body
            .replace(&r.hidden("csrf_token").unwrap_or_default(), "TOKEN")
            .replace("value=\"asmith\"", "value=\"NAME\"")
            .replace("value=\"nobody\"", "value=\"NAME\"")
    };
    assert_eq!(scrub(&wrong), scrub(&unknown));
    let failed = site.audit(AuditAction::SignInFailed).await;
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0].username, "nobody");
    assert_eq!(failed[0].user_id, None);
    assert_eq!(failed[1].username, "asmith");
    assert!(failed[1].user_id.is_some());
}

#[tokio::test]
async fn empty_fields_are_named_in_a_gov_uk_error_summary() {
    let site = site().await;
    let reply = Browser::default().sign_in(&site, "  ", "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("<title>Error: Sign in"));
    assert!(reply.body.contains("There is a problem"));
    assert!(reply
        .body
        .contains("<a href=\"#username\">Enter your username</a>"));
    assert!(reply
        .body
        .contains("<a href=\"#password\">Enter your password</a>"));
    assert!(reply.body.contains("govuk-form-group--error"));
    assert!(reply.body.contains("govuk-input--error"));
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_without_saying_it_exists() {
    let site = site().await;
    site.user("bo", Role::Connector).await;
    let mut b = Browser::default();
    for _ in 0..5 {
        let reply = b.sign_in(&site, "bo", "not the password").await;
        assert!(reply
            .body
            .contains("Your username or password is not right"));
    }
    let locked = b.sign_in(&site, "bo", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::OK,
        "the right password, but locked"
    );
    assert!(locked
        .body
        .contains("Your username or password is not right"));
    assert!(b.cookies.keys().all(|k| k != "upstream_session"));
    let user = site
        .store
        .user_by_username("bo")
        .await
        .expect("find")
        .expect("bo");
    assert!(user.locked_until.is_some_and(|t| t > chrono::Utc::now()));
    // An unknown name, tried as often, reads the same.
    let mut c = Browser::default();
    let mut last = None;
    for _ in 0..6 {
        last = Some(c.sign_in(&site, "nobody", "not the password").await);
    }
    let unknown = last.expect("a reply");
    let strip = |r: &Reply, name: &str| {
        r.body
            .replace(&r.hidden("csrf_token").unwrap_or_default(), "TOKEN")
            .replace(&format!("value=\"{name}\""), "value=\"NAME\"")
    };
    assert_eq!(strip(&locked, "bo"), strip(&unknown, "nobody"));
    let failed = site.audit(AuditAction::SignInFailed).await;
    assert!(failed.iter().any(|e| e.detail["locked_now"] == true));
    assert!(failed.iter().any(|e| e.detail["was_locked"] == true));
}

/// A fault found on trying the app: failing five times on someone's username
/// locked them out. The lock holds for the client that failed, not for the
/// account's owner signing in from elsewhere; behind a trusted reverse proxy
/// the client is the address the proxy forwarded for.
#[tokio::test]
async fn failing_on_purpose_does_not_lock_the_owner_out() {
    let site = site().await;
    site.user("bo", Role::Connector).await;
    let mut attacker = Browser::at("203.0.113.9:50000");
    for _ in 0..5 {
        attacker.sign_in(&site, "bo", "not the password").await;
    }
    let refused = attacker.sign_in(&site, "bo", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::OK, "locked for the attacker");
    let mut owner = Browser::at("192.0.2.10:40000");
    let reply = owner.sign_in(&site, "bo", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(owner.cookies.contains_key("upstream_session"));

    // Behind a proxy every request comes from the proxy's address.
    let mut site = site;
    site.app = site.app.clone().with_trust_forwarded_for(true);
    site.user("cy", Role::Connector).await;
    let via = |client: &str| Browser {
        forwarded_for: Some(format!("10.9.9.9, {client}")),
        ..Browser::at("127.0.0.1:40001")
    };
    let mut attacker = via("203.0.113.9");
    for _ in 0..5 {
        attacker.sign_in(&site, "cy", "not the password").await;
    }
    assert_eq!(
        attacker.sign_in(&site, "cy", PASSWORD).await.status,
        StatusCode::OK
    );
    let mut owner = via("192.0.2.10");
    assert_eq!(
        owner.sign_in(&site, "cy", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_sign_in_form_is_refused_without_its_own_token() {
    let site = site().await;
    site.user("asmith", Role::Connector).await;
    let mut b = Browser::default();
    let reply = b
        .post(
            &site,
            "/sign-in",
            &[("username", "asmith"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("Your sign-in page had expired"));
    assert!(b.cookies.keys().all(|k| k != "upstream_session"));
    // A token that is not the one in this browser's cookie.
    let _ = b.get(&site, "/sign-in").await;
    let reply = b
        .post(
            &site,
            "/sign-in",
            &[
                ("csrf_token", &"a".repeat(64)),
                ("username", "asmith"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(site.audit(AuditAction::SignIn).await.is_empty());
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused_and_change_nothing() {
    let site = site().await;
    site.user("asmith", Role::Administrator).await;
    let mut b = Browser::default();
    b.sign_in(&site, "asmith", PASSWORD).await;
    let token = b.csrf(&site).await;
    assert_eq!(token.len(), 64);

    let mut other = Browser::default();
    site.user("bo", Role::Administrator).await;
    other.sign_in(&site, "bo", PASSWORD).await;
    let others_token = other.csrf(&site).await;
    assert_ne!(token, others_token);

    for fields in [
        vec![],
        vec![("csrf_token", "")],
        vec![("csrf_token", "wrong")],
        vec![("csrf_token", others_token.as_str())],
    ] {
        for path in ["/sign-out", "/admin/audit/verify"] {
            let reply = b.post(&site, path, &fields).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path} {fields:?}");
            assert!(
                reply.body.contains("Sorry, that form could not be sent"),
                "{}",
                reply.body
            );
            assert!(reply.body.contains("govuk-template"), "a GOV.UK page");
        }
    }
    // A JSON body carries no form token either.
    let json = b
        .send(
            &site,
            Request::post("/sign-out").header(header::CONTENT_TYPE, "application/json"),
            Body::from(format!("{{\"csrf_token\":\"{token}\"}}")),
        )
        .await;
    assert_eq!(json.status, StatusCode::FORBIDDEN);
    // Still signed in: nothing was done.
    assert_eq!(b.get(&site, "/").await.status, StatusCode::OK);
    assert!(site.audit(AuditAction::SignOut).await.is_empty());

    // The right token, in the form or in the header, is let through.
    let verify = b
        .post(&site, "/admin/audit/verify", &[("csrf_token", &token)])
        .await;
    assert_eq!(verify.status, StatusCode::OK, "{}", verify.body);
    let header_token = b
        .send(
            &site,
            Request::post("/admin/audit/verify").header("x-csrf-token", token.as_str()),
            Body::empty(),
        )
        .await;
    assert_eq!(header_token.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_out_ends_the_session_for_good() {
    let site = site().await;
    site.user("asmith", Role::TeamLeader).await;
    let mut b = Browser::default();
    b.sign_in(&site, "asmith", PASSWORD).await;
    let token = b.csrf(&site).await;
    let stolen = b.clone();

    let out = b.post(&site, "/sign-out", &[("csrf_token", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/sign-in?signed-out=yes");
    assert!(out
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("upstream_session=;") && c.contains("Max-Age=0")));
    assert_eq!(b.get(&site, "/").await.status, StatusCode::SEE_OTHER);
    let page = b.get(&site, "/sign-in?signed-out=yes").await;
    assert!(page.body.contains("You have signed out"));

    // The old cookie, kept by someone, opens nothing.
    let mut replay = stolen;
    let reply = replay.get(&site, "/").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(reply.location().starts_with("/sign-in"));

    let out = site.audit(AuditAction::SignOut).await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].username, "asmith");
}

#[tokio::test]
async fn a_session_planted_before_signing_in_is_ended_not_reused() {
    let site = site().await;
    site.user("mallory", Role::Connector).await;
    site.user("asmith", Role::Connector).await;
    let mut attacker = Browser::default();
    attacker.sign_in(&site, "mallory", PASSWORD).await;
    let planted = attacker.cookies["upstream_session"].clone();

    // The victim opens the form, then finds the attacker's cookie planted.
    let mut victim = Browser::default();
    let form = victim.get(&site, "/sign-in").await;
    let token = form.hidden("csrf_token").expect("token");
    victim
        .cookies
        .insert("upstream_session".into(), planted.clone());
    let reply = victim
        .post(
            &site,
            "/sign-in",
            &[
                ("csrf_token", &token),
                ("username", "asmith"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_ne!(victim.cookies["upstream_session"], planted, "a new session");
    assert!(victim
        .get(&site, "/")
        .await
        .body
        .contains("asmith (display)"));
    assert_eq!(
        attacker.get(&site, "/").await.status,
        StatusCode::SEE_OTHER,
        "the planted one ended"
    );
    // Signed in already, the sign-in page moves on.
    assert_eq!(
        victim.get(&site, "/sign-in").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn admin_pages_are_for_administrators_only() {
    let site = site().await;
    for (name, role) in [
        ("con", Role::Connector),
        ("lead", Role::TeamLeader),
        ("partner", Role::PartnerWorker),
        ("analyst", Role::Analyst),
    ] {
        site.user(name, role).await;
        let mut b = Browser::default();
        b.sign_in(&site, name, PASSWORD).await;
        for path in [
            "/admin/audit",
            "/admin/people/1/export",
            "/admin/people/export?person_id=1",
        ] {
            let reply = b.get(&site, path).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name} {path}");
            assert!(reply.body.contains("You cannot use this page"));
        }
        let token = b.csrf(&site).await;
        let reply = b
            .post(&site, "/admin/audit/verify", &[("csrf_token", &token)])
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name} verify");
    }
    site.user("admin", Role::Administrator).await;
    let mut b = Browser::default();
    b.sign_in(&site, "admin", PASSWORD).await;
    let home = b.get(&site, "/").await;
    assert!(
        home.body.contains("href=\"/admin/audit\""),
        "the admin link"
    );
    let page = b.get(&site, "/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains("<h1 class=\"govuk-heading-xl\">Audit log</h1>"));
    assert!(page.body.contains("govuk-table"));
    // Newest first: the admin's sign-in comes before the connector's.
    let admin_at = page.body.find(">admin<").expect("admin's entry");
    let con_at = page.body.find(">con<").expect("con's entry");
    assert!(admin_at < con_at);
    // Reading the log is itself recorded.
    let viewed = site.audit(AuditAction::View).await;
    assert!(viewed
        .iter()
        .any(|e| e.subject_kind == "audit_log" && e.username == "admin"));
}

#[tokio::test]
async fn what_was_typed_is_escaped_on_the_audit_page() {
    let site = site().await;
    // A refused sign-in records whatever name was typed.
    Browser::default()
        .sign_in(&site, "<script>alert('typed')</script>", "not the password")
        .await;
    site.user("admin", Role::Administrator).await;
    let mut b = Browser::default();
    b.sign_in(&site, "admin", PASSWORD).await;
    let all = b.get(&site, "/admin/audit").await;
    assert!(
        !all.body.contains("<script>alert('typed')"),
        "stored text escaped"
    );
    assert!(all.body.contains("&lt;script&gt;alert("));
    let query = "/admin/audit?username=%3Cscript%3Ealert(1)%3C%2Fscript%3E&subject_id=%22%3E%3Cimg%20src%3Dx%3E&subject_kind=%3Cb%3E";
    let searched = b.get(&site, query).await;
    assert_eq!(searched.status, StatusCode::OK);
    assert!(
        !searched.body.contains("<script>alert(1)"),
        "typed text escaped"
    );
    assert!(!searched.body.contains("\"><img src=x>"));
    assert!(!searched.body.contains("<b>"));
    assert!(searched
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn the_audit_search_filters_and_refuses_impossible_dates() {
    let site = site().await;
    site.user("admin", Role::Administrator).await;
    site.user("con", Role::Connector).await;
    Browser::default().sign_in(&site, "con", PASSWORD).await;
    let mut b = Browser::default();
    b.sign_in(&site, "admin", PASSWORD).await;
    let con = b
        .get(&site, "/admin/audit?username=con&action=sign_in")
        .await;
    assert!(con.body.contains("1 entry"), "{}", con.body);
    assert!(con.body.contains("<option value=\"sign_in\" selected>"));
    let today = chrono::Utc::now().date_naive();
    use chrono::Datelike;
    let range = format!(
        "/admin/audit?from_day={}&from_month={}&from_year={}",
        today.day(),
        today.month(),
        today.year()
    );
    assert!(!b.get(&site, &range).await.body.contains("No entries match"));
    let bad = b
        .get(
            &site,
            "/admin/audit?from_day=31&from_month=2&from_year=2025",
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad
        .body
        .contains("<a href=\"#from-day\">The date from must be a real date"));
    assert!(bad.body.contains("value=\"31\""), "what was typed is kept");
}

#[tokio::test]
async fn verifying_the_chain_says_whether_the_log_was_changed() {
    let site = site().await;
    site.user("admin", Role::Administrator).await;
    let mut b = Browser::default();
    b.sign_in(&site, "admin", PASSWORD).await;
    let token = b.csrf(&site).await;
    let ok = b
        .post(&site, "/admin/audit/verify", &[("csrf_token", &token)])
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(
        ok.body.contains("The audit log has not been changed"),
        "{}",
        ok.body
    );

    let raw = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new().filename(&site.path),
    )
    .await
    .expect("raw");
    sqlx::raw_sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET username = 'someone else' WHERE id = 1")
        .execute(&raw)
        .await
        .expect("tamper");
    let broken = b
        .post(&site, "/admin/audit/verify", &[("csrf_token", &token)])
        .await;
    assert_eq!(broken.status, StatusCode::OK);
    assert!(
        broken
            .body
            .contains("The audit log has been changed at entry 1"),
        "{}",
        broken.body
    );
}

#[tokio::test]
async fn a_subject_access_export_downloads_everything_and_is_audited() {
    let site = site().await;
    site.user("admin", Role::Administrator).await;
    let raw = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new().filename(&site.path),
    )
    .await
    .expect("raw");
    sqlx::raw_sql(
        "INSERT INTO persons (id, first_run, last_run, status) VALUES (7, 1, 1, 'active')",
    )
    .execute(&raw)
    .await
    .expect("a person");
    let mut b = Browser::default();
    b.sign_in(&site, "admin", PASSWORD).await;

    assert_eq!(
        b.get(&site, "/admin/people/999/export").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get(&site, "/admin/people/abc/export").await.status,
        StatusCode::NOT_FOUND
    );
    let bad = b.get(&site, "/admin/people/export?person_id=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("<a href=\"#person-id\">Enter the person"));
    let on = b
        .get(
            &site,
            "/admin/people/export?person_id=7&reference=SAR%2F2025%2F1",
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    assert_eq!(
        on.location(),
        "/admin/people/7/export?reference=SAR%2F2025%2F1"
    );

    let download = b.get(&site, on.location()).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.headers["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("application/json"));
    assert_eq!(
        download.headers["content-disposition"],
        "attachment; filename=\"person-7-subject-access.json\""
    );
    assert_eq!(download.headers["cache-control"], "no-store, private");
    let json: serde_json::Value = serde_json::from_str(&download.body).expect("json");
    assert_eq!(json["person_id"], 7);
    assert_eq!(json["person"]["status"], "active");
    let exports = site.audit(AuditAction::Export).await;
    assert_eq!(exports.len(), 1);
    assert_eq!(
        (
            exports[0].subject_kind.as_str(),
            exports[0].subject_id.as_str()
        ),
        ("person", "7")
    );
    assert_eq!(exports[0].detail["reference"], "SAR/2025/1");
    assert_eq!(exports[0].username, "admin");
}

/// The one-time password a page shows, between its `<code>` tags.
fn shown_password(body: &str) -> String {
    let start = body
        .find("class=\"app-password\">")
        .expect("a password on the page")
        + 21;
    let rest = &body[start..];
    rest[..rest.find('<').expect("its end")].to_string()
}

/// Issue 16: administrators add accounts, change roles, reset passwords and
/// disable accounts from the web, each audited; nobody else can.
#[tokio::test]
async fn an_administrator_manages_accounts_on_the_web_and_each_change_is_audited() {
    let site = site().await;
    site.user("con", Role::Connector).await;
    let mut con = Browser::default();
    con.sign_in(&site, "con", PASSWORD).await;
    for path in ["/admin/users", "/admin/users/new"] {
        assert_eq!(
            con.get(&site, path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let token = con.csrf(&site).await;
    let reply = con
        .post(
            &site,
            "/admin/users",
            &[
                ("csrf_token", &token),
                ("username", "sneaky"),
                ("role", "administrator"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    site.user("admin", Role::Administrator).await;
    let mut admin = Browser::default();
    admin.sign_in(&site, "admin", PASSWORD).await;
    let token = admin.csrf(&site).await;
    let list = admin.get(&site, "/admin/users").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains(">con<") && list.body.contains("Community connector"),
        "{}",
        list.body
    );

    // What is wrong is said, and nothing is made.
    let reply = admin
        .post(
            &site,
            "/admin/users",
            &[
                ("csrf_token", &token),
                ("username", ""),
                ("role", "partner_worker"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("Enter a username")
            && reply
                .body
                .contains("Select the partner organisation they work for"),
        "{}",
        reply.body
    );
    assert!(site
        .store
        .user_by_username("sneaky")
        .await
        .expect("read")
        .is_none());

    let made = admin
        .post(
            &site,
            "/admin/users",
            &[
                ("csrf_token", &token),
                ("username", "Jo"),
                ("display_name", "Jo Bloggs"),
                ("role", "connector"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let first = shown_password(&made.body);
    let mut jo = Browser::default();
    assert_eq!(
        jo.sign_in(&site, "jo", &first).await.status,
        StatusCode::SEE_OTHER
    );
    let again = admin
        .post(
            &site,
            "/admin/users",
            &[
                ("csrf_token", &token),
                ("username", "jo"),
                ("role", "analyst"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains("There is already an account called jo"),
        "{}",
        again.body
    );

    let id = site
        .store
        .user_by_username("jo")
        .await
        .expect("read")
        .expect("jo")
        .id;
    let reply = admin
        .post(
            &site,
            &format!("/admin/users/{id}/role"),
            &[("csrf_token", &token), ("role", "analyst")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let jo_now = site.store.user(id).await.expect("read").expect("jo");
    assert_eq!(jo_now.role, Role::Analyst);

    let reset = admin
        .post(
            &site,
            &format!("/admin/users/{id}/password"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let second = shown_password(&reset.body);
    assert_ne!(first, second);
    assert_eq!(
        Browser::default().sign_in(&site, "jo", &first).await.status,
        StatusCode::OK,
        "the old password is refused"
    );
    assert_eq!(
        Browser::default()
            .sign_in(&site, "jo", &second)
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let reply = admin
        .post(
            &site,
            &format!("/admin/users/{id}/disabled"),
            &[("csrf_token", &token), ("disabled", "yes")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        Browser::default()
            .sign_in(&site, "jo", &second)
            .await
            .status,
        StatusCode::OK,
        "a disabled account is refused"
    );

    // An administrator cannot disable themselves or change their own role.
    let me = site
        .store
        .user_by_username("admin")
        .await
        .expect("read")
        .expect("admin")
        .id;
    for (path, fields) in [
        ("disabled", ("disabled", "yes")),
        ("role", ("role", "connector")),
    ] {
        let reply = admin
            .post(
                &site,
                &format!("/admin/users/{me}/{path}"),
                &[("csrf_token", &token), fields],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
    }

    let audited: Vec<String> = site
        .store
        .search_audit(&AuditFilter {
            subject_kind: Some("user".into()),
            subject_id: Some("jo".into()),
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.purpose)
        .collect();
    for purpose in [
        "account created",
        "role changed",
        "password reset",
        "account disabled",
    ] {
        assert!(
            audited.iter().any(|p| p == purpose),
            "{purpose} in {audited:?}"
        );
    }
    // The audit page reads details as words, not JSON.
    let log = admin.get(&site, "/admin/audit?subject_kind=user").await;
    assert!(
        log.body
            .contains("From: connector; organisation: none; team: none; to: analyst"),
        "{}",
        log.body
    );
}
