-- Every word said as a shared profile keeps its byline: edits (the version
-- history keeps each version's), deletions, reactions and messages.
ALTER TABLE post_versions ADD COLUMN acting_session_id INTEGER REFERENCES acting_sessions (id);
ALTER TABLE posts ADD COLUMN deleted_acting_session_id INTEGER REFERENCES acting_sessions (id);
ALTER TABLE reactions ADD COLUMN acting_session_id INTEGER REFERENCES acting_sessions (id);
ALTER TABLE messages ADD COLUMN acting_session_id INTEGER REFERENCES acting_sessions (id);
ALTER TABLE messages ADD COLUMN attribution_policy TEXT;
