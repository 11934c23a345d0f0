"""selectors of the assets app."""
