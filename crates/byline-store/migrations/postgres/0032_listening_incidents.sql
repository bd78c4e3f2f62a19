-- Incidents: a spike on a watched topic opens a ticket in the desk's
-- inbox; the posts that set it off, and those that match while it stays
-- open, are attached to it, each with the reply that answered its thread.

CREATE TABLE listening_incidents (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic_id     BIGINT  NOT NULL REFERENCES listening_topics (id) ON DELETE CASCADE,
    profile_id   BIGINT  NOT NULL REFERENCES profiles (id),
    ticket_id    BIGINT  NOT NULL UNIQUE REFERENCES tickets (id),
    opened_at    BIGINT  NOT NULL,
    -- What the spike test saw: distinct people in the window, what the
    -- same window usually holds, and the chance of as many by luck.
    posters      BIGINT  NOT NULL,
    expected     DOUBLE PRECISION NOT NULL,
    tail         DOUBLE PRECISION NOT NULL
);
CREATE INDEX listening_incidents_by_topic ON listening_incidents (topic_id, id);
CREATE INDEX listening_incidents_by_profile ON listening_incidents (profile_id, id);

CREATE TABLE incident_posts (
    incident_id        BIGINT  NOT NULL REFERENCES listening_incidents (id) ON DELETE CASCADE,
    post_id            BIGINT  NOT NULL REFERENCES posts (id),
    thread_root_id     BIGINT  NOT NULL REFERENCES posts (id),
    poster_profile_id  BIGINT  NOT NULL REFERENCES profiles (id),
    at                 BIGINT  NOT NULL,
    -- The desk's reply in this post's thread, once the incident answered
    -- (claimed at answered_at before it is said, so two members answering
    -- at once do not both reply in one thread).
    answered_at        BIGINT,
    answer_post_id     BIGINT  REFERENCES posts (id),
    PRIMARY KEY (incident_id, post_id)
);
