DROP TABLE IF EXISTS wishlist_user_counts;
ALTER TABLE wishlist_items DROP CONSTRAINT IF EXISTS wishlist_items_user_sort_key;
ALTER TABLE wishlist_items DROP CONSTRAINT IF EXISTS wishlist_items_sort_order_check;
ALTER TABLE wishlist_items ALTER COLUMN sort_order TYPE text USING lpad(sort_order::text, 10, '0');
CREATE INDEX IF NOT EXISTS wishlist_items_user_sort_idx ON wishlist_items (user_id, sort_order, id);
