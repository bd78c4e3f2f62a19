-- Full-text search over posts: a generated tsvector with a GIN index.
ALTER TABLE posts ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;
CREATE INDEX posts_search ON posts USING GIN (search);
