//! Assessment and the weekly lists: read the single view from the store,
//! run the pure assessment crate over it, and save what it found.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, Months, NaiveDate};
use std::path::Path;
use upstream_assess::{HouseholdInput, Member, Observation};
use upstream_store::{LinkedObservation, StoredHousehold};

use crate::{Error, Result};
use rayon::prelude::*;
use upstream_assess::events::{detect, detect_in, EventLibrary, Records};
use upstream_assess::model::{self, ChunkedTraining, FitOptions, Model, HORIZON_MONTHS};
use upstream_assess::outcomes::{add_months, in_crisis};
use upstream_assess::personas::{persona, PersonaFacts, PersonaRules};
use upstream_assess::resilience::{resilience, resilience_in};
use upstream_assess::worklist::{self, Candidate, Exclusions, FastTrack, TeamSettings};
use upstream_assess::{features::features, Resilience};
use upstream_store::{
    AssessmentSave, NewWorklist, SavedAssessment, SavedEvent, Store, WorklistRow,
};

use crate::refuse as user_error;

/// The last day of the month a date falls in.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.checked_sub_days(Days::new(1)))
        .unwrap_or(d)
}

/// The postcode district ("B18" of "B18 6PQ"): the area teams cover.
pub fn district(postcode: &str) -> Option<String> {
    postcode.split_whitespace().next().map(str::to_string)
}

/// Build every household's assessment input from the stored single view.
/// A snapshot row becomes known at the end of its extract's month, never
/// earlier, so "as of" a date sees only what the council could have seen.
pub fn household_inputs(
    households: &[StoredHousehold],
    observations: Vec<LinkedObservation>,
) -> Vec<HouseholdInput> {
    let mut by_person: HashMap<i64, Vec<Observation>> = HashMap::new();
    for o in observations {
        let known_on = match (o.extract_date, o.event_date) {
            (Some(e), _) => month_end(e),
            (None, Some(ev)) => ev,
            (None, None) => continue,
        };
        // Attributes were written by ingest as a flat JSON object of strings.
        let attributes: BTreeMap<String, String> =
            serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&o.attributes)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect();
        by_person.entry(o.person).or_default().push(Observation {
            source: o.source,
            record_key: o.record_key,
            person: o.person,
            row_means: o.row_means,
            known_on,
            event_date: o.event_date,
            dob: o.dob,
            attributes,
        });
    }
    let members_of = |person: i64| -> Member {
        let obs = by_person.get(&person);
        // The date of birth most records agree on.
        let mut dobs: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for o in obs.into_iter().flatten() {
            if let Some(d) = o.dob {
                *dobs.entry(d).or_default() += 1;
            }
        }
        let dob = dobs
            .into_iter()
            .max_by_key(|(d, n)| (*n, *d))
            .map(|(d, _)| d);
        let first_seen = obs
            .into_iter()
            .flatten()
            .map(|o| o.event_date.unwrap_or(o.known_on).min(o.known_on))
            .min();
        Member {
            person,
            dob,
            first_seen,
        }
    };
    households
        .iter()
        .map(|h| {
            // A household's records are its members' while they live there:
            // a member's earlier records (from a previous home) become the
            // household's when they join, and their records after they
            // leave are not its at all. So an assessment as of a date sees
            // the people who lived there then, and nothing of later members.
            let mut observations: Vec<Observation> = h
                .members
                .iter()
                .zip(&h.stays)
                .filter_map(|(m, stay)| Some((by_person.get(m)?, stay)))
                .flat_map(|(obs, &(from, to))| {
                    let open = h.current && to == h.to;
                    obs.iter().filter_map(move |o| {
                        if !open && o.known_on > month_end(to) {
                            return None;
                        }
                        let mut o = o.clone();
                        o.known_on = o.known_on.max(from);
                        Some(o)
                    })
                })
                .collect();
            observations.sort_by(|a, b| {
                (a.known_on, &a.source, &a.record_key).cmp(&(b.known_on, &b.source, &b.record_key))
            });
            HouseholdInput {
                household: h.id,
                area: h.postcode.as_deref().and_then(district),
                members: h.members.iter().map(|&m| members_of(m)).collect(),
                moved_in: Some(h.from),
                observations,
            }
        })
        .collect()
}

/// Households living at their address on a date: seen there by then, and
/// still seen within a month of it (extracts are monthly).
pub fn alive_on(h: &StoredHousehold, on: NaiveDate) -> bool {
    h.from <= on && month_end(h.to) >= on
}

// ---- the commands ----------------------------------------------------------

/// The event library and persona rules in force, with the text stored beside each run.
pub struct Settings {
    pub library: EventLibrary,
    pub rules: PersonaRules,
    pub library_text: String,
}

impl Settings {
    pub fn load(events: Option<&Path>, personas: Option<&Path>) -> Result<Settings> {
        let (library, library_text) = match events {
            None => (
                EventLibrary::built_in(),
                EventLibrary::built_in_text().to_string(),
            ),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
                let lib = match EventLibrary::from_toml(&text, &p.display().to_string()) {
                    Ok(l) => l,
                    Err(e) => user_error!("{e}"),
                };
                (lib, text)
            }
        };
        let rules = match personas {
            None => PersonaRules::built_in(),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
                match PersonaRules::from_toml(&text, &p.display().to_string()) {
                    Ok(r) => r,
                    Err(e) => user_error!("{e}"),
                }
            }
        };
        let file = personas.map_or("personas.toml".to_string(), |p| p.display().to_string());
        if let Err(e) = rules.check_against(&library, &file) {
            user_error!("{e}");
        }
        Ok(Settings {
            library,
            rules,
            library_text,
        })
    }
}

/// The single view, ready for assessment.
pub struct Loaded {
    pub link_run: i64,
    pub stored: Vec<StoredHousehold>,
    pub inputs: Vec<HouseholdInput>,
    /// The first and last dates any record became known.
    pub data_start: NaiveDate,
    pub data_end: NaiveDate,
}

pub async fn load(store: &Store) -> Result<Loaded> {
    let Some(run) = store.latest_link_run().await? else {
        user_error!(
            "There is no single view yet: run `upstream ingest` and `upstream link` first."
        );
    };
    let stored = store.households().await?;
    let inputs = household_inputs(&stored, store.linked_observations().await?);
    let known = inputs
        .iter()
        .flat_map(|h| &h.observations)
        .map(|o| o.known_on);
    let (Some(data_start), Some(data_end)) = (known.clone().min(), known.max()) else {
        user_error!("The single view holds no records to assess.");
    };
    Ok(Loaded {
        link_run: run.id,
        stored,
        inputs,
        data_start,
        data_end,
    })
}

/// Month ends to learn from before `until`: each needs three months of
/// history before it and its whole six-month outcome window by `until`.
/// The latest twelve at most: old patterns matter less, and time counts.
pub fn training_cutoffs(data_start: NaiveDate, until: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = month_end(add_months(data_start, 3).unwrap_or(data_start));
    while let Some(end) = add_months(m, HORIZON_MONTHS) {
        if end > until {
            break;
        }
        out.push(m);
        m = match add_months(m, 1) {
            Some(n) => month_end(n),
            None => break,
        };
    }
    let skip = out.len().saturating_sub(12);
    out.split_off(skip)
}

pub fn train_until(s: &Settings, l: &Loaded, until: NaiveDate) -> Result<Model> {
    let cutoffs = training_cutoffs(l.data_start, until);
    if cutoffs.is_empty() {
        user_error!(
            "To learn from the council's own history the risk model needs records from at least 9 months before {until} (3 months of history and 6 of outcomes); the records start on {}.",
            l.data_start
        );
    }
    let lib = &s.library;
    let set = model::training_set(
        &l.inputs,
        |h: &HouseholdInput, d: NaiveDate| detect(lib, h, d),
        |h: &HouseholdInput, d: NaiveDate| resilience(h, d),
        &cutoffs,
        HORIZON_MONTHS,
        until,
    )?;
    Ok(model::train(&set, &FitOptions::default())?)
}

pub struct AssessSummary {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub model_version: String,
    pub assessed: usize,
    pub in_crisis: usize,
    pub events: usize,
    pub personas: BTreeMap<String, usize>,
    pub bands: BTreeMap<String, usize>,
    pub high_risk: usize,
}

/// One household assessed as of a date.
pub struct Assessed {
    pub saved: SavedAssessment,
    pub events: Vec<SavedEvent>,
}

pub fn assess_one(s: &Settings, m: &Model, h: &HouseholdInput, as_of: NaiveDate) -> Assessed {
    let records = Records::new(h, as_of);
    let events = detect_in(&s.library, &records, as_of);
    let res: Resilience = resilience_in(h, &records, as_of);
    let crisis = in_crisis(h, as_of);
    // Those already in crisis are known to services: no score, no worklist.
    let score = (!crisis).then(|| m.score(&features(h, &events, &res, as_of)));
    let probability = score.as_ref().map_or(0.0, |s| s.probability);
    let facts = PersonaFacts::derive_in(&s.rules, &s.library, &records, &events, as_of);
    let (p, reason) = persona(&s.rules, &facts, probability, &res);
    let saved = SavedAssessment {
        household_id: h.household,
        in_crisis: crisis,
        probability: score.as_ref().map(|s| s.probability),
        reasons: serde_json::to_string(&score.map(|s| s.reasons).unwrap_or_default())
            .unwrap_or_else(|_| "[]".into()),
        resilience: i32::from(res.score),
        resilience_band: format!("{:?}", res.band).to_lowercase(),
        resilience_parts: serde_json::to_string(&res.parts).unwrap_or_else(|_| "[]".into()),
        persona: p.as_str().to_string(),
        persona_reason: reason,
    };
    let events = events
        .into_iter()
        .map(|e| SavedEvent {
            household_id: h.household,
            evidence: serde_json::to_string(&e.evidence).unwrap_or_else(|_| "[]".into()),
            event: e.event,
            date: e.date,
            person_id: e.person,
            detail: e.detail,
        })
        .collect();
    Assessed { saved, events }
}

/// Households read from storage at a time: memory holds one chunk's record
/// versions (about a quarter of a megabyte a household), not the council's.
pub const CHUNK: i64 = 1_000;

/// Call `f` with each chunk of households, in id order, with their
/// assessment inputs.
pub async fn for_each_chunk(
    store: &Store,
    mut f: impl FnMut(&[StoredHousehold], Vec<HouseholdInput>) -> Result<()>,
) -> Result<()> {
    let mut after = i64::MIN;
    loop {
        let households = store.households_page(after, CHUNK).await?;
        let Some(last) = households.last() else {
            return Ok(());
        };
        after = last.id;
        let mut people: Vec<i64> = households
            .iter()
            .flat_map(|h| h.members.iter().copied())
            .collect();
        people.sort_unstable();
        people.dedup();
        let observations = store.linked_observations_of(&people).await?;
        let inputs = household_inputs(&households, observations);
        f(&households, inputs)?;
    }
}

/// The first and last dates any record of a household member became known,
/// asked of storage rather than read: a snapshot is known at the end of its
/// extract's month, an event on its date (as `household_inputs` has it).
pub async fn span(store: &Store) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let (e0, e1, v0, v1) = store.observed_span().await?;
    let start = [e0.map(month_end), v0].into_iter().flatten().min();
    let end = [e1.map(month_end), v1].into_iter().flatten().max();
    Ok(start.zip(end))
}

/// The risk model learnt from every household's history before `until`,
/// reading the households a chunk at a time (twice: once to count crises,
/// once for the features of the rows sampled).
pub async fn train_streaming(
    store: &Store,
    s: &Settings,
    data_start: NaiveDate,
    until: NaiveDate,
) -> Result<Model> {
    let cutoffs = training_cutoffs(data_start, until);
    if cutoffs.is_empty() {
        user_error!(
            "To learn from the council's own history the risk model needs records from at least 9 months before {until} (3 months of history and 6 of outcomes); the records start on {data_start}."
        );
    }
    let mut training = ChunkedTraining::new(
        &cutoffs,
        HORIZON_MONTHS,
        until,
        Some(model::DEFAULT_MAX_ROWS),
    )?;
    for_each_chunk(store, |_, inputs| Ok(training.count(&inputs)?)).await?;
    let lib = &s.library;
    let events = |h: &HouseholdInput, d: NaiveDate| detect(lib, h, d);
    let res = |h: &HouseholdInput, d: NaiveDate| resilience(h, d);
    for_each_chunk(store, |_, inputs| {
        Ok(training.add_rows(&inputs, &events, &res)?)
    })
    .await?;
    Ok(model::train(&training.finish(), &FitOptions::default())?)
}

/// `upstream assess`: events, risk, resilience and personas for every
/// household living in the area on the date, stored with the model version.
/// Households are read, and assessed, a chunk at a time.
pub async fn assess(
    store: &Store,
    s: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<AssessSummary> {
    let Some(run) = store.latest_link_run().await? else {
        user_error!(
            "There is no single view yet: run `upstream ingest` and `upstream link` first."
        );
    };
    let Some((data_start, data_end)) = span(store).await? else {
        user_error!("The single view holds no records to assess.");
    };
    let as_of = as_of.unwrap_or(data_end);
    if as_of < data_start {
        user_error!("--as-of {as_of} is before the first record ({data_start}).");
    }
    let m = train_streaming(store, s, data_start, as_of).await?;
    let mut summary = AssessSummary {
        run_id: 0,
        as_of,
        model_version: m.version.clone(),
        assessed: 0,
        in_crisis: 0,
        events: 0,
        personas: BTreeMap::new(),
        bands: BTreeMap::new(),
        high_risk: 0,
    };
    let mut save = AssessmentSave {
        as_of: Some(as_of),
        model_version: m.version.clone(),
        model: m.to_json()?,
        library: s.library_text.clone(),
        ..AssessmentSave::default()
    };
    for_each_chunk(store, |stored, inputs| {
        let alive: Vec<&HouseholdInput> = inputs
            .iter()
            .zip(stored)
            .filter(|(_, st)| alive_on(st, as_of))
            .map(|(h, _)| h)
            .collect();
        let results: Vec<Assessed> = alive
            .par_iter()
            .map(|h| assess_one(s, &m, h, as_of))
            .collect();
        for a in results {
            summary.assessed += 1;
            summary.in_crisis += usize::from(a.saved.in_crisis);
            summary.events += a.events.len();
            summary.high_risk += usize::from(a.saved.probability.is_some_and(|p| p >= 0.1));
            *summary.personas.entry(a.saved.persona.clone()).or_default() += 1;
            *summary
                .bands
                .entry(a.saved.resilience_band.clone())
                .or_default() += 1;
            save.assessments.push(a.saved);
            save.events.extend(a.events);
        }
        Ok(())
    })
    .await?;
    summary.run_id = store.save_assessment(run.id, &save).await?;
    Ok(summary)
}

/// The Monday on or before a date: weeks start on Mondays.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

fn team_settings(t: &upstream_store::Team) -> TeamSettings {
    TeamSettings {
        name: t.name.clone(),
        capacity: usize::try_from(t.capacity).unwrap_or(0),
        areas: (!t.areas.is_empty()).then(|| t.areas.clone()),
        recent_contact_days: u32::try_from(t.recent_contact_days).unwrap_or(0),
        min_probability: t.min_probability,
    }
}

/// A team's list for a week, as kept.
pub struct Worklist {
    pub kept: WorklistRow,
    /// Whether this call made it (false: it was already kept).
    pub made: bool,
    /// Fast-tracked households the assessment did not cover (gone, or not
    /// living here on its date).
    pub unknown_flags: Vec<i64>,
    /// The date of the assessment it was made from.
    pub as_of: NaiveDate,
}

/// The week a list made from an assessment as of a date is for: the one
/// after the data ends.
pub fn list_week(as_of: NaiveDate) -> NaiveDate {
    week_start(as_of + chrono::Duration::days(1))
}

/// A team's list for a week, made from the latest assessment the first time
/// and kept; asked again, the kept list.
pub async fn worklist(store: &Store, team: &str, week: Option<NaiveDate>) -> Result<Worklist> {
    let teams = store.teams().await?;
    let Some(t) = teams.iter().find(|t| t.name == team) else {
        let names: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
        user_error!(
            "No team called '{team}'. Teams: {}. Add one with `upstream teams set`.",
            if names.is_empty() {
                "none yet".to_string()
            } else {
                names.join(", ")
            }
        );
    };
    let Some(run) = store.latest_assessment_run().await? else {
        user_error!("No assessment yet: run `upstream assess` first.");
    };
    let week = week.map_or_else(|| list_week(run.as_of), week_start);
    let mut unknown_flags = Vec::new();
    let (kept, made) = match store.worklist(team, week).await? {
        Some(k) => (k, false),
        None => {
            let settings = team_settings(t);
            if let Err(e) = settings.validate() {
                user_error!("{e}");
            }
            let assessments = store.assessments(run.id).await?;
            let stored = store.households().await?;
            let area: HashMap<i64, Option<String>> = stored
                .iter()
                .map(|h| (h.id, h.postcode.as_deref().and_then(district)))
                .collect();
            let candidates: Vec<Candidate> = assessments
                .iter()
                .filter_map(|a| {
                    Some(Candidate {
                        household: a.household_id,
                        probability: a.probability?,
                        reasons: serde_json::from_str(&a.reasons).unwrap_or_default(),
                        persona: upstream_assess::personas::Persona::parse(&a.persona)?,
                        area: area.get(&a.household_id).cloned().flatten(),
                    })
                })
                .collect();
            let exclusions = Exclusions {
                open_cases: store.open_case_households().await?.into_iter().collect(),
                contacts: store.last_contacts().await?,
                do_not_contact: store.do_not_contact().await?.into_iter().collect(),
            };
            let flags: Vec<FastTrack> = store
                .flags()
                .await?
                .into_iter()
                .filter(|f| f.cleared_at.is_none())
                .filter_map(|f| {
                    let set_on = NaiveDate::parse_from_str(f.set_at.get(..10)?, "%Y-%m-%d").ok()?;
                    Some(FastTrack {
                        household: f.household_id,
                        set_by: f.set_by,
                        // A list is made once and kept, never rebuilt, so a
                        // flag open now counts for the list made now, even
                        // for a week before it was set (a simulated town's
                        // weeks lie in the past).
                        set_at: set_on.min(week),
                        reason: f.reason,
                        expires_on: f.expires_on,
                    })
                })
                .collect();
            let list = worklist::build(&settings, week, &candidates, &exclusions, &flags);
            let new = NewWorklist {
                team: team.to_string(),
                week_start: week,
                assessment_run_id: run.id,
                capacity: t.capacity,
                excluded: serde_json::to_string(&list.counts)?,
                entries: list
                    .entries
                    .iter()
                    .map(|e| upstream_store::WorklistEntryRow {
                        rank: i32::try_from(e.rank).unwrap_or(i32::MAX),
                        household_id: e.household,
                        probability: Some(e.probability),
                        persona: e.persona.as_str().to_string(),
                        fast_tracked: e.fast_track.is_some(),
                        why: e.why.clone(),
                        names: None,
                    })
                    .collect(),
            };
            unknown_flags.clone_from(&list.unknown_flags);
            store.keep_worklist(&new).await?
        }
    };
    Ok(Worklist {
        kept,
        made,
        unknown_flags,
        as_of: run.as_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn month_ends() {
        assert_eq!(month_end(d("2024-02-01")), d("2024-02-29"));
        assert_eq!(month_end(d("2024-12-15")), d("2024-12-31"));
    }

    #[test]
    fn snapshots_become_known_at_the_end_of_their_month() {
        let hh = StoredHousehold {
            id: 7,
            from: d("2024-04-01"),
            to: d("2024-06-01"),
            current: true,
            address_key: "uprn:1".into(),
            address: None,
            postcode: Some("B18 6PQ".into()),
            members: vec![1],
            stays: vec![(d("2024-04-01"), d("2024-06-01"))],
        };
        let obs = vec![LinkedObservation {
            person: 1,
            source: "rent".into(),
            record_key: "T1/1".into(),
            row_means: "tenant_on_tenancy".into(),
            extract_date: Some(d("2024-05-01")),
            event_date: Some(d("2020-01-01")),
            dob: Some(d("1980-01-01")),
            attributes: r#"{"balance":"1234","arrears_action":""}"#.into(),
        }];
        let inputs = household_inputs(std::slice::from_ref(&hh), obs);
        assert_eq!(inputs[0].observations[0].known_on, d("2024-05-31"));
        assert_eq!(inputs[0].observations[0].int("balance"), Some(1234));
        assert_eq!(inputs[0].area.as_deref(), Some("B18"));
        assert_eq!(inputs[0].members[0].dob, Some(d("1980-01-01")));
        assert!(alive_on(&hh, d("2024-06-30")));
        assert!(!alive_on(&hh, d("2024-07-01")));
    }
}
