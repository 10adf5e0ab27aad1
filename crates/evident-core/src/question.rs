//! Question analysis: from a clinician's free-text question to its intent, its patient facts (with status) and the query to search with.
//!
//! Pure and deterministic; concepts and synonyms come from the [`Lexicon`].

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::lexicon::{Category, Lexicon};

pub(crate) mod assertion;
mod cues;
mod expand;
pub(crate) mod facts;
mod intent;
pub(crate) mod values;

/// What the question asks for. Serialized in snake_case (`next_step`, `follow_up` ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    NextStep,
    Diagnosis,
    Treatment,
    FollowUp,
    Prognosis,
    Screening,
    Prevention,
    Dosing,
    AdverseEffects,
    Mechanism,
    Evidence,
    General,
}

impl Intent {
    pub const ALL: [Intent; 12] = [
        Intent::NextStep,
        Intent::Diagnosis,
        Intent::Treatment,
        Intent::FollowUp,
        Intent::Prognosis,
        Intent::Screening,
        Intent::Prevention,
        Intent::Dosing,
        Intent::AdverseEffects,
        Intent::Mechanism,
        Intent::Evidence,
        Intent::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::NextStep => "next_step",
            Intent::Diagnosis => "diagnosis",
            Intent::Treatment => "treatment",
            Intent::FollowUp => "follow_up",
            Intent::Prognosis => "prognosis",
            Intent::Screening => "screening",
            Intent::Prevention => "prevention",
            Intent::Dosing => "dosing",
            Intent::AdverseEffects => "adverse_effects",
            Intent::Mechanism => "mechanism",
            Intent::Evidence => "evidence",
            Intent::General => "general",
        }
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a fact is stated as present, stated as absent, or carries a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactStatus {
    Present,
    Absent,
    Value,
}

/// The value of a [`FactStatus::Value`] fact (age 64, stage "III", eGFR 22, sex "female").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FactValue {
    Number(f64),
    Text(String),
}

/// One fact about the patient, read from the question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientFact {
    /// Normalised concept: a lexicon concept id (`radiotherapy`, `chemotherapy`, `her2` ...)
    /// or one of the built-in value concepts (`age`, `sex`, `stage`, `tnm`, `pregnancy`,
    /// `gestational_age`, `performance_status` (ECOG grade; Karnofsky converted),
    /// `kidney_function` (eGFR or creatinine clearance, mL/min), `size`, `gleason`, `psa`).
    pub concept: String,
    pub status: FactStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<FactValue>,
    /// The words of the question the fact was read from.
    pub text: String,
}

impl PatientFact {
    /// The fact's state in words: `present`, `absent`, or its value.
    pub fn state(&self) -> String {
        match (&self.status, &self.value) {
            (FactStatus::Present, _) => "present".into(),
            (FactStatus::Absent, _) => "absent".into(),
            (FactStatus::Value, Some(FactValue::Number(n))) => n.to_string(),
            (FactStatus::Value, Some(FactValue::Text(t))) => t.clone(),
            (FactStatus::Value, None) => "value".into(),
        }
    }
}

/// An analysed question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// The question as asked.
    pub text: String,
    /// The question with shorthand and abbreviations written out (`s/p` → `status post`).
    pub expanded: String,
    pub intent: Intent,
    pub facts: Vec<PatientFact>,
    /// Lexicon concept ids named in the question (topic concepts, shorthand excluded), in
    /// order of first appearance.
    pub concepts: Vec<String>,
    /// The text to search the index with: the expanded question plus synonyms of its
    /// concepts.
    pub search_query: String,
}

/// Analyses a question with the given lexicon.
///
/// - `expanded`: shorthand and abbreviations written out (see [`expand`]).
/// - `intent`: scored from cue phrases (see [`intent`]).
/// - `facts`: treatments, conditions, findings, biomarkers, pregnancy and smoking with their
///   status (see [`assertion`] for the cues), value facts (`age`, `sex`, `stage`, `tnm`,
///   `performance_status`, `kidney_function`, `size`, `gleason`, `psa`,
///   `gestational_age`), and what they imply (chemoradiation ⇒ chemotherapy and
///   radiotherapy). Ordered by their place in the question; the first of several facts with
///   the same concept and status is kept.
/// - `concepts`: the lexicon concepts named, shorthand excluded.
/// - `search_query`: the expanded question with the synonyms of its concepts.
pub fn analyze(text: &str, lexicon: &Lexicon) -> Question {
    let expanded = expand::expand(text, lexicon);
    let intent = intent::classify(&expanded);
    let mentions = assertion::mentions(text, lexicon);

    let mut located = facts::concept_facts(text, &mentions);
    located.extend(values::value_facts(text));
    // Stable: facts starting at the same place keep their reading order.
    located.sort_by_key(|(start, _)| *start);
    // A treatment given is a treatment of each class it belongs to (thoracic radiotherapy
    // is radiotherapy, durvalumab immunotherapy).
    let mut stated: Vec<PatientFact> = Vec::with_capacity(located.len());
    for (_, f) in located {
        let classes: Vec<PatientFact> = if f.status == FactStatus::Present {
            lexicon
                .classes(&f.concept)
                .into_iter()
                .filter(|c| c.category.is_treatment())
                .map(|c| PatientFact {
                    concept: c.id.clone(),
                    status: FactStatus::Present,
                    value: None,
                    text: f.text.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        stated.push(f);
        stated.extend(classes);
    }
    let all = facts::with_implications(stated);
    let mut facts: Vec<PatientFact> = Vec::with_capacity(all.len());
    for fact in all {
        if !facts
            .iter()
            .any(|f| f.concept == fact.concept && f.status == fact.status)
        {
            facts.push(fact);
        }
    }

    drop_subset_denials(&mut facts, lexicon);
    if let Some(fact) = no_distant_spread(text, &facts) {
        facts.push(fact);
    }
    if let Some(risk) = emetic_risk(&facts, lexicon) {
        facts.push(risk);
    }
    if let Some(line) = line_of_therapy(text, &facts) {
        // What it implies, where the facts do not already say ("starting first-line
        // carboplatin" keeps its chemotherapy).
        for f in facts::with_implications(vec![line]) {
            if !facts.iter().any(|g| g.concept == f.concept) {
                facts.push(f);
            }
        }
    }

    // A stage read from a TNM group is written out after it, as shorthand is, so that
    // search and scoring see "stage I" where the question says "T1c N0 M0".
    let mut expanded = expanded;
    if let Some(f) = facts
        .iter()
        .find(|f| f.concept == "stage" && !f.text.to_ascii_lowercase().contains("stage"))
        && let (Some(FactValue::Text(stage)), Some(at)) = (&f.value, expanded.find(&f.text))
    {
        expanded.insert_str(at + f.text.len(), &format!(" (stage {stage})"));
    }

    let mut concepts: Vec<String> = Vec::new();
    for m in &mentions {
        if m.category != Category::Shorthand && !concepts.contains(&m.concept) {
            concepts.push(m.concept.clone());
        }
    }
    let search_query = lexicon.expand_query(&expanded).expanded_text();
    Question {
        text: text.to_string(),
        expanded,
        intent,
        facts,
        concepts,
        search_query,
    }
}

/// Metastases absent where the question says so without naming them: a TNM group with
/// M0, or treatment given with curative intent around surgery ("neoadjuvant",
/// "adjuvant"), which is not given for distant disease. Nothing when a fact about
/// metastases is already stated.
fn no_distant_spread(text: &str, facts: &[PatientFact]) -> Option<PatientFact> {
    static CURATIVE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        crate::pattern::regex(r"(?i)\b(?:neo-?)?adjuvant\b").expect("curative regex")
    });
    if facts.iter().any(|f| f.concept == "metastases") {
        return None;
    }
    let m0 = facts.iter().find(|f| {
        f.concept == "tnm"
            && matches!(&f.value, Some(FactValue::Text(t)) if t.to_ascii_uppercase().contains("M0"))
    });
    let words = match m0 {
        Some(f) => f.text.clone(),
        None => CURATIVE.find(text)?.as_str().to_string(),
    };
    Some(PatientFact {
        concept: "metastases".into(),
        status: FactStatus::Absent,
        value: None,
        text: words,
    })
}

/// Whether the disease was treated before, from the line of therapy the question names: a
/// question about first-line treatment is about a disease not treated yet, unless it also
/// speaks of relapse, progression or refractory disease; one about second-line treatment
/// (or after first-line) about a treated one. None when the facts already say.
fn line_of_therapy(text: &str, facts: &[PatientFact]) -> Option<PatientFact> {
    static TREATED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        crate::pattern::regex(r"(?i)\b(?:relaps\w*|recurr\w*|progress\w*|refractory|resistant|previously treated|pretreated)\b")
            .expect("treated regex")
    });
    if facts.iter().any(|f| f.concept == "prior_therapy") {
        return None;
    }
    let lines = crate::therapy_line::lines(text);
    let later = lines
        .iter()
        .find(|(_, l)| *l == crate::therapy_line::Line::Later);
    let (range, status) = match later {
        Some((r, _)) => (r.clone(), FactStatus::Present),
        None if !TREATED.is_match(text) => (lines.first()?.0.clone(), FactStatus::Absent),
        None => return None,
    };
    Some(PatientFact {
        concept: "prior_therapy".into(),
        status,
        value: None,
        text: text[range].to_string(),
    })
}

/// The emetic risk of the chemotherapy the patient receives or is starting, from the lexicon classes of
/// its agents (`highly_emetogenic_chemotherapy`, `moderately_emetogenic_chemotherapy`): a
/// regimen is as emetogenic as its most emetogenic agent. Antiemetic guidance branches on it.
fn emetic_risk(facts: &[PatientFact], lexicon: &Lexicon) -> Option<PatientFact> {
    // Only chemotherapy given now or about to start: a finished course needs no
    // antiemetic plan.
    let now = |f: &PatientFact| {
        let t = f.text.to_ascii_lowercase();
        [
            "start",
            "begin",
            "receiving",
            "on ",
            "currently",
            "scheduled",
            "planned",
            "will receive",
            "to receive",
            "due to",
        ]
        .iter()
        .any(|w| t.contains(w))
    };
    let of_class = |class: &str| {
        facts.iter().find(|f| {
            f.status == FactStatus::Present
                && now(f)
                && lexicon
                    .concept(&f.concept)
                    .is_some_and(|c| c.broader.iter().any(|b| b == class))
        })
    };
    let (level, fact) = [
        ("high", "highly_emetogenic_chemotherapy"),
        ("moderate", "moderately_emetogenic_chemotherapy"),
    ]
    .into_iter()
    .find_map(|(level, class)| of_class(class).map(|f| (level, f)))?;
    Some(PatientFact {
        concept: "emetic_risk".into(),
        status: FactStatus::Value,
        value: Some(FactValue::Text(level.into())),
        text: fact.text.clone(),
    })
}

/// The treatments the patient has finished: present treatment facts (those implied and
/// the classes of those stated included, which carry the same words) that a completion cue
/// governs in their sentence ("completed", "status post", "after", "underwent", "received
/// neoadjuvant"), with no cue of treatment going on now ("currently on", "starting")
/// after it. A consultant asked what comes next does not offer these again.
pub fn completed_treatments(question: &Question, lexicon: &Lexicon) -> Vec<String> {
    static CUE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        crate::pattern::regex(
            r"(?i)\b(?:(?P<done>completed|completing|completion of|finished|status post|s/p|after|following|underwent|undergone|(?:received|had) (?:neoadjuvant|preoperative))|(?P<now>now|currently|receiving|taking|on|starting|started|begins?|beginning|scheduled|planned|will|due))\b",
        )
        .expect("completion regex")
    });
    let text = &question.text;
    let mut out: Vec<String> = Vec::new();
    for f in &question.facts {
        let given = f.status == FactStatus::Present
            && lexicon
                .concept(&f.concept)
                .is_some_and(|c| c.category.is_treatment());
        let Some(at) = given.then(|| text.find(&f.text)).flatten() else {
            continue;
        };
        // From the start of its sentence to the end of the fact's words: the last cue decides.
        let end = at + f.text.len();
        let start = text[..at].rfind(['.', '?', '!', ';']).map_or(0, |i| i + 1);
        let last = CUE.captures_iter(&text[start..end]).last();
        if let Some(done) = last.as_ref().and_then(|c| c.name("done")) {
            // Treatment given before an operation is over once the operation is done.
            let before_surgery =
                done.as_str().ends_with("neoadjuvant") || done.as_str().ends_with("preoperative");
            if before_surgery && !out.iter().any(|c| c == "neoadjuvant_therapy") {
                out.push("neoadjuvant_therapy".to_string());
            }
            if !out.contains(&f.concept) {
                out.push(f.concept.clone());
            }
        }
    }
    out
}

/// Words that may stand between a negation and its term without narrowing it ("no evidence
/// of", "no prior", "no known").
const UNQUALIFYING: &[&str] = &[
    "evidence",
    "sign",
    "signs",
    "of",
    "any",
    "known",
    "prior",
    "previous",
    "previously",
    "history",
    "further",
    "new",
    "other",
    "current",
    "obvious",
    "definite",
    "clinical",
    "clinically",
    "radiographic",
    "apparent",
];

/// "Metastatic cancer ... no visceral metastases": the denial names a subset (visceral), so
/// it does not undo the present fact. An absent fact is dropped when the same concept is
/// present and the denial carries a qualifier that is neither filler nor a word of the
/// concept's own terms; an unqualified denial ("no metastases") stays beside it.
fn drop_subset_denials(facts: &mut Vec<PatientFact>, lexicon: &Lexicon) {
    let present: Vec<String> = facts
        .iter()
        .filter(|f| f.status == FactStatus::Present)
        .map(|f| f.concept.clone())
        .collect();
    facts.retain(|f| {
        if f.status != FactStatus::Absent || !present.contains(&f.concept) {
            return true;
        }
        let term_words: Vec<String> = lexicon
            .concept(&f.concept)
            .map(|c| {
                c.terms
                    .iter()
                    .flat_map(|t| t.split_whitespace().map(str::to_lowercase))
                    .collect()
            })
            .unwrap_or_default();
        let lower = f.text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .filter(|w| !w.is_empty())
            .collect();
        let middle = words.get(1..words.len().saturating_sub(1)).unwrap_or(&[]);
        let qualified = middle
            .iter()
            .any(|w| !UNQUALIFYING.contains(w) && !term_words.iter().any(|t| t == w));
        !qualified
    });
}

#[cfg(test)]
mod tests;
