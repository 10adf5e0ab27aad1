//! When a question may reuse an article (same normalised question and the same patient facts), and how a follow-up's facts merge with its thread's.

use serde::{Deserialize, Serialize};

use crate::question::facts::with_implications;
use crate::question::{FactStatus, PatientFact, Question};

/// The question as compared for reuse: lowercase words, punctuation and spacing ignored.
pub fn normalize_question(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric() && c != '.')
        .map(|w| w.trim_matches('.').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What must match for a question to reuse an article: the normalised question, and the
/// patient facts (concept and state, order ignored). Two questions that differ in a fact
/// that matters ("no prior radiation") never share a key, even when their words are close.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuestionKey {
    pub normalized: String,
    pub facts: String,
}

impl QuestionKey {
    pub fn of(question: &Question) -> QuestionKey {
        QuestionKey {
            normalized: normalize_question(&question.text),
            facts: fact_signature(&question.facts),
        }
    }
}

/// The facts as one canonical string: `concept=state` pairs, sorted, `;`-separated.
pub fn fact_signature(facts: &[PatientFact]) -> String {
    let mut pairs: Vec<String> = facts
        .iter()
        .map(|f| format!("{}={}", f.concept, f.state()))
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs.join(";")
}

/// The facts of a follow-up: the thread's facts with the new question's on top. A concept
/// the new question states replaces the thread's facts about it, and so does every thread
/// fact that implied the opposite ("what if she had not received radiation?" removes
/// radiotherapy=present and the chemoradiation that implied it).
pub fn merge_facts(thread: &[PatientFact], new: &[PatientFact]) -> Vec<PatientFact> {
    let restated = |f: &PatientFact| new.iter().any(|n| n.concept == f.concept);
    let contradicted = |f: &PatientFact| {
        f.status != FactStatus::Value
            && with_implications(vec![f.clone()]).iter().any(|implied| {
                new.iter().any(|n| {
                    n.concept == implied.concept
                        && n.status != implied.status
                        && n.status != FactStatus::Value
                })
            })
    };
    let mut merged: Vec<PatientFact> = thread
        .iter()
        .filter(|f| !restated(f) && !contradicted(f))
        .cloned()
        .collect();
    merged.extend(new.iter().cloned());
    merged
}
