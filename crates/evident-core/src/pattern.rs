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

/// A list of phrases, any of which marks a text, as a `static`: compiled into one
/// automaton ([`any_phrase`]) on first use.
pub(crate) struct Phrases {
    phrases: &'static [&'static str],
    matcher: std::sync::OnceLock<Regex>,
}

impl Phrases {
    pub(crate) const fn new(phrases: &'static [&'static str]) -> Phrases {
        Phrases {
            phrases,
            matcher: std::sync::OnceLock::new(),
        }
    }

    /// Whether `text` holds one of the phrases, as written.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.matcher
            .get_or_init(|| any_phrase(self.phrases))
            .is_match(text)
    }
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
