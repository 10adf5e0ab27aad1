//! The three-column, tab-separated data files (`data/lexicon.tsv`, `data/lay-glossary.tsv`): comments, blank lines and the column count.

/// One data row: its 1-based line number and its three columns (untrimmed).
pub(crate) struct Row<'a> {
    pub line: usize,
    pub columns: [&'a str; 3],
}

/// The data rows of `text`, skipping blank lines and `#` comments. A row without exactly
/// three columns is an error `(line, message)`; `names` lists the columns for the message.
pub(crate) fn rows<'a>(
    text: &'a str,
    names: &'static str,
) -> impl Iterator<Item = Result<Row<'a>, (usize, String)>> + 'a {
    text.lines().enumerate().filter_map(move |(number, line)| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        Some(match <[&str; 3]>::try_from(columns.as_slice()) {
            Ok(columns) => Ok(Row {
                line: number + 1,
                columns,
            }),
            Err(_) => Err((
                number + 1,
                format!(
                    "expected 3 tab-separated columns ({names}), found {}",
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
}
