-- Tags members put on tickets (lowercase words, checked by byline-core,
-- at most ten a ticket), found by desk and tag for the inbox's filter.
CREATE TABLE ticket_tags (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    tag         TEXT   NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_by_desk ON ticket_tags (profile_id, tag, ticket_id);

-- A change of tags is a ticket event like any other.
ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_kind_check;
ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_kind_check
    CHECK (kind IN ('opened', 'requester_reply', 'answer', 'note', 'status', 'assigned', 'priority', 'sla', 'rated', 'tags'));
