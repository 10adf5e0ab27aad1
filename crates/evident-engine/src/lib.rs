//! Evident's engine: the facade that sequences IO around the pure core and the index —
//! reading corpus files, ingesting, embedding, searching, answering, articles and their
//! threads, and evaluating.

pub mod articles;
pub mod ask;
pub mod audit_key;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod ingest;
pub mod model;
pub mod progress;
pub mod starter;

pub use ask::{AskOptions, Asked, ask};
pub use error::EngineError;
/// The store of articles, reviews and users, for the binary and the web layer.
pub use evident_store as store;
pub use ingest::{IngestOptions, IngestReport, ingest};
pub use progress::{NoProgress, Progress};
