//! Linking arbitrary CSV files: the config's `[columns]` says which column
//! holds what; values are standardised as ingest would; scored pairs and
//! clusters come back as CSV. Useful to any analyst, with no database.

use crate::config::{ColumnName, Columns, ExtraKind};
use crate::record::Record;
use crate::{LinkError, LinkOutput};
use std::collections::HashMap;
use std::path::Path;
use upstream_ingest::standardise as std_;

/// What was read: the records, what became of each mapped column, and the
/// values that could not be read as the field expects.
pub struct Input {
    pub records: Vec<Record>,
    /// Values not read as the field expects: (file, row, column, what became
    /// of them and why). A few per column; `columns` has the counts.
    pub warnings: Vec<(String, u64, String, String)>,
    /// One summary per file and mapped column.
    pub columns: Vec<ColumnSummary>,
}

/// A mapped column more than half of whose filled values could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct UnusableColumn {
    pub file: String,
    pub column: String,
    pub field: String,
    pub blanked: u64,
    pub filled: u64,
    pub example: String,
    pub why: String,
}

impl std::fmt::Display for UnusableColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: column '{}' ({}) is mostly unusable: {} of its {} filled values could not be \
             read and would be left blank (e.g. '{}': {}). Fix the mapping (for dates, add the \
             format to date_formats), or set allow_unusable = true in [columns] to link anyway",
            self.file, self.column, self.field, self.blanked, self.filled, self.example, self.why
        )
    }
}

/// What became of one mapped column of one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnSummary {
    pub file: String,
    /// The field it fills (`dob`, `postcode`, an extra column's name).
    pub field: String,
    /// The column in the file; empty when the file has none of its names.
    pub column: String,
    /// Rows with a value (not blank).
    pub filled: u64,
    /// Values read as the field expects (standardised).
    pub read: u64,
    /// Values that failed the field's check (a UK postcode, an NI number)
    /// and were kept as plain text: still compared, exactly.
    pub kept_as_text: u64,
    /// Values that could not be read at all and were left blank.
    pub blanked: u64,
    /// Up to three values that failed, with why.
    pub examples: Vec<(String, String)>,
}

impl ColumnSummary {
    /// More than half of the filled values could not be used at all.
    pub fn mostly_unusable(&self) -> bool {
        self.filled > 0 && self.blanked * 2 > self.filled
    }

    /// One line for the terminal.
    pub fn describe(&self) -> String {
        if self.column.is_empty() {
            return format!(
                "{}: {} has no such column; left blank",
                self.file, self.field
            );
        }
        let mut s = format!(
            "{} {} ({}): {} filled, {} read",
            self.file, self.field, self.column, self.filled, self.read
        );
        if self.kept_as_text > 0 {
            s += &format!(", {} kept as text", self.kept_as_text);
        }
        if self.blanked > 0 {
            s += &format!(", {} left blank", self.blanked);
        }
        if let Some((v, why)) = self.examples.first() {
            s += &format!(" (e.g. '{v}': {why})");
        }
        s
    }
}

/// How a mapped column is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reader {
    Id,
    Forename,
    Name,
    FullName,
    Dob,
    Nino,
    Postcode,
    Uprn,
    Phone,
    Email,
    Extra(usize, ExtraKind),
}

/// What reading one value gave.
enum Read {
    Blank,
    Value(String),
    /// Failed the field's check; kept as this text.
    Text(String, String),
    /// Unusable: why.
    Failed(String),
}

/// A value that failed a UK check, kept as plain text: upper case, spaces
/// collapsed (email in lower case).
fn as_text(v: &str) -> String {
    v.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

fn read_value(reader: Reader, v: &str, formats: &[String]) -> Read {
    if v.trim().is_empty() {
        return Read::Blank;
    }
    let checked = |r: Result<Option<String>, String>| match r {
        Ok(Some(x)) => Read::Value(x),
        Ok(None) => Read::Blank,
        Err(why) => Read::Text(as_text(v), why),
    };
    let named = |r: Option<String>| match r {
        Some(x) => Read::Value(x),
        None => Read::Failed("no letters of a name".into()),
    };
    match reader {
        Reader::Id => Read::Value(v.trim().to_string()),
        Reader::Forename => named(std_::forename(v)),
        Reader::Name | Reader::FullName => named(std_::name(v)),
        Reader::Dob | Reader::Extra(_, ExtraKind::Date) => match std_::date(v, formats) {
            Ok(Some(d)) => Read::Value(d.format("%Y-%m-%d").to_string()),
            Ok(None) => Read::Blank,
            Err(why) => Read::Failed(why),
        },
        Reader::Nino => checked(std_::nino(v)),
        Reader::Postcode => checked(std_::postcode(v)),
        Reader::Uprn => checked(std_::uprn(v)),
        Reader::Phone => checked(std_::phone(v)),
        Reader::Email => match std_::email(v) {
            Ok(Some(x)) => Read::Value(x),
            Ok(None) => Read::Blank,
            Err(why) => Read::Text(as_text(v).to_lowercase(), why),
        },
        Reader::Extra(_, ExtraKind::Text) => named(std_::name(v)),
        Reader::Extra(_, ExtraKind::Id) => {
            let id: String = v
                .chars()
                .filter(|c| !c.is_whitespace() && !"-./".contains(*c))
                .flat_map(char::to_uppercase)
                .collect();
            if id.is_empty() {
                Read::Failed("no letters or digits".into())
            } else {
                Read::Value(id)
            }
        }
        Reader::Extra(_, ExtraKind::Number) => {
            let t: String = v.trim().chars().filter(|c| *c != ',').collect();
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() => Read::Value(x.to_string()),
                _ => Read::Failed("not a number".into()),
            }
        }
    }
}

/// The mapped columns: (field, names the column may have, how it is read).
fn mapping(columns: &Columns) -> Vec<(String, ColumnName, Reader)> {
    let mut m: Vec<(String, ColumnName, Reader)> = Vec::new();
    let mut one = |field: &str, c: &Option<ColumnName>, r: Reader| {
        if let Some(c) = c {
            m.push((field.to_string(), c.clone(), r));
        }
    };
    one("id", &columns.id, Reader::Id);
    one("full_name", &columns.full_name, Reader::FullName);
    one("forename", &columns.forename, Reader::Forename);
    one("middle_names", &columns.middle_names, Reader::Name);
    one("surname", &columns.surname, Reader::Name);
    one("dob", &columns.dob, Reader::Dob);
    one("nino", &columns.nino, Reader::Nino);
    one("postcode", &columns.postcode, Reader::Postcode);
    one("uprn", &columns.uprn, Reader::Uprn);
    one("phone", &columns.phone, Reader::Phone);
    one("email", &columns.email, Reader::Email);
    for (i, e) in columns.extra.iter().enumerate() {
        m.push((e.name(), e.column(), Reader::Extra(i, e.kind())));
    }
    m
}

struct Opened {
    file: String,
    header: Vec<String>,
    rdr: csv::Reader<std::fs::File>,
}

fn open(path: &Path) -> Result<Opened, LinkError> {
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
    Ok(Opened { file, header, rdr })
}

fn position(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n.trim())))
}

/// Read and standardise `paths` as `columns` maps them. Values that fail a
/// UK check (a postcode, an NI number, a phone number) are kept as plain
/// text; values that cannot be read at all (a date no format fits) are left
/// blank; both are counted per column. A mapped column more than half of
/// whose filled values are left blank is an error naming it, unless
/// `columns.allow_unusable`.
pub fn read(paths: &[&Path], columns: &Columns) -> Result<Input, LinkError> {
    let mut opened = paths
        .iter()
        .map(|p| open(p))
        .collect::<Result<Vec<_>, _>>()?;
    let map = mapping(columns);
    // A column no file has is a mistake; one only some files have (two
    // files of different shapes) is blank in the others, and said so.
    let mut checks: Vec<(String, ColumnName)> =
        map.iter().map(|(f, c, _)| (f.clone(), c.clone())).collect();
    for a in &columns.address {
        checks.push(("address".into(), ColumnName::One(a.clone())));
    }
    for (field, names) in &checks {
        let found = opened
            .iter()
            .any(|o| position(&o.header, &names.names()).is_some());
        if !found
            || (field == "id"
                && opened
                    .iter()
                    .any(|o| position(&o.header, &names.names()).is_none()))
        {
            let o = opened
                .iter()
                .find(|o| position(&o.header, &names.names()).is_none())
                .unwrap_or(&opened[0]);
            return Err(LinkError::Input {
                file: o.file.clone(),
                problem: format!(
                    "the config maps column '{names}' ({field}), which the file does not have (it has: {})",
                    o.header.join(", ")
                ),
            });
        }
    }
    let mut records = Vec::new();
    let mut warnings = Vec::new();
    let mut summaries = Vec::new();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let several = paths.len() > 1;
    for (dataset, o) in opened.iter_mut().enumerate() {
        let file = o.file.clone();
        let cols: Vec<Option<usize>> = map
            .iter()
            .map(|(_, names, _)| position(&o.header, &names.names()))
            .collect();
        let address: Vec<usize> = columns
            .address
            .iter()
            .filter_map(|a| position(&o.header, &[a.as_str()]))
            .collect();
        let mut sums: Vec<ColumnSummary> = map
            .iter()
            .zip(&cols)
            .map(|((field, _, _), c)| ColumnSummary {
                file: file.clone(),
                field: field.clone(),
                column: c.map(|c| o.header[c].clone()).unwrap_or_default(),
                ..ColumnSummary::default()
            })
            .collect();
        for (n, row) in o.rdr.records().enumerate() {
            let row_no = n as u64 + 1;
            let row = row.map_err(|e| LinkError::Input {
                file: file.clone(),
                problem: format!("row {row_no}: {e}"),
            })?;
            let mut r = Record {
                dataset: dataset as u8,
                extra: vec![None; columns.extra.len()],
                ..Record::default()
            };
            let mut key = row_no.to_string();
            for (k, ((_, _, reader), c)) in map.iter().zip(&cols).enumerate() {
                let Some(c) = *c else { continue };
                let raw = row.get(c).unwrap_or("");
                let sum = &mut sums[k];
                let value = match read_value(*reader, raw, &columns.date_formats) {
                    Read::Blank => continue,
                    Read::Value(v) => {
                        sum.filled += 1;
                        sum.read += 1;
                        v
                    }
                    Read::Text(v, why) => {
                        sum.filled += 1;
                        sum.kept_as_text += 1;
                        note(
                            sum,
                            &mut warnings,
                            row_no,
                            raw,
                            format!("{why}; kept as text"),
                        );
                        v
                    }
                    Read::Failed(why) => {
                        sum.filled += 1;
                        sum.blanked += 1;
                        note(
                            sum,
                            &mut warnings,
                            row_no,
                            raw,
                            format!("{why}; left blank"),
                        );
                        continue;
                    }
                };
                match *reader {
                    Reader::Id => key = value,
                    Reader::FullName => {
                        let parts = std_::full_name(raw);
                        r.forename = parts.forename.or(r.forename);
                        r.middle_names = parts.middle_names.or(r.middle_names);
                        r.surname = parts.surname.or(r.surname);
                    }
                    Reader::Forename => r.forename = Some(value),
                    Reader::Name => {
                        // middle_names or surname, in mapping order.
                        if map[k].0 == "middle_names" {
                            r.middle_names = Some(value);
                        } else {
                            r.surname = Some(value);
                        }
                    }
                    Reader::Dob => {
                        r.dob = chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok()
                    }
                    Reader::Nino => r.nino = Some(value),
                    Reader::Postcode => r.postcode = Some(value),
                    Reader::Uprn => r.uprn = Some(value),
                    Reader::Phone => r.phone = Some(value),
                    Reader::Email => r.email = Some(value),
                    Reader::Extra(i, _) => r.extra[i] = Some(value),
                }
            }
            r.id = if several {
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
            let lines: Vec<&str> = address.iter().map(|&c| row.get(c).unwrap_or("")).collect();
            r.address = std_::address(&lines);
            records.push(r);
        }
        for s in &sums {
            if s.mostly_unusable() && !columns.allow_unusable {
                let (example, why) = s.examples.first().cloned().unwrap_or_default();
                return Err(LinkError::Unusable(Box::new(UnusableColumn {
                    file: file.clone(),
                    column: s.column.clone(),
                    field: s.field.clone(),
                    blanked: s.blanked,
                    filled: s.filled,
                    example,
                    why,
                })));
            }
        }
        summaries.extend(sums);
    }
    Ok(Input {
        records,
        warnings,
        columns: summaries,
    })
}

/// Count a value that was not read as expected: a few examples per column
/// (distinct values), and a few warnings with their rows.
fn note(
    sum: &mut ColumnSummary,
    warnings: &mut Vec<(String, u64, String, String)>,
    row: u64,
    raw: &str,
    why: String,
) {
    const EXAMPLES: usize = 3;
    let raw = raw.trim();
    if sum.examples.len() < EXAMPLES && !sum.examples.iter().any(|(v, _)| v == raw) {
        sum.examples.push((raw.to_string(), why.clone()));
        warnings.push((sum.file.clone(), row, sum.column.clone(), why));
    }
}

/// `columns.csv`: what became of every mapped column of every file.
pub fn write_columns(out: &Path, columns: &[ColumnSummary]) -> Result<(), LinkError> {
    std::fs::create_dir_all(out).map_err(|e| LinkError::Io {
        file: out.display().to_string(),
        source: e,
    })?;
    let path = out.join("columns.csv");
    let fail = |e: csv::Error| LinkError::Input {
        file: path.display().to_string(),
        problem: format!("cannot write: {e}"),
    };
    let mut w = csv::Writer::from_path(&path).map_err(fail)?;
    w.write_record([
        "file",
        "field",
        "column",
        "filled",
        "read",
        "kept_as_text",
        "left_blank",
        "examples",
    ])
    .map_err(fail)?;
    for c in columns {
        let examples: Vec<String> = c
            .examples
            .iter()
            .map(|(v, why)| format!("'{v}': {why}"))
            .collect();
        w.write_record([
            c.file.as_str(),
            &c.field,
            if c.column.is_empty() {
                "(none in this file)"
            } else {
                &c.column
            },
            &c.filled.to_string(),
            &c.read.to_string(),
            &c.kept_as_text.to_string(),
            &c.blanked.to_string(),
            &examples.join("; "),
        ])
        .map_err(fail)?;
    }
    w.flush().map_err(|e| LinkError::Io {
        file: path.display().to_string(),
        source: e,
    })
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
