//! Tests of the Markdown reader on a PDQ-shaped fixture and on bad input.

use super::*;
use crate::chunk::{ChunkConfig, chunk};

const PDQ: &[u8] = include_bytes!("../../../tests/fixtures/markdown/pdq-style.md");

fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    read_markdown("x.md", bytes, DocId::new("x"), &ReadOptions::default())
}

#[test]
fn reads_front_matter_title_and_kind() {
    let d = read(PDQ).unwrap();
    assert_eq!(
        d.title,
        "Rectal Cancer Treatment (PDQ®)–Health Professional Version"
    );
    assert_eq!(d.kind, EvidenceKind::Guideline);
    assert_eq!(d.year, Some(2025));
    assert_eq!(d.source.as_deref(), Some("NCI"));
    assert!(d.url.as_deref().unwrap().ends_with("rectal-treatment-pdq"));
}

#[test]
fn keeps_heading_paths_and_strips_markup() {
    let d = read(PDQ).unwrap();
    let paths: Vec<Vec<String>> = d.sections.iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        paths,
        vec![
            vec!["General Information".to_string()],
            vec![
                "Treatment of Recurrent Disease".to_string(),
                "Patients previously treated with radiation".to_string()
            ],
        ]
    );
    let first = &d.sections[0].blocks[0];
    assert_eq!(
        first.text,
        "Local recurrence after surgery is usually found in the pelvis. Imaging with pelvic MRI helps plan salvage surgery."
    );
    let all: String = d
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .map(|b| b.text.clone())
        .collect();
    for noise in [
        "](",
        "#cit",
        "<b>",
        "Go to Patient",
        "pelvis.jpg",
        "A pelvis",
        "PUBMED",
    ] {
        assert!(!all.contains(noise), "{noise} left in {all}");
    }
    assert!(all.contains("previously irradiated patients"));
}

#[test]
fn resolves_citations_ranges_and_reference_lists() {
    let d = read(PDQ).unwrap();
    let first = &d.sections[0].blocks[0];
    let keys: Vec<&str> = first.citations.iter().map(|m| m.value.as_str()).collect();
    assert_eq!(
        keys,
        vec!["section_1.1", "section_1.2", "section_1.3", "section_1.4"]
    );
    // The first marker sits at the end of the first sentence.
    assert_eq!(
        &first.text[..first.citations[0].offset],
        "Local recurrence after surgery is usually found in the pelvis."
    );
    let refs: Vec<(&str, Option<&str>)> = d
        .references
        .iter()
        .map(|r| (r.key.as_str(), r.pmid.as_deref()))
        .collect();
    assert_eq!(
        refs,
        vec![
            ("section_1.1", Some("11111111")),
            ("section_1.2", Some("22222222")),
            ("section_1.3", None),
            ("section_1.4", Some("44444444")),
            ("section_2.1", Some("55555555")),
        ]
    );
    assert!(
        d.references[0]
            .text
            .starts_with("Author A, Author B: A study of pelvic recurrence.")
    );
    assert!(!d.references[0].text.contains('['));
}

#[test]
fn lists_tables_and_evidence_levels() {
    let d = read(PDQ).unwrap();
    let list = d.sections[0]
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::List)
        .unwrap();
    assert_eq!(
        list.text,
        "- Resection when margins can be clear.\n- Re-irradiation for previously irradiated patients."
    );
    let table = &d.sections[1].blocks[0];
    assert_eq!(table.kind, BlockKind::Table);
    assert_eq!(
        table.text,
        "Option | Comment\nSurgery | Preferred when resectable"
    );
    let para = &d.sections[1].blocks[1];
    assert_eq!(
        para.text,
        "Chemotherapy improved survival in one trial. Further data are needed."
    );
    assert_eq!(para.evidence_levels[0].value, "1iiA");
    assert_eq!(para.evidence_levels[1].value, "B4");
    assert!(!para.text.contains('['), "{}", para.text);
    assert_eq!(para.citations[0].value, "section_2.1");
}

#[test]
fn passages_know_their_citations() {
    let d = read(PDQ).unwrap();
    let ps = chunk(&d, ChunkConfig::default());
    assert_eq!(ps[0].section_path, vec!["General Information".to_string()]);
    assert!(
        ps[0]
            .text
            .contains("Salvage options include the following:\n- Resection")
    );
    assert_eq!(
        ps[0]
            .citations
            .iter()
            .map(|m| m.value.as_str())
            .collect::<Vec<_>>(),
        // Each citation where it stands: section_1.2 and 1.3 are cited twice.
        vec![
            "section_1.1",
            "section_1.2",
            "section_1.3",
            "section_1.4",
            "section_1.2",
            "section_1.3"
        ]
    );
    assert_eq!(ps[1].evidence_levels, vec!["1iiA", "B4"]);
}

#[test]
fn bad_input_gives_clear_errors() {
    let e = read(b"").unwrap_err();
    assert_eq!(e.to_string(), "x.md: file: empty file");
    let e = read(b"---\ntitle: [unclosed\n---\nBody text.").unwrap_err();
    assert!(e.to_string().contains("invalid YAML front matter"), "{e}");
    let e = read(b"---\ntitle: A\n").unwrap_err();
    assert!(e.to_string().contains("no closing '---'"), "{e}");
    let e = read(b"Some text \xff\xfe more").unwrap_err();
    assert!(e.to_string().contains("invalid UTF-8"), "{e}");
    let e = read(b"---\ntitle: A\n---\n# Only a title\n").unwrap_err();
    assert!(e.to_string().contains("no body text"), "{e}");
    let e = read(b"---\nkind: opinion\n---\nText.").unwrap_err();
    assert!(e.to_string().contains("unknown evidence kind"), "{e}");
}

#[test]
fn kind_option_overrides() {
    let opts = ReadOptions {
        kind: Some(EvidenceKind::Review),
    };
    let d = read_markdown("x.md", PDQ, DocId::new("x"), &opts).unwrap();
    assert_eq!(d.kind, EvidenceKind::Review);
}

proptest::proptest! {
    #[test]
    fn never_panics(s in "\\PC{0,300}") {
        let _ = read(s.as_bytes());
    }

    #[test]
    fn never_panics_on_truncations(cut in 0usize..2000) {
        let cut = cut.min(PDQ.len());
        let _ = read(&PDQ[..cut]);
    }
}

#[test]
fn glossary_popup_links_keep_their_words() {
    // Patient summaries link terms to dictionary popups, the same kind of link as a
    // level of evidence; the term is part of the sentence.
    let md = "---\ntitle: Prostate Cancer Treatment (PDQ®)–Patient Version\n---\n# Stages\n\nIn [stage II](/Common/PopUps/popDefinition.aspx?id=45130&version=patient), [cancer](/Common/PopUps/popDefinition.aspx?id=45333&version=patient) is\nmore advanced than in stage I.\n";
    let d = read(md.as_bytes()).unwrap();
    let para = &d.sections[0].blocks[0];
    assert_eq!(
        para.text,
        "In stage II, cancer is more advanced than in stage I."
    );
    assert!(para.evidence_levels.is_empty());
}

#[test]
fn bare_level_codes_are_levels_not_words() {
    let md = "---\ntitle: Pain (PDQ®)–Health Professional Version\n---\n# Opioids\n\nRotation improved pain control.[[1iiC](/Common/PopUps/popDefinition.aspx?id=335127)]\n\n| Study | Level |\n|---|---|\n| Trial one | [2C](/Common/PopUps/popDefinition.aspx?id=335128) |\n";
    let d = read(md.as_bytes()).unwrap();
    let para = &d.sections[0].blocks[0];
    assert_eq!(para.text, "Rotation improved pain control.");
    assert_eq!(para.evidence_levels[0].value, "1iiC");
    let table = &d.sections[0].blocks[1];
    assert!(!table.text.contains("2C"), "{}", table.text);
    assert_eq!(inline::evidence_level("B4").as_deref(), Some("B4"));
    assert_eq!(inline::evidence_level("stage II"), None);
    assert_eq!(inline::evidence_level("cancer"), None);
}
