//! The town's names against what real places look like: how many distinct
//! forenames and surnames a town of a given size holds, how common the
//! commonest surname is, and how many people share their full name with
//! someone else. Linkage accuracy measured on the town is only worth as much
//! as this: a town where namesakes are ten times too common makes matching
//! look harder than it is, and one where everybody's name is unique makes it
//! look easier.
//!
//! The bands are wide on purpose. They come from the published frequencies
//! the draws are built on (docs/simulation.md, "Names"), worked forward to a
//! town of this size independently of the simulator: if people drew their
//! names independently from the Great Britain surname curve (Smith about 1.2%,
//! the 500 commonest names about 45% of people, UCL Surname Profiler and the
//! 1996 electoral register) and ONS forename shares (the ten commonest boys'
//! names 16% of boys born in 2008, the hundred commonest 58%, and older
//! cohorts more concentrated), the expected share of people in a town of
//! 20,000 who share their full name with someone else is about 2%, and a
//! town of that size holds about 7,500 distinct surnames and several
//! thousand forenames. A Welsh-speaking county is far more concentrated
//! (Jones about 5.75% of everyone in Wales, the ten commonest Welsh surnames
//! a quarter to a third of people): the same sum with Ceredigion's mix gives
//! about 10 to 20%. A city with a large British Pakistani and Bangladeshi
//! population is more concentrated than an English town (Muhammad and its
//! spellings, Khan, Hussain, Ahmed, Begum), so Birmingham sits above 2%.
//! Families, cohorts and the simulator's shorter lists move the figures by
//! less than a factor of two, which the bands allow.
//!
//! Drawn uniformly from forty-odd names a list, as the town once was, both
//! towns failed every band: Ceredigion held 535 forenames and 362 surnames,
//! with 56% of people sharing a full name; Birmingham 552, 383 and 49%.

use std::collections::HashMap;
use upstream_sim::life::World;
use upstream_sim::Profile;

struct Names {
    people: usize,
    forenames: usize,
    surnames: usize,
    /// Share of people whose forename and surname another person also has.
    sharing: f64,
    /// The commonest surname and its share of people.
    top_surname: (String, f64),
}

fn town(profile: &str, households: u32, seed: u64) -> Names {
    let p = Profile::load(profile).expect("built-in profile");
    let first = p.town.start_month;
    let w = World::new(p, households, seed, first);
    let mut fore: HashMap<&str, usize> = HashMap::new();
    let mut sur: HashMap<&str, usize> = HashMap::new();
    let mut full: HashMap<(&str, &str), usize> = HashMap::new();
    for person in &w.people {
        *fore.entry(person.forename).or_default() += 1;
        *sur.entry(person.surname).or_default() += 1;
        *full.entry((person.forename, person.surname)).or_default() += 1;
    }
    let n = w.people.len();
    let shared: usize = full.values().filter(|c| **c > 1).sum();
    let mut by_origin: HashMap<String, (usize, usize)> = HashMap::new();
    for person in &w.people {
        let e = by_origin.entry(format!("{:?}", person.origin)).or_default();
        e.0 += 1;
        if full[&(person.forename, person.surname)] > 1 {
            e.1 += 1;
        }
    }
    let mut by: Vec<_> = by_origin.into_iter().collect();
    by.sort();
    for (o, (all, sh)) in by {
        eprintln!(
            "  {o}: {all} people, {:.1}% share a full name",
            sh as f64 * 100.0 / all as f64
        );
    }
    let (top, count) = sur
        .iter()
        .max_by_key(|(name, c)| (**c, std::cmp::Reverse(**name)))
        .map(|(name, c)| (name.to_string(), *c))
        .unwrap_or_default();
    Names {
        people: n,
        forenames: fore.len(),
        surnames: sur.len(),
        sharing: shared as f64 / n as f64,
        top_surname: (top, count as f64 / n as f64),
    }
}

fn report(label: &str, t: &Names) -> String {
    format!(
        "{label}: {} people, {} forenames, {} surnames, {:.1}% share a full name, commonest surname {} {:.2}%",
        t.people,
        t.forenames,
        t.surnames,
        t.sharing * 100.0,
        t.top_surname.0,
        t.top_surname.1 * 100.0
    )
}

#[test]
fn a_welsh_county_has_realistically_many_names_and_namesakes() {
    let t = town("ceredigion", 8_000, 5);
    let r = report("ceredigion, 8,000 households", &t);
    eprintln!("{r}");
    assert!(t.people > 15_000, "{r}");
    // About 20,000 people: several thousand surnames even with Welsh
    // concentration (the old uniform draw held about 400).
    assert!((2_500..=12_000).contains(&t.surnames), "{r}");
    assert!((1_200..=8_000).contains(&t.forenames), "{r}");
    // Expected about 10 to 20% (see the top of this file); allow 3 to 25%.
    assert!((0.03..=0.25).contains(&t.sharing), "{r}");
    // Jones is about 5.75% of people in Wales, and commoner in Cardiganshire
    // (Rowlands and Rowlands, The Surnames of Wales): 4 to 10%.
    assert_eq!(t.top_surname.0, "Jones", "{r}");
    assert!((0.04..=0.10).contains(&t.top_surname.1), "{r}");
}

#[test]
fn a_diverse_city_has_realistically_many_names_and_namesakes() {
    let t = town("birmingham", 8_000, 5);
    let r = report("birmingham, 8,000 households", &t);
    eprintln!("{r}");
    assert!(t.people > 15_000, "{r}");
    assert!((3_000..=15_000).contains(&t.surnames), "{r}");
    assert!((1_500..=10_000).contains(&t.forenames), "{r}");
    // Expected a few per cent (see the top of this file); allow 1 to 10%.
    assert!((0.01..=0.10).contains(&t.sharing), "{r}");
    // No surname is more than a few per cent of a mixed city.
    assert!(t.top_surname.1 <= 0.03, "{r}");
}
