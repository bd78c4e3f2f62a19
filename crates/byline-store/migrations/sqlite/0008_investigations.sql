-- Investigators (granted by admins) and their investigations: the only way
-- to reveal sealed attribution.
CREATE TABLE investigators (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    granted_by  INTEGER NOT NULL REFERENCES users (id),
    granted_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE investigations (
    id               INTEGER PRIMARY KEY,
    investigator_id  INTEGER NOT NULL REFERENCES users (id),
    reason           TEXT    NOT NULL,
    profile_id       INTEGER NOT NULL REFERENCES profiles (id),
    window_from      INTEGER NOT NULL,
    window_to        INTEGER NOT NULL,
    opened_at        INTEGER NOT NULL,
    closed_at        INTEGER,
    outcome          TEXT,
    CHECK (window_to > window_from)
) STRICT;
CREATE INDEX investigations_by_profile ON investigations (profile_id, opened_at);
CREATE INDEX investigations_open_by_investigator ON investigations (investigator_id) WHERE closed_at IS NULL;
