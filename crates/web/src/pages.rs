//! Handlers: ask the data source for view models, format them for people, and
//! render them through askama templates (HTML auto-escaped).

use crate::auth::{CurrentUser, Refused};
use crate::data::{Overview, SourceSummary, TownSummary};
use crate::layout::{Layout, NO_COUNCIL};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use upstream_core::Month;

pub(crate) async fn start(State(state): State<AppState>, user: CurrentUser) -> Response {
    if user.role() == upstream_core::Role::PartnerWorker {
        return crate::partner::start(&state, &user).await.into_response();
    }
    if user.role() == upstream_core::Role::Analyst {
        return crate::figures::start(&state, &user).await.into_response();
    }
    match state.source.overview().await {
        Ok(overview) => render(StatusCode::OK, &StartPage::new(overview, &user)),
        Err(e) => {
            tracing::error!("start page: the data source failed: {e}");
            render(
                StatusCode::SERVICE_UNAVAILABLE,
                &UnavailablePage {
                    layout: Layout::with_council(NO_COUNCIL.to_string(), Some(&user)),
                },
            )
        }
    }
}

pub(crate) async fn health(State(state): State<AppState>) -> Response {
    let database = state.source.database();
    let (status, body) = match state.source.health().await {
        Ok(health) => (
            StatusCode::OK,
            serde_json::json!({
                "status": "ok",
                "database": database,
                "migrations": health.migrations,
                "version": env!("CARGO_PKG_VERSION"),
            }),
        ),
        Err(e) => {
            tracing::error!("health check: the data source failed: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({
                    "status": "unavailable",
                    "database": database,
                    "error": "the database is not answering; the server log has the details",
                    "version": env!("CARGO_PKG_VERSION"),
                }),
            )
        }
    };
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Anything the routes do not know, for a signed-in user (the session gate
/// renders the page with the header).
pub(crate) async fn not_found() -> Refused {
    Refused::NotFound
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    /// The header carries the council's name (the generic header).
    layout: Layout,
    town: Option<TownView>,
    sources: Vec<SourceRow>,
}

struct TownView {
    council_name: String,
    profile: String,
    households: String,
    /// "24 (April 2024 to March 2026)".
    months: String,
    seed: u64,
}

struct SourceRow {
    title: &'static str,
    files: String,
    rows: String,
    /// "April 2024 to March 2026": one column, so the table fits a phone.
    months: String,
}

#[derive(Template)]
#[template(path = "not_found.html")]
pub(crate) struct NotFoundPage {
    pub(crate) layout: Layout,
}

#[derive(Template)]
#[template(path = "unavailable.html")]
pub(crate) struct UnavailablePage {
    pub(crate) layout: Layout,
}

/// 403: a plain-English heading and what to do.
#[derive(Template)]
#[template(path = "forbidden.html")]
pub(crate) struct ForbiddenPage {
    pub(crate) layout: Layout,
    pub(crate) heading: &'static str,
    pub(crate) message: &'static str,
}

impl StartPage {
    fn new(overview: Overview, user: &CurrentUser) -> StartPage {
        let council_name = overview
            .town
            .as_ref()
            .map(|t| t.council_name.clone())
            .unwrap_or_else(|| NO_COUNCIL.to_string());
        StartPage {
            layout: Layout::with_council(council_name, Some(user)),
            town: overview.town.map(TownView::from),
            sources: overview.sources.into_iter().map(SourceRow::from).collect(),
        }
    }
}

impl From<TownSummary> for TownView {
    fn from(t: TownSummary) -> TownView {
        TownView {
            council_name: t.council_name,
            profile: t.profile,
            households: thousands(t.households),
            months: match i32::try_from(t.months) {
                Ok(n) if n > 0 => format!(
                    "{} ({})",
                    thousands(t.months),
                    month_range(t.start_month, t.start_month.plus(n - 1))
                ),
                _ => thousands(t.months),
            },
            seed: t.seed,
        }
    }
}

impl From<SourceSummary> for SourceRow {
    fn from(s: SourceSummary) -> SourceRow {
        SourceRow {
            title: s.source.title(),
            files: thousands(s.files),
            rows: thousands(s.rows),
            months: month_range(s.first_period, s.last_period),
        }
    }
}

pub(crate) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("rendering a page failed: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service.",
            )
                .into_response()
        }
    }
}

/// 450000 → "450,000", as GOV.UK style writes numbers.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut groups = Vec::with_capacity(digits.len() / 3 + 1);
    let mut end = digits.len();
    while end > 3 {
        groups.push(&digits[end - 3..end]);
        end -= 3;
    }
    groups.push(&digits[..end]);
    groups.reverse();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", groups.join(","))
}

/// 2024-04 → "April 2024".
fn month_name(m: Month) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{} {}", NAMES[(m.month() - 1) as usize], m.year())
}

/// "April 2024 to March 2026", or "April 2024" for a single month.
fn month_range(first: Month, last: Month) -> String {
    if first == last {
        month_name(first)
    } else {
        format!("{} to {}", month_name(first), month_name(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::{script_hash, CONTENT_SECURITY_POLICY, INIT_SCRIPT, SUPPORTED_SCRIPT};

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(450_000), "450,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn months_read_as_words() {
        assert_eq!(month_name("2024-04".parse().unwrap()), "April 2024");
        assert_eq!(month_name("2025-12".parse().unwrap()), "December 2025");
        let (a, b) = ("2024-04".parse().unwrap(), "2026-03".parse().unwrap());
        assert_eq!(month_range(a, b), "April 2024 to March 2026");
        assert_eq!(month_range(a, a), "April 2024");
    }

    #[test]
    fn the_only_inline_scripts_are_the_two_the_policy_hashes() {
        let html = NotFoundPage {
            layout: Layout::with_council(NO_COUNCIL.to_string(), None),
        }
        .render()
        .unwrap();
        let inline: Vec<&str> = html
            .split("<script")
            .skip(1)
            .map(|s| {
                let body = &s[s.find('>').unwrap() + 1..];
                &body[..body.find("</script>").unwrap()]
            })
            .collect();
        assert_eq!(inline, [SUPPORTED_SCRIPT, INIT_SCRIPT]);
        let policy = CONTENT_SECURITY_POLICY.to_str().unwrap();
        for script in inline {
            assert!(policy.contains(&script_hash(script)), "{policy}");
        }
    }
}
