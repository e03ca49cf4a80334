//! City scale for benchmarks (`Store::replicate_households`): a small town
//! copied to three times its size, every copy readable as the household
//! page reads it, and copying again adds nothing.

use super::*;
use upstream_store::{AssessmentSave, SavedAssessment, SavedEvent, REPLICA_STRIDE};

/// The town of `first_run` (household 1, current: people 1 and 2; household
/// 2, gone: person 3), its records in two monthly versions where snapshots
/// repeat, and one assessment run.
async fn small_town(s: &Store) {
    let may = [record(1, "a", "JO", "SMITH"), record(2, "c", "AL", "JONES")];
    load(s, &file("council_tax", Some("2024-04-30"), 1), &may, &[]).await;
    load(s, &file("council_tax", Some("2024-05-31"), 2), &may, &[]).await;
    load(
        s,
        &file("benefits", Some("2024-05-31"), 3),
        &[record(1, "b", "JO", "SMITH")],
        &[],
    )
    .await;
    load(
        s,
        &file("rent", Some("2024-05-31"), 4),
        &[record(1, "d", "SAM", "JONES")],
        &[],
    )
    .await;
    let link = s.save_link_run(&first_run()).await.expect("link");
    s.save_assessment(
        link,
        &AssessmentSave {
            as_of: Some(day("2024-05-31")),
            model_version: "test".into(),
            model: "{}".into(),
            library: "{}".into(),
            assessments: vec![SavedAssessment {
                household_id: 1,
                in_crisis: false,
                probability: Some(0.25),
                reasons: r#"["council tax arrears"]"#.into(),
                resilience: 3,
                resilience_band: "medium".into(),
                resilience_parts: "[]".into(),
                persona: "stretched".into(),
                persona_reason: "because".into(),
            }],
            events: vec![SavedEvent {
                household_id: 1,
                event: "job_loss".into(),
                date: day("2024-05-01"),
                person_id: Some(2),
                detail: "lost a job".into(),
                evidence: "[]".into(),
            }],
        },
    )
    .await
    .expect("assess");
}

const TABLES: [&str; 9] = [
    "households",
    "household_members",
    "persons",
    "person_records",
    "source_records",
    "addresses",
    "residences",
    "assessments",
    "life_events",
];

async fn counts(fresh: &Fresh) -> Vec<i64> {
    let mut out = Vec::new();
    for t in TABLES {
        out.push(fresh.count(&format!("SELECT COUNT(*) FROM {t}")).await);
    }
    out
}

#[tokio::test]
async fn a_town_copied_to_three_times_its_size_reads_back_in_every_copy() {
    for fresh in stores().await {
        let s = &fresh.store;
        let b = fresh.name();
        small_town(s).await;
        let town = counts(&fresh).await;
        assert_eq!(town, vec![2, 3, 3, 4, 6, 2, 2, 1, 1], "{b}");
        // The analysts' counts read the assessment on either database.
        let f = s.figures().await.expect("figures");
        assert_eq!(
            (f.assessed_on, f.households_assessed, f.in_crisis),
            (Some(day("2024-05-31")), 1, 0),
            "{b}"
        );
        assert_eq!(f.personas, [("stretched".to_string(), 1)], "{b}");

        let steps = std::sync::Mutex::new(Vec::new());
        let r = s
            .replicate_households(3, 1, &|done, total| {
                steps.lock().unwrap().push((done, total))
            })
            .await
            .expect("replicate");
        assert_eq!(
            (r.town_households, r.copies_before, r.copies_after),
            (1, 1, 3),
            "{b}"
        );
        assert_eq!((r.households, r.current_households), (6, 3), "{b}");
        assert_eq!(
            steps.lock().unwrap().last().map(|s| s.0 == s.1),
            Some(true),
            "{b}"
        );
        // Everything three times, but each copy keeps one version of each
        // of the four records: 6 in the town, 4 in each copy.
        let tripled = counts(&fresh).await;
        assert_eq!(tripled, vec![6, 9, 9, 12, 14, 6, 6, 3, 3], "{b}");

        // Copy 2 of household 1 reads as the original does, ids shifted.
        let today = day("2024-06-01");
        let original = s
            .household_detail(1, today)
            .await
            .expect("read")
            .expect("there");
        let id = 2 * REPLICA_STRIDE + 1;
        let copy = s
            .household_detail(id, today)
            .await
            .expect("read")
            .expect("copy there");
        assert_eq!(
            (copy.address.clone(), copy.postcode.clone()),
            (original.address.clone(), original.postcode.clone()),
            "{b}"
        );
        assert_eq!(copy.members, vec![id, id + 1], "{b}");
        let mut keys: Vec<String> = copy
            .records
            .iter()
            .map(|r| format!("{}:{}", r.source, r.record_key))
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            vec!["benefits:b~2", "council_tax:a~2", "council_tax:c~2"],
            "{b}"
        );
        assert!(
            copy.records
                .iter()
                .all(|r| r.extract_date == Some(day("2024-05-31"))),
            "{b}: the latest versions"
        );
        assert_eq!(original.records.len(), 5, "{b}");
        assert_eq!(copy.residences.len(), 1, "{b}");
        let a = copy.assessment.expect("assessed");
        assert_eq!(
            (a.household_id, a.probability, a.persona.as_str()),
            (id, Some(0.25), "stretched"),
            "{b}"
        );
        assert_eq!(copy.events.len(), 1, "{b}");
        assert_eq!(copy.events[0].person_id, Some(id + 1), "{b}");
        // The copy's people are findable through their records.
        let found = s
            .households_of(&[2 * REPLICA_STRIDE + 2])
            .await
            .expect("households of");
        assert_eq!(
            found.iter().map(|h| h.household_id).collect::<Vec<_>>(),
            vec![id],
            "{b}"
        );

        // Again: nothing more. A bigger target adds only the copies missing.
        let again = s
            .replicate_households(3, 1, &|_, _| {})
            .await
            .expect("again");
        assert_eq!(
            (again.copies_before, again.copies_after, again.households),
            (3, 3, 6),
            "{b}"
        );
        assert_eq!(counts(&fresh).await, tripled, "{b}");
        let more = s
            .replicate_households(4, 2, &|_, _| {})
            .await
            .expect("more");
        assert_eq!(
            (
                more.copies_before,
                more.copies_after,
                more.current_households
            ),
            (3, 4, 4),
            "{b}"
        );
        // Copy 3 keeps two versions of the council tax records: 6 + 4 + 4 + 6.
        assert_eq!(more.source_records, 20, "{b}");
    }
}

#[tokio::test]
async fn an_empty_store_has_nothing_to_copy() {
    for fresh in stores().await {
        let e = fresh.store.replicate_households(10, 1, &|_, _| {}).await;
        assert!(
            matches!(e, Err(upstream_store::StoreError::Invalid(_))),
            "{}: {e:?}",
            fresh.name()
        );
    }
}
