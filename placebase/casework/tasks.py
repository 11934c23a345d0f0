"""tasks of the casework app."""
