//! An answer as HTML: evidence status, bottom line, titled sections whose statements carry citation markers linking to the references, references grouped by kind (as the text and Markdown renderers group them) with their supporting passages, and the disclaimer.

use std::collections::HashSet;

use evident_core::answer::{Answer, EvidencePassage, EvidenceStatus, Reference, Statement};
use evident_core::render::grouped_references;
use maud::{Markup, html};

/// Longest passage text put in a marker's `title` (the `data-passage` holds it whole).
const TITLE_CHARS: usize = 300;

/// A heading of `level` (clamped to 2..=6) with `text`.
pub fn heading(level: u8, id: Option<&str>, text: &str) -> Markup {
    match level {
        0..=2 => html! { h2 id=[id] { (text) } },
        3 => html! { h3 id=[id] { (text) } },
        4 => html! { h4 id=[id] { (text) } },
        5 => html! { h5 id=[id] { (text) } },
        _ => html! { h6 id=[id] { (text) } },
    }
}

/// The reference numbered `n` in `answer`.
pub fn reference(answer: &Answer, n: u32) -> Option<&Reference> {
    answer.references.iter().find(|r| r.n == n)
}

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2)
        .map(str::to_lowercase)
        .collect()
}

/// The passage of `r` that supports `statement`: the one sharing the most words with it
/// (statements are sentences of their passage), the first on a tie.
pub fn best_passage<'a>(r: &'a Reference, statement: &Statement) -> Option<&'a EvidencePassage> {
    let wanted = words(&statement.text);
    let mut best: Option<(&EvidencePassage, usize)> = None;
    for e in &r.evidence {
        let shared = words(&e.text).intersection(&wanted).count();
        if best.is_none_or(|(_, b)| shared > b) {
            best = Some((e, shared));
        }
    }
    best.map(|(e, _)| e)
}

/// The references a statement cites, each with the passage that supports it.
pub fn supporting_passages<'a>(
    answer: &'a Answer,
    statement: &Statement,
) -> Vec<(&'a Reference, Option<&'a EvidencePassage>)> {
    statement
        .citations
        .iter()
        .filter_map(|n| reference(answer, *n))
        .map(|r| (r, best_passage(r, statement)))
        .collect()
}

/// What a marker's tooltip shows: the supporting passage, or the title of a study cited
/// second-hand.
fn passage_text(r: &Reference, statement: &Statement) -> String {
    match best_passage(r, statement) {
        Some(e) => e.text.split_whitespace().collect::<Vec<_>>().join(" "),
        None => format!("{} (cited by a guideline passage)", r.title),
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// A short excerpt of `passage` for a marker's `title`: from where the statement's sentence
/// starts in it when it can be found, else from the beginning.
fn excerpt(passage: &str, statement: &Statement, max: usize) -> String {
    let norm = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = norm(passage);
    let key: String = norm(&statement.text).chars().take(40).collect();
    // ASCII lowercasing keeps byte offsets, so a position found there is one in `text`.
    let start = (key.chars().count() >= 10)
        .then(|| text.to_ascii_lowercase().find(&key.to_ascii_lowercase()))
        .flatten()
        .unwrap_or(0);
    let lead = if start > 0 { "…" } else { "" };
    format!("{lead}{}", shorten(&text[start..], max))
}

/// A URL safe to put in `href`: http(s) only, never `javascript:` or `data:`.
pub fn safe_url(url: &str) -> Option<&str> {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(u)
}

/// The citation markers of a statement: `[n]` links to `#PREFIXref-n`, carrying the
/// supporting passage for the tooltip.
pub fn markers(answer: &Answer, statement: &Statement, prefix: &str) -> Markup {
    html! {
        @for n in &statement.citations {
            @let passage = reference(answer, *n).map(|r| passage_text(r, statement)).unwrap_or_default();
            @let title = excerpt(&passage, statement, TITLE_CHARS);
            " "
            a.cite href={ "#" (prefix) "ref-" (n) }
                aria-label={ "Reference " (n) }
                data-passage=(passage)
                title=(title) { "[" (n) "]" }
        }
    }
}

/// A statement's text followed by its markers.
pub fn statement(answer: &Answer, s: &Statement, prefix: &str) -> Markup {
    html! { (s.text) (markers(answer, s, prefix)) }
}

fn status_text(status: EvidenceStatus) -> (&'static str, &'static str) {
    match status {
        EvidenceStatus::Sufficient => ("sufficient", "the loaded evidence addresses the question"),
        EvidenceStatus::Limited => ("limited", "only indirect evidence was found"),
        EvidenceStatus::Insufficient => (
            "insufficient",
            "the loaded evidence does not answer this question",
        ),
    }
}

/// The whole answer. `prefix` keeps reference ids unique when several answers share a page
/// (`""` for the article, `fu2-` for its second follow-up); `level` is the level of the
/// answer's own headings.
pub fn answer(a: &Answer, prefix: &str, level: u8) -> Markup {
    let (status, why) = status_text(a.evidence_status);
    html! {
        div.answer {
            p.evidence-status {
                span class={ "status-chip evidence-" (status) } { "Evidence: " (status) }
                " — " (why) ". Written for " (a.audience.as_str()) " readers."
            }
            section.bottom-line aria-label="Bottom line" {
                (heading(level, None, "Bottom line"))
                p { (statement(a, &a.bottom_line, prefix)) }
            }
            @for section in &a.sections {
                section.answer-section {
                    (heading(level, None, &section.title))
                    ol {
                        @for item in &section.items {
                            li { (statement(a, item, prefix)) }
                        }
                    }
                }
            }
            (references(a, prefix, level))
            aside.disclaimer aria-label="Disclaimer" {
                p { strong { "Disclaimer. " } (a.disclaimer) }
            }
        }
    }
}

/// The references, grouped by kind, each with its supporting passages.
pub fn references(a: &Answer, prefix: &str, level: u8) -> Markup {
    html! {
        @if !a.references.is_empty() {
            section.references {
                (heading(level, None, "References"))
                @for (group, refs) in grouped_references(a) {
                    (heading(level + 1, None, group))
                    ol.reference-list {
                        @for r in refs {
                            (reference_item(r, prefix))
                        }
                    }
                }
            }
        }
    }
}

fn reference_item(r: &Reference, prefix: &str) -> Markup {
    let pubmed = r
        .pmid
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    html! {
        li id={ (prefix) "ref-" (r.n) } value=(r.n) {
            span.ref-title {
                @match r.url.as_deref().and_then(safe_url) {
                    Some(url) => a href=(url) rel="noopener noreferrer" { (r.title) },
                    None => (r.title),
                }
            }
            @if r.source.is_some() || r.year.is_some() {
                " "
                span.ref-meta {
                    "("
                    @if let Some(s) = &r.source { (s) }
                    @if r.source.is_some() && r.year.is_some() { ", " }
                    @if let Some(y) = r.year { (y) }
                    ")"
                }
            }
            @if let Some(pmid) = pubmed {
                " "
                a.pubmed href={ "https://pubmed.ncbi.nlm.nih.gov/" (pmid) "/" } rel="noopener noreferrer" {
                    "PubMed " (pmid)
                }
            }
            @if r.evidence.is_empty() {
                p.ref-note { "Cited by a guideline passage of this answer; no passage of its own." }
            } @else {
                details.passages {
                    summary {
                        @if r.evidence.len() == 1 { "Supporting passage" }
                        @else { (r.evidence.len()) " supporting passages" }
                    }
                    @for e in &r.evidence {
                        (passage(e))
                    }
                }
            }
        }
    }
}

/// One passage, verbatim, with the section it comes from.
pub fn passage(e: &EvidencePassage) -> Markup {
    passage_marking(e, None)
}

/// One passage, verbatim, with the sentence `statement` was taken from marked when it can
/// be found in it (the review view shows each statement beside its passage).
pub fn passage_marking(e: &EvidencePassage, statement: Option<&str>) -> Markup {
    let range = statement.and_then(|s| sentence_range(&e.text, s));
    html! {
        figure.passage {
            blockquote {
                p {
                    @match range {
                        Some((from, to)) => {
                            (e.text[..from]) mark { (e.text[from..to]) } (e.text[to..])
                        }
                        None => (e.text),
                    }
                }
            }
            figcaption {
                @if let Some(s) = &e.section { (s) " · " }
                span.passage-id { (e.passage_id) }
            }
        }
    }
}

/// The byte range in `passage` of the sentence a statement was taken from, whitespace and
/// ASCII case aside and without the "Applies to this patient (…): " lead composition may
/// add: the whole statement where it occurs, else from the longest start of it that occurs
/// (at least 20 characters; composition may have cleaned a pointer out of the sentence)
/// through the end of that sentence.
pub fn sentence_range(passage: &str, statement: &str) -> Option<(usize, usize)> {
    // Each character with whitespace runs as one space, ASCII-lowercased, and where it
    // starts in the original text.
    fn normalise(text: &str) -> (Vec<char>, Vec<usize>) {
        let (mut chars, mut at) = (Vec::new(), Vec::new());
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                if chars.last().is_none_or(|l| *l != ' ') {
                    chars.push(' ');
                    at.push(i);
                }
            } else {
                chars.push(c.to_ascii_lowercase());
                at.push(i);
            }
        }
        (chars, at)
    }
    fn find(text: &[char], key: &[char]) -> Option<usize> {
        (key.len() <= text.len())
            .then(|| (0..=text.len() - key.len()).find(|&i| text[i..i + key.len()] == *key))
            .flatten()
    }
    const SHORTEST: usize = 20;
    let statement = statement.trim();
    let statement = statement
        .strip_prefix("Applies to this patient")
        .and_then(|rest| rest.split_once("): "))
        .map_or(statement, |(_, text)| text);
    let (text, at) = normalise(passage);
    let (wanted, _) = normalise(statement.trim());
    if wanted.len() < SHORTEST {
        return None;
    }
    let (start, mut end) = match find(&text, &wanted) {
        Some(start) => (start, start + wanted.len()),
        None => {
            // Every shorter start of a start that occurs occurs too: bisect on the length.
            let (mut found, mut missing) = (SHORTEST, wanted.len());
            let mut start = find(&text, &wanted[..found])?;
            while missing - found > 1 {
                let mid = (found + missing) / 2;
                match find(&text, &wanted[..mid]) {
                    Some(s) => (found, start) = (mid, s),
                    None => missing = mid,
                }
            }
            let mut end = start + found;
            while end < text.len()
                && !(matches!(text[end - 1], '.' | '?' | '!') && text[end] == ' ')
            {
                end += 1;
            }
            (start, end)
        }
    };
    // Leave trailing whitespace outside the mark.
    while end > start && text[end - 1] == ' ' {
        end -= 1;
    }
    let to = at.get(end).copied().unwrap_or(passage.len());
    let to = passage[..to].trim_end().len();
    Some((at[start], to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            safe_url(" https://example.org/x "),
            Some("https://example.org/x")
        );
        assert_eq!(safe_url("HTTP://example.org"), Some("HTTP://example.org"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
    }

    #[test]
    fn the_supporting_passage_is_the_one_sharing_most_words() {
        let e = |id: &str, text: &str| EvidencePassage {
            passage_id: id.into(),
            section: None,
            text: text.into(),
        };
        let r = Reference {
            n: 1,
            kind: evident_core::document::EvidenceKind::Guideline,
            title: "T".into(),
            source: None,
            year: None,
            url: None,
            pmid: None,
            doc_id: None,
            evidence: vec![
                e("a", "Statins lower cholesterol."),
                e(
                    "b",
                    "Beta-blockers reduce mortality in heart failure. Other text.",
                ),
            ],
        };
        let s = Statement {
            text: "Beta-blockers reduce mortality.".into(),
            citations: vec![1],
        };
        assert_eq!(
            best_passage(&r, &s).map(|p| p.passage_id.as_str()),
            Some("b")
        );
        let none = Reference {
            evidence: vec![],
            ..r
        };
        assert!(best_passage(&none, &s).is_none());
    }

    #[test]
    fn the_sentence_a_statement_comes_from_is_found_in_its_passage() {
        let p = "Intro line.\n- In previously irradiated patients,   intraoperative\nradiotherapy may be used. Next one.";
        let s = "Applies to this patient (after chemoradiation): In previously irradiated patients, intraoperative radiotherapy may be used.";
        let (from, to) = sentence_range(p, s).expect("found");
        assert_eq!(
            &p[from..to],
            "In previously irradiated patients,   intraoperative\nradiotherapy may be used."
        );
        // Cleaned statements (a pointer dropped) still mark their sentence.
        let (from, to) = sentence_range(
            "A. Pelvic MRI is the key study (see Table 2) for staging. B.",
            "Pelvic MRI is the key study for staging.",
        )
        .expect("found");
        assert_eq!(
            &"A. Pelvic MRI is the key study (see Table 2) for staging. B."[from..to],
            "Pelvic MRI is the key study (see Table 2) for staging."
        );
        assert_eq!(sentence_range("Unrelated text here.", s), None);
        let u = "Ünïcödé tëxt, lönger than the key. Next.";
        let (from, to) = sentence_range(u, "Ünïcödé TëXT, lönger than that").expect("found");
        assert_eq!(&u[from..to], "Ünïcödé tëxt, lönger than the key.");
    }

    #[test]
    fn long_titles_are_shortened() {
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("abcdef", 3), "abc…");
        let s = Statement {
            text: "Beta-blockers reduce mortality in HFrEF.".into(),
            citations: vec![1],
        };
        let p = "Drugs:\n- ACE inhibitors help.\n- Beta-blockers   reduce mortality in HFrEF. Más.";
        assert_eq!(
            excerpt(p, &s, 100),
            "…Beta-blockers reduce mortality in HFrEF. Más."
        );
        assert_eq!(excerpt("Ünrelated text here.", &s, 5), "Ünrel…");
    }
}
