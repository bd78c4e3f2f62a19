//! The spike alerts against simulated months (#17): many seeds of a quiet
//! topic with an outage burst of 8 people in 10 minutes at a random time,
//! and normal months with no burst. Prints the detection delay (median,
//! worst) and the false alerts per topic per month, and holds the targets:
//! every burst caught within 10 minutes, at most one false alert a month.

use byline_core::listening::simulate::{BurstSize, Stream, backtest, generate};
use byline_core::listening::spike::Sensitivity;

fn quiet(burst: bool) -> Stream {
    Stream {
        peak_per_hour: 1.5,
        staff: 3_000,
        history_weeks: 8,
        holidays: 2,
        burst: burst.then_some(BurstSize { posters: 8 }),
    }
}

#[test]
fn bursts_are_caught_within_ten_minutes_and_normal_months_stay_quiet() {
    let seeds = 60u64;
    let s = Sensitivity::default();
    let mut delays = Vec::new();
    let mut missed = 0;
    let mut false_in_burst_months = 0;
    for seed in 0..seeds {
        let out = backtest(&generate(seed, &quiet(true)), s);
        match out.delay_secs {
            Some(d) => delays.push(d),
            None => missed += 1,
        }
        false_in_burst_months += out.false_alerts;
    }
    delays.sort_unstable();
    let median = delays.get(delays.len() / 2).copied().unwrap_or(-1);
    let worst = delays.last().copied().unwrap_or(-1);

    // Normal months, quiet and busier topics.
    let mut false_quiet = 0;
    let mut false_busy = 0;
    for seed in 1_000..1_000 + seeds {
        false_quiet += backtest(&generate(seed, &quiet(false)), s).false_alerts;
        let busy = Stream {
            peak_per_hour: 12.0,
            ..quiet(false)
        };
        false_busy += backtest(&generate(seed, &busy), s).false_alerts;
    }
    #[allow(clippy::cast_precision_loss)]
    let per_month = |n: usize| n as f64 / seeds as f64;
    println!(
        "backtest over {seeds} seeds: delay median {median} s, worst {worst} s, missed {missed}; \
         false alerts per topic-month: quiet {:.3}, busy {:.3}, quiet months with a burst {:.3}",
        per_month(false_quiet),
        per_month(false_busy),
        per_month(false_in_burst_months)
    );
    assert_eq!(missed, 0, "every burst is caught");
    assert!(worst <= 600, "caught within ten minutes (worst {worst} s)");
    assert!(
        per_month(false_quiet) <= 1.0,
        "quiet topics: {false_quiet} in {seeds} months"
    );
    assert!(
        per_month(false_busy) <= 1.0,
        "busy topics: {false_busy} in {seeds} months"
    );
}
