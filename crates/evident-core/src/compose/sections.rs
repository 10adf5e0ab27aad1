//! Which section a statement belongs in, the order of sections for each intent, and their titles.

use super::terms::Stem;
use crate::answer::SectionKind;
use crate::question::Intent;

/// Word stems that mark a statement's role; the kind with most cue hits wins, the headings
/// of the passage breaking ties.
const CUES: &[(SectionKind, &[&str])] = &[
    (
        SectionKind::Diagnosis,
        &[
            "biopsy", "mri", "imagin", "ct", "pet", "scan", "stagin", "restag", "diagno", "workup",
            "work-u", "evalua", "histol", "patholo", "confir", "assess", "detect", "marker", "cea",
            "sensit", "specif", "examin", "endosc", "colono", "ultras", "tested", "testin",
        ],
    ),
    (
        SectionKind::Treatment,
        &[
            "treatm", "therap", "resect", "surger", "surgic", "excisi", "chemot", "radiat",
            "radiot", "irradi", "regime", "admini", "dose", "cycles", "adjuva", "neoadj", "inhibi",
            "antago", "agonis", "recomm", "standa", "option", "indica", "curati", "exente",
            "ablati", "immuno", "consol", "mainte", "switch", "rotati", "mg",
        ],
    ),
    (
        SectionKind::Dosing,
        &[
            "mg", "kg", "m2", "µg", "mcg", "dose", "doses", "dosing", "dosage", "daily", "qd",
            "bid", "tid", "q6h", "q8h", "q12h", "po", "iv", "im", "sc", "sq", "maximu", "infusi",
            "oral", "orally",
        ],
    ),
    (
        SectionKind::Evidence,
        &[
            "trial", "random", "rct", "meta-a", "meta", "analys", "hazard", "hr", "ci", "median",
            "signif", "improv", "noninf", "superi", "inferi", "compar", "versus", "vs", "phase",
            "cohort", "outcom", "result", "endpoi", "observ", "subgro", "higher", "lower",
            "likely", "os", "pfs", "dfs", "idfs", "efs", "rate", "rates",
        ],
    ),
    (
        SectionKind::Considerations,
        &[
            "risk", "toxici", "advers", "compli", "morbid", "contra", "caution", "avoid",
            "interac", "should", "warran", "neurot", "side", "harm", "burden", "quality", "discon",
            "elderl", "older", "comorb", "renal", "kidney", "hepati", "pregna",
            // Harms by name.
            "neurop", "pneumo", "hypert", "hypoka", "seizur", "fatigu", "sedati", "qt", "qtc",
            "incont", "erecti", "impote", "bleedi", "infect", "cardio", "myelos", "neutro",
            "diarrh", "mucosi",
        ],
    ),
    (
        SectionKind::FollowUp,
        &[
            "survei", "follow", "monito", "month", "annual", "interva", "visit", "recurr",
            "mammog", "physic", "histor", "routin", "periodi", "relaps",
        ],
    ),
    (
        SectionKind::Prognosis,
        &[
            "prognos", "surviv", "mortal", "5-year", "year", "life", "outlook", "death", "die",
        ],
    ),
    (
        SectionKind::Screening,
        &["screen", "uspstf", "asympt", "averag", "interva", "eligib"],
    ),
    (
        SectionKind::Prevention,
        &[
            "preven", "prophy", "reduce", "lower", "vaccin", "avoid", "lifest",
        ],
    ),
];

/// How much a cue of the headings or list lead-in counts against one of the statement's
/// own words: a tie-breaker. Most headings of a treatment summary name treatment, so at
/// equal weight they would file every harm and every result under treatment.
const CONTEXT_WEIGHT: f32 = 0.1;

/// Scores a statement's fit to each section kind (the headings of its passage and the
/// lead-in of its list breaking ties); returns the best kind.
pub(crate) fn classify(
    stems: &[Stem],
    heading_stems: &[Stem],
    lead_stems: &[Stem],
    allowed: &[SectionKind],
) -> SectionKind {
    let mut best = (allowed[0], 0.0f32);
    for &kind in allowed {
        let context = cue_hits(kind, heading_stems) + cue_hits(kind, lead_stems);
        let score = cue_hits(kind, stems) as f32 + CONTEXT_WEIGHT * context as f32;
        if score > best.1 {
            best = (kind, score);
        }
    }
    best.0
}

/// How many of a statement's stems are cues of `kind`.
pub(crate) fn cue_hits(kind: SectionKind, stems: &[Stem]) -> usize {
    let cues = CUES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| *c)
        .unwrap_or(&[]);
    stems
        .iter()
        .filter(|s| cues.iter().any(|c| s.as_bytes().starts_with(c.as_bytes())))
        .count()
}

/// The sections an answer to this intent has, in order. The first is where the bottom line
/// is looked for.
pub(crate) fn layout(intent: Intent) -> &'static [SectionKind] {
    use SectionKind::*;
    match intent {
        Intent::NextStep => &[Diagnosis, Treatment, Considerations, FollowUp],
        Intent::Diagnosis => &[Diagnosis, Considerations, Treatment],
        Intent::Treatment | Intent::General | Intent::Mechanism => {
            &[Treatment, Evidence, Considerations, FollowUp]
        }
        Intent::Evidence => &[Evidence, Treatment, Considerations],
        Intent::FollowUp => &[FollowUp, Evidence, Considerations],
        Intent::Prognosis => &[Prognosis, Treatment, Considerations],
        Intent::Screening => &[Screening, Diagnosis, Considerations],
        Intent::Prevention => &[Prevention, Treatment, Considerations],
        Intent::Dosing => &[Treatment, Dosing, Considerations, Evidence],
        Intent::AdverseEffects => &[Considerations, Treatment, Evidence],
    }
}

/// The section kind the bottom line should come from.
pub(crate) fn primary(intent: Intent) -> SectionKind {
    match intent {
        Intent::NextStep => SectionKind::Treatment,
        other => layout(other)[0],
    }
}

pub(crate) fn title(kind: SectionKind, intent: Intent) -> &'static str {
    match (kind, intent) {
        (SectionKind::Diagnosis, Intent::NextStep) => "Confirming the diagnosis and staging",
        (SectionKind::Diagnosis, _) => "Diagnosis and workup",
        (SectionKind::Treatment, Intent::Dosing) => "Regimen",
        (SectionKind::Treatment, _) => "Treatment",
        (SectionKind::Evidence, _) => "What the evidence shows",
        (SectionKind::Considerations, Intent::AdverseEffects) => "Adverse effects",
        (SectionKind::Considerations, _) => "Considerations and pitfalls",
        (SectionKind::AdverseEffects, _) => "Adverse effects",
        (SectionKind::Dosing, _) => "Doses and administration",
        (SectionKind::Screening, _) => "Screening",
        (SectionKind::Prevention, _) => "Prevention",
        (SectionKind::Prognosis, _) => "Prognosis",
        (SectionKind::FollowUp, _) => "Follow-up",
        (SectionKind::Background, _) => "Background",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::terms::content_stems;

    #[test]
    fn statements_go_to_the_section_their_words_suggest() {
        let layout = layout(Intent::NextStep);
        let kind = |s: &str| classify(&content_stems(s), &[], &[], layout);
        assert_eq!(
            kind("Pelvic MRI and CT scan are used for restaging to detect distant disease."),
            SectionKind::Diagnosis
        );
        assert_eq!(
            kind("Surgical resection is the only potentially curative treatment option."),
            SectionKind::Treatment
        );
        assert_eq!(
            kind(
                "Surveillance with annual visits and history is recommended; follow-up continues."
            ),
            SectionKind::FollowUp
        );
    }

    #[test]
    fn a_harm_under_a_treatment_heading_is_a_consideration() {
        let layout = layout(Intent::Treatment);
        let heading = content_stems(
            "Treatment of early breast cancer › Adjuvant therapy › HER2-directed therapy",
        );
        let harm = content_stems(
            "Patients receiving T-DM1 were more likely to discontinue treatment because of an adverse event and had more sensory neuropathy.",
        );
        assert_eq!(
            classify(&harm, &heading, &[], layout),
            SectionKind::Considerations
        );
        // With no cue of its own, the heading decides.
        let plain = content_stems("Trastuzumab emtansine is given every 3 weeks.");
        assert_eq!(
            classify(&plain, &heading, &[], layout),
            SectionKind::Treatment
        );
    }

    #[test]
    fn a_dosing_answer_files_doses_apart_from_the_regimen() {
        let layout = layout(Intent::Dosing);
        let kind = |s: &str| classify(&content_stems(s), &[], &[], layout);
        assert_eq!(
            kind("Olanzapine: 10 mg PO qd days 1–4; PO; consider giving at bedtime."),
            SectionKind::Dosing
        );
        assert_eq!(
            kind(
                "A 5-HT3 receptor antagonist, an NK-1 receptor antagonist and dexamethasone are recommended before highly emetogenic chemotherapy."
            ),
            SectionKind::Treatment
        );
    }

    #[test]
    fn every_intent_has_a_layout_whose_first_section_has_a_title() {
        for intent in Intent::ALL {
            let l = layout(intent);
            assert!(!l.is_empty());
            assert!(!title(primary(intent), intent).is_empty());
        }
    }
}
