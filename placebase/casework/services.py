"""services of the casework app."""
