-- Full-text search over posts with FTS5, kept in step with the posts table
-- by triggers (posts are never deleted, only emptied into tombstones).
CREATE VIRTUAL TABLE posts_fts USING fts5(
    body,
    content = 'posts',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER posts_fts_update AFTER UPDATE OF body ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO posts_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');
