//! `byline-bench`: builds a synthetic organisation, runs a real `byline
//! serve` over it and measures what users feel, next to what the database
//! alone can do on the same machine. See docs/BENCHMARKS.md.

mod compare;
mod jobs_probe;
mod live;
mod load;
mod org;
mod report;
mod scenarios;
mod server;

use anyhow::{Context, Result, bail};
use byline_store::{Store, StoreOptions};
use clap::Parser;
use std::path::PathBuf;

/// Measures Byline at organisation scale.
#[derive(Debug, Parser)]
#[command(name = "byline-bench", version)]
pub struct Args {
    /// tiny (1k users, 20k posts), small (10k, 1M) or large (100k, 10M).
    #[arg(long, default_value = "tiny")]
    pub scale: String,
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    pub backend: String,
    /// PostgreSQL server to use (a database `byline_bench_<scale>` is made
    /// on it, replacing any of that name).
    #[arg(long, env = "BYLINE_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the data and the run's files go [default: target/bench/<backend>-<scale>].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The `byline` binary [default: next to this one].
    #[arg(long)]
    pub byline: Option<PathBuf>,
    /// Seed of the synthetic organisation.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Keep an organisation already loaded with the same scale and seed.
    #[arg(long)]
    pub reuse: bool,
    /// Seconds per open-loop and closed-loop run.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Open-loop rate for reads, requests/s.
    #[arg(long, default_value_t = 200.0)]
    pub read_rate: f64,
    /// Open-loop rate for writes, requests/s.
    #[arg(long, default_value_t = 50.0)]
    pub write_rate: f64,
    /// A quick run that fails only on errors, never on timings, and writes
    /// nothing under docs/ (for CI).
    #[arg(long)]
    pub smoke: bool,
    /// Where docs/BENCHMARKS.md and docs/bench/ are [default: ./docs].
    #[arg(long, default_value = "docs")]
    pub docs: PathBuf,
    /// Only redraw docs/BENCHMARKS.md and the chart from saved results.
    #[arg(long)]
    pub report_only: bool,
    /// A second `byline` binary to measure against `--byline` on the same
    /// organisation, in alternating closed-loop rounds; prints the ratio
    /// per scenario and writes compare.json in the data directory (both
    /// binaries must know the same migrations).
    #[arg(long)]
    pub compare: Option<PathBuf>,
    /// Rounds per scenario in `--compare` mode.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Only the scenarios whose name contains one of these words
    /// (comma-separated; `mixed`, `live` and `jobs` name the last three).
    /// A partial run writes nothing under docs/.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

impl Args {
    /// Whether scenario `name` is part of this run.
    pub fn runs(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|w| name.contains(w.as_str()))
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = Args::parse();
    if args.report_only {
        return report::write_docs(&args.docs);
    }
    if args.smoke {
        args.seconds = args.seconds.min(1.0);
        args.read_rate = args.read_rate.min(50.0);
        args.write_rate = args.write_rate.min(20.0);
    }
    let scale = org::Scale::named(&args.scale)?;
    let backend = args.backend.as_str();
    if !matches!(backend, "sqlite" | "postgres") {
        bail!("unknown backend '{backend}' (sqlite or postgres)");
    }
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("target/bench/{backend}-{}", scale.name)));
    let binary = match &args.byline {
        Some(b) => b.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory around this binary")?
            .join("byline"),
    };
    if !binary.exists() {
        bail!(
            "no byline binary at {}: build it first (cargo build --release -p byline) or pass --byline",
            binary.display()
        );
    }
    let manifest_path = data_dir.join("manifest.json");
    let reusable = std::fs::read_to_string(&manifest_path)
        .ok()
        .filter(|_| args.reuse)
        .and_then(|t| serde_json::from_str::<org::Manifest>(&t).ok())
        .filter(|m| m.format == org::FORMAT && m.scale == scale.name && m.seed == args.seed);

    let database_url = if backend == "postgres" {
        let server_url = args
            .database_url
            .clone()
            .context("--backend postgres needs --database-url postgres://…")?;
        let name = format!("byline_bench_{}", scale.name);
        Some(if reusable.is_some() {
            std::fs::read_to_string(data_dir.join("database-url"))
                .context("the reused organisation has no database-url file")?
                .trim()
                .to_owned()
        } else {
            byline_store::bulk::fresh_postgres_database(&server_url, &name).await?
        })
    } else {
        None
    };
    let target = server::Target {
        binary,
        data_dir: data_dir.clone(),
        database_url: database_url.clone(),
    };

    let manifest = match reusable {
        Some(m) => {
            eprintln!(
                "reusing the {} organisation in {}",
                scale.name,
                data_dir.display()
            );
            m
        }
        None => {
            if data_dir.exists() {
                std::fs::remove_dir_all(&data_dir)
                    .with_context(|| format!("emptying {}", data_dir.display()))?;
            }
            std::fs::create_dir_all(&data_dir)?;
            if let Some(url) = &database_url {
                std::fs::write(data_dir.join("database-url"), url)?;
            }
            let status = target.command().arg("migrate").status().await?;
            if !status.success() {
                bail!("byline migrate failed");
            }
            let store = connect(&target).await?;
            eprintln!(
                "loading the {} organisation ({} users, {} posts)…",
                scale.name, scale.users, scale.posts
            );
            let m = org::load(&store, scale, args.seed).await?;
            store.close().await;
            eprintln!(
                "loaded {} rows in {:.1} s ({:.0} rows/s; indexes and search {:.1} s)",
                m.rows, m.load_seconds, m.rows_per_second, m.index_seconds
            );
            std::fs::write(&manifest_path, serde_json::to_string_pretty(&m)?)?;
            m
        }
    };

    if let Some(other) = &args.compare {
        let b = server::Target {
            binary: other.clone(),
            ..target.clone()
        };
        let rows = compare::run(&args, &target, &b, &manifest).await?;
        std::fs::write(
            data_dir.join("compare.json"),
            serde_json::to_string_pretty(&rows)?,
        )?;
        println!("{}", compare::table(&target, &b, &rows));
        return Ok(());
    }

    let run = scenarios::run_all(&args, &target, &manifest).await?;
    let failures: Vec<String> = run.failures();
    let json = serde_json::to_string_pretty(&run)?;
    std::fs::write(data_dir.join("result.json"), &json)?;
    println!("{}", report::table(&run));
    if !args.smoke && args.only.is_empty() {
        let dir = args.docs.join("bench").join("results");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{backend}-{}.json", scale.name)), &json)?;
        report::write_docs(&args.docs)?;
        eprintln!("wrote {}", args.docs.join("BENCHMARKS.md").display());
    }
    if !failures.is_empty() {
        bail!("scenarios failed:\n  {}", failures.join("\n  "));
    }
    Ok(())
}

/// The bench's own connection to the server's database (for loading and
/// for timing queries directly).
pub async fn connect(target: &server::Target) -> Result<Store> {
    let mut options = StoreOptions::embedded(&target.data_dir);
    options.database_url = target.database_url.clone();
    Ok(Store::connect(&options).await?)
}
