"""selectors of the engagement app."""
