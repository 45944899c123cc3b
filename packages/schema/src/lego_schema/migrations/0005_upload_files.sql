-- Uploads (issue 17): a MOC file is `pending` from the presigned POST until completion checks
-- the object (then `ready`); the declared size, the ticket's expiry and the object version
-- checked are kept. moc_file_parses holds one parse per (file, object version): its primary key
-- makes csv_parser idempotent (a retried or duplicated event finds the row and stops).
-- depends: 0003_gallery_uploads

ALTER TABLE moc_files
    ADD COLUMN status     text NOT NULL DEFAULT 'ready',
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN version_id text,
    ADD COLUMN etag       text,
    ADD CONSTRAINT moc_files_status_check CHECK (status IN ('pending', 'ready'));
CREATE INDEX moc_files_pending_idx ON moc_files (expires_at) WHERE status = 'pending';

CREATE TABLE moc_file_parses (
    file_id        uuid NOT NULL REFERENCES moc_files (id) ON DELETE CASCADE,
    version_id     text NOT NULL CHECK (length(version_id) BETWEEN 1 AND 1024),
    status         text NOT NULL CHECK (status IN ('ready', 'partial', 'failed')),
    rows_stored    integer NOT NULL DEFAULT 0 CHECK (rows_stored >= 0),
    rows_rejected  integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    total_quantity bigint NOT NULL DEFAULT 0 CHECK (total_quantity >= 0),
    report         jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT moc_file_parses_pkey PRIMARY KEY (file_id, version_id)
);
