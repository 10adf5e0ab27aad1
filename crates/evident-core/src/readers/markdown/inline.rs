//! Inline Markdown handling for the reader: the text buffer of the block being built, with
//! citation and evidence-level marks, whitespace normalisation, and link classification.

use crate::document::{Block, BlockKind, Mark};

#[derive(Default)]
pub(super) struct BlockBuf {
    pub(super) text: String,
    pub(super) citations: Vec<Mark>,
    pub(super) levels: Vec<Mark>,
    /// Inside a citation group like `[[4](#cit/..)-[7](#cit/..)]`.
    pub(super) in_citation_group: bool,
    pending_range_from: Option<(String, u32)>,
    last_citation: Option<(String, u32)>,
}

impl BlockBuf {
    pub(super) fn push_text(&mut self, s: &str) {
        if self.in_citation_group {
            let t = s.trim();
            if t.chars()
                .all(|c| matches!(c, ',' | '-' | '\u{2013}' | ']' | ' ' | '['))
            {
                if t.contains('-') || t.contains('\u{2013}') {
                    self.pending_range_from = self.last_citation.clone();
                }
                if t.ends_with(']') {
                    self.in_citation_group = false;
                }
                return;
            }
            self.in_citation_group = false;
            // Text like "]." — drop the closing bracket, keep the rest.
            let s = s.trim_start().strip_prefix(']').unwrap_or(s);
            self.push_plain(s);
            return;
        }
        self.push_plain(s);
    }

    pub(super) fn push_plain(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.text.ends_with(char::is_whitespace) || self.text.is_empty() {
            self.text.push_str(s.trim_start_matches([' ', '\t']));
        } else {
            self.text.push_str(s);
        }
    }

    /// Remove a trailing "[" left by the bracket that opens a marker group.
    pub(super) fn open_marker(&mut self) {
        if !self.in_citation_group {
            let trimmed = self.text.trim_end_matches('[');
            if trimmed.len() < self.text.len() {
                self.text.truncate(trimmed.len());
            }
        }
    }

    pub(super) fn add_citation(&mut self, section: &str, number: u32) {
        self.open_marker();
        self.in_citation_group = true;
        let offset = self.text.trim_end().len();
        if let Some((sec, from)) = self.pending_range_from.take()
            && sec == section
            && number > from
            && number - from <= 200
        {
            for n in from + 1..number {
                self.citations.push(Mark {
                    offset,
                    value: format!("{section}.{n}"),
                });
            }
        }
        self.citations.push(Mark {
            offset,
            value: format!("{section}.{number}"),
        });
        self.last_citation = Some((section.to_string(), number));
    }

    pub(super) fn take(&mut self, kind: BlockKind) -> Option<Block> {
        let text = std::mem::take(&mut self.text);
        let citations = std::mem::take(&mut self.citations);
        let levels = std::mem::take(&mut self.levels);
        self.in_citation_group = false;
        self.pending_range_from = None;
        let (joined, map) = normalize_with_map(&text);
        if joined.is_empty() {
            return None;
        }
        let remap = |marks: Vec<Mark>| -> Vec<Mark> {
            marks
                .into_iter()
                .map(|m| Mark {
                    offset: map[m.offset.min(map.len() - 1)],
                    value: m.value,
                })
                .collect()
        };
        Some(Block {
            kind,
            text: joined,
            citations: remap(citations),
            evidence_levels: remap(levels),
        })
    }
}

/// Collapse runs of spaces, trim lines and drop blank ones. Returns the normalised text and,
/// for every byte offset of the input (and its end), the corresponding offset in the output.
fn normalize_with_map(raw: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(raw.len());
    let mut map = vec![0; raw.len() + 1];
    let mut pending_space = false;
    let mut pending_newline = false;
    for (i, c) in raw.char_indices() {
        if c == '\n' {
            pending_newline = !out.is_empty();
            pending_space = false;
        } else if c.is_whitespace() {
            pending_space = !out.is_empty() && !pending_newline;
        } else {
            if pending_newline {
                out.push('\n');
            } else if pending_space {
                out.push(' ');
            }
            pending_newline = false;
            pending_space = false;
            for m in map.iter_mut().skip(i).take(c.len_utf8()) {
                *m = out.len();
            }
            out.push(c);
            continue;
        }
        for m in map.iter_mut().skip(i).take(c.len_utf8()) {
            *m = out.len();
        }
    }
    map[raw.len()] = out.len();
    (out, map)
}

pub(super) enum LinkKind {
    Citation { section: String },
    EvidenceLevel,
    Other,
}

pub(super) fn classify_link(dest: &str) -> LinkKind {
    if let Some(key) = dest.strip_prefix("#cit/") {
        let section = key.rsplit_once('.').map_or(key, |(s, _)| s);
        LinkKind::Citation {
            section: section.to_string(),
        }
    } else if dest.contains("popDefinition") || dest.contains("levels-evidence") {
        LinkKind::EvidenceLevel
    } else {
        LinkKind::Other
    }
}

/// The level of evidence a popup link names: "Level of evidence: 1iiA", or the bare code
/// ("1iiC", "B4") that tables use. Any other popup text is a glossary term.
pub(super) fn evidence_level(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(level) = text.strip_prefix("Level of evidence") {
        return Some(level.trim_start_matches([':', ' ']).trim().to_string());
    }
    // Treatment levels: a digit, the strength of the end point (i, ii, iii) and a
    // letter ("1iiA", "3iiiDii"); screening and prevention levels: a letter and a digit.
    let b = text.as_bytes();
    let treatment = b.first().is_some_and(u8::is_ascii_digit)
        && b.len() <= 8
        && b[1..].iter().all(u8::is_ascii_alphanumeric)
        && b[1..].iter().any(u8::is_ascii_uppercase);
    let screening = b.len() == 2 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit();
    (treatment || screening).then(|| text.to_string())
}

/// The PubMed id in a PubMed link (`list_uids=123` or `pubmed.ncbi.nlm.nih.gov/123`).
pub(super) fn pubmed_id(dest: &str) -> Option<String> {
    let digits = |s: &str| -> Option<String> {
        let d: String = s.chars().take_while(char::is_ascii_digit).collect();
        (!d.is_empty()).then_some(d)
    };
    if let Some(p) = dest.find("list_uids=") {
        return digits(&dest[p + "list_uids=".len()..]);
    }
    if let Some(p) = dest.find("pubmed.ncbi.nlm.nih.gov/") {
        return digits(&dest[p + "pubmed.ncbi.nlm.nih.gov/".len()..]);
    }
    None
}
