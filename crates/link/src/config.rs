//! Linkage settings, read from TOML. `LinkConfig::default()` is the shipped
//! `default.toml`, so the defaults are readable and editable as a file.

use serde::Deserialize;

/// Standard fields a record can carry. Standalone CSVs map their columns to
/// these (`[columns]`) or to `extra` fields compared with `exact`/`text`.
pub const STANDARD_FIELDS: &[&str] = &[
    "forename",
    "middle_names",
    "surname",
    "dob",
    "nino",
    "postcode",
    "address",
    "uprn",
    "phone",
    "email",
];

/// Derived blocking keys, computed from standard fields.
pub const DERIVED_KEYS: &[&str] = &[
    "forename_initial",
    "forename_sound",
    "surname_sound",
    "name_sounds",
    "birth_year",
    "postcode_sector",
    "postcode_district",
    "house_number",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    #[serde(default = "default_report_threshold")]
    pub report_threshold: f64,
    /// Standalone use only: which CSV column holds which field.
    #[serde(default)]
    pub columns: Option<Columns>,
    #[serde(default)]
    pub blocking: Vec<BlockingRule>,
    #[serde(default)]
    pub comparison: Vec<ComparisonConfig>,
    #[serde(default)]
    pub deterministic: Vec<DeterministicRule>,
    #[serde(default)]
    pub cluster: ClusterConfig,
    #[serde(default)]
    pub training: TrainingConfig,
    /// How each source's address places its people in households.
    #[serde(default)]
    pub households: crate::households::HouseholdConfig,
}

/// Which CSV column holds what, for standalone use. Every key is optional.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// The column that identifies a row; row numbers are used when absent.
    pub id: Option<ColumnName>,
    pub forename: Option<ColumnName>,
    pub middle_names: Option<ColumnName>,
    pub surname: Option<ColumnName>,
    /// A whole name in one column ("Mrs J Smith"), split into parts.
    pub full_name: Option<ColumnName>,
    pub dob: Option<ColumnName>,
    /// Tried in turn on every date (dates of birth, and `date` extras);
    /// a value none fits is left blank and counted.
    #[serde(default = "default_date_formats")]
    pub date_formats: Vec<String>,
    pub nino: Option<ColumnName>,
    pub postcode: Option<ColumnName>,
    /// Address lines, joined in this order.
    #[serde(default)]
    pub address: Vec<String>,
    pub uprn: Option<ColumnName>,
    pub phone: Option<ColumnName>,
    pub email: Option<ColumnName>,
    /// Further columns, compared as `[[comparison]]` fields name them: a
    /// column's name, or `{ column = "...", name = "...", kind = "..." }` to
    /// give it another name (even a built-in field's) and say how to read it.
    #[serde(default)]
    pub extra: Vec<ExtraColumn>,
    /// A mapped column more than half of whose filled values cannot be read
    /// is an error, unless this is true (then it is a warning).
    #[serde(default)]
    pub allow_unusable: bool,
}

/// A column, or a list of names of which each file holds one (two files to
/// link often name a column differently).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ColumnName {
    One(String),
    AnyOf(Vec<String>),
}

impl ColumnName {
    pub fn names(&self) -> Vec<&str> {
        match self {
            ColumnName::One(n) => vec![n.as_str()],
            ColumnName::AnyOf(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

impl std::fmt::Display for ColumnName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.names().join(" or "))
    }
}

/// How an extra column's values are read before they are compared.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ExtraKind {
    /// Upper case, punctuation and extra spaces removed (as names are).
    #[default]
    Text,
    /// An identifier: upper case with spaces, hyphens and dots removed.
    Id,
    /// A date in one of `date_formats`.
    Date,
    /// A number.
    Number,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ExtraColumn {
    Column(String),
    Named {
        column: ColumnName,
        /// What comparisons call it; the column's name when not given.
        name: Option<String>,
        #[serde(default)]
        kind: ExtraKind,
    },
}

impl ExtraColumn {
    /// The field name comparisons and blocking rules use.
    pub fn name(&self) -> String {
        match self {
            ExtraColumn::Column(c) => c.clone(),
            ExtraColumn::Named { name: Some(n), .. } => n.clone(),
            ExtraColumn::Named { column, .. } => column
                .names()
                .first()
                .map_or_else(String::new, |s| s.to_string()),
        }
    }

    pub fn column(&self) -> ColumnName {
        match self {
            ExtraColumn::Column(c) => ColumnName::One(c.clone()),
            ExtraColumn::Named { column, .. } => column.clone(),
        }
    }

    pub fn kind(&self) -> ExtraKind {
        match self {
            ExtraColumn::Column(_) => ExtraKind::Text,
            ExtraColumn::Named { kind, .. } => *kind,
        }
    }
}

impl Columns {
    /// The names comparisons use for the extra columns, in order.
    pub fn extra_names(&self) -> Vec<String> {
        self.extra.iter().map(ExtraColumn::name).collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingRule {
    pub keys: Vec<String>,
    /// Skip this rule's blocks larger than this (the training limit when
    /// not given): a loose rule, such as an initial and a surname, then only
    /// brings together records whose names are uncommon.
    #[serde(default)]
    pub max_block: Option<usize>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ComparisonKind {
    Forename,
    Surname,
    Dob,
    Location,
    Exact,
    Text,
    /// Two dates (an extra column read as a date): same, one part
    /// different or day and month swapped, same year, different.
    Date,
    /// Two numbers: the same, within each of `within` (absolute
    /// differences, smallest first), different.
    Numeric,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonConfig {
    pub name: String,
    pub kind: ComparisonKind,
    pub fields: Vec<String>,
    #[serde(default)]
    pub tf: bool,
    /// Jaro-Winkler bands for name and text comparisons, highest first.
    #[serde(default = "default_similarity")]
    pub similarity: Vec<f64>,
    /// `numeric` only: differences that still count as close, smallest first.
    #[serde(default)]
    pub within: Vec<f64>,
    /// A value one person holds and nobody else, not even those they live
    /// with (an NI number, a social security number, a patient number).
    /// Agreeing on it lets overwhelming evidence through the guard's
    /// forename and date-of-birth checks (see `[cluster] overwhelming`).
    #[serde(default)]
    pub identifier: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeterministicRule {
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    #[serde(default)]
    pub conflicts: Vec<String>,
    /// Sources whose records always hold the person's current address: two
    /// such records live at different properties at the same time are two people.
    #[serde(default)]
    pub address_sources: Vec<String>,
    /// Sources in which a person holds one record at a time: two such records
    /// live at the same time are two people.
    #[serde(default)]
    pub one_at_a_time: Vec<String>,
    /// Two groups are never joined while any compared pair between them has
    /// a match probability below this (0 turns the check off).
    #[serde(default)]
    pub veto_below: f64,
    /// A record giving only a name is left on its own when another person
    /// fits it within this much weight of the person it joined (unset: off).
    #[serde(default)]
    pub ambiguous_margin: Option<f32>,
    /// A pair this many bits of weight above the threshold's, agreeing on
    /// an identifier (a comparison with `identifier = true`) and exactly
    /// on at least `overwhelming_agreements` strong fields, is not kept
    /// apart by one replaced forename or date of birth. Unset: off.
    #[serde(default)]
    pub overwhelming: Option<f64>,
    #[serde(default = "default_overwhelming_agreements")]
    pub overwhelming_agreements: usize,
    /// An identifier agreeing (a comparison with `identifier = true`)
    /// outweighs one of forename and date of birth disagreeing while the
    /// other agrees. Off unless set.
    #[serde(default)]
    pub identifier_outweighs_one: bool,
    /// Linking two files: two records that are each other's best match,
    /// both still on their own, are not kept apart by a forename or date of
    /// birth. Off unless set.
    #[serde(default)]
    pub unrivalled: bool,
    /// When the data holds almost no housemates (`Model::no_housemates`),
    /// a pair at the same property is not kept apart by a forename or date
    /// of birth. Off unless set.
    #[serde(default)]
    pub no_housemates_no_twins: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            conflicts: Vec::new(),
            address_sources: Vec::new(),
            one_at_a_time: Vec::new(),
            veto_below: 0.0,
            ambiguous_margin: None,
            overwhelming: None,
            overwhelming_agreements: default_overwhelming_agreements(),
            identifier_outweighs_one: false,
            unrivalled: false,
            no_housemates_no_twins: false,
        }
    }
}

fn default_overwhelming_agreements() -> usize {
    3
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    #[serde(default = "default_random_pairs")]
    pub random_pairs: usize,
    #[serde(default = "default_iterations")]
    pub max_iterations: usize,
    #[serde(default = "default_max_block")]
    pub max_block_size: usize,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        TrainingConfig {
            random_pairs: default_random_pairs(),
            max_iterations: default_iterations(),
            max_block_size: default_max_block(),
        }
    }
}

fn default_threshold() -> f64 {
    0.5
}
fn default_report_threshold() -> f64 {
    0.5
}
fn default_similarity() -> Vec<f64> {
    vec![0.92, 0.85]
}
fn default_date_formats() -> Vec<String> {
    vec!["%Y-%m-%d".into(), "%d/%m/%Y".into(), "%Y%m%d".into()]
}
fn default_random_pairs() -> usize {
    2_000_000
}
fn default_iterations() -> usize {
    40
}
fn default_max_block() -> usize {
    3000
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{origin}: {message}")]
    Toml { origin: String, message: String },
    #[error("{origin}: {problem}")]
    Invalid { origin: String, problem: String },
}

pub const DEFAULT_TOML: &str = include_str!("../default.toml");

impl Default for LinkConfig {
    fn default() -> Self {
        // The shipped file is tested to parse and validate.
        match Self::from_toml(DEFAULT_TOML, "built-in default.toml") {
            Ok(c) => c,
            Err(e) => panic!("the shipped default.toml is invalid: {e}"),
        }
    }
}

impl LinkConfig {
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let cfg: LinkConfig = toml::from_str(text).map_err(|e| ConfigError::Toml {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        cfg.validate(origin)?;
        Ok(cfg)
    }

    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Invalid {
            origin: origin.clone(),
            problem: format!("cannot read: {e}"),
        })?;
        Self::from_toml(&text, &origin)
    }

    /// Every field a comparison, blocking rule or deterministic rule can name.
    pub fn known_fields(&self) -> Vec<String> {
        let mut f: Vec<String> = STANDARD_FIELDS.iter().map(|s| s.to_string()).collect();
        if let Some(c) = &self.columns {
            for e in c.extra_names() {
                if !f.contains(&e) {
                    f.push(e);
                }
            }
        }
        f
    }

    fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        let bad = |problem: String| ConfigError::Invalid {
            origin: origin.to_string(),
            problem,
        };
        if !(0.0..=1.0).contains(&self.threshold) || self.threshold == 0.0 {
            return Err(bad(format!(
                "threshold must be a probability above 0 and at most 1, not {}",
                self.threshold
            )));
        }
        if !(0.0..=1.0).contains(&self.report_threshold) {
            return Err(bad("report_threshold must be between 0 and 1".into()));
        }
        let h = &self.households;
        if let Some(both) = h.lives.iter().find(|s| h.previous.contains(s)) {
            return Err(bad(format!(
                "households: source '{both}' is in both lives and previous; a source's address is one or the other"
            )));
        }
        let fields = self.known_fields();
        let known = |f: &str| fields.iter().any(|k| k == f);
        if self.comparison.is_empty() {
            return Err(bad("at least one [[comparison]] is needed".into()));
        }
        if self.comparison.len() > 15 {
            return Err(bad("at most 15 comparisons are supported".into()));
        }
        for c in &self.comparison {
            if c.fields.is_empty() {
                return Err(bad(format!("comparison '{}' names no fields", c.name)));
            }
            for f in &c.fields {
                if !known(f) {
                    return Err(bad(format!(
                        "comparison '{}': unknown field '{f}' (known: {})",
                        c.name,
                        fields.join(", ")
                    )));
                }
            }
            let expected = match c.kind {
                ComparisonKind::Location => 3,
                _ => 1,
            };
            if c.fields.len() != expected {
                return Err(bad(format!(
                    "comparison '{}' needs {expected} field(s){}",
                    c.name,
                    if expected == 3 {
                        " (uprn, address, postcode)"
                    } else {
                        ""
                    }
                )));
            }
            if c.similarity.iter().any(|s| !(0.0..=1.0).contains(s))
                || c.similarity.windows(2).any(|w| w[0] < w[1])
            {
                return Err(bad(format!(
                    "comparison '{}': similarity bands must be between 0 and 1, highest first",
                    c.name
                )));
            }
        }
        if self.blocking.is_empty() {
            return Err(bad("at least one [[blocking]] rule is needed".into()));
        }
        for b in &self.blocking {
            if b.keys.is_empty() {
                return Err(bad("a blocking rule has no keys".into()));
            }
            for k in &b.keys {
                if !known(k) && !DERIVED_KEYS.contains(&k.as_str()) {
                    return Err(bad(format!(
                        "blocking key '{k}' is neither a field nor one of {}",
                        DERIVED_KEYS.join(", ")
                    )));
                }
            }
        }
        for d in &self.deterministic {
            for f in &d.fields {
                if !known(f) {
                    return Err(bad(format!("deterministic rule: unknown field '{f}'")));
                }
            }
        }
        for f in &self.cluster.conflicts {
            let exact_field = self.comparison.iter().any(|c| {
                matches!(
                    c.kind,
                    ComparisonKind::Exact | ComparisonKind::Text | ComparisonKind::Numeric
                ) && c.fields.iter().any(|x| x == f)
            });
            if !["nino", "dob", "forename", "bare_name_bridge"].contains(&f.as_str())
                && !exact_field
            {
                return Err(bad(format!(
                    "cluster conflict '{f}' is not one of nino, dob, forename, bare_name_bridge, \
                     nor a field an exact, text or numeric comparison compares"
                )));
            }
        }
        if let Some(c) = &self.columns {
            let names = c.extra_names();
            let built_in = [
                ("forename", c.forename.is_some() || c.full_name.is_some()),
                (
                    "middle_names",
                    c.middle_names.is_some() || c.full_name.is_some(),
                ),
                ("surname", c.surname.is_some() || c.full_name.is_some()),
                ("dob", c.dob.is_some()),
                ("nino", c.nino.is_some()),
                ("postcode", c.postcode.is_some()),
                ("address", !c.address.is_empty()),
                ("uprn", c.uprn.is_some()),
                ("phone", c.phone.is_some()),
                ("email", c.email.is_some()),
            ];
            for (field, mapped) in built_in {
                if mapped && names.iter().any(|n| n == field) {
                    return Err(bad(format!(
                        "columns: '{field}' is mapped, and an extra column is called '{field}' too; \
                         comparisons would see only the extra one: give it another name with \
                         {{ column = \"...\", name = \"...\" }}"
                    )));
                }
            }
            for (i, n) in names.iter().enumerate() {
                if n.trim().is_empty() {
                    return Err(bad("an extra column has an empty name".into()));
                }
                if names[..i].contains(n) {
                    return Err(bad(format!(
                        "two extra columns are called '{n}': give one another name with \
                         {{ column = \"...\", name = \"...\" }}"
                    )));
                }
            }
        }
        for c in &self.comparison {
            if c.kind == ComparisonKind::Numeric
                && (c.within.iter().any(|w| !(w.is_finite() && *w >= 0.0))
                    || c.within.windows(2).any(|w| w[0] > w[1]))
            {
                return Err(bad(format!(
                    "comparison '{}': within must be differences of 0 or more, smallest first",
                    c.name
                )));
            }
        }
        if self
            .cluster
            .overwhelming
            .is_some_and(|o| !(o.is_finite() && o >= 0.0))
        {
            return Err(bad(
                "cluster.overwhelming must be a weight of 0 or more (bits)".into(),
            ));
        }
        if self.training.random_pairs < 1000 {
            return Err(bad("training.random_pairs must be at least 1000".into()));
        }
        Ok(())
    }
}
