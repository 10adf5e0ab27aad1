//! The reviewer area's handlers: the queue (`GET /review`, articles and the starter documents), an article's review view (`GET /review/{slug}`), review transitions and edits (`POST /review/{slug}/transition`, `/edit`), for reviewers, editors and admins only.

use std::collections::HashMap;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::answer::Answer;
use evident_core::article::{Actor, ReviewStatus, VersionNo, check_edited_answer};
use evident_engine::store::ArticleFilter;
use maud::html;
use serde::Deserialize;

use super::ask::status_chip;
use super::layout::{PageError, Viewer, form, html_page_status, parse_slug, query, time_el};
use super::review_documents::documents_section;
use super::review_view::review_page;
use crate::AppState;
use crate::auth::reviewer;
use crate::error::WebError;

/// The order the queue shows statuses in: work to do first.
const QUEUE_ORDER: [ReviewStatus; 5] = [
    ReviewStatus::Submitted,
    ReviewStatus::UnderReview,
    ReviewStatus::ChangesRequested,
    ReviewStatus::Approved,
    ReviewStatus::Rejected,
];

#[derive(Debug, Default, Deserialize)]
pub struct ReviewQuery {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub compare: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

/// A version number from a form or query field; empty means none.
fn version_field(v: Option<&str>, name: &str) -> Result<Option<i64>, WebError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| WebError::Invalid(format!("'{v}' is not a version number ({name})"))),
    }
}

fn note_field(note: Option<&str>) -> Option<&str> {
    note.map(str::trim).filter(|n| !n.is_empty())
}

pub async fn queue(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let result: Result<Response, WebError> = async {
        let actor = viewer
            .0
            .require(&state, reviewer, "route:review", "use the review queue")
            .await?;
        queue_page(&state, &actor, None).await
    }
    .await;
    result.map_err(|e| viewer.error(e).or_login("/review"))
}

/// Renders the queue: articles by status, then the starter documents; `refusal` is a
/// document transition that was just refused, shown at the top with its status.
pub async fn queue_page(
    state: &AppState,
    actor: &Actor,
    refusal: Option<WebError>,
) -> Result<Response, WebError> {
    let all = state
        .store
        .articles(&ArticleFilter {
            limit: Some(1000),
            include_rejected: true,
            ..Default::default()
        })
        .await?;
    let documents = state.store.documents(None).await?;
    let status = refusal.as_ref().map_or(StatusCode::OK, WebError::status);
    let body = html! {
        h1 { "Review queue" }
        p.lead {
            "Articles by review status, most recently changed first, then the starter knowledge base's documents. "
            a href="/editorial-policy" { "How review works" } "."
        }
        @if let Some(e) = &refusal {
            p.error-message role="alert" { "Not done: " (e.to_string()) }
        }
        nav aria-label="Statuses" {
            ul.status-index {
                @for status in QUEUE_ORDER {
                    @let n = all.iter().filter(|a| a.status == status).count();
                    li { a href={ "#queue-" (status.as_str()) } { (status.label()) " (" (n) ")" } }
                }
                li { a href="#documents" { "Starter documents (" (documents.len()) ")" } }
            }
        }
        @for status in QUEUE_ORDER {
            @let items: Vec<_> = all.iter().filter(|a| a.status == status).collect();
            section.queue-group aria-labelledby={ "queue-" (status.as_str()) } {
                h2 id={ "queue-" (status.as_str()) } { (status.label()) " (" (items.len()) ")" }
                @if items.is_empty() {
                    p.empty { "None." }
                } @else {
                    ul.article-list {
                        @for a in items {
                            li {
                                a href={ "/review/" (a.slug) } { (a.question) }
                                " "
                                span.meta {
                                    (status_chip(a.status))
                                    " Version " (a.latest_version)
                                    " · last updated " (time_el(a.updated_at_ms))
                                }
                            }
                        }
                    }
                }
            }
        }
        (documents_section(&documents, &QUEUE_ORDER))
    };
    Ok(html_page_status(status, Some(actor), "Review queue", body))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    q: Result<Query<ReviewQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let mut here = format!("/review/{slug}");
    let result: Result<Response, WebError> = async {
        let q = query(q)?;
        let shown = version_field(q.version.as_deref(), "version")?;
        let compare = version_field(q.compare.as_deref(), "compare")?;
        if let Some(v) = shown {
            here.push_str(&format!("?version={v}"));
        }
        let slug = parse_slug(&slug)?;
        let object = slug.audit_object();
        let actor = viewer
            .0
            .require(&state, reviewer, &object, "review articles")
            .await?;
        review_page(&state, &actor, &slug, shown, compare, None).await
    }
    .await;
    result.map_err(|e| viewer.error(e).or_login(&here))
}

pub async fn transition(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    f: Result<Form<TransitionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let here = format!("/review/{slug}");
    let result: Result<Response, WebError> = async {
        let slug = parse_slug(&slug)?;
        let object = slug.audit_object();
        let actor = viewer
            .0
            .require(&state, reviewer, &object, "review articles")
            .await?;
        let attempt: Result<ReviewStatus, WebError> = async {
            let f = form(f)?;
            let to: ReviewStatus = f.to.parse().map_err(WebError::Invalid)?;
            let seen = version_field(f.version.as_deref(), "version")?.map(VersionNo);
            state
                .store
                .transition(
                    &slug,
                    &actor,
                    to,
                    seen,
                    note_field(f.note.as_deref()),
                    state.config.policy,
                )
                .await?;
            Ok(to)
        }
        .await;
        match attempt {
            Ok(to) => {
                state.metrics.transition(to.as_str());
                Ok(Redirect::to(&format!("/review/{slug}")).into_response())
            }
            Err(e @ (WebError::Internal(_) | WebError::NotFound(_))) => Err(e),
            Err(e) => review_page(&state, &actor, &slug, None, None, Some(e)).await,
        }
    }
    .await;
    result.map_err(|e| viewer.error(e).or_login(&here))
}

/// The edited answer: `base` with the texts of the form's fields `s0` (bottom line) and
/// `s1`..`sN` (section items in order). Citations stay as they were. A field left out keeps
/// its text; an empty item is removed (and a section left without items with it).
/// Whitespace is normalised. Also says whether anything changed.
pub fn apply_edit(base: &Answer, fields: &HashMap<String, String>) -> (Answer, bool) {
    let norm = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut edited = base.clone();
    let mut changed = false;
    let mut replace = |text: &mut String, key: usize| -> bool {
        match fields.get(&format!("s{key}")) {
            Some(new) if norm(new) != norm(text) => {
                *text = norm(new);
                changed = true;
                !text.is_empty()
            }
            _ => !text.trim().is_empty(),
        }
    };
    replace(&mut edited.bottom_line.text, 0);
    let mut key = 1;
    for section in &mut edited.sections {
        section.items.retain_mut(|item| {
            let keep = replace(&mut item.text, key);
            key += 1;
            keep
        });
    }
    edited.sections.retain(|s| !s.items.is_empty());
    (edited, changed)
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    f: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, PageError> {
    let here = format!("/review/{slug}");
    let result: Result<Response, WebError> = async {
        let slug = parse_slug(&slug)?;
        let object = slug.audit_object();
        let actor = viewer
            .0
            .require(&state, reviewer, &object, "edit articles")
            .await?;
        let attempt: Result<(), WebError> = async {
            let fields = form(f)?;
            let base_no = version_field(
                fields.get("base_version").map(String::as_str),
                "base_version",
            )?
            .ok_or_else(|| WebError::Invalid("the edit names no base version".into()))?;
            let base = state
                .store
                .version(&slug, VersionNo(base_no))
                .await?
                .ok_or_else(|| WebError::Conflict(format!("version {base_no} does not exist")))?;
            let (answer, changed) = apply_edit(&base.answer, &fields);
            if !changed {
                return Err(WebError::Invalid(
                    "the edit changes nothing: no version was made".into(),
                ));
            }
            check_edited_answer(&answer).map_err(WebError::Invalid)?;
            let corpus = answer.corpus.version.clone();
            state
                .store
                .propose_version(
                    &slug,
                    &actor,
                    VersionNo(base_no),
                    answer,
                    &corpus,
                    note_field(fields.get("note").map(String::as_str)),
                )
                .await?;
            Ok(())
        }
        .await;
        match attempt {
            Ok(()) => Ok(Redirect::to(&format!("/review/{slug}")).into_response()),
            Err(e @ (WebError::Internal(_) | WebError::NotFound(_))) => Err(e),
            Err(e) => review_page(&state, &actor, &slug, None, None, Some(e)).await,
        }
    }
    .await;
    result.map_err(|e| viewer.error(e).or_login(&here))
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_core::answer::{AnswerSection, SectionKind, Statement};

    fn answer() -> Answer {
        let json = serde_json::json!({
            "schema": "evident.answer/v1", "question": "q", "audience": "physician",
            "intent": "general", "facts": [], "evidence_status": "sufficient",
            "bottom_line": {"text": "Bottom.", "citations": [1]},
            "sections": [], "references": [], "disclaimer": "d",
            "corpus": {"version": "v", "documents": 1, "passages": 1}, "timing_ms": {}
        });
        let mut a: Answer = serde_json::from_value(json).expect("answer");
        a.sections.push(AnswerSection {
            title: "Treatment".into(),
            kind: SectionKind::Treatment,
            items: vec![
                Statement {
                    text: "One.".into(),
                    citations: vec![1],
                },
                Statement {
                    text: "Two.".into(),
                    citations: vec![2],
                },
            ],
        });
        a
    }

    fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn edits_replace_texts_and_keep_citations() {
        let a = answer();
        let (e, changed) = apply_edit(
            &a,
            &fields(&[("s0", "Bottom."), ("s2", " Two,\r\n edited. ")]),
        );
        assert!(changed);
        assert_eq!(e.bottom_line, a.bottom_line);
        assert_eq!(e.sections[0].items[1].text, "Two, edited.");
        assert_eq!(e.sections[0].items[1].citations, vec![2]);
        let (_, changed) = apply_edit(&a, &fields(&[("s0", "Bottom.\n"), ("s1", "One.")]));
        assert!(!changed, "whitespace alone is no change");
    }

    #[test]
    fn emptied_items_and_sections_are_removed() {
        let a = answer();
        let (e, _) = apply_edit(&a, &fields(&[("s1", "")]));
        assert_eq!(e.sections[0].items.len(), 1);
        assert_eq!(e.sections[0].items[0].text, "Two.");
        let (e, _) = apply_edit(&a, &fields(&[("s1", " "), ("s2", "")]));
        assert!(e.sections.is_empty());
        let (e, _) = apply_edit(&a, &fields(&[("s0", "")]));
        assert!(
            check_edited_answer(&e).is_err(),
            "a bottom line is required"
        );
    }
}
