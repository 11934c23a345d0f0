"""tasks of the engagement app."""
