//! Listening: the topics a help desk watches in its own organisation's
//! posts, how a post is matched to them, and when a topic's recent volume
//! is a spike worth an incident. Matching is on whole words, ignoring case,
//! with English Snowball stemming (so "printers" matches "printer"); a term
//! of several words ("wi-fi", "vpn client") matches those words in a row.

pub mod sentiment;
pub mod simulate;
pub mod spike;

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::error::CoreError;

/// Most terms a topic may have.
pub const MAX_TERMS: usize = 20;
/// Most topics a help desk may watch.
pub const MAX_TOPICS: usize = 100;
/// Fewest letters or digits in a term: "it" or "pc" would match too much
/// that is not about the topic.
pub const MIN_TERM_CHARS: usize = 3;
/// Longest term, in characters.
pub const MAX_TERM_CHARS: usize = 60;
/// A term matching more than this share of recent posts is refused: it
/// would say nothing about the topic.
pub const MAX_SHARE: f64 = 0.05;

/// Words so common that no sample is needed to refuse them.
const COMMON: [&str; 40] = [
    "the", "and", "for", "you", "your", "with", "this", "that", "have", "has", "are", "was",
    "were", "not", "but", "all", "any", "can", "from", "our", "out", "just", "get", "got", "will",
    "would", "what", "when", "who", "how", "there", "their", "they", "about", "today", "thanks",
    "please", "work", "team", "know",
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The stemmed, lowercased words of `text`, in order. Anything that is not
/// a letter or a digit separates words, so `#wifi`, `Wi-Fi` and `wifi!`
/// read as words, and a hyphenated term becomes a phrase.
pub fn words(text: &str) -> Vec<String> {
    let stem = stemmer();
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            stem.stem(&lower).into_owned()
        })
        .collect()
}

/// A watched topic as written by its owners: a name and its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    /// What the topic is called ("Wi-Fi").
    pub name: String,
    /// The words and phrases that mean it.
    pub terms: Vec<String>,
}

/// Checks a topic's name and terms on their own (the share of posts a term
/// would match is [`too_common`]'s business); returns the terms trimmed and
/// without repeats.
pub fn check_topic(name: &str, terms: &[String]) -> Result<Vec<String>, CoreError> {
    let invalid = |m: String| CoreError::InvalidTopic(m);
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(invalid("a topic needs a name of 1 to 60 characters".into()));
    }
    let mut out: Vec<String> = Vec::new();
    for raw in terms {
        let term = raw.trim();
        if term.is_empty() {
            continue;
        }
        if term.chars().count() > MAX_TERM_CHARS {
            return Err(invalid(format!(
                "the term '{}…' is longer than {MAX_TERM_CHARS} characters",
                term.chars().take(20).collect::<String>()
            )));
        }
        let letters = term.chars().filter(|c| c.is_alphanumeric()).count();
        if letters < MIN_TERM_CHARS {
            return Err(invalid(format!(
                "the term '{term}' is too short: a term needs at least {MIN_TERM_CHARS} letters or digits"
            )));
        }
        let lower = term.to_lowercase();
        if COMMON.contains(&lower.as_str()) {
            return Err(invalid(format!(
                "the term '{term}' is too common: it would match most posts"
            )));
        }
        if !out.iter().any(|t| t.to_lowercase() == lower) {
            out.push(term.to_owned());
        }
    }
    if out.is_empty() {
        return Err(invalid("a topic needs at least one term".into()));
    }
    if out.len() > MAX_TERMS {
        return Err(invalid(format!("a topic has at most {MAX_TERMS} terms")));
    }
    Ok(out)
}

/// The first term of `terms` that matches more than [`MAX_SHARE`] of
/// `sample` (recent posts), with that share; a sample under 200 posts
/// says too little and refuses nothing.
pub fn too_common(terms: &[String], sample: &[&str]) -> Option<(String, f64)> {
    if sample.len() < 200 {
        return None;
    }
    let texts: Vec<Vec<String>> = sample.iter().map(|t| words(t)).collect();
    for term in terms {
        let matcher = Matcher::new(&[(0, std::slice::from_ref(term))]);
        let hits = texts.iter().filter(|w| !matcher.find(w).is_empty()).count();
        #[allow(clippy::cast_precision_loss)]
        let share = hits as f64 / texts.len() as f64;
        if share > MAX_SHARE {
            return Some((term.clone(), share));
        }
    }
    None
}

/// Every term of every topic, indexed by its first word, so a post is
/// read once whatever the number of topics.
#[derive(Debug, Default, Clone)]
pub struct Matcher {
    /// First stemmed word → (topic id, the term's remaining words).
    first: HashMap<String, Vec<(i64, Vec<String>)>>,
}

impl Matcher {
    /// Builds the matcher for `(topic id, terms)` pairs.
    pub fn new<S: AsRef<str>>(topics: &[(i64, &[S])]) -> Matcher {
        let mut first: HashMap<String, Vec<(i64, Vec<String>)>> = HashMap::new();
        for (id, terms) in topics {
            for term in *terms {
                let mut w = words(term.as_ref()).into_iter();
                if let Some(head) = w.next() {
                    first.entry(head).or_default().push((*id, w.collect()));
                }
            }
        }
        Matcher { first }
    }

    /// True when no topic is watched.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// The topics (ids, ascending, each once) whose terms occur in the
    /// already split `words`.
    pub fn find(&self, words: &[String]) -> Vec<i64> {
        let mut out = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let Some(candidates) = self.first.get(w) else {
                continue;
            };
            for (topic, rest) in candidates {
                if words.get(i + 1..i + 1 + rest.len()) == Some(rest.as_slice())
                    && !out.contains(topic)
                {
                    out.push(*topic);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The topics `text` is about.
    pub fn topics_of(&self, text: &str) -> Vec<i64> {
        if self.is_empty() {
            return Vec::new();
        }
        self.find(&words(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn matches_whole_words_any_case_and_stems() {
        let wifi = terms(&["wifi", "wi-fi", "wireless", "eduroam"]);
        let email = terms(&["outlook", "email", "mailbox"]);
        let m = Matcher::new(&[(1, wifi.as_slice()), (2, email.as_slice())]);
        assert_eq!(m.topics_of("The WiFi is down again"), vec![1]);
        assert_eq!(m.topics_of("is the Wi-Fi down?"), vec![1]);
        assert_eq!(m.topics_of("#eduroam keeps dropping"), vec![1]);
        assert_eq!(m.topics_of("my emails bounce and wifi is slow"), vec![1, 2]);
        assert_eq!(m.topics_of("Mailboxes full"), vec![2]);
        // Word boundaries: not inside another word.
        assert!(m.topics_of("the outlooks are good, wifibox").contains(&2));
        assert!(m.topics_of("wifibox arrived").is_empty());
        assert!(m.topics_of("a wide fire").is_empty());
        // A phrase needs its words in a row.
        assert!(m.topics_of("wi then fi").is_empty());
    }

    #[test]
    fn refuses_empty_short_and_common_terms() {
        assert!(check_topic("Wi-Fi", &terms(&["", "  "])).is_err());
        assert!(check_topic("", &terms(&["wifi"])).is_err());
        let short = check_topic("IT", &terms(&["it"])).expect_err("short");
        assert!(short.to_string().contains("too short"), "{short}");
        let common = check_topic("Stuff", &terms(&["The"])).expect_err("common");
        assert!(common.to_string().contains("too common"), "{common}");
        assert_eq!(
            check_topic(" Wi-Fi ", &terms(&["wifi", "WiFi", " wi-fi "])).expect("ok"),
            terms(&["wifi", "wi-fi"])
        );
    }

    #[test]
    fn a_term_matching_too_many_recent_posts_is_named_with_its_share() {
        let mut sample: Vec<String> = (0..300).map(|i| format!("lunch plans {i}")).collect();
        for s in sample.iter_mut().take(30) {
            s.push_str(" the printer jammed");
        }
        let refs: Vec<&str> = sample.iter().map(String::as_str).collect();
        let (term, share) = too_common(&terms(&["printer", "lunch"]), &refs).expect("lunch");
        assert_eq!(term, "printer");
        assert!((share - 0.1).abs() < 1e-9);
        assert!(too_common(&terms(&["scanner"]), &refs).is_none());
        // Too few posts to judge: nothing refused.
        assert!(too_common(&terms(&["lunch"]), &refs[..50]).is_none());
    }
}
