-- The knowledge base: articles a help-desk profile writes, each save a
-- version with its byline (who wrote it as the profile, under which
-- policy), searchable in full text; feedback and deflections.
CREATE TABLE articles (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id        BIGINT NOT NULL REFERENCES profiles (id),
    status            TEXT   NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    audience          TEXT   NOT NULL CHECK (audience IN ('staff', 'members')),
    title             TEXT   NOT NULL,
    body              TEXT   NOT NULL,
    body_html         TEXT   NOT NULL,
    tags              TEXT   NOT NULL DEFAULT '',
    version           BIGINT NOT NULL,
    source_ticket_id  BIGINT REFERENCES tickets (id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    published_at      BIGINT,
    search            tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', tags), 'B')
        || setweight(to_tsvector('english', body), 'C')
    ) STORED
);
CREATE INDEX articles_by_desk ON articles (profile_id, status, updated_at);
CREATE INDEX articles_search ON articles USING GIN (search);

-- Every save of an article, with the byline of whoever wrote it.
CREATE TABLE article_versions (
    article_id          BIGINT NOT NULL REFERENCES articles (id),
    version             BIGINT NOT NULL,
    status              TEXT   NOT NULL,
    audience            TEXT   NOT NULL,
    title               TEXT   NOT NULL,
    body                TEXT   NOT NULL,
    tags                TEXT   NOT NULL,
    written_by_user_id  BIGINT NOT NULL REFERENCES users (id),
    acting_session_id   BIGINT NOT NULL REFERENCES acting_sessions (id),
    attribution_policy  TEXT   NOT NULL,
    written_at          BIGINT NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- "Was this helpful?": one answer per reader, which they may change.
CREATE TABLE article_feedback (
    article_id  BIGINT  NOT NULL REFERENCES articles (id),
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    helpful     BOOLEAN NOT NULL,
    at          BIGINT  NOT NULL,
    PRIMARY KEY (article_id, user_id)
);

-- An article that answered someone before (or instead of) a person did.
CREATE TABLE kb_deflections (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    article_id  BIGINT NOT NULL REFERENCES articles (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    ticket_id   BIGINT REFERENCES tickets (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX kb_deflections_by_desk ON kb_deflections (profile_id, created_at);
