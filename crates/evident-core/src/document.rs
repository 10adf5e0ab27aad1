//! Documents and passages: the unit a reader produces and the unit the index retrieves.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A corpus document id, unique within a deployment (e.g. `pmid:12345`, a file stem).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocId(pub String);

impl DocId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A passage id: the document id and the passage's ordinal within it, written `doc#ordinal`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PassageId {
    pub doc: DocId,
    pub ordinal: u32,
}

impl fmt::Display for PassageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.doc, self.ordinal)
    }
}

/// What kind of evidence a document is. Ordered loosely from guideline-grade to other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Guideline,
    SystematicReview,
    Trial,
    Study,
    Review,
    Reference,
    #[default]
    Other,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 7] = [
        EvidenceKind::Guideline,
        EvidenceKind::SystematicReview,
        EvidenceKind::Trial,
        EvidenceKind::Study,
        EvidenceKind::Review,
        EvidenceKind::Reference,
        EvidenceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Guideline => "guideline",
            EvidenceKind::SystematicReview => "systematic_review",
            EvidenceKind::Trial => "trial",
            EvidenceKind::Study => "study",
            EvidenceKind::Review => "review",
            EvidenceKind::Reference => "reference",
            EvidenceKind::Other => "other",
        }
    }

    /// Guideline-grade kinds are the ones a ranking may prefer.
    pub fn is_guideline_grade(self) -> bool {
        matches!(
            self,
            EvidenceKind::Guideline | EvidenceKind::SystematicReview
        )
    }
}

impl fmt::Display for EvidenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EvidenceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        EvidenceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == norm)
            .ok_or_else(|| {
                format!(
                    "unknown evidence kind '{s}' (expected one of: {})",
                    EvidenceKind::ALL.map(|k| k.as_str()).join(", ")
                )
            })
    }
}

/// A study that a document cites in its own numbered reference list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedStudy {
    /// The key inline markers use to point at it, e.g. `section_2.5`, or the plain number.
    pub key: String,
    /// The number shown in the list.
    pub number: u32,
    /// The citation text, markup removed.
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmid: Option<String>,
}

/// How a block of text is laid out; chunking keeps lists and tables whole when it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Paragraph,
    List,
    Table,
}

/// A paragraph, list or table with the studies it cites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    /// Plain text: markup removed, list items one per line (`- item`), table rows one per line
    /// with cells separated by ` | `.
    pub text: String,
    /// Citations of the document's `references` (by key), each at the byte offset in `text`
    /// where its inline marker stood (the end of the statement it supports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Mark>,
    /// "Level of evidence" markers (e.g. `1iiA`), each at the offset where it stood.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_levels: Vec<Mark>,
}

impl Block {
    pub fn paragraph(text: impl Into<String>) -> Self {
        Block {
            kind: BlockKind::Paragraph,
            text: text.into(),
            citations: Vec::new(),
            evidence_levels: Vec::new(),
        }
    }
}

/// A value anchored at a byte offset of a block's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub offset: usize,
    pub value: String,
}

/// A run of blocks under one heading path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Headings from the outermost to the innermost; empty for text before any heading.
    pub path: Vec<String>,
    pub blocks: Vec<Block>,
}

/// One corpus document, as every reader produces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: DocId,
    pub kind: EvidenceKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub sections: Vec<Section>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<CitedStudy>,
    /// Controlled vocabulary terms (MeSH headings for PubMed records).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

impl Document {
    /// A document with one untitled section holding `text` as paragraphs split on blank lines.
    pub fn from_plain_text(id: DocId, kind: EvidenceKind, title: String, text: &str) -> Self {
        let blocks = text
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Block::paragraph)
            .collect();
        Document {
            id,
            kind,
            title,
            source: None,
            year: None,
            url: None,
            sections: vec![Section {
                path: Vec::new(),
                blocks,
            }],
            references: Vec::new(),
            keywords: Vec::new(),
        }
    }

    /// Total words of body text, for reporting.
    pub fn word_count(&self) -> usize {
        self.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .map(|b| b.text.split_whitespace().count())
            .sum()
    }

    pub fn has_text(&self) -> bool {
        self.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .any(|b| !b.text.trim().is_empty())
    }
}

/// A retrievable chunk of a document: whole sentences under one section path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    pub id: PassageId,
    pub section_path: Vec<String>,
    pub text: String,
    /// The studies the passage cites (keys of the document's `references`), each at the
    /// byte offset in `text` just past the sentence, item or row that cites it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Mark>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_levels: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_parses_loosely_and_rejects_unknown() {
        assert_eq!(
            "Systematic-Review".parse::<EvidenceKind>(),
            Ok(EvidenceKind::SystematicReview)
        );
        assert_eq!("trial".parse::<EvidenceKind>(), Ok(EvidenceKind::Trial));
        let err = "opinion".parse::<EvidenceKind>().unwrap_err();
        assert!(err.contains("opinion") && err.contains("guideline"));
    }

    #[test]
    fn passage_id_displays_doc_and_ordinal() {
        let id = PassageId {
            doc: DocId::new("nci:rectal"),
            ordinal: 3,
        };
        assert_eq!(id.to_string(), "nci:rectal#3");
    }
}
