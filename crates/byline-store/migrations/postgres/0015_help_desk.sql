-- A shared profile's help desk: turned on by an owner; mentions of the
-- profile become tickets, numbered per profile.
CREATE TABLE help_desks (
    profile_id       BIGINT  PRIMARY KEY REFERENCES profiles (id),
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    assignment       TEXT    NOT NULL DEFAULT 'round_robin' CHECK (assignment IN ('round_robin', 'least_loaded', 'manual')),
    open_limit       BIGINT  NOT NULL DEFAULT 25 CHECK (open_limit >= 1),
    auto_close_days  BIGINT  NOT NULL DEFAULT 4 CHECK (auto_close_days >= 1),
    next_number      BIGINT  NOT NULL DEFAULT 1,
    enabled_by       BIGINT  NOT NULL REFERENCES users (id),
    enabled_at       BIGINT  NOT NULL
);

-- A ticket: one request to a help desk, opened by a post that mentions the
-- profile. `thread_root_id` groups the conversation: the requester's
-- replies in that thread land on the ticket.
CREATE TABLE tickets (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id            BIGINT NOT NULL REFERENCES profiles (id),
    number                BIGINT NOT NULL,
    requester_profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    subject               TEXT   NOT NULL,
    status                TEXT   NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    priority              TEXT   NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_user_id      BIGINT REFERENCES users (id),
    source_post_id        BIGINT NOT NULL REFERENCES posts (id),
    thread_root_id        BIGINT NOT NULL REFERENCES posts (id),
    previous_ticket_id    BIGINT REFERENCES tickets (id),
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    solved_at             BIGINT,
    closed_at             BIGINT,
    UNIQUE (profile_id, number)
);
CREATE INDEX tickets_by_status ON tickets (profile_id, status, id);
CREATE INDEX tickets_by_requester ON tickets (requester_profile_id, id);
CREATE INDEX tickets_by_thread ON tickets (thread_root_id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_user_id, status);

-- What happened to a ticket, in order: the history its SLA clocks are
-- computed from, and the notes only members see.
CREATE TABLE ticket_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id),
    at           BIGINT NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('opened', 'requester_reply', 'answer', 'note', 'status', 'assigned', 'priority', 'sla', 'rated')),
    by_user_id   BIGINT REFERENCES users (id),
    post_id      BIGINT REFERENCES posts (id),
    detail       TEXT   NOT NULL DEFAULT '',
    body_html    TEXT
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);
