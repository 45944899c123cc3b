"""Test stack and fixtures shared by every test folder (never zipped)."""
