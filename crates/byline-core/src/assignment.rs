//! Who a new ticket goes to: one of the members who may work it and are
//! on shift now, round-robin or least-loaded, never one already at their
//! open-ticket limit.

use crate::error::CoreError;

/// How a help desk hands out new tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// Each in turn, by member.
    RoundRobin,
    /// Whoever has the fewest open tickets (then whoever is next in turn).
    LeastLoaded,
    /// Nobody: tickets wait in the unassigned queue.
    Manual,
}

impl Assignment {
    /// The stored and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::RoundRobin => "round_robin",
            Assignment::LeastLoaded => "least_loaded",
            Assignment::Manual => "manual",
        }
    }

    /// Parses the API spelling.
    pub fn parse(s: &str) -> Result<Assignment, CoreError> {
        match s.trim() {
            "round_robin" => Ok(Assignment::RoundRobin),
            "least_loaded" => Ok(Assignment::LeastLoaded),
            "manual" => Ok(Assignment::Manual),
            other => Err(CoreError::InvalidTicket(format!(
                "unknown assignment '{other}': expected round_robin, least_loaded or manual"
            ))),
        }
    }
}

/// A member who could take a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The member.
    pub user_id: i64,
    /// Their open tickets on this desk now.
    pub open: i64,
}

/// The member a new ticket goes to, or `None` (everyone at their limit,
/// nobody on shift, or manual assignment). `after` is the member who was
/// given the last ticket, so that turns go round in member order.
pub fn choose(
    strategy: Assignment,
    candidates: &[Candidate],
    limit: i64,
    after: Option<i64>,
) -> Option<i64> {
    let mut free: Vec<Candidate> = candidates
        .iter()
        .copied()
        .filter(|c| c.open < limit)
        .collect();
    free.sort_by_key(|c| c.user_id);
    free.dedup_by_key(|c| c.user_id);
    // Members in turn order: the first one after `after`, wrapping round.
    let split = after.map_or(0, |a| free.partition_point(|c| c.user_id <= a));
    let in_turn = free[split..].iter().chain(&free[..split]);
    match strategy {
        Assignment::Manual => None,
        Assignment::RoundRobin => in_turn.map(|c| c.user_id).next(),
        Assignment::LeastLoaded => in_turn
            .enumerate()
            .min_by_key(|(turn, c)| (c.open, *turn))
            .map(|(_, c)| c.user_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{prop_assert, prop_assert_eq, proptest};

    fn c(user_id: i64, open: i64) -> Candidate {
        Candidate { user_id, open }
    }

    #[test]
    fn round_robin_goes_round_in_member_order() {
        let team = [c(3, 0), c(1, 0), c(2, 0)];
        let mut last = None;
        let mut order = Vec::new();
        for _ in 0..4 {
            last = choose(Assignment::RoundRobin, &team, 10, last);
            order.push(last.expect("someone"));
        }
        assert_eq!(order, [1, 2, 3, 1]);
    }

    #[test]
    fn a_member_at_the_limit_is_skipped() {
        let team = [c(1, 5), c(2, 1), c(3, 5)];
        assert_eq!(choose(Assignment::RoundRobin, &team, 5, Some(1)), Some(2));
        assert_eq!(choose(Assignment::RoundRobin, &team, 5, Some(2)), Some(2));
        assert_eq!(choose(Assignment::RoundRobin, &[c(1, 5)], 5, None), None);
    }

    #[test]
    fn least_loaded_takes_the_lightest_then_the_next_in_turn() {
        let team = [c(1, 3), c(2, 1), c(3, 1)];
        assert_eq!(choose(Assignment::LeastLoaded, &team, 10, None), Some(2));
        assert_eq!(choose(Assignment::LeastLoaded, &team, 10, Some(2)), Some(3));
        assert_eq!(choose(Assignment::Manual, &team, 10, None), None);
        assert_eq!(choose(Assignment::LeastLoaded, &[], 10, None), None);
    }

    #[test]
    fn names_round_trip() {
        for s in [
            Assignment::RoundRobin,
            Assignment::LeastLoaded,
            Assignment::Manual,
        ] {
            assert_eq!(Assignment::parse(s.as_str()).expect("known"), s);
        }
        assert!(Assignment::parse("random").is_err());
    }

    proptest! {
        /// Whoever is chosen is a candidate under the limit; nobody is
        /// chosen only when there is none; least-loaded picks a lightest.
        #[test]
        fn the_choice_is_always_allowed(
            team in proptest::collection::vec((1i64..20, 0i64..8), 0..10),
            limit in 1i64..8,
            after in proptest::option::of(0i64..21),
        ) {
            // One entry per member, as the store gives them.
            let team: Vec<Candidate> = team
                .into_iter()
                .collect::<std::collections::BTreeMap<i64, i64>>()
                .into_iter()
                .map(|(u, o)| c(u, o))
                .collect();
            for s in [Assignment::RoundRobin, Assignment::LeastLoaded] {
                let chosen = choose(s, &team, limit, after);
                let free: Vec<&Candidate> = team.iter().filter(|c| c.open < limit).collect();
                prop_assert_eq!(chosen.is_none(), free.is_empty());
                if let Some(u) = chosen {
                    prop_assert!(free.iter().any(|c| c.user_id == u));
                    if s == Assignment::LeastLoaded {
                        let min = free.iter().map(|c| c.open).min();
                        let mine = free.iter().filter(|c| c.user_id == u).map(|c| c.open).min();
                        prop_assert_eq!(mine, min);
                    }
                }
            }
        }
    }
}
