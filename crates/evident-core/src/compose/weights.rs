//! What a question weighs: its terms and their weights, the words of what is asked, its topic, the patient's treatment history, and the cancers it names.

use std::collections::HashSet;

use super::terms::{Stem, is_generic, stem, words};
use crate::lexicon::{Category, Lexicon};
use crate::question::{FactStatus, Question};

/// The words of the question's treatment history: treatments already given or ruled out.
///
/// Also the words of facts stated as absent ("no distant metastases") and of value facts
/// (age, TNM, size): they describe the case and decide which branches apply, but are not
/// what the question asks about.
pub(super) fn history_stems(question: &Question, lexicon: &Lexicon) -> HashSet<Stem> {
    let mut history: HashSet<Stem> = HashSet::new();
    for f in &question.facts {
        let is_treatment = lexicon.concept(&f.concept).is_some_and(|c| {
            matches!(
                c.category,
                Category::Treatment | Category::Procedure | Category::Drug
            )
        });
        if is_treatment || f.status != FactStatus::Present {
            history.extend(words(&f.text).map(|w| stem(&w)));
        }
    }
    history
}

/// The words of the question whose corpus rarity [`ComposeOptions::rarity`] should hold.
///
/// [`ComposeOptions::rarity`]: super::ComposeOptions::rarity
pub fn question_words(question: &Question) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words(&question.expanded) {
        if !is_generic(&w) && !w.chars().all(|c| c.is_ascii_digit()) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// What the question is about, without its generic words and the treatment history
/// (which is context: it decides which branches apply, not what to look for). Empty when
/// nothing is left.
pub fn focus_query(question: &Question, lexicon: &Lexicon) -> String {
    let history = history_stems(question, lexicon);
    let kept: Vec<String> = words(&question.expanded)
        .filter(|w| !is_generic(w) && !history.contains(&stem(w)))
        .collect();
    kept.join(" ")
}

/// Words of clinical concepts named in the question (the condition, findings, biomarkers,
/// sites): the topic.
pub(super) fn topical_stems(question: &Question, lexicon: &Lexicon) -> HashSet<Stem> {
    let mut topical: HashSet<Stem> = HashSet::new();
    for m in lexicon.find(&question.expanded) {
        if matches!(
            m.concept.category,
            Category::Condition | Category::Finding | Category::Biomarker | Category::Anatomy
        ) {
            topical.extend(words(&question.expanded[m.start..m.end]).map(|w| stem(&w)));
        }
    }
    topical
}

/// Share of a statement's own relevance that comes from the words of what is asked.
pub(super) const ASKED_SHARE: f32 = 0.4;

/// The stems of the asking sentences (those ending in '?'), of the synonyms of the lexicon
/// concepts they name and of the members of the classes they name (a short list, as
/// [`Lexicon::members`] gives it), treatment history and generic words left out. Empty when
/// the question has no asking sentence.
pub(super) fn asked_stems(question: &Question, lexicon: &Lexicon) -> HashSet<Stem> {
    let history = history_stems(question, lexicon);
    let mut out = HashSet::new();
    for sentence in crate::sentence::sentences(&question.expanded)
        .into_iter()
        .filter(|s| s.ends_with('?'))
    {
        let mut add = |w: &str| {
            let s = stem(w);
            if !is_generic(w) && !w.chars().all(|c| c.is_ascii_digit()) && !history.contains(&s) {
                out.insert(s);
            }
        };
        for w in words(sentence) {
            add(&w);
        }
        for m in crate::question::assertion::mentions(sentence, lexicon) {
            if m.category == Category::Shorthand {
                continue;
            }
            let Some(concept) = lexicon.concept(&m.concept) else {
                continue;
            };
            for term in &concept.terms {
                for w in words(term) {
                    add(&w);
                }
            }
            // A class asked about is answered by what is written of its members
            // ("immunotherapy": durvalumab).
            let members = concept
                .category
                .searched_by_class()
                .then(|| lexicon.members(concept))
                .into_iter()
                .flatten();
            for member in members {
                for term in &member.terms {
                    for w in words(term) {
                        add(&w);
                    }
                }
            }
        }
    }
    out
}

/// How much of its share a document keeps when its title names only other cancers than
/// the question's (a gastric cancer summary for a colon cancer question), or children when
/// the question is not about a child.
pub(super) const OTHER_TOPIC: f32 = 0.4;

/// Whether the question is about a child: an age under 18, an age in days, or words for
/// a child. Without them the patient is taken for an adult, as most questions are.
pub(super) fn about_a_child(question: &Question) -> bool {
    let young = question.facts.iter().any(|f| {
        f.concept == "age_days"
            || (f.concept == "age"
                && matches!(f.value, Some(crate::question::FactValue::Number(n)) if n < 18.0))
    });
    young
        || words(&question.expanded).any(|w| {
            matches!(
                w.as_str(),
                "child"
                    | "children"
                    | "childhood"
                    | "pediatric"
                    | "paediatric"
                    | "infant"
                    | "infants"
                    | "toddler"
                    | "neonate"
                    | "neonatal"
                    | "newborn"
                    | "adolescent"
                    | "adolescents"
                    | "teen"
                    | "teenager"
                    | "boy"
                    | "girl"
                    | "kid"
            )
        })
}

/// Whether a document's title says it is written about children ("Childhood Liver Cancer
/// Treatment"); not one about adults and children alike.
pub(super) fn for_children(title: &str) -> bool {
    let lower = title.to_lowercase();
    [
        "childhood",
        "pediatric",
        "paediatric",
        "in children",
        "children's",
    ]
    .iter()
    .any(|w| lower.contains(w))
        && !lower.contains("adult")
}

/// The specific cancers a text names (lexicon conditions such as `colon_cancer`,
/// `melanoma`; the generic `cancer` left out).
pub(super) fn cancers(text: &str, lexicon: &Lexicon) -> Vec<String> {
    const KINDS: [&str; 8] = [
        "cancer",
        "carcinoma",
        "leukemia",
        "lymphoma",
        "melanoma",
        "myeloma",
        "sarcoma",
        "glioblastoma",
    ];
    let mut out: Vec<String> = Vec::new();
    for m in lexicon.find(text) {
        let id = m.concept.id.as_str();
        if m.concept.category == Category::Condition
            && id != "cancer"
            && KINDS.iter().any(|k| id.contains(k))
            && !out.iter().any(|o| o == id)
        {
            out.push(id.to_string());
        }
    }
    out
}

/// Whether two named cancers are the same disease or one includes the other: the same
/// concept, one a class of the other in the lexicon (esophageal adenocarcinoma, esophageal
/// cancer), one's preferred name ending the other's ("lung cancer" in "non-small cell lung
/// cancer"), or colorectal cancer with colon or rectal cancer.
pub(crate) fn same_cancer(a: &str, b: &str, lexicon: &Lexicon) -> bool {
    let includes = |x: &str, y: &str| lexicon.classes(x).iter().any(|c| c.id == y);
    if a == b || includes(a, b) || includes(b, a) {
        return true;
    }
    let colorectal = |x: &str, y: &str| {
        x.starts_with("colorectal") && (y.contains("colon") || y.contains("rectal"))
    };
    if colorectal(a, b) || colorectal(b, a) {
        return true;
    }
    let name = |id: &str| lexicon.concept(id).map(|c| c.preferred().to_lowercase());
    match (name(a), name(b)) {
        (Some(x), Some(y)) => x.ends_with(&format!(" {y}")) || y.ends_with(&format!(" {x}")),
        _ => false,
    }
}

/// The question's terms and their weights: words of clinical concepts (condition,
/// finding, biomarker, site) 1.5, other words 1, words of the treatment history (treatments
/// already given or ruled out) 0.3; words of the asking sentence count 1.8 times; numbers
/// followed by a unit ("3 months") 0.7; lexicon synonyms, and every name of a member of a
/// class asked about (`asked_stems`, from [`asked_stems`]), 0.4. Generic question words
/// are left out.
pub(super) fn query_weights(
    question: &Question,
    lexicon: &Lexicon,
    topical: &HashSet<Stem>,
    asked_stems: &HashSet<Stem>,
) -> Vec<(Stem, f32)> {
    let history = history_stems(question, lexicon);
    // In a case question the asking sentences (ending in '?') say what is wanted; the
    // others describe the case.
    let asked: HashSet<Stem> = crate::sentence::sentences(&question.expanded)
        .into_iter()
        .filter(|s| s.ends_with('?'))
        .flat_map(|s| words(s).map(|w| stem(&w)).collect::<Vec<_>>())
        .collect();
    let mut out: Vec<(Stem, f32)> = Vec::new();
    let mut push = |s: Stem, w: f32| {
        if let Some(e) = out.iter_mut().find(|(t, _)| *t == s) {
            e.1 = e.1.max(w);
        } else {
            out.push((s, w));
        }
    };
    let tokens: Vec<String> = words(&question.expanded).collect();
    for (k, w) in tokens.iter().enumerate() {
        // A number counts when a unit of duration or dose follows it ("3 months", "60 Gy").
        if w.chars().all(|c| c.is_ascii_digit()) {
            if tokens.get(k + 1).is_some_and(|u| is_unit(u)) {
                push(stem(w), 0.7);
            }
            continue;
        }
        if is_generic(w) {
            continue;
        }
        let w = w.as_str();
        let s = stem(w);
        let weight = if history.contains(&s) {
            0.3
        } else if topical.contains(&s) {
            1.5
        } else {
            1.0
        } * if asked.contains(&s) { 1.8 } else { 1.0 };
        push(s, weight);
    }
    for w in words(&question.search_query) {
        if is_generic(&w) || w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        push(stem(&w), 0.4);
    }
    // Every name of a member of a class asked about ("T-DM1" for "HER2-directed therapy"),
    // where the search added only its preferred name.
    let mut asked: Vec<&Stem> = asked_stems.iter().collect();
    asked.sort_unstable();
    for s in asked {
        push(*s, 0.4);
    }
    out
}

fn is_unit(word: &str) -> bool {
    matches!(
        word,
        "month"
            | "months"
            | "week"
            | "weeks"
            | "day"
            | "days"
            | "cycle"
            | "cycles"
            | "gy"
            | "fraction"
            | "fractions"
            | "mg"
            | "hours"
            | "hour"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_asked_about_by_age_or_by_name() {
        let lex = Lexicon::builtin();
        let q = |text: &str| crate::question::analyze(text, lex);
        assert!(about_a_child(&q(
            "A 9-year-old with hepatoblastoma: next step?"
        )));
        assert!(about_a_child(&q("Treatment of neuroblastoma in children?")));
        assert!(!about_a_child(&q(
            "A 63-year-old with hepatocellular carcinoma: next step?"
        )));
        assert!(!about_a_child(&q(
            "How is hepatocellular carcinoma treated?"
        )));
        assert!(for_children("Childhood Liver Cancer Treatment (PDQ®)"));
        assert!(!for_children(
            "Levels of Evidence: Adult and Pediatric Treatment Studies"
        ));
        assert!(!for_children("Liver Cancer Screening"));
    }

    #[test]
    fn a_class_asked_about_brings_its_members_but_not_the_history() {
        let lex = Lexicon::builtin();
        let q = crate::question::analyze(
            "She received neoadjuvant trastuzumab. What adjuvant HER2-directed therapy should she receive?",
            lex,
        );
        let asked = asked_stems(&q, lex);
        for member in ["neratinib", "emtansine", "deruxtecan", "kadcyla"] {
            assert!(asked.contains(&stem(member)), "{member} in {asked:?}");
        }
        // Given already: context, not what is asked.
        assert!(!asked.contains(&stem("trastuzumab")), "{asked:?}");
    }
}
