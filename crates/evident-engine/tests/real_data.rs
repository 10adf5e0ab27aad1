//! Readers and chunking on the real corpora in `../shared/data` (skipped when absent).

use evident_core::chunk::{ChunkConfig, chunk};
use evident_core::readers::ReadOptions;
use evident_core::{Document, EvidenceKind};
use evident_engine::corpus::{discover, read_file};
use std::path::PathBuf;

fn shared_data(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

fn read_all(root: PathBuf) -> Vec<Document> {
    let (files, _) = discover(&[root], None).unwrap();
    let mut docs = Vec::new();
    for f in &files {
        read_file(f, &ReadOptions::default(), &mut |d| {
            docs.push(d.unwrap_or_else(|e| panic!("{e}")));
            Ok(())
        })
        .unwrap();
    }
    docs
}

#[test]
fn nci_pdq_reads_whole_with_resolved_citations() {
    let Some(root) = shared_data("nci-pdq") else {
        return;
    };
    let docs = read_all(root);
    assert!(docs.len() >= 1400, "{} documents", docs.len());
    let hp: Vec<&Document> = docs
        .iter()
        .filter(|d| d.id.as_str().contains("-hp-") && d.id.as_str().ends_with("-pdq"))
        .collect();
    assert!(hp.len() >= 200, "{} HP summaries", hp.len());
    let (mut cited, mut resolved, mut with_pmid) = (0usize, 0usize, 0usize);
    for d in &hp {
        assert_eq!(d.kind, EvidenceKind::Guideline, "{}", d.id);
        assert!(d.title.contains("Health Professional"), "{}", d.title);
        let keys: std::collections::HashSet<&str> =
            d.references.iter().map(|r| r.key.as_str()).collect();
        with_pmid += d.references.iter().filter(|r| r.pmid.is_some()).count();
        for b in d.sections.iter().flat_map(|s| &s.blocks) {
            assert!(
                !b.text.contains("](") && !b.text.contains("#cit/"),
                "markup left in {}: {}",
                d.id,
                b.text
            );
            for m in &b.citations {
                cited += 1;
                resolved += usize::from(keys.contains(m.value.as_str()));
            }
        }
    }
    let share = resolved as f64 / cited as f64;
    eprintln!(
        "HP summaries {}, citations {cited}, resolved {:.4}, references with PMID {with_pmid}",
        hp.len(),
        share
    );
    assert!(
        cited > 10_000 && share > 0.98,
        "{resolved}/{cited} citations resolve"
    );
    // Chunk sizes stay near the target.
    let passages: Vec<_> = hp
        .iter()
        .flat_map(|d| chunk(d, ChunkConfig::default()))
        .collect();
    let words: Vec<usize> = passages
        .iter()
        .map(|p| p.text.split_whitespace().count())
        .collect();
    let within = words.iter().filter(|w| (20..=300).contains(*w)).count();
    eprintln!(
        "HP passages {}, share within 20-300 words {:.3}",
        words.len(),
        within as f64 / words.len() as f64
    );
    assert!(within as f64 / words.len() as f64 > 0.9);
}

#[test]
fn bioasq_beir_corpus_reads_whole() {
    let Some(root) = shared_data("bioasq") else {
        return;
    };
    let docs = read_all(root);
    assert_eq!(docs.len(), 20_554);
    assert!(docs.iter().all(|d| d.has_text()));
}
