//! Publishing: a shared profile's planned words for its channels, from
//! draft through review (tiers of approvals the profile sets), schedule in
//! the profile's zone, and release by the job runner at the due minute.
//! Scheduling and release are speech: both go through the one speak
//! function, so a publication carries the byline of whoever committed the
//! profile to it, and the audit log records every step.

use crate::jobs::{Handlers, JobFailure, JobOutcome};
use crate::shared_profiles::shared;
use crate::{App, Caller, Error, now};
use byline_core::Timestamp;
use byline_core::campaign;
use byline_core::channel::ChannelKind;
use byline_core::policy::{Action, authorize};
use byline_core::publication::{
    self as rules, Approval, ApprovalRules, ApprovalStanding, Progress, Status, Step,
};
use byline_core::shared_profile::ProfileRole;
use byline_store::channels::ChannelRow;
use byline_store::jobs::ClaimedJob;
use byline_store::profiles::Profile;
use byline_store::publishing::{
    ApprovalRow, CalendarRow, Draft, NewVariant, NoteRow, Outgoing, PublicationRow, Release,
    Schedule, SettingsRow, StepRecord, VariantRow,
};
use byline_store::speak::{Spoken, Utterance, Voice};
use chrono_tz::Tz;

/// How long before its due minute a publication is checked for a channel
/// or credentials that went missing, so its people hear in time.
pub const CHECK_AHEAD_SECS: i64 = 15 * 60;

/// A profile's publishing settings, read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The zone schedules are typed and shown in.
    pub zone: Tz,
    /// Its approval rules.
    pub rules: ApprovalRules,
    /// The webhook channel that hears its publishing steps, if any.
    pub events_channel: Option<i64>,
}

async fn settings_of(app: &App, profile_id: i64) -> Result<Settings, Error> {
    match app.store.publishing().settings(profile_id).await? {
        Some(row) => Ok(Settings {
            zone: row
                .time_zone
                .parse()
                .map_err(|_| Error::Internal(format!("stored zone '{}'", row.time_zone)))?,
            rules: serde_json::from_str(&row.approval_rules)
                .map_err(|e| Error::Internal(format!("stored approval rules: {e}")))?,
            events_channel: row.events_channel_id,
        }),
        // UTC and one owner's approval until an owner says otherwise.
        None => Ok(Settings {
            zone: Tz::UTC,
            rules: ApprovalRules::starting(),
            events_channel: None,
        }),
    }
}

/// The profile and the caller's role, when they may follow its publishing.
pub(crate) async fn member(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Option<ProfileRole>), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    // Unpublished work is the members' business only: others learn nothing.
    authorize(Some(&by.actor()), Action::SeePublications { role }).map_err(|_| Error::NotFound)?;
    Ok((profile, role))
}

/// A profile's publishing settings (members).
pub async fn settings(app: &App, by: &Caller, handle: &str) -> Result<Settings, Error> {
    let (profile, _) = member(app, by, handle).await?;
    settings_of(app, profile.id).await
}

/// One tier as people name it: roles and members' handles.
#[derive(Debug, Clone, Default)]
pub struct TierInput {
    /// Approvals it needs.
    pub approvals: u8,
    /// Roles that may approve.
    pub roles: Vec<String>,
    /// Members (personal handles) who may approve.
    pub people: Vec<String>,
}

/// A profile's approval tiers with people named by handle.
pub async fn named_tiers(
    app: &App,
    profile_id: i64,
    rules: &ApprovalRules,
) -> Result<Vec<TierInput>, Error> {
    let members = app
        .store
        .shared_profiles()
        .profile_members(profile_id)
        .await?;
    Ok(rules
        .tiers
        .iter()
        .map(|t| TierInput {
            approvals: t.approvals,
            roles: t.roles.clone(),
            people: t
                .people
                .iter()
                .map(|u| {
                    members
                        .iter()
                        .find(|m| m.user_id == *u)
                        .map_or_else(|| format!("user {u}"), |m| m.handle.clone())
                })
                .collect(),
        })
        .collect())
}

/// Sets a profile's zone, approval rules and events webhook (owners);
/// people are named by their handles and must be members; the webhook is
/// one of the profile's connected webhook channels.
pub async fn save_settings(
    app: &App,
    by: &Caller,
    handle: &str,
    zone: &str,
    tiers: &[TierInput],
    events_channel: Option<i64>,
) -> Result<Settings, Error> {
    let (profile, role) = member(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::SetApprovalRules { role })?;
    let zone = byline_core::roster::parse_zone(zone)?;
    if let Some(id) = events_channel {
        let refused = || {
            Error::Invalid(format!(
                "channel {id} is not one of this profile's connected webhook channels, which are the ones that can hear its publishing events"
            ))
        };
        match app.store.channels().channel(id).await {
            Ok(c) if c.profile_id == profile.id && c.kind == "webhook" => {}
            Ok(_) | Err(byline_store::StoreError::NotFound) => return Err(refused()),
            Err(e) => return Err(e.into()),
        }
    }
    let listed = app
        .store
        .shared_profiles()
        .profile_members(profile.id)
        .await?;
    let mut rules = ApprovalRules::default();
    for (i, t) in tiers.iter().enumerate() {
        let mut people = Vec::with_capacity(t.people.len());
        for h in &t.people {
            let h = h.trim().trim_start_matches('@');
            let m = listed.iter().find(|m| m.handle == h).ok_or_else(|| {
                Error::Invalid(format!(
                    "tier {}: @{h} is not a member of this profile",
                    i + 1
                ))
            })?;
            people.push(m.user_id);
        }
        rules.tiers.push(rules::Tier {
            approvals: t.approvals,
            roles: t.roles.iter().map(|r| r.trim().to_owned()).collect(),
            people,
        });
    }
    let members: Vec<(i64, ProfileRole)> = listed
        .into_iter()
        .filter_map(|m| ProfileRole::parse(&m.role).map(|r| (m.user_id, r)))
        .collect();
    rules.validate(&members)?;
    let rules = &rules;
    let json = serde_json::to_string(rules).map_err(|e| Error::Internal(e.to_string()))?;
    let mut audit = by.audit("publication.rules", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    audit.details =
        serde_json::json!({ "rules": rules, "events_channel": events_channel }).to_string();
    app.store
        .publishing()
        .save_settings(
            profile.id,
            &SettingsRow {
                time_zone: zone.name().to_owned(),
                approval_rules: json,
                events_channel_id: events_channel,
            },
            by.user.id,
            &audit,
            now(),
        )
        .await?;
    settings_of(app, profile.id).await
}

/// What a writer fills in: a title, a campaign, and words per channel.
#[derive(Debug, Clone, Default)]
pub struct PublicationInput {
    /// Working title.
    pub title: String,
    /// Its campaign, if one.
    pub campaign_id: Option<i64>,
    /// Its words per channel.
    pub variants: Vec<VariantInput>,
}

/// One channel's words.
#[derive(Debug, Clone, Default)]
pub struct VariantInput {
    /// The channel.
    pub channel_id: i64,
    /// Subject line (e-mail).
    pub subject: String,
    /// The words.
    pub body: String,
}

struct Checked {
    title: String,
    campaign_id: Option<i64>,
    variants: Vec<(i64, String, String)>,
}

async fn check_input(
    app: &App,
    profile: &Profile,
    input: &PublicationInput,
) -> Result<Checked, Error> {
    let title = rules::validate_title(&input.title)?;
    if let Some(c) = input.campaign_id {
        let campaign = app
            .store
            .publishing()
            .campaign(c)
            .await
            .map_err(|_| unknown_campaign(c))?;
        if campaign.profile_id != profile.id {
            return Err(unknown_campaign(c));
        }
    }
    if input.variants.is_empty() {
        return Err(Error::Invalid(
            "choose at least one channel to publish through".into(),
        ));
    }
    let channels = app.store.channels().channels(profile.id).await?;
    let mut variants = Vec::with_capacity(input.variants.len());
    for v in &input.variants {
        let Some(channel) = channels.iter().find(|c| c.id == v.channel_id) else {
            return Err(Error::Invalid(format!(
                "channel {} is not one of this profile's connected channels",
                v.channel_id
            )));
        };
        if variants.iter().any(|(id, _, _)| *id == v.channel_id) {
            return Err(Error::Invalid(format!(
                "'{}' has two variants: write one per channel",
                channel.name
            )));
        }
        let kind = kind_of(channel)?;
        let (subject, body) = rules::validate_variant(kind, &channel.name, &v.subject, &v.body)?;
        variants.push((v.channel_id, subject, body));
    }
    Ok(Checked {
        title,
        campaign_id: input.campaign_id,
        variants,
    })
}

fn unknown_campaign(id: i64) -> Error {
    Error::Invalid(format!("campaign {id} is not one of this profile's"))
}

fn kind_of(channel: &ChannelRow) -> Result<ChannelKind, Error> {
    ChannelKind::parse(&channel.kind)
        .map_err(|e| Error::Internal(format!("stored channel {}: {e}", channel.id)))
}

fn status_of(row: &PublicationRow) -> Result<Status, Error> {
    Status::parse(&row.status)
        .ok_or_else(|| Error::Internal(format!("stored publication status '{}'", row.status)))
}

/// Writes a new draft (owners and editors).
pub async fn create(
    app: &App,
    by: &Caller,
    handle: &str,
    input: &PublicationInput,
) -> Result<PublicationRow, Error> {
    let (profile, role) = member(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::WritePublication { role })?;
    app.limits.check(crate::limits::Limit::Write, by)?;
    let checked = check_input(app, &profile, input).await?;
    let variants = new_variants(&checked);
    let mut audit = by.audit("publication.create", String::new());
    audit.profile_id = Some(profile.id);
    let id = app
        .store
        .publishing()
        .create(
            profile.id,
            by.user.id,
            &Draft {
                title: &checked.title,
                campaign_id: checked.campaign_id,
                variants: &variants,
            },
            &audit,
            now(),
        )
        .await?;
    Ok(app.store.publishing().publication(id).await?)
}

fn new_variants(checked: &Checked) -> Vec<NewVariant<'_>> {
    checked
        .variants
        .iter()
        .map(|(channel_id, subject, body)| NewVariant {
            channel_id: *channel_id,
            subject,
            body,
        })
        .collect()
}

/// A publication with everything its page shows.
#[derive(Debug, Clone)]
pub struct PublicationView {
    /// The profile.
    pub profile: Profile,
    /// Its row.
    pub row: PublicationRow,
    /// Its status.
    pub status: Status,
    /// Its words per channel.
    pub variants: Vec<VariantRow>,
    /// Approvals of this version.
    pub approvals: Vec<ApprovalRow>,
    /// Comments and history.
    pub notes: Vec<NoteRow>,
    /// Where review stands.
    pub progress: Progress,
    /// The profile's settings.
    pub settings: Settings,
    /// What the viewer may do now.
    pub may: May,
    /// The writer's handle.
    pub writer: String,
    /// The campaign's name.
    pub campaign: Option<String>,
}

/// What a viewer may do with a publication now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct May {
    /// Change its words.
    pub edit: bool,
    /// Send it for review.
    pub submit: bool,
    /// Approve it.
    pub approve: bool,
    /// Send it back.
    pub reject: bool,
    /// Give it its due minute.
    pub schedule: bool,
    /// Take it off the schedule.
    pub unschedule: bool,
}

async fn load(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
) -> Result<(Profile, Option<ProfileRole>, PublicationRow), Error> {
    let (profile, role) = member(app, by, handle).await?;
    let row = app.store.publishing().publication(id).await?;
    if row.profile_id != profile.id {
        return Err(Error::NotFound);
    }
    Ok((profile, role, row))
}

fn approvals_of(rows: &[ApprovalRow]) -> Vec<Approval> {
    rows.iter()
        .map(|a| Approval {
            user_id: a.user_id,
            tier: usize::try_from(a.tier).unwrap_or(usize::MAX),
        })
        .collect()
}

/// One publication (members).
pub async fn get(app: &App, by: &Caller, handle: &str, id: i64) -> Result<PublicationView, Error> {
    let (profile, role, row) = load(app, by, handle, id).await?;
    let status = status_of(&row)?;
    let settings = settings_of(app, profile.id).await?;
    let store = app.store.publishing();
    let variants = store.variants(id).await?;
    let approvals = store.approvals(id, row.version).await?;
    let notes = store.notes(id).await?;
    let given = approvals_of(&approvals);
    let progress = rules::progress(&settings.rules, &given);
    let me = by.actor();
    let writes = authorize(Some(&me), Action::WritePublication { role }).is_ok();
    let stand = rules::standing(&settings.rules, &given, row.written_by, by.user.id, role);
    let reviews = reviewer(by, role, &stand);
    let may = May {
        edit: writes && status.editable(),
        submit: writes && status == Status::Draft,
        approve: status == Status::InReview && reviews,
        reject: matches!(status, Status::InReview | Status::Approved)
            && (reviews || (role == Some(ProfileRole::Owner) && row.written_by != by.user.id)),
        schedule: writes && matches!(status, Status::Approved | Status::Scheduled),
        unschedule: writes && status == Status::Scheduled,
    };
    let writer = app
        .store
        .profiles()
        .personal_profile_of(row.written_by)
        .await
        .map(|p| p.handle)
        .unwrap_or_default();
    let campaign = match row.campaign_id {
        Some(c) => Some(store.campaign(c).await?.name),
        None => None,
    };
    Ok(PublicationView {
        profile,
        status,
        variants,
        approvals,
        notes,
        progress,
        settings,
        may,
        writer,
        campaign,
        row,
    })
}

fn reviewer(by: &Caller, role: Option<ProfileRole>, stand: &ApprovalStanding) -> bool {
    authorize(
        Some(&by.actor()),
        Action::ReviewPublication {
            role,
            writer: stand.writer,
            already: stand.already,
            eligible: stand.tier.is_some(),
        },
    )
    .is_ok()
}

/// A profile's publications, latest change first (members).
pub async fn list(
    app: &App,
    by: &Caller,
    handle: &str,
    status: Option<&str>,
    limit: i64,
) -> Result<(Profile, Vec<PublicationRow>), Error> {
    let (profile, _) = member(app, by, handle).await?;
    if let Some(s) = status
        && Status::parse(s).is_none()
    {
        return Err(Error::Invalid(format!(
            "unknown status '{s}': use draft, in_review, approved, scheduled, publishing, published, failed or rejected"
        )));
    }
    let rows = app
        .store
        .publishing()
        .publications(profile.id, status, limit.clamp(1, 200))
        .await?;
    Ok((profile, rows))
}

/// Changes a publication's words (owners and editors): a new version, back
/// to review when it had been approved or scheduled.
pub async fn edit(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    version: i64,
    input: &PublicationInput,
) -> Result<PublicationRow, Error> {
    let (profile, role, row) = load(app, by, handle, id).await?;
    authorize(Some(&by.actor()), Action::WritePublication { role })?;
    let from = status_of(&row)?;
    let to = rules::next(from, Step::Edit)?;
    if row.version != version {
        return Err(Error::Invalid(
            "the publication changed since you opened it: reload it and edit again".into(),
        ));
    }
    let checked = check_input(app, &profile, input).await?;
    let variants = new_variants(&checked);
    let mut audit = by.audit("publication.edit", format!("publication:{id}"));
    audit.profile_id = Some(profile.id);
    app.store
        .publishing()
        .edit(
            id,
            version,
            from.as_str(),
            to.as_str(),
            &Draft {
                title: &checked.title,
                campaign_id: checked.campaign_id,
                variants: &variants,
            },
            by.user.id,
            &audit,
            now(),
        )
        .await?;
    Ok(app.store.publishing().publication(id).await?)
}

/// The users who may approve in the tier waiting now (never the writer).
async fn reviewers_now(
    app: &App,
    profile_id: i64,
    rules: &ApprovalRules,
    given: &[Approval],
    writer: i64,
) -> Result<Vec<i64>, Error> {
    let Progress::Waiting { tier, .. } = rules::progress(rules, given) else {
        return Ok(Vec::new());
    };
    let members = app
        .store
        .shared_profiles()
        .profile_members(profile_id)
        .await?;
    Ok(members
        .into_iter()
        .filter(|m| {
            m.user_id != writer
                && !given.iter().any(|a| a.user_id == m.user_id)
                && rules.tiers[tier].admits(m.user_id, ProfileRole::parse(&m.role))
        })
        .map(|m| m.user_id)
        .collect())
}

/// Sends a draft for review (owners and editors); approved at once when
/// the profile asks for no approvals.
pub async fn submit(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
) -> Result<PublicationRow, Error> {
    let (profile, role, row) = load(app, by, handle, id).await?;
    authorize(Some(&by.actor()), Action::WritePublication { role })?;
    let from = status_of(&row)?;
    let mut to = rules::next(from, Step::Submit)?;
    let settings = settings_of(app, profile.id).await?;
    if rules::progress(&settings.rules, &[]) == Progress::Complete {
        to = Status::Approved;
    }
    let reviewers = reviewers_now(app, profile.id, &settings.rules, &[], row.written_by).await?;
    let mut audit = by.audit("publication.submitted", format!("publication:{id}"));
    audit.profile_id = Some(profile.id);
    app.store
        .publishing()
        .step(
            id,
            &StepRecord {
                from: from.as_str(),
                to: to.as_str(),
                event: "submitted",
                detail: "",
                user_id: by.user.id,
                audit: &audit,
                notify: (&reviewers, "publication_submitted"),
                actor_profile_id: by.user.profile_id,
            },
            now(),
        )
        .await?;
    Ok(app.store.publishing().publication(id).await?)
}

/// Approves the version `version` in the tier waiting now (a member the
/// tier admits, never the writer, once per version).
pub async fn approve(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    version: i64,
) -> Result<PublicationRow, Error> {
    let (profile, role, row) = load(app, by, handle, id).await?;
    let from = status_of(&row)?;
    let settings = settings_of(app, profile.id).await?;
    let given = approvals_of(&app.store.publishing().approvals(id, row.version).await?);
    let stand = rules::standing(&settings.rules, &given, row.written_by, by.user.id, role);
    rules::next(
        from,
        Step::Approve {
            complete: stand.completes,
        },
    )?;
    if row.version != version {
        return Err(Error::Invalid(
            "the publication changed since you opened it: review the new version".into(),
        ));
    }
    if stand.writer {
        return Err(Error::Forbidden);
    }
    if stand.already {
        return Err(Error::Invalid(
            "you have already approved this version".into(),
        ));
    }
    if !reviewer(by, role, &stand) {
        return Err(Error::Forbidden);
    }
    let tier = stand.tier.ok_or(Error::Forbidden)?;
    // The writer hears when it is approved; the next tier's reviewers hear
    // that it waits for them.
    let mut after = given.clone();
    after.push(Approval {
        user_id: by.user.id,
        tier,
    });
    let (notify, kind) = if stand.completes {
        (vec![row.written_by], "publication_approved")
    } else {
        let next_tier = match rules::progress(&settings.rules, &after) {
            Progress::Waiting { tier: t, .. } if t != tier => {
                reviewers_now(app, profile.id, &settings.rules, &after, row.written_by).await?
            }
            _ => Vec::new(),
        };
        (next_tier, "publication_submitted")
    };
    let mut audit = by.audit("publication.approved", format!("publication:{id}"));
    audit.profile_id = Some(profile.id);
    audit.details = format!("{{\"tier\":{},\"version\":{version}}}", tier + 1);
    app.store
        .publishing()
        .approve(
            id,
            version,
            i64::try_from(tier).unwrap_or(0),
            stand.completes,
            by.user.id,
            (&notify, kind),
            by.user.profile_id,
            &audit,
            now(),
        )
        .await?;
    Ok(app.store.publishing().publication(id).await?)
}

/// Sends a publication back to its writer with a reason (a reviewer the
/// waiting tier admits, or an owner who did not write it).
pub async fn reject(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    reason: &str,
) -> Result<PublicationRow, Error> {
    let (profile, role, row) = load(app, by, handle, id).await?;
    let from = status_of(&row)?;
    let to = rules::next(from, Step::Reject)?;
    let reason = rules::validate_reason(reason)?;
    let settings = settings_of(app, profile.id).await?;
    let given = approvals_of(&app.store.publishing().approvals(id, row.version).await?);
    let stand = rules::standing(&settings.rules, &given, row.written_by, by.user.id, role);
    let owner = role == Some(ProfileRole::Owner) && !stand.writer;
    if !(owner || reviewer(by, role, &stand)) {
        return Err(Error::Forbidden);
    }
    let mut audit = by.audit("publication.rejected", format!("publication:{id}"));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "reason": reason }).to_string();
    app.store
        .publishing()
        .step(
            id,
            &StepRecord {
                from: from.as_str(),
                to: to.as_str(),
                event: "rejected",
                detail: &reason,
                user_id: by.user.id,
                audit: &audit,
                notify: (&[row.written_by], "publication_rejected"),
                actor_profile_id: by.user.profile_id,
            },
            now(),
        )
        .await?;
    Ok(app.store.publishing().publication(id).await?)
}

/// Comments on a publication (members).
pub async fn comment(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    text: &str,
) -> Result<(), Error> {
    let (_, _, row) = load(app, by, handle, id).await?;
    let text = rules::validate_comment(text)?;
    app.limits.check(crate::limits::Limit::Write, by)?;
    Ok(app
        .store
        .publishing()
        .comment(row.id, by.user.id, &text, now())
        .await?)
}

/// Schedules an approved publication at a wall-clock minute in the
/// profile's zone: speech, so it needs the caller acting as the profile
/// (role, shift and session checked by the speak function).
pub async fn schedule(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    version: i64,
    local: &str,
) -> Result<PublicationRow, Error> {
    schedule_at(app, by, handle, id, version, local, now()).await
}

/// [`schedule`] as of `at` (the demo seeder's past).
pub async fn schedule_at(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    version: i64,
    local: &str,
    at: Timestamp,
) -> Result<PublicationRow, Error> {
    let (profile, role, row) = load(app, by, handle, id).await?;
    authorize(Some(&by.actor()), Action::WritePublication { role })?;
    rules::next(status_of(&row)?, Step::Schedule)?;
    if row.version != version {
        return Err(Error::Invalid(
            "the publication changed since it was approved: it needs review again".into(),
        ));
    }
    let settings = settings_of(app, profile.id).await?;
    let due = rules::due_minute(settings.zone, local, at)?;
    for v in app.store.publishing().variants(id).await? {
        if !v.connected {
            return Err(Error::Invalid(format!(
                "the channel '{}' was disconnected: edit the publication to choose its channels again",
                v.channel_name
            )));
        }
    }
    let voice = crate::acting::voice_at(app, by, &profile.handle, at).await?;
    let schedule = Schedule {
        publication_id: id,
        version,
        due_at: due,
        check_at: Timestamp((due.micros() - CHECK_AHEAD_SECS * 1_000_000).max(at.micros())),
    };
    match app
        .store
        .speak(&voice, Utterance::Schedule(&schedule), at)
        .await?
    {
        Spoken::Scheduled => {}
        other => {
            return Err(Error::Internal(format!(
                "unexpected outcome of speaking: {other:?}"
            )));
        }
    }
    Ok(app.store.publishing().publication(id).await?)
}

/// Takes a scheduled publication off the schedule (owners and editors);
/// it stays approved.
pub async fn unschedule(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
) -> Result<PublicationRow, Error> {
    let (profile, role, row) = load(app, by, handle, id).await?;
    authorize(Some(&by.actor()), Action::WritePublication { role })?;
    let from = status_of(&row)?;
    let to = rules::next(from, Step::Unschedule)?;
    let mut audit = by.audit("publication.unscheduled", format!("publication:{id}"));
    audit.profile_id = Some(profile.id);
    app.store
        .publishing()
        .step(
            id,
            &StepRecord {
                from: from.as_str(),
                to: to.as_str(),
                event: "unscheduled",
                detail: "",
                user_id: by.user.id,
                audit: &audit,
                notify: (&[], "publication_submitted"),
                actor_profile_id: by.user.profile_id,
            },
            now(),
        )
        .await?;
    Ok(app.store.publishing().publication(id).await?)
}

/// A content calendar: the publications of the profiles `by` belongs to
/// (or of one) due in `[from, to)`.
pub async fn calendar(
    app: &App,
    by: &Caller,
    handle: Option<&str>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<CalendarRow>, Error> {
    if to.micros() <= from.micros() || to.micros() - from.micros() > 62 * 86_400_000_000 {
        return Err(Error::Invalid(
            "a calendar shows at most 62 days, ending after it starts".into(),
        ));
    }
    let profiles = match handle {
        Some(h) => vec![member(app, by, h).await?.0.id],
        None => app
            .store
            .shared_profiles()
            .memberships_of(by.user.id, None)
            .await?
            .into_iter()
            .map(|m| m.profile_id)
            .collect(),
    };
    Ok(app.store.publishing().calendar(&profiles, from, to).await?)
}

/// The payload of a publication's jobs.
fn job_target(job: &ClaimedJob) -> Result<(i64, Timestamp), JobFailure> {
    let v: serde_json::Value = serde_json::from_str(&job.payload)
        .map_err(|_| JobFailure::GiveUp("a publication job without its payload".into()))?;
    let id = v.get("publication").and_then(serde_json::Value::as_i64);
    let due = v.get("due").and_then(serde_json::Value::as_i64);
    match (id, due) {
        (Some(id), Some(due)) => Ok((id, Timestamp(due))),
        _ => Err(JobFailure::GiveUp(
            "a publication job without its publication".into(),
        )),
    }
}

/// Why a scheduled publication cannot be sent, if it cannot.
async fn unsendable(app: &App, row: &PublicationRow) -> Result<Option<String>, Error> {
    for v in app.store.publishing().variants(row.id).await? {
        if !v.connected {
            return Ok(Some(format!(
                "the channel '{}' was disconnected",
                v.channel_name
            )));
        }
        let channel = app.store.channels().channel(v.channel_id).await?;
        let kind = kind_of(&channel)?;
        if kind != ChannelKind::Feed {
            let present = match channel.secret_id {
                Some(s) => match app.store.vault().secret(channel.profile_id, s).await {
                    Ok(_) => true,
                    Err(byline_store::StoreError::NotFound) => false,
                    Err(e) => return Err(e.into()),
                },
                None => false,
            };
            if !present {
                return Ok(Some(format!(
                    "the credentials of '{}' are missing from the vault",
                    channel.name
                )));
            }
        }
    }
    Ok(None)
}

/// Checks, ahead of its due minute, that a publication can still be sent;
/// fails it at once (and tells its people) when it cannot.
pub async fn check(app: &App, id: i64, due: Timestamp) -> JobOutcome {
    let retry = |e: Error| JobFailure::Retry(e.to_string());
    let row = match app.store.publishing().publication(id).await {
        Ok(r) => r,
        Err(byline_store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(retry(e.into())),
    };
    if row.status != Status::Scheduled.as_str() || row.due_at != Some(due.micros()) {
        return Ok(());
    }
    if let Some(why) = unsendable(app, &row).await.map_err(retry)? {
        app.store
            .publishing()
            .fail_scheduled(id, due, &why, now())
            .await
            .map_err(|e| retry(e.into()))?;
    }
    Ok(())
}

/// Releases a publication at its due minute: tags its links for its
/// campaign, then speaks the release (one delivery per channel) under the
/// schedule's byline. A second run (another process, or a restart after
/// the commit) finds it released and sends nothing again.
pub async fn release(app: &App, id: i64, due: Timestamp) -> JobOutcome {
    let retry = |e: Error| JobFailure::Retry(e.to_string());
    let row = match app.store.publishing().publication(id).await {
        Ok(r) => r,
        Err(byline_store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(retry(e.into())),
    };
    if row.status != Status::Scheduled.as_str() || row.due_at != Some(due.micros()) {
        return Ok(());
    }
    if let Some(why) = unsendable(app, &row).await.map_err(retry)? {
        app.store
            .publishing()
            .fail_scheduled(id, due, &why, now())
            .await
            .map_err(|e| retry(e.into()))?;
        return Ok(());
    }
    let (Some(scheduler), Some(session)) = (row.scheduled_by, row.acting_session_id) else {
        return Err(JobFailure::GiveUp(format!(
            "publication {id} is scheduled without its byline"
        )));
    };
    let variants = app
        .store
        .publishing()
        .variants(id)
        .await
        .map_err(|e| retry(e.into()))?;
    let mut texts = Vec::with_capacity(variants.len());
    for v in &variants {
        let body = tag_links(app, &row, v).await.map_err(retry)?;
        let title = if v.subject.is_empty() {
            row.title.clone()
        } else {
            v.subject.clone()
        };
        texts.push((v.channel_id, title, body));
    }
    let outgoing: Vec<Outgoing<'_>> = texts
        .iter()
        .map(|(channel_id, title, body)| Outgoing {
            channel_id: *channel_id,
            title,
            body,
        })
        .collect();
    let source = row.source_address.clone().unwrap_or_default();
    let voice = Voice::new(scheduler, row.profile_id, session, &source).releasing(id);
    let release = Release {
        publication_id: id,
        due_at: due,
        outgoing: &outgoing,
    };
    match app
        .store
        .speak(&voice, Utterance::Release(&release), now())
        .await
    {
        Ok(_) => Ok(()),
        Err(byline_store::StoreError::SpeechRefused(_)) => {
            // The scheduler may no longer say it (removed, demoted,
            // deactivated): it fails, and its people hear why.
            app.store
                .publishing()
                .fail_scheduled(
                    id,
                    due,
                    "the member who scheduled it may no longer publish as this profile",
                    now(),
                )
                .await
                .map_err(|e| retry(e.into()))?;
            Ok(())
        }
        Err(byline_store::StoreError::Refused(why)) => {
            app.store
                .publishing()
                .fail_scheduled(id, due, &why, now())
                .await
                .map_err(|e| retry(e.into()))?;
            Ok(())
        }
        Err(e) => Err(retry(e.into())),
    }
}

/// A variant's words with its links tagged for the publication's campaign
/// (UTM parameters) and shortened to counted short links.
async fn tag_links(app: &App, row: &PublicationRow, v: &VariantRow) -> Result<String, Error> {
    let Some(campaign_id) = row.campaign_id else {
        return Ok(v.body.clone());
    };
    let c = app.store.publishing().campaign(campaign_id).await?;
    let utm = campaign::Utm {
        source: campaign::slug(&v.channel_name),
        medium: v.channel_kind.clone(),
        campaign: campaign::slug(&c.name),
    };
    let mut targets = Vec::new();
    for (start, end) in campaign::find_links(&v.body) {
        if let Some(tagged) = campaign::with_utm(&v.body[start..end], &utm) {
            let code = campaign::new_short_code(&mut rand::rng());
            targets.push((code, tagged));
        }
    }
    if targets.is_empty() {
        return Ok(v.body.clone());
    }
    let codes = app
        .store
        .publishing()
        .short_links(row.id, v.channel_id, Some(campaign_id), &targets, now())
        .await?;
    let base = app.settings.channels.base_url();
    let mut next = codes.into_iter();
    Ok(campaign::rewrite_links(&v.body, |url| {
        campaign::with_utm(url, &utm)
            .and_then(|_| next.next())
            .map(|code| format!("{base}/r/{code}"))
    }))
}

/// Adds the publishing jobs' handlers.
pub fn job_handlers(handlers: Handlers) -> Handlers {
    handlers
        .on(
            byline_store::publishing::RELEASE_JOB,
            |app: App, job: ClaimedJob| async move {
                let (id, due) = job_target(&job)?;
                release(&app, id, due).await
            },
        )
        .on(
            byline_store::publishing::CHECK_JOB,
            |app: App, job: ClaimedJob| async move {
                let (id, due) = job_target(&job)?;
                check(&app, id, due).await
            },
        )
        .on(
            byline_store::publishing::EVENT_JOB,
            |app: App, job: ClaimedJob| async move {
                let step = serde_json::from_str::<serde_json::Value>(&job.payload)
                    .ok()
                    .and_then(|v| v["event"].as_i64())
                    .ok_or_else(|| JobFailure::GiveUp(format!("payload {}", job.payload)))?;
                tell_step(&app, step).await
            },
        )
}

/// Tells the profile's events webhook of one publishing step
/// (`publication.submitted`, …): what happened, to which publication and
/// its status now. Never who took the step: the webhook is outside the
/// network, and like a syndicated feed it names the profile, not the
/// person behind a byline, whatever the profile's policy. The step's id is the same on every attempt,
/// so a receiver acts on each once.
pub async fn tell_step(app: &App, step: i64) -> JobOutcome {
    let e = match app.store.publishing().step_event(step).await {
        Ok(e) => e,
        Err(byline_store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(JobFailure::Retry(e.to_string())),
    };
    // The owners may have turned the events off since.
    let Some(channel) = e.events_channel_id else {
        return Ok(());
    };
    let data = serde_json::json!({
        "step": e.id,
        "publication": e.publication_id.to_string(),
        "title": e.title,
        "status": e.status,
        "detail": e.detail,
        "at": byline_core::Timestamp(e.at).to_rfc3339(),
    });
    let event = format!("publication.{}", e.event);
    match crate::channels::tell_webhook(app, channel, &event, data).await {
        Ok(_) => Ok(()),
        Err(t) if t.permanent => Err(JobFailure::GiveUp(format!("{}: {}", t.status, t.message))),
        Err(t) => Err(JobFailure::Retry(format!("{}: {}", t.status, t.message))),
    }
}
