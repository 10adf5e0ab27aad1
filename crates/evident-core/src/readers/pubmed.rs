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
mod tests {
    use super::*;
    use proptest::prelude::*;

    const THREE: &[u8] = include_bytes!("../../tests/fixtures/pubmed/three_articles.xml");
    const MISSING_ABSTRACT: &[u8] =
        include_bytes!("../../tests/fixtures/pubmed/missing_abstract.xml");

    fn read_all(bytes: &[u8]) -> Vec<Result<Document, ReadError>> {
        PubmedReader::new("test.xml", bytes, ReadOptions::default())
            .take(10_000)
            .collect()
    }

    fn docs(bytes: &[u8]) -> Vec<Document> {
        read_all(bytes)
            .into_iter()
            .map(|r| r.expect("no error expected"))
            .collect()
    }

    #[test]
    fn reads_three_articles_with_ids_titles_urls_and_journals() {
        let docs = docs(THREE);
        assert_eq!(docs.len(), 3);
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["31234567", "30876543", "29123456"]);
        assert_eq!(
            docs[0].title,
            "Empagliflozin and cardiovascular outcomes in type 2 diabetes: a randomized trial."
        );
        assert_eq!(
            docs[0].source.as_deref(),
            Some("The New England journal of medicine")
        );
        assert_eq!(
            docs[0].url.as_deref(),
            Some("https://pubmed.ncbi.nlm.nih.gov/31234567/")
        );
        assert!(docs[0].references.is_empty());
    }

    #[test]
    fn maps_publication_types_to_kinds() {
        let docs = docs(THREE);
        assert_eq!(docs[0].kind, EvidenceKind::Trial);
        assert_eq!(docs[1].kind, EvidenceKind::SystematicReview);
        assert_eq!(docs[2].kind, EvidenceKind::Guideline);

        let types = |ts: &[&str]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        assert_eq!(
            kind_from_publication_types(&types(&["Journal Article"])),
            EvidenceKind::Study
        );
        assert_eq!(
            kind_from_publication_types(&types(&["Review", "Journal Article"])),
            EvidenceKind::Review
        );
        assert_eq!(
            kind_from_publication_types(&types(&["Clinical Trial, Phase III", "Review"])),
            EvidenceKind::Trial
        );
        assert_eq!(
            kind_from_publication_types(&types(&["Review", "Systematic Review"])),
            EvidenceKind::SystematicReview
        );
        assert_eq!(kind_from_publication_types(&[]), EvidenceKind::Study);
    }

    #[test]
    fn options_kind_overrides_publication_types() {
        let options = ReadOptions {
            kind: Some(EvidenceKind::Reference),
        };
        let docs: Vec<Document> = PubmedReader::new("t.xml", THREE, options)
            .map(Result::unwrap)
            .collect();
        assert!(docs.iter().all(|d| d.kind == EvidenceKind::Reference));
    }

    #[test]
    fn labelled_abstract_becomes_one_section_per_label() {
        let docs = docs(THREE);
        let paths: Vec<Vec<String>> = docs[0].sections.iter().map(|s| s.path.clone()).collect();
        assert_eq!(
            paths,
            [
                vec!["Background".to_string()],
                vec!["Methods".to_string()],
                vec!["Results".to_string()],
                vec!["Conclusions".to_string()],
            ]
        );
        for section in &docs[0].sections {
            assert_eq!(section.blocks.len(), 1);
            assert_eq!(section.blocks[0].kind, BlockKind::Paragraph);
        }
        assert!(docs[0].sections[2].blocks[0].text.contains("HbA1c < 7%"));
        assert_eq!(
            label_title("MATERIALS AND METHODS"),
            "Materials and Methods"
        );
        assert_eq!(label_title("Aims and objectives"), "Aims and objectives");
    }

    #[test]
    fn unlabelled_abstract_keeps_inline_markup_text() {
        let docs = docs(THREE);
        let sections = &docs[1].sections;
        assert_eq!(sections.len(), 1);
        assert!(sections[0].path.is_empty());
        let text = &sections[0].blocks[0].text;
        assert!(
            text.contains("infection with Helicobacter pylori was associated"),
            "{text}"
        );
        assert!(text.contains("I2 = 64%"), "{text}");
        assert!(!text.contains('<'));
        assert_eq!(
            docs[1].title,
            "Helicobacter pylori eradication and gastric cancer: a meta-analysis."
        );
    }

    #[test]
    fn year_from_pubdate_medline_date_or_article_date() {
        let docs = docs(THREE);
        assert_eq!(docs[0].year, Some(2019));
        assert_eq!(docs[1].year, Some(2018)); // <MedlineDate>2018 Nov-Dec</MedlineDate>
        assert_eq!(docs[2].year, Some(2017)); // ArticleDate only
        assert_eq!(first_year("1998 Dec-1999 Jan"), Some(1998));
        assert_eq!(first_year("Spring 12345"), None);
    }

    #[test]
    fn mesh_descriptors_become_keywords() {
        let docs = docs(THREE);
        assert_eq!(
            docs[0].keywords,
            [
                "Cardiovascular Diseases",
                "Diabetes Mellitus, Type 2",
                "Humans",
                "Sodium-Glucose Transporter 2 Inhibitors",
            ]
        );
        assert_eq!(
            docs[1].keywords,
            ["Helicobacter Infections", "Stomach Neoplasms"]
        );
    }

    #[test]
    fn record_without_abstract_is_recoverable_and_reading_continues() {
        let results = read_all(MISSING_ABSTRACT);
        assert_eq!(results.len(), 3, "{results:?}");
        assert_eq!(results[0].as_ref().unwrap().id.as_str(), "11111111");
        let err = results[1].as_ref().unwrap_err();
        assert!(err.recoverable);
        assert_eq!(err.message, "record has no abstract text");
        assert_eq!(
            err.location,
            Location::Record {
                number: 2,
                id: Some("22222222".to_string())
            }
        );
        // The book article and the DeleteCitation in between are skipped.
        assert_eq!(results[2].as_ref().unwrap().id.as_str(), "33333333");
    }

    #[test]
    fn record_without_any_title_is_recoverable() {
        let xml = br#"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">5</PMID>
            <Article><Abstract><AbstractText>Some text.</AbstractText></Abstract></Article>
            </MedlineCitation></PubmedArticle></PubmedArticleSet>"#;
        let results = read_all(xml);
        assert_eq!(results.len(), 1);
        let err = results[0].as_ref().unwrap_err();
        assert!(err.recoverable);
        assert_eq!(err.message, "record has no title");
    }

    #[test]
    fn vernacular_title_replaces_an_empty_article_title() {
        let xml = br#"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>6</PMID>
            <Article><ArticleTitle></ArticleTitle><Abstract><AbstractText>Text.</AbstractText>
            </Abstract><VernacularTitle>Titre &#233;tranger &amp; autre.</VernacularTitle></Article>
            </MedlineCitation></PubmedArticle></PubmedArticleSet>"#;
        let docs = docs(xml);
        assert_eq!(docs[0].title, "Titre étranger & autre.");
        assert_eq!(docs[0].kind, EvidenceKind::Study);
        assert_eq!(docs[0].year, None);
    }

    #[test]
    fn stray_ampersand_is_kept_as_text() {
        let xml = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID><Article>\
            <ArticleTitle>Salt & water</ArticleTitle><Abstract><AbstractText>R&D &lt;costs&gt;.\
            </AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>";
        let docs = docs(xml);
        assert_eq!(docs[0].title, "Salt & water");
        assert_eq!(docs[0].sections[0].blocks[0].text, "R&D <costs>.");
    }

    #[test]
    fn truncated_xml_yields_earlier_records_then_one_fatal_error() {
        let text = std::str::from_utf8(THREE).unwrap();
        let cut = text.find("<PMID Version=\"1\">29123456").unwrap() + 10;
        let mut reader = PubmedReader::new("t.xml", &THREE[..cut], ReadOptions::default());
        assert!(reader.next().unwrap().is_ok());
        assert!(reader.next().unwrap().is_ok());
        let err = reader.next().unwrap().unwrap_err();
        assert!(!err.recoverable, "{err}");
        assert!(matches!(
            err.location,
            Location::Record { number: 3, .. } | Location::Byte(_)
        ));
        assert!(reader.next().is_none());
        assert!(reader.next().is_none());
    }

    #[test]
    fn truncation_between_records_is_fatal() {
        let text = std::str::from_utf8(THREE).unwrap();
        let cut = text.rfind("</PubmedArticle>").unwrap() + "</PubmedArticle>".len();
        let results = read_all(&THREE[..cut]);
        assert_eq!(results.len(), 4);
        assert!(results[..3].iter().all(Result::is_ok));
        let err = results[3].as_ref().unwrap_err();
        assert!(!err.recoverable);
        assert!(err.message.contains("truncated"), "{err}");
    }

    #[test]
    fn mismatched_tags_are_fatal() {
        let xml = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</MedlineCitation>\
                    </PubmedArticle><PubmedArticle></PubmedArticle></PubmedArticleSet>";
        let results = read_all(xml);
        assert_eq!(results.len(), 1);
        let err = results[0].as_ref().unwrap_err();
        assert!(!err.recoverable);
        assert!(matches!(err.location, Location::Byte(_)));
        assert!(err.message.contains("malformed XML"), "{err}");
    }

    #[test]
    fn empty_input_is_one_fatal_error() {
        for input in [&b""[..], b"  \n\t "] {
            let results = read_all(input);
            assert_eq!(results.len(), 1);
            let err = results[0].as_ref().unwrap_err();
            assert!(!err.recoverable);
            assert_eq!(err.message, "empty file");
            assert_eq!(err.location, Location::Whole);
        }
    }

    #[test]
    fn input_without_pubmed_article_set_is_one_fatal_error() {
        for input in [
            &b"<?xml version=\"1.0\"?><html><body/></html>"[..],
            b"just some text",
            b"<?xml version=\"1.0\"?><!-- nothing -->",
        ] {
            let results = read_all(input);
            assert_eq!(results.len(), 1, "{results:?}");
            let err = results[0].as_ref().unwrap_err();
            assert!(!err.recoverable);
            assert!(err.message.contains("no PubmedArticleSet found"), "{err}");
        }
        let results = read_all(b"{\"not\": \"xml\"} <<");
        assert_eq!(results.len(), 1);
        let err = results[0].as_ref().unwrap_err();
        assert!(!err.recoverable);
        assert!(
            err.message.starts_with("no PubmedArticleSet found"),
            "{err}"
        );
        assert!(read_all(b"<PubmedArticleSet/>").is_empty());
        assert!(read_all(b"<PubmedArticleSet>\n</PubmedArticleSet>\n").is_empty());
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        let mut bytes = THREE.to_vec();
        let at = std::str::from_utf8(THREE)
            .unwrap()
            .find("We pooled 24 cohort")
            .unwrap();
        bytes[at] = 0xff;
        bytes[at + 1] = 0xfe;
        let results = read_all(&bytes);
        assert_eq!(results.len(), 2, "{results:?}");
        assert!(results[0].is_ok());
        let err = results[1].as_ref().unwrap_err();
        assert!(!err.recoverable);
        assert!(err.message.contains("UTF-8"), "{err}");
    }

    /// An input of `remaining` generated articles, produced on demand as it is read.
    struct GeneratedSet {
        pending: Vec<u8>,
        remaining: u32,
        finished: bool,
    }

    impl std::io::Read for GeneratedSet {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.pending.is_empty() {
                if self.remaining > 0 {
                    let n = self.remaining;
                    self.remaining -= 1;
                    self.pending = format!(
                        "<PubmedArticle><MedlineCitation><PMID Version=\"1\">{n}</PMID><Article>\
                         <ArticleTitle>Title {n}</ArticleTitle><Abstract><AbstractText>Text of \
                         article {n}.</AbstractText></Abstract></Article></MedlineCitation>\
                         </PubmedArticle>\n"
                    )
                    .into_bytes();
                } else if !self.finished {
                    self.finished = true;
                    self.pending = b"</PubmedArticleSet>\n".to_vec();
                }
            }
            let n = out.len().min(self.pending.len());
            out[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            Ok(n)
        }
    }

    #[test]
    fn streams_a_baseline_sized_input_one_record_at_a_time() {
        let source = std::io::Read::chain(
            &b"<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n"[..],
            GeneratedSet {
                pending: Vec::new(),
                remaining: 30_000,
                finished: false,
            },
        );
        let mut reader = PubmedReader::new(
            "big.xml",
            std::io::BufReader::new(source),
            ReadOptions::default(),
        );
        let first = reader.next().unwrap().unwrap();
        assert_eq!(first.id.as_str(), "30000");
        let mut count = 1;
        for result in &mut reader {
            let doc = result.unwrap();
            assert_eq!(doc.sections[0].blocks.len(), 1);
            count += 1;
        }
        assert_eq!(count, 30_000);
        // The read buffer only ever held one event, never the input.
        assert!(reader.buf.capacity() < 1024, "{}", reader.buf.capacity());
    }

    #[test]
    fn entities_and_character_references_are_decoded() {
        let docs = docs(THREE);
        let text = &docs[2].sections[1].blocks[0].text;
        assert!(text.contains("2.0\u{2013}3.0"), "{text}");
        assert_eq!(docs[2].sections[1].path, ["Recommendations"]);
        assert_eq!(
            docs[2].title,
            "Antithrombotic therapy for venous thromboembolism: CHEST guideline update."
        );
        assert_eq!(resolve_reference("amp"), "&");
        assert_eq!(resolve_reference("#x3B1"), "\u{3b1}");
        assert_eq!(resolve_reference("nbsp"), "&nbsp;");
        assert_eq!(resolve_reference("#0"), "");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let n = PubmedReader::new("p.xml", bytes.as_slice(), ReadOptions::default())
                .take(10_000)
                .count();
            prop_assert!(n < 10_000);
        }

        #[test]
        fn arbitrary_truncations_never_panic(cut in 0..THREE.len()) {
            let results: Vec<_> =
                PubmedReader::new("p.xml", &THREE[..cut], ReadOptions::default())
                    .take(10_000)
                    .collect();
            prop_assert!(results.len() <= 4);
            // An input cut before the root's end tag ends in exactly one fatal error.
            let root_end = std::str::from_utf8(THREE).unwrap().rfind("</PubmedArticleSet>").unwrap()
                + "</PubmedArticleSet>".len();
            if cut < root_end {
                let last = results.last().expect("at least one item");
                prop_assert!(last.as_ref().is_err_and(|e| !e.recoverable));
                let fatal = results.iter().filter(|r| r.as_ref().is_err_and(|e| !e.recoverable));
                prop_assert_eq!(fatal.count(), 1);
            }
        }

        #[test]
        fn xmlish_noise_never_panics(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("<PubmedArticleSet>".to_string()),
                    Just("</PubmedArticleSet>".to_string()),
                    Just("<PubmedArticle>".to_string()),
                    Just("</PubmedArticle>".to_string()),
                    Just("<MedlineCitation><PMID>12</PMID>".to_string()),
                    Just("<Article><ArticleTitle>T</ArticleTitle>".to_string()),
                    Just("<Abstract><AbstractText Label=\"X\">a &amp; b".to_string()),
                    Just("</AbstractText></Abstract></Article></MedlineCitation>".to_string()),
                    Just("<i>".to_string()),
                    Just("</i>".to_string()),
                    Just("&#xD800;&bogus;&".to_string()),
                    "[ -~]{0,12}",
                ],
                0..24,
            )
        ) {
            let input = parts.concat();
            let n = PubmedReader::new("p.xml", input.as_bytes(), ReadOptions::default())
                .take(10_000)
                .count();
            prop_assert!(n < 10_000);
        }
    }
}
