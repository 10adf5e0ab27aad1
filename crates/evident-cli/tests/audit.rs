//! The keyed audit chain through the `evident` binary: the key file is private, a copy of the database with a forged row and a recomputed chain fails `audit verify`, `audit anchor` pins the head and `verify --anchor` notices a rewrite or a cut, and a chain written before the key is sealed and still verifies.

mod common;

#[path = "support/forge.rs"]
mod forge;

use common::{evident, fails, ok};
use evident_core::article::Role;
use evident_core::audit::AuditKey;
use evident_engine::store::{Repository, SqlStore, Who};
use forge::{copy_db, forge};
use std::path::Path;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn key_of(data: &Path) -> String {
    std::fs::read_to_string(data.join("audit.key"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn a_forged_copy_with_a_recomputed_chain_fails_verify() {
    let data = tempfile::tempdir().unwrap();
    ok(&evident(
        data.path(),
        &["user", "add", "ana", "--role", "admin"],
    ));
    ok(&evident(data.path(), &["token", "issue", "ana"]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join("audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }
    let verified = ok(&evident(data.path(), &["audit", "verify"]));
    assert!(
        verified.contains("3 rows (3 keyed, 0 unkeyed"),
        "{verified}"
    );
    let key = key_of(data.path());

    for forger_key in [None, Some(AuditKey::from_bytes([7; 32]))] {
        let copy = tempfile::tempdir().unwrap();
        copy_db(data.path(), copy.path());
        runtime().block_on(forge(
            &copy.path().join("evident.db"),
            2,
            forger_key.as_ref(),
        ));
        let err = fails(&evident(
            copy.path(),
            &["--audit-key", &key, "audit", "verify"],
        ));
        assert!(err.contains("audit trail broken"), "{err}");
    }
    // The original still verifies.
    ok(&evident(data.path(), &["audit", "verify"]));
}

#[test]
fn an_anchor_pins_the_head_against_rewrites_and_cuts() {
    let data = tempfile::tempdir().unwrap();
    ok(&evident(
        data.path(),
        &["user", "add", "ana", "--role", "admin"],
    ));
    let anchor = ok(&evident(data.path(), &["audit", "anchor"]))
        .trim()
        .to_string();
    assert!(
        anchor.starts_with("2:") && anchor.len() == 2 + 64,
        "{anchor}"
    );
    ok(&evident(data.path(), &["token", "issue", "ana"]));
    let out = ok(&evident(
        data.path(),
        &["audit", "verify", "--anchor", &anchor],
    ));
    assert!(out.contains("still holds anchor row 2"), "{out}");
    fails(&evident(
        data.path(),
        &["audit", "verify", "--anchor", "2:zz"],
    ));

    // Cut back to row 1 (head moved too): the chain verifies alone, not with the anchor.
    runtime().block_on(async {
        let store = SqlStore::open_sqlite(&data.path().join("evident.db"))
            .await
            .unwrap();
        let first = store.audit_trail(None).await.unwrap().remove(0);
        sqlx::query("DELETE FROM tokens")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit WHERE seq > 1")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = 1, hash = $1 WHERE id = 1")
            .bind(&first.hash)
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    ok(&evident(data.path(), &["audit", "verify"]));
    let err = fails(&evident(
        data.path(),
        &["audit", "verify", "--anchor", &anchor],
    ));
    assert!(err.contains("before the anchor"), "{err}");
}

#[test]
fn a_chain_from_before_the_key_is_sealed_and_still_verifies() {
    let data = tempfile::tempdir().unwrap();
    // Rows written without a key, as every chain was before keyed audit.
    runtime().block_on(async {
        let store = SqlStore::open_sqlite(&data.path().join("evident.db"))
            .await
            .unwrap();
        store
            .add_user(&Who::System, "ana", Role::Admin)
            .await
            .unwrap();
        store.close().await;
    });
    // `audit verify` writes nothing: an unsealed legacy chain is reported, not blessed.
    let err = fails(&evident(data.path(), &["audit", "verify"]));
    assert!(err.contains("no row of the chain is keyed"), "{err}");
    // Any other command seals it under the key.
    ok(&evident(data.path(), &["user", "list"]));
    let out = ok(&evident(data.path(), &["audit", "verify"]));
    assert!(out.contains("3 rows (1 keyed, 2 unkeyed"), "{out}");
    let log = ok(&evident(data.path(), &["audit", "log"]));
    assert!(log.contains("chain_keyed"), "{log}");
    // New rows are keyed; the old ones still verify.
    ok(&evident(data.path(), &["token", "issue", "ana"]));
    let out = ok(&evident(data.path(), &["audit", "verify"]));
    assert!(out.contains("4 rows (2 keyed, 2 unkeyed"), "{out}");
}
