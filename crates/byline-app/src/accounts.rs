//! Account use-cases shared by the JSON API, the web pages and the CLI:
//! signing in and out, creating and managing users, API tokens.
//! Each asks the policy first; none touches HTTP.

use crate::Error;
use crate::{App, now};
use crate::{Caller, Client, Credential};
use byline_core::password::{self, Password};
use byline_core::policy::{Action, authorize};
use byline_core::{DisplayName, Email, Handle, Role, Timestamp, secret_token};
use byline_store::audit::AuditEntry;
use byline_store::sessions::NewSession;
use byline_store::tokens::ApiToken;
use byline_store::users::{NewUser, User};
use byline_store::{Store, StoreError};

/// A new user as typed by an admin or operator.
pub struct Registration {
    /// Work email.
    pub email: String,
    /// Shown name.
    pub display_name: String,
    /// Wanted handle; derived from the email when absent.
    pub handle: Option<String>,
    /// Initial password.
    pub password: String,
    /// Role; staff when absent.
    pub role: Role,
}

/// Creates a user without a policy check: for the operator's CLI and the
/// demo seeder, which run with the machine owner's authority. `audit`
/// describes who did it (its target is filled in with the new user).
pub async fn register(
    store: &Store,
    r: Registration,
    audit: &AuditEntry,
    now: Timestamp,
) -> Result<User, Error> {
    let email = Email::parse(&r.email)?;
    let display_name = DisplayName::parse(&r.display_name)?;
    let handle = match r.handle.as_deref() {
        Some(h) => Handle::parse(h)?,
        None => Handle::suggest(email.local_part()),
    };
    let password = Password::new(r.password)?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&password)).await??;
    let user = store
        .users()
        .create_user(
            &NewUser {
                email: &email,
                display_name: &display_name,
                handle: &handle,
                password_hash: &hash,
                role: r.role,
            },
            audit,
            now,
        )
        .await?;
    Ok(user)
}

/// Creates a user on behalf of a signed-in admin.
pub async fn create_user(app: &App, by: &Caller, r: Registration) -> Result<User, Error> {
    authorize(Some(&by.actor()), Action::CreateUser)?;
    let audit = by.audit("user.create", String::new());
    let user = register(&app.store, r, &audit, now()).await?;
    tracing::info!(user_id = user.id, by = by.user.id, "user created");
    Ok(user)
}

/// Refresh `last_seen` / `last_used` at most this often, so reads stay reads.
const TOUCH_EVERY_SECS: i64 = 60;

/// The caller holding the API token `token`, or why not.
pub async fn caller_by_token(
    app: &App,
    token: &str,
    source_address: String,
    now: Timestamp,
) -> Result<Caller, Error> {
    let digest = secret_token::digest(token);
    match app.store.tokens().token_user(&digest).await {
        Ok((api_token, user)) => {
            let stale = api_token
                .last_used_at
                .is_none_or(|t| Timestamp(t).plus_seconds(TOUCH_EVERY_SECS) < now);
            if stale {
                app.store.tokens().touch_api_token(&digest, now).await?;
            }
            Ok(Caller {
                user,
                credential: Credential::ApiToken {
                    token_id: api_token.id,
                },
                source_address,
            })
        }
        Err(StoreError::NotFound) => Err(Error::Unauthenticated("that API token is not valid")),
        Err(e) => Err(e.into()),
    }
}

/// The caller whose browser session cookie is `cookie_value`, or none when
/// the cookie is stale (which is just "not signed in"). Keeps the session
/// alive for another idle period.
pub async fn caller_by_session(
    app: &App,
    cookie_value: &str,
    csrf_token: String,
    source_address: String,
    now: Timestamp,
) -> Result<Option<Caller>, Error> {
    let digest = secret_token::digest(cookie_value);
    match app.store.sessions().session_user(&digest, now).await {
        Ok(found) => {
            if found.last_seen_at.plus_seconds(TOUCH_EVERY_SECS) < now {
                let idle = i64::try_from(app.settings.session_idle.as_secs()).unwrap_or(i64::MAX);
                app.store
                    .sessions()
                    .touch_session(&digest, now, now.plus_seconds(idle))
                    .await?;
            }
            Ok(Some(Caller {
                user: found.user,
                credential: Credential::Session {
                    session_id: found.session_id,
                    csrf_token,
                    digest,
                },
                source_address,
            }))
        }
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A new user as typed into the admin page's form: the role is still text.
pub struct FormRegistration {
    /// Work email.
    pub email: String,
    /// Shown name.
    pub display_name: String,
    /// Wanted handle; derived from the email when absent.
    pub handle: Option<String>,
    /// Initial password.
    pub password: String,
    /// Role as typed (`staff` when absent).
    pub role: Option<String>,
}

/// Creates a user from the admin form. The policy is asked before the
/// role is parsed, so a non-admin learns nothing from validation.
pub async fn create_user_from_form(
    app: &App,
    by: &Caller,
    r: FormRegistration,
) -> Result<User, Error> {
    authorize(Some(&by.actor()), Action::CreateUser)?;
    let role = Role::parse(r.role.as_deref().unwrap_or("staff"))?;
    let registration = Registration {
        email: r.email,
        display_name: r.display_name,
        handle: r.handle,
        password: r.password,
        role,
    };
    create_user(app, by, registration).await
}

/// Sets a new password without a policy check (operator CLI); ends sessions.
pub async fn set_password(
    store: &Store,
    user_id: i64,
    new_password: String,
    audit: &AuditEntry,
    now: Timestamp,
) -> Result<(), Error> {
    let password = Password::new(new_password)?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&password)).await??;
    store
        .users()
        .set_password_hash(user_id, &hash, audit, now)
        .await?;
    Ok(())
}

/// An admin resets someone's password; their sessions end.
pub async fn reset_password(
    app: &App,
    by: &Caller,
    user_id: i64,
    new_password: String,
) -> Result<(), Error> {
    authorize(
        Some(&by.actor()),
        Action::ManageUser {
            target_user_id: user_id,
        },
    )?;
    let audit = by.audit("user.password_reset", format!("user:{user_id}"));
    set_password(&app.store, user_id, new_password, &audit, now()).await?;
    tracing::info!(user_id, by = by.user.id, "password reset");
    Ok(())
}

/// An admin changes someone's role.
pub async fn set_role(app: &App, by: &Caller, user_id: i64, role: Role) -> Result<User, Error> {
    authorize(
        Some(&by.actor()),
        Action::ManageUser {
            target_user_id: user_id,
        },
    )?;
    let mut audit = by.audit("user.role_change", format!("user:{user_id}"));
    audit.details = format!("{{\"role\":\"{}\"}}", role.as_str());
    Ok(app
        .store
        .users()
        .set_role(user_id, role, &audit, now())
        .await?)
}

/// One user's account, for an admin.
pub async fn user(app: &App, by: &Caller, user_id: i64) -> Result<User, Error> {
    authorize(
        Some(&by.actor()),
        Action::ManageUser {
            target_user_id: user_id,
        },
    )?;
    Ok(app.store.users().user_by_id(user_id).await?)
}

/// An admin deactivates someone: their sessions and tokens stop at once.
pub async fn deactivate(app: &App, by: &Caller, user_id: i64) -> Result<User, Error> {
    authorize(
        Some(&by.actor()),
        Action::DeactivateUser {
            target_user_id: user_id,
        },
    )?;
    let audit = by.audit("user.deactivate", format!("user:{user_id}"));
    let user = app
        .store
        .users()
        .deactivate_user(user_id, &audit, now())
        .await?;
    tracing::info!(user_id, by = by.user.id, "user deactivated");
    Ok(user)
}

/// One page of users for an admin.
pub async fn list_users(
    app: &App,
    by: &Caller,
    after: i64,
    limit: u32,
) -> Result<Vec<User>, Error> {
    authorize(Some(&by.actor()), Action::ListUsers)?;
    Ok(app.store.users().list_users(after, limit).await?)
}

/// The outcome of a successful sign-in.
pub struct SignedIn {
    /// Who signed in.
    pub user: User,
    /// The new session cookie's value (set it; never log it).
    pub cookie_value: String,
}

const FAILED: Error =
    Error::Unauthenticated("that email and password do not match an active account");

/// Checks a password and opens a session. Unknown emails, wrong passwords
/// and deactivated accounts fail identically (same message, same work), and
/// repeated failures per email or per address are throttled.
pub async fn sign_in(
    app: &App,
    email_text: &str,
    password_text: String,
    client: &Client,
    previous_session: Option<&str>,
) -> Result<SignedIn, Error> {
    let now = now();
    let settings = &app.settings;
    let email_key = email_text.trim().to_lowercase();
    let window = i64::try_from(settings.sign_in_failure_window.as_secs()).unwrap_or(900);
    let since = now.plus_seconds(-window);
    let recent = app
        .store
        .sign_in_failures()
        .recent_sign_in_failures(&email_key, &client.address, since)
        .await?;
    let blocked_until = [
        (recent.for_email >= settings.sign_in_failures_per_email)
            .then_some(recent.oldest_for_email)
            .flatten(),
        (recent.from_address >= settings.sign_in_failures_per_address)
            .then_some(recent.oldest_from_address)
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .map(|oldest| Timestamp(oldest).plus_seconds(window))
    .max();
    if let Some(until) = blocked_until {
        tracing::warn!(address = %client.address, "sign-in throttled");
        return Err(Error::RateLimited(now.seconds_until(until)));
    }

    let found = match Email::parse(email_text) {
        Ok(email) => match app.store.users().user_for_sign_in(&email).await {
            Ok(found) => Some(found),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let offered = Password::offered(password_text);
    let (user, ok) = match found {
        Some((user, hash)) => {
            let ok = tokio::task::spawn_blocking(move || password::verify(&offered, &hash)).await?;
            (Some(user), ok)
        }
        None => {
            // Same cost as a real check, so timing does not reveal accounts.
            tokio::task::spawn_blocking(move || password::verify(&offered, password::decoy_hash()))
                .await?;
            (None, false)
        }
    };
    let attempted = user.as_ref().map(|u| u.id);
    let user = match user {
        Some(user) if ok && user.active => user,
        _ => {
            app.store
                .sign_in_failures()
                .record_sign_in_failure(
                    &email_key,
                    &client.address,
                    &AuditEntry {
                        details: serde_json::json!({ "email": email_key }).to_string(),
                        ..AuditEntry::new(
                            attempted,
                            "session.sign_in_refused",
                            "session".into(),
                            &client.address,
                        )
                    },
                    now,
                    since,
                )
                .await?;
            return Err(FAILED);
        }
    };
    app.store
        .sign_in_failures()
        .clear_sign_in_failures(&email_key)
        .await?;

    // A fresh token every time: a cookie planted before sign-in never
    // becomes a signed-in session (no session fixation).
    if let Some(old) = previous_session {
        app.store
            .sessions()
            .revoke_session(&secret_token::digest(old), None, now)
            .await?;
    }
    let minted = secret_token::mint("bys_");
    let idle = i64::try_from(settings.session_idle.as_secs()).unwrap_or(i64::MAX);
    app.store
        .sessions()
        .create_session(
            &NewSession {
                user_id: user.id,
                token_digest: &minted.digest,
                expires_at: now.plus_seconds(idle),
                source_address: &client.address,
                user_agent: &client.user_agent,
            },
            &AuditEntry::new(
                Some(user.id),
                "session.sign_in",
                format!("user:{}", user.id),
                &client.address,
            ),
            now,
        )
        .await?;
    tracing::info!(user_id = user.id, address = %client.address, "signed in");
    Ok(SignedIn {
        user,
        cookie_value: minted.plaintext,
    })
}

/// Ends the session the request came with (API tokens are revoked through
/// the token routes instead).
pub async fn sign_out(app: &App, current: &Caller) -> Result<(), Error> {
    // Signing out also ends acting as a shared profile.
    crate::acting::switch_out(app, current, "signed_out").await?;
    if let Credential::Session { digest, .. } = &current.credential {
        let audit = current.audit("session.sign_out", format!("user:{}", current.user.id));
        app.store
            .sessions()
            .revoke_session(digest, Some(&audit), now())
            .await?;
        tracing::info!(user_id = current.user.id, "signed out");
    }
    Ok(())
}

/// A token as handed out once at creation.
pub struct NewToken {
    /// Its description.
    pub token: ApiToken,
    /// The secret, shown once.
    pub secret: String,
}

/// Longest token name.
const MAX_TOKEN_NAME: usize = 100;

/// Creates an API token for the current user.
pub async fn create_token(app: &App, by: &Caller, name: &str) -> Result<NewToken, Error> {
    authorize(
        Some(&by.actor()),
        Action::ManageTokens {
            owner_user_id: by.user.id,
        },
    )?;
    app.limits.check(crate::limits::Limit::Token, by)?;
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_TOKEN_NAME
        || name.chars().any(char::is_control)
    {
        return Err(Error::Invalid(format!(
            "a token name is 1 to {MAX_TOKEN_NAME} characters"
        )));
    }
    let minted = secret_token::mint("byl_");
    let token = app
        .store
        .tokens()
        .create_api_token(
            by.user.id,
            name,
            &minted.digest,
            &by.audit("token.create", String::new()),
            now(),
        )
        .await?;
    Ok(NewToken {
        token,
        secret: minted.plaintext,
    })
}

/// The current user's tokens.
pub async fn list_tokens(app: &App, by: &Caller) -> Result<Vec<ApiToken>, Error> {
    authorize(
        Some(&by.actor()),
        Action::ManageTokens {
            owner_user_id: by.user.id,
        },
    )?;
    Ok(app.store.tokens().list_api_tokens(by.user.id).await?)
}

/// Revokes one of the current user's tokens.
pub async fn revoke_token(app: &App, by: &Caller, token_id: i64) -> Result<(), Error> {
    // Someone else's token answers exactly like one that does not exist.
    let owner_user_id = app
        .store
        .tokens()
        .api_token_owner(token_id)
        .await?
        .ok_or(Error::NotFound)?;
    authorize(Some(&by.actor()), Action::ManageTokens { owner_user_id })
        .map_err(|_| Error::NotFound)?;
    Ok(app
        .store
        .tokens()
        .revoke_api_token(
            by.user.id,
            token_id,
            &by.audit("token.revoke", format!("token:{token_id}")),
            now(),
        )
        .await?)
}
