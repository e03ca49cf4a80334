//! The model card: a Markdown record of the risk model in the spirit of the
//! UK Algorithmic Transparency Recording Standard (ATRS), written by the
//! tool from the model and its evaluation so it never drifts from them.

use std::fmt::Write;

use crate::evaluate::{CalibrationBin, Evaluation, EvaluationFigures};
use crate::features::Feat;
use crate::model::Model;

/// Groups smaller than this are not shown (disclosure control).
pub const SUPPRESS_BELOW: usize = 10;

/// Characteristics the card must report on; any the caller does not give
/// are flagged as gaps.
const REQUIRED_GROUPS: [(&str, &str); 4] = [
    (
        "age group",
        "age group of the household's oldest adult (from dates of birth in the records)",
    ),
    ("sex", "sex"),
    ("ethnicity", "ethnicity"),
    ("disability", "disability"),
];

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn opt_pct(x: Option<f64>) -> String {
    x.map_or("–".into(), pct)
}

fn opt3(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{v:.3}"))
}

/// A count small enough to identify people is shown as "fewer than 10".
fn count(n: usize) -> String {
    if n > 0 && n < SUPPRESS_BELOW {
        format!("<{SUPPRESS_BELOW}")
    } else {
        n.to_string()
    }
}

/// The model card. `subgroups` holds, per characteristic ("age group",
/// "sex", "ethnicity", "disability", ...), the figures for each of its
/// groups (see [`crate::evaluate::subgroup_figures`]). Characteristics the
/// platform does not hold are flagged as gaps unless given.
pub fn model_card(
    model: &Model,
    evaluation: &Evaluation,
    subgroups: &[(String, Vec<(String, EvaluationFigures)>)],
) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = write_card(&mut s, model, evaluation, subgroups);
    s
}

fn write_card(
    s: &mut String,
    model: &Model,
    e: &Evaluation,
    subgroups: &[(String, Vec<(String, EvaluationFigures)>)],
) -> std::fmt::Result {
    let h = model.horizon_months;
    writeln!(s, "# Model card: risk of crisis")?;
    writeln!(s)?;
    writeln!(
        s,
        "Model `{}`. Written by Upstream from the model and its evaluation, in the spirit of \
         the UK Algorithmic Transparency Recording Standard.",
        model.version
    )?;
    writeln!(s)?;
    let mut warnings = e.warnings.clone();
    if e.model_version != model.version {
        warnings.push(format!(
            "the evaluation is of model `{}`, not this one",
            e.model_version
        ));
    }
    if e.cutoff < model.last_label_date {
        warnings.push("the test overlaps the training window: the figures are not valid".into());
    }
    for w in &warnings {
        writeln!(s, "> **Warning:** {w}.")?;
        writeln!(s)?;
    }

    writeln!(s, "## Summary")?;
    writeln!(s)?;
    writeln!(
        s,
        "The council uses this model to find households whose situation may be sliding \
         towards crisis in the next {h} months, so that a community connector can offer help \
         before they reach the council's front door. It ranks households for proactive \
         contact and says why. A person always decides whether and how to make contact."
    )?;
    writeln!(s)?;

    writeln!(s, "## Purpose")?;
    writeln!(s)?;
    writeln!(
        s,
        "- **Predicts:** the probability that a household has any of these within {h} months: \
         a homelessness duty (prevention or relief; s66 or s73 in Wales), temporary \
         accommodation, an eviction warrant, council tax passed to enforcement agents, or an \
         application for crisis support."
    )?;
    writeln!(
        s,
        "- **Who is scored:** households in the council's single view that are not already in \
         crisis (no open homelessness case, not in temporary accommodation, no enforcement \
         agent or eviction warrant now, no crisis in the last 3 months). Those households are \
         known to services already."
    )?;
    writeln!(
        s,
        "- **Used for:** ordering the weekly proactive worklist within each team's capacity, \
         with the top reasons for each household shown to staff."
    )?;
    writeln!(
        s,
        "- **Not used for:** deciding eligibility for any service, enforcement, or any \
         decision about a person without human review."
    )?;
    writeln!(s)?;

    writeln!(s, "## Human oversight")?;
    writeln!(s)?;
    writeln!(
        s,
        "The score informs a person, never decides alone. Staff see each household's \
         probability and its top three reasons beside the records behind them; a team leader \
         can fast-track a household the model ranks low, and a connector can decide not to \
         contact one it ranks high. No decision with legal or similarly significant effect is \
         made by the model (UK GDPR Article 22). Residents can ask not to be contacted, and \
         that choice overrides the ranking."
    )?;
    writeln!(s)?;

    writeln!(s, "## Data used")?;
    writeln!(s)?;
    writeln!(
        s,
        "Linked council records only: council tax accounts and recovery, housing benefit and \
         council tax reduction claims, council rent accounts, the housing register, \
         homelessness cases, contact centre contacts, early help and adult social care \
         referrals, and the life events and community resilience the platform derives from \
         them. No data from outside the council's own systems; no sex, ethnicity or \
         disability is used (the records do not hold them)."
    )?;
    writeln!(s)?;
    writeln!(
        s,
        "Features and their weights (change in log-odds of crisis per standard deviation of \
         the feature; positive raises the risk):"
    )?;
    writeln!(s)?;
    writeln!(s, "| feature | what it measures | weight per SD |")?;
    writeln!(s, "| --- | --- | ---: |")?;
    let mut order: Vec<usize> = (0..Feat::ALL.len()).collect();
    order.sort_by(|a, b| {
        model.coefficients[*b]
            .abs()
            .total_cmp(&model.coefficients[*a].abs())
            .then(a.cmp(b))
    });
    for j in order {
        let f = Feat::ALL[j];
        writeln!(
            s,
            "| `{}` | {} | {:+.3} |",
            f.name(),
            f.description(),
            model.coefficients[j]
        )?;
    }
    writeln!(s)?;

    writeln!(s, "## How it was trained")?;
    writeln!(s)?;
    writeln!(
        s,
        "- **Method:** logistic regression with an L2 penalty ({}) chosen on held-out data, on \
         standardised features; probabilities calibrated by {} (a = {:.3}, b = {:.3}).",
        model.l2, model.calibration.method, model.calibration.a, model.calibration.b
    )?;
    writeln!(
        s,
        "- **Window:** cutoffs from {} to {}; outcomes up to {}; no record known after {} was \
         read.",
        model.first_cutoff, model.last_cutoff, model.last_label_date, model.data_end
    )?;
    writeln!(
        s,
        "- **As of:** at each cutoff the features use only records the platform held on that \
         date; the label is whether a crisis followed within {h} months. Households already \
         in crisis at a cutoff are left out."
    )?;
    writeln!(
        s,
        "- **Rows:** {} (of which {} crises); households without a crisis sampled at {} and \
         weighted to stand for all.",
        model.training.rows,
        count(model.training.crises),
        pct(model.training.negative_rate)
    )?;
    writeln!(s)?;
    writeln!(
        s,
        "| cutoff | households scored | already in crisis | crises within {h} months |"
    )?;
    writeln!(s, "| --- | ---: | ---: | ---: |")?;
    for c in &model.training.cutoffs {
        writeln!(
            s,
            "| {} | {} | {} | {} |",
            c.cutoff,
            count(c.households),
            count(c.already_in_crisis),
            count(c.crises)
        )?;
    }
    writeln!(s)?;

    writeln!(s, "## Performance")?;
    writeln!(s)?;
    writeln!(
        s,
        "Tested on households as of {}, with outcomes from then to {}: months the model never \
         saw. {} households, {} of whom had a crisis ({}). Capacity: the top {} households \
         over the period.",
        e.cutoff,
        e.label_end,
        e.model.households,
        count(e.model.crises),
        pct(e.model.observed_rate),
        e.k
    )?;
    writeln!(s)?;
    writeln!(
        s,
        "| measure | model | baseline: anyone in arrears, most first |"
    )?;
    writeln!(s, "| --- | ---: | ---: |")?;
    writeln!(
        s,
        "| AUC (ROC) | {} | {} |",
        opt3(e.model.auc),
        opt3(e.baseline.auc)
    )?;
    writeln!(
        s,
        "| precision at capacity | {} | {} |",
        opt_pct(e.model.precision_at_k),
        opt_pct(e.baseline.precision_at_k)
    )?;
    writeln!(
        s,
        "| recall at capacity | {} | {} |",
        opt_pct(e.model.recall_at_k),
        opt_pct(e.baseline.recall_at_k)
    )?;
    writeln!(
        s,
        "| Brier score | {:.4} | {:.4} |",
        e.model.brier, e.baseline.brier
    )?;
    writeln!(s)?;
    match e.lift_at_k {
        Some(l) => writeln!(
            s,
            "Lift at capacity: the model's contacts find crises {l:.2} times as often as the \
             baseline's{}.",
            e.lift_over_random.map_or(String::new(), |r| format!(
                " and {r:.2} times as often as contacting at random"
            ))
        )?,
        None => writeln!(
            s,
            "Lift at capacity: not measurable (the baseline found no crises)."
        )?,
    }
    writeln!(s)?;
    writeln!(
        s,
        "Calibration (tenths of households by predicted probability):"
    )?;
    writeln!(s)?;
    calibration_table(s, &e.model_calibration)?;
    writeln!(s)?;

    writeln!(s, "## Performance by group")?;
    writeln!(s)?;
    writeln!(
        s,
        "Figures within each group at the same capacity (the team's top {} overall). Groups \
         of fewer than {SUPPRESS_BELOW} households are not shown, and counts under \
         {SUPPRESS_BELOW} are shown as \"<{SUPPRESS_BELOW}\".",
        e.k
    )?;
    writeln!(s)?;
    let given = |name: &str| subgroups.iter().find(|(g, _)| g.eq_ignore_ascii_case(name));
    for (name, what) in REQUIRED_GROUPS {
        writeln!(s, "### By {name}")?;
        writeln!(s)?;
        match given(name) {
            Some((_, groups)) => group_table(s, groups)?,
            None => writeln!(
                s,
                "**Gap:** not measured. The platform's records do not hold {what}, so the \
                 model's performance for these groups is unknown. Measure it before relying on \
                 the model (for example with a survey sample or a matched dataset held under \
                 its own lawful basis)."
            )?,
        }
        writeln!(s)?;
    }
    for (name, groups) in subgroups {
        if REQUIRED_GROUPS
            .iter()
            .any(|(r, _)| name.eq_ignore_ascii_case(r))
        {
            continue;
        }
        writeln!(s, "### By {name}")?;
        writeln!(s)?;
        group_table(s, groups)?;
        writeln!(s)?;
    }

    writeln!(s, "## Limits")?;
    writeln!(s)?;
    for line in [
        "It learns from what council systems recorded. Crises handled elsewhere (a private \
         eviction without an approach to the council, help from family or a charity) are \
         invisible, so some households at real risk score low.",
        "It reflects who the council already sees: households who claim benefits or rent from \
         the council leave more records, so their risks are better measured than owner \
         occupiers' or private renters'.",
        "Records link imperfectly; a missed or wrong link changes a household's features.",
        "Probabilities are calibrated on the most recent training months; a change in policy, \
         prices or recording practice can make them drift. Retrain and re-evaluate at least \
         every quarter, and compare with this card.",
        "A high score is a reason to offer help, not evidence that anyone has done anything \
         wrong. A low score is not a reason to refuse help.",
        "Reasons are the features that raise this household's score most compared with an \
         average household; they explain the model, not the household's circumstances.",
    ] {
        writeln!(s, "- {line}")?;
    }
    Ok(())
}

fn calibration_table(s: &mut String, bins: &[CalibrationBin]) -> std::fmt::Result {
    writeln!(s, "| tenth | households | mean predicted | observed |")?;
    writeln!(s, "| ---: | ---: | ---: | ---: |")?;
    for b in bins {
        if b.households < SUPPRESS_BELOW {
            writeln!(s, "| {} | <{SUPPRESS_BELOW} | – | – |", b.decile)?;
            continue;
        }
        let observed = if b.crises > 0 && b.crises < SUPPRESS_BELOW {
            format!("<{SUPPRESS_BELOW} crises")
        } else {
            pct(b.observed_rate)
        };
        writeln!(
            s,
            "| {} | {} | {} | {} |",
            b.decile,
            b.households,
            pct(b.mean_predicted),
            observed
        )?;
    }
    Ok(())
}

fn group_table(s: &mut String, groups: &[(String, EvaluationFigures)]) -> std::fmt::Result {
    writeln!(
        s,
        "| group | households | crises | AUC | selected | precision at capacity | recall at capacity | mean predicted | observed |"
    )?;
    writeln!(
        s,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )?;
    for (label, f) in groups {
        if f.households < SUPPRESS_BELOW {
            writeln!(
                s,
                "| {label} | <{SUPPRESS_BELOW} | suppressed | – | – | – | – | – | – |"
            )?;
            continue;
        }
        // Rates built on fewer than 10 crises or selections would reveal them.
        let few_crises = f.crises < SUPPRESS_BELOW;
        let few_selected = f.selected > 0 && f.selected < SUPPRESS_BELOW;
        writeln!(
            s,
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {} |",
            f.households,
            count(f.crises),
            if few_crises {
                "–".into()
            } else {
                opt3(f.auc)
            },
            count(f.selected),
            if few_selected || few_crises {
                "–".into()
            } else {
                opt_pct(f.precision_at_k)
            },
            if few_crises {
                "–".into()
            } else {
                opt_pct(f.recall_at_k)
            },
            pct(f.mean_predicted),
            if few_crises {
                "–".into()
            } else {
                pct(f.observed_rate)
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{by_age_group, evaluate, test_set};
    use crate::model::synth::{cutoffs, day, town};
    use crate::model::{train, training_set, FitOptions};

    fn card(extra: bool) -> String {
        let t = town(2000, 36, 21);
        let Ok(set) = training_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            &cutoffs(2024, 1..=6),
            6,
            day(2024, 12),
        ) else {
            panic!("set")
        };
        let Ok(model) = train(&set, &FitOptions::default()) else {
            panic!("train")
        };
        let Ok(test) = test_set(
            &t.households,
            |h, d| t.events(h, d),
            |h, d| t.resilience(h, d),
            day(2024, 12),
            6,
            day(2025, 6),
        ) else {
            panic!("test")
        };
        let (Ok(e), Ok(ages)) = (
            evaluate(&model, &test, 200),
            by_age_group(&model, &test, 200),
        ) else {
            panic!("evaluate")
        };
        let mut groups = vec![("age group".to_string(), ages)];
        if extra {
            let sex = crate::evaluate::subgroup_figures(&model, &test, 200, |r| {
                Some(
                    if r.household % 2 == 0 {
                        "female"
                    } else {
                        "male"
                    }
                    .to_string(),
                )
            });
            let Ok(sex) = sex else { panic!("sex") };
            let mut tiny = sex[0].1.clone();
            tiny.households = 4;
            groups.push(("Sex".into(), sex));
            groups.push(("ward".into(), vec![("Tiny ward".into(), tiny)]));
        }
        model_card(&model, &e, &groups)
    }

    #[test]
    fn card_has_every_section_and_flags_gaps() {
        let c = card(false);
        for heading in [
            "# Model card: risk of crisis",
            "## Purpose",
            "## Human oversight",
            "## Data used",
            "## How it was trained",
            "## Performance",
            "## Performance by group",
            "### By age group",
            "### By sex",
            "### By ethnicity",
            "### By disability",
            "## Limits",
        ] {
            assert!(c.contains(heading), "missing {heading}");
        }
        assert!(c.contains("The score informs a person, never decides alone"));
        assert_eq!(c.matches("**Gap:** not measured").count(), 3);
        assert!(c.contains("risk-lr-1:"));
        assert!(c.contains("| `resilience` |"));
        assert!(!c.contains("Warning"), "a clean evaluation has no warnings");
    }

    #[test]
    fn given_groups_are_shown_and_small_ones_suppressed() {
        let c = card(true);
        assert_eq!(
            c.matches("**Gap:** not measured").count(),
            2,
            "sex was given"
        );
        assert!(c.contains("| female |"));
        assert!(c.contains("### By ward"));
        assert!(c.contains("| Tiny ward | <10 | suppressed |"));
    }
}
