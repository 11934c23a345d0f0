"""api of the engagement app."""
