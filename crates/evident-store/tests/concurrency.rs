//! Owns the concurrency test of the store: fifty tasks changing one article at once (transitions, edits, follow-ups) on SQLite and PostgreSQL, then a check that the history they leave is consistent.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{TestDb, answer, new_article, user};
use evident_core::article::{
    Actor, Author, ReviewPolicy, ReviewStatus, Role, RuleError, Slug, VersionNo,
};
use evident_core::audit::AuditAction;
use evident_store::{Repository, SqlStore, StoreError, Who};

const TASKS: usize = 50;
const POLICY: ReviewPolicy = ReviewPolicy { four_eyes: true };
const Q: &str = "Next step for a presacral recurrence of rectal cancer after chemoradiation?";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Transition,
    Edit,
    FollowUp,
}

/// What one call returned, reduced to what the checks count.
#[derive(Debug)]
enum Outcome {
    Done,
    /// The rules refused (a stale version among them).
    Refused(RuleError),
    Conflict,
}

/// The call's result, failing the test on any error that is neither a rule's refusal nor a
/// conflict (a database error, a deadlock reported by the server, a lost connection).
fn outcome<T>(kind: Kind, task: usize, result: Result<T, StoreError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Done,
        Err(StoreError::Rule(e)) => Outcome::Refused(e),
        Err(StoreError::Conflict(_)) => Outcome::Conflict,
        Err(other) => panic!("task {task} ({kind:?}) failed with {other:?}"),
    }
}

/// A pause of 0 to 4 ms before reloading, different per task and attempt, so that retries
/// interleave with other tasks' writes instead of all landing at once.
async fn pause(i: usize, attempt: usize) {
    tokio::time::sleep(Duration::from_millis(((i * 7 + attempt * 3) % 5) as u64)).await;
}

/// Task `i`: a transition, an edit or a follow-up, each starting from what it read while
/// every other task was reading too. Refused as stale (or, for a decision, as no longer
/// legal), a task reloads and tries again, as a person would: edits up to 3 times,
/// decisions up to 4.
async fn task(
    i: usize,
    store: SqlStore,
    slug: Slug,
    actors: Arc<Vec<Actor>>,
    ready: Arc<AtomicUsize>,
) -> Vec<(Kind, Outcome)> {
    let read = store.article(&slug).await.unwrap().expect("the article");
    // Start together: every task has read the article before any of them writes.
    ready.fetch_add(1, Ordering::SeqCst);
    while ready.load(Ordering::SeqCst) < TASKS {
        tokio::task::yield_now().await;
    }
    let actor = &actors[i % actors.len()];
    let mut done = Vec::new();
    match i % 5 {
        0 | 1 => {
            // A reviewer aiming at a decision; refused as illegal or stale, they reload and
            // take a decision the article's status allows (never rejecting, which would end
            // the history early).
            let planned = match (i / 5) % 3 {
                0 => ReviewStatus::UnderReview,
                1 => ReviewStatus::Approved,
                _ => ReviewStatus::ChangesRequested,
            };
            let mut read = read;
            for attempt in 0..4 {
                let legal: Vec<ReviewStatus> = read
                    .status
                    .next()
                    .iter()
                    .copied()
                    .filter(|s| *s != ReviewStatus::Rejected)
                    .collect();
                let to = if attempt == 0 || legal.is_empty() {
                    planned
                } else {
                    legal[(i + attempt) % legal.len()]
                };
                // An approval names the version read; other moves at times leave it out.
                let seen = (i.is_multiple_of(2) || to == ReviewStatus::Approved)
                    .then_some(read.latest_version);
                let note = format!("decision {attempt} of task {i}");
                let r = store
                    .transition(&slug, actor, to, seen, Some(&note), POLICY)
                    .await;
                let o = outcome(Kind::Transition, i, r);
                let retry = matches!(
                    o,
                    Outcome::Conflict
                        | Outcome::Refused(
                            RuleError::StaleVersion { .. }
                                | RuleError::IllegalTransition { .. }
                                | RuleError::OwnVersion { .. }
                        )
                );
                done.push((Kind::Transition, o));
                if !retry {
                    break;
                }
                pause(i, attempt).await;
                read = store.article(&slug).await.unwrap().unwrap();
            }
        }
        2 | 3 => {
            let mut base = read.latest_version;
            for attempt in 0..3 {
                let text = format!("Edit by task {i}, attempt {attempt}.");
                let r = store
                    .propose_version(&slug, actor, base, answer(Q, &text), "test-1", None)
                    .await;
                let o = outcome(Kind::Edit, i, r);
                let retry = matches!(
                    o,
                    Outcome::Conflict | Outcome::Refused(RuleError::StaleVersion { .. })
                );
                done.push((Kind::Edit, o));
                if !retry {
                    break;
                }
                pause(i, attempt).await;
                base = store.article(&slug).await.unwrap().unwrap().latest_version;
            }
        }
        _ => {
            let by = if i.is_multiple_of(2) {
                Who::Anonymous
            } else {
                Who::User(actor.clone())
            };
            let q = format!("Follow-up {i}: and if she were 85?");
            let r = store
                .add_follow_up(&slug, &by, &q, vec![], answer(&q, "A follow-up answer."))
                .await;
            done.push((Kind::FollowUp, outcome(Kind::FollowUp, i, r)));
        }
    }
    done
}

async fn fifty_concurrent_changes_to_one_article_leave_a_consistent_history(db: &TestDb) {
    let store = &db.store;
    let mut actors = Vec::new();
    for (name, role) in [
        ("ana", Role::Reviewer),
        ("ravi", Role::Reviewer),
        ("ben", Role::Editor),
        ("adam", Role::Admin),
    ] {
        actors.push(user(store, name, role).await.0);
    }
    let actors = Arc::new(actors);
    let slug = store
        .create_article(&Who::System, new_article(Q))
        .await
        .unwrap()
        .slug;
    let rows_before = store.verify_audit().await.unwrap();

    let ready = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..TASKS)
        .map(|i| {
            tokio::spawn(task(
                i,
                store.clone(),
                slug.clone(),
                actors.clone(),
                ready.clone(),
            ))
        })
        .collect();
    let outcomes: Vec<(Kind, Outcome)> = tokio::time::timeout(Duration::from_secs(90), async {
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await.expect("a task panicked"));
        }
        all
    })
    .await
    .expect("the tasks finish (no deadlock, no endless wait for a lock)");

    let succeeded = |kind: Kind| {
        outcomes
            .iter()
            .filter(|(k, o)| *k == kind && matches!(o, Outcome::Done))
            .count()
    };
    let (transitions, edits, follow_ups) = (
        succeeded(Kind::Transition),
        succeeded(Kind::Edit),
        succeeded(Kind::FollowUp),
    );
    let refused = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Refused(_)))
        .count();
    let conflicts = outcomes.len() - transitions - edits - follow_ups - refused;
    eprintln!(
        "{:?}: {transitions} transitions, {edits} edits, {follow_ups} follow-ups done; \
         {refused} refused, {conflicts} conflicts",
        store.backend()
    );
    // Every follow-up can succeed; at least the first writer of each kind must.
    assert_eq!(follow_ups, TASKS / 5, "{outcomes:?}");
    assert!(edits >= 1, "no edit succeeded: {outcomes:?}");
    let audited_refusals = outcomes
        .iter()
        .filter(|(_, o)| {
            matches!(
                o,
                Outcome::Refused(RuleError::Forbidden { .. } | RuleError::OwnVersion { .. })
            )
        })
        .count();

    // Versions 1..=latest without gaps, one per successful edit.
    let article = store.article(&slug).await.unwrap().unwrap();
    let versions = store.versions(&slug).await.unwrap();
    let ns: Vec<i64> = versions.iter().map(|v| v.n.0).collect();
    assert_eq!(ns, (1..=article.latest_version.0).collect::<Vec<_>>());
    assert_eq!(edits as i64, article.latest_version.0 - 1);
    assert_eq!(article.revision, 1 + (edits + transitions) as i64);

    // Follow-ups 1..=n without gaps, one per successful call.
    let thread = store.follow_ups(&slug).await.unwrap();
    let fs: Vec<i64> = thread.iter().map(|f| f.n).collect();
    assert_eq!(fs, (1..=follow_ups as i64).collect::<Vec<_>>());

    // Reviews: one per successful transition, each legal, chaining through the statuses that
    // edits moved the article to (reconstructed from the audit trail in order).
    let reviews = store.reviews(&slug).await.unwrap();
    assert_eq!(reviews.len(), transitions);
    let trail = store
        .audit_trail(Some(&format!("article:{slug}")))
        .await
        .unwrap();
    assert_eq!(trail[0].action, AuditAction::ArticleCreated);
    let mut status = ReviewStatus::Submitted;
    let mut version = 1;
    let mut next_review = reviews.iter();
    let (mut proposed, mut changed, mut followed, mut denied) = (0, 0, 0, 0);
    for (k, e) in trail.iter().enumerate().skip(1) {
        match e.action {
            AuditAction::VersionProposed => {
                assert_eq!(e.before.as_deref(), Some(format!("v{version}").as_str()));
                version += 1;
                assert_eq!(e.after.as_deref(), Some(format!("v{version}").as_str()));
                proposed += 1;
            }
            AuditAction::StatusChanged => {
                assert_eq!(e.before.as_deref(), Some(status.as_str()), "row {}", e.seq);
                let after = e.after.as_deref().unwrap();
                let (to, v) = after.split_once(" v").expect("STATUS vN");
                let to: ReviewStatus = to.parse().unwrap();
                assert_eq!(v.parse::<i64>().unwrap(), version, "row {}", e.seq);
                let by_edit = trail[k - 1].action == AuditAction::VersionProposed
                    && trail[k - 1].seq == e.seq - 1
                    && e.note.as_deref() == Some("new version proposed");
                if by_edit {
                    assert_eq!(to, ReviewStatus::UnderReview, "row {}", e.seq);
                } else {
                    let r = next_review.next().expect("a review for each decision");
                    assert_eq!((r.from, r.decision, r.version.0), (status, to, version));
                    assert!(status.next().contains(&to), "{status} -> {to}");
                    assert_eq!(e.note, r.note);
                }
                status = to;
                changed += 1;
            }
            AuditAction::FollowUpAdded => followed += 1,
            AuditAction::AuthorizationFailed => denied += 1,
            other => panic!("unexpected audit row {other} about the article"),
        }
    }
    assert!(next_review.next().is_none(), "reviews without audit rows");
    assert_eq!(status, article.status);
    assert_eq!(version, article.latest_version.0);
    assert_eq!(proposed, edits);
    assert_eq!(followed, follow_ups);
    assert_eq!(denied, audited_refusals);
    assert!(changed >= transitions);

    // What readers see was approved by someone other than its author.
    if let Some(v) = article.approved_version {
        let by = article.approved_by.unwrap();
        assert!(
            reviews.iter().any(|r| r.decision == ReviewStatus::Approved
                && r.version == v
                && r.reviewer == by)
        );
        let shown = store.version(&slug, v).await.unwrap().unwrap();
        assert_ne!(shown.author, Author::User(by));
    } else {
        assert!(reviews.iter().all(|r| r.decision != ReviewStatus::Approved));
    }
    assert!(article.approved_version <= Some(VersionNo(article.latest_version.0)));

    // The whole chain verifies and holds exactly the rows written here.
    let rows = store.verify_audit().await.unwrap();
    assert_eq!(rows, rows_before + trail.len() as u64 - 1);
}

on_both_backends!(fifty_concurrent_changes_to_one_article_leave_a_consistent_history);
