//! Why two records match or not, field by field, in plain words: what each
//! field says, how much more likely that is for one person than for two, and
//! the probability it all adds up to.

use crate::compare::NULL;
use crate::config::ComparisonKind;
use crate::model::{self, Model};
use crate::record::{Derived, Record};
use crate::Linker;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub record_a: String,
    pub record_b: String,
    pub prior_weight: f64,
    /// Judged among records at one property (see `Model::same_property`).
    pub same_property: bool,
    pub items: Vec<Item>,
    pub weight: f64,
    pub probability: f64,
    /// The deterministic rule that links the pair outright, if any.
    pub deterministic: Option<String>,
    /// How much weaker a common full name makes the names' agreement.
    pub full_name_adjustment: f64,
    pub threshold: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub comparison: String,
    pub value_a: String,
    pub value_b: String,
    /// None when a value is missing on either side.
    pub level: Option<String>,
    pub m: f64,
    pub u: f64,
    pub weight: f64,
    pub tf_adjustment: f64,
}

/// The records a model was trained on, with what is derived from them.
pub(crate) struct Population<'a> {
    pub records: &'a [Record],
    pub derived: &'a [Derived],
    pub tf: &'a [Option<Vec<f32>>],
    pub full_name: Option<&'a [f32]>,
}

pub(crate) fn explain(
    linker: &Linker,
    model: &Model,
    pop: &Population,
    a: usize,
    b: usize,
) -> Explanation {
    let (records, derived, tf, full_name) = (pop.records, pop.derived, pop.tf, pop.full_name);
    let (ra, rb) = (&records[a], &records[b]);
    let mut items = Vec::new();
    let p = crate::model::pattern(&linker.comparisons, ra, &derived[a], rb, &derived[b]);
    let same_property = model.segment_of(p).is_some();
    let mut weight = model.prior_weight_for(p);
    for (c, cmp) in linker.comparisons.iter().enumerate() {
        let level = cmp.level(ra, &derived[a], rb, &derived[b]);
        let value = |r: &Record| -> String {
            match cmp.kind {
                ComparisonKind::Dob => r.dob.map(|d| d.to_string()).unwrap_or_default(),
                ComparisonKind::Location => cmp
                    .fields
                    .iter()
                    .filter_map(|f| r.text(*f))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => r.text(cmp.fields[0]).unwrap_or("").to_string(),
            }
        };
        let (m, u) = model.m_u_for(p, c);
        let w = model.weight_for(p, c);
        let tf_adjustment = match (&tf[c], level) {
            (Some(t), 0) if !same_property => model.tf_adjustment(c, t[a].max(t[b]) as f64),
            _ => 0.0,
        };
        weight += w + tf_adjustment;
        items.push(Item {
            comparison: cmp.name.clone(),
            value_a: value(ra),
            value_b: value(rb),
            level: (level != NULL).then(|| model.labels[c][level as usize].clone()),
            m,
            u,
            weight: w,
            tf_adjustment,
        });
    }
    // The full-name correction goes with the surname line, which follows the forename's.
    let both_exact = linker
        .comparisons
        .iter()
        .filter(|c| c.tf && matches!(c.kind, ComparisonKind::Forename | ComparisonKind::Surname))
        .filter(|c| c.level(ra, &derived[a], rb, &derived[b]) == 0)
        .count()
        == 2;
    let mut full_name_adjustment = 0.0;
    if !same_property && both_exact {
        if let Some(fc) = full_name {
            full_name_adjustment = fc[a].min(fc[b]) as f64;
            weight += full_name_adjustment;
        }
    }
    let deterministic = linker.deterministic_match(ra, rb);
    Explanation {
        record_a: ra.id.clone(),
        record_b: rb.id.clone(),
        prior_weight: model.prior_weight_for(p),
        same_property,
        items,
        weight,
        probability: if deterministic.is_some() {
            1.0
        } else {
            model::probability(weight)
        },
        deterministic,
        threshold: linker.config.threshold,
        full_name_adjustment,
    }
}

impl Explanation {
    /// The weights on one line, for a file of many pairs: the prior, each
    /// field's level and weight (with its frequency adjustment), the
    /// full-name correction and the total.
    pub fn weights_line(&self) -> String {
        let mut parts = vec![format!("prior {:+.1}", self.prior_weight)];
        for i in &self.items {
            if let Some(level) = &i.level {
                let tf = if i.tf_adjustment != 0.0 {
                    format!(" tf {:+.1}", i.tf_adjustment)
                } else {
                    String::new()
                };
                parts.push(format!("{}: {level} {:+.1}{tf}", i.comparison, i.weight));
            }
        }
        if self.full_name_adjustment != 0.0 {
            parts.push(format!("full name {:+.1}", self.full_name_adjustment));
        }
        if self.same_property {
            parts.push("same-property model".into());
        }
        parts.push(format!("total {:+.1}", self.weight));
        parts.join("; ")
    }
}

fn times(w: f64) -> String {
    let f = w.exp2();
    if w >= 0.0 {
        format!("{} times more likely for the same person", round_sig(f))
    } else {
        format!(
            "{} times more likely for two different people",
            round_sig(1.0 / f)
        )
    }
}

fn round_sig(x: f64) -> String {
    if x >= 100.0 {
        format!("{:.0}", x)
    } else if x >= 10.0 {
        format!("{:.1}", x)
    } else {
        format!("{:.2}", x)
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Comparing {} with {}", self.record_a, self.record_b)?;
        if self.same_property {
            writeln!(
                f,
                "Both records are at the same property, so they are weighed against other people at one property: \
                 there, two records are the same person with probability {:.2} before looking at names and dates (weight {:+.1}).",
                crate::model::probability(self.prior_weight),
                self.prior_weight
            )?;
        } else {
            writeln!(
                f,
                "Before looking at any field, two records are the same person with odds of 1 in {:.0} (weight {:+.1}).",
                1.0 + (-self.prior_weight).exp2(),
                self.prior_weight
            )?;
        }
        for i in &self.items {
            let shown = |v: &str| {
                if v.is_empty() {
                    "(blank)".to_string()
                } else {
                    v.to_string()
                }
            };
            match &i.level {
                None => writeln!(
                    f,
                    "- {}: {} and {}: not given on both, so it says nothing (weight 0).",
                    i.comparison,
                    shown(&i.value_a),
                    shown(&i.value_b)
                )?,
                Some(level) => {
                    write!(
                        f,
                        "- {}: {} and {}: {level}. That is {} (weight {:+.1})",
                        i.comparison,
                        shown(&i.value_a),
                        shown(&i.value_b),
                        times(i.weight),
                        i.weight
                    )?;
                    if i.tf_adjustment.abs() >= 0.05 {
                        let how = if i.tf_adjustment > 0.0 {
                            "an uncommon value, so stronger"
                        } else {
                            "a common value, so weaker"
                        };
                        write!(f, "; {how} ({:+.1})", i.tf_adjustment)?;
                    }
                    writeln!(f, ".")?;
                }
            }
        }
        if self.full_name_adjustment.abs() >= 0.05 {
            writeln!(
                f,
                "- The full name is commoner than its parts suggest (several people share it), so the names count for less ({:+.1}).",
                self.full_name_adjustment
            )?;
        }
        writeln!(
            f,
            "Total weight {:+.1}: match probability {:.4}.",
            self.weight, self.probability
        )?;
        if let Some(rule) = &self.deterministic {
            writeln!(
                f,
                "They share {rule}, so they are linked outright (unless the records conflict)."
            )?;
        }
        let verdict = if self.probability >= self.threshold {
            "at or above"
        } else {
            "below"
        };
        write!(
            f,
            "That is {verdict} the threshold of {}, so they are {}treated as the same person.",
            self.threshold,
            if self.probability >= self.threshold {
                ""
            } else {
                "not "
            }
        )
    }
}
