//! `upstream assess`, `upstream worklist`, `upstream evaluate risk` and
//! `evaluate hypothesis`: what assessment found, for people, and the
//! measures against a town's truth. Assessing and making lists is
//! `upstream_pipeline::assessing`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use std::path::Path;
use upstream_assess::HouseholdInput;

use anyhow::{Context, Result};
use upstream_assess::evaluate::{self as risk_eval, Evaluation};
use upstream_assess::events::detect;
use upstream_assess::hypothesis;
use upstream_assess::model::Model;
use upstream_assess::model::HORIZON_MONTHS;
use upstream_assess::outcomes::add_months;
use upstream_assess::resilience::resilience;
use upstream_pipeline::assessing::{load, month_end, train_until, AssessSummary, Loaded, Settings};
use upstream_store::Store;

use crate::user_error;

pub fn print_assess(s: &AssessSummary) {
    println!(
        "Assessed {} households as of {} (run {}, model {}).",
        s.assessed, s.as_of, s.run_id, s.model_version
    );
    println!(
        "  {} already in crisis (known to services, not scored); {} at 10% risk or more.",
        s.in_crisis, s.high_risk
    );
    println!("  {} life events found.", s.events);
    let personas: Vec<String> = s.personas.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("  Personas: {}.", personas.join(", "));
    let bands: Vec<String> = s.bands.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("  Community resilience: {}.", bands.join(", "));
}

/// `upstream worklist`: a team's list for a week, made from the latest
/// assessment the first time and kept; asked again, the kept list, with
/// what has happened to each household since.
pub async fn worklist(store: &Store, team: &str, week: Option<NaiveDate>) -> Result<()> {
    let made = upstream_pipeline::assessing::worklist(store, team, week).await?;
    for h in &made.unknown_flags {
        println!(
            "Note: household {h} is fast-tracked but was not assessed (gone, or not living here on {}).",
            made.as_of
        );
    }
    let kept = made.kept;
    println!(
        "{} — week starting {} ({} of {} places; made {} from assessment run {}).",
        kept.team,
        kept.week_start,
        kept.entries.len(),
        kept.capacity,
        kept.created_at.get(..10).unwrap_or(&kept.created_at),
        kept.assessment_run_id
    );
    println!("Left off: {}.", left_off(&kept.excluded));
    for e in &kept.entries {
        let after = store.aftermath(e.household_id, kept.week_start).await?;
        let mut since = Vec::new();
        if let Some((d, c, o)) = after.contacts.last() {
            since.push(format!("contacted {d} by {c}: {o}"));
        }
        if let Some((d, s)) = after.cases.last() {
            since.push(format!("case opened {d} ({s})"));
        }
        println!(
            "{:>3}. household {:<7} {:>4}  {}{}",
            e.rank,
            e.household_id,
            e.probability
                .map_or("-".into(), |p| format!("{:.0}%", p * 100.0)),
            e.why,
            if since.is_empty() {
                String::new()
            } else {
                format!(" [since: {}]", since.join("; "))
            }
        );
    }
    Ok(())
}

/// The latest month end whose whole six-month outcome window lies within
/// records ending on `data_end`.
fn latest_with_outcomes(data_end: NaiveDate) -> Option<NaiveDate> {
    let mut t = month_end(data_end);
    while add_months(t, HORIZON_MONTHS).is_some_and(|x| x > data_end) {
        t = month_end(t.with_day(1)? - chrono::Duration::days(1));
    }
    Some(t)
}

/// The kept exclusion counts in words: "3 in an open case, 2 over capacity".
fn left_off(counts_json: &str) -> String {
    let counts: BTreeMap<String, u64> = serde_json::from_str(counts_json).unwrap_or_default();
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {}", k.replace('_', " ")))
        .collect();
    if parts.is_empty() {
        "nobody".into()
    } else {
        parts.join(", ")
    }
}

/// `upstream evaluate risk`: train on what was known up to `test_at`,
/// test on the six months after it, against the "anyone in arrears" baseline.
pub async fn evaluate_risk(
    store: &Store,
    s: &Settings,
    test_at: Option<NaiveDate>,
    per_week: usize,
    truth: Option<&Path>,
    card: &Path,
) -> Result<Evaluation> {
    let l = load(store).await?;
    let test_at = test_at.unwrap_or(latest_with_outcomes(l.data_end).unwrap_or(l.data_end));
    if add_months(test_at, HORIZON_MONTHS).is_none_or(|x| x > l.data_end) {
        user_error!(
            "Testing at {test_at} needs outcomes for six months after it, but the records end on {}.",
            l.data_end
        );
    }
    let m = train_until(s, &l, test_at)?;
    let lib = &s.library;
    let test = risk_eval::test_set(
        &l.inputs,
        |h: &HouseholdInput, d: NaiveDate| detect(lib, h, d),
        |h: &HouseholdInput, d: NaiveDate| resilience(h, d),
        test_at,
        HORIZON_MONTHS,
        l.data_end,
    )?;
    let k = risk_eval::capacity_for_period(per_week, HORIZON_MONTHS);
    let e = risk_eval::evaluate(&m, &test, k)?;
    let mut groups = vec![(
        "age group".to_string(),
        risk_eval::by_age_group(&m, &test, k)?,
    )];
    if let Some(dir) = truth {
        groups.extend(truth_subgroups(store, dir, &l, &m, &test, k).await?);
    }
    let text = upstream_assess::card::model_card(&m, &e, &groups);
    std::fs::write(card, text).with_context(|| format!("could not write {}", card.display()))?;
    Ok(e)
}

/// Sex, ethnicity and disability are not in the council's records; a
/// simulated town's truth holds them, so the card can show what the
/// platform itself cannot measure (a real council would need a survey).
async fn truth_subgroups(
    store: &Store,
    dir: &Path,
    l: &Loaded,
    m: &Model,
    test: &risk_eval::TestSet,
    k: usize,
) -> Result<Vec<(String, Vec<(String, risk_eval::EvaluationFigures)>)>> {
    #[derive(serde::Deserialize)]
    struct Link {
        source: String,
        record_key: String,
        person_id: i64,
    }
    #[derive(serde::Deserialize)]
    struct Person {
        person_id: i64,
        sex: String,
        ethnicity: String,
        disabled: String,
    }
    let read = |name: &str| -> Result<csv::Reader<std::fs::File>> {
        let p = dir.join(name);
        csv::Reader::from_path(&p).with_context(|| format!("could not read {}", p.display()))
    };
    let mut truth_of: HashMap<(String, String), i64> = HashMap::new();
    for r in read("record_links.csv")?.deserialize::<Link>() {
        let r = r?;
        truth_of.insert((r.source, r.record_key), r.person_id);
    }
    let mut people: HashMap<i64, Person> = HashMap::new();
    for p in read("people.csv")?.deserialize::<Person>() {
        let p = p?;
        people.insert(p.person_id, p);
    }
    // Each household's first member, as the truth knows them.
    let mut who: HashMap<i64, i64> = HashMap::new();
    for h in &l.inputs {
        if let Some(t) = h
            .observations
            .iter()
            .find_map(|o| truth_of.get(&(o.source.clone(), o.record_key.clone())))
        {
            who.insert(h.household, *t);
        }
    }
    let _ = store;
    let mut out = Vec::new();
    for (name, pick) in [
        ("sex", (|p: &Person| p.sex.clone()) as fn(&Person) -> String),
        ("ethnicity", |p: &Person| p.ethnicity.clone()),
        ("disability", |p: &Person| {
            if p.disabled == "Y" {
                "disabled"
            } else {
                "not disabled"
            }
            .to_string()
        }),
    ] {
        let figures = risk_eval::subgroup_figures(m, test, k, |r| {
            who.get(&r.household).and_then(|t| people.get(t)).map(pick)
        })?;
        out.push((name.to_string(), figures));
    }
    Ok(out)
}

pub fn print_evaluation(e: &Evaluation, card: &Path) {
    let pct = |x: Option<f64>| x.map_or("-".into(), |v| format!("{:.1}%", v * 100.0));
    let auc = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.3}"));
    println!(
        "Risk model {} tested at {} on crises up to {} (trained only on what was known before).",
        e.model_version, e.cutoff, e.label_end
    );
    println!(
        "  {} households, {} went into crisis ({}).",
        e.model.households,
        e.model.crises,
        pct(Some(e.model.observed_rate))
    );
    println!("  capacity over the 6 months: {} contacts", e.k);
    println!("                     model    baseline (anyone in arrears)");
    println!(
        "  AUC              {:>7}    {:>7}",
        auc(e.model.auc),
        auc(e.baseline.auc)
    );
    println!(
        "  precision at k   {:>7}    {:>7}",
        pct(e.model.precision_at_k),
        pct(e.baseline.precision_at_k)
    );
    println!(
        "  recall at k      {:>7}    {:>7}",
        pct(e.model.recall_at_k),
        pct(e.baseline.recall_at_k)
    );
    println!(
        "  Brier score      {:>7.4}    {:>7.4}",
        e.model.brier, e.baseline.brier
    );
    println!(
        "  lift at k over the baseline: {}; over contacting at random: {}",
        e.lift_at_k.map_or("-".into(), |x| format!("{x:.2}×")),
        e.lift_over_random
            .map_or("-".into(), |x| format!("{x:.2}×"))
    );
    println!("  calibration (tenths by predicted risk): predicted / observed");
    for b in &e.model_calibration {
        println!(
            "    {:>6} households  {:>6.1}% / {:>5.1}%",
            b.households,
            b.mean_predicted * 100.0,
            b.observed_rate * 100.0
        );
    }
    for w in &e.warnings {
        println!("  Warning: {w}");
    }
    println!("Model card written to {}.", card.display());
}

/// `upstream evaluate hypothesis`: after a trigger event, do the most
/// embedded households escalate less? (seed 000)
pub async fn hypothesis_check(store: &Store, s: &Settings) -> Result<hypothesis::HypothesisCheck> {
    let l = load(store).await?;
    let Some(to) = latest_with_outcomes(l.data_end) else {
        user_error!("The records are too short to follow triggers for six months.");
    };
    let from = month_end(add_months(l.data_start, 3).unwrap_or(l.data_start));
    if from >= to {
        user_error!("The records are too short: the check needs at least 10 months.");
    }
    let lib = &s.library;
    let outcomes = hypothesis::trigger_outcomes(
        &l.inputs,
        |h: &HouseholdInput, d: NaiveDate| detect(lib, h, d),
        |h: &HouseholdInput, d: NaiveDate| resilience(h, d),
        hypothesis::default_trigger,
        from,
        to,
        HORIZON_MONTHS,
        l.data_end,
    )?;
    let pairs: Vec<(u8, bool)> = outcomes.iter().map(|o| (o.score, o.escalated)).collect();
    let check = hypothesis::check_scores(&pairs);
    println!(
        "Households with a trigger event between {from} and {to}: {}.",
        outcomes.len()
    );
    Ok(check)
}
