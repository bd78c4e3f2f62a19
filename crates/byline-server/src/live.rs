//! Live updates: what happened, fanned out to open pages over server-sent
//! events. Events carry only ids and who may see them: a new post carries
//! the profiles whose home timeline holds it, found by one query when it is
//! published (one per subscriber did not scale to thousands of open pages);
//! other events are checked by each subscriber against the store, so
//! nothing leaks through the stream.
//!
//! This bus lives in one process. Several nodes over one PostgreSQL will
//! relay it through LISTEN/NOTIFY (see DESIGN.md); the subscriber side
//! stays the same.

use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Something a page may want to show at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// A post was published.
    Post {
        /// The post.
        id: i64,
        /// Profiles whose home timeline holds it.
        audience: Arc<HashSet<i64>>,
    },
    /// A message was written in a conversation.
    Message {
        /// The conversation.
        conversation_id: i64,
        /// Everyone in it (the writer too, for their other open pages).
        participants: Vec<i64>,
    },
    /// These profiles have new notifications.
    Notified {
        /// Recipients.
        profile_ids: Vec<i64>,
    },
}

/// The in-process event bus.
#[derive(Clone)]
pub struct Live {
    tx: broadcast::Sender<LiveEvent>,
}

impl Default for Live {
    fn default() -> Live {
        // Slow subscribers that fall this far behind skip ahead rather than
        // holding memory for everyone.
        let (tx, _) = broadcast::channel(4096);
        Live { tx }
    }
}

impl Live {
    /// Announces an event; nobody listening is fine.
    pub fn publish(&self, event: LiveEvent) {
        let _ = self.tx.send(event);
    }

    /// Whether any page is listening (so work for them can be skipped).
    pub fn has_listeners(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// A new subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }
}
