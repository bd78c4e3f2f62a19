-- Investigators (granted by admins) and their investigations: the only way
-- to reveal sealed attribution.
CREATE TABLE investigators (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id),
    granted_by  BIGINT NOT NULL REFERENCES users (id),
    granted_at  BIGINT NOT NULL
);

CREATE TABLE investigations (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    investigator_id  BIGINT NOT NULL REFERENCES users (id),
    reason           TEXT    NOT NULL,
    profile_id       BIGINT NOT NULL REFERENCES profiles (id),
    window_from      BIGINT NOT NULL,
    window_to        BIGINT NOT NULL,
    opened_at        BIGINT NOT NULL,
    closed_at        BIGINT,
    outcome          TEXT,
    CHECK (window_to > window_from)
);
CREATE INDEX investigations_by_profile ON investigations (profile_id, opened_at);
CREATE INDEX investigations_open_by_investigator ON investigations (investigator_id) WHERE closed_at IS NULL;
