-- Channels: where a shared profile publishes besides the network (its own
-- feed, a signed webhook, e-mail). Settings that are not secret are kept
-- here as JSON; credentials live in the vault (vault_secrets.channel_id).
CREATE TABLE channels (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id       BIGINT  NOT NULL REFERENCES profiles (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('feed', 'webhook', 'email')),
    name             TEXT    NOT NULL,
    settings         TEXT    NOT NULL,
    secret_id        BIGINT  REFERENCES vault_secrets (id),
    created_by       BIGINT  NOT NULL REFERENCES users (id),
    created_at       BIGINT  NOT NULL,
    tested_at        BIGINT,
    test_ok          BOOLEAN,
    test_message     TEXT,
    disconnected_at  BIGINT
);
CREATE UNIQUE INDEX channels_name ON channels (profile_id, lower(name)) WHERE disconnected_at IS NULL;

-- Something said through a channel: recorded (with its byline) when a
-- member sends it, delivered by the job runner.
CREATE TABLE channel_deliveries (
    id                 BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id         BIGINT  NOT NULL REFERENCES channels (id),
    profile_id         BIGINT  NOT NULL REFERENCES profiles (id),
    sent_by            BIGINT  NOT NULL REFERENCES users (id),
    acting_session_id  BIGINT  NOT NULL,
    source_address     TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    body               TEXT    NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('queued', 'delivered', 'failed')),
    attempts           BIGINT  NOT NULL DEFAULT 0,
    remote_ref         TEXT,
    last_error         TEXT,
    created_at         BIGINT  NOT NULL,
    finished_at        BIGINT
);
CREATE INDEX channel_deliveries_by_channel ON channel_deliveries (channel_id, id);

-- The delivery log: every attempt and what the far end answered.
CREATE TABLE channel_attempts (
    delivery_id  BIGINT  NOT NULL REFERENCES channel_deliveries (id),
    attempt      BIGINT  NOT NULL,
    at           BIGINT  NOT NULL,
    ok           BOOLEAN NOT NULL,
    permanent    BOOLEAN NOT NULL,
    status       TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    millis       BIGINT  NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
