//! The analysts' start page: counts of households, cases, duties and
//! referrals, never anyone's details. A count under ten is shown as "fewer
//! than 10", as the model card and the hypothesis check do, so a small group
//! cannot point to a person.

use crate::auth::{audit_view, CurrentUser, Refused};
use crate::household::words;
use crate::layout::Layout;
use crate::pages::render;
use crate::worklist::standards;
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use upstream_assess::card::SUPPRESS_BELOW;
use upstream_core::Role;

/// Counts under this are not shown (`SUPPRESS_BELOW` from the model card).
pub(crate) const SUPPRESS: u64 = SUPPRESS_BELOW as u64;

/// A count as it may be shown.
pub(crate) fn shown(n: i64) -> String {
    if n > 0 && n < SUPPRESS_BELOW as i64 {
        format!("fewer than {SUPPRESS_BELOW}")
    } else {
        n.to_string()
    }
}

struct Table {
    caption: &'static str,
    what: &'static str,
    rows: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    layout: Layout,
    assessed_on: String,
    households: String,
    in_crisis: String,
    tables: Vec<Table>,
}

/// `/` for an analyst.
pub(crate) async fn start(state: &AppState, user: &CurrentUser) -> Result<Response, Refused> {
    user.require_role(&[Role::Analyst])?;
    let f = state.casework.figures().await?;
    audit_view(state, user, "figures", "", "analysts' figures").await?;
    let s = standards();
    let rows = |pairs: Vec<(String, i64)>, label: &dyn Fn(&str) -> String| {
        pairs
            .into_iter()
            .map(|(k, n)| (label(&k), shown(n)))
            .collect::<Vec<_>>()
    };
    let persona = |k: &str| {
        upstream_assess::personas::Persona::parse(k)
            .map_or_else(|| words(k), |p| p.title().to_string())
    };
    let team = |k: &str| {
        if k.is_empty() {
            "No team".to_string()
        } else {
            k.to_string()
        }
    };
    let reason = |k: &str| {
        s.closure_reason(k)
            .map_or_else(|| words(k), |c| c.label.clone())
    };
    let status = |k: &str| words(k);
    let duty = |k: &str| {
        upstream_casework::DutyKind::parse(k).map_or_else(|| words(k), |d| d.label().to_string())
    };
    let page = FiguresPage {
        layout: Layout::new(state, Some(user)).await.at("/"),
        assessed_on: f.assessed_on.map(crate::household::day).unwrap_or_default(),
        households: shown(f.households_assessed),
        in_crisis: shown(f.in_crisis),
        tables: vec![
            Table {
                caption: "Households by persona",
                what: "Persona",
                rows: rows(f.personas, &persona),
            },
            Table {
                caption: "Open cases by team",
                what: "Team",
                rows: rows(f.open_cases, &team),
            },
            Table {
                caption: "Closed cases by why they closed",
                what: "Why",
                rows: rows(f.closed_cases, &reason),
            },
            Table {
                caption: "Homelessness duties started",
                what: "Duty",
                rows: rows(f.duties, &duty),
            },
            Table {
                caption: "Referrals received",
                what: "Status",
                rows: rows(f.referrals, &status),
            },
        ],
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_not_shown() {
        assert_eq!(shown(0), "0");
        assert_eq!(shown(1), "fewer than 10");
        assert_eq!(shown(9), "fewer than 10");
        assert_eq!(shown(10), "10");
        assert_eq!(shown(12_345), "12345");
    }
}
