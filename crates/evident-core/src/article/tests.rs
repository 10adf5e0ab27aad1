//! Tests of the review rules, slugs, question keys and fact merging.

use super::*;
use crate::lexicon::Lexicon;
use crate::question::{FactStatus, analyze};
use proptest::prelude::*;

fn actor(id: i64, role: Role) -> Actor {
    Actor {
        id: UserId(id),
        name: format!("user{id}"),
        role,
    }
}

fn state(status: ReviewStatus, author: Author) -> ArticleState {
    ArticleState {
        status,
        latest_version: VersionNo(1),
        authors_since_approval: match author {
            Author::User(id) => vec![id],
            Author::System => Vec::new(),
        },
        approved_version: None,
        revision: 1,
    }
}

const POLICY: ReviewPolicy = ReviewPolicy { four_eyes: true };

#[test]
fn the_review_path_submitted_under_review_approved() {
    let s = state(ReviewStatus::Submitted, Author::System);
    let reviewer = actor(2, Role::Reviewer);
    let d = decide_transition(&s, &reviewer, ReviewStatus::UnderReview, None, POLICY).unwrap();
    assert_eq!(d.status, ReviewStatus::UnderReview);
    let s = ArticleState {
        status: d.status,
        ..s
    };
    let d = decide_transition(
        &s,
        &reviewer,
        ReviewStatus::Approved,
        Some(VersionNo(1)),
        POLICY,
    )
    .unwrap();
    assert_eq!(d.approved_version, Some(VersionNo(1)));
}

#[test]
fn readers_may_not_review_or_edit() {
    let s = state(ReviewStatus::Submitted, Author::System);
    let reader = actor(1, Role::Reader);
    assert!(matches!(
        decide_transition(&s, &reader, ReviewStatus::UnderReview, None, POLICY),
        Err(RuleError::Forbidden { .. })
    ));
    assert!(matches!(
        decide_edit(&s, &reader, VersionNo(1)),
        Err(RuleError::Forbidden { .. })
    ));
}

#[test]
fn illegal_transitions_are_refused_with_a_hint() {
    let reviewer = actor(2, Role::Reviewer);
    let s = state(ReviewStatus::Submitted, Author::System);
    let err = decide_transition(
        &s,
        &reviewer,
        ReviewStatus::Approved,
        Some(VersionNo(1)),
        POLICY,
    )
    .unwrap_err();
    assert!(err.to_string().contains("under review first"), "{err}");
    let s = state(ReviewStatus::ChangesRequested, Author::System);
    let err =
        decide_transition(&s, &reviewer, ReviewStatus::UnderReview, None, POLICY).unwrap_err();
    assert!(err.to_string().contains("propose a new version"), "{err}");
    let s = state(ReviewStatus::Rejected, Author::System);
    assert!(decide_transition(&s, &reviewer, ReviewStatus::UnderReview, None, POLICY).is_err());
}

#[test]
fn four_eyes_stops_self_approval_unless_switched_off() {
    let mut s = state(ReviewStatus::UnderReview, Author::User(UserId(3)));
    let author = actor(3, Role::Editor);
    let seen = Some(VersionNo(1));
    let approve = |s: &ArticleState, who: &Actor, policy| {
        decide_transition(s, who, ReviewStatus::Approved, seen, policy)
    };
    let err = approve(&s, &author, POLICY).unwrap_err();
    assert!(matches!(err, RuleError::OwnVersion { .. }));
    let solo = ReviewPolicy { four_eyes: false };
    assert!(approve(&s, &author, solo).is_ok());
    // Another reviewer may approve it; the author may approve a system-written version.
    assert!(approve(&s, &actor(4, Role::Reviewer), POLICY).is_ok());
    s.authors_since_approval.clear();
    assert!(approve(&s, &author, POLICY).is_ok());
}

#[test]
fn four_eyes_covers_every_version_since_the_last_approval() {
    // A wrote v2, B wrote v3 (one full stop): A may not approve v3, which carries A's
    // change; B may not either; a third reviewer may.
    let s = ArticleState {
        status: ReviewStatus::UnderReview,
        latest_version: VersionNo(3),
        authors_since_approval: vec![UserId(3), UserId(4)],
        approved_version: None,
        revision: 3,
    };
    let seen = Some(VersionNo(3));
    for who in [actor(3, Role::Reviewer), actor(4, Role::Reviewer)] {
        let err = decide_transition(&s, &who, ReviewStatus::Approved, seen, POLICY).unwrap_err();
        assert!(err.to_string().contains("four-eyes"), "{err}");
    }
    let d = decide_transition(
        &s,
        &actor(5, Role::Reviewer),
        ReviewStatus::Approved,
        seen,
        POLICY,
    )
    .unwrap();
    assert_eq!(d.approved_version, Some(VersionNo(3)));
    // The authors may still request changes or reject.
    assert!(
        decide_transition(
            &s,
            &actor(3, Role::Reviewer),
            ReviewStatus::Rejected,
            None,
            POLICY
        )
        .is_ok()
    );
}

#[test]
fn an_approval_names_the_version_it_approves() {
    let s = state(ReviewStatus::UnderReview, Author::System);
    let reviewer = actor(2, Role::Reviewer);
    assert_eq!(
        decide_transition(&s, &reviewer, ReviewStatus::Approved, None, POLICY),
        Err(RuleError::UnnamedVersion {
            latest: VersionNo(1)
        })
    );
}

#[test]
fn a_stale_version_is_a_conflict() {
    let mut s = state(ReviewStatus::UnderReview, Author::System);
    s.latest_version = VersionNo(3);
    let reviewer = actor(2, Role::Reviewer);
    assert!(matches!(
        decide_transition(
            &s,
            &reviewer,
            ReviewStatus::Approved,
            Some(VersionNo(2)),
            POLICY
        ),
        Err(RuleError::StaleVersion { .. })
    ));
    assert!(matches!(
        decide_edit(&s, &reviewer, VersionNo(2)),
        Err(RuleError::StaleVersion { .. })
    ));
}

#[test]
fn editing_an_approved_article_puts_it_under_review_and_keeps_the_approved_version_visible() {
    let mut s = state(ReviewStatus::Approved, Author::System);
    s.approved_version = Some(VersionNo(1));
    let d = decide_edit(&s, &actor(2, Role::Reviewer), VersionNo(1)).unwrap();
    assert_eq!(d.status, ReviewStatus::UnderReview);
    assert_eq!(d.approved_version, Some(VersionNo(1)));
    let after = ArticleState {
        status: d.status,
        latest_version: VersionNo(2),
        approved_version: d.approved_version,
        ..s
    };
    assert_eq!(
        after.visible(),
        Visible {
            version: VersionNo(1),
            pending: false
        }
    );
}

#[test]
fn edits_after_changes_requested_return_to_review_and_rejected_is_final() {
    let reviewer = actor(2, Role::Reviewer);
    let s = state(ReviewStatus::ChangesRequested, Author::System);
    assert_eq!(
        decide_edit(&s, &reviewer, VersionNo(1)).unwrap().status,
        ReviewStatus::UnderReview
    );
    let s = state(ReviewStatus::Rejected, Author::System);
    assert_eq!(
        decide_edit(&s, &reviewer, VersionNo(1)),
        Err(RuleError::EditRejected)
    );
}

#[test]
fn without_an_approval_readers_see_the_latest_version_as_pending() {
    let s = state(ReviewStatus::UnderReview, Author::System);
    assert!(s.visible().pending);
}

#[test]
fn roles_and_statuses_parse_from_their_names() {
    for r in Role::ALL {
        assert_eq!(r.as_str().parse::<Role>(), Ok(r));
    }
    for s in ReviewStatus::ALL {
        assert_eq!(s.as_str().parse::<ReviewStatus>(), Ok(s));
    }
    assert_eq!(
        "Under Review".parse::<ReviewStatus>(),
        Ok(ReviewStatus::UnderReview)
    );
    assert!("boss".parse::<Role>().is_err());
}

#[test]
fn slugs_come_from_the_question() {
    let s = Slug::from_question(
        "Next step for a presacral recurrence of rectal cancer after chemoradiation?",
    );
    assert_eq!(
        s.as_str(),
        "next-step-for-a-presacral-recurrence-of-rectal-cancer-after-chemoradiation"
    );
    assert_eq!(
        Slug::from_question("Sjögren's syndrome?").as_str(),
        "sjogren-s-syndrome"
    );
    assert_eq!(Slug::from_question("???").as_str(), "question");
    assert_eq!(s.numbered(2).as_str(), format!("{s}-2"));
    assert!("Bad Slug".parse::<Slug>().is_err());
    assert!("-x".parse::<Slug>().is_err());
}

proptest! {
    #[test]
    fn every_slug_made_from_text_parses(q in "\\PC{0,200}") {
        let s = Slug::from_question(&q);
        prop_assert!(s.as_str().len() <= 80);
        prop_assert_eq!(s.as_str().parse::<Slug>(), Ok(s.clone()));
    }
}

#[test]
fn the_question_key_ignores_wording_noise_but_not_facts() {
    let lex = Lexicon::builtin();
    let a = analyze(
        "Next step for presacral recurrence of rectal cancer after chemoradiation?",
        lex,
    );
    let b = analyze(
        "next step for  presacral recurrence of rectal cancer after chemoradiation",
        lex,
    );
    assert_eq!(QuestionKey::of(&a), QuestionKey::of(&b));
    let c = analyze(
        "Next step for presacral recurrence of rectal cancer with no prior radiation?",
        lex,
    );
    assert_ne!(QuestionKey::of(&a).facts, QuestionKey::of(&c).facts);
}

#[test]
fn a_follow_up_flips_radiation_and_drops_what_implied_it() {
    let lex = Lexicon::builtin();
    let thread = analyze(
        "62-year-old woman with rectal cancer status post chemoradiation, new presacral lesion: next step?",
        lex,
    );
    assert!(
        thread
            .facts
            .iter()
            .any(|f| f.concept == "radiotherapy" && f.status == FactStatus::Present)
    );
    let follow = analyze("What if she had not received radiation?", lex);
    let merged = merge_facts(&thread.facts, &follow.facts);
    let radio: Vec<_> = merged
        .iter()
        .filter(|f| f.concept == "radiotherapy")
        .collect();
    assert_eq!(radio.len(), 1, "{merged:?}");
    assert_eq!(radio[0].status, FactStatus::Absent);
    assert!(
        !merged
            .iter()
            .any(|f| f.concept == "chemoradiation" && f.status == FactStatus::Present),
        "{merged:?}"
    );
    // What the follow-up does not restate is kept.
    assert!(merged.iter().any(|f| f.concept == "age"), "{merged:?}");
}

#[test]
fn times_show_in_utc() {
    assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
    assert_eq!(format_utc(1_795_000_000_000), "2026-11-18 11:06 UTC");
}

#[test]
fn an_edited_answer_must_keep_its_citations_resolvable() {
    use crate::answer::{Answer, DISCLAIMER};
    let mut answer: Answer = serde_json::from_value(serde_json::json!({
        "schema": "evident.answer/v1", "question": "q", "audience": "physician",
        "intent": "general", "facts": [], "evidence_status": "sufficient",
        "bottom_line": {"text": "Do X.", "citations": [1]}, "sections": [],
        "references": [{"n": 1, "kind": "guideline", "title": "G", "source": null,
            "year": null, "url": null, "pmid": null, "doc_id": null, "evidence": []}],
        "disclaimer": DISCLAIMER, "corpus": {"version": "v", "documents": 1, "passages": 1},
        "timing_ms": {}
    }))
    .unwrap();
    assert_eq!(check_edited_answer(&answer), Ok(()));
    answer.bottom_line.citations = vec![2];
    assert!(check_edited_answer(&answer).unwrap_err().contains("[2]"));
    answer.bottom_line.citations = vec![1];
    answer.disclaimer.clear();
    assert!(check_edited_answer(&answer).is_err());
}

#[test]
fn an_edited_answer_is_capped_in_size_with_a_message_naming_the_cap() {
    use crate::answer::{Answer, DISCLAIMER, Statement};
    let mut answer: Answer = serde_json::from_value(serde_json::json!({
        "schema": "evident.answer/v1", "question": "q", "audience": "physician",
        "intent": "general", "facts": [], "evidence_status": "sufficient",
        "bottom_line": {"text": "Do X.", "citations": []},
        "sections": [{"title": "T", "kind": "treatment", "items": []}],
        "references": [], "disclaimer": DISCLAIMER,
        "corpus": {"version": "v", "documents": 1, "passages": 1}, "timing_ms": {}
    }))
    .unwrap();
    let limits = EditLimits::DEFAULT;
    answer.sections[0].items = vec![
        Statement {
            text: "x".into(),
            citations: vec![]
        };
        limits.statements
    ];
    let err = check_edited_answer(&answer).unwrap_err();
    assert!(err.contains("at most 300"), "{err}");
    answer.sections[0].items.truncate(3);
    assert_eq!(check_edited_answer(&answer), Ok(()));
    answer.disclaimer = "d".repeat(limits.text_chars + 1);
    assert!(
        check_edited_answer(&answer)
            .unwrap_err()
            .contains("disclaimer")
    );
}

#[test]
fn quoted_passages_are_checked_against_the_corpus() {
    use crate::answer::Answer;
    use std::collections::HashMap;
    let answer: Answer = serde_json::from_value(serde_json::json!({
        "schema": "evident.answer/v1", "question": "q", "audience": "physician",
        "intent": "general", "facts": [], "evidence_status": "sufficient",
        "bottom_line": {"text": "Do X.", "citations": [1]}, "sections": [],
        "references": [
            {"n": 1, "kind": "guideline", "title": "G", "source": null, "year": null,
             "url": "https://g.example/", "pmid": null, "doc_id": "g",
             "evidence": [
                {"passage_id": "g#1", "section": null, "text": "Give X."},
                {"passage_id": "g#2", "section": null, "text": "Give 10x the dose."},
                {"passage_id": "g#9", "section": null, "text": "Invented."},
                {"passage_id": "h#1", "section": null, "text": "Other."}
             ]},
            {"n": 2, "kind": "guideline", "title": "H", "source": null, "year": null,
             "url": "https://phish.example/", "pmid": null, "doc_id": "h",
             "evidence": [{"passage_id": "h#1", "section": null, "text": "Other."}]}
        ],
        "disclaimer": "d", "corpus": {"version": "v", "documents": 1, "passages": 1},
        "timing_ms": {}
    }))
    .unwrap();
    let p = |text: &str, title: &str, url: &str| CorpusPassage {
        text: text.into(),
        title: title.into(),
        url: Some(url.into()),
    };
    let corpus: HashMap<String, CorpusPassage> = [
        ("g#1".to_string(), p("Give X.", "G", "https://g.example/")),
        (
            "g#2".to_string(),
            p("Give the usual dose.", "G", "https://g.example/"),
        ),
        ("h#1".to_string(), p("Other.", "H", "https://h.example/")),
    ]
    .into_iter()
    .collect();
    let problems = check_quotes(&answer, &corpus);
    let found: Vec<(u32, &str, QuoteTrouble)> = problems
        .iter()
        .map(|q| (q.reference, q.passage_id.as_str(), q.trouble))
        .collect();
    assert_eq!(
        found,
        vec![
            (1, "g#2", QuoteTrouble::Altered),
            (1, "g#9", QuoteTrouble::NotInCorpus),
            (1, "h#1", QuoteTrouble::OtherDocument),
            (2, "h#1", QuoteTrouble::ReferenceDiffers),
        ]
    );
    assert_eq!(quoted_ids([&answer]), vec!["g#1", "g#2", "g#9", "h#1"]);
}
