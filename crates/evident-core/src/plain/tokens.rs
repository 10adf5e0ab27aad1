//! Matching glossary terms against the tokens of a text (`crate::tokens`).

use super::*;

pub(super) use crate::tokens::{Token, is_joiner};

/// Glossary text keeps `62M` as one word.
pub(super) fn tokenize(text: &str) -> Vec<Token<'_>> {
    crate::tokens::tokenize(text, crate::tokens::NumberSuffix::Keep)
}

/// Parses one `|`-separated term. Two or more capitals make it case-sensitive.
pub(super) fn parse_term(raw: &str) -> Result<TermForm, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("empty term".to_string());
    }
    let tokens = tokenize(raw);
    if !tokens.first().is_some_and(|t| t.word) {
        return Err(format!("`{raw}` must start with a letter or digit"));
    }
    let case_sensitive = raw.chars().filter(|c| c.is_uppercase()).count() >= 2;
    let tokens = tokens
        .iter()
        .map(|t| {
            if case_sensitive && t.word {
                t.raw.to_string()
            } else {
                t.norm.to_string()
            }
        })
        .collect();
    Ok(TermForm {
        tokens,
        case_sensitive,
    })
}

pub(super) fn sequence_matches(tokens: &[Token<'_>], form: &TermForm) -> bool {
    form.tokens.len() <= tokens.len()
        && tokens.iter().zip(&form.tokens).all(|(tok, want)| {
            if form.case_sensitive && tok.word {
                tok.raw == want.as_str()
            } else {
                tok.norm == want.as_str()
            }
        })
}

/// Whether `text[start..end]` is glued to a neighbouring word by a hyphen ("non-small").
pub(super) fn glued(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    let glued_before =
        before.next().is_some_and(is_joiner) && before.next().is_some_and(char::is_alphanumeric);
    let mut after = text[end..].chars();
    let glued_after =
        after.next().is_some_and(is_joiner) && after.next().is_some_and(char::is_alphanumeric);
    glued_before || glued_after
}

/// Bracket depth of each token (an opening bracket has the depth outside it).
pub(super) fn paren_depths(tokens: &[Token<'_>]) -> Vec<usize> {
    let mut depth = 0usize;
    tokens
        .iter()
        .map(|t| match t.raw {
            "(" | "[" => {
                depth += 1;
                depth - 1
            }
            ")" | "]" => {
                depth = depth.saturating_sub(1);
                depth
            }
            _ => depth,
        })
        .collect()
}

/// A one-word abbreviation with two or more capitals ("ADT", "eGFR", "RCTs").
pub(super) fn is_abbreviation(t: &Token<'_>) -> bool {
    t.word && t.raw.chars().filter(|c| c.is_uppercase()).count() >= 2
}

/// Whether tokens `i..i+3` are `(`, an abbreviation, `)`.
pub(super) fn abbreviation_paren(tokens: &[Token<'_>], i: usize) -> bool {
    tokens.len() >= i + 3
        && tokens[i].raw == "("
        && is_abbreviation(&tokens[i + 1])
        && tokens[i + 2].raw == ")"
}
