//! Reaching out, for team leaders: message templates (checked at save,
//! versioned), campaigns on the team's list (start one, queue today's steps,
//! see who was left out and why), the outbox, and GOV.UK Notify's callbacks.
//!
//! The outbox shows recipients, so it and each campaign's messages are
//! personal data: team leaders only, every view audited. Templates and
//! campaign counts name nobody.

use crate::auth::{audit_view, record, CurrentUser, Refused};
use crate::forms::{Failed, Fields, Problems};
use crate::layout::Layout;
use crate::pages::render;
use crate::worklist::see_other;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use upstream_core::{AuditAction, Role};
use upstream_outreach::{self as outreach, Channel, Language, SkipCondition, Step};
use upstream_pipeline::campaigns::{CampaignPlan, Cohort, TEMPLATE_FIELDS};

/// Steps a campaign form offers; a row left empty is no step.
const STEP_ROWS: usize = 4;

/// Engaged within a week: seed 004's measure (knocking, texts and notes
/// through the door engaged 48% of "hard to engage" residents in a week).
const ENGAGED_WITHIN: i64 = 7;

fn leader(user: &CurrentUser) -> Result<(), Refused> {
    user.require_role(&[Role::TeamLeader])
}

/// The team a leader runs campaigns for: their own.
fn team_of(user: &CurrentUser) -> Result<String, Refused> {
    user.account.team.clone().ok_or(Refused::Forbidden)
}

fn channel_label(code: &str) -> String {
    // `Channel::parse` reads Notify's "sms" too, and labels are headings.
    Channel::parse(code).map_or_else(|| crate::household::words(code), |c| c.label().into())
}

// ---- templates ----------------------------------------------------------

struct TemplateView {
    name: String,
    version: i64,
    channel: String,
    welsh: bool,
    reading_age: String,
}

#[derive(Template)]
#[template(path = "outreach_templates.html")]
struct TemplatesPage {
    layout: Layout,
    templates: Vec<TemplateView>,
}

#[derive(Template)]
#[template(path = "outreach_template_new.html")]
struct NewTemplatePage {
    layout: Layout,
    failed: Failed,
    fields: String,
    welsh_required: bool,
}

fn reading_age(text: &str) -> String {
    match outreach::check_text(
        text,
        Language::English,
        outreach::ReadingAgeTarget::default(),
    ) {
        outreach::ReadabilityReport::English(r) => r
            .reading_age
            .map_or_else(|| "Not enough text".into(), |a| format!("{a:.0}")),
        outreach::ReadabilityReport::Welsh(_) => String::new(),
    }
}

/// `GET /templates`
pub(crate) async fn templates(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    leader(&user)?;
    let templates = state
        .casework
        .message_templates()
        .await?
        .into_iter()
        .map(|t| TemplateView {
            reading_age: reading_age(&t.body_en),
            welsh: !t.body_cy.is_empty(),
            channel: channel_label(&t.channel),
            name: t.name,
            version: t.version,
        })
        .collect();
    let page = TemplatesPage {
        layout: Layout::new(&state, Some(&user)).await.at("/campaigns"),
        templates,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn new_template_page(
    state: &AppState,
    user: &CurrentUser,
    failed: Failed,
) -> Result<Response, Refused> {
    let status = failed.status();
    let page = NewTemplatePage {
        layout: Layout::new(state, Some(user)).await.at("/campaigns"),
        failed,
        fields: TEMPLATE_FIELDS
            .iter()
            .map(|f| format!("(({f}))"))
            .collect::<Vec<_>>()
            .join(", "),
        welsh_required: state.nation == upstream_core::Nation::Wales,
    };
    Ok(render(status, &page))
}

/// `GET /templates/new`
pub(crate) async fn new_template(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    leader(&user)?;
    new_template_page(&state, &user, Failed::default()).await
}

/// `POST /templates`: checked with every problem listed at once; saved as
/// the next version of its name.
pub(crate) async fn create_template(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    leader(&user)?;
    let fields = Fields(form);
    let mut problems = Problems::default();
    let name = fields.get("name");
    if name.is_empty() {
        problems.add("name", "Enter a name for the template");
    } else if name.chars().count() > 60
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        problems.add(
            "name",
            "Use up to 60 letters, numbers and dashes, for example first-missed-rent",
        );
    }
    let channel = match fields.get("channel").as_str() {
        "sms" => Some(Channel::Text),
        "email" => Some(Channel::Email),
        "letter" => Some(Channel::Letter),
        _ => {
            problems.add("channel", "Select how it is sent");
            None
        }
    };
    let opt = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    if let Some(channel) = channel {
        let template = outreach::Template {
            channel,
            subject: opt(fields.get("subject_en")),
            body: fields.get("body_en"),
            welsh_subject: opt(fields.get("subject_cy")),
            welsh_body: opt(fields.get("body_cy")),
        };
        if let Err(found) = outreach::check(&template, TEMPLATE_FIELDS, state.nation) {
            for p in found {
                problems.add(template_field(&p), p.to_string());
            }
        }
    }
    // A campaign names a template and sends it by the step's channel: a new
    // version must keep the channel, or a letter's words could go as a text.
    if let Some(kept) = state
        .casework
        .message_templates()
        .await?
        .into_iter()
        .find(|t| t.name == name)
    {
        if kept.channel != fields.get("channel") && !fields.get("channel").is_empty() {
            problems.add(
                "channel",
                format!(
                    "{name} is a {} template: a new version must be sent the same way, or give it another name",
                    channel_label(&kept.channel).to_lowercase()
                ),
            );
        }
    }
    if !problems.is_empty() {
        return new_template_page(
            &state,
            &user,
            Failed {
                form: "template",
                problems,
                fields,
            },
        )
        .await;
    }
    let channel_code = fields.get("channel");
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "message_template",
            name.clone(),
            "message template saved",
            serde_json::json!({ "channel": channel_code }),
        ),
    )
    .await?;
    state
        .casework
        .save_message_template(
            upstream_store::NewTemplate {
                name,
                channel: channel_code,
                subject_en: fields.get("subject_en"),
                body_en: fields.get("body_en"),
                subject_cy: fields.get("subject_cy"),
                body_cy: fields.get("body_cy"),
            },
            user.account.id,
        )
        .await?;
    Ok(see_other("/templates"))
}

/// Which form field a template problem belongs to, for the error summary.
fn template_field(p: &outreach::TemplateProblem) -> &'static str {
    let text = format!("{p:?}");
    if text.contains("Welsh") && text.contains("ubject") {
        "subject_cy"
    } else if text.contains("Welsh") {
        "body_cy"
    } else if text.contains("ubject") {
        "subject_en"
    } else {
        "body_en"
    }
}

// ---- campaigns ----------------------------------------------------------

struct CampaignSummary {
    id: i64,
    name: String,
    cohort: String,
    started_on: String,
    steps: usize,
}

#[derive(Template)]
#[template(path = "outreach_campaigns.html")]
struct CampaignsPage {
    layout: Layout,
    team: String,
    campaigns: Vec<CampaignSummary>,
}

/// `GET /campaigns`: the team's campaigns.
pub(crate) async fn campaigns(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    leader(&user)?;
    let team = team_of(&user)?;
    let campaigns = state
        .casework
        .campaigns()
        .await?
        .into_iter()
        .filter(|c| c.team == team)
        .map(|c| CampaignSummary {
            id: c.id,
            name: c.name,
            cohort: c.cohort,
            started_on: crate::household::day(c.started_on),
            steps: c.steps.len(),
        })
        .collect();
    let page = CampaignsPage {
        layout: Layout::new(&state, Some(&user)).await.at("/campaigns"),
        team,
        campaigns,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "outreach_campaign_new.html")]
struct NewCampaignPage {
    layout: Layout,
    team: String,
    failed: Failed,
    /// (name, channel label) of each template.
    templates: Vec<(String, String)>,
    rows: Vec<StepRow>,
}

/// One step's row of the form, with its field names.
struct StepRow {
    n: usize,
    optional: bool,
    day: String,
    day_name: String,
    channel_name: String,
    template_name: String,
}

impl NewCampaignPage {
    fn typed(&self, name: &str) -> String {
        self.failed.typed("campaign", name)
    }

    fn chosen(&self, name: &str, value: &str) -> bool {
        self.failed.typed("campaign", name) == value
    }

    /// Which cohort is ticked: the team's list unless the form chose another.
    fn cohort_is(&self, value: &str) -> bool {
        match self.failed.typed("campaign", "cohort").as_str() {
            "" => value == "team_list",
            chosen => chosen == value,
        }
    }
}

async fn new_campaign_page(
    state: &AppState,
    user: &CurrentUser,
    failed: Failed,
) -> Result<Response, Refused> {
    let status = failed.status();
    let templates = state
        .casework
        .message_templates()
        .await?
        .into_iter()
        .map(|t| (t.name, channel_label(&t.channel)))
        .collect();
    let page = NewCampaignPage {
        layout: Layout::new(state, Some(user)).await.at("/campaigns"),
        team: team_of(user)?,
        templates,
        rows: (1..=STEP_ROWS)
            .map(|n| {
                let day_name = format!("day_{n}");
                // A first campaign's steps a week apart: within the default
                // contact limit (2 in 14 days), so a filled form is not refused.
                let day = if failed.form.is_empty() {
                    ["0", "7", "14", "21"][n - 1].to_string()
                } else {
                    failed.typed("campaign", &day_name)
                };
                StepRow {
                    n,
                    optional: n > 1,
                    day,
                    day_name,
                    channel_name: format!("channel_{n}"),
                    template_name: format!("template_{n}"),
                }
            })
            .collect(),
        failed,
    };
    Ok(render(status, &page))
}

/// `GET /campaigns/new`
pub(crate) async fn new_campaign(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    leader(&user)?;
    new_campaign_page(&state, &user, Failed::default()).await
}

/// `POST /campaigns`: start a campaign on the team's latest list.
pub(crate) async fn create_campaign(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    leader(&user)?;
    let team = team_of(&user)?;
    let fields = Fields(form);
    let mut problems = Problems::default();
    let name = fields.get("name");
    if name.is_empty() {
        problems.add("name", "Enter a name for the campaign");
    }
    let holdout = match fields.get("holdout").parse::<u32>() {
        Ok(h) if h <= 50 => h,
        _ => {
            problems.add("holdout", "Choose how many households to hold back");
            0
        }
    };
    // Who: the team's list unless another cohort is chosen.
    let cohort = match fields.get("cohort").as_str() {
        "" | "team_list" => Some(Cohort::TeamList),
        "area" => match fields.get("area").trim() {
            "" => {
                problems.add(
                    "area",
                    "Enter a postcode district or sector, like B11 or B11 1",
                );
                None
            }
            area => Some(Cohort::Area(area.to_string())),
        },
        "persona" => match fields.get("persona").trim() {
            "" => {
                problems.add(
                    "persona",
                    "Enter the persona, as the household page names it",
                );
                None
            }
            persona => Some(Cohort::Persona(persona.to_string())),
        },
        "risk" => match fields.get("risk").trim().parse::<u32>() {
            Ok(p) if (1..=100).contains(&p) => Some(Cohort::RiskAtLeast(p)),
            _ => {
                problems.add(
                    "risk",
                    "Enter the lowest risk of crisis as a percentage, from 1 to 100",
                );
                None
            }
        },
        _ => {
            problems.add("cohort", "Choose who the campaign contacts");
            None
        }
    };
    let mut steps = Vec::new();
    // The form row of each step: empty rows are passed over.
    let mut step_rows = Vec::new();
    for row in 1..=STEP_ROWS {
        let channel = fields.get(&format!("channel_{row}"));
        if channel.is_empty() {
            continue;
        }
        let Some(channel) = Channel::parse(&channel) else {
            problems.add(&format!("channel_{row}"), "Select how to contact them");
            continue;
        };
        let day = match fields.get(&format!("day_{row}")).parse::<u32>() {
            Ok(d) if d <= 365 => d,
            _ => {
                problems.add(
                    &format!("day_{row}"),
                    format!("Enter the day of step {row} as a number of days from the start, from 0 to 365"),
                );
                continue;
            }
        };
        let template = fields.get(&format!("template_{row}"));
        step_rows.push(row);
        steps.push(Step {
            day,
            channel,
            template_id: Some(template).filter(|t| !t.is_empty()),
            skip_if: if steps.is_empty() {
                vec![]
            } else {
                vec![
                    SkipCondition::Replied,
                    SkipCondition::Engaged,
                    SkipCondition::CaseOpened,
                    SkipCondition::OptedOut,
                ]
            },
        });
    }
    if steps.is_empty() && problems.is_empty() {
        problems.add("channel_1", "Add at least one step");
    }
    if problems.is_empty() {
        // Checked here as well as when saving, to point at the step's day;
        // the pipeline refuses it too (for the command line).
        if let Err(breach) = outreach::would_break_cap(&steps, &outreach::Policy::default()) {
            let row = breach
                .steps
                .last()
                .and_then(|s| step_rows.get(s - 1))
                .copied()
                .unwrap_or(1);
            problems.add(&format!("day_{row}"), breach.to_string());
        }
    }
    if let (true, Some(cohort)) = (problems.is_empty(), cohort) {
        let plan = CampaignPlan {
            cohort,
            name: name.clone(),
            team: team.clone(),
            steps,
            holdout_percent: holdout,
            seed: seed_for(&name, user.account.id),
        };
        record(
            &state,
            &user.audit(
                AuditAction::Create,
                "campaign",
                "",
                "campaign started",
                serde_json::json!({ "name": name, "team": team, "holdout_percent": holdout }),
            ),
        )
        .await?;
        match state
            .casework
            .start_campaign(plan, user.account.id, state.today())
            .await?
        {
            Ok(id) => return Ok(see_other(&format!("/campaigns/{id}"))),
            Err(why) => problems.add("name", why),
        }
    }
    new_campaign_page(
        &state,
        &user,
        Failed {
            form: "campaign",
            problems,
            fields,
        },
    )
    .await
}

/// The experiment's seed: from the campaign and who started it, recorded
/// with the campaign so the draw can be made again and checked.
fn seed_for(name: &str, by: i64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name
        .bytes()
        .chain(by.to_le_bytes())
        .chain(Utc::now().timestamp().to_le_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h >> 1
}

struct StepView {
    no: usize,
    day: i32,
    channel: String,
    template: String,
    queued: usize,
    sent: usize,
    delivered: usize,
    failed: usize,
    kept: usize,
    left_out: Vec<(String, i64)>,
}

#[derive(Template)]
#[template(path = "outreach_campaign.html")]
struct CampaignPage {
    layout: Layout,
    id: i64,
    name: String,
    cohort: String,
    started_on: String,
    contact: usize,
    held_back: usize,
    holdout_percent: i32,
    steps: Vec<StepView>,
    notice: String,
    /// Engagement within 7 days, by arm, as shown.
    results: Vec<(&'static str, String, String)>,
    /// What the comparison says, in words.
    verdict: String,
    /// Crises within six months, by arm, as shown; and what they say.
    crises: Vec<(&'static str, String, String)>,
    crisis_verdict: String,
    /// The "Letters to print" section (`letter_batches.rs`), rendered.
    letters: String,
}

pub(crate) async fn campaign_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: String,
) -> Result<Response, Refused> {
    let c = state
        .casework
        .campaign(id)
        .await?
        .ok_or(Refused::NotFound)?;
    if Some(&c.team) != user.account.team.as_ref() {
        return Err(Refused::NotFound);
    }
    let arms = state.casework.campaign_arm_counts(id).await?;
    let counts = state.casework.campaign_message_counts(id).await?;
    let exclusions = state.casework.campaign_exclusions(id).await?;
    let steps = c
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let no = i + 1;
            let of = |status: &str| {
                counts
                    .iter()
                    .filter(|(step, st, _)| *step == Some(no as i32) && st == status)
                    .map(|(_, _, n)| *n as usize)
                    .sum::<usize>()
            };
            StepView {
                no,
                day: s.day_offset,
                channel: channel_label(&s.channel),
                template: s.template_name.clone().unwrap_or_default(),
                queued: of("queued") + of("sending"),
                sent: of("sent"),
                delivered: of("delivered"),
                failed: of("failed"),
                kept: of("kept"),
                left_out: exclusions
                    .iter()
                    .filter(|e| e.step_no == no as i32)
                    .map(|e| (e.reason.clone(), e.households))
                    .collect(),
            }
        })
        .collect();
    let (contact_arm, held_arm) = state.casework.engagement_by_arm(id, ENGAGED_WITHIN).await?;
    let results = arm_rows(contact_arm, held_arm, 0);
    let verdict = comparison_words(
        contact_arm,
        held_arm,
        0,
        &Phrases {
            too_few: "Too few households to tell whether contact made a difference yet.",
            no_clear: "No clear difference: contacted households engaged",
            higher: "Contacted households engaged more:",
            lower: "Contacted households engaged less:",
        },
    );
    let (crises, crisis_verdict) = crises_after(state, id).await?;
    let layout = Layout::new(state, Some(user)).await.at("/campaigns");
    let letters = crate::letter_batches::section(state, &c, layout.csrf_token()).await?;
    let page = CampaignPage {
        layout,
        letters,
        results,
        verdict,
        crises,
        crisis_verdict,
        id,
        name: c.name,
        cohort: c.cohort,
        started_on: crate::household::day(c.started_on),
        contact: arms
            .iter()
            .filter(|(arm, _)| arm == "contact")
            .map(|(_, n)| *n as usize)
            .sum(),
        held_back: arms
            .iter()
            .filter(|(arm, _)| arm != "contact")
            .map(|(_, n)| *n as usize)
            .sum(),
        holdout_percent: c.holdout_percent,
        steps,
        notice,
    };
    Ok(render(StatusCode::OK, &page))
}

/// An arm's rate as shown, with small numbers suppressed.
fn arm_rate((k, n): (u64, u64), decimals: usize) -> String {
    if n == 0 {
        "None yet".to_string()
    } else if n < crate::figures::SUPPRESS {
        "Too few households to show".to_string()
    } else {
        format!("{:.*}%", decimals, 100.0 * k as f64 / n as f64)
    }
}

/// The contacted and held-back rows of a comparison's table.
fn arm_rows(
    contact: (u64, u64),
    held_back: (u64, u64),
    decimals: usize,
) -> Vec<(&'static str, String, String)> {
    vec![
        (
            "Contacted",
            crate::figures::shown(contact.1 as i64),
            arm_rate(contact, decimals),
        ),
        (
            "Held back",
            crate::figures::shown(held_back.1 as i64),
            arm_rate(held_back, decimals),
        ),
    ]
}

/// How a comparison reads in words, for one measure.
struct Phrases {
    too_few: &'static str,
    no_clear: &'static str,
    higher: &'static str,
    lower: &'static str,
}

/// What the contacted against held-back comparison says, with its 95%
/// interval in percentage points.
fn comparison_words(
    contact: (u64, u64),
    held_back: (u64, u64),
    decimals: usize,
    p: &Phrases,
) -> String {
    let Ok(c) = outreach::compare(contact, held_back) else {
        return "Nobody is held back, so there is nothing to compare with.".to_string();
    };
    let lead = match c.verdict {
        outreach::Verdict::TooSmallToTell => return p.too_few.to_string(),
        outreach::Verdict::NoClearDifference => p.no_clear,
        outreach::Verdict::Higher => p.higher,
        outreach::Verdict::Lower => p.lower,
    };
    format!(
        "{lead} {:+.*} percentage points (95% interval {:+.*} to {:+.*}).",
        decimals,
        100.0 * c.difference,
        decimals,
        100.0 * c.ci_low,
        decimals,
        100.0 * c.ci_high
    )
}

/// Months after joining over which a campaign's crises are counted.
const CRISES_WITHIN_MONTHS: u32 = 6;

/// Crises in the six months after joining, by arm, and what the comparison
/// says, with small numbers suppressed as the engagement figures are.
async fn crises_after(
    state: &AppState,
    id: i64,
) -> Result<(Vec<(&'static str, String, String)>, String), Refused> {
    let c = state
        .casework
        .crises_by_arm(id, CRISES_WITHIN_MONTHS)
        .await?;
    let rows = arm_rows(c.contact, c.held_back, 1);
    let so_far = match (c.complete, c.seen_until) {
        (_, None) => return Ok((rows, "No monthly assessment has run since the campaign started, so nothing is known yet.".into())),
        (true, _) => String::new(),
        (false, Some(d)) => format!(
            "So far: the council's records reach {}, before every household's six months are over. ",
            crate::household::day(d)
        ),
    };
    let verdict = comparison_words(
        c.contact,
        c.held_back,
        1,
        &Phrases {
            too_few:
                "Too few households, or too few crises, to tell whether contact made a difference.",
            no_clear: "No clear difference:",
            higher: "More contacted households reached crisis:",
            lower: "Fewer contacted households reached crisis:",
        },
    );
    Ok((rows, format!("{so_far}{verdict}")))
}

/// `GET /campaigns/{id}`: the funnel by step, and who was left out and why.
pub(crate) async fn campaign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Refused> {
    leader(&user)?;
    campaign_page(&state, &user, id, String::new()).await
}

/// `POST /campaigns/{id}/run`: queue the steps due today.
pub(crate) async fn run(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Refused> {
    leader(&user)?;
    let c = state
        .casework
        .campaign(id)
        .await?
        .ok_or(Refused::NotFound)?;
    if Some(&c.team) != user.account.team.as_ref() {
        return Err(Refused::NotFound);
    }
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "campaign",
            id.to_string(),
            "campaign steps queued",
            serde_json::json!({}),
        ),
    )
    .await?;
    let now = noon_uk(&state);
    let notice = match state
        .casework
        .run_campaign_day(id, now, state.nation)
        .await?
    {
        Ok(day) => format!(
            "{} queued; {} waiting; {} left out; {} held back; {} for staff to call or visit.",
            plural(day.queued, "message"),
            day.waiting,
            day.excluded,
            day.held_back,
            day.for_staff
        ),
        Err(why) => why,
    };
    campaign_page(&state, &user, id, notice).await
}

/// When the contact rules are weighed: now, or, when the app works to
/// another day (the demo, to its town's last day), that day at noon UK
/// time. Noon only then: on the real day it would hold messages back until
/// midday and weigh quiet hours at the wrong hour.
fn noon_uk(state: &AppState) -> chrono::DateTime<Utc> {
    if !state.works_to_another_day() {
        return Utc::now();
    }
    state
        .today()
        .and_hms_opt(12, 0, 0)
        .map(outreach::uk_time::uk_local_to_utc)
        .unwrap_or_else(Utc::now)
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

// ---- the outbox ---------------------------------------------------------

struct MessageView {
    reference: String,
    household_id: i64,
    channel: String,
    recipient: String,
    status: String,
    failure: String,
    body: String,
    queued: String,
}

#[derive(Template)]
#[template(path = "outreach_outbox.html")]
struct OutboxPage {
    layout: Layout,
    messages: Vec<MessageView>,
    sending: bool,
    notice: String,
}

/// How many messages the outbox page lists, newest first.
const OUTBOX_SHOWN: i64 = 200;

async fn outbox_page(
    state: &AppState,
    user: &CurrentUser,
    notice: String,
) -> Result<Response, Refused> {
    audit_view(state, user, "outbox", "", "outbox").await?;
    let messages = state
        .casework
        .outbox_messages(OUTBOX_SHOWN)
        .await?
        .into_iter()
        .map(|m| MessageView {
            channel: channel_label(&m.channel),
            recipient: m.recipient.replace('\n', ", "),
            status: status_label(&m.status).into(),
            queued: m.created_at.format("%-d %B %Y").to_string(),
            reference: m.reference,
            household_id: m.household_id,
            failure: m.failure,
            body: m.body,
        })
        .collect();
    let page = OutboxPage {
        layout: Layout::new(state, Some(user)).await.at("/campaigns"),
        messages,
        sending: state.outbox_transport.is_some(),
        notice,
    };
    Ok(render(StatusCode::OK, &page))
}

fn status_label(status: &str) -> &'static str {
    match status {
        "queued" => "Waiting to go",
        "sending" => "Being sent",
        "sent" => "Sent",
        "delivered" => "Delivered",
        "failed" => "Failed",
        "kept" => "Kept here (not sent)",
        _ => "Unknown",
    }
}

/// `GET /outbox`
pub(crate) async fn outbox(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    leader(&user)?;
    outbox_page(&state, &user, String::new()).await
}

/// `POST /outbox/send`: send what is due (or, without Notify, keep it here).
pub(crate) async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    leader(&user)?;
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "outbox",
            "",
            "outbox sent",
            serde_json::json!({ "through_notify": state.outbox_transport.is_some() }),
        ),
    )
    .await?;
    let notice = match state
        .casework
        .send_outbox(state.outbox_transport.clone())
        .await?
    {
        Ok(r) if state.outbox_transport.is_none() => format!(
            "{} kept here: Upstream is not connected to GOV.UK Notify, so nothing was sent.",
            plural(r.kept, "message")
        ),
        Ok(r) => format!(
            "{} sent; {} to try again later; {} failed.",
            plural(r.sent + r.recovered, "message"),
            r.retried,
            r.failed
        ),
        Err(why) => why,
    };
    outbox_page(&state, &user, notice).await
}

// ---- GOV.UK Notify's callbacks -----------------------------------------

fn callback_refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"the bearer token is missing or wrong"}"#,
    )
        .into_response()
}

fn callback_bad(why: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "error": why }).to_string(),
    )
        .into_response()
}

fn bearer_ok(headers: &HeaderMap, expected: Option<&str>) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    expected.is_some_and(|e| upstream_notify::bearer_matches(given, e))
}

/// `POST /notify/delivery-receipts`: Notify says what became of a message.
/// Outside the session gate; Notify's bearer token is the check.
pub(crate) async fn delivery_receipt(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refused> {
    if !bearer_ok(&headers, state.notify_tokens.delivery.as_deref()) {
        return Ok(callback_refused());
    }
    let receipt = match upstream_notify::parse_delivery_receipt(&body) {
        Ok(r) => r,
        Err(e) => return Ok(callback_bad(e.to_string())),
    };
    let delivered = receipt.status == upstream_notify::DeliveryStatus::Delivered;
    if !receipt.status.is_final() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let failure = if delivered {
        String::new()
    } else {
        receipt.status.as_str().to_string()
    };
    let at = receipt.completed_at.unwrap_or_else(Utc::now);
    state
        .casework
        .record_message_receipt(receipt.id.clone(), delivered, failure, at)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /notify/received-texts`: a resident texted back; STOP stops texts.
pub(crate) async fn received_text(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refused> {
    if !bearer_ok(&headers, state.notify_tokens.received_text.as_deref()) {
        return Ok(callback_refused());
    }
    let text = match upstream_notify::parse_received_text(&body) {
        Ok(t) => t,
        Err(e) => return Ok(callback_bad(e.to_string())),
    };
    let opt_out = upstream_notify::is_opt_out(&text.message);
    // Notify sends numbers in international form (447700900123); the
    // single view keeps them as national digits.
    let from = match text.source_number.strip_prefix("44") {
        Some(rest) => format!("0{rest}"),
        None => text.source_number.clone(),
    };
    state
        .casework
        .record_inbound_text(
            text.id.clone(),
            from,
            text.message.clone(),
            text.date_received,
            opt_out,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- door knocking (seed 002) ---------------------------------------------

/// Staff who knock doors: connectors and team leaders, of the round's team.
fn knocker(user: &CurrentUser) -> Result<(), Refused> {
    user.require_role(&[Role::Connector, Role::TeamLeader])
}

async fn round_of_team(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(upstream_store::RoundRow, Vec<upstream_store::DoorRow>), Refused> {
    let (round, doors) = state
        .casework
        .knock_round(id)
        .await?
        .ok_or(Refused::NotFound)?;
    if Some(&round.team) != user.account.team.as_ref() {
        return Err(Refused::NotFound);
    }
    Ok((round, doors))
}

/// `POST /campaigns/{id}/round`: a round of the doors due a knock today.
pub(crate) async fn make_round(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    leader(&user)?;
    let c = state
        .casework
        .campaign(id)
        .await?
        .ok_or(Refused::NotFound)?;
    if Some(&c.team) != user.account.team.as_ref() {
        return Err(Refused::NotFound);
    }
    let fields = Fields(form);
    let pairs = fields.get("visit_in_pairs") == "yes";
    let note = fields.get("safety_note");
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "knock_round",
            "",
            "door-knocking round made",
            serde_json::json!({ "campaign_id": id, "visit_in_pairs": pairs }),
        ),
    )
    .await?;
    let now = noon_uk(&state);
    match state
        .casework
        .make_round(id, now, state.nation, user.account.id, pairs, note)
        .await?
    {
        Ok(round) => Ok(see_other(&format!("/rounds/{round}"))),
        Err(why) => campaign_page(&state, &user, id, why).await,
    }
}

struct RoundListItem {
    id: i64,
    name: String,
    doors: i64,
    knocked: i64,
}

#[derive(Template)]
#[template(path = "outreach_rounds.html")]
struct RoundsPage {
    layout: Layout,
    rounds: Vec<RoundListItem>,
}

/// `GET /rounds`: the team's door-knocking rounds.
pub(crate) async fn rounds(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    knocker(&user)?;
    let team = team_of(&user)?;
    let rounds = state
        .casework
        .knock_rounds(team)
        .await?
        .into_iter()
        .map(|r| RoundListItem {
            id: r.id,
            name: r.name,
            doors: r.doors,
            knocked: r.knocked,
        })
        .collect();
    let page = RoundsPage {
        layout: Layout::new(&state, Some(&user)).await.at("/rounds"),
        rounds,
    };
    Ok(render(StatusCode::OK, &page))
}

struct DoorView {
    position: i32,
    household_id: i64,
    address: String,
    postcode: String,
    outcome: String,
    note: String,
}

struct StreetView {
    street: String,
    doors: Vec<DoorView>,
}

#[derive(Template)]
#[template(path = "outreach_round.html")]
struct RoundPage {
    layout: Layout,
    id: i64,
    name: String,
    visit_in_pairs: bool,
    safety_note: String,
    streets: Vec<StreetView>,
    knocked: i64,
    doors: i64,
}

/// `GET /rounds/{id}`: the round sheet, in walking order (prints on A4).
pub(crate) async fn round(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Refused> {
    knocker(&user)?;
    let (round, doors) = round_of_team(&state, &user, id).await?;
    audit_view(
        &state,
        &user,
        "knock_round",
        id.to_string(),
        "door-knocking round",
    )
    .await?;
    let mut streets: Vec<StreetView> = Vec::new();
    for d in doors {
        let view = DoorView {
            position: d.position,
            household_id: d.household_id,
            address: d.address,
            postcode: d.postcode,
            outcome: d
                .outcome
                .as_deref()
                .and_then(outreach::DoorOutcome::parse)
                .map(|o| o.label().to_string())
                .unwrap_or_default(),
            note: d.note,
        };
        match streets.last_mut() {
            Some(s) if s.street == d.street => s.doors.push(view),
            _ => streets.push(StreetView {
                street: d.street,
                doors: vec![view],
            }),
        }
    }
    let page = RoundPage {
        layout: Layout::new(&state, Some(&user)).await.at("/rounds"),
        id,
        name: round.name,
        visit_in_pairs: round.visit_in_pairs,
        safety_note: round.safety_note,
        streets,
        knocked: round.knocked,
        doors: round.doors,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "outreach_door.html")]
struct DoorPage {
    layout: Layout,
    round_id: i64,
    household_id: i64,
    address: String,
    visit_in_pairs: bool,
    safety_note: String,
    recorded: String,
    outcomes: Vec<(&'static str, &'static str)>,
    failed: Failed,
}

impl DoorPage {
    fn chosen(&self, code: &str) -> bool {
        self.failed.typed("door", "outcome") == code
    }
}

async fn door_page(
    state: &AppState,
    user: &CurrentUser,
    round_id: i64,
    household_id: i64,
    failed: Failed,
) -> Result<Response, Refused> {
    let (round, doors) = round_of_team(state, user, round_id).await?;
    let door = doors
        .into_iter()
        .find(|d| d.household_id == household_id)
        .ok_or(Refused::NotFound)?;
    audit_view(
        state,
        user,
        "household",
        household_id.to_string(),
        "door to knock",
    )
    .await?;
    let status = failed.status();
    let page = DoorPage {
        layout: Layout::new(state, Some(user)).await.at("/rounds"),
        round_id,
        household_id,
        address: format!("{}, {}", door.address, door.postcode),
        visit_in_pairs: round.visit_in_pairs,
        safety_note: round.safety_note,
        recorded: door
            .outcome
            .as_deref()
            .and_then(outreach::DoorOutcome::parse)
            .map(|o| o.label().to_string())
            .unwrap_or_default(),
        outcomes: outreach::DoorOutcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        failed,
    };
    Ok(render(status, &page))
}

/// `GET /rounds/{id}/doors/{household}`: one door, for a phone on the doorstep.
pub(crate) async fn door(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((round_id, household_id)): Path<(i64, i64)>,
) -> Result<Response, Refused> {
    knocker(&user)?;
    door_page(&state, &user, round_id, household_id, Failed::default()).await
}

/// `POST /rounds/{id}/doors/{household}`: what happened at the door, once.
pub(crate) async fn record_door(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((round_id, household_id)): Path<(i64, i64)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    knocker(&user)?;
    round_of_team(&state, &user, round_id).await?;
    let fields = Fields(form);
    let mut problems = Problems::default();
    let outcome = outreach::DoorOutcome::parse(&fields.get("outcome"));
    if outcome.is_none() {
        problems.add("outcome", "Select what happened at the door");
    }
    let note = fields.get("note");
    if note.chars().count() > 2000 {
        problems.add("note", "The note must be 2,000 characters or fewer");
    }
    let Some(outcome) = outcome.filter(|_| problems.is_empty()) else {
        return door_page(
            &state,
            &user,
            round_id,
            household_id,
            Failed {
                form: "door",
                problems,
                fields,
            },
        )
        .await;
    };
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "household",
            household_id.to_string(),
            "door knocked",
            serde_json::json!({ "round_id": round_id, "outcome": outcome.as_str() }),
        ),
    )
    .await?;
    // The household's contact record speaks the casework standards' words.
    let contact_outcome = match outcome {
        outreach::DoorOutcome::Spoke | outreach::DoorOutcome::SafetyConcern => "met",
        outreach::DoorOutcome::NoAnswer => "no_answer",
        outreach::DoorOutcome::CardLeft => "left_message",
        outreach::DoorOutcome::Refused => "declined",
        outreach::DoorOutcome::MovedAway => "wrong_details",
    };
    state
        .casework
        .record_knock(
            round_id,
            household_id,
            outcome.as_str().into(),
            contact_outcome.into(),
            note,
            user.account.display_name.clone(),
            state.today(),
        )
        .await?;
    Ok(see_other(&format!(
        "/rounds/{round_id}#door-{household_id}"
    )))
}
