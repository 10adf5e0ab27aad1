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
            let mut rendered = render(entry, original, detail && !paren_after, at_start);
            let mut resume = end;
            let mut next = j;
            if paren_after && abbreviation_paren(&tokens, j) {
                // `androgen deprivation therapy (ADT)`: lay wording, then the abbreviation
                // as written, unless the full wording already shows it.
                let abbr = &tokens[j + 1];
                self.mark_seen(s, &tokens, j + 1, seen);
                next = j + 3;
                let full = render(entry, original, detail, at_start);
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
    if text.trim().is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut seen = vec![false; glossary.entries.len()];
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
        let rewritten = glossary.rewrite(&stripped, &mut seen);
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

// ---------------------------------------------------------------------------------------
// Rendering a match

fn render(entry: &GlossaryEntry, original: &str, full: bool, sentence_start: bool) -> String {
    let mut text = match (entry.mode, full) {
        (Mode::Replace, true) => entry.lay.clone(),
        (Mode::Replace, false) | (Mode::Keep, false) => entry.short_lay().to_string(),
        (Mode::Keep, true) => {
            let inner = if sentence_start && is_capitalized(original) {
                lower_first(original)
            } else {
                original.to_string()
            };
            format!("{} ({inner})", entry.lay)
        }
        (Mode::Explain, true) => format!("{original} ({})", entry.lay),
        (Mode::Explain, false) => original.to_string(),
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

// ---------------------------------------------------------------------------------------
// Tokens and term matching

/// A token of text: a run of letters/digits (`word`) or one punctuation character.
#[derive(Debug)]
struct Token<'a> {
    start: usize,
    end: usize,
    raw: &'a str,
    /// Lowercased word, or normalised punctuation.
    norm: Cow<'a, str>,
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

fn normalize_punct(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => Some('\''),
        '\u{FF0F}' | '\u{2215}' => Some('/'),
        _ => None,
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
            let raw = &text[start..end];
            tokens.push(Token {
                start,
                end,
                raw,
                norm: lowercase(raw),
                word: true,
            });
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

fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// Parses one `|`-separated term. Two or more capitals make it case-sensitive.
fn parse_term(raw: &str) -> Result<TermForm, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("empty term".to_string());
    }
    let tokens = tokenize(raw);
    if !tokens.first().is_some_and(|t| t.word) {
        return Err(format!("`{raw}` must start with a letter or digit"));
    }
    let case_sensitive = raw.chars().filter(|c| c.is_uppercase()).count() >= 2;
    let tokens = tokens
        .iter()
        .map(|t| {
            if case_sensitive && t.word {
                t.raw.to_string()
            } else {
                t.norm.to_string()
            }
        })
        .collect();
    Ok(TermForm {
        tokens,
        case_sensitive,
    })
}

fn sequence_matches(tokens: &[Token<'_>], form: &TermForm) -> bool {
    form.tokens.len() <= tokens.len()
        && tokens.iter().zip(&form.tokens).all(|(tok, want)| {
            if form.case_sensitive && tok.word {
                tok.raw == want.as_str()
            } else {
                tok.norm == want.as_str()
            }
        })
}

/// Whether `text[start..end]` is glued to a neighbouring word by a hyphen ("non-small").
fn glued(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    let glued_before =
        before.next().is_some_and(is_joiner) && before.next().is_some_and(char::is_alphanumeric);
    let mut after = text[end..].chars();
    let glued_after =
        after.next().is_some_and(is_joiner) && after.next().is_some_and(char::is_alphanumeric);
    glued_before || glued_after
}

/// Bracket depth of each token (an opening bracket has the depth outside it).
fn paren_depths(tokens: &[Token<'_>]) -> Vec<usize> {
    let mut depth = 0usize;
    tokens
        .iter()
        .map(|t| match t.raw {
            "(" | "[" => {
                depth += 1;
                depth - 1
            }
            ")" | "]" => {
                depth = depth.saturating_sub(1);
                depth
            }
            _ => depth,
        })
        .collect()
}

/// A one-word abbreviation with two or more capitals ("ADT", "eGFR", "RCTs").
fn is_abbreviation(t: &Token<'_>) -> bool {
    t.word && t.raw.chars().filter(|c| c.is_uppercase()).count() >= 2
}

/// Whether tokens `i..i+3` are `(`, an abbreviation, `)`.
fn abbreviation_paren(tokens: &[Token<'_>], i: usize) -> bool {
    tokens.len() >= i + 3
        && tokens[i].raw == "("
        && is_abbreviation(&tokens[i + 1])
        && tokens[i + 2].raw == ")"
}

// ---------------------------------------------------------------------------------------
// Statistics in brackets

/// Step 1 of [`plain_language`].
fn strip_statistics(s: &str) -> Cow<'_, str> {
    if !s.contains(['(', '[']) {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'(' | b'[')
            && let Some(close) = matching_close(bytes, i)
            && let Some(replacement) = rewrite_statistics(&s[i + 1..close])
        {
            let head = s[copied..i].trim_end();
            out.push_str(head);
            if let Some(text) = replacement {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push('(');
                out.push_str(&text);
                out.push(')');
            }
            copied = close + 1;
            i = close + 1;
            changed = true;
            continue;
        }
        i += 1;
    }
    if !changed {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out.trim().to_string())
}

/// Index of the bracket closing the one at `open`; brackets must nest properly.
fn matching_close(bytes: &[u8], open: usize) -> Option<usize> {
    let mut stack = Vec::new();
    for (k, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'(' => stack.push(b')'),
            b'[' => stack.push(b']'),
            b')' | b']' => {
                if stack.pop() != Some(b) {
                    return None;
                }
                if stack.is_empty() {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// A statistic; `risk` when it names a hazard ratio or relative risk.
    Stat {
        risk: bool,
        needs_value: bool,
    },
    /// Only numbers (a statistic's value when it follows one).
    Number,
    Other,
}

/// `None`: not statistical, leave it. `Some(None)`: remove the bracket. `Some(Some(t))`:
/// replace its content with `t`.
fn rewrite_statistics(content: &str) -> Option<Option<String>> {
    let parts = split_parts(content);
    let mut kinds: Vec<Piece> = parts.iter().map(|(_, p)| classify(p)).collect();
    // A number right after a statistic is its value; a ratio marker without any number is
    // probably a word ("OR").
    for k in 0..kinds.len() {
        if kinds[k] == Piece::Number && k > 0 && matches!(kinds[k - 1], Piece::Stat { .. }) {
            kinds[k] = kinds[k - 1];
        }
        if let Piece::Stat {
            needs_value: true, ..
        } = kinds[k]
        {
            let own = parts[k].1.chars().any(|c| c.is_ascii_digit());
            let next = kinds.get(k + 1) == Some(&Piece::Number);
            if !own && !next {
                kinds[k] = Piece::Other;
            }
        }
    }
    if !kinds.iter().any(|k| matches!(k, Piece::Stat { .. })) {
        return None;
    }
    let mut kept = String::new();
    for ((sep, part), kind) in parts.iter().zip(&kinds) {
        if !matches!(kind, Piece::Stat { .. }) {
            if !kept.is_empty() {
                kept.push_str(sep);
            }
            kept.push_str(part.trim());
        }
    }
    if !kept.is_empty() {
        return Some(Some(kept));
    }
    // Everything was statistics: one hazard ratio / relative risk becomes a plain phrase.
    let risk: Vec<usize> = (0..parts.len())
        .filter(|&k| {
            matches!(kinds[k], Piece::Stat { risk: true, .. })
                && (k == 0 || !matches!(kinds[k - 1], Piece::Stat { risk: true, .. }))
        })
        .collect();
    if let [k] = risk[..] {
        let value = first_number(parts[k].1).or_else(|| {
            parts
                .get(k + 1)
                .filter(|_| matches!(kinds[k + 1], Piece::Stat { risk: true, .. }))
                .and_then(|(_, p)| first_number(p))
        });
        if let Some(phrase) = value.and_then(plain_ratio) {
            return Some(Some(phrase));
        }
    }
    Some(None)
}

/// Splits bracket content at top-level `;` and `, `; each part with the separator before it.
fn split_parts(content: &str) -> Vec<(&'static str, &str)> {
    let bytes = content.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut sep: &'static str = "";
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b';' if depth == 0 => {
                parts.push((sep, &content[start..i]));
                sep = "; ";
                start = i + 1;
            }
            b',' if depth == 0 && bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace) => {
                parts.push((sep, &content[start..i]));
                sep = ", ";
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push((sep, &content[start..]));
    parts
}

/// Words a statistics part may contain besides numbers and its markers.
const STAT_WORDS: &str = "ci cri cis p value hr ahr or aor rr arr irr smd wmd md rd i2 i² \
    hazard ratio odds relative risk confidence interval adjusted vs versus to mean \
    difference log rank test";

fn classify(part: &str) -> Piece {
    let piece = classify_markers(part);
    if !matches!(piece, Piece::Stat { .. }) {
        return piece;
    }
    // Prose is never removed as statistics: at most two other words, and no negation.
    let mut unknown = 0;
    for t in tokenize(part).iter().filter(|t| t.word) {
        let word = t.norm.as_ref();
        if word.chars().all(|c| c.is_ascii_digit()) || has_word(STAT_WORDS, word) {
            continue;
        }
        if matches!(
            word,
            "not" | "no" | "never" | "without" | "none" | "nor" | "cannot"
        ) {
            return Piece::Other;
        }
        unknown += 1;
    }
    if unknown > 2 { Piece::Other } else { piece }
}

fn classify_markers(part: &str) -> Piece {
    let tokens = tokenize(part);
    let words: Vec<&Token<'_>> = tokens.iter().filter(|t| t.word).collect();
    if words.is_empty() {
        return Piece::Other;
    }
    let numeric = |t: &&Token<'_>| t.raw.chars().all(|c| c.is_ascii_digit());
    if words.iter().any(numeric)
        && words.iter().all(|t| numeric(t) || t.norm == "to")
        && !part
            .chars()
            .any(|c| c.is_alphabetic() && c != 't' && c != 'o')
    {
        return Piece::Number;
    }
    for (k, t) in tokens.iter().enumerate() {
        if t.word && matches!(t.raw, "CI" | "CrI" | "CIs" | "I2" | "I²") {
            return Piece::Stat {
                risk: false,
                needs_value: false,
            };
        }
        if t.word && matches!(t.raw, "P" | "p") {
            let next = tokens.get(k + 1);
            if next.is_some_and(|n| {
                matches!(n.raw, "<" | ">" | "=" | "≤" | "≥" | "⩽" | "⩾") || n.norm == "value"
            }) {
                return Piece::Stat {
                    risk: false,
                    needs_value: false,
                };
            }
        }
    }
    let lower = part.trim().to_lowercase();
    if lower.contains("confidence interval") {
        return Piece::Stat {
            risk: false,
            needs_value: false,
        };
    }
    let mut lead = words[0].raw;
    if matches!(lead, "adjusted" | "Adjusted") && words.len() > 1 {
        lead = words[1].raw;
    }
    let lead_phrase = lower.trim_start_matches("adjusted ").to_string();
    if matches!(lead, "HR" | "aHR" | "RR" | "aRR")
        || ["hazard ratio", "relative risk", "risk ratio"]
            .iter()
            .any(|p| lead_phrase.starts_with(p))
    {
        return Piece::Stat {
            risk: true,
            needs_value: true,
        };
    }
    if matches!(lead, "OR" | "aOR" | "IRR" | "SMD" | "WMD" | "MD" | "RD")
        || ["odds ratio", "mean difference", "risk difference"]
            .iter()
            .any(|p| lead_phrase.starts_with(p))
    {
        return Piece::Stat {
            risk: false,
            needs_value: true,
        };
    }
    Piece::Other
}

/// The first number with a decimal point in `s` ("0.50", ".5"; "1·2" is read as 1.2),
/// else the first whole number.
fn first_number(s: &str) -> Option<f64> {
    let mut numbers = Vec::new();
    let mut current = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || matches!(c, '.' | '·') {
            current.push(if c == '·' { '.' } else { c });
        } else if !current.is_empty() {
            let number = current.trim_end_matches('.');
            let decimal = number.contains('.');
            let number = if number.starts_with('.') {
                format!("0{number}")
            } else {
                number.to_string()
            };
            if let Ok(v) = number.parse::<f64>() {
                numbers.push((v, decimal));
            }
            current.clear();
        }
    }
    numbers
        .iter()
        .find(|(_, decimal)| *decimal)
        .or_else(|| numbers.first())
        .map(|(v, _)| *v)
}

/// A hazard ratio / relative risk in words.
fn plain_ratio(v: f64) -> Option<String> {
    if !v.is_finite() || v <= 0.0 || v > 100.0 {
        return None;
    }
    let phrase = if v < 1.0 {
        let pct = ((1.0 - v) * 100.0).round() as i64;
        if pct == 0 {
            "about the same risk".to_string()
        } else {
            format!("about {pct}% lower risk")
        }
    } else if v < 2.0 {
        let pct = ((v - 1.0) * 100.0).round() as i64;
        if pct == 0 {
            "about the same risk".to_string()
        } else {
            format!("about {pct}% higher risk")
        }
    } else {
        let tenths = (v * 10.0).round() as i64;
        if tenths % 10 == 0 {
            format!("about {} times the risk", tenths / 10)
        } else {
            format!("about {}.{} times the risk", tenths / 10, tenths % 10)
        }
    };
    Some(phrase)
}

// ---------------------------------------------------------------------------------------
// Splitting long sentences

const MAX_WORDS: usize = 25;
const MIN_PART_WORDS: usize = 6;

/// Words that can open an independent clause after ", and ".
const CLAUSE_OPENERS: &str = "the this these that those it its they their there a an \
    patients people you we he she most many some all treatment therapy surgery men women \
    children doctors clinicians";

/// Verbs that may follow ", which" for it to start a new sentence as "This ..."/"These ...".
const WHICH_VERBS_SINGULAR: &str = "is was has does did can may could might should will \
    would must means includes reduces increases improves requires causes leads allows";
const WHICH_VERBS_PLURAL: &str =
    "are were have do include reduce increase improve require cause lead allow";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum CutKind {
    Semicolon,
    But,
    Which,
    And,
}

#[derive(Debug, Clone, Copy)]
struct Cut {
    kind: CutKind,
    /// End of the first half (before the punctuation).
    first_end: usize,
    /// Start of the second half's kept text.
    rest_start: usize,
}

/// Whether `word` is one of the space-separated words of `list`.
fn has_word(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

fn count_words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Step 3 of [`plain_language`].
fn split_long(s: &str) -> String {
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
fn capitalize_plain_word(s: &str) -> String {
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

fn best_cut(s: &str, total: usize) -> Option<Cut> {
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

// ---------------------------------------------------------------------------------------
// Flesch–Kincaid

/// Flesch–Kincaid grade level of a text:
/// `0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59`.
///
/// * **Sentences** are counted with [`crate::sentence::split`] (abbreviation- and
///   decimal-aware); at least 1.
/// * **Words** are runs of text between whitespace, hyphens, dashes and slashes that
///   contain a letter or digit ("X-ray" is two words, "1,000" and "0.39" one each).
/// * **Syllables** per word, by heuristic: a word without letters (a number) has 1; an
///   all-capital abbreviation of 2–4 letters is read letter by letter (1 per letter, 3
///   for W); otherwise the groups of consecutive vowels (a e i o u y, and accented
///   vowels; y not at the start of the word) are counted, then one is taken off for a
///   silent final "e" (not "-le" after a consonant, not "-ee"), a silent "-ed" (not after
///   t or d) and a silent "-es" (not after s, x, z, c, g, h), and one is added for a
///   final "-ia"; every word has at least 1.
///
/// Text without words has grade 0.
pub fn flesch_kincaid_grade(text: &str) -> f64 {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || is_joiner(c) || matches!(c, '/' | '–' | '—'))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    if words.is_empty() {
        return 0.0;
    }
    let sentences = sentence::sentences(text)
        .iter()
        .filter(|s| s.chars().any(char::is_alphanumeric))
        .count()
        .max(1);
    let syllables: usize = words.iter().map(|w| syllables(w)).sum();
    let w = words.len() as f64;
    0.39 * (w / sentences as f64) + 11.8 * (syllables as f64 / w) - 15.59
}

fn is_vowel(c: char) -> bool {
    "aeiouyàáâäèéêëìíîïòóôöùúûüæœ".contains(c)
}

/// Syllables of one word by the heuristic documented on [`flesch_kincaid_grade`].
fn syllables(word: &str) -> usize {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return 1;
    }
    if (2..=4).contains(&letters.len()) && letters.iter().all(|c| c.is_uppercase()) {
        return letters.iter().map(|&c| if c == 'W' { 3 } else { 1 }).sum();
    }
    let lower: Vec<char> = letters.iter().flat_map(|c| c.to_lowercase()).collect();
    let mut count = 0usize;
    let mut prev_vowel = false;
    for (k, &c) in lower.iter().enumerate() {
        let vowel = is_vowel(c) && !(c == 'y' && k == 0);
        if vowel && !prev_vowel {
            count += 1;
        }
        prev_vowel = vowel;
    }
    let n = lower.len();
    let ends = |suffix: &str| {
        let s: Vec<char> = suffix.chars().collect();
        n >= s.len() && lower[n - s.len()..] == s[..]
    };
    let consonant_at = |k: usize| !is_vowel(lower[k]);
    if n >= 3 && count > 1 {
        let before_suffix = lower[n - 3];
        let silent_e = ends("e") && !ends("ee") && !(ends("le") && consonant_at(n - 3));
        let silent_ed = ends("ed") && !matches!(before_suffix, 't' | 'd');
        let silent_es = ends("es") && !matches!(before_suffix, 's' | 'x' | 'z' | 'c' | 'g' | 'h');
        if silent_e || silent_ed || silent_es {
            count -= 1;
        }
    }
    if ends("ia") {
        count += 1;
    }
    count.max(1)
}

#[cfg(test)]
mod tests;
