//! The `upstream` command as a user meets it: help, errors and exit codes,
//! registering extracts twice, and a simulation killed half way.

use std::path::Path;
use std::process::{Command, Output, Stdio};

// Accounts and the audit log: a module of this binary, not a binary of its own.
#[path = "cli/accounts.rs"]
mod accounts;
// Templates, campaigns, the outbox and the Notify stand-in.
#[path = "cli/outreach.rs"]
mod outreach;
// A simulated town answering a campaign, and living a month more.
#[path = "cli/town.rs"]
mod town;
// Printing a campaign's letters.
#[path = "cli/letters.rs"]
mod letters;

fn upstream(args: &[&str], db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_upstream"))
        .args(args)
        .env("DATABASE_URL", db)
        .env_remove("UPSTREAM_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run upstream")
}

/// Simulate a small town of 300 households over two months into `out`.
fn small_town(out: &str, db: &Path) {
    let o = upstream(
        &[
            "simulate",
            "--households",
            "300",
            "--months",
            "2",
            "--out",
            out,
        ],
        db,
    );
    assert!(o.status.success(), "{}", text(&o));
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn help_lists_the_commands_in_plain_words() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = upstream(&["--help"], &tmp.path().join("db"));
    assert!(o.status.success());
    let t = text(&o);
    for word in [
        "simulate",
        "extracts",
        "serve",
        "demo",
        "bench",
        "early intervention",
    ] {
        assert!(t.contains(word), "help lacks '{word}':\n{t}");
    }
}

#[test]
fn a_bad_profile_value_is_refused_naming_the_key_with_exit_code_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let text_in = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../profiles/birmingham.toml"
    ))
    .expect("profile");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, text_in.replace("typo_rate = 0.03", "typo_rate = 3.0")).expect("write");
    let o = upstream(
        &[
            "simulate",
            "--profile",
            bad.to_str().expect("utf-8"),
            "--out",
            tmp.path().join("out").to_str().expect("utf-8"),
        ],
        &tmp.path().join("db"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("noise.typo_rate"), "{}", text(&o));
    assert!(!tmp.path().join("out").exists(), "nothing written");
}

#[test]
fn an_unknown_profile_and_bad_arguments_get_clear_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("db");
    let o = upstream(&["simulate", "--profile", "atlantis", "--out", "x"], &db);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("birmingham"), "{}", text(&o));
    let o = upstream(&["simulate", "--households", "lots", "--out", "x"], &db);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--households"), "{}", text(&o));
    let o = upstream(&["simulate", "--households", "10", "--out", "x"], &db);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("at least 100"), "{}", text(&o));
}

#[test]
fn registering_a_towns_extracts_twice_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("upstream.db");
    let town = tmp.path().join("town");
    let t = town.to_str().expect("utf-8");
    small_town(t, &db);
    let o = upstream(&["extracts", "register", t], &db);
    assert!(
        text(&o).contains("20 new extract files registered, 0 already known"),
        "{}",
        text(&o)
    );
    let o = upstream(&["extracts", "register", t], &db);
    assert!(
        text(&o).contains("0 new extract files registered, 20 already known"),
        "{}",
        text(&o)
    );
    let o = upstream(&["extracts", "list"], &db);
    assert!(
        text(&o).contains("council_tax") && text(&o).contains("2024-05"),
        "{}",
        text(&o)
    );
}

#[test]
fn registering_a_damaged_town_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("upstream.db");
    let town = tmp.path().join("town");
    let t = town.to_str().expect("utf-8");
    small_town(t, &db);
    std::fs::remove_file(town.join("extracts/rent/rent_2024-05.csv")).expect("remove");
    let o = upstream(&["extracts", "register", t], &db);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("rent_2024-05.csv") && text(&o).contains("missing"),
        "{}",
        text(&o)
    );
    let o = upstream(&["extracts", "list"], &db);
    assert!(
        text(&o).contains("No extract files are registered yet"),
        "{}",
        text(&o)
    );
    let o = upstream(
        &["extracts", "register", tmp.path().to_str().expect("utf-8")],
        &db,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("manifest.json"), "{}", text(&o));
}

#[test]
fn a_simulation_killed_half_way_leaves_the_previous_output_intact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("db");
    let town = tmp.path().join("town");
    let t = town.to_str().expect("utf-8");
    small_town(t, &db);
    let before = std::fs::read(town.join("manifest.json")).expect("manifest");
    let mut child = Command::new(env!("CARGO_BIN_EXE_upstream"))
        .args([
            "simulate",
            "--households",
            "60000",
            "--months",
            "24",
            "--out",
            t,
        ])
        .env("DATABASE_URL", &db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Wait until it is visibly half way (its working directory exists), then kill it.
    let partial = tmp.path().join(".town.partial");
    for _ in 0..400 {
        if partial.join("truth").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().expect("kill");
    let _ = child.wait();
    assert_eq!(
        std::fs::read(town.join("manifest.json")).expect("manifest still there"),
        before
    );
    assert!(town
        .join("extracts/council_tax/council_tax_2024-05.csv")
        .exists());
    assert!(
        !town
            .join("extracts/council_tax/council_tax_2024-06.csv")
            .exists(),
        "nothing from the killed run leaked in"
    );
}

#[test]
fn the_demo_prepares_everything_without_serving_when_asked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("demo.db");
    let town = tmp.path().join("demo-town");
    let o = upstream(
        &[
            "demo",
            "--households",
            "300",
            "--months",
            "3",
            "--out",
            town.to_str().expect("utf-8"),
            "--no-serve",
        ],
        &db,
    );
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("Step 1 of 5") && t.contains("30 new extract files registered"),
        "{t}"
    );
    assert!(
        t.contains("33 new files loaded") && t.contains("gazetteer LPIs") && t.contains("people"),
        "{t}"
    );
    assert!(t.contains("pairwise precision"), "{t}");
    // Both views of the single view against the truth.
    assert!(t.contains("Addresses against the town's truth"), "{t}");
    assert!(t.contains("Households against the town's truth"), "{t}");
    assert!(
        t.contains("Linked people in more than one current household: 0."),
        "{t}"
    );
    // A partner API key to try referrals with, shown once.
    assert!(
        t.contains("Partner API key for Citizens Advice") && t.contains("Authorization: Bearer "),
        "{t}"
    );
    // Running the demo again changes nothing in storage.
    let o = upstream(
        &[
            "demo",
            "--households",
            "300",
            "--months",
            "3",
            "--out",
            town.to_str().expect("utf-8"),
            "--no-serve",
        ],
        &db,
    );
    assert!(
        text(&o).contains("0 new extract files registered, 30 already known")
            && text(&o).contains("33 already loaded")
            && text(&o).contains("link     skipped"),
        "{}",
        text(&o)
    );
    // Passwords and keys are shown only when made; the rerun says how to get new ones.
    assert!(
        text(&o).contains("users reset-password")
            && text(&o).contains("partners key")
            && !text(&o).contains("Bearer "),
        "{}",
        text(&o)
    );
}

#[test]
fn serving_with_a_wrong_casework_standards_file_is_refused_naming_the_file_and_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("u.db");
    let standards = dir.path().join("standards.toml");
    std::fs::write(&standards, "contact_every_dayz = 7\n").expect("write");
    let o = upstream(
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--standards",
            standards.to_str().expect("utf-8"),
        ],
        &db,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("standards.toml") && text(&o).contains("contact_every_dayz"),
        "{}",
        text(&o)
    );
}

#[test]
fn serving_with_letters_that_use_an_unknown_placeholder_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("u.db");
    let letters = dir.path().join("letters.toml");
    std::fs::write(
        &letters,
        "[[letter]]\ncode = \"x\"\nnation = \"england\"\nrecords = \"nothing\"\ntitle = \"T\"\nbody = \"Dear {forename}\"\n",
    )
    .expect("write");
    let o = upstream(
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--letters",
            letters.to_str().expect("utf-8"),
        ],
        &db,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("letters.toml") && text(&o).contains("{forename}"),
        "{}",
        text(&o)
    );
}

#[test]
fn bench_link_reports_speed_memory_and_accuracy_apart_and_writes_its_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("db");
    let town = tmp.path().join("town");
    small_town(town.to_str().expect("utf-8"), &db);
    let errors = tmp.path().join("errors.csv");
    let town = town.to_str().expect("utf-8");
    let bench = |more: &[&str]| {
        let mut args = vec!["bench", "link", "--town", town];
        args.extend_from_slice(more);
        upstream(&args, &db)
    };
    let o = bench(&[
        "--records",
        "1000",
        "--errors",
        errors.to_str().expect("utf-8"),
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for line in [
        "placing addresses",
        "speed and memory:",
        "accuracy (F1 at least 0.99, precision at least 0.995):",
        "missed pairs, by why",
        "records that give more than a name:",
    ] {
        assert!(t.contains(line), "no '{line}' in:\n{t}");
    }
    let written = std::fs::read_to_string(&errors).expect("errors file");
    let header = written.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("kind,probability,why,id_a,forename_a"),
        "{header}"
    );
    // A compared pair says what carried it, field by field.
    assert!(
        written
            .lines()
            .skip(1)
            .any(|l| l.contains("prior ") && l.contains("total ")),
        "no weights in:\n{written}"
    );
    // Asking for more records than the town holds is refused, plainly.
    let o = bench(&["--records", "10000000"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("simulate more households"),
        "{}",
        text(&o)
    );
}
