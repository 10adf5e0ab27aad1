//! Chunking: documents into passages of whole sentences under one section path.
//!
//! Invariants (property-tested): the passages of a document hold exactly its words in order
//! (nothing lost, nothing duplicated), no sentence is split, a passage never spans two
//! sections, and a list or table stays with the sentence that introduces it.

use crate::document::{Block, BlockKind, Document, Mark, Passage, PassageId};
use crate::sentence;

/// Size targets in words.
#[derive(Debug, Clone, Copy)]
pub struct ChunkConfig {
    /// A passage is closed once it reaches this many words and the next unit would overflow.
    pub min_words: usize,
    /// Passages stay at or below this size unless a single unit is larger.
    pub max_words: usize,
}

impl Default for ChunkConfig {
    fn default() -> Self {
        ChunkConfig {
            min_words: 100,
            max_words: 250,
        }
    }
}

/// An indivisible piece of text: a sentence, or a list/table with its lead-in sentence.
struct Unit<'a> {
    text: String,
    words: usize,
    citations: Vec<&'a str>,
    levels: Vec<&'a str>,
}

/// Split every section of `doc` into passages, numbered from 0 in document order.
pub fn chunk(doc: &Document, config: ChunkConfig) -> Vec<Passage> {
    let mut passages = Vec::new();
    for section in &doc.sections {
        let units = section_units(&section.blocks, config.max_words);
        let mut current: Vec<Unit> = Vec::new();
        let mut words = 0;
        let mut groups: Vec<Vec<Unit>> = Vec::new();
        for unit in units {
            if !current.is_empty()
                && words + unit.words > config.max_words
                && (words >= config.min_words || words + unit.words > config.max_words * 2)
            {
                groups.push(std::mem::take(&mut current));
                words = 0;
            }
            words += unit.words;
            current.push(unit);
        }
        if !current.is_empty() {
            // A short tail joins the previous passage when that keeps it within bounds.
            let tail_words: usize = current.iter().map(|u| u.words).sum();
            match groups.last_mut() {
                Some(prev)
                    if tail_words < config.min_words / 2
                        && prev.iter().map(|u| u.words).sum::<usize>() + tail_words
                            <= config.max_words + config.min_words / 2 =>
                {
                    prev.extend(current)
                }
                _ => groups.push(current),
            }
        }
        for group in groups {
            passages.push(make_passage(doc, &section.path, passages.len(), group));
        }
    }
    passages
}

fn make_passage(doc: &Document, path: &[String], ordinal: usize, units: Vec<Unit>) -> Passage {
    let mut text = String::new();
    let mut citations: Vec<Mark> = Vec::new();
    let mut evidence_levels: Vec<String> = Vec::new();
    let mut previous_lines = false;
    for unit in &units {
        // Lists and tables keep their lines, and what follows one starts a new line.
        let lines = unit.text.starts_with("- ") || unit.text.contains('\n');
        if !text.is_empty() {
            text.push(if lines || previous_lines { '\n' } else { ' ' });
        }
        previous_lines = lines;
        text.push_str(&unit.text);
        for c in &unit.citations {
            citations.push(Mark {
                offset: text.len(),
                value: (*c).to_string(),
            });
        }
        for l in &unit.levels {
            if !evidence_levels.iter().any(|x| x == l) {
                evidence_levels.push((*l).to_string());
            }
        }
    }
    Passage {
        id: PassageId {
            doc: doc.id.clone(),
            ordinal: u32::try_from(ordinal).unwrap_or(u32::MAX),
        },
        section_path: path.to_vec(),
        text,
        citations,
        evidence_levels,
    }
}

fn marks_in(marks: &[Mark], start: usize, end: usize, last: bool) -> Vec<&str> {
    marks
        .iter()
        .filter(|m| m.offset >= start && (m.offset < end || (last && m.offset == end)))
        .map(|m| m.value.as_str())
        .collect()
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// The units of one section's blocks, in order.
fn section_units(blocks: &[Block], max_words: usize) -> Vec<Unit<'_>> {
    let mut units: Vec<Unit> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        match block.kind {
            BlockKind::Paragraph => {
                let ranges = sentence::split(&block.text);
                let n = ranges.len();
                for (k, r) in ranges.into_iter().enumerate() {
                    let text = block.text[r.clone()].trim();
                    if text.is_empty() {
                        continue;
                    }
                    units.push(Unit {
                        text: text.to_string(),
                        words: word_count(text),
                        citations: marks_in(&block.citations, r.start, r.end, k + 1 == n),
                        levels: marks_in(&block.evidence_levels, r.start, r.end, k + 1 == n),
                    });
                }
            }
            BlockKind::List | BlockKind::Table => {
                let lead_in = i > 0
                    && blocks[i - 1].kind == BlockKind::Paragraph
                    && units.last().is_some_and(|u| u.words <= max_words / 2);
                let mut pieces = split_lines(block, max_words);
                if lead_in && let Some(prev) = units.pop() {
                    let first = &mut pieces[0];
                    first.text = format!("{}\n{}", prev.text, first.text);
                    first.words += prev.words;
                    let mut c = prev.citations;
                    c.append(&mut first.citations);
                    first.citations = c;
                    let mut l = prev.levels;
                    l.append(&mut first.levels);
                    first.levels = l;
                }
                units.extend(pieces);
            }
        }
    }
    units
}

/// A list or table as one unit, or, when it is larger than `max_words`, as groups of whole
/// lines (items or rows).
fn split_lines(block: &Block, max_words: usize) -> Vec<Unit<'_>> {
    let mut out: Vec<Unit> = Vec::new();
    let mut start = 0;
    let mut cur_start = 0;
    let mut cur_words = 0;
    let text = block.text.as_str();
    fn flush<'b>(block: &'b Block, from: usize, to: usize, last: bool, out: &mut Vec<Unit<'b>>) {
        let piece = block.text[from..to].trim();
        if !piece.is_empty() {
            out.push(Unit {
                text: piece.to_string(),
                words: word_count(piece),
                citations: marks_in(&block.citations, from, to, last),
                levels: marks_in(&block.evidence_levels, from, to, last),
            });
        }
    }
    for line in text.split_inclusive('\n') {
        let words = word_count(line);
        if cur_words > 0 && cur_words + words > max_words {
            flush(block, cur_start, start, false, &mut out);
            cur_start = start;
            cur_words = 0;
        }
        cur_words += words;
        start += line.len();
    }
    flush(block, cur_start, text.len(), true, &mut out);
    if out.is_empty() {
        out.push(Unit {
            text: String::new(),
            words: 0,
            citations: Vec::new(),
            levels: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{DocId, EvidenceKind, Section};
    use proptest::prelude::*;

    fn doc(sections: Vec<Section>) -> Document {
        let mut d =
            Document::from_plain_text(DocId::new("d"), EvidenceKind::Guideline, "T".into(), "");
        d.sections = sections;
        d
    }

    fn words_of_doc(d: &Document) -> Vec<String> {
        d.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .flat_map(|b| {
                b.text
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn words_of_passages(ps: &[Passage]) -> Vec<String> {
        ps.iter()
            .flat_map(|p| {
                p.text
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn keeps_list_with_its_lead_in_and_sections_apart() {
        let filler = "Background sentence number one is here. ".repeat(30);
        let d = doc(vec![
            Section {
                path: vec!["Treatment".into()],
                blocks: vec![
                    Block::paragraph(format!("{filler}Options include the following:")),
                    Block {
                        kind: BlockKind::List,
                        text: "- Surgery.\n- Radiation therapy.".into(),
                        citations: vec![],
                        evidence_levels: vec![],
                    },
                ],
            },
            Section {
                path: vec!["Follow-up".into()],
                blocks: vec![Block::paragraph("See the patient yearly.")],
            },
        ]);
        let ps = chunk(&d, ChunkConfig::default());
        let with_list = ps.iter().find(|p| p.text.contains("- Surgery.")).unwrap();
        assert!(
            with_list
                .text
                .contains("Options include the following:\n- Surgery.")
        );
        assert_eq!(
            ps.last().unwrap().section_path,
            vec!["Follow-up".to_string()]
        );
        assert_eq!(ps.last().unwrap().text, "See the patient yearly.");
        assert!(ps.iter().all(|p| p.text.split_whitespace().count() <= 250));
        assert_eq!(words_of_doc(&d), words_of_passages(&ps));
        for (i, p) in ps.iter().enumerate() {
            assert_eq!(p.id.ordinal as usize, i);
        }
    }

    #[test]
    fn a_paragraph_after_a_table_or_list_starts_its_own_line() {
        let d = doc(vec![Section {
            path: vec!["Options".into()],
            blocks: vec![
                Block {
                    kind: BlockKind::Table,
                    text: "Stage | Options\nPhase I trials of new drugs".into(),
                    citations: vec![],
                    evidence_levels: vec![],
                },
                Block::paragraph("Despite treatment, most patients relapse."),
                Block {
                    kind: BlockKind::List,
                    text: "- Surgery.".into(),
                    citations: vec![],
                    evidence_levels: vec![],
                },
                Block::paragraph("Radiation is an alternative."),
            ],
        }]);
        let ps = chunk(&d, ChunkConfig::default());
        assert_eq!(
            ps[0].text,
            "Stage | Options\nPhase I trials of new drugs\nDespite treatment, most patients relapse.\n- Surgery.\nRadiation is an alternative."
        );
    }

    #[test]
    fn citations_follow_their_sentence() {
        let text = "First claim is here. Second claim is elsewhere.";
        let d = doc(vec![Section {
            path: vec![],
            blocks: vec![Block {
                kind: BlockKind::Paragraph,
                text: text.into(),
                citations: vec![
                    Mark {
                        offset: 20,
                        value: "section_1.1".into(),
                    },
                    Mark {
                        offset: text.len(),
                        value: "section_1.2".into(),
                    },
                ],
                evidence_levels: vec![],
            }],
        }]);
        let cfg = ChunkConfig {
            min_words: 1,
            max_words: 4,
        };
        let ps = chunk(&d, cfg);
        assert_eq!(ps.len(), 2);
        let keys = |p: &Passage| {
            p.citations
                .iter()
                .map(|m| m.value.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&ps[0]), vec!["section_1.1"]);
        assert_eq!(keys(&ps[1]), vec!["section_1.2"]);
        assert_eq!(ps[0].citations[0].offset, ps[0].text.len());
    }

    fn arb_sentence() -> impl Strategy<Value = String> {
        (proptest::collection::vec("[a-z]{1,8}", 1..30), "[.!?]").prop_map(|(ws, p)| {
            let mut s = ws.join(" ");
            s.replace_range(0..1, &s[0..1].to_uppercase());
            s + &p
        })
    }

    fn arb_block() -> impl Strategy<Value = (Block, Vec<String>)> {
        prop_oneof![
            proptest::collection::vec(arb_sentence(), 1..15)
                .prop_map(|ss| { (Block::paragraph(ss.join(" ")), ss) }),
            proptest::collection::vec(arb_sentence(), 1..40).prop_map(|ss| {
                let lines: Vec<String> = ss.iter().map(|s| format!("- {s}")).collect();
                (
                    Block {
                        kind: BlockKind::List,
                        text: lines.join("\n"),
                        citations: vec![],
                        evidence_levels: vec![],
                    },
                    lines,
                )
            }),
        ]
    }

    proptest! {
        #[test]
        fn chunking_loses_duplicates_and_splits_nothing(
            sections in proptest::collection::vec(proptest::collection::vec(arb_block(), 1..6), 1..4),
            min in 5usize..120,
            extra in 0usize..200,
        ) {
            let mut all_sentences = Vec::new();
            let secs: Vec<Section> = sections.into_iter().enumerate().map(|(i, blocks)| {
                let mut bs = Vec::new();
                for (b, ss) in blocks { bs.push(b); all_sentences.extend(ss); }
                Section { path: vec![format!("S{i}")], blocks: bs }
            }).collect();
            let d = doc(secs);
            let cfg = ChunkConfig { min_words: min, max_words: min + extra };
            let ps = chunk(&d, cfg);
            prop_assert_eq!(words_of_doc(&d), words_of_passages(&ps));
            // Every sentence (or list line) lies whole inside exactly one passage.
            for s in &all_sentences {
                let n = ps.iter().filter(|p| p.text.contains(s.as_str())).count();
                prop_assert!(n >= 1, "sentence split: {s}");
            }
            for p in &ps {
                prop_assert!(!p.text.trim().is_empty());
            }
        }
    }
}
