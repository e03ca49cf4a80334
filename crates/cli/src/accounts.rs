//! `upstream users` and `upstream audit`: staff accounts and the audit log
//! from the command line, and the demo's accounts. What the command line
//! does to accounts and personal data is recorded in the audit log too, as
//! `cli:<operating-system user>`.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use upstream_core::{AuditAction, Role};
use upstream_store::{AuditFilter, ChainCheck, NewAuditEntry, NewUser, Store, StoreError};

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a staff account. You are asked for the password (or give it on
    /// standard input with --password-stdin); it is never an argument, where
    /// other people on the machine could see it.
    Add {
        /// Letters, digits and . _ - @ (stored in lower case).
        username: String,
        /// connector, team_leader, partner_worker, analyst or administrator.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The partner's organisation (needed for a partner worker).
        #[arg(long)]
        organisation: Option<String>,
        /// The team a connector or team leader works in.
        #[arg(long)]
        team: Option<String>,
        /// The name shown on pages [default: the username].
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account.
    List,
    /// Give an account a new password (asked for, or on standard input with
    /// --password-stdin). Clears every lock-out and signs the account out
    /// everywhere.
    ResetPassword {
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Stop an account signing in, and end its sessions (someone who has
    /// left). Nothing of theirs is deleted: the audit log still names them.
    Disable { username: String },
    /// Let a disabled account sign in again.
    Enable { username: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no entry of the audit log has been changed, removed or reordered.
    Verify,
    /// Show audit entries, newest first.
    Search {
        /// Who acted.
        #[arg(long)]
        user: Option<String>,
        /// view, create, change, delete, sign_in, sign_out, sign_in_failed or export.
        #[arg(long, value_parser = parse_action)]
        action: Option<AuditAction>,
        /// What it was about: person, household, case, user, ...
        #[arg(long)]
        subject_kind: Option<String>,
        #[arg(long)]
        subject_id: Option<String>,
        /// On or after this day (YYYY-MM-DD, UTC).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// On or before this day (YYYY-MM-DD, UTC).
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Write everything held about one person to a JSON file (a subject
    /// access request). The export is recorded in the audit log.
    ExportPerson {
        /// The person's id.
        id: i64,
        /// The file to write (must not exist yet; readable by you only).
        #[arg(long)]
        out: PathBuf,
        /// The request's reference, kept with the audit entry.
        #[arg(long, default_value = "")]
        reference: String,
    },
}

/// Whether the session cookie is `Secure` (sent over HTTPS only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CookieSecurity {
    /// Secure, unless listening on a loopback address only (plain HTTP on this machine).
    #[default]
    Auto,
    /// Always Secure: behind an HTTPS proxy, even one on this machine.
    Always,
    /// Never Secure: plain HTTP (for trying things out only).
    Never,
}

impl CookieSecurity {
    pub fn secure_for(self, addr: SocketAddr) -> bool {
        match self {
            CookieSecurity::Auto => !addr.ip().is_loopback(),
            CookieSecurity::Always => true,
            CookieSecurity::Never => false,
        }
    }
}

pub(crate) fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("'{s}' is not a role; use one of {}", names.join(", "))
    })
}

fn parse_action(s: &str) -> Result<AuditAction, String> {
    AuditAction::parse(s).ok_or_else(|| {
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        format!("'{s}' is not an action; use one of {}", names.join(", "))
    })
}

/// Mistakes the user can put right (exit code 2), told apart from failures.
fn user_fixable(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(m) => crate::UserError(m).into(),
        e @ StoreError::UserExists(_) => crate::UserError(e.to_string()).into(),
        e => e.into(),
    }
}

/// Who the audit log says acted, for what the command line does.
fn cli_actor() -> String {
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let who: String = who.chars().take(64).collect();
    format!("cli:{who}")
}

pub(crate) async fn audit(
    store: &Store,
    action: AuditAction,
    kind: &str,
    id: &str,
    purpose: &str,
    detail: serde_json::Value,
) -> Result<()> {
    store
        .append_audit(&NewAuditEntry {
            user_id: None,
            username: cli_actor(),
            action,
            subject_kind: kind.into(),
            subject_id: id.into(),
            purpose: purpose.into(),
            detail,
        })
        .await
        .context("could not write the audit log")?;
    Ok(())
}

pub async fn users(store: &Store, command: UsersCommand) -> Result<()> {
    match command {
        UsersCommand::Add {
            username,
            role,
            organisation,
            team,
            display_name,
            password_stdin,
        } => {
            if role == Role::PartnerWorker && organisation.is_none() {
                crate::user_error!("a partner worker needs --organisation");
            }
            let username = upstream_store::normalise_username(&username).map_err(user_fixable)?;
            if store.user_by_username(&username).await?.is_some() {
                crate::user_error!("there is already an account called '{username}'");
            }
            let password = read_password(&username, password_stdin)?;
            let user = store
                .create_user(
                    &NewUser {
                        username,
                        display_name: display_name.unwrap_or_default(),
                        role,
                        organisation,
                        team,
                    },
                    &password,
                )
                .await
                .map_err(user_fixable)?;
            audit(
                store,
                AuditAction::Create,
                "user",
                &user.username,
                "account created",
                serde_json::json!({ "role": user.role.as_str() }),
            )
            .await?;
            let role = user.role.title().to_lowercase();
            let article = if role.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            println!(
                "Created {} ({}), {article} {role}.",
                user.username, user.display_name
            );
            Ok(())
        }
        UsersCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let user = existing_user(store, &username).await?;
            let password = read_password(&user.username, password_stdin)?;
            store
                .set_password(user.id, &password)
                .await
                .map_err(user_fixable)?;
            audit(
                store,
                AuditAction::Change,
                "user",
                &user.username,
                "password reset",
                serde_json::json!({}),
            )
            .await?;
            println!(
                "{} has a new password; any lock-out is cleared and their sessions have ended.",
                user.username
            );
            Ok(())
        }
        UsersCommand::Disable { username } => set_disabled(store, &username, true).await,
        UsersCommand::Enable { username } => set_disabled(store, &username, false).await,
        UsersCommand::List => {
            let users = store.users().await?;
            if users.is_empty() {
                println!("No accounts yet. Add one with `upstream users add USERNAME --role administrator`.");
                return Ok(());
            }
            println!(
                "{:<20} {:<20} {:<24} {:<24} state",
                "username", "role", "name", "organisation or team"
            );
            let now = chrono::Utc::now();
            for u in users {
                let state = if u.disabled {
                    "disabled".to_string()
                } else {
                    match u.locked_until {
                        Some(t) if t > now => format!("locked until {}", t.format("%H:%M UTC")),
                        _ => "active".to_string(),
                    }
                };
                println!(
                    "{:<20} {:<20} {:<24} {:<24} {state}",
                    u.username,
                    u.role.as_str(),
                    u.display_name,
                    u.organisation.or(u.team).unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

pub async fn audit_command(store: &Store, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify => match store.verify_audit_chain().await? {
            ChainCheck::Intact { entries, last_hash } => {
                println!("The audit log has not been changed: all {entries} entries check out.");
                println!("Latest hash: {last_hash}");
                println!("Keep the count and the latest hash somewhere else: entries removed from the very end can only be noticed against them.");
                Ok(())
            }
            ChainCheck::Broken {
                first_bad_id,
                problem,
            } => {
                anyhow::bail!(
                    "the audit log has been changed: entry {first_bad_id} does not check out ({problem}); entries after it cannot be relied on"
                )
            }
        },
        AuditCommand::Search {
            user,
            action,
            subject_kind,
            subject_id,
            from,
            to,
            limit,
        } => {
            let filter = AuditFilter {
                username: user,
                subject_kind,
                subject_id,
                action,
                from,
                to,
                limit,
            };
            audit(
                store,
                AuditAction::View,
                "audit_log",
                "",
                "audit search",
                serde_json::json!({
                    "username": filter.username,
                    "action": filter.action.map(|a| a.as_str()),
                    "subject_kind": filter.subject_kind,
                    "subject_id": filter.subject_id,
                    "from": filter.from.map(|d| d.to_string()),
                    "to": filter.to.map(|d| d.to_string()),
                }),
            )
            .await?;
            let found = store.search_audit(&filter).await?;
            if found.is_empty() {
                println!("No entries match.");
            }
            for e in found {
                let subject = if e.subject_id.is_empty() {
                    e.subject_kind
                } else {
                    format!("{} {}", e.subject_kind, e.subject_id)
                };
                let detail = if e.detail == serde_json::json!({}) {
                    String::new()
                } else {
                    format!(" {}", e.detail)
                };
                println!(
                    "{:>7}  {}  {:<20} {:<15} {:<20} {}{detail}",
                    e.id,
                    e.at,
                    e.username,
                    e.action.as_str(),
                    subject,
                    e.purpose
                );
            }
            Ok(())
        }
        AuditCommand::ExportPerson { id, out, reference } => {
            let Some(export) = store.subject_access_export(id).await? else {
                crate::user_error!("there is no person {id}");
            };
            let json = serde_json::to_vec_pretty(&export)?;
            let mut file = create_private(&out)?;
            // Recorded before anything is written: no export goes unrecorded.
            audit(
                store,
                AuditAction::Export,
                "person",
                &id.to_string(),
                "subject access request",
                serde_json::json!({ "reference": reference, "file": out.display().to_string() }),
            )
            .await?;
            file.write_all(&json)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("could not write {}", out.display()))?;
            println!(
                "Wrote everything held about person {id} to {} ({} source records, {} households, {} audit entries). The export is recorded in the audit log.",
                out.display(),
                export.source_records.len(),
                export.households.len(),
                export.audit.len()
            );
            Ok(())
        }
    }
}

/// A new file only its owner can read: it holds personal data.
fn create_private(path: &std::path::Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(crate::UserError(format!(
            "{} already exists; choose another file name",
            path.display()
        ))
        .into()),
        Err(e) => Err(e).with_context(|| format!("could not create {}", path.display())),
    }
}

/// The account with this username, or an error the user can fix.
async fn existing_user(store: &Store, username: &str) -> Result<upstream_store::User> {
    let name = upstream_store::normalise_username(username).map_err(user_fixable)?;
    match store.user_by_username(&name).await? {
        Some(user) => Ok(user),
        None => {
            crate::user_error!("there is no account called '{name}' (see `upstream users list`)")
        }
    }
}

/// `users disable` and `users enable`, audited.
async fn set_disabled(store: &Store, username: &str, disabled: bool) -> Result<()> {
    let user = existing_user(store, username).await?;
    store.set_user_disabled(user.id, disabled).await?;
    let what = if disabled {
        "account disabled"
    } else {
        "account enabled"
    };
    audit(
        store,
        AuditAction::Change,
        "user",
        &user.username,
        what,
        serde_json::json!({ "disabled": disabled }),
    )
    .await?;
    if disabled {
        println!(
            "{} can no longer sign in; their sessions have ended.",
            user.username
        );
    } else {
        println!("{} can sign in again.", user.username);
    }
    Ok(())
}

fn read_password(username: &str, from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read the password from standard input")?;
        let password = line.trim_end_matches(['\n', '\r']).to_string();
        if password.is_empty() {
            crate::user_error!("no password on standard input");
        }
        return Ok(password);
    }
    // SAFETY: isatty only inspects the descriptor.
    if unsafe { libc::isatty(libc::STDIN_FILENO) } != 1 {
        crate::user_error!(
            "there is no terminal to ask for the password on; give it on standard input with --password-stdin"
        );
    }
    let first = prompt_hidden(&format!("Password for {username}: "))?;
    let again = prompt_hidden("The same password again: ")?;
    if first != again {
        crate::user_error!("the two passwords were not the same; nothing was created");
    }
    Ok(first)
}

/// Ask on the terminal without showing what is typed.
fn prompt_hidden(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let mut line = String::new();
    {
        let _hidden = EchoOff::new().context("could not hide the password as it is typed")?;
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read the password")?;
    }
    eprintln!();
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// The terminal's echo, off until dropped.
struct EchoOff {
    saved: libc::termios,
}

impl EchoOff {
    fn new() -> std::io::Result<EchoOff> {
        // SAFETY: termios is plain data, filled in by tcgetattr before use;
        // both calls only read or set the terminal's settings.
        unsafe {
            let mut settings: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut settings) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let saved = settings;
            settings.c_lflag &= !libc::ECHO;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &settings) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(EchoOff { saved })
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        // SAFETY: puts back the settings tcgetattr gave.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}

/// One demo account; `password` is `None` when it was made on an earlier run
/// (only its hash is kept, so it cannot be shown again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub username: String,
    pub password: Option<String>,
    pub role: Role,
    pub organisation: Option<String>,
}

/// One account of each role, two partner workers in different
/// organisations, each with a random password (stored hashed). Accounts that
/// already exist are left as they are.
pub async fn seed_demo_users(store: &Store) -> Result<Vec<DemoUser>> {
    let team = Some(crate::DEMO_TEAM.to_string());
    // (username, display name, role, organisation, team)
    type Wanted<'a> = (&'a str, &'a str, Role, Option<&'a str>, Option<String>);
    let wanted: [Wanted; 6] = [
        (
            "connector",
            "Casey Morgan",
            Role::Connector,
            None,
            team.clone(),
        ),
        ("team-leader", "Priya Shah", Role::TeamLeader, None, team),
        (
            "partner-advice",
            "Jordan Ellis",
            Role::PartnerWorker,
            Some("Citizens Advice"),
            None,
        ),
        (
            "partner-foodbank",
            "Sam Okafor",
            Role::PartnerWorker,
            Some("Food Bank Trust"),
            None,
        ),
        ("analyst", "Alex Rowe", Role::Analyst, None, None),
        ("admin", "Robin Hale", Role::Administrator, None, None),
    ];
    // The demo's partners and what their work serves: consent is checked
    // against both (a food bank may not see a household that agreed to
    // share with it only for money advice).
    for (name, kind, purposes) in [
        (
            "Citizens Advice",
            "voluntary",
            &["money_advice", "housing_support"][..],
        ),
        ("Food Bank Trust", "voluntary", &["community_support"][..]),
    ] {
        store
            .save_partner_organisation(&upstream_store::PartnerOrganisation {
                name: name.into(),
                kind: kind.into(),
                purposes: purposes.iter().map(|p| p.to_string()).collect(),
            })
            .await?;
    }
    let mut out = Vec::with_capacity(wanted.len());
    for (username, name, role, organisation, team) in wanted {
        let password = match store.user_by_username(username).await? {
            Some(_) => None,
            None => {
                let password = upstream_store::generate_password()?;
                store
                    .create_user(
                        &NewUser {
                            username: username.into(),
                            display_name: name.into(),
                            role,
                            organisation: organisation.map(String::from),
                            team,
                        },
                        &password,
                    )
                    .await?;
                audit(
                    store,
                    AuditAction::Create,
                    "user",
                    username,
                    "demo accounts",
                    serde_json::json!({ "role": role.as_str() }),
                )
                .await?;
                Some(password)
            }
        };
        out.push(DemoUser {
            username: username.into(),
            password,
            role,
            organisation: organisation.map(String::from),
        });
    }
    Ok(out)
}

/// The demo accounts as a table to sign in with.
pub fn print_demo_users(users: &[DemoUser]) {
    println!("Demo accounts (sign in at /sign-in; the passwords are shown only when first made):");
    println!(
        "  {:<18} {:<25} {:<21} organisation",
        "username", "password", "role"
    );
    for u in users {
        let line = format!(
            "  {:<18} {:<25} {:<21} {}",
            u.username,
            u.password.as_deref().unwrap_or("(as set before)"),
            u.role.title(),
            u.organisation.as_deref().unwrap_or("")
        );
        println!("{}", line.trim_end());
    }
    if users.iter().any(|u| u.password.is_none()) {
        println!("  Forgotten one? `upstream users reset-password USERNAME` sets a new one (add --database as you did for the demo).");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_unless_on_loopback_or_told_otherwise() {
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(!CookieSecurity::Auto.secure_for(local));
        assert!(CookieSecurity::Auto.secure_for(public));
        assert!(CookieSecurity::Always.secure_for(local));
        assert!(!CookieSecurity::Never.secure_for(public));
    }

    #[tokio::test]
    async fn demo_accounts_are_made_once_one_of_each_role() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let first = seed_demo_users(&store).await.unwrap();
        assert_eq!(first.len(), 6);
        for role in Role::ALL {
            assert!(first.iter().any(|u| u.role == role), "{role}");
        }
        let orgs: Vec<_> = first
            .iter()
            .filter_map(|u| u.organisation.as_deref())
            .collect();
        assert_eq!(orgs, ["Citizens Advice", "Food Bank Trust"]);
        assert!(first.iter().all(|u| u.password.is_some()));
        let policy = upstream_store::LockoutPolicy::default();
        let admin = first
            .iter()
            .find(|u| u.role == Role::Administrator)
            .unwrap();
        let signed_in = store
            .authenticate(
                &admin.username,
                admin.password.as_deref().unwrap(),
                "127.0.0.1",
                policy,
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        assert!(matches!(
            signed_in,
            upstream_store::Authentication::Accepted(_)
        ));

        let again = seed_demo_users(&store).await.unwrap();
        assert_eq!(again.len(), 6);
        assert!(
            again.iter().all(|u| u.password.is_none()),
            "existing accounts are kept"
        );
        assert_eq!(store.users().await.unwrap().len(), 6);
    }
}
