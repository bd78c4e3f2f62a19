-- A shared profile's help desk: turned on by an owner; mentions of the
-- profile become tickets, numbered per profile.
CREATE TABLE help_desks (
    profile_id       INTEGER PRIMARY KEY REFERENCES profiles (id),
    enabled          INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    assignment       TEXT    NOT NULL DEFAULT 'round_robin' CHECK (assignment IN ('round_robin', 'least_loaded', 'manual')),
    open_limit       INTEGER NOT NULL DEFAULT 25 CHECK (open_limit >= 1),
    auto_close_days  INTEGER NOT NULL DEFAULT 4 CHECK (auto_close_days >= 1),
    next_number      INTEGER NOT NULL DEFAULT 1,
    enabled_by       INTEGER NOT NULL REFERENCES users (id),
    enabled_at       INTEGER NOT NULL
) STRICT;

-- A ticket: one request to a help desk, opened by a post that mentions the
-- profile. `thread_root_id` groups the conversation: the requester's
-- replies in that thread land on the ticket.
CREATE TABLE tickets (
    id                    INTEGER PRIMARY KEY,
    profile_id            INTEGER NOT NULL REFERENCES profiles (id),
    number                INTEGER NOT NULL,
    requester_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    subject               TEXT    NOT NULL,
    status                TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    priority              TEXT    NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_user_id      INTEGER REFERENCES users (id),
    source_post_id        INTEGER NOT NULL REFERENCES posts (id),
    thread_root_id        INTEGER NOT NULL REFERENCES posts (id),
    previous_ticket_id    INTEGER REFERENCES tickets (id),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    solved_at             INTEGER,
    closed_at             INTEGER,
    UNIQUE (profile_id, number)
) STRICT;
CREATE INDEX tickets_by_status ON tickets (profile_id, status, id);
CREATE INDEX tickets_by_requester ON tickets (requester_profile_id, id);
CREATE INDEX tickets_by_thread ON tickets (thread_root_id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_user_id, status);

-- What happened to a ticket, in order: the history its SLA clocks are
-- computed from, and the notes only members see.
CREATE TABLE ticket_events (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('opened', 'requester_reply', 'answer', 'note', 'status', 'assigned', 'priority', 'sla', 'rated')),
    by_user_id   INTEGER REFERENCES users (id),
    post_id      INTEGER REFERENCES posts (id),
    detail       TEXT    NOT NULL DEFAULT '',
    body_html    TEXT
) STRICT;
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);
