"""models of the engagement app."""
