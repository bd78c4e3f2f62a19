//! Profiles: the identities that speak.

use crate::StoreError;
use byline_core::{Handle, ProfileKind, Timestamp};

/// A profile as shown on its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Internal id.
    pub id: i64,
    /// Handle without `@`.
    pub handle: String,
    /// Personal or shared.
    pub kind: ProfileKind,
    /// Shown name.
    pub display_name: String,
    /// Free text about the profile.
    pub bio: String,
    /// The owner of a personal profile.
    pub user_id: Option<i64>,
    /// When it was created.
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    id: i64,
    handle: String,
    kind: String,
    display_name: String,
    bio: String,
    user_id: Option<i64>,
    created_at: i64,
}

impl Profiles<'_> {
    /// The profile with this id.
    pub async fn profile_by_id(&self, id: i64) -> Result<Profile, StoreError> {
        let row: ProfileRow = read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, handle, kind, display_name, bio, user_id, created_at \
                 FROM profiles WHERE id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await?
        });
        Profile::from_row(row)
    }

    /// A user's personal profile.
    pub async fn personal_profile_of(&self, user_id: i64) -> Result<Profile, StoreError> {
        let row: Option<ProfileRow> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, handle, kind, display_name, bio, user_id, created_at \
                 FROM profiles WHERE user_id = $1",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        });
        Profile::from_row(row.ok_or(StoreError::NotFound)?)
    }

    /// The profile with this handle.
    pub async fn profile_by_handle(&self, handle: &Handle) -> Result<Profile, StoreError> {
        let row: ProfileRow = read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, handle, kind, display_name, bio, user_id, created_at \
                 FROM profiles WHERE handle = $1",
            )
            .bind(handle.as_str())
            .fetch_one(pool)
            .await?
        });
        Profile::from_row(row)
    }
}

impl Profile {
    fn from_row(row: ProfileRow) -> Result<Profile, StoreError> {
        Ok(Profile {
            kind: ProfileKind::parse(&row.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("profile kind '{}'", row.kind)))?,
            id: row.id,
            handle: row.handle,
            display_name: row.display_name,
            bio: row.bio,
            user_id: row.user_id,
            created_at: Timestamp(row.created_at),
        })
    }
}

capability!(
    /// The store's profiles, found by handle.
    Profiles,
    profiles
);
