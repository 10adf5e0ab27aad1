//! The JSON API through the router: the authorization matrix (every route × every role, pages included), the starter documents' review, error bodies, the OpenAPI document against the router, security headers, CSRF, body and rate limits, metrics and graceful shutdown.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestApp, app, request};
use evident_core::article::Role;
use evident_engine::store::{NewArticle, Repository, Who};
use evident_web::WebConfig;
use serde_json::{Value, json};

const QUESTION: &str =
    "Next step for a presacral recurrence of rectal cancer after chemoradiation?";

/// A fresh submitted article (composed by the engine through the API would be slower).
async fn article(app: &TestApp, question: &str) -> String {
    let q = evident_core::question::analyze(question, evident_core::lexicon::Lexicon::builtin());
    let asked = evident_engine::ask(
        &app.index,
        evident_core::lexicon::Lexicon::builtin(),
        question,
        &Default::default(),
    )
    .expect("ask");
    let new = NewArticle {
        question: question.into(),
        key: evident_core::article::QuestionKey::of(&q),
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
        .to_string()
}

/// The registered starter documents' ids, in id order.
async fn starter_document_ids(app: &TestApp) -> Vec<String> {
    let ids: Vec<String> = app
        .store
        .documents(None)
        .await
        .expect("documents")
        .into_iter()
        .map(|d| d.doc_id)
        .collect();
    assert!(ids.len() >= 10, "the starter documents are registered");
    ids
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum As {
    Anonymous,
    Reader,
    Reviewer,
    Editor,
    Admin,
}

const ALL: [As; 5] = [
    As::Anonymous,
    As::Reader,
    As::Reviewer,
    As::Editor,
    As::Admin,
];

/// A token for each signed-in role of the matrices.
async fn role_tokens(app: &TestApp) -> std::collections::HashMap<As, String> {
    let mut tokens = std::collections::HashMap::new();
    for (who, name, role) in [
        (As::Reader, "rita", Role::Reader),
        (As::Reviewer, "ana", Role::Reviewer),
        (As::Editor, "ed", Role::Editor),
        (As::Admin, "root", Role::Admin),
    ] {
        tokens.insert(who, app.token(name, role).await);
    }
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_rules_say() {
    let app = app(WebConfig {
        ask_per_minute: 1000,
        ..WebConfig::default()
    })
    .await;
    let tokens = role_tokens(&app).await;
    let token_of = |who: As| tokens.get(&who).cloned();
    let doc_ids = starter_document_ids(&app).await;
    let mut failures = Vec::new();
    let mut n = 0;
    for who in ALL {
        let t = token_of(who);
        let t = t.as_deref();
        let slug = article(&app, QUESTION).await;
        let base = json!({"base_version": 1, "answer": app.store.version(&slug.parse().unwrap(), evident_core::article::VersionNo(1)).await.unwrap().unwrap().answer});
        n += 1;
        let (_, throwaway) = app
            .store
            .add_user(&Who::System, &format!("tmp{n}"), Role::Reader)
            .await
            .unwrap();
        // A starter document of its own for each role, still Submitted.
        let doc = &doc_ids[n];
        let anon = matches!(who, As::Anonymous);
        let reviewer = matches!(who, As::Reviewer | As::Editor | As::Admin);
        let admin = matches!(who, As::Admin);
        let gate = |allowed: bool, ok: StatusCode| {
            if anon {
                StatusCode::UNAUTHORIZED
            } else if allowed {
                ok
            } else {
                StatusCode::FORBIDDEN
            }
        };
        let cases: Vec<(Method, String, Option<Value>, StatusCode)> = vec![
            (
                Method::POST,
                "/api/v1/ask".into(),
                Some(json!({"question": format!("{QUESTION} ({who:?})")})),
                gate(true, StatusCode::CREATED),
            ),
            (Method::GET, "/api/v1/articles".into(), None, StatusCode::OK),
            (
                Method::GET,
                format!("/api/v1/articles/{slug}"),
                None,
                StatusCode::OK,
            ),
            (
                Method::GET,
                "/api/v1/articles/no-such-article".into(),
                None,
                StatusCode::NOT_FOUND,
            ),
            (
                Method::POST,
                format!("/api/v1/articles/{slug}/followups"),
                Some(json!({"question": "What if she had not received radiation?"})),
                gate(true, StatusCode::CREATED),
            ),
            (
                Method::POST,
                format!("/api/v1/articles/{slug}/versions"),
                Some(base.clone()),
                gate(reviewer, StatusCode::CREATED),
            ),
            (
                Method::POST,
                format!("/api/v1/articles/{slug}/transitions"),
                Some(json!({"to": "under_review"})),
                gate(reviewer, StatusCode::OK),
            ),
            (
                Method::GET,
                format!("/api/v1/articles/{slug}/audit"),
                None,
                gate(reviewer, StatusCode::OK),
            ),
            (
                Method::GET,
                "/api/v1/documents".into(),
                None,
                gate(reviewer, StatusCode::OK),
            ),
            (
                Method::GET,
                "/api/v1/documents?status=submitted".into(),
                None,
                gate(reviewer, StatusCode::OK),
            ),
            (
                Method::GET,
                "/api/v1/documents?status=bogus".into(),
                None,
                gate(reviewer, StatusCode::UNPROCESSABLE_ENTITY),
            ),
            (
                Method::POST,
                format!("/api/v1/documents/{doc}/transitions"),
                Some(json!({"to": "under_review", "note": format!("{who:?} looks")})),
                gate(reviewer, StatusCode::OK),
            ),
            (
                Method::POST,
                format!("/api/v1/documents/{doc}/transitions"),
                Some(json!({"to": "under_review"})),
                gate(reviewer, StatusCode::CONFLICT),
            ),
            (
                Method::POST,
                "/api/v1/documents/no-such-document/transitions".into(),
                Some(json!({"to": "under_review"})),
                gate(reviewer, StatusCode::NOT_FOUND),
            ),
            (
                Method::GET,
                "/api/v1/users".into(),
                None,
                gate(admin, StatusCode::OK),
            ),
            (
                Method::POST,
                "/api/v1/users".into(),
                Some(json!({"name": format!("new{n}"), "role": "reader"})),
                gate(admin, StatusCode::CREATED),
            ),
            (
                Method::POST,
                format!("/api/v1/users/tmp{n}/tokens"),
                None,
                gate(admin, StatusCode::CREATED),
            ),
            (
                Method::DELETE,
                format!("/api/v1/tokens/{}", throwaway.id),
                None,
                gate(admin, StatusCode::NO_CONTENT),
            ),
            (
                Method::GET,
                "/api/openapi.json".into(),
                None,
                StatusCode::OK,
            ),
            (Method::GET, "/healthz".into(), None, StatusCode::OK),
            (Method::GET, "/readyz".into(), None, StatusCode::OK),
            (Method::GET, "/metrics".into(), None, StatusCode::OK),
        ];
        for (method, uri, body, expected) in cases {
            let (status, _, text) = app.send(request(method.clone(), &uri, t, body)).await;
            if status != expected {
                failures.push(format!(
                    "{who:?} {method} {uri}: {status} (expected {expected}) {text}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every refusal of a signed-in user was audited.
    let trail = app.store.audit_trail(None).await.unwrap();
    let denied = trail
        .iter()
        .filter(|e| e.action == evident_core::audit::AuditAction::AuthorizationFailed)
        .count();
    assert_eq!(
        denied,
        3 /* reader: versions, transitions, audit */
            + 6 /* reader: documents list ×3, document transitions ×3 */
            + 4 * 3, /* users get/post, tokens issue/revoke for reader, reviewer, editor */
        "{denied}"
    );
    app.store.verify_audit().await.unwrap();
}

#[tokio::test]
async fn errors_are_json_with_a_code_and_no_internals() {
    let app = app(WebConfig::default()).await;
    let (status, headers, body) = app
        .send(request(
            Method::POST,
            "/api/v1/ask",
            Some("evd_forged"),
            Some(json!({"question": "x"})),
        ))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "unauthenticated");
    let reader = app.token("rita", Role::Reader).await;
    let (status, _, body) = app
        .send(request(
            Method::POST,
            "/api/v1/ask",
            Some(&reader),
            Some(json!({"question": "   "})),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, body) = app
        .send(request(
            Method::POST,
            "/api/v1/ask",
            Some(&reader),
            Some(json!({"question": "x", "audience": "robot"})),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Illegal transition and stale version: 409.
    let ana = app.token("ana", Role::Reviewer).await;
    let slug = article(&app, QUESTION).await;
    let (status, _, body) = app
        .send(request(
            Method::POST,
            &format!("/api/v1/articles/{slug}/transitions"),
            Some(&ana),
            Some(json!({"to": "approved"})),
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("under review first"), "{body}");
    let (status, _, body) = app
        .send(request(
            Method::POST,
            &format!("/api/v1/articles/{slug}/transitions"),
            Some(&ana),
            Some(json!({"to": "under_review", "version": 7})),
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(!body.contains("sqlx") && !body.contains("SELECT"), "{body}");
}

#[tokio::test]
async fn starter_documents_are_listed_and_reviewed_through_the_api() {
    let app = app(WebConfig::default()).await;
    let ana = app.token("ana", Role::Reviewer).await;
    let get = |uri: &str| request(Method::GET, uri, Some(&ana), None);
    let (status, _, body) = app.send(get("/api/v1/documents")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list: Value = serde_json::from_str(&body).unwrap();
    let docs = list["documents"].as_array().unwrap();
    assert_eq!(docs.len(), evident_engine::starter::starter_entries().len());
    let first = &docs[0];
    for field in [
        "doc_id",
        "title",
        "source",
        "status",
        "approved_at",
        "updated_at",
    ] {
        assert!(first.get(field).is_some(), "{field} in {first}");
    }
    assert_eq!(first["status"], "submitted");
    assert!(first["approved_at"].is_null());
    let id = first["doc_id"].as_str().unwrap().to_string();
    let uri = format!("/api/v1/documents/{id}/transitions");
    let post = |to: &str| {
        request(
            Method::POST,
            &uri,
            Some(&ana),
            Some(json!({"to": to, "note": "checked against the guideline"})),
        )
    };

    // Approving needs a review first: 409, and nothing changed.
    let (status, _, body) = app.send(post("approved")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _, body) = app.send(post("under_review")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["status"],
        "under_review"
    );
    let (status, _, body) = app.send(post("approved")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let approved: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(approved["status"], "approved");
    assert!(approved["approved_at"].as_str().unwrap().ends_with("UTC"));

    let (_, _, body) = app.send(get("/api/v1/documents?status=approved")).await;
    let list: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["documents"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(list["documents"][0]["doc_id"], id.as_str());
    let (_, _, body) = app.send(get("/api/v1/documents?status=submitted")).await;
    let list: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["documents"].as_array().unwrap().len(), docs.len() - 1);

    let (status, _, body) = app
        .send(request(
            Method::POST,
            "/api/v1/documents/no-such-document/transitions",
            Some(&ana),
            Some(json!({"to": "under_review"})),
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("not_found"), "{body}");
    let (status, _, _) = app.send(post("sideways")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The decisions are in the audit trail, with the note, and the chain verifies.
    let trail = app
        .store
        .audit_trail(Some(&format!("document:{id}")))
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.note.as_deref() == Some("checked against the guideline")),
        "{trail:?}"
    );
    app.store.verify_audit().await.unwrap();
    let (_, _, metrics) = app.send(request(Method::GET, "/metrics", None, None)).await;
    assert!(metrics.contains("status=\"approved\""), "{metrics}");
}

#[tokio::test]
async fn a_saved_question_is_reused_once_approved() {
    let app = app(WebConfig {
        public_ask: true,
        ..WebConfig::default()
    })
    .await;
    let (status, _, body) = app
        .send(request(
            Method::POST,
            "/api/v1/ask",
            None,
            Some(json!({"question": QUESTION})),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        created["article"]["banner"],
        "Educational purpose only \u{2014} pending human review"
    );
    assert_eq!(created["answer"]["schema"], "evident.answer/v1");
    let slug = created["article"]["slug"].as_str().unwrap().to_string();
    let ana = app.token("ana", Role::Reviewer).await;
    for to in ["under_review", "approved"] {
        let (status, _, body) = app
            .send(request(
                Method::POST,
                &format!("/api/v1/articles/{slug}/transitions"),
                Some(&ana),
                Some(json!({"to": to, "version": 1})),
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _, body) = app
        .send(request(
            Method::POST,
            "/api/v1/ask",
            None,
            Some(json!({"question": QUESTION})),
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reused: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reused["reused"], true);
    assert_eq!(reused["article"]["slug"], slug.as_str());
    assert_eq!(reused["article"]["banner"], Value::Null);
    let (_, _, list) = app
        .send(request(
            Method::GET,
            "/api/v1/articles?status=approved&q=presacral",
            None,
            None,
        ))
        .await;
    assert!(list.contains(&slug), "{list}");
    let (_, _, metrics) = app.send(request(Method::GET, "/metrics", None, None)).await;
    assert!(metrics.contains("evident_answers_total"), "{metrics}");
    assert!(
        metrics.contains("evident_review_transitions_total"),
        "{metrics}"
    );
    assert!(metrics.contains("route=\"/api/v1/ask\""), "{metrics}");
}

#[tokio::test]
async fn the_openapi_document_matches_the_router() {
    let app = app(WebConfig::default()).await;
    let (status, _, body) = app
        .send(request(Method::GET, "/api/openapi.json", None, None))
        .await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 9, "{:?}", paths.keys());
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let uri = path
                .replace("{slug}", "no-such-article")
                .replace("{name}", "nobody")
                .replace("{id}", "999999");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (m == Method::POST).then(|| json!({}));
            let (status, _, text) = app.send(request(m.clone(), &uri, None, body)).await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            // A route-level 404 has no JSON error body; "no such article" has one.
            if status == StatusCode::NOT_FOUND {
                assert!(
                    text.contains("not_found"),
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = app(WebConfig::default()).await;
    let reader = app.token("rita", Role::Reader).await;
    for (uri, token) in [
        ("/healthz", None),
        ("/api/v1/articles", Some(reader.as_str())),
        ("/nowhere", None),
    ] {
        let (_, h, _) = app.send(request(Method::GET, uri, token, None)).await;
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(h.contains_key(header::REFERRER_POLICY));
        if token.is_some() {
            assert_eq!(h[header::CACHE_CONTROL], "no-store", "{uri}");
        }
    }
}

#[tokio::test]
async fn cross_site_posts_oversized_bodies_and_floods_are_refused() {
    let app = app(WebConfig {
        public_ask: true,
        ask_per_minute: 2,
        body_limit: 64 * 1024,
        ..WebConfig::default()
    })
    .await;
    let reader = app.token("rita", Role::Reader).await;
    let session = app.session(&reader).await;
    // CSRF: a cookie-carrying POST from another site.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/ask")
        .header(header::COOKIE, &session)
        .header("origin", "https://evil.example")
        .header(header::HOST, "evident.local")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"question": QUESTION}).to_string()))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("csrf"), "{body}");
    // The same refusal of a form gets an HTML page.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/ask")
        .header(header::COOKIE, &session)
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("question=x"))
        .unwrap();
    let (status, headers, body) = app.send(req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{body}"
    );
    assert!(body.contains("cross-site request"), "{body}");
    // 413 above the body limit.
    let big = json!({"question": "x".repeat(100 * 1024)});
    let (status, _, _) = app
        .send(request(Method::POST, "/api/v1/ask", None, Some(big)))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // 429 with Retry-After past the per-minute quota.
    let mut last = (StatusCode::OK, Default::default(), String::new());
    for i in 0..3 {
        last = app
            .send(request(
                Method::POST,
                "/api/v1/ask",
                None,
                Some(json!({"question": format!("Hypertension first-line drug {i}?")})),
            ))
            .await;
    }
    assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS, "{}", last.2);
    assert!(last.1.contains_key(header::RETRY_AFTER));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_an_in_flight_request_finish() {
    let app = app(WebConfig {
        public_ask: true,
        ..WebConfig::default()
    })
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(evident_web::serve_on(listener, app.state.clone(), async {
        let _ = stopped.await;
    }));
    let body = json!({"question": QUESTION}).to_string();
    let request = format!(
        "POST /api/v1/ask HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let client = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    });
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    stop.send(()).unwrap();
    let response = client.await.unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    app.store.verify_audit().await.unwrap();
}

/// A form as a browser posts it from this site, signed in with the session cookie.
fn form(uri: &str, fields: &[(&str, &str)], token: Option<&str>) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&");
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if let Some(cookie) = token {
        b = b.header(header::COOKIE, cookie);
    }
    b.body(Body::from(body)).unwrap()
}

fn page(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(uri);
    if let Some(cookie) = token {
        b = b.header(header::COOKIE, cookie);
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_answers_every_role_as_the_rules_say() {
    let app = app(WebConfig {
        ask_per_minute: 1000,
        ..WebConfig::default()
    })
    .await;
    let tokens = role_tokens(&app).await;
    let doc_ids = starter_document_ids(&app).await;
    let mut failures = Vec::new();
    for (i, who) in ALL.into_iter().enumerate() {
        // Pages are signed in through a session, as a browser is.
        let t = match tokens.get(&who) {
            Some(token) => Some(app.session(token).await),
            None => None,
        };
        let t = t.as_deref();
        let slug = article(&app, QUESTION).await;
        let doc_uri = format!("/review/documents/{}/transition", doc_ids[i]);
        let anon = matches!(who, As::Anonymous);
        let reviewer = matches!(who, As::Reviewer | As::Editor | As::Admin);
        // Reviewer pages send visitors who are not signed in to the sign-in page.
        let review_gate = |ok: StatusCode| {
            if anon {
                StatusCode::SEE_OTHER
            } else if reviewer {
                ok
            } else {
                StatusCode::FORBIDDEN
            }
        };
        let ask_gate = if anon {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        };
        let question = format!("{QUESTION} page {who:?}");
        let edited = format!("Edited by {who:?}.");
        let cases: Vec<(Request<Body>, StatusCode)> = vec![
            (page("/", t), StatusCode::OK),
            (page("/?q=rectal", t), StatusCode::OK),
            (page(&format!("/articles/{slug}"), t), StatusCode::OK),
            (page("/articles/no-such-article", t), StatusCode::NOT_FOUND),
            (page("/login", t), StatusCode::OK),
            (page("/editorial-policy", t), StatusCode::OK),
            (page("/about", t), StatusCode::OK),
            (page("/assets/app.css", t), StatusCode::OK),
            (page("/assets/app.js", t), StatusCode::OK),
            (
                form(
                    "/ask",
                    &[("question", &question), ("audience", "physician")],
                    t,
                ),
                ask_gate,
            ),
            (
                form(
                    &format!("/articles/{slug}/followups"),
                    &[("question", "What if she had not received radiation?")],
                    t,
                ),
                ask_gate,
            ),
            (page("/review", t), review_gate(StatusCode::OK)),
            (
                page(&format!("/review/{slug}"), t),
                review_gate(StatusCode::OK),
            ),
            (
                form(
                    &format!("/review/{slug}/edit"),
                    &[("base_version", "1"), ("s0", &edited)],
                    t,
                ),
                review_gate(StatusCode::SEE_OTHER),
            ),
            (
                form(
                    &format!("/review/{slug}/transition"),
                    &[("to", "under_review"), ("version", "2")],
                    t,
                ),
                review_gate(StatusCode::SEE_OTHER),
            ),
            (
                form(&doc_uri, &[("to", "under_review"), ("note", "Looking")], t),
                review_gate(StatusCode::SEE_OTHER),
            ),
            (
                form(&doc_uri, &[("to", "under_review")], t),
                review_gate(StatusCode::CONFLICT),
            ),
            (
                form(
                    "/review/documents/no-such-document/transition",
                    &[("to", "under_review")],
                    t,
                ),
                review_gate(StatusCode::NOT_FOUND),
            ),
            (form("/logout", &[], t), StatusCode::SEE_OTHER),
        ];
        for (req, expected) in cases {
            let label = format!("{} {}", req.method(), req.uri());
            let (status, _, body) = app.send(req).await;
            if status != expected {
                failures.push(format!(
                    "{who:?} {label}: {status} (expected {expected}) {}",
                    &body[..body.len().min(200)]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    app.store.verify_audit().await.unwrap();
}

#[tokio::test]
async fn a_request_past_the_time_limit_gets_408_and_sign_in_floods_get_429() {
    let app = app(WebConfig {
        public_ask: true,
        request_timeout: std::time::Duration::from_millis(1),
        ..WebConfig::default()
    })
    .await;
    let (status, _, _) = app
        .send(request(
            Method::POST,
            "/api/v1/ask",
            None,
            Some(json!({"question": QUESTION})),
        ))
        .await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);

    let app = common::app(WebConfig {
        login_per_minute: 2,
        ..WebConfig::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, headers, _) = app
            .send(form("/login", &[("token", "evd_wrong")], None))
            .await;
        statuses.push((status, headers.contains_key(header::RETRY_AFTER)));
    }
    assert_eq!(statuses[0].0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        statuses[2],
        (StatusCode::TOO_MANY_REQUESTS, true),
        "{statuses:?}"
    );
}
