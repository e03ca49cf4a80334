//! Administrators' pages: search the audit log, check its hash chain, and
//! export everything held about one person (a subject access request).

use crate::access::{AuditQuery, AuditRow, ChainStatus};
use crate::auth::{record, CurrentUser, Refused};
use crate::layout::Layout;
use crate::pages::render;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use upstream_core::{AuditAction, Role};

/// Entries shown for one search.
const SHOWN: i64 = 200;

/// The search form's fields, as typed (so they can be shown again).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AuditForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject_kind: String,
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    from_day: String,
    #[serde(default)]
    from_month: String,
    #[serde(default)]
    from_year: String,
    #[serde(default)]
    to_day: String,
    #[serde(default)]
    to_month: String,
    #[serde(default)]
    to_year: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ExportForm {
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    reference: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    form: AuditForm,
    actions: Vec<ActionOption>,
    errors: Vec<(&'static str, &'static str)>,
    from_error: Option<&'static str>,
    to_error: Option<&'static str>,
    rows: Vec<RowView>,
    /// How many entries matched, in words ("3 entries", "the newest 200 entries").
    found: String,
    chain: Option<ChainView>,
    export: ExportForm,
    export_error: Option<&'static str>,
}

struct ActionOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

struct RowView {
    id: i64,
    when: String,
    who: String,
    action: &'static str,
    subject: String,
    purpose: String,
    detail: String,
}

struct ChainView {
    intact: bool,
    heading: String,
    message: String,
}

/// A GOV.UK date input's three boxes: `Ok(None)` when all are empty.
fn date_from(day: &str, month: &str, year: &str) -> Result<Option<NaiveDate>, ()> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Ok(None);
    }
    let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) else {
        return Err(());
    };
    if !(1900..=9999).contains(&y) {
        return Err(());
    }
    NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or(())
}

fn some_text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// "31 January 2025, 09:00:01 UTC" from a stored RFC 3339 time.
fn when(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%-d %B %Y, %H:%M:%S UTC")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

impl From<AuditRow> for RowView {
    fn from(r: AuditRow) -> RowView {
        RowView {
            id: r.id,
            when: when(&r.at),
            who: r.username,
            action: r.action.title(),
            subject: if r.subject_id.is_empty() {
                r.subject_kind
            } else {
                format!("{} {}", r.subject_kind, r.subject_id)
            },
            purpose: r.purpose,
            detail: readable(&r.detail),
        }
    }
}

/// An entry's detail as words: `{"due_on":"2026-03-01","to":null}` reads
/// "Due on: 2026-03-01; to: none". What is not a JSON object stays as it is.
fn readable(detail: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(detail)
    else {
        return detail.to_string();
    };
    let value = |v: &serde_json::Value| -> String {
        match v {
            serde_json::Value::Null => "none".into(),
            serde_json::Value::Bool(true) => "yes".into(),
            serde_json::Value::Bool(false) => "no".into(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        }
    };
    let text: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}: {}", k.replace('_', " "), value(v)))
        .collect();
    let joined = text.join("; ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn entries(n: usize) -> String {
    match n {
        0 => "No entries match".to_string(),
        1 => "1 entry".to_string(),
        n if n as i64 >= SHOWN => format!("The newest {SHOWN} entries"),
        n => format!("{n} entries"),
    }
}

async fn audit_page(
    state: &AppState,
    user: &CurrentUser,
    form: AuditForm,
    chain: Option<ChainView>,
    export: ExportForm,
    export_error: Option<&'static str>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let mut errors = Vec::new();
    let from = date_from(&form.from_day, &form.from_month, &form.from_year);
    let to = date_from(&form.to_day, &form.to_month, &form.to_year);
    let from_error = from
        .is_err()
        .then_some("The date from must be a real date, like 31 1 2025");
    let to_error = to
        .is_err()
        .then_some("The date to must be a real date, like 31 1 2025");
    if let Some(e) = from_error {
        errors.push(("from-day", e));
    }
    if let Some(e) = to_error {
        errors.push(("to-day", e));
    }
    if let Some(e) = export_error {
        errors.push(("person-id", e));
    }
    let action = AuditAction::parse(&form.action);
    let query = AuditQuery {
        username: some_text(&form.username),
        action,
        subject_kind: some_text(&form.subject_kind).map(|k| k.to_lowercase()),
        subject_id: some_text(&form.subject_id),
        from: from.ok().flatten(),
        to: to.ok().flatten(),
        limit: SHOWN,
    };
    let rows = if errors.is_empty() || export_error.is_some() {
        // Reading the log shows who looked at whom: that is recorded too.
        record(
            state,
            &user.audit(
                AuditAction::View,
                "audit_log",
                "",
                "audit search",
                serde_json::json!({
                    "username": query.username,
                    "action": query.action.map(|a| a.as_str()),
                    "subject_kind": query.subject_kind,
                    "subject_id": query.subject_id,
                    "from": query.from.map(|d| d.to_string()),
                    "to": query.to.map(|d| d.to_string()),
                }),
            ),
        )
        .await?;
        state.accounts.search_audit(&query).await?
    } else {
        Vec::new()
    };
    let page = AuditPage {
        layout: Layout::new(state, Some(user)).await.at("/admin/audit"),
        actions: AuditAction::ALL
            .into_iter()
            .map(|a| ActionOption {
                value: a.as_str(),
                label: a.title(),
                selected: Some(a) == action,
            })
            .collect(),
        errors,
        from_error,
        to_error,
        found: entries(rows.len()),
        rows: rows.into_iter().map(RowView::from).collect(),
        form,
        chain,
        export,
        export_error,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(render(status, &page))
}

/// GET /admin/audit: the search form and the newest entries that match.
pub(crate) async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<AuditForm>,
) -> Result<Response, Refused> {
    audit_page(&state, &user, form, None, ExportForm::default(), None).await
}

/// POST /admin/audit/verify: check every entry's hash and link.
pub(crate) async fn verify(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let chain = match state.accounts.verify_audit().await? {
        ChainStatus::Intact { entries, last_hash } => ChainView {
            intact: true,
            heading: "The audit log has not been changed".into(),
            message: format!(
                "All {entries} entries check out: each one is as it was recorded and follows the one before. \
                 To notice entries removed from the very end later, note the count and the latest hash, {last_hash}, somewhere else."
            ),
        },
        ChainStatus::Broken {
            first_bad_id,
            problem,
        } => {
            tracing::error!("the audit chain is broken at entry {first_bad_id}: {problem}");
            ChainView {
                intact: false,
                heading: format!("The audit log has been changed at entry {first_bad_id}"),
                message: format!(
                    "Entry {first_bad_id} does not check out: {problem}. Entries after it cannot be relied on. \
                     Tell your data protection officer."
                ),
            }
        }
    };
    audit_page(
        &state,
        &user,
        AuditForm::default(),
        Some(chain),
        ExportForm::default(),
        None,
    )
    .await
}

/// GET /admin/people/export?person_id=…&reference=…: the form on the audit
/// page, sent on to the export's own address.
pub(crate) async fn export_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<ExportForm>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    match form.person_id.trim().parse::<i64>() {
        Ok(id) if id > 0 => {
            let reference = form.reference.trim();
            let to = if reference.is_empty() {
                format!("/admin/people/{id}/export")
            } else {
                format!(
                    "/admin/people/{id}/export?reference={}",
                    crate::forms::percent_encode(reference)
                )
            };
            Ok(Redirect::to(&to).into_response())
        }
        _ => {
            audit_page(
                &state,
                &user,
                AuditForm::default(),
                None,
                form,
                Some("Enter the person's id, a whole number like 1234"),
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExportQuery {
    #[serde(default)]
    reference: String,
}

/// GET /admin/people/{person_id}/export: everything held about one person,
/// as a JSON download; recorded in the audit log before it is sent.
pub(crate) async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(person_id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let person_id: i64 = person_id.parse().map_err(|_| Refused::NotFound)?;
    let Some(export) = state.accounts.subject_access_export(person_id).await? else {
        return Err(Refused::NotFound);
    };
    let reference: String = q.reference.trim().chars().take(200).collect();
    record(
        &state,
        &user.audit(
            AuditAction::Export,
            "person",
            person_id.to_string(),
            "subject access request",
            serde_json::json!({ "reference": reference }),
        ),
    )
    .await?;
    let body = serde_json::to_vec_pretty(&export).map_err(|e| {
        tracing::error!("could not write an export: {e}");
        Refused::Unavailable
    })?;
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"person-{person_id}-subject-access.json\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_boxes_make_a_date_or_nothing_or_an_error() {
        assert_eq!(
            date_from("31", "1", "2025"),
            Ok(NaiveDate::from_ymd_opt(2025, 1, 31))
        );
        assert_eq!(date_from(" ", "", ""), Ok(None));
        for (d, m, y) in [
            ("31", "2", "2025"),
            ("1", "", "2025"),
            ("x", "1", "2025"),
            ("1", "1", "25"),
        ] {
            assert_eq!(date_from(d, m, y), Err(()), "{d} {m} {y}");
        }
    }

    #[test]
    fn details_read_as_words() {
        assert_eq!(readable("{}"), "");
        assert_eq!(
            readable(
                r#"{"due_on":"2026-03-01","organisations":["Citizens Advice","Food Bank"],"to":null,"urgent":true}"#
            ),
            "Due on: 2026-03-01; organisations: Citizens Advice, Food Bank; to: none; urgent: yes"
        );
        assert_eq!(readable("not json"), "not json");
    }

    #[test]
    fn times_read_as_words() {
        assert_eq!(
            when("2025-01-31T09:00:01.000000Z"),
            "31 January 2025, 09:00:01 UTC"
        );
        assert_eq!(when("not a time"), "not a time");
    }
}
