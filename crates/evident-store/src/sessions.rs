//! Server-side sign-in sessions: a random id (only its SHA-256 is stored) bound to the token that signed in, with idle and absolute expiry; ended by sign-out, by expiry and by revoking the token.

use evident_core::article::{Actor, UserId, token_hash};
use evident_core::audit::AuditAction;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sql::{AuditRow, SqlStore, now_ms, parsed};
use crate::{SessionPolicy, Who};

/// How often at most a session's last use is written back (its idle clock runs from it).
const TOUCH_EVERY_MS: i64 = 30_000;

fn random_session_id() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("no randomness for a session: {e}")))?;
    Ok(format!("evs_{}", hex_lower(&bytes)))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl SqlStore {
    /// The user of an active token, without auditing a failure (the web layer counts and
    /// aggregates failures per source).
    pub(crate) async fn lookup_token_impl(&self, secret: &str) -> Result<Option<(Actor, i64)>> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.role, t.id AS token_id FROM tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_ms IS NULL",
        )
        .bind(token_hash(secret))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok((
                Actor {
                    id: UserId(row.try_get("id")?),
                    name: row.try_get("name")?,
                    role: parsed(&row, "role")?,
                },
                row.try_get("token_id")?,
            ))
        })
        .transpose()
    }

    pub(crate) async fn create_session_impl(
        &self,
        token: &str,
        policy: SessionPolicy,
    ) -> Result<Option<(Actor, String)>> {
        let Some((actor, token_id)) = self.lookup_token_impl(token).await? else {
            return Ok(None);
        };
        let now = now_ms();
        // Housekeeping: sessions past either expiry go.
        sqlx::query("DELETE FROM sessions WHERE expires_ms <= $1 OR last_seen_ms <= $2")
            .bind(now)
            .bind(now - policy.idle_ms)
            .execute(&self.pool)
            .await?;
        let id = random_session_id()?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, token_id, created_ms, last_seen_ms, expires_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(&id))
        .bind(actor.id.0)
        .bind(token_id)
        .bind(now)
        .bind(now)
        .bind(now + policy.absolute_ms)
        .execute(&self.pool)
        .await?;
        Ok(Some((actor, id)))
    }

    pub(crate) async fn session_impl(
        &self,
        id: &str,
        policy: SessionPolicy,
    ) -> Result<Option<Actor>> {
        let hash = token_hash(id);
        let row = sqlx::query(
            "SELECT s.last_seen_ms, s.expires_ms, u.id, u.name, u.role FROM sessions s \
             JOIN tokens t ON t.id = s.token_id JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND t.revoked_ms IS NULL",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let now = now_ms();
        let last_seen: i64 = row.try_get("last_seen_ms")?;
        let expires: i64 = row.try_get("expires_ms")?;
        if now >= expires || now - last_seen > policy.idle_ms {
            self.end_session_impl(id).await?;
            return Ok(None);
        }
        if now - last_seen > TOUCH_EVERY_MS.min(policy.idle_ms / 4) {
            sqlx::query("UPDATE sessions SET last_seen_ms = $1 WHERE id_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(Actor {
            id: UserId(row.try_get("id")?),
            name: row.try_get("name")?,
            role: parsed(&row, "role")?,
        }))
    }

    pub(crate) async fn end_session_impl(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(token_hash(id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One audit row for failed sign-ins from `source` (`client:ADDRESS`): the web layer
    /// writes the first failure of a window and then one summary per window.
    pub(crate) async fn record_auth_failures_impl(&self, source: &str, note: &str) -> Result<()> {
        self.audit_alone(AuditRow {
            who: &Who::Anonymous,
            action: AuditAction::AuthenticationFailed,
            object: source.to_string(),
            before: None,
            after: None,
            note: Some(note),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_random_and_long() {
        let a = random_session_id().unwrap();
        assert!(a.starts_with("evs_") && a.len() == 4 + 64, "{a}");
        assert_ne!(a, random_session_id().unwrap());
    }
}
