-- Gallery (issue 14): the direct-to-S3 upload an image came from, so a second confirm of one
-- uploadId returns the first image instead of a copy (the unique key decides under concurrency);
-- and the index behind GET /api/images?albumId= (newest first inside one album).
-- depends: 0002_moc_user_counts

ALTER TABLE gallery_images ADD COLUMN upload_id uuid;
ALTER TABLE gallery_images
    ADD CONSTRAINT gallery_images_user_upload_key UNIQUE (user_id, upload_id);

DROP INDEX IF EXISTS gallery_images_album_idx;
CREATE INDEX gallery_images_album_created_idx
    ON gallery_images (album_id, created_at DESC, id) WHERE album_id IS NOT NULL;
