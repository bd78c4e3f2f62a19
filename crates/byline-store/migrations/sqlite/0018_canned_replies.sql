-- A help desk's ready answers, with placeholders for the ticket at hand.
CREATE TABLE canned_replies (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES help_desks (profile_id),
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    UNIQUE (profile_id, title)
) STRICT;
