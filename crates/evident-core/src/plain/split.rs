//! Step 3 of plain language: splitting long sentences at safe boundaries.

use super::*;

pub(super) const MAX_WORDS: usize = 25;
pub(super) const MIN_PART_WORDS: usize = 6;

/// Words that can open an independent clause after ", and ".
pub(super) const CLAUSE_OPENERS: &str = "the this these that those it its they their there a an \
    patients people you we he she most many some all treatment therapy surgery men women \
    children doctors clinicians";

/// Verbs that may follow ", which" for it to start a new sentence as "This ..."/"These ...".
pub(super) const WHICH_VERBS_SINGULAR: &str = "is was has does did can may could might should will \
    would must means includes reduces increases improves requires causes leads allows";
pub(super) const WHICH_VERBS_PLURAL: &str =
    "are were have do include reduce increase improve require cause lead allow";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum CutKind {
    Semicolon,
    But,
    Which,
    And,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Cut {
    pub(super) kind: CutKind,
    /// End of the first half (before the punctuation).
    pub(super) first_end: usize,
    /// Start of the second half's kept text.
    pub(super) rest_start: usize,
}

/// Whether `word` is one of the space-separated words of `list`.
pub(super) fn has_word(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

pub(super) fn count_words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Step 3 of [`plain_language`].
pub(super) fn split_long(s: &str) -> String {
    let total = count_words(s);
    if total <= MAX_WORDS {
        return s.to_string();
    }
    let Some(cut) = best_cut(s, total) else {
        return s.to_string();
    };
    let mut first = s[..cut.first_end].trim_end().to_string();
    if !first.ends_with(['.', '!', '?']) {
        first.push('.');
    }
    let rest = &s[cut.rest_start..];
    let second = match cut.kind {
        CutKind::Which => {
            let after = rest.trim_start();
            let after = &after["which".len()..];
            let verb = first_word(after).to_lowercase();
            let pronoun = if has_word(WHICH_VERBS_PLURAL, &verb) {
                "These"
            } else {
                "This"
            };
            format!("{pronoun}{after}")
        }
        _ => capitalize_plain_word(rest.trim_start()),
    };
    format!("{} {}", split_long(&first), split_long(&second))
}

/// Capitalizes the first letter when the first word is all lowercase letters ("but" →
/// "But"; "eGFR" and "5-FU" stay as they are).
pub(super) fn capitalize_plain_word(s: &str) -> String {
    let word = first_word(s);
    if !word.is_empty()
        && s.starts_with(word)
        && word.chars().all(|c| c.is_alphabetic() && c.is_lowercase())
    {
        upper_first(s)
    } else {
        s.to_string()
    }
}

pub(super) fn best_cut(s: &str, total: usize) -> Option<Cut> {
    let mut best: Option<(Cut, usize)> = None;
    let mut depth = 0usize;
    let mut words = 0usize;
    let mut in_word = false;
    let mut word_has_alnum = false;
    let mut last_comma_words = 0usize;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if in_word && word_has_alnum {
                words += 1;
            }
            in_word = false;
            word_has_alnum = false;
        } else {
            in_word = true;
            word_has_alnum |= c.is_alphanumeric();
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > 0 || !matches!(c, ';' | ',') {
            continue;
        }
        let words_before = words + usize::from(in_word && word_has_alnum);
        let rest = &s[i + 1..];
        if !rest.starts_with(' ') {
            continue;
        }
        let next = rest.trim_start();
        let segment_words = words_before - last_comma_words;
        last_comma_words = words_before;
        let candidate = if c == ';' {
            Some((CutKind::Semicolon, 0))
        } else if next.starts_with("but ") {
            Some((CutKind::But, 0))
        } else if let Some(after) = next.strip_prefix("which ") {
            let verb = first_word(after).to_lowercase();
            let verb_like = has_word(WHICH_VERBS_SINGULAR, &verb)
                || has_word(WHICH_VERBS_PLURAL, &verb)
                || (verb.len() > 3 && verb.ends_with("ed"));
            verb_like.then_some((CutKind::Which, 0))
        } else if let Some(after) = next.strip_prefix("and ") {
            let opener = first_word(after).to_lowercase();
            (has_word(CLAUSE_OPENERS, &opener) && segment_words >= MIN_PART_WORDS)
                .then_some((CutKind::And, 1))
        } else {
            None
        };
        let Some((kind, dropped)) = candidate else {
            continue;
        };
        let words_after = total.saturating_sub(words_before + dropped);
        if words_before < MIN_PART_WORDS || words_after < MIN_PART_WORDS {
            continue;
        }
        let rest_start = s.len() - next.len() + if kind == CutKind::And { 4 } else { 0 };
        let cut = Cut {
            kind,
            first_end: i,
            rest_start,
        };
        let balance = words_before.abs_diff(total / 2);
        let better = match &best {
            None => true,
            Some((b, b_balance)) => (kind, balance) < (b.kind, *b_balance),
        };
        if better {
            best = Some((cut, balance));
        }
    }
    best.map(|(cut, _)| cut)
}
