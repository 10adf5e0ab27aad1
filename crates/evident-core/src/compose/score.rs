//! Scoring statement candidates for a question: relevance in their context, document focus, role, kind, recency, and what would only repeat a finished treatment; and judging how well the evidence covers the question.

use std::collections::{HashMap, HashSet};

use super::coverage::{Coverage, coverage, topic_terms};
use super::role::Role;
use super::sentences::{self, Unit};
use super::terms::{Stem, StemSet, content_stems};
use super::weights::{
    ASKED_SHARE, OTHER_TOPIC, about_a_child, asked_stems, cancers, for_children, query_weights,
    same_cancer, topical_stems,
};
use super::{Candidate, ComposeOptions, sections};
use crate::answer::Audience;
use crate::condition;
use crate::lexicon::Lexicon;
use crate::question::{FactStatus, Intent, Question};

/// Whether the facts say surgery is not an option ("medically inoperable", "unresectable").
pub(crate) fn surgery_ruled_out(question: &Question) -> bool {
    question.facts.iter().any(|f| {
        (f.concept == "inoperable" && f.status == FactStatus::Present)
            || (f.concept == "operable" && f.status == FactStatus::Absent)
    })
}

/// A statement candidate with its stems and score.
pub(crate) struct Scored {
    pub candidate: usize,
    pub unit: Unit,
    pub stems: Vec<Stem>,
    pub set: StemSet,
    /// The stems of the lead-in of the list the statement is an item of.
    pub lead_stems: Vec<Stem>,
    /// Share of the question's weighted terms the statement contains.
    pub relevance: f32,
    /// What the statement does for the reader (read only for statements relevant enough
    /// to be used; `Other` for the rest).
    pub role: Role,
    /// How much its document is about the question, relative to the best document: topic
    /// coverage, scaled by how well the document's passages rank.
    pub doc_share: f32,
    /// Its document's title names another cancer than the question's, or children when
    /// the question is not about a child.
    pub other_topic: bool,
    pub score: f32,
}

pub(crate) struct Pool<'a> {
    pub units: Vec<Scored>,
    /// The lexicon the question was read with (near-duplicates compare what statements name).
    pub lexicon: &'a Lexicon,
    /// For each candidate, the stems of its headings and title.
    pub heading_stems: Vec<Vec<Stem>>,
    /// The stems of what is asked (see [`asked_stems`]).
    pub asked: HashSet<Stem>,
    /// What each heading of the candidates conditions (see [`condition::heading_conditions`]).
    heading_conditions: HeadingConditions,
    coverage: Coverage,
}

type HeadingConditions = rustc_hash::FxHashMap<String, Vec<condition::Condition>>;

/// The readings of the headings of `path`, outermost first.
fn under<'a>(read: &'a HeadingConditions, path: &[String]) -> Vec<&'a [condition::Condition]> {
    path.iter()
        .filter_map(|h| read.get(h))
        .map(Vec::as_slice)
        .collect()
}

/// Minimum relevance, relative to the best statement, for a statement to be used at all.
pub(crate) const MIN_RELEVANCE: f32 = 0.3;
/// How many of the best-scored statements selection looks at.
pub(crate) const MAX_CONSIDERED: usize = 150;

/// Bonus for a statement under a heading whose conditions the patient's facts meet.
const HEADING_FITS: f32 = 0.05;

/// Bonus for a statement under a heading about the question's primary section.
const HEADING_ASKED: f32 = 0.1;

/// Penalty for a statement that points back at text before it ("these patients").
pub(crate) const DANGLING: f32 = 0.12;

/// Penalty, for a question about what to do, for a statement whose only treatments are
/// ones the patient has finished.
const ALREADY_GIVEN: f32 = 0.1;

/// Words that place a statement after a treatment ("after chemoradiation", "patients who
/// responded", "consolidation"): it speaks of what follows, not of giving it again.
static SEQUEL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:(?:after|following|post)(?:\s+(?:an?|the|initial|first-line|definitive|concurrent|primary|completion\s+of|completing|receiving|undergoing))*\s+(?:\w+-)?(?:chemo\w*|radi\w*|irradiat\w*|treatment|therapy|surgery|resection|induction|\w+ectomy)|previous(?:ly)?|prior|pretreated|already|responded|respond|response|residual|recurr\w*|relaps\w*|progress\w*|refractory|resistant|consolidat\w*|maintenance|salvage|second-line|subsequent(?:ly)?|re-?irradiat\w*|re-?treat\w*)\b",
    )
    .expect("sequel regex")
});

impl<'a> Pool<'a> {
    pub fn build(
        question: &Question,
        candidates: &[Candidate],
        lexicon: &'a Lexicon,
        options: &ComposeOptions,
    ) -> Pool<'a> {
        let unknown_words = &options.unknown_words;
        let for_patient = options.audience == Audience::Patient;
        let topical = topical_stems(question, lexicon);
        let asked = asked_stems(question, lexicon);
        let weights = query_weights(question, lexicon, &topical, &asked);
        // Reading the passages (sentences, stems) is most of the work and each passage is
        // read alone: the candidates are shared among the cores.
        let table_rows = question.intent == Intent::Dosing;
        let topic = topic_terms(question, &weights, &topical, unknown_words, &asked);
        // The passages' and headings' words are only looked up for these.
        let vocabulary: StemSet = weights.iter().chain(&topic).map(|(s, _)| *s).collect();
        let reads = map_parallel(candidates, |ci, cand| {
            read_candidate(ci, cand, table_rows, &vocabulary)
        });
        let mut units = Vec::new();
        let mut heading_sets: Vec<StemSet> = Vec::with_capacity(candidates.len());
        let mut passage_sets: Vec<StemSet> = Vec::with_capacity(candidates.len());
        let mut heading_stems = Vec::with_capacity(candidates.len());
        for read in reads {
            units.extend(read.units);
            heading_stems.push(read.heading_stems);
            heading_sets.push(read.headings);
            passage_sets.push(read.passage);
        }
        // Rarity of each stem among the candidates' statements.
        let mut df: rustc_hash::FxHashMap<Stem, usize> = Default::default();
        for u in &units {
            for s in &u.set {
                *df.entry(*s).or_default() += 1;
            }
        }
        let n = units.len() as f32;
        let idf = |s: &Stem| match df.get(s) {
            Some(&d) => ((n + 1.0) / (d as f32 + 0.5)).ln().max(0.1),
            None => 0.0,
        };
        // Each term's weight times its rarity, computed once.
        let weighted: Vec<f32> = weights.iter().map(|(s, w)| w * idf(s)).collect();
        let total: f32 = weighted.iter().sum();
        // The weighted share of the question's terms that a set of stems holds.
        let overlap = |set: &StemSet| -> f32 {
            if total <= 0.0 {
                return 0.0;
            }
            weights
                .iter()
                .zip(&weighted)
                .filter(|((s, _), _)| set.contains(s))
                .map(|(_, w)| w)
                .sum::<f32>()
                / total
        };
        // The same over the words of what is asked (and their synonyms) alone: in a case
        // question a statement must speak to the question, not only share the case's words.
        let is_asked: Vec<bool> = weights.iter().map(|(s, _)| asked.contains(s)).collect();
        let asked_total: f32 = weighted
            .iter()
            .zip(&is_asked)
            .filter(|(_, a)| **a)
            .map(|(w, _)| w)
            .sum();
        let by_asked = asked_total > 0.0 && asked.len() < weights.len();
        let asked_cancers = cancers(&question.expanded, lexicon);
        let child = about_a_child(question);
        // Judged once a title: the candidates of one document share it.
        let mut other_by_title: HashMap<&str, bool> = HashMap::new();
        let other_topic_docs: HashSet<usize> = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                *other_by_title.entry(c.title.as_str()).or_insert_with(|| {
                    let named = cancers(&c.title, lexicon);
                    let other_cancer = !asked_cancers.is_empty()
                        && !named.is_empty()
                        && !named
                            .iter()
                            .any(|d| asked_cancers.iter().any(|q| same_cancer(q, d, lexicon)));
                    other_cancer || (!child && for_children(&c.title))
                })
            })
            .map(|(i, _)| i)
            .collect();
        // Document focus: documents with many well-ranked passages are the ones the
        // question is about (a document about another cancer, or about children, much
        // less so).
        let mut focus: HashMap<&str, f32> = HashMap::new();
        for (rank, c) in candidates.iter().enumerate() {
            let weight = if other_topic_docs.contains(&rank) {
                OTHER_TOPIC
            } else {
                1.0
            };
            *focus.entry(c.passage.id.doc.as_str()).or_default() += weight / (rank as f32 + 2.0);
        }
        let max_focus = focus.values().cloned().fold(0.0f32, f32::max).max(1e-6);
        // ... and documents that cover more of the question's topic.
        let (coverage, doc_coverage) = coverage(question, candidates, &passage_sets, &topic);
        let best_coverage = coverage.fraction.max(1e-6);
        // Passages under a heading that names the patient's own population ("Postoperative
        // therapy for HER2-positive breast cancer" for a HER2-positive case): the guideline
        // wrote them for this patient.
        // Passages of one section share the answer.
        let mut paths: Vec<&[String]> = candidates
            .iter()
            .map(|c| c.passage.section_path.as_slice())
            .collect();
        paths.sort_unstable();
        paths.dedup();
        // The conditions each heading sets, read once: many statements share a heading.
        let mut heads: Vec<&str> = paths
            .iter()
            .flat_map(|p| p.iter())
            .map(String::as_str)
            .collect();
        heads.sort_unstable();
        heads.dedup();
        let read = map_parallel(&heads, |_, h| condition::heading_conditions(h, lexicon));
        let heading_conditions: HeadingConditions =
            heads.into_iter().map(str::to_string).zip(read).collect();
        let case = condition::Case::new(&question.facts);
        let fits = map_parallel(&paths, |_, path| {
            let conds = condition::conditions_under("", &under(&heading_conditions, path), lexicon);
            // At least one condition met and none contradicted.
            match case.applicability(&conds) {
                condition::Applicability::Applies => !conds.is_empty(),
                condition::Applicability::Unknown(open) => open.len() < conds.len(),
                condition::Applicability::Contradicted { .. } => false,
            }
        });
        let fits_by_path: HashMap<&[String], bool> = paths.into_iter().zip(fits).collect();
        let for_this_patient: Vec<bool> = candidates
            .iter()
            .map(|c| fits_by_path[c.passage.section_path.as_slice()])
            .collect();
        let primary = sections::primary(question.intent);
        // A passage under a heading about what is asked ("Follow-up after treatment" for a
        // follow-up question) was written to answer it.
        let heading_asked: Vec<bool> = heading_stems
            .iter()
            .map(|h| sections::cue_hits(primary, h) > 0)
            .collect();
        let newest = candidates.iter().filter_map(|c| c.year).max();

        // A passage's relevance: its text and headings together. Sentences of a relevant
        // passage are relevant through their context even when their own words differ
        // from the question's.
        let passage_rel: Vec<f32> = passage_sets.iter().map(overlap).collect();
        let best_passage = top_mean(&passage_rel);
        // A statement's own share of the question's terms, in its words alone and with its
        // headings and list lead-in; in a case question partly over what is asked.
        let own: Vec<f32> = map_parallel(&units, |_, u| {
            let headings = &heading_sets[u.candidate];
            let lead = &u.lead_stems;
            let (mut text, mut context, mut asked_part) = (0.0f32, 0.0f32, 0.0f32);
            for (((s, _), w), asked) in weights.iter().zip(&weighted).zip(&is_asked) {
                let in_text = u.set.contains(s);
                if in_text {
                    text += w;
                }
                if in_text || headings.contains(s) || lead.iter().any(|l| l == s) {
                    context += w;
                    if *asked {
                        asked_part += w;
                    }
                }
            }
            if total <= 0.0 {
                return 0.0;
            }
            let all = 0.5 * text / total + 0.5 * context / total;
            if by_asked {
                ASKED_SHARE * asked_part / asked_total + (1.0 - ASKED_SHARE) * all
            } else {
                all
            }
        });
        let best_own = top_mean(&own);
        let relevance: Vec<f32> = units
            .iter()
            .zip(&own)
            .map(|(u, own)| 0.5 * own / best_own + 0.5 * passage_rel[u.candidate] / best_passage)
            .collect();
        // Treatments the patient has finished: for a question about what to do, a statement
        // about giving one of them again (its schedule, its dose, the trials that set it)
        // is not an answer, unless it speaks of what follows it.
        let completed = match question.intent {
            Intent::Treatment | Intent::NextStep => {
                crate::question::completed_treatments(question, lexicon)
            }
            _ => Vec::new(),
        };
        // What each statement does for the reader, and whether it only repeats a finished
        // treatment, read on all cores for the statements relevant enough to be used.
        let judged = map_parallel(&units, |i, u| {
            if relevance[i] < MIN_RELEVANCE {
                return (Role::Other, false);
            }
            let role = Role::of(&u.unit.text);
            if completed.is_empty() || SEQUEL.is_match(&u.unit.text) {
                return (role, false);
            }
            // Every treatment it names is one the patient has finished ("neoadjuvant" only
            // says when the treatment it qualifies is given).
            let mut treatments = lexicon
                .find(&u.unit.text)
                .into_iter()
                .filter(|m| {
                    m.concept.category.is_treatment() && m.concept.id != "neoadjuvant_therapy"
                })
                .peekable();
            let repeats = treatments.peek().is_some()
                && treatments.all(|m| completed.contains(&m.concept.id));
            (role, repeats)
        });
        for ((u, (role, repeats)), relevance) in units.iter_mut().zip(judged).zip(relevance) {
            let cand = &candidates[u.candidate];
            let rank_prior = 1.0 / (1.0 + u.candidate as f32 / 5.0);
            let doc = cand.passage.id.doc.as_str();
            let covered = doc_coverage.get(doc).copied().unwrap_or(0.0) / best_coverage;
            let ranked = focus[doc] / max_focus;
            let doc_focus = 0.5 * ranked + 0.5 * covered.powi(2);
            // A document speaks in the answer when it covers the topic and ranks well, and
            // hardly at all when its title names another cancer than the question's, or children
            // when the question is not about a child.
            let other_topic = other_topic_docs.contains(&u.candidate);
            let doc_share =
                covered * (0.5 + 0.5 * ranked) * if other_topic { OTHER_TOPIC } else { 1.0 };
            let cue = (sections::cue_hits(primary, &u.stems).min(2)) as f32;
            let heading_cue = if heading_asked[u.candidate] {
                HEADING_ASKED
            } else {
                0.0
            };
            let kind = if cand.kind.is_guideline_grade() {
                1.0
            } else {
                0.0
            };
            let recent = match (cand.year, newest) {
                (Some(y), Some(n)) if n >= y => 1.0 / (1.0 + (n - y) as f32 / 5.0),
                _ => 0.5,
            };
            let len = u.stems.len();
            let fits = if for_this_patient[u.candidate] {
                HEADING_FITS
            } else {
                0.0
            };
            let mut score = fits
                + 0.55 * relevance
                + 0.05 * rank_prior
                + 0.20 * doc_focus
                + 0.04 * cue
                + heading_cue
                + 0.04 * kind
                + 0.02 * recent;
            if u.unit.dangling {
                score -= DANGLING;
            }
            if repeats {
                score -= ALREADY_GIVEN;
            }
            if len < 6 {
                score -= 0.05;
            }
            if len > 35 {
                score -= 0.05;
            }
            // A consultant answers with recommendations and findings: a study's design
            // without its result, background and research under way tell the reader
            // little they can use.
            score += match role {
                Role::Recommendation => 0.1,
                Role::Finding | Role::Gap | Role::Other => 0.0,
                Role::Design | Role::UnderWay | Role::Background => -0.05,
            };
            // A patient is better served by sources written for patients and by plain,
            // short sentences (the same facts, the same citations).
            if for_patient {
                if written_for_patients(cand) {
                    score += 0.15;
                }
                let grade = crate::plain::flesch_kincaid_grade(&u.unit.text) as f32;
                score -= 0.01 * (grade - 8.0).clamp(0.0, 10.0);
            }
            u.relevance = relevance;
            u.role = role;
            u.doc_share = doc_share;
            u.other_topic = other_topic;
            u.score = score;
        }
        Pool {
            units,
            lexicon,
            heading_stems,
            asked,
            heading_conditions,
            coverage,
        }
    }

    /// The conditions of statement `i`: its own, its list lead-in's and its headings'.
    pub fn conditions(
        &self,
        i: usize,
        candidates: &[Candidate],
        lexicon: &Lexicon,
    ) -> Vec<condition::Condition> {
        let unit = &self.units[i].unit;
        let path = &candidates[self.units[i].candidate].passage.section_path;
        let mut headings = under(&self.heading_conditions, path);
        let lead = unit
            .lead
            .as_deref()
            .map(|l| condition::heading_conditions(l, lexicon));
        headings.extend(lead.as_deref());
        condition::conditions_under(&unit.text, &headings, lexicon)
    }

    pub fn coverage(&self) -> Coverage {
        self.coverage.clone()
    }
}

/// One candidate read: its statements, the stems of its headings and title, and those of
/// the question's vocabulary that its headings, and its text with them, hold.
struct Read {
    units: Vec<Scored>,
    heading_stems: Vec<Stem>,
    headings: StemSet,
    passage: StemSet,
}

fn read_candidate(ci: usize, cand: &Candidate, table_rows: bool, vocabulary: &StemSet) -> Read {
    let mut heading = cand.passage.section_path.join(" ");
    heading.push(' ');
    heading.push_str(&cand.title);
    let heading_stems = content_stems(&heading);
    let headings: StemSet = heading_stems
        .iter()
        .filter(|s| vocabulary.contains(*s))
        .copied()
        .collect();
    let mut passage: StemSet = content_stems(&cand.passage.text)
        .into_iter()
        .filter(|s| vocabulary.contains(s))
        .collect();
    passage.extend(headings.iter().copied());
    // Nothing under a heading about the document itself is evidence.
    let about_the_document = cand
        .passage
        .section_path
        .iter()
        .any(|h| sentences::about_the_document(h));
    let units = if about_the_document {
        Vec::new()
    } else {
        sentences::units(&cand.passage, table_rows)
    };
    let units = units
        .into_iter()
        .map(|unit| {
            let stems = content_stems(&unit.text);
            let set = stems.iter().copied().collect();
            let lead_stems = unit.lead.as_deref().map(content_stems).unwrap_or_default();
            Scored {
                candidate: ci,
                unit,
                stems,
                set,
                lead_stems,
                relevance: 0.0,
                role: Role::Other,
                doc_share: 0.0,
                other_topic: false,
                score: 0.0,
            }
        })
        .collect();
    Read {
        units,
        heading_stems,
        headings,
        passage,
    }
}

/// `f` over `items` (with their index), in order, on up to four threads.
pub(crate) fn map_parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || items.len() < 16 {
        return items.iter().enumerate().map(|(i, x)| f(i, x)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(j, x)| f(k * chunk + j, x))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| {
                p.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// A source written for patients (PDQ patient versions and the like), read from its title
/// or address.
pub(crate) fn written_for_patients(c: &Candidate) -> bool {
    c.title.to_ascii_lowercase().contains("patient version")
        || c.url.as_deref().is_some_and(|u| u.contains("/patient/"))
}

/// Speaks of operations (resection, lobectomy, "-ectomy" ...) without naming the situation
/// of a patient who cannot have one (inoperable, unresectable) or a non-surgical alternative.
pub(crate) fn is_about_surgery_alone(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let surgical = words.iter().any(|w| {
        [
            "surgery",
            "surgical",
            "surgically",
            "resection",
            "resections",
            "resected",
            "operation",
            "operative",
            "thoracotomy",
            "sublobar",
        ]
        .contains(w)
            || w.ends_with("ectomy")
            || w.ends_with("ectomies")
    });
    let alternative = [
        "inoperable",
        "unresectable",
        "nonsurgical",
        "non-surgical",
        "radiation",
        "radiotherapy",
        "irradiation",
        "stereotactic",
        "sbrt",
        "sabr",
        "unfit",
        "not candidates",
        "not a candidate",
        "contraindication",
    ]
    .iter()
    .any(|w| lower.contains(w));
    surgical && !alternative
}

/// The mean of the five largest values: the scale relevance is measured against, robust
/// to one statement that restates the whole case.
fn top_mean(values: &[f32]) -> f32 {
    let mut v: Vec<f32> = values.to_vec();
    v.sort_by(|a, b| b.total_cmp(a));
    v.truncate(5);
    (v.iter().sum::<f32>() / v.len().max(1) as f32).max(1e-6)
}
