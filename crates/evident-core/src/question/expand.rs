//! Writing a question's shorthand and abbreviations out: `s/p` → `status post`, `62M` → `62-year-old male`, `CRT` → `CRT (chemoradiation)`.
//!
//! Rules, applied to each lexicon match:
//! - A **shorthand** match is replaced by the concept's preferred term when the matched term
//!   is an abbreviation: it contains punctuation (`s/p`, `h/o`, `w/o`, `p.r.n.`) or is at
//!   most four letters (`hx`, `pt`, `prn`). Plain words (`after`, `therapy`) stay.
//! - Any other match whose text is an abbreviation (no space, two to eight characters, with
//!   at least two capitals, or at most four lowercase characters outside anatomy and
//!   populations) and not the preferred term gets the preferred term in parentheses after
//!   it, once per concept, unless the text already spells that term out, a parenthesis
//!   follows, or the abbreviation runs on into a longer word (`ER/PR-negative`, `HER2+`).
//! - Age/sex shorthand (`62M`, `45 F`) becomes `62-year-old male`.

use crate::lexicon::{Category, Lexicon};

/// Whether a shorthand term is an abbreviation to write out.
fn is_abbreviated_shorthand(term: &str) -> bool {
    term.chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
        || (!term.contains(' ') && term.chars().count() <= 4)
}

/// Whether matched text reads as an abbreviation worth spelling out.
fn is_abbreviation(matched: &str, category: Category) -> bool {
    let chars = matched.chars().count();
    if matched.contains(char::is_whitespace) || !(2..=8).contains(&chars) {
        return false;
    }
    if matched.chars().filter(|c| c.is_uppercase()).count() >= 2 {
        return true;
    }
    if matched.chars().any(char::is_uppercase) {
        return false;
    }
    chars <= 4 && !matches!(category, Category::Anatomy | Category::Population)
}

/// The question with shorthand and abbreviations written out.
pub(super) fn expand(text: &str, lexicon: &Lexicon) -> String {
    let lower = text.to_lowercase();
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    let mut explained: Vec<&str> = Vec::new();
    for m in lexicon.find(text) {
        if m.start < last {
            continue;
        }
        let matched = &text[m.start..m.end];
        let concept = m.concept;
        let preferred = concept.preferred();
        if concept.category == Category::Shorthand {
            if m.term_index == 0 || !is_abbreviated_shorthand(&m.term) {
                continue;
            }
            out.push_str(&text[last..m.start]);
            if out.chars().last().is_some_and(char::is_alphanumeric) {
                out.push(' ');
            }
            out.push_str(preferred);
            if text[m.end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
            {
                out.push(' ');
            }
            last = m.end;
            continue;
        }
        // Age/sex shorthand: digits directly before a one-letter M/F.
        if concept.category == Category::Population && matched.len() == 1 {
            let digits = text[..m.start].trim_end();
            // The digits that end `digits`; what comes before may be any character, so the
            // boundary is where the digits begin, never one byte past another character.
            let number_start = digits.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            let number = &digits[number_start..];
            if !number.is_empty() && number_start >= last && number.len() <= 3 {
                out.push_str(&text[last..number_start]);
                out.push_str(number);
                out.push_str("-year-old ");
                out.push_str(preferred);
                last = m.end;
            }
            continue;
        }
        if m.term_index == 0 || !is_abbreviation(matched, concept.category) {
            continue;
        }
        let spelled = lower.contains(&preferred.to_lowercase());
        let bracketed = text[m.end..].trim_start().starts_with('(');
        // "ER/PR-negative", "HER2+": the abbreviation is part of a longer word.
        let attached = text[m.end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '+' | '/'));
        if spelled || bracketed || attached || explained.contains(&concept.id.as_str()) {
            continue;
        }
        explained.push(&concept.id);
        out.push_str(&text[last..m.end]);
        out.push_str(" (");
        out.push_str(preferred);
        out.push(')');
        last = m.end;
    }
    out.push_str(&text[last..]);
    out
}
