//! `upstream template`, `campaign`, `outbox` and `notify stand-in` as a
//! council's staff and operator meet them (included into the `cli` test
//! binary): a template refused with every problem named, a campaign on a
//! team's list, a day's run with everyone left out counted, and the outbox
//! sent through the real Notify client to the stand-in of Notify's
//! contract, exactly once. On SQLite, and on PostgreSQL when DATABASE_URL
//! is a postgres:// URL.

// Shared with `letters.rs`, which is in the same test binary.
#[path = "../common/mod.rs"]
pub(crate) mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use upstream_notify::stand_in::{StandIn, StandInConfig, StandInTemplate};
use upstream_notify::NotificationType;
use upstream_store::{NewContactDetail, NewMessage};

const TEAM: &str = "Prevention team";
// The carrier templates the stand-in holds: the same ids `upstream notify
// stand-in` prints.
const SMS: &str = "8d3e0c52-7a1b-4c8e-9f2d-5a0000000001";
const EMAIL: &str = "8d3e0c52-7a1b-4c8e-9f2d-5a0000000002";
const LETTER: &str = "8d3e0c52-7a1b-4c8e-9f2d-5a0000000003";
const NOTIFY_VARS: [&str; 4] = [
    "NOTIFY_API_KEY",
    "NOTIFY_SMS_TEMPLATE",
    "NOTIFY_EMAIL_TEMPLATE",
    "NOTIFY_LETTER_TEMPLATE",
];

/// `upstream` with exactly these Notify settings in its environment (any
/// the test runner has are removed first).
fn upstream_with(db: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_upstream"));
    c.args(args)
        .env("DATABASE_URL", db)
        .env_remove("UPSTREAM_LOG")
        .stdin(Stdio::null());
    for v in NOTIFY_VARS {
        c.env_remove(v);
    }
    c.envs(env.iter().copied());
    c.output().expect("run upstream")
}

fn carriers() -> Vec<StandInTemplate> {
    vec![
        StandInTemplate::new(SMS, NotificationType::Sms, None, "((body))"),
        StandInTemplate::new(
            EMAIL,
            NotificationType::Email,
            Some("((subject))"),
            "((body))",
        ),
        StandInTemplate::new(
            LETTER,
            NotificationType::Letter,
            Some("((subject))"),
            "((body))",
        ),
    ]
}

#[test]
fn a_campaign_is_started_run_and_sent_through_notify_exactly_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    // Ten months: the risk model learns from nine months of the town's own
    // history before it can make a list.
    simulate(&town, 200, 10, 11);
    let bad = tmp.path().join("bad.txt");
    std::fs::write(
        &bad,
        "Hello ((frist_name)), ((council_name)) can help if money is tight.\n",
    )
    .expect("write");
    let good = tmp.path().join("good.txt");
    std::fs::write(
        &good,
        "Hello ((first_name)). This is ((council_name)). We can help if money is tight. Call us or reply to this text.\n",
    )
    .expect("write");
    let notify_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    for db in databases() {
        let name = db.name();
        let url = db.url.as_str();
        ok(url, &["extracts", "register", utf8(&town)]);
        ok(url, &["ingest", utf8(&town.join("extracts"))]);
        ok(url, &["link"]);
        ok(url, &["assess"]);
        ok(url, &["teams", "set", TEAM, "--capacity", "30"]);
        ok(url, &["worklist", "--team", TEAM]);

        // A template with a misspelt field and a subject on a text: refused,
        // every problem named, nothing saved.
        let o = upstream(
            url,
            &[
                "template",
                "add",
                "--name",
                "money-text",
                "--channel",
                "sms",
                "--subject",
                "Hello",
                "--body-file",
                utf8(&bad),
            ],
        );
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(t.contains("((frist_name))"), "{name}: {t}");
        assert!(t.contains("Did you mean ((first_name))?"), "{name}: {t}");
        assert!(t.contains("Text messages have no subject"), "{name}: {t}");
        assert!(t.contains("not saved"), "{name}: {t}");
        let saved = with_store(url, async |s| {
            s.message_template("money-text", None).await.expect("read")
        });
        assert_eq!(saved, None, "{name}: nothing saved");

        let t = ok(
            url,
            &[
                "template",
                "add",
                "--name",
                "money-text",
                "--channel",
                "text",
                "--body-file",
                utf8(&good),
            ],
        );
        assert!(t.contains("'money-text' version 1"), "{name}: {t}");
        assert!(t.contains("reading age of about"), "{name}: {t}");
        let t = ok(url, &["template", "list"]);
        assert!(
            t.lines()
                .any(|l| l.starts_with("money-text") && l.contains("Text message")),
            "{name}: {t}"
        );

        // A campaign on the team's list: a text, then a call a week later.
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
                "0:text:money-text",
                "--step",
                "7:phone_call",
                "--skip-if",
                "engaged,case_opened",
                "--holdout",
                "20",
                "--seed",
                "7",
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
        assert!(
            t.contains(&format!("started on {}", as_of.format("%-d %B %Y"))),
            "{name}: the campaign starts on the day the records end: {t}"
        );
        let (contact, held) = (figure(&t, "households.\n  "), figure(&t, "to contact, "));
        assert!(contact > 0 && held > 0, "{name}: {t}");

        // One household asked not to be contacted; another's mobile number
        // was typed by staff one digit short.
        let members = with_store(url, async |s| {
            s.campaign_members(id.parse().expect("id"))
                .await
                .expect("members")
        });
        let mut in_contact = members.iter().filter(|m| m.1 == "contact").map(|m| m.0);
        let refused = in_contact.next().expect("a household to contact");
        let mistyped = in_contact.next().expect("another");
        ok(
            url,
            &[
                "do-not-contact",
                &refused.to_string(),
                "--by",
                "A Connector",
                "--note",
                "asked by phone",
            ],
        );
        with_store(url, async |s| {
            s.add_contact_detail(
                &NewContactDetail {
                    household_id: mistyped,
                    person_id: None,
                    kind: "phone".into(),
                    value: "0770090012".into(),
                    usable: true,
                    note: "given at the front desk".into(),
                },
                0,
            )
            .await
            .expect("detail");
        });

        let run = ok(url, &["campaign", "run", &id, "--now", &as_of.to_string()]);
        let queued = figure(&run, "(UK time):\n  ");
        assert!(queued > 1, "{name}: {run}");
        assert!(run.contains(&format!("{held} held back")), "{name}: {run}");
        let excluded = figure(
            &run,
            "waiting (quiet hours or the contact limit; tried again on a later run)\n  ",
        );
        let exclusions = with_store(url, async |s| {
            s.campaign_exclusions(id.parse().expect("id"))
                .await
                .expect("read")
        });
        assert_eq!(
            exclusions.iter().map(|e| e.households).sum::<i64>() as usize,
            excluded,
            "{name}: every household left out is counted by reason: {run}"
        );
        assert!(
            exclusions
                .iter()
                .any(|e| e.reason_code == "do_not_contact" && e.households >= 1),
            "{name}: {exclusions:?}"
        );
        for e in &exclusions {
            assert!(
                run.contains(&e.reason),
                "{name}: {} not shown: {run}",
                e.reason
            );
        }
        let shown = ok(url, &["campaign", "show", &id]);
        assert!(
            shown.contains(&format!("Step 1: {queued} queued")),
            "{name}: {shown}"
        );
        assert!(
            shown.contains("Asked not to be contacted"),
            "{name}: {shown}"
        );
        assert!(
            ok(url, &["campaign", "list"]).contains("Money worries"),
            "{name}"
        );
        // Run the same day again: nothing queued twice.
        let again = ok(url, &["campaign", "run", &id, "--now", &as_of.to_string()]);
        assert_eq!(figure(&again, "(UK time):\n  "), 0, "{name}: {again}");

        // The stand-in of Notify's contract, and the outbox sent to it.
        let notify = notify_rt
            .block_on(StandIn::start(StandInConfig {
                templates: carriers(),
                ..StandInConfig::default()
            }))
            .expect("stand-in");
        let key = notify.api_key();
        let base = notify.base_url();
        let env = [
            ("NOTIFY_API_KEY", key.as_str()),
            ("NOTIFY_SMS_TEMPLATE", SMS),
            ("NOTIFY_EMAIL_TEMPLATE", EMAIL),
            ("NOTIFY_LETTER_TEMPLATE", LETTER),
        ];

        // Plain http:// anywhere but this machine is refused, before anything.
        let o = upstream_with(
            url,
            &[
                "outbox",
                "send",
                "--notify-url",
                "http://api.notifications.service.gov.uk",
            ],
            &env,
        );
        assert_eq!(o.status.code(), Some(2), "{name}: {}", text(&o));
        assert!(text(&o).contains("https://"), "{name}: {}", text(&o));
        // A key of the wrong shape: refused, and never repeated.
        let wrong = "live-key-3d844edf-8d35-48ac-975b-e847b4f122b0";
        let mut wrong_env = env;
        wrong_env[0].1 = wrong;
        let o = upstream_with(url, &["outbox", "send", "--notify-url", &base], &wrong_env);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(t.contains("NOTIFY_API_KEY"), "{name}: {t}");
        assert!(!t.contains(wrong) && !t.contains("3d844edf"), "{name}: {t}");
        // The real key, but no carrier templates: refused, naming them.
        let o = upstream_with(url, &["outbox", "send", "--notify-url", &base], &env[..1]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(t.contains("NOTIFY_SMS_TEMPLATE"), "{name}: {t}");
        assert!(!t.contains(&key), "{name}: {t}");
        assert!(notify.received().is_empty(), "{name}: nothing sent yet");

        let t = {
            let o = upstream_with(url, &["outbox", "send", "--notify-url", &base], &env);
            assert!(o.status.success(), "{name}: {}", text(&o));
            text(&o)
        };
        assert!(!t.contains(&key), "{name}: the key is never shown: {t}");
        assert!(
            t.contains(&format!("Sent {} messages to GOV.UK Notify", queued - 1)),
            "{name}: {t}"
        );
        assert!(t.contains("1 message failed"), "{name}: {t}");

        let messages = with_store(url, async |s| {
            s.campaign_messages(id.parse().expect("id"))
                .await
                .expect("read")
        });
        assert_eq!(messages.len(), queued, "{name}");
        let mut accepted: Vec<String> = notify
            .accepted()
            .iter()
            .filter_map(|r| r.reference.clone())
            .collect();
        accepted.sort();
        let before = accepted.len();
        accepted.dedup();
        assert_eq!(
            before,
            accepted.len(),
            "{name}: a message reached Notify twice"
        );
        let mut sent: Vec<String> = messages
            .iter()
            .filter(|m| m.status == "sent")
            .map(|m| m.reference.clone())
            .collect();
        sent.sort();
        assert_eq!(
            sent, accepted,
            "{name}: sent is exactly what Notify accepted"
        );
        assert_eq!(sent.len(), queued - 1, "{name}");
        let short = messages
            .iter()
            .find(|m| m.household_id == mistyped)
            .expect("the mistyped number's message");
        assert_eq!(short.status, "failed", "{name}: {short:?}");
        assert!(
            short.failure.contains("Not enough digits"),
            "{name}: {short:?}"
        );
        assert!(
            !messages.iter().any(|m| m.household_id == refused),
            "{name}: the household that asked not to be contacted got nothing"
        );
        // Notify got the words Upstream filled in, in the carrier template.
        let one = notify.accepted().into_iter().next().expect("one accepted");
        assert_eq!(one.template_id.as_deref(), Some(SMS), "{name}");
        let body = one.personalisation.get("body").cloned().unwrap_or_default();
        assert!(body.starts_with("Hello "), "{name}: {body}");
        assert!(!body.contains("(("), "{name}: {body}");

        let list = ok(url, &["outbox", "list", "--limit", "500"]);
        assert_eq!(
            list.lines().filter(|l| l.contains(" sent ")).count(),
            queued - 1,
            "{name}: {list}"
        );
        let failed_line = list
            .lines()
            .find(|l| l.contains(&short.reference))
            .expect("the failed message listed");
        assert!(
            failed_line.contains("failed") && failed_line.contains("Not enough digits"),
            "{name}: {failed_line}"
        );
        for m in &messages {
            assert!(
                !list.contains(&m.recipient),
                "{name}: a recipient shown in full: {list}"
            );
        }
        let mine = ok(
            url,
            &["outbox", "list", "--household", &mistyped.to_string()],
        );
        assert!(mine.contains("****012"), "{name}: {mine}");

        // Again: nothing more is sent.
        let at_notify = notify.received().len();
        let t = {
            let o = upstream_with(url, &["outbox", "send", "--notify-url", &base], &env);
            assert!(o.status.success(), "{name}: {}", text(&o));
            text(&o)
        };
        assert!(t.contains("Nothing was due to send."), "{name}: {t}");
        assert_eq!(notify.received().len(), at_notify, "{name}");
        // Without a key: said in one line, and nothing goes anywhere.
        let o = upstream_with(url, &["outbox", "send"], &[]);
        assert!(o.status.success(), "{name}: {}", text(&o));
        assert!(
            text(&o).contains("NOTIFY_API_KEY is not set, so nothing goes to GOV.UK Notify"),
            "{name}: {}",
            text(&o)
        );
        notify_rt.block_on(notify.shutdown());
    }
}

/// `upstream notify stand-in` prints what to paste, takes the outbox sent
/// with it, and stops on Ctrl-C; it will not listen beyond this machine.
#[test]
fn the_stand_in_command_prints_what_to_paste_and_stops_on_ctrl_c() {
    let db = sqlite_db();
    let o = upstream_with(&db.url, &["notify", "stand-in", "--bind", "0.0.0.0:0"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("loopback"), "{}", text(&o));

    let mut child = Command::new(env!("CARGO_BIN_EXE_upstream"))
        .args([
            "notify",
            "stand-in",
            "--bind",
            "127.0.0.1:0",
            "--seed",
            "5",
            "--deliver-after-ms",
            "10",
        ])
        .env("DATABASE_URL", &db.url)
        .env_remove("UPSTREAM_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the stand-in");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut shown = Vec::new();
    while !shown.iter().any(|l: &String| l.starts_with("Press Ctrl-C")) {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => shown.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("the stand-in did not say it was ready: {shown:?}");
            }
        }
    }
    let all = shown.join("\n");
    let base = all
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .expect("the base URL")
        .to_string();
    let exports: Vec<(String, String)> = shown
        .iter()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let names: Vec<&str> = exports.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, NOTIFY_VARS, "{all}");
    assert!(all.contains("throwaway"), "{all}");
    assert!(exports
        .iter()
        .any(|(k, v)| k == "NOTIFY_SMS_TEMPLATE" && v == SMS));

    // One message, sent with exactly what it printed.
    with_store(&db.url, async |s| {
        s.queue_messages(&[NewMessage {
            reference: "t-1".into(),
            campaign_id: None,
            step_no: None,
            household_id: 1,
            person_id: None,
            channel: "email".into(),
            template_name: "hand-made".into(),
            template_version: 1,
            language: "en".into(),
            recipient: "resident@example.org".into(),
            subject: "Help with your rent".into(),
            body: "Hello, we can help.".into(),
            not_before: chrono::Utc::now() - chrono::Duration::minutes(1),
            queued_at: chrono::Utc::now(),
        }])
        .await
        .expect("queue")
    });
    let env: Vec<(&str, &str)> = exports
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let o = upstream_with(&db.url, &["outbox", "send", "--notify-url", &base], &env);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("Sent 1 message to GOV.UK Notify"),
        "{}",
        text(&o)
    );
    let list = ok(&db.url, &["outbox", "list"]);
    assert!(list.contains("t-1") && list.contains(" sent "), "{list}");
    assert!(!list.contains("resident@example.org"), "{list}");

    // Ctrl-C: it stops cleanly and says what it took.
    // SAFETY: kill(2) on the child this test started.
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = child.wait().expect("wait");
    let _ = reader.join();
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(status.success(), "{status:?}: {rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("accepted 1 message")),
        "{rest:?}"
    );
}

/// A Welsh council's template must carry its Welsh (the Welsh Language
/// Standards): the nation is the registered town's. And the mistakes a
/// user can put right are refused as such (exit code 2).
#[test]
fn a_welsh_councils_template_needs_its_welsh_and_mistakes_are_named() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    let db = sqlite_db();
    let url = db.url.as_str();
    ok(
        url,
        &[
            "simulate",
            "--profile",
            "ceredigion",
            "--households",
            "200",
            "--months",
            "1",
            "--out",
            utf8(&town),
        ],
    );
    ok(url, &["extracts", "register", utf8(&town)]);
    let english = tmp.path().join("en.txt");
    std::fs::write(&english, "Hello ((first_name)). We can help with rent.").expect("write");
    let welsh = tmp.path().join("cy.txt");
    std::fs::write(&welsh, "Helo ((first_name)). Gallwn helpu gyda rhent.").expect("write");
    let add = |extra: &[&str]| {
        let mut args = vec![
            "template",
            "add",
            "--name",
            "rent-letter",
            "--channel",
            "letter",
            "--subject",
            "Help with your rent",
            "--body-file",
            utf8(&english),
        ];
        args.extend_from_slice(extra);
        upstream(url, &args)
    };
    let o = add(&[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("must be in Welsh as well as English"), "{t}");
    let o = add(&["--welsh-body-file", utf8(&welsh)]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("add the Welsh subject"), "{t}");
    let t = ok(
        url,
        &[
            "template",
            "add",
            "--name",
            "rent-letter",
            "--channel",
            "letter",
            "--subject",
            "Help with your rent",
            "--welsh-subject",
            "Help gyda'ch rhent",
            "--body-file",
            utf8(&english),
            "--welsh-body-file",
            utf8(&welsh),
        ],
    );
    assert!(
        t.contains("version 1") && t.contains("in Welsh and English"),
        "{t}"
    );
    assert!(t.contains("The Welsh message"), "{t}");
    // England's rules, when said: the Welsh is then optional.
    let t = text(&add(&["--nation", "england"]));
    assert!(t.contains("version 2"), "{t}");

    for (args, says) in [
        (
            vec![
                "template",
                "add",
                "--name",
                "rent-letter",
                "--channel",
                "sms",
                "--body-file",
                utf8(&english),
                "--nation",
                "england",
            ],
            "a new version must be for the same channel",
        ),
        (
            vec![
                "template",
                "add",
                "--name",
                "x",
                "--channel",
                "sms",
                "--body-file",
                "/no/such/file",
            ],
            "--body-file",
        ),
        (
            vec![
                "template",
                "add",
                "--name",
                "x",
                "--channel",
                "door_knock",
                "--body-file",
                utf8(&english),
            ],
            "sms (or text), email or letter",
        ),
        (
            vec![
                "template",
                "add",
                "--name",
                "x",
                "--channel",
                "sms",
                "--body-file",
                utf8(&english),
                "--by",
                "nobody",
            ],
            "no account called 'nobody'",
        ),
        (
            vec![
                "campaign",
                "start",
                "--team",
                "Nobody",
                "--name",
                "N",
                "--step",
                "0:text:rent-letter",
            ],
            "is for a letter",
        ),
        (
            vec![
                "campaign",
                "start",
                "--team",
                "Nobody",
                "--name",
                "N",
                "--step",
                "0:letter:rent-letter",
            ],
            "no weekly list",
        ),
        (
            vec![
                "campaign",
                "start",
                "--team",
                "T",
                "--name",
                "N",
                "--step",
                "zero:text",
            ],
            "is not a day",
        ),
        (
            // Three contacts in a week: more than the contact limit of 2 in
            // 14 days, by the campaign's own steps. Refused before the team
            // is even looked at.
            vec![
                "campaign",
                "start",
                "--team",
                "Nobody",
                "--name",
                "N",
                "--step",
                "0:letter:rent-letter",
                "--step",
                "3:phone_call",
                "--step",
                "7:door_knock",
            ],
            "3 times between day 0 and day 7: step 1 (a letter on day 0), step 2 (a phone call on day 3) and step 3 (a door knock on day 7)",
        ),
        (vec!["campaign", "run", "99"], "no campaign 99"),
        (vec!["campaign", "show", "99"], "no campaign 99"),
        (
            vec!["campaign", "run", "1", "--now", "yesterday"],
            "is not a time",
        ),
        (
            vec!["outbox", "send", "--notify-url", "ftp://127.0.0.1"],
            "https://",
        ),
    ] {
        let o = upstream_with(url, &args, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{args:?}: {}", text(&o));
    }
    let t = ok(url, &["campaign", "list"]);
    assert!(
        t.contains("No campaigns yet"),
        "nothing refused was saved: {t}"
    );
}
