//! Who is calling a service: the signed-in user, how they proved it and
//! where they called from. The server builds one per request; the CLI and
//! the demo seeder build one with the operator's authority.

use byline_core::policy::Actor;
use byline_store::audit::AuditEntry;
use byline_store::users::User;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser session; forms must carry `csrf_token`.
    Session {
        /// Session id.
        session_id: i64,
        /// The token every state-changing form of this session must carry.
        csrf_token: String,
        /// Digest of the cookie, to revoke it on sign-out.
        digest: Vec<u8>,
    },
    /// The machine owner's authority, for CLI tasks such as seeding the
    /// demo; never produced from an HTTP request.
    Operator,
    /// A personal API token.
    ApiToken {
        /// Token id.
        token_id: i64,
    },
}

/// A signed-in, active user calling a service.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user.
    pub user: User,
    /// How they proved it.
    pub credential: Credential,
    /// Where the call came from (`cli` for operator tasks), for the audit log.
    pub source_address: String,
}

impl Caller {
    /// An audit entry for an action this caller takes.
    pub fn audit(&self, action: &'static str, target: String) -> AuditEntry {
        AuditEntry::new(Some(self.user.id), action, target, &self.source_address)
    }

    /// `user` acting with the operator's authority (CLI tasks only).
    pub fn operator(user: User) -> Caller {
        Caller {
            user,
            credential: Credential::Operator,
            source_address: "cli".to_owned(),
        }
    }

    /// The policy's view of this caller.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.id,
            profile_id: self.user.profile_id,
            role: self.user.role,
        }
    }
}

/// Where a call came from before anyone is signed in (signing in), for
/// sessions, throttling and the audit log.
#[derive(Debug, Clone)]
pub struct Client {
    /// Source address.
    pub address: String,
    /// The client's User-Agent, truncated.
    pub user_agent: String,
}
