//! Whose words are these? Deciding, per viewer, whether the person behind
//! a shared profile's post is shown. Every rendering of a post goes through
//! a [`BylineLens`], so no route can show a byline the policy withholds.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use byline_core::policy::{Action, Actor, authorize};
use byline_core::shared_profile::AttributionPolicy;
use byline_store::posts::Post;
use std::collections::HashSet;

/// A viewer's right to see bylines.
#[derive(Debug, Clone)]
pub struct BylineLens {
    actor: Actor,
    member_of: HashSet<i64>,
}

impl BylineLens {
    /// The lens of the signed-in user (their shared-profile memberships loaded once).
    pub async fn for_viewer(state: &AppState, by: &CurrentUser) -> Result<BylineLens, AppError> {
        let member_of = state
            .store
            .memberships_of(by.user.id, None)
            .await?
            .into_iter()
            .map(|m| m.profile_id)
            .collect();
        Ok(BylineLens {
            actor: by.actor(),
            member_of,
        })
    }

    /// The profile the viewer reads as (their personal profile).
    pub fn viewer_profile_id(&self) -> i64 {
        self.actor.profile_id
    }

    /// The writer's (name, handle) when the viewer may see it; None for
    /// posts by personal profiles (the author is the writer).
    pub fn reveal(&self, post: &Post) -> Option<(String, String)> {
        let policy = AttributionPolicy::parse(post.attribution_policy.as_deref()?)?;
        let member = self.member_of.contains(&post.author_profile_id);
        authorize(
            Some(&self.actor),
            Action::SeeByline {
                policy,
                member,
                investigating: false,
            },
        )
        .ok()
        .map(|()| post.written_by.clone())
    }
}
