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

/// Appends `$entry` to the chain inside the open transaction `$tx`.
/// Taking the head first (an UPDATE) serialises appenders on both backends;
/// the event's insert moves the head's hash on.
macro_rules! append_audit {
    ($tx:ident, $entry:expr, $now:expr) => {{
        let entry: &$crate::audit::AuditEntry = $entry;
        let (seq, prev): (i64, Vec<u8>) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *$tx)
                .await?;
        let content = byline_core::audit::EventContent {
            seq,
            at: $now.micros(),
            user_id: entry.user_id,
            profile_id: entry.profile_id,
            action: entry.action,
            target: &entry.target,
            source_address: &entry.source_address,
            details: &entry.details,
        };
        let hash = byline_core::audit::chain_hash(&prev, &content);
        sqlx::query(
            "INSERT INTO audit_events (seq, at, user_id, profile_id, action, target, source_address, details, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(seq)
        .bind(content.at)
        .bind(entry.user_id)
        .bind(entry.profile_id)
        .bind(entry.action)
        .bind(&entry.target)
        .bind(&entry.source_address)
        .bind(&entry.details)
        .bind(&prev[..])
        .bind(&hash[..])
        .execute(&mut *$tx)
        .await?;
        // The head takes the new hash by a trigger on the insert
        // (migration 0026).
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
