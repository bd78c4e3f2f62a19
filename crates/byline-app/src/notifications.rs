//! Notifications: what happened that concerns the signed-in person.

use crate::App;
use crate::Caller;
use crate::Error;
use byline_core::policy::{Action, authorize};
use byline_store::notifications::Notification;

/// The person's notifications older than `before`, newest first, at most
/// `limit`, and how many are unread.
pub async fn page(
    app: &App,
    by: &Caller,
    before: i64,
    limit: u32,
) -> Result<(Vec<Notification>, i64), Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let me = by.user.profile_id;
    let items = app
        .store
        .notifications()
        .notifications(me, before, limit)
        .await?;
    let unread = app.store.notifications().unread_notifications(me).await?;
    Ok((items, unread))
}

/// How many of the person's notifications are unread.
pub async fn unread(app: &App, by: &Caller) -> Result<i64, Error> {
    Ok(app
        .store
        .notifications()
        .unread_notifications(by.user.profile_id)
        .await?)
}

/// Marks the person's notifications up to `up_to` (an id) read.
pub async fn mark_read(app: &App, by: &Caller, up_to: i64) -> Result<(), Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(app
        .store
        .notifications()
        .mark_notifications_read(by.user.profile_id, up_to, crate::now())
        .await?)
}
