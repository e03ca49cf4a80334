//! The single view's storage, told as one story every backend must pass:
//! SQLite always, PostgreSQL when DATABASE_URL is a postgres:// URL (each
//! test gets its own fresh database, dropped afterwards even if it fails).
//!
//! Loads and link runs are all or nothing: to prove it, a test plants a
//! trigger that refuses one row deep inside a load (or a save), so the
//! statement fails part way through the transaction, and then checks that
//! nothing of it is left.

use chrono::NaiveDate;
use upstream_store::{
    Backend, IngestSummary, LinkRunSave, LoadOutcome, NewIngestFile, NewQuarantine,
    NewSourceRecord, PlacementCount, QuarantineEntry, SavedAddress, SavedChange, SavedHousehold,
    SavedPair, SavedPlacement, SavedResidence, Store,
};

// City scale for benchmarks: a module of this binary, not a binary of its own.
#[path = "single_view/scale.rs"]
mod scale;

// ------------------------------------------------------------ fresh stores

/// A fresh, empty store, a second plain connection to the same database for
/// checks the API does not offer, and what keeps the database alive.
struct Fresh {
    store: Store,
    raw: Raw,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
}

enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Fresh {
    fn name(&self) -> &'static str {
        self.store.backend().as_str()
    }

    /// Run a statement on the plain connection.
    async fn exec(&self, sql: &str) {
        match &self.raw {
            Raw::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
            Raw::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.name()));
    }

    /// One number from the plain connection.
    async fn count(&self, sql: &str) -> i64 {
        match &self.raw {
            Raw::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
            Raw::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
        }
        .unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.name()))
    }

    /// Rows of text from the plain connection (every column cast to text by the query).
    async fn strings(&self, sql: &str) -> Vec<String> {
        match &self.raw {
            Raw::Sqlite(p) => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await,
            Raw::Postgres(p) => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await,
        }
        .unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.name()))
    }

    /// Make any INSERT into `table` whose `column` equals `value` fail, so a
    /// multi-row statement (and with it the transaction) fails part way.
    async fn poison(&self, table: &str, column: &str, value: &str) {
        match self.raw {
            Raw::Sqlite(_) => {
                self.exec(&format!(
                    "CREATE TRIGGER poison_{table} BEFORE INSERT ON {table}
                     WHEN CAST(NEW.{column} AS TEXT) = '{value}'
                     BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
                ))
                .await
            }
            Raw::Postgres(_) => {
                self.exec(&format!(
                    "CREATE FUNCTION poison_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                         IF NEW.{column}::text = '{value}' THEN RAISE EXCEPTION 'poisoned row'; END IF;
                         RETURN NEW;
                     END $$;
                     CREATE TRIGGER poison_{table} BEFORE INSERT ON {table}
                         FOR EACH ROW EXECUTE FUNCTION poison_{table}();"
                ))
                .await
            }
        }
    }

    async fn cure(&self, table: &str) {
        match self.raw {
            Raw::Sqlite(_) => self.exec(&format!("DROP TRIGGER poison_{table}")).await,
            Raw::Postgres(_) => {
                self.exec(&format!(
                    "DROP TRIGGER poison_{table} ON {table}; DROP FUNCTION poison_{table}();"
                ))
                .await
            }
        }
    }

    /// Every ingest_files row says how many records and quarantined rows it
    /// wrote; the tables must hold exactly that many for it.
    async fn assert_files_whole(&self) {
        let torn = self
            .count(
                "SELECT COUNT(*) FROM ingest_files f
                 WHERE f.records <> (SELECT COUNT(*) FROM source_records s WHERE s.file_id = f.id)
                    OR f.quarantined <> (SELECT COUNT(*) FROM quarantine q WHERE q.file_id = f.id)",
            )
            .await;
        assert_eq!(
            torn,
            0,
            "{}: a file's rows do not match its counts",
            self.name()
        );
        let orphans = self
            .count(
                "SELECT (SELECT COUNT(*) FROM source_records WHERE file_id NOT IN (SELECT id FROM ingest_files))
                      + (SELECT COUNT(*) FROM quarantine WHERE file_id NOT IN (SELECT id FROM ingest_files))",
            )
            .await;
        assert_eq!(orphans, 0, "{}: rows without their file", self.name());
    }
}

/// A throwaway PostgreSQL database, dropped with this guard.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    // Drop cannot be async and may run while a test panics, so use a thread
    // with its own runtime. FORCE ends the store's still-open connections.
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let admin = sqlx::PgPool::connect(&admin_url).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let done = sqlx::query(&sql).execute(&admin).await.ok();
                admin.close().await;
                done
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

async fn stores() -> Vec<Fresh> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.db");
    let url = path.to_str().expect("utf-8 path").to_string();
    let store = Store::connect(&url).await.expect("sqlite store");
    let raw = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .busy_timeout(std::time::Duration::from_secs(10)),
    )
    .await
    .expect("plain sqlite connection");
    out.push(Fresh {
        store,
        raw: Raw::Sqlite(raw),
        _dir: Some(dir),
        _pg: None,
    });
    match std::env::var("DATABASE_URL") {
        Ok(admin_url) if Backend::of(&admin_url) == Backend::Postgres => {
            let admin = sqlx::PgPool::connect(&admin_url)
                .await
                .expect("postgres from DATABASE_URL");
            let name = format!("upstream_sv_test_{}_{}", std::process::id(), unique());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .expect("create test database");
            admin.close().await;
            // Guard first, so the database is dropped even if connecting fails.
            let guard = PgDatabase {
                admin_url: admin_url.clone(),
                name: name.clone(),
            };
            let url = with_database(&admin_url, &name);
            let store = Store::connect(&url).await.expect("fresh postgres store");
            let raw = sqlx::PgPool::connect(&url)
                .await
                .expect("plain postgres connection");
            out.push(Fresh {
                store,
                raw: Raw::Postgres(raw),
                _dir: None,
                _pg: Some(guard),
            });
        }
        _ => eprintln!(
            "note: DATABASE_URL is not a postgres:// URL; PostgreSQL half of the story skipped"
        ),
    }
    out
}

/// The same server URL, naming another database (keeps any ?query).
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = url.split_once('?').unwrap_or((url, ""));
    let host_start = head.find("://").map_or(0, |i| i + 3);
    let base = match head[host_start..].find('/') {
        Some(i) => &head[..host_start + i],
        None => head,
    };
    if query.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{query}")
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    N.fetch_add(1, Ordering::SeqCst) * 1_000_000_000 + nanos
}

// ------------------------------------------------------------ test data

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// A file of `source` with an extract date (or none) and made-up bytes `n`.
fn file(source: &str, extract: Option<&str>, n: u32) -> NewIngestFile {
    let date = extract.map(day);
    NewIngestFile {
        source: source.into(),
        file_name: match extract {
            Some(d) => format!("{source}_{d}.csv"),
            None => format!("{source}.csv"),
        },
        sha256: format!("{:064x}", u128::from(n) * 0x9e37_79b9 + 7),
        extract_date: date,
        rows_read: 0,
    }
}

fn record(row: i64, key: &str, forename: &str, surname: &str) -> NewSourceRecord {
    NewSourceRecord {
        row_no: row,
        record_key: key.into(),
        row_means: "liable_person_on_account".into(),
        title: Some("Ms".into()),
        forename: Some(forename.into()),
        middle_names: None,
        surname: Some(surname.into()),
        dob: Some(day("1980-02-29")),
        nino: Some("AB123456C".into()),
        postcode: Some("B1 3GN".into()),
        address: Some("1 MEAD TERRACE".into()),
        uprn: Some("100070000036".into()),
        phone: Some("07862197217".into()),
        email: None,
        event_date: Some(day("2022-03-08")),
        attributes: r#"{"band":"A"}"#.into(),
        original: format!(r#"{{"forename":"{forename}","surname":"{surname}"}}"#),
    }
}

/// `n` records keyed `{prefix}{i}`, rows 1..=n.
fn records(n: usize, prefix: &str) -> Vec<NewSourceRecord> {
    (1..=n)
        .map(|i| {
            record(
                i as i64,
                &format!("{prefix}{i}"),
                "JO",
                &format!("SMITH{i}"),
            )
        })
        .collect()
}

fn quarantined(row: i64, field: &str, value: &str, reason: &str) -> NewQuarantine {
    NewQuarantine {
        row_no: row,
        field: field.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

/// The planted trigger, not something else, stopped the write.
fn assert_poisoned<T: std::fmt::Debug>(
    result: Result<T, upstream_store::StoreError>,
    backend: &str,
) {
    match result {
        Err(e) => assert!(e.to_string().contains("poisoned row"), "{backend}: {e}"),
        Ok(v) => panic!("{backend}: the poisoned write succeeded: {v:?}"),
    }
}

async fn load(
    s: &Store,
    f: &NewIngestFile,
    r: &[NewSourceRecord],
    q: &[NewQuarantine],
) -> LoadOutcome {
    s.load_ingest_file(f, r, q).await.expect("load")
}

/// What a store holds, as far as ingest is concerned.
async fn ingest_state(s: &Store) -> (Vec<IngestSummary>, usize, usize, Vec<QuarantineEntry>) {
    (
        s.ingest_summary().await.expect("summary"),
        s.latest_records().await.expect("records").len(),
        s.observations().await.expect("observations").len(),
        s.quarantine(None).await.expect("quarantine"),
    )
}

// ------------------------------------------------------------ ingest

#[tokio::test]
async fn loading_a_file_writes_its_records_and_quarantined_rows() {
    for fresh in stores().await {
        let s = &fresh.store;
        let f = file("council_tax", Some("2024-04-01"), 1);
        let recs = vec![
            record(1, "40000001/1", "JAS", "PATEL"),
            record(2, "40000001/2", "MEHREEN", "PATEL"),
            record(4, "40000002/1", "MANJIT", "HASSAN"),
        ];
        let q = vec![
            quarantined(
                3,
                "date_of_birth",
                "31/02/1980",
                "not a date in the form DD/MM/YYYY",
            ),
            quarantined(5, "surname", "", "surname is required but blank"),
        ];
        let outcome = load(s, &f, &recs, &q).await;
        assert!(
            matches!(outcome, LoadOutcome::Loaded { .. }),
            "{}: {outcome:?}",
            fresh.name()
        );
        assert_eq!(
            s.ingest_summary().await.expect("summary"),
            vec![IngestSummary {
                source: "council_tax".into(),
                files: 1,
                records: 3,
                quarantined: 2,
            }],
            "{}",
            fresh.name()
        );
        let got = s.quarantine(None).await.expect("quarantine");
        let expected: Vec<QuarantineEntry> = q
            .iter()
            .map(|q| QuarantineEntry {
                source: "council_tax".into(),
                file_name: "council_tax_2024-04-01.csv".into(),
                row_no: q.row_no,
                field: q.field.clone(),
                value: q.value.clone(),
                reason: q.reason.clone(),
            })
            .collect();
        assert_eq!(got, expected, "{}: in load order, as given", fresh.name());
        let latest = s.latest_records().await.expect("records");
        let keys: Vec<&str> = latest.iter().map(|r| r.record_key.as_str()).collect();
        assert_eq!(keys, ["40000001/1", "40000001/2", "40000002/1"]);
        let first = &latest[0];
        assert_eq!(first.source, "council_tax");
        assert_eq!(first.extract_date, Some(day("2024-04-01")));
        assert_eq!(first.first_seen, Some(day("2024-04-01")));
        assert_eq!(first.dob, Some(day("1980-02-29")), "{}", fresh.name());
        assert_eq!(
            (first.forename.as_deref(), first.surname.as_deref()),
            (Some("JAS"), Some("PATEL"))
        );
        assert_eq!(first.middle_names, None);
        assert_eq!(first.nino.as_deref(), Some("AB123456C"));
        assert_eq!(first.uprn.as_deref(), Some("100070000036"));
        let obs = s.observations().await.expect("observations");
        assert_eq!(obs.len(), 3);
        assert!(obs.iter().all(|o| o.event_date == Some(day("2022-03-08"))
            && o.extract_date == Some(day("2024-04-01"))));
        fresh.assert_files_whole().await;
    }
}

#[tokio::test]
async fn loading_the_same_file_again_changes_nothing() {
    for fresh in stores().await {
        let s = &fresh.store;
        let f = file("benefits", Some("2024-05-01"), 2);
        let q = [quarantined(2, "claimant_nino", "QQ123456Z", "not valid")];
        load(s, &f, &records(5, "HB"), &q).await;
        let before = ingest_state(s).await;
        // The same source, date and bytes, whatever it is called and however
        // it reads this time: already loaded.
        let mut again = f.clone();
        again.file_name = "copy of benefits_2024-05-01.csv".into();
        let outcome = load(s, &again, &records(9, "OTHER"), &q).await;
        assert_eq!(outcome, LoadOutcome::AlreadyLoaded, "{}", fresh.name());
        assert_eq!(ingest_state(s).await, before, "{}", fresh.name());
        assert_eq!(fresh.count("SELECT COUNT(*) FROM ingest_files").await, 1);
        fresh.assert_files_whole().await;
    }
}

#[tokio::test]
async fn the_same_bytes_on_another_date_or_for_another_source_are_another_file() {
    for fresh in stores().await {
        let s = &fresh.store;
        let april = file("early_help", Some("2024-04-01"), 3);
        let mut may = file("early_help", Some("2024-05-01"), 3);
        may.sha256 = april.sha256.clone();
        let mut undated = file("early_help", None, 3);
        undated.sha256 = april.sha256.clone();
        let mut other_source = file("homelessness", Some("2024-04-01"), 3);
        other_source.sha256 = april.sha256.clone();
        for f in [&april, &may, &undated, &other_source] {
            let outcome = load(s, f, &records(2, "EH"), &[]).await;
            assert!(
                matches!(outcome, LoadOutcome::Loaded { .. }),
                "{}: {} should be a new file: {outcome:?}",
                fresh.name(),
                f.file_name
            );
        }
        // ...but each of them a second time is not.
        for f in [&april, &may, &undated, &other_source] {
            let outcome = load(s, f, &records(2, "EH"), &[]).await;
            assert_eq!(outcome, LoadOutcome::AlreadyLoaded, "{}", f.file_name);
        }
        let summary = s.ingest_summary().await.expect("summary");
        let files: Vec<(&str, i64, i64)> = summary
            .iter()
            .map(|x| (x.source.as_str(), x.files, x.records))
            .collect();
        assert_eq!(
            files,
            [("early_help", 3, 6), ("homelessness", 1, 2)],
            "{}",
            fresh.name()
        );
        fresh.assert_files_whole().await;
    }
}

#[tokio::test]
async fn two_loads_of_the_same_file_at_once_store_it_once() {
    for fresh in stores().await {
        let s = &fresh.store;
        let f = file("rent", Some("2024-04-01"), 4);
        let recs = records(900, "T");
        let (a, b) = tokio::join!(
            s.load_ingest_file(&f, &recs, &[]),
            s.load_ingest_file(&f, &recs, &[])
        );
        let outcomes = [a.expect("first load"), b.expect("second load")];
        let loaded = outcomes
            .iter()
            .filter(|o| matches!(o, LoadOutcome::Loaded { .. }))
            .count();
        assert_eq!(loaded, 1, "{}: {outcomes:?}", fresh.name());
        assert!(outcomes.contains(&LoadOutcome::AlreadyLoaded));
        assert_eq!(s.latest_records().await.expect("records").len(), 900);
        fresh.assert_files_whole().await;
    }
}

#[tokio::test]
async fn a_load_that_fails_part_way_writes_nothing_and_can_be_retried() {
    for fresh in stores().await {
        let s = &fresh.store;
        // An earlier good file, which must survive untouched.
        load(
            s,
            &file("rent", Some("2024-03-01"), 50),
            &records(3, "R"),
            &[],
        )
        .await;
        let before = ingest_state(s).await;
        // 1,000 records are three INSERT batches; the third one fails.
        let f = file("rent", Some("2024-04-01"), 5);
        let mut recs = records(1000, "T");
        recs[950].record_key = "poison".into();
        let q = [quarantined(7, "dob", "x", "not a date")];
        fresh.poison("source_records", "record_key", "poison").await;
        let refused = s.load_ingest_file(&f, &recs, &q).await;
        assert_poisoned(refused, fresh.name());
        assert_eq!(ingest_state(s).await, before, "{}", fresh.name());
        assert_eq!(fresh.count("SELECT COUNT(*) FROM ingest_files").await, 1);
        fresh.assert_files_whole().await;
        fresh.cure("source_records").await;

        // Now the records all go in, but a quarantined row fails: still nothing.
        let mut q = vec![quarantined(7, "dob", "x", "not a date"); 500];
        q[450].field = "poison".into();
        fresh.poison("quarantine", "field", "poison").await;
        assert_poisoned(s.load_ingest_file(&f, &recs, &q).await, fresh.name());
        assert_eq!(ingest_state(s).await, before, "{}", fresh.name());
        fresh.assert_files_whole().await;
        fresh.cure("quarantine").await;

        // The failed loads left no trace, so the same file loads as new.
        let outcome = load(s, &f, &recs, &q).await;
        assert!(
            matches!(outcome, LoadOutcome::Loaded { .. }),
            "{}: {outcome:?}",
            fresh.name()
        );
        let summary = s.ingest_summary().await.expect("summary");
        assert_eq!(
            (summary[0].files, summary[0].records, summary[0].quarantined),
            (2, 1003, 500),
            "{}",
            fresh.name()
        );
        fresh.assert_files_whole().await;
    }
}

#[tokio::test]
async fn latest_records_gives_each_record_once_as_its_latest_extract_says() {
    for fresh in stores().await {
        let s = &fresh.store;
        // May is loaded before April: the extract date decides, not load order.
        let may = file("council_tax", Some("2024-05-01"), 6);
        let april = file("council_tax", Some("2024-04-01"), 7);
        load(s, &may, &[record(1, "1/1", "ANNE", "MAY")], &[]).await;
        load(
            s,
            &april,
            &[
                record(1, "1/1", "ANNE", "APRIL"),
                record(2, "2/1", "ONLY", "APRIL"),
            ],
            &[],
        )
        .await;
        // The same key in another source is another record.
        load(
            s,
            &file("rent", Some("2024-04-01"), 8),
            &[record(1, "1/1", "RENT", "TENANT")],
            &[],
        )
        .await;
        // A corrected re-extract for May (other bytes, same date): the later load wins.
        load(
            s,
            &file("council_tax", Some("2024-05-01"), 9),
            &[record(1, "1/1", "ANNE", "CORRECTED")],
            &[],
        )
        .await;
        let latest = s.latest_records().await.expect("records");
        // source key surname first_seen..extract_date
        let got: Vec<String> = latest
            .iter()
            .map(|r| {
                let d = |d: Option<NaiveDate>| d.map_or("-".into(), |d| d.to_string());
                format!(
                    "{} {} {} {}..{}",
                    r.source,
                    r.record_key,
                    r.surname.as_deref().unwrap_or("-"),
                    d(r.first_seen),
                    d(r.extract_date)
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "council_tax 1/1 CORRECTED 2024-04-01..2024-05-01",
                "council_tax 2/1 APRIL 2024-04-01..2024-04-01",
                "rent 1/1 TENANT 2024-04-01..2024-04-01",
            ],
            "{}",
            fresh.name()
        );
        // Every observation is kept, in load order.
        let obs = s.observations().await.expect("observations");
        let dates: Vec<_> = obs.iter().map(|o| o.extract_date).collect();
        assert_eq!(
            dates,
            [
                Some(day("2024-05-01")),
                Some(day("2024-04-01")),
                Some(day("2024-04-01")),
                Some(day("2024-04-01")),
                Some(day("2024-05-01"))
            ],
            "{}",
            fresh.name()
        );
    }
}

#[tokio::test]
async fn quarantine_can_be_read_for_one_source() {
    for fresh in stores().await {
        let s = &fresh.store;
        assert!(s.quarantine(None).await.expect("empty").is_empty());
        load(
            s,
            &file("council_tax", Some("2024-04-01"), 10),
            &records(1, "C"),
            &[quarantined(3, "surname", "", "required")],
        )
        .await;
        load(
            s,
            &file("benefits", Some("2024-04-01"), 11),
            &records(1, "B"),
            &[
                quarantined(2, "claimant_nino", "QQ123456Z", "bad prefix"),
                quarantined(9, "partner_dob", "x", "not a date"),
            ],
        )
        .await;
        let all = s.quarantine(None).await.expect("all");
        assert_eq!(all.len(), 3, "{}", fresh.name());
        let benefits = s.quarantine(Some("benefits")).await.expect("benefits");
        let fields: Vec<&str> = benefits.iter().map(|q| q.field.as_str()).collect();
        assert_eq!(fields, ["claimant_nino", "partner_dob"], "{}", fresh.name());
        assert!(benefits
            .iter()
            .all(|q| q.source == "benefits" && q.file_name == "benefits_2024-04-01.csv"));
        let ct = s.quarantine(Some("council_tax")).await.expect("ct");
        assert_eq!((ct.len(), ct[0].row_no), (1, 3));
        assert!(s.quarantine(Some("rent")).await.expect("none").is_empty());
    }
}

// ------------------------------------------------------------ link runs

fn change(kind: &str, person: i64, others: &str, records: i64) -> SavedChange {
    SavedChange {
        kind: kind.into(),
        person_id: person,
        others: others.into(),
        records,
    }
}

fn assignments(list: &[(&str, &str, i64)]) -> Vec<(String, String, i64)> {
    list.iter()
        .map(|(s, k, p)| (s.to_string(), k.to_string(), *p))
        .collect()
}

/// Run 1: records a and b are person 1, c is person 2, d is person 3; two
/// addresses, one household of people 1 and 2, another of 3.
fn first_run() -> LinkRunSave {
    LinkRunSave {
        ingested_through: None,
        config: "threshold = 0.9\n".into(),
        model: r#"{"prior":0.001}"#.into(),
        threshold: 0.9,
        assignments: assignments(&[
            ("council_tax", "a", 1),
            ("benefits", "b", 1),
            ("council_tax", "c", 2),
            ("rent", "d", 3),
        ]),
        changes: vec![
            change("new", 1, "", 2),
            change("new", 2, "", 1),
            change("new", 3, "", 1),
        ],
        pairs: vec![SavedPair {
            source_a: "council_tax".into(),
            key_a: "a".into(),
            source_b: "benefits".into(),
            key_b: "b".into(),
            weight: 21.5,
            probability: 0.999_99,
        }],
        addresses: vec![
            SavedAddress {
                id: 1,
                key: "uprn:100070000036".into(),
                uprn: Some("100070000036".into()),
                address: Some("1 MEAD TERRACE".into()),
                postcode: Some("B1 3GN".into()),
            },
            SavedAddress {
                id: 2,
                key: "addr:2 MEAD TERRACE|B1 3GN".into(),
                uprn: None,
                address: Some("2 MEAD TERRACE".into()),
                postcode: Some("B1 3GN".into()),
            },
        ],
        residences: vec![
            SavedResidence {
                person_id: 1,
                address_id: 1,
                from: day("2024-04-01"),
                to: day("2024-06-01"),
                sources: "benefits,council_tax".into(),
            },
            SavedResidence {
                person_id: 3,
                address_id: 2,
                from: day("2024-04-01"),
                to: day("2024-05-01"),
                sources: "rent".into(),
            },
        ],
        households: vec![
            SavedHousehold {
                id: 1,
                address_id: 1,
                from: day("2024-04-01"),
                to: day("2024-06-01"),
                current: true,
                members: vec![
                    (1, day("2024-04-01"), day("2024-06-01")),
                    (2, day("2024-05-01"), day("2024-06-01")),
                ],
            },
            SavedHousehold {
                id: 2,
                address_id: 2,
                from: day("2024-04-01"),
                to: day("2024-05-01"),
                current: false,
                members: vec![(3, day("2024-04-01"), day("2024-05-01"))],
            },
        ],
        household_merges: Vec::new(),
        placements: vec![SavedPlacement {
            address: "2 MEAD TERRACE".into(),
            postcode: "B1 3GN".into(),
            given_uprn: String::new(),
            uprn: None,
            method: "unplaced".into(),
            score: None,
            reason: Some("nothing in the gazetteer looks like it".into()),
            candidates: None,
            sources: "rent".into(),
            records: 2,
        }],
        placement_counts: vec![PlacementCount {
            source: "rent".into(),
            method: "unplaced".into(),
            records: 2,
        }],
    }
}

/// Run 2: person 2 turns out to be person 1 (merged), a new record e is a
/// new person 4; one address, one household.
fn second_run() -> LinkRunSave {
    LinkRunSave {
        ingested_through: None,
        config: "threshold = 0.8\n".into(),
        model: r#"{"prior":0.002}"#.into(),
        threshold: 0.8,
        assignments: assignments(&[
            ("council_tax", "a", 1),
            ("benefits", "b", 1),
            ("council_tax", "c", 1),
            ("rent", "d", 3),
            ("rent", "e", 4),
        ]),
        changes: vec![change("merged", 1, "2", 3), change("new", 4, "", 1)],
        pairs: Vec::new(),
        addresses: vec![SavedAddress {
            id: 7,
            key: "uprn:100070000057".into(),
            uprn: Some("100070000057".into()),
            address: None,
            postcode: None,
        }],
        residences: vec![SavedResidence {
            person_id: 4,
            address_id: 7,
            from: day("2024-06-01"),
            to: day("2024-06-01"),
            sources: "rent".into(),
        }],
        households: vec![SavedHousehold {
            id: 9,
            address_id: 7,
            from: day("2024-06-01"),
            to: day("2024-06-01"),
            current: true,
            members: vec![
                (4, day("2024-06-01"), day("2024-06-01")),
                (3, day("2024-06-01"), day("2024-06-01")),
            ],
        }],
        household_merges: vec![(1, 9)],
        placements: Vec::new(),
        placement_counts: Vec::new(),
    }
}

async fn sorted_assignments(s: &Store) -> Vec<(String, String, i64)> {
    let mut a = s.person_assignments().await.expect("assignments");
    a.sort();
    a
}

fn sorted(mut a: Vec<(String, String, i64)>) -> Vec<(String, String, i64)> {
    a.sort();
    a
}

#[tokio::test]
async fn a_link_run_comes_back_as_saved() {
    for fresh in stores().await {
        let s = &fresh.store;
        assert_eq!(s.latest_link_run().await.expect("none"), None);
        assert_eq!(s.next_person_id().await.expect("first id"), 1);
        assert_eq!(s.single_view_counts().await.expect("counts"), (0, 0, 0, 0));
        assert!(s.person_assignments().await.expect("none").is_empty());

        let run = first_run();
        let id = s.save_link_run(&run).await.expect("save");
        assert_eq!(
            sorted_assignments(s).await,
            sorted(run.assignments.clone()),
            "{}",
            fresh.name()
        );
        assert_eq!(s.next_person_id().await.expect("next"), 4);
        let info = s.latest_link_run().await.expect("run").expect("a run");
        assert_eq!(info.id, id);
        assert_eq!(
            (info.records, info.people, info.pairs),
            (4, 3, 1),
            "{}",
            fresh.name()
        );
        assert_eq!(info.threshold, 0.9);
        assert_eq!(
            (info.config.as_str(), info.model.as_str()),
            (run.config.as_str(), run.model.as_str())
        );
        assert!(
            chrono::DateTime::parse_from_rfc3339(&info.run_at).is_ok(),
            "{}",
            info.run_at
        );
        assert_eq!(
            s.identity_changes(id).await.expect("changes"),
            run.changes,
            "{}",
            fresh.name()
        );
        // People 1, 2 and 3; two households, one current; two addresses.
        assert_eq!(
            s.single_view_counts().await.expect("counts"),
            (3, 2, 1, 2),
            "{}",
            fresh.name()
        );
        assert_eq!(
            fresh
                .count("SELECT COUNT(*) FROM household_members WHERE household_id = 1")
                .await,
            2
        );
        assert_eq!(fresh.count("SELECT COUNT(*) FROM residences").await, 2);
        assert_eq!(fresh.count("SELECT COUNT(*) FROM link_pairs").await, 1);
    }
}

#[tokio::test]
async fn a_later_run_replaces_the_earlier_one_and_merged_people_stop_counting() {
    for fresh in stores().await {
        let s = &fresh.store;
        let first = s.save_link_run(&first_run()).await.expect("first");
        // Each member's stay is kept, and where addresses were placed.
        let households = s.households().await.expect("households");
        assert_eq!(households[0].members, vec![1, 2], "{}", fresh.name());
        assert_eq!(
            households[0].stays[1],
            (day("2024-05-01"), day("2024-06-01")),
            "{}: person 2 joined in May",
            fresh.name()
        );
        assert_eq!(
            s.address_placements(true).await.expect("unplaced"),
            first_run().placements,
            "{}",
            fresh.name()
        );
        assert_eq!(
            s.address_placement_counts().await.expect("counts"),
            first_run().placement_counts
        );
        // A page at a time, the households are the same, in the same order,
        // and each page's people's records are theirs alone.
        // Records of person 1 (council_tax a, benefits b) and person 2 (c).
        load(
            s,
            &file("council_tax", Some("2024-05-01"), 81),
            &[record(1, "a", "JO", "SMITH"), record(2, "c", "AL", "SMITH")],
            &[],
        )
        .await;
        load(
            s,
            &file("benefits", Some("2024-05-01"), 82),
            &[record(1, "b", "JO", "SMITH")],
            &[],
        )
        .await;
        let mut paged = Vec::new();
        let mut after = i64::MIN;
        loop {
            let page = s.households_page(after, 1).await.expect("page");
            let Some(last) = page.last() else { break };
            assert_eq!(page.len(), 1, "{}", fresh.name());
            after = last.id;
            paged.extend(page);
        }
        assert_eq!(paged, households, "{}", fresh.name());
        let all = s.linked_observations().await.expect("observations");
        let of_1 = s
            .linked_observations_of(&[1])
            .await
            .expect("observations of 1");
        let want: Vec<_> = all.iter().filter(|o| o.person == 1).cloned().collect();
        assert_eq!((all.len(), want.len()), (3, 2), "{}", fresh.name());
        assert!(!want.is_empty(), "{}: person 1 has records", fresh.name());
        assert_eq!(of_1, want, "{}", fresh.name());
        assert!(s
            .linked_observations_of(&[])
            .await
            .expect("none")
            .is_empty());
        // Lists name households by their people, each from their latest record.
        let named = s.household_names(&[1, 12345]).await.expect("names");
        assert_eq!(named.len(), 1, "{}: {named:?}", fresh.name());
        assert_eq!(named[0].0, 1, "{}", fresh.name());
        assert!(named[0].1.contains("SMITH"), "{}: {named:?}", fresh.name());
        // Casework on household 1, which the second run finds is household 9.
        s.open_case(1, day("2024-06-02")).await.expect("case");
        s.set_do_not_contact(1, true, "A Connector", "asked by letter")
            .await
            .expect("preference");
        s.record_contact(1, day("2024-06-03"), "phone", "spoke", "A Connector")
            .await
            .expect("contact");
        // What staff recorded about reaching either copy holds for the family.
        s.add_contact_detail(
            &upstream_store::NewContactDetail {
                household_id: 1,
                person_id: None,
                kind: "phone".into(),
                value: "07700900123".into(),
                usable: false,
                note: "not theirs".into(),
            },
            1,
        )
        .await
        .expect("detail");
        s.set_contact_preferences(
            9,
            &upstream_store::ContactPreferences {
                language: Some("cy".into()),
                safe_contact: "Text only".into(),
                recorded_by: "A Connector".into(),
                ..Default::default()
            },
        )
        .await
        .expect("preferences");
        let run = second_run();
        let second = s.save_link_run(&run).await.expect("second");
        assert!(second > first, "{}: run ids grow", fresh.name());
        assert_eq!(
            s.open_case_households().await.expect("cases"),
            [9],
            "{}: the case follows the family",
            fresh.name()
        );
        assert_eq!(
            s.do_not_contact().await.expect("dnc"),
            [9],
            "{}",
            fresh.name()
        );
        assert_eq!(
            s.last_contacts().await.expect("contacts"),
            [(9, day("2024-06-03"))],
            "{}",
            fresh.name()
        );
        assert_eq!(
            s.contact_details(9).await.expect("details").len(),
            1,
            "{}",
            fresh.name()
        );
        let prefs = s.contact_preferences(9).await.expect("read").expect("kept");
        assert!(
            prefs.do_not_contact
                && prefs.language.as_deref() == Some("cy")
                && prefs.safe_contact == "Text only",
            "{}: {prefs:?}",
            fresh.name()
        );
        // The household of the first run found to be one family with another.
        assert_eq!(
            fresh.strings("SELECT CAST(from_id AS TEXT) || '>' || CAST(into_id AS TEXT) FROM household_merges").await,
            ["1>9"],
            "{}",
            fresh.name()
        );
        assert!(
            s.address_placements(false)
                .await
                .expect("placements")
                .is_empty(),
            "{}: each run replaces the placements",
            fresh.name()
        );

        // The new assignment replaces the old one, with no leftovers.
        assert_eq!(
            sorted_assignments(s).await,
            sorted(run.assignments.clone()),
            "{}",
            fresh.name()
        );
        let info = s.latest_link_run().await.expect("run").expect("a run");
        assert_eq!(
            (info.id, info.records, info.people, info.pairs),
            (second, 5, 3, 0)
        );
        assert_eq!(info.threshold, 0.8);
        assert_eq!(info.config, run.config);
        // Person 2 was merged into 1: no longer counted; ids never reused.
        assert_eq!(
            s.single_view_counts().await.expect("counts"),
            (3, 1, 1, 1),
            "{}: people 1, 3 and 4; one household; one address",
            fresh.name()
        );
        assert_eq!(s.next_person_id().await.expect("next"), 5);
        let status = fresh
            .strings(
                "SELECT CAST(id AS TEXT) || ':' || status || ':' || COALESCE(CAST(merged_into AS TEXT), '-')
                 FROM persons ORDER BY id",
            )
            .await;
        assert_eq!(
            status,
            ["1:active:-", "2:merged:1", "3:active:-", "4:active:-"],
            "{}",
            fresh.name()
        );
        // Both runs' changes are kept as history.
        assert_eq!(s.identity_changes(second).await.expect("2nd"), run.changes);
        assert_eq!(
            s.identity_changes(first).await.expect("1st"),
            first_run().changes
        );
        // Nothing of the first run's view is left.
        for (table, rows) in [
            ("link_pairs", 0),
            ("residences", 1),
            ("households", 1),
            ("household_members", 2),
            ("addresses", 1),
            ("person_records", 5),
        ] {
            assert_eq!(
                fresh.count(&format!("SELECT COUNT(*) FROM {table}")).await,
                rows,
                "{}: {table}",
                fresh.name()
            );
        }

        // A person merged away who comes back in a later run is active again.
        let mut third = first_run();
        third.assignments.push(("rent".into(), "e".into(), 4));
        third.changes = vec![change("split", 2, "1", 1)];
        s.save_link_run(&third).await.expect("third");
        assert_eq!(
            s.single_view_counts().await.expect("counts"),
            (4, 2, 1, 2),
            "{}: people 1, 2, 3 and 4",
            fresh.name()
        );
        assert_eq!(
            fresh
                .count(
                    "SELECT COUNT(*) FROM persons WHERE status = 'active' AND merged_into IS NULL"
                )
                .await,
            4
        );
    }
}

#[tokio::test]
async fn a_link_run_that_fails_part_way_leaves_the_last_good_run() {
    for fresh in stores().await {
        let s = &fresh.store;
        let first = s.save_link_run(&first_run()).await.expect("first");
        let assigned = sorted_assignments(s).await;
        let counts = s.single_view_counts().await.expect("counts");
        // The very last statement of the save fails: the household members.
        let mut run = second_run();
        run.households[0].members = vec![
            (4, day("2024-06-01"), day("2024-06-01")),
            (666, day("2024-06-01"), day("2024-06-01")),
        ];
        fresh.poison("household_members", "person_id", "666").await;
        assert_poisoned(s.save_link_run(&run).await, fresh.name());
        assert_eq!(sorted_assignments(s).await, assigned, "{}", fresh.name());
        assert_eq!(s.single_view_counts().await.expect("counts"), counts);
        assert_eq!(
            s.latest_link_run().await.expect("run").map(|r| r.id),
            Some(first),
            "{}",
            fresh.name()
        );
        assert_eq!(s.next_person_id().await.expect("next"), 4);
        assert_eq!(
            fresh
                .count("SELECT COUNT(*) FROM persons WHERE status <> 'active'")
                .await,
            0,
            "{}: the failed run's merge was not kept",
            fresh.name()
        );
        assert_eq!(
            fresh.count("SELECT COUNT(*) FROM identity_changes").await,
            3
        );
        assert_eq!(fresh.count("SELECT COUNT(*) FROM link_pairs").await, 1);
        fresh.cure("household_members").await;
        let second = s.save_link_run(&run).await.expect("retried");
        assert_eq!(
            s.latest_link_run().await.expect("run").map(|r| r.id),
            Some(second)
        );
        assert_eq!(sorted_assignments(s).await, sorted(run.assignments.clone()));
    }
}

fn lpi(key: &str, uprn: &str, postcode: &str, status: i64) -> upstream_store::NewLpi {
    upstream_store::NewLpi {
        lpi_key: key.into(),
        uprn: uprn.into(),
        postcode: Some(postcode.into()),
        logical_status: status,
        lpi: format!("{{\"lpi_key\":\"{key}\",\"status\":{status}}}"),
    }
}

fn gazetteer_file(month: &str, sha: &str) -> NewIngestFile {
    NewIngestFile {
        source: "gazetteer".into(),
        file_name: format!("gazetteer_{month}.csv"),
        sha256: sha.into(),
        extract_date: Some(day(&format!("{month}-01"))),
        rows_read: 2,
    }
}

#[tokio::test]
async fn the_newest_gazetteer_export_of_each_lpi_wins_whatever_order_they_load_in() {
    for fresh in stores().await {
        let s = &fresh.store;
        let full = [
            lpi("10L1", "10", "B1 1AA", 1),
            lpi("20L1", "20", "B1 1AA", 6),
        ];
        // March's change-only export: 20 completed, 10's postcode recoded.
        let march = [
            lpi("20L1", "20", "B1 1AA", 1),
            lpi("10L1", "10", "B1 9ZZ", 1),
        ];
        let out = s
            .load_gazetteer_file(&gazetteer_file("2024-03", "m"), &march, &[])
            .await
            .expect("march");
        assert!(matches!(out, LoadOutcome::Loaded { .. }));
        // January's full export arrives late: it must not undo March.
        s.load_gazetteer_file(&gazetteer_file("2024-01", "j"), &full, &[])
            .await
            .expect("january");
        let again = s
            .load_gazetteer_file(&gazetteer_file("2024-01", "j"), &full, &[])
            .await
            .expect("again");
        assert_eq!(again, LoadOutcome::AlreadyLoaded, "{}", fresh.name());
        assert_eq!(s.gazetteer_size().await.expect("size"), (2, 2));
        let rows = fresh
            .strings("SELECT lpi_key || ':' || COALESCE(postcode, '') || ':' || CAST(logical_status AS TEXT) FROM gazetteer_lpis ORDER BY lpi_key")
            .await;
        assert_eq!(rows, ["10L1:B1 9ZZ:1", "20L1:B1 1AA:1"], "{}", fresh.name());
        assert_eq!(s.gazetteer_lpis().await.expect("lpis").len(), 2);
    }
}
