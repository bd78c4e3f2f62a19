-- Listening: the topics a help desk watches in the organisation's open
-- posts, the posts that matched them, how far the listener has read, and
-- the incidents its spike alerts opened.

CREATE TABLE listening_topics (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id   BIGINT  NOT NULL REFERENCES profiles (id),
    name         TEXT    NOT NULL,
    -- The terms, a JSON array of strings.
    terms        TEXT    NOT NULL,
    sensitivity  BIGINT  NOT NULL CHECK (sensitivity BETWEEN 1 AND 10),
    min_posters  BIGINT  NOT NULL CHECK (min_posters BETWEEN 2 AND 100),
    created_by   BIGINT  NOT NULL REFERENCES users (id),
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX listening_topics_name ON listening_topics (profile_id, lower(name));

CREATE TABLE topic_matches (
    topic_id           BIGINT  NOT NULL REFERENCES listening_topics (id) ON DELETE CASCADE,
    post_id            BIGINT  NOT NULL REFERENCES posts (id),
    poster_profile_id  BIGINT  NOT NULL REFERENCES profiles (id),
    at                 BIGINT  NOT NULL,
    PRIMARY KEY (topic_id, post_id)
);
CREATE INDEX topic_matches_by_time ON topic_matches (topic_id, at);

-- The last post the listener has read (one row).
CREATE TABLE listening_cursor (
    id            BIGINT  PRIMARY KEY CHECK (id = 1),
    last_post_id  BIGINT  NOT NULL
);
INSERT INTO listening_cursor (id, last_post_id) SELECT 1, COALESCE(MAX(id), 0) FROM posts;
