//! Notifications: what happened that concerns the signed-in person.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use byline_core::policy::{Action, authorize};
use byline_store::notifications::Notification;

/// The person's notifications older than `before`, newest first, at most
/// `limit`, and how many are unread.
pub async fn page(
    state: &AppState,
    by: &CurrentUser,
    before: i64,
    limit: u32,
) -> Result<(Vec<Notification>, i64), AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let me = by.user.profile_id;
    let items = state.store.notifications(me, before, limit).await?;
    let unread = state.store.unread_notifications(me).await?;
    Ok((items, unread))
}

/// How many of the person's notifications are unread.
pub async fn unread(state: &AppState, by: &CurrentUser) -> Result<i64, AppError> {
    Ok(state.store.unread_notifications(by.user.profile_id).await?)
}

/// Marks the person's notifications up to `up_to` (an id) read.
pub async fn mark_read(state: &AppState, by: &CurrentUser, up_to: i64) -> Result<(), AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(state
        .store
        .mark_notifications_read(by.user.profile_id, up_to, crate::state::now())
        .await?)
}
