//! Where the vault's master key lives, and the two operations on it that
//! touch every entry: verifying that each envelope opens, and rotating
//! the key.
//!
//! The key is a file (64 hex digits, mode 0600) in the data directory or
//! at a configured path, or the value of an environment variable. During
//! a rotation the old key waits beside the new one as
//! `<key file>.retired-<id>` until every data key is re-wrapped, so a
//! server running meanwhile opens every entry, whichever key wraps it: it
//! reads the key files on each use, so it seals new entries under the new
//! key as soon as the file is replaced.

use crate::Error;
use byline_core::vault::{Envelope, MasterKey, Zeroizing};
use byline_store::Store;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the master key comes from.
#[derive(Clone)]
pub enum KeySource {
    /// A key file, created with mode 0600 on first use when no entry
    /// exists yet.
    File(PathBuf),
    /// A key given directly (from an environment variable); never written.
    Given(Arc<Zeroizing<String>>),
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::File(p) => f.debug_tuple("File").field(p).finish(),
            KeySource::Given(_) => f.write_str("Given(<hidden>)"),
        }
    }
}

fn invalid(message: String) -> Error {
    Error::Vault(message)
}

fn read_key(path: &Path) -> Result<MasterKey, Error> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        invalid(format!(
            "cannot read the vault's master key file {}: {e}",
            path.display()
        ))
    })?);
    MasterKey::parse(&text).map_err(|e| {
        invalid(format!(
            "the vault's master key file {} is not a key: {e}",
            path.display()
        ))
    })
}

/// Writes `key` to `path` with mode 0600, durably; refuses to overwrite.
fn write_key(path: &Path, key: &MasterKey) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let fail = |e: std::io::Error| {
        Error::Internal(format!(
            "cannot write the vault key file {}: {e}",
            path.display()
        ))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(key.to_text().as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    sync_dir(path);
    Ok(())
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Best effort: the rename or creation is durable once the
        // directory is; a filesystem that cannot sync directories still
        // has the file.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

impl KeySource {
    /// The key given in `env` if set, otherwise the file at `file`.
    pub fn from_env_or_file(env: Option<String>, file: PathBuf) -> KeySource {
        match env.filter(|v| !v.trim().is_empty()) {
            Some(v) => KeySource::Given(Arc::new(Zeroizing::new(v))),
            None => KeySource::File(file),
        }
    }

    /// The current master key.
    pub fn current(&self) -> Result<MasterKey, Error> {
        match self {
            KeySource::File(path) => {
                if !path.exists() {
                    return Err(invalid(format!(
                        "the vault's master key file {} is missing",
                        path.display()
                    )));
                }
                read_key(path)
            }
            KeySource::Given(text) => MasterKey::parse(text).map_err(|e| {
                invalid(format!(
                    "the vault master key in the environment is not a key: {e}"
                ))
            }),
        }
    }

    /// The current key, creating its file first when it is missing and the
    /// vault is still empty (a missing key with entries is an error: a new
    /// key would open none of them).
    pub async fn current_or_create(&self, store: &Store) -> Result<MasterKey, Error> {
        if let KeySource::File(path) = self
            && !path.exists()
        {
            if store.vault().any_secrets().await? {
                return Err(invalid(format!(
                    "the vault's master key file {} is missing, and the vault holds entries only that key opens; \
                     restore the key file (or set BYLINE_VAULT_KEY)",
                    path.display()
                )));
            }
            let key = MasterKey::generate();
            match write_key(path, &key) {
                Ok(()) => {
                    tracing::info!(key = key.id(), path = %path.display(), "created the vault's master key")
                }
                // Another process created it first: use theirs.
                Err(_) if path.exists() => {}
                Err(e) => return Err(e),
            }
        }
        self.current()
    }

    fn retired_path(path: &Path, id: &str) -> PathBuf {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".retired-{id}"));
        path.with_file_name(name)
    }

    /// Retired keys waiting beside the key file for a rotation to finish.
    fn retired(&self) -> Result<Vec<(PathBuf, MasterKey)>, Error> {
        let KeySource::File(path) = self else {
            return Ok(Vec::new());
        };
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return Ok(Vec::new());
        };
        let prefix = format!("{name}.retired-");
        let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(d) => d.to_path_buf(),
            None => PathBuf::from("."),
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            if file_name.to_str().is_some_and(|n| n.starts_with(&prefix)) {
                out.push((entry.path(), read_key(&entry.path())?));
            }
        }
        Ok(out)
    }

    /// The key with id `id`: the current one or a retired one.
    pub fn for_id(&self, id: &str) -> Result<MasterKey, Error> {
        let current = self.current()?;
        if current.id() == id {
            return Ok(current);
        }
        if let KeySource::File(path) = self {
            let retired = Self::retired_path(path, id);
            if retired.exists() {
                let key = read_key(&retired)?;
                if key.id() != id {
                    return Err(invalid(format!(
                        "the retired key file {} holds key {}, not {id}",
                        retired.display(),
                        key.id()
                    )));
                }
                return Ok(key);
            }
        }
        Err(invalid(format!(
            "a vault entry is wrapped under master key {id}, but the key held is {}: \
             this is not the key the vault was sealed with",
            current.id()
        )))
    }
}

/// Checks at start that the master key is there and is the one the vault
/// was sealed with (creating it for an empty vault); evaluates to its id.
pub async fn prepare(store: &Store, source: &KeySource) -> Result<String, Error> {
    let current = source.current_or_create(store).await?;
    for (id, count) in store.vault().key_ids().await? {
        source.for_id(&id).map_err(|e| {
            invalid(format!(
                "{count} vault entries are wrapped under master key {id}, but the key held is {}: \
                 wrong key file or BYLINE_VAULT_KEY? ({e})",
                current.id()
            ))
        })?;
    }
    Ok(current.id().to_owned())
}

/// What `byline vault verify` found.
#[derive(Debug, Default)]
pub struct VerifyReport {
    /// Entries whose data key opened.
    pub opened: u64,
    /// Entries that did not, with why.
    pub failed: Vec<(i64, String)>,
}

/// Checks that every entry's data key opens under the key that should wrap
/// it, decrypting no secret.
pub async fn verify(store: &Store, source: &KeySource) -> Result<VerifyReport, Error> {
    let mut keys: HashMap<String, MasterKey> = HashMap::new();
    let mut report = VerifyReport::default();
    let mut after = 0;
    loop {
        let page = store.vault().envelopes(after, 1000).await?;
        let Some((last, _, _)) = page.last() else {
            break;
        };
        after = *last;
        for (id, uid, envelope) in page {
            if !keys.contains_key(&envelope.key_id) {
                match source.for_id(&envelope.key_id) {
                    Ok(k) => {
                        keys.insert(envelope.key_id.clone(), k);
                    }
                    Err(e) => {
                        report.failed.push((id, e.to_string()));
                        continue;
                    }
                }
            }
            let Some(key) = keys.get(&envelope.key_id) else {
                continue;
            };
            match envelope.check(key, &uid) {
                Ok(()) => report.opened += 1,
                Err(e) => report.failed.push((id, e.to_string())),
            }
        }
    }
    Ok(report)
}

/// What `byline vault rotate-key` did.
#[derive(Debug, Default)]
pub struct RotationReport {
    /// The new master key's id.
    pub new_key: String,
    /// The old keys retired (and, at the end, deleted).
    pub retired: Vec<String>,
    /// Whether an interrupted rotation was picked up.
    pub resumed: bool,
    /// Data keys re-wrapped by this run.
    pub rewrapped: u64,
    /// Time spent waiting out the grace before the last pass.
    pub waited: std::time::Duration,
}

/// How many entries one transaction re-wraps.
const REWRAP_BATCH: u32 = 500;

/// Re-wraps every data key under a new master key. Safe while servers run
/// (they read the key files on each use) and resumable: an interrupted run
/// leaves the old key as a retired file, and the next run finishes the
/// job before deleting it.
pub async fn rotate_master_key(
    store: &Store,
    source: &KeySource,
    grace: std::time::Duration,
) -> Result<RotationReport, Error> {
    let KeySource::File(path) = source else {
        return Err(invalid(
            "rotate-key needs the master key in a file: unset BYLINE_VAULT_KEY and name the key file in the configuration"
                .into(),
        ));
    };
    let mut report = RotationReport::default();
    // Interrupted before the new key went in place: the retired copy is
    // the key still in use, so there is nothing to resume; start afresh.
    let current_id = source.current_or_create(store).await?.id().to_owned();
    for (file, key) in source.retired()? {
        if key.id() == current_id {
            std::fs::remove_file(&file)
                .map_err(|e| Error::Internal(format!("cannot delete {}: {e}", file.display())))?;
        }
    }
    if source.retired()?.is_empty() {
        let old = source.current_or_create(store).await?;
        write_key(&KeySource::retired_path(path, old.id()), &old)?;
        let new = MasterKey::generate();
        let mut next = path.clone().into_os_string();
        next.push(".next");
        let next = PathBuf::from(next);
        let _ = std::fs::remove_file(&next);
        write_key(&next, &new)?;
        std::fs::rename(&next, path).map_err(|e| {
            Error::Internal(format!(
                "cannot put the new vault key in place at {}: {e}",
                path.display()
            ))
        })?;
        sync_dir(path);
        tracing::info!(
            old = old.id(),
            new = new.id(),
            "vault master key replaced; re-wrapping entries"
        );
    } else {
        report.resumed = true;
    }
    let current = source.current()?;
    report.new_key = current.id().to_owned();
    let retired = source.retired()?;
    report.retired = retired.iter().map(|(_, k)| k.id().to_owned()).collect();
    let old: HashMap<String, &MasterKey> = retired
        .iter()
        .map(|(_, k)| (k.id().to_owned(), k))
        .collect();
    // Passes until one finds nothing, the last one after `grace` has gone
    // by since the new key went in place: a request that read the old key
    // just before may still commit an entry under it, and no request
    // outlives the request timeout.
    let swapped = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| std::time::SystemTime::now());
    let mut waited = std::time::Duration::ZERO;
    loop {
        let mut failed: Vec<(i64, String)> = Vec::new();
        let mut found = 0;
        let mut after = 0;
        loop {
            let rows = store
                .vault()
                .wrapped_elsewhere(current.id(), after, REWRAP_BATCH)
                .await?;
            let Some((last, ..)) = rows.last() else { break };
            after = *last;
            found += rows.len();
            let mut batch = Vec::with_capacity(rows.len());
            for (id, uid, key_id, wrapped_key) in rows {
                let Some(old_key) = old.get(&key_id) else {
                    failed.push((
                        id,
                        format!("wrapped under {key_id}, which is not a retired key here"),
                    ));
                    continue;
                };
                let envelope = Envelope {
                    key_id: key_id.clone(),
                    wrapped_key,
                    sealed: Vec::new(),
                };
                match envelope.rewrap(old_key, &current, &uid) {
                    Ok(moved) => batch.push(byline_store::vault::Rewrap {
                        id,
                        old_key_id: key_id,
                        old_wrapped: envelope.wrapped_key,
                        new_key_id: moved.key_id,
                        new_wrapped: moved.wrapped_key,
                    }),
                    Err(e) => failed.push((id, e.to_string())),
                }
            }
            report.rewrapped += store.vault().rewrap(&batch).await?;
        }
        if !failed.is_empty() {
            let list: Vec<String> = failed
                .iter()
                .map(|(id, why)| format!("entry {id}: {why}"))
                .collect();
            return Err(invalid(format!(
                "{} vault entries could not be re-wrapped, so the old key is kept: {}",
                failed.len(),
                list.join("; ")
            )));
        }
        if found == 0 {
            let since = swapped.elapsed().unwrap_or_default();
            if since >= grace {
                break;
            }
            let wait = grace - since;
            waited += wait;
            tokio::time::sleep(wait).await;
        }
    }
    report.waited = waited;
    for (file, _) in &retired {
        std::fs::remove_file(file).map_err(|e| {
            Error::Internal(format!(
                "cannot delete the retired key {}: {e}",
                file.display()
            ))
        })?;
    }
    sync_dir(path);
    Ok(report)
}
