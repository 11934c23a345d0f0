"""api of the volunteering app."""
