//! The cue phrases of assertion detection, compiled once: negation and pseudo-negation triggers, treatment-history cues (before and after, strong, current, population-defining), plan words, hypothetical and testing contexts, biomarker polarity words, and whether a yes-no question asks about a treatment.

use std::sync::LazyLock;

use regex::Regex;

pub(super) static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:no|not|never|without|w/o|w/out|denies|denied|deny|declined|refused|negative for|free of|absence of|lack of|lacks|lacking|nor|neither|none)\b|n[’']t\b",
    )
    .expect("negation regex")
});

/// Phrases that look like negation but are not ("not only", "no further").
pub(super) static PSEUDO_NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        // "never" in "never-smoker" negates the smoking only (a fixed form says so).
        r"(?i)\b(?:not only|no further|no longer|not necessarily|no change|no increase|never[- ]smok\w*)\b",
    )
    .expect("pseudo-negation regex")
});

/// "with or without", "regardless of": the concept does not condition anything.
pub(super) static EITHER_WAY: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)\b(?:with or without|regardless of|irrespective of|whether or not|independent of|independently of)\b")
        .expect("either-way regex")
});

/// History cues that win over a negation trigger before them ("denies pain, s/p ...").
pub(super) static STRONG_HISTORY: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)(?:\bs/p|\bstatus post|\bafter|\bfollowing|\bcurrently on|\bprogress(?:ed|ion|ing) (?:on|after|through|following)|\brefractory to|\bpretreated with)\b",
    )
    .expect("strong history regex")
});

/// History cues before a treatment.
pub(super) static HISTORY_LEFT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)(?:\b(?:s/p|status post|after|following|post|prior|previous|previously|received|receiving|had|underwent|undergone|completed|completion of|finished|history of|h/o|hx of|hx|past|remote|recent|recently|taking|takes|took|using|got|exposure to|exposed to|failed|failure of|intolerant (?:of|to)|course of|cycles of|progress(?:ed|ion|ing) (?:on|after|through|following)|refractory to|pretreated with|treated with|managed with|maintained on|currently on|still on|starting|started on|starts|beginning|begins|initiating|commencing|about to start)\b|\bre-?\s*$|\bon(?:\s+(?:a|an|the|adjuvant|maintenance|long-term|daily|oral|weekly|monthly|high-dose|low-dose|neoadjuvant)){0,2}\s*$)",
    )
    .expect("history regex")
});

/// History cues about treatment going on now.
pub(super) static CURRENT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)^(?:receiving|taking|takes|using|on|currently on|still on|maintained on|starting|started on|starts|beginning|begins|initiating|commencing|about to start)\b",
    )
    .expect("current regex")
});

/// History cues that define a population by themselves.
pub(super) static DEFINING_HISTORY: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:previously|pretreated|refractory|progress(?:ed|ion|ing)|failed|failure|intolerant|naive|naïve)\b|\bre-?\s*$",
    )
    .expect("defining regex")
});

pub(super) static AUXILIARY: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)(?:\b(?:who|that)\s+)?(?:\b(?:have|has|had|were|was|did|do|does|is|are)\s+)?$",
    )
    .expect("auxiliary regex")
});

pub(super) static PRIOR: LazyLock<Regex> =
    LazyLock::new(|| crate::pattern::regex(r"(?i)\b(?:prior|previous)\b").expect("prior regex"));

/// "based on", "data on": an "on" that does not mean "currently taking".
pub(super) static ON_OTHER: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:based|depends?|depending|effects?|impact|focus|data|evidence|stud(?:y|ies)|trials?|information|guidance|recommendations?|advice|comments?|later|early|day|days)\s+on\b",
    )
    .expect("on regex")
});

/// Words about plans and options, which cut a history window.
pub(super) static FUTURE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:plan|plans|planned|planning|consider|considering|considered|candidate|candidates|scheduled|recommend|recommended|offer|offered|should|will|would|need|needs|due|awaiting|eligible|ineligible|unfit|whether|if|versus|vs|before|prior to|ahead of|preceding|until)\b",
    )
    .expect("future regex")
});

/// History cues after a treatment.
pub(super) static HISTORY_RIGHT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)^\W*(?:(?:(?:was|were|has been|had been|have been)\s+)?(?:completed|finished|given|done|performed|administered|delivered|received)\b|in\s+(?:19|20)\d\d\b|x\s*\d|\d+\s*(?:cycles|courses|fractions|gy)\b|\d+\s*(?:years?|months?|weeks?)\s+ago\b|ago\b|previously\b|-?\s*(?:treated|pretreated|exposed|refractory|resistant)\b)",
    )
    .expect("right history regex")
});

/// Negative cues after a treatment ("-naive", "was not given").
pub(super) static NEGATIVE_RIGHT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)^\s*[-\u{2010}\u{2011}]?\s*na[iï]ve\b|^\W*(?:(?:was|were|has|have|had)\s+)?(?:not|never)\s+(?:been\s+)?(?:given|received|done|performed|administered|delivered|offered|used)\b|^\W*(?:was|were)\s+(?:omitted|declined|refused|withheld)\b",
    )
    .expect("negative right regex")
});

/// Contexts in which a condition or finding is not asserted of the patient.
/// A comparison right before a state ("metastatic versus localized disease"): either way.
/// Farther back ("rucaparib versus placebo in women with recurrent ...") it compares
/// treatments, not the population.
pub(super) static VERSUS_NEAR: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)\b(?:versus|vs)\.?\s+(?:[\w-]+\s+)?$").expect("versus regex")
});

pub(super) static HYPOTHETICAL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:risk of|risk for|at risk|prevent|prevents|prevention of|preventing|prophylaxis (?:of|against|for)|screen|screening|screened|rule out|r/o|exclude|excluding|evaluate for|evaluation for|evaluating for|assess for|assessment for|test for|testing for|tested for|work-?up (?:of|for)|family history|mother|father|sister|brother|sibling|daughter|son|aunt|uncle|grandmother|grandfather|signs of|symptoms of|develop|developing|develops|likelihood of|chance of|probability of|incidence of|rate of|rates of|whether|if|cause|causes|causing|lead to|leads to|side effects?|adverse|toxicity|complications?|avoid|avoiding|reduce|reduces|reducing|treat|treating|manage|managing)\b",
    )
    .expect("hypothetical regex")
});

/// Testing contexts in which a biomarker's polarity is not a fact.
pub(super) static TEST_LEFT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b(?:test|tests|testing|tested|assess|assessed|assessing|assessment of|determine|determined|determining|determination of|evaluate|evaluated|evaluating|whether|screen|screening|analysis of|measure|measured|measuring)\b",
    )
    .expect("test regex")
});

pub(super) static TEST_RIGHT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)^\W*(?:test|tests|testing|tested|status|assay|assays|analysis|assessment)\b",
    )
    .expect("test right regex")
});

pub(super) static BIOMARKER_POSITIVE_RIGHT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)^(?:\s*\+|\s*[-\u{2010}\u{2011}]?\s*(?:positive|pos|amplified|amplification|over-?expressing|over-?expression|over-?expressed|mutated|mutant|mutations?|altered|alterations?|deletions?|insertions?|rearranged|rearrangements?|fusions?|exon\s*\d+|l858r|t790m|g12[cdvrs]|v600[ek]?|carriers?|driven|high|(?:ihc\s*)?3\s*\+)(?:\W|$))",
    )
    .expect("biomarker positive regex")
});

pub(super) static BIOMARKER_NEGATIVE_RIGHT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)^(?:\s*[-\u{2010}\u{2011}]?\s*(?:negative|neg|wild[- ]?type|wt|non-?mutated|unmutated|non-?amplified|not (?:amplified|mutated|detected|overexpressed)|(?:ihc\s*)?(?:0|1\s*\+))(?:\W|$)|[-\u{2010}\u{2011}\u{2212}](?:\s|$|[,;./)]))",
    )
    .expect("biomarker negative regex")
});

pub(super) static BIOMARKER_PERCENT_RIGHT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)^\W*(?:(?:tps|cps|expression|score|of|is)\s*)*(<|≥|>=|>|=)?\s*(\d+(?:\.\d+)?)\s*%",
    )
    .expect("biomarker percent regex")
});

pub(super) static POLARITY_LEFT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(r"(?i)\b(positive|negative) for\s*$").expect("polarity left regex")
});

/// Whether the mention is what a yes-no question asks about: the sentence ends in '?' and
/// opens with an auxiliary at most two words before it ("Is olaparib given ...?").
pub(super) fn asked_whether(text: &str, m: &super::assertion::Mention, left: &str) -> bool {
    static OPENING: LazyLock<Regex> = LazyLock::new(|| {
        crate::pattern::regex(
            r"(?i)(?:^|[.?!;:]\s+)(?:is|are|was|were|has|have|had|does|do|did|can|could|should|would|will|may|might|must)\s+(?:[\w-]+\s+){0,2}$",
        )
        .expect("question opening regex")
    });
    let asks = text[m.end..]
        .find(['.', '?', '!'])
        .is_some_and(|end| text[m.end + end..].starts_with('?'));
    asks && OPENING.is_match(left)
}
