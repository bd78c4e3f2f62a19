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

/// The hash of an event: SHA-256 over the previous hash and its canonical
/// bytes. The bytes are fed to the hash as they are made, never gathered,
/// so verifying a chain allocates nothing per event.
pub fn chain_hash(prev: &[u8], e: &EventContent<'_>) -> [u8; 32] {
    fn put(h: &mut Sha256, s: &str) {
        h.update(u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
        h.update(s.as_bytes());
    }
    let mut h = Sha256::new();
    h.update(prev);
    h.update(b"byline-audit-v1");
    h.update(e.seq.to_be_bytes());
    h.update(e.at.to_be_bytes());
    h.update(e.user_id.unwrap_or(-1).to_be_bytes());
    h.update(e.profile_id.unwrap_or(-1).to_be_bytes());
    put(&mut h, e.action);
    put(&mut h, e.target);
    put(&mut h, e.source_address);
    put(&mut h, e.details);
    h.finalize().into()
}

/// A stored event as the verifier reads it: its content, and the previous
/// hash and hash written beside it.
#[derive(Debug, Clone)]
pub struct StoredEvent<'a> {
    /// What the hash covers.
    pub content: EventContent<'a>,
    /// The stored previous hash.
    pub prev_hash: &'a [u8],
    /// The stored hash.
    pub hash: &'a [u8],
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

    /// Checks the next `events` in order, as [`Verifier::check`] on each
    /// would, and names the same first break. The hashes, the costly part,
    /// are recomputed on up to `threads` threads: each event's hash depends
    /// only on its own stored bytes and its stored previous hash, so they
    /// can be checked in any order; the links (each stored previous hash
    /// equal to the stored hash before it) and the sequence numbers are
    /// then walked in order, which is a comparison per event.
    pub fn check_all(&mut self, events: &[StoredEvent<'_>], threads: usize) -> Result<(), Break> {
        let first_altered = first_altered(events, threads.max(1));
        for (i, e) in events.iter().enumerate() {
            if e.content.seq != self.next_seq {
                return Err(Break::Missing {
                    expected: self.next_seq,
                    found: e.content.seq,
                });
            }
            if e.prev_hash != self.prev {
                return Err(Break::Relinked { seq: e.content.seq });
            }
            if first_altered == Some(i) {
                return Err(Break::Altered { seq: e.content.seq });
            }
            // Not altered: the stored hash is the hash of the content.
            self.prev.copy_from_slice(e.hash);
            self.next_seq += 1;
            self.checked += 1;
        }
        Ok(())
    }
}

/// The index of the first event whose stored hash is not the hash of its
/// content and stored previous hash, checked on `threads` threads.
fn first_altered(events: &[StoredEvent<'_>], threads: usize) -> Option<usize> {
    let altered = |e: &StoredEvent<'_>| {
        e.hash.len() != 32 || chain_hash(e.prev_hash, &e.content)[..] != *e.hash
    };
    // Below a few thousand events a thread costs more than it saves.
    if threads == 1 || events.len() < 4096 {
        return events.iter().position(altered);
    }
    let chunk = events.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = events
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                scope.spawn(move || part.iter().position(altered).map(|i| n * chunk + i))
            })
            .collect();
        // Joined in order, so the first found is the earliest; a panicked
        // thread (there is nothing in it that panics) counts as altered.
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Some(0)))
            .find_map(|found| found)
    })
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

    /// Stored rows: content, previous hash, hash.
    type Rows = Vec<(EventContent<'static>, [u8; 32], [u8; 32])>;

    fn chain(n: i64) -> Rows {
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
    fn the_streamed_hash_is_the_hash_of_the_canonical_bytes() {
        let e = event(7, "post.create_as_profile");
        let mut h = Sha256::new();
        h.update([9u8; 32]);
        h.update(canonical_bytes(&e));
        let whole: [u8; 32] = h.finalize().into();
        assert_eq!(chain_hash(&[9u8; 32], &e), whole);
    }

    fn verify_all(
        rows: &[(EventContent<'_>, [u8; 32], [u8; 32])],
        threads: usize,
    ) -> Result<u64, Break> {
        let stored: Vec<StoredEvent<'_>> = rows
            .iter()
            .map(|(e, p, h)| StoredEvent {
                content: e.clone(),
                prev_hash: p,
                hash: h,
            })
            .collect();
        let mut v = Verifier::default();
        // In two batches, so the state carries over between them.
        let (first, rest) = stored.split_at(stored.len() / 3);
        v.check_all(first, threads)?;
        v.check_all(rest, threads)?;
        Ok(v.checked)
    }

    #[test]
    fn checking_in_parallel_names_the_same_first_break_as_checking_in_order() {
        let n = 20_000;
        let mut cases: Vec<Rows> = vec![chain(n)];
        for at in [0usize, 1, 4_095, 6_700, 13_333, 19_999] {
            let mut altered = chain(n);
            altered[at].0.details = "{\"changed\":true}";
            cases.push(altered);
            let mut deleted = chain(n);
            deleted.remove(at);
            cases.push(deleted);
            if at + 1 < n as usize {
                let mut swapped = chain(n);
                swapped.swap(at, at + 1);
                let (a, b) = (at as i64 + 1, at as i64 + 2);
                swapped[at].0.seq = a;
                swapped[at + 1].0.seq = b;
                cases.push(swapped);
            }
            let mut bad_hash = chain(n);
            bad_hash[at].2[0] ^= 1;
            cases.push(bad_hash);
        }
        // Two alterations: the earlier one is named, though its chunk may
        // finish later.
        let mut twice = chain(n);
        twice[15_000].0.action = "x";
        twice[9_000].0.action = "y";
        cases.push(twice);
        for rows in &cases {
            let in_order = verify(rows);
            for threads in [1, 2, 3, 8] {
                assert_eq!(
                    verify_all(rows, threads),
                    in_order,
                    "with {threads} threads"
                );
            }
        }
        assert_eq!(
            verify(&cases[cases.len() - 1]),
            Err(Break::Altered { seq: 9_001 })
        );
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
