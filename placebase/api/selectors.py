"""selectors of the api app."""
