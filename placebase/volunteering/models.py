"""models of the volunteering app."""
