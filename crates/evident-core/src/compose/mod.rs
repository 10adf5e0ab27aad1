//! Answer composition without a language model: from retrieved passages to a cited, case-consistent answer.
//!
//! The pipeline: cut the passages into statement candidates ([`sentences`]); score each
//! for the question (term overlap weighted by rarity among the candidates, heading match,
//! retrieval rank, document focus, intent cues, kind, and its [`role`]: a recommendation
//! or finding rather than a study's design or background); drop those whose conditions the
//! patient's facts contradict ([`crate::condition`]); pick the best within the word budget,
//! near-duplicates left out, a statement that points back lifted once the one before it
//! is kept; then lay them out in sections that suit the intent ([`sections`]) and number
//! the references in order of first use ([`references`]).

mod clean;
mod coverage;
mod references;
mod role;
mod rows;
mod score;
mod sections;
mod select;
mod sentences;
mod terms;
#[cfg(test)]
mod tests;
mod weights;

use serde::Serialize;
use std::collections::HashSet;

use crate::answer::{
    Answer, AnswerSection, Audience, CorpusInfo, DISCLAIMER, EvidenceStatus, SCHEMA, SectionKind,
    Statement,
};
use crate::condition::{self, Applicability};
use crate::document::{CitedStudy, EvidenceKind, Passage};
use crate::lexicon::{Category, Lexicon};
use crate::question::Question;

pub use coverage::Coverage;
pub use weights::{focus_query, question_words};

/// A document contributes statements only when it covers at least this share of the
/// question's topic, relative to the document that covers most.
const MIN_DOC_SHARE: f32 = 0.6;

/// A retrieved passage with what the answer needs to know about its document. Candidates
/// come best first: their order is the retrieval ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub passage: Passage,
    pub title: String,
    pub kind: EvidenceKind,
    pub source: Option<String>,
    pub year: Option<u16>,
    pub url: Option<String>,
    /// The studies of the document's reference list that the passage cites.
    pub studies: Vec<CitedStudy>,
}

#[derive(Debug, Clone)]
pub struct ComposeOptions {
    pub audience: Audience,
    /// Word budget for the bottom line and the sections together.
    pub max_words: usize,
    /// Most studies cited second-hand, over the whole answer.
    pub max_studies: usize,
    /// Words of the question (lowercased) that the whole corpus never uses: a sure gap in
    /// the evidence, so they weigh more when judging coverage.
    pub unknown_words: HashSet<String>,
}

impl ComposeOptions {
    pub fn for_audience(audience: Audience) -> Self {
        ComposeOptions {
            audience,
            // The same facts for every reader: a patient's plain wording, counted as
            // written for them, has the same budget.
            max_words: 340,
            max_studies: 8,
            unknown_words: HashSet::new(),
        }
    }
}

/// Why a statement candidate was used or not; `--explain` shows these.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub passage_id: String,
    /// The passage's place in the retrieval ranking (1 is the best).
    pub rank: usize,
    pub text: String,
    pub kept: bool,
    pub reason: String,
    pub score: f32,
    /// For a statement dropped because a fact contradicts its condition: the concept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
}

/// An answer and the reasoning behind it.
#[derive(Debug, Clone)]
pub struct Composition {
    pub answer: Answer,
    pub coverage: Coverage,
    pub decisions: Vec<Decision>,
}

/// Composes an answer to `question` from `candidates` (best first). The answer's `corpus`
/// and `timing_ms` are left for the caller to fill.
pub fn compose(
    question: &Question,
    candidates: &[Candidate],
    lexicon: &Lexicon,
    options: &ComposeOptions,
) -> Composition {
    let pool = score::Pool::build(question, candidates, lexicon, options);
    let mut coverage = pool.coverage();
    let status = coverage.status();
    let mut decisions = Vec::new();
    if status == EvidenceStatus::Insufficient {
        let answer = insufficient(question, candidates, options.audience);
        return Composition {
            answer,
            coverage,
            decisions,
        };
    }

    // Case consistency first: a contradicted statement is never a candidate.
    // Only documents about the question speak in the answer, and only the best-scored
    // statements can be selected, so only those are checked.
    let mut order: Vec<usize> = (0..pool.units.len())
        .filter(|&i| {
            let u = &pool.units[i];
            // A source written for patients speaks to a patient even when a professional
            // summary of the same topic ranks higher (if it is about the patient's cancer
            // and age).
            let floor = if options.audience == Audience::Patient
                && !u.other_topic
                && score::written_for_patients(&candidates[u.candidate])
            {
                MIN_DOC_SHARE / 2.0
            } else {
                MIN_DOC_SHARE
            };
            // A sentence written to a patient ("talk with your doctor") is not one for a
            // professional.
            u.doc_share >= floor
                && u.relevance >= score::MIN_RELEVANCE
                && (options.audience == Audience::Patient
                    || !sentences::addresses_the_reader(&u.unit.text))
        })
        .collect();
    order.sort_by(|&a, &b| pool.units[b].score.total_cmp(&pool.units[a].score));
    order.truncate(score::MAX_CONSIDERED);
    let mut eligible = Vec::new();
    // Statements whose conditions the facts leave open ("in patients with ACS ...").
    let mut open_conditions: HashSet<usize> = HashSet::new();
    let no_surgery = score::surgery_ruled_out(question);
    // The conditions of each statement (the lead-in of a list conditions its items as a
    // heading would), read on all cores; none for results of operations, which do not
    // apply to a patient who cannot have one.
    let conditions = score::map_parallel(&order, |_, &i| {
        if no_surgery && score::is_about_surgery_alone(&pool.units[i].unit.text) {
            return None;
        }
        Some(pool.conditions(i, candidates, lexicon))
    });
    let case = condition::Case::new(&question.facts);
    for (i, conds) in order.into_iter().zip(conditions) {
        let unit = &pool.units[i];
        let cand = &candidates[unit.candidate];
        let Some(conds) = conds else {
            decisions.push(Decision {
                passage_id: cand.passage.id.to_string(),
                rank: unit.candidate + 1,
                text: unit.unit.text.clone(),
                kept: false,
                reason: "dropped: about surgery, which the facts rule out (inoperable)".into(),
                score: unit.score,
                concept: None,
            });
            continue;
        };
        match case.applicability(&conds) {
            Applicability::Contradicted { condition, fact } => {
                if unit.score > 0.0 {
                    decisions.push(Decision {
                        passage_id: cand.passage.id.to_string(),
                        rank: unit.candidate + 1,
                        text: unit.unit.text.clone(),
                        kept: false,
                        reason: format!(
                            "dropped: condition '{}' ({} {}) contradicts fact {}={} ('{}')",
                            condition.text,
                            condition.concept,
                            requirement_words(&condition.requires),
                            fact.concept,
                            fact.state(),
                            fact.text
                        ),
                        score: unit.score,
                        concept: Some(condition.concept.clone()),
                    });
                }
            }
            Applicability::Applies if !conds.is_empty() => {
                // Branches on treatments and biomarkers (present or absent) are the ones
                // worth naming; stage or age conditions are plain in the wording.
                let met: Vec<(String, String)> = conds
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.requires,
                            condition::Requirement::Present | condition::Requirement::Absent
                        ) && lexicon.concept(&c.concept).is_some_and(|k| {
                            matches!(
                                k.category,
                                Category::Treatment
                                    | Category::Procedure
                                    | Category::Drug
                                    | Category::Biomarker
                            )
                        })
                    })
                    .filter_map(|c| {
                        let f = question.facts.iter().find(|f| f.concept == c.concept)?;
                        Some((c.concept.clone(), f.text.clone()))
                    })
                    .collect();
                eligible.push((i, met));
            }
            Applicability::Unknown(_) => {
                open_conditions.insert(i);
                eligible.push((i, Vec::new()));
            }
            Applicability::Applies => eligible.push((i, Vec::new())),
        }
    }

    // Saying why a branch applies matters where the evidence has another branch for the
    // same concept that the facts rule out.
    let contradicted: Vec<&str> = decisions
        .iter()
        .filter_map(|d| d.concept.as_deref())
        .collect();
    let eligible: Vec<(usize, Option<String>)> = eligible
        .into_iter()
        .map(|(i, met)| {
            let why = met
                .into_iter()
                .find(|(concept, _)| contradicted.contains(&concept.as_str()))
                .map(|(_, text)| text);
            (i, why)
        })
        .collect();
    let layout = sections::layout(question.intent);
    let section_of = |i: usize| {
        let u = &pool.units[i];
        sections::classify(
            &u.stems,
            &pool.heading_stems[u.candidate],
            &u.lead_stems,
            layout,
        )
    };
    let primary = sections::primary(question.intent);
    // The words the reader gets: a patient's plain wording is longer, and explains each
    // term once an answer, so it is counted after the statements already chosen (a writer
    // that has read them, kept between calls while the choice grows).
    let writer = std::cell::RefCell::new((
        Vec::<usize>::new(),
        crate::plain::PlainWriter::new(crate::plain::Glossary::builtin()),
    ));
    let words_of = |i: usize, chosen: &[select::Picked]| {
        let text = &pool.units[i].unit.text;
        if options.audience != Audience::Patient {
            return text.split_whitespace().count();
        }
        let mut state = writer.borrow_mut();
        let (read, plain) = &mut *state;
        let same_start =
            read.len() <= chosen.len() && read.iter().zip(chosen).all(|(&r, p)| r == p.index);
        if !same_start {
            *read = Vec::new();
            *plain = crate::plain::PlainWriter::new(crate::plain::Glossary::builtin());
        }
        for p in &chosen[read.len()..] {
            plain.rewrite(&pool.units[p.index].unit.text);
            read.push(p.index);
        }
        plain.clone().rewrite(text).split_whitespace().count()
    };
    let budget = || select::Budget {
        max_words: options.max_words,
        words_of,
    };
    let mut first_decisions = Vec::new();
    let picked = select::select(
        &pool,
        &eligible,
        budget(),
        section_of,
        select::BottomLine::FromSection(primary),
        &mut first_decisions,
        candidates,
    );
    // The bottom line: the best chosen statement whose own words speak of what is asked
    // (a follow-up question's bottom line names follow-up, not the staging filed under it
    // for want of a better section), of the primary kind rather than another. One that
    // says what to do is preferred to a trial's result (for a question about evidence or
    // prognosis, what was found is preferred), and one whose condition is open is a poorer
    // bottom line than one that applies.
    let wanted = match question.intent {
        crate::question::Intent::Evidence | crate::question::Intent::Prognosis => {
            role::Role::Finding
        }
        _ => role::Role::Recommendation,
    };
    // How many of the words of what is asked a statement says in its own words, against
    // the most any chosen statement says: the bottom line answers what is asked.
    let asked_in = |i: usize| {
        pool.units[i]
            .set
            .iter()
            .filter(|s| pool.asked.contains(*s))
            .count()
    };
    let most_asked = picked
        .iter()
        .map(|p| asked_in(p.index))
        .max()
        .unwrap_or(0)
        .max(1);
    let gives_dose = |i: usize| {
        question.intent == crate::question::Intent::Dosing
            && rows::has_dose(&pool.units[i].unit.text)
    };
    let bottom_value = |p: &select::Picked| {
        let mut value = p.score + 0.1 * asked_in(p.index) as f32 / most_asked as f32;
        match pool.units[p.index].role {
            role if role == wanted => value += 0.1,
            // How a study was run, what is unknown, background: no bottom line.
            role::Role::Design
            | role::Role::UnderWay
            | role::Role::Background
            | role::Role::Gap => value -= 0.1,
            _ => {}
        }
        if section_of(p.index) == primary {
            value += 0.05;
        }
        if open_conditions.contains(&p.index) {
            value -= 0.1;
        }
        // A question about dosing is answered by a dose (nci-pdq tune-a bottom lines 0.094
        // -> 0.125 at 0.2, nothing else moved; 0.1 moved nothing).
        if gives_dose(p.index) {
            value += 0.2;
        }
        value
    };
    let best = |keep: &dyn Fn(&select::Picked) -> bool| {
        picked
            .iter()
            .filter(|p| keep(p))
            .max_by(|a, b| bottom_value(a).total_cmp(&bottom_value(b)))
            .map(|p| p.index)
    };
    let speaks = |p: &select::Picked| {
        sections::cue_hits(primary, &pool.units[p.index].stems) > 0 || gives_dose(p.index)
    };
    // A bottom line stands alone: no pointer back at text the reader does not have, and a
    // sentence rather than a fragment.
    let stands = |p: &select::Picked| {
        let unit = &pool.units[p.index].unit;
        !unit.dangling
            && clean::has_verb(&unit.text)
            && !sentences::opens_with_connective(&unit.text)
    };
    let bottom_line = best(&|p| speaks(p) && stands(p))
        .or_else(|| best(&stands))
        .or_else(|| best(&speaks))
        .or_else(|| best(&|_| true));
    // A bottom line from another section than the one that kept a sixth item for it would
    // leave that item unshown: choose again around the bottom line.
    let picked = match bottom_line {
        Some(b) if section_of(b) != primary => select::select(
            &pool,
            &eligible,
            budget(),
            section_of,
            select::BottomLine::Given(b),
            &mut decisions,
            candidates,
        ),
        _ => {
            decisions.extend(first_decisions);
            picked
        }
    };
    let kinds: Vec<SectionKind> = picked.iter().map(|p| section_of(p.index)).collect();
    let bottom = bottom_line.and_then(|b| picked.iter().position(|p| p.index == b));
    let Some(bottom) = bottom else {
        let answer = insufficient(question, candidates, options.audience);
        return Composition {
            answer,
            coverage,
            decisions,
        };
    };
    // What is asked and never named in the answer makes its evidence indirect.
    let texts: Vec<&str> = picked
        .iter()
        .map(|p| pool.units[p.index].unit.text.as_str())
        .collect();
    coverage.unnamed = coverage::unnamed_asked_concepts(question, lexicon, &texts);
    let status = coverage.status();
    let mut refs = references::Builder::new(candidates, options.max_studies);
    let mut plain = crate::plain::PlainWriter::new(crate::plain::Glossary::builtin());
    let mut statement = |k: usize| -> Statement {
        let p = &picked[k];
        let u = &pool.units[p.index];
        let mut text = u.unit.text.clone();
        if let Some(why) = &p.applies_because {
            text = format!("Applies to this patient ({why}): {text}");
        }
        if options.audience == Audience::Patient {
            text = plain.rewrite(&text);
        }
        let citations = refs.cite(u.candidate, &u.unit.studies);
        Statement { text, citations }
    };
    let bottom_line = statement(bottom);
    let mut answer_sections: Vec<AnswerSection> = Vec::new();
    for &kind in layout {
        let mut members: Vec<usize> = (0..picked.len())
            .filter(|&k| k != bottom && kinds[k] == kind)
            .collect();
        members.sort_by(|&a, &b| picked[b].score.total_cmp(&picked[a].score));
        members.truncate(5);
        if members.is_empty() {
            continue;
        }
        let items = members.into_iter().map(&mut statement).collect();
        answer_sections.push(AnswerSection {
            title: sections::title(kind, question.intent).to_string(),
            kind,
            items,
        });
    }
    let answer = Answer {
        schema: SCHEMA.to_string(),
        question: question.text.clone(),
        audience: options.audience,
        intent: question.intent,
        facts: question.facts.clone(),
        evidence_status: status,
        bottom_line,
        sections: answer_sections,
        references: refs.finish(),
        disclaimer: DISCLAIMER.to_string(),
        corpus: CorpusInfo::default(),
        timing_ms: Default::default(),
    };
    Composition {
        answer,
        coverage,
        decisions,
    }
}

/// Compiles the patterns of question analysis and case consistency (they compile on first
/// use). A process can call it while it opens the index, so that the first answer does not
/// wait for them.
pub fn prepare(lexicon: &Lexicon) {
    let q = crate::question::analyze(
        "62M s/p CRT, no prior surgery, HER2-positive, eGFR 25: next step?",
        lexicon,
    );
    let conds = condition::conditions(
        "For patients who have not received prior radiation, chemoradiation is recommended.",
        &["Treatment of recurrent disease".to_string()],
        lexicon,
    );
    let _ = condition::applicability(&conds, &q.facts);
}

/// The honest answer when the loaded evidence does not cover the question.
fn insufficient(question: &Question, candidates: &[Candidate], audience: Audience) -> Answer {
    let mut titles: Vec<&str> = Vec::new();
    for c in candidates {
        if !titles.contains(&c.title.as_str()) && titles.len() < 3 {
            titles.push(&c.title);
        }
    }
    let mut text = "The evidence loaded into this deployment does not answer this question, so no recommendation is given.".to_string();
    if !titles.is_empty() {
        text.push_str(&format!(
            " The nearest topics it holds are: {}.",
            titles.join("; ")
        ));
    }
    Answer {
        schema: SCHEMA.to_string(),
        question: question.text.clone(),
        audience,
        intent: question.intent,
        facts: question.facts.clone(),
        evidence_status: EvidenceStatus::Insufficient,
        bottom_line: Statement {
            text,
            citations: Vec::new(),
        },
        sections: Vec::new(),
        references: Vec::new(),
        disclaimer: DISCLAIMER.to_string(),
        corpus: CorpusInfo::default(),
        timing_ms: Default::default(),
    }
}

fn requirement_words(r: &condition::Requirement) -> String {
    use condition::Requirement::*;
    match r {
        Present => "present".into(),
        Absent => "absent".into(),
        Below(v) => format!("below {v}"),
        Above(v) => format!("above {v}"),
        Is(v) => format!("is {v}"),
    }
}
