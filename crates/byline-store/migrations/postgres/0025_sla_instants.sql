-- When a ticket's first running SLA clock reaches its warning, and when it
-- is due, as its clocks stood after its last change (computed by
-- byline-core's clocks from the history and the desk's calendar, and
-- computed again on every change, calendar or target change). The
-- "breaching soon" view and its count on every inbox page read these
-- instead of every open ticket's history.
ALTER TABLE tickets ADD COLUMN sla_warn_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
CREATE INDEX tickets_breaching ON tickets (profile_id, sla_warn_at) WHERE status IN ('new', 'open');
