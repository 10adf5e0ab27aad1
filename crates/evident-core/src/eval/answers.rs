//! Grading answers against an answer case bank: key points, must-not statements, evidence status, the bottom line, citations and support.
//!
//! A bank is JSON Lines in the format of `../shared/eval/answers-dev.jsonl`, with three
//! optional fields that the question banks under `eval/bank/` add: `corpus` (which corpus
//! the case is asked of), `expected_status` and `bottom_line` (patterns the bottom line must
//! match to name what was asked for this patient). The measures follow
//! `../shared/eval/score_answers.py`, so figures from either agree:
//! - a key point is covered when one statement (the bottom line or a section item) matches
//!   every pattern of its `all`;
//! - a must-not is violated by each sentence of a statement that matches any of its `any`;
//! - a statement is supported when at least 60% of its content words appear in the evidence
//!   passages of the references it cites.
//!
//! Patterns are Python-style regular expressions with look-around (`fancy-regex`).
//! One difference from the Python scorer: recall is averaged over the cases that have key
//! points (a case the corpus should not answer has none, and the Python scorer counts it
//! as fully recalled).

use std::collections::HashSet;
use std::sync::LazyLock;

use fancy_regex::Regex;
use serde::Deserialize;

use crate::answer::{Answer, EvidenceStatus};
use crate::error::CoreError;

/// Share of a statement's content words that must appear in its cited evidence.
const SUPPORT_SHARE: f64 = 0.6;

#[derive(Debug, Deserialize)]
struct RawPoint {
    point: String,
    #[serde(default)]
    all: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawMustNot {
    point: String,
    #[serde(default)]
    any: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawCase {
    id: String,
    question: String,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    corpus: Option<String>,
    #[serde(default)]
    expected_sources: Vec<String>,
    #[serde(default)]
    expected_status: Option<EvidenceStatus>,
    #[serde(default)]
    key_points: Vec<RawPoint>,
    #[serde(default)]
    must_not: Vec<RawMustNot>,
    #[serde(default)]
    bottom_line: Option<RawPoint>,
}

/// Patterns that must all match one text.
#[derive(Debug)]
pub struct Point {
    pub point: String,
    all: Vec<Regex>,
}

impl Point {
    fn matches(&self, text: &str) -> bool {
        self.all.iter().all(|p| p.is_match(text).unwrap_or(false))
    }
}

/// A statement the answer must not make; any one pattern matching a sentence is a violation.
#[derive(Debug)]
pub struct MustNot {
    pub point: String,
    any: Vec<Regex>,
}

/// One case of a bank, its patterns compiled.
#[derive(Debug)]
pub struct AnswerCase {
    pub id: String,
    pub question: String,
    pub audience: Option<String>,
    /// The corpus the case is asked of (`starter`, `nci-pdq`); `None` for any.
    pub corpus: Option<String>,
    pub expected_sources: Vec<String>,
    pub expected_status: Option<EvidenceStatus>,
    pub key_points: Vec<Point>,
    pub must_not: Vec<MustNot>,
    /// `None`, or a point with no patterns, when the bottom line is not graded.
    pub bottom_line: Option<Point>,
}

fn compile(name: &str, line: usize, pattern: &str) -> Result<Regex, CoreError> {
    Regex::new(pattern).map_err(|e| CoreError::Parse {
        name: name.to_string(),
        message: format!("line {line}: bad pattern {pattern:?}: {e}"),
    })
}

fn point(name: &str, line: usize, raw: RawPoint) -> Result<Point, CoreError> {
    let all = raw
        .all
        .iter()
        .map(|p| compile(name, line, p))
        .collect::<Result<_, _>>()?;
    Ok(Point {
        point: raw.point,
        all,
    })
}

/// Parses a case bank (JSON Lines; blank lines skipped). `name` names the input in errors,
/// which give the line; a duplicate id is an error.
pub fn parse_cases(name: &str, text: &str) -> Result<Vec<AnswerCase>, CoreError> {
    let mut cases = Vec::new();
    let mut ids = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawCase = serde_json::from_str(line).map_err(|e| CoreError::Parse {
            name: name.to_string(),
            message: format!("line {n}: not a case: {e}"),
        })?;
        if !ids.insert(raw.id.clone()) {
            return Err(CoreError::Parse {
                name: name.to_string(),
                message: format!("line {n}: duplicate case id {:?}", raw.id),
            });
        }
        let key_points = raw
            .key_points
            .into_iter()
            .map(|p| point(name, n, p))
            .collect::<Result<_, _>>()?;
        let must_not = raw
            .must_not
            .into_iter()
            .map(|m| {
                let any = m
                    .any
                    .iter()
                    .map(|p| compile(name, n, p))
                    .collect::<Result<_, _>>()?;
                Ok(MustNot {
                    point: m.point,
                    any,
                })
            })
            .collect::<Result<_, CoreError>>()?;
        let bottom_line = raw.bottom_line.map(|p| point(name, n, p)).transpose()?;
        cases.push(AnswerCase {
            id: raw.id,
            question: raw.question,
            audience: raw.audience,
            corpus: raw.corpus,
            expected_sources: raw.expected_sources,
            expected_status: raw.expected_status,
            key_points,
            must_not,
            bottom_line,
        });
    }
    Ok(cases)
}

/// How one answer fares against its case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseScore {
    pub id: String,
    /// Per key point, whether one statement covers it.
    pub covered: Vec<bool>,
    /// The must-not points violated, each with the sentence that violates it.
    pub violations: Vec<(String, String)>,
    /// Whether a reference's URL is one of the expected sources (`None`: none expected).
    pub source_hit: Option<bool>,
    /// Whether the evidence status is the expected one (`None`: none expected).
    pub status_ok: Option<bool>,
    /// Whether the bottom line matches its patterns (`None`: not graded).
    pub bottom_line_ok: Option<bool>,
    pub statements: usize,
    pub cited: usize,
    pub supported: usize,
    pub words: usize,
}

impl CaseScore {
    /// Share of key points covered; `None` when the case has none.
    pub fn recall(&self) -> Option<f64> {
        (!self.covered.is_empty())
            .then(|| self.covered.iter().filter(|c| **c).count() as f64 / self.covered.len() as f64)
    }
}

const STOP: &str = "a about above after again against all also although among an and any are as at be \
because been before being below between both but by can could did do does doing down during each \
either few for from further had has have having here how however if in into is it its itself \
just may might more most must no nor not now of off on once only or other our out over own per \
same should since so some such than that the their them then there these they this those through \
thus to too under until up upon very was were what when where whether which while who whom why \
will with within without would yet";

/// Words of at least four characters (`[a-z0-9][a-z0-9-]+`, lowercased) that are not stop words.
fn content_words(text: &str) -> HashSet<String> {
    static STOP_WORDS: LazyLock<HashSet<&str>> =
        LazyLock::new(|| STOP.split_whitespace().collect());
    let stop = &*STOP_WORDS;
    let lower = text.to_lowercase();
    let mut words = HashSet::new();
    let mut current = String::new();
    let mut flush = |w: &mut String| {
        let trimmed = w.as_str();
        if trimmed.chars().count() >= 4 && !stop.contains(trimmed) {
            words.insert(trimmed.to_string());
        }
        w.clear();
    };
    for c in lower.chars() {
        let word_char = c.is_ascii_lowercase() || c.is_ascii_digit();
        if word_char || (c == '-' && !current.is_empty()) {
            current.push(c);
        } else {
            flush(&mut current);
        }
    }
    flush(&mut current);
    words
}

/// Splits where `.`, `!` or `?` and whitespace are followed by a capital, `(` or `[`.
fn split_sentences(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let (mut start, mut k) = (0, 0);
    while k < chars.len() {
        let (i, c) = chars[k];
        if matches!(c, '.' | '!' | '?') {
            let mut j = k + 1;
            while j < chars.len() && chars[j].1.is_whitespace() {
                j += 1;
            }
            let opens = chars
                .get(j)
                .is_some_and(|&(_, d)| d.is_ascii_uppercase() || d == '(' || d == '[');
            if j > k + 1 && opens {
                out.push(&text[start..i + c.len_utf8()]);
                start = chars[j].0;
                k = j;
                continue;
            }
        }
        k += 1;
    }
    out.push(&text[start..]);
    out.retain(|s| !s.trim().is_empty());
    out
}

fn normalise_url(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let rest = rest.split(['#', '?']).next().unwrap_or_default();
    rest.trim_end_matches('/').to_string()
}

/// Grades one answer against its case.
pub fn score(case: &AnswerCase, answer: &Answer) -> CaseScore {
    let statements: Vec<_> = answer
        .statements()
        .filter(|s| !s.text.trim().is_empty())
        .collect();
    let covered = case
        .key_points
        .iter()
        .map(|kp| statements.iter().any(|s| kp.matches(&s.text)))
        .collect();
    let mut violations = Vec::new();
    for mn in &case.must_not {
        for s in &statements {
            for sentence in split_sentences(&s.text) {
                if mn.any.iter().any(|p| p.is_match(sentence).unwrap_or(false)) {
                    violations.push((mn.point.clone(), sentence.to_string()));
                }
            }
        }
    }
    let expected: HashSet<String> = case
        .expected_sources
        .iter()
        .map(|u| normalise_url(u))
        .collect();
    let source_hit = (!expected.is_empty()).then(|| {
        answer
            .references
            .iter()
            .filter_map(|r| r.url.as_deref())
            .any(|u| expected.contains(&normalise_url(u)))
    });
    let (mut cited, mut supported) = (0, 0);
    for s in &statements {
        let references: Vec<_> = s
            .citations
            .iter()
            .filter_map(|n| answer.references.iter().find(|r| r.n == *n))
            .collect();
        if references.is_empty() {
            continue;
        }
        cited += 1;
        let evidence: Vec<&str> = references
            .iter()
            .flat_map(|r| r.evidence.iter().map(|e| e.text.as_str()))
            .collect();
        let words = content_words(&s.text);
        let evidence_words = content_words(&evidence.join(" "));
        let shared = words.intersection(&evidence_words).count();
        if !words.is_empty() && shared as f64 / words.len() as f64 >= SUPPORT_SHARE {
            supported += 1;
        }
    }
    let bottom_line_ok = case.bottom_line.as_ref().map(|p| {
        if p.all.is_empty() {
            answer.evidence_status == EvidenceStatus::Insufficient
        } else {
            p.matches(&answer.bottom_line.text)
        }
    });
    CaseScore {
        id: case.id.clone(),
        covered,
        violations,
        source_hit,
        status_ok: case
            .expected_status
            .map(|expected| expected == answer.evidence_status),
        bottom_line_ok,
        statements: statements.len(),
        cited,
        supported,
        words: answer.word_count(),
    }
}

/// The figures of a set of graded answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub cases: usize,
    /// Mean recall over the cases with key points (`None`: no such case).
    pub keypoint_recall: Option<f64>,
    pub must_not_violations: usize,
    pub source_hit: Option<f64>,
    pub status_accuracy: Option<f64>,
    pub bottom_line: Option<f64>,
    pub cited: f64,
    pub supported: f64,
    pub words_p50: f64,
}

fn share(values: impl Iterator<Item = bool>) -> Option<f64> {
    let (n, yes) = values.fold((0usize, 0usize), |(n, y), v| (n + 1, y + usize::from(v)));
    (n > 0).then(|| yes as f64 / n as f64)
}

/// Median of `values` (`NaN` for none).
pub fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

pub fn summarise(scores: &[CaseScore]) -> Summary {
    let recalls: Vec<f64> = scores.iter().filter_map(CaseScore::recall).collect();
    let statements: usize = scores.iter().map(|s| s.statements).sum();
    let cited: usize = scores.iter().map(|s| s.cited).sum();
    let supported: usize = scores.iter().map(|s| s.supported).sum();
    Summary {
        cases: scores.len(),
        keypoint_recall: (!recalls.is_empty())
            .then(|| recalls.iter().sum::<f64>() / recalls.len() as f64),
        must_not_violations: scores.iter().map(|s| s.violations.len()).sum(),
        source_hit: share(scores.iter().filter_map(|s| s.source_hit)),
        status_accuracy: share(scores.iter().filter_map(|s| s.status_ok)),
        bottom_line: share(scores.iter().filter_map(|s| s.bottom_line_ok)),
        cited: if statements == 0 {
            0.0
        } else {
            cited as f64 / statements as f64
        },
        supported: if cited == 0 {
            0.0
        } else {
            supported as f64 / cited as f64
        },
        words_p50: median(scores.iter().map(|s| s.words as f64).collect()),
    }
}

#[cfg(test)]
mod tests;
