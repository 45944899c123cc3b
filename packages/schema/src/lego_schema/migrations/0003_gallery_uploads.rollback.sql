DROP INDEX IF EXISTS gallery_images_album_created_idx;
CREATE INDEX IF NOT EXISTS gallery_images_album_idx
    ON gallery_images (album_id) WHERE album_id IS NOT NULL;
ALTER TABLE gallery_images DROP CONSTRAINT IF EXISTS gallery_images_user_upload_key;
ALTER TABLE gallery_images DROP COLUMN IF EXISTS upload_id;
