//! `evident serve`: its options, the web service on a multi-threaded runtime, and shutdown on SIGTERM or Ctrl-C.

use anyhow::{Context, Result};
use clap::Args;
use evident_core::article::ReviewPolicy;
use std::path::Path;
use std::sync::Arc;

use crate::{Cli, open_index, store_config};

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "EVIDENT_ADDR")]
    addr: std::net::SocketAddr,
    /// Let anonymous visitors ask (otherwise a token of any role is needed).
    #[arg(long, env = "EVIDENT_PUBLIC_ASK")]
    public_ask: bool,
    /// Always mark the session cookie Secure (it is anyway on requests that came over
    /// HTTPS: an https Origin or X-Forwarded-Proto).
    #[arg(long, env = "EVIDENT_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Questions per minute per signed-in user, or per client address for anonymous asks.
    #[arg(long, default_value_t = 30)]
    ask_per_minute: u32,
    /// Sign-in attempts per minute per client address.
    #[arg(long, default_value_t = 10)]
    login_per_minute: u32,
    /// Failed sign-ins (unknown or revoked tokens) per minute per client address; past it
    /// the address's tokens are refused (429) without a look-up.
    #[arg(long, default_value_t = 20)]
    auth_failures_per_minute: u32,
    /// Count limits by the last address in X-Forwarded-For: only behind a reverse proxy that
    /// appends the client's address (otherwise clients could choose their own).
    #[arg(long, env = "EVIDENT_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Seconds a sign-in session lasts unused.
    #[arg(long, default_value_t = 30 * 60)]
    session_idle_secs: u64,
    /// Seconds a sign-in session lasts at most.
    #[arg(long, default_value_t = 12 * 60 * 60)]
    session_max_secs: u64,
    /// Seconds a request may take before it is answered 408.
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
}

pub(crate) fn cmd_serve(cli: &Cli, data_dir: &Path, args: &ServeArgs) -> Result<()> {
    let (index, lex) = open_index(cli, data_dir)?;
    let config = evident_web::WebConfig {
        public_ask: args.public_ask,
        policy: ReviewPolicy {
            four_eyes: !cli.no_four_eyes,
        },
        ask_per_minute: args.ask_per_minute,
        login_per_minute: args.login_per_minute,
        request_timeout: std::time::Duration::from_secs(args.request_timeout.max(1)),
        secure_cookies: args.secure_cookies,
        auth_failures_per_minute: args.auth_failures_per_minute,
        trust_forwarded_for: args.trust_forwarded_for,
        session_idle: std::time::Duration::from_secs(args.session_idle_secs.max(1)),
        session_max: std::time::Duration::from_secs(args.session_max_secs.max(1)),
        ..evident_web::WebConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = store_config(cli, data_dir).open().await?;
        evident_engine::articles::register_starter(&store, &evident_engine::store::Who::System)
            .await
            .context("registering the starter documents for review")?;
        let state = evident_web::AppState::new(Arc::new(store), Arc::new(index), lex, config);
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("listening on {}", args.addr))?;
        eprintln!(
            "Evident serving on http://{} ({})",
            listener.local_addr()?,
            if args.public_ask {
                "anyone may ask"
            } else {
                "asking needs a token"
            }
        );
        evident_web::serve_on(listener, state, shutdown_signal()).await?;
        eprintln!("stopped: in-flight requests finished");
        Ok(())
    })
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
