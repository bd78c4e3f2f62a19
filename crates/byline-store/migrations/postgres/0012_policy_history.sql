-- Every attribution policy a shared profile has had and since when, so that
-- each act is judged by the policy in force when it happened (a profile that
-- goes from sealed to internal reveals nothing said while sealed).
-- Filled from the audit log, which recorded every creation and change.
CREATE TABLE attribution_policy_changes (
    profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    since       BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    policy      TEXT   NOT NULL CHECK (policy IN ('signed', 'internal', 'sealed')),
    PRIMARY KEY (profile_id, since, seq)
);

INSERT INTO attribution_policy_changes (profile_id, since, seq, policy)
SELECT profile_id, at, seq, details::json ->> 'policy' FROM audit_events
WHERE action IN ('shared_profile.create', 'shared_profile.policy_change')
  AND profile_id IS NOT NULL
  AND details::json ->> 'policy' IN ('signed', 'internal', 'sealed')
  AND profile_id IN (SELECT id FROM profiles WHERE kind = 'shared');

-- Profiles written without an audited creation (bulk loads) start with the
-- policy they have now.
INSERT INTO attribution_policy_changes (profile_id, since, seq, policy)
SELECT id, created_at, 0, attribution_policy FROM profiles
WHERE kind = 'shared' AND id NOT IN (SELECT profile_id FROM attribution_policy_changes);
