"""views of the volunteering app."""
