-- Issue 13 item 1: no orphans. A MOC's rows go first, then its files under mocs/{user}/{moc}/;
-- when S3 refuses some of them (or the listing), the prefix is kept here and the mocs
-- function's hourly schedule deletes what is left, backing off per attempt, until none is.
-- lego_app gets DML on it through 0006's default privileges.
-- depends: 0006_app_role

CREATE TABLE moc_pending_deletes (
    prefix          text PRIMARY KEY CHECK (prefix LIKE 'mocs/%/%/' AND length(prefix) <= 1024),
    user_id         text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moc_pending_deletes_due_idx ON moc_pending_deletes (next_attempt_at);
