//! The publishing pages of a shared profile: its publications (write,
//! review, schedule), its approval rules, and the content calendar, for
//! one profile or across every profile the viewer belongs to. Everything
//! works without JavaScript; `calendar.js` adds drag-to-reschedule.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::{AppState, now};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::channels::{self, ChannelsView};
use byline_app::publishing::{self, PublicationInput, PublicationView, TierInput, VariantInput};
use byline_app::{Error, campaigns};
use byline_core::Timestamp;
use byline_core::channel::ChannelKind;
use byline_core::policy::{Action, authorize};
use byline_core::publication::{Progress, Status, limits};
use byline_core::roster::{format_in, instant_of, local_of};
use byline_store::publishing::{CalendarRow, CampaignRow};
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(publications_page, create_publication))
        .routes(routes!(save_rules))
        .routes(routes!(publication_page))
        .routes(routes!(edit_publication))
        .routes(routes!(submit_publication))
        .routes(routes!(approve_publication))
        .routes(routes!(reject_publication))
        .routes(routes!(schedule_publication))
        .routes(routes!(unschedule_publication))
        .routes(routes!(comment_publication))
        .routes(routes!(reschedule_publication))
        .routes(routes!(profile_calendar_page))
        .routes(routes!(calendar_page))
}

/// How times are shown on these pages.
const TIME_FORMAT: &str = "%a %d %b %Y %H:%M %Z";

/// The roles an approval tier may name, in the order the form shows them.
const ROLES: [&str; 4] = ["owner", "editor", "responder", "observer"];

fn id_of(id: &str) -> Result<i64, PageError> {
    id.parse().map_err(|_| PageError(AppError::NotFound))
}

fn status_of(s: &str) -> (&'static str, &'static str) {
    Status::parse(s).map_or(("unknown", "Unknown"), |s| (s.as_str(), s.label()))
}

/// A refusal shown in place: the shared ones, and a bare "not allowed"
/// (approving one's own publication) with its plain reason.
fn refusal(e: Error) -> Result<(StatusCode, String), PageError> {
    match e {
        Error::Forbidden => Ok((StatusCode::FORBIDDEN, Error::Forbidden.to_string())),
        e => super::refusal(e),
    }
}

fn field<'a>(f: &'a HashMap<String, String>, name: &str) -> &'a str {
    f.get(name).map_or("", String::as_str)
}

// ------------------------------------------------------------------ forms

/// What a publication form shows: as stored, as typed, or empty.
#[derive(Default)]
struct Filled {
    title: String,
    campaign: Option<i64>,
    /// Channel id → (chosen, subject, text); typed words are kept for
    /// channels left unticked too.
    variants: HashMap<i64, (bool, String, String)>,
}

impl Filled {
    /// The form as typed (ids that do not read are left out).
    fn typed(f: &HashMap<String, String>) -> Filled {
        let variants = f
            .keys()
            .filter_map(|k| {
                ["channel_", "subject_", "text_"]
                    .iter()
                    .find_map(|p| k.strip_prefix(p))?
                    .parse::<i64>()
                    .ok()
            })
            .map(|id| {
                let chosen = f.contains_key(&format!("channel_{id}"));
                let subject = field(f, &format!("subject_{id}")).to_owned();
                let text = field(f, &format!("text_{id}")).to_owned();
                (id, (chosen, subject, text))
            })
            .collect();
        Filled {
            title: field(f, "title").to_owned(),
            campaign: field(f, "campaign").trim().parse().ok(),
            variants,
        }
    }

    /// A publication as stored.
    fn stored(v: &PublicationView) -> Filled {
        Filled {
            title: v.row.title.clone(),
            campaign: v.row.campaign_id,
            variants: v
                .variants
                .iter()
                .map(|x| (x.channel_id, (true, x.subject.clone(), x.body.clone())))
                .collect(),
        }
    }
}

/// A publication form read into what the service takes.
fn input_of(f: &HashMap<String, String>) -> Result<PublicationInput, Error> {
    let campaign_id =
        match field(f, "campaign").trim() {
            "" => None,
            c => Some(c.parse().map_err(|_| {
                Error::Invalid(format!("campaign '{c}' is not one of this profile's"))
            })?),
        };
    let mut ids = Vec::new();
    for key in f.keys() {
        if let Some(id) = key.strip_prefix("channel_") {
            ids.push(id.parse::<i64>().map_err(|_| {
                Error::Invalid(format!(
                    "channel '{id}' is not one of this profile's connected channels"
                ))
            })?);
        }
    }
    ids.sort_unstable();
    Ok(PublicationInput {
        title: field(f, "title").to_owned(),
        campaign_id,
        variants: ids
            .into_iter()
            .map(|id| VariantInput {
                channel_id: id,
                subject: field(f, &format!("subject_{id}")).to_owned(),
                body: field(f, &format!("text_{id}")).to_owned(),
            })
            .collect(),
    })
}

/// One channel's block of a publication form.
struct ChannelBlock {
    id: i64,
    name: String,
    kind: &'static str,
    limit: usize,
    needs_subject: bool,
    checked: bool,
    subject: String,
    text: String,
}

fn blocks(channels: &ChannelsView, filled: &Filled) -> Vec<ChannelBlock> {
    channels
        .channels
        .iter()
        .map(|c| {
            let (limit, needs_subject) = limits(c.kind);
            let chosen = filled.variants.get(&c.row.id);
            ChannelBlock {
                id: c.row.id,
                name: c.row.name.clone(),
                kind: c.kind.as_str(),
                limit,
                needs_subject,
                checked: chosen.is_some_and(|v| v.0),
                subject: chosen.map(|v| v.1.clone()).unwrap_or_default(),
                text: chosen.map(|v| v.2.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// A campaign in a select.
struct CampaignOption {
    id: i64,
    name: String,
    selected: bool,
}

fn campaign_options(rows: &[CampaignRow], selected: Option<i64>) -> Vec<CampaignOption> {
    rows.iter()
        .map(|c| CampaignOption {
            id: c.id,
            name: c.name.clone(),
            selected: Some(c.id) == selected,
        })
        .collect()
}

/// One approval tier's row of the rules form.
struct TierRow {
    n: usize,
    approvals: String,
    /// Each role with whether it is ticked.
    roles: Vec<(&'static str, bool)>,
    people: String,
    /// The tier in a sentence, for those who may not change it.
    summary: String,
}

/// "2 approvals from owners, editors or @ana".
fn summary(t: &TierInput) -> String {
    let mut who: Vec<String> = t.roles.iter().map(|r| format!("{r}s")).collect();
    who.extend(t.people.iter().map(|p| format!("@{p}")));
    let who = match who.split_last() {
        None => "nobody".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    };
    let s = if t.approvals == 1 { "" } else { "s" };
    format!("{} approval{s} from {who}", t.approvals)
}

/// Three rows: the tiers there are, then empty ones.
fn tier_rows(tiers: &[TierInput]) -> Vec<TierRow> {
    (0..byline_core::publication::MOST_TIERS)
        .map(|i| {
            let t = tiers.get(i);
            TierRow {
                n: i + 1,
                approvals: t.map(|t| t.approvals.to_string()).unwrap_or_default(),
                roles: ROLES
                    .iter()
                    .map(|r| (*r, t.is_some_and(|t| t.roles.iter().any(|x| x == r))))
                    .collect(),
                people: t.map(|t| t.people.join(", ")).unwrap_or_default(),
                summary: t.map(summary).unwrap_or_default(),
            }
        })
        .collect()
}

/// The rules form as typed: a tier whose approvals are empty is left out.
fn tiers_typed(f: &HashMap<String, String>) -> Result<Vec<TierInput>, Error> {
    let mut tiers = Vec::new();
    for n in 1..=byline_core::publication::MOST_TIERS {
        let approvals = field(f, &format!("tier{n}_approvals")).trim();
        if approvals.is_empty() {
            continue;
        }
        let approvals = approvals.parse::<u8>().map_err(|_| {
            Error::Invalid(format!(
                "tier {n}: the approvals it needs is a number from 1 to {}",
                byline_core::publication::MOST_APPROVALS
            ))
        })?;
        tiers.push(TierInput {
            approvals,
            roles: ROLES
                .iter()
                .filter(|r| f.contains_key(&format!("tier{n}_{r}")))
                .map(|r| (*r).to_owned())
                .collect(),
            people: field(f, &format!("tier{n}_people"))
                .split([',', ' '])
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect(),
        });
    }
    Ok(tiers)
}

// ------------------------------------------------------ publications list

/// A publication in the list.
struct PublicationLine {
    id: i64,
    title: String,
    campaign: Option<String>,
    due: Option<String>,
    reason: Option<String>,
    updated: String,
}

/// The publications of one status.
struct StatusGroup {
    status: &'static str,
    label: &'static str,
    items: Vec<PublicationLine>,
}

#[derive(Template)]
#[template(path = "publications.html")]
struct PublicationsPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    zone: String,
    groups: Vec<StatusGroup>,
    may_write: bool,
    may_set_rules: bool,
    title: String,
    channels: Vec<ChannelBlock>,
    campaigns: Vec<CampaignOption>,
    rules_zone: String,
    /// Tiers set (the form always shows three rows).
    tier_count: usize,
    tiers: Vec<TierRow>,
    /// The profile's webhooks, for its publishing events: (id, name, chosen).
    event_channels: Vec<(i64, String, bool)>,
    /// The webhook that hears them now, by name.
    events_to: Option<String>,
    error: Option<String>,
}

/// What the list page shows in its forms after a refusal.
#[derive(Default)]
struct Typed {
    publication: Option<Filled>,
    rules: Option<(String, Vec<TierInput>)>,
}

async fn list_page(
    state: &AppState,
    current: &CurrentUser,
    handle: &str,
    typed: Typed,
    error: Option<String>,
) -> Result<PublicationsPage, PageError> {
    let (profile, rows) = publishing::list(state, current, handle, None, 200).await?;
    let settings = publishing::settings(state, current, handle).await?;
    let channels = channels::list(state, current, handle).await?;
    let (_, campaign_rows) = campaigns::list(state, current, handle).await?;
    let actor = current.actor();
    let role = channels.role;
    let zone = settings.zone;
    let when = |t: i64| format_in(zone, Timestamp(t), TIME_FORMAT);
    let campaign_name = |id: Option<i64>| {
        id.and_then(|id| campaign_rows.iter().find(|c| c.id == id))
            .map(|c| c.name.clone())
    };
    let mut groups = Vec::new();
    for status in Status::ALL {
        let mut mine: Vec<_> = rows
            .iter()
            .filter(|r| r.status == status.as_str())
            .collect();
        if mine.is_empty() {
            continue;
        }
        if status == Status::Scheduled {
            mine.sort_by_key(|r| r.due_at);
        }
        groups.push(StatusGroup {
            status: status.as_str(),
            label: status.label(),
            items: mine
                .into_iter()
                .map(|r| PublicationLine {
                    id: r.id,
                    title: r.title.clone(),
                    campaign: campaign_name(r.campaign_id),
                    due: r.due_at.map(when),
                    reason: r.reason.clone(),
                    updated: when(r.updated_at),
                })
                .collect(),
        });
    }
    let filled = typed.publication.unwrap_or_default();
    let (rules_zone, tiers) = match typed.rules {
        Some(typed) => typed,
        None => (
            zone.name().to_owned(),
            publishing::named_tiers(state, profile.id, &settings.rules).await?,
        ),
    };
    Ok(PublicationsPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: profile.handle.clone(),
        name: profile.display_name.clone(),
        zone: zone.name().to_owned(),
        groups,
        may_write: authorize(Some(&actor), Action::WritePublication { role }).is_ok(),
        may_set_rules: authorize(Some(&actor), Action::SetApprovalRules { role }).is_ok(),
        title: filled.title.clone(),
        channels: blocks(&channels, &filled),
        campaigns: campaign_options(&campaign_rows, filled.campaign),
        rules_zone,
        tier_count: tiers.len(),
        tiers: tier_rows(&tiers),
        event_channels: channels
            .channels
            .iter()
            .filter(|c| c.kind == ChannelKind::Webhook)
            .map(|c| {
                (
                    c.row.id,
                    c.row.name.clone(),
                    settings.events_channel == Some(c.row.id),
                )
            })
            .collect(),
        events_to: channels
            .channels
            .iter()
            .find(|c| settings.events_channel == Some(c.row.id))
            .map(|c| c.row.name.clone()),
        error,
    })
}

/// A shared profile's publications by status, with the forms to write one
/// and (owners) to set the approval rules (members).
#[utoipa::path(get, path = "/profiles/{handle}/publications", tag = "web", operation_id = "page_publications",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses((status = 200, description = "Publications page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html")))]
async fn publications_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    let p = list_page(&state, &current, &handle, Typed::default(), None).await?;
    Ok(render(&p)?.into_response())
}

/// Writes a draft (owners and editors) and shows it; a refusal shows the
/// list again with the form as typed.
#[utoipa::path(post, path = "/profiles/{handle}/publications", tag = "web", operation_id = "page_publications_create",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = HashMap<String, String>, content_type = "application/x-www-form-urlencoded",
        description = "csrf_token, title, campaign (id, optional), and per chosen channel channel_<id>, subject_<id>, text_<id>"),
    responses((status = 303, description = "Written: to the publication"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn create_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    current.check_csrf(field(&f, "csrf_token"))?;
    let created = match input_of(&f) {
        Ok(input) => publishing::create(&state, &current, &handle, &input).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(row) => Ok(
            Redirect::to(&format!("/profiles/{handle}/publications/{}", row.id)).into_response(),
        ),
        Err(e) => {
            let (status, why) = refusal(e)?;
            let typed = Typed {
                publication: Some(Filled::typed(&f)),
                rules: None,
            };
            let p = list_page(&state, &current, &handle, typed, Some(why)).await?;
            Ok((status, render(&p)?).into_response())
        }
    }
}

/// Sets the profile's time zone and approval tiers (owners).
#[utoipa::path(post, path = "/profiles/{handle}/publishing/rules", tag = "web", operation_id = "page_publishing_rules",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = HashMap<String, String>, content_type = "application/x-www-form-urlencoded",
        description = "csrf_token, time_zone, and per tier n (1-3) tier<n>_approvals, tier<n>_<role> checkboxes (owner, editor, responder, observer), tier<n>_people (comma-separated handles); a tier without approvals is left out"),
    responses((status = 303, description = "Saved: to the publications page"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn save_rules(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    current.check_csrf(field(&f, "csrf_token"))?;
    let zone = field(&f, "time_zone");
    let events = match field(&f, "events_channel").trim() {
        "" => Ok(None),
        id => id.parse::<i64>().map(Some).map_err(|_| {
            Error::Invalid(format!(
                "channel '{id}' is not one of this profile's webhook channels"
            ))
        }),
    };
    let saved = match (tiers_typed(&f), events) {
        (Ok(tiers), Ok(events)) => {
            publishing::save_settings(&state, &current, &handle, zone, &tiers, events)
                .await
                .map_err(|e| (e, tiers))
        }
        (Err(e), _) | (_, Err(e)) => Err((e, Vec::new())),
    };
    match saved {
        Ok(_) => {
            Ok(Redirect::to(&format!("/profiles/{handle}/publications#rules")).into_response())
        }
        Err((e, tiers)) => {
            let (status, why) = refusal(e)?;
            let typed = Typed {
                publication: None,
                rules: Some((zone.to_owned(), tiers)),
            };
            let p = list_page(&state, &current, &handle, typed, Some(why)).await?;
            Ok((status, render(&p)?).into_response())
        }
    }
}

// ------------------------------------------------------- one publication

/// One channel's words as the page shows them.
struct VariantLine {
    channel: String,
    kind: String,
    connected: bool,
    subject: String,
    text: String,
}

/// A comment or a step of the history.
struct NoteLine {
    event: String,
    comment: bool,
    by: String,
    detail: String,
    at: String,
}

#[derive(Template)]
#[template(path = "publication.html")]
struct PublicationPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    zone: String,
    id: i64,
    version: i64,
    title: String,
    status: &'static str,
    status_label: &'static str,
    writer: String,
    campaign: Option<String>,
    due: Option<String>,
    published: Option<String>,
    reason: Option<String>,
    variants: Vec<VariantLine>,
    progress: Option<String>,
    /// (handle, tier, when).
    approvals: Vec<(String, i64, String)>,
    notes: Vec<NoteLine>,
    may: publishing::May,
    /// The schedule form's value: the due minute as typed in the zone.
    schedule_at: String,
    edit_title: String,
    channels: Vec<ChannelBlock>,
    campaigns: Vec<CampaignOption>,
    error: Option<String>,
}

async fn one_page(
    state: &AppState,
    current: &CurrentUser,
    handle: &str,
    id: i64,
    typed: Option<Filled>,
    error: Option<String>,
) -> Result<PublicationPage, PageError> {
    let v = publishing::get(state, current, handle, id).await?;
    let zone = v.settings.zone;
    let when = |t: i64| format_in(zone, Timestamp(t), TIME_FORMAT);
    let (status, status_label) = (v.status.as_str(), v.status.label());
    let progress = match (v.status, v.progress) {
        (Status::InReview, Progress::Waiting { tier, have, need }) => Some(format!(
            "Waiting for tier {}: {have}/{need} approvals",
            tier + 1
        )),
        (Status::InReview, Progress::Complete) => Some("Every tier has its approvals".into()),
        _ => None,
    };
    let (channels, campaign_rows, filled) = if v.may.edit {
        let filled = typed.unwrap_or_else(|| Filled::stored(&v));
        let channels = channels::list(state, current, handle).await?;
        let (_, campaign_rows) = campaigns::list(state, current, handle).await?;
        (blocks(&channels, &filled), campaign_rows, filled)
    } else {
        (Vec::new(), Vec::new(), Filled::default())
    };
    Ok(PublicationPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: v.profile.handle.clone(),
        name: v.profile.display_name.clone(),
        zone: zone.name().to_owned(),
        id: v.row.id,
        version: v.row.version,
        title: v.row.title.clone(),
        status,
        status_label,
        writer: v.writer.clone(),
        campaign: v.campaign.clone(),
        due: v.row.due_at.map(when),
        published: v.row.published_at.map(when),
        reason: v
            .row
            .reason
            .clone()
            .filter(|_| matches!(v.status, Status::Rejected | Status::Failed)),
        variants: v
            .variants
            .iter()
            .map(|x| VariantLine {
                channel: x.channel_name.clone(),
                kind: x.channel_kind.clone(),
                connected: x.connected,
                subject: x.subject.clone(),
                text: x.body.clone(),
            })
            .collect(),
        progress,
        approvals: v
            .approvals
            .iter()
            .map(|a| (a.handle.clone(), a.tier + 1, when(a.at)))
            .collect(),
        notes: v
            .notes
            .iter()
            .map(|n| NoteLine {
                event: n.event.replace('_', " "),
                comment: n.event == "comment",
                by: n
                    .handle
                    .as_ref()
                    .map_or_else(|| "Byline".to_owned(), |h| format!("@{h}")),
                // A step's instant (a due minute) reads in the zone too.
                detail: Timestamp::parse_rfc3339(&n.detail)
                    .map_or_else(|| n.detail.clone(), |t| when(t.micros())),
                at: when(n.at),
            })
            .collect(),
        may: v.may,
        schedule_at: v
            .row
            .due_at
            .map(|t| {
                local_of(zone, Timestamp(t))
                    .format("%Y-%m-%dT%H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
        edit_title: filled.title.clone(),
        campaigns: campaign_options(&campaign_rows, filled.campaign),
        channels,
        error,
    })
}

/// After a step: back to the publication, or its page again with the
/// refusal in place.
async fn stepped<T>(
    state: &AppState,
    current: &CurrentUser,
    handle: &str,
    id: i64,
    outcome: Result<T, Error>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/profiles/{handle}/publications/{id}")).into_response()),
        Err(e) => {
            let (status, why) = refusal(e)?;
            let p = one_page(state, current, handle, id, None, Some(why)).await?;
            Ok((status, render(&p)?).into_response())
        }
    }
}

/// One publication: its words, review, history and the steps the viewer
/// may take now (members).
#[utoipa::path(get, path = "/profiles/{handle}/publications/{id}", tag = "web", operation_id = "page_publication",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses((status = 200, description = "Publication page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html")))]
async fn publication_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let p = one_page(&state, &current, &handle, id_of(&id)?, None, None).await?;
    Ok(render(&p)?.into_response())
}

/// Changes a publication's words (owners and editors): a new version.
#[utoipa::path(post, path = "/profiles/{handle}/publications/{id}/edit", tag = "web", operation_id = "page_publication_edit",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    request_body(content = HashMap<String, String>, content_type = "application/x-www-form-urlencoded",
        description = "csrf_token, version, title, campaign (id, optional), and per chosen channel channel_<id>, subject_<id>, text_<id>"),
    responses((status = 303, description = "Changed: to the publication"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn edit_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    current.check_csrf(field(&f, "csrf_token"))?;
    let id = id_of(&id)?;
    let version = field(&f, "version").trim().parse::<i64>().map_err(|_| {
        Error::Invalid("say which version you are editing: reload the page and edit again".into())
    });
    let edited = match (version, input_of(&f)) {
        (Ok(version), Ok(input)) => {
            publishing::edit(&state, &current, &handle, id, version, &input).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match edited {
        Ok(_) => Ok(Redirect::to(&format!("/profiles/{handle}/publications/{id}")).into_response()),
        Err(e) => {
            let (status, why) = refusal(e)?;
            let p = one_page(
                &state,
                &current,
                &handle,
                id,
                Some(Filled::typed(&f)),
                Some(why),
            )
            .await?;
            Ok((status, render(&p)?).into_response())
        }
    }
}

/// A form with only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct TokenForm {
    csrf_token: String,
}

/// Sends a draft for review (owners and editors).
#[utoipa::path(post, path = "/profiles/{handle}/publications/{id}/submit", tag = "web", operation_id = "page_publication_submit",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "In review (or approved): to the publication"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn submit_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = publishing::submit(&state, &current, &handle, id).await;
    stepped(&state, &current, &handle, id, outcome).await
}

/// The version a reviewer read.
#[derive(Deserialize, ToSchema)]
pub struct VersionForm {
    csrf_token: String,
    /// The version shown.
    version: i64,
}

/// Approves the version shown, in the tier waiting now.
#[utoipa::path(post, path = "/profiles/{handle}/publications/{id}/approve", tag = "web", operation_id = "page_publication_approve",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    request_body(content = VersionForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Approved: to the publication"),
              (status = 403, description = "The writer, not admitted by the waiting tier, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn approve_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<VersionForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = publishing::approve(&state, &current, &handle, id, f.version).await;
    stepped(&state, &current, &handle, id, outcome).await
}

/// Why a publication goes back.
#[derive(Deserialize, ToSchema)]
pub struct ReasonForm {
    csrf_token: String,
    /// The reason the writer sees.
    #[serde(default)]
    reason: String,
}

/// Sends a publication back to its writer with a reason.
#[utoipa::path(post, path = "/profiles/{handle}/publications/{id}/reject", tag = "web", operation_id = "page_publication_reject",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    request_body(content = ReasonForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Rejected: to the publication"),
              (status = 403, description = "Not a reviewer of it, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn reject_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<ReasonForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = publishing::reject(&state, &current, &handle, id, &f.reason).await;
    stepped(&state, &current, &handle, id, outcome).await
}

/// When to publish.
#[derive(Deserialize, ToSchema)]
pub struct ScheduleForm {
    csrf_token: String,
    /// The approved version.
    version: i64,
    /// Wall-clock minute in the profile's zone, `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    at: String,
}

/// Schedules an approved publication, or moves a scheduled one (owners and
/// editors acting as the profile).
#[utoipa::path(post, path = "/profiles/{handle}/publications/{id}/schedule", tag = "web", operation_id = "page_publication_schedule",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    request_body(content = ScheduleForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Scheduled: to the publication"),
              (status = 403, description = "Not acting as the profile, may not speak as it, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn schedule_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<ScheduleForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = publishing::schedule(&state, &current, &handle, id, f.version, &f.at).await;
    stepped(&state, &current, &handle, id, outcome).await
}

/// Takes a publication off the schedule (owners and editors).
#[utoipa::path(post, path = "/profiles/{handle}/publications/{id}/unschedule", tag = "web", operation_id = "page_publication_unschedule",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Approved again, not scheduled: to the publication"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn unschedule_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = publishing::unschedule(&state, &current, &handle, id).await;
    stepped(&state, &current, &handle, id, outcome).await
}

/// A comment.
#[derive(Deserialize, ToSchema)]
pub struct CommentForm {
    csrf_token: String,
    /// 1–2000 characters.
    #[serde(default)]
    text: String,
}

/// Comments on a publication (members).
#[utoipa::path(post, path = "/profiles/{handle}/publications/{id}/comments", tag = "web", operation_id = "page_publication_comment",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    request_body(content = CommentForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Commented: to the publication"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html"),
              (status = 429, description = "Too many writes", content_type = "text/html")))]
async fn comment_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<CommentForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = publishing::comment(&state, &current, &handle, id, &f.text).await;
    stepped(&state, &current, &handle, id, outcome).await
}

// --------------------------------------------------------------- calendar

/// Which stretch of the calendar.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// The month, `YYYY-MM`; default this month.
    month: Option<String>,
    /// `week` for one week; default a month.
    view: Option<String>,
    /// The week's Monday (any day of it does), `YYYY-MM-DD`; default this week.
    week: Option<String>,
}

/// The days a calendar shows.
#[derive(Clone, Copy)]
enum Span {
    /// A month, by its first day.
    Month(NaiveDate),
    /// A week, by its Monday.
    Week(NaiveDate),
}

/// A query value, unless empty.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.day0()))
}

impl Span {
    fn of(zone: Tz, q: &CalendarQuery) -> Result<Span, AppError> {
        let today = local_of(zone, now()).date();
        if q.view.as_deref() == Some("week") {
            let day = match given(&q.week) {
                Some(w) => NaiveDate::parse_from_str(w, "%Y-%m-%d")
                    .map_err(|_| AppError::Invalid("week is a date such as 2026-11-23".into()))?,
                None => today,
            };
            return Ok(Span::Week(monday(day)));
        }
        let first = match given(&q.month) {
            Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
                .map_err(|_| AppError::Invalid("month is written like 2026-11".into()))?,
            None => first_of_month(today),
        };
        Ok(Span::Month(first))
    }

    /// The first day shown and the day after the last (whole weeks).
    fn days(self) -> Result<(NaiveDate, NaiveDate), AppError> {
        match self {
            Span::Week(m) => Ok((m, m + Duration::days(7))),
            Span::Month(first) => {
                let next = first
                    .checked_add_months(Months::new(1))
                    .ok_or_else(|| AppError::Invalid("that month is out of range".into()))?;
                let tail = (7 - i64::from(next.weekday().num_days_from_monday())) % 7;
                Ok((monday(first), next + Duration::days(tail)))
            }
        }
    }

    fn label(self) -> String {
        match self {
            Span::Month(first) => first.format("%B %Y").to_string(),
            Span::Week(m) => format!(
                "Week of {} to {}",
                m.format("%-d %b"),
                (m + Duration::days(6)).format("%-d %b %Y")
            ),
        }
    }

    fn query(self) -> String {
        match self {
            Span::Month(first) => format!("?month={}", first.format("%Y-%m")),
            Span::Week(m) => format!("?view=week&week={m}"),
        }
    }

    fn step(self, forward: bool) -> Span {
        match self {
            Span::Week(m) => Span::Week(m + Duration::days(if forward { 7 } else { -7 })),
            Span::Month(first) => {
                let moved = if forward {
                    first.checked_add_months(Months::new(1))
                } else {
                    first.checked_sub_months(Months::new(1))
                };
                Span::Month(moved.unwrap_or(first))
            }
        }
    }

    /// The other view around the same days: a month's week holding today
    /// (or its first week), a week's month.
    fn toggled(self, today: NaiveDate) -> Span {
        match self {
            Span::Week(m) => Span::Month(first_of_month(m)),
            Span::Month(first) if first_of_month(today) == first => Span::Week(monday(today)),
            Span::Month(first) => Span::Week(monday(first)),
        }
    }
}

/// One publication on the calendar.
struct CalendarItem {
    id: i64,
    handle: String,
    title: String,
    status: &'static str,
    status_label: &'static str,
    date: String,
    time: String,
    /// The campaign's colour (0–7).
    colour: Option<i64>,
    campaign: Option<String>,
    draggable: bool,
}

/// One day cell.
struct DayCell {
    date: String,
    day: u32,
    label: String,
    outside: bool,
    today: bool,
    items: Vec<CalendarItem>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    nav: Nav,
    csrf_token: String,
    /// The profile (handle, name); none across every profile.
    profile: Option<(String, String)>,
    zone: String,
    label: String,
    week_view: bool,
    prev: String,
    next: String,
    this_span: String,
    toggle: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<DayCell>>,
    /// Campaigns in view: (colour, name).
    legend: Vec<(i64, String)>,
    error: Option<String>,
}

/// Lays the items on their local days.
fn grid(
    zone: Tz,
    start: NaiveDate,
    end: NaiveDate,
    span: Span,
    rows: Vec<CalendarRow>,
    drag: bool,
) -> (Vec<Vec<DayCell>>, Vec<(i64, String)>) {
    let today = local_of(zone, now()).date();
    let mut days: Vec<DayCell> = start
        .iter_days()
        .take_while(|d| *d < end)
        .map(|d| DayCell {
            date: d.to_string(),
            day: d.day(),
            label: d.format("%A %-d %B %Y").to_string(),
            outside: matches!(span, Span::Month(first) if d.month() != first.month()),
            today: d == today,
            items: Vec::new(),
        })
        .collect();
    let mut legend: Vec<(i64, String, i64)> = Vec::new();
    for r in rows {
        let local = local_of(zone, Timestamp(r.due_at));
        let Ok(i) = usize::try_from((local.date() - start).num_days()) else {
            continue;
        };
        let Some(day) = days.get_mut(i) else {
            continue;
        };
        let colour = r.campaign_id.map(|c| c.rem_euclid(8));
        if let (Some(c), Some(name)) = (r.campaign_id, &r.campaign_name)
            && !legend.iter().any(|(id, _, _)| *id == c)
        {
            legend.push((c, name.clone(), c.rem_euclid(8)));
        }
        let (status, status_label) = status_of(&r.status);
        day.items.push(CalendarItem {
            id: r.id,
            draggable: drag && status == Status::Scheduled.as_str(),
            handle: r.handle,
            title: r.title,
            status,
            status_label,
            date: local.date().to_string(),
            time: local.format("%H:%M").to_string(),
            colour,
            campaign: r.campaign_name,
        });
    }
    legend.sort_by(|a, b| a.1.cmp(&b.1));
    let mut weeks = Vec::new();
    let mut days = days.into_iter().peekable();
    while days.peek().is_some() {
        weeks.push(days.by_ref().take(7).collect());
    }
    (
        weeks,
        legend.into_iter().map(|(_, name, c)| (c, name)).collect(),
    )
}

async fn calendar_view(
    state: &AppState,
    current: &CurrentUser,
    handle: Option<&str>,
    q: &CalendarQuery,
    error: Option<String>,
) -> Result<CalendarPage, PageError> {
    let (profile, zone) = match handle {
        Some(h) => {
            let (profile, _) = publishing::list(state, current, h, None, 1).await?;
            let zone = publishing::settings(state, current, h).await?.zone;
            (Some((profile.handle, profile.display_name)), zone)
        }
        None => (None, Tz::UTC),
    };
    let span = Span::of(zone, q)?;
    let (start, end) = span.days()?;
    let from = instant_of(zone, start.and_time(NaiveTime::MIN));
    let to = instant_of(zone, end.and_time(NaiveTime::MIN));
    let rows = publishing::calendar(state, current, handle, from, to).await?;
    let (weeks, legend) = grid(zone, start, end, span, rows, profile.is_some());
    let base = match &profile {
        Some((h, _)) => format!("/profiles/{h}/calendar"),
        None => "/calendar".to_owned(),
    };
    let today = local_of(zone, now()).date();
    Ok(CalendarPage {
        nav: Nav::load(
            state,
            current,
            if profile.is_some() { "" } else { "calendar" },
        )
        .await?,
        csrf_token: current.csrf_token().to_owned(),
        zone: zone.name().to_owned(),
        label: span.label(),
        week_view: matches!(span, Span::Week(_)),
        prev: format!("{base}{}", span.step(false).query()),
        next: format!("{base}{}", span.step(true).query()),
        this_span: match span {
            Span::Month(_) => base.clone(),
            Span::Week(_) => format!("{base}?view=week"),
        },
        toggle: format!("{base}{}", span.toggled(today).query()),
        weekdays: start
            .iter_days()
            .take(7)
            .map(|d| {
                if matches!(span, Span::Week(_)) {
                    d.format("%a %-d %b").to_string()
                } else {
                    d.format("%a").to_string()
                }
            })
            .collect(),
        weeks,
        legend,
        profile,
        error,
    })
}

/// A shared profile's content calendar, a month (or a week) in its zone
/// (members); with JavaScript, scheduled items move by dragging.
#[utoipa::path(get, path = "/profiles/{handle}/calendar", tag = "web", operation_id = "page_profile_calendar",
    params(("handle" = String, Path, description = "Shared profile handle"), CalendarQuery),
    responses((status = 200, description = "Calendar page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html"),
              (status = 422, description = "An unreadable month or week", content_type = "text/html")))]
async fn profile_calendar_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    let p = calendar_view(&state, &current, Some(&handle), &q, None).await?;
    Ok(render(&p)?.into_response())
}

/// The content calendar across every shared profile the viewer belongs
/// to, in UTC.
#[utoipa::path(get, path = "/calendar", tag = "web", operation_id = "page_calendar",
    params(CalendarQuery),
    responses((status = 200, description = "Calendar page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 422, description = "An unreadable month or week", content_type = "text/html")))]
async fn calendar_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    let p = calendar_view(&state, &current, None, &q, None).await?;
    Ok(render(&p)?.into_response())
}

/// A new due minute.
#[derive(Deserialize, ToSchema)]
pub struct RescheduleForm {
    csrf_token: String,
    /// Wall-clock minute in the profile's zone, `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    at: String,
}

/// Moves a scheduled publication to a new minute (what dragging on the
/// calendar posts): its current version is scheduled again.
#[utoipa::path(post, path = "/profiles/{handle}/publications/{id}/reschedule", tag = "web", operation_id = "page_publication_reschedule",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    request_body(content = RescheduleForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Moved: to the calendar"),
              (status = 403, description = "Not acting as the profile, may not speak as it, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such publication, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the calendar says why", content_type = "text/html")))]
async fn reschedule_publication(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<RescheduleForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let v = publishing::get(&state, &current, &handle, id).await?;
    // The calendar of the month it was moved to.
    let month =
        f.at.get(..7)
            .filter(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_ok());
    let q = CalendarQuery {
        month: month.map(str::to_owned),
        ..CalendarQuery::default()
    };
    match publishing::schedule(&state, &current, &handle, id, v.row.version, &f.at).await {
        Ok(_) => {
            let back = month.map(|m| format!("?month={m}")).unwrap_or_default();
            Ok(Redirect::to(&format!("/profiles/{handle}/calendar{back}")).into_response())
        }
        Err(e) => {
            let (status, why) = refusal(e)?;
            let p = calendar_view(&state, &current, Some(&handle), &q, Some(why)).await?;
            Ok((status, render(&p)?).into_response())
        }
    }
}
