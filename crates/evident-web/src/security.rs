//! Security layers: response headers (CSP without inline script, frame-ancestors, nosniff, referrer policy, no-store when signed in), the CSRF check on state-changing requests, and rate limits per signed-in user or client address, with bounded memory.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::auth::session_id;
use crate::error::WebError;
use crate::{AppState, WebConfig};

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let signed_in = request.headers().contains_key(header::AUTHORIZATION)
        || session_id(request.headers()).is_some();
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
    let has_cookie = session_id(headers).is_some();
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

/// Rate limits for asking and signing in, keyed by the signed-in user or else the client
/// address, and the failed sign-ins per address (see [`crate::failures`]).
pub struct Limits {
    ask: Keyed,
    login: Keyed,
    pub failures: crate::failures::AuthFailures,
}

/// A keyed limiter whose memory stays bounded: every [`SWEEP_EVERY`] checks it forgets the
/// keys whose quota has refilled (governor's `retain_recent`).
struct Keyed {
    limiter: DefaultKeyedRateLimiter<String>,
    checks: AtomicU32,
}

/// How many checks pass between sweeps of a limiter's idle keys.
const SWEEP_EVERY: u32 = 1024;

impl Keyed {
    fn new(quota: Quota) -> Keyed {
        Keyed {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            checks: AtomicU32::new(0),
        }
    }

    fn check(&self, key: &str) -> Result<(), WebError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&key.to_string())
            .map_err(|not_until| {
                WebError::RateLimited(not_until.wait_time_from(DefaultClock::default().now()))
            })
    }
}

/// The key a request's limits count under: `user:ID` for a signed-in caller, else
/// `addr:ADDRESS` ([`client_addr`]). Whatever else a request carries (an `Authorization`
/// header that is not a valid token, a forwarded-for header that is not trusted) buys no
/// fresh quota.
pub struct ClientKey(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientKey {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = crate::auth::Caller::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|c| c.0);
        Ok(ClientKey(match user {
            Some(actor) => format!("user:{}", actor.id),
            None => format!("addr:{}", client_addr_of(parts, &state.config)),
        }))
    }
}

/// The client address of a request as [`client_addr`] reads it.
pub fn client_addr_of(parts: &axum::http::request::Parts, config: &WebConfig) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    client_addr(&parts.headers, peer, config.trust_forwarded_for)
}

/// The address limits count under: the connecting peer, or with `trust_forwarded_for` (a
/// reverse proxy in front that appends the client's address) the last address of
/// `X-Forwarded-For`. IPv6 clients count per /64, the block one host usually holds.
pub fn client_addr(headers: &HeaderMap, peer: Option<IpAddr>, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back()
        })
        .flatten();
    match forwarded.or(peer) {
        None => "unknown".into(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

impl Limits {
    pub fn new(config: &WebConfig) -> Limits {
        Limits {
            ask: Keyed::new(quota(config.ask_per_minute)),
            login: Keyed::new(quota(config.login_per_minute)),
            failures: crate::failures::AuthFailures::new(config.auth_failures_per_minute),
        }
    }

    pub fn ask(&self, key: &str) -> Result<(), WebError> {
        self.ask.check(key)
    }

    pub fn login(&self, key: &str) -> Result<(), WebError> {
        self.login.check(key)
    }
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

    #[test]
    fn limits_count_by_address_and_trust_forwarded_for_only_when_told() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]);
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(client_addr(&h, Some(peer), false), "127.0.0.1");
        assert_eq!(client_addr(&h, Some(peer), true), "198.51.100.7");
        let junk = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(client_addr(&junk, Some(peer), true), "127.0.0.1");
        let v6: IpAddr = "2001:db8:1:2:3:4:5:6".parse().unwrap();
        assert_eq!(
            client_addr(&HeaderMap::new(), Some(v6), false),
            "2001:db8:1:2::/64"
        );
    }

    #[test]
    fn limiter_memory_is_bounded_by_sweeping_refilled_keys() {
        let quota = Quota::with_period(std::time::Duration::from_millis(1)).unwrap();
        let keyed = Keyed::new(quota);
        for i in 0..(SWEEP_EVERY * 4) {
            let _ = keyed.check(&format!("addr:{i}"));
            if i % 512 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        assert!(
            keyed.limiter.len() < SWEEP_EVERY as usize * 2,
            "{} keys kept",
            keyed.limiter.len()
        );
    }
}
