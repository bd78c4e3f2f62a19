//! Helpers shared by the store's test files.

#![allow(dead_code)]

use byline_core::{DisplayName, Email, Handle, Role, Timestamp};
use byline_store::audit::AuditEntry;
use byline_store::users::NewUser;
use byline_store::{Store, StoreError};

pub const T0: Timestamp = Timestamp(1_790_000_000_000_000);

pub fn audit() -> AuditEntry {
    AuditEntry::new(None, "test.action", "test".into(), "127.0.0.1")
}

pub async fn add_user(
    store: &Store,
    email: &str,
    handle: &str,
) -> Result<byline_store::users::User, StoreError> {
    let email = Email::parse(email).expect("test email");
    let handle = Handle::parse(handle).expect("test handle");
    let name = DisplayName::parse("Test Person").expect("test name");
    store
        .users()
        .create_user(
            &NewUser {
                email: &email,
                display_name: &name,
                handle: &handle,
                password_hash: "$argon2id$x",
                role: Role::Staff,
            },
            &audit(),
            T0,
        )
        .await
}
