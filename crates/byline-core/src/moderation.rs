//! Reports and moderation: what can be reported and why, the states a
//! report goes through, and the steps moderators take. Pure rules; who may
//! report or moderate what is the policy module's, and the rows are the
//! store's.

use crate::error::CoreError;

/// Longest note on a report or a moderation step.
pub const NOTE_MAX: usize = 1_000;

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A post or a reply.
    Post(i64),
    /// A message the reporter received.
    Message(i64),
    /// A profile (personal or shared).
    Profile(i64),
    /// A community.
    Community(i64),
}

impl Target {
    /// From its stored kind and id.
    pub fn parse(kind: &str, id: i64) -> Result<Target, CoreError> {
        Ok(match kind {
            "post" => Target::Post(id),
            "message" => Target::Message(id),
            "profile" => Target::Profile(id),
            "community" => Target::Community(id),
            other => {
                return Err(CoreError::InvalidReport(format!(
                    "unknown kind '{}': report a post, message, profile or community",
                    other.chars().take(40).collect::<String>()
                )));
            }
        })
    }

    /// The stored kind.
    pub fn kind(self) -> &'static str {
        match self {
            Target::Post(_) => "post",
            Target::Message(_) => "message",
            Target::Profile(_) => "profile",
            Target::Community(_) => "community",
        }
    }

    /// The id of what it names.
    pub fn id(self) -> i64 {
        match self {
            Target::Post(id)
            | Target::Message(id)
            | Target::Profile(id)
            | Target::Community(id) => id,
        }
    }
}

/// Why something is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Harassment or bullying.
    Harassment,
    /// Hateful or discriminatory.
    Hate,
    /// Spam or advertising.
    Spam,
    /// False or misleading.
    Misinformation,
    /// Someone's private information.
    Privacy,
    /// Against the organisation's policy in another way.
    Policy,
    /// Anything else (the note says what).
    Other,
}

impl Reason {
    /// Every reason, in the order a form offers them.
    pub const ALL: [Reason; 7] = [
        Reason::Harassment,
        Reason::Hate,
        Reason::Spam,
        Reason::Misinformation,
        Reason::Privacy,
        Reason::Policy,
        Reason::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Harassment => "harassment",
            Reason::Hate => "hate",
            Reason::Spam => "spam",
            Reason::Misinformation => "misinformation",
            Reason::Privacy => "privacy",
            Reason::Policy => "policy",
            Reason::Other => "other",
        }
    }

    /// What a form calls it.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Harassment => "Harassment or bullying",
            Reason::Hate => "Hateful or discriminatory",
            Reason::Spam => "Spam or advertising",
            Reason::Misinformation => "False or misleading",
            Reason::Privacy => "Shares someone's private information",
            Reason::Policy => "Against our policies in another way",
            Reason::Other => "Something else",
        }
    }

    /// Parses a reason; none, or one not on the list, is refused.
    pub fn parse(s: &str) -> Result<Reason, CoreError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(CoreError::InvalidReport(
                "a report needs a reason: harassment, hate, spam, misinformation, privacy, policy or other".into(),
            ));
        }
        Reason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                CoreError::InvalidReport(format!(
                    "unknown reason '{}': use harassment, hate, spam, misinformation, privacy, policy or other",
                    s.chars().take(40).collect::<String>()
                ))
            })
    }
}

/// Checks a note (a report's or a moderator's): at most [`NOTE_MAX`]
/// characters, trimmed; `required` refuses an empty one (a reason "other"
/// must say what, a removal must say why).
pub fn note(text: &str, required: Option<&str>) -> Result<String, CoreError> {
    let t = text.trim();
    if t.chars().count() > NOTE_MAX {
        return Err(CoreError::InvalidReport(format!(
            "a note is at most {NOTE_MAX} characters"
        )));
    }
    if t.is_empty()
        && let Some(what) = required
    {
        return Err(CoreError::InvalidReport(what.to_owned()));
    }
    Ok(t.to_owned())
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting in the queue.
    Open,
    /// Looked at; nothing done.
    Dismissed,
    /// Acted on (hidden, removed, the writer warned or suspended).
    Actioned,
    /// Handed to an investigation.
    Escalated,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Dismissed => "dismissed",
            Status::Actioned => "actioned",
            Status::Escalated => "escalated",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<Status, CoreError> {
        Ok(match s {
            "open" => Status::Open,
            "dismissed" => Status::Dismissed,
            "actioned" => Status::Actioned,
            "escalated" => Status::Escalated,
            other => {
                return Err(CoreError::InvalidReport(format!(
                    "unknown report status '{other}'"
                )));
            }
        })
    }
}

/// A moderator's step on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing wrong: close it.
    Dismiss,
    /// Remove the post, showing the reason in its place.
    Remove {
        /// Shown where the post was.
        reason: String,
    },
}

impl Step {
    /// From a form or a request: `dismiss`, or `remove` with a reason.
    pub fn parse(step: &str, reason: &str) -> Result<Step, CoreError> {
        match step.trim() {
            "dismiss" => Ok(Step::Dismiss),
            "remove" => Ok(Step::Remove {
                reason: note(
                    reason,
                    Some("a removal needs a reason: it is shown in place of the post"),
                )?,
            }),
            other => Err(CoreError::InvalidReport(format!(
                "unknown step '{}': use dismiss or remove",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }

    /// What the report becomes.
    pub fn status(&self) -> Status {
        match self {
            Step::Dismiss => Status::Dismissed,
            Step::Remove { .. } => Status::Actioned,
        }
    }

    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Step::Dismiss => "dismiss",
            Step::Remove { .. } => "remove",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_needs_a_known_reason() {
        assert_eq!(Reason::parse(" spam ").ok(), Some(Reason::Spam));
        for bad in ["", "  ", "rude", "SPAM"] {
            assert!(Reason::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            Reason::parse("")
                .err()
                .is_some_and(|e| e.to_string().contains("needs a reason"))
        );
    }

    #[test]
    fn targets_and_steps_round_trip() {
        for kind in ["post", "message", "profile", "community"] {
            let t = Target::parse(kind, 7).expect("kind");
            assert_eq!((t.kind(), t.id()), (kind, 7));
        }
        assert!(Target::parse("ticket", 1).is_err());
        assert_eq!(Step::parse("dismiss", "").ok(), Some(Step::Dismiss));
        assert!(Step::parse("remove", "  ").is_err(), "a removal says why");
        assert_eq!(
            Step::parse("remove", "Personal attack")
                .map(|s| s.status())
                .ok(),
            Some(Status::Actioned)
        );
        assert!(note(&"x".repeat(NOTE_MAX + 1), None).is_err());
    }
}
