-- Publishing: what a shared profile plans to say through its channels,
-- reviewed in tiers, scheduled in the profile's zone and released by the
-- job runner; campaigns group publications, count the clicks on their
-- short links and keep their spend and results for ROI reports.

-- A profile's publishing settings: its zone and approval rules (JSON).
CREATE TABLE publishing_settings (
    profile_id      BIGINT  PRIMARY KEY REFERENCES profiles (id),
    time_zone       TEXT    NOT NULL,
    approval_rules  TEXT    NOT NULL,
    updated_by      BIGINT  REFERENCES users (id),
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE campaigns (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id    BIGINT  NOT NULL REFERENCES profiles (id),
    name          TEXT    NOT NULL,
    starts_on     TEXT    NOT NULL,
    ends_on       TEXT    NOT NULL,
    budget_cents  BIGINT  NOT NULL,
    goal          TEXT    NOT NULL,
    created_by    BIGINT  NOT NULL REFERENCES users (id),
    created_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX campaigns_name ON campaigns (profile_id, lower(name));

CREATE TABLE campaign_spend (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id  BIGINT  NOT NULL REFERENCES campaigns (id),
    channel_id   BIGINT  REFERENCES channels (id),
    spent_on     TEXT    NOT NULL,
    cents        BIGINT  NOT NULL CHECK (cents > 0),
    note         TEXT    NOT NULL,
    entered_by   BIGINT  NOT NULL REFERENCES users (id),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX campaign_spend_by_campaign ON campaign_spend (campaign_id, spent_on);

CREATE TABLE campaign_results (
    id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id    BIGINT  NOT NULL REFERENCES campaigns (id),
    channel_id     BIGINT  REFERENCES channels (id),
    result_on      TEXT    NOT NULL,
    leads          BIGINT  NOT NULL CHECK (leads >= 0),
    conversions    BIGINT  NOT NULL CHECK (conversions >= 0),
    revenue_cents  BIGINT  NOT NULL CHECK (revenue_cents >= 0),
    source         TEXT    NOT NULL CHECK (source IN ('hand', 'csv', 'api')),
    entered_by     BIGINT  NOT NULL REFERENCES users (id),
    created_at     BIGINT  NOT NULL
);
CREATE INDEX campaign_results_by_campaign ON campaign_results (campaign_id, result_on);

-- The schedule (due_at, scheduled_by, acting_session_id, source_address)
-- is written by the speak function: it is the byline the release speaks
-- under when the scheduler's session is long over.
CREATE TABLE publications (
    id                 BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id         BIGINT  NOT NULL REFERENCES profiles (id),
    title              TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'scheduled', 'publishing', 'published', 'failed', 'rejected')),
    campaign_id        BIGINT  REFERENCES campaigns (id),
    written_by         BIGINT  NOT NULL REFERENCES users (id),
    version            BIGINT  NOT NULL DEFAULT 1,
    due_at             BIGINT ,
    scheduled_by       BIGINT  REFERENCES users (id),
    acting_session_id  BIGINT ,
    source_address     TEXT,
    reason             TEXT,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    published_at       BIGINT 
);
CREATE INDEX publications_by_due ON publications (profile_id, due_at);
CREATE INDEX publications_by_campaign ON publications (campaign_id) WHERE campaign_id IS NOT NULL;

-- One channel's words for a publication.
CREATE TABLE publication_variants (
    publication_id  BIGINT  NOT NULL REFERENCES publications (id),
    channel_id      BIGINT  NOT NULL REFERENCES channels (id),
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    PRIMARY KEY (publication_id, channel_id)
);

-- Approvals count for one version: an edit needs them again.
CREATE TABLE publication_approvals (
    publication_id  BIGINT  NOT NULL REFERENCES publications (id),
    version         BIGINT  NOT NULL,
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    tier            BIGINT  NOT NULL,
    at              BIGINT  NOT NULL,
    PRIMARY KEY (publication_id, version, user_id)
);

CREATE TABLE publication_comments (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    publication_id  BIGINT  NOT NULL REFERENCES publications (id),
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    body            TEXT    NOT NULL,
    at              BIGINT  NOT NULL
);
CREATE INDEX publication_comments_by_publication ON publication_comments (publication_id, id);

-- A publication's history as its page shows it (the audit log has the
-- same steps, hash-chained).
CREATE TABLE publication_events (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    publication_id  BIGINT  NOT NULL REFERENCES publications (id),
    user_id         BIGINT  REFERENCES users (id),
    event           TEXT    NOT NULL,
    detail          TEXT    NOT NULL,
    at              BIGINT  NOT NULL
);
CREATE INDEX publication_events_by_publication ON publication_events (publication_id, id);

ALTER TABLE channel_deliveries ADD COLUMN publication_id BIGINT  REFERENCES publications (id);
CREATE INDEX channel_deliveries_by_publication ON channel_deliveries (publication_id) WHERE publication_id IS NOT NULL;

-- A short link in a campaign's publication: one per link, publication and
-- channel, so clicks count per channel.
CREATE TABLE short_links (
    code            TEXT    PRIMARY KEY,
    campaign_id     BIGINT  REFERENCES campaigns (id),
    publication_id  BIGINT  NOT NULL REFERENCES publications (id),
    channel_id      BIGINT  NOT NULL REFERENCES channels (id),
    target          TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX short_links_once ON short_links (publication_id, channel_id, target);

-- Clicks keep a day and a count, nothing about who clicked.
CREATE TABLE link_clicks (
    code    TEXT    NOT NULL REFERENCES short_links (code),
    day     BIGINT  NOT NULL,
    clicks  BIGINT  NOT NULL,
    PRIMARY KEY (code, day)
);

-- The steps people are told about.
ALTER TABLE notifications ADD COLUMN publication_id BIGINT REFERENCES publications (id);
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator', 'sla_warning', 'sla_breach', 'vault_reveal', 'vault_rotate', 'publication_submitted', 'publication_approved', 'publication_rejected', 'publication_published', 'publication_failed'));
