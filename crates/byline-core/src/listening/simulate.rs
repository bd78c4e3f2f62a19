//! Simulated talk about a topic, to test the spike alerts against: a
//! stream with a working day's and a working week's rhythm, holidays, day
//! to day noise, and optionally an outage burst. The backtest replays it
//! minute by minute through the same [`spike`](super::spike) functions the
//! listening job uses, and says when it alerted.

use rand::{Rng, SeedableRng, rngs::StdRng};

use super::spike::{self, Baseline, Sensitivity, WINDOW_SECS};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// How a simulated topic is talked about.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    /// Distinct posters an hour at a weekday's busiest hour.
    pub peak_per_hour: f64,
    /// People in the organisation.
    pub staff: i64,
    /// Weeks simulated before the month that is judged (the baseline's).
    pub history_weeks: i64,
    /// Days of the judged month that are holidays.
    pub holidays: usize,
    /// Whether an outage bursts in the judged month.
    pub burst: Option<BurstSize>,
}

/// An outage: this many distinct people within ten minutes.
#[derive(Debug, Clone, Copy)]
pub struct BurstSize {
    /// Distinct posters in the burst.
    pub posters: u32,
}

/// One simulated run.
#[derive(Debug, Clone)]
pub struct Run {
    /// `(second, poster)`, sorted.
    pub events: Vec<(i64, i64)>,
    /// Where the judged month starts.
    pub judged_from: i64,
    /// Where it ends.
    pub judged_to: i64,
    /// When the burst started, if there was one.
    pub burst_at: Option<i64>,
}

/// The share of the peak rate at `hour` of a working day: quiet nights, a
/// morning peak as people arrive, a dip at lunch, a quieter afternoon.
fn day_shape(hour: i64) -> f64 {
    match hour {
        0..=5 => 0.02,
        6 => 0.08,
        7 => 0.3,
        8 => 0.8,
        9 | 10 => 1.0,
        11 => 0.8,
        12 => 0.5,
        13 => 0.7,
        14 | 15 => 0.75,
        16 => 0.55,
        17 => 0.3,
        18 => 0.15,
        19..=21 => 0.08,
        _ => 0.04,
    }
}

/// An exponential draw with mean 1.
fn exp1(rng: &mut StdRng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}

/// Generates a run. Day 0 is a Monday at midnight.
pub fn generate(seed: u64, s: &Stream) -> Run {
    let mut rng = StdRng::seed_from_u64(seed);
    let judged_from = s.history_weeks * WEEK;
    let judged_to = judged_from + 30 * DAY;
    let days = judged_to / DAY;
    // Holidays: weekdays of the judged month (and one a fortnight before
    // it, so the history has seen one).
    let mut holidays: Vec<i64> = Vec::new();
    while holidays.len() < s.holidays {
        let d = judged_from / DAY + rng.random_range(0..30);
        if d % 7 < 5 && !holidays.contains(&d) {
            holidays.push(d);
        }
    }
    holidays.push(judged_from / DAY - 10);
    let mut events = Vec::new();
    for d in 0..days {
        // Day to day noise: a gamma(4) multiplier, mean 1, spread 50 %.
        let noise = (0..4).map(|_| exp1(&mut rng)).sum::<f64>() / 4.0;
        let weekend = d % 7 >= 5 || holidays.contains(&d);
        for h in 0..24 {
            let rate = s.peak_per_hour * day_shape(h) * noise * if weekend { 0.12 } else { 1.0 };
            if rate <= 0.0 {
                continue;
            }
            let mut t = 0.0;
            loop {
                t += exp1(&mut rng) / rate * 3600.0;
                if t >= 3600.0 {
                    break;
                }
                #[allow(clippy::cast_possible_truncation)]
                let at = d * DAY + h * HOUR + t as i64;
                events.push((at, rng.random_range(0..s.staff)));
            }
        }
    }
    let burst_at = s.burst.map(|b| {
        // Any minute of the judged month but its last day, so the alert
        // has time to come.
        let at = judged_from + rng.random_range(0..29 * DAY / 60) * 60;
        for i in 0..b.posters {
            let t = at + rng.random_range(0..WINDOW_SECS);
            // Fresh people, so the burst is exactly its size.
            events.push((t, s.staff + i64::from(i)));
        }
        at
    });
    events.sort_unstable();
    Run {
        events,
        judged_from,
        judged_to,
        burst_at,
    }
}

/// What the backtest saw in one run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Minutes from the burst's start to its alert (none if missed).
    pub delay_secs: Option<i64>,
    /// Alerts with no burst behind them.
    pub false_alerts: usize,
}

/// Replays `run` minute by minute: each minute the last ten minutes'
/// distinct posters are judged against the baseline of the same hour in
/// past weeks, as the listening job does. An alert opens an incident that
/// absorbs the topic's posts (no new alert) until two quiet hours pass.
pub fn backtest(run: &Run, sensitivity: Sensitivity) -> Outcome {
    let mut out = Outcome::default();
    let mut incident_until: Option<i64> = None;
    let mut t = run.judged_from;
    while t < run.judged_to {
        let start = t - WINDOW_SECS;
        let from = run.events.partition_point(|(at, _)| *at < start);
        let to = run.events.partition_point(|(at, _)| *at < t);
        if let Some(until) = incident_until {
            // The open incident is quiet for two hours: solved.
            if to > from {
                incident_until = Some(t + 2 * HOUR);
            } else if t >= until {
                incident_until = None;
            }
            t += 60;
            continue;
        }
        let mut who: Vec<i64> = run.events[from..to].iter().map(|(_, p)| *p).collect();
        who.sort_unstable();
        who.dedup();
        let observed = u32::try_from(who.len()).unwrap_or(u32::MAX);
        // Under the minimum nothing is a spike: the baseline is not read.
        if observed >= sensitivity.min_posters {
            let counts = spike::counts_in(&run.events, &spike::baseline_starts(start));
            let verdict = spike::judge(&Baseline::of(&counts), observed, sensitivity);
            if verdict.spike {
                match run.burst_at {
                    Some(b) if t >= b && t <= b + 2 * HOUR && out.delay_secs.is_none() => {
                        out.delay_secs = Some(t - b);
                    }
                    _ => out.false_alerts += 1,
                }
                incident_until = Some(t + 2 * HOUR);
            }
        }
        t += 60;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_have_a_working_rhythm() {
        let run = generate(
            7,
            &Stream {
                peak_per_hour: 6.0,
                staff: 2_000,
                history_weeks: 2,
                holidays: 0,
                burst: None,
            },
        );
        let weekday_mornings = run
            .events
            .iter()
            .filter(|(t, _)| (t / DAY) % 7 < 5 && (9..11).contains(&((t % DAY) / HOUR)))
            .count();
        let nights = run
            .events
            .iter()
            .filter(|(t, _)| (0..5).contains(&((t % DAY) / HOUR)))
            .count();
        assert!(
            weekday_mornings > nights * 5,
            "{weekday_mornings} vs {nights}"
        );
        assert!(run.events.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn a_burst_on_a_quiet_topic_is_caught_within_ten_minutes() {
        let stream = Stream {
            peak_per_hour: 1.5,
            staff: 3_000,
            history_weeks: 8,
            holidays: 1,
            burst: Some(BurstSize { posters: 8 }),
        };
        let out = backtest(&generate(11, &stream), Sensitivity::default());
        let delay = out.delay_secs.expect("caught");
        assert!(delay <= 600, "{delay}");
    }
}
