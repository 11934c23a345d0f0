"""admin of the engagement app."""
