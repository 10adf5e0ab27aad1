//! The one error enum of `evident-core`, and the locations readers report.

use std::fmt;

/// Where in an input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 1-based line number.
    Line(u64),
    /// 1-based record number (e.g. the n-th `PubmedArticle`), with its id when known.
    Record { number: u64, id: Option<String> },
    /// Byte offset into the input.
    Byte(u64),
    /// The whole input (e.g. an empty file).
    Whole,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Record {
                number,
                id: Some(id),
            } => write!(f, "record {number} ({id})"),
            Location::Record { number, id: None } => write!(f, "record {number}"),
            Location::Byte(n) => write!(f, "byte {n}"),
            Location::Whole => f.write_str("file"),
        }
    }
}

/// A problem in one input, named by its source (usually a file path) and location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {location}: {message}")]
pub struct ReadError {
    pub source_name: String,
    pub location: Location,
    pub message: String,
    /// True when the reader can go on past this record (`--skip-invalid`); false when the
    /// input cannot be read further (broken XML structure, IO failure).
    pub recoverable: bool,
}

impl ReadError {
    pub fn new(source_name: &str, location: Location, message: impl Into<String>) -> Self {
        Self {
            source_name: source_name.to_string(),
            location,
            message: message.into(),
            recoverable: true,
        }
    }

    pub fn fatal(mut self) -> Self {
        self.recoverable = false;
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("lexicon line {line}: {message}")]
    Lexicon { line: usize, message: String },
    #[error("lay glossary line {line}: {message}")]
    Glossary { line: usize, message: String },
    #[error("{name}: {message}")]
    Parse { name: String, message: String },
    /// User input the service does not take (a control character, a search too long).
    #[error("{0}")]
    Input(String),
}
