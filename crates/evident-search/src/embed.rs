//! Dense text embeddings: the `Embedder` trait, the MiniLM embedder (the packed CPU encoder,
//! or candle for GPUs), and a deterministic hashing embedder for tests.

use crate::cpu_bert::CpuBert;
use crate::error::SearchError;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::path::{Path, PathBuf};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Turns texts into unit-length vectors. Implementations must be deterministic.
pub trait Embedder: Send + Sync {
    /// A stable identifier of the model; vectors from different ids are never mixed.
    fn model_id(&self) -> &str;
    fn dim(&self) -> usize;
    /// Embed one batch. The caller groups texts of similar length (see [`embed_all`]).
    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SearchError>;
    /// Token count of `text` as the model sees it (after truncation), for batching.
    fn token_len(&self, text: &str) -> usize;
    /// Whether one call uses one core, so that callers embed on one thread per core.
    fn single_threaded(&self) -> bool {
        false
    }
}

/// Embed `texts` in batches of similar length (sorted by token count, dynamic padding),
/// returning vectors in the input order. `progress` receives the number of texts done and
/// their token count after each batch.
pub fn embed_all(
    embedder: &dyn Embedder,
    texts: &[&str],
    batch_tokens: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Vec<f32>>, SearchError> {
    let mut order: Vec<(usize, usize)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (i, embedder.token_len(t).max(1)))
        .collect();
    order.sort_by_key(|&(i, len)| (len, i));
    let mut out: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
    let mut start = 0;
    while start < order.len() {
        // Grow the batch while its padded size stays within the token budget (at most 128 texts).
        let mut end = start + 1;
        while end < order.len()
            && end - start < 128
            && order[end].1 * (end - start + 1) <= batch_tokens
        {
            end += 1;
        }
        let batch: Vec<&str> = order[start..end].iter().map(|&(i, _)| texts[i]).collect();
        let vectors = embedder.embed_batch(&batch)?;
        let tokens: usize = order[start..end].iter().map(|&(_, l)| l).sum();
        for (&(i, _), v) in order[start..end].iter().zip(vectors) {
            out[i] = Some(v);
        }
        progress(end - start, tokens);
        start = end;
    }
    Ok(out.into_iter().map(|v| v.unwrap_or_default()).collect())
}

/// Where the files of a sentence-transformers model directory are.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    pub dir: PathBuf,
}

impl ModelFiles {
    /// A model directory holding `config.json`, `tokenizer.json` and `model.safetensors`.
    pub fn in_dir(dir: &Path) -> Result<Self, SearchError> {
        for f in ["config.json", "tokenizer.json", "model.safetensors"] {
            if !dir.join(f).is_file() {
                return Err(SearchError::Model(format!(
                    "{} has no {f} (expected a sentence-transformers model directory)",
                    dir.display()
                )));
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// Download all-MiniLM-L6-v2 from the Hugging Face hub into its local cache.
    #[cfg(feature = "hf-hub")]
    pub fn download(repo: &str) -> Result<Self, SearchError> {
        let api = hf_hub::api::sync::Api::new().map_err(|e| SearchError::Model(e.to_string()))?;
        let repo = api.model(repo.to_string());
        let mut dir = None;
        for f in ["config.json", "tokenizer.json", "model.safetensors"] {
            let p = repo
                .get(f)
                .map_err(|e| SearchError::Model(format!("downloading {f}: {e}")))?;
            dir = p.parent().map(Path::to_path_buf);
        }
        Ok(Self {
            dir: dir.unwrap_or_default(),
        })
    }
}

/// Maximum sequence length used by sentence-transformers for all-MiniLM-L6-v2.
pub const MAX_TOKENS: usize = 256;

/// Which implementation runs the BERT model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// [`CpuBert`]: packed sequences without padding, vectorised kernels. The CPU default.
    Packed,
    /// candle's `BertModel` on padded batches: the GPU path (with the `cuda` feature), and
    /// the reference the packed encoder is tested against.
    Candle,
}

enum Model {
    Packed(CpuBert),
    Candle(Box<BertModel>, Device),
}

/// all-MiniLM-L6-v2 (or any BERT sentence-transformer): mean pooling, L2-normalised.
pub struct BertEmbedder {
    model: Model,
    tokenizer: Tokenizer,
    id: String,
    dim: usize,
}

impl BertEmbedder {
    /// Loads the model on the best runtime here: candle on a CUDA GPU where the `cuda`
    /// feature finds one, else the packed CPU encoder.
    pub fn load(files: &ModelFiles) -> Result<Self, SearchError> {
        match pick_device() {
            Device::Cpu => Self::load_with(files, Runtime::Packed),
            _ => Self::load_with(files, Runtime::Candle),
        }
    }

    pub fn load_with(files: &ModelFiles, runtime: Runtime) -> Result<Self, SearchError> {
        let err = |what: &str, e: &dyn std::fmt::Display| {
            SearchError::Model(format!("{}: {what}: {e}", files.dir.display()))
        };
        let config_text = std::fs::read_to_string(files.dir.join("config.json"))
            .map_err(|e| err("reading config.json", &e))?;
        let config: Config =
            serde_json::from_str(&config_text).map_err(|e| err("config.json", &e))?;
        let mut tokenizer = Tokenizer::from_file(files.dir.join("tokenizer.json"))
            .map_err(|e| err("tokenizer.json", &e))?;
        // The packed encoder takes sequences as they are; candle wants a padded batch.
        tokenizer.with_padding(match runtime {
            Runtime::Packed => None,
            Runtime::Candle => Some(PaddingParams {
                strategy: PaddingStrategy::BatchLongest,
                ..Default::default()
            }),
        });
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| err("tokenizer truncation", &e))?;
        let weights = files.dir.join("model.safetensors");
        let model = match runtime {
            Runtime::Packed => {
                let tensors = candle_core::safetensors::load(&weights, &Device::Cpu)
                    .map_err(|e| err("model.safetensors", &e))?;
                Model::Packed(CpuBert::from_tensors(&tensors, &config)?)
            }
            Runtime::Candle => {
                let device = pick_device();
                // SAFETY: the weights file is memory-mapped read-only and not modified while
                // in use.
                let vb =
                    unsafe { VarBuilder::from_mmaped_safetensors(&[weights], DType::F32, &device) }
                        .map_err(|e| err("model.safetensors", &e))?;
                let bert = BertModel::load(vb, &config).map_err(|e| err("loading BERT", &e))?;
                Model::Candle(Box::new(bert), device)
            }
        };
        let name = files
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let id = if name.to_lowercase().contains("minilm") || name == "model" {
            "all-MiniLM-L6-v2".to_string()
        } else {
            name
        };
        Ok(Self {
            model,
            tokenizer,
            id,
            dim: config.hidden_size,
        })
    }

    fn embed_candle(
        model: &BertModel,
        device: &Device,
        encodings: &[tokenizers::Encoding],
    ) -> Result<Vec<Vec<f32>>, SearchError> {
        let m = |e: candle_core::Error| SearchError::Model(e.to_string());
        let n = encodings.len();
        let len = encodings[0].get_ids().len();
        let mut ids = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for e in encodings {
            ids.extend_from_slice(e.get_ids());
            mask.extend_from_slice(e.get_attention_mask());
        }
        let ids = Tensor::from_vec(ids, (n, len), device).map_err(m)?;
        let mask = Tensor::from_vec(mask, (n, len), device).map_err(m)?;
        let type_ids = ids.zeros_like().map_err(m)?;
        let hidden = model.forward(&ids, &type_ids, Some(&mask)).map_err(m)?;
        // Mean pooling over real tokens, then L2 normalisation.
        let maskf = mask
            .to_dtype(DType::F32)
            .map_err(m)?
            .unsqueeze(2)
            .map_err(m)?;
        let summed = hidden.broadcast_mul(&maskf).map_err(m)?.sum(1).map_err(m)?;
        let counts = maskf.sum(1).map_err(m)?.clamp(1e-9, f32::MAX).map_err(m)?;
        let mean = summed.broadcast_div(&counts).map_err(m)?;
        let norm = mean
            .sqr()
            .map_err(m)?
            .sum_keepdim(1)
            .map_err(m)?
            .sqrt()
            .map_err(m)?
            .clamp(1e-12, f32::MAX)
            .map_err(m)?;
        let unit = mean.broadcast_div(&norm).map_err(m)?;
        unit.to_device(&Device::Cpu)
            .map_err(m)?
            .to_vec2::<f32>()
            .map_err(m)
    }
}

#[cfg(feature = "cuda")]
fn pick_device() -> Device {
    Device::cuda_if_available(0).unwrap_or(Device::Cpu)
}

#[cfg(not(feature = "cuda"))]
fn pick_device() -> Device {
    Device::Cpu
}

impl Embedder for BertEmbedder {
    fn model_id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn token_len(&self, text: &str) -> usize {
        self.tokenizer
            .encode_fast(text, true)
            .map(|e| e.get_ids().len().min(MAX_TOKENS))
            .unwrap_or(MAX_TOKENS)
    }

    fn single_threaded(&self) -> bool {
        matches!(self.model, Model::Packed(_))
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SearchError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch_fast(texts.to_vec(), true)
            .map_err(|e| SearchError::Model(e.to_string()))?;
        match &self.model {
            Model::Packed(bert) => {
                let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
                // A lone text is a query waiting for an answer: give it every core.
                bert.embed(&ids, ids.len() == 1)
            }
            Model::Candle(bert, device) => Self::embed_candle(bert, device, &encodings),
        }
    }
}

/// A deterministic bag-of-words embedder (feature hashing of lowercase words). It has no
/// semantic knowledge; it exists so that tests exercise the dense path without a model.
pub struct HashEmbedder {
    pub dim: usize,
}

impl Embedder for HashEmbedder {
    fn model_id(&self) -> &str {
        "hash-bow"
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn token_len(&self, text: &str) -> usize {
        text.split_whitespace().count() + 2
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SearchError> {
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0f32; self.dim];
                for w in t
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                {
                    let h = w
                        .to_lowercase()
                        .bytes()
                        .fold(0xcbf29ce484222325u64, |h, b| {
                            (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
                        });
                    v[(h % self.dim as u64) as usize] += 1.0;
                }
                crate::dense::normalize(&mut v);
                v
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_all_keeps_input_order_and_reports_progress() {
        let e = HashEmbedder { dim: 16 };
        let texts = ["a b c d e f", "x", "y z", "long text with many words here"];
        let mut seen = 0;
        let v = embed_all(&e, &texts, 8, &mut |n, _| seen += n).unwrap();
        assert_eq!(seen, 4);
        for (t, got) in texts.iter().zip(&v) {
            assert_eq!(got, &e.embed_batch(&[t]).unwrap()[0]);
        }
    }
}
