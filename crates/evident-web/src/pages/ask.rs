//! The ask page (`GET /`): the question form with the audience selector, recent approved articles and a search over articles; and `POST /ask`, which answers and redirects to the article.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::answer::Audience;
use evident_core::article::{ArticleSummary, ReviewStatus};
use evident_engine::store::ArticleFilter;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{PageError, Viewer, form, html_page, query, time_el};
use crate::AppState;
use crate::api::{MAX_QUESTION_CHARS, ask_for};
use crate::error::WebError;
use crate::security::ClientKey;

#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    pub q: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub audience: Option<String>,
}

/// The audience selector: a labelled select (the label the product asks for).
pub fn audience_select(id: &str, current: Audience) -> Markup {
    html! {
        label for=(id) { "Which best describes you?" }
        select id=(id) name="audience" {
            @for a in Audience::ALL {
                option value=(a.as_str()) selected[a == current] { (audience_label(a)) }
            }
        }
    }
}

pub fn audience_label(a: Audience) -> &'static str {
    match a {
        Audience::Physician => "Physician",
        Audience::Nurse => "Nurse",
        Audience::Pharmacist => "Pharmacist",
        Audience::Student => "Student",
        Audience::Patient => "Patient or caregiver",
    }
}

/// A status as a small labelled chip.
pub fn status_chip(status: ReviewStatus) -> Markup {
    html! { span class={ "status-chip status-" (status.as_str()) } { (status.label()) } }
}

fn article_list(articles: &[ArticleSummary], with_status: bool) -> Markup {
    html! {
        ul.article-list {
            @for a in articles {
                li {
                    a href={ "/articles/" (a.slug) } { (a.question) }
                    " "
                    span.meta {
                        @if with_status { (status_chip(a.status)) " " }
                        "Last updated " (time_el(a.updated_at_ms))
                    }
                }
            }
        }
    }
}

pub async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    q: Result<Query<HomeQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = query(q).map_err(|e| viewer.error(e))?;
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let store = state.store.as_ref();
    let recent = store
        .articles(&ArticleFilter {
            status: Some(ReviewStatus::Approved),
            text: None,
            limit: Some(10),
            ..Default::default()
        })
        .await
        .map_err(|e| viewer.error(e.into()))?;
    let matches = match search {
        Some(text) => Some(
            store
                .articles(&ArticleFilter {
                    status: None,
                    include_rejected: viewer.user().is_some_and(|u| u.role.can_review()),
                    text: Some(text.to_string()),
                    limit: Some(50),
                })
                .await
                .map_err(|e| viewer.error(e.into()))?,
        ),
        None => None,
    };
    let may_ask = state.config.public_ask || viewer.user().is_some();
    let body = html! {
        h1 { "Ask a clinical question" }
        p.lead {
            "Evident answers from the evidence loaded into this service: bottom line first, "
            "every statement cited to the passage that supports it."
        }
        @if may_ask {
            form.ask-form method="post" action="/ask" {
                div.field {
                    label for="question" { "Your question" }
                    p.hint #question-hint {
                        "Include the case details that matter (age, stage, prior treatment, pregnancy…)."
                    }
                    textarea #question name="question" rows="5" required
                        maxlength=(MAX_QUESTION_CHARS) aria-describedby="question-hint" {}
                }
                div.field { (audience_select("audience", Audience::Physician)) }
                button.primary type="submit" { "Ask" }
            }
        } @else {
            p.notice role="note" {
                "Asking questions on this service needs signing in. "
                a href="/login" { "Sign in" } " with the API token you were given."
            }
        }
        section.search aria-labelledby="search-heading" {
            h2 #search-heading { "Search articles" }
            form.search-form method="get" action="/" role="search" {
                label for="q" { "Words in the question" }
                div.inline-field {
                    input #q type="search" name="q" value=[search];
                    button type="submit" { "Search" }
                }
            }
            @if let (Some(text), Some(found)) = (search, &matches) {
                h3 { "Articles matching “" (text) "”" }
                @if found.is_empty() {
                    p { "No article matches these words." }
                } @else {
                    (article_list(found, true))
                }
            }
        }
        section aria-labelledby="recent-heading" {
            h2 #recent-heading { "Recent approved articles" }
            @if recent.is_empty() {
                p { "No article has been approved yet." }
            } @else {
                (article_list(&recent, false))
            }
        }
    };
    Ok(html_page(viewer.user(), "Ask", body))
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    key: ClientKey,
    f: Result<Form<AskForm>, FormRejection>,
) -> Result<Response, PageError> {
    let result: Result<Response, WebError> = async {
        let f = form(f)?;
        let audience: Audience = match f.audience.as_deref().map(str::trim) {
            None | Some("") => Audience::Physician,
            Some(a) => a.parse().map_err(WebError::Invalid)?,
        };
        let out = ask_for(&state, &viewer.0, &key, &f.question, audience, None).await?;
        let mut to = format!("/articles/{}", out.article.slug);
        if audience != Audience::Physician {
            to.push_str(&format!("?audience={}", audience.as_str()));
        }
        Ok(Redirect::to(&to).into_response())
    }
    .await;
    result.map_err(|e| viewer.error(e))
}
