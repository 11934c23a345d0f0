"""forms of the evidence app."""
