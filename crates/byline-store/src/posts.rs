//! Posts: writing, editing with history, tombstoning, reactions.

use crate::StoreError;
use crate::visibility::readable_post;
use byline_core::Timestamp;
use byline_core::reaction::Reaction;

/// Copies the current text of a post into its history inside `$tx`; a
/// missing or deleted post ends the transaction with NotFound.
macro_rules! archive_current_version {
    ($tx:ident, $id:expr, $author:expr) => {{
        let author: Option<i64> = $author;
        let n = sqlx::query(
            "INSERT INTO post_versions (post_id, version, body, body_html, written_at, written_by_user_id, acting_session_id) \
             SELECT id, version, body, body_html, COALESCE(edited_at, created_at), written_by_user_id, acting_session_id FROM posts \
             WHERE id = $1 AND deleted_at IS NULL AND (CAST($2 AS BIGINT) IS NULL OR author_profile_id = $2)",
        )
        .bind($id)
        .bind(author)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err($crate::StoreError::NotFound);
        }
    }};
}

/// A post as readers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Post id.
    pub id: i64,
    /// Profile it was posted as.
    pub author_profile_id: i64,
    /// That profile's handle.
    pub author_handle: String,
    /// That profile's display name.
    pub author_name: String,
    /// The person who wrote it (the byline's user half).
    pub written_by_user_id: i64,
    /// That person's name and handle, for showing a byline the viewer may see.
    pub written_by: (String, String),
    /// Set when spoken as a shared profile: the policy at the time.
    pub attribution_policy: Option<String>,
    /// Community, if posted in one.
    pub community_id: Option<i64>,
    /// Community short name.
    pub community_slug: Option<String>,
    /// Community display name.
    pub community_name: Option<String>,
    /// The post this replies to.
    pub reply_to_id: Option<i64>,
    /// The thread's first post (None for a thread's root).
    pub thread_root_id: Option<i64>,
    /// Markdown source (empty once deleted).
    pub body: String,
    /// Sanitised HTML (empty once deleted).
    pub body_html: String,
    /// 1 for an unedited post.
    pub version: i64,
    /// Direct replies.
    pub reply_count: i64,
    /// Posted at.
    pub created_at: Timestamp,
    /// Last edit.
    pub edited_at: Option<Timestamp>,
    /// Deletion time; the post is then a tombstone.
    pub deleted_at: Option<Timestamp>,
    /// Why a moderator removed it (shown in its place), if one did.
    pub removed_reason: Option<String>,
    /// Reaction counts, in display order.
    pub reactions: Vec<ReactionCount>,
    /// Attached images.
    pub attachments: Vec<crate::attachments::Attachment>,
}

/// How many gave one reaction, and whether the viewer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionCount {
    /// Which reaction.
    pub reaction: Reaction,
    /// How many profiles gave it.
    pub count: i64,
    /// Whether the viewer's profile gave it.
    pub mine: bool,
}

#[derive(sqlx::FromRow)]
struct PostRow {
    id: i64,
    author_profile_id: i64,
    author_handle: String,
    author_name: String,
    written_by_user_id: i64,
    writer_name: String,
    writer_handle: String,
    attribution_policy: Option<String>,
    community_id: Option<i64>,
    community_slug: Option<String>,
    community_name: Option<String>,
    reply_to_id: Option<i64>,
    thread_root_id: Option<i64>,
    body: String,
    body_html: String,
    version: i64,
    reply_count: i64,
    created_at: i64,
    edited_at: Option<i64>,
    deleted_at: Option<i64>,
    removed_reason: Option<String>,
    /// `reaction:count:mine` for each reaction given, comma-separated.
    reaction_list: Option<String>,
    /// `id:uploader:sha256:media type:size` per attachment, in id order.
    attachment_list: Option<String>,
}

/// Reads the reaction summary the hydration query packs into one column.
fn unpack_reactions(list: Option<&str>) -> Vec<ReactionCount> {
    let mut out: Vec<ReactionCount> = list
        .unwrap_or("")
        .split(',')
        .filter_map(|item| {
            let mut f = item.split(':');
            let reaction = Reaction::parse(f.next()?).ok()?;
            let count = f.next()?.parse().ok()?;
            let mine = f.next()? != "0";
            Some(ReactionCount {
                reaction,
                count,
                mine,
            })
        })
        .collect();
    out.sort_by_key(|rc| rc.reaction);
    out
}

/// Reads the attachments the hydration query packs into one column (hex
/// digests and media types hold neither `:` nor `,`).
fn unpack_attachments(post_id: i64, list: Option<&str>) -> Vec<crate::attachments::Attachment> {
    list.unwrap_or("")
        .split(',')
        .filter_map(|item| {
            let mut f = item.split(':');
            Some(crate::attachments::Attachment {
                id: f.next()?.parse().ok()?,
                uploader_profile_id: f.next()?.parse().ok()?,
                post_id: Some(post_id),
                sha256: f.next()?.to_owned(),
                media_type: f.next()?.to_owned(),
                size_bytes: f.next()?.parse().ok()?,
            })
        })
        .collect()
}

impl From<PostRow> for Post {
    fn from(r: PostRow) -> Post {
        Post {
            id: r.id,
            author_profile_id: r.author_profile_id,
            author_handle: r.author_handle,
            author_name: r.author_name,
            written_by_user_id: r.written_by_user_id,
            written_by: (r.writer_name, r.writer_handle),
            attribution_policy: r.attribution_policy,
            community_id: r.community_id,
            community_slug: r.community_slug,
            community_name: r.community_name,
            reply_to_id: r.reply_to_id,
            thread_root_id: r.thread_root_id,
            body: r.body,
            body_html: r.body_html,
            version: r.version,
            reply_count: r.reply_count,
            created_at: Timestamp(r.created_at),
            edited_at: r.edited_at.map(Timestamp),
            deleted_at: r.deleted_at.map(Timestamp),
            removed_reason: r.removed_reason,
            reactions: unpack_reactions(r.reaction_list.as_deref()),
            attachments: unpack_attachments(r.id, r.attachment_list.as_deref()),
        }
    }
}

const POST_COLUMNS: &str = "p.id, p.author_profile_id, a.handle AS author_handle, a.display_name AS author_name, \
     p.written_by_user_id, w.display_name AS writer_name, wp.handle AS writer_handle, p.attribution_policy, p.community_id, c.slug AS community_slug, c.name AS community_name, p.reply_to_id, \
     p.thread_root_id, p.body, p.body_html, p.version, p.reply_count, p.created_at, p.edited_at, p.deleted_at, p.removed_reason";
const POST_FROM: &str = "FROM posts p JOIN profiles a ON a.id = p.author_profile_id \
     JOIN users w ON w.id = p.written_by_user_id JOIN profiles wp ON wp.user_id = w.id \
     LEFT JOIN communities c ON c.id = p.community_id";

/// `$start, $start+1, …` for `n` values.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The words of a post and what they refer to.
pub struct PostContent<'a> {
    /// Markdown source.
    pub body: &'a str,
    /// Rendered HTML.
    pub body_html: &'a str,
    /// Profiles linked by `@mention`.
    pub mentioned_profile_ids: &'a [i64],
    /// Hashtags.
    pub tags: &'a [String],
}

/// Records a post's mentions and tags inside `$tx`.
macro_rules! write_mentions_and_tags {
    ($tx:ident, $id:expr, $content:expr) => {{
        for profile_id in $content.mentioned_profile_ids {
            sqlx::query("INSERT INTO post_mentions (post_id, profile_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind($id)
                .bind(profile_id)
                .execute(&mut *$tx)
                .await?;
        }
        for tag in $content.tags {
            sqlx::query("INSERT INTO post_tags (tag, post_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(tag)
                .bind($id)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// Replaces the text of `$w`'s post `$id` inside `$tx`, keeping the
/// previous version; a post that is missing, deleted or not `$w`'s ends
/// the transaction with NotFound.
macro_rules! write_edit {
    ($tx:ident, $w:expr, $id:expr, $content:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let id: i64 = $id;
        let content: &$crate::posts::PostContent<'_> = $content;
        archive_current_version!($tx, id, Some(w.profile_id));
        sqlx::query(
            "UPDATE posts SET body = $1, body_html = $2, version = version + 1, edited_at = $3, \
             written_by_user_id = $4, acting_session_id = COALESCE($5, acting_session_id), \
             attribution_policy = COALESCE($7, attribution_policy) \
             WHERE id = $6 AND deleted_at IS NULL",
        )
        .bind(content.body)
        .bind(content.body_html)
        .bind($now.micros())
        .bind(w.user_id)
        .bind(w.acting_session_id())
        .bind(id)
        // The new text is said under the policy in force now, whatever the
        // first version was said under.
        .bind(w.policy())
        .execute(&mut *$tx)
        .await?;
        for table in ["post_mentions", "post_tags"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE post_id = $1"))
                .bind(id)
                .execute(&mut *$tx)
                .await?;
        }
        write_mentions_and_tags!($tx, id, content);
    }};
}

/// Tombstones post `$id` inside `$tx` by `$w`; with `$author` set, only a
/// post of that profile (a shared profile deletes only its own words).
macro_rules! write_delete {
    ($tx:ident, $w:expr, $id:expr, $author:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let id: i64 = $id;
        archive_current_version!($tx, id, $author);
        sqlx::query(
            "UPDATE posts SET body = '', body_html = '', deleted_at = $1, deleted_by_user_id = $2, \
             deleted_acting_session_id = $3 WHERE id = $4 AND deleted_at IS NULL",
        )
        .bind($now.micros())
        .bind(w.user_id)
        .bind(w.acting_session_id())
        .bind(id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("DELETE FROM post_tags WHERE post_id = $1")
            .bind(id)
            .execute(&mut *$tx)
            .await?;
    }};
}

/// Adds `$w`'s reaction inside `$tx`, notifying the author the first time;
/// evaluates to whether it was new.
macro_rules! write_reaction {
    ($tx:ident, $w:expr, $post_id:expr, $reaction:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let post_id: i64 = $post_id;
        let reaction: byline_core::reaction::Reaction = $reaction;
        let inserted = sqlx::query(
            "INSERT INTO reactions (post_id, profile_id, reaction, created_at, acting_session_id) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(post_id)
        .bind(w.profile_id)
        .bind(reaction.name())
        .bind($now.micros())
        .bind(w.acting_session_id())
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if inserted > 0 {
            sqlx::query(
                "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at) \
                 SELECT p.author_profile_id, 'reaction', $1, p.id, p.community_id, $2 FROM posts p \
                 WHERE p.id = $3 AND p.author_profile_id <> $1",
            )
            .bind(w.profile_id)
            .bind($now.micros())
            .bind(post_id)
            .execute(&mut *$tx)
            .await?;
        }
        inserted > 0
    }};
}

/// Takes back `$w`'s reaction inside `$tx`; evaluates to whether one was there.
macro_rules! write_unreaction {
    ($tx:ident, $w:expr, $post_id:expr, $reaction:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let reaction: byline_core::reaction::Reaction = $reaction;
        sqlx::query(
            "DELETE FROM reactions WHERE post_id = $1 AND profile_id = $2 AND reaction = $3",
        )
        .bind($post_id)
        .bind(w.profile_id)
        .bind(reaction.name())
        .execute(&mut *$tx)
        .await?
        .rows_affected()
            > 0
    }};
}

/// What writing a post did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPost {
    /// The new post's id.
    pub id: i64,
    /// Profiles that received a notification (only those who may read it).
    pub notified: Vec<i64>,
    /// Help-desk tickets it opened or added to (a reply or an answer).
    pub tickets: Vec<i64>,
    /// Those of them opened, given out and timed inside the write, by the
    /// desk's [`crate::tickets::Intake`].
    pub settled: Vec<i64>,
}

/// A post about to be written (who writes it is the store's to establish:
/// see [`Store::create_post`] and [`crate::speak`]).
pub struct NewPost<'a> {
    /// Community, for top-level posts in one (replies inherit their parent's).
    pub community_id: Option<i64>,
    /// Parent post and its thread root, for replies.
    pub reply_to: Option<(i64, i64)>,
    /// The words.
    pub content: PostContent<'a>,
    /// The writer's own free uploads to attach (checked by the caller; a
    /// shared profile's post carries its writer's uploads).
    pub attachment_ids: &'a [i64],
    /// What to do with a ticket the post opens at a help desk it mentions
    /// (empty: the tickets are seen to after the write).
    pub intake: &'a [crate::tickets::Intake],
}

/// Writes a post by `$w` (a [`crate::bylines::Writer`]) with its mentions,
/// tags, attachments, the parent's reply count and the notifications it
/// causes, inside `$tx`; evaluates to the [`CreatedPost`]. Mentioned or
/// replied-to profiles who cannot read the post are not notified, so a
/// notification never reveals a community they cannot see.
macro_rules! write_post {
    ($tx:ident, $w:expr, $new:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let new: &$crate::posts::NewPost<'_> = $new;
        let now: byline_core::Timestamp = $now;
        let (reply_to, root) = match new.reply_to {
            Some((parent, root)) => (Some(parent), Some(root)),
            None => (None, None),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (author_profile_id, written_by_user_id, community_id, reply_to_id, thread_root_id, \
             body, body_html, created_at, acting_session_id, attribution_policy) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(w.profile_id)
        .bind(w.user_id)
        .bind(new.community_id)
        .bind(reply_to)
        .bind(root)
        .bind(new.content.body)
        .bind(new.content.body_html)
        .bind(now.micros())
        .bind(w.acting_session_id())
        .bind(w.policy())
        .fetch_one(&mut *$tx)
        .await?;
        write_mentions_and_tags!($tx, id, new.content);
        for attachment in new.attachment_ids {
            let n = sqlx::query(
                "UPDATE attachments SET post_id = $1 WHERE id = $2 AND uploader_profile_id = $3 AND post_id IS NULL",
            )
            .bind(id)
            .bind(attachment)
            .bind(w.personal_profile_id)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if n == 0 {
                // Taken by another post meanwhile: write nothing at all.
                return Err($crate::StoreError::Conflict {
                    field: "attachment",
                });
            }
        }
        let readable_by_recipient = $crate::visibility::readable_post("r.id");
        let notify = format!(
            "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at) \
             SELECT r.id, $1, $2, p.id, p.community_id, $3 FROM profiles r JOIN posts p ON p.id = $4 \
             WHERE r.id = $5 AND r.id <> $2 AND {readable_by_recipient} RETURNING recipient_profile_id"
        );
        let mut notified: Vec<i64> = Vec::new();
        if let Some(parent) = reply_to {
            let parent_author: i64 = sqlx::query_scalar(
                "UPDATE posts SET reply_count = reply_count + 1 WHERE id = $1 RETURNING author_profile_id",
            )
            .bind(parent)
            .fetch_one(&mut *$tx)
            .await?;
            if !new.content.mentioned_profile_ids.contains(&parent_author) {
                sqlx::query_as(&notify)
                    .bind("reply")
                    .bind(w.profile_id)
                    .bind(now.micros())
                    .bind(id)
                    .bind(parent_author)
                    .fetch_optional(&mut *$tx)
                    .await?
                    .into_iter()
                    .for_each(|r: (i64,)| notified.push(r.0));
            }
        }
        for profile_id in new.content.mentioned_profile_ids {
            sqlx::query_as(&notify)
                .bind("mention")
                .bind(w.profile_id)
                .bind(now.micros())
                .bind(id)
                .bind(profile_id)
                .fetch_optional(&mut *$tx)
                .await?
                .into_iter()
                .for_each(|r: (i64,)| notified.push(r.0));
        }
        let (tickets, settled) = open_tickets!(
            $tx,
            w,
            id,
            root,
            new.content.body,
            new.content.mentioned_profile_ids,
            &notified,
            new.intake,
            now
        );
        $crate::posts::CreatedPost {
            id,
            notified,
            tickets,
            settled,
        }
    }};
}

impl Posts<'_> {
    /// Writes a post by `user_id` as themselves (their personal profile),
    /// all in one transaction. Words said as a shared profile go through
    /// [`Store::speak`] instead.
    pub async fn create_post(
        &self,
        user_id: i64,
        new: &NewPost<'_>,
        now: Timestamp,
    ) -> Result<CreatedPost, StoreError> {
        Ok(write_tx!(self, |tx| {
            let w = personal_writer!(self, tx, user_id);
            write_post!(tx, &w, new, now)
        }))
    }

    /// A post that `viewer` may read (tombstones included); anything else
    /// is [`StoreError::NotFound`].
    pub async fn post_for(&self, id: i64, viewer: i64) -> Result<Post, StoreError> {
        let mut posts = self.posts_for(&[id], viewer).await?;
        posts.pop().ok_or(StoreError::NotFound)
    }

    /// The readable posts among `ids`, in the order of `ids`, with reactions.
    pub async fn posts_for(&self, ids: &[i64], viewer: i64) -> Result<Vec<Post>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // One statement: the posts with their reactions and attachments
        // packed into two columns by correlated subqueries (index lookups
        // per post), instead of a statement for each.
        let reactions = self.joined(
            "rc.reaction || ':' || CAST(rc.n AS TEXT) || ':' || CAST(rc.mine AS TEXT)",
            "rc.reaction",
        );
        let attachments = self.joined(
            "CAST(att.id AS TEXT) || ':' || CAST(att.uploader_profile_id AS TEXT) || ':' || att.sha256 \
             || ':' || att.media_type || ':' || CAST(att.size_bytes AS TEXT)",
            "att.id",
        );
        let sql = format!(
            "SELECT {POST_COLUMNS}, \
               (SELECT {reactions} FROM (SELECT r.reaction, COUNT(*) AS n, \
                   MAX(CASE WHEN r.profile_id = $1 THEN 1 ELSE 0 END) AS mine \
                 FROM reactions r WHERE r.post_id = p.id GROUP BY r.reaction) rc) AS reaction_list, \
               (SELECT {attachments} FROM attachments att WHERE att.post_id = p.id) AS attachment_list \
             {POST_FROM} WHERE p.id IN ({}) AND {}",
            placeholders(2, ids.len()),
            readable_post("$1")
        );
        let rows: Vec<PostRow> = read!(self, |pool| {
            let mut q = sqlx::query_as(&sql).bind(viewer);
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        });
        let mut by_id: std::collections::HashMap<i64, Post> =
            rows.into_iter().map(|r| (r.id, Post::from(r))).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// Replaces the text of `user_id`'s own post, keeping the previous
    /// version (with its byline). A shared profile's posts are edited
    /// through [`Store::speak`].
    pub async fn edit_post(
        &self,
        id: i64,
        user_id: i64,
        content: &PostContent<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let w = personal_writer!(self, tx, user_id);
            write_edit!(tx, &w, id, content, now);
        });
        Ok(())
    }

    /// Turns a post into a tombstone in `by_user_id`'s own name (the author,
    /// or a moderator removing it); its last text joins its history. A
    /// shared profile deletes its posts through [`Store::speak`].
    pub async fn delete_post(
        &self,
        id: i64,
        by_user_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let w = personal_writer!(self, tx, by_user_id);
            write_delete!(tx, &w, id, None::<i64>, now);
        });
        Ok(())
    }

    /// Earlier versions of a post, oldest first: (version, html, written at).
    pub async fn post_versions(
        &self,
        id: i64,
    ) -> Result<Vec<(i64, String, Timestamp)>, StoreError> {
        let rows: Vec<(i64, String, i64)> = read!(self, |pool| {
            sqlx::query_as("SELECT version, body_html, written_at FROM post_versions WHERE post_id = $1 ORDER BY version")
                .bind(id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(v, h, t)| (v, h, Timestamp(t)))
            .collect())
    }

    /// Adds `user_id`'s own reaction (idempotent) and notifies the author
    /// the first time.
    pub async fn add_reaction(
        &self,
        post_id: i64,
        user_id: i64,
        reaction: Reaction,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let w = personal_writer!(self, tx, user_id);
            let _ = write_reaction!(tx, &w, post_id, reaction, now);
        });
        Ok(())
    }

    /// Removes `user_id`'s own reaction (idempotent).
    pub async fn remove_reaction(
        &self,
        post_id: i64,
        user_id: i64,
        reaction: Reaction,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let w = personal_writer!(self, tx, user_id);
            let _ = write_unreaction!(tx, &w, post_id, reaction);
        });
        Ok(())
    }

    /// Whether a profile has given a post this reaction.
    pub async fn has_reaction(
        &self,
        post_id: i64,
        profile_id: i64,
        reaction: Reaction,
    ) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM reactions WHERE post_id = $1 AND profile_id = $2 AND reaction = $3",
            )
            .bind(post_id)
            .bind(profile_id)
            .bind(reaction.name())
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }

    /// Profile ids for the handles that exist, as (handle, id).
    pub async fn profile_ids_by_handle(
        &self,
        handles: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        if handles.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT handle, id FROM profiles WHERE handle IN ({})",
            placeholders(1, handles.len())
        );
        Ok(read!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for h in handles {
                q = q.bind(h);
            }
            q.fetch_all(pool).await?
        }))
    }
}

capability!(
    /// The store's posts, their versions and reactions.
    Posts,
    posts
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_reactions_and_attachments_are_read_back() {
        let r = unpack_reactions(Some("tada:2:0,heart:5:1,nonsense:1:1"));
        assert_eq!(
            r.iter()
                .map(|rc| (rc.reaction, rc.count, rc.mine))
                .collect::<Vec<_>>(),
            vec![(Reaction::Heart, 5, true), (Reaction::Tada, 2, false)]
        );
        assert!(unpack_reactions(None).is_empty());
        let a = unpack_attachments(9, Some("3:7:ab12:image/png:2048,4:7:cd34:image/jpeg:99"));
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].id, a[0].uploader_profile_id, a[0].post_id),
            (3, 7, Some(9))
        );
        assert_eq!(
            (
                a[1].sha256.as_str(),
                a[1].media_type.as_str(),
                a[1].size_bytes
            ),
            ("cd34", "image/jpeg", 99)
        );
        assert!(unpack_attachments(9, None).is_empty());
    }
}
