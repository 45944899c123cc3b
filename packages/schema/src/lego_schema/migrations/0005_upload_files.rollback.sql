DROP TABLE IF EXISTS moc_file_parses;
DROP INDEX IF EXISTS moc_files_pending_idx;
ALTER TABLE moc_files DROP CONSTRAINT IF EXISTS moc_files_status_check;
ALTER TABLE moc_files
    DROP COLUMN IF EXISTS etag,
    DROP COLUMN IF EXISTS version_id,
    DROP COLUMN IF EXISTS expires_at,
    DROP COLUMN IF EXISTS status;
