"""tasks of the evidence app."""
