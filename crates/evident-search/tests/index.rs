//! Integration tests of the index through its public surface: build, publish, search in all
//! modes, replace by id, survive an unfinished build, and embed with the real model if present.

use evident_core::chunk::{ChunkConfig, chunk};
use evident_core::{DocId, Document, EvidenceKind};
use evident_search::writer::read_documents;
use evident_search::{
    Embedder, HashEmbedder, IndexWriter, Mode, SearchIndex, SearchOptions, Snapshot, embed_snapshot,
};
use std::path::Path;
use std::sync::Arc;

fn doc(id: &str, kind: EvidenceKind, title: &str, text: &str) -> Document {
    Document::from_plain_text(DocId::new(id), kind, title.to_string(), text)
}

fn corpus() -> Vec<Document> {
    vec![
        doc(
            "af",
            EvidenceKind::Guideline,
            "Atrial fibrillation",
            "Oral anticoagulation prevents stroke in atrial fibrillation with a raised CHA2DS2-VASc score.",
        ),
        doc(
            "htn",
            EvidenceKind::Guideline,
            "Hypertension",
            "Confirm high blood pressure with home or ambulatory readings before starting drugs.",
        ),
        doc(
            "mi",
            EvidenceKind::Trial,
            "Aspirin after myocardial infarction",
            "Aspirin reduced recurrent myocardial infarction in a randomized trial.",
        ),
        doc(
            "hip",
            EvidenceKind::Study,
            "Hip fracture surgery",
            "Early surgery after hip fracture was associated with lower mortality.",
        ),
    ]
}

fn build(data: &Path, docs: &[Document]) -> Snapshot {
    let mut w = IndexWriter::create(data).unwrap();
    for d in docs {
        w.add(d, &chunk(d, ChunkConfig::default())).unwrap();
    }
    w.publish().unwrap()
}

fn ids(index: &SearchIndex, q: &str, mode: Mode) -> Vec<String> {
    let opts = SearchOptions {
        k: 4,
        mode,
        ..SearchOptions::default()
    };
    index
        .search(q, &opts)
        .unwrap()
        .into_iter()
        .map(|h| h.record.passage.id.doc.0)
        .collect()
}

#[test]
fn bm25_finds_stemmed_terms_and_reports_missing_dense() {
    let dir = tempfile::tempdir().unwrap();
    let snap = build(dir.path(), &corpus());
    assert_eq!(snap.manifest.documents, 4);
    assert_eq!(snap.manifest.passages, 4);
    let index = SearchIndex::open(dir.path(), None).unwrap();
    assert!(index.notices()[0].contains("BM25 only"));
    assert_eq!(
        ids(&index, "anticoagulants for strokes", Mode::Hybrid)[0],
        "af"
    );
    assert!(ids(&index, "zebra giraffe", Mode::Bm25).is_empty());
}

#[test]
fn expansion_finds_synonyms() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &corpus());
    let lex = evident_core::lexicon::Lexicon::builtin();
    let index = SearchIndex::open(dir.path(), None)
        .unwrap()
        .with_expander(Box::new(move |q| lex.expand_query(q).added));
    // "MI" and "HTN" appear nowhere in the corpus: only the lexicon connects them.
    assert_eq!(ids(&index, "aspirin after MI", Mode::Bm25)[0], "mi");
    assert_eq!(ids(&index, "HTN diagnosis", Mode::Bm25)[0], "htn");
}

#[test]
fn dense_and_hybrid_use_embeddings_once_complete() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &corpus());
    let e: Arc<dyn Embedder> = Arc::new(HashEmbedder { dim: 64 });
    let before = SearchIndex::open(dir.path(), Some(e.clone())).unwrap();
    assert!(!before.has_dense());
    assert!(before.notices()[0].contains("not embedded"));
    // BM25 answers before any embedding has happened.
    assert_eq!(ids(&before, "hip fracture", Mode::Hybrid)[0], "hip");
    let report = embed_snapshot(dir.path(), e.as_ref(), usize::MAX, 1, &mut |_, _| {}).unwrap();
    assert_eq!(report.embedded, 4);
    let index = SearchIndex::open(dir.path(), Some(e.clone())).unwrap();
    assert!(index.has_dense() && index.notices().is_empty());
    assert_eq!(ids(&index, "hip fracture", Mode::Dense)[0], "hip");
    assert_eq!(
        ids(&index, "hip fracture mortality", Mode::Hybrid)[0],
        "hip"
    );
    // A second pass finds everything cached.
    let again = embed_snapshot(dir.path(), e.as_ref(), usize::MAX, 1, &mut |_, _| {}).unwrap();
    assert_eq!((again.embedded, again.cached), (0, 4));
}

#[test]
fn hnsw_graph_is_built_above_the_threshold_and_used() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &corpus());
    let e: Arc<dyn Embedder> = Arc::new(HashEmbedder { dim: 64 });
    let report = embed_snapshot(dir.path(), e.as_ref(), 2, 2, &mut |_, _| {}).unwrap();
    assert!(report.ann_seconds.is_some());
    let index = SearchIndex::open(dir.path(), Some(e)).unwrap();
    assert!(index.snapshot().manifest.ann);
    assert!(index.snapshot().dir.join("dense.hnsw").is_file());
    assert_eq!(ids(&index, "hip fracture", Mode::Dense)[0], "hip");
    assert_eq!(
        ids(&index, "aspirin myocardial infarction", Mode::Hybrid)[0],
        "mi"
    );
}

#[test]
fn guideline_boost_reorders() {
    let dir = tempfile::tempdir().unwrap();
    let docs = vec![
        doc(
            "study",
            EvidenceKind::Study,
            "Stroke",
            "Stroke prevention with anticoagulation anticoagulation.",
        ),
        doc(
            "guide",
            EvidenceKind::Guideline,
            "Stroke",
            "Stroke prevention with anticoagulation.",
        ),
    ];
    build(dir.path(), &docs);
    let index = SearchIndex::open(dir.path(), None).unwrap();
    let plain = ids(&index, "anticoagulation", Mode::Bm25);
    assert_eq!(plain[0], "study");
    let opts = SearchOptions {
        k: 2,
        mode: Mode::Bm25,
        guideline_boost: 1.0,
        ..SearchOptions::default()
    };
    let boosted = index.search("anticoagulation", &opts).unwrap();
    assert_eq!(boosted[0].record.passage.id.doc.as_str(), "guide");
}

#[test]
fn an_unfinished_build_leaves_the_published_index_readable() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), &corpus());
    {
        // A build that never publishes (the process dies before `publish`).
        let mut w = IndexWriter::create(dir.path()).unwrap();
        let d = doc(
            "new",
            EvidenceKind::Guideline,
            "New",
            "Completely different material.",
        );
        w.add(&d, &chunk(&d, ChunkConfig::default())).unwrap();
        drop(w);
    }
    let index = SearchIndex::open(dir.path(), None).unwrap();
    assert_eq!(index.snapshot().manifest.documents, 4);
    assert_eq!(ids(&index, "hip fracture", Mode::Bm25)[0], "hip");
    // The next build cleans up the leftovers and works.
    build(dir.path(), &corpus()[..1]);
    assert_eq!(
        SearchIndex::open(dir.path(), None)
            .unwrap()
            .snapshot()
            .manifest
            .documents,
        1
    );
}

#[test]
fn one_writer_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let first = IndexWriter::create(dir.path()).unwrap();
    let second = IndexWriter::create(dir.path());
    assert!(matches!(second, Err(evident_search::SearchError::Busy(_))));
    drop(first);
    build(dir.path(), &corpus());
}

#[test]
fn duplicate_ids_in_one_build_keep_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = corpus();
    docs.push(doc(
        "hip",
        EvidenceKind::Study,
        "Hip fracture v2",
        "Revised text about hip fracture rehabilitation.",
    ));
    let snap = build(dir.path(), &docs);
    assert_eq!(snap.manifest.documents, 4);
    let stored: Vec<Document> = read_documents(&snap).unwrap().map(Result::unwrap).collect();
    assert_eq!(stored.iter().filter(|d| d.id.as_str() == "hip").count(), 1);
    assert!(stored.iter().any(|d| d.title == "Hip fracture v2"));
    let index = SearchIndex::open(dir.path(), None).unwrap();
    let hits = index
        .search("hip fracture", &SearchOptions::default())
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].record.title, "Hip fracture v2");
}

#[test]
fn real_model_puts_synonyms_close() {
    let Some(dir) = std::env::var_os("EVIDENT_MODEL_DIR") else {
        eprintln!("skipping: EVIDENT_MODEL_DIR is not set (all-MiniLM-L6-v2 directory)");
        return;
    };
    let files = evident_search::ModelFiles::in_dir(Path::new(&dir)).unwrap();
    let e = evident_search::BertEmbedder::load(&files).unwrap();
    let v = e
        .embed_batch(&["myocardial infarction", "heart attack", "hip fracture"])
        .unwrap();
    let dot = evident_search::dense::dot;
    assert!(
        (dot(&v[0], &v[0]) - 1.0).abs() < 1e-4,
        "vectors are unit length"
    );
    let near = dot(&v[0], &v[1]);
    let far = dot(&v[0], &v[2]);
    assert!(
        near > far + 0.1,
        "MI·heart attack {near} vs MI·hip fracture {far}"
    );
    // Batching with padding gives the same vector as embedding alone.
    let alone = e.embed_batch(&["heart attack"]).unwrap();
    assert!(dot(&alone[0], &v[1]) > 0.9999);
}

#[test]
fn packed_cpu_encoder_matches_candle() {
    let Some(dir) = std::env::var_os("EVIDENT_MODEL_DIR") else {
        eprintln!("skipping: EVIDENT_MODEL_DIR is not set (all-MiniLM-L6-v2 directory)");
        return;
    };
    use evident_search::Runtime;
    let files = evident_search::ModelFiles::in_dir(Path::new(&dir)).unwrap();
    let packed = evident_search::BertEmbedder::load_with(&files, Runtime::Packed).unwrap();
    let candle = evident_search::BertEmbedder::load_with(&files, Runtime::Candle).unwrap();
    // Lengths from one token to past the 256-token truncation, mixed in one batch.
    let long = "Pelvic recurrence after chemoradiation may be treated with resection. ".repeat(40);
    let texts = [
        "MI",
        "Is re-irradiation safe for a presacral recurrence of rectal cancer?",
        long.as_str(),
        "",
        "HER2-positive breast cancer with residual disease after neoadjuvant therapy: T-DM1.",
    ];
    let a = packed.embed_batch(&texts).unwrap();
    let b = candle.embed_batch(&texts).unwrap();
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let worst = x
            .iter()
            .zip(y)
            .map(|(p, q)| (p - q).abs())
            .fold(0f32, f32::max);
        assert!(worst < 2e-5, "text {i}: largest difference {worst}");
    }
}

/// Fails on its `fail_at`-th batch, like a process interrupted mid-way.
struct Interrupted {
    inner: HashEmbedder,
    calls: std::sync::atomic::AtomicUsize,
    fail_at: usize,
}

impl Embedder for Interrupted {
    fn model_id(&self) -> &str {
        self.inner.model_id()
    }
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn token_len(&self, text: &str) -> usize {
        self.inner.token_len(text)
    }
    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, evident_search::SearchError> {
        let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n + 1 == self.fail_at {
            return Err(evident_search::SearchError::Model("interrupted".into()));
        }
        self.inner.embed_batch(texts)
    }
}

#[test]
fn an_interrupted_embedding_pass_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let docs: Vec<Document> = (0..600)
        .map(|i| {
            doc(
                &format!("d{i}"),
                EvidenceKind::Study,
                "Note",
                &format!("Observation number {i} about item {}.", i * 7),
            )
        })
        .collect();
    build(dir.path(), &docs);
    let failing = Interrupted {
        inner: HashEmbedder { dim: 16 },
        calls: 0.into(),
        fail_at: 5,
    };
    assert!(embed_snapshot(dir.path(), &failing, usize::MAX, 1, &mut |_, _| {}).is_err());
    // Nothing half-done is visible: the snapshot still has no dense vectors.
    let e: Arc<dyn Embedder> = Arc::new(HashEmbedder { dim: 16 });
    assert!(
        !SearchIndex::open(dir.path(), Some(e.clone()))
            .unwrap()
            .has_dense()
    );
    let resumed = embed_snapshot(dir.path(), e.as_ref(), usize::MAX, 1, &mut |_, _| {}).unwrap();
    assert!(
        resumed.cached >= 512,
        "the finished block was kept: {resumed:?}"
    );
    assert_eq!(resumed.cached + resumed.embedded, 600);
    assert!(SearchIndex::open(dir.path(), Some(e)).unwrap().has_dense());
}
