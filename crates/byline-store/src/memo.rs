//! What the store remembers between calls, to spare a statement. Each
//! memory is either a fact that never changes once written (a user's
//! personal profile) or a hint whose staleness cannot change an answer
//! (which plan a home timeline uses), so several server processes on one
//! database need not tell each other anything.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a timeline-shape hint is trusted before it is counted again.
const SHAPE_FOR: Duration = Duration::from_secs(60);

/// The store's memories; shared by every clone of a `Store`.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// user id → personal profile id.
    personal_profiles: RwLock<HashMap<i64, i64>>,
    /// profile id → (follows many profiles, when counted).
    follows_many: RwLock<HashMap<i64, (bool, Instant)>>,
}

impl Memo {
    /// The personal profile of `user_id`, if seen before.
    pub(crate) fn personal_profile(&self, user_id: i64) -> Option<i64> {
        self.personal_profiles
            .read()
            .ok()
            .and_then(|m| m.get(&user_id).copied())
    }

    /// Remembers that `profile_id` is the personal profile of `user_id`.
    pub(crate) fn learn_personal_profile(&self, user_id: i64, profile_id: i64) {
        if let Ok(mut m) = self.personal_profiles.write() {
            m.insert(user_id, profile_id);
        }
    }

    /// Whether `profile_id` was lately counted as following many profiles.
    pub(crate) fn follows_many(&self, profile_id: i64) -> Option<bool> {
        let m = self.follows_many.read().ok()?;
        let (many, at) = m.get(&profile_id)?;
        (at.elapsed() < SHAPE_FOR).then_some(*many)
    }

    /// Remembers how `profile_id`'s follows were counted just now.
    pub(crate) fn learn_follows_many(&self, profile_id: i64, many: bool) {
        if let Ok(mut m) = self.follows_many.write() {
            m.insert(profile_id, (many, Instant::now()));
        }
    }

    /// Forgets the count after `profile_id` follows or unfollows here.
    pub(crate) fn forget_follows(&self, profile_id: i64) {
        if let Ok(mut m) = self.follows_many.write() {
            m.remove(&profile_id);
        }
    }
}
