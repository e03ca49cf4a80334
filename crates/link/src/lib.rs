//! Probabilistic record linkage in the Fellegi-Sunter model.
//!
//! Flow: `Linker::run` derives per-record values (`record`), generates
//! candidate pairs by blocking (`block`), compares each pair field by field
//! into graded levels (`compare`), trains m and u without labels (`model`),
//! scores pairs with term-frequency adjustment, and clusters the pairs above
//! the threshold into people with a guard against chaining (`cluster`).
//! `stable` carries person ids across runs; `eval` measures against a truth;
//! `explain` says in words why two records do or do not match.

pub mod block;
pub mod cluster;
pub mod compare;
pub mod config;
pub mod eval;
pub mod explain;
pub mod households;
pub mod model;
pub mod names;
pub mod record;
pub mod stable;
pub mod standalone;
pub mod view_eval;

pub use config::{ConfigError, LinkConfig};
pub use explain::Explanation;
pub use model::Model;
pub use record::Record;

use block::{Key, Rule};
use cluster::{Clustering, Guard, Lift};
use compare::Comparison;
use config::ComparisonKind;
use model::{count_patterns, em, estimate_u, initial_m, key_fields, pattern, Session};
use rayon::prelude::*;
use record::{derive, Derived, Field};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("linkage settings: {0}")]
    Settings(String),
    #[error("{file}: {problem}")]
    Input { file: String, problem: String },
    /// A mapped column mostly unusable (see `standalone::read`).
    #[error("{0}")]
    Unusable(Box<standalone::UnusableColumn>),
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
}

/// The same-property model needs at least this many pairs of different
/// people (and one pair in twenty) to learn from; otherwise the town-wide
/// model judges those pairs.
const MIN_SEGMENT_NON_MATCHES: f64 = 200.0;

/// A field agreeing so that it is worth this many bits (sixteen times
/// likelier for one person than for two) counts as strong evidence.
const STRONG_BITS: f64 = 4.0;

/// Pairs each EM session trains on at most (an even sample beyond this).
const TRAINING_PAIRS_PER_RULE: usize = 2_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Find the same person within one set of records.
    Dedupe,
    /// Only compare records of dataset 0 with records of dataset 1.
    Link,
}

/// One compared pair.
#[derive(Debug, Clone, Copy)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub weight: f32,
    pub deterministic: bool,
}

impl ScoredPair {
    pub fn probability(&self) -> f64 {
        if self.deterministic {
            1.0
        } else {
            model::probability(self.weight as f64)
        }
    }
}

pub struct LinkOutput {
    pub model: Model,
    /// Every compared pair with its score.
    pub pairs: Vec<ScoredPair>,
    /// (rule, pairs it generated).
    pub per_rule: Vec<(String, usize)>,
    /// (rule, blocks skipped for size).
    pub oversized: Vec<(String, usize)>,
    pub clustering: Clustering,
    pub threshold: f64,
}

impl LinkOutput {
    pub fn linked(&self) -> impl Iterator<Item = &ScoredPair> {
        self.pairs
            .iter()
            .filter(|p| p.probability() >= self.threshold)
    }
}

pub struct Linker {
    pub config: LinkConfig,
    pub comparisons: Vec<Comparison>,
    rules: Vec<Rule>,
    deterministic: Vec<Vec<Field>>,
    guard: Guard,
    residency: cluster::Residency,
}

impl Linker {
    pub fn new(config: LinkConfig) -> Result<Linker, LinkError> {
        let extra: Vec<String> = config
            .columns
            .as_ref()
            .map(|c| c.extra_names())
            .unwrap_or_default();
        let comparisons = config
            .comparison
            .iter()
            .map(|c| {
                Comparison::new(c, &extra).ok_or_else(|| {
                    LinkError::Settings(format!("comparison '{}' names an unknown field", c.name))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let deterministic: Vec<Vec<Field>> = config
            .deterministic
            .iter()
            .map(|d| {
                d.fields
                    .iter()
                    .map(|f| Field::resolve(f, &extra))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        LinkError::Settings("a deterministic rule names an unknown field".into())
                    })
            })
            .collect::<Result<_, _>>()?;
        // Deterministic rules block first, so every pair they link is compared.
        let mut rules: Vec<Rule> = Vec::new();
        let rule_specs = config
            .deterministic
            .iter()
            .map(|d| (&d.fields, None))
            .chain(config.blocking.iter().map(|b| (&b.keys, b.max_block)));
        for (keys, max_block) in rule_specs {
            if rules.iter().any(|r| &r.names == keys) {
                continue;
            }
            let resolved = keys
                .iter()
                .map(|k| Key::resolve(k, &extra))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    LinkError::Settings(format!("blocking rule {keys:?} names an unknown key"))
                })?;
            rules.push(Rule {
                keys: resolved,
                names: keys.clone(),
                max_block,
            });
        }
        let has = |n: &str| config.cluster.conflicts.iter().any(|c| c == n);
        let mut identifiers = [None; cluster::MAX_IDENTIFIERS];
        let named: Vec<&String> = config
            .cluster
            .conflicts
            .iter()
            .filter(|c| !["dob", "forename", "bare_name_bridge"].contains(&c.as_str()))
            .filter(|c| c.as_str() != "nino" || extra.iter().any(|e| e == "nino"))
            .collect();
        if named.len() > identifiers.len() {
            return Err(LinkError::Settings(format!(
                "cluster conflicts: at most {} identifiers besides the NI number",
                identifiers.len()
            )));
        }
        for (slot, name) in identifiers.iter_mut().zip(named) {
            *slot = Some(Field::resolve(name, &extra).ok_or_else(|| {
                LinkError::Settings(format!("cluster conflict '{name}' names an unknown field"))
            })?);
        }
        let guard = Guard {
            // The built-in NI number, unless an extra column took its name.
            nino: has("nino") && !extra.iter().any(|e| e == "nino"),
            dob: has("dob"),
            forename: has("forename"),
            weak_bridge: has("bare_name_bridge"),
            identifiers,
        };
        let residency = cluster::Residency {
            address_sources: config.cluster.address_sources.clone(),
            one_at_a_time: config.cluster.one_at_a_time.clone(),
        };
        Ok(Linker {
            residency,
            config,
            comparisons,
            rules,
            deterministic,
            guard,
        })
    }

    pub fn derive(&self, records: &[Record]) -> Vec<Derived> {
        derive(records)
    }

    /// Train a model on `records` and link them.
    pub fn run(&self, records: &[Record], mode: Mode, progress: &dyn Fn(&str)) -> LinkOutput {
        progress("Preparing records");
        let derived = derive(records);
        progress("Finding candidate pairs");
        let cands = block::candidates(
            &self.rules,
            records,
            &derived,
            self.config.training.max_block_size,
            mode == Mode::Link,
        );
        progress("Comparing pairs");
        let patterns: Vec<u64> = cands
            .pairs
            .par_iter()
            .map(|&(i, j)| {
                let (i, j) = (i as usize, j as usize);
                pattern(
                    &self.comparisons,
                    &records[i],
                    &derived[i],
                    &records[j],
                    &derived[j],
                )
            })
            .collect();
        progress("Estimating m and u");
        let mut model = self.train(records, &derived, &cands, &patterns, mode);
        drop(cands.rule_of);
        progress("Scoring pairs and clustering into people");
        let (tf, full_name) = self.frequencies(records, &derived);
        let population = explain::Population {
            records,
            derived: &derived,
            tf: &tf,
            full_name: full_name.as_deref(),
        };
        let (pairs, clustering) =
            self.score_and_cluster(&mut model, &population, cands.pairs, patterns, mode);
        let (per_rule, oversized) = (cands.per_rule, cands.oversized_blocks);
        let name = |r: usize| self.rules[r].names.join(" + ");
        LinkOutput {
            model,
            pairs,
            per_rule: per_rule
                .iter()
                .enumerate()
                .map(|(r, n)| (name(r), *n))
                .collect(),
            oversized: oversized.iter().map(|&(r, n)| (name(r), n)).collect(),
            clustering,
            threshold: self.config.threshold,
        }
    }

    /// Score every compared pair and cluster those at or above the threshold.
    fn score_and_cluster(
        &self,
        model: &mut Model,
        population: &explain::Population,
        compared: Vec<(u32, u32)>,
        patterns: Vec<u64>,
        mode: Mode,
    ) -> (Vec<ScoredPair>, Clustering) {
        let (records, derived) = (population.records, population.derived);
        let (tf, full_name) = (population.tf, population.full_name);
        let mut pairs: Vec<ScoredPair> = compared
            .par_iter()
            .zip(patterns.par_iter())
            .map(|(&(i, j), &p)| ScoredPair {
                a: i,
                b: j,
                weight: self.score(model, tf, full_name, i as usize, j as usize, p) as f32,
                deterministic: self.is_deterministic(&records[i as usize], &records[j as usize]),
            })
            .collect();
        drop(compared);
        self.refine_prior(model, records, &mut pairs, &patterns, mode);
        let model = &*model;
        let vetoes = self.vetoes(model, &pairs, &patterns);
        let lifts = self.lifts(model, records.len(), &pairs, &patterns, mode);
        // The scored pairs hold all that is needed from here: free the rest.
        drop(patterns);
        let mut edges: Vec<(&ScoredPair, Lift)> = pairs
            .iter()
            .zip(lifts)
            .filter(|(p, _)| p.probability() >= self.config.threshold)
            .collect();
        edges.par_sort_unstable_by(|(x, _), (y, _)| {
            y.deterministic
                .cmp(&x.deterministic)
                .then(y.weight.total_cmp(&x.weight))
                .then((x.a, x.b).cmp(&(y.a, y.b)))
        });
        let mut clustering = cluster::cluster_weighed(
            records,
            derived,
            edges.iter().map(|(p, o)| (p.a, p.b, *o)),
            self.guard,
            &self.residency,
            &vetoes,
        );
        if let Some(margin) = self.config.cluster.ambiguous_margin {
            cluster::detach_ambiguous(
                &mut clustering,
                records,
                derived,
                edges.iter().map(|(p, _)| (p.a, p.b, p.weight)),
                margin,
            );
        }
        (pairs, clustering)
    }

    /// Each record's term frequencies and full-name correction (see
    /// `model`): what scoring a pair needs beyond the pair itself.
    fn frequencies(
        &self,
        records: &[Record],
        derived: &[Derived],
    ) -> (Vec<Option<Vec<f32>>>, Option<Vec<f32>>) {
        let tf = model::term_frequencies(&self.comparisons, records, derived);
        let full_name = model::full_name_correction(
            &self.comparisons,
            &tf,
            records,
            derived,
            &self.residency.sources(),
        );
        (tf, full_name)
    }

    /// Re-estimate the town-wide prior (the chance that two records, any
    /// two, are one person) from every candidate pair's full evidence, term
    /// frequencies and the full-name correction included, by EM over all
    /// pairs: pairs no blocking rule brought together are taken as
    /// different people. `train` counts matches among candidate pairs from
    /// each pattern's m and u alone, where "the same name" is as strong for
    /// "Muhammad Khan" as for a name one family holds. A blocking rule on
    /// the name brings every namesake together, and so the count, and the
    /// prior, grow with the number of namesakes: six times too high on a
    /// city of a million records (2^-15.4 against the truth's 2^-18.0),
    /// enough for two namesakes at two addresses to be linked on their
    /// name alone. Pairs at one property are left to the same-property
    /// model, which has its own prior.
    fn refine_prior(
        &self,
        model: &mut Model,
        records: &[Record],
        pairs: &mut [ScoredPair],
        patterns: &[u64],
        mode: Mode,
    ) {
        // Each pair's weight without the prior, to a sixteenth of a bit:
        // the EM below then runs over a few thousand bins, not every pair.
        const BINS_PER_BIT: f64 = 16.0;
        let old_weight = model.prior_weight();
        let town_wide = |p: u64| model.segment_of(p).is_none();
        let bins: HashMap<i32, u64> = pairs
            .par_iter()
            .zip(patterns.par_iter())
            .filter(|(_, &p)| town_wide(p))
            .map(|(pair, _)| ((pair.weight as f64 - old_weight) * BINS_PER_BIT).round() as i32)
            .fold(HashMap::new, |mut h, b| {
                *h.entry(b).or_default() += 1u64;
                h
            })
            .reduce(HashMap::new, |mut a, b| {
                for (k, v) in b {
                    *a.entry(k).or_default() += v;
                }
                a
            });
        let outside: u64 = bins.values().sum();
        if outside == 0 {
            return;
        }
        let at_one_property = (pairs.len() as u64).saturating_sub(outside) as f64;
        let all = (total_pairs(records, mode) - at_one_property).max(1.0);
        let bins: Vec<(f64, f64)> = bins
            .into_iter()
            .map(|(b, n)| (b as f64 / BINS_PER_BIT, n as f64))
            .collect();
        let mut prior = model.prior;
        for _ in 0..200 {
            let logit = (prior / (1.0 - prior)).log2();
            let matched: f64 = bins
                .iter()
                .map(|&(w, n)| n * model::probability(w + logit))
                .sum();
            let next = (matched.max(1.0) / all).clamp(1e-12, 0.5);
            let settled = (next / prior - 1.0).abs() < 1e-4;
            prior = next;
            if settled {
                break;
            }
        }
        model.prior = prior;
        let shift = (model.prior_weight() - old_weight) as f32;
        pairs
            .par_iter_mut()
            .zip(patterns.par_iter())
            .filter(|(_, &p)| model.segment_of(p).is_none())
            .for_each(|(pair, _)| pair.weight += shift);
    }

    /// Which of the guard's forename and date-of-birth checks each pair's
    /// own evidence outweighs (`cluster::Lift`):
    ///
    /// - Overwhelming evidence (`cluster.overwhelming`): a weight that many
    ///   bits above the threshold's, an identifier agreeing (the same, or
    ///   close enough to be worth `STRONG_BITS`: one digit slipped), and at
    ///   least `overwhelming_agreements` fields agreeing so that each is
    ///   worth `STRONG_BITS` or more: neither check.
    pub fn lifts(
        &self,
        model: &Model,
        n_records: usize,
        pairs: &[ScoredPair],
        patterns: &[u64],
        mode: Mode,
    ) -> Vec<Lift> {
        let overwhelming = self.overwhelming(model, pairs, patterns);
        let position = |kind| self.comparisons.iter().position(|c| c.kind == kind);
        let (forename, dob) = (
            position(ComparisonKind::Forename),
            position(ComparisonKind::Dob),
        );
        let identifiers: Vec<usize> = (0..self.comparisons.len())
            .filter(|&c| self.comparisons[c].identifier)
            .collect();
        // Link mode: each record's best weight into the other file.
        let best = (mode == Mode::Link && self.config.cluster.unrivalled).then(|| {
            let mut best = vec![f32::NEG_INFINITY; n_records];
            for p in pairs {
                for r in [p.a, p.b] {
                    best[r as usize] = best[r as usize].max(p.weight);
                }
            }
            best
        });
        let one_field = self.config.cluster.identifier_outweighs_one;
        // Where nobody shares a home, nobody at the same property is a twin
        // or a father of one name.
        let alone_at_home = (self.config.cluster.no_housemates_no_twins && model.no_housemates())
            .then(|| position(ComparisonKind::Location))
            .flatten();
        pairs
            .par_iter()
            .zip(patterns.par_iter())
            .zip(overwhelming)
            .map(|((p, &pat), overwhelming)| {
                if overwhelming || alone_at_home.is_some_and(|c| model::level_of(pat, c) <= 1) {
                    return Lift::BOTH;
                }
                let mut lift = Lift::NONE;
                let identified = identifiers.iter().any(|&c| {
                    model::level_of(pat, c) != compare::NULL
                        && model.weight_for(pat, c) >= STRONG_BITS
                });
                if one_field && identified {
                    // A forename agrees at any level short of an initial
                    // (which fits a father and son alike); a date of birth
                    // the same or with one part slipped.
                    let agrees = |c: Option<usize>, below: usize| {
                        c.is_some_and(|c| {
                            let l = model::level_of(pat, c);
                            l != compare::NULL && (l as usize) < below
                        })
                    };
                    let forename_levels = forename.map_or(0, |c| self.comparisons[c].levels());
                    lift.forename = agrees(dob, 2);
                    lift.dob = agrees(forename, forename_levels.saturating_sub(2));
                }
                if let Some(best) = &best {
                    lift.while_alone =
                        p.weight >= best[p.a as usize] && p.weight >= best[p.b as usize];
                }
                lift
            })
            .collect()
    }

    /// Which pairs have overwhelming evidence (`cluster.overwhelming`): a
    /// weight that many bits above the threshold's, an identifier agreeing
    /// (the same, or close enough to be worth `STRONG_BITS`: one digit
    /// slipped), and at least `overwhelming_agreements` fields agreeing so
    /// that each is worth `STRONG_BITS` or more. The guard does not let one
    /// replaced forename or date of birth keep such a pair apart.
    pub fn overwhelming(&self, model: &Model, pairs: &[ScoredPair], patterns: &[u64]) -> Vec<bool> {
        let Some(margin) = self.config.cluster.overwhelming else {
            return vec![false; pairs.len()];
        };
        let t = self.config.threshold.clamp(1e-9, 1.0 - 1e-9);
        let floor = (t / (1.0 - t)).log2() + margin;
        let need = self.config.cluster.overwhelming_agreements;
        pairs
            .par_iter()
            .zip(patterns.par_iter())
            .map(|(p, &pat)| {
                if (p.weight as f64) < floor {
                    return false;
                }
                let mut identifier = false;
                let mut strong = 0;
                for (c, cmp) in self.comparisons.iter().enumerate() {
                    let level = model::level_of(pat, c);
                    if level == compare::NULL {
                        continue;
                    }
                    // The same property counts, though its weight there is
                    // carried by the segment's prior.
                    let same_place =
                        cmp.kind == ComparisonKind::Location && model.segment_of(pat).is_some();
                    if same_place || model.weight_for(pat, c) >= STRONG_BITS {
                        strong += 1;
                        identifier |= cmp.identifier;
                    }
                }
                identifier && strong >= need
            })
            .collect()
    }

    /// The pairs the model judges almost surely two people
    /// (`cluster.veto_below`): their groups are never joined. A veto needs
    /// an identifier that disagrees (date of birth, NI number, phone,
    /// email): names alone mislead too often (a nickname typed with a slip,
    /// "JONNY" and "JNATHAN"). And none may agree (`shares_identifier`):
    /// one person's records whose other fields were replaced (one a
    /// forename, another a date of birth) score as strangers against each
    /// other, but the NI number they share is held by one person alone.
    pub(crate) fn vetoes(
        &self,
        model: &Model,
        pairs: &[ScoredPair],
        patterns: &[u64],
    ) -> Vec<(u32, u32)> {
        let identifiers: Vec<usize> = self
            .comparisons
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.kind, ComparisonKind::Dob | ComparisonKind::Exact))
            .map(|(i, _)| i)
            .collect();
        let veto = self.config.cluster.veto_below;
        pairs
            .iter()
            .zip(patterns)
            .filter(|(p, &pat)| {
                !p.deterministic
                    && p.probability() < veto
                    && identifiers.iter().any(|&c| {
                        model::level_of(pat, c) as usize == self.comparisons[c].levels() - 1
                    })
                    && !self.shares_identifier(model, pat)
            })
            .map(|(p, _)| (p.a, p.b))
            .collect()
    }

    /// Whether a pair agrees on an identifier (a comparison marked
    /// `identifier = true`: the NI number) so that it is worth
    /// `STRONG_BITS` or more: the same, or one character slipped.
    fn shares_identifier(&self, model: &Model, pat: u64) -> bool {
        self.comparisons.iter().enumerate().any(|(c, cmp)| {
            cmp.identifier
                && model::level_of(pat, c) != compare::NULL
                && model.weight_for(pat, c) >= STRONG_BITS
        })
    }

    fn is_deterministic(&self, a: &Record, b: &Record) -> bool {
        self.deterministic_match(a, b).is_some()
    }

    pub(crate) fn score(
        &self,
        model: &Model,
        tf: &[Option<Vec<f32>>],
        full_name: Option<&[f32]>,
        i: usize,
        j: usize,
        p: u64,
    ) -> f64 {
        let mut w = model.prior_weight_for(p);
        let segment = model.segment_of(p).is_some();
        let mut exact_tf = 0;
        for (c, tf) in tf.iter().enumerate() {
            let l = model::level_of(p, c);
            w += model.weight_for(p, c);
            if l == 0 && !segment {
                if let Some(t) = tf {
                    w += model.tf_adjustment(c, t[i].max(t[j]) as f64);
                    if matches!(
                        self.comparisons[c].kind,
                        ComparisonKind::Forename | ComparisonKind::Surname
                    ) {
                        exact_tf += 1;
                    }
                }
            }
        }
        if exact_tf == 2 {
            if let Some(fc) = full_name {
                w += fc[i].min(fc[j]) as f64;
            }
        }
        w
    }

    fn train(
        &self,
        records: &[Record],
        derived: &[Derived],
        cands: &block::Candidates,
        patterns: &[u64],
        mode: Mode,
    ) -> Model {
        let t = &self.config.training;
        let u = estimate_u(
            &self.comparisons,
            records,
            derived,
            t.random_pairs,
            mode == Mode::Link,
        );
        let m0: Vec<Vec<f64>> = self
            .comparisons
            .iter()
            .map(|c| initial_m(c.levels()))
            .collect();
        let mut m_sum: Vec<Vec<f64>> = m0.iter().map(|r| vec![0.0; r.len()]).collect();
        let mut sessions = Vec::new();
        let mut warnings = Vec::new();
        let strong = model::strong_comparisons(&u);
        for rule in &self.rules {
            // Each rule trains on every pair it finds on its own: pairs an
            // earlier rule also found must count here too, or a comparison on
            // the earlier rule's field would never be seen agreeing.
            let own = block::pairs_of_rule(
                rule,
                records,
                derived,
                t.max_block_size,
                mode == Mode::Link,
                TRAINING_PAIRS_PER_RULE,
            );
            if own.is_empty() {
                continue;
            }
            // A comparison on a field the rule blocked on agrees by
            // construction here, so it cannot be trained in this session.
            let blocked: Vec<Field> = rule.keys.iter().flat_map(key_fields).collect();
            let included: Vec<bool> = self
                .comparisons
                .iter()
                .map(|c| !c.fields.iter().any(|f| blocked.contains(f)))
                .collect();
            let counted = count_patterns(own.par_iter().map(|&(i, j)| {
                let (i, j) = (i as usize, j as usize);
                pattern(
                    &self.comparisons,
                    &records[i],
                    &derived[i],
                    &records[j],
                    &derived[j],
                )
            }));
            let res = em(&counted, &included, &m0, &u, t.max_iterations);
            let swapped = model::swapped_classes(&res.m, &u, &strong, &included);
            let names = |cs: &[usize]| -> Vec<String> {
                cs.iter()
                    .map(|&c| self.comparisons[c].name.clone())
                    .collect()
            };
            if !swapped.is_empty() {
                warnings.push(format!(
                    "EM on blocking rule '{}' converged with match and non-match swapped \
                     ({} agreed more often among non-matches than matches); its estimates \
                     were left out and the other rules' used instead",
                    rule.names.join(" + "),
                    names(&swapped).join(", ")
                ));
            }
            // Pool sessions by their expected matching pairs, so a session
            // with few matches at some level cannot outvote one with many.
            for (c, inc) in included.iter().enumerate() {
                if *inc && swapped.is_empty() {
                    for (l, v) in res.matched_at[c].iter().enumerate() {
                        m_sum[c][l] += v;
                    }
                }
            }
            sessions.push(Session {
                rule: rule.names.join(" + "),
                pairs: own.len(),
                match_share: res.lambda,
                iterations: res.iterations,
                trained: self
                    .comparisons
                    .iter()
                    .zip(&included)
                    .filter(|(_, i)| **i)
                    .map(|(c, _)| c.name.clone())
                    .collect(),
                swapped: names(&swapped),
            });
        }
        let m: Vec<Vec<f64>> = m_sum
            .into_iter()
            .zip(m0)
            .map(|(counts, init)| {
                let total: f64 = counts.iter().sum();
                if total < 1.0 {
                    init
                } else {
                    // Half a pair of smoothing: a level no match showed is rare, not impossible.
                    let smoothed = total + 0.5 * counts.len() as f64;
                    counts.into_iter().map(|v| (v + 0.5) / smoothed).collect()
                }
            })
            .collect();
        let total_pairs = total_pairs(records, mode);
        // The prior: how many candidate pairs match under the trained m and u,
        // spread over every possible pair (blocking is assumed to find nearly
        // all matches).
        let all = count_patterns(patterns.par_iter().copied());
        let share = model::match_share(&all, &m, &u, t.max_iterations);
        let expected_matches = share * cands.pairs.len() as f64;
        let prior = (expected_matches.max(1.0) / total_pairs).clamp(1e-12, 0.5);
        let (same_property_pairs, housemate_pairs) = self.housemates(&all, &m, &u, prior);
        let mut same_property = self.train_same_property(patterns, &m, &u, t.max_iterations);
        if let Some(s) = &same_property {
            let included: Vec<bool> = (0..self.comparisons.len())
                .map(|c| c != s.comparison)
                .collect();
            let swapped = model::swapped_classes(&s.m, &s.u, &strong, &included);
            if !swapped.is_empty() {
                let names: Vec<&str> = swapped
                    .iter()
                    .map(|&c| self.comparisons[c].name.as_str())
                    .collect();
                warnings.push(format!(
                    "the same-property model ({} pairs) converged with match and non-match \
                     swapped ({} agreed more often among non-matches than matches); pairs at \
                     the same property are judged by the town-wide model instead",
                    s.pairs,
                    names.join(", ")
                ));
                same_property = None;
            }
        }
        if let Some(s) = &same_property {
            // The segment exists to learn what different people at one
            // property (housemates) look like. When EM finds almost none,
            // its "different people" class is fitted to the noisiest of one
            // person's own pairs, and a replaced field then outweighs an
            // identifier that agrees.
            let different = s.pairs as f64 * (1.0 - s.prior);
            if different < MIN_SEGMENT_NON_MATCHES.max(0.05 * s.pairs as f64) {
                warnings.push(format!(
                    "the same-property model found almost no pairs of different people among \
                     its {} pairs ({:.0}), too few to learn what housemates look like; pairs \
                     at the same property are judged by the town-wide model instead",
                    s.pairs, different
                ));
                same_property = None;
            }
        }
        let mut model = Model {
            comparisons: self.comparisons.iter().map(|c| c.name.clone()).collect(),
            labels: self.comparisons.iter().map(|c| c.labels()).collect(),
            m,
            u,
            prior,
            sessions,
            same_property,
            warnings,
            same_property_pairs,
            housemate_pairs,
        };
        if self.config.cluster.no_housemates_no_twins && model.no_housemates() {
            model.warnings.push(format!(
                "almost nobody here lives with anyone else: of {} candidate pairs at the same \
                 property, {} are judged two people; so no twin or father of one name shares a \
                 home, and a pair at the same property is not kept apart by its forename or \
                 date of birth",
                model.same_property_pairs, model.housemate_pairs
            ));
        }
        model
    }

    /// Candidate pairs at the same property (the location comparison's
    /// first two levels), and how many of them the town-wide model judges
    /// two people: housemates (see `Model::no_housemates`).
    fn housemates(
        &self,
        counted: &[(u64, u64)],
        m: &[Vec<f64>],
        u: &[Vec<f64>],
        prior: f64,
    ) -> (u64, u64) {
        let Some(loc) = self
            .comparisons
            .iter()
            .position(|c| c.kind == ComparisonKind::Location)
        else {
            return (0, 0);
        };
        let prior_weight = (prior / (1.0 - prior)).log2();
        let (mut same, mut two) = (0, 0);
        for &(p, n) in counted {
            if model::level_of(p, loc) > 1 {
                continue;
            }
            same += n;
            let weight: f64 = prior_weight
                + (0..self.comparisons.len())
                    .filter(|&c| model::level_of(p, c) != compare::NULL)
                    .map(|c| {
                        let l = model::level_of(p, c) as usize;
                        (m[c][l] / u[c][l]).log2()
                    })
                    .sum::<f64>();
            if weight < 0.0 {
                two += n;
            }
        }
        (same, two)
    }

    /// m, u and prior among pairs at the same property (location levels 0
    /// and 1), trained by EM on those candidate pairs alone.
    fn train_same_property(
        &self,
        patterns: &[u64],
        m: &[Vec<f64>],
        u: &[Vec<f64>],
        iterations: usize,
    ) -> Option<model::Segment> {
        let loc = self
            .comparisons
            .iter()
            .position(|c| c.kind == ComparisonKind::Location)?;
        let levels = vec![0u8, 1];
        let counted = count_patterns(
            patterns
                .par_iter()
                .copied()
                .filter(|&p| levels.contains(&model::level_of(p, loc))),
        );
        let pairs: u64 = counted.iter().map(|x| x.1).sum();
        // Too few pairs to learn from: the town-wide model serves.
        if pairs < 200 {
            return None;
        }
        let included: Vec<bool> = (0..self.comparisons.len()).map(|c| c != loc).collect();
        let (sm, su, prior) = model::em_full(&counted, &included, m, u, iterations.max(100));
        Some(model::Segment {
            comparison: loc,
            levels,
            m: sm,
            u: su,
            prior,
            pairs: pairs as usize,
        })
    }

    /// Why two records do or do not match, under a trained model. `population`
    /// supplies the term frequencies (the records the model was trained on).
    pub fn explain(&self, model: &Model, population: &[Record], a: usize, b: usize) -> Explanation {
        self.explain_pairs(model, population, &[(a, b)])
            .pop()
            .expect("one pair in, one explanation out")
    }

    /// `explain` for many pairs of one population, deriving its frequencies
    /// once (a bench's errors file explains thousands of pairs).
    pub fn explain_pairs(
        &self,
        model: &Model,
        population: &[Record],
        pairs: &[(usize, usize)],
    ) -> Vec<Explanation> {
        let derived = derive(population);
        let (tf, full_name) = self.frequencies(population, &derived);
        let pop = explain::Population {
            records: population,
            derived: &derived,
            tf: &tf,
            full_name: full_name.as_deref(),
        };
        pairs
            .iter()
            .map(|&(a, b)| explain::explain(self, model, &pop, a, b))
            .collect()
    }

    pub fn comparison_kinds(&self) -> Vec<ComparisonKind> {
        self.comparisons.iter().map(|c| c.kind).collect()
    }

    pub(crate) fn deterministic_rule_names(&self) -> Vec<String> {
        self.config
            .deterministic
            .iter()
            .map(|d| d.fields.join(" + "))
            .collect()
    }

    pub(crate) fn deterministic_match(&self, a: &Record, b: &Record) -> Option<String> {
        self.deterministic
            .iter()
            .zip(self.deterministic_rule_names())
            .find(|(fields, _)| {
                !fields.is_empty()
                    && fields.iter().all(|&f| match f {
                        Field::Dob => a.dob.is_some() && a.dob == b.dob,
                        f => a.text(f).is_some() && a.text(f) == b.text(f),
                    })
            })
            .map(|(_, n)| n)
    }
}

/// Every pair that could be one person: any two records when deduplicating,
/// one from each file when linking two.
fn total_pairs(records: &[Record], mode: Mode) -> f64 {
    let n = records.len() as f64;
    match mode {
        Mode::Dedupe => n * (n - 1.0) / 2.0,
        Mode::Link => {
            let a = records.iter().filter(|r| r.dataset == 0).count() as f64;
            a * (n - a)
        }
    }
    .max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// The default settings with the two lifts on or off.
    fn linker(identifier_outweighs_one: bool, unrivalled: bool) -> Linker {
        let text = config::DEFAULT_TOML
            .replace(
                "identifier_outweighs_one = true\n",
                &format!("identifier_outweighs_one = {identifier_outweighs_one}\n"),
            )
            .replace(
                "unrivalled = true\n",
                &format!("unrivalled = {unrivalled}\n"),
            );
        let config = match LinkConfig::from_toml(&text, "test") {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        match Linker::new(config) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        }
    }

    /// A model in which every comparison's agreement is strong and its
    /// disagreement weak: weights of about +7 and -3 bits.
    fn model(linker: &Linker) -> Model {
        let levels: Vec<usize> = linker.comparisons.iter().map(|c| c.levels()).collect();
        let spread = |first: f64, n: usize| -> Vec<f64> {
            let rest = (1.0 - first) / (n - 1) as f64;
            (0..n).map(|l| if l == 0 { first } else { rest }).collect()
        };
        Model {
            comparisons: linker.comparisons.iter().map(|c| c.name.clone()).collect(),
            labels: linker.comparisons.iter().map(|c| c.labels()).collect(),
            m: levels.iter().map(|&n| spread(0.9, n)).collect(),
            u: levels.iter().map(|&n| spread(0.007, n)).collect(),
            prior: 0.001,
            sessions: Vec::new(),
            same_property: None,
            warnings: Vec::new(),
            same_property_pairs: 0,
            housemate_pairs: 0,
        }
    }

    fn person(forename: &str, dob: (i32, u32, u32), nino: Option<&str>) -> Record {
        Record {
            forename: Some(forename.into()),
            surname: Some("OKONKWO".into()),
            dob: NaiveDate::from_ymd_opt(dob.0, dob.1, dob.2),
            nino: nino.map(String::from),
            ..Record::default()
        }
    }

    /// The prior counts matches from each pair's own weight. A town of some
    /// 14,000 records (about 10^8 pairs) with a hundred clear matches, ten
    /// namesake pairs whose rare-looking name gives 16 bits and nothing
    /// else, and ten thousand pairs of a common name (5 bits): counting
    /// every candidate pair as a match gives a prior of 2^-13.3, at which
    /// the namesakes are joined; counted from the weights it is near
    /// 2^-19.9, and they are not.
    #[test]
    fn the_prior_is_counted_from_each_pairs_evidence_not_from_blocking() {
        let linker = linker(true, true);
        let records = vec![Record::default(); 14_143];
        let all = total_pairs(&records, Mode::Dedupe);
        let mut model = model(&linker);
        model.prior = 10_110.0 / all;
        let prior_weight = model.prior_weight();
        let pair = |w: f64| ScoredPair {
            a: 0,
            b: 1,
            weight: (prior_weight + w) as f32,
            deterministic: false,
        };
        let mut pairs: Vec<ScoredPair> = (0..100).map(|_| pair(30.0)).collect();
        pairs.extend((0..10).map(|_| pair(16.0)));
        pairs.extend((0..10_000).map(|_| pair(5.0)));
        let patterns = vec![0u64; pairs.len()];
        let namesakes = 100;
        assert!(
            pairs[namesakes].probability() > 0.5,
            "the premise: namesakes joined"
        );
        linker.refine_prior(&mut model, &records, &mut pairs, &patterns, Mode::Dedupe);
        let matches = model.prior * all;
        assert!((100.0..110.0).contains(&matches), "{matches} matches");
        let p = pairs[namesakes].probability();
        assert!(p < 0.1, "namesakes at {p}");
        assert!(pairs[0].probability() > 0.99);
    }

    /// The lift of one pair, scored as the linker scores it.
    fn lift_of(linker: &Linker, a: Record, b: Record) -> Lift {
        let records = vec![a, b];
        let derived = derive(&records);
        let model = model(linker);
        let p = pattern(
            &linker.comparisons,
            &records[0],
            &derived[0],
            &records[1],
            &derived[1],
        );
        let tf = model::term_frequencies(&linker.comparisons, &records, &derived);
        let weight = linker.score(&model, &tf, None, 0, 1, p) as f32;
        let pair = ScoredPair {
            a: 0,
            b: 1,
            weight,
            deterministic: false,
        };
        linker.lifts(&model, 2, &[pair], &[p], Mode::Dedupe)[0]
    }

    #[test]
    fn an_identifier_outweighs_one_disagreeing_field_while_the_other_agrees() {
        let on = linker(true, false);
        let ni = Some("AB123456C");
        let (born, other) = ((1984, 2, 29), (1962, 7, 1));
        // A forename replaced: the date of birth and the NI number agree.
        let lift = lift_of(&on, person("ADAEZE", born, ni), person("CHIDI", born, ni));
        assert!(lift.forename && !lift.dob, "{lift:?}");
        // A date of birth replaced: the forename and the NI number agree.
        let lift = lift_of(&on, person("ADAEZE", born, ni), person("ADAEZE", other, ni));
        assert!(lift.dob && !lift.forename, "{lift:?}");
        // Both disagree (a partner's NI number on the wrong line): nothing.
        let both = lift_of(&on, person("ADAEZE", born, ni), person("CHIDI", other, ni));
        assert_eq!(both, Lift::NONE);
        // No identifier agreeing: a twin, a father and son. Nothing.
        let twin = lift_of(&on, person("ADAEZE", born, ni), person("CHIDI", born, None));
        assert_eq!(twin, Lift::NONE);
        let other_ni = Some("CE654321A");
        let father = lift_of(
            &on,
            person("ADAEZE", born, ni),
            person("ADAEZE", other, other_ni),
        );
        assert_eq!(father, Lift::NONE);
        // An initial fits a father and son alike: it does not agree enough.
        let initial = lift_of(&on, person("ADAEZE", born, ni), person("A", other, ni));
        assert_eq!(initial, Lift::NONE);
        // Off unless set.
        let off = linker(false, false);
        let lift = lift_of(&off, person("ADAEZE", born, ni), person("CHIDI", born, ni));
        assert_eq!(lift, Lift::NONE);
    }

    #[test]
    fn a_shared_identifier_is_never_vetoed() {
        let linker = linker(true, true);
        let model = model(&linker);
        let ni = Some("AB123456C");
        // One person: one record's forename replaced, the other's date of
        // birth; against each other nothing agrees but the NI number.
        let records = vec![
            person("ADAEZE", (1962, 7, 1), ni),
            Record {
                surname: Some("MBEKI".into()),
                ..person("CHIDI", (1984, 2, 29), ni)
            },
        ];
        let derived = derive(&records);
        let pattern_of = |records: &[Record]| {
            pattern(
                &linker.comparisons,
                &records[0],
                &derived[0],
                &records[1],
                &derived[1],
            )
        };
        let vetoes = |records: &[Record]| {
            let p = pattern_of(records);
            let pair = ScoredPair {
                a: 0,
                b: 1,
                weight: -20.0,
                deterministic: false,
            };
            linker.vetoes(&model, &[pair], &[p])
        };
        assert!(vetoes(&records).is_empty());
        // Without the NI number on one side, the date of birth vetoes.
        let mut unknown = records.clone();
        unknown[1].nino = None;
        assert_eq!(vetoes(&unknown), vec![(0, 1)]);
    }

    #[test]
    fn where_nobody_shares_a_home_a_pair_at_one_property_is_not_held_to_the_checks() {
        let born = (2003, 11, 5);
        let at = |forename: &str, address: &str| Record {
            postcode: Some("B27 6AA".into()),
            address: Some(address.into()),
            ..person(forename, born, None)
        };
        // The twin pattern: surname, date of birth and home the same.
        let (a, b) = (at("AMY", "12 OAK ROAD"), at("BETH", "12 OAK ROAD"));
        let records = vec![a.clone(), b.clone()];
        let derived = derive(&records);
        let p = pattern(
            &linker(false, false).comparisons,
            &a,
            &derived[0],
            &b,
            &derived[1],
        );
        let pair = ScoredPair {
            a: 0,
            b: 1,
            weight: 5.0,
            deterministic: false,
        };
        let lift = |linker: &Linker, pairs: (u64, u64), p: u64| {
            let mut model = model(linker);
            (model.same_property_pairs, model.housemate_pairs) = pairs;
            linker.lifts(&model, 2, &[pair], &[p], Mode::Dedupe)[0]
        };
        let on = linker(false, false);
        // Data with no housemates (FEBRL): one person.
        assert_eq!(lift(&on, (4523, 3), p), Lift::BOTH);
        // A council's records, with households: twins, kept apart.
        assert_eq!(lift(&on, (35720, 9119), p), Lift::NONE);
        // Elsewhere than the same property: the checks hold.
        let far = at("BETH", "40 ELM GROVE");
        let d = derive(&[a.clone(), far.clone()]);
        let q = pattern(&on.comparisons, &a, &d[0], &far, &d[1]);
        assert_eq!(lift(&on, (4523, 3), q), Lift::NONE);
        // Switched off.
        let text = config::DEFAULT_TOML.replace(
            "no_housemates_no_twins = true",
            "no_housemates_no_twins = false",
        );
        let off = match LinkConfig::from_toml(&text, "test").map(Linker::new) {
            Ok(Ok(l)) => l,
            _ => panic!("settings"),
        };
        assert_eq!(lift(&off, (4523, 3), p), Lift::NONE);
    }

    #[test]
    fn housemates_are_pairs_at_one_property_the_model_judges_two_people() {
        let linker = linker(false, false);
        let model = model(&linker);
        // Levels of names, date of birth and address; nothing else given.
        let levels = |forename: u64, dob: u64, address: u64| -> u64 {
            let mut p = 0;
            for (c, cmp) in linker.comparisons.iter().enumerate() {
                let l = match cmp.kind {
                    ComparisonKind::Forename => forename,
                    ComparisonKind::Surname => 0,
                    ComparisonKind::Dob => dob,
                    ComparisonKind::Location => address,
                    _ => compare::NULL as u64,
                };
                p |= l << (4 * c);
            }
            p
        };
        let last = |kind| {
            linker
                .comparisons
                .iter()
                .find(|c| c.kind == kind)
                .map_or(0, |c| c.levels() as u64 - 1)
        };
        let (forename_differs, dob_differs) =
            (last(ComparisonKind::Forename), last(ComparisonKind::Dob));
        let counted = [
            // At one property, all agreeing: one person.
            (levels(0, 0, 0), 10),
            // At one property, forename and date of birth different: two.
            (levels(forename_differs, dob_differs, 1), 3),
            // Elsewhere: not counted at all.
            (levels(forename_differs, dob_differs, 7), 50),
        ];
        assert_eq!(
            linker.housemates(&counted, &model.m, &model.u, model.prior),
            (13, 3)
        );
    }

    #[test]
    fn linking_two_files_each_records_best_match_is_unrivalled() {
        let on = linker(false, true);
        let model = model(&on);
        let pair = |a, b, weight| ScoredPair {
            a,
            b,
            weight,
            deterministic: false,
        };
        // Record 0 (first file) against 1 and 2 (second file); 3 (first
        // file) against 2 as well.
        let pairs = [pair(0, 1, 9.0), pair(0, 2, 4.0), pair(3, 2, 6.0)];
        let patterns = [0, 0, 0];
        let alone = |mode| -> Vec<bool> {
            on.lifts(&model, 4, &pairs, &patterns, mode)
                .iter()
                .map(|l| l.while_alone)
                .collect()
        };
        // 0 and 1 are each other's best; 2's best is 3, and 3's is 2.
        assert_eq!(alone(Mode::Link), vec![true, false, true]);
        // Deduplicating, one file may hold one person many times: never.
        assert_eq!(alone(Mode::Dedupe), vec![false; 3]);
        let off = linker(false, false);
        let none: Vec<bool> = off
            .lifts(&model, 4, &pairs, &patterns, Mode::Link)
            .iter()
            .map(|l| l.while_alone)
            .collect();
        assert_eq!(none, vec![false; 3]);
    }
}
