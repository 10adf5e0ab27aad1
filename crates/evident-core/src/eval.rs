//! Retrieval evaluation: BEIR/TREC relevance judgements and query files, ranked runs, and the nDCG@10, Recall@100 and MRR@10 metrics.
//!
//! The metrics follow trec_eval as used by BEIR through pytrec_eval: nDCG uses the
//! graded relevance itself as gain and `log2(rank + 1)` as discount, with the ideal
//! ranking built from the judged grades of the query; a grade of zero or less means
//! "not relevant". Scores are averaged over the queries that have at least one relevant
//! judgement, and such a query missing from the run scores zero.

pub mod answers;

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

const NDCG_CUTOFF: usize = 10;
const RECALL_CUTOFF: usize = 100;
const MRR_CUTOFF: usize = 10;

fn parse_error(name: &str, line: usize, message: impl fmt::Display) -> CoreError {
    CoreError::Parse {
        name: name.to_string(),
        message: format!("line {line}: {message}"),
    }
}

/// Relevance judgements: query id -> document id -> grade.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qrels {
    judgements: BTreeMap<String, BTreeMap<String, i32>>,
}

impl Qrels {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses BEIR qrels (`query-id<TAB>corpus-id<TAB>score`, optional header line) or
    /// TREC qrels (`qid iteration docid grade`, whitespace separated). Blank lines and
    /// lines starting with `#` are skipped. The first line is taken as a header when its
    /// grade column is not a number. `name` (usually the file path) prefixes errors.
    pub fn parse(name: &str, text: &str) -> Result<Qrels, CoreError> {
        let mut qrels = Qrels::new();
        let mut first = true;
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let is_first = std::mem::replace(&mut first, false);
            let columns: Vec<&str> = if line.contains('\t') {
                line.split('\t').map(str::trim).collect()
            } else {
                line.split_whitespace().collect()
            };
            let (query, doc, grade) = match columns.as_slice() {
                [q, d, g] => (*q, *d, *g),
                [q, _iteration, d, g] => (*q, *d, *g),
                other => {
                    return Err(parse_error(
                        name,
                        line_no,
                        format!(
                            "expected `query-id corpus-id score` (3 columns) or TREC \
                             `qid iter docid grade` (4 columns), found {} column(s)",
                            other.len()
                        ),
                    ));
                }
            };
            let grade = match parse_grade(grade) {
                Some(g) => g,
                // A first line whose grade column is not a number at all is a header.
                None if is_first && grade.parse::<f64>().is_err() => continue,
                None => {
                    return Err(parse_error(
                        name,
                        line_no,
                        format!("relevance grade `{grade}` is not an integer"),
                    ));
                }
            };
            if query.is_empty() || doc.is_empty() {
                return Err(parse_error(name, line_no, "empty query id or document id"));
            }
            qrels.insert(query, doc, grade);
        }
        Ok(qrels)
    }

    /// Records a judgement (a later one for the same pair replaces the earlier).
    pub fn insert(&mut self, query_id: impl Into<String>, doc_id: impl Into<String>, grade: i32) {
        self.judgements
            .entry(query_id.into())
            .or_default()
            .insert(doc_id.into(), grade);
    }

    /// The judgements of one query.
    pub fn judgements(&self, query_id: &str) -> Option<&BTreeMap<String, i32>> {
        self.judgements.get(query_id)
    }

    /// The grade of a document for a query; 0 when unjudged.
    pub fn grade(&self, query_id: &str, doc_id: &str) -> i32 {
        self.judgements
            .get(query_id)
            .and_then(|j| j.get(doc_id))
            .copied()
            .unwrap_or(0)
    }

    /// Number of documents judged relevant (grade > 0) for a query.
    pub fn relevant_count(&self, query_id: &str) -> usize {
        self.judgements
            .get(query_id)
            .map_or(0, |j| j.values().filter(|&&g| g > 0).count())
    }

    /// Ids of all judged queries, sorted.
    pub fn query_ids(&self) -> impl Iterator<Item = &str> {
        self.judgements.keys().map(String::as_str)
    }

    /// Iterates over queries and their judgements, sorted by query id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &BTreeMap<String, i32>)> {
        self.judgements.iter().map(|(q, j)| (q.as_str(), j))
    }

    /// Number of judged queries.
    pub fn len(&self) -> usize {
        self.judgements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.judgements.is_empty()
    }
}

/// Integer grades; an integral float such as `1.0` is accepted too.
fn parse_grade(s: &str) -> Option<i32> {
    if let Ok(g) = s.parse::<i32>() {
        return Some(g);
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() <= f64::from(i32::MAX)).then_some(f as i32)
}

/// One evaluation query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalQuery {
    pub id: String,
    pub text: String,
}

/// Parses BEIR `queries.jsonl`: one JSON object per line with `_id` and `text` (also
/// accepted: `id` and `query`; numeric ids are turned into strings). Blank lines are
/// skipped; extra fields (e.g. `metadata`) are ignored.
pub fn parse_queries(name: &str, text: &str) -> Result<Vec<EvalQuery>, CoreError> {
    let mut queries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| parse_error(name, line_no, format!("invalid JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| parse_error(name, line_no, "expected a JSON object"))?;
        let id = match object.get("_id").or_else(|| object.get("id")) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => {
                return Err(parse_error(
                    name,
                    line_no,
                    "missing query id (`_id` or `id`, a non-empty string or number)",
                ));
            }
        };
        let query_text = object
            .get("text")
            .or_else(|| object.get("query"))
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                parse_error(
                    name,
                    line_no,
                    format!("query `{id}` has no `text` or `query` string"),
                )
            })?;
        queries.push(EvalQuery {
            id,
            text: query_text.to_string(),
        });
    }
    Ok(queries)
}

/// A retrieval run: for each query id, documents in rank order with their scores.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Run(pub BTreeMap<String, Vec<(String, f32)>>);

impl Run {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the ranking of one query (best first).
    pub fn insert(&mut self, query_id: impl Into<String>, ranked: Vec<(String, f32)>) {
        self.0.insert(query_id.into(), ranked);
    }

    /// The ranking of one query.
    pub fn get(&self, query_id: &str) -> Option<&[(String, f32)]> {
        self.0.get(query_id).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The run in TREC format, one line per document: `qid Q0 docid rank score tag`, ranks
    /// from 1 in the stored order. Whitespace in the tag is replaced by `_`.
    pub fn to_trec(&self, tag: &str) -> String {
        let tag: String = if tag.trim().is_empty() {
            "run".to_string()
        } else {
            tag.trim()
                .chars()
                .map(|c| if c.is_whitespace() { '_' } else { c })
                .collect()
        };
        let mut out = String::new();
        for (query, ranked) in &self.0 {
            for (rank, (doc, score)) in ranked.iter().enumerate() {
                out.push_str(&format!("{query} Q0 {doc} {} {score} {tag}\n", rank + 1));
            }
        }
        out
    }

    /// Reads a TREC run (`qid Q0 docid rank score tag`); each query's documents are
    /// ordered by the rank column (ties keep file order).
    pub fn from_trec(name: &str, text: &str) -> Result<Run, CoreError> {
        let mut rows: BTreeMap<String, Vec<(u64, String, f32)>> = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let columns: Vec<&str> = line.split_whitespace().collect();
            let [query, _q0, doc, rank, score, _tag] = columns.as_slice() else {
                return Err(parse_error(
                    name,
                    line_no,
                    format!(
                        "expected 6 columns `qid Q0 docid rank score tag`, found {}",
                        columns.len()
                    ),
                ));
            };
            let rank: u64 = rank.parse().map_err(|_| {
                parse_error(name, line_no, format!("rank `{rank}` is not an integer"))
            })?;
            let score: f32 = score.parse().map_err(|_| {
                parse_error(name, line_no, format!("score `{score}` is not a number"))
            })?;
            rows.entry(query.to_string())
                .or_default()
                .push((rank, doc.to_string(), score));
        }
        let mut run = Run::new();
        for (query, mut docs) in rows {
            docs.sort_by_key(|(rank, _, _)| *rank);
            run.insert(query, docs.into_iter().map(|(_, d, s)| (d, s)).collect());
        }
        Ok(run)
    }
}

/// The metrics of one query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryMetrics {
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
    pub mrr_at_10: f64,
}

/// Metrics averaged over the evaluated queries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
    pub mrr_at_10: f64,
    /// Number of queries averaged over (those with at least one relevant judgement).
    pub queries: usize,
}

/// Scores one ranking (best first) against one query's judgements. A document listed
/// more than once counts only at its first position; later repeats are dropped.
pub fn query_metrics<'a>(
    ranked: impl IntoIterator<Item = &'a str>,
    judgements: &BTreeMap<String, i32>,
) -> QueryMetrics {
    let grade = |doc: &str| judgements.get(doc).copied().unwrap_or(0).max(0);
    let total_relevant = judgements.values().filter(|&&g| g > 0).count();
    if total_relevant == 0 {
        return QueryMetrics::default();
    }

    let mut seen = HashSet::new();
    let mut dcg = 0.0;
    let mut found = 0usize;
    let mut reciprocal_rank = 0.0;
    let unique = ranked.into_iter().filter(|doc| seen.insert(*doc));
    for (position, doc) in unique.take(RECALL_CUTOFF).enumerate() {
        let rank = position + 1;
        let g = grade(doc);
        if g <= 0 {
            continue;
        }
        found += 1;
        if rank <= NDCG_CUTOFF {
            dcg += f64::from(g) / discount(rank);
        }
        if rank <= MRR_CUTOFF && reciprocal_rank == 0.0 {
            reciprocal_rank = 1.0 / rank as f64;
        }
    }

    let mut ideal: Vec<i32> = judgements.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(NDCG_CUTOFF)
        .enumerate()
        .map(|(i, &g)| f64::from(g) / discount(i + 1))
        .sum();

    QueryMetrics {
        ndcg_at_10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        recall_at_100: found as f64 / total_relevant as f64,
        mrr_at_10: reciprocal_rank,
    }
}

/// `log2(rank + 1)` for a 1-based rank.
fn discount(rank: usize) -> f64 {
    (rank as f64 + 1.0).log2()
}

/// Metrics for every judged query with at least one relevant document; a query absent
/// from the run scores zero. Run queries without judgements are ignored.
pub fn evaluate_per_query(run: &Run, qrels: &Qrels) -> BTreeMap<String, QueryMetrics> {
    qrels
        .iter()
        .filter(|(_, judgements)| judgements.values().any(|&g| g > 0))
        .map(|(query, judgements)| {
            let metrics = match run.get(query) {
                Some(ranked) => query_metrics(ranked.iter().map(|(d, _)| d.as_str()), judgements),
                None => QueryMetrics::default(),
            };
            (query.to_string(), metrics)
        })
        .collect()
}

/// Mean nDCG@10, Recall@100 and MRR@10 over the queries of [`evaluate_per_query`].
pub fn evaluate(run: &Run, qrels: &Qrels) -> Metrics {
    let per_query = evaluate_per_query(run, qrels);
    let n = per_query.len();
    if n == 0 {
        return Metrics::default();
    }
    let mean = |f: fn(&QueryMetrics) -> f64| per_query.values().map(f).sum::<f64>() / n as f64;
    Metrics {
        ndcg_at_10: mean(|m| m.ndcg_at_10),
        recall_at_100: mean(|m| m.recall_at_100),
        mrr_at_10: mean(|m| m.mrr_at_10),
        queries: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn ranking(docs: &[&str]) -> Vec<(String, f32)> {
        docs.iter()
            .enumerate()
            .map(|(i, d)| (d.to_string(), 10.0 - i as f32))
            .collect()
    }

    fn error_message(result: Result<impl fmt::Debug, CoreError>) -> String {
        match result {
            Err(CoreError::Parse { message, .. }) => message,
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn binary_relevance_at_ranks_one_and_three() {
        let qrels = Qrels::parse("q", "q1\td1\t1\nq1\td2\t1\nq1\td9\t0\n").unwrap();
        let mut run = Run::new();
        run.insert("q1", ranking(&["d1", "d9", "d2", "d3"]));
        let m = evaluate(&run, &qrels);
        let expected = (1.0 + 1.0 / 4f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!(
            close(m.ndcg_at_10, expected),
            "{} vs {expected}",
            m.ndcg_at_10
        );
        assert!(close(m.mrr_at_10, 1.0));
        assert!(close(m.recall_at_100, 1.0));
        assert_eq!(m.queries, 1);
    }

    #[test]
    fn graded_gain_is_the_grade_itself() {
        let mut qrels = Qrels::new();
        qrels.insert("q", "a", 2);
        qrels.insert("q", "b", 1);
        let m = query_metrics(["b", "a"], qrels.judgements("q").unwrap());
        let dcg = 1.0 + 2.0 / 3f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2();
        assert!(close(m.ndcg_at_10, dcg / idcg));
        assert!(close(m.mrr_at_10, 1.0));
    }

    #[test]
    fn cutoffs_apply_to_each_metric() {
        let mut docs: Vec<String> = (0..150).map(|i| format!("x{i}")).collect();
        docs[10] = "r1".to_string(); // rank 11: outside nDCG@10 and MRR@10
        docs[119] = "r2".to_string(); // rank 120: outside Recall@100
        let mut qrels = Qrels::new();
        qrels.insert("q", "r1", 1);
        qrels.insert("q", "r2", 1);
        let m = query_metrics(
            docs.iter().map(String::as_str),
            qrels.judgements("q").unwrap(),
        );
        assert_eq!(m.ndcg_at_10, 0.0);
        assert_eq!(m.mrr_at_10, 0.0);
        assert!(close(m.recall_at_100, 0.5));

        let m = query_metrics(["x", "y", "r2", "r1"], qrels.judgements("q").unwrap());
        assert!(close(m.mrr_at_10, 1.0 / 3.0));
    }

    #[test]
    fn query_missing_from_run_counts_as_zero() {
        let qrels = Qrels::parse("q", "q1\td1\t1\nq2\td2\t1\nq3\td3\t0\n").unwrap();
        let mut run = Run::new();
        run.insert("q1", ranking(&["d1"]));
        run.insert("q9", ranking(&["d1"])); // not judged: ignored
        let per = evaluate_per_query(&run, &qrels);
        assert_eq!(per.keys().collect::<Vec<_>>(), ["q1", "q2"]); // q3 has no relevant doc
        assert_eq!(per["q2"], QueryMetrics::default());
        let m = evaluate(&run, &qrels);
        assert_eq!(m.queries, 2);
        assert!(close(m.ndcg_at_10, 0.5));
        assert!(close(m.recall_at_100, 0.5));
        assert!(close(m.mrr_at_10, 0.5));
    }

    #[test]
    fn repeated_documents_count_once() {
        let mut qrels = Qrels::new();
        qrels.insert("q", "a", 1);
        qrels.insert("q", "b", 1);
        let m = query_metrics(["a", "a", "b"], qrels.judgements("q").unwrap());
        assert!(close(m.ndcg_at_10, 1.0));
    }

    #[test]
    fn empty_inputs_give_zero() {
        let m = evaluate(&Run::new(), &Qrels::new());
        assert_eq!(m, Metrics::default());
    }

    #[test]
    fn beir_header_is_skipped() {
        let text = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\n\nq2\td3\t0\n";
        let qrels = Qrels::parse("test.tsv", text).unwrap();
        assert_eq!(qrels.len(), 2);
        assert_eq!(qrels.grade("q1", "d2"), 2);
        assert_eq!(qrels.grade("q1", "nope"), 0);
        assert_eq!(qrels.relevant_count("q1"), 2);
        assert_eq!(qrels.relevant_count("q2"), 0);
        assert_eq!(qrels.query_ids().collect::<Vec<_>>(), ["q1", "q2"]);
    }

    #[test]
    fn trec_qrels_and_float_grades_parse() {
        let qrels = Qrels::parse(
            "qrels.txt",
            "101 0 DOC-1 1\n101  0  DOC-2  0\n102 Q0 D3 2.0\n",
        )
        .unwrap();
        assert_eq!(qrels.grade("101", "DOC-1"), 1);
        assert_eq!(qrels.grade("102", "D3"), 2);
        assert_eq!(qrels.relevant_count("101"), 1);
    }

    #[test]
    fn malformed_qrels_lines_are_named() {
        let msg = error_message(Qrels::parse("x.tsv", "q1\td1\t1\nq1\td2\n"));
        assert!(msg.starts_with("line 2:"), "{msg}");
        let msg = error_message(Qrels::parse("x.tsv", "q1\td1\t1\nq1\td2\thigh\n"));
        assert!(msg.contains("line 2") && msg.contains("high"), "{msg}");
        let msg = error_message(Qrels::parse("x.tsv", "q1\td1\t0.5\n"));
        assert!(msg.starts_with("line 1:"), "{msg}");
        match Qrels::parse("x.tsv", "a b c d e\n") {
            Err(e) => assert!(e.to_string().starts_with("x.tsv: line 1:"), "{e}"),
            Ok(q) => panic!("parsed {q:?}"),
        }
    }

    #[test]
    fn trec_output_format() {
        let mut run = Run::new();
        run.insert("q2", vec![("d9".to_string(), 0.25)]);
        run.insert("q1", vec![("d1".to_string(), 2.5), ("d2".to_string(), 1.0)]);
        assert_eq!(
            run.to_trec("bm25 v1"),
            "q1 Q0 d1 1 2.5 bm25_v1\nq1 Q0 d2 2 1 bm25_v1\nq2 Q0 d9 1 0.25 bm25_v1\n"
        );
        let back = Run::from_trec("run.txt", &run.to_trec("x")).unwrap();
        assert_eq!(back, run);
        let msg = error_message(Run::from_trec("run.txt", "q1 Q0 d1 1 2.5\n"));
        assert!(msg.starts_with("line 1:"), "{msg}");
    }

    #[test]
    fn queries_jsonl_accepts_beir_and_alternative_keys() {
        let text = concat!(
            "{\"_id\": \"q1\", \"text\": \"s/p CRT rectal cancer\", \"metadata\": {}}\n",
            "\n",
            "{\"id\": 7, \"query\": \"afib anticoagulation\"}\n",
        );
        let queries = parse_queries("queries.jsonl", text).unwrap();
        assert_eq!(
            queries,
            [
                EvalQuery {
                    id: "q1".into(),
                    text: "s/p CRT rectal cancer".into()
                },
                EvalQuery {
                    id: "7".into(),
                    text: "afib anticoagulation".into()
                },
            ]
        );
        let msg = error_message(parse_queries(
            "queries.jsonl",
            "{\"_id\":\"q1\",\"text\":\"a\"}\n{\"_id\":\"q2\"}\n",
        ));
        assert!(msg.starts_with("line 2:"), "{msg}");
        let msg = error_message(parse_queries("queries.jsonl", "not json\n"));
        assert!(msg.starts_with("line 1: invalid JSON"), "{msg}");
    }
}
