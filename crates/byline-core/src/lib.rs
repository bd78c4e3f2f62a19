//! Byline's domain: the types that make up an organisation and the rules
//! about them. Nothing here touches the network, the disk or the clock, so
//! every rule can be tested exactly; callers pass `now` in.

pub mod account;
pub mod article;
pub mod assignment;
pub mod audit;
pub mod business_hours;
pub mod campaign;
pub mod canned;
pub mod channel;
pub mod community;
pub mod error;
pub mod image;
pub mod listening;
pub mod markdown;
pub mod moderation;
pub mod password;
pub mod policy;
pub mod publication;
pub mod reaction;
pub mod roster;
pub mod search;
pub mod secret_token;
pub mod shared_profile;
pub mod sla;
pub mod ticket;
pub mod time;
pub mod vault;

pub use account::{DisplayName, Email, Handle, ProfileKind, Role};
pub use error::CoreError;
pub use time::Timestamp;
