//! `upstream template`, `upstream campaign`, `upstream outbox` and
//! `upstream notify stand-in`: reaching residents from the command line.
//!
//! Templates are checked by `upstream_outreach` before they are saved;
//! campaigns are started and run by `upstream_pipeline::campaigns`; the
//! outbox is sent by `upstream_pipeline::sending`, through GOV.UK Notify
//! when a key is configured. This module reads arguments, calls those, and
//! reports in plain English. Changes are recorded in the audit log as
//! `cli:<operating-system user>`.
//!
//! The Notify API key comes only from the environment (`NOTIFY_API_KEY`):
//! never a flag (flags end up in shell histories and process lists), never
//! the database, never printed.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use upstream_core::{AuditAction, Nation};
use upstream_notify::stand_in::{
    CallbackTarget, StandIn, StandInConfig, StandInError, StandInTemplate,
};
use upstream_notify::{NotificationType, NotifyClient, NotifyError};
use upstream_outreach::uk_time::{uk_local, uk_local_to_utc};
use upstream_outreach::{
    self as outreach, Channel, Language, ReadabilityReport, ReadingAgeTarget, SkipCondition, Step,
    Template,
};
use upstream_pipeline::campaigns::{
    run_campaign_day, start_campaign, CampaignPlan, Cohort, CONTACT, HELD_BACK, TEMPLATE_FIELDS,
};
use upstream_pipeline::sending::{
    send_outbox, CarrierTemplates, NotifyTransport, SendReport, SendSettings, Transport,
};
use upstream_store::{MessageRow, NewTemplate, Store};

use crate::accounts::audit;
use crate::{user_error, UserError};

/// The environment variable the Notify API key is read from.
pub const KEY_VAR: &str = "NOTIFY_API_KEY";

/// The stand-in's carrier templates: fixed ids, so the `export` lines it
/// prints stay the same from one start to the next.
pub const STAND_IN_SMS_TEMPLATE: &str = "8d3e0c52-7a1b-4c8e-9f2d-5a0000000001";
pub const STAND_IN_EMAIL_TEMPLATE: &str = "8d3e0c52-7a1b-4c8e-9f2d-5a0000000002";
pub const STAND_IN_LETTER_TEMPLATE: &str = "8d3e0c52-7a1b-4c8e-9f2d-5a0000000003";

// ------------------------------------------------------------------ arguments

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Check a message template and save it as its next version. Every
    /// problem is listed at once and nothing is saved until there are none.
    Add(TemplateAddArgs),
    /// List the templates: name, latest version, channel.
    List,
}

#[derive(Debug, Args)]
pub struct TemplateAddArgs {
    /// The template's name; a campaign's step names it (`--step 0:text:NAME`).
    #[arg(long)]
    name: String,
    /// sms (or text), email or letter.
    #[arg(long, value_parser = parse_template_channel)]
    channel: Channel,
    /// An email's subject line or a letter's heading (texts have none).
    #[arg(long)]
    subject: Option<String>,
    /// A UTF-8 text file holding the message. Fields are written as GOV.UK
    /// Notify writes them: ((first_name)), ((last_name)), ((full_name)),
    /// ((address)), ((postcode)), ((council_name)), ((team)).
    #[arg(long)]
    body_file: PathBuf,
    /// The Welsh subject (a Welsh council's emails and letters need one).
    #[arg(long)]
    welsh_subject: Option<String>,
    /// A UTF-8 text file holding the Welsh message (a Welsh council's
    /// messages need one, using the same fields as the English).
    #[arg(long)]
    welsh_body_file: Option<PathBuf>,
    /// Whose rules the template is checked against: england or wales
    /// (Welsh Language Standards) [default: the registered town's nation,
    /// or england].
    #[arg(long, value_parser = crate::parse_nation)]
    nation: Option<Nation>,
    /// The staff account (username) the version is recorded as made by
    /// [default: none].
    #[arg(long)]
    by: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Start a campaign on a team's latest weekly list: each household is
    /// drawn into the contact group or the held-back group.
    Start(CampaignStartArgs),
    /// Queue each household's step that is due, as the contact rules allow,
    /// and count everyone left out and why. Safe to run again: nothing is
    /// queued twice.
    Run {
        /// The campaign's number (see `upstream campaign list`).
        id: i64,
        /// The time to run as: 2025-01-31T09:30:00Z, or a day (2025-01-31)
        /// for noon UK time that day [default: now].
        #[arg(long, value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
        /// england or wales (in Wales messages go in Welsh and English)
        /// [default: the registered town's nation, or england].
        #[arg(long, value_parser = crate::parse_nation)]
        nation: Option<Nation>,
    },
    /// List the campaigns, newest first.
    List,
    /// One campaign: its steps, its households by group, its messages and
    /// who was left out and why.
    Show {
        /// The campaign's number.
        id: i64,
    },
    /// Print a letter step's waiting letters yourself: one PDF, one letter
    /// per household in postcode order, the address where a window
    /// envelope shows it. The letters printed are marked sent: no later
    /// batch prints them and they never go through Notify. `--reprint N`
    /// writes batch N again, the same letters in the same order.
    Letters(crate::campaign_letters::LettersArgs),
}

#[derive(Debug, Args)]
pub struct CampaignStartArgs {
    /// The team running the campaign; its latest weekly list is the
    /// campaign's households unless --area says otherwise.
    #[arg(long)]
    team: String,
    /// Instead of the team's list: every current household with a postcode
    /// in this district (B11) or sector ("B11 1").
    #[arg(long, conflicts_with_all = ["persona", "risk_at_least"])]
    area: Option<String>,
    /// Instead of the team's list: every current household the latest
    /// assessment gives this persona.
    #[arg(long, conflicts_with = "risk_at_least")]
    persona: Option<String>,
    /// Instead of the team's list: every current household whose risk of
    /// crisis at the latest assessment is at least this many per cent.
    #[arg(long)]
    risk_at_least: Option<u32>,
    /// The campaign's name, as staff will know it.
    #[arg(long)]
    name: String,
    /// A step, as DAY:CHANNEL or DAY:CHANNEL:TEMPLATE; DAY counts from the
    /// start (0 is the first day); CHANNEL is text, email, letter,
    /// phone_call or door_knock. Texts, emails and letters need a template.
    /// Repeat for each step, in day order.
    #[arg(long = "step", required = true, value_parser = parse_step)]
    steps: Vec<Step>,
    /// Skip a step after the first for a household that has: replied,
    /// engaged, case_opened, opted_out (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = parse_skip)]
    skip_if: Vec<SkipCondition>,
    /// The share of households held back, never contacted, to measure what
    /// contact changed (0 to 90).
    #[arg(long, default_value_t = 0)]
    holdout: u32,
    /// The seed that draws households into the groups: the same seed and
    /// list draw the same groups [default: a random one, printed].
    #[arg(long)]
    seed: Option<u64>,
    /// The campaign's first day (YYYY-MM-DD) [default: the latest
    /// assessment's date, so a simulated town's campaign sits with its
    /// records; today when nothing has been assessed].
    #[arg(long, value_parser = crate::parse_day)]
    today: Option<NaiveDate>,
    /// The staff account (username) the campaign is recorded as started by
    /// [default: none].
    #[arg(long)]
    by: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Send every message that is due through GOV.UK Notify, exactly once.
    /// The API key is read from the environment variable NOTIFY_API_KEY
    /// only; without it, messages are filled in and kept for staff to read,
    /// not sent.
    Send(OutboxSendArgs),
    /// List messages, newest first (recipients are shown masked).
    List {
        /// Only this household's messages.
        #[arg(long)]
        household: Option<i64>,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        limit: i64,
    },
}

#[derive(Debug, Args)]
pub struct OutboxSendArgs {
    /// Where Notify's API is: https:// only, or http:// to a stand-in on
    /// 127.0.0.1 or localhost.
    #[arg(long, default_value = upstream_notify::DEFAULT_BASE_URL)]
    notify_url: String,
    /// The id of the Notify text message template whose message is ((body)).
    #[arg(long, env = "NOTIFY_SMS_TEMPLATE")]
    sms_template: Option<String>,
    /// The id of the Notify email template: subject ((subject)), message ((body)).
    #[arg(long, env = "NOTIFY_EMAIL_TEMPLATE")]
    email_template: Option<String>,
    /// The id of the Notify letter template: heading ((subject)), message ((body)).
    #[arg(long, env = "NOTIFY_LETTER_TEMPLATE")]
    letter_template: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Start a stand-in for GOV.UK Notify on this machine, to try sending
    /// without sending anything: it answers as Notify does and keeps what
    /// it is sent. Stop it with Ctrl-C.
    StandIn(StandInArgs),
}

#[derive(Debug, Args)]
pub struct StandInArgs {
    /// Where to listen: a loopback address only (127.0.0.1).
    #[arg(long, default_value = "127.0.0.1:6011")]
    bind: SocketAddr,
    /// Mark each text and email delivered this many milliseconds after it
    /// is accepted (Notify's test numbers fail as Notify's do)
    /// [default: never].
    #[arg(long)]
    deliver_after_ms: Option<u64>,
    /// Where to POST delivery receipts (http://127.0.0.1... or http://localhost...).
    #[arg(long, requires = "delivery_token")]
    delivery_callback: Option<String>,
    /// The bearer token sent with delivery receipts.
    #[arg(long, requires = "delivery_callback")]
    delivery_token: Option<String>,
    /// Where to POST texts residents send back (loopback only).
    #[arg(long, requires = "inbound_token")]
    inbound_callback: Option<String>,
    /// The bearer token sent with texts residents send back.
    #[arg(long, requires = "inbound_callback")]
    inbound_token: Option<String>,
    /// Seed for the stand-in's key and ids: the same seed, the same key
    /// [default: a random one].
    #[arg(long)]
    seed: Option<u64>,
}

// ------------------------------------------------------------------ templates

pub async fn template(store: &Store, command: TemplateCommand) -> Result<()> {
    match command {
        TemplateCommand::Add(a) => add_template(store, a).await,
        TemplateCommand::List => {
            let templates = store.message_templates().await?;
            if templates.is_empty() {
                println!("No message templates yet. Add one with `upstream template add --name NAME --channel sms --body-file FILE`.");
                return Ok(());
            }
            println!("{:<32} {:>7}  {:<14} saved", "name", "version", "channel");
            for t in templates {
                println!(
                    "{:<32} {:>7}  {:<14} {}",
                    t.name,
                    t.version,
                    channel_label(&t.channel),
                    t.created_at.format("%Y-%m-%d")
                );
            }
            Ok(())
        }
    }
}

async fn add_template(store: &Store, a: TemplateAddArgs) -> Result<()> {
    let name = a.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        user_error!("--name must be 1 to 100 characters, on one line");
    }
    let body = read_text(&a.body_file, "--body-file")?;
    let welsh_body = match &a.welsh_body_file {
        Some(path) => Some(read_text(path, "--welsh-body-file")?),
        None => None,
    };
    let nation = council_nation(store, a.nation).await?;
    let by = account_id(store, a.by.as_deref()).await?;
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let template = Template {
        channel: a.channel,
        subject: clean(&a.subject),
        body: body.clone(),
        welsh_subject: clean(&a.welsh_subject),
        welsh_body: welsh_body.clone(),
    };
    if let Err(problems) = outreach::check(&template, TEMPLATE_FIELDS, nation) {
        let mut why = format!(
            "the template '{name}' was not saved: {} to put right:",
            if problems.len() == 1 {
                "1 thing".to_string()
            } else {
                format!("{} things", problems.len())
            }
        );
        for p in &problems {
            why.push_str(&format!("\n  - {p}"));
        }
        return Err(UserError(why).into());
    }
    let previous = store.message_template(&name, None).await?;
    if let Some(p) = &previous {
        if p.channel != stored_channel(a.channel) {
            user_error!(
                "'{name}' is {} template (version {}); a new version must be for the same channel, or give this one another name",
                article_label(&p.channel),
                p.version
            );
        }
    }
    let version = store
        .save_message_template(
            &NewTemplate {
                name: name.clone(),
                channel: stored_channel(a.channel).to_string(),
                subject_en: template.subject.clone().unwrap_or_default(),
                body_en: body.clone(),
                subject_cy: template.welsh_subject.clone().unwrap_or_default(),
                body_cy: welsh_body.clone().unwrap_or_default(),
            },
            by,
        )
        .await?;
    audit(
        store,
        if previous.is_some() {
            AuditAction::Change
        } else {
            AuditAction::Create
        },
        "message_template",
        &name,
        "message template saved",
        serde_json::json!({ "version": version, "channel": stored_channel(a.channel), "by": by }),
    )
    .await?;
    println!(
        "Saved '{name}' version {version}: {} template{}.",
        a.channel.with_article(),
        if nation == Nation::Wales {
            ", in Welsh and English"
        } else {
            ""
        }
    );
    print_reading("The English message", &body, Language::English);
    if let Some(welsh) = &welsh_body {
        print_reading("The Welsh message", welsh, Language::Welsh);
    }
    if a.channel == Channel::Text {
        let n = outreach::sms_length(&body);
        println!(
            "As written, before its fields are filled in, the text is {} characters ({} {}).",
            n.characters,
            n.fragments,
            if n.fragments == 1 {
                "text message fragment"
            } else {
                "text message fragments"
            }
        );
    }
    Ok(())
}

/// A message file's text, without the blank lines and spaces around it.
fn read_text(path: &Path, flag: &str) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().to_string()),
        Err(e) => user_error!(
            "{flag}: could not read {} as UTF-8 text: {e}",
            path.display()
        ),
    }
}

fn print_reading(what: &str, text: &str, language: Language) {
    let target = ReadingAgeTarget::default();
    match outreach::check_text(text, language, target) {
        ReadabilityReport::English(r) => {
            match (r.reading_age, r.verdict) {
                (Some(age), Some(verdict)) => println!(
                    "{what} has a reading age of about {age:.0}: {} (aim for {:.0} or under, {:.0} at most).",
                    verdict.label().to_lowercase(),
                    target.aim,
                    target.limit
                ),
                _ => println!("{what} has no words to measure."),
            }
            for w in &r.warnings {
                println!("  - {w}");
            }
        }
        ReadabilityReport::Welsh(r) => {
            println!(
                "{what}: {} sentences, the longest {} words. {}",
                r.sentences, r.longest_sentence_words, r.note
            );
            for w in &r.warnings {
                println!("  - {w}");
            }
        }
    }
}

fn parse_template_channel(s: &str) -> Result<Channel, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "sms" | "text" => Ok(Channel::Text),
        "email" => Ok(Channel::Email),
        "letter" => Ok(Channel::Letter),
        _ => Err(format!(
            "'{s}' is not a channel a template is for: say sms (or text), email or letter"
        )),
    }
}

/// The name a template's channel is stored under (Notify's: `sms`).
fn stored_channel(c: Channel) -> &'static str {
    match c {
        Channel::Text => "sms",
        Channel::Email => "email",
        _ => "letter",
    }
}

/// "Text message" for a stored channel name (`sms`, `text`, `letter`, ...).
fn channel_label(stored: &str) -> String {
    Channel::parse(stored).map_or_else(|| stored.to_string(), |c| c.label().to_string())
}

fn article_label(stored: &str) -> String {
    Channel::parse(stored).map_or_else(|| stored.to_string(), |c| c.with_article().to_string())
}

// ------------------------------------------------------------------ campaigns

pub async fn campaign(store: &Store, command: CampaignCommand) -> Result<()> {
    match command {
        CampaignCommand::Start(a) => start(store, a).await,
        CampaignCommand::Run { id, now, nation } => run_day(store, id, now, nation).await,
        CampaignCommand::List => list_campaigns(store).await,
        CampaignCommand::Show { id } => show_campaign(store, id).await,
        CampaignCommand::Letters(a) => crate::campaign_letters::letters(store, a).await,
    }
}

async fn start(store: &Store, a: CampaignStartArgs) -> Result<()> {
    let by = account_id(store, a.by.as_deref()).await?;
    let today = match a.today {
        Some(d) => d,
        None => match store.latest_assessment_run().await? {
            Some(run) => run.as_of,
            None => uk_local(Utc::now()).date(),
        },
    };
    let seed = a.seed.unwrap_or_else(random_seed);
    let mut skip_if = a.skip_if.clone();
    skip_if.sort();
    skip_if.dedup();
    let steps: Vec<Step> = a
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| Step {
            skip_if: if i == 0 { Vec::new() } else { skip_if.clone() },
            ..s.clone()
        })
        .collect();
    let plan = CampaignPlan {
        cohort: match (&a.area, &a.persona, a.risk_at_least) {
            (Some(area), _, _) => Cohort::Area(area.clone()),
            (_, Some(persona), _) => Cohort::Persona(persona.clone()),
            (_, _, Some(percent)) => Cohort::RiskAtLeast(percent),
            _ => Cohort::TeamList,
        },
        name: a.name.clone(),
        team: a.team.trim().to_string(),
        steps,
        holdout_percent: a.holdout,
        seed,
    };
    let id = start_campaign(store, &plan, &outreach::Policy::default(), by, today).await?;
    audit(
        store,
        AuditAction::Create,
        "campaign",
        &id.to_string(),
        "campaign started",
        serde_json::json!({ "name": plan.name.trim(), "team": plan.team, "seed": seed, "holdout_percent": plan.holdout_percent, "by": by }),
    )
    .await?;
    let (contact, held) = arms(&store.campaign_arm_counts(id).await?);
    let cohort = store
        .campaign(id)
        .await?
        .map(|c| c.cohort)
        .unwrap_or_default();
    println!(
        "Campaign {id}, \"{}\", started on {}.",
        plan.name.trim(),
        today.format("%-d %B %Y")
    );
    println!("  {cohort}: {} households.", contact + held);
    println!(
        "  {contact} to contact, {held} held back and never contacted ({}% held back, drawn with seed {seed}).",
        plan.holdout_percent
    );
    for (i, s) in plan.steps.iter().enumerate() {
        println!("  Step {}: {}", i + 1, describe_step(s));
    }
    println!("Queue what is due with `upstream campaign run {id}`.");
    Ok(())
}

/// (to contact, held back) from a campaign's counts by arm.
fn arms(counts: &[(String, i64)]) -> (usize, usize) {
    let of = |arm: &str| {
        counts
            .iter()
            .filter(|(a, _)| a == arm)
            .map(|(_, n)| *n as usize)
            .sum::<usize>()
    };
    (of(CONTACT), of(HELD_BACK))
}

fn describe_step(s: &Step) -> String {
    let mut out = format!("day {}, {}", s.day, s.channel.with_article());
    if let Some(t) = &s.template_id {
        out.push_str(&format!(" from the template '{t}'"));
    }
    if !s.skip_if.is_empty() {
        let skips: Vec<String> = s
            .skip_if
            .iter()
            .map(|c| c.label().to_lowercase().replace("skip if ", ""))
            .collect();
        out.push_str(&format!("; skipped if {}", skips.join(", or if ")));
    }
    out
}

async fn run_day(
    store: &Store,
    id: i64,
    now: Option<DateTime<Utc>>,
    nation: Option<Nation>,
) -> Result<()> {
    let nation = council_nation(store, nation).await?;
    let now = now.unwrap_or_else(Utc::now);
    let day = run_campaign_day(store, id, now, nation, &outreach::Policy::default()).await?;
    audit(
        store,
        AuditAction::Change,
        "campaign",
        &id.to_string(),
        "campaign steps queued",
        serde_json::json!({ "now": now.to_rfc3339(), "queued": day.queued }),
    )
    .await?;
    println!(
        "Campaign {id}, run as of {} (UK time):",
        uk_local(now).format("%-d %B %Y %H:%M")
    );
    println!("  {} queued in the outbox", plural(day.queued, "message"));
    println!(
        "  {} waiting (quiet hours or the contact limit; tried again on a later run)",
        day.waiting
    );
    println!(
        "  {} left out by the contact rules (reasons below)",
        day.excluded
    );
    println!(
        "  {} held back (the comparison group: never contacted)",
        day.held_back
    );
    println!("  {} for staff to call or visit", day.for_staff);
    if day.finished > 0 {
        println!("  {} finished (every step sent or skipped)", day.finished);
    }
    if !day.not_filled.is_empty() {
        println!(
            "  {} the template could not be filled in for:",
            plural(day.not_filled.len(), "household")
        );
        for (h, why) in &day.not_filled {
            println!("    household {h}: {why}");
        }
    }
    print_exclusions(store, id).await?;
    if day.queued > 0 {
        println!("Send them with `upstream outbox send` (NOTIFY_API_KEY set to send through GOV.UK Notify).");
    }
    Ok(())
}

/// The households each step left out (or kept waiting), by reason, as the
/// latest run of that step counted them.
async fn print_exclusions(store: &Store, id: i64) -> Result<()> {
    let rows = store.campaign_exclusions(id).await?;
    if rows.is_empty() {
        println!("Nobody left out.");
        return Ok(());
    }
    println!("Left out or waiting, by reason (the latest run of each step):");
    let mut step = None;
    for r in rows {
        if step != Some(r.step_no) {
            println!("  Step {}:", r.step_no);
            step = Some(r.step_no);
        }
        let waiting = matches!(r.reason_code.as_str(), "contact_limit" | "quiet_hours");
        println!(
            "    {:>5}  {}{}",
            r.households,
            r.reason,
            if waiting {
                " (waiting, not left out)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

async fn list_campaigns(store: &Store) -> Result<()> {
    let campaigns = store.campaigns().await?;
    if campaigns.is_empty() {
        println!("No campaigns yet. Start one with `upstream campaign start --team TEAM --name NAME --step 0:text:TEMPLATE`.");
        return Ok(());
    }
    println!(
        "{:>4}  {:<10}  {:<8}  {:<30} {:<24} households  steps",
        "id", "started", "status", "name", "team"
    );
    for c in campaigns {
        let (contact, held) = arms(&store.campaign_arm_counts(c.id).await?);
        println!(
            "{:>4}  {:<10}  {:<8}  {:<30} {:<24} {:>10}  {:>5}",
            c.id,
            c.started_on,
            c.status,
            c.name,
            c.team,
            contact + held,
            c.steps.len()
        );
    }
    Ok(())
}

async fn show_campaign(store: &Store, id: i64) -> Result<()> {
    let Some(c) = store.campaign(id).await? else {
        user_error!("there is no campaign {id} (see `upstream campaign list`)");
    };
    println!("Campaign {}: \"{}\" ({})", c.id, c.name, c.status);
    println!(
        "  Team: {}. Started {}. {}.",
        c.team,
        c.started_on.format("%-d %B %Y"),
        c.cohort
    );
    let by = match c.created_by {
        0 => "the command line (no account named)".to_string(),
        n => match store.user(n).await? {
            Some(u) => u.username,
            None => format!("account {n}"),
        },
    };
    println!(
        "  {}% held back, drawn with seed {}. Started by {by}.",
        c.holdout_percent,
        // Stored bit for bit in a signed column.
        c.seed as u64
    );
    println!("Steps:");
    for (i, s) in c.steps.iter().enumerate() {
        let step = Step {
            day: s.day_offset.max(0) as u32,
            channel: Channel::parse(&s.channel).unwrap_or(Channel::Letter),
            template_id: s.template_name.clone(),
            skip_if: serde_json::from_str(&s.skip_if).unwrap_or_default(),
        };
        println!("  {}. {}", i + 1, describe_step(&step));
    }
    let (contact, held) = arms(&store.campaign_arm_counts(id).await?);
    println!(
        "Households: {} ({contact} to contact, {held} held back).",
        contact + held
    );
    let counts = store.campaign_message_counts(id).await?;
    if counts.is_empty() {
        println!("Messages: none yet (`upstream campaign run {id}` queues what is due).");
    } else {
        println!("Messages:");
        let mut by_step: BTreeMap<i32, BTreeMap<&str, i64>> = BTreeMap::new();
        for (step, status, n) in &counts {
            *by_step
                .entry(step.unwrap_or(0))
                .or_default()
                .entry(status.as_str())
                .or_default() += n;
        }
        for (step, statuses) in by_step {
            let parts: Vec<String> = statuses.iter().map(|(s, n)| format!("{n} {s}")).collect();
            println!("  Step {step}: {}", parts.join(", "));
        }
    }
    print_exclusions(store, id).await
}

fn parse_step(s: &str) -> Result<Step, String> {
    let mut parts = s.splitn(3, ':');
    let day = parts.next().unwrap_or("").trim();
    let Some(channel) = parts.next().map(str::trim) else {
        return Err(format!(
            "'{s}' is not a step: write DAY:CHANNEL or DAY:CHANNEL:TEMPLATE, for example 0:text:rent-text"
        ));
    };
    let template = parts.next().map(str::trim).filter(|t| !t.is_empty());
    let day: u32 = day.parse().map_err(|_| {
        format!("'{s}': '{day}' is not a day; give the days after the start as a whole number (0 is the first day)")
    })?;
    let channel = Channel::parse(&channel.replace('-', "_")).ok_or_else(|| {
        format!("'{s}': '{channel}' is not a channel; say text, email, letter, phone_call or door_knock")
    })?;
    Ok(Step {
        day,
        channel,
        template_id: template.map(str::to_string),
        skip_if: Vec::new(),
    })
}

fn parse_skip(s: &str) -> Result<SkipCondition, String> {
    let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
    [
        SkipCondition::Replied,
        SkipCondition::Engaged,
        SkipCondition::CaseOpened,
        SkipCondition::OptedOut,
    ]
    .into_iter()
    .find(|c| c.as_str() == wanted)
    .ok_or_else(|| {
        format!(
            "'{s}' is not a reason to skip a step; say replied, engaged, case_opened or opted_out"
        )
    })
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Some(noon) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(12, 0, 0))
    {
        return Ok(uk_local_to_utc(noon));
    }
    Err(format!(
        "'{s}' is not a time: write a day (2025-01-31, meaning noon UK time) or a time with its offset (2025-01-31T09:30:00Z)"
    ))
}

// ------------------------------------------------------------------ the outbox

pub async fn outbox(store: &Store, command: OutboxCommand) -> Result<()> {
    match command {
        OutboxCommand::Send(a) => send(store, a).await,
        OutboxCommand::List { household, limit } => list_outbox(store, household, limit).await,
    }
}

async fn send(store: &Store, a: OutboxSendArgs) -> Result<()> {
    let transport = notify_transport(&a)?;
    let report = send_outbox(store, transport, &mut SendSettings::default()).await?;
    audit(
        store,
        AuditAction::Change,
        "outbox",
        "send",
        "outbox sent",
        serde_json::json!({
            "sent": report.sent, "kept": report.kept, "failed": report.failed,
            "retried": report.retried, "recovered": report.recovered,
            "requeued": report.requeued, "unsure": report.unsure,
        }),
    )
    .await?;
    for line in describe_report(&report) {
        println!("{line}");
    }
    let c = store.outbox_counts().await?;
    println!(
        "The outbox now holds {} queued, {} sending, {} sent, {} delivered, {} failed and {} kept.",
        c.queued, c.sending, c.sent, c.delivered, c.failed, c.kept
    );
    Ok(())
}

/// Where the outbox goes: GOV.UK Notify when `NOTIFY_API_KEY` is set (the
/// key only ever from the environment), or `None` to keep messages in the
/// outbox. Used by `outbox send` and by `serve`.
pub fn notify_transport(a: &OutboxSendArgs) -> Result<Option<Arc<dyn Transport>>> {
    let url = check_notify_url(&a.notify_url)?;
    let key = match std::env::var(KEY_VAR) {
        Ok(k) if !k.trim().is_empty() => Some(k),
        Ok(_) | Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => {
            user_error!("{KEY_VAR} is not plain text; copy the key from GOV.UK Notify again")
        }
    };
    let transport: Option<Arc<dyn Transport>> = match key {
        None => {
            println!("{KEY_VAR} is not set, so nothing goes to GOV.UK Notify: messages that are due are filled in and kept in the outbox for staff to read, not sent.");
            None
        }
        Some(key) => {
            let client = NotifyClient::new(&key, &url).map_err(|e| match e {
                NotifyError::InvalidKey(_) => UserError(format!("{KEY_VAR}: {e}")).into(),
                NotifyError::Config(_) => UserError(format!("--notify-url: {e}")).into(),
                e => anyhow::Error::from(e),
            })?;
            drop(key);
            let templates = carrier_templates(a)?;
            println!("Sending through GOV.UK Notify at {url}.");
            Some(Arc::new(NotifyTransport::new(client, templates)))
        }
    };
    Ok(transport)
}

/// The bearer tokens Notify's callbacks must carry, from the environment
/// (`NOTIFY_RECEIPT_TOKEN`, `NOTIFY_INBOUND_TOKEN`): set the same ones in
/// Notify's settings for the service. Unset, that callback is refused.
pub fn callback_tokens() -> upstream_web::NotifyTokens {
    let token = |var: &str| {
        std::env::var(var)
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    upstream_web::NotifyTokens {
        delivery: token("NOTIFY_RECEIPT_TOKEN"),
        received_text: token("NOTIFY_INBOUND_TOKEN"),
    }
}

/// A pass over the outbox, in plain words.
fn describe_report(r: &SendReport) -> Vec<String> {
    if *r == SendReport::default() {
        return vec!["Nothing was due to send.".into()];
    }
    let mut out = Vec::new();
    if r.recovered > 0 {
        out.push(format!(
            "{} caught part-way by an earlier pass {} found at Notify and marked sent.",
            plural(r.recovered, "message"),
            were(r.recovered)
        ));
    }
    if r.requeued > 0 {
        out.push(format!(
            "{} caught part-way by an earlier pass {} not at Notify, so {} queued again.",
            plural(r.requeued, "message"),
            were(r.requeued),
            if r.requeued == 1 {
                "it was"
            } else {
                "they were"
            }
        ));
    }
    if r.unsure > 0 {
        out.push(format!(
            "{} caught part-way by an earlier pass could not be looked up at Notify; left as {} are and asked about next time, never sent blind.",
            plural(r.unsure, "message"),
            if r.unsure == 1 { "it" } else { "they" }
        ));
    }
    if r.sent > 0 {
        out.push(format!(
            "Sent {} to GOV.UK Notify.",
            plural(r.sent, "message")
        ));
    }
    if r.kept > 0 {
        out.push(format!(
            "Kept {} for staff to read (not sent).",
            plural(r.kept, "message")
        ));
    }
    if r.retried > 0 {
        out.push(format!(
            "{} could not go just now (Notify busy or out of reach) and will be tried again on a later pass.",
            plural(r.retried, "message")
        ));
    }
    if r.failed > 0 {
        out.push(format!(
            "{} failed and will not be tried again; `upstream outbox list` shows why.",
            plural(r.failed, "message")
        ));
    }
    out
}

fn were(n: usize) -> &'static str {
    if n == 1 {
        "was"
    } else {
        "were"
    }
}

/// The carrier templates' ids, each a UUID; all three are needed, so no
/// message fails for want of one.
fn carrier_templates(a: &OutboxSendArgs) -> Result<CarrierTemplates> {
    let mut problems = Vec::new();
    let mut ids = Vec::new();
    for (value, flag, var) in [
        (&a.sms_template, "--sms-template", "NOTIFY_SMS_TEMPLATE"),
        (
            &a.email_template,
            "--email-template",
            "NOTIFY_EMAIL_TEMPLATE",
        ),
        (
            &a.letter_template,
            "--letter-template",
            "NOTIFY_LETTER_TEMPLATE",
        ),
    ] {
        match value.as_deref().map(str::trim) {
            None | Some("") => problems.push(format!("{flag} (or {var}) is missing")),
            Some(v) if !upstream_notify::key::is_uuid(v) => problems.push(format!(
                "{flag} (or {var}) '{v}' is not a Notify template id (a UUID, as Notify shows it on the template's page)"
            )),
            Some(v) => ids.push(v.to_string()),
        }
    }
    if let [sms, email, letter] = ids.as_slice() {
        return Ok(CarrierTemplates {
            sms: sms.clone(),
            email: email.clone(),
            letter: letter.clone(),
        });
    }
    user_error!(
        "sending through GOV.UK Notify needs the ids of its three carrier templates (docs/outreach.md):\n  - {}",
        problems.join("\n  - ")
    )
}

/// The Notify base URL, if it is safe to send to: https://, or http://
/// only to this machine (a stand-in), never with a user name in it.
fn check_notify_url(raw: &str) -> Result<String> {
    let url = raw.trim().trim_end_matches('/');
    let Some((scheme, rest)) = url.split_once("://") else {
        user_error!("--notify-url '{raw}' is not a web address: it starts https://");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        user_error!("--notify-url must not carry a user name or password");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _port)| host),
    }
    .to_ascii_lowercase();
    if host.is_empty() {
        user_error!("--notify-url '{raw}' names no host");
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_string()),
        "http" if matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1") => Ok(url.to_string()),
        "http" => user_error!(
            "--notify-url '{raw}' is plain http:// to {host}: GOV.UK Notify is reached over https:// only; http:// is allowed only to a stand-in on this machine (127.0.0.1 or localhost)"
        ),
        _ => user_error!("--notify-url '{raw}' must start https://"),
    }
}

async fn list_outbox(store: &Store, household: Option<i64>, limit: i64) -> Result<()> {
    let messages = store.messages(household, limit).await?;
    if messages.is_empty() {
        match household {
            Some(h) => println!("No messages to household {h}."),
            None => println!("The outbox is empty."),
        }
        return Ok(());
    }
    println!(
        "{:<16}  {:<20} {:<7} {:<9} {:<10} failure",
        "queued", "reference", "channel", "status", "to"
    );
    for m in &messages {
        println!("{}", outbox_line(m));
    }
    println!("Recipients are shown masked: personal data on a screen can be read over a shoulder.");
    Ok(())
}

fn outbox_line(m: &MessageRow) -> String {
    let to = mask(&m.recipient);
    let failure = if m.recipient.trim().is_empty() {
        m.failure.clone()
    } else {
        m.failure.replace(m.recipient.trim(), &to)
    };
    format!(
        "{:<16}  {:<20} {:<7} {:<9} {:<10} {}",
        m.created_at.format("%Y-%m-%d %H:%M"),
        m.reference,
        m.channel,
        m.status,
        to,
        failure
    )
    .trim_end()
    .to_string()
}

/// All but the last three characters hidden, behind a mask of fixed length
/// so the length is not shown either.
fn mask(recipient: &str) -> String {
    let chars: Vec<char> = recipient.trim().chars().collect();
    if chars.len() <= 3 {
        return "****".into();
    }
    let tail: String = chars[chars.len() - 3..]
        .iter()
        .map(|c| if c.is_control() { ' ' } else { *c })
        .collect();
    format!("****{tail}")
}

// ------------------------------------------------------------------ the stand-in

pub async fn notify(command: NotifyCommand) -> Result<()> {
    match command {
        NotifyCommand::StandIn(a) => stand_in(a).await,
    }
}

/// The stand-in's three carrier templates, as Notify would hold them.
pub fn carrier_stand_in_templates() -> Vec<StandInTemplate> {
    vec![
        StandInTemplate::new(
            STAND_IN_SMS_TEMPLATE,
            NotificationType::Sms,
            None,
            "((body))",
        ),
        StandInTemplate::new(
            STAND_IN_EMAIL_TEMPLATE,
            NotificationType::Email,
            Some("((subject))"),
            "((body))",
        ),
        StandInTemplate::new(
            STAND_IN_LETTER_TEMPLATE,
            NotificationType::Letter,
            Some("((subject))"),
            "((body))",
        ),
    ]
}

async fn stand_in(a: StandInArgs) -> Result<()> {
    let target = |url: Option<String>, token: Option<String>| {
        url.zip(token).map(|(url, bearer_token)| CallbackTarget {
            url: url.trim().to_string(),
            bearer_token,
        })
    };
    let config = StandInConfig {
        bind: a.bind,
        templates: carrier_stand_in_templates(),
        delivery_callback: target(a.delivery_callback, a.delivery_token),
        received_text_callback: target(a.inbound_callback, a.inbound_token),
        auto_deliver: a.deliver_after_ms.map(std::time::Duration::from_millis),
        seed: a.seed,
        ..StandInConfig::default()
    };
    let receipts = match (&config.auto_deliver, &config.delivery_callback) {
        (Some(d), Some(c)) => format!(
            "each text and email is marked delivered after {} ms and its receipt POSTed to {}",
            d.as_millis(),
            c.url
        ),
        (Some(d), None) => format!(
            "each text and email is marked delivered after {} ms (no receipt is POSTed: no --delivery-callback)",
            d.as_millis()
        ),
        (None, _) => {
            "messages stay as accepted (give --deliver-after-ms to have them delivered)".into()
        }
    };
    let inbound = config
        .received_text_callback
        .as_ref()
        .map(|c| c.url.clone());
    // Listen for Ctrl-C (and a service manager's SIGTERM) before saying we
    // are ready, so a stop that comes straight after is not missed.
    let stop = stop_signal()?;
    let stand_in = match StandIn::start(config).await {
        Ok(s) => s,
        Err(e @ StandInError::NotLoopback(_)) => return Err(UserError(e.to_string()).into()),
        Err(e @ StandInError::Bind { .. }) => {
            return Err(anyhow::Error::from(e)).context(
                "is something else using that port? Try --bind 127.0.0.1:0 for any free port",
            )
        }
        Err(e) => return Err(e.into()),
    };
    let url = stand_in.base_url();
    println!("A stand-in for GOV.UK Notify is listening at {url} (this machine only; nothing it is sent goes anywhere).");
    println!("Its API key below is a throwaway test key made for this stand-in, so it is fine to show; never show or paste a real Notify key.");
    println!("To send the outbox to it, paste these lines into another terminal:");
    println!();
    println!("export {KEY_VAR}={}", stand_in.api_key());
    println!("export NOTIFY_SMS_TEMPLATE={STAND_IN_SMS_TEMPLATE}");
    println!("export NOTIFY_EMAIL_TEMPLATE={STAND_IN_EMAIL_TEMPLATE}");
    println!("export NOTIFY_LETTER_TEMPLATE={STAND_IN_LETTER_TEMPLATE}");
    println!();
    println!("and then run: upstream outbox send --notify-url {url}");
    println!("Its templates only carry Upstream's words: the text message template is ((body)); the email and letter templates are subject ((subject)), message ((body)).");
    println!("Delivery: {receipts}.");
    if let Some(u) = inbound {
        println!("Texts residents send back are POSTed to {u}.");
    }
    println!("Press Ctrl-C to stop.");
    stop.await;
    let accepted = stand_in.accepted().len();
    stand_in.shutdown().await;
    println!(
        "Stand-in stopped; it accepted {} while it ran.",
        plural(accepted, "message")
    );
    Ok(())
}

/// A future that finishes on Ctrl-C or SIGTERM; the handlers are installed
/// before it is returned.
#[cfg(unix)]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("could not listen for Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("could not listen for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

// ------------------------------------------------------------------ shared

/// The council's nation: as given, else the registered town's profile's,
/// else England.
async fn council_nation(store: &Store, given: Option<Nation>) -> Result<Nation> {
    if let Some(n) = given {
        return Ok(n);
    }
    let Some(town) = store.latest_town().await? else {
        return Ok(Nation::England);
    };
    match upstream_sim::Profile::load(&town.profile) {
        Ok(p) => Ok(p.town.nation),
        Err(_) => {
            eprintln!(
                "note: could not read the registered town's profile '{}' to tell its nation, so working as England; say --nation wales for a Welsh council",
                town.profile
            );
            Ok(Nation::England)
        }
    }
}

/// The id of the account named with --by; 0 when none is named.
pub(crate) async fn account_id(store: &Store, username: Option<&str>) -> Result<i64> {
    let Some(username) = username else {
        return Ok(0);
    };
    let name = upstream_store::normalise_username(username)
        .map_err(|e| UserError(format!("--by: {e}")))?;
    match store.user_by_username(&name).await? {
        Some(u) => Ok(u.id),
        None => {
            user_error!("--by: there is no account called '{name}' (see `upstream users list`)")
        }
    }
}

/// A seed nobody chose, short enough to copy: the standard library's
/// per-process random hash keys, mixed with the time.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish() % 1_000_000
}

/// "1 message", "3 messages".
pub(crate) fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_read_as_day_channel_and_template() {
        let s = parse_step("3:letter:rent-letter").unwrap();
        assert_eq!(
            (s.day, s.channel, s.template_id.as_deref()),
            (3, Channel::Letter, Some("rent-letter"))
        );
        let s = parse_step("14:door-knock").unwrap();
        assert_eq!((s.channel, s.template_id), (Channel::DoorKnock, None));
        assert_eq!(
            parse_step("0:sms:a:b").unwrap().template_id.as_deref(),
            Some("a:b")
        );
        assert!(parse_step("x:text").unwrap_err().contains("not a day"));
        assert!(parse_step("0:pigeon")
            .unwrap_err()
            .contains("not a channel"));
        assert!(parse_step("0").unwrap_err().contains("DAY:CHANNEL"));
        assert_eq!(parse_skip("Case-Opened"), Ok(SkipCondition::CaseOpened));
        assert!(parse_skip("bored").is_err());
    }

    #[test]
    fn a_day_means_noon_in_the_uk() {
        assert_eq!(
            parse_now("2025-01-31").unwrap().to_rfc3339(),
            "2025-01-31T12:00:00+00:00"
        );
        // British Summer Time: noon in London is 11:00 UTC.
        assert_eq!(
            parse_now("2025-07-01").unwrap().to_rfc3339(),
            "2025-07-01T11:00:00+00:00"
        );
        assert_eq!(
            parse_now("2025-07-01T09:30:00+01:00").unwrap().to_rfc3339(),
            "2025-07-01T08:30:00+00:00"
        );
        assert!(parse_now("31/01/2025").is_err());
    }

    #[test]
    fn notify_is_reached_over_https_and_plain_http_only_on_this_machine() {
        for ok in [
            "https://api.notifications.service.gov.uk",
            "http://127.0.0.1:6011/",
            "http://localhost:6011",
            "http://[::1]:6011",
        ] {
            assert!(check_notify_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.notifications.service.gov.uk",
            "http://127.0.0.1.evil.example:80",
            "http://127.0.0.1@evil.example",
            "https://user:pw@api.notifications.service.gov.uk",
            "ftp://127.0.0.1",
            "127.0.0.1:6011",
            "https://",
        ] {
            let e = check_notify_url(bad).unwrap_err();
            assert!(e.downcast_ref::<UserError>().is_some(), "{bad}: {e}");
        }
    }

    #[test]
    fn recipients_are_masked_but_for_their_last_three_characters() {
        assert_eq!(mask("07700900123"), "****123");
        assert_eq!(mask("Jo Smith\n12 Acacia Avenue\nB1 1AA"), "****1AA");
        assert_eq!(mask("ab"), "****");
        assert_eq!(mask("résidént@example.org"), "****org");
    }

    #[test]
    fn template_channels_are_stored_as_notify_names_them() {
        assert_eq!(parse_template_channel("TEXT"), Ok(Channel::Text));
        assert_eq!(stored_channel(Channel::Text), "sms");
        assert!(parse_template_channel("door_knock").is_err());
        assert_eq!(channel_label("sms"), "Text message");
    }
}
