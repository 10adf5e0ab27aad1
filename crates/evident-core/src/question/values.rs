//! Value facts read with patterns: age, sex, stage and TNM, performance status, kidney function, lesion size, Gleason score, PSA, pregnancy by gestational age, and the care setting.
//!
//! Each reader returns the facts it finds with the byte offset they start at, so that
//! [`super::analyze`] can order all facts by their place in the question.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{FactStatus, FactValue, PatientFact};

fn re(pattern: &str) -> Regex {
    crate::pattern::regex(pattern).expect("value pattern")
}

fn value_fact(concept: &str, value: FactValue, text: &str) -> PatientFact {
    PatientFact {
        concept: concept.to_string(),
        status: FactStatus::Value,
        value: Some(value),
        text: text.trim().to_string(),
    }
}

fn presence_fact(concept: &str, status: FactStatus, text: &str) -> PatientFact {
    PatientFact {
        concept: concept.to_string(),
        status,
        value: None,
        text: text.trim().to_string(),
    }
}

/// All value facts of `text`.
pub(super) fn value_facts(text: &str) -> Vec<(usize, PatientFact)> {
    let mut out = Vec::new();
    age_in_days(text, &mut out);
    // "aged 8 to 21 days" is an age in days, not 8 years.
    if out.is_empty() {
        age(text, &mut out);
    }
    sex(text, &mut out);
    stage(text, &mut out);
    performance_status(text, &mut out);
    kidney_function(text, &mut out);
    size(text, &mut out);
    gleason(text, &mut out);
    psa(text, &mut out);
    gestation(text, &mut out);
    if let Some((at, setting, words)) = crate::setting::in_question(text) {
        out.push((
            at,
            value_fact(
                "setting",
                FactValue::Text(setting.as_str().to_string()),
                &words,
            ),
        ));
    }
    out
}

static AGE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(r"(?i)\b(\d{1,3})\s*(?:-|\s)?\s*(?:years?|yrs?|y)\s*(?:-|\s)?\s*(?:old|of age)\b"),
        re(r"(?i)\b(\d{1,3})\s*(?:yo|y/o|y\.o\.?)(?:\W|$)"),
        re(r"\b(\d{1,3})\s?[MF]\b"),
        re(
            r"(?i)\b(?:aged?|age of|age:)\s*(\d{1,3})\b(?:\s*(?:years|yrs))?(\s*(?:or|and)\s*(?:older|over|above|younger|under)|\s*\+)?",
        ),
        re(r"(?i)\b(?:I'm|I’m|I am)\s+(?:a\s+|an\s+)?(\d{1,3})\b"),
    ]
});

fn age(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    let found = AGE
        .iter()
        .filter_map(|r| r.captures(text))
        // "aged 70 or older" names a range, not this patient's age.
        .filter(|c| c.get(2).is_none())
        .min_by_key(|c| c.get(0).map_or(usize::MAX, |m| m.start()));
    if let Some(c) = found {
        let n: f64 = c[1].parse().unwrap_or(-1.0);
        if (0.0..=120.0).contains(&n) {
            let m = c.get(0).expect("match");
            let words = m
                .as_str()
                .trim_end_matches(|ch: char| !ch.is_alphanumeric());
            out.push((m.start(), value_fact("age", FactValue::Number(n), words)));
        }
    }
}

/// An infant's age in days (`age_days`): a number, or `"lo-hi"` for a range.
fn age_in_days(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    if let Some((lo, hi, words)) = crate::young_age::in_question(text) {
        let value = if lo == hi {
            FactValue::Number(lo)
        } else {
            FactValue::Text(format!("{lo}-{hi}"))
        };
        let at = text.find(&words).unwrap_or(0);
        out.push((at, value_fact("age_days", value, &words)));
    }
}

static SEX_SHORT: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{1,3}\s?([MF])\b"));
static SEX_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(woman|women|female|lady|girl|she|her|postmenopausal|premenopausal|pregnant)|(man|men|male|gentleman|boy|he|him|his))\b",
    )
});

fn sex(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    let short = SEX_SHORT.captures(text).map(|c| {
        let g = c.get(1).expect("group");
        let sex = if g.as_str() == "M" { "male" } else { "female" };
        (c.get(0).expect("match"), sex)
    });
    let word = SEX_WORD.captures_iter(text).find_map(|c| {
        let m = c.get(0).expect("match");
        // "HER-2" is a receptor, not a pronoun.
        if m.as_str().eq_ignore_ascii_case("her")
            && text[m.end()..]
                .trim_start_matches(['-', ' '])
                .starts_with('2')
        {
            return None;
        }
        let sex = if c.get(1).is_some() { "female" } else { "male" };
        Some((m, sex))
    });
    let best = match (short, word) {
        (Some(a), Some(b)) => Some(if a.0.start() <= b.0.start() { a } else { b }),
        (a, b) => a.or(b),
    };
    if let Some((m, sex)) = best {
        out.push((
            m.start(),
            value_fact("sex", FactValue::Text(sex.to_string()), m.as_str()),
        ));
    }
}

static STAGE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bstage\s+(IV|I{1,3}|0|[1-4])(?:\s*([A-C])\d?)?\b"));
static EXTENT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(limited|extensive)[- ]stage\b|\b(LS|ES)-SCLC\b"));

/// Extent wordings ("limited-stage", "ES-SCLC"): `(start, end, "limited" | "extensive")`.
pub(crate) fn extents(text: &str) -> Vec<(usize, usize, &'static str)> {
    EXTENT
        .captures_iter(text)
        .map(|c| {
            let m = c.get(0).expect("match");
            let word = c.get(1).or(c.get(2)).expect("group").as_str();
            let value = if word.eq_ignore_ascii_case("limited") || word.eq_ignore_ascii_case("ls") {
                "limited"
            } else {
                "extensive"
            };
            (m.start(), m.end(), value)
        })
        .collect()
}

static TNM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b((?:[cpy]|yp|rp)?T(?:[0-4][a-d]?|is|x)\s*,?\s*(?:[cpy]|yp)?N(?:[0-3][a-c]?|x)(?:\s*,?\s*[cp]?M[01][a-c]?)?|(?:[cpy]|yp)T(?:[0-4][a-d]?|is))\b",
    )
});

/// A stage numeral as a Roman numeral ("3" → "III"), uppercased.
pub(crate) fn roman(numeral: &str) -> String {
    match numeral {
        "0" => "0".to_string(),
        "1" => "I".to_string(),
        "2" => "II".to_string(),
        "3" => "III".to_string(),
        "4" => "IV".to_string(),
        other => other.to_uppercase(),
    }
}

fn stage(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    if let Some(c) = STAGE.captures(text) {
        let m = c.get(0).expect("match");
        let mut value = roman(&c[1]);
        if let Some(sub) = c.get(2) {
            value.push_str(&sub.as_str().to_uppercase());
        }
        out.push((
            m.start(),
            value_fact("stage", FactValue::Text(value), m.as_str()),
        ));
    } else if let Some(&(start, end, value)) = extents(text).first() {
        out.push((
            start,
            value_fact(
                "stage",
                FactValue::Text(value.to_string()),
                &text[start..end],
            ),
        ));
    }
    if let Some(m) = TNM.find(text) {
        let staged = out.iter().any(|(_, f)| f.concept == "stage");
        if let Some(value) = stage_of_tnm(m.as_str()).filter(|_| !staged) {
            // Prostate cancer's stage also depends on PSA and grade group.
            if value == "IV" || !text.to_ascii_lowercase().contains("prostat") {
                out.push((
                    m.start(),
                    value_fact("stage", FactValue::Text(value.to_string()), m.as_str()),
                ));
            }
        }
        out.push((
            m.start(),
            value_fact("tnm", FactValue::Text(m.as_str().to_string()), m.as_str()),
        ));
    }
}

/// The stage a TNM group gives in every AJCC staging system: distant metastasis (M1) is
/// stage IV, and a T1 tumour without nodes or metastasis (T1 N0 M0) is stage I. Other
/// groups depend on the cancer.
fn stage_of_tnm(tnm: &str) -> Option<&'static str> {
    let t = TNM_PARTS.captures(tnm)?;
    match (&t["t"], &t["n"], &t["m"]) {
        (_, _, "1") => Some("IV"),
        ("1", "0", "0") => Some("I"),
        _ => None,
    }
}

static TNM_PARTS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"T(?P<t>[0-4]|is|x)[a-d]?\s*,?\s*(?:[cpy]|yp)?N(?P<n>[0-3]|x)[a-c]?\s*,?\s*[cp]?M(?P<m>[01])",
    )
});

static ECOG: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(
            r"(?i)\b(?:ECOG|WHO|Zubrod)(?:\s+(?:PS|performance status|performance score))?\s*(?:score\s*)?(?:of|=|:|is|was)?\s*([0-4])\b",
        ),
        re(r"\bPS\s*(?:of|=|:)?\s*([0-4])\b"),
        re(r"(?i)\bperformance status\s*(?:score\s*)?(?:of|=|:|is|was)?\s*([0-4])\b"),
    ]
});
static KARNOFSKY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:Karnofsky|KPS)(?:\s+(?:performance status|performance score|score|PS))?\s*(?:of|=|:|is|was)?\s*(\d{2,3})\s*%?",
    )
});

/// ECOG grade equivalent to a Karnofsky score (90–100 → 0, 70–80 → 1, 50–60 → 2,
/// 30–40 → 3, below 30 → 4).
fn ecog_from_karnofsky(kps: f64) -> f64 {
    match kps {
        k if k >= 90.0 => 0.0,
        k if k >= 70.0 => 1.0,
        k if k >= 50.0 => 2.0,
        k if k >= 30.0 => 3.0,
        _ => 4.0,
    }
}

fn performance_status(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    let ecog = ECOG
        .iter()
        .filter_map(|r| r.captures(text))
        .min_by_key(|c| c.get(0).map_or(usize::MAX, |m| m.start()));
    if let Some(c) = ecog {
        let m = c.get(0).expect("match");
        let n: f64 = c[1].parse().unwrap_or(0.0);
        out.push((
            m.start(),
            value_fact("performance_status", FactValue::Number(n), m.as_str()),
        ));
    } else if let Some(c) = KARNOFSKY.captures(text) {
        let m = c.get(0).expect("match");
        let kps: f64 = c[1].parse().unwrap_or(100.0);
        if kps <= 100.0 {
            out.push((
                m.start(),
                value_fact(
                    "performance_status",
                    FactValue::Number(ecog_from_karnofsky(kps)),
                    m.as_str(),
                ),
            ));
        }
    }
}

/// The words allowed between a quantity's name and its number ("eGFR has fallen to 22").
const FILLER: &str = r"(?:\s+(?:has|have|had|is|was|of|at|to|now|been|fallen|dropped|declined|decreased|decreasing|falling|risen|rose|rising|increased|increasing|improved|around|approximately|about|only|currently|estimated|measured|calculated|level|levels|value|recently)|\s*[=:~])*";

static KIDNEY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:e?GFR|CrCl|CLcr|creatinine clearance|(?:estimated )?glomerular filtration rate){FILLER}\s*(<=|>=|<|>|≤|≥|below|under|less than|greater than|above|over)?\s*(\d+(?:\.\d+)?)(?:\s*(?:mL/min(?:/1\.73\s*m(?:2|²))?|ml/min))?"
    ))
});

fn kidney_function(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    if let Some(c) = KIDNEY.captures(text) {
        let m = c.get(0).expect("match");
        if let Ok(n) = c[2].parse::<f64>() {
            out.push((
                m.start(),
                value_fact("kidney_function", FactValue::Number(n), m.as_str()),
            ));
        }
    }
}

static SIZE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(\d+(?:\.\d+)?)(?:\s*(?:x|×)\s*(\d+(?:\.\d+)?))?\s*-?\s*(cm|mm)\b")
});

fn size(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    if let Some(c) = SIZE.captures(text) {
        let m = c.get(0).expect("match");
        let unit = c[3].to_lowercase();
        let value = match c.get(2) {
            Some(second) => format!("{} x {} {unit}", &c[1], second.as_str()),
            None => format!("{} {unit}", &c[1]),
        };
        out.push((
            m.start(),
            value_fact("size", FactValue::Text(value), m.as_str()),
        ));
    }
}

static GLEASON: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(
            r"(?i)\bGleason(?:\s+(?:score|sum|grade))?\s*(?:of|=|:|is)?\s*(\d)\s*\+\s*(\d)(?:\s*=\s*(\d{1,2}))?",
        ),
        re(r"(?i)\bGleason(?:\s+(?:score|sum|grade))?\s*(?:of|=|:|is)?\s*(\d{1,2})\b"),
    ]
});

fn gleason(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    let push = |c: &Captures<'_>, n: f64, out: &mut Vec<(usize, PatientFact)>| {
        let m = c.get(0).expect("match");
        if (2.0..=10.0).contains(&n) {
            out.push((
                m.start(),
                value_fact("gleason", FactValue::Number(n), m.as_str()),
            ));
        }
    };
    if let Some(c) = GLEASON[0].captures(text) {
        let a: f64 = c[1].parse().unwrap_or(0.0);
        let b: f64 = c[2].parse().unwrap_or(0.0);
        push(&c, a + b, out);
    } else if let Some(c) = GLEASON[1].captures(text) {
        push(&c, c[1].parse().unwrap_or(0.0), out);
    }
}

static PSA: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\bPSA{FILLER}\s*(?:of\s+)?(\d+(?:\.\d+)?)(?:\s*ng/ml)?"
    ))
});

fn psa(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    if let Some(c) = PSA.captures(text) {
        let m = c.get(0).expect("match");
        if let Ok(n) = c[1].parse::<f64>() {
            out.push((
                m.start(),
                value_fact("psa", FactValue::Number(n), m.as_str()),
            ));
        }
    }
}

static GESTATION: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(
            r"(?i)\b(\d{1,2})\s*(?:weeks?|wks?)['’]?\s*(?:of\s+)?(?:gestation|gestational age|pregnant|pregnancy)\b",
        ),
        re(r"(?i)\bpregnant\b[^.;,?]{0,20}?\b(\d{1,2})\s*(?:weeks?|wks?)\b"),
    ]
});

fn gestation(text: &str, out: &mut Vec<(usize, PatientFact)>) {
    let found = GESTATION.iter().find_map(|r| r.captures(text));
    if let Some(c) = found {
        let m = c.get(0).expect("match");
        if let Ok(n) = c[1].parse::<f64>()
            && n <= 44.0
        {
            out.push((
                m.start(),
                presence_fact("pregnancy", FactStatus::Present, m.as_str()),
            ));
            out.push((
                m.start(),
                value_fact("gestational_age", FactValue::Number(n), m.as_str()),
            ));
        }
    }
}
