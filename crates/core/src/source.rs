//! Places in a source text, for loaders whose errors point at `file:line:column`.

/// The 1-based line and column (in characters) of a byte offset. An offset past the end, or
/// not on a character boundary, counts as the end of the text.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let text = "a = 1\nname = \"Zoë\"\nx";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('x').unwrap()), (3, 1));
        // `ë` is two bytes but one column.
        let closing_quote = text.rfind('"').unwrap();
        assert_eq!(line_column(text, closing_quote), (2, 12));
        // Past the end, or inside a character: the end of the text.
        assert_eq!(line_column(text, text.len() + 5), (3, 2));
        assert_eq!(line_column(text, closing_quote - 1), (3, 2));
    }
}
