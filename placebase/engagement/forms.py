"""forms of the engagement app."""
