//! The one error type of the domain crate.

use thiserror::Error;

/// Why a piece of input or a request was refused by a domain rule.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// A handle that is not 2–30 of `a-z`, `0-9`, `-`, `_` starting with a letter.
    #[error(
        "a handle is 2 to 30 characters: lowercase letters, digits, '-' or '_', starting with a letter"
    )]
    InvalidHandle,
    /// An email address that cannot be a work address.
    #[error("that is not a valid email address")]
    InvalidEmail,
    /// A display name that is empty, too long or holds control characters.
    #[error("a display name is 1 to 80 characters without control characters")]
    InvalidDisplayName,
    /// A password outside the accepted length.
    #[error("a password is {min} to {max} characters", min = crate::password::MIN_LEN, max = crate::password::MAX_LEN)]
    InvalidPassword,
    /// A role name we do not know.
    #[error("unknown role '{0}': expected 'staff' or 'admin'")]
    UnknownRole(String),
    /// The policy refused the action.
    #[error("you are not allowed to do that")]
    Forbidden,
    /// A watched topic, its terms or its sensitivity out of bounds.
    #[error("{0}")]
    InvalidTopic(String),
    /// A report or a moderation step out of bounds.
    #[error("{0}")]
    InvalidReport(String),
    /// A post with nothing in it.
    #[error("a post needs some text")]
    EmptyPost,
    /// A post over the length limit.
    #[error("a post is at most 5000 characters (this one has {0})")]
    PostTooLong(usize),
    /// A reaction outside the fixed set.
    #[error(
        "unknown reaction '{0}'; use one of: thumbs_up, heart, tada, laugh, surprised, sad, thanks, eyes"
    )]
    UnknownReaction(String),
    /// A community name or slug that breaks the rules.
    #[error("{0}")]
    InvalidCommunity(&'static str),
    /// A search that cannot be run.
    #[error("{0}")]
    InvalidSearch(&'static str),
    /// A shift that cannot be put on a roster.
    #[error("{0}")]
    InvalidShift(String),
    /// Business hours that cannot be a help desk's calendar.
    #[error("{0}")]
    InvalidBusinessHours(String),
    /// SLA targets that cannot be kept or measured.
    #[error("{0}")]
    InvalidSla(String),
    /// A ticket change the ticket's state does not allow.
    #[error("{0}")]
    InvalidTicket(String),
    /// An article that cannot be saved.
    #[error("{0}")]
    InvalidArticle(String),
    /// A secret that cannot be put in the vault.
    #[error("{0}")]
    InvalidSecret(String),
    /// A channel's settings or outgoing text that break a rule.
    #[error("{0}")]
    InvalidChannel(String),
    /// A publication, its variants, schedule or approval rules that break a rule.
    #[error("{0}")]
    InvalidPublication(String),
    /// A campaign, its spend, results, links or an import that break a rule.
    #[error("{0}")]
    InvalidCampaign(String),
    /// A vault master key that cannot be read.
    #[error("{0}")]
    InvalidVaultKey(String),
    /// A sealed secret whose bytes fail their integrity check.
    #[error(
        "a vault entry failed its integrity check (its stored bytes were changed); nothing was shown"
    )]
    VaultTampered,
    /// A sealed secret wrapped under another master key than the one held.
    #[error("this vault entry is wrapped under master key {needed}, but the key held is {held}")]
    VaultWrongKey {
        /// The id of the key the envelope needs.
        needed: String,
        /// The id of the key Byline holds.
        held: String,
    },
    /// Hashing failed inside argon2 (never caused by user input).
    #[error("password hashing failed")]
    Hashing,
}
