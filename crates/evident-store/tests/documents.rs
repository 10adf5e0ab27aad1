//! Corpus documents under review, on SQLite and PostgreSQL: registering (Submitted, audited, idempotent), a changed document back to Submitted, transitions by the articles' rules, and the audit chain.

mod common;

use common::{TestDb, user};
use evident_core::article::{DocumentEntry, ReviewPolicy, ReviewStatus, Role};
use evident_core::audit::AuditAction;
use evident_store::{Repository, StoreError, Who};

const POLICY: ReviewPolicy = ReviewPolicy { four_eyes: true };

fn entry(id: &str, fill: char) -> DocumentEntry {
    DocumentEntry {
        doc_id: id.to_string(),
        title: format!("Title of {id}"),
        source: Some("Test society".into()),
        sha256: fill.to_string().repeat(64),
    }
}

fn starter() -> Vec<DocumentEntry> {
    vec![
        entry("rectal-cancer-local-recurrence", 'a'),
        entry("atrial-fibrillation-management", 'b'),
        entry("hyperkalemia", 'c'),
    ]
}

async fn actions(db: &TestDb, object: &str) -> Vec<AuditAction> {
    db.store
        .audit_trail(Some(object))
        .await
        .unwrap()
        .iter()
        .map(|e| e.action)
        .collect()
}

async fn registering_is_audited_and_idempotent(db: &TestDb) {
    let store = &db.store;
    let report = store
        .register_documents(&Who::System, &starter())
        .await
        .unwrap();
    assert_eq!(report.added.len(), 3);
    assert!(report.changed.is_empty());
    let docs = store.documents(None).await.unwrap();
    assert_eq!(
        docs.iter().map(|d| d.doc_id.as_str()).collect::<Vec<_>>(),
        [
            "atrial-fibrillation-management",
            "hyperkalemia",
            "rectal-cancer-local-recurrence"
        ]
    );
    for d in &docs {
        assert_eq!(d.status, ReviewStatus::Submitted);
        assert_eq!((d.approved_by, d.approved_at_ms), (None, None));
        assert_eq!(d.source.as_deref(), Some("Test society"));
    }
    let trail = store.audit_trail(None).await.unwrap();
    assert_eq!(trail.len(), 3);
    assert!(
        trail
            .iter()
            .all(|e| e.action == AuditAction::DocumentRegistered && e.actor == "system")
    );
    assert_eq!(
        actions(db, "document:hyperkalemia").await,
        [AuditAction::DocumentRegistered]
    );

    // The same set again writes nothing; a new document is added alone.
    let again = store
        .register_documents(&Who::System, &starter())
        .await
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(again.unchanged, 3);
    assert_eq!(store.audit_trail(None).await.unwrap().len(), 3);
    assert_eq!(store.documents(None).await.unwrap(), docs);
    let mut more = starter();
    more.push(entry("asthma", 'd'));
    let report = store.register_documents(&Who::System, &more).await.unwrap();
    assert_eq!((report.added, report.unchanged), (vec!["asthma".into()], 3));
    assert_eq!(store.verify_audit().await.unwrap(), 4);

    // A malformed set is refused before anything is written.
    let mut twice = starter();
    twice.push(entry("hyperkalemia", 'e'));
    assert!(matches!(
        store.register_documents(&Who::System, &twice).await,
        Err(StoreError::Invalid(_))
    ));
    let mut bad = starter();
    bad[0].sha256 = "not-a-hash".into();
    assert!(matches!(
        store.register_documents(&Who::System, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.verify_audit().await.unwrap(), 4);
}

async fn transitions_follow_the_rules(db: &TestDb) {
    let store = &db.store;
    let (ana, _) = user(store, "ana", Role::Reviewer).await;
    let (rita, _) = user(store, "rita", Role::Reader).await;
    store
        .register_documents(&Who::System, &starter())
        .await
        .unwrap();
    let id = "rectal-cancer-local-recurrence";

    // A reader may not review: refused, and the refusal is audited.
    let err = store
        .transition_document(id, &rita, ReviewStatus::UnderReview, None, POLICY)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("may not review"), "{err}");
    let object = format!("document:{id}");
    let trail = store.audit_trail(Some(&object)).await.unwrap();
    let denied = trail.last().unwrap();
    assert_eq!(denied.action, AuditAction::AuthorizationFailed);
    assert_eq!(denied.actor, format!("user:{}:rita", rita.id));

    // Submitted cannot be approved directly.
    let err = store
        .transition_document(id, &ana, ReviewStatus::Approved, None, POLICY)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("under review first"), "{err}");
    assert_eq!(
        store.document(id).await.unwrap().unwrap().status,
        ReviewStatus::Submitted
    );

    // Under review, then approved: a system-written document may be approved by any
    // reviewer, four-eyes included.
    let d = store
        .transition_document(
            id,
            &ana,
            ReviewStatus::UnderReview,
            Some("taking it"),
            POLICY,
        )
        .await
        .unwrap();
    assert_eq!((d.status, d.revision), (ReviewStatus::UnderReview, 2));
    let d = store
        .transition_document(id, &ana, ReviewStatus::Approved, Some("matches"), POLICY)
        .await
        .unwrap();
    assert_eq!(d.status, ReviewStatus::Approved);
    assert_eq!(d.approved_by, Some(ana.id));
    assert!(d.approved_at_ms.is_some());
    assert_eq!(store.document(id).await.unwrap().unwrap(), d);
    // Approved is final for a transition.
    let err = store
        .transition_document(id, &ana, ReviewStatus::Rejected, None, POLICY)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rule(_)), "{err}");
    assert_eq!(
        store
            .documents(Some(ReviewStatus::Approved))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .documents(Some(ReviewStatus::Submitted))
            .await
            .unwrap()
            .len(),
        2
    );
    let missing = store
        .transition_document("no-such-doc", &ana, ReviewStatus::UnderReview, None, POLICY)
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");

    assert_eq!(
        actions(db, &object).await,
        [
            AuditAction::DocumentRegistered,
            AuditAction::AuthorizationFailed,
            AuditAction::StatusChanged,
            AuditAction::StatusChanged,
        ]
    );
    let rows = store.audit_trail(Some(&object)).await.unwrap();
    assert_eq!(rows[3].before.as_deref(), Some("under_review"));
    assert!(
        rows[3]
            .after
            .as_deref()
            .unwrap()
            .starts_with("approved sha256:aaaa"),
        "{:?}",
        rows[3].after
    );
    assert_eq!(rows[3].note.as_deref(), Some("matches"));
    store.verify_audit().await.unwrap();
}

async fn a_changed_document_needs_review_again(db: &TestDb) {
    let store = &db.store;
    let (ana, _) = user(store, "ana", Role::Editor).await;
    store
        .register_documents(&Who::System, &starter())
        .await
        .unwrap();
    let id = "hyperkalemia";
    for to in [ReviewStatus::UnderReview, ReviewStatus::Approved] {
        store
            .transition_document(id, &ana, to, None, POLICY)
            .await
            .unwrap();
    }
    let approved = store.document(id).await.unwrap().unwrap();
    assert_eq!(approved.status, ReviewStatus::Approved);

    let mut edited = starter();
    edited[2].sha256 = "f".repeat(64);
    edited[2].title = "Hyperkalemia, revised".into();
    let report = store
        .register_documents(&Who::System, &edited)
        .await
        .unwrap();
    assert_eq!(report.changed, vec![id.to_string()]);
    assert_eq!((report.added.len(), report.unchanged), (0, 2));
    let reset = store.document(id).await.unwrap().unwrap();
    assert_eq!(reset.status, ReviewStatus::Submitted);
    assert_eq!((reset.approved_by, reset.approved_at_ms), (None, None));
    assert_eq!(reset.sha256, "f".repeat(64));
    assert_eq!(reset.title, "Hyperkalemia, revised");
    assert_eq!(reset.created_at_ms, approved.created_at_ms);
    assert!(reset.revision > approved.revision);
    let last = store
        .audit_trail(Some("document:hyperkalemia"))
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.action, AuditAction::DocumentChanged);
    assert!(
        last.before
            .as_deref()
            .unwrap()
            .starts_with("approved sha256:cccc"),
        "{:?}",
        last.before
    );
    assert!(
        last.after
            .as_deref()
            .unwrap()
            .starts_with("submitted sha256:ffff"),
        "{:?}",
        last.after
    );
    // The others are untouched; the same edited set again writes nothing.
    let before = store.verify_audit().await.unwrap();
    assert!(
        store
            .register_documents(&Who::System, &edited)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.verify_audit().await.unwrap(), before);
    // The new content goes through review like the first.
    store
        .transition_document(id, &ana, ReviewStatus::UnderReview, None, POLICY)
        .await
        .unwrap();
    let d = store
        .transition_document(id, &ana, ReviewStatus::Rejected, Some("wrong"), POLICY)
        .await
        .unwrap();
    assert_eq!((d.status, d.approved_by), (ReviewStatus::Rejected, None));
    store.verify_audit().await.unwrap();
}

on_both_backends!(
    registering_is_audited_and_idempotent,
    transitions_follow_the_rules,
    a_changed_document_needs_review_again,
);
