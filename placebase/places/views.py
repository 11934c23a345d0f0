"""views of the places app."""
