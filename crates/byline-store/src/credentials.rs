//! Who holds a session cookie or an API token, remembered between requests
//! so that a request need not look its credential up in the database.
//!
//! A remembered credential must stop working the moment a revocation, a
//! password reset, a role change or a deactivation is acknowledged, in this
//! process and in every other one on the same SQLite file (a second server,
//! or the CLI beside it). Every such write, after its commit, puts a fresh
//! random value in a small signal file beside the database; every lookup
//! reads the file (one `pread`, far cheaper than a statement through the
//! driver) and forgets everything when the value has changed. A lookup
//! that went to the database remembers its answer only if the signal did
//! not change while it looked, so an answer read just before a revocation
//! committed is never kept past it.
//!
//! On PostgreSQL nothing is remembered: server processes there may run on
//! different machines, with no file to share, and the lookup costs Byline's
//! process little (the database does the work).

use crate::sessions::SessionUser;
use crate::tokens::ApiToken;
use crate::users::User;
use byline_core::Timestamp;
use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasher, RandomState};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// At most this many credentials are remembered; past it all are forgotten
/// (a burst of sign-ins then costs one lookup each, as without memory).
const MOST: usize = 20_000;

/// A remembered answer is trusted this long even if no signal came: the
/// bound on staleness should a process die between a revocation's commit
/// and its signal.
const TRUST_FOR: Duration = Duration::from_secs(60);

/// What a credential was found to be.
#[derive(Debug, Clone)]
pub(crate) enum Holder {
    /// An open browser session, valid until `expires_at`.
    Session {
        /// The session and its user.
        found: SessionUser,
        /// When the session stops working unless used.
        expires_at: Timestamp,
    },
    /// An unrevoked API token and its active owner.
    Token(ApiToken, User),
}

/// The signal shared by every process on one SQLite file.
#[derive(Debug)]
struct Signal {
    file: File,
    path: PathBuf,
}

impl Signal {
    fn read(&self) -> Option<u64> {
        let mut buf = [0u8; 8];
        self.file.read_exact_at(&mut buf, 0).ok()?;
        Some(u64::from_le_bytes(buf))
    }

    fn raise(&self) -> std::io::Result<()> {
        // Random rather than a counter: two processes raising at once can
        // each only make the value differ from what readers last saw.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let value = RandomState::new().hash_one(nanos);
        self.file.write_all_at(&value.to_le_bytes(), 0)
    }
}

#[derive(Debug, Default)]
struct Memory {
    /// The signal's value when `held` was last known good.
    seen: Option<u64>,
    held: HashMap<Vec<u8>, (Holder, Instant)>,
}

/// The remembered credentials of one process.
#[derive(Debug)]
pub(crate) struct Credentials {
    signal: Option<Signal>,
    memory: Mutex<Memory>,
}

impl Credentials {
    /// Remembers nothing (PostgreSQL).
    pub(crate) fn none() -> Credentials {
        Credentials {
            signal: None,
            memory: Mutex::default(),
        }
    }

    /// Remembers, signalled through a file beside the SQLite database at
    /// `database`. When the file cannot be opened nothing is remembered,
    /// and a revocation made here cannot reach other processes' memories
    /// before they trust them no longer, so that is logged.
    pub(crate) fn beside(database: &Path) -> Credentials {
        let mut name = database.as_os_str().to_owned();
        name.push("-credentials");
        let path = PathBuf::from(name);
        let opened = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path);
        let signal = match opened {
            Ok(file) => {
                let signal = Signal { file, path };
                if signal.read().is_none() {
                    if let Err(e) = signal.raise() {
                        tracing::error!(path = %signal.path.display(), error = %e, "cannot write the credential signal; credentials will not be remembered");
                        None
                    } else {
                        Some(signal)
                    }
                } else {
                    Some(signal)
                }
            }
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "cannot open the credential signal; credentials will not be remembered");
                None
            }
        };
        Credentials {
            signal,
            memory: Mutex::default(),
        }
    }

    /// The same signal, none of the memories: another process's view.
    #[cfg(feature = "testing")]
    pub(crate) fn another(&self) -> Credentials {
        Credentials {
            signal: self.signal.as_ref().and_then(|s| {
                std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&s.path)
                    .ok()
                    .map(|file| Signal {
                        file,
                        path: s.path.clone(),
                    })
            }),
            memory: Mutex::default(),
        }
    }

    /// The holder of the credential with `digest`, if remembered, and a
    /// ticket to [`Credentials::learn`] what the database says otherwise.
    pub(crate) fn recall(&self, digest: &[u8]) -> (Option<Holder>, Option<u64>) {
        let Some(now) = self.signal.as_ref().and_then(Signal::read) else {
            return (None, None);
        };
        let Ok(mut memory) = self.memory.lock() else {
            return (None, None);
        };
        if memory.seen != Some(now) {
            memory.held.clear();
            memory.seen = Some(now);
        }
        let held = match memory.held.get(digest) {
            Some((holder, at)) if at.elapsed() < TRUST_FOR => Some(holder.clone()),
            Some(_) => {
                memory.held.remove(digest);
                None
            }
            None => None,
        };
        (held, Some(now))
    }

    /// Remembers what the database said about `digest`, unless the signal
    /// moved since `ticket` was taken (the answer may predate a revocation).
    pub(crate) fn learn(&self, digest: &[u8], holder: Holder, ticket: Option<u64>) {
        let Some(ticket) = ticket else { return };
        if self.signal.as_ref().and_then(Signal::read) != Some(ticket) {
            return;
        }
        let Ok(mut memory) = self.memory.lock() else {
            return;
        };
        if memory.seen != Some(ticket) {
            return;
        }
        if memory.held.len() >= MOST {
            memory.held.clear();
        }
        memory
            .held
            .insert(digest.to_vec(), (holder, Instant::now()));
    }

    /// Updates a remembered holder after this process wrote to it (a
    /// session's expiry pushed back, a token's last use), without a signal:
    /// such a write never takes access away.
    pub(crate) fn refresh(&self, digest: &[u8], update: impl FnOnce(&mut Holder)) {
        if let Ok(mut memory) = self.memory.lock()
            && let Some((holder, _)) = memory.held.get_mut(digest)
        {
            update(holder);
        }
    }

    /// Forgets every remembered credential here and in every other process
    /// on the database: called after each write that can take access away.
    pub(crate) fn forget_all(&self) {
        if let Ok(mut memory) = self.memory.lock() {
            memory.held.clear();
            memory.seen = None;
        }
        if let Some(signal) = &self.signal
            && let Err(e) = signal.raise()
        {
            tracing::error!(path = %signal.path.display(), error = %e, "cannot raise the credential signal; other processes trust what they remember for up to a minute");
        }
    }
}
