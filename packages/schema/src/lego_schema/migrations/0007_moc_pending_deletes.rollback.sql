DROP TABLE IF EXISTS moc_pending_deletes;
