//! Speaking as a shared profile: the one write path for everything said
//! through a shared voice (posts, replies, edits, deletions, reactions,
//! messages, and later ticket replies and publications).
//!
//! [`Store::speak`] opens the write transaction, re-reads inside it the
//! acting session, the membership and role, the user's standing, the
//! profile's attribution policy and shift rule and the member's shifts
//! (locking those rows on PostgreSQL, so a removal, demotion,
//! deactivation, policy change or roster change waits for it or is seen by
//! it), asks the policy, writes, records the byline and appends the audit
//! event, and commits. Nothing read before the transaction decides what it
//! may do. A refusal is rolled back and then audited on its own.
//!
//! The byline is a type only this module makes, and the store's writes as
//! a shared profile take one: there is no other way to write as a shared
//! profile.

use crate::articles::ArticleDraft;
use crate::audit::AuditEntry;
use crate::bylines::Refusal;
use crate::channels::NewDelivery;
use crate::messages::MessageText;
use crate::posts::{CreatedPost, NewPost, PostContent};
use crate::publishing::{Release, Schedule};
use crate::{Store, StoreError};
use byline_core::Timestamp;
use byline_core::policy::Denial;
use byline_core::reaction::Reaction;
use byline_core::shared_profile::Speech;

/// Someone's claim to speak as a shared profile: who, through which acting
/// session, from where. It grants nothing; [`Store::speak`] checks it
/// inside the write transaction. What kind of speech it is, and the audit
/// action that records it, come from the [`Utterance`] itself, so the two
/// can never disagree.
#[derive(Debug, Clone)]
pub struct Voice<'a> {
    user_id: i64,
    profile_id: i64,
    acting_session_id: i64,
    source_address: &'a str,
    release: Option<i64>,
}

impl<'a> Voice<'a> {
    /// A claim by `user_id` to speak as `profile_id` in the acting session
    /// `acting_session_id`, from `source_address`.
    pub fn new(
        user_id: i64,
        profile_id: i64,
        acting_session_id: i64,
        source_address: &'a str,
    ) -> Voice<'a> {
        Voice {
            user_id,
            profile_id,
            acting_session_id,
            source_address,
            release: None,
        }
    }

    /// The voice of a scheduled publication at its due minute: the one who
    /// scheduled it, through the acting session they scheduled it in. The
    /// session has long ended; what stands for it is the schedule itself,
    /// which the speak function wrote under their byline. It speaks only
    /// while publication `publication_id` is scheduled or being published
    /// by them, and only while they are still a member who may say it.
    pub fn releasing(self, publication_id: i64) -> Voice<'a> {
        Voice {
            release: Some(publication_id),
            ..self
        }
    }

    /// The profile this voice claims to speak as.
    pub fn profile_id(&self) -> i64 {
        self.profile_id
    }
}

/// Something said as a shared profile.
pub enum Utterance<'a> {
    /// A new post or reply.
    Post(&'a NewPost<'a>),
    /// New text for one of the profile's posts.
    Edit {
        /// The post.
        post_id: i64,
        /// Its new words.
        content: &'a PostContent<'a>,
    },
    /// Deleting one of the profile's posts.
    Delete {
        /// The post.
        post_id: i64,
    },
    /// Adding a reaction as the profile.
    React {
        /// The post.
        post_id: i64,
        /// Which reaction.
        reaction: Reaction,
    },
    /// Taking back the profile's reaction.
    Unreact {
        /// The post.
        post_id: i64,
        /// Which reaction.
        reaction: Reaction,
    },
    /// A direct message in a conversation the profile takes part in.
    Message {
        /// The conversation.
        conversation_id: i64,
        /// The words.
        text: &'a MessageText<'a>,
    },
    /// A knowledge-base article, new or a new version of one of the
    /// profile's.
    Article(&'a ArticleDraft<'a>),
    /// Words sent out through one of the profile's channels (delivered
    /// afterwards by the job runner).
    Delivery(&'a NewDelivery<'a>),
    /// An approved publication given its due minute: the profile commits
    /// to saying it then.
    Schedule(&'a Schedule),
    /// A scheduled publication handed to its channels at its due minute.
    Release(&'a Release<'a>),
}

/// The audit actions of everything said as a shared profile, one per kind
/// of [`Utterance`] (a post and a reply differ). The who-was-acting answer
/// lists exactly these.
pub const SPOKEN_ACTIONS: [&str; 11] = [
    "post.create_as_profile",
    "post.reply_as_profile",
    "post.edit_as_profile",
    "post.delete_as_profile",
    "post.react_as_profile",
    "post.unreact_as_profile",
    "message.send_as_profile",
    "article.write_as_profile",
    "channel.send_as_profile",
    "publication.schedule_as_profile",
    "publication.release_as_profile",
];

impl Utterance<'_> {
    /// What the policy is asked about, and the audit action recording it.
    pub fn kind(&self) -> (Speech, &'static str) {
        let [
            create,
            reply,
            edit,
            delete,
            react,
            unreact,
            message,
            article,
            delivery,
            schedule,
            release,
        ] = SPOKEN_ACTIONS;
        match self {
            Utterance::Post(new) if new.reply_to.is_some() => (Speech::Reply, reply),
            Utterance::Post(_) => (Speech::Post, create),
            Utterance::Edit { .. } => (Speech::Change, edit),
            Utterance::Delete { .. } => (Speech::Change, delete),
            Utterance::React { .. } => (Speech::React, react),
            Utterance::Unreact { .. } => (Speech::React, unreact),
            Utterance::Message { .. } => (Speech::Message, message),
            Utterance::Article(_) => (Speech::Article, article),
            // Sending out is publishing a new post elsewhere: the same
            // roles may.
            Utterance::Delivery(_) => (Speech::Post, delivery),
            Utterance::Schedule(_) => (Speech::Post, schedule),
            Utterance::Release(_) => (Speech::Post, release),
        }
    }
}

/// What an utterance did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spoken {
    /// A post was written.
    Post(CreatedPost),
    /// A message was sent: its id and the other participants.
    Message {
        /// The message.
        id: i64,
        /// Who else is in the conversation.
        others: Vec<i64>,
        /// Help-desk tickets it opened or added to.
        tickets: Vec<i64>,
        /// Those of them settled inside the write by an intake.
        settled: Vec<i64>,
    },
    /// An article was written or given a new version.
    Article(i64),
    /// A delivery through a channel was queued.
    Delivery(i64),
    /// A publication was scheduled.
    Scheduled,
    /// A publication was handed to its channels (false: it had been
    /// already, or is no longer due then, and nothing was sent).
    Released(bool),
    /// An edit, deletion or reaction change was made.
    Changed,
    /// Nothing changed (a reaction already given or already taken back).
    Unchanged,
}

impl Store {
    /// Says `utterance` through `voice`, or refuses: the one way anything
    /// is written as a shared profile (see the module's documentation).
    /// A refusal is audited (`speak.refused`) and comes back as
    /// [`StoreError::SpeechRefused`].
    pub async fn speak(
        &self,
        voice: &Voice<'_>,
        utterance: Utterance<'_>,
        now: Timestamp,
    ) -> Result<Spoken, StoreError> {
        let (_, action) = utterance.kind();
        match self.say(voice, utterance, now).await? {
            Ok(spoken) => Ok(spoken),
            Err(refusal) => {
                let entry = AuditEntry {
                    user_id: Some(voice.user_id),
                    profile_id: Some(voice.profile_id),
                    action: "speak.refused",
                    target: format!("profile:{}", voice.profile_id),
                    source_address: voice.source_address.to_owned(),
                    details: format!(
                        "{{\"role\":{},\"action\":\"{}\",\"off_shift\":{}}}",
                        refusal
                            .role
                            .map_or("null".to_owned(), |r| format!("\"{}\"", r.as_str())),
                        action,
                        refusal.denial == Denial::OffShift
                    ),
                };
                self.audit().append_audit(&entry, now).await?;
                Err(StoreError::SpeechRefused(refusal.denial))
            }
        }
    }

    /// The transaction of [`Store::speak`]; a refusal returns before the
    /// commit, so it rolls back.
    async fn say(
        &self,
        voice: &Voice<'_>,
        utterance: Utterance<'_>,
        now: Timestamp,
    ) -> Result<Result<Spoken, Refusal>, StoreError> {
        let lock = self.share_lock();
        let (speech, action) = utterance.kind();
        Ok(Ok(write_tx!(self, |tx| {
            let w = match hear!(tx, voice, speech, now, lock) {
                Ok(w) => w,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let (spoken, target) = match utterance {
                Utterance::Post(new) => {
                    let created = write_post!(tx, &w, new, now);
                    let target = format!("post:{}", created.id);
                    (Spoken::Post(created), Some(target))
                }
                Utterance::Edit { post_id, content } => {
                    write_edit!(tx, &w, post_id, content, now);
                    (Spoken::Changed, Some(format!("post:{post_id}")))
                }
                Utterance::Delete { post_id } => {
                    write_delete!(tx, &w, post_id, Some(w.profile_id), now);
                    (Spoken::Changed, Some(format!("post:{post_id}")))
                }
                Utterance::React { post_id, reaction } => {
                    if write_reaction!(tx, &w, post_id, reaction, now) {
                        (Spoken::Changed, Some(format!("post:{post_id}")))
                    } else {
                        (Spoken::Unchanged, None)
                    }
                }
                Utterance::Unreact { post_id, reaction } => {
                    if write_unreaction!(tx, &w, post_id, reaction) {
                        (Spoken::Changed, Some(format!("post:{post_id}")))
                    } else {
                        (Spoken::Unchanged, None)
                    }
                }
                Utterance::Message {
                    conversation_id,
                    text,
                } => {
                    let (id, others, tickets, settled) =
                        write_message!(tx, &w, conversation_id, text, now);
                    (
                        Spoken::Message {
                            id,
                            others,
                            tickets,
                            settled,
                        },
                        Some(format!("message:{id}")),
                    )
                }
                Utterance::Article(draft) => {
                    let id = write_article!(tx, &w, draft, now);
                    (Spoken::Article(id), Some(format!("article:{id}")))
                }
                Utterance::Delivery(new) => {
                    let id = write_delivery!(tx, &w, voice, new, now);
                    (Spoken::Delivery(id), Some(format!("delivery:{id}")))
                }
                Utterance::Schedule(schedule) => {
                    write_schedule!(tx, &w, voice, schedule, now);
                    let target = format!("publication:{}", schedule.publication_id);
                    (Spoken::Scheduled, Some(target))
                }
                Utterance::Release(release) => {
                    if write_release!(tx, &w, voice, release, now) {
                        let target = format!("publication:{}", release.publication_id);
                        (Spoken::Released(true), Some(target))
                    } else {
                        (Spoken::Released(false), None)
                    }
                }
            };
            if let Some(target) = target {
                record_byline!(tx, &w, voice, action, target, now);
            }
            spoken
        })))
    }
}
