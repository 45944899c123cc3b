-- The nine tables of seed 001 "Database Schema" with their constraints and indexes.
-- depends:

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Gallery ---------------------------------------------------------------------------------------
CREATE TABLE gallery_albums (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 128),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description     text CHECK (length(description) <= 2000),
    cover_image_id  uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gallery_albums_user_created_idx ON gallery_albums (user_id, created_at DESC, id);

CREATE TABLE gallery_images (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 128),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description     text CHECK (length(description) <= 2000),
    tags            text[] NOT NULL DEFAULT '{}',
    image_url       text NOT NULL,
    thumbnail_url   text,
    -- seed: deleting an album keeps its images
    album_id        uuid REFERENCES gallery_albums (id) ON DELETE SET NULL,
    flagged         boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gallery_images_user_created_idx ON gallery_images (user_id, created_at DESC, id);
CREATE INDEX gallery_images_album_idx ON gallery_images (album_id) WHERE album_id IS NOT NULL;
CREATE INDEX gallery_images_tags_idx ON gallery_images USING gin (tags);
CREATE INDEX gallery_images_title_trgm_idx ON gallery_images USING gin (title gin_trgm_ops);

ALTER TABLE gallery_albums
    ADD CONSTRAINT gallery_albums_cover_image_fk
    FOREIGN KEY (cover_image_id) REFERENCES gallery_images (id) ON DELETE SET NULL;

CREATE TABLE gallery_flags (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    image_id   uuid NOT NULL REFERENCES gallery_images (id) ON DELETE CASCADE,
    user_id    text NOT NULL,
    reason     text CHECK (length(reason) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (image_id, user_id)
);

-- MOC instructions ------------------------------------------------------------------------------
CREATE TABLE moc_instructions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 128),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description       text CHECK (length(description) <= 5000),
    type              text NOT NULL CHECK (type IN ('moc', 'set')),
    author            text CHECK (length(author) <= 200),
    parts_count       integer CHECK (parts_count >= 0),
    theme             text CHECK (length(theme) <= 100),
    subtheme          text CHECK (length(subtheme) <= 100),
    uploaded_date     timestamptz,
    brand             text CHECK (length(brand) <= 100),
    set_number        text CHECK (length(set_number) <= 50),
    release_year      integer CHECK (release_year BETWEEN 1949 AND 2100),
    retired           boolean,
    tags              text[] NOT NULL DEFAULT '{}',
    thumbnail_url     text,
    total_piece_count integer NOT NULL DEFAULT 0 CHECK (total_piece_count >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- seed: unique title per user; a MOC requires author, a set requires brand
    CONSTRAINT moc_instructions_user_title_key UNIQUE (user_id, title),
    CONSTRAINT moc_instructions_moc_author_check CHECK (type <> 'moc' OR author IS NOT NULL),
    CONSTRAINT moc_instructions_set_brand_check CHECK (type <> 'set' OR brand IS NOT NULL)
);
CREATE INDEX moc_instructions_user_created_idx ON moc_instructions (user_id, created_at DESC, id);
CREATE INDEX moc_instructions_tags_idx ON moc_instructions USING gin (tags);
CREATE INDEX moc_instructions_title_trgm_idx ON moc_instructions USING gin (title gin_trgm_ops);
CREATE INDEX moc_instructions_description_trgm_idx
    ON moc_instructions USING gin (description gin_trgm_ops);

CREATE TABLE moc_files (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    moc_id            uuid NOT NULL REFERENCES moc_instructions (id) ON DELETE CASCADE,
    file_type         text NOT NULL CHECK (file_type IN ('instruction', 'parts-list', 'other')),
    file_url          text NOT NULL,
    s3_key            text NOT NULL UNIQUE,
    original_filename text NOT NULL CHECK (length(original_filename) <= 255),
    mime_type         text NOT NULL,
    size_bytes        bigint NOT NULL CHECK (size_bytes >= 0),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moc_files_moc_idx ON moc_files (moc_id, created_at);

CREATE TABLE moc_gallery_images (
    moc_id           uuid NOT NULL REFERENCES moc_instructions (id) ON DELETE CASCADE,
    gallery_image_id uuid NOT NULL REFERENCES gallery_images (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (moc_id, gallery_image_id)
);
CREATE INDEX moc_gallery_images_image_idx ON moc_gallery_images (gallery_image_id);

CREATE TABLE moc_gallery_albums (
    moc_id           uuid NOT NULL REFERENCES moc_instructions (id) ON DELETE CASCADE,
    gallery_album_id uuid NOT NULL REFERENCES gallery_albums (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (moc_id, gallery_album_id)
);
CREATE INDEX moc_gallery_albums_album_idx ON moc_gallery_albums (gallery_album_id);

-- One row per part of a parts-list CSV (columns Part ID, Part Name, Quantity, Color).
CREATE TABLE moc_parts_lists (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    moc_id     uuid NOT NULL REFERENCES moc_instructions (id) ON DELETE CASCADE,
    file_id    uuid REFERENCES moc_files (id) ON DELETE CASCADE,
    part_id    text NOT NULL CHECK (length(part_id) BETWEEN 1 AND 64),
    part_name  text NOT NULL CHECK (length(part_name) <= 500),
    quantity   integer NOT NULL CHECK (quantity > 0),
    color      text NOT NULL CHECK (length(color) <= 100),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moc_parts_lists_moc_idx ON moc_parts_lists (moc_id);
CREATE INDEX moc_parts_lists_file_idx ON moc_parts_lists (file_id);

-- Wishlist --------------------------------------------------------------------------------------
CREATE TABLE wishlist_items (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 128),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  text CHECK (length(description) <= 2000),
    product_link text CHECK (length(product_link) <= 2048),
    image_url    text,
    category     text CHECK (length(category) <= 100),
    sort_order   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wishlist_items_user_sort_idx ON wishlist_items (user_id, sort_order, id);
CREATE INDEX wishlist_items_title_trgm_idx ON wishlist_items USING gin (title gin_trgm_ops);
