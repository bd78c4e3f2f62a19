//! Time as stored: UTC microseconds since the Unix epoch.

use serde::{Deserialize, Serialize};

/// An instant in UTC, stored and compared as microseconds since 1970-01-01.
///
/// Both backends keep it as a 64-bit integer, which sorts and indexes the
/// same way everywhere and needs no dialect-specific date handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Microseconds since the epoch.
    pub fn micros(self) -> i64 {
        self.0
    }

    /// This instant moved by `seconds` (negative moves back).
    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }

    /// Whole seconds from `self` until `later`, never negative.
    pub fn seconds_until(self, later: Timestamp) -> i64 {
        ((later.0 - self.0).max(0) + 999_999) / 1_000_000
    }

    /// RFC 3339 text in UTC with second precision, e.g. `2026-11-22T09:30:00Z`.
    pub fn to_rfc3339(self) -> String {
        let secs = self.0.div_euclid(1_000_000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    }
}

/// Proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's
/// published algorithm), so formatting needs no date crate in the domain.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        // 2026-11-22T22:14:36Z
        assert_eq!(
            Timestamp(1_795_385_676_000_000).to_rfc3339(),
            "2026-11-22T22:14:36Z"
        );
        // A leap day.
        assert_eq!(
            Timestamp(951_782_400_000_000).to_rfc3339(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn seconds_until_rounds_up_and_never_goes_negative() {
        let t = Timestamp(10_000_000);
        assert_eq!(t.seconds_until(Timestamp(10_000_001)), 1);
        assert_eq!(t.seconds_until(Timestamp(5)), 0);
        assert_eq!(t.seconds_until(t.plus_seconds(60)), 60);
    }
}
