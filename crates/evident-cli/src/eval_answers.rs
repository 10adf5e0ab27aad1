//! `evident eval answers`: asks every question of one or more case banks in one process and reports, per bank, key-point recall, must-not violations, status accuracy, bottom lines, citations, timing per phase and reading grade; optionally writes each answer's snapshot for the regression suite.

use anyhow::{Context, Result, bail};
use evident_core::answer::{Answer, Audience, EvidenceStatus};
use evident_core::eval::answers::{AnswerCase, CaseScore, median, parse_cases, score, summarise};
use evident_core::lexicon::Lexicon;
use evident_core::plain::flesch_kincaid_grade;
use evident_engine::{AskOptions, ask};
use evident_search::SearchIndex;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What the command was asked to do.
pub struct EvalAnswers<'a> {
    pub cases: &'a [PathBuf],
    /// Only cases of this corpus (cases naming no corpus always run).
    pub corpus: Option<&'a str>,
    pub passages: usize,
    /// Print the missed key points and violations of each case.
    pub verbose: bool,
    /// Write every answer's snapshot (status, bottom line, cited passages) here.
    pub snapshot: Option<&'a Path>,
}

fn fmt_share(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"))
}

/// The lines of one answer in the regression snapshot: what a change to the composer moves.
fn snapshot(case: &AnswerCase, answer: &Answer) -> String {
    let mut out = format!("## {} [{}]\n", case.id, answer.evidence_status.as_str());
    let bottom: String = answer.bottom_line.text.chars().take(240).collect();
    let _ = writeln!(out, "bottom: {bottom}");
    for reference in &answer.references {
        let ids: Vec<&str> = reference
            .evidence
            .iter()
            .map(|e| e.passage_id.as_str())
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(out, "  [{}] {}", reference.n, ids.join(" "));
        }
    }
    out
}

fn load(path: &Path, corpus: Option<&str>) -> Result<Vec<AnswerCase>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let cases = parse_cases(&path.display().to_string(), &text)?;
    if cases.is_empty() {
        bail!("{}: no cases", path.display());
    }
    Ok(cases
        .into_iter()
        .filter(|c| match (corpus, c.corpus.as_deref()) {
            (Some(want), Some(have)) => want == have,
            _ => true,
        })
        .collect())
}

pub fn run(index: &SearchIndex, lexicon: &Lexicon, job: &EvalAnswers) -> Result<()> {
    let mut snapshots = String::new();
    for path in job.cases {
        let cases = load(path, job.corpus)?;
        println!("# {} ({} cases)", path.display(), cases.len());
        if cases.is_empty() {
            continue;
        }
        let phases = ["analysis", "retrieval", "composition", "total"];
        let mut timings: Vec<Vec<f64>> = vec![Vec::new(); phases.len()];
        let (mut patient_grades, mut other_grades) = (Vec::new(), Vec::new());
        let mut statuses = [0usize; 3];
        let mut scores: Vec<CaseScore> = Vec::new();
        println!(
            "{:<44} {:<12} {:>6} {:>4} {:>3} {:>5} {:>6} {:>8}",
            "case", "status", "recall", "viol", "bl", "words", "grade", "total ms"
        );
        for case in &cases {
            let audience = match &case.audience {
                Some(a) => a
                    .parse::<Audience>()
                    .map_err(|e| anyhow::anyhow!("{}: case {}: {e}", path.display(), case.id))?,
                None => Audience::Physician,
            };
            let asked = ask(
                index,
                lexicon,
                &case.question,
                &AskOptions {
                    audience,
                    passages: job.passages,
                },
            )?;
            let answer = asked.answer();
            for (k, phase) in phases.iter().enumerate() {
                timings[k].push(answer.timing_ms.get(*phase).copied().unwrap_or(f64::NAN));
            }
            let body: Vec<&str> = answer.statements().map(|s| s.text.as_str()).collect();
            let grade = flesch_kincaid_grade(&body.join(" "));
            if audience == Audience::Patient {
                patient_grades.push(grade);
            } else {
                other_grades.push(grade);
            }
            statuses[match answer.evidence_status {
                EvidenceStatus::Sufficient => 0,
                EvidenceStatus::Limited => 1,
                EvidenceStatus::Insufficient => 2,
            }] += 1;
            let s = score(case, answer);
            let status = match s.status_ok {
                Some(false) => format!(
                    "{}!",
                    answer
                        .evidence_status
                        .as_str()
                        .chars()
                        .take(10)
                        .collect::<String>()
                ),
                _ => answer.evidence_status.as_str().to_string(),
            };
            println!(
                "{:<44} {:<12} {:>6} {:>4} {:>3} {:>5} {:>6.1} {:>8.1}",
                case.id,
                status,
                fmt_share(s.recall()),
                s.violations.len(),
                match s.bottom_line_ok {
                    Some(true) => "ok",
                    Some(false) => "no",
                    None => "-",
                },
                answer.word_count(),
                grade,
                answer.timing_ms.get("total").copied().unwrap_or(f64::NAN)
            );
            if job.verbose {
                for (kp, covered) in case.key_points.iter().zip(&s.covered) {
                    if !covered {
                        println!("    missed: {}", kp.point);
                    }
                }
                for (point, sentence) in &s.violations {
                    println!("    VIOLATION ({point}): {sentence}");
                }
                if s.bottom_line_ok == Some(false) {
                    println!("    bottom line: {}", answer.bottom_line.text);
                }
            }
            if job.snapshot.is_some() {
                snapshots.push_str(&snapshot(case, answer));
            }
            scores.push(s);
        }
        let sum = summarise(&scores);
        println!(
            "summary: cases={} keypoint_recall={} must_not_violations={} status_accuracy={} bottom_line={} source_hit={} cited={:.3} supported={:.3} words_p50={:.0}",
            sum.cases,
            fmt_share(sum.keypoint_recall),
            sum.must_not_violations,
            fmt_share(sum.status_accuracy),
            fmt_share(sum.bottom_line),
            fmt_share(sum.source_hit),
            sum.cited,
            sum.supported,
            sum.words_p50,
        );
        let medians: Vec<String> = phases
            .iter()
            .zip(timings)
            .map(|(p, t)| format!("{p} {:.1}", median(t)))
            .collect();
        println!("timing_ms median (in one process): {}", medians.join(", "));
        println!(
            "evidence sufficient {}, limited {}, insufficient {}; Flesch-Kincaid grade median: patient {:.1} ({}), other {:.1} ({})",
            statuses[0],
            statuses[1],
            statuses[2],
            median(patient_grades.clone()),
            patient_grades.len(),
            median(other_grades.clone()),
            other_grades.len()
        );
        println!();
    }
    if let Some(path) = job.snapshot {
        std::fs::write(path, snapshots).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
