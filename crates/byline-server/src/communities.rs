//! Communities: creating, finding, joining, leaving, moderating.
//! A secret community that the actor may not see is reported as not found
//! everywhere, exactly like one that does not exist.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::live::LiveEvent;
use crate::state::{AppState, now};
use byline_core::Handle;
use byline_core::community::{self, MemberRole, MemberState, Membership, Slug, Visibility};
use byline_core::policy::{Action, authorize};
use byline_store::StoreError;
use byline_store::communities::{Community, MemberListing};

/// A community the actor may know exists, or NotFound.
pub async fn visible_community(
    state: &AppState,
    by: &CurrentUser,
    slug: &str,
) -> Result<Community, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let c = match state
        .store
        .community_by_slug(slug, by.user.profile_id)
        .await
    {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    authorize(Some(&by.actor()), Action::SeeCommunity(c.standing()))
        .map_err(|_| AppError::NotFound)?;
    Ok(c)
}

/// A community whose posts the actor may read (closed non-members get 403:
/// the community's existence is public, its content is not).
pub async fn readable_community(
    state: &AppState,
    by: &CurrentUser,
    slug: &str,
) -> Result<Community, AppError> {
    let c = visible_community(state, by, slug).await?;
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
pub async fn create(
    state: &AppState,
    by: &CurrentUser,
    new: NewCommunity,
) -> Result<Community, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let slug = Slug::parse(&new.slug)?;
    let name = community::check_name(&new.name)?;
    let description = community::check_description(&new.description)?;
    let visibility = Visibility::parse(&new.visibility)
        .ok_or_else(|| AppError::Invalid("visibility is 'open', 'closed' or 'secret'".into()))?;
    // A secret community's short name is never the one chosen as typed, so
    // "already taken" can never say that a secret community exists.
    let slug = match visibility {
        Visibility::Secret => Slug::secret(&slug),
        Visibility::Open | Visibility::Closed => slug,
    };
    let id = state
        .store
        .create_community(
            &slug,
            &name,
            &description,
            visibility,
            by.user.profile_id,
            now(),
        )
        .await?;
    Ok(state.store.community_by_id(id, by.user.profile_id).await?)
}

/// Every community the actor may know exists.
pub async fn list(state: &AppState, by: &CurrentUser) -> Result<Vec<Community>, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(state.store.visible_communities(by.user.profile_id).await?)
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
pub async fn join(
    state: &AppState,
    by: &CurrentUser,
    slug: &str,
) -> Result<(Community, Joined), AppError> {
    let c = visible_community(state, by, slug).await?;
    if c.membership.is_some_and(Membership::is_member) {
        return Err(AppError::AlreadyDone(
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
    state
        .store
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
        let moderators = state.store.community_moderators(c.id).await?;
        state
            .store
            .notify_community(&moderators, "join_request", by.user.profile_id, c.id, now())
            .await?;
        state.live.publish(LiveEvent::Notified {
            profile_ids: moderators,
        });
    }
    Ok((
        state
            .store
            .community_by_id(c.id, by.user.profile_id)
            .await?,
        outcome,
    ))
}

/// Leaves a community (or withdraws a request, or declines an invitation).
pub async fn leave(state: &AppState, by: &CurrentUser, slug: &str) -> Result<(), AppError> {
    let c = visible_community(state, by, slug).await?;
    let Some(m) = c.membership else {
        return Err(AppError::Invalid(
            "you are not a member of that community".into(),
        ));
    };
    if m.is_member() && m.role == MemberRole::Owner {
        return Err(AppError::Invalid(
            "an owner cannot leave; hand ownership to someone else first".into(),
        ));
    }
    Ok(state
        .store
        .remove_membership(c.id, by.user.profile_id)
        .await?)
}

async fn profile_id(state: &AppState, handle: &str) -> Result<i64, AppError> {
    let handle = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    Ok(state.store.profile_by_handle(&handle).await?.id)
}

/// A moderator approves a request to join.
pub async fn approve(
    state: &AppState,
    by: &CurrentUser,
    slug: &str,
    handle: &str,
) -> Result<(), AppError> {
    let c = visible_community(state, by, slug).await?;
    authorize(Some(&by.actor()), Action::ModerateCommunity(c.standing()))?;
    let pid = profile_id(state, handle).await?;
    let theirs = state.store.community_by_id(c.id, pid).await?;
    if theirs.membership.map(|m| m.state) != Some(MemberState::Requested) {
        return Err(AppError::NotFound);
    }
    let member = Membership {
        role: MemberRole::Member,
        state: MemberState::Member,
    };
    Ok(state.store.set_membership(c.id, pid, member, now()).await?)
}

/// A moderator invites a profile.
pub async fn invite(
    state: &AppState,
    by: &CurrentUser,
    slug: &str,
    handle: &str,
) -> Result<(), AppError> {
    let c = visible_community(state, by, slug).await?;
    authorize(Some(&by.actor()), Action::ModerateCommunity(c.standing()))?;
    let pid = profile_id(state, handle).await?;
    let theirs = state.store.community_by_id(c.id, pid).await?;
    match theirs.membership.map(|m| m.state) {
        Some(MemberState::Member) => Err(AppError::Conflict("membership")),
        Some(MemberState::Invited) => Ok(()),
        // Inviting someone who asked is approving them.
        Some(MemberState::Requested) => approve(state, by, slug, handle).await,
        None => {
            let invited = Membership {
                role: MemberRole::Member,
                state: MemberState::Invited,
            };
            state
                .store
                .set_membership(c.id, pid, invited, now())
                .await?;
            state
                .store
                .notify_community(&[pid], "invitation", by.user.profile_id, c.id, now())
                .await?;
            state.live.publish(LiveEvent::Notified {
                profile_ids: vec![pid],
            });
            Ok(())
        }
    }
}

/// Members of a community the actor may read.
pub async fn members(
    state: &AppState,
    by: &CurrentUser,
    slug: &str,
) -> Result<Vec<MemberListing>, AppError> {
    let c = readable_community(state, by, slug).await?;
    Ok(state
        .store
        .community_members(c.id, MemberState::Member)
        .await?)
}

/// Pending requests, for moderators.
pub async fn requests(
    state: &AppState,
    by: &CurrentUser,
    slug: &str,
) -> Result<Vec<MemberListing>, AppError> {
    let c = visible_community(state, by, slug).await?;
    authorize(Some(&by.actor()), Action::ModerateCommunity(c.standing()))?;
    Ok(state
        .store
        .community_members(c.id, MemberState::Requested)
        .await?)
}
