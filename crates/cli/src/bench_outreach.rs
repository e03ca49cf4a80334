//! `upstream bench outreach`: a city's campaign and paced sending.
//!
//! `cohort` chooses the first N current households of a city-sized store
//! (`bench web seed` makes one), starts a campaign on them with
//! `start_campaign` and queues its first step, a letter, with
//! `run_campaign_day`: the code path the web page and `campaign start/run`
//! take. It times each part and reports the process's peak memory.
//!
//! `send` starts the Notify stand-in on 127.0.0.1 with Notify's limit
//! (3,000 messages a minute), queues text messages in a fresh SQLite outbox
//! and sends them with `send_outbox`, as `outbox send` does; then counts at
//! the stand-in how many came, how many were refused with 429, and that
//! each reference was accepted exactly once. Traffic never leaves this
//! machine. `docs/benchmarks.md` has the figures.

use anyhow::{bail, Context, Result};
use chrono::Utc;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use upstream_core::Nation;
use upstream_notify::stand_in::{StandIn, StandInConfig};
use upstream_notify::NotifyClient;
use upstream_outreach::{Channel, Policy, Step};
use upstream_pipeline::campaigns::{run_campaign_day, start_campaign, CampaignPlan, Cohort};
use upstream_pipeline::sending::{
    send_outbox, CarrierTemplates, NotifyTransport, SendSettings, Transport,
};
use upstream_store::{NewMessage, NewTemplate, Store};

use crate::outreach::{
    carrier_stand_in_templates, STAND_IN_EMAIL_TEMPLATE, STAND_IN_LETTER_TEMPLATE,
    STAND_IN_SMS_TEMPLATE,
};

/// The target for choosing and queueing a 100,000-household cohort.
const TARGET_SECONDS: f64 = 30.0;
const TEMPLATE: &str = "bench-letter";

/// This process's peak resident memory so far, in MiB (Linux).
fn peak_mib() -> Option<f64> {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    // ru_maxrss is in KiB on Linux.
    (rc == 0 && usage.ru_maxrss > 0).then(|| usage.ru_maxrss as f64 / 1024.0)
}

/// `upstream bench outreach cohort`.
pub async fn cohort(store: &Store, households: i64) -> Result<()> {
    if store.message_template(TEMPLATE, None).await?.is_none() {
        store
            .save_message_template(
                &NewTemplate {
                    name: TEMPLATE.into(),
                    channel: "letter".into(),
                    subject_en: "Help with money and bills".into(),
                    body_en: "Dear ((full_name)), ((council_name)) can help if money is tight. Call us or reply to this letter.".into(),
                    subject_cy: String::new(),
                    body_cy: String::new(),
                },
                0,
            )
            .await?;
    }
    let today = match store.latest_assessment_run().await? {
        Some(run) => run.as_of,
        None => Utc::now().date_naive(),
    };
    let started = Instant::now();
    let ids = store.current_household_ids(households).await?;
    if (ids.len() as i64) < households {
        bail!(
            "the database holds {} current households; make at least {households} with `upstream bench web seed --households {households}`",
            ids.len()
        );
    }
    let chosen = started.elapsed().as_secs_f64();
    let plan = CampaignPlan {
        name: format!("Bench outreach {}", Utc::now().format("%Y-%m-%d %H:%M:%S")),
        team: "Bench team".into(),
        cohort: Cohort::Households {
            description: format!("The first {households} current households (a benchmark)"),
            ids,
        },
        steps: vec![Step {
            day: 0,
            channel: Channel::Letter,
            template_id: Some(TEMPLATE.into()),
            skip_if: Vec::new(),
        }],
        holdout_percent: 0,
        seed: 7,
    };
    let policy = Policy::default();
    let id = start_campaign(store, &plan, &policy, 0, today).await?;
    let saved = started.elapsed().as_secs_f64();
    let noon = today
        .and_hms_opt(12, 0, 0)
        .context("noon on the campaign's day")?
        .and_utc();
    let day = run_campaign_day(store, id, noon, Nation::England, &policy).await?;
    let total = started.elapsed().as_secs_f64();
    println!("bench outreach cohort: campaign {id}, {households} households, a letter on day 0");
    println!("| part | seconds |");
    println!("| --- | ---: |");
    println!("| choose the cohort | {chosen:.1} |");
    println!(
        "| start the campaign (draw, save members) | {:.1} |",
        saved - chosen
    );
    println!(
        "| queue day 0 (`run_campaign_day`) | {:.1} |",
        total - saved
    );
    println!("| **total** | **{total:.1}** |");
    println!(
        "queued {}, left out {}, waiting {}, not filled in {}",
        day.queued,
        day.excluded,
        day.waiting,
        day.not_filled.len()
    );
    println!(
        "peak memory: {} MiB",
        peak_mib().map_or("n/a".into(), |m| format!("{m:.0}"))
    );
    println!(
        "target: under {TARGET_SECONDS:.0} s: {}",
        if total < TARGET_SECONDS {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}

/// `upstream bench outreach send`.
pub async fn send(messages: usize) -> Result<()> {
    // A fresh outbox of its own, so a city's queued letters are not sent.
    let path = std::env::temp_dir().join(format!("upstream-bench-send-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let store = Store::connect(path.to_str().context("a UTF-8 temporary path")?).await?;
    let stand_in = StandIn::start(StandInConfig {
        templates: carrier_stand_in_templates(),
        ..StandInConfig::default()
    })
    .await?;
    let now = Utc::now();
    let queue: Vec<NewMessage> = (0..messages)
        .map(|i| NewMessage {
            reference: format!("bench-{i}"),
            campaign_id: None,
            step_no: None,
            household_id: i as i64 + 1,
            person_id: None,
            channel: "sms".into(),
            template_name: "bench-text".into(),
            template_version: 1,
            language: "en".into(),
            // Test numbers; 07700900002 and 003 are the stand-in's failures.
            recipient: format!("07700900{:03}", 100 + i % 800),
            subject: String::new(),
            body: "Hello, this is the council. If money is tight, we can help.".into(),
            not_before: now,
            queued_at: now,
        })
        .collect();
    store.queue_messages(&queue).await?;
    let client = NotifyClient::new(&stand_in.api_key(), &stand_in.base_url())?;
    let transport: Arc<dyn Transport> = Arc::new(NotifyTransport::new(
        client,
        CarrierTemplates {
            sms: STAND_IN_SMS_TEMPLATE.into(),
            email: STAND_IN_EMAIL_TEMPLATE.into(),
            letter: STAND_IN_LETTER_TEMPLATE.into(),
        },
    ));
    let started = Instant::now();
    let mut settings = SendSettings::default();
    let mut report = send_outbox(&store, Some(transport.clone()), &mut settings).await?;
    // Messages put back for a 429 are due again a little later: keep
    // sending until the outbox is empty, as a scheduled `outbox send` would.
    let mut passes = 1;
    while store.outbox_counts().await?.queued > 0 && passes < 1000 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let r = send_outbox(&store, Some(transport.clone()), &mut settings).await?;
        report.sent += r.sent;
        report.retried += r.retried;
        passes += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    let received = stand_in.received();
    let mut accepted: BTreeMap<String, usize> = BTreeMap::new();
    let mut limited = 0;
    for r in &received {
        match r.status_code {
            201 => {
                *accepted
                    .entry(r.reference.clone().unwrap_or_default())
                    .or_default() += 1
            }
            429 => limited += 1,
            _ => {}
        }
    }
    let twice = accepted.values().filter(|n| **n > 1).count();
    let lost = (0..messages)
        .filter(|i| !accepted.contains_key(&format!("bench-{i}")))
        .count();
    let counts = store.outbox_counts().await?;
    println!("bench outreach send: {messages} text messages to the stand-in at {} (limit 3,000 a minute)", stand_in.base_url());
    println!("| measure | value |");
    println!("| --- | ---: |");
    println!("| wall time (s) | {seconds:.1} |");
    println!(
        "| achieved rate (messages a minute) | {:.0} |",
        accepted.len() as f64 * 60.0 / seconds.max(f64::EPSILON)
    );
    println!("| accepted by the stand-in | {} |", accepted.len());
    println!("| refused with 429 | {limited} |");
    println!("| sent twice | {twice} |");
    println!("| lost (never accepted) | {lost} |");
    println!(
        "| outbox afterwards | {} sent, {} queued, {} failed |",
        counts.sent, counts.queued, counts.failed
    );
    println!("| send passes | {passes} |");
    println!(
        "| sent / put back to retry, as the sender counted | {} / {} |",
        report.sent, report.retried
    );
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    if twice > 0 || lost > 0 {
        bail!("{twice} messages were sent twice and {lost} lost");
    }
    Ok(())
}
