-- The social network: communities, posts with history, mentions, tags,
-- reactions, follows and notifications.

CREATE TABLE communities (
    id              INTEGER PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    visibility      TEXT    NOT NULL CHECK (visibility IN ('open', 'closed', 'secret')),
    created_by      INTEGER NOT NULL REFERENCES profiles (id),
    created_at      INTEGER NOT NULL,
    member_count    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE community_members (
    community_id    INTEGER NOT NULL REFERENCES communities (id),
    profile_id      INTEGER NOT NULL REFERENCES profiles (id),
    role            TEXT    NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    state           TEXT    NOT NULL CHECK (state IN ('member', 'requested', 'invited')),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (community_id, profile_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX community_members_by_profile ON community_members (profile_id, state, community_id);

CREATE TABLE posts (
    id                  INTEGER PRIMARY KEY,
    author_profile_id   INTEGER NOT NULL REFERENCES profiles (id),
    written_by_user_id  INTEGER NOT NULL REFERENCES users (id),
    community_id        INTEGER REFERENCES communities (id),
    reply_to_id         INTEGER REFERENCES posts (id),
    thread_root_id      INTEGER REFERENCES posts (id),
    body                TEXT    NOT NULL,
    body_html           TEXT    NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    reply_count         INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    edited_at           INTEGER,
    deleted_at          INTEGER,
    deleted_by_user_id  INTEGER REFERENCES users (id)
) STRICT;
CREATE INDEX posts_by_author ON posts (author_profile_id, id);
CREATE INDEX posts_by_community ON posts (community_id, id) WHERE community_id IS NOT NULL;
CREATE INDEX posts_by_thread ON posts (thread_root_id, id) WHERE thread_root_id IS NOT NULL;

CREATE TABLE post_versions (
    post_id             INTEGER NOT NULL REFERENCES posts (id),
    version             INTEGER NOT NULL,
    body                TEXT    NOT NULL,
    body_html           TEXT    NOT NULL,
    written_at          INTEGER NOT NULL,
    written_by_user_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (post_id, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE post_mentions (
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    PRIMARY KEY (post_id, profile_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE post_tags (
    tag         TEXT    NOT NULL,
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    PRIMARY KEY (tag, post_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX post_tags_by_post ON post_tags (post_id);

CREATE TABLE reactions (
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    reaction    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (post_id, profile_id, reaction)
) STRICT, WITHOUT ROWID;

CREATE TABLE follows (
    follower_id INTEGER NOT NULL REFERENCES profiles (id),
    followee_id INTEGER NOT NULL REFERENCES profiles (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (follower_id, followee_id),
    CHECK (follower_id <> followee_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX follows_by_followee ON follows (followee_id, follower_id);

CREATE TABLE notifications (
    id                    INTEGER PRIMARY KEY,
    recipient_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    kind                  TEXT    NOT NULL CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message')),
    actor_profile_id      INTEGER NOT NULL REFERENCES profiles (id),
    post_id               INTEGER REFERENCES posts (id),
    community_id          INTEGER REFERENCES communities (id),
    created_at            INTEGER NOT NULL,
    read_at               INTEGER
) STRICT;
CREATE INDEX notifications_by_recipient ON notifications (recipient_profile_id, id);
