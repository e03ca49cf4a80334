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
use upstream_assess::model::{ChunkedTraining, Model, HORIZON_MONTHS};
use upstream_assess::outcomes::add_months;
use upstream_assess::resilience::resilience;
use upstream_pipeline::assessing::{
    for_each_chunk, month_end, span, train_streaming, AssessSummary, Settings,
};
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
/// test on the six months after it, against the "anyone in arrears"
/// baseline. Households are read a chunk at a time.
pub async fn evaluate_risk(
    store: &Store,
    s: &Settings,
    test_at: Option<NaiveDate>,
    per_week: usize,
    truth: Option<&Path>,
    card: &Path,
) -> Result<Evaluation> {
    let Some((data_start, data_end)) = span(store).await? else {
        user_error!("The single view holds no records to assess: run `upstream link` first.");
    };
    let test_at = test_at.unwrap_or(latest_with_outcomes(data_end).unwrap_or(data_end));
    if add_months(test_at, HORIZON_MONTHS).is_none_or(|x| x > data_end) {
        user_error!(
            "Testing at {test_at} needs outcomes for six months after it, but the records end on {data_end}."
        );
    }
    let m = train_streaming(store, s, data_start, test_at).await?;
    let truth = truth.map(Truth::read).transpose()?;
    let lib = &s.library;
    let events = |h: &HouseholdInput, d: NaiveDate| detect(lib, h, d);
    let res = |h: &HouseholdInput, d: NaiveDate| resilience(h, d);
    let mut rows = ChunkedTraining::new(&[test_at], HORIZON_MONTHS, data_end, None)?;
    for_each_chunk(store, |_, inputs| Ok(rows.count(&inputs)?)).await?;
    // Each household's first member, as the truth knows them.
    let mut who: HashMap<i64, i64> = HashMap::new();
    for_each_chunk(store, |_, inputs| {
        if let Some(t) = &truth {
            for h in &inputs {
                if let Some(p) = t.first_person(h) {
                    who.insert(h.household, p);
                }
            }
        }
        Ok(rows.add_rows(&inputs, &events, &res)?)
    })
    .await?;
    let test = risk_eval::TestSet::from_rows(rows.finish())?;
    let k = risk_eval::capacity_for_period(per_week, HORIZON_MONTHS);
    let e = risk_eval::evaluate(&m, &test, k)?;
    let mut groups = vec![(
        "age group".to_string(),
        risk_eval::by_age_group(&m, &test, k)?,
    )];
    if let Some(t) = &truth {
        groups.extend(t.subgroups(&who, &m, &test, k)?);
    }
    let text = upstream_assess::card::model_card(&m, &e, &groups);
    std::fs::write(card, text).with_context(|| format!("could not write {}", card.display()))?;
    Ok(e)
}

/// A way of dividing households (sex, ethnicity...) and each group's figures.
type Subgroups = (String, Vec<(String, risk_eval::EvaluationFigures)>);

/// Sex, ethnicity and disability are not in the council's records; a
/// simulated town's truth holds them, so the card can show what the
/// platform itself cannot measure (a real council would need a survey).
struct Truth {
    person_of: HashMap<(String, String), i64>,
    people: HashMap<i64, TruePerson>,
}

#[derive(serde::Deserialize)]
struct TruePerson {
    person_id: i64,
    sex: String,
    ethnicity: String,
    disabled: String,
}

impl Truth {
    fn read(dir: &Path) -> Result<Truth> {
        #[derive(serde::Deserialize)]
        struct Link {
            source: String,
            record_key: String,
            person_id: i64,
        }
        let read = |name: &str| -> Result<csv::Reader<std::fs::File>> {
            let p = dir.join(name);
            csv::Reader::from_path(&p).with_context(|| format!("could not read {}", p.display()))
        };
        let mut person_of = HashMap::new();
        for r in read("record_links.csv")?.deserialize::<Link>() {
            let r = r?;
            person_of.insert((r.source, r.record_key), r.person_id);
        }
        let mut people = HashMap::new();
        for p in read("people.csv")?.deserialize::<TruePerson>() {
            let p = p?;
            people.insert(p.person_id, p);
        }
        Ok(Truth { person_of, people })
    }

    /// The real person behind a household's first record the truth knows.
    fn first_person(&self, h: &HouseholdInput) -> Option<i64> {
        h.observations
            .iter()
            .find_map(|o| {
                self.person_of
                    .get(&(o.source.clone(), o.record_key.clone()))
            })
            .copied()
    }

    fn subgroups(
        &self,
        who: &HashMap<i64, i64>,
        m: &Model,
        test: &risk_eval::TestSet,
        k: usize,
    ) -> Result<Vec<Subgroups>> {
        let mut out = Vec::new();
        for (name, pick) in [
            (
                "sex",
                (|p: &TruePerson| p.sex.clone()) as fn(&TruePerson) -> String,
            ),
            ("ethnicity", |p: &TruePerson| p.ethnicity.clone()),
            ("disability", |p: &TruePerson| {
                if p.disabled == "Y" {
                    "disabled"
                } else {
                    "not disabled"
                }
                .to_string()
            }),
        ] {
            let figures = risk_eval::subgroup_figures(m, test, k, |r| {
                who.get(&r.household)
                    .and_then(|t| self.people.get(t))
                    .map(pick)
            })?;
            out.push((name.to_string(), figures));
        }
        Ok(out)
    }
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
/// embedded households escalate less? (seed 000) Households are read a chunk
/// at a time.
pub async fn hypothesis_check(store: &Store, s: &Settings) -> Result<hypothesis::HypothesisCheck> {
    let Some((data_start, data_end)) = span(store).await? else {
        user_error!("The single view holds no records: run `upstream link` first.");
    };
    let Some(to) = latest_with_outcomes(data_end) else {
        user_error!("The records are too short to follow triggers for six months.");
    };
    let from = month_end(add_months(data_start, 3).unwrap_or(data_start));
    if from >= to {
        user_error!("The records are too short: the check needs at least 10 months.");
    }
    let lib = &s.library;
    let mut outcomes = Vec::new();
    for_each_chunk(store, |_, inputs| {
        outcomes.extend(hypothesis::trigger_outcomes(
            &inputs,
            |h: &HouseholdInput, d: NaiveDate| detect(lib, h, d),
            |h: &HouseholdInput, d: NaiveDate| resilience(h, d),
            hypothesis::default_trigger,
            from,
            to,
            HORIZON_MONTHS,
            data_end,
        )?);
        Ok(())
    })
    .await?;
    let pairs: Vec<(u8, bool)> = outcomes.iter().map(|o| (o.score, o.escalated)).collect();
    let check = hypothesis::check_scores(&pairs);
    println!(
        "Households with a trigger event between {from} and {to}: {}.",
        outcomes.len()
    );
    Ok(check)
}
