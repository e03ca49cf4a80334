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

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// The column that identifies a row; row numbers are used when absent.
    pub id: Option<String>,
    pub forename: Option<String>,
    pub middle_names: Option<String>,
    pub surname: Option<String>,
    /// A whole name in one column ("Mrs J Smith"), split into parts.
    pub full_name: Option<String>,
    pub dob: Option<String>,
    #[serde(default = "default_date_formats")]
    pub date_formats: Vec<String>,
    pub nino: Option<String>,
    pub postcode: Option<String>,
    #[serde(default)]
    pub address: Vec<String>,
    pub uprn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Further columns, compared as named in `[[comparison]]` fields.
    #[serde(default)]
    pub extra: Vec<String>,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeterministicRule {
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
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
    vec!["%Y-%m-%d".into(), "%d/%m/%Y".into()]
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
            f.extend(c.extra.iter().cloned());
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
            if !["nino", "dob", "forename", "bare_name_bridge"].contains(&f.as_str()) {
                return Err(bad(format!(
                    "cluster conflict '{f}' is not one of nino, dob, forename, bare_name_bridge"
                )));
            }
        }
        if self.training.random_pairs < 1000 {
            return Err(bad("training.random_pairs must be at least 1000".into()));
        }
        Ok(())
    }
}
