//! Shared profiles: roles of their members and how bylines are shown.

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
