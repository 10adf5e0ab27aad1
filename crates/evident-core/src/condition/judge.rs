//! Judging one condition against the patient's facts: met, contradicted (by which fact) or open.

use std::sync::LazyLock;

use regex::Regex;

use super::{Condition, Requirement};
use crate::question::{FactStatus, FactValue, PatientFact};

/// Words that place a treatment before now.
static PRIOR: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:prior|previous|previously|pretreated|earlier|already|history of|progress\w*|relapse\w*|refractory|resistant|after|following|re-?irradiat\w*|irradiated)\b",
    )
    .expect("prior regex")
});

/// Whether a fact of absence speaks of earlier exposure only ("-naive", "no prior", "not
/// previously", "untreated").
fn denies_prior_only(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("naive")
        || t.contains("naïve")
        || t.contains("first-line")
        || t.contains("first line")
        || t.contains("prior")
        || t.contains("previous")
        || t.contains("untreated")
}

pub(super) enum Verdict<'a> {
    Met,
    Contradicted(&'a PatientFact),
    Open,
}

/// Whether a statement's conditions place its treatments before now ("previously treated
/// with chemotherapy", "prior radiation").
pub(super) fn about_prior(conditions: &[Condition]) -> bool {
    conditions
        .iter()
        .any(|c| c.concept == "prior_therapy" || PRIOR.is_match(&c.text))
}

/// `prior`: whether the statement's conditions speak of earlier treatment ([`about_prior`]).
pub(super) fn judge<'a>(c: &Condition, facts: &'a [PatientFact], prior: bool) -> Verdict<'a> {
    let mut on_concept = facts.iter().filter(|f| f.concept == c.concept);
    match &c.requires {
        Requirement::Present | Requirement::Absent => {
            let wanted = if c.requires == Requirement::Present {
                FactStatus::Present
            } else {
                FactStatus::Absent
            };
            match on_concept.find(|f| f.status != FactStatus::Value) {
                Some(f) if f.status == wanted => Verdict::Met,
                // "Chemotherapy-naive" or "no prior radiation" denies earlier exposure only.
                // A condition that requires the treatment without saying it came before
                // ("who received RT concurrently with chemotherapy") may describe the very
                // treatment the patient is starting, so it stays open.
                Some(f)
                    if f.status == FactStatus::Absent && denies_prior_only(&f.text) && !prior =>
                {
                    Verdict::Open
                }
                Some(f) => Verdict::Contradicted(f),
                // A man is not pregnant.
                None if c.concept == "pregnancy" && c.requires == Requirement::Present => {
                    match facts.iter().find(|f| {
                        f.concept == "sex"
                            && matches!(&f.value, Some(FactValue::Text(t)) if t == "male")
                    }) {
                        Some(f) => Verdict::Contradicted(f),
                        None => Verdict::Open,
                    }
                }
                None => Verdict::Open,
            }
        }
        Requirement::Below(bound) | Requirement::Above(bound) => {
            let below = matches!(c.requires, Requirement::Below(_));
            // An infant's age in days answers a condition on the age in years.
            let in_days = || {
                facts
                    .iter()
                    .filter(|f| c.concept == "age" && f.concept == "age_days")
                    .find_map(|f| {
                        range_of(f).map(|r| {
                            let years = |d: f64| d / DAYS_A_YEAR;
                            (
                                f,
                                Range {
                                    lo: years(r.lo),
                                    hi: years(r.hi),
                                    ..r
                                },
                            )
                        })
                    })
            };
            let Some((fact, range)) = on_concept
                .find_map(|f| range_of(f).map(|r| (f, r)))
                .or_else(in_days)
            else {
                return Verdict::Open;
            };
            let (met, contradicted) = if below {
                (
                    range.hi < *bound || (range.hi == *bound && !range.hi_inclusive),
                    range.lo >= *bound,
                )
            } else {
                (
                    range.lo > *bound || (range.lo == *bound && !range.lo_inclusive),
                    range.hi <= *bound,
                )
            };
            if met {
                Verdict::Met
            } else if contradicted {
                Verdict::Contradicted(fact)
            } else {
                Verdict::Open
            }
        }
        Requirement::Is(wanted) => {
            let Some((fact, value)) = on_concept.find_map(|f| match &f.value {
                Some(FactValue::Text(t)) => Some((f, t.as_str())),
                _ => None,
            }) else {
                return if c.concept == "stage" {
                    stage_by_metastases(wanted, facts)
                } else {
                    Verdict::Open
                };
            };
            let verdicts: Vec<Option<bool>> = wanted
                .split('/')
                .map(|alt| {
                    if c.concept == "stage" {
                        stage_matches(alt.trim(), value)
                    } else if c.concept == "setting" {
                        let (wanted, patient) = (
                            crate::setting::Setting::parse(alt)?,
                            crate::setting::Setting::parse(value)?,
                        );
                        wanted.fits(patient)
                    } else {
                        Some(alt.trim().eq_ignore_ascii_case(value.trim()))
                    }
                })
                .collect();
            if verdicts.contains(&Some(true)) {
                Verdict::Met
            } else if verdicts.iter().all(|v| *v == Some(false)) {
                Verdict::Contradicted(fact)
            } else {
                Verdict::Open
            }
        }
    }
}

/// A stage condition judged by whether the disease has spread, when the facts give no
/// stage: stage IV is distant spread in the staging of solid tumours, stages I to III are
/// not. Lettered stage IV groups are left open (head and neck stage IVA has not spread).
fn stage_by_metastases<'a>(wanted: &str, facts: &'a [PatientFact]) -> Verdict<'a> {
    let Some(spread) = facts
        .iter()
        .find(|f| f.concept == "metastases" && f.status != FactStatus::Value)
    else {
        return Verdict::Open;
    };
    let alternatives: Vec<&str> = wanted.split('/').map(str::trim).collect();
    let all_iv = alternatives.iter().all(|a| *a == "IV");
    // The Roman numeral a stage value starts with ("IIIB" → "III").
    let numeral = |a: &str| {
        let end = a.find(|c| !matches!(c, 'I' | 'V')).unwrap_or(a.len());
        a[..end].to_string()
    };
    let none_iv = alternatives
        .iter()
        .all(|a| *a == "0" || ["I", "II", "III"].contains(&numeral(a).as_str()));
    match spread.status {
        FactStatus::Absent if all_iv => Verdict::Contradicted(spread),
        FactStatus::Present if none_iv => Verdict::Contradicted(spread),
        _ => Verdict::Open,
    }
}

/// The values a number fact allows.
struct Range {
    lo: f64,
    lo_inclusive: bool,
    hi: f64,
    hi_inclusive: bool,
}

static COMPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)(<=|>=|<|>|≤|≥|\bbelow\b|\bunder\b|\bless than\b|\bgreater than\b|\babove\b|\bover\b|\bat least\b|\bat most\b)")
        .expect("comparator regex")
});

const DAYS_A_YEAR: f64 = 365.25;

/// Half a unit: the quantities compared are whole numbers, so a fact written "<30" allows
/// at most 29.5 (29 in practice), matching how inclusive condition bounds are written.
const HALF: f64 = 0.5;

/// The values a number fact allows: its value, or the range its comparator states.
fn range_of(f: &PatientFact) -> Option<Range> {
    // A range value "lo-hi" (an infant's age in days, "8-21").
    if let Some(FactValue::Text(t)) = &f.value
        && let Some((lo, hi)) = t.split_once('-')
        && let (Ok(lo), Ok(hi)) = (lo.trim().parse::<f64>(), hi.trim().parse::<f64>())
    {
        return Some(Range {
            lo,
            lo_inclusive: true,
            hi,
            hi_inclusive: true,
        });
    }
    let v = match &f.value {
        Some(FactValue::Number(n)) => *n,
        Some(FactValue::Text(t)) => t.trim().parse().ok()?,
        None => return None,
    };
    let exact = Range {
        lo: v,
        lo_inclusive: true,
        hi: v,
        hi_inclusive: true,
    };
    let Some(op) = COMPARATOR.find(&f.text) else {
        return Some(exact);
    };
    let (lo, lo_inclusive, hi, hi_inclusive) = match op.as_str().to_lowercase().as_str() {
        "<" | "below" | "under" | "less than" => (f64::NEG_INFINITY, false, v - HALF, true),
        "<=" | "≤" | "at most" => (f64::NEG_INFINITY, false, v, true),
        ">" | "greater than" | "above" | "over" => (v + HALF, true, f64::INFINITY, false),
        ">=" | "≥" | "at least" => (v, true, f64::INFINITY, false),
        _ => return Some(exact),
    };
    Some(Range {
        lo,
        lo_inclusive,
        hi,
        hi_inclusive,
    })
}

/// A stage as (main numeral, sub-letter) or an extent word.
enum Stage<'a> {
    Numbered(&'a str, Option<char>),
    Extent(&'a str),
}

fn parse_stage(s: &str) -> Option<Stage<'_>> {
    let lower = s.trim();
    if lower.eq_ignore_ascii_case("limited") || lower.eq_ignore_ascii_case("extensive") {
        return Some(Stage::Extent(lower));
    }
    let main_len = lower
        .find(|c: char| !matches!(c, 'I' | 'V' | '0'))
        .unwrap_or(lower.len());
    if main_len == 0 {
        return None;
    }
    let rest = &lower[main_len..];
    let letter = rest.chars().next().filter(char::is_ascii_alphabetic);
    Some(Stage::Numbered(&lower[..main_len], letter))
}

/// Whether fact stage `fact` meets condition stage `wanted`; `None` when it cannot tell.
fn stage_matches(wanted: &str, fact: &str) -> Option<bool> {
    match (parse_stage(wanted)?, parse_stage(fact)?) {
        (Stage::Extent(a), Stage::Extent(b)) => Some(a.eq_ignore_ascii_case(b)),
        (Stage::Numbered(a, la), Stage::Numbered(b, lb)) => {
            if a != b {
                Some(false)
            } else {
                match (la, lb) {
                    (None, _) => Some(true),
                    (Some(_), None) => None,
                    (Some(x), Some(y)) => Some(x.eq_ignore_ascii_case(&y)),
                }
            }
        }
        _ => None,
    }
}
