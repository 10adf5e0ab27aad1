//! The clinical lexicon: parsing its TSV format, finding its terms in text, and expanding queries with synonyms.
//!
//! A lexicon is a list of [`Concept`]s, each a set of synonymous terms (abbreviations,
//! shorthand, lay and technical wording). The built-in list lives in `data/lexicon.tsv`;
//! a deployment can parse its own file and [`Lexicon::extend`] the built-in one with it.
//!
//! # Matching rules
//!
//! Text and terms are cut into the same kind of tokens: runs of letters and digits, and
//! single punctuation characters. Whitespace and hyphens only separate tokens, so a
//! hyphen in a term also matches a space in the text and vice versa. A token written as
//! digits directly followed by letters (`62M`, `45yo`) is split in two, so that age/sex
//! shorthand is recognised. A term matches where its token sequence equals a run of text
//! tokens, so terms always start and end on token boundaries (`MI` is not found inside
//! `mission`). Terms match case-insensitively, except those written in the file as
//! `=Term`, which match only with exactly that case. At each position the longest term
//! wins (ties go to case-sensitive terms, then to file order), and matches never overlap.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// The kind of thing a concept names; the second column of the lexicon file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Condition,
    Treatment,
    Procedure,
    Finding,
    Test,
    Biomarker,
    Drug,
    Shorthand,
    Anatomy,
    Population,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 10] = [
        Category::Condition,
        Category::Treatment,
        Category::Procedure,
        Category::Finding,
        Category::Test,
        Category::Biomarker,
        Category::Drug,
        Category::Shorthand,
        Category::Anatomy,
        Category::Population,
    ];

    /// The name used in the lexicon file and in serialized form.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Condition => "condition",
            Category::Treatment => "treatment",
            Category::Procedure => "procedure",
            Category::Finding => "finding",
            Category::Test => "test",
            Category::Biomarker => "biomarker",
            Category::Drug => "drug",
            Category::Shorthand => "shorthand",
            Category::Anatomy => "anatomy",
            Category::Population => "population",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "unknown category `{s}` (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// One concept: an id, a category and its synonymous terms, preferred term first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concept {
    pub id: String,
    pub category: Category,
    /// The terms as written in the file (without the `=` marker), preferred first.
    pub terms: Vec<String>,
    /// Parallel to `terms`: whether the term matches only with its exact case.
    #[serde(skip)]
    case_sensitive: Vec<bool>,
    /// Parallel to `terms`: the term's tokens in the form used for comparison.
    #[serde(skip)]
    tokens: Vec<Vec<String>>,
}

impl Concept {
    /// The preferred (first) term.
    pub fn preferred(&self) -> &str {
        &self.terms[0]
    }

    /// Whether term `index` matches only with its exact case (written `=Term` in the file).
    pub fn is_case_sensitive(&self, index: usize) -> bool {
        self.case_sensitive.get(index).copied().unwrap_or(false)
    }

    /// Adds a term unless an equivalent one (same tokens and case rule) is already present.
    fn push_term(&mut self, term: String, case_sensitive: bool, tokens: Vec<String>) {
        let duplicate = self
            .tokens
            .iter()
            .zip(&self.case_sensitive)
            .any(|(t, &cs)| cs == case_sensitive && *t == tokens);
        if !duplicate {
            self.terms.push(term);
            self.case_sensitive.push(case_sensitive);
            self.tokens.push(tokens);
        }
    }
}

/// One occurrence of a lexicon term in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'a> {
    pub concept: &'a Concept,
    /// Byte offset of the first character of the occurrence.
    pub start: usize,
    /// Byte offset just past the occurrence.
    pub end: usize,
    /// The lexicon term that matched, as written in the lexicon.
    pub term: String,
    /// Index of that term in `concept.terms`.
    pub term_index: usize,
}

/// A query and the synonyms that [`Lexicon::expand_query`] suggests adding to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expansion {
    pub original: String,
    pub added: Vec<String>,
}

impl Expansion {
    /// The original query followed by the added terms, separated by spaces.
    pub fn expanded_text(&self) -> String {
        if self.added.is_empty() {
            return self.original.clone();
        }
        let mut out = self.original.clone();
        for term in &self.added {
            out.push(' ');
            out.push_str(term);
        }
        out
    }
}

/// Where a term sits in the lexicon, filed under the lowercased form of its first token.
#[derive(Debug, Clone, Copy)]
struct TermRef {
    concept: usize,
    term: usize,
    len: usize,
    case_sensitive: bool,
}

/// A set of concepts with an index for fast matching.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    concepts: Vec<Concept>,
    by_id: HashMap<String, usize>,
    index: HashMap<String, Vec<TermRef>>,
}

static BUILTIN: OnceLock<Lexicon> = OnceLock::new();
const BUILTIN_TEXT: &str = include_str!("../../../data/lexicon.tsv");

impl Lexicon {
    /// An empty lexicon.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lexicon shipped with Evident (`data/lexicon.tsv`), parsed on first use.
    pub fn builtin() -> &'static Lexicon {
        BUILTIN.get_or_init(|| {
            Lexicon::parse(BUILTIN_TEXT).expect("the built-in lexicon data/lexicon.tsv must parse")
        })
    }

    /// Parses lexicon text (see `data/lexicon.tsv` for the format).
    ///
    /// Errors carry the 1-based line number. A concept id that appears on several lines
    /// with the same category has its terms merged; a different category is an error.
    pub fn parse(text: &str) -> Result<Lexicon, CoreError> {
        let mut lexicon = Lexicon::new();
        for (number, line) in text.lines().enumerate() {
            let line_no = number + 1;
            let err = |message: String| CoreError::Lexicon {
                line: line_no,
                message,
            };
            let line = line.strip_suffix('\r').unwrap_or(line);
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let columns: Vec<&str> = line.split('\t').collect();
            if columns.len() != 3 {
                return Err(err(format!(
                    "expected 3 tab-separated columns (concept_id, category, terms), found {}",
                    columns.len()
                )));
            }
            let id = columns[0].trim();
            if id.is_empty() {
                return Err(err("empty concept id".to_string()));
            }
            if id.chars().any(char::is_whitespace) {
                return Err(err(format!("concept id `{id}` contains whitespace")));
            }
            let category: Category = columns[1].trim().parse().map_err(err)?;
            let mut concept = Concept {
                id: id.to_string(),
                category,
                terms: Vec::new(),
                case_sensitive: Vec::new(),
                tokens: Vec::new(),
            };
            for (position, raw) in columns[2].split('|').enumerate() {
                let (term, case_sensitive, tokens) =
                    parse_term(raw).map_err(|m| err(format!("term {}: {m}", position + 1)))?;
                concept.push_term(term, case_sensitive, tokens);
            }
            if let Some(&existing) = lexicon.by_id.get(id) {
                let previous = lexicon.concepts[existing].category;
                if previous != category {
                    return Err(err(format!(
                        "concept `{id}` was already declared with category `{previous}`"
                    )));
                }
            }
            lexicon.merge_concept(concept);
        }
        lexicon.rebuild_index();
        Ok(lexicon)
    }

    /// Adds another lexicon (e.g. a deployment's own file) to this one. Concepts with an
    /// id already present gain the new terms (the existing category is kept); other
    /// concepts are appended.
    pub fn extend(&mut self, other: Lexicon) {
        for concept in other.concepts {
            self.merge_concept(concept);
        }
        self.rebuild_index();
    }

    /// The concept with this id.
    pub fn concept(&self, id: &str) -> Option<&Concept> {
        self.by_id.get(id).map(|&i| &self.concepts[i])
    }

    /// All concepts, in file order.
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    /// Iterates over the concepts in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, Concept> {
        self.concepts.iter()
    }

    /// Number of concepts.
    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// All non-overlapping occurrences of lexicon terms in `text`, in text order.
    pub fn find<'a>(&'a self, text: &str) -> Vec<Match<'a>> {
        let tokens = tokenize(text);
        self.find_tokens(&tokens)
            .into_iter()
            .map(|hit| {
                let concept = &self.concepts[hit.concept];
                Match {
                    concept,
                    start: tokens[hit.first].start,
                    end: tokens[hit.first + hit.len - 1].end,
                    term: concept.terms[hit.term].clone(),
                    term_index: hit.term,
                }
            })
            .collect()
    }

    /// Suggests synonyms to add to a query: for every concept found in it, the concept's
    /// other terms that are not already in the query, deduplicated, in order of first
    /// appearance. Shorthand concepts (`s/p`, `w/o`, `h/o` ...) only expand towards their
    /// preferred wording, and single-character terms (`M`, `F`) are never added.
    pub fn expand_query(&self, query: &str) -> Expansion {
        let tokens = tokenize(query);
        let mut added = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for hit in self.find_tokens(&tokens) {
            let concept = &self.concepts[hit.concept];
            let candidates: Vec<usize> = if concept.category == Category::Shorthand {
                vec![0]
            } else {
                (0..concept.terms.len()).collect()
            };
            for index in candidates {
                if index == hit.term {
                    continue;
                }
                let term = &concept.terms[index];
                if term.chars().count() < 2 {
                    continue;
                }
                let key = term.to_lowercase();
                if seen.contains(&key) {
                    continue;
                }
                let wanted = &concept.tokens[index];
                let cs = concept.case_sensitive[index];
                let present = (0..tokens.len()).any(|i| sequence_matches(&tokens[i..], wanted, cs));
                if present {
                    continue;
                }
                seen.insert(key);
                added.push(term.clone());
            }
        }
        Expansion {
            original: query.to_string(),
            added,
        }
    }

    fn merge_concept(&mut self, concept: Concept) {
        match self.by_id.get(&concept.id) {
            Some(&existing) => {
                let target = &mut self.concepts[existing];
                let Concept {
                    terms,
                    case_sensitive,
                    tokens,
                    ..
                } = concept;
                for ((term, cs), toks) in terms.into_iter().zip(case_sensitive).zip(tokens) {
                    target.push_term(term, cs, toks);
                }
            }
            None => {
                self.by_id.insert(concept.id.clone(), self.concepts.len());
                self.concepts.push(concept);
            }
        }
    }

    fn rebuild_index(&mut self) {
        let mut index: HashMap<String, Vec<TermRef>> = HashMap::new();
        for (ci, concept) in self.concepts.iter().enumerate() {
            for (ti, toks) in concept.tokens.iter().enumerate() {
                index
                    .entry(toks[0].to_lowercase())
                    .or_default()
                    .push(TermRef {
                        concept: ci,
                        term: ti,
                        len: toks.len(),
                        case_sensitive: concept.case_sensitive[ti],
                    });
            }
        }
        for refs in index.values_mut() {
            // Longest first; at equal length an exact-case term beats a case-blind one;
            // otherwise file order.
            refs.sort_by_key(|r| (Reverse(r.len), !r.case_sensitive, r.concept, r.term));
        }
        self.index = index;
    }

    fn find_tokens(&self, tokens: &[Token<'_>]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut i = 0;
        'outer: while i < tokens.len() {
            if let Some(refs) = self.index.get(tokens[i].norm.as_str()) {
                for r in refs {
                    let wanted = &self.concepts[r.concept].tokens[r.term];
                    if sequence_matches(&tokens[i..], wanted, r.case_sensitive) {
                        hits.push(Hit {
                            concept: r.concept,
                            term: r.term,
                            first: i,
                            len: r.len,
                        });
                        i += r.len;
                        continue 'outer;
                    }
                }
            }
            i += 1;
        }
        hits
    }
}

impl<'a> IntoIterator for &'a Lexicon {
    type Item = &'a Concept;
    type IntoIter = std::slice::Iter<'a, Concept>;

    fn into_iter(self) -> Self::IntoIter {
        self.concepts.iter()
    }
}

/// A match in token coordinates.
struct Hit {
    concept: usize,
    term: usize,
    first: usize,
    len: usize,
}

/// Parses one `|`-separated term: strips the `=` marker and tokenizes it.
fn parse_term(raw: &str) -> Result<(String, bool, Vec<String>), String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("empty term".to_string());
    }
    let (text, case_sensitive) = match raw.strip_prefix('=') {
        Some(rest) => {
            let rest = rest.trim();
            if !rest.chars().any(char::is_uppercase) {
                return Err(format!(
                    "`{raw}`: a case-sensitive term (marked `=`) must contain an uppercase letter"
                ));
            }
            (rest, true)
        }
        None => (raw, false),
    };
    let tokens = tokenize(text);
    if !tokens.iter().any(|t| t.word) {
        return Err(format!("`{raw}` contains no letter or digit"));
    }
    let forms = tokens
        .iter()
        .map(|t| {
            if case_sensitive && t.word {
                t.raw.to_string()
            } else {
                t.norm.clone()
            }
        })
        .collect();
    Ok((text.to_string(), case_sensitive, forms))
}

/// Whether `wanted` matches the tokens at the start of `tokens`.
fn sequence_matches(tokens: &[Token<'_>], wanted: &[String], case_sensitive: bool) -> bool {
    wanted.len() <= tokens.len()
        && tokens.iter().zip(wanted).all(|(tok, want)| {
            if case_sensitive && tok.word {
                tok.raw == want.as_str()
            } else {
                tok.norm == *want
            }
        })
}

/// A token of text: a run of letters/digits (`word`) or one punctuation character.
#[derive(Debug)]
struct Token<'a> {
    start: usize,
    end: usize,
    raw: &'a str,
    /// Lowercased word, or normalised punctuation.
    norm: String,
    word: bool,
}

/// Characters that only separate tokens, like whitespace: hyphens of all common kinds.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2043}')
}

/// Combining marks continue a word (e.g. a decomposed accent).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{20D0}'..='\u{20FF}')
}

fn normalize_punct(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
        '\u{FF0F}' | '\u{2215}' => '/',
        other => other,
    }
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
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
            push_word(text, start, end, &mut tokens);
        } else {
            let end = start + c.len_utf8();
            tokens.push(Token {
                start,
                end,
                raw: &text[start..end],
                norm: normalize_punct(c).to_string(),
                word: false,
            });
        }
    }
    tokens
}

/// Pushes a word token, splitting `<digits><letters>` (e.g. `62M`, `45yo`) in two.
fn push_word<'a>(text: &'a str, start: usize, end: usize, tokens: &mut Vec<Token<'a>>) {
    let word = &text[start..end];
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let split =
        digits > 0 && digits < word.len() && word[digits..].chars().all(char::is_alphabetic);
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

fn lowercase(s: &str) -> String {
    if s.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
        s.to_string()
    } else {
        s.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids<'a>(matches: &[Match<'a>]) -> Vec<&'a str> {
        matches.iter().map(|m| m.concept.id.as_str()).collect()
    }

    fn added_lower(e: &Expansion) -> Vec<String> {
        e.added.iter().map(|a| a.to_lowercase()).collect()
    }

    #[test]
    fn builtin_lexicon_parses_and_is_substantial() {
        let lex = Lexicon::builtin();
        assert!(lex.len() >= 200, "only {} concepts", lex.len());
        for concept in lex {
            assert!(!concept.terms.is_empty());
            assert_eq!(concept.terms.len(), concept.tokens.len());
        }
        assert!(lex.concept("myocardial_infarction").is_some());
        assert_eq!(
            lex.concept("status_post").unwrap().category,
            Category::Shorthand
        );
    }

    #[test]
    fn builtin_has_no_term_in_two_concepts() {
        let mut owner: HashMap<(bool, Vec<String>), &str> = HashMap::new();
        for concept in Lexicon::builtin() {
            for (i, toks) in concept.tokens.iter().enumerate() {
                let key = (concept.case_sensitive[i], toks.clone());
                if let Some(other) = owner.insert(key, &concept.id) {
                    panic!(
                        "term `{}` is in both `{other}` and `{}`",
                        concept.terms[i], concept.id
                    );
                }
            }
        }
    }

    #[test]
    fn clinical_note_expands_shorthand_and_abbreviations() {
        let e = Lexicon::builtin().expand_query("62M s/p CRT, h/o MI, new 1.2 cm presacral lesion");
        let added = added_lower(&e);
        for wanted in [
            "status post",
            "chemoradiation",
            "chemoradiotherapy",
            "history of",
            "myocardial infarction",
        ] {
            assert!(
                added.contains(&wanted.to_string()),
                "{wanted} missing from {added:?}"
            );
        }
        assert!(e.expanded_text().contains("radiotherapy"));
        assert!(added.contains(&"male".to_string()));
        assert!(!added.iter().any(|a| a == "s/p" || a == "crt" || a == "mi"));
        assert!(e.expanded_text().starts_with(&e.original));
    }

    #[test]
    fn egfr_and_egfr_receptor_are_distinguished_by_case() {
        let lex = Lexicon::builtin();
        let rate = added_lower(&lex.expand_query("eGFR 25"));
        assert!(rate.contains(&"estimated glomerular filtration rate".to_string()));
        assert!(!rate.iter().any(|a| a.contains("epidermal")), "{rate:?}");

        let gene = added_lower(&lex.expand_query("EGFR mutation"));
        assert!(gene.contains(&"epidermal growth factor receptor".to_string()));
        assert!(!gene.iter().any(|a| a.contains("glomerular")), "{gene:?}");

        assert!(lex.find("egfr").is_empty());
    }

    #[test]
    fn matching_is_case_insensitive_by_default() {
        let matches = Lexicon::builtin().find("History of Atrial Fibrillation");
        assert_eq!(ids(&matches), ["history_of", "atrial_fibrillation"]);
        let m = &matches[1];
        assert_eq!(m.term, "atrial fibrillation");
        assert_eq!(
            &"History of Atrial Fibrillation"[m.start..m.end],
            "Atrial Fibrillation"
        );
    }

    #[test]
    fn terms_respect_word_boundaries() {
        let lex = Lexicon::builtin();
        assert!(lex.find("mission").is_empty());
        assert!(lex.find("ami").iter().all(|m| m.term == "ami"));
        assert!(ids(&lex.find("submission of the MI data")).contains(&"myocardial_infarction"));
        assert!(!ids(&lex.find("pet owners")).contains(&"pet"));
        assert_eq!(ids(&lex.find("PET scan")), ["pet"]);
        assert_eq!(ids(&lex.find("staging PET")), ["pet"]);
        assert!(lex.find("Mother").is_empty());
        assert_eq!(ids(&lex.find("a 45 F")), ["female"]);
    }

    #[test]
    fn longest_match_wins_and_hyphen_equals_space() {
        let lex = Lexicon::builtin();
        assert_eq!(
            ids(&lex.find("non-small cell lung cancer")),
            ["non_small_cell_lung_cancer"]
        );
        assert_eq!(
            ids(&lex.find("non small cell lung cancer")),
            ["non_small_cell_lung_cancer"]
        );
        assert_eq!(ids(&lex.find("chemo radiation")), ["chemoradiation"]);
        assert_eq!(ids(&lex.find("chemo-radiation")), ["chemoradiation"]);
        assert_eq!(ids(&lex.find("FDG PET/CT")), ["pet_ct"]);
        assert_eq!(ids(&lex.find("stage IV")), ["stage_iv"]);
        assert_eq!(ids(&lex.find("BRAF V600E")), ["braf_v600e"]);
        assert_eq!(ids(&lex.find("w/o contrast")), ["without"]);
        assert_eq!(ids(&lex.find("w/ contrast")), ["with"]);
        let m = &lex.find("pt s/p LAR")[1];
        assert_eq!((m.start, m.end, m.term.as_str()), (3, 6, "s/p"));
    }

    #[test]
    fn case_sensitive_short_forms() {
        let lex = Lexicon::builtin();
        assert_eq!(ids(&lex.find("suspected PE")), ["pulmonary_embolism"]);
        assert!(lex.find("pe").is_empty());
        assert_eq!(ids(&lex.find("PT and INR")), ["prothrombin_time", "inr"]);
        assert_eq!(
            ids(&lex.find("pt with fever")),
            ["patient", "with", "fever"]
        );
        assert!(!ids(&lex.find("all patients")).contains(&"acute_lymphoblastic_leukemia"));
        assert_eq!(
            ids(&lex.find("pediatric ALL")),
            ["pediatric", "acute_lymphoblastic_leukemia"]
        );
    }

    #[test]
    fn shorthand_expands_only_to_words() {
        let lex = Lexicon::builtin();
        let e = lex.expand_query("w/o contrast");
        assert_eq!(e.added, ["without"]);
        let e = lex.expand_query("status post surgery");
        assert!(
            !e.added.iter().any(|a| a == "s/p" || a == "after"),
            "{:?}",
            e.added
        );
    }

    #[test]
    fn expansion_skips_terms_already_present_and_dedupes() {
        let lex = Lexicon::builtin();
        let e = lex.expand_query("MI or myocardial infarction, heart attack");
        assert!(!added_lower(&e).contains(&"myocardial infarction".to_string()));
        assert!(!added_lower(&e).contains(&"heart attack".to_string()));
        let mut sorted = added_lower(&e);
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), e.added.len());
        let nothing = lex.expand_query("zzz qqq");
        assert!(nothing.added.is_empty());
        assert_eq!(nothing.expanded_text(), "zzz qqq");
    }

    #[test]
    fn parse_errors_carry_line_numbers() {
        let cases = [
            ("# c\n\nx\tcondition\n", 3, "3 tab-separated columns"),
            (
                "a\tcondition\tfoo\nb\tcondition\tfoo||bar\n",
                2,
                "empty term",
            ),
            ("a\tdisease\tfoo\n", 1, "unknown category"),
            ("a\tcondition\t=foo\n", 1, "uppercase"),
            ("a\tcondition\t--\n", 1, "no letter"),
            ("a\tcondition\tfoo\n\na\tdrug\tbar\n", 3, "already declared"),
            ("\tcondition\tfoo\n", 1, "empty concept id"),
        ];
        for (text, line, fragment) in cases {
            match Lexicon::parse(text) {
                Err(CoreError::Lexicon { line: l, message }) => {
                    assert_eq!(l, line, "{text:?}: {message}");
                    assert!(message.contains(fragment), "{text:?}: {message}");
                }
                other => panic!("{text:?}: expected a lexicon error, got {other:?}"),
            }
        }
    }

    #[test]
    fn parse_handles_crlf_comments_and_merges_repeated_ids() {
        let lex =
            Lexicon::parse("# header\r\nfoo\tdrug\tfoozole|fz\r\n\r\nfoo\tdrug\tfz|foozolix\r\n")
                .unwrap();
        assert_eq!(lex.len(), 1);
        assert_eq!(
            lex.concept("foo").unwrap().terms,
            ["foozole", "fz", "foozolix"]
        );
        assert_eq!(lex.concept("foo").unwrap().preferred(), "foozole");
    }

    #[test]
    fn extend_merges_and_adds() {
        let mut lex = Lexicon::parse("mi\tcondition\tmyocardial infarction|mi\n").unwrap();
        let extra =
            Lexicon::parse("mi\tfinding\tmi|heart attack\nxyz\tdrug\txyzumab|=XYZ\n").unwrap();
        lex.extend(extra);
        assert_eq!(lex.len(), 2);
        let mi = lex.concept("mi").unwrap();
        assert_eq!(mi.category, Category::Condition);
        assert_eq!(mi.terms, ["myocardial infarction", "mi", "heart attack"]);
        assert_eq!(ids(&lex.find("heart attack on XYZ")), ["mi", "xyz"]);
        assert!(lex.find("xyz").is_empty());
        assert!(lex.concept("xyz").unwrap().is_case_sensitive(1));

        let mut builtin = Lexicon::builtin().clone();
        let before = builtin.len();
        builtin
            .extend(Lexicon::parse("myocardial_infarction\tcondition\tcardiac infarct\n").unwrap());
        assert_eq!(builtin.len(), before);
        assert_eq!(
            ids(&builtin.find("old cardiac infarct")),
            ["myocardial_infarction"]
        );
    }

    #[test]
    fn category_serializes_snake_case() {
        assert_eq!(
            serde_json::to_string(&Category::Biomarker).unwrap(),
            "\"biomarker\""
        );
        let c: Category = serde_json::from_str("\"population\"").unwrap();
        assert_eq!(c, Category::Population);
        assert_eq!(
            "shorthand".parse::<Category>().unwrap(),
            Category::Shorthand
        );
    }

    #[test]
    #[ignore = "timing; run with --release --ignored"]
    fn find_is_fast_on_a_thirty_word_query() {
        let lex = Lexicon::builtin();
        let q = "62M s/p CRT for locally advanced rectal cancer, h/o MI and AF on DOAC, \
                 eGFR 25, new 1.2 cm presacral lesion on PET/CT w/o lymphadenopathy, CEA rising";
        let n = 10_000;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(lex.find(std::hint::black_box(q)));
        }
        let per = t.elapsed() / n;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(lex.expand_query(std::hint::black_box(q)));
        }
        let per_expand = t.elapsed() / n;
        eprintln!("find: {per:?} per query, expand_query: {per_expand:?}");
        assert!(per < std::time::Duration::from_micros(100));
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("s/p".to_string()),
            Just("MI".to_string()),
            Just("EGFR".to_string()),
            Just("eGFR".to_string()),
            Just("PET/CT".to_string()),
            Just("non-small cell".to_string()),
            Just("62M".to_string()),
            Just("w/".to_string()),
            Just(" ".to_string()),
            Just("-".to_string()),
            "\\PC{0,4}",
            any::<char>().prop_map(String::from),
        ]
    }

    fn check_spans(text: &str, matches: &[Match<'_>]) -> Result<(), TestCaseError> {
        let mut last_end = 0;
        for m in matches {
            prop_assert!(m.start < m.end && m.end <= text.len());
            prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
            prop_assert!(m.start >= last_end, "overlap or disorder at {}", m.start);
            last_end = m.end;
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn find_spans_are_valid_on_arbitrary_text(text in any::<String>()) {
            let lex = Lexicon::builtin();
            check_spans(&text, &lex.find(&text))?;
            let e = lex.expand_query(&text);
            prop_assert_eq!(e.original, text);
        }

        #[test]
        fn find_spans_are_valid_on_term_soup(parts in prop::collection::vec(fragment(), 0..24)) {
            let text = parts.concat();
            let lex = Lexicon::builtin();
            check_spans(&text, &lex.find(&text))?;
        }
    }
}
