//! The JSON API under `/api/v1`, documented by OpenAPI generated from the
//! same route declarations.

mod articles;
mod attachments;
mod audit;
mod campaigns;
mod channels;
mod communities;
pub(crate) mod dashboard;
mod events;
mod feeds;
mod investigations;
mod listening;
mod me;
mod messages;
mod moderation;
mod notifications;
mod posts;
mod presence;
mod profiles;
mod publications;
mod rosters;
mod search;
mod sessions;
mod shared_profiles;
mod tickets;
mod users;
mod vault;
pub mod views;

use crate::state::AppState;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Byline API",
        description = "Byline's JSON API. Errors are `{\"error\": {\"code\", \"message\"}}` with the matching HTTP status. Ids are opaque strings.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "sessions", description = "Signing in and out"),
        (name = "me", description = "The signed-in user and their API tokens"),
        (name = "users", description = "User accounts (admins)"),
        (name = "profiles", description = "Profiles: the identities that speak"),
        (name = "posts", description = "Posts, threads, edits and reactions"),
        (name = "feeds", description = "Timelines"),
        (name = "communities", description = "Open, closed and secret communities"),
        (name = "search", description = "Full-text search"),
        (name = "messages", description = "Direct messages"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "shared profiles", description = "Shared profiles, members and acting sessions"),
        (name = "help desk", description = "Help desks: the inbox, tickets, notes and your own requests"),
        (name = "listening", description = "Listening: topics a help desk watches in staff's open posts"),
        (name = "moderation", description = "Reports and the moderation queue"),
        (name = "channels", description = "Channels: a shared profile's feed, webhooks and e-mail, with credentials in the vault"),
        (name = "publishing", description = "Publishing: drafts per channel, review in tiers, schedules, the content calendar"),
        (name = "campaigns", description = "Campaigns: spend, results, short-link clicks and ROI reports"),
        (name = "vault", description = "The credential vault: shared profiles' secrets, revealed to custodians only"),
        (name = "investigations", description = "Investigations: the only way to reveal sealed bylines"),
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "web", description = "Server-rendered HTML pages")
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// An OpenAPI-aware router with the API documentation's header filled in.
pub fn documented_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(sessions::routes())
        .merge(me::routes())
        .merge(users::routes())
        .merge(profiles::routes())
        .merge(posts::routes())
        .merge(feeds::routes())
        .merge(communities::routes())
        .merge(notifications::routes())
        .merge(events::routes())
        .merge(search::routes())
        .merge(messages::routes())
        .merge(attachments::routes())
        .merge(audit::routes())
        .merge(shared_profiles::routes())
        .merge(rosters::routes())
        .merge(vault::routes())
        .merge(channels::routes())
        .merge(publications::routes())
        .merge(campaigns::routes())
        .merge(tickets::routes())
        .merge(listening::routes())
        .merge(moderation::routes())
        .merge(dashboard::routes())
        .merge(articles::routes())
        .merge(presence::routes())
        .merge(investigations::routes())
}
