//! Whose words are these? Deciding, per viewer, whether the person behind
//! a shared profile's post is shown. Every rendering of a post goes through
//! a [`BylineLens`], so no route can show a byline the policy withholds.

use crate::App;
use crate::Caller;
use crate::Error;
use byline_core::policy::{Action, Actor, authorize};
use byline_core::shared_profile::{AttributionPolicy, Duty, Speech};
use byline_store::posts::Post;
use std::collections::HashSet;

/// A viewer's right to see bylines.
#[derive(Debug, Clone)]
pub struct BylineLens {
    actor: Actor,
    member_of: HashSet<i64>,
    changes_for: HashSet<i64>,
}

impl BylineLens {
    /// The lens of the signed-in user (their shared-profile memberships loaded once).
    pub async fn for_viewer(app: &App, by: &Caller) -> Result<BylineLens, Error> {
        let memberships = app
            .store
            .shared_profiles()
            .memberships_of(by.user.id, None)
            .await?;
        let actor = by.actor();
        // The roster is checked when the change is made; here we only
        // decide whether to offer it.
        let changes_for = memberships
            .iter()
            .filter(|m| {
                authorize(
                    Some(&actor),
                    Action::SpeakAs {
                        role: Some(m.role),
                        speech: Speech::Change,
                        duty: Duty::NotRequired,
                    },
                )
                .is_ok()
            })
            .map(|m| m.profile_id)
            .collect();
        Ok(BylineLens {
            actor,
            member_of: memberships.iter().map(|m| m.profile_id).collect(),
            changes_for,
        })
    }

    /// The profile the viewer reads as (their personal profile).
    pub fn viewer_profile_id(&self) -> i64 {
        self.actor.profile_id
    }

    /// The writer's (name, handle) when the viewer may see it; None for
    /// posts by personal profiles (the author is the writer).
    pub fn reveal(&self, post: &Post) -> Option<(String, String)> {
        self.reveal_parts(
            post.attribution_policy.as_deref(),
            post.author_profile_id,
            (&post.written_by.0, &post.written_by.1),
        )
    }

    /// The same decision for any words spoken as a profile (posts,
    /// messages): their stored policy, the profile, and the writer's
    /// (name, handle).
    pub fn reveal_parts(
        &self,
        policy: Option<&str>,
        author_profile_id: i64,
        writer: (&str, &str),
    ) -> Option<(String, String)> {
        let policy = AttributionPolicy::parse(policy?)?;
        let member = self.member_of.contains(&author_profile_id);
        authorize(
            Some(&self.actor),
            Action::SeeByline {
                policy,
                member,
                investigating: false,
            },
        )
        .ok()
        .map(|()| (writer.0.to_owned(), writer.1.to_owned()))
    }

    /// Whether the viewer may change (edit, delete) what this profile
    /// said: their own profile, or a shared one whose role may change it.
    pub fn may_change_as(&self, author_profile_id: i64) -> bool {
        author_profile_id == self.actor.profile_id || self.changes_for.contains(&author_profile_id)
    }
}
