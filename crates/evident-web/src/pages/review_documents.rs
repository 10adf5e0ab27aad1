//! The starter knowledge base's documents in the reviewer queue: a compact table per review status (folded except the work to do) with a decision form per document, and the form's handler (`POST /review/documents/{id}/transition`), which calls the API's rules.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::article::{DocumentRecord, ReviewStatus};
use maud::{Markup, html};
use serde::Deserialize;

use super::ask::status_chip;
use super::layout::{PageError, Viewer, encode_component, form, time_el};
use super::review::queue_page;
use crate::AppState;
use crate::api::documents::document_transition;
use crate::auth::reviewer;
use crate::error::WebError;

/// Where the queue shows the documents.
pub const DOCUMENTS_ANCHOR: &str = "/review#documents";

#[derive(Debug, Default, Deserialize)]
pub struct DocumentForm {
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub note: Option<String>,
}

fn button_label(to: ReviewStatus) -> &'static str {
    match to {
        ReviewStatus::UnderReview => "Start review",
        ReviewStatus::Approved => "Approve",
        ReviewStatus::ChangesRequested => "Request changes",
        ReviewStatus::Rejected => "Reject",
        ReviewStatus::Submitted => "Submit",
    }
}

/// The documents grouped by status in `order`; the groups with work to do are open.
pub fn documents_section(docs: &[DocumentRecord], order: &[ReviewStatus]) -> Markup {
    html! {
        section.documents #documents aria-labelledby="documents-heading" {
            h2 #documents-heading { "Starter knowledge base documents (" (docs.len()) ")" }
            p {
                "The guideline summaries Evident ships with. Each enters review as Submitted, "
                "and goes back to Submitted when its content changes."
            }
            @if docs.is_empty() {
                p.empty { "None registered." }
            } @else {
                @for status in order {
                    @let items: Vec<_> = docs.iter().filter(|d| d.status == *status).collect();
                    @let open = matches!(status, ReviewStatus::Submitted | ReviewStatus::UnderReview);
                    details.document-group id={ "documents-" (status.as_str()) } open[open] {
                        summary { (status.label()) " (" (items.len()) ")" }
                        @if items.is_empty() {
                            p.empty { "None." }
                        } @else {
                            div.table-scroll {
                                table.documents-table {
                                    thead {
                                        tr {
                                            th scope="col" { "Title" }
                                            th scope="col" { "Source" }
                                            th scope="col" { "Status" }
                                            th scope="col" { "Decision" }
                                        }
                                    }
                                    tbody {
                                        @for d in items { (document_row(d)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn document_row(d: &DocumentRecord) -> Markup {
    let anchor = format!("doc-{}", d.doc_id);
    let next = d.status.next();
    html! {
        tr id=(anchor) {
            th scope="row" {
                a href={ "#" (anchor) } { (d.title) }
                br;
                code.doc-id { (d.doc_id) }
            }
            td { (d.source.as_deref().unwrap_or("—")) }
            td {
                (status_chip(d.status))
                @if let Some(ms) = d.approved_at_ms { br; span.meta { (time_el(ms)) } }
            }
            td {
                @if next.is_empty() {
                    span.meta { "Reviewed again when its content changes." }
                } @else {
                    form.document-form method="post"
                        action={ "/review/documents/" (encode_component(&d.doc_id)) "/transition" } {
                        label.visually-hidden for={ "note-" (anchor) } { "Note on “" (d.title) "” (optional)" }
                        input type="text" id={ "note-" (anchor) } name="note" placeholder="Note (optional)";
                        @for to in next {
                            button type="submit" name="to" value=(to.as_str())
                                class={ "decision decision-" (to.as_str()) } {
                                (button_label(*to))
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn transition(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    f: Result<Form<DocumentForm>, FormRejection>,
) -> Result<Response, PageError> {
    let result: Result<Response, WebError> = async {
        let actor = viewer
            .0
            .require(
                &state,
                reviewer,
                &DocumentRecord::audit_object(&id),
                "review documents",
            )
            .await?;
        let attempt: Result<(), WebError> = async {
            let f = form(f)?;
            document_transition(&state, &actor, &id, &f.to, f.note.as_deref()).await?;
            Ok(())
        }
        .await;
        match attempt {
            Ok(()) => Ok(Redirect::to(DOCUMENTS_ANCHOR).into_response()),
            Err(e @ (WebError::Internal(_) | WebError::NotFound(_))) => Err(e),
            Err(e) => queue_page(&state, &actor, Some(e)).await,
        }
    }
    .await;
    result.map_err(|e| viewer.error(e).or_login("/review"))
}
