//! A source declaration: the TOML file in which a council administrator,
//! without writing code, says what one system's extract looks like: which
//! files it is, how they are encoded, which columns hold which identifiers,
//! who the people in a row are, and which further columns to keep.
//!
//! Every table denies unknown keys, so a typo (`surnmae = ...`) is an error
//! naming the file and the key rather than a silently ignored column. After
//! parsing, `validate` checks what serde cannot (names, patterns, that a
//! required field has a column, ...), again naming the file and the key.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

/// The declarations shipped with Upstream, for the synthetic town's systems
/// and the council's gazetteer.
const BUILT_IN: [(&str, &str); 11] = [
    ("gazetteer", include_str!("../sources/gazetteer.toml")),
    ("council_tax", include_str!("../sources/council_tax.toml")),
    ("benefits", include_str!("../sources/benefits.toml")),
    ("rent", include_str!("../sources/rent.toml")),
    (
        "housing_register",
        include_str!("../sources/housing_register.toml"),
    ),
    ("homelessness", include_str!("../sources/homelessness.toml")),
    (
        "contact_centre",
        include_str!("../sources/contact_centre.toml"),
    ),
    ("street_scene", include_str!("../sources/street_scene.toml")),
    ("early_help", include_str!("../sources/early_help.toml")),
    (
        "adult_social_care",
        include_str!("../sources/adult_social_care.toml"),
    ),
    (
        "electoral_register",
        include_str!("../sources/electoral_register.toml"),
    ),
];

/// Person fields a `required` list may name, as standardised.
pub const PERSON_FIELDS: [&str; 6] = [
    "title",
    "forename",
    "middle_names",
    "surname",
    "dob",
    "nino",
];
/// Shared (row-level) fields a `required` list may name.
pub const SHARED_FIELDS: [&str; 5] = ["address", "postcode", "uprn", "phone", "email"];

#[derive(Debug, thiserror::Error)]
pub enum DeclarationError {
    #[error("{origin}: cannot read the declaration: {source}")]
    Io {
        origin: String,
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a value of the wrong kind; the
    /// message from the TOML parser shows the line and the key.
    #[error("{origin}: {message}")]
    Toml { origin: String, message: String },
    #[error("{origin}: {key}: {message}")]
    Invalid {
        origin: String,
        key: String,
        message: String,
    },
    #[error(
        "{first} and {second} both declare the source `{name}`; each source needs its own name"
    )]
    Duplicate {
        name: String,
        first: String,
        second: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
}

/// Text encodings councils' systems export in. ISO-8859-1 is decoded
/// exactly (byte = code point); Windows-1252 with `encoding_rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Encoding {
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    #[serde(
        rename = "windows-1252",
        alias = "cp1252",
        alias = "Windows-1252",
        alias = "WINDOWS-1252"
    )]
    Windows1252,
    #[serde(
        rename = "iso-8859-1",
        alias = "latin1",
        alias = "latin-1",
        alias = "ISO-8859-1"
    )]
    Iso8859_1,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Iso8859_1 => "iso-8859-1",
        }
    }
}

/// How an attribute's text is standardised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeType {
    /// Trimmed text.
    Text,
    /// Integer pence, e.g. `123450` for `1,234.50`.
    Money,
    /// ISO `YYYY-MM-DD`, read with the source's `date_formats`.
    Date,
    /// Digits (with a sign if negative).
    Integer,
    /// Trimmed; one of `values` when `values` is not empty.
    Code,
}

/// What a source's rows are: people (the default), or the council's
/// gazetteer of properties.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    People,
    Gazetteer,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// The source's name, lower_snake_case (`council_tax`).
    pub name: String,
    /// `people` (the default) or `gazetteer`.
    #[serde(default)]
    pub kind: Kind,
    /// A human title (`Council tax`).
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Glob on the file name (`*` and `?` only, case-insensitive).
    pub files: String,
    #[serde(default = "default_format")]
    pub format: Format,
    #[serde(default = "default_encoding")]
    pub encoding: Encoding,
    /// CSV only: one ASCII character.
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
    /// XLSX only: the sheet to read (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
    /// chrono patterns tried in order for every date of this source.
    #[serde(default)]
    pub date_formats: Vec<String>,
    /// What one person in a row means (`liable_person_on_account`).
    #[serde(default)]
    pub row_means: String,
    /// Columns whose values, joined with `/`, identify the record.
    #[serde(default)]
    pub key: Vec<String>,
    /// Column holding when the row's fact happened or started.
    #[serde(default)]
    pub event_date: Option<String>,
    /// Columns the file may hold that are deliberately not read.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Columns shared by every person in the row.
    #[serde(default)]
    pub fields: SharedFields,
    /// One or more people per row.
    #[serde(rename = "person", default)]
    pub persons: Vec<PersonDecl>,
    /// A gazetteer's columns: BS 7666 field to column name (see
    /// `gazetteer::FIELDS`); a field not named is read from the column of its
    /// own name, and one mapped to "" is one the export lacks.
    #[serde(default)]
    pub gazetteer: std::collections::BTreeMap<String, String>,
    /// Further columns kept, typed, as attributes of every person in the row.
    #[serde(rename = "attribute", default)]
    pub attributes: Vec<AttributeDecl>,
    /// Where the declaration came from (file path or `built-in <name>`), for messages.
    #[serde(skip)]
    pub origin: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedFields {
    /// Address line columns, in order (a single column name is also accepted).
    #[serde(default, deserialize_with = "one_or_many")]
    pub address: Vec<String>,
    pub postcode: Option<String>,
    pub uprn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonDecl {
    /// Appended to the key as `/role` when not empty (`claimant`).
    #[serde(default)]
    pub role: String,
    /// Skip the person silently when all their name, dob and NI columns are blank.
    #[serde(default)]
    pub optional: bool,
    /// Fields (see `PERSON_FIELDS`, `SHARED_FIELDS`) that must be present.
    #[serde(default)]
    pub required: Vec<String>,
    pub columns: PersonColumns,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonColumns {
    pub title: Option<String>,
    pub forename: Option<String>,
    /// One box holding forename then middle names ("Zainab Hafsa"):
    /// first word is the forename, the rest the middle names.
    pub forenames: Option<String>,
    pub middle_names: Option<String>,
    pub surname: Option<String>,
    /// One box holding a whole name ("Mrs J Smith"), split by `standardise::full_name`.
    pub full_name: Option<String>,
    pub dob: Option<String>,
    pub nino: Option<String>,
}

impl PersonColumns {
    /// (field, column) for every column given, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("title", &self.title),
            ("forename", &self.forename),
            ("forenames", &self.forenames),
            ("middle_names", &self.middle_names),
            ("surname", &self.surname),
            ("full_name", &self.full_name),
            ("dob", &self.dob),
            ("nino", &self.nino),
        ]
        .into_iter()
        .filter_map(|(f, c)| c.as_deref().map(|c| (f, c)))
    }

    /// The columns that could give `field` (a `PERSON_FIELDS` name), best first.
    pub fn sources_of(&self, field: &str) -> Vec<&str> {
        let cols: Vec<&Option<String>> = match field {
            "title" => vec![&self.title, &self.full_name],
            "forename" => vec![&self.forename, &self.forenames, &self.full_name],
            "middle_names" => vec![&self.middle_names, &self.forenames, &self.full_name],
            "surname" => vec![&self.surname, &self.full_name],
            "dob" => vec![&self.dob],
            "nino" => vec![&self.nino],
            _ => vec![],
        };
        cols.into_iter().filter_map(|c| c.as_deref()).collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeDecl {
    /// The attribute's name in `PersonRecord::attributes`, lower_snake_case.
    pub name: String,
    /// The column it is read from (default: the same as `name`).
    #[serde(default)]
    pub column: Option<String>,
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// For `code`: the allowed values (any value when empty).
    #[serde(default)]
    pub values: Vec<String>,
    /// A blank value sends the row to quarantine.
    #[serde(default)]
    pub required: bool,
}

impl AttributeDecl {
    pub fn column(&self) -> &str {
        self.column.as_deref().unwrap_or(&self.name)
    }
}

fn default_format() -> Format {
    Format::Csv
}
fn default_encoding() -> Encoding {
    Encoding::Utf8
}
fn default_delimiter() -> char {
    ','
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    match OneOrMany::deserialize(d) {
        Ok(OneOrMany::One(s)) => Ok(vec![s]),
        Ok(OneOrMany::Many(v)) => Ok(v),
        Err(_) => Err(serde::de::Error::custom(
            "expected a column name or a list of column names",
        )),
    }
}

impl Declaration {
    /// Parse and validate a declaration; `origin` names it in messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Declaration, DeclarationError> {
        let mut d: Declaration = toml::from_str(text).map_err(|e| DeclarationError::Toml {
            origin: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        d.origin = origin.to_string();
        d.validate()?;
        Ok(d)
    }

    pub fn load(path: &Path) -> Result<Declaration, DeclarationError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| DeclarationError::Io {
            origin: origin.clone(),
            source,
        })?;
        Declaration::from_toml(&text, &origin)
    }

    /// Every `*.toml` in `dir`, sorted by source name; two files declaring
    /// the same name are an error (which one wins would be a guess).
    pub fn load_dir(dir: &Path) -> Result<Vec<Declaration>, DeclarationError> {
        let io = |source| DeclarationError::Io {
            origin: dir.display().to_string(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let is_toml = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
            if is_toml && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        let mut out: Vec<Declaration> = Vec::with_capacity(paths.len());
        for path in paths {
            let d = Declaration::load(&path)?;
            if let Some(first) = out.iter().find(|o| o.name == d.name) {
                return Err(DeclarationError::Duplicate {
                    name: d.name,
                    first: first.origin.clone(),
                    second: d.origin,
                });
            }
            out.push(d);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The shipped declarations, sorted by name.
    pub fn built_in() -> Vec<Declaration> {
        let mut out: Vec<Declaration> = BUILT_IN
            .iter()
            .map(|(name, text)| {
                // Shipped text, not input: a unit test proves every one parses.
                Declaration::from_toml(text, &format!("built-in {name}"))
                    .unwrap_or_else(|e| panic!("shipped declaration is invalid: {e}"))
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// The shipped declaration's TOML text for `name`, to copy as a starting point.
    pub fn built_in_text(name: &str) -> Option<&'static str> {
        BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }

    /// Whether `file_name` (a bare name; any directory part is ignored) is one of this source's files.
    pub fn matches(&self, file_name: &str) -> bool {
        let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        glob_match(&self.files, base)
    }

    /// Every column the declaration reads, once each, in declaration order.
    pub fn used_columns(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        if self.kind == Kind::Gazetteer {
            for (field, _) in crate::gazetteer::FIELDS {
                if let Some(c) = self.gazetteer_column(field) {
                    if seen.insert(c.trim().to_lowercase()) {
                        out.push(c);
                    }
                }
            }
            return out;
        }
        let f = &self.fields;
        let all = self
            .key
            .iter()
            .map(String::as_str)
            .chain(self.event_date.as_deref())
            .chain(f.address.iter().map(String::as_str))
            .chain(f.postcode.as_deref())
            .chain(f.uprn.as_deref())
            .chain(f.phone.as_deref())
            .chain(f.email.as_deref())
            .chain(
                self.persons
                    .iter()
                    .flat_map(|p| p.columns.iter().map(|(_, c)| c)),
            )
            .chain(self.attributes.iter().map(AttributeDecl::column));
        for c in all {
            if seen.insert(c.trim().to_lowercase()) {
                out.push(c);
            }
        }
        out
    }

    /// The column a gazetteer field is read from: its mapping, or the
    /// column of its own name; `None` when mapped to "" (the export lacks it).
    pub fn gazetteer_column<'a>(&'a self, field: &'a str) -> Option<&'a str> {
        match self.gazetteer.get(field) {
            Some(c) if c.trim().is_empty() => None,
            Some(c) => Some(c.as_str()),
            None => Some(field),
        }
    }

    /// Whether any field of this source is read as a date.
    fn uses_dates(&self) -> bool {
        if self.kind == Kind::Gazetteer {
            return crate::gazetteer::DATE_FIELDS
                .iter()
                .any(|f| self.gazetteer_column(f).is_some());
        }
        self.event_date.is_some()
            || self.persons.iter().any(|p| p.columns.dob.is_some())
            || self
                .attributes
                .iter()
                .any(|a| a.kind == AttributeType::Date)
    }

    fn validate(&self) -> Result<(), DeclarationError> {
        let bad = |key: &str, message: String| DeclarationError::Invalid {
            origin: self.origin.clone(),
            key: key.to_string(),
            message,
        };
        if !is_snake(&self.name) {
            return Err(bad(
                "name",
                format!(
                    "`{}` must be lower_snake_case (letters, digits and _, starting with a letter)",
                    self.name
                ),
            ));
        }
        if self.title.trim().is_empty() {
            return Err(bad("title", "must not be blank".into()));
        }
        if self.files.trim().is_empty() {
            return Err(bad(
                "files",
                "must not be blank (e.g. \"council_tax_*.csv\")".into(),
            ));
        }
        if self.files.contains(['/', '\\']) {
            return Err(bad(
                "files",
                format!(
                    "`{}` is matched against the file name only; leave out any folder",
                    self.files
                ),
            ));
        }
        if !self.delimiter.is_ascii() || matches!(self.delimiter, '"' | '\n' | '\r') {
            return Err(bad(
                "delimiter",
                format!(
                    "`{}` cannot separate CSV columns; use one plain character such as , ; | or a tab (\"\\t\")",
                    self.delimiter.escape_default()
                ),
            ));
        }
        if self.sheet.is_some() && self.format != Format::Xlsx {
            return Err(bad("sheet", "only applies when format = \"xlsx\"".into()));
        }
        if self.sheet.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return Err(bad(
                "sheet",
                "must not be blank (leave it out to read the first sheet)".into(),
            ));
        }
        for (i, f) in self.date_formats.iter().enumerate() {
            check_date_format(f).map_err(|m| bad(&format!("date_formats[{i}]"), m))?;
        }
        if self.date_formats.is_empty() && self.uses_dates() {
            return Err(bad(
                "date_formats",
                "this source reads dates, so say how they are written, e.g. date_formats = [\"%d/%m/%Y\"]".into(),
            ));
        }
        if self.kind == Kind::Gazetteer {
            return self.validate_gazetteer();
        }
        if !self.gazetteer.is_empty() {
            return Err(bad(
                "gazetteer",
                "only applies to kind = \"gazetteer\"".into(),
            ));
        }
        if !is_snake(&self.row_means) {
            return Err(bad(
                "row_means",
                format!(
                    "`{}` must be lower_snake_case (e.g. \"liable_person_on_account\")",
                    self.row_means
                ),
            ));
        }
        if self.key.is_empty() {
            return Err(bad(
                "key",
                "name at least one column that identifies the record".into(),
            ));
        }
        for (i, c) in self.key.iter().enumerate() {
            no_blank(c).map_err(|m| bad(&format!("key[{i}]"), m))?;
        }
        if let Some(c) = &self.event_date {
            no_blank(c).map_err(|m| bad("event_date", m))?;
        }
        let f = &self.fields;
        for (i, c) in f.address.iter().enumerate() {
            no_blank(c).map_err(|m| bad(&format!("fields.address[{i}]"), m))?;
        }
        for (k, c) in [
            ("postcode", &f.postcode),
            ("uprn", &f.uprn),
            ("phone", &f.phone),
            ("email", &f.email),
        ] {
            if let Some(c) = c {
                no_blank(c).map_err(|m| bad(&format!("fields.{k}"), m))?;
            }
        }
        if self.persons.is_empty() {
            return Err(bad(
                "person",
                "declare at least one [[person]] with the columns that name them".into(),
            ));
        }
        let mut roles = HashSet::new();
        for (i, p) in self.persons.iter().enumerate() {
            let at = format!("person[{i}]");
            if !p.role.is_empty() && !is_snake(&p.role) {
                return Err(bad(
                    &format!("{at}.role"),
                    format!("`{}` must be lower_snake_case", p.role),
                ));
            }
            if self.persons.len() > 1 && p.role.is_empty() {
                return Err(bad(
                    &format!("{at}.role"),
                    "a row with more than one person needs a role for each, so their record keys differ".into(),
                ));
            }
            if !roles.insert(p.role.as_str()) {
                return Err(bad(
                    &format!("{at}.role"),
                    format!("the role `{}` is used twice", p.role),
                ));
            }
            let c = &p.columns;
            for (field, col) in c.iter() {
                no_blank(col).map_err(|m| bad(&format!("{at}.columns.{field}"), m))?;
            }
            if c.forename.is_none()
                && c.forenames.is_none()
                && c.surname.is_none()
                && c.full_name.is_none()
            {
                return Err(bad(
                    &format!("{at}.columns"),
                    "name a column for the person's name: surname, forename, forenames or full_name".into(),
                ));
            }
            if c.forename.is_some() && c.forenames.is_some() {
                return Err(bad(
                    &format!("{at}.columns"),
                    "give forename or forenames, not both".into(),
                ));
            }
            for (j, r) in p.required.iter().enumerate() {
                let key = format!("{at}.required[{j}]");
                if PERSON_FIELDS.contains(&r.as_str()) {
                    if c.sources_of(r).is_empty() {
                        return Err(bad(
                            &key,
                            format!("`{r}` is required but no column of this person gives it"),
                        ));
                    }
                } else if SHARED_FIELDS.contains(&r.as_str()) {
                    let declared = match r.as_str() {
                        "address" => !f.address.is_empty(),
                        "postcode" => f.postcode.is_some(),
                        "uprn" => f.uprn.is_some(),
                        "phone" => f.phone.is_some(),
                        _ => f.email.is_some(),
                    };
                    if !declared {
                        return Err(bad(
                            &key,
                            format!("`{r}` is required but [fields] has no {r} column"),
                        ));
                    }
                } else {
                    return Err(bad(
                        &key,
                        format!(
                            "unknown field `{r}`; expected one of {}, {}",
                            PERSON_FIELDS.join(", "),
                            SHARED_FIELDS.join(", ")
                        ),
                    ));
                }
            }
        }
        let mut names = HashSet::new();
        for (i, a) in self.attributes.iter().enumerate() {
            let at = format!("attribute[{i}]");
            if !is_snake(&a.name) {
                return Err(bad(
                    &format!("{at}.name"),
                    format!("`{}` must be lower_snake_case", a.name),
                ));
            }
            if !names.insert(a.name.as_str()) {
                return Err(bad(
                    &format!("{at}.name"),
                    format!("the attribute `{}` is declared twice", a.name),
                ));
            }
            no_blank(a.column()).map_err(|m| bad(&format!("{at}.column"), m))?;
            if !a.values.is_empty() && a.kind != AttributeType::Code {
                return Err(bad(
                    &format!("{at}.values"),
                    "only applies to type = \"code\"".into(),
                ));
            }
            if a.values.iter().any(|v| v.trim().is_empty()) {
                return Err(bad(
                    &format!("{at}.values"),
                    "a blank value is always allowed unless the attribute is required; leave \"\" out".into(),
                ));
            }
        }
        self.check_ignore()
    }
}

impl Declaration {
    /// The columns to ignore are named, and none is one the declaration reads.
    fn check_ignore(&self) -> Result<(), DeclarationError> {
        let bad = |key: String, message: String| DeclarationError::Invalid {
            origin: self.origin.clone(),
            key,
            message,
        };
        let used: HashSet<String> = self
            .used_columns()
            .iter()
            .map(|c| c.trim().to_lowercase())
            .collect();
        for (i, c) in self.ignore.iter().enumerate() {
            no_blank(c).map_err(|m| bad(format!("ignore[{i}]"), m))?;
            if used.contains(&c.trim().to_lowercase()) {
                return Err(bad(
                    format!("ignore[{i}]"),
                    format!("`{c}` is read by this declaration, so it cannot also be ignored"),
                ));
            }
        }
        Ok(())
    }

    /// A gazetteer declares its columns in `[gazetteer]` and nothing about
    /// people; every required BS 7666 field needs a column.
    fn validate_gazetteer(&self) -> Result<(), DeclarationError> {
        use crate::gazetteer::FIELDS;
        let bad = |key: &str, message: String| DeclarationError::Invalid {
            origin: self.origin.clone(),
            key: key.to_string(),
            message,
        };
        let people_only = [
            ("row_means", !self.row_means.is_empty()),
            ("key", !self.key.is_empty()),
            ("event_date", self.event_date.is_some()),
            ("person", !self.persons.is_empty()),
            ("attribute", !self.attributes.is_empty()),
            (
                "fields",
                !self.fields.address.is_empty()
                    || self.fields.postcode.is_some()
                    || self.fields.uprn.is_some()
                    || self.fields.phone.is_some()
                    || self.fields.email.is_some(),
            ),
        ];
        if let Some((key, _)) = people_only.iter().find(|(_, given)| *given) {
            return Err(bad(
                key,
                "a gazetteer holds properties, not people: map its columns in [gazetteer] instead"
                    .into(),
            ));
        }
        for (field, column) in &self.gazetteer {
            let Some((_, required)) = FIELDS.iter().find(|(f, _)| f == field) else {
                return Err(bad(
                    &format!("gazetteer.{field}"),
                    format!(
                        "unknown gazetteer field; expected one of {}",
                        FIELDS.map(|(f, _)| f).join(", ")
                    ),
                ));
            };
            if *required && column.trim().is_empty() {
                return Err(bad(
                    &format!("gazetteer.{field}"),
                    "this field is required: name the column that holds it".into(),
                ));
            }
        }
        self.check_ignore()
    }
}

fn no_blank(column: &str) -> Result<(), String> {
    if column.trim().is_empty() {
        Err("a column name must not be blank".into())
    } else {
        Ok(())
    }
}

fn is_snake(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A pattern is usable if it writes a date and reads the same date back, so
/// it needs a year, a month and a day; time fields are allowed (and ignored).
fn check_date_format(pattern: &str) -> Result<(), String> {
    let sample = NaiveDate::from_ymd_opt(2001, 2, 13).and_then(|d| d.and_hms_opt(14, 5, 6));
    let Some(sample) = sample else {
        return Err("internal: sample date".into());
    };
    let mut text = String::new();
    // Writing into a String fails (rather than panicking) on a bad specifier.
    if write!(text, "{}", sample.format(pattern)).is_err() {
        return Err(format!(
            "`{pattern}` is not a date pattern (use chrono's, e.g. %d/%m/%Y or %Y-%m-%d)"
        ));
    }
    match NaiveDate::parse_from_str(&text, pattern) {
        Ok(d) if d == sample.date() => Ok(()),
        _ => Err(format!(
            "`{pattern}` does not give a whole date: it needs a year, a month and a day (e.g. %d/%m/%Y)"
        )),
    }
}

/// Case-insensitive glob on a file name: `*` is any run of characters
/// (including none), `?` is one character; everything else is literal.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let n: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    let (mut pi, mut ni) = (0, 0);
    // Where the last `*` was, and how much of the name it has swallowed so far.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if let Some((sp, sn)) = star {
            // Let the last `*` take one more character and retry from there.
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "test_source"
title = "Test"
files = "test_*.csv"
date_formats = ["%d/%m/%Y"]
row_means = "person"
key = ["id"]
[[person]]
required = ["surname"]
[person.columns]
surname = "surname"
dob = "dob"
"#;

    fn err(text: &str) -> String {
        match Declaration::from_toml(text, "test.toml") {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_built_in_declaration_parses() {
        let all = Declaration::built_in();
        assert_eq!(all.len(), BUILT_IN.len());
        for (name, _) in BUILT_IN {
            let d = all.iter().find(|d| d.name == name).expect("declared");
            assert_eq!(d.origin, format!("built-in {name}"));
            assert!(d.matches(&format!("{name}_2024-01.csv")), "{name}");
            assert!(!d.matches(&format!("x{name}_2024-01.txt")), "{name}");
        }
    }

    #[test]
    fn a_minimal_declaration_takes_the_defaults() {
        let d = Declaration::from_toml(MINIMAL, "test.toml").expect("parses");
        assert_eq!(d.format, Format::Csv);
        assert_eq!(d.encoding, Encoding::Utf8);
        assert_eq!(d.delimiter, ',');
        assert_eq!(d.used_columns(), ["id", "surname", "dob"]);
    }

    #[test]
    fn typos_and_bad_values_name_the_file_and_the_key() {
        let e = err(&MINIMAL.replace("surname = \"surname\"", "surnmae = \"surname\""));
        assert!(e.starts_with("test.toml:") && e.contains("surnmae"), "{e}");
        let e = err(&MINIMAL.replace("files =", "fils ="));
        assert!(e.contains("fils"), "{e}");
        let e = err(&MINIMAL.replace("key = [\"id\"]", "key = []"));
        assert!(e.contains("test.toml: key:"), "{e}");
        let e = err(&MINIMAL.replace("row_means", "delimiter = \";;\"\nrow_means"));
        assert!(e.contains("delimiter"), "{e}");
        let e = err(&MINIMAL.replace("row_means", "format = \"xls\"\nrow_means"));
        assert!(e.contains("xls"), "{e}");
        let e = err(&MINIMAL.replace("row_means", "encoding = \"ebcdic\"\nrow_means"));
        assert!(e.contains("ebcdic"), "{e}");
        let e = err(&MINIMAL.replace("[\"surname\"]", "[\"surnam\"]"));
        assert!(
            e.contains("person[0].required[0]") && e.contains("surnam"),
            "{e}"
        );
        let e = err(&MINIMAL.replace("[\"surname\"]", "[\"nino\"]"));
        assert!(e.contains("person[0].required[0]"), "{e}");
        let e = err(&MINIMAL.replace("%d/%m/%Y", "%d/%m"));
        assert!(e.contains("date_formats[0]"), "{e}");
        let e = err(&MINIMAL.replace("%d/%m/%Y", "%Q"));
        assert!(e.contains("date_formats[0]"), "{e}");
        let e = err(&MINIMAL.replace("date_formats = [\"%d/%m/%Y\"]", ""));
        assert!(e.contains("date_formats"), "{e}");
        let e = err(&MINIMAL.replace("test_source", "Test Source"));
        assert!(e.contains("test.toml: name:"), "{e}");
        let e = err(&format!(
            "{MINIMAL}\n[[attribute]]\nname = \"band\"\ntype = \"colour\"\n"
        ));
        assert!(e.contains("colour"), "{e}");
        let e = err(&format!("ignore = [\"surname\"]\n{MINIMAL}"));
        assert!(e.contains("ignore[0]"), "{e}");
    }

    #[test]
    fn a_timestamp_pattern_is_a_whole_date() {
        assert!(check_date_format("%Y-%m-%dT%H:%M:%S").is_ok());
        assert!(check_date_format("%d-%b-%Y").is_ok());
        assert!(check_date_format("%Y").is_err());
    }

    #[test]
    fn glob_matches_star_and_question_mark_only() {
        assert!(glob_match("council_tax_*.csv", "council_tax_2024-01.csv"));
        assert!(glob_match("council_tax_*.csv", "COUNCIL_TAX_2024-01.CSV"));
        assert!(glob_match("council_tax_*.csv", "council_tax_.csv"));
        assert!(!glob_match(
            "council_tax_*.csv",
            "council_tax_2024-01.csv.bak"
        ));
        assert!(glob_match("rent_????-??.csv", "rent_2024-01.csv"));
        assert!(!glob_match("rent_????-??.csv", "rent_2024-1.csv"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYbc"));
        assert!(!glob_match("a*b*c", "aXXbYYbd"));
        assert!(glob_match("[x].csv", "[x].csv"), "brackets are literal");
        assert!(!glob_match("[x].csv", "x.csv"));
        assert!(glob_match("*.*", "a.b"));
        assert!(glob_match("**a", "a"));
    }
}
