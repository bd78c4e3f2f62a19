//! The synthetic organisation: the same seed gives the same organisation.
//!
//! Shapes follow what enterprise networks look like: who people follow and
//! how much they post are heavy-tailed (a few are followed by nearly
//! everyone, most staff follow tens of profiles), words and hashtags follow
//! Zipf's law, replies cluster on recent posts, a few percent of posts are
//! spoken by shared profiles (each with its byline and audit event).

use anyhow::{Context, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use byline_core::audit::{EventContent, GENESIS, chain_hash};
use byline_store::Store;
use byline_store::bulk::{BulkLoad, Cell, Table};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashSet, VecDeque};
use std::time::Instant;

/// Bumped whenever the generator's output changes, so an old dataset is
/// not measured as if it were the new one.
pub const FORMAT: u32 = 2;

/// The last post is written just before this instant (2026-11-01T00:00Z, µs).
const END: i64 = 1_793_491_200_000_000;
/// Posts span this many days before [`END`].
const SPAN_DAYS: i64 = 180;
const DAY: i64 = 86_400_000_000;
/// Replies go to one of this many most recent posts; a post is written to
/// the database once it leaves this window, its reply count final.
const RECENT: usize = 4096;
/// Replies in the one long thread the thread scenario reads.
pub const LONG_THREAD: usize = 200;
/// The password every synthetic user has.
pub const PASSWORD: &str = "byline-bench-password";

/// How big an organisation to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// `tiny`, `small` or `large`.
    pub name: &'static str,
    /// Staff.
    pub users: u64,
    /// Posts (replies included).
    pub posts: u64,
    /// Live-event subscribers in the SSE scenario.
    pub subscribers: usize,
    /// Help-desk tickets, over [`DESKS`] desks (#14).
    pub tickets: u64,
}

impl Scale {
    /// The scale called `name`.
    pub fn named(name: &str) -> Result<Scale> {
        Ok(match name {
            "tiny" => Scale {
                name: "tiny",
                users: 1_000,
                posts: 20_000,
                subscribers: 100,
                tickets: 2_000,
            },
            "small" => Scale {
                name: "small",
                users: 10_000,
                posts: 1_000_000,
                subscribers: 1_000,
                tickets: 20_000,
            },
            "large" => Scale {
                name: "large",
                users: 100_000,
                posts: 10_000_000,
                subscribers: 10_000,
                tickets: 200_000,
            },
            other => anyhow::bail!("unknown scale '{other}' (tiny, small or large)"),
        })
    }
}

/// What the scenarios need to know about a loaded organisation; kept beside
/// it as JSON (no secrets: tokens are derived from the seed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// Generator format.
    pub format: u32,
    /// Scale name.
    pub scale: String,
    /// The seed.
    pub seed: u64,
    /// Staff.
    pub users: u64,
    /// Posts.
    pub posts: u64,
    /// Follow edges.
    pub follows: u64,
    /// Audit events in the chain.
    pub audit_events: u64,
    /// Rows written, all tables.
    pub rows: u64,
    /// Seconds from empty database to ready (rows, indexes, search).
    pub load_seconds: f64,
    /// Of which rebuilding indexes and search.
    pub index_seconds: f64,
    /// Rows per second over the whole load.
    pub rows_per_second: f64,
    /// Profile followed by everyone (`@handle`), and its user id.
    pub announcer: String,
    /// The announcer's user id.
    pub announcer_user: i64,
    /// The most prolific author's handle.
    pub busy_profile: String,
    /// Its profile id.
    pub busy_profile_id: i64,
    /// The largest open community.
    pub community: String,
    /// The most used hashtag.
    pub tag: String,
    /// Root of the thread with [`LONG_THREAD`] replies.
    pub thread_root: i64,
    /// A word in most posts.
    pub common_word: String,
    /// A word in about one post in 20,000.
    pub rare_word: String,
    /// A shared profile with signed bylines.
    pub team: String,
    /// Its members who may post as it.
    pub team_writers: Vec<i64>,
    /// Users following tens of profiles.
    pub few_follows: Vec<i64>,
    /// Users following thousands.
    pub many_follows: Vec<i64>,
    /// The help desks, busiest first (#14).
    #[serde(default)]
    pub desks: Vec<Desk>,
    /// Tickets loaded, all desks.
    #[serde(default)]
    pub tickets: u64,
}

/// A shared profile running a help desk, as loaded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Desk {
    /// Its handle (`desk1`…).
    pub handle: String,
    /// Its profile id.
    pub profile_id: i64,
    /// Members who work tickets (owners, editors, responders), each on a
    /// shift of the round-the-clock roster.
    pub workers: Vec<i64>,
    /// Tickets loaded.
    pub tickets: u64,
    /// Of which not solved or closed.
    pub open: u64,
    /// Some ticket numbers, old and new, for the ticket page.
    pub sample: Vec<i64>,
}

/// Help desks in every organisation: shared profiles of their own, loaded
/// with tickets in proportion to the scale.
pub const DESKS: usize = 20;

/// The API token the benchmark uses for a synthetic user.
pub fn token(seed: u64, user: i64) -> String {
    let digest = Sha256::digest(format!("byline-bench/{seed}/{user}").as_bytes());
    format!("byl_{}", URL_SAFE_NO_PAD.encode(digest))
}

const FIRST: &[&str] = &[
    "ada", "grace", "alan", "jane", "omar", "ivan", "lin", "maria", "kofi", "yuki", "sara",
    "tomas", "priya", "chen", "fatima", "lars", "noor", "diego", "eva", "sam",
];
const LAST: &[&str] = &[
    "lovelace", "hopper", "turing", "okafor", "silva", "tanaka", "nguyen", "schmidt", "haddad",
    "kowalski", "mensah", "rossi", "patel", "kim", "garcia", "berg",
];
const WORDS: &[&str] = &[
    "team",
    "update",
    "meeting",
    "thanks",
    "today",
    "project",
    "review",
    "customer",
    "release",
    "office",
    "please",
    "help",
    "question",
    "laptop",
    "printer",
    "password",
    "network",
    "deadline",
    "plan",
    "notes",
    "week",
    "launch",
    "design",
    "report",
    "support",
    "training",
    "coffee",
    "budget",
    "roadmap",
    "welcome",
    "holiday",
    "policy",
    "security",
    "onboarding",
    "feedback",
    "survey",
    "wellbeing",
    "lunch",
    "quarter",
    "results",
    "migration",
    "server",
    "ticket",
    "weekend",
    "draft",
    "approval",
    "contract",
    "invoice",
    "volunteer",
    "charity",
];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "va", "zu", "fe", "go", "hi", "ju", "be",
];
/// In about one post in 20,000.
const RARE_WORD: &str = "quokka";
const ZONES: &[&str] = &[
    "Europe/London",
    "America/New_York",
    "Asia/Tokyo",
    "Europe/Berlin",
    "Australia/Sydney",
];
const REACTIONS: &[&str] = &[
    "thumbs_up",
    "heart",
    "tada",
    "laugh",
    "surprised",
    "thanks",
    "eyes",
];

/// A rank in `0..n` with probability about proportional to 1/(rank+1):
/// Zipf's law with exponent 1, drawn as a log-uniform number.
fn zipf(rng: &mut StdRng, n: usize) -> usize {
    let x = (rng.random::<f64>() * (n as f64).ln()).exp();
    (x as usize).saturating_sub(1).min(n - 1)
}

/// A standard normal number (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn vocabulary(rng: &mut StdRng) -> Vec<String> {
    let mut made: Vec<String> = Vec::new();
    for a in SYLLABLES {
        for b in SYLLABLES {
            for c in ["", "n", "ra", "lu"] {
                made.push(format!("{a}{b}{c}"));
            }
        }
    }
    made.shuffle(rng);
    WORDS.iter().map(|w| (*w).to_owned()).chain(made).collect()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A post held back until no more replies can come to it.
struct Pending {
    id: i64,
    root: Option<i64>,
    community: Option<i64>,
    replies: i64,
    row: Vec<Cell>,
    /// Its tags, mentions and reactions, which must follow it in.
    after: Vec<(Table, Vec<Cell>)>,
}

/// Builds the organisation into `store` (which must be empty and migrated).
pub async fn load(store: &Store, scale: Scale, seed: u64) -> Result<Manifest> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut bulk = store.bulk_load().await.context("starting the bulk load")?;
    let users = scale.users as i64;
    let shared = (users / 1000).max(4);
    let profiles = users + shared;
    let start = END - SPAN_DAYS * DAY;
    let hash = byline_core::password::hash(&byline_core::password::Password::offered(
        PASSWORD.to_owned(),
    ))
    .map_err(|e| anyhow::anyhow!("hashing the shared password: {e}"))?;
    let mut audit = Audit::new();
    let mut handles: Vec<String> = Vec::with_capacity(profiles as usize);

    // Staff, their profiles and tokens. User 1 is the admin everyone follows.
    for u in 1..=users {
        let first = FIRST[rng.random_range(0..FIRST.len())];
        let last = LAST[rng.random_range(0..LAST.len())];
        let joined = start - rng.random_range(0..365) * DAY;
        let role = if u == 1 { "admin" } else { "staff" };
        handles.push(format!("{first}{u}"));
        bulk.push(
            Table::Users,
            vec![
                u.into(),
                format!("{first}.{last}{u}@bench.example").into(),
                format!("{} {}", title(first), title(last)).into(),
                hash.clone().into(),
                role.into(),
                joined.into(),
            ],
        )
        .await?;
        bulk.push(
            Table::Profiles,
            vec![
                u.into(),
                format!("{first}{u}").into(),
                "personal".into(),
                format!("{} {}", title(first), title(last)).into(),
                Some(u).into(),
                "signed".into(),
                joined.into(),
            ],
        )
        .await?;
        bulk.push(
            Table::ApiTokens,
            vec![
                u.into(),
                u.into(),
                "benchmark".into(),
                byline_core::secret_token::digest(&token(seed, u)).into(),
                joined.into(),
                Cell::Null,
            ],
        )
        .await?;
    }
    let handle_of = |rng_handles: &[String], id: i64| rng_handles[(id - 1) as usize].clone();

    // Shared profiles, members, rosters and an acting session per member.
    let policies = ["signed", "internal", "sealed"];
    let mut writers: Vec<Vec<(i64, i64)>> = Vec::new(); // (user, acting session)
    let mut session_id = 0i64;
    let mut shift_id = 0i64;
    for s in 0..shared {
        let id = users + 1 + s;
        let handle = format!("team{}", s + 1);
        handles.push(handle.clone());
        let created = start - 30 * DAY;
        bulk.push(
            Table::Profiles,
            vec![
                id.into(),
                handle.into(),
                "shared".into(),
                format!("Team {}", s + 1).into(),
                Cell::Null,
                policies[(s % 3) as usize].into(),
                created.into(),
            ],
        )
        .await?;
        let size = rng.random_range(3..=8);
        let mut chosen = HashSet::new();
        let mut speaking = Vec::new();
        for m in 0..size {
            let user = rng.random_range(2..=users);
            if !chosen.insert(user) {
                continue;
            }
            let role = match m {
                0 => "owner",
                1 | 2 => "editor",
                3 | 4 => "responder",
                _ => "observer",
            };
            bulk.push(
                Table::ProfileMembers,
                vec![id.into(), user.into(), role.into(), created.into()],
            )
            .await?;
            let zone = ZONES[rng.random_range(0..ZONES.len())];
            let shift = byline_core::roster::Shift::new(
                zone,
                "2026-05-04T09:00",
                "2026-05-04T17:00",
                Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
            )
            .map_err(|e| anyhow::anyhow!("synthetic shift: {e}"))?;
            let first = shift
                .first()
                .map(|o| o.starts.micros())
                .context("the synthetic shift never happens")?;
            shift_id += 1;
            bulk.push(
                Table::Shifts,
                vec![
                    shift_id.into(),
                    id.into(),
                    user.into(),
                    zone.into(),
                    "2026-05-04T09:00".into(),
                    "2026-05-04T17:00".into(),
                    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".into(),
                    first.into(),
                    user.into(),
                    created.into(),
                ],
            )
            .await?;
            if role != "observer" && role != "responder" {
                session_id += 1;
                bulk.push(
                    Table::ActingSessions,
                    vec![
                        session_id.into(),
                        user.into(),
                        id.into(),
                        start.into(),
                        (END - DAY).into(),
                        (END - DAY).into(),
                        "ended".into(),
                        "10.0.0.1".into(),
                        "byline-bench".into(),
                    ],
                )
                .await?;
                speaking.push((user, session_id));
            }
        }
        writers.push(speaking);
    }

    // Who follows whom: everyone follows the admin; the rest by popularity
    // (a Zipf rank over a shuffled list of profiles).
    let mut popular: Vec<i64> = (2..=profiles).collect();
    popular.shuffle(&mut rng);
    popular.insert(0, 1);
    let many = (profiles / 2).min(2000) as usize;
    let mut follows = 0u64;
    let mut few_follows = Vec::new();
    for u in 1..=users {
        let want = if (2..=11).contains(&u) {
            many
        } else {
            ((25.0f64.ln() + 0.8 * normal(&mut rng)).exp() as usize).clamp(3, many)
        };
        if (10..=40).contains(&want) && few_follows.len() < 20 && u > 11 {
            few_follows.push(u);
        }
        let mut set: HashSet<i64> = HashSet::with_capacity(want + 1);
        if u != 1 {
            set.insert(1);
        }
        let mut tries = 0;
        while set.len() < want && tries < want * 20 {
            tries += 1;
            let p = popular[zipf(&mut rng, popular.len())];
            if p != u {
                set.insert(p);
            }
        }
        let mut list: Vec<i64> = set.into_iter().collect();
        list.sort_unstable();
        for f in list {
            follows += 1;
            bulk.push(
                Table::Follows,
                vec![
                    u.into(),
                    f.into(),
                    (start - rng.random_range(0..60) * DAY).into(),
                ],
            )
            .await?;
        }
    }

    // Communities: most open, some closed, a few secret; community 1 is
    // all-staff; people join a few each, popular ones more.
    let communities = (users / 100).max(10);
    let mut members_of: Vec<Vec<i64>> = vec![Vec::new(); users as usize + 1];
    let mut rosters: Vec<Vec<i64>> = vec![Vec::new(); communities as usize + 1];
    for u in 1..=users {
        if rng.random_bool(0.6) {
            members_of[u as usize].push(1);
            rosters[1].push(u);
        }
        for _ in 0..rng.random_range(0..=5) {
            let c = 2 + zipf(&mut rng, communities as usize - 1) as i64;
            if !members_of[u as usize].contains(&c) {
                members_of[u as usize].push(c);
                rosters[c as usize].push(u);
            }
        }
    }
    for c in 1..=communities {
        let visibility = match c % 10 {
            _ if c == 1 => "open",
            9 => "secret",
            7 | 8 => "closed",
            _ => "open",
        };
        let roster = &rosters[c as usize];
        let owner = roster.first().copied().unwrap_or(1);
        let created = start - rng.random_range(30..400) * DAY;
        let slug = if c == 1 {
            "all-staff".to_owned()
        } else {
            format!("community-{c}")
        };
        bulk.push(
            Table::Communities,
            vec![
                c.into(),
                slug.into(),
                format!("Community {c}").into(),
                "A synthetic community.".into(),
                visibility.into(),
                owner.into(),
                created.into(),
                (roster.len() as i64).into(),
            ],
        )
        .await?;
        for (i, m) in roster.iter().enumerate() {
            let role = if i == 0 { "owner" } else { "member" };
            bulk.push(
                Table::CommunityMembers,
                vec![
                    c.into(),
                    (*m).into(),
                    role.into(),
                    "member".into(),
                    created.into(),
                ],
            )
            .await?;
        }
    }

    // Help desks: shared profiles of their own, drawn from a generator of
    // their own, so the rest of the organisation is the same with or
    // without them. Their tickets are opened by posts below.
    let mut drng = StdRng::seed_from_u64(seed ^ 0x6865_6c70_6465_736b);
    let mut desks = Vec::with_capacity(DESKS);
    for d in 0..DESKS {
        desks.push(
            desk_members(
                &mut bulk,
                &mut drng,
                &mut handles,
                users + shared + 1 + d as i64,
                d,
                users,
                start,
                &mut shift_id,
            )
            .await?,
        );
    }
    // Desk d gets tickets in proportion to 1/sqrt(d+1): the busiest about
    // four times the quietest.
    let weights: Vec<f64> = (0..DESKS).map(|d| 1.0 / ((d + 1) as f64).sqrt()).collect();
    let weight_sum: f64 = weights.iter().sum();
    // About 59 % of posts are new, personal and outside communities: the
    // ones that may open a ticket.
    let ticket_share = (scale.tickets as f64 / (0.59 * scale.posts as f64)).min(1.0);
    let mut ids = TicketIds::default();

    // Posts, oldest first, ids in time order.
    let words = vocabulary(&mut rng);
    let tags: Vec<String> = words.iter().skip(20).take(300).cloned().collect();
    let mut active: Vec<i64> = (1..=users).collect();
    active.shuffle(&mut rng);
    let posts = scale.posts as i64;
    let thread_root = posts / 2;
    let step = (SPAN_DAYS * DAY) / posts.max(1);
    let mut recent: VecDeque<Pending> = VecDeque::with_capacity(RECENT + 1);
    for id in 1..=posts {
        let at = start + id * step + rng.random_range(0..step.max(1));
        let in_long_thread = id > thread_root && id <= thread_root + LONG_THREAD as i64;
        let mut author = active[zipf(&mut rng, active.len())];
        let mut writer = author;
        let mut community = None;
        let mut reply_to = None;
        let mut root = None;
        let mut byline: Option<(i64, &str)> = None;
        let kind: f64 = rng.random();
        if in_long_thread || (kind < 0.25 && !recent.is_empty() && id != thread_root) {
            let parent = if in_long_thread {
                recent
                    .iter_mut()
                    .find(|p| p.id == thread_root)
                    .context("the long thread's root left the window")?
            } else {
                let back = zipf(&mut rng, recent.len());
                let n = recent.len();
                &mut recent[n - 1 - back]
            };
            parent.replies += 1;
            reply_to = Some(parent.id);
            root = Some(parent.root.unwrap_or(parent.id));
            community = parent.community;
            if let Some(c) = community
                && !members_of[author as usize].contains(&c)
            {
                author = rosters[c as usize][rng.random_range(0..rosters[c as usize].len())];
                writer = author;
            }
        } else if kind < 0.40 && id != thread_root && !members_of[author as usize].is_empty() {
            let mine = &members_of[author as usize];
            community = Some(mine[rng.random_range(0..mine.len())]);
        } else if kind < 0.415 && id != thread_root {
            let s = rng.random_range(0..shared);
            if let Some(&(user, session)) =
                writers[s as usize].get(rng.random_range(0..writers[s as usize].len().max(1)))
            {
                author = users + 1 + s;
                writer = user;
                byline = Some((session, policies[(s % 3) as usize]));
            }
        }
        let mut body = String::with_capacity(160);
        let n_words = rng.random_range(6..=30);
        for w in 0..n_words {
            if w > 0 {
                body.push(' ');
            }
            body.push_str(&words[zipf(&mut rng, words.len())]);
        }
        if rng.random_ratio(1, 20_000) {
            body.push(' ');
            body.push_str(RARE_WORD);
        }
        let mut post_tags: Vec<&str> = Vec::new();
        if rng.random_bool(0.2) {
            for _ in 0..rng.random_range(1..=2) {
                let t = tags[zipf(&mut rng, tags.len())].as_str();
                if !post_tags.contains(&t) {
                    post_tags.push(t);
                    body.push_str(" #");
                    body.push_str(t);
                }
            }
        }
        let mut mention = None;
        if rng.random_bool(0.08) {
            let p = popular[zipf(&mut rng, popular.len())];
            if p != author {
                body.push_str(" @");
                body.push_str(&handle_of(&handles, p));
                mention = Some(p);
            }
        }
        let mut ticket_rows = Vec::new();
        if reply_to.is_none()
            && community.is_none()
            && byline.is_none()
            && id != thread_root
            && drng.random_bool(ticket_share)
        {
            let mut x = drng.random::<f64>() * weight_sum;
            let mut d = 0;
            while d + 1 < DESKS && x >= weights[d] {
                x -= weights[d];
                d += 1;
            }
            body.push_str(" @");
            body.push_str(&desks[d].handle);
            let subject = byline_core::ticket::subject_from(&body);
            ticket_rows.push((
                Table::PostMentions,
                vec![id.into(), desks[d].profile_id.into()],
            ));
            ticket(
                &mut ticket_rows,
                &mut drng,
                &mut desks[d],
                &mut ids,
                (id, author, at),
                subject,
            );
        }
        let html = format!("<p>{}</p>", escape(&body));
        let (session, policy) = match byline {
            Some((s, p)) => (Some(s), Cell::Text(p.to_owned())),
            None => (None, Cell::Null),
        };
        let row = vec![
            id.into(),
            author.into(),
            writer.into(),
            community.into(),
            reply_to.into(),
            root.into(),
            body.into(),
            html.into(),
            0i64.into(),
            at.into(),
            session.into(),
            policy,
        ];
        let mut after = ticket_rows;
        for t in &post_tags {
            after.push((Table::PostTags, vec![(*t).into(), id.into()]));
        }
        if let Some(p) = mention {
            after.push((Table::PostMentions, vec![id.into(), p.into()]));
        }
        let mut reacted = HashSet::new();
        while rng.random_bool(0.35) && reacted.len() < 20 {
            let who = popular[zipf(&mut rng, popular.len())];
            let what = REACTIONS[zipf(&mut rng, REACTIONS.len())];
            if reacted.insert((who, what)) {
                after.push((
                    Table::Reactions,
                    vec![
                        id.into(),
                        who.into(),
                        what.into(),
                        (at + rng.random_range(0..DAY)).into(),
                    ],
                ));
            }
        }
        if let Some((session, policy)) = byline {
            let details = format!("{{\"acting_session\":{session},\"policy\":\"{policy}\"}}");
            audit
                .push(
                    &mut bulk,
                    at,
                    Some(writer),
                    Some(author),
                    "post.create_as_profile",
                    &format!("post:{id}"),
                    &details,
                )
                .await?;
        }
        if id % 10 == 0 {
            let who = active[zipf(&mut rng, active.len())];
            audit
                .push(
                    &mut bulk,
                    at,
                    Some(who),
                    None,
                    "session.sign_in",
                    &format!("user:{who}"),
                    "{}",
                )
                .await?;
        }
        recent.push_back(Pending {
            id,
            root,
            community,
            replies: 0,
            row,
            after,
        });
        if recent.len() > RECENT
            && let Some(done) = recent.pop_front()
        {
            write_post(&mut bulk, done).await?;
        }
    }
    while let Some(done) = recent.pop_front() {
        write_post(&mut bulk, done).await?;
    }
    for (d, desk) in desks.iter().enumerate() {
        desk_settings(&mut bulk, desk, d).await?;
    }
    let report = bulk.finish().await.context("finishing the bulk load")?;
    let elapsed = started.elapsed().as_secs_f64();
    let team = (0..shared)
        .find(|s| s % 3 == 0 && !writers[*s as usize].is_empty())
        .context("no shared profile has writers")?;
    Ok(Manifest {
        format: FORMAT,
        scale: scale.name.to_owned(),
        seed,
        users: scale.users,
        posts: scale.posts,
        follows,
        audit_events: audit.seq as u64,
        rows: report.rows,
        load_seconds: elapsed,
        index_seconds: report.index_time.as_secs_f64(),
        rows_per_second: report.rows as f64 / elapsed,
        announcer: handles[0].clone(),
        announcer_user: 1,
        busy_profile: handle_of(&handles, active[0]),
        busy_profile_id: active[0],
        community: "all-staff".to_owned(),
        tag: tags[0].clone(),
        thread_root,
        common_word: words[0].clone(),
        rare_word: RARE_WORD.to_owned(),
        team: format!("team{}", team + 1),
        team_writers: writers[team as usize].iter().map(|(u, _)| *u).collect(),
        few_follows,
        many_follows: (2..=11).filter(|u| *u <= users).collect(),
        tickets: ids.ticket as u64,
        desks: {
            let mut list: Vec<Desk> = desks.into_iter().map(DeskPlan::finished).collect();
            list.sort_by_key(|d| std::cmp::Reverse(d.tickets));
            list
        },
    })
}

/// A help desk while it is loaded.
struct DeskPlan {
    profile_id: i64,
    handle: String,
    /// (user, personal handle) of members who work tickets.
    workers: Vec<(i64, String)>,
    tickets: i64,
    open: u64,
}

impl DeskPlan {
    fn finished(self) -> Desk {
        let n = self.tickets;
        let mut sample: Vec<i64> = (0..12)
            .map(|k| 1 + (n - 1).max(0) * k / 11)
            .chain((0..4).map(|k| n - k))
            .filter(|x| *x >= 1)
            .collect();
        sample.sort_unstable();
        sample.dedup();
        Desk {
            handle: self.handle,
            profile_id: self.profile_id,
            workers: self.workers.iter().map(|(u, _)| *u).collect(),
            tickets: n as u64,
            open: self.open,
            sample,
        }
    }
}

/// The last ticket and ticket-event ids given.
#[derive(Default)]
struct TicketIds {
    ticket: i64,
    event: i64,
}

/// The shifts that cover a desk round the clock (UTC, every day), one to
/// a member who works tickets in turn, so a new ticket always finds
/// someone on shift whenever the benchmark runs.
const DESK_SHIFTS: [(&str, &str); 3] = [
    ("2026-05-04T00:00", "2026-05-04T08:00"),
    ("2026-05-04T08:00", "2026-05-04T16:00"),
    ("2026-05-04T16:00", "2026-05-05T00:00"),
];
/// Tags members put on tickets.
const TICKET_TAGS: &[&str] = &[
    "printer", "wifi", "laptop", "access", "vpn", "email", "phone", "badge",
];
/// Per priority: share of tickets, then targets in business minutes (first
/// response, next response, resolution) and the warning before a breach.
const SLA: [(&str, f64, i64, i64, i64, i64); 4] = [
    ("low", 0.10, 960, 1440, 4800, 120),
    ("normal", 0.70, 480, 960, 2400, 60),
    ("high", 0.15, 120, 240, 960, 30),
    ("urgent", 0.05, 30, 60, 240, 10),
];

/// A desk's shared profile, its members (4 to 8: an owner, editors,
/// responders, observers) and their shifts.
#[allow(clippy::too_many_arguments)]
async fn desk_members(
    bulk: &mut BulkLoad,
    rng: &mut StdRng,
    handles: &mut Vec<String>,
    id: i64,
    d: usize,
    users: i64,
    start: i64,
    shift_id: &mut i64,
) -> Result<DeskPlan> {
    let handle = format!("desk{}", d + 1);
    handles.push(handle.clone());
    let created = start - 30 * DAY;
    bulk.push(
        Table::Profiles,
        vec![
            id.into(),
            handle.clone().into(),
            "shared".into(),
            format!("Help desk {}", d + 1).into(),
            Cell::Null,
            ["signed", "internal", "sealed"][d % 3].into(),
            created.into(),
        ],
    )
    .await?;
    let size = rng.random_range(4..=8usize).min(users as usize - 1);
    let mut chosen = HashSet::new();
    let mut workers = Vec::new();
    while chosen.len() < size {
        let user = rng.random_range(2..=users);
        if !chosen.insert(user) {
            continue;
        }
        let role = match chosen.len() {
            1 => "owner",
            2 | 3 => "editor",
            4..=6 => "responder",
            _ => "observer",
        };
        bulk.push(
            Table::ProfileMembers,
            vec![id.into(), user.into(), role.into(), created.into()],
        )
        .await?;
        if role == "observer" {
            continue;
        }
        let (from, to) = DESK_SHIFTS[workers.len() % DESK_SHIFTS.len()];
        let shift = byline_core::roster::Shift::new("UTC", from, to, Some("FREQ=DAILY"))
            .map_err(|e| anyhow::anyhow!("synthetic desk shift: {e}"))?;
        let first = shift
            .first()
            .map(|o| o.starts.micros())
            .context("the synthetic desk shift never happens")?;
        *shift_id += 1;
        bulk.push(
            Table::Shifts,
            vec![
                (*shift_id).into(),
                id.into(),
                user.into(),
                "UTC".into(),
                from.into(),
                to.into(),
                "FREQ=DAILY".into(),
                first.into(),
                user.into(),
                created.into(),
            ],
        )
        .await?;
        workers.push((user, handles[(user - 1) as usize].clone()));
    }
    Ok(DeskPlan {
        profile_id: id,
        handle,
        workers,
        tickets: 0,
        open: 0,
    })
}

/// A desk's settings, written once its tickets are counted: on, assigning
/// round-robin or least-loaded, business hours in two blocks a weekday in
/// one of the zones, SLA targets for every priority.
async fn desk_settings(bulk: &mut BulkLoad, desk: &DeskPlan, d: usize) -> Result<()> {
    let enabled_by = desk.workers.first().map_or(1, |(u, _)| *u);
    bulk.push(
        Table::HelpDesks,
        vec![
            desk.profile_id.into(),
            if d.is_multiple_of(2) {
                "round_robin"
            } else {
                "least_loaded"
            }
            .into(),
            1000i64.into(),
            4i64.into(),
            (desk.tickets + 1).into(),
            enabled_by.into(),
            (END - (SPAN_DAYS + 1) * DAY).into(),
            ZONES[d % ZONES.len()].into(),
        ],
    )
    .await?;
    for weekday in 0..5i64 {
        for (from, to) in [(9 * 60, 12 * 60 + 30), (13 * 60 + 30, 17 * 60 + 30)] {
            bulk.push(
                Table::BusinessBlocks,
                vec![
                    desk.profile_id.into(),
                    weekday.into(),
                    (from as i64).into(),
                    (to as i64).into(),
                ],
            )
            .await?;
        }
    }
    for (priority, _, first, next, resolution, warn) in SLA {
        bulk.push(
            Table::SlaPolicies,
            vec![
                desk.profile_id.into(),
                priority.into(),
                first.into(),
                next.into(),
                resolution.into(),
                warn.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// A ticket event as loaded: when, kind, by whom, which post, detail and
/// a note's HTML.
type Event = (
    i64,
    &'static str,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
);

/// Picks by shares that add up to 1.
fn pick<'a>(rng: &mut StdRng, shares: &[(&'a str, f64)]) -> &'a str {
    let mut u: f64 = rng.random();
    for (what, share) in shares {
        if u < *share {
            return what;
        }
        u -= share;
    }
    shares.last().map_or("", |(w, _)| w)
}

/// A ticket opened by post `source` (id, author, when) and its history,
/// as a desk works: new tickets wait or are handed out, most are answered
/// within hours and solved within days, solved ones close four days later,
/// a few linger; notes, requester replies and tags on some. Rows go into
/// `rows` (after the post they refer to).
fn ticket(
    rows: &mut Vec<(Table, Vec<Cell>)>,
    rng: &mut StdRng,
    desk: &mut DeskPlan,
    ids: &mut TicketIds,
    source: (i64, i64, i64),
    subject: String,
) {
    let (post, requester, at) = source;
    let age = END - at;
    let status = if age < DAY {
        pick(
            rng,
            &[
                ("new", 0.35),
                ("open", 0.45),
                ("pending", 0.10),
                ("on_hold", 0.05),
                ("solved", 0.05),
            ],
        )
    } else if age < 7 * DAY {
        pick(
            rng,
            &[
                ("open", 0.25),
                ("pending", 0.12),
                ("on_hold", 0.05),
                ("solved", 0.58),
            ],
        )
    } else {
        pick(
            rng,
            &[
                ("open", 0.005),
                ("pending", 0.003),
                ("on_hold", 0.002),
                ("solved", 0.99),
            ],
        )
    };
    let shares: Vec<(&str, f64)> = SLA.iter().map(|p| (p.0, p.1)).collect();
    let priority = pick(rng, &shares);
    let worker = (!desk.workers.is_empty() && (status != "new" || rng.random_bool(0.4)))
        .then(|| desk.workers[rng.random_range(0..desk.workers.len())].clone());
    ids.ticket += 1;
    desk.tickets += 1;
    let ticket_id = ids.ticket;
    let mut events: Vec<Event> = vec![(
        at,
        "opened",
        Some(requester),
        Some(post),
        String::new(),
        None,
    )];
    let mut t = at;
    if let Some((_, handle)) = &worker {
        t += rng.random_range(1..120) * 1_000_000;
        events.push((t, "assigned", None, None, handle.clone(), None));
    }
    let by = worker.as_ref().map(|(u, _)| *u);
    let mut solved_at = None;
    let mut closed_at = None;
    let mut final_status = status;
    if status != "new" {
        t += rng.random_range(5..360) * 60_000_000;
        events.push((t, "answer", by, None, String::new(), None));
        events.push((t, "status", None, None, "open".into(), None));
        if rng.random_bool(0.25) {
            t += rng.random_range(1..120) * 60_000_000;
            events.push((
                t,
                "note",
                by,
                None,
                String::new(),
                Some("<p>Checked with the vendor; waiting on a part.</p>".into()),
            ));
        }
        if rng.random_bool(0.3) {
            t += rng.random_range(10..600) * 60_000_000;
            events.push((
                t,
                "requester_reply",
                Some(requester),
                None,
                String::new(),
                None,
            ));
            t += rng.random_range(5..240) * 60_000_000;
            events.push((t, "answer", by, None, String::new(), None));
        }
        if rng.random_bool(0.3) {
            let mut tags: Vec<&str> = (0..rng.random_range(1..=2))
                .map(|_| TICKET_TAGS[zipf(rng, TICKET_TAGS.len())])
                .collect();
            tags.sort_unstable();
            tags.dedup();
            for tag in &tags {
                rows.push((
                    Table::TicketTags,
                    vec![ticket_id.into(), desk.profile_id.into(), (*tag).into()],
                ));
            }
            events.push((t, "tags", by, None, tags.join(" "), None));
        }
        match status {
            "pending" | "on_hold" => {
                t += rng.random_range(1..60) * 60_000_000;
                events.push((t, "status", by, None, status.into(), None));
            }
            "solved" => {
                t += rng.random_range(10..2880) * 60_000_000;
                events.push((t, "status", by, None, "solved".into(), None));
                solved_at = Some(t);
                if END - t > 4 * DAY {
                    t += 4 * DAY;
                    events.push((t, "status", None, None, "closed".into(), None));
                    closed_at = Some(t);
                    final_status = "closed";
                }
            }
            _ => {}
        }
    }
    if !matches!(final_status, "solved" | "closed") {
        desk.open += 1;
    }
    rows.insert(
        1,
        (
            Table::Tickets,
            vec![
                ticket_id.into(),
                desk.profile_id.into(),
                desk.tickets.into(),
                requester.into(),
                subject.into(),
                final_status.into(),
                priority.into(),
                by.into(),
                post.into(),
                post.into(),
                at.into(),
                t.into(),
                solved_at.into(),
                closed_at.into(),
            ],
        ),
    );
    for (at, kind, by, post, detail, html) in events {
        ids.event += 1;
        rows.push((
            Table::TicketEvents,
            vec![
                ids.event.into(),
                ticket_id.into(),
                at.into(),
                kind.into(),
                by.into(),
                post.into(),
                detail.into(),
                html.map_or(Cell::Null, Cell::Text),
            ],
        ));
    }
}

async fn write_post(bulk: &mut BulkLoad, mut done: Pending) -> Result<()> {
    done.row[8] = Cell::Int(done.replies);
    bulk.push(Table::Posts, done.row).await?;
    for (table, row) in done.after {
        bulk.push(table, row).await?;
    }
    Ok(())
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The audit chain, hashed as it is written.
struct Audit {
    seq: i64,
    prev: Vec<u8>,
}

impl Audit {
    fn new() -> Audit {
        Audit {
            seq: 0,
            prev: GENESIS.to_vec(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn push(
        &mut self,
        bulk: &mut BulkLoad,
        at: i64,
        user_id: Option<i64>,
        profile_id: Option<i64>,
        action: &str,
        target: &str,
        details: &str,
    ) -> Result<()> {
        self.seq += 1;
        let content = EventContent {
            seq: self.seq,
            at,
            user_id,
            profile_id,
            action,
            target,
            source_address: "10.0.0.1",
            details,
        };
        let hash = chain_hash(&self.prev, &content);
        bulk.push(
            Table::AuditEvents,
            vec![
                self.seq.into(),
                at.into(),
                user_id.into(),
                profile_id.into(),
                action.into(),
                target.into(),
                "10.0.0.1".into(),
                details.into(),
                std::mem::replace(&mut self.prev, hash.to_vec()).into(),
                hash.to_vec().into(),
            ],
        )
        .await?;
        Ok(())
    }
}
