//! The knowledge base: articles a help desk writes as its profile, through
//! the one speak function (so every version keeps its byline and its audit
//! event), read by staff or by the desk's members only, found by full-text
//! search, offered while someone types a request, and credited when they
//! say "this solved it" (a deflection, which solves their open request).

use crate::bylines::BylineLens;
use crate::shared_profiles::shared;
use crate::{App, Caller, Error, now};
use byline_core::article::{ArticleStatus, ArticleText, Audience, suggestion_terms};
use byline_core::markdown::{PostText, scan};
use byline_core::policy::{Action, authorize};
use byline_core::search::SearchQuery;
use byline_core::shared_profile::ProfileRole;
use byline_core::ticket::TicketStatus;
use byline_store::articles::{Article, ArticleDraft, ArticleVersion, Deflected, Readable};
use byline_store::profiles::Profile;
use byline_store::speak::{Spoken, Utterance};

/// Most articles a list or a search shows.
pub const LIST_LIMIT: u32 = 100;
/// Most articles offered while someone types.
pub const SUGGESTIONS: u32 = 5;

/// What a writer submits for an article.
#[derive(Debug, Clone, Default)]
pub struct ArticleForm {
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Tags, separated by spaces or commas.
    pub tags: String,
    /// `staff` (default) or `members`.
    pub audience: Option<String>,
    /// `draft` (default for new articles), `published` or `archived`.
    pub status: Option<String>,
    /// The version the writer started from (edits).
    pub based_on: Option<i64>,
}

/// A list of articles, for one desk or all the reader may find.
pub struct ArticleList {
    /// The desk, when the list is one desk's.
    pub desk: Option<Profile>,
    /// The articles, newest (or best matching) first.
    pub articles: Vec<Article>,
    /// The search, if any.
    pub query: Option<String>,
    /// Whether the reader may write articles for the desk.
    pub can_write: bool,
}

/// One article as its reader may see it.
pub struct ArticlePage {
    /// The article.
    pub article: Article,
    /// Its writer (name, handle), when the policy it was written under
    /// lets this reader see it.
    pub byline: Option<(String, String)>,
    /// Whether the reader may edit it.
    pub can_write: bool,
    /// Whether the reader is a member of its desk (sees versions, counts).
    pub member: bool,
    /// What the reader said of it.
    pub my_feedback: Option<bool>,
    /// Its versions, newest first, each byline shown per its policy
    /// (members only).
    pub versions: Vec<(ArticleVersion, Option<(String, String)>)>,
}

/// The reader's role on the article's desk, refusing (as not found) what
/// they may not read.
async fn readable(
    app: &App,
    by: &Caller,
    id: i64,
) -> Result<(Article, Option<ProfileRole>), Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let article = app.store.articles().article(id).await?;
    let role = app
        .store
        .shared_profiles()
        .profile_role(article.profile_id, by.user.id)
        .await?;
    authorize(
        Some(&by.actor()),
        Action::ReadArticle {
            role,
            published: article.status == ArticleStatus::Published,
            members_only: article.audience == Audience::Members,
        },
    )
    .map_err(|_| Error::NotFound)?;
    Ok((article, role))
}

/// The profiles the caller is a member of.
async fn member_of(app: &App, by: &Caller) -> Result<Vec<i64>, Error> {
    Ok(app
        .store
        .shared_profiles()
        .memberships_of(by.user.id, None)
        .await?
        .into_iter()
        .map(|m| m.profile_id)
        .collect())
}

/// The help desk named `handle` (its help desk on), with the caller's role.
async fn desk(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Option<ProfileRole>), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    match app.store.tickets().help_desk(profile.id).await? {
        Some(d) if d.enabled => Ok((profile, role)),
        _ => Err(Error::NotFound),
    }
}

/// Whether `role` may write articles (checked again, with the roster,
/// inside the speak function's transaction).
fn may_write(by: &Caller, role: Option<ProfileRole>) -> bool {
    authorize(
        Some(&by.actor()),
        Action::SpeakAs {
            role,
            speech: byline_core::shared_profile::Speech::Article,
            duty: byline_core::shared_profile::Duty::NotRequired,
        },
    )
    .is_ok()
}

/// Articles the caller may read: one desk's (`handle`) or every desk's,
/// matching `query` when one is given.
pub async fn list(
    app: &App,
    by: &Caller,
    handle: Option<&str>,
    query: Option<&str>,
) -> Result<ArticleList, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let (desk, role) = match handle.filter(|h| !h.is_empty()) {
        Some(h) => {
            let (p, role) = desk(app, by, h).await?;
            (Some(p), role)
        }
        None => (None, None),
    };
    let readable = Readable {
        member_of: member_of(app, by).await?,
        published_only: false,
        desk: desk.as_ref().map(|d| d.id),
    };
    let query = query.map(str::trim).filter(|q| !q.is_empty());
    let articles = match query {
        Some(q) => {
            let q = SearchQuery::parse(q)?;
            app.store
                .articles()
                .search(q.terms(), false, &readable, LIST_LIMIT)
                .await?
        }
        None => app.store.articles().articles(&readable, LIST_LIMIT).await?,
    };
    Ok(ArticleList {
        can_write: desk.is_some() && may_write(by, role),
        desk,
        articles,
        query: query.map(str::to_owned),
    })
}

/// One article, with its byline as the reader may see it.
pub async fn page(app: &App, by: &Caller, id: i64) -> Result<ArticlePage, Error> {
    let (article, role) = readable(app, by, id).await?;
    let lens = BylineLens::for_viewer(app, by).await?;
    let byline = lens.reveal_parts(
        Some(&article.attribution_policy),
        article.profile_id,
        (&article.written_by.0, &article.written_by.1),
    );
    let member = role.is_some();
    let versions = if member {
        app.store
            .articles()
            .versions(article.id)
            .await?
            .into_iter()
            .map(|v| {
                let shown = lens.reveal_parts(
                    Some(&v.attribution_policy),
                    article.profile_id,
                    (&v.writer_name, &v.writer_handle),
                );
                (v, shown)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ArticlePage {
        my_feedback: app
            .store
            .articles()
            .feedback_of(article.id, by.user.id)
            .await?,
        can_write: may_write(by, role),
        member,
        byline,
        versions,
        article,
    })
}

/// Saves `form` as `profile` through the one speak function.
async fn save(
    app: &App,
    by: &Caller,
    profile: &Profile,
    article_id: Option<i64>,
    form: &ArticleForm,
    default_status: ArticleStatus,
    source_ticket_id: Option<i64>,
) -> Result<Article, Error> {
    let text = ArticleText::parse(&form.title, &form.body, &form.tags)?;
    let status = match form.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => ArticleStatus::parse(s)?,
        None => default_status,
    };
    let audience = match form.audience.as_deref().filter(|s| !s.is_empty()) {
        Some(a) => Audience::parse(a)?,
        None => Audience::Staff,
    };
    let html = text.render().html;
    let draft = ArticleDraft {
        article_id,
        based_on: form.based_on,
        text: &text,
        body_html: &html,
        status,
        audience,
        source_ticket_id,
    };
    let at = now();
    // Writing an article should not leave its writer speaking as the
    // profile everywhere else: a session opened for this save ends with it.
    let was_acting = crate::acting::current_at(app, by, at)
        .await?
        .is_some_and(|s| s.membership.profile_id == profile.id);
    let voice = crate::acting::voice_at(app, by, &profile.handle, at).await?;
    let spoken = app
        .store
        .speak(&voice, Utterance::Article(&draft), at)
        .await;
    if !was_acting {
        crate::acting::switch_out_at(app, by, "article saved", at).await?;
    }
    match spoken? {
        Spoken::Article(id) => Ok(app.store.articles().article(id).await?),
        _ => Err(Error::Internal(
            "an article write said something else".into(),
        )),
    }
}

/// Writes a new article for the help desk `handle`, as the profile (a
/// draft unless the form says otherwise).
pub async fn create(
    app: &App,
    by: &Caller,
    handle: &str,
    form: &ArticleForm,
) -> Result<Article, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    // Only those who may speak as the desk at all get as far as checking
    // the words; the speak function then decides the rest (role, shift).
    authorize(Some(&by.actor()), Action::ActAs { role })?;
    save(app, by, &profile, None, form, ArticleStatus::Draft, None).await
}

/// Saves a new version of article `id`, as its profile.
pub async fn edit(app: &App, by: &Caller, id: i64, form: &ArticleForm) -> Result<Article, Error> {
    let (article, role) = readable(app, by, id).await?;
    authorize(Some(&by.actor()), Action::ActAs { role })?;
    let (profile, _) = desk(app, by, &article.desk_handle).await?;
    save(
        app,
        by,
        &profile,
        Some(article.id),
        form,
        article.status,
        None,
    )
    .await
}

/// Turns a solved (or closed) ticket into a draft article linked to it:
/// the request and the desk's public answers, never its internal notes.
pub async fn write_up(app: &App, by: &Caller, handle: &str, number: i64) -> Result<Article, Error> {
    let page = crate::tickets::ticket(app, by, handle, number).await?;
    if !page.can_work {
        return Err(Error::Forbidden);
    }
    let ticket = &page.ticket;
    if !matches!(ticket.status, TicketStatus::Solved | TicketStatus::Closed) {
        return Err(Error::Invalid(
            "only a solved ticket is written up as an article; solve it first".into(),
        ));
    }
    let viewer = by.user.profile_id;
    let mut question = String::new();
    let mut answers: Vec<String> = Vec::new();
    for e in page.events.iter().filter(|e| e.kind != "note") {
        // Words of the request and its answers: posts in its thread, or
        // the messages of a direct conversation.
        let words = match (e.post_id, &e.message_body) {
            (Some(post_id), _) => {
                let post = app.store.posts().post_for(post_id, viewer).await?;
                if post.deleted_at.is_some() {
                    continue;
                }
                post.body
            }
            (None, Some(body)) => body.clone(),
            (None, None) => continue,
        };
        match e.kind.as_str() {
            "opened" | "requester_reply" => {
                for line in words.lines() {
                    question.push_str("> ");
                    question.push_str(line);
                    question.push('\n');
                }
                question.push('\n');
            }
            "answer" => answers.push(words),
            _ => {}
        }
    }
    let body = format!(
        "## The question\n\n{question}## The answer\n\n{}\n",
        if answers.is_empty() {
            "(write the answer here)".to_owned()
        } else {
            answers.join("\n\n")
        }
    );
    let form = ArticleForm {
        title: ticket.subject.clone(),
        body,
        tags: String::new(),
        audience: Some("staff".into()),
        status: Some("draft".into()),
        based_on: None,
    };
    save(
        app,
        by,
        &page.profile,
        None,
        &form,
        ArticleStatus::Draft,
        Some(ticket.id),
    )
    .await
}

/// Records whether the caller found article `id` helpful.
pub async fn feedback(app: &App, by: &Caller, id: i64, helpful: bool) -> Result<Article, Error> {
    let (article, _) = readable(app, by, id).await?;
    app.store
        .articles()
        .record_feedback(article.id, by.user.id, helpful, now())
        .await?;
    Ok(app.store.articles().article(article.id).await?)
}

/// "This solved it": records that article `id` answered the caller; with
/// `ticket` (their own request to the article's desk, by number) a
/// request still being worked on is solved by them.
pub async fn deflect(
    app: &App,
    by: &Caller,
    id: i64,
    ticket: Option<i64>,
) -> Result<Deflected, Error> {
    let (article, _) = readable(app, by, id).await?;
    if article.status != ArticleStatus::Published {
        return Err(Error::Invalid(
            "only a published article can be what solved it".into(),
        ));
    }
    let ticket_id = match ticket {
        Some(number) => {
            let t = app
                .store
                .tickets()
                .ticket(article.profile_id, number)
                .await
                .map_err(|_| Error::NotFound)?;
            let requester = t.requester_profile_id == by.user.profile_id;
            // Someone else's request is not theirs to know about.
            authorize(Some(&by.actor()), Action::SolveOwnRequest { requester })
                .map_err(|_| Error::NotFound)?;
            Some(t.id)
        }
        None => None,
    };
    let mut deflect = by.audit("article.deflect", format!("article:{}", article.id));
    deflect.profile_id = Some(article.profile_id);
    let mut solve = by.audit(
        "ticket.status",
        ticket_id.map_or_else(String::new, |t| format!("ticket:{t}")),
    );
    solve.profile_id = Some(article.profile_id);
    solve.details = serde_json::json!({ "to": "solved", "by_article": article.id }).to_string();
    let done = app
        .store
        .articles()
        .record_deflection(&article, by.user.id, ticket_id, &deflect, &solve, now())
        .await?;
    if let Some(t) = done.solved_ticket {
        crate::tickets::schedule_clock_jobs(app, t).await?;
    }
    Ok(done)
}

/// Articles to offer while the caller types `text` to a help desk: the
/// desks it mentions (and `to`, the handles a message is for), their
/// published articles readable by the caller matching any of its words,
/// best first. Nothing to offer is an empty list, never an error.
pub async fn suggest(
    app: &App,
    by: &Caller,
    text: &str,
    to: Option<&str>,
) -> Result<Vec<Article>, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let mut handles: Vec<String> = match PostText::parse(text) {
        Ok(t) => scan(&t).mentions,
        Err(_) => Vec::new(),
    };
    for h in to
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|h| !h.is_empty())
    {
        handles.push(h.trim_start_matches('@').to_lowercase());
    }
    let terms = suggestion_terms(text);
    if terms.is_empty() || handles.is_empty() {
        return Ok(Vec::new());
    }
    let member_of = member_of(app, by).await?;
    let mut found: Vec<Article> = Vec::new();
    for handle in handles.iter().take(3) {
        // A mention of anyone but a help desk offers nothing.
        let Ok((profile, _)) = desk(app, by, handle).await else {
            continue;
        };
        let readable = Readable {
            member_of: member_of.clone(),
            published_only: true,
            desk: Some(profile.id),
        };
        found.extend(
            app.store
                .articles()
                .search(&terms, true, &readable, SUGGESTIONS)
                .await?,
        );
    }
    found.truncate(SUGGESTIONS as usize);
    Ok(found)
}

/// Articles that may answer an open request, for its requester.
pub async fn for_ticket(
    app: &App,
    by: &Caller,
    profile_id: i64,
    subject: &str,
) -> Result<Vec<Article>, Error> {
    let readable = Readable {
        member_of: member_of(app, by).await?,
        published_only: true,
        desk: Some(profile_id),
    };
    Ok(app
        .store
        .articles()
        .search(&suggestion_terms(subject), true, &readable, 3)
        .await?)
}
