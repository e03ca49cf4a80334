//! The seam between the web pages and the accounts, sessions and audit log
//! they need, like [`crate::DataSource`] for the rest: handlers never see the
//! database, and tests can answer with fakes. `upstream_store::Store` is one
//! (see `store.rs`).

use crate::data::{BoxFuture, DataError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use upstream_core::{AuditAction, Role};

pub use upstream_store::{NewUser, User};

/// A new account and its one-time password, or why it could not be made.
pub type AccountMade = Result<(User, String), String>;

/// What account management answers when nothing stands behind it (fakes).
fn unavailable<'a, T: Send + 'a>() -> BoxFuture<'a, Result<T, DataError>> {
    Box::pin(async { Err(DataError("account storage is not available".into())) })
}

/// Accounts, sessions, the audit log and the consent hook.
pub trait Accounts: Send + Sync + 'static {
    /// Check a username and password from `client` (the address the
    /// attempt came from), counting failures towards a lock-out of that
    /// account for that client, and of the client itself.
    fn sign_in<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
        client: &'a str,
    ) -> BoxFuture<'a, Result<SignInOutcome, DataError>>;

    /// Start a session for an account that has just signed in; it ends
    /// after `lifetime` at the latest.
    fn start_session(
        &self,
        user_id: i64,
        lifetime: Duration,
    ) -> BoxFuture<'_, Result<StartedSession, DataError>>;

    /// The live session a cookie's token names: unexpired, used within
    /// `idle`, its account still enabled.
    fn session<'a>(
        &'a self,
        token: &'a str,
        idle: Duration,
    ) -> BoxFuture<'a, Result<Option<LiveSession>, DataError>>;

    /// Note that a session is in use, so it does not go idle.
    fn touch_session<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), DataError>>;

    /// End a session (signing out).
    fn end_session<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), DataError>>;

    /// Append to the audit log.
    fn record<'a>(&'a self, entry: &'a AuditRecord) -> BoxFuture<'a, Result<(), DataError>>;

    /// Search the audit log, newest first.
    fn search_audit<'a>(
        &'a self,
        query: &'a AuditQuery,
    ) -> BoxFuture<'a, Result<Vec<AuditRow>, DataError>>;

    /// Check the whole audit chain.
    fn verify_audit(&self) -> BoxFuture<'_, Result<ChainStatus, DataError>>;

    /// Everything held about one person, as JSON; `None` for no such person.
    /// The caller records the export in the audit log.
    fn subject_access_export(
        &self,
        person_id: i64,
    ) -> BoxFuture<'_, Result<Option<serde_json::Value>, DataError>>;

    /// Every account, by username, for administrators.
    fn accounts(&self) -> BoxFuture<'_, Result<Vec<User>, DataError>> {
        unavailable()
    }

    /// Create an account with a new one-time password, returned once.
    /// `Ok(Err(why))` when the request cannot be met (the name is taken, a
    /// partner worker has no organisation), in words for the form.
    fn create_account<'a>(
        &'a self,
        new: &'a NewUser,
    ) -> BoxFuture<'a, Result<AccountMade, DataError>> {
        let _ = new;
        unavailable()
    }

    /// A new one-time password for an account, returned once; clears any
    /// lock-out and ends its sessions.
    fn reset_password(&self, user_id: i64) -> BoxFuture<'_, Result<String, DataError>> {
        let _ = user_id;
        unavailable()
    }

    /// Stop (or allow again) an account signing in.
    fn set_account_disabled(
        &self,
        user_id: i64,
        disabled: bool,
    ) -> BoxFuture<'_, Result<(), DataError>> {
        let _ = (user_id, disabled);
        unavailable()
    }

    /// Change an account's role, team and organisation; `Ok(Err(why))`
    /// when the combination is not allowed.
    fn set_account_role<'a>(
        &'a self,
        user_id: i64,
        role: Role,
        team: Option<&'a str>,
        organisation: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Result<(), String>, DataError>> {
        let _ = (user_id, role, team, organisation);
        unavailable()
    }

    /// Whether a household's recorded consent (or a referral the partner
    /// made) lets this partner organisation see it on `today`, for a purpose
    /// its work serves. By default no partner sees any household.
    fn partner_may_see_household<'a>(
        &'a self,
        organisation: &'a str,
        household_id: i64,
        today: NaiveDate,
    ) -> BoxFuture<'a, Result<bool, DataError>> {
        let _ = (organisation, household_id, today);
        Box::pin(async { Ok(false) })
    }
}

/// A signed-in account, as pages need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A partner worker's organisation.
    pub organisation: Option<String>,
    /// A connector's or team leader's team.
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInOutcome {
    Accepted(Account),
    /// Unknown username, wrong password or a disabled account. `user_id` is
    /// for the audit log only; `locked_now` when this failure locked the account.
    Refused {
        user_id: Option<i64>,
        locked_now: bool,
    },
    /// Locked for this client after too many failures; the password was not checked.
    Locked {
        user_id: i64,
    },
    /// This client failed too often, over any accounts; nothing was checked.
    Throttled,
}

/// A new session's secrets: the token for the cookie, the CSRF token for forms.
#[derive(Clone, PartialEq, Eq)]
pub struct StartedSession {
    pub token: String,
    pub csrf_token: String,
}

// Hand-written so the secrets never reach a log through `{:?}`.
impl std::fmt::Debug for StartedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StartedSession { .. }")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub account: Account,
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
}

/// One thing to record in the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub user_id: Option<i64>,
    pub username: String,
    pub action: AuditAction,
    /// `person`, `household`, `case`, `consent`, `user`, `audit_log`, …
    pub subject_kind: String,
    pub subject_id: String,
    /// Why: the page or task, in a few words.
    pub purpose: String,
    pub detail: serde_json::Value,
}

/// An audit search; `None` matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditQuery {
    pub username: Option<String>,
    pub action: Option<AuditAction>,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub username: String,
    pub action: AuditAction,
    pub subject_kind: String,
    pub subject_id: String,
    pub purpose: String,
    /// JSON text.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStatus {
    Intact { entries: i64, last_hash: String },
    Broken { first_bad_id: i64, problem: String },
}
