//! The weekly worklist: a team leader shares out the team's kept list and
//! fast-tracks households; a connector sees their caseload (the households
//! given to them and their open cases) with what is overdue.

use crate::auth::{audit_view, record, CurrentUser, Refused};
use crate::casework_data::{NewCase, OpenCase, StaffMember};
use crate::forms::{Fields, Problems};
use crate::household::day;
use crate::layout::Layout;
use crate::pages::render;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use upstream_casework::{
    contact_status, duty_clock, Attempt, ContactStatus, Duty, DutyKind, Standards,
};
use upstream_core::{AuditAction, Nation, Role};

static STANDARDS: OnceLock<Standards> = OnceLock::new();

/// The casework standards every page works to: the council's own when
/// [`use_standards`] was called before serving, else the built-in ones
/// (`crates/casework/standards.toml`).
pub(crate) fn standards() -> &'static Standards {
    STANDARDS.get_or_init(Standards::default_standards)
}

/// Work to a council's own casework standards. Call once, before serving;
/// a process has one set of standards (false when they were already fixed).
pub fn use_standards(standards: Standards) -> bool {
    STANDARDS.set(standards).is_ok()
}

pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

pub(crate) fn nation_of(code: &str) -> Nation {
    if code == "wales" {
        Nation::Wales
    } else {
        Nation::England
    }
}

/// A case's contact status and duty warnings, as lists show them.
pub(crate) struct CaseAlerts {
    pub(crate) contact: String,
    /// `govuk-tag--red`, `--yellow` or `--green`.
    pub(crate) contact_class: &'static str,
    pub(crate) overdue: bool,
    pub(crate) warnings: Vec<String>,
}

/// A stored duty as the casework rules read it (an unknown kind reads as
/// prevention: the database's CHECK allows only the two).
pub(crate) fn duty_of(d: &crate::casework_data::DutyRow) -> Duty {
    Duty {
        kind: DutyKind::parse(&d.kind).unwrap_or(DutyKind::Prevention),
        nation: nation_of(&d.nation),
        started_on: d.started_on,
        ended_on: d.ended_on,
        start_letter_sent_on: d.start_letter_sent_on,
        end_letter_sent_on: d.end_letter_sent_on,
    }
}

pub(crate) fn attempts_of(rows: &[crate::casework_data::AttemptRow]) -> Vec<Attempt> {
    rows.iter()
        .map(|a| Attempt::new(a.on, &a.channel, &a.result))
        .collect()
}

pub(crate) fn alerts(c: &OpenCase, today: NaiveDate) -> CaseAlerts {
    let s = standards();
    let status = contact_status(s, c.case.opened_on, &attempts_of(&c.attempts), today);
    let (contact, contact_class, overdue) = match status {
        ContactStatus::OnTrack { due_on } => (
            format!("Next contact by {}", day(due_on)),
            "govuk-tag--green",
            false,
        ),
        ContactStatus::DueSoon { due_on } => (
            format!("Contact due by {}", day(due_on)),
            "govuk-tag--yellow",
            false,
        ),
        ContactStatus::Overdue {
            due_on,
            days_overdue,
        } => (
            format!(
                "Contact overdue by {days_overdue} day{} (was due {})",
                if days_overdue == 1 { "" } else { "s" },
                day(due_on)
            ),
            "govuk-tag--red",
            true,
        ),
    };
    let mut warnings = Vec::new();
    for d in &c.duties {
        let duty = duty_of(d);
        match duty_clock(s, &duty, today) {
            Ok(clock) => warnings.extend(clock.warnings),
            Err(e) => warnings.push(format!(
                "The {} record needs correcting: {e}",
                duty.kind.label()
            )),
        }
    }
    CaseAlerts {
        contact,
        contact_class,
        overdue,
        warnings,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WorklistQuery {
    #[serde(default)]
    team: Option<String>,
}

struct EntryView {
    worklist_id: i64,
    rank: i32,
    household_id: i64,
    label: String,
    why: String,
    persona: String,
    /// The people living there.
    names: Option<String>,
    fast_tracked: bool,
    assigned_to: String,
    assigned_id: i64,
}

impl EntryView {
    fn shown_names(&self) -> &str {
        self.names.as_deref().unwrap_or("")
    }
}

/// One connector's load, for their team leader.
struct CaseloadRow {
    connector: String,
    open: usize,
    overdue: usize,
    deadlines: usize,
    waiting: usize,
    reminders_overdue: usize,
}

/// Something a connector must do by a day: a reminder they set, or a
/// support plan action staff own on one of their cases.
struct ReminderLine {
    /// For a reminder (it can be marked done here); `None` for a plan action.
    reminder_id: Option<i64>,
    case_id: i64,
    label: String,
    what: String,
    due: String,
    /// "Overdue", "Today" or "".
    when: &'static str,
    due_on: NaiveDate,
}

/// Someone outside the team looked at one of its cases, and why.
struct LookRow {
    case_id: i64,
    who: String,
    when: String,
    reason: String,
}

struct CaseLine {
    id: i64,
    connector_id: Option<i64>,
    label: String,
    connector: String,
    opened: String,
    alerts: CaseAlerts,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    layout: Layout,
    leader: bool,
    team: String,
    teams: Vec<String>,
    week: String,
    made: bool,
    entries: Vec<EntryView>,
    connectors: Vec<StaffMember>,
    /// Entries given to this connector that have no open case yet.
    assigned: Vec<EntryView>,
    cases: Vec<CaseLine>,
    overdue: Vec<CaseLine>,
    flag_problems: Problems,
    flag_household: String,
    flag_reason: String,
    /// Said when the latest monthly run failed.
    run_notice: Option<crate::runs::RunNotice>,
    caseload: Vec<CaseloadRow>,
    looks: Vec<LookRow>,
    /// A connector's reminders and staff plan actions, earliest first.
    reminders: Vec<ReminderLine>,
    /// Whether the list shown is the user's own team's (only its leader makes it).
    own_team: bool,
}

/// `GET /worklist`: the team's list for a team leader; the caseload for a connector.
pub(crate) async fn worklist(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<WorklistQuery>,
) -> Result<Response, Refused> {
    worklist_page(
        &state,
        &user,
        q.team,
        Problems::default(),
        Fields::default(),
    )
    .await
}

async fn worklist_page(
    state: &AppState,
    user: &CurrentUser,
    team: Option<String>,
    flag_problems: Problems,
    flag_form: Fields,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Connector, Role::TeamLeader])?;
    let leader = user.role() == Role::TeamLeader;
    let cw = &state.casework;
    let teams: Vec<String> = cw.teams().await?.into_iter().map(|t| t.name).collect();
    let team = team
        .filter(|t| leader && teams.contains(t))
        .or_else(|| user.account.team.clone())
        .or_else(|| teams.first().cloned())
        .unwrap_or_default();
    let today = state.today();
    let list = cw.latest_worklist(team.clone()).await?;
    // Everyone's names (an entry may be given to someone since moved team);
    // the team's own people are the ones offered.
    let everyone = cw.staff().await?;
    let names: HashMap<i64, String> = everyone
        .iter()
        .map(|s| (s.id, s.display_name.clone()))
        .collect();
    let connectors: Vec<StaffMember> = everyone
        .into_iter()
        .filter(|s| s.team.as_deref() == Some(team.as_str()))
        .collect();

    // The team's list (team leaders) and this connector's part of it.
    let mut entries = Vec::new();
    let mut week = String::new();
    if let Some(list) = &list {
        week = day(list.week_start);
        let given: HashMap<i32, i64> = cw
            .worklist_assignments(list.id)
            .await?
            .into_iter()
            .collect();
        for e in &list.entries {
            let assigned_id = given.get(&e.rank).copied().unwrap_or(0);
            entries.push(EntryView {
                worklist_id: list.id,
                rank: e.rank,
                household_id: e.household_id,
                label: String::new(),
                why: e.why.clone(),
                persona: e.persona.clone(),
                names: e.names.clone(),
                fast_tracked: e.fast_tracked,
                assigned_to: names.get(&assigned_id).cloned().unwrap_or_default(),
                assigned_id,
            });
        }
    }
    let open = if leader {
        cw.open_cases(None, Some(team.clone())).await?
    } else {
        cw.open_cases(Some(user.account.id), None).await?
    };
    let open_households: Vec<i64> = open.iter().map(|c| c.case.household_id).collect();
    let mut assigned = Vec::new();
    if !leader {
        for e in cw.entries_assigned_to(user.account.id).await? {
            if open_households.contains(&e.household_id)
                || assigned
                    .iter()
                    .any(|a: &EntryView| a.household_id == e.household_id)
            {
                continue;
            }
            assigned.push(EntryView {
                worklist_id: e.worklist_id,
                rank: e.rank,
                household_id: e.household_id,
                label: String::new(),
                why: e.why,
                persona: e.persona,
                names: e.names,
                fast_tracked: e.fast_tracked,
                assigned_to: user.account.display_name.clone(),
                assigned_id: user.account.id,
            });
        }
        entries.clear();
    }
    let mut ids: Vec<i64> = entries
        .iter()
        .chain(&assigned)
        .map(|e| e.household_id)
        .collect();
    ids.extend(&open_households);
    ids.sort_unstable();
    ids.dedup();
    let labels: BTreeMap<i64, String> = cw.household_labels(ids).await?.into_iter().collect();
    let label = |h: i64| {
        labels
            .get(&h)
            .cloned()
            .unwrap_or_else(|| format!("Household {h}"))
    };
    // Who lives there, by name: staff recognise people, not addresses alone.
    // Lists keep the names as they were made; only lists made before that
    // need them read now.
    let unnamed: Vec<i64> = entries
        .iter()
        .chain(&assigned)
        .filter(|e| e.names.is_none())
        .map(|e| e.household_id)
        .collect();
    let people: BTreeMap<i64, String> = if unnamed.is_empty() {
        BTreeMap::new()
    } else {
        cw.household_names(unnamed).await?.into_iter().collect()
    };
    for e in entries.iter_mut().chain(assigned.iter_mut()) {
        e.label = label(e.household_id);
        if e.names.is_none() {
            e.names = people.get(&e.household_id).cloned();
        }
        e.persona = persona_title(&e.persona);
    }
    let mut cases: Vec<CaseLine> = open
        .iter()
        .map(|c| CaseLine {
            id: c.case.id,
            label: label(c.case.household_id),
            connector: c
                .case
                .connector_name
                .clone()
                .unwrap_or_else(|| "Nobody yet".into()),
            connector_id: c.case.connector_id,
            opened: day(c.case.opened_on),
            alerts: alerts(c, today),
        })
        .collect();
    let mut caseload = Vec::new();
    let mut looks = Vec::new();
    let mut reminders = Vec::new();
    if leader {
        let team_reminders = cw.open_reminders(None, Some(team.clone())).await?;
        for c in &connectors {
            let theirs: Vec<&CaseAlerts> = cases
                .iter()
                .filter(|line| line.connector_id == Some(c.id))
                .map(|line| &line.alerts)
                .collect();
            caseload.push(CaseloadRow {
                connector: c.display_name.clone(),
                open: theirs.len(),
                overdue: theirs.iter().filter(|a| a.overdue).count(),
                deadlines: theirs.iter().filter(|a| !a.warnings.is_empty()).count(),
                reminders_overdue: team_reminders
                    .iter()
                    .filter(|r| r.user_id == c.id && r.due_on < today)
                    .count(),
                waiting: entries
                    .iter()
                    .filter(|e| e.assigned_id == c.id && !open_households.contains(&e.household_id))
                    .count(),
            });
        }
        looks = cw
            .case_access_reasons_for_team(team.clone(), 20)
            .await?
            .into_iter()
            .map(|r| LookRow {
                case_id: r.case_id,
                who: match &r.user_team {
                    Some(t) => format!("{} ({t})", r.user_name),
                    None => r.user_name.clone(),
                },
                when: day(r.at.date_naive()),
                reason: r.reason,
            })
            .collect();
    }
    if !leader {
        let when = |d: NaiveDate| match d.cmp(&today) {
            std::cmp::Ordering::Less => "Overdue",
            std::cmp::Ordering::Equal => "Today",
            std::cmp::Ordering::Greater => "",
        };
        let mine = cw.open_reminders(Some(user.account.id), None).await?;
        let actions = cw.open_staff_actions(user.account.id).await?;
        let ids: Vec<i64> = mine
            .iter()
            .map(|r| r.household_id)
            .chain(actions.iter().map(|a| a.household_id))
            .collect();
        let more: BTreeMap<i64, String> = cw.household_labels(ids).await?.into_iter().collect();
        let place = |h: i64| {
            more.get(&h)
                .cloned()
                .unwrap_or_else(|| format!("Household {h}"))
        };
        for r in mine {
            reminders.push(ReminderLine {
                reminder_id: Some(r.id),
                case_id: r.case_id,
                label: place(r.household_id),
                what: r.what,
                due: day(r.due_on),
                when: when(r.due_on),
                due_on: r.due_on,
            });
        }
        for a in actions {
            reminders.push(ReminderLine {
                reminder_id: None,
                case_id: a.case_id,
                label: place(a.household_id),
                what: format!("Support plan: {}", a.what),
                due: day(a.due_on),
                when: when(a.due_on),
                due_on: a.due_on,
            });
        }
        reminders.sort_by_key(|r| (r.due_on, r.case_id));
    }
    let (overdue, rest): (Vec<CaseLine>, Vec<CaseLine>) = cases
        .drain(..)
        .partition(|c| c.alerts.overdue || !c.alerts.warnings.is_empty());
    let cases = rest;

    audit_view(
        state,
        user,
        "worklist",
        list.as_ref()
            .map_or_else(|| team.clone(), |l| l.id.to_string()),
        if leader { "team worklist" } else { "caseload" },
    )
    .await?;
    let own_team = same_team(user, Some(&team));
    let page = WorklistPage {
        layout: Layout::new(state, Some(user)).await.at("/worklist"),
        own_team,
        leader,
        team,
        teams,
        week,
        made: list.is_some(),
        entries,
        connectors,
        assigned,
        cases,
        overdue,
        flag_household: flag_form.get("household_id"),
        flag_reason: flag_form.get("reason"),
        run_notice: crate::runs::failed_run_notice(state).await,
        flag_problems,
        caseload,
        looks,
        reminders,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A persona as staff know it ("Thrown in at the deep end"), not its code.
fn persona_title(code: &str) -> String {
    upstream_assess::personas::Persona::parse(code)
        .map_or_else(|| crate::household::words(code), |p| p.title().to_string())
}

/// Whether `user` belongs to `team`. A team leader shares out and reassigns
/// their own team's work only: another team's list and cases are that
/// team's leader's to run.
pub(crate) fn same_team(user: &CurrentUser, team: Option<&str>) -> bool {
    matches!((user.account.team.as_deref(), team), (Some(a), Some(b)) if a == b)
}

/// Whether staff member `id` is active and in `team`: work goes only to the
/// team whose list or case it is.
pub(crate) fn in_team(staff: &[crate::casework_data::StaffMember], id: i64, team: &str) -> bool {
    staff
        .iter()
        .any(|s| s.id == id && s.team.as_deref() == Some(team))
}

/// The household with this number, following a merge (one family an
/// earlier run saw twice) to the household it is now part of; `None` when
/// there is no such household. Nothing is opened or flagged for a
/// household that does not exist.
pub(crate) async fn existing_household(state: &AppState, id: i64) -> Result<Option<i64>, Refused> {
    // One indexed lookup, not the household page's whole detail.
    let exists = async |h: i64| -> Result<bool, Refused> {
        Ok(!state.casework.household_labels(vec![h]).await?.is_empty())
    };
    if exists(id).await? {
        return Ok(Some(id));
    }
    match state.source.household_merged_into(id).await? {
        Some(to) if exists(to).await? => Ok(Some(to)),
        _ => Ok(None),
    }
}

/// The team of a kept list, when `user` leads that team and `connector`
/// (if any) is in it: a list is shared out only by its own team's leader,
/// only to its own team.
async fn leaders_list(
    state: &AppState,
    user: &CurrentUser,
    worklist_id: i64,
    connector: Option<i64>,
) -> Result<String, Refused> {
    user.require_role(&[Role::TeamLeader])?;
    let team = state
        .casework
        .worklist_team(worklist_id)
        .await?
        .ok_or(Refused::NotFound)?;
    if !same_team(user, Some(&team)) {
        return Err(Refused::Forbidden);
    }
    if let Some(id) = connector {
        if !in_team(&state.casework.staff().await?, id, &team) {
            return Err(Refused::NotFound);
        }
    }
    Ok(team)
}

/// `POST /worklist/{worklist_id}/entries/{rank}/assign`: a team leader gives an entry to a connector.
pub(crate) async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((worklist_id, rank)): Path<(i64, i32)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    let form = Fields(form);
    let connector = form.int("connector_id").filter(|&id| id > 0);
    leaders_list(&state, &user, worklist_id, connector).await?;
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "worklist_entry",
            format!("{worklist_id}/{rank}"),
            "assign worklist entry",
            serde_json::json!({ "assigned_to": connector }),
        ),
    )
    .await?;
    if !state
        .casework
        .assign_worklist_entry(worklist_id, rank, connector, user.account.id)
        .await?
    {
        return Err(Refused::NotFound);
    }
    Ok(see_other(&format!("/worklist#entry-{rank}")))
}

/// `POST /reminders/{id}/done`: one of the user's own reminders is done.
pub(crate) async fn finish_reminder(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Connector, Role::TeamLeader])?;
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "reminder",
            id.to_string(),
            "reminder done",
            serde_json::json!({}),
        ),
    )
    .await?;
    if !state.casework.finish_reminder(id, user.account.id).await? {
        return Err(Refused::NotFound);
    }
    Ok(see_other("/worklist#reminders"))
}

/// `POST /worklist/make`: a team leader makes their team's list for the
/// week after the latest assessment, as the monthly run would (kept once
/// made: asking again changes nothing).
pub(crate) async fn make(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::TeamLeader])?;
    let team = Fields(form).get("team");
    if !same_team(&user, Some(&team)) {
        return Err(Refused::Forbidden);
    }
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "worklist",
            team.clone(),
            "make the week's list",
            serde_json::json!({}),
        ),
    )
    .await?;
    match state.casework.make_worklist(team.clone()).await? {
        Ok(_) => Ok(see_other(&format!(
            "/worklist?team={}#list",
            crate::forms::percent_encode(&team)
        ))),
        Err(why) => {
            let mut problems = Problems::default();
            problems.add("make", why);
            worklist_page(&state, &user, Some(team), problems, Fields::default()).await
        }
    }
}

/// `POST /worklist/{worklist_id}/assign`: a team leader gives several
/// ticked entries to one connector at once (or takes them back).
pub(crate) async fn assign_many(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(worklist_id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    let form = Fields(form);
    let connector = form.int("bulk_connector_id").filter(|&id| id > 0);
    let team = leaders_list(&state, &user, worklist_id, connector).await?;
    let ranks: Vec<i32> = form
        .all("ranks")
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect();
    if ranks.is_empty() {
        let mut problems = Problems::default();
        problems.add("bulk", "Select the households to give out");
        return worklist_page(&state, &user, Some(team), problems, Fields::default()).await;
    }
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "worklist",
            worklist_id.to_string(),
            "assign worklist entries",
            serde_json::json!({ "ranks": ranks, "assigned_to": connector }),
        ),
    )
    .await?;
    for rank in ranks {
        if !state
            .casework
            .assign_worklist_entry(worklist_id, rank, connector, user.account.id)
            .await?
        {
            return Err(Refused::NotFound);
        }
    }
    Ok(see_other("/worklist#list"))
}

/// `POST /worklist/flags`: a team leader fast-tracks a household to the top of next week's list.
pub(crate) async fn fast_track(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::TeamLeader])?;
    let form = Fields(form);
    let today = state.today();
    let mut problems = Problems::default();
    let household = form.int("household_id").filter(|&h| h > 0);
    if household.is_none() {
        problems.add(
            "household_id",
            "Enter the household number, for example 1024",
        );
    }
    let reason = form.get("reason");
    if reason.is_empty() {
        problems.add(
            "reason",
            "Enter why this household should be contacted first",
        );
    }
    let until = match form.date("until", "The date the flag ends") {
        Ok(Some(d)) if d < today => {
            problems.add(
                "until",
                "The date the flag ends must be today or in the future",
            );
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => Some(today + chrono::Duration::days(28)),
        Err(m) => {
            problems.add("until", m);
            None
        }
    };
    let household = match household {
        Some(h) => {
            let found = existing_household(&state, h).await?;
            if found.is_none() {
                problems.add(
                    "household_id",
                    format!("There is no household {h}: check the number on the household's page"),
                );
            }
            found
        }
        None => None,
    };
    let (Some(household), Some(until)) = (household, until) else {
        return worklist_page(&state, &user, None, problems, form).await;
    };
    if !problems.is_empty() {
        return worklist_page(&state, &user, None, problems, form).await;
    }
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "household",
            household.to_string(),
            "fast-track flag",
            serde_json::json!({ "reason": reason, "until": until.to_string() }),
        ),
    )
    .await?;
    state
        .casework
        .add_flag(household, user.account.display_name.clone(), reason, until)
        .await?;
    Ok(see_other("/worklist"))
}

/// `POST /cases`: open a case for a household (from the worklist or a self-referral).
pub(crate) async fn open_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Connector, Role::TeamLeader])?;
    let form = Fields(form);
    let today = state.today();
    let asked = form.int("household_id").ok_or(Refused::NotFound)?;
    let household = existing_household(&state, asked)
        .await?
        .ok_or(Refused::NotFound)?;
    let origin = match form.get("origin").as_str() {
        "self_referral" => "self_referral",
        _ => "worklist",
    };
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "case",
            format!("household {household}"),
            "open case",
            serde_json::json!({ "origin": origin }),
        ),
    )
    .await?;
    let (id, _) = state
        .casework
        .open_case(NewCase {
            household_id: household,
            team: user.account.team.clone(),
            connector_id: (user.role() == Role::Connector).then_some(user.account.id),
            origin: origin.into(),
            referral_id: None,
            nation: state.nation.as_str().into(),
            opened_by: user.account.id,
            opened_on: today,
        })
        .await?;
    Ok(see_other(&format!("/cases/{id}")))
}
