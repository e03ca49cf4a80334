//! The casework seam: what the worklist, case, consent and referral pages
//! read and write. Like [`crate::DataSource`], handlers see only this trait;
//! `store.rs` implements it for `upstream_store::Store`. Every method has a
//! default that fails, so test fakes implement only what they use.

use crate::data::{BoxFuture, DataError};
use chrono::NaiveDate;

pub use upstream_store::{
    AssignedEntry, AttemptRow, CampaignRow, CaseAccessRow, CaseInfo, ChronologyRow, ConsentRow,
    ContactDetailRow, ContactPreferences, Conversation, DocumentRow, DoorRow, DutyRow,
    ExclusionCount, Figures, LetterRow, MessageRow, NewCase, NewConsent, NewContactDetail,
    NewDocument, NewLetter, NewPlanAction, NewReferral, NewResident, NewTemplate, OpenCase,
    PartnerOrganisation, PipelineRun, PipelineStep, PlanActionRow, ReferralFilter, ReferralRow,
    ReminderRow, RoundRow, SavedConversation, StaffActionRow, Team, TemplateRow, WorklistRow,
};

/// A member of staff a case or a list entry can be given to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub display_name: String,
    pub team: Option<String>,
}

fn unavailable<'a, T: Send + 'a>() -> BoxFuture<'a, Result<T, DataError>> {
    Box::pin(async { Err(DataError("casework storage is not available".into())) })
}

/// Declares each method with a failing default, so the list reads as a table.
macro_rules! casework_methods {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        pub trait Casework: Send + Sync + 'static {
            $(
                $(#[$doc])*
                #[allow(clippy::too_many_arguments)]
                fn $name(&self $(, $arg: $ty)*) -> BoxFuture<'_, Result<$ret, DataError>> {
                    $(let _ = $arg;)*
                    unavailable()
                }
            )*
        }
    };
}

casework_methods! {
    fn teams(&self) -> Vec<Team>;
    /// Active connectors and team leaders, with their teams.
    fn staff(&self) -> Vec<StaffMember>;
    fn latest_worklist(&self, team: String) -> Option<WorklistRow>;
    /// The team a kept list belongs to; `None` for no such list.
    fn worklist_team(&self, worklist_id: i64) -> Option<String>;
    fn worklist_assignments(&self, worklist_id: i64) -> Vec<(i32, i64)>;
    fn assign_worklist_entry(&self, worklist_id: i64, rank: i32, connector: Option<i64>, by: i64) -> bool;
    fn entries_assigned_to(&self, user_id: i64) -> Vec<AssignedEntry>;
    /// `(household id, "address, postcode")` for naming households in lists.
    fn household_labels(&self, ids: Vec<i64>) -> Vec<(i64, String)>;
    /// `(household id, "Jo Bloggs, Sam Bloggs")`: who lives there, by name.
    fn household_names(&self, ids: Vec<i64>) -> Vec<(i64, String)>;
    fn add_flag(&self, household_id: i64, set_by: String, reason: String, expires_on: NaiveDate) -> i64;
    fn open_case(&self, new: NewCase) -> (i64, bool);
    fn case_info(&self, case_id: i64) -> Option<CaseInfo>;
    fn cases_of_household(&self, household_id: i64) -> Vec<CaseInfo>;
    fn open_cases(&self, connector: Option<i64>, team: Option<String>) -> Vec<OpenCase>;
    fn set_case_connector(&self, case_id: i64, connector: i64) -> bool;
    fn close_case(&self, case_id: i64, on: NaiveDate, reason: String, note: String, by: i64) -> bool;
    fn save_conversation(&self, case_id: i64, conversation: Conversation, by: i64) -> ();
    fn conversation(&self, case_id: i64) -> Option<SavedConversation>;
    fn add_plan_action(&self, case_id: i64, action: NewPlanAction, by: i64) -> i64;
    fn set_plan_action_status(&self, case_id: i64, action_id: i64, status: String) -> bool;
    fn plan_actions(&self, case_id: i64) -> Vec<PlanActionRow>;
    fn record_attempt(&self, case_id: i64, household_id: i64, on: NaiveDate, channel: String, result: String, note: String, by: String) -> i64;
    fn attempts(&self, case_id: i64) -> Vec<AttemptRow>;
    fn add_duty(&self, case_id: i64, kind: String, nation: String, started_on: NaiveDate, by: i64) -> i64;
    fn update_duty(&self, case_id: i64, duty_id: i64, ended_on: Option<NaiveDate>, start_letter: Option<NaiveDate>, end_letter: Option<NaiveDate>) -> bool;
    fn duties(&self, case_id: i64) -> Vec<DutyRow>;
    fn record_consent(&self, consent: NewConsent, by: i64) -> i64;
    fn withdraw_consent(&self, household_id: i64, consent_id: i64, on: NaiveDate, by: i64, note: String) -> bool;
    fn consents_of(&self, household_id: i64) -> Vec<ConsentRow>;
    /// The households a partner organisation may see on `today`.
    fn partner_households(&self, organisation: String, today: NaiveDate) -> Vec<i64>;
    fn partner_organisations(&self) -> Vec<PartnerOrganisation>;
    /// The organisation a live partner API key belongs to.
    fn organisation_of_api_key(&self, key: String) -> Option<String>;
    fn add_referral(&self, referral: NewReferral) -> i64;
    fn referral(&self, id: i64) -> Option<ReferralRow>;
    fn referrals(&self, filter: ReferralFilter) -> Vec<ReferralRow>;
    fn decide_referral(&self, id: i64, accepted: bool, household_id: Option<i64>, by: i64, note: String) -> bool;
    /// The household of a referred resident no source holds, recorded by the
    /// council from the referral (made on first call, the same after).
    fn record_new_resident(&self, resident: NewResident) -> i64;
    /// Every message template's latest version.
    fn message_templates(&self) -> Vec<TemplateRow>;
    /// Save a template's next version; the version.
    fn save_message_template(&self, template: NewTemplate, by: i64) -> i64;
    fn campaigns(&self) -> Vec<CampaignRow>;
    fn campaign(&self, id: i64) -> Option<CampaignRow>;
    /// (arm, households).
    fn campaign_arm_counts(&self, id: i64) -> Vec<(String, i64)>;
    fn campaign_exclusions(&self, id: i64) -> Vec<ExclusionCount>;
    /// (step, status, messages).
    fn campaign_message_counts(&self, id: i64) -> Vec<(Option<i32>, String, i64)>;
    /// Messages, newest first.
    fn outbox_messages(&self, limit: i64) -> Vec<MessageRow>;
    /// Start a campaign on the team's list: its id, or why not.
    fn start_campaign(&self, plan: upstream_pipeline::campaigns::CampaignPlan, by: i64, today: NaiveDate) -> Result<i64, String>;
    /// Queue a campaign's due steps now: what was done, or why not.
    fn run_campaign_day(&self, id: i64, now: chrono::DateTime<chrono::Utc>, nation: upstream_core::Nation) -> Result<upstream_pipeline::campaigns::CampaignDay, String>;
    /// Send what is due (kept, without Notify): what was done, or why not.
    fn send_outbox(&self, transport: Option<std::sync::Arc<dyn upstream_pipeline::sending::Transport>>) -> Result<upstream_pipeline::sending::SendReport, String>;
    /// Notify's receipt for a message; false when no message has that id.
    fn record_message_receipt(&self, notify_id: String, delivered: bool, failure: String, at: chrono::DateTime<chrono::Utc>) -> bool;
    /// Engagement within `days` of joining: (engaged, households) for the
    /// contact arm, then the held-back arm.
    fn engagement_by_arm(&self, campaign_id: i64, days: i64) -> ((u64, u64), (u64, u64));
    /// Crises within `months` of joining, by arm, as the monthly
    /// assessments saw them.
    fn crises_by_arm(&self, campaign_id: i64, months: u32) -> upstream_pipeline::campaign_outcomes::CrisesByArm;
    /// A team's door-knocking rounds, newest first.
    fn knock_rounds(&self, team: String) -> Vec<RoundRow>;
    fn knock_round(&self, id: i64) -> Option<(RoundRow, Vec<DoorRow>)>;
    /// Record one door once; false when it was already recorded.
    fn record_knock(&self, round_id: i64, household_id: i64, outcome: String, contact_outcome: String, note: String, by: String, on: NaiveDate) -> bool;
    /// A round of the campaign's doors due a knock now: its id, or why not.
    fn make_round(&self, campaign_id: i64, now: chrono::DateTime<chrono::Utc>, nation: upstream_core::Nation, by: i64, visit_in_pairs: bool, safety_note: String) -> Result<i64, String>;
    /// A text a resident sent back (a STOP stops texts to that number).
    fn record_inbound_text(&self, notify_id: String, from: String, message: String, at: chrono::DateTime<chrono::Utc>, opt_out: bool) -> i64;
    /// The latest monthly runs (`upstream run`), newest first, with their steps.
    fn pipeline_runs(&self, limit: i64) -> Vec<PipelineRun>;
    /// Make a team's list for the week after the latest assessment (or find
    /// the one kept): its week's first day, or why it cannot be made.
    fn make_worklist(&self, team: String) -> Result<NaiveDate, String>;
    fn add_document(&self, document: NewDocument, by: i64) -> i64;
    /// A case's documents, newest first, without their bytes.
    fn documents_of(&self, case_id: i64) -> Vec<DocumentRow>;
    /// One document's name, type and bytes, if it is this case's.
    fn document(&self, case_id: i64, document_id: i64) -> Option<(String, String, Vec<u8>)>;
    /// Counts for analysts: how many, never who.
    fn figures(&self) -> Figures;
    fn add_letter(&self, letter: NewLetter, by: i64) -> i64;
    /// A case's letters, oldest first, without their PDFs.
    fn letters_of(&self, case_id: i64) -> Vec<LetterRow>;
    /// One letter's title and PDF, if it is this case's.
    fn letter_pdf(&self, case_id: i64, letter_id: i64) -> Option<(String, Vec<u8>)>;
    fn add_reminder(&self, case_id: i64, user_id: i64, what: String, due_on: NaiveDate) -> i64;
    /// False when the reminder is not this user's or was done already.
    fn finish_reminder(&self, id: i64, user_id: i64) -> bool;
    /// Reminders not done, earliest first: one user's, a team's, or both.
    fn open_reminders(&self, user_id: Option<i64>, team: Option<String>) -> Vec<ReminderRow>;
    /// Open plan actions staff own on a connector's open cases.
    fn open_staff_actions(&self, connector_id: i64) -> Vec<StaffActionRow>;
    /// Phones, emails and addresses staff recorded for a household, oldest first.
    fn contact_details(&self, household_id: i64) -> Vec<ContactDetailRow>;
    fn add_contact_detail(&self, detail: NewContactDetail, by: i64) -> i64;
    fn contact_preferences(&self, household_id: i64) -> Option<ContactPreferences>;
    fn set_contact_preferences(&self, household_id: i64, preferences: ContactPreferences) -> ();
    fn add_case_note(&self, case_id: i64, body: String, by: i64) -> i64;
    /// Everything that happened on a case, oldest first.
    fn case_chronology(&self, case_id: i64) -> Vec<ChronologyRow>;
    fn add_case_access_reason(&self, case_id: i64, user_id: i64, user_team: Option<String>, reason: String) -> ();
    /// Whether this user stated a reason for this case since `since`.
    fn case_access_reason_since(&self, case_id: i64, user_id: i64, since: chrono::DateTime<chrono::Utc>) -> bool;
    /// Who from another team looked at this team's cases, newest first.
    fn case_access_reasons_for_team(&self, team: String, limit: i64) -> Vec<CaseAccessRow>;
    /// Claim a letter step's waiting letters as a batch to print: what was
    /// claimed (and left out), or why not.
    fn make_letter_batch(&self, campaign_id: i64, step_no: i32, by: i64, dated: NaiveDate) -> Result<upstream_pipeline::letter_batch::Claimed, String>;
    /// A campaign's letter batches, oldest first.
    fn letter_batches(&self, campaign_id: i64) -> Vec<upstream_store::LetterBatchRow>;
    /// A batch's PDF, written from its kept letters.
    fn letter_batch_pdf(&self, batch_id: i64) -> Result<Vec<u8>, String>;
}

/// No casework storage: every call fails (pages answer "Sorry, there is a
/// problem"). For tests that do not touch casework.
pub struct NoCasework;

impl Casework for NoCasework {}
