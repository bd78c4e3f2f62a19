-- An investigation may be scoped to specific posts of its profile; then
-- only their bylines (and their earlier versions') are revealed.
CREATE TABLE investigation_posts (
    investigation_id  INTEGER NOT NULL REFERENCES investigations (id),
    post_id           INTEGER NOT NULL REFERENCES posts (id),
    PRIMARY KEY (investigation_id, post_id)
) STRICT, WITHOUT ROWID;

-- "What was said as this profile in this window" reads the audit log.
CREATE INDEX audit_events_by_profile ON audit_events (profile_id, at) WHERE profile_id IS NOT NULL;
