-- The inbox's views read a page of 50, newest first, out of a desk's whole
-- history. Partial indexes hold only the tickets a view can show, already
-- in its order, so a page is about 50 index entries whatever the desk's
-- history: done tickets by desk; open tickets by desk, and by desk and
-- assignee (the "mine" and "unassigned" views, the view counts and the
-- open-ticket loads that assignment weighs). A query uses one only when
-- its WHERE says the same status list, word for word.
CREATE INDEX tickets_done ON tickets (profile_id, id) WHERE status IN ('solved', 'closed');
CREATE INDEX tickets_open ON tickets (profile_id, id) WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_open_by_assignee ON tickets (profile_id, assignee_user_id, id)
    WHERE status IN ('new', 'open', 'pending', 'on_hold');
