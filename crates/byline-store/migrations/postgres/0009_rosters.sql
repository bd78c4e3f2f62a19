-- Rosters: shifts for the members of a shared profile, and the optional
-- rule that only members on shift may speak as it (owners exempt).
ALTER TABLE profiles ADD COLUMN shift_only BOOLEAN NOT NULL DEFAULT FALSE;

-- A shift is kept as typed (wall-clock times, zone, RRULE) because its
-- UTC instants depend on the zone's rules; occurrences are computed.
-- Removed shifts stay so that "who was on duty at T" in the past holds.
CREATE TABLE shifts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id    BIGINT NOT NULL REFERENCES profiles (id),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    time_zone     TEXT   NOT NULL,
    starts_local  TEXT   NOT NULL,
    ends_local    TEXT   NOT NULL,
    recurrence    TEXT,
    note          TEXT   NOT NULL DEFAULT '',
    first_start   BIGINT NOT NULL,
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    removed_at    BIGINT
);
CREATE INDEX shifts_by_profile ON shifts (profile_id, user_id);
