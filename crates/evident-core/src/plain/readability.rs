//! The Flesch–Kincaid grade of a text.

use super::*;

/// Flesch–Kincaid grade level of a text:
/// `0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59`.
///
/// * **Sentences** are counted with [`crate::sentence::split`] (abbreviation- and
///   decimal-aware); at least 1.
/// * **Words** are runs of text between whitespace, hyphens, dashes and slashes that
///   contain a letter or digit ("X-ray" is two words, "1,000" and "0.39" one each).
/// * **Syllables** per word, by heuristic: a word without letters (a number) has 1; an
///   all-capital abbreviation of 2–4 letters is read letter by letter (1 per letter, 3
///   for W); otherwise the groups of consecutive vowels (a e i o u y, and accented
///   vowels; y not at the start of the word) are counted, then one is taken off for a
///   silent final "e" (not "-le" after a consonant, not "-ee"), a silent "-ed" (not after
///   t or d) and a silent "-es" (not after s, x, z, c, g, h), and one is added for a
///   final "-ia"; every word has at least 1.
///
/// Text without words has grade 0.
pub fn flesch_kincaid_grade(text: &str) -> f64 {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || is_joiner(c) || matches!(c, '/' | '–' | '—'))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    if words.is_empty() {
        return 0.0;
    }
    let sentences = sentence::sentences(text)
        .iter()
        .filter(|s| s.chars().any(char::is_alphanumeric))
        .count()
        .max(1);
    let syllables: usize = words.iter().map(|w| syllables(w)).sum();
    let w = words.len() as f64;
    0.39 * (w / sentences as f64) + 11.8 * (syllables as f64 / w) - 15.59
}

pub(super) fn is_vowel(c: char) -> bool {
    "aeiouyàáâäèéêëìíîïòóôöùúûüæœ".contains(c)
}

/// Syllables of one word by the heuristic documented on [`flesch_kincaid_grade`].
pub(super) fn syllables(word: &str) -> usize {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return 1;
    }
    if (2..=4).contains(&letters.len()) && letters.iter().all(|c| c.is_uppercase()) {
        return letters.iter().map(|&c| if c == 'W' { 3 } else { 1 }).sum();
    }
    let lower: Vec<char> = letters.iter().flat_map(|c| c.to_lowercase()).collect();
    let mut count = 0usize;
    let mut prev_vowel = false;
    for (k, &c) in lower.iter().enumerate() {
        let vowel = is_vowel(c) && !(c == 'y' && k == 0);
        if vowel && !prev_vowel {
            count += 1;
        }
        prev_vowel = vowel;
    }
    let n = lower.len();
    let ends = |suffix: &str| {
        let s: Vec<char> = suffix.chars().collect();
        n >= s.len() && lower[n - s.len()..] == s[..]
    };
    let consonant_at = |k: usize| !is_vowel(lower[k]);
    if n >= 3 && count > 1 {
        let before_suffix = lower[n - 3];
        let silent_e = ends("e") && !ends("ee") && !(ends("le") && consonant_at(n - 3));
        let silent_ed = ends("ed") && !matches!(before_suffix, 't' | 'd');
        let silent_es = ends("es") && !matches!(before_suffix, 's' | 'x' | 'z' | 'c' | 'g' | 'h');
        if silent_e || silent_ed || silent_es {
            count -= 1;
        }
    }
    if ends("ia") {
        count += 1;
    }
    count.max(1)
}
