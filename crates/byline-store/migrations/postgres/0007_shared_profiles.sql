-- Shared profiles: members with roles, the attribution policy, acting
-- sessions, and the byline on every post spoken as a profile.
ALTER TABLE profiles ADD COLUMN attribution_policy TEXT NOT NULL DEFAULT 'signed'
    CHECK (attribution_policy IN ('signed', 'internal', 'sealed'));

CREATE TABLE profile_members (
    profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    role        TEXT    NOT NULL CHECK (role IN ('owner', 'editor', 'responder', 'observer')),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (profile_id, user_id)
);
CREATE INDEX profile_members_by_user ON profile_members (user_id, profile_id);

CREATE TABLE acting_sessions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id),
    profile_id      BIGINT NOT NULL REFERENCES profiles (id),
    started_at      BIGINT NOT NULL,
    last_active_at  BIGINT NOT NULL,
    ended_at        BIGINT,
    end_reason      TEXT,
    source_address  TEXT    NOT NULL,
    user_agent      TEXT    NOT NULL
);
CREATE INDEX acting_sessions_open_by_user ON acting_sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX acting_sessions_by_profile ON acting_sessions (profile_id, started_at);

-- The byline: which acting session (hence which user) spoke, and under
-- which attribution policy.
ALTER TABLE posts ADD COLUMN acting_session_id BIGINT REFERENCES acting_sessions (id);
ALTER TABLE posts ADD COLUMN attribution_policy TEXT;
