//! Handles, emails, names, roles, community names and visibilities,
//! reactions, profile roles and attribution policies, and times as typed:
//! never a panic, and whatever is accepted reads back the same.
#![no_main]

use byline_core::community;
use byline_core::reaction::Reaction;
use byline_core::shared_profile::{AttributionPolicy, ProfileRole};
use byline_core::{DisplayName, Email, Handle, Role, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(h) = Handle::parse(text) {
        assert_eq!(Handle::parse(h.as_str()).map(|x| x.as_str().to_owned()), Ok(h.as_str().to_owned()));
    }
    let _ = Handle::suggest(text);
    if let Ok(e) = Email::parse(text) {
        let _ = e.local_part();
    }
    let _ = DisplayName::parse(text);
    let _ = Role::parse(text);
    if let Ok(s) = community::Slug::parse(text) {
        assert_eq!(community::Slug::parse(s.as_str()), Ok(s.clone()));
    }
    let _ = community::check_name(text);
    let _ = community::check_description(text);
    let _ = community::Visibility::parse(text);
    if let Ok(r) = Reaction::parse(text) {
        assert_eq!(Reaction::parse(r.name()).ok(), Some(r));
    }
    if let Some(r) = ProfileRole::parse(text) {
        assert_eq!(ProfileRole::parse(r.as_str()), Some(r));
    }
    if let Some(p) = AttributionPolicy::parse(text) {
        assert_eq!(AttributionPolicy::parse(p.as_str()), Some(p));
    }
    if let Some(t) = Timestamp::parse_rfc3339(text) {
        // Every instant round-trips exactly (to the microsecond).
        let again = Timestamp::parse_rfc3339(&t.to_rfc3339()).expect("own output parses");
        assert_eq!(again, t);
    }
});
