//! The audit log: appending inside the transaction of the action it
//! records, reading it back, and verifying the whole chain.

use crate::StoreError;
use byline_core::Timestamp;
use byline_core::audit::{Break, Verifier};

/// What to record about an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The user who acted (None for the system or an unknown visitor).
    pub user_id: Option<i64>,
    /// The profile acted as, if any.
    pub profile_id: Option<i64>,
    /// What happened, e.g. `session.sign_in`.
    pub action: &'static str,
    /// What it happened to, e.g. `user:7`.
    pub target: String,
    /// Where the request came from (`cli` for the command line).
    pub source_address: String,
    /// Extra facts, as a JSON object.
    pub details: String,
}

impl AuditEntry {
    /// An entry with no details.
    pub fn new(
        user_id: Option<i64>,
        action: &'static str,
        target: String,
        source_address: &str,
    ) -> AuditEntry {
        AuditEntry {
            user_id,
            profile_id: None,
            action,
            target,
            source_address: source_address.to_owned(),
            details: "{}".to_owned(),
        }
    }
}

/// A stored audit event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEvent {
    /// Sequence number.
    pub seq: i64,
    /// When (µs).
    pub at: i64,
    /// Acting user.
    pub user_id: Option<i64>,
    /// Profile acted as.
    pub profile_id: Option<i64>,
    /// Action.
    pub action: String,
    /// Target.
    pub target: String,
    /// Source address.
    pub source_address: String,
    /// Details (JSON).
    pub details: String,
    /// The previous event's hash.
    pub prev_hash: Vec<u8>,
    /// This event's hash.
    pub hash: Vec<u8>,
}

impl AuditEntry {
    /// The statement that appends this entry as event `seq` after the
    /// event hashed `prev`, at `now` (its hash chained here), for a
    /// [`crate::dialect::joined::Joined`] batch or to run alone. The head
    /// takes the new hash by a trigger on the insert (migration 0026).
    pub(crate) fn appended(
        &self,
        seq: i64,
        prev: &[u8],
        now: Timestamp,
    ) -> (&'static str, Vec<crate::dialect::joined::Bound>) {
        use crate::dialect::joined::Bound;
        let content = byline_core::audit::EventContent {
            seq,
            at: now.micros(),
            user_id: self.user_id,
            profile_id: self.profile_id,
            action: self.action,
            target: &self.target,
            source_address: &self.source_address,
            details: &self.details,
        };
        let hash = byline_core::audit::chain_hash(prev, &content);
        (
            "INSERT INTO audit_events (seq, at, user_id, profile_id, action, target, source_address, details, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            vec![
                Bound::Int(Some(seq)),
                Bound::Int(Some(content.at)),
                Bound::Int(self.user_id),
                Bound::Int(self.profile_id),
                Bound::Text(Some(self.action.to_owned())),
                Bound::Text(Some(self.target.clone())),
                Bound::Text(Some(self.source_address.clone())),
                Bound::Text(Some(self.details.clone())),
                Bound::Blob(prev.to_vec()),
                Bound::Blob(hash.to_vec()),
            ],
        )
    }
}

/// Moves the chain's head on by one inside the open transaction `$tx`;
/// evaluates to the new event's number and the previous event's hash.
/// Taking the head (an UPDATE) serialises appenders on both backends.
macro_rules! take_audit_head {
    ($tx:ident) => {{
        let (seq, prev): (i64, Vec<u8>) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *$tx)
                .await?;
        (seq, prev)
    }};
}

/// Appends `$entry` to the chain inside the open transaction `$tx`;
/// evaluates to its number.
macro_rules! append_audit {
    ($tx:ident, $entry:expr, $now:expr) => {{
        let entry: &$crate::audit::AuditEntry = $entry;
        let (seq, prev) = take_audit_head!($tx);
        let mut joined = $crate::dialect::joined::Joined::default();
        let (sql, values) = entry.appended(seq, &prev, $now);
        joined.push(sql, values);
        $crate::dialect::joined::RunJoined::run_joined(&mut *$tx, joined).await?;
        seq
    }};
}

/// The outcome of verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Events checked and found intact.
    pub checked: u64,
    /// The first problem, if any.
    pub first_break: Option<String>,
}

impl AuditLog<'_> {
    /// Records an event on its own (for actions with no other write, such
    /// as a refused attempt).
    pub async fn append_audit(
        &self,
        entry: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| append_audit!(tx, entry, now)))
    }

    /// Events after `after_seq`, oldest first, at most `limit`.
    pub async fn audit_events(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT seq, at, user_id, profile_id, action, target, source_address, details, prev_hash, hash \
                 FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after_seq)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }))
    }

    /// Checks the whole chain and that its head points at its last event;
    /// names the first event that is altered, missing or out of place.
    /// The events and the head come from one snapshot, so appends while it
    /// runs are neither counted nor mistaken for a break. Reading and
    /// hashing run on their own threads, and the hashes of each batch are
    /// spread over the machine's cores (`Verifier::check_all`).
    pub async fn verify_audit(&self) -> Result<Verification, StoreError> {
        use std::sync::{Arc, Mutex};
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        // The checker's state: the verifier, the first break, the last event.
        type Progress = (Verifier, Option<Break>, Option<(i64, Vec<u8>)>);
        let progress: Arc<Mutex<Progress>> =
            Arc::new(Mutex::new((Verifier::default(), None, None)));
        let shared = Arc::clone(&progress);
        let head = self
            .scan_audit(move |batch| {
                let events = batch.events();
                let Ok(mut p) = shared.lock() else {
                    return false;
                };
                let (v, broken, last) = &mut *p;
                match v.check_all(&events, threads) {
                    Ok(()) => {
                        *last = events.last().map(|e| (e.content.seq, e.hash.to_vec()));
                        true
                    }
                    Err(b) => {
                        *broken = Some(b);
                        false
                    }
                }
            })
            .await?;
        let (v, broken, last) = {
            let p = progress
                .lock()
                .map_err(|_| StoreError::Config("the audit checker failed".into()))?;
            (p.0.clone(), p.1.clone(), p.2.clone())
        };
        if let Some(b) = broken {
            return Ok(Verification {
                checked: v.checked,
                first_break: Some(b.to_string()),
            });
        }
        let Some(head) = head else {
            return Err(StoreError::Config("the audit scan stopped early".into()));
        };
        let (last_seq, last_hash) = last.unwrap_or((0, byline_core::audit::GENESIS.to_vec()));
        let first_break = if head.seq != last_seq {
            Some(
                Break::Missing {
                    expected: last_seq + 1,
                    found: head.seq,
                }
                .to_string()
                .replace("instead", "as the chain head"),
            )
        } else if head.hash != last_hash {
            Some(format!("the chain head does not match event {last_seq}"))
        } else {
            None
        };
        Ok(Verification {
            checked: v.checked,
            first_break,
        })
    }
}

capability!(
    /// The store's audit log: appending, reading and verifying the chain.
    AuditLog,
    audit
);
