-- Direct messages: conversations between two or more profiles.
CREATE TABLE conversations (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_by       BIGINT NOT NULL REFERENCES profiles (id),
    created_at       BIGINT NOT NULL,
    last_message_id  BIGINT NOT NULL DEFAULT 0,
    -- Sorted participant ids ("3,8"), so a conversation between the same
    -- people is found again instead of duplicated.
    participant_key  TEXT    NOT NULL UNIQUE
);

CREATE TABLE conversation_members (
    conversation_id  BIGINT NOT NULL REFERENCES conversations (id),
    profile_id       BIGINT NOT NULL REFERENCES profiles (id),
    last_read_id     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, profile_id)
);
CREATE INDEX conversation_members_by_profile ON conversation_members (profile_id, conversation_id);

CREATE TABLE messages (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id     BIGINT NOT NULL REFERENCES conversations (id),
    author_profile_id   BIGINT NOT NULL REFERENCES profiles (id),
    written_by_user_id  BIGINT NOT NULL REFERENCES users (id),
    body                TEXT    NOT NULL,
    body_html           TEXT    NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

ALTER TABLE notifications ADD COLUMN conversation_id BIGINT REFERENCES conversations (id);
