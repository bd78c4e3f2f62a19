//! Listening: a help desk watches topics in what staff say in the open
//! (the feed and open communities; never closed or secret communities,
//! never conversations). The listener is a job that follows the stream of
//! posts from a cursor, every [`SCAN_SECS`], so writing a post costs
//! nothing more however many topics are watched; each post is matched
//! once (the cursor moves in the write that records its matches).

use crate::dashboard::DateRange;
pub mod digest;

use crate::jobs::{Handlers, JobFailure, JobOutcome};
use crate::limits::Limit;
use crate::live::LiveEvent;
use crate::{App, Caller, Error, now};
use byline_core::Timestamp;
use byline_core::listening::spike::{self, Baseline, Sensitivity, Verdict, WINDOW_SECS};
use byline_core::listening::{self, Matcher};
use byline_core::markdown::PostText;
use byline_core::policy::{Action, authorize};
use byline_store::StoreError;
use byline_store::audit::AuditEntry;
use byline_store::jobs::{ClaimedJob, NewJob};
use byline_store::listening::{
    IncidentPost, IncidentRow, Match, NewIncident, TopicFields, TopicRow,
};
use byline_store::posts::Post;
use byline_store::profiles::Profile;

/// Seconds between two reads of new posts.
pub const SCAN_SECS: i64 = 10;
/// The listener's job.
pub const SCAN_JOB: &str = "listening.scan";
/// Most posts read, and recorded in one write, at a time: a listener
/// catching up on a backlog holds the writer for short turns, so the
/// posts written meanwhile wait little.
const BATCH: i64 = 500;
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
    // The topics that heard something in this pass.
    let mut heard: Vec<i64> = Vec::new();
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
        if !store
            .record(from, to, &matches, WINDOW_SECS.saturating_mul(1_000_000))
            .await?
        {
            // Another listener read these: start again from where it got.
            continue;
        }
        pass.read += posts.len();
        pass.matched += matches.len();
        for (topic, _, _, _) in matches {
            if !heard.contains(&topic) {
                heard.push(topic);
            }
        }
        if i64::try_from(posts.len()).unwrap_or(i64::MAX) < BATCH {
            break;
        }
    }
    let at = now();
    let mut desks: Vec<i64> = Vec::new();
    for id in &heard {
        let Some(topic) = topics.iter().find(|t| t.id == *id) else {
            continue;
        };
        follow(app, topic, at).await?;
        if !desks.contains(&topic.profile_id) {
            desks.push(topic.profile_id);
        }
    }
    // Open topic pages and inboxes of the desks that heard something
    // refresh in place.
    for profile_id in desks {
        app.live.publish(LiveEvent::Inbox { profile_id });
    }
    Ok(pass)
}

/// A topic that heard something new in a pass: with an open incident, the
/// pass's write has already attached what it heard; with none, the topic
/// is judged and a spike opens one.
async fn follow(app: &App, topic: &TopicRow, at: Timestamp) -> Result<(), Error> {
    if app
        .store
        .listening()
        .open_incident_of(topic.id)
        .await?
        .is_none()
    {
        raise_at(app, topic, at).await?;
    }
    Ok(())
}

/// Judges a topic's ten minutes before `at` and, on a spike, opens an
/// incident: a ticket in the desk's inbox holding the posts that set it
/// off. Evaluates to the incident, if one was opened.
pub async fn raise_at(app: &App, topic: &TopicRow, at: Timestamp) -> Result<Option<i64>, Error> {
    let verdict = standing(app, topic, at).await?;
    if !verdict.spike {
        return Ok(None);
    }
    let from = at.plus_seconds(-WINDOW_SECS);
    let heard = app
        .store
        .listening()
        .heard_between(topic.id, from.micros(), at.micros() + 1)
        .await?;
    let minutes = WINDOW_SECS / 60;
    let subject = format!(
        "{}: {} people in {minutes} minutes (usually {:.1})",
        topic.name, verdict.observed, verdict.expected
    );
    let detail = format!(
        "The listener heard {} people on \u{201c}{}\u{201d} in {minutes} minutes, where the same \
         hour of past weeks holds {:.1}; the chance of as many if nothing were wrong is {:.1e}.",
        verdict.observed, topic.name, verdict.expected, verdict.tail
    );
    let mut audit = AuditEntry::new(None, "listening.incident_open", String::new(), "listener");
    audit.profile_id = Some(topic.profile_id);
    audit.details = serde_json::json!({
        "topic": topic.id,
        "posters": verdict.observed,
        "expected": verdict.expected,
        "tail": verdict.tail,
    })
    .to_string();
    let opened = app
        .store
        .listening()
        .open_incident(
            &NewIncident {
                topic_id: topic.id,
                profile_id: topic.profile_id,
                subject: &subject,
                detail: &detail,
                posters: i64::from(verdict.observed),
                expected: verdict.expected,
                tail: verdict.tail,
                posts: &heard,
            },
            &audit,
            at,
        )
        .await?;
    let Some((incident, ticket)) = opened else {
        return Ok(None);
    };
    // Handed out and timed like any new ticket.
    crate::tickets::after_change(app, &[ticket], &[], &[]).await;
    app.live.publish(LiveEvent::Inbox {
        profile_id: topic.profile_id,
    });
    Ok(Some(incident))
}

/// An incident as members see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Its id.
    pub id: i64,
    /// The topic that spiked.
    pub topic_id: i64,
    /// Its name.
    pub topic_name: String,
    /// The ticket's number in the desk's inbox.
    pub ticket_number: i64,
    /// Whether the ticket is still being worked.
    pub open: bool,
    /// When the spike was heard.
    pub opened_at: Timestamp,
    /// Distinct people in the ten minutes that set it off.
    pub posters: i64,
    /// What those ten minutes usually hold.
    pub usually: f64,
    /// Posts attached (those that set it off and those since).
    pub posts: i64,
    /// Distinct people among them.
    pub people: i64,
    /// Threads they are in.
    pub threads: i64,
    /// Threads the desk has answered.
    pub answered: i64,
}

impl From<IncidentRow> for Incident {
    fn from(r: IncidentRow) -> Incident {
        Incident {
            open: !matches!(r.ticket_status.as_str(), "solved" | "closed"),
            id: r.id,
            topic_id: r.topic_id,
            topic_name: r.topic_name,
            ticket_number: r.ticket_number,
            opened_at: Timestamp(r.opened_at),
            posters: r.posters,
            usually: r.expected,
            posts: r.posts,
            people: r.people,
            threads: r.threads,
            answered: r.answered,
        }
    }
}

/// A desk's incidents, newest first (members).
pub async fn incidents(app: &App, by: &Caller, handle: &str) -> Result<Vec<Incident>, Error> {
    let profile = desk_for_members(app, by, handle).await?;
    let rows = app.store.listening().incidents(profile.id, 100).await?;
    Ok(rows.into_iter().map(Incident::from).collect())
}

/// One incident with the posts it holds that the caller may read.
pub async fn incident(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
) -> Result<(Incident, Vec<IncidentPost>, Vec<Post>), Error> {
    let profile = desk_for_members(app, by, handle).await?;
    let row = app.store.listening().incident(profile.id, id).await?;
    let held = app.store.listening().incident_posts(id).await?;
    let ids: Vec<i64> = held.iter().map(|p| p.post_id).collect();
    let posts = app
        .store
        .posts()
        .posts_for(&ids, by.user.profile_id)
        .await?;
    Ok((row.into(), held, posts))
}

/// The incident a desk's ticket was opened for, if any (members).
pub async fn incident_of_ticket(app: &App, ticket_id: i64) -> Result<Option<Incident>, Error> {
    Ok(app
        .store
        .listening()
        .incident_of_ticket(ticket_id)
        .await?
        .map(Incident::from))
}

/// Answers everyone the incident of a desk's ticket holds (see
/// [`answer_incident`]); a ticket that is no incident is not found.
pub async fn answer_ticket_incident(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    text: &str,
) -> Result<Answered, Error> {
    let (profile, _) = crate::tickets::workable(app, by, handle, number).await?;
    let ticket = app.store.tickets().ticket(profile.id, number).await?;
    let incident = app
        .store
        .listening()
        .incident_of_ticket(ticket.id)
        .await?
        .ok_or(Error::NotFound)?;
    answer_incident(app, by, handle, incident.id, text).await
}

/// What answering an incident's posters did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Answered {
    /// Threads answered now.
    pub threads: usize,
    /// Threads answered before (by this or an earlier answer).
    pub already: usize,
}

/// Answers everyone an incident holds at once: one reply per thread, each
/// said as the desk through the one speak function (byline, the profile's
/// policy and shift rule, and the audit log as for any post). Threads
/// answered before are left alone, so answering again reaches only those
/// who spoke up since.
pub async fn answer_incident(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    text: &str,
) -> Result<Answered, Error> {
    answer_incident_at(app, by, handle, id, text, now()).await
}

/// [`answer_incident`] as of `at` (the demo seeder back-dates its story).
pub async fn answer_incident_at(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    text: &str,
    at: Timestamp,
) -> Result<Answered, Error> {
    let (profile, role) = crate::tickets::desk(app, by, handle).await?;
    if authorize(Some(&by.actor()), Action::ReadInbox { role }).is_err() {
        return Err(Error::NotFound);
    }
    authorize(Some(&by.actor()), Action::WorkTicket { role })?;
    PostText::parse(text)?;
    let store = app.store.listening();
    store.incident(profile.id, id).await?;
    app.limits.check(Limit::Write, by)?;
    let held = store.incident_posts(id).await?;
    // One reply per thread, to the first post of it the incident holds.
    let mut threads: Vec<(i64, i64, bool)> = Vec::new();
    for p in &held {
        if !threads.iter().any(|(root, _, _)| *root == p.thread_root_id) {
            threads.push((p.thread_root_id, p.post_id, p.answer_post_id.is_some()));
        }
    }
    let was_acting = crate::acting::current_at(app, by, at)
        .await?
        .is_some_and(|s| s.membership.profile_id == profile.id);
    let voice = crate::acting::voice_at(app, by, &profile.handle, at).await?;
    let mut done = Answered::default();
    let mut refused: Option<Error> = None;
    for (root, first, answered) in threads {
        if answered || !store.claim_thread(id, root, at).await? {
            done.already += 1;
            continue;
        }
        match crate::posts::reply_through(app, by, &voice, first, text, at).await {
            Ok(reply) => {
                store.answered_thread(id, root, Some(reply)).await?;
                done.threads += 1;
            }
            Err(e) => {
                store.answered_thread(id, root, None).await?;
                // A refusal of the speaker (policy, shift, role) holds for
                // every thread: stop at the first.
                refused = Some(e);
                break;
            }
        }
    }
    if !was_acting {
        crate::acting::switch_out_at(app, by, "answered an incident", at).await?;
    }
    if done.threads == 0
        && let Some(e) = refused
    {
        return Err(e);
    }
    let mut audit = by.audit("listening.incident_answer", format!("incident:{id}"));
    audit.profile_id = Some(profile.id);
    audit.details =
        serde_json::json!({ "threads": done.threads, "already": done.already }).to_string();
    app.store.audit().append_audit(&audit, at).await?;
    app.live.publish(LiveEvent::Inbox {
        profile_id: profile.id,
    });
    Ok(done)
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

/// Adds the listener's and the weekly digest's handlers.
pub fn job_handlers(handlers: Handlers) -> Handlers {
    digest::job_handlers(handlers).on(SCAN_JOB, |app: App, _job: ClaimedJob| async move {
        let outcome: JobOutcome = match scan(&app).await {
            Ok(_) => Ok(()),
            Err(e) => Err(JobFailure::Retry(e.to_string())),
        };
        // The next pass is due whatever became of this one.
        keep_listening(&app, now()).await?;
        outcome
    })
}

/// One day of talk on a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// The day (UTC).
    pub date: chrono::NaiveDate,
    /// Matching posts.
    pub posts: i64,
    /// Distinct people who wrote them.
    pub people: i64,
    /// Those posts that read as negative.
    pub negative: i64,
}

/// What people said on a topic over a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Talk {
    /// The topic.
    pub topic: Topic,
    /// Every day of the range, oldest first.
    pub days: Vec<Day>,
    /// Matching posts in the range.
    pub posts: i64,
    /// Distinct people.
    pub people: i64,
    /// Posts that read as negative.
    pub negative: i64,
    /// The most-used words (the topic's own terms left out), with the
    /// number of posts using each.
    pub words: Vec<(String, usize)>,
    /// More posts matched than one report reads ([`TALK_POSTS_MAX`]); the
    /// figures are of the oldest.
    pub truncated: bool,
}

impl Talk {
    /// The share of posts that read as negative (`None` without posts).
    pub fn negative_share(&self) -> Option<f64> {
        (self.posts > 0).then(|| self.negative as f64 / self.posts as f64)
    }
}

/// Most posts one report reads.
pub const TALK_POSTS_MAX: i64 = 50_000;
/// Most-used words a report lists.
const TOP_WORDS: usize = 15;

/// Reads a topic's talk over a range.
async fn talk_of(app: &App, row: TopicRow, range: &DateRange) -> Result<Talk, Error> {
    let rows = app
        .store
        .listening()
        .matched_texts(
            row.id,
            range.start().micros(),
            range.end().micros(),
            TALK_POSTS_MAX + 1,
        )
        .await?;
    let truncated = i64::try_from(rows.len()).unwrap_or(i64::MAX) > TALK_POSTS_MAX;
    let rows = &rows[..rows
        .len()
        .min(usize::try_from(TALK_POSTS_MAX).unwrap_or(usize::MAX))];
    let topic = Topic::from(row);
    let span = (range.to - range.from).num_days() + 1;
    let mut days: Vec<Day> = (0..span)
        .map(|d| Day {
            date: range.from + chrono::Duration::days(d),
            posts: 0,
            people: 0,
            negative: 0,
        })
        .collect();
    let mut seen: std::collections::HashSet<(usize, i64)> = std::collections::HashSet::new();
    let mut everyone: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let mut negative = 0;
    for (at, poster, body) in rows {
        let day = (*at - range.start().micros()).div_euclid(86_400_000_000);
        let Some(slot) = usize::try_from(day).ok().and_then(|d| days.get_mut(d)) else {
            continue;
        };
        slot.posts += 1;
        if seen.insert((usize::try_from(day).unwrap_or(0), *poster)) {
            slot.people += 1;
        }
        if listening::sentiment::is_negative(body) {
            slot.negative += 1;
            negative += 1;
        }
        everyone.insert(*poster);
    }
    let texts: Vec<&str> = rows.iter().map(|(_, _, b)| b.as_str()).collect();
    let words = listening::sentiment::top_words(&texts, &topic.terms, TOP_WORDS);
    Ok(Talk {
        posts: i64::try_from(rows.len()).unwrap_or(i64::MAX),
        people: i64::try_from(everyone.len()).unwrap_or(i64::MAX),
        negative,
        words,
        truncated,
        days,
        topic,
    })
}

/// What people said on one topic between `from` and `to` (`YYYY-MM-DD`,
/// the last eight weeks by default), for the desk's members.
pub async fn talk(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Profile, Talk), Error> {
    let range = DateRange::parse(from, to, today())?;
    let profile = desk_for_members(app, by, handle).await?;
    let row = app.store.listening().topic(profile.id, id).await?;
    Ok((profile, talk_of(app, row, &range).await?))
}

/// What people said on each of a desk's topics over a range (members).
pub async fn desk_talk(
    app: &App,
    by: &Caller,
    handle: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Profile, DateRange, Vec<(Talk, Standing)>), Error> {
    let range = DateRange::parse(from, to, today())?;
    let profile = desk_for_members(app, by, handle).await?;
    let at = now();
    let mut out = Vec::new();
    for row in app.store.listening().topics(profile.id).await? {
        let standing = standing(app, &row, at).await?;
        out.push((talk_of(app, row, &range).await?, standing.into()));
    }
    Ok((profile, range, out))
}

fn today() -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp_micros(now().micros())
        .map_or(chrono::NaiveDate::MIN, |d| d.date_naive())
}

/// Whether the caller may change a desk's topics (to offer the forms).
pub async fn may_manage(app: &App, by: &Caller, handle: &str) -> bool {
    desk_for_owners(app, by, handle).await.is_ok()
}
