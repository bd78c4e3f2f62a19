-- How the requester rated the help they got: once per solve of a ticket,
-- kept with the member who had the ticket then.
CREATE TABLE ticket_ratings (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id         BIGINT NOT NULL REFERENCES tickets (id),
    profile_id        BIGINT NOT NULL REFERENCES help_desks (profile_id),
    solved_at         BIGINT NOT NULL,
    assignee_user_id  BIGINT REFERENCES users (id),
    score             BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment           TEXT   NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    UNIQUE (ticket_id, solved_at)
);
CREATE INDEX ticket_ratings_by_desk ON ticket_ratings (profile_id, created_at);
