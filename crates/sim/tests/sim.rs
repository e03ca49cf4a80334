//! The synthetic town against its promises: targets met, same seed same
//! bytes, noise at the configured rates, embeddedness changing escalation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use upstream_sim::{simulate, NoProgress, Profile, SimConfig, Summary};

fn config(profile: Profile, households: u32, months: u32, seed: u64, out: PathBuf) -> SimConfig {
    SimConfig {
        profile,
        profile_name: "test".into(),
        households,
        months,
        seed,
        out,
    }
}

fn run(profile: Profile, households: u32, months: u32, seed: u64, out: &Path) -> Summary {
    simulate(
        &config(profile, households, months, seed, out.to_path_buf()),
        &NoProgress,
    )
    .expect("simulation")
    .summary
}

fn birmingham() -> Profile {
    Profile::load("birmingham").expect("built-in profile")
}

/// Every file under `dir`, relative path → bytes.
fn files(dir: &Path) -> HashMap<PathBuf, Vec<u8>> {
    let mut out = HashMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).expect("under dir").to_path_buf(),
                    std::fs::read(&p).expect("read"),
                );
            }
        }
    }
    out
}

fn within(name: &str, observed: f64, target: f64, relative: f64) {
    let ok = (observed - target).abs() <= relative * target;
    assert!(
        ok,
        "{name}: simulated {observed:.4}, target {target:.4} (allowed ±{:.0}%)",
        relative * 100.0
    );
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    run(birmingham(), 800, 6, 42, &a);
    run(birmingham(), 800, 6, 42, &b);
    run(birmingham(), 800, 6, 43, &c);
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    assert!(
        fa.len() > 60,
        "extracts, truth, manifest and summary are written"
    );
    assert_eq!(
        fa.keys().collect::<std::collections::BTreeSet<_>>(),
        fb.keys().collect()
    );
    for (path, bytes) in &fa {
        assert!(
            fb[path] == *bytes,
            "{} differs between two runs with the same seed",
            path.display()
        );
    }
    let ct = Path::new("extracts/council_tax/council_tax_2024-04.csv");
    assert_ne!(fa[ct], fc[ct], "a different seed gives a different town");
}

#[test]
fn aggregates_land_near_the_profiles_targets() {
    check_aggregates("birmingham", 8000);
}

#[test]
fn a_welsh_county_lands_near_its_targets_too() {
    check_aggregates("ceredigion", 12_000);
}

fn check_aggregates(profile: &str, households: u32) {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = run(
        Profile::load(profile).expect("profile"),
        households,
        24,
        7,
        &tmp.path().join("town"),
    );
    let (t, o) = (&s.target, &s.observed);
    for (name, obs, tgt) in [
        ("owner share", o.owner_share, t.owner_share),
        (
            "private rent share",
            o.private_rent_share,
            t.private_rent_share,
        ),
        (
            "social rent share",
            o.social_rent_share,
            t.social_rent_share,
        ),
    ] {
        assert!(
            (obs - tgt).abs() < 0.02,
            "{name}: simulated {obs:.3}, target {tgt:.3}"
        );
    }
    within(
        "council tax arrears prevalence",
        o.council_tax_arrears_prevalence,
        t.council_tax_arrears_prevalence,
        0.3,
    );
    within(
        "social rent arrears prevalence",
        o.social_rent_arrears_prevalence,
        t.social_rent_arrears_prevalence,
        0.35,
    );
    within(
        "private rent arrears prevalence",
        o.private_rent_arrears_prevalence,
        t.private_rent_arrears_prevalence,
        0.5,
    );
    within(
        "homelessness duties per 1,000",
        o.duties_per_1000_households,
        t.duties_per_1000_households,
        0.25,
    );
    within(
        "temporary accommodation per 1,000",
        o.ta_per_1000_households,
        t.ta_per_1000_households,
        0.4,
    );
    within(
        "crisis grants per 1,000",
        o.crisis_grants_per_1000_households,
        t.crisis_grants_per_1000_households,
        0.3,
    );
    within(
        "food bank referrals per 1,000",
        o.food_bank_per_1000_households,
        t.food_bank_per_1000_households,
        0.3,
    );
    // The town keeps its size.
    let size = households as f64;
    assert!(
        (s.households_at_end as f64 - size).abs() < size / 10.0,
        "{} households at the end",
        s.households_at_end
    );
}

/// Read a CSV into header-keyed rows.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let headers: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .cloned()
                .zip(rec.expect("record").iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Share of council tax records whose surname differs from the person's true surname.
fn surname_mismatch(dir: &Path) -> (f64, usize) {
    let people: HashMap<String, String> = read_csv(&dir.join("truth/people.csv"))
        .into_iter()
        .map(|r| (r["person_id"].clone(), r["surname"].clone()))
        .collect();
    let links: HashMap<String, String> = read_csv(&dir.join("truth/record_links.csv"))
        .into_iter()
        .filter(|r| r["source"] == "council_tax")
        .map(|r| (r["record_key"].clone(), r["person_id"].clone()))
        .collect();
    let rows = read_csv(&dir.join("extracts/council_tax/council_tax_2024-04.csv"));
    let mut differ = 0;
    for r in &rows {
        let key = format!("{}/{}", r["account_ref"], r["party_no"]);
        let person = links
            .get(&key)
            .unwrap_or_else(|| panic!("record {key} has no truth link"));
        if people[person] != r["surname"] {
            differ += 1;
        }
    }
    (differ as f64 / rows.len() as f64, rows.len())
}

#[test]
fn noise_is_present_at_the_configured_rates_and_absent_when_switched_off() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut clean = birmingham();
    let n = &mut clean.noise;
    n.typo_rate = 0.0;
    n.nickname_rate = 0.0;
    n.name_swap_rate = 0.0;
    n.maiden_name_rate = 0.0;
    n.postcode_format_rate = 0.0;
    n.postcode_typo_rate = 0.0;
    let mut noisy = clean.clone();
    noisy.noise.typo_rate = 0.2;
    noisy.noise.postcode_format_rate = 0.5;

    let a = tmp.path().join("clean");
    run(clean, 3000, 1, 5, &a);
    let (rate, n_rows) = surname_mismatch(&a);
    assert!(n_rows > 2000);
    assert_eq!(rate, 0.0, "no noise configured, no surname differs");

    let b = tmp.path().join("noisy");
    run(noisy, 3000, 1, 5, &b);
    let (rate, _) = surname_mismatch(&b);
    assert!(
        (0.15..0.25).contains(&rate),
        "surname typo rate {rate:.3}, configured 0.2"
    );

    let rows = read_csv(&b.join("extracts/council_tax/council_tax_2024-04.csv"));
    let odd = rows
        .iter()
        .filter(|r| {
            upstream_sim::noise::canonical_postcode(&r["postcode"]).as_deref()
                != Some(r["postcode"].as_str())
        })
        .count();
    let share = odd as f64 / rows.len() as f64;
    // Three in four variants change the written form (one in four is a double space, also non-canonical).
    assert!(
        (0.4..0.6).contains(&share),
        "non-standard postcodes {share:.3}, configured 0.5"
    );
}

/// How to read a source's record keys from one of its rows.
type RecordKeys = fn(&HashMap<String, String>) -> Vec<String>;

#[test]
fn every_extract_record_has_a_truth_link() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("town");
    run(birmingham(), 1500, 3, 9, &dir);
    let links: std::collections::HashSet<(String, String)> =
        read_csv(&dir.join("truth/record_links.csv"))
            .into_iter()
            .map(|r| (r["source"].clone(), r["record_key"].clone()))
            .collect();
    let key_of: [(&str, RecordKeys); 6] = [
        ("council_tax", |r| {
            vec![format!("{}/{}", r["account_ref"], r["party_no"])]
        }),
        ("benefits", |r| {
            let mut k = vec![format!("{}/claimant", r["claim_ref"])];
            if !r["partner_forename"].is_empty() {
                k.push(format!("{}/partner", r["claim_ref"]));
            }
            k
        }),
        ("rent", |r| {
            vec![format!("{}/{}", r["tenancy_ref"], r["tenant_no"])]
        }),
        ("homelessness", |r| vec![r["case_ref"].clone()]),
        ("contact_centre", |r| vec![r["interaction_id"].clone()]),
        ("electoral_register", |r| vec![r["elector_number"].clone()]),
    ];
    for (source, keys) in key_of {
        let rows = read_csv(&dir.join(format!("extracts/{source}/{source}_2024-06.csv")));
        for r in &rows {
            for k in keys(r) {
                assert!(
                    links.contains(&(source.to_string(), k.clone())),
                    "{source} record {k} has no truth link"
                );
            }
        }
    }
}

#[test]
fn embeddedness_changes_escalation_only_when_switched_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    let gap = |effect: f64, name: &str| {
        let mut p = birmingham();
        p.community.embeddedness_effect = effect;
        let s = run(p, 10_000, 18, 11, &tmp.path().join(name));
        assert_eq!(s.escalation.len(), 3);
        let (least, most) = (&s.escalation[0], &s.escalation[2]);
        assert!(least.households > 500 && most.households > 500);
        least.rate - most.rate
    };
    let off = gap(0.0, "off");
    let on = gap(1.5, "on");
    assert!(
        off.abs() < 0.03,
        "with the effect off, escalation barely differs by embeddedness (gap {off:.3})"
    );
    assert!(
        on > 0.03 && on > off + 0.02,
        "with the effect on, the least embedded escalate more (gap {on:.3} vs {off:.3} off)"
    );
}

#[test]
fn an_interrupted_run_leaves_the_previous_output_intact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("town");
    run(birmingham(), 500, 2, 1, &out);
    let before = files(&out);
    // A run killed half way leaves its working directory behind; the output is untouched.
    let partial = tmp.path().join(".town.partial");
    std::fs::create_dir_all(partial.join("extracts")).expect("partial");
    std::fs::write(partial.join("junk.csv"), "half a file").expect("junk");
    assert_eq!(files(&out), before);
    // The next run clears the leftovers and replaces the output whole.
    run(birmingham(), 500, 3, 1, &out);
    assert!(!partial.exists());
    assert!(out
        .join("extracts/council_tax/council_tax_2024-06.csv")
        .exists());
}

#[test]
fn a_directory_that_is_not_a_simulation_is_never_overwritten() {
    let tmp = tempfile::tempdir().expect("tmp");
    let precious = tmp.path().join("precious");
    std::fs::create_dir_all(&precious).expect("dir");
    std::fs::write(precious.join("thesis.docx"), "years of work").expect("file");
    let err = simulate(
        &config(birmingham(), 500, 1, 1, precious.clone()),
        &NoProgress,
    )
    .expect_err("refused");
    assert!(err.to_string().contains("not a simulation output"), "{err}");
    assert_eq!(
        std::fs::read_to_string(precious.join("thesis.docx")).expect("kept"),
        "years of work"
    );
}

#[test]
fn both_built_in_profiles_simulate() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = run(
        Profile::load("ceredigion").expect("profile"),
        600,
        2,
        3,
        &tmp.path().join("cer"),
    );
    assert!(s.rows_by_source.get("council_tax").copied().unwrap_or(0) > 500);
    let cases = read_csv(
        &tmp.path()
            .join("cer/extracts/homelessness/homelessness_2024-05.csv"),
    );
    assert!(
        cases
            .iter()
            .all(|c| c["duty"] == "s66" || c["duty"] == "s73"),
        "Welsh duties are s66 and s73"
    );
}

#[test]
fn council_tax_rises_each_april_by_the_profiles_increase() {
    let p = birmingham();
    let start = p.town.start_month;
    let pct = p.council_tax.annual_increase_pct;
    let base = p.band_d_pence();
    let w = upstream_sim::life::World::new(p, 200, 1, start);
    assert_eq!(w.band_d(start).0, base);
    assert_eq!(
        w.band_d(start.plus(11)).0,
        base,
        "the same financial year, April to March"
    );
    let next = w.band_d(start.plus(12)).0 as f64;
    assert!((next / base as f64 - (1.0 + pct / 100.0)).abs() < 1e-4);
    assert!(
        w.band_d(start.plus(-1)).0 < base,
        "the year before was cheaper"
    );
}
