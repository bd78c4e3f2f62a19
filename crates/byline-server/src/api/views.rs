//! What the API returns: JSON shapes with opaque string ids.

use byline_core::Timestamp;
use byline_store::profiles::Profile;
use byline_store::tokens::ApiToken;
use byline_store::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A user account (seen by the user themself and by admins).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Opaque id.
    pub id: String,
    /// Work email.
    pub email: String,
    /// Shown name.
    pub display_name: String,
    /// Personal profile handle, without `@`.
    pub handle: String,
    /// `staff` or `admin`.
    pub role: String,
    /// False once deactivated.
    pub active: bool,
    /// RFC 3339 creation time.
    pub created_at: String,
}

impl From<User> for UserView {
    fn from(u: User) -> UserView {
        UserView {
            id: u.id.to_string(),
            email: u.email,
            display_name: u.display_name,
            handle: u.handle,
            role: u.role.as_str().to_owned(),
            active: u.active,
            created_at: u.created_at.to_rfc3339(),
        }
    }
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// Users in creation order.
    pub users: Vec<UserView>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A profile as anyone signed in sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    /// Opaque id.
    pub id: String,
    /// Handle without `@`.
    pub handle: String,
    /// `personal` or `shared`.
    pub kind: String,
    /// Shown name.
    pub display_name: String,
    /// About the profile.
    pub bio: String,
    /// RFC 3339 creation time.
    pub created_at: String,
}

impl From<Profile> for ProfileView {
    fn from(p: Profile) -> ProfileView {
        ProfileView {
            id: p.id.to_string(),
            handle: p.handle,
            kind: p.kind.as_str().to_owned(),
            display_name: p.display_name,
            bio: p.bio,
            created_at: p.created_at.to_rfc3339(),
        }
    }
}

/// An API token's description; the secret is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Opaque id.
    pub id: String,
    /// The name given at creation.
    pub name: String,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// Last use (RFC 3339), to the minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// Revocation time (RFC 3339), if revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl From<ApiToken> for TokenView {
    fn from(t: ApiToken) -> TokenView {
        TokenView {
            id: t.id.to_string(),
            name: t.name,
            created_at: Timestamp(t.created_at).to_rfc3339(),
            last_used_at: t.last_used_at.map(|v| Timestamp(v).to_rfc3339()),
            revoked_at: t.revoked_at.map(|v| Timestamp(v).to_rfc3339()),
        }
    }
}

/// A newly created token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The token's description.
    pub token: TokenView,
    /// Send as `Authorization: Bearer <secret>`. Store it now: Byline keeps
    /// only a digest and cannot show it again.
    pub secret: String,
}

/// The user list of token views.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    /// Newest first.
    pub tokens: Vec<TokenView>,
}

/// An organisation-wide role.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    /// An ordinary member of staff.
    Staff,
    /// Manages users and settings.
    Admin,
}

impl From<RoleName> for byline_core::Role {
    fn from(r: RoleName) -> byline_core::Role {
        match r {
            RoleName::Staff => byline_core::Role::Staff,
            RoleName::Admin => byline_core::Role::Admin,
        }
    }
}
