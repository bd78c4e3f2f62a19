-- A help desk's ready answers, with placeholders for the ticket at hand.
CREATE TABLE canned_replies (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id  BIGINT NOT NULL REFERENCES help_desks (profile_id),
    title       TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    UNIQUE (profile_id, title)
);
