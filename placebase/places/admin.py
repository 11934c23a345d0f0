"""admin of the places app."""
