-- The audit log: append-only, hash-chained. The head row holds the last
-- sequence number and hash; appenders update it first, which serialises
-- them through its row lock until they commit.
CREATE TABLE audit_events (
    seq             BIGINT  PRIMARY KEY,
    at              BIGINT  NOT NULL,
    user_id         BIGINT,
    profile_id      BIGINT,
    action          TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    source_address  TEXT    NOT NULL,
    details         TEXT    NOT NULL,
    prev_hash       BYTEA   NOT NULL,
    hash            BYTEA   NOT NULL
);
CREATE INDEX audit_events_by_at ON audit_events (at);

CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  BYTEA  NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));
