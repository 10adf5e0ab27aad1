//! Evident's persistence: articles and their answer versions, reviews, follow-up threads, corpus documents under review, users, API tokens and the hash-chained audit trail, on SQLite (one instance) or PostgreSQL (several).
//!
//! [`Repository`] is the interface the engine uses; [`SqlStore`] implements it for both
//! backends with one set of queries (sqlx's `Any` driver) and a migration set per backend.
//! The review rules themselves live in `evident_core::article`; this crate applies their
//! decisions atomically, each change with its audit row.

mod articles;
mod audit;
mod documents;
mod error;
mod repository;
mod sessions;
mod sql;
mod users;

use async_trait::async_trait;
use evident_core::answer::{Answer, Audience};
use evident_core::article::{
    Actor, ArticleSummary, DocumentEntry, DocumentRecord, FollowUp, QuestionKey, RegisterReport,
    Review, ReviewPolicy, ReviewStatus, Slug, TokenId, TokenInfo, User, UserId, Version, VersionNo,
};
use evident_core::audit::AuditEntry;
use evident_core::question::PatientFact;

pub use error::{Result, StoreError};
pub use sql::{Backend, SqlStore};

/// Who causes a change, as the audit trail names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// Evident itself, or the operator at the command line of the host.
    System,
    /// Someone without a token (public asking).
    Anonymous,
    User(Actor),
}

impl Who {
    /// `system`, `anonymous` or `user:ID:NAME`.
    pub fn audit_name(&self) -> String {
        match self {
            Who::System => "system".into(),
            Who::Anonymous => "anonymous".into(),
            Who::User(a) => format!("user:{}:{}", a.id, a.name),
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Who::User(a) => Some(a.id),
            _ => None,
        }
    }
}

/// A new article: the question, what reuse compares, and the composed answer.
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub question: String,
    pub key: QuestionKey,
    pub audience: Audience,
    pub answer: Answer,
    pub corpus_version: String,
    /// The question's embedding, for near-duplicate reuse (absent without a model).
    pub embedding: Option<Vec<f32>>,
}

/// An approved article that may answer a new question: what the engine compares.
#[derive(Debug, Clone)]
pub struct ReuseCandidate {
    pub article: ArticleSummary,
    pub normalized: String,
    pub embedding: Option<Vec<f32>>,
}

/// A token just issued: the secret is shown once and never stored.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: TokenId,
    pub secret: String,
}

/// How long a sign-in session lasts: it ends after `idle_ms` without use, and
/// `absolute_ms` after sign-in whatever the use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

/// Which articles to list.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub status: Option<ReviewStatus>,
    /// Rejected articles are withdrawn: listed only when this is set (reviewers, the
    /// operator's CLI).
    pub include_rejected: bool,
    /// Words that must all occur in the question (case-insensitive).
    pub text: Option<String>,
    pub limit: Option<u32>,
}

/// The store of articles, reviews, threads, users, tokens and audit rows. Every change is
/// atomic with its audit row; review changes follow `evident_core::article`'s rules.
#[async_trait]
pub trait Repository: Send + Sync {
    // Users and tokens.
    async fn add_user(
        &self,
        by: &Who,
        name: &str,
        role: evident_core::article::Role,
    ) -> Result<(User, IssuedToken)>;
    async fn users(&self) -> Result<Vec<User>>;
    async fn issue_token(&self, by: &Who, user: &str) -> Result<IssuedToken>;
    async fn tokens(&self, user: &str) -> Result<Vec<TokenInfo>>;
    async fn revoke_token(&self, by: &Who, token: TokenId) -> Result<()>;
    /// The user a token belongs to. A failure is audited (with a fingerprint of the token,
    /// never the token).
    async fn authenticate(&self, secret: &str) -> Result<Actor>;
    /// Audits an authorization failure that happened outside the rules (a route a role may
    /// not use).
    async fn record_denied(&self, who: &Who, object: &str, what: &str) -> Result<()>;
    /// The user an active token belongs to, without auditing a failure: the caller counts
    /// failures and audits them with [`Repository::record_auth_failures`].
    async fn lookup_token(&self, secret: &str) -> Result<Option<Actor>>;
    /// One `authentication_failed` row about `source` (e.g. `client:ADDRESS`).
    async fn record_auth_failures(&self, source: &str, note: &str) -> Result<()>;

    // Sign-in sessions.
    /// A new session for an active token: its user and the session id (shown once, stored
    /// only as SHA-256); `None` for an unknown or revoked token (not audited here).
    async fn create_session(
        &self,
        token: &str,
        policy: SessionPolicy,
    ) -> Result<Option<(Actor, String)>>;
    /// The user of a live session; `None` when it is unknown, expired (idle or absolute)
    /// or its token was revoked.
    async fn session(&self, id: &str, policy: SessionPolicy) -> Result<Option<Actor>>;
    /// Ends a session (sign-out).
    async fn end_session(&self, id: &str) -> Result<()>;

    // Articles.
    async fn create_article(&self, by: &Who, new: NewArticle) -> Result<ArticleSummary>;
    async fn article(&self, slug: &Slug) -> Result<Option<ArticleSummary>>;
    async fn version(&self, slug: &Slug, n: VersionNo) -> Result<Option<Version>>;
    async fn versions(&self, slug: &Slug) -> Result<Vec<Version>>;
    async fn articles(&self, filter: &ArticleFilter) -> Result<Vec<ArticleSummary>>;
    /// Approved articles for this audience whose patient facts match `key.facts` (never a
    /// rejected one).
    async fn reuse_candidates(
        &self,
        key: &QuestionKey,
        audience: Audience,
    ) -> Result<Vec<ReuseCandidate>>;
    /// An explicit review transition by `actor`, who saw `seen_version` (required to
    /// approve; other moves concern the latest when it is `None`).
    async fn transition(
        &self,
        slug: &Slug,
        actor: &Actor,
        to: ReviewStatus,
        seen_version: Option<VersionNo>,
        note: Option<&str>,
        policy: ReviewPolicy,
    ) -> Result<ArticleSummary>;
    /// A new answer version written by `actor` on top of `base_version`.
    async fn propose_version(
        &self,
        slug: &Slug,
        actor: &Actor,
        base_version: VersionNo,
        answer: Answer,
        corpus_version: &str,
        note: Option<&str>,
    ) -> Result<ArticleSummary>;
    async fn reviews(&self, slug: &Slug) -> Result<Vec<Review>>;
    async fn add_follow_up(
        &self,
        slug: &Slug,
        by: &Who,
        question: &str,
        facts: Vec<PatientFact>,
        answer: Answer,
    ) -> Result<FollowUp>;
    async fn follow_ups(&self, slug: &Slug) -> Result<Vec<FollowUp>>;
    /// Up to `limit` follow-ups of the thread after the first `skip`, and the thread's length.
    async fn follow_up_page(
        &self,
        slug: &Slug,
        skip: usize,
        limit: usize,
    ) -> Result<(Vec<FollowUp>, usize)>;

    // Corpus documents under review (the starter knowledge base).
    /// Registers `docs` in one transaction: an unknown document enters review as Submitted
    /// (`document_registered`); a known one whose content hash changed goes back to
    /// Submitted with its approval cleared (`document_changed`); an unchanged one is left
    /// alone, so registering the same set again writes nothing.
    async fn register_documents(&self, by: &Who, docs: &[DocumentEntry]) -> Result<RegisterReport>;
    /// Registered documents in id order, only those in `status` when given.
    async fn documents(&self, status: Option<ReviewStatus>) -> Result<Vec<DocumentRecord>>;
    async fn document(&self, doc_id: &str) -> Result<Option<DocumentRecord>>;
    /// An explicit review transition of a document by `actor`, decided by the articles'
    /// rules (the document is one version written by Evident).
    async fn transition_document(
        &self,
        doc_id: &str,
        actor: &Actor,
        to: ReviewStatus,
        note: Option<&str>,
        policy: ReviewPolicy,
    ) -> Result<DocumentRecord>;

    // Audit.
    /// Audit rows in order; only those about `object` when given.
    async fn audit_trail(&self, object: Option<&str>) -> Result<Vec<AuditEntry>>;
    /// Checks the whole chain; returns how many rows verified.
    async fn verify_audit(&self) -> Result<u64>;
}
