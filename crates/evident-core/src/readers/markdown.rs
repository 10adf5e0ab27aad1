//! Markdown guideline pages with YAML front matter (the NCI PDQ layout is the reference case).
//!
//! Keeps the heading path of every block, turns inline citation markers such as
//! `[[5](#cit/section_1.5)]` into citation marks, reads the numbered reference lists (with
//! PubMed ids from their links) into `Document::references`, reads "Level of evidence"
//! markers, and strips link targets, images and HTML from the text.

use super::ReadOptions;
use crate::document::{Block, BlockKind, CitedStudy, DocId, Document, EvidenceKind, Mark, Section};
use crate::error::{Location, ReadError};
use inline::{BlockBuf, LinkKind, classify_link, pubmed_id};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_yaml_ng::Value;

/// Metadata read from the front matter.
#[derive(Default)]
struct FrontMatter {
    title: Option<String>,
    kind: Option<EvidenceKind>,
    source: Option<String>,
    year: Option<u16>,
    url: Option<String>,
    topics: Vec<String>,
}

/// Parse one Markdown file. `source_name` names it in errors; `id` is the document id.
pub fn read_markdown(
    source_name: &str,
    bytes: &[u8],
    id: DocId,
    options: &ReadOptions,
) -> Result<Document, ReadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ReadError::new(
            source_name,
            Location::Byte(e.valid_up_to() as u64),
            "invalid UTF-8",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ReadError::new(source_name, Location::Whole, "empty file"));
    }
    let (front, body, body_line) = split_front_matter(source_name, text)?;
    let body_doc = parse_body(body);
    let kind = options
        .kind
        .or(front.kind)
        .unwrap_or_else(|| infer_kind(&front, &body_doc.title));
    let title = body_doc
        .title
        .or(front.title.clone().map(|t| clean_site_suffix(&t)))
        .unwrap_or_else(|| id.as_str().to_string());
    let doc = Document {
        id,
        kind,
        title,
        source: front.source,
        year: front.year,
        url: front.url,
        sections: body_doc.sections,
        references: body_doc.references,
        keywords: front.topics,
    };
    if !doc.has_text() {
        return Err(ReadError::new(
            source_name,
            Location::Line(body_line),
            "document has no body text",
        ));
    }
    Ok(doc)
}

fn clean_site_suffix(title: &str) -> String {
    title
        .strip_suffix(" - NCI")
        .unwrap_or(title)
        .trim()
        .to_string()
}

fn infer_kind(front: &FrontMatter, title: &Option<String>) -> EvidenceKind {
    let t = title.as_deref().or(front.title.as_deref()).unwrap_or("");
    let url = front.url.as_deref().unwrap_or("");
    if t.contains("Patient Version") || url.contains("/publications/dictionaries/") {
        EvidenceKind::Reference
    } else {
        EvidenceKind::Guideline
    }
}

/// Split off `---` front matter; returns it parsed, the body and the body's first line number.
fn split_front_matter<'a>(
    source_name: &str,
    text: &'a str,
) -> Result<(FrontMatter, &'a str, u64), ReadError> {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok((FrontMatter::default(), text, 1));
    };
    let end = rest
        .find("\n---\n")
        .map(|p| (p, p + 5))
        .or_else(|| rest.find("\n---\r\n").map(|p| (p, p + 6)))
        .or_else(|| rest.strip_suffix("\n---").map(|r| (r.len(), rest.len())));
    let Some((yaml_end, body_start)) = end else {
        return Err(ReadError::new(
            source_name,
            Location::Line(1),
            "front matter starts with '---' but has no closing '---' line",
        ));
    };
    let yaml = &rest[..yaml_end];
    let body = &rest[body_start..];
    let body_line = 2 + yaml.lines().count() as u64 + 1;
    let value: Value = serde_yaml_ng::from_str(yaml).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line() as u64 + 1);
        ReadError::new(
            source_name,
            Location::Line(line),
            format!("invalid YAML front matter: {e}"),
        )
    })?;
    let get = |k: &str| value.get(k).and_then(scalar_string);
    let kind = match get("kind") {
        Some(k) => Some(k.parse::<EvidenceKind>().map_err(|e| {
            ReadError::new(source_name, Location::Line(1), format!("front matter: {e}"))
        })?),
        None => None,
    };
    let year = get("year")
        .as_deref()
        .and_then(parse_year)
        .or_else(|| get("lastReviewed").as_deref().and_then(parse_year))
        .or_else(|| get("last_reviewed").as_deref().and_then(parse_year))
        .or_else(|| get("date").as_deref().and_then(parse_year))
        .or_else(|| get("citation").as_deref().and_then(parse_year));
    let topics = ["topics", "tags", "cancerTypes"]
        .iter()
        .filter_map(|k| value.get(*k).and_then(Value::as_sequence))
        .flatten()
        .filter_map(scalar_string)
        .collect();
    Ok((
        FrontMatter {
            title: get("title"),
            kind,
            source: get("source"),
            year,
            url: get("url"),
            topics,
        },
        body,
        body_line,
    ))
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Sequence(items) => {
            let parts: Vec<String> = items.iter().filter_map(scalar_string).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        _ => None,
    }
}

/// The first plausible four-digit year (1800–2199) in `s`.
fn parse_year(s: &str) -> Option<u16> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let w = &b[i..i + 4];
        let boundary_before = i == 0 || !b[i - 1].is_ascii_digit();
        let boundary_after = i + 4 == b.len() || !b[i + 4].is_ascii_digit();
        if boundary_before && boundary_after && w.iter().all(u8::is_ascii_digit) {
            let y: u16 = std::str::from_utf8(w).ok()?.parse().ok()?;
            (1800..2200).contains(&y).then_some(y)
        } else {
            None
        }
    })
}

struct BodyDoc {
    title: Option<String>,
    sections: Vec<Section>,
    references: Vec<CitedStudy>,
}

/// Where text currently goes.
#[derive(PartialEq)]
enum Mode {
    Body,
    /// Inside a "References" section: list items become cited studies.
    References,
}

fn parse_body(body: &str) -> BodyDoc {
    let parser = Parser::new_ext(body, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let mut title: Option<String> = None;
    let mut seen_content = false;
    let mut sections: Vec<Section> = vec![Section {
        path: Vec::new(),
        blocks: Vec::new(),
    }];
    let mut path: Vec<(u8, String)> = Vec::new();
    let mut references: Vec<CitedStudy> = Vec::new();
    let mut h2_count: u32 = 0;
    let mut mode = Mode::Body;

    let mut buf = BlockBuf::default();
    let mut heading: Option<(u8, String)> = None;
    let mut list_depth = 0usize;
    let mut item_numbers: Vec<Option<u64>> = Vec::new();
    let mut in_table = false;
    let mut cell_idx = 0usize;
    let mut row_cells: Vec<String> = Vec::new();
    let mut link_stack: Vec<LinkKind> = Vec::new();
    let mut image_depth = 0usize;
    let mut ref_item: Option<(u32, String, Option<String>)> = None;

    for event in parser {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((heading_level(level), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, text)) = heading.take() else {
                    continue;
                };
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if level == 1 && !seen_content {
                    title = Some(text);
                    continue;
                }
                if level == 2 {
                    h2_count += 1;
                }
                if text.eq_ignore_ascii_case("references") {
                    mode = Mode::References;
                    continue;
                }
                mode = Mode::Body;
                while path.last().is_some_and(|(l, _)| *l >= level) {
                    path.pop();
                }
                path.push((level, text));
                sections.push(Section {
                    path: path.iter().map(|(_, t)| t.clone()).collect(),
                    blocks: Vec::new(),
                });
            }
            Event::Start(Tag::List(start)) => {
                if list_depth == 0 && mode == Mode::Body {
                    flush(&mut buf, BlockKind::Paragraph, &mut sections);
                }
                list_depth += 1;
                item_numbers.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                item_numbers.pop();
                if list_depth == 0 && mode == Mode::Body {
                    flush(&mut buf, BlockKind::List, &mut sections);
                }
            }
            Event::Start(Tag::Item) => {
                seen_content = true;
                if mode == Mode::References {
                    let n = item_numbers
                        .last()
                        .copied()
                        .flatten()
                        .map_or(references.len() as u32 + 1, |s| s as u32);
                    if let Some(Some(s)) = item_numbers.last_mut() {
                        *s += 1;
                    }
                    ref_item = Some((n, String::new(), None));
                } else {
                    if !buf.text.is_empty() && !buf.text.ends_with('\n') {
                        buf.text.push('\n');
                    }
                    buf.text
                        .push_str(&"  ".repeat(list_depth.saturating_sub(1)));
                    buf.text.push_str("- ");
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some((n, text, pmid)) = ref_item.take() {
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let text = text.trim_end_matches(['[', ']', ' ']).to_string();
                    references.push(CitedStudy {
                        key: format!("section_{h2_count}.{n}"),
                        number: n,
                        text,
                        pmid,
                    });
                }
            }
            Event::Start(Tag::Paragraph) | Event::Start(Tag::BlockQuote(_))
                if list_depth == 0 && !in_table && mode == Mode::Body && !buf.text.is_empty() =>
            {
                flush(&mut buf, BlockKind::Paragraph, &mut sections);
            }
            Event::End(TagEnd::Paragraph) => {
                seen_content = true;
                if list_depth == 0 && mode == Mode::Body {
                    if let Some(b) = buf.take(BlockKind::Paragraph)
                        && !is_navigation(&b.text)
                    {
                        push_block(&mut sections, b);
                    }
                } else if list_depth > 0 {
                    buf.push_plain(" ");
                }
            }
            Event::Start(Tag::Table(_)) => {
                seen_content = true;
                if let Some(b) = buf.take(BlockKind::Paragraph) {
                    push_block(&mut sections, b);
                }
                in_table = true;
            }
            Event::End(TagEnd::Table) => {
                in_table = false;
                if mode == Mode::Body {
                    if let Some(b) = buf.take(BlockKind::Table) {
                        push_block(&mut sections, b);
                    }
                } else {
                    buf.take(BlockKind::Table);
                }
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                cell_idx = 0;
                row_cells.clear();
            }
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                let _ = cell_idx;
                let cells: Vec<String> = row_cells
                    .drain(..)
                    .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect();
                let is_rule =
                    |c: &String| c.is_empty() || c.chars().all(|ch| matches!(ch, '-' | ':' | ' '));
                if !cells.iter().all(is_rule) {
                    if !buf.text.is_empty() {
                        buf.text.push('\n');
                    }
                    let row: Vec<&str> = cells
                        .iter()
                        .map(String::as_str)
                        .filter(|c| !c.is_empty())
                        .collect();
                    buf.text.push_str(&row.join(" | "));
                }
            }
            Event::Start(Tag::TableCell) => {
                row_cells.push(String::new());
            }
            Event::End(TagEnd::TableCell) => {
                cell_idx += 1;
            }
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let kind = classify_link(&dest_url);
                if let (Some(item), LinkKind::Other) = (ref_item.as_mut(), &kind)
                    && item.2.is_none()
                {
                    item.2 = pubmed_id(&dest_url);
                }
                link_stack.push(kind);
            }
            Event::End(TagEnd::Link) => {
                link_stack.pop();
            }
            Event::Text(t) | Event::Code(t) => {
                if image_depth > 0 {
                    continue;
                }
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&t);
                    continue;
                }
                if let Some(item) = ref_item.as_mut() {
                    if !link_stack.iter().any(|k| matches!(k, LinkKind::Other)) {
                        item.1.push_str(&t);
                    }
                    continue;
                }
                if mode == Mode::References {
                    continue;
                }
                // The level of a popup link that names one; any other popup link is a
                // glossary term of the text ("[stage II](popDefinition...)") and is text.
                let level = match link_stack.last() {
                    Some(LinkKind::EvidenceLevel) => inline::evidence_level(&t),
                    _ => None,
                };
                match (link_stack.last(), level) {
                    (Some(LinkKind::Citation { section }), _) => {
                        if let Ok(n) = t.trim().parse::<u32>() {
                            let section = section.clone();
                            buf.add_citation(&section, n);
                        }
                    }
                    // A table's column of levels: neither text nor a mark of a paragraph.
                    (Some(LinkKind::EvidenceLevel), Some(_))
                        if in_table && !t.trim().starts_with("Level of evidence") => {}
                    (Some(LinkKind::EvidenceLevel), Some(level)) => {
                        buf.open_marker();
                        buf.in_citation_group = true;
                        let offset = buf.text.trim_end().len();
                        buf.levels.push(Mark {
                            offset,
                            value: level,
                        });
                    }
                    _ => {
                        if in_table {
                            if let Some(c) = row_cells.last_mut() {
                                c.push_str(&t);
                            }
                        } else {
                            buf.push_text(&t);
                        }
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push(' ');
                } else if let Some(item) = ref_item.as_mut() {
                    item.1.push(' ');
                } else if in_table {
                    if let Some(c) = row_cells.last_mut() {
                        c.push(' ');
                    }
                } else {
                    buf.push_plain(" ");
                }
            }
            // HTML, footnotes, rules and the rest carry no text we index.
            _ => {}
        }
    }
    if mode == Mode::Body {
        flush(&mut buf, BlockKind::Paragraph, &mut sections);
    }
    sections.retain(|s| !s.blocks.is_empty());
    BodyDoc {
        title,
        sections,
        references,
    }
}

fn flush(buf: &mut BlockBuf, kind: BlockKind, sections: &mut [Section]) {
    if let Some(b) = buf.take(kind) {
        push_block(sections, b);
    }
}

fn push_block(sections: &mut [Section], block: Block) {
    if let Some(last) = sections.last_mut() {
        last.blocks.push(block);
    }
}

/// Site navigation such as "Go to Patient Version" carries no evidence.
fn is_navigation(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("Go to ") && t.split_whitespace().count() <= 6
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

mod inline;
#[cfg(test)]
mod tests;
