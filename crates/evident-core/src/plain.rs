//! Plain language for patients: the lay glossary, rewriting guideline statements with it, and the Flesch–Kincaid grade.
//!
//! [`plain_language`] rewrites one statement (one or more sentences taken from a
//! guideline) so that a patient can read it, in four steps per sentence:
//!
//! 1. **Statistics out.** A parenthesis or bracket whose parts report statistics
//!    (`95% CI`, `P < .001`, `HR 0.50`, `OR`, `RR`, `I²` ...) loses those parts; other
//!    parts stay (`(78% vs 65%; HR 0.62; 95% CI 0.5-0.8)` becomes `(78% vs 65%)`). When
//!    nothing is left and the parenthesis reported one hazard ratio or relative risk, it
//!    becomes a plain phrase (`(HR, 0.50; 95% CI, 0.39–0.64; P < .001)` becomes
//!    `(about 50% lower risk)`); otherwise it is removed.
//! 2. **Jargon out.** [`Glossary`] terms are found as whole words, case-insensitively
//!    (abbreviations with two or more capitals only with exactly that case), longest
//!    term first, and never where a hyphen glues them to a neighbouring word (so
//!    `non-small cell lung cancer` is not read as `small cell lung cancer`, nor `renal`
//!    inside `adrenal`). Each entry's [`Mode`] says whether the lay wording replaces the
//!    term, is followed by the term in parentheses (`keep`) or follows it in
//!    parentheses (`explain`); those parentheses appear only the first time an entry
//!    occurs in the statement, never inside another parenthesis, and not when the text
//!    already follows the term with its own parenthesis. A definition such as
//!    `androgen deprivation therapy (ADT)` keeps its abbreviation. An `a`/`an` in front
//!    of a replaced term is adjusted, and a term that starts a sentence with a capital
//!    gives a lay wording with a capital.
//! 3. **Shorter sentences.** A sentence of more than 25 words is split in two at `"; "`,
//!    `", but "`, `", which "` (followed by a verb; "which" becomes "This"/"These") or
//!    `", and "` (followed by a clause-opening word such as "the" or "patients"), outside
//!    brackets, when both halves have at least 6 words; the halves are split again if
//!    still long. Commas inside numbers (`1,000`) and abbreviations (`e.g.`) are never
//!    boundaries.
//! 4. Nothing else changes: numbers, units, drug names and negations pass through as
//!    written (glossary wording never removes a "not"), and the whitespace between
//!    sentences is kept.
//!
//! The built-in glossary is `data/lay-glossary.tsv`, compiled in and parsed once; a
//! deployment can [`Glossary::parse`] its own file and [`Glossary::extend`] the built-in
//! one with it (a repeated term overrides the earlier entry).

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::error::CoreError;
use crate::sentence;

/// How an entry's lay wording is used; the third column of the glossary file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The lay wording replaces the term.
    Replace,
    /// First time: `lay wording (term)`; later: `lay wording`.
    Keep,
    /// First time: `term (lay wording)`; later: `term`.
    Explain,
}

impl Mode {
    /// Every mode, in declaration order.
    pub const ALL: [Mode; 3] = [Mode::Replace, Mode::Keep, Mode::Explain];

    /// The name used in the glossary file.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Replace => "replace",
            Mode::Keep => "keep",
            Mode::Explain => "explain",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown mode `{s}` (expected one of: replace, keep, explain)"))
    }
}

/// One glossary line: the spellings of a technical term and its lay wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlossaryEntry {
    /// The terms as written in the file, first one preferred.
    pub terms: Vec<String>,
    /// The lay wording, as it appears mid-sentence.
    pub lay: String,
    pub mode: Mode,
    /// Parallel to `terms`: how each term is compared with text.
    forms: Vec<TermForm>,
}

impl GlossaryEntry {
    /// The lay wording without a trailing parenthesis (what later occurrences show).
    pub fn short_lay(&self) -> &str {
        strip_trailing_paren(&self.lay)
    }
}

/// A term as token sequence; word tokens are lowercased unless `case_sensitive`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TermForm {
    tokens: Vec<String>,
    case_sensitive: bool,
}

/// Where a term sits in the glossary, filed under the lowercased form of its first token.
#[derive(Debug, Clone, Copy)]
struct TermRef {
    entry: usize,
    form: usize,
    len: usize,
    case_sensitive: bool,
}

/// A set of lay wordings with an index for fast whole-word matching.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    entries: Vec<GlossaryEntry>,
    index: HashMap<String, Vec<TermRef>>,
}

static BUILTIN: OnceLock<Glossary> = OnceLock::new();
const BUILTIN_TEXT: &str = include_str!("../../../data/lay-glossary.tsv");

impl Glossary {
    /// An empty glossary.
    pub fn new() -> Self {
        Self::default()
    }

    /// The glossary shipped with Evident (`data/lay-glossary.tsv`), parsed on first use.
    pub fn builtin() -> &'static Glossary {
        BUILTIN.get_or_init(|| {
            Glossary::parse(BUILTIN_TEXT)
                .expect("the built-in glossary data/lay-glossary.tsv must parse")
        })
    }

    /// Parses glossary text (see `data/lay-glossary.tsv` for the format).
    ///
    /// Errors carry the 1-based line number. A term may be defined on one line only.
    pub fn parse(text: &str) -> Result<Glossary, CoreError> {
        let mut glossary = Glossary::new();
        let mut defined: HashMap<TermForm, usize> = HashMap::new();
        for row in crate::tsv::rows(text, "terms, lay wording, mode") {
            let row = row.map_err(|(line, message)| CoreError::Glossary { line, message })?;
            let line_no = row.line;
            let err = |message: String| CoreError::Glossary {
                line: line_no,
                message,
            };
            let columns = row.columns;
            let lay = columns[1].trim();
            if lay.is_empty() {
                return Err(err("empty lay wording".to_string()));
            }
            let mode: Mode = columns[2].trim().parse().map_err(err)?;
            if !parens_balanced(lay) {
                return Err(err(format!("unbalanced parentheses in `{lay}`")));
            }
            if mode != Mode::Replace && lay.contains(['(', ')']) {
                return Err(err(format!(
                    "only `replace` entries may have parentheses in their lay wording (`{lay}` is `{mode}`)"
                )));
            }
            let mut entry = GlossaryEntry {
                terms: Vec::new(),
                lay: lay.to_string(),
                mode,
                forms: Vec::new(),
            };
            for (position, raw) in columns[0].split('|').enumerate() {
                let form =
                    parse_term(raw).map_err(|m| err(format!("term {}: {m}", position + 1)))?;
                if entry.forms.contains(&form) {
                    continue;
                }
                if let Some(previous) = defined.get(&form) {
                    return Err(err(format!(
                        "term `{}` is already defined on line {previous}",
                        raw.trim()
                    )));
                }
                defined.insert(form.clone(), line_no);
                entry.terms.push(raw.trim().to_string());
                entry.forms.push(form);
            }
            glossary.entries.push(entry);
        }
        glossary.rebuild_index();
        Ok(glossary)
    }

    /// Adds another glossary (e.g. a deployment's own file) to this one. Where both
    /// define the same term, `other`'s entry wins.
    pub fn extend(&mut self, other: Glossary) {
        self.entries.extend(other.entries);
        self.rebuild_index();
    }

    /// All entries, in file order (including any overridden by a later entry).
    pub fn entries(&self) -> &[GlossaryEntry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry that `term` (a whole term, e.g. `"Myocardial infarction"`) matches.
    pub fn lookup(&self, term: &str) -> Option<&GlossaryEntry> {
        let tokens = tokenize(term);
        let (r, len) = self.match_at(term, &tokens, 0)?;
        (len == tokens.len()).then(|| &self.entries[r.entry])
    }

    fn rebuild_index(&mut self) {
        let mut index: HashMap<String, Vec<TermRef>> = HashMap::new();
        let mut seen: HashSet<&TermForm> = HashSet::new();
        // Latest definition of a term wins: walk backwards and skip terms already filed.
        for (ei, entry) in self.entries.iter().enumerate().rev() {
            for (fi, form) in entry.forms.iter().enumerate() {
                if !seen.insert(form) {
                    continue;
                }
                index
                    .entry(form.tokens[0].to_lowercase())
                    .or_default()
                    .push(TermRef {
                        entry: ei,
                        form: fi,
                        len: form.tokens.len(),
                        case_sensitive: form.case_sensitive,
                    });
            }
        }
        for refs in index.values_mut() {
            // Longest first; at equal length an exact-case term first; then file order.
            refs.sort_by_key(|r| (Reverse(r.len), !r.case_sensitive, r.entry, r.form));
        }
        self.index = index;
    }

    /// The longest term matching at token `i` (and its length in tokens), if any.
    fn match_at(&self, text: &str, tokens: &[Token<'_>], i: usize) -> Option<(TermRef, usize)> {
        let first = tokens.get(i)?;
        if !first.word {
            return None;
        }
        let refs = self.index.get(first.norm.as_ref())?;
        refs.iter()
            .find(|r| {
                let form = &self.entries[r.entry].forms[r.form];
                sequence_matches(&tokens[i..], form)
                    && !glued(text, first.start, tokens[i + r.len - 1].end)
            })
            .map(|r| (*r, r.len))
    }

    /// Marks the entry of a one-token abbreviation as already explained.
    fn mark_seen(&self, text: &str, tokens: &[Token<'_>], i: usize, seen: &mut [bool]) {
        if let Some((r, 1)) = self.match_at(text, tokens, i) {
            seen[r.entry] = true;
        }
    }

    /// Step 2 of [`plain_language`] on one sentence.
    fn rewrite(&self, s: &str, seen: &mut [bool]) -> String {
        let tokens = tokenize(s);
        let depths = paren_depths(&tokens);
        let first_word = tokens.iter().position(|t| t.word);
        let mut out = String::with_capacity(s.len() + s.len() / 2);
        let mut copied = 0;
        let mut last_match_end = None;
        let mut i = 0;
        while i < tokens.len() {
            if tokens[i].raw == "(" && abbreviation_paren(&tokens, i) {
                // `(ADT)`: the text defines an abbreviation; leave it as written.
                self.mark_seen(s, &tokens, i + 1, seen);
                i += 3;
                continue;
            }
            let Some((r, len)) = self.match_at(s, &tokens, i) else {
                i += 1;
                continue;
            };
            let j = i + len;
            let entry = &self.entries[r.entry];
            let (start, end) = (tokens[i].start, tokens[j - 1].end);
            let original = &s[start..end];
            let first_time = !seen[r.entry];
            seen[r.entry] = true;
            let paren_after = tokens
                .get(j)
                .is_some_and(|n| n.raw == "(" && s[end..n.start].trim().is_empty());
            let at_start = first_word == Some(i);
            if depths[i] > 0
                && i > 0
                && tokens[i - 1].raw == "("
                && last_match_end == Some(i - 1)
                && tokens.get(j).is_some_and(|t| t.raw == ")")
            {
                // `PSA (prostate-specific antigen)`: the text's own definition stays.
                last_match_end = None;
                i = j;
                continue;
            }
            let detail = first_time && depths[i] == 0;
            let form = |room: bool| match (first_time, detail && room) {
                (_, true) => Rendering::Full,
                (true, false) => Rendering::Short,
                (false, false) => Rendering::Again,
            };
            let mut rendered = render(entry, original, form(!paren_after), at_start);
            let mut resume = end;
            let mut next = j;
            if paren_after && abbreviation_paren(&tokens, j) {
                // `androgen deprivation therapy (ADT)`: lay wording, then the abbreviation
                // as written, unless the full wording already shows it.
                let abbr = &tokens[j + 1];
                self.mark_seen(s, &tokens, j + 1, seen);
                next = j + 3;
                let full = render(entry, original, form(true), at_start);
                if contains_word(&full, abbr.raw) {
                    rendered = full;
                    resume = tokens[j + 2].end;
                }
            }
            last_match_end = Some(j);
            out.push_str(&s[copied..start]);
            if first_word_lower(&rendered) != first_word_lower(original) {
                fix_article(&mut out, &rendered);
            }
            out.push_str(&rendered);
            copied = resume;
            i = next;
        }
        out.push_str(&s[copied..]);
        out
    }
}

/// Rewrites one statement (one or more sentences taken from a clinical guideline) for a
/// patient; see the [module documentation](self) for the rules. Whitespace-only input
/// comes back unchanged, and other input never gives an empty string.
pub fn plain_language(text: &str, glossary: &Glossary) -> String {
    PlainWriter::new(glossary).rewrite(text)
}

/// Rewrites the statements of one answer in reading order: an abbreviation is explained
/// the first time the answer uses it ("PSA (a blood test for prostate cancer)"), and later
/// statements use it alone.
#[derive(Clone)]
pub struct PlainWriter<'g> {
    glossary: &'g Glossary,
    seen: Vec<bool>,
}

impl<'g> PlainWriter<'g> {
    pub fn new(glossary: &'g Glossary) -> Self {
        PlainWriter {
            glossary,
            seen: vec![false; glossary.entries.len()],
        }
    }

    /// [`plain_language`] for the next statement of the answer: every term is explained
    /// once an answer. A named thing the patient will hear ("active surveillance") is
    /// called by its name after its first explanation, not by the long wording again.
    pub fn rewrite(&mut self, text: &str) -> String {
        let glossary = self.glossary;
        let seen = &mut self.seen;
        if text.trim().is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + text.len() / 2);
        for range in sentence::split(text) {
            let piece = &text[range];
            let core = piece.trim();
            if core.is_empty() {
                out.push_str(piece);
                continue;
            }
            let lead = piece.len() - piece.trim_start().len();
            out.push_str(&piece[..lead]);
            let stripped = strip_statistics(core);
            let rewritten = glossary.rewrite(&stripped, seen);
            let split = split_long(&rewritten);
            if split.trim().is_empty() {
                out.push_str(core);
            } else {
                out.push_str(&split);
            }
            out.push_str(&piece[lead + core.len()..]);
        }
        if out.trim().is_empty() {
            return text.to_string();
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Rendering a match

/// How a matched term is written: with its explanation, in its short lay wording (the
/// first time, where no parenthesis fits), or again after an explanation.
#[derive(Clone, Copy)]
enum Rendering {
    Full,
    Short,
    Again,
}

fn render(entry: &GlossaryEntry, original: &str, how: Rendering, sentence_start: bool) -> String {
    use Rendering::{Again, Full, Short};
    let mut text = match (entry.mode, how) {
        (Mode::Replace, Full) => entry.lay.clone(),
        (Mode::Replace, Short | Again) | (Mode::Keep, Short) => entry.short_lay().to_string(),
        // Explained already: its name, which the patient will hear.
        (Mode::Keep, Again) => original.to_string(),
        (Mode::Keep, Full) => {
            let inner = if sentence_start && is_capitalized(original) {
                lower_first(original)
            } else {
                original.to_string()
            };
            format!("{} ({inner})", entry.lay)
        }
        (Mode::Explain, Full) => format!("{original} ({})", entry.lay),
        (Mode::Explain, Short | Again) => original.to_string(),
    };
    if sentence_start && original.chars().next().is_some_and(char::is_uppercase) {
        text = upper_first(&text);
    }
    text
}

/// `lay (detail)` → `lay`; anything else unchanged.
fn strip_trailing_paren(lay: &str) -> &str {
    if !lay.ends_with(')') {
        return lay;
    }
    let mut depth = 0usize;
    for (i, c) in lay.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let head = lay[..i].trim_end();
                    return if head.is_empty() { lay } else { head };
                }
            }
            _ => {}
        }
    }
    lay
}

fn parens_balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// First word starts with an uppercase letter and has no other uppercase letter ("Renal").
fn is_capitalized(s: &str) -> bool {
    let word: &str = s.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && !chars.any(char::is_uppercase)
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn first_word(s: &str) -> &str {
    let s = s.trim_start_matches(|c: char| !c.is_alphanumeric());
    let end = s.find(|c: char| !c.is_alphanumeric()).unwrap_or(s.len());
    &s[..end]
}

fn first_word_lower(s: &str) -> String {
    first_word(s).to_lowercase()
}

/// Whether `word` occurs in `text` as a whole word, with exactly that case.
fn contains_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| w == word)
}

/// Makes an `a`/`an` at the end of `out` agree with the wording that follows it.
fn fix_article(out: &mut String, next: &str) {
    let body = out.trim_end();
    if body.len() == out.len() {
        return;
    }
    let word_start = body.rfind(|c: char| !c.is_alphanumeric()).map_or(0, |p| {
        p + body[p..].chars().next().map_or(1, char::len_utf8)
    });
    if word_start > 0 {
        let before = body[..word_start].chars().next_back();
        // "non-a", "x.a": not an article.
        if before.is_some_and(|c| !c.is_whitespace() && !matches!(c, '(' | '"' | '\u{201c}')) {
            return;
        }
    }
    let article = &body[word_start..];
    let lower = article.to_lowercase();
    if lower != "a" && lower != "an" {
        return;
    }
    let wanted = if wants_an(next) { "an" } else { "a" };
    if lower == wanted {
        return;
    }
    let replacement = if article.starts_with('A') {
        upper_first(wanted)
    } else {
        wanted.to_string()
    };
    let tail = out[body.len()..].to_string();
    out.truncate(word_start);
    out.push_str(&replacement);
    out.push_str(&tail);
}

/// Whether a word is read with a vowel sound first (so takes "an"); a heuristic.
fn wants_an(next: &str) -> bool {
    let word = first_word(next);
    let Some(first) = word.chars().next() else {
        return false;
    };
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let capitals = word.chars().filter(|c| c.is_uppercase()).count();
    if letters >= 2 && capitals == letters && letters <= 5 {
        // Initialism read letter by letter: "an MRI", "an HbA1c" is not all caps.
        return "AEFHILMNORSX".contains(first);
    }
    if first.is_ascii_digit() {
        return word.starts_with('8') || word == "11" || word == "18";
    }
    let lower = word.to_lowercase();
    const CONSONANT_SOUND: [&str; 8] = ["uni", "use", "usu", "ur", "ut", "eu", "one", "once"];
    const SILENT_H: [&str; 4] = ["hour", "honest", "honor", "heir"];
    if CONSONANT_SOUND.iter().any(|p| lower.starts_with(p)) {
        return false;
    }
    if SILENT_H.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    matches!(lower.chars().next(), Some('a' | 'e' | 'i' | 'o' | 'u'))
}

mod readability;
mod split;
mod statistics;
mod tokens;

pub use readability::flesch_kincaid_grade;
#[cfg(test)]
use readability::syllables;
use split::*;
use statistics::*;
use tokens::*;

#[cfg(test)]
mod tests;
