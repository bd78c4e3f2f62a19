-- Accounts: users, their personal profiles, sessions, API tokens and the
-- record of failed sign-ins that rate-limits guessing.
-- Times are UTC microseconds since the Unix epoch.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('staff', 'admin')),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      INTEGER NOT NULL,
    deactivated_at  INTEGER
) STRICT;

CREATE TABLE profiles (
    id              INTEGER PRIMARY KEY,
    handle          TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('personal', 'shared')),
    display_name    TEXT    NOT NULL,
    bio             TEXT    NOT NULL DEFAULT '',
    user_id         INTEGER UNIQUE REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    CHECK ((kind = 'personal') = (user_id IS NOT NULL))
) STRICT;

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    token_digest    BLOB    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    source_address  TEXT    NOT NULL,
    user_agent      TEXT    NOT NULL,
    revoked_at      INTEGER
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    name            TEXT    NOT NULL,
    token_digest    BLOB    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    revoked_at      INTEGER
) STRICT;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE sign_in_failures (
    id              INTEGER PRIMARY KEY,
    email           TEXT    NOT NULL,
    source_address  TEXT    NOT NULL,
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (source_address, at);
