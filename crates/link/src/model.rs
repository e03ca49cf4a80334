//! The Fellegi-Sunter model: m (how often the same person's records agree at
//! each level), u (how often two different people's do), the prior, and the
//! term-frequency adjustment. Training uses no labels: u from random pairs,
//! m and the prior by expectation-maximisation over blocked pairs.

use crate::block::Key;
use crate::compare::{Comparison, NULL};
use crate::record::{Derived, Field, Record};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub type Pattern = u64;

pub fn level_of(p: Pattern, c: usize) -> u8 {
    ((p >> (4 * c)) & 0xF) as u8
}

pub fn pattern(
    comparisons: &[Comparison],
    a: &Record,
    da: &Derived,
    b: &Record,
    db: &Derived,
) -> Pattern {
    let mut p = 0u64;
    for (i, c) in comparisons.iter().enumerate() {
        p |= (c.level(a, da, b, db) as u64) << (4 * i);
    }
    p
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub comparisons: Vec<String>,
    pub labels: Vec<Vec<String>>,
    /// m[c][level]
    pub m: Vec<Vec<f64>>,
    /// u[c][level]
    pub u: Vec<Vec<f64>>,
    /// Probability that two records drawn at random are the same person.
    pub prior: f64,
    /// EM sessions: (blocking rule, pairs, estimated share that match, iterations).
    pub sessions: Vec<Session>,
    /// Pairs at the same property are judged by their own m and u: people
    /// who live together share surnames and addresses, so the town-wide u
    /// (from random pairs) would overstate what those agreements prove.
    pub same_property: Option<Segment>,
    /// What training noticed and did about it (a sub-model whose classes
    /// came out swapped, and was left out), in words.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Candidate pairs at the same property, and how many of them the
    /// model judges two people (housemates): see `no_housemates`.
    #[serde(default)]
    pub same_property_pairs: u64,
    #[serde(default)]
    pub housemate_pairs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Segment {
    /// The location comparison, and which of its levels mean "same property".
    pub comparison: usize,
    pub levels: Vec<u8>,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// Share of same-property pairs that are one person.
    pub prior: f64,
    pub pairs: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub rule: String,
    pub pairs: usize,
    pub match_share: f64,
    pub iterations: usize,
    pub trained: Vec<String>,
    /// Strong comparisons this session judged likelier to agree among
    /// non-matches than matches: its classes came out swapped, so its m
    /// was left out of the pool.
    #[serde(default)]
    pub swapped: Vec<String>,
}

/// Agreement at random at most this often makes a comparison strong: its
/// exact agreement is worth at least about four bits when it is one person.
pub const STRONG_U: f64 = 0.05;

/// The comparisons whose exact agreement is rare among random pairs
/// (`u` at level 0 at most `STRONG_U`): dates of birth, forenames,
/// identifiers. EM that found them agreeing *less* often among matches than
/// among non-matches has swapped its two classes.
pub fn strong_comparisons(u: &[Vec<f64>]) -> Vec<usize> {
    u.iter()
        .enumerate()
        .filter(|(_, row)| row.first().is_some_and(|&u0| u0 <= STRONG_U))
        .map(|(c, _)| c)
        .collect()
}

/// The strong comparisons (of `candidates`, and `included`) whose exact
/// agreement a trained m and u make likelier among non-matches than
/// matches: where a model has its classes swapped. A sub-model of one
/// person's records against another's must have every strong field agree
/// more often for the same person; a field that fails that has been fitted
/// to the wrong class (and a pair identical on name and date of birth then
/// scores as different people).
pub fn swapped_classes(
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    candidates: &[usize],
    included: &[bool],
) -> Vec<usize> {
    candidates
        .iter()
        .copied()
        .filter(|&c| included.get(c).copied().unwrap_or(false))
        .filter(|&c| {
            match (
                m.get(c).and_then(|r| r.first()),
                u.get(c).and_then(|r| r.first()),
            ) {
                (Some(&m0), Some(&u0)) => m0 < u0,
                _ => false,
            }
        })
        .collect()
}

/// Same-property pairs needed before their share of housemates says
/// anything.
const MIN_SAME_PROPERTY_PAIRS: u64 = 200;

impl Model {
    /// Whether the data holds almost no one living with anyone else: of
    /// enough candidate pairs at the same property, fewer than one in fifty
    /// are two people. A council's records hold households (a quarter or
    /// more of such pairs are housemates); a list of one person per home,
    /// or FEBRL's made-up people, holds none. Twins, and a father and son
    /// of one name, are kept apart by the guard because they share a home;
    /// where nobody shares one, a pair at the same property agreeing on the
    /// rest is one person.
    pub fn no_housemates(&self) -> bool {
        self.same_property_pairs >= MIN_SAME_PROPERTY_PAIRS
            && self.housemate_pairs * 50 < self.same_property_pairs
    }

    pub fn weight(&self, c: usize, level: u8) -> f64 {
        if level == NULL {
            return 0.0;
        }
        let l = level as usize;
        (self.m[c][l] / self.u[c][l]).log2()
    }

    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    /// The same-property segment, if this pattern falls in it.
    pub fn segment_of(&self, p: Pattern) -> Option<&Segment> {
        self.same_property
            .as_ref()
            .filter(|s| s.levels.contains(&level_of(p, s.comparison)))
    }

    /// The prior weight for a pair with this pattern.
    pub fn prior_weight_for(&self, p: Pattern) -> f64 {
        match self.segment_of(p) {
            Some(s) => (s.prior / (1.0 - s.prior)).log2(),
            None => self.prior_weight(),
        }
    }

    /// Comparison `c`'s weight for a pair with this pattern. Within the
    /// same-property segment the location is already accounted for.
    pub fn weight_for(&self, p: Pattern, c: usize) -> f64 {
        let level = level_of(p, c);
        match self.segment_of(p) {
            None => self.weight(c, level),
            Some(s) if c == s.comparison || level == NULL => 0.0,
            Some(s) => (s.m[c][level as usize] / s.u[c][level as usize]).log2(),
        }
    }

    /// (m, u) behind `weight_for`.
    pub fn m_u_for(&self, p: Pattern, c: usize) -> (f64, f64) {
        let l = level_of(p, c) as usize;
        if l == NULL as usize {
            return (0.0, 0.0);
        }
        match self.segment_of(p) {
            Some(s) => (s.m[c][l], s.u[c][l]),
            None => (self.m[c][l], self.u[c][l]),
        }
    }

    /// The term-frequency adjustment for an exact match on a value with
    /// frequency `tf`: common values are weaker evidence than rare ones.
    pub fn tf_adjustment(&self, c: usize, tf: f64) -> f64 {
        if tf <= 0.0 {
            0.0
        } else {
            (self.u[c][0] / tf).log2()
        }
    }
}

pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Relative frequency of each record's value, for comparisons with `tf`.
pub fn term_frequencies(
    comparisons: &[Comparison],
    records: &[Record],
    derived: &[Derived],
) -> Vec<Option<Vec<f32>>> {
    comparisons
        .iter()
        .map(|c| {
            if !c.tf {
                return None;
            }
            let mut counts: HashMap<&str, u32> = HashMap::new();
            let mut total = 0u64;
            for (r, d) in records.iter().zip(derived) {
                if let Some(v) = c.tf_value(r, d) {
                    *counts.entry(v).or_default() += 1;
                    total += 1;
                }
            }
            let total = total.max(1) as f64;
            Some(
                records
                    .iter()
                    .zip(derived)
                    .map(|(r, d)| {
                        c.tf_value(r, d)
                            .and_then(|v| counts.get(v))
                            .map_or(0.0, |n| (*n as f64 / total) as f32)
                    })
                    .collect(),
            )
        })
        .collect()
}

/// A correction for full names more common than their parts suggest. Term
/// frequencies treat forename and surname as independent, but names cluster
/// (by age, by community): "Sandra Jones" is far commoner than the product of
/// "Sandra" and "Jones". For each record, log2 of (independent estimate /
/// observed share of other people's records with the same full name), when
/// that is negative; 0 otherwise. People are approximated by the most
/// postcodes the full name is recorded at the same time: one person who moved
/// is seen at two postcodes, but one after the other, so a move does not make
/// the person's own name look shared. Where records come from
/// `residence_sources` (accounts and registers that hold where someone lives
/// now), only theirs count places: a claim or a call may carry an old address.
pub fn full_name_correction(
    comparisons: &[Comparison],
    tf: &[Option<Vec<f32>>],
    records: &[Record],
    derived: &[Derived],
    residence_sources: &[&str],
) -> Option<Vec<f32>> {
    use crate::config::ComparisonKind as K;
    let f = comparisons
        .iter()
        .position(|c| c.kind == K::Forename && c.tf)?;
    let s = comparisons
        .iter()
        .position(|c| c.kind == K::Surname && c.tf)?;
    let (tf_f, tf_s) = (tf[f].as_ref()?, tf[s].as_ref()?);
    let name = |i: usize| -> Option<(&str, &str)> {
        Some((
            derived[i].forename.as_deref()?,
            records[i].surname.as_deref()?,
        ))
    };
    // Records with no source among those named (a standalone CSV): all count.
    let any_residence = records
        .iter()
        .any(|r| residence_sources.contains(&r.source.as_str()));
    // Per full name: records, those that say where someone lives, people.
    let mut count: HashMap<(&str, &str), (u32, Vec<u32>, f64)> = HashMap::new();
    let mut named = 0u64;
    for (i, r) in records.iter().enumerate() {
        if let Some(n) = name(i) {
            named += 1;
            let e = count.entry(n).or_default();
            e.0 += 1;
            let says_where = !any_residence || residence_sources.contains(&r.source.as_str());
            if r.postcode.is_some() && says_where {
                e.1.push(i as u32);
            }
        }
    }
    for (_, at, people) in count.values_mut() {
        // Within one source: systems learn of a move at different times (a
        // register deletes months late), so across sources a mover looks
        // like two people at once.
        let mut by_source: HashMap<&str, Vec<u32>> = HashMap::new();
        for &i in at.iter() {
            by_source
                .entry(records[i as usize].source.as_str())
                .or_default()
                .push(i);
        }
        *people = by_source
            .values()
            .map(|at| places_at_once(records, at))
            .max()
            .unwrap_or(1) as f64;
    }
    let named = named.max(1) as f64;
    Some(
        (0..records.len())
            .map(|i| {
                let Some(n) = name(i) else { return 0.0 };
                let (records_with, _, people) = &count[&n];
                let people = *people;
                if people <= 1.0 {
                    return 0.0;
                }
                let others = *records_with as f64 * (1.0 - 1.0 / people) / named;
                let independent = tf_f[i] as f64 * tf_s[i] as f64;
                if independent <= 0.0 || others <= 0.0 {
                    return 0.0;
                }
                (independent / others).log2().min(0.0) as f32
            })
            .collect(),
    )
}

/// The most distinct postcodes among `at` (records sharing a full name) that
/// are seen at the same time: an estimate of how many people hold the name.
/// Records without dates count as seen throughout. Two records must overlap
/// by more than `MOVE_DAYS` to count as at once, as a move takes a few weeks
/// to reach every system (and a register is only updated now and then).
fn places_at_once(records: &[Record], at: &[u32]) -> usize {
    const MOVE_DAYS: i64 = 45;
    if at.len() <= 1 {
        return 1;
    }
    let mut spans: HashMap<&str, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for &i in at {
        let r = &records[i as usize];
        let Some(pc) = r.postcode.as_deref() else {
            continue;
        };
        let (from, to) = r.seen.unwrap_or((NaiveDate::MIN, NaiveDate::MAX));
        spans.entry(pc).or_default().push((from, to));
    }
    if spans.len() <= 1 {
        return spans.len().max(1);
    }
    // Each postcode's spans merged; then the most postcodes live at one moment.
    let mut edges: Vec<(NaiveDate, i32)> = Vec::new();
    for mut s in spans.into_values() {
        s.sort_unstable();
        let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::new();
        for (from, to) in s {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        // Each span loses half the allowance at both ends, so two spans
        // still overlapping overlapped by more than the allowance; a one-off
        // sighting (a call, a single extract) is never at once with another.
        let half = chrono::Duration::days(MOVE_DAYS / 2);
        for (from, to) in merged {
            let (Some(first), Some(last)) =
                (from.checked_add_signed(half), to.checked_sub_signed(half))
            else {
                continue;
            };
            if first < last {
                edges.push((first, 1));
                // Ends sort before starts on the same day: touching is not at once.
                edges.push((last, -1));
            }
        }
    }
    edges.sort_unstable();
    let (mut now, mut most) = (0i32, 1i32);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most as usize
}

/// The fields a blocking rule's keys are made from.
pub fn key_fields(k: &Key) -> Vec<Field> {
    vec![match k {
        Key::Field(f) => *f,
        Key::ForenameInitial | Key::ForenameSound => Field::Forename,
        Key::SurnameSound => Field::Surname,
        Key::NameSounds => return vec![Field::Forename, Field::Surname],
        Key::BirthYear => Field::Dob,
        Key::PostcodeSector | Key::PostcodeDistrict => Field::Postcode,
        Key::HouseNumber => Field::Address,
    }]
}

/// u from random pairs: almost all of them are different people.
pub fn estimate_u(
    comparisons: &[Comparison],
    records: &[Record],
    derived: &[Derived],
    samples: usize,
    across_datasets_only: bool,
) -> Vec<Vec<f64>> {
    let n = records.len();
    let levels: Vec<usize> = comparisons.iter().map(|c| c.levels()).collect();
    let mut counts: Vec<Vec<u64>> = levels.iter().map(|&l| vec![0; l]).collect();
    let (a_idx, b_idx): (Vec<usize>, Vec<usize>) = if across_datasets_only {
        (
            (0..n).filter(|&i| records[i].dataset == 0).collect(),
            (0..n).filter(|&i| records[i].dataset != 0).collect(),
        )
    } else {
        ((0..n).collect(), (0..n).collect())
    };
    if a_idx.is_empty() || b_idx.is_empty() || n < 2 {
        return levels.iter().map(|&l| vec![1.0 / l as f64; l]).collect();
    }
    // Fixed seed: the same data always trains the same model.
    let chunks = 16;
    let per_chunk = samples.div_ceil(chunks);
    let partial: Vec<Vec<Vec<u64>>> = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(0x5eed ^ chunk as u64);
            let mut local: Vec<Vec<u64>> = levels.iter().map(|&l| vec![0; l]).collect();
            for _ in 0..per_chunk {
                let i = a_idx[rng.random_range(0..a_idx.len())];
                let j = b_idx[rng.random_range(0..b_idx.len())];
                if i == j {
                    continue;
                }
                for (c, cmp) in comparisons.iter().enumerate() {
                    let l = cmp.level(&records[i], &derived[i], &records[j], &derived[j]);
                    if l != NULL {
                        local[c][l as usize] += 1;
                    }
                }
            }
            local
        })
        .collect();
    for p in partial {
        for (c, row) in p.into_iter().enumerate() {
            for (l, v) in row.into_iter().enumerate() {
                counts[c][l] += v;
            }
        }
    }
    counts
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            // Half a count of smoothing: a level never seen at random is rare, not impossible.
            row.iter()
                .map(|&v| (v as f64 + 0.5) / (total as f64 + 0.5 * row.len() as f64))
                .collect()
        })
        .collect()
}

pub fn initial_m(levels: usize) -> Vec<f64> {
    // Agreement is likelier for the same person; EM refines this.
    let mut m: Vec<f64> = (0..levels).map(|l| 0.5f64.powi(l as i32 + 1)).collect();
    m[0] = 0.8;
    let s: f64 = m.iter().sum();
    m.iter_mut().for_each(|v| *v /= s);
    m
}

pub struct EmResult {
    pub m: Vec<Vec<f64>>,
    /// Expected number of matching pairs at each level, for pooling sessions.
    pub matched_at: Vec<Vec<f64>>,
    pub lambda: f64,
    pub iterations: usize,
}

/// EM with u fixed: estimates m for the `included` comparisons and the share
/// of pairs that match, from counts of comparison patterns.
pub fn em(
    patterns: &[(Pattern, u64)],
    included: &[bool],
    m0: &[Vec<f64>],
    u: &[Vec<f64>],
    max_iterations: usize,
) -> EmResult {
    let mut m: Vec<Vec<f64>> = m0.to_vec();
    let mut lambda: f64 = 0.3;
    let mut iterations = 0;
    let mut matched_at: Vec<Vec<f64>> = m.iter().map(|r| vec![0.0; r.len()]).collect();
    for it in 0..max_iterations {
        iterations = it + 1;
        let mut mm: Vec<Vec<f64>> = m.iter().map(|r| vec![0.0; r.len()]).collect();
        let mut matched = 0.0;
        let mut total = 0.0;
        for &(p, n) in patterns {
            let mut lm = lambda.ln();
            let mut lu = (1.0 - lambda).ln();
            for (c, inc) in included.iter().enumerate() {
                if !inc {
                    continue;
                }
                let l = level_of(p, c);
                if l == NULL {
                    continue;
                }
                lm += m[c][l as usize].ln();
                lu += u[c][l as usize].ln();
            }
            let post = 1.0 / (1.0 + (lu - lm).exp());
            let w = post * n as f64;
            matched += w;
            total += n as f64;
            for (c, inc) in included.iter().enumerate() {
                let l = level_of(p, c);
                if *inc && l != NULL {
                    mm[c][l as usize] += w;
                }
            }
        }
        if total == 0.0 {
            break;
        }
        matched_at = mm.clone();
        let mut change: f64 = 0.0;
        for (c, inc) in included.iter().enumerate() {
            if !inc {
                continue;
            }
            let s: f64 = mm[c].iter().sum();
            if s <= 0.0 {
                continue;
            }
            for l in 0..mm[c].len() {
                let v = (mm[c][l] / s).max(1e-6);
                change = change.max((v - m[c][l]).abs());
                m[c][l] = v;
            }
        }
        let new_lambda = (matched / total).clamp(1e-9, 1.0 - 1e-9);
        change = change.max((new_lambda - lambda).abs());
        lambda = new_lambda;
        if change < 1e-6 {
            break;
        }
    }
    EmResult {
        m,
        matched_at,
        lambda,
        iterations,
    }
}

/// EM estimating m, u and the match share together, for a population where
/// random pairs cannot stand in for non-matches (people at one property).
pub fn em_full(
    patterns: &[(Pattern, u64)],
    included: &[bool],
    m0: &[Vec<f64>],
    u0: &[Vec<f64>],
    max_iterations: usize,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>, f64) {
    let mut m = m0.to_vec();
    let mut u = u0.to_vec();
    let mut lambda: f64 = 0.5;
    for _ in 0..max_iterations {
        let mut mm: Vec<Vec<f64>> = m.iter().map(|r| vec![0.0; r.len()]).collect();
        let mut uu: Vec<Vec<f64>> = mm.clone();
        let (mut matched, mut total) = (0.0, 0.0);
        for &(p, n) in patterns {
            let mut lr = (lambda / (1.0 - lambda)).ln();
            for (c, inc) in included.iter().enumerate() {
                let l = level_of(p, c);
                if *inc && l != NULL {
                    lr += (m[c][l as usize] / u[c][l as usize]).ln();
                }
            }
            let post = 1.0 / (1.0 + (-lr).exp());
            let n = n as f64;
            matched += post * n;
            total += n;
            for (c, inc) in included.iter().enumerate() {
                let l = level_of(p, c);
                if *inc && l != NULL {
                    mm[c][l as usize] += post * n;
                    uu[c][l as usize] += (1.0 - post) * n;
                }
            }
        }
        if total == 0.0 {
            break;
        }
        let mut change: f64 = 0.0;
        for (c, inc) in included.iter().enumerate() {
            if !inc {
                continue;
            }
            for (target, counts) in [(&mut m, &mm), (&mut u, &uu)] {
                let s: f64 = counts[c].iter().sum::<f64>() + 0.5 * counts[c].len() as f64;
                for l in 0..counts[c].len() {
                    let v = (counts[c][l] + 0.5) / s;
                    change = change.max((v - target[c][l]).abs());
                    target[c][l] = v;
                }
            }
        }
        let new = (matched / total).clamp(1e-6, 1.0 - 1e-6);
        change = change.max((new - lambda).abs());
        lambda = new;
        if change < 1e-6 {
            break;
        }
    }
    (m, u, lambda)
}

/// The share of pairs that match, with m and u fixed.
pub fn match_share(
    patterns: &[(Pattern, u64)],
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    max_iterations: usize,
) -> f64 {
    let all = vec![true; m.len()];
    // Each pattern's likelihood ratio is fixed; only the mixing share moves.
    let ratios: Vec<(f64, f64)> = patterns
        .iter()
        .map(|&(p, n)| {
            let mut lr = 0.0;
            for (c, _) in all.iter().enumerate() {
                let l = level_of(p, c);
                if l != NULL {
                    lr += (m[c][l as usize] / u[c][l as usize]).ln();
                }
            }
            (lr, n as f64)
        })
        .collect();
    let total: f64 = ratios.iter().map(|r| r.1).sum();
    if total == 0.0 {
        return 0.0;
    }
    let mut lambda: f64 = 0.3;
    for _ in 0..max_iterations.max(1) * 5 {
        let prior = (lambda / (1.0 - lambda)).ln();
        let matched: f64 = ratios
            .iter()
            .map(|&(lr, n)| n / (1.0 + (-(lr + prior)).exp()))
            .sum();
        let new = (matched / total).clamp(1e-9, 1.0 - 1e-9);
        if (new - lambda).abs() < 1e-9 {
            lambda = new;
            break;
        }
        lambda = new;
    }
    lambda
}

/// Count the distinct comparison patterns among pairs.
pub fn count_patterns(patterns: impl ParallelIterator<Item = Pattern>) -> Vec<(Pattern, u64)> {
    let map = patterns
        .fold(HashMap::<Pattern, u64>::new, |mut m, p| {
            *m.entry(p).or_default() += 1;
            m
        })
        .reduce(HashMap::new, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
            a
        });
    let mut v: Vec<(Pattern, u64)> = map.into_iter().collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_recovers_m_from_a_mixture() {
        // One comparison with two levels, one with two levels; 30% matches.
        // Matches agree 90%/80% of the time, non-matches 10%/20%.
        let u = vec![vec![0.1, 0.9], vec![0.2, 0.8]];
        let mut patterns = Vec::new();
        let n = 100_000.0;
        for a in 0..2u64 {
            for b in 0..2u64 {
                let pm = [0.9, 0.1][a as usize] * [0.8, 0.2][b as usize];
                let pu = u[0][a as usize] * u[1][b as usize];
                let count = n * (0.3 * pm + 0.7 * pu);
                patterns.push((a | (b << 4), count as u64));
            }
        }
        let m0 = vec![initial_m(2), initial_m(2)];
        let r = em(&patterns, &[true, true], &m0, &u, 200);
        assert!((r.lambda - 0.3).abs() < 0.01, "lambda {}", r.lambda);
        assert!((r.m[0][0] - 0.9).abs() < 0.01, "m {:?}", r.m);
        assert!((r.m[1][0] - 0.8).abs() < 0.01, "m {:?}", r.m);
    }

    fn lived(postcode: &str, from: (i32, u32), to: (i32, u32)) -> Record {
        let day = |(y, m): (i32, u32)| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        Record {
            postcode: Some(postcode.into()),
            seen: Some((day(from), day(to))),
            ..Record::default()
        }
    }

    #[test]
    fn a_move_is_one_place_at_a_time_and_namesakes_are_two() {
        // One person who moved in the summer: two postcodes, one after the other.
        let moved = vec![
            lived("B1 1AA", (2024, 4), (2024, 7)),
            lived("B2 2BB", (2024, 7), (2026, 3)),
        ];
        assert_eq!(places_at_once(&moved, &[0, 1]), 1);
        // Two people of one name living at once.
        let two = vec![
            lived("B1 1AA", (2024, 4), (2026, 3)),
            lived("B2 2BB", (2025, 1), (2026, 3)),
        ];
        assert_eq!(places_at_once(&two, &[0, 1]), 2);
        // A single sighting (one extract, one call) is never "at once".
        let once = vec![
            lived("B1 1AA", (2024, 4), (2026, 3)),
            lived("B2 2BB", (2025, 1), (2025, 1)),
        ];
        assert_eq!(places_at_once(&once, &[0, 1]), 1);
        // Several records at one postcode are one place.
        let same = vec![
            lived("B1 1AA", (2024, 4), (2025, 3)),
            lived("B1 1AA", (2024, 6), (2026, 3)),
        ];
        assert_eq!(places_at_once(&same, &[0, 1]), 1);
    }

    #[test]
    fn a_full_name_held_by_two_people_at_once_counts_for_less() {
        let linker = match crate::Linker::new(crate::LinkConfig::default()) {
            Ok(l) => l,
            Err(e) => panic!("default settings: {e}"),
        };
        let named = |f: &str, s: &str, at: Record| Record {
            forename: Some(f.into()),
            surname: Some(s.into()),
            ..at
        };
        // Standalone records name no source: every record counts places.
        let mut records = vec![
            named("JOHN", "SMITH", lived("B1 1AA", (2024, 4), (2026, 3))),
            named("JOHN", "SMITH", lived("B2 2BB", (2024, 4), (2026, 3))),
            named("ANNA", "JONES", lived("B3 3CC", (2024, 4), (2024, 9))),
            named("ANNA", "JONES", lived("B4 4DD", (2024, 10), (2026, 3))),
        ];
        for i in 0..40 {
            records.push(named(&format!("F{i}"), &format!("S{i}"), Record::default()));
        }
        let derived = crate::record::derive(&records);
        let tf = term_frequencies(&linker.comparisons, &records, &derived);
        let correction = |records: &[Record], sources: &[&str]| {
            full_name_correction(&linker.comparisons, &tf, records, &derived, sources)
                .unwrap_or_default()
        };
        let c = correction(&records, &["council_tax"]);
        assert!(c[0] < 0.0 && c[1] < 0.0, "namesakes at once: {c:?}");
        assert_eq!((c[2], c[3]), (0.0, 0.0), "one person who moved");
        // Records from a residence source: only theirs count places.
        records[0].source = "council_tax".into();
        let c = correction(&records, &["council_tax"]);
        assert_eq!(c[0], 0.0, "one place seen by the sources that say where");
        // Two sources that heard of a move at different times (the register
        // deleting the old address months late) are one person who moved;
        // two places at once in one source are two people.
        let residence = ["council_tax", "electoral_register"];
        records[1].source = "electoral_register".into();
        let c = correction(&records, &residence);
        assert_eq!(c[0], 0.0, "two sources, one place each: {c:?}");
        records[1].source = "council_tax".into();
        let c = correction(&records, &residence);
        assert!(c[0] < 0.0, "one source, two places at once: {c:?}");
    }

    #[test]
    fn no_housemates_needs_enough_pairs_at_one_property_and_almost_no_two_people() {
        let with = |same, two| Model {
            comparisons: Vec::new(),
            labels: Vec::new(),
            m: Vec::new(),
            u: Vec::new(),
            prior: 0.001,
            sessions: Vec::new(),
            same_property: None,
            warnings: Vec::new(),
            same_property_pairs: same,
            housemate_pairs: two,
        };
        // As measured: FEBRL 3 and 4 (made-up people, nobody at home with
        // anyone), then two simulated towns (households).
        assert!(with(4523, 3).no_housemates());
        assert!(with(4021, 31).no_housemates());
        assert!(!with(35720, 9119).no_housemates());
        assert!(!with(54444, 15027).no_housemates());
        // One in fifty is already a household now and then.
        assert!(!with(5000, 100).no_housemates());
        // Too few pairs at one property to say.
        assert!(!with(150, 0).no_housemates());
    }

    #[test]
    fn probability_of_weights() {
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!(probability(10.0) > 0.999);
        assert!(probability(-10.0) < 0.001);
    }
}
