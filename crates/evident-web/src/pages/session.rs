//! Signing in with an API token (kept in the `HttpOnly`, `SameSite=Strict` session cookie) and signing out.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::article::Actor;
use evident_engine::store::StoreError;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{PageError, Viewer, form, html_page, html_page_status, query, safe_next};
use crate::AppState;
use crate::auth::SESSION_COOKIE;
use crate::error::WebError;
use crate::security::ClientKey;

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
                    "It is kept in a cookie that scripts cannot read, until you sign out."
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

fn cookie(state: &AppState, value: &str, clear: bool) -> Result<HeaderValue, WebError> {
    let mut c = format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/");
    if clear {
        c.push_str("; Max-Age=0");
    }
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).map_err(|_| WebError::Invalid("the token is malformed".into()))
}

/// Tokens are letters, digits, `_` and `-`: anything else never reaches a cookie header.
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
    f: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let f = form(f).map_err(|e| viewer.error(e))?;
    state.limits.login(&key.0).map_err(|e| viewer.error(e))?;
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
    // The store audits every failure; a token that could not sit in a cookie never gets one.
    let actor = match state.store.authenticate(token).await {
        Ok(actor) => Some(actor).filter(|_| plausible_token(token)),
        Err(StoreError::Unauthenticated) => None,
        Err(e) => return Err(viewer.error(e.into())),
    };
    let Some(actor) = actor else {
        return Ok(failed(
            "That token is not valid: it may be mistyped or revoked.",
        ));
    };
    let set_cookie = cookie(&state, token, false).map_err(|e| viewer.error(e))?;
    let to = match next {
        Some(n) => n.to_string(),
        None if actor.role.can_review() => "/review".into(),
        None => "/".into(),
    };
    let mut response = Redirect::to(&to).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, set_cookie);
    Ok(response)
}

pub async fn logout(State(state): State<AppState>) -> Result<Response, PageError> {
    let clear = cookie(&state, "", true)?;
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().insert(header::SET_COOKIE, clear);
    Ok(response)
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
