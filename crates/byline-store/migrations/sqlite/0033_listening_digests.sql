-- Listening's weekly digest for a help desk's owners, kept so that it
-- reads the same later, and the notifications that tell of it and of a
-- new incident. SQLite cannot change a CHECK constraint in place, so the
-- notifications table is rebuilt with the new kinds.

CREATE TABLE listening_digests (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    -- The Monday the week starts on (YYYY-MM-DD, UTC).
    week        TEXT    NOT NULL,
    -- The figures, JSON.
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (profile_id, week)
) STRICT;

CREATE TABLE notifications_next (
    id                    INTEGER PRIMARY KEY,
    recipient_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    kind                  TEXT    NOT NULL CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator', 'sla_warning', 'sla_breach', 'vault_reveal', 'vault_rotate', 'publication_submitted', 'publication_approved', 'publication_rejected', 'publication_published', 'publication_failed', 'listening_incident', 'listening_digest')),
    actor_profile_id      INTEGER NOT NULL REFERENCES profiles (id),
    post_id               INTEGER REFERENCES posts (id),
    community_id          INTEGER REFERENCES communities (id),
    created_at            INTEGER NOT NULL,
    read_at               INTEGER,
    conversation_id       INTEGER REFERENCES conversations (id),
    secret_id             INTEGER REFERENCES vault_secrets (id),
    publication_id        INTEGER REFERENCES publications (id)
) STRICT;
INSERT INTO notifications_next (id, recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at, read_at, conversation_id, secret_id, publication_id)
SELECT id, recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at, read_at, conversation_id, secret_id, publication_id FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_next RENAME TO notifications;
CREATE INDEX notifications_by_recipient ON notifications (recipient_profile_id, id);
