-- The credential vault: a shared profile's secrets, each sealed under a
-- data key of its own that the master key (kept outside the database)
-- wraps. Names, kinds and custodians are in clear; every field is sealed.
CREATE TABLE vault_secrets (
    id           INTEGER PRIMARY KEY,
    uid          TEXT    NOT NULL UNIQUE,
    profile_id   INTEGER NOT NULL REFERENCES profiles (id),
    channel_id   INTEGER,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('login', 'password', 'api_token', 'oauth', 'totp', 'note')),
    has_totp     INTEGER NOT NULL DEFAULT 0,
    two_person   INTEGER NOT NULL DEFAULT 0,
    key_id       TEXT    NOT NULL,
    wrapped_key  BLOB    NOT NULL,
    sealed       BLOB    NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    changed_at   INTEGER NOT NULL,
    reminded_at  INTEGER,
    removed_at   INTEGER
) STRICT;
CREATE UNIQUE INDEX vault_secrets_name ON vault_secrets (profile_id, lower(name)) WHERE removed_at IS NULL;
-- Key rotation walks the entries still wrapped under an old key.
CREATE INDEX vault_secrets_by_key ON vault_secrets (key_id, id);

-- Who may reveal, copy, edit and rotate a secret.
CREATE TABLE vault_custodians (
    secret_id  INTEGER NOT NULL REFERENCES vault_secrets (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    added_by   INTEGER NOT NULL REFERENCES users (id),
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (secret_id, user_id)
) STRICT;
CREATE INDEX vault_custodians_by_user ON vault_custodians (user_id);

-- A reveal of a two-person secret waits here for a second custodian.
CREATE TABLE vault_requests (
    id            INTEGER PRIMARY KEY,
    secret_id     INTEGER NOT NULL REFERENCES vault_secrets (id),
    requested_by  INTEGER NOT NULL REFERENCES users (id),
    reason        TEXT    NOT NULL,
    requested_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    approved_by   INTEGER REFERENCES users (id),
    approved_at   INTEGER,
    used_at       INTEGER
) STRICT;
CREATE INDEX vault_requests_by_secret ON vault_requests (secret_id, id);

-- Who saw what: the list of secrets to rotate when a person leaves.
CREATE TABLE vault_exposures (
    secret_id  INTEGER NOT NULL REFERENCES vault_secrets (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    first_at   INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, secret_id)
) STRICT;

-- A secret to rotate: someone who saw it left, or it grew old.
CREATE TABLE vault_rotations (
    id              INTEGER PRIMARY KEY,
    secret_id       INTEGER NOT NULL REFERENCES vault_secrets (id),
    reason          TEXT    NOT NULL CHECK (reason IN ('leaver', 'age')),
    leaver_user_id  INTEGER REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    done_at         INTEGER,
    done_by         INTEGER REFERENCES users (id)
) STRICT;
CREATE UNIQUE INDEX vault_rotations_open ON vault_rotations (secret_id, reason, COALESCE(leaver_user_id, 0)) WHERE done_at IS NULL;

-- Owners hear of reveals and of secrets to rotate. SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with the new kinds.
CREATE TABLE notifications_next (
    id                    INTEGER PRIMARY KEY,
    recipient_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    kind                  TEXT    NOT NULL CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator', 'sla_warning', 'sla_breach', 'vault_reveal', 'vault_rotate')),
    actor_profile_id      INTEGER NOT NULL REFERENCES profiles (id),
    post_id               INTEGER REFERENCES posts (id),
    community_id          INTEGER REFERENCES communities (id),
    created_at            INTEGER NOT NULL,
    read_at               INTEGER,
    conversation_id       INTEGER REFERENCES conversations (id),
    secret_id             INTEGER REFERENCES vault_secrets (id)
) STRICT;
INSERT INTO notifications_next (id, recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at, read_at, conversation_id)
SELECT id, recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at, read_at, conversation_id FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_next RENAME TO notifications;
CREATE INDEX notifications_by_recipient ON notifications (recipient_profile_id, id);
