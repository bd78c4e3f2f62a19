//! The store's rosters: shifts are added, refused and removed inside their
//! transaction, on SQLite and on PostgreSQL.

mod common;
use common::{T0, add_user, audit};

use byline_core::{DisplayName, Handle};
use byline_store::{StoreError, contract_test};

contract_test!(
    shifts_are_added_refused_and_removed_in_their_transaction,
    |store| async move {
        use byline_core::shared_profile::{AttributionPolicy, ProfileRole};
        use byline_store::rosters::NewShift;
        let owner = add_user(&store, "olga@example.com", "olga")
            .await
            .expect("user");
        let outsider = add_user(&store, "rosa@example.com", "rosa")
            .await
            .expect("user");
        let desk = store
            .shared_profiles()
            .create_shared_profile(
                &Handle::parse("desk").expect("handle"),
                &DisplayName::parse("Desk").expect("name"),
                AttributionPolicy::Sealed,
                &audit(),
                T0,
            )
            .await
            .expect("profile");
        store
            .shared_profiles()
            .set_profile_member(desk, owner.id, Some(ProfileRole::Owner), &audit(), T0)
            .await
            .expect("member");
        let shift = |user_id| NewShift {
            profile_id: desk,
            user_id,
            time_zone: "UTC",
            starts_local: "2026-11-23T09:00",
            ends_local: "2026-11-23T17:00",
            recurrence: Some("FREQ=DAILY"),
            note: "first line",
            first_start: T0,
            created_by: owner.id,
        };
        let id = store
            .rosters()
            .add_shift(&shift(owner.id), |_| None, &audit(), T0)
            .await
            .expect("added");
        // The clash check sees the member's shifts inside the transaction.
        let refused = store
            .rosters()
            .add_shift(
                &shift(owner.id),
                |existing| {
                    existing
                        .iter()
                        .any(|s| s.id == id)
                        .then(|| "overlaps".to_owned())
                },
                &audit(),
                T0,
            )
            .await;
        assert!(matches!(refused, Err(StoreError::Refused(ref m)) if m == "overlaps"));
        let not_member = store
            .rosters()
            .add_shift(&shift(outsider.id), |_| None, &audit(), T0)
            .await;
        assert!(matches!(not_member, Err(StoreError::Refused(_))));
        let now = store
            .rosters()
            .shifts(desk, None, T0)
            .await
            .expect("shifts");
        assert_eq!(now.len(), 1, "refusals wrote nothing");
        assert_eq!(now[0].handle, "olga");
        assert_eq!(now[0].recurrence.as_deref(), Some("FREQ=DAILY"));

        let later = T0.plus_seconds(3600);
        assert!(
            store
                .rosters()
                .remove_shift(desk, id, &audit(), later)
                .await
                .expect("remove")
        );
        assert!(
            !store
                .rosters()
                .remove_shift(desk, id, &audit(), later)
                .await
                .expect("again")
        );
        assert_eq!(
            store
                .rosters()
                .shifts(desk, None, T0)
                .await
                .expect("before")
                .len(),
            1,
            "the past roster keeps it"
        );
        assert!(
            store
                .rosters()
                .shifts(desk, None, later)
                .await
                .expect("after")
                .is_empty()
        );

        assert!(!store.rosters().shift_only(desk).await.expect("rule"));
        store
            .rosters()
            .set_shift_only(desk, true, &audit(), later)
            .await
            .expect("set");
        assert!(store.rosters().shift_only(desk).await.expect("rule"));
    }
);
