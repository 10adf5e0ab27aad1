//! Intent detection, table-driven: what a question asks for.

use super::*;

#[test]
fn intents() {
    use Intent::*;
    let cases: &[(&str, Intent)] = &[
        (CANONICAL, NextStep),
        ("How should this patient be managed?", NextStep),
        ("How is Hodgkin lymphoma staged?", Diagnosis),
        ("What are the symptoms of ovarian cancer?", Diagnosis),
        (
            "A pregnant woman at 20 weeks has stage II breast cancer. Can she receive chemotherapy?",
            Treatment,
        ),
        (
            "How are hot flashes managed in breast cancer survivors taking tamoxifen?",
            Treatment,
        ),
        (
            "Severe oral mucositis during radiation. How is it managed?",
            Treatment,
        ),
        (
            "62M s/p CRT with a new presacral mass. What should I do?",
            NextStep,
        ),
        (
            "On morphine 60 mg twice daily with new myoclonus. Should we keep increasing the dose? What should I suggest to the team?",
            NextStep,
        ),
        (
            "What is the next step in the workup of a 2 cm lung nodule?",
            Diagnosis,
        ),
        (
            "What imaging is recommended for staging rectal cancer?",
            Diagnosis,
        ),
        (
            "How is pulmonary embolism diagnosed in pregnancy?",
            Diagnosis,
        ),
        (
            "What is the first-line treatment for EGFR-mutated NSCLC?",
            Treatment,
        ),
        (
            "A 45-year-old woman with HER2-positive breast cancer after lumpectomy. What adjuvant therapy should she receive?",
            Treatment,
        ),
        (
            "Which drug is preferred for atrial fibrillation in CKD?",
            Treatment,
        ),
        (
            "What consolidation is given after chemoradiation for limited-stage SCLC?",
            Treatment,
        ),
        (
            "What antiemetic prophylaxis should be used with cisplatin?",
            Treatment,
        ),
        (
            "How should patients be followed up after resection of stage III colon cancer?",
            FollowUp,
        ),
        (
            "What surveillance is recommended after treatment of rectal cancer?",
            FollowUp,
        ),
        ("How often should CEA be checked after colectomy?", FollowUp),
        (
            "My urologist suggested active surveillance. What would that involve, and is it safe to wait?",
            Prognosis,
        ),
        // Two asking sentences: the cues of both count as asked.
        (
            "How should she be followed up after lumpectomy and radiation? She feels well. Is there a role for routine imaging or blood tests?",
            FollowUp,
        ),
        (
            "What is the prognosis of stage IV pancreatic cancer?",
            Prognosis,
        ),
        (
            "What is the 5-year survival for stage III colon cancer?",
            Prognosis,
        ),
        (
            "What is the life expectancy with metastatic melanoma?",
            Prognosis,
        ),
        (
            "Should a 45-year-old woman be screened for breast cancer?",
            Screening,
        ),
        (
            "How often should colonoscopy be done for colorectal cancer screening?",
            Screening,
        ),
        ("How can I prevent DVT after knee replacement?", Prevention),
        (
            "I'm at high risk. Is there a medicine that lowers my risk, and what are the downsides?",
            Prevention,
        ),
        (
            "How can she reduce the chance of breast cancer given her family history?",
            Prevention,
        ),
        (
            "How is tumor lysis syndrome prevented in patients starting chemotherapy?",
            Prevention,
        ),
        (
            "Is VTE prophylaxis needed after cancer surgery?",
            Prevention,
        ),
        (
            "What dose of enoxaparin for a patient with CrCl <30?",
            Dosing,
        ),
        ("How much vitamin D should I take?", Dosing),
        ("What are the side effects of capecitabine?", AdverseEffects),
        (
            "What are the complications of low anterior resection?",
            AdverseEffects,
        ),
        ("Is ibuprofen safe in pregnancy?", AdverseEffects),
        ("How does pembrolizumab work?", Mechanism),
        ("What is the mechanism of action of metformin?", Mechanism),
        (
            "What is the evidence for total neoadjuvant therapy in rectal cancer?",
            Evidence,
        ),
        (
            "Does adding oxaliplatin improve survival in stage II colon cancer?",
            Evidence,
        ),
        (
            "Is there evidence that aspirin reduces the risk of colorectal cancer?",
            Evidence,
        ),
        ("Tell me about rectal cancer.", General),
        ("Treatment-naive 70 year old with CrCl <30", General),
    ];
    for (question, expected) in cases {
        assert_eq!(run(question).intent, *expected, "«{question}»");
    }
}
