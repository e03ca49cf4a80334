//! The single view as a user meets it through the `upstream` command:
//! ingest (twice, with a wrong header, with bad rows, killed half way),
//! stored linkage keeping person ids, `explain`, and standalone linkage of
//! two CSV files.
//!
//! Every database story runs on SQLite, and again on PostgreSQL when
//! DATABASE_URL is a postgres:// URL and `psql` is at hand to create a fresh
//! database per test (dropped afterwards, even if the test fails).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use upstream_store::{IngestSummary, QuarantineEntry, SavedChange, Store, StoredRecord};

mod common;
use common::*;

/// Everything ingest has stored, as the storage API shows it.
#[derive(Debug, PartialEq)]
struct Stored {
    summary: Vec<IngestSummary>,
    latest: Vec<StoredRecord>,
    /// Observations (rows of source_records) per source.
    observations: BTreeMap<String, i64>,
    /// Quarantined rows per source.
    quarantined: BTreeMap<String, i64>,
    quarantine: Vec<QuarantineEntry>,
}

impl Stored {
    fn files(&self) -> i64 {
        self.summary.iter().map(|s| s.files).sum()
    }

    fn records(&self) -> i64 {
        self.summary.iter().map(|s| s.records).sum()
    }

    /// Each source's file counts say exactly what its tables hold: no file
    /// is stored in part.
    fn assert_whole(&self, db: &str) {
        // The gazetteer's rows are LPIs, kept apart from people's records.
        let summary_records: BTreeMap<String, i64> = self
            .summary
            .iter()
            .filter(|s| s.records > 0 && s.source != "gazetteer")
            .map(|s| (s.source.clone(), s.records))
            .collect();
        assert_eq!(summary_records, self.observations, "{db}: records");
        let summary_quarantined: BTreeMap<String, i64> = self
            .summary
            .iter()
            .filter(|s| s.quarantined > 0)
            .map(|s| (s.source.clone(), s.quarantined))
            .collect();
        assert_eq!(summary_quarantined, self.quarantined, "{db}: quarantine");
    }
}

fn stored(url: &str) -> Stored {
    with_store(url, async |s: &Store| {
        let mut observations = BTreeMap::new();
        for o in s.observations().await.expect("observations") {
            *observations.entry(o.source).or_insert(0) += 1;
        }
        let mut quarantine = s.quarantine(None).await.expect("quarantine");
        let mut quarantined = BTreeMap::new();
        for q in &quarantine {
            *quarantined.entry(q.source.clone()).or_insert(0) += 1;
        }
        quarantine.sort_by(|a, b| {
            (&a.file_name, a.row_no, &a.field).cmp(&(&b.file_name, b.row_no, &b.field))
        });
        Stored {
            summary: s.ingest_summary().await.expect("summary"),
            latest: s.latest_records().await.expect("records"),
            observations,
            quarantined,
            quarantine,
        }
    })
}

fn assignments(url: &str) -> HashMap<(String, String), i64> {
    with_store(url, async |s: &Store| {
        s.person_assignments()
            .await
            .expect("assignments")
            .into_iter()
            .map(|(s, k, p)| ((s, k), p))
            .collect()
    })
}

fn latest_changes(url: &str) -> Vec<SavedChange> {
    with_store(url, async |s: &Store| {
        let run = s.latest_link_run().await.expect("run").expect("a link run");
        s.identity_changes(run.id).await.expect("changes")
    })
}

// ------------------------------------------------------------ files

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("read csv");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|row| row.expect("row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).expect("write csv");
    w.write_record(header).expect("header");
    for row in rows {
        w.write_record(row).expect("row");
    }
    w.flush().expect("flush");
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// Every extract file of a simulated town that a built-in declaration reads
/// (so the count is what `ingest` loads), and its months in order.
fn extract_files(town: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let decls = upstream_ingest::Declaration::built_in();
    let mut files = Vec::new();
    for source in std::fs::read_dir(town.join("extracts")).expect("extracts") {
        for f in std::fs::read_dir(source.expect("source").path()).expect("source dir") {
            let path = f.expect("file").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if decls.iter().any(|d| d.matches(name)) {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut months: Vec<String> = files.iter().map(|f| month_of(f)).collect();
    months.sort();
    months.dedup();
    (files, months)
}

/// `YYYY-MM` from `source_YYYY-MM.csv`.
fn month_of(f: &Path) -> String {
    let stem = f.file_stem().and_then(|s| s.to_str()).expect("file name");
    stem[stem.len() - 7..].to_string()
}

// ------------------------------------------------------------ ingest

#[test]
fn ingesting_a_town_twice_loads_each_file_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 300, 3, 7);
    let extracts = town.join("extracts");
    for db in databases() {
        let first = ok(&db.url, &["ingest", utf8(&extracts)]);
        assert_eq!(figure(&first, "Loaded "), 33, "{}: {first}", db.name());
        let records = figure(&first, "file(s): ");
        assert!(records > 1000, "{first}");
        let before = stored(&db.url);
        assert_eq!(
            before.summary.len(),
            11,
            "{}: ten sources and the gazetteer",
            db.name()
        );
        assert!(before.summary.iter().all(|s| s.files == 3), "{before:?}");
        let lpis = figure(&first, "records, ");
        assert_eq!(before.records(), (records + lpis) as i64, "{}", db.name());
        before.assert_whole(db.name());

        let again = ok(&db.url, &["ingest", utf8(&extracts)]);
        assert!(
            again.contains("Loaded 0 file(s): 0 records")
                && again.contains("33 file(s) already loaded"),
            "{}: {again}",
            db.name()
        );
        assert!(stored(&db.url) == before, "{}: nothing changed", db.name());
    }
}

#[test]
fn a_file_with_the_wrong_header_is_refused_and_the_others_still_load() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 300, 2, 7);
    let drop = tmp.path().join("drop");
    std::fs::create_dir(&drop).expect("mkdir");
    std::fs::copy(
        town.join("extracts/council_tax/council_tax_2024-04.csv"),
        drop.join("council_tax_2024-04.csv"),
    )
    .expect("copy");
    std::fs::copy(
        town.join("extracts/benefits/benefits_2024-05.csv"),
        drop.join("benefits_2024-05.csv"),
    )
    .expect("copy");
    // The rent system's new export: `phone` gone, `landline` new.
    let (mut header, mut rows) = read_csv(&town.join("extracts/rent/rent_2024-04.csv"));
    let phone = column(&header, "phone");
    header[phone] = "landline".into();
    for row in &mut rows {
        row[phone] = "0121 496 0000".into();
    }
    write_csv(&drop.join("rent_2024-04.csv"), &header, &rows);
    for db in databases() {
        let o = upstream(&db.url, &["ingest", utf8(&drop)]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", db.name(), text(&o));
        let stderr = String::from_utf8_lossy(&o.stderr);
        let line = stderr
            .lines()
            .find(|l| l.contains("rent_2024-04.csv"))
            .unwrap_or_else(|| panic!("the refusal names the file:\n{stderr}"));
        for word in ["missing", "phone", "unexpected", "landline"] {
            assert!(line.contains(word), "'{word}' not in: {line}");
        }
        let t = text(&o);
        assert!(
            t.contains("Loaded 2 file(s)") && t.contains("1 refused"),
            "{}: {t}",
            db.name()
        );
        let s = stored(&db.url);
        let sources: Vec<&str> = s.summary.iter().map(|x| x.source.as_str()).collect();
        assert_eq!(
            sources,
            ["benefits", "council_tax"],
            "{}: nothing of the refused file",
            db.name()
        );
        assert!(!s.latest.iter().any(|r| r.source == "rent"));
        s.assert_whole(db.name());
    }
}

#[test]
fn bad_rows_are_quarantined_with_their_reasons_and_good_rows_load() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 300, 2, 7);
    let good = tmp.path().join("good");
    let bad = tmp.path().join("bad");
    for d in [&good, &bad] {
        std::fs::create_dir(d).expect("mkdir");
    }
    let ct = "council_tax_2024-04.csv";
    let hb = "benefits_2024-04.csv";
    std::fs::copy(town.join("extracts/council_tax").join(ct), good.join(ct)).expect("copy");
    std::fs::copy(town.join("extracts/benefits").join(hb), good.join(hb)).expect("copy");
    let (header, mut rows) = read_csv(&good.join(ct));
    let (dob, surname) = (column(&header, "date_of_birth"), column(&header, "surname"));
    let key = |row: &Vec<String>| {
        format!(
            "{}/{}",
            row[column(&header, "account_ref")],
            row[column(&header, "party_no")]
        )
    };
    // Data rows are numbered from 1: rows[2] is row 3.
    rows[2][dob] = "31/02/1980".into();
    rows[4][surname] = String::new();
    let gone_ct = [key(&rows[2]), key(&rows[4])];
    write_csv(&bad.join(ct), &header, &rows);
    let (hb_header, mut hb_rows) = read_csv(&good.join(hb));
    hb_rows[1][column(&hb_header, "claimant_nino")] = "QQ123456Z".into();
    let gone_hb = format!("{}/claimant", hb_rows[1][column(&hb_header, "claim_ref")]);
    write_csv(&bad.join(hb), &hb_header, &hb_rows);

    // What the untouched files give, for comparison.
    let reference = sqlite_db();
    ok(&reference.url, &["ingest", utf8(&good)]);
    let clean = stored(&reference.url);
    let planted = [(ct, 3), (ct, 5), (hb, 2)];
    assert!(
        !clean
            .quarantine
            .iter()
            .any(|q| planted.contains(&(q.file_name.as_str(), q.row_no))),
        "the rows chosen to spoil were already bad: {:?}",
        clean.quarantine
    );

    for db in databases() {
        let t = ok(&db.url, &["ingest", utf8(&bad)]);
        assert!(t.contains("upstream quarantine"), "{}: {t}", db.name());
        let s = stored(&db.url);
        s.assert_whole(db.name());
        assert_eq!(
            s.records(),
            clean.records() - 3,
            "{}: every good row loaded",
            db.name()
        );
        let keys: Vec<(&str, &str)> = s
            .latest
            .iter()
            .map(|r| (r.source.as_str(), r.record_key.as_str()))
            .collect();
        for k in &gone_ct {
            assert!(!keys.contains(&("council_tax", k.as_str())), "{k} stored");
        }
        assert!(!keys.contains(&("benefits", gone_hb.as_str())));
        assert_eq!(s.latest.len(), clean.latest.len() - 3, "{}", db.name());

        let new: Vec<&QuarantineEntry> = s
            .quarantine
            .iter()
            .filter(|q| !clean.quarantine.contains(q))
            .collect();
        let found: Vec<(&str, i64, &str, &str)> = new
            .iter()
            .map(|q| {
                (
                    q.file_name.as_str(),
                    q.row_no,
                    q.field.as_str(),
                    q.value.as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (hb, 2, "claimant_nino", "QQ123456Z"),
                (ct, 3, "date_of_birth", "31/02/1980"),
                (ct, 5, "surname", ""),
            ],
            "{}",
            db.name()
        );
        for (q, word) in new.iter().zip(["NI number", "date", "surname"]) {
            assert!(
                q.reason.contains(word),
                "reason '{}' lacks '{word}'",
                q.reason
            );
        }

        let listing = ok(&db.url, &["quarantine"]);
        for q in &new {
            let line = format!(
                "{} row {}: {} = '{}': {}",
                q.file_name, q.row_no, q.field, q.value, q.reason
            );
            assert!(
                listing.contains(&line),
                "{}: no '{line}' in:\n{listing}",
                db.name()
            );
        }
        let benefits_only = ok(&db.url, &["quarantine", "--source", "benefits"]);
        assert!(
            benefits_only.contains("QQ123456Z") && !benefits_only.contains(ct),
            "{}: {benefits_only}",
            db.name()
        );
    }
}

#[test]
fn an_ingest_killed_part_way_leaves_whole_files_and_a_rerun_finishes_the_job() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 1200, 12, 3);
    let extracts = town.join("extracts");
    for (reference, db) in databases().into_iter().zip(databases()) {
        // An uninterrupted ingest: what the end state must be, and how long it takes.
        let started = Instant::now();
        let t = ok(&reference.url, &["ingest", utf8(&extracts)]);
        let took = started.elapsed();
        let total = figure(&t, "Loaded ");
        let whole = stored(&reference.url);

        let mut child = Command::new(env!("CARGO_BIN_EXE_upstream"))
            .args(["ingest", utf8(&extracts)])
            .env("DATABASE_URL", &db.url)
            .env_remove("UPSTREAM_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // About half way; wherever it lands, the checks below hold.
        std::thread::sleep(took / 2);
        child.kill().expect("kill");
        let _ = child.wait();
        db.settle();

        let partial = stored(&db.url);
        partial.assert_whole(db.name());
        let done = partial.files() as usize;
        eprintln!(
            "{}: killed after {done} of {total} files (uninterrupted ingest took {took:?})",
            db.name()
        );

        let rerun = ok(&db.url, &["ingest", utf8(&extracts)]);
        assert_eq!(
            figure(&rerun, "Loaded "),
            total - done,
            "{}: the rerun loads exactly what was missing: {rerun}",
            db.name()
        );
        assert_eq!(
            figure(&rerun, "rows quarantined. "),
            done,
            "{}: {rerun}",
            db.name()
        );
        let end = stored(&db.url);
        end.assert_whole(db.name());
        assert!(
            end == whole,
            "{}: the end state differs from an uninterrupted ingest",
            db.name()
        );
    }
}

// ------------------------------------------------------------ stored linkage

#[test]
fn person_ids_survive_a_new_month_and_every_change_is_recorded() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 600, 4, 7);
    let (files, months) = extract_files(&town);
    let last = months.last().expect("a month").clone();
    let earlier: Vec<&str> = files
        .iter()
        .filter(|f| month_of(f) != last)
        .map(|f| utf8(f))
        .collect();
    for db in databases() {
        let mut args = vec!["ingest"];
        args.extend(&earlier);
        ok(&db.url, &args);
        let t = ok(&db.url, &["link"]);
        assert!(t.contains("0 merges, 0 splits"), "{}: {t}", db.name());
        let before = assignments(&db.url);
        assert!(!before.is_empty());
        assert!(latest_changes(&db.url).iter().all(|c| c.kind == "new"));

        let t = ok(&db.url, &["ingest", utf8(&town.join("extracts"))]);
        assert!(
            t.contains(&format!("Loaded {} file(s)", files.len() - earlier.len())),
            "{}: {t}",
            db.name()
        );
        let t = ok(&db.url, &["link"]);
        let after = assignments(&db.url);
        let changes = latest_changes(&db.url);
        let count = |kind: &str| changes.iter().filter(|c| c.kind == kind).count();
        assert!(
            t.contains(&format!(
                "{} merges, {} splits, {} moves of records between people recorded",
                count("merged"),
                count("split"),
                count("moved")
            )),
            "{}: {t}\n{changes:?}",
            db.name()
        );
        let ids = |c: &SavedChange| -> Vec<i64> {
            c.others
                .split(',')
                .filter(|o| !o.is_empty())
                .map(|o| o.trim().parse().expect("person id"))
                .collect()
        };
        // Every record that had an id keeps it, unless a recorded merge,
        // split or move explains the new one.
        let mut moved = 0;
        for (record, old) in &before {
            let new = after
                .get(record)
                .unwrap_or_else(|| panic!("{}: {record:?} lost its person", db.name()));
            if new == old {
                continue;
            }
            moved += 1;
            let explained = changes.iter().any(|c| {
                (c.kind == "merged" || c.kind == "split" || c.kind == "moved")
                    && c.person_id == *new
                    && ids(c).contains(old)
            });
            assert!(
                explained,
                "{}: {record:?} moved from person {old} to {new} silently; changes: {changes:?}",
                db.name()
            );
        }
        // Ids merged away are gone; every other earlier id lives on.
        let merged_away: Vec<i64> = changes
            .iter()
            .filter(|c| c.kind == "merged")
            .flat_map(ids)
            .collect();
        let now: std::collections::HashSet<i64> = after.values().copied().collect();
        for old in before.values() {
            assert_eq!(
                now.contains(old),
                !merged_away.contains(old),
                "{}: person {old}",
                db.name()
            );
        }
        eprintln!(
            "{}: {moved} of {} records changed person, {} merges and {} splits recorded",
            db.name(),
            before.len(),
            count("merged"),
            count("split")
        );
    }
}

#[test]
fn explain_says_in_plain_words_why_two_records_match_or_not() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 300, 2, 7);
    for db in databases() {
        ok(&db.url, &["ingest", utf8(&town.join("extracts"))]);
        let o = upstream(&db.url, &["explain", "council_tax:1", "council_tax:2"]);
        assert!(
            !o.status.success() && text(&o).contains("upstream link"),
            "{}: before any link run: {}",
            db.name(),
            text(&o)
        );
        ok(&db.url, &["link"]);
        // Two records of one person, and two of different people.
        let assigned = assignments(&db.url);
        let mut by_person: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for ((s, k), p) in &assigned {
            by_person.entry(*p).or_default().push(format!("{s}:{k}"));
        }
        let same = by_person
            .values()
            .find(|r| r.len() >= 2)
            .expect("someone has two records");
        let (a, b) = (same[0].as_str(), same[1].as_str());
        let t = ok(&db.url, &["explain", a, b]);
        assert!(
            t.contains("match probability") && t.contains(a) && t.contains(b),
            "{}: {t}",
            db.name()
        );
        assert!(t.contains("surname") && t.contains("date of birth"), "{t}");
        let mut people = by_person.values();
        let one = &people.next().expect("a person")[0];
        let other = &people.next().expect("another person")[0];
        let t = ok(&db.url, &["explain", one, other]);
        assert!(t.contains("match probability"), "{}: {t}", db.name());
        let o = upstream(&db.url, &["explain", a, "council_tax:no-such-record"]);
        assert!(!o.status.success());
        assert!(text(&o).contains("no-such-record"), "{}", text(&o));
    }
}

// ------------------------------------------------------------ standalone linkage

/// Two CSV files with unusual column names, from a simulated town's council
/// tax and rent extracts, plus two planted rows: a council tax payer again
/// with a typo in the forename, and a relative who shares their surname,
/// postcode and phone but is someone else.
struct TwoFiles {
    dir: tempfile::TempDir,
    /// (the payer's id, the typo's id, the relative's id, two people of one account)
    payer: String,
    typo: String,
    relative: String,
    household: (String, String),
}

const COLUMNS: [&str; 6] = ["ref", "given", "family", "born", "post_code", "mobile"];

fn two_files() -> TwoFiles {
    let dir = tempfile::tempdir().expect("tmp");
    let town = dir.path().join("town");
    simulate(&town, 300, 1, 7);
    let born = |d: &str| -> String {
        ["%d/%m/%Y", "%d-%b-%Y", "%Y-%m-%d"]
            .iter()
            .find_map(|f| chrono::NaiveDate::parse_from_str(d.trim(), f).ok())
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    };
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();

    let (h, rows) = read_csv(&town.join("extracts/council_tax/council_tax_2024-04.csv"));
    let c = |n: &str| column(&h, n);
    let a: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("CT{}-{}", r[c("account_ref")], r[c("party_no")]),
                r[c("forename")].clone(),
                r[c("surname")].clone(),
                born(&r[c("date_of_birth")]),
                r[c("postcode")].clone(),
                r[c("phone")].clone(),
            ]
        })
        .collect();
    // A payer with everything filled in and a longish forename.
    let payer = a
        .iter()
        .find(|r| r.iter().all(|v| !v.is_empty()) && r[1].len() >= 5 && r[1].is_ascii())
        .expect("a payer with every field")
        .clone();
    // Two people on one account with different forenames.
    let household = a
        .windows(2)
        .find(|w| {
            let acct = |r: &Vec<String>| r[0].split('-').next().map(String::from);
            acct(&w[0]) == acct(&w[1]) && w[0][1] != w[1][1] && !w[0][1].is_empty()
        })
        .map(|w| (w[0][0].clone(), w[1][0].clone()))
        .expect("an account of two people");
    write_csv(&dir.path().join("a.csv"), &header, &a);

    let (h, rows) = read_csv(&town.join("extracts/rent/rent_2024-04.csv"));
    let c = |n: &str| column(&h, n);
    let mut b: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("RT{}-{}", r[c("tenancy_ref")], r[c("tenant_no")]),
                r[c("forename")].clone(),
                r[c("surname")].clone(),
                born(&r[c("dob")]),
                r[c("postcode")].clone(),
                r[c("phone")].clone(),
            ]
        })
        .collect();
    let mut typo = payer.clone();
    typo[0] = "TYPO".into();
    typo[1].remove(2);
    let mut relative = payer.clone();
    relative[0] = "RELATIVE".into();
    relative[1] = if payer[1] == "Winifred" {
        "Bartholomew"
    } else {
        "Winifred"
    }
    .into();
    relative[3] = "01.01.1931".into();
    b.push(typo);
    b.push(relative);
    write_csv(&dir.path().join("b.csv"), &header, &b);
    TwoFiles {
        payer: format!("1:{}", payer[0]),
        typo: "2:TYPO".into(),
        relative: "2:RELATIVE".into(),
        household: (format!("1:{}", household.0), format!("1:{}", household.1)),
        dir,
    }
}

/// The shipped settings with a `[columns]` section for these files. The
/// defaults end in a table, so the new table can simply follow.
fn config(phone_column: &str) -> String {
    let defaults = include_str!("../../link/default.toml");
    format!(
        "{defaults}\n[columns]\nid = \"ref\"\nforename = \"given\"\nsurname = \"family\"\n\
         dob = \"born\"\ndate_formats = [\"%d.%m.%Y\"]\npostcode = \"post_code\"\nphone = \"{phone_column}\"\n"
    )
}

#[test]
fn standalone_linkage_of_two_csv_files_finds_the_duplicates_and_keeps_people_apart() {
    let files = two_files();
    let dir = files.dir.path();
    let cfg = dir.join("link.toml");
    std::fs::write(&cfg, config("mobile")).expect("config");
    let out = dir.join("out");
    let db = utf8(&dir.join("unused.db")).to_string();
    let t = ok(
        &db,
        &[
            "link",
            "--config",
            utf8(&cfg),
            utf8(&dir.join("a.csv")),
            utf8(&dir.join("b.csv")),
            "--out",
            utf8(&out),
        ],
    );
    assert!(t.contains("pairs.csv") && t.contains("clusters.csv"), "{t}");
    let (h, pairs) = read_csv(&out.join("pairs.csv"));
    assert_eq!(
        h,
        [
            "id_a",
            "id_b",
            "match_weight",
            "match_probability",
            "deterministic",
            "linked"
        ]
    );
    assert!(
        pairs.iter().any(|p| {
            let ids = [p[0].as_str(), p[1].as_str()];
            ids.contains(&files.payer.as_str()) && ids.contains(&files.typo.as_str())
        }),
        "the typo pair is reported: {pairs:?}"
    );
    let (h, rows) = read_csv(&out.join("clusters.csv"));
    assert_eq!(h, ["id", "cluster"]);
    let cluster: HashMap<String, String> = rows
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let of = |id: &str| {
        cluster
            .get(id)
            .unwrap_or_else(|| panic!("{id} not in clusters.csv"))
            .clone()
    };
    assert_eq!(
        of(&files.payer),
        of(&files.typo),
        "the same person with a typo is one cluster"
    );
    assert_ne!(
        of(&files.payer),
        of(&files.relative),
        "a relative at the same address is someone else"
    );
    assert_ne!(
        of(&files.household.0),
        of(&files.household.1),
        "two people on one account are two people"
    );
    // What became of every mapped column, per file.
    let (h, cols) = read_csv(&out.join("columns.csv"));
    assert_eq!(h[..4], ["file", "field", "column", "filled"]);
    assert!(
        cols.iter().any(|c| c[1] == "dob" && c[2] == "born"),
        "{cols:?}"
    );
    assert!(t.contains("Columns read:"), "{t}");
    // No database was needed.
    assert!(!Path::new(&db).exists());
}

#[test]
fn a_mostly_unreadable_column_is_refused_with_exit_code_2_naming_it() {
    let files = two_files();
    let dir = files.dir.path();
    let cfg = dir.join("link.toml");
    // Dates are written 12.05.1980; without their format none can be read.
    let settings = config("mobile").replace("date_formats = [\"%d.%m.%Y\"]\n", "");
    std::fs::write(&cfg, settings).expect("config");
    let out = dir.join("out");
    let args = |cfg: &Path| -> Vec<String> {
        [
            "link",
            "--config",
            utf8(cfg),
            utf8(&dir.join("a.csv")),
            utf8(&dir.join("b.csv")),
            "--out",
            utf8(&out),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let a = args(&cfg);
    let o = upstream(
        utf8(&dir.join("unused.db")),
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("'born'") && t.contains("mostly unusable") && t.contains("allow_unusable"),
        "{t}"
    );
    assert!(!out.join("clusters.csv").exists(), "nothing written");
}

#[test]
fn a_config_naming_a_column_the_csv_lacks_is_refused_with_exit_code_2() {
    let files = two_files();
    let dir = files.dir.path();
    let cfg = dir.join("link.toml");
    std::fs::write(&cfg, config("telephone")).expect("config");
    let out = dir.join("out");
    let o = upstream(
        utf8(&dir.join("unused.db")),
        &[
            "link",
            "--config",
            utf8(&cfg),
            utf8(&dir.join("a.csv")),
            utf8(&dir.join("b.csv")),
            "--out",
            utf8(&out),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("'telephone'") && t.contains("a.csv"), "{t}");
    assert!(!out.join("clusters.csv").exists(), "nothing written");
}

// ------------------------------------------------- assessment and the worklist

/// Assessment stands on the single view: a year of a small town, linked,
/// assessed; then a team's weekly list must respect its capacity, every
/// exclusion and a fast-track flag, and be kept as it was made.
#[test]
fn the_worklist_respects_capacity_exclusions_and_flags() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 400, 12, 5);
    for db in databases() {
        let name = db.name();
        ok(&db.url, &["ingest", utf8(&town.join("extracts"))]);
        ok(&db.url, &["link"]);
        let assessed = ok(&db.url, &["assess"]);
        assert!(assessed.contains("Assessed "), "{name}: {assessed}");
        // The hypothesis check reads the same households; a year is enough.
        let checked = ok(&db.url, &["evaluate", "hypothesis"]);
        assert!(checked.contains("Verdict: "), "{name}: {checked}");
        // Testing the model needs six months of outcomes after nine of
        // training: a year is not enough, and it says so.
        let card = tmp.path().join(format!("card-{name}.md"));
        let o = upstream(&db.url, &["evaluate", "risk", "--card", utf8(&card)]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", text(&o));
        assert!(
            text(&o).contains("at least 9 months before"),
            "{name}: {}",
            text(&o)
        );
        assert!(
            !card.exists(),
            "{name}: no card for a test that could not run"
        );
        let (run, scored) = with_store(&db.url, async |s| {
            let run = s
                .latest_assessment_run()
                .await
                .expect("run")
                .expect("a run");
            let a = s.assessments(run.id).await.expect("assessments");
            (run, a)
        });
        assert!(run.model_version.starts_with("risk-lr-1:"), "{name}");
        let mut ranked: Vec<(f64, i64)> = scored
            .iter()
            .filter_map(|a| Some((a.probability?, a.household_id)))
            .collect();
        ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        assert!(ranked.len() > 20, "{name}: {} scored", ranked.len());
        // The two riskiest are excluded: one has an open case, the other
        // asked not to be contacted; the third was contacted last week. The
        // least risky is fast-tracked.
        let (case, refused, contacted) = (ranked[0].1, ranked[1].1, ranked[2].1);
        let flagged = ranked[ranked.len() - 1].1;
        let week = run.as_of + chrono::Duration::days(1);
        with_store(&db.url, async |s| {
            s.open_case(case, run.as_of).await.expect("case");
        });
        ok(
            &db.url,
            &[
                "do-not-contact",
                &refused.to_string(),
                "--by",
                "A Connector",
                "--note",
                "asked by phone",
            ],
        );
        ok(
            &db.url,
            &[
                "contact",
                &contacted.to_string(),
                "--on",
                &(week - chrono::Duration::days(7)).to_string(),
                "--channel",
                "phone",
                "--outcome",
                "no answer",
                "--by",
                "A Connector",
            ],
        );
        ok(
            &db.url,
            &[
                "flag",
                "set",
                &flagged.to_string(),
                "--by",
                "Team Leader",
                "--reason",
                "neighbour worried",
                "--days",
                "3650",
            ],
        );
        ok(&db.url, &["teams", "set", "North", "--capacity", "5"]);
        let list = ok(
            &db.url,
            &["worklist", "--team", "North", "--week", &week.to_string()],
        );
        let kept = with_store(&db.url, async |s| {
            s.worklist("North", upstream_assess_week(week))
                .await
                .expect("worklist")
                .expect("kept")
        });
        let on: Vec<i64> = kept.entries.iter().map(|e| e.household_id).collect();
        assert_eq!(on.len(), 5, "{name}: capacity 5\n{list}");
        assert_eq!(on[0], flagged, "{name}: the flag comes first\n{list}");
        assert!(
            kept.entries[0].fast_tracked && kept.entries[0].why.contains("Team Leader"),
            "{name}"
        );
        for gone in [case, refused, contacted] {
            assert!(
                !on.contains(&gone),
                "{name}: {gone} should be excluded\n{list}"
            );
        }
        // The rest are the riskiest remaining, in order.
        let expected: Vec<i64> = ranked[3..7].iter().map(|r| r.1).collect();
        assert_eq!(&on[1..], &expected[..], "{name}\n{list}");
        assert!(
            kept.entries[1..]
                .iter()
                .all(|e| e.why.starts_with("Risk of crisis")),
            "{name}"
        );
        // Asked again, the kept list is shown, unchanged, even after a new flag.
        ok(
            &db.url,
            &[
                "flag",
                "set",
                &ranked[8].1.to_string(),
                "--by",
                "Team Leader",
                "--reason",
                "late",
                "--days",
                "30",
            ],
        );
        ok(
            &db.url,
            &["worklist", "--team", "North", "--week", &week.to_string()],
        );
        let again = with_store(&db.url, async |s| {
            s.worklist("North", upstream_assess_week(week))
                .await
                .expect("worklist")
                .expect("kept")
        });
        assert_eq!(again, kept, "{name}: a week's list is kept as made");
        // A team that does not exist is a user error.
        let o = upstream(&db.url, &["worklist", "--team", "Nobody"]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", text(&o));
    }
}

/// The Monday starting the week a date falls in.
fn upstream_assess_week(d: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

// ------------------------------------------------------------ addresses

#[test]
fn addresses_that_cannot_be_placed_are_kept_and_listed_for_the_gazetteer_team() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 300, 2, 7);
    let extracts = town.join("extracts");
    let people_sources: Vec<String> = std::fs::read_dir(&extracts)
        .expect("extracts")
        .map(|d| d.expect("dir").path())
        .filter(|p| p.file_name().is_some_and(|n| n != "gazetteer"))
        .map(|p| utf8(&p).to_string())
        .collect();
    for db in databases() {
        // Without the gazetteer only the UPRNs records give place anything.
        let mut args = vec!["ingest"];
        args.extend(people_sources.iter().map(String::as_str));
        ok(&db.url, &args);
        let linked = ok(&db.url, &["link"]);
        assert!(linked.contains("No gazetteer is loaded"), "{linked}");
        let before = tmp.path().join(format!("unplaced-{}.csv", db.name()));
        ok(&db.url, &["addresses", "unplaced", "--out", utf8(&before)]);
        let (header, rows) = read_csv(&before);
        assert_eq!(header[..4], ["address", "postcode", "given_uprn", "reason"]);
        assert!(!rows.is_empty(), "{}", db.name());
        assert!(rows.iter().all(|r| r[3] == "no gazetteer is loaded"));
        // Records whose address was not placed are kept: the rent system
        // gives no UPRN, yet its tenants are in households.
        assert!(rows.iter().any(|r| r[5].contains("rent")), "{rows:?}");
        let households = ok(
            &db.url,
            &[
                "evaluate",
                "households",
                "--truth",
                utf8(&town.join("truth")),
            ],
        );
        assert!(households.contains("Current households"), "{households}");

        // Staff open a case on every current household.
        let before_households = with_store(&db.url, async |s: &Store| {
            let hs = s.households().await.expect("households");
            for h in hs.iter().filter(|h| h.current) {
                s.open_case(h.id, h.to).await.expect("case");
            }
            hs
        });

        // With the gazetteer nearly everything is placed, and one family's
        // address written two ways is one household.
        ok(&db.url, &["ingest", utf8(&extracts.join("gazetteer"))]);
        let linked = ok(&db.url, &["link"]);
        assert!(!linked.contains("No gazetteer is loaded"), "{linked}");
        assert!(
            linked.contains("found to be one family with another, and merged"),
            "{linked}"
        );
        // Every case still points at a current household holding the
        // family it was opened for: its id kept, or the copy merged into it.
        let (now, open) = with_store(&db.url, async |s: &Store| {
            (
                s.households().await.expect("households"),
                s.open_case_households().await.expect("cases"),
            )
        });
        for b in before_households.iter().filter(|h| h.current) {
            let moved_on = b
                .members
                .iter()
                .all(|m| !now.iter().any(|h| h.current && h.members.contains(m)));
            if moved_on {
                continue;
            }
            assert!(
                now.iter().any(|h| h.current
                    && open.contains(&h.id)
                    && b.members.iter().any(|m| h.members.contains(m))),
                "{}: the case of household {} {:?} lost its family",
                db.name(),
                b.id,
                b.members
            );
        }
        assert!(
            open.iter().all(|id| now.iter().any(|h| h.id == *id)),
            "{}: a case points at a household that is no more",
            db.name()
        );
        let after = tmp.path().join(format!("unplaced-after-{}.csv", db.name()));
        ok(&db.url, &["addresses", "unplaced", "--out", utf8(&after)]);
        let (_, left) = read_csv(&after);
        assert!(
            left.len() * 20 < rows.len(),
            "{} then {}",
            rows.len(),
            left.len()
        );
        let report = ok(&db.url, &["addresses", "report"]);
        assert!(
            report.contains("rent") && report.contains("exact"),
            "{report}"
        );
        let evaluated = ok(
            &db.url,
            &[
                "evaluate",
                "addresses",
                "--truth",
                utf8(&town.join("truth")),
            ],
        );
        assert!(evaluated.contains("right"), "{evaluated}");
    }
}

// ------------------------------------------------ residents from referrals

fn resident(
    name: (&str, &str),
    dob: Option<chrono::NaiveDate>,
    address: &str,
    postcode: &str,
) -> upstream_store::NewSourceRecord {
    upstream_store::NewSourceRecord {
        row_no: 1,
        record_key: String::new(),
        row_means: "person".into(),
        title: None,
        forename: Some(name.0.into()),
        middle_names: None,
        surname: Some(name.1.into()),
        dob,
        nino: None,
        postcode: Some(postcode.into()),
        address: Some(address.into()),
        uprn: None,
        phone: None,
        email: None,
        event_date: None,
        attributes: "{}".into(),
        original: "{}".into(),
    }
}

/// A referred resident the council records itself is met by the next
/// linkage run like any other record: someone no system holds keeps their
/// household (and so their case); someone a system does hold, recorded
/// because staff did not find them, is joined to their family and the case
/// follows. Neither is lost, and nobody is in two current households.
#[test]
fn a_resident_recorded_from_a_referral_is_kept_or_joined_to_their_family_by_the_next_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 200, 3, 17);
    for db in databases() {
        let name = db.name();
        ok(&db.url, &["ingest", utf8(&town.join("extracts"))]);
        ok(&db.url, &["link"]);
        let (unknown, known, family) = with_store(&db.url, async |s: &Store| {
            let hs = s.households().await.expect("households");
            let today = hs.iter().map(|h| h.to).max().expect("a household");
            // A current household whose first member is on council tax.
            let mut picked = None;
            for h in hs.iter().filter(|h| h.current && h.members.len() == 1) {
                let d = s
                    .household_detail(h.id, today)
                    .await
                    .expect("read")
                    .expect("there");
                if let Some(r) = d
                    .records
                    .iter()
                    .find(|r| r.source == "council_tax" && r.dob.is_some())
                {
                    picked = Some((h.id, r.clone(), d.address.clone(), d.postcode.clone()));
                    break;
                }
            }
            let (family, member, address, postcode) =
                picked.expect("a council tax payer living alone");
            let record = |referral_id, rec| upstream_store::NewResident {
                referral_id,
                record: rec,
                today,
            };
            let unknown = s
                .record_new_resident(&record(
                    1,
                    resident(
                        ("ZEBEDEE", "QUARTERMAINE"),
                        chrono::NaiveDate::from_ymd_opt(1961, 5, 4),
                        "99 NOWHERE LANE",
                        "B99 9ZZ",
                    ),
                ))
                .await
                .expect("unknown");
            let known = s
                .record_new_resident(&record(
                    2,
                    resident(
                        (
                            member.forename.as_deref().unwrap_or(""),
                            member.surname.as_deref().unwrap_or(""),
                        ),
                        member.dob,
                        address.as_deref().unwrap_or(""),
                        postcode.as_deref().unwrap_or(""),
                    ),
                ))
                .await
                .expect("known");
            assert_ne!(unknown, known);
            assert!(unknown > family && known > family);
            s.open_case(unknown, today).await.expect("case");
            s.open_case(known, today).await.expect("case");
            (unknown, known, family)
        });
        let linked = ok(&db.url, &["link"]);
        with_store(&db.url, async |s: &Store| {
            let hs = s.households().await.expect("households");
            let open = s.open_case_households().await.expect("cases");
            // The person nobody else holds keeps their household and case.
            let kept = hs
                .iter()
                .find(|h| h.id == unknown)
                .unwrap_or_else(|| panic!("{name}: household {unknown} is gone: {linked}"));
            assert!(kept.current, "{name}: {kept:?}");
            assert!(open.contains(&unknown), "{name}");
            // The person a system holds is one person, in their family's
            // household, and the case went with them.
            assert!(
                !hs.iter().any(|h| h.id == known),
                "{name}: {known} is still a household of its own"
            );
            assert_eq!(
                s.household_merged_into(known).await.expect("read"),
                Some(family),
                "{name}"
            );
            assert!(open.contains(&family), "{name}: {open:?}");
            let mut seen = std::collections::HashSet::new();
            for h in hs.iter().filter(|h| h.current) {
                for m in &h.members {
                    assert!(
                        seen.insert(*m),
                        "{name}: person {m} is in two current households"
                    );
                }
            }
        });
        // Linking again changes nothing more.
        ok(&db.url, &["link"]);
        with_store(&db.url, async |s: &Store| {
            let hs = s.households().await.expect("households");
            assert!(hs.iter().any(|h| h.id == unknown && h.current), "{name}");
            assert!(
                s.open_case_households()
                    .await
                    .expect("cases")
                    .contains(&family),
                "{name}"
            );
        });
    }
}
