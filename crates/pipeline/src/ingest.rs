//! Ingest: read extract files as their declarations describe them and store
//! the records, one file per transaction, so a file is loaded whole or not
//! at all and loading the same bytes again changes nothing.

use crate::{Error, Progress, Result};
use std::path::{Path, PathBuf};
use upstream_ingest::{Declaration, Kind, ParsedFile};
use upstream_store::{LoadOutcome, NewIngestFile, NewLpi, NewQuarantine, NewSourceRecord, Store};

pub fn declarations(dir: Option<&Path>) -> Result<Vec<Declaration>> {
    Ok(match dir {
        Some(d) => Declaration::load_dir(d)?,
        None => Declaration::built_in(),
    })
}

/// Files under `paths` (directories are walked), sorted so months load in order.
pub fn files_under(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for entry in std::fs::read_dir(&p).map_err(|e| Error::io(&p, e))? {
                stack.push(entry.map_err(|e| Error::io(&p, e))?.path());
            }
        } else if p.exists() {
            out.push(p);
        } else {
            crate::refuse!("{}: no such file or directory", p.display());
        }
    }
    out.sort_by(|a, b| {
        let key = |p: &Path| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (upstream_ingest::reader::extract_date(&name), name)
        };
        key(a).cmp(&key(b))
    });
    Ok(out)
}

#[derive(Debug, Default)]
pub struct IngestReport {
    pub loaded: usize,
    pub already: usize,
    pub refused: usize,
    pub unmatched: usize,
    pub records: usize,
    /// Gazetteer LPIs read (inserted or updated).
    pub lpis: usize,
    pub quarantined: usize,
    /// Why each refused file was refused (file and reason).
    pub refusals: Vec<String>,
}

impl IngestReport {
    /// A file refused whole: counted, said, and kept for the run's record.
    fn refuse(&mut self, progress: &dyn Progress, why: String) {
        self.refused += 1;
        progress.note(&why);
        self.refusals.push(why);
    }
}

pub async fn ingest(
    store: &Store,
    decls: &[Declaration],
    paths: &[PathBuf],
    progress: &dyn Progress,
) -> Result<IngestReport> {
    let files = files_under(paths)?;
    let mut report = IngestReport::default();
    for (done, path) in files.iter().enumerate() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        progress.file(done, files.len(), &name);
        let Some(decl) = decls.iter().find(|d| d.matches(&name)) else {
            report.unmatched += 1;
            progress.note(&format!(
                "skipped {}: no source declaration matches this file name",
                path.display()
            ));
            continue;
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                report.refuse(
                    progress,
                    format!("refused {}: could not read it: {e}", path.display()),
                );
                continue;
            }
        };
        // Loaded before (same source, month and bytes): nothing to parse.
        let sha256 = upstream_ingest::reader::sha256_hex(&bytes);
        let period = upstream_ingest::reader::extract_date(&name);
        if store
            .ingest_file_loaded(&decl.name, &sha256, period)
            .await?
        {
            report.already += 1;
            continue;
        }
        let parsed = match upstream_ingest::reader::read_bytes(decl, &name, &bytes) {
            Ok(p) => p,
            Err(e) => {
                report.refuse(progress, format!("refused {}: {e}", path.display()));
                continue;
            }
        };
        drop(bytes);
        let (file, records, quarantine) = to_store(&parsed);
        let outcome = if decl.kind == Kind::Gazetteer {
            store
                .load_gazetteer_file(&file, &lpis_to_store(&parsed), &quarantine)
                .await
        } else {
            store.load_ingest_file(&file, &records, &quarantine).await
        }
        .map_err(|source| Error::Loading {
            path: path.clone(),
            source,
        })?;
        match outcome {
            LoadOutcome::Loaded { .. } => {
                report.loaded += 1;
                report.records += records.len();
                report.lpis += parsed.lpis.len();
                report.quarantined += quarantine.len();
            }
            LoadOutcome::AlreadyLoaded => report.already += 1,
        }
    }
    if report.loaded > 0 {
        store.refresh_planner_statistics().await?;
    }
    progress.finish();
    Ok(report)
}

/// Text as the databases accept it: PostgreSQL refuses NUL characters.
fn clean(s: &str) -> String {
    s.replace('\0', " ")
}

fn clean_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(clean)
}

fn to_store(p: &ParsedFile) -> (NewIngestFile, Vec<NewSourceRecord>, Vec<NewQuarantine>) {
    let file = NewIngestFile {
        source: p.source.clone(),
        file_name: p.file_name.clone(),
        sha256: p.sha256.clone(),
        extract_date: p.extract_date,
        rows_read: p.rows as i64,
    };
    let records = p
        .records
        .iter()
        .map(|(row, r)| NewSourceRecord {
            row_no: *row as i64,
            record_key: clean(&r.record_key),
            row_means: clean(&r.row_means),
            title: clean_opt(&r.title),
            forename: clean_opt(&r.forename),
            middle_names: clean_opt(&r.middle_names),
            surname: clean_opt(&r.surname),
            dob: r.dob,
            nino: clean_opt(&r.nino),
            postcode: clean_opt(&r.postcode),
            address: clean_opt(&r.address),
            uprn: clean_opt(&r.uprn),
            phone: clean_opt(&r.phone),
            email: clean_opt(&r.email),
            event_date: r.event_date,
            // JSON writes a NUL as the six characters \u0000, which both databases store.
            attributes: serde_json::to_string(&r.attributes).unwrap_or_else(|_| "{}".into()),
            original: serde_json::to_string(&r.original).unwrap_or_else(|_| "{}".into()),
        })
        .collect();
    let quarantine = p
        .quarantine
        .iter()
        .map(|q| NewQuarantine {
            row_no: q.row as i64,
            field: clean(&q.field),
            value: clean(&q.value),
            reason: clean(&q.reason),
        })
        .collect();
    (file, records, quarantine)
}

/// A gazetteer's LPIs as storage keeps them: the fields it searches on,
/// and the whole LPI as JSON.
fn lpis_to_store(p: &ParsedFile) -> Vec<NewLpi> {
    p.lpis
        .iter()
        .map(|(_, l)| NewLpi {
            lpi_key: clean(&l.lpi_key),
            uprn: l.uprn.clone(),
            postcode: l.postcode.clone(),
            logical_status: i64::from(l.logical_status),
            // JSON writes a NUL as the six characters \u0000, which both databases store.
            lpi: serde_json::to_string(l).unwrap_or_else(|_| "{}".into()),
        })
        .collect()
}
