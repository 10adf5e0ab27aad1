//! Server-rendered HTML pages: the ask page, article pages with their follow-up threads, sign-in, the reviewer area (articles and the starter documents), the editorial policy and about pages, and their two static assets.
//!
//! Every page works without JavaScript; `/assets/app.js` only enhances (citation
//! tooltips, auto-submitting the audience selector). Pages are rendered with `maud`, which
//! escapes everything interpolated: corpus and user text is never marked pre-escaped.

mod answer;
mod article;
mod ask;
mod assets;
mod diff;
mod info;
pub(crate) mod layout;
mod review;
mod review_documents;
mod review_view;
mod session;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub use diff::{DiffLine, answer_lines, diff_lines};
pub use layout::PageError;

/// The page routes and the assets they use.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(ask::home))
        .route("/ask", post(ask::submit))
        .route("/articles/{slug}", get(article::show))
        .route("/articles/{slug}/followups", post(article::follow_up))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/review", get(review::queue))
        .route(
            "/review/documents/{id}/transition",
            post(review_documents::transition),
        )
        .route("/review/{slug}", get(review::show))
        .route("/review/{slug}/transition", post(review::transition))
        .route("/review/{slug}/edit", post(review::edit))
        .route("/editorial-policy", get(info::editorial_policy))
        .route("/about", get(info::about))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
}
