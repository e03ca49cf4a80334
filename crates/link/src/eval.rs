//! Measuring linkage against a known truth: pairwise precision, recall and
//! F1, cluster-level figures, and what kinds of errors are left.

use crate::ScoredPair;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub records: usize,
    pub true_people: usize,
    pub predicted_people: usize,
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub correct_pairs: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// True people whose records form exactly one predicted cluster.
    pub people_exact: usize,
    /// True people spread over more than one predicted cluster.
    pub people_split: usize,
    /// Predicted clusters holding more than one true person.
    pub clusters_merged: usize,
    pub errors: ErrorReport,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ErrorReport {
    /// Wrongly joined pairs, by pair of sources.
    pub false_links_by_sources: BTreeMap<String, u64>,
    /// Missed pairs, by why they were missed.
    pub missed_by_reason: BTreeMap<String, u64>,
    /// Missed pairs, by pair of sources.
    pub missed_by_sources: BTreeMap<String, u64>,
    /// A few examples of each kind of error: (kind, record, record).
    pub examples: Vec<(String, String, String)>,
    /// Every error, for a closer look: (kind, record, record, match
    /// probability when the pair was compared).
    #[serde(skip)]
    pub all: Vec<ErrorPair>,
}

#[derive(Debug, Clone)]
pub struct ErrorPair {
    pub kind: &'static str,
    pub a: u32,
    pub b: u32,
    pub probability: Option<f64>,
}

/// Pairwise figures alone, for a subset of records.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Pairwise {
    pub records: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Pairwise figures without records that give only a name (and perhaps a
/// postcode; `cluster::is_weak`): nothing can link those reliably, so they
/// bound what any linker can reach.
pub fn beyond_names(records: &[crate::Record], truth: &[u64], predicted: &[u32]) -> Pairwise {
    let (t, p): (Vec<u64>, Vec<u32>) = records
        .iter()
        .zip(truth.iter().zip(predicted))
        .filter(|(r, _)| !crate::cluster::is_weak(r))
        .map(|(_, (t, p))| (*t, *p))
        .unzip();
    pairwise(&t, &p)
}

pub fn pairwise(truth: &[u64], predicted: &[u32]) -> Pairwise {
    let mut cell: HashMap<(u32, u64), u64> = HashMap::new();
    let mut pred_size: HashMap<u32, u64> = HashMap::new();
    let mut true_size: HashMap<u64, u64> = HashMap::new();
    for (&t, &p) in truth.iter().zip(predicted) {
        *cell.entry((p, t)).or_default() += 1;
        *pred_size.entry(p).or_default() += 1;
        *true_size.entry(t).or_default() += 1;
    }
    let correct: u64 = cell.values().map(|&n| pairs(n)).sum();
    let predicted_pairs: u64 = pred_size.values().map(|&n| pairs(n)).sum();
    let true_pairs: u64 = true_size.values().map(|&n| pairs(n)).sum();
    let precision = if predicted_pairs == 0 {
        1.0
    } else {
        correct as f64 / predicted_pairs as f64
    };
    let recall = if true_pairs == 0 {
        1.0
    } else {
        correct as f64 / true_pairs as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Pairwise {
        records: truth.len(),
        precision,
        recall,
        f1,
    }
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn source_pair(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a} + {b}")
    } else {
        format!("{b} + {a}")
    }
}

/// `truth[i]`: the true person of record i. `predicted[i]`: its cluster.
/// `source[i]` and `id[i]` label records in the error report. `compared`:
/// the scored pairs of the run, used to say why a missed pair was missed;
/// `left_alone`: records the clustering left alone as fitting two people.
pub fn evaluate(
    truth: &[u64],
    predicted: &[u32],
    source: &[&str],
    id: &[&str],
    compared: &[ScoredPair],
    left_alone: &[u32],
    threshold: f64,
) -> Evaluation {
    let mut cell: HashMap<(u32, u64), u64> = HashMap::new();
    let mut pred_size: HashMap<u32, u64> = HashMap::new();
    let mut true_size: HashMap<u64, u64> = HashMap::new();
    for (&t, &p) in truth.iter().zip(predicted) {
        *cell.entry((p, t)).or_default() += 1;
        *pred_size.entry(p).or_default() += 1;
        *true_size.entry(t).or_default() += 1;
    }
    let correct: u64 = cell.values().map(|&n| pairs(n)).sum();
    let predicted_pairs: u64 = pred_size.values().map(|&n| pairs(n)).sum();
    let true_pairs: u64 = true_size.values().map(|&n| pairs(n)).sum();
    let precision = if predicted_pairs == 0 {
        1.0
    } else {
        correct as f64 / predicted_pairs as f64
    };
    let recall = if true_pairs == 0 {
        1.0
    } else {
        correct as f64 / true_pairs as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    let mut clusters_of_person: HashMap<u64, u32> = HashMap::new();
    let mut people_in_cluster: HashMap<u32, u32> = HashMap::new();
    for &(p, t) in cell.keys() {
        *clusters_of_person.entry(t).or_default() += 1;
        *people_in_cluster.entry(p).or_default() += 1;
    }
    let people_exact = cell
        .iter()
        .filter(|(&(p, t), &n)| n == true_size[&t] && n == pred_size[&p])
        .count();
    let people_split = clusters_of_person.values().filter(|&&c| c > 1).count();
    let clusters_merged = people_in_cluster.values().filter(|&&c| c > 1).count();

    let left_alone: std::collections::HashSet<u32> = left_alone.iter().copied().collect();
    let mut errors = ErrorReport::default();
    // The probability of each compared pair that is an error or might be
    // one (one person, or one predicted cluster): only those, to stay small.
    let scored: HashMap<(u32, u32), f64> = compared
        .iter()
        .filter(|p| {
            let (a, b) = (p.a as usize, p.b as usize);
            truth[a] == truth[b] || predicted[a] == predicted[b]
        })
        .map(|p| ((p.a.min(p.b), p.a.max(p.b)), p.probability()))
        .collect();
    let probability = |a: usize, b: usize| scored.get(&(a.min(b) as u32, a.max(b) as u32)).copied();
    // False links: pairs in one predicted cluster with different truths.
    let mut by_cluster: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, &p) in predicted.iter().enumerate() {
        by_cluster.entry(p).or_default().push(i);
    }
    let mut by_person: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, &t) in truth.iter().enumerate() {
        by_person.entry(t).or_default().push(i);
    }
    for members in by_cluster.values().filter(|m| m.len() > 1) {
        if people_in_cluster[&predicted[members[0]]] < 2 {
            continue;
        }
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if truth[a] != truth[b] {
                    *errors
                        .false_links_by_sources
                        .entry(source_pair(source[a], source[b]))
                        .or_default() += 1;
                    errors.all.push(ErrorPair {
                        kind: "wrongly joined",
                        a: a as u32,
                        b: b as u32,
                        probability: probability(a, b),
                    });
                }
            }
        }
    }
    // Missed pairs, and why: never compared, scored too low, or compared and
    // above the threshold but kept apart by the guard against chaining.
    for members in by_person.values().filter(|m| m.len() > 1) {
        if clusters_of_person[&truth[members[0]]] < 2 {
            continue;
        }
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if predicted[a] == predicted[b] {
                    continue;
                }
                let alone = |r: usize| left_alone.contains(&(r as u32));
                let reason = match probability(a, b).as_ref() {
                    _ if alone(a) || alone(b) => {
                        "left alone: gives only a name, which fits more than one person"
                    }
                    None => "never compared (no blocking rule brought them together)",
                    Some(&p) if p < threshold => "compared, scored below the threshold",
                    Some(_) => "scored above the threshold, kept apart by the conflict guard",
                };
                *errors
                    .missed_by_reason
                    .entry(reason.to_string())
                    .or_default() += 1;
                *errors
                    .missed_by_sources
                    .entry(source_pair(source[a], source[b]))
                    .or_default() += 1;
                errors.all.push(ErrorPair {
                    kind: reason,
                    a: a as u32,
                    b: b as u32,
                    probability: probability(a, b),
                });
            }
        }
    }
    // A few of each kind, for the report.
    for p in &errors.all {
        if errors.examples.iter().filter(|e| e.0 == p.kind).count() < 5 {
            let example = (
                p.kind.to_string(),
                id[p.a as usize].to_string(),
                id[p.b as usize].to_string(),
            );
            errors.examples.push(example);
        }
    }
    Evaluation {
        records: truth.len(),
        true_people: true_size.len(),
        predicted_people: pred_size.len(),
        true_pairs,
        predicted_pairs,
        correct_pairs: correct,
        precision,
        recall,
        f1,
        people_exact,
        people_split,
        clusters_merged,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_figures() {
        // Truth: {0,1,2} {3}. Predicted: {0,1} {2,3}.
        let truth = [1, 1, 1, 2];
        let pred = [0, 0, 1, 1];
        let src = ["a"; 4];
        let id = ["r0", "r1", "r2", "r3"];
        let e = evaluate(&truth, &pred, &src, &id, &[], &[], 0.9);
        assert_eq!(e.true_pairs, 3);
        assert_eq!(e.predicted_pairs, 2);
        assert_eq!(e.correct_pairs, 1);
        assert!((e.precision - 0.5).abs() < 1e-12);
        assert!((e.recall - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(e.people_split, 1);
        assert_eq!(e.clusters_merged, 1);
        assert_eq!(e.people_exact, 0);
        assert_eq!(e.errors.false_links_by_sources["a + a"], 1);
        assert_eq!(e.errors.missed_by_reason.values().sum::<u64>(), 2);
        // Every error is listed too, for `evaluate linkage --errors`.
        let kinds: Vec<(&str, u32, u32)> =
            e.errors.all.iter().map(|p| (p.kind, p.a, p.b)).collect();
        assert_eq!(kinds.len(), 3);
        assert!(kinds.contains(&("wrongly joined", 2, 3)));
        assert!(kinds
            .iter()
            .any(|k| k.0.starts_with("never compared") && (k.1, k.2) == (0, 2)));
    }
}
