//! Shared profiles: creating them, their members and roles, their
//! attribution policy. Every change is audited in its own transaction.

use crate::Caller;
use crate::Error;
use crate::{App, now};
use byline_core::policy::{Action, authorize};
use byline_core::shared_profile::{AttributionPolicy, ProfileRole};
use byline_core::{DisplayName, Handle, ProfileKind, Timestamp};
use byline_store::profiles::Profile;
use byline_store::shared_profiles::ProfileMember;

fn policy(s: &str) -> Result<AttributionPolicy, Error> {
    AttributionPolicy::parse(s).ok_or_else(|| {
        Error::Invalid("attribution_policy is 'signed', 'internal' or 'sealed'".into())
    })
}

fn role(s: &str) -> Result<ProfileRole, Error> {
    ProfileRole::parse(s).ok_or_else(|| {
        Error::Invalid("role is 'owner', 'editor', 'responder' or 'observer'".into())
    })
}

/// Creates a shared profile (admins).
pub async fn create(
    app: &App,
    by: &Caller,
    handle: &str,
    name: &str,
    attribution: &str,
) -> Result<Profile, Error> {
    authorize(Some(&by.actor()), Action::CreateSharedProfile)?;
    let handle = Handle::parse(handle)?;
    let name = DisplayName::parse(name)?;
    let attribution = policy(attribution)?;
    let audit = by.audit("shared_profile.create", String::new());
    app.store
        .shared_profiles()
        .create_shared_profile(&handle, &name, attribution, &audit, now())
        .await?;
    Ok(app.store.profiles().profile_by_handle(&handle).await?)
}

/// A shared profile and the actor's role on it.
pub async fn shared(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Option<ProfileRole>), Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
    let p = app.store.profiles().profile_by_handle(&handle).await?;
    if p.kind != ProfileKind::Shared {
        return Err(Error::NotFound);
    }
    let role = app
        .store
        .shared_profiles()
        .profile_role(p.id, by.user.id)
        .await?;
    Ok((p, role))
}

/// Members of a shared profile (its members and admins may look).
pub async fn members(app: &App, by: &Caller, handle: &str) -> Result<Vec<ProfileMember>, Error> {
    let (p, role) = shared(app, by, handle).await?;
    if role.is_none() {
        authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    }
    Ok(app.store.shared_profiles().profile_members(p.id).await?)
}

/// Gives a user a role on a shared profile, or removes them (`None`).
pub async fn set_member(
    app: &App,
    by: &Caller,
    handle: &str,
    member: &str,
    new_role: Option<&str>,
) -> Result<(), Error> {
    let (p, my_role) = shared(app, by, handle).await?;
    authorize(
        Some(&by.actor()),
        Action::ManageSharedProfile { role: my_role },
    )?;
    let new_role = new_role.map(role).transpose()?;
    let member_handle = Handle::parse(member)
        .map_err(|_| Error::Invalid(format!("nobody has the handle {member}")))?;
    let person = app
        .store
        .profiles()
        .profile_by_handle(&member_handle)
        .await
        .map_err(|_| {
            Error::Invalid(format!("nobody has the handle @{}", member_handle.as_str()))
        })?;
    let Some(user_id) = person.user_id else {
        return Err(Error::Invalid(
            "only people can be members of a shared profile".into(),
        ));
    };
    let mut audit = by.audit(
        if new_role.is_some() {
            "shared_profile.member_set"
        } else {
            "shared_profile.member_remove"
        },
        format!("user:{user_id}"),
    );
    audit.profile_id = Some(p.id);
    audit.details = match new_role {
        Some(r) => format!("{{\"role\":\"{}\"}}", r.as_str()),
        None => "{}".to_owned(),
    };
    Ok(app
        .store
        .shared_profiles()
        .set_profile_member(p.id, user_id, new_role, &audit, now())
        .await?)
}

/// Changes the attribution policy; later posts only.
pub async fn set_policy(
    app: &App,
    by: &Caller,
    handle: &str,
    attribution: &str,
) -> Result<Profile, Error> {
    let (p, my_role) = shared(app, by, handle).await?;
    authorize(
        Some(&by.actor()),
        Action::ManageSharedProfile { role: my_role },
    )?;
    let attribution = policy(attribution)?;
    let mut audit = by.audit("shared_profile.policy_change", format!("profile:{}", p.id));
    audit.profile_id = Some(p.id);
    audit.details = format!("{{\"policy\":\"{}\"}}", attribution.as_str());
    app.store
        .shared_profiles()
        .set_attribution_policy(p.id, attribution, &audit, now())
        .await?;
    Ok(p)
}

/// Whether the asker may put the who-was-acting question about this
/// profile at all: admins, for any stretch the profile was signed or
/// internal, and investigators with an open investigation of it (the answer
/// then covers only what the investigation covers).
pub async fn may_ask_who_acted(app: &App, by: &Caller, profile_id: i64) -> Result<bool, Error> {
    let investigating = app
        .store
        .investigations()
        .investigating_profile(by.user.id, profile_id)
        .await?;
    let history = app
        .store
        .shared_profiles()
        .policy_history(profile_id)
        .await?;
    Ok(history
        .ever()
        .into_iter()
        .any(|policy| may_ask(by, policy, investigating)))
}

/// The policy's answer for one act or session said under `policy`.
fn may_ask(by: &Caller, policy: AttributionPolicy, investigating: bool) -> bool {
    authorize(
        Some(&by.actor()),
        Action::AskWhoActed {
            policy,
            investigating,
        },
    )
    .is_ok()
}

/// Longest window one question may cover.
pub const MAX_WINDOW_DAYS: i64 = 31;

/// The answer to "who was acting as this profile?".
pub struct WhoActed {
    /// Acting sessions overlapping the window.
    pub sessions: Vec<byline_store::shared_profiles::ActingRecord>,
    /// What was said as the profile inside it.
    pub actions: Vec<byline_store::shared_profiles::AttributedAction>,
}

/// Audits a who-was-acting question refused before any window was read
/// (the asker may not ask about this profile at all).
pub async fn refuse_question(app: &App, by: &Caller, profile_id: i64) -> Result<(), Error> {
    let mut audit = by.audit("acting.query_refused", format!("profile:{profile_id}"));
    audit.profile_id = Some(profile_id);
    app.store.audit().append_audit(&audit, now()).await?;
    Ok(())
}

/// Parses a who-was-acting window as typed (RFC 3339 with an offset).
pub fn parse_window(from: &str, to: &str) -> Result<(Timestamp, Timestamp), Error> {
    let bad_time = |what: &str| {
        Error::Invalid(format!(
            "{what} must be an RFC 3339 time with an offset, e.g. 2026-11-18T14:30:00+01:00"
        ))
    };
    let from_t = Timestamp::parse_rfc3339(from).ok_or_else(|| bad_time("from"))?;
    let to_t = Timestamp::parse_rfc3339(to).ok_or_else(|| bad_time("to"))?;
    Ok((from_t, to_t))
}

/// Who was acting as a shared profile in `[from, to)`. Each session and
/// each act is judged by the attribution policy in force when it happened,
/// never by the policy now: admins see what was said while the profile was
/// signed or internal; what was said while it was sealed needs the asker's
/// open investigation covering it, and a post-scoped investigation covers
/// only its posts (and the sessions they were said in). The question is
/// audited, answered (`acting.query`) or refused (`acting.query_refused`).
pub async fn who_acted(
    app: &App,
    by: &Caller,
    handle: &str,
    from_t: Timestamp,
    to_t: Timestamp,
) -> Result<WhoActed, Error> {
    let (p, _) = shared(app, by, handle).await?;
    if to_t <= from_t {
        return Err(Error::Invalid("'to' must be after 'from'".into()));
    }
    if to_t.micros() - from_t.micros() > MAX_WINDOW_DAYS * 86_400 * 1_000_000 {
        return Err(Error::Invalid(format!(
            "a window is at most {MAX_WINDOW_DAYS} days"
        )));
    }
    let history = app.store.shared_profiles().policy_history(p.id).await?;
    let scope = app
        .store
        .investigations()
        .investigation_scope(by.user.id, p.id, from_t, to_t)
        .await?;
    let whole_window = scope.as_ref().is_some_and(Vec::is_empty);
    let scoped_posts: &[i64] = scope.as_deref().unwrap_or(&[]);
    let may_ask = |policy, investigating| may_ask(by, policy, investigating);
    let during = history.during(from_t, to_t);
    let askable = during
        .iter()
        .any(|&policy| may_ask(policy, scope.is_some()));
    let mut audit = by.audit(
        if askable {
            "acting.query"
        } else {
            "acting.query_refused"
        },
        format!("profile:{}", p.id),
    );
    audit.profile_id = Some(p.id);
    audit.details =
        serde_json::json!({ "from": from_t.to_rfc3339(), "to": to_t.to_rfc3339() }).to_string();
    app.store.audit().append_audit(&audit, now()).await?;
    if !askable {
        return Err(
            if during
                .iter()
                .all(|&policy| policy == AttributionPolicy::Sealed)
            {
                Error::Invalid("answers about a sealed profile need an open investigation".into())
            } else {
                Error::Forbidden
            },
        );
    }
    let (sessions, actions) = app
        .store
        .shared_profiles()
        .who_acted(p.id, from_t, to_t)
        .await?;
    let actions: Vec<_> = actions
        .into_iter()
        .filter(|a| {
            let policy = a.policy().unwrap_or_else(|| history.at(Timestamp(a.at)));
            let covered = whole_window || a.post_id().is_some_and(|id| scoped_posts.contains(&id));
            may_ask(policy, covered)
        })
        .collect();
    // A session is named when every policy it ran under lets the asker see
    // it, or, for an investigator, when an act their investigation covers
    // was said in it.
    let sessions = sessions
        .into_iter()
        .filter(|s| {
            let start = Timestamp(s.started_at.max(from_t.micros()));
            let end = Timestamp(s.ended_at.unwrap_or(i64::MAX).min(to_t.micros()));
            let end = if end > start {
                end
            } else {
                Timestamp(start.micros() + 1)
            };
            history
                .during(start, end)
                .into_iter()
                .all(|policy| may_ask(policy, whole_window))
                || (scope.is_some() && actions.iter().any(|a| a.acting_session_id == Some(s.id)))
        })
        .collect();
    Ok(WhoActed { sessions, actions })
}
