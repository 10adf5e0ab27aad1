//! The difference between two answer versions, statement by statement: a line-level longest common subsequence, with a removal directly followed by an addition shown as a change.

use evident_core::answer::Answer;
use maud::{Markup, html};

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
    Changed { old: String, new: String },
}

/// The lines of an answer compared between versions: the bottom line, then each section's
/// title and its items.
pub fn answer_lines(answer: &Answer) -> Vec<String> {
    let mut lines = vec![format!("Bottom line: {}", answer.bottom_line.text)];
    for section in &answer.sections {
        lines.push(format!("§ {}", section.title));
        lines.extend(section.items.iter().map(|i| i.text.clone()));
    }
    lines
}

/// The diff from `old` to `new`. Lines in both (in order, as many as possible) are `Same`;
/// within each run between them, removed and added lines pair up as `Changed` in order and
/// the rest stay `Removed` or `Added`.
pub fn diff_lines(old: &[String], new: &[String]) -> Vec<DiffLine> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut removed, mut added): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            flush(&mut out, &mut removed, &mut added);
            out.push(DiffLine::Same(old[i].clone()));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(new[j].clone());
            j += 1;
        } else {
            removed.push(old[i].clone());
            i += 1;
        }
    }
    flush(&mut out, &mut removed, &mut added);
    out
}

fn flush(out: &mut Vec<DiffLine>, removed: &mut Vec<String>, added: &mut Vec<String>) {
    let pairs = removed.len().min(added.len());
    let mut rest_removed = removed.split_off(pairs);
    let mut rest_added = added.split_off(pairs);
    for (old, new) in removed.drain(..).zip(added.drain(..)) {
        out.push(DiffLine::Changed { old, new });
    }
    out.extend(rest_removed.drain(..).map(DiffLine::Removed));
    out.extend(rest_added.drain(..).map(DiffLine::Added));
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
}
