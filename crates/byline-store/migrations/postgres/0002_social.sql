-- The social network: communities, posts with history, mentions, tags,
-- reactions, follows and notifications.

CREATE TABLE communities (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    visibility      TEXT    NOT NULL CHECK (visibility IN ('open', 'closed', 'secret')),
    created_by      BIGINT NOT NULL REFERENCES profiles (id),
    created_at      BIGINT NOT NULL,
    member_count    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE community_members (
    community_id    BIGINT NOT NULL REFERENCES communities (id),
    profile_id      BIGINT NOT NULL REFERENCES profiles (id),
    role            TEXT    NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    state           TEXT    NOT NULL CHECK (state IN ('member', 'requested', 'invited')),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (community_id, profile_id)
);
CREATE INDEX community_members_by_profile ON community_members (profile_id, state, community_id);

CREATE TABLE posts (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_profile_id   BIGINT NOT NULL REFERENCES profiles (id),
    written_by_user_id  BIGINT NOT NULL REFERENCES users (id),
    community_id        BIGINT REFERENCES communities (id),
    reply_to_id         BIGINT REFERENCES posts (id),
    thread_root_id      BIGINT REFERENCES posts (id),
    body                TEXT    NOT NULL,
    body_html           TEXT    NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    reply_count         BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    edited_at           BIGINT,
    deleted_at          BIGINT,
    deleted_by_user_id  BIGINT REFERENCES users (id)
);
CREATE INDEX posts_by_author ON posts (author_profile_id, id);
CREATE INDEX posts_by_community ON posts (community_id, id) WHERE community_id IS NOT NULL;
CREATE INDEX posts_by_thread ON posts (thread_root_id, id) WHERE thread_root_id IS NOT NULL;

CREATE TABLE post_versions (
    post_id             BIGINT NOT NULL REFERENCES posts (id),
    version             BIGINT NOT NULL,
    body                TEXT    NOT NULL,
    body_html           TEXT    NOT NULL,
    written_at          BIGINT NOT NULL,
    written_by_user_id  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (post_id, version)
);

CREATE TABLE post_mentions (
    post_id     BIGINT NOT NULL REFERENCES posts (id),
    profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    PRIMARY KEY (post_id, profile_id)
);

CREATE TABLE post_tags (
    tag         TEXT    NOT NULL,
    post_id     BIGINT NOT NULL REFERENCES posts (id),
    PRIMARY KEY (tag, post_id)
);
CREATE INDEX post_tags_by_post ON post_tags (post_id);

CREATE TABLE reactions (
    post_id     BIGINT NOT NULL REFERENCES posts (id),
    profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    reaction    TEXT    NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (post_id, profile_id, reaction)
);

CREATE TABLE follows (
    follower_id BIGINT NOT NULL REFERENCES profiles (id),
    followee_id BIGINT NOT NULL REFERENCES profiles (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (follower_id, followee_id),
    CHECK (follower_id <> followee_id)
);
CREATE INDEX follows_by_followee ON follows (followee_id, follower_id);

CREATE TABLE notifications (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    kind                  TEXT    NOT NULL CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message')),
    actor_profile_id      BIGINT NOT NULL REFERENCES profiles (id),
    post_id               BIGINT REFERENCES posts (id),
    community_id          BIGINT REFERENCES communities (id),
    created_at            BIGINT NOT NULL,
    read_at               BIGINT
);
CREATE INDEX notifications_by_recipient ON notifications (recipient_profile_id, id);
