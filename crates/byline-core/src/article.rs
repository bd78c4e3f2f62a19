//! Knowledge-base articles: what an article may hold, who it is for, and
//! the words of a request worth looking up while someone types it.

use crate::CoreError;
use crate::markdown::{Rendered, render_markdown};
use std::collections::HashSet;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 150;
/// Longest body, in characters: an article is a page, not a post.
pub const MAX_BODY_CHARS: usize = 50_000;
/// Most tags on one article.
pub const MAX_TAGS: usize = 10;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 32;

/// Where an article stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArticleStatus {
    /// Being written; members only.
    Draft,
    /// Readable by its audience and offered as an answer.
    Published,
    /// Kept for the record; members only, never suggested.
    Archived,
}

impl ArticleStatus {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Published => "published",
            ArticleStatus::Archived => "archived",
        }
    }

    /// From its stored name.
    pub fn parse(s: &str) -> Result<ArticleStatus, CoreError> {
        match s {
            "draft" => Ok(ArticleStatus::Draft),
            "published" => Ok(ArticleStatus::Published),
            "archived" => Ok(ArticleStatus::Archived),
            other => Err(CoreError::InvalidArticle(format!(
                "unknown article status '{other}': expected draft, published or archived"
            ))),
        }
    }
}

/// Who may read a published article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Every member of staff.
    Staff,
    /// The profile's members only (internal runbooks).
    Members,
}

impl Audience {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Staff => "staff",
            Audience::Members => "members",
        }
    }

    /// From its stored name.
    pub fn parse(s: &str) -> Result<Audience, CoreError> {
        match s {
            "staff" => Ok(Audience::Staff),
            "members" => Ok(Audience::Members),
            other => Err(CoreError::InvalidArticle(format!(
                "unknown audience '{other}': expected staff or members"
            ))),
        }
    }
}

/// An article's words, checked: a title, a Markdown body and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    title: String,
    body: String,
    tags: Vec<String>,
}

impl ArticleText {
    /// Checks a title (1 to 150 characters on one line), a body (1 to
    /// 50,000 characters) and tags (see [`parse_tags`]).
    pub fn parse(title: &str, body: &str, tags: &str) -> Result<ArticleText, CoreError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(CoreError::InvalidArticle("an article needs a title".into()));
        }
        let n = title.chars().count();
        if n > MAX_TITLE_CHARS {
            return Err(CoreError::InvalidArticle(format!(
                "a title is at most {MAX_TITLE_CHARS} characters (this one has {n})"
            )));
        }
        if title.chars().any(char::is_control) {
            return Err(CoreError::InvalidArticle(
                "a title is one line without control characters".into(),
            ));
        }
        if body.trim().is_empty() {
            return Err(CoreError::InvalidArticle("an article needs a body".into()));
        }
        let n = body.chars().count();
        if n > MAX_BODY_CHARS {
            return Err(CoreError::InvalidArticle(format!(
                "an article's body is at most {MAX_BODY_CHARS} characters (this one has {n})"
            )));
        }
        Ok(ArticleText {
            title: title.to_owned(),
            body: body.replace("\r\n", "\n"),
            tags: parse_tags(tags)?,
        })
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The Markdown source of the body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The tags, lowercase, in order of first use.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The body as the same safe HTML as a post (raw HTML shown as text,
    /// no scripts, no `javascript:` links); mentions stay text.
    pub fn render(&self) -> Rendered {
        render_markdown(&self.body, &HashSet::new())
    }
}

/// Splits tags on spaces and commas: each 1 to 32 of `a-z`, `0-9` and `-`
/// (a leading `#` is dropped, case is folded), at most ten, repeats kept once.
pub fn parse_tags(input: &str) -> Result<Vec<String>, CoreError> {
    let mut tags: Vec<String> = Vec::new();
    for raw in input.split(|c: char| c == ',' || c.is_whitespace()) {
        let tag = raw.trim_start_matches('#').to_lowercase();
        if tag.is_empty() {
            continue;
        }
        let ok = tag.chars().count() <= MAX_TAG_CHARS
            && tag
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(CoreError::InvalidArticle(format!(
                "a tag is 1 to {MAX_TAG_CHARS} of a-z, 0-9 and '-' ('{raw}' is not)"
            )));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(CoreError::InvalidArticle(format!(
            "an article has at most {MAX_TAGS} tags ({} given)",
            tags.len()
        )));
    }
    Ok(tags)
}

/// Words too common to say what a request is about.
const STOP_WORDS: &[&str] = &[
    "an", "as", "at", "be", "by", "do", "if", "in", "is", "it", "me", "my", "no", "of", "on", "or",
    "so", "to", "up", "we", "off", "out", "its", "keep", "keeps", "need", "needs", "very",
    "really", "would", "should", "want", "like", "about", "after", "again", "all", "also", "and",
    "any", "are", "but", "can", "cannot", "could", "does", "doesn", "down", "for", "from", "get",
    "has", "have", "help", "hello", "here", "how", "just", "not", "now", "our", "please", "since",
    "some", "still", "than", "thanks", "that", "the", "there", "this", "what", "when", "where",
    "which", "who", "why", "will", "with", "work", "you",
];

/// Most words a suggestion looks up.
pub const MAX_SUGGESTION_TERMS: usize = 8;

/// The words of a message being typed that are worth looking up in the
/// knowledge base: lowercase letters and digits, two or more characters,
/// not a mention, a hashtag or a stop word, each once, at most eight.
pub fn suggestion_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if word.starts_with('@') || word.starts_with('#') {
            continue;
        }
        for part in word.split(|c: char| !c.is_alphanumeric()) {
            let t = part.to_lowercase();
            if t.chars().count() < 2
                || t.chars().count() > crate::search::MAX_TERM_CHARS
                || STOP_WORDS.contains(&t.as_str())
                || t.chars().all(|c| c.is_ascii_digit())
                || terms.contains(&t)
            {
                continue;
            }
            terms.push(t);
            if terms.len() == MAX_SUGGESTION_TERMS {
                return terms;
            }
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_bodies_and_tags_are_checked() {
        let a = ArticleText::parse(
            "  Wi-Fi on floor 3 ",
            "Restart the **router**.",
            "#WiFi, network wifi",
        )
        .expect("valid");
        assert_eq!(a.title(), "Wi-Fi on floor 3");
        assert_eq!(a.tags(), ["wifi", "network"]);
        assert!(a.render().html.contains("<strong>router</strong>"));
        for (title, body, tags) in [
            ("", "body", ""),
            ("   ", "body", ""),
            ("title", " \n ", ""),
            ("two\nlines", "body", ""),
            ("title", "body", "no_underscores"),
            ("title", "body", "a b c d e f g h i j k"),
        ] {
            assert!(
                matches!(
                    ArticleText::parse(title, body, tags),
                    Err(CoreError::InvalidArticle(_))
                ),
                "{title:?} {body:?} {tags:?}"
            );
        }
        assert!(ArticleText::parse(&"t".repeat(151), "b", "").is_err());
        assert!(ArticleText::parse("t", &"b".repeat(MAX_BODY_CHARS + 1), "").is_err());
        assert!(ArticleText::parse("t", &"b".repeat(MAX_BODY_CHARS), "").is_ok());
    }

    #[test]
    fn article_bodies_render_safe() {
        let a = ArticleText::parse(
            "t",
            "<script>alert(1)</script>\n\nA [link](javascript:alert(1)) and <img src=x onerror=alert(1)>",
            "",
        )
        .expect("valid");
        let html = a.render().html;
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn statuses_and_audiences_round_trip() {
        for s in [
            ArticleStatus::Draft,
            ArticleStatus::Published,
            ArticleStatus::Archived,
        ] {
            assert_eq!(ArticleStatus::parse(s.as_str()), Ok(s));
        }
        for a in [Audience::Staff, Audience::Members] {
            assert_eq!(Audience::parse(a.as_str()), Ok(a));
        }
        assert!(ArticleStatus::parse("gone").is_err());
        assert!(Audience::parse("everyone").is_err());
    }

    #[test]
    fn suggestion_terms_keep_the_words_that_matter() {
        assert_eq!(
            suggestion_terms("@it-helpdesk wifi down on floor 3, please help!"),
            ["wifi", "floor"]
        );
        assert_eq!(
            suggestion_terms("@it-helpdesk #urgent the VPN and the vpn"),
            ["vpn"]
        );
        assert!(suggestion_terms("@it-helpdesk ").is_empty());
        assert_eq!(suggestion_terms(&"word ".repeat(3)), ["word"]);
        let many: String = (0..20).map(|i| format!("term{i} ")).collect();
        assert_eq!(suggestion_terms(&many).len(), MAX_SUGGESTION_TERMS);
    }
}
