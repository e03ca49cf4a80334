//! A contact experiment run inside the town, where its answer is known
//! (issue "Reaching out": the experiment must find no effect when the
//! profile's `response.engaged_crisis_reduction` is 0).
//!
//! The town lives to its first written month; households showing money
//! trouble then (in difficulty, rent arrears, or council tax recovery
//! begun) are the cohort, the shape of a prevention team's campaign. The
//! caller decides who is held back; everyone else gets a letter, and a text
//! where someone in the household has a mobile, through the same answering
//! as `upstream town advance`. The town then lives `months_after` more
//! months and each cohort household's crises are counted from what truly
//! happened. In memory: no files, so many seeds can be run.

use crate::life::{Calibration, World};
use crate::response::{Contact, ContactKind};
use crate::town::{CtStage, HouseholdId};
use crate::{Profile, BURN_IN_MONTHS};
use std::collections::HashSet;
use upstream_core::CrisisKind;

/// One cohort household's part in the trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrialHousehold {
    pub household: HouseholdId,
    pub held_back: bool,
    /// Answered or spoke with the council (contact arm only).
    pub engaged: bool,
    /// A homelessness approach, temporary accommodation, a crisis grant or
    /// a food bank referral within `months_after`: what a prevention team
    /// is there to prevent.
    pub crisis: bool,
}

/// Run the trial for one town (see the module's note).
pub fn run(
    profile: &Profile,
    households: u32,
    seed: u64,
    months_after: u32,
    held_back: &dyn Fn(HouseholdId) -> bool,
) -> Vec<TrialHousehold> {
    let start = profile.town.start_month;
    let first = start.plus(-(BURN_IN_MONTHS as i32));
    let calibration = World::calibrate(profile, seed, first);
    let mut world = World::new(profile.clone(), households, seed, first);
    world.calib = Calibration {
        tuning: true,
        ..calibration
    };
    for _ in 0..BURN_IN_MONTHS {
        world.step();
    }
    world.calib.tuning = false;
    world.step();
    let month = start;

    let cohort: Vec<HouseholdId> = world
        .households
        .iter()
        .filter(|h| {
            h.active
                && (h.in_difficulty
                    || h.rent_arrears.is_positive()
                    || h.ct_stage >= CtStage::Reminder)
        })
        .map(|h| h.id)
        .collect();
    let date = month.first_day() + chrono::Days::new(9);
    let mut contacts = Vec::new();
    for &hh in cohort.iter().filter(|h| !held_back(**h)) {
        let h = &world.households[hh as usize];
        let home = &world.geo.dwellings[h.dwelling as usize];
        let members: Vec<_> = h
            .members
            .iter()
            .map(|p| &world.people[*p as usize])
            .filter(|p| p.alive)
            .collect();
        let addressee = members
            .iter()
            .find(|p| p.is_adult(date))
            .map(|p| format!("{} {}", p.forename, p.surname))
            .unwrap_or_default();
        let letter = Contact {
            reference: format!("trial-{hh}-letter"),
            date,
            kind: ContactKind::Letter,
            phone: String::new(),
            email: String::new(),
            uprn: Some(home.uprn),
            postcode: home.postcode.clone(),
            address: home.line1.clone(),
            addressee,
            language: "en".into(),
        };
        if let Some(phone) = members.iter().find_map(|p| p.phone.clone()) {
            contacts.push(Contact {
                reference: format!("trial-{hh}-text"),
                kind: ContactKind::Sms,
                phone,
                ..letter.clone()
            });
        }
        contacts.push(letter);
    }
    world.answer(&contacts, month, seed);
    let engaged: HashSet<HouseholdId> = world.engaged.keys().copied().collect();

    let mut crises: HashSet<HouseholdId> = HashSet::new();
    for _ in 0..months_after {
        for happening in world.step() {
            if matches!(
                happening.crisis,
                Some(
                    CrisisKind::HomelessnessPrevention
                        | CrisisKind::HomelessnessRelief
                        | CrisisKind::TemporaryAccommodation
                        | CrisisKind::CrisisGrant
                        | CrisisKind::FoodBank
                )
            ) {
                crises.insert(happening.household);
            }
        }
    }
    cohort
        .into_iter()
        .map(|hh| TrialHousehold {
            household: hh,
            held_back: held_back(hh),
            engaged: engaged.contains(&hh),
            crisis: crises.contains(&hh),
        })
        .collect()
}
