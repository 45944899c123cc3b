"""pytest plugin: service stack fixtures."""
