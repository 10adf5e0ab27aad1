//! Tests of question analysis: expansion, intent, facts and concepts.

use super::*;

const CANONICAL: &str = "What is the next step in management for a patient with a history of \
    moderately differentiated invasive adenocarcinoma (rectal cancer) status post chemotherapy \
    and radiation, with a new 1.2cm lesion in the presacral space concerning for recurrent \
    disease?";

mod intents;

fn run(q: &str) -> Question {
    analyze(q, Lexicon::builtin())
}

fn status_of(q: &Question, concept: &str) -> Vec<FactStatus> {
    q.facts
        .iter()
        .filter(|f| f.concept == concept)
        .map(|f| f.status)
        .collect()
}

fn value_of(q: &Question, concept: &str) -> Option<FactValue> {
    q.facts
        .iter()
        .find(|f| f.concept == concept && f.status == FactStatus::Value)
        .and_then(|f| f.value.clone())
}

fn num(n: f64) -> Option<FactValue> {
    Some(FactValue::Number(n))
}

fn txt(s: &str) -> Option<FactValue> {
    Some(FactValue::Text(s.to_string()))
}

/// Facts are substrings of the question and never repeat a concept and status.
fn check_invariants(q: &Question) {
    for (i, f) in q.facts.iter().enumerate() {
        assert!(
            q.text.contains(&f.text),
            "fact text «{}» not in «{}»",
            f.text,
            q.text
        );
        assert!(!f.text.is_empty());
        assert!(
            !q.facts[..i]
                .iter()
                .any(|g| g.concept == f.concept && g.status == f.status),
            "duplicate fact {} {:?} in {:?}",
            f.concept,
            f.status,
            q.facts
        );
        assert_eq!(f.status == FactStatus::Value, f.value.is_some());
    }
}

#[test]
fn canonical_rectal_question() {
    let q = run(CANONICAL);
    check_invariants(&q);
    assert_eq!(q.intent, Intent::NextStep);
    assert_eq!(status_of(&q, "radiotherapy"), [FactStatus::Present]);
    assert_eq!(status_of(&q, "chemotherapy"), [FactStatus::Present]);
    assert_eq!(status_of(&q, "chemoradiation"), [FactStatus::Present]);
    assert_eq!(status_of(&q, "recurrence"), [FactStatus::Present]);
    assert_eq!(status_of(&q, "rectal_cancer"), [FactStatus::Present]);
    assert_eq!(value_of(&q, "size"), txt("1.2 cm"));
    let radio = q
        .facts
        .iter()
        .find(|f| f.concept == "radiotherapy")
        .unwrap();
    assert_eq!(radio.text, "status post chemotherapy and radiation");
    assert_eq!(
        q.concepts,
        ["rectal_cancer", "chemoradiation", "presacral", "recurrence"]
    );
    assert!(q.search_query.starts_with(&q.expanded));
    assert!(q.search_query.contains("chemoradiotherapy"));
}

#[test]
fn shorthand_note_with_age_sex_and_negated_surgery() {
    let q = run("62M s/p CRT, no prior surgery");
    check_invariants(&q);
    assert_eq!(value_of(&q, "age"), num(62.0));
    assert_eq!(value_of(&q, "sex"), txt("male"));
    for c in ["chemoradiation", "radiotherapy", "chemotherapy"] {
        assert_eq!(status_of(&q, c), [FactStatus::Present], "{c}");
    }
    assert_eq!(status_of(&q, "surgery"), [FactStatus::Absent]);
    let surgery = q.facts.iter().find(|f| f.concept == "surgery").unwrap();
    assert_eq!(surgery.text, "no prior surgery");
    assert_eq!(
        q.expanded,
        "62-year-old male status post CRT (chemoradiation), no prior surgery"
    );
}

#[test]
fn a_yes_no_question_about_a_treatment_states_nothing_about_it() {
    for question in [
        "A 60-year-old woman with ovarian cancer. Is olaparib given as maintenance?",
        "Has she received trastuzumab?",
        "Should docetaxel be added?",
    ] {
        let q = run(question);
        let drugs: Vec<_> = q
            .facts
            .iter()
            .filter(|f| ["olaparib", "trastuzumab", "docetaxel"].contains(&f.concept.as_str()))
            .collect();
        assert!(drugs.is_empty(), "«{question}»: {drugs:?}");
    }
    // First-line treatment of a relapse says nothing of earlier treatment.
    let q = run("What is the first-line treatment of relapsed myeloma?");
    assert!(status_of(&q, "prior_therapy").is_empty(), "{:?}", q.facts);
    // A history cue outside the asked clause still counts.
    let q = run("Is adjuvant therapy needed after FOLFOX?");
    assert_eq!(status_of(&q, "folfox"), [FactStatus::Present]);
}

#[test]
fn presence_and_absence_facts() {
    use FactStatus::{Absent, Present};
    let cases: &[(&str, &[(&str, FactStatus)])] = &[
        (
            "A 58-year-old radiation-naive man with rectal cancer",
            &[("radiotherapy", Absent), ("rectal_cancer", Present)],
        ),
        (
            "She has not received chemotherapy.",
            &[("chemotherapy", Absent)],
        ),
        ("He never smoked.", &[("smoker", Absent)]),
        // A treatment given together with another, a dose between them.
        (
            "He completed concurrent cisplatin-pemetrexed with 60 Gy thoracic radiation.",
            &[
                ("cisplatin", Present),
                ("pemetrexed", Present),
                ("thoracic_radiotherapy", Present),
                // ... and the classes a treatment given belongs to.
                ("radiotherapy", Present),
            ],
        ),
        ("She is on durvalumab.", &[("immunotherapy", Present)]),
        (
            "never-smoker with unresectable lung adenocarcinoma",
            &[("smoker", Absent), ("inoperable", Present)],
        ),
        ("Former smoker with 30 pack-years", &[("smoker", Present)]),
        (
            "HER2-positive, ER/PR-negative breast cancer",
            &[
                ("her2", Present),
                ("hormone_receptor_positive", Absent),
                ("estrogen_receptor", Absent),
                ("progesterone_receptor", Absent),
                ("breast_cancer", Present),
            ],
        ),
        (
            "ER-positive, HER2-negative disease",
            &[("estrogen_receptor", Present), ("her2", Absent)],
        ),
        ("a chemotherapy-naive woman", &[("chemotherapy", Absent)]),
        (
            "never treated with chemotherapy",
            &[("chemotherapy", Absent)],
        ),
        (
            "Denies prior radiation therapy.",
            &[("radiotherapy", Absent)],
        ),
        (
            "without prior pelvic irradiation",
            &[("radiotherapy", Absent)],
        ),
        ("previously irradiated pelvis", &[("radiotherapy", Present)]),
        (
            "history of prior pelvic radiation",
            &[("radiotherapy", Present)],
        ),
        (
            "recurrence in an irradiated pelvis",
            &[("radiotherapy", Present), ("recurrence", Present)],
        ),
        (
            "on an aromatase inhibitor for 3 years",
            &[
                ("aromatase_inhibitor", Present),
                ("endocrine_therapy", Present),
            ],
        ),
        ("has been taking tamoxifen", &[("tamoxifen", Present)]),
        (
            "after LAR for rectal cancer",
            &[("low_anterior_resection", Present), ("surgery", Present)],
        ),
        (
            "received FOLFOX",
            &[("folfox", Present), ("chemotherapy", Present)],
        ),
        (
            "completed 6 cycles of chemotherapy",
            &[("chemotherapy", Present)],
        ),
        (
            "chemotherapy completed in 2019",
            &[("chemotherapy", Present)],
        ),
        (
            "hormone-naive metastatic prostate cancer",
            &[("endocrine_therapy", Absent), ("metastases", Present)],
        ),
        (
            "treatment-naive patient",
            &[
                ("prior_therapy", Absent),
                ("chemotherapy", Absent),
                ("radiotherapy", Absent),
            ],
        ),
        ("no distant metastases", &[("metastases", Absent)]),
        (
            "new local recurrence",
            &[("local_recurrence", Present), ("recurrence", Present)],
        ),
        ("EGFR exon 19 deletion", &[("egfr_gene", Present)]),
        (
            "BRAF V600E mutant",
            &[("braf_v600e", Present), ("braf", Present)],
        ),
        (
            "dMMR/MSI-H tumor",
            &[("mismatch_repair_deficient", Present)],
        ),
        (
            "carrier of a BRCA1 mutation",
            &[("brca1", Present), ("brca", Present)],
        ),
        ("KRAS wild-type", &[("kras", Absent)]),
        ("ALK rearrangement", &[("alk", Present)]),
        ("PD-L1 TPS 80%", &[("pd_l1", Present)]),
        ("not pregnant", &[("pregnancy", Absent)]),
        ("pregnant at 20 weeks", &[("pregnancy", Present)]),
        ("at 28 weeks' gestation", &[("pregnancy", Present)]),
        (
            "No prior chemotherapy, radiation, or surgery",
            &[
                ("chemotherapy", Absent),
                ("radiotherapy", Absent),
                ("surgery", Absent),
            ],
        ),
        (
            "no prior radiation but has received chemotherapy",
            &[("radiotherapy", Absent), ("chemotherapy", Present)],
        ),
        (
            "has not received chemotherapy and radiation",
            &[
                ("chemoradiation", Absent),
                ("chemotherapy", Absent),
                ("radiotherapy", Absent),
            ],
        ),
        (
            "s/p LAR and adjuvant FOLFOX",
            &[("low_anterior_resection", Present), ("folfox", Present)],
        ),
        (
            "denies chest pain, s/p TACE",
            &[("chest_pain", Absent), ("tace", Present)],
        ),
        (
            "What is first-line therapy for metastatic lung cancer?",
            &[("prior_therapy", Absent), ("chemotherapy", Absent)],
        ),
        (
            "Starting first-line carboplatin for metastatic lung cancer.",
            &[("prior_therapy", Absent), ("chemotherapy", Present)],
        ),
        (
            "Progressed on first-line FOLFOX; what second-line therapy?",
            &[("prior_therapy", Present), ("folfox", Present)],
        ),
        (
            "She finished cisplatin and paclitaxel last month.",
            &[("cisplatin", Present), ("paclitaxel", Present)],
        ),
        (
            "castration-resistant disease previously treated with docetaxel",
            &[
                ("androgen_deprivation_therapy", Present),
                ("docetaxel", Present),
            ],
        ),
    ];
    for (question, expected) in cases {
        let q = run(question);
        check_invariants(&q);
        for (concept, status) in *expected {
            assert_eq!(
                status_of(&q, concept),
                [*status],
                "{concept} in «{question}»: {:?}",
                q.facts
            );
        }
    }
}

#[test]
fn mentions_that_are_not_facts() {
    let cases: &[(&str, &[&str])] = &[
        (
            "What adjuvant chemotherapy should she receive?",
            &["chemotherapy"],
        ),
        (
            "Should she get radiation or surgery?",
            &["radiotherapy", "surgery"],
        ),
        ("What is the risk of recurrence?", &["recurrence"]),
        (
            "Should a 50-year-old man be screened for colon cancer?",
            &["colon_cancer"],
        ),
        ("Is HER2 testing needed for gastric cancer?", &["her2"]),
        (
            "Her mother had breast cancer; family history of ovarian cancer.",
            &["breast_cancer", "ovarian_cancer"],
        ),
        (
            "What are the side effects of capecitabine?",
            &["capecitabine"],
        ),
        (
            "How is the overall survival after TNT?",
            &["overall_survival"],
        ),
        ("Chemotherapy is planned after surgery", &["chemotherapy"]),
        (
            "What does the evidence based on radiation trials show?",
            &["radiotherapy"],
        ),
    ];
    for (question, absent) in cases {
        let q = run(question);
        check_invariants(&q);
        for concept in *absent {
            assert!(
                status_of(&q, concept).is_empty(),
                "{concept} should not be a fact of «{question}»: {:?}",
                q.facts
            );
        }
    }
}

#[test]
fn value_facts() {
    let cases: &[(&str, &str, Option<FactValue>)] = &[
        ("a 56-year-old woman", "age", num(56.0)),
        ("a 56-year-old woman", "sex", txt("female")),
        ("I'm 64 and worried", "age", num(64.0)),
        ("73 yo on apixaban", "age", num(73.0)),
        ("45 F with dyspnea", "sex", txt("female")),
        ("45 F with dyspnea", "age", num(45.0)),
        ("He is 80 years old", "sex", txt("male")),
        ("He is 80 years old", "age", num(80.0)),
        (
            "her eGFR has fallen to 22 mL/min",
            "kidney_function",
            num(22.0),
        ),
        ("creatinine clearance of 25", "kidney_function", num(25.0)),
        ("CrCl <30", "kidney_function", num(30.0)),
        ("EGFR exon 19 deletion", "kidney_function", None),
        ("ECOG 1", "performance_status", num(1.0)),
        (
            "ECOG performance status of 2",
            "performance_status",
            num(2.0),
        ),
        ("PS 0", "performance_status", num(0.0)),
        ("Karnofsky 60%", "performance_status", num(2.0)),
        ("stage IIIB (T3N2)", "stage", txt("IIIB")),
        ("stage IIIB (T3N2)", "tnm", txt("T3N2")),
        ("stage 2A colon cancer", "stage", txt("IIA")),
        ("stage I disease", "stage", txt("I")),
        (
            "limited-stage small cell lung cancer",
            "stage",
            txt("limited"),
        ),
        ("extensive-stage SCLC", "stage", txt("extensive")),
        ("pT4a N1b colon cancer", "tnm", txt("pT4a N1b")),
        ("cT3 rectal cancer", "tnm", txt("cT3")),
        ("a T1c N0 M0 squamous cell carcinoma", "stage", txt("I")),
        ("pT2 N1 M1a colon cancer", "stage", txt("IV")),
        // Other groups depend on the cancer; prostate staging also on PSA and grade.
        ("pT4a N1b M0 colon cancer", "stage", None),
        ("cT1c N0 M0 prostate cancer", "stage", None),
        ("Gleason 3+4 prostate cancer", "gleason", num(7.0)),
        ("Gleason score 8", "gleason", num(8.0)),
        ("PSA of 12 ng/mL", "psa", num(12.0)),
        ("PSA 4.5", "psa", num(4.5)),
        ("PSA doubling time of 6 months", "psa", None),
        ("a 1.2cm lesion", "size", txt("1.2 cm")),
        ("a 5 mm nodule", "size", txt("5 mm")),
        ("pregnant at 20 weeks", "gestational_age", num(20.0)),
        ("HER-2 positive tumour", "sex", None),
    ];
    for (question, concept, expected) in cases {
        let q = run(question);
        check_invariants(&q);
        assert_eq!(
            value_of(&q, concept),
            *expected,
            "{concept} of «{question}»: {:?}",
            q.facts
        );
    }
}

#[test]
fn expansion_writes_out_shorthand_and_abbreviations() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "pt s/p LAR, h/o MI",
            &[
                "patient status post LAR (low anterior resection)",
                "history of MI (myocardial infarction)",
            ],
            &[],
        ),
        (
            "c/o pain w/ fever w/o chills",
            &["complains of pain with fever without chills"],
            &["c/o", "w/"],
        ),
        (
            "XRT then APR with TME; CEA rising",
            &[
                "XRT (radiotherapy)",
                "APR (abdominoperineal resection)",
                "TME (total mesorectal excision)",
                "CEA (carcinoembryonic antigen)",
            ],
            &[],
        ),
        ("ECOG 1, PS 1", &["ECOG (performance status)"], &[]),
        (
            "after surgery with therapy",
            &["after surgery with therapy"],
            &["status post"],
        ),
        (
            "low anterior resection (LAR)",
            &["low anterior resection (LAR)"],
            &["LAR (low"],
        ),
        ("45yo F", &["45 year old F"], &["45yo"]),
        (
            "HER2+ and ER/PR-negative",
            &["HER2+", "ER/PR-negative"],
            &["(hormone"],
        ),
        // A stage read from a TNM group is written out; a stated stage is not repeated.
        ("a T1c N0 M0 tumor", &["T1c N0 M0 (stage I)"], &[]),
        ("stage IA (T1c N0 M0) tumor", &["(T1c N0 M0)"], &["(stage"]),
    ];
    for (question, contains, lacks) in cases {
        let e = run(question).expanded;
        for c in *contains {
            assert!(e.contains(c), "«{e}» lacks «{c}»");
        }
        for l in *lacks {
            assert!(!e.contains(l), "«{e}» has «{l}»");
        }
    }
}

#[test]
fn concepts_are_ordered_deduplicated_and_skip_shorthand() {
    let q = run("s/p XRT for rectal cancer; radiotherapy again? h/o rectal carcinoma");
    assert_eq!(q.concepts, ["radiotherapy", "rectal_cancer"]);
    let empty = run("");
    assert!(empty.facts.is_empty() && empty.concepts.is_empty());
    assert_eq!(empty.intent, Intent::General);
}

#[test]
fn question_serializes_with_snake_case_intent_and_statuses() {
    let q = run("62M s/p CRT");
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["intent"], "general");
    assert_eq!(json["facts"][0]["concept"], "age");
    assert_eq!(json["facts"][0]["value"], 62.0);
    assert_eq!(json["facts"][2]["status"], "present");
    assert!(json["facts"][2].get("value").is_none());
}

#[test]
#[ignore = "timing; run with --release --ignored"]
fn analyze_is_fast_on_a_sixty_word_question() {
    let q = format!(
        "{CANONICAL} She is a 64-year-old woman, ECOG 1, eGFR 45, HER2-negative, no prior surgery."
    );
    let lex = Lexicon::builtin();
    let _ = analyze(&q, lex);
    let n = 2_000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(analyze(std::hint::black_box(&q), lex));
    }
    let per = t.elapsed() / n;
    eprintln!("analyze: {per:?} per question");
    assert!(per < std::time::Duration::from_millis(1));
}

#[test]
fn every_drug_of_a_long_list_after_received_is_present() {
    let q = run(
        "She received neoadjuvant docetaxel, carboplatin, trastuzumab and pertuzumab; what next?",
    );
    for drug in ["docetaxel", "carboplatin", "trastuzumab", "pertuzumab"] {
        assert_eq!(
            status_of(&q, drug),
            [FactStatus::Present],
            "{drug}: {:?}",
            q.facts
        );
    }
    // A comma followed by another statement does not continue a list.
    let q = run("No prior radiation, preoperative chemoradiation was given.");
    assert!(status_of(&q, "radiotherapy").contains(&FactStatus::Absent));
}

#[test]
fn a_denial_of_a_subset_does_not_undo_a_present_fact() {
    use FactStatus::{Absent, Present};
    for (q, concept, want) in [
        (
            "Newly diagnosed metastatic prostate cancer with two pelvic bone lesions and no visceral metastases.",
            "metastases",
            vec![Present],
        ),
        // An unqualified denial stays beside the present fact: the question contradicts
        // itself and both readings are kept.
        (
            "Metastatic disease was suspected, but staging found no evidence of metastases.",
            "metastases",
            vec![Present, Absent],
        ),
        (
            "Stage II colon cancer with no evidence of metastatic disease.",
            "metastases",
            vec![Absent],
        ),
    ] {
        let got = status_of(&run(q), concept);
        assert_eq!(got, want, "{q}");
    }
}

#[test]
fn completed_treatments_are_those_a_completion_cue_governs() {
    let lex = Lexicon::builtin();
    let completed = |q: &str| completed_treatments(&analyze(q, lex), lex);
    let sclc = completed(
        "Limited-stage small cell lung cancer; completed 4 cycles of cisplatin-etoposide with \
         concurrent thoracic radiation (45 Gy). What further treatment is indicated?",
    );
    for c in [
        "cisplatin",
        "chemotherapy",
        "thoracic_radiotherapy",
        "radiotherapy",
    ] {
        assert!(sclc.iter().any(|x| x == c), "{c} in {sclc:?}");
    }
    let rectal = completed(CANONICAL);
    for c in ["chemoradiation", "chemotherapy", "radiotherapy"] {
        assert!(rectal.iter().any(|x| x == c), "{c} in {rectal:?}");
    }
    // The last cue before a treatment decides: treatment going on now is not finished.
    let breast =
        completed("Followed up after lumpectomy and now on an aromatase inhibitor: which tests?");
    assert!(breast.iter().any(|x| x == "lumpectomy"), "{breast:?}");
    assert!(
        !breast.iter().any(|x| x == "aromatase_inhibitor"),
        "{breast:?}"
    );
    // Starting, or receiving for years, is not finished; an absent treatment never is.
    assert!(completed("She is starting cisplatin with radiation. Which antiemetics?").is_empty());
    assert!(completed("She has received denosumab for 2 years. Should it stop?").is_empty());
    assert!(
        completed("After surgery, no prior radiation. Next step?")
            .iter()
            .all(|c| c != "radiotherapy")
    );
}
