//! The review part of the API: proposing answer versions, review transitions and an article's audit trail (reviewers, editors and admins).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use evident_core::answer::Answer;
use evident_core::article::{ReviewStatus, VersionNo, check_edited_answer};
use evident_core::audit::AuditEntry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ArticleJson, parse_slug};
use crate::AppState;
use crate::auth::{Caller, reviewer};
use crate::error::{ErrorBody, WebError};

#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionRequest {
    /// The version the edit started from; refused (409) when it is no longer the latest.
    pub base_version: i64,
    /// The edited answer (contract evident.answer/v1).
    #[schema(value_type = Object)]
    pub answer: Answer,
    pub note: Option<String>,
}

/// Propose a new version of an article's answer (reviewers, editors, admins).
#[utoipa::path(
    post,
    path = "/api/v1/articles/{slug}/versions",
    tag = "articles",
    params(("slug" = String, Path, description = "The article's slug")),
    request_body = VersionRequest,
    responses(
        (status = 201, body = ArticleJson),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Stale base version or a rejected article", body = ErrorBody),
        (status = 413, description = "The request body is over the body limit", body = ErrorBody),
        (status = 422, description = "The edited answer breaks the contract or is over a size cap (statements, references, passages, characters)", body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn propose_version(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Json(req): Json<VersionRequest>,
) -> Result<(StatusCode, Json<ArticleJson>), WebError> {
    let slug = parse_slug(&slug)?;
    let object = slug.audit_object();
    let actor = caller
        .require(&state, reviewer, &object, "edit articles")
        .await?;
    check_edited_answer(&req.answer).map_err(WebError::Invalid)?;
    let corpus = req.answer.corpus.version.clone();
    let a = state
        .store
        .propose_version(
            &slug,
            &actor,
            VersionNo(req.base_version),
            req.answer,
            &corpus,
            req.note.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&a).into())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// under_review, approved, changes_requested or rejected
    pub to: String,
    pub note: Option<String>,
    /// The version the reviewer looked at: required to approve (422 without it); 409 when
    /// a newer one exists. Other moves concern the latest version when it is left out.
    pub version: Option<i64>,
}

/// Move an article to another review status (reviewers, editors, admins).
#[utoipa::path(
    post,
    path = "/api/v1/articles/{slug}/transitions",
    tag = "articles",
    params(("slug" = String, Path, description = "The article's slug")),
    request_body = TransitionRequest,
    responses(
        (status = 200, body = ArticleJson),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not review, or four-eyes", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Illegal transition or a newer version", body = ErrorBody),
        (status = 422, description = "Unknown status, or an approval that names no version", body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Json(req): Json<TransitionRequest>,
) -> Result<Json<ArticleJson>, WebError> {
    let slug = parse_slug(&slug)?;
    let object = slug.audit_object();
    let actor = caller
        .require(&state, reviewer, &object, "review articles")
        .await?;
    let to: ReviewStatus = req.to.parse().map_err(WebError::Invalid)?;
    let a = state
        .store
        .transition(
            &slug,
            &actor,
            to,
            req.version.map(VersionNo),
            req.note.as_deref(),
            state.config.policy,
        )
        .await?;
    state.metrics.transition(to.as_str());
    Ok(Json((&a).into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditJson {
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<AuditEntry>,
}

/// An article's audit trail (reviewers, editors, admins).
#[utoipa::path(
    get,
    path = "/api/v1/articles/{slug}/audit",
    tag = "articles",
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, body = AuditJson),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn audit_trail(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<AuditJson>, WebError> {
    let slug = parse_slug(&slug)?;
    let object = slug.audit_object();
    caller
        .require(&state, reviewer, &object, "read the audit trail")
        .await?;
    if state.store.article(&slug).await?.is_none() {
        return Err(WebError::NotFound(format!("no article '{slug}'")));
    }
    Ok(Json(AuditJson {
        entries: state.store.audit_trail(Some(&object)).await?,
    }))
}
