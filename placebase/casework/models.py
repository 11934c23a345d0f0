"""models of the casework app."""
