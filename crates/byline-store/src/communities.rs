//! Communities and memberships.

use crate::StoreError;
use byline_core::Timestamp;
use byline_core::community::{MemberRole, MemberState, Membership, Slug, Visibility};
use byline_core::policy::CommunityStanding;

/// A community with the asking profile's standing in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Community {
    /// Internal id.
    pub id: i64,
    /// Short name in URLs.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// About it.
    pub description: String,
    /// Open, closed or secret.
    pub visibility: Visibility,
    /// Full members.
    pub member_count: i64,
    /// When it was created.
    pub created_at: Timestamp,
    /// The viewer's membership, request or invitation.
    pub membership: Option<Membership>,
}

impl Community {
    /// What the policy needs to decide about this community.
    pub fn standing(&self) -> CommunityStanding {
        CommunityStanding {
            visibility: self.visibility,
            membership: self.membership,
        }
    }
}

#[derive(sqlx::FromRow)]
struct CommunityRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    visibility: String,
    member_count: i64,
    created_at: i64,
    role: Option<String>,
    state: Option<String>,
}

impl TryFrom<CommunityRow> for Community {
    type Error = StoreError;
    fn try_from(r: CommunityRow) -> Result<Community, StoreError> {
        let membership = match (r.role.as_deref(), r.state.as_deref()) {
            (Some(role), Some(state)) => Some(Membership {
                role: MemberRole::parse(role)
                    .ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
                state: MemberState::parse(state)
                    .ok_or_else(|| StoreError::Corrupt(format!("state {state}")))?,
            }),
            _ => None,
        };
        Ok(Community {
            visibility: Visibility::parse(&r.visibility)
                .ok_or_else(|| StoreError::Corrupt(format!("visibility {}", r.visibility)))?,
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
            member_count: r.member_count,
            created_at: Timestamp(r.created_at),
            membership,
        })
    }
}

const COLUMNS: &str = "c.id, c.slug, c.name, c.description, c.visibility, c.member_count, c.created_at, m.role, m.state";

/// A member, requester or invitee as listed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberListing {
    /// Profile id.
    pub profile_id: i64,
    /// Handle.
    pub handle: String,
    /// Display name.
    pub display_name: String,
    /// Stored role name.
    pub role: String,
    /// Stored state name.
    pub state: String,
}

impl Communities<'_> {
    /// Creates a community with `owner` as its first member and owner.
    pub async fn create_community(
        &self,
        slug: &Slug,
        name: &str,
        description: &str,
        visibility: Visibility,
        owner_profile_id: i64,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO communities (slug, name, description, visibility, created_by, created_at, member_count) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
            )
            .bind(slug.as_str())
            .bind(name)
            .bind(description)
            .bind(visibility.as_str())
            .bind(owner_profile_id)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict { .. } => StoreError::Conflict { field: "community short name" },
                other => other,
            })?;
            sqlx::query(
                "INSERT INTO community_members (community_id, profile_id, role, state, created_at) \
                 VALUES ($1, $2, 'owner', 'member', $3)",
            )
            .bind(id)
            .bind(owner_profile_id)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            id
        }))
    }

    /// A community by slug with `viewer`'s standing (the caller asks the
    /// policy whether the viewer may even know it exists).
    pub async fn community_by_slug(
        &self,
        slug: &str,
        viewer: i64,
    ) -> Result<Community, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM communities c \
             LEFT JOIN community_members m ON m.community_id = c.id AND m.profile_id = $2 WHERE c.slug = $1"
        );
        let row: CommunityRow = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(slug)
                .bind(viewer)
                .fetch_one(pool)
                .await?
        });
        row.try_into()
    }

    /// A community by id with `viewer`'s standing.
    pub async fn community_by_id(&self, id: i64, viewer: i64) -> Result<Community, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM communities c \
             LEFT JOIN community_members m ON m.community_id = c.id AND m.profile_id = $2 WHERE c.id = $1"
        );
        let row: CommunityRow = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id)
                .bind(viewer)
                .fetch_one(pool)
                .await?
        });
        row.try_into()
    }

    /// Communities `viewer` may know exist (open, closed, and secret ones
    /// they belong to or are invited to), by name.
    pub async fn visible_communities(&self, viewer: i64) -> Result<Vec<Community>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM communities c \
             LEFT JOIN community_members m ON m.community_id = c.id AND m.profile_id = $1 \
             WHERE {} ORDER BY c.name LIMIT 500",
            crate::visibility::visible_community("c", "m")
        );
        let rows: Vec<CommunityRow> = read!(self, |pool| {
            sqlx::query_as(&sql).bind(viewer).fetch_all(pool).await?
        });
        rows.into_iter().map(Community::try_from).collect()
    }

    /// Sets a profile's membership; keeps `member_count` right in the same
    /// transaction.
    pub async fn set_membership(
        &self,
        community_id: i64,
        profile_id: i64,
        membership: Membership,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let was_member: Option<String> = sqlx::query_scalar(
                "SELECT state FROM community_members WHERE community_id = $1 AND profile_id = $2",
            )
            .bind(community_id)
            .bind(profile_id)
            .fetch_optional(&mut *tx)
            .await?;
            let was_member = was_member.as_deref() == Some("member");
            sqlx::query(
                "INSERT INTO community_members (community_id, profile_id, role, state, created_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (community_id, profile_id) DO UPDATE SET role = excluded.role, state = excluded.state",
            )
            .bind(community_id)
            .bind(profile_id)
            .bind(membership.role.as_str())
            .bind(membership.state.as_str())
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            let delta = i64::from(membership.is_member()) - i64::from(was_member);
            if delta != 0 {
                sqlx::query(
                    "UPDATE communities SET member_count = member_count + $1 WHERE id = $2",
                )
                .bind(delta)
                .bind(community_id)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// Removes a membership, request or invitation.
    pub async fn remove_membership(
        &self,
        community_id: i64,
        profile_id: i64,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let state: Option<String> = sqlx::query_scalar(
                "DELETE FROM community_members WHERE community_id = $1 AND profile_id = $2 RETURNING state",
            )
            .bind(community_id)
            .bind(profile_id)
            .fetch_optional(&mut *tx)
            .await?;
            if state.as_deref() == Some("member") {
                sqlx::query("UPDATE communities SET member_count = member_count - 1 WHERE id = $1")
                    .bind(community_id)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }

    /// Members (or requests, or invitations) of a community by `state`.
    pub async fn community_members(
        &self,
        community_id: i64,
        state: MemberState,
    ) -> Result<Vec<MemberListing>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id AS profile_id, p.handle, p.display_name, m.role, m.state FROM community_members m \
                 JOIN profiles p ON p.id = m.profile_id WHERE m.community_id = $1 AND m.state = $2 \
                 ORDER BY p.handle LIMIT 1000",
            )
            .bind(community_id)
            .bind(state.as_str())
            .fetch_all(pool)
            .await?
        }))
    }

    /// Profile ids of a community's moderators and owners.
    pub async fn community_moderators(&self, community_id: i64) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "SELECT m.profile_id FROM community_members m WHERE m.community_id = $1 AND {}",
            crate::visibility::moderates("m")
        );
        Ok(read!(self, |pool| {
            sqlx::query_scalar(&sql)
                .bind(community_id)
                .fetch_all(pool)
                .await?
        }))
    }
}

capability!(
    /// The store's communities and their members.
    Communities,
    communities
);
