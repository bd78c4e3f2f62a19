//! Reading timelines: home, profile, community, hashtag, thread.

use crate::auth::CurrentUser;
use crate::communities::readable_community;
use crate::error::AppError;
use crate::state::AppState;
use byline_core::Handle;
use byline_core::policy::{Action, authorize};
use byline_store::feed::{Page, Window};
use byline_store::posts::Post;

/// Default page size.
pub const DEFAULT_PAGE: u32 = 20;
/// Largest page size.
pub const MAX_PAGE: u32 = 100;
/// Most posts shown in one thread.
pub const MAX_THREAD: u32 = 500;

/// Parses `before` and `limit` from a request.
pub fn window(before: Option<&str>, limit: Option<u32>) -> Result<Window, AppError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::Invalid(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let before = match before {
        None | Some("") => i64::MAX,
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| AppError::Invalid("that cursor is not valid".into()))?,
    };
    Ok(Window { before, limit })
}

/// The actor's home timeline.
pub async fn home(state: &AppState, by: &CurrentUser, w: Window) -> Result<Page, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(state.store.home_feed(by.user.profile_id, w).await?)
}

/// A profile's posts as the actor may see them.
pub async fn profile(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    w: Window,
) -> Result<Page, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let handle = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    let p = state.store.profile_by_handle(&handle).await?;
    Ok(state
        .store
        .profile_feed(p.id, by.user.profile_id, w)
        .await?)
}

/// A community's posts.
pub async fn community(
    state: &AppState,
    by: &CurrentUser,
    slug: &str,
    w: Window,
) -> Result<Page, AppError> {
    let c = readable_community(state, by, slug).await?;
    Ok(state
        .store
        .community_feed(c.id, by.user.profile_id, w)
        .await?)
}

/// Normalises a hashtag from a URL (`WiFi`, `#wifi`).
pub fn tag(text: &str) -> Result<String, AppError> {
    let t = text.trim().trim_start_matches('#').to_ascii_lowercase();
    let ok = !t.is_empty()
        && t.len() <= byline_core::markdown::MAX_TAG_CHARS
        && t.starts_with(|c: char| c.is_ascii_alphabetic())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok { Ok(t) } else { Err(AppError::NotFound) }
}

/// Posts with a hashtag.
pub async fn hashtag(
    state: &AppState,
    by: &CurrentUser,
    text: &str,
    w: Window,
) -> Result<Page, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(state
        .store
        .tag_feed(&tag(text)?, by.user.profile_id, w)
        .await?)
}

/// A thread from its root (any post id in it leads to the whole thread).
pub async fn thread(state: &AppState, by: &CurrentUser, id: i64) -> Result<Vec<Post>, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(state
        .store
        .thread(id, by.user.profile_id, MAX_THREAD)
        .await?)
}
