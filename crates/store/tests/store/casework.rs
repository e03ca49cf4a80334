//! Casework on every backend: one open case per household, the conversation
//! kept in versions, plan actions, attempts, duties, consent that a partner's
//! visibility follows (and loses at once on withdrawal), and referrals.

use super::stores;
use chrono::NaiveDate;
use upstream_core::Role;
use upstream_store::{
    Conversation, NewCase, NewConsent, NewPlanAction, NewReferral, NewUser, PartnerOrganisation,
    ReferralFilter,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[tokio::test]
async fn a_case_keeps_its_conversation_plan_attempts_duties_and_consent() {
    for fresh in stores().await {
        let s = &fresh.store;
        let db = fresh.name();
        let connector = s
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
        let new = NewCase {
            household_id: 7,
            team: Some("Prevention team".into()),
            connector_id: Some(connector.id),
            origin: "worklist".into(),
            referral_id: None,
            nation: "england".into(),
            opened_by: connector.id,
            opened_on: d("2026-03-02"),
        };
        let (id, created) = s.open_case_with(&new).await.expect("open");
        assert!(created, "{db}");
        let (again, created) = s.open_case_with(&new).await.expect("open again");
        assert_eq!(
            (again, created),
            (id, false),
            "{db}: one open case per household"
        );
        let case = s.case_info(id).await.expect("case").expect("found");
        assert_eq!(
            case.connector_name.as_deref(),
            Some("Cara Connector"),
            "{db}"
        );

        for what_matters in [
            "Staying near my sister",
            "Staying near my sister and the school",
        ] {
            let c = Conversation {
                held_on: Some(d("2026-03-03")),
                what_matters: what_matters.into(),
                strengths: "Organised".into(),
                ..Conversation::default()
            };
            s.save_conversation(id, &c, connector.id)
                .await
                .expect("conversation");
        }
        let saved = s.conversation(id).await.expect("read").expect("saved");
        assert_eq!(saved.versions, 2, "{db}: every save kept");
        assert_eq!(
            saved.conversation.what_matters,
            "Staying near my sister and the school"
        );

        let action = s
            .add_plan_action(
                id,
                &NewPlanAction {
                    what: "Apply for a discretionary housing payment".into(),
                    how_we_will_know: "Award letter received".into(),
                    owner: "resident".into(),
                    owner_name: "Jo".into(),
                    due_on: d("2026-03-20"),
                },
                connector.id,
            )
            .await
            .expect("action");
        assert!(s
            .set_plan_action_status(id, action, "done")
            .await
            .expect("status"));
        assert!(
            !s.set_plan_action_status(id + 1, action, "done")
                .await
                .expect("other case"),
            "{db}"
        );
        assert_eq!(
            s.plan_actions(id).await.expect("plan")[0].status,
            "done",
            "{db}"
        );

        s.record_attempt(id, 7, d("2026-03-04"), "phone", "no_answer", "", "Cara")
            .await
            .expect("attempt");
        s.record_attempt(id, 7, d("2026-03-05"), "letter", "no_reply", "", "Cara")
            .await
            .expect("attempt");
        assert_eq!(s.attempts(id).await.expect("attempts").len(), 2, "{db}");

        let duty = s
            .add_duty(id, "prevention", "england", d("2026-03-02"), connector.id)
            .await
            .expect("duty");
        assert!(s
            .update_duty(id, duty, None, Some(d("2026-03-04")), None)
            .await
            .expect("letter"));
        let duties = s.duties(id).await.expect("duties");
        assert_eq!(
            duties[0].start_letter_sent_on,
            Some(d("2026-03-04")),
            "{db}"
        );

        let open = s
            .open_cases(Some(connector.id), None)
            .await
            .expect("caseload");
        assert_eq!(open.len(), 1, "{db}");
        assert_eq!(
            (open[0].attempts.len(), open[0].duties.len()),
            (2, 1),
            "{db}"
        );
        assert!(s
            .open_cases(None, Some("Another team"))
            .await
            .expect("team")
            .is_empty());

        // Consent decides what a partner may see, for what its work serves.
        s.save_partner_organisation(&PartnerOrganisation {
            name: "Citizens Advice".into(),
            kind: "voluntary".into(),
            purposes: vec!["money_advice".into()],
        })
        .await
        .expect("org");
        s.save_partner_organisation(&PartnerOrganisation {
            name: "Food Bank".into(),
            kind: "voluntary".into(),
            purposes: vec!["community_support".into()],
        })
        .await
        .expect("org");
        let today = d("2026-03-06");
        assert!(!s
            .partner_may_see("Citizens Advice", 7, today)
            .await
            .expect("see"));
        let consent = s
            .record_consent(
                &NewConsent {
                    household_id: 7,
                    case_id: Some(id),
                    given_by: "Jo".into(),
                    organisations: vec!["Citizens Advice".into(), "Food Bank".into()],
                    purposes: vec!["money_advice".into()],
                    obtained_how: "verbal_in_person".into(),
                    given_on: d("2026-03-05"),
                    expires_on: Some(d("2027-03-05")),
                },
                connector.id,
            )
            .await
            .expect("consent");
        assert!(
            s.partner_may_see("Citizens Advice", 7, today)
                .await
                .expect("see"),
            "{db}"
        );
        assert!(
            !s.partner_may_see("Food Bank", 7, today).await.expect("see"),
            "{db}: named, but not for anything the food bank does"
        );
        assert!(
            !s.partner_may_see("Citizens Advice", 8, today)
                .await
                .expect("see"),
            "{db}"
        );
        assert!(
            !s.partner_may_see("Citizens Advice", 7, d("2027-03-06"))
                .await
                .expect("see"),
            "{db}: expired"
        );
        let consents = s.consents_of(7).await.expect("consents");
        assert_eq!(
            consents[0].organisations,
            ["Citizens Advice", "Food Bank"],
            "{db}"
        );

        assert!(s
            .withdraw_consent(7, consent, today, connector.id, "Changed their mind")
            .await
            .expect("withdraw"));
        assert!(
            !s.withdraw_consent(7, consent, today, connector.id, "")
                .await
                .expect("twice"),
            "{db}"
        );
        assert!(
            !s.partner_may_see("Citizens Advice", 7, today)
                .await
                .expect("see"),
            "{db}: at once"
        );

        // A partner that referred a household in may see it once it is matched.
        let referral = s
            .add_referral(&NewReferral {
                direction: "in".into(),
                team: Some("Prevention team".into()),
                from_organisation: "Food Bank".into(),
                to_organisation: "Prevention team".into(),
                referrer_name: "Sam".into(),
                referrer_contact: "0121 000 0000".into(),
                subject_name: "Jo Bloggs".into(),
                subject_address: "1 High Street".into(),
                subject_postcode: "B1 1AA".into(),
                reason: "Food bank visits every week".into(),
                resident_agreed: true,
                ..NewReferral::default()
            })
            .await
            .expect("referral");
        let queue = s
            .referrals(&ReferralFilter {
                direction: Some("in".into()),
                team: Some("Prevention team".into()),
                status: Some("new".into()),
                ..ReferralFilter::default()
            })
            .await
            .expect("queue");
        assert_eq!(queue.len(), 1, "{db}");
        assert!(!s.partner_may_see("Food Bank", 7, today).await.expect("see"));
        assert!(s
            .decide_referral(referral, true, Some(7), connector.id, "")
            .await
            .expect("accept"));
        assert!(!s
            .decide_referral(referral, false, None, connector.id, "")
            .await
            .expect("twice"));
        assert!(
            s.partner_may_see("Food Bank", 7, today).await.expect("see"),
            "{db}: referred in"
        );
        assert_eq!(
            s.partner_households("Food Bank", today, None)
                .await
                .expect("list"),
            [7]
        );

        assert!(s
            .close_case(id, today, "support_in_place", "", connector.id)
            .await
            .expect("close"));
        assert!(!s
            .close_case(id, today, "support_in_place", "", connector.id)
            .await
            .expect("twice"));
        assert!(
            s.open_cases(None, None).await.expect("open").is_empty(),
            "{db}"
        );
    }
}
