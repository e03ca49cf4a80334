//! `upstream users` and `upstream audit` as an administrator meets them
//! (included into the `cli` test binary).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Run `upstream` with `input` on standard input.
fn upstream_with_input(args: &[&str], db: &Path, input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_upstream"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("USER", "tester")
        .env_remove("UPSTREAM_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run upstream");
    if let Some(mut stdin) = child.stdin.take() {
        // A command that refuses its arguments exits before reading: the
        // pipe is then closed, which is not this test's concern.
        match stdin.write_all(input.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
            _ => {}
        }
    }
    child.wait_with_output().expect("output")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_administrator_adds_accounts_lists_them_and_reads_the_audit_log() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("up.db");
    let add = upstream_with_input(
        &[
            "users",
            "add",
            "PWorker",
            "--role",
            "partner-worker",
            "--organisation",
            "Citizens Advice",
            "--password-stdin",
        ],
        &db,
        "a long enough passphrase\n",
    );
    assert!(add.status.success(), "{}", text(&add));
    assert!(text(&add).contains("Created pworker"), "{}", text(&add));

    // A partner worker without an organisation, a short password, a duplicate:
    // each refused as something the user can fix (exit code 2).
    for (args, input) in [
        (
            vec![
                "users",
                "add",
                "p2",
                "--role",
                "partner_worker",
                "--password-stdin",
            ],
            "a long enough passphrase\n",
        ),
        (
            vec![
                "users",
                "add",
                "shorty",
                "--role",
                "analyst",
                "--password-stdin",
            ],
            "short\n",
        ),
        (
            vec![
                "users",
                "add",
                "pworker",
                "--role",
                "analyst",
                "--password-stdin",
            ],
            "a long enough passphrase\n",
        ),
        (
            vec!["users", "add", "x", "--role", "root", "--password-stdin"],
            "a long enough passphrase\n",
        ),
    ] {
        let o = upstream_with_input(&args, &db, input);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
    }
    // Without a terminal and without --password-stdin there is nowhere to ask.
    let o = upstream_with_input(&["users", "add", "nopass", "--role", "analyst"], &db, "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--password-stdin"));

    let list = upstream_with_input(&["users", "list"], &db, "");
    assert!(list.status.success());
    let listed = text(&list);
    assert!(
        listed.contains("pworker")
            && listed.contains("partner_worker")
            && listed.contains("Citizens Advice"),
        "{listed}"
    );
    assert!(!listed.contains("nopass"));

    // An administrator resets a password, and disables and enables an account.
    let reset = upstream_with_input(
        &["users", "reset-password", "PWorker", "--password-stdin"],
        &db,
        "another long passphrase\n",
    );
    assert!(reset.status.success(), "{}", text(&reset));
    assert!(text(&reset).contains("pworker has a new password"));
    let short = upstream_with_input(
        &["users", "reset-password", "pworker", "--password-stdin"],
        &db,
        "short\n",
    );
    assert_eq!(short.status.code(), Some(2), "{}", text(&short));
    for args in [
        &["users", "reset-password", "nobody"][..],
        &["users", "disable", "nobody"][..],
    ] {
        let o = upstream_with_input(args, &db, "");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains("no account called 'nobody'"),
            "{}",
            text(&o)
        );
    }
    let off = upstream_with_input(&["users", "disable", "pworker"], &db, "");
    assert!(off.status.success(), "{}", text(&off));
    let listed = text(&upstream_with_input(&["users", "list"], &db, ""));
    assert!(
        listed
            .lines()
            .any(|l| l.contains("pworker") && l.ends_with("disabled")),
        "{listed}"
    );
    let on = upstream_with_input(&["users", "enable", "pworker"], &db, "");
    assert!(on.status.success(), "{}", text(&on));
    let listed = text(&upstream_with_input(&["users", "list"], &db, ""));
    assert!(
        listed
            .lines()
            .any(|l| l.contains("pworker") && l.ends_with("active")),
        "{listed}"
    );
    let changes = upstream_with_input(&["audit", "search", "--action", "change"], &db, "");
    for purpose in ["password reset", "account disabled", "account enabled"] {
        assert!(
            text(&changes).contains(purpose),
            "no '{purpose}' in:\n{}",
            text(&changes)
        );
    }

    let search = upstream_with_input(&["audit", "search", "--action", "create"], &db, "");
    assert!(search.status.success(), "{}", text(&search));
    assert!(text(&search).contains("cli:tester"), "{}", text(&search));
    assert!(text(&search).contains("user pworker"), "{}", text(&search));

    let verify = upstream_with_input(&["audit", "verify"], &db, "");
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("has not been changed"));

    let out = tmp.path().join("sar.json");
    let export = upstream_with_input(
        &[
            "audit",
            "export-person",
            "12345",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &db,
        "",
    );
    assert_eq!(export.status.code(), Some(2), "{}", text(&export));
    assert!(text(&export).contains("no person 12345"));
    assert!(!out.exists());
}
