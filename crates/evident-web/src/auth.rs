//! Who is calling: a bearer token or the session cookie (which holds the token, HttpOnly and SameSite=Strict), checked against the store on every request so that revocation takes effect at once.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use evident_core::article::{Actor, Role};
use evident_engine::store::Who;

use crate::AppState;
use crate::error::WebError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "evident_session";

/// The caller: a signed-in user, or nobody.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Actor>);

/// The token a request carries, from `Authorization: Bearer` or the session cookie.
pub fn request_token(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION)
        && let Ok(value) = value.to_str()
        && let Some(token) = value.strip_prefix("Bearer ")
    {
        return Some(token.trim().to_string());
    }
    session_token(&parts.headers)
}

pub fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        match request_token(parts) {
            None => Ok(Caller(None)),
            Some(token) => Ok(Caller(Some(state.store.authenticate(&token).await?))),
        }
    }
}

impl Caller {
    pub fn who(&self) -> Who {
        self.0.clone().map_or(Who::Anonymous, Who::User)
    }

    /// The signed-in user if their role passes `allowed`; a 401 without a user, and an
    /// audited 403 for a role that may not (`what` names the action for the audit row).
    pub async fn require(
        &self,
        state: &AppState,
        allowed: fn(Role) -> bool,
        object: &str,
        what: &str,
    ) -> Result<Actor, WebError> {
        let Some(actor) = &self.0 else {
            return Err(WebError::Unauthenticated);
        };
        if allowed(actor.role) {
            return Ok(actor.clone());
        }
        state
            .store
            .record_denied(&Who::User(actor.clone()), object, what)
            .await?;
        Err(WebError::Forbidden(format!(
            "{} '{}' may not {what}",
            actor.role, actor.name
        )))
    }
}

pub fn any_user(_: Role) -> bool {
    true
}

pub fn reviewer(role: Role) -> bool {
    role.can_review()
}

pub fn admin(role: Role) -> bool {
    role.can_administer()
}
