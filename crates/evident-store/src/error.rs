//! The one error enum of `evident-store`.

use evident_core::article::RuleError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The rules refused the change (illegal transition, four-eyes, stale version ...).
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// Someone changed the article between reading and writing it.
    #[error("{0} changed while this update was being made: reload and try again")]
    Conflict(String),
    #[error("no {0}")]
    NotFound(String),
    #[error("the token is unknown or revoked")]
    Unauthenticated,
    #[error("{0}")]
    Invalid(String),
    /// A stored value the code cannot read back (a hand-edited row, a newer schema).
    #[error("the database holds an unreadable value: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Refuses user text (a question, a note) with a control character other than a line break
/// or tab, by the core's rule ([`evident_core::input::check_text`]).
pub(crate) fn check_text(field: &str, value: &str) -> Result<()> {
    evident_core::input::check_text(field, value, evident_core::input::Lines::Many)
        .map_err(|e| StoreError::Invalid(e.to_string()))
}
