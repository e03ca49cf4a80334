//! Linkage over what ingest stored: place addresses, link records into
//! people (ids kept stable across runs), build households, save the single
//! view in one transaction.

use crate::{Error, Progress, Result};
use std::path::Path;
use upstream_link::{LinkConfig, Linker, Mode};

/// Record versions read from storage at a time while building households.
const OBSERVATION_PAGE: i64 = 50_000;

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
    placed: &crate::placing::Placed,
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
    pub placement: crate::placing::Summary,
}

/// Link everything ingested, keep person ids stable, and save the single view.
pub async fn stored(
    store: &upstream_store::Store,
    config_path: Option<&Path>,
    progress: &dyn Progress,
) -> Result<StoredRun> {
    use std::collections::HashMap;
    use upstream_link::households::{build, inherit_household_ids, PreviousHousehold, Sighting};
    use upstream_link::stable::{assign, ChangeKind};
    let config_text = match config_path {
        Some(p) => std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?,
        None => upstream_link::config::DEFAULT_TOML.to_string(),
    };
    let config = LinkConfig::from_toml(
        &config_text,
        &config_path.map_or("built-in default.toml".into(), |p| p.display().to_string()),
    )?;
    progress.stage("Reading ingested records");
    // What this run sees: files loaded after this are the next run's.
    let ingested_through = store.ingested_through().await?;
    let stored = store.latest_records().await?;
    if stored.is_empty() {
        progress.finish();
        crate::refuse!("nothing has been ingested yet: run `upstream ingest` first");
    }
    progress.stage("Placing addresses on the gazetteer");
    let placed = crate::placing::place(store).await?;
    let records = placed_records(&stored, &config, &placed);
    let threshold = config.report_threshold;
    let linker = Linker::new(config)?;
    let output = linker.run(&records, Mode::Dedupe, &|s| progress.stage(s));
    drop(records);
    progress.stage("Keeping person ids stable");
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
    progress.stage("Finding addresses and households");
    // Record versions a page at a time, each kept only as the sighting it
    // gives: a city has tens of millions, and households need little of each.
    let households_config = &linker.config.households;
    let mut sightings: Vec<Sighting> = Vec::new();
    let mut after = i64::MIN;
    loop {
        let (page, last) = store.observations_page(after, OBSERVATION_PAGE).await?;
        sightings.extend(page.iter().filter_map(|o| {
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
        }));
        match last {
            Some(l) => after = l,
            None => break,
        }
    }
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
    progress.stage("Saving");
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
        ingested_through,
    };
    store.save_link_run(&save).await?;
    store.refresh_planner_statistics().await?;
    progress.finish();
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
