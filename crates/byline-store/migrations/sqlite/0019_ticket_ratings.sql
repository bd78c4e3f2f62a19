-- How the requester rated the help they got: once per solve of a ticket,
-- kept with the member who had the ticket then.
CREATE TABLE ticket_ratings (
    id                INTEGER PRIMARY KEY,
    ticket_id         INTEGER NOT NULL REFERENCES tickets (id),
    profile_id        INTEGER NOT NULL REFERENCES help_desks (profile_id),
    solved_at         INTEGER NOT NULL,
    assignee_user_id  INTEGER REFERENCES users (id),
    score             INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment           TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    UNIQUE (ticket_id, solved_at)
) STRICT;
CREATE INDEX ticket_ratings_by_desk ON ticket_ratings (profile_id, created_at);
