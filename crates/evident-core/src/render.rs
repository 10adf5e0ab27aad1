//! Renderers of an [`Answer`] for people: plain text for a terminal and Markdown; JSON is the serde form of the contract.

use std::fmt::Write;

use crate::answer::{Answer, EvidenceStatus, Reference, Statement};
use crate::compose::Composition;
use crate::document::EvidenceKind;
use crate::question::Question;

/// The heading a reference kind is grouped under.
pub fn kind_group(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Guideline => "Guideline",
        EvidenceKind::SystematicReview => "Systematic review",
        EvidenceKind::Trial => "Trial",
        EvidenceKind::Study | EvidenceKind::Review => "Research",
        EvidenceKind::Reference | EvidenceKind::Other => "Other sources",
    }
}

const GROUP_ORDER: [&str; 5] = [
    "Guideline",
    "Systematic review",
    "Trial",
    "Research",
    "Other sources",
];

/// References grouped by kind, groups in a fixed order, references by number within.
pub fn grouped_references(answer: &Answer) -> Vec<(&'static str, Vec<&Reference>)> {
    GROUP_ORDER
        .iter()
        .filter_map(|g| {
            let refs: Vec<&Reference> = answer
                .references
                .iter()
                .filter(|r| kind_group(r.kind) == *g)
                .collect();
            (!refs.is_empty()).then_some((*g, refs))
        })
        .collect()
}

fn markers(s: &Statement) -> String {
    s.citations.iter().map(|n| format!("[{n}]")).collect()
}

fn status_line(answer: &Answer) -> String {
    let status = match answer.evidence_status {
        EvidenceStatus::Sufficient => "sufficient",
        EvidenceStatus::Limited => "limited: only indirect evidence was found",
        EvidenceStatus::Insufficient => "insufficient: the loaded evidence does not answer this",
    };
    format!(
        "Evidence: {status} · intent: {} · written for: {}",
        answer.intent, answer.audience
    )
}

fn reference_line(r: &Reference) -> String {
    let mut line = r.title.clone();
    let mut meta: Vec<String> = Vec::new();
    if let Some(s) = &r.source {
        meta.push(s.clone());
    }
    if let Some(y) = r.year {
        meta.push(y.to_string());
    }
    if !meta.is_empty() {
        line.push_str(&format!(" ({})", meta.join(", ")));
    }
    line
}

/// Wraps `text` at `width` columns, each line prefixed by `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    wrap_hanging(text, indent, indent, width)
}

/// Wraps `text` at `width` columns (counted in characters): the first line prefixed by
/// `first`, the others by `indent`. Empty text gives no line.
fn wrap_hanging(text: &str, first: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut line_chars = 0;
    let indent_chars = indent.chars().count();
    for word in text.split_whitespace() {
        let word_chars = word.chars().count();
        if !line.is_empty() && indent_chars + line_chars + 1 + word_chars > width {
            let prefix = if out.is_empty() { first } else { indent };
            let _ = writeln!(out, "{prefix}{line}");
            line.clear();
            line_chars = 0;
        }
        if !line.is_empty() {
            line.push(' ');
            line_chars += 1;
        }
        line.push_str(word);
        line_chars += word_chars;
    }
    if !line.is_empty() {
        let prefix = if out.is_empty() { first } else { indent };
        let _ = writeln!(out, "{prefix}{line}");
    }
    out
}

/// Plain text for a terminal.
pub fn text(answer: &Answer) -> String {
    let mut out = String::new();
    out.push_str(&wrap(&answer.question, "", 88));
    let _ = writeln!(out, "{}\n", status_line(answer));
    let _ = writeln!(out, "BOTTOM LINE");
    out.push_str(&wrap(
        &format!(
            "{} {}",
            answer.bottom_line.text,
            markers(&answer.bottom_line)
        ),
        "  ",
        88,
    ));
    for section in &answer.sections {
        let _ = writeln!(out, "\n{}", section.title.to_uppercase());
        for (i, item) in section.items.iter().enumerate() {
            let number = format!("  {:>2}. ", i + 1);
            let body = wrap_hanging(
                &format!("{} {}", item.text, markers(item)),
                &number,
                "     ",
                88,
            );
            if body.is_empty() {
                let _ = writeln!(out, "{}", number.trim_end());
            }
            out.push_str(&body);
        }
    }
    if !answer.references.is_empty() {
        let _ = writeln!(out, "\nREFERENCES");
        for (group, refs) in grouped_references(answer) {
            let _ = writeln!(out, "  {group}");
            for r in refs {
                out.push_str(&wrap(
                    &format!("[{}] {}", r.n, reference_line(r)),
                    "    ",
                    88,
                ));
                if let Some(url) = &r.url {
                    let _ = writeln!(out, "        {url}");
                }
                for e in &r.evidence {
                    let label = e.section.as_deref().unwrap_or("passage");
                    let _ = writeln!(out, "        › {label} ({})", e.passage_id);
                }
            }
        }
    }
    let _ = writeln!(out);
    out.push_str(&wrap(&answer.disclaimer, "", 88));
    out
}

/// Markdown with reference links and the supporting passages quoted.
pub fn markdown(answer: &Answer) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", answer.question);
    let _ = writeln!(out, "_{}_\n", status_line(answer));
    let link = |s: &Statement| -> String {
        s.citations
            .iter()
            .map(|n| format!("[\\[{n}\\]](#ref-{n})"))
            .collect()
    };
    let _ = writeln!(
        out,
        "**Bottom line.** {} {}\n",
        answer.bottom_line.text,
        link(&answer.bottom_line)
    );
    for section in &answer.sections {
        let _ = writeln!(out, "## {}\n", section.title);
        for item in &section.items {
            let _ = writeln!(out, "- {} {}", item.text, link(item));
        }
        out.push('\n');
    }
    if !answer.references.is_empty() {
        let _ = writeln!(out, "## References\n");
        for (group, refs) in grouped_references(answer) {
            let _ = writeln!(out, "### {group}\n");
            for r in refs {
                let title = match &r.url {
                    Some(u) => format!("[{}]({u})", reference_line(r)),
                    None => reference_line(r),
                };
                let _ = writeln!(out, "{}. <a id=\"ref-{}\"></a>{title}", r.n, r.n);
                for e in &r.evidence {
                    let label = e.section.as_deref().unwrap_or("Passage");
                    let _ = writeln!(out, "   > **{label}:** {}", e.text.replace('\n', " "));
                }
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "---\n_{}_", answer.disclaimer);
    out
}

/// The analysis and the keep/drop decisions, for `--explain`.
pub fn explain(question: &Question, composition: &Composition) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ANALYSIS");
    let _ = writeln!(out, "  intent: {}", question.intent);
    let _ = writeln!(out, "  expanded: {}", question.expanded);
    let _ = writeln!(out, "  search query: {}", question.search_query);
    if question.facts.is_empty() {
        let _ = writeln!(out, "  facts: none");
    }
    for f in &question.facts {
        let _ = writeln!(out, "  fact: {}={} (\"{}\")", f.concept, f.state(), f.text);
    }
    let c = &composition.coverage;
    let _ = writeln!(
        out,
        "  coverage: {:.2} of topic terms in {} (missing: {})",
        c.fraction,
        c.best_document.as_deref().unwrap_or("no document"),
        c.terms
            .iter()
            .filter(|t| !c.covered.contains(t))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !c.unnamed.is_empty() {
        let _ = writeln!(
            out,
            "  asked but named by no statement (evidence at most limited): {}",
            c.unnamed.join(", ")
        );
    }
    let _ = writeln!(out, "\nDECISIONS");
    for d in &composition.decisions {
        let _ = writeln!(
            out,
            "  [{:.3}] {} (retrieved #{}) — {}",
            d.score, d.passage_id, d.rank, d.reason
        );
        out.push_str(&wrap(&d.text, "      ", 88));
    }
    out
}
