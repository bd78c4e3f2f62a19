//! What the machine's owner does from the CLI. The operator holds the
//! database anyway, so these ask no policy; each is audited with source
//! `cli`, like everything else that changes what people may do.

use crate::Error;
use byline_core::{Email, Timestamp};
use byline_store::Store;
use byline_store::audit::{AuditEntry, Verification};
use byline_store::users::User;

/// The user with work email `email`.
pub async fn user_by_email(store: &Store, email: &str) -> Result<User, Error> {
    let email = Email::parse(email)?;
    match store.users().user_for_sign_in(&email).await {
        Ok((user, _)) => Ok(user),
        Err(byline_store::StoreError::NotFound) => {
            Err(Error::Invalid(format!("no user has the email {email}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Grants the investigator right to `user` (a one-admin organisation's way
/// to keep the separation of duties); the owners of sealed profiles are told.
pub async fn grant_investigator(store: &Store, user: &User, now: Timestamp) -> Result<(), Error> {
    let audit = AuditEntry::new(
        None,
        "investigator.grant",
        format!("user:{}", user.id),
        "cli",
    );
    Ok(store
        .investigations()
        .set_investigator(user.id, true, &audit, now)
        .await?)
}

/// Checks every link of the audit chain and its head.
pub async fn verify_audit(store: &Store) -> Result<Verification, Error> {
    Ok(store.audit().verify_audit().await?)
}
