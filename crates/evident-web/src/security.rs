//! Security layers: response headers (CSP without inline script, frame-ancestors, nosniff, referrer policy, no-store when signed in), the CSRF check on state-changing requests, and rate limits per token or address.

use std::net::SocketAddr;
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::WebConfig;
use crate::auth::session_token;
use crate::error::WebError;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let signed_in = request.headers().contains_key(header::AUTHORIZATION)
        || session_token(request.headers()).is_some();
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Assets are the same for everyone and keep their long cache; anything else a
    // signed-in user sees is never stored.
    let asset = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("immutable"));
    if (signed_in && !asset) || !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses a state-changing request that a browser sent from another site. Requests
/// authenticated by a bearer token alone carry no ambient credentials and pass.
pub async fn csrf(request: Request, next: Next) -> Response {
    match check_csrf(request.method(), request.headers()) {
        Ok(()) => next.run(request).await,
        // A refused form gets a page; a program gets the JSON error.
        Err(e) if wants_html(request.headers()) => crate::pages::PageError::from(e).into_response(),
        Err(e) => e.into_response(),
    }
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
        || headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn check_csrf(method: &Method, headers: &HeaderMap) -> Result<(), WebError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let has_cookie = session_token(headers).is_some();
    if headers.contains_key(header::AUTHORIZATION) && !has_cookie {
        return Ok(());
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(WebError::Csrf("cross-site request")),
        };
    }
    if let Some(origin) = text("origin") {
        let host = text("host").unwrap_or_default();
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        return if !host.is_empty() && origin_host == host {
            Ok(())
        } else {
            Err(WebError::Csrf("the Origin does not match this site"))
        };
    }
    if has_cookie {
        Err(WebError::Csrf(
            "a signed-in form must come from this site (no Origin header)",
        ))
    } else {
        Ok(())
    }
}

/// Rate limits for asking and signing in, keyed by token (hashed) or address.
pub struct Limits {
    ask: DefaultKeyedRateLimiter<String>,
    login: DefaultKeyedRateLimiter<String>,
}

/// The key a request's rate limits count under (see [`limit_key`]).
pub struct ClientKey(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientKey {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientKey(limit_key(&parts.headers, addr)))
    }
}

/// What a limit counts: the caller's token when there is one, else their address.
pub fn limit_key(headers: &HeaderMap, addr: Option<&ConnectInfo<SocketAddr>>) -> String {
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| session_token(headers))
    {
        Some(token) => format!("token:{}", evident_core::article::token_hash(&token)),
        None => addr.map_or("addr:unknown".into(), |a| format!("addr:{}", a.0.ip())),
    }
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

impl Limits {
    pub fn new(config: &WebConfig) -> Limits {
        Limits {
            ask: DefaultKeyedRateLimiter::keyed(quota(config.ask_per_minute)),
            login: DefaultKeyedRateLimiter::keyed(quota(config.login_per_minute)),
        }
    }

    pub fn ask(&self, key: &str) -> Result<(), WebError> {
        check(&self.ask, key)
    }

    pub fn login(&self, key: &str) -> Result<(), WebError> {
        check(&self.login, key)
    }
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), WebError> {
    limiter.check_key(&key.to_string()).map_err(|not_until| {
        WebError::RateLimited(not_until.wait_time_from(DefaultClock::default().now()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn cross_site_posts_are_refused_and_same_site_ones_pass() {
        let post = Method::POST;
        assert!(check_csrf(&post, &headers(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(check_csrf(&post, &headers(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(
            check_csrf(
                &post,
                &headers(&[
                    ("origin", "https://evil.example"),
                    ("host", "evident.local")
                ])
            )
            .is_err()
        );
        assert!(
            check_csrf(
                &post,
                &headers(&[
                    ("origin", "http://evident.local"),
                    ("host", "evident.local")
                ])
            )
            .is_ok()
        );
        // A signed-in form without Origin or Sec-Fetch-Site is refused; a bearer call passes.
        assert!(check_csrf(&post, &headers(&[("cookie", "evident_session=abc")])).is_err());
        assert!(check_csrf(&post, &headers(&[("authorization", "Bearer abc")])).is_ok());
        assert!(check_csrf(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")])).is_ok());
    }

    #[test]
    fn limits_refuse_past_the_quota_with_a_wait() {
        let config = WebConfig {
            ask_per_minute: 2,
            ..WebConfig::default()
        };
        let limits = Limits::new(&config);
        assert!(limits.ask("addr:1").is_ok());
        assert!(limits.ask("addr:1").is_ok());
        let err = limits.ask("addr:1").unwrap_err();
        assert!(err.retry_after().is_some());
        assert!(limits.ask("addr:2").is_ok(), "limits are per key");
    }
}
