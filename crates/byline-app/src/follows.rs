//! Following profiles.

use crate::Caller;
use crate::Error;
use crate::{App, now};
use byline_core::Handle;
use byline_core::policy::{Action, authorize};

/// Follows (`on`) or unfollows a profile by handle.
pub async fn follow(app: &App, by: &Caller, handle: &str, on: bool) -> Result<(), Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
    let target = app.store.profiles().profile_by_handle(&handle).await?;
    if target.id == by.user.profile_id {
        return Err(Error::Invalid("you cannot follow yourself".into()));
    }
    if on {
        app.store
            .follows()
            .follow(by.user.profile_id, target.id, now())
            .await?;
        app.live.publish(crate::live::LiveEvent::Notified {
            profile_ids: vec![target.id],
        });
    } else {
        app.store
            .follows()
            .unfollow(by.user.profile_id, target.id)
            .await?;
    }
    Ok(())
}
