//! Who is calling: a bearer token or the session cookie (a server-side session id, never the token), checked against the store on every request so that revocation and sign-out take effect at once; failed tokens are counted per client address and refused past the quota before the store.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use evident_core::article::token_hash;
use evident_core::article::{Actor, Role};
use evident_engine::store::{SessionPolicy, Who};

use crate::AppState;
use crate::error::WebError;
use crate::security::client_addr_of;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "evident_session";

/// The caller: a signed-in user, or nobody.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Actor>);

/// The bearer token a request carries in `Authorization: Bearer`.
pub fn bearer_token(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// The session id in the session cookie (a random id; never the API token).
pub fn session_id(headers: &axum::http::HeaderMap) -> Option<String> {
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

/// The sessions' lifetimes from the configuration.
pub fn session_policy(state: &AppState) -> SessionPolicy {
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    SessionPolicy {
        idle_ms: ms(state.config.session_idle),
        absolute_ms: ms(state.config.session_max),
    }
}

/// What authenticating a request came to, kept in its extensions so that extractors run
/// after the first (the viewer, the limit key) neither look up nor count it again.
#[derive(Clone)]
enum Outcome {
    Caller(Caller),
    Unauthenticated,
    Limited(std::time::Duration),
}

/// Audits failed sign-ins as [`crate::failures::AuthFailures`] groups them.
pub async fn audit_failures(state: &AppState, reports: Vec<crate::failures::Report>) {
    for (source, note) in reports {
        if let Err(e) = state.store.record_auth_failures(&source, &note).await {
            tracing::warn!("auditing failed sign-ins from {source}: {e}");
        }
    }
}

/// A token's 12-hex fingerprint, for the audit trail.
pub fn fingerprint(token: &str) -> String {
    format!("token:{}", &token_hash(token)[..12])
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Outcome, WebError> {
    if let Some(token) = bearer_token(parts) {
        let source = client_addr_of(parts, &state.config);
        if let Err(WebError::RateLimited(wait)) = state.limits.failures.check(&source) {
            return Ok(Outcome::Limited(wait));
        }
        return Ok(match state.store.lookup_token(&token).await? {
            Some(actor) => Outcome::Caller(Caller(Some(actor))),
            None => {
                let reports = state.limits.failures.failed(&source, &fingerprint(&token));
                audit_failures(state, reports).await;
                Outcome::Unauthenticated
            }
        });
    }
    if let Some(id) = session_id(&parts.headers) {
        // A session id is 256 random bits: an unknown or expired one is no sign-in
        // attempt, just a stale cookie.
        return Ok(
            match state.store.session(&id, session_policy(state)).await? {
                Some(actor) => Outcome::Caller(Caller(Some(actor))),
                None => Outcome::Unauthenticated,
            },
        );
    }
    Ok(Outcome::Caller(Caller(None)))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let outcome = match parts.extensions.get::<Outcome>() {
            Some(outcome) => outcome.clone(),
            None => {
                let outcome = authenticate(parts, state).await?;
                parts.extensions.insert(outcome.clone());
                outcome
            }
        };
        match outcome {
            Outcome::Caller(caller) => Ok(caller),
            Outcome::Unauthenticated => Err(WebError::Unauthenticated),
            Outcome::Limited(wait) => Err(WebError::RateLimited(wait)),
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
