//! The review board through HTTP (issue 17, findings 2, 3 and 8): four-eyes over every version since the last approval and approvals that name their version, a review diff over everything a reader sees with quoted passages checked against the corpus, capped edits, and rejected articles withdrawn from everyone but reviewers.

mod common;

use std::time::Instant;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{TestApp, app, request as api};
use evident_core::answer::{Answer, Statement};
use evident_core::article::{REJECTED_BANNER, ReviewPolicy, ReviewStatus, Role, Slug, VersionNo};
use evident_engine::store::{NewArticle, Repository, Who};
use evident_web::WebConfig;
use serde_json::{Value, json};

const QUESTION: &str = "Which beta-blockers reduce mortality in systolic heart failure?";

fn public() -> WebConfig {
    WebConfig {
        public_ask: true,
        ask_per_minute: 1000,
        ..WebConfig::default()
    }
}

/// A page as someone signed in sees it (pages accept the bearer token as the API does).
fn page(uri: &str, token: Option<&str>) -> Request<Body> {
    api(Method::GET, uri, token, None)
}

/// A new article composed from the starter index, saved as version 1 by Evident.
async fn article(app: &TestApp, question: &str) -> Slug {
    let lexicon = evident_core::lexicon::Lexicon::builtin();
    let asked =
        evident_engine::ask(&app.index, lexicon, question, &Default::default()).expect("ask");
    let new = NewArticle {
        question: question.into(),
        key: evident_core::article::QuestionKey::of(&evident_core::question::analyze(
            question, lexicon,
        )),
        audience: evident_core::answer::Audience::Physician,
        corpus_version: asked.answer().corpus.version.clone(),
        answer: asked.composition.answer,
        embedding: None,
    };
    app.store
        .create_article(&Who::System, new)
        .await
        .expect("article")
        .slug
}

async fn answer_of(app: &TestApp, slug: &Slug, n: i64) -> Answer {
    app.store
        .version(slug, VersionNo(n))
        .await
        .unwrap()
        .expect("the version")
        .answer
}

/// Proposes `answer` on top of `base` through the API.
async fn propose(
    app: &TestApp,
    slug: &Slug,
    token: &str,
    base: i64,
    answer: &Answer,
) -> (StatusCode, String) {
    let (status, _, body) = app
        .send(api(
            Method::POST,
            &format!("/api/v1/articles/{slug}/versions"),
            Some(token),
            Some(json!({"base_version": base, "answer": answer})),
        ))
        .await;
    (status, body)
}

async fn transition(app: &TestApp, slug: &Slug, token: &str, body: Value) -> (StatusCode, String) {
    let (status, _, body) = app
        .send(api(
            Method::POST,
            &format!("/api/v1/articles/{slug}/transitions"),
            Some(token),
            Some(body),
        ))
        .await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_eyes_bars_every_author_since_the_last_approval_and_approvals_name_their_version() {
    let app = app(public()).await;
    let ana = app.token("ana", Role::Reviewer).await;
    let ben = app.token("ben", Role::Reviewer).await;
    let cleo = app.token("cleo", Role::Editor).await;
    let slug = article(&app, QUESTION).await;
    let (status, body) = transition(&app, &slug, &ben, json!({"to": "under_review"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Ana proposes v2 with a dangerous change; Ben proposes v3 adding one full stop.
    let mut v2 = answer_of(&app, &slug, 1).await;
    v2.bottom_line.text = "Give 10x the usual dose".into();
    assert_eq!(
        propose(&app, &slug, &ana, 1, &v2).await.0,
        StatusCode::CREATED
    );
    let mut v3 = v2.clone();
    v3.bottom_line.text.push('.');
    assert_eq!(
        propose(&app, &slug, &ben, 2, &v3).await.0,
        StatusCode::CREATED
    );

    // Ana may not approve v3: it carries her change. Nor may Ben.
    for who in [&ana, &ben] {
        let (status, body) =
            transition(&app, &slug, who, json!({"to": "approved", "version": 3})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.contains("four-eyes"), "{body}");
    }
    // The review page tells Ana so before she tries.
    let (_, _, view) = app.send(page(&format!("/review/{slug}"), Some(&ana))).await;
    assert!(
        view.contains("You wrote a version since this article was last approved"),
        "{view}"
    );
    assert!(view.contains("<input type=\"hidden\" name=\"version\" value=\"3\">"));

    // An approval names the version seen: none is a 422, an older one a 409.
    let (status, body) = transition(&app, &slug, &cleo, json!({"to": "approved"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("must name the version"), "{body}");
    let (status, body) =
        transition(&app, &slug, &cleo, json!({"to": "approved", "version": 2})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A version proposed after the reviewer read v3 makes that approval stale.
    let mut v4 = v3.clone();
    v4.bottom_line.text = "Give the usual dose.".into();
    assert_eq!(
        propose(&app, &slug, &ben, 3, &v4).await.0,
        StatusCode::CREATED
    );
    let (status, body) =
        transition(&app, &slug, &cleo, json!({"to": "approved", "version": 3})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) =
        transition(&app, &slug, &cleo, json!({"to": "approved", "version": 4})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let approved: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(approved["visible_version"], 4);

    let trail = app
        .store
        .audit_trail(Some(&slug.audit_object()))
        .await
        .unwrap();
    let refused = trail
        .iter()
        .filter(|e| e.action == evident_core::audit::AuditAction::AuthorizationFailed)
        .count();
    assert_eq!(refused, 2, "each four-eyes refusal is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_diff_shows_every_reference_change_and_flags_altered_quotes() {
    let app = app(public()).await;
    let ana = app.token("ana", Role::Reviewer).await;
    let ed = app.token("ed", Role::Editor).await;
    let slug = article(&app, QUESTION).await;
    let v1 = answer_of(&app, &slug, 1).await;

    // The probe: a phishing link, a rewritten quoted passage and another disclaimer.
    let mut v2 = v1.clone();
    let r = v2.references.first_mut().expect("a reference");
    r.url = Some("https://phish.example/login".into());
    let quoted = r.evidence.first_mut().expect("a quoted passage");
    quoted.text = "Give 10x the usual dose of any beta-blocker.".into();
    let quoted_id = quoted.passage_id.clone();
    v2.disclaimer = "Reviewed and safe.".into();
    let (status, body) = propose(&app, &slug, &ana, 1, &v2).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, _, view) = app.send(page(&format!("/review/{slug}"), Some(&ed))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(view.contains("Changes from version 1 to version 2"));
    assert!(!view.contains("The two versions say the same"), "{view}");
    let changed = |needle: &str| {
        view.split("<li class=\"diff-changed\">")
            .skip(1)
            .any(|item| item.split("</li>").next().unwrap_or("").contains(needle))
    };
    assert!(changed("link: https://phish.example/login"), "{view}");
    assert!(
        changed("Give 10x the usual dose of any beta-blocker."),
        "{view}"
    );
    assert!(changed("Disclaimer: Reviewed and safe."), "{view}");
    assert!(view.contains("3 lines differ."), "{view}");
    // The rewritten passage is flagged against the corpus, beside its statement too.
    assert!(
        view.contains(&format!(
            "passage {quoted_id}: does not match the corpus text it claims to quote"
        )),
        "{view}"
    );
    assert!(view.contains("Check the evidence: "), "{view}");
    // Version 1 quotes the corpus faithfully: nothing is flagged.
    let (_, _, old) = app
        .send(page(&format!("/review/{slug}?version=1"), Some(&ed)))
        .await;
    assert!(!old.contains("does not match the corpus"), "{old}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edited_answers_are_capped_in_size_and_large_versions_diff_quickly() {
    let app = app(public()).await;
    let ana = app.token("ana", Role::Reviewer).await;
    let slug = article(&app, QUESTION).await;
    let v1 = answer_of(&app, &slug, 1).await;

    let items = |n: usize| -> Vec<Statement> {
        (0..n)
            .map(|i| Statement {
                text: format!("{i}"),
                citations: Vec::new(),
            })
            .collect()
    };
    // 1,000 items fit the body limit but not the statement cap: a clear 422.
    let mut over = v1.clone();
    over.sections[0].items = items(1_000);
    let (status, body) = propose(&app, &slug, &ana, 1, &over).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("at most 300 are accepted"), "{body}");
    // Past the body limit: 413.
    let mut huge = v1.clone();
    huge.disclaimer = "x".repeat(300 * 1024);
    let (status, _) = propose(&app, &slug, &ana, 1, &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        app.store.versions(&slug).await.unwrap().len(),
        1,
        "no version was made"
    );

    // Versions stored before the caps (written straight to the store) still diff quickly.
    let reviewer = app.store.authenticate(&ana).await.unwrap();
    let mut big = v1.clone();
    big.sections[0].items = items(7_600);
    let mut other = big.clone();
    for (i, item) in other.sections[0].items.iter_mut().enumerate() {
        if i % 7 == 0 {
            item.text = format!("{i} edited");
        }
    }
    for (base, answer) in [(1, big), (2, other)] {
        app.store
            .propose_version(&slug, &reviewer, VersionNo(base), answer, "v", None)
            .await
            .unwrap();
    }
    let start = Instant::now();
    let (status, _, view) = app
        .send(page(
            &format!("/review/{slug}?version=3&compare=2"),
            Some(&ana),
        ))
        .await;
    let took = start.elapsed();
    assert_eq!(status, StatusCode::OK);
    assert!(view.contains("1086 lines differ."), "{}", &view[..2000]);
    println!("review view of two 7,600-item versions: {took:?}");
    assert!(took.as_secs() < 10, "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_articles_are_withdrawn_from_everyone_but_reviewers() {
    let app = app(public()).await;
    let ana_token = app.token("ana", Role::Reviewer).await;
    let ben_token = app.token("ben", Role::Reviewer).await;
    let rita = app.token("rita", Role::Reader).await;
    let ana = app.store.authenticate(&ana_token).await.unwrap();
    let ben = app.store.authenticate(&ben_token).await.unwrap();
    let (status, _, body) = app
        .send(api(
            Method::POST,
            "/api/v1/ask",
            None,
            Some(json!({"question": QUESTION})),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    let slug: Slug = created["article"]["slug"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // Approved, then revised, then rejected: the whole article is withdrawn.
    let policy = ReviewPolicy::default();
    for to in [ReviewStatus::UnderReview, ReviewStatus::Approved] {
        app.store
            .transition(&slug, &ana, to, Some(VersionNo(1)), None, policy)
            .await
            .unwrap();
    }
    let v1 = answer_of(&app, &slug, 1).await;
    app.store
        .propose_version(&slug, &ben, VersionNo(1), v1, "v", None)
        .await
        .unwrap();
    app.store
        .transition(
            &slug,
            &ana,
            ReviewStatus::Rejected,
            None,
            Some("unsafe"),
            policy,
        )
        .await
        .unwrap();

    let words = "beta-blockers+mortality";
    let link = format!("href=\"/articles/{slug}\"");
    for token in [None, Some(rita.as_str())] {
        for uri in [
            format!("/articles/{slug}"),
            format!("/api/v1/articles/{slug}"),
        ] {
            let (status, _, body) = app.send(page(&uri, token)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri} {token:?}: {body}");
        }
        let (_, _, home) = app.send(page(&format!("/?q={words}"), token)).await;
        assert!(!home.contains(&link), "{home}");
        for uri in [
            format!("/api/v1/articles?q={words}"),
            "/api/v1/articles?status=rejected".to_string(),
        ] {
            let (_, _, list) = app.send(api(Method::GET, &uri, token, None)).await;
            assert!(
                !list.contains(&format!("/articles/{slug}\"")),
                "{uri}: {list}"
            );
        }
        let (status, _, body) = app
            .send(api(
                Method::POST,
                &format!("/api/v1/articles/{slug}/followups"),
                token,
                Some(json!({"question": "And in the elderly?"})),
            ))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    // The same question is not answered from the rejected article.
    let (status, _, body) = app
        .send(api(
            Method::POST,
            "/api/v1/ask",
            None,
            Some(json!({"question": QUESTION})),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let again: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(again["reused"], false);
    assert_ne!(again["article"]["slug"], slug.as_str());

    // Reviewers still read it, under the Rejected banner, and find it.
    let (status, _, body) = app
        .send(page(&format!("/articles/{slug}"), Some(&ana_token)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(REJECTED_BANNER), "{body}");
    let (status, _, body) = app
        .send(api(
            Method::GET,
            &format!("/api/v1/articles/{slug}"),
            Some(&ana_token),
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shown: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(shown["article"]["banner"], REJECTED_BANNER);
    let (_, _, home) = app
        .send(page(&format!("/?q={words}"), Some(&ana_token)))
        .await;
    assert!(home.contains(&link), "{home}");
    let (_, _, view) = app
        .send(page(&format!("/review/{slug}"), Some(&ana_token)))
        .await;
    assert!(view.contains(REJECTED_BANNER));
}
