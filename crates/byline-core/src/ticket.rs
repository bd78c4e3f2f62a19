//! Tickets: the help desk's record of one request. Their status moves
//! along a fixed set of transitions, and a ticket's subject is taken from
//! the words that opened it.

use crate::error::CoreError;
use serde::{Deserialize, Serialize};

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Arrived; nobody has acted on it yet.
    New,
    /// Being worked on.
    Open,
    /// Waiting for the requester (SLA clocks pause).
    Pending,
    /// Waiting for someone else, a supplier or a part (clocks pause).
    OnHold,
    /// Answered; the requester may still reply and reopen it.
    Solved,
    /// Finished for good; a reply starts a new, linked ticket.
    Closed,
}

impl TicketStatus {
    /// Every status, in workflow order.
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::Pending,
        TicketStatus::OnHold,
        TicketStatus::Solved,
        TicketStatus::Closed,
    ];

    /// The stored and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::OnHold => "on_hold",
            TicketStatus::Solved => "solved",
            TicketStatus::Closed => "closed",
        }
    }

    /// Parses the API spelling.
    pub fn parse(s: &str) -> Result<TicketStatus, CoreError> {
        TicketStatus::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| {
                CoreError::InvalidTicket(format!(
                    "unknown status '{}': expected one of new, open, pending, on_hold, solved, closed",
                    s.trim()
                ))
            })
    }

    /// Whether SLA clocks stand still in this status.
    pub fn pauses_clocks(self) -> bool {
        matches!(self, TicketStatus::Pending | TicketStatus::OnHold)
    }

    /// Whether the ticket is still to be answered (counts in backlogs).
    pub fn is_active(self) -> bool {
        !matches!(self, TicketStatus::Solved | TicketStatus::Closed)
    }

    /// Whether a member may move a ticket from `self` to `to`. Nothing goes
    /// back to `new`; a closed ticket stays closed; only a solved ticket
    /// may be closed (by hand or after the configured days).
    pub fn may_become(self, to: TicketStatus) -> bool {
        use TicketStatus::*;
        match (self, to) {
            (a, b) if a == b => false,
            (_, New) | (Closed, _) => false,
            (Solved, Open | Closed) => true,
            (Solved, _) => false,
            (_, Closed) => false,
            _ => true,
        }
    }

    /// The move from `self` to `to`, or why it is refused.
    pub fn become_(self, to: TicketStatus) -> Result<TicketStatus, CoreError> {
        if self.may_become(to) {
            return Ok(to);
        }
        let why = if self == to {
            format!("the ticket is already {}", self.as_str())
        } else if self == TicketStatus::Closed {
            "a closed ticket cannot change; a reply to it opens a new ticket".to_owned()
        } else if to == TicketStatus::New {
            "a ticket cannot go back to new".to_owned()
        } else if to == TicketStatus::Closed {
            "only a solved ticket can be closed".to_owned()
        } else {
            format!(
                "a solved ticket can only be reopened or closed, not made {}",
                to.as_str()
            )
        };
        Err(CoreError::InvalidTicket(why))
    }

    /// Where a requester's reply takes the ticket: back to `open` from
    /// waiting on them or from solved; `None` when closed (the reply
    /// starts a new ticket) or already being worked on.
    pub fn after_requester_reply(self) -> Option<TicketStatus> {
        match self {
            TicketStatus::Pending | TicketStatus::Solved => Some(TicketStatus::Open),
            _ => None,
        }
    }
}

/// How urgent a ticket is; SLA targets are set per priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Whenever there is time.
    Low,
    /// The default.
    Normal,
    /// Soon.
    High,
    /// Now.
    Urgent,
}

impl Priority {
    /// Every priority, least urgent first.
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    /// The stored and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// Parses the API spelling.
    pub fn parse(s: &str) -> Result<Priority, CoreError> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| {
                CoreError::InvalidTicket(format!(
                    "unknown priority '{}': expected low, normal, high or urgent",
                    s.trim()
                ))
            })
    }
}

/// Longest subject, in characters.
pub const SUBJECT_MAX: usize = 120;

/// A ticket's subject from the text that opened it: the first line that
/// says something once leading mentions are dropped, whitespace folded,
/// cut at a word within [`SUBJECT_MAX`] characters.
pub fn subject_from(text: &str) -> String {
    let line = text
        .lines()
        .map(|l| {
            l.split_whitespace()
                .skip_while(|w| w.starts_with('@'))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if line.is_empty() {
        return "(no subject)".to_owned();
    }
    if line.chars().count() <= SUBJECT_MAX {
        return line;
    }
    let mut cut = String::new();
    for word in line.split(' ') {
        if cut.chars().count() + word.chars().count() + 1 > SUBJECT_MAX - 1 {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    if cut.is_empty() {
        cut = line.chars().take(SUBJECT_MAX - 1).collect();
    }
    cut.push('…');
    cut
}

/// Most tags on one ticket.
pub const TAGS_MAX: usize = 10;

/// Longest tag, in characters.
pub const TAG_MAX_LEN: usize = 32;

/// A ticket's tag: one lowercase word of `a-z`, `0-9` and `-`, 1 to
/// [`TAG_MAX_LEN`] characters, so that `?tag=wifi` finds it however it
/// was typed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(String);

impl Tag {
    /// Parses a tag, refusing anything but lowercase letters, digits and
    /// hyphens (surrounding blanks are dropped; nothing is lowercased, so
    /// what is stored is what was asked for).
    pub fn parse(s: &str) -> Result<Tag, CoreError> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.len() <= TAG_MAX_LEN
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Tag(t.to_owned()))
        } else {
            Err(CoreError::InvalidTicket(format!(
                "'{}' is not a tag: a tag is 1 to {TAG_MAX_LEN} of a-z, 0-9 and '-'",
                t.chars().take(40).collect::<String>()
            )))
        }
    }

    /// The tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket's whole set of tags: each checked, duplicates dropped, sorted,
/// at most [`TAGS_MAX`]; refused whole if any one is bad.
pub fn parse_tags<S: AsRef<str>>(tags: &[S]) -> Result<Vec<Tag>, CoreError> {
    let mut out = tags
        .iter()
        .map(|t| Tag::parse(t.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    if out.len() > TAGS_MAX {
        return Err(CoreError::InvalidTicket(format!(
            "a ticket has at most {TAGS_MAX} tags (got {})",
            out.len()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_lowercase_words_and_at_most_ten() {
        let tags = parse_tags(&["wifi", " floor-3 ", "wifi", "vpn2"]).expect("tags");
        let names: Vec<&str> = tags.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["floor-3", "vpn2", "wifi"], "sorted, no duplicates");
        for bad in ["", "WiFi", "wi fi", "wifi!", "é", &"x".repeat(33)] {
            assert!(Tag::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Tag::parse(&"x".repeat(32)).is_ok());
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert!(parse_tags(&eleven).is_err());
        assert!(parse_tags(&eleven[..10]).is_ok());
        assert!(parse_tags(&["ok", "NOT"]).is_err(), "refused whole");
        assert!(parse_tags::<&str>(&[]).expect("none").is_empty());
    }

    #[test]
    fn the_workflow_allows_what_a_desk_does_and_nothing_else() {
        use TicketStatus::*;
        assert!(New.may_become(Open));
        assert!(New.may_become(Solved), "answered at once");
        assert!(Open.may_become(Pending) && Pending.may_become(OnHold));
        assert!(OnHold.may_become(Open));
        assert!(Solved.may_become(Open) && Solved.may_become(Closed));
        for to in TicketStatus::ALL {
            assert!(!Closed.may_become(to), "closed stays closed");
            assert!(!to.may_become(New), "nothing goes back to new");
            assert!(!to.may_become(to), "a move changes something");
        }
        assert!(!Open.may_become(Closed), "close only what was solved");
        assert!(!Solved.may_become(Pending));
        let err = Closed.become_(Open).expect_err("refused").to_string();
        assert!(err.contains("new ticket"), "{err}");
        let err = Open.become_(Open).expect_err("refused").to_string();
        assert!(err.contains("already open"), "{err}");
    }

    #[test]
    fn a_requester_reply_reopens_what_waited_on_them() {
        use TicketStatus::*;
        assert_eq!(Pending.after_requester_reply(), Some(Open));
        assert_eq!(Solved.after_requester_reply(), Some(Open));
        assert_eq!(OnHold.after_requester_reply(), None);
        assert_eq!(Closed.after_requester_reply(), None);
        assert_eq!(New.after_requester_reply(), None);
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()).expect("status"), s);
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()).expect("priority"), p);
        }
        assert!(TicketStatus::parse("done").is_err());
        assert!(Priority::parse("critical").is_err());
    }

    #[test]
    fn the_subject_is_the_first_thing_said() {
        assert_eq!(
            subject_from("@it-helpdesk wifi down on floor 3\nsince 9am"),
            "wifi down on floor 3"
        );
        assert_eq!(
            subject_from("@it-helpdesk\n\n  printer   jammed "),
            "printer jammed"
        );
        assert_eq!(subject_from("@it-helpdesk"), "(no subject)");
        let long = "word ".repeat(60);
        let s = subject_from(&long);
        assert!(s.chars().count() <= SUBJECT_MAX && s.ends_with('…'), "{s}");
        let unbroken = "x".repeat(300);
        assert_eq!(subject_from(&unbroken).chars().count(), SUBJECT_MAX);
    }
}
