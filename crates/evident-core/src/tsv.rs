//! The three-column, tab-separated data files (`data/lexicon.tsv`, `data/lay-glossary.tsv`): comments, blank lines and the column count.

/// One data row: its 1-based line number, its three columns and an optional fourth one
/// (untrimmed).
pub(crate) struct Row<'a> {
    pub line: usize,
    pub columns: [&'a str; 3],
    pub fourth: Option<&'a str>,
}

/// The data rows of `text`, skipping blank lines and `#` comments. A row without exactly
/// three columns is an error `(line, message)`; `names` lists the columns for the message.
pub(crate) fn rows<'a>(
    text: &'a str,
    names: &'static str,
) -> impl Iterator<Item = Result<Row<'a>, (usize, String)>> + 'a {
    rows_with(text, names, false)
}

/// As [`rows`], and with `optional_fourth` a row may have a fourth column.
pub(crate) fn rows_with<'a>(
    text: &'a str,
    names: &'static str,
    optional_fourth: bool,
) -> impl Iterator<Item = Result<Row<'a>, (usize, String)>> + 'a {
    text.lines().enumerate().filter_map(move |(number, line)| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let mut columns: Vec<&str> = line.split('\t').collect();
        let fourth = if optional_fourth && columns.len() == 4 {
            columns.pop()
        } else {
            None
        };
        let wanted = if optional_fourth { "3 or 4" } else { "3" };
        Some(match <[&str; 3]>::try_from(columns.as_slice()) {
            Ok(columns) => Ok(Row {
                line: number + 1,
                columns,
                fourth,
            }),
            Err(_) => Err((
                number + 1,
                format!(
                    "expected {wanted} tab-separated columns ({names}), found {}",
                    columns.len()
                ),
            )),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped_and_bad_rows_named() {
        let text = "# comment\n\na\tb\tc\r\nx\ty\n";
        let rows: Vec<_> = rows(text, "one, two, three").collect();
        assert_eq!(rows.len(), 2);
        let first = rows[0].as_ref().ok().unwrap();
        assert_eq!((first.line, first.columns), (3, ["a", "b", "c"]));
        let (line, message) = rows[1].as_ref().err().unwrap();
        assert_eq!(*line, 4);
        assert!(message.contains("(one, two, three), found 2"));
    }

    #[test]
    fn a_fourth_column_is_read_only_where_allowed() {
        let text = "a\tb\tc\td\n";
        assert!(rows(text, "one, two, three").next().unwrap().is_err());
        let row = rows_with(text, "one, two, three[, four]", true)
            .next()
            .unwrap()
            .ok()
            .unwrap();
        assert_eq!((row.columns, row.fourth), (["a", "b", "c"], Some("d")));
        let (_, message) = rows_with("a\tb\tc\td\te\n", "x", true)
            .next()
            .unwrap()
            .err()
            .unwrap();
        assert!(message.contains("expected 3 or 4"), "{message}");
    }
}
