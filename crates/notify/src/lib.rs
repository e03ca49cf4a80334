//! GOV.UK Notify: the client, and a stand-in that speaks its contract.
//!
//! Upstream reaches residents by text, email and letter through
//! [GOV.UK Notify](https://www.notifications.service.gov.uk), the government's
//! messaging service. This crate is everything that talks to it: a blocking
//! client for Notify's v2 REST API, the pacing and retry rules a sending
//! worker needs, parsers for the callbacks Notify sends back, and a local
//! stand-in server that answers exactly as Notify does, so tests and the demo
//! exercise the real client over real HTTP without leaving the machine.
//!
//! # Notify's contract, as this crate understands it
//!
//! Sources: the GOV.UK Notify technical documentation (the
//! `alphagov/notifications-tech-docs` repository: REST API, callbacks, limits,
//! API keys, testing, error tables), the official Python client
//! (`alphagov/notifications-python-client`) and the API itself
//! (`alphagov/notifications-api`, `notifications-utils`).
//!
//! * **Keys.** An API key is `{key_name}-{service_id}-{secret_key}`; the service
//!   id and secret are UUIDs and are cut from the right ([`ApiKey`]).
//! * **Authentication.** Every request carries `Authorization: Bearer <JWT>`,
//!   HS256 with the secret, claims `iss` = service id and `iat` = now in unix
//!   seconds; Notify refuses a token whose `iat` is more than 30 s from its
//!   clock ([`jwt`]).
//! * **Sending.** `POST /v2/notifications/sms` (`phone_number`), `/email`
//!   (`email_address`), `/letter` (address in `personalisation` as
//!   `address_line_1`..`address_line_7`), each with `template_id`, optional
//!   `personalisation` (placeholder values) and `reference` (ours, echoed back
//!   and in receipts). `201` answers `{id, reference, content, uri, template:
//!   {id, version, uri}}` ([`Sent`]).
//! * **Status.** `GET /v2/notifications/{id}` and `GET /v2/notifications`
//!   (filters `reference`, `status`, `template_type`, paging by `older_than`)
//!   ([`Notification`], [`DeliveryStatus`]).
//! * **Errors.** `{"status_code": n, "errors": [{"error": type, "message": text}]}`:
//!   400 `ValidationError`/`BadRequestError`, 401/403 `AuthError`, 404
//!   `NoResultFound`, 429 `RateLimitError` (3,000 requests a minute, rolling,
//!   per key type) or `TooManyRequestsError` (daily limit), 500 `Exception`.
//!   [`NotifyError::is_retryable`] sorts them: 429, 5xx and network failures
//!   are worth retrying; the rest are not.
//! * **Callbacks.** Notify POSTs delivery receipts (texts and emails) and
//!   received text messages to URLs we register, with a bearer token we choose,
//!   retrying every 5 minutes up to 5 times ([`callback`]).
//!
//! # Sending safely
//!
//! A sending worker on its own thread: wait [`Pacer::wait`], send, record;
//! on failure let [`with_retries`] / [`Backoff`] decide. Notify has no
//! idempotency key: a timeout after the request left may still have sent the
//! message, so give every message a unique `reference` and, before re-sending
//! after a timeout, look it up with [`NotifyClient::list_notifications`].
//!
//! # The stand-in ([`stand_in`])
//!
//! Started from a test or the demo on the current tokio runtime, listening on
//! 127.0.0.1 only. **It imitates:**
//!
//! * the three send endpoints, `GET /v2/notifications/{id}` and the list, with
//!   Notify's response shapes, ids (UUID v4) and URIs;
//! * authentication exactly as `notifications-api` does it, in its order and
//!   with its messages (401 for a missing or non-Bearer header; 403 for a
//!   malformed token, missing `iss`, unknown service, non-HS256, wrong secret
//!   "Invalid token: API key not found", and a clock more than 30 s out);
//!   several keys and services at once;
//! * validation in Notify's order: rate limit, JSON, schema (required and
//!   unexpected fields, UUIDs, UK mobile numbers, email addresses, collecting
//!   every schema error), template (unknown, wrong type, missing
//!   personalisation, matched case- and space-insensitively as Notify does),
//!   then the letter address (3 to 7 lines, a UK postcode last);
//! * the rate limit, 429 `RateLimitError` with Notify's message, as a rolling
//!   window per key (configurable, so tests can use a small one);
//! * Notify's documented test and smoke-test recipients: `07700900002` and
//!   `perm-fail@simulator.notify` fail permanently, `07700900003` and
//!   `temp-fail@simulator.notify` temporarily; the smoke-test numbers and
//!   `simulate-delivered*` addresses get a 201 but are not stored and get no
//!   receipt;
//! * delivery receipts and received-text callbacks, byte for byte the fields
//!   Notify sends, with the bearer token; letters get no delivery receipt;
//! * for tests: injected failures (500 with Notify's body, 429, or a
//!   load balancer's plain-text 502/503), response delays, a skewed clock,
//!   and a record of every request and callback.
//!
//! **It does not imitate:** daily sending limits (`TooManyRequestsError`);
//! key types (every key behaves as a live key; team/guest lists and trial mode
//! do not exist); international and landline numbers (refused, as for a
//! service without those permissions), `phonenumbers`' knowledge of which
//! ranges are allocated, internationalised email domains, the real list of
//! postcode areas, BFPO and overseas letters; `sms_sender_id`,
//! `email_reply_to_id`, scheduled sending, files by email, precompiled
//! letters, letter PDFs, postage choice, templates and received-text GET
//! endpoints; retrying failed callbacks; returned-letter and complaint
//! callbacks; Notify's token-bucket burst behaviour (the window is exact
//! instead). The stand-in's messages are Notify's, but Notify asks clients
//! not to depend on message text, and neither should we.

pub mod callback;
pub mod client;
pub mod error;
pub mod jwt;
pub mod key;
pub mod pacing;
pub mod stand_in;
pub mod status;

pub use callback::{
    bearer_matches, is_opt_out, parse_delivery_receipt, parse_received_text, CallbackError,
    DeliveryReceipt, ReceivedText,
};
pub use client::{
    ListFilter, Notification, NotificationPage, NotifyClient, Sent, DEFAULT_BASE_URL,
};
pub use error::{ApiErrorItem, FailureKind, NotifyError};
pub use key::ApiKey;
pub use pacing::{with_retries, Backoff, Pacer, RetryDecision, SendFailure};
pub use status::{DeliveryStatus, NotificationType};
