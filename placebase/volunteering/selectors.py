"""selectors of the volunteering app."""
