//! Stable person identities across runs. A caseworker's case points at a
//! person id, so re-linking with next month's records must keep every
//! existing id, and say (never silently) when people merge or split.
//!
//! Rule: each previous id is inherited by the new cluster holding most of its
//! records (ties: the earliest cluster). A cluster inheriting several ids keeps
//! the oldest (smallest) and records a merge; a cluster holding records of an
//! earlier person but inheriting none gets a new id and records a split; a
//! cluster with no earlier records gets a new id. Records of an earlier
//! person that land in a cluster keeping another id are recorded as moved.

use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    New,
    Merged,
    Split,
    /// Some records of `others[0]` now belong to `person_id`.
    Moved,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityChange {
    pub kind: ChangeKind,
    /// The id that carries on (merge), the new id (split, new).
    pub person_id: i64,
    /// Merged: the ids absorbed. Split: the id the records came from.
    pub others: Vec<i64>,
    pub records: usize,
}

pub struct Assigned {
    pub person_of: Vec<i64>,
    pub changes: Vec<IdentityChange>,
    pub next_id: i64,
}

/// `previous[i]` is record i's person id from the last run, if it had one.
pub fn assign(
    cluster_of: &[u32],
    clusters: usize,
    previous: &[Option<i64>],
    mut next_id: i64,
) -> Assigned {
    // Records per (previous id, cluster).
    let mut share: HashMap<i64, HashMap<u32, usize>> = HashMap::new();
    let mut size = vec![0usize; clusters];
    for (i, &c) in cluster_of.iter().enumerate() {
        size[c as usize] += 1;
        if let Some(p) = previous[i] {
            *share.entry(p).or_default().entry(c).or_default() += 1;
        }
    }
    let mut inherits: Vec<Vec<i64>> = vec![Vec::new(); clusters];
    let mut touched_by: Vec<Vec<i64>> = vec![Vec::new(); clusters];
    let mut ids: Vec<&i64> = share.keys().collect();
    ids.sort();
    for p in ids {
        let by_cluster = &share[p];
        let mut heir: Option<(usize, u32)> = None;
        for (&c, &n) in by_cluster {
            touched_by[c as usize].push(*p);
            if heir.is_none_or(|(hn, hc)| n > hn || (n == hn && c < hc)) {
                heir = Some((n, c));
            }
        }
        if let Some((_, c)) = heir {
            inherits[c as usize].push(*p);
        }
    }
    let mut id_of_cluster = vec![0i64; clusters];
    let mut changes = Vec::new();
    for c in 0..clusters {
        let mut inh = std::mem::take(&mut inherits[c]);
        inh.sort();
        if let Some(&keep) = inh.first() {
            id_of_cluster[c] = keep;
            if inh.len() > 1 {
                changes.push(IdentityChange {
                    kind: ChangeKind::Merged,
                    person_id: keep,
                    others: inh[1..].to_vec(),
                    records: size[c],
                });
            }
            let mut from: Vec<i64> = touched_by[c]
                .iter()
                .copied()
                .filter(|p| !inh.contains(p))
                .collect();
            from.sort();
            for p in from {
                changes.push(IdentityChange {
                    kind: ChangeKind::Moved,
                    person_id: keep,
                    others: vec![p],
                    records: share[&p][&(c as u32)],
                });
            }
        } else {
            id_of_cluster[c] = next_id;
            let mut from = std::mem::take(&mut touched_by[c]);
            from.sort();
            changes.push(IdentityChange {
                kind: if from.is_empty() {
                    ChangeKind::New
                } else {
                    ChangeKind::Split
                },
                person_id: next_id,
                others: from,
                records: size[c],
            });
            next_id += 1;
        }
    }
    Assigned {
        person_of: cluster_of
            .iter()
            .map(|&c| id_of_cluster[c as usize])
            .collect(),
        changes,
        next_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_survive_growth_merges_and_splits() {
        // First run: three records, two people.
        let first = assign(&[0, 0, 1], 2, &[None, None, None], 1);
        assert_eq!(first.person_of, vec![1, 1, 2]);
        assert!(first.changes.iter().all(|c| c.kind == ChangeKind::New));
        // Second run: a new record joins person 1; a brand-new person appears.
        let prev: Vec<Option<i64>> = first
            .person_of
            .iter()
            .map(|&p| Some(p))
            .chain([None, None])
            .collect();
        let second = assign(&[0, 0, 1, 0, 2], 3, &prev, first.next_id);
        assert_eq!(second.person_of, vec![1, 1, 2, 1, 3]);
        assert_eq!(second.changes.len(), 1);
        // Third run: persons 1 and 2 found to be one; it keeps the older id.
        let prev: Vec<Option<i64>> = second.person_of.iter().map(|&p| Some(p)).collect();
        let third = assign(&[0, 0, 0, 0, 1], 2, &prev, second.next_id);
        assert_eq!(third.person_of, vec![1, 1, 1, 1, 3]);
        assert_eq!(third.changes[0].kind, ChangeKind::Merged);
        assert_eq!(third.changes[0].others, vec![2]);
        // Fourth run: split again; the larger part keeps 1, the other is new.
        let prev: Vec<Option<i64>> = third.person_of.iter().map(|&p| Some(p)).collect();
        let fourth = assign(&[0, 0, 1, 0, 2], 3, &prev, third.next_id);
        assert_eq!(fourth.person_of, vec![1, 1, 4, 1, 3]);
        assert_eq!(fourth.changes[0].kind, ChangeKind::Split);
        assert_eq!(fourth.changes[0].others, vec![1]);
        // Fifth run: one record of person 1 goes over to person 4, whose
        // cluster keeps its id: recorded as moved, not silent.
        let prev: Vec<Option<i64>> = fourth.person_of.iter().map(|&p| Some(p)).collect();
        let fifth = assign(&[0, 1, 1, 0, 2], 3, &prev, fourth.next_id);
        assert_eq!(fifth.person_of, vec![1, 4, 4, 1, 3]);
        assert_eq!(fifth.changes.len(), 1);
        assert_eq!(fifth.changes[0].kind, ChangeKind::Moved);
        assert_eq!(fifth.changes[0].person_id, 4);
        assert_eq!(fifth.changes[0].others, vec![1]);
        assert_eq!(fifth.changes[0].records, 1);
    }
}
