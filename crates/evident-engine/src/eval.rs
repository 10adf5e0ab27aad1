//! Retrieval evaluation and search latency benchmarking over a published index.

use evident_core::eval::{EvalQuery, Metrics, Qrels, Run, evaluate};
use evident_search::{SearchError, SearchIndex, SearchOptions};
use std::collections::HashSet;
use std::time::Instant;

/// The result of running every query once.
pub struct EvalOutcome {
    pub run: Run,
    pub metrics: Metrics,
    /// Per-query search time in milliseconds, in query order.
    pub latencies_ms: Vec<f64>,
}

/// Search every query, keep the best passage of each document (up to `depth` documents), and
/// score the run against `qrels`. Queries without judgements are still run and timed.
pub fn run_retrieval(
    index: &SearchIndex,
    queries: &[EvalQuery],
    qrels: &Qrels,
    options: &SearchOptions,
    depth: usize,
) -> Result<EvalOutcome, SearchError> {
    let mut run = Run::new();
    let mut latencies_ms = Vec::with_capacity(queries.len());
    // Passages per document vary; ask for enough passages to fill `depth` documents.
    let opts = SearchOptions {
        k: depth * 3,
        candidates: options.candidates.max(depth * 3),
        ..options.clone()
    };
    for q in queries {
        let t = Instant::now();
        let hits = index.search(&q.text, &opts)?;
        latencies_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let mut seen = HashSet::new();
        let ranked: Vec<(String, f32)> = hits
            .into_iter()
            .filter(|h| seen.insert(h.record.passage.id.doc.clone()))
            .take(depth)
            .map(|h| (h.record.passage.id.doc.0, h.score))
            .collect();
        run.insert(q.id.clone(), ranked);
    }
    let metrics = evaluate(&run, qrels);
    Ok(EvalOutcome {
        run,
        metrics,
        latencies_ms,
    })
}

/// The `p`-th percentile (0–100) of `values`, nearest-rank.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
