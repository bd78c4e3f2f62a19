//! The read rule of `policy::Action::ReadCommunity` expressed as SQL, for
//! queries that must filter many posts at once (timelines, search, counts).
//! The visibility tests check that this predicate and the policy agree.

/// A condition true when the post aliased `p` is readable by the profile
/// bound at placeholder `$viewer`: outside any community, in an open one,
/// or in one where the viewer is a full member.
pub(crate) fn readable_post(viewer: &str) -> String {
    format!(
        "(p.community_id IS NULL \
          OR EXISTS (SELECT 1 FROM communities vc WHERE vc.id = p.community_id AND vc.visibility = 'open') \
          OR EXISTS (SELECT 1 FROM community_members vm WHERE vm.community_id = p.community_id \
                     AND vm.profile_id = {viewer} AND vm.state = 'member'))"
    )
}
