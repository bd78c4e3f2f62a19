//! Upload sniffing: never a panic; a recognised image starts with its
//! format's signature.
#![no_main]

use byline_core::image::sniff;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(kind) = sniff(data) {
        assert!(kind.starts_with("image/"), "{kind}");
        assert!(data.len() >= 4);
    }
});
