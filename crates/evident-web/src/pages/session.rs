//! Signing in with an API token, which opens a server-side session whose random id sits in the `HttpOnly`, `SameSite=Strict` cookie (`Secure` over HTTPS), and signing out, which ends it.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::article::Actor;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{PageError, Viewer, form, html_page, html_page_status, query, safe_next};
use crate::AppState;
use crate::auth::{SESSION_COOKIE, audit_failures, fingerprint, session_id, session_policy};
use crate::security::{ClientKey, client_addr_of};

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub next: Option<String>,
}

fn login_body(next: Option<&str>, message: Option<&str>, user: Option<&Actor>) -> Markup {
    html! {
        h1 { "Sign in" }
        @if let Some(u) = user {
            p.notice { "You are signed in as " (u.name) " (" (u.role.as_str()) ")." }
        }
        @if let Some(m) = message {
            p.error-message role="alert" #login-error { (m) }
        }
        form.login-form method="post" action="/login" {
            div.field {
                label for="token" { "API token" }
                p.hint #token-hint {
                    "Sign in with the API token an administrator issued to you. "
                    "Signing in opens a session that ends when you sign out or stay away too long; "
                    "the token itself is never stored in your browser."
                }
                input #token type="password" name="token" required autocomplete="current-password"
                    aria-describedby={ "token-hint" @if message.is_some() { " login-error" } }
                    aria-invalid=[message.map(|_| "true")];
            }
            @if let Some(next) = next.filter(|n| safe_next(n)) {
                input type="hidden" name="next" value=(next);
            }
            button.primary type="submit" { "Sign in" }
        }
    }
}

pub async fn login_form(
    viewer: Viewer,
    q: Result<Query<LoginQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = query(q).map_err(|e| viewer.error(e))?;
    Ok(html_page(
        viewer.user(),
        "Sign in",
        login_body(q.next.as_deref(), None, viewer.user()),
    ))
}

/// The session cookie: `HttpOnly`, `SameSite=Strict`, for the whole site, lasting as long
/// as the session may; `Secure` when configured or when the request came over HTTPS.
fn cookie(state: &AppState, headers: &HeaderMap, value: &str, clear: bool) -> HeaderValue {
    let max_age = if clear {
        0
    } else {
        state.config.session_max.as_secs()
    };
    let mut c =
        format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}");
    if state.config.secure_cookies || over_https(headers) {
        c.push_str("; Secure");
    }
    // The value is `evs_` and hex digits, or empty: always a valid header.
    HeaderValue::from_str(&c)
        .unwrap_or_else(|_| HeaderValue::from_static("evident_session=; Max-Age=0"))
}

/// Whether the browser reached us over HTTPS: its `Origin`, or a proxy's
/// `X-Forwarded-Proto`. (Believing a forged header only makes a cookie stricter.)
fn over_https(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    text(header::ORIGIN).is_some_and(|o| o.starts_with("https://"))
        || text(HeaderName::from_static("x-forwarded-proto"))
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// Tokens are letters, digits, `_` and `-`: anything else is refused without a look-up.
fn plausible_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= 200
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    key: ClientKey,
    headers: HeaderMap,
    addr: ClientAddr,
    f: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let f = form(f).map_err(|e| viewer.error(e))?;
    state.limits.login(&key.0).map_err(|e| viewer.error(e))?;
    let source = addr.0;
    state
        .limits
        .failures
        .check(&source)
        .map_err(|e| viewer.error(e))?;
    let next = f.next.as_deref().filter(|n| safe_next(n));
    let token = f.token.trim();
    let failed = |message: &str| {
        html_page_status(
            StatusCode::UNAUTHORIZED,
            viewer.user(),
            "Sign in",
            login_body(next, Some(message), viewer.user()),
        )
    };
    if token.is_empty() {
        return Ok(failed("Enter your API token."));
    }
    let session = if plausible_token(token) {
        state
            .store
            .create_session(token, session_policy(&state))
            .await
            .map_err(|e| viewer.error(e.into()))?
    } else {
        None
    };
    let Some((actor, id)) = session else {
        let reports = state.limits.failures.failed(&source, &fingerprint(token));
        audit_failures(&state, reports).await;
        return Ok(failed(
            "That token is not valid: it may be mistyped or revoked.",
        ));
    };
    let to = match next {
        Some(n) => n.to_string(),
        None if actor.role.can_review() => "/review".into(),
        None => "/".into(),
    };
    let mut response = Redirect::to(&to).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(&state, &headers, &id, false));
    Ok(response)
}

/// Signing out ends the session on the server, not only the browser's copy.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(id) = session_id(&headers) {
        state
            .store
            .end_session(&id)
            .await
            .map_err(|e| PageError::new(e.into(), None))?;
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(&state, &headers, "", true));
    Ok(response)
}

/// The client address of a request (for counting failed sign-ins).
pub struct ClientAddr(String);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr_of(parts, &state.config)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_token_shaped_input_reaches_the_store() {
        assert!(plausible_token("evd_0123abcd"));
        assert!(!plausible_token("evd; Path=/x"));
        assert!(!plausible_token(""));
    }
}
