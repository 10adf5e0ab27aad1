//! Terminal output: everything the CLI prints from stored or corpus text goes through [`print`] (control characters and bidirectional overrides escaped, so that stored text cannot recolour, retitle or clear the terminal) or [`json`]; and search hits for the terminal (text) and for programs (JSON).

use std::io::Write;

use evident_core::input::{escape_control, is_unsafe_on_terminal};
use evident_search::Hit;
use serde::Serialize;
use serde_json::{Value, json};

/// Writes `text` to standard output with unsafe characters escaped. A closed pipe is not an
/// error worth a panic.
pub fn print(text: &str) {
    let _ = std::io::stdout()
        .lock()
        .write_all(escape_control(text).as_bytes());
}

/// Writes `text` to standard error with unsafe characters escaped.
pub fn print_err(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(escape_control(text).as_bytes());
}

/// `print!` with unsafe characters escaped.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::print(&format!($($arg)*)) };
}

/// `println!` with unsafe characters escaped.
macro_rules! outln {
    () => { $crate::output::print("\n") };
    ($($arg:tt)*) => { $crate::output::print(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {out, outln};

/// Pretty JSON in which the characters serde_json leaves as they are but a terminal would
/// act on (DEL, C1 controls, bidirectional overrides) are written as `\uXXXX` escapes; they
/// only occur inside strings, where such an escape means the same character.
pub fn json(value: &impl Serialize) -> serde_json::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_on_terminal(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Hits as numbered plain text with their source and section.
pub fn hits_text(query: &str, hits: &[Hit]) -> String {
    let mut out = String::new();
    if hits.is_empty() {
        out.push_str(&format!(
            "No passages match \"{query}\". The loaded evidence may not cover this topic.\n"
        ));
        return out;
    }
    for (i, h) in hits.iter().enumerate() {
        let r = &h.record;
        let section = r.passage.section_path.join(" › ");
        out.push_str(&format!(
            "{}. [{}] {}{}\n",
            i + 1,
            r.kind,
            r.title,
            if section.is_empty() {
                String::new()
            } else {
                format!(" — {section}")
            }
        ));
        let text = r.passage.text.replace('\n', " ");
        let shown: String = text.chars().take(420).collect();
        out.push_str(&format!(
            "   {}{}\n",
            shown,
            if shown.len() < text.len() { "…" } else { "" }
        ));
        let mut meta = Vec::new();
        if let Some(s) = &r.source {
            meta.push(s.clone());
        }
        if let Some(y) = r.year {
            meta.push(y.to_string());
        }
        if let Some(u) = &r.url {
            meta.push(u.clone());
        }
        meta.push(format!("passage {}", r.passage.id));
        meta.push(format!("score {:.3}", h.score));
        out.push_str(&format!("   {}\n\n", meta.join(" · ")));
    }
    out
}

pub fn hits_json(hits: &[Hit]) -> Value {
    Value::Array(
        hits.iter()
            .enumerate()
            .map(|(i, h)| {
                let r = &h.record;
                json!({
                    "rank": i + 1,
                    "score": h.score,
                    "passage_id": r.passage.id.to_string(),
                    "document_id": r.passage.id.doc,
                    "title": r.title,
                    "kind": r.kind,
                    "source": r.source,
                    "year": r.year,
                    "url": r.url,
                    "section_path": r.passage.section_path,
                    "text": r.passage.text,
                    "citations": r.passage.citations.iter().map(|m| &m.value).collect::<Vec<_>>(),
                    "evidence_levels": r.passage.evidence_levels,
                    "bm25_rank": h.bm25_rank,
                    "dense_rank": h.dense_rank,
                })
            })
            .collect(),
    )
}
