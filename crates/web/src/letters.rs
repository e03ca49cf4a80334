//! Statutory letters on a case: written from the council's templates
//! (`upstream_letters`), kept as the PDF that was sent, and recorded on the
//! duty they are about, so the duty's clock knows the letter went.

use crate::auth::{audit_view, record, CurrentUser, Refused};
use crate::casework_data::{CaseInfo, DutyRow, LetterRow, NewLetter};
use crate::forms::Fields;
use crate::household::day;
use crate::AppState;
use axum::response::Response;
use std::sync::OnceLock;
use upstream_core::AuditAction;
use upstream_letters::{Library, Records, Template};

static LETTERS: OnceLock<Library> = OnceLock::new();

/// The letters in use: the council's, or the built-in ones.
pub(crate) fn letters() -> &'static Library {
    LETTERS.get_or_init(|| {
        Library::built_in().unwrap_or_else(|e| {
            // Built in and tested; should it ever fail, no letter is offered.
            tracing::error!("the built-in letter templates: {e}");
            Library {
                letters: Vec::new(),
            }
        })
    })
}

/// Write from a council's own letter templates. Call once, before serving
/// (false when the letters were already fixed).
pub fn use_letters(library: Library) -> bool {
    LETTERS.set(library).is_ok()
}

pub(crate) struct LetterView {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) sent: String,
    pub(crate) by: String,
}

/// The letters section of the case page.
pub(crate) struct LettersPart {
    pub(crate) kept: Vec<LetterView>,
    /// (code, title) of each letter the case's law has.
    pub(crate) choices: Vec<(String, String)>,
    /// (id, title) of each duty a letter can be about.
    pub(crate) duties: Vec<(i64, String)>,
    pub(crate) welsh: bool,
}

pub(crate) fn part(case: &CaseInfo, kept: Vec<LetterRow>, duties: &[(i64, String)]) -> LettersPart {
    LettersPart {
        kept: kept
            .into_iter()
            .rev()
            .map(|l| LetterView {
                id: l.id,
                title: l.title,
                sent: day(l.sent_on),
                by: l.by,
            })
            .collect(),
        choices: letters()
            .for_nation(&case.nation)
            .map(|t| (t.code.clone(), t.title.clone()))
            .collect(),
        duties: duties.to_vec(),
        welsh: case.nation == "wales",
    }
}

/// Why a letter cannot be written as asked, for the form.
pub(crate) type Problem = (&'static str, String);

/// The template and the duty a letter request names, checked against the case.
pub(crate) fn choose<'a>(
    case: &CaseInfo,
    fields: &Fields,
    duties: &'a [DutyRow],
) -> Result<(&'static Template, Option<&'a DutyRow>), Problem> {
    let Some(t) = letters()
        .get(&fields.get("letter_code"))
        .filter(|t| t.nation == case.nation)
    else {
        return Err(("letter_code", "Select the letter to write".into()));
    };
    if !t.needs_duty() {
        return Ok((t, None));
    }
    let duty = fields
        .int("letter_duty")
        .and_then(|id| duties.iter().find(|d| d.id == id))
        .filter(|d| t.duty.as_deref().is_none_or(|k| k == d.kind));
    match duty {
        None => Err((
            "letter_duty",
            match &t.duty {
                Some(k) => format!("Select the {k} duty this letter is about"),
                None => "Select the duty this letter is about".into(),
            },
        )),
        Some(d) if t.records == Records::EndLetter && d.ended_on.is_none() => Err((
            "letter_duty",
            "Record the day the duty ended before writing the end-of-duty letter".into(),
        )),
        Some(d) => Ok((t, Some(d))),
    }
}

/// Keep the letter and record on its duty what it means, audited first.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn keep(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseInfo,
    t: &Template,
    duty: Option<&DutyRow>,
    title: String,
    language: String,
    pdf: Vec<u8>,
) -> Result<(), Refused> {
    let today = state.today();
    record(
        state,
        &user.audit(
            AuditAction::Create,
            "case",
            case.id.to_string(),
            "letter",
            serde_json::json!({ "letter": t.code, "duty": duty.map(|d| d.id), "bytes": pdf.len() }),
        ),
    )
    .await?;
    state
        .casework
        .add_letter(
            NewLetter {
                case_id: case.id,
                duty_id: duty.map(|d| d.id),
                code: t.code.clone(),
                title,
                language,
                sent_on: today,
                pdf,
            },
            user.account.id,
        )
        .await?;
    if let Some(d) = duty {
        let (start, end) = match t.records {
            Records::StartLetter => (Some(today), None),
            Records::EndLetter => (None, Some(today)),
            Records::Nothing => (None, None),
        };
        if start.is_some() || end.is_some() {
            state
                .casework
                .update_duty(case.id, d.id, None, start, end)
                .await?;
        }
    }
    Ok(())
}

/// `GET /cases/{id}/letters/{letter_id}`: the PDF as it was sent, audited.
pub(crate) async fn download(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseInfo,
    letter_id: i64,
) -> Result<Response, Refused> {
    let (title, pdf) = state
        .casework
        .letter_pdf(case.id, letter_id)
        .await?
        .ok_or(Refused::NotFound)?;
    audit_view(state, user, "case", case.id.to_string(), "letter read").await?;
    tracing::debug!("letter {letter_id} ({title}) read");
    let name = format!("case-{}-letter-{letter_id}.pdf", case.id);
    Ok(crate::documents::attachment(pdf, "application/pdf", &name))
}
