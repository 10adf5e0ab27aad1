//! Reading the audit trail back, verifying its hash chain against the audit key and an optional anchor (`evident audit verify`), and sealing a chain written before the key existed.

use evident_core::audit::{
    Anchor, AuditAction, AuditEntry, ChainReport, SCHEME_SHA256, check_anchor, verify_chain,
};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::Who;
use crate::error::{Result, StoreError};
use crate::sql::{AuditRow, SqlStore, parsed};

const COLUMNS: &str =
    "seq, at_ms, actor, action, object, before, after, note, prev_hash, scheme, hash";

fn entry(row: &AnyRow) -> Result<AuditEntry> {
    let scheme: i64 = row.try_get("scheme")?;
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
        scheme: i32::try_from(scheme)
            .map_err(|_| StoreError::Corrupt(format!("audit scheme {scheme}")))?,
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

    /// Verifies every row's link and hash (keyed rows under this store's audit key), that
    /// the head names the last row (a truncated tail is a break too) and, given an
    /// `anchor`, that the chain still holds the anchored row.
    pub async fn audit_report(&self, anchor: Option<&Anchor>) -> Result<ChainReport> {
        let entries = self.audit_trail_impl(None).await?;
        let report = verify_chain(&entries, self.audit_key.as_deref())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let (seq, hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        let count = report.rows;
        if seq != count as i64 || entries.last().is_some_and(|e| e.hash != hash) {
            return Err(StoreError::Corrupt(format!(
                "audit head names row {seq} but the chain ends at row {count}: rows were removed"
            )));
        }
        if let Some(anchor) = anchor {
            check_anchor(&entries, anchor).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        Ok(report)
    }

    pub(crate) async fn verify_audit_impl(&self) -> Result<u64> {
        Ok(self.audit_report(None).await?.rows)
    }

    /// Seals a chain whose newest row is unkeyed (written before the audit key existed):
    /// checks the old rows, then appends a keyed `chain_keyed` row that links to them, so
    /// from here on nobody without the key can rewrite any row. Returns how many unkeyed
    /// rows were sealed (0 when there was nothing to do or no key). An old chain that does
    /// not verify is left as it is, and reported.
    pub async fn seal_audit_chain(&self) -> Result<u64> {
        if self.audit_key.is_none() {
            return Ok(0);
        }
        let (mut tx, mut chain) = self.begin_write().await?;
        if chain.seq() == 0 {
            return Ok(0);
        }
        let head_scheme: i64 = sqlx::query("SELECT scheme FROM audit WHERE seq = $1")
            .bind(chain.seq())
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| row.try_get("scheme"))
            .transpose()?
            .unwrap_or(i64::from(SCHEME_SHA256));
        if head_scheme != i64::from(SCHEME_SHA256) {
            return Ok(0);
        }
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit ORDER BY seq"
        )))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(entry)
        .collect::<Result<Vec<_>>>()?;
        let old = verify_chain(&rows, None).map_err(|e| {
            StoreError::Corrupt(format!("the unkeyed audit chain was not sealed: {e}"))
        })?;
        let note = format!(
            "{} rows written before the audit key, sealed under it",
            old.rows
        );
        chain
            .append(
                &mut tx,
                AuditRow {
                    who: &Who::System,
                    action: AuditAction::ChainKeyed,
                    object: "audit".into(),
                    before: None,
                    after: None,
                    note: Some(&note),
                },
            )
            .await?;
        chain.commit(tx).await?;
        Ok(old.rows)
    }
}
