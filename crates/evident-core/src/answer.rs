//! The answer contract (`evident.answer/v1`): what `evident ask --format json` prints and the API returns.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::document::EvidenceKind;
use crate::question::{Intent, PatientFact};

pub const SCHEMA: &str = "evident.answer/v1";

/// The professional disclaimer every answer carries.
pub const DISCLAIMER: &str = "Evident summarises the evidence loaded into this deployment for \
educational purposes. It is not medical advice and does not replace the judgement of a \
qualified clinician who knows the patient; check every recommendation against the cited \
sources before acting on it.";

/// Who the answer is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    Physician,
    Nurse,
    Pharmacist,
    Student,
    Patient,
}

impl Audience {
    pub const ALL: [Audience; 5] = [
        Audience::Physician,
        Audience::Nurse,
        Audience::Pharmacist,
        Audience::Student,
        Audience::Patient,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Physician => "physician",
            Audience::Nurse => "nurse",
            Audience::Pharmacist => "pharmacist",
            Audience::Student => "student",
            Audience::Patient => "patient",
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Audience {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase();
        Audience::ALL
            .into_iter()
            .find(|a| a.as_str() == norm)
            .ok_or_else(|| {
                format!(
                    "unknown audience '{s}' (expected one of: {})",
                    Audience::ALL.map(|a| a.as_str()).join(", ")
                )
            })
    }
}

/// How well the loaded evidence answers the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceStatus {
    Sufficient,
    Limited,
    Insufficient,
}

impl EvidenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceStatus::Sufficient => "sufficient",
            EvidenceStatus::Limited => "limited",
            EvidenceStatus::Insufficient => "insufficient",
        }
    }
}

/// One or more sentences and the references (by `n`) that support them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub text: String,
    pub citations: Vec<u32>,
}

/// The kind of a section: decides its place in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Diagnosis,
    Treatment,
    Evidence,
    Considerations,
    AdverseEffects,
    Dosing,
    Screening,
    Prevention,
    Prognosis,
    FollowUp,
    Background,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerSection {
    pub title: String,
    pub kind: SectionKind,
    pub items: Vec<Statement>,
}

/// A passage of a reference, verbatim from the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidencePassage {
    pub passage_id: String,
    pub section: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub n: u32,
    pub kind: EvidenceKind,
    pub title: String,
    pub source: Option<String>,
    pub year: Option<u16>,
    pub url: Option<String>,
    pub pmid: Option<String>,
    pub doc_id: Option<String>,
    /// Empty only for a study cited second-hand (through a cited guideline passage).
    pub evidence: Vec<EvidencePassage>,
}

/// The corpus an answer was drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CorpusInfo {
    pub version: String,
    pub documents: u64,
    pub passages: u64,
}

/// A complete answer, as the contract `evident.answer/v1` defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub schema: String,
    pub question: String,
    pub audience: Audience,
    pub intent: Intent,
    pub facts: Vec<PatientFact>,
    pub evidence_status: EvidenceStatus,
    pub bottom_line: Statement,
    pub sections: Vec<AnswerSection>,
    pub references: Vec<Reference>,
    pub disclaimer: String,
    pub corpus: CorpusInfo,
    /// Milliseconds per phase (`analysis`, `retrieval`, `composition`, `total`).
    pub timing_ms: BTreeMap<String, f64>,
}

impl Answer {
    /// Every statement: the bottom line, then section items in order.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        std::iter::once(&self.bottom_line).chain(self.sections.iter().flat_map(|s| &s.items))
    }

    /// Words in the bottom line and the sections.
    pub fn word_count(&self) -> usize {
        self.statements()
            .map(|s| s.text.split_whitespace().count())
            .sum()
    }
}
