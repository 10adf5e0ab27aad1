//! The line of therapy a text speaks of ("first-line", "second-line", "after failure of first-line therapy"): whether the disease has been treated before.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// What a line-of-therapy wording says of earlier treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// First-line: no earlier treatment for this disease.
    First,
    /// Second-line or later, or after first-line: earlier treatment given.
    Later,
}

static LINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)\b(first|second|third|fourth|later|subsequent)[- ]line\b")
        .expect("line regex")
});

/// Words before "first-line" that put it in the past ("after failure of first-line
/// therapy", "progressed on first-line ...", "received first-line FOLFOX").
static AFTER_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:after|following|failure of|failing|failed|responded to|responding to|response to|progress\w*(?:\s+(?:on|after|during|through))?|refractory to|resistant to|despite|beyond|completion of|completed|completing|received|receiving|had|prior|previous|previously|intolerant of|intolerance to)\s+(?:(?:the|a|an|their|his|her)\s+)?$",
    )
    .expect("after-first regex")
});

/// Every line-of-therapy wording of `text`, with what it says.
pub(crate) fn lines(text: &str) -> Vec<(Range<usize>, Line)> {
    LINE.captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let first = c.get(1)?.as_str().eq_ignore_ascii_case("first");
            let before = &text[..whole.start()];
            let line = if first && !AFTER_FIRST.is_match(before) {
                Line::First
            } else {
                Line::Later
            };
            Some((whole.range(), line))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_therapy_says_whether_the_disease_was_treated_before() {
        let read = |t: &str| lines(t).into_iter().map(|(_, l)| l).collect::<Vec<_>>();
        assert_eq!(read("What is first-line therapy?"), [Line::First]);
        assert_eq!(
            read("Second-line docetaxel improves survival."),
            [Line::Later]
        );
        assert_eq!(
            read("After failure of first-line chemotherapy, nivolumab is an option."),
            [Line::Later]
        );
        assert_eq!(read("She received first-line FOLFOX."), [Line::Later]);
        assert_eq!(
            read("Olaparib is given to patients who have responded to first-line platinum."),
            [Line::Later]
        );
        assert_eq!(
            read("Progressed on first line osimertinib; what next?"),
            [Line::Later]
        );
        assert!(read("Standard chemotherapy is recommended.").is_empty());
    }
}
