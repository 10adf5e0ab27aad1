//! Sentence boundaries in clinical prose: abbreviations, initials, decimals and lists aware.
//!
//! [`split`] returns byte ranges that tile the input exactly, so callers can slice without
//! losing or duplicating text; [`sentences`] gives the trimmed slices.

use std::ops::Range;

/// Words that end with a period without ending a sentence (compared lowercase, without the dot).
const ABBREVIATIONS: &[&str] = &[
    "al", "approx", "ca", "cf", "dr", "e.g", "eg", "etc", "fig", "figs", "i.e", "ie", "incl", "jr",
    "mr", "mrs", "ms", "no", "nos", "prof", "ref", "refs", "sr", "st", "vol", "vs", "viz", "wk",
    "wks", "yr", "yrs", "mo", "mos", "min", "max", "resp", "approx", "dept", "univ", "inc", "ltd",
    "co", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "p",
    "pp", "op", "cit", "esp", "q", "b.i.d", "t.i.d", "q.i.d", "p.o", "i.v", "s.c", "a.m", "p.m",
    "u.s", "u.k", "sp", "spp", "var", "subsp",
];

/// Byte ranges of the sentences of `text`. The ranges are contiguous and cover `text`
/// completely (leading whitespace of a sentence belongs to the range before it).
pub fn split(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let boundary_end = match b {
            b'\n' => {
                // A line break ends a sentence when the next line starts a list item or the
                // text has a blank line; soft wraps inside prose are joined by readers already.
                let rest = &text[i + 1..];
                let next = rest.trim_start_matches([' ', '\t']);
                if next.starts_with('\n')
                    || next.starts_with("- ")
                    || next.starts_with("* ")
                    || next.starts_with("| ")
                {
                    Some(i + 1)
                } else {
                    None
                }
            }
            b'.' | b'!' | b'?' => terminal_end(text, start, i),
            _ => None,
        };
        if let Some(end) = boundary_end {
            // Extend over following whitespace so that ranges tile the text.
            let mut j = end;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\n') {
                j += 1;
            }
            if text[start..end].trim().is_empty() {
                i = j.max(i + 1);
                continue;
            }
            out.push(start..j);
            start = j;
            i = j;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        if text[start..].trim().is_empty() && !out.is_empty() {
            let last = out.last_mut().expect("non-empty");
            last.end = bytes.len();
        } else {
            out.push(start..bytes.len());
        }
    }
    out
}

/// The trimmed, non-empty sentences of `text`.
pub fn sentences(text: &str) -> Vec<&str> {
    split(text)
        .into_iter()
        .map(|r| text[r].trim())
        .filter(|s| !s.is_empty())
        .collect()
}

/// If the terminal punctuation at byte `i` ends a sentence, the byte where the sentence ends
/// (after closing quotes and brackets).
fn terminal_end(text: &str, sentence_start: usize, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut end = i + 1;
    // Runs like "?!" or "..." end together.
    while end < bytes.len() && matches!(bytes[end], b'.' | b'!' | b'?') {
        end += 1;
    }
    while end < bytes.len() && matches!(bytes[end], b')' | b']' | b'"' | b'\'') {
        end += 1;
    }
    // Closing curly quote (3 bytes).
    if text[end..].starts_with('\u{201d}') {
        end += '\u{201d}'.len_utf8();
    }
    if end >= bytes.len() {
        return Some(end);
    }
    // Must be followed by whitespace.
    if !matches!(bytes[end], b' ' | b'\t' | b'\n') {
        return None;
    }
    let next = text[end..].trim_start();
    let next_char = next.chars().next()?;
    // The next sentence starts with an uppercase letter, digit, quote or bracket.
    if !(next_char.is_uppercase()
        || next_char.is_ascii_digit()
        || matches!(
            next_char,
            '"' | '\u{201c}' | '(' | '[' | '-' | '*' | '\u{2022}'
        ))
    {
        return None;
    }
    if bytes[i] == b'.' && end == i + 1 {
        let word = preceding_word(&text[sentence_start..i]);
        let lower = word.to_lowercase();
        if ABBREVIATIONS.contains(&lower.as_str()) {
            return None;
        }
        // A single capital letter is an initial ("J. Smith"), unless it is a sentence itself.
        let mut chars = word.chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && c.is_uppercase()
        {
            return None;
        }
    }
    Some(end)
}

/// The run of non-whitespace characters right before `before`'s end, without opening brackets.
fn preceding_word(before: &str) -> &str {
    let start = before
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '[')
        .map(|p| p + before[p..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    &before[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_plain_sentences() {
        assert_eq!(
            sentences("The tumor was resected. Chemotherapy followed! Was it useful? Yes."),
            vec![
                "The tumor was resected.",
                "Chemotherapy followed!",
                "Was it useful?",
                "Yes."
            ]
        );
    }

    #[test]
    fn keeps_abbreviations_initials_and_decimals() {
        let text = "Smith et al. reported a 1.2 cm lesion (e.g. presacral) vs. none. \
                    Dr. J. Jones agreed. Median survival was 5.4 months.";
        assert_eq!(
            sentences(text),
            vec![
                "Smith et al. reported a 1.2 cm lesion (e.g. presacral) vs. none.",
                "Dr. J. Jones agreed.",
                "Median survival was 5.4 months."
            ]
        );
    }

    #[test]
    fn lowercase_continuation_is_not_a_boundary() {
        assert_eq!(sentences("Doses of 5 mg. daily were used.").len(), 1);
    }

    #[test]
    fn closing_brackets_stay_with_their_sentence() {
        assert_eq!(
            sentences("It worked (in most cases.) Then it failed."),
            vec!["It worked (in most cases.)", "Then it failed."]
        );
    }

    #[test]
    fn list_lines_are_separate_units() {
        assert_eq!(
            sentences("Options include:\n- surgery\n- radiation"),
            vec!["Options include:", "- surgery", "- radiation"]
        );
    }

    proptest! {
        #[test]
        fn ranges_tile_the_text(text in "[a-zA-Z0-9 .!?()\\n\u{e9}\u{201d}-]{0,200}") {
            let ranges = split(&text);
            let mut pos = 0;
            for r in &ranges {
                prop_assert_eq!(r.start, pos);
                prop_assert!(r.end > r.start);
                prop_assert!(text.is_char_boundary(r.end));
                pos = r.end;
            }
            prop_assert_eq!(pos, if ranges.is_empty() { 0 } else { text.len() });
            if ranges.is_empty() {
                prop_assert!(text.is_empty());
            }
        }
    }
}
