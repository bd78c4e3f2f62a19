//! `byline backup` and `byline restore`: a consistent copy of a running
//! server's data (database and attachments), and a new data directory made
//! from one.

use crate::config::Config;
use anyhow::{Context, bail};
use std::path::Path;

/// The database file inside a data directory or a backup.
const DB_FILE: &str = "byline.db";
/// The attachments folder inside a data directory or a backup.
const ATTACHMENTS: &str = "attachments";

fn is_empty_dir(p: &Path) -> anyhow::Result<bool> {
    if !p.exists() {
        return Ok(true);
    }
    Ok(std::fs::read_dir(p)
        .with_context(|| format!("cannot read {}", p.display()))?
        .next()
        .is_none())
}

/// Copies every file of `from` into `to` (one level: attachments are flat),
/// flushing each to disk; returns how many.
fn copy_files(from: &Path, to: &Path) -> anyhow::Result<u64> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    if !from.exists() {
        return Ok(0);
    }
    let mut n = 0;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let target = to.join(entry.file_name());
        std::fs::copy(entry.path(), &target)
            .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        std::fs::File::open(&target)?.sync_all()?;
        n += 1;
    }
    Ok(n)
}

/// Makes a backup of the server's data in the new directory `to` while it
/// keeps serving. The database snapshot is taken first; attachments are
/// written (and flushed) before the post that refers to them commits, so
/// copying them afterwards includes every one the snapshot can name.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    if config
        .database_url
        .as_deref()
        .is_some_and(|u| u.starts_with("postgres"))
    {
        bail!(
            "this server keeps its data in PostgreSQL: back it up with `pg_dump --format=custom` \
             and copy {}/attachments (see docs/RELIABILITY.md)",
            config.data_dir.display()
        );
    }
    if !is_empty_dir(to)? {
        bail!(
            "{} is not empty; a backup goes into a new directory",
            to.display()
        );
    }
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let store = crate::migrated(config).await?;
    let started = std::time::Instant::now();
    let db = to.join(DB_FILE);
    store
        .backup_sqlite_to(&db)
        .await
        .context("copying the database")?;
    store.close().await;
    std::fs::File::open(&db)?.sync_all()?;
    let files = copy_files(&config.data_dir.join(ATTACHMENTS), &to.join(ATTACHMENTS))?;
    let bytes = std::fs::metadata(&db)?.len();
    println!(
        "backup written to {}: database {:.1} MiB and {files} attachment(s) in {:.2} s",
        to.display(),
        bytes as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Makes the empty data directory of `config` from the backup in `from`,
/// then checks it: migrations applied and the audit chain intact.
pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<()> {
    if config.database_url.is_some() {
        bail!(
            "restore makes an embedded data directory; leave out --database-url (for PostgreSQL use pg_restore)"
        );
    }
    let source = from.join(DB_FILE);
    if !source.is_file() {
        bail!("{} holds no {DB_FILE}: not a Byline backup", from.display());
    }
    let data = &config.data_dir;
    if !is_empty_dir(data)? {
        bail!(
            "{} is not empty; restore into a new data directory",
            data.display()
        );
    }
    std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    let db = data.join(DB_FILE);
    std::fs::copy(&source, &db).context("copying the database")?;
    std::fs::File::open(&db)?.sync_all()?;
    let files = copy_files(&from.join(ATTACHMENTS), &data.join(ATTACHMENTS))?;
    let store = crate::migrated(config).await?;
    let v = store.audit().verify_audit().await?;
    store.close().await;
    if let Some(b) = v.first_break {
        bail!("restored, but the audit chain is BROKEN: {b}");
    }
    println!(
        "restored into {}: {files} attachment(s); audit chain intact ({} events)",
        data.display(),
        v.checked
    );
    Ok(())
}
