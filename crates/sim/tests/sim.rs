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
        contacts: Vec::new(),
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
    for f in [
        "extracts/gazetteer/gazetteer_2024-04.csv",
        "extracts/gazetteer/gazetteer_2024-09.csv",
        "truth/record_addresses.csv",
    ] {
        assert!(fa.contains_key(Path::new(f)), "{f} is written");
    }
    let ct = Path::new("extracts/council_tax/council_tax_2024-04.csv");
    assert_ne!(fa[ct], fc[ct], "a different seed gives a different town");
    let gazetteer = Path::new("extracts/gazetteer/gazetteer_2024-04.csv");
    assert_ne!(fa[gazetteer], fc[gazetteer]);
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

/// The council's gazetteer and the answer key for address matching.
mod gazetteer {
    use super::{birmingham, read_csv, run};
    use std::collections::{BTreeMap, HashMap, HashSet};
    use std::path::Path;
    use upstream_core::Month;
    use upstream_sim::{read_manifest, Profile};

    /// A town whose stock changes fast enough to see every kind of change in a few months.
    fn busy(mut p: Profile) -> Profile {
        let g = &mut p.gazetteer;
        g.new_build_annual = 0.06;
        g.provisional_months_min = 1;
        g.provisional_months_max = 3;
        g.demolition_annual = 0.02;
        g.postcode_recode_annual = 0.1;
        p
    }

    fn month(s: &str) -> Month {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Each gazetteer file's rows, in month order.
    fn exports(dir: &Path) -> Vec<(Month, Vec<HashMap<String, String>>)> {
        let m = read_manifest(dir).expect("manifest");
        assert_eq!(m.gazetteer.len() as u32, m.months, "one export a month");
        m.gazetteer
            .iter()
            .map(|f| {
                let rows = read_csv(&dir.join(&f.path));
                assert_eq!(rows.len() as u64, f.rows, "{}", f.path);
                (f.period, rows)
            })
            .collect()
    }

    /// Each UPRN's English LPI status from month to month: (month, status) when it changed.
    fn status_history(
        exports: &[(Month, Vec<HashMap<String, String>>)],
    ) -> HashMap<String, Vec<(Month, String)>> {
        let mut h: HashMap<String, Vec<(Month, String)>> = HashMap::new();
        for (m, rows) in exports {
            for r in rows.iter().filter(|r| r["language"] == "ENG") {
                h.entry(r["uprn"].clone())
                    .or_default()
                    .push((*m, r["logical_status"].clone()));
            }
        }
        h
    }

    fn status_at(history: &[(Month, String)], m: Month) -> Option<&str> {
        history
            .iter()
            .rev()
            .find(|(when, _)| *when <= m)
            .map(|(_, s)| s.as_str())
    }

    #[test]
    fn the_gazetteer_export_follows_its_contract() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("town");
        let p = busy(birmingham());
        let (ce, cn, radius) = (
            p.gazetteer.centre_easting,
            p.gazetteer.centre_northing,
            p.gazetteer.radius_m,
        );
        run(p, 1500, 6, 21, &dir);
        let header = csv::Reader::from_path(dir.join("extracts/gazetteer/gazetteer_2024-04.csv"))
            .expect("csv")
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect::<Vec<_>>();
        assert_eq!(header, upstream_sim::gazetteer::COLUMNS);
        let exports = exports(&dir);
        let (first, full) = &exports[0];
        assert_eq!(*first, month("2024-04"));
        assert!(
            full.iter().all(|r| r["change_type"] == "I"),
            "the first is a full export"
        );
        let mut keys = HashSet::new();
        let mut shells = HashSet::new();
        for (_, rows) in &exports {
            for r in rows {
                assert!(["I", "U"].contains(&r["change_type"].as_str()));
                let uprn = &r["uprn"];
                assert!(
                    uprn.len() <= 12 && uprn.bytes().all(|b| b.is_ascii_digit()),
                    "{uprn}"
                );
                assert!(r["lpi_key"].starts_with(&format!("{uprn}L")));
                assert_eq!(r["usrn"].len(), 8, "{:?}", r);
                assert!(
                    ["1", "6", "8"].contains(&r["logical_status"].as_str()),
                    "{:?}",
                    r
                );
                assert!(["ENG", "CYM"].contains(&r["language"].as_str()));
                assert!(
                    ["RD02", "RD03", "RD04", "RD06", "PP"]
                        .contains(&r["classification_code"].as_str()),
                    "{:?}",
                    r
                );
                assert_eq!(
                    r["end_date"].is_empty(),
                    r["logical_status"] != "8",
                    "an end date exactly when historical: {r:?}"
                );
                for d in ["start_date", "last_update_date"] {
                    assert!(
                        chrono::NaiveDate::parse_from_str(&r[d], "%Y-%m-%d").is_ok(),
                        "{r:?}"
                    );
                }
                assert!(r["start_date"] <= r["last_update_date"], "{r:?}");
                let x: f64 = r["x_coordinate"].parse().expect("easting");
                let y: f64 = r["y_coordinate"].parse().expect("northing");
                assert!(
                    (x - ce).hypot(y - cn) < radius + 3_000.0,
                    "{x},{y} is not in the town"
                );
                assert!(
                    upstream_sim::noise::canonical_postcode(&r["postcode_locator"]).as_deref()
                        == Some(r["postcode_locator"].as_str()),
                    "{r:?}"
                );
                assert!(!r["street_description"].is_empty() && r["town_name"] == "BIRMINGHAM");
                let flat = r["classification_code"] == "RD06";
                assert_eq!(
                    flat,
                    !r["parent_uprn"].is_empty(),
                    "flats have parents: {r:?}"
                );
                assert_eq!(
                    flat,
                    !r["sao_text"].is_empty() || !r["sao_start_number"].is_empty(),
                    "{r:?}"
                );
                assert!(
                    !r["pao_start_number"].is_empty() || !r["pao_text"].is_empty(),
                    "{r:?}"
                );
                if r["classification_code"] == "PP" {
                    shells.insert(uprn.clone());
                }
                keys.insert(r["lpi_key"].clone());
            }
        }
        for (_, rows) in &exports {
            for r in rows.iter().filter(|r| !r["parent_uprn"].is_empty()) {
                assert!(shells.contains(&r["parent_uprn"]), "{r:?}");
            }
        }
        // Every kind of row the contract describes turns up.
        let all: Vec<&HashMap<String, String>> = exports.iter().flat_map(|(_, r)| r).collect();
        let any = |f: &dyn Fn(&HashMap<String, String>) -> bool| all.iter().any(|r| f(r));
        assert!(any(&|r| r["sao_text"].starts_with("FLAT ")), "SAO as text");
        assert!(
            any(&|r| !r["sao_start_number"].is_empty()),
            "SAO as a number"
        );
        assert!(any(
            &|r| !r["sao_start_suffix"].is_empty() || r["sao_text"].ends_with('A')
        ));
        assert!(
            any(&|r| !r["pao_text"].is_empty() && !r["pao_start_number"].is_empty()),
            "named blocks"
        );
        assert!(any(&|r| r["locality"].is_empty()) && any(&|r| !r["locality"].is_empty()));
        assert!(
            any(&|r| r["logical_status"] == "8"),
            "historical properties"
        );
        let later: Vec<&HashMap<String, String>> =
            exports[1..].iter().flat_map(|(_, r)| r).collect();
        assert!(
            later
                .iter()
                .any(|r| r["change_type"] == "I" && r["logical_status"] == "6"),
            "new homes are provisional first"
        );
        assert!(
            later
                .iter()
                .any(|r| r["change_type"] == "U" && r["logical_status"] == "1"),
            "then approved"
        );
        assert!(
            later
                .iter()
                .any(|r| r["change_type"] == "U" && r["logical_status"] == "8"),
            "demolitions"
        );
        // A recode: an LPI updated with another postcode, still approved.
        let first_postcode: HashMap<&str, &str> = full
            .iter()
            .map(|r| (r["lpi_key"].as_str(), r["postcode_locator"].as_str()))
            .collect();
        assert!(
            later.iter().any(|r| r["change_type"] == "U"
                && first_postcode
                    .get(r["lpi_key"].as_str())
                    .is_some_and(|pc| *pc != r["postcode_locator"])),
            "postcode recodes"
        );
        // Change-only after the first month: far smaller than the full export.
        for (m, rows) in &exports[1..] {
            assert!(rows.len() * 10 < full.len(), "{m}: {} rows", rows.len());
        }
    }

    #[test]
    fn homes_are_lived_in_only_while_built_and_standing() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("town");
        run(busy(birmingham()), 1500, 8, 22, &dir);
        let exports = exports(&dir);
        let history = status_history(&exports);
        let (start, end) = (exports[0].0, exports[exports.len() - 1].0);
        let places: HashMap<String, HashMap<String, String>> =
            read_csv(&dir.join("truth/addresses.csv"))
                .into_iter()
                .map(|r| (r["uprn"].clone(), r))
                .collect();
        let (mut new_homes_lived_in, mut checked) = (0, 0);
        for r in read_csv(&dir.join("truth/residences.csv")) {
            let uprn = &r["uprn"];
            let h = history
                .get(uprn)
                .unwrap_or_else(|| panic!("{uprn} is lived in but not in the gazetteer"));
            let from = month(&r["from_month"]);
            let to = if r["to_month"].is_empty() {
                end
            } else {
                month(&r["to_month"])
            };
            let mut m = from.max(start);
            while m <= to {
                assert_eq!(
                    status_at(h, m),
                    Some("1"),
                    "{uprn} lived in during {m}: {r:?}"
                );
                checked += 1;
                m = m.plus(1);
            }
            let place = &places[uprn];
            if !place["completed"].is_empty() {
                assert!(
                    from >= month(&place["completed"]),
                    "moved in before completion: {r:?}"
                );
                new_homes_lived_in += 1;
            }
            if !place["demolished"].is_empty() {
                assert!(
                    to < month(&place["demolished"]),
                    "lived in after demolition: {r:?}"
                );
            }
        }
        assert!(
            checked > 10_000 && new_homes_lived_in > 0,
            "{checked} {new_homes_lived_in}"
        );
        // The truth's addresses are the gazetteer's homes, with their status at the end.
        for (uprn, place) in &places {
            let h = &history[uprn];
            assert_eq!(
                status_at(h, end),
                Some(place["gazetteer_status"].as_str()),
                "{uprn}"
            );
            assert_eq!(place["usrn"].len(), 8);
        }
    }

    #[test]
    fn a_welsh_gazetteer_holds_welsh_lpis_and_systems_write_either_language() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("town");
        run(
            Profile::load("ceredigion").expect("profile"),
            2500,
            2,
            23,
            &dir,
        );
        let full = read_csv(&dir.join("extracts/gazetteer/gazetteer_2024-04.csv"));
        let english: HashMap<&str, &HashMap<String, String>> = full
            .iter()
            .filter(|r| r["language"] == "ENG")
            .map(|r| (r["uprn"].as_str(), r))
            .collect();
        let welsh: Vec<&HashMap<String, String>> =
            full.iter().filter(|r| r["language"] == "CYM").collect();
        assert!(welsh.len() > 50, "{} Welsh LPIs", welsh.len());
        let mut pairs: HashMap<String, String> = HashMap::new();
        for cy in &welsh {
            let en = english[cy["uprn"].as_str()];
            assert_eq!(
                cy["logical_status"], en["logical_status"],
                "one approved LPI per language"
            );
            assert_eq!(cy["usrn"], en["usrn"]);
            assert_ne!(cy["street_description"], en["street_description"]);
            assert_eq!(cy["lpi_key"], format!("{}L2", cy["uprn"]));
            if cy["sao_text"].starts_with("FFLAT") {
                assert!(en["sao_text"].starts_with("FLAT"));
            }
            pairs.insert(
                en["street_description"].clone(),
                cy["street_description"].clone(),
            );
        }
        // Council tax holds some of those streets in English and some in Welsh.
        let ct = read_csv(&dir.join("extracts/council_tax/council_tax_2024-05.csv"));
        let text: Vec<String> = ct
            .iter()
            .map(|r| {
                format!("{} {} {}", r["address_1"], r["address_2"], r["address_3"]).to_uppercase()
            })
            .collect();
        let in_english = pairs
            .keys()
            .filter(|en| text.iter().any(|t| t.contains(en.as_str())))
            .count();
        let in_welsh = pairs
            .values()
            .filter(|cy| text.iter().any(|t| t.contains(cy.as_str())))
            .count();
        assert!(
            in_english > 0 && in_welsh > 0,
            "{in_english} English, {in_welsh} Welsh"
        );
    }

    /// The columns of each source that hold its address (postcode last).
    fn address_columns(source: &str) -> &'static [&'static str] {
        match source {
            "council_tax" | "benefits" | "electoral_register" => {
                &["address_1", "address_2", "address_3", "postcode"]
            }
            "rent" | "adult_social_care" => &["address_1", "address_2", "postcode"],
            "housing_register" => &["current_address", "postcode"],
            "homelessness" => &["last_settled_address", "postcode"],
            _ => &["address", "postcode"],
        }
    }

    /// The record keys of a row, as `truth/record_links.csv` spells them.
    fn keys(source: &str, r: &HashMap<String, String>) -> Vec<String> {
        match source {
            "council_tax" => vec![format!("{}/{}", r["account_ref"], r["party_no"])],
            "benefits" => {
                let mut k = vec![format!("{}/claimant", r["claim_ref"])];
                if !r["partner_forename"].is_empty() {
                    k.push(format!("{}/partner", r["claim_ref"]));
                }
                k
            }
            "rent" => vec![format!("{}/{}", r["tenancy_ref"], r["tenant_no"])],
            "housing_register" => vec![r["application_ref"].clone()],
            "homelessness" => vec![r["case_ref"].clone()],
            "contact_centre" => vec![r["interaction_id"].clone()],
            "street_scene" => vec![r["job_ref"].clone()],
            "early_help" => vec![
                format!("{}/child", r["referral_id"]),
                format!("{}/parent", r["referral_id"]),
            ],
            "adult_social_care" => vec![r["referral_id"].clone()],
            "electoral_register" => vec![r["elector_number"].clone()],
            other => panic!("unknown source {other}"),
        }
    }

    #[test]
    fn every_address_in_every_extract_has_its_true_uprn() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("town");
        run(busy(birmingham()), 1500, 5, 24, &dir);
        // (source, key) -> [(from_month, uprn)] in file order.
        let mut truth: HashMap<(String, String), Vec<(Month, String)>> = HashMap::new();
        for r in read_csv(&dir.join("truth/record_addresses.csv")) {
            truth
                .entry((r["source"].clone(), r["record_key"].clone()))
                .or_default()
                .push((month(&r["from_month"]), r["uprn"].clone()));
        }
        let gazetteer: HashSet<String> = exports(&dir)
            .into_iter()
            .flat_map(|(_, rows)| rows.into_iter().map(|r| r["uprn"].clone()))
            .collect();
        let m = read_manifest(&dir).expect("manifest");
        let mut checked: BTreeMap<String, usize> = BTreeMap::new();
        for f in &m.files {
            let source = f.source.as_str();
            for r in read_csv(&dir.join(&f.path)) {
                if address_columns(source)
                    .iter()
                    .all(|c| r[*c].trim().is_empty())
                {
                    continue;
                }
                for key in keys(source, &r) {
                    let versions = truth
                        .get(&(source.to_string(), key.clone()))
                        .unwrap_or_else(|| panic!("{source} {key} has an address but no truth"));
                    let in_force = versions
                        .iter()
                        .rev()
                        .find(|(from, _)| *from <= f.period)
                        .unwrap_or_else(|| {
                            panic!("{source} {key}: no truth in force in {}", f.period)
                        });
                    assert!(
                        gazetteer.contains(&in_force.1),
                        "{source} {key}: {}",
                        in_force.1
                    );
                    // Where the system holds a UPRN, it is the true one.
                    if let Some(u) = r.get("uprn").filter(|u| !u.is_empty()) {
                        assert_eq!(u, &in_force.1, "{source} {key}");
                    }
                    *checked.entry(source.to_string()).or_default() += 1;
                }
            }
        }
        assert_eq!(
            checked.len(),
            10,
            "every source writes addresses: {checked:?}"
        );
        // One row per first showing or change: as many rows as records, plus moves.
        let records = truth.len();
        let rows: usize = truth.values().map(Vec::len).sum();
        assert!(
            rows >= records && rows < records + records / 5,
            "{rows} rows for {records} records"
        );
    }

    #[test]
    fn address_noise_is_absent_when_switched_off() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("town");
        let mut p = birmingham();
        let n = &mut p.noise;
        n.address_style_rate = 0.0;
        n.locality_missing_rate = 0.0;
        n.post_town_missing_rate = 0.0;
        n.building_name_missing_rate = 0.0;
        n.building_number_missing_rate = 0.0;
        n.flat_bare_number_rate = 0.0;
        n.street_typo_rate = 0.0;
        n.stale_postcode_rate = 0.0;
        n.postcode_format_rate = 0.0;
        n.postcode_typo_rate = 0.0;
        // An account opened before a recode keeps the old postcode, by design.
        p.gazetteer.postcode_recode_annual = 0.0;
        run(p, 800, 1, 25, &dir);
        let places: HashMap<String, HashMap<String, String>> =
            read_csv(&dir.join("truth/addresses.csv"))
                .into_iter()
                .map(|r| (r["uprn"].clone(), r))
                .collect();
        let links: HashMap<String, String> = read_csv(&dir.join("truth/record_addresses.csv"))
            .into_iter()
            .filter(|r| r["source"] == "council_tax")
            .map(|r| (r["record_key"].clone(), r["uprn"].clone()))
            .collect();
        let rows = read_csv(&dir.join("extracts/council_tax/council_tax_2024-04.csv"));
        assert!(rows.len() > 500);
        for r in &rows {
            let place = &places[&links[&format!("{}/{}", r["account_ref"], r["party_no"])]];
            let premises = if place["address_2"].is_empty() {
                place["address_1"].clone()
            } else {
                format!("{}, {}", place["address_1"], place["address_2"])
            };
            assert_eq!(r["address_1"], premises);
            assert_eq!(r["address_2"], place["locality"]);
            assert_eq!(r["address_3"], "BIRMINGHAM");
            assert_eq!(r["postcode"], place["postcode"]);
        }
    }
}
