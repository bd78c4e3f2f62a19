//! What Acme's staff talk about in the demo: communities, a few hundred
//! posts over the last month with threads, mentions, tags and reactions.
//! Deterministic, so every demo looks the same.

use byline_app::App;
use byline_app::Caller;
use byline_app::communities::{self, NewCommunity};
use byline_app::posts::{self, Compose};
use byline_core::Timestamp;
use byline_core::reaction::Reaction;
use byline_store::users::User;

/// (slug, name, visibility, description, owner, members)
type DemoCommunity = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const COMMUNITIES: &[DemoCommunity] = &[
    (
        "lounge",
        "The Lounge",
        "open",
        "Everything and nothing: lunch plans, lost umbrellas, office news.",
        "marco",
        &[
            "ada", "helen", "ivan", "jane", "omar", "wendy", "priya", "lena", "sam", "chen", "rosa",
        ],
    ),
    (
        "book-club",
        "Book club",
        "open",
        "One book a month, discussed on the last Thursday.",
        "lena",
        &["chen", "rosa", "priya", "sam"],
    ),
    (
        "wellbeing-circle",
        "Wellbeing circle",
        "closed",
        "A safe space to talk about stress, workload and life. What is said here stays here.",
        "wendy",
        &["priya", "helen", "sam"],
    ),
    (
        "it-ops",
        "IT operations",
        "closed",
        "The help desk's back room: changes, incidents, on-call hand-over.",
        "ivan",
        &["jane", "omar", "ada"],
    ),
    (
        "leadership",
        "Leadership team",
        "secret",
        "Planning and sensitive people matters.",
        "ada",
        &["helen", "marco", "ivan"],
    ),
];

/// Openers for top-level posts: (community or "", text). `{m}` becomes a mention.
const POSTS: &[(&str, &str)] = &[
    (
        "",
        "The wifi on floor 3 keeps dropping again. Anyone else? #wifi",
    ),
    (
        "",
        "Reminder: expense reports for October are due Friday. Ping {m} with questions. #finance",
    ),
    (
        "",
        "Fire drill tomorrow at 10:30. Please leave laptops behind and use the east stairs. #facilities",
    ),
    (
        "",
        "New starter today! Please welcome {m} to the sales team 🎉 #welcome",
    ),
    (
        "",
        "The printer by the kitchen is jammed. I've put a sign on it. #printer",
    ),
    (
        "",
        "Lunch & learn on Thursday: **writing good incident reports**. Pizza provided. #learning",
    ),
    (
        "",
        "Our Q4 campaign brief is live. Feedback welcome before Monday, {m}. #marketing",
    ),
    (
        "",
        "Has anyone seen a blue umbrella? Left it in meeting room B.",
    ),
    (
        "",
        "VPN maintenance tonight 22:00–23:00. Save your work first. #vpn #maintenance",
    ),
    (
        "",
        "Shout-out to {m} for fixing the build pipeline at 7am 🙏",
    ),
    (
        "",
        "Quarterly all-hands is on the 3rd. Questions for the panel can go in this thread. #allhands",
    ),
    (
        "",
        "Tip: `Ctrl+Shift+T` reopens the tab you just closed. You're welcome. #tips",
    ),
    (
        "lounge",
        "Who's up for the quiz night on Friday? We need a team name.",
    ),
    ("lounge", "Coffee machine on floor 2 is fixed ☕ thanks {m}"),
    ("lounge", "Cake in the kitchen for Rosa's birthday!"),
    (
        "book-club",
        "This month: *Klara and the Sun*. First impressions? #books",
    ),
    (
        "book-club",
        "Next month's shortlist: Piranesi, The Remains of the Day, or Project Hail Mary. Vote with reactions. #books",
    ),
    (
        "wellbeing-circle",
        "Feeling stretched this week with year-end. How is everyone pacing themselves? #wellbeing",
    ),
    (
        "wellbeing-circle",
        "Walking meeting club starts Monday at 12:15 by reception. #wellbeing",
    ),
    (
        "it-ops",
        "Change window Saturday: core switch firmware. Rollback plan is in the runbook. #change",
    ),
    (
        "it-ops",
        "On-call hand-over: two open tickets about the wifi on floor 3, both waiting for the vendor. {m} has the details. #wifi",
    ),
    (
        "leadership",
        "Draft reorg timeline attached to the agenda. Please keep it in this group until announced.",
    ),
    (
        "leadership",
        "Budget review moved to Wednesday 15:00. {m} will present headcount.",
    ),
];

const REPLIES: &[&str] = &[
    "Same here, it dropped twice this morning.",
    "Thanks for the heads-up!",
    "I can help with that, send me a message.",
    "+1, count me in.",
    "Is there a ticket for this already?",
    "Great news 🎉",
    "Could we move it to the afternoon?",
    "Looking into it now.",
    "Fixed on my side after a restart.",
    "Agreed, let's discuss on Thursday.",
];

/// Direct messages: (from, to, lines alternating between them).
const CONVERSATIONS: &[(&str, &[&str], &[&str])] = &[
    (
        "sam",
        &["ivan"],
        &[
            "Hi Ivan, my VPN token stopped working after the update.",
            "I'll reset it now, try again in five minutes.",
            "Works again, thank you!",
        ],
    ),
    (
        "priya",
        &["wendy"],
        &[
            "Could we move Friday's session to the small meeting room?",
            "Yes, I've booked it.",
        ],
    ),
    (
        "ada",
        &["helen", "marco"],
        &[
            "Can we review the reorg comms plan before Wednesday?",
            "Tuesday 10:00 works for me.",
            "Same here.",
        ],
    ),
];

/// Shared profiles: (handle, name, policy, owner, editors, posts as the profile).
type DemoShared = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const SHARED: &[DemoShared] = &[
    (
        "it-helpdesk",
        "IT Help Desk",
        "sealed",
        "ivan",
        &["jane", "omar"],
        &[
            "Planned outage: email will be unavailable Saturday 06:00–08:00. #maintenance",
            "The floor 3 wifi issue is fixed. Thanks for your patience! #wifi",
        ],
    ),
    (
        "wellbeing",
        "Staff Wellbeing",
        "internal",
        "wendy",
        &["priya"],
        &["Mindful minutes every Tuesday at 12:30 in room B. Everyone welcome. #wellbeing"],
    ),
    (
        "acme",
        "Acme",
        "signed",
        "marco",
        &["lena"],
        &["Our winter campaign launches next week. Sneak peek on Friday! #marketing"],
    ),
];

/// A tiny deterministic generator (the demo must look the same every time).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn find<'a>(users: &'a [User], handle: &str) -> anyhow::Result<&'a User> {
    users
        .iter()
        .find(|u| u.handle == handle)
        .ok_or_else(|| anyhow::anyhow!("demo user {handle} missing"))
}

fn err(e: byline_app::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Seeds follows, communities and posts for the demo users.
pub async fn seed(state: &App, users: &[User], now: Timestamp) -> anyhow::Result<usize> {
    let op = |u: &User| Caller::operator(u.clone());
    // Follows: everyone follows the next five colleagues and the admin.
    for (i, u) in users.iter().enumerate() {
        for k in 1..=5 {
            let other = &users[(i + k) % users.len()];
            byline_app::follows::follow(state, &op(u), &other.handle, true)
                .await
                .map_err(err)?;
        }
        if u.handle != "ada" {
            byline_app::follows::follow(state, &op(u), "ada", true)
                .await
                .map_err(err)?;
        }
    }
    // A secret community's short name gets a random suffix when it is made.
    let mut slug_of: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (chosen, name, visibility, description, owner, members) in COMMUNITIES {
        let owner = op(find(users, owner)?);
        let made = communities::create(
            state,
            &owner,
            NewCommunity {
                slug: (*chosen).into(),
                name: (*name).into(),
                description: (*description).into(),
                visibility: (*visibility).into(),
            },
        )
        .await
        .map_err(err)?;
        let slug = made.slug.as_str();
        slug_of.insert(chosen, made.slug.clone());
        for m in *members {
            let member = op(find(users, m)?);
            if *visibility == "secret" {
                communities::invite(state, &owner, slug, m)
                    .await
                    .map_err(err)?;
            }
            communities::join(state, &member, slug).await.map_err(err)?;
            if *visibility == "closed" {
                communities::approve(state, &owner, slug, m)
                    .await
                    .map_err(err)?;
            }
        }
    }
    // Waiting at the door: Chen asked to join the wellbeing circle; Wendy is invited to leadership.
    communities::join(state, &op(find(users, "chen")?), "wellbeing-circle")
        .await
        .map_err(err)?;
    communities::invite(
        state,
        &op(find(users, "ada")?),
        &slug_of["leadership"],
        "wendy",
    )
    .await
    .map_err(err)?;

    for (from, to, lines) in CONVERSATIONS {
        let to: Vec<String> = to.iter().map(|h| (*h).to_owned()).collect();
        let sender = op(find(users, from)?);
        let (conversation, _) = byline_app::messages::start(state, &sender, &to, lines[0], None)
            .await
            .map_err(err)?;
        for (i, line) in lines.iter().enumerate().skip(1) {
            let who = if i % 2 == 1 { &to[0] } else { *from };
            byline_app::messages::send(state, &op(find(users, who)?), conversation, line, None)
                .await
                .map_err(err)?;
        }
    }

    let admin = op(find(users, "ada")?);
    for (handle, name, policy, owner, editors, lines) in SHARED {
        byline_app::shared_profiles::create(state, &admin, handle, name, policy)
            .await
            .map_err(err)?;
        byline_app::shared_profiles::set_member(state, &admin, handle, owner, Some("owner"))
            .await
            .map_err(err)?;
        for e in *editors {
            byline_app::shared_profiles::set_member(state, &admin, handle, e, Some("editor"))
                .await
                .map_err(err)?;
        }
        for (i, line) in lines.iter().enumerate() {
            let writer = if i % 2 == 0 {
                *owner
            } else {
                editors.first().copied().unwrap_or(owner)
            };
            let compose = Compose {
                text: (*line).to_owned(),
                community: None,
                reply_to: None,
                attachments: Vec::new(),
                acting_as: Some((*handle).to_owned()),
            };
            posts::create_at(
                state,
                &op(find(users, writer)?),
                compose,
                now.plus_seconds(-3600 * (3 - i64::try_from(i).unwrap_or(0))),
            )
            .await
            .map_err(err)?;
        }
        // Leave nobody switched in: people choose to act as a profile themselves.
        for who in std::iter::once(owner).chain(editors.iter()) {
            byline_app::acting::switch_out(state, &op(find(users, who)?), "demo_seeded")
                .await
                .map_err(err)?;
        }
    }

    seed_incident(state, users, now).await?;
    seed_roster(state, users, now).await?;
    seed_help_desk(state, users, now).await?;
    seed_knowledge_base(state, users, now).await?;
    seed_vault(state, users).await?;
    seed_channels(state, users).await?;
    seed_publishing(state, users, now).await?;
    watch_topics(state, users).await?;
    byline_app::investigations::set_investigator(state, &admin, "helen", true)
        .await
        .map_err(err)?;

    let member_of = |handle: &str, place: &str| -> bool {
        place.is_empty()
            || COMMUNITIES.iter().any(|(slug, _, vis, _, owner, members)| {
                *slug == place
                    && (*owner == handle
                        || members.contains(&handle)
                        || *vis == "open" && place == "lounge")
            })
    };
    let mut rng = Lcg(20_261_122);
    let total = 260usize;
    let start = now.plus_seconds(-30 * 24 * 3600);
    let step = 30 * 24 * 3600 / i64::try_from(total).unwrap_or(1);
    // (post id, place) of recent top-level posts, to reply to.
    let mut recent: Vec<(i64, &str)> = Vec::new();
    let mut written = 0;
    for i in 0..total {
        let at = start.plus_seconds(
            step * i64::try_from(i).unwrap_or(0) + i64::try_from(rng.next(600)).unwrap_or(0),
        );
        let reply = !recent.is_empty() && rng.next(3) == 0;
        let (place, text, reply_to) = if reply {
            let (id, place) = recent[recent.len() - 1 - rng.next(recent.len().min(6))];
            (place, REPLIES[rng.next(REPLIES.len())].to_owned(), Some(id))
        } else {
            let (place, text) = POSTS[rng.next(POSTS.len())];
            (place, text.to_owned(), None)
        };
        let candidates: Vec<&User> = users
            .iter()
            .filter(|u| member_of(&u.handle, place))
            .collect();
        let author = candidates[rng.next(candidates.len())];
        let mentioned = candidates[rng.next(candidates.len())];
        let text = text.replace("{m}", &format!("@{}", mentioned.handle));
        let compose = Compose {
            text,
            community: if reply_to.is_none() && !place.is_empty() {
                Some(
                    slug_of
                        .get(place)
                        .cloned()
                        .unwrap_or_else(|| place.to_owned()),
                )
            } else {
                None
            },
            reply_to,
            attachments: Vec::new(),
            acting_as: None,
        };
        let post = posts::create_at(state, &op(author), compose, at)
            .await
            .map_err(err)?;
        written += 1;
        if reply_to.is_none() {
            recent.push((post.id, place));
        }
        // About half the posts get a few reactions from people who can read them.
        if rng.next(2) == 0 {
            for _ in 0..1 + rng.next(4) {
                let fan = candidates[rng.next(candidates.len())];
                if fan.id != author.id {
                    let r = Reaction::ALL[rng.next(4)];
                    state
                        .store
                        .posts()
                        .add_reaction(post.id, fan.id, r, at.plus_seconds(60))
                        .await?;
                }
            }
        }
    }
    // Last, so the listener has the whole month to read.
    seed_listening(state, users, now).await?;
    Ok(written)
}

/// Midnight UTC of the most recent Wednesday before today.
fn last_wednesday(now: Timestamp) -> Timestamp {
    let day = 86_400_i64;
    let days = now.micros().div_euclid(day * 1_000_000);
    // 1970-01-01 was a Thursday: Monday is 0, Wednesday 2.
    let weekday = (days + 3).rem_euclid(7);
    let back = match (weekday - 2).rem_euclid(7) {
        0 => 7,
        n => n,
    };
    Timestamp((days - back) * day * 1_000_000)
}

/// The incident of the demo: on Wednesday afternoon @wellbeing said something
/// it should not have. Wendy acted as the profile at lunchtime, Priya from
/// 14:20 to 15:40; the HR investigator can find out which of them wrote it.
async fn seed_incident(state: &App, users: &[User], now: Timestamp) -> anyhow::Result<()> {
    let wed = last_wednesday(now);
    let at = |h: i64, m: i64| wed.plus_seconds(h * 3600 + m * 60);
    let as_from = |handle: &str, address: &str| -> anyhow::Result<Caller> {
        let mut c = Caller::operator(find(users, handle)?.clone());
        c.source_address = address.to_owned();
        Ok(c)
    };
    let say = |text: &str| Compose {
        text: text.to_owned(),
        community: None,
        reply_to: None,
        attachments: Vec::new(),
        acting_as: Some("wellbeing".to_owned()),
    };
    let wendy = as_from("wendy", "10.0.2.14")?;
    byline_app::acting::switch_in_at(state, &wendy, "wellbeing", "Firefox on Windows", at(13, 0))
        .await
        .map_err(err)?;
    posts::create_at(
        state,
        &wendy,
        say("The quiet room on floor 2 is free all afternoon. #wellbeing"),
        at(13, 5),
    )
    .await
    .map_err(err)?;
    byline_app::acting::switch_out_at(state, &wendy, "switched_out", at(13, 30))
        .await
        .map_err(err)?;
    let priya = as_from("priya", "10.0.4.23")?;
    byline_app::acting::switch_in_at(state, &priya, "wellbeing", "Chrome on macOS", at(14, 20))
        .await
        .map_err(err)?;
    posts::create_at(
        state,
        &priya,
        say("Honestly, anyone who needs a \"mental health day\" should just toughen up."),
        at(14, 41),
    )
    .await
    .map_err(err)?;
    byline_app::acting::switch_out_at(state, &priya, "switched_out", at(15, 40))
        .await
        .map_err(err)?;
    Ok(())
}

/// The help desk's roster: Jane in London and Omar in New York cover the
/// weekdays between them ("follow the sun"), Ivan (the owner, who may speak
/// at any hour) takes Saturday's on-call. From now on only members on shift
/// speak as @it-helpdesk; the posts seeded above predate the rule.
async fn seed_roster(state: &App, users: &[User], now: Timestamp) -> anyhow::Result<()> {
    use byline_core::roster::{monday_of, parse_zone};
    let ivan = Caller::operator(find(users, "ivan")?.clone());
    let london = parse_zone("Europe/London").map_err(|e| err(e.into()))?;
    let monday = monday_of(london, now);
    let saturday = (0..5)
        .try_fold(monday, |d, _| d.succ_opt())
        .ok_or_else(|| anyhow::anyhow!("no Saturday after {monday}"))?;
    let weekdays = Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    let shifts = [
        (
            "jane",
            "Europe/London",
            "08:00",
            "16:00",
            weekdays,
            monday,
            "first line",
        ),
        (
            "omar",
            "America/New_York",
            "11:00",
            "19:00",
            weekdays,
            monday,
            "follow the sun",
        ),
        (
            "ivan",
            "Europe/London",
            "10:00",
            "14:00",
            None,
            saturday,
            "weekend on call",
        ),
    ];
    for (member, zone, from, to, rule, day, note) in shifts {
        byline_app::rosters::add_shift(
            state,
            &ivan,
            "it-helpdesk",
            byline_app::rosters::ShiftInput {
                member,
                time_zone: zone,
                starts: &format!("{day}T{from}"),
                ends: &format!("{day}T{to}"),
                recurrence: rule,
                note,
            },
        )
        .await
        .map_err(err)?;
    }
    byline_app::rosters::set_shift_only(state, &ivan, "it-helpdesk", true)
        .await
        .map_err(err)?;
    Ok(())
}

/// What staff ask the IT help desk, and how urgent it is.
const REQUESTS: &[(&str, &str, &[&str])] = &[
    (
        "wifi keeps dropping on floor 3",
        "high",
        &["wifi", "network"],
    ),
    (
        "cannot print to the second floor printer",
        "normal",
        &["printer"],
    ),
    (
        "VPN asks for my password twice",
        "normal",
        &["vpn", "network"],
    ),
    (
        "new starter on Monday needs a laptop",
        "low",
        &["laptop", "onboarding"],
    ),
    (
        "Outlook calendar not syncing on my phone",
        "normal",
        &["email", "phone"],
    ),
    ("locked out of my account", "urgent", &["account"]),
    (
        "projector in room 4 shows no picture",
        "high",
        &["meeting-room"],
    ),
    ("need access to the finance share", "normal", &["access"]),
    (
        "my laptop is very slow since the update",
        "normal",
        &["laptop"],
    ),
    (
        "badge reader at the side door rejects my card",
        "high",
        &["badge", "access"],
    ),
    (
        "Teams audio echoes in meetings",
        "low",
        &["meeting-room", "teams"],
    ),
    (
        "please install the design tools on my machine",
        "low",
        &["software"],
    ),
];

/// The IT help desk at work: business hours, SLAs per priority, and eight
/// weeks of tagged requests answered (some late), solved and closed, with
/// the last few still open and two that came as direct messages, so the
/// inbox and the clocks have something to show.
async fn seed_help_desk(state: &App, users: &[User], now: Timestamp) -> anyhow::Result<()> {
    use byline_app::tickets;
    use byline_core::ticket::{Priority, TicketStatus};
    let ivan_user = find(users, "ivan")?;
    let ivan = Caller::operator(ivan_user.clone());
    tickets::enable(state, &ivan, "it-helpdesk")
        .await
        .map_err(err)?;
    let day = vec!["08:00-12:30".to_owned(), "13:30-19:00".to_owned()];
    let none: Vec<String> = Vec::new();
    let holidays = vec!["2026-12-25".to_owned(), "2026-12-26".to_owned()];
    tickets::set_business_hours(
        state,
        &ivan,
        "it-helpdesk",
        tickets::HoursInput {
            time_zone: "Europe/London",
            week: [&day, &day, &day, &day, &day, &none, &none],
            holidays: &holidays,
        },
    )
    .await
    .map_err(err)?;
    for (priority, first, next, resolution, warn) in [
        ("urgent", 15, 30, 120, 5),
        ("high", 30, 60, 240, 10),
        ("normal", 60, 120, 480, 15),
    ] {
        let targets = tickets::TargetsInput {
            first_response_minutes: Some(first),
            next_response_minutes: Some(next),
            resolution_minutes: Some(resolution),
            warn_before_minutes: warn,
        };
        tickets::set_sla(state, &ivan, "it-helpdesk", priority, Some(targets))
            .await
            .map_err(err)?;
    }
    for (title, body) in [
        (
            "On it",
            "Hi {{requester_name}}, thanks for reporting this. {{assignee}} is looking at {{ticket}} now and will update you here.",
        ),
        (
            "Restart first",
            "Hi {{requester_name}}, could you restart the device and tell us here whether {{ticket}} still happens?",
        ),
        (
            "Solved",
            "This should be fixed now. If it comes back, just reply here and {{ticket}} reopens.",
        ),
    ] {
        tickets::add_canned_reply(state, &ivan, "it-helpdesk", title, body)
            .await
            .map_err(err)?;
    }
    let desk = state
        .store
        .profiles()
        .profile_by_handle(&byline_core::Handle::parse("it-helpdesk").map_err(|e| err(e.into()))?)
        .await?;
    let askers: Vec<&User> = users
        .iter()
        .filter(|u| !["ivan", "jane", "omar", "ada"].contains(&u.handle.as_str()))
        .collect();
    let audit = || {
        byline_store::audit::AuditEntry::new(
            Some(ivan_user.id),
            "ticket.status",
            String::new(),
            "demo",
        )
    };
    // Answer delays in minutes: most within target, some not.
    let delays = [12, 25, 40, 8, 95, 30, 18, 240, 50, 15, 70, 22];
    let mut number = 0;
    let weeks = 8;
    let per_week = 25;
    for i in 0..weeks * per_week {
        let (text, priority, tags) = REQUESTS[i % REQUESTS.len()];
        let asker = askers[i % askers.len()];
        // Weekdays at 09:00 to 16:00 UTC, from eight weeks back to today.
        let total = weeks * per_week;
        let recent = i + 6 >= total;
        let days_ago = (weeks * 7) as i64 - (i as i64 * 7 * weeks as i64) / (total as i64);
        let at = if recent {
            // Today's: every 90 minutes up to half an hour ago.
            now.plus_seconds(-((total - i) as i64 * 5_400) + 3_600)
        } else {
            Timestamp(now.micros() - days_ago * 86_400_000_000)
                .plus_seconds(-((i as i64 * 3_700) % 25_000))
        };
        if at >= now {
            continue;
        }
        let post = posts::create_at(
            state,
            &Caller::operator((*asker).clone()),
            Compose {
                text: format!("@it-helpdesk {text}"),
                community: None,
                reply_to: None,
                attachments: Vec::new(),
                acting_as: None,
            },
            at,
        )
        .await
        .map_err(err)?;
        number += 1;
        let ticket = state.store.tickets().ticket(desk.id, number).await?;
        let tags = byline_core::ticket::parse_tags(tags).map_err(|e| err(e.into()))?;
        state
            .store
            .tickets()
            .set_ticket_tags(
                ticket.id,
                &tags,
                ivan_user.id,
                &audit(),
                at.plus_seconds(20),
            )
            .await?;
        let priority = Priority::parse(priority).map_err(|e| err(e.into()))?;
        if priority != Priority::Normal {
            state
                .store
                .tickets()
                .set_ticket_priority(
                    ticket.id,
                    priority,
                    ivan_user.id,
                    &audit(),
                    at.plus_seconds(30),
                )
                .await?;
            // Written to the store directly: its clocks follow the new
            // priority's targets, as a change through the services would.
            tickets::schedule_clock_jobs(state, ticket.id)
                .await
                .map_err(err)?;
        }
        // Today's requests are still being worked on: a third not yet
        // answered, a third answered, a third waiting on the requester.
        if recent && i % 3 == 0 {
            continue;
        }
        let answered = at.plus_seconds(delays[i % delays.len()] * 60);
        if answered >= now {
            continue;
        }
        posts::create_at(
            state,
            &ivan,
            Compose {
                text: "Thanks for reporting this. We are on it and will update you here.".into(),
                community: None,
                reply_to: Some(post.id),
                attachments: Vec::new(),
                acting_as: Some("it-helpdesk".into()),
            },
            answered,
        )
        .await
        .map_err(err)?;
        if recent {
            if i % 3 == 2 {
                state
                    .store
                    .tickets()
                    .set_ticket_status(
                        ticket.id,
                        TicketStatus::Pending,
                        ivan_user.id,
                        &audit(),
                        answered,
                    )
                    .await?;
            }
            continue;
        }
        let solved = answered.plus_seconds(3_600 + (i as i64 % 5) * 1_800);
        if solved >= now {
            continue;
        }
        state
            .store
            .tickets()
            .set_ticket_status(
                ticket.id,
                TicketStatus::Solved,
                ivan_user.id,
                &audit(),
                solved,
            )
            .await?;
        // About two in three requesters rate the answer.
        if i % 3 != 2 {
            let score = [5, 4, 5, 3, 4, 2, 5, 4][i % 8];
            state
                .store
                .tickets()
                .rate_ticket(
                    ticket.id,
                    asker.profile_id,
                    asker.id,
                    score,
                    if score <= 2 { "took a while" } else { "" },
                    &audit(),
                    solved.plus_seconds(600),
                )
                .await?;
        }
    }
    // Two requests that came as direct messages to the desk: one answered
    // in the conversation from the ticket, one waiting.
    for (who, text, tag, answer) in [
        (
            askers[1],
            "Hi, my second monitor flickers since this morning. Cable swapped already.",
            "hardware",
            Some("Thanks, {{requester_name}}. We will bring a spare monitor by this afternoon."),
        ),
        (
            askers[2],
            "Could someone reset the door code for the storage room? It stopped working.",
            "access",
            None,
        ),
    ] {
        byline_app::messages::start(
            state,
            &Caller::operator(who.clone()),
            &["it-helpdesk".to_owned()],
            text,
            None,
        )
        .await
        .map_err(err)?;
        number += 1;
        let ticket = state.store.tickets().ticket(desk.id, number).await?;
        let tags = byline_core::ticket::parse_tags(&[tag]).map_err(|e| err(e.into()))?;
        state
            .store
            .tickets()
            .set_ticket_tags(ticket.id, &tags, ivan_user.id, &audit(), now)
            .await?;
        if let Some(answer) = answer {
            let answer = answer.replace("{{requester_name}}", who.display_name.as_str());
            tickets::reply(state, &ivan, "it-helpdesk", number, Some(&answer), None)
                .await
                .map_err(err)?;
        }
    }
    // Answering as the desk switched Ivan in; he starts the demo as himself.
    byline_app::acting::switch_out(state, &ivan, "demo_seeded")
        .await
        .map_err(err)?;
    Ok(())
}

/// What the IT help desk has written down: (title, tags, body).
const ARTICLES: &[(&str, &str, &str)] = &[
    (
        "Wi-Fi keeps dropping",
        "wifi network eduroam",
        "Forget the **Acme** network on your device and join it again with your work account.\n\nIf it still drops on one floor, tell us which floor: an access point may be down.",
    ),
    (
        "Printing to the second floor printer",
        "printer printing",
        "Add the printer `PRN-2F` from *Settings → Printers*. Jobs wait in the queue until you badge in at the printer.",
    ),
    (
        "VPN asks for my password twice",
        "vpn password",
        "The second prompt is the one-time code from your authenticator app, not your password again. Enter the six digits.",
    ),
    (
        "Laptops for new starters",
        "laptop onboarding",
        "Ask at least **five working days** ahead with the start date and the team. We set the laptop up and hand it over on the first morning.",
    ),
    (
        "Calendar not syncing on your phone",
        "outlook calendar phone email",
        "Remove the work account from the phone and add it again. Sync takes up to ten minutes the first time.",
    ),
    (
        "Locked out of your account",
        "password account locked",
        "After five wrong passwords the account locks for 15 minutes. If you forgot it, use *Reset password* on the sign-in page; call the desk if you have no phone with you.",
    ),
    (
        "Projector shows no picture",
        "projector meeting-room",
        "Press *Input* on the remote until **HDMI 1** shows, and check the cable is pushed in at both ends. Room 4's projector needs a minute to warm up.",
    ),
    (
        "Access to a shared drive",
        "access finance share",
        "Ask your manager to approve it in a reply here; access is granted within a working day of the approval.",
    ),
    (
        "Slow laptop after an update",
        "laptop slow update",
        "Restart twice: the first restart finishes the update. If it is still slow after a day, we reinstall it.",
    ),
    (
        "Badge reader rejects your card",
        "badge door access",
        "Hold the card flat against the reader for two seconds. A card that worked yesterday may need reactivating: tell us which door.",
    ),
    (
        "Echo in Teams meetings",
        "teams audio meeting",
        "Echo comes from someone's speakers: use a headset, or mute when you are not speaking.",
    ),
    (
        "Installing software",
        "software install",
        "Most tools install from the *Company Portal* without us. For anything not there, ask here with a link to the tool.",
    ),
];

/// The help desk's knowledge base: a dozen articles written as
/// @it-helpdesk, with feedback and "this solved it" over the eight weeks,
/// so the dashboard's deflections have something to show.
async fn seed_knowledge_base(state: &App, users: &[User], now: Timestamp) -> anyhow::Result<()> {
    use byline_app::articles::{self, ArticleForm};
    let ivan = Caller::operator(find(users, "ivan")?.clone());
    let readers: Vec<&User> = users
        .iter()
        .filter(|u| !["ivan", "jane", "omar", "ada"].contains(&u.handle.as_str()))
        .collect();
    for (i, (title, tags, body)) in ARTICLES.iter().enumerate() {
        let article = articles::create(
            state,
            &ivan,
            "it-helpdesk",
            &ArticleForm {
                title: (*title).to_owned(),
                body: (*body).to_owned(),
                tags: (*tags).to_owned(),
                audience: None,
                status: Some("published".into()),
                based_on: None,
            },
        )
        .await
        .map_err(err)?;
        // Some readers found their answer there, spread over the weeks.
        for (k, reader) in readers.iter().enumerate().take(1 + (i * 7) % 5) {
            let at = now.plus_seconds(-(((i * 13 + k * 29) % 54) as i64 + 1) * 86_400);
            let audit = byline_store::audit::AuditEntry::new(
                Some(reader.id),
                "article.deflect",
                format!("article:{}", article.id),
                "demo",
            );
            state
                .store
                .articles()
                .record_deflection(&article, reader.id, None, &audit, &audit, at)
                .await?;
            if (i + k) % 3 != 0 {
                state
                    .store
                    .articles()
                    .record_feedback(article.id, reader.id, (i + k) % 4 != 1, at)
                    .await?;
            }
        }
    }
    Ok(())
}

/// @acme's channels: its own feed (syndicated as RSS, Atom and JSON Feed,
/// with one announcement queued for it), a partner webhook on a loopback
/// port nothing listens on until someone starts a receiver there, and the
/// press list through a local SMTP relay. Credentials go to the vault.
async fn seed_channels(state: &App, users: &[User]) -> anyhow::Result<()> {
    use byline_app::channels::{self, ChannelInput};
    let marco = Caller::operator(find(users, "marco")?.clone());
    let inputs = [
        ChannelInput {
            kind: "feed".into(),
            name: "Acme news".into(),
            syndicate: true,
            ..ChannelInput::default()
        },
        ChannelInput {
            kind: "webhook".into(),
            name: "Partner webhook".into(),
            url: Some("http://127.0.0.1:9999/acme-hook".into()),
            custodians: vec!["marco".into(), "lena".into()],
            ..ChannelInput::default()
        },
        ChannelInput {
            kind: "email".into(),
            name: "Press list".into(),
            smtp_host: Some("127.0.0.1".into()),
            smtp_port: Some(2525),
            smtp_security: Some("none".into()),
            from: Some("press@acme.example".into()),
            to: vec!["newsroom@example.org".into()],
            untested: true,
            ..ChannelInput::default()
        },
    ];
    let mut ids = Vec::new();
    for input in inputs {
        ids.push(
            channels::connect(state, &marco, "acme", input)
                .await
                .map_err(err)?
                .row
                .id,
        );
    }
    // Delivered by the job runner once the server runs: the feed post
    // appears as @acme, the webhook's refused attempts fill its log.
    channels::send(
        state,
        &marco,
        "acme",
        ids[0],
        "",
        "Our winter collection is in stores from Monday. Thank you to everyone in Lyon and Milan who made it happen!",
    )
    .await
    .map_err(err)?;
    channels::send(
        state,
        &marco,
        "acme",
        ids[1],
        "Winter collection",
        "The winter collection launches on Monday; assets are on the partner portal.",
    )
    .await
    .map_err(err)?;
    Ok(())
}

/// @acme's vault: the brand's external accounts, with Marco and Lena as
/// custodians; the API token needs both of them to reveal it.
async fn seed_vault(state: &App, users: &[User]) -> anyhow::Result<()> {
    use byline_core::vault::SecretFields;
    let marco = Caller::operator(find(users, "marco")?.clone());
    let mut instagram = SecretFields::default();
    instagram.username = Some("acme.official".into());
    instagram.password = Some("demo-Winter-campaign-2026!".into());
    instagram.totp_seed = Some("JBSWY3DPEHPK3PXP".into());
    let mut newsletter = SecretFields::default();
    newsletter.token = Some("demo-mc-7f3a9c2e41b84d6f".into());
    let mut press = SecretFields::default();
    press.username = Some("press@acme.example".into());
    press.password = Some("demo-press-office-Mailbox".into());
    for (name, kind, fields, two_person) in [
        ("Instagram login", "login", instagram, false),
        ("Newsletter API token", "api_token", newsletter, true),
        ("Press office mailbox", "login", press, false),
    ] {
        byline_app::vault::add(
            state,
            &marco,
            "acme",
            byline_app::vault::SecretInput {
                name: name.into(),
                kind: kind.into(),
                fields,
                custodians: vec!["marco".into(), "lena".into()],
                two_person,
            },
        )
        .await
        .map_err(err)?;
    }
    Ok(())
}

/// @acme's publishing: a month of content around today (published,
/// scheduled, in review, a rejected draft with its comments), in Paris
/// time with one owner's approval, and two campaigns with spend, results
/// and clicks on their short links.
async fn seed_publishing(state: &App, users: &[User], now: Timestamp) -> anyhow::Result<()> {
    use byline_app::campaigns::{self, Source};
    use byline_app::publishing::{self, PublicationInput, TierInput, VariantInput};
    use byline_core::campaign::{CampaignInput, ResultRow};
    let marco = Caller::operator(find(users, "marco")?.clone());
    let lena = Caller::operator(find(users, "lena")?.clone());
    let settings = publishing::save_settings(
        state,
        &marco,
        "acme",
        "Europe/Paris",
        &[TierInput {
            approvals: 1,
            roles: vec!["owner".into()],
            people: Vec::new(),
        }],
        None,
    )
    .await
    .map_err(err)?;
    let zone = settings.zone;
    let channels = byline_app::channels::list(state, &marco, "acme")
        .await
        .map_err(err)?
        .channels;
    let channel = |name: &str| -> anyhow::Result<i64> {
        channels
            .iter()
            .find(|c| c.row.name == name)
            .map(|c| c.row.id)
            .ok_or_else(|| anyhow::anyhow!("demo channel {name} is missing"))
    };
    let (news, partner) = (channel("Acme news")?, channel("Partner webhook")?);
    let day = |d: i64| {
        byline_core::roster::local_of(zone, now.plus_seconds(d * 86_400))
            .date()
            .to_string()
    };
    let winter = campaigns::create(
        state,
        &lena,
        "acme",
        &CampaignInput {
            name: "Winter collection".into(),
            starts_on: day(-21),
            ends_on: day(14),
            budget: "5,000.00".into(),
            goal: "Bring 400 people to the winter collection pages and 60 orders from the partner shops.".into(),
        },
    )
    .await
    .map_err(err)?;
    let spring = campaigns::create(
        state,
        &lena,
        "acme",
        &CampaignInput {
            name: "Spring preview".into(),
            starts_on: day(20),
            ends_on: day(60),
            budget: "2,000.00".into(),
            goal: "Sign up 150 partners for the spring preview days.".into(),
        },
    )
    .await
    .map_err(err)?;
    // (days from now, local time, title, text, campaign, to the partner too)
    type Planned<'a> = (i64, &'a str, &'a str, &'a str, Option<i64>, bool);
    let plan: [Planned; 11] = [
        (
            -20,
            "10:00",
            "Winter teaser",
            "Something warm is coming. First look at https://acme.example/winter on Friday.",
            Some(winter.id),
            false,
        ),
        (
            -16,
            "10:00",
            "Behind the scenes: Lyon",
            "Our Lyon workshop finished the last coats this week. Photos: https://acme.example/winter/lyon",
            Some(winter.id),
            false,
        ),
        (
            -12,
            "12:30",
            "Winter collection is live",
            "The winter collection is in stores and online today: https://acme.example/winter",
            Some(winter.id),
            false,
        ),
        (
            -8,
            "10:00",
            "Care guide",
            "How to keep wool coats at their best all season: https://acme.example/care",
            Some(winter.id),
            false,
        ),
        (
            -5,
            "17:00",
            "Store hours in December",
            "Our stores open late every Thursday in December.",
            None,
            false,
        ),
        (
            -2,
            "10:00",
            "Milan pop-up",
            "The Milan pop-up opens this weekend. Directions: https://acme.example/winter/milan",
            Some(winter.id),
            false,
        ),
        (
            1,
            "09:30",
            "Gift guide",
            "Ten gifts from the winter collection under 100 euros: https://acme.example/gifts",
            Some(winter.id),
            true,
        ),
        (
            3,
            "14:00",
            "Last order dates",
            "Order by the 20th for delivery before the holidays: https://acme.example/delivery",
            Some(winter.id),
            false,
        ),
        (
            7,
            "09:30",
            "Thank you, Lyon",
            "A thank-you to the Lyon team who made the winter collection.",
            None,
            false,
        ),
        (
            10,
            "11:00",
            "Winter sale preview",
            "Members see the winter sale first: https://acme.example/members",
            Some(winter.id),
            false,
        ),
        (
            24,
            "09:30",
            "Spring preview days",
            "Partners: book your spring preview day at https://acme.example/spring",
            Some(spring.id),
            true,
        ),
    ];
    for (i, (d, time, title, text, campaign, to_partner)) in plan.iter().enumerate() {
        let mut variants = vec![VariantInput {
            channel_id: news,
            subject: String::new(),
            body: (*text).to_owned(),
        }];
        if *to_partner {
            variants.push(VariantInput {
                channel_id: partner,
                subject: String::new(),
                body: format!("{title}: {text}"),
            });
        }
        let input = PublicationInput {
            title: (*title).to_owned(),
            campaign_id: *campaign,
            variants,
        };
        let p = publishing::create(state, &lena, "acme", &input)
            .await
            .map_err(err)?;
        publishing::submit(state, &lena, "acme", p.id)
            .await
            .map_err(err)?;
        publishing::approve(state, &marco, "acme", p.id, 1)
            .await
            .map_err(err)?;
        // Scheduled two days ahead of its minute, as the team works.
        let local = format!("{}T{time}", day(*d));
        let at = now.plus_seconds((d - 2) * 86_400);
        let scheduled = publishing::schedule_at(state, &lena, "acme", p.id, 1, &local, at)
            .await
            .map_err(err)?;
        if *d < 0 {
            // Its minute has passed: released now, delivered (into the
            // feed) once the server runs.
            let due = Timestamp(scheduled.due_at.unwrap_or(now.micros()));
            publishing::release(state, p.id, due)
                .await
                .map_err(|e| anyhow::anyhow!("demo release: {e:?}"))?;
            // Readers followed its links over the following days.
            for (k, (code, _, _)) in state
                .store
                .publishing()
                .links_of(p.id)
                .await?
                .iter()
                .enumerate()
            {
                for after in 0..(-d).min(6) {
                    let clicks = 6 + ((i * 17 + k * 5 + after as usize * 11) % 40) as i64;
                    let when = due.plus_seconds(after * 86_400);
                    state
                        .store
                        .publishing()
                        .add_clicks(
                            code,
                            byline_core::campaign::day_bucket(when.micros()),
                            clicks,
                        )
                        .await?;
                }
            }
        }
    }
    // Spend and results so far.
    for (d, amount, note, ch) in [
        (-20, "800.00", "Photo shoot in Lyon", None),
        (
            -12,
            "1,200.00",
            "Partner placement, launch week",
            Some("Partner webhook"),
        ),
        (-8, "450.00", "Sponsored boost", Some("Acme news")),
        (
            -2,
            "600.00",
            "Milan pop-up listing",
            Some("Partner webhook"),
        ),
    ] {
        campaigns::add_spend(state, &lena, "acme", winter.id, (&day(d), amount, note, ch))
            .await
            .map_err(err)?;
    }
    let mut results = Vec::new();
    // revenue in cents
    for (d, ch, leads, conversions, revenue) in [
        (-12, Some("Acme news"), 42, 9, 189_000),
        (-11, Some("Partner webhook"), 31, 12, 264_000),
        (-8, Some("Acme news"), 25, 6, 115_000),
        (-5, None, 12, 3, 54_000),
        (-2, Some("Partner webhook"), 18, 7, 161_000),
    ] {
        results.push(ResultRow {
            on: chrono::NaiveDate::parse_from_str(&day(d), "%Y-%m-%d")?,
            channel: ch.map(str::to_owned),
            leads,
            conversions,
            revenue_cents: revenue,
        });
    }
    campaigns::add_results(state, &lena, "acme", winter.id, &results, Source::Csv)
        .await
        .map_err(err)?;
    // One waiting for Marco's review, and one he sent back.
    let review = publishing::create(
        state,
        &lena,
        "acme",
        &PublicationInput {
            title: "New year, new stores".into(),
            campaign_id: Some(spring.id),
            variants: vec![VariantInput {
                channel_id: news,
                subject: String::new(),
                body: "Two new stores open in January: Turin and Grenoble.".into(),
            }],
        },
    )
    .await
    .map_err(err)?;
    publishing::submit(state, &lena, "acme", review.id)
        .await
        .map_err(err)?;
    let rejected = publishing::create(
        state,
        &lena,
        "acme",
        &PublicationInput {
            title: "Black Friday: 50% off everything".into(),
            campaign_id: Some(winter.id),
            variants: vec![VariantInput {
                channel_id: news,
                subject: String::new(),
                body: "Everything is half price this Friday only! The best prices in Europe, guaranteed.".into(),
            }],
        },
    )
    .await
    .map_err(err)?;
    publishing::submit(state, &lena, "acme", rejected.id)
        .await
        .map_err(err)?;
    publishing::comment(
        state,
        &marco,
        "acme",
        rejected.id,
        "The tone is more shouty than our brand, and we never claim the best prices in Europe.",
    )
    .await
    .map_err(err)?;
    publishing::reject(
        state,
        &marco,
        "acme",
        rejected.id,
        "Please drop the price guarantee: legal has not cleared it. A calmer headline, too.",
    )
    .await
    .map_err(err)?;
    publishing::comment(
        state,
        &lena,
        "acme",
        rejected.id,
        "Fair. I will rework it with the care-guide tone tomorrow.",
    )
    .await
    .map_err(err)?;
    publishing::create(
        state,
        &lena,
        "acme",
        &PublicationInput {
            title: "Spring lookbook (draft)".into(),
            campaign_id: Some(spring.id),
            variants: vec![VariantInput {
                channel_id: news,
                subject: String::new(),
                body: "Spring lookbook: linen, light wool and the colours of Provence.".into(),
            }],
        },
    )
    .await
    .map_err(err)?;
    // Scheduling opened acting sessions; people choose to act as a profile
    // themselves, so the demo leaves nobody switched in.
    for who in [&lena, &marco] {
        byline_app::acting::switch_out(state, who, "demo_seeded")
            .await
            .map_err(err)?;
    }
    Ok(())
}

/// Listening: @it-helpdesk watches "Wi-Fi" and "Email". Wi-Fi comes up now
/// and then over the month (a slow access point, thanks for a fix), until
/// Wednesday of last week at 10:00 UTC, when the Wi-Fi on floor 3 went down and
/// nine people said so within ten minutes: the listener opened an
/// incident, and Ivan answered everyone at once.
async fn seed_listening(state: &App, users: &[User], now: Timestamp) -> anyhow::Result<()> {
    use byline_app::listening;
    let op = |handle: &str| -> anyhow::Result<Caller> {
        Ok(Caller::operator(find(users, handle)?.clone()))
    };
    let ivan = op("ivan")?;
    let (desk, topics) = listening::topics(state, &ivan, "it-helpdesk")
        .await
        .map_err(err)?;
    let wifi = topics
        .iter()
        .find(|t| t.name == "Wi-Fi")
        .ok_or_else(|| anyhow::anyhow!("the demo's Wi-Fi topic is missing"))?;
    let day = 86_400_i64;
    let midnight = Timestamp(now.micros().div_euclid(day * 1_000_000) * day * 1_000_000);
    let say = |text: &str, reply_to: Option<i64>| Compose {
        text: text.to_owned(),
        community: None,
        reply_to,
        attachments: Vec::new(),
        acting_as: None,
    };
    // The month's ordinary talk: (days ago, hour, who, what).
    let ordinary: &[(i64, i64, &str, &str)] = &[
        (26, 9, "sam", "Is there a guide for eduroam on Android?"),
        (
            24,
            14,
            "rosa",
            "The wifi in meeting room B is slow this afternoon",
        ),
        (
            21,
            11,
            "chen",
            "Wireless presenter for the town hall is at reception",
        ),
        (
            19,
            16,
            "lena",
            "Outlook keeps asking for my password after the update",
        ),
        (
            17,
            10,
            "priya",
            "Thanks IT, the wifi in the canteen is great now",
        ),
        (
            15,
            13,
            "omar",
            "Reminder: the guest wifi password changes on Monday",
        ),
        (
            12,
            15,
            "helen",
            "My mailbox is nearly full, who can give me more space?",
        ),
        (10, 9, "wendy", "wifi dropping in the quiet room again"),
        (
            8,
            12,
            "marco",
            "Eduroam works fine at the Leeds office, handy for visitors",
        ),
        (
            6,
            17,
            "sam",
            "Outlook calendar invites are arriving late today",
        ),
    ];
    for (ago, hour, who, text) in ordinary {
        let at = midnight.plus_seconds(-ago * day + hour * 3600);
        posts::create_at(state, &op(who)?, say(text, None), at)
            .await
            .map_err(err)?;
    }
    // The outage, on Wednesday of last week from 10:00 UTC (so that last
    // week's digest tells of it).
    let today = midnight.micros().div_euclid(day * 1_000_000);
    // 1970-01-01 was a Thursday: Monday is 0.
    let this_monday = today - (today + 3).rem_euclid(7);
    let start = Timestamp((this_monday - 7 + 2) * day * 1_000_000).plus_seconds(10 * 3600);
    let outage: &[(i64, &str, &str, bool)] = &[
        (
            0,
            "chen",
            "Is the wifi down on floor 3? Nothing loads.",
            false,
        ),
        (1, "rosa", "same here, no wifi at all", true),
        (
            2,
            "lena",
            "Wi-Fi gone on floor 3, my call just dropped",
            false,
        ),
        (3, "sam", "eduroam not working for me either", false),
        (
            4,
            "priya",
            "wifi is down in the east wing too, can't reach anything",
            false,
        ),
        (5, "marco", "+1, wireless is dead in meeting room 3B", true),
        (6, "helen", "No wifi in HR, is IT aware?", false),
        (
            7,
            "wendy",
            "wifi down, working from my phone hotspot for now",
            false,
        ),
        (
            8,
            "omar",
            "Confirming: the floor 3 wireless access points are unreachable",
            false,
        ),
    ];
    let mut first: Option<i64> = None;
    for (minute, who, text, in_thread) in outage {
        let reply_to = if *in_thread { first } else { None };
        let post = posts::create_at(
            state,
            &op(who)?,
            say(text, reply_to),
            start.plus_seconds(minute * 60),
        )
        .await
        .map_err(err)?;
        first.get_or_insert(post.id);
    }
    // The listener reads everything, then judges the outage's ten minutes
    // as it did when it happened.
    listening::scan(state).await.map_err(err)?;
    let heard_at = start.plus_seconds(9 * 60);
    let row = state.store.listening().topic(desk.id, wifi.id).await?;
    let incident = listening::raise_at(state, &row, heard_at)
        .await
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("the demo outage raised no incident"))?;
    listening::answer_incident_at(
        state,
        &ivan,
        "it-helpdesk",
        incident,
        "We know the Wi-Fi on floor 3 is down: an access point controller failed. We're on it and will post here when it's back.",
        heard_at.plus_seconds(4 * 60),
    )
    .await
    .map_err(err)?;
    // Back an hour later: the incident is solved.
    let number = listening::incidents(state, &ivan, "it-helpdesk")
        .await
        .map_err(err)?
        .first()
        .map(|i| i.ticket_number)
        .ok_or_else(|| anyhow::anyhow!("the demo incident is missing"))?;
    byline_app::tickets::set_status(state, &ivan, "it-helpdesk", number, "solved")
        .await
        .map_err(err)?;
    posts::create_at(
        state,
        &op("chen")?,
        say("wifi is back on floor 3, thanks IT!", None),
        start.plus_seconds(75 * 60),
    )
    .await
    .map_err(err)?;
    listening::scan(state).await.map_err(err)?;
    // Last week's digest, as Monday morning's job wrote it.
    if let Some(week) =
        chrono::DateTime::from_timestamp((this_monday - 7) * day, 0).map(|t| t.date_naive())
    {
        listening::digest::write_all(state, week)
            .await
            .map_err(err)?;
    }
    Ok(())
}

/// @it-helpdesk watches "Wi-Fi" and "Email" from before the month's talk
/// is written (a term found in more than a twentieth of recent posts would
/// be refused, and the demo's staff talk about Wi-Fi a lot).
async fn watch_topics(state: &App, users: &[User]) -> anyhow::Result<()> {
    use byline_app::listening::{self, TopicInput};
    let ivan = Caller::operator(find(users, "ivan")?.clone());
    listening::create_topic(
        state,
        &ivan,
        "it-helpdesk",
        &TopicInput {
            name: "Wi-Fi".into(),
            terms: vec![
                "wifi".into(),
                "wi-fi".into(),
                "wireless".into(),
                "eduroam".into(),
            ],
            sensitivity: None,
            min_posters: None,
        },
    )
    .await
    .map_err(err)?;
    listening::create_topic(
        state,
        &ivan,
        "it-helpdesk",
        &TopicInput {
            name: "Email".into(),
            terms: vec!["outlook".into(), "mailbox".into(), "webmail".into()],
            sensitivity: None,
            min_posters: None,
        },
    )
    .await
    .map_err(err)?;
    Ok(())
}
