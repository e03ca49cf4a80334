//! Reading one extract file as its declaration describes it.
//!
//! A file is refused as a whole (an `IngestError`, nothing kept) when it
//! cannot be trusted as a whole: unreadable, wrongly encoded, structurally
//! broken CSV, or a header that does not match the declaration. Otherwise
//! each row is mapped on its own: a row (or one person in it) that cannot be
//! loaded goes to quarantine with its row number, column and reason, and the
//! rest of the file still loads.

use crate::declaration::{AttributeDecl, AttributeType, Declaration, Format, Kind, PersonDecl};
use crate::gazetteer::{self, GazetteerRow};
use crate::standardise::{self, NameParts};
use crate::{PersonRecord, Quarantined};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// What one file gave: the records to store and the rows that were not loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    /// The declaration's name.
    pub source: String,
    /// The file's name, without its folder.
    pub file_name: String,
    /// Hex SHA-256 of the file's bytes, to recognise a file seen before.
    pub sha256: String,
    /// From the last `YYYY-MM-DD` or `YYYY-MM` (first of the month) in the file name.
    pub extract_date: Option<NaiveDate>,
    /// Data rows read (wholly blank rows are skipped and not counted).
    pub rows: u64,
    /// (data row number, record), in file order; a row may give several records.
    pub records: Vec<(u64, PersonRecord)>,
    /// A gazetteer's rows: (data row number, LPI), in file order.
    pub lpis: Vec<(u64, GazetteerRow)>,
    pub quarantine: Vec<Quarantined>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: the file is empty: there is no header row")]
    Empty { file: String },
    #[error("{file}: header does not match the {declaration} declaration: {}", header_problems(.missing, .unexpected))]
    Header {
        file: String,
        declaration: String,
        /// Columns the declaration reads that the file lacks (as declared).
        missing: Vec<String>,
        /// Columns in the file the declaration neither reads nor ignores (as in the file).
        unexpected: Vec<String>,
    },
    #[error("{file}: cannot be read as {encoding} text: {detail}")]
    Encoding {
        file: String,
        encoding: String,
        detail: String,
    },
    #[error("{file}: data row {row} is broken, so the whole file is refused: {detail}")]
    Csv {
        file: String,
        row: u64,
        detail: String,
    },
    #[error("{file}: cannot read the spreadsheet: {detail}")]
    Xlsx { file: String, detail: String },
}

fn header_problems(missing: &[String], unexpected: &[String]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing columns: {}", missing.join(", ")));
    }
    if !unexpected.is_empty() {
        parts.push(format!(
            "unexpected columns: {} (add them to the declaration, or to its ignore list)",
            unexpected.join(", ")
        ));
    }
    parts.join("; ")
}

/// Read the file at `path` as `decl` describes it.
pub fn read_file(decl: &Declaration, path: &Path) -> Result<ParsedFile, IngestError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        file: file_name.clone(),
        source,
    })?;
    read_bytes(decl, &file_name, &bytes)
}

/// Read a file's bytes (e.g. an upload) as `decl` describes it; `file_name`
/// names it in messages and gives the extract date.
pub fn read_bytes(
    decl: &Declaration,
    file_name: &str,
    bytes: &[u8],
) -> Result<ParsedFile, IngestError> {
    let mut out = ParsedFile {
        source: decl.name.clone(),
        file_name: file_name.to_string(),
        sha256: sha256_hex(bytes),
        extract_date: extract_date(file_name),
        rows: 0,
        records: Vec::new(),
        lpis: Vec::new(),
        quarantine: Vec::new(),
    };
    match decl.format {
        Format::Csv => read_csv(decl, bytes, &mut out)?,
        Format::Xlsx => read_xlsx(decl, bytes, &mut out)?,
    }
    Ok(out)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// The last `YYYY-MM-DD` or `YYYY-MM` in a file name (a month means its
/// first day), not part of a longer run of digits.
pub fn extract_date(file_name: &str) -> Option<NaiveDate> {
    let b = file_name.as_bytes();
    let digits = |at: usize, n: usize| -> Option<u32> {
        let s = b.get(at..at + n)?;
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        s.iter()
            .try_fold(0u32, |acc, d| Some(acc * 10 + u32::from(d - b'0')))
    };
    let boundary = |at: usize| b.get(at).is_none_or(|c| !c.is_ascii_digit());
    let mut found = None;
    let mut i = 0;
    while i + 7 <= b.len() {
        let start_ok = i == 0 || !b[i - 1].is_ascii_digit();
        if let (true, Some(y), Some(b'-'), Some(m)) =
            (start_ok, digits(i, 4), b.get(i + 4), digits(i + 5, 2))
        {
            let day = match (b.get(i + 7), digits(i + 8, 2)) {
                (Some(b'-'), Some(d)) if boundary(i + 10) => Some((d, i + 10)),
                _ if boundary(i + 7) => Some((1, i + 7)),
                _ => None,
            };
            if let Some((d, end)) = day {
                if let Some(date) = i32::try_from(y)
                    .ok()
                    .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
                {
                    found = Some(date);
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    found
}

// ---------------------------------------------------------------- decoding

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn decode<'a>(
    decl: &Declaration,
    file: &str,
    bytes: &'a [u8],
) -> Result<Cow<'a, str>, IngestError> {
    use crate::declaration::Encoding;
    // A UTF-8 byte-order mark is unambiguous, whatever the declaration says.
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return utf8(decl, file, rest);
    }
    match decl.encoding {
        Encoding::Utf8 => utf8(decl, file, bytes),
        // Every byte has a meaning in Windows-1252, so this cannot fail.
        Encoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0),
        // ISO-8859-1 is the first 256 code points, byte for byte.
        Encoding::Iso8859_1 => Ok(Cow::Owned(bytes.iter().map(|&b| b as char).collect())),
    }
}

fn utf8<'a>(decl: &Declaration, file: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>, IngestError> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        let hint = if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            "the file looks like UTF-16 (\"Unicode text\"); export it as CSV UTF-8".to_string()
        } else {
            format!(
                "if {} exports Windows text, set encoding = \"windows-1252\" in its declaration",
                decl.title
            )
        };
        IngestError::Encoding {
            file: file.to_string(),
            encoding: decl.encoding.as_str().to_string(),
            detail: format!("invalid byte at line {line} (byte {at}); {hint}"),
        }
    })
}

// ---------------------------------------------------------------- CSV and XLSX

/// A row's cells, however the file format holds them.
trait Cells {
    /// The cell's text, or "" beyond the end of the row.
    fn cell(&self, i: usize) -> &str;
    fn is_blank(&self) -> bool;
}

impl Cells for csv::StringRecord {
    fn cell(&self, i: usize) -> &str {
        self.get(i).unwrap_or("")
    }
    fn is_blank(&self) -> bool {
        self.iter().all(|c| c.trim().is_empty())
    }
}

impl Cells for [String] {
    fn cell(&self, i: usize) -> &str {
        self.get(i).map(String::as_str).unwrap_or("")
    }
    fn is_blank(&self) -> bool {
        self.iter().all(|c| c.trim().is_empty())
    }
}

fn read_csv(decl: &Declaration, bytes: &[u8], out: &mut ParsedFile) -> Result<(), IngestError> {
    let file = out.file_name.clone();
    let text = decode(decl, &file, bytes)?;
    // `delimiter` is checked to be ASCII when the declaration is loaded.
    let delimiter = u8::try_from(u32::from(decl.delimiter)).unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let csv_err = |row: u64, e: csv::Error| IngestError::Csv {
        file: file.clone(),
        row,
        detail: csv_detail(&e),
    };
    if !rdr.read_record(&mut record).map_err(|e| csv_err(0, e))? {
        return Err(IngestError::Empty { file: file.clone() });
    }
    let header: Vec<String> = record.iter().map(|h| h.trim().to_string()).collect();
    let plan = AnyPlan::new(decl, &file, &header)?;
    // Roughly one record per line: reserving up front saves copying a large
    // vector of records as it grows.
    let lines = text.as_bytes().iter().filter(|b| **b == b'\n').count();
    out.records.reserve(lines);
    let mut row = 0u64;
    // Any broken row refuses the whole file, so keep nothing until the end.
    while rdr
        .read_record(&mut record)
        .map_err(|e| csv_err(row + 1, e))?
    {
        row += 1;
        plan.row(row, &record, out);
    }
    Ok(())
}

fn csv_detail(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let line = pos
                .as_ref()
                .map(|p| format!(" (line {})", p.line()))
                .unwrap_or_default();
            format!("it has {len} fields where the header has {expected_len}{line}; is a value with a comma not in quotes?")
        }
        _ => e.to_string(),
    }
}

fn read_xlsx(decl: &Declaration, bytes: &[u8], out: &mut ParsedFile) -> Result<(), IngestError> {
    use calamine::{Reader, Xlsx};
    let file = out.file_name.clone();
    let xerr = |detail: String| IngestError::Xlsx {
        file: file.clone(),
        detail,
    };
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| xerr(format!("not an .xlsx workbook ({e})")))?;
    let names = book.sheet_names();
    let sheet = match &decl.sheet {
        // Sheet names are matched case-insensitively, as Excel itself does.
        Some(want) => names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(want.trim()))
            .cloned()
            .ok_or_else(|| {
                xerr(format!(
                    "no sheet named `{want}`; the workbook has: {}",
                    names.join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| xerr("the workbook has no sheets".into()))?,
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| xerr(format!("sheet `{sheet}`: {e}")))?;
    let mut rows = range.rows();
    let Some(first) = rows.next() else {
        return Err(IngestError::Empty { file: file.clone() });
    };
    let date_format = decl.date_formats.first().map(String::as_str);
    let header: Vec<String> = first
        .iter()
        .map(|c| cell_text(c, None).trim().to_string())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(IngestError::Empty { file: file.clone() });
    }
    let plan = AnyPlan::new(decl, &file, &header)?;
    let mut cells: Vec<String> = Vec::with_capacity(header.len());
    for (i, r) in rows.enumerate() {
        cells.clear();
        cells.extend(r.iter().map(|c| cell_text(c, date_format)));
        plan.row(i as u64 + 1, cells.as_slice(), out);
    }
    Ok(())
}

/// A spreadsheet cell as the text a CSV export would have held. Date cells
/// are written in the source's first date format (ISO if it has none), so
/// they read back with its `date_formats` and their original text looks as
/// the system's own CSV export would.
fn cell_text(d: &calamine::Data, date_format: Option<&str>) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
                .and_then(|date| date.and_hms_opt(u32::from(h), u32::from(mi), u32::from(s)))
                .map(|t| date_text(t, date_format))
                .unwrap_or_else(|| float_text(dt.as_f64()))
        }
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::DateTimeIso(s) => chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .or_else(|| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
            .map(|t| date_text(t, date_format))
            .unwrap_or_else(|| s.clone()),
        Data::Error(e) => e.to_string(),
    }
}

fn date_text(t: chrono::NaiveDateTime, date_format: Option<&str>) -> String {
    use std::fmt::Write as _;
    let iso = || {
        if t.time() == chrono::NaiveTime::MIN {
            t.date().to_string()
        } else {
            t.format("%Y-%m-%dT%H:%M:%S").to_string()
        }
    };
    let Some(f) = date_format else {
        return iso();
    };
    // Patterns are checked when the declaration loads; still, never panic.
    let mut out = String::new();
    match write!(out, "{}", t.format(f)) {
        Ok(()) => out,
        Err(_) => iso(),
    }
}

/// Integral numbers without a trailing ".0" (account numbers, counts).
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

// ---------------------------------------------------------------- mapping

/// A row's standardised values that every person in it shares.
#[derive(Debug, Clone, Default)]
struct RowValues {
    address: Option<String>,
    postcode: Option<String>,
    uprn: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    attributes: BTreeMap<String, String>,
}

/// A column of the file: its position and its name as the file spells it.
#[derive(Debug, Clone)]
struct Col {
    idx: usize,
    name: String,
}

struct PersonPlan<'d> {
    decl: &'d PersonDecl,
    title: Option<Col>,
    forename: Option<Col>,
    forenames: Option<Col>,
    middle_names: Option<Col>,
    surname: Option<Col>,
    full_name: Option<Col>,
    dob: Option<Col>,
    nino: Option<Col>,
    /// The person's own columns, for `original`.
    own: Vec<Col>,
}

/// The declaration resolved against one file's header.
struct Plan<'d> {
    decl: &'d Declaration,
    key: Vec<Col>,
    event_date: Option<Col>,
    address: Vec<Col>,
    postcode: Option<Col>,
    uprn: Option<Col>,
    phone: Option<Col>,
    email: Option<Col>,
    attributes: Vec<(Col, &'d AttributeDecl)>,
    persons: Vec<PersonPlan<'d>>,
    /// Row-level columns every person's `original` holds.
    row_cols: Vec<Col>,
}

/// How rows become what a source holds: people, or a gazetteer's LPIs.
/// One is made per file, so the difference in their sizes costs nothing.
#[allow(clippy::large_enum_variant)]
enum AnyPlan<'d> {
    People(Plan<'d>),
    Gazetteer(GazetteerPlan<'d>),
}

impl<'d> AnyPlan<'d> {
    fn new(decl: &'d Declaration, file: &str, header: &[String]) -> Result<Self, IngestError> {
        Ok(match decl.kind {
            Kind::People => AnyPlan::People(Plan::new(decl, file, header)?),
            Kind::Gazetteer => AnyPlan::Gazetteer(GazetteerPlan::new(decl, file, header)?),
        })
    }

    fn row<C: Cells + ?Sized>(&self, row: u64, cells: &C, out: &mut ParsedFile) {
        match self {
            AnyPlan::People(p) => p.row(row, cells, out),
            AnyPlan::Gazetteer(g) => g.row(row, cells, out),
        }
    }
}

/// A gazetteer declaration resolved against one file's header: where each
/// BS 7666 field is (none for a field the export lacks).
struct GazetteerPlan<'d> {
    decl: &'d Declaration,
    /// (field, column position and name as the file spells it).
    columns: HashMap<&'static str, (usize, String)>,
}

impl<'d> GazetteerPlan<'d> {
    fn new(decl: &'d Declaration, file: &str, header: &[String]) -> Result<Self, IngestError> {
        let index = check_header(decl, file, header)?;
        let columns = gazetteer::FIELDS
            .iter()
            .filter_map(|(field, _)| {
                let column = decl.gazetteer_column(field)?;
                let i = *index.get(&column.trim().to_lowercase())?;
                Some((*field, (i, header.get(i).cloned().unwrap_or_default())))
            })
            .collect();
        Ok(GazetteerPlan { decl, columns })
    }

    fn row<C: Cells + ?Sized>(&self, row: u64, cells: &C, out: &mut ParsedFile) {
        if cells.is_blank() {
            return;
        }
        out.rows += 1;
        let get = |field: &str| -> String {
            self.columns
                .get(field)
                .map(|(i, _)| cells.cell(*i).to_string())
                .unwrap_or_default()
        };
        match gazetteer::read_row(&get, &self.decl.date_formats) {
            Ok(lpi) => out.lpis.push((row, lpi)),
            Err((field, reason)) => out.quarantine.push(Quarantined {
                row,
                field: self
                    .columns
                    .get(field)
                    .map(|(_, name)| name.clone())
                    .unwrap_or_else(|| field.to_string()),
                value: get(field),
                reason,
            }),
        }
    }
}

/// Check a file's header against the declaration: every column it reads is
/// there, and every other column is one it ignores. Gives each column's
/// position by its lower-cased name.
fn check_header(
    decl: &Declaration,
    file: &str,
    header: &[String],
) -> Result<HashMap<String, usize>, IngestError> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut unexpected = Vec::new();
    let ignored: Vec<String> = decl
        .ignore
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    let used: Vec<String> = decl
        .used_columns()
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    for (i, h) in header.iter().enumerate() {
        // A column with no heading cannot be mapped; spreadsheets often
        // carry such empty columns after the last real one.
        if h.is_empty() {
            continue;
        }
        let lower = h.to_lowercase();
        if index.contains_key(&lower) {
            unexpected.push(format!("{h} (a second time)"));
            continue;
        }
        if !used.contains(&lower) && !ignored.contains(&lower) {
            unexpected.push(h.clone());
        }
        index.insert(lower, i);
    }
    let missing: Vec<String> = decl
        .used_columns()
        .iter()
        .filter(|c| !index.contains_key(&c.trim().to_lowercase()))
        .map(|c| c.to_string())
        .collect();
    if !missing.is_empty() || !unexpected.is_empty() {
        return Err(IngestError::Header {
            file: file.to_string(),
            declaration: decl.name.clone(),
            missing,
            unexpected,
        });
    }
    Ok(index)
}

impl<'d> Plan<'d> {
    /// Check the header and find every declared column in it.
    fn new(decl: &'d Declaration, file: &str, header: &[String]) -> Result<Plan<'d>, IngestError> {
        let index = check_header(decl, file, header)?;
        // Every used column is in `index` now; a miss cannot happen, but
        // falls back to a column that reads as blank rather than panicking.
        let col = |name: &str| Col {
            idx: index
                .get(&name.trim().to_lowercase())
                .copied()
                .unwrap_or(usize::MAX),
            name: index
                .get(&name.trim().to_lowercase())
                .and_then(|i| header.get(*i))
                .cloned()
                .unwrap_or_else(|| name.to_string()),
        };
        let opt = |name: &Option<String>| name.as_deref().map(col);
        let f = &decl.fields;
        let key: Vec<Col> = decl.key.iter().map(|c| col(c)).collect();
        let event_date = opt(&decl.event_date);
        let address: Vec<Col> = f.address.iter().map(|c| col(c)).collect();
        let (postcode, uprn, phone, email) =
            (opt(&f.postcode), opt(&f.uprn), opt(&f.phone), opt(&f.email));
        let attributes: Vec<(Col, &AttributeDecl)> = decl
            .attributes
            .iter()
            .map(|a| (col(a.column()), a))
            .collect();
        let mut row_cols: Vec<Col> = Vec::new();
        let add = |list: &mut Vec<Col>, c: &Col| {
            if !list.iter().any(|x| x.idx == c.idx) {
                list.push(c.clone());
            }
        };
        for c in key
            .iter()
            .chain(&event_date)
            .chain(&address)
            .chain(&postcode)
            .chain(&uprn)
            .chain(&phone)
            .chain(&email)
            .chain(attributes.iter().map(|(c, _)| c))
        {
            add(&mut row_cols, c);
        }
        let persons = decl
            .persons
            .iter()
            .map(|p| {
                let c = &p.columns;
                let mut own = Vec::new();
                for (_, name) in c.iter() {
                    let cc = col(name);
                    if !row_cols.iter().any(|s| s.idx == cc.idx) {
                        add(&mut own, &cc);
                    }
                }
                PersonPlan {
                    decl: p,
                    title: opt(&c.title),
                    forename: opt(&c.forename),
                    forenames: opt(&c.forenames),
                    middle_names: opt(&c.middle_names),
                    surname: opt(&c.surname),
                    full_name: opt(&c.full_name),
                    dob: opt(&c.dob),
                    nino: opt(&c.nino),
                    own,
                }
            })
            .collect();
        Ok(Plan {
            decl,
            key,
            event_date,
            address,
            postcode,
            uprn,
            phone,
            email,
            attributes,
            persons,
            row_cols,
        })
    }

    /// Map one data row into records or quarantine.
    fn row<C: Cells + ?Sized>(&self, row: u64, cells: &C, out: &mut ParsedFile) {
        if cells.is_blank() {
            return;
        }
        out.rows += 1;
        let quarantine = |out: &mut ParsedFile, col: &Col, reason: String| {
            out.quarantine.push(Quarantined {
                row,
                field: col.name.clone(),
                value: cells.cell(col.idx).to_string(),
                reason,
            });
        };
        // Row-level problems (key, event date, attributes) make every person
        // in the row unusable, so the row is quarantined once, at the first.
        let mut key = String::new();
        for (i, c) in self.key.iter().enumerate() {
            let v = cells.cell(c.idx).trim();
            if v.is_empty() {
                quarantine(
                    out,
                    c,
                    "the key column is blank, so the record cannot be identified".into(),
                );
                return;
            }
            if i > 0 {
                key.push('/');
            }
            key.push_str(v);
        }
        let event_date = match &self.event_date {
            Some(c) => match standardise::date(cells.cell(c.idx), &self.decl.date_formats) {
                Ok(d) => d,
                Err(reason) => return quarantine(out, c, reason),
            },
            None => None,
        };
        let mut attributes = BTreeMap::new();
        for (c, a) in &self.attributes {
            match self.attribute(a, cells.cell(c.idx)) {
                Ok(Some(v)) => {
                    attributes.insert(a.name.clone(), v);
                }
                Ok(None) => {}
                Err(reason) => return quarantine(out, c, reason),
            }
        }
        // Malformed postcodes, UPRNs, phone numbers and emails do not
        // quarantine: they are often mistyped, and the row is still useful
        // without them. The standardised value is None; the original is kept.
        let std_opt = |c: &Option<Col>, f: fn(&str) -> Result<Option<String>, String>| {
            c.as_ref().and_then(|c| f(cells.cell(c.idx)).ok().flatten())
        };
        let lines: Vec<&str> = self.address.iter().map(|c| cells.cell(c.idx)).collect();
        let mut values = RowValues {
            address: standardise::address(&lines),
            postcode: std_opt(&self.postcode, standardise::postcode),
            uprn: std_opt(&self.uprn, standardise::uprn),
            phone: std_opt(&self.phone, standardise::phone),
            email: std_opt(&self.email, standardise::email),
            attributes,
        };

        for (i, p) in self.persons.iter().enumerate() {
            let text = |c: &Option<Col>| c.as_ref().map(|c| cells.cell(c.idx)).unwrap_or("");
            let identity = [
                &p.title,
                &p.forename,
                &p.forenames,
                &p.middle_names,
                &p.surname,
                &p.full_name,
                &p.dob,
                &p.nino,
            ];
            if p.decl.optional && identity.iter().all(|c| text(c).trim().is_empty()) {
                continue;
            }
            let names = self.names(p, cells);
            let dob = match &p.dob {
                Some(c) => match standardise::date(cells.cell(c.idx), &self.decl.date_formats) {
                    Ok(d) => d,
                    Err(reason) => {
                        quarantine(out, c, reason);
                        continue;
                    }
                },
                None => None,
            };
            let nino = match &p.nino {
                Some(c) => match standardise::nino(cells.cell(c.idx)) {
                    Ok(n) => n,
                    Err(reason) => {
                        quarantine(out, c, reason);
                        continue;
                    }
                },
                None => None,
            };
            let mut missing: Option<(Col, String)> = None;
            for field in &p.decl.required {
                let present = match field.as_str() {
                    "title" => names.title.is_some(),
                    "forename" => names.forename.is_some(),
                    "middle_names" => names.middle_names.is_some(),
                    "surname" => names.surname.is_some(),
                    "dob" => dob.is_some(),
                    "nino" => nino.is_some(),
                    // Shared fields: present as typed, even if malformed.
                    "address" => lines.iter().any(|l| !l.trim().is_empty()),
                    "postcode" => !text(&self.postcode).trim().is_empty(),
                    "uprn" => !text(&self.uprn).trim().is_empty(),
                    "phone" => !text(&self.phone).trim().is_empty(),
                    "email" => !text(&self.email).trim().is_empty(),
                    _ => true,
                };
                // Loading checked that every required field has a column.
                if let (false, Some(col)) = (present, self.column_of(p, field)) {
                    missing = Some((col, format!("{field} is required but blank")));
                    break;
                }
            }
            if let Some((col, reason)) = missing {
                quarantine(out, &col, reason);
                continue;
            }
            // Each person's own map of what the file said in the columns
            // that made their record.
            let original: BTreeMap<String, String> = self
                .row_cols
                .iter()
                .chain(&p.own)
                .map(|c| (c.name.clone(), cells.cell(c.idx).to_string()))
                .collect();
            // The last (usually the only) person takes the row's values.
            let shared = if i + 1 == self.persons.len() {
                std::mem::take(&mut values)
            } else {
                values.clone()
            };
            let record_key = if p.decl.role.is_empty() {
                key.clone()
            } else {
                format!("{key}/{}", p.decl.role)
            };
            out.records.push((
                row,
                PersonRecord {
                    record_key,
                    row_means: self.decl.row_means.clone(),
                    title: names.title,
                    forename: names.forename,
                    middle_names: names.middle_names,
                    surname: names.surname,
                    dob,
                    nino,
                    postcode: shared.postcode,
                    address: shared.address,
                    uprn: shared.uprn,
                    phone: shared.phone,
                    email: shared.email,
                    event_date,
                    attributes: shared.attributes,
                    original,
                },
            ));
        }
    }

    /// The person's name: a whole-name box split first, then any separate
    /// column that gives a part overrides that part.
    fn names<C: Cells + ?Sized>(&self, p: &PersonPlan, cells: &C) -> NameParts {
        let text = |c: &Option<Col>| c.as_ref().map(|c| cells.cell(c.idx));
        let mut n = text(&p.full_name)
            .map(standardise::full_name)
            .unwrap_or_default();
        if let Some(t) = text(&p.forenames) {
            // "Zainab Hafsa": the first word is the forename, the rest middle names.
            let mut words = t.split_whitespace();
            if let Some(first) = words.next().and_then(standardise::forename) {
                n.forename = Some(first);
            }
            let rest = words.collect::<Vec<_>>().join(" ");
            if let Some(m) = standardise::name(&rest) {
                n.middle_names = Some(m);
            }
        }
        if let Some(t) = text(&p.title).and_then(standardise::title) {
            n.title = Some(t);
        }
        if let Some(t) = text(&p.forename).and_then(standardise::forename) {
            n.forename = Some(t);
        }
        if let Some(t) = text(&p.middle_names).and_then(standardise::name) {
            n.middle_names = Some(t);
        }
        if let Some(t) = text(&p.surname).and_then(standardise::name) {
            n.surname = Some(t);
        }
        n
    }

    /// The column to blame when `field` is missing for person `p`.
    fn column_of(&self, p: &PersonPlan, field: &str) -> Option<Col> {
        let c = match field {
            "title" => p.title.as_ref().or(p.full_name.as_ref()),
            "forename" => p
                .forename
                .as_ref()
                .or(p.forenames.as_ref())
                .or(p.full_name.as_ref()),
            "middle_names" => p
                .middle_names
                .as_ref()
                .or(p.forenames.as_ref())
                .or(p.full_name.as_ref()),
            "surname" => p.surname.as_ref().or(p.full_name.as_ref()),
            "dob" => p.dob.as_ref(),
            "nino" => p.nino.as_ref(),
            "address" => self.address.first(),
            "postcode" => self.postcode.as_ref(),
            "uprn" => self.uprn.as_ref(),
            "phone" => self.phone.as_ref(),
            "email" => self.email.as_ref(),
            _ => None,
        };
        c.cloned()
    }

    /// An attribute's standardised value: `Ok(None)` for blank, `Err(reason)` if unusable.
    fn attribute(&self, a: &AttributeDecl, raw: &str) -> Result<Option<String>, String> {
        let v = raw.trim();
        if v.is_empty() {
            return if a.required {
                Err(format!("{} is required but blank", a.name))
            } else {
                Ok(None)
            };
        }
        let value = match a.kind {
            AttributeType::Text => v.to_string(),
            AttributeType::Money => match standardise::money_pence(v)? {
                Some(p) => p.to_string(),
                None => return Ok(None),
            },
            AttributeType::Date => match standardise::date(v, &self.decl.date_formats)? {
                Some(d) => d.to_string(),
                None => return Ok(None),
            },
            AttributeType::Integer => v
                .parse::<i64>()
                .map_err(|_| "not a whole number".to_string())?
                .to_string(),
            AttributeType::Code if a.values.is_empty() => v.to_string(),
            AttributeType::Code => a
                .values
                .iter()
                .find(|allowed| allowed.as_str() == v)
                .or_else(|| a.values.iter().find(|x| x.eq_ignore_ascii_case(v)))
                .cloned()
                .ok_or_else(|| format!("not one of the allowed values: {}", a.values.join(", ")))?,
        };
        Ok(Some(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extract_date_is_the_last_date_in_the_name() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(extract_date("council_tax_2024-01.csv"), d(2024, 1, 1));
        assert_eq!(
            extract_date("ct_2023-12-31_run_2024-02-15.csv"),
            d(2024, 2, 15)
        );
        assert_eq!(extract_date("2024-03"), d(2024, 3, 1));
        assert_eq!(extract_date("rent_2024-13.csv"), None);
        assert_eq!(extract_date("rent_12024-01.csv"), None);
        assert_eq!(extract_date("rent_2024-011.csv"), None);
        assert_eq!(extract_date("rent.csv"), None);
        assert_eq!(extract_date("r_2024-02-30.csv"), None);
    }

    #[test]
    fn sha256_is_lower_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn spreadsheet_numbers_read_as_a_csv_would_hold_them() {
        assert_eq!(float_text(40000001.0), "40000001");
        assert_eq!(float_text(1234.5), "1234.5");
        assert_eq!(float_text(-3.0), "-3");
    }
}
