//! Readers: bytes in, `Document`s out. One module per input format; no IO here.

pub mod jsonl;
pub mod markdown;
pub mod pubmed;

use crate::document::EvidenceKind;
use std::fmt;
use std::str::FromStr;

pub use jsonl::{JsonlFlavor, JsonlReader};
pub use markdown::read_markdown;
pub use pubmed::PubmedReader;

/// The input formats Evident reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown with optional YAML front matter; one document per file.
    Markdown,
    /// PubMed/MEDLINE `PubmedArticleSet` XML; many documents per file.
    PubmedXml,
    /// JSON Lines, one document per line (`id`, `title`, `text`, optional metadata).
    Jsonl,
    /// BEIR `corpus.jsonl` (`_id`, `title`, `text`).
    Beir,
}

impl Format {
    /// Guess the format from a file name (`.gz` is looked through). `None` for files to skip.
    pub fn from_path_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
        if lower.ends_with(".md") || lower.ends_with(".markdown") {
            Some(Format::Markdown)
        } else if lower.ends_with(".xml") {
            Some(Format::PubmedXml)
        } else if lower.ends_with("corpus.jsonl") {
            Some(Format::Beir)
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(Format::Jsonl)
        } else {
            None
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Markdown => "markdown",
            Format::PubmedXml => "pubmed-xml",
            Format::Jsonl => "jsonl",
            Format::Beir => "beir",
        })
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "markdown" | "md" => Ok(Format::Markdown),
            "pubmed-xml" | "pubmed" | "xml" => Ok(Format::PubmedXml),
            "jsonl" => Ok(Format::Jsonl),
            "beir" => Ok(Format::Beir),
            other => Err(format!(
                "unknown format '{other}' (expected markdown, pubmed-xml, jsonl or beir)"
            )),
        }
    }
}

/// Options every reader honours.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Force this kind on every document instead of the one the input states or implies.
    pub kind: Option<EvidenceKind>,
}
