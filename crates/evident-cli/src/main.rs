//! The `evident` binary: command-line parsing, configuration, logging and terminal output.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod admin;
mod articles;
mod eval_answers;
mod measure;
mod output;
mod progress;
mod serve;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use evident_core::EvidenceKind;
use evident_core::answer::Audience;
use evident_core::article::ReviewPolicy;
use evident_core::lexicon::Lexicon;
use evident_core::readers::Format;
use evident_core::render;
use evident_engine::articles::Answered;
use evident_engine::model::{ModelSource, load_embedder};
use evident_engine::{AskOptions, IngestOptions, ask, ingest, starter};
use evident_search::{Embedder, Fusion, Mode, SearchIndex, SearchOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "evident",
    version,
    about = "Clinical evidence search with cited passages"
)]
struct Cli {
    /// Data directory holding the index (default: the platform data directory).
    #[arg(long, global = true, env = "EVIDENT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Directory of a sentence-transformers model (all-MiniLM-L6-v2) for dense retrieval.
    #[arg(long, global = true, env = "EVIDENT_MODEL_DIR")]
    model_dir: Option<PathBuf>,
    /// Download all-MiniLM-L6-v2 from the Hugging Face hub (builds with `--features hf-hub`).
    #[arg(long, global = true)]
    download_model: bool,
    /// An extra lexicon file (same format as data/lexicon.tsv) that extends the built-in one.
    #[arg(long, global = true, env = "EVIDENT_LEXICON")]
    lexicon: Option<PathBuf>,
    /// Build an HNSW graph for dense search from this many passages on (exact search below).
    #[arg(long, global = true, env = "EVIDENT_ANN_MIN_ROWS", default_value_t = evident_search::embedding_pass::DEFAULT_ANN_MIN_ROWS)]
    ann_min_rows: usize,
    /// PostgreSQL database for articles, reviews and users (`postgres://…`); default: the
    /// SQLite file `evident.db` in the data directory.
    #[arg(
        long,
        global = true,
        env = "EVIDENT_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// The audit chain's key, 64 hex digits (default: `audit.key` in the data directory,
    /// created on first use with mode 0600). Prefer the environment variable: a flag shows
    /// in the process list.
    #[arg(long, global = true, env = "EVIDENT_AUDIT_KEY", hide_env_values = true)]
    audit_key: Option<String>,
    /// Let a reviewer approve a version they wrote (single-person deployments; the
    /// four-eyes rule is on by default).
    #[arg(long, global = true, env = "EVIDENT_NO_FOUR_EYES")]
    no_four_eyes: bool,
    /// Show debug logs.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load documents (Markdown guideline folders, PubMed XML, JSON Lines, BEIR) into the index.
    Ingest(IngestArgs),
    /// Embed the passages the index still lacks vectors for (resumes an interrupted run).
    Embed,
    /// Answer a clinical question with a cited, case-aware summary of the loaded evidence.
    Ask(AskArgs),
    /// Search the index and print the best passages.
    Search(SearchArgs),
    /// Evaluate retrieval quality against relevance judgements.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure search latency over a set of queries.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Show what the published index holds.
    Status,
    /// Serve the web UI and the JSON API.
    Serve(serve::ServeArgs),
    /// Ask a follow-up question in an article's thread.
    Followup(articles::FollowupArgs),
    /// Review articles (list, show, transition, edit) and the starter documents
    /// (documents, document).
    #[command(subcommand)]
    Review(articles::ReviewCommand),
    /// Manage users.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Check or print the audit trail.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
}

#[derive(Args)]
struct IngestArgs {
    /// Files or directories (recursed).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    format: FormatArg,
    /// Evidence kind to give every document (guideline, systematic_review, trial, study,
    /// review, reference, other).
    #[arg(long, value_parser = parse_kind)]
    kind: Option<EvidenceKind>,
    /// Skip invalid records (reporting how many) instead of stopping at the first.
    #[arg(long)]
    skip_invalid: bool,
    /// Do not embed after indexing (BM25 is searchable either way; run `evident embed` later).
    #[arg(long)]
    no_embed: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Auto,
    Markdown,
    PubmedXml,
    Jsonl,
    Beir,
}

#[derive(Args, Clone)]
struct RankArgs {
    /// Ranking: hybrid (BM25 + dense), bm25 or dense.
    #[arg(long, value_enum, default_value_t = ModeArg::Hybrid)]
    mode: ModeArg,
    /// Fusion method for hybrid ranking.
    #[arg(long, value_enum, default_value_t = FusionArg::Linear)]
    fusion: FusionArg,
    /// Weight of the dense ranking in hybrid fusion (0–1).
    #[arg(long, default_value_t = 0.5)]
    dense_weight: f32,
    /// Bonus for guideline-grade evidence (score × (1 + boost)).
    #[arg(long, default_value_t = 0.0)]
    guideline_boost: f32,
    /// Candidates each ranking contributes to fusion.
    #[arg(long, default_value_t = 100)]
    candidates: usize,
    /// Weight of lexicon expansion terms (synonyms, expanded abbreviations); 0 turns it off.
    #[arg(long, default_value_t = 0.4)]
    expansion_weight: f32,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum ModeArg {
    Hybrid,
    Bm25,
    Dense,
}

#[derive(Clone, Copy, ValueEnum)]
enum FusionArg {
    Linear,
    Rrf,
}

#[derive(Args)]
struct SearchArgs {
    /// The question or search terms.
    #[arg(required = true)]
    query: Vec<String>,
    /// Number of passages to show.
    #[arg(long, short, default_value_t = 5)]
    k: usize,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    #[command(flatten)]
    rank: RankArgs,
}

#[derive(Args)]
struct AskArgs {
    /// The question, with case details if any.
    #[arg(required = true)]
    question: Vec<String>,
    /// Who the answer is written for.
    #[arg(long, default_value = "physician", value_parser = parse_audience)]
    audience: Audience,
    #[arg(long, value_enum, default_value_t = AnswerFormat::Text)]
    format: AnswerFormat,
    /// Show the question analysis and why statements were kept or dropped (on stderr with
    /// `--format json`).
    #[arg(long)]
    explain: bool,
    /// Passages retrieved to compose the answer from.
    #[arg(long, default_value_t = evident_engine::ask::DEFAULT_PASSAGES)]
    passages: usize,
    /// Store the answer as an article, submitted for review, and print its slug.
    #[arg(long)]
    save: bool,
    /// Compose afresh even when an approved article answers the question.
    #[arg(long)]
    no_reuse: bool,
    /// Ask as this user (the article records who asked; default: anonymous).
    #[arg(long, env = "EVIDENT_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum AnswerFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// nDCG@10, Recall@100 and MRR@10 of the ranking over BEIR-style queries and qrels.
    Retrieval(EvalArgs),
    /// Ask every question of case banks in one process: key-point recall, must-not
    /// violations, status accuracy and bottom lines per bank, timing per phase, reading grade.
    Answers(EvalAnswersArgs),
}

#[derive(Args)]
struct EvalAnswersArgs {
    /// A case bank as JSON Lines (the format of answers-dev.jsonl; `corpus`,
    /// `expected_status` and `bottom_line` optional). Repeat for several banks: each is
    /// reported on its own.
    #[arg(long, required = true)]
    cases: Vec<PathBuf>,
    /// Only the cases asked of this corpus (`starter`, `nci-pdq`); cases naming none run always.
    #[arg(long)]
    corpus: Option<String>,
    /// Passages retrieved per answer.
    #[arg(long, default_value_t = evident_engine::ask::DEFAULT_PASSAGES)]
    passages: usize,
    /// Print each case's missed key points, violations and failing bottom line.
    #[arg(long)]
    verbose: bool,
    /// Write each answer's status, bottom line and cited passages to this file (the
    /// regression snapshot).
    #[arg(long)]
    snapshot: Option<PathBuf>,
}

#[derive(Args)]
struct EvalArgs {
    /// Queries as JSON Lines (`_id`, `text`).
    #[arg(long)]
    queries: PathBuf,
    /// Relevance judgements (`query-id corpus-id score`, TSV).
    #[arg(long)]
    qrels: PathBuf,
    /// Write the TREC run file here.
    #[arg(long)]
    run_out: Option<PathBuf>,
    /// Documents ranked per query.
    #[arg(long, default_value_t = 100)]
    k: usize,
    #[command(flatten)]
    rank: RankArgs,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Per-query search latency (query embedding included), measured in one process.
    Search(BenchArgs),
}

#[derive(Args)]
struct BenchArgs {
    /// Queries as JSON Lines (`_id`, `text`).
    #[arg(long)]
    queries: PathBuf,
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Run only the first N queries.
    #[arg(long)]
    limit: Option<usize>,
    #[command(flatten)]
    rank: RankArgs,
}

fn parse_kind(s: &str) -> Result<EvidenceKind, String> {
    s.parse()
}

fn parse_audience(s: &str) -> Result<Audience, String> {
    s.parse()
}

fn main() {
    let cli = Cli::parse();
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // Rayon pools (the tokenizer's, candle's) stay single-threaded: embedding runs one
        // worker per core, and a query embeds without thread hand-offs while BM25 runs beside
        // it on its own thread. Ingest sizes its own pool.
        // SAFETY: no other thread exists at this point.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    }
    let filter = if cli.verbose { "debug" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EVIDENT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(cli) {
        output::print_err(&format!("error: {e:#}\n"));
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let data_dir = match &cli.data_dir {
        Some(d) => d.clone(),
        None => dirs::data_dir()
            .context("no platform data directory; pass --data-dir or set EVIDENT_DATA_DIR")?
            .join("evident"),
    };
    match &cli.command {
        Command::Ingest(args) => cmd_ingest(&cli, &data_dir, args),
        Command::Embed => {
            let Some(embedder) = embedder(&cli)? else {
                bail!("no embedding model: pass --model-dir DIR or set EVIDENT_MODEL_DIR");
            };
            run_embed(&data_dir, embedder.as_ref(), cli.ann_min_rows)
        }
        Command::Ask(args) => cmd_ask(&cli, &data_dir, args),
        Command::Search(args) => cmd_search(&cli, &data_dir, args),
        Command::Eval(EvalCommand::Retrieval(args)) => measure::cmd_eval(&cli, &data_dir, args),
        Command::Eval(EvalCommand::Answers(args)) => {
            let (index, lex) = open_index(&cli, &data_dir)?;
            eval_answers::run(
                &index,
                &lex,
                &eval_answers::EvalAnswers {
                    cases: &args.cases,
                    corpus: args.corpus.as_deref(),
                    passages: args.passages.max(1),
                    verbose: args.verbose,
                    snapshot: args.snapshot.as_deref(),
                },
            )
        }
        Command::Bench(BenchCommand::Search(args)) => measure::cmd_bench(&cli, &data_dir, args),
        Command::Serve(args) => serve::cmd_serve(&cli, &data_dir, args),
        Command::Followup(args) => {
            let (index, lex) = open_index(&cli, &data_dir)?;
            let options = AskOptions::default();
            let config = store_config(&cli, &data_dir);
            articles::StoreConfig::runtime()?
                .block_on(articles::followup(&config, &index, &lex, args, &options))
        }
        Command::Review(cmd) => {
            let config = store_config(&cli, &data_dir);
            articles::StoreConfig::runtime()?.block_on(articles::review(&config, cmd))
        }
        Command::User(cmd) => {
            let config = store_config(&cli, &data_dir);
            articles::StoreConfig::runtime()?.block_on(admin::user(&config, cmd))
        }
        Command::Token(cmd) => {
            let config = store_config(&cli, &data_dir);
            articles::StoreConfig::runtime()?.block_on(admin::token(&config, cmd))
        }
        Command::Audit(cmd) => {
            let config = store_config(&cli, &data_dir);
            articles::StoreConfig::runtime()?.block_on(admin::audit(&config, cmd))
        }
        Command::Status => {
            let snap = evident_search::Snapshot::current(&data_dir)?;
            println!("data directory: {}", data_dir.display());
            println!("snapshot:       {}", snap.name());
            println!("{}", serde_json::to_string_pretty(&snap.manifest)?);
            Ok(())
        }
    }
}

fn store_config<'a>(cli: &'a Cli, data_dir: &'a Path) -> articles::StoreConfig<'a> {
    articles::StoreConfig {
        url: cli.database_url.as_deref(),
        data_dir,
        audit_key: cli.audit_key.as_deref(),
        policy: ReviewPolicy {
            four_eyes: !cli.no_four_eyes,
        },
    }
}

fn embedder(cli: &Cli) -> Result<Option<Arc<dyn Embedder>>> {
    let source = match (&cli.model_dir, cli.download_model) {
        (Some(dir), _) => ModelSource::Dir(dir.clone()),
        (None, true) => ModelSource::Hub,
        (None, false) => ModelSource::None,
    };
    Ok(load_embedder(&source)?)
}

fn lexicon(cli: &Cli) -> Result<Lexicon> {
    let mut lex = Lexicon::builtin().clone();
    if let Some(path) = &cli.lexicon {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading lexicon {}", path.display()))?;
        let extra = Lexicon::parse(&text).with_context(|| format!("{}", path.display()))?;
        lex.extend(extra);
        if let Some((concept, broader)) = lex.unknown_broader().first() {
            anyhow::bail!(
                "{}: concept `{concept}` names `{broader}` as broader, and no lexicon defines it",
                path.display()
            );
        }
    }
    Ok(lex)
}

fn cmd_ingest(cli: &Cli, data_dir: &Path, args: &IngestArgs) -> Result<()> {
    let options = IngestOptions {
        format: match args.format {
            FormatArg::Auto => None,
            FormatArg::Markdown => Some(Format::Markdown),
            FormatArg::PubmedXml => Some(Format::PubmedXml),
            FormatArg::Jsonl => Some(Format::Jsonl),
            FormatArg::Beir => Some(Format::Beir),
        },
        kind: args.kind,
        skip_invalid: args.skip_invalid,
        ..Default::default()
    };
    // Load the model first so that a bad --model-dir fails before any work is done.
    let embedder = if args.no_embed { None } else { embedder(cli)? };
    let bar = progress::Bar::new();
    let report = ingest(data_dir, &args.paths, &options, &bar)?;
    for m in &report.skip_messages {
        eprintln!("skipped: {m}");
    }
    println!(
        "ingested {} documents, {} passages, skipped {}, {:.1} seconds ({} files{}; index now {} documents, {} passages{})",
        report.documents_read,
        report.new_passages,
        report.skipped,
        report.seconds,
        report.files,
        if report.ignored_files > 0 {
            format!(", {} ignored", report.ignored_files)
        } else {
            String::new()
        },
        report.documents_total,
        report.passages,
        if report.replaced > 0 {
            format!(", {} replaced", report.replaced)
        } else {
            String::new()
        },
    );
    match embedder {
        Some(e) => run_embed(data_dir, e.as_ref(), cli.ann_min_rows)?,
        None if !args.no_embed => eprintln!(
            "note: no embedding model configured (--model-dir / EVIDENT_MODEL_DIR): the index is BM25-only"
        ),
        None => {}
    }
    Ok(())
}

fn run_embed(data_dir: &Path, embedder: &dyn Embedder, ann_min_rows: usize) -> Result<()> {
    let bar = progress::Bar::new();
    let workers = if embedder.single_threaded() {
        evident_engine::ingest::cores()
    } else {
        1
    };
    let r = evident_engine::ingest::embed(data_dir, embedder, ann_min_rows, workers, &bar)?;
    println!(
        "embedded {} passages ({} already cached), {} tokens, {:.1} seconds, {:.0} tokens/s",
        r.embedded,
        r.cached,
        r.tokens,
        r.seconds,
        r.tokens_per_second()
    );
    if let Some(s) = r.ann_seconds {
        println!("built the HNSW graph in {s:.1} seconds");
    }
    Ok(())
}

/// Open the index, building the starter knowledge base first when the data directory is new.
/// Returns it with the lexicon its query expansion uses, for question analysis to share.
fn open_index(cli: &Cli, data_dir: &Path) -> Result<(SearchIndex, Arc<Lexicon>)> {
    let embedder = embedder(cli)?;
    if !data_dir.join("CURRENT").exists() {
        eprintln!(
            "Indexing the built-in starter knowledge base ({} documents) into {} (one time)...",
            starter::starter_documents(),
            data_dir.display()
        );
    }
    if starter::ensure_starter(data_dir, &evident_engine::NoProgress)?.is_some()
        && let Some(e) = &embedder
    {
        evident_engine::ingest::embed(
            data_dir,
            e.as_ref(),
            cli.ann_min_rows,
            1,
            &evident_engine::NoProgress,
        )?;
    }
    let lex = Arc::new(lexicon(cli)?);
    let expander = Arc::clone(&lex);
    let index = SearchIndex::open(data_dir, embedder)?
        .with_expander(Box::new(move |q| expander.expand_query(q).added));
    for n in index.notices() {
        eprintln!("note: {n}");
    }
    Ok((index, lex))
}

fn search_options(rank: &RankArgs, k: usize) -> SearchOptions {
    SearchOptions {
        k,
        mode: match rank.mode {
            ModeArg::Hybrid => Mode::Hybrid,
            ModeArg::Bm25 => Mode::Bm25,
            ModeArg::Dense => Mode::Dense,
        },
        fusion: match rank.fusion {
            FusionArg::Linear => Fusion::Linear {
                dense_weight: rank.dense_weight,
            },
            FusionArg::Rrf => Fusion::Rrf {
                k: 60.0,
                dense_weight: rank.dense_weight,
            },
        },
        candidates: rank.candidates,
        guideline_boost: rank.guideline_boost,
        expansion_weight: rank.expansion_weight,
        ..SearchOptions::default()
    }
}

fn check_mode(index: &SearchIndex, rank: &RankArgs) -> Result<()> {
    if rank.mode == ModeArg::Dense && !index.has_dense() {
        bail!("--mode dense needs embedded passages: pass --model-dir and run `evident embed`");
    }
    Ok(())
}

fn cmd_ask(cli: &Cli, data_dir: &Path, args: &AskArgs) -> Result<()> {
    let question = args.question.join(" ");
    if question.trim().is_empty() {
        bail!("the question is empty");
    }
    // Compile the analysis patterns while the index (and model) open.
    let warm = std::thread::spawn(|| {
        evident_core::compose::prepare(evident_core::lexicon::Lexicon::builtin())
    });
    let (index, lex) = open_index(cli, data_dir)?;
    let _ = warm.join();
    let options = AskOptions {
        audience: args.audience,
        passages: args.passages.max(1),
    };
    let config = store_config(cli, data_dir);
    let how = articles::AskArticles {
        save: args.save,
        reuse: !args.no_reuse,
    };
    let (answered, note) = if args.save || (how.reuse && config.exists()) {
        let rt = articles::StoreConfig::runtime()?;
        rt.block_on(async {
            let store = config.open().await?;
            let who = articles::asker(&store, args.token.as_deref()).await?;
            articles::ask_in_store(&store, &index, &lex, &question, &options, &how, &who).await
        })?
    } else {
        let asked = ask(&index, &lex, &question, &options)?;
        (Answered::Composed(Box::new(asked)), None)
    };
    let answer = match &answered {
        Answered::Composed(asked) => {
            if args.explain {
                let explanation = render::explain(&asked.question, &asked.composition);
                if args.format == AnswerFormat::Json {
                    eprintln!("{explanation}");
                } else {
                    println!("{explanation}");
                }
            }
            asked.answer()
        }
        Answered::Reused(r) => {
            if args.explain {
                eprintln!(
                    "answered from an approved article (similarity {:.3}, {:.1} ms): nothing was composed",
                    r.similarity, r.elapsed_ms
                );
            }
            &r.version.answer
        }
    };
    match args.format {
        AnswerFormat::Text => output::print(&render::text(answer)),
        AnswerFormat::Markdown => output::print(&render::markdown(answer)),
        AnswerFormat::Json => {
            let mut value = serde_json::to_value(answer)?;
            if let Some(note) = &note {
                value["article"] = note.json();
            }
            output::print(&format!("{}\n", output::json(&value)?));
        }
    }
    if let Some(note) = &note {
        if args.format == AnswerFormat::Json {
            output::print_err(&format!("{}\n", note.line()));
        } else {
            output::print(&format!("\n{}\n", note.line()));
        }
    }
    Ok(())
}

fn cmd_search(cli: &Cli, data_dir: &Path, args: &SearchArgs) -> Result<()> {
    let query = args.query.join(" ");
    if query.trim().is_empty() {
        bail!("the query is empty");
    }
    let (index, _) = open_index(cli, data_dir)?;
    check_mode(&index, &args.rank)?;
    let hits = index.search(&query, &search_options(&args.rank, args.k))?;
    match args.format {
        OutputFormat::Text => output::print(&output::hits_text(&query, &hits)),
        OutputFormat::Json => {
            output::print(&format!("{}\n", output::json(&output::hits_json(&hits))?));
        }
    }
    Ok(())
}
