//! Test databases: a fresh SQLite file, or a fresh PostgreSQL database created on the server that `DATABASE_URL` names and dropped afterwards, and sample answers.
#![allow(dead_code)]

use evident_core::answer::Audience;
use evident_core::article::{Actor, QuestionKey, Role};
use evident_core::lexicon::Lexicon;
use evident_core::question::analyze;
use evident_store::{NewArticle, Repository, SqlStore, Who};
use sqlx::Executor;

#[path = "answer_fixture.rs"]
mod answer_fixture;
pub use answer_fixture::answer;

/// A store on a database that exists for one test.
pub struct TestDb {
    pub store: SqlStore,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_pg.take() {
            // The runtime of the test may be gone: drop the database from a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(pool) = admin_pool(&admin).await {
                        let _ = pool
                            .execute(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

async fn admin_pool(url: &str) -> Result<sqlx::AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("evident.db");
    let store = SqlStore::open_sqlite(&path).await.expect("open sqlite");
    TestDb {
        store,
        url: format!("sqlite://{}?mode=rwc", path.display()),
        _dir: Some(dir),
        drop_pg: None,
    }
}

/// A fresh PostgreSQL database, or `None` (with a note) when `DATABASE_URL` is not set.
pub async fn postgres() -> Option<TestDb> {
    let Ok(admin) = std::env::var("DATABASE_URL") else {
        eprintln!("skipping the PostgreSQL run: DATABASE_URL is not set");
        return None;
    };
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("random");
    let name = format!(
        "evident_test_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let pool = admin_pool(&admin).await.expect("connect to DATABASE_URL");
    pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create test database");
    pool.close().await;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let store = SqlStore::connect(&url).await.expect("open postgres");
    Some(TestDb {
        store,
        url,
        _dir: None,
        drop_pg: Some((admin, name)),
    })
}

/// Runs an async test body against SQLite and, when `DATABASE_URL` is set, PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::common::sqlite().await;
                super::$name(&db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::common::postgres().await else { return };
                super::$name(&db).await;
            }
        }
    )*};
}

pub fn new_article(question: &str) -> NewArticle {
    let q = analyze(question, Lexicon::builtin());
    NewArticle {
        question: question.to_string(),
        key: QuestionKey::of(&q),
        audience: Audience::Physician,
        answer: answer(question, "The first answer."),
        corpus_version: "test-1".into(),
        embedding: None,
    }
}

/// Adds a user and signs them in with the token they were given.
pub async fn user(store: &SqlStore, name: &str, role: Role) -> (Actor, String) {
    let (_, token) = store
        .add_user(&Who::System, name, role)
        .await
        .expect("add user");
    let actor = store
        .authenticate(&token.secret)
        .await
        .expect("authenticate");
    (actor, token.secret)
}
