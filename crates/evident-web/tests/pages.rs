//! The HTML pages through the router: asking, the article page (stepper, banner, references, audiences, follow-ups), signing in and out, the reviewer area (queue, transitions, edits, diff, audit, the starter documents), escaping of corpus text, no inline script, and the assets.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::{TestApp, app};
use evident_core::answer::DISCLAIMER;
use evident_core::article::{PENDING_BANNER, ReviewPolicy, ReviewStatus, Role, Slug, VersionNo};
use evident_engine::store::Repository;
use evident_web::WebConfig;

const QUESTION: &str = "Which beta-blockers reduce mortality in systolic heart failure?";

fn public() -> WebConfig {
    WebConfig {
        public_ask: true,
        ..WebConfig::default()
    }
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

/// A form as a browser posts it from this site.
fn post(uri: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut b = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body)).unwrap()
}

fn location(h: &HeaderMap) -> String {
    h.get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Every HTML page: scripts only from files, no inline styles or handlers, the disclaimer
/// and the editorial policy link in the footer, a skip link and `lang`.
fn check_html(headers: &HeaderMap, body: &str) {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !ct.starts_with("text/html") {
        return;
    }
    for (i, _) in body.match_indices("<script") {
        let tag = &body[i..body[i..].find('>').map_or(body.len(), |e| i + e)];
        assert!(tag.contains(" src=\"/assets/"), "inline script: {tag}");
        assert!(
            body[i..].starts_with(&format!("{tag}></script>")),
            "a script with content: {tag}"
        );
    }
    assert!(!body.contains(" style=\""), "an inline style");
    assert!(!body.contains(" onclick="), "an inline handler");
    assert!(body.contains("<html lang=\"en\">"));
    assert!(body.contains("href=\"#main\""), "the skip link");
    assert!(body.contains(DISCLAIMER), "the footer disclaimer");
    assert!(body.contains("href=\"/editorial-policy\""));
}

async fn send(app: &TestApp, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let (status, headers, body) = app.send(req).await;
    check_html(&headers, &body);
    (status, headers, body)
}

/// Asks through the form; returns the article's slug.
async fn ask(app: &TestApp, question: &str, audience: &str) -> String {
    let (status, h, body) = send(
        app,
        post(
            "/ask",
            &[("question", question), ("audience", audience)],
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = location(&h);
    to.strip_prefix("/articles/")
        .expect("redirected to the article")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// Signs in through the form; returns the cookie to send.
async fn sign_in(app: &TestApp, token: &str) -> String {
    let (status, h, body) = send(app, post("/login", &[("token", token)], None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let set = h.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}

async fn actor(app: &TestApp, token: &str) -> evident_core::article::Actor {
    app.store.authenticate(token).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_creates_an_article_whose_page_shows_its_review_state_until_approval() {
    let app = app(public()).await;
    let (status, _, home) = send(&app, get("/", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("<label for=\"audience\">Which best describes you?</label>"));
    assert!(home.contains("<textarea id=\"question\" name=\"question\""));
    assert!(home.contains("Recent approved articles"));
    for a in ["physician", "nurse", "pharmacist", "student", "patient"] {
        assert!(home.contains(&format!("<option value=\"{a}\"")), "{a}");
    }

    let slug = ask(&app, QUESTION, "physician").await;
    let (status, _, page) = send(&app, get(&format!("/articles/{slug}"), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("<h1>{QUESTION}</h1>")));
    assert!(page.contains(
        "<li class=\"step current\" aria-current=\"step\"><span class=\"step-label\">Submitted"
    ));
    assert_eq!(page.matches("aria-current=\"step\"").count(), 1);
    assert!(page.contains("Under review") && page.contains("Approved"));
    assert!(page.contains(PENDING_BANNER));
    assert!(page.contains("Last updated <time datetime=\""));
    assert!(
        page.contains("<h3>Guideline</h3>"),
        "references grouped by kind"
    );
    assert!(page.contains("id=\"ref-1\""));
    assert!(page.contains("<a class=\"cite\" href=\"#ref-1\""));
    assert!(page.contains("data-passage=\""));
    assert!(page.contains("<details class=\"passages\">"));
    assert!(page.contains("<strong>Disclaimer. </strong>"));
    assert!(page.contains("action=\"/articles/") && page.contains("/followups\""));
    assert!(page.contains("class=\"audience-form js-autosubmit\" method=\"get\""));

    // Approved through the store: the banner goes, the stepper moves.
    let ana = actor(&app, &app.token("ana", Role::Reviewer).await).await;
    let s: Slug = slug.parse().unwrap();
    for to in [ReviewStatus::UnderReview, ReviewStatus::Approved] {
        app.store
            .transition(
                &s,
                &ana,
                to,
                Some(VersionNo(1)),
                None,
                ReviewPolicy::default(),
            )
            .await
            .unwrap();
    }
    let (_, _, page) = send(&app, get(&format!("/articles/{slug}"), None)).await;
    assert!(!page.contains(PENDING_BANNER));
    assert!(page.contains(
        "<li class=\"step current\" aria-current=\"step\"><span class=\"step-label\">Approved"
    ));
    assert!(page.contains("<li class=\"step done\"><span class=\"step-label\">Submitted"));

    // The ask page lists it; the search finds it with its status.
    let (_, _, home) = send(&app, get("/", None)).await;
    assert!(home.contains(&format!("href=\"/articles/{slug}\"")));
    let (_, _, found) = send(&app, get("/?q=beta-blockers+mortality", None)).await;
    assert!(found.contains(&format!("href=\"/articles/{slug}\"")));
    assert!(found.contains("status-approved"));
    let (_, _, none) = send(&app, get("/?q=zzzunknownword", None)).await;
    assert!(none.contains("No article matches these words."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_audiences_follow_ups_and_asking_errors() {
    let app = app(WebConfig {
        ask_per_minute: 4,
        ..public()
    })
    .await;
    let (status, h, _) = send(
        &app,
        post(
            "/ask",
            &[("question", QUESTION), ("audience", "patient")],
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location(&h).ends_with("?audience=patient"),
        "{}",
        location(&h)
    );

    let slug = ask(
        &app,
        "What is the first-line treatment of heart failure with reduced ejection fraction?",
        "physician",
    )
    .await;
    let (status, _, page) = send(
        &app,
        get(&format!("/articles/{slug}?audience=patient"), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(
        "This version for patient readers was composed automatically and has not been reviewed"
    ));
    assert!(page.contains("<option value=\"patient\" selected>"));
    let (status, _, _) = send(&app, get(&format!("/articles/{slug}?audience=robot"), None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, missing) = send(&app, get("/articles/no-such-article", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("<h1>Not found</h1>"));

    let follow = "What about patients with atrial fibrillation?";
    let (status, h, body) = send(
        &app,
        post(
            &format!("/articles/{slug}/followups"),
            &[("question", follow)],
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&h), format!("/articles/{slug}#follow-up-1"));
    let (_, _, page) = send(&app, get(&format!("/articles/{slug}"), None)).await;
    assert!(page.contains("id=\"follow-up-1\""));
    assert!(page.contains(follow));
    assert!(page.contains("id=\"fu1-ref-1\"") || page.contains("Evidence: insufficient"));
    assert_eq!(
        page.matches("id=\"ref-1\"").count(),
        1,
        "reference ids stay unique"
    );

    // An empty question is a 422 page; then the limit (4 a minute) answers 429.
    let (status, h, body) = send(&app, post("/ask", &[("question", "  ")], None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        h.get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(body.contains("the question is empty"));
    let (status, h, body) = send(&app, post("/ask", &[("question", "")], None)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(h.contains_key(header::RETRY_AFTER));
    assert!(body.contains("<h1>Too many requests</h1>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_deployment_asks_visitors_to_sign_in() {
    let app = app(WebConfig::default()).await;
    let (_, _, home) = send(&app, get("/", None)).await;
    assert!(home.contains("Asking questions on this service needs signing in."));
    assert!(!home.contains("action=\"/ask\""));
    let (status, _, body) = send(&app, post("/ask", &[("question", QUESTION)], None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("href=\"/login\""));
    let reader = app.token("rita", Role::Reader).await;
    let cookie = sign_in(&app, &reader).await;
    let (_, _, home) = send(&app, get("/", Some(&cookie))).await;
    assert!(home.contains("action=\"/ask\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_sets_a_strict_http_only_cookie_and_signing_out_clears_it() {
    let app = app(public()).await;
    let (status, _, form) = send(&app, get("/login", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<input id=\"token\" type=\"password\" name=\"token\""));
    assert!(form.contains("<label for=\"token\">API token</label>"));

    let (status, h, body) = send(&app, post("/login", &[("token", "evd_forged")], None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!h.contains_key(header::SET_COOKIE));
    assert!(body.contains("That token is not valid"));

    let reviewer = app.token("ana", Role::Reviewer).await;
    let (status, h, _) = send(&app, post("/login", &[("token", &reviewer)], None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), "/review");
    // The cookie holds a session id, never the token.
    let set = h.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(!set.contains(&reviewer), "{set}");
    assert!(
        set.starts_with("evident_session=evs_")
            && set.contains("; HttpOnly; SameSite=Strict; Path=/; Max-Age=")
            && !set.contains("Secure"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    let (_, _, home) = send(&app, get("/", Some(&cookie))).await;
    assert!(home.contains("ana"));
    assert!(home.contains("<a href=\"/review\">Review</a>"));
    assert!(home.contains("action=\"/logout\""));

    let reader = app.token("rita", Role::Reader).await;
    let (_, h, _) = send(&app, post("/login", &[("token", &reader)], None)).await;
    assert_eq!(location(&h), "/");
    let reader_cookie = app.session(&reader).await;
    let (_, _, home) = send(&app, get("/", Some(&reader_cookie))).await;
    assert!(!home.contains("<a href=\"/review\">Review</a>"));

    // Back to where the sign-in was asked for, never to another site.
    let (_, h, _) = send(
        &app,
        post("/login", &[("token", &reader), ("next", "/about")], None),
    )
    .await;
    assert_eq!(location(&h), "/about");
    let (_, h, _) = send(
        &app,
        post(
            "/login",
            &[("token", &reader), ("next", "//evil.example")],
            None,
        ),
    )
    .await;
    assert_eq!(location(&h), "/");

    let (status, h, _) = send(&app, post("/logout", &[], Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let set = h.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        set.starts_with("evident_session=;") && set.contains("Max-Age=0"),
        "{set}"
    );

    // A revoked or unknown session reads as signed out.
    let (status, _, page) = send(&app, get("/about", Some("evident_session=evd_gone"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<a href=\"/login\">Sign in</a>"));

    let secure = common::app(WebConfig {
        secure_cookies: true,
        ..public()
    })
    .await;
    let token = secure.token("ana", Role::Reviewer).await;
    let (_, h, _) = send(&secure, post("/login", &[("token", &token)], None)).await;
    assert!(
        h.get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("; Secure")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_area_is_for_reviewers_and_moves_articles_through_review() {
    let app = app(public()).await;
    let slug = ask(&app, QUESTION, "physician").await;

    let (status, h, _) = send(&app, get("/review", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&h).starts_with("/login"));
    let (status, h, _) = send(&app, get(&format!("/review/{slug}"), None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&h), format!("/login?next=/review/{slug}"));
    let reader = app.session(&app.token("rita", Role::Reader).await).await;
    let (status, _, body) = send(&app, get("/review", Some(&reader))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("<h1>Not allowed</h1>"));
    let (status, _, _) = send(
        &app,
        post(
            &format!("/review/{slug}/transition"),
            &[("to", "under_review")],
            Some(&reader),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let ana_token = app.token("ana", Role::Reviewer).await;
    let ana = sign_in(&app, &ana_token).await;
    let (status, _, queue) = send(&app, get("/review", Some(&ana))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("Submitted (1)"));
    assert!(queue.contains(&format!("href=\"/review/{slug}\"")));
    let submitted = queue.find("id=\"queue-submitted\"").unwrap();
    let under_review = queue.find("id=\"queue-under_review\"").unwrap();
    assert!(submitted < under_review);

    let (status, _, view) = send(&app, get(&format!("/review/{slug}"), Some(&ana))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(view.contains("Start review"));
    assert!(view.contains("<input type=\"hidden\" name=\"version\" value=\"1\">"));
    assert!(
        view.contains("class=\"pair\""),
        "statements beside their evidence"
    );
    assert!(view.contains("<figure class=\"passage\">"));
    assert!(view.contains("Audit trail") && view.contains("article created"));

    let uri = format!("/review/{slug}/transition");
    let (status, h, body) = send(
        &app,
        post(
            &uri,
            &[
                ("to", "under_review"),
                ("version", "1"),
                ("note", "Looking"),
            ],
            Some(&ana),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&h), format!("/review/{slug}"));
    let s: Slug = slug.parse().unwrap();
    assert_eq!(
        app.store.article(&s).await.unwrap().unwrap().status,
        ReviewStatus::UnderReview
    );

    // Refusals render the review view with their status and message.
    let (status, _, body) = send(
        &app,
        post(&uri, &[("to", "approved"), ("version", "7")], Some(&ana)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("Not done: version 7 is not the latest"),
        "{body}"
    );
    let (status, _, body) = send(&app, post(&uri, &[("to", "submitted")], Some(&ana))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("role=\"alert\""));

    let (status, _, _) = send(
        &app,
        post(&uri, &[("to", "approved"), ("version", "1")], Some(&ana)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, view) = send(&app, get(&format!("/review/{slug}"), Some(&ana))).await;
    assert!(view.contains("status changed") && view.contains("under_review → approved"));
    assert!(view.contains("Looking"), "the note is shown");
    let (_, _, page) = send(&app, get(&format!("/articles/{slug}"), None)).await;
    assert!(!page.contains(PENDING_BANNER));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_lists_the_starter_documents_and_moves_them_through_review() {
    let app = app(public()).await;
    let docs = app.store.documents(None).await.unwrap();
    assert_eq!(docs.len(), evident_engine::starter::starter_entries().len());
    let doc = &docs[0];
    let uri = format!("/review/documents/{}/transition", doc.doc_id);

    // Readers may not look or decide; visitors are sent to sign in.
    let reader = app.session(&app.token("rita", Role::Reader).await).await;
    let (status, _, body) = send(&app, post(&uri, &[("to", "under_review")], Some(&reader))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("<h1>Not allowed</h1>"));
    let (status, h, _) = send(&app, post(&uri, &[("to", "under_review")], None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&h).starts_with("/login"));

    let ana_token = app.token("ana", Role::Reviewer).await;
    let ana = sign_in(&app, &ana_token).await;
    let (status, _, queue) = send(&app, get("/review", Some(&ana))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("Starter knowledge base documents"));
    assert!(queue.contains(&format!("Submitted ({})", docs.len())));
    // The groups with work to do are open, the others folded.
    assert!(queue.contains("<details class=\"document-group\" id=\"documents-submitted\" open>"));
    assert!(queue.contains("<details class=\"document-group\" id=\"documents-approved\">"));
    assert!(queue.contains(&format!("id=\"doc-{}\"", doc.doc_id)));
    assert!(queue.contains(&format!("action=\"{uri}\"")));
    assert_eq!(
        queue.matches("value=\"under_review\"").count(),
        docs.len(),
        "a Start review button per document"
    );

    let (status, h, body) = send(
        &app,
        post(
            &uri,
            &[("to", "under_review"), ("note", "Reading it")],
            Some(&ana),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&h), "/review#documents");
    let (_, _, queue) = send(&app, get("/review", Some(&ana))).await;
    assert!(
        queue.contains("<details class=\"document-group\" id=\"documents-under_review\" open>")
    );
    assert!(queue.contains("Under review (1)"), "{queue}");
    assert!(queue.contains("value=\"approved\""), "an Approve button");

    // A refusal renders the queue with its status and message.
    let (status, _, body) = send(&app, post(&uri, &[("to", "submitted")], Some(&ana))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("role=\"alert\"") && body.contains("Not done:"),
        "{body}"
    );
    assert!(body.contains("Starter knowledge base documents"));

    let (status, h, body) = send(&app, post(&uri, &[("to", "approved")], Some(&ana))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&h), "/review#documents");
    let stored = app.store.document(&doc.doc_id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReviewStatus::Approved);
    assert!(stored.approved_at_ms.is_some());
    let trail = app
        .store
        .audit_trail(Some(&format!("document:{}", doc.doc_id)))
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.note.as_deref() == Some("Reading it"))
    );
    let (_, _, queue) = send(&app, get("/review", Some(&ana))).await;
    assert!(queue.contains("Approved (1)"), "{queue}");
    let (status, _, _) = send(
        &app,
        post(
            "/review/documents/no-such-document/transition",
            &[("to", "under_review")],
            Some(&ana),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_makes_a_new_version_and_the_diff_shows_it() {
    let app = app(public()).await;
    let slug = ask(&app, QUESTION, "physician").await;
    let ana = sign_in(&app, &app.token("ana", Role::Reviewer).await).await;
    let (_, _, view) = send(&app, get(&format!("/review/{slug}"), Some(&ana))).await;
    assert!(view.contains("<textarea id=\"s0\" name=\"s0\""));
    assert!(view.contains("name=\"base_version\" value=\"1\""));

    let uri = format!("/review/{slug}/edit");
    let edited = "Evidence-based beta-blockers lower mortality (edited by a reviewer).";
    let (status, h, body) = send(
        &app,
        post(
            &uri,
            &[("base_version", "1"), ("s0", edited), ("note", "Clearer")],
            Some(&ana),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&h), format!("/review/{slug}"));
    let s: Slug = slug.parse().unwrap();
    let article = app.store.article(&s).await.unwrap().unwrap();
    assert_eq!(article.latest_version, VersionNo(2));
    let v2 = app.store.version(&s, VersionNo(2)).await.unwrap().unwrap();
    let v1 = app.store.version(&s, VersionNo(1)).await.unwrap().unwrap();
    assert_eq!(v2.answer.bottom_line.text, edited);
    assert_eq!(
        v2.answer.bottom_line.citations,
        v1.answer.bottom_line.citations
    );
    assert_eq!(v2.answer.sections, v1.answer.sections);

    let (_, _, view) = send(&app, get(&format!("/review/{slug}"), Some(&ana))).await;
    assert!(view.contains("Changes from version 1 to version 2"));
    assert!(
        view.contains(&format!("<ins>Bottom line: {edited}")),
        "{view}"
    );
    assert!(view.contains("<del>Bottom line: "));
    assert!(view.contains("Clearer"));
    let (_, _, old) = send(&app, get(&format!("/review/{slug}?version=1"), Some(&ana))).await;
    assert!(old.contains("Version 1: statements and their evidence"));
    assert!(!old.contains("Changes from version"));
    let (_, _, both) = send(
        &app,
        get(&format!("/review/{slug}?version=2&compare=1"), Some(&ana)),
    )
    .await;
    assert!(both.contains("Changes from version 1 to version 2"));

    // A stale base version is a conflict; an edit that changes nothing is refused.
    let (status, _, body) = send(
        &app,
        post(
            &uri,
            &[("base_version", "1"), ("s0", "Another text.")],
            Some(&ana),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("not the latest"));
    let (status, _, body) = send(
        &app,
        post(&uri, &[("base_version", "2"), ("s0", edited)], Some(&ana)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("changes nothing"));
    let (status, _, _) = send(
        &app,
        post(&uri, &[("base_version", "2"), ("s0", " ")], Some(&ana)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a bottom line is required"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_and_user_text_is_escaped() {
    let app = app(public()).await;
    let question = "<script>alert(1)</script> beta-blockers in heart failure?";
    let slug = ask(&app, question, "physician").await;
    let s: Slug = slug.parse().unwrap();
    let token = app.token("ana", Role::Reviewer).await;
    let ana = actor(&app, &token).await;
    let mut answer = app
        .store
        .version(&s, VersionNo(1))
        .await
        .unwrap()
        .unwrap()
        .answer;
    answer.bottom_line.text = "Bottom <script>alert(1)</script> line.".into();
    answer.bottom_line.citations = vec![1];
    let r = answer.references.first_mut().expect("a reference");
    r.url = Some("javascript:alert(1)".into());
    r.title = "Title \"><img src=x onerror=alert(1)>".into();
    r.evidence[0].text = "Passage <script>alert(1)</script> \"quoted\" & more.".into();
    let corpus = answer.corpus.version.clone();
    app.store
        .propose_version(&s, &ana, VersionNo(1), answer, &corpus, Some("<b>note</b>"))
        .await
        .unwrap();

    let cookie = app.session(&token).await;
    for uri in [
        format!("/articles/{slug}"),
        format!("/review/{slug}"),
        "/review".into(),
        format!("/?q={}", enc("<script>")),
    ] {
        let (status, _, body) = send(&app, get(&uri, Some(&cookie))).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(!body.contains("<script>alert"), "{uri}");
        assert!(!body.contains("<img src=x"), "{uri}");
        assert!(!body.contains("href=\"javascript:"), "{uri}");
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{uri}"
        );
    }
    let (_, _, page) = send(&app, get(&format!("/articles/{slug}"), None)).await;
    assert!(
        page.contains(
            "Passage &lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; more."
        )
    );
    assert!(page.contains(
        "data-passage=\"Passage &lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot;"
    ));
    let (_, _, review) = send(&app, get(&format!("/review/{slug}"), Some(&cookie))).await;
    assert!(review.contains("&lt;b&gt;note&lt;/b&gt;"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_pages_and_assets() {
    let app = app(public()).await;
    for (uri, heading) in [
        ("/editorial-policy", "Editorial policy"),
        ("/about", "About Evident"),
    ] {
        let (status, h, body) = send(&app, get(uri, None)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            h.get(header::CONTENT_TYPE).unwrap(),
            "text/html; charset=utf-8"
        );
        assert!(body.contains(&format!("<h1>{heading}</h1>")));
    }
    let (_, _, policy) = send(&app, get("/editorial-policy", None)).await;
    assert!(
        policy.contains("Four eyes")
            && policy.contains(PENDING_BANNER)
            && policy.contains("audit trail")
    );
    let (_, _, about) = send(&app, get("/about", None)).await;
    assert!(about.contains("demonstration only"));
    assert!(
        about.contains("/assets/app.css?v=") && about.contains("<script src=\"/assets/app.js?v=")
    );

    for (uri, ct, needle) in [
        (
            "/assets/app.css",
            "text/css; charset=utf-8",
            ":focus-visible",
        ),
        (
            "/assets/app.js",
            "text/javascript; charset=utf-8",
            "data-passage",
        ),
    ] {
        let (status, h, body) = send(&app, get(uri, None)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), ct);
        assert!(
            h.get(header::CACHE_CONTROL)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
        assert!(body.contains(needle));
    }
}
