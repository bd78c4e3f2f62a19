//! The one place that decides who may do what.
//!
//! Handlers describe the action and ask; they never check roles themselves.
//! Later capabilities (shared profiles, communities, investigations) add
//! their actions here so that every permission can be read in one file.

use crate::community::{Membership, Visibility};
use crate::shared_profile::{AttributionPolicy, Duty, ProfileRole, Speech};
use crate::{CoreError, Role};

/// Who is asking: a signed-in, active user speaking as one of their profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: i64,
    /// The profile they act as (their personal profile for now).
    pub profile_id: i64,
    /// The user's organisation-wide role.
    pub role: Role,
}

/// A community as the policy needs to see it: its visibility and the
/// asking profile's standing in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommunityStanding {
    /// Open, closed or secret.
    pub visibility: Visibility,
    /// The actor's membership, request or invitation, if any.
    pub membership: Option<Membership>,
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
    /// Attach an uploaded image to a new post.
    AttachImage {
        /// Whether the actor uploaded it themselves.
        own: bool,
        /// Whether it is already attached to a post.
        in_use: bool,
    },
    /// Know that a community exists (its name, description, member count).
    SeeCommunity(CommunityStanding),
    /// Read a community's posts and member list.
    ReadCommunity(CommunityStanding),
    /// Post or react in a community.
    PostInCommunity(CommunityStanding),
    /// Join at once (open), or ask to (closed), or accept an invitation (secret).
    JoinCommunity(CommunityStanding),
    /// Approve requests, invite, remove posts.
    ModerateCommunity(CommunityStanding),
    /// Report something one can see (a post, a message one received, a
    /// profile, a community).
    Report,
    /// Act on a report: organisation moderators (admins) on any; a
    /// community's moderators on those about what is said in their
    /// community (`community` is the actor's standing there, if the
    /// reported content lives in one).
    ModerateReport {
        /// The actor's standing in the community the content lives in.
        community: Option<CommunityStanding>,
    },
    /// See the moderation queue and log at all (admins, and moderators of
    /// at least one community, who see only their communities' part).
    SeeModeration {
        /// Whether the actor moderates at least one community.
        moderates_a_community: bool,
    },
    /// Read and export the audit log.
    ReadAudit,
    /// Create a shared profile (an admin task).
    CreateSharedProfile,
    /// Manage a shared profile's members, policy and roster.
    ManageSharedProfile {
        /// The actor's role on it, if any.
        role: Option<ProfileRole>,
    },
    /// Act as a shared profile at all (switch to it).
    ActAs {
        /// The actor's role on it, if any.
        role: Option<ProfileRole>,
    },
    /// Say something as a shared profile.
    SpeakAs {
        /// The actor's role on it, if any.
        role: Option<ProfileRole>,
        /// What they want to say.
        speech: Speech,
        /// Their standing with the profile's roster.
        duty: Duty,
    },
    /// See the names, kinds and custodians of a shared profile's secrets
    /// (never their values).
    SeeVault {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Put a secret in a shared profile's vault.
    AddSecret {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Choose a secret's custodians, its two-person rule, or remove it.
    ManageSecret {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Reveal, copy, take a TOTP code from, edit or rotate a secret, or
    /// approve another custodian's two-person reveal.
    UseSecret {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
        /// Whether the actor is one of the secret's custodians.
        custodian: bool,
    },
    /// See a shared profile's channels and their delivery log.
    SeeChannels {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Connect, test, change or disconnect a shared profile's channel.
    ManageChannel {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// See a shared profile's publications, calendar, campaigns and
    /// reports, and comment on drafts.
    SeePublications {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Write, edit and submit publications; run campaigns (spend, results).
    WritePublication {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Approve or reject a publication in review.
    ReviewPublication {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
        /// The actor wrote it.
        writer: bool,
        /// The actor already approved this version.
        already: bool,
        /// The tier waiting now admits the actor.
        eligible: bool,
    },
    /// Set a profile's approval rules and publishing time zone.
    SetApprovalRules {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// See a shared profile's roster and who is on duty.
    SeeRoster {
        /// The actor's role on it, if any.
        role: Option<ProfileRole>,
    },
    /// Read a help desk's inbox and tickets, internal notes included.
    ReadInbox {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Work a ticket: change its status, write internal notes.
    WorkTicket {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// See one ticket without its internal notes.
    SeeRequest {
        /// The actor asked for it.
        requester: bool,
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Rate the answer to a request.
    RateTicket {
        /// The actor asked for it.
        requester: bool,
    },
    /// Read a knowledge-base article, or find it in a search.
    ReadArticle {
        /// The actor's role on the article's profile, if any.
        role: Option<ProfileRole>,
        /// It is published (not a draft or archived).
        published: bool,
        /// Its audience is the profile's members only.
        members_only: bool,
    },
    /// Mark one's own request solved (an article answered it).
    SolveOwnRequest {
        /// The actor asked for it.
        requester: bool,
    },
    /// See a help desk's satisfaction figures: everyone's, or only one's own.
    SeeSatisfaction {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
        /// Only the actor's own figures are asked for.
        own: bool,
    },
    /// See a help desk's dashboard: its backlog, response times, SLA
    /// attainment, the desk's satisfaction and deflections, and export
    /// them (each member's own satisfaction is [`Action::SeeSatisfaction`]).
    SeeDashboard {
        /// The actor's role on the profile, if any.
        role: Option<ProfileRole>,
    },
    /// Grant or withdraw the investigator right.
    ManageInvestigators {
        /// The user gaining or losing it.
        target_user_id: i64,
        /// True to grant.
        grant: bool,
    },
    /// Open an investigation.
    OpenInvestigation {
        /// Whether the actor holds the investigator right.
        investigator: bool,
    },
    /// See an investigation's existence, reason and status.
    SeeInvestigation {
        /// The actor opened it.
        own: bool,
        /// The actor owns the profile it touches.
        profile_owner: bool,
    },
    /// Reveal the bylines in an investigation's scope.
    RevealInvestigation {
        /// The actor opened it.
        own: bool,
        /// It is still open.
        open: bool,
    },
    /// Close an investigation with its outcome.
    CloseInvestigation {
        /// The actor opened it.
        own: bool,
    },
    /// Ask who was acting as a shared profile in a time window.
    AskWhoActed {
        /// The profile's attribution policy.
        policy: AttributionPolicy,
        /// Whether the viewer has an open investigation covering it.
        investigating: bool,
    },
    /// See who wrote something a shared profile said.
    SeeByline {
        /// The profile's attribution policy when it was said.
        policy: AttributionPolicy,
        /// Whether the viewer is a member of the profile.
        member: bool,
        /// Whether an open investigation covering it is the viewer's.
        investigating: bool,
    },
    /// Read or write in a conversation.
    UseConversation {
        /// Whether the actor's profile takes part in it.
        participant: bool,
    },
    /// Change or delete a post.
    ChangePost {
        /// Profile that wrote the post.
        author_profile_id: i64,
        /// True for deletion (moderators may delete, never edit).
        delete: bool,
        /// The post's community, if any, with the actor's standing.
        community: Option<CommunityStanding>,
    },
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Nobody is signed in and the action needs someone.
    SignInRequired,
    /// The signed-in user may not do this.
    Forbidden,
    /// The member's role allows it, but the profile speaks only through
    /// members on shift and they are not on shift.
    OffShift,
}

impl From<Denial> for CoreError {
    fn from(_: Denial) -> CoreError {
        CoreError::Forbidden
    }
}

/// Whether a member with `role` may be named a custodian of the profile's
/// secrets: those who act for it, never observers.
pub fn may_hold_secrets(role: ProfileRole) -> bool {
    matches!(
        role,
        ProfileRole::Owner | ProfileRole::Editor | ProfileRole::Responder
    )
}

/// Decides whether `actor` (None when anonymous) may perform `action`.
pub fn authorize(actor: Option<&Actor>, action: Action) -> Result<(), Denial> {
    let Some(actor) = actor else {
        return Err(Denial::SignInRequired);
    };
    if let Action::SpeakAs {
        role,
        speech,
        duty: Duty::OffShift,
    } = action
    {
        let by_role = authorize(
            Some(actor),
            Action::SpeakAs {
                role,
                speech,
                duty: Duty::NotRequired,
            },
        );
        // Owners answer for the profile at any hour; everyone else speaks
        // only on shift when the profile asks for that.
        return match by_role {
            Ok(()) if role != Some(ProfileRole::Owner) => Err(Denial::OffShift),
            other => other,
        };
    }
    let allowed = match action {
        Action::ReadNetwork => true,
        Action::ListUsers | Action::CreateUser => actor.is_admin(),
        Action::ManageUser { .. } => actor.is_admin(),
        // An admin who deactivates themselves could lock the organisation out.
        Action::DeactivateUser { target_user_id } => {
            actor.is_admin() && target_user_id != actor.user_id
        }
        Action::ManageTokens { owner_user_id } => owner_user_id == actor.user_id,
        // Only one's own uploads, and each on one post only (admins included).
        Action::AttachImage { own, in_use } => own && !in_use,
        Action::SeeCommunity(c) => match c.visibility {
            Visibility::Open | Visibility::Closed => true,
            // Secret: members and the invited only, admins included in the rule.
            Visibility::Secret => c.membership.is_some_and(|m| {
                m.is_member() || m.state == crate::community::MemberState::Invited
            }),
        },
        Action::ReadCommunity(c) => match c.visibility {
            Visibility::Open => true,
            Visibility::Closed | Visibility::Secret => {
                c.membership.is_some_and(Membership::is_member)
            }
        },
        Action::PostInCommunity(c) => c.membership.is_some_and(Membership::is_member),
        Action::JoinCommunity(c) => match (c.visibility, c.membership) {
            (_, Some(m)) if m.is_member() => false,
            (Visibility::Open | Visibility::Closed, _) => true,
            (Visibility::Secret, m) => {
                m.is_some_and(|m| m.state == crate::community::MemberState::Invited)
            }
        },
        Action::ModerateCommunity(c) => c.membership.is_some_and(Membership::moderates),
        // Conversations are private to their participants, admins included.
        Action::UseConversation { participant } => participant,
        // Investigators will join admins here when investigations arrive.
        Action::ReadAudit => actor.is_admin(),
        Action::Report => true,
        Action::ModerateReport { community } => {
            actor.is_admin()
                || community.is_some_and(|c| c.membership.is_some_and(Membership::moderates))
        }
        Action::SeeModeration {
            moderates_a_community,
        } => actor.is_admin() || moderates_a_community,
        Action::CreateSharedProfile => actor.is_admin(),
        // Separation of duties: an admin never grants themselves the right
        // to reveal sealed bylines; another admin (or the operator at the
        // command line, audited) does.
        Action::ManageInvestigators {
            target_user_id,
            grant,
        } => actor.is_admin() && !(grant && target_user_id == actor.user_id),
        Action::OpenInvestigation { investigator } => investigator,
        // Owners learn that an investigation touched their profile (who,
        // when, why); they never see its findings through this.
        Action::SeeInvestigation { own, profile_owner } => own || profile_owner || actor.is_admin(),
        // Only the investigator who opened it, and only while it is open;
        // admin rank reveals nothing.
        Action::RevealInvestigation { own, open } => own && open,
        Action::CloseInvestigation { own } => own || actor.is_admin(),
        Action::ManageSharedProfile { role } => {
            actor.is_admin() || role == Some(ProfileRole::Owner)
        }
        Action::ActAs { role } => role.is_some(),
        // The vault's values go to custodians only: owners choose them but
        // see no plaintext unless they are one, and admin rank opens
        // nothing. Observers never act for the profile, so never hold its
        // keys.
        Action::SeeVault { role } => role.is_some(),
        Action::AddSecret { role } => {
            matches!(role, Some(ProfileRole::Owner | ProfileRole::Editor))
        }
        Action::ManageSecret { role } => role == Some(ProfileRole::Owner),
        Action::UseSecret { role, custodian } => custodian && role.is_some_and(may_hold_secrets),
        // Channels hold the profile's outside voice: members see them and
        // their log; owners connect them (their credentials go to the
        // vault). Sending through one is speech, decided by SpeakAs.
        Action::SeeChannels { role } => role.is_some(),
        Action::ManageChannel { role } => role == Some(ProfileRole::Owner),
        // Publishing: members follow the work; those who speak for the
        // profile write; a reviewer is a member the waiting tier admits who
        // did not write it and has not approved it yet (separation of
        // duties: admin rank approves nothing); owners set the rules.
        Action::SeePublications { role } => role.is_some(),
        Action::WritePublication { role } => {
            matches!(role, Some(ProfileRole::Owner | ProfileRole::Editor))
        }
        Action::ReviewPublication {
            role,
            writer,
            already,
            eligible,
        } => role.is_some() && !writer && !already && eligible,
        Action::SetApprovalRules { role } => role == Some(ProfileRole::Owner),
        // Off-shift speech was decided above.
        Action::SpeakAs { role, speech, .. } => matches!(
            (role, speech),
            (Some(ProfileRole::Owner | ProfileRole::Editor), _)
                | (
                    Some(ProfileRole::Responder),
                    Speech::Reply | Speech::Message | Speech::React | Speech::Article
                )
        ),
        // The inbox holds what staff asked in confidence; members only,
        // observers included, admin rank alone reveals nothing.
        Action::ReadInbox { role } => role.is_some(),
        // Observers read; everyone else on the roster works tickets.
        Action::WorkTicket { role } => matches!(
            role,
            Some(ProfileRole::Owner | ProfileRole::Editor | ProfileRole::Responder)
        ),
        Action::SeeRequest { requester, role } => requester || role.is_some(),
        Action::RateTicket { requester } => requester,
        // Drafts, archived articles and internal runbooks are the members'
        // own; a published article for staff is for everyone signed in.
        Action::ReadArticle {
            role,
            published,
            members_only,
        } => role.is_some() || (published && !members_only),
        Action::SolveOwnRequest { requester } => requester,
        // The desk's figures are its members' to see, observers included,
        // like the inbox they are computed from; admin rank alone does
        // not open them.
        Action::SeeDashboard { role } => role.is_some(),
        // Members see their own figures; owners and admins everyone's.
        Action::SeeSatisfaction { role, own } => {
            actor.is_admin() || role == Some(ProfileRole::Owner) || (own && role.is_some())
        }
        // A sealed profile's roster would say who probably wrote what, so
        // only members and admins see it.
        Action::SeeRoster { role } => role.is_some() || actor.is_admin(),
        // Admins (and, once they exist, investigators) may ask; a sealed
        // profile's answer needs an open investigation.
        Action::AskWhoActed {
            policy,
            investigating,
        } => match policy {
            AttributionPolicy::Sealed => investigating,
            AttributionPolicy::Signed | AttributionPolicy::Internal => {
                actor.is_admin() || investigating
            }
        },
        Action::SeeByline {
            policy,
            member,
            investigating,
        } => match policy {
            AttributionPolicy::Signed => true,
            AttributionPolicy::Internal => member || actor.is_admin() || investigating,
            // Sealed: admin rank and membership reveal nothing.
            AttributionPolicy::Sealed => investigating,
        },
        Action::ChangePost {
            author_profile_id,
            delete,
            community,
        } => {
            let author = author_profile_id == actor.profile_id;
            let moderator =
                community.is_some_and(|c| c.membership.is_some_and(Membership::moderates));
            author || (delete && (moderator || actor.is_admin()))
        }
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
        profile_id: 11,
        role: Role::Staff,
    };
    const ADMIN: Actor = Actor {
        user_id: 2,
        profile_id: 12,
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
    fn only_working_custodians_touch_a_vault_value() {
        let roles = [
            None,
            Some(ProfileRole::Owner),
            Some(ProfileRole::Editor),
            Some(ProfileRole::Responder),
            Some(ProfileRole::Observer),
        ];
        for actor in [STAFF, ADMIN] {
            for role in roles {
                for custodian in [false, true] {
                    let may =
                        authorize(Some(&actor), Action::UseSecret { role, custodian }).is_ok();
                    // Admin rank opens nothing; observers hold no keys.
                    let expected = custodian
                        && matches!(
                            role,
                            Some(ProfileRole::Owner | ProfileRole::Editor | ProfileRole::Responder)
                        );
                    assert_eq!(may, expected, "{actor:?} {role:?} custodian={custodian}");
                }
                let ok = |a| authorize(Some(&actor), a).is_ok();
                assert_eq!(ok(Action::SeeVault { role }), role.is_some());
                assert_eq!(
                    ok(Action::ManageSecret { role }),
                    role == Some(ProfileRole::Owner)
                );
                assert_eq!(
                    ok(Action::AddSecret { role }),
                    matches!(role, Some(ProfileRole::Owner | ProfileRole::Editor))
                );
                // Admin rank connects no channel of a profile it is not
                // an owner of.
                assert_eq!(ok(Action::SeeChannels { role }), role.is_some());
                assert_eq!(
                    ok(Action::ManageChannel { role }),
                    role == Some(ProfileRole::Owner)
                );
            }
        }
    }

    #[test]
    fn nobody_approves_their_own_publication_and_admin_rank_approves_nothing() {
        let roles = [
            None,
            Some(ProfileRole::Owner),
            Some(ProfileRole::Editor),
            Some(ProfileRole::Responder),
            Some(ProfileRole::Observer),
        ];
        for actor in [STAFF, ADMIN] {
            for role in roles {
                let ok = |a| authorize(Some(&actor), a).is_ok();
                assert_eq!(ok(Action::SeePublications { role }), role.is_some());
                assert_eq!(
                    ok(Action::WritePublication { role }),
                    matches!(role, Some(ProfileRole::Owner | ProfileRole::Editor))
                );
                assert_eq!(
                    ok(Action::SetApprovalRules { role }),
                    role == Some(ProfileRole::Owner)
                );
                for writer in [false, true] {
                    for already in [false, true] {
                        for eligible in [false, true] {
                            let may = ok(Action::ReviewPublication {
                                role,
                                writer,
                                already,
                                eligible,
                            });
                            let expected = role.is_some() && !writer && !already && eligible;
                            assert_eq!(may, expected, "{actor:?} {role:?} {writer} {already}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn anonymous_visitors_may_do_nothing() {
        for a in all_actions() {
            assert_eq!(authorize(None, a), Err(Denial::SignInRequired), "{a:?}");
        }
    }

    use crate::community::{MemberRole, MemberState};

    fn standings() -> Vec<CommunityStanding> {
        let mut out = Vec::new();
        for visibility in [Visibility::Open, Visibility::Closed, Visibility::Secret] {
            out.push(CommunityStanding {
                visibility,
                membership: None,
            });
            for role in [MemberRole::Owner, MemberRole::Moderator, MemberRole::Member] {
                for state in [
                    MemberState::Member,
                    MemberState::Requested,
                    MemberState::Invited,
                ] {
                    out.push(CommunityStanding {
                        visibility,
                        membership: Some(Membership { role, state }),
                    });
                }
            }
        }
        out
    }

    #[test]
    fn community_rules_hold_for_every_standing() {
        for actor in [STAFF, ADMIN] {
            for c in standings() {
                let may = |a| authorize(Some(&actor), a).is_ok();
                let member = c.membership.is_some_and(|m| m.state == MemberState::Member);
                let invited = c
                    .membership
                    .is_some_and(|m| m.state == MemberState::Invited);
                // Reading implies seeing; posting implies reading.
                if may(Action::ReadCommunity(c)) {
                    assert!(may(Action::SeeCommunity(c)), "{c:?}");
                }
                if may(Action::PostInCommunity(c)) {
                    assert!(may(Action::ReadCommunity(c)), "{c:?}");
                }
                match c.visibility {
                    Visibility::Open => assert!(may(Action::ReadCommunity(c))),
                    Visibility::Closed => {
                        assert!(may(Action::SeeCommunity(c)));
                        assert_eq!(may(Action::ReadCommunity(c)), member, "{c:?}");
                    }
                    Visibility::Secret => {
                        // Admin rank grants nothing in a secret community.
                        assert_eq!(may(Action::SeeCommunity(c)), member || invited, "{c:?}");
                        assert_eq!(may(Action::ReadCommunity(c)), member, "{c:?}");
                        assert_eq!(may(Action::JoinCommunity(c)), invited, "{c:?}");
                    }
                }
                assert_eq!(may(Action::PostInCommunity(c)), member, "{c:?}");
                assert_eq!(
                    may(Action::ModerateCommunity(c)),
                    member && c.membership.is_some_and(|m| m.role != MemberRole::Member),
                    "{c:?}"
                );
            }
        }
    }

    #[test]
    fn speaking_as_a_shared_profile_follows_the_role_exactly() {
        let speeches = [
            Speech::Post,
            Speech::Reply,
            Speech::React,
            Speech::Message,
            Speech::Change,
            Speech::Article,
        ];
        for actor in [STAFF, ADMIN] {
            for role in [
                None,
                Some(ProfileRole::Owner),
                Some(ProfileRole::Editor),
                Some(ProfileRole::Responder),
                Some(ProfileRole::Observer),
            ] {
                for speech in speeches {
                    for duty in Duty::ALL {
                        let allowed =
                            authorize(Some(&actor), Action::SpeakAs { role, speech, duty }).is_ok();
                        let by_role = match role {
                            Some(ProfileRole::Owner | ProfileRole::Editor) => true,
                            Some(ProfileRole::Responder) => {
                                matches!(
                                    speech,
                                    Speech::Reply
                                        | Speech::Message
                                        | Speech::React
                                        | Speech::Article
                                )
                            }
                            // Observers and outsiders never speak, admins included.
                            _ => false,
                        };
                        let by_roster = duty != Duty::OffShift || role == Some(ProfileRole::Owner);
                        assert_eq!(
                            allowed,
                            by_role && by_roster,
                            "{actor:?} {role:?} {speech:?} {duty:?}"
                        );
                    }
                }
                assert_eq!(
                    authorize(Some(&actor), Action::SeeRoster { role }).is_ok(),
                    actor.role == Role::Admin || role.is_some()
                );
                assert_eq!(
                    authorize(Some(&actor), Action::ReadInbox { role }).is_ok(),
                    role.is_some(),
                    "the inbox is the members' alone, admins included"
                );
                assert_eq!(
                    authorize(Some(&actor), Action::WorkTicket { role }).is_ok(),
                    role.is_some() && role != Some(ProfileRole::Observer)
                );
                assert_eq!(
                    authorize(Some(&actor), Action::SeeDashboard { role }).is_ok(),
                    role.is_some(),
                    "the dashboard is the members' alone, admins included"
                );
                assert_eq!(
                    authorize(None, Action::SeeDashboard { role }),
                    Err(Denial::SignInRequired)
                );
                for requester in [false, true] {
                    assert_eq!(
                        authorize(Some(&actor), Action::SeeRequest { requester, role }).is_ok(),
                        requester || role.is_some()
                    );
                }
                for published in [false, true] {
                    for members_only in [false, true] {
                        let read = Action::ReadArticle {
                            role,
                            published,
                            members_only,
                        };
                        assert_eq!(
                            authorize(Some(&actor), read).is_ok(),
                            role.is_some() || (published && !members_only),
                            "drafts and runbooks are the members' alone, admins included: {read:?}"
                        );
                    }
                }
                for requester in [false, true] {
                    assert_eq!(
                        authorize(Some(&actor), Action::SolveOwnRequest { requester }).is_ok(),
                        requester
                    );
                }
                for own in [false, true] {
                    assert_eq!(
                        authorize(Some(&actor), Action::SeeSatisfaction { role, own }).is_ok(),
                        actor.role == Role::Admin
                            || role == Some(ProfileRole::Owner)
                            || (own && role.is_some())
                    );
                }
                assert_eq!(
                    authorize(Some(&actor), Action::ActAs { role }).is_ok(),
                    role.is_some()
                );
                assert_eq!(
                    authorize(Some(&actor), Action::ManageSharedProfile { role }).is_ok(),
                    actor.role == Role::Admin || role == Some(ProfileRole::Owner)
                );
            }
        }
    }

    #[test]
    fn bylines_show_exactly_as_the_policy_says_for_every_viewer() {
        for actor in [STAFF, ADMIN] {
            for policy in AttributionPolicy::ALL {
                for member in [false, true] {
                    for investigating in [false, true] {
                        let seen = authorize(
                            Some(&actor),
                            Action::SeeByline {
                                policy,
                                member,
                                investigating,
                            },
                        )
                        .is_ok();
                        let expected = match policy {
                            AttributionPolicy::Signed => true,
                            AttributionPolicy::Internal => {
                                member || actor.role == Role::Admin || investigating
                            }
                            AttributionPolicy::Sealed => investigating,
                        };
                        assert_eq!(
                            seen, expected,
                            "{actor:?} {policy:?} member={member} investigating={investigating}"
                        );
                    }
                }
            }
        }
        // Nobody anonymous sees anything.
        assert!(
            authorize(
                None,
                Action::SeeByline {
                    policy: AttributionPolicy::Signed,
                    member: false,
                    investigating: false
                }
            )
            .is_err()
        );
    }

    #[test]
    fn only_the_investigator_reveals_and_only_while_open() {
        for actor in [STAFF, ADMIN] {
            for own in [false, true] {
                for open in [false, true] {
                    let revealed =
                        authorize(Some(&actor), Action::RevealInvestigation { own, open }).is_ok();
                    assert_eq!(revealed, own && open, "{actor:?} own={own} open={open}");
                }
                let closed = authorize(Some(&actor), Action::CloseInvestigation { own }).is_ok();
                assert_eq!(closed, own || actor.role == Role::Admin);
            }
        }
    }

    #[test]
    fn who_acted_questions_need_rank_and_sealed_ones_an_investigation() {
        for actor in [STAFF, ADMIN] {
            for policy in AttributionPolicy::ALL {
                for investigating in [false, true] {
                    let allowed = authorize(
                        Some(&actor),
                        Action::AskWhoActed {
                            policy,
                            investigating,
                        },
                    )
                    .is_ok();
                    let expected = match policy {
                        AttributionPolicy::Sealed => investigating,
                        _ => actor.role == Role::Admin || investigating,
                    };
                    assert_eq!(allowed, expected, "{actor:?} {policy:?} {investigating}");
                }
            }
        }
    }

    #[test]
    fn only_authors_edit_and_moderators_or_admins_may_also_delete() {
        let modr = Some(CommunityStanding {
            visibility: Visibility::Open,
            membership: Some(Membership {
                role: MemberRole::Moderator,
                state: MemberState::Member,
            }),
        });
        let own = |delete| Action::ChangePost {
            author_profile_id: 11,
            delete,
            community: None,
        };
        let other = |delete, community| Action::ChangePost {
            author_profile_id: 99,
            delete,
            community,
        };
        assert!(authorize(Some(&STAFF), own(false)).is_ok());
        assert!(authorize(Some(&STAFF), own(true)).is_ok());
        assert!(authorize(Some(&STAFF), other(false, None)).is_err());
        assert!(authorize(Some(&STAFF), other(true, None)).is_err());
        assert!(
            authorize(Some(&STAFF), other(false, modr)).is_err(),
            "moderators never edit others' words"
        );
        assert!(authorize(Some(&STAFF), other(true, modr)).is_ok());
        assert!(authorize(Some(&ADMIN), other(true, None)).is_ok());
        assert!(authorize(Some(&ADMIN), other(false, None)).is_err());
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

    #[test]
    fn admins_grant_the_investigator_right_to_others_only() {
        let manage = |actor: &Actor, target_user_id, grant| {
            authorize(
                Some(actor),
                Action::ManageInvestigators {
                    target_user_id,
                    grant,
                },
            )
            .is_ok()
        };
        assert!(manage(&ADMIN, 99, true));
        assert!(!manage(&ADMIN, ADMIN.user_id, true), "never to themselves");
        assert!(manage(&ADMIN, ADMIN.user_id, false), "giving it up is fine");
        assert!(!manage(&STAFF, 99, true));
        assert!(!manage(&STAFF, 99, false));
    }

    #[test]
    fn only_ones_own_unused_uploads_are_attached() {
        for actor in [&STAFF, &ADMIN] {
            for own in [false, true] {
                for in_use in [false, true] {
                    assert_eq!(
                        authorize(Some(actor), Action::AttachImage { own, in_use }).is_ok(),
                        own && !in_use,
                        "{actor:?} own={own} in_use={in_use}"
                    );
                }
            }
        }
    }
}
