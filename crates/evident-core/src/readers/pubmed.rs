//! PubMed/MEDLINE XML reader: streams the `PubmedArticle` records of a `PubmedArticleSet` into `Document`s, one record at a time.
//!
//! The reader pulls events from a caller-supplied `BufRead` with one reused buffer and keeps
//! only the record being read in memory, so a 30,000-article NLM baseline file streams in
//! bounded memory. `PubmedBookArticle` and `DeleteCitation` elements are skipped.
//!
//! Errors: a record that cannot become a document (no PMID, no title, no abstract text) is a
//! recoverable [`ReadError`] and reading goes on with the next record. Broken XML (mismatched
//! tags, truncation, invalid UTF-8), an empty input or one without a `PubmedArticleSet` root is
//! a fatal error, after which the iterator returns `None`.

use super::ReadOptions;
use crate::document::{Block, BlockKind, DocId, Document, EvidenceKind, Section};
use crate::error::{Location, ReadError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use std::io::BufRead;

const ROOT: &str = "PubmedArticleSet";
const ARTICLE: &str = "PubmedArticle";

/// Streams `Document`s out of a PubMed/MEDLINE `PubmedArticleSet` XML input.
pub struct PubmedReader<R: BufRead> {
    source_name: String,
    xml: Reader<R>,
    buf: Vec<u8>,
    options: ReadOptions,
    state: State,
    /// `PubmedArticle` records started so far (1-based number of the current one).
    records: u64,
    /// Whether anything other than whitespace has been seen (to tell "empty file" apart).
    saw_content: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BeforeRoot,
    InRoot,
    AfterRoot,
    Done,
}

/// One XML event, reduced to what this reader needs and detached from the read buffer.
#[derive(Debug)]
enum Ev {
    Start { name: String, label: Option<String> },
    Empty(String),
    End,
    Text(String),
    Eof,
    Other,
}

/// The fields of a record this reader keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Pmid,
    Title,
    VernacularTitle,
    Journal,
    PubYear,
    MedlineDate,
    ArticleYear,
    Abstract,
    PublicationType,
    Mesh,
}

/// Text being collected for one field: everything inside the element, inline markup included.
struct Capture {
    field: Field,
    depth: usize,
    label: Option<String>,
    text: String,
}

/// The raw fields of one `PubmedArticle`.
#[derive(Debug, Default)]
struct Record {
    pmid: Option<String>,
    title: Option<String>,
    vernacular_title: Option<String>,
    journal: Option<String>,
    pub_year: Option<String>,
    medline_date: Option<String>,
    article_year: Option<String>,
    /// `(label, text)` per `AbstractText`, in order.
    abstract_parts: Vec<(Option<String>, String)>,
    publication_types: Vec<String>,
    mesh: Vec<String>,
}

impl<R: BufRead> PubmedReader<R> {
    /// A reader over `reader`; `source_name` (usually the file path) names the input in errors.
    pub fn new(source_name: &str, reader: R, options: ReadOptions) -> Self {
        let mut xml = Reader::from_reader(reader);
        let config = xml.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        // A stray `&` in text is kept as written instead of failing the whole file.
        config.allow_dangling_amp = true;
        Self {
            source_name: source_name.to_string(),
            xml,
            buf: Vec::new(),
            options,
            state: State::BeforeRoot,
            records: 0,
            saw_content: false,
        }
    }

    /// Reads the next event, converted; XML errors become fatal `ReadError`s.
    fn read(&mut self) -> Result<Ev, ReadError> {
        self.buf.clear();
        let event = match self.xml.read_event_into(&mut self.buf) {
            Ok(event) => event,
            Err(err) => {
                let before_root = self.state == State::BeforeRoot;
                let (offset, message) = match err {
                    // Decoding errors do not move the error position; the reader's position
                    // is where the bad bytes are.
                    quick_xml::Error::Encoding(e) => (
                        self.xml.buffer_position(),
                        format!("invalid UTF-8 in input: {e}"),
                    ),
                    quick_xml::Error::Io(e) => (
                        self.xml.buffer_position(),
                        format!("could not read input: {e}"),
                    ),
                    other if before_root => (
                        self.xml.error_position(),
                        format!("no {ROOT} found: malformed XML before any root element: {other}"),
                    ),
                    other => (self.xml.error_position(), format!("malformed XML: {other}")),
                };
                return Err(
                    ReadError::new(&self.source_name, Location::Byte(offset), message).fatal(),
                );
            }
        };
        Ok(match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                let label = if name == "AbstractText" {
                    label_attribute(&e)
                } else {
                    None
                };
                Ev::Start { name, label }
            }
            Event::Empty(e) => Ev::Empty(e.name().as_ref().to_string()),
            Event::End(_) => Ev::End,
            Event::Text(t) => Ev::Text(t.xml_content(XmlVersion::Implicit1_0).into_owned()),
            Event::CData(t) => Ev::Text(t.xml_content(XmlVersion::Implicit1_0).into_owned()),
            Event::GeneralRef(r) => Ev::Text(resolve_reference(&r)),
            Event::Eof => Ev::Eof,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => Ev::Other,
        })
    }

    fn fatal(&mut self, location: Location, message: impl Into<String>) -> ReadError {
        self.state = State::Done;
        ReadError::new(&self.source_name, location, message).fatal()
    }

    fn byte_location(&self) -> Location {
        Location::Byte(self.xml.buffer_position())
    }

    /// Skips the rest of an element whose start tag was just read.
    fn skip_element(&mut self, name: &str) -> Result<(), ReadError> {
        let mut depth = 1usize;
        loop {
            match self.read()? {
                Ev::Start { .. } => depth += 1,
                Ev::End => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Ev::Eof => {
                    let location = self.byte_location();
                    return Err(self.fatal(
                        location,
                        format!("unexpected end of input inside <{name}> (truncated file?)"),
                    ));
                }
                Ev::Empty(_) | Ev::Text(_) | Ev::Other => {}
            }
        }
    }

    /// Reads one `PubmedArticle` whose start tag was just read, up to its end tag.
    fn read_record(&mut self) -> Result<Record, ReadError> {
        let mut record = Record::default();
        let mut path: Vec<String> = Vec::new();
        let mut capture: Option<Capture> = None;
        loop {
            match self.read()? {
                Ev::Start { name, label } => {
                    path.push(name);
                    if capture.is_none()
                        && let Some(field) = field_for(&path)
                    {
                        capture = Some(Capture {
                            field,
                            depth: path.len(),
                            label,
                            text: String::new(),
                        });
                    }
                }
                Ev::End => {
                    if path.is_empty() {
                        // `</PubmedArticle>`: quick-xml has checked that the names match.
                        return Ok(record);
                    }
                    if capture.as_ref().is_some_and(|c| c.depth == path.len())
                        && let Some(done) = capture.take()
                    {
                        record.store(done);
                    }
                    path.pop();
                }
                Ev::Text(text) => {
                    if let Some(c) = capture.as_mut() {
                        c.text.push_str(&text);
                    }
                }
                Ev::Eof => {
                    let number = self.records;
                    let id = record.pmid.clone();
                    let offset = self.xml.buffer_position();
                    return Err(self.fatal(
                        Location::Record { number, id },
                        format!(
                            "unexpected end of input at byte {offset} inside <{ARTICLE}> (truncated file?)"
                        ),
                    ));
                }
                Ev::Empty(_) | Ev::Other => {}
            }
        }
    }

    /// Turns a complete record into a document, or a recoverable error naming it.
    fn build(&self, record: Record) -> Result<Document, ReadError> {
        let number = self.records;
        let error = |id: Option<String>, message: &str| {
            ReadError::new(&self.source_name, Location::Record { number, id }, message)
        };
        let pmid = match record.pmid {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p,
            Some(p) if !p.is_empty() => {
                return Err(error(Some(p), "PMID is not a number"));
            }
            _ => return Err(error(None, "record has no PMID")),
        };
        let title = record
            .title
            .filter(|t| !t.is_empty())
            .or(record.vernacular_title.filter(|t| !t.is_empty()));
        let Some(title) = title else {
            return Err(error(Some(pmid), "record has no title"));
        };

        let mut sections: Vec<Section> = Vec::new();
        for (label, text) in record.abstract_parts {
            if text.is_empty() {
                continue;
            }
            let block = Block {
                kind: BlockKind::Paragraph,
                text,
                citations: Vec::new(),
                evidence_levels: Vec::new(),
            };
            let path: Vec<String> = label.map(|l| vec![label_title(&l)]).unwrap_or_default();
            match sections.last_mut() {
                // Consecutive unlabelled parts share one untitled section.
                Some(last) if path.is_empty() && last.path.is_empty() => last.blocks.push(block),
                _ => sections.push(Section {
                    path,
                    blocks: vec![block],
                }),
            }
        }
        if sections.is_empty() {
            return Err(error(Some(pmid), "record has no abstract text"));
        }

        let year = record
            .pub_year
            .as_deref()
            .and_then(first_year)
            .or_else(|| record.medline_date.as_deref().and_then(first_year))
            .or_else(|| record.article_year.as_deref().and_then(first_year));
        let kind = self
            .options
            .kind
            .unwrap_or_else(|| kind_from_publication_types(&record.publication_types));
        let mut keywords: Vec<String> = Vec::new();
        for term in record.mesh {
            if !term.is_empty() && !keywords.contains(&term) {
                keywords.push(term);
            }
        }
        Ok(Document {
            url: Some(format!("https://pubmed.ncbi.nlm.nih.gov/{pmid}/")),
            id: DocId::new(pmid),
            kind,
            title,
            source: record.journal.filter(|j| !j.is_empty()),
            year,
            sections,
            references: Vec::new(),
            keywords,
        })
    }
}

impl<R: BufRead> Iterator for PubmedReader<R> {
    type Item = Result<Document, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.next_item();
        if let Some(Err(err)) = &item
            && !err.recoverable
        {
            self.state = State::Done;
        }
        item
    }
}

impl<R: BufRead> PubmedReader<R> {
    /// The next document or error; the caller stops the reader after a fatal error.
    fn next_item(&mut self) -> Option<Result<Document, ReadError>> {
        loop {
            if self.state == State::Done {
                return None;
            }
            let event = match self.read() {
                Ok(event) => event,
                Err(err) => return Some(Err(err)),
            };
            match (self.state, event) {
                (State::Done, _) => return None,
                (State::BeforeRoot, Ev::Start { name, .. }) => {
                    if name == ROOT {
                        self.state = State::InRoot;
                    } else {
                        return Some(Err(self.fatal(
                            Location::Whole,
                            format!("no {ROOT} found: the root element is <{name}>"),
                        )));
                    }
                }
                (State::BeforeRoot, Ev::Empty(name)) => {
                    // `<PubmedArticleSet/>` holds no records; any other empty root is wrong.
                    if name == ROOT {
                        self.state = State::AfterRoot;
                    } else {
                        return Some(Err(self.fatal(
                            Location::Whole,
                            format!("no {ROOT} found: the root element is <{name}/>"),
                        )));
                    }
                }
                (State::BeforeRoot, Ev::Text(text)) => {
                    if !text.trim().is_empty() {
                        self.saw_content = true;
                    }
                }
                (State::BeforeRoot, Ev::Other) => self.saw_content = true,
                (State::BeforeRoot, Ev::Eof) => {
                    let message = if self.saw_content {
                        format!("no {ROOT} found")
                    } else {
                        "empty file".to_string()
                    };
                    return Some(Err(self.fatal(Location::Whole, message)));
                }
                (State::InRoot, Ev::Start { name, .. }) => {
                    if name == ARTICLE {
                        self.records += 1;
                        let result = self.read_record().and_then(|record| self.build(record));
                        return Some(result);
                    }
                    // `PubmedBookArticle`, `DeleteCitation` and anything unknown.
                    if let Err(err) = self.skip_element(&name) {
                        return Some(Err(err));
                    }
                }
                (State::InRoot, Ev::End) => self.state = State::AfterRoot,
                (State::InRoot, Ev::Eof) => {
                    let location = self.byte_location();
                    return Some(Err(self.fatal(
                        location,
                        format!("unexpected end of input inside <{ROOT}> (truncated file?)"),
                    )));
                }
                (State::AfterRoot, Ev::Start { .. } | Ev::Empty(_)) => {
                    let location = self.byte_location();
                    return Some(Err(
                        self.fatal(location, format!("content after the end of <{ROOT}>"))
                    ));
                }
                (State::AfterRoot, Ev::Eof) => {
                    self.state = State::Done;
                    return None;
                }
                // Whitespace, comments, stray text between records, empty elements.
                (_, Ev::Text(_) | Ev::Other | Ev::Empty(_) | Ev::End) => {}
            }
        }
    }
}

impl Record {
    fn store(&mut self, capture: Capture) {
        let text = collapse_whitespace(&capture.text);
        let first = |slot: &mut Option<String>, text: String| {
            if slot.is_none() {
                *slot = Some(text);
            }
        };
        match capture.field {
            Field::Pmid => first(&mut self.pmid, text),
            Field::Title => first(&mut self.title, text),
            Field::VernacularTitle => first(&mut self.vernacular_title, text),
            Field::Journal => first(&mut self.journal, text),
            Field::PubYear => first(&mut self.pub_year, text),
            Field::MedlineDate => first(&mut self.medline_date, text),
            Field::ArticleYear => first(&mut self.article_year, text),
            Field::Abstract => {
                let label = capture
                    .label
                    .map(|l| collapse_whitespace(&l))
                    .filter(|l| !l.is_empty());
                self.abstract_parts.push((label, text));
            }
            Field::PublicationType => self.publication_types.push(text),
            Field::Mesh => self.mesh.push(text),
        }
    }
}

/// The field an element holds, from its path below `PubmedArticle`.
fn field_for(path: &[String]) -> Option<Field> {
    let mut parts = [""; 6];
    if path.len() > parts.len() {
        return None;
    }
    for (slot, name) in parts.iter_mut().zip(path) {
        *slot = name.as_str();
    }
    Some(match &parts[..path.len()] {
        ["MedlineCitation", "PMID"] => Field::Pmid,
        ["MedlineCitation", "Article", "ArticleTitle"] => Field::Title,
        ["MedlineCitation", "Article", "VernacularTitle"] => Field::VernacularTitle,
        ["MedlineCitation", "Article", "Journal", "Title"] => Field::Journal,
        [
            "MedlineCitation",
            "Article",
            "Journal",
            "JournalIssue",
            "PubDate",
            "Year",
        ] => Field::PubYear,
        [
            "MedlineCitation",
            "Article",
            "Journal",
            "JournalIssue",
            "PubDate",
            "MedlineDate",
        ] => Field::MedlineDate,
        ["MedlineCitation", "Article", "ArticleDate", "Year"] => Field::ArticleYear,
        ["MedlineCitation", "Article", "Abstract", "AbstractText"] => Field::Abstract,
        [
            "MedlineCitation",
            "Article",
            "PublicationTypeList",
            "PublicationType",
        ] => Field::PublicationType,
        [
            "MedlineCitation",
            "MeshHeadingList",
            "MeshHeading",
            "DescriptorName",
        ] => Field::Mesh,
        _ => return None,
    })
}

/// The `Label` attribute of an `AbstractText` start tag, entities decoded.
fn label_attribute(start: &BytesStart<'_>) -> Option<String> {
    let attr = start.try_get_attribute("Label").ok().flatten()?;
    let value = attr
        .normalized_value(XmlVersion::Implicit1_0)
        .map(|v| v.into_owned())
        .unwrap_or_else(|_| attr.value.to_string());
    Some(value)
}

/// The text an entity or character reference stands for; unknown entities are kept as written.
fn resolve_reference(reference: &str) -> String {
    if let Some(number) = reference.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse::<u32>().ok(),
        };
        return code
            .and_then(char::from_u32)
            .filter(|c| *c != '\0')
            .map(String::from)
            .unwrap_or_default();
    }
    quick_xml::escape::resolve_predefined_entity(reference)
        .map(str::to_string)
        .unwrap_or_else(|| format!("&{reference};"))
}

/// Trims and turns every run of whitespace into one space.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// An abstract label as a section heading: all-capitals labels (`"BACKGROUND"`,
/// `"MATERIALS AND METHODS"`) become title case (`"Background"`, `"Materials and Methods"`);
/// labels with lower-case letters are kept as given.
fn label_title(label: &str) -> String {
    if label.chars().any(char::is_lowercase) {
        return label.to_string();
    }
    const MINOR: [&str; 12] = [
        "a", "an", "and", "as", "at", "for", "in", "of", "on", "or", "the", "to",
    ];
    let mut out = String::with_capacity(label.len());
    for (i, word) in label.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let lower = word.to_lowercase();
        if i > 0 && MINOR.contains(&lower.as_str()) {
            out.push_str(&lower);
            continue;
        }
        let mut chars = lower.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// The first standalone run of exactly four digits (`"2019 Jan-Feb"` → 2019).
fn first_year(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 {
                return text[start..i].parse().ok();
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The evidence kind implied by MEDLINE publication types; the most specific one wins.
fn kind_from_publication_types(types: &[String]) -> EvidenceKind {
    fn rank(kind: EvidenceKind) -> u8 {
        match kind {
            EvidenceKind::Guideline => 4,
            EvidenceKind::SystematicReview => 3,
            EvidenceKind::Trial => 2,
            EvidenceKind::Review => 1,
            _ => 0,
        }
    }
    let mut best = EvidenceKind::Study;
    for t in types {
        let kind = match t.as_str() {
            "Practice Guideline" | "Guideline" => EvidenceKind::Guideline,
            "Meta-Analysis" | "Systematic Review" | "Network Meta-Analysis" => {
                EvidenceKind::SystematicReview
            }
            "Randomized Controlled Trial"
            | "Clinical Trial"
            | "Controlled Clinical Trial"
            | "Pragmatic Clinical Trial"
            | "Adaptive Clinical Trial"
            | "Equivalence Trial" => EvidenceKind::Trial,
            s if s.starts_with("Clinical Trial, Phase") => EvidenceKind::Trial,
            "Review" => EvidenceKind::Review,
            _ => continue,
        };
        if rank(kind) > rank(best) {
            best = kind;
        }
    }
    best
}

#[cfg(test)]
mod tests;
