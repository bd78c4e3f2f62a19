-- Listening's weekly digest for a help desk's owners, kept so that it
-- reads the same later, and the notifications that tell of it and of a
-- new incident.

CREATE TABLE listening_digests (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id  BIGINT  NOT NULL REFERENCES profiles (id),
    -- The Monday the week starts on (YYYY-MM-DD, UTC).
    week        TEXT    NOT NULL,
    -- The figures, JSON.
    body        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    UNIQUE (profile_id, week)
);

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator', 'sla_warning', 'sla_breach', 'vault_reveal', 'vault_rotate', 'publication_submitted', 'publication_approved', 'publication_rejected', 'publication_published', 'publication_failed', 'listening_incident', 'listening_digest'));
