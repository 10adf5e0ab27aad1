//! Ages of infants, counted in days ("a 2-week-old", "infants 8 to 21 days old", "29 to 60 days of age"): read from questions as the fact `age_days` and from statements as conditions on it.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Days in one unit of a young age.
fn unit_days(unit: &str) -> f64 {
    let u = unit.to_ascii_lowercase();
    if u.starts_with("week") || u.starts_with("wk") {
        7.0
    } else if u.starts_with("month") || u.starts_with("mo") {
        30.44
    } else {
        1.0
    }
}

const UNIT: &str = r"(?P<unit>days?|weeks?|wks?|months?|mos?)";

/// A range: "8 to 21 days old", "aged 29-60 days", "between 22 and 28 days of age".
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(&format!(
        r"(?i)\b(?:aged?\s+|between\s+)?(?P<a>\d{{1,3}})\s*(?:to|-|–|and|through)\s*(?P<b>\d{{1,3}})\s*{UNIT}(?:\s+(?:old|of age)|\b)"
    ))
    .expect("young age range")
});

/// One age: "a 10-day-old", "3 weeks old", "aged 6 weeks".
static SINGLE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(&format!(
        r"(?i)\b(?:aged?\s+)?(?P<n>\d{{1,3}})[\s-]*{UNIT}[\s-]*(?:old|of age)\b|\baged?\s+(?P<m>\d{{1,3}})\s*(?P<unit2>days?|weeks?|months?)\b"
    ))
    .expect("young age")
});

/// Whether a range match names an age ("aged ...", "... old", "... of age") rather than a
/// duration ("for 7 to 14 days").
fn is_age(c: &Captures<'_>) -> bool {
    let m = c[0].to_ascii_lowercase();
    m.starts_with("age") || m.starts_with("between") || m.ends_with("old") || m.ends_with("of age")
}

/// The patient's age in days, as the question states it: `(lowest, highest, words)`.
pub(crate) fn in_question(text: &str) -> Option<(f64, f64, String)> {
    if let Some(c) = RANGE.captures_iter(text).find(is_age) {
        let (a, b) = range(&c)?;
        return Some((a, b, c[0].trim().to_string()));
    }
    let c = SINGLE.captures(text)?;
    let (n, unit) = match (c.name("n"), c.name("m")) {
        (Some(n), _) => (n.as_str(), c.name("unit")?.as_str()),
        (None, Some(m)) => (m.as_str(), c.name("unit2")?.as_str()),
        _ => return None,
    };
    let days = n.parse::<f64>().ok()? * unit_days(unit);
    Some((days, days, c[0].trim().to_string()))
}

fn range(c: &Captures<'_>) -> Option<(f64, f64)> {
    let per = unit_days(c.name("unit")?.as_str());
    let a: f64 = c.name("a")?.as_str().parse().ok()?;
    let b: f64 = c.name("b")?.as_str().parse().ok()?;
    (a < b).then_some((a * per, b * per))
}

/// Ranges of young age a statement is scoped to: `(lowest, highest, words)` in days.
pub(crate) fn in_statement(text: &str) -> Vec<(f64, f64, String)> {
    RANGE
        .captures_iter(text)
        .filter(is_age)
        .filter_map(|c| {
            let (a, b) = range(&c)?;
            Some((a, b, c[0].trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_give_a_day_range() {
        let cases: &[(&str, Option<(f64, f64)>)] = &[
            (
                "Which febrile infants aged 8 to 21 days need a lumbar puncture?",
                Some((8.0, 21.0)),
            ),
            ("A 10-day-old with fever of 38.3 C", Some((10.0, 10.0))),
            ("a 3-week-old infant", Some((21.0, 21.0))),
            ("infant aged 6 weeks", Some((42.0, 42.0))),
            ("a 64-year-old man", None),
            ("fever for 3 days", None),
        ];
        for (q, want) in cases {
            let got = in_question(q).map(|(a, b, _)| (a, b));
            assert_eq!(got, *want, "{q}");
        }
    }

    #[test]
    fn statements_give_their_ranges() {
        let r = in_statement("If the infant is 29 to 60 days old and markers are abnormal, treat.");
        assert_eq!(
            r.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            vec![(29.0, 60.0)]
        );
        assert!(in_statement("Treatment lasts 7 to 14 days.").is_empty());
        assert_eq!(
            in_statement("Infants aged 22 to 28 days need a urinalysis.").len(),
            1
        );
    }
}
