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

    /// This instant moved forward by `d` (saturating).
    pub fn after(self, d: std::time::Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
        )
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
        // Fractions only when there are any, so that every time written
        // parses back to exactly the same instant.
        let micros = self.0.rem_euclid(1_000_000);
        let fraction = if micros == 0 {
            String::new()
        } else {
            format!(".{micros:06}")
        };
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{fraction}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    }
}

impl Timestamp {
    /// To the minute, for people: `2026-11-22 22:14 UTC`.
    pub fn to_minute_label(self) -> String {
        let exact = self.to_rfc3339();
        format!(
            "{} UTC",
            exact.replace('T', " ").chars().take(16).collect::<String>()
        )
    }

    /// Parses RFC 3339 with an offset, e.g. `2026-11-18T14:30:00+01:00` or
    /// `2026-11-18T13:30Z` (seconds optional, fractions ignored). Strict:
    /// four-digit years, two-digit fields, a real date, an offset; the
    /// instant must fall in the years 0001–9999 UTC so that it formats back.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let s = text.trim();
        let parsed = chrono::DateTime::parse_from_rfc3339(s).or_else(|_| {
            // People often leave out the seconds: `2026-11-18T13:30Z`.
            let t = s.find(['T', 't', ' ']).ok_or(())?;
            let off = s[t..].find(['Z', 'z', '+', '-']).ok_or(())? + t;
            if off - t != 6 {
                return Err(());
            }
            chrono::DateTime::parse_from_rfc3339(&format!("{}:00{}", &s[..off], &s[off..]))
                .map_err(|_| ())
        });
        let parsed = parsed.ok()?;
        let secs = parsed.timestamp();
        // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
        if !(-62_135_596_800..=253_402_300_799).contains(&secs) {
            return None;
        }
        secs.checked_mul(1_000_000)?
            .checked_add(i64::from(parsed.timestamp_subsec_micros()))
            .map(Timestamp)
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
        assert_eq!(
            Timestamp(1_795_385_676_000_250).to_minute_label(),
            "2026-11-22 22:14 UTC"
        );
        // Microseconds are written when there are any (exact round trips).
        assert_eq!(
            Timestamp(1_795_385_676_000_250).to_rfc3339(),
            "2026-11-22T22:14:36.000250Z"
        );
        // A leap day.
        assert_eq!(
            Timestamp(951_782_400_000_000).to_rfc3339(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn loose_times_are_refused() {
        // Found by the `identity` fuzz target: single digits, a space and a
        // negative minute once parsed into an instant that did not format
        // back.
        for bad in [
            "0-01-1 00:-20:0z",
            "2026-1-05T10:00Z",
            "2026-11-18T14:3Z",
            "12026-11-18T14:30:00Z",
            "2026-11-18T14:30:00",
            "0000-01-01T00:00:00+01:00",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
        let t = Timestamp::parse_rfc3339("2026-11-18T13:30Z").expect("no seconds");
        assert_eq!(t.to_rfc3339(), "2026-11-18T13:30:00Z");
    }

    #[test]
    fn parses_rfc3339_with_offsets_and_rejects_nonsense() {
        let utc = Timestamp::parse_rfc3339("2026-11-22T22:14:36Z");
        assert_eq!(utc, Some(Timestamp(1_795_385_676_000_000)));
        assert_eq!(Timestamp::parse_rfc3339("2026-11-22T23:14:36+01:00"), utc);
        assert_eq!(Timestamp::parse_rfc3339("2026-11-22T17:14:36-05:00"), utc);
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-22T22:14Z"),
            Some(Timestamp(1_795_385_640_000_000))
        );
        for bad in [
            "",
            "2026-11-22",
            "2026-02-30T10:00Z",
            "2026-13-01T00:00Z",
            "2026-11-22T25:00Z",
            "yesterday",
            "2026-11-22T10:00+1",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
        for t in [
            0i64,
            951_782_400_000_000,
            1_795_385_676_000_000,
            1_795_385_676_123_456,
            1_795_385_676_000_001,
        ] {
            assert_eq!(
                Timestamp::parse_rfc3339(&Timestamp(t).to_rfc3339()),
                Some(Timestamp(t))
            );
        }
    }

    #[test]
    fn seconds_until_rounds_up_and_never_goes_negative() {
        let t = Timestamp(10_000_000);
        assert_eq!(t.seconds_until(Timestamp(10_000_001)), 1);
        assert_eq!(t.seconds_until(Timestamp(5)), 0);
        assert_eq!(t.seconds_until(t.plus_seconds(60)), 60);
    }
}
