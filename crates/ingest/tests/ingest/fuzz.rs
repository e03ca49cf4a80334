//! Fuzzing every reader: each built-in declaration (the gazetteer's too)
//! reading CSV and XLSX files made of noise, of mutated real rows, and of
//! cells chosen to be awkward; and declarations themselves parsed from
//! mutated text. Nothing may panic: a bad file is refused or its rows
//! quarantined, never a crash.
//!
//! Each fuzz test runs for `UPSTREAM_FUZZ_SECONDS` seconds of generated
//! cases, shared between the declarations (default 2, a short run for CI).
//! The long run the docs ask for before a release, ten minutes a test:
//!
//! ```sh
//! UPSTREAM_FUZZ_SECONDS=600 cargo test --release -p upstream-ingest --test ingest fuzz -- --test-threads 1
//! ```

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::time::{Duration, Instant};
use upstream_ingest::{read_bytes, Declaration, Format};

/// How long each fuzz test runs in all.
fn budget() -> Duration {
    let secs = std::env::var("UPSTREAM_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(2.0);
    Duration::from_secs_f64(secs)
}

/// Each declaration's share of a test's budget.
fn share() -> Duration {
    budget() / Declaration::built_in().len() as u32
}

/// Run `test` on cases from `strategy` until the budget is spent; a failing
/// case is shrunk and reported by proptest.
fn fuzz<S: Strategy>(
    name: &str,
    budget: Duration,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let start = Instant::now();
    let mut runs = 0u64;
    let mut rounds = 0u64;
    // At least one round, however short the budget.
    while rounds == 0 || start.elapsed() < budget {
        let mut runner = TestRunner::new(Config {
            cases: 64,
            failure_persistence: None,
            // A fresh seed each round, so a long run explores further.
            rng_seed: proptest::test_runner::RngSeed::Fixed(rounds),
            ..Config::default()
        });
        if let Err(e) = runner.run(&strategy, &test) {
            panic!("{name}: {e}");
        }
        runs += 64;
        rounds += 1;
    }
    eprintln!(
        "{name}: {runs} cases in {:.1}s",
        start.elapsed().as_secs_f64()
    );
}

/// Cells that have broken readers elsewhere: quotes, separators, line
/// breaks, byte-order marks, NULs, non-ASCII, huge numbers, odd dates.
fn awkward_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,12}",
        Just(String::new()),
        Just("\"".to_string()),
        Just("\"\"".to_string()),
        Just("a,b".to_string()),
        Just("line\nbreak".to_string()),
        Just("\r\n".to_string()),
        Just("\u{feff}".to_string()),
        Just("\0".to_string()),
        Just("Lôn Glan Môr".to_string()),
        Just("99999999999999999999".to_string()),
        Just("-0".to_string()),
        Just("1e308".to_string()),
        Just("NaN".to_string()),
        Just("31/02/2020".to_string()),
        Just("2024-13-01".to_string()),
        Just("£-1,234.567".to_string()),
        Just("(12.00)".to_string()),
        Just("AB 12 34 56 C".to_string()),
        Just("+44 (0)121 496 0000".to_string()),
        Just("b12 9qt".to_string()),
        Just("10012345678.0".to_string()),
        "\\PC{0,6}",
    ]
}

/// Every column the declaration reads, in its own order.
fn header_of(decl: &Declaration) -> Vec<String> {
    decl.used_columns().iter().map(|c| c.to_string()).collect()
}

/// Real rows to mutate: a small simulated town's extracts, read once, as
/// (header, rows) per source. Mutating good rows reaches the checks that
/// random cells never get past (a row whose key is noise is quarantined at
/// its key, before its dates or postcode are read).
fn seed_rows(source: &str) -> (Vec<String>, Vec<Vec<String>>) {
    use std::collections::BTreeMap;
    use std::sync::OnceLock;
    type Seeds = BTreeMap<String, (Vec<String>, Vec<Vec<String>>)>;
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    let seeds = SEEDS.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut out = Seeds::new();
        for profile in ["birmingham", "ceredigion"] {
            let town = tmp.path().join(profile);
            super::simulated_town(profile, 200, &town);
            for dir in std::fs::read_dir(town.join("extracts")).expect("extracts") {
                for f in std::fs::read_dir(dir.expect("dir").path()).expect("files") {
                    let path = f.expect("file").path();
                    let Some(decl) = Declaration::built_in().into_iter().find(|d| {
                        d.matches(&path.file_name().unwrap_or_default().to_string_lossy())
                    }) else {
                        continue;
                    };
                    let mut rdr = csv::Reader::from_path(&path).expect("csv");
                    let header: Vec<String> = rdr
                        .headers()
                        .expect("header")
                        .iter()
                        .map(str::to_string)
                        .collect();
                    let e = out.entry(decl.name.clone()).or_insert((header, Vec::new()));
                    for r in rdr.records().take(20) {
                        if e.1.len() < 60 {
                            e.1.push(r.expect("row").iter().map(str::to_string).collect());
                        }
                    }
                }
            }
        }
        out
    });
    seeds.get(source).cloned().unwrap_or_default()
}

/// CSV text with the declaration's header (sometimes a column dropped,
/// renamed or doubled) and real rows with awkward cells put in (sometimes
/// a ragged row, an unclosed quote, a byte that is not UTF-8).
fn csv_for(decl: &Declaration) -> impl Strategy<Value = Vec<u8>> {
    let (mut header, mut seeds) = seed_rows(&decl.name);
    if header.is_empty() {
        header = header_of(decl);
    }
    if seeds.is_empty() {
        seeds.push(vec![String::new(); header.len()]);
    }
    let n = header.len().max(1);
    let edits = prop::collection::vec((0..n, awkward_cell()), 0..4);
    let rows = prop::collection::vec((0..seeds.len(), edits), 0..6);
    let mutation = 0..10u8;
    (rows, mutation).prop_map(move |(picks, mutation)| {
        let mut rows: Vec<Vec<String>> = picks
            .into_iter()
            .map(|(i, edits)| {
                let mut r = seeds[i].clone();
                r.resize(n, String::new());
                for (c, v) in edits {
                    r[c] = v;
                }
                r
            })
            .collect();
        let mut h = header.clone();
        match mutation {
            1 if !h.is_empty() => {
                h.pop();
            }
            2 if !h.is_empty() => h[0] = "surprise".into(),
            3 if !h.is_empty() => h.push(h[0].clone()),
            6 => {
                // A ragged row.
                if let Some(r) = rows.first_mut() {
                    r.pop();
                }
            }
            _ => {}
        }
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let _ = w.write_record(&h);
        for r in &rows {
            let _ = w.write_record(r);
        }
        let mut bytes = w.into_inner().unwrap_or_default();
        if mutation == 4 {
            // A stray quote that never closes.
            bytes.extend_from_slice(b"\"unterminated");
        }
        if mutation == 5 {
            bytes.insert(0, 0xFF);
        }
        bytes
    })
}

/// An .xlsx workbook with the declaration's header and rows of awkward
/// cells: text, numbers, dates and blanks.
fn xlsx_for(decl: &Declaration, rows: &[Vec<String>], numbers: &[f64]) -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header_of(decl).iter().enumerate() {
        let _ = sheet.write_string(0, c as u16, h);
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            let n = numbers.get((r as usize + c as usize) % numbers.len().max(1));
            match (cell.len() % 3, n) {
                (0, Some(n)) => {
                    let _ = sheet.write_number(r, c, *n);
                }
                _ => {
                    let _ = sheet.write_string(r, c, cell.replace('\0', ""));
                }
            }
        }
    }
    book.save_to_buffer().unwrap_or_default()
}

fn as_xlsx(decl: &Declaration) -> Declaration {
    let mut d = decl.clone();
    d.format = Format::Xlsx;
    d
}

#[test]
fn fuzz_every_declaration_reading_awkward_csv() {
    for decl in Declaration::built_in() {
        fuzz(
            &format!("csv {}", decl.name),
            share(),
            csv_for(&decl),
            |bytes| {
                // Refused or read; either way no panic, and a read file accounts
                // for every row: loaded, or quarantined with a reason.
                if let Ok(p) = read_bytes(&decl, "x_2024-01.csv", &bytes) {
                    prop_assert!(p.quarantine.iter().all(|q| !q.reason.is_empty()));
                }
                Ok(())
            },
        );
    }
}

#[test]
fn fuzz_every_declaration_reading_noise() {
    for decl in Declaration::built_in() {
        let xlsx = as_xlsx(&decl);
        fuzz(
            &format!("noise {}", decl.name),
            share(),
            prop::collection::vec(any::<u8>(), 0..512),
            |bytes| {
                let _ = read_bytes(&decl, "x_2024-01.csv", &bytes);
                let _ = read_bytes(&xlsx, "x_2024-01.xlsx", &bytes);
                Ok(())
            },
        );
    }
}

#[test]
fn fuzz_every_declaration_reading_awkward_xlsx() {
    for decl in Declaration::built_in() {
        let xlsx = as_xlsx(&decl);
        let n = header_of(&decl).len().max(1);
        let strategy = (
            prop::collection::vec(prop::collection::vec(awkward_cell(), 0..=n + 1), 0..4),
            prop::collection::vec(
                prop_oneof![
                    any::<f64>(),
                    Just(45000.5),
                    Just(-1.0),
                    Just(1e20),
                    Just(0.0)
                ],
                1..4,
            ),
        );
        fuzz(
            &format!("xlsx {}", decl.name),
            share(),
            strategy,
            |(rows, numbers)| {
                let bytes = xlsx_for(&decl, &rows, &numbers);
                let _ = read_bytes(&xlsx, "x_2024-01.xlsx", &bytes);
                Ok(())
            },
        );
    }
}

#[test]
fn fuzz_declarations_parsed_from_mutated_text() {
    let texts: Vec<String> = Declaration::built_in()
        .iter()
        .filter_map(|d| Declaration::built_in_text(&d.name).map(str::to_string))
        .collect();
    let strategy = (
        0..texts.len(),
        prop::collection::vec((any::<prop::sample::Index>(), "\\PC{0,4}", 0..3u8), 1..6),
    );
    fuzz("declaration text", budget(), strategy, |(which, edits)| {
        let mut text = texts[which].clone();
        for (at, with, kind) in edits {
            let mut cut = at.index(text.len().max(1));
            while cut > 0 && !text.is_char_boundary(cut) {
                cut -= 1;
            }
            match kind {
                0 => text.insert_str(cut, &with),
                1 => {
                    let mut end = (cut + with.len().max(1)).min(text.len());
                    while end < text.len() && !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(cut..end, "");
                }
                _ => text.truncate(cut),
            }
        }
        // Parsed and validated, or refused with a message naming the file.
        if let Err(e) = Declaration::from_toml(&text, "fuzz.toml") {
            prop_assert!(e.to_string().contains("fuzz.toml"), "{e}");
        }
        Ok(())
    });
}
