//! Tests of the clinical lexicon: the built-in file, matching rules and expansion.

use super::*;
use proptest::prelude::*;

fn ids<'a>(matches: &[Match<'a>]) -> Vec<&'a str> {
    matches.iter().map(|m| m.concept.id.as_str()).collect()
}

fn added_lower(e: &Expansion) -> Vec<String> {
    e.added.iter().map(|a| a.to_lowercase()).collect()
}

#[test]
fn builtin_lexicon_parses_and_is_substantial() {
    let lex = Lexicon::builtin();
    assert!(lex.len() >= 200, "only {} concepts", lex.len());
    for concept in lex {
        assert!(!concept.terms.is_empty());
        assert_eq!(concept.terms.len(), concept.tokens.len());
    }
    assert!(lex.concept("myocardial_infarction").is_some());
    assert_eq!(
        lex.concept("status_post").unwrap().category,
        Category::Shorthand
    );
}

#[test]
fn builtin_has_no_term_in_two_concepts() {
    let mut owner: HashMap<(bool, Vec<String>), &str> = HashMap::new();
    for concept in Lexicon::builtin() {
        for (i, toks) in concept.tokens.iter().enumerate() {
            let key = (concept.case_sensitive[i], toks.clone());
            if let Some(other) = owner.insert(key, &concept.id) {
                panic!(
                    "term `{}` is in both `{other}` and `{}`",
                    concept.terms[i], concept.id
                );
            }
        }
    }
}

#[test]
fn clinical_note_expands_shorthand_and_abbreviations() {
    let e = Lexicon::builtin().expand_query("62M s/p CRT, h/o MI, new 1.2 cm presacral lesion");
    let added = added_lower(&e);
    for wanted in [
        "status post",
        "chemoradiation",
        "chemoradiotherapy",
        "history of",
        "myocardial infarction",
    ] {
        assert!(
            added.contains(&wanted.to_string()),
            "{wanted} missing from {added:?}"
        );
    }
    assert!(e.expanded_text().contains("radiotherapy"));
    assert!(added.contains(&"male".to_string()));
    assert!(!added.iter().any(|a| a == "s/p" || a == "crt" || a == "mi"));
    assert!(e.expanded_text().starts_with(&e.original));
}

#[test]
fn egfr_and_egfr_receptor_are_distinguished_by_case() {
    let lex = Lexicon::builtin();
    let rate = added_lower(&lex.expand_query("eGFR 25"));
    assert!(rate.contains(&"estimated glomerular filtration rate".to_string()));
    assert!(!rate.iter().any(|a| a.contains("epidermal")), "{rate:?}");

    let gene = added_lower(&lex.expand_query("EGFR mutation"));
    assert!(gene.contains(&"epidermal growth factor receptor".to_string()));
    assert!(!gene.iter().any(|a| a.contains("glomerular")), "{gene:?}");

    assert!(lex.find("egfr").is_empty());
}

#[test]
fn matching_is_case_insensitive_by_default() {
    let matches = Lexicon::builtin().find("History of Atrial Fibrillation");
    assert_eq!(ids(&matches), ["history_of", "atrial_fibrillation"]);
    let m = &matches[1];
    assert_eq!(m.term, "atrial fibrillation");
    assert_eq!(
        &"History of Atrial Fibrillation"[m.start..m.end],
        "Atrial Fibrillation"
    );
}

#[test]
fn terms_respect_word_boundaries() {
    let lex = Lexicon::builtin();
    assert!(lex.find("mission").is_empty());
    assert!(lex.find("ami").iter().all(|m| m.term == "ami"));
    assert!(ids(&lex.find("submission of the MI data")).contains(&"myocardial_infarction"));
    assert!(!ids(&lex.find("pet owners")).contains(&"pet"));
    assert_eq!(ids(&lex.find("PET scan")), ["pet"]);
    assert_eq!(ids(&lex.find("staging PET")), ["pet"]);
    assert!(lex.find("Mother").is_empty());
    assert_eq!(ids(&lex.find("a 45 F")), ["female"]);
}

#[test]
fn longest_match_wins_and_hyphen_equals_space() {
    let lex = Lexicon::builtin();
    assert_eq!(
        ids(&lex.find("non-small cell lung cancer")),
        ["non_small_cell_lung_cancer"]
    );
    assert_eq!(
        ids(&lex.find("non small cell lung cancer")),
        ["non_small_cell_lung_cancer"]
    );
    assert_eq!(ids(&lex.find("chemo radiation")), ["chemoradiation"]);
    assert_eq!(ids(&lex.find("chemo-radiation")), ["chemoradiation"]);
    assert_eq!(ids(&lex.find("FDG PET/CT")), ["pet_ct"]);
    assert_eq!(ids(&lex.find("stage IV")), ["stage_iv"]);
    assert_eq!(ids(&lex.find("BRAF V600E")), ["braf_v600e"]);
    assert_eq!(ids(&lex.find("w/o contrast")), ["without"]);
    assert_eq!(ids(&lex.find("w/ contrast")), ["with"]);
    let m = &lex.find("pt s/p LAR")[1];
    assert_eq!((m.start, m.end, m.term.as_str()), (3, 6, "s/p"));
}

#[test]
fn case_sensitive_short_forms() {
    let lex = Lexicon::builtin();
    assert_eq!(ids(&lex.find("suspected PE")), ["pulmonary_embolism"]);
    assert!(lex.find("pe").is_empty());
    assert_eq!(ids(&lex.find("PT and INR")), ["prothrombin_time", "inr"]);
    assert_eq!(
        ids(&lex.find("pt with fever")),
        ["patient", "with", "fever"]
    );
    assert!(!ids(&lex.find("all patients")).contains(&"acute_lymphoblastic_leukemia"));
    assert_eq!(
        ids(&lex.find("pediatric ALL")),
        ["pediatric", "acute_lymphoblastic_leukemia"]
    );
}

#[test]
fn shorthand_expands_only_to_words() {
    let lex = Lexicon::builtin();
    let e = lex.expand_query("w/o contrast");
    assert_eq!(e.added, ["without"]);
    let e = lex.expand_query("status post surgery");
    assert!(
        !e.added.iter().any(|a| a == "s/p" || a == "after"),
        "{:?}",
        e.added
    );
}

#[test]
fn expansion_skips_terms_already_present_and_dedupes() {
    let lex = Lexicon::builtin();
    let e = lex.expand_query("MI or myocardial infarction, heart attack");
    assert!(!added_lower(&e).contains(&"myocardial infarction".to_string()));
    assert!(!added_lower(&e).contains(&"heart attack".to_string()));
    let mut sorted = added_lower(&e);
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), e.added.len());
    let nothing = lex.expand_query("zzz qqq");
    assert!(nothing.added.is_empty());
    assert_eq!(nothing.expanded_text(), "zzz qqq");
}

#[test]
fn parse_errors_carry_line_numbers() {
    let cases = [
        ("# c\n\nx\tcondition\n", 3, "3 or 4 tab-separated columns"),
        (
            "a\tcondition\tfoo\nb\tcondition\tfoo||bar\n",
            2,
            "empty term",
        ),
        ("a\tdisease\tfoo\n", 1, "unknown category"),
        ("a\tcondition\t=foo\n", 1, "uppercase"),
        ("a\tcondition\t--\n", 1, "no letter"),
        ("a\tcondition\tfoo\n\na\tdrug\tbar\n", 3, "already declared"),
        ("\tcondition\tfoo\n", 1, "empty concept id"),
    ];
    for (text, line, fragment) in cases {
        match Lexicon::parse(text) {
            Err(CoreError::Lexicon { line: l, message }) => {
                assert_eq!(l, line, "{text:?}: {message}");
                assert!(message.contains(fragment), "{text:?}: {message}");
            }
            other => panic!("{text:?}: expected a lexicon error, got {other:?}"),
        }
    }
}

#[test]
fn parse_handles_crlf_comments_and_merges_repeated_ids() {
    let lex = Lexicon::parse("# header\r\nfoo\tdrug\tfoozole|fz\r\n\r\nfoo\tdrug\tfz|foozolix\r\n")
        .unwrap();
    assert_eq!(lex.len(), 1);
    assert_eq!(
        lex.concept("foo").unwrap().terms,
        ["foozole", "fz", "foozolix"]
    );
    assert_eq!(lex.concept("foo").unwrap().preferred(), "foozole");
}

#[test]
fn extend_merges_and_adds() {
    let mut lex = Lexicon::parse("mi\tcondition\tmyocardial infarction|mi\n").unwrap();
    let extra = Lexicon::parse("mi\tfinding\tmi|heart attack\nxyz\tdrug\txyzumab|=XYZ\n").unwrap();
    lex.extend(extra);
    assert_eq!(lex.len(), 2);
    let mi = lex.concept("mi").unwrap();
    assert_eq!(mi.category, Category::Condition);
    assert_eq!(mi.terms, ["myocardial infarction", "mi", "heart attack"]);
    assert_eq!(ids(&lex.find("heart attack on XYZ")), ["mi", "xyz"]);
    assert!(lex.find("xyz").is_empty());
    assert!(lex.concept("xyz").unwrap().is_case_sensitive(1));

    let mut builtin = Lexicon::builtin().clone();
    let before = builtin.len();
    builtin.extend(Lexicon::parse("myocardial_infarction\tcondition\tcardiac infarct\n").unwrap());
    assert_eq!(builtin.len(), before);
    assert_eq!(
        ids(&builtin.find("old cardiac infarct")),
        ["myocardial_infarction"]
    );
}

#[test]
fn a_class_and_its_members_expand_each_other() {
    let lex = Lexicon::parse(
        "bma\tdrug\tbone-modifying agent|=BMA\n\
         denosumab\tdrug\tdenosumab|xgeva\tbma\n\
         zoledronic_acid\tdrug\tzoledronic acid\tbma|bisphosphonate\n\
         bisphosphonate\tdrug\tbisphosphonate\n",
    )
    .unwrap();
    // A member finds what is written of its class (every term of it) ...
    let added = added_lower(&lex.expand_query("stop denosumab before extraction?"));
    assert!(
        added.contains(&"bone-modifying agent".to_string()),
        "{added:?}"
    );
    assert!(added.contains(&"bma".to_string()), "{added:?}");
    assert!(
        !added.contains(&"zoledronic acid".to_string()),
        "siblings are not added: {added:?}"
    );
    // ... and a class finds its members by their preferred term.
    let added = added_lower(&lex.expand_query("risk of osteonecrosis with a BMA"));
    assert!(added.contains(&"denosumab".to_string()), "{added:?}");
    assert!(added.contains(&"zoledronic acid".to_string()), "{added:?}");
    assert!(!added.contains(&"xgeva".to_string()), "{added:?}");
    assert!(lex.unknown_broader().is_empty());
    assert_eq!(
        lex.concept("zoledronic_acid").unwrap().broader,
        ["bma", "bisphosphonate"]
    );
}

#[test]
fn unknown_broader_ids_are_reported_and_cycles_end() {
    let lex = Lexicon::parse("a\tdrug\talpha\tb\nb\tdrug\tbeta\ta|nope\n").unwrap();
    assert_eq!(lex.unknown_broader(), [("b", "nope")]);
    let added = added_lower(&lex.expand_query("alpha"));
    assert_eq!(added, ["beta"]);
    assert!(Lexicon::parse("a\tdrug\talpha\tb c\n").is_err());
}

#[test]
fn the_builtin_relations_name_known_concepts() {
    assert_eq!(
        Lexicon::builtin().unknown_broader(),
        Vec::<(&str, &str)>::new()
    );
}

#[test]
fn category_serializes_snake_case() {
    assert_eq!(
        serde_json::to_string(&Category::Biomarker).unwrap(),
        "\"biomarker\""
    );
    let c: Category = serde_json::from_str("\"population\"").unwrap();
    assert_eq!(c, Category::Population);
    assert_eq!(
        "shorthand".parse::<Category>().unwrap(),
        Category::Shorthand
    );
}

#[test]
#[ignore = "timing; run with --release --ignored"]
fn find_is_fast_on_a_thirty_word_query() {
    let lex = Lexicon::builtin();
    let q = "62M s/p CRT for locally advanced rectal cancer, h/o MI and AF on DOAC, \
             eGFR 25, new 1.2 cm presacral lesion on PET/CT w/o lymphadenopathy, CEA rising";
    let n = 10_000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(lex.find(std::hint::black_box(q)));
    }
    let per = t.elapsed() / n;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(lex.expand_query(std::hint::black_box(q)));
    }
    let per_expand = t.elapsed() / n;
    eprintln!("find: {per:?} per query, expand_query: {per_expand:?}");
    assert!(per < std::time::Duration::from_micros(100));
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("s/p".to_string()),
        Just("MI".to_string()),
        Just("EGFR".to_string()),
        Just("eGFR".to_string()),
        Just("PET/CT".to_string()),
        Just("non-small cell".to_string()),
        Just("62M".to_string()),
        Just("w/".to_string()),
        Just(" ".to_string()),
        Just("-".to_string()),
        "\\PC{0,4}",
        any::<char>().prop_map(String::from),
    ]
}

fn check_spans(text: &str, matches: &[Match<'_>]) -> Result<(), TestCaseError> {
    let mut last_end = 0;
    for m in matches {
        prop_assert!(m.start < m.end && m.end <= text.len());
        prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        prop_assert!(m.start >= last_end, "overlap or disorder at {}", m.start);
        last_end = m.end;
    }
    Ok(())
}

proptest! {
    #[test]
    fn find_spans_are_valid_on_arbitrary_text(text in any::<String>()) {
        let lex = Lexicon::builtin();
        check_spans(&text, &lex.find(&text))?;
        let e = lex.expand_query(&text);
        prop_assert_eq!(e.original, text);
    }

    #[test]
    fn find_spans_are_valid_on_term_soup(parts in prop::collection::vec(fragment(), 0..24)) {
        let text = parts.concat();
        let lex = Lexicon::builtin();
        check_spans(&text, &lex.find(&text))?;
    }
}

#[test]
fn a_conditions_class_links_say_what_includes_what_without_widening_its_search() {
    let lex = Lexicon::builtin();
    // A subtype knows its parent ...
    let parents: Vec<&str> = lex
        .classes("nasopharyngeal_cancer")
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert!(parents.contains(&"head_and_neck_cancer"), "{parents:?}");
    // ... but searching for the parent does not search for every subtype, nor a subtype
    // for its parent's names.
    let parent = added_lower(&lex.expand_query("head and neck cancer"));
    assert!(
        !parent.iter().any(|a| a.contains("nasopharyngeal")),
        "{parent:?}"
    );
    let subtype = added_lower(&lex.expand_query("nasopharyngeal carcinoma"));
    assert!(!subtype.iter().any(|a| a.contains("hnscc")), "{subtype:?}");
    // Drugs still search by their classes.
    let drug = added_lower(&lex.expand_query("denosumab"));
    assert!(drug.iter().any(|a| a.contains("bone")), "{drug:?}");
}
