//! The article page (`GET /articles/{slug}`), shaped like a published clinical Q&A: question as title, review-status stepper, last updated, pending banner, audience selector, the cited answer, references, disclaimer and the follow-up thread; and `POST /articles/{slug}/followups`.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::answer::Audience;
use evident_core::article::{ArticleSummary, PENDING_BANNER, REJECTED_BANNER, ReviewStatus};
use maud::{Markup, html};
use serde::Deserialize;

use super::answer::answer;
use super::ask::{audience_label, audience_select};
use super::layout::{PageError, Viewer, form, html_page, parse_slug, query, time_el};
use crate::AppState;
use crate::api::{MAX_QUESTION_CHARS, article_view, ask_for, readable_article};
use crate::error::WebError;
use crate::security::ClientKey;

#[derive(Debug, Default, Deserialize)]
pub struct ArticleQuery {
    #[serde(default)]
    pub audience: Option<String>,
    /// The page of follow-ups.
    #[serde(default)]
    pub page: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowUpForm {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub audience: Option<String>,
}

/// The steps shown for a status: Submitted → Under review → Approved, with the last step
/// replaced by Changes requested or Rejected when that is where the article stands.
pub fn steps(status: ReviewStatus) -> [ReviewStatus; 3] {
    let last = match status {
        ReviewStatus::ChangesRequested | ReviewStatus::Rejected => status,
        _ => ReviewStatus::Approved,
    };
    [ReviewStatus::Submitted, ReviewStatus::UnderReview, last]
}

/// The review-status stepper: an ordered list with `aria-current="step"` on the current one.
pub fn stepper(status: ReviewStatus) -> Markup {
    let steps = steps(status);
    let current = steps.iter().position(|s| *s == status).unwrap_or(0);
    html! {
        ol.stepper aria-label="Review status" {
            @for (i, step) in steps.iter().enumerate() {
                @let class = if i < current { "step done" } else if i == current { "step current" } else { "step todo" };
                @let outcome = match step {
                    ReviewStatus::ChangesRequested | ReviewStatus::Rejected => " attention",
                    _ => "",
                };
                li class={ (class) (outcome) } aria-current=[(i == current).then_some("step")] {
                    span.step-label { (step.label()) }
                    @if i < current { span.visually-hidden { " (done)" } }
                }
            }
        }
    }
}

/// Links to the earlier and later pages of a long follow-up thread.
fn thread_pager(a: &ArticleSummary, view: &crate::api::ArticleView) -> Markup {
    let t = view.thread;
    let href = |page: usize| {
        format!(
            "/articles/{}?audience={}&page={page}#follow-ups-heading",
            a.slug,
            view.audience.as_str()
        )
    };
    html! {
        @if t.pages > 1 {
            nav.pager aria-label="Follow-up pages" {
                @if t.page > 1 { a rel="prev" href=(href(t.page - 1)) { "Earlier follow-ups" } " " }
                span { "Page " (t.page) " of " (t.pages) " (" (t.total) " follow-ups)" }
                @if t.page < t.pages { " " a rel="next" href=(href(t.page + 1)) { "Later follow-ups" } }
            }
        }
    }
}

/// Status stepper, last updated, the policy link and the pending banner.
pub fn review_header(article: &ArticleSummary) -> Markup {
    let visible = article.visible();
    html! {
        div.article-status {
            (stepper(article.status))
            p.meta {
                "Last updated " (time_el(article.updated_at_ms))
                " · Version " (visible.version)
                " · " a href="/editorial-policy" { "How articles are reviewed" }
            }
        }
        @if article.status == ReviewStatus::Rejected {
            p.banner.rejected role="note" { (REJECTED_BANNER) }
        } @else if visible.pending {
            p.banner role="note" { (PENDING_BANNER) }
        } @else if article.status != ReviewStatus::Approved {
            p.notice role="note" {
                "You are reading the approved version " (visible.version)
                ". A revision is " (article.status.label().to_lowercase()) "."
            }
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    q: Result<Query<ArticleQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let result: Result<Response, WebError> = async {
        let q = query(q)?;
        let slug = parse_slug(&slug)?;
        let view = article_view(&state, &viewer.0, &slug, q.audience.as_deref(), q.page).await?;
        let a = &view.article;
        let may_ask = state.config.public_ask || viewer.user().is_some();
        let body = html! {
            article.article {
                header.article-header {
                    h1 { (a.question) }
                    (review_header(a))
                }
                form.audience-form.js-autosubmit method="get" action={ "/articles/" (a.slug) } {
                    (audience_select("audience", view.audience))
                    button type="submit" { "Show" }
                }
                @if !view.reviewed_text {
                    p.notice role="note" {
                        "This version for " (view.audience.as_str())
                        " readers was composed automatically and has not been reviewed. "
                        a href={ "/articles/" (a.slug) } {
                            "Read the " (if view.article.visible().pending { "" } else { "reviewed " })
                            "version for " (a.audience.as_str()) " readers"
                        }
                        "."
                    }
                }
                (answer(&view.answer, "", 2))
            }
            section.follow-ups aria-labelledby="follow-ups-heading" {
                h2 #follow-ups-heading { "Follow-up questions" }
                @if view.follow_ups.is_empty() {
                    p { "No follow-up questions yet." }
                } @else {
                    p.hint {
                        "Follow-up answers keep the case facts and evidence of this article. "
                        "They are composed automatically and are not reviewed."
                    }
                    @for f in &view.follow_ups {
                        article.follow-up id={ "follow-up-" (f.n) } {
                            h3 { "Follow-up " (f.n) ": " (f.question) }
                            p.meta { "Asked " (time_el(f.created_at_ms)) }
                            (answer(&f.answer, &format!("fu{}-", f.n), 4))
                        }
                    }
                    (thread_pager(a, &view))
                }
                @if may_ask {
                    form.follow-up-form method="post" action={ "/articles/" (a.slug) "/followups" } {
                        div.field {
                            label for="follow-up-question" { "Ask a follow-up question" }
                            textarea #follow-up-question name="question" rows="3" required
                                maxlength=(MAX_QUESTION_CHARS) {}
                        }
                        input type="hidden" name="audience" value=(view.audience.as_str());
                        button.primary type="submit" { "Ask follow-up" }
                    }
                } @else {
                    p.notice { a href="/login" { "Sign in" } " to ask a follow-up question." }
                }
            }
        };
        let title = format!("{} ({})", a.question, audience_label(view.audience));
        Ok(html_page(viewer.user(), &title, body))
    }
    .await;
    result.map_err(|e| viewer.error(e))
}

pub async fn follow_up(
    State(state): State<AppState>,
    viewer: Viewer,
    key: ClientKey,
    Path(slug): Path<String>,
    f: Result<Form<FollowUpForm>, FormRejection>,
) -> Result<Response, PageError> {
    let result: Result<Response, WebError> = async {
        let f = form(f)?;
        let slug = parse_slug(&slug)?;
        let article = readable_article(&state, &viewer.0, &slug).await?;
        let audience: Audience = match f.audience.as_deref().map(str::trim) {
            None | Some("") => article.audience,
            Some(a) => a.parse().map_err(WebError::Invalid)?,
        };
        let out = ask_for(
            &state,
            &viewer.0,
            &key,
            &f.question,
            audience,
            Some(slug.as_str()),
        )
        .await?;
        let n = out.follow_up.unwrap_or_default();
        let mut to = format!("/articles/{slug}");
        if audience != article.audience {
            to.push_str(&format!("?audience={}", audience.as_str()));
        }
        to.push_str(&format!("#follow-up-{n}"));
        Ok(Redirect::to(&to).into_response())
    }
    .await;
    result.map_err(|e| viewer.error(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stepper_shows_the_outcome_that_happened() {
        assert_eq!(steps(ReviewStatus::Submitted)[2], ReviewStatus::Approved);
        assert_eq!(steps(ReviewStatus::Rejected)[2], ReviewStatus::Rejected);
        let html = stepper(ReviewStatus::UnderReview).into_string();
        assert!(html.contains(r#"<li class="step current" aria-current="step"><span class="step-label">Under review"#), "{html}");
        assert_eq!(html.matches("aria-current").count(), 1);
    }
}
