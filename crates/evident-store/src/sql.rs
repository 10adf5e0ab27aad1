//! The SQL store: connecting (SQLite file or PostgreSQL URL), migrations, the audit key, and the write transaction that locks the audit chain's head.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use evident_core::audit::{AuditAction, AuditEntry, AuditKey, SCHEME_SHA256, seal};
use sqlx::any::{AnyPoolOptions, AnyQueryResult, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};

use crate::error::{Result, StoreError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Invalid(format!(
                "unsupported database URL '{}': use postgres://… or sqlite:PATH",
                redact(url)
            )))
        }
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// Articles, users, tokens and the audit trail in SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// Keys the audit rows this store writes (HMAC-SHA256); without it rows are plain
    /// SHA-256, as before the key existed (tests and tools; `evident` always has a key).
    pub(crate) audit_key: Option<Arc<AuditKey>>,
}

impl SqlStore {
    /// Opens (creating if needed) the SQLite database at `path`, in WAL mode with
    /// `synchronous=FULL`, and applies its migrations.
    pub async fn open_sqlite(path: &Path) -> Result<SqlStore> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        SqlStore::connect(&url).await
    }

    /// Connects to `postgres://…` or `sqlite:…` and applies the backend's migrations.
    pub async fn connect(url: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers go on while one writer writes; FULL syncs the
                            // log at every commit, so an acknowledged decision survives a
                            // power cut.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 15000").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => options.max_connections(8).connect(url).await.map_err(|e| {
                StoreError::Invalid(format!("cannot connect to {}: {e}", redact(url)))
            })?,
        };
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(SqlStore {
            pool,
            backend,
            audit_key: None,
        })
    }

    /// This store, writing keyed audit rows under `key` and verifying with it.
    pub fn with_audit_key(mut self, key: AuditKey) -> SqlStore {
        self.audit_key = Some(Arc::new(key));
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for benchmarks and for tests that tamper with rows.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a writing transaction: it locks the audit chain's head first, which orders
    /// all writers (across processes and instances) and keeps the chain linear.
    pub(crate) async fn begin_write(&self) -> Result<(Transaction<'static, Any>, Chain)> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let chain = Chain {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
            now_ms: now_ms(),
            key: self.audit_key.clone(),
        };
        Ok((tx, chain))
    }

    /// One audit row in a transaction of its own (failed authentication or authorization).
    pub(crate) async fn audit_alone(&self, row: AuditRow<'_>) -> Result<()> {
        let (mut tx, mut chain) = self.begin_write().await?;
        chain.append(&mut tx, row).await?;
        chain.commit(tx).await
    }
}

/// The audit chain's head within a writing transaction.
pub(crate) struct Chain {
    seq: i64,
    hash: String,
    /// The time of the transaction's changes.
    pub(crate) now_ms: i64,
    key: Option<Arc<AuditKey>>,
}

/// The fields of an audit row that the caller chooses.
pub(crate) struct AuditRow<'a> {
    pub who: &'a crate::Who,
    pub action: AuditAction,
    pub object: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: Option<&'a str>,
}

impl Chain {
    pub(crate) async fn append(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        row: AuditRow<'_>,
    ) -> Result<()> {
        let mut entry = AuditEntry {
            seq: self.seq + 1,
            at_ms: self.now_ms,
            actor: row.who.audit_name(),
            action: row.action,
            object: row.object,
            before: row.before,
            after: row.after,
            note: row.note.map(str::to_string),
            prev_hash: self.hash.clone(),
            scheme: SCHEME_SHA256,
            hash: String::new(),
        };
        seal(&mut entry, self.key.as_deref());
        sqlx::query(
            "INSERT INTO audit (seq, at_ms, actor, action, object, before, after, note, prev_hash, scheme, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(&entry.actor)
        .bind(entry.action.as_str())
        .bind(&entry.object)
        .bind(&entry.before)
        .bind(&entry.after)
        .bind(&entry.note)
        .bind(&entry.prev_hash)
        .bind(i64::from(entry.scheme))
        .bind(&entry.hash)
        .execute(&mut **tx)
        .await?;
        self.seq = entry.seq;
        self.hash = entry.hash;
        Ok(())
    }

    /// The sequence number of the last row (0 before the first).
    pub(crate) fn seq(&self) -> i64 {
        self.seq
    }

    /// Moves the head to the last row appended and commits.
    pub(crate) async fn commit(self, mut tx: Transaction<'static, Any>) -> Result<()> {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.seq)
            .bind(&self.hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The optimistic check of an update guarded by `revision`: exactly one row changed, or
/// `what` (`article 'slug'`, `document 'id'`) changed since it was read.
pub(crate) fn guarded(result: &AnyQueryResult, what: impl FnOnce() -> String) -> Result<()> {
    if result.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(what()))
    }
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Reads a text column into a type that parses from it (statuses, roles, audiences).
pub(crate) fn parsed<T>(row: &AnyRow, column: &str) -> Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
}

/// Reads a JSON text column.
pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// An embedding as little-endian f32 bytes, and back.
pub(crate) fn embedding_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub(crate) fn embedding_from(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend_and_messages_hide_passwords() {
        assert_eq!(Backend::of("sqlite:/tmp/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of("postgres://u:p@h/db").unwrap(),
            Backend::Postgres
        );
        let err = Backend::of("mysql://root:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
        assert_eq!(
            redact("postgres://u:pw@h:5432/db"),
            "postgres://u@h:5432/db"
        );
    }

    #[test]
    fn embeddings_round_trip() {
        let v = vec![0.5f32, -1.25, 3.0];
        assert_eq!(embedding_from(&embedding_bytes(&v)), v);
    }
}
