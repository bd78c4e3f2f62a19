//! Canned replies: a help desk's ready answers, with placeholders filled in
//! for the ticket at hand. A placeholder is a name in double braces; only
//! the names below exist, and a reply naming another is refused when it is
//! saved, so an answer never goes out with `{{requestor}}` in it.

use crate::error::CoreError;

/// The placeholders a canned reply may use.
pub const PLACEHOLDERS: [&str; 4] = ["requester", "requester_name", "ticket", "assignee"];

/// Longest canned reply, in characters.
pub const MAX_CHARS: usize = 5_000;

/// The values for one ticket.
#[derive(Debug, Clone, Default)]
pub struct Values<'a> {
    /// `@handle` of the requester.
    pub requester: &'a str,
    /// Their name.
    pub requester_name: &'a str,
    /// `#12`.
    pub ticket: &'a str,
    /// The assignee, or the desk's name when nobody has it or the
    /// profile's policy does not let the requester see who speaks for it.
    pub assignee: &'a str,
}

/// The placeholders `body` names, in order, each once.
fn names(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if !out.contains(&name) {
            out.push(name);
        }
        rest = &after[end + 2..];
    }
    out
}

/// Checks a canned reply: a title, a body within [`MAX_CHARS`], and only
/// known placeholders.
pub fn check(title: &str, body: &str) -> Result<(), CoreError> {
    let invalid = |m: String| CoreError::InvalidTicket(m);
    if title.trim().is_empty() || title.chars().count() > 100 {
        return Err(invalid(
            "a canned reply needs a title of 1 to 100 characters".into(),
        ));
    }
    if body.trim().is_empty() || body.chars().count() > MAX_CHARS {
        return Err(invalid(format!(
            "a canned reply is 1 to {MAX_CHARS} characters"
        )));
    }
    let unknown: Vec<&str> = names(body)
        .into_iter()
        .filter(|n| !PLACEHOLDERS.contains(n))
        .collect();
    if !unknown.is_empty() {
        return Err(invalid(format!(
            "unknown placeholder{} {}: use {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown
                .iter()
                .map(|n| format!("{{{{{n}}}}}"))
                .collect::<Vec<_>>()
                .join(", "),
            PLACEHOLDERS
                .iter()
                .map(|n| format!("{{{{{n}}}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// `body` with its placeholders filled in for one ticket.
pub fn fill(body: &str, v: &Values<'_>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let value = match after[..end].trim() {
            "requester" => v.requester,
            "requester_name" => v.requester_name,
            "ticket" => v.ticket,
            "assignee" => v.assignee,
            // Refused when saved; kept as typed should one slip through.
            _ => &rest[start..start + 2 + end + 2],
        };
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_for_the_ticket() {
        let body = "Hi {{requester_name}}, about {{ticket}}: {{ assignee }} is on it. {not one}";
        check("Taking it", body).expect("fine");
        let v = Values {
            requester: "@sam",
            requester_name: "Sam Okafor",
            ticket: "#12",
            assignee: "Omar",
        };
        assert_eq!(
            fill(body, &v),
            "Hi Sam Okafor, about #12: Omar is on it. {not one}"
        );
    }

    #[test]
    fn unknown_placeholders_and_empty_replies_are_refused() {
        let err = check("t", "Dear {{requestor}}, see {{ticket}} and {{eta}}")
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("{{requestor}}") && err.contains("{{eta}}"),
            "{err}"
        );
        assert!(err.contains("{{requester}}"), "says what exists: {err}");
        assert!(check("", "body").is_err());
        assert!(check("t", "  ").is_err());
        assert!(check("t", &"x".repeat(MAX_CHARS + 1)).is_err());
    }
}
