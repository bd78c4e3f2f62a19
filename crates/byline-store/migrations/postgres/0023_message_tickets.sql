-- Direct messages to a help desk become tickets too: a ticket belongs to a
-- thread of posts or to a conversation, so its post columns may be empty.
ALTER TABLE tickets ALTER COLUMN source_post_id DROP NOT NULL;
ALTER TABLE tickets ALTER COLUMN thread_root_id DROP NOT NULL;
ALTER TABLE tickets ADD COLUMN conversation_id BIGINT REFERENCES conversations (id);
ALTER TABLE tickets ADD COLUMN source_message_id BIGINT REFERENCES messages (id);
ALTER TABLE tickets ADD CONSTRAINT tickets_thread_or_conversation
    CHECK ((thread_root_id IS NULL) <> (conversation_id IS NULL));
CREATE INDEX tickets_by_conversation ON tickets (conversation_id);
-- A message in a ticket's history, as a post is.
ALTER TABLE ticket_events ADD COLUMN message_id BIGINT REFERENCES messages (id);
