"""Parses a parts-list CSV from S3 into moc_parts_lists."""
