"""forms of the casework app."""
