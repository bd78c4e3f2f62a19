//! Search box text: parsing never panics, and what it yields is bounded
//! and quotable.
#![no_main]

use byline_core::search::{SearchQuery, highlight};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(q) = SearchQuery::parse(text) {
        assert!(!q.terms().is_empty());
        let _ = q.phrase();
    }
    let lit = highlight(text);
    assert!(!lit.contains("<script"));
});
