//! Owns the property test of the store as a state machine: random transitions, edits, follow-ups and token use over a few articles and users, the store compared with a reference model of the review rules after every step (SQLite; PostgreSQL too when `DATABASE_URL` is set).

mod common;

use std::collections::BTreeMap;
use std::marker::PhantomData;

use common::{TestDb, answer, new_article};
use evident_core::article::{
    Actor, ArticleState, Author, ReviewPolicy, ReviewStatus, Role, RuleError, Slug, TokenId,
    UserId, VersionNo, decide_edit, decide_transition,
};
use evident_core::audit::AuditAction;
use evident_store::{Repository, StoreError, Who};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use tokio::runtime::Runtime;

/// The users every case starts with, in this order.
const USERS: [(&str, Role); 5] = [
    ("rita", Role::Reader),
    ("ana", Role::Reviewer),
    ("ravi", Role::Reviewer),
    ("ben", Role::Editor),
    ("adam", Role::Admin),
];
const ADMIN: usize = 4;

const QUESTIONS: [&str; 3] = [
    "Next step for a presacral recurrence of rectal cancer after chemoradiation?",
    "Lung cancer screening interval for a former smoker?",
    "Blood pressure target in chronic kidney disease?",
];

/// A version number relative to the latest one when the step runs.
#[derive(Debug, Clone, Copy)]
enum Seen {
    Latest,
    /// latest + offset (never 0): a stale or future version.
    Off(i64),
}

impl Seen {
    fn resolve(self, latest: VersionNo) -> VersionNo {
        match self {
            Seen::Latest => latest,
            Seen::Off(d) => VersionNo(latest.0 + d),
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Transition {
        article: usize,
        user: usize,
        to: ReviewStatus,
        seen: Option<Seen>,
    },
    Edit {
        article: usize,
        user: usize,
        base: Seen,
    },
    FollowUp {
        article: usize,
        asker: Option<usize>,
    },
    IssueToken {
        user: usize,
    },
    RevokeToken {
        token: usize,
    },
    Authenticate {
        token: usize,
    },
    AuthenticateForged,
}

/// What the model expects the last step to return.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Start,
    Changed,
    Refused(RuleError),
    FollowUp(i64),
    TokenIssued,
    TokenRevoked,
    NoActiveToken,
    SignedIn(usize),
    Unauthenticated,
}

#[derive(Debug, Clone, PartialEq)]
struct ModelReview {
    reviewer: usize,
    version: VersionNo,
    from: ReviewStatus,
    decision: ReviewStatus,
}

#[derive(Debug, Clone)]
struct ArticleModel {
    status: ReviewStatus,
    /// The author of version n at n − 1 (`None`: the composer).
    authors: Vec<Option<usize>>,
    /// The approved version and who approved it.
    approved: Option<(VersionNo, usize)>,
    revision: i64,
    reviews: Vec<ModelReview>,
    /// Who asked each follow-up, in order.
    follow_ups: Vec<Option<usize>>,
}

impl ArticleModel {
    fn latest(&self) -> VersionNo {
        VersionNo(self.authors.len() as i64)
    }

    /// The rules' view, with user `i` as `UserId(i + 1)` (the model's ids, not the store's).
    fn state(&self) -> ArticleState {
        let approved = self.approved.map_or(0, |(v, _)| v.0 as usize);
        let mut authors_since_approval: Vec<UserId> = self.authors[approved..]
            .iter()
            .flatten()
            .map(|u| model_actor(*u).id)
            .collect();
        authors_since_approval.sort();
        authors_since_approval.dedup();
        ArticleState {
            status: self.status,
            latest_version: self.latest(),
            authors_since_approval,
            approved_version: self.approved.map(|(v, _)| v),
            revision: self.revision,
        }
    }
}

fn model_actor(user: usize) -> Actor {
    let (name, role) = USERS[user];
    Actor {
        id: UserId(user as i64 + 1),
        name: name.into(),
        role,
    }
}

#[derive(Debug, Clone)]
struct Model {
    four_eyes: bool,
    articles: Vec<ArticleModel>,
    /// Every token issued, in order: its user and whether it is still active.
    tokens: Vec<(usize, bool)>,
    /// Expected audit rows per (article index, or `None` for rows about no article) and action.
    audit: BTreeMap<(Option<usize>, &'static str), usize>,
    /// The version argument the last step resolved to (seen or base version).
    version_arg: Option<VersionNo>,
    outcome: Outcome,
}

impl Model {
    fn new(articles: usize, four_eyes: bool) -> Model {
        let mut model = Model {
            four_eyes,
            articles: Vec::new(),
            tokens: (0..USERS.len()).map(|u| (u, true)).collect(),
            audit: BTreeMap::new(),
            version_arg: None,
            outcome: Outcome::Start,
        };
        for _ in USERS {
            model.audited(None, AuditAction::UserAdded);
            model.audited(None, AuditAction::TokenIssued);
        }
        for i in 0..articles {
            model.articles.push(ArticleModel {
                status: ReviewStatus::Submitted,
                authors: vec![None],
                approved: None,
                revision: 1,
                reviews: Vec::new(),
                follow_ups: Vec::new(),
            });
            model.audited(Some(i), AuditAction::ArticleCreated);
        }
        model
    }

    fn policy(&self) -> ReviewPolicy {
        ReviewPolicy {
            four_eyes: self.four_eyes,
        }
    }

    fn audited(&mut self, article: Option<usize>, action: AuditAction) {
        *self.audit.entry((article, action.as_str())).or_default() += 1;
    }

    /// A refusal by the rules; the store audits authorization failures among them.
    fn refused(&mut self, article: usize, err: RuleError) {
        if matches!(
            err,
            RuleError::Forbidden { .. } | RuleError::OwnVersion { .. }
        ) {
            self.audited(Some(article), AuditAction::AuthorizationFailed);
        }
        self.outcome = Outcome::Refused(err);
    }
}

struct ReviewModel;

impl ReferenceStateMachine for ReviewModel {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        (1..=3usize, prop::bool::weighted(0.75))
            .prop_map(|(articles, four_eyes)| Model::new(articles, four_eyes))
            .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let articles = state.articles.len();
        let tokens = state.tokens.len();
        let seen = prop_oneof![
            4 => Just(Seen::Latest),
            1 => prop_oneof![Just(-2i64), Just(-1), Just(1)].prop_map(Seen::Off),
        ];
        // Weighted towards moves that can be legal, so that cases get past "submitted".
        let to = prop_oneof![
            3 => Just(ReviewStatus::UnderReview),
            4 => Just(ReviewStatus::Approved),
            2 => Just(ReviewStatus::ChangesRequested),
            1 => Just(ReviewStatus::Rejected),
            1 => Just(ReviewStatus::Submitted),
        ];
        let user = 0..USERS.len();
        // A transition's user is at times the latest version's author (the composer's
        // stand-in is a reviewer), so that four-eyes gets tested.
        let authors: Vec<usize> = state
            .articles
            .iter()
            .map(|a| a.authors.last().copied().flatten().unwrap_or(1))
            .collect();
        let reviewer = (0..articles).prop_flat_map(move |article| {
            let author = authors[article];
            (
                Just(article),
                prop_oneof![3 => 0..USERS.len(), 2 => Just(author)],
            )
        });
        prop_oneof![
            6 => (reviewer, to, prop::option::weighted(0.6, seen.clone()))
                .prop_map(|((article, user), to, seen)| Step::Transition { article, user, to, seen }),
            4 => (0..articles, user.clone(), seen)
                .prop_map(|(article, user, base)| Step::Edit { article, user, base }),
            2 => (0..articles, prop::option::of(user.clone()))
                .prop_map(|(article, asker)| Step::FollowUp { article, asker }),
            1 => user.prop_map(|user| Step::IssueToken { user }),
            1 => (0..tokens).prop_map(|token| Step::RevokeToken { token }),
            1 => (0..tokens).prop_map(|token| Step::Authenticate { token }),
            1 => Just(Step::AuthenticateForged),
        ]
        .boxed()
    }

    /// Shrinking may remove the article or token a step names.
    fn preconditions(state: &Model, step: &Step) -> bool {
        match *step {
            Step::Transition { article, .. }
            | Step::Edit { article, .. }
            | Step::FollowUp { article, .. } => article < state.articles.len(),
            Step::RevokeToken { token } | Step::Authenticate { token } => {
                token < state.tokens.len()
            }
            Step::IssueToken { .. } | Step::AuthenticateForged => true,
        }
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        state.version_arg = None;
        let policy = state.policy();
        match *step {
            Step::Transition {
                article,
                user,
                to,
                seen,
            } => {
                let a = &state.articles[article];
                let latest = a.latest();
                let seen = seen.map(|s| s.resolve(latest));
                state.version_arg = seen;
                match decide_transition(&a.state(), &model_actor(user), to, seen, policy) {
                    Ok(d) => {
                        let a = &mut state.articles[article];
                        a.reviews.push(ModelReview {
                            reviewer: user,
                            version: latest,
                            from: a.status,
                            decision: d.status,
                        });
                        a.status = d.status;
                        if d.status == ReviewStatus::Approved {
                            assert_eq!(d.approved_version, Some(latest));
                            a.approved = Some((latest, user));
                        }
                        a.revision += 1;
                        state.audited(Some(article), AuditAction::StatusChanged);
                        state.outcome = Outcome::Changed;
                    }
                    Err(e) => state.refused(article, e),
                }
            }
            Step::Edit {
                article,
                user,
                base,
            } => {
                let a = &state.articles[article];
                let base = base.resolve(a.latest());
                state.version_arg = Some(base);
                match decide_edit(&a.state(), &model_actor(user), base) {
                    Ok(d) => {
                        let a = &mut state.articles[article];
                        let moved = d.status != a.status;
                        a.authors.push(Some(user));
                        a.status = d.status;
                        a.revision += 1;
                        state.audited(Some(article), AuditAction::VersionProposed);
                        if moved {
                            state.audited(Some(article), AuditAction::StatusChanged);
                        }
                        state.outcome = Outcome::Changed;
                    }
                    Err(e) => state.refused(article, e),
                }
            }
            Step::FollowUp { article, asker } => {
                let a = &mut state.articles[article];
                a.follow_ups.push(asker);
                state.outcome = Outcome::FollowUp(a.follow_ups.len() as i64);
                state.audited(Some(article), AuditAction::FollowUpAdded);
            }
            Step::IssueToken { user } => {
                state.tokens.push((user, true));
                state.audited(None, AuditAction::TokenIssued);
                state.outcome = Outcome::TokenIssued;
            }
            Step::RevokeToken { token } => {
                if state.tokens[token].1 {
                    state.tokens[token].1 = false;
                    state.audited(None, AuditAction::TokenRevoked);
                    state.outcome = Outcome::TokenRevoked;
                } else {
                    state.outcome = Outcome::NoActiveToken;
                }
            }
            Step::Authenticate { token } => {
                let (user, active) = state.tokens[token];
                if active {
                    state.outcome = Outcome::SignedIn(user);
                } else {
                    state.audited(None, AuditAction::AuthenticationFailed);
                    state.outcome = Outcome::Unauthenticated;
                }
            }
            Step::AuthenticateForged => {
                state.audited(None, AuditAction::AuthenticationFailed);
                state.outcome = Outcome::Unauthenticated;
            }
        }
        state
    }
}

/// Where a case's database lives.
trait Db {
    fn open(rt: &Runtime) -> TestDb;
}

struct Sqlite;
impl Db for Sqlite {
    fn open(rt: &Runtime) -> TestDb {
        rt.block_on(common::sqlite())
    }
}

struct Postgres;
impl Db for Postgres {
    fn open(rt: &Runtime) -> TestDb {
        rt.block_on(common::postgres())
            .expect("the PostgreSQL property test runs only with DATABASE_URL set")
    }
}

/// The system under test: a store on a fresh database, with the runtime that drives it.
struct Sut {
    /// Declared before the runtime, so that it is dropped first.
    db: TestDb,
    rt: Runtime,
    /// The store's users, by model index.
    users: Vec<Actor>,
    slugs: Vec<Slug>,
    /// Every token issued, in order (as the model's `tokens`).
    tokens: Vec<(TokenId, String)>,
}

impl Sut {
    fn user_index(&self, id: UserId) -> usize {
        self.users
            .iter()
            .position(|u| u.id == id)
            .unwrap_or_else(|| panic!("unknown user id {id}"))
    }

    fn author_index(&self, author: Author) -> Option<usize> {
        match author {
            Author::System => None,
            Author::User(id) => Some(self.user_index(id)),
        }
    }
}

struct StoreMachine<B>(PhantomData<B>);

/// The answer text of version `n` of an article: what the check reads back.
fn version_text(article: usize, n: i64) -> String {
    if n == 1 {
        "The first answer.".into()
    } else {
        format!("Article {article}, version {n}.")
    }
}

impl<B: Db> StateMachineTest for StoreMachine<B> {
    type SystemUnderTest = Sut;
    type Reference = ReviewModel;

    fn init_test(model: &Model) -> Sut {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let db = B::open(&rt);
        let (users, tokens, slugs) = rt.block_on(async {
            let store = &db.store;
            let mut users = Vec::new();
            let mut tokens = Vec::new();
            for (name, role) in USERS {
                let (user, token) = store.add_user(&Who::System, name, role).await.unwrap();
                users.push(Actor {
                    id: user.id,
                    name: user.name,
                    role: user.role,
                });
                tokens.push((token.id, token.secret));
            }
            let mut slugs = Vec::new();
            for q in QUESTIONS.iter().take(model.articles.len()) {
                let created = store
                    .create_article(&Who::System, new_article(q))
                    .await
                    .unwrap();
                slugs.push(created.slug);
            }
            (users, tokens, slugs)
        });
        Sut {
            db,
            rt,
            users,
            slugs,
            tokens,
        }
    }

    fn apply(mut sut: Sut, model: &Model, step: Step) -> Sut {
        let store = &sut.db.store;
        let expected = &model.outcome;
        match step {
            Step::Transition {
                article, user, to, ..
            } => {
                let got = sut.rt.block_on(store.transition(
                    &sut.slugs[article],
                    &sut.users[user],
                    to,
                    model.version_arg,
                    Some("a decision"),
                    model.policy(),
                ));
                check_change(got.map(|_| ()), expected, &step_name(&step));
            }
            Step::Edit { article, user, .. } => {
                let n = model.articles[article].latest().0;
                let text = version_text(article, n);
                let got = sut.rt.block_on(store.propose_version(
                    &sut.slugs[article],
                    &sut.users[user],
                    model.version_arg.expect("base version"),
                    answer(QUESTIONS[article], &text),
                    "test-1",
                    Some("an edit"),
                ));
                check_change(got.map(|_| ()), expected, &step_name(&step));
            }
            Step::FollowUp { article, asker } => {
                let by = asker.map_or(Who::Anonymous, |u| Who::User(sut.users[u].clone()));
                let q = "And if she were 85?";
                let f = sut
                    .rt
                    .block_on(store.add_follow_up(
                        &sut.slugs[article],
                        &by,
                        q,
                        vec![],
                        answer(q, "A follow-up answer."),
                    ))
                    .unwrap();
                assert_eq!(Outcome::FollowUp(f.n), *expected);
                assert_eq!(f.asked_by, by.user_id());
            }
            Step::IssueToken { user } => {
                let issued = sut
                    .rt
                    .block_on(store.issue_token(&Who::System, USERS[user].0))
                    .unwrap();
                assert_eq!(*expected, Outcome::TokenIssued);
                sut.tokens.push((issued.id, issued.secret));
            }
            Step::RevokeToken { token } => {
                let admin = Who::User(sut.users[ADMIN].clone());
                let got = sut
                    .rt
                    .block_on(store.revoke_token(&admin, sut.tokens[token].0));
                match (got, expected) {
                    (Ok(()), Outcome::TokenRevoked) => {}
                    (Err(StoreError::NotFound(_)), Outcome::NoActiveToken) => {}
                    (got, expected) => {
                        panic!("revoking token {token}: {got:?}, expected {expected:?}")
                    }
                }
            }
            Step::Authenticate { token } => {
                let got = sut.rt.block_on(store.authenticate(&sut.tokens[token].1));
                match (got, expected) {
                    (Ok(actor), Outcome::SignedIn(user)) => assert_eq!(actor, sut.users[*user]),
                    (Err(StoreError::Unauthenticated), Outcome::Unauthenticated) => {}
                    (got, expected) => {
                        panic!("signing in with token {token}: {got:?}, expected {expected:?}")
                    }
                }
            }
            Step::AuthenticateForged => {
                let forged = format!("evd_{}", "0f".repeat(32));
                let got = sut.rt.block_on(store.authenticate(&forged));
                assert!(matches!(got, Err(StoreError::Unauthenticated)), "{got:?}");
            }
        }
        sut
    }

    fn check_invariants(sut: &Sut, model: &Model) {
        sut.rt.block_on(check(sut, model));
    }

    fn teardown(sut: Sut) {
        sut.rt.block_on(sut.db.store.close());
    }
}

fn step_name(step: &Step) -> String {
    format!("{step:?}")
}

/// A transition or an edit: done when the model says so, refused with the model's reason
/// otherwise, and never failing in any other way.
fn check_change(got: Result<(), StoreError>, expected: &Outcome, step: &str) {
    match (got, expected) {
        (Ok(()), Outcome::Changed) => {}
        (Err(StoreError::Rule(e)), Outcome::Refused(want)) if e == *want => {}
        (got, expected) => panic!("{step}: the store returned {got:?}, the rules say {expected:?}"),
    }
}

/// Everything the store holds agrees with the model, and the invariants hold.
async fn check(sut: &Sut, model: &Model) {
    let store = &sut.db.store;
    for (i, (slug, m)) in sut.slugs.iter().zip(&model.articles).enumerate() {
        let s = store.article(slug).await.unwrap().expect("the article");
        // No illegal transition was stored: the store's state is the model's.
        assert_eq!(s.status, m.status, "article {i} status");
        assert_eq!(s.latest_version, m.latest(), "article {i} latest version");
        assert_eq!(
            sut.author_index(s.latest_author),
            *m.authors.last().unwrap(),
            "article {i} latest author"
        );
        assert_eq!(
            s.approved_version
                .zip(s.approved_by.map(|u| sut.user_index(u))),
            m.approved,
            "article {i} approved version and approver"
        );
        assert_eq!(s.revision, m.revision, "article {i} revision");

        // Versions: 1..=latest, each by its author, with its own answer.
        let versions = store.versions(slug).await.unwrap();
        assert_eq!(versions.len(), m.authors.len(), "article {i} versions");
        for (k, v) in versions.iter().enumerate() {
            assert_eq!(v.n, VersionNo(k as i64 + 1));
            assert_eq!(sut.author_index(v.author), m.authors[k]);
            assert_eq!(v.answer.bottom_line.text, version_text(i, v.n.0));
        }

        // Reviews: the model's, and each a legal transition.
        let reviews = store.reviews(slug).await.unwrap();
        for r in &reviews {
            assert!(
                r.from.next().contains(&r.decision),
                "article {i}: stored review {} -> {} is not a legal transition",
                r.from,
                r.decision
            );
        }
        let stored: Vec<ModelReview> = reviews
            .iter()
            .map(|r| ModelReview {
                reviewer: sut.user_index(r.reviewer),
                version: r.version,
                from: r.from,
                decision: r.decision,
            })
            .collect();
        assert_eq!(stored, m.reviews, "article {i} reviews");

        // What readers see was approved by someone, who did not write it under four-eyes.
        let visible = s.visible();
        let approvals: Vec<_> = reviews
            .iter()
            .filter(|r| r.decision == ReviewStatus::Approved)
            .collect();
        if visible.pending {
            assert!(
                approvals.is_empty(),
                "article {i}: pending although a version was approved"
            );
            assert_eq!(visible.version, s.latest_version);
        } else {
            let by = s.approved_by.expect("an approver");
            assert!(
                approvals
                    .iter()
                    .any(|r| r.version == visible.version && r.reviewer == by),
                "article {i}: version {} is visible but no review by user {by} approved it",
                visible.version
            );
            let shown = store
                .version(slug, visible.version)
                .await
                .unwrap()
                .expect("the visible version");
            if model.four_eyes {
                assert_ne!(
                    shown.author,
                    Author::User(by),
                    "article {i}: approved by its author"
                );
            }
        }

        // Follow-ups: 1..=n, each by its asker.
        let thread = store.follow_ups(slug).await.unwrap();
        let ns: Vec<i64> = thread.iter().map(|f| f.n).collect();
        assert_eq!(ns, (1..=m.follow_ups.len() as i64).collect::<Vec<_>>());
        let askers: Vec<Option<usize>> = thread
            .iter()
            .map(|f| f.asked_by.map(|u| sut.user_index(u)))
            .collect();
        assert_eq!(askers, m.follow_ups, "article {i} follow-up askers");
    }

    // Every change has its audit row, and no refusal that is not audited has one.
    let trail = store.audit_trail(None).await.unwrap();
    let objects: Vec<String> = sut.slugs.iter().map(|s| format!("article:{s}")).collect();
    let mut counts: BTreeMap<(Option<usize>, &'static str), usize> = BTreeMap::new();
    for e in &trail {
        let article = objects.iter().position(|o| *o == e.object);
        *counts.entry((article, e.action.as_str())).or_default() += 1;
    }
    assert_eq!(counts, model.audit, "audit rows per article and action");
    assert_eq!(store.verify_audit().await.unwrap(), trail.len() as u64);
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: 128,
        max_shrink_iters: 400,
        failure_persistence: None,
        ..Config::default()
    })]
    #[test]
    fn the_store_applies_the_review_rules_faithfully_on_sqlite(
        sequential 1..30 => StoreMachine<Sqlite>
    );
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: 16,
        max_shrink_iters: 100,
        failure_persistence: None,
        ..Config::default()
    })]
    fn postgres_cases(sequential 1..30 => StoreMachine<Postgres>);
}

#[test]
fn the_store_applies_the_review_rules_faithfully_on_postgres() {
    if std::env::var("DATABASE_URL").is_err() {
        eprintln!("skipping the PostgreSQL run: DATABASE_URL is not set");
        return;
    }
    postgres_cases();
}
