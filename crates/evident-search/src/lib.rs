//! Evident's search index: BM25 (tantivy) and dense vectors over passages, hybrid fusion,
//! and snapshots that are built aside and published atomically.

pub mod analyzer;
mod cpu_bert;
pub mod dense;
pub mod embed;
pub mod embedding_pass;
pub mod error;
pub mod fusion;
pub mod search;
pub mod snapshot;
pub mod vectors;
pub mod writer;

pub use embed::{BertEmbedder, Embedder, HashEmbedder, ModelFiles, Runtime};
pub use embedding_pass::{EmbedReport, embed_snapshot};
pub use error::SearchError;
pub use fusion::Fusion;
pub use search::{Hit, Mode, SearchIndex, SearchOptions};
pub use snapshot::{Manifest, Snapshot};
pub use writer::{IndexWriter, PassageRecord};
