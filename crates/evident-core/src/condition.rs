//! Case consistency: the conditions under which a guideline statement applies, and whether a patient's facts meet, contradict or leave them open.

use serde::{Deserialize, Serialize};

use crate::lexicon::Lexicon;
use crate::question::PatientFact;

/// What a condition requires of a concept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Requirement {
    /// The concept must be present ("in previously irradiated patients", "if HER2-positive").
    Present,
    /// The concept must be absent ("who have not received prior radiation").
    Absent,
    /// A numeric value below this bound ("creatinine clearance below 30").
    Below(f64),
    /// A numeric value above this bound ("older than 70").
    Above(f64),
    /// A categorical value ("stage III", "limited-stage", "female").
    Is(String),
}

/// A condition read from a statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The concept, named as [`PatientFact::concept`] names it.
    pub concept: String,
    pub requires: Requirement,
    /// The words of the statement that state the condition.
    pub text: String,
}

/// How a statement's conditions relate to the patient's facts.
#[derive(Debug, Clone, PartialEq)]
pub enum Applicability {
    /// No conditions, or every condition is met by a fact.
    Applies,
    /// Some conditions cannot be checked against the facts (none is contradicted).
    Unknown(Vec<Condition>),
    /// A condition is contradicted by a fact: the statement does not apply to this patient.
    Contradicted {
        condition: Condition,
        fact: PatientFact,
    },
}

/// The conditions stated in `sentence`. `context` is the heading path of the passage it
/// comes from, innermost last; a heading such as "Patients with prior radiation" conditions
/// every sentence beneath it.
pub fn conditions(sentence: &str, context: &[String], lexicon: &Lexicon) -> Vec<Condition> {
    let _ = (sentence, context, lexicon);
    Vec::new()
}

/// Compares conditions with facts.
pub fn applicability(conditions: &[Condition], facts: &[PatientFact]) -> Applicability {
    let _ = facts;
    if conditions.is_empty() {
        Applicability::Applies
    } else {
        Applicability::Unknown(conditions.to_vec())
    }
}
