//! JSON Lines reader: one document per line, in Evident's own fields (`id`, `title`, `text`, …) or BEIR `corpus.jsonl` fields (`_id`, `title`, `text`).
//!
//! Lines are read as bytes, so a line that is not UTF-8, not JSON or not a usable record is a
//! recoverable [`ReadError`] naming its 1-based line number, and the following lines still
//! read. Blank lines are skipped; an input with no non-blank line yields one "empty file" error.

use super::ReadOptions;
use crate::document::{DocId, Document, EvidenceKind};
use crate::error::{Location, ReadError};
use serde_json::{Map, Value};
use std::io::BufRead;

/// Which field names a JSON Lines input uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonlFlavor {
    /// `id` (string or number), `text`, and optional `title`, `kind`, `source`, `year`, `url`.
    Evident,
    /// BEIR `corpus.jsonl`: `_id`, `text`, optional `title`; a `pmid` field gives the URL.
    Beir,
}

/// Streams `Document`s out of a JSON Lines input, one per non-blank line.
pub struct JsonlReader<R: BufRead> {
    source_name: String,
    reader: R,
    flavor: JsonlFlavor,
    options: ReadOptions,
    buf: Vec<u8>,
    /// Lines read so far (the 1-based number of the current line).
    line: u64,
    saw_record: bool,
    done: bool,
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader over `reader`; `source_name` (usually the file path) names the input in errors.
    pub fn new(source_name: &str, reader: R, flavor: JsonlFlavor, options: ReadOptions) -> Self {
        Self {
            source_name: source_name.to_string(),
            reader,
            flavor,
            options,
            buf: Vec::new(),
            line: 0,
            saw_record: false,
            done: false,
        }
    }

    fn error(&self, message: impl Into<String>) -> ReadError {
        ReadError::new(&self.source_name, Location::Line(self.line), message)
    }

    /// Turns one non-blank line into a document.
    fn parse_line(&self, bytes: &[u8]) -> Result<Document, ReadError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            self.error(format!(
                "invalid UTF-8 at byte {} of the line",
                e.valid_up_to()
            ))
        })?;
        let value: Value =
            serde_json::from_str(text).map_err(|e| self.error(format!("not valid JSON: {e}")))?;
        let Value::Object(object) = value else {
            return Err(self.error(format!(
                "expected a JSON object, found {}",
                type_name(&value)
            )));
        };
        self.record(&object).map_err(|message| self.error(message))
    }

    /// Maps the fields of one JSON object to a document.
    fn record(&self, object: &Map<String, Value>) -> Result<Document, String> {
        let id_field = match self.flavor {
            JsonlFlavor::Evident => "id",
            JsonlFlavor::Beir => "_id",
        };
        let id = match object.get(id_field) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            None | Some(Value::Null) => return Err(format!("record has no '{id_field}'")),
            Some(Value::String(_)) => return Err(format!("record has an empty '{id_field}'")),
            Some(other) => {
                return Err(format!(
                    "'{id_field}' must be a string or a number, found {}",
                    type_name(other)
                ));
            }
        };
        let title = optional_string(object, "title")?.unwrap_or_default();
        let text = match object.get("text") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.as_str(),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                return Err("record has no text".to_string());
            }
            Some(other) => {
                return Err(format!(
                    "'text' must be a string, found {}",
                    type_name(other)
                ));
            }
        };

        let (kind, source, year, url) = match self.flavor {
            JsonlFlavor::Evident => {
                let kind = match (self.options.kind, optional_string(object, "kind")?) {
                    (Some(forced), _) => forced,
                    (None, Some(k)) => k.parse::<EvidenceKind>()?,
                    (None, None) => EvidenceKind::Other,
                };
                let source = optional_string(object, "source")?.filter(|s| !s.is_empty());
                let year = year_field(object)?;
                let url = optional_string(object, "url")?.filter(|s| !s.is_empty());
                (kind, source, year, url)
            }
            JsonlFlavor::Beir => {
                let kind = self.options.kind.unwrap_or(EvidenceKind::Study);
                let url = optional_string(object, "url")
                    .ok()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .or_else(|| pubmed_url(object.get("pmid")));
                (kind, None, None, url)
            }
        };

        let mut doc = Document::from_plain_text(DocId::new(id), kind, title, &paragraphs(text));
        doc.source = source;
        doc.year = year;
        doc.url = url;
        Ok(doc)
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Document, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            let read = match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(n) => n,
                Err(e) => {
                    self.done = true;
                    let location = Location::Line(self.line + 1);
                    let message = format!("could not read input: {e}");
                    return Some(Err(
                        ReadError::new(&self.source_name, location, message).fatal()
                    ));
                }
            };
            if read == 0 {
                self.done = true;
                if !self.saw_record {
                    return Some(Err(ReadError::new(
                        &self.source_name,
                        Location::Whole,
                        "empty file",
                    )));
                }
                return None;
            }
            self.line += 1;
            let mut bytes = self.buf.as_slice();
            if self.line == 1 {
                bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            }
            let bytes = bytes.trim_ascii();
            if bytes.is_empty() {
                continue;
            }
            self.saw_record = true;
            return Some(self.parse_line(bytes));
        }
        None
    }
}

/// A JSON value's type, for messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An optional string field, trimmed; `null` counts as absent, other types are errors.
fn optional_string(object: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Err(format!(
            "'{field}' must be a string, found {}",
            type_name(other)
        )),
    }
}

/// The `year` field: a number or a numeric string.
fn year_field(object: &Map<String, Value>) -> Result<Option<u16>, String> {
    let invalid = |v: &dyn std::fmt::Display| format!("'year' must be a year number, found {v}");
    match object.get("year") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|y| u16::try_from(y).ok())
            .map(Some)
            .ok_or_else(|| invalid(n)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<u16>()
            .map(Some)
            .map_err(|_| invalid(&format!("'{s}'"))),
        Some(other) => Err(invalid(&type_name(other))),
    }
}

/// The PubMed link for a `pmid` field holding digits (as a string or a number).
fn pubmed_url(pmid: Option<&Value>) -> Option<String> {
    let pmid = match pmid? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) if n.is_u64() => n.to_string(),
        _ => return None,
    };
    (!pmid.is_empty() && pmid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
}

/// Normalises line ends and whitespace-only lines so that paragraphs are separated by exactly
/// one blank line, as `Document::from_plain_text` expects.
fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            blank_run = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run { "\n\n" } else { "\n" });
        }
        out.push_str(line.trim_end());
        blank_run = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::BlockKind;
    use proptest::prelude::*;

    const EVIDENT: &[u8] = include_bytes!("../../tests/fixtures/jsonl/evident.jsonl");
    const BEIR: &[u8] = include_bytes!("../../tests/fixtures/jsonl/beir_corpus.jsonl");
    const ERRORS: &[u8] = include_bytes!("../../tests/fixtures/jsonl/with_errors.jsonl");
    const BAD_UTF8: &[u8] = include_bytes!("../../tests/fixtures/jsonl/invalid_utf8.jsonl");

    fn read(bytes: &[u8], flavor: JsonlFlavor) -> Vec<Result<Document, ReadError>> {
        JsonlReader::new("test.jsonl", bytes, flavor, ReadOptions::default())
            .take(10_000)
            .collect()
    }

    fn texts(doc: &Document) -> Vec<&str> {
        doc.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .map(|b| b.text.as_str())
            .collect()
    }

    #[test]
    fn reads_evident_lines_with_metadata() {
        let docs: Vec<Document> = read(EVIDENT, JsonlFlavor::Evident)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(docs.len(), 3);

        let first = &docs[0];
        assert_eq!(first.id.as_str(), "nice:ng136-1.4.10");
        assert_eq!(first.kind, EvidenceKind::Guideline);
        assert_eq!(first.title, "Hypertension in adults: starting treatment");
        assert_eq!(first.source.as_deref(), Some("NICE NG136"));
        assert_eq!(first.year, Some(2019));
        assert_eq!(
            first.url.as_deref(),
            Some("https://www.nice.org.uk/guidance/ng136")
        );
        assert_eq!(first.sections.len(), 1);
        assert!(first.sections[0].path.is_empty());
        assert_eq!(texts(first).len(), 2);
        assert!(
            first.sections[0]
                .blocks
                .iter()
                .all(|b| b.kind == BlockKind::Paragraph)
        );

        // Numeric id, numeric-string year, no kind, no title.
        let second = &docs[1];
        assert_eq!(second.id.as_str(), "4021");
        assert_eq!(second.kind, EvidenceKind::Other);
        assert_eq!(second.title, "");
        assert_eq!(second.year, Some(2021));
        assert_eq!(second.url, None);

        // Paragraphs split on blank (and whitespace-only, CRLF) lines.
        let third = &docs[2];
        assert_eq!(third.kind, EvidenceKind::SystematicReview);
        assert_eq!(
            texts(third),
            [
                "First paragraph.",
                "Second paragraph,\nsame paragraph.",
                "Third."
            ]
        );
    }

    #[test]
    fn numeric_id_becomes_its_decimal_string() {
        let results = read(br#"{"id": 12345, "text": "Body."}"#, JsonlFlavor::Evident);
        assert_eq!(results[0].as_ref().unwrap().id.as_str(), "12345");
        let results = read(br#"{"_id": 7, "text": "Body."}"#, JsonlFlavor::Beir);
        assert_eq!(results[0].as_ref().unwrap().id.as_str(), "7");
    }

    #[test]
    fn reads_beir_lines_ignoring_extra_fields() {
        let docs: Vec<Document> = read(BEIR, JsonlFlavor::Beir)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].id.as_str(), "MED-10");
        assert_eq!(docs[0].kind, EvidenceKind::Study);
        assert_eq!(
            docs[0].title,
            "Statin Use and Breast Cancer Survival: A Nationwide Cohort Study from Finland"
        );
        assert_eq!(
            docs[0].url.as_deref(),
            Some("https://pubmed.ncbi.nlm.nih.gov/25329299/")
        );
        assert_eq!(docs[0].source, None);
        assert_eq!(docs[0].year, None);
        assert!(docs[0].keywords.is_empty());
        // Numeric pmid; a "section" field is ignored.
        assert_eq!(
            docs[1].url.as_deref(),
            Some("https://pubmed.ncbi.nlm.nih.gov/4421/")
        );
        assert!(docs[1].sections[0].path.is_empty());
        // No pmid, empty title.
        assert_eq!(docs[2].url, None);
        assert_eq!(docs[2].title, "");
    }

    #[test]
    fn read_options_kind_overrides_both_flavors() {
        let options = ReadOptions {
            kind: Some(EvidenceKind::Reference),
        };
        for (bytes, flavor) in [(EVIDENT, JsonlFlavor::Evident), (BEIR, JsonlFlavor::Beir)] {
            let docs: Vec<Document> = JsonlReader::new("t", bytes, flavor, options.clone())
                .map(Result::unwrap)
                .collect();
            assert!(docs.iter().all(|d| d.kind == EvidenceKind::Reference));
        }
    }

    #[test]
    fn bad_lines_are_recoverable_errors_naming_their_line() {
        let results = read(ERRORS, JsonlFlavor::Evident);
        let summary: Vec<Result<&str, (u64, &str)>> = results
            .iter()
            .map(|r| match r {
                Ok(doc) => Ok(doc.id.as_str()),
                Err(e) => {
                    assert!(e.recoverable, "{e}");
                    let Location::Line(n) = e.location else {
                        panic!("expected a line location: {e}")
                    };
                    Err((n, e.message.as_str()))
                }
            })
            .collect();
        assert_eq!(summary.len(), 7, "{summary:?}");
        assert_eq!(summary[0], Ok("a"));
        let (line, message) = summary[1].unwrap_err();
        assert_eq!(line, 2);
        assert!(message.starts_with("not valid JSON: "), "{message}");
        assert!(message.contains("line 1 column"), "{message}");
        assert_eq!(summary[2], Ok("b"));
        // Line 4 is blank; line 5 misses its text.
        assert_eq!(summary[3], Err((5, "record has no text")));
        let (line, message) = summary[4].unwrap_err();
        assert_eq!(line, 6);
        assert!(
            message.contains("unknown evidence kind 'opinion'"),
            "{message}"
        );
        let (line, message) = summary[5].unwrap_err();
        assert_eq!(line, 7);
        assert_eq!(message, "expected a JSON object, found an array");
        assert_eq!(summary[6], Ok("c"));
    }

    #[test]
    fn missing_or_blank_text_and_id_are_errors() {
        for (line, expected) in [
            (&br#"{"id": "x", "text": "   "}"#[..], "record has no text"),
            (br#"{"id": "x", "title": "T"}"#, "record has no text"),
            (br#"{"title": "T", "text": "x"}"#, "record has no 'id'"),
            (br#"{"id": "x", "text": "x", "year": "soon"}"#, "'year'"),
            (br#"{"id": "x", "text": 3}"#, "'text' must be a string"),
        ] {
            let results = read(line, JsonlFlavor::Evident);
            assert_eq!(results.len(), 1);
            let err = results[0].as_ref().unwrap_err();
            assert!(err.recoverable);
            assert_eq!(err.location, Location::Line(1));
            assert!(err.message.contains(expected), "{err}");
        }
        let results = read(br#"{"id": "x", "text": "t"}"#, JsonlFlavor::Beir);
        assert_eq!(
            results[0].as_ref().unwrap_err().message,
            "record has no '_id'"
        );
    }

    #[test]
    fn invalid_utf8_line_is_recoverable_and_next_lines_read() {
        let results = read(BAD_UTF8, JsonlFlavor::Evident);
        assert_eq!(results.len(), 3, "{results:?}");
        assert_eq!(results[0].as_ref().unwrap().id.as_str(), "before");
        let err = results[1].as_ref().unwrap_err();
        assert!(err.recoverable);
        assert_eq!(err.location, Location::Line(2));
        assert!(err.message.contains("invalid UTF-8"), "{err}");
        assert_eq!(results[2].as_ref().unwrap().id.as_str(), "after");
    }

    #[test]
    fn empty_input_is_one_empty_file_error() {
        for input in [&b""[..], b"\n\n  \r\n\t\n"] {
            for flavor in [JsonlFlavor::Evident, JsonlFlavor::Beir] {
                let results = read(input, flavor);
                assert_eq!(results.len(), 1);
                let err = results[0].as_ref().unwrap_err();
                assert!(err.recoverable);
                assert_eq!(err.location, Location::Whole);
                assert_eq!(err.message, "empty file");
            }
        }
    }

    #[test]
    fn last_line_without_newline_and_bom_are_read() {
        let input =
            b"\xEF\xBB\xBF{\"id\": \"a\", \"text\": \"x\"}\r\n{\"id\": \"b\", \"text\": \"y\"}";
        let results = read(input, JsonlFlavor::Evident);
        let ids: Vec<&str> = results
            .iter()
            .map(|r| r.as_ref().unwrap().id.as_str())
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            for flavor in [JsonlFlavor::Evident, JsonlFlavor::Beir] {
                let n = JsonlReader::new("p", bytes.as_slice(), flavor, ReadOptions::default())
                    .take(10_000)
                    .count();
                // At most one item per line, plus the "empty file" error.
                prop_assert!(n <= bytes.iter().filter(|b| **b == b'\n').count() + 1);
            }
        }

        #[test]
        fn arbitrary_json_objects_never_panic(
            id in prop_oneof![Just(Value::Null), any::<i64>().prop_map(Value::from), ".{0,8}".prop_map(Value::from)],
            text in prop_oneof![Just(Value::Null), any::<f64>().prop_map(Value::from), ".{0,40}".prop_map(Value::from)],
            year in prop_oneof![Just(Value::Null), any::<i64>().prop_map(Value::from), ".{0,6}".prop_map(Value::from)],
            kind in prop_oneof![Just(Value::Null), ".{0,10}".prop_map(Value::from), Just(Value::from("trial"))],
            pmid in prop_oneof![Just(Value::Null), any::<u64>().prop_map(Value::from), ".{0,8}".prop_map(Value::from)],
        ) {
            let line = serde_json::json!({
                "id": id.clone(), "_id": id, "text": text, "year": year, "kind": kind, "pmid": pmid,
            })
            .to_string();
            for flavor in [JsonlFlavor::Evident, JsonlFlavor::Beir] {
                let results: Vec<_> =
                    JsonlReader::new("p", line.as_bytes(), flavor, ReadOptions::default()).collect();
                prop_assert_eq!(results.len(), 1);
                if let Ok(doc) = &results[0] {
                    prop_assert!(doc.has_text());
                }
            }
        }
    }
}
