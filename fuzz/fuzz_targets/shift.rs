//! Roster input (zone, start, end, RRULE): never a panic, and an accepted
//! shift's occurrences are well-formed.
#![no_main]

use byline_core::Timestamp;
use byline_core::roster::{Recurrence, Shift};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Recurrence::parse(text);
    let mut parts = text.splitn(4, '|');
    let (Some(zone), Some(starts), Some(ends)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let Ok(shift) = Shift::new(zone, starts, ends, parts.next()) else {
        return;
    };
    let Some(first) = shift.first() else { return };
    let to = Timestamp(first.starts.micros() + 30 * 86_400 * 1_000_000);
    let all = shift.occurrences(first.starts, to);
    for w in all.windows(2) {
        assert!(w[0].starts < w[1].starts);
    }
    for o in all {
        assert!(o.starts < o.ends);
    }
});
