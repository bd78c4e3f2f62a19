//! The demo organisation: Acme's staff, as far as today's features reach.

use byline_app::accounts::{Registration, register};
use byline_core::{Role, Timestamp};
use byline_store::Store;

/// Every demo account signs in with this password (printed at start).
pub const DEMO_PASSWORD: &str = "byline-demo";

/// (name, email local part, handle, role, what they do)
const STAFF: &[(&str, &str, &str, Role, &str)] = &[
    ("Ada Lovelace", "ada", "ada", Role::Admin, "administrator"),
    (
        "Helen Park",
        "helen",
        "helen",
        Role::Staff,
        "HR investigator",
    ),
    (
        "Ivan Petrov",
        "ivan",
        "ivan",
        Role::Staff,
        "IT help desk lead",
    ),
    ("Jane Doe", "jane", "jane", Role::Staff, "IT help desk"),
    ("Omar Haddad", "omar", "omar", Role::Staff, "IT help desk"),
    (
        "Wendy Clarke",
        "wendy",
        "wendy",
        Role::Staff,
        "wellbeing group lead",
    ),
    (
        "Priya Shah",
        "priya",
        "priya",
        Role::Staff,
        "wellbeing group",
    ),
    (
        "Marco Rossi",
        "marco",
        "marco",
        Role::Staff,
        "marketing lead",
    ),
    ("Lena Fischer", "lena", "lena", Role::Staff, "marketing"),
    ("Sam Okafor", "sam", "sam", Role::Staff, "finance"),
    ("Chen Wei", "chen", "chen", Role::Staff, "engineering"),
    ("Rosa Martinez", "rosa", "rosa", Role::Staff, "sales"),
];

/// The email domain of the demo organisation.
pub const DOMAIN: &str = "acme.example";

/// Seeds the demo organisation if the database has no users yet; returns
/// whether it did.
pub async fn seed_if_empty(
    store: &Store,
    vault_key: byline_app::vault::KeySource,
    now: Timestamp,
) -> anyhow::Result<bool> {
    if store.users().count_users().await? > 0 {
        return Ok(false);
    }
    let mut users = Vec::new();
    for (name, local, handle, role, _) in STAFF {
        let user = register(
            store,
            Registration {
                email: format!("{local}@{DOMAIN}"),
                display_name: (*name).to_owned(),
                handle: Some((*handle).to_owned()),
                password: DEMO_PASSWORD.to_owned(),
                role: *role,
            },
            &byline_store::audit::AuditEntry::new(None, "user.create", String::new(), "demo"),
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("seeding {local}: {e}"))?;
        users.push(user);
    }
    let state = byline_app::App::new(
        store.clone(),
        byline_app::AppSettings {
            vault_key,
            ..byline_app::AppSettings::default()
        },
    );
    crate::demo_content::seed(&state, &users, now).await?;
    Ok(true)
}

/// The sign-ins to print for a newcomer.
pub fn sign_in_table() -> String {
    let mut out = String::from("Demo sign-ins (password for all: ");
    out.push_str(DEMO_PASSWORD);
    out.push_str(")\n");
    for (name, local, _, role, what) in STAFF.iter().take(6) {
        let email = format!("{local}@{DOMAIN}");
        out.push_str(&format!(
            "  {email:<20} {name:<14} {:<6} {what}\n",
            role.as_str()
        ));
    }
    out.push_str(&format!("  … and {} more colleagues\n", STAFF.len() - 6));
    out
}
