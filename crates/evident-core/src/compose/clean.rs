//! Cleaning a sentence to stand alone in an answer: citation markers, registry numbers, pointers into the source ("see Table 2"), confidence intervals and P values beside an estimate; rejecting fragments, table rows and text bound to its document.

/// Phrases that only make sense inside the source document.
const CONTEXT_BOUND: &[&str] = &[
    "this summary",
    "this section",
    "see the",
    "see table",
    "see figure",
    "described above",
    "noted above",
    "mentioned above",
    "noted below",
    "mentioned below",
    "described below",
    "discussed above",
    "discussed below",
    "listed below",
    "as follows",
    "the following",
    "shown in table",
    "shown in figure",
    "summarized in table",
    "summarized in figure",
    "listed in table",
    "summarized in the table",
    "refer to",
    "editorial board",
    "starter summary",
    "before any clinical use",
    "panel shows",
    "the figure",
    "this image",
    "enlarge",
    "pdq ",
    "to learn more",
    "cited in:",
    "learn more about",
    "visit the",
    "professional version",
    "patient version",
];

static BOUND: crate::pattern::Phrases = crate::pattern::Phrases::new(CONTEXT_BOUND);

/// A numbered table or figure of the source ("Table 5 shows ...", "in Figure 2").
static NUMBERED_POINTER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::pattern::regex(r"\b(?:table|figure)\s+\d").expect("pointer regex")
});

/// "The following" or "as follows" right before the list it announces (`... one of the
/// following: amoxicillin; doxycycline.`): a list joined to its lead-in holds what it
/// points to, so the words bind it to no other text.
static LIST_FOLLOWS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::pattern::regex(r"\b(?:the following|as follows)(?:\s+[\w-]+){0,3}:\s+\S")
        .expect("list regex")
});

/// A sentence fit to stand alone in an answer, or `None`.
pub(crate) fn clean(raw: &str) -> Option<String> {
    let mut s = remove_registry_ids(raw.trim());
    s = remove_parentheticals(&s);
    // One space between words, none before a comma, full stop or semicolon.
    let mut words = 0;
    let mut tidy = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        // A comma, full stop or semicolon joins the word before it.
        if tidy.is_empty() || !word.starts_with([',', '.', ';']) {
            if !tidy.is_empty() {
                tidy.push(' ');
            }
            words += 1;
        }
        tidy.push_str(word);
    }
    s = tidy;
    // An item of a joined list ends its sentence before its citation marker: "agents.;".
    if s.contains(".;") {
        s = s.replace(".;", ";");
    }
    let lower = s.to_lowercase();
    let first = s.chars().next()?;
    let reject = !(6..=75).contains(&words)
        || s.contains(" | ")
        || s.contains('[')
        || s.contains("](")
        || lower.contains("http")
        || lower.contains("www.")
        || s.ends_with(':')
        || s.ends_with('?')
        || is_definition_row(&s)
        || !(first.is_uppercase() || first.is_ascii_digit())
        || BOUND.is_match(&LIST_FOLLOWS.replace_all(&lower, ""))
        || NUMBERED_POINTER.is_match(&lower);
    if reject {
        return None;
    }
    if !(s.ends_with(['.', '!']) || s.ends_with(".)")) {
        s.push('.');
    }
    Some(s)
}

/// Whether a piece of text has a word that looks like a finite verb.
pub(crate) fn has_verb(text: &str) -> bool {
    const VERBS: &[&str] = &[
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "may",
        "can",
        "could",
        "should",
        "must",
        "will",
        "would",
        "did",
        "does",
        "do",
        "include",
        "includes",
        "improves",
        "reduces",
        "increases",
        "decreases",
        "shows",
        "occurs",
        "occur",
        "remains",
        "remain",
        "appears",
        "requires",
        "require",
        "suggests",
        "indicates",
        "causes",
        "cause",
        "prevents",
        "prolongs",
        "offers",
        "provides",
        "receive",
        "receives",
        "need",
        "needs",
        "helps",
        "help",
        "lowers",
        "raises",
        "makes",
    ];
    // Words after which an "-ed" word is a participle ("radiotherapy followed by surgery",
    // "supplements administered orally"), not the verb of a sentence.
    const AFTER_PARTICIPLE: &[&str] = &[
        "by",
        "with",
        "in",
        "to",
        "for",
        "at",
        "on",
        "from",
        "as",
        "orally",
        "intravenously",
        "daily",
        "weekly",
        "alone",
    ];
    let lower = text.to_ascii_lowercase();
    let mut words = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '(')
        .filter(|w| !w.is_empty())
        .peekable();
    while let Some(w) = words.next() {
        if VERBS.contains(&w) {
            return true;
        }
        // A participle inside a compound ("platinum-based", "HER2-directed") is an
        // adjective.
        let past = w.len() > 4 && w.ends_with("ed") && !w.contains(['-', '(']);
        let next = words.peek().copied().unwrap_or("");
        if past && !next.starts_with('(') && !AFTER_PARTICIPLE.contains(&next) {
            return true;
        }
    }
    false
}

/// A row of a staging or abbreviation table ("N1b = One clinically detected node", "T =
/// primary tumor; N = regional lymph nodes").
fn is_definition_row(s: &str) -> bool {
    s.split_whitespace().take(3).any(|w| w == "=")
}

/// Drops bracketed trial registry numbers ("KATHERINE [NCT01772472]" reads "KATHERINE"), so
/// that the sentences reporting trials are not taken for markup remnants.
fn remove_registry_ids(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']').map(|c| open + c);
        let id = close.map(|c| &rest[open + 1..c]).filter(|inner| {
            inner.len() >= 4
                && inner.bytes().any(|b| b.is_ascii_digit())
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        });
        let (Some(close), Some(_)) = (close, id) else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        out.push_str(rest[..open].trim_end());
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if out.contains("()") {
        out = out.replace("()", "");
    }
    if out.contains("( ") {
        out = out.replace("( ", "(");
    }
    out
}

/// The parts of a parenthesis worth the reader's words: its estimates and figures, without
/// confidence intervals and P values ("HR, 0.50; 95% CI, 0.39–0.64; P <.001" → "HR,
/// 0.50"; a bare interval of ratios, "0.97–1.17"), which the reference keeps
/// verbatim. `None` when nothing is left.
fn estimates_only(inner: &str) -> Option<String> {
    static PRECISION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        crate::pattern::regex(r"(?i)^\s*(?:\d+(?:\.\d+)?\s*%\s*(?:CI|confidence interval)\b|CI\b|\*?P\*?\s*(?:[=<>≤≥]|value)|\d*\.\d+\s*(?:[–—-]|to)\s*\d*\.\d+\s*$)")
            .expect("precision regex")
    });
    let parts: Vec<&str> = inner
        .split(';')
        .filter(|part| !PRECISION.is_match(part))
        .map(str::trim)
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Drops parentheses that point elsewhere in the source ("(see Table 2)", "(Figure 1)"),
/// and confidence intervals and P values from the figures in parentheses.
fn remove_parentheticals(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inner = rest[open + 1..open + close].to_lowercase();
        let pointer = [
            "see ",
            "table",
            "figure",
            "refer ",
            "level of evidence",
            "described",
        ]
        .iter()
        .any(|p| inner.starts_with(p));
        out.push_str(&rest[..open]);
        let kept = if pointer {
            None
        } else {
            estimates_only(&rest[open + 1..open + close])
        };
        match kept {
            Some(inner) => {
                out.push('(');
                out.push_str(&inner);
                out.push(')');
            }
            None if out.ends_with(' ') => {
                out.pop();
            }
            None => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_bound_and_fragmentary_sentences_are_dropped() {
        for s in [
            "For more information, see the Treatment section of this summary.",
            "Table 5 shows the standard treatment options for hepatocellular carcinoma.",
            "Cited in: general information about plasma cell neoplasms; treatment option overview.",
            "To learn more, visit the Vasomotor symptoms section of the professional version.",
            "Too short to use.",
            "| Stage | Description | 5-year survival |",
            "which was not significant in the smaller cohort of patients studied.",
            "Which patients benefit most from adjuvant therapy in this setting?",
        ] {
            assert_eq!(clean(s), None, "{s}");
        }
    }

    #[test]
    fn a_participle_is_not_the_verb_of_a_sentence() {
        for fragment in [
            "Zinc supplements administered orally in patients receiving radiation therapy.",
            "Radical inguinal orchiectomy followed by one dose of carboplatin.",
            "Removal of the testicle followed (in adults) by node dissection.",
            "Platinum-based chemotherapy for HER2-directed disease.",
        ] {
            assert!(!has_verb(fragment), "{fragment}");
        }
        for sentence in [
            "Olaparib improved progression-free survival.",
            "Surveillance is an option after orchiectomy.",
            "Patients treated with nivolumab had fewer adverse events.",
        ] {
            assert!(has_verb(sentence), "{sentence}");
        }
    }

    #[test]
    fn pointers_in_parentheses_are_removed() {
        assert_eq!(
            clean("Pelvic MRI is preferred for local staging (see Table 2) in rectal cancer.")
                .as_deref(),
            Some("Pelvic MRI is preferred for local staging in rectal cancer.")
        );
        assert_eq!(
            clean("Grade 2 neuropathy (15% vs 45%) was less frequent with the shorter course.")
                .as_deref(),
            Some("Grade 2 neuropathy (15% vs 45%) was less frequent with the shorter course.")
        );
    }

    #[test]
    fn figures_keep_their_estimates_without_intervals_and_p_values() {
        let cases = [
            (
                "IDFS was higher with T-DM1 (HR, 0.50; 95% CI, 0.39–0.64; P <.001; IDFS at 3 years, 88.3% vs. 77%).",
                "IDFS was higher with T-DM1 (HR, 0.50; IDFS at 3 years, 88.3% vs. 77%).",
            ),
            (
                "Six months was superior to three months (HR, 1.16; 95% CI, 1.06–1.26; P =.001)",
                "Six months was superior to three months (HR, 1.16).",
            ),
            (
                "The OS rate was 84% in the osimertinib group (95% CI, 75%–89%) at 36 months.",
                "The OS rate was 84% in the osimertinib group at 36 months.",
            ),
            (
                "Among patients with N1 tumors, the HR was 1.07 (0.97–1.17) for DFS.",
                "Among patients with N1 tumors, the HR was 1.07 for DFS.",
            ),
            (
                "Twice-daily radiation gave better survival (26% vs. 16% at 5 years; P =.04).",
                "Twice-daily radiation gave better survival (26% vs. 16% at 5 years).",
            ),
            // A range that is the finding itself stays.
            (
                "Symptomatic pneumonitis occurred in few patients (10%–20%) after treatment.",
                "Symptomatic pneumonitis occurred in few patients (10%–20%) after treatment.",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(clean(raw).as_deref(), Some(want), "{raw}");
        }
    }
}
