//! Picking the statements of an answer: the best within the word budget, a given bottom line first, near-duplicates left out, five a section, a statement that points back lifted once the one before it is kept.

use std::collections::{HashMap, HashSet};

use super::score::{DANGLING, MAX_CONSIDERED, MIN_RELEVANCE, Pool};
use super::terms::jaccard;
use super::{Candidate, Decision};
use crate::lexicon::Lexicon;

/// Words the note on why a conditional statement applies adds ("Applies to this patient
/// (after chemoradiation): ").
const WHY_WORDS: usize = 6;

/// Statements more similar than this (Jaccard of stems) to a chosen one are duplicates.
const DUPLICATE: f32 = 0.5;

/// The words an answer may spend, and how many a statement takes as the reader gets it.
pub(crate) struct Budget<F: Fn(usize, &[Picked]) -> usize> {
    pub max_words: usize,
    /// The words of a statement, given the statements chosen before it.
    pub words_of: F,
}

/// A chosen statement.
pub(crate) struct Picked {
    pub index: usize,
    pub score: f32,
    /// The patient fact that makes a conditional statement apply.
    pub applies_because: Option<String>,
}

/// Where the bottom line comes from: a statement already chosen, picked first, or the
/// section that keeps a sixth item for it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BottomLine {
    Given(usize),
    FromSection(crate::answer::SectionKind),
}

/// The best statements within the word budget, a given bottom line first, near-duplicates
/// left out, five a section. `eligible` pairs a unit index with the fact that makes it apply
/// (for conditional statements whose condition is met). The bottom line, when given and
/// eligible, is the first statement picked.
pub(crate) fn select(
    pool: &Pool<'_>,
    eligible: &[(usize, Option<String>)],
    budget: Budget<impl Fn(usize, &[Picked]) -> usize>,
    section_of: impl Fn(usize) -> crate::answer::SectionKind,
    bottom_line: BottomLine,
    decisions: &mut Vec<Decision>,
    candidates: &[Candidate],
) -> Vec<Picked> {
    let mut per_section: HashMap<crate::answer::SectionKind, usize> = HashMap::new();
    let mut order: Vec<&(usize, Option<String>)> = eligible.iter().collect();
    let bonus = |e: &(usize, Option<String>)| if e.1.is_some() { 0.05 } else { 0.0 };
    order.sort_by(|a, b| {
        (pool.units[b.0].score + bonus(b)).total_cmp(&(pool.units[a.0].score + bonus(a)))
    });
    let mut picked: Vec<Picked> = Vec::new();
    let mut used_words = 0;
    let mut seen_text: HashSet<&str> = HashSet::new();
    let note = |decisions: &mut Vec<Decision>, i: usize, kept: bool, reason: String| {
        let u = &pool.units[i];
        decisions.push(Decision {
            passage_id: candidates[u.candidate].passage.id.to_string(),
            rank: u.candidate + 1,
            text: u.unit.text.clone(),
            kept,
            reason,
            score: u.score,
            concept: None,
        });
    };
    let mut remaining: Vec<&(usize, Option<String>)> = order
        .into_iter()
        .filter(|e| pool.units[e.0].relevance >= MIN_RELEVANCE)
        .take(MAX_CONSIDERED)
        .collect();
    // The words a statement takes, with "Applies to this patient (...): " when it says why.
    let cost = |i: usize, why: &Option<String>, picked: &[Picked]| {
        (budget.words_of)(i, picked) + if why.is_some() { WHY_WORDS } else { 0 }
    };
    // The bottom line comes first: it spends words but sits in no section.
    let given = match bottom_line {
        BottomLine::Given(b) => Some(b),
        BottomLine::FromSection(_) => None,
    };
    // Why a branch applies is said once: the first statement on it says so, the others
    // simply follow.
    let mut explained: HashSet<String> = HashSet::new();
    if let Some(k) = given.and_then(|b| remaining.iter().position(|e| e.0 == b)) {
        let (i, why) = remaining.remove(k);
        explained.extend(why.iter().cloned());
        let u = &pool.units[*i];
        seen_text.insert(u.unit.text.as_str());
        used_words += cost(*i, why, &picked);
        note(decisions, *i, true, "kept: the bottom line".to_string());
        picked.push(Picked {
            index: *i,
            score: u.score,
            applies_because: why.clone(),
        });
    }
    // A statement that points back ("these tests") reads well right after the statement it
    // points to: once that one is kept, the penalty for pointing back is lifted.
    let resolved = |i: usize, picked: &[Picked]| {
        let u = &pool.units[i];
        u.unit.dangling
            && u.unit.position > 0
            && picked.iter().any(|p| {
                let q = &pool.units[p.index];
                q.candidate == u.candidate && q.unit.position + 1 == u.unit.position
            })
    };
    while !remaining.is_empty() && picked.len() < 16 {
        let value = |e: &(usize, Option<String>)| {
            pool.units[e.0].score
                + bonus(e)
                + if resolved(e.0, &picked) {
                    DANGLING
                } else {
                    0.0
                }
        };
        let k = (0..remaining.len())
            .max_by(|&a, &b| {
                value(remaining[a])
                    .total_cmp(&value(remaining[b]))
                    .then(b.cmp(&a))
            })
            .unwrap_or(0);
        let e = remaining.remove(k);
        let i = &e.0;
        let why = &e.1.clone().filter(|w| !explained.contains(w));
        let u = &pool.units[*i];
        if !seen_text.insert(u.unit.text.as_str()) {
            continue;
        }
        if u.unit.opens_with_pronoun && !resolved(*i, &picked) {
            note(
                decisions,
                *i,
                false,
                "dropped: opens with a word for text the answer does not hold".to_string(),
            );
            continue;
        }
        let sim = picked
            .iter()
            .map(|p| {
                let kept = &pool.units[p.index];
                let sim = jaccard(&kept.set, &u.set);
                // Worded alike but about other drugs, treatments or figures: not a duplicate.
                if sim > DUPLICATE && !same_content(&kept.unit.text, &u.unit.text, pool.lexicon) {
                    0.0
                } else {
                    sim
                }
            })
            .fold(0.0f32, f32::max);
        if sim > DUPLICATE {
            note(
                decisions,
                *i,
                false,
                format!("dropped: near-duplicate (similarity {sim:.2}) of a kept statement"),
            );
            continue;
        }
        let words = cost(*i, why, &picked);
        if used_words + words > budget.max_words {
            note(decisions, *i, false, "dropped: word budget".to_string());
            continue;
        }
        let section = section_of(*i);
        let count = per_section.entry(section).or_default();
        // Five items a section, and one more in the section the bottom line will come from
        // when it is not given yet.
        let cap = match bottom_line {
            BottomLine::FromSection(kind) if kind == section => 6,
            _ => 5,
        };
        if *count >= cap {
            note(
                decisions,
                *i,
                false,
                format!("dropped: section {section:?} is full"),
            );
            continue;
        }
        *count += 1;
        used_words += words;
        explained.extend(why.iter().cloned());
        note(
            decisions,
            *i,
            true,
            match why {
                Some(f) => format!("kept: its condition is met ({f})"),
                None => "kept".to_string(),
            },
        );
        picked.push(Picked {
            index: *i,
            score: u.score - 0.3 * sim,
            applies_because: why.clone(),
        });
    }
    picked
}

/// The figures of a text: its numbers, in order of first use.
fn figures(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for n in text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|n| n.trim_matches('.'))
        .filter(|n| !n.is_empty())
    {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out.sort_unstable();
    out
}

/// The drugs, treatments and procedures a text names (lexicon concept ids).
fn named_treatments<'l>(text: &str, lexicon: &'l Lexicon) -> Vec<&'l str> {
    let mut out: Vec<&str> = lexicon
        .find(text)
        .into_iter()
        .filter(|m| m.concept.category.is_treatment())
        .map(|m| m.concept.id.as_str())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether two statements say the same thing: the same figures and the same named
/// treatments. Two sentences of one shape about different drugs, doses or thresholds
/// ("the dose of rivaroxaban is reduced to 15 mg ..." and "the dose of edoxaban is reduced
/// to 30 mg ...") are two statements.
fn same_content(a: &str, b: &str, lexicon: &Lexicon) -> bool {
    figures(a) == figures(b) && named_treatments(a, lexicon) == named_treatments(b, lexicon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_of_one_shape_about_other_drugs_or_figures_differ() {
        let lex = Lexicon::builtin();
        let riva = "For rivaroxaban in atrial fibrillation, the dose is reduced to 15 mg once daily in patients with a creatinine clearance of 50 mL/min or less.";
        let edox = "For edoxaban in atrial fibrillation, the dose is reduced to 30 mg once daily in patients with a creatinine clearance of 15 to 50 mL/min.";
        assert!(!same_content(riva, edox, lex));
        assert!(!same_content(
            "Osimertinib was approved for EGFR-mutated NSCLC.",
            "Dacomitinib was approved for EGFR-mutated NSCLC.",
            lex
        ));
        assert!(same_content(
            "Surgery is the standard treatment for stage I disease.",
            "For stage I disease, surgery is the standard treatment.",
            lex
        ));
    }
}
