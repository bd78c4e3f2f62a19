//! Attachment records (the bytes live in files beside the database).

use crate::StoreError;
use crate::posts::placeholders;
use crate::visibility::readable_post;
use byline_core::Timestamp;

/// An attachment's record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// Who uploaded it.
    pub uploader_profile_id: i64,
    /// The post it belongs to, once attached.
    pub post_id: Option<i64>,
    /// Hex SHA-256 of the bytes (the file name).
    pub sha256: String,
    /// Media type found by looking at the bytes.
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
}

const COLUMNS: &str =
    "a.id, a.uploader_profile_id, a.post_id, a.sha256, a.media_type, a.size_bytes";

impl Attachments<'_> {
    /// Records an uploaded file (its bytes are already on disk).
    pub async fn create_attachment(
        &self,
        uploader: i64,
        sha256: &str,
        media_type: &str,
        size: i64,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            sqlx::query_scalar(
                "INSERT INTO attachments (uploader_profile_id, sha256, media_type, size_bytes, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(uploader)
            .bind(sha256)
            .bind(media_type)
            .bind(size)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?
        }))
    }

    /// An attachment `viewer` may see: their own unattached upload, or one
    /// on a post they may read.
    pub async fn attachment_for(&self, id: i64, viewer: i64) -> Result<Attachment, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM attachments a LEFT JOIN posts p ON p.id = a.post_id WHERE a.id = $2 AND \
             ((a.post_id IS NULL AND a.uploader_profile_id = $1) OR (a.post_id IS NOT NULL AND p.deleted_at IS NULL AND {}))",
            readable_post("$1")
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(viewer)
                .bind(id)
                .fetch_one(pool)
                .await?
        }))
    }

    /// For each of `ids` that exists: (id, uploading profile, post it is
    /// attached to).
    pub async fn attachment_uses(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, i64, Option<i64>)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, uploader_profile_id, post_id FROM attachments WHERE id IN ({})",
            placeholders(1, ids.len())
        );
        Ok(read!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }
}

capability!(
    /// The store's uploaded images.
    Attachments,
    attachments
);
