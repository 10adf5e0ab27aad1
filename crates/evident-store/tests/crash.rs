//! Owns the crash test of the store: a writer process killed with SIGKILL in the middle of a batch of saves leaves only whole articles and an audit trail that verifies (SQLite; PostgreSQL too when `DATABASE_URL` is set).

mod common;

use std::collections::HashMap;
use std::fs::File;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestDb, answer, new_article};
use evident_core::article::VersionNo;
use evident_core::audit::AuditAction;
use evident_store::{Backend, Repository, SqlStore, Who};
use sqlx::Row;

/// The variable that turns the ignored child test into the writer, naming its database.
const CHILD_DB: &str = "EVIDENT_CRASH_CHILD_DB";
/// The child test's name, as the test harness matches it with `--exact`.
const CHILD: &str = "crash_child_saves_articles_until_it_is_killed";
/// How many articles must exist before the writer is killed.
const BEFORE_KILL: i64 = 20;
/// The size of each article's answer.
const ANSWER_BYTES: usize = 50 * 1024;

/// The answer text of the article for question number `i`: large, and recognisable.
fn big_text(i: usize) -> String {
    let line = format!("Article {i}: the answer goes on at length. ");
    line.repeat(ANSWER_BYTES / line.len() + 1)
}

fn question(i: usize) -> String {
    format!("Crash test question number {i} about rectal cancer?")
}

/// The writer: creates articles with large answers and follow-ups as fast as it can, until
/// it is killed (or a minute passes, should its parent have died).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the writer that crash tests start and kill; does nothing on its own"]
async fn crash_child_saves_articles_until_it_is_killed() {
    let Ok(url) = std::env::var(CHILD_DB) else {
        return;
    };
    let store = SqlStore::connect(&url)
        .await
        .expect("the child opens the store");
    let started = Instant::now();
    let mut i = 0;
    while started.elapsed() < Duration::from_secs(60) {
        let q = question(i);
        let mut new = new_article(&q);
        new.answer = answer(&q, &big_text(i));
        let created = store.create_article(&Who::System, new).await.unwrap();
        for k in 0..2 {
            let f = format!("Follow-up {k} to question {i}?");
            store
                .add_follow_up(
                    &created.slug,
                    &Who::Anonymous,
                    &f,
                    vec![],
                    answer(&f, &big_text(i)),
                )
                .await
                .unwrap();
        }
        i += 1;
    }
}

async fn article_count(store: &SqlStore) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM articles")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

async fn scalar(store: &SqlStore, sql: &'static str) -> i64 {
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

/// Starts the writer on the database at `url` and kills it with SIGKILL once `target`
/// articles exist; returns how long that took.
async fn kill_the_writer_mid_batch(url: &str, target: i64) -> Duration {
    let store = SqlStore::connect(url).await.expect("open the store");
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("child.log");
    let log = File::create(&log_path).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CHILD, "--ignored", "--nocapture"])
        .env(CHILD_DB, url)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("start the writer");
    let child_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the writer ended on its own ({status}):\n{}", child_log());
        }
        if article_count(&store).await >= target {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the writer saved too little:\n{}",
            child_log()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().expect("kill the writer"); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success(), "the writer was killed, not finished");
    store.close().await;
    started.elapsed()
}

/// What a killed writer leaves: whole articles (each with version 1 and its full answer,
/// follow-ups numbered without gaps), no row without its article, one audit row per saved
/// change and a chain that verifies. Returns the number of articles.
async fn only_whole_articles_remain(store: &SqlStore) -> i64 {
    if store.backend() == Backend::Sqlite {
        let check: String = sqlx::query("PRAGMA integrity_check")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(check, "ok", "SQLite integrity check");
    }
    let articles = article_count(store).await;
    let slugs: Vec<(String, String)> = sqlx::query("SELECT slug, question FROM articles")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("slug").unwrap(), r.try_get("question").unwrap()))
        .collect();
    let mut follow_ups = HashMap::new();
    for (slug, question) in &slugs {
        let slug = slug.parse().unwrap();
        let summary = store.article(&slug).await.unwrap().expect("the article");
        assert_eq!(summary.latest_version.0, 1);
        let v1 = store
            .version(&slug, VersionNo(1))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("article {slug} has no version 1"));
        let i: usize = question
            .trim_start_matches("Crash test question number ")
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(v1.answer.bottom_line.text, big_text(i), "article {slug}");
        let thread = store.follow_ups(&slug).await.unwrap();
        let ns: Vec<i64> = thread.iter().map(|f| f.n).collect();
        assert_eq!(ns, (1..=ns.len() as i64).collect::<Vec<_>>());
        assert!(
            thread
                .iter()
                .all(|f| f.answer.bottom_line.text == big_text(i))
        );
        follow_ups.insert(format!("article:{slug}"), thread.len());
    }
    let orphans = scalar(
        store,
        "SELECT COUNT(*) AS n FROM versions v WHERE NOT EXISTS \
         (SELECT 1 FROM articles a WHERE a.id = v.article_id)",
    )
    .await;
    assert_eq!(orphans, 0, "versions without their article");
    assert_eq!(
        scalar(store, "SELECT COUNT(*) AS n FROM versions").await,
        articles
    );
    let stray = scalar(
        store,
        "SELECT COUNT(*) AS n FROM follow_ups f WHERE NOT EXISTS \
         (SELECT 1 FROM articles a WHERE a.id = f.article_id)",
    )
    .await;
    assert_eq!(stray, 0, "follow-ups without their article");

    // Every saved change has its audit row, and only those.
    let trail = store.audit_trail(None).await.unwrap();
    let created: Vec<&str> = trail
        .iter()
        .filter(|e| e.action == AuditAction::ArticleCreated)
        .map(|e| e.object.as_str())
        .collect();
    assert_eq!(created.len() as i64, articles);
    for (slug, _) in &slugs {
        let object = format!("article:{slug}");
        assert_eq!(
            created.iter().filter(|o| **o == object).count(),
            1,
            "{object}"
        );
        let audited = trail
            .iter()
            .filter(|e| e.action == AuditAction::FollowUpAdded && e.object == object)
            .count();
        assert_eq!(audited, follow_ups[&object], "follow-ups of {object}");
    }
    assert_eq!(store.verify_audit().await.unwrap(), trail.len() as u64);
    articles
}

/// Kills the writer three times on the same database, each time once it has added about
/// twenty articles, and checks what is left after each crash; then saves once more.
async fn writers_killed_mid_batch_leave_only_whole_articles(db: TestDb) {
    db.store.close().await;
    for round in 1..=3 {
        let took = kill_the_writer_mid_batch(&db.url, BEFORE_KILL * round).await;
        // Reopen, as the next process would.
        let store = SqlStore::connect(&db.url).await.expect("reopen the store");
        let articles = only_whole_articles_remain(&store).await;
        assert!(articles >= BEFORE_KILL * round);
        eprintln!(
            "{:?}: writer {round} killed after {} ms, {articles} articles saved in all",
            store.backend(),
            took.as_millis()
        );
        store.close().await;
    }
    // The store goes on: the next save after the crashes is whole too.
    let store = SqlStore::connect(&db.url).await.expect("reopen the store");
    let rows = store.verify_audit().await.unwrap();
    store
        .create_article(&Who::System, new_article("After the crash?"))
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap(), rows + 1);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_killed_mid_batch_leave_only_whole_articles_on_sqlite() {
    writers_killed_mid_batch_leave_only_whole_articles(common::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_killed_mid_batch_leave_only_whole_articles_on_postgres() {
    let Some(db) = common::postgres().await else {
        return;
    };
    writers_killed_mid_batch_leave_only_whole_articles(db).await;
}
