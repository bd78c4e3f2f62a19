//! Two `byline` binaries (or two settings of one) on the same organisation,
//! measured in alternation: each scenario runs closed loop on A, then on
//! B, then B, then A, and so on, so that the machine's drift over the run
//! falls on both alike. The ratio of the medians is what a change costs or
//! saves, which a pair of separate runs on a shared machine cannot show.

use crate::Args;
use crate::load;
use crate::org::Manifest;
use crate::scenarios::{create, reads};
use crate::server::{Server, Target, Usage, usage_of};
use anyhow::Result;
use serde::Serialize;
use std::time::Duration;

/// One scenario's figures for both binaries (medians over the rounds).
#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    /// Scenario name, as in the main table.
    pub name: String,
    /// A's closed-loop requests per second.
    pub a_rate: f64,
    /// B's closed-loop requests per second.
    pub b_rate: f64,
    /// B's rate over A's.
    pub ratio: f64,
    /// A's server CPU milliseconds per request.
    pub a_cpu_ms: f64,
    /// B's server CPU milliseconds per request.
    pub b_cpu_ms: f64,
    /// A's server time median, ms.
    pub a_server_p50_ms: f64,
    /// B's server time median, ms.
    pub b_server_p50_ms: f64,
    /// Every round's rate, A then B, to judge the spread.
    pub rounds: Vec<(f64, f64)>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

struct Side {
    rate: Vec<f64>,
    cpu_ms: Vec<f64>,
    server_p50: Vec<f64>,
}

async fn once(make: load::MakeRequest, pid: u32, secs: Duration, side: &mut Side) -> Result<()> {
    let before: Usage = usage_of(pid);
    let s = load::closed_loop(make, 8, secs).await;
    let after = usage_of(pid);
    if s.errors > 0 {
        anyhow::bail!(
            "{} requests failed: {}",
            s.errors,
            s.first_error.unwrap_or_default()
        );
    }
    side.rate.push(s.rate_per_s);
    side.cpu_ms
        .push((after.cpu_seconds - before.cpu_seconds) * 1000.0 / s.requests.max(1) as f64);
    side.server_p50.push(s.server_p50_ms);
    Ok(())
}

/// Runs every read and write scenario on `a` and `b` in alternation.
pub async fn run(args: &Args, a: &Target, b: &Target, m: &Manifest) -> Result<Vec<Compared>> {
    let secs = Duration::from_secs_f64(args.seconds);
    let server_a = Server::start(a, &a.data_dir.join("server-a.log")).await?;
    let server_b = Server::start(b, &a.data_dir.join("server-b.log")).await?;
    let reads_a = reads(&server_a.base, m).await?;
    let reads_b = reads(&server_b.base, m).await?;
    let writers: Vec<i64> = (2..=(m.users as i64).min(500)).collect();
    let mut scenarios: Vec<(String, load::MakeRequest, load::MakeRequest)> = reads_a
        .into_iter()
        .zip(reads_b)
        .map(|(ra, rb)| (ra.name.to_owned(), ra.make, rb.make))
        .collect();
    scenarios.push((
        "create_post".into(),
        create(&server_a.base, m.seed, &writers, None),
        create(&server_b.base, m.seed, &writers, None),
    ));
    scenarios.push((
        "create_post_attributed".into(),
        create(
            &server_a.base,
            m.seed,
            &m.team_writers,
            Some(m.team.clone()),
        ),
        create(
            &server_b.base,
            m.seed,
            &m.team_writers,
            Some(m.team.clone()),
        ),
    ));
    let mut out = Vec::new();
    for (name, make_a, make_b) in scenarios {
        eprintln!("{name}: {} rounds…", args.rounds);
        let new_side = || Side {
            rate: Vec::new(),
            cpu_ms: Vec::new(),
            server_p50: Vec::new(),
        };
        let (mut sa, mut sb) = (new_side(), new_side());
        for round in 0..args.rounds {
            if round % 2 == 0 {
                once(make_a.clone(), server_a.pid(), secs, &mut sa).await?;
                once(make_b.clone(), server_b.pid(), secs, &mut sb).await?;
            } else {
                once(make_b.clone(), server_b.pid(), secs, &mut sb).await?;
                once(make_a.clone(), server_a.pid(), secs, &mut sa).await?;
            }
        }
        let rounds = sa
            .rate
            .iter()
            .copied()
            .zip(sb.rate.iter().copied())
            .collect();
        let (a_rate, b_rate) = (median(sa.rate), median(sb.rate));
        out.push(Compared {
            name,
            a_rate,
            b_rate,
            ratio: b_rate / a_rate.max(1e-9),
            a_cpu_ms: median(sa.cpu_ms),
            b_cpu_ms: median(sb.cpu_ms),
            a_server_p50_ms: median(sa.server_p50),
            b_server_p50_ms: median(sb.server_p50),
            rounds,
        });
    }
    server_a.stop().await?;
    server_b.stop().await?;
    Ok(out)
}

/// The comparison as a Markdown table.
pub fn table(a: &Target, b: &Target, rows: &[Compared]) -> String {
    let mut s = format!(
        "A = {}\nB = {}\n\n| scenario | A req/s | B req/s | B / A | A CPU ms/req | B CPU ms/req | A server p50 ms | B server p50 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
        a.binary.display(),
        b.binary.display()
    );
    for r in rows {
        s.push_str(&format!(
            "| `{}` | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
            r.name,
            r.a_rate,
            r.b_rate,
            r.ratio,
            r.a_cpu_ms,
            r.b_cpu_ms,
            r.a_server_p50_ms,
            r.b_server_p50_ms
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_odd_and_even_rounds() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(Vec::new()), 0.0);
    }
}
