//! Shared profiles: roles of their members and how bylines are shown.

use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A member's role on a shared profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileRole {
    /// Manages members, roster and settings; speaks as the profile.
    Owner,
    /// Posts and replies as the profile.
    Editor,
    /// Replies (in the inbox) as the profile, never starts a post.
    Responder,
    /// Reads the inbox; never speaks.
    Observer,
}

impl ProfileRole {
    /// Every role, strongest first.
    pub const ALL: [ProfileRole; 4] = [
        ProfileRole::Owner,
        ProfileRole::Editor,
        ProfileRole::Responder,
        ProfileRole::Observer,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileRole::Owner => "owner",
            ProfileRole::Editor => "editor",
            ProfileRole::Responder => "responder",
            ProfileRole::Observer => "observer",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<ProfileRole> {
        ProfileRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Who may see the person behind a shared profile's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributionPolicy {
    /// Everyone sees the writer ("— Jane D.").
    Signed,
    /// Members of the profile and admins see the writer.
    Internal,
    /// Nobody sees the writer except through an investigation.
    Sealed,
}

impl AttributionPolicy {
    /// Every policy.
    pub const ALL: [AttributionPolicy; 3] = [
        AttributionPolicy::Signed,
        AttributionPolicy::Internal,
        AttributionPolicy::Sealed,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributionPolicy::Signed => "signed",
            AttributionPolicy::Internal => "internal",
            AttributionPolicy::Sealed => "sealed",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<AttributionPolicy> {
        AttributionPolicy::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// What someone wants to do as a shared profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Speech {
    /// Start a new post.
    Post,
    /// Reply to a post.
    Reply,
    /// React to a post.
    React,
    /// Write a direct message.
    Message,
    /// Edit or delete something the profile said.
    Change,
    /// Write, edit or publish a knowledge-base article (help-desk work,
    /// so responders may too).
    Article,
}

/// An acting session ends after this long without anything said.
pub const ACTING_IDLE_SECS: i64 = 30 * 60;

/// Where a member stands with a profile's roster at the moment they speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duty {
    /// The profile does not require members to be on shift.
    NotRequired,
    /// The profile requires it and the member is on shift.
    OnShift,
    /// The profile requires it and the member is not on shift.
    OffShift,
}

impl Duty {
    /// Every standing.
    pub const ALL: [Duty; 3] = [Duty::NotRequired, Duty::OnShift, Duty::OffShift];
}

/// The attribution policies a shared profile has had, each with the moment
/// it took effect, oldest first. A byline is revealed by the policy in force
/// when the words were said, never by the policy now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyHistory {
    changes: Vec<(Timestamp, AttributionPolicy)>,
}

impl PolicyHistory {
    /// A history from its changes, in any order.
    pub fn new(mut changes: Vec<(Timestamp, AttributionPolicy)>) -> PolicyHistory {
        changes.sort_by_key(|(t, _)| *t);
        PolicyHistory { changes }
    }

    /// The policy in force at `t`. Before the first change the first policy
    /// counts (the profile did not speak then); with no history at all, the
    /// strictest, so that nothing is revealed by a gap in the record.
    pub fn at(&self, t: Timestamp) -> AttributionPolicy {
        self.changes
            .iter()
            .rev()
            .find(|(since, _)| *since <= t)
            .or_else(|| self.changes.first())
            .map_or(AttributionPolicy::Sealed, |(_, p)| *p)
    }

    /// Every policy the profile has ever had, in order.
    pub fn ever(&self) -> Vec<AttributionPolicy> {
        self.during(Timestamp(i64::MIN), Timestamp(i64::MAX))
    }

    /// Every policy in force at some moment of `[from, to)`, in order.
    pub fn during(&self, from: Timestamp, to: Timestamp) -> Vec<AttributionPolicy> {
        let mut out = vec![self.at(from)];
        for (since, p) in &self.changes {
            if *since > from && *since < to && out.last() != Some(p) {
                out.push(*p);
            }
        }
        out
    }
}

#[cfg(test)]
mod policy_history_tests {
    use super::*;

    const SEALED_AT: Timestamp = Timestamp(1_000);
    const INTERNAL_AT: Timestamp = Timestamp(5_000);

    fn sealed_then_internal() -> PolicyHistory {
        PolicyHistory::new(vec![
            (INTERNAL_AT, AttributionPolicy::Internal),
            (SEALED_AT, AttributionPolicy::Sealed),
        ])
    }

    #[test]
    fn words_keep_the_policy_they_were_said_under() {
        let h = sealed_then_internal();
        assert_eq!(h.at(Timestamp(4_999)), AttributionPolicy::Sealed);
        assert_eq!(h.at(INTERNAL_AT), AttributionPolicy::Internal);
        assert_eq!(h.at(Timestamp(9_000)), AttributionPolicy::Internal);
        assert_eq!(
            h.at(Timestamp(10)),
            AttributionPolicy::Sealed,
            "before creation: the first"
        );
    }

    #[test]
    fn a_window_over_a_change_sees_both_policies() {
        let h = sealed_then_internal();
        assert_eq!(
            h.during(Timestamp(2_000), Timestamp(6_000)),
            vec![AttributionPolicy::Sealed, AttributionPolicy::Internal]
        );
        assert_eq!(
            h.during(Timestamp(6_000), Timestamp(7_000)),
            vec![AttributionPolicy::Internal]
        );
        assert_eq!(
            h.during(Timestamp(2_000), INTERNAL_AT),
            vec![AttributionPolicy::Sealed],
            "the window's end is exclusive"
        );
    }

    #[test]
    fn no_history_reveals_nothing() {
        assert_eq!(
            PolicyHistory::default().at(Timestamp(1)),
            AttributionPolicy::Sealed
        );
    }
}
