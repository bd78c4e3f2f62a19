-- Publishing: what a shared profile plans to say through its channels,
-- reviewed in tiers, scheduled in the profile's zone and released by the
-- job runner; campaigns group publications, count the clicks on their
-- short links and keep their spend and results for ROI reports.

-- A profile's publishing settings: its zone and approval rules (JSON).
CREATE TABLE publishing_settings (
    profile_id      INTEGER PRIMARY KEY REFERENCES profiles (id),
    time_zone       TEXT    NOT NULL,
    approval_rules  TEXT    NOT NULL,
    updated_by      INTEGER REFERENCES users (id),
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE campaigns (
    id            INTEGER PRIMARY KEY,
    profile_id    INTEGER NOT NULL REFERENCES profiles (id),
    name          TEXT    NOT NULL,
    starts_on     TEXT    NOT NULL,
    ends_on       TEXT    NOT NULL,
    budget_cents  INTEGER NOT NULL,
    goal          TEXT    NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX campaigns_name ON campaigns (profile_id, lower(name));

CREATE TABLE campaign_spend (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    channel_id   INTEGER REFERENCES channels (id),
    spent_on     TEXT    NOT NULL,
    cents        INTEGER NOT NULL CHECK (cents > 0),
    note         TEXT    NOT NULL,
    entered_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX campaign_spend_by_campaign ON campaign_spend (campaign_id, spent_on);

CREATE TABLE campaign_results (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns (id),
    channel_id     INTEGER REFERENCES channels (id),
    result_on      TEXT    NOT NULL,
    leads          INTEGER NOT NULL CHECK (leads >= 0),
    conversions    INTEGER NOT NULL CHECK (conversions >= 0),
    revenue_cents  INTEGER NOT NULL CHECK (revenue_cents >= 0),
    source         TEXT    NOT NULL CHECK (source IN ('hand', 'csv', 'api')),
    entered_by     INTEGER NOT NULL REFERENCES users (id),
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX campaign_results_by_campaign ON campaign_results (campaign_id, result_on);

-- The schedule (due_at, scheduled_by, acting_session_id, source_address)
-- is written by the speak function: it is the byline the release speaks
-- under when the scheduler's session is long over.
CREATE TABLE publications (
    id                 INTEGER PRIMARY KEY,
    profile_id         INTEGER NOT NULL REFERENCES profiles (id),
    title              TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'scheduled', 'publishing', 'published', 'failed', 'rejected')),
    campaign_id        INTEGER REFERENCES campaigns (id),
    written_by         INTEGER NOT NULL REFERENCES users (id),
    version            INTEGER NOT NULL DEFAULT 1,
    due_at             INTEGER,
    scheduled_by       INTEGER REFERENCES users (id),
    acting_session_id  INTEGER,
    source_address     TEXT,
    reason             TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    published_at       INTEGER
) STRICT;
CREATE INDEX publications_by_due ON publications (profile_id, due_at);
CREATE INDEX publications_by_campaign ON publications (campaign_id) WHERE campaign_id IS NOT NULL;

-- One channel's words for a publication.
CREATE TABLE publication_variants (
    publication_id  INTEGER NOT NULL REFERENCES publications (id),
    channel_id      INTEGER NOT NULL REFERENCES channels (id),
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    PRIMARY KEY (publication_id, channel_id)
) STRICT;

-- Approvals count for one version: an edit needs them again.
CREATE TABLE publication_approvals (
    publication_id  INTEGER NOT NULL REFERENCES publications (id),
    version         INTEGER NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    tier            INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    PRIMARY KEY (publication_id, version, user_id)
) STRICT;

CREATE TABLE publication_comments (
    id              INTEGER PRIMARY KEY,
    publication_id  INTEGER NOT NULL REFERENCES publications (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    body            TEXT    NOT NULL,
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX publication_comments_by_publication ON publication_comments (publication_id, id);

-- A publication's history as its page shows it (the audit log has the
-- same steps, hash-chained).
CREATE TABLE publication_events (
    id              INTEGER PRIMARY KEY,
    publication_id  INTEGER NOT NULL REFERENCES publications (id),
    user_id         INTEGER REFERENCES users (id),
    event           TEXT    NOT NULL,
    detail          TEXT    NOT NULL,
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX publication_events_by_publication ON publication_events (publication_id, id);

ALTER TABLE channel_deliveries ADD COLUMN publication_id INTEGER REFERENCES publications (id);
CREATE INDEX channel_deliveries_by_publication ON channel_deliveries (publication_id) WHERE publication_id IS NOT NULL;

-- A short link in a campaign's publication: one per link, publication and
-- channel, so clicks count per channel.
CREATE TABLE short_links (
    code            TEXT    PRIMARY KEY,
    campaign_id     INTEGER REFERENCES campaigns (id),
    publication_id  INTEGER NOT NULL REFERENCES publications (id),
    channel_id      INTEGER NOT NULL REFERENCES channels (id),
    target          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX short_links_once ON short_links (publication_id, channel_id, target);

-- Clicks keep a day and a count, nothing about who clicked.
CREATE TABLE link_clicks (
    code    TEXT    NOT NULL REFERENCES short_links (code),
    day     INTEGER NOT NULL,
    clicks  INTEGER NOT NULL,
    PRIMARY KEY (code, day)
) STRICT;

-- The steps people are told about. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt with the new kinds.
CREATE TABLE notifications_next (
    id                    INTEGER PRIMARY KEY,
    recipient_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    kind                  TEXT    NOT NULL CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator', 'sla_warning', 'sla_breach', 'vault_reveal', 'vault_rotate', 'publication_submitted', 'publication_approved', 'publication_rejected', 'publication_published', 'publication_failed')),
    actor_profile_id      INTEGER NOT NULL REFERENCES profiles (id),
    post_id               INTEGER REFERENCES posts (id),
    community_id          INTEGER REFERENCES communities (id),
    created_at            INTEGER NOT NULL,
    read_at               INTEGER,
    conversation_id       INTEGER REFERENCES conversations (id),
    secret_id             INTEGER REFERENCES vault_secrets (id),
    publication_id        INTEGER REFERENCES publications (id)
) STRICT;
INSERT INTO notifications_next (id, recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at, read_at, conversation_id, secret_id)
SELECT id, recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at, read_at, conversation_id, secret_id FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_next RENAME TO notifications;
CREATE INDEX notifications_by_recipient ON notifications (recipient_profile_id, id);
