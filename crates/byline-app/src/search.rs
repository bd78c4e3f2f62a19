//! Search across posts, profiles, communities and hashtags, seeing exactly
//! what the timelines would show the asker.

use crate::App;
use crate::Caller;
use crate::Error;
use byline_core::policy::{Action, authorize};
use byline_core::search::{SearchQuery, highlight};
use byline_store::communities::Community;
use byline_store::posts::Post;
use byline_store::search::{ProfileHit, TagHit};

/// Which kinds of result to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds {
    /// Posts.
    pub posts: bool,
    /// Profiles.
    pub profiles: bool,
    /// Communities.
    pub communities: bool,
    /// Hashtags.
    pub tags: bool,
}

impl Kinds {
    /// Parses `all`, `posts`, `profiles`, `communities` or `tags`.
    pub fn parse(s: Option<&str>) -> Result<Kinds, Error> {
        let only = |p, f, c, t| Kinds {
            posts: p,
            profiles: f,
            communities: c,
            tags: t,
        };
        match s.unwrap_or("all") {
            "all" => Ok(only(true, true, true, true)),
            "posts" => Ok(only(true, false, false, false)),
            "profiles" => Ok(only(false, true, false, false)),
            "communities" => Ok(only(false, false, true, false)),
            "tags" => Ok(only(false, false, false, true)),
            _ => Err(Error::Invalid(
                "type is one of all, posts, profiles, communities, tags".into(),
            )),
        }
    }
}

/// Everything found.
pub struct Results {
    /// Posts, best first, each with a highlighted HTML snippet.
    pub posts: Vec<(Post, String)>,
    /// Profiles by handle.
    pub profiles: Vec<ProfileHit>,
    /// Communities by name.
    pub communities: Vec<Community>,
    /// Hashtags, most used first.
    pub tags: Vec<TagHit>,
}

/// Runs a search for the actor.
pub async fn search(
    app: &App,
    by: &Caller,
    text: &str,
    kinds: Kinds,
    limit: u32,
) -> Result<Results, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let q = SearchQuery::parse(text)?;
    app.limits.check(crate::limits::Limit::Search, by)?;
    let viewer = by.user.profile_id;
    let mut results = Results {
        posts: Vec::new(),
        profiles: Vec::new(),
        communities: Vec::new(),
        tags: Vec::new(),
    };
    if kinds.posts {
        let hits = app.store.search().search_posts(&q, viewer, limit).await?;
        let ids: Vec<i64> = hits.iter().map(|h| h.post_id).collect();
        let mut posts = app.store.posts().posts_for(&ids, viewer).await?;
        for hit in hits {
            if let Some(i) = posts.iter().position(|p| p.id == hit.post_id) {
                results
                    .posts
                    .push((posts.swap_remove(i), highlight(&hit.snippet)));
            }
        }
    }
    if kinds.profiles {
        results.profiles = app.store.search().search_profiles(&q, limit).await?;
    }
    if kinds.communities {
        for id in app
            .store
            .search()
            .search_communities(&q, viewer, limit)
            .await?
        {
            let c = app.store.communities().community_by_id(id, viewer).await?;
            if authorize(Some(&by.actor()), Action::SeeCommunity(c.standing())).is_ok() {
                results.communities.push(c);
            }
        }
    }
    if kinds.tags {
        results.tags = app.store.search().search_tags(&q, viewer, limit).await?;
    }
    Ok(results)
}
