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
    /// A help desk's inbox changed (a ticket arrived or moved).
    Inbox {
        /// The help desk's profile.
        profile_id: i64,
    },
    /// Who is viewing or typing on a ticket changed.
    Presence {
        /// The help desk's profile.
        profile_id: i64,
        /// The ticket.
        ticket_id: i64,
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

/// What one subscriber should hear, already decided: ids and counts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A post entered the subscriber's home timeline.
    Post(i64),
    /// The subscriber's unread notifications now number this.
    Notifications(i64),
    /// A conversation of theirs (or of the shared profile they are acting
    /// as) has a message; the inbox's unread messages now number this.
    Message {
        /// The conversation.
        conversation_id: i64,
        /// Unread messages in the inbox it belongs to.
        unread: i64,
    },
    /// The inbox of a help desk the subscriber is a member of changed.
    Inbox(i64),
    /// Who is on a ticket of a desk the subscriber is a member of changed.
    Presence(i64),
}

/// One signed-in person's view of the event bus: every event is checked
/// against what they may see before it is delivered, and the subscription
/// ends when their session or token stops holding.
pub struct Subscription {
    rx: broadcast::Receiver<LiveEvent>,
    store: byline_store::Store,
    credential: crate::Credential,
    me: i64,
    user_id: i64,
    actor: byline_core::policy::Actor,
    shared: HashSet<i64>,
    recheck: tokio::time::Interval,
}

/// Subscribes the signed-in person to their live events.
pub async fn subscribe(app: &crate::App, by: &crate::Caller) -> Result<Subscription, crate::Error> {
    use byline_core::policy::{Action, authorize};
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    // Shared profiles this user may act as: only their conversations can
    // concern the user beyond their own, so only those cost a query.
    let shared = app
        .store
        .shared_profiles()
        .memberships_of(by.user.id, None)
        .await?
        .into_iter()
        .map(|m| m.profile_id)
        .collect();
    let mut recheck = tokio::time::interval(app.settings.live_recheck);
    recheck.tick().await;
    Ok(Subscription {
        rx: app.live.subscribe(),
        store: app.store.clone(),
        credential: by.credential.clone(),
        me: by.user.profile_id,
        user_id: by.user.id,
        actor: by.actor(),
        shared,
        recheck,
    })
}

impl Subscription {
    /// The next delivery, or None once the subscription has ended.
    pub async fn next(&mut self) -> Option<Delivery> {
        use crate::Credential;
        use crate::now;
        use tokio::sync::broadcast::error::RecvError;
        loop {
            let event = tokio::select! {
                received = self.rx.recv() => match received {
                    Ok(e) => e,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                },
                _ = self.recheck.tick() => {
                    // A stream outlives the request that opened it: stop as
                    // soon as its session or token no longer holds.
                    let valid = match &self.credential {
                        Credential::Session { session_id, .. } => {
                            self.store.sessions().session_still_valid(*session_id, now()).await
                        }
                        Credential::ApiToken { token_id } => self.store.sessions().token_still_valid(*token_id).await,
                        Credential::Operator => Ok(false),
                    };
                    if !valid.unwrap_or(false) {
                        return None;
                    }
                    continue;
                }
            };
            if let Some(delivery) = self.decide(event).await {
                return Some(delivery);
            }
        }
    }

    /// Whether, and what, this subscriber hears of `event`.
    async fn decide(&self, event: LiveEvent) -> Option<Delivery> {
        use byline_core::policy::{Action, authorize};
        let me = self.me;
        match event {
            LiveEvent::Post { id, audience } => {
                audience.contains(&me).then_some(Delivery::Post(id))
            }
            LiveEvent::Notified { profile_ids } if profile_ids.contains(&me) => self
                .store
                .notifications()
                .unread_notifications(me)
                .await
                .ok()
                .map(Delivery::Notifications),
            LiveEvent::Notified { .. } => None,
            // A desk's members only, their role read again (it may have
            // ended since they subscribed).
            LiveEvent::Inbox { profile_id } | LiveEvent::Presence { profile_id, .. } => {
                if !self.shared.contains(&profile_id) {
                    return None;
                }
                let role = self
                    .store
                    .shared_profiles()
                    .profile_role(profile_id, self.user_id)
                    .await
                    .ok()?;
                authorize(Some(&self.actor), Action::ReadInbox { role }).ok()?;
                Some(match event {
                    LiveEvent::Presence { ticket_id, .. } => Delivery::Presence(ticket_id),
                    _ => Delivery::Inbox(profile_id),
                })
            }
            LiveEvent::Message {
                conversation_id,
                participants,
            } => {
                // Your own conversations, or those of the shared profile
                // you are acting as right now (membership re-checked).
                let inbox = if participants.contains(&me) {
                    Some(me)
                } else if !participants.iter().any(|p| self.shared.contains(p)) {
                    None
                } else {
                    let n = crate::now();
                    match self
                        .store
                        .shared_profiles()
                        .current_acting(self.user_id, n.plus_seconds(-crate::acting::IDLE_SECS), n)
                        .await
                    {
                        Ok(Some(s))
                            if participants.contains(&s.membership.profile_id)
                                && authorize(
                                    Some(&self.actor),
                                    Action::ActAs {
                                        role: Some(s.membership.role),
                                    },
                                )
                                .is_ok() =>
                        {
                            Some(s.membership.profile_id)
                        }
                        _ => None,
                    }
                };
                let inbox = inbox?;
                let unread = self.store.messages().unread_messages(inbox).await.ok()?;
                Some(Delivery::Message {
                    conversation_id,
                    unread,
                })
            }
        }
    }
}
