//! Patient facts read from concept mentions (treatments, conditions, findings, biomarkers, pregnancy, smoking), and the implications between facts (chemoradiation ⇒ chemotherapy and radiotherapy).

use super::assertion::{self, Kind, Mention, Polarity};
use super::{FactStatus, PatientFact};
use crate::lexicon::Category;

/// Findings that are outcomes, measurements or stage names rather than facts about the
/// patient; stages are read as values instead.
const NOT_FACT_FINDINGS: &[&str] = &[
    "overall_survival",
    "progression_free_survival",
    "disease_free_survival",
    "objective_response_rate",
    "relative_risk",
    "hazard_ratio",
    "mortality",
    "readmission",
    "blood_pressure",
    "systolic_blood_pressure",
    "diastolic_blood_pressure",
    "heart_rate",
    "respiratory_rate",
    "oxygen_saturation",
    "body_mass_index",
    "ejection_fraction",
    "stage_iii",
    "stage_iv",
];

/// Populations that are facts about the patient; sex and age are read as values.
const FACT_POPULATIONS: &[&str] = &["pregnancy", "smoker", "postmenopausal"];

use FactStatus::{Absent, Present};

/// What a fact implies: `(concept, status) ⇒ [(concept, status)]`. Applied transitively by
/// [`with_implications`].
type Implication = (
    &'static str,
    FactStatus,
    &'static [(&'static str, FactStatus)],
);

const IMPLIES: &[Implication] = &[
    (
        "chemoradiation",
        Present,
        &[("chemotherapy", Present), ("radiotherapy", Present)],
    ),
    (
        "total_neoadjuvant_therapy",
        Present,
        &[("chemotherapy", Present), ("radiotherapy", Present)],
    ),
    (
        "external_beam_radiotherapy",
        Present,
        &[("radiotherapy", Present)],
    ),
    ("sbrt", Present, &[("radiotherapy", Present)]),
    // Medically inoperable or unresectable: the branches for operable disease do not apply.
    ("inoperable", Present, &[("operable", Absent)]),
    ("operable", Present, &[("inoperable", Absent)]),
    (
        "triple_negative_breast_cancer",
        Present,
        &[
            ("her2", Absent),
            ("estrogen_receptor", Absent),
            ("progesterone_receptor", Absent),
            ("hormone_receptor_positive", Absent),
        ],
    ),
    (
        "stereotactic_radiosurgery",
        Present,
        &[("radiotherapy", Present)],
    ),
    ("imrt", Present, &[("radiotherapy", Present)]),
    ("brachytherapy", Present, &[("radiotherapy", Present)]),
    ("proton_therapy", Present, &[("radiotherapy", Present)]),
    (
        "short_course_radiotherapy",
        Present,
        &[("radiotherapy", Present)],
    ),
    ("fluorouracil", Present, &[("chemotherapy", Present)]),
    ("capecitabine", Present, &[("chemotherapy", Present)]),
    ("folfox", Present, &[("chemotherapy", Present)]),
    ("capox", Present, &[("chemotherapy", Present)]),
    ("folfiri", Present, &[("chemotherapy", Present)]),
    ("folfirinox", Present, &[("chemotherapy", Present)]),
    ("oxaliplatin", Present, &[("chemotherapy", Present)]),
    ("irinotecan", Present, &[("chemotherapy", Present)]),
    ("cisplatin", Present, &[("chemotherapy", Present)]),
    ("carboplatin", Present, &[("chemotherapy", Present)]),
    ("docetaxel", Present, &[("chemotherapy", Present)]),
    ("paclitaxel", Present, &[("chemotherapy", Present)]),
    ("gemcitabine", Present, &[("chemotherapy", Present)]),
    ("etoposide", Present, &[("chemotherapy", Present)]),
    ("pembrolizumab", Present, &[("immunotherapy", Present)]),
    ("nivolumab", Present, &[("immunotherapy", Present)]),
    ("atezolizumab", Present, &[("immunotherapy", Present)]),
    ("durvalumab", Present, &[("immunotherapy", Present)]),
    ("ipilimumab", Present, &[("immunotherapy", Present)]),
    ("trastuzumab", Present, &[("targeted_therapy", Present)]),
    ("pertuzumab", Present, &[("targeted_therapy", Present)]),
    ("bevacizumab", Present, &[("targeted_therapy", Present)]),
    ("cetuximab", Present, &[("targeted_therapy", Present)]),
    ("osimertinib", Present, &[("targeted_therapy", Present)]),
    (
        "tyrosine_kinase_inhibitor",
        Present,
        &[("targeted_therapy", Present)],
    ),
    (
        "aromatase_inhibitor",
        Present,
        &[("endocrine_therapy", Present)],
    ),
    ("tamoxifen", Present, &[("endocrine_therapy", Present)]),
    (
        "androgen_deprivation_therapy",
        Present,
        &[("endocrine_therapy", Present)],
    ),
    ("low_anterior_resection", Present, &[("surgery", Present)]),
    (
        "abdominoperineal_resection",
        Present,
        &[("surgery", Present)],
    ),
    (
        "total_mesorectal_excision",
        Present,
        &[("surgery", Present)],
    ),
    ("transanal_tme", Present, &[("surgery", Present)]),
    ("colectomy", Present, &[("surgery", Present)]),
    ("lumpectomy", Present, &[("surgery", Present)]),
    ("mastectomy", Present, &[("surgery", Present)]),
    ("radical_prostatectomy", Present, &[("surgery", Present)]),
    ("nephrectomy", Present, &[("surgery", Present)]),
    ("pancreaticoduodenectomy", Present, &[("surgery", Present)]),
    ("local_recurrence", Present, &[("recurrence", Present)]),
    ("braf_v600e", Present, &[("braf", Present)]),
    ("kras_g12c", Present, &[("kras", Present)]),
    ("brca1", Present, &[("brca", Present)]),
    ("brca2", Present, &[("brca", Present)]),
    (
        "estrogen_receptor",
        Present,
        &[("hormone_receptor_positive", Present)],
    ),
    (
        "progesterone_receptor",
        Present,
        &[("hormone_receptor_positive", Present)],
    ),
    (
        "triple_negative_breast_cancer",
        Present,
        &[
            ("breast_cancer", Present),
            ("her2", Absent),
            ("hormone_receptor_positive", Absent),
        ],
    ),
    (
        "mismatch_repair_deficient",
        Present,
        &[("mismatch_repair_proficient", Absent)],
    ),
    (
        "mismatch_repair_proficient",
        Present,
        &[("mismatch_repair_deficient", Absent)],
    ),
    (
        "locally_advanced_rectal_cancer",
        Present,
        &[("rectal_cancer", Present), ("metastases", Absent)],
    ),
    // Drugs reach the whole body.
    ("chemotherapy", Present, &[("systemic_therapy", Present)]),
    ("immunotherapy", Present, &[("systemic_therapy", Present)]),
    (
        "targeted_therapy",
        Present,
        &[("systemic_therapy", Present)],
    ),
    (
        "endocrine_therapy",
        Present,
        &[("systemic_therapy", Present)],
    ),
    // No disease is left to have come back.
    (
        "complete_response",
        Present,
        &[("recurrence", Absent), ("local_recurrence", Absent)],
    ),
    ("radiotherapy", Absent, &[("chemoradiation", Absent)]),
    // Androgen deprivation is hormone therapy: a hormone-naive patient has not had it.
    (
        "endocrine_therapy",
        Absent,
        &[("androgen_deprivation_therapy", Absent)],
    ),
    ("chemotherapy", Absent, &[("chemoradiation", Absent)]),
    (
        "hormone_receptor_positive",
        Absent,
        &[
            ("estrogen_receptor", Absent),
            ("progesterone_receptor", Absent),
        ],
    ),
    (
        "prior_therapy",
        Absent,
        &[
            ("chemotherapy", Absent),
            ("radiotherapy", Absent),
            ("immunotherapy", Absent),
            ("targeted_therapy", Absent),
            ("endocrine_therapy", Absent),
        ],
    ),
    ("braf", Absent, &[("braf_v600e", Absent)]),
    ("kras", Absent, &[("kras_g12c", Absent)]),
    ("brca", Absent, &[("brca1", Absent), ("brca2", Absent)]),
];

/// What `(concept, status)` implies directly.
pub(crate) fn implied(concept: &str, status: FactStatus) -> &'static [(&'static str, FactStatus)] {
    IMPLIES
        .iter()
        .find(|(c, s, _)| *c == concept && *s == status)
        .map_or(&[], |(_, _, to)| to)
}

/// The facts with everything they imply (transitively) appended after each, each implied
/// fact carrying the text of the fact it comes from. Facts already stated are not repeated.
pub(crate) fn with_implications(facts: Vec<PatientFact>) -> Vec<PatientFact> {
    let mut out: Vec<PatientFact> = Vec::with_capacity(facts.len());
    for fact in facts {
        let mut stack = vec![fact];
        while let Some(f) = stack.pop() {
            let next: Vec<PatientFact> = implied(&f.concept, f.status)
                .iter()
                .rev()
                .map(|&(c, s)| PatientFact {
                    concept: c.to_string(),
                    status: s,
                    value: None,
                    text: f.text.clone(),
                })
                .collect();
            out.push(f);
            stack.extend(next);
        }
    }
    out
}

/// Whether a mention can become a fact.
fn is_fact_concept(m: &Mention) -> bool {
    match m.category {
        Category::Population => FACT_POPULATIONS.contains(&m.concept.as_str()),
        Category::Finding => !NOT_FACT_FINDINGS.contains(&m.concept.as_str()),
        _ => Kind::of(m.category).is_some(),
    }
}

/// Facts read from the mentions of `text`, each with the byte offset it starts at.
pub(super) fn concept_facts(text: &str, mentions: &[Mention]) -> Vec<(usize, PatientFact)> {
    let mut out = Vec::new();
    // The last treatment mention and its assertion, for lists ("no prior X, Y or Z").
    let mut last_treatment: Option<(usize, assertion::Assertion)> = None;
    for m in mentions.iter().filter(|m| is_fact_concept(m)) {
        let Some(a) = assertion::assess_in_list(text, m, &mut last_treatment) else {
            continue;
        };
        let status = match a.polarity {
            Polarity::Positive => Present,
            Polarity::Negative => Absent,
        };
        let words = text[a.start..a.end].trim().to_string();
        // "has not received chemotherapy and radiation": neither part was given.
        let parts: &[(&str, FactStatus)] =
            if status == Absent && text[m.start..m.end].to_lowercase().contains(" and ") {
                implied(&m.concept, Present)
            } else {
                &[]
            };
        out.push((
            a.start,
            PatientFact {
                concept: m.concept.clone(),
                status,
                value: None,
                text: words.clone(),
            },
        ));
        for (part, _) in parts {
            out.push((
                a.start,
                PatientFact {
                    concept: part.to_string(),
                    status: Absent,
                    value: None,
                    text: words.clone(),
                },
            ));
        }
    }
    out
}
