//! Search queries as people type them, reduced to plain terms that every
//! backend's full-text syntax can take safely (no operators, no quotes, no
//! syntax errors reaching the database).

use crate::CoreError;

/// Most terms in one query.
pub const MAX_TERMS: usize = 8;
/// Longest term kept, in characters.
pub const MAX_TERM_CHARS: usize = 40;
/// Longest query text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// A parsed query: lowercase words of letters and digits; the last one is
/// matched as a prefix so results appear while typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<String>,
}

impl SearchQuery {
    /// Splits text into terms on anything that is not a letter or digit.
    pub fn parse(text: &str) -> Result<SearchQuery, CoreError> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(CoreError::InvalidSearch(
                "a search is at most 200 characters",
            ));
        }
        let terms: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(|t| t.to_lowercase().chars().take(MAX_TERM_CHARS).collect())
            .take(MAX_TERMS)
            .collect();
        if terms.is_empty() {
            return Err(CoreError::InvalidSearch(
                "type at least one word to search for",
            ));
        }
        Ok(SearchQuery { terms })
    }

    /// The terms, in order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The terms joined by spaces, for substring matching of names.
    pub fn phrase(&self) -> String {
        self.terms.join(" ")
    }
}

/// Turns a snippet whose matches are wrapped in `\u{1}`…`\u{2}` into safe
/// HTML with `<mark>`: the text is escaped first, so stored words can never
/// become markup.
pub fn highlight(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 16);
    for c in snippet.chars() {
        match c {
            '\u{1}' => out.push_str("<mark>"),
            '\u{2}' => out.push_str("</mark>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_quotes_become_plain_terms() {
        let q = SearchQuery::parse(r#"Wifi" OR NEAR(floor 3) -printer* "#).expect("query");
        assert_eq!(q.terms(), ["wifi", "or", "near", "floor", "3", "printer"]);
        assert!(SearchQuery::parse(" \"*():^ ").is_err());
        assert!(SearchQuery::parse(&"a ".repeat(150)).is_err());
        assert_eq!(
            SearchQuery::parse(&"word ".repeat(20))
                .expect("q")
                .terms()
                .len(),
            MAX_TERMS
        );
    }

    #[test]
    fn highlights_escape_everything_but_the_marks() {
        assert_eq!(
            highlight("a \u{1}<b>wifi</b>\u{2} & more"),
            "a <mark>&lt;b&gt;wifi&lt;/b&gt;</mark> &amp; more"
        );
    }
}
