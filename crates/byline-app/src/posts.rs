//! Writing, editing, deleting and reacting to posts; reading one post.
//! Each asks the policy; reads that may touch a community the viewer cannot
//! read answer "not found", exactly as for a post that does not exist.

use crate::Caller;
use crate::Error;
use crate::communities::visible_community;
use crate::limits::Limit;
use crate::live::LiveEvent;
use crate::{App, now};
use byline_core::markdown::{self, PostText};
use byline_core::policy::Actor;
use byline_core::policy::{Action, CommunityStanding, authorize};
use byline_core::reaction::Reaction;
use byline_store::posts::{CreatedPost, NewPost, Post, PostContent};
use byline_store::speak::{Spoken, Utterance, Voice};
use std::collections::HashSet;

/// What someone typed into the compose box.
pub struct Compose {
    /// Markdown text.
    pub text: String,
    /// Community short name, for a new top-level post in a community.
    pub community: Option<String>,
    /// The post being replied to.
    pub reply_to: Option<i64>,
    /// The actor's uploaded images to attach.
    pub attachments: Vec<i64>,
    /// Speak as this shared profile (handle) instead of the personal one.
    pub acting_as: Option<String>,
}

/// Renders text, linking mentions of profiles that exist.
async fn render(app: &App, text: &PostText) -> Result<(markdown::Rendered, Vec<i64>), Error> {
    let scan = markdown::scan(text);
    let found = app
        .store
        .posts()
        .profile_ids_by_handle(&scan.mentions)
        .await?;
    let known: HashSet<String> = found.iter().map(|(h, _)| h.clone()).collect();
    let rendered = markdown::render(text, &known);
    let ids = found
        .into_iter()
        .filter(|(h, _)| rendered.mentions.contains(h))
        .map(|(_, id)| id)
        .collect();
    Ok((rendered, ids))
}

/// The actor's standing in the community a post lives in, if any.
async fn standing_of(
    app: &App,
    by: &Caller,
    post: &Post,
) -> Result<Option<CommunityStanding>, Error> {
    match post.community_id {
        Some(cid) => Ok(Some(
            app.store
                .communities()
                .community_by_id(cid, by.user.profile_id)
                .await?
                .standing(),
        )),
        None => Ok(None),
    }
}

/// Where a new post by `author` goes: its community and, for a reply, its
/// parent and thread; the parent must be readable by the speaker and still
/// there, and a community's post needs the speaker to belong to it.
async fn place(
    app: &App,
    by: &Caller,
    author: i64,
    reply_to: Option<i64>,
    community: Option<&str>,
) -> Result<(Option<i64>, Option<(i64, i64)>), Error> {
    let viewer = by.user.profile_id;
    Ok(match (reply_to, community) {
        (Some(_), Some(_)) => {
            return Err(Error::Invalid(
                "a reply belongs to its thread's community; leave 'community' out".into(),
            ));
        }
        (Some(parent_id), None) => {
            let parent = app
                .store
                .posts()
                .post_for(parent_id, viewer)
                .await
                .map_err(|_| {
                    Error::Invalid("the post you are replying to does not exist".into())
                })?;
            if parent.deleted_at.is_some() {
                return Err(Error::Invalid(
                    "the post you are replying to was deleted".into(),
                ));
            }
            if let Some(cid) = parent.community_id {
                let standing = app
                    .store
                    .communities()
                    .community_by_id(cid, author)
                    .await?
                    .standing();
                authorize(Some(&by.actor()), Action::PostInCommunity(standing))?;
            }
            (
                parent.community_id,
                Some((parent.id, parent.thread_root_id.unwrap_or(parent.id))),
            )
        }
        (None, Some(slug)) => {
            let community = visible_community(app, by, slug).await?;
            // The speaking profile must belong: a shared profile posts only
            // where it is itself a member.
            let standing = app
                .store
                .communities()
                .community_by_id(community.id, author)
                .await?
                .standing();
            authorize(Some(&by.actor()), Action::PostInCommunity(standing))?;
            (Some(community.id), None)
        }
        (None, None) => (None, None),
    })
}

/// Publishes a post or reply as the actor's profile.
pub async fn create(app: &App, by: &Caller, compose: Compose) -> Result<Post, Error> {
    create_at(app, by, compose, now()).await
}

/// Publishes a post as of `at` (the demo seeder back-dates its posts).
pub async fn create_at(
    app: &App,
    by: &Caller,
    compose: Compose,
    at: byline_core::Timestamp,
) -> Result<Post, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let text = PostText::parse(&compose.text)?;
    app.limits.check(Limit::Write, by)?;
    let viewer = by.user.profile_id;
    // Speaking as a shared profile goes through the one speak function.
    let voice = match compose.acting_as.as_deref().filter(|h| !h.is_empty()) {
        Some(handle) => Some(crate::acting::voice_at(app, by, handle, at).await?),
        None => None,
    };
    let author = voice.as_ref().map_or(viewer, Voice::profile_id);
    let (community_id, reply_to) = place(
        app,
        by,
        author,
        compose.reply_to,
        compose.community.as_deref(),
    )
    .await?;
    crate::attachments::check_for_post(app, by, &compose.attachments).await?;
    let (rendered, mentioned) = render(app, &text).await?;
    let intake = crate::intake::for_profiles(app, &mentioned, at).await;
    let new = NewPost {
        community_id,
        reply_to,
        attachment_ids: &compose.attachments,
        intake: &intake,
        content: PostContent {
            body: text.as_str(),
            body_html: &rendered.html,
            mentioned_profile_ids: &mentioned,
            tags: &rendered.tags,
        },
    };
    let created = match &voice {
        Some(voice) => match app.store.speak(voice, Utterance::Post(&new), at).await? {
            Spoken::Post(created) => created,
            other => return Err(unexpected(other)),
        },
        None => app.store.posts().create_post(by.user.id, &new, at).await?,
    };
    let created_id = announce(app, created, &intake).await;
    Ok(app.store.posts().post_for(created_id, viewer).await?)
}

/// What follows a new post off its write: the tickets it opened or added
/// to move on, and open pages hear of it. Evaluates to its id.
async fn announce(
    app: &App,
    created: CreatedPost,
    intake: &[byline_store::tickets::Intake],
) -> i64 {
    let CreatedPost {
        id: created_id,
        notified,
        tickets,
        settled,
    } = created;
    if !tickets.is_empty() {
        let planned: Vec<i64> = intake.iter().map(|i| i.profile_id).collect();
        crate::tickets::after_change(app, &tickets, &settled, &planned).await;
    }
    let notified = (!notified.is_empty()).then(|| LiveEvent::Notified {
        profile_ids: notified,
    });
    if app.live.has_listeners() {
        // Who should hear of it is found off the request's path; the
        // notifications it caused follow the post, as they did before.
        let (store, live, id) = (app.store.clone(), app.live.clone(), created_id);
        tokio::spawn(async move {
            match store.feeds().home_audience(id).await {
                Ok(audience) => live.publish(LiveEvent::Post {
                    id,
                    audience: std::sync::Arc::new(audience.into_iter().collect()),
                }),
                Err(e) => tracing::warn!(error = %e, post = id, "live update not sent"),
            }
            if let Some(n) = notified {
                live.publish(n);
            }
        });
    }
    created_id
}

/// Publishes a top-level post through `voice` (already claimed, e.g. by a
/// delivery to the profile's own feed channel); the speak function decides
/// as for any post. Evaluates to the post's id.
pub async fn create_through(
    app: &App,
    voice: &Voice<'_>,
    text: &str,
    at: byline_core::Timestamp,
) -> Result<i64, Error> {
    speak_through(app, voice, text, None, None, at).await
}

/// Replies to `parent` through `voice` (already claimed by `by`, who
/// checked their own write limit once for a whole batch of replies, such
/// as an incident's answer to everyone); the speak function decides as for
/// any post. Evaluates to the reply's id.
pub async fn reply_through(
    app: &App,
    by: &Caller,
    voice: &Voice<'_>,
    parent: i64,
    text: &str,
    at: byline_core::Timestamp,
) -> Result<i64, Error> {
    let (community_id, reply_to) = place(app, by, voice.profile_id(), Some(parent), None).await?;
    speak_through(app, voice, text, community_id, reply_to, at).await
}

/// Says `text` through `voice` where [`place`] put it; the speak function
/// decides as for any post. Evaluates to the post's id.
async fn speak_through(
    app: &App,
    voice: &Voice<'_>,
    text: &str,
    community_id: Option<i64>,
    reply_to: Option<(i64, i64)>,
    at: byline_core::Timestamp,
) -> Result<i64, Error> {
    let text = PostText::parse(text)?;
    let (rendered, mentioned) = render(app, &text).await?;
    let intake = crate::intake::for_profiles(app, &mentioned, at).await;
    let new = NewPost {
        community_id,
        reply_to,
        attachment_ids: &[],
        intake: &intake,
        content: PostContent {
            body: text.as_str(),
            body_html: &rendered.html,
            mentioned_profile_ids: &mentioned,
            tags: &rendered.tags,
        },
    };
    match app.store.speak(voice, Utterance::Post(&new), at).await? {
        Spoken::Post(created) => Ok(announce(app, created, &intake).await),
        other => Err(unexpected(other)),
    }
}

/// The speak function answered with the wrong kind of outcome (a bug).
fn unexpected(spoken: Spoken) -> Error {
    Error::Internal(format!("unexpected outcome of speaking: {spoken:?}"))
}

/// Whether the actor may reply in the thread of `root` as themselves (in a
/// community, only its members post).
pub async fn may_reply(app: &App, by: &Caller, root: &Post) -> Result<bool, Error> {
    Ok(match standing_of(app, by, root).await? {
        None => true,
        Some(standing) => authorize(Some(&by.actor()), Action::PostInCommunity(standing)).is_ok(),
    })
}

/// A post the actor may read.
pub async fn get(app: &App, by: &Caller, id: i64) -> Result<Post, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(app.store.posts().post_for(id, by.user.profile_id).await?)
}

/// Who changes `post`: the person themselves, or, when the post is a
/// shared profile's and they are its member, the profile through the one
/// speak function (role, shift, byline and audit as for any speech).
async fn changer<'a>(
    app: &App,
    by: &'a Caller,
    post: &Post,
) -> Result<(Actor, Option<Voice<'a>>), Error> {
    if post.author_profile_id == by.user.profile_id
        || app
            .store
            .shared_profiles()
            .profile_role(post.author_profile_id, by.user.id)
            .await?
            .is_none()
    {
        return Ok((by.actor(), None));
    }
    let voice = crate::acting::voice_at(app, by, &post.author_handle, now()).await?;
    let actor = Actor {
        profile_id: voice.profile_id(),
        ..by.actor()
    };
    Ok((actor, Some(voice)))
}

/// Replaces the text of the actor's post (or their shared profile's); the
/// old text stays in its history with its byline.
pub async fn edit(app: &App, by: &Caller, id: i64, new_text: &str) -> Result<Post, Error> {
    let post = get(app, by, id).await?;
    let community = standing_of(app, by, &post).await?;
    let text = PostText::parse(new_text)?;
    if post.deleted_at.is_some() {
        return Err(Error::Invalid("a deleted post cannot be edited".into()));
    }
    app.limits.check(Limit::Write, by)?;
    let (actor, voice) = changer(app, by, &post).await?;
    authorize(
        Some(&actor),
        Action::ChangePost {
            author_profile_id: post.author_profile_id,
            delete: false,
            community,
        },
    )?;
    let (rendered, mentioned) = render(app, &text).await?;
    let content = PostContent {
        body: text.as_str(),
        body_html: &rendered.html,
        mentioned_profile_ids: &mentioned,
        tags: &rendered.tags,
    };
    match &voice {
        Some(voice) => {
            let edit = Utterance::Edit {
                post_id: id,
                content: &content,
            };
            app.store.speak(voice, edit, now()).await?;
        }
        None => {
            app.store
                .posts()
                .edit_post(id, by.user.id, &content, now())
                .await?
        }
    }
    Ok(app.store.posts().post_for(id, by.user.profile_id).await?)
}

/// Deletes a post, leaving a tombstone in its thread.
pub async fn delete(app: &App, by: &Caller, id: i64) -> Result<(), Error> {
    let post = get(app, by, id).await?;
    let community = standing_of(app, by, &post).await?;
    // Moderators and admins remove posts in their own name; members of the
    // author profile delete as the profile.
    let moderating = authorize(
        Some(&by.actor()),
        Action::ChangePost {
            author_profile_id: post.author_profile_id,
            delete: true,
            community,
        },
    );
    if post.deleted_at.is_some() {
        return moderating.map_err(Error::from).or(Ok(()));
    }
    let (actor, voice) = match moderating {
        Ok(()) => (by.actor(), None),
        Err(_) => changer(app, by, &post).await?,
    };
    authorize(
        Some(&actor),
        Action::ChangePost {
            author_profile_id: post.author_profile_id,
            delete: true,
            community,
        },
    )?;
    match &voice {
        Some(voice) => {
            let delete = Utterance::Delete { post_id: id };
            app.store.speak(voice, delete, now()).await?;
        }
        None => app.store.posts().delete_post(id, by.user.id, now()).await?,
    }
    Ok(())
}

/// Earlier versions of a readable, undeleted post.
pub async fn versions(
    app: &App,
    by: &Caller,
    id: i64,
) -> Result<(Post, Vec<(i64, String, byline_core::Timestamp)>), Error> {
    let post = get(app, by, id).await?;
    if post.deleted_at.is_some() {
        return Err(Error::NotFound);
    }
    let versions = app.store.posts().post_versions(id).await?;
    Ok((post, versions))
}

/// Adds or removes a reaction of the actor's, or of the shared profile
/// named by `acting_as` (through the attributed-write gate).
pub async fn react(
    app: &App,
    by: &Caller,
    id: i64,
    reaction: &str,
    on: bool,
    acting_as: Option<&str>,
) -> Result<Post, Error> {
    let post = get(app, by, id).await?;
    let reaction = Reaction::parse(reaction)?;
    if post.deleted_at.is_some() {
        return Err(Error::Invalid("a deleted post cannot be reacted to".into()));
    }
    app.limits.check(Limit::Write, by)?;
    let voice = match acting_as.filter(|h| !h.is_empty()) {
        Some(handle) => Some(crate::acting::voice_at(app, by, handle, now()).await?),
        None => None,
    };
    let profile = voice.as_ref().map_or(by.user.profile_id, Voice::profile_id);
    if let Some(cid) = post.community_id {
        // The reacting profile itself must belong to the community.
        let standing = app
            .store
            .communities()
            .community_by_id(cid, profile)
            .await?
            .standing();
        authorize(Some(&by.actor()), Action::PostInCommunity(standing))?;
    }
    match (&voice, on) {
        (Some(voice), true) => {
            let react = Utterance::React {
                post_id: id,
                reaction,
            };
            app.store.speak(voice, react, now()).await?;
        }
        (Some(voice), false) => {
            let unreact = Utterance::Unreact {
                post_id: id,
                reaction,
            };
            app.store.speak(voice, unreact, now()).await?;
        }
        (None, true) => {
            app.store
                .posts()
                .add_reaction(id, by.user.id, reaction, now())
                .await?
        }
        (None, false) => {
            app.store
                .posts()
                .remove_reaction(id, by.user.id, reaction)
                .await?
        }
    }
    Ok(app.store.posts().post_for(id, by.user.profile_id).await?)
}

/// Whether the actor (or the profile they name) has given this reaction.
pub async fn has_reacted(
    app: &App,
    by: &Caller,
    id: i64,
    reaction: &str,
    acting_as: Option<&str>,
) -> Result<bool, Error> {
    let reaction = Reaction::parse(reaction)?;
    let profile = match acting_as.filter(|h| !h.is_empty()) {
        Some(h) => crate::acting::membership(app, by, h).await?.profile_id,
        None => by.user.profile_id,
    };
    Ok(app
        .store
        .posts()
        .has_reaction(id, profile, reaction)
        .await?)
}
