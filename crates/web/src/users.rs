//! Administrators' account pages: list accounts, add one, change its role
//! and team, reset its password, disable and enable it. The same jobs as
//! `upstream users`, for councils whose administrators do not use a
//! terminal. Passwords are never chosen or seen by the administrator beyond
//! one page: a new one-time password is made and shown once, to be passed on
//! by a safe route. Every change is audited against the account.

use crate::access::{NewUser, User};
use crate::auth::{record, CurrentUser, Refused};
use crate::forms::{Failed, Fields, Problems};
use crate::layout::Layout;
use crate::pages::render;
use crate::worklist::see_other;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::Utc;
use upstream_core::{AuditAction, Role};

struct AccountRow {
    id: i64,
    username: String,
    name: String,
    role: &'static str,
    belongs_to: String,
    state: String,
}

fn state_of(u: &User) -> String {
    if u.disabled {
        "Disabled".into()
    } else {
        match u.locked_until {
            Some(t) if t > Utc::now() => format!("Locked until {} UTC", t.format("%H:%M")),
            _ => "Active".into(),
        }
    }
}

fn row(u: &User) -> AccountRow {
    AccountRow {
        id: u.id,
        username: u.username.clone(),
        name: u.display_name.clone(),
        role: u.role.title(),
        belongs_to: u
            .organisation
            .clone()
            .or_else(|| u.team.clone())
            .unwrap_or_default(),
        state: state_of(u),
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    rows: Vec<AccountRow>,
}

/// `GET /admin/users`.
pub(crate) async fn users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let rows = state.accounts.accounts().await?.iter().map(row).collect();
    let page = UsersPage {
        layout: Layout::new(&state, Some(&user)).await.at("/admin/users"),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The choices the account forms offer.
struct Choices {
    roles: Vec<(&'static str, &'static str)>,
    teams: Vec<String>,
    organisations: Vec<String>,
}

async fn choices(state: &AppState) -> Result<Choices, Refused> {
    Ok(Choices {
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.title())).collect(),
        teams: state
            .casework
            .teams()
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect(),
        organisations: state
            .casework
            .partner_organisations()
            .await?
            .into_iter()
            .map(|o| o.name)
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewPage {
    layout: Layout,
    choices: Choices,
    rf: RoleFields,
    failed: Failed,
}

/// `GET /admin/users/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    new_page(&state, &user, Failed::default()).await
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    failed: Failed,
) -> Result<Response, Refused> {
    let page = NewPage {
        layout: Layout::new(state, Some(user)).await.at("/admin/users"),
        choices: choices(state).await?,
        rf: RoleFields::new(&failed, "account", None),
        failed,
    };
    Ok(render(page.failed.status(), &page))
}

/// The role, team and organisation a form asks for, checked against what
/// exists; problems go on the form.
fn role_from(
    fields: &Fields,
    choices: &Choices,
    problems: &mut Problems,
) -> (Option<Role>, Option<String>, Option<String>) {
    let role = Role::parse(&fields.get("role"));
    if role.is_none() {
        problems.add("role", "Select a role");
    }
    let team = Some(fields.get("team")).filter(|t| !t.is_empty());
    let organisation = Some(fields.get("organisation")).filter(|o| !o.is_empty());
    match role {
        Some(Role::PartnerWorker) => match &organisation {
            Some(o) if choices.organisations.contains(o) => {}
            _ => problems.add(
                "organisation",
                "Select the partner organisation they work for",
            ),
        },
        Some(Role::Connector | Role::TeamLeader) => {
            if let Some(t) = &team {
                if !choices.teams.contains(t) {
                    problems.add("team", "Select one of the council's teams");
                }
            }
        }
        _ => {}
    }
    (role, team, organisation)
}

type AccountForm = Form<Vec<(String, String)>>;

/// The role, team and organisation fields as shown: what was typed when
/// `form` failed, otherwise the account's own.
struct RoleFields {
    role: String,
    team: String,
    organisation: String,
    role_error: String,
    team_error: String,
    organisation_error: String,
}

impl RoleFields {
    fn new(failed: &Failed, form: &str, stored: Option<&User>) -> RoleFields {
        let value = |name: &str, stored: Option<String>| {
            if failed.form == form {
                failed.fields.get(name)
            } else {
                stored.unwrap_or_default()
            }
        };
        RoleFields {
            role: value("role", stored.map(|u| u.role.as_str().to_string())),
            team: value("team", stored.and_then(|u| u.team.clone())),
            organisation: value("organisation", stored.and_then(|u| u.organisation.clone())),
            role_error: failed.error(form, "role"),
            team_error: failed.error(form, "team"),
            organisation_error: failed.error(form, "organisation"),
        }
    }

    fn is_role(&self, code: &str) -> bool {
        self.role == code
    }

    fn is_team(&self, team: &str) -> bool {
        self.team == team
    }

    fn is_organisation(&self, organisation: &str) -> bool {
        self.organisation == organisation
    }
}

#[derive(Template)]
#[template(path = "admin_password.html")]
struct PasswordPage {
    layout: Layout,
    heading: String,
    username: String,
    password: String,
    user_id: i64,
}

async fn password_page(
    state: &AppState,
    user: &CurrentUser,
    heading: String,
    account: &User,
    password: String,
) -> Result<Response, Refused> {
    let page = PasswordPage {
        layout: Layout::new(state, Some(user)).await.at("/admin/users"),
        heading,
        username: account.username.clone(),
        password,
        user_id: account.id,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /admin/users`: add an account; its one-time password is shown once.
pub(crate) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): AccountForm,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let fields = Fields(form);
    let choices = choices(&state).await?;
    let mut problems = Problems::default();
    let username = fields.get("username");
    if username.is_empty() {
        problems.add("username", "Enter a username");
    }
    let (role, team, organisation) = role_from(&fields, &choices, &mut problems);
    let fail = |problems| Failed {
        form: "account",
        problems,
        fields: fields.clone(),
    };
    let Some(role) = role.filter(|_| problems.is_empty()) else {
        return new_page(&state, &user, fail(problems)).await;
    };
    let new = NewUser {
        username,
        display_name: fields.get("display_name"),
        role,
        organisation: organisation.filter(|_| role == Role::PartnerWorker),
        team: team.filter(|_| role != Role::PartnerWorker),
    };
    let (account, password) = match state.accounts.create_account(&new).await? {
        Ok(made) => made,
        Err(why) => {
            let mut problems = Problems::default();
            problems.add("username", why);
            return new_page(&state, &user, fail(problems)).await;
        }
    };
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "user",
            account.username.clone(),
            "account created",
            serde_json::json!({ "role": account.role.as_str(), "team": account.team, "organisation": account.organisation }),
        ),
    )
    .await?;
    password_page(
        &state,
        &user,
        format!("Account created for {}", account.display_name),
        &account,
        password,
    )
    .await
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct AccountPage {
    layout: Layout,
    account: AccountRow,
    rf: RoleFields,
    disabled: bool,
    /// Administrators may not change their own role or disable themselves,
    /// so the council cannot be left with no administrator by mistake.
    is_self: bool,
    choices: Choices,
    failed: Failed,
}

async fn account(state: &AppState, id: &str) -> Result<User, Refused> {
    let id: i64 = id.parse().map_err(|_| Refused::NotFound)?;
    state
        .accounts
        .accounts()
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(Refused::NotFound)
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    a: User,
    failed: Failed,
) -> Result<Response, Refused> {
    let page = AccountPage {
        layout: Layout::new(state, Some(user)).await.at("/admin/users"),
        rf: RoleFields::new(&failed, "role", Some(&a)),
        disabled: a.disabled,
        is_self: a.id == user.account.id,
        account: row(&a),
        choices: choices(state).await?,
        failed,
    };
    Ok(render(page.failed.status(), &page))
}

/// `GET /admin/users/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let a = account(&state, &id).await?;
    account_page(&state, &user, a, Failed::default()).await
}

/// `POST /admin/users/{id}/role`: change role, team and organisation.
pub(crate) async fn change_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): AccountForm,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let a = account(&state, &id).await?;
    if a.id == user.account.id {
        return Err(Refused::Forbidden);
    }
    let fields = Fields(form);
    let choices = choices(&state).await?;
    let mut problems = Problems::default();
    let (role, team, organisation) = role_from(&fields, &choices, &mut problems);
    let result = match role.filter(|_| problems.is_empty()) {
        Some(role) => state
            .accounts
            .set_account_role(a.id, role, team.as_deref(), organisation.as_deref())
            .await?
            .map(|()| role),
        None => Err(String::new()),
    };
    let role = match result {
        Ok(role) => role,
        Err(why) => {
            if !why.is_empty() {
                problems.add("role", why);
            }
            let failed = Failed {
                form: "role",
                problems,
                fields,
            };
            return account_page(&state, &user, a, failed).await;
        }
    };
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "user",
            a.username.clone(),
            "role changed",
            serde_json::json!({ "from": a.role.as_str(), "to": role.as_str(), "team": team, "organisation": organisation }),
        ),
    )
    .await?;
    Ok(see_other(&format!("/admin/users/{}", a.id)))
}

/// `POST /admin/users/{id}/password`: a new one-time password, shown once.
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let a = account(&state, &id).await?;
    // Recorded first: if the log cannot be written, the password is not changed.
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "user",
            a.username.clone(),
            "password reset",
            serde_json::json!({}),
        ),
    )
    .await?;
    let password = state.accounts.reset_password(a.id).await?;
    password_page(
        &state,
        &user,
        format!("New password for {}", a.display_name),
        &a,
        password,
    )
    .await
}

/// `POST /admin/users/{id}/disabled`: stop or allow signing in.
pub(crate) async fn set_disabled(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): AccountForm,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Administrator])?;
    let a = account(&state, &id).await?;
    if a.id == user.account.id {
        return Err(Refused::Forbidden);
    }
    let disabled = Fields(form).get("disabled") == "yes";
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "user",
            a.username.clone(),
            if disabled {
                "account disabled"
            } else {
                "account enabled"
            },
            serde_json::json!({}),
        ),
    )
    .await?;
    state.accounts.set_account_disabled(a.id, disabled).await?;
    Ok(see_other(&format!("/admin/users/{}", a.id)))
}
