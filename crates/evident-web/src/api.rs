//! The JSON API under `/api/v1`, documented by the OpenAPI document it is built with (utoipa-axum registers each handler and its path together, so the document cannot drift from the router), plus `/api/openapi.json`, health and metrics.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use evident_core::answer::{Answer, Audience};
use evident_core::article::{
    ArticleSummary, PENDING_BANNER, REJECTED_BANNER, ReviewStatus, Slug, format_utc,
};
use evident_core::question::analyze;
use evident_engine::AskOptions;
use evident_engine::articles;
use evident_engine::ask::answer_question;
use evident_engine::store::ArticleFilter;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::{Caller, any_user};
use crate::error::{ErrorBody, WebError};
use crate::security::ClientKey;

pub mod admin;
pub mod documents;
pub mod review;

/// Longest question accepted, in characters.
pub const MAX_QUESTION_CHARS: usize = 2000;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Evident API",
        description = "Cited, case-aware clinical answers and their Medical Advisory Board review. Answers follow the contract evident.answer/v1."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "answers", description = "Asking and follow-ups"),
        (name = "articles", description = "Articles and their review"),
        (name = "documents", description = "The starter knowledge base's documents and their review"),
        (name = "admin", description = "Users and tokens")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes with their OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(ask))
        .routes(routes!(list_articles))
        .routes(routes!(get_article))
        .routes(routes!(add_follow_up))
        .routes(routes!(review::propose_version))
        .routes(routes!(review::transition))
        .routes(routes!(review::audit_trail))
        .routes(routes!(documents::list_documents))
        .routes(routes!(documents::transition_document))
        .routes(routes!(admin::list_users, admin::add_user))
        .routes(routes!(admin::issue_token))
        .routes(routes!(admin::revoke_token))
}

/// `/api/openapi.json`, `/healthz`, `/readyz` and `/metrics`.
pub fn operations_router(openapi: Arc<utoipa::openapi::OpenApi>) -> Router<AppState> {
    Router::new()
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = Arc::clone(&openapi);
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let probe = ArticleFilter {
        limit: Some(1),
        ..Default::default()
    };
    match state.store.articles(&probe).await {
        Ok(_) => "ready".into_response(),
        Err(e) => {
            tracing::warn!("not ready: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

/// An article as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleJson {
    pub slug: String,
    pub url: String,
    pub question: String,
    pub audience: String,
    /// submitted, under_review, approved, changes_requested, rejected
    pub status: String,
    pub latest_version: i64,
    /// The version readers see: the approved one, else the latest.
    pub visible_version: i64,
    /// True until a reviewer approved a version.
    pub pending_review: bool,
    /// "Educational purpose only — pending human review" while pending; the "Rejected"
    /// banner on a rejected article (which only reviewers can read).
    pub banner: Option<String>,
    pub approved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&ArticleSummary> for ArticleJson {
    fn from(a: &ArticleSummary) -> Self {
        let visible = a.visible();
        ArticleJson {
            slug: a.slug.to_string(),
            url: format!("/articles/{}", a.slug),
            question: a.question.clone(),
            audience: a.audience.as_str().into(),
            status: a.status.as_str().into(),
            latest_version: a.latest_version.0,
            visible_version: visible.version.0,
            pending_review: visible.pending,
            banner: if a.status == ReviewStatus::Rejected {
                Some(REJECTED_BANNER.to_string())
            } else {
                visible.pending.then(|| PENDING_BANNER.to_string())
            },
            approved_at: a.approved_at_ms.map(format_utc),
            created_at: format_utc(a.created_at_ms),
            updated_at: format_utc(a.updated_at_ms),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AskRequest {
    pub question: String,
    /// physician (default), nurse, pharmacist, student, patient
    pub audience: Option<String>,
    /// The slug of an article: asks a follow-up in its thread.
    pub thread: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AskResponse {
    pub article: ArticleJson,
    /// The answer (contract evident.answer/v1).
    #[schema(value_type = Object)]
    pub answer: Answer,
    /// True when an approved article answered the question.
    pub reused: bool,
    /// The follow-up's number, for a question asked in a thread.
    pub follow_up: Option<i64>,
}

fn parse_audience(s: Option<&str>) -> Result<Audience, WebError> {
    s.map_or(Ok(Audience::Physician), |a| {
        a.parse().map_err(WebError::Invalid)
    })
}

fn parse_slug(s: &str) -> Result<Slug, WebError> {
    s.parse()
        .map_err(|_| WebError::NotFound(format!("no article '{s}'")))
}

fn check_question(q: &str) -> Result<&str, WebError> {
    let q = evident_engine::ask::checked_question("the question", q)?;
    if q.chars().count() > MAX_QUESTION_CHARS {
        return Err(WebError::Invalid(format!(
            "the question is longer than {MAX_QUESTION_CHARS} characters"
        )));
    }
    Ok(q)
}

/// Runs a composition (tens of milliseconds of CPU) on the blocking pool, so that the
/// async workers keep serving other requests meanwhile.
async fn compose_blocking<F>(state: &AppState, work: F) -> Result<evident_engine::Asked, WebError>
where
    F: FnOnce(
            &evident_search::SearchIndex,
            &evident_core::lexicon::Lexicon,
        ) -> Result<evident_engine::Asked, evident_engine::EngineError>
        + Send
        + 'static,
{
    let (index, lexicon) = (Arc::clone(&state.index), Arc::clone(&state.lexicon));
    tokio::task::spawn_blocking(move || work(&index, &lexicon))
        .await
        .map_err(|e| WebError::Internal(format!("composition task: {e}")))?
        .map_err(WebError::from)
}

/// What asking did: the article and its answer, and whether it was reused or created.
pub struct AskOutcome {
    pub article: ArticleSummary,
    pub answer: Answer,
    pub reused: bool,
    pub follow_up: Option<i64>,
}

/// Asks a question (or a follow-up in `thread`) for a caller: the rules of asking shared by
/// the API and the ask form.
pub async fn ask_for(
    state: &AppState,
    caller: &Caller,
    key: &ClientKey,
    question: &str,
    audience: Audience,
    thread: Option<&str>,
) -> Result<AskOutcome, WebError> {
    if !state.config.public_ask {
        caller
            .require(state, any_user, "route:ask", "ask questions")
            .await?;
    }
    state.limits.ask(&key.0)?;
    let question = check_question(question)?;
    let options = AskOptions {
        audience,
        ..AskOptions::default()
    };
    let who = caller.who();
    let store = state.store.as_ref();
    let outcome = match thread {
        Some(slug) => {
            let slug = parse_slug(slug)?;
            readable_article(state, caller, &slug).await?;
            let plan =
                articles::plan_follow_up(store, &state.index, &state.lexicon, &slug, question)
                    .await?;
            let facts = plan.question.facts.clone();
            let asked = compose_blocking(state, move |index, lexicon| {
                answer_question(
                    index,
                    lexicon,
                    plan.question,
                    plan.thread,
                    &options,
                    plan.start,
                )
            })
            .await?;
            let f = store
                .add_follow_up(&slug, &who, question, facts, asked.composition.answer)
                .await?;
            let article = store
                .article(&slug)
                .await?
                .ok_or_else(|| WebError::NotFound(format!("no article '{slug}'")))?;
            AskOutcome {
                article,
                answer: f.answer,
                reused: false,
                follow_up: Some(f.n),
            }
        }
        None => {
            let start = std::time::Instant::now();
            let analysed = analyze(question, &state.lexicon);
            match articles::find_reusable(store, &state.index, &analysed, audience).await? {
                Some(r) => AskOutcome {
                    article: r.article,
                    answer: r.version.answer,
                    reused: true,
                    follow_up: None,
                },
                None => {
                    let asked = compose_blocking(state, move |index, lexicon| {
                        answer_question(index, lexicon, analysed, Vec::new(), &options, start)
                    })
                    .await?;
                    let article = articles::save(store, &state.index, &who, &asked).await?;
                    AskOutcome {
                        article,
                        answer: asked.composition.answer,
                        reused: false,
                        follow_up: None,
                    }
                }
            }
        }
    };
    state
        .metrics
        .answer(outcome.answer.evidence_status.as_str());
    Ok(outcome)
}

/// Ask a clinical question (or a follow-up with `thread`).
#[utoipa::path(
    post,
    path = "/api/v1/ask",
    tag = "answers",
    request_body = AskRequest,
    responses(
        (status = 201, description = "A new article (or follow-up) with its answer", body = AskResponse),
        (status = 200, description = "An approved article answered the question", body = AskResponse),
        (status = 401, description = "A token is needed (deployment without --public-ask) or the token is invalid", body = ErrorBody),
        (status = 404, description = "No such thread", body = ErrorBody),
        (status = 422, description = "Empty or too long question, unknown audience", body = ErrorBody),
        (status = 429, description = "Too many questions; see Retry-After", body = ErrorBody)
    ),
    security((), ("bearer" = []))
)]
async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    key: ClientKey,
    Json(req): Json<AskRequest>,
) -> Result<(StatusCode, Json<AskResponse>), WebError> {
    let audience = parse_audience(req.audience.as_deref())?;
    let out = ask_for(
        &state,
        &caller,
        &key,
        &req.question,
        audience,
        req.thread.as_deref(),
    )
    .await?;
    let status = if out.reused {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(AskResponse {
            article: (&out.article).into(),
            answer: out.answer,
            reused: out.reused,
            follow_up: out.follow_up,
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only articles with this status.
    pub status: Option<String>,
    /// Only articles whose question contains all these words.
    pub q: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub articles: Vec<ArticleJson>,
}

/// List and search articles (rejected ones only for reviewers).
#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "articles",
    params(ListQuery),
    responses(
        (status = 200, body = ArticleList),
        (status = 422, description = "Unknown status", body = ErrorBody)
    )
)]
async fn list_articles(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<ArticleList>, WebError> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<ReviewStatus>().map_err(WebError::Invalid))
        .transpose()?;
    let filter = ArticleFilter {
        status,
        include_rejected: caller.0.as_ref().is_some_and(|a| a.role.can_review()),
        text: q.q.filter(|t| !t.trim().is_empty()),
        limit: q.limit.map(|l| l.min(200)),
    };
    let list = state.store.articles(&filter).await?;
    Ok(Json(ArticleList {
        articles: list.iter().map(ArticleJson::from).collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AudienceQuery {
    /// Re-render the answer for this reader (physician, nurse, pharmacist, student, patient).
    pub audience: Option<String>,
    /// The page of follow-ups (1-based, 20 a page; clamped to the pages there are).
    pub page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpJson {
    pub n: i64,
    pub question: String,
    #[schema(value_type = Object)]
    pub answer: Answer,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleResponse {
    pub article: ArticleJson,
    /// The answer readers see (contract evident.answer/v1).
    #[schema(value_type = Object)]
    pub answer: Answer,
    /// False when the answer was re-rendered for another audience than the one reviewed.
    pub reviewed_text: bool,
    /// One page of the thread, oldest first.
    pub follow_ups: Vec<FollowUpJson>,
    /// Follow-ups in the whole thread (at most 100).
    pub follow_ups_total: usize,
    pub follow_ups_page: usize,
    pub follow_ups_pages: usize,
}

/// An article, its answer and its thread.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{slug}",
    tag = "articles",
    params(("slug" = String, Path, description = "The article's slug"), AudienceQuery),
    responses(
        (status = 200, body = ArticleResponse),
        (status = 404, description = "No such article, or a rejected one (reviewers only)", body = ErrorBody),
        (status = 422, description = "Unknown audience", body = ErrorBody)
    )
)]
async fn get_article(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(q): Query<AudienceQuery>,
) -> Result<Json<ArticleResponse>, WebError> {
    let slug = parse_slug(&slug)?;
    let view = article_view(&state, &caller, &slug, q.audience.as_deref(), q.page).await?;
    Ok(Json(ArticleResponse {
        article: (&view.article).into(),
        answer: view.answer,
        reviewed_text: view.reviewed_text,
        follow_ups: view
            .follow_ups
            .into_iter()
            .map(|f| FollowUpJson {
                n: f.n,
                question: f.question,
                answer: f.answer,
                created_at: format_utc(f.created_at_ms),
            })
            .collect(),
        follow_ups_total: view.thread.total,
        follow_ups_page: view.thread.page,
        follow_ups_pages: view.thread.pages,
    }))
}

/// What a reader sees of an article, for the API and the article page.
pub struct ArticleView {
    pub article: ArticleSummary,
    pub answer: Answer,
    pub audience: Audience,
    /// False when the answer was composed afresh for another audience than the reviewed one.
    pub reviewed_text: bool,
    /// One page of the follow-up thread.
    pub follow_ups: Vec<evident_core::article::FollowUp>,
    pub thread: ThreadPage,
}

/// The article `caller` may read: 404 for one that does not exist, and for a rejected one
/// unless the caller reviews (the same answer, so that a rejection does not show).
pub async fn readable_article(
    state: &AppState,
    caller: &Caller,
    slug: &Slug,
) -> Result<ArticleSummary, WebError> {
    state
        .store
        .article(slug)
        .await?
        .filter(|a| a.readable_by(caller.0.as_ref().map(|c| c.role)))
        .ok_or_else(|| WebError::NotFound(format!("no article '{slug}'")))
}

/// Where a page of follow-ups sits in its thread.
#[derive(Debug, Clone, Copy)]
pub struct ThreadPage {
    pub total: usize,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
}

/// An article for a reader; `follow_up_page` picks the page of its thread (1-based).
pub async fn article_view(
    state: &AppState,
    caller: &Caller,
    slug: &Slug,
    audience: Option<&str>,
    follow_up_page: Option<u32>,
) -> Result<ArticleView, WebError> {
    let store = state.store.as_ref();
    let article = readable_article(state, caller, slug).await?;
    let audience = match audience.filter(|a| !a.is_empty()) {
        Some(a) => a.parse::<Audience>().map_err(WebError::Invalid)?,
        None => article.audience,
    };
    let (answer, reviewed_text) = if audience == article.audience {
        let version = store
            .version(slug, article.visible().version)
            .await?
            .ok_or_else(|| {
                WebError::Internal(format!("article {slug} lost its visible version"))
            })?;
        (version.answer, true)
    } else {
        let options = AskOptions {
            audience,
            ..AskOptions::default()
        };
        let question = article.question.clone();
        let asked = compose_blocking(state, move |index, lexicon| {
            evident_engine::ask(index, lexicon, &question, &options)
        })
        .await?;
        (asked.composition.answer, false)
    };
    let per_page = evident_core::input::FOLLOW_UPS_PER_PAGE;
    let (first, total) = store.follow_up_page(slug, 0, per_page).await?;
    let (page, pages) = evident_core::input::follow_up_page(follow_up_page, total);
    let follow_ups = if page == 1 {
        first
    } else {
        store
            .follow_up_page(slug, (page - 1) * per_page, per_page)
            .await?
            .0
    };
    Ok(ArticleView {
        article,
        answer,
        audience,
        reviewed_text,
        follow_ups,
        thread: ThreadPage { total, page, pages },
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FollowUpRequest {
    pub question: String,
}

/// Ask a follow-up question in an article's thread.
#[utoipa::path(
    post,
    path = "/api/v1/articles/{slug}/followups",
    tag = "answers",
    params(("slug" = String, Path, description = "The article's slug")),
    request_body = FollowUpRequest,
    responses(
        (status = 201, body = AskResponse),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)
    ),
    security((), ("bearer" = []))
)]
async fn add_follow_up(
    State(state): State<AppState>,
    caller: Caller,
    key: ClientKey,
    Path(slug): Path<String>,
    Json(req): Json<FollowUpRequest>,
) -> Result<(StatusCode, Json<AskResponse>), WebError> {
    let out = ask_for(
        &state,
        &caller,
        &key,
        &req.question,
        Audience::Physician,
        Some(&slug),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(AskResponse {
            article: (&out.article).into(),
            answer: out.answer,
            reused: false,
            follow_up: out.follow_up,
        }),
    ))
}
