//! Conditions read with patterns rather than lexicon concepts: age and kidney-function thresholds, stage and extent, sex, pregnancy, and the care setting.
//!
//! # Bounds
//!
//! [`Requirement::Below`] and [`Requirement::Above`] are strict. A strict wording ("older
//! than 70", "CrCl < 30", "eGFR less than 30") gives the number itself. An inclusive
//! wording ("aged 70 years or older", "≥ 65 years", "at least 30", "30 or less") gives the
//! number moved by half a unit (`Above(69.5)`, `Below(30.5)`): the quantities bounded here
//! (age in years, creatinine clearance and eGFR in mL/min) are reported as whole numbers.
//! A range ("aged 50 to 75", "CrCl 30-50") is inclusive at both ends and gives two
//! conditions.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::scope::{self, Scope};
use super::{Condition, Requirement};
use crate::question::values::roman;

/// Half a unit: how far an inclusive bound moves.
const HALF: f64 = 0.5;

fn re(pattern: &str) -> Regex {
    crate::pattern::regex(pattern).expect("condition pattern")
}

fn condition(concept: &str, requires: Requirement, text: &str) -> Condition {
    Condition {
        concept: concept.to_string(),
        requires,
        text: text.trim().to_string(),
    }
}

/// The requirement for a comparator wording and a number.
fn bound(op: &str, n: f64) -> Option<Requirement> {
    let op = op.trim().to_lowercase();
    let op = op.as_str();
    Some(match op {
        "<" | "below" | "under" | "less than" | "lower than" | "younger than" | "fewer than"
        | "of less than" => Requirement::Below(n),
        "≤" | "<=" | "or less" | "or younger" | "or under" | "or below" | "or lower"
        | "at most" | "up to" | "and under" | "and younger" | "and below" => {
            Requirement::Below(n + HALF)
        }
        ">" | "above" | "over" | "greater than" | "more than" | "older than" | "higher than"
        | "exceeding" | "of more than" => Requirement::Above(n),
        "≥" | ">=" | "or older" | "or more" | "or over" | "or above" | "or greater"
        | "or higher" | "at least" | "of at least" | "and older" | "and over" | "and above" => {
            Requirement::Above(n - HALF)
        }
        _ => return None,
    })
}

const STRICT_OPS: &str = r"<=|>=|<|>|≤|≥|below|under|less than|lower than|fewer than|greater than|above|over|more than|higher than|at least|at most|up to|exceeding";
const SUFFIX_OPS: &str =
    r"(?:or|and) (?:older|younger|over|under|above|below|less|more|greater|lower|higher)";

static AGE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(
            r"(?i)\b(?P<op>older than|younger than)\s+(?P<n>\d{1,3})\b(?:\s*(?:years?|yrs?)(?:\s+(?:of age|old))?)?",
        ),
        // "70 or older": "older"/"younger" say it is an age ...
        re(
            r"(?i)\b(?:aged?\s+)?(?P<n>\d{1,3})\s*(?:years?|yrs?)?(?:\s+(?:of age|old))?\s+(?P<op>(?:or|and) (?:older|younger))\b",
        ),
        // ... other suffixes need "aged" or "years old"/"of age" ("6 or more criteria",
        // "a pH of 7.3 or more" and "for 2 years or more" are not ages).
        re(&format!(
            r"(?i)\baged?\s+(?P<n>\d{{1,3}})\s*(?:years?|yrs?)?(?:\s+(?:of age|old))?\s+(?P<op>{SUFFIX_OPS})\b"
        )),
        re(&format!(
            r"(?i)\b(?P<n>\d{{1,3}})\s*(?:years?|yrs?)\s+(?:of age|old)\s+(?P<op>{SUFFIX_OPS})\b"
        )),
        re(&format!(
            r"(?i)\b(?:aged?|ages?)\s*(?P<op>{STRICT_OPS})\s*(?P<n>\d{{1,3}})\b(?:\s*(?:years?|yrs?))?"
        )),
        re(
            r"(?i)(?P<op><=|>=|<|>|≤|≥)\s*(?P<n>\d{1,3})\s*(?:years?|yrs?|y)\b(?:\s+(?:of age|old))?",
        ),
        re(
            r"(?i)\b(?P<op>over|under|above|below)\s+(?:the\s+)?age\s+(?:of\s+)?(?P<n>\d{1,3})\b(?:\s*(?:years?|yrs?))?",
        ),
        re(
            r"(?i)\b(?P<op>over|under|above|below)\s+(?P<n>\d{1,3})\s*(?:years?|yrs?)\b(?:\s+(?:of age|old))?",
        ),
    ]
});

static AGE_RANGE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(
            r"(?i)\b(?:aged?|ages?|between (?:the )?ages? (?:of )?)\s*(?P<a>\d{1,3})\s*(?:to|-|–|and|through)\s*(?P<b>\d{1,3})\b(?:\s*(?:years?|yrs?)(?:\s+(?:of age|old))?)?",
        ),
        re(
            r"(?i)\b(?P<a>\d{1,3})\s*(?:to|-|–)\s*(?P<b>\d{1,3})\s*(?:years?|yrs?)\s+(?:of age|old)\b",
        ),
    ]
});

/// "≥65 y": the one age wording without "age", "year", "older" or "younger".
static YEARS_SHORT: LazyLock<Regex> = LazyLock::new(|| re(r"\d\s*y\b"));

const KIDNEY_NAME: &str =
    r"(?:creatinine clearance|CrCl|CLcr|e?GFR|(?:estimated )?glomerular filtration rate)";
const KIDNEY_UNIT: &str = r"(?:\s*mL/min(?:(?:/|\s+per\s+)1\.73\s*m(?:2|²))?)?";

static KIDNEY: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(&format!(
            r"(?i)\b{KIDNEY_NAME}(?:\s*\([^)]{{0,20}}\))?\s*(?:(?:of|is|was|values?)\s+)?(?P<op>{STRICT_OPS}|of less than|of more than|of at least)\s*(?P<n>\d+(?:\.\d+)?){KIDNEY_UNIT}"
        )),
        re(&format!(
            r"(?i)\b{KIDNEY_NAME}(?:\s+of)?\s*(?P<n>\d+(?:\.\d+)?){KIDNEY_UNIT}\s+(?P<op>or (?:less|lower|below|greater|more|higher|above))\b"
        )),
    ]
});

static KIDNEY_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b{KIDNEY_NAME}(?:\s+(?:of|between))?\s*(?P<a>\d+(?:\.\d+)?)\s*(?:to|-|–|and)\s*(?P<b>\d+(?:\.\d+)?){KIDNEY_UNIT}"
    ))
});

const PSA_NAME: &str =
    r"(?:PSA|prostate[- ]specific antigen)(?:\s*\(PSA\))?(?:\s+(?:level|value|concentration))?";

/// "PSA level is at least 10", "PSA <10 ng/mL": stage groups and risk groups of prostate
/// cancer are written with them.
static PSA: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![re(&format!(
        r"(?i)\b{PSA_NAME}\s*(?:(?:is|was|of)\s+)?(?P<op>{STRICT_OPS}|of less than|of more than|of at least)\s*(?P<n>\d+(?:\.\d+)?)"
    ))]
});

/// "PSA level is at least 10 but less than 20", "PSA between 10 and 20".
static PSA_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b{PSA_NAME}\s*(?:is\s+)?(?:at least|≥|>=|between)\s*(?P<a>\d+(?:\.\d+)?)\s*(?:but|and)\s*(?:less than|lower than|below|under|<)?\s*(?P<b>\d+(?:\.\d+)?)"
    ))
});

fn number(c: &Captures<'_>, name: &str) -> Option<f64> {
    c.name(name)?.as_str().parse().ok()
}

/// Age, kidney-function and PSA thresholds anywhere in `text`: a comparator with a number is a
/// population qualifier wherever it stands.
pub(super) fn thresholds(text: &str, lower: &str, out: &mut Vec<Condition>) {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return;
    }
    let kidney = ["gfr", "crcl", "clcr", "creatinine", "glomerular"]
        .iter()
        .any(|k| lower.contains(k));
    let age = ["age", "year", "yr", "older", "younger"]
        .iter()
        .any(|k| lower.contains(k))
        || YEARS_SHORT.is_match(lower);
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let push_range =
        |re: &Regex, concept: &str, out: &mut Vec<Condition>, taken: &mut Vec<(usize, usize)>| {
            for c in re.captures_iter(text) {
                let m = c.get(0).expect("match");
                let (Some(a), Some(b)) = (number(&c, "a"), number(&c, "b")) else {
                    continue;
                };
                if a >= b {
                    continue;
                }
                taken.push((m.start(), m.end()));
                out.push(condition(concept, Requirement::Above(a - HALF), m.as_str()));
                out.push(condition(concept, Requirement::Below(b + HALF), m.as_str()));
            }
        };
    let psa = lower.contains("psa") || lower.contains("prostate-specific antigen");
    for r in AGE_RANGE.iter().filter(|_| age) {
        push_range(r, "age", out, &mut taken);
    }
    if kidney {
        push_range(&KIDNEY_RANGE, "kidney_function", out, &mut taken);
    }
    if psa {
        push_range(&PSA_RANGE, "psa", out, &mut taken);
    }
    let groups: [(&[Regex], &str); 3] =
        [(&AGE, "age"), (&KIDNEY, "kidney_function"), (&PSA, "psa")];
    for (regexes, concept) in groups {
        if (concept == "kidney_function" && !kidney)
            || (concept == "age" && !age)
            || (concept == "psa" && !psa)
        {
            continue;
        }
        for r in regexes {
            for c in r.captures_iter(text) {
                let m = c.get(0).expect("match");
                if taken.iter().any(|&(s, e)| m.start() < e && s < m.end()) {
                    continue;
                }
                let (Some(op), Some(n)) = (c.name("op"), number(&c, "n")) else {
                    continue;
                };
                if let Some(req) = bound(op.as_str(), n) {
                    taken.push((m.start(), m.end()));
                    out.push(condition(concept, req, m.as_str()));
                }
            }
        }
    }
}

static STAGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bstages?\s+(?:IV|I{1,3}|0|[1-4])(?:[A-C]\d?)?\b(?:\s*(?:,|or|and|to|through|-|–|/)\s*(?:(?:or|and)\s+)?(?:stage\s+)?(?:IV|I{1,3}|0|[1-4])(?:[A-C]\d?)?\b)*",
    )
});
static NUMERAL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(IV|I{1,3}|0|[1-4])([A-C])?\d?\b|(\bto\b|\bthrough\b|-|–)"));
const ROMAN_ORDER: [&str; 5] = ["0", "I", "II", "III", "IV"];

/// The stages named by a stage phrase, ranges filled in ("stage I-III" → I/II/III).
fn stage_values(phrase: &str) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    let mut range_pending = false;
    let body = phrase.get(5..).unwrap_or("");
    for c in NUMERAL.captures_iter(body) {
        if c.get(3).is_some() {
            range_pending = !values.is_empty();
            continue;
        }
        let main = roman(&c[1]);
        let value = match c.get(2) {
            Some(l) => format!("{main}{}", l.as_str().to_uppercase()),
            None => main.clone(),
        };
        if range_pending {
            if let (Some(last), Some(to)) = (
                values
                    .last()
                    .and_then(|v| ROMAN_ORDER.iter().position(|r| v == r)),
                ROMAN_ORDER.iter().position(|r| *r == main),
            ) {
                for r in ROMAN_ORDER.iter().take(to).skip(last + 1) {
                    values.push(r.to_string());
                }
            }
            range_pending = false;
        }
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
}

static SEX: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(
            r"(?i)\b(?:in|for|among|amongst|to)\s+(?:[\w-]+\s+){0,3}?(?:(women|woman|females|girls)|(men|man|males|boys))\b",
        ),
        re(r"(?i)^\W*(?:[\w-]+\s+){0,3}?(?:(women|females)|(men|males))\b"),
    ]
});

static BOTH_SEXES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:men|women|males|females|boys|girls)\s+(?:and|or|vs\.?|versus)\s+(?:men|women|males|females|boys|girls)\b",
    )
});

static PREGNANCY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:during|in|throughout)\s+(?:early\s+|late\s+)?pregnancy\b|\bpregnant\s+(?:women|woman|patients?|people|individuals|persons|adolescents)\b|\b(?:in|for)\s+(?:\w+\s+)?pregnant\b|\b(?:first|second|third)\s+trimester\b",
    )
});

/// Words that make children the population of a statement ("Guidelines recommend that
/// children aged 6 months and older ...", a heading "Pediatric patients").
static CHILDREN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:children|child|pediatric|paediatric|infants?|neonates?|newborns?|toddlers?)\b")
});
/// An emetic risk level of chemotherapy ("regimens with minimal emetogenic risk", "highly
/// and moderately emetogenic chemotherapy", "agents of high emetic risk").
static EMETIC: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:high|highly|moderate|moderately|low|minimal|minimally)(?:\s*(?:,|and|or|to)\s*(?:high|highly|moderate|moderately|low|minimal|minimally))*[- ]+(?:emetogenic|emetic)\b",
    )
});
static EMETIC_LEVEL: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(high|moderate|low|minimal)"));

/// A heading about treatment given before an operation ("Preoperative Systemic Therapy").
static BEFORE_SURGERY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:preoperative|pre-operative|neoadjuvant|presurgical)\b"));
/// Words that make such a heading about both sides of the operation or about its result.
static AROUND_SURGERY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:adjuvant|postoperative|post-operative|after|following|residual|response)\b")
});

/// Words that bring adults into the same statement ("children and adults").
static ADULTS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\badults?\b|\bolder\b"));
/// The age below which a person is a child, in years.
const CHILD_AGE: f64 = 18.0;
/// Populations of older adults ("older adults", "the elderly", "adults aged 65 and older"
/// reads as a threshold elsewhere).
static OLDER_ADULTS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:older (?:adults|patients|people|persons|women|men)|(?:the )?elderly(?: (?:patients|adults|people|persons))?|geriatric patients)\b",
    )
});
/// The age from which guidelines call a person an older adult, in years: a statement about
/// older adults is met at 65 and contradicted below it.
const OLDER_AGE: f64 = 64.0;

/// Stage, extent, sex and pregnancy conditions. Stage, extent and sex count only inside a
/// population scope (or anywhere in a heading, `whole_scope`); pregnancy wordings count
/// anywhere.
pub(super) fn categorical(
    text: &str,
    lower: &str,
    scopes: &[Scope],
    whole_scope: bool,
    out: &mut Vec<Condition>,
) {
    let scoped = |s: usize, e: usize| whole_scope || scope::containing(scopes, s, e).is_some();
    let staged = lower.contains("stage") || lower.contains("sclc");
    for m in STAGE.find_iter(text).filter(|_| staged) {
        if scoped(m.start(), m.end()) {
            let values = stage_values(m.as_str());
            if !values.is_empty() {
                out.push(condition(
                    "stage",
                    Requirement::Is(values.join("/")),
                    m.as_str(),
                ));
            }
        }
    }
    for (start, end, value) in crate::question::values::extents(text)
        .into_iter()
        .filter(|_| staged)
    {
        if scoped(start, end) {
            out.push(condition(
                "stage",
                Requirement::Is(value.to_string()),
                &text[start..end],
            ));
        }
    }
    // "in men and women": no condition on sex.
    let sexed = ["men", "male", "man", "girl", "boy"]
        .iter()
        .any(|w| lower.contains(w));
    let both = sexed && BOTH_SEXES.is_match(text);
    for r in SEX.iter().filter(|_| sexed && !both) {
        for c in r.captures_iter(text) {
            let m = c.get(0).expect("match");
            // Both patterns are population phrases themselves: no scope needed.
            let value = if c.get(1).is_some() { "female" } else { "male" };
            out.push(condition(
                "sex",
                Requirement::Is(value.to_string()),
                m.as_str(),
            ));
        }
    }
    // A statement about children, with no word that brings in adults, is written for
    // patients younger than 18; children as someone's offspring ("women who have had
    // children") are not its population.
    let as_offspring = |start: usize| {
        // `start` is an offset into `text`: lowercasing can change byte lengths ('Ⱥ' → 'ⱥ'),
        // so the word before is read from `text` and lowercased on its own.
        let before = text[..start]
            .split_whitespace()
            .next_back()
            .unwrap_or("")
            .to_lowercase();
        matches!(
            before.as_str(),
            "have" | "has" | "had" | "having" | "bore" | "bear" | "their" | "her" | "his" | "no"
        )
    };
    if let Some(m) = CHILDREN
        .find_iter(text)
        .find(|m| !as_offspring(m.start()))
        .filter(|_| !ADULTS.is_match(text))
    {
        out.push(condition("age", Requirement::Below(CHILD_AGE), m.as_str()));
    }
    // A statement about older adults is written for patients of 65 or more, unless it
    // compares them with younger ones ("older and younger adults").
    if let Some(m) = OLDER_ADULTS
        .find(text)
        .filter(|_| !lower.contains("younger"))
    {
        out.push(condition("age", Requirement::Above(OLDER_AGE), m.as_str()));
    }
    // A section on treatment before an operation is written for patients not yet operated
    // on ("Neoadjuvant and adjuvant therapy" is about both).
    if whole_scope
        && let Some(m) = BEFORE_SURGERY.find(text)
        && !AROUND_SURGERY.is_match(text)
    {
        out.push(condition("surgery", Requirement::Absent, m.as_str()));
    }
    // Antiemetic guidance is written per emetic risk of the regimen.
    if lower.contains("emet") {
        let mut levels: Vec<String> = Vec::new();
        let mut words = Vec::new();
        for m in EMETIC.find_iter(text) {
            words.push(m.as_str());
            for l in EMETIC_LEVEL.find_iter(m.as_str()) {
                let l = l.as_str().to_ascii_lowercase();
                if !levels.contains(&l) {
                    levels.push(l);
                }
            }
        }
        if !levels.is_empty() {
            out.push(condition(
                "emetic_risk",
                Requirement::Is(levels.join("/")),
                words[0],
            ));
        }
    }
    // The care setting a statement is written for ("Inpatients with ...", "In outpatients").
    for (setting, words) in crate::setting::in_statement(text) {
        out.push(condition(
            "setting",
            Requirement::Is(setting.as_str().to_string()),
            &words,
        ));
    }
    let pregnant = lower.contains("pregnan") || lower.contains("trimester");
    for m in PREGNANCY.find_iter(text).filter(|_| pregnant) {
        out.push(condition("pregnancy", Requirement::Present, m.as_str()));
    }
}
