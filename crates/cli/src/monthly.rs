//! `upstream run` and `upstream runs`: the monthly run on the terminal, its
//! exit codes for a scheduler, and the record of recent runs.

use anyhow::Result;
use std::process::ExitCode;
use upstream_pipeline::run::{self, Options, StepReport, StepStatus};
use upstream_store::Store;

/// Exit codes a scheduler can act on (also in docs/operations.md).
pub const EXIT_FINISHED: u8 = 0;
/// A fault (the database went away, a disk filled): retrying may help.
pub const EXIT_FAILED: u8 = 1;
/// Finished, or stopped, with something a person must put right first (a
/// refused file, no teams, a settings mistake): retrying will not help.
pub const EXIT_ATTENTION: u8 = 2;
/// Another run holds the lock: try again later (sysexits' EX_TEMPFAIL).
pub const EXIT_BUSY: u8 = 75;

pub fn print_step(s: &StepReport) {
    let mark = match s.status {
        StepStatus::Done => "done",
        StepStatus::Skipped => "skipped",
    };
    println!("{:<8} {mark:<10} {}", s.step.as_str(), s.summary);
    for w in &s.warnings {
        println!("         warning: {w}");
    }
}

/// Run the month, print each step as it ends, and say how it went.
pub async fn monthly(store: &Store, o: &Options, quiet: bool) -> Result<ExitCode> {
    let progress = crate::progress::Steps::new(quiet);
    match run::monthly(store, o, &progress, &print_step).await {
        Ok(r) => {
            for w in &r.warnings {
                println!("Note: {w}");
            }
            if r.needs_attention() {
                println!(
                    "Run {} finished, with warnings a person should act on (above; also on the administrators' Runs page).",
                    r.run_id
                );
                Ok(ExitCode::from(EXIT_ATTENTION))
            } else {
                println!("Run {} finished: this week's lists are ready.", r.run_id);
                Ok(ExitCode::from(EXIT_FINISHED))
            }
        }
        Err(f) => {
            let code = match &f.source {
                upstream_pipeline::Error::Busy(_) => EXIT_BUSY,
                e if e.is_refusal() => EXIT_ATTENTION,
                _ => EXIT_FAILED,
            };
            eprintln!("error: {f}");
            if code != EXIT_BUSY {
                eprintln!(
                    "The single view, assessments and lists are as the last good run left them; run again once it is put right, and it goes on from the {} step.",
                    f.step.as_str()
                );
            }
            Ok(ExitCode::from(code))
        }
    }
}

/// `upstream runs`: the latest runs and their steps.
pub async fn history(store: &Store, limit: i64) -> Result<()> {
    let runs = store.pipeline_runs(limit).await?;
    if runs.is_empty() {
        println!("No run yet: `upstream run --extracts DIR` makes the first.");
        return Ok(());
    }
    for r in &runs {
        let took = r
            .finished_at
            .map(|f| format!(", {} s", (f - r.started_at).num_seconds()))
            .unwrap_or_default();
        println!(
            "Run {}: {} (started {}{took}, process {} on {}){}",
            r.id,
            r.status,
            r.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
            r.pid,
            r.host,
            r.resumes
                .map(|p| format!("; went on from run {p}"))
                .unwrap_or_default()
        );
        if let Some(f) = &r.failure {
            println!("  {f}");
        }
        for s in &r.steps {
            let warnings: Vec<String> = serde_json::from_str(&s.warnings).unwrap_or_default();
            println!(
                "  {:<8} {:<11} {}{}",
                s.step,
                s.status,
                s.summary,
                s.failure
                    .as_deref()
                    .map(|f| format!(" — {f}"))
                    .unwrap_or_default()
            );
            for w in warnings {
                println!("           warning: {w}");
            }
        }
    }
    Ok(())
}
