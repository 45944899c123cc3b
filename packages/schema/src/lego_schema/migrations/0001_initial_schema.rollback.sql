DROP TABLE IF EXISTS wishlist_items, moc_parts_lists, moc_gallery_albums, moc_gallery_images,
    moc_files, moc_instructions, gallery_flags, gallery_images, gallery_albums CASCADE;
