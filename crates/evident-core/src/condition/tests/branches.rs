//! Tests of the branches a patient's facts select beyond the lexicon's concepts: age group, emetic risk, PSA, stage and spread, and time relative to an operation.

use super::*;

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

#[test]
fn castration_resistant_disease_is_not_a_hormone_naive_patients() {
    let lex = Lexicon::builtin();
    let naive = analyze(
        "68-year-old man with newly diagnosed, hormone-naive metastatic prostate cancer. Should docetaxel be added?",
        lex,
    )
    .facts;
    let crpc = conditions(
        "In men with castration-resistant prostate cancer, radium-223 improved survival.",
        &[],
        lex,
    );
    assert!(
        matches!(
            applicability(&crpc, &naive),
            Applicability::Contradicted { .. }
        ),
        "{crpc:?} / {naive:?}"
    );
    let on_adt = analyze(
        "Man with metastatic prostate cancer progressing on leuprolide: next step?",
        lex,
    )
    .facts;
    assert!(!matches!(
        applicability(&crpc, &on_adt),
        Applicability::Contradicted { .. }
    ));
}
