//! `upstream run`, the monthly job, as an operator meets it: killed during
//! each step in turn and run again, it ends with the stored state of a run
//! never interrupted; a second run is refused while one is going; months
//! arriving late, twice or not at all are reported; exit codes a scheduler
//! can act on. On SQLite, and on PostgreSQL when DATABASE_URL names one.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use upstream_store::{Store, WorkTotals};

mod common;
use common::*;

/// `upstream run` with the environment given.
fn run(db: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_upstream"));
    c.args(["run", "--quiet"])
        .args(args)
        .env("DATABASE_URL", db)
        .env_remove("UPSTREAM_LOG")
        .env_remove("UPSTREAM_TEST_ABORT_AT")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run upstream")
}

/// What a run leaves that users see: who is who, households, the latest
/// assessment, the team's list, and how much each step wrote.
#[derive(Debug, PartialEq)]
struct State {
    totals: WorkTotals,
    people: Vec<(String, String, i64)>,
    households: Vec<(i64, bool, Vec<i64>)>,
    assessed: Vec<(i64, Option<String>, String)>,
    list: Vec<(i32, i64)>,
}

fn state(url: &str) -> State {
    with_store(url, async |s: &Store| {
        let mut people = s.person_assignments().await.expect("people");
        people.sort();
        let mut households: Vec<(i64, bool, Vec<i64>)> = s
            .households()
            .await
            .expect("households")
            .into_iter()
            .map(|h| (h.id, h.current, h.members))
            .collect();
        households.sort();
        let (assessed, list) = match s.latest_assessment_run().await.expect("run") {
            Some(run) => {
                let assessed = s
                    .assessments(run.id)
                    .await
                    .expect("assessments")
                    .into_iter()
                    // Probabilities as text: the same model gives the same digits.
                    .map(|a| {
                        (
                            a.household_id,
                            a.probability.map(|p| format!("{p:.12}")),
                            a.persona,
                        )
                    })
                    .collect();
                let week = upstream_pipeline::assessing::list_week(run.as_of);
                let list = s
                    .worklist("Prevention", week)
                    .await
                    .expect("list")
                    .map(|w| w.entries.iter().map(|e| (e.rank, e.household_id)).collect())
                    .unwrap_or_default();
                (assessed, list)
            }
            None => (Vec::new(), Vec::new()),
        };
        State {
            totals: s.work_totals().await.expect("totals"),
            people,
            households,
            assessed,
            list,
        }
    })
}

/// The first part of two states that differs, named, without printing
/// thousands of rows.
fn differs(got: &State, want: &State) -> Option<String> {
    if got.totals != want.totals {
        return Some(format!("totals {:?}, not {:?}", got.totals, want.totals));
    }
    let parts = [
        ("who is who", got.people == want.people),
        ("households", got.households == want.households),
        ("assessments", got.assessed == want.assessed),
        ("the team's list", got.list == want.list),
    ];
    parts
        .iter()
        .find(|(_, same)| !same)
        .map(|(what, _)| format!("{what} differ"))
}

fn team(db: &str) {
    ok(db, &["teams", "set", "Prevention", "--capacity", "10"]);
}

/// A town with enough months (ten) for the risk model to learn from.
fn town(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("town");
    simulate(&out, 300, 10, 7);
    out
}

#[test]
fn a_run_killed_during_each_step_goes_on_to_the_state_of_an_uninterrupted_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = town(tmp.path());
    let town = utf8(&town);
    for reference in databases() {
        team(&reference.url);
        let o = run(&reference.url, &["--extracts", town], &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let expected = state(&reference.url);
        assert_eq!(expected.totals.link_runs, 1);
        assert_eq!(expected.totals.assessment_runs, 1);
        assert_eq!(expected.list.len(), 10, "{expected:?}");
        for point in [
            "register:start",
            "register:done",
            "ingest:file",
            "ingest:done",
            "link:start",
            "link:done",
            "assess:start",
            "assess:done",
            "lists:start",
            "lists:done",
        ] {
            let db = match reference.backend {
                upstream_store::Backend::Sqlite => sqlite_db(),
                upstream_store::Backend::Postgres => databases()
                    .into_iter()
                    .find(|d| d.backend == reference.backend)
                    .expect("a second PostgreSQL database"),
            };
            team(&db.url);
            let killed = run(
                &db.url,
                &["--extracts", town],
                &[("UPSTREAM_TEST_ABORT_AT", point)],
            );
            assert!(
                !killed.status.success() && killed.status.code() != Some(2),
                "{point}: the run should have died: {}",
                text(&killed)
            );
            db.settle();
            let again = run(&db.url, &["--extracts", town], &[]);
            assert_eq!(again.status.code(), Some(0), "{point}: {}", text(&again));
            assert!(
                text(&again).contains("is gone"),
                "{point}: the take-over is reported: {}",
                text(&again)
            );
            if let Some(d) = differs(&state(&db.url), &expected) {
                panic!(
                    "{point} on {}: not the state of an uninterrupted run: {d}",
                    db.name()
                );
            }
            // The record says what happened.
            let runs = with_store(&db.url, async |s: &Store| {
                s.pipeline_runs(5).await.expect("runs")
            });
            assert_eq!(runs[0].status, "finished", "{point}");
            assert_eq!(runs[0].resumes, Some(runs[1].id), "{point}");
            assert_eq!(runs[1].status, "interrupted", "{point}");
            // And a third run finds nothing left to do.
            let third = run(&db.url, &["--extracts", town], &[]);
            assert_eq!(third.status.code(), Some(0), "{}", text(&third));
            if let Some(d) = differs(&state(&db.url), &expected) {
                panic!(
                    "{point} on {}: a run repeated changed the state: {d}",
                    db.name()
                );
            }
        }
    }
}

#[test]
fn a_database_lost_mid_run_fails_the_run_and_the_next_run_finishes_the_work() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = town(tmp.path());
    let town = utf8(&town);
    for db in databases() {
        team(&db.url);
        let o = run(&db.url, &["--extracts", town, "--until", "ingest"], &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let before = state(&db.url);
        let lost = run(
            &db.url,
            &["--extracts", town],
            &[("UPSTREAM_TEST_CLOSE_DB_AT", "link:start")],
        );
        assert_eq!(
            lost.status.code(),
            Some(1),
            "a fault, worth retrying: {}",
            text(&lost)
        );
        assert!(
            text(&lost).contains("stopped at the link step"),
            "{}",
            text(&lost)
        );
        assert!(
            text(&lost).contains("as the last good run left them"),
            "{}",
            text(&lost)
        );
        db.settle();
        if let Some(d) = differs(&state(&db.url), &before) {
            panic!("{}: the failed run changed the state: {d}", db.name());
        }
        let again = run(&db.url, &["--extracts", town], &[]);
        assert_eq!(again.status.code(), Some(0), "{}", text(&again));
        assert!(text(&again).contains("link     done"), "{}", text(&again));
        let after = state(&db.url);
        assert_eq!(
            (after.totals.link_runs, after.totals.assessment_runs),
            (1, 1)
        );
        assert_eq!(after.list.len(), 10, "{}", db.name());
    }
}

#[test]
fn a_second_run_is_refused_while_one_is_going_and_a_silent_lock_needs_a_person() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = town(tmp.path());
    let town = utf8(&town);
    for db in databases() {
        // This test's own process holds the lock: alive, on this machine.
        let host = upstream_pipeline::run::host_name();
        let me = i64::from(std::process::id());
        with_store(&db.url, async |s: &Store| {
            let id = s
                .start_pipeline_run(&host, me, chrono::Utc::now())
                .await
                .expect("run");
            assert!(s
                .try_run_lock(id, &host, me, chrono::Utc::now())
                .await
                .expect("lock")
                .is_none());
        });
        let o = run(&db.url, &["--extracts", town], &[]);
        assert_eq!(o.status.code(), Some(75), "busy: {}", text(&o));
        assert!(text(&o).contains("still going"), "{}", text(&o));
        let totals = with_store(&db.url, async |s: &Store| {
            s.work_totals().await.expect("totals")
        });
        assert_eq!(totals, WorkTotals::default(), "nothing was done");
        let runs = with_store(&db.url, async |s: &Store| {
            s.pipeline_runs(5).await.expect("runs")
        });
        assert_eq!(runs[0].status, "refused");

        // A lock from another machine that has gone quiet is not stolen...
        with_store(&db.url, async |s: &Store| {
            s.release_run_lock(runs[1].id).await.expect("release");
            let old = chrono::Utc::now() - chrono::Duration::hours(3);
            let id = s
                .start_pipeline_run("elsewhere", 4242, old)
                .await
                .expect("run");
            assert!(s
                .try_run_lock(id, "elsewhere", 4242, old)
                .await
                .expect("lock")
                .is_none());
        });
        let o = run(&db.url, &["--extracts", town], &[]);
        assert_eq!(o.status.code(), Some(75), "{}", text(&o));
        assert!(text(&o).contains("--take-over-stale-lock"), "{}", text(&o));
        // ...until a person says it is gone.
        team(&db.url);
        let o = run(
            &db.url,
            &["--extracts", town, "--take-over-stale-lock"],
            &[],
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert!(text(&o).contains("taken over as asked"), "{}", text(&o));
    }
}

/// Copy a simulated town's extract files for the months wanted into `to`.
fn months(town: &Path, to: &Path, wanted: impl Fn(&str) -> bool) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in walk(&town.join("extracts")) {
        let name = entry
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        // Files end _YYYY-MM.csv.
        let month = name
            .rsplit('_')
            .next()
            .unwrap_or("")
            .trim_end_matches(".csv");
        if wanted(month) {
            std::fs::copy(&entry, to.join(&name)).expect("copy");
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn months_arriving_late_or_missing_are_reported_and_a_refused_file_needs_a_person() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    simulate(&town, 300, 11, 9);
    let all: Vec<String> = {
        let mut m: Vec<String> = walk(&town.join("extracts"))
            .iter()
            .filter_map(|p| {
                p.file_name()?
                    .to_str()?
                    .rsplit('_')
                    .next()
                    .map(|m| m.trim_end_matches(".csv").to_string())
            })
            .collect();
        m.sort();
        m.dedup();
        m
    };
    assert_eq!(all.len(), 11, "{all:?}");
    let (ninth, last) = (all[8].clone(), all[10].clone());
    let db = sqlite_db();
    team(&db.url);
    let incoming = tmp.path().join("incoming");
    // Ten months, the ninth missing.
    months(&town, &incoming, |m| m != ninth && m != last);
    let o = run(&db.url, &["--extracts", utf8(&incoming)], &[]);
    assert_eq!(o.status.code(), Some(0), "a gap is a warning: {}", text(&o));
    assert!(
        text(&o).contains(&format!("no extract for {ninth}")),
        "{}",
        text(&o)
    );
    let first = state(&db.url);
    // The ninth arrives late, with the eleventh.
    months(&town, &incoming, |m| m == ninth || m == last);
    let o = run(&db.url, &["--extracts", utf8(&incoming)], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("extract for {ninth} arrived after")),
        "{}",
        text(&o)
    );
    assert!(
        !text(&o).contains("no extract for"),
        "the gap is filled: {}",
        text(&o)
    );
    let second = state(&db.url);
    assert_eq!(second.totals.link_runs, 2, "new months are linked again");
    assert_eq!(second.totals.assessment_runs, 2);
    assert_eq!(
        second.totals.worklists,
        first.totals.worklists + 1,
        "a new week's list"
    );

    // A file of the wrong shape: refused, named, the rest goes on; exit 2.
    let bad = incoming.join("council_tax_2099-01.csv");
    std::fs::write(&bad, "wrong,header\n1,2\n").expect("write");
    let o = run(&db.url, &["--extracts", utf8(&incoming)], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("council_tax_2099-01.csv"), "{}", text(&o));
    let third = state(&db.url);
    assert_eq!(
        third.totals.link_runs, second.totals.link_runs,
        "nothing new was loaded, so nothing relinked"
    );
    let runs = with_store(&db.url, async |s: &Store| {
        s.pipeline_runs(1).await.expect("runs")
    });
    assert_eq!(runs[0].status, "attention");
}
