//! The answer regression suite: every question of the banks in `eval/bank/` (and the dev cases of `../shared/eval`) asked of its corpus, each answer's status, bottom line and cited passages compared with `eval/expect/` (`UPDATE_EXPECT=1` rewrites them).
//!
//! A change to analysis, retrieval or composition shows in review as the answers it moved.
//! The nci-pdq banks read `../shared/data/nci-pdq` and skip with a message when it is absent;
//! their expectations hold a hash of each bottom line, not corpus text.

mod common;
use common::{evident, ok};

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn banks() -> Vec<PathBuf> {
    let mut banks: Vec<PathBuf> = std::fs::read_dir(root().join("eval/bank"))
        .expect("eval/bank")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    banks.sort();
    assert!(!banks.is_empty(), "no banks under eval/bank");
    banks
}

/// Replaces each bottom line's text by a short hash of it (corpus text stays out of the repository).
fn hash_bottom_lines(snapshot: &str) -> String {
    snapshot
        .lines()
        .map(|line| match line.strip_prefix("bottom: ") {
            Some(text) => format!("bottom: #{}", &hex(&Sha256::digest(text.as_bytes()))[..12]),
            None => line.to_string(),
        })
        .map(|l| l + "\n")
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `eval answers` over `bank` for `corpus` and compares the snapshot with its expectation.
/// Returns the printed report.
fn check_bank(data: &Path, bank: &Path, corpus: &str, quote: bool) -> String {
    let name = bank.file_stem().unwrap().to_str().unwrap().to_string();
    let out = tempfile::NamedTempFile::new().unwrap();
    let report = ok(&evident(
        data,
        &[
            "eval",
            "answers",
            "--cases",
            bank.to_str().unwrap(),
            "--corpus",
            corpus,
            "--snapshot",
            out.path().to_str().unwrap(),
        ],
    ));
    let mut snapshot = std::fs::read_to_string(out.path()).unwrap();
    if !quote {
        snapshot = hash_bottom_lines(&snapshot);
    }
    let expect = root().join(format!("eval/expect/{name}.{corpus}.txt"));
    expect_test::expect_file![expect].assert_eq(&snapshot);
    report
}

fn summary_field(report: &str, field: &str) -> Vec<String> {
    report
        .lines()
        .filter(|l| l.starts_with("summary:"))
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|kv| kv.strip_prefix(&format!("{field}=")).map(str::to_string))
        })
        .collect()
}

/// Extraction's promise: the statements' words are the cited passages' words.
fn assert_supported(report: &str) {
    let supported = summary_field(report, "supported");
    assert!(!supported.is_empty(), "no summary: {report}");
    for s in supported {
        let s: f64 = s.parse().unwrap();
        assert!(s >= 0.98, "supported {s} < 0.98:\n{report}");
    }
}

#[test]
fn starter_answers_match_their_snapshots() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    for bank in banks() {
        let report = check_bank(&data, &bank, "starter", true);
        assert_supported(&report);
    }
}

#[test]
fn nci_pdq_answers_match_their_snapshots() {
    let corpus = root().join("../shared/data/nci-pdq");
    if !corpus.is_dir() {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(&evident(
        &data,
        &["ingest", corpus.to_str().unwrap(), "--no-embed"],
    ));
    let mut banks = banks();
    let dev = root().join("../shared/eval/answers-dev.jsonl");
    if dev.is_file() {
        banks.push(dev);
    }
    for bank in banks {
        let report = check_bank(&data, &bank, "nci-pdq", false);
        assert_supported(&report);
    }
}
