//! Risk of crisis: an L2-regularised logistic regression for P(any crisis
//! within the next 6 months), trained from the platform's own history with
//! strict as-of handling and calibrated by Platt scaling on the last
//! training cutoff.
//!
//! The fit is a hand-written Newton (IRLS) solver: with ~50 features it
//! converges in a few passes, takes sample weights (needed because
//! negatives are subsampled), and avoids linfa-logistic's ~55 crates
//! (ndarray, argmin, sprs, two rand versions) on a two-core build.

use chrono::{NaiveDate, TimeDelta};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::features::{features, Feat, FeatureKind, FeatureVector, N_FEATURES};
use crate::input::{DetectedEvent, HouseholdInput, Resilience};
use crate::outcomes::{add_months, timeline};
use crate::AssessError;

/// The prediction horizon the issue asks for.
pub const HORIZON_MONTHS: u32 = 6;

/// Rows kept for training by default: every crisis, and negatives sampled
/// (with weights) to fill the rest. Enough for ~50 coefficients many times
/// over, and quick to fit.
pub const DEFAULT_MAX_ROWS: usize = 250_000;

/// A household that has left no trace for a year is no longer one the
/// platform would score.
const VISIBLE_DAYS: i64 = 365;

const MODEL_KIND: &str = "risk-lr-1";

/// One household at one cutoff: its features then, and whether a crisis
/// followed within the horizon.
#[derive(Debug, Clone)]
pub struct LabelledRow {
    pub household: i64,
    pub cutoff: NaiveDate,
    pub features: FeatureVector,
    /// A crisis dated in `(cutoff, cutoff + horizon]`.
    pub label: bool,
    /// How many households this row stands for (1 / sampling rate).
    pub weight: f32,
}

/// How many households each cutoff had, and what became of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutoffCounts {
    pub cutoff: NaiveDate,
    /// Visible households not already in crisis: the population scored.
    pub households: usize,
    /// Visible households left out because they were already in crisis.
    pub already_in_crisis: usize,
    /// Scored households with a crisis within the horizon.
    pub crises: usize,
    /// Rows kept (all crises, sampled non-crises).
    pub rows: usize,
}

/// Rows for fitting a model, with the window they come from.
#[derive(Debug, Clone)]
pub struct TrainingSet {
    pub rows: Vec<LabelledRow>,
    /// Sorted, distinct.
    pub cutoffs: Vec<NaiveDate>,
    pub horizon_months: u32,
    /// No record known after this date was read, labels included.
    pub data_end: NaiveDate,
    /// Share of non-crisis rows kept (1 = all).
    pub negative_rate: f64,
    pub counts: Vec<CutoffCounts>,
}

impl TrainingSet {
    /// The end of the last cutoff's label window: a test must start here or later.
    pub fn last_label_date(&self) -> Option<NaiveDate> {
        self.cutoffs
            .last()
            .and_then(|t| add_months(*t, self.horizon_months))
    }
}

/// Training rows at each cutoff: features as of the cutoff, labels from
/// `(T, T + horizon]`, households already in crisis at T left out.
/// Every cutoff must have its whole label window by `data_end`, and
/// nothing known after `data_end` is read: this is the leakage guard.
///
/// `events` and `resilience` give a household's life events and
/// resilience as of a date (the library's `detect`, the resilience measure).
pub fn training_set<E, R>(
    households: &[HouseholdInput],
    events: E,
    resilience: R,
    cutoffs: &[NaiveDate],
    horizon_months: u32,
    data_end: NaiveDate,
) -> Result<TrainingSet, AssessError>
where
    E: Fn(&HouseholdInput, NaiveDate) -> Vec<DetectedEvent> + Sync,
    R: Fn(&HouseholdInput, NaiveDate) -> Resilience + Sync,
{
    training_set_sampled(
        households,
        events,
        resilience,
        cutoffs,
        horizon_months,
        data_end,
        DEFAULT_MAX_ROWS,
    )
}

/// [`training_set`] keeping about `max_rows` rows: every crisis, and
/// non-crises sampled at one rate (deterministically, by household and
/// cutoff) and weighted by its inverse, so fitted probabilities still
/// describe the whole population.
pub fn training_set_sampled<E, R>(
    households: &[HouseholdInput],
    events: E,
    resilience: R,
    cutoffs: &[NaiveDate],
    horizon_months: u32,
    data_end: NaiveDate,
    max_rows: usize,
) -> Result<TrainingSet, AssessError>
where
    E: Fn(&HouseholdInput, NaiveDate) -> Vec<DetectedEvent> + Sync,
    R: Fn(&HouseholdInput, NaiveDate) -> Resilience + Sync,
{
    let mut t = ChunkedTraining::new(cutoffs, horizon_months, data_end, Some(max_rows))?;
    t.count(households)?;
    t.add_rows(households, &events, &resilience)?;
    Ok(t.finish())
}

#[derive(Clone, Copy)]
struct Candidate {
    index: u32,
    cutoff: u8,
    /// None: already in crisis (excluded); Some(label) otherwise.
    label: Option<bool>,
}

/// A training set built from households read a chunk at a time, so memory
/// holds one chunk and the sampled rows, never the whole council. Two passes
/// over the same chunks in the same order: [`count`](Self::count) every
/// chunk (labels only, cheap), then [`add_rows`](Self::add_rows) every chunk
/// (features for the rows kept). Sampling is by household and cutoff, so
/// the set is the same however the households are chunked.
pub struct ChunkedTraining {
    cutoffs: Vec<NaiveDate>,
    ends: Vec<NaiveDate>,
    horizon_months: u32,
    data_end: NaiveDate,
    max_rows: Option<usize>,
    /// Per cutoff: (households scored, already in crisis, crises, rows kept).
    tally: Vec<(usize, usize, usize, usize)>,
    rate: Option<f64>,
    rows: Vec<LabelledRow>,
}

impl ChunkedTraining {
    /// Check the window (the leakage guard: every cutoff's label window
    /// must end by `data_end`) and start counting.
    pub fn new(
        cutoffs: &[NaiveDate],
        horizon_months: u32,
        data_end: NaiveDate,
        max_rows: Option<usize>,
    ) -> Result<ChunkedTraining, AssessError> {
        let mut cutoffs = cutoffs.to_vec();
        cutoffs.sort();
        cutoffs.dedup();
        if cutoffs.is_empty() {
            return Err(AssessError::Invalid("no training cutoffs given".into()));
        }
        if horizon_months == 0 {
            return Err(AssessError::Invalid(
                "the horizon must be at least a month".into(),
            ));
        }
        if cutoffs.len() > u8::MAX as usize {
            return Err(AssessError::Invalid("at most 255 cutoffs".into()));
        }
        let mut ends = Vec::with_capacity(cutoffs.len());
        for t in &cutoffs {
            let end = add_months(*t, horizon_months)
                .ok_or_else(|| AssessError::Invalid(format!("cutoff {t} is out of range")))?;
            if end > data_end {
                return Err(AssessError::Invalid(format!(
                    "leakage guard: cutoff {t} needs outcomes up to {end}, but the data end on {data_end}"
                )));
            }
            ends.push(end);
        }
        Ok(ChunkedTraining {
            tally: vec![(0, 0, 0, 0); cutoffs.len()],
            cutoffs,
            ends,
            horizon_months,
            data_end,
            max_rows,
            rate: None,
            rows: Vec::new(),
        })
    }

    /// Every household visible at each cutoff, with its label.
    fn candidates(&self, households: &[HouseholdInput]) -> Result<Vec<Candidate>, AssessError> {
        if households.len() > u32::MAX as usize {
            return Err(AssessError::Invalid("too many households".into()));
        }
        let (cutoffs, ends, data_end) = (&self.cutoffs, &self.ends, self.data_end);
        Ok(households
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, h)| {
                let tl = timeline(h, data_end);
                cutoffs.iter().enumerate().filter_map(move |(c, t)| {
                    let seen = h.observations.partition_point(|o| o.known_on <= *t);
                    let visible = seen > 0
                        && h.observations[seen - 1].known_on > *t - TimeDelta::days(VISIBLE_DAYS);
                    visible.then(|| Candidate {
                        index: i as u32,
                        cutoff: c as u8,
                        label: (!tl.in_crisis_at(*t)).then(|| tl.any_crisis_in(*t, ends[c])),
                    })
                })
            })
            .collect())
    }

    /// The first pass: count one chunk's households and crises.
    pub fn count(&mut self, households: &[HouseholdInput]) -> Result<(), AssessError> {
        if self.rate.is_some() {
            return Err(AssessError::Invalid(
                "a training set is counted in full before its rows are added".into(),
            ));
        }
        for c in self.candidates(households)? {
            let t = &mut self.tally[c.cutoff as usize];
            match c.label {
                None => t.1 += 1,
                Some(crisis) => {
                    t.0 += 1;
                    t.2 += usize::from(crisis);
                }
            }
        }
        Ok(())
    }

    /// The share of non-crisis rows kept: every crisis, and non-crises to
    /// fill the budget (at least a quarter of it).
    fn rate(&self) -> f64 {
        let positives: usize = self.tally.iter().map(|t| t.2).sum();
        let negatives: usize = self.tally.iter().map(|t| t.0 - t.2).sum();
        match self.max_rows {
            Some(max) if negatives > 0 => {
                let room = max.saturating_sub(positives).max(max / 4);
                (room as f64 / negatives as f64).min(1.0)
            }
            _ => 1.0,
        }
    }

    /// The second pass: features for one chunk's rows kept.
    pub fn add_rows<E, R>(
        &mut self,
        households: &[HouseholdInput],
        events: &E,
        resilience: &R,
    ) -> Result<(), AssessError>
    where
        E: Fn(&HouseholdInput, NaiveDate) -> Vec<DetectedEvent> + Sync,
        R: Fn(&HouseholdInput, NaiveDate) -> Resilience + Sync,
    {
        // Fixed at the first chunk's rows, from every chunk's counts.
        let rate = match self.rate {
            Some(r) => r,
            None => {
                let r = self.rate();
                self.rate = Some(r);
                r
            }
        };
        let cutoffs = &self.cutoffs;
        let kept: Vec<Candidate> = self
            .candidates(households)?
            .into_iter()
            .filter(|c| match c.label {
                Some(true) => true,
                Some(false) => {
                    rate >= 1.0
                        || unit_hash(
                            households[c.index as usize].household,
                            cutoffs[c.cutoff as usize],
                        ) < rate
                }
                None => false,
            })
            .collect();
        for c in &kept {
            self.tally[c.cutoff as usize].3 += 1;
        }
        let negative_weight = (1.0 / rate) as f32;
        let rows: Vec<LabelledRow> = kept
            .par_iter()
            .map(|c| {
                let h = &households[c.index as usize];
                let t = cutoffs[c.cutoff as usize];
                let ev = events(h, t);
                let res = resilience(h, t);
                let label = c.label == Some(true);
                LabelledRow {
                    household: h.household,
                    cutoff: t,
                    features: features(h, &ev, &res, t),
                    label,
                    weight: if label { 1.0 } else { negative_weight },
                }
            })
            .collect();
        self.rows.extend(rows);
        Ok(())
    }

    /// The rows, the per-cutoff counts, and the share of non-crises kept.
    pub(crate) fn into_parts(self) -> (Vec<LabelledRow>, Vec<CutoffCounts>, f64) {
        let rate = self.rate.unwrap_or_else(|| self.rate());
        let counts = self
            .cutoffs
            .iter()
            .zip(&self.tally)
            .map(
                |(t, &(households, already_in_crisis, crises, rows))| CutoffCounts {
                    cutoff: *t,
                    households,
                    already_in_crisis,
                    crises,
                    rows,
                },
            )
            .collect();
        (self.rows, counts, rate)
    }

    /// The training set.
    pub fn finish(self) -> TrainingSet {
        let cutoffs = self.cutoffs.clone();
        let (horizon_months, data_end) = (self.horizon_months, self.data_end);
        let (rows, counts, negative_rate) = self.into_parts();
        TrainingSet {
            rows,
            cutoffs,
            horizon_months,
            data_end,
            negative_rate,
            counts,
        }
    }
}

/// Labels every visible household at every cutoff in one pass each, then
/// computes features only for the rows kept: the expensive part (events,
/// resilience, features) runs on the sample, not the population.
#[allow(clippy::type_complexity)]
pub(crate) fn labelled_rows<E, R>(
    households: &[HouseholdInput],
    events: &E,
    resilience: &R,
    cutoffs: &[NaiveDate],
    horizon_months: u32,
    data_end: NaiveDate,
    max_rows: Option<usize>,
) -> Result<(Vec<LabelledRow>, Vec<CutoffCounts>, f64), AssessError>
where
    E: Fn(&HouseholdInput, NaiveDate) -> Vec<DetectedEvent> + Sync,
    R: Fn(&HouseholdInput, NaiveDate) -> Resilience + Sync,
{
    let mut t = ChunkedTraining::new(cutoffs, horizon_months, data_end, max_rows)?;
    t.count(households)?;
    t.add_rows(households, events, resilience)?;
    Ok(t.into_parts())
}

/// A stable pseudo-random number in [0, 1) for a household at a cutoff
/// (splitmix64): the same rows are sampled on every run.
fn unit_hash(household: i64, cutoff: NaiveDate) -> f64 {
    let mut z = (household as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(cutoff.to_epoch_days() as u64)
        .wrapping_add(0x632B_E59B_D9B4_E019);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Settings for fitting.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// L2 penalties tried (on the mean log loss, standardised features);
    /// the one with the lowest held-out log loss is kept.
    pub l2_grid: Vec<f64>,
    pub max_iterations: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            l2_grid: vec![1e-2, 1e-3, 1e-4],
            max_iterations: 50,
        }
    }
}

/// Platt scaling: calibrated logit = a × model logit + b.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub method: String,
    pub a: f64,
    pub b: f64,
    /// The cutoff whose rows were held out for calibration (and the
    /// choice of penalty), when there were two or more cutoffs.
    pub held_out_cutoff: Option<NaiveDate>,
    pub held_out_rows: usize,
    pub held_out_crises: usize,
    /// Weighted log loss on the held-out rows before and after.
    pub log_loss_before: f64,
    pub log_loss_after: f64,
}

/// Crisis rates among households in arrears and not, from the training
/// rows: the probabilities of the "anyone in arrears" baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineRates {
    pub in_arrears: f64,
    pub not_in_arrears: f64,
}

/// What a model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub rows: usize,
    pub crises: usize,
    pub negative_rate: f64,
    pub cutoffs: Vec<CutoffCounts>,
}

/// A fitted, calibrated model. Stored as JSON; `version` names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// `risk-lr-1:` and a hash of the coefficients and training window.
    pub version: String,
    pub horizon_months: u32,
    pub first_cutoff: NaiveDate,
    pub last_cutoff: NaiveDate,
    /// The end of the last training label window: tests start here or later.
    pub last_label_date: NaiveDate,
    /// Nothing known after this date was read in training.
    pub data_end: NaiveDate,
    /// Feature names, in the order of the coefficients.
    pub features: Vec<String>,
    /// Training mean and standard deviation of each feature.
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub intercept: f64,
    /// Change in log-odds per standard deviation of each feature.
    pub coefficients: Vec<f64>,
    pub l2: f64,
    pub calibration: Calibration,
    pub baseline: BaselineRates,
    pub training: TrainingSummary,
}

/// A household's risk: a calibrated probability of crisis within the
/// horizon, and the top reasons in plain English.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub probability: f64,
    pub reasons: Vec<String>,
}

/// One feature's push towards crisis for one household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub feature: String,
    /// Added log-odds compared with an average household.
    pub contribution: f64,
    pub reason: String,
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// log(1 + e^x) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else if x < -30.0 {
        x.exp()
    } else {
        x.exp().ln_1p()
    }
}

impl Model {
    /// The model's log-odds before calibration.
    fn raw_logit(&self, f: &FeatureVector) -> f64 {
        (0..N_FEATURES).fold(self.intercept, |eta, j| eta + self.contribution(f, j))
    }

    /// Feature `j`'s log-odds for this household against an average one
    /// (0 if a hand-built model lacks the coefficient: [`Model::check`]
    /// catches that; scoring never panics on it).
    fn contribution(&self, f: &FeatureVector, j: usize) -> f64 {
        match (
            self.coefficients.get(j),
            self.mean.get(j),
            self.scale.get(j),
            f.values.get(j),
        ) {
            (Some(c), Some(m), Some(s), Some(x)) => c * (f64::from(*x) - m) / s,
            _ => 0.0,
        }
    }

    /// The calibrated probability of a crisis within the horizon.
    pub fn probability(&self, f: &FeatureVector) -> f64 {
        sigmoid(self.calibration.a * self.raw_logit(f) + self.calibration.b)
    }

    /// Probability and the top three reasons.
    pub fn score(&self, f: &FeatureVector) -> Score {
        Score {
            probability: self.probability(f),
            reasons: self.factors(f, 3).into_iter().map(|x| x.reason).collect(),
        }
    }

    /// The `n` features pushing this household's risk up most, compared
    /// with an average household (coefficient × (value − mean)). Presence
    /// features count only when present, so a reason always describes
    /// something true of the household.
    pub fn factors(&self, f: &FeatureVector, n: usize) -> Vec<Factor> {
        let mut parts: Vec<(usize, f64)> = Feat::ALL
            .iter()
            .enumerate()
            .filter_map(|(j, feat)| {
                let x = f.values[j];
                if feat.kind() == FeatureKind::Presence && x <= 0.0 {
                    return None;
                }
                let c = self.calibration.a * self.contribution(f, j);
                (c > 1e-6).then_some((j, c))
            })
            .collect();
        parts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        parts
            .into_iter()
            .take(n)
            .map(|(j, c)| Factor {
                feature: Feat::ALL[j].name().to_string(),
                contribution: c,
                reason: Feat::ALL[j].phrase(f.values[j], self.mean.get(j).copied().unwrap_or(0.0)),
            })
            .collect()
    }

    pub fn to_json(&self) -> Result<String, AssessError> {
        serde_json::to_string_pretty(self).map_err(|e| AssessError::Invalid(e.to_string()))
    }

    /// Reads a stored model, refusing one whose features are not this
    /// build's or whose version does not match its contents.
    pub fn from_json(text: &str) -> Result<Model, AssessError> {
        let m: Model = serde_json::from_str(text)
            .map_err(|e| AssessError::Invalid(format!("risk model: {e}")))?;
        m.check()?;
        Ok(m)
    }

    /// The model fits this build: same features in the same order, every
    /// vector the right length, and the version matching the contents.
    pub fn check(&self) -> Result<(), AssessError> {
        let names: Vec<&str> = Feat::ALL.iter().map(|f| f.name()).collect();
        if self.features != names {
            return Err(AssessError::Invalid(
                "risk model: its features are not this version's; train it again".into(),
            ));
        }
        if self.mean.len() != N_FEATURES
            || self.scale.len() != N_FEATURES
            || self.coefficients.len() != N_FEATURES
            || self.scale.iter().any(|s| s.is_nan() || *s <= 0.0)
        {
            return Err(AssessError::Invalid(
                "risk model: malformed coefficients".into(),
            ));
        }
        if self.version != self.computed_version() {
            return Err(AssessError::Invalid(
                "risk model: version does not match its contents".into(),
            ));
        }
        Ok(())
    }

    fn computed_version(&self) -> String {
        // FNV-1a over everything that changes a score or the window.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for name in &self.features {
            eat(name.as_bytes());
        }
        for v in self
            .mean
            .iter()
            .chain(&self.scale)
            .chain(&self.coefficients)
            .chain([&self.intercept, &self.calibration.a, &self.calibration.b])
        {
            eat(&v.to_bits().to_le_bytes());
        }
        for d in [
            self.first_cutoff,
            self.last_cutoff,
            self.last_label_date,
            self.data_end,
        ] {
            eat(d.to_string().as_bytes());
        }
        eat(&self.horizon_months.to_le_bytes());
        format!("{MODEL_KIND}:{:012x}", h >> 16)
    }
}

/// Rows in sparse form: features are mostly zero, so the Hessian is built
/// from each row's non-zero features only.
struct Sparse {
    start: Vec<usize>,
    index: Vec<u8>,
    value: Vec<f32>,
    label: Vec<bool>,
    weight: Vec<f64>,
}

impl Sparse {
    fn new<'a>(rows: impl Iterator<Item = &'a LabelledRow>) -> Sparse {
        let mut s = Sparse {
            start: vec![0],
            index: Vec::new(),
            value: Vec::new(),
            label: Vec::new(),
            weight: Vec::new(),
        };
        for r in rows {
            for (j, v) in r.features.values.iter().enumerate() {
                if *v != 0.0 {
                    s.index.push(j as u8);
                    s.value.push(*v);
                }
            }
            s.start.push(s.index.len());
            s.label.push(r.label);
            s.weight.push(f64::from(r.weight));
        }
        s
    }

    fn len(&self) -> usize {
        self.label.len()
    }

    fn total_weight(&self) -> f64 {
        self.weight.iter().sum()
    }

    fn crises(&self) -> usize {
        self.label.iter().filter(|l| **l).count()
    }

    /// Log-odds of row `i` under raw-scale weights `v` (v[0] the intercept).
    fn eta(&self, v: &[f64], i: usize) -> f64 {
        let mut e = v[0];
        for k in self.start[i]..self.start[i + 1] {
            e += v[1 + self.index[k] as usize] * f64::from(self.value[k]);
        }
        e
    }

    /// Weighted mean log loss under raw-scale weights `v`.
    fn log_loss(&self, v: &[f64]) -> f64 {
        let (loss, w) = (0..self.len())
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| {
                let e = self.eta(v, i);
                let y = if self.label[i] { e } else { 0.0 };
                (self.weight[i] * (softplus(e) - y), self.weight[i])
            })
            .reduce(|| (0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        if w > 0.0 {
            loss / w
        } else {
            0.0
        }
    }
}

const D: usize = N_FEATURES + 1;

/// Standardisation: z_j = (x_j − mean_j) / scale_j.
struct Standard {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

impl Standard {
    fn of(rows: &[&LabelledRow]) -> Standard {
        let w: f64 = rows
            .iter()
            .map(|r| f64::from(r.weight))
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let mut mean = vec![0.0; N_FEATURES];
        for r in rows {
            for (j, v) in r.features.values.iter().enumerate() {
                mean[j] += f64::from(r.weight) * f64::from(*v);
            }
        }
        mean.iter_mut().for_each(|m| *m /= w);
        let mut var = vec![0.0; N_FEATURES];
        for r in rows {
            for (j, v) in r.features.values.iter().enumerate() {
                var[j] += f64::from(r.weight) * (f64::from(*v) - mean[j]).powi(2);
            }
        }
        // A constant feature keeps scale 1: its centred value is always 0.
        let scale = var
            .iter()
            .map(|v| {
                let sd = (v / w).sqrt();
                if sd > 1e-9 {
                    sd
                } else {
                    1.0
                }
            })
            .collect();
        Standard { mean, scale }
    }

    /// Raw-scale weights (intercept first) from standardised coefficients.
    fn raw(&self, beta: &[f64]) -> Vec<f64> {
        let mut v = vec![0.0; D];
        v[0] = beta[0];
        for j in 0..N_FEATURES {
            v[1 + j] = beta[1 + j] / self.scale[j];
            v[0] -= beta[1 + j] * self.mean[j] / self.scale[j];
        }
        v
    }
}

/// Minimises weighted mean log loss + l2/2 × |β|² (intercept free) by
/// Newton's method with backtracking, in standardised coordinates. Sums
/// run over raw sparse features and are mapped to standardised ones
/// (z = A u) afterwards.
fn newton(data: &Sparse, st: &Standard, l2: f64, start: &[f64], max_iter: usize) -> Vec<f64> {
    let w_total = data.total_weight().max(f64::MIN_POSITIVE);
    let objective = |beta: &[f64]| {
        data.log_loss(&st.raw(beta)) + 0.5 * l2 * beta[1..].iter().map(|b| b * b).sum::<f64>()
    };
    let mut beta = start.to_vec();
    let mut current = objective(&beta);
    for _ in 0..max_iter {
        let v = st.raw(&beta);
        // Gradient and Hessian over raw u = (1, x).
        let (g_u, h_u) = (0..data.len())
            .into_par_iter()
            .with_min_len(8192)
            .fold(
                || (vec![0.0; D], vec![0.0; D * D]),
                |(mut g, mut h), i| {
                    let p = sigmoid(data.eta(&v, i));
                    let w = data.weight[i];
                    let r = w * (p - if data.label[i] { 1.0 } else { 0.0 });
                    let c = w * p * (1.0 - p);
                    let (s, e) = (data.start[i], data.start[i + 1]);
                    g[0] += r;
                    h[0] += c;
                    for k in s..e {
                        let a = 1 + data.index[k] as usize;
                        let xa = f64::from(data.value[k]);
                        g[a] += r * xa;
                        h[a] += c * xa;
                        for l in k..e {
                            let b = 1 + data.index[l] as usize;
                            h[a * D + b] += c * xa * f64::from(data.value[l]);
                        }
                    }
                    (g, h)
                },
            )
            .reduce(
                || (vec![0.0; D], vec![0.0; D * D]),
                |(mut g1, mut h1), (g2, h2)| {
                    g1.iter_mut().zip(&g2).for_each(|(a, b)| *a += b);
                    h1.iter_mut().zip(&h2).for_each(|(a, b)| *a += b);
                    (g1, h1)
                },
            );
        // h_u holds row 0 in [0..D] as (0,0),(0,a) and the upper triangle.
        let mut hu = vec![0.0; D * D];
        hu[0] = h_u[0];
        for a in 1..D {
            hu[a] = h_u[a];
            hu[a * D] = h_u[a];
            for b in a..D {
                hu[a * D + b] = h_u[a * D + b];
                hu[b * D + a] = h_u[a * D + b];
            }
        }
        // A maps u to z: row 0 = e0; row j = (−m/s) e0 + (1/s) e_j.
        let a_row = |r: usize| -> [(usize, f64); 2] {
            if r == 0 {
                [(0, 1.0), (0, 0.0)]
            } else {
                let j = r - 1;
                [(0, -st.mean[j] / st.scale[j]), (r, 1.0 / st.scale[j])]
            }
        };
        let mut grad = vec![0.0; D];
        let mut hess = vec![0.0; D * D];
        for r in 0..D {
            for (k, av) in a_row(r) {
                grad[r] += av * g_u[k] / w_total;
            }
            for c in r..D {
                let mut s = 0.0;
                for (k, av) in a_row(r) {
                    for (l, bv) in a_row(c) {
                        s += av * bv * hu[k * D + l];
                    }
                }
                hess[r * D + c] = s / w_total;
                hess[c * D + r] = s / w_total;
            }
        }
        for j in 1..D {
            grad[j] += l2 * beta[j];
            hess[j * D + j] += l2;
        }
        let Some(step) = solve_spd(&hess, &grad) else {
            break;
        };
        let decrement: f64 = step.iter().zip(&grad).map(|(s, g)| s * g).sum();
        if decrement < 1e-12 {
            break;
        }
        // Backtracking: Newton can overshoot far from the optimum.
        let mut t = 1.0;
        let mut accepted = false;
        while t > 1e-6 {
            let trial: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b - t * s).collect();
            let value = objective(&trial);
            if value <= current - 1e-4 * t * decrement {
                beta = trial;
                current = value;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted || decrement < 1e-10 {
            break;
        }
    }
    beta
}

/// Solves H x = g for symmetric positive definite H (Cholesky), adding a
/// little to the diagonal if rounding leaves it indefinite.
fn solve_spd(h: &[f64], g: &[f64]) -> Option<Vec<f64>> {
    let n = g.len();
    for jitter in [0.0, 1e-10, 1e-8, 1e-6] {
        let mut l = vec![0.0; n * n];
        let mut ok = true;
        'outer: for i in 0..n {
            for j in 0..=i {
                let mut s = h[i * n + j] + if i == j { jitter } else { 0.0 };
                for k in 0..j {
                    s -= l[i * n + k] * l[j * n + k];
                }
                if i == j {
                    if s <= 0.0 || !s.is_finite() {
                        ok = false;
                        break 'outer;
                    }
                    l[i * n + i] = s.sqrt();
                } else {
                    l[i * n + j] = s / l[j * n + j];
                }
            }
        }
        if !ok {
            continue;
        }
        let mut y = vec![0.0; n];
        for i in 0..n {
            let mut s = g[i];
            for k in 0..i {
                s -= l[i * n + k] * y[k];
            }
            y[i] = s / l[i * n + i];
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let mut s = y[i];
            for k in i + 1..n {
                s -= l[k * n + i] * x[k];
            }
            x[i] = s / l[i * n + i];
        }
        return Some(x);
    }
    None
}

/// Platt scaling: fits p = σ(a·η + b) to held-out rows by Newton, with
/// Platt's smoothed targets so a small held-out set does not give 0 or 1.
fn platt(etas: &[f64], labels: &[bool], weights: &[f64]) -> Option<(f64, f64)> {
    let pos = labels.iter().filter(|l| **l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let (t_pos, t_neg) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
    let loss = |a: f64, b: f64| {
        etas.iter()
            .zip(labels)
            .zip(weights)
            .map(|((e, y), w)| {
                let s = a * e + b;
                let t = if *y { t_pos } else { t_neg };
                w * (softplus(s) - t * s)
            })
            .sum::<f64>()
    };
    let (mut a, mut b) = (1.0, 0.0);
    let mut current = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for ((e, y), w) in etas.iter().zip(labels).zip(weights) {
            let p = sigmoid(a * e + b);
            let t = if *y { t_pos } else { t_neg };
            let r = w * (p - t);
            let c = w * p * (1.0 - p);
            ga += r * e;
            gb += r;
            haa += c * e * e;
            hab += c * e;
            hbb += c;
        }
        let step = solve_spd(&[haa + 1e-12, hab, hab, hbb + 1e-12], &[ga, gb])?;
        let decrement = step[0] * ga + step[1] * gb;
        let mut t = 1.0;
        let mut moved = false;
        while t > 1e-8 {
            let (na, nb) = (a - t * step[0], b - t * step[1]);
            let value = loss(na, nb);
            if value <= current - 1e-4 * t * decrement {
                (a, b, current) = (na, nb, value);
                moved = true;
                break;
            }
            t *= 0.5;
        }
        if !moved || decrement.abs() < 1e-12 {
            break;
        }
    }
    (a.is_finite() && b.is_finite()).then_some((a, b))
}

fn weighted_log_loss(probs: &[f64], labels: &[bool], weights: &[f64]) -> f64 {
    let (mut l, mut w) = (0.0, 0.0);
    for ((p, y), wt) in probs.iter().zip(labels).zip(weights) {
        let p = p.clamp(1e-12, 1.0 - 1e-12);
        l -= wt * if *y { p.ln() } else { (1.0 - p).ln() };
        w += wt;
    }
    if w > 0.0 {
        l / w
    } else {
        0.0
    }
}

/// Fits the model: penalty chosen on, and Platt scaling fitted to, the
/// rows of the last cutoff, held out from the fit (with one cutoff, a
/// quarter of households chosen by hash). See docs/assessment.md.
pub fn train(set: &TrainingSet, opts: &FitOptions) -> Result<Model, AssessError> {
    let (Some(first), Some(last)) = (set.cutoffs.first(), set.cutoffs.last()) else {
        return Err(AssessError::Invalid(
            "the training set has no cutoffs".into(),
        ));
    };
    let last_label_date = set
        .last_label_date()
        .ok_or_else(|| AssessError::Invalid("training window out of range".into()))?;
    let crises = set.rows.iter().filter(|r| r.label).count();
    if crises == 0 || crises == set.rows.len() {
        return Err(AssessError::Invalid(format!(
            "cannot train: {} rows of which {crises} had a crisis; both kinds are needed",
            set.rows.len()
        )));
    }
    if opts.l2_grid.is_empty() || opts.l2_grid.iter().any(|l| l.is_nan() || *l <= 0.0) {
        return Err(AssessError::Invalid(
            "the L2 penalties must be positive".into(),
        ));
    }
    let by_cutoff = set.cutoffs.len() >= 2;
    let held = |r: &LabelledRow| {
        if by_cutoff {
            r.cutoff == *last
        } else {
            unit_hash(r.household, NaiveDate::MIN) < 0.25
        }
    };
    let mut fit_rows: Vec<&LabelledRow> = set.rows.iter().filter(|r| !held(r)).collect();
    let mut held_rows: Vec<&LabelledRow> = set.rows.iter().filter(|r| held(r)).collect();
    let has_both =
        |rows: &[&LabelledRow]| rows.iter().any(|r| r.label) && rows.iter().any(|r| !r.label);
    let calibrate = has_both(&fit_rows) && has_both(&held_rows);
    if !calibrate {
        // Too few crises to hold any out: fit on everything, uncalibrated.
        fit_rows = set.rows.iter().collect();
        held_rows = Vec::new();
    }
    let st = Standard::of(&fit_rows);
    let fit = Sparse::new(fit_rows.iter().copied());
    let hold = Sparse::new(held_rows.iter().copied());

    // Largest penalty first, each fit starting from the last.
    let mut grid = opts.l2_grid.clone();
    grid.sort_by(|a, b| b.total_cmp(a));
    let mut beta = vec![0.0; D];
    let base = fit.crises() as f64 / fit.len() as f64;
    beta[0] = (base / (1.0 - base)).ln();
    let mut best: Option<(f64, f64, Vec<f64>)> = None;
    for l2 in grid {
        beta = newton(&fit, &st, l2, &beta, opts.max_iterations);
        let score = if calibrate {
            hold.log_loss(&st.raw(&beta))
        } else {
            0.0
        };
        if best.as_ref().is_none_or(|(s, _, _)| score < *s) {
            best = Some((score, l2, beta.clone()));
        }
        if !calibrate {
            // Nothing to choose with: keep the largest (safest) penalty.
            break;
        }
    }
    let Some((raw_loss, l2, beta)) = best else {
        return Err(AssessError::Invalid("no penalty to fit with".into()));
    };
    let v = st.raw(&beta);
    let calibration = if calibrate {
        let etas: Vec<f64> = (0..hold.len()).map(|i| hold.eta(&v, i)).collect();
        match platt(&etas, &hold.label, &hold.weight).filter(|(a, _)| *a > 0.0) {
            Some((a, b)) => {
                let probs: Vec<f64> = etas.iter().map(|e| sigmoid(a * e + b)).collect();
                Calibration {
                    method: "Platt scaling on the held-out last cutoff".into(),
                    a,
                    b,
                    held_out_cutoff: by_cutoff.then_some(*last),
                    held_out_rows: hold.len(),
                    held_out_crises: hold.crises(),
                    log_loss_before: raw_loss,
                    log_loss_after: weighted_log_loss(&probs, &hold.label, &hold.weight),
                }
            }
            None => uncalibrated(raw_loss, hold.len(), hold.crises()),
        }
    } else {
        uncalibrated(0.0, 0, 0)
    };

    let (mut arrears, mut clear) = ((0.0, 0.0), (0.0, 0.0));
    for r in &set.rows {
        let w = f64::from(r.weight);
        let slot = if r.features.arrears_pence > 0 {
            &mut arrears
        } else {
            &mut clear
        };
        slot.0 += if r.label { w } else { 0.0 };
        slot.1 += w;
    }
    let rate = |(c, n): (f64, f64)| if n > 0.0 { c / n } else { 0.0 };
    let mut model = Model {
        version: String::new(),
        horizon_months: set.horizon_months,
        first_cutoff: *first,
        last_cutoff: *last,
        last_label_date,
        data_end: set.data_end,
        features: Feat::ALL.iter().map(|f| f.name().to_string()).collect(),
        mean: st.mean,
        scale: st.scale,
        intercept: beta[0],
        coefficients: beta[1..].to_vec(),
        l2,
        calibration,
        baseline: BaselineRates {
            in_arrears: rate(arrears),
            not_in_arrears: rate(clear),
        },
        training: TrainingSummary {
            rows: set.rows.len(),
            crises,
            negative_rate: set.negative_rate,
            cutoffs: set.counts.clone(),
        },
    };
    model.version = model.computed_version();
    Ok(model)
}

fn uncalibrated(loss: f64, rows: usize, crises: usize) -> Calibration {
    Calibration {
        method: "none: too few crises to hold out; probabilities from the weighted fit".into(),
        a: 1.0,
        b: 0.0,
        held_out_cutoff: None,
        held_out_rows: rows,
        held_out_crises: crises,
        log_loss_before: loss,
        log_loss_after: loss,
    }
}

/// A small synthetic town for tests: households whose records (rent and
/// council tax snapshots, benefit claims, crisis support contacts) follow
/// from a latent "difficulty", separations and resilience, so a model has
/// something real to find and the arrears baseline only part of it.
#[cfg(test)]
pub(crate) mod synth {
    use std::collections::HashMap;

    use chrono::{Datelike, NaiveDate};

    use crate::input::{
        DetectedEvent, HouseholdInput, Member, Observation, Resilience, ResilienceBand,
    };

    pub(crate) struct Town {
        pub households: Vec<HouseholdInput>,
        pub events: HashMap<i64, Vec<DetectedEvent>>,
        pub resilience: HashMap<i64, u8>,
    }

    impl Town {
        pub(crate) fn events(&self, h: &HouseholdInput, as_of: NaiveDate) -> Vec<DetectedEvent> {
            self.events
                .get(&h.household)
                .map(|v| v.iter().filter(|e| e.date <= as_of).cloned().collect())
                .unwrap_or_default()
        }

        pub(crate) fn resilience(&self, h: &HouseholdInput, _as_of: NaiveDate) -> Resilience {
            let score = self.resilience.get(&h.household).copied().unwrap_or(50);
            Resilience {
                score,
                band: if score < 34 {
                    ResilienceBand::Low
                } else if score < 67 {
                    ResilienceBand::Medium
                } else {
                    ResilienceBand::High
                },
                parts: vec![],
            }
        }
    }

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

    fn month_end(year: i32, month: u32) -> NaiveDate {
        let (y, m) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MIN)
    }

    fn o(source: &str, key: String, known_on: NaiveDate, attrs: &[(&str, String)]) -> Observation {
        Observation {
            source: source.into(),
            record_key: key,
            person: 0,
            row_means: String::new(),
            known_on,
            event_date: Some(known_on),
            dob: None,
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    /// `n` households over `months` months from January 2023.
    pub(crate) fn town(n: usize, months: u32, seed: u64) -> Town {
        let mut households = Vec::with_capacity(n);
        let mut events = HashMap::new();
        let mut resilience = HashMap::new();
        for i in 0..n {
            let id = i as i64 + 1;
            let mut rng = Rng(seed ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            rng.next();
            let tenant = rng.next() < 0.35;
            let claim = rng.next() < 0.3;
            let not_working = claim && rng.next() < 0.5;
            let res = (rng.next() * 100.0) as u8;
            let weekly = 9_000 + (rng.next() * 3_000.0) as i64;
            resilience.insert(id, res);
            let (mut difficulty, mut rent, mut ct, mut stage) = (false, 0i64, 0i64, 0usize);
            let mut obs = Vec::new();
            let mut evs: Vec<DetectedEvent> = Vec::new();
            let mut last_separation: Option<u32> = None;
            for m in 0..months {
                let day = month_end(2023 + (m / 12) as i32, m % 12 + 1);
                if rng.next() < 0.012 {
                    last_separation = Some(m);
                    evs.push(DetectedEvent {
                        event: "separation".into(),
                        date: day.with_day(10).unwrap_or(day),
                        person: None,
                        detail: String::new(),
                        evidence: vec![],
                    });
                }
                let sep_recent = last_separation.is_some_and(|s| m - s < 3);
                let cushion = (f64::from(res) - 50.0) / 50.0;
                difficulty = if difficulty {
                    rng.next() > 0.15
                } else {
                    rng.next() < 0.03 * if sep_recent { 4.0 } else { 1.0 } * (-cushion).exp()
                };
                if difficulty && tenant && rng.next() < 0.7 {
                    rent += weekly * 2;
                } else {
                    rent -= (rent * 3 / 10).max(0).min(rent);
                }
                if difficulty && rng.next() < 0.5 {
                    ct += 15_000;
                    stage = (stage + 1).min(4);
                } else if rng.next() < 0.6 {
                    ct = (ct - 15_000).max(0);
                    if ct == 0 {
                        stage = 0;
                    }
                }
                if tenant {
                    obs.push(o(
                        "rent",
                        format!("T{id}/1"),
                        day,
                        &[
                            ("balance", rent.to_string()),
                            ("weekly_rent", weekly.to_string()),
                        ],
                    ));
                }
                let stages = ["", "reminder", "final_notice", "summons", "liability_order"];
                obs.push(o(
                    "council_tax",
                    format!("{id}/1"),
                    day,
                    &[
                        ("balance", ct.to_string()),
                        ("recovery_stage", stages[stage].into()),
                    ],
                ));
                if claim {
                    obs.push(o(
                        "benefits",
                        format!("HB{id}/claimant"),
                        day,
                        &[(
                            "employment_status",
                            if not_working {
                                "not_working"
                            } else {
                                "employed"
                            }
                            .into(),
                        )],
                    ));
                }
                let logit = -6.3
                    + if difficulty { 1.2 } else { 0.0 }
                    + if sep_recent { 1.8 } else { 0.0 }
                    + if not_working { 0.9 } else { 0.0 }
                    - 1.3 * cushion;
                if rng.next() < 1.0 / (1.0 + (-logit).exp()) {
                    let date = day.with_day(15).unwrap_or(day);
                    obs.push(o(
                        "contact_centre",
                        format!("CC{id}-{m}"),
                        date,
                        &[("topic", "crisis_support_application".into())],
                    ));
                }
            }
            obs.sort_by_key(|o| o.known_on);
            events.insert(id, evs);
            households.push(HouseholdInput {
                household: id,
                area: None,
                members: vec![Member {
                    person: id,
                    dob: None,
                    first_seen: Some(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(NaiveDate::MIN)),
                }],
                moved_in: None,
                observations: obs,
            });
        }
        Town {
            households,
            events,
            resilience,
        }
    }

    pub(crate) fn cutoffs(year: i32, months: std::ops::RangeInclusive<u32>) -> Vec<NaiveDate> {
        months.map(|m| month_end(year, m)).collect()
    }

    pub(crate) fn day(y: i32, m: u32) -> NaiveDate {
        month_end(y, m)
    }

    #[test]
    fn the_town_has_crises() {
        let t = town(300, 24, 1);
        let n: usize = t
            .households
            .iter()
            .map(|h| crate::outcomes::crises(h, NaiveDate::MIN, NaiveDate::MAX).len())
            .sum();
        assert!(n > 10 && n < 2000, "{n}");
        assert!(t.households.iter().all(|h| h
            .observations
            .first()
            .is_some_and(|o| o.known_on.year() == 2023)));
    }
}

#[cfg(test)]
mod tests {
    use super::synth::{cutoffs, day, town};
    use super::*;

    #[test]
    fn leakage_guard_refuses_cutoffs_without_a_whole_label_window() {
        let t = town(50, 24, 2);
        let err = training_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cutoffs(2024, 1..=7),
            6,
            day(2024, 12),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("leakage guard"), "{err}");
        assert!(training_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cutoffs(2024, 1..=6),
            6,
            day(2024, 12),
        )
        .is_ok());
    }

    /// Read a chunk at a time (a council's households do not fit in
    /// memory), the training set is the one read whole: the same rows in
    /// the same order, the same sample, the same counts.
    #[test]
    fn a_training_set_built_in_chunks_is_the_one_built_whole() {
        let t = town(400, 36, 4);
        let cuts = cutoffs(2024, 1..=3);
        let data_end = day(2024, 9);
        let events = |h: &HouseholdInput, d: NaiveDate| t.events(h, d);
        let res = |h: &HouseholdInput, d: NaiveDate| t.resilience(h, d);
        // A budget small enough that non-crises are sampled.
        let whole = training_set_sampled(&t.households, events, res, &cuts, 6, data_end, 300)
            .expect("whole");
        assert!(whole.negative_rate < 1.0, "sampling is exercised");
        for size in [1, 7, 64] {
            let mut c = ChunkedTraining::new(&cuts, 6, data_end, Some(300)).expect("new");
            for chunk in t.households.chunks(size) {
                c.count(chunk).expect("count");
            }
            for chunk in t.households.chunks(size) {
                c.add_rows(chunk, &events, &res).expect("rows");
            }
            let chunked = c.finish();
            assert_eq!(chunked.counts, whole.counts, "chunks of {size}");
            assert_eq!(
                chunked.negative_rate, whole.negative_rate,
                "chunks of {size}"
            );
            let key = |r: &LabelledRow| {
                (
                    r.household,
                    r.cutoff,
                    r.label,
                    r.weight.to_bits(),
                    r.features.values.map(f32::to_bits),
                    r.features.arrears_pence,
                )
            };
            let (a, b): (Vec<_>, Vec<_>) = (
                chunked.rows.iter().map(key).collect(),
                whole.rows.iter().map(key).collect(),
            );
            assert!(a == b, "chunks of {size}: other rows");
        }
        // Counting after rows have been added would change the sample: refused.
        let mut c = ChunkedTraining::new(&cuts, 6, data_end, Some(300)).expect("new");
        c.add_rows(&t.households, &events, &res).expect("rows");
        assert!(c.count(&t.households).is_err());
    }

    #[test]
    fn training_set_never_reads_beyond_data_end() {
        let t = town(400, 36, 3);
        let cuts = cutoffs(2024, 1..=3);
        let data_end = day(2024, 9);
        let a = training_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cuts,
            6,
            data_end,
        );
        // The same households with everything after data_end removed.
        let cut: Vec<HouseholdInput> = t
            .households
            .iter()
            .map(|h| {
                let mut h = h.clone();
                h.observations.retain(|o| o.known_on <= data_end);
                h
            })
            .collect();
        let b = training_set(
            &cut,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cuts,
            6,
            data_end,
        );
        let (Ok(a), Ok(b)) = (a, b) else {
            panic!("training sets should build");
        };
        assert_eq!(a.counts, b.counts);
        assert_eq!(a.rows.len(), b.rows.len());
        for (x, y) in a.rows.iter().zip(&b.rows) {
            assert_eq!(
                (x.household, x.cutoff, x.label),
                (y.household, y.cutoff, y.label)
            );
            assert_eq!(x.features, y.features);
        }
    }

    #[test]
    fn excludes_households_already_in_crisis_and_samples_with_weights() {
        let t = town(2000, 24, 4);
        let cuts = cutoffs(2024, 1..=6);
        let full = training_set_sampled(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cuts,
            6,
            day(2024, 12),
            usize::MAX,
        );
        let small = training_set_sampled(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cuts,
            6,
            day(2024, 12),
            3000,
        );
        let (Ok(full), Ok(small)) = (full, small) else {
            panic!("training sets should build");
        };
        assert_eq!(full.negative_rate, 1.0);
        assert!(full.counts.iter().all(|c| c.already_in_crisis > 0));
        assert!(full.rows.iter().all(|r| !crate::outcomes::in_crisis(
            &t.households[(r.household - 1) as usize],
            r.cutoff
        )));
        assert_eq!(full.counts, {
            let mut c = small.counts.clone();
            for (x, y) in c.iter_mut().zip(&full.counts) {
                x.rows = y.rows;
            }
            c
        });
        assert!(small.rows.len() < full.rows.len());
        let crises = |s: &TrainingSet| s.rows.iter().filter(|r| r.label).count();
        assert_eq!(crises(&small), crises(&full), "every crisis is kept");
        let weight = |s: &TrainingSet| s.rows.iter().map(|r| f64::from(r.weight)).sum::<f64>();
        let ratio = weight(&small) / weight(&full);
        assert!(
            (ratio - 1.0).abs() < 0.1,
            "weights stand for the population: {ratio}"
        );
    }

    #[test]
    fn trains_explains_and_round_trips() {
        let t = town(3000, 24, 5);
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
            panic!("model should train");
        };
        assert!(model.version.starts_with("risk-lr-1:"));
        assert_eq!(model.first_cutoff, day(2024, 1));
        assert_eq!(model.last_label_date, day(2024, 12));
        assert_eq!(model.calibration.held_out_cutoff, Some(day(2024, 6)));
        assert!(model.calibration.a > 0.0);
        let coef = |f: Feat| model.coefficients[f as usize];
        assert!(
            coef(Feat::SeparationRecent) > 0.05,
            "{}",
            coef(Feat::SeparationRecent)
        );
        assert!(coef(Feat::NotWorking) > 0.1);
        assert!(coef(Feat::Resilience) < -0.1);
        // Calibrated: mean predicted close to the observed rate on training rows.
        let (mut p, mut y, mut w) = (0.0, 0.0, 0.0);
        for r in &set.rows {
            let wt = f64::from(r.weight);
            p += wt * model.probability(&r.features);
            y += wt * if r.label { 1.0 } else { 0.0 };
            w += wt;
        }
        assert!(
            (p / w - y / w).abs() < 0.5 * y / w,
            "mean predicted {} observed {}",
            p / w,
            y / w
        );
        // A household with a recent separation, out of work and few ties.
        let mut f = FeatureVector::default();
        f.values[Feat::SeparationRecent as usize] = 1.0;
        f.values[Feat::NotWorking as usize] = 1.0;
        f.values[Feat::BenefitClaim as usize] = 1.0;
        f.values[Feat::Resilience as usize] = 5.0;
        let s = model.score(&f);
        assert!(s.probability > model.probability(&FeatureVector::default()));
        assert_eq!(s.reasons.len(), 3, "{:?}", s.reasons);
        assert!(
            s.reasons.iter().any(|r| r.contains("separation")),
            "{:?}",
            s.reasons
        );
        assert!(
            s.reasons
                .iter()
                .any(|r| r == "low community resilience (5 of 100)"),
            "{:?}",
            s.reasons
        );
        let Ok(json) = model.to_json() else {
            panic!("json")
        };
        let back = Model::from_json(&json);
        assert_eq!(back.as_ref().ok(), Some(&model));
        let mut edited = model.clone();
        edited.intercept += 1.0;
        let Ok(tampered) = serde_json::to_string(&edited) else {
            panic!("json")
        };
        assert!(
            Model::from_json(&tampered).is_err(),
            "an edited model is refused"
        );
    }

    /// Speed at scale: `cargo test --release -p upstream-assess -- --ignored speed --nocapture`.
    /// Households are generated in memory (as the store would hand them over);
    /// `UPSTREAM_SPEED_HOUSEHOLDS` sets how many (default 100,000).
    #[test]
    #[ignore]
    fn speed() {
        use std::time::Instant;
        let n: usize = std::env::var("UPSTREAM_SPEED_HOUSEHOLDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let clock = Instant::now();
        let t = town(n, 24, 99);
        let obs: usize = t.households.iter().map(|h| h.observations.len()).sum();
        eprintln!(
            "{n} households, {obs} observations generated in {:?}",
            clock.elapsed()
        );
        let clock = Instant::now();
        let Ok(set) = training_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cutoffs(2024, 1..=6),
            6,
            day(2024, 12),
        ) else {
            panic!("training set")
        };
        eprintln!(
            "training set: {} rows ({} crises, negatives at {:.3}) in {:?}",
            set.rows.len(),
            set.rows.iter().filter(|r| r.label).count(),
            set.negative_rate,
            clock.elapsed()
        );
        let clock = Instant::now();
        let Ok(model) = train(&set, &FitOptions::default()) else {
            panic!("train")
        };
        eprintln!("fit and calibration in {:?}", clock.elapsed());
        let as_of = day(2024, 12);
        let clock = Instant::now();
        let vectors: Vec<FeatureVector> = t
            .households
            .par_iter()
            .map(|h| features(h, &t.events(h, as_of), &t.resilience(h, as_of), as_of))
            .collect();
        eprintln!("features for {n} households in {:?}", clock.elapsed());
        // Scoring 450,000: repeat the vectors to that many.
        let clock = Instant::now();
        let scores: Vec<Score> = (0..450_000)
            .into_par_iter()
            .map(|i| model.score(&vectors[i % vectors.len()]))
            .collect();
        eprintln!(
            "scored 450000 with reasons in {:?} (mean p {:.4})",
            clock.elapsed(),
            scores.iter().map(|s| s.probability).sum::<f64>() / scores.len() as f64
        );
    }

    #[test]
    fn newton_matches_a_known_logistic_fit() {
        // One binary feature: the unpenalised MLE is the log odds in each group.
        let mk = |x: f32, label: bool| LabelledRow {
            household: 0,
            cutoff: NaiveDate::MIN,
            features: {
                let mut f = FeatureVector::default();
                f.values[0] = x;
                f
            },
            label,
            weight: 1.0,
        };
        let mut rows = Vec::new();
        for i in 0..1000 {
            rows.push(mk(0.0, i < 100)); // 10%
            rows.push(mk(1.0, i < 400)); // 40%
        }
        let refs: Vec<&LabelledRow> = rows.iter().collect();
        let st = Standard::of(&refs);
        let data = Sparse::new(rows.iter());
        let beta = newton(&data, &st, 1e-9, &[0.0; D], 50);
        let v = st.raw(&beta);
        let p0 = sigmoid(v[0]);
        let p1 = sigmoid(v[0] + v[1]);
        assert!((p0 - 0.1).abs() < 1e-4, "{p0}");
        assert!((p1 - 0.4).abs() < 1e-4, "{p1}");
    }

    #[test]
    fn platt_recovers_a_known_scaling() {
        let mut etas = Vec::new();
        let mut labels = Vec::new();
        let mut rng = 7u64;
        for i in 0..20000 {
            let e = (i % 200) as f64 / 20.0 - 5.0;
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
            let u = (rng >> 11) as f64 / (1u64 << 53) as f64;
            etas.push(e);
            labels.push(u < sigmoid(0.5 * e - 1.0));
        }
        let w = vec![1.0; etas.len()];
        let Some((a, b)) = platt(&etas, &labels, &w) else {
            panic!("platt")
        };
        assert!((a - 0.5).abs() < 0.05 && (b + 1.0).abs() < 0.08, "{a} {b}");
    }
}
