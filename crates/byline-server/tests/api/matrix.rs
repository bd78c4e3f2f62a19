//! The authorization matrix: every API route × every kind of person, on
//! resources they do and don't own, with the exact outcome expected. One
//! table, meant to be read in review; a test below checks that it names
//! every route the API documents.
//!
//! Columns (one letter each, in this order):
//!   anon  staff  owner editor responder observer  moderator investigator admin  deactivated
//! `owner`…`observer` are roles on the sealed shared profile @desk;
//! `moderator` owns the closed community `club`; `investigator` holds the
//! right and an open investigation into @desk; `deactivated` signed in
//! before an admin deactivated them. (Byline has no separate "suspended"
//! state: deactivation is it.)
//! Letters: Y = 2xx, U = 401, F = 403, N = 404 (hidden as if absent),
//! C = 409 (already so), V = 422 (refused with a reason).

mod world;

use byline_store::testing::Kind;

const ROLES: [&str; 10] = [
    "anon",
    "staff",
    "owner",
    "editor",
    "responder",
    "observer",
    "moderator",
    "investigator",
    "admin",
    "deactivated",
];

/// (method, path, JSON body, expected outcome per role). `{name}` is a
/// resource of the world below; `{new_…}` is made afresh for each role;
/// `{role}` is the role's name (for unique values).
const MATRIX: &[(&str, &str, &str, &str)] = &[
    // Accounts and tokens
    ("GET", "/api/v1/me", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/me/tokens", "", "UYYYYYYYYU"),
    (
        "POST",
        "/api/v1/me/tokens",
        r#"{"name":"matrix"}"#,
        "UYYYYYYYYU",
    ),
    ("DELETE", "/api/v1/me/tokens/{sam_token}", "", "UYNNNNNNNU"),
    ("GET", "/api/v1/users", "", "UFFFFFFFYU"),
    (
        "POST",
        "/api/v1/users",
        r#"{"email":"new-{role}@example.com","display_name":"New","password":"a long enough password"}"#,
        "UFFFFFFFYU",
    ),
    ("GET", "/api/v1/users/{sam_id}", "", "UFFFFFFFYU"),
    (
        "PATCH",
        "/api/v1/users/{sam_id}",
        r#"{"role":"staff"}"#,
        "UFFFFFFFYU",
    ),
    (
        "POST",
        "/api/v1/users/{tess_id}/deactivate",
        "",
        "UFFFFFFFYU",
    ),
    (
        "PUT",
        "/api/v1/users/{uma_id}/password",
        r#"{"password":"another long password"}"#,
        "UFFFFFFFYU",
    ),
    // Profiles and follows
    ("GET", "/api/v1/profiles/sam", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/profiles/desk", "", "UYYYYYYYYU"),
    ("PUT", "/api/v1/profiles/desk/follow", "", "UYYYYYYYYU"),
    ("DELETE", "/api/v1/profiles/desk/follow", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/profiles/desk/posts", "", "UYYYYYYYYU"),
    // Posts: personal, as the shared profile, in communities
    (
        "POST",
        "/api/v1/posts",
        r#"{"text":"hello from {role}"}"#,
        "UYYYYYYYYU",
    ),
    (
        "POST",
        "/api/v1/posts",
        r#"{"text":"notice","acting_as":"desk"}"#,
        "UFYYFFFFFU",
    ),
    (
        "POST",
        "/api/v1/posts",
        r#"{"text":"answer","reply_to":"{ada_post}","acting_as":"desk"}"#,
        "UFYYYFFFFU",
    ),
    (
        "POST",
        "/api/v1/posts",
        r#"{"text":"in the club","community":"club"}"#,
        "UFFFFFYFFU",
    ),
    ("GET", "/api/v1/posts/{ada_post}", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/posts/{hush_post}", "", "UNYNNNNNNU"),
    ("GET", "/api/v1/posts/{club_post}", "", "UNNNNNYNNU"),
    (
        "PATCH",
        "/api/v1/posts/{new_own_post}",
        r#"{"text":"fixed"}"#,
        "UYYYYYYYYU",
    ),
    (
        "PATCH",
        "/api/v1/posts/{ada_post}",
        r#"{"text":"not yours"}"#,
        "UFFFFFFFYU",
    ),
    (
        "PATCH",
        "/api/v1/posts/{new_desk_post}",
        r#"{"text":"fixed"}"#,
        "UFYYFFFFFU",
    ),
    ("DELETE", "/api/v1/posts/{new_sam_post}", "", "UYFFFFFFYU"),
    ("DELETE", "/api/v1/posts/{new_desk_post}", "", "UFYYFFFFYU"),
    ("DELETE", "/api/v1/posts/{new_club_post}", "", "UNNNNNYNNU"),
    ("GET", "/api/v1/posts/{ada_post}/versions", "", "UYYYYYYYYU"),
    (
        "GET",
        "/api/v1/posts/{hush_post}/versions",
        "",
        "UNYNNNNNNU",
    ),
    ("GET", "/api/v1/posts/{ada_post}/thread", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/posts/{hush_post}/thread", "", "UNYNNNNNNU"),
    (
        "PUT",
        "/api/v1/posts/{ada_post}/reactions/heart",
        "",
        "UYYYYYYYYU",
    ),
    (
        "PUT",
        "/api/v1/posts/{ada_post}/reactions/eyes?acting_as=desk",
        "",
        "UFYYYFFFFU",
    ),
    (
        "DELETE",
        "/api/v1/posts/{ada_post}/reactions/heart",
        "",
        "UYYYYYYYYU",
    ),
    (
        "PUT",
        "/api/v1/posts/{club_post}/reactions/heart",
        "",
        "UNNNNNYNNU",
    ),
    // Timelines and search
    ("GET", "/api/v1/feeds/home", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/tags/matrix/posts", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/search?q=hello", "", "UYYYYYYYYU"),
    // Communities
    ("GET", "/api/v1/communities", "", "UYYYYYYYYU"),
    (
        "POST",
        "/api/v1/communities",
        r#"{"slug":"c-{role}","name":"C","visibility":"open"}"#,
        "UYYYYYYYYU",
    ),
    ("GET", "/api/v1/communities/club", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/communities/{hush}", "", "UNYNNNNNNU"),
    ("GET", "/api/v1/communities/club/posts", "", "UFFFFFYFFU"),
    ("GET", "/api/v1/communities/{hush}/posts", "", "UNYNNNNNNU"),
    ("GET", "/api/v1/communities/club/members", "", "UFFFFFYFFU"),
    (
        "GET",
        "/api/v1/communities/{hush}/members",
        "",
        "UNYNNNNNNU",
    ),
    ("GET", "/api/v1/communities/club/requests", "", "UFFFFFYFFU"),
    (
        "POST",
        "/api/v1/communities/club/invitations",
        r#"{"handle":"uma"}"#,
        "UFFFFFYFFU",
    ),
    ("POST", "/api/v1/communities/{hush}/join", "", "UNCNNNNNNU"),
    ("POST", "/api/v1/communities/club/join", "", "UYYYYYCYYU"),
    (
        "POST",
        "/api/v1/communities/club/requests/sam/approve",
        "",
        "UFFFFFYFFU",
    ),
    // Leaving withdraws a pending request; the owner may not leave.
    ("POST", "/api/v1/communities/club/leave", "", "UYYYYYVYYU"),
    // Notifications, events, the spec
    ("GET", "/api/v1/me/notifications", "", "UYYYYYYYYU"),
    ("POST", "/api/v1/me/notifications/read", "{}", "UYYYYYYYYU"),
    ("GET", "/api/v1/me/events", "", "UYYYYYYYYU"),
    ("GET", "/api/openapi.json", "", "YYYYYYYYYY"),
    // Investigations
    ("PUT", "/api/v1/investigators/rita", "", "UFFFFFFFYU"),
    ("DELETE", "/api/v1/investigators/rita", "", "UFFFFFFFYU"),
    ("GET", "/api/v1/investigations", "", "UYYYYYYYYU"),
    (
        "POST",
        "/api/v1/investigations",
        r#"{"profile":"desk","reason":"a complaint about a notice","from":"{hour_ago}","to":"{in_an_hour}"}"#,
        "UFFFFFFYFU",
    ),
    (
        "GET",
        "/api/v1/investigations/{inv}/bylines",
        "",
        "UNNNNNNYNU",
    ),
    (
        "POST",
        "/api/v1/investigations/{new_inv}/close",
        r#"{"outcome":"closed by {role}"}"#,
        "UNNNNNNYYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/investigations",
        "",
        "UFYFFFFFYU",
    ),
    // Help desk: members read the inbox, all but observers work tickets,
    // the requester (sam) sees their own ticket without its notes.
    (
        "POST",
        "/api/v1/shared-profiles/desk/help-desk",
        "",
        "UFYFFFFFYU",
    ),
    (
        "PATCH",
        "/api/v1/shared-profiles/desk/help-desk",
        r#"{"auto_close_days":4}"#,
        "UFYFFFFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/tickets",
        "",
        "UFYYYYFFFU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/tickets/{desk_ticket}",
        "",
        "UYYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/tickets/{new_ticket}/status",
        r#"{"status":"open"}"#,
        "UNYYYFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/tickets/{desk_ticket}/notes",
        r#"{"text":"checked the logs"}"#,
        "UNYYYFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/tickets/{desk_ticket}/assignee",
        r#"{"member":"rita"}"#,
        "UNYYYFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/tickets/{desk_ticket}/priority",
        r#"{"priority":"high"}"#,
        "UNYYYFNNNU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/tickets/{desk_ticket}/tags",
        r#"{"tags":["wifi","floor-3"]}"#,
        "UNYYYFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/tickets/{new_ticket}/replies",
        r#"{"text":"on it"}"#,
        "UNYYYFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/canned-replies",
        "",
        "UFYYYYFFFU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/canned-replies",
        r#"{"title":"thanks {role}","body":"Thanks for asking"}"#,
        "UFYYYFFFFU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/canned-replies/{new_canned}",
        "",
        "UFYYYFFFFU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/topics",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/topics",
        r#"{"name":"wifi {role}","terms":["wireless"]}"#,
        "UNYFFFNNYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/topics/{new_topic}",
        "",
        "UNYYYYNNNU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/topics/{new_topic}",
        r#"{"name":"eduroam {role}","terms":["eduroam"]}"#,
        "UNYFFFNNYU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/topics/{new_topic}",
        "",
        "UNYFFFNNYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/incidents",
        "",
        "UNYYYYNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/incidents/{desk_incident}",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/incidents/{desk_incident}/answer",
        r#"{"text":"on it"}"#,
        "UNYYYFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/digests",
        "",
        "UNYFFFNNYU",
    ),
    // Moderation
    (
        "POST",
        "/api/v1/reports",
        r#"{"kind":"post","id":"{ada_post}","reason":"spam"}"#,
        "UYYYYYYYYU",
    ),
    (
        "POST",
        "/api/v1/reports",
        r#"{"kind":"post","id":"{hush_post}","reason":"spam"}"#,
        "UNYNNNNNNU",
    ),
    ("GET", "/api/v1/me/reports", "", "UYYYYYYYYU"),
    // Every role made a community of its own in a row above, so each
    // moderates one and sees that part of the queue (empty); someone who
    // moderates nothing is refused (tests/api/moderation.rs).
    ("GET", "/api/v1/moderation/reports", "", "UYYYYYYYYU"),
    (
        "GET",
        "/api/v1/moderation/reports/{club_report}",
        "",
        "UNNNNNYNYU",
    ),
    (
        "POST",
        "/api/v1/moderation/reports/{new_club_report}/steps",
        r#"{"step":"dismiss"}"#,
        "UNNNNNYNYU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/tickets/{desk_ticket}/rating",
        r#"{"score":4}"#,
        "UVNNNNNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/help-desk/dashboard",
        "",
        "UFYYYYFFFU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/help-desk/dashboard.csv",
        "",
        "UFYYYYFFFU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/help-desk/tickets.csv",
        "",
        "UFYYYYFFFU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/satisfaction",
        "",
        "UFYYYYFFYU",
    ),
    // Knowledge base: staff read published articles; drafts and
    // runbooks are the members' own; writers are the members who speak.
    (
        "POST",
        "/api/v1/shared-profiles/desk/tickets/{desk_ticket}/presence",
        "{}",
        "UFYYYYFFFU",
    ),
    ("GET", "/api/v1/articles", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/articles?q=laptop", "", "UYYYYYYYYU"),
    (
        "GET",
        "/api/v1/articles/suggestions?text=%40desk%20laptop%20slow",
        "",
        "UYYYYYYYYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/articles",
        "",
        "UYYYYYYYYU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/articles",
        r#"{"title":"by {role}","body":"words"}"#,
        "UFYYYFFFFU",
    ),
    ("GET", "/api/v1/articles/{desk_article}", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/articles/{desk_draft}", "", "UNYYYYNNNU"),
    ("GET", "/api/v1/articles/{desk_runbook}", "", "UNYYYYNNNU"),
    (
        "PUT",
        "/api/v1/articles/{desk_article}",
        r#"{"title":"Slow laptop ({role})","body":"Restart it.","status":"published"}"#,
        "UFYYYFFFFU",
    ),
    (
        "PUT",
        "/api/v1/articles/{desk_draft}",
        r#"{"title":"Draft ({role})","body":"Later."}"#,
        "UNYYYFNNNU",
    ),
    (
        "PUT",
        "/api/v1/articles/{desk_article}/feedback",
        r#"{"helpful":true}"#,
        "UYYYYYYYYU",
    ),
    (
        "POST",
        "/api/v1/articles/{desk_article}/deflections",
        "{}",
        "UYYYYYYYYU",
    ),
    (
        "POST",
        "/api/v1/articles/{desk_draft}/deflections",
        "{}",
        "UNVVVVNNNU",
    ),
    (
        "POST",
        "/api/v1/articles/{desk_article}/deflections",
        r#"{"ticket":{new_ticket}}"#,
        "UYNNNNNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/tickets/{new_solved_ticket}/article",
        "{}",
        "UFYYYFNNNU",
    ),
    ("GET", "/api/v1/me/requests", "", "UYYYYYYYYU"),
    (
        "GET",
        "/api/v1/shared-profiles/desk/help-desk/hours",
        "",
        "UFYYYYFFYU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/help-desk/hours",
        r#"{"time_zone":"Europe/London","week":[["09:00-17:00"],[],[],[],[],[],[]]}"#,
        "UFYFFFFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/help-desk/sla",
        "",
        "UFYYYYFFYU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/help-desk/sla/high",
        r#"{"first_response_minutes":60}"#,
        "UFYFFFFFYU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/help-desk/sla/low",
        "",
        "UFYFFFFFYU",
    ),
    // Shared profiles, rosters, acting
    (
        "POST",
        "/api/v1/shared-profiles",
        r#"{"handle":"sp-{role}","display_name":"SP","attribution_policy":"signed"}"#,
        "UFFFFFFFYU",
    ),
    (
        "PATCH",
        "/api/v1/shared-profiles/desk",
        r#"{"shift_only":false}"#,
        "UFYFFFFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/members",
        "",
        "UFYYYYFFYU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/members/uma",
        r#"{"role":"observer"}"#,
        "UFYFFFFFYU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/members/uma",
        "",
        "UFYFFFFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/roster",
        "",
        "UFYYYYFFYU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/roster",
        r#"{"member":"otto","time_zone":"UTC","starts":"{day}T09:00","ends":"{day}T10:00"}"#,
        "UFYFFFFFYU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/roster/{new_shift}",
        "",
        "UFYFFFFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/on-duty",
        "",
        "UFYYYYFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/acting?from={hour_ago}&to={in_an_hour}",
        "",
        "UVVVVVVYVU",
    ),
    ("GET", "/api/v1/me/acting", "", "UYYYYYYYYU"),
    (
        "PUT",
        "/api/v1/me/acting",
        r#"{"profile":"desk"}"#,
        "UFYYYYFFFU",
    ),
    ("DELETE", "/api/v1/me/acting", "", "UYYYYYYYYU"),
    // The audit log
    ("GET", "/api/v1/audit/events", "", "UFFFFFFFYU"),
    ("GET", "/api/v1/audit/export", "", "UFFFFFFFYU"),
    ("GET", "/api/v1/audit/verify", "", "UFFFFFFFYU"),
    // Attachments
    ("POST", "/api/v1/attachments", "<png>", "UYYYYYYYYU"),
    ("GET", "/api/v1/attachments/{hush_image}", "", "UNYNNNNNNU"),
    // Messages, personal and as the shared profile
    ("GET", "/api/v1/messages", "", "UYYYYYYYYU"),
    (
        "POST",
        "/api/v1/messages",
        r#"{"to":["uma"],"text":"hi"}"#,
        "UYYYYYYYYU",
    ),
    ("GET", "/api/v1/messages/{conv}", "", "UYNNNNNNYU"),
    (
        "POST",
        "/api/v1/messages/{conv}",
        r#"{"text":"more"}"#,
        "UYNNNNNNYU",
    ),
    ("POST", "/api/v1/messages/{conv}/read", "", "UYNNNNNNYU"),
    ("GET", "/api/v1/messages?acting_as=desk", "", "UFYYYYFFFU"),
    (
        "POST",
        "/api/v1/messages",
        r#"{"to":["uma"],"text":"from the desk","acting_as":"desk"}"#,
        "UFYYYFFFFU",
    ),
    // The vault: members see names and custodians (olga and eddie keep
    // {desk_secret} and the two-person {desk_pair}); owners and editors
    // add; owners choose custodians, the two-person rule, and remove;
    // only custodians use values. Outsiders, admins included, see nothing.
    (
        "GET",
        "/api/v1/shared-profiles/desk/vault",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/vault",
        r#"{"name":"by {role}","kind":"password","fields":{"password":"pw"},"custodians":["olga"]}"#,
        "UNYYFFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/vault/{desk_secret}",
        "",
        "UNYYYYNNNU",
    ),
    (
        "PATCH",
        "/api/v1/shared-profiles/desk/vault/{desk_secret}",
        r#"{"name":"Desk login {role}"}"#,
        "UNYYFFNNNU",
    ),
    (
        "PATCH",
        "/api/v1/shared-profiles/desk/vault/{new_secret}",
        r#"{"two_person":true}"#,
        "UNYFFFNNNU",
    ),
    (
        "PATCH",
        "/api/v1/shared-profiles/desk/vault/{desk_secret}",
        r#"{"fields":{"username":"desk","password":"rotated by {role}","totp_seed":"JBSWY3DPEHPK3PXP"}}"#,
        "UNYYFFNNNU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/vault/{desk_secret}/custodians",
        r#"{"custodians":["olga","eddie"]}"#,
        "UNYFFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/vault/{desk_secret}/reveal",
        "{}",
        "UNYYFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/vault/{desk_secret}/copy",
        r#"{"field":"password"}"#,
        "UNYYFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/vault/{desk_secret}/totp",
        "",
        "UNYYFFNNNU",
    ),
    // A two-person secret opens for no one without an approved request.
    (
        "POST",
        "/api/v1/shared-profiles/desk/vault/{desk_pair}/reveal",
        "{}",
        "UNFFFFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/vault/{desk_pair}/requests",
        "",
        "UNYYFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/vault/{desk_pair}/requests",
        r#"{"reason":"asked by {role}"}"#,
        "UNYYFFNNNU",
    ),
    // eddie asked: olga approves, eddie may not approve his own.
    (
        "POST",
        "/api/v1/shared-profiles/desk/vault/{desk_pair}/requests/{new_request}/approve",
        "",
        "UNYVFFNNNU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/vault/{new_secret}",
        "",
        "UNYFFFNNNU",
    ),
    // Channels: members see them and their log; owners connect, test and
    // disconnect; sending is speech as @desk (owners and editors).
    (
        "GET",
        "/api/v1/shared-profiles/desk/channels",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/channels",
        r#"{"kind":"feed","name":"feed by {role}"}"#,
        "UNYFFFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/channels/{desk_channel}",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/channels/{desk_channel}/test",
        "",
        "UNYFFFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/channels/{desk_channel}/deliveries",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/channels/{desk_channel}/deliveries",
        r#"{"text":"through the channel by {role}"}"#,
        "UNYYFFNNNU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/channels/{new_channel}",
        "",
        "UNYFFFNNNU",
    ),
    // Publishing: members follow the work and comment; owners and editors
    // write, submit and schedule (scheduling is speech as @desk); the
    // waiting tier (owners, by default) approves, never the writer; owners
    // set the rules.
    (
        "GET",
        "/api/v1/shared-profiles/desk/publishing",
        "",
        "UNYYYYNNNU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/publishing",
        r#"{"time_zone":"UTC","tiers":[{"approvals":1,"roles":["owner"]}]}"#,
        "UNYFFFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/publications",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/publications",
        r#"{"title":"by {role}","variants":[{"channel":"{desk_channel}","text":"words by {role}"}]}"#,
        "UNYYFFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/publications/{desk_publication}",
        "",
        "UNYYYYNNNU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/publications/{new_publication}",
        r#"{"title":"edited by {role}","version":1,"variants":[{"channel":"{desk_channel}","text":"new words"}]}"#,
        "UNYYFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/publications/{new_publication}/submit",
        "",
        "UNYYFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/publications/{new_review}/approve",
        r#"{"version":1}"#,
        "UNYFFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/publications/{new_review}/reject",
        r#"{"reason":"not yet, says {role}"}"#,
        "UNYFFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/publications/{desk_publication}/comments",
        r#"{"text":"a thought from {role}"}"#,
        "UNYYYYNNNU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/publications/{new_approved}/schedule",
        r#"{"version":1,"at":"2031-02-01T09:00"}"#,
        "UNYYFFNNNU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/publications/{new_scheduled}/schedule",
        "",
        "UNYYFFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/calendar?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z",
        "",
        "UNYYYYNNNU",
    ),
    (
        "GET",
        "/api/v1/calendar?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z",
        "",
        "UYYYYYYYYU",
    ),
    // Campaigns: members read the reports; owners and editors run them.
    (
        "GET",
        "/api/v1/shared-profiles/desk/campaigns",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/campaigns",
        r#"{"name":"campaign of {role}","starts_on":"2026-01-01","ends_on":"2026-12-31","budget":"10"}"#,
        "UNYYFFNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/campaigns/{desk_campaign}",
        "",
        "UNYYYYNNNU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/campaigns/{desk_campaign}/report.csv",
        "",
        "UNYYYYNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/campaigns/{desk_campaign}/spend",
        r#"{"on":"2026-06-01","amount":"5.00","note":"by {role}"}"#,
        "UNYYFFNNNU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/campaigns/{desk_campaign}/results",
        r#"{"results":[{"on":"2026-06-01","leads":1}]}"#,
        "UNYYFFNNNU",
    ),
    // A form body is not CSV: writers hear why, others may not import.
    (
        "POST",
        "/api/v1/shared-profiles/desk/campaigns/{desk_campaign}/results.csv",
        "leads=1",
        "UNVVFFNNNU",
    ),
    // Signing out last: it ends the role's session.
    ("DELETE", "/api/v1/sessions/current", "", "UYYYYYYYYU"),
];

/// The web pages, as a browser uses them: forms carry the role's CSRF
/// token (`{csrf}`); `multipart:` bodies are sent as multipart forms.
/// Extra letters: R = 303 to a page (done), S = 303 to the sign-in page.
const PAGES: &[(&str, &str, &str, &str)] = &[
    ("GET", "/healthz", "", "YYYYYYYYYY"),
    ("GET", "/readyz", "", "YYYYYYYYYY"),
    ("GET", "/metrics", "", "YYYYYYYYYY"),
    ("GET", "/static/byline.css", "", "YYYYYYYYYY"),
    ("GET", "/static/live.js", "", "YYYYYYYYYY"),
    ("GET", "/static/dashboard.js", "", "YYYYYYYYYY"),
    ("GET", "/static/vault.js", "", "YYYYYYYYYY"),
    ("GET", "/static/channels.js", "", "YYYYYYYYYY"),
    ("GET", "/static/listening.js", "", "YYYYYYYYYY"),
    // A short link is for anyone who has it; an unknown one is absent.
    ("GET", "/r/zzzzzzzz", "", "NNNNNNNNNN"),
    ("GET", "/static/vendor/chart.umd.min.js", "", "YYYYYYYYYY"),
    ("GET", "/sign-in", "", "YRRRRRRRRY"),
    ("GET", "/", "", "SYYYYYYYYS"),
    ("GET", "/profiles/sam", "", "SYYYYYYYYS"),
    ("GET", "/profiles/desk", "", "SYYYYYYYYS"),
    ("GET", "/profiles/desk/roster", "", "SFYYYYFFYS"),
    ("GET", "/profiles/desk/inbox", "", "SFYYYYFFFS"),
    ("GET", "/profiles/desk/dashboard", "", "SFYYYYFFFS"),
    ("GET", "/articles", "", "SYYYYYYYYS"),
    ("GET", "/articles?q=laptop", "", "SYYYYYYYYS"),
    ("GET", "/profiles/desk/articles", "", "SYYYYYYYYS"),
    ("GET", "/articles/{desk_article}", "", "SYYYYYYYYS"),
    ("GET", "/articles/{desk_draft}", "", "SNYYYYNNNS"),
    ("GET", "/profiles/desk/articles/new", "", "SFYYYFFFFS"),
    (
        "POST",
        "/profiles/desk/articles/new",
        "csrf_token={csrf}&title=Page {role}&body=words&tags=&audience=staff&status=draft",
        "SFRRRFFFFS",
    ),
    ("GET", "/articles/{desk_article}/edit", "", "SFYYYFFFFS"),
    (
        "POST",
        "/articles/{desk_article}/edit",
        "csrf_token={csrf}&title=Slow laptop&body=Restart it.&tags=&audience=staff&status=published",
        "SFRRRFFFFS",
    ),
    (
        "POST",
        "/articles/{desk_article}/feedback",
        "csrf_token={csrf}&helpful=yes",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/articles/{desk_article}/solved",
        "csrf_token={csrf}",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/profiles/desk/tickets/{new_solved_ticket}/article",
        "csrf_token={csrf}",
        "SFRRRFNNNS",
    ),
    (
        "GET",
        "/profiles/desk/tickets/{desk_ticket}",
        "",
        "SYYYYYNNNS",
    ),
    ("GET", "/requests", "", "SYYYYYYYYS"),
    ("GET", "/profiles/desk/acting", "", "SFFFFFFYFS"),
    (
        "GET",
        "/profiles/desk/acting?date={today}&from=00:00&to=23:59&offset=%2B00:00",
        "",
        "SFFFFFFYFS",
    ),
    ("GET", "/admin/users", "", "SFFFFFFFYS"),
    ("GET", "/posts/{ada_post}/report", "", "SYYYYYYYYS"),
    ("GET", "/posts/{hush_post}/report", "", "SNYNNNNNNS"),
    ("GET", "/reports", "", "SYYYYYYYYS"),
    // olga (owner) owns the secret community hush, so she moderates it.
    ("GET", "/moderation", "", "SFYFFFYFYS"),
    ("GET", "/investigations", "", "SYYYYYYYYS"),
    ("GET", "/investigations/{inv}", "", "SNNNNNNYNS"),
    ("GET", "/messages", "", "SYYYYYYYYS"),
    ("GET", "/messages/{conv}", "", "SYNNNNNNYS"),
    ("GET", "/search?q=hello", "", "SYYYYYYYYS"),
    ("GET", "/posts/{ada_post}", "", "SYYYYYYYYS"),
    ("GET", "/posts/{hush_post}", "", "SNYNNNNNNS"),
    ("GET", "/posts/{ada_post}/versions", "", "SYYYYYYYYS"),
    ("GET", "/fragments/posts/{ada_post}", "", "SYYYYYYYYS"),
    ("GET", "/fragments/posts/{hush_post}", "", "SNYNNNNNNS"),
    ("GET", "/tags/matrix", "", "SYYYYYYYYS"),
    ("GET", "/notifications", "", "SYYYYYYYYS"),
    ("GET", "/communities", "", "SYYYYYYYYS"),
    ("GET", "/communities/club", "", "SYYYYYYYYS"),
    ("GET", "/communities/{hush}", "", "SNYNNNNNNS"),
    // Forms
    (
        "POST",
        "/posts",
        "multipart:csrf_token={csrf}&text=from a form",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/posts/{ada_post}/react",
        "csrf_token={csrf}&reaction=heart",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/posts/{new_sam_post}/delete",
        "csrf_token={csrf}",
        "SRFFFFFFRS",
    ),
    (
        "POST",
        "/posts/{hush_post}/react",
        "csrf_token={csrf}&reaction=heart",
        "SNRNNNNNNS",
    ),
    (
        "POST",
        "/profiles/desk/follow",
        "csrf_token={csrf}&follow=true",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/notifications/read",
        "csrf_token={csrf}",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/posts/{ada_post}/report",
        "csrf_token={csrf}&reason=spam",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/moderation/reports/{new_club_report}/steps",
        "csrf_token={csrf}&step=dismiss",
        "SNNNNNRNRS",
    ),
    (
        "POST",
        "/profiles/desk/tickets/{new_ticket}/status",
        "csrf_token={csrf}&status=open",
        "SNRRRFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/tickets/{new_ticket}/reply",
        "csrf_token={csrf}&text=on our way",
        "SNRRRFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/tickets/{desk_ticket}/rating",
        "csrf_token={csrf}&score=5",
        "SVNNNNNNNS",
    ),
    ("GET", "/profiles/desk/listening", "", "SNYYYYNNNS"),
    ("GET", "/profiles/desk/listening/digests", "", "SNYFFFNNYS"),
    (
        "POST",
        "/profiles/desk/listening/topics",
        "csrf_token={csrf}&name=page {role}&terms=wireless&sensitivity=5&min_posters=5",
        "SNRFFFNNRS",
    ),
    (
        "GET",
        "/profiles/desk/listening/topics/{new_topic}",
        "",
        "SNYYYYNNNS",
    ),
    (
        "POST",
        "/profiles/desk/listening/topics/{new_topic}",
        "csrf_token={csrf}&name=changed {role}&terms=eduroam&sensitivity=6&min_posters=4",
        "SNRFFFNNRS",
    ),
    (
        "POST",
        "/profiles/desk/listening/topics/{new_topic}/delete",
        "csrf_token={csrf}",
        "SNRFFFNNRS",
    ),
    (
        "POST",
        "/profiles/desk/tickets/{desk_incident_ticket}/answer-everyone",
        "csrf_token={csrf}&text=on it",
        "SNRRRFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/tickets/{desk_ticket}/notes",
        "csrf_token={csrf}&text=seen it",
        "SNRRRFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/tickets/{desk_ticket}/tags",
        "csrf_token={csrf}&add=printer",
        "SNRRRFNNNS",
    ),
    (
        "POST",
        "/messages",
        "csrf_token={csrf}&to=uma&text=hello",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/messages/{conv}",
        "csrf_token={csrf}&text=again",
        "SRNNNNNNRS",
    ),
    (
        "POST",
        "/communities",
        "csrf_token={csrf}&slug=p-{role}&name=P&description=&visibility=open",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/communities/club/invitations",
        "csrf_token={csrf}&handle=tess",
        "SFFFFFRFFS",
    ),
    (
        "POST",
        "/communities/club/join",
        "csrf_token={csrf}",
        "SRRRRRCRRS",
    ),
    (
        "POST",
        "/communities/club/requests/sam/approve",
        "csrf_token={csrf}",
        "SFFFFFRFFS",
    ),
    (
        "POST",
        "/communities/club/leave",
        "csrf_token={csrf}",
        "SRRRRRVRRS",
    ),
    (
        "POST",
        "/acting",
        "csrf_token={csrf}&profile=desk",
        "SFRRRRFFFS",
    ),
    (
        "POST",
        "/acting",
        "csrf_token={csrf}&profile=",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/profiles/desk/roster",
        "csrf_token={csrf}&member=otto&time_zone=UTC&starts={day}T09:00&ends={day}T10:00&repeats=once&rule=&note=",
        "SFRFFFFFRS",
    ),
    (
        "POST",
        "/profiles/desk/roster/{new_shift}/remove",
        "csrf_token={csrf}",
        "SFRFFFFFRS",
    ),
    (
        "POST",
        "/profiles/desk/roster/rule",
        "csrf_token={csrf}&shift_only=off",
        "SFRFFFFFRS",
    ),
    (
        "POST",
        "/investigations",
        "csrf_token={csrf}&profile=desk&reason=a complaint from the floor&date={today}&from=00:00&to=23:59&offset=%2B00:00&posts=",
        "SFFFFFFRFS",
    ),
    (
        "POST",
        "/investigations/{new_inv}/close",
        "csrf_token={csrf}&outcome=done",
        "SNNNNNNRRS",
    ),
    (
        "POST",
        "/admin/users",
        "csrf_token={csrf}&email=page-{role}@example.com&display_name=Page&handle=page-{role}&password=a long enough password&role=staff",
        "SFFFFFFFRS",
    ),
    (
        "POST",
        "/admin/users/{uma_id}/deactivate",
        "csrf_token={csrf}",
        "SFFFFFFFRS",
    ),
    // The vault page: the same rules as its JSON routes.
    ("GET", "/profiles/desk/vault", "", "SNYYYYNNNS"),
    (
        "POST",
        "/profiles/desk/vault",
        "csrf_token={csrf}&name=Page {role}&kind=password&password=pw&custodians=olga",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/vault/{desk_secret}/reveal",
        "csrf_token={csrf}",
        "SNYYFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/vault/{desk_pair}/reveal",
        "csrf_token={csrf}",
        "SNFFFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/vault/{desk_pair}/requests",
        "csrf_token={csrf}&reason=page {role}",
        "SNYYFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/vault/{desk_pair}/requests/{new_request}/approve",
        "csrf_token={csrf}",
        "SNRVFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/vault/{desk_secret}/custodians",
        "csrf_token={csrf}&custodians=olga,eddie",
        "SNRFFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/vault/{desk_secret}/rotate",
        "csrf_token={csrf}&username=desk&password=page {role}&totp_seed=JBSWY3DPEHPK3PXP",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/vault/{new_secret}/remove",
        "csrf_token={csrf}",
        "SNRFFFNNNS",
    ),
    // The channels page: the same rules as its JSON routes; the feed
    // documents are public only while a feed channel syndicates (@desk's
    // does not).
    ("GET", "/profiles/desk/channels", "", "SNYYYYNNNS"),
    (
        "POST",
        "/profiles/desk/channels",
        "csrf_token={csrf}&kind=feed&name=page feed {role}",
        "SNRFFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/channels/{desk_channel}/test",
        "csrf_token={csrf}",
        "SNYFFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/channels/{desk_channel}/send",
        "csrf_token={csrf}&text=page send by {role}",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/channels/{new_channel}/disconnect",
        "csrf_token={csrf}",
        "SNRFFFNNNS",
    ),
    // Publishing pages: the same rules as their JSON routes.
    ("GET", "/profiles/desk/publications", "", "SNYYYYNNNS"),
    (
        "POST",
        "/profiles/desk/publications",
        "csrf_token={csrf}&title=page draft by {role}&channel_{desk_channel}=on&text_{desk_channel}=page words by {role}",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publishing/rules",
        "csrf_token={csrf}&time_zone=UTC&tier1_approvals=1&tier1_owner=on",
        "SNRFFFNNNS",
    ),
    (
        "GET",
        "/profiles/desk/publications/{desk_publication}",
        "",
        "SNYYYYNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publications/{new_publication}/edit",
        "csrf_token={csrf}&version=1&title=page edit by {role}&channel_{desk_channel}=on&text_{desk_channel}=edited words",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publications/{new_publication}/submit",
        "csrf_token={csrf}",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publications/{new_review}/approve",
        "csrf_token={csrf}&version=1",
        "SNRFFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publications/{new_review}/reject",
        "csrf_token={csrf}&reason=not yet, says {role}",
        "SNRFFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publications/{new_approved}/schedule",
        "csrf_token={csrf}&version=1&at=2031-02-01T09:00",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publications/{new_scheduled}/reschedule",
        "csrf_token={csrf}&at=2031-03-01T09:00",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publications/{new_scheduled}/unschedule",
        "csrf_token={csrf}",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/publications/{desk_publication}/comments",
        "csrf_token={csrf}&text=a page thought from {role}",
        "SNRRRRNNNS",
    ),
    ("GET", "/profiles/desk/calendar", "", "SNYYYYNNNS"),
    ("GET", "/profiles/desk/calendar?view=week", "", "SNYYYYNNNS"),
    ("GET", "/calendar", "", "SYYYYYYYYS"),
    ("GET", "/static/calendar.js", "", "YYYYYYYYYY"),
    // Campaign pages.
    ("GET", "/profiles/desk/campaigns", "", "SNYYYYNNNS"),
    (
        "POST",
        "/profiles/desk/campaigns",
        "csrf_token={csrf}&name=page campaign of {role}&starts_on=2026-01-01&ends_on=2026-12-31&budget=10",
        "SNRRFFNNNS",
    ),
    (
        "GET",
        "/profiles/desk/campaigns/{desk_campaign}",
        "",
        "SNYYYYNNNS",
    ),
    (
        "POST",
        "/profiles/desk/campaigns/{desk_campaign}/spend",
        "csrf_token={csrf}&on=2026-06-01&amount=5.00&note=page {role}",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/campaigns/{desk_campaign}/results",
        "csrf_token={csrf}&on=2026-06-01&leads=1",
        "SNRRFFNNNS",
    ),
    (
        "POST",
        "/profiles/desk/campaigns/{desk_campaign}/import",
        "csrf_token={csrf}&csv=date,channel,leads,conversions,revenue%0A2026-06-02,,1,0,0",
        "SNRRFFNNNS",
    ),
    ("GET", "/static/campaign.js", "", "YYYYYYYYYY"),
    ("GET", "/profiles/desk/feed.rss", "", "NNNNNNNNNN"),
    // A form without its CSRF token changes nothing.
    (
        "POST",
        "/notifications/read",
        "csrf_token=forged",
        "SFFFFFFFFS",
    ),
    ("POST", "/sign-out", "csrf_token={csrf}", "SSSSSSSSSS"),
];

/// Routes the matrix leaves out, and why.
const EXEMPT: &[(&str, &str, &str)] = &[
    (
        "POST",
        "/api/v1/sessions",
        "signing in is the same for everyone; covered by tests/api/accounts.rs",
    ),
    (
        "POST",
        "/sign-in",
        "signing in is the same for everyone; covered by tests/api/pages.rs",
    ),
];

#[tokio::test]
async fn the_api_matrix_holds_on_sqlite() {
    world::check(Kind::Sqlite, MATRIX).await;
}

#[tokio::test]
async fn the_api_matrix_holds_on_postgres() {
    world::check(Kind::Postgres, MATRIX).await;
}

#[tokio::test]
async fn the_page_matrix_holds_on_sqlite() {
    world::check(Kind::Sqlite, PAGES).await;
}

#[tokio::test]
async fn the_page_matrix_holds_on_postgres() {
    world::check(Kind::Postgres, PAGES).await;
}

#[test]
fn the_matrix_names_every_route() {
    let spec = serde_json::to_value(byline_server::openapi()).expect("spec");
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let m = method.to_ascii_uppercase();
            // A table path matches when each segment equals the spec's or
            // fills one of its {parameters}.
            let fits = |table: &str| {
                let table = table.split('?').next().unwrap_or(table);
                let (a, b): (Vec<&str>, Vec<&str>) =
                    (path.split('/').collect(), table.split('/').collect());
                a.len() == b.len() && a.iter().zip(&b).all(|(s, t)| s.starts_with('{') || s == t)
            };
            let covered = MATRIX
                .iter()
                .chain(PAGES)
                .any(|(mm, p, _, _)| *mm == m && fits(p))
                || EXEMPT.iter().any(|(mm, p, _)| *mm == m && *p == path);
            if !covered {
                missing.push(format!("{m} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from the matrix: {missing:?}"
    );
}
