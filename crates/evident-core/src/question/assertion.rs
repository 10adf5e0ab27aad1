//! Assertion cues shared by question analysis and case consistency: concept mentions (lexicon matches plus fixed negated/implied forms), clause windows, and NegEx-like negation, treatment-history, hypothetical and biomarker-polarity cues.
//!
//! # How a mention gets its polarity
//!
//! Every cue is looked for in a *window* around the mention: at most [`LEFT_WORDS`] words
//! before it and [`RIGHT_WORDS`] after it, never crossing a clause boundary (`. ; : ? !`,
//! a comma, or one of [`BOUNDARY_WORDS`] such as "but" or "however"). Within that window:
//!
//! - **Treatments, procedures and drugs** need a cue to be asserted at all. A following
//!   negative cue ("-naive", "was not given") or a preceding negation trigger ("no", "not",
//!   "never", "without", "denies" ...) makes them absent, unless a *strong* history cue
//!   ("s/p", "status post", "after", "following", "currently on") comes after the
//!   trigger. Otherwise a history cue before ("prior", "received", "treated with", "history
//!   of", "on") or after ("completed", "x 6 cycles", "in 2019") makes them present; the cue
//!   nearest the mention says whether it is history or *current* ("on", "receiving",
//!   "taking"). Words about plans and order ("planned", "considering", "candidate",
//!   "should", "before", "prior to") cut the window. A treatment without a cue of its own
//!   that continues a list ("no prior chemotherapy, radiation, or surgery") takes the
//!   polarity of the one before it, and "adjuvant"/"neoadjuvant" right before a treatment
//!   only modifies it.
//! - **Biomarkers** need a polarity: a word right after them ("-positive", "+", "mutated",
//!   "exon 19 deletion", "-negative", "wild-type"), "positive for"/"negative for" before
//!   them, or a term that states one (`dMMR`, `BRAF V600E`, `ER-positive`). A negation
//!   trigger just before them makes them absent. Testing contexts ("HER2 testing",
//!   "determine whether ... HER2") give nothing.
//! - **Conditions, findings and populations** are present when mentioned, absent after a
//!   negation trigger, and not asserted at all in hypothetical contexts ("risk of", "screen
//!   for", "rule out", "family history of", "prevent").
//!
//! Some wordings carry their polarity themselves and are recognised by a fixed table
//! ([`FORMS`]): "nonirradiated", "treatment-naive", "previously untreated", "nonmetastatic",
//! "localized", "premenopausal", "never smoker", "re-irradiation", "resected",
//! "castration-resistant". They are kept out of the lexicon on purpose: as synonyms they would
//! make query expansion add the opposite wording.

use std::sync::LazyLock;

use regex::Regex;

use super::cues::*;
use crate::lexicon::{Category, Lexicon};

/// Whether a mention is asserted as present or as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Polarity {
    Positive,
    Negative,
}

/// A concept named in a text: a lexicon match or one of the fixed [`FORMS`].
#[derive(Debug, Clone)]
pub(crate) struct Mention {
    pub concept: String,
    pub category: Category,
    pub start: usize,
    pub end: usize,
    /// Polarity stated by the wording itself ("nonirradiated", "dMMR", "ER-positive",
    /// "irradiated").
    pub inherent: Option<Polarity>,
}

/// The polarity of a mention and the words that state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Assertion {
    pub polarity: Polarity,
    /// Byte span of the cue and the mention together.
    pub start: usize,
    pub end: usize,
    /// Whether the wording defines a population by itself ("no prior radiation",
    /// "previously irradiated", "-naive", "pretreated", "after progression on",
    /// "HER2-positive") rather than through a cue ("received", "after", "not given") that
    /// only makes a condition inside a population phrase.
    pub defining: bool,
    /// Whether the cue speaks of treatment going on now ("receiving", "on", "taking") rather
    /// than of history: a patient fact, but no condition on earlier treatment.
    pub current: bool,
}

/// How a mention is judged, by its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Treatment,
    Biomarker,
    State,
}

impl Kind {
    pub(crate) fn of(category: Category) -> Option<Kind> {
        match category {
            Category::Treatment | Category::Procedure | Category::Drug => Some(Kind::Treatment),
            Category::Biomarker => Some(Kind::Biomarker),
            Category::Condition | Category::Finding | Category::Population => Some(Kind::State),
            Category::Test | Category::Shorthand | Category::Anatomy => None,
        }
    }
}

/// Words looked at before a mention.
pub(crate) const LEFT_WORDS: usize = 6;
/// Words looked at after a mention.
pub(crate) const RIGHT_WORDS: usize = 4;

/// Words that end a clause for the purpose of cue windows.
pub(crate) const BOUNDARY_WORDS: &[&str] = &[
    "but",
    "however",
    "although",
    "though",
    "whereas",
    "yet",
    "except",
    "presents",
    "presented",
    "presenting",
    "now",
    "which",
    "then",
];

/// Fixed wordings that carry their concept and polarity (see the module docs). The order of
/// the entries is the order of the capture groups in [`FORMS_RE`].
pub(crate) const FORMS: &[(&str, &str, Category, Polarity)] = &[
    (
        r"non-?metastatic|locally[- ]advanced|locali[sz]ed(?:\s+[\w-]+){0,3}?\s+(?:disease|cancers?|carcinomas?|tumou?rs?|malignanc(?:y|ies))",
        "metastases",
        Category::Finding,
        Polarity::Negative,
    ),
    (
        r"non-?irradiated|unirradiated|radiation[- ]na[iï]ve|radiotherapy[- ]na[iï]ve",
        "radiotherapy",
        Category::Treatment,
        Polarity::Negative,
    ),
    (
        r"re-?irradiat(?:ion|ed|ing|e)",
        "radiotherapy",
        Category::Treatment,
        Polarity::Positive,
    ),
    (
        r"non-?pregnant",
        "pregnancy",
        Category::Population,
        Polarity::Negative,
    ),
    (
        r"non-?smokers?|never[- ]smokers?|never[- ]smoked",
        "smoker",
        Category::Population,
        Polarity::Negative,
    ),
    (
        r"(?:previously |chemotherapy[- ]|chemo[- ])?untreated|treatment[- ]na[iï]ve|therapy[- ]na[iï]ve",
        "prior_therapy",
        Category::Treatment,
        Polarity::Negative,
    ),
    (
        r"hormone[- ]na[iï]ve",
        "endocrine_therapy",
        Category::Treatment,
        Polarity::Negative,
    ),
    (
        r"pre-?menopausal",
        "postmenopausal",
        Category::Population,
        Polarity::Negative,
    ),
    (
        r"(?:completely |surgically |curatively )?resected",
        "surgery",
        Category::Treatment,
        Polarity::Positive,
    ),
    (
        r"castrat(?:e|ion)[- ]resistant",
        "androgen_deprivation_therapy",
        Category::Treatment,
        Polarity::Positive,
    ),
];

static FORMS_RE: LazyLock<Regex> = LazyLock::new(|| {
    let groups: Vec<String> = FORMS.iter().map(|(p, ..)| format!("({p})")).collect();
    crate::pattern::regex(&format!(r"(?i)\b(?:{})\b", groups.join("|"))).expect("forms regex")
});

/// All concept mentions of `text`, in text order: lexicon matches (shorthand, tests and
/// anatomy included, so that callers can list concepts) and the fixed [`FORMS`], which win
/// over the lexicon matches they overlap.
pub(crate) fn mentions(text: &str, lexicon: &Lexicon) -> Vec<Mention> {
    let mut forms: Vec<Mention> = Vec::new();
    for caps in FORMS_RE.captures_iter(text) {
        let Some((index, group)) = caps
            .iter()
            .skip(1)
            .enumerate()
            .find_map(|(i, g)| g.map(|g| (i, g)))
        else {
            continue;
        };
        let (_, concept, default_category, polarity) = FORMS[index];
        let category = lexicon
            .concept(concept)
            .map_or(default_category, |c| c.category);
        forms.push(Mention {
            concept: concept.to_string(),
            category,
            start: group.start(),
            end: group.end(),
            inherent: Some(polarity),
        });
    }
    let mut out: Vec<Mention> = lexicon
        .find(text)
        .into_iter()
        // A form replaces the lexicon matches inside it that name the same concept or are
        // shorthand ("radiation" in "radiation-naive", "treatment" in "treatment-naive").
        .filter(|m| {
            !forms.iter().any(|f| {
                m.start >= f.start
                    && m.end <= f.end
                    && (m.concept.id == f.concept || m.concept.category == Category::Shorthand)
            })
        })
        .map(|m| Mention {
            concept: m.concept.id.clone(),
            category: m.concept.category,
            start: m.start,
            end: m.end,
            inherent: term_polarity(m.concept.category, &m.term),
        })
        .collect();
    out.extend(forms);
    out.sort_by_key(|m| m.start);
    // "adjuvant"/"neoadjuvant" right before a treatment only modifies it.
    let modifier = |i: usize| {
        let m = &out[i];
        let word = text[m.start..m.end].to_lowercase();
        matches!(word.as_str(), "adjuvant" | "neoadjuvant")
            && out.get(i + 1).is_some_and(|next| {
                Kind::of(next.category) == Some(Kind::Treatment)
                    && next.start >= m.end
                    && text[m.end..next.start].trim_matches([' ', '-']).is_empty()
            })
    };
    let keep: Vec<bool> = (0..out.len()).map(|i| !modifier(i)).collect();
    let mut keep = keep.into_iter();
    out.retain(|_| keep.next().unwrap_or(true));
    out
}

/// Polarity stated by a lexicon term itself.
fn term_polarity(category: Category, term: &str) -> Option<Polarity> {
    let t = term.to_lowercase();
    match category {
        Category::Biomarker => {
            if t.contains("negative") {
                Some(Polarity::Negative)
            } else if BIOMARKER_STATE_TERM.is_match(&t) {
                Some(Polarity::Positive)
            } else {
                None
            }
        }
        // A past participle names something done ("irradiated", "biopsied", "intubated"),
        // and so does a term about earlier treatment ("prior therapy", "pretreated").
        Category::Treatment | Category::Procedure | Category::Drug
            if (t.ends_with("ed") && !t.contains(' '))
                || t.starts_with("prior ")
                || t.starts_with("previous")
                || t.contains("pretreated") =>
        {
            Some(Polarity::Positive)
        }
        _ => None,
    }
}

/// Biomarker terms that name a state rather than a marker to test.
static BIOMARKER_STATE_TERM: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"positive|\+$|mutation|mutant|rearrangement|fusion|v600|g12c|exon|skipping|deficien|proficien|msi|mss|dmmr|pmmr|mmrd|stable|instability|high",
    )
    .expect("state regex")
});

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\'' | '\u{2019}' | '/' | '+')
}

/// Whether the character at byte `i` of `text` ends a clause.
fn is_boundary_at(text: &str, i: usize, c: char) -> bool {
    match c {
        ';' | ':' | '?' | '!' | ',' | '\n' => true,
        '.' => {
            // A period ends a clause unless a letter or digit follows (1.2, y.o.).
            let next = text[i + 1..].chars().next();
            next.is_none_or(|n| n.is_whitespace() || n == ')' || n == '"')
        }
        _ => false,
    }
}

fn is_boundary_word(word: &str) -> bool {
    BOUNDARY_WORDS.iter().any(|b| b.eq_ignore_ascii_case(word))
}

/// Start of the window of at most `max_words` words before byte `pos`, within the clause.
pub(crate) fn left_start(text: &str, pos: usize, max_words: usize) -> usize {
    let mut words = 0;
    let mut i = pos;
    let head = &text[..pos];
    let mut iter = head.char_indices().rev().peekable();
    while let Some(&(j, c)) = iter.peek() {
        if is_word_char(c) {
            let end = j + c.len_utf8();
            let mut start = j;
            while let Some(&(k, d)) = iter.peek() {
                if is_word_char(d) {
                    start = k;
                    iter.next();
                } else {
                    break;
                }
            }
            if is_boundary_word(&text[start..end]) {
                return i;
            }
            words += 1;
            i = start;
            if words >= max_words {
                return i;
            }
        } else {
            if is_boundary_at(text, j, c) {
                return i;
            }
            iter.next();
        }
    }
    0
}

/// End of the window of at most `max_words` words after byte `pos`, within the clause.
pub(crate) fn right_end(text: &str, pos: usize, max_words: usize) -> usize {
    let mut words = 0;
    let mut i = pos;
    let mut iter = text[pos..].char_indices().peekable();
    while let Some(&(j, c)) = iter.peek() {
        let j = j + pos;
        if is_word_char(c) {
            let start = j;
            let mut end = j + c.len_utf8();
            iter.next();
            while let Some(&(k, d)) = iter.peek() {
                if is_word_char(d) {
                    end = k + pos + d.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            if is_boundary_word(&text[start..end]) {
                return i;
            }
            words += 1;
            i = end;
            if words >= max_words {
                return i;
            }
        } else {
            if is_boundary_at(text, j, c) {
                return i;
            }
            iter.next();
            i = j + c.len_utf8();
        }
    }
    text.len()
}

/// Judges a mention in `text`. Returns `None` when nothing is asserted about it.
pub(crate) fn assess(text: &str, m: &Mention) -> Option<Assertion> {
    let kind = Kind::of(m.category)?;
    let lstart = left_start(text, m.start, LEFT_WORDS);
    let left = &text[lstart..m.start];
    let rend = right_end(text, m.end, RIGHT_WORDS);
    let right = &text[m.end..rend];
    if EITHER_WAY.is_match(left) {
        return None;
    }
    match kind {
        // "Is olaparib given as maintenance?", "Has she received trastuzumab?": asked,
        // not stated.
        Kind::Treatment if asked_whether(text, m, left) => None,
        Kind::Treatment => assess_treatment(m, lstart, left, right),
        Kind::Biomarker => assess_biomarker(m, lstart, left, right),
        Kind::State => assess_state(m, lstart, left),
    }
}

fn negation_start(left: &str) -> Option<usize> {
    let pseudo: Vec<(usize, usize)> = PSEUDO_NEGATION
        .find_iter(left)
        .map(|p| (p.start(), p.end()))
        .collect();
    NEGATION
        .find_iter(left)
        .filter(|n| !pseudo.iter().any(|&(s, e)| n.start() >= s && n.start() < e))
        .last()
        .map(|n| n.start())
}

fn assess_treatment(m: &Mention, lstart: usize, left: &str, right: &str) -> Option<Assertion> {
    let at = |polarity, start: usize, end: usize, defining| Assertion {
        polarity,
        start,
        end,
        defining,
        current: false,
    };
    if let Some(neg) = NEGATIVE_RIGHT.find(right) {
        let defining = DEFINING_HISTORY.is_match(neg.as_str());
        return Some(at(Polarity::Negative, m.start, m.end + neg.end(), defining));
    }
    // Plans cut the window: only the words after the last plan word count.
    let cut = FUTURE.find_iter(left).last().map_or(0, |f| f.end());
    let window = &left[cut..];
    let wstart = lstart + cut;
    if let Some(neg) = negation_start(window) {
        let after = &window[neg..];
        if !STRONG_HISTORY.is_match(after) {
            let defining = DEFINING_HISTORY.is_match(window) || PRIOR.is_match(after);
            // Take the subject and auxiliary along: "who have not received".
            let lead = AUXILIARY.find(&window[..neg]).map_or(neg, |x| x.start());
            return Some(at(Polarity::Negative, wstart + lead, m.end, defining));
        }
    }
    if let Some(p) = m.inherent {
        let start = if DEFINING_HISTORY.is_match(window) {
            HISTORY_LEFT
                .find(window)
                .map_or(m.start, |h| wstart + h.start())
        } else {
            m.start
        };
        return Some(at(p, start, m.end, true));
    }
    // The cue nearest the mention decides its tense and where its words start.
    let history = HISTORY_LEFT
        .find_iter(window)
        .filter(|h| !(h.as_str().starts_with("on") && ON_OTHER.is_match(window)))
        .last();
    if let Some(h) = history {
        let defining = DEFINING_HISTORY.is_match(window);
        return Some(Assertion {
            current: CURRENT.is_match(h.as_str()),
            ..at(Polarity::Positive, wstart + h.start(), m.end, defining)
        });
    }
    if let Some(h) = HISTORY_RIGHT.find(right) {
        let defining = DEFINING_HISTORY.is_match(h.as_str());
        return Some(at(Polarity::Positive, m.start, m.end + h.end(), defining));
    }
    None
}

fn assess_biomarker(m: &Mention, lstart: usize, left: &str, right: &str) -> Option<Assertion> {
    let near_left_start = left.len().saturating_sub(40);
    let near_left = &left[floor_char_boundary(left, near_left_start)..];
    if TEST_LEFT.is_match(near_left) || TEST_RIGHT.is_match(right) {
        return None;
    }
    let at = |polarity, start: usize, end: usize| Assertion {
        polarity,
        start,
        end,
        defining: true,
        current: false,
    };
    let negated = negation_start(left).map(|n| lstart + n);
    if let Some(r) = BIOMARKER_NEGATIVE_RIGHT.find(right) {
        return Some(at(Polarity::Negative, m.start, m.end + r.end()));
    }
    if let Some(r) = BIOMARKER_POSITIVE_RIGHT.find(right) {
        let end = m.end
            + r.as_str()
                .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '+')
                .len();
        return Some(match negated {
            Some(n) => at(Polarity::Negative, n, end),
            None => at(Polarity::Positive, m.start, end),
        });
    }
    if let Some(c) = BIOMARKER_PERCENT_RIGHT.captures(right) {
        let value: f64 = c[2].parse().ok()?;
        let below = c.get(1).is_some_and(|op| op.as_str() == "<");
        let polarity = if below || value < 1.0 {
            Polarity::Negative
        } else {
            Polarity::Positive
        };
        return Some(at(polarity, m.start, m.end + c.get(0)?.end()));
    }
    if let Some(c) = POLARITY_LEFT.captures(left) {
        let polarity = if c[1].eq_ignore_ascii_case("positive") {
            Polarity::Positive
        } else {
            Polarity::Negative
        };
        return Some(at(polarity, lstart + c.get(0)?.start(), m.end));
    }
    let inherent = m.inherent?;
    Some(match negated {
        Some(n) => at(Polarity::Negative, n, m.end),
        None => at(inherent, m.start, m.end),
    })
}

fn assess_state(m: &Mention, lstart: usize, left: &str) -> Option<Assertion> {
    if let Some(p) = m.inherent {
        return Some(Assertion {
            polarity: p,
            start: m.start,
            end: m.end,
            defining: true,
            current: false,
        });
    }
    if HYPOTHETICAL.is_match(left) || VERSUS_NEAR.is_match(left) {
        return None;
    }
    Some(match negation_start(left) {
        Some(n) => Assertion {
            polarity: Polarity::Negative,
            start: lstart + n,
            end: m.end,
            defining: false,
            current: false,
        },
        None => Assertion {
            polarity: Polarity::Positive,
            start: m.start,
            end: m.end,
            defining: false,
            current: false,
        },
    })
}

/// Judges a mention like [`assess`]; a treatment that has no cue of its own takes the
/// polarity of the treatment before it when it continues a list with it ("no prior
/// chemotherapy, radiation, or surgery"). `last` carries the last treatment mention's end
/// and assertion from one call to the next.
pub(crate) fn assess_in_list(
    text: &str,
    m: &Mention,
    last: &mut Option<(usize, Assertion)>,
) -> Option<Assertion> {
    let mut found = assess(text, m);
    if Kind::of(m.category) != Some(Kind::Treatment) {
        return found;
    }
    if found.is_none()
        && let Some((prev_end, prev)) = *last
        && prev_end <= m.start
        && continues_list(&text[prev_end..m.start], &text[m.end..])
    {
        found = Some(Assertion { end: m.end, ..prev });
    }
    *last = found.map(|a| (m.end, a));
    found
}

/// Whether the second of two treatment mentions continues a list started by the first
/// ("X, Y and Z", "X or Y", "X with concurrent 60 Gy Y"), so that it takes the polarity
/// of the first. `between` is the
/// text between them, `after` the text after the second. A bare comma continues a list only
/// when a conjunction follows the second mention, after any further items ("X, Y, or Z",
/// "X, Y, Z and W").
fn continues_list(between: &str, after: &str) -> bool {
    static NEXT_CONJUNCTION: LazyLock<Regex> = LazyLock::new(|| {
        // Any further ", item" before the conjunction: "X, Y, Z and W".
        crate::pattern::regex(r"(?i)^(?:\s*,\s*[\w/ -]{1,40}?)*\s*,?\s*(?:and|or|nor)\b")
            .expect("conjunction regex")
    });
    // Only commas between the two, or a conjunction with modifiers around it; a comma and
    // a modifier alone ("no prior radiation, preoperative chemoradiation") starts anew.
    static COMMAS: LazyLock<Regex> =
        LazyLock::new(|| crate::pattern::regex(r"^[\s,/]*$").expect("commas regex"));
    static LIST: LazyLock<Regex> = LazyLock::new(|| {
        // Modifiers of a treatment on either side of the conjunction ("adjuvant", "the",
        // "concurrent twice-daily", "60 Gy").
        let modifiers = r"(?:\s|,|/|\badjuvant\b|\bneoadjuvant\b|\bpreoperative\b|\bpostoperative\b|\bpelvic\b|\bconcurrent\b|\bsystemic\b|\bprior\b|\bprevious\b|\ba\b|\ban\b|\bthe\b|\bany\b|\bsequential\b|\b(?:twice|once)[- ]daily\b|\bdaily\b|\bweekly\b|\d+(?:\.\d+)?\s*(?:gy|mg/m2|mg)\b)*";
        crate::pattern::regex(&format!(
            r"(?i)^{modifiers}(?:\band then\b|\band\b|\bor\b|\bnor\b|\bthen\b|\bplus\b|\bas well as\b|\bfollowed by\b|\bwith\b|\bcombined with\b){modifiers}$"
        ))
        .expect("list regex")
    });
    (COMMAS.is_match(between) && NEXT_CONJUNCTION.is_match(after)) || LIST.is_match(between)
}

pub(crate) fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
