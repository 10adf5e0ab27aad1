//! Word-level matching for composition: content stems, stop words and term weights.

use std::collections::HashSet;
use std::sync::LazyLock;

/// English function words and question filler that carry no topic.
const STOP: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "done", "down", "during", "each",
    "either", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
    "hers", "him", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself",
    "just", "may", "me", "might", "more", "most", "much", "must", "my", "no", "nor", "not", "now",
    "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "per", "same",
    "she", "should", "since", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "thus", "to", "too", "under", "until",
    "up", "upon", "very", "was", "we", "were", "what", "when", "where", "whether", "which",
    "while", "who", "whom", "why", "will", "with", "within", "without", "would", "yet", "you",
    "your", "i'm", "im", "shall", "ought", "get", "got", "let", "vs",
];

/// Words of a clinical question that say little about its topic: they are ignored when
/// judging whether the evidence covers the question.
const GENERIC: &[&str] = &[
    "patient",
    "patients",
    "person",
    "people",
    "woman",
    "women",
    "man",
    "men",
    "male",
    "female",
    "year",
    "years",
    "old",
    "aged",
    "age",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "next",
    "step",
    "steps",
    "management",
    "manage",
    "managed",
    "best",
    "recommended",
    "recommend",
    "recommendation",
    "approach",
    "option",
    "options",
    "role",
    "used",
    "use",
    "using",
    "give",
    "given",
    "giving",
    "receive",
    "received",
    "new",
    "now",
    "history",
    "status",
    "post",
    "concerning",
    "concern",
    "question",
    "know",
    "want",
    "wants",
    "suggest",
    "team",
    "doctor",
    "clinician",
    "physician",
    "nurse",
    "pharmacist",
    "evidence",
    "like",
    "well",
    "feel",
    "feels",
    "safe",
    "wait",
    "involve",
    "would",
    "should",
    "first",
    "line",
    "team",
    "ordered",
    "order",
    "watch",
    "keep",
    "still",
    "just",
    "diagnosed",
    "found",
    "shows",
    "show",
    "showed",
    "after",
    "currently",
    "case",
    "good",
    "better",
];

fn is_stop(word: &str) -> bool {
    // Asked for every word of every candidate passage: a set, not a scan of the list.
    static SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| STOP.iter().copied().collect());
    SET.contains(word)
}

/// Whether a word (lowercase) is generic question filler rather than topic.
pub(crate) fn is_generic(word: &str) -> bool {
    static SET: LazyLock<HashSet<&'static str>> =
        LazyLock::new(|| GENERIC.iter().copied().collect());
    SET.contains(word) || is_stop(word)
}

/// The alphanumeric words of `text` as written (hyphenated words are split).
pub(crate) fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
}

/// Lowercased alphanumeric words of `text` (hyphenated words are split).
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    raw_words(text).map(str::to_lowercase)
}

/// A word stem: at most six characters of a word, held inline. Composition makes hundreds
/// of thousands of them a question; a heap string for each cost it a fifth of its time.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stem {
    len: u8,
    /// The stem's UTF-8 bytes, zero after `len`: six characters take at most 24 bytes.
    bytes: [u8; 24],
}

impl Stem {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    pub(crate) fn as_str(&self) -> &str {
        // Built only from the first characters of a `str`, so always UTF-8.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl std::hash::Hash for Stem {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
    }
}

impl std::ops::Deref for Stem {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Stem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A crude but robust stem: the first six characters of a word, so that `irradiated` and
/// `irradiation`, `recurrence` and `recurrent`, `resection` and `resected` meet.
pub(crate) fn stem(word: &str) -> Stem {
    let w = word.strip_suffix("'s").unwrap_or(word);
    // Up to the seventh character; a word of six or fewer loses a plural "s".
    let mut len = w.char_indices().nth(6).map_or(w.len(), |(i, _)| i);
    let whole = len == w.len();
    if whole && len > 3 && w.ends_with('s') && !w.ends_with("ss") {
        len -= 1;
    }
    let mut bytes = [0u8; 24];
    bytes[..len].copy_from_slice(&w.as_bytes()[..len]);
    Stem {
        len: len as u8,
        bytes,
    }
}

/// The content stems of `text`: stop words and one-letter words dropped, numbers kept.
pub(crate) fn content_stems(text: &str) -> Vec<Stem> {
    let mut lower = String::new();
    raw_words(text)
        .filter_map(|w| {
            // Most words need no lowercasing: no string is made for them.
            let w = if w
                .bytes()
                .any(|b| !b.is_ascii_lowercase() && !b.is_ascii_digit())
            {
                lower = w.to_lowercase();
                lower.as_str()
            } else {
                w
            };
            (!is_stop(w) && (w.len() > 1 || w.chars().all(|c| c.is_ascii_digit()))).then(|| stem(w))
        })
        .collect()
}

/// A set of stems. Composition asks these sets hundreds of thousands of times a question, so
/// they use a fast non-cryptographic hash (the stems come from the corpus, not from a
/// party that could choose colliding keys to slow a server down).
pub(crate) type StemSet = rustc_hash::FxHashSet<Stem>;

/// Jaccard similarity of two stem sets.
pub(crate) fn jaccard(a: &StemSet, b: &StemSet) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count();
    inter as f32 / (a.len() + b.len() - inter) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(stem("irradiated"), stem("irradiation"));
        assert_eq!(stem("recurrence"), stem("recurrent"));
        assert_eq!(stem("scans"), stem("scan"));
        assert_ne!(stem("class"), stem("clas"));
    }

    #[test]
    fn content_stems_drop_stop_words_and_keep_numbers() {
        let s = content_stems("The patient had 3 cycles of FOLFOX and a CT scan");
        assert!(s.contains(&stem("3")));
        assert!(s.contains(&stem("folfox")));
        assert!(!s.contains(&stem("the")));
        assert!(!s.contains(&stem("a")));
        assert_eq!(
            s,
            content_stems("the PATIENT had 3 Cycles of folfox and a ct SCAN")
        );
    }

    #[test]
    fn jaccard_is_symmetric_and_bounded() {
        let a: StemSet = content_stems("surgical resection of the recurrence")
            .into_iter()
            .collect();
        let b: StemSet = content_stems("resection of recurrent disease")
            .into_iter()
            .collect();
        let j = jaccard(&a, &b);
        assert!(j > 0.0 && j <= 1.0);
        assert_eq!(j, jaccard(&b, &a));
        assert_eq!(jaccard(&a, &a), 1.0);
    }
}
