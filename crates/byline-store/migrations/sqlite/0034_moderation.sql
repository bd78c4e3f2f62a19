-- Moderation: reports on what people can see, one open report a thing
-- however many people file it (each filing kept), the outcome reporters
-- are shown, and the reason a moderator's removal shows in a post's place.

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    target_kind   TEXT    NOT NULL CHECK (target_kind IN ('post', 'message', 'profile', 'community')),
    target_id     INTEGER NOT NULL,
    -- The community a reported post lives in: its moderators may act.
    community_id  INTEGER REFERENCES communities (id),
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'actioned', 'escalated')),
    opened_at     INTEGER NOT NULL,
    closed_at     INTEGER,
    closed_by     INTEGER REFERENCES users (id),
    -- What reporters are told became of it.
    outcome       TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX reports_one_open ON reports (target_kind, target_id) WHERE status = 'open';
CREATE INDEX reports_by_status ON reports (status, id);

CREATE TABLE report_filings (
    report_id            INTEGER NOT NULL REFERENCES reports (id),
    reporter_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    reason               TEXT    NOT NULL,
    note                 TEXT    NOT NULL DEFAULT '',
    filed_at             INTEGER NOT NULL,
    PRIMARY KEY (report_id, reporter_profile_id)
) STRICT;
CREATE INDEX report_filings_by_reporter ON report_filings (reporter_profile_id, filed_at);

ALTER TABLE posts ADD COLUMN removed_reason TEXT;
