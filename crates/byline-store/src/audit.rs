//! The audit log: appending inside the transaction of the action it
//! records, reading it back, and verifying the whole chain.

use crate::StoreError;
use byline_core::Timestamp;
use byline_core::audit::{Break, EventContent, Verifier};

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

impl AuditEvent {
    fn content(&self) -> EventContent<'_> {
        EventContent {
            seq: self.seq,
            at: self.at,
            user_id: self.user_id,
            profile_id: self.profile_id,
            action: &self.action,
            target: &self.target,
            source_address: &self.source_address,
            details: &self.details,
        }
    }
}

/// Appends `$entry` to the chain inside the open transaction `$tx`.
/// Taking the head first (an UPDATE) serialises appenders on both backends.
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
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash[..])
            .execute(&mut *$tx)
            .await?;
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

const BATCH: i64 = 20_000;

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
    pub async fn verify_audit(&self) -> Result<Verification, StoreError> {
        let mut v = Verifier::default();
        let mut last: Option<(i64, Vec<u8>)> = None;
        let batch_size = u32::try_from(BATCH).unwrap_or(u32::MAX);
        let mut batch = self.audit_events(0, batch_size).await?;
        while let Some(tail) = batch.last() {
            // The next batch is read while this one is hashed.
            let next = self.audit_events(tail.seq, batch_size);
            let check = async {
                for e in &batch {
                    if let Err(b) = v.check(&e.content(), &e.prev_hash, &e.hash) {
                        return Some(b.to_string());
                    }
                }
                None
            };
            let (next, broken) = tokio::join!(next, check);
            if let Some(b) = broken {
                return Ok(Verification {
                    checked: v.checked,
                    first_break: Some(b),
                });
            }
            last = batch.pop().map(|e| (e.seq, e.hash));
            batch = next?;
        }
        let (head_seq, head_hash): (i64, Vec<u8>) = read!(self, |pool| {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(pool)
                .await?
        });
        let (last_seq, last_hash) = last.unwrap_or((0, byline_core::audit::GENESIS.to_vec()));
        let first_break = if head_seq != last_seq {
            Some(
                Break::Missing {
                    expected: last_seq + 1,
                    found: head_seq,
                }
                .to_string()
                .replace("instead", "as the chain head"),
            )
        } else if head_hash != last_hash {
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
