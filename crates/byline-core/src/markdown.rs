//! Post text: the safe Markdown subset, `@mentions` and `#hashtags`.
//!
//! Rendering is two steps: [`scan`] finds the handles a text mentions so
//! the caller can look up which exist, then [`render`] produces sanitised
//! HTML in which only known handles become links. Raw HTML in the source is
//! shown as text, and the output passes through an allow-list sanitiser, so
//! no input can produce script, event handlers or `javascript:` links.

use crate::CoreError;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use std::collections::{BTreeSet, HashSet};

/// Longest post in characters.
pub const MAX_POST_CHARS: usize = 5000;
/// Longest hashtag in characters (after the `#`).
pub const MAX_TAG_CHARS: usize = 50;

/// The Markdown source of a post, checked for length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostText(String);

impl PostText {
    /// Accepts 1 to [`MAX_POST_CHARS`] characters that are not all whitespace.
    pub fn parse(input: &str) -> Result<PostText, CoreError> {
        let n = input.chars().count();
        if input.trim().is_empty() {
            return Err(CoreError::EmptyPost);
        }
        if n > MAX_POST_CHARS {
            return Err(CoreError::PostTooLong(n));
        }
        Ok(PostText(input.replace("\r\n", "\n")))
    }

    /// The source text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a text refers to, before any lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Handles after `@`, lowercase, deduplicated, in order of first use.
    pub mentions: Vec<String>,
    /// Tags after `#`, lowercase, deduplicated.
    pub tags: Vec<String>,
}

/// A rendered post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// Handles that were linked (known profiles only).
    pub mentions: Vec<String>,
    /// Hashtags in the text.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Mention(&'a str),
    Tag(&'a str),
}

fn is_handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Splits plain text into text, `@handle` and `#tag` pieces. A marker counts
/// only at the start or after a character that cannot be part of a word, so
/// `jane@example.com` and `issue#4` stay text.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut plain_start = 0;
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let boundary = prev.is_none_or(|p| {
            !(p.is_alphanumeric() || p == '_' || p == '@' || p == '#' || p == '/' || p == '&')
        });
        if (c == '@' || c == '#') && boundary {
            let rest = &text[i + 1..];
            let first_ok = rest.chars().next().is_some_and(|f| f.is_ascii_alphabetic());
            if first_ok {
                let len = rest
                    .find(|ch: char| !is_handle_char(ch))
                    .unwrap_or(rest.len());
                let mut word = &rest[..len];
                // A trailing '-' is punctuation in prose ("ping @jane- now").
                word = word.trim_end_matches('-');
                let valid = if c == '@' {
                    (2..=crate::Handle::MAX_LEN).contains(&word.len())
                } else {
                    !word.contains('-') && word.len() <= MAX_TAG_CHARS
                };
                if valid {
                    if plain_start < i {
                        out.push(Piece::Text(&text[plain_start..i]));
                    }
                    out.push(if c == '@' {
                        Piece::Mention(word)
                    } else {
                        Piece::Tag(word)
                    });
                    let end = i + 1 + word.len();
                    plain_start = end;
                    while iter.peek().is_some_and(|(j, _)| *j < end) {
                        iter.next();
                    }
                    prev = word.chars().last();
                    continue;
                }
            }
        }
        prev = Some(c);
    }
    if plain_start < text.len() {
        out.push(Piece::Text(&text[plain_start..]));
    }
    out
}

fn parser(source: &str) -> Parser<'_> {
    Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH)
}

/// Walks the text events outside code and links, where mentions count.
fn for_each_prose_text(source: &str, mut f: impl FnMut(&str)) {
    let mut in_code_or_link = 0usize;
    for event in parser(source) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. } | Tag::Image { .. }) => {
                in_code_or_link += 1
            }
            Event::End(TagEnd::CodeBlock | TagEnd::Link | TagEnd::Image) => {
                in_code_or_link = in_code_or_link.saturating_sub(1)
            }
            Event::Text(t) if in_code_or_link == 0 => f(&t),
            _ => {}
        }
    }
}

/// Finds the mentions and tags in a text (outside code and links).
pub fn scan(source: &PostText) -> Scan {
    let mut mentions = Vec::new();
    let mut tags = Vec::new();
    let mut seen_m = HashSet::new();
    let mut seen_t = HashSet::new();
    for_each_prose_text(source.as_str(), |text| {
        for p in pieces(text) {
            match p {
                Piece::Mention(h) => {
                    let h = h.to_ascii_lowercase();
                    if seen_m.insert(h.clone()) {
                        mentions.push(h);
                    }
                }
                Piece::Tag(t) => {
                    let t = t.to_ascii_lowercase();
                    if seen_t.insert(t.clone()) {
                        tags.push(t);
                    }
                }
                Piece::Text(_) => {}
            }
        }
    });
    Scan { mentions, tags }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::empty();
    b.add_tags([
        "p",
        "br",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
    ])
    .add_tag_attributes("a", ["href"])
    .add_allowed_classes("a", ["mention", "hashtag"])
    .add_tag_attributes("ol", ["start"])
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .url_relative(ammonia::UrlRelative::PassThrough)
    .link_rel(Some("nofollow noopener"));
    b
}

/// Renders `source` to sanitised HTML; `@handle`s in `known` become profile
/// links, others stay text; every `#tag` links to its timeline.
pub fn render(source: &PostText, known: &HashSet<String>) -> Rendered {
    render_markdown(source.as_str(), known)
}

/// The same safe rendering for any checked text (posts, articles).
pub(crate) fn render_markdown(source: &str, known: &HashSet<String>) -> Rendered {
    let mut mentions = BTreeSet::new();
    let mut tags = Vec::new();
    let mut seen_tags = HashSet::new();
    let mut in_code_or_link = 0usize;
    let events = parser(source).flat_map(|event| -> Vec<Event<'_>> {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. }) => {
                in_code_or_link += 1;
                vec![event]
            }
            Event::End(TagEnd::CodeBlock | TagEnd::Link) => {
                in_code_or_link = in_code_or_link.saturating_sub(1);
                vec![event]
            }
            // Images are not part of the subset: keep their alt text only.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => vec![],
            // Raw HTML is shown, never interpreted.
            Event::Html(h) | Event::InlineHtml(h) => vec![Event::Text(h)],
            Event::Text(t) if in_code_or_link == 0 => {
                let mut html = String::new();
                for p in pieces(&t) {
                    match p {
                        Piece::Text(s) => html.push_str(&escape(s)),
                        Piece::Mention(h) => {
                            let lower = h.to_ascii_lowercase();
                            if known.contains(&lower) {
                                html.push_str(&format!(
                                    "<a class=\"mention\" href=\"/profiles/{lower}\">@{}</a>",
                                    escape(h)
                                ));
                                mentions.insert(lower);
                            } else {
                                html.push('@');
                                html.push_str(&escape(h));
                            }
                        }
                        Piece::Tag(tag) => {
                            let lower = tag.to_ascii_lowercase();
                            html.push_str(&format!(
                                "<a class=\"hashtag\" href=\"/tags/{lower}\">#{}</a>",
                                escape(tag)
                            ));
                            if seen_tags.insert(lower.clone()) {
                                tags.push(lower);
                            }
                        }
                    }
                }
                vec![Event::InlineHtml(CowStr::from(html))]
            }
            other => vec![other],
        }
    });
    let mut raw = String::new();
    html::push_html(&mut raw, events);
    Rendered {
        html: sanitizer().clean(&raw).to_string(),
        mentions: mentions.into_iter().collect(),
        tags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> PostText {
        PostText::parse(s).expect("valid post")
    }

    fn known(handles: &[&str]) -> HashSet<String> {
        handles.iter().map(|h| (*h).to_owned()).collect()
    }

    #[test]
    fn mentions_and_tags_are_found_outside_code_and_emails() {
        let s = scan(&text(
            "Hi @Jane and @omar! #WiFi is down, see `@notme #nottag` and mail ops@acme.example about issue#4 #wifi",
        ));
        assert_eq!(s.mentions, ["jane", "omar"]);
        assert_eq!(s.tags, ["wifi"]);
    }

    #[test]
    fn only_known_handles_become_links() {
        let r = render(&text("thanks @jane and @ghost"), &known(&["jane"]));
        assert!(
            r.html.contains(
                "<a class=\"mention\" href=\"/profiles/jane\" rel=\"nofollow noopener\">@jane</a>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("@ghost") && !r.html.contains("/profiles/ghost"));
        assert_eq!(r.mentions, ["jane"]);
    }

    #[test]
    fn markdown_renders_and_links_get_rel() {
        let r = render(
            &text("**bold** _it_ ~~gone~~ [site](https://example.com)\n\n> quote\n\n- a\n- b"),
            &known(&[]),
        );
        for needle in [
            "<strong>bold</strong>",
            "<em>it</em>",
            "<del>gone</del>",
            "<blockquote>",
            "<li>a</li>",
            "rel=\"nofollow noopener\"",
        ] {
            assert!(r.html.contains(needle), "{needle} in {}", r.html);
        }
    }

    #[test]
    fn hostile_input_is_defused() {
        let cases = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "![img](javascript:alert(1))",
            "<iframe src=//evil></iframe>",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "<svg onload=alert(1)>",
            "@jane<script>x</script>",
        ];
        for c in cases {
            let html = render(&text(c), &known(&["jane"])).html.to_lowercase();
            assert!(!html.contains("<script"), "{c} -> {html}");
            let tags = html
                .split('<')
                .skip(1)
                .map(|t| t.split('>').next().unwrap_or_default());
            for tag in tags {
                assert!(!tag.contains(" on"), "event handler in <{tag}> from {c}");
                assert!(
                    !tag.contains("javascript:") && !tag.contains("data:"),
                    "script URL in <{tag}> from {c}"
                );
            }
            assert!(
                !html.contains("<iframe") && !html.contains("<img") && !html.contains("<svg"),
                "{c} -> {html}"
            );
        }
    }

    #[test]
    fn length_rules() {
        assert!(matches!(
            PostText::parse("   \n "),
            Err(CoreError::EmptyPost)
        ));
        assert!(PostText::parse(&"x".repeat(MAX_POST_CHARS)).is_ok());
        assert!(matches!(
            PostText::parse(&"x".repeat(MAX_POST_CHARS + 1)),
            Err(CoreError::PostTooLong(_))
        ));
    }

    mod hostile {
        use super::*;
        use proptest::prelude::*;

        /// Fragments attackers combine: tags, handlers, schemes, entities,
        /// Markdown link and image syntax, mentions and tags.
        fn fragment() -> impl Strategy<Value = String> {
            prop::sample::select(vec![
                "<script>alert(1)</script>",
                "<SCRIPT SRC=//x.example/x.js>",
                "<img src=x onerror=alert(1)>",
                "<svg/onload=alert(1)>",
                "<a href=\"javascript:alert(1)\">x</a>",
                "[click](javascript:alert(1))",
                "[click](JaVaScRiPt:alert(1))",
                "[click](java&#115;cript:alert(1))",
                "[click](&#106;avascript:alert(1))",
                "![img](javascript:alert(1))",
                "<iframe src=//x.example>",
                "<style>*{}</style>",
                "<div style=\"x:expression(alert(1))\">",
                "<a href='vbscript:msgbox(1)'>v</a>",
                "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">d</a>",
                "[d](data:text/html,<script>alert(1)</script>)",
                "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
                "\"><script>",
                "' onmouseover='alert(1)",
                "`<script>`",
                "```\n<script>\n```",
                "@ada",
                "#tag",
                "**bold**",
                "> quote",
                "\n",
                " ",
                "<",
                ">",
                "&",
                "\"",
                "[",
                "](",
                ")",
            ])
            .prop_map(str::to_owned)
        }

        /// Every attribute of every tag as (name, value), reading quoted
        /// values as values (so text like `alt="x onerror"` is not a name).
        fn attributes(html: &str) -> Vec<(String, String)> {
            let mut names = Vec::new();
            let b = html.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] != b'<' {
                    i += 1;
                    continue;
                }
                i += 1;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                loop {
                    while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                        i += 1;
                    }
                    if i >= b.len() || b[i] == b'>' {
                        break;
                    }
                    let start = i;
                    while i < b.len() && !b"= \t\n\r/>".contains(&b[i]) {
                        i += 1;
                    }
                    let name = html[start..i].to_owned();
                    let mut value = String::new();
                    if i < b.len() && b[i] == b'=' {
                        i += 1;
                        match b.get(i) {
                            Some(&q @ (b'"' | b'\'')) => {
                                i += 1;
                                let v = i;
                                while i < b.len() && b[i] != q {
                                    i += 1;
                                }
                                value = html[v..i.min(b.len())].to_owned();
                                i += 1;
                            }
                            _ => {
                                let v = i;
                                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                                    i += 1;
                                }
                                value = html[v..i].to_owned();
                            }
                        }
                    }
                    names.push((name, value));
                }
            }
            names
        }

        fn post() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop_oneof![fragment(), "[ -~]{0,12}".prop_map(String::from)],
                1..24,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever is typed, the HTML we store and serve carries no
            /// script, no event handler and no script-bearing URL.
            #[test]
            fn rendered_html_never_carries_script(input in post()) {
                let Ok(t) = PostText::parse(&input) else { return Ok(()); };
                let html = render(&t, &known(&["ada"])).html.to_ascii_lowercase();
                prop_assert!(!html.contains("<script"), "{html}");
                prop_assert!(!html.contains("<iframe"), "{html}");
                prop_assert!(!html.contains("<style"), "{html}");
                prop_assert!(!html.contains("<svg"), "{html}");
                for (name, value) in attributes(&html) {
                    prop_assert!(!name.starts_with("on"), "{name} in {html}");
                    prop_assert!(name != "style" && name != "srcdoc", "{name} in {html}");
                    let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                    for scheme in ["javascript:", "vbscript:", "data:", "&#"] {
                        prop_assert!(!v.starts_with(scheme), "{name}={value} in {html}");
                    }
                }
            }
        }
    }
}
