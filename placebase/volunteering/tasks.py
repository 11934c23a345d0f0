"""tasks of the volunteering app."""
