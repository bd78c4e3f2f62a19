//! The permission rules written in SQL (`src/visibility.rs`) agree exactly
//! with the policy they mirror, over a generated population of people,
//! communities of every kind, memberships in every state and role, and
//! posts inside and outside communities, on both backends.

use byline_core::community::{MemberRole, MemberState, Membership, Slug, Visibility};
use byline_core::policy::{Action, Actor, CommunityStanding, authorize};
use byline_core::{DisplayName, Email, Handle, Role, Timestamp};
use byline_store::audit::AuditEntry;
use byline_store::posts::{NewPost, PostContent};
use byline_store::users::NewUser;
use byline_store::{Store, contract_test};
use rand::{Rng, SeedableRng};
use std::collections::{BTreeSet, HashMap};

const T0: Timestamp = Timestamp(1_790_000_000_000_000);
const PEOPLE: usize = 14;
const COMMUNITIES: usize = 12;
const POSTS: usize = 90;

struct Population {
    /// (user id, profile id, organisation role)
    people: Vec<(i64, i64, Role)>,
    /// (community id, visibility)
    communities: Vec<(i64, Visibility)>,
    memberships: HashMap<(i64, i64), Membership>,
    /// (post id, community)
    posts: Vec<(i64, Option<i64>)>,
}

async fn populate(store: &Store, seed: u64) -> Population {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        let role = if i % 5 == 0 { Role::Admin } else { Role::Staff };
        let user = store
            .users()
            .create_user(
                &NewUser {
                    email: &Email::parse(&format!("p{i}@example.com")).expect("email"),
                    display_name: &DisplayName::parse("Person").expect("name"),
                    handle: &Handle::parse(&format!("p{i}")).expect("handle"),
                    password_hash: "$argon2id$x",
                    role,
                },
                &AuditEntry::new(None, "user.create", String::new(), "test"),
                T0,
            )
            .await
            .expect("user");
        people.push((user.id, user.profile_id, role));
    }
    let kinds = [Visibility::Open, Visibility::Closed, Visibility::Secret];
    let states = [
        MemberState::Member,
        MemberState::Requested,
        MemberState::Invited,
    ];
    let roles = [MemberRole::Owner, MemberRole::Moderator, MemberRole::Member];
    let mut communities = Vec::new();
    let mut memberships = HashMap::new();
    for i in 0..COMMUNITIES {
        let visibility = kinds[i % kinds.len()];
        let owner = people[rng.random_range(0..PEOPLE)].1;
        let id = store
            .communities()
            .create_community(
                &Slug::parse(&format!("c{i}")).expect("slug"),
                "A community",
                "",
                visibility,
                owner,
                T0,
            )
            .await
            .expect("community");
        memberships.insert(
            (id, owner),
            Membership {
                role: MemberRole::Owner,
                state: MemberState::Member,
            },
        );
        for &(_, profile, _) in &people {
            if profile == owner || !rng.random_bool(0.5) {
                continue;
            }
            let m = Membership {
                role: roles[rng.random_range(0..roles.len())],
                state: states[rng.random_range(0..states.len())],
            };
            store
                .communities()
                .set_membership(id, profile, m, T0)
                .await
                .expect("membership");
            memberships.insert((id, profile), m);
        }
        communities.push((id, visibility));
    }
    let mut posts = Vec::new();
    for _ in 0..POSTS {
        let (user, _, _) = people[rng.random_range(0..PEOPLE)];
        let community = rng
            .random_bool(0.8)
            .then(|| communities[rng.random_range(0..COMMUNITIES)].0);
        let created = store
            .posts()
            .create_post(
                user,
                &NewPost {
                    community_id: community,
                    reply_to: None,
                    content: PostContent {
                        body: "words",
                        body_html: "<p>words</p>",
                        mentioned_profile_ids: &[],
                        tags: &[],
                    },
                    attachment_ids: &[],
                    intake: &[],
                },
                T0,
            )
            .await
            .expect("post");
        posts.push((created.id, community));
    }
    Population {
        people,
        communities,
        memberships,
        posts,
    }
}

impl Population {
    fn standing(&self, community: i64, profile: i64) -> CommunityStanding {
        let visibility = self
            .communities
            .iter()
            .find(|(id, _)| *id == community)
            .map(|(_, v)| *v)
            .expect("community");
        CommunityStanding {
            visibility,
            membership: self.memberships.get(&(community, profile)).copied(),
        }
    }
}

contract_test!(
    the_sql_permission_predicates_agree_with_the_policy,
    |store| async move {
        {
            let pop = populate(&store, 20_261_201).await;
            let (mut checked_posts, mut checked_communities) = (0, 0);
            for &(user_id, profile_id, role) in &pop.people {
                let actor = Actor {
                    user_id,
                    profile_id,
                    role,
                };
                // Reading posts: Action::ReadCommunity for the post's community.
                let by_sql: BTreeSet<i64> =
                    byline_store::testing::readable_post_ids(&store, profile_id)
                        .await
                        .into_iter()
                        .collect();
                let by_policy: BTreeSet<i64> = pop
                    .posts
                    .iter()
                    .filter(|(_, c)| match c {
                        None => true,
                        Some(c) => authorize(
                            Some(&actor),
                            Action::ReadCommunity(pop.standing(*c, profile_id)),
                        )
                        .is_ok(),
                    })
                    .map(|(id, _)| *id)
                    .collect();
                assert_eq!(
                    by_sql, by_policy,
                    "readable posts of profile {profile_id} ({role:?})"
                );
                checked_posts += pop.posts.len();
                // Knowing a community exists: Action::SeeCommunity.
                let by_sql: BTreeSet<i64> = store
                    .communities()
                    .visible_communities(profile_id)
                    .await
                    .expect("visible")
                    .into_iter()
                    .map(|c| c.id)
                    .collect();
                let by_policy: BTreeSet<i64> = pop
                    .communities
                    .iter()
                    .filter(|(c, _)| {
                        authorize(
                            Some(&actor),
                            Action::SeeCommunity(pop.standing(*c, profile_id)),
                        )
                        .is_ok()
                    })
                    .map(|(id, _)| *id)
                    .collect();
                assert_eq!(
                    by_sql, by_policy,
                    "visible communities of profile {profile_id} ({role:?})"
                );
                checked_communities += pop.communities.len();
            }
            // Moderating: Action::ModerateCommunity.
            for &(community, _) in &pop.communities {
                let by_sql: BTreeSet<i64> = store
                    .communities()
                    .community_moderators(community)
                    .await
                    .expect("moderators")
                    .into_iter()
                    .collect();
                let by_policy: BTreeSet<i64> = pop
                    .people
                    .iter()
                    .filter(|(user_id, profile_id, role)| {
                        let actor = Actor {
                            user_id: *user_id,
                            profile_id: *profile_id,
                            role: *role,
                        };
                        authorize(
                            Some(&actor),
                            Action::ModerateCommunity(pop.standing(community, *profile_id)),
                        )
                        .is_ok()
                    })
                    .map(|(_, p, _)| *p)
                    .collect();
                assert_eq!(by_sql, by_policy, "moderators of community {community}");
            }
            // The population exercised every case the rules distinguish.
            let kinds: BTreeSet<(String, Option<String>)> = pop
                .memberships
                .iter()
                .map(|((c, _), m)| {
                    (
                        format!("{:?}", pop.standing(*c, -1).visibility),
                        Some(format!("{:?}", m.state)),
                    )
                })
                .collect();
            assert!(
                kinds.len() >= 9,
                "every visibility with every state: {kinds:?}"
            );
            assert!(checked_posts > 1000 && checked_communities > 100);
        }
    }
);
