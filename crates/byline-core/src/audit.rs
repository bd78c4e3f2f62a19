//! The audit log's chain: canonical bytes of an event and the hash that
//! links it to the one before, so any change, gap or reordering is found.

use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// An audit event's content (what the hash covers, besides the previous hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContent<'a> {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When (µs since the epoch, UTC).
    pub at: i64,
    /// The user who acted, if any.
    pub user_id: Option<i64>,
    /// The profile acted as, if any.
    pub profile_id: Option<i64>,
    /// What happened, e.g. `session.sign_in`.
    pub action: &'a str,
    /// What it happened to, e.g. `user:7`.
    pub target: &'a str,
    /// Where the request came from.
    pub source_address: &'a str,
    /// Extra facts as a JSON object.
    pub details: &'a str,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// The canonical byte encoding: fixed-width integers and length-prefixed
/// strings in a fixed order, versioned by a leading tag.
pub fn canonical_bytes(e: &EventContent<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(96 + e.action.len() + e.target.len() + e.details.len());
    out.extend_from_slice(b"byline-audit-v1");
    out.extend_from_slice(&e.seq.to_be_bytes());
    out.extend_from_slice(&e.at.to_be_bytes());
    out.extend_from_slice(&e.user_id.unwrap_or(-1).to_be_bytes());
    out.extend_from_slice(&e.profile_id.unwrap_or(-1).to_be_bytes());
    put_str(&mut out, e.action);
    put_str(&mut out, e.target);
    put_str(&mut out, e.source_address);
    put_str(&mut out, e.details);
    out
}

/// The hash of an event: SHA-256 over the previous hash and its canonical bytes.
pub fn chain_hash(prev: &[u8], e: &EventContent<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(canonical_bytes(e));
    h.finalize().into()
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// An event is missing: `expected` was the next sequence number, `found` came instead.
    Missing {
        /// The sequence number that should have come next.
        expected: i64,
        /// The one that did.
        found: i64,
    },
    /// The stored previous-hash does not match the hash of the event before.
    Relinked {
        /// The event whose link is wrong.
        seq: i64,
    },
    /// The stored hash does not match the event's content.
    Altered {
        /// The event whose content changed.
        seq: i64,
    },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Missing { expected, found } => {
                write!(f, "event {expected} is missing (found {found} instead)")
            }
            Break::Relinked { seq } => write!(
                f,
                "event {seq} does not link to the event before it (reordered or replaced)"
            ),
            Break::Altered { seq } => write!(f, "event {seq} was altered after it was written"),
        }
    }
}

/// Checks events one at a time, in the order stored.
#[derive(Debug, Clone)]
pub struct Verifier {
    next_seq: i64,
    prev: [u8; 32],
    /// Events checked so far.
    pub checked: u64,
}

impl Default for Verifier {
    fn default() -> Verifier {
        Verifier {
            next_seq: 1,
            prev: GENESIS,
            checked: 0,
        }
    }
}

impl Verifier {
    /// Checks the next stored event (its content, stored previous hash and stored hash).
    pub fn check(
        &mut self,
        e: &EventContent<'_>,
        stored_prev: &[u8],
        stored_hash: &[u8],
    ) -> Result<(), Break> {
        if e.seq != self.next_seq {
            return Err(Break::Missing {
                expected: self.next_seq,
                found: e.seq,
            });
        }
        if stored_prev != self.prev {
            return Err(Break::Relinked { seq: e.seq });
        }
        let h = chain_hash(&self.prev, e);
        if stored_hash != h {
            return Err(Break::Altered { seq: e.seq });
        }
        self.prev = h;
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64, action: &'static str) -> EventContent<'static> {
        EventContent {
            seq,
            at: 1_000 + seq,
            user_id: Some(1),
            profile_id: None,
            action,
            target: "user:1",
            source_address: "127.0.0.1",
            details: "{}",
        }
    }

    fn chain(n: i64) -> Vec<(EventContent<'static>, [u8; 32], [u8; 32])> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|s| {
                let e = event(s, "session.sign_in");
                let h = chain_hash(&prev, &e);
                let row = (e, prev, h);
                prev = h;
                row
            })
            .collect()
    }

    fn verify(rows: &[(EventContent<'_>, [u8; 32], [u8; 32])]) -> Result<u64, Break> {
        let mut v = Verifier::default();
        for (e, p, h) in rows {
            v.check(e, p, h)?;
        }
        Ok(v.checked)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn alteration_deletion_and_reordering_are_each_named() {
        let mut altered = chain(5);
        altered[2].0.action = "session.sign_out";
        assert_eq!(verify(&altered), Err(Break::Altered { seq: 3 }));

        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(
            verify(&deleted),
            Err(Break::Missing {
                expected: 2,
                found: 3
            })
        );

        let mut swapped = chain(5);
        swapped.swap(1, 2);
        // Renumbered so the sequence looks continuous: the links give it away.
        swapped[1].0.seq = 2;
        swapped[2].0.seq = 3;
        assert_eq!(verify(&swapped), Err(Break::Relinked { seq: 2 }));
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let a = EventContent {
            target: "ab",
            source_address: "c",
            ..event(1, "x")
        };
        let b = EventContent {
            target: "a",
            source_address: "bc",
            ..event(1, "x")
        };
        assert_ne!(canonical_bytes(&a), canonical_bytes(&b));
    }
}
