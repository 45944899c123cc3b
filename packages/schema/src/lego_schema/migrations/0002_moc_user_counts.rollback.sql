DROP TRIGGER IF EXISTS moc_instructions_count_insert ON moc_instructions;
DROP TRIGGER IF EXISTS moc_instructions_count_delete ON moc_instructions;
DROP TRIGGER IF EXISTS moc_instructions_count_truncate ON moc_instructions;
DROP FUNCTION IF EXISTS moc_user_counts_add(), moc_user_counts_subtract(), moc_user_counts_clear();
DROP TABLE IF EXISTS moc_user_counts;
