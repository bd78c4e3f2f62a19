//! Users and profiles: the names people sign in with and speak as.

use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A profile's unique `@handle`, stored lowercase without the `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Handle(String);

impl Handle {
    /// Longest handle we accept.
    pub const MAX_LEN: usize = 30;

    /// Parses user input; a leading `@` is allowed and case is folded.
    pub fn parse(input: &str) -> Result<Handle, CoreError> {
        let s = input.trim();
        let s = s.strip_prefix('@').unwrap_or(s).to_ascii_lowercase();
        let valid_len = (2..=Self::MAX_LEN).contains(&s.len());
        let mut chars = s.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if valid_len && starts_with_letter && rest_ok {
            Ok(Handle(s))
        } else {
            Err(CoreError::InvalidHandle)
        }
    }

    /// The handle without `@`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Derives a valid handle from free text such as an email's local part.
    pub fn suggest(from: &str) -> Handle {
        let mut s: String = from
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .skip_while(|c| !c.is_ascii_lowercase())
            .take(Self::MAX_LEN)
            .collect();
        while s.ends_with('-') {
            s.pop();
        }
        Handle::parse(&s).unwrap_or_else(|_| Handle("user".to_owned()))
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

/// A work email address, stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses an address: one `@`, a non-empty local part, a dotted domain,
    /// no spaces or control characters, at most 254 characters.
    pub fn parse(input: &str) -> Result<Email, CoreError> {
        let s = input.trim().to_lowercase();
        let (local, domain) = s.split_once('@').ok_or(CoreError::InvalidEmail)?;
        let bad_char = |c: char| c.is_whitespace() || c.is_control() || c == '@';
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if s.len() <= 254
            && !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(bad_char)
            && domain_ok
        {
            Ok(Email(s))
        } else {
            Err(CoreError::InvalidEmail)
        }
    }

    /// The address as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name shown next to a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Longest display name in characters.
    pub const MAX_CHARS: usize = 80;

    /// Trims and checks length and characters.
    pub fn parse(input: &str) -> Result<DisplayName, CoreError> {
        let s = input.trim();
        let n = s.chars().count();
        if n == 0 || n > Self::MAX_CHARS || s.chars().any(char::is_control) {
            return Err(CoreError::InvalidDisplayName);
        }
        Ok(DisplayName(s.to_owned()))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a user may do across the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An ordinary member of staff.
    Staff,
    /// Manages users and the organisation's settings.
    Admin,
}

impl Role {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(s: &str) -> Result<Role, CoreError> {
        match s {
            "staff" => Ok(Role::Staff),
            "admin" => Ok(Role::Admin),
            other => Err(CoreError::UnknownRole(other.to_owned())),
        }
    }
}

/// Whether a profile belongs to one person or to a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// A user's own profile.
    Personal,
    /// A team's profile that many members speak as.
    Shared,
}

impl ProfileKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Personal => "personal",
            ProfileKind::Shared => "shared",
        }
    }

    /// Parses a stored kind; unknown text is treated as personal-only data
    /// corruption and reported.
    pub fn parse(s: &str) -> Option<ProfileKind> {
        match s {
            "personal" => Some(ProfileKind::Personal),
            "shared" => Some(ProfileKind::Shared),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_fold_case_and_drop_the_at_sign() {
        assert_eq!(Handle::parse("@Jane_D").map(|h| h.0), Ok("jane_d".into()));
        assert_eq!(
            Handle::parse("it-helpdesk").map(|h| h.0),
            Ok("it-helpdesk".into())
        );
    }

    #[test]
    fn bad_handles_are_refused() {
        for bad in [
            "",
            "@",
            "a",
            "1abc",
            "-abc",
            "has space",
            "émile",
            "x".repeat(31).as_str(),
            "a/b",
            "<script>",
        ] {
            assert_eq!(Handle::parse(bad), Err(CoreError::InvalidHandle), "{bad:?}");
        }
    }

    #[test]
    fn suggested_handles_are_always_valid() {
        assert_eq!(Handle::suggest("jane.doe").as_str(), "jane-doe");
        assert_eq!(Handle::suggest("42").as_str(), "user");
        assert_eq!(Handle::suggest("9lives.cat").as_str(), "lives-cat");
    }

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(
            Email::parse(" Jane@Example.COM ").map(|e| e.0),
            Ok("jane@example.com".into())
        );
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
            "jane@@example.com",
            "jane@exa..mple.com",
            "jane@.example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(CoreError::InvalidEmail), "{bad:?}");
        }
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Jane Doe ").map(|d| d.0),
            Ok("Jane Doe".into())
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(81)).is_err());
        assert!(DisplayName::parse("a\u{7}b").is_err());
    }
}
