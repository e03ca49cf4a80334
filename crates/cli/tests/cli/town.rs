//! `upstream town advance` (included into the `cli` test binary): a
//! campaign's letters and texts go, the simulated town lives a month more
//! and answers, the answers are recorded once on the households that were
//! written to, and the monthly run takes in the new month. On SQLite, and
//! on PostgreSQL when DATABASE_URL is a postgres:// URL.

use crate::outreach::common::*;

const TEAM: &str = "Prevention team";

#[test]
fn the_town_answers_a_campaign_and_lives_a_month_more() {
    let tmp = tempfile::tempdir().expect("tmp");
    let letter = tmp.path().join("letter.txt");
    std::fs::write(
        &letter,
        "Dear ((full_name)). This is ((council_name)). If money is tight, we can help. Call us on 0121 000 0000.\n",
    )
    .expect("write");
    let text_body = tmp.path().join("text.txt");
    std::fs::write(
        &text_body,
        "Hello ((first_name)). This is ((council_name)). We can help if money is tight. Reply to this text.\n",
    )
    .expect("write");
    for (i, db) in databases().into_iter().enumerate() {
        let name = db.name();
        let url = db.url.as_str();
        // Each database gets its own town: advancing one changes its folder.
        let town = tmp.path().join(format!("town-{i}"));
        simulate(&town, 400, 10, 11);
        ok(url, &["teams", "set", TEAM, "--capacity", "150"]);
        ok(url, &["run", "--extracts", utf8(&town)]);
        ok(url, &["worklist", "--team", TEAM]);
        ok(
            url,
            &[
                "template",
                "add",
                "--name",
                "money-letter",
                "--channel",
                "letter",
                "--subject",
                "Help with money",
                "--body-file",
                utf8(&letter),
            ],
        );
        ok(
            url,
            &[
                "template",
                "add",
                "--name",
                "money-text",
                "--channel",
                "text",
                "--body-file",
                utf8(&text_body),
            ],
        );
        let t = ok(
            url,
            &[
                "campaign",
                "start",
                "--team",
                TEAM,
                "--name",
                "Money worries",
                "--step",
                "0:letter:money-letter",
                "--step",
                "1:text:money-text",
                "--holdout",
                "50",
                "--seed",
                "3",
            ],
        );
        let id = figure(&t, "Campaign ").to_string();
        let as_of = with_store(url, async |s| {
            s.latest_assessment_run()
                .await
                .expect("read")
                .expect("assessed")
                .as_of
        });
        // No Notify key: the messages are kept in the outbox, and the
        // simulated town stands in for the post and the phone network.
        let next_day = as_of + chrono::Days::new(1);
        for day in [as_of, next_day] {
            ok(url, &["campaign", "run", &id, "--now", &day.to_string()]);
            ok(url, &["outbox", "send"]);
        }
        let before = upstream_sim::read_manifest(&town).expect("manifest");

        let t = ok(url, &["town", "advance", "--town", utf8(&town)]);
        let answered = figure(&t, "The town answered: ");
        assert!(answered > 0, "{name}: nobody answered: {t}");
        let after = upstream_sim::read_manifest(&town).expect("manifest");
        assert_eq!(after.months, before.months + 1, "{name}");
        assert!(town.join(upstream_sim::CONTACTS_FILE).exists(), "{name}");

        // Every answer is on a household the campaign wrote to, as a call
        // or a reply: engagement the campaign page counts.
        let (calls, replies, stops) =
            with_store(url, async |s| s.response_counts().await.expect("counts"));
        assert_eq!((calls + replies + stops) as usize, answered, "{name}: {t}");
        let members = with_store(url, async |s| {
            s.campaign_members(id.parse().expect("id"))
                .await
                .expect("members")
        });
        let facts = with_store(url, async |s| {
            s.household_contact_facts(&members.iter().map(|m| m.0).collect::<Vec<_>>())
                .await
                .expect("facts")
        });
        let engaged: Vec<i64> = facts
            .iter()
            .filter(|f| {
                f.contacts
                    .iter()
                    .any(|(_, _, outcome)| outcome == "spoke" || outcome == "replied")
            })
            .map(|f| f.household_id)
            .collect();
        assert_eq!(
            engaged.len() as u64,
            calls + replies - duplicates(&facts),
            "{name}: {t}"
        );
        assert!(
            engaged
                .iter()
                .all(|h| members.iter().any(|m| m.0 == *h && m.1 == "contact")),
            "{name}: a held-back household answered a message it never had"
        );

        // Reading the town's answers again records nothing twice.
        let again = with_store(url, async |s| {
            upstream_pipeline::town::record_responses(s, &town)
                .await
                .expect("record")
        });
        assert_eq!(again.new, 0, "{name}: {again:?}");
        assert_eq!(again.read, answered, "{name}: {again:?}");

        // The monthly run took in the new month and assessed to it.
        let new_as_of = with_store(url, async |s| {
            s.latest_assessment_run()
                .await
                .expect("read")
                .expect("assessed")
                .as_of
        });
        assert!(new_as_of > as_of, "{name}: {new_as_of} after {as_of}: {t}");
        // Crises after the campaign, by arm: known so far, to the new month.
        let crises = with_store(url, async |s| {
            upstream_pipeline::campaign_outcomes::crises_by_arm(s, id.parse().expect("id"), 6)
                .await
                .expect("crises")
        });
        assert_eq!(crises.seen_until, Some(new_as_of), "{name}: {crises:?}");
        assert!(!crises.complete, "{name}: six months have not passed");
        assert_eq!(
            (crises.contact.1 + crises.held_back.1) as usize,
            members.len(),
            "{name}: {crises:?}"
        );
        let shown = ok(url, &["campaign", "show", &id]);
        assert!(shown.contains("Money worries"), "{name}: {shown}");
    }
}

/// Households that answered both the letter and the text count once.
fn duplicates(facts: &[upstream_store::HouseholdContactFacts]) -> u64 {
    facts
        .iter()
        .map(|f| {
            let n = f
                .contacts
                .iter()
                .filter(|(_, _, outcome)| outcome == "spoke" || outcome == "replied")
                .count() as u64;
            n.saturating_sub(1)
        })
        .sum()
}
