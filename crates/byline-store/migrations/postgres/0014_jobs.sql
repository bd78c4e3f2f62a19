-- Durable jobs: work due at a time (SLA warnings, auto-close, reminders,
-- later publishing and retention), claimed by one runner at a time under a
-- lease, retried with backoff, kept after they finish for the record.
CREATE TABLE jobs (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    -- Scheduling the same key twice keeps the first: a job is named by
    -- what it is for (say "ticket:42:breach"), not by who asked.
    job_key       TEXT    UNIQUE,
    payload       TEXT    NOT NULL,
    due_at        BIGINT  NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'cancelled')),
    attempts      BIGINT  NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts  BIGINT  NOT NULL CHECK (max_attempts >= 1),
    leased_by     TEXT,
    leased_until  BIGINT,
    last_error    TEXT,
    created_at    BIGINT  NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX jobs_due ON jobs (due_at) WHERE state = 'pending';
