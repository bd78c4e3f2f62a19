//! The one place that decides who may do what.
//!
//! Handlers describe the action and ask; they never check roles themselves.
//! Later capabilities (shared profiles, communities, investigations) add
//! their actions here so that every permission can be read in one file.

use crate::{CoreError, Role};

/// Who is asking: a signed-in, active user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: i64,
    /// The user's organisation-wide role.
    pub role: Role,
}

impl Actor {
    fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Something a person wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the organisation's own pages and profiles (staff-only network).
    ReadNetwork,
    /// See every user account with email addresses and roles.
    ListUsers,
    /// Create a new user account.
    CreateUser,
    /// Change another user's role, deactivate them or reset their password.
    ManageUser {
        /// The user being managed.
        target_user_id: i64,
    },
    /// Remove a user's ability to sign in.
    DeactivateUser {
        /// The user being deactivated.
        target_user_id: i64,
    },
    /// Create, list or revoke API tokens belonging to a user.
    ManageTokens {
        /// The user who owns the tokens.
        owner_user_id: i64,
    },
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Nobody is signed in and the action needs someone.
    SignInRequired,
    /// The signed-in user may not do this.
    Forbidden,
}

impl From<Denial> for CoreError {
    fn from(_: Denial) -> CoreError {
        CoreError::Forbidden
    }
}

/// Decides whether `actor` (None when anonymous) may perform `action`.
pub fn authorize(actor: Option<&Actor>, action: Action) -> Result<(), Denial> {
    let Some(actor) = actor else {
        return Err(Denial::SignInRequired);
    };
    let allowed = match action {
        Action::ReadNetwork => true,
        Action::ListUsers | Action::CreateUser => actor.is_admin(),
        Action::ManageUser { .. } => actor.is_admin(),
        // An admin who deactivates themselves could lock the organisation out.
        Action::DeactivateUser { target_user_id } => {
            actor.is_admin() && target_user_id != actor.user_id
        }
        Action::ManageTokens { owner_user_id } => owner_user_id == actor.user_id,
    };
    if allowed {
        Ok(())
    } else {
        Err(Denial::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAFF: Actor = Actor {
        user_id: 1,
        role: Role::Staff,
    };
    const ADMIN: Actor = Actor {
        user_id: 2,
        role: Role::Admin,
    };

    fn all_actions() -> Vec<Action> {
        let mut v = vec![Action::ReadNetwork, Action::ListUsers, Action::CreateUser];
        for id in [1, 2, 3] {
            v.push(Action::ManageUser { target_user_id: id });
            v.push(Action::DeactivateUser { target_user_id: id });
            v.push(Action::ManageTokens { owner_user_id: id });
        }
        v
    }

    #[test]
    fn anonymous_visitors_may_do_nothing() {
        for a in all_actions() {
            assert_eq!(authorize(None, a), Err(Denial::SignInRequired), "{a:?}");
        }
    }

    #[test]
    fn the_exact_allowed_set_for_staff_and_admins() {
        let allowed = |actor: &Actor| -> Vec<Action> {
            all_actions()
                .into_iter()
                .filter(|a| authorize(Some(actor), *a).is_ok())
                .collect()
        };
        assert_eq!(
            allowed(&STAFF),
            vec![
                Action::ReadNetwork,
                Action::ManageTokens { owner_user_id: 1 }
            ]
        );
        assert_eq!(
            allowed(&ADMIN),
            vec![
                Action::ReadNetwork,
                Action::ListUsers,
                Action::CreateUser,
                Action::ManageUser { target_user_id: 1 },
                Action::DeactivateUser { target_user_id: 1 },
                Action::ManageUser { target_user_id: 2 },
                Action::ManageTokens { owner_user_id: 2 },
                Action::ManageUser { target_user_id: 3 },
                Action::DeactivateUser { target_user_id: 3 },
            ]
        );
    }
}
