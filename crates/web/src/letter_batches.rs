//! Letters to print, on a campaign's page: a team leader prints a letter
//! step's waiting letters as one PDF batch (`upstream_pipeline::letter_batch`
//! makes it, exactly once) and downloads any batch again. The section is
//! its own template, rendered into the campaign page by one call.

use crate::auth::{audit_view, record, CurrentUser, Refused};
use crate::forms::Fields;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use upstream_core::{AuditAction, Role};
use upstream_store::CampaignRow;

struct BatchView {
    id: i64,
    step_no: i32,
    dated: String,
    letters: i64,
}

#[derive(Template)]
#[template(path = "outreach_campaign_letters.html")]
struct LettersSection {
    id: i64,
    csrf_token: String,
    /// The campaign's letter steps, by number.
    steps: Vec<usize>,
    batches: Vec<BatchView>,
}

/// The campaign page's "Letters to print" section as HTML (escaped by its
/// template); empty when the campaign has no letter step.
pub(crate) async fn section(
    state: &AppState,
    c: &CampaignRow,
    csrf_token: &str,
) -> Result<String, Refused> {
    let steps: Vec<usize> = c
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.channel == "letter")
        .map(|(i, _)| i + 1)
        .collect();
    if steps.is_empty() {
        return Ok(String::new());
    }
    let batches = state
        .casework
        .letter_batches(c.id)
        .await?
        .into_iter()
        .map(|b| BatchView {
            id: b.id,
            step_no: b.step_no,
            dated: crate::household::day(b.dated),
            letters: b.letters,
        })
        .collect();
    LettersSection {
        id: c.id,
        csrf_token: csrf_token.to_string(),
        steps,
        batches,
    }
    .render()
    .map_err(|e| {
        tracing::error!("rendering the letters section failed: {e}");
        Refused::Unavailable
    })
}

/// The campaign, if it is the team leader's team's.
async fn own_campaign(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<CampaignRow, Refused> {
    user.require_role(&[Role::TeamLeader])?;
    let c = state
        .casework
        .campaign(id)
        .await?
        .ok_or(Refused::NotFound)?;
    if Some(&c.team) != user.account.team.as_ref() {
        return Err(Refused::NotFound);
    }
    Ok(c)
}

/// `POST /campaigns/{id}/letters`: make a batch of the step's waiting
/// letters, then back to the campaign page saying what was made.
pub(crate) async fn print(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    let c = own_campaign(&state, &user, id).await?;
    let fields = Fields(form);
    let step = fields.get("step").parse::<i32>().ok().filter(|s| {
        usize::try_from(*s - 1)
            .ok()
            .and_then(|i| c.steps.get(i))
            .is_some_and(|s| s.channel == "letter")
    });
    let Some(step) = step else {
        return crate::outreach::campaign_page(
            &state,
            &user,
            id,
            "Choose a letter step to print".into(),
        )
        .await;
    };
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "letter_batch",
            "",
            "letter batch made to print",
            serde_json::json!({ "campaign_id": id, "step_no": step }),
        ),
    )
    .await?;
    let notice = match state
        .casework
        .make_letter_batch(id, step, user.account.id, state.today())
        .await?
    {
        Ok(made) => {
            let mut notice = format!(
                "Batch {} made: {} to print. Download it below.",
                made.batch_id,
                plural(made.letters, "letter")
            );
            if !made.refused.is_empty() {
                notice.push_str(&format!(
                    " {} left waiting because the address would not fit an envelope window: {}.",
                    plural(made.refused.len(), "letter"),
                    made.refused
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            notice
        }
        Err(why) => why,
    };
    crate::outreach::campaign_page(&state, &user, id, notice).await
}

/// `GET /campaigns/{id}/batches/{batch}.pdf`: the batch's letters as one
/// PDF, written again from the letters kept (the same letters, the same order).
pub(crate) async fn pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, Refused> {
    let c = own_campaign(&state, &user, id).await?;
    let batch_id: i64 = file
        .strip_suffix(".pdf")
        .and_then(|b| b.parse().ok())
        .ok_or(Refused::NotFound)?;
    let batch = state
        .casework
        .letter_batches(c.id)
        .await?
        .into_iter()
        .find(|b| b.id == batch_id)
        .ok_or(Refused::NotFound)?;
    audit_view(
        &state,
        &user,
        "letter_batch",
        batch.id.to_string(),
        "letter batch downloaded to print",
    )
    .await?;
    let bytes = state
        .casework
        .letter_batch_pdf(batch.id)
        .await?
        .map_err(|why| {
            tracing::error!("letter batch {}: {why}", batch.id);
            Refused::Unavailable
        })?;
    let name = format!("campaign-{id}-letters-batch-{}.pdf", batch.id);
    Ok(crate::documents::attachment(
        bytes,
        "application/pdf",
        &name,
    ))
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}
