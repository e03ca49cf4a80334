//! Storage for the single view: ingested source records with provenance,
//! quarantine, and each linkage run's people, households and changes.
//! Every load and every link run is one transaction: a crash half way
//! leaves the last good state.

use crate::parse_iso_opt as parse_date;
use crate::{Pool, Store, StoreError};
use chrono::{NaiveDate, Utc};
use sqlx::Row;

/// Rows per multi-row INSERT: well under both databases' bind limits.
const BATCH: usize = 400;

#[derive(Debug, Clone, PartialEq)]
pub struct NewIngestFile {
    pub source: String,
    pub file_name: String,
    pub sha256: String,
    pub extract_date: Option<NaiveDate>,
    pub rows_read: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewSourceRecord {
    pub row_no: i64,
    pub record_key: String,
    pub row_means: String,
    pub title: Option<String>,
    pub forename: Option<String>,
    pub middle_names: Option<String>,
    pub surname: Option<String>,
    pub dob: Option<NaiveDate>,
    pub nino: Option<String>,
    pub postcode: Option<String>,
    pub address: Option<String>,
    pub uprn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub event_date: Option<NaiveDate>,
    /// JSON object of standardised attributes.
    pub attributes: String,
    /// JSON object of the original text of every mapped column.
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuarantine {
    pub row_no: i64,
    pub field: String,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadOutcome {
    Loaded {
        file_id: i64,
    },
    /// The same bytes were loaded for this source before: nothing changed.
    AlreadyLoaded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineEntry {
    pub source: String,
    pub file_name: String,
    pub row_no: i64,
    pub field: String,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestSummary {
    pub source: String,
    pub files: i64,
    pub records: i64,
    pub quarantined: i64,
}

/// A source record as linkage sees it: its latest observation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredRecord {
    pub source: String,
    pub record_key: String,
    /// The first and the latest extract the record appears in.
    pub first_seen: Option<NaiveDate>,
    pub extract_date: Option<NaiveDate>,
    /// When the record's fact started, as its source declares (an account
    /// opened, a claim started, a call made).
    pub event_date: Option<NaiveDate>,
    pub forename: Option<String>,
    pub middle_names: Option<String>,
    pub surname: Option<String>,
    pub dob: Option<NaiveDate>,
    pub nino: Option<String>,
    pub postcode: Option<String>,
    pub address: Option<String>,
    pub uprn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Where a record placed its person on one extract date.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub source: String,
    pub record_key: String,
    pub extract_date: Option<NaiveDate>,
    pub event_date: Option<NaiveDate>,
    pub uprn: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    /// JSON object of typed attributes, as ingest stored it.
    pub attributes: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedPair {
    pub source_a: String,
    pub key_a: String,
    pub source_b: String,
    pub key_b: String,
    pub weight: f64,
    pub probability: f64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedChange {
    pub kind: String,
    pub person_id: i64,
    pub others: String,
    pub records: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAddress {
    pub id: i64,
    pub key: String,
    pub uprn: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResidence {
    pub person_id: i64,
    pub address_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sources: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedHousehold {
    pub id: i64,
    pub address_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub current: bool,
    /// Each member with the first and last day they lived there.
    pub members: Vec<(i64, NaiveDate, NaiveDate)>,
}

/// Everything one linkage run produced, saved in one transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkRunSave {
    pub config: String,
    pub model: String,
    pub threshold: f64,
    /// (source, record key, person id) for every record.
    pub assignments: Vec<(String, String, i64)>,
    pub changes: Vec<SavedChange>,
    pub pairs: Vec<SavedPair>,
    pub addresses: Vec<SavedAddress>,
    pub residences: Vec<SavedResidence>,
    pub households: Vec<SavedHousehold>,
    /// Earlier households found to be one family: (merged id, surviving id).
    pub household_merges: Vec<(i64, i64)>,
    /// Where each distinct address was placed, and per source how many.
    pub placements: Vec<crate::SavedPlacement>,
    pub placement_counts: Vec<crate::PlacementCount>,
    /// The highest `ingest_files` id when the run read the records: what it saw.
    pub ingested_through: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkRunInfo {
    pub id: i64,
    pub run_at: String,
    pub records: i64,
    pub people: i64,
    pub pairs: i64,
    pub threshold: f64,
    pub model: String,
    pub config: String,
    /// The highest `ingest_files` id the run saw (none for runs before it was kept).
    pub ingested_through: Option<i64>,
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(crate::iso_date)
}

impl Store {
    /// Load one parsed file: its records and quarantined rows, all or nothing.
    /// The same bytes for the same source a second time change nothing.
    pub async fn load_ingest_file(
        &self,
        file: &NewIngestFile,
        records: &[NewSourceRecord],
        quarantine: &[NewQuarantine],
    ) -> Result<LoadOutcome, StoreError> {
        self.load_file(file, records, &[], quarantine).await
    }

    /// Load one gazetteer export, all or nothing: each LPI replaces the one
    /// of its key unless that came from a later export. The same bytes a
    /// second time change nothing.
    pub async fn load_gazetteer_file(
        &self,
        file: &NewIngestFile,
        lpis: &[crate::NewLpi],
        quarantine: &[NewQuarantine],
    ) -> Result<LoadOutcome, StoreError> {
        self.load_file(file, &[], lpis, quarantine).await
    }

    /// One file in one transaction: its row in `ingest_files`, its people's
    /// records or its gazetteer LPIs, and its quarantined rows.
    async fn load_file(
        &self,
        file: &NewIngestFile,
        records: &[NewSourceRecord],
        lpis: &[crate::NewLpi],
        quarantine: &[NewQuarantine],
    ) -> Result<LoadOutcome, StoreError> {
        const INSERT_FILE: &str = "INSERT INTO ingest_files (source, file_name, sha256, extract_date, period_key, rows_read, records, quarantined, loaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (source, period_key, sha256) DO NOTHING";
        const FIND: &str =
            "SELECT id FROM ingest_files WHERE source = $1 AND sha256 = $2 AND period_key = $3";
        let extract_date = date(file.extract_date);
        let period = extract_date.clone().unwrap_or_default();
        let now = Utc::now().to_rfc3339();
        // One key may appear twice in a gazetteer export; the later row
        // wins, as it would reading the file top to bottom.
        let mut newest: std::collections::HashMap<&str, &crate::NewLpi> =
            std::collections::HashMap::new();
        for l in lpis {
            newest.insert(l.lpi_key.as_str(), l);
        }
        let mut lpis: Vec<&crate::NewLpi> = newest.into_values().collect();
        lpis.sort_by(|a, b| a.lpi_key.cmp(&b.lpi_key));
        let outcome = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let done = sqlx::query(INSERT_FILE)
                .bind(&file.source)
                .bind(&file.file_name)
                .bind(&file.sha256)
                .bind(&extract_date)
                .bind(&period)
                .bind(file.rows_read)
                .bind((records.len() + lpis.len()) as i64)
                .bind(quarantine.len() as i64)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                tx.rollback().await?;
                LoadOutcome::AlreadyLoaded
            } else {
                let file_id: i64 = sqlx::query_scalar(FIND)
                    .bind(&file.source)
                    .bind(&file.sha256)
                    .bind(&period)
                    .fetch_one(&mut *tx)
                    .await?;
                for chunk in records.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new(
                        "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, title, forename, middle_names, surname, dob, nino, postcode, address, uprn, phone, email, event_date, attributes, original) ",
                    );
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(file_id)
                            .push_bind(r.row_no)
                            .push_bind(&file.source)
                            .push_bind(&r.record_key)
                            .push_bind(&r.row_means)
                            .push_bind(extract_date.clone())
                            .push_bind(&r.title)
                            .push_bind(&r.forename)
                            .push_bind(&r.middle_names)
                            .push_bind(&r.surname)
                            .push_bind(date(r.dob))
                            .push_bind(&r.nino)
                            .push_bind(&r.postcode)
                            .push_bind(&r.address)
                            .push_bind(&r.uprn)
                            .push_bind(&r.phone)
                            .push_bind(&r.email)
                            .push_bind(date(r.event_date))
                            .push_bind(&r.attributes)
                            .push_bind(&r.original);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in lpis.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new(
                        "INSERT INTO gazetteer_lpis (lpi_key, uprn, postcode, logical_status, extract_date, file_id, lpi) ",
                    );
                    qb.push_values(chunk, |mut b, l| {
                        b.push_bind(&l.lpi_key)
                            .push_bind(&l.uprn)
                            .push_bind(&l.postcode)
                            .push_bind(l.logical_status)
                            .push_bind(&period)
                            .push_bind(file_id)
                            .push_bind(&l.lpi);
                    });
                    // An older export loaded after a newer one never overwrites it.
                    qb.push(
                        " ON CONFLICT (lpi_key) DO UPDATE SET uprn = excluded.uprn, postcode = excluded.postcode,
                          logical_status = excluded.logical_status, extract_date = excluded.extract_date,
                          file_id = excluded.file_id, lpi = excluded.lpi
                          WHERE excluded.extract_date >= gazetteer_lpis.extract_date",
                    );
                    qb.build().execute(&mut *tx).await?;
                }
                for chunk in quarantine.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new(
                        "INSERT INTO quarantine (file_id, source, file_name, row_no, field, value, reason) ",
                    );
                    qb.push_values(chunk, |mut b, q| {
                        b.push_bind(file_id)
                            .push_bind(&file.source)
                            .push_bind(&file.file_name)
                            .push_bind(q.row_no)
                            .push_bind(&q.field)
                            .push_bind(&q.value)
                            .push_bind(&q.reason);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                LoadOutcome::Loaded { file_id }
            }
        });
        Ok(outcome)
    }

    /// Quarantined rows, optionally of one source, in load order.
    pub async fn quarantine(
        &self,
        source: Option<&str>,
    ) -> Result<Vec<QuarantineEntry>, StoreError> {
        const SQL: &str = "SELECT source, file_name, row_no, field, value, reason FROM quarantine
             WHERE ($1 IS NULL OR source = $1) ORDER BY id";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).bind(source).fetch_all(p).await?;
            rows.into_iter()
                .map(|r| -> Result<QuarantineEntry, sqlx::Error> {
                    Ok(QuarantineEntry {
                        source: r.try_get("source")?,
                        file_name: r.try_get("file_name")?,
                        row_no: r.try_get("row_no")?,
                        field: r.try_get("field")?,
                        value: r.try_get("value")?,
                        reason: r.try_get("reason")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Files, records and quarantined rows per source.
    pub async fn ingest_summary(&self) -> Result<Vec<IngestSummary>, StoreError> {
        const SQL: &str = "SELECT source, COUNT(*) AS files, CAST(SUM(records) AS BIGINT) AS records, CAST(SUM(quarantined) AS BIGINT) AS quarantined
             FROM ingest_files GROUP BY source ORDER BY source";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            rows.into_iter()
                .map(|r| -> Result<IngestSummary, sqlx::Error> {
                    Ok(IngestSummary {
                        source: r.try_get("source")?,
                        files: r.try_get("files")?,
                        records: r.try_get("records")?,
                        quarantined: r.try_get("quarantined")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Every source record once, as its latest observation says.
    pub async fn latest_records(&self) -> Result<Vec<StoredRecord>, StoreError> {
        // The latest row per record: highest extract date, then last loaded.
        const SQL: &str = "SELECT s.source, s.record_key, latest.first_seen, s.extract_date, s.event_date, s.forename, s.middle_names, s.surname, s.dob, s.nino, s.postcode, s.address, s.uprn, s.phone, s.email
             FROM source_records s
             JOIN (SELECT id, ROW_NUMBER() OVER (PARTITION BY source, record_key
                                                 ORDER BY COALESCE(extract_date, '') DESC, id DESC) AS n,
                          MIN(extract_date) OVER (PARTITION BY source, record_key) AS first_seen
                   FROM source_records) latest ON latest.id = s.id AND latest.n = 1
             ORDER BY s.source, s.record_key";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    StoredRecord {
                        source: r.try_get("source")?,
                        record_key: r.try_get("record_key")?,
                        first_seen: None,
                        extract_date: None,
                        event_date: None,
                        forename: r.try_get("forename")?,
                        middle_names: r.try_get("middle_names")?,
                        surname: r.try_get("surname")?,
                        dob: None,
                        nino: r.try_get("nino")?,
                        postcode: r.try_get("postcode")?,
                        address: r.try_get("address")?,
                        uprn: r.try_get("uprn")?,
                        phone: r.try_get("phone")?,
                        email: r.try_get("email")?,
                    },
                    r.try_get::<Option<String>, _>("first_seen")?,
                    r.try_get::<Option<String>, _>("extract_date")?,
                    r.try_get::<Option<String>, _>("event_date")?,
                    r.try_get::<Option<String>, _>("dob")?,
                ));
            }
            out
        });
        rows.into_iter()
            .map(|(mut rec, first, extract, event, dob)| {
                rec.first_seen = parse_date(first)?;
                rec.extract_date = parse_date(extract)?;
                rec.event_date = parse_date(event)?;
                rec.dob = parse_date(dob)?;
                Ok(rec)
            })
            .collect()
    }

    /// Every observation's place and date, for residence periods.
    pub async fn observations(&self) -> Result<Vec<Observation>, StoreError> {
        let mut out = Vec::new();
        let mut after = i64::MIN;
        loop {
            let (page, last) = self.observations_page(after, 100_000).await?;
            out.extend(page);
            match last {
                Some(l) => after = l,
                None => return Ok(out),
            }
        }
    }

    /// Observations in load order, `limit` after the row id `after`, and
    /// the last row id read (none when the page is empty): a town's record
    /// versions a page at a time, so a caller keeps only what it needs.
    pub async fn observations_page(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<Observation>, Option<i64>), StoreError> {
        const SQL: &str = "SELECT id, source, record_key, extract_date, event_date, uprn, address, postcode, attributes FROM source_records WHERE id > $1 ORDER BY id LIMIT $2";
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = on_pool!(self, p => {
            let rows = sqlx::query(SQL).bind(after).bind(limit).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<String, _>("source")?,
                    r.try_get::<String, _>("record_key")?,
                    r.try_get::<Option<String>, _>("extract_date")?,
                    r.try_get::<Option<String>, _>("event_date")?,
                    r.try_get::<Option<String>, _>("uprn")?,
                    r.try_get::<Option<String>, _>("address")?,
                    r.try_get::<Option<String>, _>("postcode")?,
                    r.try_get::<String, _>("attributes")?,
                ));
            }
            out
        });
        let last = rows.last().map(|r| r.0);
        let page = rows
            .into_iter()
            .map(
                |(_, source, record_key, e, ev, uprn, address, postcode, attributes)| {
                    Ok(Observation {
                        source,
                        record_key,
                        extract_date: parse_date(e)?,
                        event_date: parse_date(ev)?,
                        uprn,
                        address,
                        postcode,
                        attributes,
                    })
                },
            )
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((page, last))
    }

    /// The person id each record had after the last run.
    pub async fn person_assignments(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        const SQL: &str = "SELECT source, record_key, person_id FROM person_records";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            rows.into_iter()
                .map(|r| -> Result<(String, String, i64), sqlx::Error> {
                    Ok((r.try_get("source")?, r.try_get("record_key")?, r.try_get("person_id")?))
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// The next unused person id.
    pub async fn next_person_id(&self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COALESCE(MAX(id), 0) + 1 FROM persons";
        let id: i64 = on_pool!(self, p => sqlx::query_scalar(SQL).fetch_one(p).await?);
        Ok(id)
    }

    pub async fn latest_link_run(&self) -> Result<Option<LinkRunInfo>, StoreError> {
        const SQL: &str = "SELECT id, run_at, records, people, pairs, threshold, model, config, ingested_through FROM link_runs ORDER BY id DESC LIMIT 1";
        let row = on_pool!(self, p => {
            match sqlx::query(SQL).fetch_optional(p).await? {
                None => None,
                Some(r) => Some(LinkRunInfo {
                    id: r.try_get("id")?,
                    run_at: r.try_get("run_at")?,
                    records: r.try_get("records")?,
                    people: r.try_get("people")?,
                    pairs: r.try_get("pairs")?,
                    threshold: r.try_get("threshold")?,
                    model: r.try_get("model")?,
                    config: r.try_get("config")?,
                    ingested_through: r.try_get("ingested_through")?,
                }),
            }
        });
        Ok(row)
    }

    /// Identity changes recorded by a run.
    pub async fn identity_changes(&self, run_id: i64) -> Result<Vec<SavedChange>, StoreError> {
        const SQL: &str = "SELECT kind, person_id, others, records FROM identity_changes WHERE run_id = $1 ORDER BY id";
        let rows = on_pool!(self, p => {
            let rows = sqlx::query(SQL).bind(run_id).fetch_all(p).await?;
            rows.into_iter()
                .map(|r| -> Result<SavedChange, sqlx::Error> {
                    Ok(SavedChange {
                        kind: r.try_get("kind")?,
                        person_id: r.try_get("person_id")?,
                        others: r.try_get("others")?,
                        records: r.try_get("records")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Counts of what the single view holds: (people, households, current households, addresses).
    pub async fn single_view_counts(&self) -> Result<(i64, i64, i64, i64), StoreError> {
        const SQL: &str = "SELECT (SELECT COUNT(*) FROM persons WHERE status = 'active') AS people,
                (SELECT COUNT(*) FROM households) AS households,
                (SELECT COUNT(*) FROM households WHERE current) AS current_households,
                (SELECT COUNT(*) FROM addresses) AS addresses";
        let row = on_pool!(self, p => {
            let r = sqlx::query(SQL).fetch_one(p).await?;
            (
                r.try_get::<i64, _>("people")?,
                r.try_get::<i64, _>("households")?,
                r.try_get::<i64, _>("current_households")?,
                r.try_get::<i64, _>("addresses")?,
            )
        });
        Ok(row)
    }

    /// Save a linkage run: the new assignment replaces the old one, ids and
    /// history are kept, all in one transaction.
    pub async fn save_link_run(&self, run: &LinkRunSave) -> Result<i64, StoreError> {
        let now = Utc::now().to_rfc3339();
        let mut people: Vec<i64> = run.assignments.iter().map(|a| a.2).collect();
        people.sort_unstable();
        people.dedup();
        let merged: Vec<(i64, i64)> = run
            .changes
            .iter()
            .filter(|c| c.kind == "merged")
            .flat_map(|c| {
                c.others
                    .split(',')
                    .filter_map(|o| o.trim().parse::<i64>().ok())
                    .map(move |o| (o, c.person_id))
            })
            .collect();
        let max_household = run.households.iter().map(|h| h.id).max().unwrap_or(0);
        let run_id = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let run_id: i64 = sqlx::query_scalar(
                "INSERT INTO link_runs (run_at, config, model, records, people, pairs, threshold, max_household_id, ingested_through) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&now)
            .bind(&run.config)
            .bind(&run.model)
            .bind(run.assignments.len() as i64)
            .bind(people.len() as i64)
            .bind(run.pairs.len() as i64)
            .bind(run.threshold)
            .bind(max_household)
            .bind(run.ingested_through)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in people.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO persons (id, first_run, last_run, status) ");
                qb.push_values(chunk, |mut b, id| {
                    b.push_bind(*id).push_bind(run_id).push_bind(run_id).push_bind("active");
                });
                qb.push(" ON CONFLICT (id) DO UPDATE SET last_run = excluded.last_run, status = 'active', merged_into = NULL");
                qb.build().execute(&mut *tx).await?;
            }
            for (gone, into) in &merged {
                sqlx::query("UPDATE persons SET status = 'merged', merged_into = $1 WHERE id = $2")
                    .bind(into)
                    .bind(gone)
                    .execute(&mut *tx)
                    .await?;
            }
            for table in ["person_records", "link_pairs", "household_members", "households", "residences", "addresses"] {
                sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
            }
            for chunk in run.assignments.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO person_records (source, record_key, person_id, run_id) ");
                qb.push_values(chunk, |mut b, (s, k, person)| {
                    b.push_bind(s).push_bind(k).push_bind(*person).push_bind(run_id);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.changes.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO identity_changes (run_id, kind, person_id, others, records) ");
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(run_id).push_bind(&c.kind).push_bind(c.person_id).push_bind(&c.others).push_bind(c.records);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.pairs.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO link_pairs (run_id, source_a, key_a, source_b, key_b, weight, probability) ");
                qb.push_values(chunk, |mut b, x| {
                    b.push_bind(run_id).push_bind(&x.source_a).push_bind(&x.key_a).push_bind(&x.source_b).push_bind(&x.key_b).push_bind(x.weight).push_bind(x.probability);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.addresses.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO addresses (id, addr_key, uprn, address, postcode) ");
                qb.push_values(chunk, |mut b, a| {
                    b.push_bind(a.id).push_bind(&a.key).push_bind(&a.uprn).push_bind(&a.address).push_bind(&a.postcode);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.residences.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO residences (person_id, address_id, from_date, to_date, sources) ");
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(r.person_id).push_bind(r.address_id).push_bind(date(Some(r.from))).push_bind(date(Some(r.to))).push_bind(&r.sources);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.households.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO households (id, address_id, from_date, to_date, current) ");
                qb.push_values(chunk, |mut b, h| {
                    b.push_bind(h.id).push_bind(h.address_id).push_bind(date(Some(h.from))).push_bind(date(Some(h.to))).push_bind(h.current);
                });
                qb.build().execute(&mut *tx).await?;
            }
            let members: Vec<(i64, &(i64, NaiveDate, NaiveDate))> = run
                .households
                .iter()
                .flat_map(|h| h.members.iter().map(move |m| (h.id, m)))
                .collect();
            for chunk in members.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO household_members (household_id, person_id, from_date, to_date) ");
                qb.push_values(chunk, |mut b, (h, (m, from, to))| {
                    b.push_bind(*h).push_bind(*m).push_bind(date(Some(*from))).push_bind(date(Some(*to)));
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.household_merges.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO household_merges (run_id, from_id, into_id) ");
                qb.push_values(chunk, |mut b, (from, into)| {
                    b.push_bind(run_id).push_bind(*from).push_bind(*into);
                });
                qb.push(" ON CONFLICT (from_id) DO NOTHING");
                qb.build().execute(&mut *tx).await?;
            }
            // What pointed at a household merged into another now points at
            // the family's surviving id: its cases, flags, contacts, consents,
            // referrals and the contact details staff recorded. Kept worklists
            // stay as they were made. A do-not-contact wish on either copy
            // holds for the family, and so does a safe-contact note.
            for (from, into) in &run.household_merges {
                for table in ["cases", "fast_track_flags", "contacts", "consents", "referrals", "contact_details"] {
                    sqlx::query(&format!("UPDATE {table} SET household_id = $1 WHERE household_id = $2"))
                        .bind(into)
                        .bind(from)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "INSERT INTO contact_preferences (household_id, do_not_contact, preferred_channel, language, safe_contact, recorded_by, recorded_at, note, no_letters, text_only, no_calls)
                     SELECT $1, do_not_contact, preferred_channel, language, safe_contact, recorded_by, recorded_at, note, no_letters, text_only, no_calls
                       FROM contact_preferences WHERE household_id = $2
                     ON CONFLICT (household_id) DO UPDATE SET
                        do_not_contact = contact_preferences.do_not_contact OR excluded.do_not_contact,
                        no_letters = contact_preferences.no_letters OR excluded.no_letters,
                        text_only = contact_preferences.text_only OR excluded.text_only,
                        no_calls = contact_preferences.no_calls OR excluded.no_calls,
                        preferred_channel = COALESCE(contact_preferences.preferred_channel, excluded.preferred_channel),
                        language = COALESCE(contact_preferences.language, excluded.language),
                        safe_contact = CASE
                            WHEN excluded.safe_contact = '' OR excluded.safe_contact = contact_preferences.safe_contact THEN contact_preferences.safe_contact
                            WHEN contact_preferences.safe_contact = '' THEN excluded.safe_contact
                            ELSE contact_preferences.safe_contact || ' / ' || excluded.safe_contact END,
                        recorded_by = CASE WHEN excluded.do_not_contact AND NOT contact_preferences.do_not_contact
                            THEN excluded.recorded_by ELSE contact_preferences.recorded_by END,
                        recorded_at = CASE WHEN excluded.do_not_contact AND NOT contact_preferences.do_not_contact
                            THEN excluded.recorded_at ELSE contact_preferences.recorded_at END,
                        note = CASE WHEN excluded.do_not_contact AND NOT contact_preferences.do_not_contact
                            THEN excluded.note ELSE contact_preferences.note END",
                )
                .bind(into)
                .bind(from)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM contact_preferences WHERE household_id = $1")
                    .bind(from)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM address_placements").execute(&mut *tx).await?;
            sqlx::query("DELETE FROM address_placement_counts").execute(&mut *tx).await?;
            for chunk in run.placements.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO address_placements (address, postcode, given_uprn, uprn, method, score, reason, candidates, sources, records) ");
                qb.push_values(chunk, |mut b, x| {
                    b.push_bind(&x.address).push_bind(&x.postcode).push_bind(&x.given_uprn).push_bind(&x.uprn)
                        .push_bind(&x.method).push_bind(x.score).push_bind(&x.reason).push_bind(&x.candidates)
                        .push_bind(&x.sources).push_bind(x.records);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.placement_counts.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO address_placement_counts (source, method, records) ");
                qb.push_values(chunk, |mut b, x| {
                    b.push_bind(&x.source).push_bind(&x.method).push_bind(x.records);
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            run_id
        });
        Ok(run_id)
    }
}
