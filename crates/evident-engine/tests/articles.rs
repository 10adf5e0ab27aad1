//! Articles through the engine on the starter knowledge base: near-duplicate reuse by embedding, no reuse across different facts, and follow-ups that keep the thread.

use std::sync::Arc;

use evident_core::article::{ReviewPolicy, ReviewStatus, Role, VersionNo};
use evident_core::lexicon::Lexicon;
use evident_core::question::FactStatus;
use evident_engine::articles::{Answered, ask_with_articles, follow_up, save};
use evident_engine::store::{Repository, SqlStore, Who};
use evident_engine::{AskOptions, NoProgress, ask, starter};
use evident_search::{Embedder, HashEmbedder, SearchIndex};

const QUESTION: &str =
    "Next step for a presacral recurrence of rectal cancer after chemoradiation?";

fn starter_index(dir: &std::path::Path) -> SearchIndex {
    starter::ensure_starter(dir, &NoProgress).expect("starter");
    let embedder: Arc<dyn Embedder> = Arc::new(HashEmbedder { dim: 512 });
    evident_engine::ingest::embed(dir, embedder.as_ref(), usize::MAX, 1, &NoProgress)
        .expect("embed");
    SearchIndex::open(dir, Some(embedder)).expect("open")
}

#[tokio::test]
async fn an_approved_article_answers_a_reworded_question_with_the_same_facts_only() {
    let dir = tempfile::tempdir().unwrap();
    let index = starter_index(dir.path());
    assert!(index.has_dense());
    let lex = Lexicon::builtin();
    let store = SqlStore::open_sqlite(&dir.path().join("evident.db"))
        .await
        .unwrap();
    let options = AskOptions::default();

    let asked = ask(&index, lex, QUESTION, &options).unwrap();
    let article = save(&store, &index, &Who::System, &asked).await.unwrap();
    let (_, token) = store
        .add_user(&Who::System, "ana", Role::Reviewer)
        .await
        .unwrap();
    let ana = store.authenticate(&token.secret).await.unwrap();
    let policy = ReviewPolicy::default();
    store
        .transition(
            &article.slug,
            &ana,
            ReviewStatus::UnderReview,
            None,
            None,
            policy,
        )
        .await
        .unwrap();

    let reworded = "After chemoradiation, next step for presacral recurrence of rectal cancer?";
    // Not approved yet: composed afresh.
    let answered = ask_with_articles(&store, &index, lex, reworded, &options)
        .await
        .unwrap();
    assert!(matches!(answered, Answered::Composed(_)));

    store
        .transition(
            &article.slug,
            &ana,
            ReviewStatus::Approved,
            Some(VersionNo(1)),
            None,
            policy,
        )
        .await
        .unwrap();
    match ask_with_articles(&store, &index, lex, reworded, &options)
        .await
        .unwrap()
    {
        Answered::Reused(r) => {
            assert_eq!(r.article.slug, article.slug);
            assert!(
                r.similarity >= 0.95 && r.similarity < 1.0,
                "{}",
                r.similarity
            );
            assert_eq!(r.version.answer.bottom_line, asked.answer().bottom_line);
        }
        Answered::Composed(_) => panic!("the reworded question should reuse the approved article"),
    }
    // The same words with a different fact that matters never reuse it.
    let flipped = "Next step for a presacral recurrence of rectal cancer, no prior radiation?";
    assert!(matches!(
        ask_with_articles(&store, &index, lex, flipped, &options)
            .await
            .unwrap(),
        Answered::Composed(_)
    ));
    // Another audience gets its own answer.
    let patient = AskOptions {
        audience: evident_core::answer::Audience::Patient,
        ..options.clone()
    };
    assert!(matches!(
        ask_with_articles(&store, &index, lex, QUESTION, &patient)
            .await
            .unwrap(),
        Answered::Composed(_)
    ));
}

#[tokio::test]
async fn a_follow_up_keeps_the_thread_facts_and_flips_the_one_it_restates() {
    let dir = tempfile::tempdir().unwrap();
    let index = starter_index(dir.path());
    let lex = Lexicon::builtin();
    let store = SqlStore::open_sqlite(&dir.path().join("evident.db"))
        .await
        .unwrap();
    let options = AskOptions::default();
    let q = "68-year-old woman with rectal cancer status post chemoradiation and a new presacral lesion: next step?";
    let asked = ask(&index, lex, q, &options).unwrap();
    let slug = save(&store, &index, &Who::System, &asked)
        .await
        .unwrap()
        .slug;

    let f = follow_up(
        &store,
        &index,
        lex,
        &slug,
        &Who::Anonymous,
        "What if she had not received radiation?",
        &options,
    )
    .await
    .unwrap();
    let facts = &f.answer.facts;
    let state = |c: &str| {
        facts
            .iter()
            .filter(|x| x.concept == c)
            .map(|x| x.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(state("radiotherapy"), [FactStatus::Absent], "{facts:?}");
    assert_eq!(
        state("age"),
        [FactStatus::Value],
        "the thread's age is kept: {facts:?}"
    );
    // The answer now may present the branch for patients without prior radiotherapy.
    let text: Vec<&str> = f.answer.statements().map(|s| s.text.as_str()).collect();
    assert!(
        text.iter()
            .any(|t| t.to_lowercase().contains("not received")
                || t.to_lowercase().contains("radiation-naive")
                || t.to_lowercase().contains("without prior")),
        "{text:#?}"
    );
    // A second follow-up starts from the first one's facts.
    let g = follow_up(
        &store,
        &index,
        lex,
        &slug,
        &Who::Anonymous,
        "And if she were 85 years old?",
        &options,
    )
    .await
    .unwrap();
    assert_eq!(g.n, 2);
    assert!(
        g.answer
            .facts
            .iter()
            .any(|x| x.concept == "radiotherapy" && x.status == FactStatus::Absent)
    );
    assert_eq!(store.follow_ups(&slug).await.unwrap().len(), 2);
    store.verify_audit().await.unwrap();
}
