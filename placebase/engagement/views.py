"""views of the engagement app."""
