//! The review view of one article: status and decisions, versions, each statement beside the passages it cites (flagged where a quoted passage no longer matches the corpus), the transition and edit forms, the diff between two versions, review notes and the audit trail.

use std::collections::HashMap;
use std::sync::Arc;

use axum::response::Response;
use evident_core::answer::Answer;
use evident_core::article::{
    Actor, ArticleSummary, Author, CorpusPassage, QuoteProblem, REJECTED_BANNER, ReviewStatus,
    Slug, UserId, Version, authors_since_approval, check_quotes, quoted_ids,
};
use evident_core::audit::AuditEntry;
use maud::{Markup, html};

use super::answer::{self, passage, passage_marking, supporting_passages};
use super::ask::status_chip;
use super::diff;
use super::layout::{html_page_status, time_el};
use crate::AppState;
use crate::error::WebError;

/// Renders the review view; `refusal` is a change that was just refused, shown at the top
/// with its status (403, 409, 422).
pub async fn review_page(
    state: &AppState,
    actor: &Actor,
    slug: &Slug,
    shown: Option<i64>,
    compare: Option<i64>,
    refusal: Option<WebError>,
) -> Result<Response, WebError> {
    let store = state.store.as_ref();
    let article = store
        .article(slug)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("no article '{slug}'")))?;
    let versions = store.versions(slug).await?;
    let find = |n: i64| versions.iter().find(|v| v.n.0 == n);
    let latest = find(article.latest_version.0)
        .ok_or_else(|| WebError::Internal(format!("article {slug} lost its latest version")))?;
    let shown = match shown {
        Some(n) => find(n).ok_or_else(|| WebError::NotFound(format!("no version {n}")))?,
        None => latest,
    };
    let compare = match compare {
        Some(n) => Some(find(n).ok_or_else(|| WebError::NotFound(format!("no version {n}")))?),
        None => find(shown.n.0 - 1),
    };
    let mut wanted = vec![&shown.answer, &latest.answer];
    wanted.extend(compare.map(|c| &c.answer));
    let corpus = corpus_passages(state, quoted_ids(wanted)).await?;
    let shown_quotes = check_quotes(&shown.answer, &corpus);
    let latest_quotes = check_quotes(&latest.answer, &corpus);
    let barred = authors_since_approval(&versions, article.approved_version);
    let names: HashMap<UserId, String> = store
        .users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let reviews = store.reviews(slug).await?;
    let audit = store.audit_trail(Some(&slug.audit_object())).await?;
    let status = refusal
        .as_ref()
        .map_or(axum::http::StatusCode::OK, WebError::status);
    let author = |a: Author| match a {
        Author::System => "Evident (composed automatically)".to_string(),
        Author::User(id) => names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("user {id}")),
    };

    let body = html! {
        h1 { (article.question) }
        p.meta {
            (status_chip(article.status))
            " Latest version " (article.latest_version)
            @if let Some(v) = article.approved_version { " · approved version " (v) }
            " · last updated " (time_el(article.updated_at_ms))
            " · " a href={ "/articles/" (slug) } { "Public page" }
            " · " a href="/review" { "Back to the queue" }
        }
        @if article.status == ReviewStatus::Rejected {
            p.banner.rejected role="note" { (REJECTED_BANNER) }
        }
        @if let Some(e) = &refusal {
            p.error-message role="alert" { "Not done: " (e.to_string()) }
        }
        (decisions(state, actor, &article, latest, &author(latest.author), &barred, &latest_quotes))
        (versions_table(slug, &versions, shown, &author))
        (version_picker(slug, &versions, shown, compare))
        @if let Some(old) = compare {
            section.diff-section aria-labelledby="diff-heading" {
                h2 #diff-heading { "Changes from version " (old.n) " to version " (shown.n) }
                (diff::render(&diff::diff_lines(
                    &diff::answer_lines(&old.answer),
                    &diff::answer_lines(&shown.answer),
                )))
                (quote_warnings(shown, &shown_quotes))
            }
        }
        (statements(shown, &shown_quotes))
        @if article.status != ReviewStatus::Rejected {
            (edit_form(slug, latest))
        }
        (review_notes(&reviews))
        (audit_table(&audit))
    };
    Ok(html_page_status(
        status,
        Some(actor),
        &format!("Review: {}", article.question),
        body,
    ))
}

fn button_label(to: ReviewStatus, latest: &Version) -> String {
    match to {
        ReviewStatus::UnderReview => "Start review".into(),
        ReviewStatus::Approved => format!("Approve version {}", latest.n),
        ReviewStatus::ChangesRequested => "Request changes".into(),
        ReviewStatus::Rejected => "Reject".into(),
        ReviewStatus::Submitted => "Submit".into(),
    }
}

fn decisions(
    state: &AppState,
    actor: &Actor,
    article: &ArticleSummary,
    latest: &Version,
    latest_author: &str,
    barred: &[UserId],
    latest_quotes: &[QuoteProblem],
) -> Markup {
    let next = article.status.next();
    let own = barred.contains(&actor.id);
    html! {
        section.decisions aria-labelledby="decide-heading" {
            h2 #decide-heading { "Decision" }
            @if next.is_empty() {
                p {
                    @match article.status {
                        ReviewStatus::Rejected => "A rejected article stays rejected and cannot be edited.",
                        _ => "Propose a new version below to put this article back under review.",
                    }
                }
            } @else {
                p { "Version " (latest.n) " by " (latest_author) " is the latest; a decision is about it." }
                @if own && state.config.policy.four_eyes && next.contains(&ReviewStatus::Approved) {
                    p.notice role="note" {
                        "You wrote a version since this article was last approved: another reviewer must approve version "
                        (latest.n) " (four-eyes rule)."
                    }
                }
                @if next.contains(&ReviewStatus::Approved) && !latest_quotes.is_empty() {
                    (quote_warnings(latest, latest_quotes))
                }
                div.transition-forms {
                    @for to in next {
                        form.transition-form method="post" action={ "/review/" (article.slug) "/transition" } {
                            input type="hidden" name="to" value=(to.as_str());
                            input type="hidden" name="version" value=(latest.n);
                            div.field {
                                label for={ "note-" (to.as_str()) } { "Note for “" (to.label()) "” (optional)" }
                                textarea id={ "note-" (to.as_str()) } name="note" rows="2" {}
                            }
                            button type="submit" class={ "decision decision-" (to.as_str()) } {
                                (button_label(*to, latest))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn versions_table(
    slug: &Slug,
    versions: &[Version],
    shown: &Version,
    author: &dyn Fn(Author) -> String,
) -> Markup {
    html! {
        section aria-labelledby="versions-heading" {
            h2 #versions-heading { "Versions" }
            div.table-scroll {
                table {
                    thead { tr { th scope="col" { "Version" } th scope="col" { "Author" } th scope="col" { "Date" } th scope="col" { "Note" } } }
                    tbody {
                        @for v in versions.iter().rev() {
                            tr {
                                th scope="row" {
                                    @if v.n == shown.n { span aria-current="true" { (v.n) " (shown)" } }
                                    @else { a href={ "/review/" (slug) "?version=" (v.n) } { (v.n) } }
                                }
                                td { (author(v.author)) }
                                td { (time_el(v.created_at_ms)) }
                                td { (v.note.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn version_picker(
    slug: &Slug,
    versions: &[Version],
    shown: &Version,
    compare: Option<&Version>,
) -> Markup {
    html! {
        @if versions.len() > 1 {
            form.version-picker method="get" action={ "/review/" (slug) } {
                div.field {
                    label for="pick-version" { "Show version" }
                    select #pick-version name="version" {
                        @for v in versions.iter().rev() {
                            option value=(v.n) selected[v.n == shown.n] { (v.n) }
                        }
                    }
                }
                div.field {
                    label for="pick-compare" { "Compare with version" }
                    select #pick-compare name="compare" {
                        @for v in versions.iter().rev() {
                            option value=(v.n) selected[compare.is_some_and(|c| c.n == v.n)] { (v.n) }
                        }
                    }
                }
                button type="submit" { "Show" }
            }
        }
    }
}

/// Each statement of `answer` with a label: the bottom line, then section items.
fn labelled(answer: &Answer) -> Vec<(String, &evident_core::answer::Statement)> {
    let mut out = vec![("Bottom line".to_string(), &answer.bottom_line)];
    for section in &answer.sections {
        for (i, item) in section.items.iter().enumerate() {
            out.push((format!("{} · {}", section.title, i + 1), item));
        }
    }
    out
}

fn statements(v: &Version, quotes: &[QuoteProblem]) -> Markup {
    let a = &v.answer;
    let flag = |n: u32, id: &str| {
        quotes
            .iter()
            .find(|q| q.reference == n && q.passage_id == id)
            .map(|q| q.trouble.describe())
    };
    html! {
        section aria-labelledby="statements-heading" {
            h2 #statements-heading { "Version " (v.n) ": statements and their evidence" }
            p.hint { "Each statement beside the passages of the references it cites, verbatim." }
            @for (label, s) in labelled(a) {
                div.pair {
                    div.pair-statement {
                        h3.pair-label { (label) }
                        p { (answer::statement(a, s, "")) }
                    }
                    div.pair-evidence {
                        @let passages = supporting_passages(a, s);
                        @if s.citations.is_empty() {
                            p.warning { "This statement cites nothing." }
                        } @else if passages.iter().all(|(_, best)| best.is_none()) {
                            p.hint { "Its references are studies cited by a guideline passage; they carry no passage of their own." }
                        }
                        @for (r, best) in passages {
                            @if let Some(best) = best {
                                p.passage-ref { "[" (r.n) "] " (r.title) }
                                (passage_marking(best, Some(&s.text)))
                                @if let Some(why) = flag(r.n, &best.passage_id) {
                                    p.warning { "This quoted passage (" (best.passage_id) ") " (why) "." }
                                }
                                @if r.evidence.len() > 1 {
                                    details.passages {
                                        summary { "Other passages of [" (r.n) "] (" (r.evidence.len() - 1) ")" }
                                        @for e in r.evidence.iter().filter(|e| e.passage_id != best.passage_id) {
                                            (passage(e))
                                            @if let Some(why) = flag(r.n, &e.passage_id) {
                                                p.warning { "This quoted passage (" (e.passage_id) ") " (why) "." }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (answer::references(a, "", 3))
        }
    }
}

/// What the index holds for these passage ids (those it no longer holds are absent).
async fn corpus_passages(
    state: &AppState,
    ids: Vec<String>,
) -> Result<HashMap<String, CorpusPassage>, WebError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let index = Arc::clone(&state.index);
    let records = tokio::task::spawn_blocking(move || index.passages(&ids))
        .await
        .map_err(|e| WebError::Internal(format!("passage lookup task: {e}")))?
        .map_err(|e| WebError::Internal(format!("passage lookup: {e}")))?;
    Ok(records
        .into_iter()
        .map(|r| {
            let passage = CorpusPassage {
                text: r.passage.text,
                title: r.title,
                url: r.url,
            };
            (r.passage.id.to_string(), passage)
        })
        .collect())
}

/// The quoted passages of `v` that do not match the corpus, as an alert.
fn quote_warnings(v: &Version, quotes: &[QuoteProblem]) -> Markup {
    html! {
        @if !quotes.is_empty() {
            div.quote-warnings role="alert" {
                p.warning {
                    strong { "Check the evidence: " }
                    (quotes.len()) " quoted passage" @if quotes.len() != 1 { "s" }
                    " of version " (v.n) " do" @if quotes.len() == 1 { "es" }
                    " not match the corpus."
                }
                ul {
                    @for q in quotes {
                        li { "Reference [" (q.reference) "], passage " (q.passage_id) ": " (q.trouble.describe()) "." }
                    }
                }
            }
        }
    }
}

fn edit_form(slug: &Slug, latest: &Version) -> Markup {
    html! {
        section aria-labelledby="edit-heading" {
            h2 #edit-heading { "Edit version " (latest.n) }
            p.hint {
                "Saving makes a new version; citations stay with their statements. Empty an item "
                "to remove it. Readers keep seeing the approved version until a new one is approved."
            }
            form.edit-form method="post" action={ "/review/" (slug) "/edit" } {
                input type="hidden" name="base_version" value=(latest.n);
                @for (i, (label, s)) in labelled(&latest.answer).into_iter().enumerate() {
                    div.field {
                        label for={ "s" (i) } {
                            (label)
                            @if !s.citations.is_empty() {
                                " (cites "
                                @for (k, n) in s.citations.iter().enumerate() {
                                    @if k > 0 { ", " }
                                    "[" (n) "]"
                                }
                                ")"
                            }
                        }
                        textarea id={ "s" (i) } name={ "s" (i) } rows="3" { (s.text) }
                    }
                }
                div.field {
                    label for="edit-note" { "What changed and why (optional)" }
                    textarea #edit-note name="note" rows="2" {}
                }
                button.primary type="submit" { "Save as version " (latest.n.0 + 1) }
            }
        }
    }
}

fn review_notes(reviews: &[evident_core::article::Review]) -> Markup {
    html! {
        @if !reviews.is_empty() {
            section aria-labelledby="reviews-heading" {
                h2 #reviews-heading { "Review decisions" }
                ul.review-notes {
                    @for r in reviews {
                        li {
                            (time_el(r.at_ms)) " · " (r.reviewer_name) ": "
                            (r.from.label()) " → " strong { (r.decision.label()) }
                            " (version " (r.version) ")"
                            @if let Some(n) = &r.note { blockquote { p { (n) } } }
                        }
                    }
                }
            }
        }
    }
}

/// `user:3:alice` as `alice`; `system` and `anonymous` as they are.
fn actor_name(actor: &str) -> &str {
    actor
        .strip_prefix("user:")
        .and_then(|rest| rest.split_once(':'))
        .map_or(actor, |(_, name)| name)
}

fn audit_table(rows: &[AuditEntry]) -> Markup {
    html! {
        section aria-labelledby="audit-heading" {
            h2 #audit-heading { "Audit trail" }
            @if rows.is_empty() {
                p { "No audit rows." }
            } @else {
                div.table-scroll {
                    table.audit {
                        thead { tr {
                            th scope="col" { "#" } th scope="col" { "When" } th scope="col" { "Who" }
                            th scope="col" { "What" } th scope="col" { "Change" } th scope="col" { "Note" }
                        } }
                        tbody {
                            @for e in rows {
                                tr {
                                    td { (e.seq) }
                                    td { (time_el(e.at_ms)) }
                                    td { (actor_name(&e.actor)) }
                                    td { (e.action.as_str().replace('_', " ")) }
                                    td {
                                        @match (&e.before, &e.after) {
                                            (Some(b), Some(a)) => { (b) " → " (a) }
                                            (None, Some(a)) => { (a) }
                                            (Some(b), None) => { (b) }
                                            (None, None) => {}
                                        }
                                    }
                                    td { (e.note.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_actors_read_as_names() {
        assert_eq!(actor_name("user:3:alice"), "alice");
        assert_eq!(actor_name("system"), "system");
        assert_eq!(actor_name("anonymous"), "anonymous");
    }
}
