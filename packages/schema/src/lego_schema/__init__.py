"""Versioned PostgreSQL schema of the LEGO API."""
