//! Tests of the PubMed XML reader on fixtures in the real format and on broken input.

use super::*;
use proptest::prelude::*;

const THREE: &[u8] = include_bytes!("../../../tests/fixtures/pubmed/three_articles.xml");
const MISSING_ABSTRACT: &[u8] =
    include_bytes!("../../../tests/fixtures/pubmed/missing_abstract.xml");

fn read_all(bytes: &[u8]) -> Vec<Result<Document, ReadError>> {
    PubmedReader::new("test.xml", bytes, ReadOptions::default())
        .take(10_000)
        .collect()
}

fn docs(bytes: &[u8]) -> Vec<Document> {
    read_all(bytes)
        .into_iter()
        .map(|r| r.expect("no error expected"))
        .collect()
}

#[test]
fn reads_three_articles_with_ids_titles_urls_and_journals() {
    let docs = docs(THREE);
    assert_eq!(docs.len(), 3);
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["31234567", "30876543", "29123456"]);
    assert_eq!(
        docs[0].title,
        "Empagliflozin and cardiovascular outcomes in type 2 diabetes: a randomized trial."
    );
    assert_eq!(
        docs[0].source.as_deref(),
        Some("The New England journal of medicine")
    );
    assert_eq!(
        docs[0].url.as_deref(),
        Some("https://pubmed.ncbi.nlm.nih.gov/31234567/")
    );
    assert!(docs[0].references.is_empty());
}

#[test]
fn maps_publication_types_to_kinds() {
    let docs = docs(THREE);
    assert_eq!(docs[0].kind, EvidenceKind::Trial);
    assert_eq!(docs[1].kind, EvidenceKind::SystematicReview);
    assert_eq!(docs[2].kind, EvidenceKind::Guideline);

    let types = |ts: &[&str]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    assert_eq!(
        kind_from_publication_types(&types(&["Journal Article"])),
        EvidenceKind::Study
    );
    assert_eq!(
        kind_from_publication_types(&types(&["Review", "Journal Article"])),
        EvidenceKind::Review
    );
    assert_eq!(
        kind_from_publication_types(&types(&["Clinical Trial, Phase III", "Review"])),
        EvidenceKind::Trial
    );
    assert_eq!(
        kind_from_publication_types(&types(&["Review", "Systematic Review"])),
        EvidenceKind::SystematicReview
    );
    assert_eq!(kind_from_publication_types(&[]), EvidenceKind::Study);
}

#[test]
fn options_kind_overrides_publication_types() {
    let options = ReadOptions {
        kind: Some(EvidenceKind::Reference),
    };
    let docs: Vec<Document> = PubmedReader::new("t.xml", THREE, options)
        .map(Result::unwrap)
        .collect();
    assert!(docs.iter().all(|d| d.kind == EvidenceKind::Reference));
}

#[test]
fn labelled_abstract_becomes_one_section_per_label() {
    let docs = docs(THREE);
    let paths: Vec<Vec<String>> = docs[0].sections.iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        paths,
        [
            vec!["Background".to_string()],
            vec!["Methods".to_string()],
            vec!["Results".to_string()],
            vec!["Conclusions".to_string()],
        ]
    );
    for section in &docs[0].sections {
        assert_eq!(section.blocks.len(), 1);
        assert_eq!(section.blocks[0].kind, BlockKind::Paragraph);
    }
    assert!(docs[0].sections[2].blocks[0].text.contains("HbA1c < 7%"));
    assert_eq!(
        label_title("MATERIALS AND METHODS"),
        "Materials and Methods"
    );
    assert_eq!(label_title("Aims and objectives"), "Aims and objectives");
}

#[test]
fn unlabelled_abstract_keeps_inline_markup_text() {
    let docs = docs(THREE);
    let sections = &docs[1].sections;
    assert_eq!(sections.len(), 1);
    assert!(sections[0].path.is_empty());
    let text = &sections[0].blocks[0].text;
    assert!(
        text.contains("infection with Helicobacter pylori was associated"),
        "{text}"
    );
    assert!(text.contains("I2 = 64%"), "{text}");
    assert!(!text.contains('<'));
    assert_eq!(
        docs[1].title,
        "Helicobacter pylori eradication and gastric cancer: a meta-analysis."
    );
}

#[test]
fn year_from_pubdate_medline_date_or_article_date() {
    let docs = docs(THREE);
    assert_eq!(docs[0].year, Some(2019));
    assert_eq!(docs[1].year, Some(2018)); // <MedlineDate>2018 Nov-Dec</MedlineDate>
    assert_eq!(docs[2].year, Some(2017)); // ArticleDate only
    assert_eq!(first_year("1998 Dec-1999 Jan"), Some(1998));
    assert_eq!(first_year("Spring 12345"), None);
}

#[test]
fn mesh_descriptors_become_keywords() {
    let docs = docs(THREE);
    assert_eq!(
        docs[0].keywords,
        [
            "Cardiovascular Diseases",
            "Diabetes Mellitus, Type 2",
            "Humans",
            "Sodium-Glucose Transporter 2 Inhibitors",
        ]
    );
    assert_eq!(
        docs[1].keywords,
        ["Helicobacter Infections", "Stomach Neoplasms"]
    );
}

#[test]
fn record_without_abstract_is_recoverable_and_reading_continues() {
    let results = read_all(MISSING_ABSTRACT);
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id.as_str(), "11111111");
    let err = results[1].as_ref().unwrap_err();
    assert!(err.recoverable);
    assert_eq!(err.message, "record has no abstract text");
    assert_eq!(
        err.location,
        Location::Record {
            number: 2,
            id: Some("22222222".to_string())
        }
    );
    // The book article and the DeleteCitation in between are skipped.
    assert_eq!(results[2].as_ref().unwrap().id.as_str(), "33333333");
}

#[test]
fn record_without_any_title_is_recoverable() {
    let xml = br#"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">5</PMID>
        <Article><Abstract><AbstractText>Some text.</AbstractText></Abstract></Article>
        </MedlineCitation></PubmedArticle></PubmedArticleSet>"#;
    let results = read_all(xml);
    assert_eq!(results.len(), 1);
    let err = results[0].as_ref().unwrap_err();
    assert!(err.recoverable);
    assert_eq!(err.message, "record has no title");
}

#[test]
fn vernacular_title_replaces_an_empty_article_title() {
    let xml = br#"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>6</PMID>
        <Article><ArticleTitle></ArticleTitle><Abstract><AbstractText>Text.</AbstractText>
        </Abstract><VernacularTitle>Titre &#233;tranger &amp; autre.</VernacularTitle></Article>
        </MedlineCitation></PubmedArticle></PubmedArticleSet>"#;
    let docs = docs(xml);
    assert_eq!(docs[0].title, "Titre étranger & autre.");
    assert_eq!(docs[0].kind, EvidenceKind::Study);
    assert_eq!(docs[0].year, None);
}

#[test]
fn stray_ampersand_is_kept_as_text() {
    let xml = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID><Article>\
        <ArticleTitle>Salt & water</ArticleTitle><Abstract><AbstractText>R&D &lt;costs&gt;.\
        </AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>";
    let docs = docs(xml);
    assert_eq!(docs[0].title, "Salt & water");
    assert_eq!(docs[0].sections[0].blocks[0].text, "R&D <costs>.");
}

#[test]
fn truncated_xml_yields_earlier_records_then_one_fatal_error() {
    let text = std::str::from_utf8(THREE).unwrap();
    let cut = text.find("<PMID Version=\"1\">29123456").unwrap() + 10;
    let mut reader = PubmedReader::new("t.xml", &THREE[..cut], ReadOptions::default());
    assert!(reader.next().unwrap().is_ok());
    assert!(reader.next().unwrap().is_ok());
    let err = reader.next().unwrap().unwrap_err();
    assert!(!err.recoverable, "{err}");
    assert!(matches!(
        err.location,
        Location::Record { number: 3, .. } | Location::Byte(_)
    ));
    assert!(reader.next().is_none());
    assert!(reader.next().is_none());
}

#[test]
fn truncation_between_records_is_fatal() {
    let text = std::str::from_utf8(THREE).unwrap();
    let cut = text.rfind("</PubmedArticle>").unwrap() + "</PubmedArticle>".len();
    let results = read_all(&THREE[..cut]);
    assert_eq!(results.len(), 4);
    assert!(results[..3].iter().all(Result::is_ok));
    let err = results[3].as_ref().unwrap_err();
    assert!(!err.recoverable);
    assert!(err.message.contains("truncated"), "{err}");
}

#[test]
fn mismatched_tags_are_fatal() {
    let xml = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</MedlineCitation>\
                </PubmedArticle><PubmedArticle></PubmedArticle></PubmedArticleSet>";
    let results = read_all(xml);
    assert_eq!(results.len(), 1);
    let err = results[0].as_ref().unwrap_err();
    assert!(!err.recoverable);
    assert!(matches!(err.location, Location::Byte(_)));
    assert!(err.message.contains("malformed XML"), "{err}");
}

#[test]
fn empty_input_is_one_fatal_error() {
    for input in [&b""[..], b"  \n\t "] {
        let results = read_all(input);
        assert_eq!(results.len(), 1);
        let err = results[0].as_ref().unwrap_err();
        assert!(!err.recoverable);
        assert_eq!(err.message, "empty file");
        assert_eq!(err.location, Location::Whole);
    }
}

#[test]
fn input_without_pubmed_article_set_is_one_fatal_error() {
    for input in [
        &b"<?xml version=\"1.0\"?><html><body/></html>"[..],
        b"just some text",
        b"<?xml version=\"1.0\"?><!-- nothing -->",
    ] {
        let results = read_all(input);
        assert_eq!(results.len(), 1, "{results:?}");
        let err = results[0].as_ref().unwrap_err();
        assert!(!err.recoverable);
        assert!(err.message.contains("no PubmedArticleSet found"), "{err}");
    }
    let results = read_all(b"{\"not\": \"xml\"} <<");
    assert_eq!(results.len(), 1);
    let err = results[0].as_ref().unwrap_err();
    assert!(!err.recoverable);
    assert!(
        err.message.starts_with("no PubmedArticleSet found"),
        "{err}"
    );
    assert!(read_all(b"<PubmedArticleSet/>").is_empty());
    assert!(read_all(b"<PubmedArticleSet>\n</PubmedArticleSet>\n").is_empty());
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let mut bytes = THREE.to_vec();
    let at = std::str::from_utf8(THREE)
        .unwrap()
        .find("We pooled 24 cohort")
        .unwrap();
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    let results = read_all(&bytes);
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert!(!err.recoverable);
    assert!(err.message.contains("UTF-8"), "{err}");
}

/// An input of `remaining` generated articles, produced on demand as it is read.
struct GeneratedSet {
    pending: Vec<u8>,
    remaining: u32,
    finished: bool,
}

impl std::io::Read for GeneratedSet {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            if self.remaining > 0 {
                let n = self.remaining;
                self.remaining -= 1;
                self.pending = format!(
                    "<PubmedArticle><MedlineCitation><PMID Version=\"1\">{n}</PMID><Article>\
                     <ArticleTitle>Title {n}</ArticleTitle><Abstract><AbstractText>Text of \
                     article {n}.</AbstractText></Abstract></Article></MedlineCitation>\
                     </PubmedArticle>\n"
                )
                .into_bytes();
            } else if !self.finished {
                self.finished = true;
                self.pending = b"</PubmedArticleSet>\n".to_vec();
            }
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn streams_a_baseline_sized_input_one_record_at_a_time() {
    let source = std::io::Read::chain(
        &b"<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n"[..],
        GeneratedSet {
            pending: Vec::new(),
            remaining: 30_000,
            finished: false,
        },
    );
    let mut reader = PubmedReader::new(
        "big.xml",
        std::io::BufReader::new(source),
        ReadOptions::default(),
    );
    let first = reader.next().unwrap().unwrap();
    assert_eq!(first.id.as_str(), "30000");
    let mut count = 1;
    for result in &mut reader {
        let doc = result.unwrap();
        assert_eq!(doc.sections[0].blocks.len(), 1);
        count += 1;
    }
    assert_eq!(count, 30_000);
    // The read buffer only ever held one event, never the input.
    assert!(reader.buf.capacity() < 1024, "{}", reader.buf.capacity());
}

#[test]
fn entities_and_character_references_are_decoded() {
    let docs = docs(THREE);
    let text = &docs[2].sections[1].blocks[0].text;
    assert!(text.contains("2.0\u{2013}3.0"), "{text}");
    assert_eq!(docs[2].sections[1].path, ["Recommendations"]);
    assert_eq!(
        docs[2].title,
        "Antithrombotic therapy for venous thromboembolism: CHEST guideline update."
    );
    assert_eq!(resolve_reference("amp"), "&");
    assert_eq!(resolve_reference("#x3B1"), "\u{3b1}");
    assert_eq!(resolve_reference("nbsp"), "&nbsp;");
    assert_eq!(resolve_reference("#0"), "");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let n = PubmedReader::new("p.xml", bytes.as_slice(), ReadOptions::default())
            .take(10_000)
            .count();
        prop_assert!(n < 10_000);
    }

    #[test]
    fn arbitrary_truncations_never_panic(cut in 0..THREE.len()) {
        let results: Vec<_> =
            PubmedReader::new("p.xml", &THREE[..cut], ReadOptions::default())
                .take(10_000)
                .collect();
        prop_assert!(results.len() <= 4);
        // An input cut before the root's end tag ends in exactly one fatal error.
        let root_end = std::str::from_utf8(THREE).unwrap().rfind("</PubmedArticleSet>").unwrap()
            + "</PubmedArticleSet>".len();
        if cut < root_end {
            let last = results.last().expect("at least one item");
            prop_assert!(last.as_ref().is_err_and(|e| !e.recoverable));
            let fatal = results.iter().filter(|r| r.as_ref().is_err_and(|e| !e.recoverable));
            prop_assert_eq!(fatal.count(), 1);
        }
    }

    #[test]
    fn xmlish_noise_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<PubmedArticleSet>".to_string()),
                Just("</PubmedArticleSet>".to_string()),
                Just("<PubmedArticle>".to_string()),
                Just("</PubmedArticle>".to_string()),
                Just("<MedlineCitation><PMID>12</PMID>".to_string()),
                Just("<Article><ArticleTitle>T</ArticleTitle>".to_string()),
                Just("<Abstract><AbstractText Label=\"X\">a &amp; b".to_string()),
                Just("</AbstractText></Abstract></Article></MedlineCitation>".to_string()),
                Just("<i>".to_string()),
                Just("</i>".to_string()),
                Just("&#xD800;&bogus;&".to_string()),
                "[ -~]{0,12}",
            ],
            0..24,
        )
    ) {
        let input = parts.concat();
        let n = PubmedReader::new("p.xml", input.as_bytes(), ReadOptions::default())
            .take(10_000)
            .count();
        prop_assert!(n < 10_000);
    }
}
