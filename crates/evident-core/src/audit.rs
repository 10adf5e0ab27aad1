//! The audit trail's rows and their hash chain: each row's hash covers its fields and the previous row's hash, so a changed, removed or reordered row breaks the chain.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    ArticleCreated,
    VersionProposed,
    StatusChanged,
    FollowUpAdded,
    UserAdded,
    TokenIssued,
    TokenRevoked,
    /// A token that is unknown, revoked or malformed was presented.
    AuthenticationFailed,
    /// A known user tried something their role does not allow.
    AuthorizationFailed,
    /// A corpus document entered review (Submitted).
    DocumentRegistered,
    /// A registered document's content changed: back to Submitted, its approval cleared.
    DocumentChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 11] = [
        AuditAction::ArticleCreated,
        AuditAction::VersionProposed,
        AuditAction::StatusChanged,
        AuditAction::FollowUpAdded,
        AuditAction::UserAdded,
        AuditAction::TokenIssued,
        AuditAction::TokenRevoked,
        AuditAction::AuthenticationFailed,
        AuditAction::AuthorizationFailed,
        AuditAction::DocumentRegistered,
        AuditAction::DocumentChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::ArticleCreated => "article_created",
            AuditAction::VersionProposed => "version_proposed",
            AuditAction::StatusChanged => "status_changed",
            AuditAction::FollowUpAdded => "follow_up_added",
            AuditAction::UserAdded => "user_added",
            AuditAction::TokenIssued => "token_issued",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::AuthenticationFailed => "authentication_failed",
            AuditAction::AuthorizationFailed => "authorization_failed",
            AuditAction::DocumentRegistered => "document_registered",
            AuditAction::DocumentChanged => "document_changed",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown audit action '{s}'"))
    }
}

/// One audit row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3 ... without gaps.
    pub seq: i64,
    /// Unix time in milliseconds, UTC.
    pub at_ms: i64,
    /// Who: `system`, `anonymous` or `user:ID:NAME`.
    pub actor: String,
    pub action: AuditAction,
    /// What: `article:SLUG`, `user:NAME`, `token:ID`, or a route.
    pub object: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: Option<String>,
    /// The previous row's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and the fields above ([`entry_hash`]).
    pub hash: String,
}

/// The hash of a row with these fields after a row whose hash is `prev_hash`. Every field
/// is length-prefixed, so no two different rows hash the same input.
pub fn entry_hash(entry: &AuditEntry, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(prev_hash.as_bytes());
    field(&entry.seq.to_le_bytes());
    field(&entry.at_ms.to_le_bytes());
    field(entry.actor.as_bytes());
    field(entry.action.as_str().as_bytes());
    field(entry.object.as_bytes());
    for optional in [&entry.before, &entry.after, &entry.note] {
        match optional {
            Some(text) => {
                field(b"1");
                field(text.as_bytes());
            }
            None => field(b"0"),
        }
    }
    hex::encode(h.finalize())
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit row {seq}: {problem}")]
pub struct ChainBreak {
    pub seq: i64,
    pub problem: String,
}

/// Checks rows in order: numbered 1, 2, 3 ... each linked to the previous hash and with a
/// hash that matches its fields. Returns how many rows verified.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<u64, ChainBreak> {
    let mut prev = GENESIS.to_string();
    let mut count = 0u64;
    for e in entries {
        count += 1;
        let broken = |problem: String| ChainBreak {
            seq: e.seq,
            problem,
        };
        if e.seq != count as i64 {
            return Err(broken(format!(
                "expected row {count}: a row is missing or out of order"
            )));
        }
        if e.prev_hash != prev {
            return Err(broken("does not link to the previous row's hash".into()));
        }
        if entry_hash(e, &prev) != e.hash {
            return Err(broken(
                "its fields do not match its hash: the row was altered".into(),
            ));
        }
        prev = e.hash.clone();
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor: "user:1:ana".into(),
                    action: AuditAction::StatusChanged,
                    object: "article:x".into(),
                    before: Some("submitted".into()),
                    after: Some("under_review".into()),
                    note: None,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e, &prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&[]), Ok(0));
    }

    #[test]
    fn altering_removing_or_reordering_a_row_breaks_the_chain() {
        let mut altered = chain(4);
        altered[2].after = Some("approved".into());
        assert_eq!(verify_chain(&altered).unwrap_err().seq, 3);

        let mut removed = chain(4);
        removed.remove(1);
        assert_eq!(verify_chain(&removed).unwrap_err().seq, 3);

        let mut swapped = chain(4);
        swapped.swap(1, 2);
        assert!(verify_chain(&swapped).is_err());

        // Recomputing the altered row's hash does not help: the next row links to the old one.
        let mut rehashed = chain(4);
        rehashed[1].note = Some("forged".into());
        rehashed[1].hash = entry_hash(&rehashed[1], &rehashed[0].hash);
        assert_eq!(verify_chain(&rehashed).unwrap_err().seq, 3);
    }

    #[test]
    fn a_missing_note_and_an_empty_note_hash_differently() {
        let mut a = chain(1).remove(0);
        let none = entry_hash(&a, GENESIS);
        a.note = Some(String::new());
        assert_ne!(entry_hash(&a, GENESIS), none);
    }
}
