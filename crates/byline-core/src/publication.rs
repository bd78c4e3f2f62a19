//! Publications: what a shared profile plans to say through its channels,
//! the steps it goes through (draft, review in tiers, approval, schedule,
//! publishing), the approval rules a profile sets, each channel's limits
//! on a variant, and the schedule's wall-clock rules. Pure: the store keeps
//! the history and the app asks here what each step may do.

use crate::CoreError;
use crate::Timestamp;
use crate::channel::ChannelKind;
use crate::shared_profile::ProfileRole;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

fn invalid(why: impl Into<String>) -> CoreError {
    CoreError::InvalidPublication(why.into())
}

/// Where a publication is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Being written; only members see it.
    Draft,
    /// Submitted; waiting for its approvals, tier by tier.
    InReview,
    /// Every tier approved; may be scheduled.
    Approved,
    /// Due at a minute; the job runner will publish it.
    Scheduled,
    /// Due and handed to its channels; waiting for their answers.
    Publishing,
    /// Every channel took it.
    Published,
    /// A channel refused it for good, or it could not be sent at all.
    Failed,
    /// A reviewer sent it back with a reason; an edit makes it a draft.
    Rejected,
}

impl Status {
    /// Every status, in the order of a publication's life.
    pub const ALL: [Status; 8] = [
        Status::Draft,
        Status::InReview,
        Status::Approved,
        Status::Scheduled,
        Status::Publishing,
        Status::Published,
        Status::Failed,
        Status::Rejected,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Approved => "approved",
            Status::Scheduled => "scheduled",
            Status::Publishing => "publishing",
            Status::Published => "published",
            Status::Failed => "failed",
            Status::Rejected => "rejected",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::InReview => "In review",
            Status::Approved => "Approved",
            Status::Scheduled => "Scheduled",
            Status::Publishing => "Publishing",
            Status::Published => "Published",
            Status::Failed => "Failed",
            Status::Rejected => "Rejected",
        }
    }

    /// Whether its words may still change.
    pub fn editable(self) -> bool {
        matches!(
            self,
            Status::Draft
                | Status::InReview
                | Status::Approved
                | Status::Scheduled
                | Status::Rejected
                | Status::Failed
        )
    }
}

/// Something done to a publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// New words, a new campaign or other channels.
    Edit,
    /// Sent for review.
    Submit,
    /// One reviewer's approval; `complete` when it was the last one needed.
    Approve {
        /// All tiers are now complete.
        complete: bool,
    },
    /// Sent back with a reason.
    Reject,
    /// Given its due minute.
    Schedule,
    /// Taken off the schedule (back to approved).
    Unschedule,
    /// Handed to its channels at the due minute.
    Release,
    /// Every channel answered: all took it, or one refused for good.
    Settle {
        /// Whether every channel took it.
        ok: bool,
    },
    /// Found unsendable before it was due (channel gone, secret missing).
    Fail,
}

/// The status `step` leads to from `from`, or why it may not happen.
pub fn next(from: Status, step: Step) -> Result<Status, CoreError> {
    use Status as S;
    let to = match (from, step) {
        // An edit after approval (or while scheduled) needs the review again;
        // a rejected or failed publication goes back to being a draft.
        (S::Draft | S::Rejected | S::Failed, Step::Edit) => S::Draft,
        (S::InReview | S::Approved | S::Scheduled, Step::Edit) => S::InReview,
        (S::Draft, Step::Submit) => S::InReview,
        (S::InReview, Step::Approve { complete: false }) => S::InReview,
        (S::InReview, Step::Approve { complete: true }) => S::Approved,
        (S::InReview | S::Approved, Step::Reject) => S::Rejected,
        (S::Approved, Step::Schedule) => S::Scheduled,
        // Moving the due minute keeps it scheduled.
        (S::Scheduled, Step::Schedule) => S::Scheduled,
        (S::Scheduled, Step::Unschedule) => S::Approved,
        (S::Scheduled, Step::Release) => S::Publishing,
        (S::Publishing, Step::Settle { ok: true }) => S::Published,
        (S::Publishing, Step::Settle { ok: false }) => S::Failed,
        (S::Scheduled, Step::Fail) => S::Failed,
        (from, step) => return Err(invalid(refusal(from, step))),
    };
    Ok(to)
}

fn refusal(from: Status, step: Step) -> String {
    let what = match step {
        Step::Edit => "edited",
        Step::Submit => "submitted for review",
        Step::Approve { .. } => "approved",
        Step::Reject => "rejected",
        Step::Schedule => "scheduled",
        Step::Unschedule => "taken off the schedule",
        Step::Release => "published",
        Step::Settle { .. } => "settled",
        Step::Fail => "failed",
    };
    let hint = match (from, step) {
        (Status::Published | Status::Publishing, Step::Edit) => {
            ": it has gone out; write a new publication instead"
        }
        (Status::InReview, Step::Schedule) => ": it still needs its approvals",
        (Status::Draft | Status::Rejected, Step::Schedule) => ": submit it for review first",
        (Status::Draft | Status::Rejected, Step::Approve { .. }) => ": it was not submitted",
        (Status::Approved, Step::Approve { .. }) => ": it is already approved",
        _ => "",
    };
    format!(
        "a publication that is {} cannot be {what}{hint}",
        from.label().to_lowercase()
    )
}

/// Who may approve in one tier, and how many of them must.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// Approvals this tier needs (1 to 5).
    pub approvals: u8,
    /// Members with these roles may approve.
    #[serde(default)]
    pub roles: Vec<String>,
    /// These people (user ids) may approve, whatever their role.
    #[serde(default)]
    pub people: Vec<i64>,
}

impl Tier {
    /// Whether `user_id` with `role` on the profile may approve in it.
    pub fn admits(&self, user_id: i64, role: Option<ProfileRole>) -> bool {
        self.people.contains(&user_id)
            || role.is_some_and(|r| self.roles.iter().any(|n| n == r.as_str()))
    }
}

/// A profile's approval rules: tiers approved in order. No tier means a
/// submitted publication is approved at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRules {
    /// The tiers, first to last.
    #[serde(default)]
    pub tiers: Vec<Tier>,
}

/// At most this many tiers.
pub const MOST_TIERS: usize = 3;
/// At most this many approvals in one tier.
pub const MOST_APPROVALS: u8 = 5;

impl ApprovalRules {
    /// One tier of one approval by an owner: what a profile starts with.
    pub fn starting() -> ApprovalRules {
        ApprovalRules {
            tiers: vec![Tier {
                approvals: 1,
                roles: vec![ProfileRole::Owner.as_str().to_owned()],
                people: Vec::new(),
            }],
        }
    }

    /// Checks rules as an owner set them; `members` are the profile's
    /// members with their roles, so that a tier nobody could complete is
    /// refused when saved rather than found when a draft waits forever.
    pub fn validate(&self, members: &[(i64, ProfileRole)]) -> Result<(), CoreError> {
        if self.tiers.len() > MOST_TIERS {
            return Err(invalid(format!(
                "approval rules have at most {MOST_TIERS} tiers"
            )));
        }
        for (i, tier) in self.tiers.iter().enumerate() {
            let n = i + 1;
            if tier.approvals == 0 || tier.approvals > MOST_APPROVALS {
                return Err(invalid(format!(
                    "tier {n} needs 1 to {MOST_APPROVALS} approvals"
                )));
            }
            for role in &tier.roles {
                if ProfileRole::parse(role).is_none() {
                    return Err(invalid(format!(
                        "tier {n}: unknown role '{role}' (owner, editor, responder or observer)"
                    )));
                }
            }
            if let Some(p) = tier
                .people
                .iter()
                .find(|p| !members.iter().any(|(u, _)| u == *p))
            {
                return Err(invalid(format!(
                    "tier {n}: person {p} is not a member of this profile"
                )));
            }
            let eligible = members
                .iter()
                .filter(|(u, r)| tier.admits(*u, Some(*r)))
                .count();
            if eligible < usize::from(tier.approvals) {
                return Err(invalid(format!(
                    "tier {n} needs {} approvals but only {eligible} members may give them",
                    tier.approvals
                )));
            }
        }
        Ok(())
    }
}

/// One approval given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approval {
    /// Who.
    pub user_id: i64,
    /// In which tier (0-based).
    pub tier: usize,
}

/// How far a publication's review has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Every tier has its approvals.
    Complete,
    /// Waiting in `tier` (0-based), which has `have` of `need`.
    Waiting {
        /// The tier waiting.
        tier: usize,
        /// Approvals it has.
        have: usize,
        /// Approvals it needs.
        need: usize,
    },
}

/// Where review stands given the approvals so far.
pub fn progress(rules: &ApprovalRules, approvals: &[Approval]) -> Progress {
    for (i, tier) in rules.tiers.iter().enumerate() {
        let have = approvals.iter().filter(|a| a.tier == i).count();
        let need = usize::from(tier.approvals);
        if have < need {
            return Progress::Waiting {
                tier: i,
                have,
                need,
            };
        }
    }
    Progress::Complete
}

/// What the rules say about one person approving now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalStanding {
    /// They wrote it.
    pub writer: bool,
    /// They already approved this version.
    pub already: bool,
    /// The tier waiting now admits them (None when nothing waits).
    pub tier: Option<usize>,
    /// Their approval completes the review.
    pub completes: bool,
}

/// Where `user_id` with `role` stands as a reviewer of a publication
/// written by `writer_id`: the policy module decides from this.
pub fn standing(
    rules: &ApprovalRules,
    approvals: &[Approval],
    writer_id: i64,
    user_id: i64,
    role: Option<ProfileRole>,
) -> ApprovalStanding {
    let already = approvals.iter().any(|a| a.user_id == user_id);
    let tier = match progress(rules, approvals) {
        Progress::Waiting { tier, .. } if rules.tiers[tier].admits(user_id, role) => Some(tier),
        _ => None,
    };
    let completes = tier.is_some_and(|t| {
        let mut after = approvals.to_vec();
        after.push(Approval { user_id, tier: t });
        progress(rules, &after) == Progress::Complete
    });
    ApprovalStanding {
        writer: writer_id == user_id,
        already,
        tier,
        completes,
    }
}

/// The reason given when a reviewer sends a publication back.
pub fn validate_reason(reason: &str) -> Result<String, CoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid(
            "say why it is sent back: the writer sees the reason",
        ));
    }
    if reason.chars().count() > 1000 {
        return Err(invalid("a reason is at most 1000 characters"));
    }
    Ok(reason.to_owned())
}

/// A comment on a draft.
pub fn validate_comment(text: &str) -> Result<String, CoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("a comment needs some text"));
    }
    if text.chars().count() > 2000 {
        return Err(invalid("a comment is at most 2000 characters"));
    }
    Ok(text.to_owned())
}

/// A publication's working title (what the calendar shows).
pub fn validate_title(title: &str) -> Result<String, CoreError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(invalid("a publication needs a title"));
    }
    if title.chars().count() > 200 || title.chars().any(char::is_control) {
        return Err(invalid("a title is at most 200 characters on one line"));
    }
    Ok(title.to_owned())
}

/// The longest text each kind of channel takes, and whether it needs a
/// subject line.
pub fn limits(kind: ChannelKind) -> (usize, bool) {
    match kind {
        // A post in the network.
        ChannelKind::Feed => (5000, false),
        ChannelKind::Webhook => (crate::channel::MOST_TEXT_CHARS, false),
        ChannelKind::Email => (crate::channel::MOST_TEXT_CHARS, true),
    }
}

/// Checks one channel's variant: its text within the channel's length,
/// and a subject where the channel needs one.
pub fn validate_variant(
    kind: ChannelKind,
    channel_name: &str,
    subject: &str,
    text: &str,
) -> Result<(String, String), CoreError> {
    let (most, needs_subject) = limits(kind);
    let text = text.trim();
    let subject = subject.trim();
    if text.is_empty() {
        return Err(invalid(format!(
            "the variant for '{channel_name}' has no text"
        )));
    }
    let chars = text.chars().count();
    if chars > most {
        return Err(invalid(format!(
            "the variant for '{channel_name}' is {chars} characters; a {} channel takes at most {most}",
            kind.as_str()
        )));
    }
    if needs_subject && subject.is_empty() {
        return Err(invalid(format!(
            "the variant for '{channel_name}' needs a subject line (it is an e-mail)"
        )));
    }
    if subject.chars().count() > crate::channel::MOST_TITLE_CHARS
        || subject.chars().any(char::is_control)
    {
        return Err(invalid(format!(
            "the subject for '{channel_name}' is at most {} characters on one line",
            crate::channel::MOST_TITLE_CHARS
        )));
    }
    Ok((subject.to_owned(), text.to_owned()))
}

/// The due minute of a schedule typed as a wall-clock time in the
/// profile's zone; refused when it is not at least a minute ahead of `now`.
pub fn due_minute(zone: Tz, local: &str, now: Timestamp) -> Result<Timestamp, CoreError> {
    let local = crate::roster::parse_local(local, "the time to publish")
        .map_err(|e| invalid(e.to_string()))?;
    let at = crate::roster::instant_of(zone, local);
    let minute = Timestamp(at.micros() - at.micros().rem_euclid(60_000_000));
    if minute.micros() <= now.micros() {
        return Err(invalid(format!(
            "{} is in the past: choose a time ahead of now",
            crate::roster::format_in(zone, minute, "%Y-%m-%d %H:%M %Z")
        )));
    }
    Ok(minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(tiers: &[(u8, &[&str], &[i64])]) -> ApprovalRules {
        ApprovalRules {
            tiers: tiers
                .iter()
                .map(|(n, roles, people)| Tier {
                    approvals: *n,
                    roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                    people: people.to_vec(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_publication_goes_from_draft_to_published() {
        let mut s = Status::Draft;
        for step in [
            Step::Submit,
            Step::Approve { complete: false },
            Step::Approve { complete: true },
            Step::Schedule,
            Step::Release,
            Step::Settle { ok: true },
        ] {
            s = next(s, step).expect("valid");
        }
        assert_eq!(s, Status::Published);
    }

    #[test]
    fn an_edit_after_approval_goes_back_to_review_and_a_published_one_never_changes() {
        assert_eq!(
            next(Status::Approved, Step::Edit).expect("valid"),
            Status::InReview
        );
        assert_eq!(
            next(Status::Scheduled, Step::Edit).expect("valid"),
            Status::InReview
        );
        assert_eq!(
            next(Status::Rejected, Step::Edit).expect("valid"),
            Status::Draft
        );
        let e = next(Status::Published, Step::Edit)
            .expect_err("refused")
            .to_string();
        assert!(e.contains("has gone out"), "{e}");
        assert!(next(Status::Publishing, Step::Edit).is_err());
        assert!(next(Status::Draft, Step::Schedule).is_err());
        assert!(next(Status::Approved, Step::Approve { complete: true }).is_err());
        assert!(next(Status::Published, Step::Release).is_err());
    }

    #[test]
    fn every_status_reads_back_from_its_name() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("sent"), None);
    }

    #[test]
    fn tiers_are_approved_in_order_and_never_by_the_writer() {
        // Tier 1: one editor or owner; tier 2: person 9 (legal).
        let r = rules(&[(1, &["editor", "owner"], &[]), (1, &[], &[9])]);
        let editor = Some(ProfileRole::Editor);
        let s = standing(&r, &[], 1, 1, editor);
        assert!(s.writer);
        // Legal cannot approve before tier 1 is done.
        assert_eq!(standing(&r, &[], 1, 9, None).tier, None);
        let s = standing(&r, &[], 1, 2, editor);
        assert_eq!((s.tier, s.completes), (Some(0), false));
        let after = [Approval {
            user_id: 2,
            tier: 0,
        }];
        assert_eq!(
            progress(&r, &after),
            Progress::Waiting {
                tier: 1,
                have: 0,
                need: 1
            }
        );
        let s = standing(&r, &after, 1, 9, None);
        assert_eq!((s.tier, s.completes), (Some(1), true));
        let s = standing(&r, &after, 1, 2, editor);
        assert!(s.already);
        assert_eq!(s.tier, None);
    }

    #[test]
    fn no_tiers_means_approved_on_submission() {
        assert_eq!(progress(&ApprovalRules::default(), &[]), Progress::Complete);
    }

    #[test]
    fn rules_nobody_could_complete_are_refused() {
        let members = [(1, ProfileRole::Owner), (2, ProfileRole::Editor)];
        assert!(rules(&[(1, &["owner"], &[])]).validate(&members).is_ok());
        let e = rules(&[(2, &["owner"], &[])])
            .validate(&members)
            .expect_err("refused")
            .to_string();
        assert!(e.contains("only 1 members"), "{e}");
        assert!(rules(&[(1, &["boss"], &[])]).validate(&members).is_err());
        assert!(rules(&[(1, &[], &[77])]).validate(&members).is_err());
        assert!(rules(&[(0, &["owner"], &[])]).validate(&members).is_err());
        let four = rules(&[
            (1, &["owner"], &[]),
            (1, &["owner"], &[]),
            (1, &["owner"], &[]),
            (1, &["owner"], &[]),
        ]);
        assert!(four.validate(&members).is_err());
    }

    #[test]
    fn a_variant_over_its_channels_length_is_refused_with_the_numbers() {
        let long = "x".repeat(5001);
        let e = validate_variant(ChannelKind::Feed, "Acme news", "", &long)
            .expect_err("refused")
            .to_string();
        assert!(e.contains("5001") && e.contains("5000"), "{e}");
        assert!(validate_variant(ChannelKind::Webhook, "Partner", "", &long).is_ok());
        assert!(validate_variant(ChannelKind::Email, "Press", "", "hello").is_err());
        assert!(validate_variant(ChannelKind::Email, "Press", "News", "hello").is_ok());
        assert!(validate_variant(ChannelKind::Feed, "Acme news", "", "  ").is_err());
    }

    #[test]
    fn a_schedule_is_a_future_minute_in_the_profiles_zone() {
        let zone: Tz = "Europe/Amsterdam".parse().expect("valid");
        // 2026-12-03T12:00Z.
        let now = Timestamp::parse_rfc3339("2026-12-03T12:00:00Z").expect("valid");
        let due = due_minute(zone, "2026-12-03T14:30", now).expect("valid");
        assert_eq!(due.to_rfc3339(), "2026-12-03T13:30:00Z");
        let e = due_minute(zone, "2026-12-03T12:59", now)
            .expect_err("refused")
            .to_string();
        assert!(e.contains("in the past"), "{e}");
        assert!(due_minute(zone, "tomorrow", now).is_err());
        // A time the clocks skip (spring forward) is the first minute after.
        let spring = due_minute(zone, "2027-03-28T02:30", now).expect("valid");
        assert_eq!(spring.to_rfc3339(), "2027-03-28T01:00:00Z");
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        assert!(validate_reason("  ").is_err());
        assert_eq!(validate_reason(" tone ").expect("valid"), "tone");
    }
}
