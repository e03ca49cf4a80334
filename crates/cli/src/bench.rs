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
pub(crate) fn peak_memory_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

/// Memory resident now (Linux), to tell what linking adds from what it is given.
fn resident_memory_mib() -> Option<f64> {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
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

/// The target from the single-view issue: a million records in a minute.
const LINK_TARGET_SECONDS: f64 = 60.0;
/// Placing a million records' addresses on the gazetteer: under 30 s more.
const PLACE_TARGET_SECONDS: f64 = 30.0;
/// Linking a million records in under 3 GiB (the single-view issue).
const LINK_TARGET_MIB: f64 = 3072.0;
/// Accuracy at council scale (the single-view issue): pairwise, against the truth.
const LINK_TARGET_F1: f64 = 0.99;
const LINK_TARGET_PRECISION: f64 = 0.995;

/// `upstream bench link`: read a simulated town's extracts (in memory, as
/// ingest would), take each record's latest state, and time deduplicating
/// `records` of them with the default settings. Reports speed, peak memory,
/// and accuracy against the town's truth.
pub fn link(
    town: &std::path::Path,
    records: usize,
    config: Option<&std::path::Path>,
    errors: Option<&std::path::Path>,
) -> Result<()> {
    use std::collections::HashMap;
    use upstream_ingest::{read_file, Declaration};
    let decls = Declaration::built_in();
    // Newest month first, every source's file of a month together: a
    // record's latest state is then the first one read and kept, and older
    // versions are freed at once, so the kept records lie together in
    // memory as they would loaded fresh from the store. Read oldest first,
    // the survivors were scattered among the freed versions of 24 months,
    // and that memory counted against linking.
    let mut files = upstream_pipeline::ingest::files_under(&[town.join("extracts")])?;
    files.sort_by_key(|p| {
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
        std::cmp::Reverse(stem.and_then(|s| s.rsplit('_').next().map(str::to_string)))
    });
    let bar = indicatif::ProgressBar::new(files.len() as u64);
    // (source, key) -> (first seen, latest extract date, record)
    let mut latest: HashMap<
        (String, String),
        (chrono::NaiveDate, chrono::NaiveDate, upstream_link::Record),
    > = HashMap::new();
    // Files are read a few at a time on every core; only each record's
    // latest state is kept, so memory stays bounded.
    type Seen = (String, String, chrono::NaiveDate, upstream_link::Record);
    // The gazetteer as its exports leave it: the newest row of each LPI.
    let mut gazetteer: HashMap<String, (chrono::NaiveDate, upstream_ingest::GazetteerRow)> =
        HashMap::new();
    for chunk in files.chunks(8) {
        use rayon::prelude::*;
        type Read = (
            Vec<Seen>,
            Vec<upstream_ingest::GazetteerRow>,
            Option<chrono::NaiveDate>,
        );
        let read: Vec<Result<Read>> = chunk
            .par_iter()
            .map(|path| {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let Some(decl) = decls.iter().find(|d| d.matches(&name)) else {
                    return Ok((Vec::new(), Vec::new(), None));
                };
                let parsed = read_file(decl, path)?;
                let Some(date) = parsed.extract_date else {
                    return Ok((Vec::new(), Vec::new(), None));
                };
                let lpis = parsed.lpis.into_iter().map(|(_, l)| l).collect();
                let source = parsed.source;
                let seen = parsed
                    .records
                    .into_iter()
                    .map(|(_, r)| {
                        let rec = upstream_link::Record {
                            id: format!("{source}:{}", r.record_key),
                            forename: r.forename,
                            middle_names: r.middle_names,
                            surname: r.surname,
                            dob: r.dob,
                            nino: r.nino,
                            postcode: r.postcode,
                            address: r.address,
                            uprn: r.uprn,
                            phone: r.phone,
                            email: r.email,
                            started: r.event_date,
                            source: source.clone(),
                            ..upstream_link::Record::default()
                        };
                        (source.clone(), r.record_key, date, rec)
                    })
                    .collect();
                Ok((seen, lpis, Some(date)))
            })
            .collect();
        bar.inc(chunk.len() as u64);
        for result in read {
            let (seen, lpis, date) = result?;
            if let Some(date) = date {
                for l in lpis {
                    match gazetteer.get(&l.lpi_key) {
                        Some((d, _)) if *d > date => {}
                        _ => {
                            gazetteer.insert(l.lpi_key.clone(), (date, l));
                        }
                    }
                }
            }
            for (source, key, date, rec) in seen {
                match latest.entry((source, key)) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert((date, date, rec));
                    }
                    std::collections::hash_map::Entry::Occupied(mut o) => {
                        let e = o.get_mut();
                        e.0 = e.0.min(date);
                        if date >= e.1 {
                            e.1 = date;
                            e.2 = rec;
                        }
                    }
                }
            }
        }
    }
    bar.finish_and_clear();
    let mut all: Vec<upstream_link::Record> = latest
        .into_values()
        .map(|(first, last, mut r)| {
            r.seen = Some((first, last));
            r
        })
        .collect();
    let link_config = crate::linking::load_config(config)?;
    upstream_link::record::settle_spans(&mut all, &link_config.cluster.address_sources);
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let available = all.len();
    if available < records {
        anyhow::bail!(
            "the town at {} has {available} distinct records, fewer than the {records} asked for: simulate more households",
            town.display()
        );
    }
    // An even spread over sources and people: every k-th record, moved out
    // (not copied) so the town's records are freed before linking starts.
    let step = available as f64 / records as f64;
    let mut wanted = (0..records).map(|i| (i as f64 * step) as usize).peekable();
    let chosen: Vec<upstream_link::Record> = all
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| {
            if wanted.peek() == Some(&i) {
                wanted.next();
                Some(r)
            } else {
                None
            }
        })
        .collect();
    let mut chosen = chosen;
    release_freed_memory();
    reset_peak_memory();
    // Placing every distinct address of the chosen records on the gazetteer,
    // as `upstream link` does before linking; linkage then compares the
    // placed UPRNs.
    let placing = Instant::now();
    let lpis: Vec<upstream_address::Lpi> = gazetteer
        .into_values()
        .filter_map(|(_, row)| upstream_address::Lpi::from_row(&row))
        .collect();
    let n_lpis = lpis.len();
    let matcher = upstream_address::Gazetteer::build(lpis);
    let built = placing.elapsed().as_secs_f64();
    let queries: Vec<upstream_address::Query> = chosen
        .iter()
        .map(|r| upstream_address::Query {
            address: r.address.as_deref().unwrap_or(""),
            postcode: r.postcode.as_deref(),
            uprn: r.uprn.as_deref(),
        })
        .collect();
    let placements = matcher.place_all(&queries);
    drop(queries);
    // A call may give no address at all: nothing to place, not a miss.
    let with_address = chosen
        .iter()
        .filter(|r| r.address.is_some() || r.uprn.is_some())
        .count();
    let mut placed = 0usize;
    for (r, p) in chosen.iter_mut().zip(&placements) {
        if let Some(u) = p.uprn {
            r.uprn = Some(u.to_string());
            placed += 1;
        }
    }
    let distinct: std::collections::HashSet<(&str, &str, &str)> = chosen
        .iter()
        .map(|r| {
            (
                r.address.as_deref().unwrap_or(""),
                r.postcode.as_deref().unwrap_or(""),
                "",
            )
        })
        .collect();
    let n_distinct = distinct.len();
    drop(distinct);
    drop(placements);
    drop(matcher);
    let place_seconds = placing.elapsed().as_secs_f64();
    let place_peak = peak_memory_mib();
    release_freed_memory();
    reset_peak_memory();
    let at_start = resident_memory_mib();
    let linker = upstream_link::Linker::new(link_config)?;
    let started = Instant::now();
    let stages = std::cell::RefCell::new((Instant::now(), String::new(), Vec::new()));
    // Each stage's time and the peak memory by its end, to see where a
    // change costs.
    let output = linker.run(&chosen, upstream_link::Mode::Dedupe, &|stage| {
        let mut s = stages.borrow_mut();
        let took = s.0.elapsed().as_secs_f64();
        let previous = std::mem::replace(&mut s.1, stage.to_string());
        if !previous.is_empty() {
            s.2.push((previous, took, peak_memory_mib()));
        }
        s.0 = Instant::now();
    });
    let seconds = started.elapsed().as_secs_f64();
    let (last_started, last, mut stage_times) = stages.into_inner();
    stage_times.push((
        last,
        last_started.elapsed().as_secs_f64(),
        peak_memory_mib(),
    ));
    // Measured before the truth is read, which is not part of linking.
    let peak = peak_memory_mib();
    // Accuracy against the truth.
    let mut truth: HashMap<String, u64> = HashMap::new();
    let mut rdr = csv::Reader::from_path(town.join("truth/record_links.csv"))?;
    for row in rdr.records() {
        let row = row?;
        if let (Some(s), Some(k), Some(p)) = (row.get(0), row.get(1), row.get(2)) {
            if let Ok(p) = p.parse() {
                truth.insert(format!("{s}:{k}"), p);
            }
        }
    }
    let truth_of: Vec<u64> = chosen
        .iter()
        .enumerate()
        .map(|(i, r)| truth.get(&r.id).copied().unwrap_or(u64::MAX - i as u64))
        .collect();
    let sources: Vec<&str> = chosen.iter().map(|r| r.source.as_str()).collect();
    let ids: Vec<&str> = chosen.iter().map(|r| r.id.as_str()).collect();
    let e = upstream_link::eval::evaluate(
        &truth_of,
        &output.clustering.cluster_of,
        &sources,
        &ids,
        &output.pairs,
        &output.clustering.left_alone,
        output.threshold,
    );
    println!(
        "bench link: {records} records (of {available} in {})",
        town.display()
    );
    println!(
        "  placing addresses {place_seconds:>7.1} s   (target under {PLACE_TARGET_SECONDS:.0} s): a gazetteer of {n_lpis} LPIs built in {built:.1} s; {placed} of {with_address} records with an address placed ({n_distinct} distinct addresses){}",
        place_peak.map(|m| format!("; peak {m:.0} MiB")).unwrap_or_default()
    );
    println!("  wall time      {seconds:>10.1} s   (target under {LINK_TARGET_SECONDS:.0} s; linking alone)");
    for (stage, took, peak) in &stage_times {
        let peak = peak
            .map(|m| format!("  peak by its end {m:>6.0} MiB"))
            .unwrap_or_default();
        println!("    {stage:<48} {took:>6.1} s{peak}");
    }
    match peak {
        Some(m) => println!(
            "  peak memory    {m:>10.0} MiB (target under {LINK_TARGET_MIB:.0} MiB; linking only)"
        ),
        None => println!("  peak memory    not available on this platform"),
    }
    if let Some(m) = at_start {
        println!(
            "    of which resident when linking began (the records, read and placed) {m:.0} MiB"
        );
    }
    println!("  pairs compared {:>10}", output.pairs.len());
    println!(
        "  people found   {:>10}  (truly {})",
        e.predicted_people, e.true_people
    );
    println!(
        "  pairwise       precision {:.4}, recall {:.4}, F1 {:.4}",
        e.precision, e.recall, e.f1
    );
    let named =
        upstream_link::eval::beyond_names(&chosen, &truth_of, &output.clustering.cluster_of);
    println!(
        "    over the {} records that give more than a name: precision {:.4}, recall {:.4}, F1 {:.4}",
        named.records, named.precision, named.recall, named.f1
    );
    println!(
        "  cores          {:>10}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let largest = |m: &std::collections::BTreeMap<String, u64>| {
        let mut v: Vec<(&String, &u64)> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        v.into_iter()
            .take(6)
            .map(|(k, n)| format!("    {n:>9}  {k}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let wrong: u64 = e.errors.false_links_by_sources.values().sum();
    println!(
        "  wrongly joined pairs {wrong}, by sources (largest first):\n{}",
        largest(&e.errors.false_links_by_sources)
    );
    println!(
        "  missed pairs, by why:\n{}",
        largest(&e.errors.missed_by_reason)
    );
    println!(
        "  missed pairs, by sources (largest first):\n{}",
        largest(&e.errors.missed_by_sources)
    );
    if let Some(path) = errors {
        write_errors(path, &linker, &output.model, &chosen, &e.errors.all)?;
        println!("  every error, with both records: {}", path.display());
    }
    let fast = seconds < LINK_TARGET_SECONDS
        && place_seconds < PLACE_TARGET_SECONDS
        && peak.is_none_or(|m| m < LINK_TARGET_MIB);
    let accurate = e.f1 >= LINK_TARGET_F1 && e.precision >= LINK_TARGET_PRECISION;
    let verdict = |met: bool| if met { "target met" } else { "TARGET MISSED" };
    println!("  result         speed and memory: {}", verdict(fast));
    println!(
        "                 accuracy (F1 at least {LINK_TARGET_F1}, precision at least {LINK_TARGET_PRECISION}): {}",
        verdict(accurate)
    );
    Ok(())
}

/// Every error of a bench run with both records' fields, to see what a
/// wrong join or a miss looked like.
fn write_errors(
    path: &std::path::Path,
    linker: &upstream_link::Linker,
    model: &upstream_link::model::Model,
    records: &[upstream_link::Record],
    errors: &[upstream_link::eval::ErrorPair],
) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    use upstream_link::{config::STANDARD_FIELDS, record::Field};
    let mut header = vec![
        "kind".to_string(),
        "probability".to_string(),
        "why".to_string(),
    ];
    for side in ["a", "b"] {
        header.push(format!("id_{side}"));
        header.extend(STANDARD_FIELDS.iter().map(|f| format!("{f}_{side}")));
    }
    w.write_record(&header)?;
    let cells = |r: &upstream_link::Record| -> Vec<String> {
        let value = |name: &str| match Field::resolve(name, &[]) {
            Some(Field::Dob) => r.dob.map(|d| d.to_string()),
            Some(f) => r.text(f).map(str::to_string),
            None => None,
        };
        std::iter::once(r.id.clone())
            .chain(STANDARD_FIELDS.iter().map(|f| value(f).unwrap_or_default()))
            .collect()
    };
    // Each compared pair's weights, field by field, to see what carried it.
    let compared: Vec<(usize, usize)> = errors
        .iter()
        .filter(|p| p.probability.is_some())
        .map(|p| (p.a as usize, p.b as usize))
        .collect();
    let mut why = linker
        .explain_pairs(model, records, &compared)
        .into_iter()
        .map(|x| x.weights_line());
    for p in errors {
        let mut row = vec![
            p.kind.to_string(),
            p.probability.map(|x| format!("{x:.4}")).unwrap_or_default(),
            if p.probability.is_some() {
                why.next().unwrap_or_default()
            } else {
                String::new()
            },
        ];
        row.extend(cells(&records[p.a as usize]));
        row.extend(cells(&records[p.b as usize]));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// Hand memory freed after reading back to the system, so the peak measured
/// next is the linker's own (glibc keeps freed memory otherwise).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Start peak-memory measurement afresh (Linux: writing 5 to clear_refs
/// resets VmHWM), so reading the town does not count against linking.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `upstream bench assess`: time a full assessment run's work over the
/// stored single view: train the risk model once on the council's history,
/// then assess households (events, resilience, in-crisis check, risk with
/// reasons, persona) until `households` assessments are done, cycling over
/// the stored households when there are fewer (a city's single view does not
/// fit in memory beside its raw history on this machine; each assessment is
/// independent, so the time per household is what scales).
pub async fn assess(
    store: &upstream_store::Store,
    s: &upstream_pipeline::assessing::Settings,
    households: usize,
) -> Result<()> {
    use rayon::prelude::*;
    let loading = Instant::now();
    let l = upstream_pipeline::assessing::load(store).await?;
    let as_of = l.data_end;
    println!(
        "bench assess: {} stored households, {} record versions, as of {as_of} (loaded in {:.1} s, not timed)",
        l.inputs.len(),
        l.inputs.iter().map(|h| h.observations.len()).sum::<usize>(),
        loading.elapsed().as_secs_f64()
    );
    if l.inputs.is_empty() {
        anyhow::bail!("no households to assess");
    }
    let started = Instant::now();
    let lib = &s.library;
    let cutoffs = upstream_pipeline::assessing::training_cutoffs(l.data_start, as_of);
    let set = upstream_assess::model::training_set(
        &l.inputs,
        |h: &upstream_assess::HouseholdInput, d| upstream_assess::events::detect(lib, h, d),
        |h: &upstream_assess::HouseholdInput, d| upstream_assess::resilience::resilience(h, d),
        &cutoffs,
        upstream_assess::model::HORIZON_MONTHS,
        as_of,
    )?;
    let model = upstream_assess::model::train(&set, &Default::default())?;
    let trained = started.elapsed().as_secs_f64();
    let n = l.inputs.len();
    let scoring = Instant::now();
    let (events, scored) = (0..households)
        .into_par_iter()
        .map(|i| {
            let a = upstream_pipeline::assessing::assess_one(s, &model, &l.inputs[i % n], as_of);
            (a.events.len(), usize::from(a.saved.probability.is_some()))
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let assessing = scoring.elapsed().as_secs_f64();
    let total = started.elapsed().as_secs_f64();
    println!(
        "  training         {trained:>6.1} s   ({} cutoffs)",
        cutoffs.len()
    );
    println!("  assessing        {assessing:>6.1} s   ({households} households; {scored} scored, {events} life events)");
    println!("  wall time        {total:>6.1} s   (target under 30 s)");
    println!("  cores            {:>6}", rayon::current_num_threads());
    println!(
        "  result           {}",
        if total < 30.0 {
            "TARGET MET"
        } else {
            "TARGET MISSED"
        }
    );
    Ok(())
}
