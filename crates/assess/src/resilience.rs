//! Community resilience: how embedded a household is in its community, as a
//! simple points score from 0 to 100 that staff can check part by part.
//!
//! Seed 000's hypothesis is that long-standing members of long-standing
//! communities escalate less often after a bad event; this is the measure of
//! "long-standing member" the platform tests it with. Points, not a model, so
//! that every point can be traced to a record. See `docs/assessment.md`,
//! "Community resilience".

use chrono::{Datelike, NaiveDate};

use crate::events::{latest_extract_end, month_year, months_before, record_start, words, Records};
use crate::{HouseholdInput, Observation, Resilience, ResilienceBand};

/// Scores below this are Low.
pub const MEDIUM_FROM: u8 = 35;
/// Scores from this are High.
pub const HIGH_FROM: u8 = 65;

/// Years at the current address → points (the first threshold reached, from the top).
const ADDRESS_POINTS: [(u32, u8); 4] = [(10, 25), (5, 20), (2, 13), (1, 6)];
/// Years in the area → points. Weighted most: seed 000 is about long-standing
/// members of a community, whichever street they now live in.
const AREA_POINTS: [(u32, u8); 4] = [(10, 30), (5, 22), (2, 14), (1, 7)];
const ANOTHER_ADULT: u8 = 8;
const CHILDREN: u8 = 6;
const THREE_OR_MORE: u8 = 6;
const ELECTORAL_REGISTER: u8 = 12;
const GARDEN_WASTE: u8 = 5;
const LONG_STANDING_ACCOUNT: u8 = 8;
/// How old an account must be to count as long-standing.
const LONG_STANDING_YEARS: u32 = 10;
/// How far back a garden waste subscription counts.
const GARDEN_WASTE_MONTHS: u32 = 24;
/// Sources whose records are about the home itself (their start dates say
/// when the household came to the address).
const HOME_SOURCES: [&str; 2] = ["council_tax", "rent"];
/// Sources whose records are accounts a household holds over years.
const ACCOUNT_SOURCES: [&str; 3] = ["council_tax", "rent", "benefits"];

pub fn band(score: u8) -> ResilienceBand {
    if score >= HIGH_FROM {
        ResilienceBand::High
    } else if score >= MEDIUM_FROM {
        ResilienceBand::Medium
    } else {
        ResilienceBand::Low
    }
}

/// Whole years from `from` to `to` (0 if `from` is later).
fn whole_years(from: NaiveDate, to: NaiveDate) -> u32 {
    if from > to {
        return 0;
    }
    let mut y = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        y -= 1;
    }
    y.max(0) as u32
}

fn whole_months(from: NaiveDate, to: NaiveDate) -> u32 {
    if from > to {
        return 0;
    }
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if to.day() < from.day() {
        m -= 1;
    }
    m.max(0) as u32
}

/// "6 years", "1 year", "4 months", "less than a month".
fn span(from: NaiveDate, to: NaiveDate) -> String {
    let y = whole_years(from, to);
    if y >= 1 {
        return format!("{y} year{}", if y == 1 { "" } else { "s" });
    }
    match whole_months(from, to) {
        0 => "less than a month".to_string(),
        1 => "1 month".to_string(),
        m => format!("{m} months"),
    }
}

fn points_for(years: u32, table: &[(u32, u8)]) -> u8 {
    table
        .iter()
        .find(|(y, _)| years >= *y)
        .map(|(_, p)| *p)
        .unwrap_or(0)
}

/// The resilience of one household as of `as_of`, from records known by then.
pub fn resilience(h: &HouseholdInput, as_of: NaiveDate) -> Resilience {
    resilience_in(h, &Records::new(h, as_of), as_of)
}

/// [`resilience`] over records already grouped for the same `as_of`.
pub fn resilience_in(h: &HouseholdInput, records: &Records<'_>, as_of: NaiveDate) -> Resilience {
    let current_from = latest_extract_end(as_of);
    let is_current = |g: &[&Observation]| g[g.len() - 1].known_on >= current_from;
    let start = record_start;

    // Time at this address: the single view's moving-in date, else the
    // oldest current account for the home.
    let at_address = h.moved_in.filter(|d| *d <= as_of).or_else(|| {
        records
            .iter()
            .filter(|g| HOME_SOURCES.contains(&g[0].source.as_str()) && is_current(g))
            .map(start)
            .min()
    });
    let address = match at_address {
        Some(d) => {
            let p = points_for(whole_years(d, as_of), &ADDRESS_POINTS);
            (
                format!(
                    "At this address for {} (since {})",
                    span(d, as_of),
                    month_year(d)
                ),
                p,
            )
        }
        None => ("Time at this address not known".to_string(), 0),
    };

    // Time in the area: the earliest date any record shows a member here.
    let first_seen = records
        .iter()
        .map(start)
        .chain(h.members.iter().filter_map(|m| m.first_seen))
        .filter(|d| *d <= as_of)
        .min();
    let area = match first_seen {
        Some(d) => (
            format!(
                "In the area for {} (first seen {})",
                span(d, as_of),
                month_year(d)
            ),
            points_for(whole_years(d, as_of), &AREA_POINTS),
        ),
        None => ("Time in the area not known".to_string(), 0),
    };

    // Household ties: who lives here. Children are seldom linked people, so
    // the latest benefit claim's count of dependants stands in for them.
    let mut adults = 0usize;
    let mut children = 0usize;
    for m in &h.members {
        match m.dob {
            Some(dob) if whole_years(dob, as_of) < 18 => children += 1,
            // No date of birth: most such records are liable adults.
            _ => adults += 1,
        }
    }
    let dependants = records
        .of("benefits")
        .filter(|g| is_current(g))
        .filter_map(|g| g[g.len() - 1].int("dependants"))
        .max()
        .unwrap_or(0)
        .max(0) as usize;
    children = children.max(dependants);
    let people = adults + children;
    let mut ties_points = 0;
    if adults >= 2 {
        ties_points += ANOTHER_ADULT;
    }
    if children >= 1 {
        ties_points += CHILDREN;
    }
    if people >= 3 {
        ties_points += THREE_OR_MORE;
    }
    let ties = (
        format!(
            "Household of {people}: {adults} adult{} and {children} child{}",
            if adults == 1 { "" } else { "s" },
            if children == 1 { "" } else { "ren" }
        ),
        ties_points,
    );

    // Community activity visible in the council's records.
    let registered = records.of("electoral_register").any(|g| {
        // The latest notice for a registration says whether it stands.
        g[g.len() - 1].attr("record_type") != Some("D")
    });
    let electoral = if registered {
        ("On the electoral register".to_string(), ELECTORAL_REGISTER)
    } else {
        ("Not on the electoral register".to_string(), 0)
    };
    let garden_from = months_before(as_of, GARDEN_WASTE_MONTHS);
    let garden_on = records
        .of("street_scene")
        .filter(|g| g[0].attr("job_type") == Some("garden_waste_subscription"))
        .map(start)
        .filter(|d| *d > garden_from)
        .max();
    let garden = match garden_on {
        Some(d) => (
            format!("Subscribed to garden waste collection ({})", month_year(d)),
            GARDEN_WASTE,
        ),
        None => (
            format!("No garden waste subscription in the past {GARDEN_WASTE_MONTHS} months"),
            0,
        ),
    };
    let oldest_account = records
        .iter()
        .filter(|g| ACCOUNT_SOURCES.contains(&g[0].source.as_str()))
        .map(|g| (start(g), g[0].source.as_str()))
        .min();
    let long = match oldest_account {
        Some((d, source)) if whole_years(d, as_of) >= LONG_STANDING_YEARS => (
            format!(
                "Holds a long-standing {} account (since {})",
                words(source),
                month_year(d)
            ),
            LONG_STANDING_ACCOUNT,
        ),
        _ => (
            format!("No account held for {LONG_STANDING_YEARS} years or more"),
            0,
        ),
    };

    let parts = vec![address, area, ties, electoral, garden, long];
    let score = parts
        .iter()
        .map(|(_, p)| u32::from(*p))
        .sum::<u32>()
        .min(100) as u8;
    Resilience {
        score,
        band: band(score),
        parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Member;

    use crate::testing::{d, obs};

    fn member(person: i64, dob: Option<&str>) -> Member {
        Member {
            person,
            dob: dob.map(d),
            first_seen: None,
        }
    }

    #[test]
    fn bands_have_documented_cut_points() {
        assert_eq!(band(0), ResilienceBand::Low);
        assert_eq!(band(34), ResilienceBand::Low);
        assert_eq!(band(35), ResilienceBand::Medium);
        assert_eq!(band(64), ResilienceBand::Medium);
        assert_eq!(band(65), ResilienceBand::High);
        assert_eq!(band(100), ResilienceBand::High);
    }

    #[test]
    fn a_newcomer_living_alone_scores_low() {
        let h = HouseholdInput {
            household: 1,
            members: vec![member(1, Some("1990-01-01"))],
            moved_in: Some(d("2025-01-10")),
            observations: vec![obs(
                "council_tax",
                "4/1",
                "2025-01-31",
                Some("2025-01-10"),
                &[],
            )],
            ..Default::default()
        };
        let r = resilience(&h, d("2025-03-31"));
        assert_eq!(r.score, 0, "{:?}", r.parts);
        assert_eq!(r.band, ResilienceBand::Low);
        assert_eq!(r.parts.len(), 6);
        assert!(r.parts[0].0.contains("2 months"), "{}", r.parts[0].0);
    }

    #[test]
    fn a_long_standing_family_scores_high_and_every_part_counts() {
        let h = HouseholdInput {
            household: 2,
            members: vec![
                member(1, Some("1970-01-01")),
                member(2, None),
                member(3, Some("2015-06-01")),
            ],
            moved_in: Some(d("2012-05-01")),
            observations: vec![
                obs("council_tax", "4/1", "2024-04-30", Some("2008-03-01"), &[]),
                obs(
                    "electoral_register",
                    "AB-1",
                    "2024-04-30",
                    Some("2012-06-01"),
                    &[("record_type", "R")],
                ),
                obs(
                    "street_scene",
                    "SS1",
                    "2024-05-03",
                    Some("2024-05-03"),
                    &[("job_type", "garden_waste_subscription")],
                ),
            ],
            ..Default::default()
        };
        let r = resilience(&h, d("2025-03-31"));
        let points: Vec<u8> = r.parts.iter().map(|(_, p)| *p).collect();
        // 12 years here, 17 in the area, 2 adults + 1 child of 3, on the
        // register, garden waste, an account since 2008.
        assert_eq!(points, vec![25, 30, 20, 12, 5, 8], "{:?}", r.parts);
        assert_eq!(r.score, 100);
        assert_eq!(r.band, ResilienceBand::High);
        assert!(
            r.parts[2].0.contains("2 adults and 1 child"),
            "{}",
            r.parts[2].0
        );
    }

    #[test]
    fn a_deleted_registration_does_not_count_and_the_future_is_not_seen() {
        let h = HouseholdInput {
            household: 3,
            members: vec![member(1, None)],
            moved_in: None,
            observations: vec![
                obs(
                    "electoral_register",
                    "AB-1",
                    "2024-04-30",
                    Some("2020-01-01"),
                    &[("record_type", "R")],
                ),
                obs(
                    "electoral_register",
                    "AB-1",
                    "2024-06-30",
                    Some("2024-06-30"),
                    &[("record_type", "D")],
                ),
                obs(
                    "street_scene",
                    "SS1",
                    "2024-09-03",
                    Some("2024-09-03"),
                    &[("job_type", "garden_waste_subscription")],
                ),
            ],
            ..Default::default()
        };
        let before = resilience(&h, d("2024-05-31"));
        assert_eq!(before.parts[3].1, ELECTORAL_REGISTER);
        assert_eq!(before.parts[4].1, 0, "the subscription comes later");
        let after = resilience(&h, d("2024-07-31"));
        assert_eq!(after.parts[3].1, 0);
    }

    #[test]
    fn dependants_on_a_claim_stand_in_for_unlinked_children() {
        let h = HouseholdInput {
            household: 4,
            members: vec![member(1, Some("1985-01-01"))],
            observations: vec![obs(
                "benefits",
                "HB1/claimant",
                "2025-03-31",
                Some("2023-01-01"),
                &[("dependants", "2")],
            )],
            ..Default::default()
        };
        let r = resilience(&h, d("2025-03-31"));
        assert_eq!(r.parts[2].1, CHILDREN + THREE_OR_MORE, "{:?}", r.parts[2]);
        // Time at the address falls back to the oldest current home account.
        assert!(r.parts[0].0.contains("not known"));
    }
}
