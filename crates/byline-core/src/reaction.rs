//! The fixed set of reactions; each profile gives each at most once per post.

use crate::CoreError;

/// One of the reactions Byline offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reaction {
    /// 👍
    ThumbsUp,
    /// ❤️
    Heart,
    /// 🎉
    Tada,
    /// 😂
    Laugh,
    /// 😮
    Surprised,
    /// 😢
    Sad,
    /// 🙏
    Thanks,
    /// 👀
    Eyes,
}

impl Reaction {
    /// Every reaction, in display order.
    pub const ALL: [Reaction; 8] = [
        Reaction::ThumbsUp,
        Reaction::Heart,
        Reaction::Tada,
        Reaction::Laugh,
        Reaction::Surprised,
        Reaction::Sad,
        Reaction::Thanks,
        Reaction::Eyes,
    ];

    /// The stable name used in the API and storage.
    pub fn name(self) -> &'static str {
        match self {
            Reaction::ThumbsUp => "thumbs_up",
            Reaction::Heart => "heart",
            Reaction::Tada => "tada",
            Reaction::Laugh => "laugh",
            Reaction::Surprised => "surprised",
            Reaction::Sad => "sad",
            Reaction::Thanks => "thanks",
            Reaction::Eyes => "eyes",
        }
    }

    /// The emoji shown.
    pub fn emoji(self) -> &'static str {
        match self {
            Reaction::ThumbsUp => "👍",
            Reaction::Heart => "❤️",
            Reaction::Tada => "🎉",
            Reaction::Laugh => "😂",
            Reaction::Surprised => "😮",
            Reaction::Sad => "😢",
            Reaction::Thanks => "🙏",
            Reaction::Eyes => "👀",
        }
    }

    /// Parses a name or the emoji itself.
    pub fn parse(s: &str) -> Result<Reaction, CoreError> {
        Reaction::ALL
            .into_iter()
            .find(|r| r.name() == s || r.emoji() == s)
            .ok_or_else(|| CoreError::UnknownReaction(s.chars().take(40).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_emoji_round_trip_and_others_are_refused() {
        for r in Reaction::ALL {
            assert_eq!(Reaction::parse(r.name()), Ok(r));
            assert_eq!(Reaction::parse(r.emoji()), Ok(r));
        }
        assert!(Reaction::parse("💩").is_err());
        assert!(Reaction::parse("").is_err());
    }
}
