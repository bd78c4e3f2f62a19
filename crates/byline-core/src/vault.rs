//! The credential vault's rules: what a secret holds, how it is sealed,
//! and the codes a TOTP seed gives.
//!
//! Each secret is sealed with XChaCha20-Poly1305 under a data key of its
//! own; the data key is itself sealed ("wrapped") under the master key,
//! which never enters the database. Rotating the master key re-wraps the
//! data keys and leaves the secrets' ciphertexts alone. Both seals carry
//! the secret's `uid` as associated data, so an envelope moved onto another
//! row, or a byte changed anywhere, fails to open instead of yielding
//! garbage. Plaintext is only ever held in [`Zeroizing`] buffers.

use crate::CoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
pub use zeroize::Zeroizing;

/// Bytes in a master key or a data key.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// Most bytes a secret's fields may hold together, as stored.
pub const MOST_SECRET_BYTES: usize = 8 * 1024;
/// Most characters in a secret's name.
pub const MOST_NAME_CHARS: usize = 120;
/// How long a two-person reveal waits for its second custodian at most.
pub const MOST_APPROVAL_MINUTES: i64 = 24 * 60;

/// The key that wraps every data key; kept outside the database.
pub struct MasterKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    id: String,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The id names the key; the bytes never leave it.
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl MasterKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::rng().fill_bytes(bytes.as_mut());
        Self::from_array(bytes)
    }

    fn from_array(bytes: Zeroizing<[u8; KEY_LEN]>) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"byline vault key id\0");
        hash.update(bytes.as_ref());
        let digest = hash.finalize();
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self { bytes, id }
    }

    /// Reads a key from its text form (64 hex digits, as a key file holds),
    /// surrounding whitespace allowed.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        let text = text.trim();
        if text.len() != KEY_LEN * 2 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CoreError::InvalidVaultKey(
                "a vault master key is 64 hexadecimal digits".into(),
            ));
        }
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16)
                .map_err(|_| CoreError::InvalidVaultKey("not hexadecimal".into()))?;
        }
        Ok(Self::from_array(bytes))
    }

    /// The key's text form, for its file.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(KEY_LEN * 2 + 1));
        for b in self.bytes.iter() {
            text.push(hex_digit(b >> 4));
            text.push(hex_digit(b & 0x0f));
        }
        text.push('\n');
        text
    }

    /// A short name for the key (not secret): which key an envelope needs.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.bytes.as_ref().into())
    }
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0')
}

/// A sealed secret as stored: which master key wraps its data key, the
/// wrapped data key, and the sealed fields (each `nonce ‖ ciphertext`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// [`MasterKey::id`] of the key that wraps the data key.
    pub key_id: String,
    /// The data key, sealed under the master key.
    pub wrapped_key: Vec<u8>,
    /// The secret's fields, sealed under the data key.
    pub sealed: Vec<u8>,
}

fn seal_with(
    cipher: &XChaCha20Poly1305,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CoreError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CoreError::VaultTampered)?;
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn open_with(
    cipher: &XChaCha20Poly1305,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CoreError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(CoreError::VaultTampered);
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .map(Zeroizing::new)
        .map_err(|_| CoreError::VaultTampered)
}

fn aad(uid: &str, part: &str) -> Vec<u8> {
    format!("byline-vault/v1/{part}/{uid}").into_bytes()
}

impl Envelope {
    /// Seals `plaintext` for the secret `uid` under a fresh data key.
    pub fn seal(master: &MasterKey, uid: &str, plaintext: &[u8]) -> Result<Self, CoreError> {
        let mut data_key = Zeroizing::new([0u8; KEY_LEN]);
        rand::rng().fill_bytes(data_key.as_mut());
        let data = XChaCha20Poly1305::new(data_key.as_ref().into());
        Ok(Self {
            key_id: master.id().to_owned(),
            wrapped_key: seal_with(&master.cipher(), &aad(uid, "key"), data_key.as_ref())?,
            sealed: seal_with(&data, &aad(uid, "fields"), plaintext)?,
        })
    }

    fn data_key(&self, master: &MasterKey, uid: &str) -> Result<Zeroizing<Vec<u8>>, CoreError> {
        if self.key_id != master.id() {
            return Err(CoreError::VaultWrongKey {
                needed: self.key_id.clone(),
                held: master.id().to_owned(),
            });
        }
        let key = open_with(&master.cipher(), &aad(uid, "key"), &self.wrapped_key)?;
        if key.len() != KEY_LEN {
            return Err(CoreError::VaultTampered);
        }
        Ok(key)
    }

    /// The plaintext, or why it cannot be had (wrong key, tampered bytes).
    pub fn open(&self, master: &MasterKey, uid: &str) -> Result<Zeroizing<Vec<u8>>, CoreError> {
        let key = self.data_key(master, uid)?;
        let data = XChaCha20Poly1305::new(key.as_slice().into());
        open_with(&data, &aad(uid, "fields"), &self.sealed)
    }

    /// Checks that the data key opens under `master`, decrypting no field.
    pub fn check(&self, master: &MasterKey, uid: &str) -> Result<(), CoreError> {
        self.data_key(master, uid).map(drop)
    }

    /// The same secret with its data key wrapped under `new` instead of
    /// `old`; the sealed fields are untouched.
    pub fn rewrap(&self, old: &MasterKey, new: &MasterKey, uid: &str) -> Result<Self, CoreError> {
        let key = self.data_key(old, uid)?;
        Ok(Self {
            key_id: new.id().to_owned(),
            wrapped_key: seal_with(&new.cipher(), &aad(uid, "key"), key.as_slice())?,
            sealed: self.sealed.clone(),
        })
    }
}

/// A new random public name for a secret (32 hex digits), bound into its
/// envelope so that sealed bytes cannot be moved onto another entry.
pub fn new_uid() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fields a custodian may copy one at a time.
pub const COPYABLE: [&str; 5] = ["username", "password", "token", "refresh_token", "notes"];

/// What a secret is for; decides which fields it must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// A username and password, maybe with a TOTP seed.
    Login,
    /// A password alone.
    Password,
    /// An API token.
    ApiToken,
    /// OAuth access and refresh tokens.
    Oauth,
    /// A TOTP seed alone.
    Totp,
    /// Free text.
    Note,
}

impl SecretKind {
    /// Reads a kind's name.
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        Ok(match s {
            "login" => Self::Login,
            "password" => Self::Password,
            "api_token" => Self::ApiToken,
            "oauth" => Self::Oauth,
            "totp" => Self::Totp,
            "note" => Self::Note,
            other => {
                return Err(CoreError::InvalidSecret(format!(
                    "unknown kind '{other}': use login, password, api_token, oauth, totp or note"
                )));
            }
        })
    }

    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Password => "password",
            Self::ApiToken => "api_token",
            Self::Oauth => "oauth",
            Self::Totp => "totp",
            Self::Note => "note",
        }
    }
}

/// A secret's sealed fields. Never logged: its `Debug` shows which fields
/// are set, not what they hold.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SecretFields {
    /// The account's login name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// An API or OAuth access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// An OAuth refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// A TOTP seed in base32; gives codes, never shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_seed: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl fmt::Debug for SecretFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<set>" } else { "-" };
        f.debug_struct("SecretFields")
            .field("username", &set(&self.username))
            .field("password", &set(&self.password))
            .field("token", &set(&self.token))
            .field("refresh_token", &set(&self.refresh_token))
            .field("totp_seed", &set(&self.totp_seed))
            .field("notes", &set(&self.notes))
            .finish()
    }
}

impl Drop for SecretFields {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for field in [
            &mut self.username,
            &mut self.password,
            &mut self.token,
            &mut self.refresh_token,
            &mut self.totp_seed,
            &mut self.notes,
        ] {
            if let Some(s) = field.as_mut() {
                s.zeroize();
            }
        }
    }
}

impl SecretFields {
    /// Checks the fields against `kind` and the limits: the fields a kind
    /// needs are there and not blank, a TOTP seed is base32 of at least 80
    /// bits, and the whole fits [`MOST_SECRET_BYTES`].
    pub fn validate(&self, kind: SecretKind) -> Result<(), CoreError> {
        let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(CoreError::InvalidSecret(format!(
                    "a {} secret needs {what}",
                    kind.as_str()
                )))
            }
        };
        match kind {
            SecretKind::Login => need(
                has(&self.username) && has(&self.password),
                "a username and a password",
            )?,
            SecretKind::Password => need(has(&self.password), "a password")?,
            SecretKind::ApiToken => need(has(&self.token), "a token")?,
            SecretKind::Oauth => need(has(&self.token), "an access token")?,
            SecretKind::Totp => need(has(&self.totp_seed), "a TOTP seed")?,
            SecretKind::Note => need(has(&self.notes), "some notes")?,
        }
        if let Some(seed) = &self.totp_seed {
            TotpSeed::parse(seed)?;
        }
        let size = [
            &self.username,
            &self.password,
            &self.token,
            &self.refresh_token,
            &self.totp_seed,
            &self.notes,
        ]
        .iter()
        .map(|o| o.as_deref().map_or(0, str::len))
        .sum::<usize>();
        if size > MOST_SECRET_BYTES {
            return Err(CoreError::InvalidSecret(format!(
                "a secret holds at most {MOST_SECRET_BYTES} bytes (this one has {size})"
            )));
        }
        Ok(())
    }

    /// Wipes and drops the TOTP seed (before fields are shown).
    pub fn forget_seed(&mut self) {
        use zeroize::Zeroize;
        if let Some(mut seed) = self.totp_seed.take() {
            seed.zeroize();
        }
    }

    /// One copyable field's value, if set (never the TOTP seed).
    pub fn field(&self, name: &str) -> Option<&str> {
        match name {
            "username" => self.username.as_deref(),
            "password" => self.password.as_deref(),
            "token" => self.token.as_deref(),
            "refresh_token" => self.refresh_token.as_deref(),
            "notes" => self.notes.as_deref(),
            _ => None,
        }
    }

    /// The fields as the bytes that are sealed.
    pub fn to_plaintext(&self) -> Result<Zeroizing<Vec<u8>>, CoreError> {
        serde_json::to_vec(self)
            .map(Zeroizing::new)
            .map_err(|_| CoreError::InvalidSecret("the secret's fields cannot be written".into()))
    }

    /// The fields from opened bytes.
    pub fn from_plaintext(bytes: &[u8]) -> Result<Self, CoreError> {
        serde_json::from_slice(bytes).map_err(|_| CoreError::VaultTampered)
    }
}

/// Checks a secret's name: 1–120 characters, no control characters.
pub fn validate_name(name: &str) -> Result<String, CoreError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MOST_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(CoreError::InvalidSecret(format!(
            "a secret's name is 1 to {MOST_NAME_CHARS} characters without control characters"
        )));
    }
    Ok(name.to_owned())
}

/// A TOTP seed (RFC 6238: HMAC-SHA1, 30-second steps, six digits).
pub struct TotpSeed(Zeroizing<Vec<u8>>);

impl TotpSeed {
    /// Reads a base32 seed as services print it: any case, spaces or
    /// dashes between groups, padding optional; at least 80 bits.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let bytes = data_encoding::BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map_err(|_| {
                CoreError::InvalidSecret(
                    "a TOTP seed is base32 (letters A–Z and digits 2–7)".into(),
                )
            })?;
        if bytes.len() < 10 {
            return Err(CoreError::InvalidSecret(
                "a TOTP seed has at least 16 base32 characters (80 bits)".into(),
            ));
        }
        Ok(Self(Zeroizing::new(bytes)))
    }

    /// The six-digit code for the 30-second step holding `unix_seconds`,
    /// and the seconds left in that step.
    pub fn code(&self, unix_seconds: i64) -> (String, u32) {
        use hmac::{Hmac, Mac};
        let step = unix_seconds.div_euclid(30);
        let left = (30 - unix_seconds.rem_euclid(30)) as u32;
        let Ok(mut mac) = <Hmac<sha1::Sha1> as Mac>::new_from_slice(&self.0) else {
            // HMAC takes a key of any length; this cannot fail.
            return (String::new(), left);
        };
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[19] & 0x0f);
        let value = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        (format!("{:06}", value % 1_000_000), left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_fields_open_only_with_their_key_and_uid() {
        let key = MasterKey::generate();
        let envelope = Envelope::seal(&key, "u1", b"hunter2").expect("seal");
        assert_eq!(
            envelope.open(&key, "u1").expect("open").as_slice(),
            b"hunter2"
        );
        assert!(!envelope.sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(envelope.open(&key, "u2"), Err(CoreError::VaultTampered));
        let other = MasterKey::generate();
        assert!(matches!(
            envelope.open(&other, "u1"),
            Err(CoreError::VaultWrongKey { .. })
        ));
    }

    #[test]
    fn any_changed_byte_is_refused() {
        let key = MasterKey::generate();
        let envelope = Envelope::seal(&key, "u1", b"hunter2").expect("seal");
        for i in 0..envelope.sealed.len() {
            let mut bad = envelope.clone();
            bad.sealed[i] ^= 1;
            assert_eq!(
                bad.open(&key, "u1"),
                Err(CoreError::VaultTampered),
                "byte {i}"
            );
        }
        for i in 0..envelope.wrapped_key.len() {
            let mut bad = envelope.clone();
            bad.wrapped_key[i] ^= 0x80;
            assert_eq!(
                bad.check(&key, "u1"),
                Err(CoreError::VaultTampered),
                "byte {i}"
            );
        }
    }

    #[test]
    fn rewrapping_moves_the_secret_to_the_new_key() {
        let old = MasterKey::generate();
        let new = MasterKey::generate();
        let envelope = Envelope::seal(&old, "u1", b"token").expect("seal");
        let moved = envelope.rewrap(&old, &new, "u1").expect("rewrap");
        assert_eq!(moved.key_id, new.id());
        assert_eq!(moved.sealed, envelope.sealed);
        assert_eq!(moved.open(&new, "u1").expect("open").as_slice(), b"token");
        assert!(moved.check(&old, "u1").is_err());
    }

    #[test]
    fn keys_round_trip_through_their_text() {
        let key = MasterKey::generate();
        let again = MasterKey::parse(&key.to_text()).expect("parse");
        assert_eq!(key.id(), again.id());
        assert!(MasterKey::parse("not a key").is_err());
        assert!(!format!("{key:?}").contains(key.to_text().trim()));
    }

    #[test]
    fn totp_matches_rfc_6238() {
        // RFC 6238 appendix B, SHA-1: the seed is "12345678901234567890".
        let seed =
            TotpSeed::parse(&data_encoding::BASE32.encode(b"12345678901234567890")).expect("seed");
        assert_eq!(seed.code(59).0, "287082");
        assert_eq!(seed.code(1_111_111_109).0, "081804");
        assert_eq!(seed.code(1_234_567_890).0, "005924");
        assert_eq!(seed.code(2_000_000_000).0, "279037");
        assert_eq!(seed.code(59).1, 1);
    }

    #[test]
    fn seeds_that_are_not_base32_are_refused() {
        assert!(TotpSeed::parse("JBSW Y3DP EHPK 3PXP").is_ok());
        assert!(TotpSeed::parse("jbswy3dpehpk3pxp").is_ok());
        assert!(TotpSeed::parse("not base32 at all!").is_err());
        assert!(TotpSeed::parse("JBSWY3DP").is_err());
        let mut fields = SecretFields::default();
        fields.totp_seed = Some("0189".into());
        assert!(fields.validate(SecretKind::Totp).is_err());
    }

    #[test]
    fn kinds_need_their_fields_and_fit_the_limit() {
        let mut login = SecretFields::default();
        login.username = Some("acme".into());
        login.password = Some("pw".into());
        assert!(login.validate(SecretKind::Login).is_ok());
        assert!(login.validate(SecretKind::ApiToken).is_err());
        let mut big = SecretFields::default();
        big.notes = Some("x".repeat(MOST_SECRET_BYTES + 1));
        assert!(big.validate(SecretKind::Note).is_err());
        assert!(!format!("{login:?}").contains("pw\""));
    }
}
