-- Image attachments. Files live on disk, named by their SHA-256; a row is
-- written only after its file is safely on disk.
CREATE TABLE attachments (
    id                   INTEGER PRIMARY KEY,
    uploader_profile_id  INTEGER NOT NULL REFERENCES profiles (id),
    post_id              INTEGER REFERENCES posts (id),
    sha256               TEXT    NOT NULL,
    media_type           TEXT    NOT NULL,
    size_bytes           INTEGER NOT NULL,
    created_at           INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_by_post ON attachments (post_id) WHERE post_id IS NOT NULL;
