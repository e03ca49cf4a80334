//! Personas: Birmingham's four typologies of citizens (seed 003) — "Hiding
//! for as long as I can", "Thrown in at the deep end", "Keep hitting the
//! wall", "Snowballing" — or stable.
//!
//! A household is placed by ordered rules in `personas.toml` (built in; an
//! analyst may pass their own): the first rule whose conditions all hold
//! wins, and its reason, filled in with the household's figures, is shown to
//! staff. The conditions read a few plain facts derived from the records
//! (arrears, contacts, repeat approaches, problems by service, a sudden
//! shock), the detected life events, the risk probability and resilience.
//! See `docs/assessment.md`, "Personas".

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::events::{
    latest_extract_end, long_date, months_before, placeholders_in, pounds, record_start,
    render_with, words, EventLibrary, Records,
};
use crate::{AssessError, DetectedEvent, HouseholdInput, Observation, Resilience, ResilienceBand};

const BUILT_IN: &str = include_str!("../personas.toml");
const BUILT_IN_NAME: &str = "personas.toml (built in)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Persona {
    Hiding,
    DeepEnd,
    HittingTheWall,
    Snowballing,
    Stable,
}

impl Persona {
    pub const ALL: [Persona; 5] = [
        Persona::Hiding,
        Persona::DeepEnd,
        Persona::HittingTheWall,
        Persona::Snowballing,
        Persona::Stable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Persona::Hiding => "hiding",
            Persona::DeepEnd => "deep_end",
            Persona::HittingTheWall => "hitting_the_wall",
            Persona::Snowballing => "snowballing",
            Persona::Stable => "stable",
        }
    }

    /// The name staff know it by.
    pub fn title(self) -> &'static str {
        match self {
            Persona::Hiding => "Hiding for as long as I can",
            Persona::DeepEnd => "Thrown in at the deep end",
            Persona::HittingTheWall => "Keep hitting the wall",
            Persona::Snowballing => "Snowballing",
            Persona::Stable => "Stable",
        }
    }

    pub fn parse(s: &str) -> Option<Persona> {
        Persona::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Records of one source, optionally only those where `attribute` takes one
/// of `values` in some version.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFilter {
    pub source: String,
    pub attribute: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
}

impl RecordFilter {
    /// When the record first matched, if it does: its start date when the
    /// first version already matches, else when the matching version became known.
    fn matched_on(&self, g: &[&Observation]) -> Option<NaiveDate> {
        if g[0].source != self.source {
            return None;
        }
        let Some(a) = &self.attribute else {
            return Some(record_start(g));
        };
        let i = g.iter().position(|o| {
            o.attr(a)
                .is_some_and(|v| self.values.iter().any(|x| x == v))
        })?;
        Some(if i == 0 {
            record_start(g)
        } else {
            g[i].known_on
        })
    }
}

/// A money attribute whose positive value is arrears.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub source: String,
    pub attribute: String,
}

/// How the facts the rules read are derived from records.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactSettings {
    /// Arrears: these attributes, on records in the latest extract.
    pub arrears: Vec<Measure>,
    /// Arrears are rising when higher now than this many versions before.
    pub rising_months: u32,
    /// Contact with the council: records like these within `contact_months`.
    pub contact_months: u32,
    pub contacts: Vec<RecordFilter>,
    /// Repeat approaches and crises: records like these within `repeat_months`.
    pub repeat_months: u32,
    pub repeats: Vec<RecordFilter>,
    /// Life events with this tag are sudden shocks.
    pub shock_tag: String,
    /// Life events with this tag show trouble in the service their evidence comes from.
    pub problem_tag: String,
}

/// Conditions a rule needs; every one given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    pub min_probability: Option<f64>,
    pub max_probability: Option<f64>,
    /// Arrears of any amount (true) or none (false).
    pub arrears: Option<bool>,
    /// Arrears of at least this many pence.
    pub min_arrears: Option<i64>,
    pub arrears_rising: Option<bool>,
    pub min_contacts: Option<usize>,
    pub max_contacts: Option<usize>,
    pub min_repeats: Option<usize>,
    pub max_repeats: Option<usize>,
    pub min_problem_sources: Option<usize>,
    pub max_problem_sources: Option<usize>,
    /// A sudden shock among the detected life events.
    pub shock: Option<bool>,
    /// Trouble before the shock (arrears, a problem event or a repeat approach).
    pub prior_trouble: Option<bool>,
    /// Resilience band is one of these.
    pub resilience: Option<Vec<ResilienceBand>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaRule {
    pub persona: Persona,
    /// Plain English with placeholders (see the docs).
    pub reason: String,
    pub when: Conditions,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Otherwise {
    pub persona: Persona,
    pub reason: String,
}

/// The persona settings: facts, ordered rules, and what to say when none fits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaRules {
    pub facts: FactSettings,
    #[serde(rename = "rule")]
    pub rules: Vec<PersonaRule>,
    pub otherwise: Otherwise,
}

const PLACEHOLDERS: &[&str] = &[
    "probability",
    "arrears",
    "contacts",
    "contact_months",
    "repeats",
    "repeat_months",
    "problem_count",
    "problem_list",
    "shock",
    "shock_date",
    "resilience",
    "resilience_score",
];

impl PersonaRules {
    pub fn built_in() -> PersonaRules {
        // The built-in file is tested; failing here would be a build defect.
        match PersonaRules::from_toml(BUILT_IN, BUILT_IN_NAME) {
            Ok(r) => r,
            Err(e) => panic!("built-in persona rules are invalid: {e}"),
        }
    }

    pub fn built_in_text() -> &'static str {
        BUILT_IN
    }

    /// Reads persona rules; errors name the file and the rule or key at fault.
    pub fn from_toml(text: &str, file_name: &str) -> Result<PersonaRules, AssessError> {
        let err = |message: String| AssessError::Config {
            file: file_name.to_string(),
            message,
        };
        let rules: PersonaRules = toml::from_str(text).map_err(|e: toml::de::Error| {
            // toml names the key; keep its message on one line.
            err(e.to_string().trim().replace('\n', " "))
        })?;
        let f = &rules.facts;
        let months = |name: &str, m: u32| {
            if (1..=120).contains(&m) {
                Ok(())
            } else {
                Err(err(format!("facts.{name} must be 1 to 120")))
            }
        };
        months("rising_months", f.rising_months)?;
        months("contact_months", f.contact_months)?;
        months("repeat_months", f.repeat_months)?;
        for (what, list) in [("contacts", &f.contacts), ("repeats", &f.repeats)] {
            for (i, r) in list.iter().enumerate() {
                if r.source.is_empty() || r.attribute.is_some() == r.values.is_empty() {
                    return Err(err(format!(
                        "facts.{what}[{}]: needs a source; `attribute` and `values` go together",
                        i + 1
                    )));
                }
            }
        }
        if f.shock_tag.is_empty() || f.problem_tag.is_empty() {
            return Err(err(
                "facts.shock_tag and facts.problem_tag are needed".into()
            ));
        }
        for (i, r) in rules.rules.iter().enumerate() {
            let who = format!("rule {} ({})", i + 1, r.persona.as_str());
            check_reason(&r.reason).map_err(|m| err(format!("{who}: {m}")))?;
            let c = &r.when;
            let any = c.min_probability.is_some()
                || c.max_probability.is_some()
                || c.arrears.is_some()
                || c.min_arrears.is_some()
                || c.arrears_rising.is_some()
                || c.min_contacts.is_some()
                || c.max_contacts.is_some()
                || c.min_repeats.is_some()
                || c.max_repeats.is_some()
                || c.min_problem_sources.is_some()
                || c.max_problem_sources.is_some()
                || c.shock.is_some()
                || c.prior_trouble.is_some()
                || c.resilience.is_some();
            if !any {
                return Err(err(format!(
                    "{who}: no conditions, so it matches everyone; use [otherwise]"
                )));
            }
            for p in [c.min_probability, c.max_probability].into_iter().flatten() {
                if !(0.0..=1.0).contains(&p) {
                    return Err(err(format!("{who}: probabilities are 0 to 1")));
                }
            }
            let bad_range = |lo: Option<usize>, hi: Option<usize>| matches!((lo, hi), (Some(l), Some(h)) if l > h);
            if bad_range(c.min_contacts, c.max_contacts)
                || bad_range(c.min_repeats, c.max_repeats)
                || bad_range(c.min_problem_sources, c.max_problem_sources)
                || matches!((c.min_probability, c.max_probability), (Some(l), Some(h)) if l > h)
            {
                return Err(err(format!("{who}: a minimum is above its maximum")));
            }
        }
        check_reason(&rules.otherwise.reason).map_err(|m| err(format!("otherwise: {m}")))?;
        Ok(rules)
    }

    /// Checks the tags the facts use are carried by some event of `lib`, so
    /// a renamed tag is caught rather than silently matching nothing.
    pub fn check_against(&self, lib: &EventLibrary, file_name: &str) -> Result<(), AssessError> {
        for tag in [&self.facts.shock_tag, &self.facts.problem_tag] {
            if !lib.events().iter().any(|e| e.has_tag(tag)) {
                return Err(AssessError::Config {
                    file: file_name.to_string(),
                    message: format!("no life event carries the tag `{tag}`"),
                });
            }
        }
        Ok(())
    }
}

fn check_reason(reason: &str) -> Result<(), String> {
    if reason.trim().is_empty() {
        return Err("`reason` is empty".into());
    }
    for p in placeholders_in(reason)? {
        if !PLACEHOLDERS.contains(&p) {
            return Err(format!("`reason` uses unknown {{{p}}}"));
        }
    }
    Ok(())
}

/// The facts persona rules read, derived from one household's records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonaFacts {
    /// Total arrears in pence on records in the latest extract.
    pub arrears: i64,
    pub arrears_rising: bool,
    /// Contacts with the council within `contact_months`.
    pub contacts: usize,
    /// Repeat approaches or crises within `repeat_months`.
    pub repeats: usize,
    /// Services showing trouble: sources of problem events' evidence and of
    /// current arrears, sorted.
    pub problem_sources: Vec<String>,
    /// The earliest sudden shock among the detected events: its name and date.
    pub shock: Option<(String, NaiveDate)>,
    /// Whether there was trouble before that shock.
    pub prior_trouble: bool,
}

impl PersonaFacts {
    pub fn derive(
        rules: &PersonaRules,
        lib: &EventLibrary,
        h: &HouseholdInput,
        events: &[DetectedEvent],
        as_of: NaiveDate,
    ) -> PersonaFacts {
        PersonaFacts::derive_in(rules, lib, &Records::new(h, as_of), events, as_of)
    }

    /// [`PersonaFacts::derive`] over records already grouped for the same `as_of`.
    pub fn derive_in(
        rules: &PersonaRules,
        lib: &EventLibrary,
        records: &Records<'_>,
        events: &[DetectedEvent],
        as_of: NaiveDate,
    ) -> PersonaFacts {
        let f = &rules.facts;
        let current_from = latest_extract_end(as_of);
        let mut facts = PersonaFacts::default();
        let mut problems: BTreeSet<&str> = BTreeSet::new();

        for m in &f.arrears {
            for g in records.of(&m.source) {
                if g[g.len() - 1].known_on < current_from {
                    continue;
                }
                let values: Vec<i64> = g.iter().filter_map(|o| o.int(&m.attribute)).collect();
                let Some(&now) = values.last() else { continue };
                if now <= 0 {
                    continue;
                }
                facts.arrears = facts.arrears.saturating_add(now);
                problems.insert(&g[0].source);
                let back = values.len().saturating_sub(1 + f.rising_months as usize);
                if values.len() >= 2 && now > values[back] {
                    facts.arrears_rising = true;
                }
            }
        }

        let count = |filters: &[RecordFilter], from: NaiveDate, to: NaiveDate| {
            records
                .iter()
                .filter(|g| {
                    // A record matches no later than its last version, no
                    // earlier than its start: skip those wholly outside.
                    g[g.len() - 1].known_on > from
                        && record_start(g) <= to
                        && filters
                            .iter()
                            .filter_map(|r| r.matched_on(g))
                            .any(|d| d > from && d <= to)
                })
                .count()
        };
        facts.contacts = count(&f.contacts, months_before(as_of, f.contact_months), as_of);
        facts.repeats = count(&f.repeats, months_before(as_of, f.repeat_months), as_of);

        for e in events {
            if lib.has_tag(&e.event, &f.problem_tag) {
                for ev in &e.evidence {
                    problems.insert(&ev.source);
                }
            }
        }
        facts.problem_sources = problems.into_iter().map(str::to_string).collect();

        // The earliest shock: the one that started the slide, if one did.
        let shock = events
            .iter()
            .filter(|e| lib.has_tag(&e.event, &f.shock_tag))
            .min_by_key(|e| e.date);
        if let Some(s) = shock {
            let name = lib
                .get(&s.event)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| words(&s.event));
            facts.shock = Some((name, s.date));
            let before_problem = events
                .iter()
                .any(|e| e.date < s.date && lib.has_tag(&e.event, &f.problem_tag));
            let before_arrears = f.arrears.iter().any(|m| {
                records.of(&m.source).any(|g| {
                    g.iter()
                        .rev()
                        .find(|o| o.known_on < s.date)
                        .and_then(|o| o.int(&m.attribute))
                        .is_some_and(|v| v > 0)
                })
            });
            let before_repeat = count(
                &f.repeats,
                months_before(s.date, f.repeat_months),
                s.date.pred_opt().unwrap_or(s.date),
            ) > 0;
            facts.prior_trouble = before_problem || before_arrears || before_repeat;
        }
        facts
    }
}

fn holds(c: &Conditions, facts: &PersonaFacts, probability: f64, r: &Resilience) -> bool {
    let min = |lim: Option<usize>, v: usize| lim.is_none_or(|l| v >= l);
    let max = |lim: Option<usize>, v: usize| lim.is_none_or(|l| v <= l);
    c.min_probability.is_none_or(|l| probability >= l)
        && c.max_probability.is_none_or(|l| probability <= l)
        && c.arrears.is_none_or(|want| (facts.arrears > 0) == want)
        && c.min_arrears.is_none_or(|l| facts.arrears >= l)
        && c.arrears_rising
            .is_none_or(|want| facts.arrears_rising == want)
        && min(c.min_contacts, facts.contacts)
        && max(c.max_contacts, facts.contacts)
        && min(c.min_repeats, facts.repeats)
        && max(c.max_repeats, facts.repeats)
        && min(c.min_problem_sources, facts.problem_sources.len())
        && max(c.max_problem_sources, facts.problem_sources.len())
        && c.shock.is_none_or(|want| facts.shock.is_some() == want)
        && c.prior_trouble
            .is_none_or(|want| facts.prior_trouble == want)
        && c.resilience
            .as_ref()
            .is_none_or(|bands| bands.contains(&r.band))
}

/// "rent", "rent and council tax", "rent, council tax and benefits".
fn list(items: &[String]) -> String {
    let w: Vec<String> = items.iter().map(|s| words(s)).collect();
    match w.len() {
        0 => "none".to_string(),
        1 => w[0].clone(),
        n => format!("{} and {}", w[..n - 1].join(", "), w[n - 1]),
    }
}

/// Places a household: the first rule whose conditions hold, with its reason.
pub fn persona(
    rules: &PersonaRules,
    facts: &PersonaFacts,
    probability: f64,
    resilience: &Resilience,
) -> (Persona, String) {
    let (who, reason) = rules
        .rules
        .iter()
        .find(|r| holds(&r.when, facts, probability, resilience))
        .map(|r| (r.persona, r.reason.as_str()))
        .unwrap_or((rules.otherwise.persona, rules.otherwise.reason.as_str()));
    // Only the placeholders the reason uses are worked out.
    let text = render_with(reason, |name, out| {
        match name {
            "probability" => out.push_str(&format!(
                "{}%",
                (probability.clamp(0.0, 1.0) * 100.0).round() as i64
            )),
            "arrears" => out.push_str(&pounds(facts.arrears)),
            "contacts" => out.push_str(&facts.contacts.to_string()),
            "contact_months" => out.push_str(&rules.facts.contact_months.to_string()),
            "repeats" => out.push_str(&facts.repeats.to_string()),
            "repeat_months" => out.push_str(&rules.facts.repeat_months.to_string()),
            "problem_count" => out.push_str(&facts.problem_sources.len().to_string()),
            "problem_list" => out.push_str(&list(&facts.problem_sources)),
            "shock" => match &facts.shock {
                Some((n, _)) => out.push_str(n),
                None => out.push_str("none"),
            },
            "shock_date" => match &facts.shock {
                Some((_, d)) => out.push_str(&long_date(*d)),
                None => out.push_str("none"),
            },
            "resilience" => out.push_str(match resilience.band {
                ResilienceBand::Low => "low",
                ResilienceBand::Medium => "medium",
                ResilienceBand::High => "high",
            }),
            "resilience_score" => out.push_str(&resilience.score.to_string()),
            _ => return false,
        }
        true
    });
    (who, text)
}

/// Facts and persona in one call.
pub fn assign(
    rules: &PersonaRules,
    lib: &EventLibrary,
    h: &HouseholdInput,
    events: &[DetectedEvent],
    probability: f64,
    resilience: &Resilience,
    as_of: NaiveDate,
) -> (Persona, String) {
    let facts = PersonaFacts::derive(rules, lib, h, events, as_of);
    persona(rules, &facts, probability, resilience)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::detect;

    use crate::testing::{d, obs};

    fn household(mut o: Vec<Observation>) -> HouseholdInput {
        o.sort_by_key(|x| x.known_on);
        HouseholdInput {
            household: 1,
            observations: o,
            ..Default::default()
        }
    }

    fn months(source: &str, key: &str, from: &str, attrs: &[&[(&str, &str)]]) -> Vec<Observation> {
        attrs
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let end = crate::events::month_end(
                    d(from)
                        .checked_add_months(chrono::Months::new(i as u32))
                        .unwrap(),
                );
                obs(source, key, &end.to_string(), Some("2015-01-01"), a)
            })
            .collect()
    }

    fn mid() -> Resilience {
        Resilience {
            score: 40,
            band: ResilienceBand::Medium,
            parts: Vec::new(),
        }
    }

    fn place(h: &HouseholdInput, as_of: &str) -> (Persona, String) {
        let lib = EventLibrary::built_in();
        let rules = PersonaRules::built_in();
        let as_of = d(as_of);
        let events = detect(&lib, h, as_of);
        assign(&rules, &lib, h, &events, 0.2, &mid(), as_of)
    }

    #[test]
    fn built_in_rules_load_and_fit_the_library() {
        let rules = PersonaRules::built_in();
        assert!(rules.rules.len() >= 4);
        for p in [
            Persona::Hiding,
            Persona::DeepEnd,
            Persona::HittingTheWall,
            Persona::Snowballing,
        ] {
            assert!(rules.rules.iter().any(|r| r.persona == p), "{p:?}");
        }
        rules
            .check_against(&EventLibrary::built_in(), "personas.toml")
            .unwrap();
    }

    #[test]
    fn errors_name_the_file_and_the_rule() {
        let text = PersonaRules::built_in_text();
        let e = PersonaRules::from_toml(&text.replace("min_repeats", "min_repeat"), "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p.toml") && e.contains("min_repeat"), "{e}");
        let e = PersonaRules::from_toml(&text.replace("{repeats}", "{repeatz}"), "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rule") && e.contains("{repeatz}"), "{e}");
        let e = PersonaRules::from_toml(
            &text.replacen("persona = \"snowballing\"", "persona = \"drifting\"", 1),
            "p.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("drifting"), "{e}");
    }

    #[test]
    fn hiding_arrears_building_and_no_contact() {
        let h = household(months(
            "rent",
            "T1/1",
            "2024-04-01",
            &[
                &[("balance", "0")],
                &[("balance", "5000")],
                &[("balance", "9000")],
            ],
        ));
        let (p, why) = place(&h, "2024-06-30");
        assert_eq!(p, Persona::Hiding, "{why}");
        assert!(why.contains("£90.00"), "{why}");
        // The same arrears, but they called about it: not hiding.
        let mut o = h.observations.clone();
        o.push(obs(
            "contact_centre",
            "CC1",
            "2024-06-10",
            Some("2024-06-10"),
            &[("topic", "council_tax_payment")],
        ));
        let (p, _) = place(&household(o), "2024-06-30");
        assert_ne!(p, Persona::Hiding);
    }

    #[test]
    fn deep_end_a_shock_without_prior_trouble() {
        let mut o = months(
            "rent",
            "T1/1",
            "2024-04-01",
            &[
                &[("balance", "0")],
                &[("balance", "0")],
                &[("balance", "0")],
            ],
        );
        o.push(obs(
            "contact_centre",
            "CC1",
            "2024-06-03",
            Some("2024-06-03"),
            &[("topic", "bereavement_tell_us_once")],
        ));
        let (p, why) = place(&household(o.clone()), "2024-06-30");
        assert_eq!(p, Persona::DeepEnd, "{why}");
        assert!(
            why.contains("Bereavement") && why.contains("3 June 2024"),
            "{why}"
        );
        // The same shock after arrears had started is not "without prior trouble".
        let mut o = months(
            "rent",
            "T1/1",
            "2024-04-01",
            &[
                &[("balance", "0")],
                &[("balance", "3000")],
                &[("balance", "3000")],
            ],
        );
        o.push(obs(
            "contact_centre",
            "CC1",
            "2024-06-03",
            Some("2024-06-03"),
            &[("topic", "bereavement_tell_us_once")],
        ));
        let (p, why) = place(&household(o), "2024-06-30");
        assert_ne!(p, Persona::DeepEnd, "{why}");
    }

    #[test]
    fn hitting_the_wall_repeated_approaches() {
        let h = household(vec![
            obs(
                "homelessness",
                "HOM1",
                "2023-09-30",
                Some("2023-09-02"),
                &[("outcome", "contact_lost")],
            ),
            obs(
                "contact_centre",
                "CC1",
                "2024-03-10",
                Some("2024-03-10"),
                &[("topic", "housing_advice")],
            ),
            obs(
                "contact_centre",
                "CC2",
                "2024-11-10",
                Some("2024-11-10"),
                &[("topic", "crisis_support_application")],
            ),
        ]);
        let (p, why) = place(&h, "2024-12-31");
        assert_eq!(p, Persona::HittingTheWall, "{why}");
        assert!(why.contains('3'), "{why}");
    }

    #[test]
    fn snowballing_problems_across_services() {
        let mut o = months(
            "rent",
            "T1/1",
            "2024-04-01",
            &[
                &[("balance", "0")],
                &[("balance", "4000")],
                &[("balance", "8000")],
            ],
        );
        o.extend(months(
            "council_tax",
            "4/1",
            "2024-04-01",
            &[
                &[("balance", "0"), ("recovery_stage", "")],
                &[("balance", "10000"), ("recovery_stage", "reminder")],
                &[("balance", "20000"), ("recovery_stage", "final_notice")],
            ],
        ));
        let (p, why) = place(&household(o), "2024-06-30");
        assert_eq!(p, Persona::Snowballing, "{why}");
        assert!(why.contains("council tax and rent"), "{why}");
    }

    #[test]
    fn stable_when_nothing_fits_and_conditions_read_probability_and_resilience() {
        let h = household(months(
            "council_tax",
            "4/1",
            "2024-04-01",
            &[&[("balance", "0")], &[("balance", "0")]],
        ));
        let (p, _) = place(&h, "2024-05-31");
        assert_eq!(p, Persona::Stable);

        let rules = PersonaRules::from_toml(
            &format!(
                "{}\n{}",
                PersonaRules::built_in_text().replace("[otherwise]", "[otherwise_unused]"),
                ""
            ),
            "x",
        );
        assert!(rules.is_err(), "the [otherwise] section is required");

        let mut rules = PersonaRules::built_in();
        rules.rules.insert(
            0,
            PersonaRule {
                persona: Persona::Hiding,
                reason: "risk {probability}, resilience {resilience}".into(),
                when: Conditions {
                    min_probability: Some(0.5),
                    resilience: Some(vec![ResilienceBand::Low]),
                    ..Default::default()
                },
            },
        );
        let facts = PersonaFacts::default();
        let low = Resilience {
            score: 10,
            band: ResilienceBand::Low,
            parts: Vec::new(),
        };
        assert_eq!(
            persona(&rules, &facts, 0.62, &low),
            (Persona::Hiding, "risk 62%, resilience low".to_string())
        );
        assert_eq!(persona(&rules, &facts, 0.62, &mid()).0, Persona::Stable);
        assert_eq!(persona(&rules, &facts, 0.2, &low).0, Persona::Stable);
    }
}
