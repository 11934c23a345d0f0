"""forms of the volunteering app."""
