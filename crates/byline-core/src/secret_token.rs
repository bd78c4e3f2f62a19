//! Random bearer secrets (session cookies, API tokens) and their stored form.
//!
//! Only a SHA-256 digest of a token is stored. Tokens carry 256 random bits,
//! so a fast digest is enough: there is nothing to brute-force.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A freshly minted token: the text handed out once and the digest stored.
pub struct MintedToken {
    /// Given to the client exactly once.
    pub plaintext: String,
    /// What the database keeps.
    pub digest: Vec<u8>,
}

/// Makes a token with `prefix` (e.g. `byl_`) followed by 32 random bytes.
pub fn mint(prefix: &str) -> MintedToken {
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut bytes);
    let plaintext = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let digest = digest(&plaintext);
    MintedToken { plaintext, digest }
}

/// The stored digest of a presented token.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A value derived from a secret for a different purpose (e.g. the CSRF
/// token of a session), so that leaking one does not leak the other.
pub fn derive(purpose: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(purpose.as_bytes());
    h.update([0u8]);
    h.update(secret.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_are_unique_and_digest_consistently() {
        let a = mint("byl_");
        let b = mint("byl_");
        assert_ne!(a.plaintext, b.plaintext);
        assert!(a.plaintext.starts_with("byl_"));
        assert_eq!(digest(&a.plaintext), a.digest);
        assert_ne!(a.digest, b.digest);
    }

    #[test]
    fn derived_values_depend_on_purpose_and_secret() {
        assert_ne!(derive("csrf", "s1"), derive("csrf", "s2"));
        assert_ne!(derive("csrf", "s1"), derive("other", "s1"));
        assert!(constant_time_eq(
            &derive("csrf", "s1"),
            &derive("csrf", "s1")
        ));
        assert!(!constant_time_eq("abc", "abd"));
    }
}
