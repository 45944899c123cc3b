"""Shared infrastructure for every LEGO API function."""
