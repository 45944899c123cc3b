"""Wishlist items, reorder and item images."""
