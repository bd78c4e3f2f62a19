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

/// The profile a post speaks as.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorView {
    /// Handle without `@`.
    pub handle: String,
    /// Shown name.
    pub display_name: String,
}

/// The community a post lives in.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityRef {
    /// Short name.
    pub slug: String,
    /// Display name.
    pub name: String,
}

/// A reaction tally.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionView {
    /// Stable name, e.g. `heart`.
    pub reaction: String,
    /// The emoji.
    pub emoji: String,
    /// How many gave it.
    pub count: i64,
    /// Whether you did.
    pub mine: bool,
}

/// A post. A deleted post is a tombstone: `deleted` is true and its text is empty.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostView {
    /// Opaque id.
    pub id: String,
    /// The profile it speaks as.
    pub author: AuthorView,
    /// For a shared profile's post: the person who wrote it, when its
    /// attribution policy lets you see them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byline: Option<AuthorView>,
    /// Community, if posted in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub community: Option<CommunityRef>,
    /// The post this replies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// The first post of the thread (absent on a thread's first post).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_root: Option<String>,
    /// Markdown source.
    pub text: String,
    /// Sanitised HTML.
    pub html: String,
    /// 1 until edited.
    pub version: i64,
    /// Direct replies.
    pub reply_count: i64,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, if edited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    /// True for a tombstone.
    pub deleted: bool,
    /// Why a moderator removed it, shown in its place (a tombstone only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_reason: Option<String>,
    /// Reaction tallies.
    pub reactions: Vec<ReactionView>,
    /// Attached images (none on a tombstone).
    pub attachments: Vec<AttachmentRef>,
}

/// An image on a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentRef {
    /// Opaque id.
    pub id: String,
    /// image/png, image/jpeg, image/gif or image/webp.
    pub media_type: String,
    /// Where to fetch it.
    pub url: String,
}

impl PostView {
    /// A post as `lens`'s viewer may see it.
    pub fn new(p: byline_store::posts::Post, lens: &byline_app::bylines::BylineLens) -> PostView {
        let byline = lens.reveal(&p).map(|(display_name, handle)| AuthorView {
            handle,
            display_name,
        });
        PostView {
            id: p.id.to_string(),
            author: AuthorView {
                handle: p.author_handle,
                display_name: p.author_name,
            },
            byline,
            community: match (p.community_slug, p.community_name) {
                (Some(slug), Some(name)) => Some(CommunityRef { slug, name }),
                _ => None,
            },
            reply_to: p.reply_to_id.map(|v| v.to_string()),
            thread_root: p.thread_root_id.map(|v| v.to_string()),
            text: p.body,
            html: p.body_html,
            version: p.version,
            reply_count: p.reply_count,
            created_at: p.created_at.to_rfc3339(),
            edited_at: p.edited_at.map(Timestamp::to_rfc3339),
            deleted: p.deleted_at.is_some(),
            removed_reason: p.removed_reason.filter(|_| p.deleted_at.is_some()),
            attachments: if p.deleted_at.is_some() {
                Vec::new()
            } else {
                p.attachments
                    .into_iter()
                    .map(|a| AttachmentRef {
                        url: format!("/api/v1/attachments/{}", a.id),
                        id: a.id.to_string(),
                        media_type: a.media_type,
                    })
                    .collect()
            },
            reactions: p
                .reactions
                .into_iter()
                .map(|r| ReactionView {
                    reaction: r.reaction.name().to_owned(),
                    emoji: r.reaction.emoji().to_owned(),
                    count: r.count,
                    mine: r.mine,
                })
                .collect(),
        }
    }
}

/// A page of a timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostPage {
    /// Newest first.
    pub posts: Vec<PostView>,
    /// Pass as `before` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl PostPage {
    /// A page of posts as `lens`'s viewer may see them.
    pub fn new(p: byline_store::feed::Page, lens: &byline_app::bylines::BylineLens) -> PostPage {
        PostPage {
            posts: p
                .posts
                .into_iter()
                .map(|p| PostView::new(p, lens))
                .collect(),
            next_cursor: p.next_before.map(|v| v.to_string()),
        }
    }
}

/// A thread, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadView {
    /// The first post and every reply, tombstones included.
    pub posts: Vec<PostView>,
}

/// One earlier version of a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    /// 1 for the original text.
    pub version: i64,
    /// The HTML of that version.
    pub html: String,
    /// When that version was written.
    pub written_at: String,
}

/// A post's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    /// The current post.
    pub current: PostView,
    /// Earlier versions, oldest first.
    pub earlier: Vec<VersionView>,
}

/// A community.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityView {
    /// Opaque id.
    pub id: String,
    /// Short name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// About it.
    pub description: String,
    /// `open`, `closed` or `secret`.
    pub visibility: String,
    /// Full members.
    pub member_count: i64,
    /// Your standing: `member`, `requested`, `invited`, or absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership: Option<String>,
    /// Your role once a member: `owner`, `moderator`, `member`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl From<byline_store::communities::Community> for CommunityView {
    fn from(c: byline_store::communities::Community) -> CommunityView {
        CommunityView {
            id: c.id.to_string(),
            slug: c.slug,
            name: c.name,
            description: c.description,
            visibility: c.visibility.as_str().to_owned(),
            member_count: c.member_count,
            membership: c.membership.map(|m| m.state.as_str().to_owned()),
            role: c
                .membership
                .filter(|m| m.is_member())
                .map(|m| m.role.as_str().to_owned()),
        }
    }
}

/// Communities.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityList {
    /// By name.
    pub communities: Vec<CommunityView>,
}

/// A member, requester or invitee.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Handle.
    pub handle: String,
    /// Shown name.
    pub display_name: String,
    /// `owner`, `moderator` or `member`.
    pub role: String,
}

/// Members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    /// By handle.
    pub members: Vec<MemberView>,
}

impl From<Vec<byline_store::communities::MemberListing>> for MemberList {
    fn from(v: Vec<byline_store::communities::MemberListing>) -> MemberList {
        MemberList {
            members: v
                .into_iter()
                .map(|m| MemberView {
                    handle: m.handle,
                    display_name: m.display_name,
                    role: m.role,
                })
                .collect(),
        }
    }
}

/// A notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    /// Opaque id.
    pub id: String,
    /// `mention`, `reply`, `reaction`, `follow`, `join_request`, `invitation`,
    /// `message`, or `investigator` (the actor was given the investigator
    /// right; sent to the owners of sealed profiles).
    pub kind: String,
    /// Who caused it.
    pub actor: AuthorView,
    /// The post concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// The community concerned (short name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
    /// The conversation concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    /// The vault entry concerned (its name), for `vault_reveal` and `vault_rotate`.
    pub secret: Option<String>,
    /// The shared profile whose vault holds it (handle).
    pub secret_profile: Option<String>,
    /// The publication concerned, for the `publication_*` kinds (its path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// True once read.
    pub read: bool,
}

/// Notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    /// The page.
    pub notifications: Vec<NotificationView>,
    /// Unread notifications in all.
    pub unread: i64,
    /// Pass as `before` for older ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A community's visibility, as the API spells it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "only the OpenAPI document names it; handlers parse the text themselves to answer with their own error"
)]
pub enum VisibilityName {
    /// Anyone joins.
    Open,
    /// Visible; joining needs a moderator's approval.
    Closed,
    /// Invisible to non-members; invitation only.
    Secret,
}

/// A shared profile's attribution policy, as the API spells it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "only the OpenAPI document names it; handlers parse the text themselves to answer with their own error"
)]
pub enum PolicyName {
    /// Everyone sees who wrote it.
    Signed,
    /// Members and admins see it.
    Internal,
    /// Only an investigation reveals it.
    Sealed,
}

/// A member's role on a shared profile, as the API spells it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "only the OpenAPI document names it; handlers parse the text themselves to answer with their own error"
)]
pub enum ProfileRoleName {
    /// Manages members, roster and settings.
    Owner,
    /// Posts and replies as the profile.
    Editor,
    /// Replies in the inbox only.
    Responder,
    /// Reads the inbox, cannot speak.
    Observer,
}
