//! Tests of case consistency: conditions read from statements and their applicability.

use super::*;
use crate::question::{FactStatus, FactValue, analyze};

const CANONICAL: &str = "What is the next step in management for a patient with a history of \
    moderately differentiated invasive adenocarcinoma (rectal cancer) status post chemotherapy \
    and radiation, with a new 1.2cm lesion in the presacral space concerning for recurrent \
    disease?";

use Requirement::{Above, Absent, Below, Is, Present};

fn read(sentence: &str, context: &[&str]) -> Vec<Condition> {
    let context: Vec<String> = context.iter().map(|s| s.to_string()).collect();
    conditions(sentence, &context, Lexicon::builtin())
}

fn is(s: &str) -> Requirement {
    Is(s.to_string())
}

fn check(sentence: &str, context: &[&str], expected: &[(&str, Requirement)]) {
    let found = read(sentence, context);
    let got: Vec<(&str, &Requirement)> = found
        .iter()
        .map(|c| (c.concept.as_str(), &c.requires))
        .collect();
    let want: Vec<(&str, &Requirement)> = expected.iter().map(|(c, r)| (*c, r)).collect();
    assert_eq!(got.len(), want.len(), "«{sentence}» {context:?}: {found:?}");
    for w in &want {
        assert!(
            got.contains(w),
            "«{sentence}» {context:?}: missing {w:?} in {found:?}"
        );
    }
    let all_text = format!("{sentence} {}", context.join(" "));
    for c in &found {
        assert!(
            all_text.contains(&c.text),
            "text «{}» not in the input",
            c.text
        );
    }
}

#[test]
fn treatment_history_conditions() {
    let cases: &[(&str, &[(&str, Requirement)])] = &[
        (
            "For patients who have not received prior radiation, preoperative chemoradiation is recommended.",
            &[("radiotherapy", Absent)],
        ),
        (
            "For previously irradiated patients, intraoperative radiation therapy may improve local control.",
            &[("radiotherapy", Present)],
        ),
        (
            "For patients without previous pelvic irradiation, chemoradiation followed by surgery is preferred.",
            &[("radiotherapy", Absent)],
        ),
        (
            "In radiation-naive patients, neoadjuvant chemoradiation should be offered.",
            &[("radiotherapy", Absent)],
        ),
        (
            "Previously nonirradiated patients may receive full-dose chemoradiation.",
            &[("radiotherapy", Absent)],
        ),
        (
            "If radiotherapy was not given preoperatively, postoperative chemoradiation is recommended.",
            &[("radiotherapy", Absent)],
        ),
        (
            "Unless radiotherapy was given before surgery, postoperative chemoradiation is advised.",
            &[("radiotherapy", Absent)],
        ),
        (
            "Patients who have received prior pelvic radiation should be evaluated for re-irradiation.",
            &[("radiotherapy", Present)],
        ),
        (
            "After prior pelvic radiotherapy, the risk of fistula is higher.",
            &[("radiotherapy", Present)],
        ),
        (
            "Re-irradiation with hyperfractionated chemoradiation is feasible.",
            &[("radiotherapy", Present)],
        ),
        (
            "In patients who have not received trastuzumab, it should be added to chemotherapy.",
            &[("trastuzumab", Absent)],
        ),
        (
            "Regorafenib is an option after progression on FOLFOX and FOLFIRI.",
            &[("folfox", Present), ("folfiri", Present)],
        ),
        (
            "For chemotherapy-naive patients with metastatic disease, FOLFOX is recommended.",
            &[("chemotherapy", Absent), ("metastases", Present)],
        ),
    ];
    for (sentence, expected) in cases {
        check(sentence, &[], expected);
    }
}

#[test]
fn biomarker_population_and_number_conditions() {
    let cases: &[(&str, &[(&str, Requirement)])] = &[
        (
            "Trastuzumab is recommended for HER2-positive disease.",
            &[("her2", Present)],
        ),
        ("If HER2-positive, add pertuzumab.", &[("her2", Present)]),
        (
            "For HER2-negative tumors, endocrine therapy is preferred.",
            &[("her2", Absent)],
        ),
        (
            "In patients with EGFR-mutated NSCLC, osimertinib is preferred.",
            &[("egfr_gene", Present)],
        ),
        (
            "For patients with EGFR mutations, a TKI is first-line.",
            &[("egfr_gene", Present), ("prior_therapy", Absent)],
        ),
        (
            "For EGFR wild-type tumors, chemoimmunotherapy is standard.",
            &[("egfr_gene", Absent)],
        ),
        (
            "For dMMR/MSI-H metastatic colorectal cancer, pembrolizumab is recommended as first-line therapy.",
            &[
                ("mismatch_repair_deficient", Present),
                ("metastases", Present),
                ("prior_therapy", Absent),
            ],
        ),
        (
            "Warfarin should be avoided during pregnancy.",
            &[("pregnancy", Present)],
        ),
        (
            "In pregnant women, LMWH is preferred.",
            &[("pregnancy", Present), ("sex", is("female"))],
        ),
        (
            "In nonpregnant adults, a DOAC is preferred.",
            &[("pregnancy", Absent)],
        ),
        (
            "Dose reduction is required in patients with creatinine clearance below 30 mL/min.",
            &[("kidney_function", Below(30.0))],
        ),
        (
            "Apixaban is not recommended if CrCl < 15 mL/min.",
            &[("kidney_function", Below(15.0))],
        ),
        (
            "Metformin is contraindicated when eGFR is less than 30.",
            &[("kidney_function", Below(30.0))],
        ),
        (
            "In patients with eGFR ≥ 30, metformin can be continued.",
            &[("kidney_function", Above(29.5))],
        ),
        (
            "Screening is recommended for adults aged 50 to 75 years.",
            &[("age", Above(49.5)), ("age", Below(75.5))],
        ),
        (
            "In patients older than 70, single-agent therapy may be preferred.",
            &[("age", Above(70.0))],
        ),
        (
            "Women aged 65 years or older should be screened for osteoporosis.",
            &[("age", Above(64.5)), ("sex", is("female"))],
        ),
        (
            "Vaccination is advised for adults ≥65 years.",
            &[("age", Above(64.5))],
        ),
        (
            "For patients younger than 50, genetic counseling is recommended.",
            &[("age", Below(50.0))],
        ),
        (
            "Guidelines recommend that children receiving cisplatin get three antiemetic drugs.",
            &[("age", Below(18.0))],
        ),
        (
            "The PSA level is at least 10 but less than 20 and the Grade Group is 1.",
            &[("psa", Above(9.5)), ("psa", Below(20.5))],
        ),
        (
            "The prostate-specific antigen level is less than 10 and the Grade Group is 1.",
            &[("psa", Below(10.0))],
        ),
        (
            "Pediatric patients need weight-based doses.",
            &[("age", Below(18.0))],
        ),
        ("The regimen is used in children and adults alike.", &[]),
        (
            "Women who have had children have a lower risk of breast cancer.",
            &[("sex", is("female"))],
        ),
        (
            "In patients with limited-stage SCLC, concurrent chemoradiation is recommended.",
            &[("stage", is("limited"))],
        ),
        (
            "For extensive-stage disease, chemoimmunotherapy is standard.",
            &[("stage", is("extensive"))],
        ),
        (
            "For patients with stage III colon cancer, adjuvant chemotherapy is recommended.",
            &[("stage", is("III"))],
        ),
        (
            "For patients with stage II or III rectal cancer, total neoadjuvant therapy is an option.",
            &[("stage", is("II/III"))],
        ),
        (
            "In patients with metastatic disease, systemic therapy is the mainstay.",
            &[("metastases", Present)],
        ),
        (
            "For nonmetastatic disease, surgery is the primary treatment.",
            &[("metastases", Absent)],
        ),
        (
            "For localized prostate cancer, active surveillance is an option.",
            &[("metastases", Absent)],
        ),
        (
            "In postmenopausal women, aromatase inhibitors are preferred.",
            &[("postmenopausal", Present), ("sex", is("female"))],
        ),
        (
            "For premenopausal women, ovarian suppression may be added.",
            &[("postmenopausal", Absent), ("sex", is("female"))],
        ),
        (
            "In men with prostate cancer, ADT is used.",
            &[("sex", is("male"))],
        ),
        (
            "For patients with locally recurrent rectal cancer, surgery offers the best chance of cure.",
            &[("local_recurrence", Present)],
        ),
    ];
    for (sentence, expected) in cases {
        check(sentence, &[], expected);
    }
}

#[test]
fn sentences_without_conditions() {
    for sentence in [
        "Radiation therapy is commonly used in rectal cancer.",
        "HER2 testing should be performed on all tumors.",
        "Tumors should be tested to determine whether they are HER2-positive.",
        "Stage III colon cancer is treated with adjuvant chemotherapy.",
        "Metastatic disease is common at presentation.",
        "Chemotherapy after surgery improves survival.",
        "Prior radiation increases the risk of wound complications.",
        "Pembrolizumab with or without chemotherapy is an option.",
        "Patients should be counseled about the risks of surgery.",
        "Outcomes were similar in men and women.",
        "Radiotherapy was not given in the control arm.",
        "In a randomized trial, patients who received preoperative radiotherapy had lower local recurrence rates.",
        "Most patients present with metastatic disease.",
        "In patients receiving chemotherapy, antiemetic prophylaxis is recommended.",
        "Pregnancy testing is recommended before starting treatment.",
        "",
    ] {
        check(sentence, &[], &[]);
    }
}

#[test]
fn headings_condition_the_sentences_below_them() {
    let sentence = "Surgery is recommended.";
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, Requirement)]);
    let cases: &[Case] = &[
        (
            &[
                "Rectal Cancer",
                "Treatment Options for Patients With Prior Radiation",
            ],
            &[("radiotherapy", Present)],
        ),
        (
            &["Previously Untreated Metastatic Colorectal Cancer"],
            &[("prior_therapy", Absent), ("metastases", Present)],
        ),
        (&["Recurrent Rectal Cancer"], &[("recurrence", Present)]),
        (
            &["Treatment of Stage III Colon Cancer"],
            &[("stage", is("III"))],
        ),
        (
            &["Locally Advanced Rectal Cancer"],
            &[("metastases", Absent)],
        ),
        (&["Breast Cancer in Men"], &[("sex", is("male"))]),
        (&["Colon Cancer Treatment", "Adjuvant Chemotherapy"], &[]),
    ];
    for (context, expected) in cases {
        check(sentence, context, expected);
    }
    // A sentence's own condition on a concept replaces the heading's, an inner heading an
    // outer one.
    check(
        "For patients with stage II disease, observation is an option.",
        &["Stage III Colon Cancer"],
        &[("stage", is("II"))],
    );
    check(
        "Surgery is recommended.",
        &["Stage III Colon Cancer", "Stage IIIC"],
        &[("stage", is("IIIC"))],
    );
}

#[test]
fn conflicting_requirements_are_dropped() {
    check(
        "Outcomes differ between HER2-positive and HER2-negative disease in patients older than 70.",
        &[],
        &[("age", Above(70.0))],
    );
}

#[test]
#[ignore = "timing; run with --release --ignored"]
fn conditions_are_fast() {
    let lex = Lexicon::builtin();
    let context = vec![
        "Rectal Cancer Treatment".to_string(),
        "Treatment Options for Patients With Prior Radiation".to_string(),
    ];
    let sentences = [
        "For patients who have not received prior radiation, preoperative chemoradiation is recommended.",
        "Dose reduction is required in patients with creatinine clearance below 30 mL/min and in those older than 75 years.",
        "Trastuzumab is recommended for HER2-positive disease; HER2 testing should be performed on all tumors.",
        "Radiation therapy is commonly used in rectal cancer, and outcomes after surgery have improved over the past decades.",
    ];
    let _ = conditions(sentences[0], &context, lex);
    let n = 5_000;
    let t = std::time::Instant::now();
    for i in 0..n {
        std::hint::black_box(conditions(sentences[i % sentences.len()], &context, lex));
    }
    let per = t.elapsed() / n as u32;
    eprintln!("conditions: {per:?} per sentence");
    assert!(per < std::time::Duration::from_micros(50));
}

mod applicability;
mod branches;

#[test]
fn operability_is_a_condition() {
    check(
        "Patients who are not candidates for surgery may receive SBRT.",
        &[],
        &[("inoperable", Present)],
    );
    check(
        "For patients with resectable disease, lobectomy is the standard treatment.",
        &[],
        &[("operable", Present)],
    );
    // Alternatives joined by "or" are no requirement: the statement covers both.
    check(
        "Patients with potentially operable tumors with medical contraindications to surgery or those with inoperable disease are candidates for radiation therapy.",
        &[],
        &[],
    );
}

#[test]
fn a_study_population_is_read_past_its_arms_and_its_adjective_lists() {
    // The arms compared ("versus placebo") do not make the population either way.
    check(
        "A phase III trial assessed rucaparib versus placebo in 576 women with recurrent, high-grade ovarian cancer.",
        &[],
        &[("recurrence", Present), ("sex", is("female"))],
    );
    // A comma between the adjectives of one noun phrase does not end the population.
    check(
        "In a cohort of 500 patients with platinum-sensitive, recurrent ovarian cancer, 234 received niraparib maintenance treatment.",
        &[],
        &[("recurrence", Present)],
    );
    // A comma before the main clause does.
    check(
        "In patients with rectal cancer, surgery after chemoradiation is recommended.",
        &[],
        &[],
    );
}
