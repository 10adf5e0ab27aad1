//! The corpus documents under review (the starter knowledge base): what the store registers and returns. A document is written by Evident, not by a user, and has one version per content hash; its review follows the articles' rules through [`super::decide_transition`].

use serde::{Deserialize, Serialize};

use super::{ArticleState, ReviewStatus, UserId, VersionNo};

/// A document as the corpus holds it: what registering compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentEntry {
    /// The index's document id (`rectal-cancer-local-recurrence`), as answers cite it.
    pub doc_id: String,
    pub title: String,
    /// The organisations behind the guideline the document summarises.
    pub source: Option<String>,
    /// SHA-256 (hex) of the document's bytes: a new hash is a new version, reviewed anew.
    pub sha256: String,
}

/// A document and where it stands in review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub doc_id: String,
    pub title: String,
    pub source: Option<String>,
    pub sha256: String,
    pub status: ReviewStatus,
    /// Who approved the current content, and when; cleared when the content changes.
    pub approved_by: Option<UserId>,
    pub approved_at_ms: Option<i64>,
    /// Bumped by every change: the optimistic concurrency check.
    pub revision: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl DocumentRecord {
    /// What the review rules need: one version (the current content), written by Evident.
    pub fn state(&self) -> ArticleState {
        ArticleState {
            status: self.status,
            latest_version: VersionNo(1),
            authors_since_approval: Vec::new(),
            approved_version: self.approved_at_ms.map(|_| VersionNo(1)),
            revision: self.revision,
        }
    }

    /// The audit trail's name for the document: `document:DOC_ID`.
    pub fn audit_object(doc_id: &str) -> String {
        format!("document:{doc_id}")
    }
}

/// What registering a set of documents did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterReport {
    /// Documents seen for the first time, now Submitted.
    pub added: Vec<String>,
    /// Known documents whose content changed, back to Submitted.
    pub changed: Vec<String>,
    /// Known documents with the same content, left as they were.
    pub unchanged: usize,
}

impl RegisterReport {
    /// True when registering wrote nothing.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty()
    }
}
