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

    fn household_merged_into(&self, id: i64) -> BoxFuture<'_, Result<Option<i64>, DataError>> {
        Box::pin(async move { Ok(Store::household_merged_into(self, id).await?) })
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

/// A store error an administrator can fix by changing the form, in words.
fn fixable(e: StoreError) -> Result<String, DataError> {
    match e {
        StoreError::Invalid(m) | StoreError::Password(m) => Ok(m),
        StoreError::UserExists(name) => Ok(format!("There is already an account called {name}")),
        other => Err(other.into()),
    }
}

impl Accounts for Store {
    fn accounts(&self) -> BoxFuture<'_, Result<Vec<User>, DataError>> {
        Box::pin(async move { Ok(self.users().await?) })
    }

    fn create_account<'a>(
        &'a self,
        new: &'a crate::access::NewUser,
    ) -> BoxFuture<'a, Result<crate::access::AccountMade, DataError>> {
        Box::pin(async move {
            let password = upstream_store::generate_password()?;
            match self.create_user(new, &password).await {
                Ok(user) => Ok(Ok((user, password))),
                Err(e) => fixable(e).map(Err),
            }
        })
    }

    fn reset_password(&self, user_id: i64) -> BoxFuture<'_, Result<String, DataError>> {
        Box::pin(async move {
            let password = upstream_store::generate_password()?;
            self.set_password(user_id, &password).await?;
            Ok(password)
        })
    }

    fn set_account_disabled(
        &self,
        user_id: i64,
        disabled: bool,
    ) -> BoxFuture<'_, Result<(), DataError>> {
        Box::pin(async move { Ok(self.set_user_disabled(user_id, disabled).await?) })
    }

    fn set_account_role<'a>(
        &'a self,
        user_id: i64,
        role: Role,
        team: Option<&'a str>,
        organisation: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Result<(), String>, DataError>> {
        Box::pin(async move {
            match self.set_user_role(user_id, role, team, organisation).await {
                Ok(()) => Ok(Ok(())),
                Err(e) => fixable(e).map(Err),
            }
        })
    }

    fn partner_may_see_household<'a>(
        &'a self,
        organisation: &'a str,
        household_id: i64,
        today: NaiveDate,
    ) -> BoxFuture<'a, Result<bool, DataError>> {
        Box::pin(async move {
            Ok(self
                .partner_may_see(organisation, household_id, today)
                .await?)
        })
    }

    fn sign_in<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
        client: &'a str,
    ) -> BoxFuture<'a, Result<SignInOutcome, DataError>> {
        Box::pin(async move {
            let outcome = self
                .authenticate(
                    username,
                    password,
                    client,
                    LockoutPolicy::default(),
                    Utc::now(),
                )
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
                Authentication::Throttled { .. } => SignInOutcome::Throttled,
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

/// Forwards a casework call to the store, turning its error into a [`DataError`].
macro_rules! forward {
    ($($name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty => |$s:ident| $body:expr;)*) => {
        $(
            #[allow(clippy::too_many_arguments)]
            fn $name(&self $(, $arg: $ty)*) -> BoxFuture<'_, Result<$ret, DataError>> {
                Box::pin(async move {
                    let $s = self;
                    Ok($body.await?)
                })
            }
        )*
    };
}

use crate::casework_data::{
    AssignedEntry, AttemptRow, CampaignRow, CaseAccessRow, CaseInfo, Casework, ChronologyRow,
    ConsentRow, ContactDetailRow, ContactPreferences, Conversation, DocumentRow, DoorRow, DutyRow,
    ExclusionCount, Figures, LetterRow, MessageRow, NewCase, NewConsent, NewContactDetail,
    NewDocument, NewLetter, NewPlanAction, NewReferral, NewResident, NewTemplate, OpenCase,
    PartnerOrganisation, PipelineRun, PlanActionRow, ReferralFilter, ReferralRow, ReminderRow,
    RoundRow, SavedConversation, StaffActionRow, StaffMember, Team, TemplateRow, WorklistRow,
};
use upstream_core::Role;

impl Casework for Store {
    forward! {
        teams(&self) -> Vec<Team> => |s| s.teams();
        pipeline_runs(&self, limit: i64) -> Vec<PipelineRun> => |s| s.pipeline_runs(limit);
        latest_worklist(&self, team: String) -> Option<WorklistRow> => |s| s.latest_worklist(&team);
        worklist_team(&self, worklist_id: i64) -> Option<String> => |s| s.worklist_team(worklist_id);
        worklist_assignments(&self, worklist_id: i64) -> Vec<(i32, i64)> => |s| s.worklist_assignments(worklist_id);
        assign_worklist_entry(&self, worklist_id: i64, rank: i32, connector: Option<i64>, by: i64) -> bool
            => |s| s.assign_worklist_entry(worklist_id, rank, connector, by);
        entries_assigned_to(&self, user_id: i64) -> Vec<AssignedEntry> => |s| s.entries_assigned_to(user_id);
        add_flag(&self, household_id: i64, set_by: String, reason: String, expires_on: NaiveDate) -> i64
            => |s| s.add_flag(household_id, &set_by, &reason, expires_on);
        open_case(&self, new: NewCase) -> (i64, bool) => |s| s.open_case_with(&new);
        case_info(&self, case_id: i64) -> Option<CaseInfo> => |s| s.case_info(case_id);
        cases_of_household(&self, household_id: i64) -> Vec<CaseInfo> => |s| s.cases_of_household(household_id);
        open_cases(&self, connector: Option<i64>, team: Option<String>) -> Vec<OpenCase>
            => |s| s.open_cases(connector, team.as_deref());
        set_case_connector(&self, case_id: i64, connector: i64) -> bool => |s| s.set_case_connector(case_id, connector);
        close_case(&self, case_id: i64, on: NaiveDate, reason: String, note: String, by: i64) -> bool
            => |s| s.close_case(case_id, on, &reason, &note, by);
        save_conversation(&self, case_id: i64, conversation: Conversation, by: i64) -> ()
            => |s| s.save_conversation(case_id, &conversation, by);
        conversation(&self, case_id: i64) -> Option<SavedConversation> => |s| s.conversation(case_id);
        add_plan_action(&self, case_id: i64, action: NewPlanAction, by: i64) -> i64 => |s| s.add_plan_action(case_id, &action, by);
        set_plan_action_status(&self, case_id: i64, action_id: i64, status: String) -> bool
            => |s| s.set_plan_action_status(case_id, action_id, &status);
        plan_actions(&self, case_id: i64) -> Vec<PlanActionRow> => |s| s.plan_actions(case_id);
        record_attempt(&self, case_id: i64, household_id: i64, on: NaiveDate, channel: String, result: String, note: String, by: String) -> i64
            => |s| s.record_attempt(case_id, household_id, on, &channel, &result, &note, &by);
        attempts(&self, case_id: i64) -> Vec<AttemptRow> => |s| s.attempts(case_id);
        add_duty(&self, case_id: i64, kind: String, nation: String, started_on: NaiveDate, by: i64) -> i64
            => |s| s.add_duty(case_id, &kind, &nation, started_on, by);
        update_duty(&self, case_id: i64, duty_id: i64, ended_on: Option<NaiveDate>, start_letter: Option<NaiveDate>, end_letter: Option<NaiveDate>) -> bool
            => |s| s.update_duty(case_id, duty_id, ended_on, start_letter, end_letter);
        duties(&self, case_id: i64) -> Vec<DutyRow> => |s| s.duties(case_id);
        record_consent(&self, consent: NewConsent, by: i64) -> i64 => |s| s.record_consent(&consent, by);
        withdraw_consent(&self, household_id: i64, consent_id: i64, on: NaiveDate, by: i64, note: String) -> bool
            => |s| s.withdraw_consent(household_id, consent_id, on, by, &note);
        consents_of(&self, household_id: i64) -> Vec<ConsentRow> => |s| s.consents_of(household_id);
        partner_households(&self, organisation: String, today: NaiveDate) -> Vec<i64>
            => |s| s.partner_households(&organisation, today, None);
        partner_organisations(&self) -> Vec<PartnerOrganisation> => |s| s.partner_organisations();
        organisation_of_api_key(&self, key: String) -> Option<String> => |s| s.organisation_of_api_key(&key);
        add_referral(&self, referral: NewReferral) -> i64 => |s| s.add_referral(&referral);
        referral(&self, id: i64) -> Option<ReferralRow> => |s| s.referral(id);
        referrals(&self, filter: ReferralFilter) -> Vec<ReferralRow> => |s| s.referrals(&filter);
        decide_referral(&self, id: i64, accepted: bool, household_id: Option<i64>, by: i64, note: String) -> bool
            => |s| s.decide_referral(id, accepted, household_id, by, &note);
        record_new_resident(&self, resident: NewResident) -> i64 => |s| s.record_new_resident(&resident);
        message_templates(&self) -> Vec<TemplateRow> => |s| s.message_templates();
        save_message_template(&self, template: NewTemplate, by: i64) -> i64 => |s| s.save_message_template(&template, by);
        campaigns(&self) -> Vec<CampaignRow> => |s| s.campaigns();
        knock_rounds(&self, team: String) -> Vec<RoundRow> => |s| s.knock_rounds(&team);
        knock_round(&self, id: i64) -> Option<(RoundRow, Vec<DoorRow>)> => |s| s.knock_round(id);
        record_knock(&self, round_id: i64, household_id: i64, outcome: String, contact_outcome: String, note: String, by: String, on: NaiveDate) -> bool
            => |s| s.record_knock(round_id, household_id, &outcome, &contact_outcome, &note, &by, on);
        campaign(&self, id: i64) -> Option<CampaignRow> => |s| s.campaign(id);
        campaign_arm_counts(&self, id: i64) -> Vec<(String, i64)> => |s| s.campaign_arm_counts(id);
        campaign_exclusions(&self, id: i64) -> Vec<ExclusionCount> => |s| s.campaign_exclusions(id);
        campaign_message_counts(&self, id: i64) -> Vec<(Option<i32>, String, i64)> => |s| s.campaign_message_counts(id);
        outbox_messages(&self, limit: i64) -> Vec<MessageRow> => |s| s.messages(None, limit);
        record_message_receipt(&self, notify_id: String, delivered: bool, failure: String, at: chrono::DateTime<Utc>) -> bool
            => |s| s.record_message_receipt(&notify_id, delivered, &failure, at);
        record_inbound_text(&self, notify_id: String, from: String, message: String, at: chrono::DateTime<Utc>, opt_out: bool) -> i64
            => |s| s.record_inbound_text(&notify_id, &from, &message, at, opt_out);
        figures(&self) -> Figures => |s| s.figures();
        add_document(&self, document: NewDocument, by: i64) -> i64 => |s| s.add_document(&document, by);
        documents_of(&self, case_id: i64) -> Vec<DocumentRow> => |s| s.documents_of(case_id);
        document(&self, case_id: i64, document_id: i64) -> Option<(String, String, Vec<u8>)> => |s| s.document(case_id, document_id);
        add_letter(&self, letter: NewLetter, by: i64) -> i64 => |s| s.add_letter(&letter, by);
        letters_of(&self, case_id: i64) -> Vec<LetterRow> => |s| s.letters_of(case_id);
        letter_pdf(&self, case_id: i64, letter_id: i64) -> Option<(String, Vec<u8>)> => |s| s.letter_pdf(case_id, letter_id);
        add_reminder(&self, case_id: i64, user_id: i64, what: String, due_on: NaiveDate) -> i64
            => |s| s.add_reminder(case_id, user_id, &what, due_on);
        finish_reminder(&self, id: i64, user_id: i64) -> bool => |s| s.finish_reminder(id, user_id);
        open_reminders(&self, user_id: Option<i64>, team: Option<String>) -> Vec<ReminderRow>
            => |s| s.open_reminders(user_id, team.as_deref());
        open_staff_actions(&self, connector_id: i64) -> Vec<StaffActionRow> => |s| s.open_staff_actions(connector_id);
        household_names(&self, ids: Vec<i64>) -> Vec<(i64, String)> => |s| s.household_names(&ids);
        contact_details(&self, household_id: i64) -> Vec<ContactDetailRow> => |s| s.contact_details(household_id);
        add_contact_detail(&self, detail: NewContactDetail, by: i64) -> i64 => |s| s.add_contact_detail(&detail, by);
        contact_preferences(&self, household_id: i64) -> Option<ContactPreferences> => |s| s.contact_preferences(household_id);
        set_contact_preferences(&self, household_id: i64, preferences: ContactPreferences) -> ()
            => |s| s.set_contact_preferences(household_id, &preferences);
        add_case_note(&self, case_id: i64, body: String, by: i64) -> i64 => |s| s.add_case_note(case_id, &body, by);
        case_chronology(&self, case_id: i64) -> Vec<ChronologyRow> => |s| s.case_chronology(case_id);
        add_case_access_reason(&self, case_id: i64, user_id: i64, user_team: Option<String>, reason: String) -> ()
            => |s| s.add_case_access_reason(case_id, user_id, user_team.as_deref(), &reason);
        case_access_reason_since(&self, case_id: i64, user_id: i64, since: chrono::DateTime<chrono::Utc>) -> bool
            => |s| s.case_access_reason_since(case_id, user_id, since);
        case_access_reasons_for_team(&self, team: String, limit: i64) -> Vec<CaseAccessRow>
            => |s| s.case_access_reasons_for_team(&team, limit);
        letter_batches(&self, campaign_id: i64) -> Vec<upstream_store::LetterBatchRow> => |s| s.letter_batches(campaign_id);
    }

    fn make_letter_batch(
        &self,
        campaign_id: i64,
        step_no: i32,
        by: i64,
        dated: NaiveDate,
    ) -> BoxFuture<'_, Result<Result<upstream_pipeline::letter_batch::Claimed, String>, DataError>>
    {
        Box::pin(async move {
            match upstream_pipeline::letter_batch::make_batch(
                self,
                campaign_id,
                step_no,
                by,
                dated,
                Utc::now(),
            )
            .await
            {
                Ok(made) => Ok(Ok(made)),
                Err(e) if e.is_refusal() => Ok(Err(e.to_string())),
                Err(e) => Err(DataError(e.to_string())),
            }
        })
    }

    fn letter_batch_pdf(
        &self,
        batch_id: i64,
    ) -> BoxFuture<'_, Result<Result<Vec<u8>, String>, DataError>> {
        Box::pin(async move {
            match upstream_pipeline::letter_batch::write_batch(
                self,
                batch_id,
                &[],
                Vec::new(),
                &mut |_, _| {},
            )
            .await
            {
                Ok((bytes, _)) => Ok(Ok(bytes)),
                Err(e) if e.is_refusal() => Ok(Err(e.to_string())),
                Err(e) => Err(DataError(e.to_string())),
            }
        })
    }

    fn staff(&self) -> BoxFuture<'_, Result<Vec<StaffMember>, DataError>> {
        Box::pin(async move {
            Ok(self
                .users()
                .await?
                .into_iter()
                .filter(|u| !u.disabled && matches!(u.role, Role::Connector | Role::TeamLeader))
                .map(|u| StaffMember {
                    id: u.id,
                    display_name: u.display_name,
                    team: u.team,
                })
                .collect())
        })
    }

    fn start_campaign(
        &self,
        plan: upstream_pipeline::campaigns::CampaignPlan,
        by: i64,
        today: NaiveDate,
    ) -> BoxFuture<'_, Result<Result<i64, String>, DataError>> {
        Box::pin(async move {
            let policy = upstream_outreach::Policy::default();
            match upstream_pipeline::campaigns::start_campaign(self, &plan, &policy, by, today)
                .await
            {
                Ok(id) => Ok(Ok(id)),
                Err(e) if e.is_refusal() => Ok(Err(e.to_string())),
                Err(e) => Err(DataError(e.to_string())),
            }
        })
    }

    fn run_campaign_day(
        &self,
        id: i64,
        now: chrono::DateTime<Utc>,
        nation: upstream_core::Nation,
    ) -> BoxFuture<'_, Result<Result<upstream_pipeline::campaigns::CampaignDay, String>, DataError>>
    {
        Box::pin(async move {
            let policy = upstream_outreach::Policy::default();
            match upstream_pipeline::campaigns::run_campaign_day(self, id, now, nation, &policy)
                .await
            {
                Ok(day) => Ok(Ok(day)),
                Err(e) if e.is_refusal() => Ok(Err(e.to_string())),
                Err(e) => Err(DataError(e.to_string())),
            }
        })
    }

    fn engagement_by_arm(
        &self,
        campaign_id: i64,
        days: i64,
    ) -> BoxFuture<'_, Result<((u64, u64), (u64, u64)), DataError>> {
        Box::pin(async move {
            upstream_pipeline::campaigns::engagement_by_arm(self, campaign_id, days)
                .await
                .map_err(|e| DataError(e.to_string()))
        })
    }

    fn crises_by_arm(
        &self,
        campaign_id: i64,
        months: u32,
    ) -> BoxFuture<'_, Result<upstream_pipeline::campaign_outcomes::CrisesByArm, DataError>> {
        Box::pin(async move {
            upstream_pipeline::campaign_outcomes::crises_by_arm(self, campaign_id, months)
                .await
                .map_err(|e| DataError(e.to_string()))
        })
    }

    fn make_round(
        &self,
        campaign_id: i64,
        now: chrono::DateTime<Utc>,
        nation: upstream_core::Nation,
        by: i64,
        visit_in_pairs: bool,
        safety_note: String,
    ) -> BoxFuture<'_, Result<Result<i64, String>, DataError>> {
        Box::pin(async move {
            let policy = upstream_outreach::Policy::default();
            match upstream_pipeline::campaigns::make_round(
                self,
                campaign_id,
                now,
                nation,
                &policy,
                by,
                (visit_in_pairs, safety_note),
            )
            .await
            {
                Ok(id) => Ok(Ok(id)),
                Err(e) if e.is_refusal() => Ok(Err(e.to_string())),
                Err(e) => Err(DataError(e.to_string())),
            }
        })
    }

    fn send_outbox(
        &self,
        transport: Option<std::sync::Arc<dyn upstream_pipeline::sending::Transport>>,
    ) -> BoxFuture<'_, Result<Result<upstream_pipeline::sending::SendReport, String>, DataError>>
    {
        Box::pin(async move {
            let mut settings = upstream_pipeline::sending::SendSettings::default();
            match upstream_pipeline::sending::send_outbox(self, transport, &mut settings).await {
                Ok(report) => Ok(Ok(report)),
                Err(e) if e.is_refusal() => Ok(Err(e.to_string())),
                Err(e) => Err(DataError(e.to_string())),
            }
        })
    }

    fn make_worklist(
        &self,
        team: String,
    ) -> BoxFuture<'_, Result<Result<NaiveDate, String>, DataError>> {
        Box::pin(async move {
            match upstream_pipeline::assessing::worklist(self, &team, None).await {
                Ok(list) => Ok(Ok(list.kept.week_start)),
                Err(e) if e.is_refusal() => Ok(Err(e.to_string())),
                Err(e) => Err(DataError(e.to_string())),
            }
        })
    }

    fn household_labels(
        &self,
        ids: Vec<i64>,
    ) -> BoxFuture<'_, Result<Vec<(i64, String)>, DataError>> {
        Box::pin(async move {
            Ok(self
                .household_addresses(&ids)
                .await?
                .into_iter()
                .map(|(id, address, postcode)| {
                    let label = [address, postcode]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ");
                    (id, label)
                })
                .collect())
        })
    }
}
