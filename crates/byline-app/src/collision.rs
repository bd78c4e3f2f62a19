//! Collision notices: which members are looking at a ticket, or typing an
//! answer to it, right now, so two people never answer the same question.
//! Open ticket pages say so every few seconds (a heartbeat); whoever stops
//! saying so is gone after [`GONE_AFTER`]. Changes are announced on the
//! live bus, so the other members' pages update at once.
//!
//! This is kept in the memory of one process: several server processes
//! over one PostgreSQL each know only their own viewers (DESIGN.md's
//! LISTEN/NOTIFY relay will carry it across). Losing it loses nothing
//! that matters: it is who is here now, not a record.

use crate::live::LiveEvent;
use crate::{App, Caller, Error};
use byline_core::policy::{Action, authorize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A member not heard from for this long has left the ticket.
pub const GONE_AFTER: Duration = Duration::from_secs(20);
/// "Typing" lasts this long after the last keystroke heard.
pub const TYPING_FOR: Duration = Duration::from_secs(6);

/// One member on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watcher {
    /// Their personal handle.
    pub handle: String,
    /// Whether they are typing an answer.
    pub typing: bool,
}

#[derive(Debug, Clone)]
struct Seen {
    user_id: i64,
    handle: String,
    at: Instant,
    typing_until: Option<Instant>,
}

/// Who is on which ticket, in this process.
#[derive(Debug, Clone, Default)]
pub struct Presence {
    tickets: Arc<Mutex<HashMap<i64, Vec<Seen>>>>,
}

impl Presence {
    /// Records that `user_id` is on `ticket_id` (typing or not) at `now`;
    /// returns whether what others see changed, and the others there.
    fn heard(
        &self,
        ticket_id: i64,
        user_id: i64,
        handle: &str,
        typing: bool,
        now: Instant,
    ) -> (bool, Vec<Watcher>) {
        let mut all = match self.tickets.lock() {
            Ok(g) => g,
            // A panic elsewhere while holding the lock leaves a map that
            // is still consistent (every change is one push or retain).
            Err(poisoned) => poisoned.into_inner(),
        };
        let before = Self::shown(all.get(&ticket_id).map(Vec::as_slice).unwrap_or(&[]), now);
        let seen = all.entry(ticket_id).or_default();
        seen.retain(|s| now.duration_since(s.at) < GONE_AFTER);
        let typing_until = typing.then(|| now + TYPING_FOR);
        match seen.iter_mut().find(|s| s.user_id == user_id) {
            Some(s) => {
                s.at = now;
                if typing_until.is_some() {
                    s.typing_until = typing_until;
                }
            }
            None => seen.push(Seen {
                user_id,
                handle: handle.to_owned(),
                at: now,
                typing_until,
            }),
        }
        let after = Self::shown(seen, now);
        let others = seen
            .iter()
            .filter(|s| s.user_id != user_id)
            .map(|s| Watcher {
                handle: s.handle.clone(),
                typing: s.typing_until.is_some_and(|t| t > now),
            })
            .collect();
        // Tickets nobody looks at are forgotten.
        all.retain(|_, v| v.iter().any(|s| now.duration_since(s.at) < GONE_AFTER));
        (before != after, others)
    }

    fn shown(seen: &[Seen], now: Instant) -> Vec<(i64, bool)> {
        let mut v: Vec<(i64, bool)> = seen
            .iter()
            .filter(|s| now.duration_since(s.at) < GONE_AFTER)
            .map(|s| (s.user_id, s.typing_until.is_some_and(|t| t > now)))
            .collect();
        v.sort_unstable();
        v
    }
}

/// The caller (a member of the desk) is on ticket `number` of `handle`,
/// typing an answer or not; returns the other members there now.
pub async fn heartbeat(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    typing: bool,
) -> Result<Vec<Watcher>, Error> {
    let (profile, role) = crate::shared_profiles::shared(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ReadInbox { role })?;
    let ticket = app.store.tickets().ticket(profile.id, number).await?;
    let (changed, others) = app.presence.heard(
        ticket.id,
        by.user.id,
        &by.user.handle,
        typing,
        Instant::now(),
    );
    if changed {
        app.live.publish(LiveEvent::Presence {
            profile_id: profile.id,
            ticket_id: ticket.id,
        });
    }
    Ok(others)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn others_are_seen_until_they_go_quiet() {
        let p = Presence::default();
        let t0 = Instant::now();
        let (changed, others) = p.heard(1, 10, "rita", false, t0);
        assert!(changed);
        assert!(others.is_empty());
        let (changed, others) = p.heard(1, 11, "ivan", true, t0 + Duration::from_secs(1));
        assert!(changed);
        assert_eq!(
            others,
            [Watcher {
                handle: "rita".into(),
                typing: false
            }]
        );
        let (changed, others) = p.heard(1, 10, "rita", false, t0 + Duration::from_secs(2));
        assert!(!changed, "a heartbeat that changes nothing is not news");
        assert_eq!(
            others,
            [Watcher {
                handle: "ivan".into(),
                typing: true
            }]
        );
        // Ivan stops typing, then leaves.
        let (_, others) = p.heard(1, 10, "rita", false, t0 + Duration::from_secs(8));
        assert_eq!(
            others,
            [Watcher {
                handle: "ivan".into(),
                typing: false
            }]
        );
        let (_, others) = p.heard(1, 10, "rita", false, t0 + Duration::from_secs(22));
        assert!(others.is_empty(), "gone after {GONE_AFTER:?}");
        // Another ticket is another room.
        let (_, others) = p.heard(2, 11, "ivan", false, t0 + Duration::from_secs(22));
        assert!(others.is_empty());
    }
}
