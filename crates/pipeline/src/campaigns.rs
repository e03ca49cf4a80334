//! Campaigns over storage: start one from a team's list (drawing each
//! household into the contact arm or the held-back arm), and each day queue
//! the steps that are due, obeying the contact rules, counting every
//! household left out and why. The rules themselves are the outreach
//! crate's; this module only gathers the facts and keeps the results.

use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashSet};
use upstream_casework::reach::usable;
use upstream_casework::{contact_details, Correction, DetailKind, Sighting};
use upstream_core::Nation;
use upstream_outreach::{
    self as outreach, Channel, Decision, HouseholdFacts, Language, OpenCase, OptOuts, PastContact,
    Policy, Reason, Responses, SafeContact, SentStep, SkipCondition,
};
use upstream_store::{
    ContactPreferences, HouseholdDetail, NewCampaign, NewCampaignStep, NewMessage, Store,
};

/// The fields a template may use: what every household has, from the
/// single view, and the council's own words.
pub const TEMPLATE_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "full_name",
    "address",
    "postcode",
    "council_name",
    "team",
];

/// Households read and queued at a time by a campaign's day.
const RUN_CHUNK: usize = 1_000;

/// The arms of a campaign's experiment.
pub const CONTACT: &str = "contact";
pub const HELD_BACK: &str = "held_back";

/// Who a campaign writes to. Every cohort is of the single view's current
/// households: a family is one household, so it gets one letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cohort {
    /// The team's latest weekly list.
    TeamList,
    /// Current households with a postcode in a district (`B11`) or a
    /// sector (`B11 1`).
    Area(String),
    /// Current households the latest assessment gave this persona.
    Persona(String),
    /// Current households whose risk of crisis at the latest assessment is
    /// at least this many per cent.
    RiskAtLeast(u32),
    /// Households chosen elsewhere (a saved search, a benchmark), with
    /// what they are in words; only current ones join.
    Households { description: String, ids: Vec<i64> },
}

/// A postcode district (`B11`) or sector (`B11 1`) as a `LIKE` pattern on
/// stored postcodes (upper case, one space before the inward code); a
/// district is matched whole, so `B1` is not `B11`.
pub fn area_pattern(prefix: &str) -> Option<String> {
    let p = prefix.split_whitespace().collect::<Vec<_>>().join(" ");
    let p = p.to_ascii_uppercase();
    let (outward, sector) = match p.split_once(' ') {
        Some((o, s)) => (o.to_string(), Some(s.to_string())),
        None => (p.clone(), None),
    };
    let letters = outward
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let rest = &outward[letters..];
    let outward_ok = (1..=2).contains(&letters)
        && rest.chars().next().is_some_and(|c| c.is_ascii_digit())
        && (1..=2).contains(&rest.len())
        && rest.chars().all(|c| c.is_ascii_alphanumeric());
    match sector {
        None if outward_ok => Some(format!("{outward} %")),
        Some(s) if outward_ok && s.len() == 1 && s.chars().all(|c| c.is_ascii_digit()) => {
            Some(format!("{outward} {s}%"))
        }
        _ => None,
    }
}

/// What staff ask for when they start a campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignPlan {
    pub name: String,
    pub team: String,
    pub cohort: Cohort,
    pub steps: Vec<outreach::Step>,
    /// A share held back, not contacted, to measure what contact changed.
    pub holdout_percent: u32,
    pub seed: u64,
}

/// Start a campaign on its cohort (the team's latest list, an area, or
/// households chosen elsewhere). Refused, with why, when the team has no
/// list or the cohort has no current households, a step's template is missing or of another channel,
/// the steps make no sense, or the steps alone would contact a household
/// more often than the policy's contact cap allows (nothing is saved).
pub async fn start_campaign(
    store: &Store,
    plan: &CampaignPlan,
    policy: &Policy,
    by: i64,
    today: NaiveDate,
) -> Result<i64> {
    if plan.name.trim().is_empty() {
        return Err(Error::Refused("Give the campaign a name".into()));
    }
    if plan.holdout_percent > 90 {
        return Err(Error::Refused(
            "Hold back at most 90% of households: a campaign must contact someone".into(),
        ));
    }
    let mut channels = BTreeMap::new();
    for step in &plan.steps {
        if let Some(name) = &step.template_id {
            let t = store.message_template(name, None).await?.ok_or_else(|| {
                Error::Refused(format!("There is no message template called '{name}'"))
            })?;
            if let Some(c) = Channel::parse(&t.channel) {
                channels.insert(name.clone(), c);
            }
        }
    }
    outreach::validate_steps(&plan.steps, &channels).map_err(|problems| {
        Error::Refused(
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    outreach::would_break_cap(&plan.steps, policy).map_err(|b| Error::Refused(b.to_string()))?;
    let (cohort, households) = match &plan.cohort {
        Cohort::TeamList => {
            let list = store.latest_worklist(&plan.team).await?.ok_or_else(|| {
                Error::Refused(format!(
                    "The {} has no weekly list yet: make one first",
                    plan.team
                ))
            })?;
            (
                format!(
                    "The {}'s list for the week of {}",
                    plan.team,
                    list.week_start.format("%-d %B %Y")
                ),
                list.entries.iter().map(|e| e.household_id).collect(),
            )
        }
        Cohort::Area(prefix) => {
            let pattern = area_pattern(prefix).ok_or_else(|| {
                Error::Refused(format!(
                    "'{}' is not a postcode district or sector: give one like B11 or B11 1",
                    prefix.trim()
                ))
            })?;
            let ids = store
                .current_households_with_postcode_like(&pattern)
                .await?;
            let area = pattern.trim_end_matches('%').trim().to_string();
            (format!("Households in {area}"), ids)
        }
        Cohort::Persona(persona) => {
            let persona = persona.trim();
            let ids = store
                .current_households_assessed(Some(persona), None)
                .await?;
            if ids.is_empty() {
                let known = store.latest_personas().await?;
                return Err(Error::Refused(format!(
                    "No current household has the persona '{persona}' at the latest assessment; the personas given are: {}",
                    if known.is_empty() { "none (run `upstream assess` first)".to_string() } else { known.join(", ") }
                )));
            }
            (
                format!("Households the latest assessment calls '{persona}'"),
                ids,
            )
        }
        Cohort::RiskAtLeast(percent) => {
            if !(1..=100).contains(percent) {
                return Err(Error::Refused(format!(
                    "A risk band is a percentage from 1 to 100 (got {percent})"
                )));
            }
            let ids = store
                .current_households_assessed(None, Some(f64::from(*percent) / 100.0))
                .await?;
            (
                format!("Households with a risk of crisis of {percent}% or more at the latest assessment"),
                ids,
            )
        }
        Cohort::Households { description, ids } => (
            description.clone(),
            store.current_households_among(ids).await?,
        ),
    };
    // A team's empty list has always made an empty campaign; a cohort
    // chosen by area or by hand that finds nobody is more likely a mistake.
    if households.is_empty() && plan.cohort != Cohort::TeamList {
        return Err(Error::Refused(format!(
            "{cohort}: no current households, so there is nobody to contact"
        )));
    }
    let holdout = plan.holdout_percent;
    let arms = [(CONTACT, 100 - holdout), (HELD_BACK, holdout)];
    let arms: Vec<(&str, u32)> = arms.into_iter().filter(|(_, share)| *share > 0).collect();
    let mut members = Vec::new();
    let mut seen = HashSet::new();
    for household_id in households {
        if !seen.insert(household_id) {
            continue;
        }
        let arm = outreach::assign(plan.seed, household_id, &arms)
            .map_err(|e| Error::Refused(e.to_string()))?;
        members.push((household_id, arm.to_string()));
    }
    let steps = plan
        .steps
        .iter()
        .map(|s| NewCampaignStep {
            day_offset: s.day as i32,
            channel: s.channel.as_str().to_string(),
            template_name: s.template_id.clone(),
            skip_if: serde_json::to_string(&s.skip_if).unwrap_or_else(|_| "[]".into()),
        })
        .collect();
    let id = store
        .create_campaign(
            &NewCampaign {
                name: plan.name.trim().to_string(),
                team: plan.team.clone(),
                cohort,
                seed: plan.seed as i64,
                holdout_percent: holdout as i32,
                started_on: today,
                steps,
                members,
            },
            by,
        )
        .await?;
    Ok(id)
}

/// What one day's run of a campaign did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CampaignDay {
    pub queued: usize,
    /// Households whose next step is a knock or a call: for staff, not the outbox.
    pub for_staff: usize,
    pub waiting: usize,
    pub excluded: usize,
    pub held_back: usize,
    pub finished: usize,
    /// Households a template could not be filled in for, with why.
    pub not_filled: Vec<(i64, String)>,
    /// (step number, household) of each door the rules allow knocking today.
    pub visits: Vec<(i32, i64)>,
}

/// Queue each contact-arm household's due step, if the rules allow it now.
pub async fn run_campaign_day(
    store: &Store,
    campaign_id: i64,
    now: DateTime<Utc>,
    nation: Nation,
    policy: &Policy,
) -> Result<CampaignDay> {
    let campaign = store
        .campaign(campaign_id)
        .await?
        .ok_or_else(|| Error::Refused(format!("There is no campaign {campaign_id}")))?;
    let steps: Vec<outreach::Step> = campaign
        .steps
        .iter()
        .map(|s| outreach::Step {
            day: s.day_offset.max(0) as u32,
            channel: Channel::parse(&s.channel).unwrap_or(Channel::Letter),
            template_id: s.template_name.clone(),
            skip_if: serde_json::from_str::<Vec<SkipCondition>>(&s.skip_if).unwrap_or_default(),
        })
        .collect();
    let council = store
        .latest_town()
        .await?
        .map(|t| t.council_name)
        .unwrap_or_else(|| "the council".into());
    let today = outreach::uk_time::uk_local(now).date();
    let members = store.campaign_members(campaign_id).await?;
    // A door-knock step is done for a household once it is on a round.
    let mut knocked: BTreeMap<i64, Vec<SentStep>> = BTreeMap::new();
    for (i, step) in steps.iter().enumerate() {
        if step.channel != Channel::DoorKnock {
            continue;
        }
        for (h, on) in store
            .campaign_round_households(campaign_id, i as i32 + 1)
            .await?
        {
            knocked.entry(h).or_default().push(SentStep { step: i, on });
        }
    }
    let mut day = CampaignDay::default();
    let mut decisions: BTreeMap<usize, Vec<Decision>> = BTreeMap::new();
    let mut templates = BTreeMap::new();
    // A cohort is read a chunk at a time, one query per kind of fact per
    // chunk, and each chunk's messages are queued before the next is read:
    // a city's cohort stays quick and its memory bounded. A run stopped part
    // way keeps what it queued; running the day again queues the rest
    // (a reference is queued once).
    for chunk in members.chunks(RUN_CHUNK) {
        let ids: Vec<i64> = chunk
            .iter()
            .filter(|(_, arm, _)| arm == CONTACT)
            .map(|(h, _, _)| *h)
            .collect();
        day.held_back += chunk.len() - ids.len();
        let facts: BTreeMap<i64, upstream_store::HouseholdContactFacts> = store
            .household_contact_facts(&ids)
            .await?
            .into_iter()
            .map(|f| (f.household_id, f))
            .collect();
        let mut messages: BTreeMap<i64, Vec<upstream_store::MessageRow>> = BTreeMap::new();
        for m in store.messages_of_households(&ids).await? {
            messages.entry(m.household_id).or_default().push(m);
        }
        let mut detail_of: BTreeMap<i64, HouseholdDetail> = store
            .households_to_reach(&ids)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
        let mut prefs_of = store.contact_preferences_of(&ids).await?;
        let mut corrections_of = store.contact_details_of(&ids).await?;
        let mut details_of = BTreeMap::new();
        for h in &ids {
            let Some(detail) = detail_of.get(h) else {
                continue;
            };
            let rows = corrections_of.remove(h).unwrap_or_default();
            details_of.insert(*h, contact_details(&sightings(detail), &corrections(rows)));
        }
        let phones: Vec<String> = details_of
            .values()
            .flat_map(|d| usable(d, DetailKind::Phone).map(|d| d.value.clone()))
            .collect();
        let opted_out_phones = store.text_opted_out_among(&phones).await?;
        let mut queue = Vec::new();
        for (household_id, arm, joined) in chunk {
            if arm != CONTACT {
                continue;
            }
            let Some(detail) = detail_of.remove(household_id) else {
                continue;
            };
            let prefs = prefs_of.remove(household_id);
            let details = details_of.remove(household_id).unwrap_or_default();
            let mine: Vec<&upstream_store::MessageRow> = messages
                .get(household_id)
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            let mut sent: Vec<SentStep> = mine
                .iter()
                .filter(|m| m.campaign_id == Some(campaign_id))
                .filter_map(|m| {
                    Some(SentStep {
                        step: usize::try_from(m.step_no? - 1).ok()?,
                        on: m.created_at.date_naive(),
                    })
                })
                .collect();
            sent.extend(knocked.get(household_id).into_iter().flatten().copied());
            sent.sort_by_key(|s| (s.on, s.step));
            let stored = facts.get(household_id).cloned().unwrap_or_default();
            let phones: Vec<String> = usable(&details, DetailKind::Phone)
                .map(|d| d.value.clone())
                .collect();
            let opted_out = phones.iter().any(|p| opted_out_phones.contains(p));
            let opt_outs = OptOuts {
                texts: opted_out,
                emails: false,
            };
            let responses = Responses {
                replied: false,
                engaged: stored
                    .contacts
                    .iter()
                    .any(|(on, _, outcome)| on >= joined && is_engagement(outcome)),
                case_opened: stored.cases_opened.iter().any(|on| on >= joined),
            };
            let step_index =
                match outreach::due_step(&steps, *joined, &sent, &responses, &opt_outs, today) {
                    Ok(outreach::Due::Now { step, .. }) => step,
                    Ok(outreach::Due::Finished { .. }) => {
                        day.finished += 1;
                        continue;
                    }
                    Ok(_) => continue,
                    Err(e) => return Err(Error::Damaged(e.to_string())),
                };
            let step = &steps[step_index];
            let mobiles: Vec<&String> = phones.iter().filter(|p| p.starts_with("07")).collect();
            let emails: Vec<String> = usable(&details, DetailKind::Email)
                .map(|d| d.value.clone())
                .collect();
            let prefs = prefs.unwrap_or_default();
            let household = HouseholdFacts {
                household_id: *household_id,
                do_not_contact: prefs.do_not_contact,
                safe_contact: SafeContact {
                    no_letters: prefs.no_letters,
                    text_only: prefs.text_only,
                    no_calls: prefs.no_calls,
                },
                all_members_deceased: false,
                open_cases: stored
                    .open_case_teams
                    .iter()
                    .map(|t| OpenCase { team: t.clone() })
                    .collect(),
                opt_outs,
                has_mobile: !mobiles.is_empty(),
                has_phone: !phones.is_empty(),
                has_email: !emails.is_empty(),
                has_address: detail.current && detail.address.is_some(),
                contacts: past_contacts(&mine, &stored),
                since_start: responses,
            };
            let decision = if unread_safe_contact_note(&prefs) {
                Decision::Exclude {
                    reason: Reason::SafeContactNote,
                }
            } else {
                outreach::decide(&household, step, &campaign.team, now, policy)
            };
            let send = decision == Decision::Send;
            decisions
                .entry(step_index)
                .or_default()
                .push(decision.clone());
            match decision {
                Decision::Send => {}
                Decision::Wait { .. } => {
                    day.waiting += 1;
                    continue;
                }
                Decision::Exclude { .. } => {
                    day.excluded += 1;
                    continue;
                }
            }
            debug_assert!(send);
            if step.channel == Channel::DoorKnock {
                day.visits.push((step_index as i32 + 1, *household_id));
                day.for_staff += 1;
                continue;
            }
            let Some(template_name) = &step.template_id else {
                day.for_staff += 1;
                continue;
            };
            if !templates.contains_key(template_name) {
                let t = store
                    .message_template(template_name, None)
                    .await?
                    .ok_or_else(|| {
                        Error::Refused(format!("The template '{template_name}' is gone"))
                    })?;
                templates.insert(template_name.clone(), t);
            }
            let t = &templates[template_name];
            let checked = outreach::check(
                &outreach::Template {
                    channel: step.channel,
                    subject: Some(t.subject_en.clone()).filter(|s| !s.is_empty()),
                    body: t.body_en.clone(),
                    welsh_subject: Some(t.subject_cy.clone()).filter(|s| !s.is_empty()),
                    welsh_body: Some(t.body_cy.clone()).filter(|s| !s.is_empty()),
                },
                TEMPLATE_FIELDS,
                nation,
            )
            .map_err(|problems| {
                Error::Refused(format!(
                    "The template '{template_name}' cannot be used: {}",
                    problems
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
            })?;
            let person = addressee(&detail);
            let mut values = BTreeMap::new();
            values.insert("first_name".to_string(), title_case(&person.0));
            values.insert("last_name".to_string(), title_case(&person.1));
            values.insert(
                "full_name".to_string(),
                title_case(&format!("{} {}", person.0, person.1)),
            );
            values.insert(
                "address".to_string(),
                title_case(detail.address.as_deref().unwrap_or("")),
            );
            values.insert(
                "postcode".to_string(),
                detail.postcode.clone().unwrap_or_default(),
            );
            values.insert("council_name".to_string(), council.clone());
            values.insert("team".to_string(), campaign.team.clone());
            let welsh_wanted = prefs.language.as_deref() == Some("cy");
            let (rendered, language) = match nation {
                Nation::Wales if checked.has_welsh() => {
                    if welsh_wanted {
                        (outreach::render(&checked, Language::Welsh, &values), "cy")
                    } else {
                        (outreach::render_bilingual(&checked, &values), "cy+en")
                    }
                }
                _ => (outreach::render(&checked, Language::English, &values), "en"),
            };
            let rendered = match rendered {
                Ok(r) => r,
                Err(e) => {
                    day.not_filled.push((*household_id, e.to_string()));
                    continue;
                }
            };
            let (channel, recipient) = match step.channel {
                Channel::Text => ("sms", mobiles.first().map(|m| m.to_string())),
                Channel::Email => ("email", emails.first().cloned()),
                Channel::Letter => (
                    "letter",
                    Some(
                        [
                            values["full_name"].clone(),
                            values["address"].clone(),
                            values["postcode"].clone(),
                        ]
                        .into_iter()
                        .filter(|l| !l.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    ),
                ),
                Channel::PhoneCall | Channel::DoorKnock => ("", None),
            };
            let Some(recipient) = recipient else {
                day.for_staff += 1;
                continue;
            };
            queue.push(NewMessage {
                // The campaign's random seed makes references unique beyond this
                // database: after a crash, a message is looked up at Notify by its
                // reference, and a reset database or a training copy sending
                // through the same Notify service must not find another's.
                reference: format!(
                    "c{campaign_id}-{:08x}-s{}-h{household_id}",
                    campaign.seed as u64 & 0xffff_ffff,
                    step_index + 1
                ),
                campaign_id: Some(campaign_id),
                step_no: Some(step_index as i32 + 1),
                household_id: *household_id,
                person_id: person.2,
                channel: channel.into(),
                template_name: template_name.clone(),
                template_version: t.version,
                language: language.into(),
                recipient,
                subject: rendered.subject.unwrap_or_default(),
                body: rendered.body,
                not_before: now,
                queued_at: now,
            });
        }
        day.queued += store.queue_messages(&queue).await? as usize;
    }
    for (step_index, ds) in &decisions {
        let t = outreach::tally(ds);
        let counts: Vec<(String, String, i64)> = t
            .rows
            .iter()
            .map(|r| (r.code.clone(), r.label.clone(), r.households as i64))
            .collect();
        store
            .save_campaign_exclusions(campaign_id, *step_index as i32 + 1, &counts)
            .await?;
    }
    Ok(day)
}

/// A door-knocking round of the campaign's households due a knock today
/// that the rules allow, in the order to walk them. Refused when nobody is
/// due one.
pub async fn make_round(
    store: &Store,
    campaign_id: i64,
    now: DateTime<Utc>,
    nation: Nation,
    policy: &Policy,
    by: i64,
    safety: (bool, String),
) -> Result<i64> {
    let campaign = store
        .campaign(campaign_id)
        .await?
        .ok_or_else(|| Error::Refused(format!("There is no campaign {campaign_id}")))?;
    let day = run_campaign_day(store, campaign_id, now, nation, policy).await?;
    let Some(step_no) = day.visits.first().map(|v| v.0) else {
        return Err(Error::Refused(
            "No household in this campaign is due a door knock today".into(),
        ));
    };
    let ids: Vec<i64> = day
        .visits
        .iter()
        .filter(|v| v.0 == step_no)
        .map(|v| v.1)
        .collect();
    let doors: Vec<outreach::Door> = store
        .household_addresses(&ids)
        .await?
        .into_iter()
        .map(|(household_id, address, postcode)| outreach::Door {
            household_id,
            address_line: address.unwrap_or_default(),
            postcode,
            safety: outreach::VisitSafety {
                visit_in_pairs: safety.0,
                notes: Some(safety.1.clone()).filter(|n| !n.trim().is_empty()),
            },
        })
        .collect();
    let walked = outreach::order_round(doors);
    let doors = walked
        .iter()
        .flat_map(|stretch| {
            stretch.doors.iter().map(move |d| upstream_store::NewDoor {
                household_id: d.door.household_id,
                street: title_case(&stretch.street),
                address: title_case(&d.door.address_line),
                postcode: d.door.postcode.clone().unwrap_or_default(),
            })
        })
        .collect();
    let today = outreach::uk_time::uk_local(now).date();
    let id = store
        .create_knock_round(
            &upstream_store::NewRound {
                team: campaign.team.clone(),
                name: format!(
                    "{}: step {step_no}, {}",
                    campaign.name,
                    today.format("%-d %B %Y")
                ),
                campaign_id: Some(campaign_id),
                step_no: Some(step_no),
                visit_in_pairs: safety.0,
                safety_note: safety.1,
                created_on: today,
                doors,
            },
            by,
        )
        .await?;
    Ok(id)
}

/// Whether a recorded contact means the household engaged: they spoke,
/// met or replied (seed 004's measure), not a call unanswered or a card
/// left.
pub fn is_engagement(outcome: &str) -> bool {
    matches!(outcome, "spoke" | "met" | "replied")
}

/// Engagement within `days` of joining, by arm: (engaged, households) for
/// the contact arm and the held-back arm. Engaged: a contact recorded as
/// spoken, met or replied, or a case opened, within the window.
pub async fn engagement_by_arm(
    store: &Store,
    campaign_id: i64,
    days: i64,
) -> Result<((u64, u64), (u64, u64))> {
    let members = store.campaign_members(campaign_id).await?;
    let ids: Vec<i64> = members.iter().map(|m| m.0).collect();
    let facts: BTreeMap<i64, upstream_store::HouseholdContactFacts> = store
        .household_contact_facts(&ids)
        .await?
        .into_iter()
        .map(|f| (f.household_id, f))
        .collect();
    let mut contact = (0, 0);
    let mut held = (0, 0);
    for (h, arm, joined) in &members {
        let until = *joined + chrono::Duration::days(days);
        let within = |d: &NaiveDate| d >= joined && *d <= until;
        let engaged = facts.get(h).is_some_and(|f| {
            f.contacts
                .iter()
                .any(|(on, _, outcome)| within(on) && is_engagement(outcome))
                || f.cases_opened.iter().any(within)
        });
        let arm = if arm == CONTACT {
            &mut contact
        } else {
            &mut held
        };
        arm.1 += 1;
        if engaged {
            arm.0 += 1;
        }
    }
    Ok((contact, held))
}

/// A safe-contact note without any rule ticked: a person must read it
/// before anything automatic reaches the household ("her ex-partner still
/// collects the post" is not something a rule engine can weigh).
fn unread_safe_contact_note(p: &ContactPreferences) -> bool {
    !(p.safe_contact.trim().is_empty() || p.no_letters || p.text_only || p.no_calls)
}

/// Every contact already made: messages from any campaign that went (or
/// were kept to go) and contacts staff recorded.
fn past_contacts(
    messages: &[&upstream_store::MessageRow],
    stored: &upstream_store::HouseholdContactFacts,
) -> Vec<PastContact> {
    let mut out: Vec<PastContact> = messages
        .iter()
        .filter(|m| {
            matches!(
                m.status.as_str(),
                "sent" | "delivered" | "kept" | "sending" | "queued"
            )
        })
        .map(|m| PastContact {
            // When it was queued, as the app counts days (the demo works to
            // its town's last day; `sent_at` is the real clock).
            at: m.created_at,
            campaign_id: m.campaign_id,
            channel: match m.channel.as_str() {
                "sms" => Channel::Text,
                "email" => Channel::Email,
                _ => Channel::Letter,
            },
        })
        .collect();
    for (on, channel, _) in &stored.contacts {
        out.push(PastContact {
            at: on
                .and_hms_opt(12, 0, 0)
                .map_or(DateTime::<Utc>::MIN_UTC, |t| t.and_utc()),
            campaign_id: None,
            channel: Channel::parse(channel).unwrap_or(Channel::PhoneCall),
        });
    }
    out
}

/// Staff's corrections, as `contact_details` weighs them.
fn corrections(rows: Vec<upstream_store::ContactDetailRow>) -> Vec<Correction> {
    rows.into_iter()
        .filter_map(|r| {
            Some(Correction {
                person_id: r.person_id,
                kind: DetailKind::parse(&r.kind)?,
                value: r.value,
                usable: r.usable,
                note: r.note,
                by: r.recorded_by,
                on: r.recorded_at.date_naive(),
            })
        })
        .collect()
}

/// Where the sources saw the household's phones and emails, and the home
/// it lives in now: what `upstream_casework::contact_details` weighs with
/// staff's corrections. `source` is the source's code; the address's is
/// `household`.
pub fn sightings(detail: &HouseholdDetail) -> Vec<Sighting> {
    let mut out = Vec::new();
    for r in &detail.records {
        for (kind, value) in [(DetailKind::Phone, &r.phone), (DetailKind::Email, &r.email)] {
            if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                out.push(Sighting {
                    person_id: Some(r.person_id),
                    kind,
                    value: v.to_string(),
                    source: r.source.clone(),
                    seen_on: r.extract_date,
                });
            }
        }
    }
    if detail.current {
        let address = [detail.address.as_deref(), detail.postcode.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        if !address.is_empty() {
            out.push(Sighting {
                person_id: None,
                kind: DetailKind::Address,
                value: address,
                source: "household".into(),
                seen_on: Some(detail.to),
            });
        }
    }
    out
}

/// Who a message is addressed to: the member with the latest record
/// (forename, surname, person id).
fn addressee(detail: &HouseholdDetail) -> (String, String, Option<i64>) {
    let latest = detail
        .records
        .iter()
        .rev()
        .find(|r| r.forename.is_some() || r.surname.is_some());
    match latest {
        Some(r) => (
            r.forename.clone().unwrap_or_default(),
            r.surname.clone().unwrap_or_default(),
            Some(r.person_id),
        ),
        None => ("Resident".into(), String::new(), None),
    }
}

/// "JO SMITH-JONES" → "Jo Smith-Jones": sources hold names in capitals,
/// and a letter should not shout.
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Letters so far in the current word: after "O'" or "D'" the name
    // starts again (O'Neill), after "Don'" it does not (Don't).
    let mut letters = 0;
    let mut start = true;
    for c in s.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
            letters += 1;
        } else {
            out.push(c);
            start = c != '\'' || letters == 1;
            if c != '\'' {
                letters = 0;
            }
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_in_capitals_are_written_as_people_write_them() {
        assert_eq!(title_case("JO SMITH-JONES"), "Jo Smith-Jones");
        assert_eq!(title_case("12 ACACIA AVENUE"), "12 Acacia Avenue");
        assert_eq!(title_case("mary o'neill"), "Mary O'Neill");
        assert_eq!(title_case("DON'T"), "Don't");
    }

    #[test]
    fn an_area_is_a_whole_district_or_a_sector() {
        assert_eq!(area_pattern("b11").as_deref(), Some("B11 %"));
        assert_eq!(area_pattern(" B11   1 ").as_deref(), Some("B11 1%"));
        assert_eq!(area_pattern("SW1A").as_deref(), Some("SW1A %"));
        assert_eq!(area_pattern("B"), None);
        assert_eq!(area_pattern("B11 1AA"), None);
        assert_eq!(area_pattern("11"), None);
        assert_eq!(area_pattern("B11%"), None);
    }

    #[test]
    fn a_note_without_a_rule_keeps_the_household_for_a_person() {
        let mut p = ContactPreferences {
            safe_contact: "Her ex-partner collects the post".into(),
            ..ContactPreferences::default()
        };
        assert!(unread_safe_contact_note(&p));
        p.no_letters = true;
        assert!(!unread_safe_contact_note(&p));
        assert!(!unread_safe_contact_note(&ContactPreferences::default()));
    }
}
