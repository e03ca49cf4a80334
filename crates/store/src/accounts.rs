//! Staff accounts and their sessions: argon2id password hashes, lock-out
//! after repeated failures, and sessions kept only as a hash of their token.
//!
//! Times that decide something (lock-outs, expiry) are passed in by the
//! caller, so the rules can be tested without waiting.

use crate::{parse_time, Pool, Store, StoreError};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::OnceLock;
use upstream_core::Role;

/// Shortest password accepted. Long passphrases beat complexity rules
/// (NCSC password guidance); the upper bound keeps hashing cheap to refuse.
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// How many wrong passwords in a row lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Wrong passwords in a row, from one client, that lock an account for
    /// that client.
    pub max_failures: i32,
    /// Failures from one client over every account that lock the client out.
    pub client_max_failures: i32,
    /// How long a lock lasts; a count not added to for this long starts again.
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> LockoutPolicy {
        LockoutPolicy {
            max_failures: 5,
            // An office behind one address has many people mistyping; one
            // client guessing has far more tries than that in minutes.
            client_max_failures: 30,
            lock_for: Duration::minutes(15),
        }
    }
}

/// The `sign_in_failures` row counting a client's failures over every account.
const ANY_ACCOUNT: i64 = 0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Required for partner workers: consent is given to organisations.
    pub organisation: Option<String>,
    pub team: Option<String>,
}

/// An account, without its password hash (which never leaves this module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub organisation: Option<String>,
    pub team: Option<String>,
    pub failed_attempts: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub disabled: bool,
}

/// What came of a sign-in attempt. Pages must say the same thing for every
/// kind of refusal, so nobody learns whether a username exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication {
    /// The right password for a usable account; its failure count is reset.
    Accepted(User),
    /// An unknown username, a wrong password or a disabled account.
    /// `user_id` names the account tried, if there is one (for the audit
    /// log); `locked_until` is set when this failure locked the account.
    Refused {
        user_id: Option<i64>,
        locked_until: Option<DateTime<Utc>>,
    },
    /// The account is locked for this client: the password was not even checked.
    Locked { user_id: i64, until: DateTime<Utc> },
    /// This client failed too often, whatever the account: nothing was checked.
    Throttled { until: DateTime<Utc> },
}

/// A new session: the token goes in the browser's cookie and is never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

// Hand-written so a token never reaches a log through `{:?}`.
impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A live session and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub user: User,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// UTC, microseconds, one fixed width: the text sorts as the times do.
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Trimmed and lower case; letters, digits and `.`, `_`, `-`, `@` only.
pub fn normalise_username(name: &str) -> Result<String, StoreError> {
    let name = name.trim().to_lowercase();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(StoreError::Invalid(
            "a username must be 1 to 64 characters".into(),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(StoreError::Invalid(
            "a username may use only letters, digits, '.', '_', '-' and '@'".into(),
        ));
    }
    Ok(name)
}

fn check_password_rules(password: &str) -> Result<(), StoreError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(StoreError::Invalid(format!(
            "a password must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(StoreError::Invalid(format!(
            "a password must be at most {MAX_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

fn tidy(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Argon2id with the crate's default (OWASP-recommended) parameters and a
/// fresh random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Password(e.to_string()))
}

/// Whether `password` matches `hash` (the crate compares in constant time).
/// A damaged hash matches nothing.
pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of nothing anyone knows, checked against when the username is
/// unknown, so a refusal takes as long whether or not the account exists.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        hash_password(&hex(&secret)).unwrap_or_default()
    })
}

/// Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Password(e.to_string()))
}

/// `n` random bytes from the operating system, as lower-case hex.
pub(crate) fn random_hex(n: usize) -> Result<String, StoreError> {
    let mut bytes = vec![0u8; n];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| StoreError::Password(format!("no randomness available: {e}")))?;
    Ok(hex(&bytes))
}

/// A new random password: 20 characters in groups of five (about 99 bits),
/// from letters and digits that cannot be mistaken for one another.
pub fn generate_password() -> Result<String, StoreError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = String::with_capacity(23);
    let mut chosen = 0;
    while chosen < 20 {
        let mut byte = [0u8; 1];
        OsRng
            .try_fill_bytes(&mut byte)
            .map_err(|e| StoreError::Password(format!("no randomness available: {e}")))?;
        // Only bytes below a multiple of the alphabet's size, so every character is equally likely.
        if usize::from(byte[0]) >= 256 - 256 % ALPHABET.len() {
            continue;
        }
        if chosen > 0 && chosen % 5 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[usize::from(byte[0]) % ALPHABET.len()] as char);
        chosen += 1;
    }
    Ok(out)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// What is stored for a session token: its SHA-256, in hex.
pub fn session_token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

const USER_COLUMNS: &str = "id, username, display_name, role, organisation, team, failed_attempts, locked_until, created_at, disabled";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    organisation: Option<String>,
    team: Option<String>,
    failed_attempts: i32,
    locked_until: Option<String>,
    created_at: String,
    disabled: bool,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User, StoreError> {
        Ok(User {
            id: r.id,
            role: Role::parse(&r.role)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown role '{}'", r.role)))?,
            username: r.username,
            display_name: r.display_name,
            organisation: r.organisation,
            team: r.team,
            failed_attempts: r.failed_attempts,
            locked_until: r.locked_until.as_deref().map(parse_time).transpose()?,
            created_at: parse_time(&r.created_at)?,
            disabled: r.disabled,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
    session_created: String,
    expires_at: String,
    last_seen_at: String,
}

impl Store {
    /// Create an account with an argon2id hash of `password`.
    pub async fn create_user(&self, new: &NewUser, password: &str) -> Result<User, StoreError> {
        let username = normalise_username(&new.username)?;
        let display_name = match new.display_name.trim() {
            "" => username.clone(),
            name => name.to_string(),
        };
        let organisation = tidy(&new.organisation);
        if new.role == Role::PartnerWorker && organisation.is_none() {
            return Err(StoreError::Invalid(
                "a partner worker must belong to an organisation".into(),
            ));
        }
        check_password_rules(password)?;
        let password = password.to_string();
        let hash = blocking(move || hash_password(&password)).await??;
        const SQL: &str = "INSERT INTO users (username, display_name, role, organisation, team, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING";
        let now = stamp(Utc::now());
        let inserted = on_pool!(self, p => sqlx::query(SQL)
            .bind(&username).bind(&display_name).bind(new.role.as_str()).bind(&organisation)
            .bind(tidy(&new.team)).bind(&hash).bind(&now)
            .execute(p).await?.rows_affected());
        if inserted == 0 {
            return Err(StoreError::UserExists(username));
        }
        self.user_by_username(&username)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new account vanished".into()))
    }

    /// The account with this username (any case), if there is one.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let Ok(username) = normalise_username(username) else {
            return Ok(None);
        };
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let row: Option<UserRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(&username).fetch_optional(p).await?);
        row.map(User::try_from).transpose()
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        row.map(User::try_from).transpose()
    }

    /// Every account, by username.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows: Vec<UserRow> = on_pool!(self, p => sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(User::try_from).collect()
    }

    /// Give an account a new password; clears any lock-out and ends its sessions.
    pub async fn set_password(&self, user_id: i64, password: &str) -> Result<(), StoreError> {
        check_password_rules(password)?;
        let password = password.to_string();
        let hash = blocking(move || hash_password(&password)).await??;
        const SQL: &str = "UPDATE users SET password_hash = $1, failed_attempts = 0, locked_until = NULL WHERE id = $2";
        const UNLOCK: &str = "DELETE FROM sign_in_failures WHERE user_id = $1";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(&hash).bind(user_id).execute(p).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "there is no account {user_id}"
            )));
        }
        on_pool!(self, p => {
            sqlx::query(UNLOCK).bind(user_id).execute(p).await?;
        });
        self.end_sessions_of(user_id).await?;
        Ok(())
    }

    /// Change an account's role, team and organisation. A partner worker
    /// must belong to an organisation; staff roles keep no organisation.
    /// The change applies to the account's live sessions at once (each
    /// request reads the account afresh).
    pub async fn set_user_role(
        &self,
        user_id: i64,
        role: Role,
        team: Option<&str>,
        organisation: Option<&str>,
    ) -> Result<(), StoreError> {
        let organisation = organisation.map(str::trim).filter(|o| !o.is_empty());
        let team = team.map(str::trim).filter(|t| !t.is_empty());
        let (team, organisation) = if role == Role::PartnerWorker {
            match organisation {
                Some(o) => (None, Some(o)),
                None => {
                    return Err(StoreError::Invalid(
                        "a partner worker must belong to an organisation".into(),
                    ))
                }
            }
        } else {
            (team, None)
        };
        const SQL: &str = "UPDATE users SET role = $1, team = $2, organisation = $3 WHERE id = $4";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(role.as_str()).bind(team)
            .bind(organisation).bind(user_id).execute(p).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "there is no account {user_id}"
            )));
        }
        Ok(())
    }

    /// Stop (or allow again) an account signing in; disabling ends its sessions.
    pub async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE users SET disabled = $1 WHERE id = $2";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(disabled).bind(user_id).execute(p).await?;
        });
        if disabled {
            self.end_sessions_of(user_id).await?;
        }
        Ok(())
    }

    /// Count a failure against `user_id` (or `ANY_ACCOUNT`) from `client`,
    /// locking it for that client at `max` failures. Returns when it is now
    /// locked until, if this failure locked it. A count not added to for
    /// `lock_for` starts again, so a few typos a week never add up to a lock.
    async fn record_failure(
        &self,
        user_id: i64,
        client: &str,
        max: i32,
        policy: LockoutPolicy,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        // One statement, so failures arriving at once are all counted.
        const COUNT: &str =
            "INSERT INTO sign_in_failures (user_id, client, failed_attempts, last_failed_at)
             VALUES ($1, $2, 1, $3)
             ON CONFLICT (user_id, client) DO UPDATE SET
               failed_attempts = CASE WHEN sign_in_failures.last_failed_at < $4 THEN 1
                                      ELSE sign_in_failures.failed_attempts + 1 END,
               last_failed_at = $3
             RETURNING failed_attempts";
        // Locking starts the count again for after the lock.
        const LOCK: &str = "UPDATE sign_in_failures SET locked_until = $1, failed_attempts = 0
             WHERE user_id = $2 AND client = $3";
        const SHOW: &str = "UPDATE users SET locked_until = $1 WHERE id = $2";
        let failures: i32 = on_pool!(self, p => sqlx::query_scalar(COUNT)
            .bind(user_id).bind(client).bind(stamp(now)).bind(stamp(now - policy.lock_for))
            .fetch_one(p).await?);
        if failures < max {
            return Ok(None);
        }
        let until = now + policy.lock_for;
        on_pool!(self, p => {
            sqlx::query(LOCK).bind(stamp(until)).bind(user_id).bind(client).execute(p).await?;
            if user_id != ANY_ACCOUNT {
                sqlx::query(SHOW).bind(stamp(until)).bind(user_id).execute(p).await?;
            }
        });
        Ok(Some(until))
    }

    /// Until when `user_id` (or `ANY_ACCOUNT`) is locked for `client`, if it is now.
    async fn locked_for(
        &self,
        user_id: i64,
        client: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        const SQL: &str =
            "SELECT locked_until FROM sign_in_failures WHERE user_id = $1 AND client = $2";
        let until: Option<Option<String>> = on_pool!(self, p => sqlx::query_scalar(SQL)
            .bind(user_id).bind(client).fetch_optional(p).await?);
        Ok(until
            .flatten()
            .as_deref()
            .map(parse_time)
            .transpose()?
            .filter(|t| *t > now))
    }

    /// A successful sign-in: forget this client's failures on the account.
    async fn forget_failures(&self, user_id: i64, client: &str) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM sign_in_failures WHERE user_id = $1 AND client = $2";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(user_id).bind(client).execute(p).await?;
        });
        Ok(())
    }

    /// Check a username and password from `client` (the address the
    /// attempt came from) under the lock-out policy. Failures lock an
    /// account for the client they came from only, and a client failing
    /// over many accounts is throttled: knowing a username is not enough to
    /// shut its owner out.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
        client: &str,
        policy: LockoutPolicy,
        now: DateTime<Utc>,
    ) -> Result<Authentication, StoreError> {
        const SQL: &str = "SELECT id, password_hash, disabled FROM users WHERE username = $1";
        let found = match normalise_username(username) {
            Ok(name) => {
                on_pool!(self, p => match sqlx::query(SQL).bind(&name).fetch_optional(p).await? {
                    Some(r) => Some((
                        r.try_get::<i64, _>("id")?,
                        r.try_get::<String, _>("password_hash")?,
                        r.try_get::<bool, _>("disabled")?,
                    )),
                    None => None,
                })
            }
            Err(_) => None,
        };
        // An overlong password is refused unhashed, whoever it is for.
        let password = if password.chars().count() > MAX_PASSWORD_CHARS {
            None
        } else {
            Some(password.to_string())
        };
        // Not checked, but as slow as a check: a quick answer would tell
        // that the account exists, or that a lock is on.
        let decoy = |password: Option<String>| async move {
            if let Some(password) = password {
                blocking(move || verify_password(decoy_hash(), &password)).await?;
            }
            Ok::<(), StoreError>(())
        };
        if let Some(until) = self.locked_for(ANY_ACCOUNT, client, now).await? {
            decoy(password).await?;
            return Ok(Authentication::Throttled { until });
        }
        let Some((id, hash, disabled)) = found else {
            decoy(password).await?;
            self.record_failure(ANY_ACCOUNT, client, policy.client_max_failures, policy, now)
                .await?;
            return Ok(Authentication::Refused {
                user_id: None,
                locked_until: None,
            });
        };
        if let Some(until) = self.locked_for(id, client, now).await? {
            decoy(password).await?;
            return Ok(Authentication::Locked { user_id: id, until });
        }
        let matches = match password {
            Some(password) => blocking(move || verify_password(&hash, &password)).await?,
            None => false,
        };
        if !matches {
            self.record_failure(ANY_ACCOUNT, client, policy.client_max_failures, policy, now)
                .await?;
            let locked_until = self
                .record_failure(id, client, policy.max_failures, policy, now)
                .await?;
            return Ok(Authentication::Refused {
                user_id: Some(id),
                locked_until,
            });
        }
        if disabled {
            return Ok(Authentication::Refused {
                user_id: Some(id),
                locked_until: None,
            });
        }
        self.forget_failures(id, client).await?;
        let user = self
            .user(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("an account vanished while signing in".into()))?;
        Ok(Authentication::Accepted(user))
    }

    /// Start a session for a signed-in account. The token and the CSRF token
    /// are 256 random bits each; only the token's SHA-256 is stored.
    pub async fn create_session(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<NewSession, StoreError> {
        let token = random_hex(32)?;
        let csrf_token = random_hex(32)?;
        const SQL: &str = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $4)";
        on_pool!(self, p => {
            sqlx::query(SQL)
                .bind(session_token_hash(&token)).bind(user_id).bind(&csrf_token)
                .bind(stamp(now)).bind(stamp(expires_at))
                .execute(p).await?;
        });
        Ok(NewSession {
            token,
            csrf_token,
            expires_at,
        })
    }

    /// The live session a token names: not past its expiry, used within
    /// `idle`, and its account not disabled.
    pub async fn session(
        &self,
        token: &str,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> Result<Option<SessionInfo>, StoreError> {
        let sql = format!(
            "SELECT s.csrf_token, s.created_at AS session_created, s.expires_at, s.last_seen_at, {}
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND NOT u.disabled",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let row: Option<SessionRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(session_token_hash(token)).bind(stamp(now)).bind(stamp(now - idle))
            .fetch_optional(p).await?);
        row.map(|r| {
            Ok(SessionInfo {
                user: User::try_from(r.user)?,
                csrf_token: r.csrf_token,
                created_at: parse_time(&r.session_created)?,
                expires_at: parse_time(&r.expires_at)?,
                last_seen_at: parse_time(&r.last_seen_at)?,
            })
        })
        .transpose()
    }

    /// Note that a session was used now (it stays alive while in use).
    pub async fn touch_session(&self, token: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2";
        on_pool!(self, p => {
            sqlx::query(SQL).bind(stamp(now)).bind(session_token_hash(token)).execute(p).await?;
        });
        Ok(())
    }

    /// End a session (signing out); false when there was none.
    pub async fn end_session(&self, token: &str) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE token_hash = $1";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(session_token_hash(token)).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// End every session of one account.
    pub async fn end_sessions_of(&self, user_id: i64) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE user_id = $1";
        let n =
            on_pool!(self, p => sqlx::query(SQL).bind(user_id).execute(p).await?.rows_affected());
        Ok(n)
    }

    /// Remove sessions past their expiry or idle too long; returns how many.
    pub async fn delete_stale_sessions(
        &self,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
        let n = on_pool!(self, p => sqlx::query(SQL).bind(stamp(now)).bind(stamp(now - idle)).execute(p).await?.rows_affected());
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_lower_cased_and_plain() {
        assert_eq!(normalise_username("  JSmith ").unwrap(), "jsmith");
        assert_eq!(
            normalise_username("a.b-c_d@council.gov.uk").unwrap(),
            "a.b-c_d@council.gov.uk"
        );
        for bad in [
            "",
            "   ",
            "two words",
            "semi;colon",
            "<script>",
            &"a".repeat(65),
        ] {
            assert!(normalise_username(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_password_hash_is_argon2id_salted_and_verifies_only_its_password() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify_password(&a, "correct horse battery"));
        assert!(!verify_password(&a, "correct horse battery "));
        assert!(!verify_password("not a hash", "anything"));
    }

    #[test]
    fn stamps_have_one_width_so_text_order_is_time_order() {
        let t = DateTime::parse_from_rfc3339("2025-01-31T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(stamp(t), "2025-01-31T09:00:00.000000Z");
        let later = t + Duration::microseconds(1);
        assert!(stamp(later) > stamp(t));
        assert_eq!(parse_time(&stamp(later)).unwrap(), later);
    }

    #[test]
    fn generated_passwords_are_long_random_and_unambiguous() {
        let p = generate_password().unwrap();
        assert_eq!(p.len(), 23, "{p}");
        assert_eq!(p.matches('-').count(), 3, "{p}");
        assert!(p
            .chars()
            .all(|c| c == '-' || "abcdefghjkmnpqrstuvwxyz23456789".contains(c)));
        assert!(check_password_rules(&p).is_ok());
        assert_ne!(p, generate_password().unwrap());
    }

    #[test]
    fn session_tokens_are_stored_as_sha256() {
        // printf abc | sha256sum
        assert_eq!(
            session_token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let t = random_hex(32).unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(t, random_hex(32).unwrap());
    }
}
