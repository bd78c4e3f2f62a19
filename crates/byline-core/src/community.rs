//! Communities: who can find them, read them, join them and run them.

use crate::CoreError;
use serde::{Deserialize, Serialize};

/// Who may see and read a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone finds, reads and joins it.
    Open,
    /// Anyone sees that it exists; reading and posting need approved membership.
    Closed,
    /// Invisible to non-members; joining is by invitation only.
    Secret,
}

impl Visibility {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Open => "open",
            Visibility::Closed => "closed",
            Visibility::Secret => "secret",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<Visibility> {
        match s {
            "open" => Some(Visibility::Open),
            "closed" => Some(Visibility::Closed),
            "secret" => Some(Visibility::Secret),
            _ => None,
        }
    }
}

/// A member's role in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Created it or was made owner: everything a moderator can, plus roles.
    Owner,
    /// Approves requests, invites, removes posts.
    Moderator,
    /// Reads and posts.
    Member,
}

impl MemberRole {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Moderator => "moderator",
            MemberRole::Member => "member",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<MemberRole> {
        match s {
            "owner" => Some(MemberRole::Owner),
            "moderator" => Some(MemberRole::Moderator),
            "member" => Some(MemberRole::Member),
            _ => None,
        }
    }
}

/// Where someone stands with a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    /// A full member.
    Member,
    /// Asked to join a closed community; waiting for a moderator.
    Requested,
    /// Invited by a moderator; waiting for the invitee.
    Invited,
}

impl MemberState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Member => "member",
            MemberState::Requested => "requested",
            MemberState::Invited => "invited",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<MemberState> {
        match s {
            "member" => Some(MemberState::Member),
            "requested" => Some(MemberState::Requested),
            "invited" => Some(MemberState::Invited),
            _ => None,
        }
    }
}

/// A profile's relation to one community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Membership {
    /// Role (meaningful once a member).
    pub role: MemberRole,
    /// Member, requested or invited.
    pub state: MemberState,
}

impl Membership {
    /// True for full members.
    pub fn is_member(self) -> bool {
        self.state == MemberState::Member
    }

    /// True for members who moderate (owners included).
    pub fn moderates(self) -> bool {
        self.is_member() && matches!(self.role, MemberRole::Owner | MemberRole::Moderator)
    }
}

/// A community's short name in URLs, e.g. `book-club` (same rules as handles).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug: 2–30 of `a-z0-9-_`, starting with a letter.
    pub fn parse(input: &str) -> Result<Slug, CoreError> {
        crate::Handle::parse(input)
            .map(|h| Slug(h.as_str().to_owned()))
            .map_err(|_| CoreError::InvalidCommunity("a community's short name is 2 to 30 lowercase letters, digits, '-' or '_', starting with a letter"))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The short name a secret community gets: the chosen one (cut to fit)
    /// and a random suffix of 8 letters and digits (about 41 bits). Trying
    /// to create a community with a secret one's short name would otherwise
    /// tell anyone whether it exists ("already taken"); with the suffix,
    /// nobody can guess one, so a chosen name is never taken by a secret
    /// community and the answer reveals nothing.
    pub fn secret(chosen: &Slug) -> Slug {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = rand::rng();
        let suffix: String = (0..SECRET_SUFFIX_LEN)
            .map(|_| char::from(ALPHABET[rand::Rng::random_range(&mut rng, 0..ALPHABET.len())]))
            .collect();
        Slug::with_suffix(chosen, &suffix)
    }

    fn with_suffix(chosen: &Slug, suffix: &str) -> Slug {
        let room = MAX_SLUG_LEN - 1 - suffix.len();
        let base: String = chosen.0.chars().take(room).collect();
        Slug(format!("{base}-{suffix}"))
    }
}

const MAX_SLUG_LEN: usize = 30;
const SECRET_SUFFIX_LEN: usize = 8;

/// Checks a community's display name: 1–80 characters, no control characters.
pub fn check_name(input: &str) -> Result<String, CoreError> {
    crate::DisplayName::parse(input)
        .map(|n| n.as_str().to_owned())
        .map_err(|_| CoreError::InvalidCommunity("a community name is 1 to 80 characters"))
}

/// Checks a description: at most 1,000 characters.
pub fn check_description(input: &str) -> Result<String, CoreError> {
    if input.chars().count() > 1000 {
        return Err(CoreError::InvalidCommunity(
            "a community description is at most 1000 characters",
        ));
    }
    Ok(input.trim().to_owned())
}

#[cfg(test)]
mod secret_slug_tests {
    use super::*;

    #[test]
    fn a_secret_short_name_keeps_the_chosen_one_and_stays_valid() {
        let chosen = Slug::parse("exec").expect("slug");
        let secret = Slug::secret(&chosen);
        assert!(secret.as_str().starts_with("exec-"), "{}", secret.as_str());
        assert_eq!(secret.as_str().len(), "exec-".len() + SECRET_SUFFIX_LEN);
        assert_eq!(Slug::parse(secret.as_str()).as_ref(), Ok(&secret));
        assert_ne!(Slug::secret(&chosen), secret, "each one is fresh");
        let long = Slug::parse("a-very-long-community-name-xx").expect("slug");
        let cut = Slug::secret(&long);
        assert_eq!(cut.as_str().len(), MAX_SLUG_LEN);
        assert!(Slug::parse(cut.as_str()).is_ok());
    }
}
