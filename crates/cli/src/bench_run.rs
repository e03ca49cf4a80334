//! `upstream bench run`: the monthly run at a council's size, each step
//! timed with its own peak memory, on the database given (run it once with
//! SQLite and once with PostgreSQL). Two runs, as a council lives them: the
//! first, over every month but the last; then the month's new extracts.

use crate::bench::{peak_memory_mib, reset_peak_memory};
use anyhow::{Context, Result};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Instant;
use upstream_pipeline::run::{self, Options, StepReport};
use upstream_store::Store;

/// Targets from the monthly-run issue, at Birmingham's size.
const FIRST_RUN_TARGET_S: f64 = 45.0 * 60.0;
const MONTH_TARGET_S: f64 = 10.0 * 60.0;
const STEP_TARGET_MIB: f64 = 6.0 * 1024.0;

struct Measured {
    step: &'static str,
    status: &'static str,
    seconds: f64,
    peak_mib: Option<f64>,
}

/// Copy a simulated town's extract files for the months `keep` allows into `to`.
fn copy_months(town: &Path, to: &Path, keep: impl Fn(&str) -> bool) -> Result<usize> {
    std::fs::create_dir_all(to).with_context(|| format!("could not make {}", to.display()))?;
    let mut copied = 0;
    for path in upstream_pipeline::ingest::files_under(&[town.join("extracts")])? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        // Files are named source_YYYY-MM.csv.
        let month = name
            .rsplit('_')
            .next()
            .unwrap_or("")
            .trim_end_matches(".csv");
        let target = to.join(name);
        if keep(month) && !target.exists() {
            std::fs::copy(&path, &target)
                .with_context(|| format!("could not copy {}", path.display()))?;
            copied += 1;
        }
    }
    Ok(copied)
}

async fn measured_run(store: &Store, incoming: &Path) -> Result<(Vec<Measured>, f64)> {
    let options = Options::new(vec![incoming.to_path_buf()]);
    let progress = crate::progress::Steps::new(false);
    let steps: RefCell<Vec<Measured>> = RefCell::new(Vec::new());
    let clock = RefCell::new(Instant::now());
    let started = Instant::now();
    reset_peak_memory();
    let on_step = |s: &StepReport| {
        let seconds = clock.borrow().elapsed().as_secs_f64();
        steps.borrow_mut().push(Measured {
            step: s.step.as_str(),
            status: s.status.as_str(),
            seconds,
            peak_mib: peak_memory_mib(),
        });
        reset_peak_memory();
        *clock.borrow_mut() = Instant::now();
    };
    let report = run::monthly(store, &options, &progress, &on_step).await?;
    for w in report.steps.iter().flat_map(|s| &s.warnings) {
        println!("  warning: {w}");
    }
    Ok((steps.into_inner(), started.elapsed().as_secs_f64()))
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
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            Some(
                name.rsplit('_')
                    .next()?
                    .trim_end_matches(".csv")
                    .to_string(),
            )
        })
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
    let (first, first_total) = measured_run(store, &incoming).await?;
    let first_met = print_table("First run:", &first, first_total, FIRST_RUN_TARGET_S);
    copy_months(&town, &incoming, |m| m == last)?;
    let (month, month_total) = measured_run(store, &incoming).await?;
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
