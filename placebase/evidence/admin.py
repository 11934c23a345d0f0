"""admin of the evidence app."""
