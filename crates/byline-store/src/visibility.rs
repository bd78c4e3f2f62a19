//! Permission rules of the one policy module (`byline_core::policy`)
//! expressed as SQL, for queries that must filter many rows at once
//! (timelines, search, counts, notifications). Each predicate names the rule
//! it mirrors; `tests/predicates.rs` checks, over a generated population on
//! both backends, that each agrees exactly with the policy. No other SQL in
//! the store restates a permission rule.

/// `Action::ReadCommunity` for a post's community: true when the post
/// aliased `p` is readable by the profile bound at `viewer` (outside any
/// community, in an open one, or in one where the viewer is a full member).
pub(crate) fn readable_post(viewer: &str) -> String {
    format!(
        "(p.community_id IS NULL \
          OR EXISTS (SELECT 1 FROM communities vc WHERE vc.id = p.community_id AND vc.visibility = 'open') \
          OR EXISTS (SELECT 1 FROM community_members vm WHERE vm.community_id = p.community_id \
                     AND vm.profile_id = {viewer} AND vm.state = 'member'))"
    )
}

/// `Action::SeeCommunity`: true when the community aliased `c` may be known
/// to exist by the viewer whose membership row (LEFT JOINed) is aliased
/// `m`: open and closed ones, and secret ones they belong to or are invited
/// to (admins included in the rule).
pub(crate) fn visible_community(c: &str, m: &str) -> String {
    format!("({c}.visibility <> 'secret' OR {m}.state IN ('member', 'invited'))")
}

/// `Membership::moderates` (and so `Action::ModerateCommunity`): true for
/// the membership row aliased `m` of a full member who is an owner or a
/// moderator.
pub(crate) fn moderates(m: &str) -> String {
    format!("({m}.state = 'member' AND {m}.role IN ('owner', 'moderator'))")
}
