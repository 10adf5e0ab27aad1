//! The starter knowledge base's documents under review through the API: listing them by status and moving one to another status (reviewers, editors, admins), by the same rules and store calls as the CLI's `review documents` / `review document` and the reviewer queue's forms.

use axum::Json;
use axum::extract::{Path, Query, State};
use evident_core::article::{Actor, DocumentRecord, ReviewStatus, format_utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Caller, reviewer};
use crate::error::{ErrorBody, WebError};

/// The audit object of the document list (a refused look is audited against it).
pub const LIST_OBJECT: &str = "route:documents";

/// A starter document as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentJson {
    /// The index's document id, as answers cite it.
    pub doc_id: String,
    pub title: String,
    /// The organisations behind the guideline the document summarises.
    pub source: Option<String>,
    /// submitted, under_review, approved, changes_requested, rejected
    pub status: String,
    /// When the current content was approved; cleared when the content changes.
    pub approved_at: Option<String>,
    pub updated_at: String,
}

impl From<&DocumentRecord> for DocumentJson {
    fn from(d: &DocumentRecord) -> Self {
        DocumentJson {
            doc_id: d.doc_id.clone(),
            title: d.title.clone(),
            source: d.source.clone(),
            status: d.status.as_str().into(),
            approved_at: d.approved_at_ms.map(format_utc),
            updated_at: format_utc(d.updated_at_ms),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DocumentQuery {
    /// Only documents with this status.
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub documents: Vec<DocumentJson>,
}

/// A review status from a query or form field; empty means none.
pub fn parse_status(s: Option<&str>) -> Result<Option<ReviewStatus>, WebError> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<ReviewStatus>().map_err(WebError::Invalid))
        .transpose()
}

/// List the starter knowledge base's documents and where they stand in review (reviewers, editors, admins).
#[utoipa::path(
    get,
    path = "/api/v1/documents",
    tag = "documents",
    params(DocumentQuery),
    responses(
        (status = 200, body = DocumentList),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DocumentQuery>,
) -> Result<Json<DocumentList>, WebError> {
    caller
        .require(&state, reviewer, LIST_OBJECT, "review documents")
        .await?;
    let status = parse_status(q.status.as_deref())?;
    let list = state.store.documents(status).await?;
    Ok(Json(DocumentList {
        documents: list.iter().map(DocumentJson::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DocumentTransitionRequest {
    /// under_review, approved, changes_requested or rejected
    pub to: String,
    pub note: Option<String>,
}

/// Move a starter document to another review status (reviewers, editors, admins).
#[utoipa::path(
    post,
    path = "/api/v1/documents/{id}/transitions",
    tag = "documents",
    params(("id" = String, Path, description = "The document's id")),
    request_body = DocumentTransitionRequest,
    responses(
        (status = 200, body = DocumentJson),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not review", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Illegal transition", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn transition_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<DocumentTransitionRequest>,
) -> Result<Json<DocumentJson>, WebError> {
    let actor = caller
        .require(
            &state,
            reviewer,
            &DocumentRecord::audit_object(&id),
            "review documents",
        )
        .await?;
    let d = document_transition(&state, &actor, &id, &req.to, req.note.as_deref()).await?;
    Ok(Json((&d).into()))
}

/// A review transition of a document by a reviewer (checked with [`Caller::require`]): the
/// rules shared by the API and the reviewer queue's forms. An empty note counts as none.
pub async fn document_transition(
    state: &AppState,
    actor: &Actor,
    doc_id: &str,
    to: &str,
    note: Option<&str>,
) -> Result<DocumentRecord, WebError> {
    let to: ReviewStatus = to.trim().parse().map_err(WebError::Invalid)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let d = state
        .store
        .transition_document(doc_id, actor, to, note, state.config.policy)
        .await?;
    state.metrics.transition(to.as_str());
    Ok(d)
}
