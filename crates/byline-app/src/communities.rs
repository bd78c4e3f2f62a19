//! Communities: creating, finding, joining, leaving, moderating.
//! A secret community that the actor may not see is reported as not found
//! everywhere, exactly like one that does not exist.

use crate::Caller;
use crate::Error;
use crate::live::LiveEvent;
use crate::{App, now};
use byline_core::Handle;
use byline_core::community::{self, MemberRole, MemberState, Membership, Slug, Visibility};
use byline_core::policy::{Action, authorize};
use byline_store::StoreError;
use byline_store::communities::{Community, MemberListing};

/// A community the actor may know exists, or NotFound.
pub async fn visible_community(app: &App, by: &Caller, slug: &str) -> Result<Community, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let c = match app
        .store
        .communities()
        .community_by_slug(slug, by.user.profile_id)
        .await
    {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(Error::NotFound),
        Err(e) => return Err(e.into()),
    };
    authorize(Some(&by.actor()), Action::SeeCommunity(c.standing()))
        .map_err(|_| Error::NotFound)?;
    Ok(c)
}

/// What the caller may do in a community they can see: the buttons its
/// page shows, decided by the policy.
#[derive(Debug, Clone, Copy)]
pub struct Abilities {
    /// May read its posts.
    pub can_read: bool,
    /// May post in it.
    pub can_post: bool,
    /// Moderates it.
    pub moderates: bool,
    /// May join or ask to (and has not asked already).
    pub can_join: bool,
    /// May leave, withdraw a request or decline an invitation (owners stay).
    pub can_leave: bool,
}

/// What `by` may do in `c`.
pub fn abilities(by: &Caller, c: &Community) -> Abilities {
    let actor = by.actor();
    let standing = c.standing();
    let may = |a: Action| authorize(Some(&actor), a).is_ok();
    let requested = c
        .membership
        .is_some_and(|m| m.state == MemberState::Requested);
    Abilities {
        can_read: may(Action::ReadCommunity(standing)),
        can_post: may(Action::PostInCommunity(standing)),
        moderates: may(Action::ModerateCommunity(standing)),
        can_join: may(Action::JoinCommunity(standing)) && !requested,
        can_leave: c.membership.is_some_and(|m| {
            !(m.is_member() && m.role == byline_core::community::MemberRole::Owner)
        }),
    }
}

/// A community whose posts the actor may read (closed non-members get 403:
/// the community's existence is public, its content is not).
pub async fn readable_community(app: &App, by: &Caller, slug: &str) -> Result<Community, Error> {
    let c = visible_community(app, by, slug).await?;
    authorize(Some(&by.actor()), Action::ReadCommunity(c.standing()))?;
    Ok(c)
}

/// A new community as typed.
pub struct NewCommunity {
    /// Short name for URLs.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// About it.
    pub description: String,
    /// `open`, `closed` or `secret`.
    pub visibility: String,
}

/// Creates a community owned by the actor's profile.
pub async fn create(app: &App, by: &Caller, new: NewCommunity) -> Result<Community, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let slug = Slug::parse(&new.slug)?;
    let name = community::check_name(&new.name)?;
    let description = community::check_description(&new.description)?;
    let visibility = Visibility::parse(&new.visibility)
        .ok_or_else(|| Error::Invalid("visibility is 'open', 'closed' or 'secret'".into()))?;
    // A secret community's short name is never the one chosen as typed, so
    // "already taken" can never say that a secret community exists.
    let slug = match visibility {
        Visibility::Secret => Slug::secret(&slug),
        Visibility::Open | Visibility::Closed => slug,
    };
    let id = app
        .store
        .communities()
        .create_community(
            &slug,
            &name,
            &description,
            visibility,
            by.user.profile_id,
            now(),
        )
        .await?;
    Ok(app
        .store
        .communities()
        .community_by_id(id, by.user.profile_id)
        .await?)
}

/// Every community the actor may know exists.
pub async fn list(app: &App, by: &Caller) -> Result<Vec<Community>, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(app
        .store
        .communities()
        .visible_communities(by.user.profile_id)
        .await?)
}

/// What joining did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// Now a member.
    Member,
    /// Asked; a moderator decides.
    Requested,
}

/// Joins an open community, asks to join a closed one, or accepts an
/// invitation to any.
pub async fn join(app: &App, by: &Caller, slug: &str) -> Result<(Community, Joined), Error> {
    let c = visible_community(app, by, slug).await?;
    if c.membership.is_some_and(Membership::is_member) {
        return Err(Error::AlreadyDone(
            "you are already a member of this community",
        ));
    }
    // For a secret community seen only through an invitation this passes;
    // without one, visible_community has already answered "not found".
    authorize(Some(&by.actor()), Action::JoinCommunity(c.standing()))?;
    let invited = c
        .membership
        .is_some_and(|m| m.state == MemberState::Invited);
    let outcome = if c.visibility == Visibility::Open || invited {
        Joined::Member
    } else {
        Joined::Requested
    };
    let state_now = match outcome {
        Joined::Member => MemberState::Member,
        Joined::Requested => MemberState::Requested,
    };
    let already_requested = c
        .membership
        .is_some_and(|m| m.state == MemberState::Requested);
    app.store
        .communities()
        .set_membership(
            c.id,
            by.user.profile_id,
            Membership {
                role: MemberRole::Member,
                state: state_now,
            },
            now(),
        )
        .await?;
    if outcome == Joined::Requested && !already_requested {
        let moderators = app.store.communities().community_moderators(c.id).await?;
        app.store
            .notifications()
            .notify_community(&moderators, "join_request", by.user.profile_id, c.id, now())
            .await?;
        app.live.publish(LiveEvent::Notified {
            profile_ids: moderators,
        });
    }
    Ok((
        app.store
            .communities()
            .community_by_id(c.id, by.user.profile_id)
            .await?,
        outcome,
    ))
}

/// Leaves a community (or withdraws a request, or declines an invitation).
pub async fn leave(app: &App, by: &Caller, slug: &str) -> Result<(), Error> {
    let c = visible_community(app, by, slug).await?;
    let Some(m) = c.membership else {
        return Err(Error::Invalid(
            "you are not a member of that community".into(),
        ));
    };
    if m.is_member() && m.role == MemberRole::Owner {
        return Err(Error::Invalid(
            "an owner cannot leave; hand ownership to someone else first".into(),
        ));
    }
    Ok(app
        .store
        .communities()
        .remove_membership(c.id, by.user.profile_id)
        .await?)
}

async fn profile_id(app: &App, handle: &str) -> Result<i64, Error> {
    let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
    Ok(app.store.profiles().profile_by_handle(&handle).await?.id)
}

/// A moderator approves a request to join.
pub async fn approve(app: &App, by: &Caller, slug: &str, handle: &str) -> Result<(), Error> {
    let c = visible_community(app, by, slug).await?;
    authorize(Some(&by.actor()), Action::ModerateCommunity(c.standing()))?;
    let pid = profile_id(app, handle).await?;
    let theirs = app.store.communities().community_by_id(c.id, pid).await?;
    if theirs.membership.map(|m| m.state) != Some(MemberState::Requested) {
        return Err(Error::NotFound);
    }
    let member = Membership {
        role: MemberRole::Member,
        state: MemberState::Member,
    };
    Ok(app
        .store
        .communities()
        .set_membership(c.id, pid, member, now())
        .await?)
}

/// A moderator invites a profile.
pub async fn invite(app: &App, by: &Caller, slug: &str, handle: &str) -> Result<(), Error> {
    let c = visible_community(app, by, slug).await?;
    authorize(Some(&by.actor()), Action::ModerateCommunity(c.standing()))?;
    let pid = profile_id(app, handle).await?;
    let theirs = app.store.communities().community_by_id(c.id, pid).await?;
    match theirs.membership.map(|m| m.state) {
        Some(MemberState::Member) => Err(Error::Conflict("membership")),
        Some(MemberState::Invited) => Ok(()),
        // Inviting someone who asked is approving them.
        Some(MemberState::Requested) => approve(app, by, slug, handle).await,
        None => {
            let invited = Membership {
                role: MemberRole::Member,
                state: MemberState::Invited,
            };
            app.store
                .communities()
                .set_membership(c.id, pid, invited, now())
                .await?;
            app.store
                .notifications()
                .notify_community(&[pid], "invitation", by.user.profile_id, c.id, now())
                .await?;
            app.live.publish(LiveEvent::Notified {
                profile_ids: vec![pid],
            });
            Ok(())
        }
    }
}

/// Members of a community the actor may read.
pub async fn members(app: &App, by: &Caller, slug: &str) -> Result<Vec<MemberListing>, Error> {
    let c = readable_community(app, by, slug).await?;
    Ok(app
        .store
        .communities()
        .community_members(c.id, MemberState::Member)
        .await?)
}

/// Pending requests, for moderators.
pub async fn requests(app: &App, by: &Caller, slug: &str) -> Result<Vec<MemberListing>, Error> {
    let c = visible_community(app, by, slug).await?;
    authorize(Some(&by.actor()), Action::ModerateCommunity(c.standing()))?;
    Ok(app
        .store
        .communities()
        .community_members(c.id, MemberState::Requested)
        .await?)
}
