//! What the store returns about articles, users and tokens: plain data, with the answer kept whole and typed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{
    ArticleId, ArticleState, Author, ReviewStatus, Role, Slug, TokenId, UserId, VersionNo, Visible,
};
use crate::answer::{Answer, Audience};
use crate::question::PatientFact;

/// An article without its answers: what lists and the rules need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: ArticleId,
    pub slug: Slug,
    pub question: String,
    pub audience: Audience,
    pub status: ReviewStatus,
    pub latest_version: VersionNo,
    pub latest_author: Author,
    pub approved_version: Option<VersionNo>,
    pub approved_by: Option<UserId>,
    pub approved_at_ms: Option<i64>,
    pub created_at_ms: i64,
    /// "Last updated": the time of the latest change of any kind.
    pub updated_at_ms: i64,
    pub revision: i64,
}

impl ArticleSummary {
    /// What the review rules need, with everyone who wrote a version since the approved
    /// one (the store reads them from the versions in the same transaction).
    pub fn state(&self, authors_since_approval: Vec<UserId>) -> ArticleState {
        ArticleState {
            status: self.status,
            latest_version: self.latest_version,
            authors_since_approval,
            approved_version: self.approved_version,
            revision: self.revision,
        }
    }

    /// The version readers see, and whether it is pending review.
    pub fn visible(&self) -> Visible {
        self.state(Vec::new()).visible()
    }

    /// Whether someone with `role` (`None`: anonymous) may read the article at all: a
    /// rejected article is withdrawn from everyone but reviewers (pages and the API answer
    /// 404, searches and lists leave it out, and it answers no question).
    pub fn readable_by(&self, role: Option<Role>) -> bool {
        self.status != ReviewStatus::Rejected || role.is_some_and(Role::can_review)
    }
}

/// One answer version. Versions are never changed once written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub n: VersionNo,
    pub answer: Answer,
    /// The corpus version the answer was composed from (or edited against).
    pub corpus_version: String,
    pub author: Author,
    pub note: Option<String>,
    pub created_at_ms: i64,
}

/// Everyone who wrote one of `versions` after `approved` (every version, when none was
/// approved), each once: whom the four-eyes rule bars from approving. The store reads the
/// same from its versions table inside the approving transaction.
pub fn authors_since_approval(versions: &[Version], approved: Option<VersionNo>) -> Vec<UserId> {
    let mut out: Vec<UserId> = versions
        .iter()
        .filter(|v| approved.is_none_or(|a| v.n > a))
        .filter_map(|v| match v.author {
            Author::User(id) => Some(id),
            Author::System => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A review decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub reviewer: UserId,
    pub reviewer_name: String,
    /// The version the decision was about.
    pub version: VersionNo,
    pub from: ReviewStatus,
    pub decision: ReviewStatus,
    pub note: Option<String>,
    pub at_ms: i64,
}

/// A follow-up question in an article's thread, with its own answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// 1, 2, 3 ... within the article.
    pub n: i64,
    pub question: String,
    /// The thread's facts merged with this question's: what the answer was composed for.
    pub facts: Vec<PatientFact>,
    pub answer: Answer,
    pub asked_by: Option<UserId>,
    pub created_at_ms: i64,
}

/// A user of the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub created_at_ms: i64,
}

/// An API token as stored: never the secret, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: TokenId,
    pub user: UserId,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

/// The prefix every token secret starts with, so that a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "evd_";

/// The SHA-256 (hex) under which a token secret is stored.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// A token secret from random bytes: the prefix and 64 hex digits (256 bits).
pub fn token_secret(random: &[u8; 32]) -> String {
    format!("{TOKEN_PREFIX}{}", hex::encode(random))
}
