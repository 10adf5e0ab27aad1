//! Rate limits, failed sign-ins and sessions through the router: limits keyed on the signed-in user or the client address whatever headers say, bogus tokens refused past a quota before the store and audited in aggregate, and server-side sessions that expire, end at sign-out and die with their token.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, app};
use evident_core::article::Role;
use evident_core::audit::AuditAction;
use evident_engine::store::{Repository, Who};
use evident_web::WebConfig;

fn from(addr: &str, mut req: Request<Body>) -> Request<Body> {
    let addr: SocketAddr = format!("{addr}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

/// An ask with an empty question: it passes the limiter, then is refused as invalid, so
/// nothing is composed.
fn empty_ask(headers: &[(&str, String)]) -> Request<Body> {
    let mut b = Request::post("/api/v1/ask").header(header::CONTENT_TYPE, "application/json");
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    b.body(Body::from(r#"{"question": ""}"#)).unwrap()
}

fn get(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::get(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

async fn failed_rows(app: &TestApp) -> usize {
    app.store
        .audit_trail(None)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == AuditAction::AuthenticationFailed)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_games_buy_no_fresh_quota() {
    let app = app(WebConfig {
        public_ask: true,
        ask_per_minute: 3,
        ..WebConfig::default()
    })
    .await;
    let mut passed = 0;
    for i in 0..20 {
        let req = empty_ask(&[
            (header::AUTHORIZATION.as_str(), format!("Basic r{i}")),
            ("x-forwarded-for", format!("10.9.8.{i}")),
        ]);
        let (status, _, _) = app.send(from("192.0.2.1", req)).await;
        if status != StatusCode::TOO_MANY_REQUESTS {
            passed += 1;
        }
    }
    assert_eq!(
        passed, 3,
        "junk Authorization and forwarded-for headers buy nothing"
    );
    // Another address has its own quota; a signed-in user counts as themself.
    let (status, _, _) = app.send(from("192.0.2.2", empty_ask(&[]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let token = app.token("rita", Role::Reader).await;
    let bearer = format!("Bearer {token}");
    for _ in 0..3 {
        let req = empty_ask(&[(header::AUTHORIZATION.as_str(), bearer.clone())]);
        let (status, _, _) = app.send(from("192.0.2.1", req)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let req = empty_ask(&[(header::AUTHORIZATION.as_str(), bearer.clone())]);
    let (status, _, _) = app.send(from("192.0.2.1", req)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_s_forwarded_address_counts_only_when_configured() {
    let app = app(WebConfig {
        public_ask: true,
        ask_per_minute: 1,
        trust_forwarded_for: true,
        ..WebConfig::default()
    })
    .await;
    for i in 0..3 {
        let req = empty_ask(&[("x-forwarded-for", format!("198.51.100.{i}"))]);
        let (status, _, _) = app.send(from("127.0.0.1", req)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "client {i}");
    }
    let req = empty_ask(&[("x-forwarded-for", "198.51.100.0".into())]);
    let (status, _, _) = app.send(from("127.0.0.1", req)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bogus_tokens_are_refused_before_the_store_and_audited_in_aggregate() {
    let app = app(WebConfig {
        auth_failures_per_minute: 5,
        ..WebConfig::default()
    })
    .await;
    let before = failed_rows(&app).await;
    let (mut unauthorized, mut limited) = (0, 0);
    for i in 0..200 {
        let bearer = format!("Bearer evd_bogus{i}");
        let req = get("/api/v1/documents", &[("authorization", &bearer)]);
        match app.send(from("203.0.113.7", req)).await.0 {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((unauthorized, limited), (5, 195));
    assert_eq!(
        failed_rows(&app).await - before,
        1,
        "one row for the source's window, not one per token"
    );
    // Sign-in through the form is throttled by the same count.
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from("token=evd_wrong"))
        .unwrap();
    assert_eq!(
        app.send(from("203.0.113.7", req)).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Someone else, elsewhere, with a valid token is not held up.
    let token = app.token("ana", Role::Reviewer).await;
    let bearer = format!("Bearer {token}");
    let req = get("/api/v1/documents", &[("authorization", &bearer)]);
    assert_eq!(app.send(from("203.0.113.8", req)).await.0, StatusCode::OK);
    // The window's remaining failures are summarised in one row.
    let summary = app.state.limits.failures.flush();
    assert_eq!(summary.len(), 1);
    assert!(
        summary[0].1.starts_with("4 more failed sign-ins"),
        "{summary:?}"
    );
}

async fn login(app: &TestApp, token: &str, headers: &[(&str, &str)]) -> String {
    let mut b = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let (status, h, body) = app
        .send(b.body(Body::from(format!("token={token}"))).unwrap())
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    h.get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

async fn review_status(app: &TestApp, cookie: &str) -> StatusCode {
    app.send(get("/review", &[("cookie", cookie)])).await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_hold_no_token_and_end_at_sign_out_and_revocation() {
    let app = app(WebConfig::default()).await;
    let (_, issued) = app
        .store
        .add_user(&Who::System, "ana", Role::Reviewer)
        .await
        .unwrap();
    let token = issued.secret;
    let set = login(&app, &token, &[]).await;
    assert!(!set.contains(&token), "{set}");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
    assert!(
        !set.contains("Secure"),
        "plain HTTP without the option: {set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    assert_eq!(review_status(&app, &cookie).await, StatusCode::OK);
    // The token itself in the cookie opens nothing.
    let as_token = format!("evident_session={token}");
    assert_eq!(review_status(&app, &as_token).await, StatusCode::SEE_OTHER);

    // Reached over HTTPS (by the Origin, or a proxy's header): Secure.
    for https in [
        ("origin", "https://evident.example"),
        ("x-forwarded-proto", "https"),
    ] {
        assert!(login(&app, &token, &[https]).await.contains("; Secure"));
    }

    // Signing out ends the session on the server: the same cookie is dead.
    let req = Request::post("/logout")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.0, StatusCode::SEE_OTHER);
    assert_eq!(review_status(&app, &cookie).await, StatusCode::SEE_OTHER);

    // Revoking the token ends its sessions.
    let cookie = login(&app, &token, &[]).await;
    let cookie = cookie.split(';').next().unwrap();
    assert_eq!(review_status(&app, cookie).await, StatusCode::OK);
    app.store
        .revoke_token(&Who::System, issued.id)
        .await
        .unwrap();
    assert_eq!(review_status(&app, cookie).await, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_when_idle_and_at_their_absolute_limit() {
    let app = app(WebConfig {
        session_idle: Duration::from_millis(400),
        session_max: Duration::from_millis(1500),
        ..WebConfig::default()
    })
    .await;
    let token = app.token("ana", Role::Reviewer).await;
    let idle = app.session(&token).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        review_status(&app, &idle).await,
        StatusCode::SEE_OTHER,
        "idle"
    );

    let busy = app.session(&token).await;
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_millis(1200) {
        assert_eq!(review_status(&app, &busy).await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        review_status(&app, &busy).await,
        StatusCode::SEE_OTHER,
        "past the absolute limit, however busy"
    );
}
