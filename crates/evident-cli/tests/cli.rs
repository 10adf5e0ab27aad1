//! End-to-end tests of the `evident` binary on small corpora that the tests write.

mod common;
use common::{evident, ok};

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn search_ids(data: &Path, q: &str) -> Vec<String> {
    let out = ok(&evident(
        data,
        &["search", "--format", "json", "-k", "5", q],
    ));
    let v: Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| h["document_id"].as_str().unwrap().to_string())
        .collect()
}

const GUIDE: &str = "---\ntitle: Pelvic recurrence guide\nsource: Test Society\nyear: 2024\n---\n\
# Pelvic recurrence guide\n\n## Workup\n\nPelvic MRI defines the extent of a presacral recurrence.\n\n\
## Treatment\n\nIn patients who have not received radiotherapy, chemoradiation comes first.\n";

const PUBMED: &str = r#"<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">100</PMID><Article>
<Journal><Title>Test Journal</Title><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue></Journal>
<ArticleTitle>Apixaban versus warfarin in atrial fibrillation.</ArticleTitle>
<Abstract><AbstractText Label="RESULTS">Apixaban reduced stroke and bleeding compared with warfarin.</AbstractText></Abstract>
<PublicationTypeList><PublicationType UI="D016449">Randomized Controlled Trial</PublicationType></PublicationTypeList>
</Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"#;

fn write_corpus(dir: &Path) {
    std::fs::create_dir_all(dir.join("guides")).unwrap();
    std::fs::write(dir.join("guides/pelvic.md"), GUIDE).unwrap();
    std::fs::write(dir.join("trials.xml"), PUBMED).unwrap();
    std::fs::write(
        dir.join("notes.jsonl"),
        "{\"id\":\"n1\",\"title\":\"Gout flares\",\"text\":\"Colchicine treats acute gout flares.\",\"kind\":\"review\"}\n",
    )
    .unwrap();
}

#[test]
fn ingest_then_search_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus);
    let data = tmp.path().join("data");
    let out = ok(&evident(&data, &["ingest", corpus.to_str().unwrap()]));
    assert!(out.contains("ingested 3 documents"), "{out}");
    assert!(out.contains("skipped 0"), "{out}");
    assert_eq!(
        search_ids(&data, "presacral recurrence MRI")[0],
        "guides/pelvic"
    );
    assert_eq!(search_ids(&data, "AF stroke prevention apixaban")[0], "100");
    assert_eq!(search_ids(&data, "gout colchicine")[0], "n1");
    // JSON hits carry their metadata.
    let out = ok(&evident(&data, &["search", "--format", "json", "apixaban"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["kind"], "trial");
    assert_eq!(v[0]["year"], 2020);
    assert_eq!(v[0]["url"], "https://pubmed.ncbi.nlm.nih.gov/100/");
    let status = ok(&evident(&data, &["status"]));
    assert!(status.contains("\"documents\": 3"), "{status}");
}

#[test]
fn reingest_replaces_by_id_and_keeps_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus);
    let data = tmp.path().join("data");
    ok(&evident(&data, &["ingest", corpus.to_str().unwrap()]));
    let update = tmp.path().join("update.jsonl");
    std::fs::write(&update, "{\"id\":\"n1\",\"title\":\"Gout\",\"text\":\"Allopurinol lowers urate over time.\"}\n{\"id\":\"n2\",\"title\":\"Asthma\",\"text\":\"Inhaled corticosteroids control asthma.\"}\n").unwrap();
    let out = ok(&evident(&data, &["ingest", update.to_str().unwrap()]));
    assert!(out.contains("index now 4 documents"), "{out}");
    assert!(out.contains("1 replaced"), "{out}");
    assert!(search_ids(&data, "colchicine").is_empty());
    assert_eq!(search_ids(&data, "allopurinol urate")[0], "n1");
    assert_eq!(search_ids(&data, "presacral")[0], "guides/pelvic");
}

#[test]
fn bad_input_is_named_and_skip_invalid_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\":\"a\",\"title\":\"A\",\"text\":\"Fine record.\"}\nnot json\n{\"id\":\"c\",\"title\":\"C\"}\n").unwrap();
    let data = tmp.path().join("data");
    let out = evident(&data, &["ingest", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl: line 2"), "{err}");
    assert!(
        !data.join("CURRENT").exists(),
        "nothing published after a failed ingest"
    );
    let out = ok(&evident(
        &data,
        &["ingest", "--skip-invalid", bad.to_str().unwrap()],
    ));
    assert!(
        out.contains("ingested 1 documents") && out.contains("skipped 2"),
        "{out}"
    );
    let broken = tmp.path().join("broken.xml");
    std::fs::write(&broken, &PUBMED[..PUBMED.len() / 2]).unwrap();
    let out = evident(&data, &["ingest", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.xml"));
    let empty = tmp.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let out = evident(&data, &["ingest", empty.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty.jsonl: file: empty file"));
    let out = evident(
        &data,
        &["ingest", "--kind", "opinion", bad.to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown evidence kind"));
}

#[test]
fn crash_in_the_middle_of_ingest_keeps_the_old_index() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus);
    let data = tmp.path().join("data");
    ok(&evident(&data, &["ingest", corpus.to_str().unwrap()]));
    let more = tmp.path().join("more.jsonl");
    let lines: String = (0..50)
        .map(|i| {
            format!(
                "{{\"id\":\"m{i}\",\"title\":\"Extra\",\"text\":\"Zebrafish model number {i}.\"}}\n"
            )
        })
        .collect();
    std::fs::write(&more, lines).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_evident"))
        .arg("--data-dir")
        .arg(&data)
        .args(["ingest", more.to_str().unwrap()])
        .env("EVIDENT_TEST_CRASH_AFTER_DOCS", "20")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the crash hook aborts the process");
    assert!(search_ids(&data, "zebrafish").is_empty());
    assert_eq!(
        search_ids(&data, "presacral recurrence")[0],
        "guides/pelvic"
    );
    // A later ingest succeeds and cleans up the abandoned build.
    ok(&evident(&data, &["ingest", more.to_str().unwrap()]));
    assert_eq!(search_ids(&data, "zebrafish").len(), 5);
}

#[test]
fn eval_retrieval_prints_metrics_and_writes_a_trec_run() {
    let tmp = tempfile::tempdir().unwrap();
    let beir = tmp.path().join("beir");
    std::fs::create_dir_all(&beir).unwrap();
    std::fs::write(beir.join("corpus.jsonl"), "{\"_id\":\"d1\",\"title\":\"\",\"text\":\"Metformin is first-line for type 2 diabetes.\"}\n{\"_id\":\"d2\",\"title\":\"\",\"text\":\"Statins lower LDL cholesterol.\"}\n").unwrap();
    std::fs::write(beir.join("queries.jsonl"), "{\"_id\":\"q1\",\"text\":\"What is first-line therapy for diabetes?\"}\n{\"_id\":\"q2\",\"text\":\"Which drugs lower cholesterol?\"}\n").unwrap();
    std::fs::write(
        beir.join("qrels.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n",
    )
    .unwrap();
    let data = tmp.path().join("data");
    ok(&evident(&data, &["ingest", beir.to_str().unwrap()]));
    let run = tmp.path().join("run.tsv");
    let out = ok(&evident(
        &data,
        &[
            "eval",
            "retrieval",
            "--queries",
            beir.join("queries.jsonl").to_str().unwrap(),
            "--qrels",
            beir.join("qrels.tsv").to_str().unwrap(),
            "--run-out",
            run.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("nDCG@10      1.0000"), "{out}");
    assert!(out.contains("MRR@10       1.0000"), "{out}");
    let trec = std::fs::read_to_string(run).unwrap();
    assert!(
        trec.lines().next().unwrap().starts_with("q1 Q0 d1 1 "),
        "{trec}"
    );
}

#[test]
fn fresh_data_dir_searches_the_starter_knowledge_base() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("fresh");
    let out = evident(
        &data,
        &["search", "rectal cancer recurrence after chemoradiation"],
    );
    let stdout = ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("starter knowledge base"));
    assert!(stdout.contains("1. [guideline]"), "{stdout}");
    // The second run reuses the index without a notice.
    let again = evident(&data, &["search", "atrial fibrillation anticoagulation"]);
    ok(&again);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("starter knowledge base"));
    assert!(data.join("starter-kb.sha256").exists());
    // Once the user adds documents, the directory is theirs: no automatic starter rebuilds.
    let mine = tmp.path().join("mine.jsonl");
    std::fs::write(
        &mine,
        "{\"id\":\"x\",\"title\":\"Mine\",\"text\":\"Local protocol text.\"}\n",
    )
    .unwrap();
    ok(&evident(&data, &["ingest", mine.to_str().unwrap()]));
    assert!(!data.join("starter-kb.sha256").exists());
    assert_eq!(search_ids(&data, "local protocol")[0], "x");
}
