//! Investigations: the only way to reveal sealed attribution. Opening one
//! needs the investigator right and a reason; every reveal is audited; the
//! profile's owners can see that it happened.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::{AppState, now};
use byline_core::policy::{Action, authorize};
use byline_core::shared_profile::ProfileRole;
use byline_core::{Handle, ProfileKind, Timestamp};
use byline_store::investigations::{Investigation, NewInvestigation, RevealedByline};

/// Shortest accepted reason, in characters.
pub const MIN_REASON: usize = 10;

async fn user_id_of(state: &AppState, handle: &str) -> Result<i64, AppError> {
    let h = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    state
        .store
        .profile_by_handle(&h)
        .await?
        .user_id
        .ok_or(AppError::NotFound)
}

/// Grants (`on`) or withdraws the investigator right (admins).
pub async fn set_investigator(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    on: bool,
) -> Result<(), AppError> {
    authorize(Some(&by.actor()), Action::ManageInvestigators)?;
    let user_id = user_id_of(state, handle).await?;
    let audit = by.audit(
        if on {
            "investigator.grant"
        } else {
            "investigator.withdraw"
        },
        format!("user:{user_id}"),
    );
    Ok(state
        .store
        .set_investigator(user_id, on, &audit, now())
        .await?)
}

/// Opens an investigation into a shared profile over a window.
pub async fn open(
    state: &AppState,
    by: &CurrentUser,
    profile: &str,
    reason: &str,
    from: &str,
    to: &str,
) -> Result<Investigation, AppError> {
    let investigator = state.store.is_investigator(by.user.id).await?;
    authorize(
        Some(&by.actor()),
        Action::OpenInvestigation { investigator },
    )?;
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON || reason.chars().count() > 2000 {
        return Err(AppError::Invalid(format!(
            "an investigation needs a reason of {MIN_REASON} to 2000 characters"
        )));
    }
    let h = Handle::parse(profile)
        .map_err(|_| AppError::Invalid("no shared profile has that handle".into()))?;
    let p = state
        .store
        .profile_by_handle(&h)
        .await
        .map_err(|_| AppError::Invalid("no shared profile has that handle".into()))?;
    if p.kind != ProfileKind::Shared {
        return Err(AppError::Invalid(
            "investigations look into shared profiles".into(),
        ));
    }
    let bad = |w: &str| AppError::Invalid(format!("{w} must be an RFC 3339 time with an offset"));
    let from = Timestamp::parse_rfc3339(from).ok_or_else(|| bad("from"))?;
    let to = Timestamp::parse_rfc3339(to).ok_or_else(|| bad("to"))?;
    if to <= from {
        return Err(AppError::Invalid("'to' must be after 'from'".into()));
    }
    let mut audit = by.audit("investigation.open", String::new());
    audit.profile_id = Some(p.id);
    audit.details =
        serde_json::json!({ "reason": reason, "from": from.to_rfc3339(), "to": to.to_rfc3339() })
            .to_string();
    let id = state
        .store
        .open_investigation(
            &NewInvestigation {
                investigator: by.user.id,
                reason,
                profile_id: p.id,
                from,
                to,
            },
            &audit,
            now(),
        )
        .await?;
    Ok(state.store.investigation(id).await?)
}

/// The actor's own investigations.
pub async fn mine(state: &AppState, by: &CurrentUser) -> Result<Vec<Investigation>, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(state.store.investigations(Some(by.user.id), None).await?)
}

/// Reveals the bylines in an open investigation's scope; every reveal is audited.
pub async fn reveal(
    state: &AppState,
    by: &CurrentUser,
    id: i64,
) -> Result<(Investigation, Vec<RevealedByline>), AppError> {
    let inv = state.store.investigation(id).await?;
    let own = inv.investigator_id == by.user.id;
    if !own {
        // Someone else's investigation does not exist for this asker.
        return Err(AppError::NotFound);
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
        return Err(AppError::Invalid("this investigation is closed".into()));
    }
    let bylines = state
        .store
        .bylines_in(
            inv.profile_id,
            Timestamp(inv.window_from),
            Timestamp(inv.window_to),
        )
        .await?;
    let mut audit = by.audit("investigation.reveal", format!("investigation:{id}"));
    audit.profile_id = Some(inv.profile_id);
    audit.details =
        serde_json::json!({ "posts": bylines.iter().map(|b| b.post_id).collect::<Vec<_>>() })
            .to_string();
    state.store.append_audit(&audit, now()).await?;
    Ok((inv, bylines))
}

/// Closes an investigation with its outcome (its investigator or an admin).
pub async fn close(
    state: &AppState,
    by: &CurrentUser,
    id: i64,
    outcome: &str,
) -> Result<Investigation, AppError> {
    let inv = state.store.investigation(id).await?;
    let own = inv.investigator_id == by.user.id;
    authorize(Some(&by.actor()), Action::CloseInvestigation { own })
        .map_err(|_| AppError::NotFound)?;
    let outcome = outcome.trim();
    if outcome.is_empty() || outcome.chars().count() > 2000 {
        return Err(AppError::Invalid(
            "an outcome is 1 to 2000 characters".into(),
        ));
    }
    let mut audit = by.audit("investigation.close", format!("investigation:{id}"));
    audit.profile_id = Some(inv.profile_id);
    audit.details = serde_json::json!({ "outcome": outcome }).to_string();
    state
        .store
        .close_investigation(id, outcome, &audit, now())
        .await?;
    Ok(state.store.investigation(id).await?)
}

/// Investigations that touched a shared profile, for its owners and admins.
pub async fn touching(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
) -> Result<Vec<Investigation>, AppError> {
    let h = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    let p = state.store.profile_by_handle(&h).await?;
    let owner = state.store.profile_role(p.id, by.user.id).await? == Some(ProfileRole::Owner);
    authorize(
        Some(&by.actor()),
        Action::SeeInvestigation {
            own: false,
            profile_owner: owner,
        },
    )?;
    Ok(state.store.investigations(None, Some(p.id)).await?)
}

/// Whether the actor's open investigation covers this profile and window.
pub async fn covers(
    state: &AppState,
    by: &CurrentUser,
    profile_id: i64,
    from: Timestamp,
    to: Timestamp,
) -> Result<bool, AppError> {
    Ok(state
        .store
        .investigation_covers(by.user.id, profile_id, from, to)
        .await?)
}
