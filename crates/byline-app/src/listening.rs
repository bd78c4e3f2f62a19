//! Listening: a help desk watches topics in what staff say in the open
//! (the feed and open communities; never closed or secret communities,
//! never conversations). The listener is a job that follows the stream of
//! posts from a cursor, every [`SCAN_SECS`], so writing a post costs
//! nothing more however many topics are watched; each post is matched
//! once (the cursor moves in the write that records its matches).

use crate::jobs::{Handlers, JobFailure, JobOutcome};
use crate::{App, Caller, Error, now};
use byline_core::Timestamp;
use byline_core::listening::spike::{self, Baseline, Sensitivity, Verdict, WINDOW_SECS};
use byline_core::listening::{self, Matcher};
use byline_core::policy::{Action, authorize};
use byline_store::StoreError;
use byline_store::jobs::{ClaimedJob, NewJob};
use byline_store::listening::{Match, TopicFields, TopicRow};
use byline_store::posts::Post;
use byline_store::profiles::Profile;

/// Seconds between two reads of new posts.
pub const SCAN_SECS: i64 = 10;
/// The listener's job.
pub const SCAN_JOB: &str = "listening.scan";
/// Most posts read in one pass.
const BATCH: i64 = 2_000;
/// Recent posts a new term is tried on, to refuse one that is too common.
const SAMPLE: i64 = 2_000;

/// A watched topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// Its id.
    pub id: i64,
    /// What it is called.
    pub name: String,
    /// The words and phrases that mean it.
    pub terms: Vec<String>,
    /// 1 (only the loudest bursts) to 10 (the faintest).
    pub sensitivity: i64,
    /// Fewest distinct people in ten minutes for an alert.
    pub min_posters: i64,
    /// When it was defined.
    pub created_at: Timestamp,
}

impl From<TopicRow> for Topic {
    fn from(r: TopicRow) -> Topic {
        Topic {
            terms: r.term_list(),
            id: r.id,
            name: r.name,
            sensitivity: r.sensitivity,
            min_posters: r.min_posters,
            created_at: Timestamp(r.created_at),
        }
    }
}

/// A topic as its owners write it.
#[derive(Debug, Clone)]
pub struct TopicInput {
    /// What it is called.
    pub name: String,
    /// Its terms (at least one; three or more letters each).
    pub terms: Vec<String>,
    /// 1–10 (default 5).
    pub sensitivity: Option<i64>,
    /// 2–100 (default 5).
    pub min_posters: Option<i64>,
}

/// How a topic stands now: its last ten minutes against the same hour of
/// past weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// Distinct people in the last ten minutes.
    pub posters_now: u32,
    /// What the same ten minutes usually hold.
    pub usually: f64,
    /// The chance of at least this many if nothing were wrong.
    pub tail: f64,
    /// Whether that is a spike by the topic's sensitivity.
    pub spike: bool,
}

impl From<Verdict> for Standing {
    fn from(v: Verdict) -> Standing {
        Standing {
            posters_now: v.observed,
            usually: v.expected,
            tail: v.tail,
            spike: v.spike,
        }
    }
}

/// A help desk's profile, for a member who may read its inbox (anyone
/// else: not found).
async fn desk_for_members(app: &App, by: &Caller, handle: &str) -> Result<Profile, Error> {
    let (profile, role) = crate::tickets::desk(app, by, handle).await?;
    if authorize(Some(&by.actor()), Action::ReadInbox { role }).is_err() {
        return Err(Error::NotFound);
    }
    Ok(profile)
}

/// A help desk's profile, for its owners and admins.
async fn desk_for_owners(app: &App, by: &Caller, handle: &str) -> Result<Profile, Error> {
    let (profile, role) = crate::tickets::desk(app, by, handle).await?;
    match authorize(Some(&by.actor()), Action::ManageSharedProfile { role }) {
        Ok(()) => Ok(profile),
        // Someone off the roster does not learn which desks exist.
        Err(_) if role.is_none() => Err(Error::NotFound),
        Err(d) => Err(d.into()),
    }
}

/// A desk's topics (members).
pub async fn topics(app: &App, by: &Caller, handle: &str) -> Result<(Profile, Vec<Topic>), Error> {
    let profile = desk_for_members(app, by, handle).await?;
    let rows = app.store.listening().topics(profile.id).await?;
    Ok((profile, rows.into_iter().map(Topic::from).collect()))
}

/// Checks a topic as written, including how much of recent talk each term
/// would match; returns its fields' values.
async fn checked(
    app: &App,
    input: &TopicInput,
) -> Result<(String, Vec<String>, Sensitivity), Error> {
    let terms = listening::check_topic(&input.name, &input.terms)?;
    let defaults = Sensitivity::default();
    let sensitivity = Sensitivity::new(
        input.sensitivity.unwrap_or(i64::from(defaults.level)),
        input.min_posters.unwrap_or(i64::from(defaults.min_posters)),
    )?;
    let sample = app.store.listening().recent_texts(SAMPLE).await?;
    let refs: Vec<&str> = sample.iter().map(String::as_str).collect();
    if let Some((term, share)) = listening::too_common(&terms, &refs) {
        return Err(Error::Invalid(format!(
            "the term '{term}' is too common: it would match {:.0} % of recent posts (at most {:.0} %)",
            share * 100.0,
            listening::MAX_SHARE * 100.0
        )));
    }
    Ok((input.name.trim().to_owned(), terms, sensitivity))
}

fn named(e: StoreError) -> Error {
    match e {
        StoreError::Conflict { .. } => {
            Error::Invalid("this help desk already watches a topic of that name".into())
        }
        other => other.into(),
    }
}

/// Defines a topic (owners); the listener starts if it was idle.
pub async fn create_topic(
    app: &App,
    by: &Caller,
    handle: &str,
    input: &TopicInput,
) -> Result<Topic, Error> {
    let profile = desk_for_owners(app, by, handle).await?;
    let (name, terms, s) = checked(app, input).await?;
    if app.store.listening().topics(profile.id).await?.len() >= listening::MAX_TOPICS {
        return Err(Error::Invalid(format!(
            "a help desk watches at most {} topics",
            listening::MAX_TOPICS
        )));
    }
    let terms_json = serde_json::to_string(&terms).map_err(|e| Error::Internal(e.to_string()))?;
    let mut audit = by.audit("listening.topic_create", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "name": name, "terms": terms }).to_string();
    let row = app
        .store
        .listening()
        .create_topic(
            profile.id,
            &TopicFields {
                name: &name,
                terms: &terms_json,
                sensitivity: i64::from(s.level),
                min_posters: i64::from(s.min_posters),
            },
            by.user.id,
            &audit,
            now(),
        )
        .await
        .map_err(named)?;
    keep_listening(app, now()).await?;
    Ok(row.into())
}

/// Changes a topic (owners).
pub async fn update_topic(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    input: &TopicInput,
) -> Result<Topic, Error> {
    let profile = desk_for_owners(app, by, handle).await?;
    app.store.listening().topic(profile.id, id).await?;
    let (name, terms, s) = checked(app, input).await?;
    let terms_json = serde_json::to_string(&terms).map_err(|e| Error::Internal(e.to_string()))?;
    let mut audit = by.audit("listening.topic_update", format!("topic:{id}"));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "name": name, "terms": terms }).to_string();
    let row = app
        .store
        .listening()
        .update_topic(
            profile.id,
            id,
            &TopicFields {
                name: &name,
                terms: &terms_json,
                sensitivity: i64::from(s.level),
                min_posters: i64::from(s.min_posters),
            },
            &audit,
            now(),
        )
        .await
        .map_err(named)?;
    Ok(row.into())
}

/// Stops watching a topic (owners).
pub async fn delete_topic(app: &App, by: &Caller, handle: &str, id: i64) -> Result<(), Error> {
    let profile = desk_for_owners(app, by, handle).await?;
    let mut audit = by.audit("listening.topic_delete", format!("topic:{id}"));
    audit.profile_id = Some(profile.id);
    app.store
        .listening()
        .delete_topic(profile.id, id, &audit, now())
        .await?;
    Ok(())
}

/// A topic with the newest posts matching it that the caller may read
/// (members), and how it stands now.
pub async fn topic(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    limit: i64,
) -> Result<(Profile, Topic, Standing, Vec<Post>), Error> {
    let profile = desk_for_members(app, by, handle).await?;
    let row = app.store.listening().topic(profile.id, id).await?;
    let standing = standing(app, &row, now()).await?;
    let ids = app
        .store
        .listening()
        .matched_posts(id, limit.clamp(1, 200))
        .await?;
    let posts = app
        .store
        .posts()
        .posts_for(&ids, by.user.profile_id)
        .await?;
    Ok((profile, row.into(), standing.into(), posts))
}

/// Judges a topic's last ten minutes before `at`.
async fn standing(app: &App, topic: &TopicRow, at: Timestamp) -> Result<Verdict, Error> {
    let secs = at.micros().div_euclid(1_000_000);
    let start = secs - WINDOW_SECS;
    let micros = |s: i64| s.saturating_mul(1_000_000);
    let recent = app
        .store
        .listening()
        .matches_between(topic.id, micros(start), at.micros())
        .await?;
    let mut who: Vec<i64> = recent.iter().map(|(_, p)| *p).collect();
    who.sort_unstable();
    who.dedup();
    let observed = u32::try_from(who.len()).unwrap_or(u32::MAX);
    let sensitivity = Sensitivity::new(topic.sensitivity, topic.min_posters)?;
    let starts = spike::baseline_starts(start);
    let first = starts.iter().copied().min().unwrap_or(start);
    let last = starts.iter().copied().max().unwrap_or(start) + WINDOW_SECS;
    let history: Vec<(i64, i64)> = app
        .store
        .listening()
        .matches_between(topic.id, micros(first), micros(last))
        .await?
        .into_iter()
        .map(|(t, p)| (t.div_euclid(1_000_000), p))
        .collect();
    let counts = spike::counts_in(&history, &starts);
    Ok(spike::judge(&Baseline::of(&counts), observed, sensitivity))
}

/// What one pass of the listener did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Posts read.
    pub read: usize,
    /// Matches recorded.
    pub matched: usize,
}

/// Reads the posts written since the last pass and records the topics
/// they match; a pass another process made first is not repeated.
pub async fn scan(app: &App) -> Result<Pass, Error> {
    let store = app.store.listening();
    let topics = store.all_topics().await?;
    let terms: Vec<(i64, Vec<String>)> = topics.iter().map(|t| (t.id, t.term_list())).collect();
    let pairs: Vec<(i64, &[String])> = terms.iter().map(|(id, t)| (*id, t.as_slice())).collect();
    let matcher = Matcher::new(&pairs);
    let mut pass = Pass::default();
    loop {
        let from = store.cursor().await?;
        let posts = store.unread_posts(from, BATCH).await?;
        let Some(to) = posts.last().map(|p| p.id) else {
            break;
        };
        let mut matches: Vec<Match> = Vec::new();
        if !matcher.is_empty() {
            for p in &posts {
                for topic in matcher.topics_of(&p.body) {
                    matches.push((topic, p.id, p.author_profile_id, p.created_at));
                }
            }
        }
        if !store.record(from, to, &matches).await? {
            // Another listener read these: start again from where it got.
            continue;
        }
        pass.read += posts.len();
        pass.matched += matches.len();
        if i64::try_from(posts.len()).unwrap_or(i64::MAX) < BATCH {
            break;
        }
    }
    Ok(pass)
}

/// Schedules the listener's next pass, once whatever the number of
/// processes (the job's key is its due time), if any topic is watched.
pub async fn keep_listening(app: &App, at: Timestamp) -> Result<(), Error> {
    if app.store.listening().all_topics().await?.is_empty() {
        return Ok(());
    }
    let due = (at.micros().div_euclid(1_000_000) / SCAN_SECS + 1) * SCAN_SECS;
    let key = format!("{SCAN_JOB}:{due}");
    app.store
        .jobs()
        .schedule_job(
            &NewJob {
                kind: SCAN_JOB,
                key: Some(&key),
                payload: "{}",
                due_at: Timestamp(due.saturating_mul(1_000_000)),
                max_attempts: 3,
            },
            at,
        )
        .await?;
    Ok(())
}

/// Adds the listener's handler.
pub fn job_handlers(handlers: Handlers) -> Handlers {
    handlers.on(SCAN_JOB, |app: App, _job: ClaimedJob| async move {
        let outcome: JobOutcome = match scan(&app).await {
            Ok(_) => Ok(()),
            Err(e) => Err(JobFailure::Retry(e.to_string())),
        };
        // The next pass is due whatever became of this one.
        keep_listening(&app, now()).await?;
        outcome
    })
}
