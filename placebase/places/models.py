"""models of the places app."""
