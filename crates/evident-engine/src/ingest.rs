//! Ingest: read corpus files, chunk, merge with the published corpus by document id, build a
//! new snapshot aside and publish it atomically; then (optionally) embed.

use crate::corpus::{self, CorpusFile};
use crate::error::EngineError;
use crate::progress::Progress;
use evident_core::chunk::{ChunkConfig, chunk};
use evident_core::readers::{Format, ReadOptions};
use evident_core::{Document, EvidenceKind, Passage, ReadError};
use evident_search::writer::read_documents;
use evident_search::{EmbedReport, Embedder, IndexWriter, SearchError, Snapshot};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Read every file as this format instead of guessing from its name.
    pub format: Option<Format>,
    /// Force this evidence kind on every new document.
    pub kind: Option<EvidenceKind>,
    /// Go on past invalid records, counting them, instead of stopping at the first.
    pub skip_invalid: bool,
    pub chunk: ChunkConfig,
    /// Publish only what is read now, dropping previously published documents.
    pub replace_all: bool,
}

#[derive(Debug, Clone, Default)]
pub struct IngestReport {
    /// Documents read from the given paths.
    pub documents_read: usize,
    /// Documents in the published index (new plus kept).
    pub documents_total: usize,
    /// Passages in the published index.
    pub passages: usize,
    /// Passages from the documents read now.
    pub new_passages: usize,
    /// Records skipped as invalid (`--skip-invalid`).
    pub skipped: usize,
    /// The first few skip reasons, for the user.
    pub skip_messages: Vec<String>,
    /// Previously published documents replaced by a new one with the same id.
    pub replaced: usize,
    /// Previously published documents carried over unchanged.
    pub kept: usize,
    pub files: usize,
    pub ignored_files: usize,
    pub seconds: f64,
    pub snapshot: String,
}

/// Files are parsed in parallel in groups of this many, bounding memory.
const FILE_GROUP: usize = 64;

/// Test hook: abort the process after this many documents were added, to prove that a crash
/// in the middle of an ingest leaves the published index usable.
const CRASH_HOOK: &str = "EVIDENT_TEST_CRASH_AFTER_DOCS";

pub fn ingest(
    data_dir: &Path,
    paths: &[PathBuf],
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, EngineError> {
    let start = Instant::now();
    let (files, ignored) = corpus::discover(paths, options.format)?;
    if files.is_empty() {
        return Err(EngineError::Usage(format!(
            "no corpus files found in {} (looked for .md, .xml, .jsonl, corpus.jsonl, optionally .gz)",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let crash_after: Option<usize> = std::env::var(CRASH_HOOK).ok().and_then(|v| v.parse().ok());
    std::fs::create_dir_all(data_dir).map_err(EngineError::io(data_dir))?;
    let previous = match Snapshot::current(data_dir) {
        Ok(_) if options.replace_all => None,
        Ok(s) => Some(s),
        Err(SearchError::NoIndex(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let mut writer = IndexWriter::create(data_dir)?;
    // From now on the directory holds more than the starter base (which re-marks it itself).
    let marker = data_dir.join(crate::starter::MARKER);
    if marker.exists() {
        std::fs::remove_file(&marker).map_err(EngineError::io(&marker))?;
    }
    let mut report = IngestReport {
        files: files.len(),
        ignored_files: ignored,
        ..Default::default()
    };
    let read_options = ReadOptions { kind: options.kind };
    progress.phase("reading", Some(files.len() as u64));
    // An explicit pool, so that parsing uses every core even when `RAYON_NUM_THREADS=1`
    // keeps the embedding model single-threaded per worker.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores())
        .build()
        .map_err(|e| EngineError::Usage(format!("cannot start worker threads: {e}")))?;
    let mut sink = Sink {
        writer: &mut writer,
        report: &mut report,
        skip_invalid: options.skip_invalid,
        crash_after,
    };
    // One-document files (Markdown) are parsed in parallel groups; record streams (PubMed
    // XML, JSON Lines) go record by record into the index, never held whole in memory.
    let mut i = 0;
    while i < files.len() {
        let run = files[i..]
            .iter()
            .take(FILE_GROUP)
            .take_while(|f| f.format == Format::Markdown)
            .count();
        if run == 0 {
            corpus::read_file(&files[i], &read_options, &mut |item| {
                sink.accept(item.map(|d| with_passages(d, options.chunk)))
            })?;
            progress.advance(1);
            i += 1;
            continue;
        }
        let parsed: Vec<Result<Vec<Parsed>, EngineError>> = pool.install(|| {
            files[i..i + run]
                .par_iter()
                .map(|f| read_and_chunk(f, &read_options, options))
                .collect()
        });
        for items in parsed {
            for item in items? {
                sink.accept(item)?;
            }
            progress.advance(1);
        }
        i += run;
    }
    if let Some(prev) = &previous {
        progress.phase(
            "merging with the published index",
            Some(prev.manifest.documents),
        );
        for doc in read_documents(prev)? {
            let doc = doc?;
            if writer.contains(doc.id.as_str()) {
                report.replaced += 1;
            } else {
                let passages = chunk(&doc, options.chunk);
                writer.add(&doc, &passages)?;
                report.kept += 1;
            }
            progress.advance(1);
        }
    }
    progress.phase("publishing", None);
    report.documents_total = writer.documents();
    let snapshot = writer.publish()?;
    report.passages = snapshot.manifest.passages as usize;
    report.snapshot = snapshot.name();
    report.seconds = start.elapsed().as_secs_f64();
    progress.finish();
    Ok(report)
}

/// The number of cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

type Parsed = Result<(Document, Vec<Passage>), ReadError>;

/// Where read documents go: the writer, with the bookkeeping of `--skip-invalid`.
struct Sink<'a> {
    writer: &'a mut IndexWriter,
    report: &'a mut IngestReport,
    skip_invalid: bool,
    crash_after: Option<usize>,
}

impl Sink<'_> {
    fn accept(&mut self, item: Parsed) -> Result<(), EngineError> {
        match item {
            Ok((doc, passages)) => {
                self.report.new_passages += passages.len();
                self.report.documents_read += 1;
                self.writer.add(&doc, &passages)?;
                if self
                    .crash_after
                    .is_some_and(|n| self.report.documents_read >= n)
                {
                    std::process::abort();
                }
                Ok(())
            }
            Err(e) if self.skip_invalid => {
                self.report.skipped += 1;
                if self.report.skip_messages.len() < 10 {
                    self.report.skip_messages.push(e.to_string());
                }
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn with_passages(doc: Document, config: ChunkConfig) -> (Document, Vec<Passage>) {
    let passages = chunk(&doc, config);
    (doc, passages)
}

fn read_and_chunk(
    file: &CorpusFile,
    read_options: &ReadOptions,
    options: &IngestOptions,
) -> Result<Vec<Parsed>, EngineError> {
    let mut items = Vec::new();
    corpus::read_file(file, read_options, &mut |doc| {
        items.push(doc.map(|d| with_passages(d, options.chunk)));
        Ok(())
    })?;
    Ok(items)
}

/// Embed whatever the published index still lacks. Resumable: finished batches are kept in
/// the vector cache, so an interrupted run continues where it stopped.
pub fn embed(
    data_dir: &Path,
    embedder: &dyn Embedder,
    ann_min_rows: usize,
    workers: usize,
    progress: &dyn Progress,
) -> Result<EmbedReport, EngineError> {
    let mut last: Option<usize> = None;
    let report = evident_search::embed_snapshot(
        data_dir,
        embedder,
        ann_min_rows,
        workers,
        &mut |done, total| {
            let before = *last.get_or_insert_with(|| {
                progress.phase("embedding", Some(total as u64));
                0
            });
            progress.advance((done - before) as u64);
            last = Some(done);
        },
    )?;
    progress.finish();
    Ok(report)
}
