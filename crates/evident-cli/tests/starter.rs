//! The built-in starter knowledge base, end to end on a fresh data directory: questions across its topics, questions it does not cover, and the canonical rectal recurrence case.

mod common;
use common::{evident, ok};

use serde_json::Value;
use std::path::Path;

fn ask(data: &Path, question: &str) -> Value {
    serde_json::from_str(&ok(&evident(
        data,
        &["ask", "--format", "json", "--", question],
    )))
    .expect("ask prints JSON")
}

fn statements(answer: &Value) -> Vec<String> {
    let mut out = vec![answer["bottom_line"]["text"].as_str().unwrap().to_string()];
    for section in answer["sections"].as_array().unwrap() {
        for item in section["items"].as_array().unwrap() {
            out.push(item["text"].as_str().unwrap().to_string());
        }
    }
    out
}

/// 25 questions worded differently from their documents and 5 that the base does not
/// cover (`tests/fixtures/starter-questions.jsonl`).
#[test]
fn questions_across_topics_cite_the_right_document_and_others_are_insufficient() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let cases = include_str!("fixtures/starter-questions.jsonl");
    let (mut covered, mut uncovered) = (0, 0);
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let q = case["question"].as_str().unwrap();
        let a = ask(&data, q);
        if let Some(title) = case["expected_title_contains"].as_str() {
            covered += 1;
            assert_eq!(a["evidence_status"], "sufficient", "{q}");
            let refs = a["references"].as_array().unwrap();
            assert!(
                refs.iter()
                    .any(|r| r["title"].as_str().unwrap().contains(title)),
                "{q}: no reference titled like '{title}' in {:?}",
                refs.iter().map(|r| r["title"].clone()).collect::<Vec<_>>()
            );
        } else {
            uncovered += 1;
            assert_eq!(a["evidence_status"], "insufficient", "{q}: {a:#}");
            assert!(a["sections"].as_array().unwrap().is_empty(), "{q}");
            assert!(a["references"].as_array().unwrap().is_empty(), "{q}");
        }
    }
    assert_eq!((covered, uncovered), (25, 5));
}

#[test]
fn canonical_case_from_the_starter_base_is_case_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let a = ask(
        &tmp.path().join("data"),
        "What is the next step in management for a patient with a history of moderately differentiated invasive adenocarcinoma (rectal cancer) status post chemotherapy and radiation, with a new 1.2cm lesion in the presacral space concerning for recurrent disease?",
    );
    assert_eq!(a["evidence_status"], "sufficient", "{a:#}");
    assert!(a["references"].as_array().unwrap().iter().any(|r| {
        r["title"]
            .as_str()
            .unwrap()
            .contains("local recurrence of rectal cancer")
    }));
    // Histological confirmation, restaging, the tumour board and the options for an
    // irradiated pelvis ...
    let all = statements(&a).join("\n");
    for needle in [
        "biopsy",
        "restage",
        "chest, abdomen and pelvis",
        "CEA",
        "multidisciplinary",
        "MRI",
        "R0",
        "PET/CT",
        "re-irradiation",
        "intraoperative radiotherapy",
        "systemic therapy",
    ] {
        assert!(all.contains(needle), "missing {needle}:\n{all}");
    }
    assert!(all.contains("Applies to this patient"), "{all}");
    // ... and the branch for patients without prior radiotherapy is never presented.
    for s in statements(&a) {
        let lower = s.to_lowercase();
        assert!(
            !(lower.contains("not received prior pelvic radiotherapy")
                || lower.contains("radiation-naive")
                || lower.contains("radiotherapy-naive")),
            "naive branch presented: {s}"
        );
    }
}
