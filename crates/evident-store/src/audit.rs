//! Reading the audit trail back and verifying its hash chain (`evident audit verify`).

use evident_core::audit::{AuditEntry, verify_chain};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{Result, StoreError};
use crate::sql::{SqlStore, parsed};

const COLUMNS: &str = "seq, at_ms, actor, action, object, before, after, note, prev_hash, hash";

fn entry(row: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at_ms: row.try_get("at_ms")?,
        actor: row.try_get("actor")?,
        action: parsed(row, "action")?,
        object: row.try_get("object")?,
        before: row.try_get("before")?,
        after: row.try_get("after")?,
        note: row.try_get("note")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

impl SqlStore {
    pub(crate) async fn audit_trail_impl(&self, object: Option<&str>) -> Result<Vec<AuditEntry>> {
        let rows = match object {
            Some(object) => {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM audit WHERE object = $1 ORDER BY seq"
                )))
                .bind(object)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM audit ORDER BY seq"
                )))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(entry).collect()
    }

    /// Verifies every row's link and hash, and that the head names the last row (a
    /// truncated tail is a break too).
    pub(crate) async fn verify_audit_impl(&self) -> Result<u64> {
        let entries = self.audit_trail_impl(None).await?;
        let count = verify_chain(&entries).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let (seq, hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        let last = entries.last();
        if seq != count as i64 || last.is_some_and(|e| e.hash != hash) {
            return Err(StoreError::Corrupt(format!(
                "audit head names row {seq} but the chain ends at row {count}: rows were removed"
            )));
        }
        Ok(count)
    }
}
