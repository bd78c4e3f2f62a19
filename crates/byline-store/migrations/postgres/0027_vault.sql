-- The credential vault: a shared profile's secrets, each sealed under a
-- data key of its own that the master key (kept outside the database)
-- wraps. Names, kinds and custodians are in clear; every field is sealed.
CREATE TABLE vault_secrets (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uid          TEXT    NOT NULL UNIQUE,
    profile_id   BIGINT  NOT NULL REFERENCES profiles (id),
    channel_id   BIGINT,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('login', 'password', 'api_token', 'oauth', 'totp', 'note')),
    has_totp     BOOLEAN NOT NULL DEFAULT FALSE,
    two_person   BOOLEAN NOT NULL DEFAULT FALSE,
    key_id       TEXT    NOT NULL,
    wrapped_key  BYTEA   NOT NULL,
    sealed       BYTEA   NOT NULL,
    created_by   BIGINT  NOT NULL REFERENCES users (id),
    created_at   BIGINT  NOT NULL,
    changed_at   BIGINT  NOT NULL,
    reminded_at  BIGINT,
    removed_at   BIGINT
);
CREATE UNIQUE INDEX vault_secrets_name ON vault_secrets (profile_id, lower(name)) WHERE removed_at IS NULL;
-- Key rotation walks the entries still wrapped under an old key.
CREATE INDEX vault_secrets_by_key ON vault_secrets (key_id, id);

-- Who may reveal, copy, edit and rotate a secret.
CREATE TABLE vault_custodians (
    secret_id  BIGINT NOT NULL REFERENCES vault_secrets (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    added_by   BIGINT NOT NULL REFERENCES users (id),
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (secret_id, user_id)
);
CREATE INDEX vault_custodians_by_user ON vault_custodians (user_id);

-- A reveal of a two-person secret waits here for a second custodian.
CREATE TABLE vault_requests (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    secret_id     BIGINT NOT NULL REFERENCES vault_secrets (id),
    requested_by  BIGINT NOT NULL REFERENCES users (id),
    reason        TEXT   NOT NULL,
    requested_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    approved_by   BIGINT REFERENCES users (id),
    approved_at   BIGINT,
    used_at       BIGINT
);
CREATE INDEX vault_requests_by_secret ON vault_requests (secret_id, id);

-- Who saw what: the list of secrets to rotate when a person leaves.
CREATE TABLE vault_exposures (
    secret_id  BIGINT NOT NULL REFERENCES vault_secrets (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    first_at   BIGINT NOT NULL,
    last_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, secret_id)
);

-- A secret to rotate: someone who saw it left, or it grew old.
CREATE TABLE vault_rotations (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    secret_id       BIGINT NOT NULL REFERENCES vault_secrets (id),
    reason          TEXT   NOT NULL CHECK (reason IN ('leaver', 'age')),
    leaver_user_id  BIGINT REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    done_at         BIGINT,
    done_by         BIGINT REFERENCES users (id)
);
CREATE UNIQUE INDEX vault_rotations_open ON vault_rotations (secret_id, reason, COALESCE(leaver_user_id, 0)) WHERE done_at IS NULL;

-- Owners hear of reveals and of secrets to rotate.
ALTER TABLE notifications ADD COLUMN secret_id BIGINT REFERENCES vault_secrets (id);
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator', 'sla_warning', 'sla_breach', 'vault_reveal', 'vault_rotate'));
