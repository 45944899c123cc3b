-- Issue 13 item 2: the functions log in as `lego_app`, which may read and write the app's rows
-- and nothing else: no DDL (it owns nothing and has no CREATE on the schema), no superuser,
-- no role or database creation, no access to yoyo's history tables. The migrator (RDS master
-- in AWS, `lego` locally) keeps the schema. The role's password is set by the migrator after
-- the migrations (APP_DB_PASSWORD or the APP_DB_SECRET_ARN secret), never written here.
-- depends: 0005_upload_files

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lego_app') THEN
        CREATE ROLE lego_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO lego_app', current_database());
END $$;

-- PostgreSQL 15 no longer grants CREATE on public to PUBLIC; revoke anyway for clusters
-- upgraded from older versions, where it still would.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO lego_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    gallery_images, gallery_albums, gallery_flags,
    moc_instructions, moc_files, moc_gallery_images, moc_gallery_albums, moc_parts_lists,
    moc_user_counts, moc_file_parses,
    wishlist_items, wishlist_user_counts
TO lego_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO lego_app;

-- Tables and sequences later migrations create (as the migrator) are the app's too; yoyo's own
-- tables exist before the first migration runs, so they stay out of reach.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO lego_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO lego_app;
