//! How to reach a household and a case's record on every backend: contact
//! details staff add, preferences, case notes, the chronology with who did
//! what, and reasons given for looking at another team's case.

use super::stores;
use chrono::{Duration, NaiveDate, Utc};
use upstream_core::{AuditAction, Role};
use upstream_store::{
    ContactPreferences, NewAuditEntry, NewCase, NewContactDetail, NewPlanAction, NewUser,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[tokio::test]
async fn contact_details_preferences_notes_and_the_chronology_are_kept() {
    for fresh in stores().await {
        let s = &fresh.store;
        let db = fresh.name();
        let cara = s
            .create_user(
                &NewUser {
                    username: "cara".into(),
                    display_name: "Cara Connector".into(),
                    role: Role::Connector,
                    organisation: None,
                    team: Some("Prevention team".into()),
                },
                "a long enough password",
            )
            .await
            .expect("user");

        // Contact details: added, never changed; the newest word comes last.
        for usable in [true, false] {
            s.add_contact_detail(
                &NewContactDetail {
                    household_id: 7,
                    person_id: Some(70),
                    kind: "phone".into(),
                    value: "07700900123".into(),
                    usable,
                    note: if usable { "" } else { "not hers any more" }.into(),
                },
                cara.id,
            )
            .await
            .expect("detail");
        }
        let details = s.contact_details(7).await.expect("read");
        assert_eq!(details.len(), 2, "{db}");
        assert!(
            !details[1].usable && details[1].note == "not hers any more",
            "{db}"
        );
        assert_eq!(details[1].recorded_by, "Cara Connector", "{db}");
        assert!(s.contact_details(8).await.expect("read").is_empty(), "{db}");

        // Preferences: one row per household, replaced.
        assert_eq!(s.contact_preferences(7).await.expect("read"), None, "{db}");
        let prefs = ContactPreferences {
            do_not_contact: false,
            preferred_channel: Some("text".into()),
            language: Some("cy".into()),
            safe_contact: "Do not write to this address".into(),
            no_letters: true,
            text_only: false,
            no_calls: true,
            note: String::new(),
            recorded_by: "Cara Connector".into(),
            recorded_at: String::new(),
        };
        s.set_contact_preferences(7, &prefs).await.expect("prefs");
        s.set_contact_preferences(
            7,
            &ContactPreferences {
                language: Some("en".into()),
                ..prefs.clone()
            },
        )
        .await
        .expect("prefs again");
        let kept = s.contact_preferences(7).await.expect("read").expect("kept");
        assert_eq!(kept.language.as_deref(), Some("en"), "{db}");
        assert_eq!(kept.safe_contact, "Do not write to this address", "{db}");
        assert_eq!(
            (kept.no_letters, kept.text_only, kept.no_calls),
            (true, false, true),
            "{db}"
        );

        // A case's chronology: opening first, then each thing with its author.
        let (case, _) = s
            .open_case_with(&NewCase {
                household_id: 7,
                team: Some("Prevention team".into()),
                connector_id: Some(cara.id),
                origin: "worklist".into(),
                referral_id: None,
                nation: "england".into(),
                opened_by: cara.id,
                opened_on: d("2026-03-02"),
            })
            .await
            .expect("case");
        s.add_plan_action(
            case,
            &NewPlanAction {
                what: "Apply for a discretionary housing payment".into(),
                how_we_will_know: "The council's letter".into(),
                owner: "resident".into(),
                owner_name: "Jo".into(),
                due_on: d("2026-03-20"),
            },
            cara.id,
        )
        .await
        .expect("action");
        s.record_attempt(
            case,
            7,
            d("2026-03-03"),
            "phone",
            "no_answer",
            "voicemail",
            "Cara Connector",
        )
        .await
        .expect("attempt");
        s.add_case_note(case, "Rang the landlord", cara.id)
            .await
            .expect("note");
        s.append_audit(&NewAuditEntry {
            user_id: Some(cara.id),
            username: "cara".into(),
            action: AuditAction::Change,
            subject_kind: "case".into(),
            subject_id: case.to_string(),
            purpose: "case connector".into(),
            detail: serde_json::json!({ "connector": cara.id }),
        })
        .await
        .expect("audit");
        let story = s.case_chronology(case).await.expect("chronology");
        let kinds: Vec<&str> = story.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds[0], "opened", "{db}: {kinds:?}");
        for k in ["action", "attempt", "note", "change"] {
            assert!(kinds.contains(&k), "{db}: {k} in {kinds:?}");
        }
        let note = story.iter().find(|r| r.kind == "note").expect("note");
        assert_eq!(
            (note.a.as_str(), note.by.as_str()),
            ("Rang the landlord", "Cara Connector"),
            "{db}"
        );
        assert!(
            story.windows(2).all(|w| w[0].at <= w[1].at),
            "{db}: in time order"
        );
        assert!(
            s.case_chronology(case + 1).await.expect("read").is_empty(),
            "{db}"
        );

        // Reminders: open ones earliest first, by user or team; done only by their owner.
        let later = s
            .add_reminder(case, cara.id, "Check the plan", d("2026-03-20"))
            .await
            .expect("reminder");
        let sooner = s
            .add_reminder(case, cara.id, "Ring the landlord", d("2026-03-10"))
            .await
            .expect("reminder");
        let mine = s.open_reminders(Some(cara.id), None).await.expect("read");
        assert_eq!(
            mine.iter().map(|r| r.id).collect::<Vec<_>>(),
            [sooner, later],
            "{db}"
        );
        assert_eq!(mine[0].household_id, 7, "{db}");
        assert_eq!(
            s.open_reminders(None, Some("Prevention team"))
                .await
                .expect("read")
                .len(),
            2,
            "{db}"
        );
        assert!(
            s.open_reminders(None, Some("Money team"))
                .await
                .expect("read")
                .is_empty(),
            "{db}"
        );
        assert!(
            !s.finish_reminder(sooner, cara.id + 1).await.expect("done"),
            "{db}: not theirs"
        );
        assert!(
            s.finish_reminder(sooner, cara.id).await.expect("done"),
            "{db}"
        );
        assert!(
            !s.finish_reminder(sooner, cara.id).await.expect("done"),
            "{db}: once"
        );
        assert_eq!(
            s.open_reminders(Some(cara.id), None)
                .await
                .expect("read")
                .len(),
            1,
            "{db}"
        );
        let staff_owned = s.open_staff_actions(cara.id).await.expect("read");
        assert!(
            staff_owned.is_empty(),
            "{db}: the resident owns the only action"
        );

        // Letters: kept with their PDF, listed without it, read only by their case.
        let letter = s
            .add_letter(
                &upstream_store::NewLetter {
                    case_id: case,
                    duty_id: None,
                    code: "s184_decision".into(),
                    title: "Our decision".into(),
                    language: "en-GB".into(),
                    sent_on: d("2026-03-05"),
                    pdf: b"%PDF-1.7 test".to_vec(),
                },
                cara.id,
            )
            .await
            .expect("letter");
        let listed = s.letters_of(case).await.expect("letters");
        assert_eq!(
            (listed.len(), listed[0].by.as_str()),
            (1, "Cara Connector"),
            "{db}"
        );
        let (title, pdf) = s
            .letter_pdf(case, letter)
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(
            (title.as_str(), pdf.as_slice()),
            ("Our decision", &b"%PDF-1.7 test"[..]),
            "{db}"
        );
        assert!(
            s.letter_pdf(case + 1, letter)
                .await
                .expect("read")
                .is_none(),
            "{db}"
        );
        assert!(
            s.case_chronology(case)
                .await
                .expect("read")
                .iter()
                .any(|r| r.kind == "letter"),
            "{db}"
        );

        // Documents: kept as uploaded, listed with their size, read only by their case.
        let doc = s
            .add_document(
                &upstream_store::NewDocument {
                    case_id: case,
                    kind: "Proof of income".into(),
                    file_name: "payslip.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.4 payslip".to_vec(),
                },
                cara.id,
            )
            .await
            .expect("document");
        let docs = s.documents_of(case).await.expect("documents");
        assert_eq!(
            (docs.len(), docs[0].size, docs[0].by.as_str()),
            (1, 16, "Cara Connector"),
            "{db}"
        );
        let (name, kind, bytes) = s.document(case, doc).await.expect("read").expect("kept");
        assert_eq!(
            (name.as_str(), kind.as_str(), bytes.len()),
            ("payslip.pdf", "application/pdf", 16),
            "{db}"
        );
        assert!(
            s.document(case + 1, doc).await.expect("read").is_none(),
            "{db}"
        );

        // Figures for analysts: counts by group.
        let f = s.figures().await.expect("figures");
        assert_eq!(f.assessed_on, None, "{db}");
        assert_eq!(f.open_cases, [("Prevention team".to_string(), 1)], "{db}");
        assert!(f.closed_cases.is_empty() && f.referrals.is_empty(), "{db}");

        // Looking from another team: kept, found for its window, listed for the team.
        let since = Utc::now() - Duration::hours(1);
        assert!(
            !s.case_access_reason_since(case, 99, since)
                .await
                .expect("read"),
            "{db}"
        );
        s.add_case_access_reason(case, 99, Some("Money team"), "She rang about her rent")
            .await
            .expect("reason");
        assert!(
            s.case_access_reason_since(case, 99, since)
                .await
                .expect("read"),
            "{db}"
        );
        assert!(
            !s.case_access_reason_since(case, 98, since)
                .await
                .expect("read"),
            "{db}"
        );
        let looks = s
            .case_access_reasons_for_team("Prevention team", 10)
            .await
            .expect("read");
        assert_eq!(looks.len(), 1, "{db}");
        assert_eq!(looks[0].user_team.as_deref(), Some("Money team"), "{db}");
        assert!(
            s.case_access_reasons_for_team("Money team", 10)
                .await
                .expect("read")
                .is_empty(),
            "{db}"
        );
    }
}
