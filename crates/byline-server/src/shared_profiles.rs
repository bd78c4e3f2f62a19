//! Shared profiles: creating them, their members and roles, their
//! attribution policy. Every change is audited in its own transaction.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::{AppState, now};
use byline_core::policy::{Action, authorize};
use byline_core::shared_profile::{AttributionPolicy, ProfileRole};
use byline_core::{DisplayName, Handle, ProfileKind};
use byline_store::profiles::Profile;
use byline_store::shared_profiles::ProfileMember;

fn policy(s: &str) -> Result<AttributionPolicy, AppError> {
    AttributionPolicy::parse(s).ok_or_else(|| {
        AppError::Invalid("attribution_policy is 'signed', 'internal' or 'sealed'".into())
    })
}

fn role(s: &str) -> Result<ProfileRole, AppError> {
    ProfileRole::parse(s).ok_or_else(|| {
        AppError::Invalid("role is 'owner', 'editor', 'responder' or 'observer'".into())
    })
}

/// Creates a shared profile (admins).
pub async fn create(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    name: &str,
    attribution: &str,
) -> Result<Profile, AppError> {
    authorize(Some(&by.actor()), Action::CreateSharedProfile)?;
    let handle = Handle::parse(handle)?;
    let name = DisplayName::parse(name)?;
    let attribution = policy(attribution)?;
    let audit = by.audit("shared_profile.create", String::new());
    state
        .store
        .create_shared_profile(&handle, &name, attribution, &audit, now())
        .await?;
    Ok(state.store.profile_by_handle(&handle).await?)
}

/// A shared profile and the actor's role on it.
pub(crate) async fn shared(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
) -> Result<(Profile, Option<ProfileRole>), AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let handle = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    let p = state.store.profile_by_handle(&handle).await?;
    if p.kind != ProfileKind::Shared {
        return Err(AppError::NotFound);
    }
    let role = state.store.profile_role(p.id, by.user.id).await?;
    Ok((p, role))
}

/// Members of a shared profile (its members and admins may look).
pub async fn members(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
) -> Result<Vec<ProfileMember>, AppError> {
    let (p, role) = shared(state, by, handle).await?;
    if role.is_none() {
        authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    }
    Ok(state.store.profile_members(p.id).await?)
}

/// Gives a user a role on a shared profile, or removes them (`None`).
pub async fn set_member(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    member: &str,
    new_role: Option<&str>,
) -> Result<(), AppError> {
    let (p, my_role) = shared(state, by, handle).await?;
    authorize(
        Some(&by.actor()),
        Action::ManageSharedProfile { role: my_role },
    )?;
    let new_role = new_role.map(role).transpose()?;
    let member_handle = Handle::parse(member)
        .map_err(|_| AppError::Invalid(format!("nobody has the handle {member}")))?;
    let person = state
        .store
        .profile_by_handle(&member_handle)
        .await
        .map_err(|_| {
            AppError::Invalid(format!("nobody has the handle @{}", member_handle.as_str()))
        })?;
    let Some(user_id) = person.user_id else {
        return Err(AppError::Invalid(
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
    Ok(state
        .store
        .set_profile_member(p.id, user_id, new_role, &audit, now())
        .await?)
}

/// Changes the attribution policy; later posts only.
pub async fn set_policy(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    attribution: &str,
) -> Result<Profile, AppError> {
    let (p, my_role) = shared(state, by, handle).await?;
    authorize(
        Some(&by.actor()),
        Action::ManageSharedProfile { role: my_role },
    )?;
    let attribution = policy(attribution)?;
    let mut audit = by.audit("shared_profile.policy_change", format!("profile:{}", p.id));
    audit.profile_id = Some(p.id);
    audit.details = format!("{{\"policy\":\"{}\"}}", attribution.as_str());
    state
        .store
        .set_attribution_policy(p.id, attribution, &audit, now())
        .await?;
    Ok(p)
}

/// Whether the asker may put the who-was-acting question about this
/// profile at all: admins (signed and internal profiles) and investigators
/// (who need an open investigation covering the window for the answer).
pub async fn may_ask_who_acted(
    state: &AppState,
    by: &CurrentUser,
    profile_id: i64,
) -> Result<bool, AppError> {
    let investigating = state.store.is_investigator(by.user.id).await?;
    let policy = state.store.attribution_policy_of(profile_id).await?;
    Ok(authorize(
        Some(&by.actor()),
        Action::AskWhoActed {
            policy,
            investigating,
        },
    )
    .is_ok())
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

/// Who was acting as a shared profile between `from` and `to` (RFC 3339
/// with the asker's offset). Admins may ask about signed and internal
/// profiles; sealed ones need an open investigation. The question itself
/// is audited.
pub async fn who_acted(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    from: &str,
    to: &str,
) -> Result<WhoActed, AppError> {
    let (p, _) = shared(state, by, handle).await?;
    let bad_time = |what: &str| {
        AppError::Invalid(format!(
            "{what} must be an RFC 3339 time with an offset, e.g. 2026-11-18T14:30:00+01:00"
        ))
    };
    let from_t = byline_core::Timestamp::parse_rfc3339(from).ok_or_else(|| bad_time("from"))?;
    let to_t = byline_core::Timestamp::parse_rfc3339(to).ok_or_else(|| bad_time("to"))?;
    if to_t <= from_t {
        return Err(AppError::Invalid("'to' must be after 'from'".into()));
    }
    if to_t.micros() - from_t.micros() > MAX_WINDOW_DAYS * 86_400 * 1_000_000 {
        return Err(AppError::Invalid(format!(
            "a window is at most {MAX_WINDOW_DAYS} days"
        )));
    }
    let policy = state.store.attribution_policy_of(p.id).await?;
    let investigating = crate::investigations::covers(state, by, p.id, from_t, to_t).await?;
    if authorize(
        Some(&by.actor()),
        Action::AskWhoActed {
            policy,
            investigating,
        },
    )
    .is_err()
    {
        return Err(if policy == AttributionPolicy::Sealed {
            AppError::Invalid("answers about a sealed profile need an open investigation".into())
        } else {
            AppError::Forbidden
        });
    }
    let mut audit = by.audit("acting.query", format!("profile:{}", p.id));
    audit.profile_id = Some(p.id);
    audit.details =
        serde_json::json!({ "from": from_t.to_rfc3339(), "to": to_t.to_rfc3339() }).to_string();
    state.store.append_audit(&audit, now()).await?;
    let (sessions, actions) = state.store.who_acted(p.id, from_t, to_t).await?;
    Ok(WhoActed { sessions, actions })
}
