//! [`Repository`] for [`SqlStore`]: each method is implemented beside its tables (`articles`, `documents`, `users`, `audit`).

use async_trait::async_trait;
use evident_core::answer::{Answer, Audience};
use evident_core::article::{
    Actor, ArticleSummary, DocumentEntry, DocumentRecord, FollowUp, QuestionKey, RegisterReport,
    Review, ReviewPolicy, ReviewStatus, Role, Slug, TokenId, TokenInfo, User, Version, VersionNo,
};
use evident_core::audit::AuditEntry;
use evident_core::question::PatientFact;

use crate::{
    ArticleFilter, IssuedToken, NewArticle, Repository, Result, ReuseCandidate, SessionPolicy,
    SqlStore, Who,
};

#[async_trait]
impl Repository for SqlStore {
    async fn add_user(&self, by: &Who, name: &str, role: Role) -> Result<(User, IssuedToken)> {
        self.add_user_impl(by, name, role).await
    }
    async fn users(&self) -> Result<Vec<User>> {
        self.users_impl().await
    }
    async fn issue_token(&self, by: &Who, user: &str) -> Result<IssuedToken> {
        self.issue_token_impl(by, user).await
    }
    async fn tokens(&self, user: &str) -> Result<Vec<TokenInfo>> {
        self.tokens_impl(user).await
    }
    async fn revoke_token(&self, by: &Who, token: TokenId) -> Result<()> {
        self.revoke_token_impl(by, token).await
    }
    async fn authenticate(&self, secret: &str) -> Result<Actor> {
        self.authenticate_impl(secret).await
    }
    async fn record_denied(&self, who: &Who, object: &str, what: &str) -> Result<()> {
        self.record_denied_impl(who, object, what).await
    }
    async fn lookup_token(&self, secret: &str) -> Result<Option<Actor>> {
        Ok(self
            .lookup_token_impl(secret)
            .await?
            .map(|(actor, _)| actor))
    }
    async fn record_auth_failures(&self, source: &str, note: &str) -> Result<()> {
        self.record_auth_failures_impl(source, note).await
    }
    async fn create_session(
        &self,
        token: &str,
        policy: SessionPolicy,
    ) -> Result<Option<(Actor, String)>> {
        self.create_session_impl(token, policy).await
    }
    async fn session(&self, id: &str, policy: SessionPolicy) -> Result<Option<Actor>> {
        self.session_impl(id, policy).await
    }
    async fn end_session(&self, id: &str) -> Result<()> {
        self.end_session_impl(id).await
    }
    async fn create_article(&self, by: &Who, new: NewArticle) -> Result<ArticleSummary> {
        self.create_article_impl(by, new).await
    }
    async fn article(&self, slug: &Slug) -> Result<Option<ArticleSummary>> {
        self.article_impl(slug).await
    }
    async fn version(&self, slug: &Slug, n: VersionNo) -> Result<Option<Version>> {
        self.version_impl(slug, n).await
    }
    async fn versions(&self, slug: &Slug) -> Result<Vec<Version>> {
        self.versions_impl(slug).await
    }
    async fn articles(&self, filter: &ArticleFilter) -> Result<Vec<ArticleSummary>> {
        self.articles_impl(filter).await
    }
    async fn reuse_candidates(
        &self,
        key: &QuestionKey,
        audience: Audience,
    ) -> Result<Vec<ReuseCandidate>> {
        self.reuse_candidates_impl(key, audience).await
    }
    async fn transition(
        &self,
        slug: &Slug,
        actor: &Actor,
        to: ReviewStatus,
        seen_version: Option<VersionNo>,
        note: Option<&str>,
        policy: ReviewPolicy,
    ) -> Result<ArticleSummary> {
        self.transition_impl(slug, actor, to, seen_version, note, policy)
            .await
    }
    async fn propose_version(
        &self,
        slug: &Slug,
        actor: &Actor,
        base_version: VersionNo,
        answer: Answer,
        corpus_version: &str,
        note: Option<&str>,
    ) -> Result<ArticleSummary> {
        self.propose_version_impl(slug, actor, base_version, answer, corpus_version, note)
            .await
    }
    async fn reviews(&self, slug: &Slug) -> Result<Vec<Review>> {
        self.reviews_impl(slug).await
    }
    async fn add_follow_up(
        &self,
        slug: &Slug,
        by: &Who,
        question: &str,
        facts: Vec<PatientFact>,
        answer: Answer,
    ) -> Result<FollowUp> {
        self.add_follow_up_impl(slug, by, question, facts, answer)
            .await
    }
    async fn follow_ups(&self, slug: &Slug) -> Result<Vec<FollowUp>> {
        self.follow_ups_impl(slug).await
    }
    async fn follow_up_page(
        &self,
        slug: &Slug,
        skip: usize,
        limit: usize,
    ) -> Result<(Vec<FollowUp>, usize)> {
        self.follow_up_page_impl(slug, skip, limit).await
    }
    async fn register_documents(&self, by: &Who, docs: &[DocumentEntry]) -> Result<RegisterReport> {
        self.register_documents_impl(by, docs).await
    }
    async fn documents(&self, status: Option<ReviewStatus>) -> Result<Vec<DocumentRecord>> {
        self.documents_impl(status).await
    }
    async fn document(&self, doc_id: &str) -> Result<Option<DocumentRecord>> {
        self.document_impl(doc_id).await
    }
    async fn transition_document(
        &self,
        doc_id: &str,
        actor: &Actor,
        to: ReviewStatus,
        note: Option<&str>,
        policy: ReviewPolicy,
    ) -> Result<DocumentRecord> {
        self.transition_document_impl(doc_id, actor, to, note, policy)
            .await
    }
    async fn audit_trail(&self, object: Option<&str>) -> Result<Vec<AuditEntry>> {
        self.audit_trail_impl(object).await
    }
    async fn verify_audit(&self) -> Result<u64> {
        self.verify_audit_impl().await
    }
}
