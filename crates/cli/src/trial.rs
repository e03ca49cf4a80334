//! `upstream evaluate outreach`: the contact experiment run in many
//! simulated towns, where the true effect is set by the profile, to show
//! the experiment's comparison finds an effect only when there is one.

use anyhow::Result;
use rayon::prelude::*;
use upstream_outreach::experiment::{assign, compare, Verdict};
use upstream_sim::Profile;

/// One seed's result.
struct SeedResult {
    seed: u64,
    contacted: (u64, u64),
    held_back: (u64, u64),
    engaged: (u64, u64),
    verdict: Verdict,
    difference: f64,
    ci: (f64, f64),
}

pub struct TrialArgs<'a> {
    pub profile: &'a str,
    pub households: u32,
    pub seeds: u64,
    pub first_seed: u64,
    pub effect: Option<f64>,
    pub held_back_percent: u32,
    pub months_after: u32,
}

pub fn run(a: &TrialArgs) -> Result<()> {
    let mut profile = Profile::load(a.profile)?;
    if let Some(e) = a.effect {
        if !(0.0..=1.0).contains(&e) {
            anyhow::bail!("--effect must be between 0 and 1 (got {e})");
        }
        profile.response.engaged_crisis_reduction = e;
    }
    if !(1..=99).contains(&a.held_back_percent) {
        anyhow::bail!(
            "--held-back must be between 1 and 99 per cent (got {})",
            a.held_back_percent
        );
    }
    let arms = [
        ("contact", 100 - a.held_back_percent),
        ("held_back", a.held_back_percent),
    ];
    let effect = profile.response.engaged_crisis_reduction;
    println!(
        "Contact experiment in {} towns of {} households ({}), engaged households' crises cut by {:.0}%, {}% held back, crises counted over {} months:",
        a.seeds, a.households, profile.town.name, effect * 100.0, a.held_back_percent, a.months_after
    );
    let results: Vec<Result<SeedResult>> = (a.first_seed..a.first_seed + a.seeds)
        .into_par_iter()
        .map(|seed| {
            // Arms drawn as a campaign draws them: the campaign's seed and
            // the household's number.
            let held =
                |hh: u32| assign(seed, i64::from(hh), &arms).is_ok_and(|arm| arm == "held_back");
            let households =
                upstream_sim::trial::run(&profile, a.households, seed, a.months_after, &held);
            let count = |held_back: bool| {
                let arm: Vec<_> = households
                    .iter()
                    .filter(|h| h.held_back == held_back)
                    .collect();
                (
                    arm.iter().filter(|h| h.crisis).count() as u64,
                    arm.len() as u64,
                    arm.iter().filter(|h| h.engaged).count() as u64,
                )
            };
            let (c_crisis, c_n, c_engaged) = count(false);
            let (h_crisis, h_n, _) = count(true);
            let cmp = compare((c_crisis, c_n), (h_crisis, h_n))?;
            Ok(SeedResult {
                seed,
                contacted: (c_crisis, c_n),
                held_back: (h_crisis, h_n),
                engaged: (c_engaged, c_n),
                verdict: cmp.verdict,
                difference: cmp.difference,
                ci: (cmp.ci_low, cmp.ci_high),
            })
        })
        .collect();
    let pct = |(k, n): (u64, u64)| {
        if n == 0 {
            0.0
        } else {
            100.0 * k as f64 / n as f64
        }
    };
    let mut tally = std::collections::BTreeMap::new();
    println!("  seed  contacted: crisis      held back: crisis     engaged   difference (95% CI)          verdict");
    for r in results {
        let r = r?;
        println!(
            "  {:>4}  {:>4}/{:<5} {:>5.1}%   {:>4}/{:<5} {:>5.1}%   {:>5.1}%   {:>+6.1} pts ({:+.1} to {:+.1})   {}",
            r.seed,
            r.contacted.0,
            r.contacted.1,
            pct(r.contacted),
            r.held_back.0,
            r.held_back.1,
            pct(r.held_back),
            pct(r.engaged),
            r.difference * 100.0,
            r.ci.0 * 100.0,
            r.ci.1 * 100.0,
            r.verdict.label()
        );
        *tally.entry(r.verdict.label()).or_insert(0u64) += 1;
    }
    println!("Verdicts:");
    for (label, n) in &tally {
        println!(
            "  {label}: {n} of {} towns ({:.0}%)",
            a.seeds,
            100.0 * *n as f64 / a.seeds as f64
        );
    }
    let found = tally.get(Verdict::Lower.label()).copied().unwrap_or(0)
        + tally.get(Verdict::Higher.label()).copied().unwrap_or(0);
    if effect == 0.0 {
        println!(
            "With no true effect, the experiment reported a difference in {found} of {} towns ({:.0}%; at 95% confidence about 5% is expected by chance).",
            a.seeds,
            100.0 * found as f64 / a.seeds as f64
        );
    } else {
        println!(
            "With a true effect, the experiment found a difference in {found} of {} towns (its power at this size).",
            a.seeds
        );
    }
    Ok(())
}
