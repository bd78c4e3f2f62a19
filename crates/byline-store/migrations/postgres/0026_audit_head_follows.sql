-- The chain's head takes the hash of the event appended at its number in
-- the same statement as the event, instead of one more statement inside
-- every audited write (each is a round trip while holding the lock on the
-- head). Only the append that moved the head to NEW.seq matches: a bulk
-- load, which points the head at its last event when it is done, costs
-- one lookup per row.
CREATE FUNCTION audit_head_follows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET hash = NEW.hash WHERE id = 1 AND seq = NEW.seq;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_head_follows();
