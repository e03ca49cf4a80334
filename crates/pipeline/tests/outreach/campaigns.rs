//! A campaign on a team's list: the contact arm gets each step when it is
//! due and the rules allow; every household left out is counted with why;
//! running a day twice queues nothing twice.

use super::{drop_database, stores};
use chrono::{NaiveDate, TimeZone, Utc};
use upstream_core::Nation;
use upstream_outreach::{Channel, ContactCap, Policy, SkipCondition, Step};
use upstream_pipeline::campaigns::{
    make_round, run_campaign_day, start_campaign, CampaignPlan, Cohort,
};
use upstream_store::{ContactPreferences, NewTemplate, NewWorklist, Team, WorklistEntryRow};

/// Three households on the Prevention team's list: 41 with a mobile, 42
/// that asked not to be contacted, 43 with a safe-contact note and no rule.
const SEED: &[&str] = &[
    "INSERT INTO ingest_files (id, source, file_name, sha256, extract_date, period_key, rows_read, records, quarantined, loaded_at) VALUES (1, 'benefits', 'b.csv', 'x', '2026-02-28', '2026-02-28', 3, 3, 0, '2026-03-01T00:00:00Z')",
    "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, address, phone, attributes, original) VALUES (1, 1, 'benefits', 'B1', 'claim', '2026-02-28', 'JO', 'SMITH', '1980-03-02', 'B1 1AA', '12 ACACIA AVENUE', '07700900123', '{}', '{}')",
    "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, address, phone, attributes, original) VALUES (1, 2, 'benefits', 'B2', 'claim', '2026-02-28', 'AMIR', 'KHAN', '1975-01-01', 'B2 2BB', '3 ELM ROAD', '07700900456', '{}', '{}')",
    "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, forename, surname, dob, postcode, address, phone, attributes, original) VALUES (1, 3, 'benefits', 'B3', 'claim', '2026-02-28', 'SAM', 'JONES', '1990-06-06', 'B3 3CC', '5 OAK LANE', '07700900789', '{}', '{}')",
    "INSERT INTO person_records (source, record_key, person_id, run_id) VALUES ('benefits', 'B1', 7, 1), ('benefits', 'B2', 8, 1), ('benefits', 'B3', 9, 1)",
    "INSERT INTO addresses (id, addr_key, address, postcode) VALUES (1, 'a1', '12 ACACIA AVENUE', 'B1 1AA'), (2, 'a2', '3 ELM ROAD', 'B2 2BB'), (3, 'a3', '5 OAK LANE', 'B3 3CC')",
    "INSERT INTO households (id, address_id, from_date, to_date, current) VALUES (41, 1, '2020-01-01', '2026-02-28', TRUE), (42, 2, '2020-01-01', '2026-02-28', TRUE), (43, 3, '2020-01-01', '2026-02-28', TRUE)",
    "INSERT INTO household_members (household_id, person_id) VALUES (41, 7), (42, 8), (43, 9)",
];

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("date")
}

#[tokio::test]
async fn a_campaign_queues_what_the_rules_allow_counts_who_it_left_out_and_queues_once() {
    for fresh in stores(true).await {
        let db = fresh.name();
        for sql in SEED {
            fresh.execute(sql).await;
        }
        let store = &fresh.store;
        store
            .save_team(&Team {
                name: "Prevention team".into(),
                capacity: 10,
                areas: vec![],
                recent_contact_days: 28,
                min_probability: 0.0,
            })
            .await
            .expect("team");
        let entry = |rank: i32, household_id: i64| WorklistEntryRow {
            rank,
            household_id,
            probability: Some(0.5),
            persona: "snowballing".into(),
            fast_tracked: false,
            why: "Rent arrears".into(),
            names: None,
        };
        store
            .keep_worklist(&NewWorklist {
                team: "Prevention team".into(),
                week_start: day(2),
                assessment_run_id: 1,
                capacity: 10,
                excluded: "{}".into(),
                entries: vec![entry(1, 41), entry(2, 42), entry(3, 43)],
            })
            .await
            .expect("list");
        store
            .set_contact_preferences(
                42,
                &ContactPreferences {
                    do_not_contact: true,
                    ..ContactPreferences::default()
                },
            )
            .await
            .expect("prefs");
        store
            .set_contact_preferences(
                43,
                &ContactPreferences {
                    safe_contact: "Her ex-partner collects the post".into(),
                    ..ContactPreferences::default()
                },
            )
            .await
            .expect("prefs");
        for (name, channel, body) in [
            (
                "rent-text",
                "sms",
                "Hello ((first_name)), ((council_name)) can help with rent.",
            ),
            (
                "rent-letter",
                "letter",
                "Dear ((full_name)), we can help with your rent.",
            ),
        ] {
            store
                .save_message_template(
                    &NewTemplate {
                        name: name.into(),
                        channel: channel.into(),
                        subject_en: if channel == "letter" {
                            "Help with your rent".into()
                        } else {
                            String::new()
                        },
                        body_en: body.into(),
                        subject_cy: String::new(),
                        body_cy: String::new(),
                    },
                    1,
                )
                .await
                .expect("template");
        }
        let plan = CampaignPlan {
            cohort: Cohort::TeamList,
            name: "First missed rent".into(),
            team: "Prevention team".into(),
            steps: vec![
                Step {
                    day: 0,
                    channel: Channel::Text,
                    template_id: Some("rent-text".into()),
                    skip_if: vec![],
                },
                Step {
                    day: 3,
                    channel: Channel::Letter,
                    template_id: Some("rent-letter".into()),
                    skip_if: vec![SkipCondition::CaseOpened],
                },
                Step {
                    day: 7,
                    channel: Channel::DoorKnock,
                    template_id: None,
                    skip_if: vec![SkipCondition::CaseOpened],
                },
            ],
            holdout_percent: 0,
            seed: 7,
        };
        // A council allowing three contacts in 14 days; the campaign's
        // three steps in a week are more than the default limit of two.
        let three = Policy {
            cap: ContactCap {
                max_contacts: 3,
                window_days: 14,
            },
            ..Policy::default()
        };
        // A template that does not exist is refused before anything is made.
        let mut wrong = plan.clone();
        wrong.steps[0].template_id = Some("no-such".into());
        let refused = start_campaign(store, &wrong, &three, 1, day(2)).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("no-such")),
            "{db}: {refused:?}"
        );
        assert!(store.campaigns().await.expect("read").is_empty(), "{db}");
        // Under the default limit the steps alone break it: refused, naming
        // the steps, and nothing saved.
        let refused = start_campaign(store, &plan, &Policy::default(), 1, day(2)).await;
        assert!(
            refused.as_ref().is_err_and(|e| e.is_refusal()
                && e.to_string().contains("3 times between day 0 and day 7")
                && e.to_string().contains("step 3 (a door knock on day 7)")),
            "{db}: {refused:?}"
        );
        assert!(store.campaigns().await.expect("read").is_empty(), "{db}");

        let id = start_campaign(store, &plan, &three, 1, day(2))
            .await
            .expect("start");
        let noon = |d: u32| Utc.from_utc_datetime(&day(d).and_hms_opt(12, 0, 0).expect("time"));
        let first = run_campaign_day(store, id, noon(2), Nation::England, &Policy::default())
            .await
            .expect("day 0");
        assert_eq!((first.queued, first.excluded), (1, 2), "{db}: {first:?}");
        let queued = store.campaign_messages(id).await.expect("read");
        assert_eq!(queued.len(), 1, "{db}");
        assert_eq!(queued[0].household_id, 41, "{db}");
        assert_eq!(queued[0].recipient, "07700900123", "{db}");
        assert_eq!(
            queued[0].body, "Hello Jo, the council can help with rent.",
            "{db}"
        );
        let mut why: Vec<(String, i64)> = store
            .campaign_exclusions(id)
            .await
            .expect("read")
            .into_iter()
            .map(|e| (e.reason_code, e.households))
            .collect();
        why.sort();
        assert_eq!(
            why,
            [
                ("do_not_contact".to_string(), 1),
                ("safe_contact_note".to_string(), 1)
            ],
            "{db}"
        );

        // The same day again: nothing more.
        let again = run_campaign_day(store, id, noon(2), Nation::England, &Policy::default())
            .await
            .expect("again");
        assert_eq!(again.queued, 0, "{db}: {again:?}");
        // Day 3 after the start: the letter.
        let later = run_campaign_day(store, id, noon(5), Nation::England, &Policy::default())
            .await
            .expect("day 3");
        assert_eq!(later.queued, 1, "{db}: {later:?}");
        let letter = store
            .message_by_reference(&format!("c{id}-{:08x}-s2-h41", 7))
            .await
            .expect("read")
            .expect("the letter");
        assert_eq!(
            letter.recipient, "Jo Smith\n12 Acacia Avenue\nB1 1AA",
            "{db}"
        );
        assert_eq!(letter.template_version, 1, "{db}");

        // Day 7: the knock. Had the council since lowered its limit to the
        // default two in 14 days, the knock waits: the rule at run time holds
        // whatever the campaign was started under.
        let capped = run_campaign_day(store, id, noon(9), Nation::England, &Policy::default())
            .await
            .expect("day 7");
        assert_eq!(
            (capped.waiting, capped.visits.len()),
            (1, 0),
            "{db}: {capped:?}"
        );
        // With a cap of three, a round holds the door; once on a round, the
        // step is done and the household's sequence is finished.
        let refused = make_round(
            store,
            id,
            noon(6),
            Nation::England,
            &Policy::default(),
            1,
            (true, String::new()),
        )
        .await;
        assert!(refused.is_err(), "{db}: nobody is due a knock on day 4");
        let round = make_round(
            store,
            id,
            noon(9),
            Nation::England,
            &three,
            1,
            (true, "Dog in the garden at 12".into()),
        )
        .await
        .expect("round");
        let (head, doors) = store
            .knock_round(round)
            .await
            .expect("read")
            .expect("round");
        assert!(head.visit_in_pairs, "{db}");
        assert_eq!(
            doors.iter().map(|d| d.household_id).collect::<Vec<_>>(),
            [41],
            "{db}"
        );
        assert_eq!(doors[0].address, "12 Acacia Avenue", "{db}");
        let after = run_campaign_day(store, id, noon(10), Nation::England, &three)
            .await
            .expect("day 8");
        assert_eq!(
            (after.finished, after.visits.len()),
            (1, 0),
            "{db}: {after:?}"
        );
        assert!(store
            .record_knock(
                round,
                41,
                "spoke",
                "spoke",
                "Talked on the doorstep",
                "Casey",
                day(9)
            )
            .await
            .expect("knock"));
        assert!(
            !store
                .record_knock(round, 41, "no_answer", "no_answer", "", "Casey", day(9))
                .await
                .expect("again"),
            "{db}: a door is recorded once"
        );
        let facts = store.household_contact_facts(&[41]).await.expect("facts");
        assert_eq!(
            facts[0].contacts,
            [(day(9), "home_visit".to_string(), "spoke".to_string())],
            "{db}: the knock is a contact on the household"
        );

        // An area is a whole postcode district or sector of current
        // households: B1 is 41 only (not B11...), B2 2 is 42.
        for (area, want) in [("b1", vec![41]), ("B2 2", vec![42])] {
            let by_area = CampaignPlan {
                cohort: Cohort::Area(area.into()),
                ..plan.clone()
            };
            let id = start_campaign(store, &by_area, &three, 1, day(2))
                .await
                .expect("by area");
            let members: Vec<i64> = store
                .campaign_members(id)
                .await
                .expect("read")
                .into_iter()
                .map(|m| m.0)
                .collect();
            assert_eq!(members, want, "{db}: {area}");
        }
        let nowhere = CampaignPlan {
            cohort: Cohort::Area("B9".into()),
            ..plan.clone()
        };
        let refused = start_campaign(store, &nowhere, &three, 1, day(2)).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("no current households")),
            "{db}: {refused:?}"
        );
        let chosen = CampaignPlan {
            cohort: Cohort::Households {
                description: "Chosen by hand".into(),
                ids: vec![43, 41, 43, 999],
            },
            ..plan.clone()
        };
        let id = start_campaign(store, &chosen, &three, 1, day(2))
            .await
            .expect("chosen");
        let members: Vec<i64> = store
            .campaign_members(id)
            .await
            .expect("read")
            .into_iter()
            .map(|m| m.0)
            .collect();
        assert_eq!(members, [41, 43], "{db}: current households, once each");

        // By persona and by risk, as the latest assessment saw them (an
        // older run's view does not count).
        for sql in [
            "INSERT INTO assessment_runs (id, as_of, run_at, link_run_id, model_version, model, library, households) VALUES (7, '2026-01-31', '2026-02-01T00:00:00Z', 1, 'm', '{}', 'l', 3), (8, '2026-02-28', '2026-03-01T00:00:00Z', 1, 'm', '{}', 'l', 3)",
            "INSERT INTO assessments (run_id, household_id, in_crisis, probability, reasons, resilience, resilience_band, resilience_parts, persona, persona_reason) VALUES
               (7, 41, FALSE, 0.9, '[]', 50, 'medium', '{}', 'snowballing', ''),
               (8, 41, FALSE, 0.1, '[]', 50, 'medium', '{}', 'steady', ''),
               (8, 42, FALSE, 0.4, '[]', 50, 'medium', '{}', 'snowballing', ''),
               (8, 43, FALSE, 0.2, '[]', 50, 'medium', '{}', 'snowballing', '')",
        ] {
            fresh.execute(sql).await;
        }
        for (cohort, want) in [
            (Cohort::Persona("snowballing".into()), vec![42, 43]),
            (Cohort::RiskAtLeast(20), vec![42, 43]),
            (Cohort::RiskAtLeast(30), vec![42]),
        ] {
            let id = start_campaign(
                store,
                &CampaignPlan {
                    cohort: cohort.clone(),
                    ..plan.clone()
                },
                &three,
                1,
                day(2),
            )
            .await
            .expect("by assessment");
            let members: Vec<i64> = store
                .campaign_members(id)
                .await
                .expect("read")
                .into_iter()
                .map(|m| m.0)
                .collect();
            assert_eq!(members, want, "{db}: {cohort:?}");
        }
        let unknown = start_campaign(
            store,
            &CampaignPlan {
                cohort: Cohort::Persona("nobody".into()),
                ..plan.clone()
            },
            &three,
            1,
            day(2),
        )
        .await;
        assert!(
            unknown.as_ref().is_err_and(|e| e
                .to_string()
                .contains("the personas given are: snowballing, steady")),
            "{db}: {unknown:?}"
        );
        let pg = fresh.pg.clone();
        drop(fresh);
        drop_database(pg).await;
    }
}
