//! Evident's engine: the facade that sequences IO around the pure core and the index —
//! reading corpus files, ingesting, embedding, searching and evaluating.

pub mod corpus;
pub mod error;
pub mod eval;
pub mod ingest;
pub mod model;
pub mod progress;
pub mod starter;

pub use error::EngineError;
pub use ingest::{IngestOptions, IngestReport, ingest};
pub use progress::{NoProgress, Progress};
