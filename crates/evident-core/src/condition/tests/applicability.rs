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

/// Whether `statement` applies to the patient of `question`: `Some(true)` applies,
/// `Some(false)` contradicted, `None` open.
fn applies_to(question: &str, statement: &str) -> Option<bool> {
    let lex = Lexicon::builtin();
    let facts = analyze(question, lex).facts;
    match applicability(&conditions(statement, &[], lex), &facts) {
        Applicability::Applies => Some(true),
        Applicability::Contradicted { .. } => Some(false),
        Applicability::Unknown(_) => None,
    }
}

#[test]
fn the_care_setting_is_a_fact_that_decides_branches() {
    let outpatient = "68-year-old man with pneumonia, PSI class II, will be treated as an outpatient. No hospitalization in the past 90 days. Which antibiotic?";
    let facts = analyze(outpatient, Lexicon::builtin()).facts;
    let setting = facts
        .iter()
        .find(|f| f.concept == "setting")
        .expect("setting");
    assert_eq!(setting.value, Some(FactValue::Text("outpatient".into())));
    assert_eq!(
        applies_to(
            outpatient,
            "Inpatients with severe pneumonia should receive a beta-lactam plus a macrolide."
        ),
        Some(false)
    );
    assert_eq!(
        applies_to(
            outpatient,
            "In outpatients, routine sputum and blood cultures are not recommended."
        ),
        Some(true)
    );
    let icu = "Septic shock on norepinephrine, admitted to the ICU. Next step?";
    assert_eq!(
        applies_to(
            icu,
            "Hospitalized patients should receive thromboprophylaxis."
        ),
        Some(true)
    );
    assert_eq!(
        applies_to(icu, "Outpatients may take oral antibiotics."),
        Some(false)
    );
    // The emergency department leaves both ways open.
    let ed = "Seen in the emergency department with a low-risk pulmonary embolism. Treat at home?";
    assert_eq!(
        applies_to(ed, "Inpatients need parenteral anticoagulation."),
        None
    );
    // A past or denied stay in hospital is no setting.
    assert!(
        analyze(
            "She was recently hospitalized for pneumonia. Which vaccine now?",
            Lexicon::builtin()
        )
        .facts
        .iter()
        .all(|f| f.concept != "setting")
    );
}

#[test]
fn older_adults_are_an_age_group() {
    let statement = "In older adults, a lower starting dose is recommended.";
    assert_eq!(
        applies_to(
            "A 78-year-old woman with hypertension: which drug?",
            statement
        ),
        Some(true)
    );
    assert_eq!(
        applies_to(
            "A 45-year-old woman with hypertension: which drug?",
            statement
        ),
        Some(false)
    );
    assert_eq!(
        applies_to("A woman with hypertension: which drug?", statement),
        None
    );
    // Older and younger adults compared: no age condition.
    assert_eq!(
        applies_to(
            "A 45-year-old woman with hypertension: which drug?",
            "Older adults and younger adults responded alike."
        ),
        Some(true)
    );
}
