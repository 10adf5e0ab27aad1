//! A BERT sentence encoder for CPUs: the same computation as candle's `BertModel` followed
//! by mean pooling, but over packed sequences (no padding: linear layers run on the real
//! tokens of the whole batch, attention per sequence), one fused Q/K/V product, and
//! vectorised GELU, softmax and layer normalisation.

mod kernels;

use crate::error::SearchError;
use candle_core::Tensor;
use candle_transformers::models::bert::{Config, HiddenAct};
use kernels::{Layout, gelu, layer_norm, matmul, softmax};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A pool with one thread per core for single-query passes, independent of the global rayon
/// pool (which the CLI keeps at one thread). `None` if threads cannot be started.
fn shared_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new()
            .num_threads(cores)
            .thread_name(|i| format!("evident-encoder-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// `y = x Wᵀ + b`, with `Wᵀ` stored (`[in, out]` row-major): a few query rows then multiply
/// the weights without gemm copying ("packing") them first, which would dominate the time.
struct Linear {
    wt: Vec<f32>,
    b: Vec<f32>,
    out: usize,
    inp: usize,
}

impl Linear {
    /// From PyTorch's layout, `W` as `[out, in]` row-major.
    fn new(w: &[f32], b: Vec<f32>, out: usize, inp: usize) -> Self {
        let mut wt = vec![0f32; w.len()];
        for o in 0..out {
            for i in 0..inp {
                wt[i * out + o] = w[o * inp + i];
            }
        }
        Self { wt, b, out, inp }
    }

    /// `dst[rows, out] = x[rows, inp] Wᵀ + b (+ residual)`, on `threads` threads.
    fn forward(
        &self,
        threads: usize,
        dst: &mut [f32],
        x: &[f32],
        rows: usize,
        residual: Option<&[f32]>,
    ) {
        for (r, row) in dst[..rows * self.out]
            .chunks_exact_mut(self.out)
            .enumerate()
        {
            row.copy_from_slice(&self.b);
            if let Some(res) = residual {
                for (y, v) in row.iter_mut().zip(&res[r * self.out..(r + 1) * self.out]) {
                    *y += v;
                }
            }
        }
        matmul(
            threads,
            dst,
            Layout::rows(0, rows, 0, self.out, self.out),
            x,
            Layout::rows(0, rows, 0, self.inp, self.inp),
            &self.wt,
            Layout::rows(0, self.inp, 0, self.out, self.out),
            true,
        );
    }
}

struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

struct Layer {
    /// Query, key and value stacked (`[3H, H]`); the query rows are pre-scaled by 1/√d.
    qkv: Linear,
    attn_out: Linear,
    attn_norm: Norm,
    inter: Linear,
    out: Linear,
    out_norm: Norm,
}

/// The encoder's weights. Immutable after loading, so one instance serves many threads.
pub struct CpuBert {
    hidden: usize,
    heads: usize,
    eps: f32,
    word: Vec<f32>,
    position: Vec<f32>,
    max_positions: usize,
    token_type: Vec<f32>,
    embed_norm: Norm,
    layers: Vec<Layer>,
}

/// Buffers of one forward pass, sized for `tokens` packed tokens.
struct Scratch {
    x: Vec<f32>,
    qkv: Vec<f32>,
    ctx: Vec<f32>,
    h: Vec<f32>,
    inter: Vec<f32>,
    scores: Vec<f32>,
}

impl CpuBert {
    /// Builds the encoder from safetensors tensors (names as in sentence-transformers'
    /// `model.safetensors`, with or without a `bert.` prefix). Only GELU (erf) BERTs are
    /// supported; other activations are an error, and the caller falls back to candle.
    pub fn from_tensors(
        tensors: &HashMap<String, Tensor>,
        config: &Config,
    ) -> Result<Self, SearchError> {
        if config.hidden_act != HiddenAct::Gelu {
            return Err(SearchError::Model(format!(
                "the CPU encoder supports GELU only, not {:?}",
                config.hidden_act
            )));
        }
        let prefix = if tensors.contains_key("bert.embeddings.word_embeddings.weight") {
            "bert."
        } else {
            ""
        };
        let get = |name: &str| -> Result<Vec<f32>, SearchError> {
            let t = tensors
                .get(&format!("{prefix}{name}"))
                .ok_or_else(|| SearchError::Model(format!("the weights lack {prefix}{name}")))?;
            t.flatten_all()
                .and_then(|t| t.to_dtype(candle_core::DType::F32))
                .and_then(|t| t.to_vec1::<f32>())
                .map_err(|e| SearchError::Model(format!("{prefix}{name}: {e}")))
        };
        let (h, i) = (config.hidden_size, config.intermediate_size);
        let heads = config.num_attention_heads;
        if heads == 0 || h % heads != 0 {
            return Err(SearchError::Model(format!(
                "hidden size {h} is not a multiple of {heads} heads"
            )));
        }
        // PyTorch's `[out, in]` weight and the bias.
        let raw =
            |name: &str, out: usize, inp: usize| -> Result<(Vec<f32>, Vec<f32>), SearchError> {
                let (w, b) = (
                    get(&format!("{name}.weight"))?,
                    get(&format!("{name}.bias"))?,
                );
                if w.len() != out * inp || b.len() != out {
                    return Err(SearchError::Model(format!(
                        "{name}: expected a {out}×{inp} weight"
                    )));
                }
                Ok((w, b))
            };
        let norm = |name: &str| -> Result<Norm, SearchError> {
            let (gamma, beta) = (
                get(&format!("{name}.weight"))?,
                get(&format!("{name}.bias"))?,
            );
            if gamma.len() != h || beta.len() != h {
                return Err(SearchError::Model(format!("{name}: expected {h} values")));
            }
            Ok(Norm { gamma, beta })
        };
        let scale = 1.0 / ((h / heads) as f32).sqrt();
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let linear = |name: &str, out: usize, inp: usize| {
                raw(&format!("{p}.{name}"), out, inp).map(|(w, b)| Linear::new(&w, b, out, inp))
            };
            let (q, k, v) = (
                raw(&format!("{p}.attention.self.query"), h, h)?,
                raw(&format!("{p}.attention.self.key"), h, h)?,
                raw(&format!("{p}.attention.self.value"), h, h)?,
            );
            let mut w: Vec<f32> = q.0.iter().map(|x| x * scale).collect();
            w.extend(k.0.iter().chain(&v.0));
            let mut b: Vec<f32> = q.1.iter().map(|x| x * scale).collect();
            b.extend(k.1.iter().chain(&v.1));
            layers.push(Layer {
                qkv: Linear::new(&w, b, 3 * h, h),
                attn_out: linear("attention.output.dense", h, h)?,
                attn_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                inter: linear("intermediate.dense", i, h)?,
                out: linear("output.dense", h, i)?,
                out_norm: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        let word = get("embeddings.word_embeddings.weight")?;
        let position = get("embeddings.position_embeddings.weight")?;
        let token_type = get("embeddings.token_type_embeddings.weight")?;
        if word.len() % h != 0 || position.len() % h != 0 || token_type.len() < h {
            return Err(SearchError::Model(
                "embedding tables of the wrong width".into(),
            ));
        }
        Ok(Self {
            hidden: h,
            heads,
            eps: config.layer_norm_eps as f32,
            max_positions: position.len() / h,
            word,
            position,
            token_type,
            embed_norm: norm("embeddings.LayerNorm")?,
            layers,
        })
    }

    /// Mean-pooled, L2-normalised embeddings of token-id sequences (each already truncated
    /// by the tokenizer). An empty sequence gives a zero vector; ids outside the vocabulary
    /// or sequences longer than the position table are an error.
    ///
    /// With `all_cores`, the linear layers use every core (for a lone query, whose latency
    /// counts); otherwise the pass runs on the calling thread (for batches, embedded one
    /// worker per core).
    pub fn embed(&self, seqs: &[&[u32]], all_cores: bool) -> Result<Vec<Vec<f32>>, SearchError> {
        match (all_cores, shared_pool()) {
            (true, Some(pool)) => {
                let threads = pool.current_num_threads();
                pool.install(|| self.run(seqs, threads))
            }
            _ => self.run(seqs, 1),
        }
    }

    fn run(&self, seqs: &[&[u32]], threads: usize) -> Result<Vec<Vec<f32>>, SearchError> {
        let h = self.hidden;
        let vocab = self.word.len() / h;
        let tokens: usize = seqs.iter().map(|s| s.len()).sum();
        let longest = seqs.iter().map(|s| s.len()).max().unwrap_or(0);
        if longest > self.max_positions {
            return Err(SearchError::Model(format!(
                "a sequence of {longest} tokens exceeds the model's {} positions",
                self.max_positions
            )));
        }
        let inter = self.layers.first().map_or(0, |l| l.inter.out);
        let mut s = Scratch {
            x: vec![0.0; tokens * h],
            qkv: vec![0.0; tokens * 3 * h],
            ctx: vec![0.0; tokens * h],
            h: vec![0.0; tokens * h],
            inter: vec![0.0; tokens * inter],
            scores: vec![0.0; longest * longest],
        };
        // Embeddings: word + position + token type 0, then layer norm.
        let mut row = 0;
        for seq in seqs {
            for (pos, &id) in seq.iter().enumerate() {
                let id = id as usize;
                if id >= vocab {
                    return Err(SearchError::Model(format!(
                        "token id {id} is outside the vocabulary of {vocab}"
                    )));
                }
                let dst = &mut s.x[row * h..(row + 1) * h];
                let w = &self.word[id * h..(id + 1) * h];
                let p = &self.position[pos * h..(pos + 1) * h];
                for (((d, w), p), t) in dst.iter_mut().zip(w).zip(p).zip(&self.token_type[..h]) {
                    *d = w + p + t;
                }
                layer_norm(dst, &self.embed_norm.gamma, &self.embed_norm.beta, self.eps);
                row += 1;
            }
        }
        for layer in &self.layers {
            self.layer(layer, seqs, tokens, threads, &mut s);
        }
        // Mean pooling per sequence, then L2 normalisation.
        let mut out = Vec::with_capacity(seqs.len());
        let mut start = 0;
        for seq in seqs {
            let mut v = vec![0f32; h];
            for r in start..start + seq.len() {
                for (a, x) in v.iter_mut().zip(&s.x[r * h..(r + 1) * h]) {
                    *a += x;
                }
            }
            let n = seq.len().max(1) as f32;
            let norm = v.iter().map(|x| (x / n) * (x / n)).sum::<f32>().sqrt();
            let scale = if norm > 1e-12 { 1.0 / (n * norm) } else { 0.0 };
            v.iter_mut().for_each(|x| *x *= scale);
            out.push(v);
            start += seq.len();
        }
        Ok(out)
    }

    fn layer(&self, l: &Layer, seqs: &[&[u32]], tokens: usize, threads: usize, s: &mut Scratch) {
        let (h, heads) = (self.hidden, self.heads);
        let d = h / heads;
        l.qkv.forward(threads, &mut s.qkv, &s.x, tokens, None);
        let mut start = 0;
        for seq in seqs {
            let n = seq.len();
            for head in 0..heads {
                let q = Layout::rows(start, n, head * d, d, 3 * h);
                let k = Layout::rows(start, n, h + head * d, d, 3 * h);
                let v = Layout::rows(start, n, 2 * h + head * d, d, 3 * h);
                let scores = Layout::rows(0, n, 0, n, n);
                matmul(1, &mut s.scores, scores, &s.qkv, q, &s.qkv, k.t(), false);
                for row in s.scores[..n * n].chunks_exact_mut(n) {
                    softmax(row);
                }
                let ctx = Layout::rows(start, n, head * d, d, h);
                matmul(1, &mut s.ctx, ctx, &s.scores, scores, &s.qkv, v, false);
            }
            start += n;
        }
        l.attn_out
            .forward(threads, &mut s.h, &s.ctx, tokens, Some(&s.x));
        for row in s.h.chunks_exact_mut(h) {
            layer_norm(row, &l.attn_norm.gamma, &l.attn_norm.beta, self.eps);
        }
        l.inter.forward(threads, &mut s.inter, &s.h, tokens, None);
        gelu(&mut s.inter);
        l.out
            .forward(threads, &mut s.x, &s.inter, tokens, Some(&s.h));
        for row in s.x.chunks_exact_mut(h) {
            layer_norm(row, &l.out_norm.gamma, &l.out_norm.beta, self.eps);
        }
    }
}
