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
use crate::tokens::{NumberSuffix, Token};

/// Lexicon text splits `62M` into `62` and `M`, so that age/sex shorthand is recognised.
fn tokenize(text: &str) -> Vec<Token<'_>> {
    crate::tokens::tokenize(text, NumberSuffix::Split)
}

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

    /// A treatment of any kind: a treatment, a procedure or a drug.
    pub fn is_treatment(self) -> bool {
        matches!(
            self,
            Category::Treatment | Category::Procedure | Category::Drug
        )
    }

    /// Whether a concept of this category is searched by its classes' terms and its
    /// members' names (a drug or a treatment: "denosumab" finds "bone-modifying agents").
    /// A condition's subtypes or a procedure's kinds would widen every search for it;
    /// their class links only say what includes what.
    pub fn searched_by_class(self) -> bool {
        matches!(self, Category::Treatment | Category::Drug)
    }

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
    /// Ids of the broader concepts this one is a kind of (durvalumab: immunotherapy):
    /// what is said of the class holds for its members.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub broader: Vec<String>,
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

/// A class with more members than this does not add them to a query.
const MAX_MEMBERS: usize = 8;

/// A set of concepts with an index for fast matching.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    concepts: Vec<Concept>,
    by_id: HashMap<String, usize>,
    index: HashMap<String, Vec<TermRef>>,
    /// For each concept, the concepts that name it as broader.
    narrower: Vec<Vec<usize>>,
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
        for row in crate::tsv::rows_with(text, "concept_id, category, terms[, broader]", true) {
            let row = row.map_err(|(line, message)| CoreError::Lexicon { line, message })?;
            let line_no = row.line;
            let err = |message: String| CoreError::Lexicon {
                line: line_no,
                message,
            };
            let columns = row.columns;
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
                broader: Vec::new(),
            };
            for id in row.fourth.unwrap_or("").split('|') {
                let id = id.trim();
                if id.chars().any(char::is_whitespace) {
                    return Err(err(format!(
                        "broader concept id `{id}` contains whitespace"
                    )));
                }
                if !id.is_empty() && !concept.broader.iter().any(|b| b == id) {
                    concept.broader.push(id.to_string());
                }
            }
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

    /// The classes a concept belongs to, transitively (denosumab: bone-modifying agent);
    /// none for an unknown id.
    pub fn classes(&self, id: &str) -> Vec<&Concept> {
        self.by_id
            .get(id)
            .map(|&i| {
                self.classes_of(i)
                    .into_iter()
                    .map(|c| &self.concepts[c])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The direct members of a class small enough to list (at most eight); none for a
    /// concept with no members or with more.
    pub fn members<'a>(&'a self, concept: &Concept) -> impl Iterator<Item = &'a Concept> + 'a {
        self.by_id
            .get(&concept.id)
            .and_then(|&i| self.narrower.get(i))
            .filter(|m| m.len() <= MAX_MEMBERS)
            .map_or(&[][..], |m| m.as_slice())
            .iter()
            .map(|&i| &self.concepts[i])
    }

    /// `(concept, broader id)` for every broader id that names no concept: a typo in a
    /// lexicon file, reported once the built-in and deployment files are combined.
    pub fn unknown_broader(&self) -> Vec<(&str, &str)> {
        self.concepts
            .iter()
            .flat_map(|c| {
                c.broader
                    .iter()
                    .filter(|b| !self.by_id.contains_key(b.as_str()))
                    .map(move |b| (c.id.as_str(), b.as_str()))
            })
            .collect()
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
            // The concept's other terms; then every term of the classes it belongs to
            // ("denosumab" finds what is written of "bone-modifying agents") and the
            // preferred term of its members ("immunotherapy" finds "durvalumab").
            let mut wanted: Vec<(&Concept, usize)> = if concept.category == Category::Shorthand {
                vec![(concept, 0)]
            } else {
                (0..concept.terms.len())
                    .filter(|&i| i != hit.term)
                    .map(|i| (concept, i))
                    .collect()
            };
            if concept.category.searched_by_class() {
                for class in self.classes_of(hit.concept) {
                    let class = &self.concepts[class];
                    wanted.extend((0..class.terms.len()).map(|i| (class, i)));
                }
                // Direct members only, and only of a class small enough to list: a broad
                // class ("chemotherapy") would drown the query in drug names.
                wanted.extend(self.members(concept).map(|m| (m, 0)));
            }
            for (concept, index) in wanted {
                let term = &concept.terms[index];
                if term.chars().count() < 2 {
                    continue;
                }
                let key = term.to_lowercase();
                if seen.contains(&key) {
                    continue;
                }
                let want = &concept.tokens[index];
                let cs = concept.case_sensitive[index];
                let present = (0..tokens.len()).any(|i| sequence_matches(&tokens[i..], want, cs));
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

    /// Indices of the classes `start` belongs to, transitively, itself left out (a cycle
    /// in the files ends the walk).
    fn classes_of(&self, start: usize) -> Vec<usize> {
        let step = |c: usize| -> Vec<usize> {
            self.concepts[c]
                .broader
                .iter()
                .filter_map(|id| self.by_id.get(id).copied())
                .collect()
        };
        let mut out = Vec::new();
        let mut queue = step(start);
        while let Some(next) = queue.pop() {
            if next != start && !out.contains(&next) {
                out.push(next);
                queue.extend(step(next));
            }
        }
        out
    }

    fn merge_concept(&mut self, concept: Concept) {
        match self.by_id.get(&concept.id) {
            Some(&existing) => {
                let target = &mut self.concepts[existing];
                let Concept {
                    terms,
                    case_sensitive,
                    tokens,
                    broader,
                    ..
                } = concept;
                for ((term, cs), toks) in terms.into_iter().zip(case_sensitive).zip(tokens) {
                    target.push_term(term, cs, toks);
                }
                for b in broader {
                    if !target.broader.contains(&b) {
                        target.broader.push(b);
                    }
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
        let mut narrower = vec![Vec::new(); self.concepts.len()];
        for (ci, concept) in self.concepts.iter().enumerate() {
            for b in &concept.broader {
                if let Some(&bi) = self.by_id.get(b) {
                    narrower[bi].push(ci);
                }
            }
        }
        self.narrower = narrower;
    }

    fn find_tokens(&self, tokens: &[Token<'_>]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut i = 0;
        'outer: while i < tokens.len() {
            if let Some(refs) = self.index.get(tokens[i].norm.as_ref()) {
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
                t.norm.to_string()
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
                tok.norm == want.as_str()
            }
        })
}

#[cfg(test)]
mod tests;
