//! The intent of a question, scored from cue phrases.
//!
//! # Scoring
//!
//! Each intent has cue patterns with a strength: 4 for a phrase that settles the intent
//! together with another ("next step in the workup"), 3 for an explicit question form ("what
//! is the next step", "what is the evidence", "side effects"), 2 for a topic word
//! ("treatment", "survival", "imaging"), 1 for a weak hint ("mg", "versus"). Cues are looked
//! for in the expanded, lowercased question. A cue inside an *asking sentence* (a sentence
//! that ends with a question mark, or the whole text when there is none) counts double, so
//! that "treatment" in the case description does not outvote "workup" in the question
//! itself; a cue among the first eight words of an asking sentence (its interrogative
//! head: "What is the prognosis ...") gets one more point.
//!
//! An intent's score is its strongest cue. The highest score wins; on a tie, the intent with
//! more cues; then the one whose strongest cue comes first; then [`PRIORITY`]. A question
//! without cues is [`Intent::General`].
//!
//! # Explicit priority rules
//!
//! - "next step in the workup/evaluation/diagnosis" is diagnosis, stronger than "next step".
//! - "prophylaxis"/"prophylactic" is prevention, except next to antiemetic wording
//!   ("antiemetic prophylaxis", "prophylaxis of nausea"), where it is treatment.
//! - "does X improve/reduce ..." and "is there evidence" are evidence even when the outcome
//!   named is survival (prognosis) or risk (prevention), because they are stronger cues.
//! - Ties between equally strong, equally many cues go to the earlier cue, then to
//!   [`PRIORITY`]: the more specific question types first.

use std::sync::LazyLock;

use regex::Regex;

use super::Intent;

/// Tie-break order, most specific first.
pub(crate) const PRIORITY: [Intent; 12] = [
    Intent::NextStep,
    Intent::Dosing,
    Intent::AdverseEffects,
    Intent::Evidence,
    Intent::Mechanism,
    Intent::Prognosis,
    Intent::FollowUp,
    Intent::Screening,
    Intent::Prevention,
    Intent::Diagnosis,
    Intent::Treatment,
    Intent::General,
];

const CUES: &[(Intent, u8, &str)] = &[
    // next step
    (
        Intent::NextStep,
        3,
        r"\bnext (?:best |appropriate |most appropriate )?steps?\b",
    ),
    (
        Intent::NextStep,
        3,
        r"\b(?:best|most appropriate) next steps?\b",
    ),
    (
        Intent::NextStep,
        3,
        r"\bhow (?:should|would|do|can|to) (?:(?:i|we|you|one)\s+)?(?:best\s+)?(?:manage|approach|handle)\b",
    ),
    (
        Intent::NextStep,
        3,
        r"\bhow should\b.{0,80}?\bbe (?:managed|handled|approached)\b",
    ),
    (
        Intent::NextStep,
        3,
        r"\bwhat (?:should|do|would|can) (?:i|we|you) do\b",
    ),
    (
        Intent::NextStep,
        3,
        r"\bwhat (?:should|would|do) (?:i|we|you) (?:suggest|recommend|advise|propose)\b|\bshould (?:we|i|she|he) (?:keep|continue|stop|hold|switch|change)\b",
    ),
    (
        Intent::NextStep,
        3,
        r"\bwhat (?:is|would be) the (?:best|most appropriate|appropriate|optimal|recommended) (?:management|approach|course of action)\b",
    ),
    (Intent::NextStep, 1, r"\b(?:management|manage|managed)\b"),
    (
        Intent::NextStep,
        2,
        r"\bwhat (?:now|next)\b|\bhow to proceed\b|\bhow do (?:i|we) proceed\b",
    ),
    // diagnosis
    (
        Intent::Diagnosis,
        4,
        r"\bnext (?:best )?steps? in (?:the )?(?:work-?up|evaluation|diagnos\w*|investigation|imaging)\b",
    ),
    (
        Intent::Diagnosis,
        3,
        r"\bwork-?up\b|\bdiagnostic (?:test|tests|approach|evaluation|work-?up|imaging|study|studies)\b",
    ),
    (
        Intent::Diagnosis,
        3,
        r"\bhow (?:is|are|should|can|do (?:i|we|you))\b.{0,60}?\bdiagnos(?:e|ed)\b|\bdiagnose\b",
    ),
    (
        Intent::Diagnosis,
        3,
        r"\b(?:what|which) (?:\w+ ){0,2}(?:test|tests|imaging|scan|scans|study|studies|labs|investigations?|modality)\b",
    ),
    (
        Intent::Diagnosis,
        3,
        r"\bdifferential diagnosis\b|\bconfirm the diagnosis\b|\bestablish the diagnosis\b",
    ),
    (
        Intent::Diagnosis,
        2,
        r"\bimaging\b|\bstag(?:ing|ed)\b|\bevaluat(?:e|ion)\b|\binvestigat(?:e|ion)\b|\bbiopsy\b|\bdiagnosis\b|\b(?:signs?|symptoms?) of\b",
    ),
    // treatment
    (
        Intent::Treatment,
        3,
        r"\bhow (?:should|is|are|would|do (?:i|we|you))\b.{0,80}?\bbe treated\b|\bhow (?:to|do (?:i|we|you)) treat\b",
    ),
    // "How are hot flashes managed?": a condition's treatment, not a patient's next step.
    (
        Intent::Treatment,
        3,
        r"\bhow (?:is|are) (?:[\w-]+\s+){1,6}?(?:managed|treated|controlled|relieved)\b",
    ),
    (
        Intent::Treatment,
        3,
        r"\b(?:therapy|treatment|regimen) should\b|\b(?:should|can|could|may) (?:she|he|they|the patient|this patient|i|we) (?:receive|get|take|be given|be offered|be started on|start)\b",
    ),
    (
        Intent::Treatment,
        3,
        r"\b(?:which|what) (?:\w+ ){0,3}(?:drugs?|agents?|regimens?|medications?|therapy|therapies|treatments?|chemotherapy|options?)\b",
    ),
    (
        Intent::Treatment,
        3,
        r"\b(?:first|second|third)-?line\b|\bstandard of care\b|\btreatment of choice\b|\bdrug of choice\b",
    ),
    (
        Intent::Treatment,
        3,
        r"\b(?:best|optimal|preferred|recommended) (?:treatment|therapy|regimen|option|options|systemic therapy)\b",
    ),
    (
        Intent::Treatment,
        2,
        r"\btreatments?\b|\btreat\b|\btherapy\b|\bconsolidation\b|\bmaintenance\b|\bregimen\b|\bshould be (?:given|used|administered|offered)\b|\bindicated\b",
    ),
    (Intent::Treatment, 1, r"\brecommended\b|\brole of\b"),
    // follow-up
    (
        Intent::FollowUp,
        3,
        r"\bfollow(?:ed)?[- ]?up\b|\bsurveillance\b|\bmonitoring after\b|\bpost-?treatment (?:monitoring|imaging)\b",
    ),
    (
        Intent::FollowUp,
        2,
        r"\bhow often\b|\bmonitor(?:ed|ing)?\b|\bafter (?:completing|completion of|finishing) (?:treatment|therapy|chemotherapy|radiation)\b",
    ),
    // prognosis
    (
        Intent::Prognosis,
        3,
        r"\bprognosis\b|\blife expectancy\b|\bchances? of (?:cure|survival|surviving)\b|\bhow long (?:will|does|do|can|would) (?:she|he|they|i|the patient)\b|\b\d+-?year survival\b|\boutlook\b",
    ),
    (
        Intent::Prognosis,
        2,
        r"\bsurvival\b|\bprognostic\b|\bcure rate\b",
    ),
    // Whether deferring treatment is safe asks what happens meanwhile, not about side
    // effects.
    (
        Intent::Prognosis,
        3,
        r"\bsafe to (?:wait|delay|defer|postpone|hold off|watch)\b|\b(?:risks?|dangers?) of (?:waiting|delaying|deferring)\b",
    ),
    // screening
    (Intent::Screening, 3, r"\bscreen(?:ing|ed|s)?\b"),
    // prevention
    (
        Intent::Prevention,
        3,
        r"\bprevent(?:ion|ing|ive|ed|s)?\b|\b(?:reduc|lower|decreas|cut)(?:e|es|ed|ing|s)? (?:the |her |his |their |my |your |our )?(?:risk|chances?) of\b|\b(?:reduc|lower|decreas)(?:e|es|ed|ing|s)? (?:her |his |their |my |your |our )(?:risk|chances?)\b|\brisk[- ]reduc(?:tion|ing)\b|\bchemoprevention\b",
    ),
    (Intent::Prevention, 2, r"\bprophyla(?:xis|ctic)\b"),
    // dosing
    (
        Intent::Dosing,
        3,
        r"\bdos(?:e|es|ing|age|ed)\b|\bhow much\b|\bhow many (?:mg|milligrams|units|tablets)\b|\btitrat(?:e|ion)\b",
    ),
    (Intent::Dosing, 1, r"\bmg(?:/kg|/m2)?\b"),
    // adverse effects
    (
        Intent::AdverseEffects,
        3,
        r"\bside[- ]effects?\b|\badverse (?:effects?|events?|reactions?)\b|\btoxicit(?:y|ies)\b|\bcardiotoxicity\b|\bneurotoxicity\b",
    ),
    (
        Intent::AdverseEffects,
        2,
        r"\bcomplications?\b|\bis (?:it|\w+) safe\b|\bsafety\b|\binteractions?\b|\brisks of\b",
    ),
    // mechanism
    (
        Intent::Mechanism,
        3,
        r"\bmechanisms?\b|\bmode of action\b|\bhow does\b.{0,50}?\bwork\b|\bpathophysiology\b|\bpathogenesis\b",
    ),
    // evidence
    (
        Intent::Evidence,
        3,
        r"\bwhat (?:is|are) the (?:evidence|data)\b|\bis there (?:any |good |strong )?(?:evidence|data)\b|\btrial data\b|\bwhat do (?:the )?(?:data|trials|studies) show\b",
    ),
    (
        Intent::Evidence,
        3,
        r"\b(?:does|do|did) (?:\S+ ){1,8}?(?:improve|reduce|increase|prolong|extend|lower|decrease|benefit)\b",
    ),
    (
        Intent::Evidence,
        2,
        r"\bevidence\b|\b(?:randomi[sz]ed|clinical|phase (?:2|3|ii|iii)) trials?\b|\bmeta-?analys[ie]s\b|\befficacy\b|\bis \S+ (?:\S+ )?(?:effective|superior|better|inferior)\b",
    ),
    (
        Intent::Evidence,
        1,
        r"\bcompared (?:with|to)\b|\bversus\b|\bvs\.?\b",
    ),
];

/// Antiemetic wording that turns "prophylaxis" into a treatment question.
static ANTIEMETIC: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"\b(?:antiemetics?|emesis|emetogenic|nausea|vomiting|cinv)\b")
        .expect("antiemetic")
});

/// Wordings about the patient's history that contain cue words.
static NOT_A_CUE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"\b(?:treatment|therapy|chemotherapy|chemo|hormone)[- ]na[iï]ve\b|\b(?:previously |un)?treated\b|\bcompleted (?:treatment|therapy)\b")
        .expect("not a cue")
});

static COMPILED: LazyLock<Vec<(Intent, u8, Regex)>> = LazyLock::new(|| {
    CUES.iter()
        .map(|&(intent, weight, pattern)| {
            (
                intent,
                weight,
                crate::pattern::regex(pattern).expect("intent cue"),
            )
        })
        .collect()
});

/// Byte ranges of the asking sentences of a lowercased question (those ending in '?'), or
/// of the whole text when there is none.
fn asking_sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(q) = text[from..].find('?').map(|i| from + i) {
        let head = &text[..q];
        let start = head
            .char_indices()
            .rev()
            .find(|&(i, c)| {
                matches!(c, '?' | '!')
                    || (c == '.' && text[i + 1..].starts_with(char::is_whitespace))
            })
            .map_or(0, |(i, _)| i + 1);
        out.push((start, q + 1));
        from = q + 1;
    }
    if out.is_empty() {
        out.push((0, text.len()));
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Score {
    best: u8,
    count: u8,
    first: usize,
}

/// The intent of `expanded` (the question with shorthand written out).
pub(super) fn classify(expanded: &str) -> Intent {
    let lower = expanded.to_lowercase();
    let mut text = lower.clone();
    // "treatment-naive", "previously untreated" describe the patient, not the question.
    for m in NOT_A_CUE.find_iter(&lower) {
        text.replace_range(m.range(), &" ".repeat(m.len()));
    }
    let text = text;
    // Each asking sentence with the end of its interrogative head (its first eight words).
    let asking: Vec<(usize, usize, usize)> = asking_sentences(&text)
        .into_iter()
        .map(|(start, end)| {
            let head_end = text[start..end]
                .split_whitespace()
                .take(8)
                .last()
                .and_then(|w| text[start..].find(w).map(|i| start + i + w.len()))
                .unwrap_or(end);
            (start, end, head_end)
        })
        .collect();
    let antiemetic = ANTIEMETIC.is_match(&text);
    let mut scores = [Score::default(); 12];
    for (intent, weight, regex) in COMPILED.iter() {
        for m in regex.find_iter(&text) {
            let mut intent = *intent;
            if intent == Intent::Prevention && *weight == 2 && antiemetic {
                intent = Intent::Treatment;
            }
            let mut w = *weight;
            if let Some(&(_, _, head_end)) = asking
                .iter()
                .find(|&&(start, end, _)| m.start() >= start && m.start() < end)
            {
                w *= 2;
                if m.start() < head_end {
                    w += 1;
                }
            }
            let s = &mut scores[index(intent)];
            if w > s.best || (w == s.best && m.start() < s.first) {
                s.best = w;
                s.first = m.start();
            }
            s.count = s.count.saturating_add(1);
        }
    }
    PRIORITY
        .iter()
        .filter(|i| scores[index(**i)].best > 0)
        .max_by(|a, b| {
            let (sa, sb) = (scores[index(**a)], scores[index(**b)]);
            sa.best
                .cmp(&sb.best)
                .then(sa.count.cmp(&sb.count))
                .then(sb.first.cmp(&sa.first))
                // `max_by` keeps the last of equals: prefer the earlier in PRIORITY.
                .then(rank(**b).cmp(&rank(**a)))
        })
        .copied()
        .unwrap_or(Intent::General)
}

fn index(intent: Intent) -> usize {
    Intent::ALL
        .iter()
        .position(|i| *i == intent)
        .expect("intent in ALL")
}

fn rank(intent: Intent) -> usize {
    PRIORITY
        .iter()
        .position(|i| *i == intent)
        .expect("intent in PRIORITY")
}
