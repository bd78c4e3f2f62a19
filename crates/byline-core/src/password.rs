//! Passwords: length rules and argon2id hashing.
//!
//! Hashing costs tens of milliseconds of CPU on purpose; async callers run
//! these functions on a blocking thread.

use crate::CoreError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest password we accept.
pub const MIN_LEN: usize = 10;
/// Longest password we accept, to bound hashing work.
pub const MAX_LEN: usize = 1024;

/// A password as typed. Deliberately has no `Debug` or `Display`, so it
/// cannot end up in a log line by accident.
pub struct Password(String);

impl Password {
    /// Checks the length rules for a new password.
    pub fn new(input: String) -> Result<Password, CoreError> {
        let n = input.chars().count();
        if (MIN_LEN..=MAX_LEN).contains(&n) {
            Ok(Password(input))
        } else {
            Err(CoreError::InvalidPassword)
        }
    }

    /// Wraps a password offered at sign-in, where length rules do not apply
    /// (an old, shorter password must still be checked, not rejected early).
    pub fn offered(input: String) -> Password {
        Password(input)
    }

    /// The characters, for hashing.
    fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

fn argon2() -> Argon2<'static> {
    // OWASP's recommended argon2id setting: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (salt and parameters included).
pub fn hash(password: &Password) -> Result<String, CoreError> {
    let mut salt_bytes = [0u8; 16];
    rand::Rng::fill(&mut rand::rng(), &mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| CoreError::Hashing)?;
    argon2()
        .hash_password(password.expose(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| CoreError::Hashing)
}

/// True when `password` matches the stored PHC string.
pub fn verify(password: &Password, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| argon2().verify_password(password.expose(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash of a random password, checked when the email is unknown so that
/// "no such user" and "wrong password" take the same time.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$YnlsaW5lLWRlY295LXNhbHQ$1mX7Z3hQ2y9Wk5c0nQ4v6oS8bqk0m3YQfV2fWJx1u2E"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let pw = Password::new("correct horse battery".into()).ok();
        let pw = pw.as_ref().map(hash);
        let Some(Ok(phc)) = pw else {
            panic!("hashing failed")
        };
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify(
            &Password::offered("correct horse battery".into()),
            &phc
        ));
        assert!(!verify(
            &Password::offered("correct horse battery!".into()),
            &phc
        ));
    }

    #[test]
    fn length_rules_apply_to_new_passwords() {
        assert!(Password::new("short".into()).is_err());
        assert!(Password::new("x".repeat(MAX_LEN + 1)).is_err());
        assert!(Password::new("long enough pw".into()).is_ok());
    }

    #[test]
    fn the_decoy_hash_parses_and_matches_nothing_typed() {
        assert!(PasswordHash::new(decoy_hash()).is_ok());
        assert!(!verify(
            &Password::offered("password123".into()),
            decoy_hash()
        ));
    }
}
