//! Case consistency: the conditions under which a guideline statement applies, and whether a patient's facts meet, contradict or leave them open.

use serde::{Deserialize, Serialize};

use crate::lexicon::Lexicon;
use crate::question::assertion::{self, Kind, Polarity};
use crate::question::{FactStatus, PatientFact};

mod judge;
mod patterns;
mod scope;

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
/// comes from, outermost first, innermost last; a heading such as "Patients with prior
/// radiation" conditions every sentence beneath it.
///
/// What is read (see the submodules for the wordings):
/// - treatment history of any lexicon treatment, procedure or drug ("who have not received
///   prior radiation" → `radiotherapy` Absent, "previously irradiated" → Present, "after
///   progression on FOLFOX" → `folfox` Present), inside a population scope or stated by a
///   wording that defines a population by itself ([`scope`]);
/// - biomarkers with a polarity ("HER2-positive", "EGFR wild-type", "dMMR"), anywhere
///   outside testing contexts;
/// - metastatic/nonmetastatic/localized disease, recurrence, smoking and menopause, inside a
///   population scope;
/// - stage, extent and sex inside a population scope; pregnancy, age and kidney-function
///   thresholds anywhere ([`patterns`]).
///
/// In a heading every reading counts as scoped. A sentence's own condition on a concept
/// replaces the headings' ones on that concept, and an inner heading replaces an outer one.
/// A concept required both ways in one text ("HER2-positive and HER2-negative disease") is
/// dropped, and so is each condition that repeats an earlier one.
pub fn conditions(sentence: &str, context: &[String], lexicon: &Lexicon) -> Vec<Condition> {
    let headings: Vec<Vec<Condition>> = context
        .iter()
        .map(|h| heading_conditions(h, lexicon))
        .collect();
    let headings: Vec<&[Condition]> = headings.iter().map(Vec::as_slice).collect();
    conditions_under(sentence, &headings, lexicon)
}

/// The conditions a heading (or a list's lead-in) sets for the text beneath it: every
/// reading counts as scoped. Many statements share a heading, so a caller reads each once
/// and passes the readings to [`conditions_under`].
pub fn heading_conditions(heading: &str, lexicon: &Lexicon) -> Vec<Condition> {
    read(heading, true, lexicon)
}

/// [`conditions`] with the headings already read by [`heading_conditions`], outermost
/// first.
pub fn conditions_under(
    sentence: &str,
    headings: &[&[Condition]],
    lexicon: &Lexicon,
) -> Vec<Condition> {
    let mut result = if sentence.is_empty() {
        Vec::new()
    } else {
        read(sentence, false, lexicon)
    };
    for heading in headings.iter().rev() {
        let own = result.len();
        for c in heading.iter() {
            if !result[..own].iter().any(|o| o.concept == c.concept) {
                result.push(c.clone());
            }
        }
    }
    result
}

/// What a required concept implies ("patients with TNBC" also requires HER2-negative
/// disease), in the words of the condition it comes from, unless the text states it itself.
fn implied_conditions(conditions: &[Condition]) -> Vec<Condition> {
    let mut implied = Vec::new();
    for c in conditions
        .iter()
        .filter(|c| c.requires == Requirement::Present)
    {
        for (concept, status) in crate::question::facts::implied(&c.concept, FactStatus::Present) {
            if !conditions.iter().any(|x| x.concept == *concept) {
                implied.push(Condition {
                    concept: concept.to_string(),
                    requires: if *status == FactStatus::Absent {
                        Requirement::Absent
                    } else {
                        Requirement::Present
                    },
                    text: c.text.clone(),
                });
            }
        }
    }
    implied
}

/// "Before …" opening the sentence, or "before beginning/starting …", right before a
/// treatment ("radiotherapy was given before surgery" orders the history instead).
static BEFORE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)(?:^\W*(?:before|prior to)\s+(?:(?:beginning|starting|initiating|initiation of|the start of|the|any)\s+){0,2}|\b(?:before|prior to)\s+(?:beginning|starting|initiating|initiation of|the start of)\s+(?:(?:the|any)\s+)?)$",
    )
    .expect("before regex")
});

/// The conditions of one text; `heading` makes all of it a population scope.
fn read(text: &str, heading: bool, lexicon: &Lexicon) -> Vec<Condition> {
    let mentions = assertion::mentions(text, lexicon);
    let scopes = scope::scopes(text, &mentions);
    let mut out = Vec::new();
    let mut last_treatment: Option<(usize, assertion::Assertion)> = None;
    for m in &mentions {
        let Some(kind) = Kind::of(m.category) else {
            continue;
        };
        // "Before beginning preoperative therapy, ...": a step for a patient who has not
        // had the treatment yet (nor, for preoperative therapy, the operation).
        if kind == Kind::Treatment
            && let Some(before) = BEFORE.find(&text[..m.start])
        {
            let words = text[before.start()..m.end].trim().to_string();
            out.push(Condition {
                concept: m.concept.clone(),
                requires: Requirement::Absent,
                text: words.clone(),
            });
            if m.concept == "neoadjuvant_therapy" {
                out.push(Condition {
                    concept: "surgery".into(),
                    requires: Requirement::Absent,
                    text: words,
                });
            }
            continue;
        }
        if kind == Kind::State && !SCOPED_STATES.contains(&m.concept.as_str()) {
            continue;
        }
        let Some(a) = assertion::assess_in_list(text, m, &mut last_treatment) else {
            continue;
        };
        // "In patients receiving chemotherapy": a setting, not earlier treatment.
        if a.current && a.polarity == Polarity::Positive {
            continue;
        }
        let scope = scope::containing(&scopes, m.start, m.end);
        let accepted = heading
            || scope.is_some()
            || (a.defining && kind != Kind::State)
            // A negated pregnancy ("nonpregnant") needs no scope, like "pregnant".
            || (m.concept == "pregnancy" && a.polarity == Polarity::Negative);
        if !accepted {
            continue;
        }
        let inverted = scope.is_some_and(|s| s.inverted);
        let requires = match (a.polarity, inverted) {
            (Polarity::Positive, false) | (Polarity::Negative, true) => Requirement::Present,
            _ => Requirement::Absent,
        };
        out.push(Condition {
            concept: m.concept.clone(),
            requires,
            text: text[a.start..a.end].trim().to_string(),
        });
    }
    let lower = text.to_lowercase();
    patterns::thresholds(text, &lower, &mut out);
    for (lo, hi, words) in crate::young_age::in_statement(text) {
        out.push(Condition {
            concept: "age_days".into(),
            requires: Requirement::Above(lo - 0.5),
            text: words.clone(),
        });
        out.push(Condition {
            concept: "age_days".into(),
            requires: Requirement::Below(hi + 0.5),
            text: words,
        });
    }
    patterns::categorical(text, &lower, &scopes, heading, &mut out);
    // "First-line" applies before any treatment of the disease, "second-line" after it.
    for (range, line) in crate::therapy_line::lines(text) {
        out.push(Condition {
            concept: "prior_therapy".into(),
            requires: match line {
                crate::therapy_line::Line::First => Requirement::Absent,
                crate::therapy_line::Line::Later => Requirement::Present,
            },
            text: text[range].to_string(),
        });
    }
    settle(out)
}

/// Population states read from the lexicon (inside a scope): the others (diseases,
/// symptoms) name the topic rather than a condition.
const SCOPED_STATES: &[&str] = &[
    "triple_negative_breast_cancer",
    "metastases",
    "recurrence",
    "local_recurrence",
    "smoker",
    "postmenopausal",
    "pregnancy",
    "operable",
    "inoperable",
];

/// Whether concept `a` present implies concept `b` absent (operable and inoperable).
fn excludes(a: &str, b: &str) -> bool {
    crate::question::facts::implied(a, FactStatus::Present)
        .iter()
        .any(|(concept, status)| *concept == b && *status == FactStatus::Absent)
}

/// Drops conditions that repeat an earlier one, and concepts required in conflicting ways:
/// present and absent, or present together with a concept that excludes it (a statement
/// "for operable tumors with medical contraindications, or inoperable disease" names
/// alternatives, not a requirement).
fn settle(conditions: Vec<Condition>) -> Vec<Condition> {
    let mut out: Vec<Condition> = Vec::new();
    for c in conditions {
        if !out
            .iter()
            .any(|o| o.concept == c.concept && o.requires == c.requires)
        {
            out.push(c);
        }
    }
    let conflicting: Vec<String> = out
        .iter()
        .filter(|c| {
            out.iter().any(|o| {
                o.concept == c.concept
                    && match (&o.requires, &c.requires) {
                        (Requirement::Present, Requirement::Absent) => true,
                        (Requirement::Is(a), Requirement::Is(b)) => a != b,
                        _ => false,
                    }
            }) || (c.requires == Requirement::Present
                && out.iter().any(|o| {
                    o.requires == Requirement::Present
                        && (excludes(&o.concept, &c.concept) || excludes(&c.concept, &o.concept))
                }))
        })
        .map(|c| c.concept.clone())
        .collect();
    out.retain(|c| !conflicting.contains(&c.concept));
    out
}

/// Compares conditions with facts.
///
/// The facts are first completed with what they imply (chemoradiation ⇒ chemotherapy and
/// radiotherapy, FOLFOX ⇒ chemotherapy ...). Then each condition is judged against the
/// first fact on its concept:
/// - `Present`/`Absent`: met by a fact with the same status, contradicted by the opposite
///   one. No fact is not the same as an absent one: it leaves the condition open.
/// - `Below`/`Above`: compared with a number value; a fact written with a comparator
///   ("CrCl <30") is read as the range it states.
/// - `Is`: compared with a text value; stages compare their main numeral unless both give
///   a letter ("IIIB" meets "III", "IIIA" contradicts "IIIB", "III" leaves "IIIB" open),
///   "limited"/"extensive" compare with each other only; `/` separates alternatives.
///
/// The first contradicted condition (in order) decides; otherwise the open ones are
/// returned, or `Applies` when none is open.
pub fn applicability(conditions: &[Condition], facts: &[PatientFact]) -> Applicability {
    Case::new(facts).applicability(conditions)
}

/// A patient's facts completed with what they imply, ready to judge many statements'
/// conditions (see [`applicability`]).
#[derive(Debug, Clone)]
pub struct Case {
    facts: Vec<PatientFact>,
}

impl Case {
    pub fn new(facts: &[PatientFact]) -> Case {
        Case {
            facts: crate::question::facts::with_implications(facts.to_vec()),
        }
    }

    /// How `conditions` relate to this case; see [`applicability`].
    pub fn applicability(&self, conditions: &[Condition]) -> Applicability {
        let mut open = Vec::new();
        let prior = judge::about_prior(conditions);
        for c in conditions {
            match judge::judge(c, &self.facts, prior) {
                judge::Verdict::Met => {}
                judge::Verdict::Contradicted(fact) => {
                    return Applicability::Contradicted {
                        condition: c.clone(),
                        fact: fact.clone(),
                    };
                }
                judge::Verdict::Open => open.push(c.clone()),
            }
        }
        // What the conditions imply can rule the statement out too, but never stays open.
        for c in implied_conditions(conditions) {
            if let judge::Verdict::Contradicted(fact) = judge::judge(&c, &self.facts, prior) {
                return Applicability::Contradicted {
                    condition: c,
                    fact: fact.clone(),
                };
            }
        }
        if open.is_empty() {
            Applicability::Applies
        } else {
            Applicability::Unknown(open)
        }
    }
}

#[cfg(test)]
mod tests;
