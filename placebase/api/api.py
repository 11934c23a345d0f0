"""api of the api app."""
