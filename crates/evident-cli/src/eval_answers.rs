//! `evident eval answers`: asks every question of a case file in one process and reports timing per phase, answer size, evidence status and the reading grade of patient answers.

use anyhow::{Context, Result, bail};
use evident_core::answer::{Audience, EvidenceStatus};
use evident_core::lexicon::Lexicon;
use evident_core::plain::flesch_kincaid_grade;
use evident_engine::{AskOptions, ask};
use evident_search::SearchIndex;
use serde::Deserialize;
use std::path::Path;

/// One case: the fields of `answers-dev.jsonl` this command needs (others are ignored).
#[derive(Deserialize)]
struct Case {
    id: String,
    question: String,
    #[serde(default)]
    audience: Option<String>,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub fn run(index: &SearchIndex, lexicon: &Lexicon, cases: &Path, passages: usize) -> Result<()> {
    let text =
        std::fs::read_to_string(cases).with_context(|| format!("reading {}", cases.display()))?;
    let mut parsed = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let case: Case = serde_json::from_str(line)
            .with_context(|| format!("{}: line {}: not a case", cases.display(), n + 1))?;
        parsed.push(case);
    }
    if parsed.is_empty() {
        bail!("{}: no cases", cases.display());
    }
    let phases = ["analysis", "retrieval", "composition", "total"];
    let mut timings: Vec<Vec<f64>> = vec![Vec::new(); phases.len()];
    let (mut words, mut patient_grades, mut other_grades) = (Vec::new(), Vec::new(), Vec::new());
    let mut statuses = [0usize; 3];
    println!(
        "{:<48} {:<12} {:>5} {:>6} {:>9}",
        "case", "status", "words", "grade", "total ms"
    );
    for case in &parsed {
        let audience = match &case.audience {
            Some(a) => a.parse::<Audience>().map_err(anyhow::Error::msg)?,
            None => Audience::Physician,
        };
        let asked = ask(
            index,
            lexicon,
            &case.question,
            &AskOptions { audience, passages },
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
        words.push(answer.word_count() as f64);
        statuses[match answer.evidence_status {
            EvidenceStatus::Sufficient => 0,
            EvidenceStatus::Limited => 1,
            EvidenceStatus::Insufficient => 2,
        }] += 1;
        println!(
            "{:<48} {:<12} {:>5} {:>6.1} {:>9.1}",
            case.id,
            answer.evidence_status.as_str(),
            answer.word_count(),
            grade,
            answer.timing_ms.get("total").copied().unwrap_or(f64::NAN)
        );
    }
    println!();
    let medians: Vec<String> = phases
        .iter()
        .zip(timings)
        .map(|(p, t)| format!("{p} {:.1}", median(t)))
        .collect();
    println!("timing_ms median (in one process): {}", medians.join(", "));
    println!(
        "words median {:.0}; evidence sufficient {}, limited {}, insufficient {}",
        median(words),
        statuses[0],
        statuses[1],
        statuses[2]
    );
    println!(
        "Flesch-Kincaid grade median: patient answers {:.1} ({} answers), other audiences {:.1} ({} answers)",
        median(patient_grades.clone()),
        patient_grades.len(),
        median(other_grades.clone()),
        other_grades.len()
    );
    Ok(())
}
