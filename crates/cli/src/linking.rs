//! `upstream link`: standalone on CSV files, or over the records ingested
//! into the database; `upstream evaluate linkage`; `upstream explain`.

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use upstream_link::{standalone, LinkConfig, LinkOutput, Linker, Mode};

/// Stage messages on a spinner when stderr is a terminal.
pub struct Stages {
    pub bar: ProgressBar,
    start: Instant,
}

impl Stages {
    pub fn new() -> Stages {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Stages {
            bar,
            start: Instant::now(),
        }
    }

    pub fn stage(&self, msg: &str) {
        tracing::debug!("{:>7.2}s {msg}", self.start.elapsed().as_secs_f64());
        self.bar.set_message(msg.to_string());
    }

    pub fn done(&self) {
        self.bar.finish_and_clear();
    }
}

pub fn load_config(path: Option<&Path>) -> Result<LinkConfig> {
    Ok(match path {
        Some(p) => LinkConfig::load(p)?,
        None => LinkConfig::default(),
    })
}

/// Link one CSV (deduplicate) or two (link across), writing pairs and clusters.
pub fn standalone(config: Option<&Path>, files: &[PathBuf], out: &Path) -> Result<()> {
    let config = load_config(config)?;
    let Some(columns) = config.columns.clone() else {
        crate::user_error!(
            "to link CSV files the config needs a [columns] section saying which column holds what \
             (see docs/linkage.md)"
        );
    };
    if files.is_empty() || files.len() > 2 {
        crate::user_error!("give one CSV file to deduplicate, or two to link");
    }
    let started = Instant::now();
    let stages = Stages::new();
    stages.stage("Reading and standardising");
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let input = standalone::read(&paths, &columns)?;
    stages.bar.suspend(|| print_columns(&input.columns));
    let mode = if files.len() == 2 {
        Mode::Link
    } else {
        Mode::Dedupe
    };
    let report_threshold = config.report_threshold;
    let linker = Linker::new(config)?;
    let output = linker.run(&input.records, mode, &|s| stages.stage(s));
    stages.stage("Writing pairs and clusters");
    let (pairs, clusters) = standalone::write(out, &input.records, &output, report_threshold)?;
    standalone::write_columns(out, &input.columns)?;
    stages.done();
    print_summary(&input.records.len(), &output, started.elapsed());
    println!(
        "Wrote {} ({pairs} pairs at probability {report_threshold} or more), {} ({clusters} clusters), {} and {}.",
        out.join("pairs.csv").display(),
        out.join("clusters.csv").display(),
        out.join("columns.csv").display(),
        out.join("model.json").display()
    );
    Ok(())
}

/// What became of each mapped column: on the terminal, as in `columns.csv`.
fn print_columns(columns: &[standalone::ColumnSummary]) {
    println!("Columns read:");
    for c in columns {
        println!("  {}", c.describe());
    }
    for c in columns {
        if c.column.is_empty() {
            continue;
        }
        if c.kept_as_text > 0 {
            println!(
                "Warning: {} column {}: {} of {} values are not what the field expects and were kept as plain text (compared exactly), e.g. {}.",
                c.file,
                c.column,
                c.kept_as_text,
                c.filled,
                examples(c)
            );
        }
        if c.blanked > 0 {
            println!(
                "Warning: {} column {}: {} of {} values could not be read and were left blank, e.g. {}.",
                c.file,
                c.column,
                c.blanked,
                c.filled,
                examples(c)
            );
        }
    }
}

fn examples(c: &standalone::ColumnSummary) -> String {
    c.examples
        .iter()
        .map(|(v, why)| format!("'{v}' ({why})"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn print_summary(records: &usize, output: &LinkOutput, took: Duration) {
    let linked = output.linked().count();
    println!(
        "Linked {records} records into {} people in {:.1} s: {} pairs compared, {linked} at or above the threshold of {}, {} joins refused by the conflict guard.",
        output.clustering.clusters,
        took.as_secs_f64(),
        output.pairs.len(),
        output.threshold,
        output.clustering.refused
    );
    for (rule, n) in &output.oversized {
        println!("Warning: blocking rule '{rule}' skipped {n} blocks larger than the limit; consider a tighter rule.");
    }
    for w in &output.model.warnings {
        println!("Warning: {w}.");
    }
}

/// Link the ingested records in memory and measure against a truth file
/// (`truth/record_links.csv` of a simulated town).
pub async fn evaluate(
    store: &upstream_store::Store,
    config: Option<&Path>,
    truth: &Path,
    errors: Option<&Path>,
) -> Result<(
    upstream_link::eval::Evaluation,
    upstream_link::eval::Pairwise,
    upstream_link::Model,
)> {
    use std::collections::HashMap;
    let config = load_config(config)?;
    let mut rdr =
        csv::Reader::from_path(truth).map_err(|e| anyhow::anyhow!("{}: {e}", truth.display()))?;
    let mut person: HashMap<String, u64> = HashMap::new();
    for (i, row) in rdr.records().enumerate() {
        let row = row.map_err(|e| anyhow::anyhow!("{} row {}: {e}", truth.display(), i + 1))?;
        let (Some(s), Some(k), Some(p)) = (row.get(0), row.get(1), row.get(2)) else {
            crate::user_error!(
                "{} row {}: expected source, record_key, person_id",
                truth.display(),
                i + 1
            );
        };
        let p: u64 = p.parse().map_err(|_| {
            anyhow::anyhow!(
                "{} row {}: person_id '{p}' is not a number",
                truth.display(),
                i + 1
            )
        })?;
        person.insert(format!("{s}:{k}"), p);
    }
    let stages = Stages::new();
    stages.stage("Placing addresses on the gazetteer");
    let placed = upstream_pipeline::placing::place(store).await?;
    stages.stage("Reading ingested records");
    let records = upstream_pipeline::linking::placed_records(
        &store.latest_records().await?,
        &config,
        &placed,
    );
    drop(placed);
    let threshold = config.threshold;
    let linker = Linker::new(config)?;
    let output = linker.run(&records, Mode::Dedupe, &|s| stages.stage(s));
    stages.done();
    // Records the truth does not know are their own person, so they count
    // against precision if linked to anyone.
    let mut next = u64::MAX;
    let truth_of: Vec<u64> = records
        .iter()
        .map(|r| {
            person.get(&r.id).copied().unwrap_or_else(|| {
                next -= 1;
                next
            })
        })
        .collect();
    let sources: Vec<&str> = records
        .iter()
        .map(|r| r.id.split(':').next().unwrap_or(""))
        .collect();
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let e = upstream_link::eval::evaluate(
        &truth_of,
        &output.clustering.cluster_of,
        &sources,
        &ids,
        &output.pairs,
        &output.clustering.left_alone,
        threshold,
    );
    if let Some(path) = errors {
        write_errors(path, &e.errors.all, &ids)?;
    }
    let identified =
        upstream_link::eval::beyond_names(&records, &truth_of, &output.clustering.cluster_of);
    Ok((e, identified, output.model))
}

fn write_errors(path: &Path, all: &[upstream_link::eval::ErrorPair], ids: &[&str]) -> Result<()> {
    let fail = |e: csv::Error| anyhow::anyhow!("{}: {e}", path.display());
    let mut w = csv::Writer::from_path(path).map_err(fail)?;
    w.write_record(["kind", "record_a", "record_b", "probability"])
        .map_err(fail)?;
    for p in all {
        let probability = p.probability.map(|x| format!("{x:.4}")).unwrap_or_default();
        w.write_record([p.kind, ids[p.a as usize], ids[p.b as usize], &probability])
            .map_err(fail)?;
    }
    w.flush()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    println!(
        "Wrote {} wrongly joined and missed pairs to {}.",
        all.len(),
        path.display()
    );
    Ok(())
}

pub fn print_identified(all: usize, i: &upstream_link::eval::Pairwise) {
    println!(
        "Over the {} records that give more than a name ({} give only a name, perhaps with a postcode): precision {:.4}, recall {:.4}, F1 {:.4}.",
        i.records,
        all - i.records,
        i.precision,
        i.recall,
        i.f1
    );
}

/// The trained weights: what each level of each comparison is worth.
pub fn print_model(m: &upstream_link::Model) {
    for w in &m.warnings {
        println!("Warning: {w}.");
    }
    println!(
        "Model: prior probability two records match {:.2e}; weights are log2(m/u).",
        m.prior
    );
    for (c, name) in m.comparisons.iter().enumerate() {
        println!("  {name}");
        for (l, label) in m.labels[c].iter().enumerate() {
            println!(
                "    {label:<58} m {:.4}  u {:.6}  weight {:+.1}",
                m.m[c][l],
                m.u[c][l],
                (m.m[c][l] / m.u[c][l]).log2()
            );
        }
    }
    if let Some(s) = &m.same_property {
        println!(
            "Among {} pairs at the same property, {:.2} are one person; there:",
            s.pairs, s.prior
        );
        for (c, name) in m.comparisons.iter().enumerate() {
            if c == s.comparison {
                continue;
            }
            println!("  {name}");
            for (l, label) in m.labels[c].iter().enumerate() {
                println!(
                    "    {label:<58} m {:.4}  u {:.6}  weight {:+.1}",
                    s.m[c][l],
                    s.u[c][l],
                    (s.m[c][l] / s.u[c][l]).log2()
                );
            }
        }
    }
}

pub fn print_evaluation(e: &upstream_link::eval::Evaluation) {
    println!(
        "Linkage against the truth: {} records of {} people; {} people found.",
        e.records, e.true_people, e.predicted_people
    );
    println!(
        "Pairwise: precision {:.4}, recall {:.4}, F1 {:.4} ({} true pairs, {} linked, {} correct).",
        e.precision, e.recall, e.f1, e.true_pairs, e.predicted_pairs, e.correct_pairs
    );
    println!(
        "People: {} found exactly, {} split over several clusters; {} clusters hold more than one person.",
        e.people_exact, e.people_split, e.clusters_merged
    );
    println!("Missed pairs, by why:");
    for (why, n) in &e.errors.missed_by_reason {
        println!("  {n:>8}  {why}");
    }
    println!("Missed pairs, by sources (largest first):");
    let mut m: Vec<_> = e.errors.missed_by_sources.iter().collect();
    m.sort_by(|a, b| b.1.cmp(a.1));
    for (s, n) in m.iter().take(8) {
        println!("  {n:>8}  {s}");
    }
    println!("Wrongly joined pairs, by sources (largest first):");
    let mut f: Vec<_> = e.errors.false_links_by_sources.iter().collect();
    f.sort_by(|a, b| b.1.cmp(a.1));
    for (s, n) in f.iter().take(8) {
        println!("  {n:>8}  {s}");
    }
    println!("Examples (see them with `upstream explain A B`):");
    for (kind, a, b) in &e.errors.examples {
        println!("  {kind}: {a} and {b}");
    }
}

/// Explain why two stored records do or do not match, under the last run's model.
pub async fn explain(store: &upstream_store::Store, a: &str, b: &str) -> Result<()> {
    let Some(run) = store.latest_link_run().await? else {
        crate::user_error!("no linkage run yet: run `upstream link` first");
    };
    let config = LinkConfig::from_toml(&run.config, "the last run's settings")?;
    let model: upstream_link::Model = serde_json::from_str(&run.model)?;
    let placed = upstream_pipeline::placing::place(store).await?;
    let records = upstream_pipeline::linking::placed_records(
        &store.latest_records().await?,
        &config,
        &placed,
    );
    let find = |id: &str| {
        records.iter().position(|r| r.id == id).ok_or_else(|| {
            anyhow::anyhow!("no record '{id}': give source:record_key, e.g. council_tax:40000001/1")
        })
    };
    let (ia, ib) = (find(a)?, find(b)?);
    let linker = Linker::new(config)?;
    println!("{}", linker.explain(&model, &records, ia, ib));
    Ok(())
}
