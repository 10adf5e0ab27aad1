//! Querying a published snapshot: BM25 with clinical query expansion, dense nearest
//! neighbours, hybrid fusion and the guideline preference.

use crate::analyzer::{ANALYZER, analyzer, terms};
use crate::dense::{Ann, Matrix};
use crate::embed::Embedder;
use crate::error::SearchError;
use crate::fusion::{Fusion, fuse, sort_desc};
use crate::snapshot::{ANN, DENSE, Snapshot, TANTIVY_DIR};
use crate::writer::{Fields, PassageRecord, fields_of, kind_from_code};
use evident_core::EvidenceKind;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

/// Which rankings a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Hybrid,
    Bm25,
    Dense,
}

/// Adds synonyms and expansions of clinical shorthand to a query (see `evident_core::lexicon`).
pub type QueryExpander = Box<dyn Fn(&str) -> Vec<String> + Send + Sync>;

#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub k: usize,
    pub mode: Mode,
    pub fusion: Fusion,
    /// How many candidates each ranking contributes to fusion.
    pub candidates: usize,
    /// Multiplier bonus for guideline-grade kinds: score × (1 + boost).
    pub guideline_boost: f32,
    pub title_boost: f32,
    pub section_boost: f32,
    /// Weight of lexicon expansion terms relative to the user's own terms.
    pub expansion_weight: f32,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            k: 10,
            mode: Mode::Hybrid,
            fusion: Fusion::default(),
            candidates: 100,
            guideline_boost: 0.0,
            title_boost: 0.5,
            section_boost: 0.3,
            expansion_weight: 0.4,
        }
    }
}

/// One retrieved passage.
#[derive(Debug, Clone)]
pub struct Hit {
    pub row: u32,
    pub score: f32,
    pub record: PassageRecord,
    /// 1-based rank in each contributing list.
    pub bm25_rank: Option<usize>,
    pub dense_rank: Option<usize>,
}

pub struct SearchIndex {
    snapshot: Snapshot,
    reader: IndexReader,
    fields: Fields,
    analyzer: Mutex<TextAnalyzer>,
    /// Per row: where it lives, and its kind; `None` for rows replaced during the build.
    rows: Vec<Option<(DocAddress, EvidenceKind)>>,
    dense: Option<Matrix>,
    ann: Option<Ann>,
    embedder: Option<Arc<dyn Embedder>>,
    expander: Option<QueryExpander>,
    notices: Vec<String>,
}

impl SearchIndex {
    /// Open the published snapshot of `data_dir`. With an embedder whose vectors the snapshot
    /// holds, dense and hybrid search are available; otherwise search is BM25-only and
    /// [`SearchIndex::notices`] says why.
    pub fn open(data_dir: &Path, embedder: Option<Arc<dyn Embedder>>) -> Result<Self, SearchError> {
        let snapshot = Snapshot::current(data_dir)?;
        Self::open_snapshot(snapshot, embedder)
    }

    pub fn open_snapshot(
        snapshot: Snapshot,
        embedder: Option<Arc<dyn Embedder>>,
    ) -> Result<Self, SearchError> {
        let index = Index::open_in_dir(snapshot.dir.join(TANTIVY_DIR))?;
        index.tokenizers().register(ANALYZER, analyzer());
        let fields = fields_of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut rows: Vec<Option<(DocAddress, EvidenceKind)>> = Vec::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let row_col = seg.fast_fields().u64("row")?;
            let kind_col = seg.fast_fields().u64("kind")?;
            for doc in seg.doc_ids_alive() {
                let (Some(row), Some(kind)) = (row_col.first(doc), kind_col.first(doc)) else {
                    continue;
                };
                let row = row as usize;
                if rows.len() <= row {
                    rows.resize(row + 1, None);
                }
                rows[row] = Some((DocAddress::new(ord as u32, doc), kind_from_code(kind)));
            }
        }
        let mut notices = Vec::new();
        let dense = match (&embedder, &snapshot.manifest.model) {
            (None, _) => {
                notices.push(
                    "no embedding model configured (--model-dir / EVIDENT_MODEL_DIR): searching with BM25 only"
                        .to_string(),
                );
                None
            }
            (Some(e), Some(model)) if model == e.model_id() => {
                let path = snapshot.dir.join(DENSE);
                let bytes = std::fs::read(&path).map_err(SearchError::io(&path))?;
                let m =
                    Matrix::from_le_bytes(e.dim(), &bytes).ok_or_else(|| SearchError::Corrupt {
                        path: path.clone(),
                        message: "dense matrix size does not match the model dimension".into(),
                    })?;
                Some(m)
            }
            (Some(e), _) => {
                notices.push(format!(
                    "passages are not embedded with {} yet (run `evident embed`): searching with BM25 only",
                    e.model_id()
                ));
                None
            }
        };
        let ann = if dense.is_some() && snapshot.manifest.ann {
            let path = snapshot.dir.join(ANN);
            let bytes = std::fs::read(&path).map_err(SearchError::io(&path))?;
            Some(
                bincode::deserialize(&bytes).map_err(|e| SearchError::Corrupt {
                    path,
                    message: e.to_string(),
                })?,
            )
        } else {
            None
        };
        Ok(SearchIndex {
            ann,
            snapshot,
            reader,
            fields,
            analyzer: Mutex::new(analyzer()),
            rows,
            dense,
            embedder,
            expander: None,
            notices,
        })
    }

    pub fn with_expander(mut self, expander: QueryExpander) -> Self {
        self.expander = Some(expander);
        self
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Things the user should be told once (e.g. running BM25-only).
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    pub fn has_dense(&self) -> bool {
        self.dense.is_some()
    }

    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<Vec<Hit>, SearchError> {
        let n = opts.candidates.max(opts.k);
        let mode = if self.dense.is_none() {
            Mode::Bm25
        } else {
            opts.mode
        };
        // The query embedding and BM25 run at the same time.
        let (bm25, dense) = std::thread::scope(|s| {
            let dense = (mode != Mode::Bm25).then(|| s.spawn(|| self.dense(query, n)));
            let bm25 = if mode == Mode::Dense {
                Ok(Vec::new())
            } else {
                self.bm25(query, n, opts)
            };
            let dense = match dense {
                Some(h) => h.join().unwrap_or_else(|_| {
                    Err(SearchError::Model("the embedding thread panicked".into()))
                }),
                None => Ok(Vec::new()),
            };
            (bm25, dense)
        });
        let (bm25, dense) = (bm25?, dense?);
        let mut fused = match mode {
            Mode::Bm25 => bm25.clone(),
            Mode::Dense => dense.clone(),
            Mode::Hybrid => fuse(&bm25, &dense, opts.fusion),
        };
        if opts.guideline_boost != 0.0 {
            for (row, score) in &mut fused {
                if self
                    .kind_of(*row)
                    .is_some_and(EvidenceKind::is_guideline_grade)
                {
                    *score *= 1.0 + opts.guideline_boost;
                }
            }
            sort_desc(&mut fused);
        }
        let searcher = self.reader.searcher();
        let mut hits = Vec::with_capacity(opts.k);
        for (row, score) in fused {
            if hits.len() >= opts.k {
                break;
            }
            let Some(record) = self.record_with(&searcher, row)? else {
                continue;
            };
            hits.push(Hit {
                row,
                score,
                record,
                bm25_rank: bm25.iter().position(|x| x.0 == row).map(|p| p + 1),
                dense_rank: dense.iter().position(|x| x.0 == row).map(|p| p + 1),
            });
        }
        Ok(hits)
    }

    /// In how many passages each word occurs, compared as the index analyses text (`None`
    /// for a stop word).
    pub fn doc_freq(&self, words: &[String]) -> Result<Vec<Option<u64>>, SearchError> {
        let searcher = self.reader.searcher();
        let mut analyzer = self.analyzer.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::with_capacity(words.len());
        for word in words {
            let Some(term) = terms(&mut analyzer, word).into_iter().next() else {
                out.push(None);
                continue;
            };
            out.push(Some(
                searcher.doc_freq(&Term::from_field_text(self.fields.body, &term))?,
            ));
        }
        Ok(out)
    }

    fn kind_of(&self, row: u32) -> Option<EvidenceKind> {
        self.rows.get(row as usize).copied().flatten().map(|x| x.1)
    }

    /// The stored record of a row (`None` for a replaced row).
    pub fn record(&self, row: u32) -> Result<Option<PassageRecord>, SearchError> {
        self.record_with(&self.reader.searcher(), row)
    }

    fn record_with(
        &self,
        searcher: &Searcher,
        row: u32,
    ) -> Result<Option<PassageRecord>, SearchError> {
        let Some((addr, _)) = self.rows.get(row as usize).copied().flatten() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        let json = doc
            .get_first(self.fields.record)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        serde_json::from_str(json)
            .map(Some)
            .map_err(|e| SearchError::Corrupt {
                path: self.snapshot.dir.clone(),
                message: format!("row {row}: {e}"),
            })
    }

    /// Number of rows (including replaced ones).
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// BM25 over body, title and section, with lexicon expansion at reduced weight.
    pub fn bm25(
        &self,
        query: &str,
        n: usize,
        opts: &SearchOptions,
    ) -> Result<Vec<(u32, f32)>, SearchError> {
        let mut analyzer = self.analyzer.lock().unwrap_or_else(|p| p.into_inner());
        let mut seen = HashSet::new();
        let mut weighted: Vec<(String, f32)> = Vec::new();
        for t in terms(&mut analyzer, query) {
            if seen.insert(t.clone()) {
                weighted.push((t, 1.0));
            }
        }
        if let Some(expand) = self
            .expander
            .as_ref()
            .filter(|_| opts.expansion_weight > 0.0)
        {
            for phrase in expand(query) {
                for t in terms(&mut analyzer, &phrase) {
                    if seen.insert(t.clone()) {
                        weighted.push((t, opts.expansion_weight));
                    }
                }
            }
        }
        drop(analyzer);
        if weighted.is_empty() {
            return Ok(Vec::new());
        }
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (t, w) in &weighted {
            for (field, fw) in [
                (f.body, 1.0),
                (f.title, opts.title_boost),
                (f.section, opts.section_boost),
            ] {
                if fw <= 0.0 {
                    continue;
                }
                let q = TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), w * fw)),
                ));
            }
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        // Passages of equal score come in the order of their place in the index's segments,
        // which the indexing threads decide, and the corpus statistics BM25 uses are summed
        // over those segments (the last bits of a score vary with their layout): scores
        // rounded to four decimals, a margin past `n`, ordered by score and then by row,
        // make the ranking the same for every build of the same corpus.
        let margin = n + n / 4 + 8;
        let top = searcher.search(&query, &TopDocs::with_limit(margin).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let seg = searcher.segment_reader(addr.segment_ord);
            if let Some(row) = seg.fast_fields().u64("row")?.first(addr.doc_id) {
                out.push((row as u32, (score * 1e4).round() / 1e4));
            }
        }
        sort_desc(&mut out);
        out.truncate(n);
        Ok(out)
    }

    /// The embedding of `text` with the index's model, when the index has dense vectors.
    pub fn embed_query(&self, text: &str) -> Result<Option<Vec<f32>>, SearchError> {
        let (Some(_), Some(e)) = (&self.dense, &self.embedder) else {
            return Ok(None);
        };
        Ok(e.embed_batch(&[text])?.pop())
    }

    /// The stored records of the passages with these ids (`DOC#ORDINAL`), in the order
    /// asked; ids the index no longer holds are left out.
    pub fn passages(&self, ids: &[String]) -> Result<Vec<PassageRecord>, SearchError> {
        let searcher = self.reader.searcher();
        let mut docs: Vec<&str> = ids
            .iter()
            .filter_map(|id| id.rsplit_once('#').map(|(doc, _)| doc))
            .collect();
        docs.sort_unstable();
        docs.dedup();
        let mut found = Vec::new();
        for doc in docs {
            let query = TermQuery::new(
                Term::from_field_text(self.fields.doc_id, doc),
                IndexRecordOption::Basic,
            );
            let limit = searcher.num_docs().max(1) as usize;
            for (_, addr) in
                searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?
            {
                let seg = searcher.segment_reader(addr.segment_ord);
                let Some(row) = seg.fast_fields().u64("row")?.first(addr.doc_id) else {
                    continue;
                };
                if let Some(record) = self.record_with(&searcher, row as u32)?
                    && ids.contains(&record.passage.id.to_string())
                {
                    found.push(record);
                }
            }
        }
        found.sort_by_key(|r| {
            let id = r.passage.id.to_string();
            ids.iter().position(|x| *x == id)
        });
        found.dedup_by(|a, b| a.passage.id == b.passage.id);
        Ok(found)
    }

    /// Exact nearest neighbours of the query embedding (empty without vectors).
    pub fn dense(&self, query: &str, n: usize) -> Result<Vec<(u32, f32)>, SearchError> {
        let (Some(m), Some(e)) = (&self.dense, &self.embedder) else {
            return Ok(Vec::new());
        };
        let q = e.embed_batch(&[query])?.pop().unwrap_or_default();
        let nearest = match &self.ann {
            Some(ann) => ann.top_k(&q, n + 8),
            None => m.top_k(&q, n + 8),
        };
        Ok(nearest
            .into_iter()
            .filter(|(row, _)| self.kind_of(*row).is_some())
            .take(n)
            .collect())
    }
}
