-- Rosters: shifts for the members of a shared profile, and the optional
-- rule that only members on shift may speak as it (owners exempt).
ALTER TABLE profiles ADD COLUMN shift_only INTEGER NOT NULL DEFAULT 0 CHECK (shift_only IN (0, 1));

-- A shift is kept as typed (wall-clock times, zone, RRULE) because its
-- UTC instants depend on the zone's rules; occurrences are computed.
-- Removed shifts stay so that "who was on duty at T" in the past holds.
CREATE TABLE shifts (
    id            INTEGER PRIMARY KEY,
    profile_id    INTEGER NOT NULL REFERENCES profiles (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    time_zone     TEXT    NOT NULL,
    starts_local  TEXT    NOT NULL,
    ends_local    TEXT    NOT NULL,
    recurrence    TEXT,
    note          TEXT    NOT NULL DEFAULT '',
    first_start   INTEGER NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    removed_at    INTEGER
) STRICT;
CREATE INDEX shifts_by_profile ON shifts (profile_id, user_id);
