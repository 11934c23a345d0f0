"""admin of the volunteering app."""
