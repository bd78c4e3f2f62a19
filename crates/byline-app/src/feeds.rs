//! Reading timelines: home, profile, community, hashtag, thread.

use crate::App;
use crate::Caller;
use crate::Error;
use crate::communities::readable_community;
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
pub fn window(before: Option<&str>, limit: Option<u32>) -> Result<Window, Error> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::Invalid(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let before = match before {
        None | Some("") => i64::MAX,
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| Error::Invalid("that cursor is not valid".into()))?,
    };
    Ok(Window { before, limit })
}

/// The actor's home timeline.
pub async fn home(app: &App, by: &Caller, w: Window) -> Result<Page, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(app.store.feeds().home_feed(by.user.profile_id, w).await?)
}

/// A profile's posts as the actor may see them.
pub async fn profile(app: &App, by: &Caller, handle: &str, w: Window) -> Result<Page, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
    let p = app.store.profiles().profile_by_handle(&handle).await?;
    Ok(app
        .store
        .feeds()
        .profile_feed(p.id, by.user.profile_id, w)
        .await?)
}

/// A community's posts.
pub async fn community(app: &App, by: &Caller, slug: &str, w: Window) -> Result<Page, Error> {
    let c = readable_community(app, by, slug).await?;
    Ok(app
        .store
        .feeds()
        .community_feed(c.id, by.user.profile_id, w)
        .await?)
}

/// Normalises a hashtag from a URL (`WiFi`, `#wifi`).
pub fn tag(text: &str) -> Result<String, Error> {
    let t = text.trim().trim_start_matches('#').to_ascii_lowercase();
    let ok = !t.is_empty()
        && t.len() <= byline_core::markdown::MAX_TAG_CHARS
        && t.starts_with(|c: char| c.is_ascii_alphabetic())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok { Ok(t) } else { Err(Error::NotFound) }
}

/// Posts with a hashtag.
pub async fn hashtag(app: &App, by: &Caller, text: &str, w: Window) -> Result<Page, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(app
        .store
        .feeds()
        .tag_feed(&tag(text)?, by.user.profile_id, w)
        .await?)
}

/// A thread from its root (any post id in it leads to the whole thread).
pub async fn thread(app: &App, by: &Caller, id: i64) -> Result<Vec<Post>, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(app
        .store
        .feeds()
        .thread(id, by.user.profile_id, MAX_THREAD)
        .await?)
}
