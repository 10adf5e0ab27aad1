//! Sign-in sessions and the keyed audit chain on SQLite and PostgreSQL: a session opens for an active token only, expires when idle or at its limit, ends at sign-out and with its token; keyed rows verify only under their key, and a chain from before the key is sealed and still verifies.

mod common;

use common::{TestDb, user};
use evident_core::article::Role;
use evident_core::audit::{AuditAction, AuditKey};
use evident_store::{Repository, SessionPolicy, SqlStore, Who};

const LONG: SessionPolicy = SessionPolicy {
    idle_ms: 60_000,
    absolute_ms: 3_600_000,
};

async fn sessions_follow_their_token(db: &TestDb) {
    let store = &db.store;
    let (ana, token) = user(store, "ana", Role::Reviewer).await;
    assert!(
        store
            .create_session("evd_nope", LONG)
            .await
            .unwrap()
            .is_none()
    );
    let (actor, id) = store.create_session(&token, LONG).await.unwrap().unwrap();
    assert_eq!(actor, ana);
    assert_ne!(id, token);
    assert_eq!(store.session(&id, LONG).await.unwrap(), Some(ana.clone()));
    assert_eq!(
        store.session(&token, LONG).await.unwrap(),
        None,
        "a token is no session id"
    );

    store.end_session(&id).await.unwrap();
    assert_eq!(store.session(&id, LONG).await.unwrap(), None, "signed out");

    let short = SessionPolicy {
        idle_ms: 50,
        absolute_ms: 3_600_000,
    };
    let (_, idle) = store.create_session(&token, short).await.unwrap().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    assert_eq!(store.session(&idle, short).await.unwrap(), None, "idle");
    let capped = SessionPolicy {
        idle_ms: 60_000,
        absolute_ms: 50,
    };
    let (_, old) = store.create_session(&token, capped).await.unwrap().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    assert_eq!(store.session(&old, capped).await.unwrap(), None, "absolute");

    let (_, live) = store.create_session(&token, LONG).await.unwrap().unwrap();
    let token_id = store.tokens("ana").await.unwrap()[0].id;
    store.revoke_token(&Who::System, token_id).await.unwrap();
    assert_eq!(store.session(&live, LONG).await.unwrap(), None, "revoked");
    assert!(store.lookup_token(&token).await.unwrap().is_none());
    store.verify_audit().await.unwrap();
}

async fn keyed_chains_verify_under_their_key_and_seal_old_rows(db: &TestDb) {
    // Rows from before the key.
    user(&db.store, "ana", Role::Admin).await;
    let key = AuditKey::from_bytes([5; 32]);
    let keyed = SqlStore::connect(&db.url)
        .await
        .unwrap()
        .with_audit_key(key.clone());
    assert!(
        keyed.audit_report(None).await.is_err(),
        "unsealed: no keyed row"
    );
    assert_eq!(keyed.seal_audit_chain().await.unwrap(), 2);
    assert_eq!(keyed.seal_audit_chain().await.unwrap(), 0, "sealed once");
    keyed.issue_token(&Who::System, "ana").await.unwrap();
    keyed
        .record_auth_failures("client:192.0.2.1", "failed sign-in with token:abc")
        .await
        .unwrap();
    let report = keyed.audit_report(None).await.unwrap();
    assert_eq!((report.rows, report.unkeyed), (5, 2));
    let trail = keyed.audit_trail(None).await.unwrap();
    assert_eq!(trail[2].action, AuditAction::ChainKeyed);
    let head = report.head.unwrap();
    assert!(keyed.audit_report(Some(&head)).await.is_ok());

    // Another key, or none, cannot vouch for the keyed rows.
    let other = SqlStore::connect(&db.url)
        .await
        .unwrap()
        .with_audit_key(AuditKey::from_bytes([6; 32]));
    assert!(other.audit_report(None).await.is_err());
    assert!(db.store.verify_audit().await.is_err());
}

on_both_backends!(
    sessions_follow_their_token,
    keyed_chains_verify_under_their_key_and_seal_old_rows
);
