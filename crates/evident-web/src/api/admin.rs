//! The admin part of the API: users and their tokens (admins only).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use evident_core::article::{Role, TokenId, format_utc};
use evident_engine::store::Who;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Caller, admin};
use crate::error::{ErrorBody, WebError};

#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created_at: String,
}

/// Users (admins).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "admin",
    responses((status = 200, body = Vec<UserJson>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
pub(super) async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserJson>>, WebError> {
    caller
        .require(&state, admin, "route:users", "manage users")
        .await?;
    Ok(Json(
        state
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| UserJson {
                id: u.id.0,
                name: u.name,
                role: u.role.as_str().into(),
                created_at: format_utc(u.created_at_ms),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserRequest {
    pub name: String,
    /// reader, reviewer, editor or admin
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    pub id: i64,
    /// Shown once; only its SHA-256 is stored.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewUserResponse {
    pub user: UserJson,
    pub token: TokenJson,
}

/// Add a user and issue their first token (admins).
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "admin",
    request_body = NewUserRequest,
    responses(
        (status = 201, body = NewUserResponse),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewUserRequest>,
) -> Result<(StatusCode, Json<NewUserResponse>), WebError> {
    let actor = caller
        .require(&state, admin, "route:users", "manage users")
        .await?;
    let role: Role = req.role.parse().map_err(WebError::Invalid)?;
    let (user, token) = state
        .store
        .add_user(&Who::User(actor), &req.name, role)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewUserResponse {
            user: UserJson {
                id: user.id.0,
                name: user.name,
                role: user.role.as_str().into(),
                created_at: format_utc(user.created_at_ms),
            },
            token: TokenJson {
                id: token.id.0,
                token: token.secret,
            },
        }),
    ))
}

/// Issue another token for a user (admins).
#[utoipa::path(
    post,
    path = "/api/v1/users/{name}/tokens",
    tag = "admin",
    params(("name" = String, Path, description = "The user's name")),
    responses(
        (status = 201, body = TokenJson),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn issue_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<(StatusCode, Json<TokenJson>), WebError> {
    let actor = caller
        .require(&state, admin, "route:tokens", "manage tokens")
        .await?;
    let token = state.store.issue_token(&Who::User(actor), &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenJson {
            id: token.id.0,
            token: token.secret,
        }),
    ))
}

/// Revoke a token (admins).
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    let actor = caller
        .require(&state, admin, "route:tokens", "manage tokens")
        .await?;
    state
        .store
        .revoke_token(&Who::User(actor), TokenId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
