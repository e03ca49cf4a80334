//! The monthly run (`upstream run`): from "new extracts arrived" to "this
//! week's lists are ready" as one job.
//!
//! - **Exclusive**: a lock row in storage; a second run is refused while the
//!   first is alive. A lock whose process is shown to be gone (same host,
//!   no such process) is taken over and the take-over is recorded on both
//!   runs; one whose heartbeat has stopped on another host is reported and
//!   left for a person to release (`--take-over-stale-lock`), since this
//!   machine cannot see that host's processes.
//! - **Resumable without bookkeeping**: each step asks storage whether its
//!   work is already done (files loaded are known by checksum; a link run
//!   keeps the last file it saw; an assessment run keeps the link run and
//!   event library it used; a list is kept once per team and week). Every
//!   step writes in transactions, so a run killed anywhere leaves the last
//!   good state, and the next run does exactly what is left.
//! - **Recorded**: each run and step with its times, counts, warnings and
//!   failure, for the administrators' page and the operator.

use crate::{assessing, ingest, linking, register, Error, Progress, Result};
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use upstream_store::{RunLock, StepEnd, Store};

/// The steps, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Register,
    Ingest,
    Link,
    Assess,
    Lists,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Register,
        Step::Ingest,
        Step::Link,
        Step::Assess,
        Step::Lists,
    ];

    /// The step named (as `as_str` writes it).
    pub fn parse(name: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Register => "register",
            Step::Ingest => "ingest",
            Step::Link => "link",
            Step::Assess => "assess",
            Step::Lists => "lists",
        }
    }

    /// What the step does, for people.
    pub fn title(self) -> &'static str {
        match self {
            Step::Register => "Registering a simulated town's extract files",
            Step::Ingest => "Reading new extracts",
            Step::Link => "Linking records into people and households",
            Step::Assess => "Assessing every household",
            Step::Lists => "Making each team's weekly list",
        }
    }
}

/// What `upstream run` is given.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where new extracts arrive: folders of files (walked), or a simulated
    /// town's folder (its manifest is registered, its `extracts` read).
    pub extracts: Vec<PathBuf>,
    /// Source declarations (*.toml); the built-in ones when not given.
    pub sources: Option<PathBuf>,
    /// Linkage settings; the built-in defaults when not given.
    pub link_config: Option<PathBuf>,
    /// The event library and persona rules; the built-in ones when not given.
    pub events: Option<PathBuf>,
    pub personas: Option<PathBuf>,
    /// Take over a lock whose heartbeat has stopped, even on another host.
    pub take_over_stale_lock: bool,
    /// How long without a heartbeat before a lock counts as stale.
    pub stale_after: chrono::Duration,
    /// The last step to run (the rest wait for the next run).
    pub until: Step,
}

impl Options {
    pub fn new(extracts: Vec<PathBuf>) -> Options {
        Options {
            extracts,
            sources: None,
            link_config: None,
            events: None,
            personas: None,
            take_over_stale_lock: false,
            stale_after: chrono::Duration::minutes(15),
            until: Step::Lists,
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    Done,
    /// Its work was already done (by an earlier run, or one interrupted).
    Skipped,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Done => "done",
            StepStatus::Skipped => "skipped",
        }
    }
}

/// One step's outcome.
#[derive(Debug, Clone)]
pub struct StepReport {
    pub step: Step,
    pub status: StepStatus,
    /// What it did, in a sentence.
    pub summary: String,
    pub counts: BTreeMap<String, i64>,
    /// What a person should read: files refused, months missing, no teams.
    pub warnings: Vec<String>,
    /// Whether a warning needs a person to put something right.
    pub needs_attention: bool,
}

impl StepReport {
    fn new(step: Step, status: StepStatus, summary: impl Into<String>) -> StepReport {
        StepReport {
            step,
            status,
            summary: summary.into(),
            counts: BTreeMap::new(),
            warnings: Vec::new(),
            needs_attention: false,
        }
    }

    fn count(mut self, name: &str, n: impl TryInto<i64>) -> StepReport {
        self.counts
            .insert(name.to_string(), n.try_into().unwrap_or(i64::MAX));
        self
    }
}

/// A whole run's outcome.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub run_id: i64,
    /// The interrupted run this one took over from.
    pub resumes: Option<i64>,
    pub warnings: Vec<String>,
    pub steps: Vec<StepReport>,
}

impl RunReport {
    /// Finished, but something needs a person (a refused file, no teams).
    pub fn needs_attention(&self) -> bool {
        self.steps.iter().any(|s| s.needs_attention)
    }
}

/// A run that stopped on a step: the step's own error, and where.
#[derive(Debug, thiserror::Error)]
#[error("run {run_id} stopped at the {} step: {source}", step.as_str())]
pub struct StepFailed {
    pub run_id: i64,
    pub step: Step,
    #[source]
    pub source: Error,
}

/// This machine's name, to tell whose process holds the lock.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Whether a process of this machine is alive.
fn process_alive(pid: i64) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 sends nothing; it only asks whether the
    // process exists (EPERM: it does, owned by someone else).
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Why a held lock may be taken over, or None if its holder may be alive.
fn stale(lock: &RunLock, host: &str, now: DateTime<Utc>, o: &Options) -> Option<String> {
    let silent = now - lock.heartbeat_at;
    if lock.host == host && !process_alive(lock.pid) {
        return Some(format!(
            "run {} stopped without finishing: its process {} on {} is gone",
            lock.run_id, lock.pid, lock.host
        ));
    }
    if o.take_over_stale_lock && silent > o.stale_after {
        return Some(format!(
            "run {} on {} (process {}) had not said it was alive for {} minutes; taken over as asked",
            lock.run_id,
            lock.host,
            lock.pid,
            silent.num_minutes()
        ));
    }
    None
}

fn busy(lock: &RunLock, host: &str, now: DateTime<Utc>, o: &Options) -> Error {
    let silent = now - lock.heartbeat_at;
    if silent > o.stale_after {
        let whose = if lock.host == host {
            format!("process {} on this machine is still running but", lock.pid)
        } else {
            format!(
                "process {} on {} cannot be checked from here and",
                lock.pid, lock.host
            )
        };
        Error::Busy(format!(
            "run {} holds the lock and looks stuck: {whose} has not said it is alive for {} minutes. \
             If it is gone, run again with --take-over-stale-lock.",
            lock.run_id,
            silent.num_minutes()
        ))
    } else {
        Error::Busy(format!(
            "run {} is still going (process {} on {}, started {}); try again when it has finished",
            lock.run_id,
            lock.pid,
            lock.host,
            lock.acquired_at.format("%Y-%m-%d %H:%M UTC")
        ))
    }
}

/// Crash on purpose at a named point, for the kill-and-resume test:
/// `UPSTREAM_TEST_ABORT_AT=link:done` aborts the process once the link
/// step's work is saved and before its end is recorded. Never set outside
/// tests; aborting is what a killed or crashed run looks like.
fn abort_point(step: Step, point: &str) {
    if let Ok(at) = std::env::var("UPSTREAM_TEST_ABORT_AT") {
        if at == format!("{}:{point}", step.as_str()) {
            eprintln!("aborting at {at} (UPSTREAM_TEST_ABORT_AT)");
            std::process::abort();
        }
    }
}

/// Lose the database at a named point, for the test of a database that
/// goes away mid-run: `UPSTREAM_TEST_CLOSE_DB_AT=link:start` closes the
/// store's connections as the link step begins, so its next query fails as
/// it would with the server gone. Never set outside tests.
async fn close_point(store: &Store, step: Step, point: &str) {
    if let Ok(at) = std::env::var("UPSTREAM_TEST_CLOSE_DB_AT") {
        if at == format!("{}:{point}", step.as_str()) {
            eprintln!("closing the database at {at} (UPSTREAM_TEST_CLOSE_DB_AT)");
            store.close().await;
        }
    }
}

/// Passes progress on; `UPSTREAM_TEST_ABORT_AT=ingest:file` aborts once
/// the first files are loaded and before the rest are.
struct AbortMidIngest<'a>(&'a dyn Progress);

impl Progress for AbortMidIngest<'_> {
    fn stage(&self, message: &str) {
        self.0.stage(message);
    }
    fn file(&self, done: usize, total: usize, name: &str) {
        if done == total / 2 {
            abort_point(Step::Ingest, "file");
        }
        self.0.file(done, total, name);
    }
    fn note(&self, message: &str) {
        self.0.note(message);
    }
    fn finish(&self) {
        self.0.finish();
    }
}

/// Keeps the lock's heartbeat going while a run works.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(store: &Store, run_id: i64) -> Heartbeat {
        let store = store.clone();
        Heartbeat(tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
            loop {
                tick.tick().await;
                if let Err(e) = store.run_lock_heartbeat(run_id, Utc::now()).await {
                    tracing::warn!("could not renew the run lock: {e}");
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Run the month: take the lock, do each step that is not yet done, record
/// it all, let the lock go. `on_step` hears each step as it ends.
pub async fn monthly(
    store: &Store,
    o: &Options,
    progress: &dyn Progress,
    on_step: &dyn Fn(&StepReport),
) -> std::result::Result<RunReport, StepFailed> {
    let host = host_name();
    let pid = i64::from(std::process::id());
    let failed = |run_id: i64, step: Step| {
        move |source: Error| StepFailed {
            run_id,
            step,
            source,
        }
    };
    let run_id = store
        .start_pipeline_run(&host, pid, Utc::now())
        .await
        .map_err(|e| failed(0, Step::Register)(e.into()))?;
    let mut report = RunReport {
        run_id,
        resumes: None,
        warnings: Vec::new(),
        steps: Vec::new(),
    };
    // The lock.
    let held = store
        .try_run_lock(run_id, &host, pid, Utc::now())
        .await
        .map_err(|e| failed(run_id, Step::Register)(e.into()))?;
    if let Some(lock) = held {
        let now = Utc::now();
        match stale(&lock, &host, now, o) {
            Some(why) => {
                let taken = store
                    .take_over_run_lock(lock.run_id, run_id, &host, pid, now)
                    .await
                    .map_err(|e| failed(run_id, Step::Register)(e.into()))?;
                if !taken {
                    let e = Error::Busy("another run took the lock over first".into());
                    refuse_run(store, run_id, &e).await;
                    return Err(failed(run_id, Step::Register)(e));
                }
                store
                    .mark_interrupted(lock.run_id, run_id, &why, now)
                    .await
                    .map_err(|e| failed(run_id, Step::Register)(e.into()))?;
                report.resumes = Some(lock.run_id);
                report
                    .warnings
                    .push(format!("{why}; this run goes on from what it finished."));
            }
            None => {
                let e = busy(&lock, &host, now, o);
                refuse_run(store, run_id, &e).await;
                return Err(failed(run_id, Step::Register)(e));
            }
        }
    }
    let _heartbeat = Heartbeat::start(store, run_id);
    for step in Step::ALL.into_iter().filter(|s| *s <= o.until) {
        progress.stage(step.title());
        if let Err(e) = store
            .start_pipeline_step(run_id, step.as_str(), Utc::now())
            .await
        {
            return Err(fail_run(store, run_id, step, e.into()).await);
        }
        abort_point(step, "start");
        close_point(store, step, "start").await;
        let outcome = match step {
            Step::Register => register_step(store, o).await,
            Step::Ingest => ingest_step(store, o, &AbortMidIngest(progress)).await,
            Step::Link => link_step(store, o, progress).await,
            Step::Assess => assess_step(store, o).await,
            Step::Lists => lists_step(store).await,
        };
        progress.finish();
        let done = match outcome {
            Ok(d) => d,
            Err(e) => return Err(fail_run(store, run_id, step, e).await),
        };
        abort_point(step, "done");
        let counts = serde_json::to_string(&done.counts).unwrap_or_else(|_| "{}".into());
        let warnings = serde_json::to_string(&done.warnings).unwrap_or_else(|_| "[]".into());
        let end = StepEnd {
            status: done.status.as_str(),
            summary: &done.summary,
            counts: &counts,
            warnings: &warnings,
            failure: None,
        };
        if let Err(e) = store
            .finish_pipeline_step(run_id, step.as_str(), &end, Utc::now())
            .await
        {
            return Err(fail_run(store, run_id, step, e.into()).await);
        }
        on_step(&done);
        report.steps.push(done);
    }
    let status = if report.needs_attention() {
        "attention"
    } else {
        "finished"
    };
    let summary = (!report.warnings.is_empty()).then(|| report.warnings.join(" "));
    let ended = store
        .finish_pipeline_run(run_id, status, summary.as_deref(), Utc::now())
        .await;
    let released = store.release_run_lock(run_id).await;
    ended
        .and(released)
        .map_err(|e| failed(run_id, Step::Lists)(e.into()))?;
    Ok(report)
}

/// A run refused at the lock: recorded, so the administrators see it.
async fn refuse_run(store: &Store, run_id: i64, e: &Error) {
    if let Err(write) = store
        .finish_pipeline_run(run_id, "refused", Some(&e.to_string()), Utc::now())
        .await
    {
        tracing::warn!("could not record run {run_id} as refused: {write}");
    }
}

/// A step failed: record it and the run as failed, let the lock go. The
/// single view, assessments and lists stay as the last good run left them.
async fn fail_run(store: &Store, run_id: i64, step: Step, e: Error) -> StepFailed {
    let why = e.to_string();
    let now = Utc::now();
    let end = StepEnd {
        status: "failed",
        summary: "",
        counts: "{}",
        warnings: "[]",
        failure: Some(&why),
    };
    let recorded = async {
        store
            .finish_pipeline_step(run_id, step.as_str(), &end, now)
            .await?;
        store
            .finish_pipeline_run(
                run_id,
                "failed",
                Some(&format!("{}: {why}", step.as_str())),
                now,
            )
            .await?;
        store.release_run_lock(run_id).await
    }
    .await;
    if let Err(write) = recorded {
        // The database itself may be what failed; the next run will find
        // the lock's process gone and say so.
        tracing::warn!("could not record run {run_id}'s failure: {write}");
    }
    StepFailed {
        run_id,
        step,
        source: e,
    }
}

/// A simulated town's folder: its manifest names every file.
fn is_simulated_town(dir: &Path) -> bool {
    dir.join("manifest.json").is_file()
}

/// Where the extract files of each given folder are.
fn extract_paths(o: &Options) -> Vec<PathBuf> {
    o.extracts
        .iter()
        .map(|p| {
            if is_simulated_town(p) {
                p.join("extracts")
            } else {
                p.clone()
            }
        })
        .collect()
}

async fn register_step(store: &Store, o: &Options) -> Result<StepReport> {
    if o.extracts.is_empty() {
        crate::refuse!("Say where new extracts arrive: `upstream run --extracts DIR`.");
    }
    let (mut new, mut known, mut towns) = (0usize, 0usize, 0usize);
    for dir in o.extracts.iter().filter(|d| is_simulated_town(d)) {
        let s = register::register(store, dir).await?;
        new += s.new;
        known += s.already_known;
        towns += 1;
    }
    Ok(if towns == 0 {
        StepReport::new(
            Step::Register,
            StepStatus::Skipped,
            "No simulated town to register: the extracts are read as they are.",
        )
    } else {
        StepReport::new(
            Step::Register,
            if new == 0 {
                StepStatus::Skipped
            } else {
                StepStatus::Done
            },
            format!("{new} new extract files registered, {known} already known."),
        )
        .count("new", new)
        .count("already_known", known)
    })
}

async fn ingest_step(store: &Store, o: &Options, progress: &dyn Progress) -> Result<StepReport> {
    let decls = ingest::declarations(o.sources.as_deref())?;
    let before = store.ingested_through().await?.unwrap_or(0);
    let r = ingest::ingest(store, &decls, &extract_paths(o), progress).await?;
    let periods = store.ingested_periods().await?;
    let mut step = StepReport::new(
        Step::Ingest,
        if r.loaded == 0 {
            StepStatus::Skipped
        } else {
            StepStatus::Done
        },
        format!(
            "{} new files loaded ({} records,{} {} rows quarantined); {} already loaded, {} refused, {} matching no declaration.",
            r.loaded,
            r.records,
            if r.lpis > 0 { format!(" {} gazetteer LPIs,", r.lpis) } else { String::new() },
            r.quarantined,
            r.already,
            r.refused,
            r.unmatched
        ),
    )
    .count("loaded", r.loaded)
    .count("records", r.records)
    .count("gazetteer_lpis", r.lpis)
    .count("quarantined", r.quarantined)
    .count("already_loaded", r.already)
    .count("refused", r.refused)
    .count("unmatched", r.unmatched);
    step.needs_attention = r.refused > 0;
    step.warnings.extend(r.refusals.iter().cloned());
    if r.unmatched > 0 {
        step.warnings.push(format!(
            "{} file(s) match no source declaration and were not read",
            r.unmatched
        ));
    }
    step.warnings.extend(arrival_warnings(&periods, before));
    Ok(step)
}

/// What a person should know about when extracts arrived: a month missing
/// between two that arrived (a gap in the data, not silence), a month that
/// arrived after a later one, a month sent twice with different contents.
/// `before`: the last file loaded before this run; only this run's arrivals
/// are judged late or twice, gaps anywhere are reported every run until filled.
pub fn arrival_warnings(
    periods: &[(i64, String, Option<chrono::NaiveDate>)],
    before: i64,
) -> Vec<String> {
    let month = |d: chrono::NaiveDate| (d.year(), d.month());
    let mut by_source: BTreeMap<&str, BTreeSet<(i32, u32)>> = BTreeMap::new();
    let mut out = Vec::new();
    let mut latest_before: BTreeMap<&str, (i32, u32)> = BTreeMap::new();
    for (id, source, date) in periods {
        let Some(d) = date else { continue };
        let m = month(*d);
        let months = by_source.entry(source).or_default();
        if *id > before {
            if months.contains(&m) {
                out.push(format!(
                    "{source}: a second, different file for {}-{:02} was loaded; each record's newest version is used",
                    m.0, m.1
                ));
            } else if let Some(l) = latest_before.get(source.as_str()).filter(|l| **l > m) {
                out.push(format!(
                    "{source}: the extract for {}-{:02} arrived after the one for {}-{:02}; it was loaded in its place in time",
                    m.0, m.1, l.0, l.1
                ));
            }
        }
        months.insert(m);
        let l = latest_before.entry(source).or_insert(m);
        *l = (*l).max(m);
    }
    for (source, months) in &by_source {
        let (Some(first), Some(last)) = (months.first(), months.last()) else {
            continue;
        };
        let mut m = *first;
        while m < *last {
            if !months.contains(&m) {
                out.push(format!(
                    "{source}: no extract for {}-{:02} (it has {}-{:02} to {}-{:02}); records of that month are missing until it arrives",
                    m.0, m.1, first.0, first.1, last.0, last.1
                ));
            }
            m = if m.1 == 12 {
                (m.0 + 1, 1)
            } else {
                (m.0, m.1 + 1)
            };
        }
    }
    out
}

async fn link_step(store: &Store, o: &Options, progress: &dyn Progress) -> Result<StepReport> {
    let config = match &o.link_config {
        Some(p) => std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?,
        None => upstream_link::config::DEFAULT_TOML.to_string(),
    };
    let through = store.ingested_through().await?;
    if through.is_none() {
        crate::refuse!(
            "Nothing has been ingested: check that --extracts names the folder the extracts arrive in."
        );
    }
    if let Some(last) = store.latest_link_run().await? {
        if last.ingested_through == through && last.config == config {
            return Ok(StepReport::new(
                Step::Link,
                StepStatus::Skipped,
                format!(
                    "The single view is up to date: link run {} saw every file ingested.",
                    last.id
                ),
            ));
        }
    }
    let r = linking::stored(store, o.link_config.as_deref(), progress).await?;
    let unplaced = r.placement.total("unplaced");
    let mut step = StepReport::new(
        Step::Link,
        StepStatus::Done,
        format!(
            "Linked {} records into {} people ({} new); {} households, {} of them current.",
            r.records, r.people, r.new, r.households, r.current_households
        ),
    )
    .count("records", r.records)
    .count("people", r.people)
    .count("new_people", r.new)
    .count("merged", r.merged)
    .count("split", r.split)
    .count("households", r.households)
    .count("current_households", r.current_households)
    .count("unplaced_address_records", unplaced);
    if unplaced > 0 && r.placement.gazetteer_lpis > 0 {
        step.warnings.push(format!(
            "{} could not be placed on the gazetteer: `upstream addresses unplaced --out FILE` lists them for the gazetteer team",
            if unplaced == 1 { "1 record version's address".to_string() } else { format!("{unplaced} record versions' addresses") }
        ));
    }
    Ok(step)
}

async fn assess_step(store: &Store, o: &Options) -> Result<StepReport> {
    let settings = assessing::Settings::load(o.events.as_deref(), o.personas.as_deref())?;
    let Some(link) = store.latest_link_run().await? else {
        crate::refuse!("There is no single view to assess.");
    };
    if let Some((id, as_of)) = store
        .assessment_run_for(link.id, &settings.library_text)
        .await?
    {
        return Ok(StepReport::new(
            Step::Assess,
            StepStatus::Skipped,
            format!(
                "Already assessed: assessment run {id}, as of {as_of}, from link run {}.",
                link.id
            ),
        ));
    }
    let s = assessing::assess(store, &settings, None).await?;
    Ok(StepReport::new(
        Step::Assess,
        StepStatus::Done,
        format!(
            "Assessed {} households as of {} (model {}): {} already in crisis, {} at 10% risk or more.",
            s.assessed, s.as_of, s.model_version, s.in_crisis, s.high_risk
        ),
    )
    .count("households", s.assessed)
    .count("in_crisis", s.in_crisis)
    .count("high_risk", s.high_risk)
    .count("events", s.events)
    .count("assessment_run", s.run_id))
}

async fn lists_step(store: &Store) -> Result<StepReport> {
    let teams = store.teams().await?;
    if teams.is_empty() {
        let mut step = StepReport::new(
            Step::Lists,
            StepStatus::Skipped,
            "No teams are set up, so no lists were made.",
        );
        step.warnings
            .push("No teams are set up: add one with `upstream teams set`.".into());
        step.needs_attention = true;
        return Ok(step);
    }
    let (mut made, mut kept, mut entries) = (0usize, 0usize, 0usize);
    let mut week = None;
    let mut warnings = Vec::new();
    for t in &teams {
        let w = assessing::worklist(store, &t.name, None).await?;
        week = Some(w.kept.week_start);
        if w.made {
            made += 1;
            entries += w.kept.entries.len();
        } else {
            kept += 1;
        }
        for h in &w.unknown_flags {
            warnings.push(format!(
                "{}: household {h} is fast-tracked but was not assessed (gone, or not living here on {})",
                t.name, w.as_of
            ));
        }
    }
    let week = week.map_or_else(String::new, |w| format!(" for the week starting {w}"));
    let mut step = StepReport::new(
        Step::Lists,
        if made == 0 {
            StepStatus::Skipped
        } else {
            StepStatus::Done
        },
        format!(
            "{made} {} made{week} ({entries} households); {kept} already made.",
            if made == 1 { "list" } else { "lists" }
        ),
    )
    .count("made", made)
    .count("already_made", kept)
    .count("entries", entries);
    step.warnings = warnings;
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    fn p(id: i64, source: &str, date: &str) -> (i64, String, Option<NaiveDate>) {
        (id, source.to_string(), d(date))
    }

    #[test]
    fn months_in_order_raise_nothing() {
        let periods = [
            p(1, "rent", "2024-01-01"),
            p(2, "rent", "2024-02-01"),
            p(3, "rent", "2024-03-01"),
        ];
        assert!(arrival_warnings(&periods, 0).is_empty());
        assert!(arrival_warnings(&periods, 2).is_empty());
    }

    #[test]
    fn a_missing_month_is_a_warning_until_it_arrives() {
        let gap = [p(1, "rent", "2024-01-01"), p(2, "rent", "2024-03-01")];
        let w = arrival_warnings(&gap, 0);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("no extract for 2024-02"), "{w:?}");
        let filled = [
            p(1, "rent", "2024-01-01"),
            p(2, "rent", "2024-03-01"),
            p(3, "rent", "2024-02-01"),
        ];
        let w = arrival_warnings(&filled, 2);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("arrived after the one for 2024-03"), "{w:?}");
    }

    #[test]
    fn a_month_sent_twice_with_other_contents_is_named() {
        let twice = [
            p(1, "council_tax", "2024-01-01"),
            p(2, "council_tax", "2024-01-01"),
        ];
        let w = arrival_warnings(&twice, 1);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("second, different file for 2024-01"), "{w:?}");
        // Judged only when it arrives: last month's run said it already.
        assert!(arrival_warnings(&twice, 2).is_empty());
    }

    #[test]
    fn a_live_lock_on_this_machine_is_not_stale() {
        let now = Utc::now();
        let o = Options::new(Vec::new());
        let lock = RunLock {
            run_id: 1,
            host: host_name(),
            pid: i64::from(std::process::id()),
            acquired_at: now,
            heartbeat_at: now - chrono::Duration::hours(2),
        };
        assert_eq!(stale(&lock, &host_name(), now, &o), None);
        assert!(busy(&lock, &host_name(), now, &o)
            .to_string()
            .contains("--take-over-stale-lock"));
        // Asked to take over a silent lock, it does.
        let take = Options {
            take_over_stale_lock: true,
            ..o.clone()
        };
        assert!(stale(&lock, &host_name(), now, &take).is_some());
        // Another host's lock is never judged by this machine's processes.
        let elsewhere = RunLock {
            host: "elsewhere".into(),
            pid: 999_999_999,
            heartbeat_at: now,
            ..lock
        };
        assert_eq!(stale(&elsewhere, &host_name(), now, &o), None);
    }

    #[test]
    fn a_dead_process_on_this_machine_leaves_a_stale_lock() {
        let now = Utc::now();
        // Reap a child so its pid is known to be gone.
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("spawn true");
        let pid = i64::from(child.id());
        child.wait().expect("wait");
        let lock = RunLock {
            run_id: 4,
            host: host_name(),
            pid,
            acquired_at: now,
            heartbeat_at: now,
        };
        let why = stale(&lock, &host_name(), now, &Options::new(Vec::new()));
        assert!(why.is_some_and(|w| w.contains("is gone")));
    }
}
