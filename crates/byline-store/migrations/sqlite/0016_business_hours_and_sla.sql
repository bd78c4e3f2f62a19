-- A help desk's business hours (its zone, working blocks per weekday,
-- holidays) and its SLA targets per priority, in business minutes.
ALTER TABLE help_desks ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- Whose turn it was last, for round-robin assignment.
ALTER TABLE help_desks ADD COLUMN last_assigned_user_id INTEGER REFERENCES users (id);

CREATE TABLE business_blocks (
    profile_id    INTEGER NOT NULL REFERENCES help_desks (profile_id),
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute  INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    PRIMARY KEY (profile_id, weekday, start_minute)
) STRICT;

CREATE TABLE business_holidays (
    profile_id  INTEGER NOT NULL REFERENCES help_desks (profile_id),
    day         TEXT    NOT NULL,
    PRIMARY KEY (profile_id, day)
) STRICT;

CREATE TABLE sla_policies (
    profile_id              INTEGER NOT NULL REFERENCES help_desks (profile_id),
    priority                TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_response_minutes  INTEGER CHECK (first_response_minutes > 0),
    next_response_minutes   INTEGER CHECK (next_response_minutes > 0),
    resolution_minutes      INTEGER CHECK (resolution_minutes > 0),
    warn_before_minutes     INTEGER NOT NULL DEFAULT 0 CHECK (warn_before_minutes >= 0),
    PRIMARY KEY (profile_id, priority)
) STRICT;
