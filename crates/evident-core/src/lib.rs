//! Evident's pure domain: documents, passages, corpus readers, chunking, the clinical lexicon and retrieval metrics.
//!
//! Nothing in this crate performs IO: readers take bytes or a `BufRead`, and every
//! function is deterministic so that it can be tested without a filesystem.

pub mod chunk;
pub mod condition;
pub mod document;
pub mod error;
pub mod eval;
pub mod lexicon;
pub mod question;
pub mod readers;
pub mod sentence;

pub use document::{
    Block, BlockKind, CitedStudy, DocId, Document, EvidenceKind, Mark, Passage, PassageId, Section,
};
pub use error::{CoreError, Location, ReadError};
