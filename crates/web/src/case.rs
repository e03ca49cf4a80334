//! The case page and its forms: one named connector, the strengths-based
//! conversation, the SMART support plan, contact attempts, homelessness
//! duties and their letters, consent, referrals out, and closing the case
//! to the casework standards. Every view and every change is audited first.

use crate::auth::{audit_view, record, CurrentUser, Refused};
use crate::casework_data::{
    CaseInfo, Conversation, NewConsent, NewPlanAction, NewReferral, OpenCase, StaffMember,
};
use crate::forms::{Failed, Fields, Problems};
use crate::household::{day, words};
use crate::layout::Layout;
use crate::pages::render;
use crate::worklist::{alerts, attempts_of, duty_of, see_other, standards, CaseAlerts};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::{NaiveDate, Utc};
use upstream_casework::{
    check_closure, duty_clock, validate_action, validate_attempt, validate_consent, ActionOwner,
    ActionStatus, Attempt, Choice, ClosureReason, Duty, DutyKind, NewAction,
};
use upstream_core::{AuditAction, Role};

struct ActionView {
    id: i64,
    what: String,
    how: String,
    owner: String,
    due: String,
    status: String,
    status_code: String,
    late: bool,
}

struct AttemptView {
    on: String,
    channel: String,
    result: String,
    note: String,
    by: String,
}

struct DutyView {
    id: i64,
    title: String,
    started: String,
    day_line: String,
    warnings: Vec<String>,
    start_letter: String,
    end_letter: String,
    ended: bool,
}

struct ConsentView {
    id: i64,
    given_by: String,
    organisations: String,
    purposes: String,
    how: String,
    given: String,
    until: String,
    live: bool,
    withdrawn: String,
}

struct ReferralView {
    id: i64,
    to: String,
    reason: String,
    status: String,
    when: String,
}

/// The top of the case: what a caseworker needs before anything else.
struct CaseSummary {
    duty: String,
    next_action: String,
    last_contact: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    case: CaseInfo,
    /// The resident's name (or the household's names), the page's heading.
    heading: String,
    household_label: String,
    summary: CaseSummary,
    reach: crate::contact::ReachView,
    reach_link: String,
    chronology: Vec<crate::chronology::ChronologyView>,
    letters: crate::letters::LettersPart,
    /// (id, kind, file name, size, uploaded) for each document, newest first.
    documents: Vec<(i64, String, String, String, String)>,
    document_kinds: Vec<String>,
    /// This user's reminders on this case, not yet done: (what, due, "Overdue" or "").
    reminders: Vec<(String, String, &'static str)>,
    open: bool,
    leader: bool,
    origin: String,
    alerts: CaseAlerts,
    conversation: Conversation,
    conversation_note: String,
    actions: Vec<ActionView>,
    statuses: Vec<(String, String)>,
    attempts: Vec<AttemptView>,
    duties: Vec<DutyView>,
    consents: Vec<ConsentView>,
    referrals: Vec<ReferralView>,
    /// Organisations a live consent covers today: the only ones a referral may go to.
    may_refer_to: Vec<String>,
    organisations: Vec<String>,
    purposes: Vec<Choice>,
    obtained: Vec<Choice>,
    channels: Vec<Choice>,
    results: Vec<(String, String)>,
    reasons: Vec<ClosureReason>,
    staff: Vec<StaffMember>,
    closed_line: String,
    connector: String,
    connector_id: i64,
    opened: String,
    failed: Failed,
}

/// The case, if this user may see it (staff only; others get "not found").
/// Staff outside the case's team first say why (`CaseOrReason::Reason`).
async fn case_or_reason(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<CaseOrReason, Refused> {
    if !matches!(user.role(), Role::Connector | Role::TeamLeader) {
        return Err(Refused::NotFound);
    }
    let id: i64 = id.parse().map_err(|_| Refused::NotFound)?;
    let case = state
        .casework
        .case_info(id)
        .await?
        .ok_or(Refused::NotFound)?;
    if outside_team(user, &case) {
        let since = Utc::now() - chrono::Duration::hours(REASON_LASTS_HOURS);
        if !state
            .casework
            .case_access_reason_since(case.id, user.account.id, since)
            .await?
        {
            return Ok(CaseOrReason::Reason(case));
        }
    }
    Ok(CaseOrReason::Case(case))
}

/// A stated reason covers one working day: long enough for the task it
/// was given for, short enough that a later look needs a reason of its own.
const REASON_LASTS_HOURS: i64 = 10;

enum CaseOrReason {
    Case(CaseInfo),
    /// Outside the case's team, with no reason stated yet.
    Reason(CaseInfo),
}

/// Whether this member of staff works outside the case's team. A case with
/// no team belongs to everyone.
fn outside_team(user: &CurrentUser, case: &CaseInfo) -> bool {
    case.team.is_some() && !crate::worklist::same_team(user, case.team.as_deref())
}

/// For changes: the case, or "forbidden" until a reason has been given.
async fn visible_case(state: &AppState, user: &CurrentUser, id: &str) -> Result<CaseInfo, Refused> {
    match case_or_reason(state, user, id).await? {
        CaseOrReason::Case(c) => Ok(c),
        CaseOrReason::Reason(_) => Err(Refused::Forbidden),
    }
}

/// `GET /cases/{id}`.
pub(crate) async fn case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    match case_or_reason(&state, &user, &id).await? {
        CaseOrReason::Case(case) => page(&state, &user, case, Failed::default()).await,
        CaseOrReason::Reason(case) => {
            reason_page(&state, &user, &case, Problems::default(), "").await
        }
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    case: CaseInfo,
    failed: Failed,
) -> Result<Response, Refused> {
    let cw = &state.casework;
    let s = standards();
    let today = state.today();
    audit_view(state, user, "case", case.id.to_string(), "case page").await?;
    let attempts = cw.attempts(case.id).await?;
    let duties = cw.duties(case.id).await?;
    let open_case = OpenCase {
        case: case.clone(),
        attempts: attempts.clone(),
        duties: duties.clone(),
    };
    let alerts = alerts(&open_case, today);
    let saved = cw.conversation(case.id).await?;
    let conversation_note = saved.as_ref().map_or_else(String::new, |c| {
        format!(
            "Last saved by {} on {} ({} version{} kept).",
            c.recorded_by,
            day(c.recorded_at.date_naive()),
            c.versions,
            if c.versions == 1 { "" } else { "s" }
        )
    });
    let mut conversation = saved.map(|c| c.conversation).unwrap_or_default();
    if failed.form == "conversation" {
        conversation = conversation_from(&failed.fields);
    }
    let plan = cw.plan_actions(case.id).await?;
    let next_action = plan
        .iter()
        .filter(|a| ActionStatus::parse(&a.status).is_some_and(|s| s.is_open()))
        .min_by_key(|a| a.due_on)
        .map(|a| format!("{} (due {})", a.what, day(a.due_on)))
        .unwrap_or_else(|| "None in the plan".into());
    let actions = plan
        .into_iter()
        .map(|a| {
            let status = ActionStatus::parse(&a.status);
            ActionView {
                id: a.id,
                what: a.what,
                how: a.how_we_will_know,
                owner: format!(
                    "{} ({})",
                    a.owner_name,
                    ActionOwner::parse(&a.owner).map_or("", |o| o.label())
                ),
                due: day(a.due_on),
                late: a.due_on < today && status.is_some_and(|s| s.is_open()),
                status: status.map_or_else(|| words(&a.status), |s| s.label().to_string()),
                status_code: a.status,
            }
        })
        .collect();
    let consents_rows = cw.consents_of(case.household_id).await?;
    let purpose_label = |code: &str| {
        s.consent_purpose(code)
            .map_or_else(|| words(code), |c| c.label.clone())
    };
    let mut may_refer_to: Vec<String> = Vec::new();
    let consents = consents_rows
        .iter()
        .map(|c| {
            let live = c.is_live(today);
            if live {
                may_refer_to.extend(c.organisations.iter().cloned());
            }
            ConsentView {
                id: c.id,
                given_by: c.given_by.clone(),
                organisations: c.organisations.join(", "),
                purposes: c
                    .purposes
                    .iter()
                    .map(|p| purpose_label(p))
                    .collect::<Vec<_>>()
                    .join(", "),
                how: s
                    .obtained_how(&c.obtained_how)
                    .map_or_else(|| words(&c.obtained_how), |o| o.label.clone()),
                given: day(c.given_on),
                until: c.expires_on.map_or_else(|| "Until withdrawn".into(), day),
                live,
                withdrawn: c.withdrawn_on.map_or_else(String::new, |w| {
                    format!(
                        "Withdrawn on {}{}",
                        day(w),
                        c.withdrawal_note
                            .as_deref()
                            .filter(|n| !n.is_empty())
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default()
                    )
                }),
            }
        })
        .collect();
    may_refer_to.sort();
    may_refer_to.dedup();
    let referrals = cw
        .referrals(crate::casework_data::ReferralFilter {
            case_id: Some(case.id),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|r| ReferralView {
            id: r.id,
            to: r.to_organisation,
            reason: r.reason,
            status: words(&r.status),
            when: day(r.received_at.date_naive()),
        })
        .collect();
    let duty_views: Vec<DutyView> = duties.iter().map(|d| duty_view(d, today)).collect();
    let household_label = cw
        .household_labels(vec![case.household_id])
        .await?
        .into_iter()
        .next()
        .map(|(_, l)| l)
        .unwrap_or_else(|| format!("Household {}", case.household_id));
    let closure_label = case
        .closure_reason
        .as_deref()
        .map(|r| {
            s.closure_reason(r)
                .map_or_else(|| words(r), |c| c.label.clone())
        })
        .unwrap_or_default();
    // A case is given only within its own team, by that team's leader.
    let all_staff = cw.staff().await?;
    let team_staff: Vec<_> = all_staff
        .iter()
        .filter(|s| s.team.is_some() && s.team == case.team)
        .cloned()
        .collect();
    let (people, reach) = people_and_reach(state, &case, today).await?;
    let heading = resident_heading(state, &case, &people).await?;
    let summary = CaseSummary {
        duty: duty_views
            .iter()
            .find(|d| !d.ended)
            .map(|d| format!("{}: {}", d.title, d.day_line))
            .unwrap_or_else(|| "No duty running".into()),
        next_action,
        last_contact: attempts
            .iter()
            .max_by_key(|a| (a.on, a.id))
            .map(|a| {
                format!(
                    "{}, {}: {}",
                    day(a.on),
                    s.channel(&a.channel)
                        .map_or_else(|| words(&a.channel), |c| c.label.clone()),
                    s.attempt_result(&a.result)
                        .map_or_else(|| words(&a.result), |r| r.label.clone())
                        .to_lowercase()
                )
            })
            .unwrap_or_else(|| "No contact recorded yet".into()),
    };
    let chronology = crate::chronology::chronology(&cw.case_chronology(case.id).await?, &all_staff);
    let page = CasePage {
        layout: Layout::new(state, Some(user)).await.at("/worklist"),
        heading,
        summary,
        reach,
        reach_link: format!("/households/{}/contact", case.household_id),
        chronology,
        letters: crate::letters::part(
            &case,
            cw.letters_of(case.id).await?,
            &duty_views
                .iter()
                .map(|d| (d.id, d.title.clone()))
                .collect::<Vec<_>>(),
        ),
        documents: cw
            .documents_of(case.id)
            .await?
            .into_iter()
            .map(|d| {
                let size = if d.size >= 1 << 20 {
                    format!("{:.1} MB", d.size as f64 / f64::from(1 << 20))
                } else {
                    format!("{} KB", (d.size + 1023) / 1024)
                };
                let when = format!("{}, by {}", day(d.at.date_naive()), d.by);
                (d.id, d.kind, d.file_name, size, when)
            })
            .collect(),
        document_kinds: crate::documents::KINDS.map(String::from).to_vec(),
        reminders: cw
            .open_reminders(Some(user.account.id), None)
            .await?
            .into_iter()
            .filter(|r| r.case_id == case.id)
            .map(|r| {
                let late = if r.due_on < today { "Overdue" } else { "" };
                (r.what, day(r.due_on), late)
            })
            .collect(),
        open: case.is_open(),
        leader: user.role() == Role::TeamLeader
            && crate::worklist::same_team(user, case.team.as_deref()),
        origin: match case.origin.as_str() {
            "referral" => "A referral".into(),
            "self_referral" => "The resident asked for help".into(),
            _ => "The weekly list".into(),
        },
        closed_line: format!(
            "on {}: {}{}",
            case.closed_on.map(day).unwrap_or_default(),
            closure_label,
            case.closure_note
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
        connector: case
            .connector_name
            .clone()
            .unwrap_or_else(|| "Nobody yet".into()),
        connector_id: case.connector_id.unwrap_or(0),
        opened: day(case.opened_on),
        case,
        household_label,
        alerts,
        conversation,
        conversation_note,
        actions,
        statuses: ActionStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.label().to_string()))
            .collect(),
        attempts: attempts
            .iter()
            .rev()
            .map(|a| AttemptView {
                on: day(a.on),
                channel: s
                    .channel(&a.channel)
                    .map_or_else(|| words(&a.channel), |c| c.label.clone()),
                result: s
                    .attempt_result(&a.result)
                    .map_or_else(|| words(&a.result), |r| r.label.clone()),
                note: a.note.clone(),
                by: a.recorded_by.clone(),
            })
            .collect(),
        duties: duty_views,
        consents,
        referrals,
        may_refer_to,
        organisations: cw
            .partner_organisations()
            .await?
            .into_iter()
            .map(|o| o.name)
            .collect(),
        purposes: s.consent_purposes.clone(),
        obtained: s.obtained_how.clone(),
        channels: s.channels.clone(),
        results: s
            .attempt_results
            .iter()
            .map(|r| (r.code.clone(), r.label.clone()))
            .collect(),
        reasons: s.closure_reasons.clone(),
        staff: team_staff,
        failed,
    };
    Ok(render(page.failed.status(), &page))
}

/// The case household's people and how to reach them (nothing, for a
/// household storage no longer has).
async fn people_and_reach(
    state: &AppState,
    case: &CaseInfo,
    today: NaiveDate,
) -> Result<(Vec<crate::household::PersonView>, crate::contact::ReachView), Refused> {
    let household = state.source.household(case.household_id, today).await?;
    let people = household
        .as_ref()
        .map(crate::household::people)
        .unwrap_or_default();
    let reach = match &household {
        Some(h) => crate::contact::reach(state, h, &people).await?,
        None => crate::contact::ReachView::unknown(),
    };
    Ok((people, reach))
}

/// Whose case it is, for the heading: the referred person's name, or the
/// household's people ("Jo Bloggs and Sam Bloggs", "Jo Bloggs and 3 others").
async fn resident_heading(
    state: &AppState,
    case: &CaseInfo,
    people: &[crate::household::PersonView],
) -> Result<String, Refused> {
    if let Some(referral_id) = case.referral_id {
        if let Some(r) = state.casework.referral(referral_id).await? {
            if !r.subject_name.trim().is_empty() {
                return Ok(r.subject_name);
            }
        }
    }
    let names: Vec<&str> = people
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| *n != "Name not recorded")
        .collect();
    Ok(match names.as_slice() {
        [] => format!("Case {}", case.id),
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, rest @ ..] => format!("{a} and {} others", rest.len()),
    })
}

/// `GET /cases/{id}` for staff outside the case's team: say why first.
async fn reason_page(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseInfo,
    problems: Problems,
    typed: &str,
) -> Result<Response, Refused> {
    let team = case.team.clone().unwrap_or_default();
    let page = ReasonPage {
        layout: Layout::new(state, Some(user)).await.at("/worklist"),
        case_id: case.id,
        team,
        reason: typed.to_string(),
        status: if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        problems,
    };
    Ok(render(page.status, &page))
}

#[derive(Template)]
#[template(path = "case_reason.html")]
struct ReasonPage {
    layout: Layout,
    case_id: i64,
    team: String,
    reason: String,
    status: StatusCode,
    problems: Problems,
}

/// `POST /cases/{id}/reason`: why someone outside the team needs the case.
/// Recorded, audited and shown on that team's leader's page.
pub(crate) async fn give_reason(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = match case_or_reason(&state, &user, &id).await? {
        CaseOrReason::Case(c) | CaseOrReason::Reason(c) => c,
    };
    let fields = Fields(form);
    let reason = fields.get("reason");
    let mut problems = Problems::default();
    if reason.chars().count() < 10 {
        problems.add(
            "reason",
            "Enter why you need to see this case, for example “the resident called our team about their rent”",
        );
    } else if reason.chars().count() > 500 {
        problems.add("reason", "The reason must be 500 characters or fewer");
    }
    if !problems.is_empty() {
        return reason_page(&state, &user, &case, problems, &reason).await;
    }
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::View,
        "case outside own team",
        serde_json::json!({ "reason": reason, "case_team": case.team }),
    )
    .await?;
    state
        .casework
        .add_case_access_reason(case.id, user.account.id, user.account.team.clone(), reason)
        .await?;
    Ok(see_other(&format!("/cases/{}", case.id)))
}

/// `POST /cases/{id}/letters`: write a statutory letter from the council's
/// templates to the household's postal address, keep its PDF, and record it
/// on the duty it is about.
pub(crate) async fn write_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let cw = &state.casework;
    let today = state.today();
    let duties = cw.duties(case.id).await?;
    let mut problems = Problems::default();
    let chosen = match crate::letters::choose(&case, &fields, &duties) {
        Ok(c) => Some(c),
        Err((field, message)) => {
            problems.add(field, message);
            None
        }
    };
    let details = fields.get("letter_details");
    if details.is_empty() {
        problems.add(
            "letter_details",
            "Enter what the letter says about this case",
        );
    } else if details.chars().count() > 4000 {
        problems.add(
            "letter_details",
            "What the letter says must be 4,000 characters or fewer",
        );
    }
    let (people, reach) = people_and_reach(&state, &case, today).await?;
    // A letter goes only to an address that may be used: never to one the
    // resident or staff said not to write to.
    let address = reach
        .usable()
        .find(|d| d.kind_code == "address")
        .map(|d| d.value.clone());
    if address.is_none() {
        problems.add(
            "letter_code",
            "No postal address may be used for this household: add one on the contact details page",
        );
    }
    let (Some((template, duty)), Some(address), true) = (chosen, address, problems.is_empty())
    else {
        let failed = Failed {
            form: "letter",
            problems,
            fields,
        };
        return page(&state, &user, case, failed).await;
    };
    let plan = cw
        .plan_actions(case.id)
        .await?
        .into_iter()
        .map(|a| format!("{} ({}, by {})", a.what, a.owner_name, day(a.due_on)))
        .collect();
    let filled = upstream_letters::Fields {
        name: resident_heading(&state, &case, &people).await?,
        address: address.split(", ").map(String::from).collect(),
        date: today,
        council: state
            .source
            .council_name()
            .await?
            .unwrap_or_else(|| crate::layout::NO_COUNCIL.to_string()),
        case: format!("Case {}", case.id),
        duty_start: duty.map(|d| d.started_on),
        duty_end: duty.and_then(|d| d.ended_on),
        connector: case
            .connector_name
            .clone()
            .unwrap_or_else(|| user.account.display_name.clone()),
        details,
        details_cy: fields.get("letter_details_cy"),
        plan,
    };
    let doc = upstream_letters::render(template, &filled);
    let pdf = upstream_letters::pdf::write(&doc).map_err(|e| {
        tracing::error!("writing letter {} for case {}: {e}", template.code, case.id);
        Refused::Unavailable
    })?;
    crate::letters::keep(
        &state,
        &user,
        &case,
        template,
        duty,
        doc.title,
        doc.language,
        pdf,
    )
    .await?;
    Ok(back(&case, "letters"))
}

/// `POST /cases/{id}/documents`: evidence uploaded to the case (a multipart
/// form; its CSRF token was checked by the session gate).
pub(crate) async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let (mut kind, mut file_name, mut bytes) = (String::new(), String::new(), Vec::new());
    let mut problems = Problems::default();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("document_kind") => kind = field.text().await.unwrap_or_default(),
                Some("document") => {
                    file_name = field.file_name().unwrap_or("").to_string();
                    match field.bytes().await {
                        Ok(b) => bytes = b.to_vec(),
                        Err(_) => problems.add("document", "The file must be smaller than 10 MB"),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                problems.add("document", "The upload did not arrive whole: try again");
                break;
            }
        }
    }
    if !crate::documents::KINDS.contains(&kind.as_str()) {
        problems.add("document_kind", "Select what the document is");
    }
    let content_type = match crate::documents::content_type(&bytes) {
        Ok(t) => Some(t),
        Err(m) => {
            if problems.of("document").is_empty() {
                problems.add("document", m);
            }
            None
        }
    };
    let (Some(content_type), true) = (content_type, problems.is_empty()) else {
        let failed = Failed {
            form: "document",
            problems,
            fields: Fields(vec![("document_kind".into(), kind)]),
        };
        return page(&state, &user, case, failed).await;
    };
    let file_name = crate::documents::tidy_name(&file_name);
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Create,
        "document",
        serde_json::json!({ "kind": kind, "type": content_type, "bytes": bytes.len() }),
    )
    .await?;
    state
        .casework
        .add_document(
            crate::casework_data::NewDocument {
                case_id: case.id,
                kind,
                file_name,
                content_type: content_type.into(),
                bytes,
            },
            user.account.id,
        )
        .await?;
    Ok(back(&case, "documents"))
}

/// `GET /cases/{id}/documents/{document_id}`: a document as it was uploaded,
/// always as a download (never shown inline, whatever it holds).
pub(crate) async fn document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, document_id)): Path<(String, i64)>,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    let (name, content_type, bytes) = state
        .casework
        .document(case.id, document_id)
        .await?
        .ok_or(Refused::NotFound)?;
    audit_view(&state, &user, "case", case.id.to_string(), "document read").await?;
    Ok(crate::documents::attachment(bytes, &content_type, &name))
}

/// `GET /cases/{id}/letters/{letter_id}`: a kept letter's PDF.
pub(crate) async fn letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, letter_id)): Path<(String, i64)>,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    crate::letters::download(&state, &user, &case, letter_id).await
}

/// `POST /cases/{id}/reminders`: a task for oneself on this case, due on a day.
pub(crate) async fn add_reminder(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let today = state.today();
    let mut problems = Problems::default();
    let what = fields.get("reminder_what");
    if what.is_empty() {
        problems.add("reminder_what", "Enter what to do");
    } else if what.chars().count() > 300 {
        problems.add(
            "reminder_what",
            "The reminder must be 300 characters or fewer",
        );
    }
    let due = match fields.date("reminder_due", "The day it is due") {
        Ok(Some(d)) if d < today => {
            problems.add("reminder_due", "The day it is due must be today or later");
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            problems.add("reminder_due", "Enter the day it is due");
            None
        }
        Err(m) => {
            problems.add("reminder_due", m);
            None
        }
    };
    let (Some(due), true) = (due, problems.is_empty()) else {
        let failed = Failed {
            form: "reminder",
            problems,
            fields,
        };
        return page(&state, &user, case, failed).await;
    };
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Create,
        "reminder",
        serde_json::json!({ "due_on": due.to_string() }),
    )
    .await?;
    state
        .casework
        .add_reminder(case.id, user.account.id, what, due)
        .await?;
    Ok(back(&case, "reminders"))
}

/// `POST /cases/{id}/notes`: a case note, kept as written.
pub(crate) async fn add_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    let fields = Fields(form);
    let body = fields.get("note_body");
    let mut problems = Problems::default();
    if body.is_empty() {
        problems.add("note_body", "Enter the note");
    } else if body.chars().count() > 5000 {
        problems.add("note_body", "The note must be 5,000 characters or fewer");
    }
    if !problems.is_empty() {
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "note",
                problems,
                fields,
            },
        )
        .await;
    }
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Create,
        "case note",
        serde_json::json!({ "characters": body.chars().count() }),
    )
    .await?;
    state
        .casework
        .add_case_note(case.id, body, user.account.id)
        .await?;
    Ok(back(&case, "chronology"))
}

fn duty_view(d: &crate::casework_data::DutyRow, today: NaiveDate) -> DutyView {
    let duty = duty_of(d);
    let kind = duty.kind;
    let letter = |sent: Option<NaiveDate>, due: NaiveDate| match sent {
        Some(s) => format!("Sent {}", day(s)),
        None => format!("Not sent: due by {}", day(due)),
    };
    match duty_clock(standards(), &duty, today) {
        Ok(c) => DutyView {
            id: d.id,
            title: c.title.clone(),
            started: day(d.started_on),
            day_line: match d.ended_on {
                Some(e) => format!("Ended {} (day {} of {})", day(e), c.day, c.days),
                None => format!(
                    "Day {} of {}: the period ends on {}",
                    c.day,
                    c.days,
                    day(c.ends_on)
                ),
            },
            warnings: c.warnings.clone(),
            start_letter: letter(c.start_letter.sent_on, c.start_letter.due_on),
            end_letter: c
                .end_letter
                .map_or_else(String::new, |l| letter(l.sent_on, l.due_on)),
            ended: d.ended_on.is_some(),
        },
        Err(e) => DutyView {
            id: d.id,
            title: kind.label().to_string(),
            started: day(d.started_on),
            day_line: String::new(),
            warnings: vec![format!("This record needs correcting: {e}")],
            start_letter: String::new(),
            end_letter: String::new(),
            ended: d.ended_on.is_some(),
        },
    }
}

fn conversation_from(f: &Fields) -> Conversation {
    Conversation {
        held_on: None,
        what_matters: f.get("what_matters"),
        strengths: f.get("strengths"),
        support_network: f.get("support_network"),
        worries: f.get("worries"),
        goals: f.get("goals"),
    }
}

/// Refuse changes to a closed case (it is read-only once closed).
fn must_be_open(case: &CaseInfo) -> Result<(), Refused> {
    if case.is_open() {
        Ok(())
    } else {
        Err(Refused::Forbidden)
    }
}

async fn audit_change(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseInfo,
    action: AuditAction,
    purpose: &str,
    detail: serde_json::Value,
) -> Result<(), Refused> {
    record(
        state,
        &user.audit(action, "case", case.id.to_string(), purpose, detail),
    )
    .await
}

fn back(case: &CaseInfo, section: &str) -> Response {
    see_other(&format!("/cases/{}#{section}", case.id))
}

type CaseForm = Form<Vec<(String, String)>>;

/// `POST /cases/{id}/conversation`.
pub(crate) async fn save_conversation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let c = conversation_from(&fields);
    if c.what_matters.is_empty() {
        let mut problems = Problems::default();
        problems.add(
            "what_matters",
            "Enter what matters to the resident, in their words",
        );
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "conversation",
                problems,
                fields,
            },
        )
        .await;
    }
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Change,
        "conversation record",
        serde_json::json!({}),
    )
    .await?;
    state
        .casework
        .save_conversation(case.id, c, user.account.id)
        .await?;
    Ok(back(&case, "conversation"))
}

/// `POST /cases/{id}/actions`: a SMART action for the support plan.
pub(crate) async fn add_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let today = state.today();
    let mut problems = Problems::default();
    let owner = ActionOwner::parse(&fields.get("owner"));
    let due = fields.date("due_on", "The due date");
    let action = NewAction {
        what: fields.get("what"),
        how_we_will_know: fields.get("how_we_will_know"),
        owner: owner.unwrap_or(ActionOwner::Resident),
        owner_name: fields.get("owner_name"),
        due_on: due.clone().ok().flatten(),
    };
    if let Err(p) = validate_action(&action, today) {
        problems.extend(p);
    }
    if owner.is_none() {
        problems.add("owner", "Select who owns this action");
    }
    if let Err(m) = due {
        problems.0.retain(|(f, _)| f != "due_on");
        problems.add("due_on", m);
    }
    let (true, Some(due_on)) = (problems.is_empty(), action.due_on) else {
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "action",
                problems,
                fields,
            },
        )
        .await;
    };
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Create,
        "support plan action",
        serde_json::json!({ "due_on": due_on.to_string() }),
    )
    .await?;
    state
        .casework
        .add_plan_action(
            case.id,
            NewPlanAction {
                what: action.what,
                how_we_will_know: action.how_we_will_know,
                owner: action.owner.as_str().into(),
                owner_name: action.owner_name,
                due_on,
            },
            user.account.id,
        )
        .await?;
    Ok(back(&case, "plan"))
}

/// `POST /cases/{id}/actions/{action_id}/status`.
pub(crate) async fn action_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, action_id)): Path<(String, i64)>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let status = ActionStatus::parse(&Fields(form).get("status")).ok_or(Refused::NotFound)?;
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Change,
        "support plan action status",
        serde_json::json!({ "action": action_id, "status": status.as_str() }),
    )
    .await?;
    if !state
        .casework
        .set_plan_action_status(case.id, action_id, status.as_str().into())
        .await?
    {
        return Err(Refused::NotFound);
    }
    Ok(back(&case, "plan"))
}

/// `POST /cases/{id}/attempts`: a contact attempt and what came of it.
pub(crate) async fn add_attempt(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let today = state.today();
    let mut problems = Problems::default();
    let on = match fields.date("on", "The date of the attempt") {
        Ok(d) => d.unwrap_or(today),
        Err(m) => {
            problems.add("on", m);
            today
        }
    };
    let attempt = Attempt::new(on, &fields.get("channel"), &fields.get("result"));
    if let Err(p) = validate_attempt(standards(), &attempt, today) {
        problems.extend(p);
    }
    if !problems.is_empty() {
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "attempt",
                problems,
                fields,
            },
        )
        .await;
    }
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Create,
        "contact attempt",
        serde_json::json!({ "channel": attempt.channel, "result": attempt.result }),
    )
    .await?;
    state
        .casework
        .record_attempt(
            case.id,
            case.household_id,
            on,
            attempt.channel,
            attempt.result,
            fields.get("note"),
            user.account.display_name.clone(),
        )
        .await?;
    Ok(back(&case, "contact"))
}

/// `POST /cases/{id}/duties`: a prevention or relief duty starts.
pub(crate) async fn add_duty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let today = state.today();
    let mut problems = Problems::default();
    let kind = DutyKind::parse(&fields.get("kind"));
    if kind.is_none() {
        problems.add("kind", "Select which duty is owed");
    }
    let started = match fields.date("started_on", "The date the duty started") {
        Ok(Some(d)) if d > today => {
            problems.add(
                "started_on",
                "The date the duty started must be today or in the past",
            );
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            problems.add("started_on", "Enter the date the duty started");
            None
        }
        Err(m) => {
            problems.add("started_on", m);
            None
        }
    };
    let (Some(kind), Some(started)) = (kind, started) else {
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "duty",
                problems,
                fields,
            },
        )
        .await;
    };
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Create,
        "homelessness duty",
        serde_json::json!({ "kind": kind.as_str(), "started_on": started.to_string() }),
    )
    .await?;
    state
        .casework
        .add_duty(
            case.id,
            kind.as_str().into(),
            case.nation.clone(),
            started,
            user.account.id,
        )
        .await?;
    Ok(back(&case, "duties"))
}

/// `POST /cases/{id}/duties/{duty_id}`: a letter sent, or the duty ended.
pub(crate) async fn update_duty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, duty_id)): Path<(String, i64)>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let today = state.today();
    let duties = state.casework.duties(case.id).await?;
    let duty = duties
        .iter()
        .find(|d| d.id == duty_id)
        .ok_or(Refused::NotFound)?;
    let what = fields.get("what");
    let on = match fields.date("on", "The date") {
        Ok(d) => d.unwrap_or(today),
        Err(m) => {
            let mut problems = Problems::default();
            problems.add("on", m);
            return page(
                &state,
                &user,
                case,
                Failed {
                    form: "duty_update",
                    problems,
                    fields,
                },
            )
            .await;
        }
    };
    let (ended, start_letter, end_letter) = match what.as_str() {
        "start_letter" => (None, Some(on), None),
        "end_letter" => (None, None, Some(on)),
        "ended" => (Some(on), None, None),
        _ => return Err(Refused::NotFound),
    };
    // Check the changed record with the same rules the clock uses.
    let stored = duty_of(duty);
    let changed = Duty {
        ended_on: ended.or(stored.ended_on),
        start_letter_sent_on: start_letter.or(stored.start_letter_sent_on),
        end_letter_sent_on: end_letter.or(stored.end_letter_sent_on),
        ..stored
    };
    if let Err(e) = duty_clock(standards(), &changed, today) {
        let mut problems = Problems::default();
        problems.add("on", e.to_string());
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "duty_update",
                problems,
                fields,
            },
        )
        .await;
    }
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Change,
        "homelessness duty",
        serde_json::json!({ "duty": duty_id, "what": what, "on": on.to_string() }),
    )
    .await?;
    state
        .casework
        .update_duty(case.id, duty_id, ended, start_letter, end_letter)
        .await?;
    Ok(back(&case, "duties"))
}

/// `POST /cases/{id}/consents`: what the resident agreed to share.
pub(crate) async fn add_consent(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let today = state.today();
    let mut problems = Problems::default();
    let known: Vec<String> = state
        .casework
        .partner_organisations()
        .await?
        .into_iter()
        .map(|o| o.name)
        .collect();
    let organisations: Vec<String> = fields
        .all("organisations")
        .into_iter()
        .filter(|o| known.contains(o))
        .collect();
    let expires_on = match fields.date("expires_on", "The date consent ends") {
        Ok(d) => d,
        Err(m) => {
            problems.add("expires_on", m);
            None
        }
    };
    let new = upstream_casework::NewConsent {
        given_by: fields.get("given_by"),
        organisations: organisations.clone(),
        purposes: fields.all("purposes"),
        obtained_how: fields.get("obtained_how"),
        given_on: Some(today),
        expires_on,
    };
    if let Err(p) = validate_consent(&new, standards(), today) {
        problems.extend(p);
    }
    if !problems.is_empty() {
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "consent",
                problems,
                fields,
            },
        )
        .await;
    }
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Create,
        "consent",
        serde_json::json!({ "organisations": organisations, "purposes": new.purposes }),
    )
    .await?;
    state
        .casework
        .record_consent(
            NewConsent {
                household_id: case.household_id,
                case_id: Some(case.id),
                given_by: new.given_by.clone(),
                organisations,
                purposes: new.purposes.clone(),
                obtained_how: new.obtained_how.clone(),
                given_on: today,
                expires_on,
            },
            user.account.id,
        )
        .await?;
    Ok(back(&case, "consent"))
}

#[derive(Template)]
#[template(path = "consent_withdraw.html")]
struct WithdrawPage {
    layout: Layout,
    case_id: i64,
    consent_id: i64,
    given_by: String,
    organisations: String,
    reason: String,
    problems: Problems,
}

/// The consent, if it is this case's household's and still in force.
async fn withdrawable(
    state: &AppState,
    case: &CaseInfo,
    consent_id: i64,
) -> Result<crate::casework_data::ConsentRow, Refused> {
    state
        .casework
        .consents_of(case.household_id)
        .await?
        .into_iter()
        .find(|c| c.id == consent_id && c.withdrawn_on.is_none())
        .ok_or(Refused::NotFound)
}

async fn withdraw_page(
    state: &AppState,
    user: &CurrentUser,
    case: &CaseInfo,
    consent: &crate::casework_data::ConsentRow,
    reason: String,
    problems: Problems,
) -> Result<Response, Refused> {
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = WithdrawPage {
        layout: Layout::new(state, Some(user)).await.at("/worklist"),
        case_id: case.id,
        consent_id: consent.id,
        given_by: consent.given_by.clone(),
        organisations: consent.organisations.join(", "),
        reason,
        problems,
    };
    Ok(render(status, &page))
}

/// `GET /cases/{id}/consents/{consent_id}/withdraw`: are you sure, and why.
pub(crate) async fn confirm_withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, consent_id)): Path<(String, i64)>,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    let consent = withdrawable(&state, &case, consent_id).await?;
    withdraw_page(
        &state,
        &user,
        &case,
        &consent,
        String::new(),
        Problems::default(),
    )
    .await
}

/// `POST /cases/{id}/consents/{consent_id}/withdraw`: takes effect at once,
/// and needs a reason (a partner loses sight of the household, and the
/// resident may later ask why).
pub(crate) async fn withdraw_consent(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, consent_id)): Path<(String, i64)>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    let consent = withdrawable(&state, &case, consent_id).await?;
    let fields = Fields(form);
    let reason = fields.get("note");
    let mut problems = Problems::default();
    if reason.is_empty() {
        problems.add("note", "Enter why consent is being withdrawn");
    } else if reason.chars().count() > 500 {
        problems.add("note", "The reason must be 500 characters or fewer");
    }
    if !problems.is_empty() {
        return withdraw_page(&state, &user, &case, &consent, reason, problems).await;
    }
    let today = state.today();
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Change,
        "consent withdrawn",
        serde_json::json!({ "consent": consent_id }),
    )
    .await?;
    if !state
        .casework
        .withdraw_consent(
            case.household_id,
            consent_id,
            today,
            user.account.id,
            fields.get("note"),
        )
        .await?
    {
        return Err(Refused::NotFound);
    }
    Ok(back(&case, "consent"))
}

/// `POST /cases/{id}/referrals`: refer to a partner, only as consent allows.
pub(crate) async fn refer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let today = state.today();
    let to = fields.get("to_organisation");
    let reason = fields.get("reason");
    let consent = state
        .casework
        .consents_of(case.household_id)
        .await?
        .into_iter()
        .find(|c| c.is_live(today) && c.organisations.contains(&to));
    let mut problems = Problems::default();
    if consent.is_none() {
        problems.add(
            "to_organisation",
            "Select an organisation the resident has agreed to share with",
        );
    }
    if reason.is_empty() {
        problems.add(
            "reason",
            "Enter why you are referring, so the partner knows what help is needed",
        );
    }
    let (true, Some(consent)) = (problems.is_empty(), consent) else {
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "referral",
                problems,
                fields,
            },
        )
        .await;
    };
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Create,
        "referral out",
        serde_json::json!({ "to": to, "consent": consent.id }),
    )
    .await?;
    state
        .casework
        .add_referral(NewReferral {
            direction: "out".into(),
            team: case.team.clone(),
            case_id: Some(case.id),
            household_id: Some(case.household_id),
            consent_id: Some(consent.id),
            from_organisation: case.team.clone().unwrap_or_else(|| "Council".into()),
            to_organisation: to,
            referrer_name: user.account.display_name.clone(),
            referrer_contact: String::new(),
            created_by: Some(user.account.id),
            subject_name: consent.given_by.clone(),
            reason,
            resident_agreed: true,
            ..NewReferral::default()
        })
        .await?;
    Ok(back(&case, "referrals"))
}

/// `POST /cases/{id}/close`: needs a reason from the standard list, and
/// enough tries on enough channels before closing for loss of contact.
pub(crate) async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    must_be_open(&case)?;
    let fields = Fields(form);
    let today = state.today();
    let reason = fields.get("reason");
    let note = fields.get("note");
    let attempts = attempts_of(&state.casework.attempts(case.id).await?);
    if let Err(refused) = check_closure(standards(), &reason, &note, &attempts, today) {
        let mut problems = Problems::default();
        let field = if matches!(
            refused,
            upstream_casework::ClosureRefused::NoteNeeded { .. }
        ) {
            "note"
        } else {
            "reason"
        };
        problems.add(field, refused.to_string());
        return page(
            &state,
            &user,
            case,
            Failed {
                form: "close",
                problems,
                fields,
            },
        )
        .await;
    }
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Change,
        "case closed",
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    state
        .casework
        .close_case(case.id, today, reason, note, user.account.id)
        .await?;
    Ok(back(&case, "top"))
}

/// `POST /cases/{id}/connector`: a team leader gives the case to another connector.
pub(crate) async fn reassign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): CaseForm,
) -> Result<Response, Refused> {
    let case = visible_case(&state, &user, &id).await?;
    user.require_role(&[Role::TeamLeader])?;
    must_be_open(&case)?;
    if !crate::worklist::same_team(&user, case.team.as_deref()) {
        return Err(Refused::Forbidden);
    }
    let connector = Fields(form).int("connector_id").ok_or(Refused::NotFound)?;
    let staff = state.casework.staff().await?;
    if !case
        .team
        .as_deref()
        .is_some_and(|team| crate::worklist::in_team(&staff, connector, team))
    {
        return Err(Refused::NotFound);
    }
    audit_change(
        &state,
        &user,
        &case,
        AuditAction::Change,
        "case connector",
        serde_json::json!({ "connector": connector }),
    )
    .await?;
    state
        .casework
        .set_case_connector(case.id, connector)
        .await?;
    Ok(back(&case, "top"))
}
