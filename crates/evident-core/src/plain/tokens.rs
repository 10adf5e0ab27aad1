//! Tokens of text and matching glossary terms against them.

use super::*;

/// A token of text: a run of letters/digits (`word`) or one punctuation character.
#[derive(Debug)]
pub(super) struct Token<'a> {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) raw: &'a str,
    /// Lowercased word, or normalised punctuation.
    pub(super) norm: Cow<'a, str>,
    pub(super) word: bool,
}

/// Characters that only separate tokens, like whitespace: hyphens of all common kinds.
pub(super) fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2043}')
}

/// Combining marks continue a word (e.g. a decomposed accent).
pub(super) fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{20D0}'..='\u{20FF}')
}

pub(super) fn normalize_punct(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => Some('\''),
        '\u{FF0F}' | '\u{2215}' => Some('/'),
        _ => None,
    }
}

pub(super) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() || is_joiner(c) {
            continue;
        }
        if c.is_alphanumeric() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, next)) = chars.peek() {
                if next.is_alphanumeric() || is_combining(next) {
                    end = i + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let raw = &text[start..end];
            tokens.push(Token {
                start,
                end,
                raw,
                norm: lowercase(raw),
                word: true,
            });
        } else {
            let end = start + c.len_utf8();
            let raw = &text[start..end];
            let norm = match normalize_punct(c) {
                Some(n) => Cow::Owned(n.to_string()),
                None => Cow::Borrowed(raw),
            };
            tokens.push(Token {
                start,
                end,
                raw,
                norm,
                word: false,
            });
        }
    }
    tokens
}

pub(super) fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_lowercase())
    }
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
