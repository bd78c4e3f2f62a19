//! The credential vault: a shared profile's external accounts, sealed, and
//! used by the people the profile names as custodians without anyone else
//! seeing a value. Every reveal, copy, TOTP code, change, custodian change
//! and refused attempt is audited; owners hear of reveals; a person who
//! leaves leaves behind a list of what to rotate.

mod keys;

pub use keys::{KeySource, RotationReport, VerifyReport, prepare, rotate_master_key, verify};

use crate::shared_profiles::shared;
use crate::{App, Caller, Error, now};
use byline_core::ProfileKind;
use byline_core::policy::{Action, authorize};
use byline_core::shared_profile::ProfileRole;
use byline_core::vault::{self, Envelope, SecretFields, SecretKind, TotpSeed, Zeroizing};
use byline_store::audit::AuditEntry;
use byline_store::profiles::Profile;
use byline_store::shared_profiles::ProfileMember;
use byline_store::vault::{Access, Custodian, NewSecret, RevealRequest, Rotation, SecretRow};

/// How long a two-person reveal request may wait for approval and then be
/// used.
pub const REQUEST_MINUTES: i64 = 15;

/// A secret as a member sees it: never its value.
#[derive(Debug, Clone)]
pub struct Secret {
    /// As stored.
    pub row: SecretRow,
    /// Its custodians.
    pub custodians: Vec<Custodian>,
    /// Whether the viewer is one.
    pub mine: bool,
}

/// A profile's vault as a member sees it.
pub struct VaultView {
    /// The shared profile.
    pub profile: Profile,
    /// The viewer's role on it.
    pub role: ProfileRole,
    /// Its secrets, by name.
    pub secrets: Vec<Secret>,
    /// Open rotation tasks (owners see them).
    pub rotations: Vec<Rotation>,
    /// Members who may be named custodians.
    pub candidates: Vec<ProfileMember>,
    /// Whether the viewer may add secrets.
    pub can_add: bool,
    /// Whether the viewer may choose custodians and remove secrets.
    pub can_manage: bool,
}

/// A secret to put in the vault, as typed.
#[derive(Debug)]
pub struct SecretInput {
    /// Its name.
    pub name: String,
    /// Its kind's name.
    pub kind: String,
    /// Its fields.
    pub fields: SecretFields,
    /// Custodians' handles.
    pub custodians: Vec<String>,
    /// Whether a reveal needs a second custodian.
    pub two_person: bool,
}

/// A change to a secret, as typed: what is `None` stays.
#[derive(Debug, Default)]
pub struct SecretChange {
    /// A new name.
    pub name: Option<String>,
    /// The two-person rule (owners only).
    pub two_person: Option<bool>,
    /// New fields: a rotation of the value (custodians only).
    pub fields: Option<SecretFields>,
}

/// A revealed secret: what a custodian sees, once.
pub struct Revealed {
    /// The secret.
    pub row: SecretRow,
    /// Its custodians.
    pub custodians: Vec<Custodian>,
    /// Its fields, the TOTP seed left out.
    pub fields: SecretFields,
}

/// A TOTP code and how long it stays good.
pub struct TotpCode {
    /// Six digits.
    pub code: String,
    /// Seconds until the next code.
    pub seconds_left: u32,
}

async fn member(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Option<ProfileRole>), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    // The vault's existence is the members' business only.
    authorize(Some(&by.actor()), Action::SeeVault { role }).map_err(|_| Error::NotFound)?;
    Ok((profile, role))
}

fn audit_for(by: &Caller, profile: &Profile, action: &'static str, secret: i64) -> AuditEntry {
    let mut audit = by.audit(action, format!("secret:{secret}"));
    audit.profile_id = Some(profile.id);
    audit
}

async fn custodians_of(app: &App, secret_id: i64) -> Result<Vec<Custodian>, Error> {
    Ok(app.store.vault().custodians_of(secret_id).await?)
}

/// Asks the policy; a member's refused attempt is audited before the
/// refusal is returned.
async fn guard(
    app: &App,
    by: &Caller,
    profile: &Profile,
    secret: Option<i64>,
    attempt: &'static str,
    action: Action,
) -> Result<(), Error> {
    if let Err(denial) = authorize(Some(&by.actor()), action) {
        let mut audit = by.audit(
            "vault.refused",
            secret.map_or_else(
                || format!("profile:{}", profile.id),
                |s| format!("secret:{s}"),
            ),
        );
        audit.profile_id = Some(profile.id);
        audit.details = serde_json::json!({ "attempt": attempt }).to_string();
        app.store.vault().audit_only(&audit, now()).await?;
        return Err(denial.into());
    }
    Ok(())
}

/// A refusal the store decided inside its write (a request not approved,
/// a custodian removed meanwhile) is audited like any other.
async fn audited<T>(
    app: &App,
    by: &Caller,
    profile: &Profile,
    secret: i64,
    attempt: &'static str,
    outcome: Result<T, byline_store::StoreError>,
) -> Result<T, Error> {
    match outcome {
        Err(byline_store::StoreError::Refused(why)) => {
            let mut audit = audit_for(by, profile, "vault.refused", secret);
            audit.details = serde_json::json!({ "attempt": attempt, "why": why }).to_string();
            app.store.vault().audit_only(&audit, now()).await?;
            Err(Error::Invalid(why))
        }
        other => other.map_err(Error::from),
    }
}

/// A unique-name clash said in the vault's words.
fn name_taken(e: byline_store::StoreError) -> Error {
    match e {
        byline_store::StoreError::Conflict { .. } => Error::Conflict("secret name"),
        other => other.into(),
    }
}

/// Whether `by`, with `role` on the profile, is a working custodian of a
/// secret with these custodians (an observer named once is not).
fn is_custodian(by: &Caller, role: Option<ProfileRole>, custodians: &[Custodian]) -> bool {
    let named = custodians.iter().any(|c| c.user_id == by.user.id);
    authorize(
        Some(&by.actor()),
        Action::UseSecret {
            role,
            custodian: named,
        },
    )
    .is_ok()
}

/// Checks that `by` may use the secret's value; a refusal is audited.
async fn custodian(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    attempt: &'static str,
) -> Result<Held, Error> {
    let (profile, role) = member(app, by, handle).await?;
    let (row, envelope) = app.store.vault().sealed_secret(profile.id, id).await?;
    let custodians = custodians_of(app, id).await?;
    let named = custodians.iter().any(|c| c.user_id == by.user.id);
    guard(
        app,
        by,
        &profile,
        Some(id),
        attempt,
        Action::UseSecret {
            role,
            custodian: named,
        },
    )
    .await
    .map_err(|_| {
        Error::ForbiddenBecause("only this secret's custodians may use its value".into())
    })?;
    Ok(Held {
        profile,
        row,
        custodians,
        envelope,
    })
}

fn custodian_ids(members: &[ProfileMember], handles: &[String]) -> Result<Vec<i64>, Error> {
    let mut ids = Vec::new();
    for handle in handles {
        let handle = handle.trim().trim_start_matches('@').to_ascii_lowercase();
        let Some(m) = members.iter().find(|m| m.handle == handle) else {
            return Err(Error::Invalid(format!(
                "@{handle} is not a member of this profile, so cannot be a custodian"
            )));
        };
        let role = ProfileRole::parse(&m.role);
        if !role.is_some_and(byline_core::policy::may_hold_secrets) {
            return Err(Error::Invalid(format!(
                "@{handle} is an observer; custodians are members who act for the profile"
            )));
        }
        if ids.contains(&m.user_id) {
            return Err(Error::Invalid(format!(
                "@{handle} is named twice as a custodian"
            )));
        }
        ids.push(m.user_id);
    }
    if ids.is_empty() {
        return Err(Error::Invalid(
            "a secret needs at least one custodian".into(),
        ));
    }
    Ok(ids)
}

/// A shared profile's vault: names and custodians, never values.
pub async fn load(app: &App, by: &Caller, handle: &str) -> Result<VaultView, Error> {
    let (profile, role) = member(app, by, handle).await?;
    let role = role.ok_or(Error::NotFound)?;
    let rows = app.store.vault().secrets(profile.id).await?;
    let custodians = app.store.vault().custodians(profile.id).await?;
    let secrets = rows
        .into_iter()
        .map(|row| {
            let cs: Vec<Custodian> = custodians
                .iter()
                .filter(|c| c.secret_id == row.id)
                .cloned()
                .collect();
            Secret {
                mine: is_custodian(by, Some(role), &cs),
                custodians: cs,
                row,
            }
        })
        .collect();
    let can_manage =
        authorize(Some(&by.actor()), Action::ManageSecret { role: Some(role) }).is_ok();
    Ok(VaultView {
        rotations: if can_manage {
            app.store.vault().rotations(profile.id).await?
        } else {
            Vec::new()
        },
        candidates: app
            .store
            .shared_profiles()
            .profile_members(profile.id)
            .await?
            .into_iter()
            .filter(|m| {
                ProfileRole::parse(&m.role).is_some_and(byline_core::policy::may_hold_secrets)
            })
            .collect(),
        can_add: authorize(Some(&by.actor()), Action::AddSecret { role: Some(role) }).is_ok(),
        can_manage,
        profile,
        role,
        secrets,
    })
}

/// One secret as a member sees it.
pub async fn secret(app: &App, by: &Caller, handle: &str, id: i64) -> Result<Secret, Error> {
    let (profile, role) = member(app, by, handle).await?;
    let row = app.store.vault().secret(profile.id, id).await?;
    let custodians = custodians_of(app, id).await?;
    Ok(Secret {
        mine: is_custodian(by, role, &custodians),
        custodians,
        row,
    })
}

/// Puts a secret in a shared profile's vault, sealed.
pub async fn add(
    app: &App,
    by: &Caller,
    handle: &str,
    input: SecretInput,
) -> Result<Secret, Error> {
    let (profile, role) = member(app, by, handle).await?;
    guard(app, by, &profile, None, "add", Action::AddSecret { role }).await?;
    if profile.kind != ProfileKind::Shared {
        return Err(Error::NotFound);
    }
    let name = vault::validate_name(&input.name)?;
    let kind = SecretKind::parse(&input.kind)?;
    input.fields.validate(kind)?;
    let members = app
        .store
        .shared_profiles()
        .profile_members(profile.id)
        .await?;
    let custodians = custodian_ids(&members, &input.custodians)?;
    if input.two_person && custodians.len() < 2 {
        return Err(Error::Invalid(
            "a two-person secret needs at least two custodians".into(),
        ));
    }
    let master = app.settings.vault_key.current_or_create(&app.store).await?;
    let uid = vault::new_uid();
    let envelope = Envelope::seal(&master, &uid, &input.fields.to_plaintext()?)?;
    let mut audit = by.audit("vault.secret_add", String::new());
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({
        "name": name,
        "kind": kind.as_str(),
        "custodians": input.custodians,
        "two_person": input.two_person,
    })
    .to_string();
    let id = app
        .store
        .vault()
        .create_secret(
            &NewSecret {
                uid: &uid,
                profile_id: profile.id,
                channel_id: None,
                name: &name,
                kind: kind.as_str(),
                has_totp: input.fields.totp_seed.is_some(),
                two_person: input.two_person,
                envelope: &envelope,
                custodians: &custodians,
                created_by: by.user.id,
            },
            &audit,
            now(),
        )
        .await
        .map_err(name_taken)?;
    // The first entry starts the daily reminders (keyed by day: a no-op
    // when they already run).
    schedule_reminders(app, now().plus_seconds(86_400)).await?;
    secret(app, by, handle, id).await
}

/// A secret as its custodian holds it for one use: read once, with its
/// custodians and sealed bytes.
struct Held {
    profile: Profile,
    row: SecretRow,
    custodians: Vec<Custodian>,
    envelope: Envelope,
}

async fn open(app: &App, row: &SecretRow) -> Result<SecretFields, Error> {
    let envelope = app.store.vault().envelope(row.id).await?;
    open_envelope(app, row, &envelope)
}

fn open_envelope(app: &App, row: &SecretRow, envelope: &Envelope) -> Result<SecretFields, Error> {
    let master = app.settings.vault_key.for_id(&envelope.key_id)?;
    let plaintext = envelope.open(&master, &row.uid).map_err(|e| {
        // Never the bytes; which entry failed, for the operator.
        tracing::error!(secret = row.id, error = %e, "vault entry did not open");
        Error::from(e)
    })?;
    Ok(SecretFields::from_plaintext(&plaintext)?)
}

/// Checks the two-person rule before a value is shown: without an approved
/// request the attempt is audited and refused.
async fn two_person_gate(
    app: &App,
    by: &Caller,
    profile: &Profile,
    row: &SecretRow,
    request: Option<i64>,
    attempt: &'static str,
) -> Result<(), Error> {
    if row.two_person && request.is_none() {
        let mut audit = audit_for(by, profile, "vault.refused", row.id);
        audit.details = serde_json::json!({ "attempt": attempt, "why": "two_person" }).to_string();
        app.store.vault().audit_only(&audit, now()).await?;
        return Err(Error::ForbiddenBecause(
            "this secret needs a second custodian's approval: request a reveal, and use it once another custodian approves"
                .into(),
        ));
    }
    Ok(())
}

/// Shows a custodian every field of a secret but its TOTP seed; audited,
/// and the profile's other owners are told.
pub async fn reveal(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    request: Option<i64>,
) -> Result<Revealed, Error> {
    let Held {
        profile,
        row,
        custodians,
        envelope,
    } = custodian(app, by, handle, id, "reveal").await?;
    two_person_gate(app, by, &profile, &row, request, "reveal").await?;
    let mut fields = open_envelope(app, &row, &envelope)?;
    fields.forget_seed();
    let mut audit = audit_for(by, &profile, "vault.reveal", id);
    audit.details = serde_json::json!({ "request": request }).to_string();
    let outcome = app
        .store
        .vault()
        .record_access(id, by.user.id, Access::Reveal, request, &audit, now())
        .await;
    audited(app, by, &profile, id, "reveal", outcome).await?;
    // The custodians as read before the write that re-checked the caller.
    Ok(Revealed {
        custodians,
        row,
        fields,
    })
}

/// One field of a secret, for the clipboard; audited like a reveal.
pub async fn copy(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    field: &str,
    request: Option<i64>,
) -> Result<Zeroizing<String>, Error> {
    let Held {
        profile,
        row,
        envelope,
        ..
    } = custodian(app, by, handle, id, "copy").await?;
    if !vault::COPYABLE.contains(&field) {
        return Err(Error::Invalid(format!(
            "unknown field '{field}': copy one of {}",
            vault::COPYABLE.join(", ")
        )));
    }
    two_person_gate(app, by, &profile, &row, request, "copy").await?;
    let fields = open_envelope(app, &row, &envelope)?;
    let value = Zeroizing::new(
        fields
            .field(field)
            .ok_or_else(|| Error::Invalid(format!("this secret has no {field}")))?
            .to_owned(),
    );
    let mut audit = audit_for(by, &profile, "vault.copy", id);
    audit.details = serde_json::json!({ "field": field, "request": request }).to_string();
    let outcome = app
        .store
        .vault()
        .record_access(id, by.user.id, Access::Copy, request, &audit, now())
        .await;
    audited(app, by, &profile, id, "copy", outcome).await?;
    Ok(value)
}

/// The current TOTP code of a secret's seed; the seed is never shown.
pub async fn totp(app: &App, by: &Caller, handle: &str, id: i64) -> Result<TotpCode, Error> {
    let Held {
        profile,
        row,
        envelope,
        ..
    } = custodian(app, by, handle, id, "totp").await?;
    if !row.has_totp {
        return Err(Error::Invalid("this secret has no TOTP seed".into()));
    }
    let fields = open_envelope(app, &row, &envelope)?;
    let seed = TotpSeed::parse(fields.totp_seed.as_deref().unwrap_or_default())?;
    let at = now();
    let (code, seconds_left) = seed.code(at.micros().div_euclid(1_000_000));
    let audit = audit_for(by, &profile, "vault.totp", id);
    let outcome = app
        .store
        .vault()
        .record_access(id, by.user.id, Access::TotpCode, None, &audit, at)
        .await;
    audited(app, by, &profile, id, "totp", outcome).await?;
    Ok(TotpCode { code, seconds_left })
}

/// Renames a secret, changes its two-person rule (owners), or sets a new
/// value (custodians: a rotation, which closes its rotation tasks).
pub async fn change(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    change: SecretChange,
) -> Result<Secret, Error> {
    let (profile, role) = member(app, by, handle).await?;
    let current = secret(app, by, handle, id).await?;
    let renames = change
        .name
        .as_ref()
        .is_some_and(|n| n.trim() != current.row.name);
    let flips = change
        .two_person
        .is_some_and(|t| t != current.row.two_person);
    if !current.mine {
        guard(
            app,
            by,
            &profile,
            Some(id),
            "change",
            Action::ManageSecret { role },
        )
        .await?;
    }
    if !renames && !flips && change.fields.is_none() {
        return Err(Error::Invalid(
            "nothing to change: give a new name, two_person or fields".into(),
        ));
    }
    // A value is the custodians' to set; the rule is the owners'; a name
    // is either's.
    if change.fields.is_some() {
        custodian(app, by, handle, id, "rotate").await?;
    }
    if flips {
        guard(
            app,
            by,
            &profile,
            Some(id),
            "two_person",
            Action::ManageSecret { role },
        )
        .await?;
    }
    if renames && !current.mine {
        guard(
            app,
            by,
            &profile,
            Some(id),
            "rename",
            Action::ManageSecret { role },
        )
        .await?;
    }
    let name = match &change.name {
        Some(n) => vault::validate_name(n)?,
        None => current.row.name.clone(),
    };
    let two_person = change.two_person.unwrap_or(current.row.two_person);
    if flips && two_person && current.custodians.len() < 2 {
        return Err(Error::Invalid(
            "a two-person secret needs at least two custodians".into(),
        ));
    }
    let sealed = match &change.fields {
        Some(fields) => {
            let kind = SecretKind::parse(&current.row.kind)?;
            fields.validate(kind)?;
            let master = app.settings.vault_key.current_or_create(&app.store).await?;
            Some((
                Envelope::seal(&master, &current.row.uid, &fields.to_plaintext()?)?,
                fields.totp_seed.is_some(),
            ))
        }
        None => None,
    };
    let action = if sealed.is_some() {
        "vault.rotate"
    } else {
        "vault.secret_change"
    };
    let mut audit = audit_for(by, &profile, action, id);
    audit.details = serde_json::json!({ "name": name, "two_person": two_person }).to_string();
    app.store
        .vault()
        .update_secret(
            id,
            &name,
            two_person,
            sealed.as_ref().map(|(e, t)| (e, *t)),
            by.user.id,
            &audit,
            now(),
        )
        .await
        .map_err(name_taken)?;
    secret(app, by, handle, id).await
}

/// Replaces a secret's custodians (owners, who need not be custodians).
pub async fn set_custodians(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    handles: &[String],
) -> Result<Secret, Error> {
    let (profile, role) = member(app, by, handle).await?;
    let row = app.store.vault().secret(profile.id, id).await?;
    guard(
        app,
        by,
        &profile,
        Some(id),
        "custodians",
        Action::ManageSecret { role },
    )
    .await?;
    let members = app
        .store
        .shared_profiles()
        .profile_members(profile.id)
        .await?;
    let ids = custodian_ids(&members, handles)?;
    if row.two_person && ids.len() < 2 {
        return Err(Error::Invalid(
            "a two-person secret needs at least two custodians".into(),
        ));
    }
    let mut audit = audit_for(by, &profile, "vault.custodians", id);
    audit.details = serde_json::json!({ "custodians": handles }).to_string();
    app.store
        .vault()
        .set_custodians(profile.id, id, &ids, by.user.id, &audit, now())
        .await?;
    secret(app, by, handle, id).await
}

/// Takes a secret out of the vault (owners).
pub async fn remove(app: &App, by: &Caller, handle: &str, id: i64) -> Result<(), Error> {
    let (profile, role) = member(app, by, handle).await?;
    app.store.vault().secret(profile.id, id).await?;
    guard(
        app,
        by,
        &profile,
        Some(id),
        "remove",
        Action::ManageSecret { role },
    )
    .await?;
    let audit = audit_for(by, &profile, "vault.secret_remove", id);
    Ok(app.store.vault().remove_secret(id, &audit, now()).await?)
}

/// Asks for a two-person reveal; another custodian approves it.
pub async fn request_reveal(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    reason: &str,
) -> Result<i64, Error> {
    let Held { profile, row, .. } = custodian(app, by, handle, id, "request").await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::Invalid(
            "say why you need the secret (1 to 500 characters)".into(),
        ));
    }
    if !row.two_person {
        return Err(Error::Invalid(
            "this secret needs no approval: reveal it directly".into(),
        ));
    }
    let at = now();
    let audit = audit_for(by, &profile, "vault.request", id);
    Ok(app
        .store
        .vault()
        .request_reveal(
            id,
            by.user.id,
            reason,
            at.plus_seconds(REQUEST_MINUTES * 60),
            &audit,
            at,
        )
        .await?)
}

/// Approves another custodian's two-person reveal request.
pub async fn approve(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    request: i64,
) -> Result<(), Error> {
    let Held { profile, .. } = custodian(app, by, handle, id, "approve").await?;
    let mut audit = audit_for(by, &profile, "vault.approve", id);
    audit.details = serde_json::json!({ "request": request }).to_string();
    let outcome = app
        .store
        .vault()
        .approve_reveal(id, request, by.user.id, &audit, now())
        .await;
    audited(app, by, &profile, id, "approve", outcome).await
}

/// A secret's recent reveal requests (custodians).
pub async fn requests(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
) -> Result<Vec<RevealRequest>, Error> {
    custodian(app, by, handle, id, "requests").await?;
    Ok(app.store.vault().requests(id).await?)
}

/// Makes rotation tasks for every secret whose value is older than
/// `max_age_days` (the job runner's daily reminder); evaluates to how many.
pub async fn remind_old_secrets(app: &App, max_age_days: i64) -> Result<u64, Error> {
    let at = now();
    let older_than = at.plus_seconds(-max_age_days.max(1) * 86_400);
    Ok(app.store.vault().remind_old_secrets(older_than, at).await?)
}

/// The job kind of the daily rotation reminders.
pub const REMINDERS: &str = "vault.rotation_reminders";

/// Schedules the reminders' run for the day holding `at` (one per day,
/// whichever servers schedule it: the job is keyed by the day).
pub async fn schedule_reminders(app: &App, at: byline_core::Timestamp) -> Result<(), Error> {
    let day = at.micros().div_euclid(86_400 * 1_000_000);
    let key = format!("{REMINDERS}:{day}");
    app.store
        .jobs()
        .schedule_job(
            &byline_store::jobs::NewJob {
                kind: REMINDERS,
                key: Some(&key),
                payload: "{}",
                due_at: at,
                max_attempts: 5,
            },
            now(),
        )
        .await?;
    Ok(())
}

/// Schedules today's reminders when the vault holds anything (at start:
/// the chain of daily runs survives restarts, and a day's run is keyed).
pub async fn resume_reminders(app: &App) -> Result<(), Error> {
    if app.store.vault().any_secrets().await? {
        schedule_reminders(app, now()).await?;
    }
    Ok(())
}

/// The vault's jobs, added to `handlers`: the daily reminders, which
/// schedule the next day's run as they finish.
pub fn job_handlers(handlers: crate::jobs::Handlers) -> crate::jobs::Handlers {
    handlers.on(REMINDERS, |app, _job| async move {
        let made = remind_old_secrets(&app, app.settings.vault_rotation_days).await?;
        if made > 0 {
            tracing::info!(made, "vault secrets due for rotation");
        }
        schedule_reminders(&app, now().plus_seconds(86_400)).await?;
        Ok(())
    })
}

/// The user ids of `handles` as custodians of a new entry of `profile_id`
/// (each a member who may hold secrets, none twice).
pub(crate) async fn custodians_named(
    app: &App,
    profile_id: i64,
    handles: &[String],
) -> Result<Vec<i64>, Error> {
    let members = app
        .store
        .shared_profiles()
        .profile_members(profile_id)
        .await?;
    custodian_ids(&members, handles)
}

/// Seals `fields` for a new entry: its uid and envelope.
pub(crate) async fn seal_new(
    app: &App,
    fields: &SecretFields,
) -> Result<(String, Envelope), Error> {
    let master = app.settings.vault_key.current_or_create(&app.store).await?;
    let uid = vault::new_uid();
    let envelope = Envelope::seal(&master, &uid, &fields.to_plaintext()?)?;
    Ok((uid, envelope))
}

/// Opens a channel's credentials for the server's own use (a delivery or
/// a connection test): no person sees them, so this is no reveal; the
/// send itself is audited with its byline.
pub(crate) async fn open_for_channel(
    app: &App,
    profile_id: i64,
    secret_id: i64,
) -> Result<SecretFields, Error> {
    let row = app.store.vault().secret(profile_id, secret_id).await?;
    open(app, &row).await
}
