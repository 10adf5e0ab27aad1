//! The one error enum of `evident-search`.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("embedding model: {0}")]
    Model(String),
    #[error("no index in {0}: run `evident ingest PATH` first")]
    NoIndex(PathBuf),
    #[error("another ingest or embedding run is writing to {0}; wait for it to finish")]
    Busy(PathBuf),
    #[error("index {path} is damaged: {message}")]
    Corrupt { path: PathBuf, message: String },
}

impl SearchError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SearchError {
        let path = path.into();
        move |source| SearchError::Io { path, source }
    }
}
