//! The administration commands: `user` and `token` (users, roles, API tokens) and `audit` (the hash-chained audit trail).

use anyhow::{Result, bail};
use clap::Subcommand;
use evident_core::article::{Role, TokenId, format_utc};
use evident_core::audit::Anchor;
use evident_engine::store::{Repository, Who};

use crate::articles::StoreConfig;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user; prints their first API token once, as the last line.
    Add {
        name: String,
        /// reader, reviewer, editor or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List users and their roles.
    List,
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Issue another token for a user; prints it once, as the last line.
    Issue { user: String },
    /// List a user's tokens (ids and dates; secrets are never stored).
    List { user: String },
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the audit trail's hash chain (keyed rows against the audit key).
    Verify {
        /// An anchor printed earlier by `evident audit anchor` (SEQ:HASH): the chain must
        /// still hold that row with that hash.
        #[arg(long, value_parser = parse_anchor)]
        anchor: Option<Anchor>,
    },
    /// Verify the chain and print its head as SEQ:HASH, to keep somewhere else.
    Anchor,
    /// Print audit rows, optionally only those about one object (`article:SLUG`, `user:NAME`).
    Log {
        #[arg(long)]
        object: Option<String>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

fn parse_anchor(s: &str) -> Result<Anchor, String> {
    s.parse()
}

pub async fn user(config: &StoreConfig<'_>, cmd: &UserCommand) -> Result<()> {
    let store = config.open().await?;
    match cmd {
        UserCommand::Add { name, role } => {
            let (user, token) = store.add_user(&Who::System, name, *role).await?;
            println!("added {} ({}), token id {}", user.name, user.role, token.id);
            println!("This token is shown once; store it safely:");
            println!("{}", token.secret);
        }
        UserCommand::List => {
            for u in store.users().await? {
                println!(
                    "{:>4}  {:<24} {:<9} added {}",
                    u.id,
                    u.name,
                    u.role,
                    format_utc(u.created_at_ms)
                );
            }
        }
    }
    Ok(())
}

pub async fn token(config: &StoreConfig<'_>, cmd: &TokenCommand) -> Result<()> {
    let store = config.open().await?;
    match cmd {
        TokenCommand::Issue { user } => {
            let token = store.issue_token(&Who::System, user).await?;
            println!("token id {} for {user}; shown once:", token.id);
            println!("{}", token.secret);
        }
        TokenCommand::List { user } => {
            for t in store.tokens(user).await? {
                let state = t.revoked_at_ms.map_or("active".to_string(), |ms| {
                    format!("revoked {}", format_utc(ms))
                });
                println!(
                    "{:>4}  issued {}  {state}",
                    t.id,
                    format_utc(t.created_at_ms)
                );
            }
        }
        TokenCommand::Revoke { id } => {
            store.revoke_token(&Who::System, TokenId(*id)).await?;
            println!("revoked token {id}");
        }
    }
    Ok(())
}

pub async fn audit(config: &StoreConfig<'_>, cmd: &AuditCommand) -> Result<()> {
    // Verifying writes nothing: it must never seal what it checks.
    let store = config.open_unsealed().await?;
    match cmd {
        AuditCommand::Verify { anchor } => match store.audit_report(anchor.as_ref()).await {
            Ok(r) => {
                println!(
                    "audit trail intact: {} rows ({} keyed, {} unkeyed from before the audit key), hash chain verified",
                    r.rows,
                    r.rows - r.unkeyed,
                    r.unkeyed
                );
                if let Some(a) = anchor {
                    println!("the chain still holds anchor row {}", a.seq);
                }
            }
            Err(e) => bail!("audit trail broken: {e}"),
        },
        AuditCommand::Anchor => match store.audit_report(None).await {
            Ok(r) => match r.head {
                Some(head) => println!("{head}"),
                None => bail!("the audit trail is empty: nothing to anchor yet"),
            },
            Err(e) => bail!("audit trail broken: {e}"),
        },
        AuditCommand::Log { object } => {
            for e in store.audit_trail(object.as_deref()).await? {
                // Notes, objects and names are stored user text: printed escaped.
                crate::output::outln!(
                    "{:>6}  {}  {:<22} {:<28} {}{}{}",
                    e.seq,
                    format_utc(e.at_ms),
                    e.action,
                    e.object,
                    e.actor,
                    match (&e.before, &e.after) {
                        (None, None) => String::new(),
                        (b, a) => format!(
                            "  {} → {}",
                            b.as_deref().unwrap_or("-"),
                            a.as_deref().unwrap_or("-")
                        ),
                    },
                    e.note
                        .as_ref()
                        .map(|n| format!("  ({n})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}
