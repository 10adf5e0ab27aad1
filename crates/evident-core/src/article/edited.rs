//! What an edited answer must be before it becomes a version (the contract, resolvable citations, bounded size), and which of its quoted passages no longer match the corpus they claim to quote.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::answer::{Answer, SCHEMA};

/// The most an edited answer may hold. A composed answer stays far below each (tens of
/// statements, a dozen references); the caps keep a review view and its diff bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditLimits {
    /// Its JSON, in bytes.
    pub bytes: usize,
    /// The bottom line and every section item.
    pub statements: usize,
    pub sections: usize,
    pub references: usize,
    /// Quoted passages over all references.
    pub passages: usize,
    pub facts: usize,
    /// Characters of one statement, title, URL, id or the disclaimer.
    pub text_chars: usize,
    /// Characters of one quoted passage.
    pub passage_chars: usize,
}

impl EditLimits {
    pub const DEFAULT: EditLimits = EditLimits {
        bytes: 512 * 1024,
        statements: 300,
        sections: 40,
        references: 150,
        passages: 400,
        facts: 100,
        text_chars: 5_000,
        passage_chars: 20_000,
    };
}

/// Checks an edited answer before it becomes a version: it is within [`EditLimits::DEFAULT`],
/// keeps the contract's schema and the disclaimer, has a bottom line, and every citation
/// names one of its references.
pub fn check_edited_answer(answer: &Answer) -> Result<(), String> {
    check_edited_size(answer, &EditLimits::DEFAULT)?;
    if answer.schema != SCHEMA {
        return Err(format!(
            "the answer's schema is '{}', not '{SCHEMA}'",
            answer.schema
        ));
    }
    if answer.disclaimer.trim().is_empty() {
        return Err("the answer lost its disclaimer".into());
    }
    if answer.bottom_line.text.trim().is_empty() {
        return Err("the answer has no bottom line".into());
    }
    for statement in answer.statements() {
        if let Some(n) = statement
            .citations
            .iter()
            .find(|n| !answer.references.iter().any(|r| r.n == **n))
        {
            return Err(format!(
                "the statement '{}' cites [{n}], which is not among the references",
                statement.text
            ));
        }
    }
    Ok(())
}

/// The size caps alone, with a message that names the cap exceeded.
pub fn check_edited_size(answer: &Answer, limits: &EditLimits) -> Result<(), String> {
    let too_many = |what: &str, n: usize, max: usize| {
        if n > max {
            Err(format!(
                "the edited answer has {n} {what}; at most {max} are accepted"
            ))
        } else {
            Ok(())
        }
    };
    too_many("statements", answer.statements().count(), limits.statements)?;
    too_many("sections", answer.sections.len(), limits.sections)?;
    too_many("references", answer.references.len(), limits.references)?;
    let passages = answer.references.iter().map(|r| r.evidence.len()).sum();
    too_many("quoted passages", passages, limits.passages)?;
    too_many("patient facts", answer.facts.len(), limits.facts)?;
    let too_long = |what: &str, text: &str, max: usize| {
        let n = text.chars().count();
        if n > max {
            Err(format!(
                "{what} has {n} characters; at most {max} are accepted"
            ))
        } else {
            Ok(())
        }
    };
    let max = limits.text_chars;
    too_long("the question", &answer.question, max)?;
    too_long("the disclaimer", &answer.disclaimer, max)?;
    for s in answer.statements() {
        too_long("a statement", &s.text, max)?;
        too_many(
            "citations in one statement",
            s.citations.len(),
            limits.references,
        )?;
    }
    for section in &answer.sections {
        too_long("a section title", &section.title, max)?;
    }
    for r in &answer.references {
        for field in [
            Some(&r.title),
            r.source.as_ref(),
            r.url.as_ref(),
            r.pmid.as_ref(),
        ]
        .into_iter()
        .chain([r.doc_id.as_ref()])
        .flatten()
        {
            too_long(&format!("a field of reference [{}]", r.n), field, max)?;
        }
        for e in &r.evidence {
            too_long("a passage id", &e.passage_id, max)?;
            too_long(
                &format!("a quoted passage of reference [{}]", r.n),
                &e.text,
                limits.passage_chars,
            )?;
        }
    }
    let bytes = serde_json::to_vec(answer).map_or(usize::MAX, |b| b.len());
    if bytes > limits.bytes {
        return Err(format!(
            "the edited answer is {bytes} bytes of JSON; at most {} are accepted",
            limits.bytes
        ));
    }
    Ok(())
}

/// What the corpus holds for a passage id: its text and its document's title and link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusPassage {
    pub text: String,
    pub title: String,
    pub url: Option<String>,
}

/// Why a quoted passage or its reference does not match the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteTrouble {
    /// The index holds no passage with this id.
    NotInCorpus,
    /// The quoted text differs from the passage's text in the corpus.
    Altered,
    /// The passage belongs to another document than the reference that quotes it.
    OtherDocument,
    /// The reference's title or link is not the quoted document's.
    ReferenceDiffers,
}

impl QuoteTrouble {
    /// The words a review page shows.
    pub fn describe(self) -> &'static str {
        match self {
            QuoteTrouble::NotInCorpus => "is not in the corpus this service searches",
            QuoteTrouble::Altered => "does not match the corpus text it claims to quote",
            QuoteTrouble::OtherDocument => "belongs to another document than its reference",
            QuoteTrouble::ReferenceDiffers => {
                "comes from a document whose title or link differs from the reference's"
            }
        }
    }
}

/// A quoted passage of a reference that does not match the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteProblem {
    /// The reference's number.
    pub reference: u32,
    pub passage_id: String,
    pub trouble: QuoteTrouble,
}

/// Every quoted passage of `answer` checked against `corpus` (passage id → what the index
/// holds for it): a passage the corpus lacks, a text that differs in any character, a
/// passage of another document, or a reference whose title or link is not the document's.
pub fn check_quotes(answer: &Answer, corpus: &HashMap<String, CorpusPassage>) -> Vec<QuoteProblem> {
    let mut out = Vec::new();
    for r in &answer.references {
        for e in &r.evidence {
            let doc = e.passage_id.rsplit_once('#').map(|(doc, _)| doc);
            let trouble = match corpus.get(&e.passage_id) {
                None => Some(QuoteTrouble::NotInCorpus),
                Some(_) if r.doc_id.is_some() && r.doc_id.as_deref() != doc => {
                    Some(QuoteTrouble::OtherDocument)
                }
                Some(found) if found.text != e.text => Some(QuoteTrouble::Altered),
                Some(found) if found.title != r.title || found.url != r.url => {
                    Some(QuoteTrouble::ReferenceDiffers)
                }
                Some(_) => None,
            };
            if let Some(trouble) = trouble {
                out.push(QuoteProblem {
                    reference: r.n,
                    passage_id: e.passage_id.clone(),
                    trouble,
                });
            }
        }
    }
    out
}

/// The passage ids `answers` quote, each once, in order.
pub fn quoted_ids<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    answers
        .into_iter()
        .flat_map(|a| a.references.iter().flat_map(|r| &r.evidence))
        .filter(|e| seen.insert(e.passage_id.as_str()))
        .map(|e| e.passage_id.clone())
        .collect()
}
