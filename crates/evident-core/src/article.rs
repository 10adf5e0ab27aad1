//! Articles and their Medical Advisory Board review: ids, slugs, roles, review statuses and the rules that decide which transitions and edits are allowed, and by whom.
//!
//! Pure: the store loads an [`ArticleState`], asks [`decide_transition`] or [`decide_edit`]
//! what the change would be, and writes it (with its audit row) only if the state it read
//! is still current (optimistic check on `revision`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod documents;
mod edited;
mod records;
mod reuse;
mod slug;
#[cfg(test)]
mod tests;

pub use documents::{DocumentEntry, DocumentRecord, RegisterReport};
pub use edited::{
    CorpusPassage, EditLimits, QuoteProblem, QuoteTrouble, check_edited_answer, check_edited_size,
    check_quotes, quoted_ids,
};
pub use records::{
    ArticleSummary, FollowUp, Review, TOKEN_PREFIX, TokenInfo, User, Version,
    authors_since_approval, token_hash, token_secret,
};
pub use reuse::{QuestionKey, fact_signature, merge_facts, normalize_question};
pub use slug::Slug;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// The database id of an article.
    ArticleId
);
id_type!(
    /// The database id of a user.
    UserId
);
id_type!(
    /// The database id of an API token (not the secret).
    TokenId
);
id_type!(
    /// The number of an answer version within its article: 1, 2, 3 ...
    VersionNo
);

/// What a user may do. Ordered: each role may do what the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Asks questions, reads articles, asks follow-ups.
    Reader,
    /// A member of the Medical Advisory Board: reviews and edits articles.
    Reviewer,
    /// Reviews and edits, like a reviewer.
    Editor,
    /// Everything, plus user and token administration.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Reviewer, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Reviewer => "reviewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Reviewers, editors and admins review (transitions) and propose versions.
    pub fn can_review(self) -> bool {
        self >= Role::Reviewer
    }

    /// Only admins manage users and tokens.
    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown role '{s}' (reader, reviewer, editor, admin)"))
    }
}

/// Where an article stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Submitted,
    UnderReview,
    Approved,
    ChangesRequested,
    Rejected,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 5] = [
        ReviewStatus::Submitted,
        ReviewStatus::UnderReview,
        ReviewStatus::Approved,
        ReviewStatus::ChangesRequested,
        ReviewStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Submitted => "submitted",
            ReviewStatus::UnderReview => "under_review",
            ReviewStatus::Approved => "approved",
            ReviewStatus::ChangesRequested => "changes_requested",
            ReviewStatus::Rejected => "rejected",
        }
    }

    /// The words a page shows: "Under review".
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Submitted => "Submitted",
            ReviewStatus::UnderReview => "Under review",
            ReviewStatus::Approved => "Approved",
            ReviewStatus::ChangesRequested => "Changes requested",
            ReviewStatus::Rejected => "Rejected",
        }
    }

    /// The statuses an explicit transition may lead to from here. Moves that need a new
    /// version (changes requested → under review, approved → under review) happen through
    /// [`decide_edit`], not here.
    pub fn next(self) -> &'static [ReviewStatus] {
        use ReviewStatus::*;
        match self {
            Submitted => &[UnderReview],
            UnderReview => &[Approved, ChangesRequested, Rejected],
            Approved | ChangesRequested | Rejected => &[],
        }
    }
}

impl fmt::Display for ReviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReviewStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        ReviewStatus::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "unknown status '{s}' (submitted, under_review, approved, changes_requested, rejected)"
                )
            })
    }
}

/// Who wrote an answer version: the composer, or a person editing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum Author {
    System,
    User(UserId),
}

/// A user acting: who and with which role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: UserId,
    pub name: String,
    pub role: Role,
}

/// What every page of an article shows until a reviewer approved a version.
pub const PENDING_BANNER: &str = "Educational purpose only \u{2014} pending human review";

/// What a reviewer sees on a rejected article, which nobody else can read.
pub const REJECTED_BANNER: &str =
    "Rejected by the Medical Advisory Board \u{2014} withdrawn from readers; only reviewers see it";

/// A time stored as Unix milliseconds, as pages show it: `2026-11-26 14:05 UTC`.
pub fn format_utc(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        Err(_) => format!("{ms} ms"),
    }
}

/// The review rules a deployment chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    /// Nobody who wrote any version since the last approved one may approve (four-eyes).
    /// Single-person deployments switch it off.
    pub four_eyes: bool,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        ReviewPolicy { four_eyes: true }
    }
}

/// What the rules need to know about an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleState {
    pub status: ReviewStatus,
    pub latest_version: VersionNo,
    /// Everyone who wrote a version after the approved one (any version, when none was
    /// approved): four-eyes bars each of them from approving, not only the latest author.
    pub authors_since_approval: Vec<UserId>,
    /// The version readers see, once one was approved.
    pub approved_version: Option<VersionNo>,
    /// Bumped by every change: the optimistic concurrency check.
    pub revision: i64,
}

impl ArticleState {
    /// The version a reader sees and whether it is still pending review: the approved
    /// version when there is one, else the latest with the "pending human review" banner.
    pub fn visible(&self) -> Visible {
        match self.approved_version {
            Some(version) => Visible {
                version,
                pending: false,
            },
            None => Visible {
                version: self.latest_version,
                pending: true,
            },
        }
    }
}

/// The version readers see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visible {
    pub version: VersionNo,
    /// True until a reviewer approved a version: pages show the pending banner.
    pub pending: bool,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{role} '{name}' may not {action}: reviewers, editors and admins only")]
    Forbidden {
        name: String,
        role: Role,
        action: &'static str,
    },
    #[error(
        "'{name}' wrote a version of this article since it was last approved and may not approve version {version}: another reviewer must (four-eyes rule)"
    )]
    OwnVersion { name: String, version: VersionNo },
    #[error("an approval must name the version the reviewer read (version {latest} is the latest)")]
    UnnamedVersion { latest: VersionNo },
    #[error("an article that is {from} cannot move to {to}{hint}")]
    IllegalTransition {
        from: ReviewStatus,
        to: ReviewStatus,
        hint: &'static str,
    },
    #[error("version {expected} is not the latest (version {latest} is): reload and try again")]
    StaleVersion {
        expected: VersionNo,
        latest: VersionNo,
    },
    #[error("a rejected article cannot be edited")]
    EditRejected,
}

/// The effect of an allowed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: ReviewStatus,
    pub approved_version: Option<VersionNo>,
}

/// Decides an explicit transition to `to` by `actor`, who looked at `seen_version`.
///
/// An approval must name the version seen, and is stale when a newer one exists; other
/// moves may leave it out (they then concern the latest). Four-eyes bars everyone who
/// wrote a version since the last approval, so that no author can get their own change
/// published by approving a later version that someone else touched.
pub fn decide_transition(
    state: &ArticleState,
    actor: &Actor,
    to: ReviewStatus,
    seen_version: Option<VersionNo>,
    policy: ReviewPolicy,
) -> Result<Decision, RuleError> {
    if !actor.role.can_review() {
        return Err(RuleError::Forbidden {
            name: actor.name.clone(),
            role: actor.role,
            action: "review articles",
        });
    }
    if let Some(seen) = seen_version
        && seen != state.latest_version
    {
        return Err(RuleError::StaleVersion {
            expected: seen,
            latest: state.latest_version,
        });
    }
    if !state.status.next().contains(&to) {
        let hint = match (state.status, to) {
            (
                ReviewStatus::ChangesRequested | ReviewStatus::Approved,
                ReviewStatus::UnderReview,
            ) => ": propose a new version instead, which puts it under review",
            (ReviewStatus::Submitted, _) => ": it must be under review first",
            _ => "",
        };
        return Err(RuleError::IllegalTransition {
            from: state.status,
            to,
            hint,
        });
    }
    let mut approved_version = state.approved_version;
    if to == ReviewStatus::Approved {
        if seen_version.is_none() {
            return Err(RuleError::UnnamedVersion {
                latest: state.latest_version,
            });
        }
        if policy.four_eyes && state.authors_since_approval.contains(&actor.id) {
            return Err(RuleError::OwnVersion {
                name: actor.name.clone(),
                version: state.latest_version,
            });
        }
        approved_version = Some(state.latest_version);
    }
    Ok(Decision {
        status: to,
        approved_version,
    })
}

/// Decides a new version proposed by `actor`, who edited `base_version`. Versions are
/// never overwritten: an edit of anything but the latest version is a conflict.
///
/// Submitted and under-review articles keep their status; an approved article or one with
/// changes requested goes (back) under review, and readers keep seeing the approved
/// version until the new one is approved.
pub fn decide_edit(
    state: &ArticleState,
    actor: &Actor,
    base_version: VersionNo,
) -> Result<Decision, RuleError> {
    if !actor.role.can_review() {
        return Err(RuleError::Forbidden {
            name: actor.name.clone(),
            role: actor.role,
            action: "edit articles",
        });
    }
    if base_version != state.latest_version {
        return Err(RuleError::StaleVersion {
            expected: base_version,
            latest: state.latest_version,
        });
    }
    let status = match state.status {
        ReviewStatus::Rejected => return Err(RuleError::EditRejected),
        ReviewStatus::Submitted => ReviewStatus::Submitted,
        ReviewStatus::UnderReview | ReviewStatus::Approved | ReviewStatus::ChangesRequested => {
            ReviewStatus::UnderReview
        }
    };
    Ok(Decision {
        status,
        approved_version: state.approved_version,
    })
}
