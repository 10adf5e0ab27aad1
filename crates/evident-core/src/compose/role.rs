//! What a statement does for a reader: recommends, reports a finding, describes how a study was run, gives background, or reports research still running.
//!
//! A consultant answers with recommendations and findings; a study's design without its
//! result, textbook background (what a drug is, how staging is named, what was done in the
//! 1980s) and research not yet reported spend the reader's words on nothing they can use.

use crate::pattern::Phrases;

/// The role of a statement, read from its wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Says what to do ("is recommended", "should", "is the standard", "is an option").
    Recommendation,
    /// Reports what was found (a figure, a comparison, an effect).
    Finding,
    /// Describes how a study was run, without its result.
    Design,
    /// Research still running ("a trial is ongoing").
    UnderWay,
    /// Describes a drug, a classification or history rather than care.
    Background,
    /// Says what is not yet known or what research is needed ("larger studies are
    /// needed"): honest, but no answer, and its "needed" is not advice.
    Gap,
    /// None of these.
    Other,
}

impl Role {
    pub(crate) fn of(text: &str) -> Role {
        let lower = text.to_ascii_lowercase();
        if UNDER_WAY.is_match(&lower) {
            Role::UnderWay
        } else if GAP.is_match(&lower) {
            Role::Gap
        } else if is_background(&lower) {
            Role::Background
        } else if HYPOTHESIS.is_match(&lower)
            || ELIGIBILITY.is_match(&lower)
            || (DESIGN.is_match(&lower) && !has_result(text, &lower))
        {
            // "Patients were randomly assigned to topotecan, which is the standard of
            // care, or ...": a design, whatever words of practice it holds.
            Role::Design
        } else if ACTIONABLE.is_match(&lower) {
            Role::Recommendation
        } else if has_result(text, &lower) {
            Role::Finding
        } else {
            Role::Other
        }
    }
}

/// What is still unknown and the research it needs.
static GAP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::pattern::regex(
        r"\b(?:further|more|larger|additional|future|longer|mature|prospective|randomized|confirmatory)\s+(?:\w+\s+){0,2}(?:studies|study|trials|trial|research|data|investigation|evaluation|follow-up)\b[^.;]{0,150}?\b(?:is|are|will be)\s+(?:needed|necessary|required|warranted)|(?:remains?|is|are)\s+(?:still\s+)?(?:unclear|unknown|to be (?:determined|defined|established))|(?:has|have)\s+not\s+(?:yet\s+)?been\s+(?:established|defined|determined)",
    )
    .expect("gap regex")
});

/// Words that make a statement a recommendation a reader can act on.
static ACTIONABLE: Phrases = Phrases::new(&[
    "recommend",
    "should",
    // "Standard" and "option" as what is done, not as a modifier ("standard
    // postoperative monitoring programs have not been shown ...").
    "is standard",
    "are standard",
    "is the standard",
    "is a standard",
    "as standard",
    "acceptable standard",
    "standard of care",
    "standard treatment",
    "standard therapy",
    "standard regimen",
    "standard approach",
    "preferred",
    "is indicated",
    "are indicated",
    "is an option",
    "are an option",
    "is a reasonable option",
    "options include",
    "options are",
    "treatment option",
    "only potentially curative",
    "is the treatment",
    "is needed",
    "are needed",
    "is necessary",
    "are necessary",
    "may be candidates for",
    "are candidates for",
    "may be offered",
    "can be offered",
    "first-line",
    "is used",
    "are used",
    "is offered",
    "are offered",
    // "Consider ...", "should be considered", "is considered standard"; not a study's
    // "patients were considered at higher risk".
    "consider ",
    "be considered",
    "is considered",
    "are considered",
    "is encouraged",
    "are encouraged",
    " must ",
    "is required",
    "is advised",
    "is appropriate",
    "can be limited",
    "cornerstone",
    "mainstay",
    "best managed",
    "is not desirable",
    "may not be desirable",
    "warrant",
]);

/// Reports research still running ("a trial is ongoing", "is being studied") rather than a
/// finding or a practice.
static UNDER_WAY: Phrases = Phrases::new(&[
    "is ongoing",
    "are ongoing",
    "is underway",
    "are underway",
    "is under way",
    "are under way",
    "is being studied",
    "are being studied",
    "is being evaluated",
    "are being evaluated",
    "is being tested",
    "are being tested",
    "under investigation",
    "under clinical evaluation",
    "under evaluation",
    "results are awaited",
    "results are pending",
]);

/// A figure, a comparison or an effect.
fn has_result(text: &str, lower: &str) -> bool {
    let median_figure = lower.contains("median ")
        && !lower.contains("median follow")
        && !lower.contains("median age")
        && text.bytes().any(|b| b.is_ascii_digit());
    median_figure || text.contains('%') || RESULT.is_match(lower)
}

static RESULT: Phrases = Phrases::new(&[
    "improv",
    "reduc",
    "increas",
    "decreas",
    "signific",
    "superior",
    "inferior",
    "no difference",
    "similar",
    "hazard",
    "hr,",
    "benefit",
    "longer",
    "shorter",
    "higher",
    "lower",
    "prolong",
    "not ",
    "were associated",
    "was associated",
    "risk of",
]);

/// What a study set out to show, figures included ("a 12% higher OS was considered
/// clinically significant"): its hypothesis, not its result.
static HYPOTHESIS: Phrases = Phrases::new(&[
    "was considered clinically significant",
    "were considered clinically significant",
    "powered to",
    "power to detect",
    "power to show",
    "designed to detect",
    "sample size",
    "was hypothesized",
    "were hypothesized",
    "to show superiority",
    "to demonstrate superiority",
    "to show noninferiority",
    "to demonstrate noninferiority",
]);

/// Who a study took in or left out, figures included ("patients with a score higher than
/// 1 were excluded").
static ELIGIBILITY: Phrases = Phrases::new(&[
    "were excluded",
    "was excluded",
    "were ineligible",
    "inclusion criteria",
    "exclusion criteria",
    "were eligible if",
]);

/// How a study was run: its arms, eligibility, stratification and end points.
static DESIGN: Phrases = Phrases::new(&[
    "randomly assigned",
    "randomized",
    "evaluated",
    "enrolled",
    "compared",
    "included",
    "investigated",
    "studied",
    "primary end point",
    "primary endpoint",
    "secondary end point",
    "end points were",
    "stratified",
    "eligib",
    "permissible",
    "were permitted",
    "were allowed",
    "has been tested",
    "have been tested",
    "have addressed",
    "has addressed",
    "summarizes",
    "were required",
    "assessed the",
    "were screened",
    "at least one dose",
    "examined the",
    "explored the",
    "was excluded",
]);

/// What a drug is, how a classification is named, or what was done decades ago.
fn is_background(lower: &str) -> bool {
    const DESCRIBES: &[&str] = &[
        " is a substituted ",
        " is a synthetic ",
        " is a competitive ",
        " is a selective ",
        " is a humanized ",
        " is a recombinant ",
        " is a small-molecule ",
        "the monoclonal antibody ",
        " inhibits the receptor",
        " binds to ",
        "mechanism of action",
        "is highly innervated",
        "has designated",
        "is classified into",
        "are classified into",
        "organ-specific marker",
        "historically,",
        "late 1970s",
        "the 1970s",
        "the 1980s",
        "the 1990s",
        "was considered the most effective",
    ];
    static ANY: Phrases = Phrases::new(DESCRIBES);
    ANY.is_match(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_have_the_role_their_wording_gives() {
        let cases = [
            (
                "For patients receiving regimens with high emetogenic potential, the combination is recommended prechemotherapy.",
                Role::Recommendation,
            ),
            (
                "The median PFS was 39.1 months with osimertinib and 5.6 months with placebo.",
                Role::Finding,
            ),
            (
                "The primary end point was PFS as assessed by blinded independent central review.",
                Role::Design,
            ),
            (
                "Patients were prospectively stratified as having high- versus low-volume disease.",
                Role::Design,
            ),
            (
                "Metoclopramide is a substituted benzamide that blocks dopamine receptors.",
                Role::Background,
            ),
            (
                "A multicenter phase I/II trial is ongoing to identify the maximum tolerated dose.",
                Role::UnderWay,
            ),
            ("Bone scans are read by radiologists.", Role::Other),
            (
                "More mature data are necessary to determine whether platinum sensitivity predicts response.",
                Role::Gap,
            ),
            (
                "Larger studies, including maintenance inhibitors with longer follow-up, are needed.",
                Role::Gap,
            ),
            (
                "The optimal duration of maintenance therapy remains unclear.",
                Role::Gap,
            ),
            (
                "Patients with an ECOG PS score higher than 1 were excluded.",
                Role::Design,
            ),
            (
                "Treatment is needed when symptoms appear.",
                Role::Recommendation,
            ),
            (
                "Patients were randomly assigned to topotecan, which is the standard of care, or to a doublet.",
                Role::Design,
            ),
            (
                "A 12% higher OS at 2 years was considered clinically significant to show superiority.",
                Role::Design,
            ),
            (
                "Patients were considered at higher risk of recurrence on the basis of tumor size.",
                Role::Finding,
            ),
            (
                "Bone-modifying therapy should be considered for patients with bone metastases.",
                Role::Recommendation,
            ),
            (
                "After dental surgery, the dental specialist must evaluate patients frequently.",
                Role::Recommendation,
            ),
            (
                "The trial was designed to have 80% power to detect a 10% difference in local recurrence.",
                Role::Design,
            ),
            (
                "To date, no trials have documented a benefit for standard postoperative monitoring programs.",
                Role::Finding,
            ),
        ];
        for (text, role) in cases {
            assert_eq!(Role::of(text), role, "{text}");
        }
    }
}
