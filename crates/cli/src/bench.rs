//! `upstream bench simulate`: the simulator at city scale, timed, with its
//! peak memory, so anyone can check the performance target on their machine.

use anyhow::Result;
use std::path::PathBuf;
use std::time::Instant;

/// The targets from the foundation issue: 3 minutes and 4 GiB at Birmingham scale.
const TARGET_SECONDS: f64 = 180.0;
const TARGET_MIB: f64 = 4096.0;

pub fn simulate(
    profile: &str,
    households: u32,
    months: u32,
    seed: u64,
    out: Option<PathBuf>,
) -> Result<()> {
    let keep = out.is_some();
    let dir = match out {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("upstream-bench-{}", std::process::id())),
    };
    let cfg = crate::sim_config(profile, Some(households), months, seed, dir.clone(), None)?;
    let started = Instant::now();
    let report = crate::run_simulation(&cfg)?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_memory_mib();
    let bytes: u64 = walk_bytes(&dir);
    println!(
        "bench simulate: profile {profile}, {households} households, {months} months, seed {seed}"
    );
    println!("  wall time      {seconds:>10.1} s   (target under {TARGET_SECONDS:.0} s)");
    match peak {
        Some(m) => println!("  peak memory    {m:>10.0} MiB (target under {TARGET_MIB:.0} MiB)"),
        None => println!("  peak memory    not available on this platform"),
    }
    println!("  extract files  {:>10}", report.files);
    println!(
        "  extract rows   {:>10}  ({:.0} rows a second)",
        report.rows,
        report.rows as f64 / seconds.max(1e-9)
    );
    println!("  output size    {:>10.0} MiB", bytes as f64 / 1048576.0);
    println!(
        "  cores          {:>10}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let met = seconds < TARGET_SECONDS && peak.is_none_or(|m| m < TARGET_MIB);
    println!(
        "  result         {}",
        if met { "target met" } else { "TARGET MISSED" }
    );
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// Peak resident memory of this process, from /proc (Linux).
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn walk_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => walk_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}
