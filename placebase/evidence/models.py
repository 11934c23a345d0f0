"""models of the evidence app."""
