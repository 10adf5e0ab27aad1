//! The audit trail's rows and their hash chain: each row's hash covers its fields and the previous row's hash, so a changed, removed or reordered row breaks the chain; keyed rows (scheme 2) are HMAC-SHA256 under a key kept outside the database, so nobody without it can recompute the chain; anchors pin a head seen earlier.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Rows hashed with plain SHA-256 (written before the audit key existed).
pub const SCHEME_SHA256: i32 = 1;
/// Rows hashed with HMAC-SHA256 under the audit key.
pub const SCHEME_HMAC: i32 = 2;

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
    /// The unkeyed rows written before the audit key existed were sealed under it.
    ChainKeyed,
}

impl AuditAction {
    pub const ALL: [AuditAction; 12] = [
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
        AuditAction::ChainKeyed,
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
            AuditAction::ChainKeyed => "chain_keyed",
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
    /// How `hash` was computed: [`SCHEME_SHA256`] or [`SCHEME_HMAC`].
    #[serde(default = "legacy_scheme")]
    pub scheme: i32,
    /// SHA-256 ([`entry_hash`]) or HMAC-SHA256 ([`keyed_hash`]) over `prev_hash` and the
    /// fields above.
    pub hash: String,
}

fn legacy_scheme() -> i32 {
    SCHEME_SHA256
}

/// The secret that keys the audit chain: 32 bytes, kept outside the database (a key file
/// in the data directory, or `EVIDENT_AUDIT_KEY`). Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// Reads 64 hex digits (surrounding white space ignored).
    pub fn from_hex(text: &str) -> Result<AuditKey, String> {
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or("an audit key is 64 hex digits (32 bytes), e.g. from `openssl rand -hex 32`")?;
        Ok(AuditKey(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes keys of any length")
    }
}

/// The hash of a row with these fields after a row whose hash is `prev_hash`. Every field
/// is length-prefixed, so no two different rows hash the same input.
pub fn entry_hash(entry: &AuditEntry, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    encode_fields(entry, prev_hash, |bytes| Digest::update(&mut h, bytes));
    hex::encode(h.finalize())
}

/// The keyed hash (scheme 2) of a row: HMAC-SHA256 under `key` over the same encoding as
/// [`entry_hash`] followed by the scheme.
pub fn keyed_hash(entry: &AuditEntry, prev_hash: &str, key: &AuditKey) -> String {
    let mut mac = key.mac();
    encode_fields(entry, prev_hash, |bytes| mac.update(bytes));
    let scheme = SCHEME_HMAC.to_le_bytes();
    mac.update(&(scheme.len() as u64).to_le_bytes());
    mac.update(&scheme);
    hex::encode(mac.finalize().into_bytes())
}

/// Sets the row's scheme and hash: keyed when a key is given, else plain SHA-256.
pub fn seal(entry: &mut AuditEntry, key: Option<&AuditKey>) {
    let prev = entry.prev_hash.clone();
    match key {
        Some(key) => {
            entry.scheme = SCHEME_HMAC;
            entry.hash = keyed_hash(entry, &prev, key);
        }
        None => {
            entry.scheme = SCHEME_SHA256;
            entry.hash = entry_hash(entry, &prev);
        }
    }
}

fn encode_fields(entry: &AuditEntry, prev_hash: &str, mut update: impl FnMut(&[u8])) {
    let mut field = |bytes: &[u8]| {
        update(&(bytes.len() as u64).to_le_bytes());
        update(bytes);
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
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit row {seq}: {problem}")]
pub struct ChainBreak {
    pub seq: i64,
    pub problem: String,
}

/// What a verified chain holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainReport {
    /// Rows verified.
    pub rows: u64,
    /// Of those, rows hashed without the key (written before it existed).
    pub unkeyed: u64,
    /// The newest row, if any.
    pub head: Option<Anchor>,
}

/// A chain position to keep elsewhere (`evident audit anchor`): the row's sequence number
/// and hash, written `SEQ:HASH`. A later chain must still hold that row with that hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl FromStr for Anchor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!("'{s}' is not an anchor: write SEQ:HASH as `evident audit anchor` prints it")
        };
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        let hash = hash.to_ascii_lowercase();
        if seq < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Anchor { seq, hash })
    }
}

/// Checks rows in order: numbered 1, 2, 3 ... each linked to the previous hash and with a
/// hash that matches its fields under its scheme. Unkeyed rows may only precede keyed ones;
/// with a `key`, keyed rows must match it and a non-empty chain must end in a keyed row (an
/// unkeyed tail was written, or rewritten, without the key). Without a key, a keyed row
/// cannot be checked and is a break.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    key: Option<&AuditKey>,
) -> Result<ChainReport, ChainBreak> {
    let mut prev = GENESIS.to_string();
    let mut report = ChainReport::default();
    let mut keyed_seen = false;
    for e in entries {
        report.rows += 1;
        let count = report.rows;
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
        let expected = match (e.scheme, key) {
            (SCHEME_SHA256, _) if keyed_seen => {
                return Err(broken(
                    "an unkeyed row after keyed rows: written or rewritten without the audit key"
                        .into(),
                ));
            }
            (SCHEME_SHA256, _) => {
                report.unkeyed += 1;
                entry_hash(e, &prev)
            }
            (SCHEME_HMAC, Some(key)) => {
                keyed_seen = true;
                keyed_hash(e, &prev, key)
            }
            (SCHEME_HMAC, None) => {
                return Err(broken(
                    "the row is keyed: verifying it needs the audit key".into(),
                ));
            }
            (other, _) => return Err(broken(format!("unknown hash scheme {other}"))),
        };
        if expected != e.hash {
            return Err(broken(if e.scheme == SCHEME_HMAC {
                "its fields do not match its keyed hash: the row was altered, or the audit key is not the one it was written with".into()
            } else {
                "its fields do not match its hash: the row was altered".into()
            }));
        }
        prev = e.hash.clone();
        report.head = Some(Anchor {
            seq: e.seq,
            hash: e.hash.clone(),
        });
    }
    if key.is_some()
        && let Some(head) = &report.head
        && !keyed_seen
    {
        return Err(ChainBreak {
            seq: head.seq,
            problem: "no row of the chain is keyed: it was written, or rewritten, without the audit key (an old chain is sealed when Evident first opens it with the key)".into(),
        });
    }
    Ok(report)
}

/// Checks that a verified chain still holds the anchored row with its hash.
pub fn check_anchor(entries: &[AuditEntry], anchor: &Anchor) -> Result<(), ChainBreak> {
    let row = usize::try_from(anchor.seq - 1)
        .ok()
        .and_then(|i| entries.get(i));
    match row {
        Some(e) if e.seq == anchor.seq && e.hash == anchor.hash => Ok(()),
        Some(_) => Err(ChainBreak {
            seq: anchor.seq,
            problem: "the row's hash differs from the anchor: the chain was rewritten since".into(),
        }),
        None => Err(ChainBreak {
            seq: anchor.seq,
            problem: format!(
                "the chain ends at row {}, before the anchor: rows were removed",
                entries.len()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        chain_with(n, None)
    }

    fn chain_with(n: i64, key: Option<&AuditKey>) -> Vec<AuditEntry> {
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
                    scheme: SCHEME_SHA256,
                    hash: String::new(),
                };
                seal(&mut e, key);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5), None).map(|r| r.rows), Ok(5));
        assert_eq!(verify_chain(&[], None).map(|r| r.rows), Ok(0));
    }

    #[test]
    fn altering_removing_or_reordering_a_row_breaks_the_chain() {
        let mut altered = chain(4);
        altered[2].after = Some("approved".into());
        assert_eq!(verify_chain(&altered, None).unwrap_err().seq, 3);

        let mut removed = chain(4);
        removed.remove(1);
        assert_eq!(verify_chain(&removed, None).unwrap_err().seq, 3);

        let mut swapped = chain(4);
        swapped.swap(1, 2);
        assert!(verify_chain(&swapped, None).is_err());

        // Recomputing the altered row's hash does not help: the next row links to the old one.
        let mut rehashed = chain(4);
        rehashed[1].note = Some("forged".into());
        rehashed[1].hash = entry_hash(&rehashed[1], &rehashed[0].hash);
        assert_eq!(verify_chain(&rehashed, None).unwrap_err().seq, 3);
    }

    #[test]
    fn a_missing_note_and_an_empty_note_hash_differently() {
        let mut a = chain(1).remove(0);
        let none = entry_hash(&a, GENESIS);
        a.note = Some(String::new());
        assert_ne!(entry_hash(&a, GENESIS), none);
    }

    fn key(b: u8) -> AuditKey {
        AuditKey::from_bytes([b; 32])
    }

    #[test]
    fn a_keyed_chain_verifies_only_with_its_key() {
        let rows = chain_with(4, Some(&key(7)));
        let report = verify_chain(&rows, Some(&key(7))).unwrap();
        assert_eq!((report.rows, report.unkeyed), (4, 0));
        assert_eq!(report.head.unwrap().seq, 4);
        assert!(verify_chain(&rows, Some(&key(8))).is_err(), "another key");
        assert!(verify_chain(&rows, None).is_err(), "no key");
    }

    #[test]
    fn a_forged_row_with_a_recomputed_chain_fails_without_the_key() {
        let mut rows = chain_with(4, Some(&key(7)));
        // The forger rewrites row 2 and recomputes everything after it, keyed under a key
        // of their own or downgraded to plain SHA-256: both fail.
        for forger in [Some(key(9)), None] {
            rows[1].note = Some("forged".into());
            for i in 1..rows.len() {
                rows[i].prev_hash = rows[i - 1].hash.clone();
                seal(&mut rows[i], forger.as_ref());
            }
            assert!(verify_chain(&rows, Some(&key(7))).is_err());
        }
        // A wholly unkeyed rewrite fails too, whatever the rows say.
        let downgraded = chain_with(4, None);
        assert!(verify_chain(&downgraded, Some(&key(7))).is_err());
        assert!(
            verify_chain(&downgraded, None).is_ok(),
            "a legacy chain without a key"
        );
    }

    #[test]
    fn legacy_rows_verify_before_keyed_ones_and_never_after() {
        let mut rows = chain_with(3, None);
        let mut prev = rows[2].hash.clone();
        for seq in 4..=5 {
            let mut e = rows[0].clone();
            e.seq = seq;
            e.prev_hash = prev;
            seal(&mut e, Some(&key(1)));
            prev = e.hash.clone();
            rows.push(e);
        }
        let report = verify_chain(&rows, Some(&key(1))).unwrap();
        assert_eq!((report.rows, report.unkeyed), (5, 3));
        let mut e = rows[0].clone();
        e.seq = 6;
        e.prev_hash = prev;
        seal(&mut e, None);
        rows.push(e);
        assert_eq!(verify_chain(&rows, Some(&key(1))).unwrap_err().seq, 6);
    }

    #[test]
    fn anchors_parse_print_and_pin_a_row() {
        let rows = chain_with(3, Some(&key(2)));
        let anchor: Anchor = format!("2:{}", rows[1].hash).parse().unwrap();
        assert_eq!(anchor.to_string(), format!("2:{}", rows[1].hash));
        assert!(check_anchor(&rows, &anchor).is_ok());
        assert!(check_anchor(&rows[..1], &anchor).is_err(), "truncated");
        let other = chain_with(3, Some(&key(3)));
        assert!(check_anchor(&other, &anchor).is_err(), "rewritten");
        assert!("2:xyz".parse::<Anchor>().is_err());
        assert!("nothing".parse::<Anchor>().is_err());
        assert!(AuditKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(AuditKey::from_hex("abc").is_err());
        assert_eq!(format!("{:?}", key(1)), "AuditKey(..)");
    }
}
