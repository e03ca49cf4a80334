//! Letters to print, from a campaign's page (included into `household.rs`,
//! whose site and staff it uses): a team leader prints a letter step's
//! waiting letters as a batch, once, and downloads the PDF; connectors may
//! not; each is audited.

use super::*;

#[tokio::test]
async fn a_team_leader_prints_a_letter_steps_letters_once_and_downloads_the_batch() {
    let site = site().await;
    with_a_kept_list(&site).await;
    let (leader, csrf) = staff(&site, "priya", Role::TeamLeader, "").await;
    let (connector, connector_csrf) = staff(&site, "casey", Role::Connector, "").await;
    let (status, _, page) = site
        .post(
            "/templates",
            &leader,
            &[
                ("csrf_token", &csrf),
                ("name", "winter-letter"),
                ("channel", "letter"),
                ("subject_en", "Help with money this winter"),
                (
                    "body_en",
                    "Dear ((full_name)),\n\nWe can help with rent and council tax.",
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, to, page) = site
        .post(
            "/campaigns",
            &leader,
            &[
                ("csrf_token", &csrf),
                ("name", "Winter letters"),
                ("day_1", "0"),
                ("channel_1", "letter"),
                ("template_1", "winter-letter"),
                ("holdout", "0"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id: i64 = to
        .strip_prefix("/campaigns/")
        .and_then(|i| i.parse().ok())
        .expect("to the campaign");
    let campaign = format!("/campaigns/{id}");
    let (_, _, page) = site
        .post(
            &format!("{campaign}/run"),
            &leader,
            &[("csrf_token", &csrf)],
        )
        .await;
    assert!(page.contains("1 message queued"), "{page}");
    let (_, _, page) = site.get(&campaign, Some(&leader)).await;
    assert!(
        page.contains("Print this step&#x27;s letters")
            || page.contains("Print this step's letters"),
        "{page}"
    );
    assert!(page.contains("No letters printed yet."), "{page}");

    // Connectors may not print; a form without the token is refused.
    let print = format!("{campaign}/letters");
    let (status, _, _) = site
        .post(
            &print,
            &connector,
            &[("csrf_token", &connector_csrf), ("step", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = site.post(&print, &leader, &[("step", "1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(site
        .store
        .letter_batches(id)
        .await
        .expect("read")
        .is_empty());

    let (status, _, page) = site
        .post(&print, &leader, &[("csrf_token", &csrf), ("step", "1")])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("made: 1 letter to print"), "{page}");
    let batches = site.store.letter_batches(id).await.expect("read");
    assert_eq!(batches.len(), 1);
    let pdf = format!("{campaign}/batches/{}.pdf", batches[0].id);
    assert!(
        page.contains(&pdf),
        "the batch is listed with its link: {page}"
    );
    assert_eq!(site.store.outbox_counts().await.expect("counts").sent, 1);

    // Printing again finds nothing waiting: each letter is printed once.
    let (_, _, page) = site
        .post(&print, &leader, &[("csrf_token", &csrf), ("step", "1")])
        .await;
    assert!(page.contains("are waiting to be printed"), "{page}");
    assert_eq!(site.store.letter_batches(id).await.expect("read").len(), 1);

    let req = Request::get(&pdf)
        .header(header::COOKIE, &leader)
        .body(Body::empty())
        .expect("request");
    let resp = router(site.app.clone())
        .oneshot(req)
        .await
        .expect("response");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(resp.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .starts_with("attachment;"));
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(
        site.get(&pdf, Some(&connector)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        site.get(&format!("{campaign}/batches/999.pdf"), Some(&leader))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let audited = site
        .store
        .search_audit(&AuditFilter {
            subject_kind: Some("letter_batch".into()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert!(
        audited.len() >= 3,
        "made twice (once finding nothing), downloaded once: {audited:?}"
    );
}
