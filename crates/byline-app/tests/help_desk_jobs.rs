//! The help desk's jobs through the real runner: a solved ticket closes
//! after its desk's days, unless it was reopened meanwhile; solving it
//! again schedules a close of its own.

use byline_app::jobs::{Handlers, Runner, RunnerSettings};
use byline_app::{App, tickets};
use byline_core::shared_profile::{AttributionPolicy, ProfileRole};
use byline_core::ticket::TicketStatus;
use byline_core::{DisplayName, Email, Handle, Role, Timestamp};
use byline_store::Store;
use byline_store::audit::AuditEntry;
use byline_store::posts::{NewPost, PostContent};
use byline_store::testing::{Kind, TestDatabase};
use byline_store::users::NewUser;

/// Long enough ago that a four-day wait is over.
const T0: Timestamp = Timestamp(1_790_000_000_000_000);

fn audit() -> AuditEntry {
    AuditEntry::new(None, "test", "test".into(), "127.0.0.1")
}

async fn user(store: &Store, handle: &str) -> byline_store::users::User {
    store
        .users()
        .create_user(
            &NewUser {
                email: &Email::parse(&format!("{handle}@example.com")).expect("email"),
                display_name: &DisplayName::parse(handle).expect("name"),
                handle: &Handle::parse(handle).expect("handle"),
                password_hash: "$argon2id$x",
                role: Role::Staff,
            },
            &audit(),
            T0,
        )
        .await
        .expect("user")
}

async fn say(
    store: &Store,
    user_id: i64,
    text: &str,
    mentions: &[i64],
    reply_to: Option<(i64, i64)>,
    at: Timestamp,
) -> i64 {
    let html = format!("<p>{text}</p>");
    store
        .posts()
        .create_post(
            user_id,
            &NewPost {
                community_id: None,
                reply_to,
                content: PostContent {
                    body: text,
                    body_html: &html,
                    mentioned_profile_ids: mentions,
                    tags: &[],
                },
                attachment_ids: &[],
                intake: &[],
            },
            at,
        )
        .await
        .expect("post")
        .id
}

async fn solved_tickets_close_unless_reopened(kind: Kind) {
    let Some(db) = TestDatabase::new(kind).await else {
        return;
    };
    let store = db.store().await;
    let agent = user(&store, "agent").await;
    let sam = user(&store, "sam").await;
    let desk = store
        .shared_profiles()
        .create_shared_profile(
            &Handle::parse("it-helpdesk").expect("h"),
            &DisplayName::parse("IT").expect("n"),
            AttributionPolicy::Internal,
            &audit(),
            T0,
        )
        .await
        .expect("desk");
    store
        .shared_profiles()
        .set_profile_member(desk, agent.id, Some(ProfileRole::Responder), &audit(), T0)
        .await
        .expect("member");
    store
        .tickets()
        .enable_help_desk(desk, agent.id, &audit(), T0)
        .await
        .expect("on");
    let first = say(&store, sam.id, "@it-helpdesk printer", &[desk], None, T0).await;
    let reopened = say(&store, sam.id, "@it-helpdesk scanner", &[desk], None, T0).await;
    let tickets = store.tickets();
    let one = tickets.ticket(desk, 1).await.expect("#1");
    let two = tickets.ticket(desk, 2).await.expect("#2");
    assert_eq!(
        (one.source_post_id, two.source_post_id),
        (Some(first), Some(reopened))
    );
    for t in [&one, &two] {
        tickets
            .set_ticket_status(
                t.id,
                TicketStatus::Solved,
                agent.id,
                &audit(),
                T0.plus_seconds(60),
            )
            .await
            .expect("solve");
    }
    // Sam writes back on #2 the next day: it is open again.
    say(
        &store,
        sam.id,
        "still jammed",
        &[],
        Some((reopened, reopened)),
        T0.plus_seconds(86_400),
    )
    .await;
    assert_eq!(
        tickets.ticket(desk, 2).await.expect("#2").status,
        TicketStatus::Open
    );

    let app = App::for_tasks(store.clone());
    let runner = Runner::new(
        app.clone(),
        tickets::job_handlers(Handlers::new()),
        RunnerSettings::default(),
    );
    let pass = runner.run_due().await.expect("pass");
    assert_eq!(
        (pass.claimed, pass.done),
        (2, 2),
        "both closes were due and ran"
    );
    assert_eq!(
        tickets.ticket(desk, 1).await.expect("#1").status,
        TicketStatus::Closed
    );
    assert_eq!(
        tickets.ticket(desk, 2).await.expect("#2").status,
        TicketStatus::Open,
        "reopened since: left alone"
    );
    let last = tickets.ticket_events(one.id, false).await.expect("events");
    assert_eq!(
        last.last().map(|e| (e.kind.as_str(), e.detail.as_str())),
        Some(("status", "closed"))
    );

    // Solved again: a close of its own, which runs.
    tickets
        .set_ticket_status(
            two.id,
            TicketStatus::Solved,
            agent.id,
            &audit(),
            T0.plus_seconds(2 * 86_400),
        )
        .await
        .expect("solve again");
    assert_eq!(runner.run_due().await.expect("pass").done, 1);
    assert_eq!(
        tickets.ticket(desk, 2).await.expect("#2").status,
        TicketStatus::Closed
    );
    let counts = store.jobs().job_counts().await.expect("counts");
    assert_eq!((counts.pending, counts.done, counts.failed), (0, 3, 0));
    let audited = store.audit().audit_events(0, 1000).await.expect("audit");
    assert_eq!(
        audited
            .iter()
            .filter(|e| e.action == "ticket.auto_close")
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solved_tickets_close_unless_reopened_sqlite() {
    solved_tickets_close_unless_reopened(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solved_tickets_close_unless_reopened_postgres() {
    solved_tickets_close_unless_reopened(Kind::Postgres).await;
}

/// A ticket past its first-response warning, and one past its target,
/// alert the owner once each through the runner.
async fn sla_alerts_reach_the_owner_once(kind: Kind) {
    let Some(db) = TestDatabase::new(kind).await else {
        return;
    };
    let store = db.store().await;
    let owner = user(&store, "olga").await;
    let sam = user(&store, "sam").await;
    let desk = store
        .shared_profiles()
        .create_shared_profile(
            &Handle::parse("it-helpdesk").expect("h"),
            &DisplayName::parse("IT").expect("n"),
            AttributionPolicy::Internal,
            &audit(),
            T0,
        )
        .await
        .expect("desk");
    store
        .shared_profiles()
        .set_profile_member(desk, owner.id, Some(ProfileRole::Owner), &audit(), T0)
        .await
        .expect("member");
    store
        .tickets()
        .enable_help_desk(desk, owner.id, &audit(), T0)
        .await
        .expect("on");
    let targets = byline_core::sla::SlaTargets::new(Some(60), None, None, 50).expect("targets");
    store
        .sla()
        .set_sla_policy(
            desk,
            byline_core::ticket::Priority::Normal,
            Some(&targets),
            &audit(),
            T0,
        )
        .await
        .expect("sla");
    let now = byline_app::now();
    // #1: opened 20 minutes ago, 40 left, warned at 50 before: warning now.
    say(
        &store,
        sam.id,
        "@it-helpdesk slow vpn",
        &[desk],
        None,
        now.plus_seconds(-20 * 60),
    )
    .await;
    // #2: opened two hours ago: missed.
    say(
        &store,
        sam.id,
        "@it-helpdesk no email",
        &[desk],
        None,
        now.plus_seconds(-2 * 3600),
    )
    .await;
    let app = App::for_tasks(store.clone());
    // Both are breaching soon, the missed one (due earlier) first; a
    // third, opened just now, has 60 minutes and is not.
    say(&store, sam.id, "@it-helpdesk new mouse", &[desk], None, now).await;
    let ids = |n: i64| {
        let store = store.clone();
        async move { store.tickets().ticket(desk, n).await.expect("ticket").id }
    };
    // Written straight to the store, the tickets are timed as the app's
    // own writes time them: by their clocks after the change.
    for n in [1, 2, 3] {
        let t = store.tickets().ticket(desk, n).await.expect("ticket");
        tickets::schedule_clock_jobs(&app, t.id)
            .await
            .expect("schedule");
    }
    let soon: Vec<i64> = tickets::breaching_soon(&app, desk)
        .await
        .expect("breaching")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(soon, [ids(2).await, ids(1).await]);
    for n in [1, 2] {
        let t = store.tickets().ticket(desk, n).await.expect("ticket");
        tickets::schedule_clock_jobs(&app, t.id)
            .await
            .expect("schedule");
        // Scheduling again after another look changes nothing.
        tickets::schedule_clock_jobs(&app, t.id)
            .await
            .expect("schedule");
    }
    let runner = Runner::new(
        app.clone(),
        tickets::job_handlers(Handlers::new()),
        RunnerSettings::default(),
    );
    let pass = runner.run_due().await.expect("pass");
    assert_eq!(pass.failed, 0);
    let notes = store
        .notifications()
        .notifications(owner.profile_id, i64::MAX, 50)
        .await
        .expect("notifications");
    let mut kinds: Vec<&str> = notes.iter().map(|n| n.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["sla_breach", "sla_warning"], "{notes:?}");
    // Nothing more on the next pass, nor after scheduling again.
    for n in [1, 2] {
        let t = store.tickets().ticket(desk, n).await.expect("ticket");
        tickets::schedule_clock_jobs(&app, t.id)
            .await
            .expect("schedule");
    }
    runner.run_due().await.expect("pass");
    let again = store
        .notifications()
        .notifications(owner.profile_id, i64::MAX, 50)
        .await
        .expect("notifications");
    assert_eq!(again.len(), 2, "each alert once");
    let t1 = store.tickets().ticket(desk, 1).await.expect("#1");
    let history = store
        .tickets()
        .ticket_events(t1.id, true)
        .await
        .expect("events");
    assert!(
        history
            .iter()
            .any(|e| e.kind == "sla" && e.detail.starts_with("warning:first_response"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_alerts_reach_the_owner_once_sqlite() {
    sla_alerts_reach_the_owner_once(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_alerts_reach_the_owner_once_postgres() {
    sla_alerts_reach_the_owner_once(Kind::Postgres).await;
}

/// A desk's tighter targets reach its open tickets' "breaching soon"
/// through a durable job, without waiting for each ticket's next change.
async fn new_targets_move_open_tickets_clocks(kind: Kind) {
    let Some(db) = TestDatabase::new(kind).await else {
        return;
    };
    let store = db.store().await;
    let owner = user(&store, "olga").await;
    let sam = user(&store, "sam").await;
    let desk = store
        .shared_profiles()
        .create_shared_profile(
            &Handle::parse("it-helpdesk").expect("h"),
            &DisplayName::parse("IT").expect("n"),
            AttributionPolicy::Internal,
            &audit(),
            T0,
        )
        .await
        .expect("desk");
    store
        .shared_profiles()
        .set_profile_member(desk, owner.id, Some(ProfileRole::Owner), &audit(), T0)
        .await
        .expect("member");
    let app = App::for_tasks(store.clone());
    let olga = byline_app::Caller::operator(owner.clone());
    tickets::enable(&app, &olga, "it-helpdesk")
        .await
        .expect("on");
    let roomy = tickets::TargetsInput {
        first_response_minutes: Some(600),
        next_response_minutes: None,
        resolution_minutes: None,
        warn_before_minutes: 50,
    };
    tickets::set_sla(&app, &olga, "it-helpdesk", "normal", Some(roomy))
        .await
        .expect("sla");
    // Opened 20 minutes ago, timed as every change times it: ten hours
    // to go, so not breaching soon.
    let now = byline_app::now();
    say(
        &store,
        sam.id,
        "@it-helpdesk slow vpn",
        &[desk],
        None,
        now.plus_seconds(-20 * 60),
    )
    .await;
    let t = store.tickets().ticket(desk, 1).await.expect("ticket");
    tickets::schedule_clock_jobs(&app, t.id)
        .await
        .expect("timed");
    let soon = tickets::breaching_soon(&app, desk).await.expect("soon");
    assert!(soon.is_empty(), "{soon:?}");
    // A 30-minute target: 10 minutes left, inside the warning.
    let tight = tickets::TargetsInput {
        first_response_minutes: Some(30),
        next_response_minutes: None,
        resolution_minutes: None,
        warn_before_minutes: 20,
    };
    tickets::set_sla(&app, &olga, "it-helpdesk", "normal", Some(tight))
        .await
        .expect("sla");
    // The change itself leaves a durable job; the runner's next pass
    // moves the open ticket's clocks.
    let runner = Runner::new(
        app.clone(),
        tickets::job_handlers(Handlers::new()),
        RunnerSettings::default(),
    );
    let pass = runner.run_due().await.expect("pass");
    assert_eq!(pass.failed, 0);
    let soon = tickets::breaching_soon(&app, desk).await.expect("soon");
    assert_eq!(soon.len(), 1, "the open ticket's clocks moved");
    assert_eq!(soon[0].0, t.id);
    let due = soon[0].1;
    let expected = now.plus_seconds(10 * 60);
    assert!(
        (due.0 - expected.0).abs() < 60_000_000,
        "due in about ten minutes, not {due:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_targets_move_open_tickets_clocks_sqlite() {
    new_targets_move_open_tickets_clocks(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_targets_move_open_tickets_clocks_postgres() {
    new_targets_move_open_tickets_clocks(Kind::Postgres).await;
}
