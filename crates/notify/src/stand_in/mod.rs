//! A local stand-in for GOV.UK Notify's v2 API, for tests and the demo.
//!
//! It listens on 127.0.0.1 only, speaks the same contract as
//! `api.notifications.service.gov.uk` (paths, JWT checks, validation, error
//! bodies, rate limit, callbacks), and records everything it is sent, so the
//! real [`crate::NotifyClient`] is what gets tested. It never sends anything
//! anywhere but loopback: callback URLs must be `http://127.0.0.1...` or
//! `http://localhost...`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use upstream_notify::stand_in::{StandIn, StandInConfig};
//! let stand_in = StandIn::start(StandInConfig::default()).await?;
//! let client = upstream_notify::NotifyClient::new(&stand_in.api_key(), &stand_in.base_url())?;
//! // ... run the blocking client on another thread, then:
//! assert!(stand_in.accepted().iter().all(|r| r.status_code == 201));
//! stand_in.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! What it imitates and what it does not is listed in the crate docs.

pub mod validate;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::{json, Map, Value};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::callback::format_notify_time;
use crate::jwt::authenticate;
use crate::key::{is_uuid, ApiKey};
use crate::status::{DeliveryStatus, NotificationType};
use validate::{
    check_address, is_valid_email, missing_personalisation, normalise_uk_mobile, render,
};

/// Notify's page size for `GET /v2/notifications`.
const PAGE_SIZE: usize = 250;

/// Notify's documented smoke-test numbers (normalised) and addresses: the
/// request is validated and answered 201, but nothing is stored and no
/// receipt is sent.
const SMOKE_NUMBERS: [&str; 3] = ["447700900000", "447700900111", "447700900222"];
const SMOKE_EMAILS: [&str; 3] = [
    "simulate-delivered@notifications.service.gov.uk",
    "simulate-delivered-2@notifications.service.gov.uk",
    "simulate-delivered-3@notifications.service.gov.uk",
];

/// Where the stand-in POSTs a callback, and the bearer token it sends.
#[derive(Clone, PartialEq, Eq)]
pub struct CallbackTarget {
    /// Must be `http://127.0.0.1...` or `http://localhost...`.
    pub url: String,
    /// Sent as `Authorization: Bearer <token>`.
    pub bearer_token: String,
}

impl std::fmt::Debug for CallbackTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackTarget")
            .field("url", &self.url)
            .field("bearer_token", &"<redacted>")
            .finish()
    }
}

/// A template the stand-in knows. When none are registered, any UUID is
/// accepted as a template id and the message body is a placeholder text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInTemplate {
    /// The template's id (a UUID).
    pub id: String,
    /// `Sms`, `Email` or `Letter`.
    pub kind: NotificationType,
    /// Its version (Notify starts at 1).
    pub version: u32,
    /// Emails and letters.
    pub subject: Option<String>,
    /// The body with `((placeholders))`.
    pub body: String,
}

impl StandInTemplate {
    /// A template of `kind` with `body` (and `subject` for email and letter).
    pub fn new(
        id: &str,
        kind: NotificationType,
        subject: Option<&str>,
        body: &str,
    ) -> StandInTemplate {
        StandInTemplate {
            id: id.to_string(),
            kind,
            version: 1,
            subject: subject.map(str::to_string),
            body: body.to_string(),
        }
    }
}

/// How to start a stand-in. `Default` gives 127.0.0.1 on a free port, one
/// freshly generated key, no templates (any id accepted), Notify's 3,000 per
/// 60 s limit, no callbacks, no delays.
#[derive(Debug, Clone)]
pub struct StandInConfig {
    /// Where to listen; must be a loopback address.
    pub bind: SocketAddr,
    /// Keys accepted (several services and several keys per service are
    /// fine). Empty: one is generated; see [`StandIn::api_key`].
    pub keys: Vec<ApiKey>,
    /// Templates known; empty means any template id is accepted.
    pub templates: Vec<StandInTemplate>,
    /// Requests allowed per key per `rate_window` (Notify: 3,000).
    pub rate_limit: u32,
    /// The rolling window for `rate_limit` (Notify: 60 s).
    pub rate_window: Duration,
    /// Where delivery receipts go.
    pub delivery_callback: Option<CallbackTarget>,
    /// Where received text messages go.
    pub received_text_callback: Option<CallbackTarget>,
    /// Deliver each accepted text and email after this delay, with the status
    /// Notify's test key gives its documented test recipients
    /// (07700900003 / temp-fail@simulator.notify: temporary-failure;
    /// 07700900002 / perm-fail@simulator.notify: permanent-failure; anyone
    /// else: delivered). `None`: only [`StandIn::deliver`] delivers.
    pub auto_deliver: Option<Duration>,
    /// Wait this long before answering each request.
    pub response_delay: Duration,
    /// Seconds to add to this machine's clock to get the stand-in's (to show
    /// what a client with a wrong clock sees).
    pub clock_offset_secs: i64,
    /// Seed for ids and generated keys; `None` seeds from the OS.
    pub seed: Option<u64>,
    /// Our number, the `destination_number` of received texts.
    pub inbound_number: String,
    /// The text sender shown in responses.
    pub sms_sender: String,
    /// The email sender shown in responses.
    pub email_from: String,
}

impl Default for StandInConfig {
    fn default() -> Self {
        StandInConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            keys: Vec::new(),
            templates: Vec::new(),
            rate_limit: crate::pacing::NOTIFY_RATE_LIMIT,
            rate_window: crate::pacing::NOTIFY_RATE_WINDOW,
            delivery_callback: None,
            received_text_callback: None,
            auto_deliver: None,
            response_delay: Duration::ZERO,
            clock_offset_secs: 0,
            seed: None,
            inbound_number: "07700900999".into(),
            sms_sender: "UPSTREAM".into(),
            email_from: "upstream.council@notifications.service.gov.uk".into(),
        }
    }
}

/// Failures starting or driving the stand-in.
#[derive(Debug, thiserror::Error)]
pub enum StandInError {
    /// Could not listen.
    #[error("stand-in could not bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// An address or URL that is not on this machine.
    #[error("the stand-in only talks to loopback; refused {0}")]
    NotLoopback(String),
    /// A key could not be generated or was malformed.
    #[error("stand-in key: {0}")]
    Key(#[from] crate::error::NotifyError),
    /// `deliver` was given an id the stand-in never issued (or a smoke-test id).
    #[error("no notification with id {0}")]
    UnknownNotification(String),
}

/// One send request as the stand-in saw it, whatever it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// When it arrived (stand-in clock).
    pub at: DateTime<Utc>,
    /// From the path: sms, email or letter.
    pub notification_type: NotificationType,
    /// The authenticated service, when authentication passed.
    pub service_id: Option<String>,
    /// Phone number or email address as sent; `None` for letters.
    pub recipient: Option<String>,
    /// As sent.
    pub template_id: Option<String>,
    /// As sent; non-string values as JSON text.
    pub personalisation: BTreeMap<String, String>,
    /// As sent.
    pub reference: Option<String>,
    /// The id issued, when accepted.
    pub id: Option<String>,
    /// The status answered.
    pub status_code: u16,
    /// The first error message answered, if any.
    pub error: Option<String>,
    /// A smoke-test recipient: answered but not stored.
    pub smoke_test: bool,
}

/// What happened to a callback the stand-in tried to POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// The receiver answered with this status.
    Posted {
        /// The receiver's status code.
        status: u16,
    },
    /// No answer (refused, timed out).
    Failed {
        /// Why.
        error: String,
    },
    /// No callback URL is configured for this kind of callback.
    NotConfigured,
    /// Notify sends no delivery receipt for this message (letters).
    NotApplicable,
}

/// A callback the stand-in sent (or tried to).
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackRecord {
    /// `delivery_status` or `inbound_sms`.
    pub kind: &'static str,
    /// Where it went.
    pub url: String,
    /// The JSON body.
    pub payload: Value,
    /// What happened.
    pub outcome: CallbackOutcome,
}

#[derive(Debug, Clone)]
struct Stored {
    id: String,
    service_id: String,
    kind: NotificationType,
    to: Option<String>,
    reference: Option<String>,
    template_id: String,
    template_version: u32,
    personalisation: BTreeMap<String, String>,
    address: Vec<String>,
    body: String,
    subject: Option<String>,
    status: DeliveryStatus,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
struct Inner {
    rng: StdRng,
    notifications: Vec<Stored>,
    received: Vec<Received>,
    callbacks: Vec<CallbackRecord>,
    rate: HashMap<usize, VecDeque<Instant>>,
    faults: VecDeque<u16>,
    delay: Duration,
}

#[derive(Debug)]
struct Shared {
    config: StandInConfig,
    base_url: String,
    state: Mutex<Inner>,
    closing: watch::Sender<bool>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; carry on.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.config.clock_offset_secs)
    }
}

/// A running stand-in. Dropping it stops the server; [`StandIn::shutdown`]
/// stops it and waits.
#[derive(Debug)]
pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

fn uuid_v4(rng: &mut StdRng) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn check_loopback_url(url: &str) -> Result<(), StandInError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| StandInError::NotLoopback(url.to_string()))?;
    let host = rest.split(['/', ':', '?']).next().unwrap_or("");
    let ok = host == "localhost"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    if ok {
        Ok(())
    } else {
        Err(StandInError::NotLoopback(url.to_string()))
    }
}

impl StandIn {
    /// Bind, and serve on the current tokio runtime.
    pub async fn start(mut config: StandInConfig) -> Result<StandIn, StandInError> {
        if !config.bind.ip().is_loopback() {
            return Err(StandInError::NotLoopback(config.bind.to_string()));
        }
        for target in [&config.delivery_callback, &config.received_text_callback]
            .into_iter()
            .flatten()
        {
            check_loopback_url(&target.url)?;
        }
        let mut rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        if config.keys.is_empty() {
            let service_id = uuid_v4(&mut rng);
            let secret = uuid_v4(&mut rng);
            config
                .keys
                .push(ApiKey::from_parts("stand_in_live", &service_id, &secret)?);
        }
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| StandInError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StandInError::Bind {
            addr: config.bind,
            source,
        })?;
        let (closing, _) = watch::channel(false);
        let delay = config.response_delay;
        let shared = Arc::new(Shared {
            config,
            base_url: format!("http://{addr}"),
            state: Mutex::new(Inner {
                rng,
                notifications: Vec::new(),
                received: Vec::new(),
                callbacks: Vec::new(),
                rate: HashMap::new(),
                faults: VecDeque::new(),
                delay,
            }),
            closing,
        });
        let app = Router::new()
            .route("/v2/notifications", get(list_notifications))
            .route(
                "/v2/notifications/{param}",
                post(post_notification).get(get_notification),
            )
            .fallback(not_found)
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(StandIn {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>`, to give the client as its base URL.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first key accepted, in Notify's `{name}-{service id}-{secret}` form.
    pub fn api_key(&self) -> String {
        self.shared
            .config
            .keys
            .first()
            .map(ApiKey::expose)
            .unwrap_or_default()
    }

    /// Every key accepted, in the same form.
    pub fn api_keys(&self) -> Vec<String> {
        self.shared.config.keys.iter().map(ApiKey::expose).collect()
    }

    /// The first key's service id.
    pub fn service_id(&self) -> String {
        self.shared
            .config
            .keys
            .first()
            .map(|k| k.service_id().to_string())
            .unwrap_or_default()
    }

    /// Every send request received, in order, whatever was answered.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().received.clone()
    }

    /// The send requests answered 201 (smoke tests included).
    pub fn accepted(&self) -> Vec<Received> {
        self.shared
            .lock()
            .received
            .iter()
            .filter(|r| r.status_code == 201)
            .cloned()
            .collect()
    }

    /// Every callback sent or attempted, in order.
    pub fn callbacks(&self) -> Vec<CallbackRecord> {
        self.shared.lock().callbacks.clone()
    }

    /// A stored message's current status.
    pub fn status_of(&self, id: &str) -> Option<DeliveryStatus> {
        self.shared
            .lock()
            .notifications
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.status.clone())
    }

    /// Answer the next `n` requests (of any kind, before authentication) with
    /// `status`: 500 gets Notify's `Exception` body, 429 a `RateLimitError`,
    /// anything else a plain-text body as a proxy or load balancer would send.
    /// Replaces any faults still pending, so `fail_next(0, _)` clears them.
    pub fn fail_next(&self, n: usize, status: u16) {
        let mut state = self.shared.lock();
        state.faults = std::iter::repeat_n(status, n).collect();
    }

    /// Wait this long before answering each request from now on.
    pub fn set_response_delay(&self, delay: Duration) {
        self.shared.lock().delay = delay;
    }

    /// Set a message's status as Notify's provider would and, for texts and
    /// emails with a delivery callback configured, POST the receipt exactly as
    /// Notify does. Letters change status but get no receipt (Notify sends
    /// delivery receipts for texts and emails only).
    pub async fn deliver(
        &self,
        id: &str,
        status: DeliveryStatus,
    ) -> Result<CallbackOutcome, StandInError> {
        deliver(self.shared.clone(), id, status).await
    }

    /// Pretend someone texted `message` from `from` to our number, and POST
    /// it to the received-text callback. Returns the id given to it.
    pub async fn receive_text(&self, from: &str, message: &str) -> (String, CallbackOutcome) {
        let (id, payload) = {
            let mut state = self.shared.lock();
            let id = uuid_v4(&mut state.rng);
            let payload = json!({
                "id": id,
                "source_number": from,
                "destination_number": self.shared.config.inbound_number,
                "message": message,
                "date_received": format_notify_time(self.shared.now()),
            });
            (id, payload)
        };
        let target = self.shared.config.received_text_callback.clone();
        let outcome = post_callback(&self.shared, "inbound_sms", target, payload).await;
        (id, outcome)
    }

    /// Stop serving and wait (up to 5 s) for open connections to finish.
    pub async fn shutdown(mut self) {
        let _ = self.shared.closing.send(true);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.shared.closing.send(true);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn error_response(status: u16, error: &str, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        Json(json!({"status_code": status, "errors": [{"error": error, "message": message}]})),
    )
        .into_response()
}

fn errors_response(status: u16, errors: &[(String, String)]) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let list: Vec<Value> = errors
        .iter()
        .map(|(e, m)| json!({"error": e, "message": m}))
        .collect();
    (code, Json(json!({"status_code": status, "errors": list}))).into_response()
}

fn fault_response(status: u16, config: &StandInConfig) -> Response {
    match status {
        500 => error_response(500, "Exception", "Internal server error"),
        429 => error_response(429, "RateLimitError", &rate_limit_message(config)),
        other => {
            let code = StatusCode::from_u16(other).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            (
                code,
                format!("{other} {}", code.canonical_reason().unwrap_or("Error")),
            )
                .into_response()
        }
    }
}

fn rate_limit_message(config: &StandInConfig) -> String {
    format!(
        "Exceeded rate limit for key type LIVE of {} requests per {} seconds",
        config.rate_limit,
        config.rate_window.as_secs()
    )
}

async fn not_found() -> Response {
    error_response(
        404,
        "NotFound",
        "The requested URL was not found on the server.",
    )
}

/// Delay, injected fault, then authentication. Returns the key's index.
async fn admit(
    shared: &Shared,
    headers: &HeaderMap,
) -> Result<(usize, String), (u16, Response, String)> {
    let delay = shared.lock().delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(status) = shared.lock().faults.pop_front() {
        return Err((
            status,
            fault_response(status, &shared.config),
            format!("injected {status}"),
        ));
    }
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let keys = &shared.config.keys;
    match authenticate(authorization, keys, shared.now().timestamp()) {
        Ok(key) => Ok((
            keys.iter().position(|k| std::ptr::eq(k, key)).unwrap_or(0),
            key.service_id().to_string(),
        )),
        Err(e) => {
            let status = e.status_code();
            let message = e.to_string();
            Err((
                status,
                error_response(status, "AuthError", &message),
                message,
            ))
        }
    }
}

fn personalisation_strings(value: Option<&Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(map)) = value {
        for (k, v) in map {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            out.insert(k.clone(), text);
        }
    }
    out
}

fn schema_errors(kind: &NotificationType, body: &Map<String, Value>) -> Vec<(String, String)> {
    let (recipient, allowed): (Option<&str>, &[&str]) = match kind {
        NotificationType::Sms => (
            Some("phone_number"),
            &[
                "reference",
                "phone_number",
                "template_id",
                "personalisation",
                "scheduled_for",
                "sms_sender_id",
            ],
        ),
        NotificationType::Email => (
            Some("email_address"),
            &[
                "reference",
                "email_address",
                "template_id",
                "personalisation",
                "scheduled_for",
                "email_reply_to_id",
                "one_click_unsubscribe_url",
                "sanitise_content_for",
            ],
        ),
        _ => (None, &["reference", "template_id", "personalisation"]),
    };
    let mut errors: Vec<String> = Vec::new();
    let unexpected: Vec<&str> = body
        .keys()
        .map(String::as_str)
        .filter(|k| !allowed.contains(k))
        .collect();
    if !unexpected.is_empty() {
        let verb = if unexpected.len() == 1 { "was" } else { "were" };
        errors.push(format!(
            "Additional properties are not allowed ({} {verb} unexpected)",
            unexpected.join(", ")
        ));
    }
    let mut required: Vec<&str> = recipient.into_iter().collect();
    required.push("template_id");
    if *kind == NotificationType::Letter {
        required.push("personalisation");
    }
    for field in required {
        if !body.contains_key(field) {
            errors.push(format!("{field} is a required property"));
        }
    }
    for field in ["reference", "phone_number", "email_address", "template_id"] {
        if let Some(v) = body.get(field) {
            if !v.is_string() {
                errors.push(format!("{field} {v} is not of type string"));
            }
        }
    }
    if let Some(Value::String(id)) = body.get("template_id") {
        if !is_uuid(id) {
            errors.push("template_id is not a valid UUID".into());
        }
    }
    if let Some(Value::String(r)) = body.get("reference") {
        if r.chars().count() > 1_000 {
            errors.push(format!("reference {r} is too long"));
        }
    }
    if let Some(p) = body.get("personalisation") {
        if !p.is_object() {
            errors.push("personalisation should contain key value pairs".into());
        }
    }
    if let Some(Value::String(number)) = body.get("phone_number") {
        if let Err(message) = normalise_uk_mobile(number) {
            errors.push(format!("phone_number {message}"));
        }
    }
    if let Some(Value::String(email)) = body.get("email_address") {
        if !is_valid_email(email) {
            errors.push("email_address Not a valid email address".into());
        }
    }
    let mut unique: Vec<(String, String)> = Vec::new();
    for message in errors {
        let entry = ("ValidationError".to_string(), message);
        if !unique.contains(&entry) {
            unique.push(entry);
        }
    }
    unique
}

fn auto_status(kind: &NotificationType, to: &str) -> DeliveryStatus {
    let to = match kind {
        NotificationType::Sms => normalise_uk_mobile(to).unwrap_or_default(),
        _ => to.trim().to_lowercase(),
    };
    match to.as_str() {
        "447700900003" | "temp-fail@simulator.notify" => DeliveryStatus::TemporaryFailure,
        "447700900002" | "perm-fail@simulator.notify" => DeliveryStatus::PermanentFailure,
        _ => DeliveryStatus::Delivered,
    }
}

fn is_smoke_test(kind: &NotificationType, to: &str) -> bool {
    match kind {
        NotificationType::Sms => {
            normalise_uk_mobile(to).is_ok_and(|n| SMOKE_NUMBERS.contains(&n.as_str()))
        }
        NotificationType::Email => SMOKE_EMAILS.contains(&to.trim().to_lowercase().as_str()),
        _ => false,
    }
}

async fn post_notification(
    State(shared): State<Arc<Shared>>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let kind = NotificationType::parse(&kind);
    let mut record = Received {
        at: shared.now(),
        notification_type: kind.clone(),
        service_id: None,
        recipient: None,
        template_id: None,
        personalisation: BTreeMap::new(),
        reference: None,
        id: None,
        status_code: 0,
        error: None,
        smoke_test: false,
    };
    let parsed: Option<Map<String, Value>> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    if let Some(map) = &parsed {
        let text = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
        record.recipient = text("phone_number").or_else(|| text("email_address"));
        record.template_id = text("template_id");
        record.reference = text("reference");
        record.personalisation = personalisation_strings(map.get("personalisation"));
    }
    let response = handle_send(&shared, &headers, &kind, &body, parsed, &mut record).await;
    shared.lock().received.push(record);
    response
}

fn fail(record: &mut Received, status: u16, response: Response, message: String) -> Response {
    record.status_code = status;
    record.error = Some(message);
    response
}

async fn handle_send(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    kind: &NotificationType,
    raw: &[u8],
    parsed: Option<Map<String, Value>>,
    record: &mut Received,
) -> Response {
    let (key_index, service_id) = match admit(shared, headers).await {
        Ok(admitted) => admitted,
        Err((status, response, message)) => return fail(record, status, response, message),
    };
    record.service_id = Some(service_id.clone());

    // Rate limit: a rolling window per key, checked before anything else
    // about the request, as Notify checks its bucket first.
    {
        let mut state = shared.lock();
        let now = Instant::now();
        let window = shared.config.rate_window;
        let log = state.rate.entry(key_index).or_default();
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            log.pop_front();
        }
        if log.len() >= shared.config.rate_limit as usize {
            drop(state);
            let message = rate_limit_message(&shared.config);
            let response = error_response(429, "RateLimitError", &message);
            return fail(record, 429, response, message);
        }
        log.push_back(now);
    }

    if matches!(kind, NotificationType::Other(_)) {
        return fail(
            record,
            404,
            not_found().await,
            "no such notification type".into(),
        );
    }
    let Some(body) = parsed else {
        let message = if serde_json::from_slice::<Value>(raw).is_ok() {
            "JSON is not of type object"
        } else {
            "Invalid JSON supplied in POST data"
        };
        let error = if message.starts_with("Invalid") {
            "BadRequestError"
        } else {
            "ValidationError"
        };
        return fail(
            record,
            400,
            error_response(400, error, message),
            message.into(),
        );
    };
    let errors = schema_errors(kind, &body);
    if let Some((_, first)) = errors.first() {
        let first = first.clone();
        return fail(record, 400, errors_response(400, &errors), first);
    }

    let template_id = record.template_id.clone().unwrap_or_default();
    let personalisation = record.personalisation.clone();
    let (template_version, body_text, subject) = if shared.config.templates.is_empty() {
        let subject = match kind {
            NotificationType::Sms => None,
            _ => Some("Message from the stand-in".to_string()),
        };
        (
            1,
            format!("Stand-in message for template {template_id}"),
            subject,
        )
    } else {
        let Some(template) = shared
            .config
            .templates
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(&template_id))
        else {
            let message = "Template not found";
            return fail(
                record,
                400,
                error_response(400, "BadRequestError", message),
                message.into(),
            );
        };
        if template.kind != *kind {
            let message = format!(
                "{} template is not suitable for {} notification",
                template.kind, kind
            );
            return fail(
                record,
                400,
                error_response(400, "BadRequestError", &message),
                message,
            );
        }
        let mut texts = vec![template.body.as_str()];
        if let Some(s) = &template.subject {
            texts.push(s);
        }
        let missing = missing_personalisation(&texts, &personalisation);
        if !missing.is_empty() {
            let message = format!("Missing personalisation: {}", missing.join(", "));
            return fail(
                record,
                400,
                error_response(400, "BadRequestError", &message),
                message,
            );
        }
        (
            template.version,
            render(&template.body, &personalisation),
            template
                .subject
                .as_deref()
                .map(|s| render(s, &personalisation)),
        )
    };

    let mut address = Vec::new();
    if *kind == NotificationType::Letter {
        match check_address(&personalisation) {
            Ok(lines) => address = lines,
            Err(message) => {
                return fail(
                    record,
                    400,
                    error_response(400, "ValidationError", &message),
                    message,
                );
            }
        }
    }

    let to = record.recipient.clone();
    let smoke = to.as_deref().is_some_and(|t| is_smoke_test(kind, t));
    let now = shared.now();
    let id = {
        let mut state = shared.lock();
        let id = uuid_v4(&mut state.rng);
        if !smoke {
            state.notifications.push(Stored {
                id: id.clone(),
                service_id: service_id.clone(),
                kind: kind.clone(),
                to: to.clone(),
                reference: record.reference.clone(),
                template_id: template_id.clone(),
                template_version,
                personalisation: personalisation.clone(),
                address,
                body: body_text.clone(),
                subject: subject.clone(),
                status: if *kind == NotificationType::Letter {
                    DeliveryStatus::Accepted
                } else {
                    DeliveryStatus::Created
                },
                created_at: now,
                sent_at: None,
                completed_at: None,
            });
        }
        id
    };
    record.id = Some(id.clone());
    record.status_code = 201;
    record.smoke_test = smoke;

    if let (Some(delay), false, Some(to)) = (shared.config.auto_deliver, smoke, to.as_deref()) {
        let status = auto_status(kind, to);
        let shared = shared.clone();
        let id = id.clone();
        let mut closing = shared.closing.subscribe();
        tokio::spawn(async move {
            let closed = async move {
                loop {
                    let now_closed = *closing.borrow_and_update();
                    if now_closed || closing.changed().await.is_err() {
                        break;
                    }
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(delay) => { let _ = deliver(shared, &id, status).await; }
                _ = closed => {}
            }
        });
    }

    let base = &shared.base_url;
    let content = match kind {
        NotificationType::Sms => {
            json!({"body": body_text, "from_number": shared.config.sms_sender})
        }
        NotificationType::Email => json!({
            "from_email": shared.config.email_from,
            "body": body_text,
            "subject": subject,
            "one_click_unsubscribe_url": body.get("one_click_unsubscribe_url").cloned().unwrap_or(Value::Null),
        }),
        _ => json!({"body": body_text, "subject": subject}),
    };
    let answer = json!({
        "id": id,
        "reference": record.reference,
        "content": content,
        "uri": format!("{base}/v2/notifications/{id}"),
        "template": {
            "id": template_id,
            "version": template_version,
            "uri": format!("{base}/services/{service_id}/templates/{template_id}"),
        },
        "scheduled_for": Value::Null,
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

fn notification_json(n: &Stored, base: &str) -> Value {
    let is = |k: NotificationType| n.kind == k;
    let line = |i: usize| n.address.get(i).cloned();
    let (lines, postcode) = if is(NotificationType::Letter) && !n.address.is_empty() {
        let last = n.address.len() - 1;
        let lines: Vec<Option<String>> = (0..6)
            .map(|i| if i < last { line(i) } else { None })
            .collect();
        (lines, line(last))
    } else {
        (vec![None; 6], None)
    };
    json!({
        "id": n.id,
        "reference": n.reference,
        "email_address": if is(NotificationType::Email) { n.to.clone() } else { None },
        "phone_number": if is(NotificationType::Sms) { n.to.clone() } else { None },
        "line_1": lines[0], "line_2": lines[1], "line_3": lines[2],
        "line_4": lines[3], "line_5": lines[4], "line_6": lines[5],
        "postcode": postcode,
        "postage": if is(NotificationType::Letter) { Some("second") } else { None },
        "type": n.kind.as_str(),
        "status": n.status.as_str(),
        "template": {
            "id": n.template_id,
            "version": n.template_version,
            "uri": format!("{base}/v2/template/{}/version/{}", n.template_id, n.template_version),
        },
        "body": n.body,
        "subject": n.subject,
        "created_at": format_notify_time(n.created_at),
        "created_by_name": Value::Null,
        "sent_at": n.sent_at.map(format_notify_time),
        "completed_at": n.completed_at.map(format_notify_time),
        "scheduled_for": Value::Null,
        "personalisation": n.personalisation,
    })
}

async fn get_notification(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let service_id = match admit(&shared, &headers).await {
        Ok((_, service_id)) => service_id,
        Err((_, response, _)) => return response,
    };
    if !is_uuid(&id) {
        return error_response(
            400,
            "ValidationError",
            "notification_id is not a valid UUID",
        );
    }
    let state = shared.lock();
    match state
        .notifications
        .iter()
        .find(|n| n.id.eq_ignore_ascii_case(&id) && n.service_id == service_id)
    {
        Some(n) => (StatusCode::OK, Json(notification_json(n, &shared.base_url))).into_response(),
        None => error_response(404, "NoResultFound", "No result found"),
    }
}

async fn list_notifications(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let service_id = match admit(&shared, &headers).await {
        Ok((_, service_id)) => service_id,
        Err((_, response, _)) => return response,
    };
    let values = |k: &str| -> Vec<&str> {
        query
            .iter()
            .filter(|(q, _)| q == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let statuses = values("status");
    let types = values("template_type");
    let reference = values("reference").first().map(|s| s.to_string());
    let older_than = values("older_than").first().map(|s| s.to_string());
    if let Some(bad) = types
        .iter()
        .find(|t| !matches!(**t, "sms" | "email" | "letter"))
    {
        let message = format!("template_type {bad} is not one of [sms, email, letter]");
        return error_response(400, "ValidationError", &message);
    }
    let state = shared.lock();
    // Newest first, as Notify pages them.
    let mine: Vec<&Stored> = state
        .notifications
        .iter()
        .rev()
        .filter(|n| n.service_id == service_id)
        .collect();
    let start = match &older_than {
        Some(id) => mine
            .iter()
            .position(|n| n.id == *id)
            .map_or(mine.len(), |p| p + 1),
        None => 0,
    };
    let matching: Vec<&Stored> = mine[start..]
        .iter()
        .copied()
        .filter(|n| statuses.is_empty() || statuses.contains(&n.status.as_str()))
        .filter(|n| types.is_empty() || types.contains(&n.kind.as_str()))
        .filter(|n| {
            reference
                .as_ref()
                .is_none_or(|r| n.reference.as_deref() == Some(r.as_str()))
        })
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .take(PAGE_SIZE)
        .map(|n| notification_json(n, &shared.base_url))
        .collect();
    let mut filters: Vec<String> = Vec::new();
    for (k, v) in &query {
        if k != "older_than" {
            filters.push(format!("{k}={v}"));
        }
    }
    let current = if filters.is_empty() {
        format!("{}/v2/notifications", shared.base_url)
    } else {
        format!("{}/v2/notifications?{}", shared.base_url, filters.join("&"))
    };
    let mut links = json!({"current": current});
    if matching.len() > PAGE_SIZE {
        if let Some(last) = matching.get(PAGE_SIZE - 1) {
            let sep = if filters.is_empty() { '?' } else { '&' };
            links["next"] = Value::String(format!("{current}{sep}older_than={}", last.id));
        }
    }
    (
        StatusCode::OK,
        Json(json!({"notifications": page, "links": links})),
    )
        .into_response()
}

async fn deliver(
    shared: Arc<Shared>,
    id: &str,
    status: DeliveryStatus,
) -> Result<CallbackOutcome, StandInError> {
    let now = shared.now();
    let payload = {
        let mut state = shared.lock();
        let Some(n) = state.notifications.iter_mut().find(|n| n.id == id) else {
            return Err(StandInError::UnknownNotification(id.to_string()));
        };
        n.status = status.clone();
        n.sent_at.get_or_insert(now);
        if status.is_final() {
            n.completed_at = Some(now);
        }
        if n.kind == NotificationType::Letter {
            None
        } else {
            Some(json!({
                "id": n.id,
                "reference": n.reference,
                "to": n.to,
                "status": status.as_str(),
                "created_at": format_notify_time(n.created_at),
                "completed_at": n.completed_at.map(format_notify_time),
                "sent_at": n.sent_at.map(format_notify_time),
                "notification_type": n.kind.as_str(),
                "template_id": n.template_id,
                "template_version": n.template_version,
            }))
        }
    };
    match payload {
        None => Ok(CallbackOutcome::NotApplicable),
        Some(payload) => {
            let target = shared.config.delivery_callback.clone();
            Ok(post_callback(&shared, "delivery_status", target, payload).await)
        }
    }
}

/// POST a callback as Notify does: JSON, `Authorization: Bearer <token>`,
/// a 5 s timeout. Recorded whatever happens.
async fn post_callback(
    shared: &Arc<Shared>,
    kind: &'static str,
    target: Option<CallbackTarget>,
    payload: Value,
) -> CallbackOutcome {
    let Some(target) = target else {
        return CallbackOutcome::NotConfigured;
    };
    let url = target.url.clone();
    let body = payload.to_string();
    let outcome = tokio::task::spawn_blocking(move || {
        let config = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(5)))
            .user_agent(crate::client::USER_AGENT)
            .build();
        let agent = ureq::Agent::new_with_config(config);
        match agent
            .post(&target.url)
            .header("Content-Type", "application/json")
            .header("Authorization", &format!("Bearer {}", target.bearer_token))
            .send(body.as_bytes())
        {
            Ok(response) => CallbackOutcome::Posted {
                status: response.status().as_u16(),
            },
            Err(e) => CallbackOutcome::Failed {
                error: e.to_string(),
            },
        }
    })
    .await
    .unwrap_or_else(|e| CallbackOutcome::Failed {
        error: e.to_string(),
    });
    shared.lock().callbacks.push(CallbackRecord {
        kind,
        url,
        payload,
        outcome: outcome.clone(),
    });
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let mut rng = StdRng::seed_from_u64(3);
        let a = uuid_v4(&mut rng);
        let b = uuid_v4(&mut rng);
        assert!(is_uuid(&a) && is_uuid(&b));
        assert_ne!(a, b);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn callbacks_only_go_to_loopback() {
        assert!(check_loopback_url("http://127.0.0.1:9000/notify").is_ok());
        assert!(check_loopback_url("http://localhost/x").is_ok());
        assert!(check_loopback_url("https://127.0.0.1/x").is_err());
        assert!(check_loopback_url("http://example.org/x").is_err());
        assert!(check_loopback_url("http://127.0.0.1.example.org/x").is_err());
    }

    #[test]
    fn test_recipients_and_smoke_tests() {
        assert_eq!(
            auto_status(&NotificationType::Sms, "07700 900003"),
            DeliveryStatus::TemporaryFailure
        );
        assert_eq!(
            auto_status(&NotificationType::Sms, "+447700900002"),
            DeliveryStatus::PermanentFailure
        );
        assert_eq!(
            auto_status(&NotificationType::Email, "Perm-Fail@simulator.notify"),
            DeliveryStatus::PermanentFailure
        );
        assert_eq!(
            auto_status(&NotificationType::Sms, "07700900123"),
            DeliveryStatus::Delivered
        );
        assert!(is_smoke_test(&NotificationType::Sms, "07700900111"));
        assert!(is_smoke_test(
            &NotificationType::Email,
            "simulate-delivered-2@notifications.service.gov.uk"
        ));
        assert!(!is_smoke_test(&NotificationType::Sms, "07700900123"));
    }

    #[test]
    fn schema_errors_read_like_notifys() {
        let body = |v: Value| v.as_object().cloned().unwrap_or_default();
        let errs = schema_errors(
            &NotificationType::Sms,
            &body(json!({"phone_number": "01709510122", "colour": "red"})),
        );
        let messages: Vec<&str> = errs.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "Additional properties are not allowed (colour was unexpected)",
                "template_id is a required property",
                "phone_number Not a UK mobile number",
            ]
        );
        let errs = schema_errors(
            &NotificationType::Email,
            &body(json!({"email_address": "nope", "template_id": "x"})),
        );
        let messages: Vec<&str> = errs.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "template_id is not a valid UUID",
                "email_address Not a valid email address"
            ]
        );
    }
}
