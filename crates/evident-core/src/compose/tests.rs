//! Composition over a small hand-written corpus: structure, citations, case consistency and honesty.

use super::*;
use crate::answer::Audience;
use crate::document::{DocId, PassageId};
use crate::question::{FactStatus, Intent, PatientFact};

mod population;

fn cand(doc: &str, ordinal: u32, section: &[&str], text: &str) -> Candidate {
    Candidate {
        passage: Passage {
            id: PassageId {
                doc: DocId::new(doc),
                ordinal,
            },
            section_path: section.iter().map(|s| s.to_string()).collect(),
            text: text.to_string(),
            citations: vec![],
            evidence_levels: vec![],
        },
        title: format!("{doc} guideline"),
        kind: EvidenceKind::Guideline,
        source: Some("Test Society".into()),
        year: Some(2024),
        url: Some(format!("https://example.org/{doc}")),
        studies: vec![],
    }
}

fn corpus() -> Vec<Candidate> {
    vec![
        cand(
            "rectal",
            0,
            &["Recurrent rectal cancer", "Surgery"],
            "For patients with locally recurrent rectal cancer, surgical resection with negative margins is the only potentially curative treatment. Pelvic MRI is useful to define the extent of local recurrence and sacral involvement.",
        ),
        cand(
            "rectal",
            1,
            &["Recurrent rectal cancer", "Radiation"],
            "For patients who have not received prior radiation, preoperative chemoradiation for recurrent rectal cancer is recommended before resection. For previously irradiated patients with recurrent rectal cancer, intraoperative radiation therapy at resection may improve local control.",
        ),
        cand(
            "rectal",
            2,
            &["Recurrent rectal cancer", "Workup"],
            "Restaging of recurrent rectal cancer with CT of the chest, abdomen and pelvis excludes distant metastatic disease before local salvage. A biopsy confirms the recurrence histologically before treatment of recurrent rectal cancer begins.",
        ),
        cand(
            "lipids",
            0,
            &["Statins"],
            "High-intensity statin therapy is recommended for adults with clinical atherosclerotic cardiovascular disease.",
        ),
    ]
}

fn question(text: &str, intent: Intent, facts: Vec<PatientFact>) -> Question {
    let lex = Lexicon::builtin();
    let mut q = crate::question::analyze(text, lex);
    q.intent = intent;
    q.facts = facts;
    q
}

/// The bottom line and every section item, in reading order.
fn statement_texts(c: &Composition) -> Vec<&str> {
    std::iter::once(&c.answer.bottom_line)
        .chain(c.answer.sections.iter().flat_map(|s| s.items.iter()))
        .map(|s| s.text.as_str())
        .collect()
}

/// `compose` with the built-in lexicon and the defaults for `audience`.
fn answer(q: &Question, docs: &[Candidate], audience: Audience) -> Composition {
    compose(
        q,
        docs,
        Lexicon::builtin(),
        &ComposeOptions::for_audience(audience),
    )
}

fn radiotherapy_given() -> PatientFact {
    PatientFact {
        concept: "radiotherapy".into(),
        status: FactStatus::Present,
        value: None,
        text: "status post chemotherapy and radiation".into(),
    }
}

#[test]
fn answer_has_a_cited_bottom_line_sections_and_numbered_references() {
    let q = question(
        "Next step for recurrent rectal cancer in the pelvis after prior radiation?",
        Intent::NextStep,
        vec![radiotherapy_given()],
    );
    let c = compose(
        &q,
        &corpus(),
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    let a = &c.answer;
    assert_eq!(
        a.evidence_status,
        EvidenceStatus::Sufficient,
        "{:?}",
        c.coverage
    );
    assert!(!a.bottom_line.citations.is_empty());
    assert!(!a.sections.is_empty() && a.sections.len() <= 5);
    for s in &a.sections {
        assert!((1..=5).contains(&s.items.len()));
    }
    // Every statement cites, every citation resolves, references are numbered 1..n in order of first use.
    let mut first_use = Vec::new();
    for s in a.statements() {
        assert!(!s.citations.is_empty(), "uncited: {}", s.text);
        for n in &s.citations {
            assert!(a.references.iter().any(|r| r.n == *n));
            if !first_use.contains(n) {
                first_use.push(*n);
            }
        }
    }
    let numbers: Vec<u32> = a.references.iter().map(|r| r.n).collect();
    assert_eq!(first_use, numbers);
    assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());
    // The off-topic lipid guideline is not cited; evidence passages are verbatim.
    assert!(
        a.references
            .iter()
            .all(|r| r.doc_id.as_deref() == Some("rectal"))
    );
    let corpus = corpus();
    for r in &a.references {
        for e in &r.evidence {
            assert!(corpus.iter().any(|c| c.passage.text == e.text));
        }
    }
    assert!(a.word_count() <= 350);
    assert_eq!(a.disclaimer, DISCLAIMER);
}

#[test]
fn a_branch_the_facts_rule_out_is_never_presented() {
    let q = question(
        "Next step for recurrent rectal cancer after chemoradiation?",
        Intent::NextStep,
        vec![
            radiotherapy_given(),
            PatientFact {
                concept: "recurrence".into(),
                status: FactStatus::Present,
                value: None,
                text: "recurrent".into(),
            },
        ],
    );
    let c = compose(
        &q,
        &corpus(),
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    for s in c.answer.statements() {
        assert!(
            !s.text.contains("have not received prior radiation"),
            "{}",
            s.text
        );
    }
    assert!(
        c.decisions
            .iter()
            .any(|d| !d.kept && d.reason.contains("contradicts fact radiotherapy")),
        "{:#?}",
        c.decisions
    );
    // The branch for previously irradiated patients is kept and says why it applies.
    assert!(
        c.answer
            .statements()
            .any(|s| s.text.contains("intraoperative radiation")
                && s.text.starts_with("Applies to this patient")),
        "{:#?}",
        c.answer
    );
}

#[test]
fn without_the_fact_both_branches_keep_their_conditions() {
    let q = question(
        "Treatment of recurrent rectal cancer with radiation?",
        Intent::Treatment,
        vec![],
    );
    let c = compose(
        &q,
        &corpus(),
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    let all: Vec<&str> = c.answer.statements().map(|s| s.text.as_str()).collect();
    assert!(
        all.iter()
            .any(|t| t.contains("who have not received prior radiation")),
        "{all:#?}"
    );
}

#[test]
fn an_out_of_scope_question_is_insufficient_and_unpadded() {
    let q = question(
        "How is parvovirus treated in puppies and kittens?",
        Intent::Treatment,
        vec![],
    );
    let c = compose(
        &q,
        &corpus(),
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    assert_eq!(c.answer.evidence_status, EvidenceStatus::Insufficient);
    assert!(c.answer.sections.is_empty());
    assert!(c.answer.references.is_empty());
    assert!(c.answer.bottom_line.text.contains("does not answer"));
    assert!(c.answer.bottom_line.text.contains("rectal guideline"));
}

#[test]
fn no_candidates_is_insufficient() {
    let q = question(
        "What is the next step for recurrent rectal cancer?",
        Intent::NextStep,
        vec![],
    );
    let c = compose(
        &q,
        &[],
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    assert_eq!(c.answer.evidence_status, EvidenceStatus::Insufficient);
}

#[test]
fn studies_cited_by_a_sentence_become_second_hand_references() {
    let mut corpus = corpus();
    let text = corpus[1].passage.text.clone();
    corpus[1].passage.citations = vec![crate::document::Mark {
        offset: text.len(),
        value: "s11".into(),
    }];
    corpus[1].studies = vec![CitedStudy {
        key: "s11".into(),
        number: 11,
        text: "Smith J: Intraoperative irradiation for locally recurrent colorectal cancer. J Clin 49: 1-10, 2001.".into(),
        pmid: Some("11286833".into()),
    }];
    let q = question(
        "Next step for recurrent rectal cancer after prior radiation?",
        Intent::NextStep,
        vec![radiotherapy_given()],
    );
    let c = compose(
        &q,
        &corpus,
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    let study = c
        .answer
        .references
        .iter()
        .find(|r| r.pmid.as_deref() == Some("11286833"))
        .expect("study listed");
    assert!(study.evidence.is_empty());
    assert_eq!(study.year, Some(2001));
    assert_eq!(
        study.url.as_deref(),
        Some("https://pubmed.ncbi.nlm.nih.gov/11286833/")
    );
    let citing = c
        .answer
        .statements()
        .find(|s| s.citations.contains(&study.n))
        .expect("a statement cites it");
    assert!(citing.text.contains("intraoperative"));
}

#[test]
fn a_list_lead_in_conditions_its_items() {
    // A lead-in too long to join: its items stand alone but keep its condition.
    let text = "In patients who have not received prior pelvic radiotherapy, the recommended approach for a resectable recurrence of rectal cancer is as set out here in order:\n- Chemoradiation with a fluoropyrimidine is given first for the recurrent rectal cancer.\n- Surgical resection of the recurrent rectal cancer follows where feasible, aiming for clear margins.\n- Intraoperative radiotherapy may be added for the recurrent rectal cancer where it is available.";
    let corpus = vec![cand("rectal", 0, &["Recurrent rectal cancer"], text)];
    let q = question(
        "Treatment of recurrent rectal cancer after prior radiation?",
        Intent::Treatment,
        vec![radiotherapy_given()],
    );
    let c = compose(
        &q,
        &corpus,
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    for s in c.answer.statements() {
        assert!(
            !s.text.contains("Chemoradiation with a fluoropyrimidine"),
            "{}",
            s.text
        );
    }
    assert!(
        c.decisions
            .iter()
            .any(|d| d.text.contains("Chemoradiation with a fluoropyrimidine") && !d.kept)
    );
}

#[test]
fn a_heading_written_for_the_patients_population_ranks_its_statements_first() {
    // Two statements with the same words; one sits under a heading for HER2-positive
    // disease, which the case's facts meet, the other under a heading for any patient.
    let corpus = vec![
        cand(
            "breast",
            0,
            &["Adjuvant targeted therapy for breast cancer with residual disease"],
            "Adjuvant targeted therapy after surgery lowers the risk of recurrence in early breast cancer with residual disease.",
        ),
        cand(
            "breast",
            1,
            &["Adjuvant targeted therapy for HER2-positive breast cancer"],
            "Adjuvant targeted therapy after surgery reduces the risk of recurrence in early breast cancer with residual disease.",
        ),
    ];
    let q = question(
        "Woman with HER2-positive breast cancer and residual disease after surgery: which adjuvant targeted therapy?",
        Intent::Treatment,
        vec![PatientFact {
            concept: "her2".into(),
            status: FactStatus::Present,
            value: None,
            text: "HER2-positive".into(),
        }],
    );
    let c = compose(
        &q,
        &corpus,
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    assert!(
        c.answer.bottom_line.text.contains("reduces"),
        "bottom line: {}",
        c.answer.bottom_line.text
    );
}

#[test]
fn surgical_results_are_not_offered_to_an_inoperable_patient() {
    let corpus = vec![
        cand(
            "lung",
            0,
            &["Stage I NSCLC", "Surgery"],
            "Overall survival was similar after lobectomy and sublobar resection for small peripheral lung cancers.",
        ),
        cand(
            "lung",
            1,
            &["Stage I NSCLC", "Radiation therapy"],
            "Stereotactic body radiation therapy gives high local control for small lung cancers in patients who cannot have surgery.",
        ),
    ];
    let q = question(
        "Medically inoperable man with a small stage I lung cancer: treatment and survival?",
        Intent::Treatment,
        crate::question::analyze("medically inoperable", Lexicon::builtin()).facts,
    );
    let c = compose(
        &q,
        &corpus,
        Lexicon::builtin(),
        &ComposeOptions::for_audience(Audience::Physician),
    );
    let texts: Vec<&str> = std::iter::once(c.answer.bottom_line.text.as_str())
        .chain(
            c.answer
                .sections
                .iter()
                .flat_map(|s| s.items.iter().map(|i| i.text.as_str())),
        )
        .collect();
    assert!(texts.iter().all(|t| !t.contains("lobectomy")), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("Stereotactic")),
        "{texts:?}"
    );
    assert!(
        c.decisions
            .iter()
            .any(|d| !d.kept && d.reason.contains("about surgery")),
        "the drop is explained"
    );
}

#[test]
fn a_patient_answer_keeps_to_the_budget_in_the_words_the_patient_reads() {
    let q = question(
        "What is the next step for recurrent rectal cancer after prior radiation?",
        Intent::NextStep,
        vec![radiotherapy_given()],
    );
    let options = ComposeOptions {
        max_words: 30,
        ..ComposeOptions::for_audience(Audience::Patient)
    };
    let answer = compose(&q, &corpus(), Lexicon::builtin(), &options).answer;
    let words: usize = std::iter::once(&answer.bottom_line)
        .chain(answer.sections.iter().flat_map(|s| &s.items))
        .map(|s| s.text.split_whitespace().count())
        .sum();
    // Plain wording adds words ("MRI (a scan that uses a strong magnet and radio waves)").
    assert!(words > 0 && words <= 30, "{words} words: {answer:#?}");
}

#[test]
fn a_statement_that_points_back_is_kept_after_the_one_it_points_to() {
    // The second sentence's "these tests" means the scans of the first: right after it,
    // it reads well and loses its penalty.
    let corpus = vec![
        cand(
            "breast",
            0,
            &["Follow-up after treatment"],
            "Periodic bone scans and liver imaging do not improve survival in follow-up after breast cancer. Even when these tests detect recurrence earlier in follow-up, survival is unaffected.",
        ),
        cand(
            "breast",
            1,
            &["Follow-up after treatment"],
            "Routine imaging in follow-up is common after breast cancer.",
        ),
    ];
    let q = question(
        "Do routine bone scans and liver imaging improve survival in breast cancer follow-up?",
        Intent::FollowUp,
        vec![],
    );
    // Room for two statements.
    let options = ComposeOptions {
        max_words: 32,
        ..ComposeOptions::for_audience(Audience::Physician)
    };
    let c = compose(&q, &corpus, Lexicon::builtin(), &options);
    let texts = statement_texts(&c);
    assert!(
        texts.iter().any(|t| t.starts_with("Periodic bone scans")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("Even when these tests")),
        "{texts:?}"
    );
}

#[test]
fn a_treatment_the_patient_has_finished_is_not_offered_again() {
    let corpus = vec![
        cand(
            "sclc",
            0,
            &["Limited-stage small cell lung cancer", "Thoracic radiation"],
            "Twice-daily thoracic radiation therapy to 45 Gy improved survival in limited-stage small cell lung cancer compared with once-daily radiation therapy.",
        ),
        cand(
            "sclc",
            1,
            &[
                "Limited-stage small cell lung cancer",
                "Cranial irradiation",
            ],
            "Prophylactic cranial irradiation improved survival in limited-stage small cell lung cancer for patients who responded to initial treatment.",
        ),
    ];
    let lex = Lexicon::builtin();
    // The score of the thoracic radiation statement minus that of the cranial one.
    let gap = |text: &str| {
        let q = crate::question::analyze(text, lex);
        let c = compose(
            &q,
            &corpus,
            lex,
            &ComposeOptions::for_audience(Audience::Physician),
        );
        let score = |needle: &str| {
            c.decisions
                .iter()
                .find(|d| d.text.contains(needle))
                .map(|d| d.score)
                .expect("considered")
        };
        score("Twice-daily") - score("Prophylactic")
    };
    let finished = gap(
        "Limited-stage small cell lung cancer; she completed thoracic radiation therapy. What further treatment is indicated?",
    );
    let planned = gap(
        "Limited-stage small cell lung cancer; she is about to start thoracic radiation therapy. What further treatment is indicated?",
    );
    assert!(
        finished < planned - 0.05,
        "finished {finished} planned {planned}"
    );
}

#[test]
fn dosing_table_rows_speak_only_to_dosing_questions() {
    let corpus = vec![cand(
        "cinv",
        0,
        &["Antiemetics", "Doses"],
        "Olanzapine is recommended with other antiemetics before highly emetogenic chemotherapy.\nAtypical antipsychotics | Olanzapine | 10 mg PO daily on days 1 to 4 before highly emetogenic chemotherapy | PO | Consider giving at bedtime due to sedation | []\n",
    )];
    let lex = Lexicon::builtin();
    let rows_in = |intent: Intent| {
        let q = question(
            "Olanzapine before highly emetogenic chemotherapy: what dose?",
            intent,
            vec![],
        );
        let c = compose(
            &q,
            &corpus,
            lex,
            &ComposeOptions::for_audience(Audience::Pharmacist),
        );
        std::iter::once(&c.answer.bottom_line)
            .chain(c.answer.sections.iter().flat_map(|s| s.items.iter()))
            .filter(|s| s.text.starts_with("Olanzapine: 10 mg"))
            .count()
    };
    assert_eq!(rows_in(Intent::Dosing), 1);
    assert_eq!(rows_in(Intent::Treatment), 0);
}
