//! The Notify v2 REST client.
//!
//! Blocking on purpose: the caller runs one sending worker on its own thread,
//! paced by [`crate::Pacer`], retrying with [`crate::Backoff`]. `ureq` with
//! rustls gives HTTPS with no system OpenSSL and no async runtime in the way.
//!
//! Every request carries a fresh JWT (see [`crate::jwt`]), a
//! `User-Agent: upstream-notify/<version>`, a 10 s connect timeout and a 30 s
//! overall timeout. Redirects are not followed: Notify's API does not redirect,
//! and following one would send the bearer token somewhere else.
//!
//! A proxy from the environment (`HTTPS_PROXY` and friends, with `NO_PROXY`)
//! is used for a remote base URL, never for a loopback one, so a test against
//! the stand-in cannot leave the machine even on a host with a proxy set.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ureq::Agent;

use crate::callback::parse_notify_time;
use crate::error::{ApiErrorItem, NotifyError};
use crate::jwt::create_token;
use crate::key::ApiKey;
use crate::status::{DeliveryStatus, NotificationType};

/// Notify's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.notifications.service.gov.uk";
/// Sent as `User-Agent` on every request.
pub const USER_AGENT: &str = concat!("upstream-notify/", env!("CARGO_PKG_VERSION"));
/// Default time allowed to connect (including the TLS handshake).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, response body included.
pub const OVERALL_TIMEOUT: Duration = Duration::from_secs(30);

/// What Notify says when it accepts a message (`201 Created`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// Notify's id for the message; delivery receipts and status lookups use it.
    pub id: String,
    /// Our reference, echoed.
    pub reference: Option<String>,
    /// Where to `GET` the message's status.
    pub uri: String,
    /// The template used.
    pub template_id: String,
    /// The template version used (record it: templates change).
    pub template_version: u32,
    /// The template's URI.
    pub template_uri: String,
    /// The message as sent, placeholders filled in.
    pub body: String,
    /// Email and letter subject.
    pub subject: Option<String>,
    /// Text messages: the sender shown.
    pub from_number: Option<String>,
    /// Emails: the sending address.
    pub from_email: Option<String>,
}

/// One message as `GET /v2/notifications/{id}` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Notify's id.
    pub id: String,
    /// Our reference.
    pub reference: Option<String>,
    /// `sms`, `email` or `letter`.
    pub notification_type: NotificationType,
    /// Where it has got to.
    pub status: DeliveryStatus,
    /// Texts: the number.
    pub phone_number: Option<String>,
    /// Emails: the address.
    pub email_address: Option<String>,
    /// Letters: address lines 1 to 6 as Notify holds them (empty lines dropped).
    pub address_lines: Vec<String>,
    /// Letters: the postcode line.
    pub postcode: Option<String>,
    /// The template used.
    pub template_id: String,
    /// Its version.
    pub template_version: u32,
    /// The message body.
    pub body: String,
    /// Email and letter subject.
    pub subject: Option<String>,
    /// When Notify accepted it.
    pub created_at: Option<DateTime<Utc>>,
    /// When it went to the provider.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it reached a final status.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Filters for `GET /v2/notifications`; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only messages with this reference: how to check, after a timeout,
    /// whether a send went through before sending it again.
    pub reference: Option<String>,
    /// Only messages in this status.
    pub status: Option<String>,
    /// Only `sms`, `email` or `letter`.
    pub template_type: Option<String>,
    /// The page after this notification id (Notify pages newest first).
    pub older_than: Option<String>,
}

/// One page of `GET /v2/notifications`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationPage {
    /// Newest first.
    pub notifications: Vec<Notification>,
    /// The id to pass as `older_than` for the next page, if there is one.
    pub next_older_than: Option<String>,
}

/// A client for one Notify API key.
#[derive(Clone)]
pub struct NotifyClient {
    key: ApiKey,
    base_url: String,
    agent: Agent,
}

impl std::fmt::Debug for NotifyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyClient")
            .field("key", &self.key)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn is_loopback_url(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn build_agent(base_url: &str, connect: Duration, overall: Duration) -> Agent {
    let mut config = Agent::config_builder()
        .user_agent(USER_AGENT)
        .timeout_connect(Some(connect))
        .timeout_global(Some(overall))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false);
    if is_loopback_url(base_url) {
        config = config.proxy(None);
    }
    Agent::new_with_config(config.build())
}

/// Percent-encode one path segment (ids are UUIDs, but a caller's mistake
/// must not turn into a request for some other path).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn now_unix() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

fn transport(e: ureq::Error) -> NotifyError {
    match e {
        ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::InvalidProxyUrl => {
            NotifyError::Config(e.to_string())
        }
        ureq::Error::Timeout(t) => NotifyError::Transport(format!("timed out ({t})")),
        other => NotifyError::Transport(other.to_string()),
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ApiErrorItem>,
}

#[derive(Deserialize)]
struct TemplateRef {
    id: String,
    version: u32,
    #[serde(default)]
    uri: String,
}

#[derive(Deserialize)]
struct SentBody {
    id: String,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    uri: String,
    template: TemplateRef,
    #[serde(default)]
    content: Map<String, Value>,
}

#[derive(Deserialize)]
struct NotificationBody {
    id: String,
    #[serde(default)]
    reference: Option<String>,
    #[serde(rename = "type")]
    notification_type: NotificationType,
    status: DeliveryStatus,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    email_address: Option<String>,
    #[serde(default)]
    line_1: Option<String>,
    #[serde(default)]
    line_2: Option<String>,
    #[serde(default)]
    line_3: Option<String>,
    #[serde(default)]
    line_4: Option<String>,
    #[serde(default)]
    line_5: Option<String>,
    #[serde(default)]
    line_6: Option<String>,
    #[serde(default)]
    postcode: Option<String>,
    template: TemplateRef,
    #[serde(default)]
    body: String,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    sent_at: Option<String>,
    #[serde(default)]
    completed_at: Option<String>,
}

impl From<NotificationBody> for Notification {
    fn from(b: NotificationBody) -> Self {
        let address_lines = [b.line_1, b.line_2, b.line_3, b.line_4, b.line_5, b.line_6]
            .into_iter()
            .flatten()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let time = |s: Option<String>| s.as_deref().and_then(parse_notify_time);
        Notification {
            id: b.id,
            reference: b.reference,
            notification_type: b.notification_type,
            status: b.status,
            phone_number: b.phone_number,
            email_address: b.email_address,
            address_lines,
            postcode: b.postcode,
            template_id: b.template.id,
            template_version: b.template.version,
            body: b.body,
            subject: b.subject,
            created_at: time(b.created_at),
            sent_at: time(b.sent_at),
            completed_at: time(b.completed_at),
        }
    }
}

#[derive(Deserialize)]
struct PageBody {
    notifications: Vec<NotificationBody>,
    #[serde(default)]
    links: Map<String, Value>,
}

/// The last UUID-shaped piece of a `links.next` URL's `older_than`.
fn older_than_from_link(link: &str) -> Option<String> {
    let (_, query) = link.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "older_than" && !v.is_empty()).then(|| v.to_string())
    })
}

impl NotifyClient {
    /// A client for `api_key` talking to `base_url` (no trailing path; a
    /// trailing `/` is fine). The key is checked here, before any request.
    pub fn new(api_key: &str, base_url: &str) -> Result<NotifyClient, NotifyError> {
        let key = ApiKey::parse(api_key)?;
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(NotifyError::Config(format!(
                "the base URL must start with https:// (or http:// for a local stand-in): {base_url:?}"
            )));
        }
        let agent = build_agent(&base_url, CONNECT_TIMEOUT, OVERALL_TIMEOUT);
        Ok(NotifyClient {
            key,
            base_url,
            agent,
        })
    }

    /// A client for Notify's production API.
    pub fn with_default_url(api_key: &str) -> Result<NotifyClient, NotifyError> {
        NotifyClient::new(api_key, DEFAULT_BASE_URL)
    }

    /// Replace the default timeouts (connect 10 s, whole request 30 s).
    pub fn with_timeouts(mut self, connect: Duration, overall: Duration) -> NotifyClient {
        self.agent = build_agent(&self.base_url, connect, overall);
        self
    }

    /// The service the key belongs to.
    pub fn service_id(&self) -> &str {
        self.key.service_id()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Send a text message: `POST /v2/notifications/sms`.
    pub fn send_sms(
        &self,
        phone_number: &str,
        template_id: &str,
        personalisation: &BTreeMap<String, String>,
        reference: Option<&str>,
    ) -> Result<Sent, NotifyError> {
        let mut body = json!({"phone_number": phone_number, "template_id": template_id});
        add_optional(&mut body, personalisation, reference);
        self.post_notification("sms", &body)
    }

    /// Send an email: `POST /v2/notifications/email`.
    pub fn send_email(
        &self,
        email_address: &str,
        template_id: &str,
        personalisation: &BTreeMap<String, String>,
        reference: Option<&str>,
    ) -> Result<Sent, NotifyError> {
        let mut body = json!({"email_address": email_address, "template_id": template_id});
        add_optional(&mut body, personalisation, reference);
        self.post_notification("email", &body)
    }

    /// Send a letter: `POST /v2/notifications/letter`. The address goes in
    /// `personalisation` as `address_line_1` to `address_line_7` (at least
    /// three lines, the last a UK postcode), beside the template's own fields.
    pub fn send_letter(
        &self,
        template_id: &str,
        personalisation: &BTreeMap<String, String>,
        reference: Option<&str>,
    ) -> Result<Sent, NotifyError> {
        let mut body = json!({"template_id": template_id, "personalisation": personalisation});
        if let (Some(r), Some(map)) = (reference, body.as_object_mut()) {
            map.insert("reference".into(), Value::String(r.to_string()));
        }
        self.post_notification("letter", &body)
    }

    /// One message's status: `GET /v2/notifications/{id}`.
    pub fn get_notification(&self, id: &str) -> Result<Notification, NotifyError> {
        let path = format!("/v2/notifications/{}", encode_segment(id));
        let (status, text) = self.call("GET", &path, &[], None)?;
        let body: NotificationBody = parse_success(status, &text)?;
        Ok(body.into())
    }

    /// A page of messages, newest first: `GET /v2/notifications`.
    pub fn list_notifications(&self, filter: &ListFilter) -> Result<NotificationPage, NotifyError> {
        let mut query: Vec<(&str, &str)> = Vec::new();
        if let Some(v) = &filter.reference {
            query.push(("reference", v));
        }
        if let Some(v) = &filter.status {
            query.push(("status", v));
        }
        if let Some(v) = &filter.template_type {
            query.push(("template_type", v));
        }
        if let Some(v) = &filter.older_than {
            query.push(("older_than", v));
        }
        let (status, text) = self.call("GET", "/v2/notifications", &query, None)?;
        let page: PageBody = parse_success(status, &text)?;
        let next_older_than = page
            .links
            .get("next")
            .and_then(Value::as_str)
            .and_then(older_than_from_link);
        Ok(NotificationPage {
            notifications: page
                .notifications
                .into_iter()
                .map(Notification::from)
                .collect(),
            next_older_than,
        })
    }

    fn post_notification(&self, kind: &str, body: &Value) -> Result<Sent, NotifyError> {
        let bytes = serde_json::to_vec(body).map_err(|e| NotifyError::Config(e.to_string()))?;
        let (status, text) = self.call(
            "POST",
            &format!("/v2/notifications/{kind}"),
            &[],
            Some(bytes),
        )?;
        let sent: SentBody = parse_success(status, &text)?;
        let content = |k: &str| {
            sent.content
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Ok(Sent {
            body: content("body").unwrap_or_default(),
            subject: content("subject"),
            from_number: content("from_number"),
            from_email: content("from_email"),
            id: sent.id,
            reference: sent.reference,
            uri: sent.uri,
            template_id: sent.template.id,
            template_version: sent.template.version,
            template_uri: sent.template.uri,
        })
    }

    /// One request; returns the status and body of any answer, 2xx or not,
    /// turning non-2xx into [`NotifyError::Api`].
    fn call(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<(u16, String), NotifyError> {
        let url = format!("{}{}", self.base_url, path);
        let token = create_token(self.key.service_id(), self.key.secret(), now_unix());
        let auth = format!("Bearer {token}");
        let result = match body {
            Some(bytes) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .query_pairs(query.iter().copied())
                .send(&bytes[..]),
            None if method == "GET" => self
                .agent
                .get(&url)
                .header("Authorization", &auth)
                .query_pairs(query.iter().copied())
                .call(),
            None => return Err(NotifyError::Config(format!("unsupported method {method}"))),
        };
        let mut response = result.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = response.body_mut().read_to_vec().map_err(transport)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if (200..300).contains(&status) {
            return Ok((status, text));
        }
        let errors = serde_json::from_str::<ErrorBody>(&text)
            .map(|b| b.errors)
            .unwrap_or_default();
        Err(NotifyError::Api {
            status_code: status,
            errors,
            retry_after,
        })
    }
}

fn add_optional(
    body: &mut Value,
    personalisation: &BTreeMap<String, String>,
    reference: Option<&str>,
) {
    if let Some(map) = body.as_object_mut() {
        // Notify's own clients leave an empty personalisation out.
        if !personalisation.is_empty() {
            map.insert("personalisation".into(), json!(personalisation));
        }
        if let Some(r) = reference {
            map.insert("reference".into(), Value::String(r.to_string()));
        }
    }
}

fn parse_success<T: for<'de> Deserialize<'de>>(status: u16, text: &str) -> Result<T, NotifyError> {
    serde_json::from_str(text).map_err(|e| NotifyError::InvalidResponse {
        status_code: status,
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        for yes in [
            "http://127.0.0.1:8080",
            "http://localhost/",
            "http://[::1]:9/x",
            "http://127.5.6.7",
        ] {
            assert!(is_loopback_url(yes), "{yes}");
        }
        for no in [
            DEFAULT_BASE_URL,
            "http://10.0.0.1",
            "http://127.0.0.1.example.com",
            "http://user@evil",
        ] {
            assert!(!is_loopback_url(no), "{no}");
        }
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_segment("740e5834-3a29"), "740e5834-3a29");
        assert_eq!(encode_segment("../templates?x"), "..%2Ftemplates%3Fx");
    }

    #[test]
    fn next_link_gives_older_than() {
        assert_eq!(
            older_than_from_link("https://x/v2/notifications?template_type=sms&older_than=abc-123")
                .as_deref(),
            Some("abc-123")
        );
        assert_eq!(older_than_from_link("https://x/v2/notifications"), None);
    }

    #[test]
    fn a_bad_base_url_is_refused() {
        let key = "k-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";
        assert!(matches!(
            NotifyClient::new(key, "ftp://x"),
            Err(NotifyError::Config(_))
        ));
        let c = NotifyClient::new(key, "http://127.0.0.1:1/").unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:1");
        assert!(!format!("{c:?}").contains("3d844edf"));
    }
}
