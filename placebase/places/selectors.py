"""selectors of the places app."""
