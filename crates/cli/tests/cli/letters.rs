//! `upstream campaign letters` as a council's operator meets it (included
//! into the `cli` test binary): a letter step's waiting letters printed as
//! one PDF in postcode order, a letter whose address would not fit the
//! window named and left waiting, the printed letters never printed again
//! nor sent through the outbox, a reprint giving the same file, and each
//! mistake refused with what is wrong. On SQLite, and on PostgreSQL when
//! DATABASE_URL is a postgres:// URL.

use crate::outreach::common::*;
use chrono::{NaiveDate, Utc};
use upstream_store::{AuditFilter, NewCampaign, NewCampaignStep, NewMessage};

/// A campaign whose one step is a letter, with five letters queued: four
/// that fit the window (one bilingual) and one without a postcode.
fn seed(url: &str) -> i64 {
    with_store(url, async |s| {
        let id = s
            .create_campaign(
                &NewCampaign {
                    name: "Winter money".into(),
                    team: "Prevention team".into(),
                    cohort: "The Prevention team's list".into(),
                    seed: 7,
                    holdout_percent: 0,
                    started_on: NaiveDate::from_ymd_opt(2026, 3, 2).expect("day"),
                    steps: vec![NewCampaignStep {
                        day_offset: 0,
                        channel: "letter".into(),
                        template_name: Some("winter-letter".into()),
                        skip_if: "[]".into(),
                    }],
                    members: (1..=5).map(|h| (h, "contact".to_string())).collect(),
                },
                0,
            )
            .await
            .expect("campaign");
        let letter =
            |h: i64, recipient: &str, language: &str, subject: &str, body: &str| NewMessage {
                reference: format!("c{id}-00000007-s1-h{h}"),
                campaign_id: Some(id),
                step_no: Some(1),
                household_id: h,
                person_id: None,
                channel: "letter".into(),
                template_name: "winter-letter".into(),
                template_version: 1,
                language: language.into(),
                recipient: recipient.into(),
                subject: subject.into(),
                body: body.into(),
                not_before: Utc::now(),
                queued_at: Utc::now(),
            };
        let en = |h: i64, recipient: &str| {
            letter(
                h,
                recipient,
                "en",
                "Help with money this winter",
                "Dear resident,\n\nWe can help with rent and council tax.\n\nYours sincerely,\nPrevention team",
            )
        };
        let queued = s
            .queue_messages(&[
                en(1, "Ann Able\n4 Low Road, Brumford\nB2 2BB"),
                en(2, "Ben Best\n2 High Street, Brumford\nb11aa"),
                en(3, "Cai Cole\n7 Heol y Bont, Caerdydd\nCF10 1EP"),
                letter(
                    4,
                    "Dyfed Davies\n10 High Street, Brumford\nB1 1AA",
                    "cy+en",
                    "Help gydag arian / Help with money",
                    "Annwyl breswylydd,\n\nGallwn helpu.\n\n---\n\nDear resident,\n\nWe can help.",
                ),
                en(5, "Eve Eyre\n1 Nowhere Lane\nBrumford"),
            ])
            .await
            .expect("queue");
        assert_eq!(queued, 5);
        id
    })
}

#[test]
fn a_letter_step_is_printed_once_in_postcode_order_and_reprinted_the_same() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pdftotext = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    for db in databases() {
        let name = db.name();
        let url = db.url.as_str();
        let id = seed(url).to_string();
        let first = tmp.path().join(format!("{name}-batch.pdf"));
        let t = ok(
            url,
            &[
                "campaign",
                "letters",
                "--campaign",
                &id,
                "--step",
                "1",
                "--out",
                utf8(&first),
                "--date",
                "2026-03-04",
                "--return-address",
                "Council House, Brumford B1 1BB",
            ],
        );
        assert!(t.contains("Letter batch "), "{name}: {t}");
        assert_eq!(figure(&t, "made: "), 4, "{name}: {t}");
        assert!(
            t.contains("1 letter left waiting")
                && t.contains("household 5")
                && t.contains("not a UK postcode"),
            "{name}: the letter that would be returned is named, with why: {t}"
        );
        let bytes = std::fs::read(&first).expect("the PDF");
        assert!(
            bytes.starts_with(b"%PDF-") && bytes.ends_with(b"%%EOF"),
            "{name}"
        );
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .collect();
        assert!(left.is_empty(), "{name}: nothing half-written left behind");

        // Claimed once, in postcode then house-number order; the refused
        // letter is still waiting.
        let batch: i64 = figure(&t, "Letter batch ") as i64;
        let (order, statuses) = with_store(url, async |s| {
            let order: Vec<i64> = s
                .letter_batch_letters(batch, 0, 100)
                .await
                .expect("letters")
                .iter()
                .map(|l| l.household_id)
                .collect();
            let mut statuses: Vec<(i64, String)> = s
                .campaign_messages(id.parse().expect("id"))
                .await
                .expect("messages")
                .into_iter()
                .map(|m| (m.household_id, m.status))
                .collect();
            statuses.sort();
            (order, statuses)
        });
        assert_eq!(
            order,
            [2, 4, 1, 3],
            "{name}: B1 1AA (2 then 10 High Street), B2 2BB, CF10 1EP"
        );
        assert_eq!(
            statuses.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
            ["sent", "sent", "sent", "sent", "queued"],
            "{name}"
        );

        if pdftotext {
            let out = std::process::Command::new("pdftotext")
                .args([utf8(&first), "-"])
                .output()
                .expect("pdftotext");
            let words = String::from_utf8_lossy(&out.stdout);
            let at = |s: &str| {
                words
                    .find(s)
                    .unwrap_or_else(|| panic!("{name}: no '{s}' in {words}"))
            };
            assert!(at("Ben Best") < at("Dyfed Davies") && at("Dyfed Davies") < at("Ann Able"));
            assert!(
                at("Gallwn helpu") < at("We can help."),
                "{name}: Welsh first"
            );
            assert!(
                words.contains("Page 1 of 1") && words.contains("Tudalen 2 o 2 / Page 2 of 2"),
                "{name}"
            );
            assert!(
                words.contains("Council House, Brumford B1 1BB") && words.contains("4 March 2026")
            );
        }

        // Nothing is left to print but the refused letter; the outbox
        // (without Notify) keeps only that one: no printed letter is sent.
        let o = upstream(
            url,
            &[
                "campaign",
                "letters",
                "--campaign",
                &id,
                "--step",
                "1",
                "--out",
                utf8(&tmp.path().join("none.pdf")),
            ],
        );
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(t.contains("household 5"), "{name}: {t}");
        assert!(!tmp.path().join("none.pdf").exists(), "{name}");
        let t = ok(url, &["outbox", "send"]);
        assert!(t.contains('1'), "{name}: {t}");
        let counts = with_store(url, async |s| s.outbox_counts().await.expect("counts"));
        assert_eq!(
            (counts.sent, counts.kept, counts.queued),
            (4, 1, 0),
            "{name}: {counts:?}"
        );

        // A reprint is the same file.
        let again = tmp.path().join(format!("{name}-again.pdf"));
        let t = ok(
            url,
            &[
                "campaign",
                "letters",
                "--campaign",
                &id,
                "--reprint",
                &batch.to_string(),
                "--out",
                utf8(&again),
                "--return-address",
                "Council House, Brumford B1 1BB",
            ],
        );
        assert!(t.contains("The same file"), "{name}: {t}");
        assert_eq!(std::fs::read(&again).expect("again"), bytes, "{name}");

        // Mistakes, each named; nothing written.
        for (args, says) in [
            (vec!["--step", "2"], "has no step 2"),
            (vec!["--reprint", "999"], "no letter batch 999"),
        ] {
            let mut all = vec![
                "campaign",
                "letters",
                "--campaign",
                &id,
                "--out",
                utf8(&first),
            ];
            all.extend(args);
            let o = upstream(url, &all);
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{name}: {t}");
            assert!(t.contains(says), "{name}: {t}");
        }
        let o = upstream(
            url,
            &[
                "campaign",
                "letters",
                "--campaign",
                "999",
                "--step",
                "1",
                "--out",
                utf8(&first),
            ],
        );
        assert!(
            text(&o).contains("there is no campaign 999"),
            "{name}: {}",
            text(&o)
        );
        let o = upstream(
            url,
            &[
                "campaign",
                "letters",
                "--campaign",
                &id,
                "--step",
                "1",
                "--out",
                "/no/such/folder/x.pdf",
            ],
        );
        assert!(
            text(&o).contains("there is no folder"),
            "{name}: {}",
            text(&o)
        );

        // Making the batch and printing it again are in the audit log.
        let audited = with_store(url, async |s| {
            s.search_audit(&AuditFilter {
                subject_kind: Some("letter_batch".into()),
                ..Default::default()
            })
            .await
            .expect("audit")
        });
        assert!(audited.len() >= 2, "{name}: {audited:?}");
    }
}
