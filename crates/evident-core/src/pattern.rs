//! Compiling the clinical-language regular expressions of question analysis and case consistency.

use regex::{Regex, RegexBuilder};

/// Compiles `pattern` with ASCII word boundaries, classes and case folding, which compile
/// several times faster than their Unicode forms (every call of the CLI pays for it once);
/// falls back to Unicode mode for a pattern that needs it.
pub(crate) fn regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .or_else(|_| Regex::new(pattern))
}

/// Matches any of `phrases`, as written: one automaton for a list that would otherwise be
/// searched phrase by phrase in every sentence of every candidate.
pub(crate) fn any_phrase(phrases: &[&str]) -> Regex {
    let alternation: Vec<String> = phrases.iter().map(|p| regex::escape(p)).collect();
    regex(&alternation.join("|")).expect("escaped literals always compile")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_patterns_match_case_insensitively_and_unicode_ones_still_compile() {
        let r = regex(r"(?i)\bprior radiation\b").unwrap();
        assert!(r.is_match("No PRIOR Radiation was given"));
        assert!(!r.is_match("priorradiation"));
        let u = regex(r"(?i)na[iï]ve|≥\s*65").unwrap();
        assert!(u.is_match("radiation-naïve"));
        assert!(u.is_match("aged ≥ 65"));
    }

    #[test]
    fn any_phrase_matches_each_phrase_literally() {
        let r = any_phrase(&["see table", "a.b", "µg (oral)"]);
        assert!(r.is_match("as shown (see table 2)"));
        assert!(r.is_match("x a.b y"));
        assert!(!r.is_match("axb"));
        assert!(r.is_match("5 µg (oral) daily"));
        assert!(!r.is_match("see figure"));
    }
}
