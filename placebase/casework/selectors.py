"""selectors of the casework app."""
