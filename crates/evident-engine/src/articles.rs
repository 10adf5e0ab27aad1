//! Articles around answers: answering from an approved article when one matches, saving a composed answer as a submitted article, and answering follow-ups within their thread.

use std::time::Instant;

use evident_core::answer::Audience;
use evident_core::article::{
    ArticleSummary, FollowUp, QuestionKey, RegisterReport, Slug, Version, merge_facts,
};
use evident_core::compose::Candidate;
use evident_core::lexicon::Lexicon;
use evident_core::question::{Intent, Question, analyze};
use evident_search::SearchIndex;
use evident_store::{NewArticle, Repository, Who};

use crate::ask::{AskOptions, Asked, answer_question, from_record};
use crate::error::EngineError;

/// Cosine similarity of two question embeddings above which an approved article answers a
/// question worded differently (its patient facts must match exactly either way).
pub const REUSE_SIMILARITY: f32 = 0.95;

/// An approved article that answers a question.
#[derive(Debug, Clone)]
pub struct Reused {
    pub article: ArticleSummary,
    /// The approved version readers see.
    pub version: Version,
    /// 1.0 for the same normalised question, else the embeddings' cosine similarity.
    pub similarity: f32,
    /// Milliseconds spent finding and loading it.
    pub elapsed_ms: f64,
}

/// How a question was answered.
#[derive(Debug, Clone)]
pub enum Answered {
    Reused(Box<Reused>),
    Composed(Box<Asked>),
}

/// The approved article for `question` and `audience`, if one matches: same patient facts,
/// and the same normalised question or (with an embedding model) a near-duplicate.
pub async fn find_reusable(
    repo: &dyn Repository,
    index: &SearchIndex,
    question: &Question,
    audience: Audience,
) -> Result<Option<Reused>, EngineError> {
    let start = Instant::now();
    let key = QuestionKey::of(question);
    let candidates = repo.reuse_candidates(&key, audience).await?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let mut best = candidates
        .iter()
        .find(|c| c.normalized == key.normalized)
        .map(|c| (c, 1.0f32));
    if best.is_none()
        && let Some(query) = index.embed_query(&question.text)?
    {
        best = candidates
            .iter()
            .filter_map(|c| Some((c, cosine(&query, c.embedding.as_deref()?))))
            .filter(|(_, s)| *s >= REUSE_SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1));
    }
    let Some((candidate, similarity)) = best else {
        return Ok(None);
    };
    let article = candidate.article.clone();
    let version = repo
        .version(&article.slug, article.visible().version)
        .await?
        .ok_or_else(|| {
            EngineError::Usage(format!(
                "article '{}' lost its approved version",
                article.slug
            ))
        })?;
    Ok(Some(Reused {
        article,
        version,
        similarity,
        elapsed_ms: start.elapsed().as_secs_f64() * 1000.0,
    }))
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let n = norm(a) * norm(b);
    if n == 0.0 { 0.0 } else { dot / n }
}

/// Answers `text`: from an approved article when one matches, else composed afresh.
pub async fn ask_with_articles(
    repo: &dyn Repository,
    index: &SearchIndex,
    lexicon: &Lexicon,
    text: &str,
    options: &AskOptions,
) -> Result<Answered, EngineError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(EngineError::Usage("the question is empty".into()));
    }
    let start = Instant::now();
    let question = analyze(text, lexicon);
    if let Some(reused) = find_reusable(repo, index, &question, options.audience).await? {
        return Ok(Answered::Reused(Box::new(reused)));
    }
    let asked = answer_question(index, lexicon, question, Vec::new(), options, start)?;
    Ok(Answered::Composed(Box::new(asked)))
}

/// Stores a composed answer as a new article, Submitted for review, as version 1.
pub async fn save(
    repo: &dyn Repository,
    index: &SearchIndex,
    by: &Who,
    asked: &Asked,
) -> Result<ArticleSummary, EngineError> {
    let answer = asked.answer().clone();
    let new = NewArticle {
        question: asked.question.text.clone(),
        key: QuestionKey::of(&asked.question),
        audience: answer.audience,
        corpus_version: answer.corpus.version.clone(),
        embedding: index.embed_query(&asked.question.text)?,
        answer,
    };
    Ok(repo.create_article(by, new).await?)
}

/// What a follow-up is composed from: the question with the thread's facts merged in, and
/// the passages the thread's earlier answers relied on.
#[derive(Debug, Clone)]
pub struct FollowUpPlan {
    pub question: Question,
    pub thread: Vec<Candidate>,
    /// When the work on the follow-up began.
    pub start: Instant,
}

/// Reads the thread of article `slug` and plans the follow-up `text` (no composition yet).
///
/// The follow-up is composed for the thread's patient facts merged with its own (its own
/// win: "what if she had not received radiation?" flips radiotherapy), searched with the
/// article's question and its own together, and considers the passages the thread's
/// earlier answers relied on besides the ones it retrieves.
pub async fn plan_follow_up(
    repo: &dyn Repository,
    index: &SearchIndex,
    lexicon: &Lexicon,
    slug: &Slug,
    text: &str,
) -> Result<FollowUpPlan, EngineError> {
    let text = crate::ask::checked_question("the follow-up question", text)?;
    let start = Instant::now();
    let article = repo
        .article(slug)
        .await?
        .ok_or_else(|| EngineError::NotFound(format!("article '{slug}'")))?;
    let root_version = repo
        .version(slug, article.visible().version)
        .await?
        .ok_or_else(|| EngineError::NotFound(format!("the answer of article '{slug}'")))?;
    let earlier = repo.follow_ups(slug).await?;
    if earlier.len() as i64 >= evident_core::input::MAX_FOLLOW_UPS {
        return Err(EngineError::Usage(format!(
            "this article's thread is full ({} follow-up questions): ask a new question instead",
            evident_core::input::MAX_FOLLOW_UPS
        )));
    }
    let thread_facts = earlier
        .last()
        .map_or(&root_version.answer.facts, |f| &f.facts);

    let root = analyze(&article.question, lexicon);
    let new = analyze(text, lexicon);
    let mut concepts = root.concepts.clone();
    for c in &new.concepts {
        if !concepts.contains(c) {
            concepts.push(c.clone());
        }
    }
    let question = Question {
        facts: merge_facts(thread_facts, &new.facts),
        intent: if new.intent == Intent::General {
            root.intent
        } else {
            new.intent
        },
        expanded: format!("{} {}", new.expanded, root.expanded),
        search_query: format!("{} {}", new.search_query, root.search_query),
        concepts,
        text: new.text,
    };

    let passage_ids: Vec<String> = std::iter::once(&root_version.answer)
        .chain(earlier.iter().map(|f| &f.answer))
        .flat_map(|a| &a.references)
        .flat_map(|r| &r.evidence)
        .map(|e| e.passage_id.clone())
        .collect();
    let thread = index
        .passages(&passage_ids)?
        .into_iter()
        .map(from_record)
        .collect();
    Ok(FollowUpPlan {
        question,
        thread,
        start,
    })
}

/// Answers a follow-up question in the thread of article `slug` and stores it there (see
/// [`plan_follow_up`]).
pub async fn follow_up(
    repo: &dyn Repository,
    index: &SearchIndex,
    lexicon: &Lexicon,
    slug: &Slug,
    by: &Who,
    text: &str,
    options: &AskOptions,
) -> Result<FollowUp, EngineError> {
    let plan = plan_follow_up(repo, index, lexicon, slug, text).await?;
    let facts = plan.question.facts.clone();
    let asked = answer_question(
        index,
        lexicon,
        plan.question,
        plan.thread,
        options,
        plan.start,
    )?;
    Ok(repo
        .add_follow_up(slug, by, text.trim(), facts, asked.composition.answer)
        .await?)
}

/// Registers the starter knowledge base's documents for review: new ones enter as
/// Submitted, changed ones go back to Submitted, unchanged ones are left as they are.
pub async fn register_starter(
    repo: &dyn Repository,
    by: &Who,
) -> Result<RegisterReport, EngineError> {
    Ok(repo
        .register_documents(by, &crate::starter::starter_entries())
        .await?)
}

/// The database file inside a data directory when no database URL is given.
pub const SQLITE_FILE: &str = "evident.db";

/// Opens the articles database: `url` (`postgres://…` or `sqlite:…`) when given, else the
/// SQLite file in `data_dir` (created with the directory when missing), keyed with the
/// audit key (`audit_key` hex, else `DATA/audit.key`, see [`crate::audit_key`]). With
/// `seal`, an audit chain written before the key existed is sealed under it (`audit
/// verify` opens without, so that it never seals what it is checking).
pub async fn open_store(
    url: Option<&str>,
    data_dir: &std::path::Path,
    audit_key: Option<&str>,
    seal: bool,
) -> Result<evident_store::SqlStore, EngineError> {
    let key = crate::audit_key::load_or_create(audit_key, data_dir)?;
    let store = match url {
        Some(url) => evident_store::SqlStore::connect(url).await?,
        None => {
            std::fs::create_dir_all(data_dir).map_err(EngineError::io(data_dir))?;
            evident_store::SqlStore::open_sqlite(&data_dir.join(SQLITE_FILE)).await?
        }
    }
    .with_audit_key(key);
    if seal {
        match store.seal_audit_chain().await {
            Ok(0) => {}
            Ok(n) => tracing::info!("sealed {n} audit rows written before the audit key"),
            // A broken old chain stays as it is for `evident audit verify` to report.
            Err(evident_store::StoreError::Corrupt(e)) => tracing::warn!("{e}"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(store)
}

/// Whether an articles database exists already (a URL is given, or the SQLite file is
/// there): plain `ask` consults it for approved articles without creating one.
pub fn store_exists(url: Option<&str>, data_dir: &std::path::Path) -> bool {
    url.is_some() || data_dir.join(SQLITE_FILE).exists()
}
