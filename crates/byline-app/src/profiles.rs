//! Profiles: looking one up, and what its page shows about it.

use crate::App;
use crate::Caller;
use crate::Error;
use byline_core::policy::{Action, authorize};
use byline_core::{Handle, ProfileKind};
use byline_store::profiles::Profile;

/// A profile by handle (with or without `@`); a malformed handle cannot
/// exist, so it is simply not found.
pub async fn get(app: &App, by: &Caller, handle: &str) -> Result<Profile, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
    Ok(app.store.profiles().profile_by_handle(&handle).await?)
}

/// What a profile's page says about it, for this viewer.
pub struct Overview {
    /// The profile.
    pub profile: Profile,
    /// Profiles following it.
    pub followers: i64,
    /// Profiles it follows.
    pub following: i64,
    /// Whether the viewer follows it.
    pub i_follow: bool,
    /// Whether the viewer may see its roster (shared profiles).
    pub show_roster: bool,
    /// Whether the viewer may ask who was acting as it (shared profiles).
    pub show_who_acted: bool,
    /// Whether the viewer may read its help desk's inbox.
    pub show_inbox: bool,
}

/// The facts of a profile's page.
pub async fn overview(app: &App, by: &Caller, handle: &str) -> Result<Overview, Error> {
    let profile = get(app, by, handle).await?;
    let (followers, following) = app.store.follows().follow_counts(profile.id).await?;
    let i_follow = app
        .store
        .follows()
        .follows(by.user.profile_id, profile.id)
        .await?;
    let shared = profile.kind == ProfileKind::Shared;
    let role = if shared {
        app.store
            .shared_profiles()
            .profile_role(profile.id, by.user.id)
            .await?
    } else {
        None
    };
    let show_roster = shared && authorize(Some(&by.actor()), Action::SeeRoster { role }).is_ok();
    let show_inbox = shared
        && authorize(Some(&by.actor()), Action::ReadInbox { role }).is_ok()
        && app
            .store
            .tickets()
            .help_desk(profile.id)
            .await?
            .is_some_and(|d| d.enabled);
    let show_who_acted =
        shared && crate::shared_profiles::may_ask_who_acted(app, by, profile.id).await?;
    Ok(Overview {
        profile,
        followers,
        following,
        i_follow,
        show_roster,
        show_who_acted,
        show_inbox,
    })
}
