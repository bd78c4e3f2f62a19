-- Direct messages: conversations between two or more profiles.
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    created_by       INTEGER NOT NULL REFERENCES profiles (id),
    created_at       INTEGER NOT NULL,
    last_message_id  INTEGER NOT NULL DEFAULT 0,
    -- Sorted participant ids ("3,8"), so a conversation between the same
    -- people is found again instead of duplicated.
    participant_key  TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TABLE conversation_members (
    conversation_id  INTEGER NOT NULL REFERENCES conversations (id),
    profile_id       INTEGER NOT NULL REFERENCES profiles (id),
    last_read_id     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, profile_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX conversation_members_by_profile ON conversation_members (profile_id, conversation_id);

CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    conversation_id     INTEGER NOT NULL REFERENCES conversations (id),
    author_profile_id   INTEGER NOT NULL REFERENCES profiles (id),
    written_by_user_id  INTEGER NOT NULL REFERENCES users (id),
    body                TEXT    NOT NULL,
    body_html           TEXT    NOT NULL,
    created_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

ALTER TABLE notifications ADD COLUMN conversation_id INTEGER REFERENCES conversations (id);
