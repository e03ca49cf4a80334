//! Referrals in: the form staff and partner workers fill in, the JSON API
//! partner systems send to, the team's queue, and accepting (opening a case)
//! or declining one.
//!
//! - Every referral lands as `direction = in`, status `new`, in one team's
//!   queue. A partner's referral comes from their organisation; a member of
//!   staff says who told them (police, a school, a worried neighbour, ...).
//! - The form and the API check the same rules ([`check`]) and list every
//!   problem at once.
//! - What is made or changed is recorded in the audit log first; if that
//!   fails, nothing is made or changed. Viewing a referral is recorded too.
//! - The API (`POST /api/referrals`) is outside the session gate: it carries
//!   no cookies, so no CSRF token; a partner's API key says who is sending.

use crate::access::AuditRecord;
use crate::auth::{audit_view, household_visible, record, CurrentUser, Refused};
use crate::casework_data::{NewCase, NewReferral, ReferralFilter, ReferralRow, Team};
use crate::household::{has_member, is_postcode};
use crate::layout::Layout;
use crate::pages::render;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeMap;
use upstream_core::{AuditAction, Role};

/// The largest request body the API reads.
pub(crate) const API_BODY_LIMIT: usize = 64 * 1024;

/// Who can tell staff about a resident they are worried about: `(code,
/// label)`. The label is kept as the referral's `from_organisation`, so a
/// partner organisation may not take one of these names (the command line
/// refuses it): a partner sees the households it referred.
pub const REFERRER_KINDS: &[(&str, &str)] = &[
    ("police", "Police"),
    ("fire", "Fire and rescue service"),
    ("school", "School or college"),
    ("health", "GP, health visitor or another health service"),
    ("street_scene", "Street scene or another council service"),
    ("housing", "Housing association or landlord"),
    ("voluntary", "Charity or community group"),
    ("neighbour", "A worried neighbour, friend or relative"),
    ("self", "The resident themselves"),
    ("other", "Someone else"),
];

const NAME_MAX: usize = 200;
const ADDRESS_MAX: usize = 500;
const CONTACT_MAX: usize = 300;
const REASON_MAX: usize = 5000;

/// One problem with one field: `field` is the field's name (and the id the
/// error summary links to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field,
        message: message.into(),
    }
}

/// A referral as typed or sent, before it is checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    pub(crate) subject_name: String,
    pub(crate) subject_dob: Option<NaiveDate>,
    pub(crate) subject_address: String,
    pub(crate) subject_postcode: String,
    pub(crate) subject_phone: String,
    pub(crate) reason: String,
    pub(crate) urgent: bool,
    pub(crate) resident_agreed: Option<bool>,
    pub(crate) team: String,
    pub(crate) referrer_name: String,
    pub(crate) referrer_contact: String,
}

/// "b11aa" → "B1 1AA"; `None` if it does not have a UK postcode's shape.
pub(crate) fn tidy_postcode(s: &str) -> Option<String> {
    let squashed: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !is_postcode(&squashed) {
        return None;
    }
    let (outward, inward) = squashed.split_at(squashed.len() - 3);
    Some(format!("{outward} {inward}"))
}

fn phone_ok(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (10..=15).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-'))
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// Every problem with a draft, in form order (`dob_problems` first come
/// from reading the date, which differs between the form and the API).
pub(crate) fn check(
    d: &Draft,
    teams: &[Team],
    today: NaiveDate,
    dob_problems: Vec<Problem>,
    referrer_name_needed: bool,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if referrer_name_needed && d.referrer_name.trim().is_empty() {
        out.push(problem(
            "referrer_name",
            "Enter the name of the person making the referral",
        ));
    } else if too_long(&d.referrer_name, NAME_MAX) {
        out.push(problem(
            "referrer_name",
            format!("Name must be {NAME_MAX} characters or fewer"),
        ));
    }
    if too_long(&d.referrer_contact, CONTACT_MAX) {
        out.push(problem(
            "referrer_contact",
            format!("Contact details must be {CONTACT_MAX} characters or fewer"),
        ));
    }
    if d.subject_name.trim().is_empty() {
        out.push(problem("subject_name", "Enter the resident's full name"));
    } else if too_long(&d.subject_name, NAME_MAX) {
        out.push(problem(
            "subject_name",
            format!("Full name must be {NAME_MAX} characters or fewer"),
        ));
    }
    out.extend(dob_problems);
    if let Some(dob) = d.subject_dob {
        if dob > today {
            out.push(problem("subject_dob", "Date of birth must be in the past"));
        } else if dob.year() < 1900 {
            out.push(problem(
                "subject_dob",
                "Date of birth must be after 1 January 1900",
            ));
        }
    }
    if d.subject_address.trim().is_empty() {
        out.push(problem("subject_address", "Enter the resident's address"));
    } else if too_long(&d.subject_address, ADDRESS_MAX) {
        out.push(problem(
            "subject_address",
            format!("Address must be {ADDRESS_MAX} characters or fewer"),
        ));
    }
    if d.subject_postcode.trim().is_empty() {
        out.push(problem("subject_postcode", "Enter the resident's postcode"));
    } else if tidy_postcode(&d.subject_postcode).is_none() {
        out.push(problem(
            "subject_postcode",
            "Enter a real postcode, like B1 1AA",
        ));
    }
    if !d.subject_phone.trim().is_empty() && !phone_ok(d.subject_phone.trim()) {
        out.push(problem(
            "subject_phone",
            "Enter a phone number, like 01632 960 001 or 07700 900 982",
        ));
    }
    if d.reason.trim().is_empty() {
        out.push(problem(
            "reason",
            "Enter what is happening and why you are worried",
        ));
    } else if too_long(&d.reason, REASON_MAX) {
        out.push(problem(
            "reason",
            "What is happening must be 5,000 characters or fewer",
        ));
    }
    if d.resident_agreed.is_none() {
        out.push(problem(
            "resident_agreed",
            "Select yes if the resident knows about this referral and agrees to it",
        ));
    }
    if !teams.iter().any(|t| t.name == d.team) {
        out.push(problem("team", "Select the team to send this referral to"));
    }
    out
}

/// The referral to keep, once [`check`] found nothing wrong.
fn to_new(d: &Draft, from: String, created_by: Option<i64>) -> NewReferral {
    NewReferral {
        direction: "in".into(),
        team: Some(d.team.clone()),
        case_id: None,
        household_id: None,
        consent_id: None,
        from_organisation: from,
        to_organisation: d.team.clone(),
        referrer_name: d.referrer_name.trim().to_string(),
        referrer_contact: d.referrer_contact.trim().to_string(),
        created_by,
        subject_name: d.subject_name.trim().to_string(),
        subject_dob: d.subject_dob,
        subject_address: d.subject_address.trim().to_string(),
        subject_postcode: tidy_postcode(&d.subject_postcode).unwrap_or_default(),
        subject_phone: d.subject_phone.trim().to_string(),
        reason: d.reason.trim().to_string(),
        urgent: d.urgent,
        resident_agreed: d.resident_agreed.unwrap_or(false),
    }
}

fn creation_detail(n: &NewReferral) -> serde_json::Value {
    serde_json::json!({
        "team": n.team,
        "from_organisation": n.from_organisation,
        "urgent": n.urgent,
    })
}

// ---- the form -------------------------------------------------------------

/// What the form sends; everything as typed, so it can be shown again.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReferralForm {
    #[serde(default)]
    referrer_kind: String,
    #[serde(default)]
    referrer_name: String,
    #[serde(default)]
    referrer_contact: String,
    #[serde(default)]
    subject_name: String,
    #[serde(default, rename = "subject_dob-day")]
    dob_day: String,
    #[serde(default, rename = "subject_dob-month")]
    dob_month: String,
    #[serde(default, rename = "subject_dob-year")]
    dob_year: String,
    #[serde(default)]
    subject_address: String,
    #[serde(default)]
    subject_postcode: String,
    #[serde(default)]
    subject_phone: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    urgent: Option<String>,
    #[serde(default)]
    resident_agreed: String,
    #[serde(default)]
    team: String,
}

/// A GOV.UK date input's three boxes: the date, or what is wrong with it
/// (nothing typed is no date and no problem: the date of birth is optional).
fn form_date(day: &str, month: &str, year: &str) -> Result<Option<NaiveDate>, Problem> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Ok(None);
    }
    let missing: Vec<&str> = [("day", d), ("month", m), ("year", y)]
        .into_iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(n, _)| n)
        .collect();
    if !missing.is_empty() {
        return Err(problem(
            "subject_dob",
            format!("Date of birth must include a {}", missing.join(" and ")),
        ));
    }
    if y.len() != 4 {
        return Err(problem("subject_dob", "Year must include 4 numbers"));
    }
    let parsed = (|| NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))();
    parsed
        .map(Some)
        .ok_or_else(|| problem("subject_dob", "Date of birth must be a real date"))
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "referral_new.html")]
struct ReferralFormPage {
    layout: Layout,
    /// A partner worker: the referral comes from their organisation.
    organisation: Option<String>,
    /// The partner worker's name, who the referral is from.
    partner_name: String,
    errors: Vec<Problem>,
    kinds: Vec<Choice>,
    teams: Vec<Choice>,
    form: ReferralForm,
}

impl ReferralFormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.as_str())
    }

    /// The error summary links to the first box of a date and the first radio.
    /// The error summary's lines: (field to jump to, message).
    fn summary(&self) -> Vec<(String, &str)> {
        self.errors
            .iter()
            .map(|p| (self.anchor(p.field), p.message.as_str()))
            .collect()
    }

    fn anchor(&self, field: &str) -> String {
        match field {
            "subject_dob" => "subject_dob-day".to_string(),
            f => f.to_string(),
        }
    }
}

fn may_refer(user: &CurrentUser) -> Result<(), Refused> {
    user.require_role(&[Role::Connector, Role::TeamLeader, Role::PartnerWorker])
}

/// A partner worker's organisation; a partner account without one may not refer.
fn partner_org(user: &CurrentUser) -> Result<Option<String>, Refused> {
    if user.role() != Role::PartnerWorker {
        return Ok(None);
    }
    match user.account.organisation.as_deref().map(str::trim) {
        Some(org) if !org.is_empty() => Ok(Some(org.to_string())),
        _ => Err(Refused::Forbidden),
    }
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    form: ReferralForm,
    errors: Vec<Problem>,
) -> Result<ReferralFormPage, Refused> {
    let teams = state.casework.teams().await?;
    let chosen = if form.team.is_empty() {
        teams.first().map(|t| t.name.clone()).unwrap_or_default()
    } else {
        form.team.clone()
    };
    Ok(ReferralFormPage {
        layout: Layout::new(state, Some(user)).await.at("/referrals/new"),
        organisation: partner_org(user)?,
        partner_name: user.account.display_name.clone(),
        kinds: REFERRER_KINDS
            .iter()
            .map(|(code, label)| Choice {
                value: code.to_string(),
                label: label.to_string(),
                selected: form.referrer_kind == *code,
            })
            .collect(),
        teams: teams
            .iter()
            .map(|t| Choice {
                value: t.name.clone(),
                label: t.name.clone(),
                selected: t.name == chosen,
            })
            .collect(),
        errors,
        form,
    })
}

/// `GET /referrals/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    may_refer(&user)?;
    let page = form_page(&state, &user, ReferralForm::default(), Vec::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /referrals/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<Form<ReferralForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, Refused> {
    may_refer(&user)?;
    let organisation = partner_org(&user)?;
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let teams = state.casework.teams().await?;
    let today = state.today();
    let (dob, dob_problems) = match form_date(&form.dob_day, &form.dob_month, &form.dob_year) {
        Ok(d) => (d, Vec::new()),
        Err(p) => (None, vec![p]),
    };
    let draft = Draft {
        subject_name: form.subject_name.clone(),
        subject_dob: dob,
        subject_address: form.subject_address.clone(),
        subject_postcode: form.subject_postcode.clone(),
        subject_phone: form.subject_phone.clone(),
        reason: form.reason.clone(),
        urgent: form.urgent.is_some(),
        resident_agreed: match form.resident_agreed.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        team: form.team.clone(),
        referrer_name: match &organisation {
            Some(_) => user.account.display_name.clone(),
            None => form.referrer_name.clone(),
        },
        referrer_contact: form.referrer_contact.clone(),
    };
    let kind = REFERRER_KINDS
        .iter()
        .find(|(code, _)| *code == form.referrer_kind);
    let mut problems = Vec::new();
    if organisation.is_none() && kind.is_none() {
        problems.push(problem("referrer_kind", "Select who made the referral"));
    }
    problems.extend(check(
        &draft,
        &teams,
        today,
        dob_problems,
        organisation.is_none(),
    ));
    if !problems.is_empty() {
        let page = form_page(&state, &user, form, problems).await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let from = match (organisation, kind) {
        (Some(org), _) => org,
        (None, Some((_, label))) => label.to_string(),
        (None, None) => return Err(Refused::Unavailable),
    };
    let new = to_new(&draft, from, Some(user.account.id));
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "referral",
            "new",
            "referral made",
            creation_detail(&new),
        ),
    )
    .await?;
    let id = state.casework.add_referral(new).await?;
    Ok(Redirect::to(&format!("/referrals/sent?number={id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SentQuery {
    #[serde(default)]
    number: String,
}

#[derive(Template)]
#[template(path = "referral_sent.html")]
struct SentPage {
    layout: Layout,
    number: i64,
    partner: bool,
}

/// `GET /referrals/sent?number=N`: the confirmation, with the reference number.
pub(crate) async fn sent(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SentQuery>,
) -> Result<Response, Refused> {
    may_refer(&user)?;
    let number: i64 = q.number.parse().map_err(|_| Refused::NotFound)?;
    let page = SentPage {
        layout: Layout::new(&state, Some(&user)).await.at("/referrals/new"),
        number,
        partner: user.role() == Role::PartnerWorker,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---- the API --------------------------------------------------------------

fn json_error(status: StatusCode, message: &str) -> Response {
    let mut r = (status, Json(serde_json::json!({ "error": message }))).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.trim().split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty() && key.len() <= 512).then_some(key)
}

/// A text field of the API's JSON: absent or null is empty; anything but
/// text is a problem.
fn json_text(
    body: &serde_json::Map<String, serde_json::Value>,
    field: &'static str,
    problems: &mut Vec<Problem>,
) -> String {
    match body.get(field) {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => {
            problems.push(problem(field, format!("{field} must be text")));
            String::new()
        }
    }
}

fn json_bool(
    body: &serde_json::Map<String, serde_json::Value>,
    field: &'static str,
    problems: &mut Vec<Problem>,
) -> Option<bool> {
    match body.get(field) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Bool(b)) => Some(*b),
        Some(_) => {
            problems.push(problem(field, format!("{field} must be true or false")));
            None
        }
    }
}

/// `POST /api/referrals`: a partner system sends a referral in, with its
/// API key as `Authorization: Bearer <key>`.
pub(crate) async fn api_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(key) = bearer(&headers) else {
        let mut r = json_error(
            StatusCode::UNAUTHORIZED,
            "send your organisation's API key as Authorization: Bearer <key>",
        );
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    };
    let org = match state
        .casework
        .organisation_of_api_key(key.to_string())
        .await
    {
        Ok(Some(org)) => org,
        Ok(None) => {
            let mut r = json_error(
                StatusCode::UNAUTHORIZED,
                "that API key is not known or has been revoked",
            );
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            return r;
        }
        Err(e) => {
            tracing::error!("checking an API key failed: {e}");
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the service is not available; try again later",
            );
        }
    };
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body must be 64 KiB or smaller",
            );
        }
        Err(_) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            )
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return json_error(StatusCode::BAD_REQUEST, "the body must be a JSON object"),
    };
    let Some(obj) = value.as_object() else {
        return json_error(StatusCode::BAD_REQUEST, "the body must be a JSON object");
    };
    let teams = match state.casework.teams().await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("reading the teams failed: {e}");
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the service is not available; try again later",
            );
        }
    };
    let mut problems = Vec::new();
    let referrer_name = json_text(obj, "referrer_name", &mut problems);
    let referrer_contact = json_text(obj, "referrer_contact", &mut problems);
    let subject_name = json_text(obj, "subject_name", &mut problems);
    let dob_text = json_text(obj, "subject_dob", &mut problems);
    let subject_address = json_text(obj, "subject_address", &mut problems);
    let subject_postcode = json_text(obj, "subject_postcode", &mut problems);
    let subject_phone = json_text(obj, "subject_phone", &mut problems);
    let reason = json_text(obj, "reason", &mut problems);
    let urgent = json_bool(obj, "urgent", &mut problems).unwrap_or(false);
    let resident_agreed = json_bool(obj, "resident_agreed", &mut problems);
    let team = json_text(obj, "team", &mut problems);
    let mut dob_problems = Vec::new();
    let subject_dob = if dob_text.trim().is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(dob_text.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                dob_problems.push(problem(
                    "subject_dob",
                    "subject_dob must be a real date, written YYYY-MM-DD",
                ));
                None
            }
        }
    };
    // A field already reported as the wrong type is not reported again.
    let typed: Vec<&'static str> = problems.iter().map(|p| p.field).collect();
    let draft = Draft {
        subject_name,
        subject_dob,
        subject_address,
        subject_postcode,
        subject_phone,
        reason,
        urgent,
        resident_agreed,
        team,
        referrer_name,
        referrer_contact,
    };
    let today = state.today();
    problems.extend(
        check(&draft, &teams, today, dob_problems, true)
            .into_iter()
            .filter(|p| !typed.contains(&p.field)),
    );
    if !problems.is_empty() {
        let errors: Vec<serde_json::Value> = problems
            .iter()
            .map(|p| serde_json::json!({ "field": p.field, "message": p.message }))
            .collect();
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({ "errors": errors })),
        )
            .into_response();
    }
    let new = to_new(&draft, org.clone(), None);
    let entry = AuditRecord {
        user_id: None,
        // Usernames are kept in lower case, so the audit search finds it.
        username: format!("api:{}", org.to_lowercase()),
        action: AuditAction::Create,
        subject_kind: "referral".into(),
        subject_id: "new".into(),
        purpose: "referral sent by API".into(),
        detail: creation_detail(&new),
    };
    if let Err(e) = state.accounts.record(&entry).await {
        tracing::error!("could not write the audit log: {e}");
        return json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the service is not available; try again later",
        );
    }
    match state.casework.add_referral(new).await {
        Ok(id) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "id": id, "status": "new" })),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("keeping a referral failed: {e}");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the service is not available; try again later",
            )
        }
    }
}

// ---- the queue and one referral ---------------------------------------------

fn when(r: &ReferralRow) -> String {
    r.received_at.format("%-d %B %Y at %H:%M").to_string()
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Who sent it: "Police: PC Amir Khan".
fn who_referred(r: &ReferralRow) -> String {
    match (r.from_organisation.trim(), r.referrer_name.trim()) {
        (org, "") => org.to_string(),
        ("", name) => name.to_string(),
        (org, name) => format!("{org}: {name}"),
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "new" => "New",
        "accepted" => "Accepted",
        "declined" => "Declined",
        _ => "Unknown",
    }
}

struct QueueRow {
    id: i64,
    urgent: bool,
    who: String,
    subject: String,
    reason: String,
    received: String,
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct QueuePage {
    layout: Layout,
    team: Option<String>,
    /// Team leaders may look at another team's queue.
    teams: Vec<Choice>,
    rows: Vec<QueueRow>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    #[serde(default)]
    team: String,
}

fn staff_only(user: &CurrentUser) -> Result<(), Refused> {
    match user.role() {
        Role::Connector | Role::TeamLeader => Ok(()),
        _ => Err(Refused::NotFound),
    }
}

/// `GET /referrals`: new referrals in for the user's team, urgent first.
pub(crate) async fn queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<QueueQuery>,
) -> Result<Response, Refused> {
    staff_only(&user)?;
    let teams = state.casework.teams().await?;
    let own = user.account.team.clone();
    let team = if user.role() == Role::TeamLeader {
        let asked = q.team.trim();
        if !asked.is_empty() && teams.iter().any(|t| t.name == asked) {
            Some(asked.to_string())
        } else {
            own.or_else(|| teams.first().map(|t| t.name.clone()))
        }
    } else {
        own
    };
    let mut rows = Vec::new();
    if let Some(team) = &team {
        let found = state
            .casework
            .referrals(ReferralFilter {
                direction: Some("in".into()),
                team: Some(team.clone()),
                status: Some("new".into()),
                ..ReferralFilter::default()
            })
            .await?;
        let ids: Vec<i64> = found.iter().map(|r| r.id).collect();
        record(
            &state,
            &user.audit(
                AuditAction::View,
                "referral_queue",
                team.clone(),
                "referral queue",
                serde_json::json!({ "referrals": ids }),
            ),
        )
        .await?;
        // Urgent first, then oldest first (the store's order, kept stable).
        let mut found = found;
        found.sort_by_key(|r| !r.urgent);
        rows = found
            .iter()
            .map(|r| QueueRow {
                id: r.id,
                urgent: r.urgent,
                who: who_referred(r),
                subject: r.subject_name.clone(),
                reason: r.reason.clone(),
                received: when(r),
            })
            .collect();
    }
    let page = QueuePage {
        layout: Layout::new(&state, Some(&user)).await.at("/referrals"),
        teams: if user.role() == Role::TeamLeader {
            teams
                .iter()
                .map(|t| Choice {
                    value: t.name.clone(),
                    label: t.name.clone(),
                    selected: Some(&t.name) == team.as_ref(),
                })
                .collect()
        } else {
            Vec::new()
        },
        team,
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    layout: Layout,
    r: ReferralRow,
    who: String,
    received: String,
    dob: String,
    status: &'static str,
    search_link: String,
    /// The case opened from it, when accepted.
    case_id: Option<i64>,
    household_id: String,
    note: String,
    errors: Vec<Problem>,
    /// Households a member of which may be the referred person, best first.
    suggestions: Vec<Suggestion>,
}

/// A household that may be the referred person's, and why we think so.
pub(crate) struct Suggestion {
    household_id: i64,
    label: String,
    person: String,
    why: &'static str,
}

impl ReferralPage {
    /// What was typed as a household number, when it was not a suggestion picked.
    fn typed_number(&self) -> &str {
        let picked = self
            .suggestions
            .iter()
            .any(|s| s.household_id.to_string() == self.household_id);
        if picked || self.household_id == "other" || self.household_id == "new" {
            ""
        } else {
            &self.household_id
        }
    }

    /// The error summary's lines: (field to jump to, message).
    fn summary(&self) -> Vec<(&'static str, &str)> {
        self.errors
            .iter()
            .map(|p| (p.field, p.message.as_str()))
            .collect()
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.as_str())
    }
}

/// Percent-encode a query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn referral_in(state: &AppState, id: &str) -> Result<ReferralRow, Refused> {
    let id: i64 = id.parse().map_err(|_| Refused::NotFound)?;
    state
        .casework
        .referral(id)
        .await?
        .filter(|r| r.direction == "in")
        .ok_or(Refused::NotFound)
}

/// At most this many households are suggested: the worker should recognise
/// the right one among a few, not scroll a list.
const SUGGESTED: usize = 5;

/// The current households whose members best match the referred person.
/// A referrer may mistype a date of birth or give an old postcode, so each
/// of name with date of birth, name with postcode and name alone is asked,
/// and the households that match on more come first. Only a member's name
/// is ever required (acceptance still checks name and date of birth).
async fn suggestions(state: &AppState, r: &ReferralRow) -> Result<Vec<Suggestion>, Refused> {
    use crate::household::{candidate_query, parse_query, rank};
    let name = r.subject_name.trim();
    if name.is_empty() {
        return Ok(Vec::new());
    }
    let dob = r.subject_dob.map(|d| d.format("%d/%m/%Y").to_string());
    let postcode = tidy_postcode(&r.subject_postcode);
    let mut queries = Vec::new();
    if let Some(d) = &dob {
        queries.push(format!("{name} {d}"));
    }
    if let Some(p) = &postcode {
        queries.push(format!("{name} {p}"));
    }
    queries.push(name.to_string());
    // person → (date of birth matches, postcode matches, name score, name)
    let mut people: BTreeMap<i64, (bool, bool, f64, String)> = BTreeMap::new();
    for q in &queries {
        let parsed = parse_query(q);
        let candidates = state
            .source
            .person_candidates(&candidate_query(&parsed))
            .await?;
        for found in rank(&parsed, &candidates) {
            let e = people.entry(found.person_id).or_insert((
                false,
                false,
                found.score,
                found.name.clone(),
            ));
            e.0 |= r.subject_dob.is_some() && found.dob == r.subject_dob;
            // `rank` keeps only people with the postcode when the query has one.
            e.1 |= parsed.postcode.is_some();
            e.2 = e.2.max(found.score);
        }
    }
    let ids: Vec<i64> = people.keys().copied().collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut out: Vec<(u8, f64, Suggestion)> = Vec::new();
    for h in state.source.households_of(&ids).await? {
        // Current homes only: a referral is about where someone lives now.
        if !h.current || !seen.insert(h.household_id) {
            continue;
        }
        let Some((dob_match, postcode_match, score, person)) = people.get(&h.person_id) else {
            continue;
        };
        let (strength, why) = match (dob_match, postcode_match) {
            (true, true) => (3, "Same name, date of birth and postcode"),
            (true, false) => (2, "Same name and date of birth"),
            (false, true) => (1, "Same name and postcode"),
            (false, false) => (0, "A similar name only"),
        };
        out.push((
            strength,
            *score,
            Suggestion {
                household_id: h.household_id,
                label: [h.address.as_deref(), h.postcode.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                person: person.clone(),
                why,
            },
        ));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
    Ok(out.into_iter().take(SUGGESTED).map(|(_, _, s)| s).collect())
}

async fn referral_page(
    state: &AppState,
    user: &CurrentUser,
    r: ReferralRow,
    household_id: String,
    note: String,
    errors: Vec<Problem>,
) -> Result<ReferralPage, Refused> {
    let suggestions = if r.status == "new" {
        suggestions(state, &r).await?
    } else {
        Vec::new()
    };
    let case_id = match (r.status.as_str(), r.household_id) {
        ("accepted", Some(h)) => state
            .casework
            .cases_of_household(h)
            .await?
            .into_iter()
            .find(|c| c.referral_id == Some(r.id))
            .map(|c| c.id),
        _ => None,
    };
    Ok(ReferralPage {
        layout: Layout::new(state, Some(user)).await.at("/referrals"),
        who: who_referred(&r),
        received: when(&r),
        dob: r.subject_dob.map(day).unwrap_or_default(),
        status: status_label(&r.status),
        search_link: format!("/search?q={}", encode(&r.subject_name)),
        case_id,
        household_id,
        note,
        errors,
        suggestions,
        r,
    })
}

/// `GET /referrals/{id}`: one referral in, and (while new) the decision forms.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    staff_only(&user)?;
    let r = referral_in(&state, &id).await?;
    audit_view(&state, &user, "referral", r.id.to_string(), "referral page").await?;
    let page = referral_page(&state, &user, r, String::new(), String::new(), Vec::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AcceptForm {
    /// A suggested household's number, or `other` for the one typed below.
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    household_number: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DeclineForm {
    #[serde(default)]
    note: String,
}

fn back_to(id: i64) -> Response {
    Redirect::to(&format!("/referrals/{id}")).into_response()
}

/// `POST /referrals/{id}/accept`: link the household and open a case.
pub(crate) async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: Result<Form<AcceptForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, Refused> {
    staff_only(&user)?;
    let r = referral_in(&state, &id).await?;
    if r.status != "new" {
        return Ok(back_to(r.id));
    }
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let today = state.today();
    if form.household_id.trim() == "new" {
        return accept_as_new_resident(state, user, r).await;
    }
    let typed = match form.household_id.trim() {
        "" | "other" => form.household_number,
        picked => picked.to_string(),
    };
    let wanted = typed.trim().trim_start_matches('#');
    let mut message = "No household has that number: search for the resident to find it";
    let household = match wanted.parse::<i64>() {
        Ok(h) if h > 0 && household_visible(&state, &user, h).await.is_ok() => {
            match state.source.household(h, today).await? {
                // The referrer will see this household: it must be the
                // referred person's, not any number typed.
                Some(detail) if has_member(&detail, &r.subject_name, r.subject_dob) => Some(h),
                Some(_) => {
                    message = "Nobody in that household has the referred person's name and date \
                               of birth: search for the resident to find their household";
                    None
                }
                None => None,
            }
        }
        _ => None,
    };
    let Some(household) = household else {
        if wanted.is_empty() {
            message = "Enter the household number";
        }
        audit_view(&state, &user, "referral", r.id.to_string(), "referral page").await?;
        let page = referral_page(
            &state,
            &user,
            r,
            typed,
            String::new(),
            vec![problem("household_id", message)],
        )
        .await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    accept_into(state, user, r, household).await
}

/// Accept a referral into `household` and open the team's case there.
async fn accept_into(
    state: AppState,
    user: CurrentUser,
    r: ReferralRow,
    household: i64,
) -> Result<Response, Refused> {
    let today = state.today();
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "referral",
            r.id.to_string(),
            "referral accepted",
            serde_json::json!({ "household_id": household }),
        ),
    )
    .await?;
    let decided = state
        .casework
        .decide_referral(r.id, true, Some(household), user.account.id, String::new())
        .await?;
    if !decided {
        // Someone else decided it first: the page shows what they decided.
        return Ok(back_to(r.id));
    }
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "household",
            household.to_string(),
            "case opened from a referral",
            serde_json::json!({ "referral_id": r.id, "team": r.team }),
        ),
    )
    .await?;
    let (case_id, _new) = state
        .casework
        .open_case(NewCase {
            household_id: household,
            team: r.team.clone(),
            connector_id: (user.role() == Role::Connector).then_some(user.account.id),
            origin: "referral".into(),
            referral_id: Some(r.id),
            nation: state.nation.as_str().into(),
            opened_by: user.account.id,
            opened_on: today,
        })
        .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
}

/// Accept a referral for someone no source system holds: record them as
/// the council's own resident (what the referral says, in a household of
/// their own at the address given) and open the case there. The next
/// linkage run compares that record with every other, so if a source does
/// hold them after all, the household joins the family's and the case follows.
async fn accept_as_new_resident(
    state: AppState,
    user: CurrentUser,
    r: ReferralRow,
) -> Result<Response, Refused> {
    let resident = upstream_store::NewResident {
        referral_id: r.id,
        record: resident_record(&r),
        today: state.today(),
    };
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "referral",
            r.id.to_string(),
            "resident recorded from a referral",
            serde_json::json!({ "source": upstream_store::COUNCIL_REFERRALS }),
        ),
    )
    .await?;
    let household = state.casework.record_new_resident(resident).await?;
    accept_into(state, user, r, household).await
}

/// The council's own record of a referred resident: what the referral says,
/// standardised as ingest standardises a source system's rows, so the next
/// linkage run compares like with like. Whatever does not standardise (an odd
/// postcode, a phone number that is not one) is left out of the record that
/// linkage reads and kept in `original`, as ingest keeps a row's text.
pub(crate) fn resident_record(r: &ReferralRow) -> upstream_store::NewSourceRecord {
    use upstream_ingest::standardise;
    let name = standardise::full_name(&r.subject_name);
    let original = serde_json::json!({
        "referral_id": r.id,
        "name": r.subject_name,
        "dob": r.subject_dob.map(|d| d.to_string()),
        "address": r.subject_address,
        "postcode": r.subject_postcode,
        "phone": r.subject_phone,
        "from": r.from_organisation,
    });
    upstream_store::NewSourceRecord {
        row_no: 1,
        record_key: format!("referral-{}", r.id),
        row_means: "person".into(),
        title: name.title,
        forename: name.forename,
        middle_names: name.middle_names,
        surname: name.surname,
        dob: r.subject_dob,
        nino: None,
        postcode: standardise::postcode(&r.subject_postcode).ok().flatten(),
        address: standardise::address(&[r.subject_address.as_str()]),
        uprn: None,
        phone: standardise::phone(&r.subject_phone).ok().flatten(),
        email: None,
        event_date: None,
        attributes: "{}".into(),
        original: original.to_string(),
    }
}

/// `POST /referrals/{id}/decline`: decline, saying why, so the referrer can be told.
pub(crate) async fn decline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: Result<Form<DeclineForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, Refused> {
    staff_only(&user)?;
    let r = referral_in(&state, &id).await?;
    if r.status != "new" {
        return Ok(back_to(r.id));
    }
    let note = form.map(|Form(f)| f.note).unwrap_or_default();
    let problem = if note.trim().is_empty() {
        Some("Enter why the referral is declined, so the referrer can be told")
    } else if too_long(&note, REASON_MAX) {
        Some("Why must be 5,000 characters or fewer")
    } else {
        None
    };
    if let Some(message) = problem {
        audit_view(&state, &user, "referral", r.id.to_string(), "referral page").await?;
        let page = referral_page(
            &state,
            &user,
            r,
            String::new(),
            note,
            vec![Problem {
                field: "note",
                message: message.into(),
            }],
        )
        .await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "referral",
            r.id.to_string(),
            "referral declined",
            serde_json::json!({}),
        ),
    )
    .await?;
    state
        .casework
        .decide_referral(r.id, false, None, user.account.id, note.trim().to_string())
        .await?;
    Ok(back_to(r.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(name: &str) -> Team {
        Team {
            name: name.into(),
            capacity: 10,
            areas: Vec::new(),
            recent_contact_days: 28,
            min_probability: 0.0,
        }
    }

    #[test]
    fn postcodes_are_tidied_and_odd_ones_refused() {
        assert_eq!(tidy_postcode(" b11aa ").as_deref(), Some("B1 1AA"));
        assert_eq!(tidy_postcode("sw1a 1aa").as_deref(), Some("SW1A 1AA"));
        assert_eq!(tidy_postcode("12345"), None);
        assert_eq!(tidy_postcode("not a postcode"), None);
    }

    #[test]
    fn dates_typed_in_three_boxes_are_read_or_explained() {
        assert_eq!(form_date("", " ", ""), Ok(None));
        assert_eq!(
            form_date("2", "3", "1980"),
            Ok(NaiveDate::from_ymd_opt(1980, 3, 2))
        );
        assert_eq!(
            form_date("31", "2", "1980").unwrap_err().message,
            "Date of birth must be a real date"
        );
        assert_eq!(
            form_date("1", "", "").unwrap_err().message,
            "Date of birth must include a month and year"
        );
        assert_eq!(
            form_date("1", "2", "80").unwrap_err().message,
            "Year must include 4 numbers"
        );
    }

    #[test]
    fn an_empty_draft_lists_every_problem_in_form_order() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let fields: Vec<_> = check(&Draft::default(), &[team("North")], today, Vec::new(), true)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "referrer_name",
                "subject_name",
                "subject_address",
                "subject_postcode",
                "reason",
                "resident_agreed",
                "team"
            ]
        );
        let good = Draft {
            subject_name: "Sam Green".into(),
            subject_dob: NaiveDate::from_ymd_opt(1990, 1, 1),
            subject_address: "1 High Street".into(),
            subject_postcode: "b1 1aa".into(),
            subject_phone: "07700 900 982".into(),
            reason: "Rent arrears".into(),
            resident_agreed: Some(true),
            team: "North".into(),
            referrer_name: "PC Khan".into(),
            ..Draft::default()
        };
        assert!(check(&good, &[team("North")], today, Vec::new(), true).is_empty());
        let future = Draft {
            subject_dob: NaiveDate::from_ymd_opt(2027, 1, 1),
            subject_phone: "call me".into(),
            ..good
        };
        let fields: Vec<_> = check(&future, &[team("North")], today, Vec::new(), true)
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["subject_dob", "subject_phone"]);
    }

    #[test]
    fn only_a_bearer_key_is_read_from_the_authorization_header() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer  k1 "),
        );
        assert_eq!(bearer(&h), Some("k1"));
    }
}
