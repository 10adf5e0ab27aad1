//! Step 1 of plain language: statistics in brackets taken out or said in words.

use super::*;

/// Step 1 of [`plain_language`].
pub(super) fn strip_statistics(s: &str) -> Cow<'_, str> {
    if !s.contains(['(', '[']) {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'(' | b'[')
            && let Some(close) = matching_close(bytes, i)
            && let Some(replacement) = rewrite_statistics(&s[i + 1..close])
        {
            let head = s[copied..i].trim_end();
            out.push_str(head);
            if let Some(text) = replacement {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push('(');
                out.push_str(&text);
                out.push(')');
            }
            copied = close + 1;
            i = close + 1;
            changed = true;
            continue;
        }
        i += 1;
    }
    if !changed {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out.trim().to_string())
}

/// Index of the bracket closing the one at `open`; brackets must nest properly.
pub(super) fn matching_close(bytes: &[u8], open: usize) -> Option<usize> {
    let mut stack = Vec::new();
    for (k, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'(' => stack.push(b')'),
            b'[' => stack.push(b']'),
            b')' | b']' => {
                if stack.pop() != Some(b) {
                    return None;
                }
                if stack.is_empty() {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece {
    /// A statistic; `risk` when it names a hazard ratio or relative risk.
    Stat {
        risk: bool,
        needs_value: bool,
    },
    /// Only numbers (a statistic's value when it follows one).
    Number,
    Other,
}

/// `None`: not statistical, leave it. `Some(None)`: remove the bracket. `Some(Some(t))`:
/// replace its content with `t`.
pub(super) fn rewrite_statistics(content: &str) -> Option<Option<String>> {
    let parts = split_parts(content);
    let mut kinds: Vec<Piece> = parts.iter().map(|(_, p)| classify(p)).collect();
    // A number right after a statistic is its value; a ratio marker without any number is
    // probably a word ("OR").
    for k in 0..kinds.len() {
        if kinds[k] == Piece::Number && k > 0 && matches!(kinds[k - 1], Piece::Stat { .. }) {
            kinds[k] = kinds[k - 1];
        }
        if let Piece::Stat {
            needs_value: true, ..
        } = kinds[k]
        {
            let own = parts[k].1.chars().any(|c| c.is_ascii_digit());
            let next = kinds.get(k + 1) == Some(&Piece::Number);
            if !own && !next {
                kinds[k] = Piece::Other;
            }
        }
    }
    if !kinds.iter().any(|k| matches!(k, Piece::Stat { .. })) {
        return None;
    }
    let mut kept = String::new();
    for ((sep, part), kind) in parts.iter().zip(&kinds) {
        if !matches!(kind, Piece::Stat { .. }) {
            if !kept.is_empty() {
                kept.push_str(sep);
            }
            kept.push_str(part.trim());
        }
    }
    if !kept.is_empty() {
        return Some(Some(kept));
    }
    // Everything was statistics: one hazard ratio / relative risk becomes a plain phrase.
    let risk: Vec<usize> = (0..parts.len())
        .filter(|&k| {
            matches!(kinds[k], Piece::Stat { risk: true, .. })
                && (k == 0 || !matches!(kinds[k - 1], Piece::Stat { risk: true, .. }))
        })
        .collect();
    if let [k] = risk[..] {
        let value = first_number(parts[k].1).or_else(|| {
            parts
                .get(k + 1)
                .filter(|_| matches!(kinds[k + 1], Piece::Stat { risk: true, .. }))
                .and_then(|(_, p)| first_number(p))
        });
        if let Some(phrase) = value.and_then(plain_ratio) {
            return Some(Some(phrase));
        }
    }
    Some(None)
}

/// Splits bracket content at top-level `;` and `, `; each part with the separator before it.
pub(super) fn split_parts(content: &str) -> Vec<(&'static str, &str)> {
    let bytes = content.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut sep: &'static str = "";
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b';' if depth == 0 => {
                parts.push((sep, &content[start..i]));
                sep = "; ";
                start = i + 1;
            }
            b',' if depth == 0 && bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace) => {
                parts.push((sep, &content[start..i]));
                sep = ", ";
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push((sep, &content[start..]));
    parts
}

/// Words a statistics part may contain besides numbers and its markers.
pub(super) const STAT_WORDS: &str = "ci cri cis p value hr ahr or aor rr arr irr smd wmd md rd i2 i² \
    hazard ratio odds relative risk confidence interval adjusted vs versus to mean \
    difference log rank test";

pub(super) fn classify(part: &str) -> Piece {
    let piece = classify_markers(part);
    if !matches!(piece, Piece::Stat { .. }) {
        return piece;
    }
    // Prose is never removed as statistics: at most two other words, and no negation.
    let mut unknown = 0;
    for t in tokenize(part).iter().filter(|t| t.word) {
        let word = t.norm.as_ref();
        if word.chars().all(|c| c.is_ascii_digit()) || has_word(STAT_WORDS, word) {
            continue;
        }
        if matches!(
            word,
            "not" | "no" | "never" | "without" | "none" | "nor" | "cannot"
        ) {
            return Piece::Other;
        }
        unknown += 1;
    }
    if unknown > 2 { Piece::Other } else { piece }
}

pub(super) fn classify_markers(part: &str) -> Piece {
    let tokens = tokenize(part);
    let words: Vec<&Token<'_>> = tokens.iter().filter(|t| t.word).collect();
    if words.is_empty() {
        return Piece::Other;
    }
    let numeric = |t: &&Token<'_>| t.raw.chars().all(|c| c.is_ascii_digit());
    if words.iter().any(numeric)
        && words.iter().all(|t| numeric(t) || t.norm == "to")
        && !part
            .chars()
            .any(|c| c.is_alphabetic() && c != 't' && c != 'o')
    {
        return Piece::Number;
    }
    for (k, t) in tokens.iter().enumerate() {
        if t.word && matches!(t.raw, "CI" | "CrI" | "CIs" | "I2" | "I²") {
            return Piece::Stat {
                risk: false,
                needs_value: false,
            };
        }
        if t.word && matches!(t.raw, "P" | "p") {
            let next = tokens.get(k + 1);
            if next.is_some_and(|n| {
                matches!(n.raw, "<" | ">" | "=" | "≤" | "≥" | "⩽" | "⩾") || n.norm == "value"
            }) {
                return Piece::Stat {
                    risk: false,
                    needs_value: false,
                };
            }
        }
    }
    let lower = part.trim().to_lowercase();
    if lower.contains("confidence interval") {
        return Piece::Stat {
            risk: false,
            needs_value: false,
        };
    }
    let mut lead = words[0].raw;
    if matches!(lead, "adjusted" | "Adjusted") && words.len() > 1 {
        lead = words[1].raw;
    }
    let lead_phrase = lower.trim_start_matches("adjusted ").to_string();
    if matches!(lead, "HR" | "aHR" | "RR" | "aRR")
        || ["hazard ratio", "relative risk", "risk ratio"]
            .iter()
            .any(|p| lead_phrase.starts_with(p))
    {
        return Piece::Stat {
            risk: true,
            needs_value: true,
        };
    }
    if matches!(lead, "OR" | "aOR" | "IRR" | "SMD" | "WMD" | "MD" | "RD")
        || ["odds ratio", "mean difference", "risk difference"]
            .iter()
            .any(|p| lead_phrase.starts_with(p))
    {
        return Piece::Stat {
            risk: false,
            needs_value: true,
        };
    }
    Piece::Other
}

/// The first number with a decimal point in `s` ("0.50", ".5"; "1·2" is read as 1.2),
/// else the first whole number.
pub(super) fn first_number(s: &str) -> Option<f64> {
    let mut numbers = Vec::new();
    let mut current = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || matches!(c, '.' | '·') {
            current.push(if c == '·' { '.' } else { c });
        } else if !current.is_empty() {
            let number = current.trim_end_matches('.');
            let decimal = number.contains('.');
            let number = if number.starts_with('.') {
                format!("0{number}")
            } else {
                number.to_string()
            };
            if let Ok(v) = number.parse::<f64>() {
                numbers.push((v, decimal));
            }
            current.clear();
        }
    }
    numbers
        .iter()
        .find(|(_, decimal)| *decimal)
        .or_else(|| numbers.first())
        .map(|(v, _)| *v)
}

/// A hazard ratio / relative risk in words.
pub(super) fn plain_ratio(v: f64) -> Option<String> {
    if !v.is_finite() || v <= 0.0 || v > 100.0 {
        return None;
    }
    let phrase = if v < 1.0 {
        let pct = ((1.0 - v) * 100.0).round() as i64;
        if pct == 0 {
            "about the same risk".to_string()
        } else {
            format!("about {pct}% lower risk")
        }
    } else if v < 2.0 {
        let pct = ((v - 1.0) * 100.0).round() as i64;
        if pct == 0 {
            "about the same risk".to_string()
        } else {
            format!("about {pct}% higher risk")
        }
    } else {
        let tenths = (v * 10.0).round() as i64;
        if tenths % 10 == 0 {
            format!("about {} times the risk", tenths / 10)
        } else {
            format!("about {}.{} times the risk", tenths / 10, tenths % 10)
        }
    };
    Some(phrase)
}
