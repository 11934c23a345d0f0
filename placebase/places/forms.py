"""forms of the places app."""
