//! What user input may hold and how stored text is shown on a terminal: control characters are refused in questions, notes and names (with an error naming the field), escaped when printed; the caps on an article search and on an article's follow-ups.

use std::borrow::Cow;
use std::fmt::Write;

use crate::error::CoreError;

/// Most words an article search may have.
pub const MAX_SEARCH_WORDS: usize = 16;
/// Longest article search, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// Most follow-up questions one article's thread takes.
pub const MAX_FOLLOW_UPS: i64 = 100;
/// Follow-ups shown per page of a thread.
pub const FOLLOW_UPS_PER_PAGE: usize = 20;

/// Whether a field may span lines (a question from a text area, a note) or is one line (a
/// user name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Line breaks and tabs are allowed; other control characters are not.
    Many,
    /// No control character at all.
    One,
}

/// Refuses a control character (Unicode category Cc: C0, DEL, C1) in `value`, except line
/// breaks and tabs in a [`Lines::Many`] field. `field` names the input in the error
/// ("the question", "the note").
pub fn check_text(field: &str, value: &str, lines: Lines) -> Result<(), CoreError> {
    let allowed = |c: char| lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
    match value.chars().position(|c| c.is_control() && !allowed(c)) {
        None => Ok(()),
        Some(at) => {
            let c = value.chars().nth(at).unwrap_or_default();
            Err(CoreError::Input(format!(
                "{field} holds a control character (U+{:04X} at character {}): remove it",
                u32::from(c),
                at + 1
            )))
        }
    }
}

/// Whether `c` must not reach a terminal as it is: a control character other than a line
/// break or tab (escape sequences recolour, retitle or clear it), or a bidirectional
/// embedding, override or isolate (they reorder what is shown).
pub fn is_unsafe_on_terminal(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` safe to print on a terminal: each unsafe character written as `\u{1b}`.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_on_terminal(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The words of an article search (lowercased, duplicates dropped), or an error when it is
/// longer than [`MAX_SEARCH_CHARS`] characters or has more than [`MAX_SEARCH_WORDS`] words.
pub fn search_words(text: &str) -> Result<Vec<String>, CoreError> {
    let text = text.trim();
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(CoreError::Input(format!(
            "the search is longer than {MAX_SEARCH_CHARS} characters: shorten it"
        )));
    }
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let word = word.to_lowercase();
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if words.len() > MAX_SEARCH_WORDS {
        return Err(CoreError::Input(format!(
            "the search has more than {MAX_SEARCH_WORDS} words: use fewer"
        )));
    }
    Ok(words)
}

/// The 1-based page `page` of a thread of `total` follow-ups clamped to the pages there are,
/// and the number of pages (at least 1).
pub fn follow_up_page(page: Option<u32>, total: usize) -> (usize, usize) {
    let pages = total.div_ceil(FOLLOW_UPS_PER_PAGE).max(1);
    let page = (page.unwrap_or(1) as usize).clamp(1, pages);
    (page, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_with_their_place() {
        assert!(check_text("the question", "café M, ≥65, “curly”, مرحبا", Lines::One).is_ok());
        assert!(check_text("the note", "line one\nline two\ttab\r\n", Lines::Many).is_ok());
        let e = check_text("the note", "ok\u{1b}[2J", Lines::Many).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the note holds a control character (U+001B at character 3): remove it"
        );
        assert!(check_text("the name", "a\nb", Lines::One).is_err());
        assert!(check_text("the name", "a\u{9b}b", Lines::One).is_err());
        assert!(check_text("the name", "a\u{7f}", Lines::One).is_err());
    }

    #[test]
    fn escaping_leaves_text_and_shows_controls() {
        assert!(matches!(
            escape_control("plain é\nnext\tcol"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_control("\u{1b}]0;pwned\u{7}x\u{202e}y\r"),
            "\\u{1b}]0;pwned\\u{7}x\\u{202e}y\\u{d}"
        );
    }

    #[test]
    fn searches_are_capped() {
        assert_eq!(
            search_words(" Rectal  rectal cancer ").unwrap(),
            ["rectal", "cancer"]
        );
        let many = vec!["w"; 1001]
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{w}{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(search_words(&many).is_err());
        let words: Vec<String> = (0..MAX_SEARCH_WORDS + 1).map(|i| format!("w{i}")).collect();
        assert!(search_words(&words.join(" ")).is_err());
        assert!(search_words(&words[1..].join(" ")).is_ok());
    }

    #[test]
    fn pages_are_clamped() {
        assert_eq!(follow_up_page(None, 0), (1, 1));
        assert_eq!(follow_up_page(Some(0), 45), (1, 3));
        assert_eq!(follow_up_page(Some(9), 45), (3, 3));
        assert_eq!(follow_up_page(Some(2), 40), (2, 2));
    }
}
