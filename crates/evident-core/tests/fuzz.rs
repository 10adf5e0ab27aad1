//! Property-based fuzzing of everything that reads outside input: each corpus reader (Markdown with front matter, PubMed XML, JSON Lines, BEIR), question analysis, composition and the answer renderers. None may panic, whatever the bytes.
//!
//! Cases mix random Unicode with the pieces that have broken text handling before:
//! multi-byte characters beside one-letter tokens (`café M`), characters whose lowercase has
//! another byte length (`Ⱥ`), combining marks, right-to-left text and bidirectional controls, C0/C1 control characters, curly quotes, `≥`, emoji with
//! joiners. CI runs a bounded number of cases per target (`EVIDENT_FUZZ_CASES`, default 64);
//! a long run sets it higher, e.g. `EVIDENT_FUZZ_CASES=20000 cargo test --release -p
//! evident-core --test fuzz`. Every crash found is kept below as a named regression test.

use std::io::Cursor;
use std::sync::OnceLock;

use evident_core::answer::Audience;
use evident_core::chunk::{ChunkConfig, chunk};
use evident_core::compose::{Candidate, ComposeOptions, compose};
use evident_core::lexicon::Lexicon;
use evident_core::question::analyze;
use evident_core::readers::{JsonlFlavor, JsonlReader, PubmedReader, ReadOptions, read_markdown};
use evident_core::{DocId, Document, EvidenceKind, Passage, PassageId, render};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases per target: `EVIDENT_FUZZ_CASES`, else 64.
fn cases() -> u32 {
    static CASES: OnceLock<u32> = OnceLock::new();
    *CASES.get_or_init(|| {
        std::env::var("EVIDENT_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64)
    })
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Text pieces that exercise byte/char boundaries, lexicon matching and case facts.
const PIECES: &[&str] = &[
    "M",
    "F",
    "62M",
    "45 F",
    "café",
    "naïve",
    "é",
    "e\u{301}",
    "\u{301}",
    "\u{302}\u{303}",
    "≥65",
    "≤",
    "±",
    "µg",
    "°C",
    "“",
    "”",
    "‘",
    "’",
    "…",
    "—",
    "–",
    "s/p",
    "h/o",
    "w/o",
    "CRT",
    "HER2+",
    "ER/PR-negative",
    "eGFR",
    "T2DM",
    "BRCA1",
    "EGFR",
    "ALK",
    "no",
    "not",
    "prior",
    "radiation",
    "chemoradiation",
    "surgery",
    "pregnant",
    "stage",
    "IV",
    "III",
    "metastatic",
    "rectal",
    "cancer",
    "hypertension",
    "treatment?",
    "dose",
    "mg",
    "first-line",
    "second-line",
    "after",
    "years",
    "old",
    "child",
    "patient",
    "(",
    ")",
    "[1]",
    ",",
    ".",
    ";",
    ":",
    "?",
    "-",
    "/",
    "+",
    "%",
    "=",
    "&",
    "<",
    ">",
    "\"",
    "'",
    "\\",
    "\u{1b}[2J",
    "\u{1b}]0;title\u{7}",
    "\u{0}",
    "\u{7f}",
    "\u{85}",
    "\u{9b}",
    "\r",
    "\n",
    "\t",
    "\u{202e}",
    "\u{2066}",
    "\u{200f}",
    "\u{200d}",
    "\u{feff}",
    "مرحبا",
    "سرطان",
    "שלום",
    "עברית",
    "日本語",
    "한국어",
    "Ελληνικά",
    "кириллица",
    "👩\u{200d}⚕️",
    "🇫🇷",
    "\u{fffd}",
    "\u{10ffff}",
    "İ",
    "ß",
    "ﬁ",
    "Ⅳ",
    "١٢",
    // Characters whose lowercase or uppercase has another byte length.
    "Ⱥ",
    "Ⱦ",
    "ẞ",
    "ǅ",
    "ΣΑΣ",
    "ſ",
    "\u{212a}",
];

/// A string of pieces and random characters with random separators.
fn text(max_pieces: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<String>(),
        1 => "[0-9]{1,4}",
        1 => "[A-Za-z]{1,10}",
    ];
    let sep = prop_oneof![
        Just(""),
        Just(" "),
        Just(" "),
        Just(" "),
        Just("\n"),
        Just(", "),
        Just("\u{a0}")
    ];
    proptest::collection::vec((piece, sep), 0..max_pieces)
        .prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect())
}

fn lexicon() -> &'static Lexicon {
    Lexicon::builtin()
}

/// Chunks a document read by a reader, as ingest does: must not panic either.
fn chunk_all(doc: &Document) {
    let _ = chunk(doc, ChunkConfig::default());
}

// ---- readers ----------------------------------------------------------------------------

fn markdown_input() -> impl Strategy<Value = Vec<u8>> {
    let front = (
        text(6),
        text(4),
        proptest::option::of(0u32..3000),
        text(3),
        text(3),
    )
        .prop_map(|(title, source, year, kind, topic)| {
            let year = year.map_or(String::new(), |y| format!("year: {y}\n"));
            format!(
                "---\ntitle: {title:?}\nsource: {source}\n{year}kind: {kind}\ntopics: [{topic:?}]\n---\n"
            )
        });
    let body = proptest::collection::vec(
        (
            prop_oneof![
                Just("# "),
                Just("## "),
                Just("- "),
                Just("1. "),
                Just("| "),
                Just("> "),
                Just(""),
                Just("```\n"),
                Just("<br>"),
                Just("[^1]: "),
            ],
            text(12),
        ),
        0..12,
    )
    .prop_map(|lines| {
        lines
            .into_iter()
            .map(|(lead, t)| format!("{lead}{t}\n"))
            .collect::<String>()
    });
    prop_oneof![
        3 => (proptest::option::of(front), body).prop_map(|(f, b)| {
            format!("{}{b}", f.unwrap_or_default()).into_bytes()
        }),
        1 => proptest::collection::vec(any::<u8>(), 0..400),
    ]
}

fn run_markdown(bytes: &[u8]) {
    if let Ok(doc) = read_markdown(
        "fuzz.md",
        bytes,
        DocId::new("fuzz"),
        &ReadOptions::default(),
    ) {
        chunk_all(&doc);
    }
}

fn pubmed_input() -> impl Strategy<Value = Vec<u8>> {
    let article = (text(4), text(12), text(3), "[0-9]{0,9}", 0u32..3000, text(2)).prop_map(
        |(title, abstract_text, label, pmid, year, mesh)| {
            let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
            format!(
                "<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><Journal><JournalIssue>\
                 <PubDate><Year>{year}</Year></PubDate></JournalIssue><Title>{}</Title></Journal>\
                 <ArticleTitle>{}</ArticleTitle><Abstract><AbstractText Label=\"{}\">{}</AbstractText>\
                 </Abstract><PublicationTypeList><PublicationType>{}</PublicationType>\
                 </PublicationTypeList></Article><MeshHeadingList><MeshHeading><DescriptorName>{}\
                 </DescriptorName></MeshHeading></MeshHeadingList></MedlineCitation></PubmedArticle>",
                esc(&label),
                esc(&title),
                esc(&label).replace('"', "&quot;"),
                esc(&abstract_text),
                esc(&mesh),
                esc(&mesh),
            )
        },
    );
    prop_oneof![
        3 => proptest::collection::vec(article, 0..4).prop_map(|a| {
            format!("<?xml version=\"1.0\"?>\n<PubmedArticleSet>{}</PubmedArticleSet>", a.concat())
                .into_bytes()
        }),
        // Structure cut at a random place, or random bytes.
        1 => (proptest::collection::vec(any::<u8>(), 0..300), text(6)).prop_map(|(b, t)| {
            let mut v = format!("<PubmedArticleSet><PubmedArticle>{t}").into_bytes();
            v.extend(b);
            v
        }),
    ]
}

fn run_pubmed(bytes: &[u8]) {
    let reader = PubmedReader::new("fuzz.xml", Cursor::new(bytes), ReadOptions::default());
    // Bounded: a reader may yield an error per record.
    for doc in reader.take(64).flatten() {
        chunk_all(&doc);
    }
}

fn jsonl_input(id_field: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let record = (
        text(3),
        text(4),
        text(16),
        text(2),
        proptest::option::of(-5i64..4000),
        0u8..4,
    )
        .prop_map(move |(id, title, body, kind, year, shape)| {
            let value = match shape {
                0 => serde_json::json!({id_field: id, "title": title, "text": body}),
                1 => serde_json::json!({id_field: year, "text": body, "kind": kind, "year": year,
                    "url": title, "source": kind, "pmid": id}),
                2 => serde_json::json!({id_field: id, "text": [body], "title": 7}),
                _ => serde_json::json!({"text": body}),
            };
            value.to_string()
        });
    prop_oneof![
        3 => proptest::collection::vec(record, 0..5).prop_map(|lines| lines.join("\n").into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..300),
    ]
}

fn run_jsonl(bytes: &[u8], flavor: JsonlFlavor) {
    let reader = JsonlReader::new(
        "fuzz.jsonl",
        Cursor::new(bytes),
        flavor,
        ReadOptions::default(),
    );
    // Bounded: a reader may yield an error per record.
    for doc in reader.take(64).flatten() {
        chunk_all(&doc);
    }
}

// ---- question analysis, composition, renderers ----------------------------------------

fn run_question(q: &str) {
    let question = analyze(q, lexicon());
    for fact in &question.facts {
        let _ = fact.state();
    }
}

fn candidate(i: usize, title: &str, section: &str, text: &str) -> Candidate {
    Candidate {
        passage: Passage {
            id: PassageId {
                doc: DocId::new(format!("doc{}", i % 3)),
                ordinal: i as u32,
            },
            section_path: vec![section.to_string()],
            text: text.to_string(),
            citations: vec![],
            evidence_levels: vec![],
        },
        title: title.to_string(),
        kind: if i.is_multiple_of(2) {
            EvidenceKind::Guideline
        } else {
            EvidenceKind::Study
        },
        source: Some(section.to_string()),
        year: Some(2024),
        url: Some(format!("https://example.org/{i}")),
        studies: vec![],
    }
}

/// Composes an answer to `q` from passages of arbitrary text for every audience and renders
/// it in every form.
fn run_answer(q: &str, passages: &[(String, String, String)]) {
    let lexicon = lexicon();
    let question = analyze(q, lexicon);
    let candidates: Vec<Candidate> = passages
        .iter()
        .enumerate()
        .map(|(i, (title, section, body))| candidate(i, title, section, body))
        .collect();
    for audience in [Audience::Physician, Audience::Patient] {
        let composition = compose(
            &question,
            &candidates,
            lexicon,
            &ComposeOptions::for_audience(audience),
        );
        let answer = &composition.answer;
        let _ = render::text(answer);
        let _ = render::markdown(answer);
        let _ = render::explain(&question, &composition);
        let json = serde_json::to_string(answer).expect("an answer serialises");
        let back: evident_core::answer::Answer =
            serde_json::from_str(&json).expect("an answer reads back");
        assert_eq!(back.question, answer.question);
    }
}

/// Passages mixing clinical sentences with arbitrary text, so that composition reaches
/// sentence selection, cleaning and plain language on odd input.
fn passages() -> impl Strategy<Value = Vec<(String, String, String)>> {
    let clinical = prop_oneof![
        Just(
            "For patients with locally recurrent rectal cancer, surgical resection is recommended. "
        ),
        Just("For patients who have not received prior radiation, chemoradiation is recommended. "),
        Just(
            "High-intensity statin therapy is recommended for adults with hypertension (HR 0.8; 95% CI 0.7–0.9; P < .001). "
        ),
        Just(
            "Metformin 500 mg twice daily is the first-line treatment of T2DM in adults ≥65 years. "
        ),
        Just("Talk with your doctor about the risks of treatment. "),
        Just(
            "Second-line therapy after progression on first-line EGFR TKI includes osimertinib [12]. "
        ),
    ];
    let body = proptest::collection::vec(
        prop_oneof![clinical.prop_map(str::to_string), text(10)],
        1..6,
    )
    .prop_map(|parts| parts.concat());
    proptest::collection::vec((text(4), text(3), body), 0..5)
}

/// An answer as a reviewer might store it (any text in any field, any citation numbers):
/// the renderers must print it whatever it holds.
fn edited_answer() -> impl Strategy<Value = evident_core::answer::Answer> {
    let statement = || (text(10), proptest::collection::vec(any::<u32>(), 0..3));
    (
        text(8),
        statement(),
        proptest::collection::vec(
            (text(3), proptest::collection::vec(statement(), 0..3)),
            0..3,
        ),
        proptest::collection::vec((text(4), text(2), text(2), text(8)), 0..3),
        text(4),
    )
        .prop_map(|(question, bottom, sections, refs, disclaimer)| {
            let mut answer = base_answer().clone();
            answer.question = question;
            answer.bottom_line.text = bottom.0;
            answer.bottom_line.citations = bottom.1;
            answer.disclaimer = disclaimer;
            let template = answer.sections.first().cloned();
            answer.sections = sections
                .into_iter()
                .filter_map(|(title, items)| {
                    let mut section = template.clone()?;
                    section.title = title;
                    section.items = items
                        .into_iter()
                        .map(|(text, citations)| evident_core::answer::Statement {
                            text,
                            citations,
                        })
                        .collect();
                    Some(section)
                })
                .collect();
            let reference = answer.references.first().cloned();
            answer.references = refs
                .into_iter()
                .enumerate()
                .filter_map(|(i, (title, source, url, passage))| {
                    let mut r = reference.clone()?;
                    r.n = i as u32 + 1;
                    r.title = title;
                    r.source = Some(source.clone());
                    r.url = Some(url);
                    for e in &mut r.evidence {
                        e.text = passage.clone();
                        e.section = Some(source.clone());
                    }
                    Some(r)
                })
                .collect();
            answer
        })
}

/// A composed answer with a section and a reference, the template of [`edited_answer`].
fn base_answer() -> &'static evident_core::answer::Answer {
    static BASE: OnceLock<evident_core::answer::Answer> = OnceLock::new();
    BASE.get_or_init(|| {
        let candidates = [candidate(
            0,
            "Rectal cancer",
            "Recurrent rectal cancer",
            "For patients with locally recurrent rectal cancer, surgical resection with negative \
             margins is the only potentially curative treatment. Pelvic MRI defines the extent \
             of local recurrence before surgery for recurrent rectal cancer.",
        )];
        let question = analyze("recurrent rectal cancer treatment?", lexicon());
        let answer = compose(
            &question,
            &candidates,
            lexicon(),
            &ComposeOptions::for_audience(Audience::Physician),
        )
        .answer;
        assert!(!answer.sections.is_empty() && !answer.references.is_empty());
        answer
    })
}

fn run_renderers(answer: &evident_core::answer::Answer) {
    let _ = render::text(answer);
    let _ = render::markdown(answer);
    let _ = serde_json::to_string(answer).expect("an answer serialises");
}

// ---- the targets ------------------------------------------------------------------------

#[test]
fn fuzz_markdown_reader() {
    runner()
        .run(&markdown_input(), |bytes| {
            run_markdown(&bytes);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_pubmed_reader() {
    runner()
        .run(&pubmed_input(), |bytes| {
            run_pubmed(&bytes);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_jsonl_reader() {
    runner()
        .run(&jsonl_input("id"), |bytes| {
            run_jsonl(&bytes, JsonlFlavor::Evident);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_beir_reader() {
    runner()
        .run(&jsonl_input("_id"), |bytes| {
            run_jsonl(&bytes, JsonlFlavor::Beir);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_question_analysis() {
    runner()
        .run(&text(24), |q| {
            run_question(&q);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_answer_composition_and_renderers() {
    let mut runner = TestRunner::new(Config {
        // Composition costs far more than a read: a quarter of the cases.
        cases: (cases() / 4).max(8),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(text(16), passages()), |(q, passages)| {
            run_answer(&q, &passages);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_renderers_of_edited_answers() {
    runner()
        .run(&edited_answer(), |answer| {
            run_renderers(&answer);
            Ok(())
        })
        .unwrap();
}

// ---- crashes found, kept as regression tests --------------------------------------------

#[test]
fn a_multibyte_character_before_a_sex_letter() {
    for q in [
        "café M with hypertension, treatment?",
        "age ≥65 M with hypertension",
        "“62” M, rectal cancer",
        "é F",
        "éM",
    ] {
        run_question(q);
        run_answer(
            q,
            &[(
                "Hypertension".into(),
                "Treatment".into(),
                "For adults with hypertension, treatment is recommended.".into(),
            )],
        );
    }
}

#[test]
fn an_empty_statement_renders() {
    let mut answer = base_answer().clone();
    answer.sections[0].items[0].text = String::new();
    answer.sections[0].items[0].citations.clear();
    run_renderers(&answer);
    assert!(render::text(&answer).contains("   1.\n"));
}

#[test]
fn a_heading_whose_lowercase_is_longer() {
    // 'Ⱥ' (2 bytes) lowercases to 'ⱥ' (3 bytes): offsets into the lowercase text are not
    // offsets into the original.
    run_answer(
        "",
        &[(
            String::new(),
            "Ⱥ\u{a0}child".into(),
            "For patients with locally recurrent rectal cancer, surgical resection is recommended. ".into(),
        )],
    );
}
