-- The knowledge base: articles a help-desk profile writes, each save a
-- version with its byline (who wrote it as the profile, under which
-- policy), searchable in full text; feedback and deflections.
CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,
    profile_id        INTEGER NOT NULL REFERENCES profiles (id),
    status            TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    audience          TEXT    NOT NULL CHECK (audience IN ('staff', 'members')),
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    body_html         TEXT    NOT NULL,
    tags              TEXT    NOT NULL DEFAULT '',
    version           INTEGER NOT NULL,
    source_ticket_id  INTEGER REFERENCES tickets (id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    published_at      INTEGER
) STRICT;
CREATE INDEX articles_by_desk ON articles (profile_id, status, updated_at);

-- Every save of an article, with the byline of whoever wrote it.
CREATE TABLE article_versions (
    article_id          INTEGER NOT NULL REFERENCES articles (id),
    version             INTEGER NOT NULL,
    status              TEXT    NOT NULL,
    audience            TEXT    NOT NULL,
    title               TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    tags                TEXT    NOT NULL,
    written_by_user_id  INTEGER NOT NULL REFERENCES users (id),
    acting_session_id   INTEGER NOT NULL REFERENCES acting_sessions (id),
    attribution_policy  TEXT    NOT NULL,
    written_at          INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
) STRICT;

-- "Was this helpful?": one answer per reader, which they may change.
CREATE TABLE article_feedback (
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    helpful     INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    at          INTEGER NOT NULL,
    PRIMARY KEY (article_id, user_id)
) STRICT;

-- An article that answered someone before (or instead of) a person did.
CREATE TABLE kb_deflections (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    ticket_id   INTEGER REFERENCES tickets (id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX kb_deflections_by_desk ON kb_deflections (profile_id, created_at);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title,
    body,
    tags,
    content = 'articles',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body, tags ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body, tags) VALUES ('delete', old.id, old.title, old.body, old.tags);
    INSERT INTO articles_fts (rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;
