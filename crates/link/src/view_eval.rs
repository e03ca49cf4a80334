//! Measuring the single view against a known truth in what users count:
//! real people and real households, not our own linked ids.
//!
//! - Addresses: each record version's address on the right UPRN, a wrong
//!   one, or none.
//! - Households: current households against the true ones; real people
//!   found in more than one current household; and co-residence, pairwise:
//!   of the pairs of real people we say live together now, how many do
//!   (precision), and of those who do, how many we say so (recall).

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One record version's placement against the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressOutcome {
    Right,
    Wrong,
    Unplaced,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AddressCounts {
    pub right: u64,
    pub wrong: u64,
    pub unplaced: u64,
}

impl AddressCounts {
    pub fn add(&mut self, o: AddressOutcome) {
        match o {
            AddressOutcome::Right => self.right += 1,
            AddressOutcome::Wrong => self.wrong += 1,
            AddressOutcome::Unplaced => self.unplaced += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.right + self.wrong + self.unplaced
    }

    pub fn share(&self, n: u64) -> f64 {
        if self.total() == 0 {
            0.0
        } else {
            n as f64 / self.total() as f64
        }
    }
}

/// Address placement against the truth, in record versions: all of them,
/// and those that gave no UPRN of their own (the ones matching had to place).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AddressEvaluation {
    pub all: AddressCounts,
    pub without_uprn: AddressCounts,
    pub by_source: BTreeMap<String, AddressCounts>,
    /// Record versions with an address the truth does not cover (left out).
    pub no_truth: u64,
    /// A few wrong placements: (source, record key, address, ours, truth).
    pub wrong_examples: Vec<(String, String, String, String, String)>,
}

/// Whether a placement is right, wrong or missing.
pub fn address_outcome(placed: Option<&str>, truth: &str) -> AddressOutcome {
    match placed {
        None => AddressOutcome::Unplaced,
        Some(u) if u == truth => AddressOutcome::Right,
        Some(_) => AddressOutcome::Wrong,
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HouseholdEvaluation {
    /// True households with someone living in them at the end of the data.
    pub true_current: usize,
    /// ... of which at least one member appears in some record.
    pub true_current_visible: usize,
    /// Our current households.
    pub current: usize,
    /// Real people living in the town at the end, and those of them who
    /// appear in some record (only they can be placed).
    pub true_residents: usize,
    pub visible_residents: usize,
    /// Real people we place in a current household, and in more than one.
    pub placed_people: usize,
    pub people_in_two: usize,
    /// Our linked people in more than one current household (should be 0).
    pub linked_in_two: usize,
    /// Real people we place in a current household who had left the town
    /// or died by the end.
    pub placed_not_resident: usize,
    /// True current households whose visible members we hold as exactly
    /// one current household with no one else.
    pub households_exact: usize,
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub correct_pairs: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// The truth at the end of the data and our view of it.
pub struct HouseholdTruth<'a> {
    /// Real person -> their true household, for everyone living in the town
    /// at the end.
    pub household_of: &'a HashMap<u64, u64>,
    /// True households active at the end (some may have nobody visible).
    pub current_households: usize,
    /// Real people who appear in at least one record.
    pub visible: &'a BTreeSet<u64>,
}

/// `ours`: each current household's current members, as real people (a
/// linked person counts as the real person most of their records are; a
/// real person's records split over two linked people may so appear in two
/// households). `linked_in_two`: linked people in two current households.
pub fn evaluate_households(
    truth: &HouseholdTruth,
    ours: &[Vec<u64>],
    linked_in_two: usize,
) -> HouseholdEvaluation {
    let mut homes_of: BTreeMap<u64, BTreeSet<usize>> = BTreeMap::new();
    for (h, members) in ours.iter().enumerate() {
        for p in members {
            homes_of.entry(*p).or_default().insert(h);
        }
    }
    // Predicted pairs: real people sharing one of our current households.
    let mut predicted: BTreeSet<(u64, u64)> = BTreeSet::new();
    for members in ours {
        let mut m: Vec<u64> = members.clone();
        m.sort_unstable();
        m.dedup();
        for (i, a) in m.iter().enumerate() {
            for b in &m[i + 1..] {
                predicted.insert((*a, *b));
            }
        }
    }
    // True pairs among visible residents.
    let mut by_household: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for (p, h) in truth.household_of {
        if truth.visible.contains(p) {
            by_household.entry(*h).or_default().push(*p);
        }
    }
    let mut true_pairs = 0u64;
    let mut correct = 0u64;
    let mut exact = 0usize;
    for members in by_household.values_mut() {
        members.sort_unstable();
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                true_pairs += 1;
                if predicted.contains(&(*a, *b)) {
                    correct += 1;
                }
            }
        }
        // Exactly one of our households holds them all, and nobody else.
        let homes: BTreeSet<&BTreeSet<usize>> =
            members.iter().filter_map(|p| homes_of.get(p)).collect();
        if homes.len() == 1 && members.iter().all(|p| homes_of.contains_key(p)) {
            if let Some(only) = homes.iter().next().filter(|h| h.len() == 1) {
                let h = *only.iter().next().unwrap_or(&usize::MAX);
                let mut theirs: Vec<u64> = ours.get(h).cloned().unwrap_or_default();
                theirs.sort_unstable();
                theirs.dedup();
                if theirs == *members {
                    exact += 1;
                }
            }
        }
    }
    let predicted_pairs = predicted.len() as u64;
    let precision = ratio(correct, predicted_pairs);
    let recall = ratio(correct, true_pairs);
    HouseholdEvaluation {
        true_current: truth.current_households,
        true_current_visible: by_household.len(),
        current: ours.len(),
        true_residents: truth.household_of.len(),
        visible_residents: truth
            .household_of
            .keys()
            .filter(|p| truth.visible.contains(p))
            .count(),
        placed_people: homes_of.len(),
        people_in_two: homes_of.values().filter(|h| h.len() > 1).count(),
        linked_in_two,
        placed_not_resident: homes_of
            .keys()
            .filter(|p| !truth.household_of.contains_key(p))
            .count(),
        households_exact: exact,
        true_pairs,
        predicted_pairs,
        correct_pairs: correct,
        precision,
        recall,
        f1: if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        },
    }
}

fn ratio(n: u64, d: u64) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth_of(households: &[(u64, &[u64])]) -> HashMap<u64, u64> {
        households
            .iter()
            .flat_map(|(h, ps)| ps.iter().map(move |p| (*p, *h)))
            .collect()
    }

    #[test]
    fn a_perfect_view_scores_one_and_a_family_seen_twice_does_not() {
        let household_of = truth_of(&[(1, &[10, 11, 12]), (2, &[20])]);
        let visible: BTreeSet<u64> = [10, 11, 12, 20].into();
        let t = HouseholdTruth {
            household_of: &household_of,
            current_households: 2,
            visible: &visible,
        };
        let perfect = evaluate_households(&t, &[vec![10, 11, 12], vec![20]], 0);
        assert_eq!((perfect.precision, perfect.recall), (1.0, 1.0));
        assert_eq!(perfect.households_exact, 2);
        assert_eq!(perfect.people_in_two, 0);
        // The family split over two households, one person in both.
        let split = evaluate_households(&t, &[vec![10, 11], vec![11, 12], vec![20]], 0);
        assert_eq!(split.people_in_two, 1);
        assert!(split.recall < 1.0 && split.precision == 1.0);
        assert_eq!(split.households_exact, 1);
        assert_eq!(split.current, 3);
        // Two families joined into one.
        let joined = evaluate_households(&t, &[vec![10, 11, 12, 20]], 0);
        assert!(joined.precision < 1.0 && joined.recall == 1.0);
        assert_eq!(joined.households_exact, 0);
    }

    #[test]
    fn someone_who_left_still_placed_counts_against_precision() {
        let household_of = truth_of(&[(1, &[10, 11])]);
        let visible: BTreeSet<u64> = [10, 11, 99].into();
        let t = HouseholdTruth {
            household_of: &household_of,
            current_households: 1,
            visible: &visible,
        };
        let e = evaluate_households(&t, &[vec![10, 11, 99]], 0);
        assert_eq!(e.placed_not_resident, 1);
        assert_eq!(e.predicted_pairs, 3);
        assert_eq!(e.correct_pairs, 1);
    }

    #[test]
    fn addresses_are_right_wrong_or_unplaced() {
        assert_eq!(address_outcome(Some("1"), "1"), AddressOutcome::Right);
        assert_eq!(address_outcome(Some("2"), "1"), AddressOutcome::Wrong);
        assert_eq!(address_outcome(None, "1"), AddressOutcome::Unplaced);
        let mut c = AddressCounts::default();
        c.add(AddressOutcome::Right);
        c.add(AddressOutcome::Unplaced);
        assert_eq!(c.share(c.right), 0.5);
    }
}
