//! Tests of applicability: conditions against hand-made facts and against the facts of analysed questions.

use super::*;

fn fact(concept: &str, status: FactStatus, value: Option<FactValue>, text: &str) -> PatientFact {
    PatientFact {
        concept: concept.to_string(),
        status,
        value,
        text: text.to_string(),
    }
}

fn cond(concept: &str, requires: Requirement) -> Condition {
    Condition {
        concept: concept.to_string(),
        requires,
        text: concept.to_string(),
    }
}

#[test]
fn canonical_case_against_the_rectal_statements() {
    let lex = Lexicon::builtin();
    let facts = analyze(CANONICAL, lex).facts;
    let no_prior = conditions(
        "For patients who have not received prior radiation, preoperative chemoradiation is recommended.",
        &[],
        lex,
    );
    match applicability(&no_prior, &facts) {
        Applicability::Contradicted { condition, fact } => {
            assert_eq!(condition.concept, "radiotherapy");
            assert_eq!(condition.requires, Absent);
            assert_eq!(fact.concept, "radiotherapy");
            assert_eq!(fact.status, FactStatus::Present);
        }
        other => panic!("expected a contradiction, got {other:?}"),
    }
    let irradiated = conditions(
        "For previously irradiated patients, intraoperative radiation therapy may improve local control.",
        &[],
        lex,
    );
    assert_eq!(applicability(&irradiated, &facts), Applicability::Applies);
    let recurrent = conditions(
        "Surgery is recommended.",
        &["Recurrent Rectal Cancer".to_string()],
        lex,
    );
    assert_eq!(applicability(&recurrent, &facts), Applicability::Applies);
}

#[test]
fn applicability_cases() {
    use FactStatus as S;
    let eg22 = fact(
        "kidney_function",
        S::Value,
        Some(FactValue::Number(22.0)),
        "eGFR 22",
    );
    let crcl_lt30 = fact(
        "kidney_function",
        S::Value,
        Some(FactValue::Number(30.0)),
        "CrCl <30",
    );
    let age64 = fact(
        "age",
        S::Value,
        Some(FactValue::Number(64.0)),
        "64-year-old",
    );
    let stage = |s: &str| fact("stage", S::Value, Some(FactValue::Text(s.to_string())), s);
    let female = fact(
        "sex",
        S::Value,
        Some(FactValue::Text("female".into())),
        "woman",
    );
    let crt = fact("chemoradiation", S::Present, None, "s/p CRT");
    let folfox = fact("folfox", S::Present, None, "received FOLFOX");
    let her2_neg = fact("her2", S::Absent, None, "HER2-negative");

    enum Want {
        Applies,
        Unknown(usize),
        Contradicted(&'static str),
    }
    type Case = (Vec<Condition>, Vec<PatientFact>, Want);
    let cases: Vec<Case> = vec![
        (vec![], vec![], Want::Applies),
        (vec![cond("radiotherapy", Absent)], vec![], Want::Unknown(1)),
        (
            vec![cond("radiotherapy", Absent)],
            vec![crt.clone()],
            Want::Contradicted("radiotherapy"),
        ),
        (
            vec![cond("chemotherapy", Present)],
            vec![crt.clone()],
            Want::Applies,
        ),
        (
            vec![cond("chemotherapy", Absent)],
            vec![folfox.clone()],
            Want::Contradicted("chemotherapy"),
        ),
        (
            vec![cond("her2", Present)],
            vec![her2_neg.clone()],
            Want::Contradicted("her2"),
        ),
        (
            vec![cond("her2", Absent)],
            vec![her2_neg.clone()],
            Want::Applies,
        ),
        (
            vec![cond("kidney_function", Below(30.0))],
            vec![eg22.clone()],
            Want::Applies,
        ),
        (
            vec![cond("kidney_function", Above(29.5))],
            vec![eg22.clone()],
            Want::Contradicted("kidney_function"),
        ),
        (
            vec![cond("kidney_function", Below(30.0))],
            vec![crcl_lt30.clone()],
            Want::Applies,
        ),
        (
            vec![cond("kidney_function", Below(20.0))],
            vec![crcl_lt30.clone()],
            Want::Unknown(1),
        ),
        (
            vec![cond("kidney_function", Above(29.5))],
            vec![crcl_lt30.clone()],
            Want::Contradicted("kidney_function"),
        ),
        (
            vec![cond("age", Above(64.5))],
            vec![age64.clone()],
            Want::Contradicted("age"),
        ),
        (
            vec![cond("age", Below(75.5))],
            vec![age64.clone()],
            Want::Applies,
        ),
        (
            vec![cond("stage", is("III"))],
            vec![stage("IIIB")],
            Want::Applies,
        ),
        (
            vec![cond("stage", is("II/III"))],
            vec![stage("IIIB")],
            Want::Applies,
        ),
        (
            vec![cond("stage", is("IV"))],
            vec![stage("IIIB")],
            Want::Contradicted("stage"),
        ),
        (
            vec![cond("stage", is("IIIA"))],
            vec![stage("IIIB")],
            Want::Contradicted("stage"),
        ),
        (
            vec![cond("stage", is("IIIB"))],
            vec![stage("III")],
            Want::Unknown(1),
        ),
        (
            vec![cond("stage", is("limited"))],
            vec![stage("extensive")],
            Want::Contradicted("stage"),
        ),
        (
            vec![cond("stage", is("limited"))],
            vec![stage("III")],
            Want::Unknown(1),
        ),
        (
            vec![cond("sex", is("male"))],
            vec![female.clone()],
            Want::Contradicted("sex"),
        ),
        (
            vec![cond("sex", is("female"))],
            vec![female.clone()],
            Want::Applies,
        ),
        (
            vec![cond("sex", is("female")), cond("pregnancy", Present)],
            vec![female.clone()],
            Want::Unknown(1),
        ),
        (
            vec![
                cond("age", Below(75.5)),
                cond("her2", Present),
                cond("sex", is("male")),
            ],
            vec![age64.clone(), her2_neg.clone(), female.clone()],
            Want::Contradicted("her2"),
        ),
    ];
    for (i, (conds, facts, want)) in cases.into_iter().enumerate() {
        let got = applicability(&conds, &facts);
        match (want, &got) {
            (Want::Applies, Applicability::Applies) => {}
            (Want::Unknown(n), Applicability::Unknown(open)) => {
                assert_eq!(open.len(), n, "case {i}")
            }
            (Want::Contradicted(concept), Applicability::Contradicted { condition, .. }) => {
                assert_eq!(condition.concept, concept, "case {i}")
            }
            (_, got) => panic!("case {i}: unexpected {got:?}"),
        }
    }
}

#[test]
fn question_facts_against_statement_conditions() {
    let lex = Lexicon::builtin();
    let cases: &[(&str, &str, &str)] = &[
        // (question, statement, "applies" | "unknown" | "contradicted")
        (
            "62M s/p CRT, no prior surgery",
            "In radiation-naive patients, chemoradiation is preferred.",
            "contradicted",
        ),
        (
            "62M s/p CRT, no prior surgery",
            "In men older than 70, surgery is preferred.",
            "contradicted",
        ),
        (
            "62M s/p CRT, no prior surgery",
            "In men, surgery is preferred.",
            "applies",
        ),
        (
            "HER2-positive, ER/PR-negative breast cancer",
            "For HER2-negative disease, endocrine therapy is preferred.",
            "contradicted",
        ),
        (
            "HER2-positive, ER/PR-negative breast cancer",
            "Trastuzumab is recommended for HER2-positive disease.",
            "applies",
        ),
        (
            "73 yo whose eGFR has fallen to 22 mL/min",
            "Metformin is contraindicated when eGFR is less than 30.",
            "applies",
        ),
        (
            "73 yo whose eGFR has fallen to 22 mL/min",
            "In patients with eGFR ≥ 30, metformin can be continued.",
            "contradicted",
        ),
        (
            "pregnant at 20 weeks with a DVT",
            "Warfarin should be avoided during pregnancy.",
            "applies",
        ),
        (
            "stage IIIB (T3N2) NSCLC",
            "For patients with stage III disease, durvalumab consolidation is recommended.",
            "applies",
        ),
        (
            "limited-stage small cell lung cancer",
            "For extensive-stage disease, chemoimmunotherapy is standard.",
            "contradicted",
        ),
        (
            "a chemotherapy-naive woman",
            "For patients previously treated with chemotherapy, docetaxel is an option.",
            "contradicted",
        ),
        (
            "a chemotherapy-naive woman",
            "In patients with metastatic disease, systemic therapy is the mainstay.",
            "unknown",
        ),
    ];
    for (question, statement, want) in cases {
        let facts = analyze(question, lex).facts;
        let conds = conditions(statement, &[], lex);
        let got = match applicability(&conds, &facts) {
            Applicability::Applies => "applies",
            Applicability::Unknown(_) => "unknown",
            Applicability::Contradicted { .. } => "contradicted",
        };
        assert_eq!(
            got, *want,
            "«{question}» vs «{statement}»: {conds:?} / {facts:?}"
        );
    }
}

#[test]
fn naive_denies_earlier_treatment_not_the_one_being_started() {
    let lex = Lexicon::builtin();
    let facts = analyze(
        "58-year-old chemotherapy-naive woman starting cisplatin with radiation: which antiemetics?",
        lex,
    )
    .facts;
    // A trial population receiving the treatment now: not contradicted.
    let concurrent = conditions(
        "In patients with head and neck cancer who received RT concurrently with highly emetogenic chemotherapy, olanzapine was compared with fosaprepitant.",
        &[],
        lex,
    );
    assert!(
        !matches!(
            applicability(&concurrent, &facts),
            Applicability::Contradicted { .. }
        ),
        "{concurrent:?}"
    );
    // Earlier treatment is still ruled out.
    let pretreated = conditions(
        "For patients previously treated with chemotherapy, second-line docetaxel is an option.",
        &[],
        lex,
    );
    assert!(
        matches!(
            applicability(&pretreated, &facts),
            Applicability::Contradicted { .. }
        ),
        "{pretreated:?}"
    );
}

#[test]
fn an_infant_age_in_days_selects_the_branch() {
    let lex = Lexicon::builtin();
    let facts = analyze(
        "Which well-appearing febrile infants aged 8 to 21 days need a lumbar puncture?",
        lex,
    )
    .facts;
    assert!(facts.iter().all(|f| f.concept != "age"), "{facts:?}");
    let older = conditions(
        "If the infant is 29 to 60 days old and inflammatory markers are abnormal, parenteral antimicrobial therapy is appropriate.",
        &[],
        lex,
    );
    assert!(
        matches!(
            applicability(&older, &facts),
            Applicability::Contradicted { .. }
        ),
        "{older:?} / {facts:?}"
    );
    let same = conditions(
        "For infants 8 to 21 days old, a lumbar puncture is recommended.",
        &[],
        lex,
    );
    assert_eq!(applicability(&same, &facts), Applicability::Applies);
    let week_old = analyze(
        "A 2-week-old with fever: does she need a lumbar puncture?",
        lex,
    )
    .facts;
    assert!(matches!(
        applicability(&older, &week_old),
        Applicability::Contradicted { .. }
    ));
    // A duration is not an age.
    assert!(conditions("Antibiotics are given for 7 to 14 days.", &[], lex).is_empty());
}

#[test]
fn numbers_that_are_not_ages_give_no_age_condition() {
    let lex = Lexicon::builtin();
    for s in [
        "Patients aged 40 years or older with 6 or more risk factors should be screened.",
        "Bicarbonate is not given when the pH is 7.3 or more in adults of any age.",
        "In adults whose symptoms have lasted 2 years or more, imaging is not routine at any age.",
    ] {
        let ages: Vec<Condition> = conditions(s, &[], lex)
            .into_iter()
            .filter(|c| c.concept == "age")
            .collect();
        assert!(
            ages.iter().all(|c| c.requires == Requirement::Above(39.5)),
            "{s}: {ages:?}"
        );
    }
}

#[test]
fn a_man_is_not_pregnant() {
    let lex = Lexicon::builtin();
    let during = conditions("Warfarin should be avoided during pregnancy.", &[], lex);
    let man = analyze(
        "A 70-year-old man with atrial fibrillation: which anticoagulant?",
        lex,
    )
    .facts;
    assert!(matches!(
        applicability(&during, &man),
        Applicability::Contradicted { .. }
    ));
    let woman = analyze("A 30-year-old woman with a DVT: which anticoagulant?", lex).facts;
    assert!(matches!(
        applicability(&during, &woman),
        Applicability::Unknown(_)
    ));
}

#[test]
fn a_triple_negative_population_is_ruled_out_for_a_her2_positive_patient() {
    let lex = Lexicon::builtin();
    let facts = analyze(
        "47-year-old woman with HER2-positive breast cancer with residual disease after neoadjuvant therapy",
        lex,
    )
    .facts;
    let tnbc = conditions(
        "Patients with TNBC had residual invasive cancer in the breast.",
        &[],
        lex,
    );
    match applicability(&tnbc, &facts) {
        Applicability::Contradicted { condition, fact } => {
            assert_eq!(condition.concept, "her2");
            assert_eq!(fact.concept, "her2");
        }
        other => panic!("expected a contradiction, got {other:?} from {tnbc:?}"),
    }
    // A HER2-negative patient is not ruled out.
    let negative = analyze("woman with HER2-negative breast cancer", lex).facts;
    assert!(!matches!(
        applicability(&tnbc, &negative),
        Applicability::Contradicted { .. }
    ));
}

#[test]
fn a_medically_inoperable_patient_rules_out_the_operable_branch() {
    let lex = Lexicon::builtin();
    let facts = analyze(
        "78-year-old with COPD judged medically inoperable by thoracic surgery; 2.8 cm T1c N0 M0 NSCLC. Treatment?",
        lex,
    )
    .facts;
    let operable = conditions(
        "For patients with clinically operable NSCLC, mediastinal nodes are biopsied before lobectomy.",
        &[],
        lex,
    );
    match applicability(&operable, &facts) {
        Applicability::Contradicted { condition, fact } => {
            assert_eq!(
                (condition.concept.as_str(), fact.concept.as_str()),
                ("operable", "operable")
            );
            assert_eq!(fact.status, FactStatus::Absent);
        }
        other => panic!("expected a contradiction, got {other:?}"),
    }
    let inoperable = conditions(
        "SBRT has been widely adopted for patients with medically inoperable stage I NSCLC.",
        &[],
        lex,
    );
    // Met, the stage too: T1 N0 M0 is stage I.
    assert_eq!(applicability(&inoperable, &facts), Applicability::Applies);
    // An operable patient is not offered the inoperable branch.
    let fit = analyze(
        "Stage I NSCLC in a patient who is a surgical candidate. Treatment?",
        lex,
    )
    .facts;
    assert!(matches!(
        applicability(&inoperable, &fit),
        Applicability::Contradicted { .. }
    ));
}

#[test]
fn a_statement_about_children_does_not_apply_to_an_adult() {
    let lex = Lexicon::builtin();
    let pediatric = conditions(
        "Guidelines recommend that children receiving cisplatin get a three-drug antiemetic regimen.",
        &[],
        lex,
    );
    let adult = analyze(
        "58-year-old woman starting cisplatin: which antiemetics?",
        lex,
    )
    .facts;
    assert!(
        matches!(
            applicability(&pediatric, &adult),
            Applicability::Contradicted { .. }
        ),
        "{pediatric:?} / {adult:?}"
    );
    let child = analyze("A 9-year-old starting cisplatin: which antiemetics?", lex).facts;
    assert_eq!(applicability(&pediatric, &child), Applicability::Applies);
    // An infant's age is read in days; it answers the condition too.
    let infant = analyze("A 10-day-old with fever: which antibiotics?", lex).facts;
    assert_eq!(applicability(&pediatric, &infant), Applicability::Applies);
    // A heading that names children conditions the statements under it.
    let under_heading = conditions(
        "Ondansetron is given before chemotherapy.",
        &["Pediatric Considerations".to_string()],
        lex,
    );
    assert!(matches!(
        applicability(&under_heading, &adult),
        Applicability::Contradicted { .. }
    ));
}

#[test]
fn antiemetic_branches_follow_the_emetic_risk_of_the_regimen() {
    let lex = Lexicon::builtin();
    let facts = analyze(
        "58-year-old woman starting cisplatin 100 mg/m2 with radiation. Which antiemetics?",
        lex,
    )
    .facts;
    assert!(
        facts
            .iter()
            .any(|f| f.concept == "emetic_risk" && f.value == Some(FactValue::Text("high".into()))),
        "{facts:?}"
    );
    let read = |s: &str| conditions(s, &[], lex);
    let minimal = read("For regimens with minimal emetogenic risk, no prophylaxis is recommended.");
    assert!(
        matches!(
            applicability(&minimal, &facts),
            Applicability::Contradicted { .. }
        ),
        "{minimal:?}"
    );
    let high = read(
        "For patients receiving regimens with high emetogenic potential, a three-drug combination is recommended.",
    );
    assert_eq!(applicability(&high, &facts), Applicability::Applies);
    // "highly and moderately emetogenic" names both branches.
    let both = read("Aprepitant was studied with highly and moderately emetogenic chemotherapy.");
    assert_eq!(applicability(&both, &facts), Applicability::Applies);
    // A finished course needs no antiemetic plan; a complete response leaves nothing to
    // recur.
    let finished = analyze(
        "She completed 4 cycles of cisplatin-etoposide and restaging shows a complete response. What next?",
        lex,
    )
    .facts;
    assert!(
        finished.iter().all(|f| f.concept != "emetic_risk"),
        "{finished:?}"
    );
    let recurrent =
        read("Treatment options for patients with recurrent disease include topotecan.");
    assert!(
        matches!(
            applicability(&recurrent, &finished),
            Applicability::Contradicted { .. }
        ),
        "{recurrent:?} / {finished:?}"
    );
    // Without a known regimen the branch stays open.
    let unknown = analyze("Which antiemetics before chemotherapy?", lex).facts;
    assert!(matches!(
        applicability(&minimal, &unknown),
        Applicability::Unknown(_)
    ));
}

#[test]
fn a_psa_threshold_selects_the_stage_group() {
    let lex = Lexicon::builtin();
    let facts = analyze(
        "I'm 64 with low-risk prostate cancer (Gleason 6, PSA 5.1). Is active surveillance safe?",
        lex,
    )
    .facts;
    let higher = conditions(
        "The PSA level is at least 10 but less than 20 and the Grade Group is 1.",
        &[],
        lex,
    );
    assert!(
        matches!(
            applicability(&higher, &facts),
            Applicability::Contradicted { .. }
        ),
        "{higher:?} / {facts:?}"
    );
    let lower = conditions(
        "The PSA level is lower than 10 and the Grade Group is 1.",
        &[],
        lex,
    );
    assert_eq!(applicability(&lower, &facts), Applicability::Applies);
}

#[test]
fn stage_iv_is_distant_spread() {
    let lex = Lexicon::builtin();
    let localized = analyze(
        "59-year-old after resection of a pT4a N1b sigmoid adenocarcinoma with no distant metastases: how long should adjuvant CAPOX last?",
        lex,
    )
    .facts;
    let stage_iv = conditions(
        "Second-line irinotecan improved OS.",
        &["Treatment of Stage IV and Recurrent Colon Cancer".to_string()],
        lex,
    );
    assert!(
        matches!(
            applicability(&stage_iv, &localized),
            Applicability::Contradicted { .. }
        ),
        "{stage_iv:?} / {localized:?}"
    );
    let stage_iii = conditions(
        "For patients with stage III colon cancer, adjuvant chemotherapy is recommended.",
        &[],
        lex,
    );
    assert!(matches!(
        applicability(&stage_iii, &localized),
        Applicability::Unknown(_)
    ));
    let metastatic = analyze(
        "Man with metastatic colon cancer to the liver: which first-line therapy?",
        lex,
    )
    .facts;
    assert!(matches!(
        applicability(&stage_iii, &metastatic),
        Applicability::Contradicted { .. }
    ));
    // Head and neck stage IVA has not spread: lettered stage IV groups stay open.
    let iva = conditions(
        "For patients with stage IVA disease, surgery is an option.",
        &[],
        lex,
    );
    assert!(matches!(
        applicability(&iva, &localized),
        Applicability::Unknown(_)
    ));
}

#[test]
fn guidance_for_before_an_operation_does_not_apply_after_it() {
    let lex = Lexicon::builtin();
    let operated = analyze(
        "How should a 56-year-old woman be followed up after lumpectomy, radiation and adjuvant chemotherapy for stage IIA breast cancer?",
        lex,
    )
    .facts;
    let before = conditions(
        "The extent of the disease within the breast and regional nodes is assessed.",
        &["Preoperative Systemic Therapy".to_string()],
        lex,
    );
    assert!(
        matches!(
            applicability(&before, &operated),
            Applicability::Contradicted { .. }
        ),
        "{before:?} / {operated:?}"
    );
    // Nor is a step "before beginning preoperative therapy".
    let step = conditions(
        "Before beginning preoperative therapy, the extent of the disease should be assessed.",
        &[],
        lex,
    );
    assert!(
        matches!(
            applicability(&step, &operated),
            Applicability::Contradicted { .. }
        ),
        "{step:?}"
    );
    // Nor one taken "before initiation of systemic treatment" for a patient who has had
    // chemotherapy (a drug treatment is systemic).
    let biopsy = conditions(
        "Suspicious axillary nodes should be biopsied before initiation of systemic treatment.",
        &[],
        lex,
    );
    assert!(
        matches!(
            applicability(&biopsy, &operated),
            Applicability::Contradicted { .. }
        ),
        "{biopsy:?}"
    );
    // A heading on both sides of the operation, or on its result, is not such a section.
    for heading in [
        "Neoadjuvant and Adjuvant Therapy",
        "Residual disease after neoadjuvant therapy",
    ] {
        let c = conditions(
            "Trastuzumab is given for 1 year.",
            &[heading.to_string()],
            lex,
        );
        assert!(c.iter().all(|c| c.concept != "surgery"), "{heading}: {c:?}");
    }
    // A sentence's own "neoadjuvant" is history, not a section: it does not require that
    // there was no operation.
    let own = conditions(
        "Patients who received neoadjuvant chemotherapy had residual disease at surgery.",
        &[],
        lex,
    );
    assert!(
        own.iter()
            .all(|c| !(c.concept == "surgery" && c.requires == Requirement::Absent)),
        "{own:?}"
    );
}
