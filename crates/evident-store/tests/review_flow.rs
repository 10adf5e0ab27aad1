//! The review workflow through the repository, on SQLite and PostgreSQL: creation, transitions, four-eyes, versions, conflicts, follow-ups, tokens and the audit trail.

mod common;

use common::{TestDb, answer, new_article, user};
use evident_core::article::{ReviewPolicy, ReviewStatus, Role, Slug, VersionNo};
use evident_core::audit::AuditAction;
use evident_store::{ArticleFilter, Repository, StoreError, Who};

const POLICY: ReviewPolicy = ReviewPolicy { four_eyes: true };

async fn the_whole_review_path(db: &TestDb) {
    let store = &db.store;
    let (ana, _) = user(store, "ana", Role::Reviewer).await;
    let (ben, _) = user(store, "ben", Role::Editor).await;
    let q = "Next step for a presacral recurrence of rectal cancer after chemoradiation?";
    let created = store
        .create_article(&Who::System, new_article(q))
        .await
        .unwrap();
    assert_eq!(created.status, ReviewStatus::Submitted);
    assert_eq!(
        created.slug.as_str(),
        "next-step-for-a-presacral-recurrence-of-rectal-cancer-after-chemoradiation"
    );
    assert!(created.visible().pending);
    // The same question again gets its own slug.
    let second = store
        .create_article(&Who::System, new_article(q))
        .await
        .unwrap();
    assert_eq!(second.slug.as_str(), format!("{}-2", created.slug));

    let slug = created.slug.clone();
    let s = store
        .transition(
            &slug,
            &ana,
            ReviewStatus::UnderReview,
            None,
            Some("taking it"),
            POLICY,
        )
        .await
        .unwrap();
    assert_eq!(s.status, ReviewStatus::UnderReview);
    // Ben edits: version 2, written by him, still under review.
    let s = store
        .propose_version(
            &slug,
            &ben,
            VersionNo(1),
            answer(q, "An edited answer."),
            "test-1",
            Some("clearer"),
        )
        .await
        .unwrap();
    assert_eq!(
        (s.status, s.latest_version),
        (ReviewStatus::UnderReview, VersionNo(2))
    );
    // Ben may not approve his own version; Ana may.
    let err = store
        .transition(
            &slug,
            &ben,
            ReviewStatus::Approved,
            Some(VersionNo(2)),
            None,
            POLICY,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("four-eyes"), "{err}");
    let s = store
        .transition(
            &slug,
            &ana,
            ReviewStatus::Approved,
            Some(VersionNo(2)),
            Some("ok"),
            POLICY,
        )
        .await
        .unwrap();
    assert_eq!(s.status, ReviewStatus::Approved);
    assert_eq!(s.approved_version, Some(VersionNo(2)));
    assert_eq!(s.approved_by, Some(ana.id));
    assert!(!s.visible().pending);

    // A new version puts it back under review; readers still see version 2.
    let s = store
        .propose_version(
            &slug,
            &ana,
            VersionNo(2),
            answer(q, "A third answer."),
            "test-1",
            None,
        )
        .await
        .unwrap();
    assert_eq!(s.status, ReviewStatus::UnderReview);
    assert_eq!(s.visible().version, VersionNo(2));
    let seen = store
        .version(&slug, s.visible().version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.answer.bottom_line.text, "An edited answer.");
    assert_eq!(store.versions(&slug).await.unwrap().len(), 3);

    let reviews = store.reviews(&slug).await.unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[1].reviewer_name, "ana");

    let listed = store
        .articles(&ArticleFilter {
            status: Some(ReviewStatus::UnderReview),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let found = store
        .articles(&ArticleFilter {
            text: Some("PRESACRAL rectal".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 2);

    let trail = store
        .audit_trail(Some(&format!("article:{slug}")))
        .await
        .unwrap();
    let actions: Vec<AuditAction> = trail.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::ArticleCreated,
            AuditAction::StatusChanged,
            AuditAction::VersionProposed,
            AuditAction::AuthorizationFailed,
            AuditAction::StatusChanged,
            AuditAction::VersionProposed,
            AuditAction::StatusChanged,
        ]
    );
    assert!(store.verify_audit().await.unwrap() >= 8);
}

async fn conflicts_and_illegal_moves_are_refused(db: &TestDb) {
    let store = &db.store;
    let (ana, _) = user(store, "ana", Role::Reviewer).await;
    let (rita, _) = user(store, "rita", Role::Reader).await;
    let slug = store
        .create_article(&Who::System, new_article("Lung cancer screening interval?"))
        .await
        .unwrap()
        .slug;
    let err = store
        .transition(&slug, &ana, ReviewStatus::Approved, None, None, POLICY)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rule(_)), "{err}");
    let err = store
        .transition(&slug, &rita, ReviewStatus::UnderReview, None, None, POLICY)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("may not"), "{err}");
    let denied = store
        .audit_trail(Some(&format!("article:{slug}")))
        .await
        .unwrap();
    assert!(
        denied
            .iter()
            .any(|e| e.action == AuditAction::AuthorizationFailed && e.actor.contains("rita"))
    );
    // An edit on top of an old version is a conflict, never a lost update.
    store
        .propose_version(
            &slug,
            &ana,
            VersionNo(1),
            answer("x", "two"),
            "test-1",
            None,
        )
        .await
        .unwrap();
    let err = store
        .propose_version(
            &slug,
            &ana,
            VersionNo(1),
            answer("x", "stale"),
            "test-1",
            None,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not the latest"), "{err}");
    assert_eq!(store.versions(&slug).await.unwrap().len(), 2);
    let missing: Slug = "no-such-article".parse().unwrap();
    assert!(matches!(
        store
            .transition(
                &missing,
                &ana,
                ReviewStatus::UnderReview,
                None,
                None,
                POLICY
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    store.verify_audit().await.unwrap();
}

async fn tokens_authenticate_until_revoked(db: &TestDb) {
    let store = &db.store;
    let (ana, secret) = user(store, "ana", Role::Admin).await;
    assert_eq!(ana.role, Role::Admin);
    let tokens = store.tokens("ana").await.unwrap();
    assert_eq!(tokens.len(), 1);
    store
        .revoke_token(&Who::User(ana.clone()), tokens[0].id)
        .await
        .unwrap();
    assert!(matches!(
        store.authenticate(&secret).await,
        Err(StoreError::Unauthenticated)
    ));
    assert!(matches!(
        store.authenticate("evd_forged").await,
        Err(StoreError::Unauthenticated)
    ));
    let trail = store.audit_trail(None).await.unwrap();
    let failures = trail
        .iter()
        .filter(|e| e.action == AuditAction::AuthenticationFailed)
        .count();
    assert_eq!(failures, 2);
    assert!(
        trail.iter().all(|e| !e.object.contains(&secret[4..])),
        "the secret never reaches the audit trail"
    );
    // The hash is stored, never the secret.
    let stored: Vec<String> = sqlx::query_scalar("SELECT hash FROM tokens")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|h| !h.contains(&secret[4..]) && h.len() == 64)
    );
    assert!(
        store
            .add_user(&Who::System, "ana", Role::Reader)
            .await
            .is_err()
    );
    store.verify_audit().await.unwrap();
}

async fn follow_ups_belong_to_their_article(db: &TestDb) {
    let store = &db.store;
    let q = "Rectal cancer status post chemoradiation with presacral recurrence: next step?";
    let slug = store
        .create_article(&Who::System, new_article(q))
        .await
        .unwrap()
        .slug;
    let f = "What if she had not received radiation?";
    let first = store
        .add_follow_up(
            &slug,
            &Who::Anonymous,
            f,
            vec![],
            answer(f, "Follow-up answer."),
        )
        .await
        .unwrap();
    assert_eq!(first.n, 1);
    let second = store
        .add_follow_up(
            &slug,
            &Who::Anonymous,
            "And if she were 85?",
            vec![],
            answer(f, "Another."),
        )
        .await
        .unwrap();
    assert_eq!(second.n, 2);
    let thread = store.follow_ups(&slug).await.unwrap();
    assert_eq!(thread.iter().map(|f| f.n).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(thread[0].answer.bottom_line.text, "Follow-up answer.");
    store.verify_audit().await.unwrap();
}

async fn tampering_with_the_audit_trail_is_detected(db: &TestDb) {
    let store = &db.store;
    user(store, "ana", Role::Reviewer).await;
    store
        .create_article(&Who::System, new_article("Hypertension target?"))
        .await
        .unwrap();
    let rows = store.verify_audit().await.unwrap();
    assert!(rows >= 3);
    sqlx::query("UPDATE audit SET actor = 'user:9:mallory' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    let err = store.verify_audit().await.unwrap_err();
    assert!(err.to_string().contains("row 2"), "{err}");
}

async fn a_removed_last_row_is_detected(db: &TestDb) {
    let store = &db.store;
    user(store, "ana", Role::Reviewer).await;
    let last = store.verify_audit().await.unwrap() as i64;
    sqlx::query("DELETE FROM audit WHERE seq = $1")
        .bind(last)
        .execute(store.pool())
        .await
        .unwrap();
    assert!(store.verify_audit().await.is_err());
}

/// Ana proposes v2, Ben adds a full stop as v3: neither may approve v3 (Ana's change is in
/// it), an approval without a version or of an older one is refused, Cleo approves v3.
/// After that only authors of later versions are barred. A rejected article is left out
/// of lists (unless asked for) and never answers a question.
async fn four_eyes_covers_every_author_since_the_last_approval(db: &TestDb) {
    let store = &db.store;
    let (ana, _) = user(store, "ana", Role::Reviewer).await;
    let (ben, _) = user(store, "ben", Role::Reviewer).await;
    let (cleo, _) = user(store, "cleo", Role::Reviewer).await;
    let q = "Beta-blocker dose in heart failure?";
    let slug = store
        .create_article(&Who::System, new_article(q))
        .await
        .unwrap()
        .slug;
    let go = |to, who, seen: Option<i64>| {
        let slug = slug.clone();
        async move {
            store
                .transition(&slug, who, to, seen.map(VersionNo), None, POLICY)
                .await
        }
    };
    go(ReviewStatus::UnderReview, &ana, None).await.unwrap();
    for (who, base, text) in [
        (&ana, 1, "Give 10x the usual dose"),
        (&ben, 2, "Give 10x the usual dose."),
    ] {
        store
            .propose_version(&slug, who, VersionNo(base), answer(q, text), "test-1", None)
            .await
            .unwrap();
    }
    for who in [&ana, &ben] {
        let err = go(ReviewStatus::Approved, who, Some(3)).await.unwrap_err();
        assert!(err.to_string().contains("four-eyes"), "{err}");
    }
    let err = go(ReviewStatus::Approved, &cleo, None).await.unwrap_err();
    assert!(err.to_string().contains("must name the version"), "{err}");
    let err = go(ReviewStatus::Approved, &cleo, Some(2))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not the latest"), "{err}");
    let s = go(ReviewStatus::Approved, &cleo, Some(3)).await.unwrap();
    assert_eq!(s.approved_version, Some(VersionNo(3)));
    // Since the approval only Cleo wrote (v4): Ana may approve it, Cleo may not.
    store
        .propose_version(
            &slug,
            &cleo,
            VersionNo(3),
            answer(q, "Usual dose."),
            "test-1",
            None,
        )
        .await
        .unwrap();
    assert!(go(ReviewStatus::Approved, &cleo, Some(4)).await.is_err());
    go(ReviewStatus::Approved, &ana, Some(4)).await.unwrap();
    let denied = store
        .audit_trail(Some(&slug.audit_object()))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == AuditAction::AuthorizationFailed)
        .count();
    assert_eq!(denied, 3, "each four-eyes refusal is audited");

    // Rejected: withdrawn from lists and from reuse.
    let other = store
        .create_article(&Who::System, new_article("Beta-blocker dose in angina?"))
        .await
        .unwrap()
        .slug;
    for to in [ReviewStatus::UnderReview, ReviewStatus::Rejected] {
        store
            .transition(&other, &ana, to, None, None, POLICY)
            .await
            .unwrap();
    }
    let public = store.articles(&ArticleFilter::default()).await.unwrap();
    assert!(public.iter().all(|a| a.slug != other), "{public:?}");
    let all = store
        .articles(&ArticleFilter {
            include_rejected: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all.iter().any(|a| a.slug == other));
    store.verify_audit().await.unwrap();
}

on_both_backends!(
    four_eyes_covers_every_author_since_the_last_approval,
    the_whole_review_path,
    conflicts_and_illegal_moves_are_refused,
    tokens_authenticate_until_revoked,
    follow_ups_belong_to_their_article,
    tampering_with_the_audit_trail_is_detected,
    a_removed_last_row_is_detected,
);
