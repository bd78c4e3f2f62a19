-- Accounts: users, their personal profiles, sessions, API tokens and the
-- record of failed sign-ins that rate-limits guessing.
-- Times are UTC microseconds since the Unix epoch (BIGINT), as on SQLite,
-- so both backends sort, compare and hash them identically.

CREATE TABLE users (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           TEXT    NOT NULL,
    display_name    TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('staff', 'admin')),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT  NOT NULL,
    deactivated_at  BIGINT,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE profiles (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle          TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('personal', 'shared')),
    display_name    TEXT    NOT NULL,
    bio             TEXT    NOT NULL DEFAULT '',
    user_id         BIGINT  UNIQUE REFERENCES users (id),
    created_at      BIGINT  NOT NULL,
    CONSTRAINT profiles_handle_key UNIQUE (handle),
    CHECK ((kind = 'personal') = (user_id IS NOT NULL))
);

CREATE TABLE sessions (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    token_digest    BYTEA   NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL,
    last_seen_at    BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    source_address  TEXT    NOT NULL,
    user_agent      TEXT    NOT NULL,
    revoked_at      BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE api_tokens (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    name            TEXT    NOT NULL,
    token_digest    BYTEA   NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE sign_in_failures (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           TEXT    NOT NULL,
    source_address  TEXT    NOT NULL,
    at              BIGINT  NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (source_address, at);
