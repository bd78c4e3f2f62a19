-- The assignee and the owners of a help desk hear when a ticket's SLA is
-- about to be missed and when it is.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'reply', 'reaction', 'follow', 'join_request', 'invitation', 'message', 'investigator', 'sla_warning', 'sla_breach'));
