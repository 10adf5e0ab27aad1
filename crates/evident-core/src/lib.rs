//! Evident's pure domain: documents, passages, articles and their review rules, the audit chain, corpus readers, chunking, the clinical lexicon, question analysis, answer composition and rendering, and retrieval metrics.
//!
//! Nothing in this crate performs IO: readers take bytes or a `BufRead`, and every
//! function is deterministic so that it can be tested without a filesystem.

pub mod answer;
pub mod article;
pub mod audit;
pub mod chunk;
pub mod compose;
pub mod condition;
pub mod document;
pub mod error;
pub mod eval;
pub mod input;
pub mod lexicon;
mod pattern;
pub mod plain;
pub mod question;
pub mod readers;
pub mod render;
pub mod sentence;
mod setting;
mod therapy_line;
mod tokens;
mod tsv;
mod young_age;

pub use document::{
    Block, BlockKind, CitedStudy, DocId, Document, EvidenceKind, Mark, Passage, PassageId, Section,
};
pub use error::{CoreError, Location, ReadError};
