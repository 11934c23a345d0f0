"""tasks of the places app."""
