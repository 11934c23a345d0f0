"""tasks of the assets app."""
