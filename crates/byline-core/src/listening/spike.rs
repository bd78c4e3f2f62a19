//! When is a topic spiking? The count is of distinct posters in the last
//! [`WINDOW_SECS`]; the expectation is what the same hour of the week held
//! over the past weeks (so Monday 09:00 is compared with Mondays at 09:00).
//!
//! The test is an upper tail: the probability of seeing at least the
//! observed count if nothing unusual were happening. Counts of people
//! talking about a topic are over-dispersed (some weeks are busier for no
//! reason), so when the baseline's variance exceeds its mean the tail is a
//! negative binomial with that mean and variance, and a Poisson otherwise.
//! An alert needs the tail below the topic's α (from its sensitivity) and
//! at least the topic's minimum count of people, so that on a quiet topic
//! three people mentioning it in the same ten minutes is not an incident.

use crate::error::CoreError;

/// The window whose distinct posters are counted.
pub const WINDOW_SECS: i64 = 600;
/// Weeks of history the baseline looks back over.
pub const BASELINE_WEEKS: i64 = 8;
/// The expectation never drops below this many posters a window: a topic
/// never mentioned before is still allowed one person now and then.
pub const FLOOR: f64 = 0.05;

/// How eager a topic's alerts are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sensitivity {
    /// 1 (only the loudest bursts) to 10 (the faintest).
    pub level: u8,
    /// Fewest distinct posters in a window for an alert.
    pub min_posters: u32,
}

impl Default for Sensitivity {
    fn default() -> Self {
        Sensitivity {
            level: 5,
            min_posters: 5,
        }
    }
}

impl Sensitivity {
    /// Checks a level of 1–10 and a minimum of 2–100 posters.
    pub fn new(level: i64, min_posters: i64) -> Result<Sensitivity, CoreError> {
        let level = u8::try_from(level)
            .ok()
            .filter(|l| (1..=10).contains(l))
            .ok_or_else(|| {
                CoreError::InvalidTopic(format!(
                    "sensitivity is 1 (only the loudest bursts) to 10 (the faintest), not {level}"
                ))
            })?;
        let min_posters = u32::try_from(min_posters)
            .ok()
            .filter(|m| (2..=100).contains(m))
            .ok_or_else(|| {
                CoreError::InvalidTopic(format!(
                    "the minimum number of people for an alert is 2 to 100, not {min_posters}"
                ))
            })?;
        Ok(Sensitivity { level, min_posters })
    }

    /// The tail probability under which a count is a spike: 10⁻⁶ at level
    /// 1 to 10⁻² at level 10 (the test runs every minute on overlapping
    /// windows, so it must be far stricter than a one-off 5 %).
    pub fn alpha(self) -> f64 {
        let exponent = -6.0 + (f64::from(self.level) - 1.0) * 4.0 / 9.0;
        10f64.powf(exponent)
    }
}

/// What a window usually holds at this hour of the week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    /// Mean distinct posters a window.
    pub mean: f64,
    /// Their variance.
    pub variance: f64,
    /// How many windows it is built from.
    pub windows: usize,
}

impl Baseline {
    /// The baseline of past windows' counts.
    pub fn of(counts: &[u32]) -> Baseline {
        if counts.is_empty() {
            return Baseline {
                mean: FLOOR,
                variance: FLOOR,
                windows: 0,
            };
        }
        #[allow(clippy::cast_precision_loss)]
        let n = counts.len() as f64;
        let mean = counts.iter().map(|c| f64::from(*c)).sum::<f64>() / n;
        let variance = counts
            .iter()
            .map(|c| (f64::from(*c) - mean).powi(2))
            .sum::<f64>()
            / (n - 1.0).max(1.0);
        Baseline {
            mean: mean.max(FLOOR),
            variance: variance.max(mean.max(FLOOR)),
            windows: counts.len(),
        }
    }

    /// P(X ≥ `observed`) under the baseline.
    pub fn tail(&self, observed: u32) -> f64 {
        if observed == 0 {
            return 1.0;
        }
        let m = self.mean;
        // Near-Poisson: the negative binomial's r would be huge.
        let below: f64 = if self.variance <= m * 1.05 {
            let mut p = (-m).exp();
            let mut sum = p;
            for k in 1..observed {
                p *= m / f64::from(k);
                sum += p;
            }
            sum
        } else {
            let r = m * m / (self.variance - m);
            let q = m / (r + m); // the chance of a "failure" each step
            let mut p = (r * (1.0 - q).ln()).exp();
            let mut sum = p;
            for k in 1..observed {
                let k = f64::from(k);
                p *= (k - 1.0 + r) / k * q;
                sum += p;
            }
            sum
        };
        (1.0 - below).max(0.0)
    }
}

/// The verdict on one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// Distinct posters in the window.
    pub observed: u32,
    /// What the hour usually holds.
    pub expected: f64,
    /// P(X ≥ observed) under the baseline.
    pub tail: f64,
    /// Whether this is a spike.
    pub spike: bool,
}

/// Judges `observed` posters in the current window against `baseline`.
pub fn judge(baseline: &Baseline, observed: u32, sensitivity: Sensitivity) -> Verdict {
    let tail = baseline.tail(observed);
    Verdict {
        observed,
        expected: baseline.mean,
        tail,
        spike: observed >= sensitivity.min_posters && tail < sensitivity.alpha(),
    }
}

/// The starts of the baseline's windows for a window starting at `start`:
/// the same time on each of the past [`BASELINE_WEEKS`] weeks, and the
/// windows an hour either side of it, so each week gives a handful (and a
/// change of daylight saving, which moves local time by an hour, still
/// compares like with like).
pub fn baseline_starts(start: i64) -> Vec<i64> {
    const WEEK: i64 = 7 * 86_400;
    let mut out = Vec::new();
    for w in 1..=BASELINE_WEEKS {
        let same = start - w * WEEK;
        let mut offset = -3600;
        while offset <= 3600 {
            out.push(same + offset);
            offset += WINDOW_SECS;
        }
    }
    out
}

/// Distinct posters in each window `[s, s + WINDOW_SECS)` for `starts`,
/// from `(instant in seconds, poster)` pairs sorted by instant.
pub fn counts_in(events: &[(i64, i64)], starts: &[i64]) -> Vec<u32> {
    starts
        .iter()
        .map(|s| {
            let from = events.partition_point(|(t, _)| *t < *s);
            let to = events.partition_point(|(t, _)| *t < s + WINDOW_SECS);
            let mut who: Vec<i64> = events[from..to].iter().map(|(_, p)| *p).collect();
            who.sort_unstable();
            who.dedup();
            u32::try_from(who.len()).unwrap_or(u32::MAX)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tail_matches_known_values() {
        let b = Baseline {
            mean: 2.0,
            variance: 2.0,
            windows: 10,
        };
        // P(X ≥ 5 | λ = 2) = 0.052653
        assert!((b.tail(5) - 0.052_653).abs() < 1e-5, "{}", b.tail(5));
        assert!((b.tail(0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn negative_binomial_tail_is_heavier_than_poisson() {
        let poisson = Baseline {
            mean: 2.0,
            variance: 2.0,
            windows: 10,
        };
        let spread = Baseline {
            mean: 2.0,
            variance: 6.0,
            windows: 10,
        };
        assert!(spread.tail(8) > poisson.tail(8) * 10.0);
        // r = 1 (geometric): P(X ≥ k) = q^k with q = m / (1 + m).
        let geometric = Baseline {
            mean: 1.0,
            variance: 2.0,
            windows: 10,
        };
        assert!(
            (geometric.tail(3) - 0.125).abs() < 1e-9,
            "{}",
            geometric.tail(3)
        );
    }

    #[test]
    fn a_quiet_topic_alerts_only_at_its_minimum() {
        let quiet = Baseline::of(&[0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
        let s = Sensitivity::default();
        assert!(!judge(&quiet, 4, s).spike, "under the minimum");
        assert!(judge(&quiet, 5, s).spike);
        let busy = Baseline::of(&[6, 9, 7, 8, 10, 5, 7, 9, 8, 6]);
        assert!(
            !judge(&busy, 12, s).spike,
            "a busy hour holds 12 often enough"
        );
        assert!(judge(&busy, 30, s).spike);
    }

    #[test]
    fn sensitivity_is_checked_and_orders_alpha() {
        assert!(Sensitivity::new(0, 5).is_err());
        assert!(Sensitivity::new(11, 5).is_err());
        assert!(Sensitivity::new(5, 1).is_err());
        let low = Sensitivity::new(1, 5).expect("ok").alpha();
        let high = Sensitivity::new(10, 5).expect("ok").alpha();
        assert!((low - 1e-6).abs() < 1e-12 && (high - 1e-2).abs() < 1e-9);
    }

    #[test]
    fn counts_distinct_posters_per_window() {
        let events = [(0, 1), (10, 1), (20, 2), (700, 3), (1300, 3)];
        assert_eq!(counts_in(&events, &[0, 600, 1200, 5000]), vec![2, 1, 1, 0]);
        assert_eq!(baseline_starts(10_000_000).len(), 8 * 13);
    }
}
