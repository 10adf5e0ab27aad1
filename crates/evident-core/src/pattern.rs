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
}
