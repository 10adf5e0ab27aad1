//! Hostile input through the router: non-ASCII questions (no panic), control characters refused, searches and threads capped (and threads paged), metrics labels bounded, body-limit and JSON rejections in the documented error shape, and a panic turned into a logged 500.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::routing::get;
use common::{TestApp, app, request};
use evident_core::answer::Audience;
use evident_core::article::{QuestionKey, Role};
use evident_core::input::{FOLLOW_UPS_PER_PAGE, MAX_FOLLOW_UPS};
use evident_engine::store::{NewArticle, Repository, Who};
use evident_web::WebConfig;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The body is `{"error": {"code": CODE, "message": ...}}`; returns the message.
fn error_shape(body: &str, code: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    assert_eq!(v["error"]["code"], code, "{body}");
    let message = v["error"]["message"]
        .as_str()
        .expect("a message")
        .to_string();
    assert!(!message.is_empty(), "{body}");
    message
}

fn public() -> WebConfig {
    WebConfig {
        public_ask: true,
        ask_per_minute: 1000,
        ..WebConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_with_non_ascii_text_before_a_sex_letter_are_answered() {
    let app = app(public()).await;
    for q in [
        "café M with hypertension, treatment?",
        "age ≥65 M with hypertension: first-line drug?",
        "“62” M, rectal cancer after chemoradiation: next step?",
    ] {
        let (status, _, body) = app
            .send(request(
                Method::POST,
                "/api/v1/ask",
                None,
                Some(json!({ "question": q })),
            ))
            .await;
        assert!(status.is_success(), "{q}: {status} {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["answer"]["question"], q);
    }
}

#[tokio::test]
async fn control_characters_are_refused_in_questions_and_notes() {
    let app = app(public()).await;
    for q in [
        "recolour \u{1b}[31mred",
        "title \u{1b}]0;pwned\u{7}",
        "csi \u{9b}2J",
    ] {
        let (status, _, body) = app
            .send(request(
                Method::POST,
                "/api/v1/ask",
                None,
                Some(json!({ "question": q })),
            ))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = error_shape(&body, "invalid");
        assert!(message.contains("control character"), "{message}");
    }
    // Line breaks and tabs from a text area are fine.
    let (status, _, body) = app
        .send(request(
            Method::POST,
            "/api/v1/ask",
            None,
            Some(json!({ "question": "Hypertension in adults:\r\n\tfirst-line drug?" })),
        ))
        .await;
    assert!(status.is_success(), "{body}");
    let slug = serde_json::from_str::<Value>(&body).unwrap()["article"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    // A reviewer's note with an escape sequence.
    let reviewer = app.token("rosa", Role::Reviewer).await;
    let (status, _, body) = app
        .send(request(
            Method::POST,
            &format!("/api/v1/articles/{slug}/transitions"),
            Some(&reviewer),
            Some(json!({"to": "under_review", "note": "looks fine\u{1b}[2J"})),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error_shape(&body, "invalid").contains("the note"));
    // A follow-up, likewise.
    let (status, _, body) = app
        .send(request(
            Method::POST,
            &format!("/api/v1/articles/{slug}/followups"),
            None,
            Some(json!({"question": "and \u{7f} then?"})),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn long_article_searches_are_refused_clearly_not_a_500() {
    let app = app(public()).await;
    let words: Vec<String> = (0..1001).map(|i| format!("w{i}")).collect();
    let q = words.join("+");
    let (status, _, body) = app
        .send(request(
            Method::GET,
            &format!("/api/v1/articles?q={q}"),
            None,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error_shape(&body, "invalid").contains("the search is longer than 200"));
    let (status, headers, body) = app
        .send(
            Request::builder()
                .uri(format!("/?q={q}"))
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(body.contains("the search is longer than 200"), "{body}");
    // Seventeen short words are too many words.
    let q = words[..17].join("+");
    let (status, _, body) = app
        .send(request(
            Method::GET,
            &format!("/api/v1/articles?q={q}"),
            None,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error_shape(&body, "invalid").contains("more than 16 words"));
    // Sixteen words still search.
    let q = words[..16].join("+");
    let (status, _, body) = app
        .send(request(
            Method::GET,
            &format!("/api/v1/articles?q={q}"),
            None,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A submitted article stored directly (composing through the API would be slower).
async fn article(app: &TestApp, question: &str) -> String {
    let lexicon = evident_core::lexicon::Lexicon::builtin();
    let asked = evident_engine::ask(&app.index, lexicon, question, &Default::default()).unwrap();
    let new = NewArticle {
        question: question.into(),
        key: QuestionKey::of(&evident_core::question::analyze(question, lexicon)),
        audience: Audience::Physician,
        corpus_version: asked.answer().corpus.version.clone(),
        answer: asked.composition.answer,
        embedding: None,
    };
    let created = app.store.create_article(&Who::System, new).await.unwrap();
    created.slug.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_is_capped_and_paged() {
    let app = app(public()).await;
    let slug = article(&app, "Hypertension in adults: first-line drug?").await;
    let parsed: evident_core::article::Slug = slug.parse().unwrap();
    let answer = app
        .store
        .version(&parsed, evident_core::article::VersionNo(1))
        .await;
    let answer = answer.unwrap().unwrap().answer;
    // Fill the thread to its cap directly; the API refuses the next one.
    for i in 0..MAX_FOLLOW_UPS {
        app.store
            .add_follow_up(
                &parsed,
                &Who::System,
                &format!("follow-up {i}?"),
                vec![],
                answer.clone(),
            )
            .await
            .unwrap();
    }
    let (status, _, body) = app
        .send(request(
            Method::POST,
            &format!("/api/v1/articles/{slug}/followups"),
            None,
            Some(json!({"question": "And in pregnancy?"})),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error_shape(&body, "invalid").contains("thread is full"));
    let refused = app
        .store
        .add_follow_up(&parsed, &Who::System, "one more?", vec![], answer)
        .await;
    assert!(refused.is_err(), "the store refuses past the cap too");
    // The API shows one page at a time.
    let (status, _, body) = app
        .send(request(
            Method::GET,
            &format!("/api/v1/articles/{slug}?page=2"),
            None,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let page = v["follow_ups"].as_array().unwrap();
    assert_eq!(page.len(), FOLLOW_UPS_PER_PAGE);
    assert_eq!(page[0]["n"], FOLLOW_UPS_PER_PAGE as i64 + 1);
    assert_eq!(v["follow_ups_total"], MAX_FOLLOW_UPS);
    assert_eq!(v["follow_ups_page"], 2);
    assert_eq!(v["follow_ups_pages"], 5);
    // So does the page, with links to the neighbours.
    let (status, _, body) = app
        .send(request(
            Method::GET,
            &format!("/articles/{slug}?page=5"),
            None,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Page 5 of 5"), "pager");
    assert!(body.contains("follow-up-100") && !body.contains("id=\"follow-up-80\""));
    assert!(body.contains("page=4"));
}

#[tokio::test]
async fn made_up_methods_share_one_metrics_label() {
    let app = app(public()).await;
    for i in 0..20 {
        let method = Method::from_bytes(format!("BREW{i}").as_bytes()).unwrap();
        let (status, _, body) = app.send(request(method, "/healthz", None, None)).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        error_shape(&body, "method_not_allowed");
    }
    let (_, _, metrics) = app.send(request(Method::GET, "/metrics", None, None)).await;
    assert!(!metrics.contains("BREW"), "{metrics}");
    let other = metrics
        .lines()
        .filter(|l| l.contains("method=\"other\"") && l.contains("/healthz"))
        .count();
    assert_eq!(other, 1, "{metrics}");
}

#[tokio::test]
async fn body_limit_and_json_rejections_are_json_errors() {
    let app = app(WebConfig {
        body_limit: 16 * 1024,
        ..public()
    })
    .await;
    // Over the limit, with a Content-Length (the limit layer answers).
    let big = json!({"question": "x".repeat(32 * 1024)});
    let (status, headers, body) = app
        .send(request(Method::POST, "/api/v1/ask", None, Some(big)))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        headers.contains_key("x-content-type-options"),
        "security headers kept"
    );
    error_shape(&body, "too_large");
    // Over the limit, streamed without a length (the JSON extractor refuses).
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..8).map(|_| Ok("x".repeat(4 * 1024))).collect();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/ask")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_stream(chunks)))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    error_shape(&body, "too_large");
    // Not JSON at all, JSON of the wrong shape, no content type.
    for (content_type, payload, want, code) in [
        (
            "application/json",
            "{\"question\": ",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "application/json",
            "{\"question\": 7}",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "text/plain",
            "{}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ] {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/ask")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(payload))
            .unwrap();
        let (status, _, body) = app.send(req).await;
        assert_eq!(status, want, "{payload}: {body}");
        error_shape(&body, code);
    }
    // An unreadable query string and an unknown API route.
    let (status, _, body) = app
        .send(request(
            Method::GET,
            "/api/v1/articles?limit=lots",
            None,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    error_shape(&body, "bad_request");
    let (status, _, body) = app
        .send(request(Method::GET, "/api/v1/nothing-here", None, None))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_shape(&body, "not_found");
}

fn futures_stream(
    chunks: Vec<Result<String, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<String, std::io::Error>> + Send {
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn a_panic_becomes_a_logged_json_500() {
    let router: Router = Router::new()
        .route(
            "/boom",
            get(|| async {
                let s = std::hint::black_box("café");
                // A byte index inside 'é', as the old question expansion did.
                s[..4].len().to_string()
            }),
        )
        .route_layer(evident_web::failsafe::catch_panic())
        .layer(axum::middleware::from_fn(
            evident_web::failsafe::error_shape,
        ));
    let response = router
        .oneshot(Request::builder().uri("/boom").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body = String::from_utf8_lossy(&bytes);
    assert_eq!(error_shape(&body, "internal"), "internal error");
    assert!(!body.contains("char boundary"), "no internals: {body}");
}
