//! The real client against the stand-in, over HTTP on 127.0.0.1.
//!
//! Each test starts its own runtime, stand-in and (where callbacks are
//! involved) a tiny axum receiver playing our web app. Nothing here talks to
//! anything but loopback.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use axum::Router;
use tokio::runtime::Runtime;
use upstream_notify::stand_in::{
    CallbackOutcome, CallbackTarget, StandIn, StandInConfig, StandInTemplate,
};
use upstream_notify::{
    bearer_matches, is_opt_out, parse_delivery_receipt, parse_received_text, with_retries, ApiKey,
    Backoff, DeliveryStatus, ListFilter, NotificationType, NotifyClient, NotifyError, Pacer,
    SendFailure,
};

const SMS_TEMPLATE: &str = "11111111-1111-4111-8111-111111111111";
const EMAIL_TEMPLATE: &str = "22222222-2222-4222-8222-222222222222";
const LETTER_TEMPLATE: &str = "33333333-3333-4333-8333-333333333333";
const RECEIPT_TOKEN: &str = "receipts-token-0123456789abcdef";
const INBOUND_TOKEN: &str = "inbound-token-0123456789abcdef";

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn templates() -> Vec<StandInTemplate> {
    vec![
        StandInTemplate::new(
            SMS_TEMPLATE,
            NotificationType::Sms,
            None,
            "Hello ((name)), your support worker will call on ((day)).",
        ),
        StandInTemplate::new(
            EMAIL_TEMPLATE,
            NotificationType::Email,
            Some("About your ((topic))"),
            "Dear ((name)),\n\nWe would like to talk about your ((topic)).",
        ),
        StandInTemplate::new(
            LETTER_TEMPLATE,
            NotificationType::Letter,
            Some("Help with your rent"),
            "Dear ((name)), we can help.",
        ),
    ]
}

fn config() -> StandInConfig {
    StandInConfig {
        templates: templates(),
        seed: Some(42),
        ..StandInConfig::default()
    }
}

fn start(config: StandInConfig) -> (Runtime, StandIn, NotifyClient) {
    let rt = runtime();
    let stand_in = rt
        .block_on(StandIn::start(config))
        .expect("stand-in starts");
    let client = NotifyClient::new(&stand_in.api_key(), &stand_in.base_url()).expect("client");
    (rt, stand_in, client)
}

fn p(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn address(lines: &[&str]) -> BTreeMap<String, String> {
    let mut m = p(&[("name", "Sam")]);
    for (i, l) in lines.iter().enumerate() {
        m.insert(format!("address_line_{}", i + 1), l.to_string());
    }
    m
}

fn first_message(e: &NotifyError) -> String {
    e.errors()
        .first()
        .map(|x| format!("{}: {}", x.error, x.message))
        .unwrap_or_default()
}

fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

/// A callback as our receiver saw it.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    authorization: Option<String>,
    body: Vec<u8>,
    answered: u16,
}

type Inbox = Arc<Mutex<Vec<Hit>>>;

async fn hook(State(inbox): State<Inbox>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let expected = if uri.path() == "/notify/receipts" {
        RECEIPT_TOKEN
    } else {
        INBOUND_TOKEN
    };
    let answer = if bearer_matches(authorization.as_deref(), expected) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::UNAUTHORIZED
    };
    inbox.lock().expect("inbox").push(Hit {
        path: uri.path().to_string(),
        authorization,
        body: body.to_vec(),
        answered: answer.as_u16(),
    });
    answer
}

/// Our web app's callback endpoints, in miniature.
fn start_receiver(rt: &Runtime) -> (SocketAddr, Inbox) {
    let inbox: Inbox = Arc::default();
    let app = Router::new()
        .route("/notify/receipts", post(hook))
        .route("/notify/inbound", post(hook))
        .with_state(inbox.clone());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("receiver binds");
    let addr = listener.local_addr().expect("receiver addr");
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, inbox)
}

fn callbacks_to(addr: SocketAddr, receipt_token: &str) -> StandInConfig {
    StandInConfig {
        delivery_callback: Some(CallbackTarget {
            url: format!("http://{addr}/notify/receipts"),
            bearer_token: receipt_token.into(),
        }),
        received_text_callback: Some(CallbackTarget {
            url: format!("http://{addr}/notify/inbound"),
            bearer_token: INBOUND_TOKEN.into(),
        }),
        ..config()
    }
}

#[test]
fn sends_each_kind_and_reads_it_back() {
    let (_rt, stand_in, client) = start(config());

    let sms = client
        .send_sms(
            "07700 900123",
            SMS_TEMPLATE,
            &p(&[("name", "Sam"), ("day", "Monday")]),
            Some("case-1-sms"),
        )
        .expect("sms accepted");
    assert_eq!(sms.reference.as_deref(), Some("case-1-sms"));
    assert_eq!(sms.template_id, SMS_TEMPLATE);
    assert_eq!(sms.template_version, 1);
    assert_eq!(
        sms.body,
        "Hello Sam, your support worker will call on Monday."
    );
    assert_eq!(sms.from_number.as_deref(), Some("UPSTREAM"));
    assert!(sms.uri.ends_with(&format!("/v2/notifications/{}", sms.id)));

    let email = client
        .send_email(
            "sam@example.org",
            EMAIL_TEMPLATE,
            &p(&[("name", "Sam"), ("topic", "rent")]),
            Some("case-1-email"),
        )
        .expect("email accepted");
    assert_eq!(email.subject.as_deref(), Some("About your rent"));
    assert!(email.from_email.is_some());

    let letter = client
        .send_letter(
            LETTER_TEMPLATE,
            &address(&["Sam Smith", "1 High Street", "Leeds", "LS1 4AP"]),
            Some("case-1-letter"),
        )
        .expect("letter accepted");
    assert_eq!(letter.body, "Dear Sam, we can help.");

    let got = client.get_notification(&sms.id).expect("sms status");
    assert_eq!(got.notification_type, NotificationType::Sms);
    assert_eq!(got.status, DeliveryStatus::Created);
    assert_eq!(got.phone_number.as_deref(), Some("07700 900123"));
    assert_eq!(got.reference.as_deref(), Some("case-1-sms"));
    assert!(got.created_at.is_some());

    let got = client.get_notification(&letter.id).expect("letter status");
    assert_eq!(got.status, DeliveryStatus::Accepted);
    assert_eq!(
        got.address_lines,
        vec!["Sam Smith", "1 High Street", "Leeds"]
    );
    assert_eq!(got.postcode.as_deref(), Some("LS1 4AP"));

    let accepted = stand_in.accepted();
    assert_eq!(accepted.len(), 3);
    for reference in ["case-1-sms", "case-1-email", "case-1-letter"] {
        let n = accepted
            .iter()
            .filter(|r| r.reference.as_deref() == Some(reference))
            .count();
        assert_eq!(n, 1, "{reference} sent exactly once");
    }
    let sms_seen = &accepted[0];
    assert_eq!(sms_seen.recipient.as_deref(), Some("07700 900123"));
    assert_eq!(
        sms_seen.personalisation.get("day").map(String::as_str),
        Some("Monday")
    );
    assert_eq!(
        sms_seen.service_id.as_deref(),
        Some(stand_in.service_id().as_str())
    );
}

#[test]
fn a_badly_shaped_key_is_refused_before_any_request() {
    let (_rt, stand_in, _client) = start(config());
    let good = stand_in.api_key();
    for bad in [
        "",
        "not-a-key",
        &good[..good.len() - 1],
        &good.replace('-', "_"),
    ] {
        let err = NotifyClient::new(bad, &stand_in.base_url()).expect_err("refused");
        assert!(matches!(err, NotifyError::InvalidKey(_)), "{err:?}");
        assert!(!err.is_retryable());
        let secret = &good[good.len() - 36..];
        assert!(
            !err.to_string().contains(secret),
            "message leaks the secret"
        );
    }
    assert!(
        stand_in.received().is_empty(),
        "nothing reached the stand-in"
    );
}

#[test]
fn a_wrong_secret_is_a_permanent_auth_error() {
    let (_rt, stand_in, client) = start(config());
    let wrong = ApiKey::from_parts(
        "live",
        &stand_in.service_id(),
        "0f0f0f0f-1234-4abc-8def-000000000000",
    )
    .expect("key")
    .expose();
    let impostor = NotifyClient::new(&wrong, &stand_in.base_url()).expect("client");
    let err = impostor
        .send_sms(
            "07700900123",
            SMS_TEMPLATE,
            &p(&[("name", "A"), ("day", "B")]),
            Some("r"),
        )
        .expect_err("refused");
    assert_eq!(err.status_code(), Some(403));
    assert_eq!(
        first_message(&err),
        "AuthError: Invalid token: API key not found"
    );
    assert!(!err.is_retryable());

    let other_service = ApiKey::from_parts(
        "live",
        "99999999-9999-4999-8999-999999999999",
        "0f0f0f0f-1234-4abc-8def-000000000000",
    )
    .expect("key")
    .expose();
    let stranger = NotifyClient::new(&other_service, &stand_in.base_url()).expect("client");
    let err = stranger
        .get_notification("99999999-9999-4999-8999-999999999999")
        .expect_err("refused");
    assert_eq!(
        first_message(&err),
        "AuthError: Invalid token: service not found"
    );

    // The right key still works, so the refusals above are about the key.
    assert!(client
        .send_sms(
            "07700900123",
            SMS_TEMPLATE,
            &p(&[("name", "A"), ("day", "B")]),
            None
        )
        .is_ok());
    assert_eq!(stand_in.accepted().len(), 1);
}

#[test]
fn a_clock_more_than_30_seconds_out_is_refused() {
    for (offset, accepted) in [(40, false), (-40, false), (20, true), (-20, true)] {
        let (_rt, _stand_in, client) = start(StandInConfig {
            clock_offset_secs: offset,
            ..config()
        });
        let out = client.send_sms(
            "07700900123",
            SMS_TEMPLATE,
            &p(&[("name", "A"), ("day", "B")]),
            None,
        );
        match (out, accepted) {
            (Ok(_), true) => {}
            (Err(e), false) => {
                assert_eq!(
                    first_message(&e),
                    "AuthError: Error: Your system clock must be accurate to within 30 seconds"
                );
                assert!(!e.is_retryable());
            }
            (other, _) => panic!("offset {offset}: unexpected {other:?}"),
        }
    }
}

#[test]
fn validation_failures_are_permanent_with_notifys_messages() {
    let (_rt, stand_in, client) = start(config());
    let ok = p(&[("name", "Sam"), ("day", "Monday")]);
    let cases: Vec<(Result<_, NotifyError>, &str)> = vec![
        (
            client.send_sms("01709 510122", SMS_TEMPLATE, &ok, None),
            "ValidationError: phone_number Not a UK mobile number",
        ),
        (
            client.send_sms("0770090012", SMS_TEMPLATE, &ok, None),
            "ValidationError: phone_number Not enough digits",
        ),
        (
            client.send_email(
                "not-an-email",
                EMAIL_TEMPLATE,
                &p(&[("name", "A"), ("topic", "B")]),
                None,
            ),
            "ValidationError: email_address Not a valid email address",
        ),
        (
            client.send_sms("07700900123", SMS_TEMPLATE, &p(&[("day", "Monday")]), None),
            "BadRequestError: Missing personalisation: name",
        ),
        (
            client.send_sms(
                "07700900123",
                "44444444-4444-4444-8444-444444444444",
                &ok,
                None,
            ),
            "BadRequestError: Template not found",
        ),
        (
            client.send_sms("07700900123", EMAIL_TEMPLATE, &ok, None),
            "BadRequestError: email template is not suitable for sms notification",
        ),
        (
            client.send_sms("07700900123", "", &ok, None),
            "ValidationError: template_id is not a valid UUID",
        ),
        (
            client.send_letter(LETTER_TEMPLATE, &address(&["Sam Smith", "LS1 4AP"]), None),
            "ValidationError: Address must be at least 3 lines",
        ),
        (
            client.send_letter(
                LETTER_TEMPLATE,
                &address(&["Sam Smith", "1 High Street", "Leeds"]),
                None,
            ),
            "ValidationError: Must be a real UK postcode",
        ),
        (
            client.send_letter(LETTER_TEMPLATE, &p(&[("name", "Sam")]), None),
            "ValidationError: personalisation address_line_1 is a required property",
        ),
    ];
    for (out, expected) in cases {
        let err = out.expect_err(expected);
        assert_eq!(err.status_code(), Some(400), "{expected}");
        assert_eq!(first_message(&err), expected);
        assert!(!err.is_retryable(), "{expected}");
    }
    let err = client
        .get_notification("99999999-9999-4999-8999-999999999999")
        .expect_err("404");
    assert_eq!(err.status_code(), Some(404));
    assert_eq!(first_message(&err), "NoResultFound: No result found");
    assert!(!err.is_retryable());
    assert!(stand_in.accepted().is_empty());
    assert_eq!(stand_in.received().len(), 10);
}

#[test]
fn the_rate_limit_answers_429_which_is_retryable() {
    let second_key = ApiKey::from_parts(
        "second",
        "55555555-5555-4555-8555-555555555555",
        "66666666-6666-4666-8666-666666666666",
    )
    .expect("key");
    let first_key = ApiKey::from_parts(
        "first",
        "77777777-7777-4777-8777-777777777777",
        "88888888-8888-4888-8888-888888888888",
    )
    .expect("key");
    let (_rt, stand_in, client) = start(StandInConfig {
        rate_limit: 3,
        rate_window: Duration::from_secs(60),
        keys: vec![first_key, second_key.clone()],
        ..config()
    });
    let ok = p(&[("name", "Sam"), ("day", "Monday")]);
    for i in 0..3 {
        client
            .send_sms("07700900123", SMS_TEMPLATE, &ok, Some(&format!("r{i}")))
            .expect("within the limit");
    }
    let err = client
        .send_sms("07700900123", SMS_TEMPLATE, &ok, Some("r3"))
        .expect_err("over the limit");
    assert_eq!(err.status_code(), Some(429));
    assert_eq!(
        first_message(&err),
        "RateLimitError: Exceeded rate limit for key type LIVE of 3 requests per 60 seconds"
    );
    assert!(err.is_retryable());
    // The limit is per key: another key is unaffected.
    let other = NotifyClient::new(&second_key.expose(), &stand_in.base_url()).expect("client");
    other
        .send_sms("07700900123", SMS_TEMPLATE, &ok, Some("other"))
        .expect("other key within its limit");
    assert_eq!(stand_in.accepted().len(), 4);
}

#[test]
fn the_pacer_keeps_a_sender_under_the_stand_ins_limit() {
    let (_rt, stand_in, client) = start(StandInConfig {
        rate_limit: 4,
        rate_window: Duration::from_millis(1_500),
        ..config()
    });
    let ok = p(&[("name", "Sam"), ("day", "Monday")]);
    // Unpaced: the fifth request inside the window is refused.
    let unpaced: Vec<bool> = (0..5)
        .map(|i| {
            client
                .send_sms("07700900123", SMS_TEMPLATE, &ok, Some(&format!("u{i}")))
                .is_ok()
        })
        .collect();
    assert_eq!(unpaced, vec![true, true, true, true, false]);
    std::thread::sleep(Duration::from_millis(1_600));

    // Paced to the same limit, with a window a little longer than the
    // server's so network latency cannot bunch arrivals into one window.
    let mut pacer = Pacer::new(4, Duration::from_secs(2));
    let origin = Instant::now();
    for i in 0..8 {
        std::thread::sleep(pacer.wait(origin.elapsed()));
        pacer.record(origin.elapsed());
        client
            .send_sms("07700900123", SMS_TEMPLATE, &ok, Some(&format!("p{i}")))
            .expect("paced sends are never rate limited");
    }
    assert!(
        origin.elapsed() >= Duration::from_secs(2),
        "the pacer did make it wait"
    );
    assert_eq!(stand_in.accepted().len(), 12);
}

#[test]
fn server_errors_are_retryable_and_retries_send_exactly_once() {
    let (_rt, stand_in, client) = start(config());
    let ok = p(&[("name", "Sam"), ("day", "Monday")]);

    stand_in.fail_next(1, 503);
    let err = client
        .send_sms("07700900123", SMS_TEMPLATE, &ok, Some("x"))
        .expect_err("503");
    assert_eq!(err.status_code(), Some(503));
    assert!(
        err.errors().is_empty(),
        "a plain-text 503 has no Notify errors"
    );
    assert!(err.is_retryable());

    stand_in.fail_next(1, 500);
    let err = client
        .send_sms("07700900123", SMS_TEMPLATE, &ok, Some("x"))
        .expect_err("500");
    assert_eq!(first_message(&err), "Exception: Internal server error");
    assert!(err.is_retryable());

    let backoff = Backoff {
        base: Duration::from_millis(5),
        cap: Duration::from_millis(50),
        max_attempts: 4,
    };
    stand_in.fail_next(2, 500);
    let mut waits = Vec::new();
    let sent = with_retries(
        &backoff,
        || 0.5,
        |d| {
            waits.push(d);
            std::thread::sleep(d);
        },
        |_| client.send_sms("07700900123", SMS_TEMPLATE, &ok, Some("case-7")),
    )
    .expect("third attempt succeeds");
    assert_eq!(waits.len(), 2);
    assert_eq!(sent.reference.as_deref(), Some("case-7"));
    let tries: Vec<u16> = stand_in
        .received()
        .iter()
        .filter(|r| r.reference.as_deref() == Some("case-7"))
        .map(|r| r.status_code)
        .collect();
    assert_eq!(tries, vec![500, 500, 201]);

    stand_in.fail_next(10, 500);
    let out = with_retries(
        &backoff,
        || 0.0,
        |_| {},
        |_| client.send_sms("07700900123", SMS_TEMPLATE, &ok, Some("case-8")),
    );
    assert!(
        matches!(out, Err(SendFailure::GaveUp { attempts: 4, .. })),
        "{out:?}"
    );

    stand_in.fail_next(0, 500);
    let out = with_retries(
        &backoff,
        || 0.0,
        |_| {},
        |_| client.send_sms("01709510122", SMS_TEMPLATE, &ok, Some("case-9")),
    );
    assert!(
        matches!(out, Err(SendFailure::Permanent { attempts: 1, .. })),
        "{out:?}"
    );
    let accepted_refs: Vec<String> = stand_in
        .accepted()
        .iter()
        .filter_map(|r| r.reference.clone())
        .collect();
    assert_eq!(accepted_refs, vec!["case-7"]);
}

#[test]
fn timeouts_and_refused_connections_are_retryable() {
    let (_rt, stand_in, client) = start(config());
    let ok = p(&[("name", "Sam"), ("day", "Monday")]);
    stand_in.set_response_delay(Duration::from_millis(1_500));
    let impatient = client
        .clone()
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(500));
    let err = impatient
        .send_sms("07700900123", SMS_TEMPLATE, &ok, None)
        .expect_err("timed out");
    assert!(matches!(err, NotifyError::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
    stand_in.set_response_delay(Duration::ZERO);

    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let nobody = NotifyClient::new(&stand_in.api_key(), &format!("http://127.0.0.1:{port}"))
        .expect("client");
    let err = nobody
        .send_sms("07700900123", SMS_TEMPLATE, &ok, None)
        .expect_err("refused");
    assert!(matches!(err, NotifyError::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[test]
fn a_delivery_receipt_reaches_our_receiver_with_the_bearer_token() {
    let rt = runtime();
    let (addr, inbox) = start_receiver(&rt);
    let stand_in = rt
        .block_on(StandIn::start(callbacks_to(addr, RECEIPT_TOKEN)))
        .expect("stand-in");
    let client = NotifyClient::new(&stand_in.api_key(), &stand_in.base_url()).expect("client");
    let sent = client
        .send_sms(
            "07700900123",
            SMS_TEMPLATE,
            &p(&[("name", "Sam"), ("day", "Monday")]),
            Some("case-3"),
        )
        .expect("sent");

    let outcome = rt
        .block_on(stand_in.deliver(&sent.id, DeliveryStatus::Delivered))
        .expect("known id");
    assert_eq!(outcome, CallbackOutcome::Posted { status: 204 });
    let hits = inbox.lock().expect("inbox").clone();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].path, "/notify/receipts");
    assert_eq!(
        hits[0].authorization.as_deref(),
        Some(format!("Bearer {RECEIPT_TOKEN}").as_str())
    );
    let receipt = parse_delivery_receipt(&hits[0].body).expect("a receipt we can read");
    assert_eq!(receipt.id, sent.id);
    assert_eq!(receipt.reference.as_deref(), Some("case-3"));
    assert_eq!(receipt.to, "07700900123");
    assert_eq!(receipt.status, DeliveryStatus::Delivered);
    assert_eq!(receipt.notification_type, NotificationType::Sms);
    assert_eq!(receipt.template_id, SMS_TEMPLATE);
    assert_eq!(receipt.template_version, 1);
    assert!(receipt.completed_at.is_some() && receipt.sent_at.is_some());

    let now = client.get_notification(&sent.id).expect("status");
    assert_eq!(now.status, DeliveryStatus::Delivered);
    assert!(now.completed_at.is_some());

    // Letters change status but get no receipt, as with Notify.
    let letter = client
        .send_letter(
            LETTER_TEMPLATE,
            &address(&["Sam Smith", "1 High Street", "LS1 4AP"]),
            None,
        )
        .expect("letter");
    let outcome = rt
        .block_on(stand_in.deliver(&letter.id, DeliveryStatus::Received))
        .expect("known id");
    assert_eq!(outcome, CallbackOutcome::NotApplicable);
    assert_eq!(
        stand_in.status_of(&letter.id),
        Some(DeliveryStatus::Received)
    );
    assert_eq!(inbox.lock().expect("inbox").len(), 1);

    assert!(rt
        .block_on(stand_in.deliver("not-an-id", DeliveryStatus::Delivered))
        .is_err());
    rt.block_on(stand_in.shutdown());
}

#[test]
fn our_receiver_refuses_a_receipt_with_the_wrong_token() {
    let rt = runtime();
    let (addr, inbox) = start_receiver(&rt);
    let stand_in = rt
        .block_on(StandIn::start(callbacks_to(
            addr,
            "some-other-token-0123456789",
        )))
        .expect("stand-in");
    let client = NotifyClient::new(&stand_in.api_key(), &stand_in.base_url()).expect("client");
    let sent = client
        .send_sms(
            "07700900123",
            SMS_TEMPLATE,
            &p(&[("name", "Sam"), ("day", "Monday")]),
            None,
        )
        .expect("sent");
    let outcome = rt
        .block_on(stand_in.deliver(&sent.id, DeliveryStatus::Delivered))
        .expect("known id");
    assert_eq!(outcome, CallbackOutcome::Posted { status: 401 });
    assert_eq!(inbox.lock().expect("inbox")[0].answered, 401);
    assert_eq!(stand_in.callbacks().len(), 1);
}

#[test]
fn auto_delivery_uses_notifys_test_numbers_and_skips_smoke_tests() {
    let rt = runtime();
    let (addr, inbox) = start_receiver(&rt);
    let stand_in = rt
        .block_on(StandIn::start(StandInConfig {
            auto_deliver: Some(Duration::from_millis(50)),
            ..callbacks_to(addr, RECEIPT_TOKEN)
        }))
        .expect("stand-in");
    let client = NotifyClient::new(&stand_in.api_key(), &stand_in.base_url()).expect("client");
    let ok = p(&[("name", "Sam"), ("day", "Monday")]);
    let good = client
        .send_sms("07700900123", SMS_TEMPLATE, &ok, Some("good"))
        .expect("sent");
    let perm = client
        .send_sms("07700900002", SMS_TEMPLATE, &ok, Some("perm"))
        .expect("sent");
    let temp = client
        .send_email(
            "temp-fail@simulator.notify",
            EMAIL_TEMPLATE,
            &p(&[("name", "A"), ("topic", "B")]),
            Some("temp"),
        )
        .expect("sent");
    let smoke = client
        .send_sms("07700900111", SMS_TEMPLATE, &ok, Some("smoke"))
        .expect("smoke accepted");

    assert!(wait_until(Duration::from_secs(5), || inbox
        .lock()
        .map(|h| h.len() >= 3)
        .unwrap_or(false)));
    std::thread::sleep(Duration::from_millis(200));
    let hits = inbox.lock().expect("inbox").clone();
    assert_eq!(hits.len(), 3, "no receipt for the smoke test");
    let status_of = |id: &str| {
        hits.iter()
            .filter_map(|h| parse_delivery_receipt(&h.body).ok())
            .find(|r| r.id == id)
            .map(|r| r.status)
    };
    assert_eq!(status_of(&good.id), Some(DeliveryStatus::Delivered));
    assert_eq!(status_of(&perm.id), Some(DeliveryStatus::PermanentFailure));
    assert_eq!(status_of(&temp.id), Some(DeliveryStatus::TemporaryFailure));
    assert_eq!(status_of(&smoke.id), None);
    let err = client
        .get_notification(&smoke.id)
        .expect_err("smoke tests are not stored");
    assert_eq!(err.status_code(), Some(404));
    assert!(stand_in.accepted().iter().any(|r| r.smoke_test));
}

#[test]
fn a_received_text_reaches_our_receiver() {
    let rt = runtime();
    let (addr, inbox) = start_receiver(&rt);
    let stand_in = rt
        .block_on(StandIn::start(callbacks_to(addr, RECEIPT_TOKEN)))
        .expect("stand-in");
    let (id, outcome) = rt.block_on(stand_in.receive_text("447700900123", " Stop "));
    assert_eq!(outcome, CallbackOutcome::Posted { status: 204 });
    let (_, outcome) =
        rt.block_on(stand_in.receive_text("447700900123", "Can we move my visit to Tuesday?"));
    assert_eq!(outcome, CallbackOutcome::Posted { status: 204 });
    let hits = inbox.lock().expect("inbox").clone();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].path, "/notify/inbound");
    assert_eq!(
        hits[0].authorization.as_deref(),
        Some(format!("Bearer {INBOUND_TOKEN}").as_str())
    );
    let text = parse_received_text(&hits[0].body).expect("a text we can read");
    assert_eq!(text.id, id);
    assert_eq!(text.source_number, "447700900123");
    assert_eq!(text.destination_number, "07700900999");
    assert!(is_opt_out(&text.message));
    let second = parse_received_text(&hits[1].body).expect("a text we can read");
    assert!(!is_opt_out(&second.message));
}

#[test]
fn listing_by_reference_finds_what_was_sent_and_keys_see_only_their_service() {
    let other = ApiKey::from_parts(
        "other",
        "abcdefab-cdef-4abc-8def-abcdefabcdef",
        "12121212-3434-4565-8787-909090909090",
    )
    .expect("key");
    let mine = ApiKey::from_parts(
        "mine",
        "fedcbafe-dcba-4fed-8cba-fedcbafedcba",
        "34343434-5656-4787-8989-010101010101",
    )
    .expect("key");
    let (_rt, stand_in, _) = start(StandInConfig {
        keys: vec![mine.clone(), other.clone()],
        ..config()
    });
    let client = NotifyClient::new(&mine.expose(), &stand_in.base_url()).expect("client");
    let theirs = NotifyClient::new(&other.expose(), &stand_in.base_url()).expect("client");
    let ok = p(&[("name", "Sam"), ("day", "Monday")]);
    for i in 0..3 {
        client
            .send_sms("07700900123", SMS_TEMPLATE, &ok, Some(&format!("ref-{i}")))
            .expect("sent");
    }
    let email = client
        .send_email(
            "sam@example.org",
            EMAIL_TEMPLATE,
            &p(&[("name", "A"), ("topic", "B")]),
            Some("ref-1"),
        )
        .expect("sent");

    let page = client
        .list_notifications(&ListFilter {
            reference: Some("ref-1".into()),
            ..ListFilter::default()
        })
        .expect("list");
    assert_eq!(page.notifications.len(), 2);
    assert_eq!(page.notifications[0].id, email.id, "newest first");
    assert_eq!(page.next_older_than, None);
    let sms_only = client
        .list_notifications(&ListFilter {
            template_type: Some("sms".into()),
            ..ListFilter::default()
        })
        .expect("list");
    assert_eq!(sms_only.notifications.len(), 3);

    let err = theirs
        .get_notification(&email.id)
        .expect_err("another service's message");
    assert_eq!(err.status_code(), Some(404));
    assert!(theirs
        .list_notifications(&ListFilter::default())
        .expect("list")
        .notifications
        .is_empty());
}
