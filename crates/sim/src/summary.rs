//! Aggregates of a run beside the profile's targets, and the escalation
//! figures behind the community-resilience hypothesis.

use crate::life::{EventKind, Happening, World};
use crate::profile::Profile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use upstream_core::{CrisisKind, Month, SourceSystem, Tenure};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub source: SourceSystem,
    pub period: Month,
    pub path: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub profile: String,
    pub town: String,
    pub council_name: String,
    pub seed: u64,
    pub households: u32,
    pub months: u32,
    pub start_month: Month,
    pub end_month: Month,
    pub burn_in_months: u32,
    pub files: Vec<FileEntry>,
    /// The gazetteer's monthly exports: the first full, then changes only
    /// (`docs/gazetteer.md`). Not a source of person records, so listed apart.
    #[serde(default)]
    pub gazetteer: Vec<GazetteerFile>,
}

/// One gazetteer export file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GazetteerFile {
    pub period: Month,
    pub path: String,
    pub rows: u64,
}

/// Headline figures, as targets (from the profile) or as observed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Figures {
    pub owner_share: f64,
    pub private_rent_share: f64,
    pub social_rent_share: f64,
    pub temporary_accommodation_share: f64,
    pub council_tax_arrears_prevalence: f64,
    pub social_rent_arrears_prevalence: f64,
    pub private_rent_arrears_prevalence: f64,
    pub duties_per_1000_households: f64,
    pub ta_per_1000_households: f64,
    pub crisis_grants_per_1000_households: f64,
    pub food_bank_per_1000_households: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MonthFigures {
    pub month: Month,
    pub households: usize,
    pub in_difficulty: usize,
    pub council_tax_in_arrears: usize,
    pub in_temporary_accommodation: usize,
    pub crises: BTreeMap<String, usize>,
}

/// Escalation after a trigger event, by community embeddedness group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Escalation {
    pub group: String,
    pub embeddedness_from: f64,
    pub embeddedness_to: f64,
    pub households: usize,
    pub escalated: usize,
    pub rate: f64,
    /// 95% Wilson interval for the rate.
    pub rate_low: f64,
    pub rate_high: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub households_at_end: usize,
    pub people_ever: usize,
    pub embeddedness_effect: f64,
    /// How far engaging with the council lowers crises (`response`); what
    /// `upstream town advance` simulates again with.
    #[serde(default)]
    pub engaged_crisis_reduction: Option<f64>,
    pub target: Figures,
    pub observed: Figures,
    pub monthly: Vec<MonthFigures>,
    /// Households whose first trigger event fell at least 6 months before the
    /// end, and whether a crisis followed within 6 months.
    pub escalation: Vec<Escalation>,
    pub rows_by_source: BTreeMap<String, u64>,
}

pub(crate) struct Collector {
    target: Figures,
    start: Month,
    months: u32,
    tenure_sum: [f64; 4],
    ct_sum: f64,
    soc_sum: f64,
    prs_sum: f64,
    ta_sum: f64,
    hh_sum: f64,
    crises: BTreeMap<CrisisKind, usize>,
    monthly: Vec<MonthFigures>,
    /// Per household: (month of first trigger, embeddedness then, first crisis month after it).
    triggered: Vec<Option<(Month, f64, Option<Month>)>>,
}

impl Collector {
    pub fn new(p: &Profile, start: Month, months: u32) -> Collector {
        let t = &p.tenure;
        Collector {
            target: Figures {
                owner_share: t.owner,
                private_rent_share: t.private_rent,
                social_rent_share: t.social_rent,
                temporary_accommodation_share: t.temporary_accommodation,
                council_tax_arrears_prevalence: p.arrears.council_tax_arrears_prevalence,
                social_rent_arrears_prevalence: p.arrears.social_rent_arrears_prevalence,
                private_rent_arrears_prevalence: p.arrears.private_rent_arrears_prevalence,
                duties_per_1000_households: p.homelessness.duties_per_1000_households,
                ta_per_1000_households: p.homelessness.ta_per_1000_households,
                crisis_grants_per_1000_households: p
                    .crisis_support
                    .crisis_grants_per_1000_households,
                food_bank_per_1000_households: p.crisis_support.food_bank_per_1000_households,
            },
            start,
            months,
            tenure_sum: [0.0; 4],
            ct_sum: 0.0,
            soc_sum: 0.0,
            prs_sum: 0.0,
            ta_sum: 0.0,
            hh_sum: 0.0,
            crises: BTreeMap::new(),
            monthly: Vec::new(),
            triggered: Vec::new(),
        }
    }

    pub fn month(&mut self, w: &World, happenings: &[Happening], month: Month) {
        let (mut n, mut tenure, mut ct, mut ct_n, mut soc, mut soc_n, mut prs, mut prs_n, mut diff) =
            (0usize, [0usize; 4], 0, 0, 0, 0, 0, 0, 0);
        for h in w.households.iter().filter(|h| h.active) {
            n += 1;
            let t = match h.tenure {
                Tenure::Owner => 0,
                Tenure::PrivateRent => 1,
                Tenure::SocialRent => 2,
                Tenure::TemporaryAccommodation => 3,
            };
            tenure[t] += 1;
            diff += h.in_difficulty as usize;
            if h.tenure != Tenure::TemporaryAccommodation && !h.student_let {
                ct_n += 1;
                ct += h.ct_arrears.is_positive() as usize;
            }
            if t == 1 {
                prs_n += 1;
                prs += h.rent_arrears.is_positive() as usize;
            }
            if t == 2 {
                soc_n += 1;
                soc += h.rent_arrears.is_positive() as usize;
            }
        }
        let nf = n.max(1) as f64;
        for (s, c) in self.tenure_sum.iter_mut().zip(tenure) {
            *s += c as f64 / nf;
        }
        self.ct_sum += ct as f64 / ct_n.max(1) as f64;
        self.soc_sum += soc as f64 / soc_n.max(1) as f64;
        self.prs_sum += prs as f64 / prs_n.max(1) as f64;
        self.ta_sum += tenure[3] as f64 / nf * 1000.0;
        self.hh_sum += nf;

        if self.triggered.len() < w.households.len() {
            self.triggered.resize(w.households.len(), None);
        }
        let mut month_crises = BTreeMap::new();
        for hap in happenings {
            let hh = hap.household as usize;
            if hap.kind.is_trigger() && self.triggered[hh].is_none() {
                self.triggered[hh] = Some((month, w.households[hh].embeddedness, None));
            }
            if let Some(kind) = hap.crisis {
                *self.crises.entry(kind).or_default() += 1;
                *month_crises.entry(kind.as_str().to_string()).or_default() += 1;
                if let Some((t, e, None)) = self.triggered[hh] {
                    if month > t {
                        self.triggered[hh] = Some((t, e, Some(month)));
                    }
                }
            }
            let _ = EventKind::Crisis;
        }
        self.monthly.push(MonthFigures {
            month,
            households: n,
            in_difficulty: diff,
            council_tax_in_arrears: ct,
            in_temporary_accommodation: tenure[3],
            crises: month_crises,
        });
    }

    pub fn finish(self, w: &World, files: Vec<FileEntry>) -> Summary {
        let m = self.months.max(1) as f64;
        let mean_households = self.hh_sum / m;
        let per_1000_year = |k: &[CrisisKind]| {
            k.iter()
                .map(|k| self.crises.get(k).copied().unwrap_or(0))
                .sum::<usize>() as f64
                / mean_households
                * 1000.0
                * 12.0
                / m
        };
        // A duty is counted once per case: new prevention duties plus relief duties not preceded by prevention.
        let duties = w
            .cases
            .iter()
            .filter(|c| Month::of(c.approached) >= self.start)
            .count() as f64
            / mean_households
            * 1000.0
            * 12.0
            / m;
        let observed = Figures {
            owner_share: self.tenure_sum[0] / m,
            private_rent_share: self.tenure_sum[1] / m,
            social_rent_share: self.tenure_sum[2] / m,
            temporary_accommodation_share: self.tenure_sum[3] / m,
            council_tax_arrears_prevalence: self.ct_sum / m,
            social_rent_arrears_prevalence: self.soc_sum / m,
            private_rent_arrears_prevalence: self.prs_sum / m,
            duties_per_1000_households: duties,
            ta_per_1000_households: self.ta_sum / m,
            crisis_grants_per_1000_households: per_1000_year(&[CrisisKind::CrisisGrant]),
            food_bank_per_1000_households: per_1000_year(&[CrisisKind::FoodBank]),
        };
        let end = self.start.plus(self.months as i32 - 1);
        let mut cohort: Vec<(f64, bool)> = self
            .triggered
            .iter()
            .flatten()
            .filter(|(t, _, _)| end.since(*t) >= 6)
            .map(|(t, e, c)| (*e, c.is_some_and(|c| c.since(*t) <= 6)))
            .collect();
        cohort.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut escalation = Vec::new();
        let k = cohort.len();
        if k >= 3 {
            for (g, name) in [
                "least embedded third",
                "middle third",
                "most embedded third",
            ]
            .iter()
            .enumerate()
            {
                let part = &cohort[g * k / 3..(g + 1) * k / 3];
                let n = part.len();
                let x = part.iter().filter(|(_, c)| *c).count();
                let (lo, hi) = wilson(x, n);
                escalation.push(Escalation {
                    group: name.to_string(),
                    embeddedness_from: part.first().map(|p| p.0).unwrap_or(0.0),
                    embeddedness_to: part.last().map(|p| p.0).unwrap_or(0.0),
                    households: n,
                    escalated: x,
                    rate: if n > 0 { x as f64 / n as f64 } else { 0.0 },
                    rate_low: lo,
                    rate_high: hi,
                });
            }
        }
        let mut rows_by_source = BTreeMap::new();
        for f in &files {
            *rows_by_source
                .entry(f.source.as_str().to_string())
                .or_default() += f.rows;
        }
        Summary {
            households_at_end: w.n_active(),
            people_ever: w.people.len(),
            embeddedness_effect: w.profile.community.embeddedness_effect,
            engaged_crisis_reduction: Some(w.profile.response.engaged_crisis_reduction),
            target: self.target,
            observed,
            monthly: self.monthly,
            escalation,
            rows_by_source,
        }
    }
}

/// Wilson score interval at 95%.
pub fn wilson(x: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.96f64;
    let n = n as f64;
    let p = x as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n) + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}
