//! Locating and loading the embedding model.

use crate::error::EngineError;
use evident_search::{BertEmbedder, Embedder, ModelFiles};
use std::path::Path;
use std::sync::Arc;

/// Where the embedding model comes from.
#[derive(Debug, Clone, Default)]
pub enum ModelSource {
    /// No dense retrieval.
    #[default]
    None,
    /// A local sentence-transformers directory (`--model-dir` / `EVIDENT_MODEL_DIR`).
    Dir(std::path::PathBuf),
    /// Download all-MiniLM-L6-v2 from the Hugging Face hub (needs the `hf-hub` feature).
    Hub,
}

pub const HUB_MODEL: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// Load the embedder the source names.
pub fn load_embedder(source: &ModelSource) -> Result<Option<Arc<dyn Embedder>>, EngineError> {
    match source {
        ModelSource::None => Ok(None),
        ModelSource::Dir(dir) => load_dir(dir).map(Some),
        ModelSource::Hub => load_hub().map(Some),
    }
}

fn load_dir(dir: &Path) -> Result<Arc<dyn Embedder>, EngineError> {
    let files = ModelFiles::in_dir(dir)?;
    Ok(Arc::new(BertEmbedder::load(&files)?))
}

#[cfg(feature = "hf-hub")]
fn load_hub() -> Result<Arc<dyn Embedder>, EngineError> {
    let files = ModelFiles::download(HUB_MODEL)?;
    Ok(Arc::new(BertEmbedder::load(&files)?))
}

#[cfg(not(feature = "hf-hub"))]
fn load_hub() -> Result<Arc<dyn Embedder>, EngineError> {
    Err(EngineError::Usage(
        "this build cannot download models: rebuild with `--features hf-hub`, or pass --model-dir"
            .into(),
    ))
}
