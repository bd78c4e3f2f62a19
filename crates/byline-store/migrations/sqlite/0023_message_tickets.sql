-- Direct messages to a help desk become tickets too: a ticket belongs to a
-- thread of posts or to a conversation, so its post columns may be empty.
-- SQLite changes a NOT NULL only by rebuilding the table. Other tables
-- refer to tickets by name, so the table is saved aside, dropped and made
-- again under the same name, and its rows put back; the foreign keys are
-- deferred to the commit, by which time every row they name is back.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE tickets_saved AS SELECT * FROM tickets;
DROP TABLE tickets;
CREATE TABLE tickets (
    id                    INTEGER PRIMARY KEY,
    profile_id            INTEGER NOT NULL REFERENCES profiles (id),
    number                INTEGER NOT NULL,
    requester_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    subject               TEXT    NOT NULL,
    status                TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    priority              TEXT    NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_user_id      INTEGER REFERENCES users (id),
    source_post_id        INTEGER REFERENCES posts (id),
    thread_root_id        INTEGER REFERENCES posts (id),
    previous_ticket_id    INTEGER REFERENCES tickets (id),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    solved_at             INTEGER,
    closed_at             INTEGER,
    conversation_id       INTEGER REFERENCES conversations (id),
    source_message_id     INTEGER REFERENCES messages (id),
    UNIQUE (profile_id, number),
    CHECK ((thread_root_id IS NULL) <> (conversation_id IS NULL))
) STRICT;
INSERT INTO tickets (id, profile_id, number, requester_profile_id, subject, status, priority,
    assignee_user_id, source_post_id, thread_root_id, previous_ticket_id, created_at, updated_at,
    solved_at, closed_at)
SELECT id, profile_id, number, requester_profile_id, subject, status, priority,
    assignee_user_id, source_post_id, thread_root_id, previous_ticket_id, created_at, updated_at,
    solved_at, closed_at FROM tickets_saved ORDER BY id;
DROP TABLE tickets_saved;
CREATE INDEX tickets_by_status ON tickets (profile_id, status, id);
CREATE INDEX tickets_by_requester ON tickets (requester_profile_id, id);
CREATE INDEX tickets_by_thread ON tickets (thread_root_id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_user_id, status);
CREATE INDEX tickets_by_conversation ON tickets (conversation_id);
-- A message in a ticket's history, as a post is.
ALTER TABLE ticket_events ADD COLUMN message_id INTEGER REFERENCES messages (id);
