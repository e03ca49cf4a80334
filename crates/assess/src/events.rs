//! The life-event library and its detection.
//!
//! The library (`events.toml`, built in; an analyst may pass their own) names
//! each event, says in plain English what it is, what it tends to do to a
//! household and which crises it can lead to, and how it is found in linked
//! records. Detection is by a handful of generic rule kinds, each
//! parameterised in the TOML, so adding or changing an event is an edit to a
//! file, not to code. See `docs/assessment.md`, "Life events".

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{AssessError, DetectedEvent, Evidence, HouseholdInput, Observation};

const BUILT_IN: &str = include_str!("../events.toml");
const BUILT_IN_NAME: &str = "events.toml (built in)";

/// The crises an event can lead to (the outcomes the risk model predicts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crisis {
    HomelessnessDuty,
    TemporaryAccommodation,
    Eviction,
    EnforcementAgent,
    CrisisSupport,
}

impl Crisis {
    pub const ALL: [Crisis; 5] = [
        Crisis::HomelessnessDuty,
        Crisis::TemporaryAccommodation,
        Crisis::Eviction,
        Crisis::EnforcementAgent,
        Crisis::CrisisSupport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Crisis::HomelessnessDuty => "homelessness_duty",
            Crisis::TemporaryAccommodation => "temporary_accommodation",
            Crisis::Eviction => "eviction",
            Crisis::EnforcementAgent => "enforcement_agent",
            Crisis::CrisisSupport => "crisis_support",
        }
    }

    /// Plain English, for pages and documents.
    pub fn label(self) -> &'static str {
        match self {
            Crisis::HomelessnessDuty => "a homelessness duty",
            Crisis::TemporaryAccommodation => "temporary accommodation",
            Crisis::Eviction => "eviction",
            Crisis::EnforcementAgent => "enforcement agent action",
            Crisis::CrisisSupport => "crisis support (a crisis grant or food bank)",
        }
    }
}

/// How a number is shown in a detail: money in pence as £1,234.56, or a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    Pence,
    Number,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

/// A dated shock to prices (an energy price cap rise, say).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shock {
    pub name: String,
    /// ISO date the new prices took effect.
    pub starts: String,
    /// How many months the shock bites for.
    pub months: u32,
    #[serde(skip)]
    starts_on: Option<NaiveDate>,
}

/// How an event is found. Record rules look at one source record at a time,
/// comparing its versions in the order they became known; household rules
/// (`calendar`, `price_shock`) look at dates alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// A record is first seen: a new account, claim or application, or one
    /// entry of an event log (a call, a job, a referral). Dated by the
    /// record's own start date, so records that were already old when the
    /// first extract arrived are not new.
    Appears {
        source: String,
        row_means: Option<String>,
        /// With `values`: only records whose first version has one of them.
        attribute: Option<String>,
        #[serde(default)]
        values: Vec<String>,
        /// Not new if an earlier record in the same source had the same
        /// value here (a council tax account reopened at the same property
        /// is not a move).
        unless_same_as_earlier: Option<String>,
        detail: Option<String>,
    },
    /// A snapshot record is missing from the latest extract: an account
    /// closed, a claim ended. Only for monthly snapshots.
    Disappears {
        source: String,
        row_means: Option<String>,
        detail: Option<String>,
    },
    /// A number moved between consecutive versions by at least
    /// `min_relative` (0.2 = a fifth) and/or `min_absolute`.
    Change {
        source: String,
        attribute: String,
        direction: Direction,
        min_relative: Option<f64>,
        min_absolute: Option<i64>,
        #[serde(default)]
        unit: Unit,
        detail: Option<String>,
    },
    /// A code took one of `values` when the previous version did not.
    Becomes {
        source: String,
        attribute: String,
        values: Vec<String>,
        /// Also count a record whose first version already has the value
        /// (a recovery stage already reached when the record was first seen).
        #[serde(default)]
        include_first: bool,
        detail: Option<String>,
    },
    /// A number went above a threshold: `above` (pence or a count), plus
    /// `times` × attribute `of` when given (8 × weekly_rent).
    Crosses {
        source: String,
        attribute: String,
        #[serde(default)]
        above: i64,
        times: Option<i64>,
        of: Option<String>,
        #[serde(default)]
        include_first: bool,
        #[serde(default)]
        unit: Unit,
        detail: Option<String>,
    },
    /// A number rose in each of `months` consecutive versions.
    Rising {
        source: String,
        attribute: String,
        months: u32,
        #[serde(default)]
        unit: Unit,
        detail: Option<String>,
    },
    /// Applies to every household while the month is one of `months`.
    Calendar {
        months: Vec<u32>,
        detail: Option<String>,
    },
    /// Applies to every household (or those with a recent record in one of
    /// `sources`) while a dated shock bites.
    PriceShock {
        shocks: Vec<Shock>,
        #[serde(default)]
        sources: Vec<String>,
        detail: Option<String>,
    },
}

impl Rule {
    fn kind(&self) -> &'static str {
        match self {
            Rule::Appears { .. } => "appears",
            Rule::Disappears { .. } => "disappears",
            Rule::Change { .. } => "change",
            Rule::Becomes { .. } => "becomes",
            Rule::Crosses { .. } => "crosses",
            Rule::Rising { .. } => "rising",
            Rule::Calendar { .. } => "calendar",
            Rule::PriceShock { .. } => "price_shock",
        }
    }

    /// The source a record rule reads; `None` for household rules.
    pub fn source(&self) -> Option<&str> {
        match self {
            Rule::Appears { source, .. }
            | Rule::Disappears { source, .. }
            | Rule::Change { source, .. }
            | Rule::Becomes { source, .. }
            | Rule::Crosses { source, .. }
            | Rule::Rising { source, .. } => Some(source),
            Rule::Calendar { .. } | Rule::PriceShock { .. } => None,
        }
    }

    fn detail(&self) -> Option<&str> {
        match self {
            Rule::Appears { detail, .. }
            | Rule::Disappears { detail, .. }
            | Rule::Change { detail, .. }
            | Rule::Becomes { detail, .. }
            | Rule::Crosses { detail, .. }
            | Rule::Rising { detail, .. }
            | Rule::Calendar { detail, .. }
            | Rule::PriceShock { detail, .. } => detail.as_deref(),
        }
    }

    /// The placeholders a detail template may use, and the default template.
    fn placeholders(&self) -> (&'static [&'static str], &'static str) {
        const REC: &[&str] = &["source", "record", "date", "attribute", "value"];
        match self {
            Rule::Appears { .. } => (REC, "{source} record {record} began on {date}"),
            Rule::Disappears { .. } => (
                &["source", "record", "date", "last_seen"],
                "{source} record {record} was last seen on {last_seen}",
            ),
            Rule::Change { .. } => (
                &[
                    "source",
                    "record",
                    "date",
                    "attribute",
                    "from",
                    "to",
                    "percent",
                ],
                "{attribute} changed from {from} to {to}",
            ),
            Rule::Becomes { .. } => (
                &["source", "record", "date", "attribute", "from", "to"],
                "{attribute} became {to} (was {from})",
            ),
            Rule::Crosses { .. } => (
                &[
                    "source",
                    "record",
                    "date",
                    "attribute",
                    "from",
                    "to",
                    "threshold",
                ],
                "{attribute} went above {threshold}: from {from} to {to}",
            ),
            Rule::Rising { .. } => (
                &[
                    "source",
                    "record",
                    "date",
                    "attribute",
                    "from",
                    "to",
                    "months",
                ],
                "{attribute} rose {months} months running, from {from} to {to}",
            ),
            Rule::Calendar { .. } => (&["date"], "the season began on {date}"),
            Rule::PriceShock { .. } => (&["date", "name", "until"], "{name}, from {date}"),
        }
    }
}

/// One life event of the library.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// lower_snake_case, unique: what detected events and features are keyed by.
    pub id: String,
    pub name: String,
    /// Plain English: what the event is and why it matters.
    pub description: String,
    /// What it tends to do to a household.
    pub impacts: Vec<String>,
    /// The crises it can lead to.
    pub crises: Vec<Crisis>,
    /// Free labels that other rules refer to (`shock`, `problem`, ...).
    #[serde(default)]
    pub tags: Vec<String>,
    /// How long after it happened the event still counts.
    pub window_months: u32,
    /// Any one of these finds the event (read separately so that an error
    /// can name the rule).
    #[serde(skip)]
    pub detect: Vec<Rule>,
}

impl EventDef {
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// The library: the events and an index of which rules read which source.
#[derive(Debug, Clone)]
pub struct EventLibrary {
    events: Vec<EventDef>,
    by_id: HashMap<String, usize>,
    /// Per source: the rules that read it and the attributes they need, so
    /// each record is offered only to its rules and each attribute of each
    /// version is looked up once, however many rules read it.
    plans: Vec<Plan>,
    household_rules: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
struct Plan {
    source: String,
    attrs: Vec<String>,
    rules: Vec<PlannedRule>,
}

/// Not an attribute slot.
const NONE: usize = usize::MAX;

#[derive(Debug, Clone, Copy)]
struct PlannedRule {
    event: usize,
    rule: usize,
    /// Slots in the plan's `attrs`: the rule's attribute, its `of`.
    attr: usize,
    of: usize,
}

impl EventLibrary {
    /// The library shipped in `crates/assess/events.toml`.
    pub fn built_in() -> EventLibrary {
        // The built-in file is tested; failing here would be a build defect.
        match EventLibrary::from_toml(BUILT_IN, BUILT_IN_NAME) {
            Ok(lib) => lib,
            Err(e) => panic!("built-in event library is invalid: {e}"),
        }
    }

    /// The built-in library's text, for an analyst to copy and edit.
    pub fn built_in_text() -> &'static str {
        BUILT_IN
    }

    /// Reads a library; errors name the file and the event or key at fault.
    pub fn from_toml(text: &str, file_name: &str) -> Result<EventLibrary, AssessError> {
        let err = |message: String| AssessError::Config {
            file: file_name.to_string(),
            message,
        };
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err(e.to_string()))?;
        for key in table.keys() {
            if key != "event" {
                return Err(err(format!(
                    "unknown key `{key}`: the file holds only [[event]] blocks"
                )));
            }
        }
        let raw = match table.get("event") {
            Some(toml::Value::Array(a)) => a.clone(),
            Some(_) => return Err(err("`event` must be a list of [[event]] blocks".into())),
            None => return Err(err("no [[event]] blocks".into())),
        };
        let mut events = Vec::with_capacity(raw.len());
        for (n, value) in raw.into_iter().enumerate() {
            let mut t = match value {
                toml::Value::Table(t) => t,
                _ => return Err(err(format!("event {}: not a table", n + 1))),
            };
            let who = match t.get("id").and_then(|v| v.as_str()) {
                Some(id) => format!("event `{id}`"),
                None => format!("event {}", n + 1),
            };
            let detect = t.remove("detect");
            let mut def: EventDef = toml::Value::Table(t)
                .try_into()
                .map_err(|e: toml::de::Error| err(format!("{who}: {}", e.message())))?;
            let rules = match detect {
                Some(toml::Value::Array(a)) => a,
                Some(_) => {
                    return Err(err(format!(
                        "{who}: `detect` must be a list of [[event.detect]] blocks"
                    )))
                }
                None => return Err(err(format!("{who}: no [[event.detect]] rule"))),
            };
            for (i, r) in rules.into_iter().enumerate() {
                let rule: Rule = r.try_into().map_err(|e: toml::de::Error| {
                    err(format!("{who}: detect rule {}: {}", i + 1, e.message()))
                })?;
                def.detect.push(rule);
            }
            validate(&mut def).map_err(|m| err(format!("{who}: {m}")))?;
            events.push(def);
        }
        let mut by_id = HashMap::new();
        let mut plans: Vec<Plan> = Vec::new();
        let mut household_rules = Vec::new();
        for (ei, e) in events.iter().enumerate() {
            if by_id.insert(e.id.clone(), ei).is_some() {
                return Err(err(format!("event `{}`: the id is used twice", e.id)));
            }
            for (ri, r) in e.detect.iter().enumerate() {
                let Some(source) = r.source() else {
                    household_rules.push((ei, ri));
                    continue;
                };
                let pi = match plans.iter().position(|p| p.source == source) {
                    Some(i) => i,
                    None => {
                        plans.push(Plan {
                            source: source.to_string(),
                            attrs: Vec::new(),
                            rules: Vec::new(),
                        });
                        plans.len() - 1
                    }
                };
                let plan = &mut plans[pi];
                let mut slot = |name: Option<&str>| match name {
                    None => NONE,
                    Some(n) => match plan.attrs.iter().position(|a| a == n) {
                        Some(i) => i,
                        None => {
                            plan.attrs.push(n.to_string());
                            plan.attrs.len() - 1
                        }
                    },
                };
                let (attr, of) = match r {
                    Rule::Appears { attribute, .. } => (slot(attribute.as_deref()), NONE),
                    Rule::Change { attribute, .. }
                    | Rule::Becomes { attribute, .. }
                    | Rule::Rising { attribute, .. } => (slot(Some(attribute)), NONE),
                    Rule::Crosses { attribute, of, .. } => {
                        (slot(Some(attribute)), slot(of.as_deref()))
                    }
                    _ => (NONE, NONE),
                };
                plan.rules.push(PlannedRule {
                    event: ei,
                    rule: ri,
                    attr,
                    of,
                });
            }
        }
        Ok(EventLibrary {
            events,
            by_id,
            plans,
            household_rules,
        })
    }

    pub fn events(&self) -> &[EventDef] {
        &self.events
    }

    pub fn get(&self, id: &str) -> Option<&EventDef> {
        self.by_id.get(id).map(|&i| &self.events[i])
    }

    /// Whether the event `id` carries `tag` (false for an unknown id).
    pub fn has_tag(&self, id: &str, tag: &str) -> bool {
        self.get(id).is_some_and(|e| e.has_tag(tag))
    }
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn validate(e: &mut EventDef) -> Result<(), String> {
    if !is_snake(&e.id) {
        return Err("`id` must be lower_snake_case".into());
    }
    if e.name.trim().is_empty() {
        return Err("`name` is empty".into());
    }
    if e.description.trim().is_empty() {
        return Err("`description` is empty".into());
    }
    if e.impacts.is_empty() || e.impacts.iter().any(|i| i.trim().is_empty()) {
        return Err("`impacts` must list at least one impact, none empty".into());
    }
    if !(1..=60).contains(&e.window_months) {
        return Err("`window_months` must be 1 to 60".into());
    }
    if let Some(t) = e.tags.iter().find(|t| !is_snake(t)) {
        return Err(format!("tag `{t}` must be lower_snake_case"));
    }
    for (i, rule) in e.detect.iter_mut().enumerate() {
        validate_rule(rule).map_err(|m| format!("detect rule {} ({}): {m}", i + 1, rule.kind()))?;
    }
    Ok(())
}

fn validate_rule(rule: &mut Rule) -> Result<(), String> {
    if let Some(s) = rule.source() {
        if !is_snake(s) {
            return Err("`source` must be a source's lower_snake_case name".into());
        }
    }
    match rule {
        Rule::Appears {
            attribute, values, ..
        } => {
            if attribute.is_some() == values.is_empty() {
                return Err("`attribute` and `values` go together".into());
            }
        }
        Rule::Disappears { .. } => {}
        Rule::Change {
            min_relative,
            min_absolute,
            ..
        } => {
            if let Some(r) = min_relative {
                if !(r.is_finite() && *r > 0.0 && *r <= 10.0) {
                    return Err("`min_relative` must be above 0 and at most 10".into());
                }
            }
            if min_absolute.is_some_and(|a| a <= 0) {
                return Err("`min_absolute` must be above 0".into());
            }
        }
        Rule::Becomes { values, .. } => {
            if values.is_empty() || values.iter().any(|v| v.is_empty()) {
                return Err("`values` must list at least one value, none empty".into());
            }
        }
        Rule::Crosses { times, of, .. } => {
            if times.is_some() != of.is_some() {
                return Err("`times` and `of` go together".into());
            }
            if times.is_some_and(|t| t <= 0) {
                return Err("`times` must be above 0".into());
            }
        }
        Rule::Rising { months, .. } => {
            if !(1..=24).contains(months) {
                return Err("`months` must be 1 to 24".into());
            }
        }
        Rule::Calendar { months, .. } => {
            if months.is_empty() || months.iter().any(|m| !(1..=12).contains(m)) {
                return Err("`months` must list months 1 to 12".into());
            }
            if months.len() == 12 {
                return Err("`months` lists every month: the event would never end".into());
            }
        }
        Rule::PriceShock { shocks, .. } => {
            if shocks.is_empty() {
                return Err("`shocks` is empty".into());
            }
            for s in shocks.iter_mut() {
                if s.name.trim().is_empty() {
                    return Err("a shock has no `name`".into());
                }
                let d = NaiveDate::parse_from_str(&s.starts, "%Y-%m-%d").map_err(|_| {
                    format!(
                        "shock `{}`: `starts` must be an ISO date (2024-10-01), not `{}`",
                        s.name, s.starts
                    )
                })?;
                if !(1..=24).contains(&s.months) {
                    return Err(format!("shock `{}`: `months` must be 1 to 24", s.name));
                }
                s.starts_on = Some(d);
            }
        }
    }
    if let Some(t) = rule.detail() {
        let (allowed, _) = rule.placeholders();
        for name in placeholders_in(t)? {
            if !allowed.contains(&name) {
                return Err(format!(
                    "`detail` uses {{{name}}}; this kind allows {}",
                    allowed
                        .iter()
                        .map(|a| format!("{{{a}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// The `{name}` placeholders in a template.
pub(crate) fn placeholders_in(t: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("`{t}`: a `{{` is not closed"))?;
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("`{t}`: a `}}` was not opened"));
    }
    Ok(out)
}

/// Fills `{name}` placeholders; `var` writes the value of a name. Names are
/// checked when a file is read, so an unknown one is left as written.
pub(crate) fn render_with(t: &str, mut var: impl FnMut(&str, &mut String) -> bool) -> String {
    let mut out = String::with_capacity(t.len() + 32);
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        if !var(name, &mut out) {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Money in pence as staff read it: £1,234.56 (and -£3.20).
pub fn pounds(pence: i64) -> String {
    let p = pence.unsigned_abs();
    let digits = (p / 100).to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 6);
    if pence < 0 {
        out.push('-');
    }
    out.push('£');
    // Thousands from the right: 1234567 → 1,234,567.
    let mut until_comma = match digits.len() % 3 {
        0 => 3,
        n => n,
    };
    for c in digits.chars() {
        if until_comma == 0 {
            out.push(',');
            until_comma = 3;
        }
        out.push(c);
        until_comma -= 1;
    }
    let cents = p % 100;
    out.push('.');
    out.push(char::from(b'0' + (cents / 10) as u8));
    out.push(char::from(b'0' + (cents % 10) as u8));
    out
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as staff read it: 3 March 2025.
pub fn long_date(d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        d.day(),
        MONTH_NAMES[d.month0() as usize],
        d.year()
    )
}

/// A month as staff read it: March 2025.
pub fn month_year(d: NaiveDate) -> String {
    format!("{} {}", MONTH_NAMES[d.month0() as usize], d.year())
}

/// A code or name in words: `single_person_discount` → "single person discount".
pub fn words(code: &str) -> String {
    let mut s = String::with_capacity(code.len());
    push_words(&mut s, code);
    s
}

fn push_words(out: &mut String, code: &str) {
    if code.is_empty() {
        out.push_str("none");
    } else {
        out.extend(code.chars().map(|c| if c == '_' { ' ' } else { c }));
    }
}

fn shown(v: i64, unit: Unit) -> String {
    match unit {
        Unit::Pence => pounds(v),
        Unit::Number => v.to_string(),
    }
}

/// The last day of `d`'s month.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

/// The end of the latest monthly extract that can be known on `as_of`: a
/// snapshot becomes known on the last day of its month.
pub fn latest_extract_end(as_of: NaiveDate) -> NaiveDate {
    if month_end(as_of) == as_of {
        as_of
    } else {
        as_of
            .with_day(1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(as_of)
    }
}

/// `d` minus whole months, saturating at the earliest date.
pub fn months_before(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// A hash of a record's source and key, eight bytes at a time: grouping
/// sorts integers, not strings. The source contributes only its length and
/// first eight bytes (enough to tell this council's sources apart); equal
/// hashes are checked against the strings, so a clash costs time, never
/// correctness.
fn record_hash(o: &Observation) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        let n = b.len().min(8);
        w[..n].copy_from_slice(&b[..n]);
        u64::from_le_bytes(w)
    };
    let src = o.source.as_bytes();
    let mut h = (word(src) ^ (src.len() as u64) << 56).wrapping_mul(K);
    let key = o.record_key.as_bytes();
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        h = (h.rotate_left(5) ^ word(c)).wrapping_mul(K);
    }
    (h.rotate_left(5) ^ word(chunks.remainder()) ^ (key.len() as u64) << 56).wrapping_mul(K)
}

fn same_record(a: &Observation, b: &Observation) -> bool {
    a.record_key == b.record_key && a.source == b.source
}

/// A household's observations known by the as-of date, grouped by record:
/// each group is one (source, record_key) with its versions in the order
/// they became known. Built once per household; detection, resilience and
/// personas all read it.
pub struct Records<'a> {
    obs: Vec<&'a Observation>,
    /// Each record's versions: a range of `obs`.
    ranges: Vec<(u32, u32)>,
}

impl<'a> Records<'a> {
    pub fn new(h: &'a HouseholdInput, as_of: NaiveDate) -> Records<'a> {
        let known = &h.observations[..h.known_by(as_of).count()];
        let mut keyed: Vec<(u64, u32)> = known
            .iter()
            .enumerate()
            .map(|(i, o)| (record_hash(o), i as u32))
            .collect();
        // Index breaks ties, so each record's versions keep their order.
        keyed.sort_unstable();
        let mut obs: Vec<&Observation> = keyed.iter().map(|&(_, i)| &known[i as usize]).collect();
        // Equal hashes must be the same record; then ranges follow the hashes.
        let collision = keyed.windows(2).any(|w| {
            w[0].0 == w[1].0 && !same_record(&known[w[0].1 as usize], &known[w[1].1 as usize])
        });
        let mut ranges = Vec::new();
        if collision {
            // Two records share a hash (vanishingly rare): sort by the strings.
            obs = known.iter().collect();
            obs.sort_by(|a, b| {
                (a.source.as_str(), a.record_key.as_str())
                    .cmp(&(b.source.as_str(), b.record_key.as_str()))
            });
            let mut start = 0;
            for i in 1..=obs.len() {
                if i == obs.len() || !same_record(obs[i], obs[start]) {
                    ranges.push((start as u32, i as u32));
                    start = i;
                }
            }
        } else {
            let mut start = 0;
            for i in 1..=keyed.len() {
                if i == keyed.len() || keyed[i].0 != keyed[start].0 {
                    ranges.push((start as u32, i as u32));
                    start = i;
                }
            }
        }
        Records { obs, ranges }
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The versions of record `i`.
    pub fn get(&self, i: usize) -> &[&'a Observation] {
        let (a, b) = self.ranges[i];
        &self.obs[a as usize..b as usize]
    }

    /// Every record's versions.
    pub fn iter(&self) -> impl Iterator<Item = &[&'a Observation]> + '_ {
        self.ranges
            .iter()
            .map(|&(a, b)| &self.obs[a as usize..b as usize])
    }

    /// The records of one source.
    pub fn of<'s>(&'s self, source: &'s str) -> impl Iterator<Item = &'s [&'a Observation]> + 's {
        self.iter().filter(move |g| g[0].source == source)
    }
}

/// When a record began: its own start date when it has one (not after it
/// was first known), else when it was first known.
pub fn record_start(g: &[&Observation]) -> NaiveDate {
    let first = g[0];
    match first.event_date {
        Some(d) if d <= first.known_on => d,
        _ => first.known_on,
    }
}

fn evidence(o: &Observation) -> Evidence {
    Evidence {
        source: o.source.clone(),
        record_key: o.record_key.clone(),
        known_on: o.known_on,
    }
}

struct Hit {
    event: usize,
    date: NaiveDate,
    person: Option<i64>,
    detail: String,
    evidence: Vec<Evidence>,
}

/// One attribute of one version, read once: its text and, if it is a
/// whole number, its value.
#[derive(Clone, Copy, Default)]
struct Val<'a> {
    s: Option<&'a str>,
    n: Option<i64>,
}

struct Ctx<'a, 'b> {
    lib: &'b EventLibrary,
    as_of: NaiveDate,
    records: &'b Records<'a>,
    hits: Vec<Hit>,
    /// Window starts by length in months, computed when first needed.
    cutoffs: [Option<NaiveDate>; 61],
}

impl Ctx<'_, '_> {
    /// Whether an event of `event` dated `date` still counts on the as-of date.
    fn in_window(&mut self, event: usize, date: NaiveDate) -> bool {
        if date > self.as_of {
            return false;
        }
        let m = self.lib.events[event].window_months.min(60) as usize;
        let cut = match self.cutoffs[m] {
            Some(c) => c,
            None => {
                let c = months_before(self.as_of, m as u32);
                self.cutoffs[m] = Some(c);
                c
            }
        };
        date > cut
    }
}

/// The life events of one household as of `as_of`, oldest first. Uses only
/// observations known by `as_of`, so adding later ones never changes it.
pub fn detect(lib: &EventLibrary, h: &HouseholdInput, as_of: NaiveDate) -> Vec<DetectedEvent> {
    detect_in(lib, &Records::new(h, as_of), as_of)
}

/// [`detect`] over records already grouped (callers that also need
/// resilience or personas group them once). `records` must have been built
/// for the same `as_of`.
pub fn detect_in(
    lib: &EventLibrary,
    records: &Records<'_>,
    as_of: NaiveDate,
) -> Vec<DetectedEvent> {
    if records.is_empty() {
        return Vec::new();
    }
    let mut ctx = Ctx {
        lib,
        as_of,
        records,
        hits: Vec::new(),
        cutoffs: [None; 61],
    };
    let mut vals: Vec<Val<'_>> = Vec::new();
    for (gi, g) in records.iter().enumerate() {
        let src = g[0].source.as_str();
        let Some(plan) = lib.plans.iter().find(|p| p.source == src) else {
            continue;
        };
        let k = plan.attrs.len();
        vals.clear();
        vals.resize(g.len() * k, Val::default());
        if k > 0 {
            for (i, o) in g.iter().enumerate() {
                for (name, v) in &o.attributes {
                    if let Some(a) = plan.attrs.iter().position(|want| want == name) {
                        if !v.is_empty() {
                            vals[i * k + a] = Val {
                                s: Some(v),
                                n: v.parse().ok(),
                            };
                        }
                    }
                }
            }
        }
        for pr in &plan.rules {
            let rule = &lib.events[pr.event].detect[pr.rule];
            record_rule(&mut ctx, pr, rule, gi, g, &vals, k);
        }
    }
    for &(ei, ri) in &lib.household_rules {
        household_rule(&mut ctx, ei, &lib.events[ei].detect[ri]);
    }
    merge(lib, ctx.hits)
}

/// One event per (event, date): two parties of one account opened on one
/// day, or a call and a referral about the same death, are one event with
/// all their evidence.
fn merge(lib: &EventLibrary, mut hits: Vec<Hit>) -> Vec<DetectedEvent> {
    hits.sort_by_key(|h| (h.event, h.date));
    let mut out: Vec<DetectedEvent> = Vec::with_capacity(hits.len());
    let mut last: Option<(usize, NaiveDate)> = None;
    for hit in hits {
        if last == Some((hit.event, hit.date)) {
            if let Some(prev) = out.last_mut() {
                if prev.person != hit.person {
                    prev.person = None;
                }
                prev.evidence.extend(hit.evidence);
            }
            continue;
        }
        last = Some((hit.event, hit.date));
        out.push(DetectedEvent {
            event: lib.events[hit.event].id.clone(),
            date: hit.date,
            person: hit.person,
            detail: hit.detail,
            evidence: hit.evidence,
        });
    }
    for e in &mut out {
        if e.evidence.len() > 1 {
            e.evidence.sort_by(|a, b| {
                (a.source.as_str(), a.record_key.as_str(), a.known_on).cmp(&(
                    b.source.as_str(),
                    b.record_key.as_str(),
                    b.known_on,
                ))
            });
            e.evidence.dedup();
        }
    }
    out.sort_by(|a, b| (a.date, a.event.as_str()).cmp(&(b.date, b.event.as_str())));
    out
}

/// Writes the placeholders every record rule offers.
fn record_var(
    out: &mut String,
    name: &str,
    o: &Observation,
    attribute: &str,
    date: NaiveDate,
) -> bool {
    match name {
        "source" => push_words(out, &o.source),
        "record" => out.push_str(&o.record_key),
        "date" => out.push_str(&long_date(date)),
        "attribute" => push_words(out, attribute),
        _ => return false,
    }
    true
}

fn template(rule: &Rule) -> &str {
    rule.detail().unwrap_or(rule.placeholders().1)
}

fn record_rule(
    ctx: &mut Ctx<'_, '_>,
    pr: &PlannedRule,
    rule: &Rule,
    gi: usize,
    g: &[&Observation],
    vals: &[Val<'_>],
    k: usize,
) {
    let ei = pr.event;
    let at = |i: usize, slot: usize| -> Val<'_> {
        if slot == NONE {
            Val::default()
        } else {
            vals[i * k + slot]
        }
    };
    match rule {
        Rule::Appears {
            row_means,
            attribute,
            values,
            unless_same_as_earlier,
            source,
            ..
        } => {
            let first = g[0];
            if row_means.as_deref().is_some_and(|r| r != first.row_means) {
                return;
            }
            let value = if attribute.is_some() {
                match at(0, pr.attr).s {
                    Some(v) if values.iter().any(|x| x == v) => v,
                    _ => return,
                }
            } else {
                ""
            };
            let date = record_start(g);
            if !ctx.in_window(ei, date) {
                return;
            }
            if let Some(key) = unless_same_as_earlier {
                if let Some(v) = first.attr(key) {
                    let records = ctx.records;
                    let seen_before = (0..records.len()).any(|oi| {
                        let o = records.get(oi);
                        oi != gi
                            && o[0].source == *source
                            && o[0].known_on < first.known_on
                            && o.iter().any(|x| x.attr(key) == Some(v))
                    });
                    if seen_before {
                        return;
                    }
                }
            }
            let attr = attribute.as_deref().unwrap_or("");
            let detail = render_with(template(rule), |name, out| {
                if name == "value" {
                    push_words(out, value);
                    return true;
                }
                record_var(out, name, first, attr, date)
            });
            ctx.hits.push(Hit {
                event: ei,
                date,
                person: Some(first.person),
                detail,
                evidence: vec![evidence(first)],
            });
        }
        Rule::Disappears { row_means, .. } => {
            let last = g[g.len() - 1];
            if row_means.as_deref().is_some_and(|r| r != last.row_means) {
                return;
            }
            if last.known_on >= latest_extract_end(ctx.as_of) {
                return;
            }
            // Missing from the first extract after its last one.
            let date = month_end(last.known_on.succ_opt().unwrap_or(last.known_on));
            if !ctx.in_window(ei, date) {
                return;
            }
            let detail = render_with(template(rule), |name, out| {
                if name == "last_seen" {
                    out.push_str(&long_date(last.known_on));
                    return true;
                }
                record_var(out, name, last, "", date)
            });
            ctx.hits.push(Hit {
                event: ei,
                date,
                person: Some(last.person),
                detail,
                evidence: vec![evidence(last)],
            });
        }
        Rule::Change {
            attribute,
            direction,
            min_relative,
            min_absolute,
            unit,
            ..
        } => {
            let mut prev: Option<(usize, i64)> = None;
            for (i, &o) in g.iter().enumerate() {
                let Some(v) = at(i, pr.attr).n else { continue };
                if let Some((pi, pv)) = prev {
                    let delta = match direction {
                        Direction::Down => pv - v,
                        Direction::Up => v - pv,
                    };
                    let relative = (pv > 0).then(|| delta as f64 / pv as f64);
                    let big_enough = delta > 0
                        && min_absolute.is_none_or(|m| delta >= m)
                        && min_relative.is_none_or(|m| relative.is_some_and(|r| r >= m));
                    if big_enough && ctx.in_window(ei, o.known_on) {
                        let detail = render_with(template(rule), |name, out| {
                            match name {
                                "from" => out.push_str(&shown(pv, *unit)),
                                "to" => out.push_str(&shown(v, *unit)),
                                "percent" => match relative {
                                    Some(r) => {
                                        out.push_str(&format!("{}%", (r * 100.0).round() as i64))
                                    }
                                    None => out.push('-'),
                                },
                                _ => return record_var(out, name, o, attribute, o.known_on),
                            }
                            true
                        });
                        ctx.hits.push(Hit {
                            event: ei,
                            date: o.known_on,
                            person: Some(o.person),
                            detail,
                            evidence: vec![evidence(g[pi]), evidence(o)],
                        });
                    }
                }
                prev = Some((i, v));
            }
        }
        Rule::Becomes {
            attribute,
            values,
            include_first,
            ..
        } => {
            let is_in = |i: usize| {
                at(i, pr.attr)
                    .s
                    .is_some_and(|v| values.iter().any(|x| x == v))
            };
            let mut was_in = false;
            for (i, &o) in g.iter().enumerate() {
                let now_in = is_in(i);
                let entered = now_in && if i == 0 { *include_first } else { !was_in };
                was_in = now_in;
                if !entered || !ctx.in_window(ei, o.known_on) {
                    continue;
                }
                let from = if i == 0 { None } else { at(i - 1, pr.attr).s };
                let to = at(i, pr.attr).s.unwrap_or("");
                let detail = render_with(template(rule), |name, out| {
                    match name {
                        "from" => push_words(out, from.unwrap_or("")),
                        "to" => push_words(out, to),
                        _ => return record_var(out, name, o, attribute, o.known_on),
                    }
                    true
                });
                let mut ev = Vec::with_capacity(2);
                if i > 0 {
                    ev.push(evidence(g[i - 1]));
                }
                ev.push(evidence(o));
                ctx.hits.push(Hit {
                    event: ei,
                    date: o.known_on,
                    person: Some(o.person),
                    detail,
                    evidence: ev,
                });
            }
        }
        Rule::Crosses {
            attribute,
            above,
            times,
            include_first,
            unit,
            ..
        } => {
            let mut prev: Option<(usize, i64)> = None;
            for (i, &o) in g.iter().enumerate() {
                let Some(v) = at(i, pr.attr).n else { continue };
                let threshold = match times {
                    Some(t) => match at(i, pr.of).n {
                        Some(x) => above.saturating_add(t.saturating_mul(x)),
                        None => {
                            prev = Some((i, v));
                            continue;
                        }
                    },
                    None => *above,
                };
                let crossed = v > threshold
                    && match prev {
                        Some((_, pv)) => pv <= threshold,
                        None => *include_first && i == 0,
                    };
                if crossed && ctx.in_window(ei, o.known_on) {
                    let detail = render_with(template(rule), |name, out| {
                        match name {
                            "from" => match prev {
                                Some((_, pv)) => out.push_str(&shown(pv, *unit)),
                                None => out.push_str("none"),
                            },
                            "to" => out.push_str(&shown(v, *unit)),
                            "threshold" => out.push_str(&shown(threshold, *unit)),
                            _ => return record_var(out, name, o, attribute, o.known_on),
                        }
                        true
                    });
                    let mut ev = Vec::with_capacity(2);
                    if let Some((pi, _)) = prev {
                        ev.push(evidence(g[pi]));
                    }
                    ev.push(evidence(o));
                    ctx.hits.push(Hit {
                        event: ei,
                        date: o.known_on,
                        person: Some(o.person),
                        detail,
                        evidence: ev,
                    });
                }
                prev = Some((i, v));
            }
        }
        Rule::Rising {
            attribute,
            months,
            unit,
            ..
        } => {
            // Runs of strict rises; one event per run long enough, dated at
            // its latest rise so it counts for as long as the rise goes on.
            // A run is (first index, its value, last index, its value, rises).
            let flush = |run: (usize, i64, usize, i64, usize), ctx: &mut Ctx<'_, '_>| {
                let (first, fv, last_i, lv, rises) = run;
                let last = g[last_i];
                if rises < *months as usize || !ctx.in_window(ei, last.known_on) {
                    return;
                }
                let detail = render_with(template(rule), |name, out| {
                    match name {
                        "from" => out.push_str(&shown(fv, *unit)),
                        "to" => out.push_str(&shown(lv, *unit)),
                        "months" => out.push_str(&rises.to_string()),
                        _ => return record_var(out, name, last, attribute, last.known_on),
                    }
                    true
                });
                ctx.hits.push(Hit {
                    event: ei,
                    date: last.known_on,
                    person: Some(last.person),
                    detail,
                    evidence: (first..=last_i)
                        .filter(|&i| at(i, pr.attr).n.is_some())
                        .map(|i| evidence(g[i]))
                        .collect(),
                });
            };
            let mut run: Option<(usize, i64, usize, i64, usize)> = None;
            for i in 0..g.len() {
                let Some(v) = at(i, pr.attr).n else { continue };
                run = match run {
                    Some((f, fv, _, lv, rises)) if v > lv => Some((f, fv, i, v, rises + 1)),
                    Some(r) => {
                        flush(r, ctx);
                        Some((i, v, i, v, 0))
                    }
                    None => Some((i, v, i, v, 0)),
                };
            }
            if let Some(r) = run {
                flush(r, ctx);
            }
        }
        Rule::Calendar { .. } | Rule::PriceShock { .. } => {}
    }
}

fn household_rule(ctx: &mut Ctx<'_, '_>, ei: usize, rule: &Rule) {
    let as_of = ctx.as_of;
    match rule {
        Rule::Calendar { months, .. } => {
            if !months.contains(&as_of.month()) {
                return;
            }
            // Back to the first month of this run of listed months.
            let mut start = as_of.with_day(1).unwrap_or(as_of);
            for _ in 0..11 {
                let Some(prev) = start.checked_sub_months(Months::new(1)) else {
                    break;
                };
                if !months.contains(&prev.month()) {
                    break;
                }
                start = prev;
            }
            if ctx.in_window(ei, start) {
                let detail = render_with(template(rule), |name, out| {
                    name == "date" && {
                        out.push_str(&long_date(start));
                        true
                    }
                });
                ctx.hits.push(Hit {
                    event: ei,
                    date: start,
                    person: None,
                    detail,
                    evidence: Vec::new(),
                });
            }
        }
        Rule::PriceShock {
            shocks, sources, ..
        } => {
            let recent_from = months_before(as_of, 2);
            let mut evid = Vec::new();
            if !sources.is_empty() {
                for s in sources {
                    for g in ctx.records.of(s) {
                        let last = g[g.len() - 1];
                        if last.known_on > recent_from {
                            evid.push(evidence(last));
                        }
                    }
                }
                if evid.is_empty() {
                    return;
                }
            }
            for s in shocks {
                let Some(start) = s.starts_on else { continue };
                let end = start
                    .checked_add_months(Months::new(s.months))
                    .unwrap_or(NaiveDate::MAX);
                if start <= as_of && as_of < end && ctx.in_window(ei, start) {
                    let until = end.pred_opt().unwrap_or(end);
                    let detail = render_with(template(rule), |name, out| {
                        match name {
                            "date" => out.push_str(&long_date(start)),
                            "name" => out.push_str(&s.name),
                            "until" => out.push_str(&long_date(until)),
                            _ => return false,
                        }
                        true
                    });
                    ctx.hits.push(Hit {
                        event: ei,
                        date: start,
                        person: None,
                        detail,
                        evidence: evid.clone(),
                    });
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HouseholdInput, Member, Observation};

    use crate::testing::{d, obs};

    fn household(mut o: Vec<Observation>) -> HouseholdInput {
        o.sort_by_key(|x| x.known_on);
        HouseholdInput {
            household: 7,
            area: None,
            members: vec![Member {
                person: 1,
                dob: None,
                first_seen: None,
            }],
            moved_in: None,
            observations: o,
        }
    }

    fn ids(ev: &[DetectedEvent]) -> Vec<&str> {
        ev.iter().map(|e| e.event.as_str()).collect()
    }

    /// Monthly rent snapshots with the given balances (pence), from April 2024.
    fn rent_months(balances: &[&str], rent: &str) -> Vec<Observation> {
        rent_months_from("2024-04-01", balances, rent)
    }

    fn rent_months_from(start: &str, balances: &[&str], rent: &str) -> Vec<Observation> {
        balances
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let end = month_end(d(start).checked_add_months(Months::new(i as u32)).unwrap());
                obs(
                    "rent",
                    "T000001/01/1",
                    &end.to_string(),
                    Some("2019-05-01"),
                    &[("balance", b), ("weekly_rent", rent)],
                )
            })
            .collect()
    }

    #[test]
    fn built_in_library_loads_with_at_least_twenty_events() {
        let lib = EventLibrary::built_in();
        assert!(lib.events().len() >= 20, "{}", lib.events().len());
        for e in lib.events() {
            assert!(!e.detect.is_empty());
            assert!(
                !e.crises.is_empty() || e.has_tag("chance_to_talk"),
                "{}",
                e.id
            );
        }
    }

    #[test]
    fn errors_name_the_file_the_event_and_the_key() {
        let bad = r#"
[[event]]
id = "x"
name = "X"
description = "d"
impacts = ["i"]
crises = ["eviction"]
window_months = 3
colour = "red"
[[event.detect]]
kind = "appears"
source = "rent"
"#;
        let e = EventLibrary::from_toml(bad, "mine.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("mine.toml") && e.contains("event `x`") && e.contains("colour"),
            "{e}"
        );

        let bad_rule = bad
            .replace("colour = \"red\"\n", "")
            .replace("source = \"rent\"", "source = \"rent\"\nsorce = \"x\"");
        let e = EventLibrary::from_toml(&bad_rule, "mine.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("detect rule 1") && e.contains("sorce"), "{e}");

        let bad_kind = bad
            .replace("colour = \"red\"\n", "")
            .replace("appears", "vanishes");
        let e = EventLibrary::from_toml(&bad_kind, "mine.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("vanishes"), "{e}");

        let bad_crisis = bad
            .replace("colour = \"red\"\n", "")
            .replace("eviction", "flood");
        let e = EventLibrary::from_toml(&bad_crisis, "mine.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("flood"), "{e}");

        let bad_placeholder = bad.replace("colour = \"red\"\n", "").replace(
            "source = \"rent\"",
            "source = \"rent\"\ndetail = \"went {sideways}\"",
        );
        let e = EventLibrary::from_toml(&bad_placeholder, "mine.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("{sideways}"), "{e}");

        let twice = format!(
            "{}\n{}",
            bad.replace("colour = \"red\"\n", ""),
            bad.replace("colour = \"red\"\n", "")
        );
        let e = EventLibrary::from_toml(&twice, "mine.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("twice"), "{e}");

        let top = format!("version = 2\n{}", bad.replace("colour = \"red\"\n", ""));
        let e = EventLibrary::from_toml(&top, "mine.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("version"), "{e}");
    }

    #[test]
    fn money_and_dates_read_as_staff_expect() {
        assert_eq!(pounds(1234), "£12.34");
        assert_eq!(pounds(5), "£0.05");
        assert_eq!(pounds(123456789), "£1,234,567.89");
        assert_eq!(pounds(-320), "-£3.20");
        assert_eq!(long_date(d("2025-03-03")), "3 March 2025");
        assert_eq!(month_end(d("2024-02-10")), d("2024-02-29"));
        assert_eq!(latest_extract_end(d("2024-05-31")), d("2024-05-31"));
        assert_eq!(latest_extract_end(d("2024-05-30")), d("2024-04-30"));
    }

    #[test]
    fn first_missed_rent_and_arrears_rising_three_months() {
        let lib = EventLibrary::built_in();
        let h = household(rent_months(&["0", "0", "2000", "4000", "6000"], "10000"));
        let ev = detect(&lib, &h, d("2024-08-31"));
        let ids = ids(&ev);
        assert!(ids.contains(&"first_missed_rent"), "{ids:?}");
        assert!(ids.contains(&"rent_arrears_rising"), "{ids:?}");
        let missed = ev.iter().find(|e| e.event == "first_missed_rent").unwrap();
        assert_eq!(missed.date, d("2024-06-30"));
        assert!(missed.detail.contains("£20.00"), "{}", missed.detail);
        assert_eq!(missed.evidence.len(), 2);
        let rising = ev
            .iter()
            .find(|e| e.event == "rent_arrears_rising")
            .unwrap();
        assert!(rising.detail.contains('3'), "{}", rising.detail);
        // Two rises only: not yet "three months running".
        let ev = detect(&lib, &h, d("2024-07-31"));
        assert!(!ids_of(&ev).contains(&"rent_arrears_rising".to_string()));
    }

    fn ids_of(ev: &[DetectedEvent]) -> Vec<String> {
        ev.iter().map(|e| e.event.clone()).collect()
    }

    #[test]
    fn arrears_over_eight_weeks_rent_uses_the_rent() {
        let lib = EventLibrary::built_in();
        // Rent £100 a week: 8 weeks is £800.
        let h = household(rent_months(&["70000", "79000", "81000"], "10000"));
        let ev = detect(&lib, &h, d("2024-06-30"));
        let e = ev
            .iter()
            .find(|e| e.event == "rent_arrears_eight_weeks")
            .unwrap();
        assert_eq!(e.date, d("2024-06-30"));
        assert!(e.detail.contains("£800.00"), "{}", e.detail);
    }

    #[test]
    fn income_drop_needs_a_fifth() {
        let lib = EventLibrary::built_in();
        let mk = |v: &[&str]| {
            household(
                v.iter()
                    .enumerate()
                    .map(|(i, e)| {
                        let end = month_end(
                            d("2024-04-01")
                                .checked_add_months(Months::new(i as u32))
                                .unwrap(),
                        );
                        obs(
                            "benefits",
                            "HB1/claimant",
                            &end.to_string(),
                            Some("2020-01-01"),
                            &[("weekly_earnings", e)],
                        )
                    })
                    .collect(),
            )
        };
        let ev = detect(&lib, &mk(&["30000", "24000"]), d("2024-05-31"));
        let e = ev
            .iter()
            .find(|e| e.event == "income_drop")
            .expect("a fifth down");
        assert!(
            e.detail.contains("£300.00") && e.detail.contains("£240.00"),
            "{}",
            e.detail
        );
        let ev = detect(&lib, &mk(&["30000", "25000"]), d("2024-05-31"));
        assert!(!ids_of(&ev).contains(&"income_drop".to_string()));
    }

    #[test]
    fn moved_in_is_dated_by_the_account_and_old_accounts_are_not_new() {
        let lib = EventLibrary::built_in();
        let h = household(vec![
            obs(
                "council_tax",
                "40000001/1",
                "2024-04-30",
                Some("2015-01-01"),
                &[("property_ref", "P1")],
            ),
            obs(
                "council_tax",
                "40000002/1",
                "2024-09-30",
                Some("2024-09-12"),
                &[("property_ref", "P2")],
            ),
        ]);
        let ev = detect(&lib, &h, d("2024-10-31"));
        let moved: Vec<_> = ev.iter().filter(|e| e.event == "moved_in").collect();
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].date, d("2024-09-12"));
        assert_eq!(moved[0].evidence[0].record_key, "40000002/1");
        // A new account at the same property is not a move.
        let h = household(vec![
            obs(
                "council_tax",
                "40000001/1",
                "2024-04-30",
                Some("2015-01-01"),
                &[("property_ref", "P1")],
            ),
            obs(
                "council_tax",
                "40000003/1",
                "2024-09-30",
                Some("2024-09-12"),
                &[("property_ref", "P1")],
            ),
        ]);
        assert!(!ids_of(&detect(&lib, &h, d("2024-10-31"))).contains(&"moved_in".to_string()));
    }

    #[test]
    fn single_person_discount_and_recovery_stages() {
        let lib = EventLibrary::built_in();
        let h = household(vec![
            obs(
                "council_tax",
                "4/1",
                "2024-04-30",
                Some("2015-01-01"),
                &[("discount", ""), ("recovery_stage", "")],
            ),
            obs(
                "council_tax",
                "4/1",
                "2024-05-31",
                Some("2015-01-01"),
                &[
                    ("discount", "single_person_discount"),
                    ("recovery_stage", "reminder"),
                ],
            ),
            obs(
                "council_tax",
                "4/1",
                "2024-06-30",
                Some("2015-01-01"),
                &[
                    ("discount", "single_person_discount"),
                    ("recovery_stage", "summons"),
                ],
            ),
            obs(
                "council_tax",
                "4/1",
                "2024-07-31",
                Some("2015-01-01"),
                &[
                    ("discount", "single_person_discount"),
                    ("recovery_stage", "liability_order"),
                ],
            ),
        ]);
        let ev = detect(&lib, &h, d("2024-07-31"));
        let spd: Vec<_> = ev
            .iter()
            .filter(|e| e.event == "single_person_discount")
            .collect();
        assert_eq!(spd.len(), 1);
        assert_eq!(spd[0].date, d("2024-05-31"));
        let summons: Vec<_> = ev
            .iter()
            .filter(|e| e.event == "council_tax_summons")
            .collect();
        assert_eq!(
            summons.len(),
            1,
            "liability order after summons is not a second entry"
        );
        assert!(
            summons[0].detail.contains("summons"),
            "{}",
            summons[0].detail
        );
    }

    #[test]
    fn logged_events_and_windows() {
        let lib = EventLibrary::built_in();
        let h = household(vec![
            obs(
                "contact_centre",
                "CC1",
                "2024-05-03",
                Some("2024-05-03"),
                &[("topic", "bereavement_tell_us_once")],
            ),
            obs(
                "contact_centre",
                "CC2",
                "2024-05-04",
                Some("2024-05-04"),
                &[("topic", "parking")],
            ),
            obs(
                "street_scene",
                "SS1",
                "2024-05-20",
                Some("2024-05-20"),
                &[("job_type", "bulky_waste")],
            ),
        ]);
        let ev = detect(&lib, &h, d("2024-06-30"));
        let ids = ids_of(&ev);
        assert!(ids.contains(&"bereavement".to_string()), "{ids:?}");
        assert!(ids.contains(&"bulky_waste".to_string()), "{ids:?}");
        assert_eq!(ev.iter().filter(|e| e.event == "bereavement").count(), 1);
        // Long after, the window has passed.
        let later = detect(&lib, &h, d("2026-06-30"));
        assert!(!ids_of(&later).contains(&"bereavement".to_string()));
        // Before it happened, nothing.
        assert!(detect(&lib, &h, d("2024-05-01")).is_empty());
    }

    #[test]
    fn claim_ending_is_seen_in_the_next_extract() {
        let lib = EventLibrary::built_in();
        let h = household(vec![
            obs(
                "benefits",
                "HB1/claimant",
                "2024-04-30",
                Some("2020-01-01"),
                &[],
            ),
            obs(
                "benefits",
                "HB1/claimant",
                "2024-05-31",
                Some("2020-01-01"),
                &[],
            ),
            // Something else keeps the household in view.
            obs("council_tax", "4/1", "2024-06-30", Some("2015-01-01"), &[]),
        ]);
        assert!(!ids_of(&detect(&lib, &h, d("2024-05-31")))
            .contains(&"benefit_claim_ended".to_string()));
        let ev = detect(&lib, &h, d("2024-06-30"));
        let e = ev
            .iter()
            .find(|e| e.event == "benefit_claim_ended")
            .expect("ended");
        assert_eq!(e.date, d("2024-06-30"));
    }

    #[test]
    fn winter_and_price_shocks_apply_to_everyone_in_their_months() {
        let lib = EventLibrary::built_in();
        let h = household(vec![obs(
            "council_tax",
            "4/1",
            "2024-04-30",
            Some("2015-01-01"),
            &[],
        )]);
        let ev = detect(&lib, &h, d("2025-01-15"));
        let w = ev.iter().find(|e| e.event == "winter").expect("winter");
        assert_eq!(w.date, d("2024-11-01"));
        assert!(ids_of(&detect(&lib, &h, d("2024-07-15")))
            .iter()
            .all(|e| e != "winter"));
        let ev = detect(&lib, &h, d("2024-10-31"));
        let p = ev
            .iter()
            .find(|e| e.event == "energy_price_rise")
            .expect("October 2024 cap");
        assert_eq!(p.date, d("2024-10-01"));
        assert!(p.evidence.is_empty());
    }

    #[test]
    fn records_group_versions_in_order_even_when_hashes_clash() {
        // Same key, sources alike in length and first eight bytes: their
        // hashes clash, and grouping falls back to comparing the strings.
        let h = household(vec![
            obs("council_tax", "1/1", "2024-04-30", None, &[("v", "a1")]),
            obs("council_tay", "1/1", "2024-04-30", None, &[("v", "b1")]),
            obs("rent", "T1", "2024-04-30", None, &[("v", "c1")]),
            obs("council_tax", "1/1", "2024-05-31", None, &[("v", "a2")]),
            obs("council_tay", "1/1", "2024-05-31", None, &[("v", "b2")]),
            obs("council_tax", "1/1", "2024-06-30", None, &[("v", "a3")]),
        ]);
        let a = h
            .observations
            .iter()
            .find(|o| o.source == "council_tax")
            .unwrap();
        let b = h
            .observations
            .iter()
            .find(|o| o.source == "council_tay")
            .unwrap();
        assert_eq!(record_hash(a), record_hash(b));
        for as_of in ["2024-06-30", "2024-05-31"] {
            let r = Records::new(&h, d(as_of));
            let mut got: Vec<Vec<&str>> = r
                .iter()
                .map(|g| g.iter().map(|o| o.attr("v").unwrap()).collect())
                .collect();
            got.sort();
            let want: Vec<Vec<&str>> = if as_of == "2024-06-30" {
                vec![vec!["a1", "a2", "a3"], vec!["b1", "b2"], vec!["c1"]]
            } else {
                vec![vec!["a1", "a2"], vec!["b1", "b2"], vec!["c1"]]
            };
            assert_eq!(got, want);
        }
        assert!(Records::new(&h, d("2024-01-01")).is_empty());
    }

    #[test]
    fn future_observations_never_change_the_result() {
        let lib = EventLibrary::built_in();
        let mut past = rent_months(&["0", "0", "2000", "4000", "6000", "9000"], "10000");
        past.push(obs(
            "council_tax",
            "4/1",
            "2024-05-31",
            Some("2024-05-02"),
            &[("discount", "")],
        ));
        past.push(obs(
            "council_tax",
            "4/1",
            "2024-06-30",
            Some("2024-05-02"),
            &[("discount", "single_person_discount")],
        ));
        past.push(obs(
            "contact_centre",
            "CC1",
            "2024-07-03",
            Some("2024-07-03"),
            &[("topic", "housing_advice")],
        ));
        let as_of = d("2024-09-30");
        let before = detect(&lib, &household(past.clone()), as_of);
        assert!(!before.is_empty());
        // Whatever happens later, detection as of then is the same.
        let mut future = past.clone();
        future.extend(rent_months_from(
            "2024-10-01",
            &["0", "1", "2", "3"],
            "99999",
        ));
        future.push(obs(
            "benefits",
            "HB9/claimant",
            "2024-10-31",
            Some("2024-04-02"),
            &[("dependants", "3")],
        ));
        future.push(obs(
            "contact_centre",
            "CC9",
            "2024-10-01",
            Some("2024-08-01"),
            &[("topic", "bereavement_tell_us_once")],
        ));
        future.push(obs(
            "rent",
            "T000001/01/1",
            "2024-12-31",
            Some("2019-05-01"),
            &[("balance", "0")],
        ));
        let h = household(future);
        assert!(h.observations.iter().any(|o| o.known_on > as_of));
        assert_eq!(detect(&lib, &h, as_of), before);
    }
}
