//! Table rows as statements: a row of a dosing table ("Olanzapine | 10 mg PO qd days 1–4 | PO | Consider giving at bedtime due to sedation") read as "Olanzapine: 10 mg PO qd days 1–4; PO; consider giving at bedtime due to sedation."

use std::sync::LazyLock;

use regex::Regex;

/// A dose: a number (or range) and a unit of amount.
static DOSE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::regex(
        r"(?i)\b\d+(?:\.\d+)?(?:\s*[–-]\s*\d+(?:\.\d+)?)?\s*(?:mg|µg|mcg|g|ml|units?|iu)\b",
    )
    .expect("dose regex")
});

/// Whether a text gives a dose ("2.5 mg twice daily", "100 units").
pub(crate) fn has_dose(text: &str) -> bool {
    DOSE.is_match(text)
}

/// Most words a cell naming what the row is about may have ("Netupitant (combined with
/// palonosetron)").
const NAME_WORDS: usize = 5;

/// Whether a line of a passage is a row of a table (its cells joined by " | ").
pub(crate) fn is_row(line: &str) -> bool {
    line.contains(" | ") || line.starts_with("| ") || line.ends_with(" |")
}

/// The statement a table row makes and the row's name, or `None`. A row makes one when a
/// cell names a drug (a short capitalised cell without figures) and the cell after it gives
/// a dose: the name, then that cell and the ones after it. Cells before the name (a drug
/// class) and reference markers are left out. A row whose dose comes first continues the
/// row above it (a spanned cell): it takes `above`, that row's name, and makes nothing
/// without it.
pub(crate) fn row<'a>(line: &'a str, above: Option<&'a str>) -> Option<(String, &'a str)> {
    if !is_row(line) {
        return None;
    }
    let cells: Vec<&str> = line
        .split('|')
        .map(|c| {
            c.trim()
                .trim_matches(|ch: char| ch == '[' || ch == ']' || ch == ',')
        })
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let dose_at = cells.iter().position(|c| DOSE.is_match(c))?;
    let name = match dose_at.checked_sub(1) {
        Some(n) => cells[n],
        None => above?,
    };
    let is_name = name.split_whitespace().count() <= NAME_WORDS
        && name.chars().next().is_some_and(char::is_uppercase)
        && !name.chars().any(|c| c.is_ascii_digit());
    if !is_name {
        return None;
    }
    let rest: Vec<String> = cells[dose_at..]
        .iter()
        .map(|c| c.trim_end_matches(['.', ';']).to_string())
        .collect();
    Some((format!("{name}: {}.", rest.join("; ")), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dosing_row_reads_as_drug_then_its_cells() {
        assert_eq!(
            row(
                "Atypical antipsychotics | Olanzapine | 10 mg PO qd days 1–4 | PO | Consider giving at bedtime due to sedation | [][]",
                None
            )
            .map(|(text, _)| text)
            .as_deref(),
            Some("Olanzapine: 10 mg PO qd days 1–4; PO; Consider giving at bedtime due to sedation.")
        );
        assert_eq!(
            row(
                "Ondansetron | 0.15 mg/kg IV 30 min prechemotherapy; maximum: 16 mg/24 h | PO, IV | Doses >16 mg not recommended due to QTc prolongation | [,][]",
                None
            )
            .map(|(text, _)| text)
            .as_deref(),
            Some(
                "Ondansetron: 0.15 mg/kg IV 30 min prechemotherapy; maximum: 16 mg/24 h; PO, IV; Doses >16 mg not recommended due to QTc prolongation."
            )
        );
    }

    #[test]
    fn a_row_that_continues_a_spanned_drug_cell_takes_its_name() {
        let (_, name) = row(
            "Corticosteroids | Dexamethasone | 12–20 mg before high-emetic-risk chemotherapy | PO, IV | [][]",
            None,
        )
        .expect("a row");
        assert_eq!(
            row(
                "8 mg before moderate-emetic-risk chemotherapy | When given with aprepitant, 12 mg = 20 mg on day 1 |",
                Some(name),
            )
            .map(|(text, _)| text)
            .as_deref(),
            Some("Dexamethasone: 8 mg before moderate-emetic-risk chemotherapy; When given with aprepitant, 12 mg = 20 mg on day 1.")
        );
    }

    #[test]
    fn rows_without_a_named_drug_before_the_dose_make_no_statement() {
        for line in [
            // Continues the row above: its drug is there.
            "24 mg PO 30 min before highly emetogenic single-day chemotherapy |",
            "| 8 mg before moderate-emetic-risk chemotherapy | When given with aprepitant, 12 mg = 20 mg |",
            // No dose.
            "Cannabis | No current data on dosing | Inhaled, PO | Not enough data |",
            // Not a table row.
            "Olanzapine 10 mg is given on days 1 to 4.",
        ] {
            assert_eq!(row(line, None), None, "{line}");
        }
    }
}
