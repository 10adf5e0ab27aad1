//! Shared setup for the web tests: an application over the built-in starter index and a fresh SQLite store in a temporary directory (with the starter documents registered for review, as `evident serve` does), and helpers to send requests through the router.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use evident_core::article::Role;
use evident_core::lexicon::Lexicon;
use evident_engine::store::{Repository, SqlStore, Who};
use evident_search::SearchIndex;
use evident_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

/// An application under test. The temporary directory lives as long as the app.
pub struct TestApp {
    pub router: axum::Router,
    pub state: AppState,
    pub store: Arc<SqlStore>,
    pub index: Arc<SearchIndex>,
    pub lexicon: Arc<Lexicon>,
    pub _dir: TempDir,
}

/// The application over the starter knowledge base, with `config`.
pub async fn app(config: WebConfig) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    evident_engine::starter::ensure_starter(dir.path(), &evident_engine::NoProgress)
        .expect("the starter index");
    let lexicon = Arc::new(Lexicon::builtin().clone());
    let expander = Arc::clone(&lexicon);
    let index = Arc::new(
        SearchIndex::open(dir.path(), None)
            .expect("open the index")
            .with_expander(Box::new(move |q| expander.expand_query(q).added)),
    );
    let store = Arc::new(
        SqlStore::open_sqlite(&dir.path().join("evident.db"))
            .await
            .expect("open the store"),
    );
    // As `evident serve` does at start: the starter documents enter review as Submitted.
    evident_engine::articles::register_starter(store.as_ref(), &Who::System)
        .await
        .expect("register the starter documents");
    let state = AppState::new(
        Arc::clone(&store) as Arc<dyn Repository>,
        Arc::clone(&index),
        Arc::clone(&lexicon),
        config,
    );
    TestApp {
        router: evident_web::router(state.clone()),
        state,
        store,
        index,
        lexicon,
        _dir: dir,
    }
}

impl TestApp {
    /// Sends one request through the router: status, headers and the body as text.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let response = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body")
            .to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// A new user with `role`; returns their first API token.
    pub async fn token(&self, name: &str, role: Role) -> String {
        self.store
            .add_user(&Who::System, name, role)
            .await
            .expect("add user")
            .1
            .secret
    }

    /// Signs in with `token` through `POST /login`; returns the `Cookie` header value of
    /// the session it opened.
    pub async fn session(&self, token: &str) -> String {
        let req = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(format!("token={token}")))
            .expect("request");
        let (status, headers, body) = self.send(req).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "sign-in failed: {body}");
        let set = headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .expect("a session cookie");
        set.split(';').next().expect("name=value").to_string()
    }
}

/// A request with an optional bearer token and JSON body.
pub fn request(
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}
