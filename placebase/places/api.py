"""api of the places app."""
