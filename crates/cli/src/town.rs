//! `upstream town advance`: the simulated town lives on, answering what the
//! council did, and the council's monthly run takes in the new month.

use crate::{connect, monthly, progress, run_simulation, runtime, sim_config};
use anyhow::{Context, Result};
use std::path::Path;

pub fn advance(database: &str, town: &Path, months: u32, run: bool) -> Result<()> {
    let manifest = upstream_sim::read_manifest(town).map_err(anyhow::Error::msg)?;
    let summary = upstream_sim::read_summary(town).map_err(anyhow::Error::msg)?;
    if months == 0 || months > 24 {
        anyhow::bail!("--months must be between 1 and 24 (got {months})");
    }
    // The town lives again from the start with the same seed and settings:
    // its past repeats byte for byte, and only what the council did is new.
    let mut cfg = sim_config(
        &manifest.profile,
        Some(manifest.households),
        manifest.months + months,
        manifest.seed,
        town.to_path_buf(),
        Some(summary.embeddedness_effect),
    )
    .with_context(|| format!("the profile the town was made with, '{}'", manifest.profile))?;
    if let Some(e) = summary.engaged_crisis_reduction {
        cfg.profile.response.engaged_crisis_reduction = e;
    }
    let until = manifest.end_month.plus(months as i32);
    let rt = runtime()?;
    let store = rt.block_on(connect(database))?;
    cfg.contacts = rt.block_on(upstream_pipeline::town::council_contacts(&store, until))?;
    println!(
        "Living {} through {} more month{} ({} to {}), answering {} contacts the council made (messages sent or kept, conversations, visits, cases)...",
        manifest.town,
        months,
        if months == 1 { "" } else { "s" },
        manifest.end_month.plus(1),
        until,
        cfg.contacts.len()
    );
    run_simulation(&cfg)?;
    let recorded = rt.block_on(upstream_pipeline::town::record_responses(&store, town))?;
    println!(
        "The town answered: {} new answers recorded ({} calls to the council, {} replies, {} STOP); {} in its files in all. They are on each household's contacts and the campaign pages.",
        recorded.new, recorded.calls, recorded.replies, recorded.stops, recorded.read
    );
    if run {
        println!("The monthly run on the new month:");
        let options = upstream_pipeline::run::Options::new(vec![town.to_path_buf()]);
        let progress = progress::Steps::new(false);
        let result = rt.block_on(upstream_pipeline::run::monthly(
            &store,
            &options,
            &progress,
            &monthly::print_step,
        ))?;
        println!("Run {} finished.", result.run_id);
    } else {
        println!(
            "Run `upstream run --extracts {}` to take in the new month.",
            town.display()
        );
    }
    rt.block_on(store.close());
    Ok(())
}
