//! The difference between two answer versions over everything a reader sees (audience, evidence status, facts, bottom line, sections, every reference with its link, PubMed id and quoted passages, the disclaimer): a line-level Myers diff in linear space (`similar`), with removals directly followed by additions shown as changes.

use std::time::{Duration, Instant};

use evident_core::answer::{Answer, Statement};
use maud::{Markup, html};
use similar::{Algorithm, DiffTag};

/// How long one diff may search for the shortest edit script before it settles for a
/// correct but longer one (two capped answers take well under a millisecond).
const DIFF_DEADLINE: Duration = Duration::from_millis(250);

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
    Changed { old: String, new: String },
}

fn cited(s: &Statement) -> String {
    let mut line = s.text.clone();
    for n in &s.citations {
        line.push_str(&format!(" [{n}]"));
    }
    line
}

/// The lines of an answer compared between versions, one per thing a reader sees: its
/// audience and evidence status, each patient fact, the bottom line and each section's
/// title and items (with their citation markers), each reference (kind, title, source,
/// year, link, PubMed id, document) and each passage it quotes, and the disclaimer.
pub fn answer_lines(answer: &Answer) -> Vec<String> {
    let mut lines = vec![
        format!("Question: {}", answer.question),
        format!("Written for: {} readers", answer.audience.as_str()),
        format!("Evidence: {}", answer.evidence_status.as_str()),
    ];
    for f in &answer.facts {
        lines.push(format!(
            "Fact: {}={} (\u{201c}{}\u{201d})",
            f.concept,
            f.state(),
            f.text
        ));
    }
    lines.push(format!("Bottom line: {}", cited(&answer.bottom_line)));
    for section in &answer.sections {
        lines.push(format!("\u{a7} {}", section.title));
        lines.extend(section.items.iter().map(cited));
    }
    for r in &answer.references {
        let opt = |v: Option<&str>| v.unwrap_or("none").to_string();
        lines.push(format!(
            "Reference [{}] ({}): {} \u{b7} source: {} \u{b7} year: {} \u{b7} link: {} \u{b7} PubMed: {} \u{b7} document: {}",
            r.n,
            r.kind.as_str(),
            r.title,
            opt(r.source.as_deref()),
            r.year.map_or("none".to_string(), |y| y.to_string()),
            opt(r.url.as_deref()),
            opt(r.pmid.as_deref()),
            opt(r.doc_id.as_deref()),
        ));
        for e in &r.evidence {
            lines.push(format!(
                "Reference [{}] quotes {}{}: {}",
                r.n,
                e.passage_id,
                e.section
                    .as_deref()
                    .map_or(String::new(), |s| format!(" ({s})")),
                e.text
            ));
        }
    }
    lines.push(format!("Disclaimer: {}", answer.disclaimer));
    lines
}

/// The diff from `old` to `new`: Myers' algorithm over whole lines, in time O((n+m)·d) and
/// space O(n+m). Lines in both (in order) are `Same`; within each run between them,
/// removed and added lines pair up as `Changed` in order and the rest stay `Removed` or
/// `Added`.
pub fn diff_lines(old: &[String], new: &[String]) -> Vec<DiffLine> {
    let deadline = Instant::now() + DIFF_DEADLINE;
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline));
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    let (mut removed, mut added): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            flush(&mut out, &mut removed, &mut added);
            out.extend(old[old_range].iter().cloned().map(DiffLine::Same));
        } else {
            removed.extend(old[old_range].iter().cloned());
            added.extend(new[new_range].iter().cloned());
        }
    }
    flush(&mut out, &mut removed, &mut added);
    out
}

fn flush(out: &mut Vec<DiffLine>, removed: &mut Vec<String>, added: &mut Vec<String>) {
    let pairs = removed.len().min(added.len());
    let rest_removed = removed.split_off(pairs);
    let rest_added = added.split_off(pairs);
    for (old, new) in removed.drain(..).zip(added.drain(..)) {
        out.push(DiffLine::Changed { old, new });
    }
    out.extend(rest_removed.into_iter().map(DiffLine::Removed));
    out.extend(rest_added.into_iter().map(DiffLine::Added));
}

/// The diff as a list; unchanged lines are shown too, for context.
pub fn render(lines: &[DiffLine]) -> Markup {
    let changes = lines
        .iter()
        .filter(|l| !matches!(l, DiffLine::Same(_)))
        .count();
    html! {
        @if changes == 0 {
            p { "The two versions say the same." }
        } @else {
            p { (changes) " line" @if changes != 1 { "s" } " differ." }
        }
        ol.diff {
            @for line in lines {
                @match line {
                    DiffLine::Same(t) => li.diff-same { span.diff-tag { "unchanged" } " " (t) },
                    DiffLine::Added(t) => li.diff-added {
                        span.diff-tag { "added" } " " ins { (t) }
                    },
                    DiffLine::Removed(t) => li.diff-removed {
                        span.diff-tag { "removed" } " " del { (t) }
                    },
                    DiffLine::Changed { old, new } => li.diff-changed {
                        span.diff-tag { "changed" } " " del { (old) } " " ins { (new) }
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    fn same(s: &str) -> DiffLine {
        DiffLine::Same(s.into())
    }

    #[test]
    fn identical_versions_have_only_same_lines() {
        let a = lines(&["a", "b", "c"]);
        assert_eq!(diff_lines(&a, &a), vec![same("a"), same("b"), same("c")]);
        assert!(diff_lines(&[], &[]).is_empty());
    }

    #[test]
    fn additions_and_removals_are_found() {
        let d = diff_lines(&lines(&["a", "c"]), &lines(&["a", "b", "c"]));
        assert_eq!(d, vec![same("a"), DiffLine::Added("b".into()), same("c")]);
        let d = diff_lines(&lines(&["a", "b", "c"]), &lines(&["a", "c"]));
        assert_eq!(d, vec![same("a"), DiffLine::Removed("b".into()), same("c")]);
        assert_eq!(
            diff_lines(&[], &lines(&["x"])),
            vec![DiffLine::Added("x".into())]
        );
        assert_eq!(
            diff_lines(&lines(&["x"]), &[]),
            vec![DiffLine::Removed("x".into())]
        );
    }

    #[test]
    fn a_replaced_line_is_a_change() {
        let d = diff_lines(&lines(&["a", "b", "c"]), &lines(&["a", "B", "c"]));
        assert_eq!(
            d,
            vec![
                same("a"),
                DiffLine::Changed {
                    old: "b".into(),
                    new: "B".into()
                },
                same("c")
            ]
        );
    }

    #[test]
    fn uneven_runs_pair_what_they_can() {
        let d = diff_lines(&lines(&["a", "b", "z"]), &lines(&["x", "y", "z"]));
        assert_eq!(
            d,
            vec![
                DiffLine::Changed {
                    old: "a".into(),
                    new: "x".into()
                },
                DiffLine::Changed {
                    old: "b".into(),
                    new: "y".into()
                },
                same("z")
            ]
        );
        let d = diff_lines(&lines(&["a", "b"]), &lines(&["c"]));
        assert_eq!(
            d,
            vec![
                DiffLine::Changed {
                    old: "a".into(),
                    new: "c".into()
                },
                DiffLine::Removed("b".into())
            ]
        );
    }

    #[test]
    fn the_common_subsequence_is_kept_whole() {
        let old = lines(&["1", "2", "3", "4", "5"]);
        let new = lines(&["0", "1", "3", "5", "6"]);
        let d = diff_lines(&old, &new);
        let kept: Vec<&DiffLine> = d
            .iter()
            .filter(|l| matches!(l, DiffLine::Same(_)))
            .collect();
        assert_eq!(kept, vec![&same("1"), &same("3"), &same("5")]);
        // Rebuilding both sides from the diff gives the inputs back.
        let mut o = Vec::new();
        let mut n = Vec::new();
        for l in &d {
            match l {
                DiffLine::Same(t) => {
                    o.push(t.clone());
                    n.push(t.clone());
                }
                DiffLine::Added(t) => n.push(t.clone()),
                DiffLine::Removed(t) => o.push(t.clone()),
                DiffLine::Changed { old, new } => {
                    o.push(old.clone());
                    n.push(new.clone());
                }
            }
        }
        assert_eq!((o, n), (old, new));
    }

    #[test]
    fn rendered_changes_are_escaped() {
        let d = diff_lines(&lines(&["<b>x</b>"]), &lines(&["<script>y</script>"]));
        let html = render(&d).into_string();
        assert!(html.contains("&lt;script&gt;y&lt;/script&gt;"), "{html}");
        assert!(!html.contains("<script>"));
    }

    fn answer() -> Answer {
        serde_json::from_value(serde_json::json!({
            "schema": "evident.answer/v1", "question": "q", "audience": "physician",
            "intent": "general",
            "facts": [{"concept": "age", "status": "present", "text": "62"}],
            "evidence_status": "sufficient",
            "bottom_line": {"text": "Give the usual dose.", "citations": [1]},
            "sections": [{"title": "Treatment", "kind": "treatment",
                "items": [{"text": "Start low.", "citations": [1]}]}],
            "references": [{"n": 1, "kind": "guideline", "title": "G", "source": "S",
                "year": 2024, "url": "https://g.example/", "pmid": "123", "doc_id": "g",
                "evidence": [{"passage_id": "g#1", "section": "Dose", "text": "Usual dose."}]}],
            "disclaimer": "Check the guideline.",
            "corpus": {"version": "v", "documents": 1, "passages": 1}, "timing_ms": {}
        }))
        .expect("answer")
    }

    #[test]
    fn every_field_a_reader_sees_is_compared() {
        let old = answer();
        type Change = Box<dyn Fn(&mut Answer)>;
        let changes: Vec<(&str, Change)> = vec![
            (
                "link",
                Box::new(|a| a.references[0].url = Some("https://phish.example/".into())),
            ),
            ("title", Box::new(|a| a.references[0].title = "H".into())),
            (
                "PubMed",
                Box::new(|a| a.references[0].pmid = Some("999".into())),
            ),
            (
                "passage",
                Box::new(|a| a.references[0].evidence[0].text = "10x dose.".into()),
            ),
            (
                "disclaimer",
                Box::new(|a| a.disclaimer = "Trust us.".into()),
            ),
            (
                "status",
                Box::new(|a| a.evidence_status = evident_core::answer::EvidenceStatus::Limited),
            ),
            (
                "audience",
                Box::new(|a| a.audience = evident_core::answer::Audience::Patient),
            ),
            ("fact", Box::new(|a| a.facts.clear())),
            ("citation", Box::new(|a| a.bottom_line.citations = vec![])),
        ];
        for (what, change) in changes {
            let mut new = old.clone();
            change(&mut new);
            let d = diff_lines(&answer_lines(&old), &answer_lines(&new));
            assert!(
                d.iter().any(|l| !matches!(l, DiffLine::Same(_))),
                "a changed {what} went unnoticed"
            );
        }
        let html = render(&diff_lines(&answer_lines(&old), &answer_lines(&old))).into_string();
        assert!(html.contains("The two versions say the same."));
    }

    #[test]
    fn large_versions_diff_in_linear_space_and_little_time() {
        let old: Vec<String> = (0..7_600).map(|i| format!("Item {i}.")).collect();
        let mut new = old.clone();
        for i in (0..new.len()).step_by(7) {
            new[i] = format!("Edited item {i}.");
        }
        let start = Instant::now();
        let d = diff_lines(&old, &new);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(d.len(), 7_600);
        assert_eq!(
            d.iter()
                .filter(|l| matches!(l, DiffLine::Changed { .. }))
                .count(),
            1_086
        );
        // Wholly different versions still give a correct diff, within the deadline.
        let other: Vec<String> = (0..7_600).map(|i| format!("Other {i}.")).collect();
        let start = Instant::now();
        let d = diff_lines(&old, &other);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert!(d.iter().all(|l| matches!(l, DiffLine::Changed { .. })));
    }
}
