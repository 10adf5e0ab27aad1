//! Corpus documents under review (the starter knowledge base): registering them as Submitted, resetting a changed one, and their review transitions, each written with its audit row in one transaction.

use std::collections::{HashMap, HashSet};

use evident_core::article::{
    Actor, DocumentEntry, DocumentRecord, RegisterReport, ReviewPolicy, ReviewStatus, UserId,
    VersionNo, decide_transition,
};
use evident_core::audit::AuditAction;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row, Transaction};

use crate::Who;
use crate::error::{Result, StoreError, check_text};
use crate::sql::{AuditRow, SqlStore, guarded, parsed};

const COLUMNS: &str = "doc_id, title, source, sha256, status, approved_by, approved_ms, \
    revision, created_ms, updated_ms";

fn record(row: &AnyRow) -> Result<DocumentRecord> {
    Ok(DocumentRecord {
        doc_id: row.try_get("doc_id")?,
        title: row.try_get("title")?,
        source: row.try_get("source")?,
        sha256: row.try_get("sha256")?,
        status: parsed(row, "status")?,
        approved_by: row.try_get::<Option<i64>, _>("approved_by")?.map(UserId),
        approved_at_ms: row.try_get("approved_ms")?,
        revision: row.try_get("revision")?,
        created_at_ms: row.try_get("created_ms")?,
        updated_at_ms: row.try_get("updated_ms")?,
    })
}

/// The first 12 hex digits of a content hash, as audit rows name a version.
fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

async fn all<'e, E: Executor<'e, Database = Any>>(executor: E) -> Result<Vec<DocumentRecord>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM documents ORDER BY doc_id"
    )))
    .fetch_all(executor)
    .await?
    .iter()
    .map(record)
    .collect()
}

async fn load(tx: &mut Transaction<'static, Any>, doc_id: &str) -> Result<DocumentRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM documents WHERE doc_id = $1"
    )))
    .bind(doc_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("document '{doc_id}'")))?;
    record(&row)
}

/// What registering `docs` would do given what is stored: the new entries and the changed ones.
fn plan<'a>(
    docs: &'a [DocumentEntry],
    known: &[DocumentRecord],
) -> (
    Vec<&'a DocumentEntry>,
    Vec<(&'a DocumentEntry, DocumentRecord)>,
    usize,
) {
    let known: HashMap<&str, &DocumentRecord> =
        known.iter().map(|d| (d.doc_id.as_str(), d)).collect();
    let (mut added, mut changed, mut unchanged) = (Vec::new(), Vec::new(), 0);
    for doc in docs {
        match known.get(doc.doc_id.as_str()) {
            None => added.push(doc),
            Some(old) if old.sha256 != doc.sha256 => changed.push((doc, (*old).clone())),
            Some(_) => unchanged += 1,
        }
    }
    (added, changed, unchanged)
}

fn check(docs: &[DocumentEntry]) -> Result<()> {
    let mut seen = HashSet::new();
    for doc in docs {
        if doc.doc_id.trim().is_empty() {
            return Err(StoreError::Invalid("a document has an empty id".into()));
        }
        if doc.sha256.len() != 64 || !doc.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(format!(
                "document '{}': '{}' is not a SHA-256 in hex",
                doc.doc_id, doc.sha256
            )));
        }
        if !seen.insert(doc.doc_id.as_str()) {
            return Err(StoreError::Invalid(format!(
                "document '{}' is listed twice",
                doc.doc_id
            )));
        }
    }
    Ok(())
}

impl SqlStore {
    pub(crate) async fn register_documents_impl(
        &self,
        by: &Who,
        docs: &[DocumentEntry],
    ) -> Result<RegisterReport> {
        check(docs)?;
        // Most calls change nothing (every `serve` start, every `review` command): decide
        // that without taking the writers' lock.
        let (added, changed, unchanged) = plan(docs, &all(&self.pool).await?);
        if added.is_empty() && changed.is_empty() {
            return Ok(RegisterReport {
                unchanged,
                ..Default::default()
            });
        }
        let (mut tx, mut chain) = self.begin_write().await?;
        // Under the lock, what another writer did since counts.
        let (added, changed, unchanged) = plan(docs, &all(&mut *tx).await?);
        if added.is_empty() && changed.is_empty() {
            tx.rollback().await?;
            return Ok(RegisterReport {
                unchanged,
                ..Default::default()
            });
        }
        let now = chain.now_ms;
        let submitted = ReviewStatus::Submitted.as_str();
        for doc in &added {
            sqlx::query(
                "INSERT INTO documents (doc_id, title, source, sha256, status, revision, \
                 created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
            )
            .bind(&doc.doc_id)
            .bind(&doc.title)
            .bind(&doc.source)
            .bind(&doc.sha256)
            .bind(submitted)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            chain
                .append(
                    &mut tx,
                    AuditRow {
                        who: by,
                        action: AuditAction::DocumentRegistered,
                        object: DocumentRecord::audit_object(&doc.doc_id),
                        before: None,
                        after: Some(format!("{submitted} sha256:{}", short(&doc.sha256))),
                        note: None,
                    },
                )
                .await?;
        }
        for (doc, old) in &changed {
            let updated = sqlx::query(
                "UPDATE documents SET title = $1, source = $2, sha256 = $3, status = $4, \
                 approved_by = NULL, approved_ms = NULL, revision = revision + 1, updated_ms = $5 \
                 WHERE doc_id = $6 AND revision = $7",
            )
            .bind(&doc.title)
            .bind(&doc.source)
            .bind(&doc.sha256)
            .bind(submitted)
            .bind(now)
            .bind(&doc.doc_id)
            .bind(old.revision)
            .execute(&mut *tx)
            .await?;
            guarded(&updated, || format!("document '{}'", doc.doc_id))?;
            chain
                .append(
                    &mut tx,
                    AuditRow {
                        who: by,
                        action: AuditAction::DocumentChanged,
                        object: DocumentRecord::audit_object(&doc.doc_id),
                        before: Some(format!("{} sha256:{}", old.status, short(&old.sha256))),
                        after: Some(format!("{submitted} sha256:{}", short(&doc.sha256))),
                        note: Some("the content changed: it needs review again"),
                    },
                )
                .await?;
        }
        chain.commit(tx).await?;
        Ok(RegisterReport {
            added: added.iter().map(|d| d.doc_id.clone()).collect(),
            changed: changed.iter().map(|(d, _)| d.doc_id.clone()).collect(),
            unchanged,
        })
    }

    pub(crate) async fn documents_impl(
        &self,
        status: Option<ReviewStatus>,
    ) -> Result<Vec<DocumentRecord>> {
        match status {
            None => all(&self.pool).await,
            Some(status) => sqlx::query(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM documents WHERE status = $1 ORDER BY doc_id"
            )))
            .bind(status.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(record)
            .collect(),
        }
    }

    pub(crate) async fn document_impl(&self, doc_id: &str) -> Result<Option<DocumentRecord>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM documents WHERE doc_id = $1"
        )))
        .bind(doc_id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(record)
        .transpose()
    }

    pub(crate) async fn transition_document_impl(
        &self,
        doc_id: &str,
        actor: &Actor,
        to: ReviewStatus,
        note: Option<&str>,
        policy: ReviewPolicy,
    ) -> Result<DocumentRecord> {
        check_text("the note", note.unwrap_or_default())?;
        let who = Who::User(actor.clone());
        let object = DocumentRecord::audit_object(doc_id);
        let (mut tx, mut chain) = self.begin_write().await?;
        let before = load(&mut tx, doc_id).await?;
        // A document has one version, its current content (a changed hash sends it back to
        // Submitted), so a decision is always about version 1.
        let seen = Some(VersionNo(1));
        let decision = match decide_transition(&before.state(), actor, to, seen, policy) {
            Ok(d) => d,
            Err(e) => {
                tx.rollback().await?;
                return Err(self.refused(&who, object, e).await);
            }
        };
        let approving = decision.status == ReviewStatus::Approved;
        let now = chain.now_ms;
        let updated = sqlx::query(
            "UPDATE documents SET status = $1, \
             approved_by = CASE WHEN $2 = 1 THEN $3 ELSE approved_by END, \
             approved_ms = CASE WHEN $2 = 1 THEN $4 ELSE approved_ms END, \
             revision = revision + 1, updated_ms = $4 WHERE doc_id = $5 AND revision = $6",
        )
        .bind(decision.status.as_str())
        .bind(i64::from(approving))
        .bind(actor.id.0)
        .bind(now)
        .bind(doc_id)
        .bind(before.revision)
        .execute(&mut *tx)
        .await?;
        guarded(&updated, || format!("document '{doc_id}'"))?;
        sqlx::query(
            "INSERT INTO document_reviews (doc_id, reviewer_id, sha256, from_status, decision, \
             note, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(doc_id)
        .bind(actor.id.0)
        .bind(&before.sha256)
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
                    object,
                    before: Some(before.status.as_str().into()),
                    after: Some(format!(
                        "{} sha256:{}",
                        decision.status,
                        short(&before.sha256)
                    )),
                    note,
                },
            )
            .await?;
        let after = load(&mut tx, doc_id).await?;
        chain.commit(tx).await?;
        Ok(after)
    }
}
