//! The real data source: `upstream_store::Store`. The whole seam is this file.

use crate::access::{
    Account, Accounts, AuditQuery, AuditRecord, AuditRow, ChainStatus, LiveSession, SignInOutcome,
    StartedSession,
};
use crate::data::{BoxFuture, DataError, DataSource, Health, Overview, SourceSummary, TownSummary};
use chrono::{Duration, NaiveDate, Utc};
use upstream_store::{
    AuditFilter, Authentication, ChainCheck, LockoutPolicy, NewAuditEntry, Store, StoreError, User,
};
use upstream_store::{CandidateQuery, HouseholdDetail, PersonCandidate, PersonHousehold};

impl DataSource for Store {
    fn database(&self) -> &'static str {
        self.backend().as_str()
    }

    fn health(&self) -> BoxFuture<'_, Result<Health, DataError>> {
        Box::pin(async move {
            let info = Store::health(self).await?;
            Ok(Health {
                migrations: info.migrations,
            })
        })
    }

    fn overview(&self) -> BoxFuture<'_, Result<Overview, DataError>> {
        Box::pin(async move {
            let overview = Store::overview(self).await?;
            Ok(Overview {
                town: overview.town.map(|t| TownSummary {
                    council_name: t.council_name,
                    profile: t.profile,
                    households: t.households,
                    months: t.months,
                    start_month: t.start_month,
                    seed: t.seed,
                }),
                sources: overview
                    .sources
                    .into_iter()
                    .map(|s| SourceSummary {
                        source: s.source,
                        files: s.files,
                        rows: s.rows,
                        first_period: s.first_period,
                        last_period: s.last_period,
                    })
                    .collect(),
            })
        })
    }

    fn council_name(&self) -> BoxFuture<'_, Result<Option<String>, DataError>> {
        Box::pin(async move { Ok(self.latest_town().await?.map(|t| t.council_name)) })
    }

    fn person_candidates<'a>(
        &'a self,
        query: &'a CandidateQuery,
    ) -> BoxFuture<'a, Result<Vec<PersonCandidate>, DataError>> {
        Box::pin(async move { Ok(Store::person_candidates(self, query).await?) })
    }

    fn households_of<'a>(
        &'a self,
        people: &'a [i64],
    ) -> BoxFuture<'a, Result<Vec<PersonHousehold>, DataError>> {
        Box::pin(async move { Ok(Store::households_of(self, people).await?) })
    }

    fn household(
        &self,
        id: i64,
        today: NaiveDate,
    ) -> BoxFuture<'_, Result<Option<HouseholdDetail>, DataError>> {
        Box::pin(async move { Ok(Store::household_detail(self, id, today).await?) })
    }
}

impl From<User> for Account {
    fn from(u: User) -> Account {
        Account {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            organisation: u.organisation,
            team: u.team,
        }
    }
}

impl Accounts for Store {
    fn sign_in<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<SignInOutcome, DataError>> {
        Box::pin(async move {
            let outcome = self
                .authenticate(username, password, LockoutPolicy::default(), Utc::now())
                .await?;
            Ok(match outcome {
                Authentication::Accepted(user) => SignInOutcome::Accepted(user.into()),
                Authentication::Refused {
                    user_id,
                    locked_until,
                } => SignInOutcome::Refused {
                    user_id,
                    locked_now: locked_until.is_some(),
                },
                Authentication::Locked { user_id, .. } => SignInOutcome::Locked { user_id },
            })
        })
    }

    fn start_session(
        &self,
        user_id: i64,
        lifetime: Duration,
    ) -> BoxFuture<'_, Result<StartedSession, DataError>> {
        Box::pin(async move {
            let now = Utc::now();
            // Housekeeping at a quiet moment: sessions that can no longer be used.
            let idle = Duration::minutes(crate::auth::SESSION_IDLE_MINUTES);
            self.delete_stale_sessions(now, idle).await?;
            let s = self.create_session(user_id, now, now + lifetime).await?;
            Ok(StartedSession {
                token: s.token,
                csrf_token: s.csrf_token,
            })
        })
    }

    fn session<'a>(
        &'a self,
        token: &'a str,
        idle: Duration,
    ) -> BoxFuture<'a, Result<Option<LiveSession>, DataError>> {
        Box::pin(async move {
            let found = Store::session(self, token, Utc::now(), idle).await?;
            Ok(found.map(|s| LiveSession {
                account: s.user.into(),
                csrf_token: s.csrf_token,
                last_seen_at: s.last_seen_at,
            }))
        })
    }

    fn touch_session<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), DataError>> {
        Box::pin(async move { Ok(Store::touch_session(self, token, Utc::now()).await?) })
    }

    fn end_session<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), DataError>> {
        Box::pin(async move {
            Store::end_session(self, token).await?;
            Ok(())
        })
    }

    fn record<'a>(&'a self, e: &'a AuditRecord) -> BoxFuture<'a, Result<(), DataError>> {
        Box::pin(async move {
            self.append_audit(&NewAuditEntry {
                user_id: e.user_id,
                username: e.username.clone(),
                action: e.action,
                subject_kind: e.subject_kind.clone(),
                subject_id: e.subject_id.clone(),
                purpose: e.purpose.clone(),
                detail: e.detail.clone(),
            })
            .await?;
            Ok(())
        })
    }

    fn search_audit<'a>(
        &'a self,
        q: &'a AuditQuery,
    ) -> BoxFuture<'a, Result<Vec<AuditRow>, DataError>> {
        Box::pin(async move {
            let found = Store::search_audit(
                self,
                &AuditFilter {
                    username: q.username.clone(),
                    subject_kind: q.subject_kind.clone(),
                    subject_id: q.subject_id.clone(),
                    action: q.action,
                    from: q.from,
                    to: q.to,
                    limit: q.limit,
                },
            )
            .await?;
            Ok(found
                .into_iter()
                .map(|e| AuditRow {
                    id: e.id,
                    at: e.at,
                    username: e.username,
                    action: e.action,
                    subject_kind: e.subject_kind,
                    subject_id: e.subject_id,
                    purpose: e.purpose,
                    detail: e.detail.to_string(),
                })
                .collect())
        })
    }

    fn verify_audit(&self) -> BoxFuture<'_, Result<ChainStatus, DataError>> {
        Box::pin(async move {
            Ok(match self.verify_audit_chain().await? {
                ChainCheck::Intact { entries, last_hash } => {
                    ChainStatus::Intact { entries, last_hash }
                }
                ChainCheck::Broken {
                    first_bad_id,
                    problem,
                } => ChainStatus::Broken {
                    first_bad_id,
                    problem,
                },
            })
        })
    }

    fn subject_access_export(
        &self,
        person_id: i64,
    ) -> BoxFuture<'_, Result<Option<serde_json::Value>, DataError>> {
        Box::pin(async move {
            match Store::subject_access_export(self, person_id).await? {
                Some(export) => serde_json::to_value(export)
                    .map(Some)
                    .map_err(|e| DataError(format!("could not write the export as JSON: {e}"))),
                None => Ok(None),
            }
        })
    }
}

impl From<StoreError> for DataError {
    fn from(e: StoreError) -> DataError {
        DataError(e.to_string())
    }
}
