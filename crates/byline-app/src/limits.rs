//! Abuse limits: how fast one person, and one network address, may write,
//! search or mint API tokens. Each limit is a token bucket (GCRA) per user
//! and a looser one per address, so a script cannot drown the others and a
//! crowd behind one NAT still gets through. Kept in memory: a restart
//! forgets them, and each node of a cluster applies its own. The operator's
//! own tasks (CLI, demo seeding) are never limited.

use crate::Error;
use crate::{Caller, Credential};
use governor::clock::{Clock, MonotonicClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Posts, replies, edits, reactions, messages, uploads.
    Write,
    /// Full-text searches.
    Search,
    /// New API tokens.
    Token,
}

/// How generous each limit is: a burst, then one more every `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed at once.
    pub burst: u32,
    /// Time to earn one more.
    pub period: Duration,
}

/// The limits of one server; per address they are `address_factor` times
/// the per-user ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Writes per person.
    pub write: Rate,
    /// Searches per person.
    pub search: Rate,
    /// API tokens per person.
    pub token: Rate,
    /// How many people's worth one address may use.
    pub address_factor: u32,
}

impl LimitSettings {
    /// These limits made `factor` times looser (bigger bursts, faster refill).
    pub fn scaled(self, factor: u32) -> LimitSettings {
        let f = factor.max(1);
        let scale = |r: Rate| Rate {
            burst: r.burst.saturating_mul(f),
            period: r.period / f,
        };
        LimitSettings {
            write: scale(self.write),
            search: scale(self.search),
            token: scale(self.token),
            address_factor: self.address_factor,
        }
    }
}

impl Default for LimitSettings {
    fn default() -> LimitSettings {
        LimitSettings {
            // 30 at once, then one every 2 s (30 a minute).
            write: Rate {
                burst: 30,
                period: Duration::from_secs(2),
            },
            // 30 at once, then one a second.
            search: Rate {
                burst: 30,
                period: Duration::from_secs(1),
            },
            // 5 at once, then one a minute.
            token: Rate {
                burst: 5,
                period: Duration::from_secs(60),
            },
            address_factor: 4,
        }
    }
}

type Keyed<K> = RateLimiter<K, HashMapStateStore<K>, MonotonicClock>;

struct Pair {
    user: Keyed<i64>,
    address: Keyed<String>,
}

impl Pair {
    fn new(rate: Rate, factor: u32, clock: &MonotonicClock) -> Pair {
        let quota = |burst: u32| {
            let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
            Quota::with_period(rate.period.max(Duration::from_millis(1)))
                .map_or(Quota::per_second(burst), |q| q.allow_burst(burst))
        };
        Pair {
            user: RateLimiter::hashmap_with_clock(quota(rate.burst), clock.clone()),
            address: RateLimiter::hashmap_with_clock(
                quota(rate.burst.saturating_mul(factor.max(1))),
                clock.clone(),
            ),
        }
    }
}

/// The limiters of one server.
pub struct Limits {
    write: Pair,
    search: Pair,
    token: Pair,
    clock: MonotonicClock,
    checks: AtomicU64,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").finish_non_exhaustive()
    }
}

/// Forget idle keys this often (in checks), so memory stays bounded.
const SWEEP_EVERY: u64 = 10_000;

impl Limits {
    /// Limiters with these settings.
    pub fn new(s: &LimitSettings) -> Limits {
        let clock = MonotonicClock;
        Limits {
            write: Pair::new(s.write, s.address_factor, &clock),
            search: Pair::new(s.search, s.address_factor, &clock),
            token: Pair::new(s.token, s.address_factor, &clock),
            clock,
            checks: AtomicU64::new(0),
        }
    }

    fn pair(&self, limit: Limit) -> &Pair {
        match limit {
            Limit::Write => &self.write,
            Limit::Search => &self.search,
            Limit::Token => &self.token,
        }
    }

    /// Takes one from `by`'s bucket and their address's, or says how many
    /// seconds to wait (`429` with `Retry-After`).
    pub fn check(&self, limit: Limit, by: &Caller) -> Result<(), Error> {
        if matches!(by.credential, Credential::Operator) {
            return Ok(());
        }
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            for p in [&self.write, &self.search, &self.token] {
                p.user.retain_recent();
                p.address.retain_recent();
            }
        }
        let pair = self.pair(limit);
        let wait = |d: Duration| {
            tracing::info!(?limit, user = by.user.id, "rate limited");
            Error::RateLimited(i64::try_from(d.as_secs() + 1).unwrap_or(i64::MAX))
        };
        pair.user
            .check_key(&by.user.id)
            .map_err(|n| wait(n.wait_time_from(self.clock.now())))?;
        pair.address
            .check_key(&by.source_address)
            .map_err(|n| wait(n.wait_time_from(self.clock.now())))?;
        Ok(())
    }
}
