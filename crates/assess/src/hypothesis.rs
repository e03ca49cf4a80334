//! Seed 000's hypothesis: after a bad event, do long-standing members of
//! long-standing communities escalate to crisis less often? Escalation
//! rates by third of community resilience, with 95% Wilson intervals, a
//! two-proportion z-test of least against most embedded and a
//! Cochran–Armitage trend test across the thirds.

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::features::{event_group, EventGroup};
use crate::input::{DetectedEvent, HouseholdInput, Resilience, ResilienceBand};
use crate::outcomes::{add_months, timeline};
use crate::AssessError;

pub const EFFECT_FOUND: &str = "effect found";
pub const NO_EFFECT_FOUND: &str = "no effect found";

/// The significance level of the verdict.
pub const ALPHA: f64 = 0.05;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Groups smaller than this are reported without figures.
pub const SUPPRESS_BELOW: usize = 10;

/// A third of households by community resilience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Third {
    Least,
    Middle,
    Most,
}

impl Third {
    pub const ALL: [Third; 3] = [Third::Least, Third::Middle, Third::Most];

    pub fn label(self) -> &'static str {
        match self {
            Third::Least => "least embedded third",
            Third::Middle => "middle third",
            Third::Most => "most embedded third",
        }
    }

    fn score(self) -> f64 {
        match self {
            Third::Least => 0.0,
            Third::Middle => 1.0,
            Third::Most => 2.0,
        }
    }
}

/// One group's escalation rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRate {
    pub group: Third,
    pub households: usize,
    pub escalated: usize,
    /// `None` when the group is empty.
    pub rate: Option<f64>,
    /// 95% Wilson interval.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Fewer than [`SUPPRESS_BELOW`] households: not for publication.
    pub suppressed: bool,
}

/// The answer to the hypothesis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HypothesisCheck {
    pub groups: Vec<GroupRate>,
    /// Score cut points when thirds were formed from scores: least is at
    /// or below the first, most at or above the second.
    pub cut_points: Option<(u8, u8)>,
    /// Least embedded rate minus most embedded rate.
    pub difference: Option<f64>,
    /// Two-proportion z-test, least against most embedded.
    pub z: Option<f64>,
    pub p_value: Option<f64>,
    /// Cochran–Armitage trend test across the three groups (positive z:
    /// escalation falls as embeddedness rises).
    pub trend_z: Option<f64>,
    pub trend_p_value: Option<f64>,
    /// [`EFFECT_FOUND`] when the least embedded escalate significantly more
    /// often (two-sided p < 0.05); else [`NO_EFFECT_FOUND`].
    pub verdict: String,
    /// The result in a sentence or two of plain English.
    pub summary: String,
}

/// Thirds given directly: one pair per household that had a trigger event.
pub fn check(pairs: &[(Third, bool)]) -> HypothesisCheck {
    let groups: Vec<GroupRate> = Third::ALL
        .iter()
        .map(|g| {
            let n = pairs.iter().filter(|(t, _)| t == g).count();
            let x = pairs.iter().filter(|(t, e)| t == g && *e).count();
            let ci = wilson(x, n, Z95);
            GroupRate {
                group: *g,
                households: n,
                escalated: x,
                rate: (n > 0).then(|| x as f64 / n as f64),
                ci_low: ci.map(|c| c.0),
                ci_high: ci.map(|c| c.1),
                suppressed: n < SUPPRESS_BELOW,
            }
        })
        .collect();
    let (least, most) = (&groups[0], &groups[2]);
    let difference = least.rate.zip(most.rate).map(|(a, b)| a - b);
    let z = two_proportion_z(
        least.escalated,
        least.households,
        most.escalated,
        most.households,
    );
    let p_value = z.map(two_sided_p);
    let trend_z = trend(&groups);
    let trend_p_value = trend_z.map(two_sided_p);
    let found = p_value.is_some_and(|p| p < ALPHA) && difference.is_some_and(|d| d > 0.0);
    let verdict = if found { EFFECT_FOUND } else { NO_EFFECT_FOUND };
    let summary = summary(&groups, difference, z, p_value, trend_p_value, found);
    HypothesisCheck {
        groups,
        cut_points: None,
        difference,
        z,
        p_value,
        trend_z,
        trend_p_value,
        verdict: verdict.into(),
        summary,
    }
}

/// Resilience bands as thirds: low is least embedded, high most.
pub fn check_bands(pairs: &[(ResilienceBand, bool)]) -> HypothesisCheck {
    let thirds: Vec<(Third, bool)> = pairs
        .iter()
        .map(|(b, e)| {
            let t = match b {
                ResilienceBand::Low => Third::Least,
                ResilienceBand::Medium => Third::Middle,
                ResilienceBand::High => Third::Most,
            };
            (t, *e)
        })
        .collect();
    check(&thirds)
}

/// Resilience scores split into thirds of the households given (tertiles;
/// equal scores always share a group, so ties can make groups unequal).
pub fn check_scores(pairs: &[(u8, bool)]) -> HypothesisCheck {
    let mut scores: Vec<u8> = pairs.iter().map(|(s, _)| *s).collect();
    scores.sort_unstable();
    let n = scores.len();
    if n == 0 {
        return check(&[]);
    }
    let third = n.div_ceil(3);
    let low = scores[third - 1];
    let high = scores[n - third];
    let thirds: Vec<(Third, bool)> = pairs
        .iter()
        .map(|(s, e)| {
            let t = if *s <= low {
                Third::Least
            } else if *s >= high {
                Third::Most
            } else {
                Third::Middle
            };
            (t, *e)
        })
        .collect();
    let mut result = check(&thirds);
    result.cut_points = Some((low, high));
    result
}

/// 95% (for z = 1.96) Wilson score interval for x successes in n.
pub fn wilson(x: usize, n: usize, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (nf, p) = (n as f64, x as f64 / n as f64);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = z / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Pooled two-proportion z statistic for x1/n1 against x2/n2.
pub fn two_proportion_z(x1: usize, n1: usize, x2: usize, n2: usize) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (a, b) = (n1 as f64, n2 as f64);
    let pooled = (x1 + x2) as f64 / (a + b);
    let se = (pooled * (1.0 - pooled) * (1.0 / a + 1.0 / b)).sqrt();
    if se.is_nan() || se <= 0.0 {
        // Nobody (or everybody) escalated in both groups: no difference to test.
        return Some(0.0);
    }
    Some((x1 as f64 / a - x2 as f64 / b) / se)
}

/// Cochran–Armitage trend statistic with scores 0, 1, 2 for least to most
/// embedded, signed so that positive means escalation falls with embeddedness.
fn trend(groups: &[GroupRate]) -> Option<f64> {
    let n: f64 = groups.iter().map(|g| g.households as f64).sum();
    let x: f64 = groups.iter().map(|g| g.escalated as f64).sum();
    if n == 0.0 {
        return None;
    }
    let p = x / n;
    let t: f64 = groups
        .iter()
        .map(|g| g.group.score() * (g.escalated as f64 - g.households as f64 * p))
        .sum();
    let s1: f64 = groups
        .iter()
        .map(|g| g.group.score().powi(2) * g.households as f64)
        .sum();
    let s2: f64 = groups
        .iter()
        .map(|g| g.group.score() * g.households as f64)
        .sum();
    let var = p * (1.0 - p) * (s1 - s2 * s2 / n);
    if var.is_nan() || var <= 0.0 {
        return None;
    }
    Some(-t / var.sqrt())
}

/// Two-sided p-value of a standard normal statistic.
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit,
/// relative error under 1.2e-7: ample for a p-value).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

fn describe(g: &GroupRate) -> String {
    match (g.suppressed, g.rate, g.ci_low, g.ci_high) {
        (false, Some(r), Some(lo), Some(hi)) => format!(
            "{} of the {} ({} households; 95% CI {} to {})",
            pct(r),
            g.group.label(),
            g.households,
            pct(lo),
            pct(hi)
        ),
        _ => format!(
            "the {} (fewer than {SUPPRESS_BELOW} households)",
            g.group.label()
        ),
    }
}

fn summary(
    groups: &[GroupRate],
    difference: Option<f64>,
    z: Option<f64>,
    p: Option<f64>,
    trend_p: Option<f64>,
    found: bool,
) -> String {
    let (least, most) = (&groups[0], &groups[2]);
    let (Some(d), Some(z), Some(p)) = (difference, z, p) else {
        return format!(
            "Not enough households with a trigger event in both the least and most embedded \
             thirds to test the hypothesis: {NO_EFFECT_FOUND}."
        );
    };
    if least.suppressed || most.suppressed {
        // A difference between tiny groups would reveal individuals.
        return format!(
            "Fewer than {SUPPRESS_BELOW} households with a trigger event in the least or most \
             embedded third: figures are not published and the test has little power \
             ({}): {}.",
            p_text(p),
            if found { EFFECT_FOUND } else { NO_EFFECT_FOUND }
        );
    }
    let trend = trend_p.map_or(String::new(), |t| {
        format!(" Trend across the thirds: {}.", p_text(t))
    });
    let verdict = if found {
        format!("The least embedded escalate more often: {EFFECT_FOUND} at the 5% level.")
    } else if p < ALPHA {
        format!(
            "The most embedded escalate more often, the opposite of the hypothesis: \
             {NO_EFFECT_FOUND} in the hypothesised direction."
        )
    } else {
        format!("The difference could be chance: {NO_EFFECT_FOUND} at the 5% level.")
    };
    format!(
        "After a trigger event, {} escalated to crisis, against {}: a difference of {:.1} \
         percentage points (z = {z:.2}, {}).{trend} {verdict}",
        describe(least),
        describe(most),
        d * 100.0,
        p_text(p),
    )
}

/// One household's first trigger event in a period and what followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerOutcome {
    pub household: i64,
    pub event: String,
    pub date: NaiveDate,
    /// Resilience as of the trigger.
    pub score: u8,
    pub band: ResilienceBand,
    /// A crisis within the horizon after the trigger.
    pub escalated: bool,
}

/// The library events that count as triggers by default: separation or
/// bereavement, a fall in income, a threat to the home, a new child,
/// illness or a care need (the groups of [`event_group`]).
pub fn default_trigger(event: &str) -> bool {
    matches!(
        event_group(event),
        Some(
            EventGroup::SeparationOrBereavement
                | EventGroup::IncomeLoss
                | EventGroup::HousingThreat
                | EventGroup::Family
                | EventGroup::HealthOrCare
        )
    )
}

/// For each household whose first trigger event falls in
/// `(from_exclusive, to_inclusive]` and which was not already in crisis
/// then: its resilience at the trigger and whether a crisis followed
/// within `horizon_months`. Every trigger's whole window must lie within
/// the data (`to + horizon <= data_end`).
#[allow(clippy::too_many_arguments)]
pub fn trigger_outcomes<E, R, T>(
    households: &[HouseholdInput],
    events: E,
    resilience: R,
    is_trigger: T,
    from_exclusive: NaiveDate,
    to_inclusive: NaiveDate,
    horizon_months: u32,
    data_end: NaiveDate,
) -> Result<Vec<TriggerOutcome>, AssessError>
where
    E: Fn(&HouseholdInput, NaiveDate) -> Vec<DetectedEvent> + Sync,
    R: Fn(&HouseholdInput, NaiveDate) -> Resilience + Sync,
    T: Fn(&str) -> bool + Sync,
{
    let end = add_months(to_inclusive, horizon_months)
        .ok_or_else(|| AssessError::Invalid("period out of range".into()))?;
    if end > data_end {
        return Err(AssessError::Invalid(format!(
            "a trigger on {to_inclusive} needs outcomes up to {end}, but the data end on {data_end}"
        )));
    }
    Ok(households
        .par_iter()
        .filter_map(|h| {
            let first = events(h, to_inclusive)
                .into_iter()
                .filter(|e| e.date > from_exclusive && e.date <= to_inclusive)
                .filter(|e| is_trigger(&e.event))
                .min_by(|a, b| a.date.cmp(&b.date).then(a.event.cmp(&b.event)))?;
            let tl = timeline(h, data_end);
            if tl.in_crisis_at(first.date) {
                return None;
            }
            let until = add_months(first.date, horizon_months)?;
            let r = resilience(h, first.date);
            Some(TriggerOutcome {
                household: h.household,
                escalated: tl.any_crisis_in(first.date, until),
                event: first.event,
                date: first.date,
                score: r.score,
                band: r.band,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
        }
    }

    /// Households with scores 0..100; escalation probability from `rate`.
    fn synthetic(n: usize, seed: u64, rate: impl Fn(u8) -> f64) -> Vec<(u8, bool)> {
        let mut rng = Rng(seed);
        (0..n)
            .map(|_| {
                let s = (rng.next() * 101.0) as u8;
                (s, rng.next() < rate(s))
            })
            .collect()
    }

    #[test]
    fn wilson_matches_known_values() {
        // 10 of 100: 95% Wilson interval 5.52% to 17.44%.
        let Some((lo, hi)) = wilson(10, 100, Z95) else {
            panic!("interval")
        };
        assert!(
            (lo - 0.0552).abs() < 1e-4 && (hi - 0.1744).abs() < 1e-4,
            "{lo} {hi}"
        );
        let Some((lo, hi)) = wilson(0, 20, Z95) else {
            panic!("interval")
        };
        assert_eq!(lo, 0.0);
        assert!((hi - 0.1611).abs() < 1e-4, "{hi}");
        assert_eq!(wilson(0, 0, Z95), None);
    }

    #[test]
    fn p_values_match_the_normal_distribution() {
        assert!((two_sided_p(1.959_964) - 0.05).abs() < 1e-6);
        assert!((two_sided_p(0.0) - 1.0).abs() < 1e-6);
        assert!((two_sided_p(-2.575_829) - 0.01).abs() < 1e-6);
        assert!((two_sided_p(3.290_527) - 0.001).abs() < 1e-6);
    }

    #[test]
    fn finds_an_effect_that_is_there() {
        // 15% escalate among the least embedded, falling to 5% among the most.
        let pairs = synthetic(3000, 1, |s| 0.15 - 0.1 * f64::from(s) / 100.0);
        let r = check_scores(&pairs);
        assert_eq!(r.verdict, EFFECT_FOUND, "{}", r.summary);
        assert!(r.p_value.is_some_and(|p| p < 0.001));
        assert!(r.trend_p_value.is_some_and(|p| p < 0.001));
        assert!(r.difference.is_some_and(|d| d > 0.04));
        let least = &r.groups[0];
        let (Some(lo), Some(hi), Some(rate)) = (least.ci_low, least.ci_high, least.rate) else {
            panic!("rates")
        };
        assert!(lo < rate && rate < hi);
        assert!(
            r.summary.contains("effect found at the 5% level"),
            "{}",
            r.summary
        );
        let sizes: Vec<usize> = r.groups.iter().map(|g| g.households).collect();
        assert!(sizes.iter().all(|n| (900..=1100).contains(n)), "{sizes:?}");
    }

    #[test]
    fn finds_no_effect_when_there_is_none() {
        // The same rate for everyone, over several seeds: a 5% test should
        // almost never fire (and with these seeds, never does).
        let mut fired = 0;
        for seed in 1..=20 {
            let pairs = synthetic(3000, seed * 7919, |_| 0.1);
            let r = check_scores(&pairs);
            if r.verdict == EFFECT_FOUND {
                fired += 1;
            }
        }
        assert!(fired <= 2, "{fired} false alarms in 20");
        let r = check_scores(&synthetic(3000, 42, |_| 0.1));
        assert_eq!(r.verdict, NO_EFFECT_FOUND, "{}", r.summary);
    }

    #[test]
    fn an_opposite_effect_is_not_the_hypothesis() {
        let pairs = synthetic(3000, 3, |s| 0.05 + 0.1 * f64::from(s) / 100.0);
        let r = check_scores(&pairs);
        assert_eq!(r.verdict, NO_EFFECT_FOUND);
        assert!(r.p_value.is_some_and(|p| p < 0.05));
        assert!(r.summary.contains("opposite"), "{}", r.summary);
    }

    #[test]
    fn small_or_empty_groups_are_handled() {
        let r = check(&[]);
        assert_eq!(r.verdict, NO_EFFECT_FOUND);
        assert!(r.summary.contains("Not enough"));
        let r = check_bands(&[
            (ResilienceBand::Low, true),
            (ResilienceBand::High, false),
            (ResilienceBand::High, false),
        ]);
        assert!(r.groups.iter().all(|g| g.suppressed));
        assert!(
            !r.summary.contains('%'),
            "small groups give no figures: {}",
            r.summary
        );
        // Every score the same: one group, nothing to compare.
        let r = check_scores(&[(50, true), (50, false), (50, false)]);
        assert_eq!(r.verdict, NO_EFFECT_FOUND);
    }

    #[test]
    fn trigger_outcomes_follow_first_triggers() {
        use crate::model::synth::{day, town};
        let t = town(800, 36, 9);
        let out = trigger_outcomes(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            default_trigger,
            day(2023, 6),
            day(2024, 12),
            6,
            day(2025, 6),
        );
        let Ok(out) = out else { panic!("outcomes") };
        assert!(!out.is_empty());
        assert!(out.iter().all(|o| o.event == "separation"));
        assert!(out
            .iter()
            .all(|o| o.date > day(2023, 6) && o.date <= day(2024, 12)));
        let mut ids: Vec<i64> = out.iter().map(|o| o.household).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), out.len(), "one trigger per household");
        assert!(trigger_outcomes(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            default_trigger,
            day(2023, 6),
            day(2025, 1),
            6,
            day(2025, 6),
        )
        .is_err());
        assert!(default_trigger("income_drop") && !default_trigger("moved_in"));
    }
}
