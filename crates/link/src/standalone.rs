//! Linking arbitrary CSV files: the config's `[columns]` says which column
//! holds what; values are standardised as ingest would; scored pairs and
//! clusters come back as CSV. Useful to any analyst, with no database.

use crate::config::Columns;
use crate::record::Record;
use crate::{LinkError, LinkOutput};
use std::collections::HashMap;
use std::path::Path;
use upstream_ingest::standardise as std_;

/// What was read: the records, and per file the original rows for output.
pub struct Input {
    pub records: Vec<Record>,
    /// Values standardised away as malformed: (file, row, column, reason).
    pub warnings: Vec<(String, u64, String, String)>,
}

pub fn read(paths: &[&Path], columns: &Columns) -> Result<Input, LinkError> {
    let mut records = Vec::new();
    let mut warnings = Vec::new();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    for (dataset, path) in paths.iter().enumerate() {
        let file = path.display().to_string();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_path(path)
            .map_err(|e| LinkError::Input {
                file: file.clone(),
                problem: format!("cannot open as CSV: {e}"),
            })?;
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| LinkError::Input {
                file: file.clone(),
                problem: format!("cannot read the header: {e}"),
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let col = |name: &Option<String>| -> Result<Option<usize>, LinkError> {
            match name {
                None => Ok(None),
                Some(n) => header
                    .iter()
                    .position(|h| h.eq_ignore_ascii_case(n))
                    .map(Some)
                    .ok_or_else(|| LinkError::Input {
                        file: file.clone(),
                        problem: format!(
                            "the config maps column '{n}', which the file does not have (it has: {})",
                            header.join(", ")
                        ),
                    }),
            }
        };
        let id = col(&columns.id)?;
        let forename = col(&columns.forename)?;
        let middle = col(&columns.middle_names)?;
        let surname = col(&columns.surname)?;
        let full = col(&columns.full_name)?;
        let dob = col(&columns.dob)?;
        let nino = col(&columns.nino)?;
        let postcode = col(&columns.postcode)?;
        let uprn = col(&columns.uprn)?;
        let phone = col(&columns.phone)?;
        let email = col(&columns.email)?;
        let address = columns
            .address
            .iter()
            .map(|a| col(&Some(a.clone())).map(|c| c.unwrap_or(0)))
            .collect::<Result<Vec<_>, _>>()?;
        let extra = columns
            .extra
            .iter()
            .map(|a| col(&Some(a.clone())).map(|c| c.unwrap_or(0)))
            .collect::<Result<Vec<_>, _>>()?;
        let name_of = |c: usize| header[c].clone();
        for (n, row) in rdr.records().enumerate() {
            let row_no = n as u64 + 1;
            let row = row.map_err(|e| LinkError::Input {
                file: file.clone(),
                problem: format!("row {row_no}: {e}"),
            })?;
            let get = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("");
            let mut warn = |c: Option<usize>, reason: String| {
                if let Some(c) = c {
                    warnings.push((file.clone(), row_no, name_of(c), reason));
                }
            };
            let mut r = Record {
                dataset: dataset as u8,
                ..Record::default()
            };
            let key = match id {
                Some(_) => get(id).trim().to_string(),
                None => row_no.to_string(),
            };
            r.id = if paths.len() > 1 {
                format!("{}:{key}", dataset + 1)
            } else {
                key
            };
            if let Some(prev) = seen_ids.insert(r.id.clone(), row_no) {
                return Err(LinkError::Input {
                    file: file.clone(),
                    problem: format!("row {row_no}: id '{}' already used on row {prev}", r.id),
                });
            }
            if full.is_some() {
                let parts = std_::full_name(get(full));
                r.forename = parts.forename;
                r.middle_names = parts.middle_names;
                r.surname = parts.surname;
            }
            if forename.is_some() {
                r.forename = std_::forename(get(forename));
            }
            if middle.is_some() {
                r.middle_names = std_::name(get(middle));
            }
            if surname.is_some() {
                r.surname = std_::name(get(surname));
            }
            r.dob = std_::date(get(dob), &columns.date_formats).unwrap_or_else(|e| {
                warn(dob, e);
                None
            });
            r.nino = std_::nino(get(nino)).unwrap_or_else(|e| {
                warn(nino, e);
                None
            });
            r.postcode = std_::postcode(get(postcode)).unwrap_or_else(|e| {
                warn(postcode, e);
                None
            });
            r.uprn = std_::uprn(get(uprn)).unwrap_or_else(|e| {
                warn(uprn, e);
                None
            });
            r.phone = std_::phone(get(phone)).unwrap_or_else(|e| {
                warn(phone, e);
                None
            });
            r.email = std_::email(get(email)).unwrap_or_else(|e| {
                warn(email, e);
                None
            });
            let lines: Vec<&str> = address.iter().map(|&c| row.get(c).unwrap_or("")).collect();
            r.address = std_::address(&lines);
            r.extra = extra
                .iter()
                .map(|&c| std_::name(row.get(c).unwrap_or("")))
                .collect();
            records.push(r);
        }
    }
    Ok(Input { records, warnings })
}

/// `pairs.csv`: every compared pair at or above the report threshold.
/// `clusters.csv`: every record with its cluster. `model.json`: the trained
/// m and u, the prior and the EM sessions.
pub fn write(
    out: &Path,
    records: &[Record],
    output: &LinkOutput,
    report_threshold: f64,
) -> Result<(usize, usize), LinkError> {
    let io = |file: &Path| {
        let file = file.display().to_string();
        move |e: csv::Error| LinkError::Input {
            file: file.clone(),
            problem: format!("cannot write: {e}"),
        }
    };
    std::fs::create_dir_all(out).map_err(|e| LinkError::Io {
        file: out.display().to_string(),
        source: e,
    })?;
    let pairs_path = out.join("pairs.csv");
    let mut w = csv::Writer::from_path(&pairs_path).map_err(io(&pairs_path))?;
    w.write_record([
        "id_a",
        "id_b",
        "match_weight",
        "match_probability",
        "deterministic",
        "linked",
    ])
    .map_err(io(&pairs_path))?;
    let mut kept: Vec<_> = output
        .pairs
        .iter()
        .filter(|p| p.probability() >= report_threshold)
        .collect();
    kept.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    for p in &kept {
        let same = output.clustering.cluster_of[p.a as usize]
            == output.clustering.cluster_of[p.b as usize];
        w.write_record([
            records[p.a as usize].id.as_str(),
            records[p.b as usize].id.as_str(),
            &format!("{:.3}", p.weight),
            &format!("{:.6}", p.probability()),
            if p.deterministic { "yes" } else { "no" },
            if same { "yes" } else { "no" },
        ])
        .map_err(io(&pairs_path))?;
    }
    w.flush().map_err(|e| LinkError::Io {
        file: pairs_path.display().to_string(),
        source: e,
    })?;
    let clusters_path = out.join("clusters.csv");
    let mut w = csv::Writer::from_path(&clusters_path).map_err(io(&clusters_path))?;
    w.write_record(["id", "cluster"])
        .map_err(io(&clusters_path))?;
    for (r, c) in records.iter().zip(&output.clustering.cluster_of) {
        w.write_record([r.id.as_str(), &(c + 1).to_string()])
            .map_err(io(&clusters_path))?;
    }
    w.flush().map_err(|e| LinkError::Io {
        file: clusters_path.display().to_string(),
        source: e,
    })?;
    let model_path = out.join("model.json");
    let json = serde_json::to_string_pretty(&output.model).map_err(|e| LinkError::Input {
        file: model_path.display().to_string(),
        problem: format!("cannot write: {e}"),
    })?;
    std::fs::write(&model_path, json).map_err(|e| LinkError::Io {
        file: model_path.display().to_string(),
        source: e,
    })?;
    Ok((kept.len(), output.clustering.clusters))
}
