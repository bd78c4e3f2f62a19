//! Image attachments: checked by their content, stored by their SHA-256 in
//! the data directory, served only to those who may read their post.

use crate::Caller;
use crate::Error;
use crate::limits::Limit;
use crate::{App, now};
use byline_core::policy::{Action, authorize};
use byline_store::attachments::Attachment;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest image accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Most images on one post.
pub const MAX_PER_POST: usize = 4;

/// Where a file with this digest lives: `aa/bb…` to keep directories small.
pub fn path_for(dir: &Path, sha256: &str) -> PathBuf {
    let (head, tail) = sha256.split_at(2.min(sha256.len()));
    dir.join(head).join(tail)
}

/// Writes `bytes` durably under `path` (temporary file, fsync, rename,
/// fsync of the directory), unless identical content is already there.
fn store_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("attachment path has no parent"))?;
    std::fs::create_dir_all(dir)?;
    let tmp =
        dir.join(format!(".upload-{}", std::process::id()) + &format!("-{:x}", rand_suffix()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Checks and stores an uploaded image for the actor. `declared` is the
/// request's Content-Type; when it names an image it must match the bytes.
pub async fn upload(
    app: &App,
    by: &Caller,
    declared: Option<&str>,
    bytes: Bytes,
) -> Result<Attachment, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    app.limits.check(Limit::Write, by)?;
    if bytes.is_empty() {
        return Err(Error::Invalid("the upload is empty".into()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(Error::TooLarge);
    }
    let Some(media_type) = byline_core::image::sniff(&bytes) else {
        return Err(Error::Invalid(
            "only PNG, JPEG, GIF or WebP images can be attached".into(),
        ));
    };
    let declared = declared.map(|d| {
        d.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    match declared.as_deref() {
        None | Some("") | Some("application/octet-stream") => {}
        Some(d) if d == media_type => {}
        Some(d) => {
            return Err(Error::Invalid(format!(
                "the file is labelled {} but its content is {media_type}",
                d.chars().take(60).collect::<String>()
            )));
        }
    }
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let path = path_for(&app.settings.attachments_dir, &sha256);
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    tokio::task::spawn_blocking(move || store_file(&path, &bytes))
        .await?
        .map_err(|e| Error::Internal(format!("storing an attachment: {e}")))?;
    let id = app
        .store
        .attachments()
        .create_attachment(by.user.profile_id, &sha256, media_type, size, now())
        .await?;
    Ok(app
        .store
        .attachments()
        .attachment_for(id, by.user.profile_id)
        .await?)
}

/// An attachment the actor may see and the file holding it.
pub async fn open(app: &App, by: &Caller, id: i64) -> Result<(Attachment, PathBuf), Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let a = app
        .store
        .attachments()
        .attachment_for(id, by.user.profile_id)
        .await?;
    let path = path_for(&app.settings.attachments_dir, &a.sha256);
    Ok((a, path))
}

/// Checks that `ids` are the actor's own unused uploads, at most four.
pub async fn check_for_post(app: &App, by: &Caller, ids: &[i64]) -> Result<(), Error> {
    if ids.len() > MAX_PER_POST {
        return Err(Error::Invalid(format!(
            "a post has at most {MAX_PER_POST} images"
        )));
    }
    let refused = || Error::Invalid("an attachment was not found or is already used".into());
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(refused());
    }
    let uses = app.store.attachments().attachment_uses(ids).await?;
    if uses.len() != ids.len() {
        return Err(refused());
    }
    // Uploads belong to the person's own profile, also when they post as a
    // shared profile; someone else's upload answers like a missing one.
    for (_, uploader, post) in uses {
        let attach = Action::AttachImage {
            own: uploader == by.user.profile_id,
            in_use: post.is_some(),
        };
        if authorize(Some(&by.actor()), attach).is_err() {
            return Err(refused());
        }
    }
    Ok(())
}
