"""User profile (Cognito attributes + counts) and avatar."""
