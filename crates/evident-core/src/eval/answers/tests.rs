//! Tests of answer grading: bank parsing errors, key points, must-nots with look-around, status and bottom line.

use super::*;
use crate::answer::{
    AnswerSection, Audience, CorpusInfo, EvidencePassage, Reference, SectionKind, Statement,
};
use crate::document::EvidenceKind;
use crate::question::Intent;

fn answer(status: EvidenceStatus, bottom: &str, items: &[&str], evidence: &str) -> Answer {
    let cite = |text: &str| Statement {
        text: text.to_string(),
        citations: vec![1],
    };
    Answer {
        schema: "evident.answer/v1".into(),
        question: "q".into(),
        audience: Audience::Physician,
        intent: Intent::Treatment,
        facts: Vec::new(),
        evidence_status: status,
        bottom_line: cite(bottom),
        sections: vec![AnswerSection {
            title: "Treatment".into(),
            kind: SectionKind::Treatment,
            items: items.iter().map(|t| cite(t)).collect(),
        }],
        references: vec![Reference {
            n: 1,
            kind: EvidenceKind::Guideline,
            title: "Guide".into(),
            source: None,
            year: None,
            url: Some("https://example.org/guide/".into()),
            pmid: None,
            doc_id: None,
            evidence: vec![EvidencePassage {
                passage_id: "p1".into(),
                section: None,
                text: evidence.into(),
            }],
        }],
        disclaimer: "d".into(),
        corpus: CorpusInfo::default(),
        timing_ms: Default::default(),
    }
}

const CASE: &str = r#"{"id": "c1", "question": "Next step?", "corpus": "starter", "expected_sources": ["http://EXAMPLE.org/guide#x"], "expected_status": "sufficient", "key_points": [{"point": "resect", "all": ["(?i)resect", "(?i)curative"]}, {"point": "mri", "all": ["(?i)\\bMRI\\b"]}], "must_not": [{"point": "radiation-naive branch", "any": ["(?i)^(?!.*\\bnot\\b).*neoadjuvant chemoradiation"]}], "bottom_line": {"point": "names resection", "all": ["(?i)resect"]}}"#;

#[test]
fn a_case_is_graded_point_by_point() {
    let cases = parse_cases("bank", CASE).unwrap();
    let ans = answer(
        EvidenceStatus::Sufficient,
        "Resection is the only curative option for a local recurrence.",
        &[
            "Neoadjuvant chemoradiation is not given again. Offer neoadjuvant chemoradiation first.",
            "Imaging helps.",
        ],
        "Resection is the only curative option for a local recurrence. Neoadjuvant chemoradiation is offered first.",
    );
    let s = score(&cases[0], &ans);
    assert_eq!(s.covered, vec![true, false]);
    assert_eq!(s.recall(), Some(0.5));
    // The negated sentence passes the look-ahead; the other violates.
    assert_eq!(s.violations.len(), 1);
    assert_eq!(s.violations[0].1, "Offer neoadjuvant chemoradiation first.");
    assert_eq!(s.source_hit, Some(true));
    assert_eq!(s.status_ok, Some(true));
    assert_eq!(s.bottom_line_ok, Some(true));
    assert_eq!((s.statements, s.cited), (3, 3));
    // "Imaging helps." shares no content word with the evidence.
    assert_eq!(s.supported, 2);
}

#[test]
fn wrong_status_and_bottom_line_are_counted() {
    let cases = parse_cases("bank", CASE).unwrap();
    let ans = answer(EvidenceStatus::Limited, "MRI first.", &[], "MRI first.");
    let s = score(&cases[0], &ans);
    assert_eq!(s.status_ok, Some(false));
    assert_eq!(s.bottom_line_ok, Some(false));
    let summary = summarise(&[s]);
    assert_eq!(summary.keypoint_recall, Some(0.5));
    assert_eq!(summary.status_accuracy, Some(0.0));
}

#[test]
fn an_unanswerable_case_needs_an_insufficient_answer_and_has_no_recall() {
    let line = r#"{"id": "u", "question": "Timing belt?", "expected_status": "insufficient", "key_points": [], "bottom_line": {"point": "says so", "all": []}}"#;
    let cases = parse_cases("bank", line).unwrap();
    let s = score(
        &cases[0],
        &answer(EvidenceStatus::Insufficient, "No answer.", &[], ""),
    );
    assert_eq!(s.recall(), None);
    assert_eq!(s.bottom_line_ok, Some(true));
    assert_eq!(summarise(&[s]).keypoint_recall, None);
}

#[test]
fn bank_errors_name_the_line() {
    let bad_pattern = format!(
        "\n{}",
        r#"{"id": "x", "question": "q", "key_points": [{"point": "p", "all": ["(unclosed"]}]}"#
    );
    let err = parse_cases("bank.jsonl", &bad_pattern)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bank.jsonl") && err.contains("line 2"),
        "{err}"
    );
    let dup = format!("{CASE}\n{CASE}");
    let err = parse_cases("bank.jsonl", &dup).unwrap_err().to_string();
    assert!(err.contains("duplicate case id"), "{err}");
    let err = parse_cases("bank.jsonl", "{nope").unwrap_err().to_string();
    assert!(err.contains("line 1: not a case"), "{err}");
}

#[test]
fn sentences_split_before_capitals_and_brackets_only() {
    assert_eq!(
        split_sentences("Give 2.5 mg daily. Then stop. (See below.) e.g. this stays."),
        vec![
            "Give 2.5 mg daily.",
            "Then stop.",
            "(See below.) e.g. this stays."
        ]
    );
    assert_eq!(split_sentences("É. Ü"), vec!["É. Ü"]);
}

#[test]
fn content_words_match_the_python_scorer() {
    let words = content_words("The anti-PD-1 dose was 200 mg, given every 3 weeks.");
    let mut words: Vec<_> = words.into_iter().collect();
    words.sort();
    assert_eq!(words, vec!["anti-pd-1", "dose", "every", "given", "weeks"]);
}
