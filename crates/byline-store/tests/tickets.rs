//! Tickets from posts: a mention of a help-desk profile opens one in the
//! post's own transaction; the requester's replies and the profile's
//! answers in the thread become its history; status moves follow the
//! workflow; a reply to a closed ticket opens a new, linked one.

use byline_core::assignment::Assignment;
use byline_core::shared_profile::{AttributionPolicy, ProfileRole};
use byline_core::ticket::TicketStatus;
use byline_core::{DisplayName, Handle};
use byline_store::posts::{NewPost, PostContent};
use byline_store::speak::{Spoken, Utterance, Voice};
use byline_store::tickets::{Intake, IntakeJob, TicketView};
use byline_store::{Store, StoreError, contract_test};

mod common;
use common::{T0, add_user, audit};

struct Desk {
    profile: i64,
    agent: i64,
    session: i64,
    requester: byline_store::users::User,
}

async fn desk(store: &Store, enable: bool) -> Desk {
    let agent = add_user(store, "agent@example.com", "agent")
        .await
        .expect("agent");
    let requester = add_user(store, "sam@example.com", "sam")
        .await
        .expect("sam");
    let profile = store
        .shared_profiles()
        .create_shared_profile(
            &Handle::parse("it-helpdesk").expect("handle"),
            &DisplayName::parse("IT help desk").expect("name"),
            AttributionPolicy::Internal,
            &audit(),
            T0,
        )
        .await
        .expect("profile");
    store
        .shared_profiles()
        .set_profile_member(
            profile,
            agent.id,
            Some(ProfileRole::Responder),
            &audit(),
            T0,
        )
        .await
        .expect("member");
    if enable {
        store
            .tickets()
            .enable_help_desk(profile, agent.id, &audit(), T0)
            .await
            .expect("enable");
    }
    let session = store
        .shared_profiles()
        .start_acting(agent.id, profile, "127.0.0.1", "test", &audit(), T0)
        .await
        .expect("acting");
    Desk {
        profile,
        agent: agent.id,
        session,
        requester,
    }
}

async fn post(
    store: &Store,
    user_id: i64,
    text: &str,
    mentions: &[i64],
    reply_to: Option<(i64, i64)>,
    at: i64,
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
            T0.plus_seconds(at),
        )
        .await
        .expect("post")
        .id
}

async fn answer(store: &Store, d: &Desk, text: &str, reply_to: (i64, i64), at: i64) -> i64 {
    let html = format!("<p>{text}</p>");
    let new = NewPost {
        community_id: None,
        reply_to: Some(reply_to),
        content: PostContent {
            body: text,
            body_html: &html,
            mentioned_profile_ids: &[],
            tags: &[],
        },
        attachment_ids: &[],
        intake: &[],
    };
    let voice = Voice::new(d.agent, d.profile, d.session, "127.0.0.1");
    match store
        .speak(&voice, Utterance::Post(&new), T0.plus_seconds(at))
        .await
        .expect("answer")
    {
        Spoken::Post(p) => p.id,
        other => panic!("{other:?}"),
    }
}

contract_test!(
    a_mention_of_a_help_desk_opens_a_ticket,
    |store| async move {
        let d = desk(&store, true).await;
        let first = post(
            &store,
            d.requester.id,
            "@it-helpdesk wifi down on floor 3",
            &[d.profile],
            None,
            1,
        )
        .await;
        let tickets = store.tickets();
        let t = tickets.ticket(d.profile, 1).await.expect("ticket #1");
        assert_eq!(t.subject, "wifi down on floor 3");
        assert_eq!(t.status, TicketStatus::New);
        assert_eq!(t.requester_profile_id, d.requester.profile_id);
        assert_eq!(t.requester_handle, "sam");
        assert_eq!(
            (t.source_post_id, t.thread_root_id),
            (Some(first), Some(first))
        );
        let second = post(
            &store,
            d.requester.id,
            "@it-helpdesk printer jammed",
            &[d.profile],
            None,
            2,
        )
        .await;
        assert_eq!(
            tickets
                .ticket(d.profile, 2)
                .await
                .expect("#2")
                .source_post_id,
            Some(second)
        );
        let open = tickets
            .tickets(d.profile, TicketView::AllOpen, None, None, 50)
            .await
            .expect("list");
        assert_eq!(
            open.iter().map(|t| t.number).collect::<Vec<_>>(),
            vec![2, 1]
        );
        let unassigned = tickets
            .view_counts(d.profile, d.agent)
            .await
            .expect("counts");
        assert_eq!(
            (unassigned.all_open, unassigned.unassigned, unassigned.mine),
            (2, 2, 0)
        );
        assert_eq!(
            tickets
                .requester_tickets(d.requester.profile_id, 10)
                .await
                .expect("mine")
                .len(),
            2
        );
        // A plain post and a post mentioning someone else open nothing.
        post(&store, d.requester.id, "lunch anyone?", &[], None, 3).await;
        post(&store, d.requester.id, "@agent hi", &[d.agent], None, 4).await;
        assert_eq!(
            tickets
                .view_counts(d.profile, d.agent)
                .await
                .expect("counts")
                .all_open,
            2
        );
    }
);

contract_test!(
    a_profile_without_its_help_desk_on_gets_no_tickets,
    |store| async move {
        let d = desk(&store, false).await;
        post(
            &store,
            d.requester.id,
            "@it-helpdesk hello",
            &[d.profile],
            None,
            1,
        )
        .await;
        assert!(matches!(
            store.tickets().ticket(d.profile, 1).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.tickets().help_desk(d.profile).await.expect("desk"),
            None
        );
        assert!(matches!(
            store
                .tickets()
                .enable_help_desk(d.requester.profile_id, d.agent, &audit(), T0)
                .await,
            Err(StoreError::Refused(_))
        ));
    }
);

contract_test!(
    replies_in_the_thread_are_the_tickets_history,
    |store| async move {
        let d = desk(&store, true).await;
        let root = post(
            &store,
            d.requester.id,
            "@it-helpdesk vpn broken",
            &[d.profile],
            None,
            1,
        )
        .await;
        let tickets = store.tickets();
        let t = tickets.ticket(d.profile, 1).await.expect("ticket");
        answer(&store, &d, "Restart the client, please.", (root, root), 60).await;
        assert_eq!(
            tickets.ticket(d.profile, 1).await.expect("t").status,
            TicketStatus::Open
        );
        tickets
            .set_ticket_status(
                t.id,
                TicketStatus::Pending,
                d.agent,
                &audit(),
                T0.plus_seconds(61),
            )
            .await
            .expect("pending");
        post(
            &store,
            d.requester.id,
            "Still broken",
            &[],
            Some((root, root)),
            120,
        )
        .await;
        assert_eq!(
            tickets.ticket(d.profile, 1).await.expect("t").status,
            TicketStatus::Open,
            "the requester's reply took it off pending"
        );
        let kinds: Vec<String> = tickets
            .ticket_events(t.id, false)
            .await
            .expect("events")
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                "opened",
                "answer",
                "status",
                "status",
                "requester_reply",
                "status"
            ]
        );
        // Someone else's reply in the thread is not the requester's.
        let other = add_user(&store, "omar@example.com", "omar")
            .await
            .expect("omar");
        post(&store, other.id, "same here", &[], Some((root, root)), 130).await;
        assert_eq!(
            tickets
                .ticket_events(t.id, false)
                .await
                .expect("events")
                .len(),
            6
        );
        assert_eq!(
            tickets
                .view_counts(d.profile, d.agent)
                .await
                .expect("c")
                .all_open,
            1,
            "a reply in the thread opens no second ticket"
        );
    }
);

contract_test!(
    the_workflow_is_enforced_and_closed_tickets_stay_closed,
    |store| async move {
        let d = desk(&store, true).await;
        let root = post(
            &store,
            d.requester.id,
            "@it-helpdesk new laptop",
            &[d.profile],
            None,
            1,
        )
        .await;
        let tickets = store.tickets();
        let t = tickets.ticket(d.profile, 1).await.expect("ticket");
        let refused = tickets
            .set_ticket_status(
                t.id,
                TicketStatus::Closed,
                d.agent,
                &audit(),
                T0.plus_seconds(2),
            )
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Refused(m)) if m.contains("only a solved")),
            "{refused:?}"
        );
        assert_eq!(
            tickets.ticket_events(t.id, true).await.expect("e").len(),
            1,
            "nothing written"
        );
        for to in [TicketStatus::Solved, TicketStatus::Closed] {
            tickets
                .set_ticket_status(t.id, to, d.agent, &audit(), T0.plus_seconds(3))
                .await
                .expect("move");
        }
        post(
            &store,
            d.requester.id,
            "it broke again",
            &[],
            Some((root, root)),
            10,
        )
        .await;
        let old = tickets.ticket(d.profile, 1).await.expect("old");
        assert_eq!(old.status, TicketStatus::Closed);
        let new = tickets.ticket(d.profile, 2).await.expect("a new ticket");
        assert_eq!(new.previous_ticket_id, Some(old.id));
        assert_eq!(new.subject, "it broke again");
        assert_eq!(new.thread_root_id, Some(root));
    }
);

contract_test!(internal_notes_are_for_members_only, |store| async move {
    let d = desk(&store, true).await;
    post(
        &store,
        d.requester.id,
        "@it-helpdesk badge does not work",
        &[d.profile],
        None,
        1,
    )
    .await;
    let tickets = store.tickets();
    let t = tickets.ticket(d.profile, 1).await.expect("ticket");
    tickets
        .add_ticket_note(
            t.id,
            d.agent,
            "<p>Known issue with the reader</p>",
            &audit(),
            T0.plus_seconds(5),
        )
        .await
        .expect("note");
    let for_members = tickets.ticket_events(t.id, true).await.expect("events");
    assert_eq!(for_members.last().map(|e| e.kind.as_str()), Some("note"));
    assert_eq!(
        for_members.last().and_then(|e| e.by_handle.as_deref()),
        Some("agent")
    );
    let for_requester = tickets.ticket_events(t.id, false).await.expect("events");
    assert!(for_requester.iter().all(|e| e.kind != "note"));
});

/// A post carrying the desk's intake, as the application plans it: the
/// agent, if on shift, may take one open ticket, and each ticket starts
/// with one job.
async fn post_with_intake(
    store: &Store,
    d: &Desk,
    text: &str,
    intake_for: i64,
    at: i64,
) -> byline_store::posts::CreatedPost {
    post_with_intake_on_shift(store, d, text, intake_for, Some(vec![d.agent]), at).await
}

async fn post_with_intake_on_shift(
    store: &Store,
    d: &Desk,
    text: &str,
    intake_for: i64,
    on_shift: Option<Vec<i64>>,
    at: i64,
) -> byline_store::posts::CreatedPost {
    let html = format!("<p>{text}</p>");
    let intake = [Intake {
        profile_id: intake_for,
        rule: Assignment::RoundRobin,
        open_limit: 1,
        on_shift,
        sla_warn_at: Some(T0.plus_seconds(1_800)),
        sla_due_at: Some(T0.plus_seconds(3_600)),
        job_kind: "test.sla",
        jobs: Box::new(|id| {
            vec![IntakeJob {
                key: format!("intake:{id}"),
                payload: format!("{{\"ticket\":{id}}}"),
                due_at: T0.plus_seconds(3_600),
                max_attempts: 3,
            }]
        }),
    }];
    store
        .posts()
        .create_post(
            d.requester.id,
            &NewPost {
                community_id: None,
                reply_to: None,
                content: PostContent {
                    body: text,
                    body_html: &html,
                    mentioned_profile_ids: &[d.profile],
                    tags: &[],
                },
                attachment_ids: &[],
                intake: &intake,
            },
            T0.plus_seconds(at),
        )
        .await
        .expect("post")
}

contract_test!(
    a_desks_intake_gives_out_and_times_the_ticket_in_the_posts_own_write,
    |store| async move {
        let d = desk(&store, true).await;
        let first = post_with_intake(&store, &d, "@it-helpdesk printer jammed", d.profile, 1).await;
        assert_eq!(first.tickets.len(), 1);
        assert_eq!(first.settled, first.tickets, "settled inside the write");
        let tickets = store.tickets();
        let t = tickets
            .ticket_by_id(first.tickets[0])
            .await
            .expect("ticket");
        assert_eq!(
            t.assignee_user_id,
            Some(d.agent),
            "given to the agent on shift"
        );
        let events = tickets.ticket_events(t.id, true).await.expect("events");
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["opened", "assigned"]);
        assert_eq!(events[1].detail, "agent");
        // The assignment is audited and the chain still holds, also with
        // an event appended after it (the head moved on with the ticket).
        store
            .audit()
            .append_audit(&audit(), T0.plus_seconds(1))
            .await
            .expect("append");
        let chain = store.audit().verify_audit().await.expect("verify");
        assert_eq!(chain.first_break, None);
        let last = store.audit().audit_events(0, 1000).await.expect("events");
        let assign = last
            .iter()
            .find(|e| e.action == "ticket.assign")
            .expect("the assignment is audited");
        assert_eq!(assign.target, format!("ticket:{}", t.id));
        assert_eq!(last.last().map(|e| e.seq), Some(assign.seq + 1));
        // The job is there already: scheduling its key again keeps it.
        let key = format!("intake:{}", t.id);
        let id = store
            .jobs()
            .schedule_job(
                &byline_store::jobs::NewJob {
                    kind: "test.sla",
                    key: Some(&key),
                    payload: "{}",
                    due_at: T0,
                    max_attempts: 1,
                },
                T0,
            )
            .await
            .expect("schedule");
        let job = store.jobs().job(id).await.expect("job");
        assert_eq!(job.payload, format!("{{\"ticket\":{}}}", t.id));
        assert_eq!(job.due_at, T0.plus_seconds(3_600));
        // Breaching soon from its warning on, with the instant it is due.
        let before = tickets
            .breaching(d.profile, T0.plus_seconds(1_799), 10)
            .await
            .expect("soon");
        assert!(before.is_empty(), "{before:?}");
        let after = tickets
            .breaching(d.profile, T0.plus_seconds(1_800), 10)
            .await
            .expect("soon");
        assert_eq!(after, [(t.id, T0.plus_seconds(3_600))]);

        // The agent is at the limit, as counted inside the write: the
        // ticket waits unassigned, with nothing left for after the write.
        let second = post_with_intake(
            &store,
            &d,
            "@it-helpdesk printer jammed again",
            d.profile,
            2,
        )
        .await;
        assert_eq!(second.tickets.len(), 1);
        assert_eq!(second.settled, second.tickets, "settled: {second:?}");
        let t2 = tickets
            .ticket_by_id(second.tickets[0])
            .await
            .expect("ticket");
        assert_eq!(t2.assignee_user_id, None);

        // An intake for another desk does nothing here.
        let third = post_with_intake(
            &store,
            &d,
            "@it-helpdesk and the scanner",
            d.profile + 1000,
            3,
        )
        .await;
        assert!(third.settled.is_empty());
        let t3 = tickets
            .ticket_by_id(third.tickets[0])
            .await
            .expect("ticket");
        assert_eq!(t3.assignee_user_id, None);
    }
);

contract_test!(
    an_intake_gives_tickets_only_to_members_on_shift,
    |store| async move {
        let d = desk(&store, true).await;
        let off =
            post_with_intake_on_shift(&store, &d, "@it-helpdesk vpn", d.profile, Some(vec![]), 1)
                .await;
        assert_eq!(
            off.settled, off.tickets,
            "nobody on shift: nothing left to do"
        );
        let tickets = store.tickets();
        let t = tickets.ticket_by_id(off.tickets[0]).await.expect("ticket");
        assert_eq!(t.assignee_user_id, None, "the agent is off shift");
        // A desk without a roster gives tickets to any member who works them.
        let any =
            post_with_intake_on_shift(&store, &d, "@it-helpdesk vpn again", d.profile, None, 2)
                .await;
        let t = tickets.ticket_by_id(any.tickets[0]).await.expect("ticket");
        assert_eq!(t.assignee_user_id, Some(d.agent));
    }
);

contract_test!(
    an_intake_for_a_desk_turned_off_opens_no_ticket,
    |store| async move {
        let d = desk(&store, false).await;
        let post = post_with_intake(&store, &d, "@it-helpdesk hello", d.profile, 1).await;
        assert!(post.tickets.is_empty(), "{post:?}");
        assert!(post.settled.is_empty());
    }
);
