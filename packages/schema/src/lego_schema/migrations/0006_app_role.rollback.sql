-- The grants in this database only: the role is cluster-wide (other databases may use it), so
-- it stays, with nothing left to reach here.
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM lego_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM lego_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM lego_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM lego_app;
REVOKE USAGE ON SCHEMA public FROM lego_app;
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM lego_app', current_database());
END $$;
