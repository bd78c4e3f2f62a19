-- Image attachments. Files live on disk, named by their SHA-256; a row is
-- written only after its file is safely on disk.
CREATE TABLE attachments (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uploader_profile_id  BIGINT NOT NULL REFERENCES profiles (id),
    post_id              BIGINT REFERENCES posts (id),
    sha256               TEXT    NOT NULL,
    media_type           TEXT    NOT NULL,
    size_bytes           BIGINT NOT NULL,
    created_at           BIGINT NOT NULL
);
CREATE INDEX attachments_by_post ON attachments (post_id) WHERE post_id IS NOT NULL;
