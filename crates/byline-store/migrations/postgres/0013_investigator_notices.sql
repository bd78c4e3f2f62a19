-- Owners of sealed profiles are told when someone is given the investigator
-- right (it can reveal their profile's bylines).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator'));
