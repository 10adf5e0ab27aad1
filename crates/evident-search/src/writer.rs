//! Building a snapshot: the tantivy schema, adding documents with their passages, and
//! publishing the result atomically.

use crate::analyzer::{ANALYZER, analyzer};
use crate::error::SearchError;
use crate::snapshot::{self, DOCUMENTS, MANIFEST, Manifest, Snapshot, TANTIVY_DIR};
use evident_core::{CitedStudy, Document, EvidenceKind, Passage};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use tantivy::schema::{
    FAST, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, Term, doc};

/// The fields of the BM25 index.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub row: tantivy::schema::Field,
    pub doc_id: tantivy::schema::Field,
    pub title: tantivy::schema::Field,
    pub section: tantivy::schema::Field,
    pub body: tantivy::schema::Field,
    pub kind: tantivy::schema::Field,
    pub record: tantivy::schema::Field,
}

pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        row: b.add_u64_field("row", INDEXED | FAST),
        doc_id: b.add_text_field("doc_id", STRING),
        title: b.add_text_field("title", text.clone()),
        section: b.add_text_field("section", text.clone()),
        body: b.add_text_field("body", text),
        kind: b.add_u64_field("kind", FAST),
        record: b.add_text_field("record", STORED),
    };
    (b.build(), fields)
}

pub(crate) fn fields_of(schema: &Schema) -> Result<Fields, SearchError> {
    let f = |name: &str| schema.get_field(name).map_err(SearchError::Tantivy);
    Ok(Fields {
        row: f("row")?,
        doc_id: f("doc_id")?,
        title: f("title")?,
        section: f("section")?,
        body: f("body")?,
        kind: f("kind")?,
        record: f("record")?,
    })
}

pub(crate) fn kind_code(kind: EvidenceKind) -> u64 {
    EvidenceKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(EvidenceKind::ALL.len() - 1) as u64
}

pub(crate) fn kind_from_code(code: u64) -> EvidenceKind {
    EvidenceKind::ALL
        .get(code as usize)
        .copied()
        .unwrap_or(EvidenceKind::Other)
}

/// What the index stores for each passage, returned with every hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageRecord {
    pub passage: Passage,
    pub title: String,
    pub kind: EvidenceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The entries of the document's reference list that the passage cites, so that an
    /// answer can list them without reading the whole document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub studies: Vec<CitedStudy>,
}

/// The studies of `doc.references` that `passage` cites, each once, in order of first citation.
fn cited_studies(doc: &Document, passage: &Passage) -> Vec<CitedStudy> {
    let mut out: Vec<CitedStudy> = Vec::new();
    for mark in &passage.citations {
        if out.iter().any(|s| s.key == mark.value) {
            continue;
        }
        if let Some(study) = doc.references.iter().find(|s| s.key == mark.value) {
            out.push(study.clone());
        }
    }
    out
}

/// The text a passage is embedded as: its document title and innermost heading give the
/// dense model the context that the passage alone may lack.
pub fn embed_text(title: &str, section_path: &[String], text: &str) -> String {
    let mut s = String::with_capacity(title.len() + text.len() + 40);
    if !title.is_empty() {
        s.push_str(title);
        s.push_str(". ");
    }
    if let Some(h) = section_path.last() {
        s.push_str(h);
        s.push_str(". ");
    }
    s.push_str(text);
    s
}

/// Builds a snapshot in a temporary directory. Nothing is visible to readers until
/// [`IndexWriter::publish`].
pub struct IndexWriter {
    /// Held until the writer is dropped: one writer per data directory at a time.
    _lock: File,
    data_dir: PathBuf,
    build_dir: PathBuf,
    writer: tantivy::IndexWriter,
    fields: Fields,
    docs_out: BufWriter<File>,
    /// Per row: whether its document is still current (false once replaced in this build).
    rows: Vec<bool>,
    /// Doc id → (position in documents.jsonl, its rows, content hash).
    docs: HashMap<String, (usize, std::ops::Range<usize>, [u8; 32])>,
    written_docs: usize,
    dead_positions: Vec<usize>,
}

impl IndexWriter {
    pub fn create(data_dir: &Path) -> Result<Self, SearchError> {
        let lock = snapshot::lock_for_writing(data_dir)?;
        let build_dir = snapshot::temp_build_dir(data_dir)?;
        let tantivy_dir = build_dir.join(TANTIVY_DIR);
        fs::create_dir_all(&tantivy_dir).map_err(SearchError::io(&tantivy_dir))?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(&tantivy_dir, schema)?;
        index.tokenizers().register(ANALYZER, analyzer());
        let writer = index.writer(256 * 1024 * 1024)?;
        let docs_path = build_dir.join(DOCUMENTS);
        let docs_out =
            BufWriter::new(File::create(&docs_path).map_err(SearchError::io(&docs_path))?);
        Ok(Self {
            _lock: lock,
            data_dir: data_dir.to_path_buf(),
            build_dir,
            writer,
            fields,
            docs_out,
            rows: Vec::new(),
            docs: HashMap::new(),
            written_docs: 0,
            dead_positions: Vec::new(),
        })
    }

    pub fn contains(&self, id: &str) -> bool {
        self.docs.contains_key(id)
    }

    pub fn passages(&self) -> usize {
        self.rows.len()
    }

    pub fn documents(&self) -> usize {
        self.docs.len()
    }

    /// Add a document and its passages. A document whose id was already added replaces it.
    pub fn add(&mut self, doc: &Document, passages: &[Passage]) -> Result<(), SearchError> {
        let f = self.fields;
        let id = doc.id.as_str();
        if let Some((pos, rows, _)) = self.docs.remove(id) {
            self.writer.delete_term(Term::from_field_text(f.doc_id, id));
            self.dead_positions.push(pos);
            for r in rows {
                self.rows[r] = false;
            }
        }
        let line = serde_json::to_string(doc).expect("documents serialise");
        let content_hash: [u8; 32] = Sha256::digest(line.as_bytes()).into();
        let docs_path = self.build_dir.join(DOCUMENTS);
        writeln!(self.docs_out, "{line}").map_err(SearchError::io(&docs_path))?;
        let first_row = self.rows.len();
        for p in passages {
            let row = self.rows.len() as u64;
            let record = PassageRecord {
                passage: p.clone(),
                title: doc.title.clone(),
                kind: doc.kind,
                source: doc.source.clone(),
                year: doc.year,
                url: doc.url.clone(),
                studies: cited_studies(doc, p),
            };
            self.writer.add_document(doc!(
                f.row => row,
                f.doc_id => id,
                f.title => doc.title.as_str(),
                f.section => p.section_path.join(" / "),
                f.body => p.text.as_str(),
                f.kind => kind_code(doc.kind),
                f.record => serde_json::to_string(&record).expect("records serialise"),
            ))?;
            self.rows.push(true);
        }
        self.docs.insert(
            id.to_string(),
            (self.written_docs, first_row..self.rows.len(), content_hash),
        );
        self.written_docs += 1;
        Ok(())
    }

    /// Commit, write the manifest and publish the snapshot atomically.
    pub fn publish(mut self) -> Result<Snapshot, SearchError> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        let docs_path = self.build_dir.join(DOCUMENTS);
        self.docs_out
            .flush()
            .and_then(|()| self.docs_out.get_ref().sync_all())
            .map_err(SearchError::io(&docs_path))?;
        drop(self.docs_out);
        if !self.dead_positions.is_empty() {
            drop_lines(&docs_path, &self.dead_positions)?;
        }

        let mut ids: Vec<(&String, &[u8; 32])> = self.docs.iter().map(|(k, v)| (k, &v.2)).collect();
        ids.sort();
        let mut h = Sha256::new();
        for (id, content) in ids {
            h.update(id.as_bytes());
            h.update([0]);
            h.update(content);
        }
        let corpus_version = hex::encode(h.finalize());
        let manifest = Manifest {
            format: 1,
            corpus_version: corpus_version.clone(),
            documents: self.docs.len() as u64,
            passages: self.rows.iter().filter(|alive| **alive).count() as u64,
            model: None,
            dim: None,
            ann: false,
            created: snapshot::now_rfc3339(),
        };
        snapshot::write_atomic(
            &self.build_dir.join(MANIFEST),
            serde_json::to_string_pretty(&manifest)
                .expect("manifest serialises")
                .as_bytes(),
        )?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("{}-{nanos}", &corpus_version[..12]);
        snapshot::publish(&self.data_dir, &self.build_dir, &name)
    }
}

/// Rewrite a JSON Lines file without the lines at `positions` (0-based).
fn drop_lines(path: &Path, positions: &[usize]) -> Result<(), SearchError> {
    let dead: std::collections::HashSet<usize> = positions.iter().copied().collect();
    let tmp = path.with_extension("jsonl.rewrite");
    {
        let input = BufReader::new(File::open(path).map_err(SearchError::io(path))?);
        let mut out = BufWriter::new(File::create(&tmp).map_err(SearchError::io(&tmp))?);
        for (i, line) in input.lines().enumerate() {
            let line = line.map_err(SearchError::io(path))?;
            if !dead.contains(&i) {
                writeln!(out, "{line}").map_err(SearchError::io(&tmp))?;
            }
        }
        out.flush().map_err(SearchError::io(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(SearchError::io(path))
}

/// Stream the documents of a snapshot (for rebuilding it with additions).
pub fn read_documents(
    snapshot: &Snapshot,
) -> Result<impl Iterator<Item = Result<Document, SearchError>>, SearchError> {
    let path = snapshot.dir.join(DOCUMENTS);
    let file = File::open(&path).map_err(SearchError::io(&path))?;
    Ok(BufReader::new(file).lines().map(move |line| {
        let line = line.map_err(SearchError::io(&path))?;
        serde_json::from_str(&line).map_err(|e| SearchError::Corrupt {
            path: path.clone(),
            message: e.to_string(),
        })
    }))
}
