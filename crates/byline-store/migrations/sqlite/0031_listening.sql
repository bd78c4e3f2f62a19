-- Listening: the topics a help desk watches in the organisation's open
-- posts, the posts that matched them, how far the listener has read, and
-- the incidents its spike alerts opened.

CREATE TABLE listening_topics (
    id           INTEGER PRIMARY KEY,
    profile_id   INTEGER NOT NULL REFERENCES profiles (id),
    name         TEXT    NOT NULL,
    -- The terms, a JSON array of strings.
    terms        TEXT    NOT NULL,
    sensitivity  INTEGER NOT NULL CHECK (sensitivity BETWEEN 1 AND 10),
    min_posters  INTEGER NOT NULL CHECK (min_posters BETWEEN 2 AND 100),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX listening_topics_name ON listening_topics (profile_id, lower(name));

CREATE TABLE topic_matches (
    topic_id           INTEGER NOT NULL REFERENCES listening_topics (id) ON DELETE CASCADE,
    post_id            INTEGER NOT NULL REFERENCES posts (id),
    poster_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    at                 INTEGER NOT NULL,
    PRIMARY KEY (topic_id, post_id)
) STRICT;
CREATE INDEX topic_matches_by_time ON topic_matches (topic_id, at);

-- The last post the listener has read (one row).
CREATE TABLE listening_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_post_id  INTEGER NOT NULL
) STRICT;
INSERT INTO listening_cursor (id, last_post_id) SELECT 1, COALESCE(MAX(id), 0) FROM posts;
