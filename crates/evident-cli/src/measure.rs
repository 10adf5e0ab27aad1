//! `evident eval retrieval` and `evident bench search`: retrieval quality against relevance judgements, and search latency.

use anyhow::{Context, Result};
use evident_core::eval::{Qrels, parse_queries};
use evident_engine::eval;
use std::path::Path;

use crate::{BenchArgs, Cli, EvalArgs, check_mode, open_index, search_options};

fn read_queries(path: &Path) -> Result<Vec<evident_core::eval::EvalQuery>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(parse_queries(&path.display().to_string(), &text)?)
}

pub(crate) fn cmd_eval(cli: &Cli, data_dir: &Path, args: &EvalArgs) -> Result<()> {
    let queries = read_queries(&args.queries)?;
    let qrels_text = std::fs::read_to_string(&args.qrels)
        .with_context(|| format!("reading {}", args.qrels.display()))?;
    let qrels = Qrels::parse(&args.qrels.display().to_string(), &qrels_text)?;
    let (index, _) = open_index(cli, data_dir)?;
    check_mode(&index, &args.rank)?;
    let judged: Vec<_> = queries
        .into_iter()
        .filter(|q| qrels.relevant_count(&q.id) > 0)
        .collect();
    let options = search_options(&args.rank, args.k);
    let outcome = eval::run_retrieval(&index, &judged, &qrels, &options, args.k)?;
    let mode = if index.has_dense() {
        format!("{:?}", args.rank.mode).to_lowercase()
    } else {
        "bm25 (no dense vectors)".to_string()
    };
    let m = &outcome.metrics;
    println!("queries      {}", m.queries);
    println!("ranking      {mode}");
    println!("nDCG@10      {:.4}", m.ndcg_at_10);
    println!("Recall@100   {:.4}", m.recall_at_100);
    println!("MRR@10       {:.4}", m.mrr_at_10);
    println!(
        "latency ms   p50 {:.2}  p99 {:.2}",
        eval::percentile(&outcome.latencies_ms, 50.0),
        eval::percentile(&outcome.latencies_ms, 99.0)
    );
    if let Some(path) = &args.run_out {
        std::fs::write(path, outcome.run.to_trec("evident"))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

pub(crate) fn cmd_bench(cli: &Cli, data_dir: &Path, args: &BenchArgs) -> Result<()> {
    let mut queries = read_queries(&args.queries)?;
    if let Some(n) = args.limit {
        queries.truncate(n);
    }
    let (index, _) = open_index(cli, data_dir)?;
    check_mode(&index, &args.rank)?;
    let options = search_options(&args.rank, args.k);
    // Warm up caches with a few queries, then time every query.
    for q in queries.iter().take(20) {
        index.search(&q.text, &options)?;
    }
    let mut ms = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = std::time::Instant::now();
        index.search(&q.text, &options)?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "{} queries, ranking {}, k {}: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        if index.has_dense() {
            format!("{:?}", args.rank.mode).to_lowercase()
        } else {
            "bm25".into()
        },
        args.k,
        eval::percentile(&ms, 50.0),
        eval::percentile(&ms, 90.0),
        eval::percentile(&ms, 99.0),
        eval::percentile(&ms, 100.0),
    );
    Ok(())
}
