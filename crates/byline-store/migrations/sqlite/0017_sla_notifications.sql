-- The assignee and the owners of a help desk hear when a ticket's SLA is
-- about to be missed and when it is. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt with the new kinds.
CREATE TABLE notifications_next (
    id                    INTEGER PRIMARY KEY,
    recipient_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    kind                  TEXT    NOT NULL CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator', 'sla_warning', 'sla_breach')),
    actor_profile_id      INTEGER NOT NULL REFERENCES profiles (id),
    post_id               INTEGER REFERENCES posts (id),
    community_id          INTEGER REFERENCES communities (id),
    created_at            INTEGER NOT NULL,
    read_at               INTEGER,
    conversation_id       INTEGER REFERENCES conversations (id)
) STRICT;
INSERT INTO notifications_next (id, recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at, read_at, conversation_id)
SELECT id, recipient_profile_id, kind, actor_profile_id, post_id, community_id, created_at, read_at, conversation_id FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_next RENAME TO notifications;
CREATE INDEX notifications_by_recipient ON notifications (recipient_profile_id, id);
