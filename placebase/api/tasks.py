"""tasks of the api app."""
