//! Investigations: the only way to reveal sealed attribution. Opening one
//! needs the investigator right and a reason; every reveal is audited; the
//! profile's owners can see that it happened.

use crate::Caller;
use crate::Error;
use crate::{App, now};
use byline_core::policy::{Action, authorize};
use byline_core::shared_profile::ProfileRole;
use byline_core::{Handle, ProfileKind, Timestamp};
use byline_store::investigations::{Investigation, NewInvestigation, RevealedByline};

/// Shortest accepted reason, in characters.
pub const MIN_REASON: usize = 10;

async fn user_id_of(app: &App, handle: &str) -> Result<i64, Error> {
    let h = Handle::parse(handle).map_err(|_| Error::NotFound)?;
    app.store
        .profiles()
        .profile_by_handle(&h)
        .await?
        .user_id
        .ok_or(Error::NotFound)
}

/// Grants (`on`) or withdraws the investigator right (admins).
pub async fn set_investigator(app: &App, by: &Caller, handle: &str, on: bool) -> Result<(), Error> {
    // Only admins learn whether the handle exists.
    authorize(
        Some(&by.actor()),
        Action::ManageInvestigators {
            target_user_id: 0,
            grant: false,
        },
    )?;
    let user_id = user_id_of(app, handle).await?;
    if authorize(
        Some(&by.actor()),
        Action::ManageInvestigators {
            target_user_id: user_id,
            grant: on,
        },
    )
    .is_err()
    {
        return Err(Error::ForbiddenBecause(
            "an admin cannot grant themselves the investigator right: another admin grants it \
             (in a one-admin organisation, the operator runs `byline admin grant-investigator`)"
                .into(),
        ));
    }
    let audit = by.audit(
        if on {
            "investigator.grant"
        } else {
            "investigator.withdraw"
        },
        format!("user:{user_id}"),
    );
    Ok(app
        .store
        .investigations()
        .set_investigator(user_id, on, &audit, now())
        .await?)
}

/// What an investigation looks into: a shared profile over a window, or
/// specific posts of it (the window then defaults to their span).
pub struct Scope<'a> {
    /// The shared profile's handle.
    pub profile: &'a str,
    /// Window start, RFC 3339 with an offset.
    pub from: Option<&'a str>,
    /// Window end (exclusive).
    pub to: Option<&'a str>,
    /// Post ids (or `/posts/N` links); empty for the whole window.
    pub posts: &'a [String],
}

/// Most posts one investigation may name.
pub const MAX_POSTS: usize = 100;

/// Opens an investigation into a shared profile.
pub async fn open(
    app: &App,
    by: &Caller,
    scope: Scope<'_>,
    reason: &str,
) -> Result<Investigation, Error> {
    let Scope {
        profile,
        from,
        to,
        posts,
    } = scope;
    let investigator = app
        .store
        .investigations()
        .is_investigator(by.user.id)
        .await?;
    authorize(
        Some(&by.actor()),
        Action::OpenInvestigation { investigator },
    )?;
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON || reason.chars().count() > 2000 {
        return Err(Error::Invalid(format!(
            "an investigation needs a reason of {MIN_REASON} to 2000 characters"
        )));
    }
    let h = Handle::parse(profile)
        .map_err(|_| Error::Invalid("no shared profile has that handle".into()))?;
    let p = app
        .store
        .profiles()
        .profile_by_handle(&h)
        .await
        .map_err(|_| Error::Invalid("no shared profile has that handle".into()))?;
    if p.kind != ProfileKind::Shared {
        return Err(Error::Invalid(
            "investigations look into shared profiles".into(),
        ));
    }
    if posts.len() > MAX_POSTS {
        return Err(Error::Invalid(format!(
            "an investigation names at most {MAX_POSTS} posts"
        )));
    }
    let mut post_ids = Vec::new();
    let mut span: Option<(Timestamp, Timestamp)> = None;
    for text in posts {
        let digits = text
            .trim()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        let not_its =
            || Error::Invalid(format!("'{}' is not a post of @{}", text.trim(), p.handle));
        let id: i64 = digits
            .split('#')
            .next()
            .unwrap_or("")
            .parse()
            .map_err(|_| not_its())?;
        let post = app
            .store
            .posts()
            .post_for(id, by.user.profile_id)
            .await
            .map_err(|_| not_its())?;
        if post.author_profile_id != p.id {
            return Err(not_its());
        }
        post_ids.push(id);
        let (lo, hi) = span.unwrap_or((post.created_at, post.created_at));
        span = Some((lo.min(post.created_at), hi.max(post.created_at)));
    }
    post_ids.sort_unstable();
    post_ids.dedup();
    let bad = |w: &str| Error::Invalid(format!("{w} must be an RFC 3339 time with an offset"));
    let parse = |t: Option<&str>, w: &str| -> Result<Option<Timestamp>, Error> {
        t.filter(|t| !t.trim().is_empty())
            .map(|t| Timestamp::parse_rfc3339(t).ok_or_else(|| bad(w)))
            .transpose()
    };
    let (from, to) = match (parse(from, "from")?, parse(to, "to")?, span) {
        (Some(f), Some(t), _) => (f, t),
        // Named posts alone: their span, to the end of the last one's minute
        // (edits and deletions later still show through its versions).
        (None, None, Some((lo, hi))) => (lo, hi.plus_seconds(60)),
        _ => {
            return Err(Error::Invalid(
                "give a window (from and to) or the posts to look into".into(),
            ));
        }
    };
    if to <= from {
        return Err(Error::Invalid("'to' must be after 'from'".into()));
    }
    let mut audit = by.audit("investigation.open", String::new());
    audit.profile_id = Some(p.id);
    audit.details = serde_json::json!({
        "reason": reason,
        "from": from.to_rfc3339(),
        "to": to.to_rfc3339(),
        "posts": post_ids,
    })
    .to_string();
    let id = app
        .store
        .investigations()
        .open_investigation(
            &NewInvestigation {
                investigator: by.user.id,
                reason,
                profile_id: p.id,
                from,
                to,
                post_ids: &post_ids,
            },
            &audit,
            now(),
        )
        .await?;
    Ok(app.store.investigations().investigation(id).await?)
}

/// The actor's own investigations.
pub async fn mine(app: &App, by: &Caller) -> Result<Vec<Investigation>, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(app
        .store
        .investigations()
        .investigations(Some(by.user.id), None)
        .await?)
}

/// Reveals the bylines in an open investigation's scope; every reveal is audited.
pub async fn reveal(
    app: &App,
    by: &Caller,
    id: i64,
) -> Result<(Investigation, Vec<RevealedByline>), Error> {
    let inv = app.store.investigations().investigation(id).await?;
    let own = inv.investigator_id == by.user.id;
    if !own {
        // Someone else's investigation does not exist for this asker.
        return Err(Error::NotFound);
    }
    if authorize(
        Some(&by.actor()),
        Action::RevealInvestigation {
            own,
            open: inv.closed_at.is_none(),
        },
    )
    .is_err()
    {
        return Err(Error::Invalid("this investigation is closed".into()));
    }
    let scope = app.store.investigations().investigation_posts(id).await?;
    let bylines = app
        .store
        .investigations()
        .bylines_in(
            inv.profile_id,
            Timestamp(inv.window_from),
            Timestamp(inv.window_to),
            &scope,
        )
        .await?;
    let mut audit = by.audit("investigation.reveal", format!("investigation:{id}"));
    audit.profile_id = Some(inv.profile_id);
    audit.details = serde_json::json!({
        "posts": bylines.iter().filter_map(|b| b.post_id).collect::<Vec<_>>(),
        "messages": bylines.iter().filter_map(|b| b.message_id).collect::<Vec<_>>(),
    })
    .to_string();
    app.store.audit().append_audit(&audit, now()).await?;
    Ok((inv, bylines))
}

/// Closes an investigation with its outcome (its investigator or an admin).
pub async fn close(app: &App, by: &Caller, id: i64, outcome: &str) -> Result<Investigation, Error> {
    let inv = app.store.investigations().investigation(id).await?;
    let own = inv.investigator_id == by.user.id;
    authorize(Some(&by.actor()), Action::CloseInvestigation { own })
        .map_err(|_| Error::NotFound)?;
    let outcome = outcome.trim();
    if outcome.is_empty() || outcome.chars().count() > 2000 {
        return Err(Error::Invalid("an outcome is 1 to 2000 characters".into()));
    }
    let mut audit = by.audit("investigation.close", format!("investigation:{id}"));
    audit.profile_id = Some(inv.profile_id);
    audit.details = serde_json::json!({ "outcome": outcome }).to_string();
    app.store
        .investigations()
        .close_investigation(id, outcome, &audit, now())
        .await?;
    Ok(app.store.investigations().investigation(id).await?)
}

/// Investigations that touched a shared profile, for its owners and admins.
pub async fn touching(app: &App, by: &Caller, handle: &str) -> Result<Vec<Investigation>, Error> {
    let h = Handle::parse(handle).map_err(|_| Error::NotFound)?;
    let p = app.store.profiles().profile_by_handle(&h).await?;
    let owner = app
        .store
        .shared_profiles()
        .profile_role(p.id, by.user.id)
        .await?
        == Some(ProfileRole::Owner);
    authorize(
        Some(&by.actor()),
        Action::SeeInvestigation {
            own: false,
            profile_owner: owner,
        },
    )?;
    Ok(app
        .store
        .investigations()
        .investigations(None, Some(p.id))
        .await?)
}
