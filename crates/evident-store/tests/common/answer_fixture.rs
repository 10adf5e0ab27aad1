//! A sample answer in the contract's shape, shared by the store's tests and its read benchmark.

use evident_core::answer::Answer;
use evident_core::lexicon::Lexicon;
use evident_core::question::analyze;

/// A real composed-looking answer for `question` (the contract's shape; the text is
/// placeholder, as the store does not read it).
pub fn answer(question: &str, bottom_line: &str) -> Answer {
    let q = analyze(question, Lexicon::builtin());
    serde_json::from_value(serde_json::json!({
        "schema": "evident.answer/v1",
        "question": question,
        "audience": "physician",
        "intent": q.intent,
        "facts": q.facts,
        "evidence_status": "sufficient",
        "bottom_line": {"text": bottom_line, "citations": [1]},
        "sections": [],
        "references": [{
            "n": 1, "kind": "guideline", "title": "Test guideline", "source": "Test",
            "year": 2024, "url": null, "pmid": null, "doc_id": "test",
            "evidence": [{"passage_id": "test#0", "section": null, "text": bottom_line}]
        }],
        "disclaimer": evident_core::answer::DISCLAIMER,
        "corpus": {"version": "test-1", "documents": 1, "passages": 1},
        "timing_ms": {}
    }))
    .expect("answer")
}
