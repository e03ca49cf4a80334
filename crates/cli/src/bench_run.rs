//! `upstream bench run`: the monthly run at a council's size, each step
//! timed with its own peak memory, on the database given (run it once with
//! SQLite and once with PostgreSQL). Two runs, as a council lives them: the
//! first, over every month but the last; then the month's new extracts.
//! Each step runs in a process of its own so its peak memory is its own.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;
use upstream_pipeline::run;
use upstream_store::Store;

/// Targets from the monthly-run issue, at Birmingham's size.
const FIRST_RUN_TARGET_S: f64 = 45.0 * 60.0;
const MONTH_TARGET_S: f64 = 10.0 * 60.0;
const STEP_TARGET_MIB: f64 = 6.0 * 1024.0;

struct Measured {
    step: &'static str,
    status: String,
    seconds: f64,
    peak_mib: Option<f64>,
}

/// The month a simulated town's file is for: files are named source_YYYY-MM.csv.
fn month_of(name: &str) -> &str {
    name.rsplit('_')
        .next()
        .unwrap_or("")
        .trim_end_matches(".csv")
}

/// Copy a simulated town's extract files for the months `keep` allows into `to`.
fn copy_months(town: &Path, to: &Path, keep: impl Fn(&str) -> bool) -> Result<usize> {
    std::fs::create_dir_all(to).with_context(|| format!("could not make {}", to.display()))?;
    let mut copied = 0;
    for path in upstream_pipeline::ingest::files_under(&[town.join("extracts")])? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let month = month_of(name);
        let target = to.join(name);
        if keep(month) && !target.exists() {
            std::fs::copy(&path, &target)
                .with_context(|| format!("could not copy {}", path.display()))?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// A child process's exit status and peak resident memory (Linux; `wait4`
/// reports the child's own high-water mark, whatever the parent holds).
fn wait_measured(child: std::process::Child) -> Result<(i32, Option<f64>)> {
    let pid = libc::pid_t::try_from(child.id()).context("a child's process id")?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting once for a child this process spawned and has not reaped.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if rc != pid {
        anyhow::bail!(
            "could not wait for process {pid}: {}",
            std::io::Error::last_os_error()
        );
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // ru_maxrss is in KiB on Linux.
    let peak = (usage.ru_maxrss > 0).then(|| usage.ru_maxrss as f64 / 1024.0);
    Ok((code, peak))
}

/// One monthly run, measured a step at a time: each step in a process of
/// its own (`upstream run --until STEP`, the steps before it already done),
/// so each peak is that step's alone, not what an earlier step left behind.
async fn measured_run(
    store: &Store,
    database: &str,
    incoming: &Path,
) -> Result<(Vec<Measured>, f64)> {
    let exe = std::env::current_exe().context("could not find the upstream binary")?;
    let started = Instant::now();
    let mut steps = Vec::new();
    for step in run::Step::ALL {
        let clock = Instant::now();
        let child = std::process::Command::new(&exe)
            .args(["run", "--quiet", "--until", step.as_str(), "--extracts"])
            .arg(incoming)
            .env("DATABASE_URL", database)
            .stdout(std::process::Stdio::null())
            .spawn()
            .context("could not start upstream run")?;
        let (code, peak_mib) = wait_measured(child)?;
        let seconds = clock.elapsed().as_secs_f64();
        // 2 is a run finished with warnings (e.g. addresses not placed).
        if code != 0 && code != 2 {
            crate::user_error!(
                "`upstream run --until {}` exited with {code}",
                step.as_str()
            );
        }
        let latest = store.pipeline_runs(1).await?;
        let record = latest
            .first()
            .and_then(|r| r.steps.iter().find(|s| s.step == step.as_str()));
        for w in record
            .map(|s| serde_json::from_str::<Vec<String>>(&s.warnings).unwrap_or_default())
            .unwrap_or_default()
        {
            println!("  warning: {w}");
        }
        let status = record.map_or_else(|| "?".to_string(), |s| s.status.clone());
        steps.push(Measured {
            step: step.as_str(),
            status,
            seconds,
            peak_mib,
        });
    }
    Ok((steps, started.elapsed().as_secs_f64()))
}

fn print_table(title: &str, steps: &[Measured], total: f64, target_s: f64) -> bool {
    println!("{title}");
    println!("| step | status | seconds | peak memory (MiB) |");
    println!("| --- | --- | ---: | ---: |");
    let mut met = total < target_s;
    for s in steps {
        let peak = s.peak_mib.map_or("n/a".to_string(), |m| format!("{m:.0}"));
        met &= s.peak_mib.is_none_or(|m| m < STEP_TARGET_MIB);
        println!("| {} | {} | {:.1} | {peak} |", s.step, s.status, s.seconds);
    }
    println!("| **whole run** | | **{total:.1}** | |");
    println!(
        "Target: under {:.0} min, every step under {:.0} GiB: {}.",
        target_s / 60.0,
        STEP_TARGET_MIB / 1024.0,
        if met { "met" } else { "MISSED" }
    );
    met
}

/// Simulate (or reuse) a town, then time the first run and a month's run.
pub async fn run(
    store: &Store,
    database: &str,
    town: Option<PathBuf>,
    households: u32,
    months: u32,
    seed: u64,
    work: &Path,
) -> Result<()> {
    let town = match town {
        Some(t) => t,
        None => {
            let dir = work.join("town");
            if !dir.join("manifest.json").exists() {
                println!(
                    "Simulating {households} households over {months} months (seed {seed})..."
                );
                let cfg = crate::sim_config(
                    "birmingham",
                    Some(households),
                    months,
                    seed,
                    dir.clone(),
                    None,
                )?;
                crate::run_simulation(&cfg)?;
            }
            dir
        }
    };
    let mut all: Vec<String> = upstream_pipeline::ingest::files_under(&[town.join("extracts")])?
        .iter()
        .filter_map(|p| Some(month_of(p.file_name()?.to_str()?).to_string()))
        .collect();
    all.sort();
    all.dedup();
    let Some(last) = all.last().cloned() else {
        crate::user_error!("{} holds no extract files", town.display());
    };
    if store.ingested_through().await?.is_some() {
        crate::user_error!(
            "bench run measures a first run: give it an empty database (--database)."
        );
    }
    let incoming = work.join("incoming");
    let teams = store.teams().await?;
    if teams.is_empty() {
        // Birmingham's prevention teams take about 40 households a week.
        store
            .save_team(&upstream_store::Team {
                name: "Prevention team".into(),
                capacity: 40,
                areas: Vec::new(),
                recent_contact_days: 28,
                min_probability: 0.0,
            })
            .await?;
    }
    let n = copy_months(&town, &incoming, |m| m != last)?;
    println!(
        "bench run on {}: {} ({n} files, every month but {last}), then {last}'s extracts.",
        store.backend().as_str(),
        town.display()
    );
    let (first, first_total) = measured_run(store, database, &incoming).await?;
    let first_met = print_table("First run:", &first, first_total, FIRST_RUN_TARGET_S);
    copy_months(&town, &incoming, |m| m == last)?;
    let (month, month_total) = measured_run(store, database, &incoming).await?;
    let month_met = print_table(
        &format!("A month's new extracts ({last}):"),
        &month,
        month_total,
        MONTH_TARGET_S,
    );
    println!(
        "cores {}; result: {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        if first_met && month_met {
            "targets met"
        } else {
            "TARGETS MISSED"
        }
    );
    Ok(())
}
