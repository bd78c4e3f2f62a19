//! Whether a post reads as negative: a small lexicon written for how staff
//! talk about the services they use ("down", "can't log in", "still
//! broken", "thanks, fixed"), with negation ("not working" is negative,
//! "no problems" is not). It is shipped in the repository and runs offline;
//! general-purpose lexicons score "down", "issue" or "ticket" as neutral
//! and miss most complaints about IT. Its accuracy on a labelled sample is
//! measured by `tests/sentiment_sample.rs` (see docs/LISTENING.md).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Words (before stemming) and how negative they read (positive numbers)
/// or how positive (negative numbers).
const LEXICON: &[(&str, f32)] = &[
    // Things not working.
    ("down", 1.0),
    ("outage", 1.5),
    ("broken", 1.5),
    ("broke", 1.5),
    ("break", 1.0),
    ("fail", 1.5),
    ("failed", 1.5),
    ("failing", 1.5),
    ("failure", 1.5),
    ("error", 1.0),
    ("errors", 1.0),
    ("crash", 1.5),
    ("crashed", 1.5),
    ("crashes", 1.5),
    ("crashing", 1.5),
    ("slow", 1.0),
    ("slowly", 1.0),
    ("sluggish", 1.0),
    ("lag", 1.0),
    ("laggy", 1.0),
    ("freeze", 1.0),
    ("frozen", 1.0),
    ("stuck", 1.0),
    ("dead", 1.0),
    ("offline", 1.0),
    ("unreachable", 1.5),
    ("unavailable", 1.5),
    ("unusable", 2.0),
    ("unable", 1.0),
    ("lost", 1.0),
    ("missing", 1.0),
    ("disconnect", 1.0),
    ("disconnected", 1.0),
    ("disconnecting", 1.0),
    ("drops", 1.0),
    ("dropping", 1.0),
    ("dropped", 1.0),
    ("timeout", 1.0),
    ("bug", 1.0),
    ("buggy", 1.5),
    ("glitch", 1.0),
    ("problem", 1.0),
    ("problems", 1.0),
    ("issue", 0.5),
    ("issues", 0.5),
    ("wrong", 1.0),
    ("locked", 1.0),
    ("spam", 0.5),
    ("blocked", 1.0),
    ("nothing", 0.5),
    // How people feel about it.
    ("annoying", 1.5),
    ("annoyed", 1.5),
    ("frustrating", 2.0),
    ("frustrated", 2.0),
    ("terrible", 2.0),
    ("awful", 2.0),
    ("horrible", 2.0),
    ("useless", 2.0),
    ("hate", 2.0),
    ("worst", 2.0),
    ("worse", 1.5),
    ("bad", 1.0),
    ("ridiculous", 1.5),
    ("nightmare", 2.0),
    ("painful", 1.5),
    ("pain", 1.0),
    ("sigh", 1.0),
    ("ugh", 1.5),
    ("argh", 1.5),
    ("again", 0.5),
    ("still", 0.5),
    ("anyone", 0.3),
    ("sucks", 2.0),
    ("disappointed", 1.5),
    ("impossible", 1.5),
    ("waste", 1.5),
    ("wasted", 1.5),
    ("confusing", 1.0),
    ("complain", 1.0),
    ("help", 0.3),
    ("worry", 1.0),
    ("worries", 1.0),
    ("worried", 1.0),
    // Things working, and thanks.
    ("works", -1.0),
    ("working", -0.5),
    ("worked", -1.0),
    ("fixed", -1.5),
    ("resolved", -1.5),
    ("solved", -1.5),
    ("back", -0.5),
    ("thanks", -1.5),
    ("thank", -1.5),
    ("thx", -1.5),
    ("great", -1.5),
    ("good", -1.0),
    ("nice", -1.0),
    ("love", -1.5),
    ("awesome", -2.0),
    ("excellent", -2.0),
    ("brilliant", -2.0),
    ("perfect", -1.5),
    ("smooth", -1.0),
    ("fast", -1.0),
    ("quick", -1.0),
    ("quickly", -1.0),
    ("helpful", -1.5),
    ("happy", -1.5),
    ("glad", -1.5),
    ("appreciate", -1.5),
    ("welcome", -1.0),
    ("congrats", -1.5),
    ("congratulations", -1.5),
    ("enjoy", -1.0),
    ("fine", -0.5),
    ("better", -1.0),
    ("easy", -1.0),
];

/// Words that turn the next few words around.
const NEGATORS: &[&str] = &[
    "not", "no", "never", "cannot", "cant", "without", "hardly", "nor", "none", "isnt", "doesnt",
    "dont", "didnt", "wont", "wasnt", "arent", "couldnt",
];

/// The first half of a contraction whose second half ("t") negates.
const CONTRACTED: &[&str] = &[
    "can", "don", "doesn", "didn", "isn", "won", "wasn", "aren", "couldn", "wouldn", "shouldn",
    "haven", "hasn",
];

/// How many words after a negator it reaches.
const NEGATION_REACH: usize = 3;

fn lexicon() -> &'static HashMap<String, f32> {
    static LEXICON_STEMS: OnceLock<HashMap<String, f32>> = OnceLock::new();
    LEXICON_STEMS.get_or_init(|| {
        let mut by_stem = HashMap::new();
        for (word, weight) in LEXICON {
            for stem in super::words(word) {
                by_stem.insert(stem, *weight);
            }
        }
        by_stem
    })
}

fn negators() -> &'static HashSet<String> {
    static STEMS: OnceLock<HashSet<String>> = OnceLock::new();
    STEMS.get_or_init(|| NEGATORS.iter().flat_map(|w| super::words(w)).collect())
}

/// How negative `text` reads: above zero negative, zero or below not.
pub fn score(text: &str) -> f32 {
    let words = super::words(text);
    let lexicon = lexicon();
    let negators = negators();
    let mut total = 0.0;
    let mut negated_until = 0usize;
    for (i, w) in words.iter().enumerate() {
        let contracted = w == "t" && i > 0 && CONTRACTED.contains(&words[i - 1].as_str());
        if negators.contains(w) || contracted {
            // "not working", "can't log in", "no wifi" read as complaints
            // even with no word of feeling in them.
            total += 0.5;
            negated_until = i + NEGATION_REACH + 1;
            continue;
        }
        if let Some(weight) = lexicon.get(w) {
            if i < negated_until {
                // Turned around: "no problems" reads well, "not working"
                // is a complaint.
                total -= weight;
            } else {
                total += weight;
            }
        }
    }
    total
}

/// Whether `text` reads as negative.
pub fn is_negative(text: &str) -> bool {
    score(text) > 0.0
}

/// Words too common to say anything about a topic.
const STOP: &[&str] = &[
    "the", "and", "for", "you", "your", "with", "this", "that", "have", "has", "are", "was",
    "were", "not", "but", "all", "any", "can", "from", "our", "out", "just", "get", "got", "will",
    "would", "what", "when", "who", "how", "there", "their", "they", "them", "about", "today",
    "please", "its", "it's", "into", "than", "then", "too", "also", "been", "being", "had", "did",
    "does", "doing", "don", "isn", "aren", "wasn", "didn", "doesn", "can't", "won", "here",
    "where", "which", "while", "some", "more", "very", "much", "one", "two", "now", "still",
    "again", "anyone", "else", "like", "know", "think", "see", "off", "over", "only", "same",
    "since", "why", "she", "him", "her", "his", "hers", "our", "ours", "mine", "yours", "these",
    "those", "because", "could", "should", "might", "must", "let", "lets", "via", "per", "each",
    "every", "other", "after", "before", "just", "yet", "way", "back", "down",
];

/// The `n` most-used words of `texts` (lowercased, as written, at least
/// three letters, common words and `ignore` left out), with their counts,
/// most used first.
pub fn top_words(texts: &[&str], ignore: &[String], n: usize) -> Vec<(String, usize)> {
    let stop: HashSet<&str> = STOP.iter().copied().collect();
    let ignored: HashSet<String> = ignore.iter().flat_map(|t| super::words(t)).collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for text in texts {
        let mut seen: HashSet<String> = HashSet::new();
        for raw in text.split(|c: char| !c.is_alphanumeric() && c != '\'') {
            let w = raw.trim_matches('\'').to_lowercase();
            if w.chars().count() < 3 || w.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if stop.contains(w.as_str()) || super::words(&w).iter().any(|s| ignored.contains(s)) {
                continue;
            }
            // A word counts once per post: one chatty post does not make
            // a word common.
            if seen.insert(w.clone()) {
                *counts.entry(w).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(n);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complaints_read_negative_and_thanks_do_not() {
        for text in [
            "The wifi is down again",
            "can't log in to outlook",
            "eduroam not working on floor 3",
            "VPN keeps dropping, so annoying",
        ] {
            assert!(is_negative(text), "{text}: {}", score(text));
        }
        for text in [
            "Thanks, the wifi is back",
            "wifi works fine now",
            "no problems with email today",
            "Lunch at 12 in the atrium",
        ] {
            assert!(!is_negative(text), "{text}: {}", score(text));
        }
    }

    #[test]
    fn top_words_count_each_post_once_and_skip_the_topic() {
        let texts = [
            "wifi down down down in building B",
            "building B wifi gone",
            "printer in building C",
        ];
        let top = top_words(&texts, &["wifi".to_owned()], 3);
        assert_eq!(top[0], ("building".to_owned(), 3));
        assert!(top.iter().all(|(w, _)| w != "wifi" && w != "down"));
    }
}
