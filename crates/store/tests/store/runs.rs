//! The monthly run's records on every backend: one lock holder at a time
//! (even when two take it at once), a take-over only from the holder shown
//! to be gone, runs and steps recorded, an interrupted run marked so.

use super::stores;
use chrono::{Duration, Utc};
use upstream_store::StepEnd;

#[tokio::test]
async fn the_run_lock_has_one_holder_and_is_handed_on_only_from_the_one_named() {
    for fresh in stores().await {
        let s = &fresh.store;
        let db = fresh.name();
        let now = Utc::now();
        let a = s.start_pipeline_run("h", 1, now).await.expect("run a");
        let b = s.start_pipeline_run("h", 2, now).await.expect("run b");
        let c = s.start_pipeline_run("h", 3, now).await.expect("run c");
        // Two take it at once: exactly one gets it.
        let (ra, rb) = tokio::join!(
            s.try_run_lock(a, "h", 1, now),
            s.try_run_lock(b, "h", 2, now)
        );
        let (ra, rb) = (ra.expect("a"), rb.expect("b"));
        assert!(
            ra.is_none() ^ rb.is_none(),
            "{db}: one holder, not {ra:?} / {rb:?}"
        );
        let (holder, other) = if ra.is_none() { (a, b) } else { (b, a) };
        let held = s.run_lock().await.expect("lock").expect("held");
        assert_eq!(held.run_id, holder, "{db}");
        // A take-over naming the wrong holder changes nothing.
        assert!(
            !s.take_over_run_lock(other, c, "h", 3, now)
                .await
                .expect("cas"),
            "{db}"
        );
        assert!(
            s.take_over_run_lock(holder, c, "h", 3, now)
                .await
                .expect("cas"),
            "{db}"
        );
        assert_eq!(
            s.run_lock().await.expect("lock").expect("held").run_id,
            c,
            "{db}"
        );
        // Heartbeats and releases are the holder's own.
        let later = now + Duration::minutes(5);
        s.run_lock_heartbeat(holder, later).await.expect("beat");
        let l = s.run_lock().await.expect("lock").expect("held");
        assert!(
            l.heartbeat_at < later,
            "{db}: a former holder cannot keep it alive"
        );
        s.release_run_lock(holder).await.expect("release");
        assert!(s.run_lock().await.expect("lock").is_some(), "{db}");
        s.run_lock_heartbeat(c, later).await.expect("beat");
        let l = s.run_lock().await.expect("lock").expect("held");
        assert_eq!(l.heartbeat_at.timestamp(), later.timestamp(), "{db}");
        s.release_run_lock(c).await.expect("release");
        assert!(s.run_lock().await.expect("lock").is_none(), "{db}");
    }
}

#[tokio::test]
async fn runs_and_steps_are_recorded_and_an_interrupted_one_is_marked() {
    for fresh in stores().await {
        let s = &fresh.store;
        let db = fresh.name();
        let now = Utc::now();
        let dead = s.start_pipeline_run("h", 10, now).await.expect("run");
        s.start_pipeline_step(dead, "ingest", now)
            .await
            .expect("step");
        let end = StepEnd {
            status: "done",
            summary: "3 new files loaded.",
            counts: r#"{"loaded":3}"#,
            warnings: r#"["rent: no extract for 2024-02"]"#,
            failure: None,
        };
        s.finish_pipeline_step(dead, "ingest", &end, now)
            .await
            .expect("end");
        s.start_pipeline_step(dead, "link", now + Duration::seconds(1))
            .await
            .expect("step");
        let next = s.start_pipeline_run("h", 11, now).await.expect("run");
        s.mark_interrupted(dead, next, "its process is gone", now)
            .await
            .expect("mark");
        s.finish_pipeline_run(next, "finished", None, now)
            .await
            .expect("finish");
        let runs = s.pipeline_runs(10).await.expect("runs");
        assert_eq!(runs.len(), 2, "{db}");
        assert_eq!(
            (runs[0].id, runs[0].status.as_str()),
            (next, "finished"),
            "{db}"
        );
        assert_eq!(runs[0].resumes, Some(dead), "{db}");
        assert_eq!(runs[1].status, "interrupted", "{db}");
        assert_eq!(
            runs[1].failure.as_deref(),
            Some("its process is gone"),
            "{db}"
        );
        let steps: Vec<(&str, &str)> = runs[1]
            .steps
            .iter()
            .map(|s| (s.step.as_str(), s.status.as_str()))
            .collect();
        assert_eq!(steps, [("ingest", "done"), ("link", "interrupted")], "{db}");
        assert_eq!(runs[1].steps[0].summary, "3 new files loaded.", "{db}");
        assert!(runs[1].steps[0].warnings.contains("2024-02"), "{db}");
        // Nothing was written by any step.
        assert_eq!(
            s.work_totals().await.expect("totals"),
            Default::default(),
            "{db}"
        );
        assert_eq!(s.ingested_through().await.expect("max"), None, "{db}");
    }
}
