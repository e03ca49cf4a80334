//! Signing in and out, sessions, CSRF, and who may see what.
//!
//! - Every page needs a session except `/sign-in`, `/health` and `/assets/`:
//!   [`require_session`] wraps the staff routes, sends anyone without a live
//!   session to the sign-in page, and hands handlers a [`CurrentUser`].
//! - The session cookie holds 256 random bits; the database keeps only their
//!   SHA-256. It is `HttpOnly`, `SameSite=Strict`, `Path=/` and, unless turned
//!   off for plain-HTTP use on one's own machine, `Secure` with the `__Host-`
//!   prefix.
//! - Every request that could change something (anything but GET, HEAD,
//!   OPTIONS) must carry the session's CSRF token, in the form field
//!   `csrf_token` or the `X-CSRF-Token` header, or it is refused with a 403
//!   before any handler runs. The sign-in form, before there is a session,
//!   carries a token matched against a short-lived cookie of its own.
//! - Refusals never say whether a username exists: a wrong password, an
//!   unknown name, a disabled or a locked account all get the same words.

use crate::access::{Account, AuditRecord, SignInOutcome};
use crate::layout::Layout;
use crate::pages::{render, ForbiddenPage, NotFoundPage, UnavailablePage};
use crate::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, Utc};
use serde::Deserialize;
use upstream_core::{AuditAction, Role};

/// A session unused for this long ends.
pub const SESSION_IDLE_MINUTES: i64 = 30;
/// A session ends this long after signing in, however busy.
pub const SESSION_LIFETIME_HOURS: i64 = 12;
/// A session's last use is written at most this often (not on every request).
const TOUCH_AFTER_SECONDS: i64 = 60;
/// The largest form body read while looking for its CSRF token.
const FORM_LIMIT: usize = 2 << 20;

/// The words for every refused sign-in, whatever the reason.
pub(crate) const SIGN_IN_REFUSED: &str = "Your username or password is not right, or your account is locked after too many tries. Check them and try again. After 5 tries in a row that are not right, wait 15 minutes.";

fn idle() -> Duration {
    Duration::minutes(SESSION_IDLE_MINUTES)
}

/// The cookies' names: `__Host-` needs `Secure`, so plain HTTP uses plain names.
pub(crate) fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-upstream_session"
    } else {
        "upstream_session"
    }
}

fn sign_in_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-upstream_signin"
    } else {
        "upstream_signin"
    }
}

/// Who is signed in, for handlers: `user: CurrentUser` in their arguments.
#[derive(Clone)]
pub struct CurrentUser {
    pub account: Account,
    /// Every form must carry it (`layout.csrf_token()` in templates).
    pub csrf_token: String,
    /// The cookie's token, to end the session on signing out.
    token: String,
}

impl std::fmt::Debug for CurrentUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentUser")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.account.role
    }

    /// Refuse (403) unless the user holds one of `roles`. For pages about a
    /// household or person use [`household_visible`] instead, which answers
    /// "not found" so as not to reveal that the record exists.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), Refused> {
        if roles.contains(&self.account.role) {
            Ok(())
        } else {
            Err(Refused::Forbidden)
        }
    }

    /// An audit entry by this user.
    pub(crate) fn audit(
        &self,
        action: AuditAction,
        subject_kind: &str,
        subject_id: impl Into<String>,
        purpose: &str,
        detail: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            user_id: Some(self.account.id),
            username: self.account.username.clone(),
            action,
            subject_kind: subject_kind.to_string(),
            subject_id: subject_id.into(),
            purpose: purpose.to_string(),
            detail,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<CurrentUser, Refused> {
        // Put there by `require_session`; absent only on a public route.
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(Refused::SignIn)
    }
}

/// Why a request was turned away. A handler returns it (`Err(Refused::NotFound)`);
/// [`require_session`] turns it into the GOV.UK page, with the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// 404 "Page not found": also for records a user may not see, so that
    /// guessing ids reveals nothing.
    NotFound,
    /// 403: the user's role may not use this page.
    Forbidden,
    /// 403: a form without the session's CSRF token (or with a wrong one).
    FormExpired,
    /// 503: storage failed (the log has the details).
    Unavailable,
    /// Not signed in: off to the sign-in page.
    SignIn,
}

impl Refused {
    fn status(self) -> StatusCode {
        match self {
            Refused::NotFound => StatusCode::NOT_FOUND,
            Refused::Forbidden | Refused::FormExpired => StatusCode::FORBIDDEN,
            Refused::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Refused::SignIn => StatusCode::SEE_OTHER,
        }
    }

    /// The full page, with the header for `user`.
    pub(crate) fn page(self, layout: Layout) -> Response {
        match self {
            Refused::NotFound => render(self.status(), &NotFoundPage { layout }),
            Refused::Forbidden => render(
                self.status(),
                &ForbiddenPage {
                    layout,
                    heading: "You cannot use this page",
                    message: "Your account does not give you access to this page. If you think it should, ask your Upstream administrator.",
                },
            ),
            Refused::FormExpired => render(
                self.status(),
                &ForbiddenPage {
                    layout,
                    heading: "Sorry, that form could not be sent",
                    message: "The form had expired or did not come from this service, so nothing was changed. Go back, reload the page and try again.",
                },
            ),
            Refused::Unavailable => render(self.status(), &UnavailablePage { layout }),
            Refused::SignIn => Redirect::to("/sign-in").into_response(),
        }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        // A marker that require_session turns into the real page; the
        // plain status stands if a refusal escapes it.
        let mut response = self.status().into_response();
        if self == Refused::SignIn {
            response
                .headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static("/sign-in"));
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl From<crate::DataError> for Refused {
    fn from(e: crate::DataError) -> Refused {
        tracing::error!("the data source failed: {e}");
        Refused::Unavailable
    }
}

/// Record that `user` viewed something; pages call this before showing
/// personal data, and show nothing if it cannot be recorded.
pub(crate) async fn audit_view(
    state: &AppState,
    user: &CurrentUser,
    subject_kind: &str,
    subject_id: impl Into<String>,
    purpose: &str,
) -> Result<(), Refused> {
    record(
        state,
        &user.audit(
            AuditAction::View,
            subject_kind,
            subject_id,
            purpose,
            serde_json::json!({}),
        ),
    )
    .await
}

/// Append to the audit log; if that fails, what was to be recorded must not happen.
pub(crate) async fn record(state: &AppState, entry: &AuditRecord) -> Result<(), Refused> {
    state.accounts.record(entry).await.map_err(|e| {
        tracing::error!("could not write the audit log: {e}");
        Refused::Unavailable
    })
}

/// Whether `user` may see a household: connectors and team leaders may;
/// a partner worker only when the household's consent covers their
/// organisation (or they referred it); analysts (aggregates only) and
/// administrators (accounts and audit) may not. Refusals are "not found".
pub(crate) async fn household_visible(
    state: &AppState,
    user: &CurrentUser,
    household_id: i64,
) -> Result<(), Refused> {
    match user.account.role {
        Role::Connector | Role::TeamLeader => Ok(()),
        Role::PartnerWorker => match user.account.organisation.as_deref() {
            Some(org)
                if state
                    .accounts
                    .partner_may_see_household(org, household_id, state.today())
                    .await? =>
            {
                Ok(())
            }
            _ => Err(Refused::NotFound),
        },
        Role::Analyst | Role::Administrator => Err(Refused::NotFound),
    }
}

/// The value of one cookie, from any `Cookie` header.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    // Names are ours and values are hex, so this cannot fail; stay safe if it does.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("x=; Max-Age=0"))
}

fn clear_cookie(name: &str, secure: bool) -> HeaderValue {
    set_cookie(name, "", secure, Some(0))
}

/// Compare secrets in time that does not depend on where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// 256 random bits from the operating system, as hex.
fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A path on this site to go back to after signing in; anything else
/// (another site, `//host`, a backslash trick) is dropped.
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 2000
        && !next.starts_with("/sign-in")
        && !next.starts_with("/sign-out");
    ok.then_some(next)
}

/// Percent-encode for a query value: everything but unreserved characters and `/`.
fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// To the sign-in page, coming back here afterwards if this was a page view.
fn to_sign_in(method: &Method, path_and_query: Option<&str>) -> Response {
    let target = match (method, path_and_query.and_then(safe_next)) {
        (&Method::GET | &Method::HEAD, Some(next)) if next != "/" => {
            format!("/sign-in?next={}", encode_query_value(next))
        }
        _ => "/sign-in".to_string(),
    };
    Redirect::to(&target).into_response()
}

/// The CSRF token a request carries: the `X-CSRF-Token` header, or the
/// `csrf_token` field of a URL-encoded form body (read, then put back).
async fn csrf_token_of(req: Request) -> Result<(Option<String>, Request), Response> {
    if let Some(t) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        let t = t.to_string();
        return Ok((Some(t), req));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        return multipart_csrf_token(req, &content_type).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((None, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let token = bytes
        .split(|&b| b == b'&')
        .filter_map(|pair| {
            let mut kv = pair.splitn(2, |&b| b == b'=');
            let key = kv.next()?;
            (form_decode(key) == "csrf_token").then(|| form_decode(kv.next().unwrap_or(b"")))
        })
        .next();
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// The `csrf_token` field of a file upload (multipart form), which pages
/// put first: the body is read (at most [`crate::documents::UPLOAD_LIMIT`]
/// and a little), searched, and put back for the handler.
async fn multipart_csrf_token(
    req: Request,
    content_type: &str,
) -> Result<(Option<String>, Request), Response> {
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return Ok((None, req));
    };
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, crate::documents::UPLOAD_LIMIT + FORM_LIMIT)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let once = futures_once(bytes.clone());
    let mut form = multer::Multipart::new(once, boundary);
    let mut token = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("csrf_token") {
            token = field.text().await.ok();
            break;
        }
    }
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// A body already in memory as the one-item stream `multer` reads.
fn futures_once(
    bytes: axum::body::Bytes,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, std::convert::Infallible>> {
    futures_util::stream::once(async move { Ok(bytes) })
}

/// One name or value of a URL-encoded form: `+` is a space, `%XX` a byte.
fn form_decode(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The gate in front of every staff page: a live session, a valid CSRF
/// token on anything that could change something, and the GOV.UK page for
/// any refusal. Signed-in pages are never cached.
pub(crate) async fn require_session(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let cookie_name = session_cookie_name(state.secure_cookies);
    let live = match cookie(req.headers(), cookie_name) {
        None => None,
        Some(token) => match state.accounts.session(&token, idle()).await {
            Ok(found) => found.map(|s| (token, s)),
            Err(e) => {
                tracing::error!("looking up a session failed: {e}");
                return Refused::Unavailable.page(Layout::new(&state, None).await);
            }
        },
    };
    let Some((token, live)) = live else {
        return to_sign_in(req.method(), req.uri().path_and_query().map(|p| p.as_str()));
    };
    if Utc::now() - live.last_seen_at > Duration::seconds(TOUCH_AFTER_SECONDS) {
        if let Err(e) = state.accounts.touch_session(&token).await {
            tracing::warn!("could not note a session's use: {e}");
        }
    }
    let user = CurrentUser {
        account: live.account,
        csrf_token: live.csrf_token,
        token,
    };
    let mut req = req;
    if !req.method().is_safe() {
        let (carried, back) = match csrf_token_of(req).await {
            Ok(found) => found,
            Err(response) => return response,
        };
        if !carried.is_some_and(|t| same_secret(&t, &user.csrf_token)) {
            tracing::warn!(
                "refused a {} to {} by {} without the right CSRF token",
                back.method(),
                back.uri().path(),
                user.account.username
            );
            return no_store(Refused::FormExpired.page(Layout::new(&state, Some(&user)).await));
        }
        req = back;
    }
    req.extensions_mut().insert(user.clone());
    let response = next.run(req).await;
    let response = match response.extensions().get::<Refused>().copied() {
        Some(refused) => refused.page(Layout::new(&state, Some(&user)).await),
        None => response,
    };
    no_store(response)
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    response
}

// ------------------------------------------------------------------ sign-in

#[derive(Template)]
#[template(path = "sign_in.html")]
pub(crate) struct SignInPage {
    layout: Layout,
    csrf_token: String,
    next: String,
    username: String,
    signed_out: bool,
    /// The error summary: (field id, message).
    errors: Vec<(&'static str, &'static str)>,
    username_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default, rename = "signed-out")]
    signed_out: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    next: String,
}

/// The sign-in page with a fresh (or the same) pre-session token, set as a cookie.
fn sign_in_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    mut page: SignInPage,
) -> Response {
    let name = sign_in_cookie_name(state.secure_cookies);
    let token = cookie(headers, name)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .or_else(random_token);
    let Some(token) = token else {
        tracing::error!("the operating system gave no random bytes");
        return render(
            StatusCode::SERVICE_UNAVAILABLE,
            &UnavailablePage {
                layout: page.layout,
            },
        );
    };
    page.csrf_token = token.clone();
    let mut response = render(status, &page);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(name, &token, state.secure_cookies, Some(3600)),
    );
    no_store(response)
}

fn blank_page(layout: Layout, next: &str) -> SignInPage {
    SignInPage {
        layout,
        csrf_token: String::new(),
        next: safe_next(next).unwrap_or("").to_string(),
        username: String::new(),
        signed_out: false,
        errors: Vec::new(),
        username_error: None,
        password_error: None,
    }
}

/// GET /sign-in: the form (or straight on, for someone already signed in).
pub(crate) async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Response {
    let name = session_cookie_name(state.secure_cookies);
    if let Some(token) = cookie(&headers, name) {
        if let Ok(Some(_)) = state.accounts.session(&token, idle()).await {
            return Redirect::to(safe_next(&q.next).unwrap_or("/")).into_response();
        }
    }
    let mut page = blank_page(Layout::new(&state, None).await, &q.next);
    page.signed_out = q.signed_out.is_some();
    sign_in_form(&state, &headers, StatusCode::OK, page)
}

/// POST /sign-in.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let client = client_of(&state, peer.map(|p| p.0 .0), &headers);
    let layout = Layout::new(&state, None).await;
    let form = match form {
        Ok(Form(f)) => f,
        Err(_) => SignInForm::default(),
    };
    let pre_session = cookie(&headers, sign_in_cookie_name(state.secure_cookies));
    if !pre_session.is_some_and(|t| same_secret(&t, &form.csrf_token)) {
        let mut page = blank_page(layout, &form.next);
        page.username = form.username;
        page.errors = vec![("username", "Your sign-in page had expired. Try again.")];
        return sign_in_form(&state, &headers, StatusCode::FORBIDDEN, page);
    }
    let username = form.username.trim().to_string();
    let mut page = blank_page(layout, &form.next);
    page.username = username.clone();
    if username.is_empty() {
        page.username_error = Some("Enter your username");
        page.errors.push(("username", "Enter your username"));
    }
    if form.password.is_empty() {
        page.password_error = Some("Enter your password");
        page.errors.push(("password", "Enter your password"));
    }
    if !page.errors.is_empty() {
        return sign_in_form(&state, &headers, StatusCode::OK, page);
    }
    let outcome = match state
        .accounts
        .sign_in(&username, &form.password, &client)
        .await
    {
        Ok(o) => o,
        Err(e) => {
            tracing::error!("signing in failed: {e}");
            return render(
                StatusCode::SERVICE_UNAVAILABLE,
                &UnavailablePage {
                    layout: page.layout,
                },
            );
        }
    };
    match outcome {
        SignInOutcome::Accepted(account) => signed_in(&state, &headers, account, &form.next).await,
        SignInOutcome::Refused {
            user_id,
            locked_now,
        } => {
            refused(
                &state, &headers, page, user_id, &username, locked_now, false,
            )
            .await
        }
        SignInOutcome::Locked { user_id } => {
            refused(
                &state,
                &headers,
                page,
                Some(user_id),
                &username,
                false,
                true,
            )
            .await
        }
        SignInOutcome::Throttled => {
            refused(&state, &headers, page, None, &username, false, true).await
        }
    }
}

/// Who is signing in, as lock-outs count it: the address the request came
/// from, or, behind a reverse proxy the council trusts, the address that
/// proxy says it forwarded for (the last X-Forwarded-For entry, the one the
/// proxy itself added; earlier ones anyone could have written). Requests
/// with neither (in-process tests) are one client, "unknown".
fn client_of(state: &AppState, peer: Option<std::net::SocketAddr>, headers: &HeaderMap) -> String {
    if state.trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    peer.map_or_else(|| "unknown".to_string(), |p| p.ip().to_string())
}

async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    mut page: SignInPage,
    user_id: Option<i64>,
    username: &str,
    locked_now: bool,
    locked: bool,
) -> Response {
    // The name tried, kept short: it is whatever someone typed.
    let tried: String = username.to_lowercase().chars().take(64).collect();
    let entry = AuditRecord {
        user_id,
        username: tried.clone(),
        action: AuditAction::SignInFailed,
        subject_kind: "user".into(),
        subject_id: tried,
        purpose: "sign-in refused".into(),
        detail: serde_json::json!({ "locked_now": locked_now, "was_locked": locked }),
    };
    if let Err(e) = state.accounts.record(&entry).await {
        tracing::error!("could not record a refused sign-in: {e}");
    }
    page.username_error = Some(SIGN_IN_REFUSED);
    page.errors = vec![("username", SIGN_IN_REFUSED)];
    sign_in_form(state, headers, StatusCode::OK, page)
}

async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    account: Account,
    next: &str,
) -> Response {
    let secure = state.secure_cookies;
    let name = session_cookie_name(secure);
    // A new session every time: a token planted before signing in is worthless.
    if let Some(old) = cookie(headers, name) {
        if let Err(e) = state.accounts.end_session(&old).await {
            tracing::warn!("could not end an earlier session: {e}");
        }
    }
    let lifetime = Duration::hours(SESSION_LIFETIME_HOURS);
    let started = match state.accounts.start_session(account.id, lifetime).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("could not start a session: {e}");
            return render(
                StatusCode::SERVICE_UNAVAILABLE,
                &UnavailablePage {
                    layout: Layout::new(state, None).await,
                },
            );
        }
    };
    let entry = AuditRecord {
        user_id: Some(account.id),
        username: account.username.clone(),
        action: AuditAction::SignIn,
        subject_kind: "user".into(),
        subject_id: account.username.clone(),
        purpose: "signed in".into(),
        detail: serde_json::json!({}),
    };
    if record(state, &entry).await.is_err() {
        // Nobody works unrecorded: without the audit log, no session.
        let _ = state.accounts.end_session(&started.token).await;
        return render(
            StatusCode::SERVICE_UNAVAILABLE,
            &UnavailablePage {
                layout: Layout::new(state, None).await,
            },
        );
    }
    let mut response = Redirect::to(safe_next(next).unwrap_or("/")).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(name, &started.token, secure, None),
    );
    headers.append(
        header::SET_COOKIE,
        clear_cookie(sign_in_cookie_name(secure), secure),
    );
    no_store(response)
}

/// POST /sign-out (behind the session gate, so its CSRF token is checked).
pub(crate) async fn sign_out(State(state): State<AppState>, user: CurrentUser) -> Response {
    if let Err(e) = state.accounts.end_session(&user.token).await {
        tracing::error!("could not end a session: {e}");
        return Refused::Unavailable.into_response();
    }
    let entry = user.audit(
        AuditAction::SignOut,
        "user",
        user.account.username.clone(),
        "signed out",
        serde_json::json!({}),
    );
    if let Err(e) = state.accounts.record(&entry).await {
        tracing::error!("could not record a sign-out: {e}");
    }
    let mut response = Redirect::to("/sign-in?signed-out=yes").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        clear_cookie(
            session_cookie_name(state.secure_cookies),
            state.secure_cookies,
        ),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Accounts, AuditQuery, AuditRow, ChainStatus, LiveSession, StartedSession};
    use crate::data::{BoxFuture, DataError, DataSource, Health, Overview};
    use std::sync::Arc;

    /// Household 1 has consented to share with Citizens Advice; nothing else is shared.
    struct Consent;

    impl DataSource for Consent {
        fn database(&self) -> &'static str {
            "sqlite"
        }
        fn health(&self) -> BoxFuture<'_, Result<Health, DataError>> {
            Box::pin(async { Ok(Health { migrations: 4 }) })
        }
        fn overview(&self) -> BoxFuture<'_, Result<Overview, DataError>> {
            Box::pin(async { Ok(Overview::default()) })
        }
    }

    impl Accounts for Consent {
        fn sign_in<'a>(
            &'a self,
            _: &'a str,
            _: &'a str,
            _: &'a str,
        ) -> BoxFuture<'a, Result<SignInOutcome, DataError>> {
            Box::pin(async { Err(DataError("unused".into())) })
        }
        fn start_session(
            &self,
            _: i64,
            _: Duration,
        ) -> BoxFuture<'_, Result<StartedSession, DataError>> {
            Box::pin(async { Err(DataError("unused".into())) })
        }
        fn session<'a>(
            &'a self,
            _: &'a str,
            _: Duration,
        ) -> BoxFuture<'a, Result<Option<LiveSession>, DataError>> {
            Box::pin(async { Ok(None) })
        }
        fn touch_session<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(), DataError>> {
            Box::pin(async { Ok(()) })
        }
        fn end_session<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(), DataError>> {
            Box::pin(async { Ok(()) })
        }
        fn record<'a>(&'a self, _: &'a AuditRecord) -> BoxFuture<'a, Result<(), DataError>> {
            Box::pin(async { Err(DataError("the audit log is full".into())) })
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
        fn partner_may_see_household<'a>(
            &'a self,
            org: &'a str,
            household: i64,
            _: chrono::NaiveDate,
        ) -> BoxFuture<'a, Result<bool, DataError>> {
            Box::pin(async move { Ok(org == "Citizens Advice" && household == 1) })
        }
    }

    fn someone(role: Role, organisation: Option<&str>) -> CurrentUser {
        CurrentUser {
            account: Account {
                id: 1,
                username: "someone".into(),
                display_name: "Someone".into(),
                role,
                organisation: organisation.map(String::from),
                team: None,
            },
            csrf_token: "c".repeat(64),
            token: "t".repeat(64),
        }
    }

    #[tokio::test]
    async fn a_partner_sees_only_consented_households_and_others_get_not_found() {
        let state = AppState::from_parts(Arc::new(Consent), Arc::new(Consent));
        let ca = someone(Role::PartnerWorker, Some("Citizens Advice"));
        let food = someone(Role::PartnerWorker, Some("Food Bank Trust"));
        assert_eq!(household_visible(&state, &ca, 1).await, Ok(()));
        assert_eq!(
            household_visible(&state, &ca, 2).await,
            Err(Refused::NotFound)
        );
        assert_eq!(
            household_visible(&state, &food, 1).await,
            Err(Refused::NotFound)
        );
        let lost = someone(Role::PartnerWorker, None);
        assert_eq!(
            household_visible(&state, &lost, 1).await,
            Err(Refused::NotFound)
        );
        for role in [Role::Connector, Role::TeamLeader] {
            assert_eq!(
                household_visible(&state, &someone(role, None), 2).await,
                Ok(())
            );
        }
        for role in [Role::Analyst, Role::Administrator] {
            assert_eq!(
                household_visible(&state, &someone(role, None), 1).await,
                Err(Refused::NotFound),
                "{role}"
            );
        }
        assert_eq!(
            Refused::NotFound.status(),
            StatusCode::NOT_FOUND,
            "never 403"
        );
    }

    #[tokio::test]
    async fn nothing_is_shown_when_the_view_cannot_be_audited() {
        let state = AppState::from_parts(Arc::new(Consent), Arc::new(Consent));
        let user = someone(Role::Connector, None);
        assert_eq!(
            audit_view(&state, &user, "household", "1", "household page").await,
            Err(Refused::Unavailable)
        );
    }

    #[test]
    fn only_listed_roles_pass_a_role_check() {
        let user = someone(Role::Analyst, None);
        assert_eq!(
            user.require_role(&[Role::Analyst, Role::Administrator]),
            Ok(())
        );
        assert_eq!(
            user.require_role(&[Role::Administrator]),
            Err(Refused::Forbidden)
        );
    }

    #[test]
    fn only_paths_on_this_site_are_followed_after_signing_in() {
        assert_eq!(safe_next("/admin/audit?x=1"), Some("/admin/audit?x=1"));
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/a\nb",
            "/sign-in",
            "/sign-out",
            "admin",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn cookies_are_found_by_exact_name_in_any_cookie_header() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; upstream_session_x=2"),
        );
        h.append(
            header::COOKIE,
            HeaderValue::from_static("upstream_session=abc"),
        );
        assert_eq!(cookie(&h, "upstream_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "a").as_deref(), Some("1"));
        assert_eq!(cookie(&h, "b"), None);
    }

    #[test]
    fn session_cookies_are_http_only_strict_and_secure_when_asked() {
        let secure = set_cookie(session_cookie_name(true), "ab", true, None);
        assert_eq!(
            secure,
            "__Host-upstream_session=ab; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        let plain = set_cookie(session_cookie_name(false), "ab", false, None);
        assert_eq!(
            plain,
            "upstream_session=ab; Path=/; HttpOnly; SameSite=Strict"
        );
        assert!(clear_cookie("x", false)
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }

    #[test]
    fn secrets_compare_equal_only_when_equal_and_never_when_empty() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", ""));
    }

    #[test]
    fn form_names_and_values_are_decoded() {
        assert_eq!(form_decode(b"csrf%5Ftoken"), "csrf_token");
        assert_eq!(form_decode(b"a+b%20c"), "a b c");
        assert_eq!(form_decode(b"100%"), "100%");
        assert_eq!(form_decode(b"%zz%4"), "%zz%4");
        assert_eq!(form_decode(b"caf%C3%A9"), "café");
    }

    #[test]
    fn return_paths_are_encoded_for_the_query_string() {
        assert_eq!(
            encode_query_value("/admin/audit?username=a&b=c d"),
            "/admin/audit%3Fusername%3Da%26b%3Dc%20d"
        );
    }
}
