//! The one error enum of `evident-engine`.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Read(#[from] evident_core::ReadError),
    #[error(transparent)]
    Core(#[from] evident_core::CoreError),
    #[error(transparent)]
    Search(#[from] evident_search::SearchError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] evident_store::StoreError),
    #[error("no {0}")]
    NotFound(String),
    #[error("{0}")]
    Usage(String),
}

impl EngineError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> EngineError {
        let path = path.into();
        move |source| EngineError::Io { path, source }
    }
}
