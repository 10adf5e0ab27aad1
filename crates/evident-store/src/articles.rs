//! Articles, their versions, review decisions and follow-up threads: each change checked by the core rules and written with its audit row in one transaction.

use evident_core::answer::{Answer, Audience};
use evident_core::article::{
    Actor, ArticleId, ArticleSummary, Author, FollowUp, QuestionKey, Review, ReviewPolicy,
    ReviewStatus, RuleError, Slug, UserId, Version, VersionNo, decide_edit, decide_transition,
};
use evident_core::audit::AuditAction;
use evident_core::input::MAX_FOLLOW_UPS;
use evident_core::question::PatientFact;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};

use crate::error::{Result, StoreError, check_text};
use crate::sql::{
    AuditRow, SqlStore, embedding_bytes, embedding_from, guarded, json, parsed, to_json,
};
use crate::{ArticleFilter, NewArticle, ReuseCandidate, Who};

/// The columns of an [`ArticleSummary`] (the latest version's author included) ...
const COLUMNS: &str = "a.id, a.slug, a.question, a.audience, a.status, a.latest_version, \
    a.approved_version, a.approved_by, a.approved_ms, a.created_ms, a.updated_ms, a.revision, \
    v.author_id";
/// ... and where they come from.
const FROM: &str =
    " FROM articles a JOIN versions v ON v.article_id = a.id AND v.n = a.latest_version";

fn summary(row: &AnyRow) -> Result<ArticleSummary> {
    let slug: String = row.try_get("slug")?;
    Ok(ArticleSummary {
        id: ArticleId(row.try_get("id")?),
        slug: slug.parse().map_err(StoreError::Corrupt)?,
        question: row.try_get("question")?,
        audience: parsed(row, "audience")?,
        status: parsed(row, "status")?,
        latest_version: VersionNo(row.try_get("latest_version")?),
        latest_author: author(row.try_get("author_id")?),
        approved_version: row
            .try_get::<Option<i64>, _>("approved_version")?
            .map(VersionNo),
        approved_by: row.try_get::<Option<i64>, _>("approved_by")?.map(UserId),
        approved_at_ms: row.try_get("approved_ms")?,
        created_at_ms: row.try_get("created_ms")?,
        updated_at_ms: row.try_get("updated_ms")?,
        revision: row.try_get("revision")?,
    })
}

fn author(id: Option<i64>) -> Author {
    id.map_or(Author::System, |id| Author::User(UserId(id)))
}

fn version(row: &AnyRow) -> Result<Version> {
    Ok(Version {
        n: VersionNo(row.try_get("n")?),
        answer: json(row, "answer")?,
        corpus_version: row.try_get("corpus_version")?,
        author: author(row.try_get("author_id")?),
        note: row.try_get("note")?,
        created_at_ms: row.try_get("created_ms")?,
    })
}

async fn load(tx: &mut Transaction<'static, Any>, slug: &Slug) -> Result<ArticleSummary> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS}{FROM} WHERE a.slug = $1"
    )))
    .bind(slug.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("article '{slug}'")))?;
    summary(&row)
}

/// Everyone who wrote a version of `article` after its approved one (every version, when
/// none was approved): the four-eyes rule bars them all from approving.
async fn authors_since_approval(
    tx: &mut Transaction<'static, Any>,
    article: &ArticleSummary,
) -> Result<Vec<UserId>> {
    sqlx::query(
        "SELECT DISTINCT author_id FROM versions \
         WHERE article_id = $1 AND n > $2 AND author_id IS NOT NULL ORDER BY author_id",
    )
    .bind(article.id.0)
    .bind(article.approved_version.map_or(0, |v| v.0))
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| Ok(UserId(r.try_get("author_id")?)))
    .collect()
}

/// A slug not yet taken: the question's, or it with `-2`, `-3` ...
async fn free_slug(tx: &mut Transaction<'static, Any>, base: &Slug) -> Result<Slug> {
    let taken: Vec<String> =
        sqlx::query("SELECT slug FROM articles WHERE slug = $1 OR slug LIKE $2")
            .bind(base.as_str())
            .bind(format!("{base}-%"))
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get("slug"))
            .collect::<Result<_, _>>()?;
    let mut slug = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t == slug.as_str()) {
        slug = base.numbered(n);
        n += 1;
    }
    Ok(slug)
}

impl SqlStore {
    /// Audits a refusal by the rules when it is an authorization failure (a role that may
    /// not, or four-eyes) on `object` (`article:SLUG`, `document:ID`); passes the refusal on.
    pub(crate) async fn refused(&self, who: &Who, object: String, err: RuleError) -> StoreError {
        let denied = match &err {
            RuleError::Forbidden { action, .. } => Some(format!("may not {action}")),
            RuleError::OwnVersion { .. } => Some("approve a version they wrote (four-eyes)".into()),
            _ => None,
        };
        if let Some(what) = denied
            && let Err(audit) = self
                .audit_alone(AuditRow {
                    who,
                    action: AuditAction::AuthorizationFailed,
                    object,
                    before: None,
                    after: None,
                    note: Some(&what),
                })
                .await
        {
            return audit;
        }
        StoreError::Rule(err)
    }

    pub(crate) async fn create_article_impl(
        &self,
        by: &Who,
        new: NewArticle,
    ) -> Result<ArticleSummary> {
        if new.question.trim().is_empty() {
            return Err(StoreError::Invalid("the question is empty".into()));
        }
        check_text("the question", &new.question)?;
        let answer = to_json(&new.answer)?;
        let (mut tx, mut chain) = self.begin_write().await?;
        let slug = free_slug(&mut tx, &Slug::from_question(&new.question)).await?;
        let now = chain.now_ms;
        let id: i64 = sqlx::query(
            "INSERT INTO articles (slug, question, normalized, facts_key, audience, status, \
             latest_version, revision, embedding, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7, $8, $8) RETURNING id",
        )
        .bind(slug.as_str())
        .bind(new.question.trim())
        .bind(&new.key.normalized)
        .bind(&new.key.facts)
        .bind(new.audience.as_str())
        .bind(ReviewStatus::Submitted.as_str())
        .bind(new.embedding.as_deref().map(embedding_bytes))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        sqlx::query(
            "INSERT INTO versions (article_id, n, answer, corpus_version, author_id, note, created_ms) \
             VALUES ($1, 1, $2, $3, NULL, NULL, $4)",
        )
        .bind(id)
        .bind(&answer)
        .bind(&new.corpus_version)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        chain
            .append(
                &mut tx,
                AuditRow {
                    who: by,
                    action: AuditAction::ArticleCreated,
                    object: slug.audit_object(),
                    before: None,
                    after: Some(ReviewStatus::Submitted.as_str().into()),
                    note: None,
                },
            )
            .await?;
        let created = load(&mut tx, &slug).await?;
        chain.commit(tx).await?;
        Ok(created)
    }

    pub(crate) async fn article_impl(&self, slug: &Slug) -> Result<Option<ArticleSummary>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS}{FROM} WHERE a.slug = $1"
        )))
        .bind(slug.as_str())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(summary)
        .transpose()
    }

    pub(crate) async fn version_impl(&self, slug: &Slug, n: VersionNo) -> Result<Option<Version>> {
        sqlx::query(
            "SELECT v.n, v.answer, v.corpus_version, v.author_id, v.note, v.created_ms \
             FROM versions v JOIN articles a ON a.id = v.article_id WHERE a.slug = $1 AND v.n = $2",
        )
        .bind(slug.as_str())
        .bind(n.0)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(version)
        .transpose()
    }

    pub(crate) async fn versions_impl(&self, slug: &Slug) -> Result<Vec<Version>> {
        sqlx::query(
            "SELECT v.n, v.answer, v.corpus_version, v.author_id, v.note, v.created_ms \
             FROM versions v JOIN articles a ON a.id = v.article_id WHERE a.slug = $1 ORDER BY v.n",
        )
        .bind(slug.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(version)
        .collect()
    }

    pub(crate) async fn articles_impl(
        &self,
        filter: &ArticleFilter,
    ) -> Result<Vec<ArticleSummary>> {
        let mut sql = format!("SELECT {COLUMNS}{FROM} WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if !filter.include_rejected {
            binds.push(ReviewStatus::Rejected.as_str().to_string());
            sql.push_str(&format!(" AND a.status <> ${}", binds.len()));
        }
        if let Some(status) = filter.status {
            binds.push(status.as_str().to_string());
            sql.push_str(&format!(" AND a.status = ${}", binds.len()));
        }
        // Capped in words and length (a thousand LIKE terms are too large an expression).
        let words = match &filter.text {
            Some(t) => evident_core::input::search_words(t)
                .map_err(|e| StoreError::Invalid(e.to_string()))?,
            None => Vec::new(),
        };
        for word in words {
            let escaped = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            binds.push(format!("%{escaped}%"));
            sql.push_str(&format!(
                " AND lower(a.question) LIKE ${} ESCAPE '\\'",
                binds.len()
            ));
        }
        sql.push_str(&format!(
            " ORDER BY a.updated_ms DESC, a.id DESC LIMIT {}",
            filter.limit.unwrap_or(100).min(1000)
        ));
        // Built from constants and numbered placeholders only; the words are bound.
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for b in &binds {
            query = query.bind(b);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(summary)
            .collect()
    }

    pub(crate) async fn reuse_candidates_impl(
        &self,
        key: &QuestionKey,
        audience: Audience,
    ) -> Result<Vec<ReuseCandidate>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS}, a.normalized, a.embedding{FROM} WHERE a.facts_key = $1 \
             AND a.audience = $2 AND a.approved_version IS NOT NULL AND a.status <> $3 ORDER BY a.id"
        )))
        .bind(&key.facts)
        .bind(audience.as_str())
        .bind(ReviewStatus::Rejected.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(ReuseCandidate {
                article: summary(row)?,
                normalized: row.try_get("normalized")?,
                embedding: row
                    .try_get::<Option<Vec<u8>>, _>("embedding")?
                    .map(|b| embedding_from(&b)),
            })
        })
        .collect()
    }

    pub(crate) async fn transition_impl(
        &self,
        slug: &Slug,
        actor: &Actor,
        to: ReviewStatus,
        seen_version: Option<VersionNo>,
        note: Option<&str>,
        policy: ReviewPolicy,
    ) -> Result<ArticleSummary> {
        check_text("the note", note.unwrap_or_default())?;
        let who = Who::User(actor.clone());
        let (mut tx, mut chain) = self.begin_write().await?;
        let before = load(&mut tx, slug).await?;
        let authors = authors_since_approval(&mut tx, &before).await?;
        let decision =
            match decide_transition(&before.state(authors), actor, to, seen_version, policy) {
                Ok(d) => d,
                Err(e) => {
                    tx.rollback().await?;
                    return Err(self.refused(&who, slug.audit_object(), e).await);
                }
            };
        let approving = decision.status == ReviewStatus::Approved;
        let now = chain.now_ms;
        let updated = sqlx::query(
            "UPDATE articles SET status = $1, approved_version = $2, \
             approved_by = CASE WHEN $3 = 1 THEN $4 ELSE approved_by END, \
             approved_ms = CASE WHEN $3 = 1 THEN $5 ELSE approved_ms END, \
             revision = revision + 1, updated_ms = $5 WHERE id = $6 AND revision = $7",
        )
        .bind(decision.status.as_str())
        .bind(decision.approved_version.map(|v| v.0))
        .bind(i64::from(approving))
        .bind(actor.id.0)
        .bind(now)
        .bind(before.id.0)
        .bind(before.revision)
        .execute(&mut *tx)
        .await?;
        guarded(&updated, || format!("article '{slug}'"))?;
        sqlx::query(
            "INSERT INTO reviews (article_id, reviewer_id, version, from_status, decision, note, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(before.id.0)
        .bind(actor.id.0)
        .bind(before.latest_version.0)
        .bind(before.status.as_str())
        .bind(decision.status.as_str())
        .bind(note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        chain
            .append(
                &mut tx,
                AuditRow {
                    who: &who,
                    action: AuditAction::StatusChanged,
                    object: slug.audit_object(),
                    before: Some(before.status.as_str().into()),
                    after: Some(format!("{} v{}", decision.status, before.latest_version)),
                    note,
                },
            )
            .await?;
        let after = load(&mut tx, slug).await?;
        chain.commit(tx).await?;
        Ok(after)
    }

    pub(crate) async fn propose_version_impl(
        &self,
        slug: &Slug,
        actor: &Actor,
        base_version: VersionNo,
        answer: Answer,
        corpus_version: &str,
        note: Option<&str>,
    ) -> Result<ArticleSummary> {
        check_text("the note", note.unwrap_or_default())?;
        let who = Who::User(actor.clone());
        let answer = to_json(&answer)?;
        let (mut tx, mut chain) = self.begin_write().await?;
        let before = load(&mut tx, slug).await?;
        let decision = match decide_edit(&before.state(Vec::new()), actor, base_version) {
            Ok(d) => d,
            Err(e) => {
                tx.rollback().await?;
                return Err(self.refused(&who, slug.audit_object(), e).await);
            }
        };
        let now = chain.now_ms;
        let n = before.latest_version.0 + 1;
        let updated = sqlx::query(
            "UPDATE articles SET status = $1, latest_version = $2, revision = revision + 1, \
             updated_ms = $3 WHERE id = $4 AND revision = $5",
        )
        .bind(decision.status.as_str())
        .bind(n)
        .bind(now)
        .bind(before.id.0)
        .bind(before.revision)
        .execute(&mut *tx)
        .await?;
        guarded(&updated, || format!("article '{slug}'"))?;
        sqlx::query(
            "INSERT INTO versions (article_id, n, answer, corpus_version, author_id, note, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(before.id.0)
        .bind(n)
        .bind(&answer)
        .bind(corpus_version)
        .bind(actor.id.0)
        .bind(note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        chain
            .append(
                &mut tx,
                AuditRow {
                    who: &who,
                    action: AuditAction::VersionProposed,
                    object: slug.audit_object(),
                    before: Some(format!("v{}", before.latest_version)),
                    after: Some(format!("v{n}")),
                    note,
                },
            )
            .await?;
        if decision.status != before.status {
            chain
                .append(
                    &mut tx,
                    AuditRow {
                        who: &who,
                        action: AuditAction::StatusChanged,
                        object: slug.audit_object(),
                        before: Some(before.status.as_str().into()),
                        after: Some(format!("{} v{n}", decision.status)),
                        note: Some("new version proposed"),
                    },
                )
                .await?;
        }
        let after = load(&mut tx, slug).await?;
        chain.commit(tx).await?;
        Ok(after)
    }

    pub(crate) async fn reviews_impl(&self, slug: &Slug) -> Result<Vec<Review>> {
        sqlx::query(
            "SELECT r.reviewer_id, u.name, r.version, r.from_status, r.decision, r.note, r.created_ms \
             FROM reviews r JOIN articles a ON a.id = r.article_id JOIN users u ON u.id = r.reviewer_id \
             WHERE a.slug = $1 ORDER BY r.id",
        )
        .bind(slug.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(Review {
                reviewer: UserId(row.try_get("reviewer_id")?),
                reviewer_name: row.try_get("name")?,
                version: VersionNo(row.try_get("version")?),
                from: parsed(row, "from_status")?,
                decision: parsed(row, "decision")?,
                note: row.try_get("note")?,
                at_ms: row.try_get("created_ms")?,
            })
        })
        .collect()
    }

    pub(crate) async fn add_follow_up_impl(
        &self,
        slug: &Slug,
        by: &Who,
        question: &str,
        facts: Vec<PatientFact>,
        answer: Answer,
    ) -> Result<FollowUp> {
        if question.trim().is_empty() {
            return Err(StoreError::Invalid(
                "the follow-up question is empty".into(),
            ));
        }
        check_text("the follow-up question", question)?;
        let facts_json = to_json(&facts)?;
        let answer_json = to_json(&answer)?;
        let (mut tx, mut chain) = self.begin_write().await?;
        let article = load(&mut tx, slug).await?;
        let n: i64 = sqlx::query(
            "SELECT COALESCE(MAX(n), 0) + 1 AS n FROM follow_ups WHERE article_id = $1",
        )
        .bind(article.id.0)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if n > MAX_FOLLOW_UPS {
            tx.rollback().await?;
            return Err(StoreError::Invalid(format!(
                "this article's thread is full ({MAX_FOLLOW_UPS} follow-up questions): ask a new question instead"
            )));
        }
        let now = chain.now_ms;
        sqlx::query(
            "INSERT INTO follow_ups (article_id, n, question, facts, answer, asked_by, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(article.id.0)
        .bind(n)
        .bind(question.trim())
        .bind(&facts_json)
        .bind(&answer_json)
        .bind(by.user_id().map(|u| u.0))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE articles SET updated_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(article.id.0)
            .execute(&mut *tx)
            .await?;
        chain
            .append(
                &mut tx,
                AuditRow {
                    who: by,
                    action: AuditAction::FollowUpAdded,
                    object: slug.audit_object(),
                    before: None,
                    after: Some(format!("follow-up {n}")),
                    note: None,
                },
            )
            .await?;
        chain.commit(tx).await?;
        Ok(FollowUp {
            n,
            question: question.trim().to_string(),
            facts,
            answer,
            asked_by: by.user_id(),
            created_at_ms: now,
        })
    }

    pub(crate) async fn follow_ups_impl(&self, slug: &Slug) -> Result<Vec<FollowUp>> {
        self.thread(slug, "").await
    }

    /// Up to `limit` follow-ups of the thread after the first `skip`, and how many it has.
    pub(crate) async fn follow_up_page_impl(
        &self,
        slug: &Slug,
        skip: usize,
        limit: usize,
    ) -> Result<(Vec<FollowUp>, usize)> {
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM follow_ups f JOIN articles a ON a.id = f.article_id \
             WHERE a.slug = $1",
        )
        .bind(slug.as_str())
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let window = format!(" LIMIT {} OFFSET {}", limit.min(1000), skip.min(1 << 30));
        let page = self.thread(slug, &window).await?;
        Ok((page, usize::try_from(total).unwrap_or_default()))
    }

    /// The thread of `slug` in order, `window` (a `LIMIT`/`OFFSET` of numbers) applied.
    async fn thread(&self, slug: &Slug, window: &str) -> Result<Vec<FollowUp>> {
        // Built from constants and numbers only; the slug is bound.
        sqlx::query(AssertSqlSafe(format!(
            "SELECT f.n, f.question, f.facts, f.answer, f.asked_by, f.created_ms FROM follow_ups f \
             JOIN articles a ON a.id = f.article_id WHERE a.slug = $1 ORDER BY f.n{window}"
        )))
        .bind(slug.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(FollowUp {
                n: row.try_get("n")?,
                question: row.try_get("question")?,
                facts: json(row, "facts")?,
                answer: json(row, "answer")?,
                asked_by: row.try_get::<Option<i64>, _>("asked_by")?.map(UserId),
                created_at_ms: row.try_get("created_ms")?,
            })
        })
        .collect()
    }
}
