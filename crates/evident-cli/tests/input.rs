//! Hostile input through the `evident` binary: questions with non-ASCII text before a one-letter sex (`café M`) are answered rather than panicking; control characters are refused in questions and notes; stored and corpus text reaches the terminal with control characters and bidirectional overrides escaped (`ask`, `review show`, `audit log`).

mod common;

use common::{evident, fails, ok};
use serde_json::Value;

#[test]
fn questions_with_non_ascii_text_before_a_sex_letter_are_answered() {
    let data = tempfile::tempdir().unwrap();
    for q in [
        "café M with hypertension, treatment?",
        "age ≥65 M with hypertension: first-line drug?",
        "“62” M, rectal cancer after chemoradiation: next step?",
    ] {
        let out = evident(data.path(), &["ask", "--format", "json", "--", q]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{q}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let answer: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(answer["question"], q);
    }
}

/// A corpus whose text holds terminal escape sequences (a screen clear, a title change).
const HOSTILE_DOC: &str = "---\ntitle: Zorblax fever\nkind: guideline\n---\n\n# Treatment\n\n\
Zorblax fever is treated with rest and fluids \u{1b}c\u{7} for seven days in adults.\n\n\
Zorblax fever in adults is treated with oral rehydration \u{1b}c\u{7} when vomiting stops.\n";

fn last_line(text: &str) -> String {
    text.lines().last().unwrap_or_default().trim().to_string()
}

#[test]
fn control_characters_are_refused_on_input_and_escaped_on_output() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("zorblax.md"), HOSTILE_DOC).unwrap();
    let data = tmp.path().join("data");
    ok(&evident(
        &data,
        &["ingest", "--no-embed", docs.to_str().unwrap()],
    ));

    // Refused on input, with a clear error and nothing saved.
    let err = fails(&evident(
        &data,
        &[
            "ask",
            "--save",
            "--",
            "zorblax fever \u{1b}]0;pwned\u{7} treatment?",
        ],
    ));
    assert!(err.contains("control character (U+001B"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "the error itself is escaped: {err:?}"
    );

    // Corpus text reaches the terminal escaped, in text and in JSON.
    let question = "How is zorblax fever treated in adults?";
    let text = ok(&evident(&data, &["ask", "--", question]));
    assert!(text.contains("Zorblax"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("\\u{1b}c\\u{7}"), "{text}");
    let markdown = ok(&evident(
        &data,
        &["ask", "--format", "markdown", "--", question],
    ));
    assert!(markdown.contains("\\u{1b}c\\u{7}") && !markdown.contains('\u{1b}'));
    let saved = ok(&evident(
        &data,
        &["ask", "--save", "--format", "json", "--", question],
    ));
    assert!(!saved.contains('\u{1b}'), "{saved:?}");
    let saved: Value = serde_json::from_str(&saved).expect("JSON");
    let slug = saved["article"]["slug"].as_str().expect("slug").to_string();

    let ana = last_line(&ok(&evident(
        &data,
        &["user", "add", "ana", "--role", "reviewer"],
    )));
    // A note with an escape sequence is refused; a right-to-left override is taken (it is
    // not a control character) but never printed as it is.
    let err = fails(&evident(
        &data,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "under_review",
            "--token",
            &ana,
            "--note",
            "clear \u{1b}[2J",
        ],
    ));
    assert!(err.contains("the note holds a control character"), "{err}");
    ok(&evident(
        &data,
        &[
            "review",
            "transition",
            &slug,
            "--to",
            "under_review",
            "--token",
            &ana,
            "--note",
            "checked \u{202e}evil",
        ],
    ));

    let shown = ok(&evident(&data, &["review", "show", &slug]));
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{202e}'),
        "{shown:?}"
    );
    assert!(
        shown.contains("\\u{1b}c") && shown.contains("\\u{202e}evil"),
        "{shown}"
    );
    let json = ok(&evident(
        &data,
        &["review", "show", &slug, "--format", "json"],
    ));
    assert!(
        !json.contains('\u{1b}') && !json.contains('\u{202e}'),
        "{json:?}"
    );
    let parsed: Value = serde_json::from_str(&json).expect("still JSON");
    assert_eq!(
        parsed["reviews"][0]["note"], "checked \u{202e}evil",
        "same text once parsed"
    );

    let log = ok(&evident(&data, &["audit", "log"]));
    assert!(
        log.contains("\\u{202e}evil") && !log.contains('\u{202e}'),
        "{log}"
    );
}
