//! Post text: parse, scan for mentions and tags, render. Never panics, and
//! the HTML never carries script, an event handler or a script URL.
#![no_main]

use byline_core::markdown::{PostText, render, scan};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

/// Checks every tag: no `on…`/`style` attribute outside quotes, no quoted
/// value starting with a script scheme. (Text may say anything: a `<` in
/// text is always escaped, so only real tags start with one.)
fn check_tags(html: &str) {
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let mut names = String::new();
        let mut values = Vec::new();
        let mut quote: Option<char> = None;
        let mut value = String::new();
        for c in tag.chars() {
            match quote {
                Some(q) if c == q => {
                    values.push(std::mem::take(&mut value));
                    quote = None;
                }
                Some(_) => value.push(c),
                None if c == '"' || c == '\'' => quote = Some(c),
                None => names.push(c),
            }
        }
        for word in names.split(|c: char| c.is_whitespace() || c == '=').skip(1) {
            assert!(!word.starts_with("on") && word != "style", "attribute {word} in <{tag}>");
        }
        for v in values {
            let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(!v.starts_with(scheme), "{v} in <{tag}>");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(post) = PostText::parse(text) else {
        return;
    };
    let found = scan(&post);
    let known: HashSet<String> = found.mentions.into_iter().take(3).collect();
    let html = render(&post, &known).html.to_ascii_lowercase();
    for element in ["<script", "<iframe", "<style", "<svg", "<object", "<embed"] {
        assert!(!html.contains(element), "{html}");
    }
    check_tags(&html);
});
