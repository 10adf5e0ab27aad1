//! Statement candidates: a retrieved passage cut into sentences (a list joined to its lead-in), cleaned of markup and dangling references, each with the studies it cites.

use super::clean::{clean, has_verb};
use crate::document::Passage;
use crate::sentence;

/// One sentence (or a lead-in with its list) of a passage, ready to become a statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unit {
    /// Cleaned text: a complete sentence without markers.
    pub text: String,
    /// Keys of the document's reference list cited at this sentence.
    pub studies: Vec<String>,
    /// Starts with a word that points back to earlier text ("These", "It" ...).
    pub dangling: bool,
    /// Opens with a pronoun or demonstrative whose referent only the text before it names
    /// ("It is used when ...", "These patients ..."): unreadable without that text.
    pub opens_with_pronoun: bool,
    /// Ordinal of the unit within its passage.
    pub position: usize,
    /// The lead-in of the list this unit is an item of, when the list was too long to join.
    pub lead: Option<String>,
}

/// Phrases that, anywhere in a sentence, name a population only the text before it
/// defines ("HER2-directed therapies have not improved outcomes in these patients").
const POPULATION_BACK_REFERENCES: &[&str] = &[
    "these patients",
    "those patients",
    "such patients",
    "this population",
    "these populations",
    "this group of patients",
    "these women",
    "these men",
    "these children",
    "this subgroup",
    // The arms of a trial the sentence does not name.
    "the two groups",
    "both groups",
    "either group",
    "the two arms",
    "both arms",
    "either arm",
];

static POPULATION: crate::pattern::Phrases =
    crate::pattern::Phrases::new(POPULATION_BACK_REFERENCES);

/// Pronouns and demonstratives that, opening a sentence, stand for what came before it.
const PRONOUNS: &[&str] = &[
    "it",
    "its",
    "they",
    "their",
    "these",
    "those",
    "this",
    "he",
    "she",
    "such",
    "both",
    "the latter",
    "the former",
];

/// Words that, opening a sentence, draw on the one before it ("Therefore, ..."): such a
/// sentence can be a statement, but not a bottom line that stands alone.
pub(crate) const CONNECTIVES: &[&str] = &[
    "however, ",
    "thus, ",
    "therefore, ",
    "also, ",
    "again, ",
    "still, ",
    "hence, ",
    "consequently, ",
];

/// Whether `text` opens with one of the [`CONNECTIVES`].
pub(crate) fn opens_with_connective(text: &str) -> bool {
    let lower = text.trim_start().to_lowercase();
    CONNECTIVES.iter().any(|c| lower.starts_with(c))
}

/// Other words that, opening a sentence, refer to what came before it (the pronouns above
/// do too).
const BACK_REFERENCES: &[&str] = &[
    "that",
    "there",
    "here",
    "in addition",
    "additionally",
    "moreover",
    "furthermore",
    "similarly",
    "likewise",
    "conversely",
    "in contrast",
    "in this",
    "in that",
    "in these",
    "in those",
    "in both",
    "in each",
    "in either",
    "of these",
    "of those",
    "neither",
    "the same",
    "the two",
    "the three",
    "the four",
    "the other",
    "the above",
    "the aforementioned",
    "the remaining",
    "other",
];

/// A demonstrative inside the sentence that points at what the text before it named
/// ("Based on this trial, ...", "aware of this potential complication"): alone, the
/// reader cannot tell which.
fn names_what_came_before(lower: &str) -> bool {
    // Words after "this"/"these" that make them a pronoun, not a pointer to a named thing.
    const NOT_A_NOUN: &[&str] = &[
        "is", "was", "are", "were", "may", "might", "can", "could", "should", "would", "will",
        "has", "have", "had", "does", "did", "do", "means", "suggests",
    ];
    let mut words = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty());
    // Not the sentence's first word: that one is judged as a back-reference.
    let Some(mut previous) = words.nth(1) else {
        return false;
    };
    for word in words {
        if matches!(previous, "this" | "these") && !NOT_A_NOUN.contains(&word) {
            return true;
        }
        previous = word;
    }
    false
}

/// Whether a heading is about the document rather than its topic ("Latest Updates to This
/// Summary", "About This PDQ Summary", "Reviewers and Updates"): what is written under it
/// (what changed, who reviewed) is no evidence about care.
pub(crate) fn about_the_document(heading: &str) -> bool {
    let lower = heading.to_lowercase();
    [
        "latest updates",
        "changes to this summary",
        "updates to this summary",
        "about this",
        "reviewers and updates",
        "editorial board",
        "how to cite",
        "permission to use",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// Whether a sentence speaks to its reader ("you should talk with your doctor"): written
/// for patients, it does not belong in an answer for a professional.
pub(crate) fn addresses_the_reader(text: &str) -> bool {
    super::terms::raw_words(text).any(|w| {
        ["you", "your", "you're", "yours", "yourself"]
            .iter()
            .any(|y| w.eq_ignore_ascii_case(y))
    })
}

/// The statement candidates of a passage, in text order.
///
/// With `table_rows`, the rows of dosing tables are read as statements too ("Drug: dose;
/// route; comment"): without their column headings they answer a question about doses and
/// are too terse for any other, so other questions skip them.
pub(crate) fn units(passage: &Passage, table_rows: bool) -> Vec<Unit> {
    let text = passage.text.as_str();
    let mut out = Vec::new();
    // Byte ranges of the passage's lines.
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        lines.push((start, start + line.len()));
        start += line.len();
    }
    let mut i = 0;
    let mut lead: Option<String> = None;
    // The drug named by the last table row, for rows that continue it.
    let mut row_name: Option<String> = None;
    while i < lines.len() {
        let (ls, le) = lines[i];
        let line = text[ls..le].trim();
        let mut items = Vec::new();
        let mut j = i + 1;
        if line.ends_with(':') {
            while j < lines.len() {
                let item = text[lines[j].0..lines[j].1].trim();
                match list_item(item) {
                    Some(body) => items.push(body),
                    None => break,
                }
                j += 1;
            }
        }
        if !items.is_empty() {
            let joined = join_list(&line[..line.len() - 1], &items);
            let single_sentences = items.iter().all(|item| sentence::split(item).len() <= 1);
            if single_sentences && joined.split_whitespace().count() <= 60 {
                let end = lines[j - 1].1;
                push(&mut out, passage, &joined, ls, end, None);
                i = j;
                continue;
            }
            // Too long to read as one sentence: the items stand alone, with the lead-in as
            // their context ("Evidence (T-DM1):").
            lead = Some(line[..line.len() - 1].to_string());
            i += 1;
            continue;
        }
        if let Some((row, name)) = table_rows
            .then(|| super::rows::row(line, row_name.as_deref()))
            .flatten()
        {
            row_name = Some(name.to_string());
            push(&mut out, passage, &row, ls, le, None);
            i += 1;
            continue;
        }
        // Only the next row may continue a row's spanned name cell.
        if !super::rows::is_row(line) {
            row_name = None;
        }
        let is_item = list_item(line).is_some();
        if !is_item {
            lead = None;
            // A line that does not end a sentence is a table cell, a caption or a title
            // ("Combination chemotherapy alone"), not a statement; nor is one that ends in
            // a parenthesis without a verb ("Maintenance therapy (for patients with
            // stable disease)").
            let ends_sentence = line.ends_with(['.', '!', '?', ':', '"', '\u{201d}'])
                || (line.ends_with(')') && has_verb(line));
            if !ends_sentence {
                i += 1;
                continue;
            }
        }
        let body = list_item(line).unwrap_or(line);
        let offset =
            ls + (text[ls..le].len() - text[ls..le].trim_start().len()) + (line.len() - body.len());
        for r in sentence::split(body) {
            // A list item stands alone only when it is a sentence, not a fragment
            // ("Presence or absence of distant metastases.").
            if is_item && !has_verb(&body[r.clone()]) {
                continue;
            }
            push(
                &mut out,
                passage,
                &body[r.clone()],
                offset + r.start,
                offset + r.end,
                lead.clone(),
            );
        }
        i += 1;
    }
    out
}

/// `lead-in: item; item; item.` as one sentence.
fn join_list(lead: &str, items: &[&str]) -> String {
    let cleaned: Vec<String> = items
        .iter()
        .map(|s| {
            let s = s.trim().trim_end_matches(['.', ';', ',']);
            let mut c = s.chars();
            match c.next() {
                // Lowercase the first letter unless the word is an acronym or a name-like token.
                Some(f)
                    if f.is_uppercase() && c.clone().next().is_some_and(|n| n.is_lowercase()) =>
                {
                    f.to_lowercase().chain(c).collect()
                }
                _ => s.to_string(),
            }
        })
        .collect();
    format!("{}: {}.", lead.trim(), cleaned.join("; "))
}

/// The body of a list item line (`- x`, `* x`, `1. x`), or `None` for other lines.
fn list_item(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some(rest.trim());
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 2 {
        let rest = &line[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(r.trim());
        }
    }
    None
}

fn push(
    out: &mut Vec<Unit>,
    passage: &Passage,
    raw: &str,
    start: usize,
    end: usize,
    lead: Option<String>,
) {
    let Some(text) = clean(raw) else {
        return;
    };
    let studies = passage
        .citations
        .iter()
        .filter(|m| m.offset > start && m.offset <= end)
        .map(|m| m.value.clone())
        .fold(Vec::new(), |mut acc: Vec<String>, k| {
            if !acc.contains(&k) {
                acc.push(k);
            }
            acc
        });
    // A leading connective ("However, it ...") does not stop a back-reference.
    let mut lower = text.to_lowercase();
    for connective in CONNECTIVES {
        if let Some(rest) = lower.strip_prefix(connective) {
            lower = rest.to_string();
        }
    }
    let opens = |w: &str| lower.starts_with(w) && lower[w.len()..].starts_with([' ', ',']);
    let opens_with_pronoun = PRONOUNS.iter().any(|w| opens(w));
    let dangling = opens_with_pronoun
        || BACK_REFERENCES.iter().any(|w| opens(w))
        || POPULATION.is_match(&lower)
        || names_what_came_before(&lower);
    out.push(Unit {
        text,
        studies,
        dangling,
        opens_with_pronoun,
        position: out.len(),
        lead,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{DocId, Mark, PassageId};

    #[test]
    fn headings_about_the_document_and_sentences_to_the_reader_are_recognised() {
        assert!(about_the_document(
            "Latest Updates to This Summary (05/14/2025)"
        ));
        assert!(about_the_document("About This PDQ Summary"));
        assert!(!about_the_document("Treatment of Stage III Melanoma"));
        assert!(addresses_the_reader(
            "Talk with your doctor before using soy."
        ));
        assert!(addresses_the_reader(
            "If you have many tumors, cystectomy may be an option."
        ));
        assert!(!addresses_the_reader(
            "Young patients tolerate chemotherapy better."
        ));
    }

    fn passage(text: &str, citations: Vec<Mark>) -> Passage {
        Passage {
            id: PassageId {
                doc: DocId::new("d"),
                ordinal: 0,
            },
            section_path: vec![],
            text: text.to_string(),
            citations,
            evidence_levels: vec![],
        }
    }

    #[test]
    fn trial_registry_numbers_are_dropped_not_the_sentence() {
        let p = passage(
            "In a phase III trial (KATHERINE [NCT01772472]), women with residual disease were randomly assigned to T-DM1 or trastuzumab. A second trial ([NCT00045032]) enrolled more women than expected. Results are in [brackets] here today.",
            vec![],
        );
        let texts: Vec<String> = units(&p, false).into_iter().map(|u| u.text).collect();
        assert_eq!(
            texts,
            vec![
                "In a phase III trial (KATHERINE), women with residual disease were randomly assigned to T-DM1 or trastuzumab.",
                "A second trial enrolled more women than expected.",
            ]
        );
    }

    #[test]
    fn sentences_carry_their_own_citations() {
        let text = "Surgery is the only curative treatment for local recurrence. Imaging with pelvic MRI helps define sacral involvement.";
        let first_end = text.find(" Imaging").unwrap();
        let p = passage(
            text,
            vec![
                Mark {
                    offset: first_end,
                    value: "s1".into(),
                },
                Mark {
                    offset: text.len(),
                    value: "s2".into(),
                },
            ],
        );
        let u = units(&p, false);
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].studies, vec!["s1"]);
        assert_eq!(u[1].studies, vec!["s2"]);
    }

    #[test]
    fn a_list_joins_its_lead_in() {
        let p = passage(
            "Treatment options for recurrent disease include:\n1. Surgery with or without radiation.\n2. Systemic therapy.\n3. Palliative care.",
            vec![],
        );
        let u = units(&p, false);
        assert_eq!(u.len(), 1);
        assert_eq!(
            u[0].text,
            "Treatment options for recurrent disease include: surgery with or without radiation; systemic therapy; palliative care."
        );
    }

    #[test]
    fn a_list_announced_by_the_following_holds_what_it_announces() {
        let p = passage(
            "Outpatients without comorbidities may receive one of the following:\n- Amoxicillin (strong recommendation).\n- Doxycycline (conditional recommendation).\n\nThe regimens are described in the following section on inpatients.",
            vec![],
        );
        let texts: Vec<String> = units(&p, false).into_iter().map(|u| u.text).collect();
        // The joined list stands; a sentence that points at text elsewhere does not.
        assert_eq!(
            texts,
            vec![
                "Outpatients without comorbidities may receive one of the following: amoxicillin (strong recommendation); doxycycline (conditional recommendation)."
            ],
        );
    }

    #[test]
    fn table_cells_and_verbless_items_are_not_statements() {
        let p = passage(
            "Stages IIIB and IIIC NSCLC | Chemoradiation therapy\nMaintenance therapy after first-line chemotherapy (for patients with stable or responding disease after four cycles of platinum-based combination chemotherapy)\nSurgery is preferred for patients who can tolerate it (for example, those with good lung function)\n",
            vec![],
        );
        let texts: Vec<String> = units(&p, false).into_iter().map(|u| u.text).collect();
        assert_eq!(
            texts,
            vec![
                "Surgery is preferred for patients who can tolerate it (for example, those with good lung function)."
            ],
        );
    }

    proptest::proptest! {
        /// Any passage text with any citation offsets gives statements that are non-empty,
        /// end a sentence, and cite only the passage's own keys.
        #[test]
        fn units_never_panic_and_cite_only_their_passage(
            text in "(?s)[A-Za-z0-9 .,;:()\\-\n|=é]{0,400}",
            offsets in proptest::collection::vec(0usize..420, 0..6),
        ) {
            let marks: Vec<Mark> = offsets
                .iter()
                .enumerate()
                .map(|(i, &o)| Mark { offset: o.min(text.len()), value: format!("k{i}") })
                .collect();
            let p = passage(&text, marks.clone());
            for u in units(&p, false) {
                proptest::prop_assert!(!u.text.trim().is_empty());
                proptest::prop_assert!(u.text.ends_with(['.', '!', ')']));
                for k in &u.studies {
                    proptest::prop_assert!(marks.iter().any(|m| &m.value == k));
                }
            }
        }
    }

    #[test]
    fn table_cells_and_captions_are_not_statements() {
        let p = passage(
            "Several options exist for each stage.\nTreatment Options by Stage\nStage | Options\nCombination chemotherapy alone\nMost patients die of their tumor despite treatment.",
            vec![],
        );
        let texts: Vec<String> = units(&p, false).into_iter().map(|u| u.text).collect();
        assert_eq!(
            texts,
            [
                "Several options exist for each stage.",
                "Most patients die of their tumor despite treatment."
            ]
        );
    }

    #[test]
    fn back_references_are_flagged() {
        let p = passage(
            "Adjuvant chemotherapy improves survival in stage III disease. These results were confirmed in later trials of oxaliplatin. However, it is an imprecise marker of the risk of recurrence.",
            vec![],
        );
        let u = units(&p, false);
        assert!(!u[0].dangling);
        assert!(u[1].dangling);
        assert!(u[2].dangling);
        let p = passage(
            "However, the two approaches have not been directly compared in a randomized study.",
            vec![],
        );
        assert!(units(&p, false)[0].dangling);
        let p = passage(
            "Historically, HER2-directed therapies have not improved outcomes in these patients.",
            vec![],
        );
        assert!(units(&p, false)[0].dangling);
        // A demonstrative inside the sentence points back too; "this is" does not.
        let p = passage(
            "Based on this trial, CAPOX became a standard regimen. Men should be made aware of this potential complication. The dose was reduced, and this is why toxicity fell.",
            vec![],
        );
        let u = units(&p, false);
        assert!(u[0].dangling);
        assert!(u[1].dangling);
        assert!(!u[2].dangling);
    }
}
