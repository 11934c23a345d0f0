"""api of the casework app."""
