//! The bulk loader leaves a store that works as if every row had been
//! written one by one, on SQLite and on PostgreSQL.

mod common;
use common::{T0, add_user, audit};

use byline_store::contract_test;

contract_test!(
    a_bulk_load_leaves_a_store_that_works_as_usual,
    |store| async move {
        use byline_core::audit::{EventContent, GENESIS, chain_hash};
        use byline_store::bulk::{Cell, Table};
        use byline_store::feed::Window;
        use byline_store::posts::{NewPost, PostContent};

        let mut load = store
            .bulk_load()
            .await
            .expect("an empty store takes a bulk load");
        for id in 1..=2i64 {
            load.push(
                Table::Users,
                vec![
                    id.into(),
                    format!("bulk{id}@example.com").into(),
                    "Bulk Person".into(),
                    "$argon2id$x".into(),
                    "staff".into(),
                    T0.micros().into(),
                ],
            )
            .await
            .expect("user row");
            load.push(
                Table::Profiles,
                vec![
                    id.into(),
                    format!("bulk{id}").into(),
                    "personal".into(),
                    "Bulk Person".into(),
                    Some(id).into(),
                    "signed".into(),
                    T0.micros().into(),
                ],
            )
            .await
            .expect("profile row");
        }
        load.push(Table::Follows, vec![2.into(), 1.into(), T0.micros().into()])
            .await
            .expect("follow row");
        load.push(
            Table::Posts,
            vec![
                1.into(),
                1.into(),
                1.into(),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                "A quokka visited the office #wildlife".into(),
                "<p>A quokka visited the office #wildlife</p>".into(),
                0.into(),
                T0.micros().into(),
                Cell::Null,
                Cell::Null,
            ],
        )
        .await
        .expect("post row");
        load.push(Table::PostTags, vec!["wildlife".into(), 1.into()])
            .await
            .expect("tag row");
        let event = EventContent {
            seq: 1,
            at: T0.micros(),
            user_id: Some(1),
            profile_id: None,
            action: "session.sign_in",
            target: "user:1",
            source_address: "10.0.0.1",
            details: "{}",
        };
        let hash = chain_hash(&GENESIS, &event);
        load.push(
            Table::AuditEvents,
            vec![
                1.into(),
                T0.micros().into(),
                Some(1).into(),
                Cell::Null,
                "session.sign_in".into(),
                "user:1".into(),
                "10.0.0.1".into(),
                "{}".into(),
                GENESIS.to_vec().into(),
                hash.to_vec().into(),
            ],
        )
        .await
        .expect("audit row");
        assert!(
            load.push(Table::Follows, vec![1.into()]).await.is_err(),
            "a row of the wrong width is refused"
        );
        load.finish().await.expect("finish");

        // Indexes, search, the audit head and id generators are as if the rows
        // had been written one by one.
        let page = store
            .feeds()
            .home_feed(
                2,
                Window {
                    before: i64::MAX,
                    limit: 20,
                },
            )
            .await
            .expect("home");
        assert_eq!(page.posts.len(), 1, "the follower sees the loaded post");
        let q = byline_core::search::SearchQuery::parse("quokka").expect("query");
        assert_eq!(
            store
                .search()
                .search_posts(&q, 2, 20)
                .await
                .expect("search")
                .len(),
            1
        );
        let tagged = store
            .feeds()
            .tag_feed(
                "wildlife",
                2,
                Window {
                    before: i64::MAX,
                    limit: 20,
                },
            )
            .await
            .expect("tag");
        assert_eq!(tagged.posts.len(), 1);
        let v = store.audit().verify_audit().await.expect("verify");
        assert_eq!((v.checked, v.first_break), (1, None));
        store
            .audit()
            .append_audit(&audit(), T0)
            .await
            .expect("append after the load");
        assert_eq!(
            store
                .audit()
                .verify_audit()
                .await
                .expect("verify")
                .first_break,
            None
        );

        let third = add_user(&store, "after@example.com", "after")
            .await
            .expect("a new user gets a fresh id");
        assert!(third.id > 2);
        let tags = vec!["wildlife".to_owned()];
        let created = store
            .posts()
            .create_post(
                1,
                &NewPost {
                    community_id: None,
                    reply_to: None,
                    content: PostContent {
                        body: "Another quokka sighting",
                        body_html: "<p>Another quokka sighting</p>",
                        mentioned_profile_ids: &[],
                        tags: &tags,
                    },
                    attachment_ids: &[],
                    intake: &[],
                },
                T0,
            )
            .await
            .expect("a new post after the load");
        assert!(created.id > 1);
        assert_eq!(
            store
                .search()
                .search_posts(&q, 2, 20)
                .await
                .expect("search")
                .len(),
            2,
            "search keeps up with new posts again"
        );
        assert!(
            store.bulk_load().await.is_err(),
            "a store with users takes no bulk load"
        );
    }
);

contract_test!(a_bulk_loaded_help_desk_works_as_usual, |store| async move {
    use byline_store::bulk::{Cell, Table};
    use byline_store::posts::{NewPost, PostContent};
    use byline_store::tickets::TicketView;

    let at = T0.micros();
    let mut load = store.bulk_load().await.expect("bulk load");
    for id in 1..=2i64 {
        load.push(
            Table::Users,
            vec![
                id.into(),
                format!("desk{id}@example.com").into(),
                "Desk Person".into(),
                "$argon2id$x".into(),
                "staff".into(),
                at.into(),
            ],
        )
        .await
        .expect("user row");
        load.push(
            Table::Profiles,
            vec![
                id.into(),
                format!("person{id}").into(),
                "personal".into(),
                "Desk Person".into(),
                Some(id).into(),
                "signed".into(),
                at.into(),
            ],
        )
        .await
        .expect("profile row");
    }
    load.push(
        Table::Profiles,
        vec![
            3.into(),
            "it-desk".into(),
            "shared".into(),
            "IT desk".into(),
            Cell::Null,
            "signed".into(),
            at.into(),
        ],
    )
    .await
    .expect("shared profile row");
    load.push(
        Table::ProfileMembers,
        vec![3.into(), 2.into(), "editor".into(), at.into()],
    )
    .await
    .expect("member row");
    load.push(
        Table::Posts,
        vec![
            1.into(),
            1.into(),
            1.into(),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            "printer jammed @it-desk".into(),
            "<p>printer jammed @it-desk</p>".into(),
            0.into(),
            at.into(),
            Cell::Null,
            Cell::Null,
        ],
    )
    .await
    .expect("post row");
    load.push(Table::PostMentions, vec![1.into(), 3.into()])
        .await
        .expect("mention row");
    load.push(
        Table::Tickets,
        vec![
            1.into(),
            3.into(),
            1.into(),
            1.into(),
            "printer jammed".into(),
            "open".into(),
            "high".into(),
            Some(2).into(),
            1.into(),
            1.into(),
            at.into(),
            (at + 2).into(),
            Cell::Null,
            Cell::Null,
        ],
    )
    .await
    .expect("ticket row");
    for (id, kind, by, detail) in [
        (1i64, "opened", Some(1i64), ""),
        (2, "assigned", None, "person2"),
        (3, "answer", Some(2), ""),
    ] {
        load.push(
            Table::TicketEvents,
            vec![
                id.into(),
                1.into(),
                (at + id).into(),
                kind.into(),
                by.into(),
                Cell::Null,
                detail.into(),
                Cell::Null,
            ],
        )
        .await
        .expect("ticket event row");
    }
    load.push(
        Table::TicketTags,
        vec![1.into(), 3.into(), "printer".into()],
    )
    .await
    .expect("tag row");
    load.push(
        Table::HelpDesks,
        vec![
            3.into(),
            "manual".into(),
            25.into(),
            4.into(),
            2.into(),
            2.into(),
            at.into(),
            "Europe/London".into(),
        ],
    )
    .await
    .expect("help desk row");
    load.push(
        Table::BusinessBlocks,
        vec![3.into(), 0.into(), 540.into(), 1020.into()],
    )
    .await
    .expect("block row");
    load.push(
        Table::SlaPolicies,
        vec![
            3.into(),
            "high".into(),
            60.into(),
            120.into(),
            480.into(),
            15.into(),
        ],
    )
    .await
    .expect("SLA row");
    load.finish().await.expect("finish");

    let tickets = store.tickets();
    let desk = tickets.help_desk(3).await.expect("desk").expect("a desk");
    assert!(desk.enabled, "a loaded desk is on");
    let open = tickets
        .tickets(3, TicketView::AllOpen, None, None, 50)
        .await
        .expect("open view");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].tags, vec!["printer".to_owned()]);
    assert_eq!(open[0].assignee_handle.as_deref(), Some("person2"));
    let mine = tickets
        .tickets(3, TicketView::Mine(2), None, None, 50)
        .await
        .expect("mine");
    assert_eq!(mine.len(), 1);
    let counts = tickets.view_counts(3, 2).await.expect("counts");
    assert_eq!((counts.mine, counts.unassigned, counts.all_open), (1, 0, 1));
    assert_eq!(
        tickets
            .ticket_events(open[0].id, true)
            .await
            .expect("history")
            .len(),
        3
    );
    assert_eq!(
        store
            .sla()
            .clock_history(open[0].id)
            .await
            .expect("clock history")
            .len(),
        2,
        "opened and answered"
    );
    assert_eq!(store.sla().sla_policies(3).await.expect("SLA").len(), 1);

    // A mention after the load opens the desk's next ticket, with a
    // fresh id.
    let created = store
        .posts()
        .create_post(
            1,
            &NewPost {
                community_id: None,
                reply_to: None,
                content: PostContent {
                    body: "@it-desk wifi down",
                    body_html: "<p>@it-desk wifi down</p>",
                    mentioned_profile_ids: &[3],
                    tags: &[],
                },
                attachment_ids: &[],
                intake: &[],
            },
            T0,
        )
        .await
        .expect("a mention after the load");
    assert_eq!(created.tickets.len(), 1, "the mention opened a ticket");
    assert!(created.tickets[0] > 1);
    let next = tickets.ticket(3, 2).await.expect("ticket #2");
    assert_eq!(next.id, created.tickets[0]);
});
