//! The article commands: `review` (articles and starter documents), `followup`, and what `ask` does with articles (`--save`, answering from an approved article).

use crate::output::{out, outln};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use evident_core::answer::Answer;
use evident_core::article::{
    Actor, ArticleSummary, Author, DocumentRecord, PENDING_BANNER, ReviewPolicy, ReviewStatus,
    Slug, VersionNo, check_edited_answer, format_utc,
};
use evident_core::render;
use evident_engine::articles::{self, Answered, open_store};
use evident_engine::store::{ArticleFilter, Repository, SqlStore, Who};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// List articles, newest change first.
    List {
        #[arg(long, value_parser = parse_status)]
        status: Option<ReviewStatus>,
        /// Only articles whose question contains all these words.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show an article: status, versions, reviews, follow-ups and the answer readers see.
    Show {
        slug: String,
        /// Show this version instead of the one readers see.
        #[arg(long)]
        version: Option<i64>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Move an article to another review status.
    Transition {
        slug: String,
        /// under_review, approved, changes_requested or rejected.
        #[arg(long, value_parser = parse_status)]
        to: ReviewStatus,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        auth: TokenArg,
        /// The version you reviewed (required to approve): refused if a newer one exists.
        #[arg(long)]
        version: Option<i64>,
    },
    /// List the starter knowledge base's documents and where they stand in review.
    Documents {
        #[arg(long, value_parser = parse_status)]
        status: Option<ReviewStatus>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Move a starter document to another review status.
    Document {
        /// The document's id (`rectal-cancer-local-recurrence`, as answers cite it).
        id: String,
        /// under_review, approved, changes_requested or rejected.
        #[arg(long, value_parser = parse_status)]
        to: ReviewStatus,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        auth: TokenArg,
    },
    /// Propose a new version from an edited answer (JSON, as `review show --format json`
    /// prints under `version.answer`).
    Edit {
        slug: String,
        #[arg(long)]
        answer: PathBuf,
        /// The version you edited (default: the latest).
        #[arg(long)]
        base_version: Option<i64>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        auth: TokenArg,
    },
}

#[derive(Args)]
pub struct TokenArg {
    /// Your API token.
    #[arg(long, env = "EVIDENT_TOKEN", hide_env_values = true)]
    token: String,
}

#[derive(Args)]
pub struct FollowupArgs {
    /// The article the follow-up belongs to.
    pub slug: String,
    /// The follow-up question.
    #[arg(required = true)]
    pub question: Vec<String>,
    /// Ask as this user (default: anonymous).
    #[arg(long, env = "EVIDENT_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum Format {
    Text,
    Json,
}

fn parse_status(s: &str) -> Result<ReviewStatus, String> {
    s.parse()
}

fn parse_slug(s: &str) -> Result<Slug> {
    s.parse::<Slug>().map_err(anyhow::Error::msg)
}

/// Where the articles live and the review rules in force.
pub struct StoreConfig<'a> {
    pub url: Option<&'a str>,
    pub data_dir: &'a Path,
    /// The audit key in hex (else the key file in the data directory).
    pub audit_key: Option<&'a str>,
    pub policy: ReviewPolicy,
}

impl StoreConfig<'_> {
    pub fn runtime() -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")
    }

    /// Opens the store with the audit key, sealing an audit chain written before it.
    pub async fn open(&self) -> Result<SqlStore> {
        Ok(open_store(self.url, self.data_dir, self.audit_key, true).await?)
    }

    /// Opens the store with the audit key and writes nothing (for `audit verify`).
    pub async fn open_unsealed(&self) -> Result<SqlStore> {
        Ok(open_store(self.url, self.data_dir, self.audit_key, false).await?)
    }

    pub fn exists(&self) -> bool {
        articles::store_exists(self.url, self.data_dir)
    }
}

async fn sign_in(store: &SqlStore, token: &str) -> Result<Actor> {
    store
        .authenticate(token)
        .await
        .context("signing in with --token")
}

fn summary_json(a: &ArticleSummary) -> serde_json::Value {
    let visible = a.visible();
    json!({
        "slug": a.slug,
        "question": a.question,
        "audience": a.audience,
        "status": a.status,
        "latest_version": a.latest_version,
        "visible_version": visible.version,
        "pending_review": visible.pending,
        "approved_version": a.approved_version,
        "approved_by": a.approved_by,
        "approved_at": a.approved_at_ms.map(format_utc),
        "created_at": format_utc(a.created_at_ms),
        "updated_at": format_utc(a.updated_at_ms),
    })
}

fn document_json(d: &DocumentRecord) -> serde_json::Value {
    json!({
        "doc_id": d.doc_id,
        "title": d.title,
        "source": d.source,
        "sha256": d.sha256,
        "status": d.status,
        "approved_by": d.approved_by,
        "approved_at": d.approved_at_ms.map(format_utc),
        "created_at": format_utc(d.created_at_ms),
        "updated_at": format_utc(d.updated_at_ms),
    })
}

/// A document id as typed: `ID`, `document:ID` or the file name `ID.md`.
fn document_id(typed: &str) -> &str {
    let id = typed.trim();
    let id = id.strip_prefix("document:").unwrap_or(id);
    id.strip_suffix(".md").unwrap_or(id)
}

fn author_name(author: Author, users: &[evident_core::article::User]) -> String {
    match author {
        Author::System => "Evident (composed)".into(),
        Author::User(id) => users
            .iter()
            .find(|u| u.id == id)
            .map_or(format!("user {id}"), |u| u.name.clone()),
    }
}

pub async fn review(config: &StoreConfig<'_>, cmd: &ReviewCommand) -> Result<()> {
    let store = config.open().await?;
    // The starter documents enter review as Submitted (again, when their content changed).
    articles::register_starter(&store, &Who::System)
        .await
        .context("registering the starter documents for review")?;
    match cmd {
        ReviewCommand::List {
            status,
            search,
            format,
        } => {
            let filter = ArticleFilter {
                status: *status,
                include_rejected: true,
                text: search.clone(),
                limit: None,
            };
            let list = store.articles(&filter).await?;
            if *format == Format::Json {
                let items: Vec<_> = list.iter().map(summary_json).collect();
                outln!("{}", crate::output::json(&items)?);
            } else if list.is_empty() {
                outln!("no articles");
            } else {
                for a in &list {
                    outln!(
                        "{:<18} v{:<3} {}  {}",
                        a.status.label(),
                        a.latest_version,
                        format_utc(a.updated_at_ms),
                        a.slug
                    );
                }
            }
        }
        ReviewCommand::Show {
            slug,
            version,
            format,
        } => show(&store, &parse_slug(slug)?, version.map(VersionNo), *format).await?,
        ReviewCommand::Transition {
            slug,
            to,
            note,
            auth,
            version,
        } => {
            let actor = sign_in(&store, &auth.token).await?;
            let a = store
                .transition(
                    &parse_slug(slug)?,
                    &actor,
                    *to,
                    version.map(VersionNo),
                    note.as_deref(),
                    config.policy,
                )
                .await?;
            outln!(
                "{}: {} (version {})",
                a.slug,
                a.status.label(),
                a.latest_version
            );
        }
        ReviewCommand::Documents { status, format } => {
            let list = store.documents(*status).await?;
            if *format == Format::Json {
                let items: Vec<_> = list.iter().map(document_json).collect();
                outln!("{}", crate::output::json(&items)?);
            } else if list.is_empty() {
                outln!("no documents");
            } else {
                for d in &list {
                    outln!(
                        "{:<18} {}  {:<44} {}",
                        d.status.label(),
                        format_utc(d.updated_at_ms),
                        d.doc_id,
                        d.title
                    );
                }
            }
        }
        ReviewCommand::Document { id, to, note, auth } => {
            let actor = sign_in(&store, &auth.token).await?;
            let d = store
                .transition_document(document_id(id), &actor, *to, note.as_deref(), config.policy)
                .await?;
            outln!("{}: {}", d.doc_id, d.status.label());
        }
        ReviewCommand::Edit {
            slug,
            answer,
            base_version,
            note,
            auth,
        } => {
            let actor = sign_in(&store, &auth.token).await?;
            let slug = parse_slug(slug)?;
            let text = std::fs::read_to_string(answer)
                .with_context(|| format!("reading {}", answer.display()))?;
            let edited: Answer = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not an answer (evident.answer/v1 JSON)",
                    answer.display()
                )
            })?;
            check_edited_answer(&edited)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("{}", answer.display()))?;
            let current = store
                .article(&slug)
                .await?
                .with_context(|| format!("no article '{slug}'"))?;
            let base = base_version.map_or(current.latest_version, VersionNo);
            let corpus = edited.corpus.version.clone();
            let a = store
                .propose_version(&slug, &actor, base, edited, &corpus, note.as_deref())
                .await?;
            outln!(
                "{}: version {} proposed; {}",
                a.slug,
                a.latest_version,
                a.status.label()
            );
        }
    }
    Ok(())
}

async fn show(
    store: &SqlStore,
    slug: &Slug,
    version: Option<VersionNo>,
    format: Format,
) -> Result<()> {
    let a = store
        .article(slug)
        .await?
        .with_context(|| format!("no article '{slug}'"))?;
    let visible = a.visible();
    let n = version.unwrap_or(visible.version);
    let shown = store
        .version(slug, n)
        .await?
        .with_context(|| format!("article '{slug}' has no version {n}"))?;
    let versions = store.versions(slug).await?;
    let reviews = store.reviews(slug).await?;
    let follow_ups = store.follow_ups(slug).await?;
    if format == Format::Json {
        let out = json!({
            "article": summary_json(&a),
            "version": shown,
            "versions": versions.iter().map(|v| json!({
                "n": v.n, "author": v.author, "note": v.note,
                "created_at": format_utc(v.created_at_ms), "corpus_version": v.corpus_version,
            })).collect::<Vec<_>>(),
            "reviews": reviews,
            "follow_ups": follow_ups,
        });
        outln!("{}", crate::output::json(&out)?);
        return Ok(());
    }
    let users = store.users().await?;
    outln!("{}", a.question);
    outln!("/articles/{}", a.slug);
    outln!(
        "Status: {}   Last updated: {}",
        a.status.label(),
        format_utc(a.updated_at_ms)
    );
    if visible.pending {
        outln!("{PENDING_BANNER}");
    } else if let (Some(by), Some(at)) = (a.approved_by, a.approved_at_ms) {
        outln!(
            "Version {} approved by {} on {}",
            visible.version,
            author_name(Author::User(by), &users),
            format_utc(at)
        );
    }
    outln!("\nVersions:");
    for v in &versions {
        let mark = if v.n == visible.version {
            " (readers see this)"
        } else {
            ""
        };
        outln!(
            "  v{} by {} on {}{}{mark}",
            v.n,
            author_name(v.author, &users),
            format_utc(v.created_at_ms),
            v.note
                .as_ref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        );
    }
    if !reviews.is_empty() {
        outln!("\nReviews:");
        for r in &reviews {
            outln!(
                "  {} {} v{}: {} → {}{}",
                format_utc(r.at_ms),
                r.reviewer_name,
                r.version,
                r.from.label(),
                r.decision.label(),
                r.note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            );
        }
    }
    outln!("\n--- version {} ---", shown.n);
    out!("{}", render::text(&shown.answer));
    for f in &follow_ups {
        outln!("\n--- follow-up {}: {} ---", f.n, f.question);
        out!("{}", render::text(&f.answer));
    }
    Ok(())
}

/// The reader's identity for asking: a token's user, or anonymous.
pub async fn asker(store: &SqlStore, token: Option<&str>) -> Result<Who> {
    Ok(match token {
        Some(t) => Who::User(sign_in(store, t).await?),
        None => Who::Anonymous,
    })
}

/// How `ask` uses articles: answer from an approved one, and/or save the new answer.
pub struct AskArticles {
    pub save: bool,
    pub reuse: bool,
}

/// The article an answer belongs to, for the output.
pub struct ArticleNote {
    pub summary: ArticleSummary,
    pub reused: bool,
}

impl ArticleNote {
    pub fn json(&self) -> serde_json::Value {
        let mut v = summary_json(&self.summary);
        v["reused"] = json!(self.reused);
        v
    }

    pub fn line(&self) -> String {
        let a = &self.summary;
        let visible = a.visible();
        if self.reused {
            format!(
                "Answered from article {} ({}, version {}, last updated {}).",
                a.slug,
                if visible.pending {
                    "pending review"
                } else {
                    "approved by the Medical Advisory Board"
                },
                visible.version,
                format_utc(a.updated_at_ms)
            )
        } else {
            format!(
                "Saved as article {} ({}; {PENDING_BANNER}).",
                a.slug,
                a.status.label()
            )
        }
    }
}

/// Answers through the articles store: an approved article when one matches, else a new
/// composition, saved when asked to.
pub async fn ask_in_store(
    store: &SqlStore,
    index: &evident_search::SearchIndex,
    lexicon: &evident_core::lexicon::Lexicon,
    question: &str,
    options: &evident_engine::AskOptions,
    how: &AskArticles,
    who: &Who,
) -> Result<(Answered, Option<ArticleNote>)> {
    let answered = if how.reuse {
        articles::ask_with_articles(store, index, lexicon, question, options).await?
    } else {
        Answered::Composed(Box::new(evident_engine::ask(
            index, lexicon, question, options,
        )?))
    };
    let note = match &answered {
        Answered::Reused(r) => Some(ArticleNote {
            summary: r.article.clone(),
            reused: true,
        }),
        Answered::Composed(asked) if how.save => Some(ArticleNote {
            summary: articles::save(store, index, who, asked).await?,
            reused: false,
        }),
        Answered::Composed(_) => None,
    };
    Ok((answered, note))
}

pub async fn followup(
    config: &StoreConfig<'_>,
    index: &evident_search::SearchIndex,
    lexicon: &evident_core::lexicon::Lexicon,
    args: &FollowupArgs,
    options: &evident_engine::AskOptions,
) -> Result<()> {
    let store = config.open().await?;
    let who = asker(&store, args.token.as_deref()).await?;
    let slug = parse_slug(&args.slug)?;
    let question = args.question.join(" ");
    let f = articles::follow_up(&store, index, lexicon, &slug, &who, &question, options).await?;
    match args.format {
        Format::Json => outln!(
            "{}",
            crate::output::json(&json!({"article": slug, "follow_up": f.n, "answer": f.answer}))?
        ),
        Format::Text => {
            outln!("Follow-up {} on article {slug}", f.n);
            out!("{}", render::text(&f.answer));
        }
    }
    Ok(())
}
