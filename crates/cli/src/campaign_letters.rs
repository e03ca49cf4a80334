//! `upstream campaign letters`: a campaign's letter step printed by the
//! council itself, as one PDF. The batch is made (its letters claimed) by
//! `upstream_pipeline::letter_batch`; this module writes the file beside
//! where it is wanted and renames it into place, so a reader never sees
//! half a file and a failed write leaves nothing at `--out`.

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::Args;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use upstream_core::AuditAction;
use upstream_outreach::uk_time::uk_local;
use upstream_pipeline::letter_batch::{make_batch, write_batch};
use upstream_store::Store;

use crate::accounts::audit;
use crate::{user_error, UserError};

#[derive(Debug, Args)]
pub struct LettersArgs {
    /// The campaign's number (see `upstream campaign list`).
    #[arg(long)]
    campaign: i64,
    /// The letter step whose waiting letters to print (see `upstream
    /// campaign show`).
    #[arg(long, required_unless_present = "reprint")]
    step: Option<i32>,
    /// Write this batch again instead of making a new one.
    #[arg(long, conflicts_with = "step")]
    reprint: Option<i64>,
    /// The PDF to write (replaced if it is there).
    #[arg(long)]
    out: PathBuf,
    /// The date printed on the letters (YYYY-MM-DD) [default: today, UK
    /// time]. A reprint keeps the batch's date.
    #[arg(long, value_parser = crate::parse_day, conflicts_with = "reprint")]
    date: Option<NaiveDate>,
    /// A line of the council's return address, under its name at the top
    /// right of each letter; repeat for each line.
    #[arg(long = "return-address")]
    return_address: Vec<String>,
    /// The staff account (username) the batch is recorded as made by
    /// [default: none].
    #[arg(long)]
    by: Option<String>,
}

pub async fn letters(store: &Store, a: LettersArgs) -> Result<()> {
    let out = a.out.clone();
    let Some(name) = out.file_name().and_then(|n| n.to_str()) else {
        user_error!(
            "--out {}: give the name of the PDF file to write",
            out.display()
        );
    };
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        user_error!(
            "--out {}: there is no folder {} to write it in",
            out.display(),
            dir.display()
        );
    }
    if out.is_dir() {
        user_error!("--out {}: that is a folder, not a file", out.display());
    }
    let Some(campaign) = store.campaign(a.campaign).await? else {
        user_error!(
            "there is no campaign {} (see `upstream campaign list`)",
            a.campaign
        );
    };
    let (batch_id, new) = match a.reprint {
        Some(b) => {
            match store.letter_batch(b).await? {
                Some(batch) if batch.campaign_id == campaign.id => {}
                Some(batch) => user_error!(
                    "--reprint {b}: that batch is campaign {}'s, not campaign {}'s",
                    batch.campaign_id,
                    campaign.id
                ),
                None => user_error!(
                    "--reprint {b}: campaign {} has no letter batch {b} (see `upstream campaign show {}`)",
                    campaign.id,
                    campaign.id
                ),
            }
            audit(
                store,
                AuditAction::View,
                "letter_batch",
                &b.to_string(),
                "letter batch printed again",
                serde_json::json!({ "campaign_id": campaign.id }),
            )
            .await?;
            (b, None)
        }
        None => {
            let step = a
                .step
                .ok_or_else(|| UserError("say which letter step to print with --step".into()))?;
            let by = crate::outreach::account_id(store, a.by.as_deref()).await?;
            let dated = a.date.unwrap_or_else(|| uk_local(Utc::now()).date());
            // Recorded before it happens, as every change of personal data is.
            audit(
                store,
                AuditAction::Create,
                "letter_batch",
                "",
                "letter batch made to print",
                serde_json::json!({ "campaign_id": campaign.id, "step_no": step, "dated": dated.to_string(), "by": by }),
            )
            .await?;
            let claimed = make_batch(store, campaign.id, step, by, dated, Utc::now()).await?;
            (claimed.batch_id, Some(claimed))
        }
    };
    if let Some(c) = &new {
        println!(
            "Letter batch {batch_id} made: {} of step {} of campaign {}, \"{}\", marked sent (printed by the council).",
            crate::outreach::plural(c.letters, "letter"),
            a.step.unwrap_or_default(),
            campaign.id,
            campaign.name
        );
        if !c.refused.is_empty() {
            println!(
                "{} left waiting: the address would not fit an envelope window. Put each right, then print the step again:",
                crate::outreach::plural(c.refused.len(), "letter")
            );
            for r in &c.refused {
                println!("  {r}");
            }
        }
    }
    let written = write_file(store, batch_id, &a.return_address, &dir, name, &out).await;
    let printed = match written {
        Ok(p) => p,
        Err(e) if new.is_some() => {
            return Err(e.context(format!(
                "batch {batch_id} was made and its letters marked sent, but its PDF could not be written; write it with `upstream campaign letters --campaign {} --reprint {batch_id} --out FILE.pdf`",
                campaign.id
            )))
        }
        Err(e) => return Err(e),
    };
    println!(
        "Wrote {}: {}, {}, {:.1} MB, dated {}.",
        out.display(),
        crate::outreach::plural(printed.letters, "letter"),
        crate::outreach::plural(printed.pages, "page"),
        printed.bytes as f64 / 1_000_000.0,
        printed.batch.dated.format("%-d %B %Y")
    );
    println!("SHA-256 {}", printed.sha256);
    match printed.same_as_first {
        None => {}
        Some(true) => println!("The same file as batch {batch_id}'s first print."),
        Some(false) => println!(
            "note: the letters and their order are batch {batch_id}'s, but the file differs from its first print (Upstream's layout has changed since)"
        ),
    }
    Ok(())
}

/// Write the batch to a hidden file beside `out`, then rename it into place.
async fn write_file(
    store: &Store,
    batch_id: i64,
    return_address: &[String],
    dir: &Path,
    name: &str,
    out: &Path,
) -> Result<upstream_pipeline::letter_batch::Printed> {
    let partial = dir.join(format!(".{name}.partial"));
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("could not write {}", partial.display()))?;
    let total = store
        .letter_batch(batch_id)
        .await?
        .map_or(0, |b| u64::try_from(b.letters).unwrap_or(0));
    let bar = crate::progress::count_bar("Writing letters", total);
    let result = write_batch(
        store,
        batch_id,
        return_address,
        BufWriter::with_capacity(1 << 20, file),
        &mut |done, _| bar.set_position(done as u64),
    )
    .await;
    bar.finish_and_clear();
    let finished = result
        .map_err(anyhow::Error::from)
        .and_then(|(w, printed)| {
            let file = w.into_inner().map_err(|e| {
                anyhow::anyhow!("could not write {}: {}", partial.display(), e.error())
            })?;
            file.sync_all()
                .with_context(|| format!("could not write {}", partial.display()))?;
            std::fs::rename(&partial, out).with_context(|| {
                format!("could not move the PDF into place at {}", out.display())
            })?;
            Ok(printed)
        });
    if finished.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    finished
}
