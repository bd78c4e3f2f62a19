-- Channels: where a shared profile publishes besides the network (its own
-- feed, a signed webhook, e-mail). Settings that are not secret are kept
-- here as JSON; credentials live in the vault (vault_secrets.channel_id).
CREATE TABLE channels (
    id               INTEGER PRIMARY KEY,
    profile_id       INTEGER NOT NULL REFERENCES profiles (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('feed', 'webhook', 'email')),
    name             TEXT    NOT NULL,
    settings         TEXT    NOT NULL,
    secret_id        INTEGER REFERENCES vault_secrets (id),
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    tested_at        INTEGER,
    test_ok          INTEGER,
    test_message     TEXT,
    disconnected_at  INTEGER
) STRICT;
CREATE UNIQUE INDEX channels_name ON channels (profile_id, lower(name)) WHERE disconnected_at IS NULL;

-- Something said through a channel: recorded (with its byline) when a
-- member sends it, delivered by the job runner.
CREATE TABLE channel_deliveries (
    id                 INTEGER PRIMARY KEY,
    channel_id         INTEGER NOT NULL REFERENCES channels (id),
    profile_id         INTEGER NOT NULL REFERENCES profiles (id),
    sent_by            INTEGER NOT NULL REFERENCES users (id),
    acting_session_id  INTEGER NOT NULL,
    source_address     TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    body               TEXT    NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('queued', 'delivered', 'failed')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    remote_ref         TEXT,
    last_error         TEXT,
    created_at         INTEGER NOT NULL,
    finished_at        INTEGER
) STRICT;
CREATE INDEX channel_deliveries_by_channel ON channel_deliveries (channel_id, id);

-- The delivery log: every attempt and what the far end answered.
CREATE TABLE channel_attempts (
    delivery_id  INTEGER NOT NULL REFERENCES channel_deliveries (id),
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    ok           INTEGER NOT NULL,
    permanent    INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    millis       INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
) STRICT;
