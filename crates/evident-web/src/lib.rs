//! Evident on the web: the axum router with server-rendered pages and the JSON API under `/api/v1`, authentication, CSRF checks, security headers, limits, metrics and graceful shutdown.
//!
//! This is the only crate where errors become HTTP statuses ([`error::WebError`]).

pub mod api;
pub mod auth;
pub mod error;
pub mod failsafe;
pub mod failures;
pub mod metrics;
pub mod pages;
pub mod security;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use evident_core::article::ReviewPolicy;
use evident_core::lexicon::Lexicon;
use evident_engine::store::Repository;
use evident_search::SearchIndex;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// How a deployment runs the web service.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Anonymous visitors may ask; otherwise a token (any role) is needed.
    pub public_ask: bool,
    pub policy: ReviewPolicy,
    /// Questions per minute per signed-in user or client address.
    pub ask_per_minute: u32,
    /// Sign-in attempts per minute per address.
    pub login_per_minute: u32,
    /// Largest request body in bytes (413 above).
    pub body_limit: usize,
    /// Longest a request may take (408 after).
    pub request_timeout: Duration,
    /// Mark the session cookie `Secure` always (it is whenever a request shows it came
    /// over HTTPS: an `https://` Origin or `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// A sign-in session ends after this long unused...
    pub session_idle: Duration,
    /// ...and this long after sign-in, whatever the use.
    pub session_max: Duration,
    /// Failed sign-ins (unknown or revoked tokens) per minute per client address before
    /// its tokens are refused unread (429).
    pub auth_failures_per_minute: u32,
    /// Count limits by the last address of `X-Forwarded-For` (set it only behind a reverse
    /// proxy that appends the client's address); by default the peer address counts.
    pub trust_forwarded_for: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_ask: false,
            policy: ReviewPolicy::default(),
            ask_per_minute: 30,
            login_per_minute: 10,
            body_limit: 256 * 1024,
            request_timeout: Duration::from_secs(30),
            secure_cookies: false,
            session_idle: Duration::from_secs(30 * 60),
            session_max: Duration::from_secs(12 * 60 * 60),
            auth_failures_per_minute: 20,
            trust_forwarded_for: false,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Repository>,
    pub index: Arc<SearchIndex>,
    pub lexicon: Arc<Lexicon>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub limits: Arc<security::Limits>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Repository>,
        index: Arc<SearchIndex>,
        lexicon: Arc<Lexicon>,
        config: WebConfig,
    ) -> AppState {
        let limits = Arc::new(security::Limits::new(&config));
        AppState {
            store,
            index,
            lexicon,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            limits,
        }
    }
}

/// The whole application: pages, API, OpenAPI document, health and metrics, behind the
/// security layers.
pub fn router(state: AppState) -> Router {
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi);
    let body_limit = state.config.body_limit;
    let timeout = state.config.request_timeout;
    Router::new()
        .merge(api_router)
        .merge(pages::router())
        .merge(api::operations_router(openapi))
        .route_layer(failsafe::catch_panic())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(security::csrf))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn(failsafe::error_shape))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    addr: SocketAddr,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(listener, state, shutdown).await
}

/// Serves on a bound listener (tests bind port 0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    // Failed sign-ins still counted in memory get their summary row.
    auth::audit_failures(&state, state.limits.failures.flush()).await;
    Ok(())
}
