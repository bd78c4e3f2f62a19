//! Following profiles.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::{AppState, now};
use byline_core::Handle;
use byline_core::policy::{Action, authorize};

/// Follows (`on`) or unfollows a profile by handle.
pub async fn follow(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    on: bool,
) -> Result<(), AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let handle = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    let target = state.store.profile_by_handle(&handle).await?;
    if target.id == by.user.profile_id {
        return Err(AppError::Invalid("you cannot follow yourself".into()));
    }
    if on {
        state
            .store
            .follow(by.user.profile_id, target.id, now())
            .await?;
        state.live.publish(crate::live::LiveEvent::Notified {
            profile_ids: vec![target.id],
        });
    } else {
        state.store.unfollow(by.user.profile_id, target.id).await?;
    }
    Ok(())
}
