//! The report: a table a person can read, the figures as JSON, and the
//! scaling chart, all from the saved results of every scale and backend.

use crate::scenarios::Run;
use anyhow::{Context, Result};
use plotters::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

const BEGIN: &str = "<!-- results:begin (written by byline-bench; edit outside these markers) -->";
const END: &str = "<!-- results:end -->";
const SCALES: [&str; 3] = ["tiny", "small", "large"];
const BACKENDS: [&str; 2] = ["sqlite", "postgres"];

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// One run as Markdown tables.
pub fn table(run: &Run) -> String {
    let mut t = String::new();
    let o = &run.organisation;
    let _ = writeln!(
        t,
        "### {} on {} ({} users, {} posts, {} follows, {} audit events)\n",
        run.scale, run.machine.engine, o.users, o.posts, o.follows, o.audit_events
    );
    let _ = writeln!(
        t,
        "Commit {} at {}; {} ({} cores, {:.0} GiB). Loaded {} rows in {:.0} s ({:.0} rows/s, of which {:.0} s rebuilding indexes and search). \
         Raw single-row write transactions: **{:.0}/s**. Server RSS at rest {:.0} MiB.\n",
        run.machine.git_commit,
        run.machine.at,
        run.machine.cpu,
        run.machine.cores,
        run.machine.memory_gib,
        o.rows,
        o.load_seconds,
        o.rows_per_second,
        o.index_seconds,
        run.raw_write_tx_per_s,
        run.idle_rss_mib
    );
    let _ = writeln!(
        t,
        "| scenario | open loop rate/s | p50 | p90 | p99 | max | server p50 | server p99 | direct query p50 / p99 | closed loop (8 conns) req/s | vs raw | CPU s / 1k req | peak RSS MiB |"
    );
    let _ = writeln!(
        t,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for s in &run.scenarios {
        let (rate, p50, p90, p99, max, sp50, sp99) = match &s.open {
            Some(o) => (
                format!("{:.0}", o.rate_per_s),
                ms(o.p50_ms),
                ms(o.p90_ms),
                ms(o.p99_ms),
                ms(o.max_ms),
                ms(o.server_p50_ms),
                ms(o.server_p99_ms),
            ),
            None => match &s.closed {
                // The mixed scenario is closed-loop only: its latencies.
                Some(c) => (
                    "—".into(),
                    ms(c.p50_ms),
                    ms(c.p90_ms),
                    ms(c.p99_ms),
                    ms(c.max_ms),
                    ms(c.server_p50_ms),
                    ms(c.server_p99_ms),
                ),
                None => Default::default(),
            },
        };
        let direct = s
            .direct
            .as_ref()
            .map(|d| format!("{} / {}", ms(d.p50_ms), ms(d.p99_ms)))
            .unwrap_or_else(|| "—".into());
        let closed = s
            .closed
            .as_ref()
            .map(|c| format!("{:.0}", c.rate_per_s))
            .unwrap_or_default();
        let ratio = s
            .ratio_to_raw
            .map(|r| format!("{:.0} %", r * 100.0))
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            t,
            "| `{}` {} | {rate} | {p50} | {p90} | {p99} | {max} | {sp50} | {sp99} | {direct} | {closed} | {ratio} | {:.2} | {:.0} |",
            s.name, s.about, s.cpu_s_per_1k, s.peak_rss_mib
        );
    }
    t.push_str("\nLatencies in ms. `mixed` is closed loop with 200 clients; its latencies are per request.\n");
    if let Some(l) = &run.live {
        let _ = writeln!(
            t,
            "\nLive events: {} subscribers connected in {:.1} s, server RSS holding them {:.0} MiB; {} posts, {} of {} deliveries; \
             post sent to arrival p50 {} ms, p99 {} ms, max {} ms; until the last subscriber had it: median {} ms, worst {} ms.",
            l.subscribers,
            l.connect_seconds,
            l.server_rss_mib,
            l.posts,
            l.delivered,
            l.expected,
            ms(l.p50_ms),
            ms(l.p99_ms),
            ms(l.max_ms),
            ms(l.all_reached_p50_ms),
            ms(l.all_reached_max_ms)
        );
    }
    if let Some(v) = &run.vault_rotation {
        let _ = writeln!(
            t,
            "\n`byline vault rotate-key`: {} entries re-wrapped in {:.2} s, **{:.0} entries/s**.",
            v.entries, v.seconds, v.per_s
        );
    }
    if let Some(a) = &run.audit_verify {
        let _ = writeln!(
            t,
            "\n`byline audit verify`: {} events in {:.2} s, **{:.0} events/s**.",
            a.events, a.seconds, a.events_per_s
        );
    }
    t
}

fn load_runs(docs: &Path) -> Vec<Run> {
    let mut runs = Vec::new();
    for scale in SCALES {
        for backend in BACKENDS {
            let p = docs
                .join("bench")
                .join("results")
                .join(format!("{backend}-{scale}.json"));
            if let Some(run) = std::fs::read_to_string(&p)
                .ok()
                .and_then(|t| serde_json::from_str::<Run>(&t).ok())
            {
                runs.push(run);
            }
        }
    }
    runs
}

/// Rewrites the generated part of docs/BENCHMARKS.md, docs/bench/latest.json
/// and docs/bench/scaling.svg from every saved result.
pub fn write_docs(docs: &Path) -> Result<()> {
    let runs = load_runs(docs);
    let bench = docs.join("bench");
    std::fs::create_dir_all(&bench)?;
    std::fs::write(
        bench.join("latest.json"),
        serde_json::to_string_pretty(&serde_json::json!({ "runs": runs }))?,
    )?;
    chart(&runs, &bench.join("scaling.svg"))?;
    let mut generated = String::new();
    for r in &runs {
        generated.push_str(&table(r));
        generated.push('\n');
    }
    let path = docs.join("BENCHMARKS.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n\n".into());
    let block = format!("{BEGIN}\n\n{generated}{END}");
    let new = match (doc.find(BEGIN), doc.find(END)) {
        (Some(a), Some(b)) if b > a => format!("{}{block}{}", &doc[..a], &doc[b + END.len()..]),
        _ => format!("{}\n{block}\n", doc.trim_end()),
    };
    std::fs::write(&path, new).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Server p99 of the timeline and search scenarios against posts stored.
fn chart(runs: &[Run], path: &Path) -> Result<()> {
    let series = [
        "home_first_few",
        "home_first_many",
        "home_deep_many",
        "hashtag",
        "search_common",
        "search_rare",
    ];
    let mut lines: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for backend in BACKENDS {
        for name in series {
            let mut points: Vec<(f64, f64)> = runs
                .iter()
                .filter(|r| r.backend == backend && !r.smoke)
                .filter_map(|r| {
                    let s = r.scenarios.iter().find(|s| s.name == name)?;
                    let o = s.open.as_ref()?;
                    Some((r.organisation.posts as f64, o.server_p99_ms.max(0.01)))
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            if !points.is_empty() {
                lines.push((format!("{name} ({backend})"), points));
            }
        }
    }
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let y_max = lines
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(_, y)| *y))
        .fold(1.0f64, f64::max)
        * 2.0;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Server time p99 (ms) against posts stored",
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (10_000f64..20_000_000f64).log_scale(),
            (0.01f64..y_max).log_scale(),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("posts")
        .y_desc("p99 server ms")
        .x_label_formatter(&|v| {
            if *v >= 1e6 {
                format!("{:.0}M", v / 1e6)
            } else {
                format!("{:.0}k", v / 1e3)
            }
        })
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (i, (label, points)) in lines.iter().enumerate() {
        let colour = Palette99::pick(i).to_rgba();
        let dashed = label.ends_with("(postgres)");
        let style = ShapeStyle {
            color: colour,
            filled: false,
            stroke_width: if dashed { 1 } else { 2 },
        };
        chart
            .draw_series(LineSeries::new(points.clone(), style))
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 3, colour.filled())))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
