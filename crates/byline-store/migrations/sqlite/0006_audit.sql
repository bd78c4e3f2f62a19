-- The audit log: append-only, hash-chained. The head row holds the last
-- sequence number and hash; appenders update it first, which serialises
-- them (BEGIN IMMEDIATE on SQLite, the row lock on PostgreSQL).
CREATE TABLE audit_events (
    seq             INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    user_id         INTEGER,
    profile_id      INTEGER,
    action          TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    source_address  TEXT    NOT NULL,
    details         TEXT    NOT NULL,
    prev_hash       BLOB    NOT NULL,
    hash            BLOB    NOT NULL
) STRICT;
CREATE INDEX audit_events_by_at ON audit_events (at);

CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  BLOB    NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));
