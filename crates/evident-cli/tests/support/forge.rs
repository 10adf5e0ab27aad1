//! What a forger with a copy of the database file (and no audit key) can do: copy it, rewrite a row and recompute the chain after it.
#![allow(dead_code)]

use evident_core::audit::{AuditEntry, AuditKey, seal};
use evident_engine::store::{Repository, SqlStore};
use std::path::Path;

/// Copies the database (with its WAL) to a new directory, without the key file.
pub fn copy_db(from: &Path, to: &Path) {
    for name in ["evident.db", "evident.db-wal", "evident.db-shm"] {
        if from.join(name).exists() {
            std::fs::copy(from.join(name), to.join(name)).unwrap();
        }
    }
}

/// Rewrites the rows from `seq` on (changing row `seq`'s note), relinking and rehashing
/// each as a forger without the key would: under `key` or plain SHA-256.
pub async fn forge(db: &Path, seq: i64, key: Option<&AuditKey>) {
    let store = SqlStore::open_sqlite(db).await.unwrap();
    let mut rows: Vec<AuditEntry> = store.audit_trail(None).await.unwrap();
    let i = (seq - 1) as usize;
    rows[i].note = Some("approved by the board".into());
    for j in i..rows.len() {
        rows[j].prev_hash = if j == 0 {
            evident_core::audit::GENESIS.into()
        } else {
            rows[j - 1].hash.clone()
        };
        seal(&mut rows[j], key);
        let e = &rows[j];
        sqlx::query(
            "UPDATE audit SET note = $1, prev_hash = $2, scheme = $3, hash = $4 WHERE seq = $5",
        )
        .bind(&e.note)
        .bind(&e.prev_hash)
        .bind(i64::from(e.scheme))
        .bind(&e.hash)
        .bind(e.seq)
        .execute(store.pool())
        .await
        .unwrap();
    }
    let last = rows.last().unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(last.seq)
        .bind(&last.hash)
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
}
