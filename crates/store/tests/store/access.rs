//! Accounts, sessions, lock-out, the audit chain and the subject access
//! export, on every backend (included into the `store` test binary, so it
//! shares its fresh databases and costs no extra link).

use super::{stores, Fresh};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use upstream_core::{AuditAction, Role};
use upstream_store::{
    AuditFilter, Authentication, ChainCheck, LockoutPolicy, NewAuditEntry, NewUser, Store,
    StoreError,
};

const PASSWORD: &str = "correct horse battery staple";
/// The address sign-ins come from, as the web server reports it.
const HERE: &str = "192.0.2.10";

fn user(name: &str, role: Role) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: String::new(),
        role,
        organisation: (role == Role::PartnerWorker).then(|| "Citizens Advice".to_string()),
        team: None,
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

/// A plain connection to the same database, for what the store will not do.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    async fn open(fresh: &Fresh) -> Raw {
        match fresh.store.backend() {
            upstream_store::Backend::Sqlite => Raw::Sqlite(
                sqlx::SqlitePool::connect_with(
                    sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(&fresh.url)
                        .busy_timeout(std::time::Duration::from_secs(10)),
                )
                .await
                .expect("raw sqlite"),
            ),
            upstream_store::Backend::Postgres => {
                Raw::Postgres(sqlx::PgPool::connect(&fresh.url).await.expect("raw pg"))
            }
        }
    }

    async fn exec(&self, sql: &str) -> Result<(), String> {
        match self {
            Raw::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
            Raw::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        }
        .map_err(|e| e.to_string())
    }

    async fn must(&self, sql: &str) {
        if let Err(e) = self.exec(sql).await {
            panic!("{sql}: {e}");
        }
    }

    async fn count(&self, sql: &str) -> i64 {
        match self {
            Raw::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
            Raw::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Remove the append-only guard, as someone with the database owner's rights could.
    async fn drop_audit_guard(&self) {
        match self {
            Raw::Sqlite(_) => {
                self.must("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete")
                    .await
            }
            Raw::Postgres(_) => {
                self.must("DROP TRIGGER audit_log_no_change ON audit_log")
                    .await
            }
        }
    }
}

fn entry(username: &str, action: AuditAction, kind: &str, id: &str) -> NewAuditEntry {
    NewAuditEntry {
        user_id: None,
        username: username.into(),
        action,
        subject_kind: kind.into(),
        subject_id: id.into(),
        purpose: "a test".into(),
        detail: serde_json::json!({"page": "household"}),
    }
}

#[tokio::test]
async fn accounts_are_created_found_in_any_case_and_never_twice() {
    for fresh in stores().await {
        let s = &fresh.store;
        let made = s
            .create_user(
                &NewUser {
                    username: " ASmith ".into(),
                    display_name: "Asha Smith".into(),
                    role: Role::Connector,
                    organisation: None,
                    team: Some("Prevention team".into()),
                },
                PASSWORD,
            )
            .await
            .expect("create");
        assert_eq!(made.username, "asmith");
        assert_eq!(made.role, Role::Connector);
        assert_eq!(made.team.as_deref(), Some("Prevention team"));
        assert_eq!(made.failed_attempts, 0);
        assert!(!made.disabled);
        let found = s.user_by_username("asMITH").await.expect("find");
        assert_eq!(found.as_ref(), Some(&made), "{}", fresh.name());
        assert_eq!(s.user_by_username("nobody").await.expect("find"), None);
        assert_eq!(s.user_by_username("<bad name>").await.expect("find"), None);

        let again = s
            .create_user(&user("asmith", Role::Analyst), PASSWORD)
            .await;
        assert!(
            matches!(again, Err(StoreError::UserExists(ref n)) if n == "asmith"),
            "{again:?}"
        );
        let partner = s
            .create_user(
                &NewUser {
                    organisation: None,
                    ..user("pat", Role::PartnerWorker)
                },
                PASSWORD,
            )
            .await;
        assert!(
            matches!(partner, Err(StoreError::Invalid(_))),
            "{partner:?}"
        );
        let short = s.create_user(&user("shorty", Role::Analyst), "short").await;
        assert!(matches!(short, Err(StoreError::Invalid(_))), "{short:?}");
        let partner = s
            .create_user(&user("pat", Role::PartnerWorker), PASSWORD)
            .await
            .expect("partner");
        assert_eq!(partner.organisation.as_deref(), Some("Citizens Advice"));
        assert_eq!(
            partner.display_name, "pat",
            "the username when no name is given"
        );
        let names: Vec<String> = s
            .users()
            .await
            .expect("list")
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["asmith", "pat"]);

        let raw = Raw::open(&fresh).await;
        assert_eq!(
            raw.count("SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$%'")
                .await,
            2,
            "argon2id hashes, never the password"
        );
    }
}

#[tokio::test]
async fn sign_in_accepts_the_right_password_and_refuses_alike_otherwise() {
    for fresh in stores().await {
        let s = &fresh.store;
        let policy = LockoutPolicy::default();
        let now = Utc::now();
        let u = s
            .create_user(&user("ali", Role::TeamLeader), PASSWORD)
            .await
            .expect("create");
        match s
            .authenticate("ALI", PASSWORD, HERE, policy, now)
            .await
            .expect("auth")
        {
            Authentication::Accepted(got) => assert_eq!(got.id, u.id),
            other => panic!("{}: {other:?}", fresh.name()),
        }
        assert_eq!(
            s.authenticate("ali", "wrong password!", HERE, policy, now)
                .await
                .expect("auth"),
            Authentication::Refused {
                user_id: Some(u.id),
                locked_until: None
            }
        );
        assert_eq!(
            s.authenticate("nobody", PASSWORD, HERE, policy, now)
                .await
                .expect("auth"),
            Authentication::Refused {
                user_id: None,
                locked_until: None
            }
        );
        assert_eq!(
            s.authenticate("ali", &"x".repeat(10_000), HERE, policy, now)
                .await
                .expect("auth"),
            Authentication::Refused {
                user_id: Some(u.id),
                locked_until: None
            },
            "an overlong password is refused without hashing"
        );
        s.set_user_disabled(u.id, true).await.expect("disable");
        assert_eq!(
            s.authenticate("ali", PASSWORD, HERE, policy, now)
                .await
                .expect("auth"),
            Authentication::Refused {
                user_id: Some(u.id),
                locked_until: None
            },
            "a disabled account cannot sign in"
        );
    }
}

#[tokio::test]
async fn five_wrong_passwords_lock_an_account_for_fifteen_minutes() {
    for fresh in stores().await {
        let s = &fresh.store;
        let policy = LockoutPolicy::default();
        let t0 = at("2025-03-03T09:00:00Z");
        let u = s
            .create_user(&user("bo", Role::Connector), PASSWORD)
            .await
            .expect("create");

        // Failures are forgotten after a success.
        for _ in 0..4 {
            s.authenticate("bo", "wrong password", HERE, policy, t0)
                .await
                .expect("auth");
        }
        assert!(matches!(
            s.authenticate("bo", PASSWORD, HERE, policy, t0)
                .await
                .expect("auth"),
            Authentication::Accepted(_)
        ));
        assert_eq!(
            s.user(u.id)
                .await
                .expect("user")
                .expect("bo")
                .failed_attempts,
            0
        );

        for i in 1..=5 {
            let got = s
                .authenticate("bo", "wrong password", HERE, policy, t0)
                .await
                .expect("auth");
            let want_lock = (i == 5).then(|| t0 + Duration::minutes(15));
            assert_eq!(
                got,
                Authentication::Refused {
                    user_id: Some(u.id),
                    locked_until: want_lock
                },
                "{}: failure {i}",
                fresh.name()
            );
        }
        // Locked: even the right password is refused, unchecked.
        let later = t0 + Duration::minutes(14);
        assert_eq!(
            s.authenticate("bo", PASSWORD, HERE, policy, later)
                .await
                .expect("auth"),
            Authentication::Locked {
                user_id: u.id,
                until: t0 + Duration::minutes(15)
            }
        );
        // After the lock, the right password works again.
        let after = t0 + Duration::minutes(16);
        assert!(matches!(
            s.authenticate("bo", PASSWORD, HERE, policy, after)
                .await
                .expect("auth"),
            Authentication::Accepted(_)
        ));
        // A new password clears a lock at once.
        for _ in 0..5 {
            s.authenticate("bo", "wrong password", HERE, policy, after)
                .await
                .expect("auth");
        }
        s.set_password(u.id, "a brand new passphrase")
            .await
            .expect("reset");
        assert!(matches!(
            s.authenticate("bo", "a brand new passphrase", HERE, policy, after)
                .await
                .expect("auth"),
            Authentication::Accepted(_)
        ));
    }
}

/// A fault found on trying the app: anyone who knew a username could lock its
/// owner out for fifteen minutes by failing five times. Failures now lock the
/// account for the client they came from only; a client failing over many
/// accounts is throttled as a whole; a count left alone for the lock's length
/// starts again.
#[tokio::test]
async fn failures_lock_an_account_for_their_own_client_only_and_a_guessing_client_is_throttled() {
    const ATTACKER: &str = "203.0.113.9";
    for fresh in stores().await {
        let s = &fresh.store;
        let policy = LockoutPolicy::default();
        let t0 = at("2025-03-03T09:00:00Z");
        let u = s
            .create_user(&user("cy", Role::Connector), PASSWORD)
            .await
            .expect("create");
        for _ in 0..5 {
            s.authenticate("cy", "wrong password", ATTACKER, policy, t0)
                .await
                .expect("auth");
        }
        assert!(matches!(
            s.authenticate("cy", PASSWORD, ATTACKER, policy, t0)
                .await
                .expect("auth"),
            Authentication::Locked { .. }
        ));
        assert!(
            matches!(
                s.authenticate("cy", PASSWORD, HERE, policy, t0)
                    .await
                    .expect("auth"),
                Authentication::Accepted(_)
            ),
            "{}: the owner, elsewhere, is not locked out",
            fresh.name()
        );
        // Administrators still see that the account was attacked.
        let seen = s.user(u.id).await.expect("read").expect("cy");
        assert_eq!(seen.locked_until, Some(t0 + Duration::minutes(15)));

        // A few mistakes now and then never add up to a lock.
        for k in 0..3 {
            let t = t0 + Duration::minutes(20 * k);
            for _ in 0..4 {
                s.authenticate("cy", "wrong password", HERE, policy, t)
                    .await
                    .expect("auth");
            }
        }
        assert!(matches!(
            s.authenticate("cy", PASSWORD, HERE, policy, t0 + Duration::minutes(41))
                .await
                .expect("auth"),
            Authentication::Accepted(_)
        ));

        // One client trying name after name is throttled, whatever it tries next.
        let t1 = t0 + Duration::hours(2);
        for i in 0..policy.client_max_failures {
            s.authenticate(&format!("guess{i}"), "password1", ATTACKER, policy, t1)
                .await
                .expect("auth");
        }
        assert!(
            matches!(
                s.authenticate("cy", PASSWORD, ATTACKER, policy, t1)
                    .await
                    .expect("auth"),
                Authentication::Throttled { .. }
            ),
            "{}",
            fresh.name()
        );
        assert!(matches!(
            s.authenticate("cy", PASSWORD, HERE, policy, t1)
                .await
                .expect("auth"),
            Authentication::Accepted(_)
        ));
        assert!(matches!(
            s.authenticate("cy", PASSWORD, ATTACKER, policy, t1 + Duration::minutes(16))
                .await
                .expect("auth"),
            Authentication::Accepted(_)
        ));
    }
}

#[tokio::test]
async fn sessions_are_found_by_token_until_they_expire_idle_or_end() {
    for fresh in stores().await {
        let s = &fresh.store;
        let idle = Duration::minutes(30);
        let t0 = at("2025-03-03T09:00:00Z");
        let u = s
            .create_user(&user("cy", Role::Administrator), PASSWORD)
            .await
            .expect("create");
        let new = s
            .create_session(u.id, t0, t0 + Duration::hours(8))
            .await
            .expect("session");
        assert_eq!(new.token.len(), 64);
        assert_eq!(new.csrf_token.len(), 64);
        assert_ne!(new.token, new.csrf_token);

        let found = s
            .session(&new.token, t0 + Duration::minutes(1), idle)
            .await
            .expect("find")
            .expect("live");
        assert_eq!(found.user.id, u.id);
        assert_eq!(found.csrf_token, new.csrf_token);
        assert_eq!(
            s.session("not-the-token", t0, idle).await.expect("find"),
            None
        );

        let raw = Raw::open(&fresh).await;
        assert_eq!(
            raw.count(&format!(
                "SELECT COUNT(*) FROM sessions WHERE token_hash = '{}'",
                new.token
            ))
            .await,
            0,
            "the token itself is never stored"
        );
        assert_eq!(
            raw.count(&format!(
                "SELECT COUNT(*) FROM sessions WHERE token_hash = '{}'",
                upstream_store::session_token_hash(&new.token)
            ))
            .await,
            1
        );

        // Idle for 31 minutes: gone. Touched at 29: still there at 31.
        assert_eq!(
            s.session(&new.token, t0 + Duration::minutes(31), idle)
                .await
                .expect("find"),
            None
        );
        s.touch_session(&new.token, t0 + Duration::minutes(29))
            .await
            .expect("touch");
        assert!(s
            .session(&new.token, t0 + Duration::minutes(31), idle)
            .await
            .expect("find")
            .is_some());
        // Past its expiry, however recently used.
        s.touch_session(&new.token, t0 + Duration::hours(8))
            .await
            .expect("touch");
        assert_eq!(
            s.session(&new.token, t0 + Duration::hours(8), idle)
                .await
                .expect("find"),
            None
        );

        // Ending it.
        let other = s
            .create_session(u.id, t0, t0 + Duration::hours(8))
            .await
            .expect("session");
        assert!(s.end_session(&other.token).await.expect("end"));
        assert!(!s.end_session(&other.token).await.expect("end twice"));
        assert_eq!(s.session(&other.token, t0, idle).await.expect("find"), None);

        // Housekeeping removes what can no longer be used.
        let removed = s
            .delete_stale_sessions(t0 + Duration::hours(9), idle)
            .await
            .expect("tidy");
        assert_eq!(
            removed, 1,
            "the expired one; the ended one was already gone"
        );
        assert_eq!(raw.count("SELECT COUNT(*) FROM sessions").await, 0);

        // Disabling an account ends its sessions.
        let third = s
            .create_session(u.id, t0, t0 + Duration::hours(8))
            .await
            .expect("session");
        s.set_user_disabled(u.id, true).await.expect("disable");
        assert_eq!(s.session(&third.token, t0, idle).await.expect("find"), None);
        assert_eq!(raw.count("SELECT COUNT(*) FROM sessions").await, 0);
    }
}

#[tokio::test]
async fn the_audit_log_chains_its_entries_and_searches_newest_first() {
    for fresh in stores().await {
        let s = &fresh.store;
        assert_eq!(
            s.verify_audit_chain().await.expect("verify"),
            ChainCheck::Intact {
                entries: 0,
                last_hash: upstream_store::GENESIS_HASH.into()
            }
        );
        let a = s
            .append_audit(&entry("ali", AuditAction::SignIn, "user", "ali"))
            .await
            .expect("a");
        let b = s
            .append_audit(&entry("ali", AuditAction::View, "household", "17"))
            .await
            .expect("b");
        let c = s
            .append_audit(&entry("bo", AuditAction::View, "person", "4"))
            .await
            .expect("c");
        assert_eq!((a.id, b.id, c.id), (1, 2, 3));
        assert_eq!(a.prev_hash, upstream_store::GENESIS_HASH);
        assert_eq!(b.prev_hash, a.hash);
        assert_eq!(c.prev_hash, b.hash);
        assert!(a.at <= b.at && b.at <= c.at);
        assert_eq!(
            s.verify_audit_chain().await.expect("verify"),
            ChainCheck::Intact {
                entries: 3,
                last_hash: c.hash.clone()
            },
            "{}",
            fresh.name()
        );

        let ids =
            |v: Vec<upstream_store::AuditEntry>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
        let all = s.search_audit(&AuditFilter::default()).await.expect("all");
        assert_eq!(all[0], c, "entries come back as recorded");
        assert_eq!(ids(all), [3, 2, 1], "newest first");
        let by_user = AuditFilter {
            username: Some("ALI".into()),
            ..Default::default()
        };
        assert_eq!(ids(s.search_audit(&by_user).await.expect("user")), [2, 1]);
        let by_action = AuditFilter {
            action: Some(AuditAction::View),
            ..Default::default()
        };
        assert_eq!(
            ids(s.search_audit(&by_action).await.expect("action")),
            [3, 2]
        );
        let by_subject = AuditFilter {
            subject_kind: Some("household".into()),
            subject_id: Some("17".into()),
            ..Default::default()
        };
        assert_eq!(
            ids(s.search_audit(&by_subject).await.expect("subject")),
            [2]
        );
        let today = Utc::now().date_naive();
        let in_range = AuditFilter {
            from: Some(today),
            to: Some(today),
            ..Default::default()
        };
        assert_eq!(s.search_audit(&in_range).await.expect("today").len(), 3);
        let tomorrow = today + Duration::days(1);
        let future = AuditFilter {
            from: Some(tomorrow),
            ..Default::default()
        };
        assert!(s.search_audit(&future).await.expect("future").is_empty());
        let past = AuditFilter {
            to: NaiveDate::from_ymd_opt(2020, 1, 1),
            ..Default::default()
        };
        assert!(s.search_audit(&past).await.expect("past").is_empty());
        let one = AuditFilter {
            limit: 1,
            ..Default::default()
        };
        assert_eq!(ids(s.search_audit(&one).await.expect("limit")), [3]);
        // Text that looks like SQL is only ever a value.
        let odd = AuditFilter {
            username: Some("x' OR '1'='1".into()),
            ..Default::default()
        };
        assert!(s.search_audit(&odd).await.expect("odd").is_empty());
    }
}

#[tokio::test]
async fn the_audit_log_refuses_changes_and_its_chain_shows_any_that_get_through() {
    for fresh in stores().await {
        let s = &fresh.store;
        for i in 1..=4 {
            s.append_audit(&entry("ali", AuditAction::View, "person", &i.to_string()))
                .await
                .expect("append");
        }
        let raw = Raw::open(&fresh).await;
        // The tables themselves refuse changes and removals.
        assert!(raw
            .exec("UPDATE audit_log SET purpose = 'nothing to see' WHERE id = 2")
            .await
            .is_err());
        assert!(raw
            .exec("DELETE FROM audit_log WHERE id = 2")
            .await
            .is_err());
        assert!(s.verify_audit_chain().await.expect("verify").is_intact());

        // Someone with the owner's rights drops the guard and edits an entry.
        raw.drop_audit_guard().await;
        raw.must("UPDATE audit_log SET subject_id = '99' WHERE id = 2")
            .await;
        match s.verify_audit_chain().await.expect("verify") {
            ChainCheck::Broken {
                first_bad_id,
                problem,
            } => {
                assert_eq!(first_bad_id, 2, "{}", fresh.name());
                assert!(problem.contains("changed"), "{problem}");
            }
            intact => panic!("{}: tampering not found: {intact:?}", fresh.name()),
        }
        // Putting it back restores the chain.
        raw.must("UPDATE audit_log SET subject_id = '2' WHERE id = 2")
            .await;
        assert!(s.verify_audit_chain().await.expect("verify").is_intact());

        // Re-hashing an edited entry is not enough: the next one no longer follows it.
        raw.must("UPDATE audit_log SET hash = '1111111111111111111111111111111111111111111111111111111111111111' WHERE id = 3").await;
        assert!(matches!(
            s.verify_audit_chain().await.expect("verify"),
            ChainCheck::Broken {
                first_bad_id: 3,
                ..
            }
        ));
        raw.must("UPDATE audit_log SET hash = (SELECT prev_hash FROM audit_log WHERE id = 4) WHERE id = 3")
            .await;
        assert!(s.verify_audit_chain().await.expect("verify").is_intact());

        // Removing an entry from the middle.
        raw.must("DELETE FROM audit_log WHERE id = 2").await;
        match s.verify_audit_chain().await.expect("verify") {
            ChainCheck::Broken {
                first_bad_id,
                problem,
            } => {
                assert_eq!(first_bad_id, 3);
                assert!(problem.contains("missing"), "{problem}");
            }
            intact => panic!("{}: a removal not found: {intact:?}", fresh.name()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_at_the_same_moment_never_fork_the_chain() {
    for fresh in stores().await {
        let store = std::sync::Arc::new(fresh.store.clone());
        let tasks: Vec<_> = (0..24)
            .map(|i| {
                let s = store.clone();
                tokio::spawn(async move {
                    s.append_audit(&entry("ali", AuditAction::View, "person", &i.to_string()))
                        .await
                })
            })
            .collect();
        // Appends that arrive together are written together; each caller
        // still gets its own entry back, with its own place in the chain.
        let mut ids = Vec::new();
        for (i, t) in tasks.into_iter().enumerate() {
            let written = t.await.expect("task").expect("append");
            assert_eq!(written.subject_id, i.to_string(), "{}", fresh.name());
            ids.push(written.id);
        }
        ids.sort_unstable();
        assert_eq!(ids, (1..=24).collect::<Vec<i64>>(), "{}", fresh.name());
        assert_eq!(
            store.verify_audit_chain().await.expect("verify"),
            match store
                .search_audit(&AuditFilter {
                    limit: 1,
                    ..Default::default()
                })
                .await
                .expect("last")
                .pop()
            {
                Some(last) => ChainCheck::Intact {
                    entries: 24,
                    last_hash: last.hash
                },
                None => panic!("no entries"),
            },
            "{}",
            fresh.name()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_appending_at_once_never_fork_the_chain() {
    for fresh in stores().await {
        // Two stores on one database, as two server processes would be:
        // neither knows what the other appended.
        let other = Store::connect(&fresh.url).await.expect("second store");
        let stores = [fresh.store.clone(), other];
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let s = stores[i % 2].clone();
                tokio::spawn(async move {
                    s.append_audit(&entry("ali", AuditAction::View, "person", &i.to_string()))
                        .await
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("append");
        }
        match fresh.store.verify_audit_chain().await.expect("verify") {
            ChainCheck::Intact { entries, .. } => assert_eq!(entries, 40, "{}", fresh.name()),
            broken => panic!("{}: {broken:?}", fresh.name()),
        }
        // Each store goes on appending after the other's entries.
        for s in &stores {
            s.append_audit(&entry("ali", AuditAction::View, "person", "x"))
                .await
                .expect("append after the other");
        }
        assert!(fresh
            .store
            .verify_audit_chain()
            .await
            .expect("verify")
            .is_intact());
    }
}

/// A person (7) in a household (70) with another member (8), with records,
/// an assessment, events, a contact, a case, a flag and audit entries.
async fn a_household(raw: &Raw, s: &Store) {
    raw.must("INSERT INTO ingest_files (id, source, file_name, sha256, extract_date, period_key, rows_read, records, quarantined, loaded_at)
              VALUES (1, 'council_tax', 'extracts/council_tax/council_tax_2025-01.csv', 'ab', '2025-01-31', '2025-01-31', 2, 2, 0, '2025-02-01T00:00:00Z')").await;
    raw.must("INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, attributes, original)
              VALUES (1, 2, 'council_tax', 'CT1', 'account holder', '2025-01-31', 'ASHA', 'SMITH', '1980-05-01', 'B1 1AA', '{\"balance_pence\":1200}', '{\"Forename\":\"Asha\"}'),
                     (1, 3, 'council_tax', 'CT2', 'account holder', '2025-01-31', 'BEN', 'JONES', '1979-01-01', 'B1 1AA', '{}', '{\"Forename\":\"Ben\"}')").await;
    raw.must("INSERT INTO persons (id, first_run, last_run, status) VALUES (7, 1, 1, 'active'), (8, 1, 1, 'active')").await;
    raw.must("INSERT INTO person_records (source, record_key, person_id, run_id) VALUES ('council_tax', 'CT1', 7, 1), ('council_tax', 'CT2', 8, 1)").await;
    raw.must("INSERT INTO addresses (id, addr_key, uprn, address, postcode) VALUES (1, 'u:1', '1', '1 High Street', 'B1 1AA')").await;
    raw.must("INSERT INTO residences (person_id, address_id, from_date, to_date, sources) VALUES (7, 1, '2020-01-01', '2025-01-31', 'council_tax')").await;
    raw.must("INSERT INTO households (id, address_id, from_date, to_date, current) VALUES (70, 1, '2020-01-01', '2025-01-31', TRUE)").await;
    raw.must("INSERT INTO household_members (household_id, person_id) VALUES (70, 7), (70, 8)")
        .await;
    raw.must("INSERT INTO assessment_runs (id, as_of, run_at, link_run_id, model_version, model, library, households) VALUES (1, '2025-01-31', 'x', 1, 'v1', '{}', '{}', 1)").await;
    raw.must("INSERT INTO assessments (run_id, household_id, in_crisis, probability, reasons, resilience, resilience_band, resilience_parts, persona, persona_reason)
              VALUES (1, 70, FALSE, 0.25, '[\"council tax arrears rising\"]', 3, 'middle', '[]', 'Snowballing', 'arrears')").await;
    raw.must("INSERT INTO life_events (run_id, household_id, event, event_date, person_id, detail, evidence) VALUES
              (1, 70, 'first_arrears', '2025-01-31', NULL, 'household arrears', '[]'),
              (1, 70, 'job_loss', '2025-01-15', 7, 'Asha lost her job', '[]'),
              (1, 70, 'new_baby', '2025-01-10', 8, 'SECRET ABOUT BEN', '[]')").await;
    s.record_contact(
        70,
        NaiveDate::from_ymd_opt(2025, 2, 3).expect("date"),
        "phone",
        "spoke",
        "ali",
    )
    .await
    .expect("contact");
    let case = s
        .open_case(70, NaiveDate::from_ymd_opt(2025, 2, 4).expect("date"))
        .await
        .expect("case");
    s.save_conversation(
        case,
        &upstream_store::Conversation {
            what_matters: "Keeping the house near school".into(),
            ..Default::default()
        },
        1,
    )
    .await
    .expect("conversation");
    s.add_plan_action(
        case,
        &upstream_store::NewPlanAction {
            what: "Apply for a payment".into(),
            how_we_will_know: "Letter".into(),
            owner: "resident".into(),
            owner_name: "Asha".into(),
            due_on: NaiveDate::from_ymd_opt(2025, 3, 1).expect("date"),
        },
        1,
    )
    .await
    .expect("action");
    s.record_consent(
        &upstream_store::NewConsent {
            household_id: 70,
            case_id: Some(case),
            given_by: "Asha".into(),
            organisations: vec!["Citizens Advice".into()],
            purposes: vec!["money_advice".into()],
            obtained_how: "written".into(),
            given_on: NaiveDate::from_ymd_opt(2025, 2, 4).expect("date"),
            expires_on: None,
        },
        1,
    )
    .await
    .expect("consent");
    for (person, phone) in [(7, "07700900777"), (8, "07700900888")] {
        s.add_contact_detail(
            &upstream_store::NewContactDetail {
                household_id: 70,
                person_id: Some(person),
                kind: "phone".into(),
                value: phone.into(),
                usable: true,
                note: String::new(),
            },
            1,
        )
        .await
        .expect("detail");
    }
    s.add_reminder(
        case,
        1,
        "Ring Asha after the school run",
        NaiveDate::from_ymd_opt(2025, 3, 3).expect("date"),
    )
    .await
    .expect("reminder");
    s.add_case_note(case, "Asha rang about the school run", 1)
        .await
        .expect("note");
    s.add_case_access_reason(case, 1, Some("Money team"), "She rang the money team")
        .await
        .expect("reason");
    s.add_flag(
        70,
        "tl",
        "worried neighbour",
        NaiveDate::from_ymd_opt(2025, 3, 1).expect("date"),
    )
    .await
    .expect("flag");
    s.append_audit(&entry("ali", AuditAction::View, "household", "70"))
        .await
        .expect("audit");
    s.append_audit(&entry("ali", AuditAction::View, "person", "7"))
        .await
        .expect("audit");
    s.append_audit(&entry("ali", AuditAction::View, "person", "8"))
        .await
        .expect("audit");
    s.append_audit(&entry("ali", AuditAction::View, "person", "77"))
        .await
        .expect("audit");
}

#[tokio::test]
async fn a_subject_access_export_holds_everything_about_one_person_and_nothing_about_others() {
    for fresh in stores().await {
        let s = &fresh.store;
        let raw = Raw::open(&fresh).await;
        a_household(&raw, s).await;
        let export = s
            .subject_access_export(7)
            .await
            .expect("export")
            .expect("a person");
        assert_eq!(export.person_id, 7);
        assert_eq!(
            export.person.as_ref().map(|p| p.status.as_str()),
            Some("active")
        );
        assert_eq!(export.source_records.len(), 1, "{}", fresh.name());
        let r = &export.source_records[0];
        assert_eq!(
            (r.source.as_str(), r.record_key.as_str(), r.row_no),
            ("council_tax", "CT1", 2)
        );
        assert_eq!(r.file_name, "extracts/council_tax/council_tax_2025-01.csv");
        assert_eq!(r.attributes["balance_pence"], 1200);
        assert_eq!(r.original["Forename"], "Asha");
        assert_eq!(export.addresses.len(), 1);
        assert_eq!(export.households.len(), 1);
        let h = &export.households[0];
        assert_eq!(h.household_id, 70);
        assert_eq!(h.assessments.len(), 1);
        assert_eq!(h.assessments[0]["reasons"][0], "council tax arrears rising");
        assert_eq!(h.contacts.len(), 1);
        assert_eq!(h.cases.len(), 1);
        assert_eq!(
            h.cases[0]["conversations"][0]["what_matters"],
            "Keeping the house near school",
            "{}: the casework is in the export",
            fresh.name()
        );
        assert_eq!(h.cases[0]["support_plan"][0]["what"], "Apply for a payment");
        assert_eq!(h.consents[0]["organisations"][0], "Citizens Advice");
        assert_eq!(h.fast_track_flags.len(), 1);
        let phones: Vec<&str> = h
            .contact_details
            .iter()
            .filter_map(|d| d["value"].as_str())
            .collect();
        assert_eq!(
            phones,
            ["07700900777"],
            "{}: not the other member's number",
            fresh.name()
        );
        assert_eq!(
            h.cases[0]["notes"][0]["note"],
            "Asha rang about the school run"
        );
        assert_eq!(
            h.cases[0]["reminders"][0]["what"],
            "Ring Asha after the school run"
        );
        assert_eq!(
            h.cases[0]["looked_at_from_other_teams"][0]["why"],
            "She rang the money team"
        );
        let events: Vec<&str> = h
            .life_events
            .iter()
            .filter_map(|e| e["event"].as_str())
            .collect();
        assert_eq!(
            events,
            ["job_loss", "first_arrears"],
            "not the other member's"
        );
        let audited: Vec<(String, String)> = export
            .audit
            .iter()
            .map(|e| (e.subject_kind.clone(), e.subject_id.clone()))
            .collect();
        assert_eq!(
            audited,
            [
                ("household".to_string(), "70".to_string()),
                ("person".into(), "7".into())
            ]
        );
        let json = serde_json::to_string(&export).expect("json");
        assert!(json.contains("ASHA"));
        assert!(
            !json.contains("BEN") && !json.contains("SECRET ABOUT BEN"),
            "another member's data: {json}"
        );
        assert!(json.contains("\"action\":\"view\""));

        assert_eq!(s.subject_access_export(12345).await.expect("export"), None);
    }
}

#[tokio::test]
async fn an_accounts_role_team_and_organisation_change_together() {
    for fresh in stores().await {
        let s = &fresh.store;
        let db = fresh.name();
        let u = s
            .create_user(
                &NewUser {
                    username: "jo".into(),
                    display_name: "Jo".into(),
                    role: Role::Connector,
                    organisation: None,
                    team: Some("Prevention team".into()),
                },
                "a long enough password",
            )
            .await
            .expect("user");
        // A partner worker needs an organisation; nothing changes without one.
        assert!(
            s.set_user_role(u.id, Role::PartnerWorker, None, None)
                .await
                .is_err(),
            "{db}"
        );
        let same = s.user(u.id).await.expect("read").expect("jo");
        assert_eq!(
            (same.role, same.team.as_deref()),
            (Role::Connector, Some("Prevention team")),
            "{db}"
        );
        s.set_user_role(
            u.id,
            Role::PartnerWorker,
            Some("Prevention team"),
            Some("Citizens Advice"),
        )
        .await
        .expect("partner");
        let partner = s.user(u.id).await.expect("read").expect("jo");
        assert_eq!(
            (partner.role, partner.team, partner.organisation.as_deref()),
            (Role::PartnerWorker, None, Some("Citizens Advice")),
            "{db}: a partner keeps no team"
        );
        s.set_user_role(
            u.id,
            Role::TeamLeader,
            Some("Money team"),
            Some("Citizens Advice"),
        )
        .await
        .expect("leader");
        let leader = s.user(u.id).await.expect("read").expect("jo");
        assert_eq!(
            (leader.role, leader.team.as_deref(), leader.organisation),
            (Role::TeamLeader, Some("Money team"), None),
            "{db}: staff keep no organisation"
        );
        assert!(
            s.set_user_role(u.id + 100, Role::Analyst, None, None)
                .await
                .is_err(),
            "{db}"
        );
    }
}
