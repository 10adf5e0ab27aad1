//! Owns the read benchmark of the store: article reads by slug per second (`article` + `version` of the visible version) on SQLite and, when `DATABASE_URL` is set, PostgreSQL, by one task and by eight.
//!
//! `cargo run --release -p evident-store --example read_bench [ARTICLES] [SECONDS]`
//! (defaults 200 articles, 3 s per run). Each figure is the median of 3 runs. PostgreSQL
//! runs on a fresh database created on the server `DATABASE_URL` names, dropped afterwards.

use std::sync::Arc;
use std::time::{Duration, Instant};

use evident_core::answer::Audience;
use evident_core::article::{
    Actor, QuestionKey, ReviewPolicy, ReviewStatus, Role, Slug, VersionNo,
};
use evident_core::lexicon::Lexicon;
use evident_core::question::analyze;
use evident_store::{NewArticle, Repository, SqlStore, Who};
use sqlx::Executor;

#[path = "../tests/common/answer_fixture.rs"]
mod answer_fixture;
use answer_fixture::answer;

const RUNS: usize = 3;
const TASKS: usize = 8;

/// `n` articles, every other one approved (so reads see both the pending and the approved
/// path); returns their slugs.
async fn fill(store: &SqlStore, n: usize) -> Vec<Slug> {
    let (_, token) = store
        .add_user(&Who::System, "bench-reviewer", Role::Reviewer)
        .await
        .expect("add user");
    let reviewer: Actor = store.authenticate(&token.secret).await.expect("sign in");
    let policy = ReviewPolicy::default();
    let text = "The recommended next step is a multidisciplinary assessment. ".repeat(40);
    let mut slugs = Vec::with_capacity(n);
    for i in 0..n {
        let question = format!("Benchmark question {i} about rectal cancer recurrence?");
        let q = analyze(&question, Lexicon::builtin());
        let new = NewArticle {
            key: QuestionKey::of(&q),
            audience: Audience::Physician,
            answer: answer(&question, &text),
            corpus_version: "bench-1".into(),
            embedding: None,
            question,
        };
        let slug = store
            .create_article(&Who::System, new)
            .await
            .expect("create")
            .slug;
        if i.is_multiple_of(2) {
            for to in [ReviewStatus::UnderReview, ReviewStatus::Approved] {
                store
                    .transition(&slug, &reviewer, to, Some(VersionNo(1)), None, policy)
                    .await
                    .expect("review");
            }
        }
        slugs.push(slug);
    }
    slugs
}

/// One read: the article by slug, then the version readers see.
async fn read(store: &SqlStore, slug: &Slug) {
    let article = store.article(slug).await.expect("read").expect("article");
    let version = store
        .version(slug, article.visible().version)
        .await
        .expect("read")
        .expect("version");
    std::hint::black_box(version);
}

/// Reads per second by `tasks` tasks reading in turn through the slugs for `seconds`.
async fn run(store: &SqlStore, slugs: &Arc<Vec<Slug>>, tasks: usize, seconds: f64) -> f64 {
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let store = store.clone();
            let slugs = slugs.clone();
            tokio::spawn(async move {
                let mut count = 0usize;
                let mut i = t * 7919;
                while Instant::now() < until {
                    read(&store, &slugs[i % slugs.len()]).await;
                    i += 1;
                    count += 1;
                }
                count
            })
        })
        .collect();
    let mut reads = 0;
    for h in handles {
        reads += h.await.expect("reader");
    }
    reads as f64 / started.elapsed().as_secs_f64()
}

async fn bench(name: &str, store: &SqlStore, articles: usize, seconds: f64) {
    let slugs = Arc::new(fill(store, articles).await);
    // Warm up connections and caches.
    run(store, &slugs, TASKS, 0.3).await;
    for tasks in [1, TASKS] {
        let mut rates: Vec<f64> = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            rates.push(run(store, &slugs, tasks, seconds).await);
        }
        let mut sorted = rates.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "{name:<10} {articles} articles, {tasks} task{}: {:>8.0} reads/s (median of {RUNS}: {})",
            if tasks == 1 { " " } else { "s" },
            sorted[RUNS / 2],
            rates
                .iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let articles: usize = args.next().map_or(200, |a| a.parse().expect("ARTICLES"));
    let seconds: f64 = args.next().map_or(3.0, |a| a.parse().expect("SECONDS"));

    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqlStore::open_sqlite(&dir.path().join("bench.db"))
        .await
        .expect("open sqlite");
    bench("sqlite", &store, articles, seconds).await;
    store.close().await;

    let Ok(admin) = std::env::var("DATABASE_URL") else {
        println!("postgres   skipped: DATABASE_URL is not set");
        return;
    };
    sqlx::any::install_default_drivers();
    let admin_pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin)
        .await
        .expect("connect to DATABASE_URL");
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("random");
    let name = format!(
        "evident_bench_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    admin_pool
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create the bench database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let store = SqlStore::connect(&format!("{base}/{name}"))
        .await
        .expect("open postgres");
    bench("postgres", &store, articles, seconds).await;
    store.close().await;
    admin_pool
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await
        .expect("drop the bench database");
}
