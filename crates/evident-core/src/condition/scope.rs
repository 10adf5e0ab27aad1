//! Population scopes of a guideline sentence: the parts that say whom a statement is about ("in patients with ...", "for ... disease", "if ...", "Patients who ... should").
//!
//! A scope runs from its trigger to the end of its clause (the next `; : ? !`, a sentence
//! period, a comma that does not continue a list of stages, or the end of the text):
//!
//! - **population phrase**: "in", "for", "among", "amongst", "within" or "to" followed,
//!   within eight words, by a population head ("patients", "women", "disease", "tumors",
//!   "setting" ...) or a disease named in the lexicon;
//! - **conditional clause**: "if", "when", "whenever", "unless", "where", "once",
//!   "provided", "in the absence/presence/setting of", "in case(s) of"; a scope opened by
//!   "unless" is *inverting*;
//! - **sentence-initial population**: the sentence starts with a noun phrase ending in a
//!   population head ("Previously irradiated patients", "Postmenopausal women"); when a
//!   qualifier follows the head ("with", "who", "without", "aged" ...), the scope runs on to
//!   the first modal verb ("should", "may", "can" ...), comma or semicolon, so that "Most
//!   patients present with metastatic disease" conditions nothing;
//! - **sentence-initial "After"/"Following"** clause ("After prior pelvic radiotherapy, ...").

use std::sync::LazyLock;

use regex::Regex;

use crate::lexicon::Category;
use crate::question::assertion::Mention;

/// A byte range of a sentence that describes a population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Scope {
    pub start: usize,
    pub end: usize,
    /// Opened by "unless": what it states is the condition's opposite.
    pub inverted: bool,
}

static TRIGGER: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)\b(?:in|for|among|amongst|within|to)\b").expect("trigger regex")
});

static CONDITIONAL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:(unless)|if|when|whenever|where|once|provided(?: that)?|in the absence of|in the presence of|in the setting of|in cases? of)\b",
    )
    .expect("conditional regex")
});

pub(super) const POPULATION_HEAD: &str = r"patients?|pts|women|woman|men|man|females|males|people|persons?|individuals?|adults?|adolescents?|children|child|those|cases?|candidates?|survivors?|recipients?|subjects?|populations?|cohorts?|disease|diseases|tumou?rs?|cancers?|carcinomas?|setting|settings|groups?|subgroups?|girls|boys|smokers|nonsmokers|non-smokers|neonates|infants|lesions?|malignanc(?:y|ies)";

static HEAD: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(&format!(r"(?i)\b(?:{POPULATION_HEAD})\b")).expect("head regex")
});

static INITIAL_POPULATION: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)^\W*(?:[\w/+-]+\s+){0,5}?(?:patients|women|men|people|individuals|persons|adults|those|candidates|survivors|children|smokers)\b",
    )
    .expect("initial population regex")
});

static INITIAL_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)^\W*(?:after|following|in patients after)\b")
        .expect("initial after regex")
});

/// Words that qualify a sentence-initial population head.
static QUALIFIER: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)^\s*(?:with|without|who|whose|that|having|treated|aged|older|younger|in whom|on|after|following|previously|not|receiving|undergoing)\b")
        .expect("qualifier regex")
});

static MODAL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)\b(?:should|may|can|must|will|might|could|would|are recommended|is recommended|benefit|require|requires)\b")
        .expect("modal regex")
});

/// A comma that continues a list of stages or numbers ("stage II, III, or IV").
static LIST_COMMA: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)^,\s*(?:(?:and|or)\s+)?(?:stage\s+)?(?:IV|I{1,3}|0|[1-4])[A-C]?\b")
        .expect("list comma regex")
});

/// After a comma: one to three more words, then a population head that ends the phrase.
static ADJECTIVE_COMMA: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(&format!(
        r"(?i)^,\s*(?:(?:and|or)\s+)?(?:(?:[a-z][\w-]*)\s+){{1,3}}(?:{POPULATION_HEAD})(?:[,.;:)]|\s+(?:after|who|whose|that|with|without|treated|receiving)\b|$)"
    ))
    .expect("adjective comma regex")
});

/// An adjective by its form: hyphenated ("platinum-sensitive") or with an adjective's
/// ending ("recurrent", "metastatic", "unresectable"); "trial" or "cancer" are not.
static ADJECTIVE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)(?:[a-z0-9]-[a-z]+|[a-z](?:ed|ive|ent|ant|ic|ous|ary|ible|able|less))$",
    )
    .expect("adjective regex")
});

/// Whether the comma at byte `i` separates the adjectives of one noun phrase
/// ("platinum-sensitive, recurrent ovarian cancer"), so the population runs on.
fn between_adjectives(text: &str, i: usize) -> bool {
    ADJECTIVE_BEFORE.is_match(&text[..i]) && ADJECTIVE_COMMA.is_match(&text[i..])
}

/// End of the clause that starts at or after byte `from`.
pub(super) fn clause_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b';' | b':' | b'?' | b'!' | b'\n' => return i,
            b'.' if i + 1 == bytes.len() || bytes[i + 1].is_ascii_whitespace() => return i,
            b',' if !LIST_COMMA.is_match(&text[i..]) && !between_adjectives(text, i) => return i,
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// Byte offset after the first `n` words starting at `from`.
fn after_words(text: &str, from: usize, n: usize) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for (i, c) in text[from..].char_indices() {
        let word = c.is_alphanumeric();
        if word && !in_word {
            count += 1;
            if count > n {
                return from + i;
            }
        }
        in_word = word;
    }
    text.len()
}

/// The population scopes of `text`.
pub(super) fn scopes(text: &str, mentions: &[Mention]) -> Vec<Scope> {
    let mut out = Vec::new();
    for t in TRIGGER.find_iter(text) {
        let end = clause_end(text, t.end());
        let look = after_words(text, t.end(), 8).min(end);
        let head = HEAD.is_match(&text[t.end()..look])
            || mentions
                .iter()
                .any(|m| m.category == Category::Condition && m.start >= t.end() && m.start < look);
        if head {
            out.push(Scope {
                start: t.start(),
                end,
                inverted: false,
            });
        }
    }
    for c in CONDITIONAL.captures_iter(text) {
        let m = c.get(0).expect("match");
        out.push(Scope {
            start: m.start(),
            end: clause_end(text, m.end()),
            inverted: c.get(1).is_some(),
        });
    }
    if let Some(m) = INITIAL_POPULATION.find(text) {
        // The words up to the head ("Previously irradiated patients"), and what qualifies
        // it ("... with stage III disease", "... who have received ...") up to the verb.
        let end = match QUALIFIER.find(&text[m.end()..]) {
            Some(q) if q.start() == 0 => {
                let clause = clause_end(text, m.end());
                MODAL
                    .find(&text[m.end()..clause])
                    .map_or(clause, |v| m.end() + v.start())
            }
            _ => m.end(),
        };
        out.push(Scope {
            start: 0,
            end,
            inverted: false,
        });
    }
    if let Some(m) = INITIAL_AFTER.find(text) {
        out.push(Scope {
            start: 0,
            end: clause_end(text, m.end()),
            inverted: false,
        });
    }
    out
}

/// The scope that contains the byte range `start..end`, if any.
pub(super) fn containing(scopes: &[Scope], start: usize, end: usize) -> Option<Scope> {
    scopes
        .iter()
        .filter(|s| s.start <= start && end <= s.end)
        .min_by_key(|s| s.end - s.start)
        .copied()
}
