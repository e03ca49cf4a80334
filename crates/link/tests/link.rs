//! The link crate's integration tests: standalone CSVs read as any person
//! data, the swapped-class check, and the guard weighing evidence.

use std::path::PathBuf;
use upstream_link::cluster::{cluster_weighed, Guard, Residency, MAX_IDENTIFIERS};
use upstream_link::config::{Columns, LinkConfig};
use upstream_link::model::{strong_comparisons, swapped_classes};
use upstream_link::record::{derive, Field};
use upstream_link::standalone::read;
use upstream_link::{LinkError, Linker, Record};

/// A CSV in a fresh temporary folder (removed on drop).
struct Csv {
    dir: PathBuf,
    path: PathBuf,
}

impl Csv {
    fn new(name: &str, text: &str) -> Csv {
        let dir =
            std::env::temp_dir().join(format!("upstream-link-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join(format!("{name}.csv"));
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        Csv { dir, path }
    }
}

impl Drop for Csv {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn columns(toml_text: &str) -> Columns {
    let text = format!("{}\n{toml_text}", upstream_link::config::DEFAULT_TOML);
    LinkConfig::from_toml(&text, "test")
        .unwrap_or_else(|e| panic!("{e}"))
        .columns
        .unwrap_or_else(|| panic!("no [columns]"))
}

#[test]
fn a_mostly_unusable_column_is_an_error_naming_it() {
    // Dates written 12.05.1980, which no default format reads.
    let csv = Csv::new(
        "unusable",
        "ref,given,family,born\n1,ANNA,JONES,12.05.1980\n2,BEN,SMITH,03.02.1975\n3,CARA,LEE,1990-01-01\n",
    );
    let cols = columns(
        "[columns]\nid = \"ref\"\nforename = \"given\"\nsurname = \"family\"\ndob = \"born\"\n",
    );
    match read(&[csv.path.as_path()], &cols) {
        Err(LinkError::Unusable(u)) => {
            assert_eq!((u.column.as_str(), u.field.as_str()), ("born", "dob"));
            assert_eq!((u.blanked, u.filled), (2, 3));
            let message = LinkError::Unusable(u).to_string();
            assert!(
                message.contains("'born'") && message.contains("allow_unusable"),
                "{message}"
            );
        }
        Err(e) => panic!("another error: {e}"),
        Ok(_) => panic!("a column two thirds unreadable was accepted"),
    }
    // The user may say otherwise: then it is read, and counted.
    let allowed = columns(
        "[columns]\nid = \"ref\"\nforename = \"given\"\nsurname = \"family\"\ndob = \"born\"\nallow_unusable = true\n",
    );
    let input = read(&[csv.path.as_path()], &allowed).unwrap_or_else(|e| panic!("{e}"));
    let dob = input
        .columns
        .iter()
        .find(|c| c.field == "dob")
        .unwrap_or_else(|| panic!("no dob summary"));
    assert_eq!((dob.filled, dob.read, dob.blanked), (3, 1, 2));
    assert!(dob.mostly_unusable());
    assert_eq!(dob.examples.len(), 2);
    // With the format declared, nothing fails.
    let declared = columns(
        "[columns]\nid = \"ref\"\nforename = \"given\"\nsurname = \"family\"\ndob = \"born\"\ndate_formats = [\"%d.%m.%Y\", \"%Y-%m-%d\"]\n",
    );
    let input = read(&[csv.path.as_path()], &declared).unwrap_or_else(|e| panic!("{e}"));
    assert!(input.records.iter().all(|r| r.dob.is_some()));
}

#[test]
fn a_non_uk_postcode_is_kept_as_text_with_a_warning() {
    let csv = Csv::new(
        "postcodes",
        "ref,given,family,pc\n1,ANNA,JONES,2119\n2,BEN,SMITH,b1 1aa\n3,CARA,LEE,\n",
    );
    let cols = columns(
        "[columns]\nid = \"ref\"\nforename = \"given\"\nsurname = \"family\"\npostcode = \"pc\"\n",
    );
    let input = read(&[csv.path.as_path()], &cols).unwrap_or_else(|e| panic!("{e}"));
    let pcs: Vec<Option<&str>> = input
        .records
        .iter()
        .map(|r| r.postcode.as_deref())
        .collect();
    assert_eq!(pcs, vec![Some("2119"), Some("B1 1AA"), None]);
    let pc = input
        .columns
        .iter()
        .find(|c| c.field == "postcode")
        .unwrap_or_else(|| panic!("no postcode summary"));
    assert_eq!(
        (pc.filled, pc.read, pc.kept_as_text, pc.blanked),
        (2, 1, 1, 0)
    );
    assert!(pc.describe().contains("kept as text"), "{}", pc.describe());
    assert_eq!(input.warnings.len(), 1);
    assert!(input.warnings[0].3.contains("kept as text"));
    // Nothing was blanked, so nothing is unusable, even if every value were foreign.
    assert!(!pc.mostly_unusable());
}

#[test]
fn an_extra_column_named_like_a_built_in_field_is_compared_as_its_own() {
    let extra = "[columns]\nid = \"ref\"\nforename = \"given\"\nsurname = \"family\"\n\
                 extra = [{ column = \"zip\", name = \"phone\", kind = \"id\" }]\n";
    let text = format!("{}\n{extra}", upstream_link::config::DEFAULT_TOML);
    let config = LinkConfig::from_toml(&text, "test").unwrap_or_else(|e| panic!("{e}"));
    let cols = config
        .columns
        .clone()
        .unwrap_or_else(|| panic!("no columns"));
    let linker = Linker::new(config).unwrap_or_else(|e| panic!("{e}"));
    // The default "phone" comparison now compares the extra column.
    let phone = linker
        .comparisons
        .iter()
        .find(|c| c.name == "phone")
        .unwrap_or_else(|| panic!("no phone comparison"));
    assert_eq!(phone.fields, vec![Field::Extra(0)]);
    let csv = Csv::new(
        "extra",
        "ref,given,family,zip\n1,ANNA,JONES,98-101\n2,ANNA,JONES,98 101\n3,ANNA,JONES,99-999\n",
    );
    let input = read(&[csv.path.as_path()], &cols).unwrap_or_else(|e| panic!("{e}"));
    let r = &input.records;
    assert_eq!(r[0].extra, vec![Some("98101".to_string())]);
    assert_eq!(r[0].phone, None, "the built-in phone field is not filled");
    let d = derive(r);
    assert_eq!(phone.level(&r[0], &d[0], &r[1], &d[1]), 0);
    assert_eq!(phone.level(&r[0], &d[0], &r[2], &d[2]), 1);
    // Mapping the built-in field too would hide one of them: an error that says so.
    let both = format!(
        "{}\n{extra}phone = \"tel\"\n",
        upstream_link::config::DEFAULT_TOML
    );
    match LinkConfig::from_toml(&both, "test") {
        Err(e) => assert!(e.to_string().contains("'phone' is mapped"), "{e}"),
        Ok(_) => panic!("a built-in field and an extra of the same name were both accepted"),
    }
}

#[test]
fn columns_may_have_other_names_in_each_file_and_be_missing_from_one() {
    let a = Csv::new(
        "a",
        "ref,first,last,middle_initial,street\n1,ANNA,JONES,M,1 HIGH ST\n",
    );
    let b = Csv::new("b", "ref,first,last,middle_name\n1,ANNA,JONES,MARIE\n");
    let cols = columns(
        "[columns]\nid = \"ref\"\nforename = \"first\"\nsurname = \"last\"\n\
         middle_names = [\"middle_initial\", \"middle_name\"]\naddress = [\"street\"]\n",
    );
    let input =
        read(&[a.path.as_path(), b.path.as_path()], &cols).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(input.records[0].middle_names.as_deref(), Some("M"));
    assert_eq!(input.records[1].middle_names.as_deref(), Some("MARIE"));
    assert_eq!(input.records[1].address, None);
    // A column neither file has is a mistake, named.
    let typo = columns("[columns]\nid = \"ref\"\nforename = \"frist\"\n");
    match read(&[a.path.as_path(), b.path.as_path()], &typo) {
        Err(e) => assert!(e.to_string().contains("'frist'"), "{e}"),
        Ok(_) => panic!("a column in neither file was accepted"),
    }
}

#[test]
fn the_swapped_class_check_fires_when_matches_agree_less_than_non_matches() {
    // Random pairs: date of birth (0) and forename (1) rarely agree; sex (2) half the time.
    let u_random = vec![vec![0.001, 0.999], vec![0.01, 0.99], vec![0.5, 0.5]];
    let strong = strong_comparisons(&u_random);
    assert_eq!(strong, vec![0, 1]);
    let all = [true, true, true];
    // A normal sub-model: one person's records agree far more often.
    let m = vec![vec![0.95, 0.05], vec![0.9, 0.1], vec![0.98, 0.02]];
    let u = vec![vec![0.02, 0.98], vec![0.1, 0.9], vec![0.5, 0.5]];
    assert!(swapped_classes(&m, &u, &strong, &all).is_empty());
    // Swapped: the "match" class learnt the housemates (different dates of
    // birth) and the "non-match" class the same person.
    let (m_swapped, u_swapped) = (u.clone(), m.clone());
    assert_eq!(
        swapped_classes(&m_swapped, &u_swapped, &strong, &all),
        vec![0, 1]
    );
    // A weak field disagreeing so (sex) is no sign; a comparison left out of
    // the session is not judged.
    let mut weak = m.clone();
    weak[2] = vec![0.4, 0.6];
    assert!(swapped_classes(&weak, &u, &strong, &all).is_empty());
    assert_eq!(
        swapped_classes(&m_swapped, &u_swapped, &strong, &[false, true, true]),
        vec![1]
    );
}

fn person(forename: &str, dob: (i32, u32, u32), nino: &str) -> Record {
    Record {
        forename: Some(forename.into()),
        surname: Some("SUTCLIFFE".into()),
        dob: chrono::NaiveDate::from_ymd_opt(dob.0, dob.1, dob.2),
        nino: Some(nino.into()),
        postcode: Some("B1 1AA".into()),
        address: Some("12 OAK ROAD".into()),
        ..Record::default()
    }
}

#[test]
fn the_guard_lets_one_replaced_forename_through_overwhelming_evidence_but_not_another_ni_number() {
    let guard = Guard {
        nino: true,
        dob: true,
        forename: true,
        weak_bridge: true,
        identifiers: [None; MAX_IDENTIFIERS],
    };
    let joined = |records: Vec<Record>, overwhelming: bool| {
        let d = derive(&records);
        cluster_weighed(
            &records,
            &d,
            [(0, 1, overwhelming)],
            guard,
            &Residency::default(),
            &[],
        )
        .clusters
            == 1
    };
    // The forename replaced on one record (keyed from another line of the form).
    let replaced = || {
        vec![
            person("MARGARET", (1950, 3, 4), "AB123456C"),
            person("DESMOND", (1950, 3, 4), "AB123456C"),
        ]
    };
    assert!(joined(replaced(), true));
    // Without overwhelming evidence the forename check still keeps them apart.
    assert!(!joined(replaced(), false));
    // A date of birth replaced: the same.
    let dob = || {
        vec![
            person("MARGARET", (1950, 3, 4), "AB123456C"),
            person("MARGARET", (1982, 11, 30), "AB123456C"),
        ]
    };
    assert!(joined(dob(), true));
    assert!(!joined(dob(), false));
    // A different NI number keeps them apart however strong the rest.
    let other_ni = vec![
        person("MARGARET", (1950, 3, 4), "AB123456C"),
        person("MARGARET", (1950, 3, 4), "CE654321A"),
    ];
    assert!(!joined(other_ni, true));
    // So does an identifier the user marked as conflicting.
    let mut g = guard;
    g.identifiers[0] = Some(Field::Extra(0));
    let mut records = replaced();
    records[0].extra = vec![Some("111".into())];
    records[1].extra = vec![Some("222".into())];
    let d = derive(&records);
    let c = cluster_weighed(&records, &d, [(0, 1, true)], g, &Residency::default(), &[]);
    assert_eq!(c.clusters, 2);
}

/// Fuzzing the standalone reader and the settings: CSVs of awkward cells
/// read, standardised and linked, and settings parsed from mutated text;
/// nothing may panic. `UPSTREAM_FUZZ_SECONDS` sets how long each runs
/// (default 2; ten minutes before a release, as docs/ingest.md says).
mod fuzz {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    use std::time::{Duration, Instant};

    fn budget() -> Duration {
        let secs = std::env::var("UPSTREAM_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(2.0);
        Duration::from_secs_f64(secs)
    }

    fn fuzz<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
    where
        S::Value: std::fmt::Debug,
    {
        let start = Instant::now();
        let mut round = 0u64;
        while round == 0 || start.elapsed() < budget() {
            let mut runner = TestRunner::new(Config {
                cases: 32,
                failure_persistence: None,
                rng_seed: RngSeed::Fixed(round),
                ..Config::default()
            });
            if let Err(e) = runner.run(&strategy, &test) {
                panic!("{e}");
            }
            round += 1;
        }
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{0,10}",
            Just(String::new()),
            Just("a,b".into()),
            Just("\"".into()),
            Just("line\nbreak".into()),
            Just("31/02/2020".into()),
            Just("19800512".into()),
            Just("SW1A 1AA".into()),
            Just("90210".into()),
            Just("AB123456C".into()),
            Just("+44 7700 900123".into()),
            Just("x@y".into()),
            Just("Lôn Glan Môr".into()),
            Just("\0".into()),
            "\\PC{0,6}",
        ]
    }

    const HEADER: [&str; 9] = [
        "ref",
        "given",
        "family",
        "born",
        "post_code",
        "ni",
        "phone",
        "email",
        "line1",
    ];

    #[test]
    fn fuzz_the_standalone_reader_and_linker() {
        let cols = columns(
            "[columns]\nid = \"ref\"\nforename = \"given\"\nsurname = \"family\"\ndob = \"born\"\npostcode = \"post_code\"\nnino = \"ni\"\nphone = \"phone\"\nemail = \"email\"\naddress = [\"line1\"]\nallow_unusable = true\n",
        );
        let rows = prop::collection::vec(prop::collection::vec(cell(), HEADER.len()), 0..12);
        fuzz(rows, |rows| {
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            let _ = w.write_record(HEADER);
            for (i, r) in rows.iter().enumerate() {
                let mut r = r.clone();
                // Ids must be unique for the file to be read at all, mostly.
                if i % 3 != 0 {
                    r[0] = format!("r{i}");
                }
                let _ = w.write_record(&r);
            }
            let bytes = w.into_inner().unwrap_or_default();
            let file = Csv::new("fuzz", &String::from_utf8_lossy(&bytes));
            if let Ok(input) = read(&[file.path.as_path()], &cols) {
                let small = upstream_link::config::DEFAULT_TOML
                    .replace("random_pairs = 2000000", "random_pairs = 2000");
                let config =
                    LinkConfig::from_toml(&small, "fuzz").unwrap_or_else(|e| panic!("{e}"));
                if let Ok(linker) = Linker::new(config) {
                    let _ = linker.run(&input.records, upstream_link::Mode::Dedupe, &|_| {});
                }
            }
            Ok(())
        });
    }

    #[test]
    fn fuzz_settings_parsed_from_mutated_text() {
        let text = upstream_link::config::DEFAULT_TOML.to_string();
        let edits =
            prop::collection::vec((any::<prop::sample::Index>(), "\\PC{0,4}", 0..3u8), 1..5);
        fuzz(edits, |edits| {
            let mut t = text.clone();
            for (at, with, kind) in edits {
                let mut cut = at.index(t.len().max(1));
                while cut > 0 && !t.is_char_boundary(cut) {
                    cut -= 1;
                }
                match kind {
                    0 => t.insert_str(cut, &with),
                    1 => {
                        let mut end = (cut + 3).min(t.len());
                        while end < t.len() && !t.is_char_boundary(end) {
                            end += 1;
                        }
                        t.replace_range(cut..end, "");
                    }
                    _ => t.truncate(cut),
                }
            }
            if let Err(e) = LinkConfig::from_toml(&t, "fuzz.toml") {
                prop_assert!(e.to_string().contains("fuzz.toml"), "{e}");
            }
            Ok(())
        });
    }
}
