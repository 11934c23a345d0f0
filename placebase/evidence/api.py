"""api of the evidence app."""
