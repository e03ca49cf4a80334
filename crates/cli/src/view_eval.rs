//! `upstream evaluate addresses` and `upstream evaluate households`: the
//! stored single view against a simulated town's truth, counted in real
//! people and real households.

use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use upstream_link::view_eval::{
    address_outcome, evaluate_households, AddressEvaluation, HouseholdEvaluation, HouseholdTruth,
};
use upstream_store::Store;

/// Rows of a truth CSV with the named columns, each checked to be there.
fn read_truth(path: &Path, columns: &[&str]) -> Result<Vec<Vec<String>>> {
    let mut rdr =
        csv::Reader::from_path(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let header = rdr
        .headers()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        .clone();
    let at: Vec<usize> = columns
        .iter()
        .map(|c| {
            header.iter().position(|h| h == *c).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: no column '{c}'; is this a simulated town's truth folder?",
                    path.display()
                )
            })
        })
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let row = row.map_err(|e| anyhow::anyhow!("{} row {}: {e}", path.display(), i + 1))?;
        out.push(
            at.iter()
                .map(|&c| row.get(c).unwrap_or("").to_string())
                .collect(),
        );
    }
    Ok(out)
}

fn number(path: &Path, row: usize, v: &str) -> Result<u64> {
    v.parse()
        .map_err(|_| anyhow::anyhow!("{} row {}: '{v}' is not a number", path.display(), row + 1))
}

/// Each record's real person, from `record_links.csv`.
fn true_people(truth: &Path) -> Result<HashMap<(String, String), u64>> {
    let path = truth.join("record_links.csv");
    let rows = read_truth(&path, &["source", "record_key", "person_id"])?;
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| Ok(((r[0].clone(), r[1].clone()), number(&path, i, &r[2])?)))
        .collect()
}

pub async fn households(store: &Store, truth: &Path) -> Result<HouseholdEvaluation> {
    let person_of_record = true_people(truth)?;
    let path = truth.join("residences.csv");
    let mut household_of: HashMap<u64, u64> = HashMap::new();
    for (i, r) in read_truth(&path, &["person_id", "household_id", "to_month"])?
        .into_iter()
        .enumerate()
    {
        // A blank end: still living there at the end of the simulation.
        if r[2].is_empty() {
            household_of.insert(number(&path, i, &r[0])?, number(&path, i, &r[1])?);
        }
    }
    let path = truth.join("households.csv");
    let current_households = read_truth(&path, &["active_at_end"])?
        .iter()
        .filter(|r| r[0] == "Y")
        .count();
    let visible: BTreeSet<u64> = person_of_record.values().copied().collect();
    // Each linked person is the real person most of their records are.
    let mut votes: HashMap<i64, BTreeMap<u64, usize>> = HashMap::new();
    for (source, key, person) in store.person_assignments().await? {
        if let Some(real) = person_of_record.get(&(source, key)) {
            *votes.entry(person).or_default().entry(*real).or_default() += 1;
        }
    }
    let real_of: HashMap<i64, u64> = votes
        .into_iter()
        .filter_map(|(p, v)| {
            let best = v
                .into_iter()
                .max_by_key(|(real, n)| (*n, std::cmp::Reverse(*real)))?;
            Some((p, best.0))
        })
        .collect();
    let stored = store.households().await?;
    if stored.is_empty() {
        crate::user_error!("there are no households yet: run `upstream link` first");
    }
    let mut homes_of_linked: HashMap<i64, usize> = HashMap::new();
    let ours: Vec<Vec<u64>> = stored
        .iter()
        .filter(|h| h.current)
        .map(|h| {
            h.members
                .iter()
                .zip(&h.stays)
                .filter(|(_, (_, to))| *to == h.to)
                .filter_map(|(m, _)| {
                    *homes_of_linked.entry(*m).or_default() += 1;
                    real_of.get(m).copied()
                })
                .collect()
        })
        .collect();
    let linked_in_two = homes_of_linked.values().filter(|n| **n > 1).count();
    Ok(evaluate_households(
        &HouseholdTruth {
            household_of: &household_of,
            current_households,
            visible: &visible,
        },
        &ours,
        linked_in_two,
    ))
}

pub fn print_households(e: &HouseholdEvaluation) {
    let diff = e.current as f64 / e.true_current.max(1) as f64 - 1.0;
    println!(
        "Households against the town's truth, at the end of the data (counted in real people and real households):"
    );
    println!(
        "  Current households: {} found, {} in truth ({:+.1}%); {} of those have someone any record shows.",
        e.current,
        e.true_current,
        100.0 * diff,
        e.true_current_visible
    );
    println!(
        "  {} of {} households found exactly (their recorded members, and no one else).",
        e.households_exact, e.true_current_visible
    );
    println!(
        "  People: {} live in the town, {} of them in some record; {} placed in a current household, {} of them in more than one, {} who had left or died.",
        e.true_residents, e.visible_residents, e.placed_people, e.people_in_two, e.placed_not_resident
    );
    println!(
        "  Linked people in more than one current household: {}.",
        e.linked_in_two
    );
    println!(
        "  Living together, pairwise: precision {:.4}, recall {:.4}, F1 {:.4} ({} true pairs, {} found, {} right).",
        e.precision, e.recall, e.f1, e.true_pairs, e.predicted_pairs, e.correct_pairs
    );
}

pub async fn addresses(store: &Store, truth: &Path) -> Result<AddressEvaluation> {
    let path = truth.join("record_addresses.csv");
    let rows = read_truth(&path, &["source", "record_key", "from_month", "uprn"])?;
    // Each record's true address from each month on.
    let mut truth_of: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
    for r in rows {
        truth_of
            .entry((r[0].clone(), r[1].clone()))
            .or_default()
            .push((r[2].clone(), r[3].clone()));
    }
    for v in truth_of.values_mut() {
        v.sort();
    }
    let placed: HashMap<(String, String, String), Option<String>> = store
        .address_placements(false)
        .await?
        .into_iter()
        .map(|p| ((p.address, p.postcode, p.given_uprn), p.uprn))
        .collect();
    if placed.is_empty() {
        crate::user_error!("no addresses have been placed yet: run `upstream link` first");
    }
    let mut e = AddressEvaluation::default();
    for o in store.observations().await? {
        let key = (
            o.address.clone().unwrap_or_default(),
            o.postcode.clone().unwrap_or_default(),
            o.uprn.clone().unwrap_or_default(),
        );
        if key.0.is_empty() && key.2.is_empty() {
            continue;
        }
        let Some(month) = o
            .extract_date
            .or(o.event_date)
            .map(|d| d.format("%Y-%m").to_string())
        else {
            continue;
        };
        let in_force = truth_of
            .get(&(o.source.clone(), o.record_key.clone()))
            .and_then(|v| v.iter().rev().find(|(from, _)| *from <= month))
            .map(|(_, u)| u.clone());
        let Some(true_uprn) = in_force else {
            e.no_truth += 1;
            continue;
        };
        let ours = placed.get(&key).cloned().flatten();
        let outcome = address_outcome(ours.as_deref(), &true_uprn);
        e.all.add(outcome);
        if key.2.is_empty() {
            e.without_uprn.add(outcome);
        }
        e.by_source
            .entry(o.source.clone())
            .or_default()
            .add(outcome);
        if outcome == upstream_link::view_eval::AddressOutcome::Wrong && e.wrong_examples.len() < 10
        {
            e.wrong_examples.push((
                o.source,
                o.record_key,
                format!("{} {}", key.0, key.1),
                ours.unwrap_or_default(),
                true_uprn,
            ));
        }
    }
    Ok(e)
}

/// The headline only, as the demo prints it.
pub fn print_addresses_briefly(e: &AddressEvaluation) {
    let c = &e.all;
    println!(
        "Addresses against the town's truth: {:.2}% of {} record versions on the right UPRN, {:.2}% on a wrong one, {:.2}% not placed (`upstream evaluate addresses --truth DIR` by source).",
        100.0 * c.share(c.right),
        c.total(),
        100.0 * c.share(c.wrong),
        100.0 * c.share(c.unplaced)
    );
}

pub fn print_addresses(e: &AddressEvaluation) {
    let line = |label: &str, c: &upstream_link::view_eval::AddressCounts| {
        println!(
            "  {label:<24} {:>9} record versions: right {:>6.2}%, wrong {:>5.2}%, unplaced {:>5.2}%",
            c.total(),
            100.0 * c.share(c.right),
            100.0 * c.share(c.wrong),
            100.0 * c.share(c.unplaced)
        );
    };
    println!(
        "Addresses against the town's truth (each record version's address on the right UPRN):"
    );
    line("all", &e.all);
    line("without a UPRN given", &e.without_uprn);
    for (source, c) in &e.by_source {
        line(source, c);
    }
    if e.no_truth > 0 {
        println!(
            "  ({} record versions with an address the truth does not cover were left out.)",
            e.no_truth
        );
    }
    if !e.wrong_examples.is_empty() {
        println!("Wrongly placed, for example:");
        for (source, key, address, ours, truth) in &e.wrong_examples {
            println!("  {source}:{key} \"{address}\": placed on {ours}, truly {truth}");
        }
    }
}
