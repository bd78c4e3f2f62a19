//! Reports and the moderation queue. Anyone reports what they can see; a
//! second report of the same thing joins the open one, and the same person
//! reporting again replaces their reason. Something the reporter cannot
//! see is "not found", exactly as for something that does not exist.
//! Organisation moderators (admins) see every open report; a community's
//! moderators see those about posts in their communities. Every filing and
//! every step is an audit event.

use crate::limits::Limit;
use crate::{App, Caller, Error, now};
use byline_core::moderation::{self, Reason, Status, Step, Target};
use byline_core::policy::{Action, authorize};
use byline_store::StoreError;
use byline_store::moderation::{Closing, Filing, FilingRow, MyFiling, ReportRow};

/// What filing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filed {
    /// The report it joined or opened.
    pub report_id: i64,
    /// Whether the reporter had filed it before (their reason replaced).
    pub again: bool,
}

fn hidden(e: StoreError) -> Error {
    match e {
        StoreError::NotFound => Error::NotFound,
        other => other.into(),
    }
}

/// Where a reported thing lives, checking the reporter can see it: the
/// community of a post (its moderators may act), if any.
async fn visible(app: &App, by: &Caller, target: Target) -> Result<Option<i64>, Error> {
    let viewer = by.user.profile_id;
    match target {
        Target::Post(id) => {
            let post = app
                .store
                .posts()
                .post_for(id, viewer)
                .await
                .map_err(hidden)?;
            if post.deleted_at.is_some() {
                return Err(Error::NotFound);
            }
            Ok(post.community_id)
        }
        Target::Message(id) => app
            .store
            .moderation()
            .received_message(id, viewer)
            .await?
            .map(|_| None)
            .ok_or(Error::NotFound),
        Target::Profile(id) => {
            app.store
                .profiles()
                .profile_by_id(id)
                .await
                .map_err(hidden)?;
            Ok(None)
        }
        Target::Community(id) => {
            let c = app
                .store
                .communities()
                .community_by_id(id, viewer)
                .await
                .map_err(hidden)?;
            authorize(Some(&by.actor()), Action::SeeCommunity(c.standing()))
                .map_err(|_| Error::NotFound)?;
            Ok(None)
        }
    }
}

/// Reports `kind` `id` (a post, a message one received, a profile or a
/// community) with a reason and a note; `other` needs a note.
pub async fn file(
    app: &App,
    by: &Caller,
    kind: &str,
    id: i64,
    reason: &str,
    note: &str,
) -> Result<Filed, Error> {
    authorize(Some(&by.actor()), Action::Report)?;
    let target = Target::parse(kind, id)?;
    let reason = Reason::parse(reason)?;
    let note = moderation::note(
        note,
        (reason == Reason::Other).then_some("say what is wrong: the reason given is 'other'"),
    )?;
    app.limits.check(Limit::Write, by)?;
    let community_id = visible(app, by, target).await?;
    let mut audit = by.audit("report.file", String::new());
    audit.details =
        serde_json::json!({ "kind": target.kind(), "id": target.id(), "reason": reason.as_str() })
            .to_string();
    let (report_id, again) = app
        .store
        .moderation()
        .file_report(
            &Filing {
                target_kind: target.kind(),
                target_id: target.id(),
                community_id,
                reporter_profile_id: by.user.profile_id,
                reason: reason.as_str(),
                note: &note,
            },
            &audit,
            now(),
        )
        .await?;
    Ok(Filed { report_id, again })
}

/// The caller's own reports, newest first, with what became of each.
pub async fn mine(app: &App, by: &Caller) -> Result<Vec<MyFiling>, Error> {
    authorize(Some(&by.actor()), Action::Report)?;
    Ok(app
        .store
        .moderation()
        .my_filings(by.user.profile_id, 200)
        .await?)
}

/// The communities whose reports the caller may act on (`None`: all, an
/// organisation moderator).
async fn scope(app: &App, by: &Caller) -> Result<Option<Vec<i64>>, Error> {
    let communities = app
        .store
        .moderation()
        .moderated_communities(by.user.profile_id)
        .await?;
    authorize(
        Some(&by.actor()),
        Action::SeeModeration {
            moderates_a_community: !communities.is_empty(),
        },
    )?;
    let everything = authorize(
        Some(&by.actor()),
        Action::ModerateReport { community: None },
    )
    .is_ok();
    Ok((!everything).then_some(communities))
}

/// The open reports the caller may act on, oldest first.
pub async fn queue(app: &App, by: &Caller) -> Result<Vec<ReportRow>, Error> {
    let scope = scope(app, by).await?;
    Ok(app
        .store
        .moderation()
        .open_reports(scope.as_deref(), 200)
        .await?)
}

/// A report the caller may act on, with its filings (anyone else: not
/// found).
pub async fn report(app: &App, by: &Caller, id: i64) -> Result<(ReportRow, Vec<FilingRow>), Error> {
    let report = app.store.moderation().report(id).await.map_err(hidden)?;
    may_act(app, by, &report).await?;
    let filings = app.store.moderation().filings(id).await?;
    Ok((report, filings))
}

/// Whether the caller moderates what `report` is about.
async fn may_act(app: &App, by: &Caller, report: &ReportRow) -> Result<(), Error> {
    let community = match report.community_id {
        Some(c) => Some(
            app.store
                .communities()
                .community_by_id(c, by.user.profile_id)
                .await?
                .standing(),
        ),
        None => None,
    };
    authorize(Some(&by.actor()), Action::ModerateReport { community }).map_err(|_| Error::NotFound)
}

/// Takes a step on an open report: dismiss it, or remove the reported post
/// with a reason shown in its place. Audited; the reporters see the
/// outcome.
pub async fn act(
    app: &App,
    by: &Caller,
    id: i64,
    step: &str,
    reason: &str,
) -> Result<ReportRow, Error> {
    let step = Step::parse(step, reason)?;
    let report = app.store.moderation().report(id).await.map_err(hidden)?;
    may_act(app, by, &report).await?;
    if Status::parse(&report.status)? != Status::Open {
        return Err(Error::Invalid(format!(
            "this report is already closed ({})",
            report.status
        )));
    }
    let remove = match &step {
        Step::Dismiss => None,
        Step::Remove { reason } => {
            if report.target_kind != "post" {
                return Err(Error::Invalid(
                    "only a reported post can be removed; dismiss this report or act on it another way"
                        .into(),
                ));
            }
            let post = app
                .store
                .posts()
                .post_for(report.target_id, by.user.profile_id)
                .await;
            match post {
                Ok(p) if p.deleted_at.is_none() => Some((report.target_id, reason.as_str())),
                // Deleted by its writer meanwhile: nothing left to remove.
                _ => None,
            }
        }
    };
    let outcome = match (&step, remove) {
        (Step::Dismiss, _) => "Reviewed by a moderator: no action was needed.".to_owned(),
        (Step::Remove { .. }, Some(_)) => "Removed by a moderator.".to_owned(),
        (Step::Remove { .. }, None) => "The post was already deleted.".to_owned(),
    };
    let mut audit = by.audit(
        match step {
            Step::Dismiss => "moderation.dismiss",
            Step::Remove { .. } => "moderation.remove",
        },
        format!("report:{id}"),
    );
    audit.details = serde_json::json!({
        "kind": report.target_kind,
        "id": report.target_id,
        "reason": match &step { Step::Remove { reason } => reason.as_str(), Step::Dismiss => "" },
    })
    .to_string();
    let closed = app
        .store
        .moderation()
        .close_report(
            id,
            &Closing {
                status: step.status().as_str(),
                outcome: &outcome,
                by_user_id: by.user.id,
                remove,
            },
            &audit,
            now(),
        )
        .await?;
    if !closed {
        return Err(Error::Invalid(
            "another moderator closed this report first".into(),
        ));
    }
    Ok(app.store.moderation().report(id).await?)
}
