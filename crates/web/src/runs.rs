//! The monthly run as staff see it: the administrators' Runs page (each
//! `upstream run`, its steps, counts, warnings and failure), and the notice
//! on a team's pages when the latest run failed, so nobody mistakes last
//! month's list for this month's.

use crate::auth::{CurrentUser, Refused};
use crate::casework_data::{PipelineRun, PipelineStep};
use crate::layout::Layout;
use crate::pages::render;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use upstream_core::Role;

/// Runs shown on the page.
const SHOWN: i64 = 20;

struct StepView {
    title: String,
    status: &'static str,
    tag: &'static str,
    summary: String,
    warnings: Vec<String>,
    failure: Option<String>,
}

struct RunView {
    id: i64,
    started: String,
    took: String,
    status: &'static str,
    tag: &'static str,
    /// Why it failed, or what it took over from.
    note: Option<String>,
    steps: Vec<StepView>,
}

#[derive(Template)]
#[template(path = "admin_runs.html")]
struct RunsPage {
    layout: Layout,
    runs: Vec<RunView>,
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y at %H:%M UTC").to_string()
}

fn took(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> String {
    let Some(to) = to else {
        return "not finished".into();
    };
    let s = (to - from).num_seconds().max(0);
    match s {
        0..=59 => format!("{s} seconds"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// A status in words, and its GOV.UK tag colour.
fn status(s: &str) -> (&'static str, &'static str) {
    match s {
        "finished" => ("Finished", "govuk-tag--green"),
        "done" => ("Done", "govuk-tag--green"),
        "skipped" => ("Already up to date", "govuk-tag--grey"),
        "attention" => ("Needs attention", "govuk-tag--yellow"),
        "failed" => ("Failed", "govuk-tag--red"),
        "interrupted" => ("Interrupted", "govuk-tag--orange"),
        "refused" => ("Not started: another run was going", "govuk-tag--grey"),
        "running" => ("Running", "govuk-tag--blue"),
        _ => ("Unknown", "govuk-tag--grey"),
    }
}

fn step_title(step: &str) -> String {
    match step {
        "register" => "Register a simulated town's files",
        "ingest" => "Read new extracts",
        "link" => "Link records into people and households",
        "assess" => "Assess every household",
        "lists" => "Make each team's weekly list",
        other => other,
    }
    .to_string()
}

fn step_view(s: &PipelineStep) -> StepView {
    let (label, tag) = status(&s.status);
    StepView {
        title: step_title(&s.step),
        status: label,
        tag,
        summary: s.summary.clone(),
        warnings: serde_json::from_str(&s.warnings).unwrap_or_default(),
        failure: s.failure.clone(),
    }
}

fn run_view(r: &PipelineRun) -> RunView {
    let (label, tag) = status(&r.status);
    let note = match (&r.failure, r.resumes) {
        (Some(f), _) => Some(f.clone()),
        (None, Some(p)) => Some(format!(
            "Went on from run {p}, which had stopped without finishing."
        )),
        (None, None) => None,
    };
    RunView {
        id: r.id,
        started: when(r.started_at),
        took: took(r.started_at, r.finished_at),
        status: label,
        tag,
        note,
        steps: r.steps.iter().map(step_view).collect(),
    }
}

/// `GET /admin/runs`: the latest monthly runs and their steps.
pub(crate) async fn runs(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let runs = state.casework.pipeline_runs(SHOWN).await?;
    let page = RunsPage {
        layout: Layout::new(&state, Some(&user)).await.at("/admin/runs"),
        runs: runs.iter().map(run_view).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// What a team's pages say when the latest monthly run failed.
pub(crate) struct RunNotice {
    pub heading: String,
    pub text: String,
}

/// The notice for the latest run, if it failed. A page that cannot read the
/// runs still shows the list: the notice is a courtesy, not the content.
pub(crate) async fn failed_run_notice(state: &AppState) -> Option<RunNotice> {
    let runs = match state.casework.pipeline_runs(1).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!("could not read the monthly runs for the notice: {}", e.0);
            return None;
        }
    };
    let latest = runs.first().filter(|r| r.status == "failed")?;
    let step = latest
        .steps
        .iter()
        .find(|s| s.status == "failed")
        .map_or_else(
            || "a step".to_string(),
            |s| format!("\u{201c}{}\u{201d}", step_title(&s.step).to_lowercase()),
        );
    Some(RunNotice {
        heading: "This month's update did not finish".into(),
        text: format!(
            "The monthly run of {} stopped at {step}. The list and risk scores here are from the last run that finished. Your administrators can see what happened on the Runs page.",
            when(latest.started_at)
        ),
    })
}
