"""Reproducible per-function Lambda zips for the LEGO Projects API."""
