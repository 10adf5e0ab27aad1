//! End-to-end tests of `evident ask` on a small guideline corpus that the tests write: the answer contract, case consistency and honesty.

mod common;
use common::{evident, ok};

use serde_json::Value;
use std::path::{Path, PathBuf};

/// A guideline summary in the PDQ layout: sections, inline citations, a reference list.
const RECURRENCE: &str = "---\ntitle: Locally Recurrent Rectal Cancer\nsource: Test Oncology Group\nyear: 2024\nurl: https://example.org/rectal-recurrence\n---\n\
# Locally Recurrent Rectal Cancer\n\n\
## Diagnosis and restaging of recurrent rectal cancer\n\n\
After chemotherapy and radiation, a recurrence of invasive adenocarcinoma of the rectum, whether moderately or poorly differentiated, often shows as a new lesion in the presacral space. \
A suspected local recurrence of rectal cancer is confirmed histologically with an image-guided biopsy before treatment.[[1](#cit/section_1.1)] \
Pelvic MRI defines the extent of a presacral recurrence and is particularly helpful in judging sacral involvement.[[2](#cit/section_1.2)] \
Restaging with CT of the chest, abdomen and pelvis rules out distant metastatic disease before local salvage is planned.\n\n\
### References\n\n\
1. Doe A: Biopsy of pelvic recurrence. J Test Surg 1 (1): 1-5, 2010. [[PUBMED Abstract]](http://www.ncbi.nlm.nih.gov/entrez/query.fcgi?cmd=Retrieve&db=PubMed&list_uids=111&dopt=Abstract)\n\
2. Roe B: MRI of presacral recurrence. Radiology Test 2 (2): 10-20, 2012. [[PUBMED Abstract]](http://www.ncbi.nlm.nih.gov/entrez/query.fcgi?cmd=Retrieve&db=PubMed&list_uids=222&dopt=Abstract)\n\n\
## Treatment of locally recurrent rectal cancer\n\n\
For patients with locally recurrent rectal cancer, surgical resection with negative margins, if feasible, is the only potentially curative treatment. \
For patients who have not received prior pelvic radiation, preoperative chemoradiation for recurrent rectal cancer is recommended before resection. \
For previously irradiated patients with recurrent rectal cancer, intraoperative radiation therapy at resection may improve local control with acceptable morbidity.[[1](#cit/section_2.1)]\n\n\
### References\n\n\
1. Poe C: Intraoperative irradiation for locally recurrent rectal cancer in previously irradiated patients. Int J Test Radiat 3 (3): 30-40, 2015. [[PUBMED Abstract]](http://www.ncbi.nlm.nih.gov/entrez/query.fcgi?cmd=Retrieve&db=PubMed&list_uids=333&dopt=Abstract)\n";

const STATINS: &str = "---\ntitle: Statin therapy for secondary prevention\nsource: Test Cardiology Society\nyear: 2023\n---\n\
# Statin therapy for secondary prevention\n\n## Treatment\n\n\
High-intensity statin therapy is recommended for adults with clinical atherosclerotic cardiovascular disease. \
Ezetimibe is added when the LDL cholesterol stays above the goal on a maximally tolerated statin.\n";

const CANONICAL: &str = "What is the next step in management for a patient with a history of moderately differentiated invasive adenocarcinoma (rectal cancer) status post chemotherapy and radiation, with a new 1.2cm lesion in the presacral space concerning for recurrent disease?";

fn corpus_index(tmp: &Path) -> PathBuf {
    let docs = tmp.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("rectal-recurrence.md"), RECURRENCE).unwrap();
    std::fs::write(docs.join("statins.md"), STATINS).unwrap();
    let data = tmp.join("data");
    ok(&evident(&data, &["ingest", docs.to_str().unwrap()]));
    data
}

fn ask_json(data: &Path, extra: &[&str], question: &str) -> Value {
    let mut args = vec!["ask", "--format", "json"];
    args.extend_from_slice(extra);
    args.push("--");
    args.push(question);
    serde_json::from_str(&ok(&evident(data, &args))).expect("ask prints JSON")
}

fn statements(answer: &Value) -> Vec<(String, Vec<u64>)> {
    let mut out = Vec::new();
    let mut push = |s: &Value| {
        out.push((
            s["text"].as_str().unwrap().to_string(),
            s["citations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect(),
        ))
    };
    push(&answer["bottom_line"]);
    for section in answer["sections"].as_array().unwrap() {
        for item in section["items"].as_array().unwrap() {
            push(item);
        }
    }
    out
}

/// The contract lives beside the repository (`../shared/contracts`); without it the
/// structural checks below still run.
fn validate_against_contract(answer: &Value) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/contracts/answer.schema.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipping JSON Schema validation: {} is absent",
            path.display()
        );
        return;
    };
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the contract compiles");
    let errors: Vec<String> = validator
        .iter_errors(answer)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "answer breaks the contract: {errors:#?}");
}

#[test]
fn canonical_question_gets_a_cited_case_consistent_answer_that_meets_the_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let data = corpus_index(tmp.path());
    let a = ask_json(&data, &[], CANONICAL);
    validate_against_contract(&a);
    assert_eq!(a["schema"], "evident.answer/v1");
    assert_eq!(a["evidence_status"], "sufficient");
    assert_eq!(a["intent"], "next_step");
    let facts = a["facts"].as_array().unwrap();
    assert!(
        facts
            .iter()
            .any(|f| f["concept"] == "radiotherapy" && f["status"] == "present"),
        "{facts:#?}"
    );
    for key in ["analysis", "retrieval", "composition", "total"] {
        assert!(a["timing_ms"][key].as_f64().is_some(), "timing_ms.{key}");
    }
    let refs = a["references"].as_array().unwrap();
    let sts = statements(&a);
    for (text, cites) in &sts {
        assert!(!cites.is_empty(), "uncited: {text}");
        assert!(
            cites
                .iter()
                .all(|n| refs.iter().any(|r| r["n"].as_u64() == Some(*n)))
        );
        // Case consistency: the radiation-naive branch is never presented.
        assert!(
            !text.contains("not received prior pelvic radiation"),
            "{text}"
        );
    }
    let all: String = sts
        .iter()
        .map(|s| s.0.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(all.contains("intraoperative radiation"), "{all}");
    assert!(all.contains("Pelvic MRI"), "{all}");
    // The guideline reference carries its passages verbatim; its studies are second-hand.
    let guide = refs.iter().find(|r| r["kind"] == "guideline").unwrap();
    assert_eq!(guide["url"], "https://example.org/rectal-recurrence");
    assert!(guide["evidence"].as_array().unwrap().iter().all(|e| {
        RECURRENCE_PLAIN
            .iter()
            .any(|p| e["text"].as_str().unwrap().contains(p))
    }));
    assert!(
        refs.iter()
            .any(|r| r["pmid"] == "333" && r["evidence"].as_array().unwrap().is_empty())
    );
    // Nothing from the unrelated statin guideline.
    assert!(
        refs.iter()
            .all(|r| r["title"] != "Statin therapy for secondary prevention")
    );
    // --explain says why the naive branch was dropped.
    let out = ok(&evident(&data, &["ask", "--explain", CANONICAL]));
    assert!(
        out.contains("contradicts fact radiotherapy=present"),
        "{out}"
    );
}

/// Fragments of the corpus text as the reader keeps it (markers removed).
const RECURRENCE_PLAIN: [&str; 2] = [
    "image-guided biopsy",
    "surgical resection with negative margins",
];

#[test]
fn without_the_fact_the_conditional_branch_keeps_its_condition() {
    let tmp = tempfile::tempdir().unwrap();
    let data = corpus_index(tmp.path());
    let a = ask_json(
        &data,
        &[],
        "How is locally recurrent rectal cancer treated, and what is the role of preoperative chemoradiation?",
    );
    let all: Vec<String> = statements(&a).into_iter().map(|s| s.0).collect();
    assert!(
        all.iter()
            .any(|t| t.contains("who have not received prior pelvic radiation")),
        "{all:#?}"
    );
}

#[test]
fn out_of_scope_questions_are_insufficient_and_unpadded() {
    let tmp = tempfile::tempdir().unwrap();
    let data = corpus_index(tmp.path());
    for q in [
        "How is canine parvovirus treated in puppies?",
        "What is the best sourdough starter hydration for baking bread?",
    ] {
        let a = ask_json(&data, &[], q);
        validate_against_contract(&a);
        assert_eq!(a["evidence_status"], "insufficient", "{q}: {a:#}");
        assert!(a["sections"].as_array().unwrap().is_empty());
        assert!(a["references"].as_array().unwrap().is_empty());
        assert!(
            a["bottom_line"]["text"]
                .as_str()
                .unwrap()
                .contains("does not answer")
        );
    }
}

#[test]
fn patient_answers_are_plainer_with_the_same_citations() {
    let tmp = tempfile::tempdir().unwrap();
    let data = corpus_index(tmp.path());
    let physician = ask_json(&data, &[], CANONICAL);
    let patient = ask_json(&data, &["--audience", "patient"], CANONICAL);
    validate_against_contract(&patient);
    assert_eq!(patient["audience"], "patient");
    let p = statements(&patient);
    assert!(p.iter().all(|s| !s.1.is_empty()));
    assert_ne!(
        statements(&physician)
            .into_iter()
            .map(|s| s.0)
            .collect::<Vec<_>>(),
        p.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
        "patient wording should differ"
    );
}

#[test]
fn text_and_markdown_render_sections_references_and_the_disclaimer() {
    let tmp = tempfile::tempdir().unwrap();
    let data = corpus_index(tmp.path());
    let text = ok(&evident(&data, &["ask", CANONICAL]));
    for needle in [
        "BOTTOM LINE",
        "REFERENCES",
        "Guideline",
        "[1]",
        "not medical advice",
    ] {
        assert!(text.contains(needle), "text lacks {needle}:\n{text}");
    }
    let md = ok(&evident(&data, &["ask", "--format", "markdown", CANONICAL]));
    for needle in [
        "**Bottom line.**",
        "## References",
        "### Guideline",
        "(#ref-1)",
        "https://example.org/rectal-recurrence",
    ] {
        assert!(md.contains(needle), "markdown lacks {needle}:\n{md}");
    }
}

#[test]
fn bad_input_gets_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let data = corpus_index(tmp.path());
    let out = evident(&data, &["ask", "   "]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the question is empty"));
    let out = evident(&data, &["ask", "--audience", "surgeon", "next step?"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown audience"));
}

#[test]
fn a_fresh_data_directory_answers_from_the_starter_knowledge_base() {
    let tmp = tempfile::tempdir().unwrap();
    let a = ask_json(
        &tmp.path().join("fresh"),
        &[],
        "Which anticoagulant is preferred for stroke prevention in atrial fibrillation?",
    );
    validate_against_contract(&a);
    assert_ne!(a["evidence_status"], "insufficient", "{a:#}");
    assert!(!a["references"].as_array().unwrap().is_empty());
}

#[test]
fn eval_answers_reports_timing_status_and_reading_grade() {
    let tmp = tempfile::tempdir().unwrap();
    let data = corpus_index(tmp.path());
    let cases = tmp.path().join("cases.jsonl");
    let lines = [
        serde_json::json!({"id": "canonical", "question": CANONICAL, "audience": "physician",
            "expected_status": "sufficient",
            "key_points": [{"point": "resection", "all": ["(?i)resection", "(?i)curative"]},
                           {"point": "not in the corpus", "all": ["(?i)hyperbaric oxygen"]}],
            "must_not": [{"point": "radiation-naive branch", "any": ["(?i)^for patients who have not received prior"]}]}),
        serde_json::json!({"id": "lay", "question": CANONICAL, "audience": "patient"}),
        serde_json::json!({"id": "vet", "question": "How is canine parvovirus treated in puppies?"}),
    ];
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&cases, text.join("\n")).unwrap();
    let out = ok(&evident(
        &data,
        &["eval", "answers", "--cases", cases.to_str().unwrap()],
    ));
    for needle in [
        "canonical",
        "lay",
        "timing_ms median (in one process): analysis",
        "evidence sufficient 2, limited 0, insufficient 1",
        "Flesch-Kincaid grade median: patient",
        // One of two key points, no violation (the branch is dropped), status as expected.
        "summary: cases=3 keypoint_recall=0.500 must_not_violations=0 status_accuracy=1.000",
    ] {
        assert!(out.contains(needle), "missing {needle}:\n{out}");
    }
    // A malformed case file is named with its line.
    std::fs::write(&cases, "{\"id\": \"x\"}\n").unwrap();
    let bad = evident(
        &data,
        &["eval", "answers", "--cases", cases.to_str().unwrap()],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("line 1"));
}
