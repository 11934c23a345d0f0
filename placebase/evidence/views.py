"""views of the evidence app."""
