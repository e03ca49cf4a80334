//! How good the risk model is on months it never saw: AUC, precision and
//! recall at the team's capacity, calibration and Brier score, beside the
//! "anyone in arrears" baseline. A test window that overlaps the model's
//! training label window is refused: that would be leakage.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::input::{DetectedEvent, HouseholdInput, Resilience};
use crate::model::{labelled_rows, CutoffCounts, LabelledRow, Model};
use crate::outcomes::add_months;
use crate::AssessError;

/// Every household scored at one test cutoff, with its outcome.
#[derive(Debug, Clone)]
pub struct TestSet {
    pub cutoff: NaiveDate,
    pub horizon_months: u32,
    /// Labels are crises dated in `(cutoff, label_end]`.
    pub label_end: NaiveDate,
    pub data_end: NaiveDate,
    pub rows: Vec<LabelledRow>,
    pub counts: CutoffCounts,
}

/// All visible households not already in crisis at `cutoff`, with features
/// as of then and labels from `(cutoff, cutoff + horizon]`; no sampling.
pub fn test_set<E, R>(
    households: &[HouseholdInput],
    events: E,
    resilience: R,
    cutoff: NaiveDate,
    horizon_months: u32,
    data_end: NaiveDate,
) -> Result<TestSet, AssessError>
where
    E: Fn(&HouseholdInput, NaiveDate) -> Vec<DetectedEvent> + Sync,
    R: Fn(&HouseholdInput, NaiveDate) -> Resilience + Sync,
{
    let (rows, mut counts, _) = labelled_rows(
        households,
        &events,
        &resilience,
        &[cutoff],
        horizon_months,
        data_end,
        None,
    )?;
    let label_end = add_months(cutoff, horizon_months)
        .ok_or_else(|| AssessError::Invalid(format!("cutoff {cutoff} is out of range")))?;
    let counts = counts
        .pop()
        .ok_or_else(|| AssessError::Invalid("no counts for the test cutoff".into()))?;
    Ok(TestSet {
        cutoff,
        horizon_months,
        label_end,
        data_end,
        rows,
        counts,
    })
}

impl TestSet {
    /// A test set from one cutoff's rows built a chunk of households at a
    /// time (`ChunkedTraining` with no sampling).
    pub fn from_rows(set: crate::model::TrainingSet) -> Result<TestSet, AssessError> {
        let [cutoff] = set.cutoffs[..] else {
            return Err(AssessError::Invalid(
                "a test set is made at one cutoff".into(),
            ));
        };
        if set.negative_rate < 1.0 {
            return Err(AssessError::Invalid(
                "a test set holds every household, not a sample".into(),
            ));
        }
        let label_end = add_months(cutoff, set.horizon_months)
            .ok_or_else(|| AssessError::Invalid(format!("cutoff {cutoff} is out of range")))?;
        let counts = set
            .counts
            .into_iter()
            .next()
            .ok_or_else(|| AssessError::Invalid("no counts for the test cutoff".into()))?;
        Ok(TestSet {
            cutoff,
            horizon_months: set.horizon_months,
            label_end,
            data_end: set.data_end,
            rows: set.rows,
            counts,
        })
    }
}

/// Contacts a team can make over a horizon: `per_week` × the weeks in
/// `months` months (52 weeks a year).
pub fn capacity_for_period(per_week: usize, months: u32) -> usize {
    (per_week * months as usize * 52 + 6) / 12
}

/// The figures for one ranking (the model, the baseline, or one subgroup).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationFigures {
    pub households: usize,
    pub crises: usize,
    /// Area under the ROC curve; `None` without both crises and non-crises.
    pub auc: Option<f64>,
    /// Households in the top k (for a subgroup: its members there).
    pub selected: usize,
    pub selected_crises: usize,
    /// Crises among those selected.
    pub precision_at_k: Option<f64>,
    /// Share of all crises that were selected.
    pub recall_at_k: Option<f64>,
    /// Mean squared error of the probabilities.
    pub brier: f64,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// One tenth of households by predicted probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// 1 (lowest predictions) to 10.
    pub decile: usize,
    pub households: usize,
    pub crises: usize,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// The model against the baseline at one test cutoff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub model_version: String,
    pub cutoff: NaiveDate,
    pub label_end: NaiveDate,
    pub horizon_months: u32,
    /// Capacity over the period: households the team can contact.
    pub k: usize,
    pub model: EvaluationFigures,
    pub baseline: EvaluationFigures,
    pub model_calibration: Vec<CalibrationBin>,
    pub baseline_calibration: Vec<CalibrationBin>,
    /// Model precision at k over the baseline's.
    pub lift_at_k: Option<f64>,
    /// Model precision at k over the crisis rate (contacting at random).
    pub lift_over_random: Option<f64>,
    /// Things a reader must know (none when all is well).
    pub warnings: Vec<String>,
}

/// Refuses a test whose window overlaps what the model was trained on.
pub fn check_no_leakage(model: &Model, test: &TestSet) -> Result<(), AssessError> {
    if test.cutoff < model.last_label_date {
        return Err(AssessError::Invalid(format!(
            "leakage: the model {} learnt from outcomes up to {}; a test must start on or after \
             that date, not {}",
            model.version, model.last_label_date, test.cutoff
        )));
    }
    if test.horizon_months != model.horizon_months {
        return Err(AssessError::Invalid(format!(
            "the model predicts {} months ahead but the test set looks {} months ahead",
            model.horizon_months, test.horizon_months
        )));
    }
    model.check()
}

/// The baseline's ranking key: households in arrears first, most arrears first.
fn baseline_order(a: &LabelledRow, b: &LabelledRow) -> Ordering {
    b.features
        .arrears_pence
        .cmp(&a.features.arrears_pence)
        .then(a.household.cmp(&b.household))
}

fn baseline_probability(model: &Model, r: &LabelledRow) -> f64 {
    if r.features.arrears_pence > 0 {
        model.baseline.in_arrears
    } else {
        model.baseline.not_in_arrears
    }
}

/// Evaluates `model` on `test` with capacity `k` households over the
/// horizon (see [`capacity_for_period`]). Refuses leakage.
pub fn evaluate(model: &Model, test: &TestSet, k: usize) -> Result<Evaluation, AssessError> {
    check_no_leakage(model, test)?;
    let rows = &test.rows;
    let labels: Vec<bool> = rows.iter().map(|r| r.label).collect();
    let probs: Vec<f64> = rows
        .iter()
        .map(|r| model.probability(&r.features))
        .collect();
    let base: Vec<f64> = rows
        .iter()
        .map(|r| baseline_probability(model, r))
        .collect();

    let model_rank = rank_by(rows.len(), |a, b| {
        probs[b]
            .total_cmp(&probs[a])
            .then(rows[a].household.cmp(&rows[b].household))
    });
    let base_rank = rank_by(rows.len(), |a, b| baseline_order(&rows[a], &rows[b]));
    let all: Vec<usize> = (0..rows.len()).collect();
    let model_figures = figures(&all, &labels, &probs, &model_rank, k, |a, b| {
        probs[a].total_cmp(&probs[b])
    });
    let baseline_figures = figures(&all, &labels, &base, &base_rank, k, |a, b| {
        rows[a]
            .features
            .arrears_pence
            .cmp(&rows[b].features.arrears_pence)
    });
    let lift_at_k = match (
        model_figures.precision_at_k,
        baseline_figures.precision_at_k,
    ) {
        (Some(m), Some(b)) if b > 0.0 => Some(m / b),
        _ => None,
    };
    let lift_over_random = match model_figures.precision_at_k {
        Some(m) if model_figures.observed_rate > 0.0 => Some(m / model_figures.observed_rate),
        _ => None,
    };
    let mut warnings = Vec::new();
    if model.data_end > test.cutoff {
        warnings.push(format!(
            "training read records known up to {}, after the test cutoff {}: train with data \
             ending at the test cutoff for a strictly honest test",
            model.data_end, test.cutoff
        ));
    }
    if model_figures.crises == 0 {
        warnings.push("no crises in the test window: the figures say little".into());
    }
    Ok(Evaluation {
        model_version: model.version.clone(),
        cutoff: test.cutoff,
        label_end: test.label_end,
        horizon_months: test.horizon_months,
        k,
        model_calibration: calibration(&probs, &labels, |a, b| {
            probs[a]
                .total_cmp(&probs[b])
                .then(rows[a].household.cmp(&rows[b].household))
        }),
        baseline_calibration: calibration(&base, &labels, |a, b| {
            baseline_order(&rows[b], &rows[a])
        }),
        model: model_figures,
        baseline: baseline_figures,
        lift_at_k,
        lift_over_random,
        warnings,
    })
}

/// The model's figures within groups of households. Selection is the
/// team's: the global top k; each group's precision and recall are of its
/// members within that selection. Rows `group_of` gives `None` are left out.
pub fn subgroup_figures<G>(
    model: &Model,
    test: &TestSet,
    k: usize,
    group_of: G,
) -> Result<Vec<(String, EvaluationFigures)>, AssessError>
where
    G: Fn(&LabelledRow) -> Option<String>,
{
    check_no_leakage(model, test)?;
    let rows = &test.rows;
    let labels: Vec<bool> = rows.iter().map(|r| r.label).collect();
    let probs: Vec<f64> = rows
        .iter()
        .map(|r| model.probability(&r.features))
        .collect();
    let rank = rank_by(rows.len(), |a, b| {
        probs[b]
            .total_cmp(&probs[a])
            .then(rows[a].household.cmp(&rows[b].household))
    });
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(g) = group_of(r) {
            groups.entry(g).or_default().push(i);
        }
    }
    Ok(groups
        .into_iter()
        .map(|(g, members)| {
            let f = figures(&members, &labels, &probs, &rank, k, |a, b| {
                probs[a].total_cmp(&probs[b])
            });
            (g, f)
        })
        .collect())
}

/// [`subgroup_figures`] by the age band of the household's oldest adult,
/// the one protected characteristic the platform's records hold.
pub fn by_age_group(
    model: &Model,
    test: &TestSet,
    k: usize,
) -> Result<Vec<(String, EvaluationFigures)>, AssessError> {
    subgroup_figures(model, test, k, |r| {
        Some(
            r.features
                .age_band
                .map_or("age not recorded", |a| a.label())
                .to_string(),
        )
    })
}

/// Position of each row (0 = first) when ordered by `cmp`.
fn rank_by<C: Fn(usize, usize) -> Ordering>(n: usize, cmp: C) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| cmp(*a, *b));
    let mut rank = vec![0; n];
    for (pos, i) in order.into_iter().enumerate() {
        rank[i] = pos;
    }
    rank
}

/// Figures over `members` (indices into the test rows). `rank` is the
/// global ranking (top k selected); `score_cmp` orders by score ascending,
/// ties equal, for the AUC.
fn figures<C: Fn(usize, usize) -> Ordering>(
    members: &[usize],
    labels: &[bool],
    probs: &[f64],
    rank: &[usize],
    k: usize,
    score_cmp: C,
) -> EvaluationFigures {
    let n = members.len();
    let crises = members.iter().filter(|i| labels[**i]).count();
    let selected: Vec<usize> = members.iter().copied().filter(|i| rank[*i] < k).collect();
    let selected_crises = selected.iter().filter(|i| labels[**i]).count();
    let (mut brier, mut mean) = (0.0, 0.0);
    for i in members {
        let y = if labels[*i] { 1.0 } else { 0.0 };
        brier += (probs[*i] - y).powi(2);
        mean += probs[*i];
    }
    let per = |x: f64| if n > 0 { x / n as f64 } else { 0.0 };
    EvaluationFigures {
        households: n,
        crises,
        auc: auc(members, labels, score_cmp),
        selected: selected.len(),
        selected_crises,
        precision_at_k: (!selected.is_empty())
            .then(|| selected_crises as f64 / selected.len() as f64),
        recall_at_k: (crises > 0).then(|| selected_crises as f64 / crises as f64),
        brier: per(brier),
        mean_predicted: per(mean),
        observed_rate: per(crises as f64),
    }
}

/// Mann–Whitney AUC with tied scores given their mean rank.
fn auc<C: Fn(usize, usize) -> Ordering>(members: &[usize], labels: &[bool], cmp: C) -> Option<f64> {
    let mut order = members.to_vec();
    order.sort_by(|a, b| cmp(*a, *b));
    let pos = order.iter().filter(|i| labels[**i]).count();
    let neg = order.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && cmp(order[start], order[end]) == Ordering::Equal {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        let tied_pos = order[start..end].iter().filter(|i| labels[**i]).count();
        rank_sum += mean_rank * tied_pos as f64;
        start = end;
    }
    let (p, q) = (pos as f64, neg as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * q))
}

/// Ten equal-sized groups by predicted probability, lowest first.
fn calibration<C: Fn(usize, usize) -> Ordering>(
    probs: &[f64],
    labels: &[bool],
    cmp: C,
) -> Vec<CalibrationBin> {
    let n = probs.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| cmp(*a, *b));
    (0..10)
        .filter_map(|d| {
            let bin = &order[d * n / 10..(d + 1) * n / 10];
            if bin.is_empty() {
                return None;
            }
            let crises = bin.iter().filter(|i| labels[**i]).count();
            let mean = bin.iter().map(|i| probs[*i]).sum::<f64>() / bin.len() as f64;
            Some(CalibrationBin {
                decile: d + 1,
                households: bin.len(),
                crises,
                mean_predicted: mean,
                observed_rate: crises as f64 / bin.len() as f64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{AgeBand, FeatureVector};
    use crate::model::synth::{cutoffs, day, town};
    use crate::model::{train, training_set, FitOptions};

    fn trained(n: usize, seed: u64) -> (crate::model::synth::Town, Model) {
        let t = town(n, 36, seed);
        let set = training_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cutoffs(2024, 1..=6),
            6,
            day(2024, 12),
        );
        let Ok(set) = set else { panic!("training set") };
        let Ok(model) = train(&set, &FitOptions::default()) else {
            panic!("train")
        };
        (t, model)
    }

    #[test]
    fn auc_counts_ties_as_half() {
        let labels = [true, false, true, false];
        // Perfect, reversed, all tied.
        let s1: [f64; 4] = [0.9, 0.1, 0.8, 0.2];
        let s2: [f64; 4] = [0.1, 0.9, 0.2, 0.8];
        let all = [0, 1, 2, 3];
        assert_eq!(
            auc(&all, &labels, |a, b| s1[a].total_cmp(&s1[b])),
            Some(1.0)
        );
        assert_eq!(
            auc(&all, &labels, |a, b| s2[a].total_cmp(&s2[b])),
            Some(0.0)
        );
        assert_eq!(auc(&all, &labels, |_, _| Ordering::Equal), Some(0.5));
        assert_eq!(auc(&[0, 2], &labels, |_, _| Ordering::Equal), None);
    }

    #[test]
    fn capacity_scales_a_week_to_the_period() {
        assert_eq!(capacity_for_period(40, 6), 1040);
        assert_eq!(capacity_for_period(1, 12), 52);
    }

    #[test]
    fn leakage_is_refused() {
        let (t, model) = trained(600, 11);
        for (cutoff, ok) in [
            (day(2024, 6), false),
            (day(2024, 11), false),
            (day(2024, 12), true),
        ] {
            let Ok(test) = test_set(
                &t.households,
                |h, d| t.events(h, d),
                |h, d| t.resilience(h, d),
                cutoff,
                6,
                day(2025, 12),
            ) else {
                panic!("test set")
            };
            let result = evaluate(&model, &test, 100);
            assert_eq!(result.is_ok(), ok, "{cutoff}");
            if let Err(e) = result {
                assert!(e.to_string().starts_with("leakage"), "{e}");
            }
            assert_eq!(subgroup_figures(&model, &test, 100, |_| None).is_ok(), ok);
        }
        // And a test window beyond the data is impossible to build.
        assert!(test_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            day(2025, 7),
            6,
            day(2025, 12),
        )
        .is_err());
    }

    #[test]
    fn the_model_beats_the_arrears_baseline_on_unseen_months() {
        let (t, model) = trained(6000, 12);
        let Ok(test) = test_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            day(2024, 12),
            6,
            day(2025, 6),
        ) else {
            panic!("test set")
        };
        let k = 300;
        let Ok(e) = evaluate(&model, &test, k) else {
            panic!("evaluate")
        };
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
        assert_eq!(e.model.selected, k);
        assert_eq!(e.model.households, test.rows.len());
        let (Some(m), Some(b)) = (e.model.auc, e.baseline.auc) else {
            panic!("auc")
        };
        assert!(m > b + 0.05, "model AUC {m:.3} vs baseline {b:.3}");
        assert!(
            e.lift_at_k.is_some_and(|l| l > 1.2),
            "lift {:?}",
            e.lift_at_k
        );
        assert!(e.model.brier < e.baseline.brier + 1e-9);
        assert_eq!(e.model_calibration.len(), 10);
        assert_eq!(
            e.model_calibration
                .iter()
                .map(|b| b.households)
                .sum::<usize>(),
            test.rows.len()
        );
        // Calibrated on unseen months: top decile observed near predicted.
        let top = &e.model_calibration[9];
        assert!(
            (top.mean_predicted - top.observed_rate).abs() < 0.5 * top.observed_rate.max(0.01),
            "{top:?}"
        );
        assert!(e.model_calibration[9].observed_rate > 2.0 * e.model_calibration[0].observed_rate);
        let Ok(json) = serde_json::to_string(&e) else {
            panic!("json")
        };
        assert!(json.contains("lift_at_k"));
    }

    #[test]
    fn subgroups_share_the_global_selection() {
        let (t, model) = trained(1500, 13);
        let Ok(mut test) = test_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            day(2024, 12),
            6,
            day(2025, 6),
        ) else {
            panic!("test set")
        };
        for (i, r) in test.rows.iter_mut().enumerate() {
            r.features.age_band = if i % 2 == 0 {
                Some(AgeBand::From25To34)
            } else {
                None
            };
        }
        let k = 100;
        let (Ok(groups), Ok(e)) = (by_age_group(&model, &test, k), evaluate(&model, &test, k))
        else {
            panic!("figures")
        };
        assert_eq!(groups.len(), 2);
        assert_eq!(groups.iter().map(|(_, f)| f.selected).sum::<usize>(), k);
        assert_eq!(
            groups.iter().map(|(_, f)| f.selected_crises).sum::<usize>(),
            e.model.selected_crises
        );
        assert_eq!(
            groups.iter().map(|(_, f)| f.households).sum::<usize>(),
            test.rows.len()
        );
    }

    #[test]
    fn baseline_ranks_arrears_first_by_amount() {
        let row = |household: i64, arrears: i64, label: bool| LabelledRow {
            household,
            cutoff: day(2025, 1),
            features: FeatureVector {
                arrears_pence: arrears,
                ..Default::default()
            },
            label,
            weight: 1.0,
        };
        let (_, model) = trained(600, 14);
        let test = TestSet {
            cutoff: day(2025, 1),
            horizon_months: 6,
            label_end: day(2025, 7),
            data_end: day(2025, 7),
            rows: vec![
                row(1, 0, false),
                row(2, 50_000, true),
                row(3, 10_000, false),
                row(4, 0, true),
            ],
            counts: CutoffCounts {
                cutoff: day(2025, 1),
                households: 4,
                already_in_crisis: 0,
                crises: 2,
                rows: 4,
            },
        };
        let Ok(e) = evaluate(&model, &test, 1) else {
            panic!("evaluate")
        };
        assert_eq!(e.baseline.selected_crises, 1, "the largest arrears first");
        assert_eq!(e.baseline.precision_at_k, Some(1.0));
        assert_eq!(e.baseline.recall_at_k, Some(0.5));
        // Household 2 beats 3 (both in arrears), 3 beats 1 and 4 (none), 4 ties 1.
        // Positives 2 and 4: pairs (2>3, 2>1, 4~1, 4<3) = (1 + 1 + 0.5 + 0) / 4.
        assert_eq!(e.baseline.auc, Some(0.625));
    }
}
