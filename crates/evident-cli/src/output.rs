//! Rendering search hits for the terminal (text) and for programs (JSON).

use evident_search::Hit;
use serde_json::{Value, json};

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
