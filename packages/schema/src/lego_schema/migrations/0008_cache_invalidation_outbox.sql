-- Cache invalidations (issue 18): a write inserts one row here in its own transaction, and
-- deletes it once Redis has taken the invalidation. A row left behind (Redis down or slow, the
-- process killed after the commit) is replayed before the cache is trusted again: see
-- docs/reliability.md "Cache correctness beyond the TTL" and lego_common.cache.
-- depends: 0007_moc_pending_deletes

CREATE TABLE cache_invalidation_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 128),
    created_at timestamptz NOT NULL DEFAULT now()
);
