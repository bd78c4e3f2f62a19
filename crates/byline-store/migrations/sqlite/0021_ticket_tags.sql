-- Tags members put on tickets (lowercase words, checked by byline-core,
-- at most ten a ticket), found by desk and tag for the inbox's filter.
CREATE TABLE ticket_tags (
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    tag         TEXT    NOT NULL,
    PRIMARY KEY (ticket_id, tag)
) STRICT;
CREATE INDEX ticket_tags_by_desk ON ticket_tags (profile_id, tag, ticket_id);

-- A change of tags is a ticket event like any other. SQLite cannot change
-- a CHECK constraint in place, so the table is rebuilt with the new kind.
CREATE TABLE ticket_events_next (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('opened', 'requester_reply', 'answer', 'note', 'status', 'assigned', 'priority', 'sla', 'rated', 'tags')),
    by_user_id   INTEGER REFERENCES users (id),
    post_id      INTEGER REFERENCES posts (id),
    detail       TEXT    NOT NULL DEFAULT '',
    body_html    TEXT
) STRICT;
INSERT INTO ticket_events_next (id, ticket_id, at, kind, by_user_id, post_id, detail, body_html)
SELECT id, ticket_id, at, kind, by_user_id, post_id, detail, body_html FROM ticket_events;
DROP TABLE ticket_events;
ALTER TABLE ticket_events_next RENAME TO ticket_events;
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);
