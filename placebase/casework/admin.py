"""admin of the casework app."""
