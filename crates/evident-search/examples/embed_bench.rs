//! Embedding benchmark: single-query latency, exact top-k latency, and batch throughput
//! (tokens/s) at several padded-token budgets.
//!
//! `cargo run --release -p evident-search --example embed_bench -- MODEL_DIR CORPUS.jsonl [N] [packed|candle]`
//! where CORPUS.jsonl has a `text` field per line (e.g. a BEIR corpus); the last argument
//! picks the runtime (default: packed).

use evident_search::dense::{Matrix, normalize};
use evident_search::embed::{Embedder, embed_all};
use evident_search::{BertEmbedder, ModelFiles, Runtime};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: embed_bench MODEL_DIR CORPUS.jsonl [N] [packed|candle]");
        std::process::exit(2);
    }
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let files = ModelFiles::in_dir(std::path::Path::new(&args[1])).unwrap();
    let runtime = match args.get(4).map(String::as_str) {
        Some("candle") => Runtime::Candle,
        _ => Runtime::Packed,
    };
    let e = BertEmbedder::load_with(&files, runtime).unwrap();
    println!("runtime: {runtime:?}");
    let texts: Vec<String> = std::fs::read_to_string(&args[2])
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .take(n)
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();

    // Single-text latency over the first 200 texts, one at a time (as a search query is).
    for t in refs.iter().take(20) {
        e.embed_batch(&[t]).unwrap();
    }
    let mut lat = Vec::new();
    let mut toks = Vec::new();
    for t in refs.iter().take(200) {
        let s = Instant::now();
        e.embed_batch(&[t]).unwrap();
        lat.push(s.elapsed().as_secs_f64() * 1000.0);
        toks.push(e.token_len(t) as f64);
    }
    println!("median tokens per text: {:.0}", median(toks));
    println!("single query embed: median {:.2} ms", median(lat));

    let rows = 30_000;
    let mut data = Vec::with_capacity(rows * 384);
    for i in 0..rows {
        let mut v: Vec<f32> = (0..384)
            .map(|j| ((i * 31 + j * 17) % 97) as f32 - 48.0)
            .collect();
        normalize(&mut v);
        data.extend(v);
    }
    let m = Matrix { dim: 384, data };
    let q = m.row(5).to_vec();
    let mut lat = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        m.top_k(&q, 100);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "exact top-100 over {rows} x 384: median {:.2} ms",
        median(lat)
    );

    for budget in [1024usize, 2048, 4096, 8192] {
        let t = Instant::now();
        let mut tokens = 0;
        embed_all(&e, &refs, budget, &mut |_, tk| tokens += tk).unwrap();
        let s = t.elapsed().as_secs_f64();
        println!(
            "batch budget {budget:>5}: {} texts, {tokens} tokens, {:.1} s, {:.0} tokens/s",
            refs.len(),
            s,
            tokens as f64 / s
        );
    }
}
