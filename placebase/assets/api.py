"""api of the assets app."""
