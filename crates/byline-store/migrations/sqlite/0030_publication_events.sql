-- A webhook channel that hears a profile's publishing steps (submitted,
-- approved, rejected, published, failed) as events; none by default.
ALTER TABLE publishing_settings ADD COLUMN events_channel_id INTEGER REFERENCES channels (id);
