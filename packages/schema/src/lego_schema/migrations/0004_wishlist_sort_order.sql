-- Wishlist (issue 15): sortOrder is an integer position 0..n-1 per user (the seed's text column
-- is renumbered in its current order), guarded by a unique (user_id, sort_order) constraint that
-- is DEFERRABLE, so one UPDATE may permute positions (checked at the end of the statement, or of
-- the transaction after SET CONSTRAINTS ... DEFERRED). wishlist_user_counts holds one row per
-- user: creates, deletes and reorders lock it first (SELECT ... FOR UPDATE of a row, released at
-- commit, never an advisory lock), so every write of one user's list serializes, and it keeps
-- the item count the 1,000-item limit and the profile counts read.
-- depends: 0003_gallery_uploads

ALTER TABLE wishlist_items ADD COLUMN position integer;
UPDATE wishlist_items AS w SET position = r.pos
FROM (
    SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY sort_order, created_at, id) - 1
        AS pos
    FROM wishlist_items
) AS r
WHERE w.id = r.id;
DROP INDEX IF EXISTS wishlist_items_user_sort_idx;
ALTER TABLE wishlist_items DROP COLUMN sort_order;
ALTER TABLE wishlist_items RENAME COLUMN position TO sort_order;
ALTER TABLE wishlist_items ALTER COLUMN sort_order SET NOT NULL;
ALTER TABLE wishlist_items
    ADD CONSTRAINT wishlist_items_sort_order_check CHECK (sort_order >= 0);
ALTER TABLE wishlist_items
    ADD CONSTRAINT wishlist_items_user_sort_key UNIQUE (user_id, sort_order)
    DEFERRABLE INITIALLY IMMEDIATE;

CREATE TABLE wishlist_user_counts (
    user_id    text PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 128),
    item_count integer NOT NULL CHECK (item_count >= 0)
);
INSERT INTO wishlist_user_counts (user_id, item_count)
SELECT user_id, count(*) FROM wishlist_items GROUP BY user_id;
