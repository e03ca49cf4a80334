//! `upstream addresses`: the per-source report of how records' addresses
//! were placed on the gazetteer, and the unplaced list for the gazetteer
//! team. The placing itself is `upstream_pipeline::placing`.

use anyhow::Result;
use std::path::Path;
pub use upstream_pipeline::placing::Summary;
use upstream_store::Store;

/// The per-source report, as `upstream link` and `upstream addresses report` print it.
pub fn print_summary(s: &Summary) {
    if s.gazetteer_lpis == 0 {
        println!(
            "No gazetteer is loaded: addresses were placed only by the UPRNs records give. Ingest the council's gazetteer export (see docs/gazetteer.md)."
        );
    }
    println!(
        "Addresses placed on a UPRN (record versions): {} of {} ({}); by source:",
        s.all() - s.total("unplaced"),
        s.all(),
        percent(s.all() - s.total("unplaced"), s.all())
    );
    println!(
        "  {:<22} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "source", "given UPRN", "exact", "fuzzy", "unplaced", "placed"
    );
    for (source, m) in &s.by_source {
        let get = |k: &str| m.get(k).copied().unwrap_or(0);
        let all: i64 = m.values().sum();
        println!(
            "  {:<22} {:>10} {:>10} {:>10} {:>10} {:>10}",
            source,
            get("given_uprn"),
            get("exact"),
            get("fuzzy"),
            get("unplaced"),
            percent(all - get("unplaced"), all)
        );
    }
}

fn percent(n: i64, of: i64) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / of as f64)
    }
}

/// `upstream addresses unplaced --out FILE`: every address the last run could
/// not place, for the gazetteer team, most used first.
pub async fn write_unplaced(store: &Store, out: &Path) -> Result<usize> {
    let rows = store.address_placements(true).await?;
    let fail = |e: csv::Error| anyhow::anyhow!("{}: {e}", out.display());
    let mut w = csv::Writer::from_path(out).map_err(fail)?;
    w.write_record([
        "address",
        "postcode",
        "given_uprn",
        "reason",
        "candidate_uprns",
        "sources",
        "records",
    ])
    .map_err(fail)?;
    for r in &rows {
        w.write_record([
            r.address.as_str(),
            &r.postcode,
            &r.given_uprn,
            r.reason.as_deref().unwrap_or(""),
            r.candidates.as_deref().unwrap_or(""),
            &r.sources,
            &r.records.to_string(),
        ])
        .map_err(fail)?;
    }
    w.flush()
        .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    Ok(rows.len())
}
