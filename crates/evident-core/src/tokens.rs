//! Cutting clinical text into word and punctuation tokens: the one text model the lexicon and the lay glossary match terms against.

use std::borrow::Cow;

/// A token of text: a run of letters/digits (`word`) or one punctuation character.
#[derive(Debug)]
pub(crate) struct Token<'a> {
    pub start: usize,
    pub end: usize,
    pub raw: &'a str,
    /// Lowercased word, or normalised punctuation.
    pub norm: Cow<'a, str>,
    pub word: bool,
}

/// Characters that only separate tokens, like whitespace: hyphens of all common kinds.
pub(crate) fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2043}')
}

/// Combining marks continue a word (e.g. a decomposed accent).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{20D0}'..='\u{20FF}')
}

fn normalize_punct(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => Some('\''),
        '\u{FF0F}' | '\u{2215}' => Some('/'),
        _ => None,
    }
}

/// Whether a word written as digits followed by letters (`62M`, `45yo`) becomes two
/// tokens (age/sex shorthand in queries) or stays one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberSuffix {
    Split,
    Keep,
}

/// The tokens of `text`, in order. Whitespace and hyphens only separate tokens.
pub(crate) fn tokenize(text: &str, suffix: NumberSuffix) -> Vec<Token<'_>> {
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
            push_word(text, start, end, suffix, &mut tokens);
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

/// Pushes a word token, splitting `<digits><letters>` in two when `suffix` says so.
fn push_word<'a>(
    text: &'a str,
    start: usize,
    end: usize,
    suffix: NumberSuffix,
    tokens: &mut Vec<Token<'a>>,
) {
    let word = &text[start..end];
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let split = suffix == NumberSuffix::Split
        && digits > 0
        && digits < word.len()
        && word[digits..].chars().all(char::is_alphabetic);
    let mut push = |s: usize, e: usize| {
        let raw = &text[s..e];
        tokens.push(Token {
            start: s,
            end: e,
            raw,
            norm: lowercase(raw),
            word: true,
        });
    };
    if split {
        push(start, start + digits);
        push(start + digits, end);
    } else {
        push(start, end);
    }
}

/// `s` lowercased, borrowed when it already is.
pub(crate) fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str, suffix: NumberSuffix) -> Vec<String> {
        tokenize(text, suffix)
            .iter()
            .map(|t| t.norm.to_string())
            .collect()
    }

    #[test]
    fn hyphens_separate_punctuation_is_normalised_and_number_suffixes_split_on_request() {
        assert_eq!(
            norms("Non-Small cell’s", NumberSuffix::Keep),
            ["non", "small", "cell", "'", "s"]
        );
        assert_eq!(
            norms("62M s/p", NumberSuffix::Split),
            ["62", "m", "s", "/", "p"]
        );
        assert_eq!(norms("62M", NumberSuffix::Keep), ["62m"]);
    }
}
