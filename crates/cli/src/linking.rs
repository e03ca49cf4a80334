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

/// Records as linkage sees them, from what ingest stored.
pub fn to_records(
    stored: &[upstream_store::StoredRecord],
    config: &LinkConfig,
) -> Vec<upstream_link::Record> {
    let mut records: Vec<upstream_link::Record> = stored
        .iter()
        .map(|s| upstream_link::Record {
            id: format!("{}:{}", s.source, s.record_key),
            dataset: 0,
            forename: s.forename.clone(),
            middle_names: s.middle_names.clone(),
            surname: s.surname.clone(),
            dob: s.dob,
            nino: s.nino.clone(),
            postcode: s.postcode.clone(),
            address: s.address.clone(),
            uprn: s.uprn.clone(),
            phone: s.phone.clone(),
            email: s.email.clone(),
            extra: Vec::new(),
            seen: s.first_seen.zip(s.extract_date),
            started: s.event_date,
            source: s.source.clone(),
        })
        .collect();
    upstream_link::record::settle_spans(&mut records, &config.cluster.address_sources);
    records
}

/// Records as linkage sees them, each address by the UPRN it was placed on:
/// the same property however each system wrote it.
pub fn placed_records(
    stored: &[upstream_store::StoredRecord],
    config: &LinkConfig,
    placed: &crate::addresses::Placed,
) -> Vec<upstream_link::Record> {
    let mut records = to_records(stored, config);
    for (r, s) in records.iter_mut().zip(stored) {
        if let Some(u) = placed.uprn_of(&s.address, &s.postcode, &s.uprn) {
            r.uprn = Some(u);
        }
    }
    records
}

pub struct StoredRun {
    pub records: usize,
    pub people: usize,
    pub new: usize,
    pub merged: usize,
    pub split: usize,
    pub moved: usize,
    pub households: usize,
    pub current_households: usize,
    /// Households of the last run found to be one family with another.
    pub merged_households: usize,
    pub placement: crate::addresses::Summary,
}

/// Link everything ingested, keep person ids stable, and save the single view.
pub async fn stored(
    store: &upstream_store::Store,
    config_path: Option<&Path>,
    quiet: bool,
) -> Result<StoredRun> {
    use std::collections::HashMap;
    use upstream_link::households::{build, inherit_household_ids, PreviousHousehold, Sighting};
    use upstream_link::stable::{assign, ChangeKind};
    let config_text = match config_path {
        Some(p) => {
            std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        None => upstream_link::config::DEFAULT_TOML.to_string(),
    };
    let config = LinkConfig::from_toml(
        &config_text,
        &config_path.map_or("built-in default.toml".into(), |p| p.display().to_string()),
    )?;
    let stages = Stages::new();
    if quiet {
        stages
            .bar
            .set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    stages.stage("Reading ingested records");
    let stored = store.latest_records().await?;
    if stored.is_empty() {
        stages.done();
        crate::user_error!("nothing has been ingested yet: run `upstream ingest` first");
    }
    stages.stage("Placing addresses on the gazetteer");
    let placed = crate::addresses::place(store).await?;
    let records = placed_records(&stored, &config, &placed);
    let threshold = config.report_threshold;
    let linker = Linker::new(config)?;
    let output = linker.run(&records, Mode::Dedupe, &|s| stages.stage(s));
    drop(records);
    stages.stage("Keeping person ids stable");
    let previous: HashMap<(String, String), i64> = store
        .person_assignments()
        .await?
        .into_iter()
        .map(|(s, k, p)| ((s, k), p))
        .collect();
    let prev: Vec<Option<i64>> = stored
        .iter()
        .map(|s| {
            previous
                .get(&(s.source.clone(), s.record_key.clone()))
                .copied()
        })
        .collect();
    let next_id = store.next_person_id().await?;
    let assigned = assign(
        &output.clustering.cluster_of,
        output.clustering.clusters,
        &prev,
        next_id,
    );
    let person_of: HashMap<(String, String), i64> = stored
        .iter()
        .zip(&assigned.person_of)
        .map(|(s, p)| ((s.source.clone(), s.record_key.clone()), *p))
        .collect();
    stages.stage("Finding addresses and households");
    let observations = store.observations().await?;
    let households_config = &linker.config.households;
    let sightings: Vec<Sighting> = observations
        .iter()
        .filter_map(|o| {
            let person = *person_of.get(&(o.source.clone(), o.record_key.clone()))?;
            let place = placed.place_of(o)?;
            let attributes: HashMap<String, serde_json::Value> =
                serde_json::from_str(&o.attributes).unwrap_or_default();
            let removal = households_config.is_removal(&o.source, |a| {
                attributes
                    .get(a)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
            Some(Sighting {
                person,
                source: o.source.clone(),
                record_key: o.record_key.clone(),
                date: o.extract_date.or(o.event_date)?,
                started: o.event_date,
                place,
                removal,
            })
        })
        .collect();
    drop(observations);
    let mut view = build(&sightings, households_config);
    // A person merged into another this run is known by the survivor's id,
    // so their household still finds them.
    let survivor: HashMap<i64, i64> = assigned
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Merged)
        .flat_map(|c| c.others.iter().map(move |o| (*o, c.person_id)))
        .collect();
    let previous: Vec<PreviousHousehold> = store
        .households()
        .await?
        .into_iter()
        .map(|h| {
            let mut members: Vec<i64> = h
                .members
                .iter()
                .map(|m| survivor.get(m).copied().unwrap_or(*m))
                .collect();
            members.sort_unstable();
            members.dedup();
            PreviousHousehold {
                id: h.id,
                address_key: h.address_key,
                members,
                current: h.current,
            }
        })
        .collect();
    let merges =
        inherit_household_ids(&mut view, &previous, store.first_free_household_id().await?);
    stages.stage("Saving");
    let kind = |k: &ChangeKind| match k {
        ChangeKind::New => "new",
        ChangeKind::Merged => "merged",
        ChangeKind::Split => "split",
        ChangeKind::Moved => "moved",
    };
    let save = upstream_store::LinkRunSave {
        config: config_text,
        model: serde_json::to_string(&output.model)?,
        threshold: output.threshold,
        assignments: stored
            .iter()
            .zip(&assigned.person_of)
            .map(|(s, p)| (s.source.clone(), s.record_key.clone(), *p))
            .collect(),
        changes: assigned
            .changes
            .iter()
            .map(|c| upstream_store::SavedChange {
                kind: kind(&c.kind).to_string(),
                person_id: c.person_id,
                others: c
                    .others
                    .iter()
                    .map(|o| o.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                records: c.records as i64,
            })
            .collect(),
        pairs: output
            .pairs
            .iter()
            .filter(|p| p.probability() >= threshold)
            .map(|p| {
                let (a, b) = (&stored[p.a as usize], &stored[p.b as usize]);
                upstream_store::SavedPair {
                    source_a: a.source.clone(),
                    key_a: a.record_key.clone(),
                    source_b: b.source.clone(),
                    key_b: b.record_key.clone(),
                    weight: p.weight as f64,
                    probability: p.probability(),
                }
            })
            .collect(),
        addresses: view
            .addresses
            .iter()
            .map(|a| upstream_store::SavedAddress {
                id: a.id,
                key: a.key.clone(),
                uprn: a.uprn.clone(),
                address: a.address.clone(),
                postcode: a.postcode.clone(),
            })
            .collect(),
        residences: view
            .residences
            .iter()
            .map(|r| upstream_store::SavedResidence {
                person_id: r.person,
                address_id: r.address,
                from: r.from,
                to: r.to,
                sources: r.sources.iter().cloned().collect::<Vec<_>>().join(","),
            })
            .collect(),
        households: view
            .households
            .iter()
            .map(|h| upstream_store::SavedHousehold {
                id: h.id,
                address_id: h.address,
                from: h.from,
                to: h.to,
                current: h.current,
                members: h.members.iter().map(|m| (m.person, m.from, m.to)).collect(),
            })
            .collect(),
        household_merges: merges.iter().map(|m| (m.from, m.into)).collect(),
        placements: placed.saved,
        placement_counts: placed.counts,
    };
    store.save_link_run(&save).await?;
    stages.done();
    let count = |k: ChangeKind| assigned.changes.iter().filter(|c| c.kind == k).count();
    Ok(StoredRun {
        records: stored.len(),
        people: output.clustering.clusters,
        new: count(ChangeKind::New),
        merged: count(ChangeKind::Merged),
        split: count(ChangeKind::Split),
        moved: count(ChangeKind::Moved),
        households: view.households.len(),
        current_households: view.households.iter().filter(|h| h.current).count(),
        merged_households: merges.len(),
        placement: placed.summary,
    })
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
    let placed = crate::addresses::place(store).await?;
    stages.stage("Reading ingested records");
    let records = placed_records(&store.latest_records().await?, &config, &placed);
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
    let placed = crate::addresses::place(store).await?;
    let records = placed_records(&store.latest_records().await?, &config, &placed);
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
