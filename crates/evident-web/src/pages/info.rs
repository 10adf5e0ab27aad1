//! The editorial policy (how review works) and the about page, in our own words.

use axum::extract::State;
use axum::response::Response;
use evident_core::article::{PENDING_BANNER, ReviewStatus};
use maud::html;

use super::layout::{PageError, Viewer, html_page};
use crate::AppState;

pub async fn editorial_policy(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let four_eyes = state.config.policy.four_eyes;
    let body = html! {
        article.prose {
            h1 { "Editorial policy" }
            p.lead {
                "Every answer Evident writes becomes an article. Articles are reviewed by "
                "the Medical Advisory Board of this deployment: clinicians with reviewer, editor "
                "or administrator accounts. This page explains what review means and how to read "
                "an article's status."
            }
            h2 { "Where answers come from" }
            p {
                "Evident does not write text of its own. Each statement of an answer is a sentence "
                "taken from the evidence loaded into this service, and it is cited to the passage it "
                "comes from. References list those passages word for word, so that every claim can "
                "be checked against its source. When the loaded evidence does not answer a question, "
                "the answer says so instead of filling the gap."
            }
            h2 { "Review statuses" }
            dl.statuses {
                dt { (ReviewStatus::Submitted.label()) }
                dd { "The answer was composed automatically and saved as version 1. Nobody has looked at it yet." }
                dt { (ReviewStatus::UnderReview.label()) }
                dd { "A reviewer has started reviewing it, or a new version was proposed and awaits a decision." }
                dt { (ReviewStatus::Approved.label()) }
                dd { "A reviewer checked the answer against its sources and approved this version." }
                dt { (ReviewStatus::ChangesRequested.label()) }
                dd { "A reviewer found problems. The article returns to review when someone proposes a corrected version." }
                dt { (ReviewStatus::Rejected.label()) }
                dd { "The question cannot be answered well from the loaded evidence, or the answer is not fit to publish. A rejected article is not edited further." }
            }
            h2 { "Who moves an article" }
            p {
                "Only reviewers, editors and administrators change an article's status or edit it. "
                "Readers can ask questions and follow-up questions but cannot change what an article says. "
                "A decision always concerns the latest version: if someone proposes a newer version "
                "in the meantime, the decision is refused and the reviewer looks again."
            }
            @if four_eyes {
                p {
                    strong { "Four eyes. " }
                    "A reviewer may not approve a version they wrote themselves: another member of "
                    "the board must approve it."
                }
            } @else {
                p {
                    strong { "Four eyes. " }
                    "This deployment is run by a single reviewer, so the rule that another person must "
                    "approve an edited version is switched off. Every approval is still recorded."
                }
            }
            h2 { "Edits create versions" }
            p {
                "Editing never overwrites an answer. Each edit is saved as a new numbered version, with "
                "its author, date and a note on what changed, and earlier versions stay readable. "
                "Editing an approved article puts it back under review; until the new version is "
                "approved, readers keep seeing the version that was approved before."
            }
            h2 { "What “pending review” means" }
            p {
                "Until a reviewer has approved a version, the article shows the banner “"
                (PENDING_BANNER) "”. Such an answer was assembled automatically from the cited "
                "passages and nobody has checked it yet: read it as a pointer to the sources, not as "
                "a reviewed summary."
            }
            p {
                "The reader can ask for an answer written for another audience, for example in plain "
                "language for patients. That text is composed on request from the same evidence and is "
                "marked as not reviewed, even when the article itself is approved."
            }
            h2 { "Corrections" }
            p {
                "If you find an error, tell the team that runs this service. A reviewer corrects the "
                "article by proposing a new version, which goes through review like any other; the "
                "history of versions shows what changed and when. If the evidence loaded into the "
                "service is out of date, the correction is to load newer evidence and review the "
                "affected articles again."
            }
            h2 { "The audit trail" }
            p {
                "Every change is recorded in an audit trail: who did what to which article, when, "
                "and with which note, including refused attempts. Each record is chained to the one "
                "before it by a cryptographic hash, so a record that is altered or removed later "
                "breaks the chain and is detected. Reviewers see an article's trail beside it."
            }
            h2 { "Not medical advice" }
            p {
                "Articles summarise published evidence for education. They do not replace the "
                "judgement of a clinician who knows the patient."
            }
        }
    };
    Ok(html_page(viewer.user(), "Editorial policy", body))
}

pub async fn about(viewer: Viewer) -> Result<Response, PageError> {
    let body = html! {
        article.prose {
            h1 { "About Evident" }
            p.lead {
                "Evident is a self-hostable clinical evidence service. You ask a clinical question, "
                "with the details of the case if you have them, and it answers from the evidence its "
                "operators loaded: clinical guidelines, guideline-grade summaries and research abstracts."
            }
            h2 { "Extractive and cited" }
            p {
                "Evident uses no language model to write. It searches the loaded evidence, picks the "
                "sentences that answer the question, and arranges them under a bottom line and short "
                "titled sections. Every statement carries a numbered marker that leads to its "
                "reference and to the exact passage it comes from. References are never invented."
            }
            h2 { "Consistent with the case" }
            p {
                "Facts stated in the question, such as earlier treatment, stage, age or pregnancy, "
                "decide which branches of a guideline apply. A recommendation that the case rules out "
                "is left out rather than presented as if it applied."
            }
            h2 { "Honest when the evidence is thin" }
            p {
                "When the loaded evidence does not cover a question well, the answer says that the "
                "evidence is limited or insufficient and names the nearest topics it does cover, "
                "instead of padding the answer."
            }
            h2 { "Reviewed by people" }
            p {
                "Answers become articles that the deployment's Medical Advisory Board reviews, edits "
                "and approves. Until then they carry a pending-review banner. "
                a href="/editorial-policy" { "Read the editorial policy" } "."
            }
            h2 { "The starter knowledge base" }
            p {
                "Out of the box, Evident answers from a small built-in starter knowledge base of "
                "guideline summaries written in our own words. It is for demonstration only: it is "
                "incomplete, not kept current, and every summary must be checked against the guideline "
                "it names. A real deployment loads its own evidence."
            }
        }
    };
    Ok(html_page(viewer.user(), "About", body))
}
