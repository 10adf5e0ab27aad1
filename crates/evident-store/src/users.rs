//! Users, API tokens (random 256-bit secrets stored only as SHA-256) and authentication, with every issue, revocation and failure audited.

use evident_core::article::{
    Actor, Role, TokenId, TokenInfo, User, UserId, token_hash, token_secret,
};
use evident_core::audit::AuditAction;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Result, StoreError};
use crate::sql::{AuditRow, Chain, SqlStore, parsed};
use crate::{IssuedToken, Who};

fn user(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: UserId(row.try_get("id")?),
        name: row.try_get("name")?,
        role: parsed(row, "role")?,
        created_at_ms: row.try_get("created_ms")?,
    })
}

/// A user name: 1 to 64 characters, letters, digits, `.`, `_`, `-` and `@`.
fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(name)
    } else {
        Err(StoreError::Invalid(format!(
            "'{name}' is not a valid user name (1-64 letters, digits, '.', '_', '-', '@')"
        )))
    }
}

fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("no randomness for a token: {e}")))?;
    Ok(token_secret(&bytes))
}

/// The first 12 hex digits of a secret's hash: enough to correlate failures in the audit
/// trail, useless for logging in.
fn fingerprint(secret: &str) -> String {
    format!("token:{}", &token_hash(secret)[..12])
}

impl SqlStore {
    async fn insert_token(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        chain: &mut Chain,
        by: &Who,
        user: &User,
    ) -> Result<IssuedToken> {
        let secret = random_secret()?;
        let id: i64 = sqlx::query(
            "INSERT INTO tokens (user_id, hash, created_ms) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(user.id.0)
        .bind(token_hash(&secret))
        .bind(chain.now_ms)
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
        chain
            .append(
                tx,
                AuditRow {
                    who: by,
                    action: AuditAction::TokenIssued,
                    object: format!("token:{id}"),
                    before: None,
                    after: Some(format!("user:{}", user.name)),
                    note: None,
                },
            )
            .await?;
        Ok(IssuedToken {
            id: TokenId(id),
            secret,
        })
    }

    pub(crate) async fn add_user_impl(
        &self,
        by: &Who,
        name: &str,
        role: Role,
    ) -> Result<(User, IssuedToken)> {
        let name = check_name(name)?;
        let (mut tx, mut chain) = self.begin_write().await?;
        let exists = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!(
                "a user named '{name}' exists already"
            )));
        }
        let row = sqlx::query(
            "INSERT INTO users (name, role, created_ms) VALUES ($1, $2, $3) \
             RETURNING id, name, role, created_ms",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(chain.now_ms)
        .fetch_one(&mut *tx)
        .await?;
        let user = user(&row)?;
        chain
            .append(
                &mut tx,
                AuditRow {
                    who: by,
                    action: AuditAction::UserAdded,
                    object: format!("user:{name}"),
                    before: None,
                    after: Some(role.as_str().into()),
                    note: None,
                },
            )
            .await?;
        let token = self.insert_token(&mut tx, &mut chain, by, &user).await?;
        chain.commit(tx).await?;
        Ok((user, token))
    }

    pub(crate) async fn users_impl(&self) -> Result<Vec<User>> {
        sqlx::query("SELECT id, name, role, created_ms FROM users ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user)
            .collect()
    }

    async fn user_named(&self, name: &str) -> Result<User> {
        let row = sqlx::query("SELECT id, name, role, created_ms FROM users WHERE name = $1")
            .bind(name.trim())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user '{}'", name.trim())))?;
        user(&row)
    }

    pub(crate) async fn issue_token_impl(&self, by: &Who, name: &str) -> Result<IssuedToken> {
        let user = self.user_named(name).await?;
        let (mut tx, mut chain) = self.begin_write().await?;
        let token = self.insert_token(&mut tx, &mut chain, by, &user).await?;
        chain.commit(tx).await?;
        Ok(token)
    }

    pub(crate) async fn tokens_impl(&self, name: &str) -> Result<Vec<TokenInfo>> {
        let user = self.user_named(name).await?;
        sqlx::query(
            "SELECT id, user_id, created_ms, revoked_ms FROM tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user.id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(TokenInfo {
                id: TokenId(row.try_get("id")?),
                user: UserId(row.try_get("user_id")?),
                created_at_ms: row.try_get("created_ms")?,
                revoked_at_ms: row.try_get("revoked_ms")?,
            })
        })
        .collect()
    }

    pub(crate) async fn revoke_token_impl(&self, by: &Who, token: TokenId) -> Result<()> {
        let (mut tx, mut chain) = self.begin_write().await?;
        let revoked =
            sqlx::query("UPDATE tokens SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL")
                .bind(chain.now_ms)
                .bind(token.0)
                .execute(&mut *tx)
                .await?;
        if revoked.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("active token {token}")));
        }
        // Its sign-in sessions end with it (lookups check the token too).
        sqlx::query("DELETE FROM sessions WHERE token_id = $1")
            .bind(token.0)
            .execute(&mut *tx)
            .await?;
        chain
            .append(
                &mut tx,
                AuditRow {
                    who: by,
                    action: AuditAction::TokenRevoked,
                    object: format!("token:{token}"),
                    before: Some("active".into()),
                    after: Some("revoked".into()),
                    note: None,
                },
            )
            .await?;
        chain.commit(tx).await
    }

    pub(crate) async fn authenticate_impl(&self, secret: &str) -> Result<Actor> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.hash = $1 AND t.revoked_ms IS NULL",
        )
        .bind(token_hash(secret))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Actor {
                id: UserId(row.try_get("id")?),
                name: row.try_get("name")?,
                role: parsed(&row, "role")?,
            }),
            None => {
                self.audit_alone(AuditRow {
                    who: &Who::Anonymous,
                    action: AuditAction::AuthenticationFailed,
                    object: fingerprint(secret),
                    before: None,
                    after: None,
                    note: Some("unknown or revoked token"),
                })
                .await?;
                Err(StoreError::Unauthenticated)
            }
        }
    }

    pub(crate) async fn record_denied_impl(
        &self,
        who: &Who,
        object: &str,
        what: &str,
    ) -> Result<()> {
        self.audit_alone(AuditRow {
            who,
            action: AuditAction::AuthorizationFailed,
            object: object.to_string(),
            before: None,
            after: None,
            note: Some(what),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("ana.lima@example").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn secrets_are_random_and_prefixed() {
        let a = random_secret().unwrap();
        let b = random_secret().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("evd_") && a.len() == 4 + 64, "{a}");
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert!(!fingerprint(&a).contains(&a[4..]));
    }
}
