"""views of the casework app."""
