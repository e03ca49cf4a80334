//! `upstream ingest`, `upstream quarantine` and `upstream extracts list`:
//! what ingest loaded, refused and quarantined, for people. The reading and
//! storing is `upstream_pipeline::ingest`.

use anyhow::Result;
use upstream_pipeline::ingest::IngestReport;
use upstream_store::Store;

/// Files the user can fix: refused, nothing written for them.
#[derive(Debug, thiserror::Error)]
#[error("{0} file(s) refused; nothing was written for them (see above)")]
pub struct Refused(pub usize);

pub fn print_report(r: &IngestReport) {
    let lpis = if r.lpis > 0 {
        format!(" {} gazetteer LPIs,", r.lpis)
    } else {
        String::new()
    };
    println!(
        "Loaded {} file(s): {} records,{lpis} {} rows quarantined. {} file(s) already loaded (unchanged), {} refused, {} not matching any declaration.",
        r.loaded, r.records, r.quarantined, r.already, r.refused, r.unmatched
    );
    if r.quarantined > 0 {
        println!("See the quarantined rows with `upstream quarantine`.");
    }
}

pub async fn print_quarantine(store: &Store, source: Option<&str>, limit: usize) -> Result<()> {
    let rows = store.quarantine(source).await?;
    if rows.is_empty() {
        println!("Nothing is in quarantine.");
        return Ok(());
    }
    println!("{} row(s) in quarantine:", rows.len());
    for q in rows.iter().take(limit) {
        println!(
            "{} row {}: {} = '{}': {}",
            q.file_name, q.row_no, q.field, q.value, q.reason
        );
    }
    if rows.len() > limit {
        println!("... and {} more (use --limit).", rows.len() - limit);
    }
    Ok(())
}

pub async fn list_extracts(store: &Store) -> Result<()> {
    let files = store.extract_files().await?;
    if files.is_empty() {
        println!("No extract files are registered yet. Run `upstream demo`, or `upstream simulate` then `upstream extracts register DIR`.");
        return Ok(());
    }
    println!("{:<20} {:<8} {:>10}  file", "source", "month", "rows");
    for f in files {
        println!(
            "{:<20} {:<8} {:>10}  {}",
            f.source.as_str(),
            f.period,
            f.rows,
            f.file_name
        );
    }
    Ok(())
}
