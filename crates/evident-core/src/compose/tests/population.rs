//! Whose evidence speaks: documents about children for adults, sentences written to a patient for professionals, and what a document says about itself.

use super::*;

fn liver_docs() -> Vec<Candidate> {
    let mut child = cand(
        "childhood-liver",
        0,
        &["Hepatocellular carcinoma", "Surveillance"],
        "Children with cirrhosis from hepatitis C are followed with ultrasound and alpha-fetoprotein every 6 months for hepatocellular carcinoma.",
    );
    child.title = "Childhood Liver Cancer Treatment".into();
    let mut child2 = child.clone();
    child2.passage.id.ordinal = 1;
    child2.passage.text = "Surveillance for hepatocellular carcinoma in children with hepatitis C cirrhosis relies on ultrasound of the liver.".into();
    let mut adult = cand(
        "adult-liver",
        0,
        &["Hepatocellular carcinoma", "Surveillance"],
        "Surveillance for hepatocellular carcinoma in adults with cirrhosis from hepatitis C uses liver ultrasound every 6 months, with or without alpha-fetoprotein.",
    );
    adult.title = "Liver Cancer Screening".into();
    vec![child, child2, adult]
}

fn cited_docs(c: &Composition) -> Vec<String> {
    c.answer
        .references
        .iter()
        .filter_map(|r| r.doc_id.clone())
        .collect()
}

#[test]
fn a_document_about_children_speaks_only_when_a_child_is_asked_about() {
    let adult = question(
        "Patient with cirrhosis from hepatitis C. How should hepatocellular carcinoma surveillance be done?",
        Intent::FollowUp,
        vec![],
    );
    let c = answer(&adult, &liver_docs(), Audience::Physician);
    let docs = cited_docs(&c);
    assert!(docs.iter().any(|d| d == "adult-liver"), "{docs:?}");
    assert!(!docs.iter().any(|d| d == "childhood-liver"), "{docs:?}");

    let child = question(
        "A 9-year-old child has cirrhosis from hepatitis C. How should hepatocellular carcinoma surveillance be done?",
        Intent::FollowUp,
        vec![],
    );
    let c = answer(&child, &liver_docs(), Audience::Physician);
    let docs = cited_docs(&c);
    assert!(docs.iter().any(|d| d == "childhood-liver"), "{docs:?}");
}

#[test]
fn a_sentence_written_to_a_patient_is_for_the_patient_only() {
    let docs = vec![cand(
        "hot-flashes",
        0,
        &["Hot flashes"],
        "Venlafaxine reduces hot flashes in breast cancer survivors taking tamoxifen. Before using soy products for hot flashes, you should talk with your doctor about breast cancer risk.",
    )];
    let q = question(
        "How are hot flashes managed in breast cancer survivors taking tamoxifen, and are soy products safe?",
        Intent::Treatment,
        vec![],
    );
    let texts = |audience| {
        let c = answer(&q, &docs, audience);
        statement_texts(&c).join(" ")
    };
    let physician = texts(Audience::Physician);
    assert!(physician.contains("Venlafaxine"), "{physician}");
    assert!(!physician.contains("your doctor"), "{physician}");
    assert!(texts(Audience::Patient).contains("your doctor"));
}

#[test]
fn what_a_document_says_about_itself_is_no_evidence() {
    let mut docs = vec![cand(
        "melanoma",
        0,
        &["Latest Updates to This Summary (05/14/2025)"],
        "Adjuvant therapy options for resected stage III melanoma were revised to include nivolumab in this update.",
    )];
    docs.push(cand(
        "melanoma",
        1,
        &["Adjuvant therapy"],
        "For resected stage III melanoma, adjuvant nivolumab or pembrolizumab is recommended; dabrafenib plus trametinib is an option for BRAF V600E disease.",
    ));
    let q = question(
        "What adjuvant therapy is recommended for resected stage III melanoma?",
        Intent::Treatment,
        vec![],
    );
    let c = answer(&q, &docs, Audience::Physician);
    let passages: Vec<&str> = c
        .answer
        .references
        .iter()
        .flat_map(|r| r.evidence.iter().map(|p| p.text.as_str()))
        .collect();
    assert!(
        !passages.iter().any(|p| p.contains("this update")),
        "{passages:?}"
    );
    assert!(c.answer.bottom_line.text.contains("nivolumab"));
}

#[test]
fn a_statement_opening_with_a_pronoun_needs_the_one_before_it() {
    // "It" stands for rasburicase, named only by the sentence before it, which says little
    // about the question: alone, "It ..." would name nothing.
    let docs = vec![
        cand(
            "lysis",
            0,
            &["Supportive care"],
            "Rasburicase is a recombinant urate oxidase enzyme. It is used to prevent tumor lysis syndrome in patients starting chemotherapy for leukemia.",
        ),
        cand(
            "lysis",
            1,
            &["Tumor lysis syndrome", "Prevention"],
            "Hydration before chemotherapy prevents tumor lysis syndrome in patients with leukemia.",
        ),
    ];
    let q = question(
        "How is tumor lysis syndrome prevented in patients starting chemotherapy for leukemia?",
        Intent::Prevention,
        vec![],
    );
    let c = answer(&q, &docs, Audience::Physician);
    let texts = statement_texts(&c);
    assert!(
        texts.iter().any(|t| t.starts_with("Hydration")),
        "{texts:?}"
    );
    let alone = texts.iter().any(|t| t.starts_with("It is used"))
        && !texts.iter().any(|t| t.starts_with("Rasburicase"));
    assert!(!alone, "{texts:?}");
}

#[test]
fn a_document_about_another_cancer_does_not_speak_for_the_asked_one() {
    let mut colon = cand(
        "colon",
        0,
        &["Adjuvant chemotherapy"],
        "For stage III colon cancer, adjuvant CAPOX is given after resection; 3 months of CAPOX was noninferior to 6 months in low-risk disease.",
    );
    colon.title = "Colon Cancer Treatment".into();
    let mut gastric = cand(
        "gastric",
        0,
        &["Adjuvant chemotherapy"],
        "For stage III adenocarcinoma, 6 months of adjuvant CAPOX after resection improved disease-free survival compared with resection alone.",
    );
    gastric.title = "Gastric Cancer Treatment".into();
    let q = question(
        "How many months of adjuvant CAPOX after resection of a stage III sigmoid adenocarcinoma?",
        Intent::Treatment,
        vec![],
    );
    let c = answer(&q, &[gastric, colon], Audience::Physician);
    let docs: Vec<_> = c
        .answer
        .references
        .iter()
        .filter_map(|r| r.doc_id.clone())
        .collect();
    assert!(docs.iter().any(|d| d == "colon"), "{docs:?}");
    assert!(!docs.iter().any(|d| d == "gastric"), "{docs:?}");
    // Including cancers are not others: lung cancer and non-small cell lung cancer.
    let lex = Lexicon::builtin();
    assert!(weights::same_cancer(
        "lung_cancer",
        "non_small_cell_lung_cancer",
        lex
    ));
    assert!(weights::same_cancer(
        "colorectal_cancer",
        "rectal_cancer",
        lex
    ));
    assert!(!weights::same_cancer("colon_cancer", "gastric_cancer", lex));
    // A subtype and the cancer that includes it are not other cancers.
    assert!(weights::same_cancer(
        "esophageal_adenocarcinoma",
        "esophageal_cancer",
        lex
    ));
    assert!(weights::same_cancer(
        "acute_myeloid_leukemia",
        "acute_promyelocytic_leukemia",
        lex
    ));
    assert!(!weights::same_cancer(
        "mantle_cell_lymphoma",
        "hodgkin_lymphoma",
        lex
    ));
}
