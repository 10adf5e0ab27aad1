//! `ask`: analyse a question, retrieve passages, compose the cited answer, and time each phase.

use std::time::Instant;

use evident_core::answer::{Answer, Audience, CorpusInfo};
use evident_core::compose::{
    Candidate, ComposeOptions, Composition, compose, focus_query, question_words,
};
use evident_core::lexicon::Lexicon;
use evident_core::question::{Question, analyze};
use evident_search::{Hit, Mode, PassageRecord, SearchIndex, SearchOptions};

use crate::error::EngineError;

/// Passages retrieved per answer by default. More candidates let the composer reach the
/// passage that answers what is asked when the case's words pull other passages up; with
/// the asked words' share of relevance (`compose::score`), keypoint recall on the nci-pdq
/// dev cases went from 0.42 (80 passages) to 0.55 (200), at about twice the composition
/// time (27 → about 50 ms in one process, BM25).
pub const DEFAULT_PASSAGES: usize = 200;

/// Weight of a passage's headings against its text when retrieving for an answer (plain
/// search weighs them 0.3). A guideline heading names the situation its passages are
/// written for ("Consolidation therapy following concurrent chemoradiation › Osimertinib
/// (for patients with EGFR variants)"), which a case question describes in other words
/// than the passage text. When it was chosen, keypoint recall on the nci-pdq dev cases went
/// from 0.546 (0.3) to 0.608 (0.6), 0.642 (1.0), 0.608 (1.5 and 2.0) and 0.492 (3.0).
const SECTION_BOOST: f32 = 1.0;

#[derive(Debug, Clone)]
pub struct AskOptions {
    pub audience: Audience,
    /// Passages retrieved to compose from.
    pub passages: usize,
}

impl Default for AskOptions {
    fn default() -> Self {
        AskOptions {
            audience: Audience::Physician,
            passages: DEFAULT_PASSAGES,
        }
    }
}

/// An answer and what `--explain` shows about it.
#[derive(Debug, Clone)]
pub struct Asked {
    pub question: Question,
    pub composition: Composition,
}

impl Asked {
    pub fn answer(&self) -> &Answer {
        &self.composition.answer
    }
}

/// Answers `text` from the index. The answer's `timing_ms` holds `analysis`, `retrieval`,
/// `composition` and `total` in milliseconds.
pub fn ask(
    index: &SearchIndex,
    lexicon: &Lexicon,
    text: &str,
    options: &AskOptions,
) -> Result<Asked, EngineError> {
    let text = checked_question("the question", text)?;
    let start = Instant::now();
    let question = analyze(text, lexicon);
    answer_question(index, lexicon, question, Vec::new(), options, start)
}

/// A question as asked, trimmed: refused when empty or when it holds a control character
/// other than a line break or tab. `field` names it in the error.
pub fn checked_question<'a>(field: &str, text: &'a str) -> Result<&'a str, EngineError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(EngineError::Usage(format!("{field} is empty")));
    }
    evident_core::input::check_text(field, text, evident_core::input::Lines::Many)
        .map_err(|e| EngineError::Usage(e.to_string()))?;
    Ok(text)
}

/// Answers an analysed question (for a follow-up: with the thread's facts merged in).
/// `thread` holds passages the thread's earlier answers relied on: they are considered
/// after the retrieved ones. `start` is when the work on the question began.
pub fn answer_question(
    index: &SearchIndex,
    lexicon: &Lexicon,
    question: Question,
    thread: Vec<Candidate>,
    options: &AskOptions,
    start: Instant,
) -> Result<Asked, EngineError> {
    let analysed = Instant::now();
    let search = SearchOptions {
        k: options.passages * 3 / 4,
        mode: if index.has_dense() {
            Mode::Hybrid
        } else {
            Mode::Bm25
        },
        guideline_boost: 0.1,
        section_boost: SECTION_BOOST,
        ..SearchOptions::default()
    };
    // The whole question finds passages about the case; its focus (without the generic
    // words and the treatment history) finds those about what is asked. Candidates
    // alternate between the two rankings. The two searches run side by side.
    let focus = focus_query(&question, lexicon);
    let (whole, focused) = std::thread::scope(|scope| {
        // The focus adds lexical matches only: one query embedding per question is enough.
        let focused = scope.spawn(|| {
            if focus.trim().is_empty() || focus == question.expanded {
                Ok(Vec::new())
            } else {
                let lexical = SearchOptions {
                    mode: Mode::Bm25,
                    ..search.clone()
                };
                index.search(&focus, &lexical)
            }
        });
        let whole = index.search(&question.expanded, &search);
        let focused = focused
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (whole, focused)
    });
    let (whole, focused) = (whole?, focused?);
    let words = question_words(&question);
    let unknown_words = index
        .doc_freq(&words)?
        .into_iter()
        .zip(words)
        .filter(|(df, _)| *df == Some(0))
        .map(|(_, w)| w)
        .collect();
    let retrieved = Instant::now();
    let mut candidates = interleave(whole, focused, options.passages);
    for c in thread {
        if !candidates.iter().any(|x| x.passage.id == c.passage.id) {
            candidates.push(c);
        }
    }
    let compose_options = ComposeOptions {
        unknown_words,
        ..ComposeOptions::for_audience(options.audience)
    };
    let mut composition = compose(&question, &candidates, lexicon, &compose_options);
    let composed = Instant::now();
    let manifest = &index.snapshot().manifest;
    let answer = &mut composition.answer;
    answer.corpus = CorpusInfo {
        version: manifest.corpus_version.clone(),
        documents: manifest.documents,
        passages: manifest.passages,
    };
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
    answer
        .timing_ms
        .insert("analysis".into(), ms(start, analysed));
    answer
        .timing_ms
        .insert("retrieval".into(), ms(analysed, retrieved));
    answer
        .timing_ms
        .insert("composition".into(), ms(retrieved, composed));
    answer.timing_ms.insert("total".into(), ms(start, composed));
    Ok(Asked {
        question,
        composition,
    })
}

/// Alternates two rankings, skipping passages already taken, up to `k` candidates.
fn interleave(a: Vec<Hit>, b: Vec<Hit>, k: usize) -> Vec<Candidate> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(k);
    let (mut a, mut b) = (a.into_iter(), b.into_iter());
    loop {
        let (x, y) = (a.next(), b.next());
        if x.is_none() && y.is_none() {
            break;
        }
        for hit in [x, y].into_iter().flatten() {
            if out.len() < k && seen.insert(hit.row) {
                out.push(candidate(hit));
            }
        }
    }
    out
}

fn candidate(hit: Hit) -> Candidate {
    from_record(hit.record)
}

/// A composition candidate from a stored passage record.
pub(crate) fn from_record(r: PassageRecord) -> Candidate {
    Candidate {
        passage: r.passage,
        title: r.title,
        kind: r.kind,
        source: r.source,
        year: r.year,
        url: r.url,
        studies: r.studies,
    }
}
