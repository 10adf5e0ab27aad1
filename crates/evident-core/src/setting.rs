//! The care setting, read the same way in questions and statements: outpatient (or home), emergency department, inpatient, intensive care; and which settings are compatible.
//!
//! A question states where the patient is cared for now ("will be treated as an
//! outpatient", "in the ED", "admitted to the ICU"); a guideline statement names the
//! setting it is written for ("Inpatients with severe pneumonia should receive ...", "In
//! outpatients, routine cultures are not recommended"). A statement for inpatients does
//! not apply to an outpatient, and the reverse; an emergency-department patient may go
//! either way, so the emergency setting leaves other settings open.

use std::sync::LazyLock;

use regex::Regex;

/// Where a patient is cared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Outpatient,
    Emergency,
    Inpatient,
    Icu,
}

impl Setting {
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Outpatient => "outpatient",
            Setting::Emergency => "emergency",
            Setting::Inpatient => "inpatient",
            Setting::Icu => "icu",
        }
    }

    pub fn parse(s: &str) -> Option<Setting> {
        [
            Setting::Outpatient,
            Setting::Emergency,
            Setting::Inpatient,
            Setting::Icu,
        ]
        .into_iter()
        .find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether a statement written for `self` applies to a patient in `patient`:
    /// `Some(true)` it does, `Some(false)` it does not, `None` open. An ICU patient is an
    /// inpatient; an emergency-department patient may be admitted or sent home.
    pub fn fits(self, patient: Setting) -> Option<bool> {
        use Setting::*;
        match (self, patient) {
            (a, b) if a == b => Some(true),
            (Inpatient, Icu) => Some(true),
            (Emergency, _) | (_, Emergency) | (Icu, Inpatient) => None,
            (Outpatient, Inpatient | Icu) | (Inpatient | Icu, Outpatient) => Some(false),
            _ => None,
        }
    }
}

fn re(pattern: &str) -> Regex {
    crate::pattern::regex(pattern).expect("setting pattern")
}

/// Wordings of each setting in a question, with the setting they name.
static IN_QUESTION: LazyLock<Vec<(Regex, Setting)>> = LazyLock::new(|| {
    vec![
        (
            re(
                r"(?i)\b(?:out-?patients?|ambulatory|(?:at|in) (?:the |a |her |his )?(?:clinic|office)|primary care|(?:treated|managed|cared for) at home)\b",
            ),
            Setting::Outpatient,
        ),
        (
            re(
                r"(?i)\b(?:emergency (?:department|room)|(?:in|to|at) the (?:ED|ER)|A&E)\b|\bED\b(?: (?:visit|physician|doctor))",
            ),
            Setting::Emergency,
        ),
        (
            re(
                r"(?i)\b(?:in-?patients?|hospitali[sz]ed|admitted(?: to (?:the )?(?:hospital|ward|medical ward))?|in hospital|on the ward)\b",
            ),
            Setting::Inpatient,
        ),
        (
            re(r"(?i)\b(?:ICU|intensive care(?: unit)?|critical care|critically ill)\b"),
            Setting::Icu,
        ),
    ]
});

/// Words just before a setting that place it in the past or deny it ("no hospitalization",
/// "recently hospitalized", "prior admission").
static NOT_NOW: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:no|not|never|without|prior|previous(?:ly)?|recent(?:ly)?|past|earlier|last|history of|h/o)\b[\w\s,-]{0,20}$",
    )
});

/// The setting the question places the patient in now: the last one it names that is not
/// denied or past, with the words that name it.
pub fn in_question(text: &str) -> Option<(usize, Setting, String)> {
    let mut found: Vec<(usize, Setting, String)> = Vec::new();
    for (pattern, setting) in IN_QUESTION.iter() {
        for m in pattern.find_iter(text) {
            let before = &text[..m.start()];
            let clause_start = before.rfind(['.', ';', '?', '!']).map_or(0, |i| i + 1);
            if NOT_NOW.is_match(&before[clause_start..]) {
                continue;
            }
            found.push((m.start(), *setting, m.as_str().to_string()));
        }
    }
    found.into_iter().max_by_key(|(at, _, _)| *at)
}

/// Populations named by their setting in a statement.
static IN_STATEMENT: LazyLock<Vec<(Regex, Setting)>> = LazyLock::new(|| {
    vec![
        (
            re(
                r"(?i)\b(?:out-?patients|ambulatory (?:patients|adults|care)|in the outpatient setting|in (?:an? )?outpatient settings?)\b",
            ),
            Setting::Outpatient,
        ),
        (
            re(
                r"(?i)\b(?:in-?patients|hospitali[sz]ed (?:patients|adults|children|people|infants)|patients (?:who are )?(?:hospitali[sz]ed|admitted to hospital)|in the inpatient setting)\b",
            ),
            Setting::Inpatient,
        ),
        (
            re(
                r"(?i)\b(?:ICU patients|patients (?:in|admitted to) (?:the )?(?:ICU|intensive care(?: unit)?)|critically ill (?:patients|adults))\b",
            ),
            Setting::Icu,
        ),
    ]
});

/// The settings a statement is written for, with their words; none when it names both
/// outpatients and inpatients ("inpatients and outpatients alike").
pub fn in_statement(text: &str) -> Vec<(Setting, String)> {
    let mut out: Vec<(Setting, String)> = Vec::new();
    for (pattern, setting) in IN_STATEMENT.iter() {
        if let Some(m) = pattern.find(text) {
            out.push((*setting, m.as_str().to_string()));
        }
    }
    let outpatient = out.iter().any(|(s, _)| *s == Setting::Outpatient);
    let admitted = out
        .iter()
        .any(|(s, _)| matches!(s, Setting::Inpatient | Setting::Icu));
    if outpatient && admitted {
        return Vec::new();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(text: &str) -> Option<Setting> {
        in_question(text).map(|(_, s, _)| s)
    }

    #[test]
    fn a_question_places_the_patient_now() {
        assert_eq!(
            asked("68-year-old with pneumonia will be treated as an outpatient."),
            Some(Setting::Outpatient)
        );
        assert_eq!(
            asked("Presents to the ED with chest pain; admitted to the ICU on pressors."),
            Some(Setting::Icu)
        );
        assert_eq!(
            asked("Seen in the emergency department today."),
            Some(Setting::Emergency)
        );
        // Denied or past settings are not where the patient is now.
        assert_eq!(
            asked("No hospitalization or IV antibiotics in the past 90 days. Which regimen?"),
            None
        );
        assert_eq!(asked("She was recently hospitalized for pneumonia."), None);
        assert_eq!(asked("Erectile dysfunction (ED) on sildenafil."), None);
        assert_eq!(asked("What dose of apixaban?"), None);
    }

    #[test]
    fn a_statement_names_the_setting_it_is_written_for() {
        let first = |t: &str| in_statement(t).first().map(|(s, _)| *s);
        assert_eq!(
            first(
                "Inpatients with severe pneumonia should receive a beta-lactam plus a macrolide."
            ),
            Some(Setting::Inpatient)
        );
        assert_eq!(
            first("In outpatients, routine sputum and blood cultures are not recommended."),
            Some(Setting::Outpatient)
        );
        assert_eq!(
            first("Critically ill patients need a norepinephrine infusion."),
            Some(Setting::Icu)
        );
        assert_eq!(first("Both inpatients and outpatients benefit."), None);
        assert_eq!(first("Amoxicillin is first-line."), None);
    }

    #[test]
    fn settings_fit_as_care_does() {
        use Setting::*;
        assert_eq!(Inpatient.fits(Outpatient), Some(false));
        assert_eq!(Outpatient.fits(Icu), Some(false));
        assert_eq!(Inpatient.fits(Icu), Some(true));
        assert_eq!(Icu.fits(Inpatient), None);
        assert_eq!(Outpatient.fits(Emergency), None);
        assert_eq!(Emergency.fits(Emergency), Some(true));
    }
}
