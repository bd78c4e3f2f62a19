//! The weekly digest for a help desk's owners: what people said on each
//! watched topic, the incidents the listener opened, and the desk's own
//! figures (tickets, response and resolution times, SLA, satisfaction)
//! for the week from Monday to Sunday (UTC). A job writes it early on
//! Monday for the week just ended, keeps it (it reads the same later,
//! whatever happens to the tickets since) and tells the owners.

use super::{desk_for_owners, talk_of};
use crate::dashboard::{DateRange, figures};
use crate::jobs::{Handlers, JobFailure, JobOutcome};
use crate::{App, Caller, Error, now};
use byline_core::Timestamp;
use byline_store::jobs::{ClaimedJob, NewJob};
use byline_store::profiles::Profile;
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The digest job.
pub const DIGEST_JOB: &str = "listening.digest";
/// The hour (UTC) on Monday the digest is written.
const DIGEST_HOUR: i64 = 6;
/// Most-used words a topic's line keeps.
const WORDS: usize = 5;

/// One topic's week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicWeek {
    /// Its name.
    pub name: String,
    /// Matching posts.
    pub posts: i64,
    /// Distinct people.
    pub people: i64,
    /// The share that read as negative.
    pub negative_share: Option<f64>,
    /// Its most-used words.
    pub words: Vec<String>,
}

/// An incident opened that week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentWeek {
    /// The topic that spiked.
    pub topic: String,
    /// Its ticket's number.
    pub ticket_number: i64,
    /// When it was heard (RFC 3339).
    pub opened_at: String,
    /// Distinct people it holds.
    pub people: i64,
    /// Threads answered, of all.
    pub answered: i64,
    /// Threads.
    pub threads: i64,
}

/// A desk's week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    /// The Monday it starts on (`YYYY-MM-DD`).
    pub week: String,
    /// Each watched topic.
    pub topics: Vec<TopicWeek>,
    /// Incidents opened.
    pub incidents: Vec<IncidentWeek>,
    /// Tickets opened.
    pub tickets_opened: i64,
    /// Solves.
    pub solved: i64,
    /// Median first response (business seconds).
    pub first_response_median: Option<i64>,
    /// Median resolution (business seconds).
    pub resolution_median: Option<i64>,
    /// The share of decided tickets that kept every SLA target.
    pub sla_attainment: Option<f64>,
    /// Mean rating, 1 to 5.
    pub satisfaction: Option<f64>,
    /// Ratings given.
    pub ratings: i64,
}

/// The Monday of the week holding `d`.
fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

fn date_of(t: Timestamp) -> NaiveDate {
    chrono::DateTime::from_timestamp_micros(t.micros()).map_or(NaiveDate::MIN, |d| d.date_naive())
}

fn midnight(d: NaiveDate) -> Timestamp {
    Timestamp(
        d.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_micros()),
    )
}

/// Works out a desk's digest of the week starting on `week` (a Monday).
pub async fn compose(app: &App, profile: Profile, week: NaiveDate) -> Result<Digest, Error> {
    let range = DateRange {
        from: week,
        to: week + Duration::days(6),
    };
    let store = app.store.listening();
    let mut topics = Vec::new();
    for row in store.topics(profile.id).await? {
        let talk = talk_of(app, row, &range).await?;
        topics.push(TopicWeek {
            negative_share: talk.negative_share(),
            name: talk.topic.name,
            posts: talk.posts,
            people: talk.people,
            words: talk.words.into_iter().take(WORDS).map(|(w, _)| w).collect(),
        });
    }
    let (start, end) = (range.start().micros(), range.end().micros());
    let incidents = store
        .incidents(profile.id, 1_000)
        .await?
        .into_iter()
        .filter(|i| i.opened_at >= start && i.opened_at < end)
        .map(|i| IncidentWeek {
            topic: i.topic_name,
            ticket_number: i.ticket_number,
            opened_at: Timestamp(i.opened_at).to_rfc3339(),
            people: i.people,
            answered: i.answered,
            threads: i.threads,
        })
        .collect();
    let d = figures(app, profile, range, None, now()).await?;
    Ok(Digest {
        week: week.to_string(),
        topics,
        incidents,
        tickets_opened: d.opened,
        solved: d.solved,
        first_response_median: d.first_response.median,
        resolution_median: d.resolution.median,
        sla_attainment: d.sla.share(),
        satisfaction: d.satisfaction.average(),
        ratings: d.satisfaction.ratings,
    })
}

/// Writes every help desk's digest of the week starting on `week` (each
/// once, whatever the number of processes) and tells their owners.
/// Evaluates to how many were written now.
pub async fn write_all(app: &App, week: NaiveDate) -> Result<usize, Error> {
    let mut written = 0;
    for profile_id in app.store.listening().help_desks().await? {
        let profile = app.store.profiles().profile_by_id(profile_id).await?;
        let digest = compose(app, profile, week).await?;
        let body = serde_json::to_string(&digest).map_err(|e| Error::Internal(e.to_string()))?;
        if app
            .store
            .listening()
            .save_digest(profile_id, &week.to_string(), &body, now())
            .await?
        {
            written += 1;
        }
    }
    Ok(written)
}

/// A desk's kept digests, newest week first (owners and admins).
pub async fn digests(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Vec<Digest>), Error> {
    let profile = desk_for_owners(app, by, handle).await?;
    let rows = app.store.listening().digests(profile.id, 52).await?;
    let digests = rows
        .into_iter()
        .filter_map(|r| serde_json::from_str::<Digest>(&r.body).ok())
        .collect();
    Ok((profile, digests))
}

/// Schedules the next Monday's digest (keyed by its week, so once).
pub async fn keep_digesting(app: &App, at: Timestamp) -> Result<(), Error> {
    let today = date_of(at);
    let next = monday_of(today) + Duration::days(7);
    let due = midnight(next).plus_seconds(DIGEST_HOUR * 3600);
    let key = format!("{DIGEST_JOB}:{next}");
    let payload = serde_json::json!({ "week": (next - Duration::days(7)).to_string() }).to_string();
    app.store
        .jobs()
        .schedule_job(
            &NewJob {
                kind: DIGEST_JOB,
                key: Some(&key),
                payload: &payload,
                due_at: due,
                max_attempts: 5,
            },
            at,
        )
        .await?;
    Ok(())
}

/// Adds the digest's handler.
pub fn job_handlers(handlers: Handlers) -> Handlers {
    handlers.on(DIGEST_JOB, |app: App, job: ClaimedJob| async move {
        let week = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v["week"].as_str().map(str::to_owned))
            .and_then(|w| NaiveDate::parse_from_str(&w, "%Y-%m-%d").ok());
        let outcome: JobOutcome = match week {
            None => Err(JobFailure::GiveUp(format!(
                "a digest job without a week: {}",
                job.payload
            ))),
            Some(week) => write_all(&app, week)
                .await
                .map(|_| ())
                .map_err(|e| JobFailure::Retry(e.to_string())),
        };
        keep_digesting(&app, now()).await?;
        outcome
    })
}
